/* tm-cli-transform.c — `toolmark-cli transform`: rotate and shift a scan (orientation tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "tm-cli.h"
#include "tm-registration.h"
#include "tm-x3p.h"

static gboolean
parse_shift (const char *text,
             double     *dx,
             double     *dy)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  char *end;

  if (g_strv_length (parts) != 2)
    return FALSE;
  *dx = g_ascii_strtod (parts[0], &end);
  if (end == parts[0] || *end != '\0')
    return FALSE;
  *dy = g_ascii_strtod (parts[1], &end);
  return end != parts[1] && *end == '\0';
}

int
tm_cli_transform (TmCliContext *ctx,
                  int           argc,
                  char        **argv)
{
  g_autoptr(TmSurface) in = NULL;
  g_autoptr(TmSurface) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rotate = NULL;
  g_autofree char *shift = NULL;
  double angle = 0, dx = 0, dy = 0;
  GOptionEntry entries[] = {
    { "rotate", 0, 0, G_OPTION_ARG_STRING, &rotate,
      N_("Rotation in degrees about the centre, clockwise as displayed"), N_("DEG") },
    { "shift", 0, 0, G_OPTION_ARG_STRING, &shift, N_("Shift in pixels"), N_("DX,DY") },
    { NULL }
  };

  if (!tm_cli_parse ("transform", "IN.x3p OUT.x3p",
                     _("Rotate a scan about its centre and shift it (bilinear, invalid points "
                       "stay invalid), keeping its size, and write it as X3P."),
                     entries, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      tm_cli_error ("transform: give one input and one output file");
      return 2;
    }
  if (rotate != NULL)
    {
      char *end;

      angle = g_ascii_strtod (rotate, &end);
      if (end == rotate || *end != '\0')
        {
          tm_cli_error ("transform: --rotate '%s' is not a number of degrees", rotate);
          return 2;
        }
    }
  if (shift != NULL && !parse_shift (shift, &dx, &dy))
    {
      tm_cli_error ("transform: --shift '%s' is not DX,DY in pixels (e.g. 12,-3.5)", shift);
      return 2;
    }

  in = tm_x3p_read_file (argv[1], &error);
  if (in == NULL)
    {
      tm_cli_error ("transform: %s", error->message);
      return 1;
    }
  out = tm_surface_transform (in, angle, dx, dy);
  if (!tm_x3p_write_file (out, argv[2], &error))
    {
      tm_cli_error ("transform: %s", error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s: rotated %.3f°, shifted %.3f, %.3f px\n", argv[2], angle, dx, dy);
  return 0;
}
