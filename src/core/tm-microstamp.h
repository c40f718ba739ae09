/* tm-microstamp.h — microstamp codes read from cartridge cases, and the makers' registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A microstamping firearm engraves a code on the cartridge case at the breech face and
 * the firing pin. The same code on two cases is an exact link, whatever their images
 * score; a manufacturer's registry resolves a code to the firearm sold with it. Codes
 * are compared upper-cased and trimmed (tm_microstamp_normalize).
 */
#pragma once

#include "tm-store.h"

G_BEGIN_DECLS

/**
 * TmMicrostamp:
 * @acquisition_id: the acquisition the code was read from
 * @location: "breech-face" or "firing-pin"
 * @code: as read
 */
typedef struct
{
  gint64  acquisition_id;
  char   *location;
  char   *code;
} TmMicrostamp;

void       tm_microstamp_free                (TmMicrostamp *stamp);

/**
 * TmMicrostampFirearm:
 * A registry row: the firearm a code was engraved by.
 */
typedef struct
{
  char *code;
  char *make;
  char *model;
  char *serial;
  char *source;
  char *imported_at;
} TmMicrostampFirearm;

void       tm_microstamp_firearm_free        (TmMicrostampFirearm *firearm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmMicrostampFirearm, tm_microstamp_firearm_free)

/* Trimmed, upper case, inner runs of blanks removed; NULL when nothing is left. */
char      *tm_microstamp_normalize           (const char   *code);

/* Records @code read at @location ("breech-face" or "firing-pin") on acquisition
 * @acquisition_id (technicians, examiners, administrators; audited). */
gboolean   tm_store_add_microstamp           (TmStore      *store,
                                              gint64        acquisition_id,
                                              const char   *location,
                                              const char   *code,
                                              const char   *user,
                                              GError      **error);
/* The codes of one acquisition (element-type TmMicrostamp). */
GPtrArray *tm_store_list_microstamps         (TmStore      *store,
                                              gint64        acquisition_id,
                                              GError      **error);
/* The other acquisitions carrying one of @acquisition_id's codes, at either location,
 * by acquisition id (element-type TmMicrostamp: their id and the shared code). */
GPtrArray *tm_store_find_microstamp_matches  (TmStore      *store,
                                              gint64        acquisition_id,
                                              GError      **error);

/**
 * tm_store_import_microstamp_registry:
 * @path: a CSV file with a header naming the columns code, make, model and serial
 *   (any order; other columns are ignored)
 * @out_n_rows: (out) (optional): rows imported
 *
 * One transaction: every row or none. A code already in the registry is replaced (the
 * registry is the maker's reference, not evidence). Errors name file:line.
 */
gboolean   tm_store_import_microstamp_registry (TmStore    *store,
                                                const char *path,
                                                const char *user,
                                                guint      *out_n_rows,
                                                GError    **error);
/* The firearm of @code; TM_STORE_ERROR_NOT_FOUND when the registry does not know it. */
TmMicrostampFirearm *tm_store_resolve_microstamp (TmStore    *store,
                                                  const char *code,
                                                  GError    **error);

G_END_DECLS
