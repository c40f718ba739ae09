/* tm-report-dialog.c — choose a report, preview it, print it or save it as PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The preview, the printer and the PDF file are all drawn by tm_report_draw_page(), so
 * what the preview shows is what is printed. Building a report reads the store and, for
 * lead and hit reports, re-runs comparisons (seconds), so it runs on a worker thread
 * with its own store connection; the finished TmReport only draws.
 */
#define G_LOG_DOMAIN "tm-report-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-report-dialog.h"
#include "tm-store.h"
#include "tm-users.h"

struct _TmReportDialog
{
  AdwWindow        parent_instance;

  char            *db_path;
  GSettings       *settings;
  TmReport        *report;
  GCancellable    *cancellable;
  guint            page;

  AdwToastOverlay *toasts;
  GtkDropDown     *kind;
  GtkEntry        *target;
  GtkEntry        *agency;
  GtkEntry        *from;
  GtkEntry        *to;
  GtkEntry        *site;
  GtkWidget       *target_row;
  GtkWidget       *stats_box;
  GtkWidget       *spinner;
  GtkDrawingArea  *preview;
  GtkLabel        *page_label;
  GtkWidget       *prev_button;
  GtkWidget       *next_button;
  GtkWidget       *print_button;
  GtkWidget       *save_button;
  GtkLabel        *status;
};

enum {
  PROP_0,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TmReportDialog, tm_report_dialog, ADW_TYPE_WINDOW)

static const char * const kinds[] = { "lead", "hit", "case", "stats", NULL };

typedef struct
{
  char *db_path;
  char *kind;
  char *target;
  char *agency;
  char *from;
  char *to;
  char *site;
  char *user;
} Request;

static void
request_free (gpointer data)
{
  Request *r = data;

  g_free (r->db_path);
  g_free (r->kind);
  g_free (r->target);
  g_free (r->agency);
  g_free (r->from);
  g_free (r->to);
  g_free (r->site);
  g_free (r->user);
  g_free (r);
}

static char *
entry_text (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *copy = g_strstrip (g_strdup (text));

  return *copy != '\0' ? g_steal_pointer (&copy) : NULL;
}

static const char *
current_kind (TmReportDialog *self)
{
  guint i = gtk_drop_down_get_selected (self->kind);

  return i < G_N_ELEMENTS (kinds) - 1 ? kinds[i] : "lead";
}

static void
build_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Request *r = task_data;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TmReportOptions options = { r->agency, r->user, NULL };
  TmReport *report = NULL;

  store = tm_store_open (r->db_path, &error);
  if (store != NULL && tm_store_check_permission (store, r->user, TM_PERMISSION_REPORT, &error))
    {
      if (g_str_equal (r->kind, "lead"))
        report = tm_report_new_lead (store, r->target, &options, cancellable, &error);
      else if (g_str_equal (r->kind, "hit"))
        report = tm_report_new_hit (store, r->target, &options, cancellable, &error);
      else if (g_str_equal (r->kind, "case"))
        report = tm_report_new_linkage (store, r->target, &options, &error);
      else
        {
          TmReportStatsRange range = { r->from, r->to, r->site };

          report = tm_report_new_stats (store, &range, &options, &error);
        }
    }
  if (report == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, report, g_object_unref);
}

static void
update_controls (TmReportDialog *self)
{
  guint n = self->report != NULL ? tm_report_get_n_pages (self->report) : 0;
  gboolean stats = g_str_equal (current_kind (self), "stats");

  gtk_widget_set_visible (self->target_row, !stats);
  gtk_widget_set_visible (self->stats_box, stats);
  gtk_widget_set_sensitive (self->prev_button, n > 0 && self->page > 0);
  gtk_widget_set_sensitive (self->next_button, n > 0 && self->page + 1 < n);
  gtk_widget_set_sensitive (self->print_button, n > 0);
  gtk_widget_set_sensitive (self->save_button, n > 0);
  if (n > 0)
    {
      g_autofree char *text = g_strdup_printf (_("Page %u of %u"), self->page + 1, n);

      gtk_label_set_text (self->page_label, text);
    }
  else
    gtk_label_set_text (self->page_label, "");
  gtk_widget_queue_draw (GTK_WIDGET (self->preview));
}

