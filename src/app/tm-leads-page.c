/* tm-leads-page.c — the leads of the database, and the selected lead's view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A lead is an unconfirmed association a reviewer made; investigators act on it and
 * an examiner may confirm it. The list (status, members, who created it and when,
 * conclusion, investigator outcome) is read in a worker thread with its own TmStore,
 * again each time the page is shown (leads are made on the review page, by the CLI or
 * a sync) and after the lead view records something. Models: GListStore of TmLead →
 * GtkFilterListModel (the status dropdown) → GtkSortListModel (the column view's
 * sorter) → GtkSingleSelection; the selection drives the TmLeadView beside it.
 */
#define G_LOG_DOMAIN "tm-leads-page"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-app-util.h"
#include "tm-lead-status.h"
#include "tm-lead.h"
#include "tm-lead-view.h"
#include "tm-leads-page.h"
#include "tm-store.h"
#include "tm-text-column.h"
#include "tm-workflow.h"

/* The status dropdown's entries after "All statuses", in ui/tm-leads-page.ui order. */
static const char * const statuses[] = {
  "open", "confirmed", "eliminated", "inconclusive", "unsuitable", "closed",
};

struct _TmLeadsPage
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkDropDown        *status_dropdown;
  GtkLabel           *count_label;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *error_page;
  TmLeadView         *lead_view;

  GListStore         *leads;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkSingleSelection *selection;

  GCancellable       *cancellable;
  char               *db_path;
  gint64              pending_lead;   /* to select once loaded */
  guint               loading : 1;
};

G_DEFINE_FINAL_TYPE (TmLeadsPage, tm_leads_page, GTK_TYPE_WIDGET)

/* ---- cells ---- */

static char *
format_id (gpointer item)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, tm_lead_get_id (item));
}

static char *
format_status (gpointer item)
{
  return g_strdup (tm_lead_status_label (tm_lead_get_status (item)));
}

/* "3 · 2024-0113, 2024-0187": how many, and the cases they come from. */
static char *
format_members (gpointer item)
{
  GPtrArray *members = tm_lead_get_members (item);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%u ·", members->len);
  for (guint i = 0; i < members->len; i++)
    {
      const TmLeadMember *m = g_ptr_array_index (members, i);

      if (m->case_number == NULL || !g_hash_table_add (seen, m->case_number))
        continue;
      g_string_append_printf (text, "%s %s", g_hash_table_size (seen) > 1 ? "," : "", m->case_number);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
format_created_by (gpointer item)
{
  return g_strdup (tm_lead_get_created_by (item));
}

static char *
format_created_at (gpointer item)
{
  return tm_text_column_format_date (tm_lead_get_created_at (item));
}

static char *
format_conclusion (gpointer item)
{
  const char *conclusion = tm_lead_get_conclusion (item);

  if (conclusion == NULL)
    return NULL;
  if (g_str_equal (conclusion, "identification"))
    return g_strdup (_("Identification"));
  if (g_str_equal (conclusion, "inconclusive"))
    return g_strdup (_("Inconclusive"));
  if (g_str_equal (conclusion, "elimination"))
    return g_strdup (_("Elimination"));
  if (g_str_equal (conclusion, "unsuitable"))
    return g_strdup (_("Unsuitable"));
  return g_strdup (conclusion);
}

static char *
format_outcome (gpointer item)
{
  const char *outcome = tm_lead_get_outcome (item);

  if (outcome == NULL)
    return NULL;
  if (g_str_equal (outcome, "arrest"))
    return g_strdup (_("Arrest"));
  if (g_str_equal (outcome, "suspect-identified"))
    return g_strdup (_("Suspect identified"));
  if (g_str_equal (outcome, "linked-prior-investigation"))
    return g_strdup (_("Linked to a prior investigation"));
  if (g_str_equal (outcome, "no-action"))
    return g_strdup (_("No action"));
  return g_strdup (outcome);
}

static GtkSorter *
string_sorter (const char *property)
{
  return GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (TM_TYPE_LEAD, NULL, property)));
}

