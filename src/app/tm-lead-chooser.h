/* tm-lead-chooser.h — pick the existing lead a candidate joins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TM_TYPE_LEAD_CHOOSER (tm_lead_chooser_get_type ())

G_DECLARE_FINAL_TYPE (TmLeadChooser, tm_lead_chooser, TM, LEAD_CHOOSER, AdwWindow)

/**
 * tm_lead_chooser_new:
 * @leads: (element-type TmLead): the leads to offer, newest first
 * @acquisition_ids: (array length=n_ids): what the lead is to hold (the query and the
 *   candidate); a lead that already holds all of them is shown but cannot be chosen
 *
 * A modal window listing @leads; emits "lead-chosen" (gint64 lead id) and closes when
 * one is chosen (its row activated, or selected and Add pressed).
 */
GtkWindow *tm_lead_chooser_new            (GtkWindow    *parent,
                                           GPtrArray    *leads,
                                           const gint64 *acquisition_ids,
                                           guint         n_ids);
/* Chooses the lead with @lead_id as a click on its row and Add would. */
gboolean   tm_lead_chooser_choose         (TmLeadChooser *self,
                                           gint64         lead_id);

G_END_DECLS
