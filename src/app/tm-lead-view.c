/* tm-lead-view.c — one lead: evidence, timeline, notes, feedback, conclusion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What an investigator and an examiner need on one page: the linked evidence (case,
 * exhibit, file and a shaded-relief thumbnail of each breech face), the lead's
 * timeline (every event: who, when, what — appended, never edited), a note entry,
 * the investigator's feedback (what the lead led to: the NIBIN feedback loop), and
 * the ways on: Confirm… (the examiner's conclusion), Report… (lead or hit report)
 * and History (the audit trail of the lead, a member or its case).
 *
 * Reading runs in a worker thread with its own TmStore (the lead, each member's
 * acquisition and thumbnail, the hit, and what the OS login may do); notes and
 * feedback are recorded in a worker thread too, then the lead is read again. A
 * control the login's role does not allow is insensitive with the core's reason as
 * its tooltip, and the core checks again when recording.
 */
#define G_LOG_DOMAIN "tm-lead-view"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-app-util.h"
#include "tm-audit-dialog.h"
#include "tm-confirm-dialog.h"
#include "tm-lead-status.h"
#include "tm-lead-view.h"
#include "tm-relief.h"
#include "tm-report-dialog.h"
#include "tm-store.h"
#include "tm-text-column.h"
#include "tm-users.h"
#include "tm-workflow.h"

#define THUMBNAIL_SIZE 72

/* The outcomes as the core spells them, in the order of the combo row. */
static const char * const outcomes[] = {
  "arrest", "suspect-identified", "linked-prior-investigation", "no-action",
};

struct _TmLeadView
{
  GtkWidget        parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  AdwStatusPage   *error_page;
  GtkLabel        *title_label;
  GtkLabel        *status_label;
  GtkLabel        *created_label;
  GtkLabel        *conclusion_label;
  GtkButton       *confirm_button;
  GtkListBox      *members_list;
  AdwEntryRow     *note_row;
  AdwComboRow     *outcome_row;
  AdwEntryRow     *feedback_note_row;
  GtkButton       *feedback_button;
  GtkListBox      *events_list;

  GSettings       *settings;
  GCancellable    *cancellable;
  char            *db_path;
  gint64           lead_id;
  TmLead          *lead;
  gint64           hit_id;
  char            *lead_refusal;      /* why the login may not change leads, or NULL */
  char            *conclude_refusal;  /* why the login may not conclude, or NULL */
  guint            loading : 1;
  guint            writing : 1;
};

enum {
  CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TmLeadView, tm_lead_view, GTK_TYPE_WIDGET)

static guint signals[N_SIGNALS];

/* ---- words ---- */

static const char *
describe_status (const char *status)
{
  /* The view says more than the list of what open and confirmed mean. */
  if (g_strcmp0 (status, "open") == 0)
    return _("Open — unconfirmed");
  if (g_strcmp0 (status, "confirmed") == 0)
    return _("Confirmed — hit");
  return tm_lead_status_label (status);
}

static const char *
describe_conclusion (const char *conclusion)
{
  if (g_strcmp0 (conclusion, "identification") == 0)
    return _("Identification");
  if (g_strcmp0 (conclusion, "inconclusive") == 0)
    return _("Inconclusive");
  if (g_strcmp0 (conclusion, "elimination") == 0)
    return _("Elimination");
  if (g_strcmp0 (conclusion, "unsuitable") == 0)
    return _("Unsuitable");
  return conclusion;
}

static const char *
describe_outcome (const char *outcome)
{
  if (g_strcmp0 (outcome, "arrest") == 0)
    return _("Arrest");
  if (g_strcmp0 (outcome, "suspect-identified") == 0)
    return _("Suspect identified");
  if (g_strcmp0 (outcome, "linked-prior-investigation") == 0)
    return _("Linked to a prior investigation");
  if (g_strcmp0 (outcome, "no-action") == 0)
    return _("No action");
  return outcome;
}

