/* tm-detail-pane.c — one acquisition: its thumbnails and everything recorded about it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The metadata comes from the TmAcquisition the list already holds, so it shows at
 * once. The thumbnails need the original file (read back from the blob store, hash
 * checked) and the stored preprocessed region: both are read and rendered with
 * tm_relief_render() in a GTask worker with its own TmStore connection, and a newer
 * selection cancels an older render, so arrowing down the list never waits for it.
 */
#define G_LOG_DOMAIN "tm-detail-pane"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <adwaita.h>

#include "tm-detail-pane.h"
#include "tm-format.h"
#include "tm-lead-status.h"
#include "tm-relief.h"
#include "tm-store.h"
#include "tm-workflow.h"

#define THUMBNAIL_SIZE 320

struct _TmDetailPane
{
  GtkWidget      parent_instance;

  GtkWidget     *stack;
  GtkWidget     *title;
  GtkWidget     *subtitle;
  GtkWidget     *scan_picture;
  GtkWidget     *region_picture;
  GtkWidget     *scan_caption;
  GtkWidget     *region_caption;
  GtkWidget     *spinner;
  GtkWidget     *groups;
  GtkWidget     *leads_box;

  TmAcquisition *acquisition;
  GSettings     *settings;
  GCancellable  *cancellable;
  char          *db_path;
  guint          busy : 1;
};

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TmDetailPane, tm_detail_pane, GTK_TYPE_WIDGET)

typedef struct
{
  char           *db_path;
  gint64          id;
  char           *file;
  double          pixel_um;
  TmReliefParams  params;

  /* results */
  GBytes         *scan;
  guint           scan_width, scan_height;
  GBytes         *region;
  guint           region_width, region_height;
  char           *region_name;
  char           *region_error;
  GPtrArray      *leads;
  char           *leads_error;
} RenderJob;

static void
render_job_free (RenderJob *job)
{
  g_free (job->db_path);
  g_free (job->file);
  g_clear_pointer (&job->scan, g_bytes_unref);
  g_clear_pointer (&job->region, g_bytes_unref);
  g_free (job->region_name);
  g_free (job->region_error);
  g_clear_pointer (&job->leads, g_ptr_array_unref);
  g_free (job->leads_error);
  g_free (job);
}

static void
tm_detail_pane_set_busy (TmDetailPane *self,
                         gboolean      busy)
{
  busy = !!busy;
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Runs in a worker thread. */
static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  g_autoptr(TmStore) store = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(TmSurface) surface = NULL;
  g_autoptr(TmSurface) region = NULL;
  TmReliefParams region_params;
  GError *error = NULL;
  static const char * const regions[] = { "breech-face", "firing-pin" };

  store = tm_store_open (job->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The leads first: they show even when the scan cannot be read back (a remote
   * acquisition whose original was not fetched). */
  {
    g_autoptr(GError) local_error = NULL;

    job->leads = tm_store_list_leads_of (store, job->id, &local_error);
    if (job->leads == NULL)
      job->leads_error = g_strdup (local_error->message);
  }

  original = tm_store_read_original (store, job->id, &error);
  if (original != NULL && !g_cancellable_is_cancelled (cancellable))
    surface = tm_surface_load_bytes (original, job->file, job->pixel_um, &error);
  if (surface != NULL && !g_cancellable_is_cancelled (cancellable))
    job->scan = tm_relief_render (surface, &job->params, THUMBNAIL_SIZE,
                                  &job->scan_width, &job->scan_height, &error);
  if (job->scan == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&surface);

  /* The preprocessed region is band-passed: nearly flat at true scale, so its relief
   * is exaggerated to show the marks the engine compares. */
  region_params = job->params;
  region_params.exaggerate = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (regions) && region == NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;

      region = tm_store_load_preprocessed (store, job->id, regions[i], &local_error);
      if (region != NULL)
        job->region_name = g_strdup (regions[i]);
      else if (!g_error_matches (local_error, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND))
        job->region_error = g_strdup (local_error->message);
    }
  if (region != NULL && !g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(GError) local_error = NULL;

      job->region = tm_relief_render (region, &region_params, THUMBNAIL_SIZE,
                                      &job->region_width, &job->region_height, &local_error);
      if (job->region == NULL)
        job->region_error = g_strdup (local_error->message);
    }

  g_task_return_boolean (task, TRUE);
}

static GdkTexture *
texture_from_rgba (GBytes *rgba,
                   guint   width,
                   guint   height)
{
  return gdk_memory_texture_new ((int) width, (int) height, GDK_MEMORY_R8G8B8A8,
                                 rgba, (gsize) width * 4);
}