static GtkSorter *
numeric_sorter (const char *property)
{
  return GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (TM_TYPE_LEAD, NULL, property)));
}

static void
add_columns (TmLeadsPage *self)
{
  TmTextColumnSpec columns[] = {
    { _("Lead"), format_id, numeric_sorter ("id"), TRUE, 60, FALSE },
    { _("Status"), format_status, string_sorter ("status"), FALSE, 100, FALSE },
    { _("Members"), format_members, numeric_sorter ("n-members"), FALSE, 200, TRUE },
    { _("Created By"), format_created_by, string_sorter ("created-by"), FALSE, 100, FALSE },
    { _("Created"), format_created_at, string_sorter ("created-at"), TRUE, 140, FALSE },
    { _("Conclusion"), format_conclusion, string_sorter ("conclusion"), FALSE, 110, FALSE },
    { _("Outcome"), format_outcome, string_sorter ("outcome"), FALSE, 130, FALSE },
  };

  tm_text_column_append_all (self->column_view, columns, G_N_ELEMENTS (columns));
}

/* ---- filtering and selection ---- */

static gboolean
status_filter (gpointer item,
               gpointer user_data)
{
  TmLeadsPage *self = user_data;
  guint selected = gtk_drop_down_get_selected (self->status_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > G_N_ELEMENTS (statuses))
    return TRUE;
  return g_strcmp0 (tm_lead_get_status (item), statuses[selected - 1]) == 0;
}

static void
update_count (TmLeadsPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->leads));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *text = NULL;

  if (shown == total)
    /* Translators: beside the status filter: how many leads there are */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u lead", "%u leads", total), total);
  else
    /* Translators: beside the status filter: leads shown of all leads */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u lead", "%u of %u leads", total),
                            shown, total);
  gtk_label_set_label (self->count_label, text);
  if (!self->loading || total > 0)
    gtk_stack_set_visible_child_name (self->stack, total == 0 ? "empty" : shown == 0 ? "no-results" : "list");
}

static gboolean
select_id (TmLeadsPage *self,
           gint64       lead_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmLead) lead = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (tm_lead_get_id (lead) == lead_id)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

static void
selection_changed_cb (TmLeadsPage *self)
{
  TmLead *lead = gtk_single_selection_get_selected_item (self->selection);

  tm_lead_view_set_lead (self->lead_view, lead != NULL ? tm_lead_get_id (lead) : 0);
}

static void
status_changed_cb (TmLeadsPage *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (self->filter_model == NULL)
    return;
  /* The detail is never an empty half of the page while a lead is listed. */
  if (gtk_single_selection_get_selected_item (self->selection) == NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);
  update_count (self);
}

static void
lead_changed_cb (TmLeadsPage *self,
                 gint64       lead_id)
{
  /* A note, feedback or conclusion changes the row (status, outcome). */
  tm_leads_page_reload (self);
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
  GPtrArray *leads;
  GError *error = NULL;

  store = tm_store_open (db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  leads = tm_store_list_leads (store, &error);
  if (leads == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, leads, (GDestroyNotify) g_ptr_array_unref);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TmLeadsPage *self = TM_LEADS_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leads = g_task_propagate_pointer (G_TASK (result), &error);
  TmLead *selected;
  gint64 keep;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  self->loading = FALSE;
  if (leads == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  selected = gtk_single_selection_get_selected_item (self->selection);
  keep = self->pending_lead > 0 ? self->pending_lead : selected != NULL ? tm_lead_get_id (selected) : 0;
  self->pending_lead = 0;

  /* The selection is restored below; the view keeps showing the same lead meanwhile
   * (set_lead with the same id only reloads it). */
  g_signal_handlers_block_by_func (self->selection, selection_changed_cb, self);
  g_list_store_splice (self->leads, 0, g_list_model_get_n_items (G_LIST_MODEL (self->leads)),
                       leads->pdata, leads->len);
  g_signal_handlers_unblock_by_func (self->selection, selection_changed_cb, self);

  if (keep > 0 && !select_id (self, keep))
    {
      /* Hidden by the status filter: a lead asked for by id is shown anyway. */
      gtk_drop_down_set_selected (self->status_dropdown, 0);
      select_id (self, keep);
    }
  if (gtk_single_selection_get_selected_item (self->selection) == NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (self->selection)) > 0)
    gtk_single_selection_set_selected (self->selection, 0);
  selection_changed_cb (self);
  update_count (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tm_leads_page_reload (TM_LEADS_PAGE (widget));
}

/* ---- GObject ---- */

static void
tm_leads_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tm_leads_page_parent_class)->map (widget);
  /* Leads are made elsewhere (review page, CLI, sync): shown means current. */
  tm_leads_page_reload (TM_LEADS_PAGE (widget));
}

