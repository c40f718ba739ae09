/* tm-candidate-list.c — the ranked candidates of a correlation run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkColumnView over items → GtkSortListModel (the column view's sorter) →
 * GtkSingleSelection. The columns, their cells and sorters are in
 * ui/tm-candidate-list.ui; the cells bind to TmCandidateItem properties, so a decision
 * that changes an item's review-state updates its row without reloading the list.
 * Score columns sort highest first; missing values (no firing-pin region, no
 * reference distribution for the unusualness) sort last. The unusualness cell says
 * "beyond all N non-matches" rather than a floor that reads like a chance, and its
 * tooltip names the reference (the database's non-matches or the run's own bulk).
 */
#define G_LOG_DOMAIN "tm-candidate-list"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "tm-candidate-list.h"

struct _TmCandidateList
{
  GtkWidget            parent_instance;

  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *rank_column;

  GtkSortListModel    *sort_model;
  GtkSingleSelection  *selection;
};

enum {
  PROP_0,
  PROP_SELECTED_ITEM,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmCandidateList, tm_candidate_list, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

/* ---- cell formatting (template closures) ---- */

static char *
format_text (gpointer    this,
             const char *text)
{
  return g_strdup (text != NULL ? text : "—");
}

static char *
format_rank (gpointer this,
             guint    rank)
{
  return rank > 0 ? g_strdup_printf ("%u", rank) : g_strdup ("—");
}

static char *
format_region (gpointer this,
               double   score,
               guint    rank)
{
  if (isnan (score) || score < 0 || rank == 0)
    return g_strdup ("—");
  /* Translators: a region's score and its rank among the candidates, e.g. "14.52  #1" */
  return g_strdup_printf (_("%.2f  #%u"), score, rank);
}

static char *
format_firing_pin (gpointer this,
                   double   score,
                   guint    rank)
{
  if (isnan (score) || rank == 0)
    return g_strdup ("—");
  return g_strdup_printf (_("%.2f  #%u"), score, rank);
}

static char *
format_cmc (gpointer this,
            guint    a_to_b,
            guint    b_to_a)
{
  /* Translators: congruent cells query → candidate and back, e.g. "12 / 9" */
  return g_strdup_printf (_("%u / %u"), a_to_b, b_to_a);
}

static double
firing_pin_key (TmCandidateItem *item)
{
  double v;

  g_object_get (item, "firing-pin", &v, NULL);
  return isnan (v) ? -G_MAXDOUBLE : v;
}

static double
p_knm_key (TmCandidateItem *item)
{
  double p = tm_candidate_item_get_p_knm (item);

  return isnan (p) ? 2.0 : p;
}

static char *
state_icon (gpointer    this,
            const char *state)
{
  if (g_strcmp0 (state, "viewed") == 0)
    return g_strdup ("object-select-symbolic");
  if (g_strcmp0 (state, "dismissed") == 0)
    return g_strdup ("window-close-symbolic");
  if (g_strcmp0 (state, "lead") == 0)
    return g_strdup ("starred-symbolic");
  return g_strdup ("media-record-symbolic");
}

static char *
state_label (gpointer    this,
             const char *state)
{
  if (g_strcmp0 (state, "viewed") == 0)
    return g_strdup (C_("review state", "Viewed"));
  if (g_strcmp0 (state, "dismissed") == 0)
    return g_strdup (C_("review state", "Dismissed"));
  if (g_strcmp0 (state, "lead") == 0)
    return g_strdup (C_("review state", "Lead"));
  return g_strdup (C_("review state", "Unreviewed"));
}

static GStrv
state_classes (gpointer    this,
               const char *state)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, "review-state");
  if (g_strcmp0 (state, "dismissed") == 0)
    g_strv_builder_add (builder, "dim-label");
  else if (g_strcmp0 (state, "lead") == 0)
    g_strv_builder_add (builder, "success");
  else if (g_strcmp0 (state, "viewed") != 0)
    g_strv_builder_add (builder, "accent");
  return g_strv_builder_end (builder);
}

/* ---- callbacks ---- */

static void
selection_notify_cb (TmCandidateList *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ITEM]);
}

/* GTK 4.8 has no gtk_column_view_scroll_to(); the column view's inner GtkListView
 * has the "list.scroll-to-item" action that keyboard navigation uses. */
static void
scroll_to (TmCandidateList *self,
           guint            position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
        return;
      }
}

