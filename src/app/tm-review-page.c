/* tm-review-page.c — review one correlation run: candidates, compare view, decisions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run is read on a worker thread with its own TmStore (tm_store_load_run plus each
 * candidate's case and exhibit). Decisions are single short transactions, so they run
 * on the main thread on the page's own connection, and the row is updated in place
 * from what the store accepted; a refusal (a role that may not decide, a candidate
 * already in a lead) is shown as a toast with the core's message, and the row keeps
 * its state.
 *
 * Keyboard review is a set of widget actions with key bindings on the page, so they
 * work wherever the focus is inside it (the list, the compare view) and a test can
 * drive them as a person would.
 */
#define G_LOG_DOMAIN "tm-review-page"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "tm-candidate-item.h"
#include "tm-candidate-list.h"
#include "tm-compare-view.h"
#include "tm-lead-chooser.h"
#include "tm-review-page.h"
#include "tm-store.h"
#include "tm-workflow.h"

typedef struct
{
  TmCandidateItem *item;
  char            *previous_state;
} Decision;

struct _TmReviewPage
{
  GtkWidget          parent_instance;

  AdwToastOverlay   *toast_overlay;
  GtkStack          *stack;
  GtkSpinner        *spinner;
  AdwStatusPage     *error_page;
  GtkLabel          *run_title_label;
  GtkLabel          *counts_label;
  GtkPaned          *paned;
  GtkStack          *list_stack;
  TmCandidateList   *candidate_list;
  GtkStack          *compare_stack;
  GtkBox            *compare_box;
  GtkLabel          *selection_label;
  TmCompareView     *compare_view;

  char              *db_path;
  gint64             run_id;
  gint64             query_id;
  TmStore           *store;
  GListStore        *items;
  GCancellable      *cancellable;
  GCancellable      *compare_cancellable;
  GArray            *undo;
  guint              loading : 1;
  guint              viewed_error_shown : 1;
};

enum {
  PROP_0,
  PROP_LOADING,
  PROP_RUN_ID,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmReviewPage, tm_review_page, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

typedef struct
{
  TmCorrelationRun *run;
  TmAcquisition    *query;
  GPtrArray        *items;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->run);
  g_clear_object (&result->query);
  g_clear_pointer (&result->items, g_ptr_array_unref);
  g_free (result);
}

static void
decision_clear (Decision *decision)
{
  g_clear_object (&decision->item);
  g_clear_pointer (&decision->previous_state, g_free);
}

static void
show_toast (TmReviewPage *self,
            const char   *message,
            gboolean      sticky)
{
  AdwToast *toast = adw_toast_new (message);

  /* Refusals stay until dismissed: they explain why nothing changed. */
  if (sticky)
    adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* A toast for a lead just made or extended, with a button that opens it on the
 * window's leads page (win.show-lead). */
static void
show_lead_toast (TmReviewPage *self,
                 const char   *message,
                 gint64        lead_id)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_button_label (toast, _("_Open Lead"));
  adw_toast_set_action_name (toast, "win.show-lead");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (lead_id));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
set_loading (TmReviewPage *self,
             gboolean      loading)
{
  loading = !!loading;
  if (self->loading == loading)
    return;
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
update_actions (TmReviewPage *self)
{
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);
  const char *state = item != NULL ? tm_candidate_item_get_review_state (item) : NULL;
  gboolean can_decide = item != NULL && self->store != NULL;
  gboolean in_lead = g_strcmp0 (state, "lead") == 0;
  guint n = self->items != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->items)) : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.next", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.previous", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.dismiss",
                                 can_decide && !in_lead && g_strcmp0 (state, "dismissed") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.promote", can_decide && !in_lead);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.add-to-lead", can_decide);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "review.undo",
                                 self->store != NULL && self->undo->len > 0);
}

