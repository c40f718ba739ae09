/* tm-lead.c — a lead: acquisitions of different exhibits a reviewer linked, and its history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshot derives status, conclusion and outcome from the events once, at
 * construction: the events are the record, these are only views of it.
 */
#define G_LOG_DOMAIN "tm-lead"

#include "config.h"

#include <json-glib/json-glib.h>

#include "tm-lead.h"

struct _TmLead
{
  GObject     parent_instance;

  gint64      id;
  char       *uuid;
  char       *created_by;
  char       *created_at;
  char       *status;
  char       *conclusion;
  char       *outcome;
  GPtrArray  *members;
  GPtrArray  *events;
};

G_DEFINE_FINAL_TYPE (TmLead, tm_lead, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_UUID,
  PROP_STATUS,
  PROP_CREATED_BY,
  PROP_CREATED_AT,
  PROP_N_MEMBERS,
  PROP_CONCLUSION,
  PROP_OUTCOME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
tm_lead_member_free (TmLeadMember *member)
{
  if (member == NULL)
    return;
  g_free (member->acquisition_uuid);
  g_free (member->case_number);
  g_free (member->exhibit);
  g_free (member->file);
  g_free (member->added_by);
  g_free (member->added_at);
  g_free (member);
}

void
tm_lead_event_free (TmLeadEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->uuid);
  g_free (event->kind);
  g_free (event->payload);
  g_free (event->user);
  g_free (event->at);
  g_free (event->origin_site);
  g_free (event);
}

static void
tm_lead_finalize (GObject *object)
{
  TmLead *self = (TmLead *)object;

  g_free (self->uuid);
  g_free (self->created_by);
  g_free (self->created_at);
  g_free (self->status);
  g_free (self->conclusion);
  g_free (self->outcome);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->events, g_ptr_array_unref);

  G_OBJECT_CLASS (tm_lead_parent_class)->finalize (object);
}

static void
tm_lead_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  TmLead *self = TM_LEAD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_CREATED_BY:
      g_value_set_string (value, self->created_by);
      break;
    case PROP_CREATED_AT:
      g_value_set_string (value, self->created_at);
      break;
    case PROP_N_MEMBERS:
      g_value_set_uint (value, self->members->len);
      break;
    case PROP_CONCLUSION:
      g_value_set_string (value, self->conclusion);
      break;
    case PROP_OUTCOME:
      g_value_set_string (value, self->outcome);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tm_lead_class_init (TmLeadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tm_lead_finalize;
  object_class->get_property = tm_lead_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_BY] = g_param_spec_string ("created-by", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] = g_param_spec_string ("created-at", NULL, NULL, NULL, flags);
  properties[PROP_N_MEMBERS] = g_param_spec_uint ("n-members", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_CONCLUSION] = g_param_spec_string ("conclusion", NULL, NULL, NULL, flags);
  properties[PROP_OUTCOME] = g_param_spec_string ("outcome", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tm_lead_init (TmLead *self)
{
}

/* A string member of an event's JSON payload, or NULL. */
static char *
payload_string (const char *payload,
                const char *member)
{
  g_autoptr(JsonNode) root = payload ? json_from_string (payload, NULL) : NULL;
  JsonNode *node;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static const char *
status_of_conclusion (const char *conclusion)
{
  if (g_strcmp0 (conclusion, "identification") == 0)
    return "confirmed";
  if (g_strcmp0 (conclusion, "elimination") == 0)
    return "eliminated";
  if (g_strcmp0 (conclusion, "inconclusive") == 0)
    return "inconclusive";
  if (g_strcmp0 (conclusion, "unsuitable") == 0)
    return "unsuitable";
  return NULL;
}

TmLead *
tm_lead_new (gint64      id,
             const char *uuid,
             const char *created_by,
             const char *created_at,
             GPtrArray  *members,
             GPtrArray  *events)
{
  TmLead *self;

  g_return_val_if_fail (members != NULL && events != NULL, NULL);

  self = g_object_new (TM_TYPE_LEAD, NULL);
  self->id = id;
  self->uuid = g_strdup (uuid);
  self->created_by = g_strdup (created_by);
  self->created_at = g_strdup (created_at);
  self->members = members;
  self->events = events;
  self->status = g_strdup ("open");

  /* The events arrive oldest first; the latest conclusion or status event wins. */
  for (guint i = 0; i < events->len; i++)
    {
      TmLeadEvent *event = g_ptr_array_index (events, i);

      if (g_strcmp0 (event->kind, "conclusion") == 0)
        {
          g_autofree char *conclusion = payload_string (event->payload, "conclusion");
          const char *status = status_of_conclusion (conclusion);

          if (status != NULL)
            {
              g_free (self->status);
              self->status = g_strdup (status);
              g_free (self->conclusion);
              self->conclusion = g_steal_pointer (&conclusion);
            }
        }
      else if (g_strcmp0 (event->kind, "status") == 0)
        {
          char *status = payload_string (event->payload, "status");

          if (status != NULL)
            {
              g_free (self->status);
              self->status = status;
            }
        }
      else if (g_strcmp0 (event->kind, "feedback") == 0)
        {
          char *outcome = payload_string (event->payload, "outcome");

          if (outcome != NULL)
            {
              g_free (self->outcome);
              self->outcome = outcome;
            }
        }
    }
  return self;
}

gint64
tm_lead_get_id (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), 0);
  return self->id;
}

const char *
tm_lead_get_uuid (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->uuid;
}

const char *
tm_lead_get_status (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->status;
}

const char *
tm_lead_get_created_by (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->created_by;
}

const char *
tm_lead_get_created_at (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->created_at;
}

const char *
tm_lead_get_conclusion (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->conclusion;
}

const char *
tm_lead_get_outcome (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->outcome;
}

GPtrArray *
tm_lead_get_members (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->members;
}

GPtrArray *
tm_lead_get_events (TmLead *self)
{
  g_return_val_if_fail (TM_IS_LEAD (self), NULL);
  return self->events;
}
