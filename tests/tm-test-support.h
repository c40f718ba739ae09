/* tm-test-support.h — helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder of the real scans (../shared/scans), or NULL when absent; a test that
 * needs it calls g_test_skip() with a message naming the folder. */
const char *tm_test_shared_scans   (void);
/* A fresh temporary directory, removed recursively at exit of the test program. */
char       *tm_test_make_tmpdir    (const char *template_name);
/* Runs toolmark-cli (from $TM_CLI) with argv; returns the exit status and the output. */
int         tm_test_run_cli        (const char * const *argv,
                                    char              **out_stdout,
                                    char              **out_stderr);
/* Removes a directory tree. */
void        tm_test_rm_rf          (const char *path);

G_END_DECLS
