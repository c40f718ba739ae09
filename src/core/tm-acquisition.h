/* tm-acquisition.h — one imaging of an exhibit: a row of the store, with its case data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "tm-surface.h"

G_BEGIN_DECLS

#define TM_TYPE_ACQUISITION (tm_acquisition_get_type ())

G_DECLARE_FINAL_TYPE (TmAcquisition, tm_acquisition, TM, ACQUISITION, GObject)

/* Read-only properties (all also GObject properties, named as below with '-'):
 *   id (gint64), uuid, file (original base name), sha256, width, height, pixel-um
 *   (double, x), pixel-um-y, modality (string "2d"/"3d"), region ("breech-face",
 *   "firing-pin", "ejector", "aperture-shear", "full"), instrument, case-number,
 *   lab-case-number, exhibit (item number), kind ("crime-scene"/"test-fire"), calibre,
 *   firing-pin-type, firing-pin-shape, breech-face-class, microstamp, valid-fraction,
 *   imported-by, imported-at (ISO 8601 string), origin-site; and also
 *   case-uuid, exhibit-uuid, agency, incident-date, offense, location, firearm-make,
 *   firearm-model, firearm-serial, source-meta (JSON object text: the file's own
 *   metadata, e.g. X3P Record2).
 * Strings that are unknown are NULL (never ""). The store creates these (all properties
 * are construct-only); the app and CLI read them. An acquisition is immutable. */
gint64       tm_acquisition_get_id             (TmAcquisition *self);
const char  *tm_acquisition_get_uuid           (TmAcquisition *self);
const char  *tm_acquisition_get_file           (TmAcquisition *self);
const char  *tm_acquisition_get_sha256         (TmAcquisition *self);
guint        tm_acquisition_get_width          (TmAcquisition *self);
guint        tm_acquisition_get_height         (TmAcquisition *self);
double       tm_acquisition_get_pixel_um       (TmAcquisition *self);
double       tm_acquisition_get_pixel_um_y     (TmAcquisition *self);
const char  *tm_acquisition_get_modality       (TmAcquisition *self);
const char  *tm_acquisition_get_region         (TmAcquisition *self);
const char  *tm_acquisition_get_instrument     (TmAcquisition *self);
const char  *tm_acquisition_get_case_number    (TmAcquisition *self);
const char  *tm_acquisition_get_exhibit        (TmAcquisition *self);
const char  *tm_acquisition_get_kind           (TmAcquisition *self);
const char  *tm_acquisition_get_calibre        (TmAcquisition *self);
const char  *tm_acquisition_get_firing_pin_type  (TmAcquisition *self);
const char  *tm_acquisition_get_firing_pin_shape (TmAcquisition *self);
const char  *tm_acquisition_get_breech_face_class (TmAcquisition *self);
const char  *tm_acquisition_get_microstamp     (TmAcquisition *self);
double       tm_acquisition_get_valid_fraction (TmAcquisition *self);
const char  *tm_acquisition_get_imported_by    (TmAcquisition *self);
const char  *tm_acquisition_get_imported_at    (TmAcquisition *self);
const char  *tm_acquisition_get_origin_site    (TmAcquisition *self);
const char  *tm_acquisition_get_case_uuid      (TmAcquisition *self);
const char  *tm_acquisition_get_exhibit_uuid   (TmAcquisition *self);
const char  *tm_acquisition_get_lab_case_number (TmAcquisition *self);
const char  *tm_acquisition_get_agency         (TmAcquisition *self);
const char  *tm_acquisition_get_incident_date  (TmAcquisition *self);
const char  *tm_acquisition_get_offense        (TmAcquisition *self);
const char  *tm_acquisition_get_location       (TmAcquisition *self);
const char  *tm_acquisition_get_firearm_make   (TmAcquisition *self);
const char  *tm_acquisition_get_firearm_model  (TmAcquisition *self);
const char  *tm_acquisition_get_firearm_serial (TmAcquisition *self);
const char  *tm_acquisition_get_source_meta    (TmAcquisition *self);

/* The acquisition as a JSON object (the CLI's list/show/import --json): keys id, uuid,
 * file, width, height, pixel_um, pixel_um_y, modality, region, case, lab_case, agency,
 * exhibit, kind, calibre, firing_pin_type, firing_pin_shape, breech_face_class,
 * microstamp, sha256, valid_fraction, instrument, imported_at, imported_by, origin_site,
 * firearm_make/model/serial, incident_date, offense, location, case_uuid, exhibit_uuid,
 * source (object). Unknown values are JSON null. */
JsonNode    *tm_acquisition_to_json            (TmAcquisition *self);

G_END_DECLS
