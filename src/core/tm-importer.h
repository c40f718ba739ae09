/* tm-importer.h — files into the store: read, check, keep the original, record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tm-manifest.h"
#include "tm-preprocess.h"
#include "tm-store.h"

G_BEGIN_DECLS

/* Files larger than this are refused before reading: no real scan comes near it, and
 * reading an arbitrary file into memory first would let a mistake exhaust it. */
#define TM_IMPORTER_MAX_FILE_SIZE (G_GINT64_CONSTANT (2) << 30)

#define TM_TYPE_IMPORTER (tm_importer_get_type ())

G_DECLARE_FINAL_TYPE (TmImporter, tm_importer, TM, IMPORTER, GObject)

/* @user: the login recorded as imported_by (a registered technician, examiner or
 * administrator). */
TmImporter    *tm_importer_new               (TmStore          *store,
                                              const char       *user);
/* Case data applied to every file (e.g. from --case, --kind); a manifest row, where
 * it gives a value, takes precedence for its file. */
void           tm_importer_set_defaults      (TmImporter       *self,
                                              const TmCaseData *defaults);
void           tm_importer_set_manifest      (TmImporter       *self,
                                              TmManifest       *manifest);
/* The user's pixel size in µm, or 0 (see tm_surface_load_bytes()). */
void           tm_importer_set_pixel_um      (TmImporter       *self,
                                              double            pixel_um);
/* The preprocessing applied at import (default: tm_preprocess_params_init()). */
void           tm_importer_set_preprocess    (TmImporter       *self,
                                              const TmPreprocessParams *params);
/* Imports one file in one transaction, with its preprocessed surfaces and pre-score
 * signature (an acquisition the engine cannot preprocess, e.g. one with too few valid
 * points, is still imported, without them, and a message is logged); on failure nothing is left behind. Errors name
 * the file. */
TmAcquisition *tm_importer_import_file       (TmImporter       *self,
                                              const char       *path,
                                              GError          **error);
/* Expands @paths (files and folders, folders recursively to their .x3p, .tif, .tiff
 * and .png files, sorted by name) into the files to import. */
GPtrArray     *tm_importer_expand_paths      (const char * const *paths,
                                              GError          **error);

/* What import stores beside an acquisition: tm_preprocess_surface() then
 * tm_signature_compute(). Fills @out (free with tm_derived_clear()). */
gboolean       tm_derived_compute            (TmSurface                *surface,
                                              const TmPreprocessParams *params,
                                              TmDerived                *out,
                                              GError                  **error);
void           tm_derived_clear              (TmDerived                *derived);
/* Names @params and the signature version (SHA-256 of their canonical text). */
char          *tm_derived_params_hash        (const TmPreprocessParams *params);

G_END_DECLS
