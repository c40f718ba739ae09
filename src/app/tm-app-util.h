/* tm-app-util.h — small widget helpers shared by the app's classes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* gtk_widget_dispose_template() for @widget's @type, then unparents what is left: the
 * template's unnamed root, which dispose_template() leaves (it only unparents the
 * children bound to fields) and which would outlive @widget. */
void tm_widget_dispose_template_all (GtkWidget *widget,
                                     GType      type);

G_END_DECLS
