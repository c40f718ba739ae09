/* tm-cli-hit.c — `toolmark-cli hit confirm|list`: an examiner's conclusion on a lead
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-workflow.h"

static JsonNode *
hit_to_json (const TmHit *hit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, hit->id);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, hit->uuid);
  json_builder_set_member_name (b, "lead");
  json_builder_add_int_value (b, hit->lead_id);
  json_builder_set_member_name (b, "lead_uuid");
  json_builder_add_string_value (b, hit->lead_uuid);
  json_builder_set_member_name (b, "examiner");
  json_builder_add_string_value (b, hit->examiner);
  json_builder_set_member_name (b, "confirmed_at");
  json_builder_add_string_value (b, hit->confirmed_at);
  json_builder_set_member_name (b, "n_hits");
  json_builder_add_int_value (b, hit->n_hits);
  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (guint i = 0; hit->case_numbers[i] != NULL; i++)
    json_builder_add_string_value (b, hit->case_numbers[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
hit_confirm (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  g_autofree char *conclusion = NULL;
  g_autofree char *note = NULL;
  gint64 hit_id = 0;
  GOptionEntry entries[] = {
    { "conclusion", 0, 0, G_OPTION_ARG_STRING, &conclusion,
      N_("identification, inconclusive, elimination or unsuitable"), "C" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("The examiner's notes"), "TEXT" },
    { NULL }
  };

  if (!tm_cli_parse ("hit confirm", "LEAD",
                     _("Record an examiner's conclusion on a lead; an identification makes a hit."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2 || conclusion == NULL)
    {
      tm_cli_error ("hit confirm: give a LEAD and --conclusion");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (lead = tm_store_get_lead (store, argv[1], &error)) == NULL ||
      !tm_store_confirm_lead (store, tm_lead_get_id (lead), conclusion, note, ctx->user, &hit_id, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (hit_id > 0)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, hit_id);
      g_autoptr(TmHit) hit = tm_store_get_hit (store, id_text, &error);
      g_autofree char *cases = NULL;

      if (hit == NULL)
        {
          tm_cli_error ("%s", error->message);
          return 1;
        }
      cases = g_strjoinv (", ", hit->case_numbers);
      printf ("%" G_GINT64_FORMAT "\thit on lead %" G_GINT64_FORMAT ": %u new case link%s (%s)\n",
              hit->id, hit->lead_id, hit->n_hits, hit->n_hits == 1 ? "" : "s", cases);
    }
  else if (!ctx->quiet)
    printf ("%s recorded on lead %" G_GINT64_FORMAT "\n", conclusion, tm_lead_get_id (lead));
  return 0;
}

static int
hit_list (TmCliContext *ctx,
          int           argc,
          char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gboolean json = FALSE;
  guint total = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("hit list", "", _("List the hits, newest first, with their ATF count."),
                     entries, &argc, &argv))
    return 2;
  store = tm_cli_open_store (ctx, &error);
  if (store != NULL)
    hits = tm_store_list_hits (store, &error);
  if (hits == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < hits->len; i++)
        json_array_add_element (array, hit_to_json (g_ptr_array_index (hits, i)));
      json_node_take_array (root, array);
      tm_cli_print_json (root);
      return 0;
    }
  printf ("%4s  %5s  %6s  %-16s  %-12s  %s\n", "HIT", "LEAD", "N_HITS", "CONFIRMED", "EXAMINER", "CASES");
  for (guint i = 0; i < hits->len; i++)
    {
      TmHit *hit = g_ptr_array_index (hits, i);
      g_autofree char *cases = g_strjoinv (", ", hit->case_numbers);

      printf ("%4" G_GINT64_FORMAT "  %5" G_GINT64_FORMAT "  %6u  %.16s  %-12s  %s\n", hit->id, hit->lead_id,
              hit->n_hits, hit->confirmed_at, hit->examiner, cases);
      total += hit->n_hits;
    }
  printf ("\n%u hit%s (ATF count) from %u identification%s\n", total, total == 1 ? "" : "s",
          hits->len, hits->len == 1 ? "" : "s");
  return 0;
}

int
tm_cli_hit (TmCliContext *ctx,
            int           argc,
            char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "confirm", hit_confirm, N_("Record a conclusion on a lead (examiners)") },
    { "list", hit_list, N_("The hits and their ATF count") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "hit", subcommands, argc, argv);
}
