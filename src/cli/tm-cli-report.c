/* tm-cli-report.c — `toolmark-cli report lead ID|hit ID|case ID|stats -o OUT.pdf`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes one of the printed reports of src/core/tm-report.h as an A4 PDF. Reading and
 * reporting is open to every role (supervisors report but change nothing); the user
 * must still be registered, since the report names who generated it.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "tm-cli-workflow.h"
#include "tm-report.h"
#include "tm-store.h"
#include "tm-users.h"

int
tm_cli_report (TmCliContext *ctx,
               int           argc,
               char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *site = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF file to write"), N_("OUT.pdf") },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency,
      N_("Agency named in the page header (default: the local site's name)"), N_("NAME") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("stats: first day (YYYY-MM-DD)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("stats: last day (YYYY-MM-DD)"), N_("DATE") },
    { "site", 0, 0, G_OPTION_ARG_STRING, &site, N_("stats: one site (name or UUID)"), N_("SITE") },
    { NULL }
  };
  TmReportOptions options = { 0 };
  const char *kind;
  gint64 t0;

  if (!tm_cli_parse ("report", "lead ID | hit ID | case ID | stats",
                     _("Write a printed report as an A4 PDF: a lead report for investigators, "
                       "a hit / intelligence report with the chain of custody, the linkage "
                       "chart of a case, or supervisor statistics over a period."),
                     entries, &argc, &argv))
    return 2;
  if (argc < 2)
    {
      tm_cli_error ("report: say which report: lead ID, hit ID, case ID or stats");
      return 2;
    }
  kind = argv[1];
  if (g_str_equal (kind, "stats") ? argc != 2 : argc != 3)
    {
      tm_cli_error ("report: %s takes %s", kind,
                    g_str_equal (kind, "stats") ? "no argument (use --from, --to, --site)"
                                                : "exactly one id");
      return 2;
    }
  if (!g_str_equal (kind, "stats") && (from || to || site))
    {
      tm_cli_error ("report: --from, --to and --site apply to 'report stats' only");
      return 2;
    }
  if (output == NULL)
    {
      tm_cli_error ("report: give the PDF file to write with -o OUT.pdf");
      return 2;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store == NULL || !tm_store_check_permission (store, ctx->user, TM_PERMISSION_REPORT, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  options.agency = agency;
  options.user = ctx->user;
  t0 = g_get_monotonic_time ();
  if (g_str_equal (kind, "lead"))
    report = tm_report_new_lead (store, argv[2], &options, NULL, &error);
  else if (g_str_equal (kind, "hit"))
    report = tm_report_new_hit (store, argv[2], &options, NULL, &error);
  else if (g_str_equal (kind, "case"))
    report = tm_report_new_linkage (store, argv[2], &options, &error);
  else if (g_str_equal (kind, "stats"))
    {
      TmReportStatsRange range = { from, to, site };

      report = tm_report_new_stats (store, &range, &options, &error);
    }
  else
    {
      tm_cli_error ("report: unknown report '%s' (lead, hit, case or stats)", kind);
      return 2;
    }
  if (report == NULL || !tm_report_write_pdf (report, output, &error))
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s\t%u\t%.2f s\n", output, tm_report_get_n_pages (report),
            (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