static void
set_report (TmReportDialog *self,
            TmReport       *report)
{
  if (g_set_object (&self->report, report))
    {
      self->page = 0;
      update_controls (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
    }
}

static void
build_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TmReportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TmReport) report = g_task_propagate_pointer (G_TASK (result), &error);

  gtk_spinner_stop (GTK_SPINNER (self->spinner));
  if (report == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->status, error->message);
      return;
    }
  gtk_label_set_text (self->status, tm_report_get_title (report));
  set_report (self, report);
}

static void
build (TmReportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  Request *r = g_new0 (Request, 1);

  r->db_path = g_strdup (self->db_path);
  r->kind = g_strdup (current_kind (self));
  r->target = entry_text (self->target);
  r->agency = entry_text (self->agency);
  r->from = entry_text (self->from);
  r->to = entry_text (self->to);
  r->site = entry_text (self->site);
  r->user = g_strdup (g_get_user_name ());
  if (!g_str_equal (r->kind, "stats") && r->target == NULL)
    {
      gtk_label_set_text (self->status, _("Enter the number of the lead, hit or case to report on."));
      request_free (r);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_report (self, NULL);
  gtk_label_set_text (self->status, _("Building the report…"));
  gtk_spinner_start (GTK_SPINNER (self->spinner));

  task = g_task_new (NULL, self->cancellable, build_done_cb, g_object_ref (self));
  g_task_set_task_data (task, r, request_free);
  g_task_run_in_thread (task, build_thread);
}

static void
draw_preview (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  TmReportDialog *self = user_data;
  double w, h;

  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_paint (cr);
  if (self->report == NULL)
    return;
  /* The page fitted into the area with a small margin, A4 proportions. */
  h = height - 16;
  w = h * 210.0 / 297.0;   /* A4, as reports are laid out */
  if (w > width - 16)
    {
      w = width - 16;
      h = w * 297.0 / 210.0;
    }
  cairo_translate (cr, (width - w) / 2, (height - h) / 2);
  tm_report_draw_page (self->report, cr, self->page, w, h);
}

/* ---- printing ---- */

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                gpointer           user_data)
{
  TmReport *report = user_data;

  gtk_print_operation_set_n_pages (operation, tm_report_get_n_pages (report));
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              gpointer           user_data)
{
  TmReport *report = user_data;

  tm_report_draw_page (report, gtk_print_context_get_cairo_context (context), page,
                       gtk_print_context_get_width (context),
                       gtk_print_context_get_height (context));
}

/* The operation both "Print…" and tm_report_dialog_export_via_print() run, so the
 * test of the export exercises what a printer receives. */
static GtkPrintOperation *
new_print_operation (TmReportDialog *self)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_print_operation_set_default_page_setup (operation, setup);
  /* The report draws its own margins, header and footer on the whole sheet. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, tm_report_get_title (self->report));
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect_object (operation, "begin-print", G_CALLBACK (begin_print_cb),
                           self->report, 0);
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (draw_page_cb),
                           self->report, 0);
  return operation;
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TmReportDialog *self = TM_REPORT_DIALOG (widget);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;

  if (self->report == NULL)
    return;
  operation = new_print_operation (self);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_WINDOW (self), &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
}

/* ---- saving ---- */