static char *
payload_member (const char *payload,
                const char *member)
{
  g_autoptr(JsonNode) root = payload ? json_from_string (payload, NULL) : NULL;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static char *
describe_member_uuid (TmLead     *lead,
                      const char *uuid)
{
  GPtrArray *members = tm_lead_get_members (lead);

  for (guint i = 0; i < members->len; i++)
    {
      const TmLeadMember *m = g_ptr_array_index (members, i);

      if (g_strcmp0 (m->acquisition_uuid, uuid) == 0)
        /* Translators: a lead member: case number, exhibit */
        return g_strdup_printf (_("case %s, exhibit %s"), m->case_number ? m->case_number : "—",
                                m->exhibit ? m->exhibit : "—");
    }
  return g_strdup (uuid);
}

/* The timeline's title of an event, and its icon. */
static char *
describe_event (TmLead            *lead,
                const TmLeadEvent *event,
                const char       **out_icon)
{
  g_autofree char *note = payload_member (event->payload, "note");
  g_autofree char *text = NULL;

  if (g_strcmp0 (event->kind, "created") == 0)
    {
      *out_icon = "list-add-symbolic";
      return g_strdup (_("Lead created"));
    }
  if (g_strcmp0 (event->kind, "member-added") == 0)
    {
      g_autofree char *uuid = payload_member (event->payload, "acquisition");
      g_autofree char *what = describe_member_uuid (lead, uuid);

      *out_icon = "insert-link-symbolic";
      /* Translators: a timeline event; %s names the evidence ("case 12, exhibit 3") */
      return g_strdup_printf (_("Evidence linked: %s"), what);
    }
  if (g_strcmp0 (event->kind, "note") == 0)
    {
      *out_icon = "document-edit-symbolic";
      /* Translators: a timeline event; %s is the note */
      return g_strdup_printf (_("Note: %s"), note ? note : "");
    }
  if (g_strcmp0 (event->kind, "feedback") == 0)
    {
      g_autofree char *outcome = payload_member (event->payload, "outcome");

      *out_icon = "mail-reply-sender-symbolic";
      /* Translators: a timeline event; %s is the outcome ("Arrest", …) */
      text = g_strdup_printf (_("Investigator feedback: %s"), describe_outcome (outcome));
    }
  else if (g_strcmp0 (event->kind, "conclusion") == 0)
    {
      g_autofree char *conclusion = payload_member (event->payload, "conclusion");

      *out_icon = "emblem-ok-symbolic";
      /* Translators: a timeline event; %s is the conclusion ("Identification", …) */
      text = g_strdup_printf (_("Examiner’s conclusion: %s"), describe_conclusion (conclusion));
    }
  else if (g_strcmp0 (event->kind, "status") == 0)
    {
      g_autofree char *status = payload_member (event->payload, "status");

      *out_icon = "emblem-system-symbolic";
      /* Translators: a timeline event; %s is the new status */
      text = g_strdup_printf (_("Status: %s"), describe_status (status));
    }
  else
    {
      *out_icon = "emblem-system-symbolic";
      text = g_strdup (event->kind);
    }
  if (note != NULL)
    {
      char *with_note = g_strdup_printf ("%s — %s", text, note);

      g_free (text);
      text = with_note;
    }
  return g_steal_pointer (&text);
}

/* ---- loading ---- */

typedef struct
{
  TmAcquisition *acquisition;   /* NULL when it cannot be read (e.g. not yet synced) */
  GBytes        *thumbnail;     /* RGBA, or NULL */
  guint          width;
  guint          height;
} MemberInfo;

static void
member_info_free (MemberInfo *info)
{
  g_clear_object (&info->acquisition);
  g_clear_pointer (&info->thumbnail, g_bytes_unref);
  g_free (info);
}

typedef struct
{
  TmLead    *lead;
  GPtrArray *members;          /* MemberInfo, in the lead's member order */
  gint64     hit_id;
  char      *lead_refusal;
  char      *conclude_refusal;
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->lead);
  g_clear_pointer (&result->members, g_ptr_array_unref);
  g_free (result->lead_refusal);
  g_free (result->conclude_refusal);
  g_free (result);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *db_path = g_object_get_data (G_OBJECT (task), "db-path");
  gint64 lead_id = GPOINTER_TO_SIZE (task_data);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, lead_id);
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) refusal = NULL;
  TmReliefParams params;
  LoadResult *result;
  GPtrArray *members;
  GError *error = NULL;
  TmLead *lead;

  store = tm_store_open (db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lead = tm_store_get_lead (store, id, &error);
  if (lead == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  result = g_new0 (LoadResult, 1);
  result->lead = lead;
  result->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_info_free);

  tm_relief_params_init (&params);
  /* Band-passed breech faces are nearly flat at true scale. */
  params.exaggerate = TRUE;
  members = tm_lead_get_members (lead);
  for (guint i = 0; i < members->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      const TmLeadMember *m = g_ptr_array_index (members, i);
      MemberInfo *info = g_new0 (MemberInfo, 1);
      g_autoptr(TmSurface) surface = NULL;

      info->acquisition = tm_store_get_acquisition (store, m->acquisition_id, NULL);
      surface = tm_store_load_preprocessed (store, m->acquisition_id, "breech-face", NULL);
      if (surface != NULL)
        info->thumbnail = tm_relief_render (surface, &params, THUMBNAIL_SIZE,
                                            &info->width, &info->height, NULL);
      g_ptr_array_add (result->members, info);
    }

  hits = tm_store_list_hits (store, NULL);
  /* Newest first: the first hit of this lead is its latest identification. */
  for (guint i = 0; hits != NULL && i < hits->len; i++)
    if (((TmHit *) g_ptr_array_index (hits, i))->lead_id == lead_id)
      {
        result->hit_id = ((TmHit *) g_ptr_array_index (hits, i))->id;
        break;
      }

  if (!tm_store_check_permission (store, g_get_user_name (), TM_PERMISSION_LEAD, &refusal))
    result->lead_refusal = g_strdup (refusal->message);
  g_clear_error (&refusal);
  if (!tm_store_check_permission (store, g_get_user_name (), TM_PERMISSION_CONCLUDE, &refusal))
    result->conclude_refusal = g_strdup (refusal->message);

  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static GMenuModel *
history_menu (const TmLeadMember *member,
              TmAcquisition      *acquisition)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  g_autofree char *acq_title = NULL;

  /* Translators: the audit dialog's subtitle for an acquisition: its file */
  acq_title = g_strdup_printf (_("Acquisition %s"), member->file ? member->file : member->acquisition_uuid);
  item = g_menu_item_new (_("_Acquisition History"), NULL);
  g_menu_item_set_action_and_target_value (item, "lead-view.history",
                                           g_variant_new ("(ss)", member->acquisition_uuid, acq_title));
  g_menu_append_item (menu, item);
  if (acquisition != NULL && tm_acquisition_get_case_uuid (acquisition) != NULL)
    {
      g_autoptr(GMenuItem) case_item = g_menu_item_new (_("_Case History"), NULL);
      g_autofree char *case_title = NULL;

      /* Translators: the audit dialog's subtitle for a case: its number */
      case_title = g_strdup_printf (_("Case %s"), member->case_number ? member->case_number : "—");
      g_menu_item_set_action_and_target_value (case_item, "lead-view.history",
                                               g_variant_new ("(ss)", tm_acquisition_get_case_uuid (acquisition),
                                                              case_title));
      g_menu_append_item (menu, case_item);
    }
  return G_MENU_MODEL (menu);
}

