/* tm-import-dialog.c — import scans: the case form, progress, and what failed per file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person types applies to every file of the batch (as `toolmark-cli import
 * --case … --kind …` does). The files are imported by a GTask worker with its own
 * TmStore connection, one transaction per file: a corrupt file fails alone, with its
 * message on its own row, and the others are kept. Progress reaches the window through
 * the main context, one message per file; Cancel stops before the next file.
 */
#define G_LOG_DOMAIN "tm-import-dialog"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-import-dialog.h"
#include "tm-importer.h"
#include "tm-store.h"

typedef enum
{
  FILE_PENDING,
  FILE_RUNNING,
  FILE_DONE,
  FILE_FAILED,
} FileState;

typedef struct
{
  char      *path;
  char      *error;
  FileState  state;
  GtkWidget *row;
  GtkWidget *icon;
} FileEntry;

struct _TmImportDialog
{
  AdwWindow      parent_instance;

  GtkWidget     *cancel_button;
  GtkWidget     *import_button;
  GtkWidget     *page;
  GtkWidget     *files_group;
  GtkWidget     *progress_revealer;
  GtkWidget     *progress_bar;
  GtkWidget     *progress_label;
  GtkWidget     *title;
  AdwToastOverlay *toasts;

  /* form */
  GtkWidget     *agency;
  GtkWidget     *case_number;
  GtkWidget     *lab_case_number;
  GtkWidget     *incident_date;
  GtkWidget     *offense;
  GtkWidget     *location;
  GtkWidget     *exhibit;
  GtkWidget     *kind;
  GtkWidget     *firearm_make;
  GtkWidget     *firearm_model;
  GtkWidget     *firearm_serial;
  GtkWidget     *calibre;
  GtkWidget     *firing_pin_type;
  GtkWidget     *firing_pin_shape;
  GtkWidget     *breech_face_class;
  GtkWidget     *microstamp_firing_pin;
  GtkWidget     *microstamp_breech_face;

  GArray        *files;   /* FileEntry */
  char          *db_path;
  GCancellable  *cancellable;
  guint          n_imported;
  guint          n_failed;
  guint          running : 1;
  guint          finished : 1;
};

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TmImportDialog, tm_import_dialog, ADW_TYPE_WINDOW)

/* The dropdowns' values: the schema's spellings (src/core/tm-store.c), index 0 is
 * "not recorded" (NULL). */
static const char * const kind_values[] = { "crime-scene", "test-fire", NULL };
static const char * const firing_pin_type_values[] = { NULL, "centre-fire", "rim-fire" };
static const char * const firing_pin_shape_values[] = { NULL, "circular", "elliptical", "hemispherical", "rectangular" };
static const char * const breech_face_class_values[] = { NULL, "arched", "circular", "crosshatch", "granular", "parallel", "smooth" };

static void
file_entry_clear (FileEntry *entry)
{
  g_free (entry->path);
  g_free (entry->error);
}

/* ---- the worker ---- */

typedef struct
{
  char       *db_path;
  char       *user;
  GPtrArray  *paths;
  TmCaseData *data;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_free (job->db_path);
  g_free (job->user);
  g_ptr_array_unref (job->paths);
  tm_case_data_free (job->data);
  g_free (job);
}

typedef struct
{
  TmImportDialog *dialog;
  guint           index;
  FileState       state;
  char           *error;
} Progress;

static void
tm_import_dialog_update_row (TmImportDialog *self,
                             guint           index);

