/* tm-candidate-item.c — one candidate of a correlation run, as a list item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The candidate list is a GListModel of these: GtkColumnView cells bind to the
 * properties, so a decision that changes review-state redraws its row in place.
 */
#define G_LOG_DOMAIN "tm-candidate-item"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "tm-candidate-item.h"
#include "tm-knm-reference.h"

struct _TmCandidateItem
{
  GObject  parent_instance;

  TmCandidate candidate;
  char    *case_number;
  char    *exhibit;
  char    *kind;
};

enum {
  PROP_0,
  PROP_ACQUISITION_ID,
  PROP_FILE,
  PROP_CASE_NUMBER,
  PROP_EXHIBIT,
  PROP_KIND,
  PROP_RANK,
  PROP_SCORE,
  PROP_RANK_BREECH_FACE,
  PROP_FIRING_PIN,
  PROP_RANK_FIRING_PIN,
  PROP_CMC,
  PROP_CMC_A_TO_B,
  PROP_CMC_B_TO_A,
  PROP_ACCF,
  PROP_ANGLE_DEG,
  PROP_DX_UM,
  PROP_DY_UM,
  PROP_P_KNM,
  PROP_KNM_N,
  PROP_UNUSUALNESS,
  PROP_UNUSUALNESS_REFERENCE,
  PROP_REVIEW_STATE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmCandidateItem, tm_candidate_item, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tm_candidate_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TmCandidateItem *self = TM_CANDIDATE_ITEM (object);
  const TmCandidate *c = &self->candidate;