static GtkWidget *
make_member_row (const TmLeadMember *member,
                 MemberInfo         *info)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *picture;
  GtkWidget *history;
  g_autoptr(GMenuModel) menu = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *added = tm_text_column_format_date (member->added_at);
  g_autofree char *thumb_name = NULL;
  TmAcquisition *a = info->acquisition;

  /* Translators: a lead member's row: case number, exhibit */
  title = g_strdup_printf (_("Case %s · exhibit %s"),
                           member->case_number ? member->case_number : "—",
                           member->exhibit ? member->exhibit : "—");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (a != NULL)
    {
      /* The case's agency, incident date, offense and place: those that are known. */
      const char *fields[] = { tm_acquisition_get_agency (a), tm_acquisition_get_incident_date (a),
                               tm_acquisition_get_offense (a), tm_acquisition_get_location (a) };
      gsize len = subtitle->len;

      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        if (fields[i] != NULL && *fields[i] != '\0')
          g_string_append_printf (subtitle, "%s%s", subtitle->len > len ? " · " : "", fields[i]);
      if (subtitle->len > len)
        g_string_append_c (subtitle, '\n');
    }
  /* Translators: a lead member: file, who linked it, when */
  g_string_append_printf (subtitle, _("%s — linked by %s, %s"),
                          member->file ? member->file : "—",
                          member->added_by ? member->added_by : "—", added);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  if (info->thumbnail != NULL)
    {
      g_autoptr(GdkTexture) texture = gdk_memory_texture_new (info->width, info->height,
                                                              GDK_MEMORY_R8G8B8A8,
                                                              info->thumbnail, info->width * 4);

      picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
    }
  else
    {
      picture = gtk_image_new_from_icon_name ("image-missing-symbolic");
      gtk_image_set_pixel_size (GTK_IMAGE (picture), 32);
    }
  gtk_widget_set_size_request (picture, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_widget_set_margin_top (picture, 6);
  gtk_widget_set_margin_bottom (picture, 6);
  gtk_widget_add_css_class (picture, "lead-thumbnail");
  /* Translators: accessible name of a member's thumbnail; %s is the row's title */
  thumb_name = g_strdup_printf (_("Breech face of %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, thumb_name, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), picture);

  menu = history_menu (member, a);
  history = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (history), "document-open-recent-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (history), menu);
  gtk_widget_set_valign (history, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (history, "flat");
  gtk_widget_set_tooltip_text (history, _("History of this acquisition or its case"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (history), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("History of this acquisition or its case"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), history);
  return row;
}

static GtkWidget *
make_event_row (TmLead            *lead,
                const TmLeadEvent *event)
{
  GtkWidget *row = adw_action_row_new ();
  const char *icon = NULL;
  g_autofree char *title = describe_event (lead, event, &icon);
  g_autofree char *when = tm_text_column_format_date (event->at);
  g_autofree char *subtitle = NULL;
  GtkWidget *image;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 4);
  /* Translators: a timeline event's subtitle: who, when */
  subtitle = g_strdup_printf (_("%s · %s"), event->user ? event->user : "—", when);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  image = gtk_image_new_from_icon_name (icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, event->kind, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
  return row;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
update_controls (TmLeadView *self)
{
  gboolean busy = self->loading || self->writing;
  gboolean may_lead = self->lead != NULL && self->lead_refusal == NULL;
  gboolean may_conclude = self->lead != NULL && self->conclude_refusal == NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->note_row), may_lead && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->outcome_row), may_lead && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->feedback_note_row), may_lead && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->feedback_button), may_lead && !busy);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->note_row), self->lead_refusal);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->feedback_button),
                               self->lead_refusal ? self->lead_refusal
                                                  : _("Record what the lead led to, as the investigator reported it"));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lead-view.confirm", may_conclude && !busy);
  /* Insensitive says nothing on its own: the tooltip gives the core's reason. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->confirm_button),
                               self->conclude_refusal ? self->conclude_refusal
                                                      : _("Record your conclusion as a firearms examiner"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lead-view.report-lead", self->lead != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lead-view.report-hit", self->lead != NULL && self->hit_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lead-view.lead-history", self->lead != NULL);
}

static void
show_lead (TmLeadView *self,
           LoadResult *loaded)
{
  TmLead *lead = loaded->lead;
  GPtrArray *members = tm_lead_get_members (lead);
  GPtrArray *events = tm_lead_get_events (lead);
  g_autofree char *title = NULL;
  g_autofree char *created = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, tm_lead_get_id (lead));
  g_autofree char *hit_number = g_strdup_printf ("%" G_GINT64_FORMAT, loaded->hit_id);
  g_autofree char *when = tm_text_column_format_date (tm_lead_get_created_at (lead));
  g_autoptr(GString) conclusion = g_string_new (NULL);
  const char *outcome = tm_lead_get_outcome (lead);

  g_set_object (&self->lead, lead);
  self->hit_id = loaded->hit_id;
  g_free (self->lead_refusal);
  self->lead_refusal = g_strdup (loaded->lead_refusal);
  g_free (self->conclude_refusal);
  self->conclude_refusal = g_strdup (loaded->conclude_refusal);

  /* Translators: the lead view's title; %s is the lead number */
  title = g_strdup_printf (_("Lead %s"), number);
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->status_label, describe_status (tm_lead_get_status (lead)));
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
  if (g_strcmp0 (tm_lead_get_status (lead), "confirmed") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "success");
  else if (g_strcmp0 (tm_lead_get_status (lead), "open") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");

  /* Translators: under the lead's title: who created it, when, how many items */
  created = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Created by %s on %s · %u piece of evidence",
                                          "Created by %s on %s · %u pieces of evidence",
                                          members->len),
                             tm_lead_get_created_by (lead), when, members->len);
  gtk_label_set_label (self->created_label, created);

  if (tm_lead_get_conclusion (lead) != NULL)
    /* Translators: %s is the examiner's conclusion */
    g_string_append_printf (conclusion, _("Examiner’s conclusion: %s"),
                            describe_conclusion (tm_lead_get_conclusion (lead)));
  else
    g_string_append (conclusion, _("No examiner’s conclusion yet: the association is unconfirmed."));
  if (self->hit_id > 0)
    /* Translators: appended to the conclusion line; %s is the hit number */
    g_string_append_printf (conclusion, _(" · hit %s"), hit_number);
  if (outcome != NULL)
    /* Translators: appended to the conclusion line; %s is the investigator's outcome */
    g_string_append_printf (conclusion, _(" · feedback: %s"), describe_outcome (outcome));
  gtk_label_set_label (self->conclusion_label, conclusion->str);

  clear_list (self->members_list);
  for (guint i = 0; i < members->len && i < loaded->members->len; i++)
    gtk_list_box_append (self->members_list,
                         make_member_row (g_ptr_array_index (members, i),
                                          g_ptr_array_index (loaded->members, i)));
  clear_list (self->events_list);
  for (guint i = 0; i < events->len; i++)
    gtk_list_box_append (self->events_list, make_event_row (lead, g_ptr_array_index (events, i)));

  for (guint i = 0; outcome != NULL && i < G_N_ELEMENTS (outcomes); i++)
    if (g_str_equal (outcomes[i], outcome))
      adw_combo_row_set_selected (self->outcome_row, i);

  gtk_stack_set_visible_child_name (self->stack, "lead");
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  TmLeadView *self = TM_LEAD_VIEW (object);
  g_autoptr(GError) error = NULL;
  LoadResult *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (loaded == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      g_clear_object (&self->lead);
      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      show_lead (self, loaded);
      load_result_free (loaded);
    }
  update_controls (self);
}

