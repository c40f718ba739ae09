/* tm-correlation-run.c — one search of a query against the database, with its candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain result object: tm-search fills it, tm-store saves and loads it, the CLI and
 * the review screen read it. The counts are kept beside the candidates so that whoever
 * shows the list can say how much of the database it stands for.
 */
#define G_LOG_DOMAIN "tm-correlation-run"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tm-correlation-run.h"

struct _TmCorrelationRun
{
  GObject      parent_instance;

  gint64       id;
  gint64       query_id;
  char        *query_file;
  char        *user;
  char        *filters;
  char        *parameters;
  guint        n_filtered;
  guint        n_prescored;
  guint        n_full;
  guint        n_unprocessed;
  GArray      *timings;     /* Timing, in the order first set */
  char        *started_at;
  char        *finished_at;
  TmCorrelationRunStatus status;
  GArray      *candidates;  /* TmCandidate */
};

typedef struct
{
  char   *stage;
  double  seconds;
} Timing;

G_DEFINE_FINAL_TYPE (TmCorrelationRun, tm_correlation_run, G_TYPE_OBJECT)

void
tm_candidate_clear (TmCandidate *candidate)
{
  g_clear_pointer (&candidate->file, g_free);
  g_clear_pointer (&candidate->review_state, g_free);
  g_clear_pointer (&candidate->microstamp, g_free);
}

const char *
tm_knm_source_to_string (TmKnmSource source)
{
  switch (source)
    {
    case TM_KNM_SOURCE_RUN:
      return "run";
    case TM_KNM_SOURCE_DATABASE:
      return "database";
    case TM_KNM_SOURCE_NONE:
    default:
      return NULL;
    }
}

TmKnmSource
tm_knm_source_from_string (const char *text)
{
  if (g_strcmp0 (text, "run") == 0)
    return TM_KNM_SOURCE_RUN;
  if (g_strcmp0 (text, "database") == 0)
    return TM_KNM_SOURCE_DATABASE;
  return TM_KNM_SOURCE_NONE;
}

const char *
tm_correlation_run_status_to_string (TmCorrelationRunStatus status)
{
  switch (status)
    {
    case TM_CORRELATION_RUN_COMPLETE:
      return "complete";
    case TM_CORRELATION_RUN_CANCELLED:
      return "cancelled";
    default:
      g_return_val_if_reached ("complete");
    }
}

static void
clear_timing (gpointer data)
{
  Timing *t = data;

  g_free (t->stage);
}

static void
tm_correlation_run_finalize (GObject *object)
{
  TmCorrelationRun *self = (TmCorrelationRun *)object;

  g_clear_pointer (&self->query_file, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->filters, g_free);
  g_clear_pointer (&self->parameters, g_free);
  g_clear_pointer (&self->timings, g_array_unref);
  g_clear_pointer (&self->started_at, g_free);
  g_clear_pointer (&self->finished_at, g_free);
  g_clear_pointer (&self->candidates, g_array_unref);

  G_OBJECT_CLASS (tm_correlation_run_parent_class)->finalize (object);
}

static void
tm_correlation_run_class_init (TmCorrelationRunClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tm_correlation_run_finalize;
}

static void
tm_correlation_run_init (TmCorrelationRun *self)
{
  self->timings = g_array_new (FALSE, TRUE, sizeof (Timing));
  g_array_set_clear_func (self->timings, clear_timing);
  self->candidates = g_array_new (FALSE, TRUE, sizeof (TmCandidate));
  g_array_set_clear_func (self->candidates, (GDestroyNotify)tm_candidate_clear);
  self->filters = g_strdup ("{}");
  self->parameters = g_strdup ("{}");
}

TmCorrelationRun *
tm_correlation_run_new (gint64      query_id,
                        const char *query_file)
{
  TmCorrelationRun *self = g_object_new (TM_TYPE_CORRELATION_RUN, NULL);

  self->query_id = query_id;
  self->query_file = g_strdup (query_file);
  return self;
}

gint64
tm_correlation_run_get_id (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), 0);
  return self->id;
}

