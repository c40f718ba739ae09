/* tm-report-stats.c — supervisor statistics: throughput, turnaround, backlog, outcomes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What NIBIN supervisors watch (domain.md): acquisitions, leads and hits per site and
 * period; the entry-to-lead time against the 48-hour goal; the unreviewed correlations;
 * what investigators said leads led to. Everything is read with SQL over the schema-3
 * tables; the statuses are derived from the appended events, as the workflow does.
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-report-private.h"

#define GOAL_HOURS 48.0

typedef enum
{
  BUCKET_DAY,
  BUCKET_WEEK,
  BUCKET_MONTH,
} Bucket;

typedef struct
{
  TmStore *store;
  char    *from;           /* inclusive, YYYY-MM-DD */
  char    *to_exclusive;   /* the day after "to" */
  char    *to;
  char    *site_uuid;      /* NULL: all */
  char    *site_name;
  Bucket   bucket;
} Stats;

static void
stats_clear (Stats *stats)
{
  g_free (stats->from);
  g_free (stats->to);
  g_free (stats->to_exclusive);
  g_free (stats->site_uuid);
  g_free (stats->site_name);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stats, stats_clear)

static gboolean
parse_date (const char *text,
            GDate      *out,
            const char *what,
            GError    **error)
{
  int y, m, d;
  char tail;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
      || !g_date_valid_dmy (d, m, y))
    {
      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_INVALID,
                   _("%s date “%s” is not a date: write it as YYYY-MM-DD, e.g. 2026-11-01"),
                   what, text ? text : "");
      return FALSE;
    }
  g_date_clear (out, 1);
  g_date_set_dmy (out, d, m, y);
  return TRUE;
}

static char *
date_to_string (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/* The first day anything was recorded, for an open "from". */
static char *
first_day (TmStore *store)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT substr (MIN (t), 1, 10) FROM ("
    "  SELECT MIN (imported_at) AS t FROM acquisitions"
    "  UNION ALL SELECT MIN (created_at) FROM leads"
    "  UNION ALL SELECT MIN (started_at) FROM correlation_runs)", NULL);

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    return g_strdup (tm_stmt_column_text (stmt, 0));
  return NULL;
}

static gboolean
stats_init (Stats                    *stats,
            TmStore                  *store,
            const TmReportStatsRange *range,
            GError                  **error)
{
  GDate from, to;
  g_autofree char *first = NULL;
  int days;

  memset (stats, 0, sizeof *stats);
  stats->store = store;

  if (range->to != NULL)
    {
      if (!parse_date (range->to, &to, _("The “to”"), error))
        return FALSE;
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      g_date_clear (&to, 1);
      g_date_set_dmy (&to, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
    }
  if (range->from == NULL)
    first = first_day (store);
  if (range->from != NULL || first != NULL)
    {
      if (!parse_date (range->from ? range->from : first, &from, _("The “from”"), error))
        return FALSE;
    }
  else
    from = to;
  if (g_date_compare (&from, &to) > 0)
    {
      g_autofree char *f = date_to_string (&from);
      g_autofree char *t = date_to_string (&to);

      g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_INVALID,
                   _("The period %s to %s ends before it starts"), f, t);
      return FALSE;
    }

  stats->from = date_to_string (&from);
  stats->to = date_to_string (&to);
  days = g_date_days_between (&from, &to) + 1;
  g_date_add_days (&to, 1);
  stats->to_exclusive = date_to_string (&to);
  stats->bucket = days <= 31 ? BUCKET_DAY : days <= 26 * 7 ? BUCKET_WEEK : BUCKET_MONTH;

  if (range->site != NULL && *range->site != '\0')
    {
      g_autoptr(TmStmt) stmt = tm_store_prepare (store,
        "SELECT uuid, name FROM sites WHERE uuid = ?1 OR name = ?1 ORDER BY is_local DESC", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, range->site, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
                       _("No site “%s” in %s: give a site's name or UUID"),
                       range->site, tm_store_get_path (store));
          return FALSE;
        }
      stats->site_uuid = g_strdup (tm_stmt_column_text (stmt, 0));
      stats->site_name = g_strdup (tm_stmt_column_text (stmt, 1));
    }
  return TRUE;
}

