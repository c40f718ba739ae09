/* tm-cli-audit.c — `toolmark-cli audit verify|show`: the hash-chained history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-audit.h"
#include "tm-cli-workflow.h"
#include "tm-workflow.h"

static int
audit_verify (TmCliContext *ctx,
              int           argc,
              char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GOptionEntry entries[] = { { NULL } };
  gint64 n_rows = 0;
  gint64 t0;

  if (!tm_cli_parse ("audit verify", "",
                     _("Re-hash the audit log; names any edited, deleted or reordered row."),
                     entries, &argc, &argv))
    return 2;
  store = tm_cli_open_store (ctx, &error);
  t0 = g_get_monotonic_time ();
  if (store == NULL || !tm_audit_verify (store, &problems, &n_rows, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  for (guint i = 0; i < problems->len; i++)
    printf ("%s\n", (char *)g_ptr_array_index (problems, i));
  if (problems->len > 0)
    {
      tm_cli_error ("%s: the audit log has been tampered with (%u problem%s in %" G_GINT64_FORMAT " rows)",
                    ctx->db_path, problems->len, problems->len == 1 ? "" : "s", n_rows);
      return 1;
    }
  if (!ctx->quiet)
    printf ("audit log intact: %" G_GINT64_FORMAT " rows, hash chain verified in %.3f s\n",
            n_rows, (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

/* "12" (an acquisition), "lead:3", "hit:2", "case:REF", "user:LOGIN" or a UUID. */
static char *
resolve_entity (TmStore     *store,
                const char  *text,
                GError     **error)
{
  if (g_str_has_prefix (text, "lead:"))
    {
      g_autoptr(TmLead) lead = tm_store_get_lead (store, text + 5, error);
      return lead ? g_strdup (tm_lead_get_uuid (lead)) : NULL;
    }
  if (g_str_has_prefix (text, "hit:"))
    {
      g_autoptr(TmHit) hit = tm_store_get_hit (store, text + 4, error);
      return hit ? g_strdup (hit->uuid) : NULL;
    }
  if (g_str_has_prefix (text, "user:"))
    return g_strdup (text + 5);
  if (g_str_has_prefix (text, "case:"))
    {
      gint64 id = tm_store_find_case (store, text + 5, error);

      return id != 0 ? tm_store_get_case_uuid (store, id, error) : NULL;
    }
  if (g_uuid_string_is_valid (text))
    return g_ascii_strdown (text, -1);
  {
    g_autoptr(TmAcquisition) acquisition = tm_store_find_acquisition (store, text, error);

    if (acquisition == NULL)
      {
        g_prefix_error (error, "audit show: give an acquisition id, lead:N, hit:N, case:NUMBER, user:LOGIN "
                               "or a UUID: ");
        return NULL;
      }
    return g_strdup (tm_acquisition_get_uuid (acquisition));
  }
}

static int
audit_show (TmCliContext *ctx,
            int           argc,
            char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries_list = NULL;
  g_autofree char *entity = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("audit show", "[ID|lead:N|hit:N|case:NUMBER|user:LOGIN|UUID]",
                     _("The audit history of one item (an acquisition id by default), or of everything."),
                     entries, &argc, &argv))
    return 2;
  if (argc > 2)
    {
      tm_cli_error ("audit show: give at most one item");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || (argc == 2 && (entity = resolve_entity (store, argv[1], &error)) == NULL) ||
      (entries_list = tm_audit_list (store, entity, &error)) == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < entries_list->len; i++)
        {
          TmAuditEntry *e = g_ptr_array_index (entries_list, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "seq");
          json_builder_add_int_value (b, e->seq);
#define MEMBER(name) json_builder_set_member_name (b, #name); json_builder_add_string_value (b, e->name)
          MEMBER (uuid);
          MEMBER (at);
          MEMBER (user);
          MEMBER (site);
          MEMBER (action);
          MEMBER (entity_type);
          MEMBER (entity_uuid);
#undef MEMBER
          json_builder_set_member_name (b, "details");
          json_builder_add_value (b, json_from_string (e->details, NULL));
          json_builder_set_member_name (b, "hash");
          json_builder_add_string_value (b, e->hash);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      tm_cli_print_json (root);
      return 0;
    }
  printf ("%6s  %-19s  %-12s  %-28s  %-11s  %s\n", "SEQ", "AT", "USER", "ACTION", "ENTITY", "DETAILS");
  for (guint i = 0; i < entries_list->len; i++)
    {
      TmAuditEntry *e = g_ptr_array_index (entries_list, i);

      printf ("%6" G_GINT64_FORMAT "  %.19s  %-12s  %-28s  %-11s  %s\n", e->seq, e->at, e->user, e->action,
              e->entity_type, e->details);
    }
  return 0;
}

int
tm_cli_audit (TmCliContext *ctx,
              int           argc,
              char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "verify", audit_verify, N_("Check the hash chain; exit 1 naming any tampered row") },
    { "show", audit_show, N_("The history of an item, or of everything") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "audit", subcommands, argc, argv);
}
