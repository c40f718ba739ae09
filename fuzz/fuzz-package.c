/* fuzz-package.c — libFuzzer target for exchange package import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Packages come from other agencies' systems, so every byte is hostile until its hash
 * is checked. The input is written to a file (tm_package_import reads a path, as the
 * zip library needs) and imported into a scratch store opened once per process; any
 * outcome but a crash, a hang, a leak or a sanitizer report is fine. The contract
 * checked: a refusal is a TM_PACKAGE_ERROR (or a store error) with a message, and a
 * refused package leaves the acquisition count as it was.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "tm-package.h"
#include "tm-store.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static TmStore *store;
static char *package_path;

static void
open_scratch_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("toolmark-fuzz-package-XXXXXX", &error);
  g_autofree char *db_path = NULL;

  g_assert_no_error (error);
  db_path = g_build_filename (dir, "fuzz.db", NULL);
  package_path = g_build_filename (dir, "input.tmpkg", NULL);
  store = tm_store_open (db_path, &error);
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  TmPackageReport report;
  gint64 before, after;
  gboolean ok;

  if (store == NULL)
    open_scratch_store ();

  g_file_set_contents (package_path, (const char *)data, (gssize)size, &error);
  g_assert_no_error (error);

  before = tm_store_count_acquisitions (store, &error);
  g_assert_no_error (error);

  tm_package_report_init (&report);
  ok = tm_package_import (store, package_path, g_get_user_name (), &report, NULL, &error);
  g_assert (ok == (error == NULL));
  if (!ok)
    {
      g_assert (error->domain == TM_PACKAGE_ERROR || error->domain == TM_STORE_ERROR);
      g_assert (error->message != NULL && error->message[0] != '\0');
      g_clear_error (&error);
      after = tm_store_count_acquisitions (store, &error);
      g_assert_no_error (error);
      g_assert_cmpint (before, ==, after);
    }
  tm_package_report_clear (&report);
  return 0;
}
