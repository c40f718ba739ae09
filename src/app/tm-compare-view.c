/* tm-compare-view.c — the compare view: a query and a candidate, side by side or overlaid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view is a toolbar over a TmCompareCanvas, which does the drawing and the pointer
 * work. Everything a person can do is a widget action ("compare.*") with a key binding,
 * so the toolbar is only one way in: review by keyboard alone is a requirement. The
 * mode, lock, cells, ruler and rendering state live in properties, and the stateful
 * actions are made from them (gtk_widget_class_install_property_action), so buttons,
 * keys and code always agree.
 *
 * Loading runs in a GTask thread with its own TmStore (SQLite connections are per
 * thread): both preprocessed breech faces, the comparison (about 70 ms) for the pose
 * and the cells, and the first textures, so the view switches in one step.
 */
#define G_LOG_DOMAIN "tm-compare-view"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tm-compare-view.h"
#include "tm-format.h"
#include "tm-preprocess.h"
#include "tm-store.h"

struct _TmCompareView
{
  GtkWidget        parent_instance;

  GtkWidget       *toolbar;
  AdwToastOverlay *toast_overlay;
  TmCompareCanvas *canvas;
  GtkWidget       *opacity_scale;
  GtkWidget       *opacity_box;
  GtkWidget       *status_bar;
  GtkWidget       *status_label;
  GtkWidget       *zoom_label;
  GtkAdjustment   *opacity_adjustment;
  GtkAdjustment   *azimuth_adjustment;
  GtkAdjustment   *elevation_adjustment;
  GtkWidget       *exaggerate_check;
  GtkAdjustment   *low_adjustment;
  GtkAdjustment   *high_adjustment;

  GCancellable    *load_cancellable;
  guint            loading;
};

enum {
  PROP_0,
  PROP_MODE,
  PROP_LOCKED,
  PROP_OPACITY,
  PROP_LIGHT_AZIMUTH,
  PROP_LIGHT_ELEVATION,
  PROP_RENDER_MODE,
  PROP_EXAGGERATE,
  PROP_SHOW_CELLS,
  PROP_RULER,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TmCompareView, tm_compare_view, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

/* ---- helpers ------------------------------------------------------------------- */

static void
set_relief (TmCompareView *self, const TmReliefParams *params, guint prop)
{
  tm_compare_canvas_set_relief_params (self->canvas, params);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
toast (TmCompareView *self, const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
update_status (TmCompareView *self)
{
  TmComparison *comparison = tm_compare_canvas_get_comparison (self->canvas);
  TmSurface *query = tm_compare_canvas_get_surface (self->canvas, 0);
  g_autofree char *zoom = NULL;
  double angle, dx, dy;

  if (query == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->status_label),
                          self->loading ? _("Loading…") : _("Nothing to compare"));
      gtk_label_set_text (GTK_LABEL (self->zoom_label), "");
      return;
    }

  tm_compare_canvas_get_pose (self->canvas, &angle, &dx, &dy);
  if (angle > 180.0)
    angle -= 360.0;
  if (comparison != NULL)
    {
      g_autofree char *text = NULL;
      /* Translators: the comparison's result: the CMC count in both directions, the
       * rotation and shift of the candidate, and whether the view shows that pose */
      text = g_strdup_printf (_("CMC %u / %u · %.1f° · %.0f, %.0f µm · %s"),
                              tm_comparison_get_cmc (comparison, TM_COMPARISON_A_TO_B),
                              tm_comparison_get_cmc (comparison, TM_COMPARISON_B_TO_A),
                              angle, dx, dy,
                              tm_compare_canvas_get_aligned (self->canvas) ? _("aligned")
                              : _("moved by hand"));
      gtk_label_set_text (GTK_LABEL (self->status_label), text);
    }
  else
    {
      g_autofree char *text = NULL;
      /* Translators: the candidate's pose when there is no comparison */
      text = g_strdup_printf (_("No comparison · %.1f° · %.0f, %.0f µm"), angle, dx, dy);
      gtk_label_set_text (GTK_LABEL (self->status_label), text);
    }

  /* Percent of 1:1, where one sample of the query is one screen pixel. */
  zoom = g_strdup_printf ("%.0f %%", 100.0 * tm_compare_canvas_get_zoom (self->canvas)
                          * tm_surface_get_pixel_um_x (query));
  gtk_label_set_text (GTK_LABEL (self->zoom_label), zoom);
}

static void
canvas_changed_cb (TmCompareCanvas *canvas,
                   TmCompareView   *self)
{
  update_status (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.align",
                                 tm_compare_canvas_get_comparison (canvas) != NULL);
}

/* ---- actions ------------------------------------------------------------------- */

static void
align_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TmCompareView *self = TM_COMPARE_VIEW (widget);

  if (!tm_compare_canvas_align (self->canvas))
    toast (self, _("There is no registration to align by"));
}

static void
reset_alignment_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  tm_compare_canvas_reset_alignment (TM_COMPARE_VIEW (widget)->canvas);
}

