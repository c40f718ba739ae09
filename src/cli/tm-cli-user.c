/* tm-cli-user.c — `toolmark-cli user add|list|set-role|deactivate`, and the store opening
 * every workflow command shares (with the --user rule)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli-workflow.h"
#include "tm-users.h"

TmStore *
tm_cli_open_existing_store (TmCliContext  *ctx,
                            GError       **error)
{
  /* Only 'init' creates a database: a mistyped --db must not look empty. */
  if (!g_file_test (ctx->db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_OPEN,
                   "%s: no database here (create one with 'toolmark-cli init')", ctx->db_path);
      return NULL;
    }
  return tm_store_open (ctx->db_path, error);
}

TmStore *
tm_cli_open_store (TmCliContext  *ctx,
                   GError       **error)
{
  g_autoptr(TmStore) store = NULL;
  const char *os_login = g_get_user_name ();

  store = tm_cli_open_existing_store (ctx, error);
  if (store == NULL)
    return NULL;
  /* --user acts as someone else: fine for a registered user (scripts, tests), and for an
   * administrator setting things up; anyone else would put words in a stranger's mouth. */
  if (g_strcmp0 (ctx->user, os_login) != 0 &&
      !tm_store_check_permission (store, os_login, TM_PERMISSION_MANAGE_USERS, NULL) &&
      !tm_store_check_permission (store, ctx->user, TM_PERMISSION_READ, NULL))
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION,
                   "--user %s: not an active user of %s, and '%s' is not an administrator who may act for them",
                   ctx->user, ctx->db_path, os_login);
      return NULL;
    }
  return g_steal_pointer (&store);
}

void
tm_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

gboolean
tm_cli_parse_id (const char  *text,
                 const char  *what,
                 gint64      *out_id)
{
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      *out_id = (gint64)value;
      return TRUE;
    }
  tm_cli_error ("'%s' is not a %s id (a positive number)", text ? text : "", what);
  return FALSE;
}

static int
user_list (TmCliContext *ctx,
           int           argc,
           char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array of objects"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("user list", "", _("List the users and their roles."), entries, &argc, &argv))
    return 2;
  store = tm_cli_open_store (ctx, &error);
  if (store != NULL)
    users = tm_store_list_users (store, &error);
  if (users == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < users->len; i++)
        {
          TmUser *user = g_ptr_array_index (users, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "login");
          json_builder_add_string_value (builder, user->login);
          json_builder_set_member_name (builder, "display_name");
          json_builder_add_string_value (builder, user->display_name);
          json_builder_set_member_name (builder, "role");
          json_builder_add_string_value (builder, user->role);
          json_builder_set_member_name (builder, "active");
          json_builder_add_boolean_value (builder, user->active);
          json_builder_set_member_name (builder, "created_at");
          json_builder_add_string_value (builder, user->created_at);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      tm_cli_print_json (root);
      return 0;
    }
  printf ("%-16s  %-13s  %-8s  %s\n", "LOGIN", "ROLE", "ACTIVE", "NAME");
  for (guint i = 0; i < users->len; i++)
    {
      TmUser *user = g_ptr_array_index (users, i);

      printf ("%-16s  %-13s  %-8s  %s\n", user->login, user->role, user->active ? "yes" : "no",
              user->display_name ? user->display_name : "-");
    }
  return 0;
}

static int
user_add (TmCliContext *ctx,
          int           argc,
          char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *role = NULL;
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("technician, examiner, supervisor or administrator"), "ROLE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The person's full name"), "NAME" },
    { NULL }
  };

  if (!tm_cli_parse ("user add", "LOGIN", _("Register a user with a role (administrators only)."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2 || role == NULL)
    {
      tm_cli_error ("user add: give one LOGIN and --role ROLE");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || !tm_store_add_user_as (store, ctx->user, argv[1], name, role, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s\t%s\n", argv[1], role);
  return 0;
}

static int
user_set_role (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = { { NULL } };

  if (!tm_cli_parse ("user set-role", "LOGIN ROLE", _("Change a user's role (administrators only)."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("user set-role: give LOGIN and ROLE");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || !tm_store_set_user_role (store, ctx->user, argv[1], argv[2], &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

static int
user_deactivate (TmCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = { { NULL } };

  if (!tm_cli_parse ("user deactivate", "LOGIN",
                     _("Stop a user from doing anything more; their history keeps their name."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("user deactivate: give one LOGIN");
      return 2;
    }
  store = tm_cli_open_store (ctx, &error);
  if (store == NULL || !tm_store_deactivate_user (store, ctx->user, argv[1], &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}

int
tm_cli_run_subcommand (TmCliContext              *ctx,
                       const char                *command,
                       const TmCliSubcommand     *subcommands,
                       int                        argc,
                       char                     **argv)
{
  /* "--help" is an answer, not a mistake: usage on stdout and success, as the
   * commands without subcommands do (the man pages are generated from it). */
  gboolean asked_help = argc >= 2 && (g_str_equal (argv[1], "--help") ||
                                      g_str_equal (argv[1], "-h") ||
                                      g_str_equal (argv[1], "help"));
  FILE *out = asked_help ? stdout : stderr;

  if (argc >= 2)
    for (guint i = 0; subcommands[i].name != NULL; i++)
      if (g_str_equal (argv[1], subcommands[i].name))
        return subcommands[i].func (ctx, argc - 1, argv + 1);
  fprintf (out, "Usage: toolmark-cli %s SUBCOMMAND [OPTIONS…]\n\nSubcommands:\n", command);
  for (guint i = 0; subcommands[i].name != NULL; i++)
    fprintf (out, "  %-12s %s\n", subcommands[i].name, _(subcommands[i].summary));
  if (asked_help)
    return 0;
  if (argc >= 2)
    tm_cli_error ("%s: unknown subcommand '%s'", command, argv[1]);
  return 2;
}

int
tm_cli_user (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  static const TmCliSubcommand subcommands[] = {
    { "add", user_add, N_("Register a user with a role") },
    { "list", user_list, N_("List the users") },
    { "set-role", user_set_role, N_("Change a user's role") },
    { "deactivate", user_deactivate, N_("Stop a user from acting") },
    { NULL }
  };

  return tm_cli_run_subcommand (ctx, "user", subcommands, argc, argv);
}
