/* tm-cli-synth.c — `toolmark-cli synth`: synthetic breech-face X3P scans and truth.csv
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <zip.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tm-cli.h"
#include "tm-synth.h"
#include "tm-x3p.h"

/* Beyond these a run is a mistake rather than a data set: 100,000 default scans take
 * about 100 GB. The benchmark generates its large sets in memory, not through files. */
#define SYNTH_MAX_FIREARMS  10000
#define SYNTH_MAX_CASES     1000
#define SYNTH_MAX_FILES     100000

static guint
digits (guint n)
{
  guint d = 1;

  while (n >= 10)
    {
      n /= 10;
      d++;
    }
  return d;
}

/* 2000-01-01T00:00:00Z, the date written into Record2 of every synthetic scan. */
#define SYNTH_MTIME ((time_t)946684800)

/* The X3P writer stamps its zip entries with the current time; a seed must give
 * byte-identical files, so the entries are re-stamped with a fixed time. libzip copies
 * unchanged entries without recompressing them, so only the headers are rewritten. */
static GBytes *
restamp_archive (GBytes  *bytes,
                 GError **error)
{
  g_autofree guint8 *out = NULL;
  zip_error_t zerror;
  zip_source_t *source;
  zip_t *archive;
  zip_int64_t n_entries, size = -1;
  gconstpointer data;
  gsize len;

  data = g_bytes_get_data (bytes, &len);
  zip_error_init (&zerror);
  source = zip_source_buffer_create (data, len, 0, &zerror);
  if (source == NULL)
    goto failed;
  zip_source_keep (source);
  archive = zip_open_from_source (source, 0, &zerror);
  if (archive == NULL)
    {
      zip_source_free (source);
      goto failed;
    }
  n_entries = zip_get_num_entries (archive, 0);
  for (zip_int64_t i = 0; i < n_entries; i++)
    zip_file_set_mtime (archive, (zip_uint64_t)i, SYNTH_MTIME, 0);
  if (zip_close (archive) != 0)
    {
      zip_error_set (&zerror, zip_error_code_zip (zip_get_error (archive)),
                     zip_error_code_system (zip_get_error (archive)));
      zip_discard (archive);
      zip_source_free (source);
      goto failed;
    }
  if (zip_source_open (source) == 0)
    {
      if (zip_source_seek (source, 0, SEEK_END) == 0)
        size = zip_source_tell (source);
      if (size > 0 && zip_source_seek (source, 0, SEEK_SET) == 0)
        {
          out = g_malloc (size);
          if (zip_source_read (source, out, size) != size)
            size = -1;
        }
      zip_source_close (source);
    }
  zip_source_free (source);
  if (size <= 0)
    {
      zip_error_set (&zerror, ZIP_ER_READ, 0);
      goto failed;
    }
  zip_error_fini (&zerror);
  return g_bytes_new_take (g_steal_pointer (&out), size);

failed:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot fix the archive's timestamps: %s",
               zip_error_strerror (&zerror));
  zip_error_fini (&zerror);
  return NULL;
}

static gboolean
write_scan (TmSurface   *shot,
            const char  *path,
            GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) stamped = NULL;
  g_autoptr(GError) local_error = NULL;
  gconstpointer data;
  gsize len;

  bytes = tm_x3p_write_bytes (shot, &local_error);
  if (bytes != NULL)
    stamped = restamp_archive (bytes, &local_error);
  if (stamped == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, local_error->message);
      return FALSE;
    }
  data = g_bytes_get_data (stamped, &len);
  return g_file_set_contents (path, data, len, error);
}

static char *
firearm_label (guint firearm_width,
               guint f)
{
  return g_strdup_printf ("F%0*u", (int)firearm_width, f + 1);
}

/* F01-C01.x3p: zero-padded so that a listing sorts by firearm, then case. */
static char *
scan_name (guint firearm_width,
           guint f,
           guint case_width,
           guint c)
{
  g_autofree char *label = firearm_label (firearm_width, f);

  return g_strdup_printf ("%s-C%0*u.x3p", label, (int)case_width, c + 1);
}