/* ---- recording notes and feedback ---- */

typedef struct
{
  char   *db_path;
  gint64  lead_id;
  char   *outcome;   /* NULL: a note */
  char   *text;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_free (data->db_path);
  g_free (data->outcome);
  g_free (data->text);
  g_free (data);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *data = task_data;
  g_autoptr(TmStore) store = NULL;
  GError *error = NULL;
  gboolean ok;

  store = tm_store_open (data->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (data->outcome != NULL)
    ok = tm_store_add_lead_feedback (store, data->lead_id, data->outcome, data->text,
                                     g_get_user_name (), &error);
  else
    ok = tm_store_add_lead_note (store, data->lead_id, data->text, g_get_user_name (), &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_toast (TmLeadView *self,
            const char *message,
            gboolean    is_error)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *toast = adw_toast_new (escaped);

  /* Errors stay until dismissed: a refusal must be read. */
  if (is_error)
    adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TmLeadView *self = TM_LEAD_VIEW (object);
  WriteData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message, TRUE);
      update_controls (self);
      return;
    }
  if (data->outcome != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->feedback_note_row), "");
      show_toast (self, _("Feedback recorded"), FALSE);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->note_row), "");
      show_toast (self, _("Note added"), FALSE);
    }
  g_signal_emit (self, signals[CHANGED], 0, data->lead_id);
  tm_lead_view_reload (self);
}