static void
save_response_cb (GtkNativeDialog *native,
                  int              response,
                  gpointer         user_data)
{
  TmReportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->report != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        adw_toast_overlay_add_toast (self->toasts,
                                     adw_toast_new (_("Choose a local file to save the report in")));
      else if (!tm_report_dialog_save_pdf (self, path, &error))
        adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      else
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *text = g_strdup_printf (_("Saved %s"), base);

          adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
        }
    }
  g_object_unref (native);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TmReportDialog *self = TM_REPORT_DIALOG (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *target = entry_text (self->target);
  g_autofree char *name = NULL;

  if (self->report == NULL)
    return;
  name = g_str_equal (current_kind (self), "stats") || target == NULL
         ? g_strdup_printf ("%s.pdf", current_kind (self))
         : g_strdup_printf ("%s-%s.pdf", current_kind (self), target);
  native = gtk_file_chooser_native_new (_("Save Report as PDF"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_signal_connect (native, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TmReportDialog *self = TM_REPORT_DIALOG (widget);
  int delta = g_variant_get_int32 (parameter);
  guint n = self->report ? tm_report_get_n_pages (self->report) : 0;

  if (n == 0)
    return;
  if (delta < 0 && self->page > 0)
    self->page--;
  else if (delta > 0 && self->page + 1 < n)
    self->page++;
  update_controls (self);
}

static void
build_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  build (TM_REPORT_DIALOG (widget));
}

static void
kind_changed_cb (TmReportDialog *self)
{
  update_controls (self);
}

/* ---- construction ---- */

static GtkWidget *
labelled (const char *label,
          GtkWidget  *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *l = gtk_label_new_with_mnemonic (label);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_widget_add_css_class (l, "caption-heading");
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), child);
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

static GtkEntry *
new_entry (const char *placeholder)
{
  GtkWidget *entry = gtk_entry_new ();

  if (placeholder != NULL)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  return GTK_ENTRY (entry);
}

static void
entry_activate_cb (GtkEntry       *entry,
                   TmReportDialog *self)
{
  build (self);
}

static void
tm_report_dialog_dispose (GObject *object)
{
  TmReportDialog *self = TM_REPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->report);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (tm_report_dialog_parent_class)->dispose (object);
}

static void
tm_report_dialog_finalize (GObject *object)
{
  TmReportDialog *self = TM_REPORT_DIALOG (object);

  g_free (self->db_path);
  G_OBJECT_CLASS (tm_report_dialog_parent_class)->finalize (object);
}

static void
tm_report_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TmReportDialog *self = TM_REPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      g_value_set_object (value, self->report);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_report_dialog_class_init (TmReportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_report_dialog_dispose;
  object_class->finalize = tm_report_dialog_finalize;
  object_class->get_property = tm_report_dialog_get_property;

  properties[PROP_REPORT] =
    g_param_spec_object ("report", NULL, NULL, TM_TYPE_REPORT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "report.build", NULL, build_action);
  gtk_widget_class_install_action (widget_class, "report.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "report.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "report.page", "i", page_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "report.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "report.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "report.page", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "report.page", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tm_report_dialog_init (TmReportDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *build_button;
  const char *kind_names[] = { _("Lead report"), _("Hit / intelligence report"),
                               _("Case linkage chart"), _("Supervisor statistics"), NULL };

  gtk_window_set_title (GTK_WINDOW (self), _("Reports"));
  gtk_window_set_default_size (GTK_WINDOW (self), 980, 760);

  self->print_button = gtk_button_new_with_mnemonic (_("_Print…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->print_button), "report.print");
  self->save_button = gtk_button_new_with_mnemonic (_("_Save as PDF…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "report.save");
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->print_button);
  self->spinner = gtk_spinner_new ();
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->spinner);
  gtk_box_append (GTK_BOX (content), header);

  /* The form: what to report on. */
  gtk_widget_set_size_request (form, 260, -1);
  gtk_widget_set_margin_start (form, 18);
  gtk_widget_set_margin_end (form, 18);
  gtk_widget_set_margin_top (form, 18);
  gtk_widget_set_margin_bottom (form, 18);
  self->kind = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (kind_names));
  g_signal_connect_swapped (self->kind, "notify::selected", G_CALLBACK (kind_changed_cb), self);
  gtk_box_append (GTK_BOX (form), labelled (_("_Report"), GTK_WIDGET (self->kind)));
  self->target = new_entry (_("Lead or hit number, or case number"));
  self->target_row = labelled (_("_Of"), GTK_WIDGET (self->target));
  gtk_box_append (GTK_BOX (form), self->target_row);

  self->stats_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->from = new_entry (_("YYYY-MM-DD (first record)"));
  self->to = new_entry (_("YYYY-MM-DD (today)"));
  self->site = new_entry (_("All sites"));
  gtk_box_append (GTK_BOX (self->stats_box), labelled (_("_From"), GTK_WIDGET (self->from)));
  gtk_box_append (GTK_BOX (self->stats_box), labelled (_("_To"), GTK_WIDGET (self->to)));
  gtk_box_append (GTK_BOX (self->stats_box), labelled (_("S_ite"), GTK_WIDGET (self->site)));
  gtk_box_append (GTK_BOX (form), self->stats_box);

  self->agency = new_entry (_("The local site's name"));
  gtk_box_append (GTK_BOX (form), labelled (_("_Agency in the header"), GTK_WIDGET (self->agency)));

  build_button = gtk_button_new_with_mnemonic (_("_Preview"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (build_button), "report.build");
  gtk_box_append (GTK_BOX (form), build_button);

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->status));

  g_signal_connect (self->target, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect (self->from, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect (self->to, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect (self->site, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect (self->agency, "activate", G_CALLBACK (entry_activate_cb), self);

  /* The preview: the page as it will print. */
  self->preview = GTK_DRAWING_AREA (gtk_drawing_area_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->preview), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->preview), TRUE);
  gtk_drawing_area_set_draw_func (self->preview, draw_preview, self, NULL);
  self->prev_button = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_tooltip_text (self->prev_button, _("Previous page"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->prev_button), "report.page");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->prev_button), "i", -1);
  self->next_button = gtk_button_new_from_icon_name ("go-next-symbolic");
  gtk_widget_set_tooltip_text (self->next_button, _("Next page"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->next_button), "report.page");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->next_button), "i", 1);
  self->page_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->page_label), "numeric");
  gtk_widget_set_halign (nav, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_bottom (nav, 6);
  gtk_box_append (GTK_BOX (nav), self->prev_button);
  gtk_box_append (GTK_BOX (nav), GTK_WIDGET (self->page_label));
  gtk_box_append (GTK_BOX (nav), self->next_button);
  gtk_box_append (GTK_BOX (right), GTK_WIDGET (self->preview));
  gtk_box_append (GTK_BOX (right), nav);

  gtk_box_append (GTK_BOX (body), form);
  gtk_box_append (GTK_BOX (body), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (GTK_BOX (body), right);
  gtk_widget_set_vexpand (body, TRUE);
  gtk_box_append (GTK_BOX (content), body);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, content);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));
  update_controls (self);
}

