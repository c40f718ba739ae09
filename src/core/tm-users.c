/* tm-users.c — who may do what: users, roles and the permission check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tm-users"

#include "config.h"

#include <json-glib/json-glib.h>

#include "tm-audit.h"
#include "tm-store-private.h"
#include "tm-users.h"

static const char * const all_roles[] = { "technician", "examiner", "supervisor", "administrator", NULL };

/* Which roles may, per permission; the order of TmPermission. */
static const struct
{
  const char *description;
  const char *roles[5];
  const char *needed;  /* said in a refusal */
} permissions[] = {
  [TM_PERMISSION_READ] = { "read the database", { "technician", "examiner", "supervisor", "administrator" },
                           "a registered user" },
  [TM_PERMISSION_REPORT] = { "print reports", { "technician", "examiner", "supervisor", "administrator" },
                             "a registered user" },
  [TM_PERMISSION_IMPORT] = { "import acquisitions", { "technician", "examiner", "administrator" },
                             "a technician, examiner or administrator" },
  [TM_PERMISSION_CORRELATE] = { "run correlations", { "technician", "examiner", "administrator" },
                                "a technician, examiner or administrator" },
  [TM_PERMISSION_REVIEW] = { "review candidates", { "technician", "examiner", "administrator" },
                             "a technician, examiner or administrator" },
  [TM_PERMISSION_LEAD] = { "create or change leads, case links and microstamps",
                           { "technician", "examiner", "administrator" },
                           "a technician, examiner or administrator" },
  [TM_PERMISSION_CONCLUDE] = { "record a conclusion", { "examiner", "administrator" },
                               "an examiner or administrator" },
  [TM_PERMISSION_MANAGE_USERS] = { "manage users", { "administrator" }, "an administrator" },
};

const char *
tm_permission_describe (TmPermission permission)
{
  g_return_val_if_fail (permission < G_N_ELEMENTS (permissions), NULL);
  return permissions[permission].description;
}

gboolean
tm_role_is_valid (const char *role)
{
  return role != NULL && g_strv_contains (all_roles, role);
}

gboolean
tm_store_check_permission (TmStore       *store,
                           const char    *user,
                           TmPermission   permission,
                           GError       **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  const char *role;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (permission < G_N_ELEMENTS (permissions), FALSE);

  stmt = tm_store_prepare (store, "SELECT role, active FROM users WHERE login = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, user ? user : "", -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION,
                   "user '%s' is not registered in %s; an administrator must add them before they can %s",
                   user ? user : "", tm_store_get_path (store), permissions[permission].description);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      tm_store_set_sql_error (store, error, rc, "cannot read the users");
      return FALSE;
    }
  role = tm_stmt_column_text (stmt, 0);
  if (sqlite3_column_int (stmt, 1) == 0)
    {
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION,
                   "user '%s' has been deactivated and can no longer %s",
                   user, permissions[permission].description);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (permissions[permission].roles); i++)
    if (g_strcmp0 (permissions[permission].roles[i], role) == 0)
      return TRUE;
  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_PERMISSION,
               "user '%s' is a %s; only %s may %s",
               user, role, permissions[permission].needed, permissions[permission].description);
  return FALSE;
}

void
tm_user_free (TmUser *user)
{
  if (user == NULL)
    return;
  g_free (user->login);
  g_free (user->display_name);
  g_free (user->role);
  g_free (user->created_at);
  g_free (user);
}

GPtrArray *
tm_store_list_users (TmStore  *store,
                     GError  **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify)tm_user_free);
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);

  stmt = tm_store_prepare (store, "SELECT login, display_name, role, created_at, active FROM users"
                                  " ORDER BY login", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TmUser *user = g_new0 (TmUser, 1);

      user->login = g_strdup (tm_stmt_column_text (stmt, 0));
      user->display_name = g_strdup (tm_stmt_column_text (stmt, 1));
      user->role = g_strdup (tm_stmt_column_text (stmt, 2));
      user->created_at = g_strdup (tm_stmt_column_text (stmt, 3));
      user->active = sqlite3_column_int (stmt, 4) != 0;
      g_ptr_array_add (users, user);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, "cannot list the users");
      return NULL;
    }
  return g_steal_pointer (&users);
}

static char *
user_details (const char *role,
              const char *display_name,
              const char *previous_role)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (role != NULL)
    {
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, role);
    }
  if (previous_role != NULL)
    {
      json_builder_set_member_name (builder, "previous_role");
      json_builder_add_string_value (builder, previous_role);
    }
  if (display_name != NULL)
    {
      json_builder_set_member_name (builder, "display_name");
      json_builder_add_string_value (builder, display_name);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
check_role (const char  *login,
            const char  *role,
            GError     **error)
{
  if (tm_role_is_valid (role))
    return TRUE;
  g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
               "user %s: role '%s' is not one of technician, examiner, supervisor, administrator",
               login, role ? role : "");
  return FALSE;
}

