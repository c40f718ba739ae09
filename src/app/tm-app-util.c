/* tm-app-util.c — small widget helpers shared by the app's classes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-app-util"

#include "config.h"

#include "tm-app-util.h"

void
tm_widget_dispose_template_all (GtkWidget *widget,
                                GType      type)
{
  GtkWidget *child;

  gtk_widget_dispose_template (widget, type);
  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}
