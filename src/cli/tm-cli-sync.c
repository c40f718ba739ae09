/* tm-cli-sync.c — `toolmark-cli sync URL`, `sync quarantine`, `sync fetch URL ID`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIGINT cancels between batches: what was committed stays, and the next sync goes on
 * from there.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli-workflow.h"
#include "tm-store.h"
#include "tm-sync.h"

static void
progress_cb (const char *phase,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  TmCliContext *ctx = user_data;

  if (!ctx->quiet && total > 0)
    fprintf (stderr, "\r%s: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\033[K", phase, done, total);
}

static gpointer
sigint_thread (gpointer data)
{
  GCancellable *cancellable = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) source = g_unix_signal_source_new (SIGINT);

  g_source_set_callback (source, (GSourceFunc)(void (*)(void))g_cancellable_cancel, cancellable, NULL);
  g_source_attach (source, context);
  while (!g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (context, TRUE);
  return NULL;
}

static void
add_int_member (JsonBuilder *b,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
print_report (const TmSyncReport *report,
              gboolean            json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "pushed");
      json_builder_begin_object (b);
      add_int_member (b, "acquisitions", report->pushed_acquisitions);
      add_int_member (b, "originals", report->pushed_originals);
      add_int_member (b, "leads", report->pushed_leads);
      add_int_member (b, "lead_events", report->pushed_events);
      add_int_member (b, "lead_members", report->pushed_members);
      add_int_member (b, "hits", report->pushed_hits);
      add_int_member (b, "audit", report->pushed_audit);
      add_int_member (b, "withheld", report->withheld);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "pulled");
      json_builder_begin_object (b);
      add_int_member (b, "acquisitions", report->pulled_acquisitions);
      add_int_member (b, "leads", report->pulled_leads);
      add_int_member (b, "lead_events", report->pulled_events);
      add_int_member (b, "lead_members", report->pulled_members);
      add_int_member (b, "hits", report->pulled_hits);
      json_builder_end_object (b);
      add_int_member (b, "identical", report->identical);
      add_int_member (b, "quarantined", report->quarantined);
      json_builder_set_member_name (b, "messages");
      json_builder_begin_array (b);
      for (guint i = 0; i < report->messages->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (report->messages, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, TRUE);
      printf ("%s\n", text);
      return;
    }
  printf ("pushed: %u acquisitions (%u originals), %u leads, %u lead events, %u lead members, %u hits, "
          "%u audit rows; %u withheld (point-of-sale/manufacturer, NIBIN hub)\n",
          report->pushed_acquisitions, report->pushed_originals, report->pushed_leads,
          report->pushed_events, report->pushed_members, report->pushed_hits, report->pushed_audit,
          report->withheld);
  printf ("pulled: %u acquisitions, %u leads, %u lead events, %u lead members, %u hits; %u already here\n",
          report->pulled_acquisitions, report->pulled_leads, report->pulled_events,
          report->pulled_members, report->pulled_hits, report->identical);
  printf ("quarantined: %u\n", report->quarantined);
  for (guint i = 0; i < report->messages->len; i++)
    printf ("  %s\n", (const char *)g_ptr_array_index (report->messages, i));
}

static int
list_quarantine (TmStore  *store,
                 gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = tm_sync_list_quarantine (store, &error);

  if (items == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < items->len; i++)
        {
          TmSyncQuarantined *item = g_ptr_array_index (items, i);

          json_builder_begin_object (b);
          add_int_member (b, "id", item->id);
          json_builder_set_member_name (b, "at"); json_builder_add_string_value (b, item->at);
          json_builder_set_member_name (b, "source"); json_builder_add_string_value (b, item->source);
          json_builder_set_member_name (b, "entity"); json_builder_add_string_value (b, item->entity);
          json_builder_set_member_name (b, "uuid"); json_builder_add_string_value (b, item->uuid);
          json_builder_set_member_name (b, "reason"); json_builder_add_string_value (b, item->reason);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, TRUE);
      printf ("%s\n", text);
      return 0;
    }
  for (guint i = 0; i < items->len; i++)
    {
      TmSyncQuarantined *item = g_ptr_array_index (items, i);

      printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\t%s\n", item->id, item->at, item->source,
              item->entity, item->uuid, item->reason);
    }
  return 0;
}

int
tm_cli_sync (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(GStrv) scope_sites = NULL;
  g_auto(GStrv) scope_calibres = NULL;
  gboolean push_only = FALSE, pull_only = FALSE, json = FALSE;
  int batch = 0;
  TmSyncOptions options = { 0 };
  TmSyncReport report;
  gboolean ok;
  GOptionEntry entries[] = {
    { "scope-site", 0, 0, G_OPTION_ARG_STRING_ARRAY, &scope_sites, N_("Pull only the acquisitions of this site (UUID; repeatable; default every site)"), N_("UUID") },
    { "scope-calibre", 0, 0, G_OPTION_ARG_STRING_ARRAY, &scope_calibres, N_("Pull only acquisitions of this calibre (repeatable; default all)"), N_("C") },
    { "push-only", 0, 0, G_OPTION_ARG_NONE, &push_only, N_("Only push"), NULL },
    { "pull-only", 0, 0, G_OPTION_ARG_NONE, &pull_only, N_("Only pull"), NULL },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Records per transaction (default 200)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the report (or the quarantine) as JSON"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("sync", "URL | quarantine | fetch URL ID",
                     _("Push what this site created since its last push to the hub at URL, then pull what "
                       "other sites created within the search scope. 'quarantine' lists the remote records "
                       "that were not applied; 'fetch' brings a remote acquisition's original from the hub."),
                     entries, &argc, &argv))
    return 2;
  if (argc < 2)
    {
      tm_cli_error ("sync: give the hub's URL (e.g. postgresql://user@host/hub)");
      return 2;
    }
  if (batch < 0)
    {
      tm_cli_error ("sync: --batch must be a positive number");
      return 2;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  if (g_str_equal (argv[1], "quarantine") && argc == 2)
    return list_quarantine (store, json);
  if (g_str_equal (argv[1], "fetch"))
    {
      g_autoptr(TmAcquisition) acquisition = NULL;
      g_autoptr(GBytes) bytes = NULL;

      if (argc != 4)
        {
          tm_cli_error ("sync fetch: give the hub's URL and one acquisition id");
          return 2;
        }
      acquisition = tm_store_find_acquisition (store, argv[3], &error);
      if (acquisition != NULL)
        bytes = tm_sync_fetch_original (store, argv[2], tm_acquisition_get_id (acquisition), &error);
      if (bytes == NULL)
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
      if (!ctx->quiet)
        printf ("%s\t%zu bytes\n", tm_acquisition_get_sha256 (acquisition), g_bytes_get_size (bytes));
      return 0;
    }
  if (argc != 2)
    {
      tm_cli_error ("sync: give exactly one hub URL");
      return 2;
    }

  options.scope_sites = (const char * const *)scope_sites;
  options.scope_calibres = (const char * const *)scope_calibres;
  options.batch_size = (guint)batch;
  options.push = push_only || !pull_only;
  options.pull = pull_only || !push_only;

  g_thread_unref (g_thread_new ("sigint", sigint_thread, cancellable));
  tm_sync_report_init (&report);
  ok = tm_sync_run (store, argv[1], &options, &report, progress_cb, ctx, cancellable, &error);
  if (!ctx->quiet && !json)
    fprintf (stderr, "\r\033[K");
  print_report (&report, json);
  tm_sync_report_clear (&report);
  if (!ok)
    {
      tm_cli_error ("%s", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? 130 : 1;
    }
  return 0;
}
