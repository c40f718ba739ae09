/* tm-acquisition.c — one imaging of an exhibit: a row of the store, with its case data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain immutable value object: the store fills every property at construction and
 * nothing changes afterwards (acquisitions are evidence; corrections are new records).
 * The string properties live in one array indexed by property id, which keeps the
 * thirty-odd getters and the property plumbing from drifting apart.
 */
#define G_LOG_DOMAIN "tm-acquisition"

#include "config.h"

#include "tm-acquisition.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_PIXEL_UM,
  PROP_PIXEL_UM_Y,
  PROP_VALID_FRACTION,
  /* String properties from here on. */
  PROP_UUID,
  PROP_FILE,
  PROP_SHA256,
  PROP_MODALITY,
  PROP_REGION,
  PROP_INSTRUMENT,
  PROP_CASE_NUMBER,
  PROP_LAB_CASE_NUMBER,
  PROP_EXHIBIT,
  PROP_KIND,
  PROP_CALIBRE,
  PROP_FIRING_PIN_TYPE,
  PROP_FIRING_PIN_SHAPE,
  PROP_BREECH_FACE_CLASS,
  PROP_MICROSTAMP,
  PROP_IMPORTED_BY,
  PROP_IMPORTED_AT,
  PROP_ORIGIN_SITE,
  PROP_CASE_UUID,
  PROP_EXHIBIT_UUID,
  PROP_AGENCY,
  PROP_INCIDENT_DATE,
  PROP_OFFENSE,
  PROP_LOCATION,
  PROP_FIREARM_MAKE,
  PROP_FIREARM_MODEL,
  PROP_FIREARM_SERIAL,
  PROP_SOURCE_META,
  N_PROPS
};

#define FIRST_STRING_PROP PROP_UUID
#define N_STRING_PROPS    (N_PROPS - FIRST_STRING_PROP)

struct _TmAcquisition
{
  GObject  parent_instance;

  gint64   id;
  guint    width;
  guint    height;
  double   pixel_um;
  double   pixel_um_y;
  double   valid_fraction;
  char    *strings[N_STRING_PROPS];
};

