/* tm-users.h — who may do what: users, roles and the permission check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The roles (domain.md): technicians import, correlate, review candidates and create
 * or extend leads; examiners can also record conclusions; supervisors read and report
 * only; administrators can do everything and are the only ones who manage users. Every
 * changing function of src/core calls tm_store_check_permission() first, so hiding a
 * button is never the only protection.
 */
#pragma once

#include "tm-store.h"

G_BEGIN_DECLS

typedef enum
{
  TM_PERMISSION_READ,          /* every role */
  TM_PERMISSION_REPORT,        /* every role */
  TM_PERMISSION_IMPORT,        /* technician, examiner, administrator */
  TM_PERMISSION_CORRELATE,     /* technician, examiner, administrator */
  TM_PERMISSION_REVIEW,        /* candidate decisions: technician, examiner, administrator */
  TM_PERMISSION_LEAD,          /* create, extend, note, feedback, known case links, microstamps */
  TM_PERMISSION_CONCLUDE,      /* examiner, administrator */
  TM_PERMISSION_MANAGE_USERS,  /* administrator */
} TmPermission;

/* "import", "record a conclusion", … (for messages). */
const char *tm_permission_describe    (TmPermission  permission);

/**
 * tm_store_check_permission:
 *
 * TRUE when @user is a registered, active user whose role allows @permission; else
 * FALSE with TM_STORE_ERROR_PERMISSION and a message naming the user, their role and
 * the roles that may.
 */
gboolean    tm_store_check_permission (TmStore      *store,
                                       const char   *user,
                                       TmPermission  permission,
                                       GError      **error);

/**
 * TmUser:
 */
typedef struct
{
  char     *login;
  char     *display_name;
  char     *role;
  char     *created_at;
  gboolean  active;
} TmUser;

void        tm_user_free              (TmUser *user);

/* Every user, by login (element-type TmUser). */
GPtrArray  *tm_store_list_users       (TmStore      *store,
                                       GError      **error);
/* Administrators only (@acting_user); each an audited transaction. */
gboolean    tm_store_add_user_as      (TmStore      *store,
                                       const char   *acting_user,
                                       const char   *login,
                                       const char   *display_name,
                                       const char   *role,
                                       GError      **error);
gboolean    tm_store_set_user_role    (TmStore      *store,
                                       const char   *acting_user,
                                       const char   *login,
                                       const char   *role,
                                       GError      **error);
/* A deactivated user keeps their name on what they did but may do nothing more. */
gboolean    tm_store_deactivate_user  (TmStore      *store,
                                       const char   *acting_user,
                                       const char   *login,
                                       GError      **error);

/* For the store (tm_store_add_user, first-run bootstrap): adds a user and its audit
 * entry in one transaction, without checking @acting_user's role. */
gboolean    tm_store_insert_user      (TmStore      *store,
                                       const char   *acting_user,
                                       const char   *login,
                                       const char   *display_name,
                                       const char   *role,
                                       GError      **error);
/* The audit details of a new user (JSON text). */
char       *tm_users_new_user_details (const char   *role,
                                       const char   *display_name);

/* TRUE when @role is one of the four roles. */
gboolean    tm_role_is_valid          (const char   *role);

G_END_DECLS