/* The SQL expression of a time column's period key. */
static char *
bucket_sql (Bucket      bucket,
            const char *column)
{
  switch (bucket)
    {
    case BUCKET_DAY:   return g_strdup_printf ("substr (%s, 1, 10)", column);
    case BUCKET_WEEK:  return g_strdup_printf ("date (%s, 'weekday 0', '-6 days')", column);
    case BUCKET_MONTH:
    default:           return g_strdup_printf ("substr (%s, 1, 7)", column);
    }
}

static char *
bucket_label (Bucket      bucket,
              const char *key)
{
  g_autofree char *date = g_strconcat (key, bucket == BUCKET_MONTH ? "-01" : "", NULL);
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (key);
  dt = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return g_strdup (key);
  /* Abbreviated month names come from the locale. */
  {
    char *text = g_date_time_format (dt, bucket == BUCKET_MONTH ? "%b %Y" : "%e %b");

    return g_strstrip (text);
  }
}

/* Binds ?1 from, ?2 to (exclusive), ?3 site uuid (NULL: all) to @stmt. */
static void
bind_range (const Stats  *stats,
            sqlite3_stmt *stmt)
{
  sqlite3_bind_text (stmt, 1, stats->from, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, stats->to_exclusive, -1, SQLITE_TRANSIENT);
  tm_stmt_bind_text_or_null (stmt, 3, stats->site_uuid);
}

/* Period keys in order, then per key the counts of acquisitions, leads and hits. */
typedef struct
{
  char   *key;
  double  acquisitions;
  double  leads;
  double  hits;
} Row;

static void
row_clear (gpointer data)
{
  g_free (((Row *) data)->key);
}

static Row *
find_row (GArray     *rows,
          const char *key)
{
  Row row = { 0 };

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (g_array_index (rows, Row, i).key, key) == 0)
      return &g_array_index (rows, Row, i);
  row.key = g_strdup (key ? key : "—");
  g_array_append_val (rows, row);
  return &g_array_index (rows, Row, rows->len - 1);
}

static int
row_compare (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (((const Row *) a)->key, ((const Row *) b)->key);
}

/* Counts grouped by @group_sql (an expression over the table alias t); @what: 0
 * acquisitions, 1 leads, 2 hits (the ATF count, sum of n_hits). */
static gboolean
count_into (const Stats *stats,
            GArray      *rows,
            const char  *group_sql_acq,
            const char  *group_sql_lead,
            const char  *group_sql_hit,
            GError     **error)
{
  const char *tables[3] = {
    "acquisitions t LEFT JOIN sites s ON s.uuid = t.origin_site",
    "leads t LEFT JOIN sites s ON s.uuid = t.origin_site",
    "hits t LEFT JOIN sites s ON s.uuid = t.origin_site",
  };
  const char *times[3] = { "t.imported_at", "t.created_at", "t.confirmed_at" };
  const char *sites[3] = { "t.origin_site", "t.origin_site", "t.origin_site" };
  const char *groups[3] = { group_sql_acq, group_sql_lead, group_sql_hit };

  for (int what = 0; what < 3; what++)
    {
      g_autofree char *sql = g_strdup_printf (
        "SELECT %s, %s FROM %s WHERE %s >= ?1 AND %s < ?2 AND (?3 IS NULL OR %s = ?3)"
        " GROUP BY 1",
        groups[what], what == 2 ? "SUM (t.n_hits)" : "COUNT (*)", tables[what],
        times[what], times[what], sites[what]);
      g_autoptr(TmStmt) stmt = tm_store_prepare (stats->store, sql, error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      bind_range (stats, stmt);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          Row *row = find_row (rows, tm_stmt_column_text (stmt, 0));
          double n = sqlite3_column_double (stmt, 1);

          if (what == 0)
            row->acquisitions += n;
          else if (what == 1)
            row->leads += n;
          else
            row->hits += n;
        }
      if (rc != SQLITE_DONE)
        {
          tm_store_set_sql_error (stats->store, error, rc, _("cannot count for the statistics"));
          return FALSE;
        }
    }
  g_array_sort (rows, row_compare);
  return TRUE;
}