static void
nudge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TmCompareView *self = TM_COMPARE_VIEW (widget);
  const char *what = g_variant_get_string (parameter, NULL);
  gboolean large = g_str_has_suffix (what, "-large");
  static const struct { const char *name; TmCompareNudge nudge; } names[] = {
    { "left", TM_COMPARE_NUDGE_LEFT }, { "right", TM_COMPARE_NUDGE_RIGHT },
    { "up", TM_COMPARE_NUDGE_UP }, { "down", TM_COMPARE_NUDGE_DOWN },
    { "cw", TM_COMPARE_NUDGE_CLOCKWISE }, { "ccw", TM_COMPARE_NUDGE_ANTICLOCKWISE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_has_prefix (what, names[i].name)
        && (what[strlen (names[i].name)] == '\0' || large))
      {
        tm_compare_canvas_nudge (self->canvas, names[i].nudge, large);
        return;
      }
  g_warning ("compare.nudge: unknown direction “%s”", what);
}

static void
rotate_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tm_compare_canvas_rotate_view (TM_COMPARE_VIEW (widget)->canvas, g_variant_get_double (parameter));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tm_compare_canvas_zoom_by (TM_COMPARE_VIEW (widget)->canvas, g_variant_get_double (parameter));
}

static void
pan_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  TmCompareView *self = TM_COMPARE_VIEW (widget);
  const char *dir = g_variant_get_string (parameter, NULL);
  double step = 0.1 * MIN (gtk_widget_get_width (GTK_WIDGET (self->canvas)),
                           gtk_widget_get_height (GTK_WIDGET (self->canvas)));

  step = MAX (step, 20.0);
  /* The content moves the way the arrow points, as when dragging it. */
  if (g_str_equal (dir, "left"))
    tm_compare_canvas_pan (self->canvas, -step, 0);
  else if (g_str_equal (dir, "right"))
    tm_compare_canvas_pan (self->canvas, step, 0);
  else if (g_str_equal (dir, "up"))
    tm_compare_canvas_pan (self->canvas, 0, -step);
  else if (g_str_equal (dir, "down"))
    tm_compare_canvas_pan (self->canvas, 0, step);
}

static void
light_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  TmCompareView *self = TM_COMPARE_VIEW (widget);
  const char *dir = g_variant_get_string (parameter, NULL);
  const TmReliefParams *p = tm_compare_canvas_get_relief_params (self->canvas);

  if (g_str_equal (dir, "left") || g_str_equal (dir, "right"))
    tm_compare_view_set_light (self, p->azimuth_deg + (g_str_equal (dir, "left") ? -15.0 : 15.0),
                               p->elevation_deg);
  else
    tm_compare_view_set_light (self, p->azimuth_deg,
                               CLAMP (p->elevation_deg + (g_str_equal (dir, "up") ? 5.0 : -5.0), 5.0, 90.0));
}

static void
fit_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  tm_compare_canvas_fit (TM_COMPARE_VIEW (widget)->canvas);
}

/* Steps to the next (+1) or previous (-1) congruent matching cell: from the keyboard,
 * each cell's score is read out as the mouse shows it on hover. */
static void
cell_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tm_compare_canvas_step_cell (TM_COMPARE_VIEW (widget)->canvas, g_variant_get_int32 (parameter));
}

static void
one_to_one_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  tm_compare_canvas_one_to_one (TM_COMPARE_VIEW (widget)->canvas);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    TmCompareView   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        toast (self, _("Choose a folder on this computer to save the image"));
      else if (!tm_compare_view_export_png (self, path, &error))
        toast (self, error->message);
      else
        {
          g_autofree char *name = g_file_get_basename (file);
          g_autofree char *text = g_strdup_printf (_("Saved “%s”"), name);
          toast (self, text);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TmCompareView *self = TM_COMPARE_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Export View"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("comparison.png"));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- toolbar ------------------------------------------------------------------- */

static GtkWidget *
tool_button (const char *icon, const char *label, const char *tooltip,
             const char *action, GVariant *target, gboolean toggle)
{
  GtkWidget *button = toggle ? gtk_toggle_button_new () : gtk_button_new ();

  if (icon != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (button), icon);
  else
    gtk_button_set_label (GTK_BUTTON (button), label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_widget_set_focus_on_click (button, FALSE);
  return button;
}

static GtkWidget *
labelled_scale (GtkWidget *box, const char *label, GtkAdjustment *adjustment, int digits)
{
  GtkWidget *title = gtk_label_new_with_mnemonic (label);
  GtkWidget *scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, adjustment);

  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title), scale);
  gtk_scale_set_digits (GTK_SCALE (scale), digits);
  gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (scale), GTK_POS_RIGHT);
  gtk_widget_set_size_request (scale, 220, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (scale),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, NULL, -1);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), scale);
  return scale;
}

static void
light_changed_cb (GtkAdjustment *adjustment,
                  TmCompareView *self)
{
  tm_compare_view_set_light (self, gtk_adjustment_get_value (self->azimuth_adjustment),
                             gtk_adjustment_get_value (self->elevation_adjustment));
}

static void
levels_changed_cb (GtkAdjustment *adjustment,
                   TmCompareView *self)
{
  TmReliefParams p = *tm_compare_canvas_get_relief_params (self->canvas);
  double low = gtk_adjustment_get_value (self->low_adjustment) / 100.0;
  double high = gtk_adjustment_get_value (self->high_adjustment) / 100.0;

  if (low == p.low && high == p.high)
    return;
  p.low = MIN (low, high);
  p.high = MAX (low, high);
  tm_compare_canvas_set_relief_params (self->canvas, &p);
}

