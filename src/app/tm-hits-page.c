/* tm-hits-page.c — the hits of the database: linked cases, examiner, date, ATF count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A hit is an examiner's identification on a lead; its ATF count says how many
 * investigations it newly connected (links investigators already knew are not counted).
 * The list is read in a worker thread with its own TmStore, again whenever the page
 * is shown, since hits are made elsewhere (the lead view, the CLI, a sync). Activating
 * a row opens its lead (win.show-lead); "Report…" prints the hit / intelligence report.
 */
#define G_LOG_DOMAIN "tm-hits-page"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-app-util.h"
#include "tm-hit-item.h"
#include "tm-hits-page.h"
#include "tm-report-dialog.h"
#include "tm-store.h"
#include "tm-text-column.h"
#include "tm-workflow.h"

struct _TmHitsPage
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkLabel           *summary_label;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *error_page;

  GListStore         *hits;
  GtkSortListModel   *sort_model;
  GtkSingleSelection *selection;

  GSettings          *settings;
  GCancellable       *cancellable;
  char               *db_path;
  guint               loading : 1;
};

G_DEFINE_FINAL_TYPE (TmHitsPage, tm_hits_page, GTK_TYPE_WIDGET)

/* ---- cells ---- */

static char *
format_id (gpointer item)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, tm_hit_item_get_id (item));
}

static char *
format_lead (gpointer item)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, tm_hit_item_get_lead_id (item));
}

static char *
format_cases (gpointer item)
{
  return g_strdup (tm_hit_item_get_cases (item));
}

static char *
format_examiner (gpointer item)
{
  return g_strdup (tm_hit_item_get_hit (item)->examiner);
}

static char *
format_confirmed (gpointer item)
{
  return tm_text_column_format_date (tm_hit_item_get_hit (item)->confirmed_at);
}

static char *
format_n_hits (gpointer item)
{
  return g_strdup_printf ("%u", tm_hit_item_get_n_hits (item));
}

static GtkSorter *
numeric_sorter (const char *property,
                GtkSortType order)
{
  GtkNumericSorter *sorter = gtk_numeric_sorter_new (gtk_property_expression_new (TM_TYPE_HIT_ITEM, NULL, property));

  gtk_numeric_sorter_set_sort_order (sorter, order);
  return GTK_SORTER (sorter);
}

static GtkSorter *
string_sorter (const char *property)
{
  return GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (TM_TYPE_HIT_ITEM, NULL, property)));
}

static void
add_columns (TmHitsPage *self)
{
  TmTextColumnSpec columns[] = {
    { _("Hit"), format_id, numeric_sorter ("id", GTK_SORT_ASCENDING), TRUE, 60, FALSE },
    { _("Lead"), format_lead, numeric_sorter ("lead-id", GTK_SORT_ASCENDING), TRUE, 60, FALSE },
    { _("Linked Cases"), format_cases, string_sorter ("cases"), FALSE, 260, TRUE },
    { _("Examiner"), format_examiner, string_sorter ("examiner"), FALSE, 120, FALSE },
    { _("Confirmed"), format_confirmed, string_sorter ("confirmed-at"), TRUE, 145, FALSE },
    /* Largest first when sorted: the hits that connected the most investigations. */
    { _("ATF Hits"), format_n_hits, numeric_sorter ("n-hits", GTK_SORT_DESCENDING), TRUE, 80, FALSE },
  };

  tm_text_column_append_all (self->column_view, columns, G_N_ELEMENTS (columns));
}