/* ---- overrides ---- */

static void
tm_candidate_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TmCandidateList *self = TM_CANDIDATE_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ITEM:
      g_value_set_object (value, tm_candidate_list_get_selected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_candidate_list_dispose (GObject *object)
{
  TmCandidateList *self = TM_CANDIDATE_LIST (object);

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TM_TYPE_CANDIDATE_LIST);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);

  G_OBJECT_CLASS (tm_candidate_list_parent_class)->dispose (object);
}

static void
tm_candidate_list_class_init (TmCandidateListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_candidate_list_dispose;
  object_class->get_property = tm_candidate_list_get_property;

  properties[PROP_SELECTED_ITEM] =
    g_param_spec_object ("selected-item", NULL, NULL,
                         TM_TYPE_CANDIDATE_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TM_TYPE_CANDIDATE_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-candidate-list.ui");
  gtk_widget_class_bind_template_child (widget_class, TmCandidateList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TmCandidateList, column_view);
  gtk_widget_class_bind_template_child (widget_class, TmCandidateList, rank_column);
  gtk_widget_class_bind_template_callback (widget_class, format_text);
  gtk_widget_class_bind_template_callback (widget_class, format_rank);
  gtk_widget_class_bind_template_callback (widget_class, format_region);
  gtk_widget_class_bind_template_callback (widget_class, format_firing_pin);
  gtk_widget_class_bind_template_callback (widget_class, format_cmc);
  gtk_widget_class_bind_template_callback (widget_class, firing_pin_key);
  gtk_widget_class_bind_template_callback (widget_class, p_knm_key);
  gtk_widget_class_bind_template_callback (widget_class, state_icon);
  gtk_widget_class_bind_template_callback (widget_class, state_label);
  gtk_widget_class_bind_template_callback (widget_class, state_classes);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "candidatelist");
}

static void
tm_candidate_list_init (TmCandidateList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sort_model = gtk_sort_list_model_new (NULL, NULL);
  gtk_sort_list_model_set_sorter (self->sort_model,
                                  gtk_column_view_get_sorter (self->column_view));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_notify_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  /* The run's own order (the combined rank) until a person clicks a header. */
  gtk_column_view_sort_by_column (self->column_view, self->rank_column, GTK_SORT_ASCENDING);
}

GtkWidget *
tm_candidate_list_new (void)
{
  return g_object_new (TM_TYPE_CANDIDATE_LIST, NULL);
}

void
tm_candidate_list_set_items (TmCandidateList *self,
                             GListModel      *items)
{
  g_return_if_fail (TM_IS_CANDIDATE_LIST (self));
  g_return_if_fail (items == NULL || G_IS_LIST_MODEL (items));

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_sort_list_model_set_model (self->sort_model, items);
}

GListModel *
tm_candidate_list_get_model (TmCandidateList *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}

TmCandidateItem *
tm_candidate_list_get_selected (TmCandidateList *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

guint
tm_candidate_list_get_selected_position (TmCandidateList *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), GTK_INVALID_LIST_POSITION);

  return gtk_single_selection_get_selected (self->selection);
}

void
tm_candidate_list_select_position (TmCandidateList *self,
                                   guint            position)
{
  g_return_if_fail (TM_IS_CANDIDATE_LIST (self));

  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)))
    return;
  gtk_single_selection_set_selected (self->selection, position);
  scroll_to (self, position);
}

gboolean
tm_candidate_list_select_next (TmCandidateList *self)
{
  guint n, pos;

  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  pos = gtk_single_selection_get_selected (self->selection);
  if (pos == GTK_INVALID_LIST_POSITION)
    pos = 0;
  else if (pos + 1 < n)
    pos++;
  else
    return FALSE;
  if (pos >= n)
    return FALSE;
  tm_candidate_list_select_position (self, pos);
  return TRUE;
}

gboolean
tm_candidate_list_select_previous (TmCandidateList *self)
{
  guint pos;

  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), FALSE);

  pos = gtk_single_selection_get_selected (self->selection);
  if (pos == GTK_INVALID_LIST_POSITION || pos == 0)
    return FALSE;
  tm_candidate_list_select_position (self, pos - 1);
  return TRUE;
}

GtkColumnView *
tm_candidate_list_get_column_view (TmCandidateList *self)
{
  g_return_val_if_fail (TM_IS_CANDIDATE_LIST (self), NULL);

  return self->column_view;
}