static gboolean
progress_cb (gpointer user_data)
{
  Progress *progress = user_data;
  TmImportDialog *self = progress->dialog;
  FileEntry *entry = &g_array_index (self->files, FileEntry, progress->index);
  guint n = self->files->len;
  g_autofree char *text = NULL;

  entry->state = progress->state;
  g_free (entry->error);
  entry->error = g_steal_pointer (&progress->error);
  if (progress->state == FILE_DONE)
    self->n_imported++;
  else if (progress->state == FILE_FAILED)
    self->n_failed++;
  tm_import_dialog_update_row (self, progress->index);

  if (progress->state == FILE_RUNNING)
    {
      g_autofree char *name = g_path_get_basename (entry->path);

      /* Translators: the import progress: position, number of files, file name */
      text = g_strdup_printf (_("Importing %u of %u: %s"), progress->index + 1, n, name);
      gtk_label_set_label (GTK_LABEL (self->progress_label), text);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), (double) progress->index / n);
    }
  else
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), (double) (progress->index + 1) / n);

  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer user_data)
{
  Progress *progress = user_data;

  g_object_unref (progress->dialog);
  g_free (progress->error);
  g_free (progress);
}

static void
report (GTask     *task,
        guint      index,
        FileState  state,
        char      *error)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->dialog = g_object_ref (g_task_get_source_object (task));
  progress->index = index;
  progress->state = state;
  progress->error = error;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT,
                              progress_cb, progress, progress_free);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmImporter) importer = NULL;
  GError *error = NULL;

  store = tm_store_open (job->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  importer = tm_importer_new (store, job->user);
  tm_importer_set_defaults (importer, job->data);

  for (guint i = 0; i < job->paths->len; i++)
    {
      g_autoptr(TmAcquisition) acquisition = NULL;
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      report (task, i, FILE_RUNNING, NULL);
      acquisition = tm_importer_import_file (importer, g_ptr_array_index (job->paths, i), &local_error);
      if (acquisition != NULL)
        report (task, i, FILE_DONE, NULL);
      else
        report (task, i, FILE_FAILED, g_strdup (local_error->message));
    }

  g_task_return_boolean (task, TRUE);
}

/* ---- UI ---- */

