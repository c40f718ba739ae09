/* tm-hit-item.h — a hit as a GObject for the hits list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tm-workflow.h"

G_BEGIN_DECLS

#define TM_TYPE_HIT_ITEM (tm_hit_item_get_type ())

G_DECLARE_FINAL_TYPE (TmHitItem, tm_hit_item, TM, HIT_ITEM, GObject)

/* Read-only properties for the list's cells: id, lead-id, cases (the linked cases
 * joined by ", "), examiner, confirmed-at, n-hits. Takes ownership of @hit. */
TmHitItem  *tm_hit_item_new              (TmHit     *hit);
const TmHit *tm_hit_item_get_hit         (TmHitItem *self);
gint64      tm_hit_item_get_id           (TmHitItem *self);
gint64      tm_hit_item_get_lead_id      (TmHitItem *self);
const char *tm_hit_item_get_cases        (TmHitItem *self);
guint       tm_hit_item_get_n_hits       (TmHitItem *self);

G_END_DECLS
