/* tm-cli-correlate.c — `toolmark-cli correlate ID`: search one acquisition against the rest
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output (--json), see README.md "Correlation":
 *   {"query": {"id", "file"},
 *    "counts": {"filtered", "prescored", "full", "unprocessed"},
 *    "candidates": [{"id", "file", "rank", "score",
 *                    "scores": {"breech_face", "firing_pin", "accf", "cmc": {…}, "prescore",
 *                               "p_knm", "p_knm_model", "knm_source", "knm_n",
 *                               "knm_per_calibre", "p_knm_firing_pin",
 *                               "knm_source_firing_pin", "knm_n_firing_pin"},
 *                    "ranks": {"breech_face", "firing_pin", "combined"},
 *                    "angle_deg", "dx_um", "dy_um", "review_state"}],
 *    "run": id, "status", "user", "started_at", "finished_at", "filters", "parameters",
 *    "timings": {"filter", "prescore", "query_data", "full", "total"}}
 *
 * Ctrl-C (SIGINT) cancels the search instead of killing the process: the search runs on
 * a thread while the main loop waits for it and for the signal (g_unix_signal_add, so
 * nothing but a flag is touched in the handler); what was fully scored is kept, the run
 * is stored with status "cancelled" and printed, and the exit status is 130 (128 +
 * SIGINT), as a shell expects of an interrupted command.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "tm-cli.h"
#include "tm-knm-reference.h"
#include "tm-search.h"

static void
progress_cb (TmSearchStage stage,
             guint64       done,
             guint64       total,
             gpointer      user_data)
{
  fprintf (stderr, "\r%-8s %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT "   ",
           tm_search_stage_to_string (stage), done, total);
  if (done == total)
    fputc ('\n', stderr);
}

/* A number for the table, or a dash where there is none (NaN: a score the run could not
 * put against enough non-matches, or a region one side lacks) — never "nan". */
static char *
format_or_dash (const char *format,
                double      value)
{
  if (!isfinite (value))
    return g_strdup ("-");  /* ASCII: printf pads by bytes, not columns */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (format, value);
#pragma GCC diagnostic pop
}

static void
print_table (TmCorrelationRun *run)
{
  GArray *candidates = tm_correlation_run_get_candidates (run);
  guint filtered, prescored, full, unprocessed;
  gboolean pins = FALSE;

  tm_correlation_run_get_counts (run, &filtered, &prescored, &full, &unprocessed);
  printf ("run %" G_GINT64_FORMAT ": query %" G_GINT64_FORMAT " (%s), %s\n",
          tm_correlation_run_get_id (run), tm_correlation_run_get_query_id (run),
          tm_correlation_run_get_query_file (run),
          tm_correlation_run_status_to_string (tm_correlation_run_get_status (run)));
  printf ("%u passed the filters, %u pre-scored, %u fully compared", filtered, prescored, full);
  if (unprocessed > 0)
    printf (" (%u without a signature were not searched: run 'toolmark-cli reprocess')", unprocessed);
  printf ("; %.2f s\n\n", tm_correlation_run_get_timing (run, "total"));
  /* the firing-pin columns only when some candidate has a firing-pin score */
  for (guint i = 0; i < candidates->len && !pins; i++)
    pins = isfinite (g_array_index (candidates, TmCandidate, i).firing_pin);
  printf ("%4s  %6s  %7s  %9s  %6s  ", "rank", "id", "score", "cmc q/c", "accf");
  if (pins)
    printf ("%6s  %10s  ", "pin", "rank bf/fp");
  printf ("%8s  %-26s  %8s  %7s  %s\n", "prescore", "unusualness", "p_model", "angle", "file");
  for (guint i = 0; i < candidates->len; i++)
    {
      const TmCandidate *c = &g_array_index (candidates, TmCandidate, i);
      g_autofree char *cmc = g_strdup_printf ("%u/%u", c->cmc_a_to_b, c->cmc_b_to_a);

      printf ("%4u  %6" G_GINT64_FORMAT "  %7.2f  %9s  %6.3f  ",
              c->rank, c->acquisition_id, c->score, cmc, c->accf);
      if (pins)
        {
          g_autofree char *ranks = c->rank_firing_pin > 0
                                   ? g_strdup_printf ("%u/%u", c->rank_breech_face, c->rank_firing_pin)
                                   : g_strdup_printf ("%u/-", c->rank_breech_face);

          g_autofree char *pin = format_or_dash ("%6.3f", c->firing_pin);

          printf ("%6s  %10s  ", pin, ranks);
        }
      {
        g_autofree char *unusual = tm_knm_format_unusualness (c->p_knm, c->knm_n);
        g_autofree char *p_model = format_or_dash ("%8.2g", c->p_knm_model);

        printf ("%8.3f  %-26s  %8s  %7.1f  %s", c->prescore, unusual, p_model, c->angle_deg,
                c->file);
        /* an exact link, whatever the image scores say */
        if (c->microstamp != NULL)
          printf ("  [microstamp %s]", c->microstamp);
        printf ("\n");
      }
    }
  /* what "1 in N" counts against; every scored candidate shares the run's reference */
  for (guint i = 0; i < candidates->len; i++)
    {
      const TmCandidate *c = &g_array_index (candidates, TmCandidate, i);

      if (isfinite (c->score) && c->score >= 0)
        {
          g_autofree char *note = tm_knm_describe_unusualness (c->knm_source, c->knm_n,
                                                               c->knm_per_calibre, NAN);

          printf ("\n%s %s\n", _("Unusualness:"), note);
          break;
        }
    }
}