static GtkWidget *
build_rendering_popover (TmCompareView *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *modes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);

  gtk_widget_add_css_class (modes, "linked");
  gtk_box_append (GTK_BOX (modes), tool_button (NULL, _("Shaded"), _("Shaded relief under a movable light (S)"),
                                                "compare.render-mode", g_variant_new_string ("shaded"), TRUE));
  gtk_box_append (GTK_BOX (modes), tool_button (NULL, _("False colour"), _("Heights in colour (H)"),
                                                "compare.render-mode", g_variant_new_string ("false-colour"), TRUE));
  gtk_box_append (GTK_BOX (modes), tool_button (NULL, _("Grey"), _("Heights or intensities in grey (G)"),
                                                "compare.render-mode", g_variant_new_string ("grey"), TRUE));
  gtk_box_append (GTK_BOX (box), modes);

  labelled_scale (box, _("Light _direction (°)"), self->azimuth_adjustment, 0);
  labelled_scale (box, _("Light _height (°)"), self->elevation_adjustment, 0);
  self->exaggerate_check = gtk_check_button_new_with_mnemonic (_("E_xaggerate relief"));
  gtk_widget_set_tooltip_text (self->exaggerate_check,
                               _("Steepen the relief so fine marks on a flat breech face show"));
  g_object_bind_property (self, "exaggerate", self->exaggerate_check, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), self->exaggerate_check);
  labelled_scale (box, _("_Black level (percentile)"), self->low_adjustment, 1);
  labelled_scale (box, _("_White level (percentile)"), self->high_adjustment, 1);

  gtk_popover_set_child (GTK_POPOVER (popover), box);
  return popover;
}

static void
build_toolbar (TmCompareView *self)
{
  GtkWidget *modes = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *pose = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *view = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *rendering;
  static const struct { const char *nick; const char *icon; const char *label; const char *tooltip; } mode_buttons[] = {
    { "side-by-side", "view-dual-symbolic", N_("Side by Side"), N_("Query and candidate side by side (1)") },
    { "blend", "tm-overlay-blend-symbolic", N_("Blend"), N_("Candidate over the query, see-through (2)") },
    { "difference", "tm-overlay-difference-symbolic", N_("Difference"), N_("Difference of the two: dark where they agree (3)") },
    { "checkerboard", "tm-overlay-checkerboard-symbolic", N_("Checkerboard"), N_("Squares of query and candidate in turn (4)") },
    { "split", "tm-overlay-split-symbolic", N_("Split"), N_("Query and candidate either side of a hairline you can drag (5)") },
  };
  GtkWidget *squeezer, *mode_icons;

  self->toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->toolbar, "toolbar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->toolbar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Compare tools"), -1);

  /* The modes by name where the window is wide, by icon where it is not (the view must
   * fit a 1024 px window beside the candidate list). Both rows drive one action. */
  mode_icons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (modes, "linked");
  gtk_widget_add_css_class (mode_icons, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (mode_buttons); i++)
    {
      gtk_box_append (GTK_BOX (modes),
                      tool_button (NULL, _(mode_buttons[i].label), _(mode_buttons[i].tooltip),
                                   "compare.mode", g_variant_new_string (mode_buttons[i].nick), TRUE));
      gtk_box_append (GTK_BOX (mode_icons),
                      tool_button (mode_buttons[i].icon, _(mode_buttons[i].label), _(mode_buttons[i].tooltip),
                                   "compare.mode", g_variant_new_string (mode_buttons[i].nick), TRUE));
    }
  squeezer = adw_squeezer_new ();
  adw_squeezer_set_transition_type (ADW_SQUEEZER (squeezer), ADW_SQUEEZER_TRANSITION_TYPE_NONE);
  adw_squeezer_set_homogeneous (ADW_SQUEEZER (squeezer), FALSE);
  adw_squeezer_set_xalign (ADW_SQUEEZER (squeezer), 0.0);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), modes);
  adw_squeezer_add (ADW_SQUEEZER (squeezer), mode_icons);
  gtk_widget_set_hexpand (squeezer, TRUE);
  gtk_box_append (GTK_BOX (self->toolbar), squeezer);

  gtk_widget_add_css_class (pose, "linked");
  gtk_box_append (GTK_BOX (pose), tool_button (NULL, _("Align"),
                                               _("Place the candidate where the registration found it (A)"),
                                               "compare.align", NULL, FALSE));
  gtk_box_append (GTK_BOX (pose), tool_button ("edit-undo-symbolic", _("Reset alignment"),
                                               _("Show the candidate as scanned (Shift+A); Shift+arrows or Shift+drag move it"),
                                               "compare.reset-alignment", NULL, FALSE));
  gtk_box_append (GTK_BOX (self->toolbar), pose);

  gtk_box_append (GTK_BOX (self->toolbar),
                  tool_button ("changes-prevent-symbolic", _("Lock views"),
                               _("Pan, zoom and rotate both sides together (Shift+L)"),
                               "compare.lock", NULL, TRUE));
  gtk_box_append (GTK_BOX (self->toolbar),
                  tool_button ("tm-cells-symbolic", _("Show cells"),
                               _("Show the congruent matching cells (C): framed = congruent, corners only = not"),
                               "compare.cells", NULL, TRUE));
  gtk_box_append (GTK_BOX (self->toolbar),
                  tool_button ("tm-ruler-symbolic", _("Ruler"),
                               _("Measure in µm: drag across the surface (R)"),
                               "compare.ruler", NULL, TRUE));

  rendering = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (rendering), "tm-light-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (rendering), build_rendering_popover (self));
  gtk_widget_set_tooltip_text (rendering, _("Rendering: shaded, false colour or grey; light and levels"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (rendering),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Rendering"), -1);
  gtk_box_append (GTK_BOX (self->toolbar), rendering);

  /* Pushes the view buttons to the end. */
  {
    GtkWidget *spacer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
    gtk_widget_set_hexpand (spacer, TRUE);
    gtk_box_append (GTK_BOX (self->toolbar), spacer);
  }

  gtk_widget_add_css_class (view, "linked");
  gtk_box_append (GTK_BOX (view), tool_button ("zoom-fit-best-symbolic", _("Fit to window"),
                                               _("Fit to the window (Ctrl+0)"), "compare.fit", NULL, FALSE));
  gtk_box_append (GTK_BOX (view), tool_button ("zoom-original-symbolic", _("Actual size"),
                                               _("One sample per screen pixel (Ctrl+1)"),
                                               "compare.one-to-one", NULL, FALSE));
  gtk_box_append (GTK_BOX (self->toolbar), view);
  gtk_box_append (GTK_BOX (self->toolbar),
                  tool_button ("document-save-symbolic", _("Export view"),
                               _("Save the view as a PNG image (Ctrl+E)"), "compare.export", NULL, FALSE));
}

/* Below the canvas: what the comparison found, the blend's opacity, the zoom. */
static void
build_status_bar (TmCompareView *self)
{
  GtkWidget *opacity_label;

  self->status_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->status_bar, "toolbar");

  self->status_label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->status_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0.0);
  gtk_widget_set_hexpand (self->status_label, TRUE);
  gtk_widget_add_css_class (self->status_label, "numeric");
  gtk_box_append (GTK_BOX (self->status_bar), self->status_label);

  self->opacity_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  opacity_label = gtk_label_new_with_mnemonic (_("Candidate _opacity"));
  gtk_widget_add_css_class (opacity_label, "dim-label");
  self->opacity_scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->opacity_adjustment);
  gtk_widget_set_size_request (self->opacity_scale, 160, -1);
  gtk_widget_set_tooltip_text (self->opacity_scale, _("How much of the candidate shows over the query"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (opacity_label), self->opacity_scale);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->opacity_scale),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, opacity_label, NULL, -1);
  gtk_box_append (GTK_BOX (self->opacity_box), opacity_label);
  gtk_box_append (GTK_BOX (self->opacity_box), self->opacity_scale);
  gtk_box_append (GTK_BOX (self->status_bar), self->opacity_box);

  self->zoom_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (self->zoom_label), 7);
  gtk_label_set_xalign (GTK_LABEL (self->zoom_label), 1.0);
  gtk_widget_add_css_class (self->zoom_label, "numeric");
  gtk_widget_set_tooltip_text (self->zoom_label, _("Zoom, 100 % = one sample per screen pixel"));
  gtk_box_append (GTK_BOX (self->status_bar), self->zoom_label);
}