static void
update_selection_label (TmReviewPage *self)
{
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);
  g_autofree char *text = NULL;

  if (item != NULL)
    /* Translators: the selected candidate: rank, file, case, exhibit */
    text = g_strdup_printf (_("#%u  %s — case %s, exhibit %s"),
                            tm_candidate_item_get_rank (item),
                            tm_candidate_item_get_file (item),
                            tm_candidate_item_get_case_number (item) ? tm_candidate_item_get_case_number (item) : "—",
                            tm_candidate_item_get_exhibit (item) ? tm_candidate_item_get_exhibit (item) : "—");
  gtk_label_set_text (self->selection_label, text != NULL ? text : "");
}

/* Records @state for @item through the workflow and updates the row; FALSE (and a
 * toast unless @quiet) when the store refused. */
static gboolean
record_state (TmReviewPage    *self,
              TmCandidateItem *item,
              const char      *state,
              gboolean         quiet)
{
  g_autoptr(GError) error = NULL;

  if (!tm_store_set_candidate_state (self->store, self->run_id,
                                     tm_candidate_item_get_acquisition_id (item),
                                     state, g_get_user_name (), &error))
    {
      if (!quiet)
        show_toast (self, error->message, TRUE);
      else
        g_debug ("marking candidate viewed: %s", error->message);
      return FALSE;
    }
  tm_candidate_item_set_review_state (item, state);
  return TRUE;
}

static void
push_undo (TmReviewPage    *self,
           TmCandidateItem *item,
           const char      *previous_state)
{
  Decision decision = { g_object_ref (item), g_strdup (previous_state) };

  g_array_append_val (self->undo, decision);
}

/* ---- callbacks ---- */

static void
compare_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TmReviewPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tm_compare_view_load_finish (TM_COMPARE_VIEW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      self->toast_overlay != NULL)
    show_toast (self, error->message, TRUE);
}

static void
selection_changed_cb (TmReviewPage *self)
{
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);

  update_selection_label (self);
  if (item != NULL && self->store != NULL &&
      g_strcmp0 (tm_candidate_item_get_review_state (item), "unreviewed") == 0)
    {
      /* Shown is seen: the backlog of unreviewed correlations counts on it. A role
       * that may not record it (a supervisor) is told once, not on every row. */
      if (!record_state (self, item, "viewed", self->viewed_error_shown) &&
          !self->viewed_error_shown)
        self->viewed_error_shown = TRUE;
    }
  g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  if (item != NULL && self->db_path != NULL)
    {
      self->compare_cancellable = g_cancellable_new ();
      tm_compare_view_load_async (self->compare_view, self->db_path, self->query_id,
                                  tm_candidate_item_get_acquisition_id (item),
                                  self->compare_cancellable, compare_loaded_cb,
                                  g_object_ref (self));
    }
  gtk_stack_set_visible_child_name (self->compare_stack, item != NULL ? "compare" : "none");
  update_actions (self);
}

