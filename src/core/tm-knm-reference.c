/* tm-knm-reference.c — the database's known non-match scores, the reference of unusualness
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tai & Eddy (2018) measure a score against the known non-match distribution of the
 * database. One search's own lower-ranked candidates are a poor stand-in: with the
 * usual top 20 fully scored there are 18 of them, so the rarest event the run can show
 * is "1 in 19" — a true mate with 20 congruent cells against non-matches of 0–4 would
 * read like a 5 % chance. Every stored run adds its bulk and its dismissed candidates
 * to this reference, so it grows with the work done on the database.
 */
#define G_LOG_DOMAIN "tm-knm-reference"

#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>

#include "tm-knm-reference.h"
#include "tm-store-private.h"

typedef struct
{
  gint64  lo, hi;       /* the unordered pair of acquisitions */
  double  score;
  GQuark  modality;
  GQuark  calibre;      /* 0 unless both have the same calibre */
  GQuark  params_key;
} Pair;

struct _TmKnmReference
{
  GArray *pairs[2];     /* Pair, per TmKnmRegion */
  char   *stamp;        /* what tm_knm_reference_get compares to find it stale */
};

#define CACHE_KEY "tm-knm-reference"

static void
reference_free (TmKnmReference *self)
{
  g_clear_pointer (&self->pairs[0], g_array_unref);
  g_clear_pointer (&self->pairs[1], g_array_unref);
  g_clear_pointer (&self->stamp, g_free);
}

TmKnmReference *
tm_knm_reference_ref (TmKnmReference *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
tm_knm_reference_unref (TmKnmReference *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, (GDestroyNotify)reference_free);
}

gsize
tm_knm_reference_get_n_pairs (TmKnmReference *self,
                              TmKnmRegion     region)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (region <= TM_KNM_REGION_FIRING_PIN, 0);
  return self->pairs[region]->len;
}

static double
member_double (JsonObject *o,
               const char *name)
{
  JsonNode *m = o != NULL ? json_object_get_member (o, name) : NULL;

  return m != NULL && JSON_NODE_HOLDS_VALUE (m) ? json_node_get_double (m) : NAN;
}

char *
tm_knm_reference_params_key (const char *parameters_json)
{
  g_autoptr(JsonNode) node = parameters_json ? json_from_string (parameters_json, NULL) : NULL;
  JsonObject *o = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  char buf[5][G_ASCII_DTOSTR_BUF_SIZE];

  /* Only what changes the full comparison's score: "top" and the signature version
   * choose which candidates are scored, not what they score. */
  return g_strjoin ("/",
                    g_ascii_formatd (buf[0], sizeof buf[0], "%g", member_double (o, "cmc_t_ccf")),
                    g_ascii_formatd (buf[1], sizeof buf[1], "%g", member_double (o, "cmc_t_theta_deg")),
                    g_ascii_formatd (buf[2], sizeof buf[2], "%g", member_double (o, "cmc_t_xy_um")),
                    g_ascii_formatd (buf[3], sizeof buf[3], "%g", member_double (o, "cmc_grid_cells")),
                    g_ascii_formatd (buf[4], sizeof buf[4], "%g",
                                     member_double (o, "registration_angle_range_deg")),
                    NULL);
}

/* Changes whenever a run is saved or deleted, a candidate decided or a lead extended:
 * all cheap lookups of the last row id, and a count of the (few) runs for deletions. */
static char *
read_stamp (TmStore  *store,
            GError  **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT (SELECT max (id) FROM correlation_runs), (SELECT count (*) FROM correlation_runs),"
    " (SELECT max (id) FROM candidate_decisions), (SELECT max (rowid) FROM lead_members)", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the state of the correlation runs");
      return NULL;
    }
  return g_strdup_printf ("%lld/%lld/%lld/%lld",
                          (long long)sqlite3_column_int64 (stmt, 0),
                          (long long)sqlite3_column_int64 (stmt, 1),
                          (long long)sqlite3_column_int64 (stmt, 2),
                          (long long)sqlite3_column_int64 (stmt, 3));
}