static void
tm_import_dialog_set_running (TmImportDialog *self,
                              gboolean        running)
{
  running = !!running;
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
tm_import_dialog_update_row (TmImportDialog *self,
                             guint           index)
{
  FileEntry *entry = &g_array_index (self->files, FileEntry, index);
  g_autofree char *dir = g_path_get_dirname (entry->path);

  gtk_widget_remove_css_class (entry->row, "error");
  gtk_widget_remove_css_class (entry->icon, "error");
  gtk_widget_remove_css_class (entry->icon, "success");
  switch (entry->state)
    {
    case FILE_PENDING:
      adw_action_row_set_subtitle (ADW_ACTION_ROW (entry->row), dir);
      gtk_image_set_from_icon_name (GTK_IMAGE (entry->icon), "document-open-symbolic");
      gtk_widget_set_tooltip_text (entry->icon, _("Waiting"));
      break;

    case FILE_RUNNING:
      adw_action_row_set_subtitle (ADW_ACTION_ROW (entry->row), _("Importing…"));
      gtk_image_set_from_icon_name (GTK_IMAGE (entry->icon), "content-loading-symbolic");
      gtk_widget_set_tooltip_text (entry->icon, _("Importing"));
      break;

    case FILE_DONE:
      adw_action_row_set_subtitle (ADW_ACTION_ROW (entry->row), _("Imported"));
      gtk_image_set_from_icon_name (GTK_IMAGE (entry->icon), "emblem-ok-symbolic");
      gtk_widget_add_css_class (entry->icon, "success");
      gtk_widget_set_tooltip_text (entry->icon, _("Imported"));
      break;

    case FILE_FAILED:
      {
        g_autofree char *escaped = g_markup_escape_text (entry->error ?: "", -1);

        adw_action_row_set_subtitle (ADW_ACTION_ROW (entry->row), escaped);
        gtk_image_set_from_icon_name (GTK_IMAGE (entry->icon), "dialog-error-symbolic");
        gtk_widget_add_css_class (entry->icon, "error");
        gtk_widget_add_css_class (entry->row, "error");
        gtk_widget_set_tooltip_text (entry->icon, _("Not imported"));
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TmImportDialog *self = TM_IMPORT_DIALOG (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  guint n_skipped;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The database could not be opened: every file is affected alike. */
      for (guint i = 0; i < self->files->len; i++)
        {
          FileEntry *entry = &g_array_index (self->files, FileEntry, i);

          if (entry->state != FILE_PENDING)
            continue;
          entry->state = FILE_FAILED;
          entry->error = g_strdup (error->message);
          self->n_failed++;
          tm_import_dialog_update_row (self, i);
        }
    }

  n_skipped = self->files->len - self->n_imported - self->n_failed;
  if (self->n_failed == 0 && n_skipped == 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u scan imported",
                                            "%u scans imported", self->n_imported),
                               self->n_imported);
  else if (n_skipped > 0)
    /* Translators: after a cancelled import */
    summary = g_strdup_printf (_("Cancelled: %u imported, %u not imported, %u not attempted"),
                               self->n_imported, self->n_failed, n_skipped);
  else
    /* Translators: after an import where some files failed; their rows say why */
    summary = g_strdup_printf (_("%u imported, %u not imported: see the files marked in red"),
                               self->n_imported, self->n_failed);

  adw_window_title_set_subtitle (ADW_WINDOW_TITLE (self->title), summary);
  gtk_label_set_label (GTK_LABEL (self->progress_label), summary);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 1.0);

  g_clear_object (&self->cancellable);
  self->finished = TRUE;
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  gtk_widget_set_visible (self->import_button, FALSE);
  tm_import_dialog_set_running (self, FALSE);
  g_signal_emit (self, signals[FINISHED], 0, self->n_imported);
}

static char *
entry_text (GtkWidget *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static char *
combo_value (GtkWidget          *row,
             const char * const *values)
{
  return g_strdup (values[adw_combo_row_get_selected (ADW_COMBO_ROW (row))]);
}

static gboolean
valid_date (const char *text)
{
  int y, m, d;
  char tail;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen (text) != 10)
    return FALSE;
  return g_date_valid_dmy (d, m, y);
}

/* Reads the form; NULL (and the offending row marked) when a value is not valid. */
static TmCaseData *
tm_import_dialog_read_form (TmImportDialog  *self,
                            GError         **error)
{
  g_autoptr(TmCaseData) data = tm_case_data_new ();

  gtk_widget_remove_css_class (self->incident_date, "error");

  data->agency = entry_text (self->agency);
  data->case_number = entry_text (self->case_number);
  data->lab_case_number = entry_text (self->lab_case_number);
  data->incident_date = entry_text (self->incident_date);
  data->offense = entry_text (self->offense);
  data->location = entry_text (self->location);
  data->exhibit = entry_text (self->exhibit);
  data->kind = combo_value (self->kind, kind_values);
  if (g_strcmp0 (data->kind, "test-fire") == 0)
    {
      data->firearm_make = entry_text (self->firearm_make);
      data->firearm_model = entry_text (self->firearm_model);
      data->firearm_serial = entry_text (self->firearm_serial);
    }
  data->calibre = entry_text (self->calibre);
  data->firing_pin_type = combo_value (self->firing_pin_type, firing_pin_type_values);
  data->firing_pin_shape = combo_value (self->firing_pin_shape, firing_pin_shape_values);
  data->breech_face_class = combo_value (self->breech_face_class, breech_face_class_values);
  data->microstamp_firing_pin = entry_text (self->microstamp_firing_pin);
  data->microstamp_breech_face = entry_text (self->microstamp_breech_face);

  if (data->incident_date != NULL && !valid_date (data->incident_date))
    {
      gtk_widget_add_css_class (self->incident_date, "error");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Incident date “%s” is not a date as YYYY-MM-DD"), data->incident_date);
      return NULL;
    }
  if (!tm_case_data_normalize (data, error))
    return NULL;
  return g_steal_pointer (&data);
}

static void
kind_changed_cb (TmImportDialog *self)
{
  gboolean test_fire = adw_combo_row_get_selected (ADW_COMBO_ROW (self->kind)) == 1;

  /* The schema keeps firearm details for test fires only. */
  gtk_widget_set_visible (self->firearm_make, test_fire);
  gtk_widget_set_visible (self->firearm_model, test_fire);
  gtk_widget_set_visible (self->firearm_serial, test_fire);
}

static void
import_clicked_cb (TmImportDialog *self)
{
  tm_import_dialog_start (self);
}

static void
cancel_clicked_cb (TmImportDialog *self)
{
  if (self->running)
    tm_import_dialog_cancel (self);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static gboolean
tm_import_dialog_close_request (GtkWindow *window)
{
  TmImportDialog *self = TM_IMPORT_DIALOG (window);

  /* Closing mid-import stops after the current file; the worker holds a reference,
   * so the rows it reports to stay valid until it ends. */
  if (self->running)
    tm_import_dialog_cancel (self);
  return GTK_WINDOW_CLASS (tm_import_dialog_parent_class)->close_request (window);
}

static GtkWidget *
add_entry (GtkWidget  *group,
           const char *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_combo (GtkWidget          *group,
           const char         *title,
           const char * const *labels)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_group (TmImportDialog *self,
           const char     *title,
           const char     *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
  return group;
}

static void
tm_import_dialog_build (TmImportDialog *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *progress_box;
  GtkWidget *group;
  const char *kind_labels[] = { _("Crime scene"), _("Test fire"), NULL };
  const char *fp_type_labels[] = { _("Not recorded"), _("Centre-fire"), _("Rim-fire"), NULL };
  const char *fp_shape_labels[] = { _("Not recorded"), _("Circular"), _("Elliptical"),
                                    _("Hemispherical"), _("Rectangular"), NULL };
  const char *bf_labels[] = { _("Not recorded"), _("Arched"), _("Circular"), _("Crosshatch"),
                              _("Granular"), _("Parallel"), _("Smooth"), NULL };

  self->title = adw_window_title_new (_("Import Scans"), NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), self->title);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);
  self->import_button = gtk_button_new_with_mnemonic (_("_Import"));
  gtk_widget_add_css_class (self->import_button, "suggested-action");
  g_signal_connect_swapped (self->import_button, "clicked", G_CALLBACK (import_clicked_cb), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->import_button);
  gtk_box_append (GTK_BOX (toolbar), header);

  self->page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (self->page, TRUE);

  self->files_group = add_group (self, _("Files"), NULL);

  group = add_group (self, _("Case"), _("Applies to every file. An existing case with the same agency and case number is reused."));
  self->agency = add_entry (group, _("Agency"));
  self->case_number = add_entry (group, _("Agency case number"));
  self->lab_case_number = add_entry (group, _("Lab case number"));
  self->incident_date = add_entry (group, _("Incident date (YYYY-MM-DD)"));
  self->offense = add_entry (group, _("Offense"));
  self->location = add_entry (group, _("Location"));

  group = add_group (self, _("Exhibit"), _("Leave the item number empty to use each file’s name."));
  self->exhibit = add_entry (group, _("Item number"));
  self->kind = add_combo (group, _("Evidence kind"), kind_labels);
  self->firearm_make = add_entry (group, _("Firearm make"));
  self->firearm_model = add_entry (group, _("Firearm model"));
  self->firearm_serial = add_entry (group, _("Firearm serial number"));
  g_signal_connect_swapped (self->kind, "notify::selected", G_CALLBACK (kind_changed_cb), self);
  kind_changed_cb (self);

  group = add_group (self, _("Class Characteristics"), _("Searches narrow candidates by these; leave unknown values as “Not recorded”."));
  self->calibre = add_entry (group, _("Calibre"));
  self->firing_pin_type = add_combo (group, _("Firing-pin type"), fp_type_labels);
  self->firing_pin_shape = add_combo (group, _("Firing-pin shape"), fp_shape_labels);
  self->breech_face_class = add_combo (group, _("Breech-face class"), bf_labels);

  group = add_group (self, _("Microstamp Codes"), NULL);
  self->microstamp_firing_pin = add_entry (group, _("On the firing pin"));
  self->microstamp_breech_face = add_entry (group, _("On the breech face"));

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, self->page);
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->toasts));

  progress_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (progress_box, "toolbar");
  gtk_widget_set_margin_start (progress_box, 12);
  gtk_widget_set_margin_end (progress_box, 12);
  gtk_widget_set_margin_top (progress_box, 6);
  gtk_widget_set_margin_bottom (progress_box, 12);
  self->progress_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->progress_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->progress_label), PANGO_ELLIPSIZE_MIDDLE);
  self->progress_bar = gtk_progress_bar_new ();
  gtk_box_append (GTK_BOX (progress_box), self->progress_label);
  gtk_box_append (GTK_BOX (progress_box), self->progress_bar);
  self->progress_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->progress_revealer), progress_box);
  gtk_box_append (GTK_BOX (toolbar), self->progress_revealer);

  adw_window_set_content (ADW_WINDOW (self), toolbar);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *ka = g_utf8_collate_key_for_filename (*(const char * const *) a, -1);
  g_autofree char *kb = g_utf8_collate_key_for_filename (*(const char * const *) b, -1);

  return strcmp (ka, kb);
}

