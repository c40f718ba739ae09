/* tm-cli-show.c — `toolmark-cli show ID`: one acquisition in full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "toolmark-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tm-cli-workflow.h"
#include "tm-store.h"

int
tm_cli_show (TmCliContext *ctx,
             int           argc,
             char        **argv)
{
  g_autoptr(TmStore) store = NULL;
  g_autoptr(TmAcquisition) acquisition = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { NULL }
  };
  JsonObject *object;
  GList *members;

  if (!tm_cli_parse ("show", "ID", _("Show one acquisition (by id or UUID) with its case data "
                                     "and the file's own metadata."), entries, &argc, &argv))
    return 2;
  if (argc != 2)
    {
      tm_cli_error ("show: give exactly one acquisition id");
      return 2;
    }
  store = tm_cli_open_existing_store (ctx, &error);
  if (store != NULL)
    acquisition = tm_store_find_acquisition (store, argv[1], &error);
  if (acquisition == NULL)
    {
      tm_cli_error ("%s", error->message);
      return 1;
    }

  node = tm_acquisition_to_json (acquisition);
  if (json)
    {
      g_autofree char *text = NULL;

      json_generator_set_root (generator, node);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return 0;
    }

  /* key: value lines, in the JSON's order (the one place the field list is kept);
   * the source metadata follows, indented, so a script can still split on ": ". */
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (object, key);

      if (JSON_NODE_HOLDS_OBJECT (value))
        continue;
      if (JSON_NODE_HOLDS_NULL (value))
        printf ("%s: -\n", key);
      else if (json_node_get_value_type (value) == G_TYPE_STRING)
        printf ("%s: %s\n", key, json_node_get_string (value));
      else if (json_node_get_value_type (value) == G_TYPE_DOUBLE)
        printf ("%s: %.10g\n", key, json_node_get_double (value));
      else
        printf ("%s: %" G_GINT64_FORMAT "\n", key, json_node_get_int (value));
    }
  g_list_free (members);

  if (json_object_has_member (object, "source"))
    {
      JsonObject *source = json_object_get_object_member (object, "source");
      GList *keys = json_object_get_members (source);

      if (keys != NULL)
        printf ("source:\n");
      keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
      for (GList *l = keys; l != NULL; l = l->next)
        printf ("  %s: %s\n", (const char *)l->data,
                json_object_get_string_member_with_default (source, l->data, ""));
      g_list_free (keys);
    }
  return 0;
}
