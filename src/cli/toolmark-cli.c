/* toolmark-cli.c — the headless front end: every capability of the app, scriptable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-cli.h"

typedef struct
{
  const char       *name;
  TmCliCommandFunc  func;
  const char       *summary;
} TmCliCommand;

static const TmCliCommand commands[] = {
  { "init",    tm_cli_init,    N_("Create (or migrate) the database") },
  { "import",  tm_cli_import,  N_("Import X3P, TIFF or PNG acquisitions") },
  { "list",    tm_cli_list,    N_("List the acquisitions in the database") },
  { "show",    tm_cli_show,    N_("Show one acquisition") },
  { "export",  tm_cli_export,  N_("Export an acquisition as X3P or TIFF") },
  { "verify",  tm_cli_verify,  N_("Check the database and re-hash every stored original") },
  { "synth",   tm_cli_synth,   N_("Write synthetic breech-face scans with a truth table") },
  { "compare", tm_cli_compare, N_("Compare two scans: registration and congruent matching cells") },
  { "transform", tm_cli_transform, N_("Rotate and shift a scan (orientation tests)") },
  { "correlate", tm_cli_correlate, N_("Search one acquisition against the database") },
  { "evaluate", tm_cli_evaluate, N_("Search every acquisition against the rest and score the ranking against a truth table") },
  { "reprocess", tm_cli_reprocess, N_("Recompute preprocessed surfaces and signatures") },
  { "hub",     tm_cli_hub,     N_("Create or migrate a hub (PostgreSQL) that sites sync with") },
  { "sync",    tm_cli_sync,    N_("Push to and pull from a hub; list quarantined records; fetch remote originals") },
  { "package", tm_cli_package, N_("Export or import an exchange package (.tmpkg)") },
  { "report",  tm_cli_report,  N_("Write a lead, hit, case linkage or statistics report as PDF") },
  { "user",    tm_cli_user,    N_("Add, list and change users and their roles") },
  { "review",  tm_cli_review,  N_("Record a decision on a candidate: dismiss, viewed, unreviewed") },
  { "lead",    tm_cli_lead,    N_("Create, extend, annotate and show leads; investigator feedback") },
  { "hit",     tm_cli_hit,     N_("Record an examiner's conclusion on a lead; list the hits") },
  { "case",    tm_cli_case,    N_("Record connections between cases investigators already know of") },
  { "audit",   tm_cli_audit,   N_("Verify the hash-chained audit log; show an item's history") },
  { "microstamp", tm_cli_microstamp, N_("Microstamp codes of acquisitions; the manufacturers' registry") },
};

void
tm_cli_error (const char *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "toolmark-cli: %s\n", message);
}

gboolean
tm_cli_parse (const char    *command,
              const char    *parameter_string,
              const char    *summary,
              GOptionEntry  *entries,
              int           *argc,
              char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *param = g_strdup_printf ("%s %s", command,
                                            parameter_string ? parameter_string : "");

  context = g_option_context_new (param);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      tm_cli_error ("%s: %s", command, error->message);
      fputs (help, stderr);
      return FALSE;
    }
  return TRUE;
}

static void
replace_str (char       **slot,
             const char  *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

static char *
default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "toolmark", "toolmark.db", NULL);
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: toolmark-cli [--db PATH] [--user LOGIN] COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run 'toolmark-cli COMMAND --help' for a command's options."));
}

int
main (int   argc,
      char *argv[])
{
  TmCliContext ctx = { 0 };
  int i;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options come before the command, so each command parses only its own. */
  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--db") && i + 1 < argc)
        replace_str (&ctx.db_path, argv[++i]);
      else if (g_str_has_prefix (arg, "--db="))
        replace_str (&ctx.db_path, arg + 5);
      else if (g_str_equal (arg, "--user") && i + 1 < argc)
        replace_str (&ctx.user, argv[++i]);
      else if (g_str_has_prefix (arg, "--user="))
        replace_str (&ctx.user, arg + 7);
      else if (g_str_equal (arg, "--quiet") || g_str_equal (arg, "-q"))
        ctx.quiet = TRUE;
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          usage (stdout);
          return 0;
        }
      else if (g_str_equal (arg, "--version"))
        {
          printf ("toolmark-cli %s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        break;
    }

  if (i >= argc)
    {
      usage (stderr);
      return 2;
    }

  if (ctx.db_path == NULL)
    ctx.db_path = default_db_path ();
  if (ctx.user == NULL)
    ctx.user = g_strdup (g_get_user_name ());

  status = 2;
  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    if (g_str_equal (argv[i], commands[c].name))
      {
        status = commands[c].func (&ctx, argc - i, argv + i);
        goto out;
      }

  tm_cli_error ("unknown command '%s'", argv[i]);
  usage (stderr);

out:
  g_free (ctx.db_path);
  g_free (ctx.user);
  return status;
}
