/* tm-manifest.h — per-file case data for a batch import, from a CSV file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A manifest is a CSV file (RFC 4180: quoted fields, "" inside quotes, CRLF or LF,
 * optional UTF-8 BOM) whose header names the columns. Recognised names (case and
 * '_'/'-'/' ' insensitive; aliases in brackets):
 *   file [path, filename]         the scan, relative to the manifest's folder (required)
 *   case [case_number, agency_case_number], lab_case [lab_case_number], agency,
 *   incident_date, offense [offence], location,
 *   exhibit [item, item_number], kind [evidence], region [roi],
 *   firearm_make [make], firearm_model [model], firearm_serial [serial, serial_number],
 *   calibre [caliber], firing_pin_type, firing_pin_shape, breech_face_class,
 *   microstamp [microstamp_firing_pin], microstamp_breech_face, instrument
 * Any other column (e.g. truth.csv's firearm, repo, md5) is ignored, so annotated
 * research tables import as they are.
 */
#pragma once

#include <glib-object.h>

#include "tm-store.h"

G_BEGIN_DECLS

#define TM_MANIFEST_ERROR (tm_manifest_error_quark ())

typedef enum
{
  TM_MANIFEST_ERROR_IO,
  TM_MANIFEST_ERROR_PARSE,    /* malformed CSV, or no "file" column */
  TM_MANIFEST_ERROR_DUPLICATE /* one file listed twice */
} TmManifestError;

#define TM_TYPE_MANIFEST (tm_manifest_get_type ())

G_DECLARE_FINAL_TYPE (TmManifest, tm_manifest, TM, MANIFEST, GObject)

GQuark            tm_manifest_error_quark (void);
TmManifest       *tm_manifest_load        (const char  *path,
                                           GError     **error);
/* @base_dir: the folder relative file names are resolved against. */
TmManifest       *tm_manifest_parse       (const char  *text,
                                           gsize        length,
                                           const char  *display_name,
                                           const char  *base_dir,
                                           GError     **error);
guint             tm_manifest_get_n_rows  (TmManifest  *self);
/* The absolute path of row @index's file. */
const char       *tm_manifest_get_path    (TmManifest  *self,
                                           guint        index);
const TmCaseData *tm_manifest_get_data    (TmManifest  *self,
                                           guint        index);
/* The row for @path: the same file (after resolving), else the only row with the same
 * base name; NULL when the manifest does not list it (or the base name is ambiguous). */
const TmCaseData *tm_manifest_lookup      (TmManifest  *self,
                                           const char  *path);
/* The names of the header's columns that were not recognised (ignored). */
const char * const *tm_manifest_get_ignored_columns (TmManifest *self);

G_END_DECLS
