/* tm-detail-pane.h — one acquisition: its thumbnails and everything recorded about it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "tm-acquisition.h"

G_BEGIN_DECLS

#define TM_TYPE_DETAIL_PANE (tm_detail_pane_get_type ())

G_DECLARE_FINAL_TYPE (TmDetailPane, tm_detail_pane, TM, DETAIL_PANE, GtkWidget)

GtkWidget     *tm_detail_pane_new                (void);
/* The database the thumbnails are read from (each render opens its own connection in
 * a worker thread). */
void           tm_detail_pane_set_db_path        (TmDetailPane  *self,
                                                  const char    *db_path);
/* How scans are drawn (render-mode, light-azimuth, light-elevation); may be NULL. */
void           tm_detail_pane_set_settings       (TmDetailPane  *self,
                                                  GSettings     *settings);
/* Shows @acquisition (NULL: the "nothing selected" page) and starts rendering its
 * thumbnails off the main thread. */
void           tm_detail_pane_set_acquisition    (TmDetailPane  *self,
                                                  TmAcquisition *acquisition);
TmAcquisition *tm_detail_pane_get_acquisition    (TmDetailPane  *self);
/* TRUE while thumbnails are being rendered; "busy" is notified when it changes. */
gboolean       tm_detail_pane_get_busy           (TmDetailPane  *self);
/* The rendered scan and preprocessed-region thumbnails, or NULL (none yet, or the
 * region was not stored). */
GdkPaintable  *tm_detail_pane_get_scan_thumbnail   (TmDetailPane *self);
GdkPaintable  *tm_detail_pane_get_region_thumbnail (TmDetailPane *self);

G_END_DECLS