static void
start_write (TmLeadView *self,
             const char *outcome,
             const char *text)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  if (self->lead_id == 0 || self->db_path == NULL || self->writing)
    return;
  data = g_new0 (WriteData, 1);
  data->db_path = g_strdup (self->db_path);
  data->lead_id = self->lead_id;
  data->outcome = g_strdup (outcome);
  data->text = text != NULL && *text != '\0' ? g_strstrip (g_strdup (text)) : NULL;

  self->writing = TRUE;
  update_controls (self);
  /* Not the load's cancellable: a reload (the leads page reselecting this lead after
   * an earlier change, say) cancels that one, and a cancelled GTask reports
   * CANCELLED even when the write committed — the change signal would be lost and
   * the list would never show it. A write always finishes; the task keeps us alive. */
  task = g_task_new (self, NULL, write_cb, NULL);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, write_thread);
}

/* ---- callbacks and actions ---- */

static void
note_apply_cb (TmLeadView  *self,
               AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (*text != '\0')
    start_write (self, NULL, text);
}

static void
feedback_clicked_cb (TmLeadView *self)
{
  guint selected = adw_combo_row_get_selected (self->outcome_row);

  if (selected >= G_N_ELEMENTS (outcomes))
    return;
  start_write (self, outcomes[selected],
               gtk_editable_get_text (GTK_EDITABLE (self->feedback_note_row)));
}