gboolean
tm_store_add_user_as (TmStore     *store,
                      const char  *acting_user,
                      const char  *login,
                      const char  *display_name,
                      const char  *role,
                      GError     **error)
{
  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);

  if (!tm_store_check_permission (store, acting_user, TM_PERMISSION_MANAGE_USERS, error) ||
      !check_role (login, role, error))
    return FALSE;
  return tm_store_insert_user (store, acting_user, login, display_name, role, error);
}

static gboolean
update_user (TmStore     *store,
             const char  *acting_user,
             const char  *login,
             const char  *sql,
             const char  *value,
             const char  *action,
             const char  *new_role,
             GError     **error)
{
  g_autoptr(TmStmt) find = NULL;
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *previous = NULL;
  g_autofree char *details = NULL;

  if (!tm_store_begin (store, error))
    return FALSE;
  find = tm_store_prepare (store, "SELECT role FROM users WHERE login = ?", error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_text (find, 1, login, -1, SQLITE_TRANSIENT);
  if (!tm_store_step_row (store, find, "cannot read the users", error,
                          "user '%s' is not registered in %s", login, tm_store_get_path (store)))
    goto fail;
  previous = g_strdup (tm_stmt_column_text (find, 0));

  stmt = tm_store_prepare (store, sql, error);
  if (stmt == NULL)
    goto fail;
  tm_stmt_bind_text_or_null (stmt, 1, value);
  sqlite3_bind_text (stmt, 2, login, -1, SQLITE_TRANSIENT);
  if (!tm_store_step_done (store, stmt, "cannot change the user", error))
    goto fail;
  details = user_details (new_role, NULL, previous);
  if (!tm_audit_append (store, acting_user, action, "user", login, details, error))
    goto fail;
  return tm_store_commit (store, error);

fail:
  tm_store_rollback (store);
  return FALSE;
}

gboolean
tm_store_set_user_role (TmStore     *store,
                        const char  *acting_user,
                        const char  *login,
                        const char  *role,
                        GError     **error)
{
  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);

  if (!tm_store_check_permission (store, acting_user, TM_PERMISSION_MANAGE_USERS, error) ||
      !check_role (login, role, error))
    return FALSE;
  return update_user (store, acting_user, login, "UPDATE users SET role = ?1 WHERE login = ?2",
                      role, "user-role-set", role, error);
}

gboolean
tm_store_deactivate_user (TmStore     *store,
                          const char  *acting_user,
                          const char  *login,
                          GError     **error)
{
  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);

  if (!tm_store_check_permission (store, acting_user, TM_PERMISSION_MANAGE_USERS, error))
    return FALSE;
  if (g_strcmp0 (acting_user, login) == 0)
    {
      /* Would leave a database nobody can manage when they are the last administrator. */
      g_set_error (error, TM_STORE_ERROR, TM_STORE_ERROR_CONSTRAINT,
                   "user '%s' cannot deactivate themselves; another administrator must", login);
      return FALSE;
    }
  return update_user (store, acting_user, login, "UPDATE users SET active = 0 WHERE login = ?2",
                      NULL, "user-deactivated", NULL, error);
}

char *
tm_users_new_user_details (const char *role,
                           const char *display_name)
{
  return user_details (role, display_name, NULL);
}

gboolean
tm_store_insert_user (TmStore     *store,
                      const char  *acting_user,
                      const char  *login,
                      const char  *display_name,
                      const char  *role,
                      GError     **error)
{
  g_autoptr(TmStmt) stmt = NULL;
  g_autofree char *now = tm_store_now_iso8601 ();
  g_autofree char *details = NULL;
  int rc;

  g_return_val_if_fail (TM_IS_STORE (store), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);

  if (!check_role (login, role, error))
    return FALSE;
  if (!tm_store_begin (store, error))
    return FALSE;
  stmt = tm_store_prepare (store, "INSERT INTO users (login, display_name, role, created_at) VALUES (?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  tm_stmt_bind_text_or_null (stmt, 2, display_name);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf ("cannot add the user '%s'", login);
      tm_store_set_sql_error (store, error, rc, what);
      goto fail;
    }
  details = user_details (role, display_name, NULL);
  if (!tm_audit_append (store, acting_user, "user-added", "user", login, details, error))
    goto fail;
  return tm_store_commit (store, error);

fail:
  tm_store_rollback (store);
  return FALSE;
}