static void
item_state_changed_cb (TmReviewPage *self)
{
  update_actions (self);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *db_path = g_object_get_data (G_OBJECT (task), "db-path");
  gint64 run_id = *(gint64 *) task_data;
  g_autoptr(TmStore) store = NULL;
  LoadResult *result;
  GArray *candidates;
  GError *error = NULL;

  store = tm_store_open (db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = g_new0 (LoadResult, 1);
  result->run = tm_store_load_run (store, run_id, &error);
  if (result->run == NULL)
    {
      load_result_free (result);
      g_task_return_error (task, error);
      return;
    }
  result->query = tm_store_get_acquisition (store, tm_correlation_run_get_query_id (result->run), NULL);

  candidates = tm_correlation_run_get_candidates (result->run);
  result->items = g_ptr_array_new_full (candidates->len, g_object_unref);
  for (guint i = 0; i < candidates->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      const TmCandidate *c = &g_array_index (candidates, TmCandidate, i);
      g_autoptr(TmAcquisition) acquisition = NULL;
      g_autoptr(GError) local_error = NULL;

      /* A candidate whose acquisition cannot be read still shows, without its case. */
      acquisition = tm_store_get_acquisition (store, c->acquisition_id, &local_error);
      if (acquisition == NULL)
        g_debug ("candidate %" G_GINT64_FORMAT ": %s", c->acquisition_id, local_error->message);
      g_ptr_array_add (result->items, tm_candidate_item_new (c, acquisition));
    }
  if (g_task_return_error_if_cancelled (task))
    {
      load_result_free (result);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *res,
              gpointer      user_data)
{
  TmReviewPage *self = TM_REVIEW_PAGE (object);
  LoadResult *result;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *counts = NULL;
  guint filtered, prescored, full, unprocessed;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->cancellable);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      set_loading (self, FALSE);
      return;
    }
  g_clear_object (&self->cancellable);

  /* The page's own connection, for decisions on the main thread. */
  g_clear_object (&self->store);
  self->store = tm_store_open (self->db_path, &error);
  if (self->store == NULL)
    show_toast (self, error->message, TRUE);

  self->query_id = tm_correlation_run_get_query_id (result->run);
  if (result->query != NULL)
    /* Translators: the run header: run number, query file, its case and exhibit */
    title = g_strdup_printf (_("Run %" PRId64 " · %s — case %s, exhibit %s"),
                             self->run_id, tm_correlation_run_get_query_file (result->run),
                             tm_acquisition_get_case_number (result->query),
                             tm_acquisition_get_exhibit (result->query));
  else
    title = g_strdup_printf (_("Run %" PRId64 " · %s"),
                             self->run_id, tm_correlation_run_get_query_file (result->run));
  gtk_label_set_text (self->run_title_label, title);

  tm_correlation_run_get_counts (result->run, &filtered, &prescored, &full, &unprocessed);
  /* Translators: how honest the list is: candidates that passed the filters,
   * were pre-scored, and were fully compared */
  counts = g_strdup_printf (_("%'u passed the filters · %'u pre-scored · %'u fully scored%s"),
                            filtered, prescored, full,
                            tm_correlation_run_get_status (result->run) == TM_CORRELATION_RUN_CANCELLED
                            ? _(" · cancelled") : "");
  gtk_label_set_text (self->counts_label, counts);

  g_list_store_remove_all (self->items);
  for (guint i = 0; i < result->items->len; i++)
    g_signal_connect_object (g_ptr_array_index (result->items, i), "notify::review-state",
                             G_CALLBACK (item_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_list_store_splice (self->items, 0, 0, result->items->pdata, result->items->len);
  load_result_free (result);

  gtk_stack_set_visible_child_name (self->list_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->stack, "run");
  set_loading (self, FALSE);
  tm_candidate_list_select_position (self->candidate_list, 0);
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (tm_candidate_list_get_column_view (self->candidate_list)));
}

static void
lead_chosen_cb (TmReviewPage *self,
                gint64        lead_id,
                GtkWidget    *chooser)
{
  TmCandidateItem *item = g_object_get_data (G_OBJECT (chooser), "candidate");
  g_autofree char *lead_text = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
  g_autoptr(TmLead) lead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 ids[2];
  gboolean added_candidate = FALSE;

  if (item == NULL || self->store == NULL)
    return;

  ids[0] = tm_candidate_item_get_acquisition_id (item);
  ids[1] = self->query_id;
  lead = tm_store_get_lead (self->store, lead_text, &error);
  if (lead == NULL)
    {
      show_toast (self, error->message, TRUE);
      return;
    }
  /* The reviewer links the query and the candidate: whichever of the two the lead
   * does not hold yet joins it (often the candidate is the lead's and the query new). */
  for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
    {
      GPtrArray *members = tm_lead_get_members (lead);
      gboolean member = FALSE;

      for (guint i = 0; i < members->len && !member; i++)
        member = ((TmLeadMember *) g_ptr_array_index (members, i))->acquisition_id == ids[k];
      if (member)
        continue;
      if (!tm_store_add_to_lead (self->store, lead_id, ids[k], self->run_id,
                                 g_get_user_name (), &error))
        {
          show_toast (self, error->message, TRUE);
          return;
        }
      added_candidate |= (k == 0);
    }
  if (added_candidate)
    {
      push_undo (self, item, tm_candidate_item_get_review_state (item));
      tm_candidate_item_set_review_state (item, "lead");
    }
  /* Translators: %ld is the lead number */
  message = g_strdup_printf (_("Added to lead %" PRId64), lead_id);
  show_lead_toast (self, message, lead_id);
  update_actions (self);
}

/* ---- actions ---- */

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);

  tm_candidate_list_select_next (self->candidate_list);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);

  tm_candidate_list_select_previous (self->candidate_list);
}

