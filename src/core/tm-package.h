/* tm-package.h — exchange packages (IBIN-style): acquisitions moving between systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A package (.tmpkg, application/x-toolmark-package) is one zip file:
 *
 *   manifest.json                      format, version, sending agency and site, time,
 *                                      and every other member with its SHA-256 and size
 *   acquisitions/UUID/scan.x3p         the original when it is an X3P, else the surface
 *                                      exported as X3P (ISO 25178-72)
 *   acquisitions/UUID/metadata.json    OpenFMC-style class characteristics ("openfmc"),
 *                                      the full record ("record", as tm-sync carries it)
 *                                      and the derived data's parameters
 *   acquisitions/UUID/surface-REGION.bin, signature.bin   preprocessed data
 *
 * Import checks every member's hash before applying anything and refuses the package
 * naming the first member that does not match; acquisitions keep their UUIDs and
 * origin, and one already here is skipped (or quarantined when it differs).
 */
#pragma once

#include <gio/gio.h>

#include "tm-store.h"

G_BEGIN_DECLS

#define TM_PACKAGE_ERROR (tm_package_error_quark ())

typedef enum
{
  TM_PACKAGE_ERROR_INVALID,    /* not a package, malformed manifest, hostile member */
  TM_PACKAGE_ERROR_TAMPERED,   /* a member's hash or size differs from the manifest */
  TM_PACKAGE_ERROR_TOO_LARGE,  /* beyond the limits below */
} TmPackageError;

/* Limits an import holds any package to (a zip bomb or a huge manifest is refused
 * before it is inflated). */
#define TM_PACKAGE_MAX_MEMBERS        200000
#define TM_PACKAGE_MAX_MANIFEST       (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define TM_PACKAGE_MAX_MEMBER_SIZE    (G_GUINT64_CONSTANT (1024) * 1024 * 1024)
#define TM_PACKAGE_MAX_TOTAL_SIZE     (G_GUINT64_CONSTANT (32) * 1024 * 1024 * 1024)
#define TM_PACKAGE_MAX_RATIO          200   /* deflate reaches ~1000 on zeros; real members stay under 20 */

#define TM_PACKAGE_MIME_TYPE "application/x-toolmark-package"

GQuark    tm_package_error_quark   (void);

/**
 * tm_package_export:
 * @ids: (array length=n_ids): acquisition ids
 * @agency: the sending agency (recorded in the manifest)
 */
gboolean  tm_package_export        (TmStore       *store,
                                    const gint64  *ids,
                                    guint          n_ids,
                                    const char    *agency,
                                    const char    *path,
                                    GCancellable  *cancellable,
                                    GError       **error);

/**
 * TmPackageReport:
 * @agency: the sending agency named in the manifest (owned)
 * @messages: (element-type utf8): one line per quarantined acquisition
 */
typedef struct
{
  char      *agency;
  guint      imported;
  guint      identical;
  guint      quarantined;
  GPtrArray *messages;
} TmPackageReport;

void      tm_package_report_init   (TmPackageReport *report);
void      tm_package_report_clear  (TmPackageReport *report);

/* Verifies then imports (one transaction). @user must be allowed to import. */
gboolean  tm_package_import        (TmStore          *store,
                                    const char       *path,
                                    const char       *user,
                                    TmPackageReport  *report,
                                    GCancellable     *cancellable,
                                    GError          **error);

/* The acquisition ids of every case with this case number, oldest first. */
GArray   *tm_package_case_acquisitions (TmStore     *store,
                                        const char  *case_number,
                                        GError     **error);

G_END_DECLS
