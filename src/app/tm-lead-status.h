/* tm-lead-status.h — a lead's status in the app's words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "Open", "Confirmed", … for the stored status ("open", "confirmed", …); a status
 * this version does not know is returned as it is. */
const char *tm_lead_status_label (const char *status);

G_END_DECLS