/* ---- loading ------------------------------------------------------------------- */

typedef struct
{
  char            *db_path;
  gint64           ids[2];
  TmReliefParams   params;
  double           view_rot[2];
  gboolean         side_by_side;
  gboolean         bake_rotation;

  TmSurface       *surface[2];
  TmComparison    *comparison;
  TmReliefTexture *texture[2];
  char            *compare_error;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->db_path);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&load->surface[i]);
      g_clear_object (&load->texture[i]);
    }
  g_clear_object (&load->comparison);
  g_free (load->compare_error);
  g_free (load);
}

static TmSurface *
load_breech_face (TmStore *store, gint64 id, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(TmSurface) raw = NULL;
  TmSurface *surface;

  surface = tm_store_load_preprocessed (store, id, "breech-face", &local);
  if (surface != NULL)
    return surface;
  if (!g_error_matches (local, TM_STORE_ERROR, TM_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), _("Acquisition %" PRId64 ": "), id);
      return NULL;
    }

  /* Not processed yet (or a 2D image imported without): do it now, as import would. */
  acquisition = tm_store_get_acquisition (store, id, error);
  if (acquisition == NULL)
    return NULL;
  original = tm_store_read_original (store, id, error);
  if (original == NULL)
    return NULL;
  raw = tm_surface_load_bytes (original, tm_acquisition_get_file (acquisition),
                               tm_acquisition_get_pixel_um (acquisition), error);
  if (raw == NULL)
    return NULL;
  surface = tm_preprocess_surface (raw, NULL, NULL, NULL, error);
  if (surface == NULL)
    g_prefix_error (error, "%s: ", tm_acquisition_get_file (acquisition));
  return surface;
}