static void
confirm_recorded_cb (TmLeadView *self,
                     gint64      lead_id,
                     const char *conclusion,
                     gint64      hit_id)
{
  g_autofree char *message = NULL;

  if (hit_id > 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, hit_id);

      /* Translators: after an identification; %s is the new hit's number */
      message = g_strdup_printf (_("Identification recorded: hit %s links the cases"), number);
    }
  else
    /* Translators: %s is the conclusion recorded ("Elimination", …) */
    message = g_strdup_printf (_("Conclusion recorded: %s"), describe_conclusion (conclusion));
  show_toast (self, message, FALSE);
  g_signal_emit (self, signals[CHANGED], 0, lead_id);
  if (lead_id == self->lead_id)
    tm_lead_view_reload (self);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  tm_lead_view_open_confirm (TM_LEAD_VIEW (widget));
}

static void
report (TmLeadView *self,
        const char *kind,
        gint64      id)
{
  g_autofree char *target = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  tm_report_dialog_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->db_path,
                            kind, target, self->settings);
}

static void
report_lead_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TmLeadView *self = TM_LEAD_VIEW (widget);

  if (self->lead != NULL)
    report (self, "lead", self->lead_id);
}

static void
report_hit_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TmLeadView *self = TM_LEAD_VIEW (widget);

  if (self->hit_id > 0)
    report (self, "hit", self->hit_id);
}

static void
lead_history_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  tm_lead_view_open_history (TM_LEAD_VIEW (widget));
}

static void
history_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TmLeadView *self = TM_LEAD_VIEW (widget);
  const char *uuid, *title;
  GtkWindow *dialog;

  g_variant_get (parameter, "(&s&s)", &uuid, &title);
  dialog = tm_audit_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->db_path, uuid, title);
  gtk_window_present (dialog);
}

/* ---- GObject ---- */

static void
tm_lead_view_dispose (GObject *object)
{
  TmLeadView *self = TM_LEAD_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  tm_widget_dispose_template_all (GTK_WIDGET (self), TM_TYPE_LEAD_VIEW);
  g_clear_object (&self->lead);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_lead_view_parent_class)->dispose (object);
}

static void
tm_lead_view_finalize (GObject *object)
{
  TmLeadView *self = TM_LEAD_VIEW (object);

  g_free (self->db_path);
  g_free (self->lead_refusal);
  g_free (self->conclude_refusal);

  G_OBJECT_CLASS (tm_lead_view_parent_class)->finalize (object);
}