int
tm_cli_synth (TmCliContext *ctx,
              int           argc,
              char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) truth = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *truth_path = NULL;
  int n_firearms = 0, n_cases = 0, size = 0;
  double pixel_um = 0.0;
  gboolean force = FALSE;
  guint64 seed = 1;
  guint firearm_width, case_width;
  TmSynthParams params;
  GOptionEntry entries[] = {
    { "firearms", 0, 0, G_OPTION_ARG_INT, &n_firearms, N_("Number of firearms (1–10000)"), "N" },
    { "cases", 0, 0, G_OPTION_ARG_INT, &n_cases, N_("Cartridge cases fired by each firearm (1–1000)"), "M" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder to write the scans and truth.csv into (created)"), "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Random seed; the same seed writes the same scans (default 1)"), "S" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, N_("Scan side in pixels (default 400)"), "PX" },
    { "pixel-um", 0, 0, G_OPTION_ARG_DOUBLE, &pixel_um, N_("Pixel size in µm (default 6.25)"), "F" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Overwrite an existing truth.csv and scans"), NULL },
    { NULL }
  };

  if (!tm_cli_parse ("synth", "",
                     _("Write synthetic breech-face X3P scans of N firearms × M cartridge cases, "
                       "and DIR/truth.csv (file,firearm) naming the firearm of each scan."),
                     entries, &argc, &argv))
    return 2;
  if (argc > 1)
    {
      tm_cli_error ("synth: unexpected argument '%s'", argv[1]);
      return 2;
    }
  if (out_dir == NULL)
    {
      tm_cli_error ("synth: --out DIR is required");
      return 2;
    }
  if (n_firearms < 1 || n_firearms > SYNTH_MAX_FIREARMS)
    {
      tm_cli_error ("synth: --firearms must be between 1 and %d (got %d)",
                    SYNTH_MAX_FIREARMS, n_firearms);
      return 2;
    }
  if (n_cases < 1 || n_cases > SYNTH_MAX_CASES)
    {
      tm_cli_error ("synth: --cases must be between 1 and %d (got %d)", SYNTH_MAX_CASES, n_cases);
      return 2;
    }
  if ((gint64)n_firearms * n_cases > SYNTH_MAX_FILES)
    {
      tm_cli_error ("synth: %d firearms × %d cases is more than %d files", n_firearms, n_cases,
                    SYNTH_MAX_FILES);
      return 2;
    }
  if (seed_text != NULL &&
      !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &seed, &error))
    {
      tm_cli_error ("synth: --seed: %s", error->message);
      return 2;
    }

  tm_synth_params_init (&params);
  if (size != 0)
    params.size = size < 0 ? 0 : (guint)size;
  if (pixel_um != 0.0)
    params.pixel_um = pixel_um;
  if (!tm_synth_params_validate (&params, &error))
    {
      tm_cli_error ("synth: %s", error->message);
      return 2;
    }

  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved_errno = errno;

      tm_cli_error ("%s: cannot create the folder: %s", out_dir, g_strerror (saved_errno));
      return 1;
    }

  /* Refuse before writing anything, so a mistaken --out never leaves a half-replaced
   * data set whose truth.csv no longer matches its scans. */
  truth_path = g_build_filename (out_dir, "truth.csv", NULL);
  if (!force && g_file_test (truth_path, G_FILE_TEST_EXISTS))
    {
      tm_cli_error ("%s: already exists; use --force to overwrite it", truth_path);
      return 1;
    }

  firearm_width = MAX (2, digits ((guint)n_firearms));
  case_width = MAX (2, digits ((guint)n_cases));
  for (guint f = 0; f < (guint)n_firearms && !force; f++)
    for (guint c = 0; c < (guint)n_cases; c++)
      {
        g_autofree char *name = scan_name (firearm_width, f, case_width, c);
        g_autofree char *path = g_build_filename (out_dir, name, NULL);

        if (g_file_test (path, G_FILE_TEST_EXISTS))
          {
            tm_cli_error ("%s: already exists; use --force to overwrite it", path);
            return 1;
          }
      }

  truth = g_string_new ("file,firearm\n");

  for (guint f = 0; f < (guint)n_firearms; f++)
    {
      g_autoptr(TmSynthFirearm) firearm = NULL;
      g_autofree char *label = firearm_label (firearm_width, f);

      firearm = tm_synth_firearm_new (tm_synth_derive_seed (seed, f), &params, &error);
      if (firearm == NULL)
        {
          tm_cli_error ("synth: %s", error->message);
          return 1;
        }

      for (guint c = 0; c < (guint)n_cases; c++)
        {
          g_autoptr(TmSurface) shot = NULL;
          g_autofree char *name = scan_name (firearm_width, f, case_width, c);
          g_autofree char *path = g_build_filename (out_dir, name, NULL);

          shot = tm_synth_shot (firearm, c, NULL);
          if (!write_scan (shot, path, &error))
            {
              tm_cli_error ("%s", error->message);
              return 1;
            }
          if (!ctx->quiet)
            printf ("%s\n", path);
          g_string_append_printf (truth, "%s,%s\n", name, label);
        }
    }

  if (!g_file_set_contents (truth_path, truth->str, truth->len, &error))
    {
      tm_cli_error ("%s: %s", truth_path, error->message);
      return 1;
    }
  if (!ctx->quiet)
    printf ("%s\n", truth_path);
  return 0;
}
