/* test-compare-real.c — the comparison on real scans (skips without ../shared/scans)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "tm-comparison.h"
#include "tm-preprocess.h"
#include "tm-registration.h"
#include "tm-test-support.h"
#include "tm-x3p.h"

static TmSurface *
load (const char *relative)
{
  g_autofree char *path = g_build_filename (tm_test_shared_scans (), relative, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TmSurface) raw = tm_x3p_read_file (path, &error);
  TmSurface *prep;

  g_assert_no_error (error);
  prep = tm_preprocess_surface (raw, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return prep;
}

static double
score (TmSurface *a,
       TmSurface *b,
       double    *out_angle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TmComparison) cmp = tm_compare_surfaces (a, b, NULL, NULL, &error);

  g_assert_no_error (error);
  if (out_angle)
    *out_angle = tm_comparison_get_angle_deg (cmp);
  g_test_message ("score %.1f (CMC %u/%u), ACCF %.3f, angle %.1f°, %.0f ms",
                  tm_comparison_get_score (cmp),
                  tm_comparison_get_cmc (cmp, TM_COMPARISON_A_TO_B),
                  tm_comparison_get_cmc (cmp, TM_COMPARISON_B_TO_A),
                  tm_comparison_get_accf (cmp), tm_comparison_get_angle_deg (cmp),
                  tm_comparison_get_seconds (cmp) * 1e3);
  return tm_comparison_get_score (cmp);
}

static gboolean
need_scans (void)
{
  if (tm_test_shared_scans () == NULL)
    {
      g_test_skip ("../shared/scans is not here: the real-scan tests need it");
      return FALSE;
    }
  return TRUE;
}

/* Fadul 1-1 vs 1-2 (same slide) scores clearly above 1-1 vs 2-1 (different slides). */
static void
test_fadul (void)
{
  g_autoptr(TmSurface) a = NULL;
  g_autoptr(TmSurface) km = NULL;
  g_autoptr(TmSurface) knm = NULL;
  double s_km, s_knm;

  if (!need_scans ())
    return;
  a = load ("fadulProcessed/Fadul 1-1.x3p");
  km = load ("fadulProcessed/Fadul 1-2.x3p");
  knm = load ("fadulProcessed/Fadul 2-1.x3p");
  s_km = score (a, km, NULL);
  s_knm = score (a, knm, NULL);
  g_assert_cmpfloat (s_km, >=, 10.0);
  g_assert_cmpfloat (s_knm, <=, 6.0);
  g_assert_cmpfloat (s_km, >=, s_knm + 8.0);
}

/* The same pair with one scan turned by 181° and shifted first: same decision, and the
 * angle found moves by the 181°. */