static void
dismiss_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);
  g_autofree char *previous = NULL;

  if (item == NULL || self->store == NULL)
    return;
  previous = g_strdup (tm_candidate_item_get_review_state (item));
  if (!record_state (self, item, "dismissed", FALSE))
    return;
  push_undo (self, item, previous);
  /* Reviewing is a walk down the list: a dismissed candidate is done with. */
  tm_candidate_list_select_next (self->candidate_list);
  update_actions (self);
}

static void
promote_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *previous = NULL;
  gint64 ids[2];
  gint64 lead_id;

  if (item == NULL || self->store == NULL)
    return;
  ids[0] = self->query_id;
  ids[1] = tm_candidate_item_get_acquisition_id (item);
  previous = g_strdup (tm_candidate_item_get_review_state (item));
  lead_id = tm_store_create_lead (self->store, ids, G_N_ELEMENTS (ids), NULL, self->run_id,
                                  g_get_user_name (), &error);
  if (lead_id == 0)
    {
      show_toast (self, error->message, TRUE);
      return;
    }
  tm_candidate_item_set_review_state (item, "lead");
  push_undo (self, item, previous);
  /* Translators: %ld is the new lead's number */
  message = g_strdup_printf (_("Lead %" PRId64 " created"), lead_id);
  show_lead_toast (self, message, lead_id);
  update_actions (self);
}

static void
add_to_lead_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);
  TmCandidateItem *item = tm_candidate_list_get_selected (self->candidate_list);
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *chooser;
  gint64 ids[2];

  if (item == NULL || self->store == NULL)
    return;
  leads = tm_store_list_leads (self->store, &error);
  if (leads == NULL)
    {
      show_toast (self, error->message, TRUE);
      return;
    }
  ids[0] = self->query_id;
  ids[1] = tm_candidate_item_get_acquisition_id (item);
  chooser = tm_lead_chooser_new (GTK_WINDOW (gtk_widget_get_root (widget)), leads, ids, G_N_ELEMENTS (ids));
  g_object_set_data_full (G_OBJECT (chooser), "candidate", g_object_ref (item), g_object_unref);
  g_signal_connect_object (chooser, "lead-chosen", G_CALLBACK (lead_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (chooser);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TmReviewPage *self = TM_REVIEW_PAGE (widget);
  Decision *last;
  g_autoptr(GError) error = NULL;
  const char *state;
  guint position;

  if (self->undo->len == 0 || self->store == NULL)
    return;
  last = &g_array_index (self->undo, Decision, self->undo->len - 1);
  /* A lead is a record others may already act on: the core keeps it (its message
   * says how to retract one); the undo entry stays so the person can read why. */
  state = g_strcmp0 (last->previous_state, "dismissed") == 0 ||
          g_strcmp0 (last->previous_state, "viewed") == 0 ? last->previous_state : "unreviewed";
  if (!record_state (self, last->item, state, FALSE))
    return;
  if (g_list_store_find (self->items, last->item, &position))
    {
      /* Back to the candidate whose decision was undone, in the shown order. */
      GListModel *shown = tm_candidate_list_get_model (self->candidate_list);

      for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
        {
          g_autoptr(TmCandidateItem) it = g_list_model_get_item (shown, i);

          if (it == last->item)
            {
              tm_candidate_list_select_position (self->candidate_list, i);
              break;
            }
        }
    }
  g_array_set_size (self->undo, self->undo->len - 1);
  update_actions (self);
}

/* ---- overrides ---- */

static void
tm_review_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TmReviewPage *self = TM_REVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_RUN_ID:
      g_value_set_int64 (value, self->run_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_review_page_dispose (GObject *object)
{
  TmReviewPage *self = TM_REVIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TM_TYPE_REVIEW_PAGE);
  g_clear_object (&self->items);
  g_clear_object (&self->store);
  if (self->undo != NULL)
    g_array_set_size (self->undo, 0);

  G_OBJECT_CLASS (tm_review_page_parent_class)->dispose (object);
}

static void
tm_review_page_finalize (GObject *object)
{
  TmReviewPage *self = TM_REVIEW_PAGE (object);

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->undo, g_array_unref);

  G_OBJECT_CLASS (tm_review_page_parent_class)->finalize (object);
}