static void
add_pair (GArray     *pairs,
          GHashTable *index,
          const Pair *pair)
{
  gint64 *key = g_new (gint64, 2);
  gpointer at;

  key[0] = pair->lo;
  key[1] = pair->hi;
  /* rows come in run order: a later run replaces an earlier score of the same pair */
  if (g_hash_table_lookup_extended (index, key, NULL, &at))
    {
      g_array_index (pairs, Pair, GPOINTER_TO_UINT (at)) = *pair;
      g_free (key);
      return;
    }
  g_hash_table_insert (index, key, GUINT_TO_POINTER (pairs->len));
  g_array_append_val (pairs, *pair);
}

static guint
pair_hash (gconstpointer v)
{
  const gint64 *k = v;

  return g_int64_hash (&k[0]) * 31 + g_int64_hash (&k[1]);
}

static gboolean
pair_equal (gconstpointer a,
            gconstpointer b)
{
  const gint64 *x = a, *y = b;

  return x[0] == y[0] && x[1] == y[1];
}

static TmKnmReference *
load (TmStore     *store,
      const char  *stamp,
      GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(GHashTable) index_bf = g_hash_table_new_full (pair_hash, pair_equal, g_free, NULL);
  g_autoptr(GHashTable) index_fp = g_hash_table_new_full (pair_hash, pair_equal, g_free, NULL);
  TmKnmReference *self;
  gint64 last_run = -1;
  GQuark params_key = 0;
  int rc;

  /* Ranks and counts are taken over each run's scored candidates as the search took
   * them (tm_search_rank_candidates: n includes comparisons that failed), the
   * exclusions after. */
  stmt = tm_store_prepare (store,
    "WITH k AS ("
    "  SELECT k.run_id, r.query_acquisition_id AS q, k.acquisition_id AS c, k.score,"
    "         json_extract (k.scores, '$.firing_pin') AS fp, k.review_state, k.scores,"
    "         row_number () OVER (PARTITION BY k.run_id ORDER BY k.score DESC, k.acquisition_id) AS rank_bf,"
    "         count (*) OVER (PARTITION BY k.run_id) AS n_bf,"
    "         row_number () OVER (PARTITION BY k.run_id ORDER BY json_extract (k.scores, '$.firing_pin') IS NULL,"
    "                             json_extract (k.scores, '$.firing_pin') DESC, k.acquisition_id) AS rank_fp,"
    "         count (json_extract (k.scores, '$.firing_pin')) OVER (PARTITION BY k.run_id) AS n_fp,"
    "         r.parameters"
    "    FROM candidates k JOIN correlation_runs r ON r.id = k.run_id"
    "   WHERE k.score IS NOT NULL)"
    " SELECT k.run_id, k.q, k.c, k.score, k.fp, k.review_state = 'dismissed', k.rank_bf, k.n_bf,"
    "        k.rank_fp, k.n_fp, k.parameters, qa.modality,"
    "        CASE WHEN qa.calibre = ca.calibre THEN qa.calibre END"
    "   FROM k JOIN acquisitions qa ON qa.id = k.q JOIN acquisitions ca ON ca.id = k.c"
    "  WHERE k.score >= 0 AND k.review_state <> 'lead'"
    "    AND json_extract (k.scores, '$.microstamp') IS NULL"
    "    AND NOT EXISTS (SELECT 1 FROM lead_members m1 JOIN lead_members m2 ON m2.lead_id = m1.lead_id"
    "                     WHERE m1.acquisition_id = k.q AND m2.acquisition_id = k.c)"
    "  ORDER BY k.run_id", error);
  if (stmt == NULL)
    return NULL;

  self = g_atomic_rc_box_new0 (TmKnmReference);
  self->pairs[TM_KNM_REGION_BREECH_FACE] = g_array_new (FALSE, FALSE, sizeof (Pair));
  self->pairs[TM_KNM_REGION_FIRING_PIN] = g_array_new (FALSE, FALSE, sizeof (Pair));
  self->stamp = g_strdup (stamp);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 run = sqlite3_column_int64 (stmt, 0);
      gint64 q = sqlite3_column_int64 (stmt, 1), c = sqlite3_column_int64 (stmt, 2);
      gboolean dismissed = sqlite3_column_int (stmt, 5) != 0;
      gint64 rank_bf = sqlite3_column_int64 (stmt, 6), n_bf = sqlite3_column_int64 (stmt, 7);
      gint64 rank_fp = sqlite3_column_int64 (stmt, 8), n_fp = sqlite3_column_int64 (stmt, 9);
      const char *calibre = tm_stmt_column_text (stmt, 12);
      Pair pair;

      if (run != last_run)
        {
          g_autofree char *key = tm_knm_reference_params_key (tm_stmt_column_text (stmt, 10));

          params_key = g_quark_from_string (key);
          last_run = run;
        }
      pair.lo = MIN (q, c);
      pair.hi = MAX (q, c);
      pair.modality = g_quark_from_string (tm_stmt_column_text (stmt, 11));
      pair.calibre = calibre != NULL ? g_quark_from_string (calibre) : 0;
      pair.params_key = params_key;

      /* A reviewer's dismissal is a judgement whatever the rank; otherwise only the
       * bulk, where the run's mates are not (but for a firearm with more shots in the
       * scope than max(2, n/10), which makes the reference err on the cautious side). */
      if (dismissed || rank_bf > MAX (2, n_bf / 10))
        {
          pair.score = sqlite3_column_double (stmt, 3);
          add_pair (self->pairs[TM_KNM_REGION_BREECH_FACE], index_bf, &pair);
        }
      if (sqlite3_column_type (stmt, 4) != SQLITE_NULL && (dismissed || rank_fp > MAX (2, n_fp / 10)))
        {
          pair.score = sqlite3_column_double (stmt, 4);
          add_pair (self->pairs[TM_KNM_REGION_FIRING_PIN], index_fp, &pair);
        }
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the known non-match scores of the stored runs");
      tm_knm_reference_unref (self);
      return NULL;
    }
  g_debug ("known non-match reference: %u breech-face and %u firing-pin pairs",
           self->pairs[0]->len, self->pairs[1]->len);
  return self;
}