/* Rotation on screen of the query (0) or the candidate (1) once shown at @pose_angle. */
static double
screen_rotation_for (const LoadData *load, guint index, double pose_angle)
{
  double rot = load->view_rot[(index == 1 && load->side_by_side) ? 1 : 0];
  double angle = index == 0 ? rot : rot - pose_angle;

  return fmod (fmod (angle, 360.0) + 360.0, 360.0);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autoptr(TmStore) store = NULL;
  GError *error = NULL;
  double pose_angle = 0.0;

  store = tm_store_open (load->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < 2; i++)
    {
      load->surface[i] = load_breech_face (store, load->ids[i], &error);
      if (load->surface[i] == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (g_task_return_error_if_cancelled (task))
        return;
    }

  {
    TmCompareParams params;
    g_autoptr(GError) compare_error = NULL;

    tm_compare_params_init (&params);
    load->comparison = tm_compare_surfaces (load->surface[0], load->surface[1], &params,
                                            cancellable, &compare_error);
    if (g_task_return_error_if_cancelled (task))
      return;
    /* Without a pose the surfaces can still be looked at: say why, show them. */
    if (load->comparison == NULL)
      load->compare_error = g_strdup (compare_error->message);
    else
      pose_angle = tm_comparison_get_angle_deg (load->comparison);
  }

  for (guint i = 0; i < 2; i++)
    {
      TmReliefParams params;
      double rotation;

      tm_compare_render_params_for (&load->params, screen_rotation_for (load, i, pose_angle),
                                    load->bake_rotation, &params, &rotation);
      load->texture[i] = tm_relief_texture_new (load->surface[i], &params, rotation, &error);
      if (load->texture[i] == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TmCompareView *self = TM_COMPARE_VIEW (object);
  GTask *outer = user_data;
  LoadData *load = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->loading--;
  /* A load replaced by a newer one must not show what it found after all. */
  if (!g_task_propagate_boolean (G_TASK (result), &error)
      || g_cancellable_set_error_if_cancelled (g_task_get_cancellable (outer), &error))
    {
      update_status (self);
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }

  tm_compare_canvas_set_data (self->canvas, load->surface[0], load->surface[1],
                              load->comparison, load->texture[0], load->texture[1]);
  if (load->compare_error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The surfaces could not be registered: %s"),
                                               load->compare_error);
      toast (self, text);
    }
  update_status (self);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

/* ---- GObject ------------------------------------------------------------------- */

static void
tm_compare_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TmCompareView *self = TM_COMPARE_VIEW (object);
  const TmReliefParams *p = tm_compare_canvas_get_relief_params (self->canvas);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, tm_compare_canvas_get_mode (self->canvas));
      break;
    case PROP_LOCKED:
      g_value_set_boolean (value, tm_compare_canvas_get_locked (self->canvas));
      break;
    case PROP_OPACITY:
      g_value_set_double (value, tm_compare_canvas_get_opacity (self->canvas));
      break;
    case PROP_LIGHT_AZIMUTH:
      g_value_set_double (value, p->azimuth_deg);
      break;
    case PROP_LIGHT_ELEVATION:
      g_value_set_double (value, p->elevation_deg);
      break;
    case PROP_RENDER_MODE:
      g_value_set_enum (value, p->mode);
      break;
    case PROP_EXAGGERATE:
      g_value_set_boolean (value, p->exaggerate);
      break;
    case PROP_SHOW_CELLS:
      g_value_set_boolean (value, tm_compare_canvas_get_show_cells (self->canvas));
      break;
    case PROP_RULER:
      g_value_set_boolean (value, tm_compare_canvas_get_ruler_tool (self->canvas));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_compare_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TmCompareView *self = TM_COMPARE_VIEW (object);
  TmReliefParams p = *tm_compare_canvas_get_relief_params (self->canvas);

  switch (prop_id)
    {
    case PROP_MODE:
      tm_compare_view_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_LOCKED:
      tm_compare_view_set_locked (self, g_value_get_boolean (value));
      break;
    case PROP_OPACITY:
      tm_compare_view_set_opacity (self, g_value_get_double (value));
      break;
    case PROP_LIGHT_AZIMUTH:
      tm_compare_view_set_light (self, g_value_get_double (value), p.elevation_deg);
      break;
    case PROP_LIGHT_ELEVATION:
      tm_compare_view_set_light (self, p.azimuth_deg, g_value_get_double (value));
      break;
    case PROP_RENDER_MODE:
      tm_compare_view_set_render_mode (self, g_value_get_enum (value));
      break;
    case PROP_EXAGGERATE:
      if (p.exaggerate != g_value_get_boolean (value))
        {
          p.exaggerate = g_value_get_boolean (value);
          set_relief (self, &p, PROP_EXAGGERATE);
        }
      break;
    case PROP_SHOW_CELLS:
      if (tm_compare_canvas_get_show_cells (self->canvas) != g_value_get_boolean (value))
        {
          tm_compare_canvas_set_show_cells (self->canvas, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RULER:
      if (tm_compare_canvas_get_ruler_tool (self->canvas) != g_value_get_boolean (value))
        {
          tm_compare_canvas_set_ruler_tool (self->canvas, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_compare_view_dispose (GObject *object)
{
  TmCompareView *self = TM_COMPARE_VIEW (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->toolbar, gtk_widget_unparent);
  g_clear_pointer (&self->status_bar, gtk_widget_unparent);
  if (self->toast_overlay != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->toast_overlay));
      self->toast_overlay = NULL;
    }
  self->canvas = NULL;
  g_clear_object (&self->opacity_adjustment);
  g_clear_object (&self->azimuth_adjustment);
  g_clear_object (&self->elevation_adjustment);
  g_clear_object (&self->low_adjustment);
  g_clear_object (&self->high_adjustment);

  G_OBJECT_CLASS (tm_compare_view_parent_class)->dispose (object);
}

/* A key binding for a widget action; @format/... give its parameter (or NULL). */
static void
add_binding (GtkWidgetClass *widget_class, guint key, GdkModifierType mods,
             const char *action, const char *format, ...)
{
  GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (key, mods),
                                            gtk_named_action_new (action));

  if (format != NULL)
    {
      va_list ap;

      va_start (ap, format);
      gtk_shortcut_set_arguments (shortcut, g_variant_new_va (format, NULL, &ap));
      va_end (ap);
    }
  gtk_widget_class_add_shortcut (widget_class, shortcut);
  g_object_unref (shortcut);
}

static void
tm_compare_view_class_init (TmCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *directions[] = { "left", "right", "up", "down" };
  static const guint arrows[] = { GDK_KEY_Left, GDK_KEY_Right, GDK_KEY_Up, GDK_KEY_Down };

  object_class->get_property = tm_compare_view_get_property;
  object_class->set_property = tm_compare_view_set_property;
  object_class->dispose = tm_compare_view_dispose;

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, TM_TYPE_COMPARE_MODE, TM_COMPARE_MODE_SIDE_BY_SIDE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPACITY] =
    g_param_spec_double ("opacity", NULL, NULL, 0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIGHT_AZIMUTH] =
    g_param_spec_double ("light-azimuth", NULL, NULL, 0.0, 360.0, 315.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIGHT_ELEVATION] =
    g_param_spec_double ("light-elevation", NULL, NULL, 0.0, 90.0, 35.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RENDER_MODE] =
    g_param_spec_enum ("render-mode", NULL, NULL, TM_TYPE_RELIEF_MODE, TM_RELIEF_SHADED,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXAGGERATE] =
    g_param_spec_boolean ("exaggerate", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_CELLS] =
    g_param_spec_boolean ("show-cells", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RULER] =
    g_param_spec_boolean ("ruler", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "compare.mode", "mode");
  gtk_widget_class_install_property_action (widget_class, "compare.lock", "locked");
  gtk_widget_class_install_property_action (widget_class, "compare.cells", "show-cells");
  gtk_widget_class_install_property_action (widget_class, "compare.ruler", "ruler");
  gtk_widget_class_install_property_action (widget_class, "compare.render-mode", "render-mode");
  gtk_widget_class_install_property_action (widget_class, "compare.exaggerate", "exaggerate");
  gtk_widget_class_install_action (widget_class, "compare.align", NULL, align_action);
  gtk_widget_class_install_action (widget_class, "compare.reset-alignment", NULL, reset_alignment_action);
  gtk_widget_class_install_action (widget_class, "compare.nudge", "s", nudge_action);
  gtk_widget_class_install_action (widget_class, "compare.rotate", "d", rotate_action);
  gtk_widget_class_install_action (widget_class, "compare.zoom", "d", zoom_action);
  gtk_widget_class_install_action (widget_class, "compare.pan", "s", pan_action);
  gtk_widget_class_install_action (widget_class, "compare.light", "s", light_action);
  gtk_widget_class_install_action (widget_class, "compare.fit", NULL, fit_action);
  gtk_widget_class_install_action (widget_class, "compare.cell", "i", cell_action);
  gtk_widget_class_install_action (widget_class, "compare.one-to-one", NULL, one_to_one_action);
  gtk_widget_class_install_action (widget_class, "compare.export", NULL, export_action);

  /* Modes on the number keys, in toolbar order. */
  add_binding (widget_class, GDK_KEY_1, 0, "compare.mode", "s", "side-by-side");
  add_binding (widget_class, GDK_KEY_2, 0, "compare.mode", "s", "blend");
  add_binding (widget_class, GDK_KEY_3, 0, "compare.mode", "s", "difference");
  add_binding (widget_class, GDK_KEY_4, 0, "compare.mode", "s", "checkerboard");
  add_binding (widget_class, GDK_KEY_5, 0, "compare.mode", "s", "split");
  add_binding (widget_class, GDK_KEY_a, 0, "compare.align", NULL);
  add_binding (widget_class, GDK_KEY_A, GDK_SHIFT_MASK, "compare.reset-alignment", NULL);
  /* Plain l, j, k, d, p, Alt+Up/Down and Ctrl+Z belong to the review page around the
   * view (tm-review-page.c): the view must not take them while it has the focus. */
  add_binding (widget_class, GDK_KEY_L, GDK_SHIFT_MASK, "compare.lock", NULL);
  add_binding (widget_class, GDK_KEY_c, 0, "compare.cells", NULL);
  /* Not [ and ]: they rotate the view. */
  add_binding (widget_class, GDK_KEY_period, 0, "compare.cell", "i", 1);
  add_binding (widget_class, GDK_KEY_comma, 0, "compare.cell", "i", -1);
  add_binding (widget_class, GDK_KEY_r, 0, "compare.ruler", NULL);
  add_binding (widget_class, GDK_KEY_s, 0, "compare.render-mode", "s", "shaded");
  add_binding (widget_class, GDK_KEY_h, 0, "compare.render-mode", "s", "false-colour");
  add_binding (widget_class, GDK_KEY_g, 0, "compare.render-mode", "s", "grey");
  add_binding (widget_class, GDK_KEY_x, 0, "compare.exaggerate", NULL);
  add_binding (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "compare.fit", NULL);
  add_binding (widget_class, GDK_KEY_f, 0, "compare.fit", NULL);
  add_binding (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "compare.one-to-one", NULL);
  add_binding (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "compare.export", NULL);
  add_binding (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "compare.zoom", "d", 1.25);
  add_binding (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "compare.zoom", "d", 1.25);
  add_binding (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "compare.zoom", "d", 1.25);
  add_binding (widget_class, GDK_KEY_plus, 0, "compare.zoom", "d", 1.25);
  add_binding (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "compare.zoom", "d", 0.8);
  add_binding (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "compare.zoom", "d", 0.8);
  add_binding (widget_class, GDK_KEY_minus, 0, "compare.zoom", "d", 0.8);
  add_binding (widget_class, GDK_KEY_bracketleft, 0, "compare.rotate", "d", -5.0);
  add_binding (widget_class, GDK_KEY_bracketright, 0, "compare.rotate", "d", 5.0);
  add_binding (widget_class, GDK_KEY_bracketleft, GDK_CONTROL_MASK, "compare.rotate", "d", -90.0);
  add_binding (widget_class, GDK_KEY_bracketright, GDK_CONTROL_MASK, "compare.rotate", "d", 90.0);
  add_binding (widget_class, GDK_KEY_bracketleft, GDK_ALT_MASK, "compare.nudge", "s", "ccw");
  add_binding (widget_class, GDK_KEY_bracketright, GDK_ALT_MASK, "compare.nudge", "s", "cw");
  for (guint i = 0; i < G_N_ELEMENTS (arrows); i++)
    {
      g_autofree char *large = g_strconcat (directions[i], "-large", NULL);

      add_binding (widget_class, arrows[i], 0, "compare.pan", "s", directions[i]);
      add_binding (widget_class, arrows[i], GDK_SHIFT_MASK, "compare.nudge", "s", directions[i]);
      add_binding (widget_class, arrows[i], GDK_ALT_MASK | GDK_SHIFT_MASK, "compare.nudge", "s", large);
      add_binding (widget_class, arrows[i], GDK_CONTROL_MASK, "compare.light", "s", directions[i]);
    }

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tm-compare-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (TM_TYPE_COMPARE_CANVAS);
}

static void
tm_compare_view_init (TmCompareView *self)
{
  const TmReliefParams *p;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->canvas = TM_COMPARE_CANVAS (tm_compare_canvas_new ());
  p = tm_compare_canvas_get_relief_params (self->canvas);
  self->opacity_adjustment = g_object_ref_sink (gtk_adjustment_new (0.5, 0.0, 1.0, 0.05, 0.1, 0.0));
  self->azimuth_adjustment = g_object_ref_sink (gtk_adjustment_new (p->azimuth_deg, 0.0, 360.0, 5.0, 15.0, 0.0));
  self->elevation_adjustment = g_object_ref_sink (gtk_adjustment_new (p->elevation_deg, 5.0, 90.0, 1.0, 5.0, 0.0));
  self->low_adjustment = g_object_ref_sink (gtk_adjustment_new (100.0 * p->low, 0.0, 50.0, 0.5, 5.0, 0.0));
  self->high_adjustment = g_object_ref_sink (gtk_adjustment_new (100.0 * p->high, 50.0, 100.0, 0.5, 5.0, 0.0));

  /* The app's own icons (icons/README.md) are in its GResource; GtkApplication adds
   * that path, a view used without it (tests, tools) adds it here. */
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
    g_auto(GStrv) paths = gtk_icon_theme_get_resource_path (theme);

    if (paths == NULL || !g_strv_contains ((const char * const *) paths, "/org/toolmark/Toolmark/icons"))
      gtk_icon_theme_add_resource_path (theme, "/org/toolmark/Toolmark/icons");
  }

  build_toolbar (self);
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, GTK_WIDGET (self->canvas));
  gtk_widget_set_vexpand (GTK_WIDGET (self->toast_overlay), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->toast_overlay), GTK_WIDGET (self));

  build_status_bar (self);
  gtk_widget_set_parent (self->status_bar, GTK_WIDGET (self));

  g_object_bind_property (self, "opacity", self->opacity_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect (self->azimuth_adjustment, "value-changed", G_CALLBACK (light_changed_cb), self);
  g_signal_connect (self->elevation_adjustment, "value-changed", G_CALLBACK (light_changed_cb), self);
  g_signal_connect (self->low_adjustment, "value-changed", G_CALLBACK (levels_changed_cb), self);
  g_signal_connect (self->high_adjustment, "value-changed", G_CALLBACK (levels_changed_cb), self);
  g_signal_connect (self->canvas, "changed", G_CALLBACK (canvas_changed_cb), self);

  gtk_widget_set_visible (self->opacity_box, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.align", FALSE);
  update_status (self);
}

/* ---- public API ---------------------------------------------------------------- */

GtkWidget *
tm_compare_view_new (void)
{
  return g_object_new (TM_TYPE_COMPARE_VIEW, NULL);
}

void
tm_compare_view_load_async (TmCompareView       *self,
                            const char          *db_path,
                            gint64               query_id,
                            gint64               candidate_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (TM_IS_COMPARE_VIEW (self));
  g_return_if_fail (db_path != NULL);

  /* A newer load replaces the one still running. */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();

  outer = g_task_new (self, self->load_cancellable, callback, user_data);
  g_task_set_source_tag (outer, tm_compare_view_load_async);

  load = g_new0 (LoadData, 1);
  load->db_path = g_strdup (db_path);
  load->ids[0] = query_id;
  load->ids[1] = candidate_id;
  load->params = *tm_compare_canvas_get_relief_params (self->canvas);
  load->side_by_side = tm_compare_canvas_get_mode (self->canvas) == TM_COMPARE_MODE_SIDE_BY_SIDE;
  /* The view keeps its rotation from one candidate to the next: the textures are made
   * for it (side by side, the candidate's pane takes the query's view once aligned). */
  load->view_rot[0] = load->view_rot[1] = tm_compare_canvas_get_view_rotation (self->canvas, 0);
  load->bake_rotation = tm_compare_canvas_get_bakes_rotation (self->canvas);

  self->loading++;
  update_status (self);
  task = g_task_new (self, self->load_cancellable, load_done_cb, outer);
  g_task_set_source_tag (task, load_thread);
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
tm_compare_view_load_finish (TmCompareView  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tm_compare_view_set_surfaces (TmCompareView *self,
                              TmSurface     *left,
                              TmSurface     *right,
                              TmComparison  *comparison)
{
  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  tm_compare_canvas_set_data (self->canvas, left, right, comparison, NULL, NULL);
  update_status (self);
}

TmCompareMode
tm_compare_view_get_mode (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), TM_COMPARE_MODE_SIDE_BY_SIDE);
  return tm_compare_canvas_get_mode (self->canvas);
}

void
tm_compare_view_set_mode (TmCompareView *self,
                          TmCompareMode  mode)
{
  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  if (tm_compare_canvas_get_mode (self->canvas) == mode)
    return;
  tm_compare_canvas_set_mode (self->canvas, mode);
  gtk_widget_set_visible (self->opacity_box, mode == TM_COMPARE_MODE_BLEND);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

gboolean
tm_compare_view_get_locked (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), FALSE);
  return tm_compare_canvas_get_locked (self->canvas);
}

void
tm_compare_view_set_locked (TmCompareView *self,
                            gboolean       locked)
{
  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  if (tm_compare_canvas_get_locked (self->canvas) == !!locked)
    return;
  tm_compare_canvas_set_locked (self->canvas, locked);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

double
tm_compare_view_get_opacity (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), 0.5);
  return tm_compare_canvas_get_opacity (self->canvas);
}