static const char *
region_label (const char *region)
{
  if (g_strcmp0 (region, "firing-pin") == 0)
    return _("Firing pin, preprocessed");
  return _("Breech face, preprocessed");
}

static void
tm_detail_pane_clear_leads (TmDetailPane *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->leads_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->leads_box), child);
  gtk_widget_set_visible (self->leads_box, FALSE);
}

/* One row per lead the acquisition is in: number and status, the other evidence it
 * links, who made it; activating the row shows the lead (win.show-lead, as the
 * review page's toast does). Nothing shows for an acquisition in no lead. */
static void
tm_detail_pane_fill_leads (TmDetailPane *self,
                           RenderJob    *job)
{
  GtkWidget *group;

  tm_detail_pane_clear_leads (self);
  if (job->leads_error == NULL && (job->leads == NULL || job->leads->len == 0))
    return;

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Leads"));
  if (job->leads_error != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), job->leads_error);

  for (guint i = 0; job->leads != NULL && i < job->leads->len; i++)
    {
      TmLead *lead = g_ptr_array_index (job->leads, i);
      GPtrArray *members = tm_lead_get_members (lead);
      g_autoptr(GString) others = g_string_new (NULL);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

      for (guint j = 0; j < members->len; j++)
        {
          TmLeadMember *member = g_ptr_array_index (members, j);

          if (member->acquisition_id == job->id)
            continue;
          if (others->len > 0)
            /* Translators: separates the items of a list */
            g_string_append (others, _(", "));
          /* Translators: under the file name: case number and exhibit (item) number */
          g_string_append_printf (others, _("Case %s · Item %s"),
                                  member->case_number, member->exhibit);
        }
      /* Translators: a lead's row: its number and status ("open", "confirmed", …) */
      title = g_strdup_printf (_("Lead %" PRId64 " · %s"),
                               tm_lead_get_id (lead), tm_lead_status_label (tm_lead_get_status (lead)));
      /* Translators: the lead's members, who created it and when */
      subtitle = g_strdup_printf (_("%s — by %s, %.10s"), others->str,
                                  tm_lead_get_created_by (lead),
                                  tm_lead_get_created_at (lead));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.show-lead");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "x", tm_lead_get_id (lead));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  gtk_box_append (GTK_BOX (self->leads_box), group);
  gtk_widget_set_visible (self->leads_box, TRUE);
}

static void
render_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TmDetailPane *self = TM_DETAIL_PANE (object);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  tm_detail_pane_fill_leads (self, job);
  if (error != NULL)
    {
      g_clear_object (&self->cancellable);
      tm_detail_pane_set_busy (self, FALSE);
      /* The metadata stays useful; say in place of the picture why it is missing. */
      gtk_label_set_label (GTK_LABEL (self->scan_caption), error->message);
      gtk_label_set_label (GTK_LABEL (self->region_caption), "");
      return;
    }

  g_clear_object (&self->cancellable);
  tm_detail_pane_set_busy (self, FALSE);

  {
    g_autoptr(GdkTexture) scan = texture_from_rgba (job->scan, job->scan_width, job->scan_height);

    gtk_picture_set_paintable (GTK_PICTURE (self->scan_picture), GDK_PAINTABLE (scan));
    gtk_label_set_label (GTK_LABEL (self->scan_caption), _("Scan as imported"));
  }

  if (job->region != NULL)
    {
      g_autoptr(GdkTexture) region = texture_from_rgba (job->region, job->region_width, job->region_height);

      gtk_picture_set_paintable (GTK_PICTURE (self->region_picture), GDK_PAINTABLE (region));
      gtk_label_set_label (GTK_LABEL (self->region_caption), region_label (job->region_name));
    }
  else
    gtk_label_set_label (GTK_LABEL (self->region_caption),
                         job->region_error != NULL ? job->region_error
                                                   : _("Not preprocessed: run “toolmark-cli reprocess”"));
}

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row;
  GtkWidget *label;

  if (value == NULL || *value == '\0')
    return;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  label = gtk_label_new (value);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (group, row);
}

static AdwPreferencesGroup *
add_group (TmDetailPane *self,
           const char   *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->groups), group);
  return ADW_PREFERENCES_GROUP (group);
}

static const char *
kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "test-fire") == 0)
    return _("Test fire");
  if (g_strcmp0 (kind, "crime-scene") == 0)
    return _("Crime scene");
  return kind;
}