/* ---- loading ---- */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *db_path = task_data;
  g_autoptr(TmStore) store = NULL;
  GPtrArray *hits;
  GError *error = NULL;

  store = tm_store_open (db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  hits = tm_store_list_hits (store, &error);
  if (hits == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
}

static void
update_summary (TmHitsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->hits));
  guint counted = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmHitItem) item = g_list_model_get_item (G_LIST_MODEL (self->hits), i);

      counted += tm_hit_item_get_n_hits (item);
    }
  /* Translators: above the hits list: confirmed identifications, then the ATF count */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u identification, %u counted as ATF hits (links between investigations not known before)",
                                       "%u identifications, %u counted as ATF hits (links between investigations not known before)",
                                       n),
                          n, counted);
  gtk_label_set_label (self->summary_label, text);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TmHitsPage *self = TM_HITS_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GPtrArray) items = NULL;
  gint64 selected_id = 0;
  TmHitItem *selected;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  self->loading = FALSE;

  if (hits == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  /* A reload keeps the selected hit selected. */
  selected = gtk_single_selection_get_selected_item (self->selection);
  if (selected != NULL)
    selected_id = tm_hit_item_get_id (selected);

  items = g_ptr_array_new_with_free_func (g_object_unref);
  /* The items take the hits over. */
  g_ptr_array_set_free_func (hits, NULL);
  for (guint i = 0; i < hits->len; i++)
    g_ptr_array_add (items, tm_hit_item_new (g_ptr_array_index (hits, i)));
  g_list_store_splice (self->hits, 0, g_list_model_get_n_items (G_LIST_MODEL (self->hits)),
                       items->pdata, items->len);

  for (guint i = 0; selected_id > 0 && i < g_list_model_get_n_items (G_LIST_MODEL (self->selection)); i++)
    {
      g_autoptr(TmHitItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (tm_hit_item_get_id (item) == selected_id)
        gtk_single_selection_set_selected (self->selection, i);
    }
  update_summary (self);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");
}

/* ---- actions and callbacks ---- */

static TmHitItem *
selected_hit (TmHitsPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
selection_changed_cb (TmHitsPage *self)
{
  gboolean any = selected_hit (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hits.open-lead", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hits.report", any);
}

static void
open_lead_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TmHitItem *item = selected_hit (TM_HITS_PAGE (widget));

  if (item != NULL)
    gtk_widget_activate_action (widget, "win.show-lead", "x", tm_hit_item_get_lead_id (item));
}

static void
report_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TmHitsPage *self = TM_HITS_PAGE (widget);
  TmHitItem *item = selected_hit (self);
  g_autofree char *id = NULL;

  if (item == NULL || self->db_path == NULL)
    return;
  id = g_strdup_printf ("%" G_GINT64_FORMAT, tm_hit_item_get_id (item));
  tm_report_dialog_present (GTK_WINDOW (gtk_widget_get_root (widget)), self->db_path, "hit", id,
                            self->settings);
}

static void
row_activated_cb (TmHitsPage    *self,
                  guint          position,
                  GtkColumnView *view)
{
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self), "hits.open-lead", NULL);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tm_hits_page_reload (TM_HITS_PAGE (widget));
}

/* ---- GObject ---- */

static void
tm_hits_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tm_hits_page_parent_class)->map (widget);
  /* Hits are recorded elsewhere (lead view, CLI, sync): shown means current. */
  tm_hits_page_reload (TM_HITS_PAGE (widget));
}

static void
tm_hits_page_dispose (GObject *object)
{
  TmHitsPage *self = TM_HITS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  tm_widget_dispose_template_all (GTK_WIDGET (self), TM_TYPE_HITS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->hits);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_hits_page_parent_class)->dispose (object);
}

static void
tm_hits_page_finalize (GObject *object)
{
  TmHitsPage *self = TM_HITS_PAGE (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (tm_hits_page_parent_class)->finalize (object);
}

static void
tm_hits_page_class_init (TmHitsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_hits_page_dispose;
  object_class->finalize = tm_hits_page_finalize;
  widget_class->map = tm_hits_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-hits-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TmHitsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TmHitsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TmHitsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, TmHitsPage, error_page);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "hits.open-lead", NULL, open_lead_action);
  gtk_widget_class_install_action (widget_class, "hits.report", NULL, report_action);
  gtk_widget_class_install_action (widget_class, "hits.reload", NULL, reload_action);
}

static void
tm_hits_page_init (TmHitsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  add_columns (self);
  self->hits = g_list_store_new (TM_TYPE_HIT_ITEM);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->hits)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  selection_changed_cb (self);
}

/* ---- public API ---- */

GtkWidget *
tm_hits_page_new (void)
{
  return g_object_new (TM_TYPE_HITS_PAGE, NULL);
}

void
tm_hits_page_set_db_path (TmHitsPage *self,
                          const char *db_path)
{
  g_return_if_fail (TM_IS_HITS_PAGE (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  tm_hits_page_reload (self);
}

void
tm_hits_page_set_settings (TmHitsPage *self,
                           GSettings  *settings)
{
  g_return_if_fail (TM_IS_HITS_PAGE (self));

  g_set_object (&self->settings, settings);
}

void
tm_hits_page_reload (TmHitsPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TM_IS_HITS_PAGE (self));

  if (self->db_path == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->hits)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, tm_hits_page_reload);
  g_task_set_task_data (task, g_strdup (self->db_path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
tm_hits_page_get_loading (TmHitsPage *self)
{
  g_return_val_if_fail (TM_IS_HITS_PAGE (self), FALSE);

  return self->loading;
}

GListModel *
tm_hits_page_get_model (TmHitsPage *self)
{
  g_return_val_if_fail (TM_IS_HITS_PAGE (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

void
tm_hits_page_select (TmHitsPage *self,
                     guint       position)
{
  g_return_if_fail (TM_IS_HITS_PAGE (self));

  gtk_single_selection_set_selected (self->selection, position);
}
