/* tm-hit-item.c — a hit as a GObject for the hits list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TmHit is a plain struct (the core is read by the CLI too); the column view binds
 * cells to GObject properties, so this wraps one read-only.
 */
#define G_LOG_DOMAIN "tm-hit-item"

#include "config.h"

#include "tm-hit-item.h"

struct _TmHitItem
{
  GObject  parent_instance;

  TmHit   *hit;
  char    *cases;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_LEAD_ID,
  PROP_CASES,
  PROP_EXAMINER,
  PROP_CONFIRMED_AT,
  PROP_N_HITS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmHitItem, tm_hit_item, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tm_hit_item_finalize (GObject *object)
{
  TmHitItem *self = TM_HIT_ITEM (object);

  g_clear_pointer (&self->hit, tm_hit_free);
  g_free (self->cases);

  G_OBJECT_CLASS (tm_hit_item_parent_class)->finalize (object);
}

static void
tm_hit_item_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TmHitItem *self = TM_HIT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->hit->id);
      break;
    case PROP_LEAD_ID:
      g_value_set_int64 (value, self->hit->lead_id);
      break;
    case PROP_CASES:
      g_value_set_string (value, self->cases);
      break;
    case PROP_EXAMINER:
      g_value_set_string (value, self->hit->examiner);
      break;
    case PROP_CONFIRMED_AT:
      g_value_set_string (value, self->hit->confirmed_at);
      break;
    case PROP_N_HITS:
      g_value_set_uint (value, self->hit->n_hits);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_hit_item_class_init (TmHitItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tm_hit_item_finalize;
  object_class->get_property = tm_hit_item_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LEAD_ID] = g_param_spec_int64 ("lead-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CASES] = g_param_spec_string ("cases", NULL, NULL, NULL, flags);
  properties[PROP_EXAMINER] = g_param_spec_string ("examiner", NULL, NULL, NULL, flags);
  properties[PROP_CONFIRMED_AT] = g_param_spec_string ("confirmed-at", NULL, NULL, NULL, flags);
  properties[PROP_N_HITS] = g_param_spec_uint ("n-hits", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_hit_item_init (TmHitItem *self)
{
}

TmHitItem *
tm_hit_item_new (TmHit *hit)
{
  TmHitItem *self;

  g_return_val_if_fail (hit != NULL, NULL);

  self = g_object_new (TM_TYPE_HIT_ITEM, NULL);
  self->hit = hit;
  self->cases = hit->case_numbers != NULL ? g_strjoinv (", ", hit->case_numbers) : g_strdup ("");
  return self;
}

const TmHit *
tm_hit_item_get_hit (TmHitItem *self)
{
  g_return_val_if_fail (TM_IS_HIT_ITEM (self), NULL);

  return self->hit;
}

gint64
tm_hit_item_get_id (TmHitItem *self)
{
  g_return_val_if_fail (TM_IS_HIT_ITEM (self), 0);

  return self->hit->id;
}

gint64
tm_hit_item_get_lead_id (TmHitItem *self)
{
  g_return_val_if_fail (TM_IS_HIT_ITEM (self), 0);

  return self->hit->lead_id;
}

const char *
tm_hit_item_get_cases (TmHitItem *self)
{
  g_return_val_if_fail (TM_IS_HIT_ITEM (self), NULL);

  return self->cases;
}

guint
tm_hit_item_get_n_hits (TmHitItem *self)
{
  g_return_val_if_fail (TM_IS_HIT_ITEM (self), 0);

  return self->hit->n_hits;
}