/* The store keeps class characteristics and regions as the CLI's keywords
 * ("centre-fire", "breech-face"); show them in the reader's language. */
static const char *
keyword_label (const char *keyword)
{
  static const struct { const char *keyword; const char *label; } labels[] = {
    { "centre-fire", N_("Centre-fire") },
    { "rim-fire", N_("Rim-fire") },
    { "circular", N_("Circular") },
    { "elliptical", N_("Elliptical") },
    { "hemispherical", N_("Hemispherical") },
    { "rectangular", N_("Rectangular") },
    { "arched", N_("Arched") },
    { "crosshatch", N_("Crosshatch") },
    { "granular", N_("Granular") },
    { "parallel", N_("Parallel") },
    { "smooth", N_("Smooth") },
    { "breech-face", N_("Breech face") },
    { "firing-pin", N_("Firing pin") },
    { "ejector", N_("Ejector mark") },
    { "aperture-shear", N_("Aperture shear") },
    { "full", N_("Whole head") },
  };

  for (gsize i = 0; keyword != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (keyword, labels[i].keyword) == 0)
      return _(labels[i].label);
  return keyword;
}

static void
tm_detail_pane_fill (TmDetailPane *self)
{
  TmAcquisition *a = self->acquisition;
  AdwPreferencesGroup *group;
  g_autofree char *subtitle = NULL;
  g_autofree char *size = NULL;
  g_autofree char *pixel = NULL;
  g_autofree char *valid = NULL;
  g_autofree char *imported = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->groups)) != NULL)
    gtk_box_remove (GTK_BOX (self->groups), child);

  gtk_label_set_label (GTK_LABEL (self->title), tm_acquisition_get_file (a));
  /* Translators: under the file name: case number and exhibit (item) number */
  subtitle = g_strdup_printf (_("Case %s · Item %s"),
                              tm_acquisition_get_case_number (a),
                              tm_acquisition_get_exhibit (a));
  gtk_label_set_label (GTK_LABEL (self->subtitle), subtitle);

  group = add_group (self, _("Class Characteristics"));
  add_row (group, _("Calibre"), tm_acquisition_get_calibre (a));
  add_row (group, _("Firing-pin type"), keyword_label (tm_acquisition_get_firing_pin_type (a)));
  add_row (group, _("Firing-pin shape"), keyword_label (tm_acquisition_get_firing_pin_shape (a)));
  add_row (group, _("Breech-face class"), keyword_label (tm_acquisition_get_breech_face_class (a)));
  add_row (group, _("Microstamp codes"), tm_acquisition_get_microstamp (a));
  if (tm_acquisition_get_calibre (a) == NULL && tm_acquisition_get_firing_pin_shape (a) == NULL &&
      tm_acquisition_get_breech_face_class (a) == NULL && tm_acquisition_get_firing_pin_type (a) == NULL)
    adw_preferences_group_set_description (group, _("None recorded: searches from this scan cannot narrow by class."));

  group = add_group (self, _("Case"));
  add_row (group, _("Agency"), tm_acquisition_get_agency (a));
  add_row (group, _("Case number"), tm_acquisition_get_case_number (a));
  add_row (group, _("Lab case number"), tm_acquisition_get_lab_case_number (a));
  add_row (group, _("Incident date"), tm_acquisition_get_incident_date (a));
  add_row (group, _("Offense"), tm_acquisition_get_offense (a));
  add_row (group, _("Location"), tm_acquisition_get_location (a));

  group = add_group (self, _("Exhibit"));
  add_row (group, _("Item number"), tm_acquisition_get_exhibit (a));
  add_row (group, _("Kind"), kind_label (tm_acquisition_get_kind (a)));
  add_row (group, _("Firearm make"), tm_acquisition_get_firearm_make (a));
  add_row (group, _("Firearm model"), tm_acquisition_get_firearm_model (a));
  add_row (group, _("Firearm serial number"), tm_acquisition_get_firearm_serial (a));

  group = add_group (self, _("Scan"));
  add_row (group, _("Modality"), g_strcmp0 (tm_acquisition_get_modality (a), "2d") == 0 ? _("2D image") : _("3D topography"));
  add_row (group, _("Region of interest"), keyword_label (tm_acquisition_get_region (a)));
  /* Translators: image size in pixels, width × height */
  size = g_strdup_printf (_("%u × %u"), tm_acquisition_get_width (a), tm_acquisition_get_height (a));
  add_row (group, _("Size (pixels)"), size);
  pixel = g_strdup_printf ("%.3f µm", tm_acquisition_get_pixel_um (a));
  add_row (group, _("Pixel size"), pixel);
  /* Translators: the fraction of valid points of a scan, as a percentage */
  valid = g_strdup_printf (_("%.1f %%"), 100.0 * tm_acquisition_get_valid_fraction (a));
  add_row (group, _("Valid points"), valid);
  add_row (group, _("Instrument"), tm_acquisition_get_instrument (a));

  group = add_group (self, _("Chain of Custody"));
  /* Translators: who imported a scan and when */
  imported = g_strdup_printf (_("%s, %s"), tm_acquisition_get_imported_by (a),
                              tm_acquisition_get_imported_at (a));
  add_row (group, _("Imported"), imported);
  add_row (group, _("SHA-256 of the original"), tm_acquisition_get_sha256 (a));
  add_row (group, _("UUID"), tm_acquisition_get_uuid (a));
  add_row (group, _("Origin site"), tm_acquisition_get_origin_site (a));
}

