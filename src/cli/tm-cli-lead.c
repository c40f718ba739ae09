/* tm-cli-lead.c — `toolmark-cli lead create|add|show|list|note|feedback` and `review`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `lead create` prints the new lead's id first on its line (then a tab and its UUID),
 * so scripts can take it with `cut -f1`.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-workflow.h"

static gboolean
resolve_acquisition (TmStore     *store,
                     const char  *text,
                     gint64      *out_id,
                     GError     **error)
{
  g_autoptr(TmAcquisition) acquisition = tm_store_find_acquisition (store, text, error);

  if (acquisition == NULL)
    return FALSE;
  *out_id = tm_acquisition_get_id (acquisition);
  return TRUE;
}

static TmLead *
resolve_lead (TmStore     *store,
              const char  *text,
              GError     **error)
{
  return tm_store_get_lead (store, text, error);
}

static JsonNode *
lead_to_json (TmLead *lead)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *members = tm_lead_get_members (lead);
  GPtrArray *events = tm_lead_get_events (lead);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, tm_lead_get_id (lead));
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, tm_lead_get_uuid (lead));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, tm_lead_get_status (lead));
  json_builder_set_member_name (b, "conclusion");
  json_builder_add_string_value (b, tm_lead_get_conclusion (lead));
  json_builder_set_member_name (b, "outcome");
  json_builder_add_string_value (b, tm_lead_get_outcome (lead));
  json_builder_set_member_name (b, "created_by");
  json_builder_add_string_value (b, tm_lead_get_created_by (lead));
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, tm_lead_get_created_at (lead));
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  for (guint i = 0; i < members->len; i++)
    {
      TmLeadMember *m = g_ptr_array_index (members, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, m->acquisition_id);
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, m->acquisition_uuid);
      json_builder_set_member_name (b, "case_number");
      json_builder_add_string_value (b, m->case_number);
      json_builder_set_member_name (b, "exhibit");
      json_builder_add_string_value (b, m->exhibit);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, m->file);
      json_builder_set_member_name (b, "added_by");
      json_builder_add_string_value (b, m->added_by);
      json_builder_set_member_name (b, "added_at");
      json_builder_add_string_value (b, m->added_at);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  for (guint i = 0; i < events->len; i++)
    {
      TmLeadEvent *e = g_ptr_array_index (events, i);
      JsonNode *payload = json_from_string (e->payload, NULL);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, e->uuid);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, e->kind);
      json_builder_set_member_name (b, "payload");
      json_builder_add_value (b, payload != NULL ? payload : json_node_new (JSON_NODE_NULL));
      json_builder_set_member_name (b, "user");
      json_builder_add_string_value (b, e->user);
      json_builder_set_member_name (b, "at");
      json_builder_add_string_value (b, e->at);
      json_builder_set_member_name (b, "origin_site");
      json_builder_add_string_value (b, e->origin_site);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
lead_create (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(TmLead) lead = NULL;
  g_autofree char *note = NULL;
  g_autofree char *id_text = NULL;
  gint64 run = 0;
  gint64 lead_id;
  GOptionEntry entries[] = {
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("A first note"), "TEXT" },
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, N_("The correlation run the link was found in"), "RUN" },
    { NULL }
  };

  if (!tm_cli_parse ("lead create", "ID ID…",
                     _("Link two or more acquisitions of different exhibits as a lead; prints its id."),
                     entries, &argc, &argv))
    return 2;
  if (argc < 3)
    {
      tm_cli_error ("lead create: give two or more acquisition ids or UUIDs");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL)
    goto fail;
  for (int i = 1; i < argc; i++)
    {
      gint64 id;

      if (!resolve_acquisition (store, argv[i], &id, &error))
        goto fail;
      g_array_append_val (ids, id);
    }
  lead_id = tm_store_create_lead (store, (const gint64 *)ids->data, ids->len, note, run, ctx->user, &error);
  if (lead_id == 0)
    goto fail;
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
  lead = tm_store_get_lead (store, id_text, &error);
  if (lead == NULL)
    goto fail;
  printf ("%" G_GINT64_FORMAT "\t%s\n", lead_id, tm_lead_get_uuid (lead));
  return 0;

fail:
  tm_cli_error ("%s", error->message);
  return 1;
}

static int
lead_add (TmCliContext *ctx,
          int           argc,
          char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  gint64 run = 0;
  gint64 id;
  GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_INT64, &run, N_("The correlation run the link was found in"), "RUN" },
    { NULL }
  };

  if (!tm_cli_parse ("lead add", "LEAD ID", _("Link one more acquisition into a lead."), entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("lead add: give a LEAD and one acquisition ID");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (lead = resolve_lead (store, argv[1], &error)) == NULL ||
      !resolve_acquisition (store, argv[2], &id, &error) ||
      !tm_store_add_to_lead (store, tm_lead_get_id (lead), id, run, ctx->user, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

static void
print_lead (TmLead *lead)
{
  GPtrArray *members = tm_lead_get_members (lead);
  GPtrArray *events = tm_lead_get_events (lead);

  printf ("lead %" G_GINT64_FORMAT "  %s\n", tm_lead_get_id (lead), tm_lead_get_uuid (lead));
  printf ("status:      %s\n", tm_lead_get_status (lead));
  printf ("conclusion:  %s\n", tm_lead_get_conclusion (lead) ? tm_lead_get_conclusion (lead) : "-");
  printf ("outcome:     %s\n", tm_lead_get_outcome (lead) ? tm_lead_get_outcome (lead) : "-");
  printf ("created:     %s by %s\n\n", tm_lead_get_created_at (lead), tm_lead_get_created_by (lead));
  printf ("%6s  %-16s  %-10s  %-24s  %s\n", "ID", "CASE", "EXHIBIT", "ADDED", "FILE");
  for (guint i = 0; i < members->len; i++)
    {
      TmLeadMember *m = g_ptr_array_index (members, i);
      g_autofree char *added = g_strdup_printf ("%.16s %s", m->added_at, m->added_by);

      printf ("%6" G_GINT64_FORMAT "  %-16s  %-10s  %-24s  %s\n", m->acquisition_id, m->case_number,
              m->exhibit, added, m->file);
    }
  printf ("\n");
  for (guint i = 0; i < events->len; i++)
    {
      TmLeadEvent *e = g_ptr_array_index (events, i);

      printf ("%.19s  %-12s  %-14s  %s\n", e->at, e->user, e->kind, e->payload);
    }
}

static int
lead_show (TmCliContext *ctx,
           int           argc,
           char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("lead show", "LEAD", _("Show a lead: members and history."), entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("lead show: give one LEAD id or UUID");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (lead = resolve_lead (store, argv[1], &error)) == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonNode) node = lead_to_json (lead);
      tm_cli_print_json (node);
    }
  else
    print_lead (lead);
  return 0;
}

static int
lead_list (TmCliContext *ctx,
           int           argc,
           char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("lead list", "", _("List the leads, newest first."), entries, &argc, &argv))
    return 2;
  store = tm_cli_open_store (ctx, &error);
  if (store != NULL)
    leads = tm_store_list_leads (store, &error);
  if (leads == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < leads->len; i++)
        json_array_add_element (array, lead_to_json (g_ptr_array_index (leads, i)));
      json_node_take_array (root, array);
      tm_cli_print_json (root);
      return 0;
    }
  printf ("%5s  %-12s  %7s  %-16s  %-12s  %s\n", "LEAD", "STATUS", "MEMBERS", "CREATED", "BY", "CASES");
  for (guint i = 0; i < leads->len; i++)
    {
      TmLead *lead = g_ptr_array_index (leads, i);
      GPtrArray *members = tm_lead_get_members (lead);
      g_autoptr(GString) cases = g_string_new (NULL);

      for (guint m = 0; m < members->len; m++)
        {
          const char *number = ((TmLeadMember *)g_ptr_array_index (members, m))->case_number;

          if (strstr (cases->str, number) == NULL)
            g_string_append_printf (cases, "%s%s", cases->len ? ", " : "", number);
        }
      printf ("%5" G_GINT64_FORMAT "  %-12s  %7u  %.16s  %-12s  %s\n", tm_lead_get_id (lead),
              tm_lead_get_status (lead), members->len, tm_lead_get_created_at (lead),
              tm_lead_get_created_by (lead), cases->str);
    }
  return 0;
}

static int
lead_note (TmCliContext *ctx,
           int           argc,
           char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  GOptionEntry entries[] = { { NULL } };

  if (!tm_cli_parse ("lead note", "LEAD TEXT", _("Add a note to a lead."), entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("lead note: give a LEAD and the TEXT (quoted)");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (lead = resolve_lead (store, argv[1], &error)) == NULL ||
      !tm_store_add_lead_note (store, tm_lead_get_id (lead), argv[2], ctx->user, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

static int
lead_feedback (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmLead) lead = NULL;
  g_autofree char *outcome = NULL;
  g_autofree char *note = NULL;
  GOptionEntry entries[] = {
    { "outcome", 0, 0, G_OPTION_ARG_STRING, &outcome,
      N_("arrest, suspect-identified, linked-prior-investigation or no-action"), "O" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, N_("What the investigator said"), "TEXT" },
    { NULL }
  };

  if (!tm_cli_parse ("lead feedback", "LEAD", _("Record what the lead led to (investigator feedback)."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2 || outcome == NULL)
    {
      tm_cli_error ("lead feedback: give a LEAD and --outcome");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (lead = resolve_lead (store, argv[1], &error)) == NULL ||
      !tm_store_add_lead_feedback (store, tm_lead_get_id (lead), outcome, note, ctx->user, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

int
tm_cli_lead (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "create", lead_create, N_("Link acquisitions of different exhibits as a lead") },
    { "add", lead_add, N_("Link one more acquisition") },
    { "show", lead_show, N_("Members and history of a lead") },
    { "list", lead_list, N_("Every lead, newest first") },
    { "note", lead_note, N_("Add a note") },
    { "feedback", lead_feedback, N_("Record the investigator's outcome") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "lead", subcommands, argc, argv);
}

int
tm_cli_review (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = { { NULL } };
  gint64 run, acquisition;
  const char *state;

  if (!tm_cli_parse ("review", "RUN ACQ dismiss|viewed|unreviewed",
                     _("Record a decision on a candidate of a correlation run."), entries, &argc, &argv))
    return 2;
  if (argc != 4)
    {
      tm_cli_error ("review: give RUN, the candidate acquisition ACQ and dismiss, viewed or unreviewed");
      return 2;
    }
  if (!tm_cli_parse_id (argv[1], "correlation run", &run))
    return 2;
  /* "dismiss" is what one types; "dismissed" what is stored. */
  state = g_str_equal (argv[3], "dismiss") ? "dismissed" : argv[3];
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || !resolve_acquisition (store, argv[2], &acquisition, &error) ||
      !tm_store_set_candidate_state (store, run, acquisition, state, ctx->user, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}