TmKnmReference *
tm_knm_reference_get (TmStore  *store,
                      GError  **error)
{
  g_autofree char *stamp = NULL;
  TmKnmReference *cached, *fresh;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stamp = read_stamp (store, error);
  if (stamp == NULL)
    return NULL;
  cached = g_object_get_data (G_OBJECT (store), CACHE_KEY);
  if (cached != NULL && g_strcmp0 (cached->stamp, stamp) == 0)
    return tm_knm_reference_ref (cached);
  fresh = load (store, stamp, error);
  if (fresh == NULL)
    return NULL;
  g_object_set_data_full (G_OBJECT (store), CACHE_KEY, tm_knm_reference_ref (fresh),
                          (GDestroyNotify)tm_knm_reference_unref);
  return fresh;
}

GArray *
tm_knm_reference_select (TmKnmReference *self,
                         TmKnmRegion     region,
                         gint64          query_id,
                         const char     *modality,
                         const char     *calibre,
                         const char     *params_key,
                         gboolean       *per_calibre)
{
  GArray *pairs, *all, *same_calibre;
  GQuark want_modality, want_calibre, want_key;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (region <= TM_KNM_REGION_FIRING_PIN, NULL);
  g_return_val_if_fail (modality != NULL, NULL);

  pairs = self->pairs[region];
  want_modality = g_quark_try_string (modality);
  want_calibre = calibre != NULL ? g_quark_try_string (calibre) : 0;
  want_key = params_key != NULL ? g_quark_try_string (params_key) : 0;
  all = g_array_new (FALSE, FALSE, sizeof (double));
  same_calibre = g_array_new (FALSE, FALSE, sizeof (double));
  /* a modality or key never seen is no quark, and then nothing matches */
  if (want_modality != 0 && (params_key == NULL || want_key != 0))
    for (guint i = 0; i < pairs->len; i++)
      {
        const Pair *p = &g_array_index (pairs, Pair, i);

        if (p->lo == query_id || p->hi == query_id || p->modality != want_modality ||
            (want_key != 0 && p->params_key != want_key))
          continue;
        g_array_append_val (all, p->score);
        if (want_calibre != 0 && p->calibre == want_calibre)
          g_array_append_val (same_calibre, p->score);
      }
  if (per_calibre != NULL)
    *per_calibre = same_calibre->len >= TM_KNM_REFERENCE_MIN_SCORES;
  if (same_calibre->len >= TM_KNM_REFERENCE_MIN_SCORES)
    {
      g_array_unref (all);
      return same_calibre;
    }
  g_array_unref (same_calibre);
  return all;
}