  switch (prop_id)
    {
    case PROP_ACQUISITION_ID:
      g_value_set_int64 (value, c->acquisition_id);
      break;
    case PROP_FILE:
      g_value_set_string (value, c->file);
      break;
    case PROP_CASE_NUMBER:
      g_value_set_string (value, self->case_number);
      break;
    case PROP_EXHIBIT:
      g_value_set_string (value, self->exhibit);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_RANK:
      g_value_set_uint (value, c->rank);
      break;
    case PROP_SCORE:
      g_value_set_double (value, c->score);
      break;
    case PROP_RANK_BREECH_FACE:
      g_value_set_uint (value, c->rank_breech_face);
      break;
    case PROP_FIRING_PIN:
      g_value_set_double (value, c->firing_pin);
      break;
    case PROP_RANK_FIRING_PIN:
      g_value_set_uint (value, c->rank_firing_pin);
      break;
    case PROP_CMC:
      g_value_set_uint (value, MIN (c->cmc_a_to_b, c->cmc_b_to_a));
      break;
    case PROP_CMC_A_TO_B:
      g_value_set_uint (value, c->cmc_a_to_b);
      break;
    case PROP_CMC_B_TO_A:
      g_value_set_uint (value, c->cmc_b_to_a);
      break;
    case PROP_ACCF:
      g_value_set_double (value, c->accf);
      break;
    case PROP_ANGLE_DEG:
      g_value_set_double (value, c->angle_deg);
      break;
    case PROP_DX_UM:
      g_value_set_double (value, c->dx_um);
      break;
    case PROP_DY_UM:
      g_value_set_double (value, c->dy_um);
      break;
    case PROP_P_KNM:
      g_value_set_double (value, c->p_knm);
      break;
    case PROP_KNM_N:
      g_value_set_uint (value, c->knm_n);
      break;
    case PROP_UNUSUALNESS:
      g_value_take_string (value, tm_knm_format_unusualness (c->p_knm, c->knm_n));
      break;
    case PROP_UNUSUALNESS_REFERENCE:
      g_value_take_string (value, tm_knm_describe_unusualness (c->knm_source, c->knm_n,
                                                               c->knm_per_calibre, c->p_knm_model));
      break;
    case PROP_REVIEW_STATE:
      g_value_set_string (value, c->review_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_candidate_item_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TmCandidateItem *self = TM_CANDIDATE_ITEM (object);

  switch (prop_id)
    {
    case PROP_REVIEW_STATE:
      tm_candidate_item_set_review_state (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_candidate_item_finalize (GObject *object)
{
  TmCandidateItem *self = TM_CANDIDATE_ITEM (object);

  tm_candidate_clear (&self->candidate);
  g_clear_pointer (&self->case_number, g_free);
  g_clear_pointer (&self->exhibit, g_free);
  g_clear_pointer (&self->kind, g_free);

  G_OBJECT_CLASS (tm_candidate_item_parent_class)->finalize (object);
}

static GParamSpec *
ro_uint (const char *name)
{
  return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, 0,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
ro_double (const char *name)
{
  return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
ro_string (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
tm_candidate_item_class_init (TmCandidateItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tm_candidate_item_finalize;
  object_class->get_property = tm_candidate_item_get_property;
  object_class->set_property = tm_candidate_item_set_property;

  properties[PROP_ACQUISITION_ID] =
    g_param_spec_int64 ("acquisition-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE] = ro_string ("file");
  properties[PROP_CASE_NUMBER] = ro_string ("case-number");
  properties[PROP_EXHIBIT] = ro_string ("exhibit");
  properties[PROP_KIND] = ro_string ("kind");
  properties[PROP_RANK] = ro_uint ("rank");
  properties[PROP_SCORE] = ro_double ("score");
  properties[PROP_RANK_BREECH_FACE] = ro_uint ("rank-breech-face");
  properties[PROP_FIRING_PIN] = ro_double ("firing-pin");
  properties[PROP_RANK_FIRING_PIN] = ro_uint ("rank-firing-pin");
  properties[PROP_CMC] = ro_uint ("cmc");
  properties[PROP_CMC_A_TO_B] = ro_uint ("cmc-a-to-b");
  properties[PROP_CMC_B_TO_A] = ro_uint ("cmc-b-to-a");
  properties[PROP_ACCF] = ro_double ("accf");
  properties[PROP_ANGLE_DEG] = ro_double ("angle-deg");
  properties[PROP_DX_UM] = ro_double ("dx-um");
  properties[PROP_DY_UM] = ro_double ("dy-um");
  properties[PROP_P_KNM] = ro_double ("p-knm");
  properties[PROP_KNM_N] = ro_uint ("knm-n");
  properties[PROP_UNUSUALNESS] = ro_string ("unusualness");
  properties[PROP_UNUSUALNESS_REFERENCE] = ro_string ("unusualness-reference");
  properties[PROP_REVIEW_STATE] =
    g_param_spec_string ("review-state", NULL, NULL, "unreviewed",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_candidate_item_init (TmCandidateItem *self)
{
}

/**
 * tm_candidate_item_new:
 * @candidate: copied
 * @acquisition: (nullable): the candidate acquisition, for its case and exhibit
 */
TmCandidateItem *
tm_candidate_item_new (const TmCandidate *candidate,
                       TmAcquisition     *acquisition)
{
  TmCandidateItem *self;

  g_return_val_if_fail (candidate != NULL, NULL);

  self = g_object_new (TM_TYPE_CANDIDATE_ITEM, NULL);
  self->candidate = *candidate;
  self->candidate.file = g_strdup (candidate->file);
  self->candidate.review_state = g_strdup (candidate->review_state ? candidate->review_state
                                                                    : "unreviewed");
  if (acquisition != NULL)
    {
      self->case_number = g_strdup (tm_acquisition_get_case_number (acquisition));
      self->exhibit = g_strdup (tm_acquisition_get_exhibit (acquisition));
      self->kind = g_strdup (tm_acquisition_get_kind (acquisition));
    }
  return self;
}

gint64
tm_candidate_item_get_acquisition_id (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), 0);
  return self->candidate.acquisition_id;
}

const char *
tm_candidate_item_get_file (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NULL);
  return self->candidate.file;
}

const char *
tm_candidate_item_get_case_number (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NULL);
  return self->case_number;
}

const char *
tm_candidate_item_get_exhibit (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NULL);
  return self->exhibit;
}

guint
tm_candidate_item_get_rank (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), 0);
  return self->candidate.rank;
}

double
tm_candidate_item_get_score (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NAN);
  return self->candidate.score;
}

double
tm_candidate_item_get_p_knm (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NAN);
  return self->candidate.p_knm;
}

const char *
tm_candidate_item_get_review_state (TmCandidateItem *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_ITEM (self), NULL);
  return self->candidate.review_state;
}

void
tm_candidate_item_set_review_state (TmCandidateItem *self,
                                    const char      *state)
{
  g_return_if_fail (TM_IS_CANDIDATE_ITEM (self));
  g_return_if_fail (state != NULL);

  if (g_strcmp0 (self->candidate.review_state, state) == 0)
    return;
  g_free (self->candidate.review_state);
  self->candidate.review_state = g_strdup (state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEW_STATE]);
}

char *
tm_format_unusualness (double p)
{
  /* without the size of the reference a floor cannot be told from an estimate */
  return tm_knm_format_unusualness (p, 0);
}
