/* tm-lead-chooser.c — pick the existing lead a candidate joins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The leads come from the caller (tm_store_list_leads on its connection): the chooser
 * only shows and picks. Each row names the lead's members by case and exhibit, since
 * that is how a reviewer recognises a lead.
 */
#define G_LOG_DOMAIN "tm-lead-chooser"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "tm-lead-chooser.h"
#include "tm-lead.h"

struct _TmLeadChooser
{
  AdwWindow    parent_instance;

  GtkButton   *add_button;
  GtkStack    *stack;
  GtkListBox  *list_box;
};

enum {
  LEAD_CHOSEN,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TmLeadChooser, tm_lead_chooser, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static char *
describe_members (TmLead *lead)
{
  GPtrArray *members = tm_lead_get_members (lead);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < members->len; i++)
    {
      const TmLeadMember *m = g_ptr_array_index (members, i);

      if (i > 0)
        g_string_append (text, ", ");
      /* Translators: a lead member: case number, exhibit */
      g_string_append_printf (text, _("%s / %s"),
                              m->case_number ? m->case_number : "—",
                              m->exhibit ? m->exhibit : (m->file ? m->file : "—"));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
lead_has_member (TmLead *lead,
                 gint64  acquisition_id)
{
  GPtrArray *members = tm_lead_get_members (lead);

  for (guint i = 0; i < members->len; i++)
    if (((const TmLeadMember *) g_ptr_array_index (members, i))->acquisition_id == acquisition_id)
      return TRUE;
  return FALSE;
}

static gboolean
lead_has_all (TmLead       *lead,
              const gint64 *ids,
              guint         n_ids)
{
  for (guint i = 0; i < n_ids; i++)
    if (!lead_has_member (lead, ids[i]))
      return FALSE;
  return TRUE;
}

static void
choose_row (TmLeadChooser *self,
            GtkListBoxRow *row)
{
  gint64 lead_id;

  if (row == NULL || !gtk_widget_get_sensitive (GTK_WIDGET (row)))
    return;
  lead_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "lead-id"));
  /* Held across the close: a handler may drop the last other reference. */
  g_object_ref (self);
  g_signal_emit (self, signals[LEAD_CHOSEN], 0, lead_id);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

static void
row_selected_cb (TmLeadChooser *self,
                 GtkListBoxRow *row)
{
  /* Also emitted while the template is disposed, after add_button is gone. */
  if (self->add_button == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button),
                            row != NULL && gtk_widget_get_sensitive (GTK_WIDGET (row)));
}

static void
row_activated_cb (TmLeadChooser *self,
                  GtkListBoxRow *row)
{
  choose_row (self, row);
}

static void
add_clicked_cb (TmLeadChooser *self)
{
  choose_row (self, gtk_list_box_get_selected_row (self->list_box));
}

static void
tm_lead_chooser_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TM_TYPE_LEAD_CHOOSER);

  G_OBJECT_CLASS (tm_lead_chooser_parent_class)->dispose (object);
}

static void
tm_lead_chooser_class_init (TmLeadChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_lead_chooser_dispose;

  /**
   * TmLeadChooser::lead-chosen:
   * @lead_id: the chosen lead
   */
  signals[LEAD_CHOSEN] =
    g_signal_new ("lead-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-lead-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, TmLeadChooser, add_button);
  gtk_widget_class_bind_template_child (widget_class, TmLeadChooser, stack);
  gtk_widget_class_bind_template_child (widget_class, TmLeadChooser, list_box);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tm_lead_chooser_init (TmLeadChooser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWindow *
tm_lead_chooser_new (GtkWindow    *parent,
                     GPtrArray    *leads,
                     const gint64 *acquisition_ids,
                     guint         n_ids)
{
  TmLeadChooser *self;
  gboolean any_choosable = FALSE;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (leads != NULL, NULL);
  g_return_val_if_fail (acquisition_ids != NULL || n_ids == 0, NULL);

  self = g_object_new (TM_TYPE_LEAD_CHOOSER,
                       "transient-for", parent,
                       NULL);
  for (guint i = 0; i < leads->len; i++)
    {
      TmLead *lead = g_ptr_array_index (leads, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *members = describe_members (lead);
      GtkWidget *row = adw_action_row_new ();
      gboolean member = lead_has_all (lead, acquisition_ids, n_ids);

      /* Translators: a lead's row: its number and status ("open", "confirmed", …) */
      title = g_strdup_printf (_("Lead %" PRId64 " · %s"),
                               tm_lead_get_id (lead), tm_lead_get_status (lead));
      if (member)
        /* Translators: the lead's members, then why it cannot be chosen */
        subtitle = g_strdup_printf (_("%s — already holds the query and this candidate"), members);
      else
        /* Translators: the lead's members, who created it and when */
        subtitle = g_strdup_printf (_("%s — by %s, %.10s"), members,
                                    tm_lead_get_created_by (lead),
                                    tm_lead_get_created_at (lead));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), !member);
      gtk_widget_set_sensitive (row, !member);
      g_object_set_data (G_OBJECT (row), "lead-id", GSIZE_TO_POINTER ((gsize) tm_lead_get_id (lead)));
      gtk_list_box_append (self->list_box, row);
      any_choosable |= !member;
    }
  gtk_stack_set_visible_child_name (self->stack, leads->len > 0 ? "list" : "empty");
  if (!any_choosable && leads->len > 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->add_button),
                                 _("Every lead already holds the query and this candidate"));
  return GTK_WINDOW (self);
}

gboolean
tm_lead_chooser_choose (TmLeadChooser *self,
                        gint64         lead_id)
{
  g_return_val_if_fail (TM_IS_LEAD_CHOOSER (self), FALSE);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) &&
        (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "lead-id")) == lead_id &&
        gtk_widget_get_sensitive (row))
      {
        gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
        gtk_widget_activate (GTK_WIDGET (self->add_button));
        return TRUE;
      }
  return FALSE;
}