TmReportDialog *
tm_report_dialog_new (GtkWindow  *parent,
                      const char *db_path,
                      const char *kind,
                      const char *target_id,
                      GSettings  *settings)
{
  TmReportDialog *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (TM_TYPE_REPORT_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->db_path = g_strdup (db_path);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    {
      g_autofree char *agency = g_settings_get_string (settings, "agency-name");

      gtk_editable_set_text (GTK_EDITABLE (self->agency), agency);
    }
  for (guint i = 0; kind != NULL && kinds[i] != NULL; i++)
    if (g_str_equal (kind, kinds[i]))
      gtk_drop_down_set_selected (self->kind, i);
  if (target_id != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->target), target_id);
  update_controls (self);
  if (target_id != NULL || g_strcmp0 (kind, "stats") == 0)
    build (self);
  return self;
}

void
tm_report_dialog_present (GtkWindow  *parent,
                          const char *db_path,
                          const char *kind,
                          const char *target_id,
                          GSettings  *settings)
{
  TmReportDialog *self = tm_report_dialog_new (parent, db_path, kind, target_id, settings);

  gtk_window_present (GTK_WINDOW (self));
}

gboolean
tm_report_dialog_export_via_print (TmReportDialog  *self,
                                   const char      *path,
                                   GError         **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (TM_IS_REPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->report == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The report is not built yet: preview it first."));
      return FALSE;
    }
  operation = new_print_operation (self);
  gtk_print_operation_set_export_filename (operation, path);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT,
                               GTK_WINDOW (self), &local_error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_report_dialog_save_pdf (TmReportDialog  *self,
                           const char      *path,
                           GError         **error)
{
  g_return_val_if_fail (TM_IS_REPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->report == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The report is not built yet: preview it first."));
      return FALSE;
    }
  return tm_report_write_pdf (self->report, path, error);
}

TmReport *
tm_report_dialog_get_report (TmReportDialog *self)
{
  g_return_val_if_fail (TM_IS_REPORT_DIALOG (self), NULL);
  return self->report;
}