static void
tm_leads_page_dispose (GObject *object)
{
  TmLeadsPage *self = TM_LEADS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  tm_widget_dispose_template_all (GTK_WIDGET (self), TM_TYPE_LEADS_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->leads);

  G_OBJECT_CLASS (tm_leads_page_parent_class)->dispose (object);
}

static void
tm_leads_page_finalize (GObject *object)
{
  TmLeadsPage *self = TM_LEADS_PAGE (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (tm_leads_page_parent_class)->finalize (object);
}

static void
tm_leads_page_class_init (TmLeadsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_leads_page_dispose;
  object_class->finalize = tm_leads_page_finalize;
  widget_class->map = tm_leads_page_map;

  g_type_ensure (TM_TYPE_LEAD_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-leads-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, TmLeadsPage, lead_view);
  gtk_widget_class_bind_template_callback (widget_class, status_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lead_changed_cb);

  gtk_widget_class_install_action (widget_class, "leads.reload", NULL, reload_action);
}

static void
tm_leads_page_init (TmLeadsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  add_columns (self);
  self->leads = g_list_store_new (TM_TYPE_LEAD);
  self->filter = gtk_custom_filter_new (status_filter, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->leads)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
}

/* ---- public API ---- */

GtkWidget *
tm_leads_page_new (void)
{
  return g_object_new (TM_TYPE_LEADS_PAGE, NULL);
}

void
tm_leads_page_set_db_path (TmLeadsPage *self,
                           const char  *db_path)
{
  g_return_if_fail (TM_IS_LEADS_PAGE (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  tm_lead_view_set_db_path (self->lead_view, db_path);
  tm_leads_page_reload (self);
}

void
tm_leads_page_set_settings (TmLeadsPage *self,
                            GSettings   *settings)
{
  g_return_if_fail (TM_IS_LEADS_PAGE (self));

  tm_lead_view_set_settings (self->lead_view, settings);
}

void
tm_leads_page_reload (TmLeadsPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TM_IS_LEADS_PAGE (self));

  if (self->db_path == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->leads)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, tm_leads_page_reload);
  g_task_set_task_data (task, g_strdup (self->db_path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
tm_leads_page_get_loading (TmLeadsPage *self)
{
  g_return_val_if_fail (TM_IS_LEADS_PAGE (self), FALSE);

  return self->loading;
}

void
tm_leads_page_set_status_filter (TmLeadsPage *self,
                                 const char  *status)
{
  guint position = 0;

  g_return_if_fail (TM_IS_LEADS_PAGE (self));

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i], status))
      position = i + 1;
  gtk_drop_down_set_selected (self->status_dropdown, position);
}

GListModel *
tm_leads_page_get_model (TmLeadsPage *self)
{
  g_return_val_if_fail (TM_IS_LEADS_PAGE (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

void
tm_leads_page_select_lead (TmLeadsPage *self,
                           gint64       lead_id)
{
  g_return_if_fail (TM_IS_LEADS_PAGE (self));
  g_return_if_fail (lead_id > 0);

  /* A lead just created elsewhere is not in the list yet: read it first. */
  if (self->loading || !select_id (self, lead_id))
    {
      self->pending_lead = lead_id;
      if (!self->loading)
        tm_leads_page_reload (self);
    }
}

TmLeadView *
tm_leads_page_get_lead_view (TmLeadsPage *self)
{
  g_return_val_if_fail (TM_IS_LEADS_PAGE (self), NULL);

  return self->lead_view;
}