void
tm_correlation_run_set_id (TmCorrelationRun *self,
                           gint64            id)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  self->id = id;
}

gint64
tm_correlation_run_get_query_id (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), 0);
  return self->query_id;
}

const char *
tm_correlation_run_get_query_file (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->query_file;
}

const char *
tm_correlation_run_get_user (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->user;
}

void
tm_correlation_run_set_user (TmCorrelationRun *self,
                             const char       *user)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_free (self->user);
  self->user = g_strdup (user);
}

const char *
tm_correlation_run_get_filters (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->filters;
}

void
tm_correlation_run_set_filters (TmCorrelationRun *self,
                                const char       *json)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_free (self->filters);
  self->filters = g_strdup (json ? json : "{}");
}

const char *
tm_correlation_run_get_parameters (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->parameters;
}

void
tm_correlation_run_set_parameters (TmCorrelationRun *self,
                                   const char       *json)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_free (self->parameters);
  self->parameters = g_strdup (json ? json : "{}");
}

void
tm_correlation_run_set_counts (TmCorrelationRun *self,
                               guint             filtered,
                               guint             prescored,
                               guint             full,
                               guint             unprocessed)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  self->n_filtered = filtered;
  self->n_prescored = prescored;
  self->n_full = full;
  self->n_unprocessed = unprocessed;
}

void
tm_correlation_run_get_counts (TmCorrelationRun *self,
                               guint            *filtered,
                               guint            *prescored,
                               guint            *full,
                               guint            *unprocessed)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  if (filtered)
    *filtered = self->n_filtered;
  if (prescored)
    *prescored = self->n_prescored;
  if (full)
    *full = self->n_full;
  if (unprocessed)
    *unprocessed = self->n_unprocessed;
}

void
tm_correlation_run_set_timing (TmCorrelationRun *self,
                               const char       *stage,
                               double            seconds)
{
  Timing t;

  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_return_if_fail (stage != NULL);

  for (guint i = 0; i < self->timings->len; i++)
    {
      Timing *old = &g_array_index (self->timings, Timing, i);

      if (g_str_equal (old->stage, stage))
        {
          old->seconds = seconds;
          return;
        }
    }
  t.stage = g_strdup (stage);
  t.seconds = seconds;
  g_array_append_val (self->timings, t);
}

double
tm_correlation_run_get_timing (TmCorrelationRun *self,
                               const char       *stage)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NAN);

  for (guint i = 0; i < self->timings->len; i++)
    {
      Timing *t = &g_array_index (self->timings, Timing, i);

      if (g_str_equal (t->stage, stage))
        return t->seconds;
    }
  return NAN;
}

static JsonNode *
timings_to_node (TmCorrelationRun *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; i < self->timings->len; i++)
    {
      Timing *t = &g_array_index (self->timings, Timing, i);

      json_builder_set_member_name (b, t->stage);
      json_builder_add_double_value (b, t->seconds);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
tm_correlation_run_timings_to_json (TmCorrelationRun *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  node = timings_to_node (self);
  return json_to_string (node, FALSE);
}

const char *
tm_correlation_run_get_started_at (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->started_at;
}

const char *
tm_correlation_run_get_finished_at (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->finished_at;
}

void
tm_correlation_run_set_times (TmCorrelationRun *self,
                              const char       *started_at,
                              const char       *finished_at)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_free (self->started_at);
  g_free (self->finished_at);
  self->started_at = g_strdup (started_at);
  self->finished_at = g_strdup (finished_at);
}

TmCorrelationRunStatus
tm_correlation_run_get_status (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), TM_CORRELATION_RUN_COMPLETE);
  return self->status;
}

void
tm_correlation_run_set_status (TmCorrelationRun       *self,
                               TmCorrelationRunStatus  status)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  self->status = status;
}

GArray *
tm_correlation_run_get_candidates (TmCorrelationRun *self)
{
  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);
  return self->candidates;
}