void
tm_compare_view_set_opacity (TmCompareView *self,
                             double         opacity)
{
  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  opacity = CLAMP (opacity, 0.0, 1.0);
  if (tm_compare_canvas_get_opacity (self->canvas) == opacity)
    return;
  tm_compare_canvas_set_opacity (self->canvas, opacity);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPACITY]);
}

TmReliefMode
tm_compare_view_get_render_mode (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), TM_RELIEF_SHADED);
  return tm_compare_canvas_get_relief_params (self->canvas)->mode;
}

void
tm_compare_view_set_render_mode (TmCompareView *self,
                                 TmReliefMode   mode)
{
  TmReliefParams p;

  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  p = *tm_compare_canvas_get_relief_params (self->canvas);
  if (p.mode == mode)
    return;
  p.mode = mode;
  set_relief (self, &p, PROP_RENDER_MODE);
}

void
tm_compare_view_set_light (TmCompareView *self,
                           double         azimuth_deg,
                           double         elevation_deg)
{
  TmReliefParams p;
  gboolean az_changed, el_changed;

  g_return_if_fail (TM_IS_COMPARE_VIEW (self));

  azimuth_deg = fmod (fmod (azimuth_deg, 360.0) + 360.0, 360.0);
  elevation_deg = CLAMP (elevation_deg, 0.0, 90.0);
  p = *tm_compare_canvas_get_relief_params (self->canvas);
  az_changed = p.azimuth_deg != azimuth_deg;
  el_changed = p.elevation_deg != elevation_deg;
  if (!az_changed && !el_changed)
    return;
  p.azimuth_deg = azimuth_deg;
  p.elevation_deg = elevation_deg;
  tm_compare_canvas_set_relief_params (self->canvas, &p);
  gtk_adjustment_set_value (self->azimuth_adjustment, azimuth_deg);
  gtk_adjustment_set_value (self->elevation_adjustment, elevation_deg);
  if (az_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIGHT_AZIMUTH]);
  if (el_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIGHT_ELEVATION]);
}