static void
add_period_charts (TmReportDoc *doc,
                   const Stats *stats,
                   GArray      *rows,
                   gboolean     by_site)
{
  guint n = rows->len;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree double *acq = g_new0 (double, MAX (n, 1));
  g_autofree double *lh = g_new0 (double, MAX (2 * n, 1));
  const char *series_acq[] = { _("Acquisitions") };
  const char *series_lh[] = { _("Leads"), _("Hits (ATF count)") };
  double width = tm_report_doc_get_content_width (doc);
  TmReportTable *table;
  const double widths[] = { 0.4, 0.2, 0.2, 0.2 };
  const char *header[] = { by_site ? _("Site") : _("Period"), _("Acquisitions"), _("Leads"),
                           _("Hits") };
  double total[3] = { 0, 0, 0 };

  for (guint i = 0; i < n; i++)
    {
      Row *row = &g_array_index (rows, Row, i);

      g_ptr_array_add (labels, by_site ? g_strdup (row->key) : bucket_label (stats->bucket, row->key));
      acq[i] = row->acquisitions;
      lh[i] = row->leads;
      lh[n + i] = row->hits;
      total[0] += row->acquisitions;
      total[1] += row->leads;
      total[2] += row->hits;
    }
  (void) width;
  tm_report_doc_add_bar_chart (doc, 150, by_site ? _("Acquisitions per site")
                                                 : _("Acquisitions per period"),
                               (const char * const *) labels->pdata, n, series_acq, 1, acq,
                               _("acquisitions"));
  tm_report_doc_add_space (doc, 8);
  tm_report_doc_add_bar_chart (doc, 150, by_site ? _("Leads and hits per site")
                                                 : _("Leads and hits per period"),
                               (const char * const *) labels->pdata, n, series_lh, 2, lh,
                               _("count"));
  tm_report_doc_add_space (doc, 8);

  table = tm_report_doc_begin_table (doc, 4, widths, header);
  for (guint i = 0; i < n; i++)
    {
      Row *row = &g_array_index (rows, Row, i);
      g_autofree char *a = tm_report_format_int ((gint64) row->acquisitions);
      g_autofree char *l = tm_report_format_int ((gint64) row->leads);
      g_autofree char *h = tm_report_format_int ((gint64) row->hits);

      /* The chart shows the quiet periods; the table lists those with something. */
      if (row->acquisitions == 0 && row->leads == 0 && row->hits == 0)
        continue;
      tm_report_table_add_rowv (table, g_ptr_array_index (labels, i), a, l, h, NULL);
    }
  {
    g_autofree char *a = tm_report_format_int ((gint64) total[0]);
    g_autofree char *l = tm_report_format_int ((gint64) total[1]);
    g_autofree char *h = tm_report_format_int ((gint64) total[2]);

    tm_report_table_add_rowv (table, _("Total"), a, l, h, NULL);
  }
}