void
tm_correlation_run_add_candidate (TmCorrelationRun *self,
                                  TmCandidate      *candidate)
{
  g_return_if_fail (TM_IS_CORRELATION_RUN (self));
  g_return_if_fail (candidate != NULL);

  if (candidate->review_state == NULL)
    candidate->review_state = g_strdup ("unreviewed");
  g_array_append_vals (self->candidates, candidate, 1);
  memset (candidate, 0, sizeof *candidate);
}

static void
add_number_or_null (JsonBuilder *b,
                    const char  *name,
                    double       value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
tm_candidate_scores_to_json (const TmCandidate *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  /* The breech-face score is the combined CMC count itself; "cmc" gives both
   * directions so a reviewer can see an asymmetric result. */
  add_number_or_null (b, "breech_face", (c->cmc_a_to_b + c->cmc_b_to_a) / 2.0);
  add_number_or_null (b, "firing_pin", c->firing_pin);
  add_number_or_null (b, "accf", c->accf);
  json_builder_set_member_name (b, "cmc");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "query_to_candidate");
  json_builder_add_int_value (b, c->cmc_a_to_b);
  json_builder_set_member_name (b, "candidate_to_query");
  json_builder_add_int_value (b, c->cmc_b_to_a);
  json_builder_end_object (b);
  add_number_or_null (b, "prescore", c->prescore);
  add_number_or_null (b, "p_knm", c->p_knm);
  add_number_or_null (b, "p_knm_model", c->p_knm_model);
  /* Which non-matches p_knm counts against, so that a reader can say "1 in 19 of this
   * run's own candidates" rather than quote it as a database-wide rate. */
  json_builder_set_member_name (b, "knm_source");
  if (tm_knm_source_to_string (c->knm_source) != NULL)
    json_builder_add_string_value (b, tm_knm_source_to_string (c->knm_source));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "knm_n");
  json_builder_add_int_value (b, c->knm_n);
  json_builder_set_member_name (b, "knm_per_calibre");
  json_builder_add_boolean_value (b, c->knm_per_calibre);
  /* zero-initialised candidates (microstamp-only, tests) have no firing-pin reference */
  add_number_or_null (b, "p_knm_firing_pin", c->knm_source_firing_pin != TM_KNM_SOURCE_NONE
                                             ? c->p_knm_firing_pin : NAN);
  json_builder_set_member_name (b, "knm_source_firing_pin");
  if (tm_knm_source_to_string (c->knm_source_firing_pin) != NULL)
    json_builder_add_string_value (b, tm_knm_source_to_string (c->knm_source_firing_pin));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "knm_n_firing_pin");
  json_builder_add_int_value (b, c->knm_n_firing_pin);
  if (c->microstamp != NULL)
    {
      json_builder_set_member_name (b, "microstamp");
      json_builder_add_string_value (b, c->microstamp);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
tm_candidate_ranks_to_json (const TmCandidate *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "breech_face");
  json_builder_add_int_value (b, c->rank_breech_face);
  json_builder_set_member_name (b, "firing_pin");
  if (c->rank_firing_pin > 0)
    json_builder_add_int_value (b, c->rank_firing_pin);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "combined");
  json_builder_add_int_value (b, c->rank);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