GdkTexture *
tm_compare_view_render_texture (TmCompareView  *self,
                                int             width,
                                int             height,
                                GError        **error)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) own_renderer = NULL;
  GskRenderer *renderer = NULL;
  GtkNative *native;
  GdkTexture *texture;

  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), NULL);

  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (self->canvas));
      height = gtk_widget_get_height (GTK_WIDGET (self->canvas));
    }
  if (width <= 0 || height <= 0)
    {
      width = 1280;
      height = 800;
    }

  snapshot = gtk_snapshot_new ();
  tm_compare_canvas_draw (self->canvas, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is nothing to export yet"));
      return NULL;
    }

  native = gtk_widget_get_native (GTK_WIDGET (self));
  if (native != NULL && gtk_widget_get_realized (GTK_WIDGET (native)))
    renderer = gtk_native_get_renderer (native);
  if (renderer == NULL)
    {
      /* Not on screen: Cairo draws the same nodes without a window or a GPU. */
      own_renderer = gsk_cairo_renderer_new ();
      if (!gsk_renderer_realize (own_renderer, NULL, error))
        return NULL;
      renderer = own_renderer;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (own_renderer != NULL)
    gsk_renderer_unrealize (own_renderer);
  return texture;
}

gboolean
tm_compare_view_export_png (TmCompareView  *self,
                            const char     *path,
                            GError        **error)
{
  g_autoptr(GdkTexture) texture = NULL;

  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  texture = tm_compare_view_render_texture (self, 0, 0, error);
  if (texture == NULL)
    return FALSE;
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_autofree char *name = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write “%s”: check that the folder exists and is writable"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
tm_compare_view_is_busy (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), FALSE);
  return self->loading > 0 || tm_compare_canvas_is_rendering (self->canvas);
}

TmCompareCanvas *
tm_compare_view_get_canvas (TmCompareView *self)
{
  g_return_val_if_fail (TM_IS_COMPARE_VIEW (self), NULL);
  return self->canvas;
}