/* Every period of the range, so quiet days show as empty bars, not as gaps. */
static void
add_all_periods (const Stats *stats,
                 GArray      *rows)
{
  GDate day, end;
  int y, m, d;

  if (sscanf (stats->from, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return;
  g_date_clear (&day, 1);
  g_date_set_dmy (&day, d, m, y);
  if (sscanf (stats->to, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return;
  g_date_clear (&end, 1);
  g_date_set_dmy (&end, d, m, y);
  if (stats->bucket == BUCKET_WEEK)
    g_date_subtract_days (&day, g_date_get_weekday (&day) - G_DATE_MONDAY);
  else if (stats->bucket == BUCKET_MONTH)
    g_date_set_day (&day, 1);
  while (g_date_compare (&day, &end) <= 0)
    {
      g_autofree char *key = NULL;

      if (stats->bucket == BUCKET_MONTH)
        key = g_strdup_printf ("%04d-%02d", g_date_get_year (&day), g_date_get_month (&day));
      else
        key = date_to_string (&day);
      find_row (rows, key);
      if (stats->bucket == BUCKET_DAY)
        g_date_add_days (&day, 1);
      else if (stats->bucket == BUCKET_WEEK)
        g_date_add_days (&day, 7);
      else
        g_date_add_months (&day, 1);
    }
}

static gboolean
add_throughput (TmReportDoc *doc,
                const Stats *stats,
                GError     **error)
{
  g_autoptr(GArray) periods = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autoptr(GArray) sites = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autofree char *acq = bucket_sql (stats->bucket, "t.imported_at");
  g_autofree char *lead = bucket_sql (stats->bucket, "t.created_at");
  g_autofree char *hit = bucket_sql (stats->bucket, "t.confirmed_at");
  const char *site_sql = "COALESCE (s.name, t.origin_site)";
  const char *unit = stats->bucket == BUCKET_DAY ? _("day")
                     : stats->bucket == BUCKET_WEEK ? _("week (from Monday)") : _("month");

  g_array_set_clear_func (periods, row_clear);
  g_array_set_clear_func (sites, row_clear);

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Throughput per period"));
  tm_report_doc_add_textf (doc, TM_REPORT_STYLE_SMALL,
                           _("One bar per %s. Hits are counted as ATF counts them: between "
                             "cases with no previously known connection, each further linked "
                             "case one more hit."), unit);
  tm_report_doc_keep_with_next (doc);
  add_all_periods (stats, periods);
  if (!count_into (stats, periods, acq, lead, hit, error))
    return FALSE;
  add_period_charts (doc, stats, periods, FALSE);

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Throughput per site"));
  if (!count_into (stats, sites, site_sql, site_sql, site_sql, error))
    return FALSE;
  add_period_charts (doc, stats, sites, TRUE);
  return TRUE;
}

static int
double_compare (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
add_turnaround (TmReportDoc *doc,
                const Stats *stats,
                GError     **error)
{
  /* Entry to lead: from the import of the newest acquisition the lead was created with
   * (the evidence whose entry made the link possible) to the lead's creation. */
  g_autoptr(TmStmt) stmt = tm_store_prepare (stats->store,
    "SELECT (julianday (l.created_at) - julianday (MAX (a.imported_at))) * 24"
    "  FROM leads l"
    "  JOIN lead_members m ON m.lead_id = l.id"
    "  JOIN acquisitions a ON a.id = m.acquisition_id"
    " WHERE l.created_at >= ?1 AND l.created_at < ?2 AND (?3 IS NULL OR l.origin_site = ?3)"
    "   AND m.added_at <= (SELECT MIN (m2.added_at) FROM lead_members m2 WHERE m2.lead_id = l.id)"
    " GROUP BY l.id", error);
  g_autoptr(GArray) hours = g_array_new (FALSE, FALSE, sizeof (double));
  double edges[17], counts[16] = { 0 };
  guint within = 0;
  int rc;
  TmReportTable *table;
  const double widths[] = { 0.5, 0.5 };
  const char *header[] = { _("Entry to lead"), _("Value") };

  if (stmt == NULL)
    return FALSE;
  bind_range (stats, stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      double h = MAX (0, sqlite3_column_double (stmt, 0));

      g_array_append_val (hours, h);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (stats->store, error, rc, _("cannot read the lead turnaround"));
      return FALSE;
    }
  g_array_sort (hours, double_compare);

  for (int i = 0; i <= 16; i++)
    edges[i] = i * 6;
  for (guint i = 0; i < hours->len; i++)
    {
      double h = g_array_index (hours, double, i);

      counts[MIN (15, (int) (h / 6))] += 1;
      if (h <= GOAL_HOURS)
        within++;
    }

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Entry-to-lead turnaround"));
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_SMALL,
                          _("Hours from the entry of the evidence to the lead, for the leads "
                            "created in the period, in 6-hour bins (the last bin holds "
                            "everything from 90 hours on). Bars within the 48-hour goal are "
                            "solid, later ones hatched."));
  tm_report_doc_keep_with_next (doc);
  {
    g_autofree char *pct = tm_report_format_double (hours->len ? 100.0 * within / hours->len
                                                               : NAN, 0);
    g_autofree char *marker = g_strdup_printf (_("48-hour goal: %s %% within"), pct);

    tm_report_doc_add_histogram (doc, 170, NULL, edges, counts, 16, _("hours from entry to lead"),
                                 GOAL_HOURS, marker);
  }
  table = tm_report_doc_begin_table (doc, 2, widths, header);
  {
    g_autofree char *n = tm_report_format_int (hours->len);
    g_autofree char *w = tm_report_format_int (within);
    g_autofree char *pct = tm_report_format_double (hours->len ? 100.0 * within / hours->len
                                                               : NAN, 1);
    g_autofree char *median = tm_report_format_double (
      hours->len ? g_array_index (hours, double, hours->len / 2) : NAN, 1);
    g_autofree char *p90 = tm_report_format_double (
      hours->len ? g_array_index (hours, double, MIN (hours->len - 1, (guint) ceil (0.9 * hours->len) - 1)) : NAN, 1);
    g_autofree char *max = tm_report_format_double (
      hours->len ? g_array_index (hours, double, hours->len - 1) : NAN, 1);
    g_autofree char *within_text = g_strdup_printf ("%s (%s %%)", w, pct);

    tm_report_table_add_rowv (table, _("Leads"), n, NULL);
    tm_report_table_add_rowv (table, _("Within 48 hours"), within_text, NULL);
    tm_report_table_add_rowv (table, _("Median (hours)"), median, NULL);
    tm_report_table_add_rowv (table, _("90th percentile (hours)"), p90, NULL);
    tm_report_table_add_rowv (table, _("Longest (hours)"), max, NULL);
  }
  return TRUE;
}

static gboolean
add_backlog (TmReportDoc *doc,
             const Stats *stats,
             GError     **error)
{
  /* Age of each run with unreviewed candidates, now; the top 10 is what a reviewer is
   * expected to read (US practice), the rest is counted too. */
  g_autoptr(TmStmt) stmt = tm_store_prepare (stats->store,
    "SELECT julianday ('now') - julianday (r.started_at),"
    "       SUM (c.review_state = 'unreviewed'),"
    "       SUM (c.review_state = 'unreviewed' AND c.rank <= 10)"
    "  FROM correlation_runs r JOIN candidates c ON c.run_id = r.id"
    " WHERE r.started_at >= ?1 AND r.started_at < ?2"
    "   AND (?3 IS NULL OR COALESCE (r.origin_site, ?4) = ?3)"
    " GROUP BY r.id", error);
  static const double limits[] = { 1, 2, 7, 30, INFINITY };
  const char *labels[] = { _("under 1 day"), _("1–2 days"), _("2–7 days"), _("7–30 days"),
                           _("over 30 days") };
  const char *series[] = { _("Unreviewed in the top 10"), _("All unreviewed candidates") };
  double values[10] = { 0 };
  double runs = 0, total = 0, top = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_range (stats, stmt);
  sqlite3_bind_text (stmt, 4, tm_store_get_local_site (stats->store), -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      double age = sqlite3_column_double (stmt, 0);
      double all = sqlite3_column_double (stmt, 1);
      double top10 = sqlite3_column_double (stmt, 2);
      guint b = 0;

      while (b < 4 && age >= limits[b])
        b++;
      values[b] += top10;
      values[5 + b] += all;
      if (all > 0)
        runs++;
      total += all;
      top += top10;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (stats->store, error, rc, _("cannot read the review backlog"));
      return FALSE;
    }

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Unreviewed correlations (backlog)"));
  {
    g_autofree char *t = tm_report_format_int ((gint64) total);
    g_autofree char *t10 = tm_report_format_int ((gint64) top);
    g_autofree char *r = tm_report_format_int ((gint64) runs);

    tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BODY,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "%s candidates not yet reviewed (%s of them in the top "
                                          "10 of their list) from %s correlation run of the "
                                          "period, by the age of the run today.",
                                          "%s candidates not yet reviewed (%s of them in the top "
                                          "10 of their list) from %s correlation runs of the "
                                          "period, by the age of the run today.", (gulong) runs),
                             t, t10, r);
    tm_report_doc_keep_with_next (doc);
  }
  tm_report_doc_add_bar_chart (doc, 150, NULL, labels, 5, series, 2, values, _("candidates"));
  return TRUE;
}

static gboolean
add_outcomes (TmReportDoc *doc,
              const Stats *stats,
              GError     **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (stats->store,
    "SELECT (SELECT json_extract (e.payload, '$.outcome') FROM lead_events e"
    "         WHERE e.lead_id = l.id AND e.kind = 'feedback' ORDER BY e.at DESC, e.id DESC LIMIT 1),"
    "       (SELECT json_extract (e.payload, '$.conclusion') FROM lead_events e"
    "         WHERE e.lead_id = l.id AND e.kind = 'conclusion' ORDER BY e.at DESC, e.id DESC LIMIT 1)"
    "  FROM leads l"
    " WHERE l.created_at >= ?1 AND l.created_at < ?2 AND (?3 IS NULL OR l.origin_site = ?3)",
    error);
  static const char * const outcomes[] = { "arrest", "suspect-identified",
                                           "linked-prior-investigation", "no-action" };
  static const char * const conclusions[] = { "identification", "inconclusive", "elimination",
                                              "unsuitable" };
  const char *outcome_labels[] = { _("Arrest"), _("Suspect identified"),
                                   _("Linked to prior investigation"), _("No action"),
                                   _("No feedback yet") };
  const char *conclusion_labels[] = { _("Identification"), _("Inconclusive"), _("Elimination"),
                                      _("Unsuitable"), _("Not examined yet") };
  const char *series_outcome[] = { _("Leads") };
  double outcome_counts[5] = { 0 }, conclusion_counts[5] = { 0 };
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_range (stats, stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *outcome = tm_stmt_column_text (stmt, 0);
      const char *conclusion = tm_stmt_column_text (stmt, 1);
      guint i;

      for (i = 0; i < 4 && g_strcmp0 (outcome, outcomes[i]) != 0; i++)
        ;
      outcome_counts[i]++;
      for (i = 0; i < 4 && g_strcmp0 (conclusion, conclusions[i]) != 0; i++)
        ;
      conclusion_counts[i]++;
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (stats->store, error, rc, _("cannot read the lead outcomes"));
      return FALSE;
    }

  tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Lead outcomes"));
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_SMALL,
                          _("For the leads created in the period: the latest feedback from "
                            "investigators (what the lead led to) and the examiners' "
                            "conclusions."));
  tm_report_doc_keep_with_next (doc);
  tm_report_doc_add_bar_chart (doc, 140, _("Investigator feedback"), outcome_labels, 5,
                               series_outcome, 1, outcome_counts, _("leads"));
  tm_report_doc_add_space (doc, 6);
  tm_report_doc_add_bar_chart (doc, 140, _("Examiner conclusions"), conclusion_labels, 5,
                               series_outcome, 1, conclusion_counts, _("leads"));
  return TRUE;
}

TmReport *
tm_report_new_stats (TmStore                  *store,
                     const TmReportStatsRange *range,
                     const TmReportOptions    *options,
                     GError                  **error)
{
  g_auto(Stats) stats = { 0 };
  g_autoptr(TmReportDoc) doc = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  TmReportStatsRange all = { NULL, NULL, NULL };

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!stats_init (&stats, store, range ? range : &all, error))
    return NULL;

  doc = tm_report_doc_new ();
  from = tm_report_format_date (stats.from);
  to = tm_report_format_date (stats.to);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_TITLE, _("Supervisor statistics"));
  tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BODY, _("Period: %s to %s (inclusive, UTC)"),
                           from, to);
  tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BODY, _("Site: %s"),
                           stats.site_name ? stats.site_name : _("all sites"));
  tm_report_doc_add_space (doc, 4);

  if (!add_throughput (doc, &stats, error)
      || !add_turnaround (doc, &stats, error)
      || !add_backlog (doc, &stats, error)
      || !add_outcomes (doc, &stats, error))
    return NULL;

  return tm_report_new_from_doc (store, options, _("Supervisor statistics"),
                                 g_steal_pointer (&doc));
}