static void
tm_detail_pane_start_render (TmDetailPane *self)
{
  g_autoptr(GTask) task = NULL;
  RenderJob *job;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_picture_set_paintable (GTK_PICTURE (self->scan_picture), NULL);
  gtk_picture_set_paintable (GTK_PICTURE (self->region_picture), NULL);
  gtk_label_set_label (GTK_LABEL (self->scan_caption), "");
  gtk_label_set_label (GTK_LABEL (self->region_caption), "");
  /* Another acquisition's leads must not show beside this one while it loads. */
  tm_detail_pane_clear_leads (self);

  if (self->acquisition == NULL || self->db_path == NULL)
    {
      tm_detail_pane_set_busy (self, FALSE);
      return;
    }

  job = g_new0 (RenderJob, 1);
  job->db_path = g_strdup (self->db_path);
  job->id = tm_acquisition_get_id (self->acquisition);
  job->file = g_strdup (tm_acquisition_get_file (self->acquisition));
  job->pixel_um = tm_acquisition_get_pixel_um (self->acquisition);
  tm_relief_params_init (&job->params);
  if (self->settings != NULL)
    {
      g_autofree char *mode = g_settings_get_string (self->settings, "render-mode");

      if (g_strcmp0 (mode, "false-colour") == 0)
        job->params.mode = TM_RELIEF_FALSE_COLOUR;
      else if (g_strcmp0 (mode, "grey") == 0)
        job->params.mode = TM_RELIEF_GREY;
      job->params.azimuth_deg = g_settings_get_double (self->settings, "light-azimuth");
      job->params.elevation_deg = g_settings_get_double (self->settings, "light-elevation");
    }

  self->cancellable = g_cancellable_new ();
  tm_detail_pane_set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, render_done_cb, NULL);
  g_task_set_source_tag (task, tm_detail_pane_start_render);
  g_task_set_task_data (task, job, (GDestroyNotify) render_job_free);
  g_task_run_in_thread (task, render_thread);
}

static void
settings_changed_cb (TmDetailPane *self,
                     const char   *key,
                     GSettings    *settings)
{
  if (g_str_equal (key, "render-mode") || g_str_equal (key, "light-azimuth") ||
      g_str_equal (key, "light-elevation"))
    tm_detail_pane_start_render (self);
}

static GtkWidget *
thumbnail_new (GtkWidget **picture,
               GtkWidget **caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);

  *picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (*picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (*picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (*picture, 120, 140);
  gtk_widget_add_css_class (frame, "thumbnail");
  gtk_frame_set_child (GTK_FRAME (frame), *picture);
  *caption = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (*caption), TRUE);
  gtk_label_set_justify (GTK_LABEL (*caption), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (*caption, "caption");
  gtk_widget_add_css_class (*caption, "dim-label");
  gtk_box_append (GTK_BOX (box), frame);
  gtk_box_append (GTK_BOX (box), *caption);
  return box;
}

static void
tm_detail_pane_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TmDetailPane *self = TM_DETAIL_PANE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_detail_pane_dispose (GObject *object)
{
  TmDetailPane *self = TM_DETAIL_PANE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_object (&self->acquisition);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tm_detail_pane_parent_class)->dispose (object);
}