static void
tm_lead_view_class_init (TmLeadViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_lead_view_dispose;
  object_class->finalize = tm_lead_view_finalize;

  /**
   * TmLeadView::changed:
   * @lead_id: the lead a note, feedback or conclusion was recorded on
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/toolmark/Toolmark/ui/tm-lead-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, stack);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, error_page);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, title_label);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, status_label);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, created_label);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, conclusion_label);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, members_list);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, note_row);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, feedback_note_row);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, feedback_button);
  gtk_widget_class_bind_template_child (widget_class, TmLeadView, events_list);
  gtk_widget_class_bind_template_callback (widget_class, note_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, feedback_clicked_cb);

  gtk_widget_class_install_action (widget_class, "lead-view.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "lead-view.report-lead", NULL, report_lead_action);
  gtk_widget_class_install_action (widget_class, "lead-view.report-hit", NULL, report_hit_action);
  gtk_widget_class_install_action (widget_class, "lead-view.lead-history", NULL, lead_history_action);
  gtk_widget_class_install_action (widget_class, "lead-view.history", "(ss)", history_action);
}

static void
tm_lead_view_init (TmLeadView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_controls (self);
}

/* ---- public API ---- */

GtkWidget *
tm_lead_view_new (void)
{
  return g_object_new (TM_TYPE_LEAD_VIEW, NULL);
}

void
tm_lead_view_set_db_path (TmLeadView *self,
                          const char *db_path)
{
  g_return_if_fail (TM_IS_LEAD_VIEW (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  tm_lead_view_set_lead (self, 0);
}

void
tm_lead_view_set_settings (TmLeadView *self,
                           GSettings  *settings)
{
  g_return_if_fail (TM_IS_LEAD_VIEW (self));

  g_set_object (&self->settings, settings);
}

void
tm_lead_view_set_lead (TmLeadView *self,
                       gint64      lead_id)
{
  g_return_if_fail (TM_IS_LEAD_VIEW (self));

  if (lead_id != self->lead_id)
    {
      g_clear_object (&self->lead);
      self->hit_id = 0;
      adw_combo_row_set_selected (self->outcome_row, 0);
      gtk_editable_set_text (GTK_EDITABLE (self->note_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->feedback_note_row), "");
    }
  self->lead_id = lead_id;
  if (lead_id == 0)
    {
      g_cancellable_cancel (self->cancellable);
      self->loading = FALSE;
      gtk_stack_set_visible_child_name (self->stack, "none");
      update_controls (self);
      return;
    }
  tm_lead_view_reload (self);
}

gint64
tm_lead_view_get_lead_id (TmLeadView *self)
{
  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), 0);

  return self->lead_id;
}

TmLead *
tm_lead_view_get_lead (TmLeadView *self)
{
  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), NULL);

  return self->lead;
}

gint64
tm_lead_view_get_hit_id (TmLeadView *self)
{
  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), 0);

  return self->hit_id;
}

void
tm_lead_view_reload (TmLeadView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TM_IS_LEAD_VIEW (self));

  if (self->db_path == NULL || self->lead_id == 0)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (self->lead == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  update_controls (self);

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, tm_lead_view_reload);
  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) self->lead_id), NULL);
  g_object_set_data_full (G_OBJECT (task), "db-path", g_strdup (self->db_path), g_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
tm_lead_view_get_busy (TmLeadView *self)
{
  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), FALSE);

  return self->loading || self->writing;
}

GtkWindow *
tm_lead_view_open_confirm (TmLeadView *self)
{
  GtkWindow *dialog;

  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), NULL);
  g_return_val_if_fail (self->db_path != NULL && self->lead_id > 0, NULL);

  dialog = tm_confirm_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                  self->db_path, self->lead_id);
  g_signal_connect_object (dialog, "recorded", G_CALLBACK (confirm_recorded_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
  return dialog;
}

GtkWindow *
tm_lead_view_open_history (TmLeadView *self)
{
  GtkWindow *dialog;
  g_autofree char *title = NULL;
  g_autofree char *number = NULL;

  g_return_val_if_fail (TM_IS_LEAD_VIEW (self), NULL);
  g_return_val_if_fail (self->lead != NULL, NULL);

  number = g_strdup_printf ("%" G_GINT64_FORMAT, self->lead_id);
  /* Translators: the audit dialog's subtitle; %s is the lead number */
  title = g_strdup_printf (_("Lead %s"), number);
  dialog = tm_audit_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->db_path,
                                tm_lead_get_uuid (self->lead), title);
  gtk_window_present (dialog);
  return dialog;
}
