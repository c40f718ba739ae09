/* tm-text-column.c — a GtkColumnView column of one-line text cells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The leads and hits lists show rows whose cells are derived text (a status in words,
 * the cases of a lead joined, a date in local time). A signal factory calling one
 * format function per column keeps each list to a table of columns instead of a
 * builder template and closure per cell.
 */
#define G_LOG_DOMAIN "tm-text-column"

#include "config.h"

#include "tm-text-column.h"

#define FORMAT_KEY "tm-text-column-format"
#define NUMERIC_KEY "tm-text-column-numeric"

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gboolean numeric = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), NUMERIC_KEY));

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  TmTextColumnFormat format = (TmTextColumnFormat) g_object_get_data (G_OBJECT (factory), FORMAT_KEY);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  gpointer item = gtk_list_item_get_item (list_item);
  g_autofree char *text = item != NULL ? format (item) : NULL;

  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "—");
  /* Ellipsized cells keep their whole text reachable. */
  gtk_widget_set_tooltip_text (label, text);
}

GtkColumnViewColumn *
tm_text_column_new (const char         *title,
                    TmTextColumnFormat  format,
                    GtkSorter          *sorter,
                    gboolean            numeric,
                    int                 fixed_width,
                    gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_return_val_if_fail (format != NULL, NULL);

  g_object_set_data (G_OBJECT (factory), FORMAT_KEY, (gpointer) format);
  g_object_set_data (G_OBJECT (factory), NUMERIC_KEY, GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);

  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (column, fixed_width);
  if (sorter != NULL)
    {
      gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
    }
  return column;
}

void
tm_text_column_append_all (GtkColumnView          *view,
                           const TmTextColumnSpec *specs,
                           guint                   n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkColumnViewColumn) column =
        tm_text_column_new (specs[i].title, specs[i].format, specs[i].sorter,
                            specs[i].numeric, specs[i].fixed_width, specs[i].expand);

      gtk_column_view_append_column (view, column);
    }
}

char *
tm_text_column_format_date_as (const char *iso8601,
                               const char *format)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL || *iso8601 == '\0')
    return g_strdup ("—");
  utc = g_date_time_new_from_iso8601 (iso8601, NULL);
  if (utc == NULL)
    return g_strdup (iso8601);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, format);
}

char *
tm_text_column_format_date (const char *iso8601)
{
  /* ISO order: unambiguous in every locale, which a record of custody needs. */
  return tm_text_column_format_date_as (iso8601, "%Y-%m-%d %H:%M");
}