G_DEFINE_FINAL_TYPE (TmAcquisition, tm_acquisition, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static const char *string_prop_names[N_STRING_PROPS] = {
  "uuid",
  "file",
  "sha256",
  "modality",
  "region",
  "instrument",
  "case-number",
  "lab-case-number",
  "exhibit",
  "kind",
  "calibre",
  "firing-pin-type",
  "firing-pin-shape",
  "breech-face-class",
  "microstamp",
  "imported-by",
  "imported-at",
  "origin-site",
  "case-uuid",
  "exhibit-uuid",
  "agency",
  "incident-date",
  "offense",
  "location",
  "firearm-make",
  "firearm-model",
  "firearm-serial",
  "source-meta",
};

static void
tm_acquisition_finalize (GObject *object)
{
  TmAcquisition *self = (TmAcquisition *)object;

  for (guint i = 0; i < N_STRING_PROPS; i++)
    g_clear_pointer (&self->strings[i], g_free);

  G_OBJECT_CLASS (tm_acquisition_parent_class)->finalize (object);
}

static void
tm_acquisition_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TmAcquisition *self = TM_ACQUISITION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_PIXEL_UM:
      g_value_set_double (value, self->pixel_um);
      break;
    case PROP_PIXEL_UM_Y:
      g_value_set_double (value, self->pixel_um_y);
      break;
    case PROP_VALID_FRACTION:
      g_value_set_double (value, self->valid_fraction);
      break;
    default:
      if (prop_id >= FIRST_STRING_PROP && prop_id < N_PROPS)
        g_value_set_string (value, self->strings[prop_id - FIRST_STRING_PROP]);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_acquisition_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TmAcquisition *self = TM_ACQUISITION (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_uint (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_uint (value);
      break;
    case PROP_PIXEL_UM:
      self->pixel_um = g_value_get_double (value);
      break;
    case PROP_PIXEL_UM_Y:
      self->pixel_um_y = g_value_get_double (value);
      break;
    case PROP_VALID_FRACTION:
      self->valid_fraction = g_value_get_double (value);
      break;
    default:
      if (prop_id >= FIRST_STRING_PROP && prop_id < N_PROPS)
        {
          const char *str = g_value_get_string (value);
          char **slot = &self->strings[prop_id - FIRST_STRING_PROP];

          /* Unknown is NULL, never "", so callers test one thing. */
          g_free (*slot);
          *slot = (str != NULL && *str != '\0') ? g_strdup (str) : NULL;
        }
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_acquisition_class_init (TmAcquisitionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tm_acquisition_finalize;
  object_class->get_property = tm_acquisition_get_property;
  object_class->set_property = tm_acquisition_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PIXEL_UM] =
    g_param_spec_double ("pixel-um", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_PIXEL_UM_Y] =
    g_param_spec_double ("pixel-um-y", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_VALID_FRACTION] =
    g_param_spec_double ("valid-fraction", NULL, NULL, 0, 1, 0, flags);
  for (guint i = 0; i < N_STRING_PROPS; i++)
    properties[FIRST_STRING_PROP + i] =
      g_param_spec_string (string_prop_names[i], NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_acquisition_init (TmAcquisition *self)
{
}

gint64
tm_acquisition_get_id (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->id;
}

guint
tm_acquisition_get_width (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->width;
}

guint
tm_acquisition_get_height (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->height;
}

double
tm_acquisition_get_pixel_um (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->pixel_um;
}

double
tm_acquisition_get_pixel_um_y (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->pixel_um_y;
}

double
tm_acquisition_get_valid_fraction (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), 0);
  return self->valid_fraction;
}

const char *
tm_acquisition_get_uuid (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_UUID - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_file (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FILE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_sha256 (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_SHA256 - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_modality (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_MODALITY - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_region (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_REGION - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_instrument (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_INSTRUMENT - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_case_number (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_CASE_NUMBER - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_lab_case_number (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_LAB_CASE_NUMBER - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_exhibit (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_EXHIBIT - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_kind (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_KIND - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_calibre (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_CALIBRE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_firing_pin_type (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FIRING_PIN_TYPE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_firing_pin_shape (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FIRING_PIN_SHAPE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_breech_face_class (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_BREECH_FACE_CLASS - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_microstamp (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_MICROSTAMP - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_imported_by (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_IMPORTED_BY - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_imported_at (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_IMPORTED_AT - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_origin_site (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_ORIGIN_SITE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_case_uuid (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_CASE_UUID - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_exhibit_uuid (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_EXHIBIT_UUID - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_agency (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_AGENCY - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_incident_date (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_INCIDENT_DATE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_offense (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_OFFENSE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_location (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_LOCATION - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_firearm_make (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FIREARM_MAKE - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_firearm_model (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FIREARM_MODEL - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_firearm_serial (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_FIREARM_SERIAL - FIRST_STRING_PROP];
}

const char *
tm_acquisition_get_source_meta (TmAcquisition *self)
{
  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);
  return self->strings[PROP_SOURCE_META - FIRST_STRING_PROP];
}

static void
add_string (JsonBuilder *builder,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (builder, key);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
tm_acquisition_to_json (TmAcquisition *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) source = NULL;
  const char *meta;

  g_return_val_if_fail (TM_IS_ACQUISITION (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, self->id);
  add_string (builder, "uuid", tm_acquisition_get_uuid (self));
  add_string (builder, "file", tm_acquisition_get_file (self));
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, self->width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, self->height);
  json_builder_set_member_name (builder, "pixel_um");
  json_builder_add_double_value (builder, self->pixel_um);
  json_builder_set_member_name (builder, "pixel_um_y");
  json_builder_add_double_value (builder, self->pixel_um_y);
  add_string (builder, "modality", tm_acquisition_get_modality (self));
  add_string (builder, "region", tm_acquisition_get_region (self));
  add_string (builder, "case", tm_acquisition_get_case_number (self));
  add_string (builder, "lab_case", tm_acquisition_get_lab_case_number (self));
  add_string (builder, "agency", tm_acquisition_get_agency (self));
  add_string (builder, "exhibit", tm_acquisition_get_exhibit (self));
  add_string (builder, "kind", tm_acquisition_get_kind (self));
  add_string (builder, "calibre", tm_acquisition_get_calibre (self));
  add_string (builder, "firing_pin_type", tm_acquisition_get_firing_pin_type (self));
  add_string (builder, "firing_pin_shape", tm_acquisition_get_firing_pin_shape (self));
  add_string (builder, "breech_face_class", tm_acquisition_get_breech_face_class (self));
  add_string (builder, "microstamp", tm_acquisition_get_microstamp (self));
  add_string (builder, "sha256", tm_acquisition_get_sha256 (self));
  json_builder_set_member_name (builder, "valid_fraction");
  json_builder_add_double_value (builder, self->valid_fraction);
  add_string (builder, "instrument", tm_acquisition_get_instrument (self));
  add_string (builder, "imported_at", tm_acquisition_get_imported_at (self));
  add_string (builder, "imported_by", tm_acquisition_get_imported_by (self));
  add_string (builder, "origin_site", tm_acquisition_get_origin_site (self));
  add_string (builder, "firearm_make", tm_acquisition_get_firearm_make (self));
  add_string (builder, "firearm_model", tm_acquisition_get_firearm_model (self));
  add_string (builder, "firearm_serial", tm_acquisition_get_firearm_serial (self));
  add_string (builder, "incident_date", tm_acquisition_get_incident_date (self));
  add_string (builder, "offense", tm_acquisition_get_offense (self));
  add_string (builder, "location", tm_acquisition_get_location (self));
  add_string (builder, "case_uuid", tm_acquisition_get_case_uuid (self));
  add_string (builder, "exhibit_uuid", tm_acquisition_get_exhibit_uuid (self));

  /* The source metadata is stored as JSON text by the store; embed it as an object. */
  meta = tm_acquisition_get_source_meta (self);
  if (meta != NULL)
    source = json_from_string (meta, NULL);
  json_builder_set_member_name (builder, "source");
  if (source != NULL && JSON_NODE_HOLDS_OBJECT (source))
    json_builder_add_value (builder, g_steal_pointer (&source));
  else
    {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