static void
tm_import_dialog_add_files (TmImportDialog *self,
                            GListModel     *files)
{
  g_autoptr(GPtrArray) given = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  guint n = files != NULL ? g_list_model_get_n_items (files) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      char *path = g_file_get_path (file);

      if (path != NULL)
        g_ptr_array_add (given, path);
    }
  g_ptr_array_add (given, NULL);

  paths = tm_importer_expand_paths ((const char * const *) given->pdata, &error);
  if (paths == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (escaped));
      return;
    }
  /* In the order a file manager shows them ("Fadul 2" before "Fadul 10"), whatever
   * order the chooser or the drop gave. */
  g_ptr_array_sort (paths, compare_paths);

  for (guint i = 0; i < paths->len; i++)
    {
      FileEntry entry = { 0, };
      g_autofree char *name = g_path_get_basename (g_ptr_array_index (paths, i));

      entry.path = g_strdup (g_ptr_array_index (paths, i));
      entry.row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry.row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (entry.row), FALSE);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (entry.row), 0);
      entry.icon = gtk_image_new ();
      adw_action_row_add_prefix (ADW_ACTION_ROW (entry.row), entry.icon);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->files_group), entry.row);
      g_array_append_val (self->files, entry);
      tm_import_dialog_update_row (self, self->files->len - 1);
    }

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u scan (X3P, TIFF or PNG)",
                                              "%u scans (X3P, TIFF or PNG)", self->files->len),
                                 self->files->len);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->files_group), description);
  gtk_widget_set_sensitive (self->import_button, self->files->len > 0);
}