tm_candidate_set_from_json (TmCandidate *c,
                            JsonObject  *scores)
{
  JsonNode *m;

  g_return_if_fail (c != NULL);

  c->firing_pin = NAN;
  c->rank_firing_pin = 0;
  c->knm_source = c->knm_source_firing_pin = TM_KNM_SOURCE_NONE;
  c->knm_n = c->knm_n_firing_pin = 0;
  c->knm_per_calibre = FALSE;
  c->p_knm_firing_pin = NAN;
  if (scores == NULL)
    return;
  m = json_object_get_member (scores, "knm_source");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
    c->knm_source = tm_knm_source_from_string (json_node_get_string (m));
  m = json_object_get_member (scores, "knm_n");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
    c->knm_n = (guint)json_node_get_int (m);
  m = json_object_get_member (scores, "knm_per_calibre");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
    c->knm_per_calibre = json_node_get_boolean (m);
  m = json_object_get_member (scores, "p_knm_firing_pin");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
    c->p_knm_firing_pin = json_node_get_double (m);
  m = json_object_get_member (scores, "knm_source_firing_pin");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
    c->knm_source_firing_pin = tm_knm_source_from_string (json_node_get_string (m));
  m = json_object_get_member (scores, "knm_n_firing_pin");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
    c->knm_n_firing_pin = (guint)json_node_get_int (m);
  /* Runs saved before the source was recorded measured against their own bulk. */
  if (c->knm_source == TM_KNM_SOURCE_NONE && json_object_has_member (scores, "p_knm") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (scores, "p_knm")))
    c->knm_source = TM_KNM_SOURCE_RUN;
  m = json_object_get_member (scores, "firing_pin");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m))
    c->firing_pin = json_node_get_double (m);
  m = json_object_get_member (scores, "microstamp");
  if (m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
    {
      g_free (c->microstamp);
      c->microstamp = g_strdup (json_node_get_string (m));
    }
  m = json_object_get_member (scores, "ranks");
  if (m != NULL && JSON_NODE_HOLDS_OBJECT (m))
    {
      JsonObject *r = json_node_get_object (m);
      JsonNode *v = json_object_get_member (r, "breech_face");

      if (v != NULL && JSON_NODE_HOLDS_VALUE (v))
        c->rank_breech_face = (guint)json_node_get_int (v);
      v = json_object_get_member (r, "firing_pin");
      if (v != NULL && JSON_NODE_HOLDS_VALUE (v))
        c->rank_firing_pin = (guint)json_node_get_int (v);
    }
}

JsonNode *
tm_correlation_run_to_json (TmCorrelationRun *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) filters = NULL;
  g_autoptr(JsonNode) parameters = NULL;

  g_return_val_if_fail (TM_IS_CORRELATION_RUN (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "query");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, self->query_id);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, self->query_file);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "filtered");
  json_builder_add_int_value (b, self->n_filtered);
  json_builder_set_member_name (b, "prescored");
  json_builder_add_int_value (b, self->n_prescored);
  json_builder_set_member_name (b, "full");
  json_builder_add_int_value (b, self->n_full);
  json_builder_set_member_name (b, "unprocessed");
  json_builder_add_int_value (b, self->n_unprocessed);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->candidates->len; i++)
    {
      const TmCandidate *c = &g_array_index (self->candidates, TmCandidate, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, c->acquisition_id);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, c->file);
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, c->rank);
      add_number_or_null (b, "score", c->score);
      json_builder_set_member_name (b, "scores");
      json_builder_add_value (b, tm_candidate_scores_to_json (c));
      json_builder_set_member_name (b, "ranks");
      json_builder_add_value (b, tm_candidate_ranks_to_json (c));
      add_number_or_null (b, "angle_deg", c->angle_deg);
      add_number_or_null (b, "dx_um", c->dx_um);
      add_number_or_null (b, "dy_um", c->dy_um);
      json_builder_set_member_name (b, "review_state");
      json_builder_add_string_value (b, c->review_state);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, self->id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, tm_correlation_run_status_to_string (self->status));
  json_builder_set_member_name (b, "user");
  json_builder_add_string_value (b, self->user);
  json_builder_set_member_name (b, "started_at");
  json_builder_add_string_value (b, self->started_at);
  json_builder_set_member_name (b, "finished_at");
  json_builder_add_string_value (b, self->finished_at);
  filters = json_from_string (self->filters, NULL);
  parameters = json_from_string (self->parameters, NULL);
  json_builder_set_member_name (b, "filters");
  json_builder_add_value (b, filters ? json_node_copy (filters) : json_node_new (JSON_NODE_NULL));
  json_builder_set_member_name (b, "parameters");
  json_builder_add_value (b, parameters ? json_node_copy (parameters) : json_node_new (JSON_NODE_NULL));
  json_builder_set_member_name (b, "timings");
  json_builder_add_value (b, timings_to_node (self));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