typedef struct
{
  TmStore               *store;
  gint64                 query_id;
  const TmSearchFilters *filters;
  const TmSearchParams  *params;
  const char            *user;
  TmSearchProgressFunc   progress;
  GCancellable          *cancellable;
  GMainLoop             *loop;
  TmCorrelationRun      *run;
  GError                *error;
} SearchJob;

static gboolean
search_done_cb (gpointer user_data)
{
  SearchJob *job = user_data;

  g_main_loop_quit (job->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
search_thread (gpointer user_data)
{
  SearchJob *job = user_data;

  /* The store is used by this thread alone until the loop has quit. */
  job->run = tm_search_run (job->store, job->query_id, job->filters, job->params, job->user,
                            job->progress, NULL, job->cancellable, &job->error);
  g_idle_add (search_done_cb, job);
  return NULL;
}

static gboolean
sigint_cb (gpointer user_data)
{
  SearchJob *job = user_data;

  if (!g_cancellable_is_cancelled (job->cancellable))
    fputs ("\ncancelling: the comparisons under way finish, then the run is stored\n", stderr);
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Runs the search on a thread so that SIGINT can cancel it. */
static TmCorrelationRun *
run_interruptible (SearchJob  *job,
                   GError    **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  guint sigint;

  job->loop = loop;
  job->cancellable = cancellable;
  sigint = g_unix_signal_add (SIGINT, sigint_cb, job);
  g_debug ("searching acquisition %" G_GINT64_FORMAT "; SIGINT cancels", job->query_id);
  thread = g_thread_new ("tm-cli-search", search_thread, job);
  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint);
  job->loop = NULL;
  job->cancellable = NULL;
  if (job->run == NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));
  return g_steal_pointer (&job->run);
}

gboolean
tm_cli_parse_top (const char  *text,
                  guint       *out_top,
                  GError     **error)
{
  guint64 n;

  if (text == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (text, "all") == 0)
    {
      *out_top = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--top '%s': give a number of candidates (1 or more) or 'all'", text);
      return FALSE;
    }
  *out_top = (guint)n;
  return TRUE;
}

int
tm_cli_correlate (TmCliContext *ctx,
                  int           argc,
                  char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmAcquisition) query = NULL;
  g_autoptr(TmCorrelationRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *top = NULL;
  TmSearchFilters filters = { 0 };
  TmSearchParams params;
  gboolean json = FALSE;
  int threads = 0;
  GOptionEntry entries[] = {
    { "calibre", 0, 0, G_OPTION_ARG_STRING, &filters.calibre, N_("Only candidates of this calibre"), "C" },
    { "firing-pin-type", 0, 0, G_OPTION_ARG_STRING, &filters.firing_pin_type, N_("centre-fire or rim-fire"), "T" },
    { "firing-pin-shape", 0, 0, G_OPTION_ARG_STRING, &filters.firing_pin_shape, N_("circular, elliptical, hemispherical or rectangular"), "S" },
    { "breech-face-class", 0, 0, G_OPTION_ARG_STRING, &filters.breech_face_class, N_("arched, circular, crosshatch, granular, parallel or smooth"), "B" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &filters.kind, N_("crime-scene or test-fire"), "K" },
    { "incident-from", 0, 0, G_OPTION_ARG_STRING, &filters.incident_from, N_("Incident on or after"), "YYYY-MM-DD" },
    { "incident-to", 0, 0, G_OPTION_ARG_STRING, &filters.incident_to, N_("Incident on or before"), "YYYY-MM-DD" },
    { "entered-from", 0, 0, G_OPTION_ARG_STRING, &filters.entered_from, N_("Imported on or after"), "YYYY-MM-DD" },
    { "entered-to", 0, 0, G_OPTION_ARG_STRING, &filters.entered_to, N_("Imported on or before"), "YYYY-MM-DD" },
    { "site", 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters.sites, N_("Only candidates from this site (repeatable)"), "UUID" },
    { "top", 0, 0, G_OPTION_ARG_STRING, &top, N_("Candidates compared fully (default 100)"), "N|all" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: all cores)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the run as JSON"), NULL },
    { NULL }
  };
  int status = 0;

  if (!tm_cli_parse ("correlate", "ID", _("Search one acquisition against the database: filters, "
                                          "pre-score of every candidate, full comparison of the best."),
                     entries, &argc, &argv))
    {
      tm_search_filters_clear (&filters);
      return 2;
    }
  tm_search_params_init (&params);
  params.n_threads = MAX (threads, 0);
  if (argc != 2)
    {
      tm_cli_error ("correlate: give exactly one acquisition id");
      status = 2;
      goto out;
    }
  if (!tm_cli_parse_top (top, &params.top_n, &error) ||
      !tm_search_filters_normalize (&filters, &error))
    {
      tm_cli_error ("correlate: %s", error->message);
      status = 2;
      goto out;
    }
  if (!g_file_test (ctx->db_path, G_FILE_TEST_EXISTS))
    {
      tm_cli_error ("%s: no database here (create one with 'toolmark-cli init')", ctx->db_path);
      status = 1;
      goto out;
    }
  store = tm_store_open (ctx->db_path, &error);
  if (store != NULL)
    query = tm_store_find_acquisition (store, argv[1], &error);
  if (query != NULL)
    {
      SearchJob job = { 0 };

      job.store = store;
      job.query_id = tm_acquisition_get_id (query);
      job.filters = &filters;
      job.params = &params;
      job.user = ctx->user;
      job.progress = !ctx->quiet && !json && isatty (2) ? progress_cb : NULL;
      run = run_interruptible (&job, &error);
    }
  if (run == NULL)
    {
      tm_cli_error ("%s", error->message);
      status = 1;
      goto out;
    }

  if (json)
    {
      g_autoptr(JsonNode) node = tm_correlation_run_to_json (run);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (generator, node);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
    }
  else
    print_table (run);
  if (tm_correlation_run_get_status (run) == TM_CORRELATION_RUN_CANCELLED)
    {
      if (!ctx->quiet)
        tm_cli_error ("correlate: interrupted; run %" G_GINT64_FORMAT " was stored as cancelled "
                      "with the candidates scored so far", tm_correlation_run_get_id (run));
      status = 128 + SIGINT;
    }

out:
  tm_search_filters_clear (&filters);
  return status;
}