static void
tm_import_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TmImportDialog *self = TM_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_import_dialog_dispose (GObject *object)
{
  TmImportDialog *self = TM_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tm_import_dialog_parent_class)->dispose (object);
}

static void
tm_import_dialog_finalize (GObject *object)
{
  TmImportDialog *self = TM_IMPORT_DIALOG (object);

  g_array_unref (self->files);
  g_free (self->db_path);

  G_OBJECT_CLASS (tm_import_dialog_parent_class)->finalize (object);
}

static void
tm_import_dialog_class_init (TmImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_import_dialog_dispose;
  object_class->finalize = tm_import_dialog_finalize;
  object_class->get_property = tm_import_dialog_get_property;
  window_class->close_request = tm_import_dialog_close_request;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TmImportDialog::finished:
   * @n_imported: how many files were imported
   *
   * The worker ended (all files tried, cancelled, or the database failed).
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tm_import_dialog_init (TmImportDialog *self)
{
  self->files = g_array_new (FALSE, TRUE, sizeof (FileEntry));
  g_array_set_clear_func (self->files, (GDestroyNotify) file_entry_clear);

  gtk_window_set_title (GTK_WINDOW (self), _("Import Scans"));
  gtk_window_set_default_size (GTK_WINDOW (self), 600, 760);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  tm_import_dialog_build (self);
}

TmImportDialog *
tm_import_dialog_new (GtkWindow  *parent,
                      const char *db_path,
                      GSettings  *settings,
                      GListModel *files)
{
  TmImportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (files == NULL || G_IS_LIST_MODEL (files), NULL);

  self = g_object_new (TM_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->db_path = g_strdup (db_path);
  if (settings != NULL)
    {
      g_autofree char *agency = g_settings_get_string (settings, "agency-name");

      gtk_editable_set_text (GTK_EDITABLE (self->agency), agency);
    }
  tm_import_dialog_add_files (self, files);
  return self;
}

gboolean
tm_import_dialog_start (TmImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  TmCaseData *data;
  ImportJob *job;

  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), FALSE);

  if (self->running || self->finished || self->files->len == 0)
    return FALSE;

  data = tm_import_dialog_read_form (self, &error);
  if (data == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      /* Not dismissed by hand when the form is fixed: libadwaita 1.2 crashes when a
       * toast is dismissed during its show animation. It times out by itself. */
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (escaped));
      return FALSE;
    }

  job = g_new0 (ImportJob, 1);
  job->db_path = g_strdup (self->db_path);
  /* The OS login is the user (the store registered the first one as administrator). */
  job->user = g_strdup (g_get_user_name ());
  job->data = data;
  job->paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->files->len; i++)
    g_ptr_array_add (job->paths, g_strdup (g_array_index (self->files, FileEntry, i).path));

  gtk_widget_set_sensitive (self->import_button, FALSE);
  /* The form is what the worker imports with: freeze it. */
  {
    GtkWidget *form[] = {
      self->agency, self->case_number, self->lab_case_number, self->incident_date,
      self->offense, self->location, self->exhibit, self->kind, self->firearm_make,
      self->firearm_model, self->firearm_serial, self->calibre, self->firing_pin_type,
      self->firing_pin_shape, self->breech_face_class, self->microstamp_firing_pin,
      self->microstamp_breech_face,
    };

    for (gsize i = 0; i < G_N_ELEMENTS (form); i++)
      gtk_widget_set_sensitive (form[i], FALSE);
  }
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->progress_revealer), TRUE);
  gtk_label_set_label (GTK_LABEL (self->progress_label), _("Opening the database…"));
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress_bar), 0);

  self->cancellable = g_cancellable_new ();
  tm_import_dialog_set_running (self, TRUE);
  task = g_task_new (self, self->cancellable, import_done_cb, NULL);
  g_task_set_source_tag (task, tm_import_dialog_start);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  /* A cancelled import still returns its result: the files already done are real. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, import_thread);
  return TRUE;
}

void
tm_import_dialog_cancel (TmImportDialog *self)
{
  g_return_if_fail (TM_IS_IMPORT_DIALOG (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_label_set_label (GTK_LABEL (self->progress_label), _("Cancelling after the current file…"));
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
}

gboolean
tm_import_dialog_get_running (TmImportDialog *self)
{
  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), FALSE);

  return self->running;
}

GStrv
tm_import_dialog_dup_paths (TmImportDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), NULL);

  for (guint i = 0; i < self->files->len; i++)
    g_strv_builder_add (builder, g_array_index (self->files, FileEntry, i).path);
  return g_strv_builder_end (builder);
}

guint
tm_import_dialog_get_n_imported (TmImportDialog *self)
{
  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), 0);

  return self->n_imported;
}

guint
tm_import_dialog_get_n_failed (TmImportDialog *self)
{
  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), 0);

  return self->n_failed;
}

const char *
tm_import_dialog_get_file_error (TmImportDialog *self,
                                 guint           index)
{
  g_return_val_if_fail (TM_IS_IMPORT_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->files->len, NULL);

  return g_array_index (self->files, FileEntry, index).error;
}