static void
tm_detail_pane_finalize (GObject *object)
{
  TmDetailPane *self = TM_DETAIL_PANE (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (tm_detail_pane_parent_class)->finalize (object);
}

static void
tm_detail_pane_class_init (TmDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_detail_pane_dispose;
  object_class->finalize = tm_detail_pane_finalize;
  object_class->get_property = tm_detail_pane_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tmdetailpane");
}

static void
tm_detail_pane_init (TmDetailPane *self)
{
  GtkWidget *empty;
  GtkWidget *scroller;
  GtkWidget *clamp;
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *thumbnails;

  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "org.toolmark.Toolmark-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Scan Selected"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Select an acquisition to see its scan, its case and its class characteristics."));
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (GTK_STACK (self->stack), empty, "empty");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  {
    GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

    self->title = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (self->title), 0);
    gtk_label_set_wrap (GTK_LABEL (self->title), TRUE);
    gtk_label_set_wrap_mode (GTK_LABEL (self->title), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_selectable (GTK_LABEL (self->title), TRUE);
    gtk_widget_add_css_class (self->title, "title-3");
    self->subtitle = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
    gtk_label_set_wrap (GTK_LABEL (self->subtitle), TRUE);
    gtk_widget_add_css_class (self->subtitle, "dim-label");
    gtk_box_append (GTK_BOX (text), self->title);
    gtk_box_append (GTK_BOX (text), self->subtitle);
    gtk_widget_set_hexpand (text, TRUE);
    gtk_box_append (GTK_BOX (header), text);

    self->spinner = gtk_spinner_new ();
    gtk_widget_set_visible (self->spinner, FALSE);
    gtk_widget_set_valign (self->spinner, GTK_ALIGN_CENTER);
    gtk_widget_set_tooltip_text (self->spinner, _("Rendering the thumbnails…"));
    gtk_box_append (GTK_BOX (header), self->spinner);
  }
  gtk_box_append (GTK_BOX (box), header);

  thumbnails = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_set_homogeneous (GTK_BOX (thumbnails), TRUE);
  gtk_box_append (GTK_BOX (thumbnails), thumbnail_new (&self->scan_picture, &self->scan_caption));
  gtk_box_append (GTK_BOX (thumbnails), thumbnail_new (&self->region_picture, &self->region_caption));
  gtk_box_append (GTK_BOX (box), thumbnails);

  /* Above the metadata: that a scan is already linked is what a reviewer needs first. */
  self->leads_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_visible (self->leads_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->leads_box);

  self->groups = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_box_append (GTK_BOX (box), self->groups);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 640);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (GTK_STACK (self->stack), scroller, "details");

  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
}

GtkWidget *
tm_detail_pane_new (void)
{
  return g_object_new (TM_TYPE_DETAIL_PANE, NULL);
}

void
tm_detail_pane_set_db_path (TmDetailPane *self,
                            const char   *db_path)
{
  g_return_if_fail (TM_IS_DETAIL_PANE (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  tm_detail_pane_start_render (self);
}

void
tm_detail_pane_set_settings (TmDetailPane *self,
                             GSettings    *settings)
{
  g_return_if_fail (TM_IS_DETAIL_PANE (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self,
                             G_CONNECT_SWAPPED);
}

void
tm_detail_pane_set_acquisition (TmDetailPane  *self,
                                TmAcquisition *acquisition)
{
  g_return_if_fail (TM_IS_DETAIL_PANE (self));
  g_return_if_fail (acquisition == NULL || TM_IS_ACQUISITION (acquisition));

  if (self->acquisition == acquisition)
    return;
  g_set_object (&self->acquisition, acquisition);

  if (acquisition == NULL)
    gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "empty");
  else
    {
      tm_detail_pane_fill (self);
      gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "details");
    }
  tm_detail_pane_start_render (self);
}

TmAcquisition *
tm_detail_pane_get_acquisition (TmDetailPane *self)
{
  g_return_val_if_fail (TM_IS_DETAIL_PANE (self), NULL);

  return self->acquisition;
}

gboolean
tm_detail_pane_get_busy (TmDetailPane *self)
{
  g_return_val_if_fail (TM_IS_DETAIL_PANE (self), FALSE);

  return self->busy;
}

GdkPaintable *
tm_detail_pane_get_scan_thumbnail (TmDetailPane *self)
{
  g_return_val_if_fail (TM_IS_DETAIL_PANE (self), NULL);

  return gtk_picture_get_paintable (GTK_PICTURE (self->scan_picture));
}

GdkPaintable *
tm_detail_pane_get_region_thumbnail (TmDetailPane *self)
{
  g_return_val_if_fail (TM_IS_DETAIL_PANE (self), NULL);

  return gtk_picture_get_paintable (GTK_PICTURE (self->region_picture));
}