static void
tm_review_page_class_init (TmReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_review_page_dispose;
  object_class->finalize = tm_review_page_finalize;
  object_class->get_property = tm_review_page_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUN_ID] =
    g_param_spec_int64 ("run-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TM_TYPE_CANDIDATE_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, run_title_label);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, paned);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, candidate_list);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, compare_stack);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, compare_box);
  gtk_widget_class_bind_template_child (widget_class, TmReviewPage, selection_label);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);

  gtk_widget_class_install_action (widget_class, "review.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "review.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "review.dismiss", NULL, dismiss_action);
  gtk_widget_class_install_action (widget_class, "review.promote", NULL, promote_action);
  gtk_widget_class_install_action (widget_class, "review.add-to-lead", NULL, add_to_lead_action);
  gtk_widget_class_install_action (widget_class, "review.undo", NULL, undo_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "review.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "review.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "review.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "review.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, 0, "review.dismiss", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, 0, "review.promote", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "review.add-to-lead", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "review.undo", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "reviewpage");
}

static void
tm_review_page_init (TmReviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->compare_view = TM_COMPARE_VIEW (tm_compare_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->compare_view), TRUE);
  gtk_box_append (self->compare_box, GTK_WIDGET (self->compare_view));

  self->undo = g_array_new (FALSE, TRUE, sizeof (Decision));
  g_array_set_clear_func (self->undo, (GDestroyNotify) decision_clear);
  self->items = g_list_store_new (TM_TYPE_CANDIDATE_ITEM);
  tm_candidate_list_set_items (self->candidate_list, G_LIST_MODEL (self->items));
  gtk_stack_set_visible_child_name (self->stack, "none");
  update_actions (self);
}

GtkWidget *
tm_review_page_new (void)
{
  return g_object_new (TM_TYPE_REVIEW_PAGE, NULL);
}

void
tm_review_page_set_run (TmReviewPage *self,
                        const char   *db_path,
                        gint64        run_id)
{
  g_autoptr(GTask) task = NULL;
  gint64 *data;

  g_return_if_fail (TM_IS_REVIEW_PAGE (self));
  g_return_if_fail (db_path != NULL);
  g_return_if_fail (run_id > 0);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  if (self->run_id != run_id)
    {
      self->run_id = run_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_ID]);
    }
  g_array_set_size (self->undo, 0);
  self->viewed_error_shown = FALSE;
  g_list_store_remove_all (self->items);
  g_clear_object (&self->store);
  update_actions (self);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  set_loading (self, TRUE);

  data = g_new (gint64, 1);
  *data = run_id;
  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, tm_review_page_set_run);
  g_task_set_task_data (task, data, g_free);
  g_object_set_data_full (G_OBJECT (task), "db-path", g_strdup (db_path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gint64
tm_review_page_get_run_id (TmReviewPage *self)
{
  g_return_val_if_fail (TM_IS_REVIEW_PAGE (self), 0);

  return self->run_id;
}

gboolean
tm_review_page_get_loading (TmReviewPage *self)
{
  g_return_val_if_fail (TM_IS_REVIEW_PAGE (self), FALSE);

  return self->loading;
}

TmCandidateList *
tm_review_page_get_candidate_list (TmReviewPage *self)
{
  g_return_val_if_fail (TM_IS_REVIEW_PAGE (self), NULL);

  return self->candidate_list;
}

GtkWidget *
tm_review_page_get_compare_view (TmReviewPage *self)
{
  g_return_val_if_fail (TM_IS_REVIEW_PAGE (self), NULL);

  return GTK_WIDGET (self->compare_view);
}
