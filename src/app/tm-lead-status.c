/* tm-lead-status.c — a lead's status in the app's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The leads list, the lead view and the detail pane's leads all name a lead's status;
 * one table keeps them saying the same.
 */
#define G_LOG_DOMAIN "tm-lead-status"

#include "config.h"

#include <glib/gi18n.h>

#include "tm-lead-status.h"

const char *
tm_lead_status_label (const char *status)
{
  if (g_strcmp0 (status, "open") == 0)
    return _("Open");
  if (g_strcmp0 (status, "confirmed") == 0)
    return _("Confirmed");
  if (g_strcmp0 (status, "eliminated") == 0)
    return _("Eliminated");
  if (g_strcmp0 (status, "inconclusive") == 0)
    return _("Inconclusive");
  if (g_strcmp0 (status, "unsuitable") == 0)
    return _("Unsuitable");
  if (g_strcmp0 (status, "closed") == 0)
    return _("Closed");
  return status;
}