gboolean
tm_knm_is_beyond_reference (double p,
                            guint  knm_n)
{
  /* p = (1 + #{knm ≥ score}) / (n + 1); the count is an integer, so half a step of
   * slack absorbs rounding through the store */
  return knm_n > 0 && isfinite (p) && p * (knm_n + 1.0) < 1.5;
}

char *
tm_knm_format_unusualness (double p,
                           guint  knm_n)
{
  double n;

  if (isnan (p) || p < 0)
    return g_strdup ("—");
  if (tm_knm_is_beyond_reference (p, knm_n))
    /* Translators: no known non-match scored as high as this candidate; %u is how many
     * non-match scores there are, always 10 or more */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "beyond all %u non-match",
                                         "beyond all %u non-matches", knm_n), knm_n);
  if (p >= 0.5)
    /* Translators: the score is what most non-matching candidates reach */
    return g_strdup (_("common"));
  /* A non-match scoring this high is rarer than the reference distribution can tell. */
  if (p < 1e-9)
    return g_strdup (_("< 1 in a billion"));

  n = 1.0 / p;
  if (n < 10)
    /* Translators: the unusualness of a score, e.g. "1 in 4.5" */
    return g_strdup_printf (_("1 in %.1f"), n);
  else
    {
      /* Two significant digits: the tail estimate is not more precise than that. */
      double magnitude = pow (10, floor (log10 (n)) - 1);
      guint64 rounded = (guint64) (round (n / magnitude) * magnitude);

      /* Translators: the unusualness of a score, e.g. "1 in 3,000"; %'lu groups digits */
      return g_strdup_printf (_("1 in %'" PRIu64), rounded);
    }
}

char *
tm_knm_describe_unusualness (TmKnmSource source,
                             guint       knm_n,
                             gboolean    per_calibre,
                             double      p_model)
{
  GString *text = g_string_new (NULL);

  switch (source)
    {
    case TM_KNM_SOURCE_DATABASE:
      if (per_calibre)
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                   "Against %u known non-match score of the query's calibre from this database.",
                                                   "Against %u known non-match scores of the query's calibre from this database.",
                                                   knm_n), knm_n);
      else
        g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                   "Against %u known non-match score from this database.",
                                                   "Against %u known non-match scores from this database.",
                                                   knm_n), knm_n);
      break;
    case TM_KNM_SOURCE_RUN:
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "Against %u score of this run's lower-ranked candidates, presumed non-matches; the database does not yet hold enough known non-match scores.",
                                                 "Against %u scores of this run's lower-ranked candidates, presumed non-matches; the database does not yet hold enough known non-match scores.",
                                                 knm_n), knm_n);
      break;
    case TM_KNM_SOURCE_NONE:
    default:
      g_string_append (text, _("Too few non-match scores to tell how unusual this score is."));
      return g_string_free (text, FALSE);
    }
  if (isfinite (p_model) && p_model > 0)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_c (text, ' ');
      /* Translators: %s is a probability such as "3.9e-29"; the model is a gamma
       * distribution fitted to the non-match scores, which says nothing observed */
      g_string_append_printf (text, _("Model extrapolation (a distribution fitted to them, not an observation): %s."),
                              g_ascii_formatd (number, sizeof number, "%.2g", p_model));
    }
  return g_string_free (text, FALSE);
}
