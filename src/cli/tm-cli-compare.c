/* tm-cli-compare.c — `toolmark-cli compare A B`: registration and CMC of two scans
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output (--json):
 *   { "a": {"file"}, "b": {"file"},
 *     "score": combined CMC (higher = more similar),
 *     "cmc": {"a_to_b", "b_to_a"}, "initial_cmc": {"a_to_b", "b_to_a"},
 *     "accf": areal CCF maximum, "angle_deg": rotation A → B in [0, 360),
 *     "shift_um": {"x", "y"}, "seconds": comparison time (preprocessing excluded),
 *     "cells": {"a_to_b": [cell…], "b_to_a": [cell…]} }
 * where a cell is {"x_um", "y_um", "w_um", "h_um", "angle_deg", "dx_um", "dy_um", "ccf",
 * "congruent"}: its rectangle on the reference scan and its own pose.
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli.h"
#include "tm-comparison.h"
#include "tm-preprocess.h"
#include "tm-x3p.h"

static TmSurface *
load_preprocessed (const char  *path,
                   GError     **error)
{
  g_autoptr(TmSurface) raw = tm_x3p_read_file (path, error);
  g_autoptr(GError) local = NULL;
  TmSurface *prep;

  if (raw == NULL)
    return NULL;
  prep = tm_preprocess_surface (raw, NULL, NULL, NULL, &local);
  if (prep == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_set_error (error, local->domain, local->code, "%s: %s", base, local->message);
    }
  return prep;
}

static JsonNode *
cells_to_json (TmComparison          *cmp,
               TmComparisonDirection  direction)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n;
  const TmCmcCell *cells = tm_comparison_get_cells (cmp, direction, &n);

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "x_um");
      json_builder_add_double_value (b, cells[i].x_um);
      json_builder_set_member_name (b, "y_um");
      json_builder_add_double_value (b, cells[i].y_um);
      json_builder_set_member_name (b, "w_um");
      json_builder_add_double_value (b, cells[i].w_um);
      json_builder_set_member_name (b, "h_um");
      json_builder_add_double_value (b, cells[i].h_um);
      json_builder_set_member_name (b, "angle_deg");
      json_builder_add_double_value (b, cells[i].angle_deg);
      json_builder_set_member_name (b, "dx_um");
      json_builder_add_double_value (b, cells[i].dx_um);
      json_builder_set_member_name (b, "dy_um");
      json_builder_add_double_value (b, cells[i].dy_um);
      json_builder_set_member_name (b, "ccf");
      json_builder_add_double_value (b, cells[i].ccf);
      json_builder_set_member_name (b, "congruent");
      json_builder_add_boolean_value (b, cells[i].congruent);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static void
print_json (TmComparison *cmp,
            const char   *file_a,
            const char   *file_b)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "a");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, file_a);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "b");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, file_b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, tm_comparison_get_score (cmp));
  json_builder_set_member_name (b, "cmc");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "a_to_b");
  json_builder_add_int_value (b, tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B));
  json_builder_set_member_name (b, "b_to_a");
  json_builder_add_int_value (b, tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "initial_cmc");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "a_to_b");
  json_builder_add_int_value (b, tm_comparison_get_initial_cmc (cmp, TM_COMPARISON_A_TO_B));
  json_builder_set_member_name (b, "b_to_a");
  json_builder_add_int_value (b, tm_comparison_get_initial_cmc (cmp, TM_COMPARISON_B_TO_A));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "accf");
  json_builder_add_double_value (b, tm_comparison_get_accf (cmp));
  json_builder_set_member_name (b, "angle_deg");
  json_builder_add_double_value (b, tm_comparison_get_angle_deg (cmp));
  json_builder_set_member_name (b, "shift_um");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "x");
  json_builder_add_double_value (b, tm_comparison_get_dx_um (cmp));
  json_builder_set_member_name (b, "y");
  json_builder_add_double_value (b, tm_comparison_get_dy_um (cmp));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, tm_comparison_get_seconds (cmp));
  json_builder_set_member_name (b, "cells");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "a_to_b");
  json_builder_add_value (b, cells_to_json (cmp, TM_COMPARISON_A_TO_B));
  json_builder_set_member_name (b, "b_to_a");
  json_builder_add_value (b, cells_to_json (cmp, TM_COMPARISON_B_TO_A));
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

static void
print_text (TmComparison *cmp)
{
  static const char *names[2] = { "A → B", "B → A" };

  printf ("score: %.1f\n", tm_comparison_get_score (cmp));
  printf ("cmc: %u (A → B), %u (B → A)\n",
          tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B),
          tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A));
  printf ("accf: %.3f\n", tm_comparison_get_accf (cmp));
  printf ("angle: %.2f°\n", tm_comparison_get_angle_deg (cmp));
  printf ("shift: %.1f, %.1f µm\n", tm_comparison_get_dx_um (cmp),
          tm_comparison_get_dy_um (cmp));
  printf ("time: %.1f ms\n", tm_comparison_get_seconds (cmp) * 1e3);
  for (int d = 0; d < 2; d++)
    {
      guint n;
      const TmCmcCell *cells = tm_comparison_get_cells (cmp, d, &n);

      printf ("cells %s (x, y, size µm; angle; shift µm; ccf; congruent):\n", names[d]);
      for (guint i = 0; i < n; i++)
        printf ("  %6.0f %6.0f %4.0f  %6.1f°  %7.1f %7.1f  %.3f  %s\n",
                cells[i].x_um, cells[i].y_um, cells[i].w_um, cells[i].angle_deg,
                cells[i].dx_um, cells[i].dy_um, cells[i].ccf,
                cells[i].congruent ? "yes" : "no");
    }
}

int
tm_cli_compare (TmCliContext *ctx,
                int           argc,
                char        **argv)
{
  g_autoptr(TmSurface) a = NULL;
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(TmComparison) cmp = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("compare", "A.x3p B.x3p",
                     _("Compare two scans: full-circle registration and congruent matching "
                       "cells in both directions. Each scan is preprocessed first."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("compare: give exactly two scan files");
      return 2;
    }
  a = load_preprocessed (argv[1], &error);
  if (a != NULL)
    b = load_preprocessed (argv[2], &error);
  if (b != NULL)
    cmp = tm_compare_surfaces (a, b, NULL, NULL, &error);
  if (cmp == NULL)
    {
      tm_cli_error ("compare: %s", error->message);
      return 1;
    }
  if (json)
    print_json (cmp, argv[1], argv[2]);
  else
    print_text (cmp);
  return 0;
}