static void
test_fadul_rotated (void)
{
  g_autofree char *path = NULL;
  g_autoptr(TmSurface) a = NULL;
  g_autoptr(TmSurface) b = NULL;
  g_autoptr(TmSurface) raw = NULL;
  g_autoptr(TmSurface) moved = NULL;
  g_autoptr(TmSurface) bm = NULL;
  g_autoptr(GError) error = NULL;
  double angle, angle_moved, d;

  if (!need_scans ())
    return;
  a = load ("fadulProcessed/Fadul 1-1.x3p");
  b = load ("fadulProcessed/Fadul 1-2.x3p");
  path = g_build_filename (tm_test_shared_scans (), "fadulProcessed", "Fadul 1-2.x3p", NULL);
  raw = tm_x3p_read_file (path, &error);
  g_assert_no_error (error);
  moved = tm_surface_transform (raw, 181.0, 15.0, -10.0);
  bm = tm_preprocess_surface (moved, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpfloat (score (a, b, &angle), >=, 10.0);
  g_assert_cmpfloat (score (a, bm, &angle_moved), >=, 10.0);
  d = fmod (angle_moved - angle - 181.0 + 720.0, 360.0);
  g_assert_cmpfloat (MIN (d, 360.0 - d), <=, 1.0);
}

/* TopMatch: the known-match pair outranks either scan against K227iG3. */
static void
test_topmatch (void)
{
  g_autoptr(TmSurface) a1 = NULL;
  g_autoptr(TmSurface) a2 = NULL;
  g_autoptr(TmSurface) g3 = NULL;
  double km, knm1, knm2;

  if (!need_scans ())
    return;
  a1 = load ("dfsc_topmatch/processed/K013sA1.x3p");
  a2 = load ("dfsc_topmatch/processed/K013sA2.x3p");
  g3 = load ("dfsc_topmatch/processed/K227iG3.x3p");
  km = score (a1, a2, NULL);
  knm1 = score (a1, g3, NULL);
  knm2 = score (a2, g3, NULL);
  g_assert_cmpfloat (km, >, knm1);
  g_assert_cmpfloat (km, >, knm2);
}

/* `transform` then `compare --json` through the CLI: the pose comes back. */
static void
test_cli_transform_compare (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *shift;
  double angle;
  int status;

  if (!need_scans ())
    return;
  tmp = tm_test_make_tmpdir ("engine-cli-XXXXXX");
  in = g_build_filename (tm_test_shared_scans (), "fadulProcessed", "Fadul 1-1.x3p", NULL);
  out = g_build_filename (tmp, "turned.x3p", NULL);
  {
    const char *argv[] = { "transform", "--rotate", "90", "--shift", "5,-3", in, out, NULL };

    status = tm_test_run_cli (argv, NULL, &stderr_text);
    g_assert_cmpint (status, ==, 0);
  }
  {
    const char *argv[] = { "compare", "--json", in, out, NULL };

    g_clear_pointer (&stderr_text, g_free);
    status = tm_test_run_cli (argv, &stdout_text, &stderr_text);
    g_assert_cmpint (status, ==, 0);
  }
  g_assert_true (json_parser_load_from_data (parser, stdout_text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  angle = json_object_get_double_member (root, "angle_deg");
  shift = json_object_get_object_member (root, "shift_um");
  g_test_message ("transform 90°, (5, -3) px → angle %.2f°, shift %.1f, %.1f µm, score %.1f",
                  angle, json_object_get_double_member (shift, "x"),
                  json_object_get_double_member (shift, "y"),
                  json_object_get_double_member (root, "score"));
  g_assert_cmpfloat (fabs (angle - 90.0), <=, 1.0);
  g_assert_cmpfloat (fabs (json_object_get_double_member (shift, "x") - 5 * 6.25), <=, 6.25);
  g_assert_cmpfloat (fabs (json_object_get_double_member (shift, "y") + 3 * 6.25), <=, 6.25);
  g_assert_cmpfloat (json_object_get_double_member (root, "score"), >=, 15.0);
  g_assert_cmpfloat (json_object_get_double_member (root, "accf"), >, 0.8);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (root, "cells"), "a_to_b")), >, 10);
}

static void
test_cli_errors (void)
{
  g_autofree char *stderr_text = NULL;
  const char *argv[] = { "compare", "/nonexistent/a.x3p", "/nonexistent/b.x3p", NULL };
  const char *argv2[] = { "transform", "--shift", "nonsense", "a.x3p", "b.x3p", NULL };

  g_assert_cmpint (tm_test_run_cli (argv, NULL, &stderr_text), ==, 1);
  g_assert_nonnull (strstr (stderr_text, "a.x3p"));
  g_clear_pointer (&stderr_text, g_free);
  g_assert_cmpint (tm_test_run_cli (argv2, NULL, &stderr_text), ==, 2);
  g_assert_nonnull (strstr (stderr_text, "DX,DY"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/compare/real/fadul", test_fadul);
  g_test_add_func ("/compare/real/fadul-rotated", test_fadul_rotated);
  g_test_add_func ("/compare/real/topmatch", test_topmatch);
  g_test_add_func ("/compare/cli/transform-compare", test_cli_transform_compare);
  g_test_add_func ("/compare/cli/errors", test_cli_errors);

  return g_test_run ();
}
