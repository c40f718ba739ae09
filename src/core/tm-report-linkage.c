/* tm-report-linkage.c — the case linkage chart: cases linked by leads and hits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nodes are cases, edges the connections between them: a hit (an examiner confirmed
 * it) solid, an open lead dashed, an eliminated lead dash-dotted, a link investigators
 * already knew of dotted — line styles, so the chart reads in grey. The cases reachable
 * from the one asked for are laid out on a circle in a fixed order (the case asked for
 * on top, then by incident date and number), so the same data always gives the same
 * drawing.
 */
#define G_LOG_DOMAIN "tm-report"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tm-report-private.h"

/* More cases than this would not be legible on one page. */
#define MAX_CASES 24
#define NODE_W 104.0
#define NODE_H 40.0

typedef enum
{
  EDGE_KNOWN,
  EDGE_ELIMINATED,
  EDGE_LEAD,
  EDGE_HIT,
} EdgeKind;

typedef struct
{
  gint64  id;
  char   *label;       /* agency and number */
  char   *date;        /* ISO */
  char   *offense;
  char   *location;
  double  x, y;
} Node;

typedef struct
{
  guint     a, b;      /* node indices */
  EdgeKind  kind;
  GString  *label;
} Edge;

typedef struct
{
  GArray  *nodes;      /* Node */
  GArray  *edges;      /* Edge */
} Graph;

static void
node_clear (gpointer data)
{
  Node *n = data;

  g_free (n->label);
  g_free (n->date);
  g_free (n->offense);
  g_free (n->location);
}

static void
edge_clear (gpointer data)
{
  g_string_free (((Edge *) data)->label, TRUE);
}

static void
graph_free (gpointer data)
{
  Graph *graph = data;

  g_array_unref (graph->nodes);
  g_array_unref (graph->edges);
  g_free (graph);
}

static gint64
find_case (TmStore    *store,
           const char *ref,
           GError    **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store,
    "SELECT id FROM cases WHERE uuid = ?1 OR '#' || id = ?1 OR case_number = ?1"
    "    OR agency || '/' || case_number = ?1", error);
  gint64 id = 0;
  int n = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, ref, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      n++;
    }
  if (n == 1)
    return id;
  if (n == 0)
    g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
                 _("No case “%s” in %s: give a case number, AGENCY/NUMBER or the case's UUID"),
                 ref, tm_store_get_path (store));
  else
    g_set_error (error, TM_REPORT_ERROR, TM_REPORT_ERROR_NOT_FOUND,
                 _("Case number “%s” is used by %d agencies in %s: write it as AGENCY/NUMBER"),
                 ref, n, tm_store_get_path (store));
  return 0;
}

/* Case → case connections: (case, case, lead id or 0, kind). */
static const char *connections_sql =
  "SELECT DISTINCT ea.case_id, eb.case_id, ma.lead_id,"
  "       EXISTS (SELECT 1 FROM hits h WHERE h.lead_id = ma.lead_id),"
  "       (SELECT json_extract (e.payload, '$.conclusion') FROM lead_events e"
  "         WHERE e.lead_id = ma.lead_id AND e.kind = 'conclusion'"
  "         ORDER BY e.at DESC, e.id DESC LIMIT 1)"
  "  FROM lead_members ma JOIN lead_members mb ON mb.lead_id = ma.lead_id"
  "  JOIN acquisitions aa ON aa.id = ma.acquisition_id JOIN exhibits ea ON ea.id = aa.exhibit_id"
  "  JOIN acquisitions ab ON ab.id = mb.acquisition_id JOIN exhibits eb ON eb.id = ab.exhibit_id"
  " WHERE ea.case_id < eb.case_id"
  " UNION ALL "
  "SELECT case_a, case_b, 0, 0, NULL FROM case_links WHERE source = 'investigator'";

static guint
node_index (Graph  *graph,
            gint64  case_id)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    if (g_array_index (graph->nodes, Node, i).id == case_id)
      return i;
  return G_MAXUINT;
}

static void
add_edge (Graph      *graph,
          guint       a,
          guint       b,
          EdgeKind    kind,
          const char *label)
{
  Edge edge;

  for (guint i = 0; i < graph->edges->len; i++)
    {
      Edge *e = &g_array_index (graph->edges, Edge, i);

      if ((e->a == a && e->b == b) || (e->a == b && e->b == a))
        {
          e->kind = MAX (e->kind, kind);
          g_string_append_printf (e->label, ", %s", label);
          return;
        }
    }
  edge.a = a;
  edge.b = b;
  edge.kind = kind;
  edge.label = g_string_new (label);
  g_array_append_val (graph->edges, edge);
}

static int
node_compare (gconstpointer pa,
              gconstpointer pb)
{
  const Node *a = pa, *b = pb;
  int c = g_strcmp0 (a->date, b->date);

  return c != 0 ? c : g_strcmp0 (a->label, b->label);
}

static Graph *
build_graph (TmStore *store,
             gint64   root,
             guint   *out_truncated,
             GError **error)
{
  g_autoptr(TmStmt) stmt = tm_store_prepare (store, connections_sql, error);
  g_autoptr(TmStmt) info = NULL;
  g_autoptr(GArray) links = g_array_new (FALSE, FALSE, sizeof (gint64) * 5);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (gint64));
  Graph *graph;
  int rc;
  guint truncated = 0;

  if (stmt == NULL)
    return NULL;
  /* (a, b, lead, has_hit, eliminated) */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 row[5];
      const char *conclusion = tm_stmt_column_text (stmt, 4);

      for (int i = 0; i < 4; i++)
        row[i] = sqlite3_column_int64 (stmt, i);
      row[4] = g_strcmp0 (conclusion, "elimination") == 0;
      g_array_append_vals (links, row, 1);
    }
  if (rc != SQLITE_DONE)
    {
      tm_store_set_sql_error (store, error, rc, _("cannot read the case links"));
      return NULL;
    }

  /* Breadth first from the root, so the nearest cases are kept when there are many. */
  g_array_append_val (order, root);
  for (guint i = 0; i < order->len; i++)
    {
      gint64 current = g_array_index (order, gint64, i);

      for (guint j = 0; j < links->len; j++)
        {
          gint64 *row = (gint64 *) (links->data + j * sizeof (gint64) * 5);
          gint64 other = row[0] == current ? row[1] : row[1] == current ? row[0] : 0;
          gboolean known = FALSE;

          for (guint k = 0; k < order->len && !known; k++)
            known = g_array_index (order, gint64, k) == other;
          if (other == 0 || known)
            continue;
          if (order->len >= MAX_CASES)
            {
              truncated++;
              continue;
            }
          g_array_append_val (order, other);
        }
    }

  graph = g_new0 (Graph, 1);
  graph->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  graph->edges = g_array_new (FALSE, TRUE, sizeof (Edge));
  g_array_set_clear_func (graph->nodes, node_clear);
  g_array_set_clear_func (graph->edges, edge_clear);

  info = tm_store_prepare (store,
    "SELECT agency, case_number, incident_date, offense, location FROM cases WHERE id = ?", error);
  if (info == NULL)
    {
      graph_free (graph);
      return NULL;
    }
  for (guint i = 0; i < order->len; i++)
    {
      Node node = { 0 };
      const char *agency;

      sqlite3_reset (info);
      sqlite3_bind_int64 (info, 1, g_array_index (order, gint64, i));
      if (sqlite3_step (info) != SQLITE_ROW)
        continue;
      node.id = g_array_index (order, gint64, i);
      agency = tm_stmt_column_text (info, 0);
      node.label = agency && *agency ? g_strdup_printf ("%s %s", agency, tm_stmt_column_text (info, 1))
                                     : g_strdup (tm_stmt_column_text (info, 1));
      node.date = g_strdup (tm_stmt_column_text (info, 2));
      node.offense = g_strdup (tm_stmt_column_text (info, 3));
      node.location = g_strdup (tm_stmt_column_text (info, 4));
      g_array_append_val (graph->nodes, node);
    }
  /* Root first, the others by date then number: a fixed order gives a fixed drawing. */
  if (graph->nodes->len > 2)
    g_array_sort (graph->nodes, node_compare);
  for (guint i = 0; i < graph->nodes->len; i++)
    if (g_array_index (graph->nodes, Node, i).id == root && i > 0)
      {
        Node tmp = g_array_index (graph->nodes, Node, i);

        memmove (&g_array_index (graph->nodes, Node, 1), &g_array_index (graph->nodes, Node, 0),
                 i * sizeof (Node));
        g_array_index (graph->nodes, Node, 0) = tmp;
        break;
      }

  for (guint j = 0; j < links->len; j++)
    {
      gint64 *row = (gint64 *) (links->data + j * sizeof (gint64) * 5);
      guint a = node_index (graph, row[0]), b = node_index (graph, row[1]);
      g_autofree char *label = NULL;
      EdgeKind kind;

      if (a == G_MAXUINT || b == G_MAXUINT)
        continue;
      if (row[2] == 0)
        {
          kind = EDGE_KNOWN;
          label = g_strdup (_("known"));
        }
      else if (row[3])
        {
          kind = EDGE_HIT;
          label = g_strdup_printf (_("hit (lead %" PRId64 ")"), row[2]);
        }
      else if (row[4])
        {
          kind = EDGE_ELIMINATED;
          label = g_strdup_printf (_("lead %" PRId64 " eliminated"), row[2]);
        }
      else
        {
          kind = EDGE_LEAD;
          label = g_strdup_printf (_("lead %" PRId64), row[2]);
        }
      add_edge (graph, a, b, kind, label);
    }
  *out_truncated = truncated;
  return graph;
}

static void
set_edge_style (cairo_t  *cr,
                EdgeKind  kind)
{
  static const double dashed[] = { 6, 3 };
  static const double dotted[] = { 1, 2.5 };
  static const double dash_dot[] = { 6, 2, 1, 2 };

  cairo_set_line_cap (cr, kind == EDGE_KNOWN ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
  switch (kind)
    {
    case EDGE_HIT:
      cairo_set_dash (cr, NULL, 0, 0);
      cairo_set_line_width (cr, 2.2);
      break;
    case EDGE_LEAD:
      cairo_set_dash (cr, dashed, 2, 0);
      cairo_set_line_width (cr, 1.4);
      break;
    case EDGE_ELIMINATED:
      cairo_set_dash (cr, dash_dot, 4, 0);
      cairo_set_line_width (cr, 0.8);
      break;
    case EDGE_KNOWN:
    default:
      cairo_set_dash (cr, dotted, 2, 0);
      cairo_set_line_width (cr, 1.4);
      break;
    }
}

static void
graph_draw (gpointer data,
            cairo_t *cr,
            double   width,
            double   height)
{
  Graph *graph = data;
  const char *small = tm_report_style_font (TM_REPORT_STYLE_SMALL);
  guint n = graph->nodes->len;
  double legend_h = 28;
  double cx = width / 2, cy = (height - legend_h) / 2;
  double radius = MIN (width / 2 - NODE_W / 2 - 4, (height - legend_h) / 2 - NODE_H / 2 - 4);
  const char *legend[] = { N_("hit: confirmed by an examiner"), N_("lead: unconfirmed"),
                           N_("eliminated lead"), N_("connection already known") };
  const EdgeKind legend_kind[] = { EDGE_HIT, EDGE_LEAD, EDGE_ELIMINATED, EDGE_KNOWN };

  for (guint i = 0; i < n; i++)
    {
      Node *node = &g_array_index (graph->nodes, Node, i);
      double t = -G_PI / 2 + 2 * G_PI * i / MAX (n, 1);

      node->x = n == 1 ? cx : cx + radius * cos (t);
      node->y = n == 1 ? cy : cy + radius * sin (t);
    }

  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint i = 0; i < graph->edges->len; i++)
    {
      Edge *edge = &g_array_index (graph->edges, Edge, i);
      Node *a = &g_array_index (graph->nodes, Node, edge->a);
      Node *b = &g_array_index (graph->nodes, Node, edge->b);
      g_autofree char *label = g_markup_escape_text (edge->label->str, -1);
      g_autoptr(PangoLayout) layout = tm_report_text_layout (cr, label, small, -1, PANGO_ALIGN_CENTER);
      int lw, lh;
      double mx = (a->x + b->x) / 2, my = (a->y + b->y) / 2;

      cairo_save (cr);
      set_edge_style (cr, edge->kind);
      cairo_move_to (cr, a->x, a->y);
      cairo_line_to (cr, b->x, b->y);
      cairo_stroke (cr);
      cairo_restore (cr);

      /* The label on a white patch at the middle of its edge. */
      pango_layout_get_size (layout, &lw, &lh);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_rectangle (cr, mx - lw / 2.0 / PANGO_SCALE - 2, my - lh / 2.0 / PANGO_SCALE - 1,
                       (double) lw / PANGO_SCALE + 4, (double) lh / PANGO_SCALE + 2);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_move_to (cr, mx - lw / 2.0 / PANGO_SCALE, my - lh / 2.0 / PANGO_SCALE);
      pango_cairo_show_layout (cr, layout);
    }

  for (guint i = 0; i < n; i++)
    {
      Node *node = &g_array_index (graph->nodes, Node, i);
      g_autofree char *date = tm_report_format_date (node->date);
      g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>\n%s\n%s", node->label, date,
                                                         node->offense ? node->offense : "");
      double x = node->x - NODE_W / 2, y = node->y - NODE_H / 2;

      cairo_set_source_rgb (cr, i == 0 ? 0.85 : 1, i == 0 ? 0.85 : 1, i == 0 ? 0.85 : 1);
      cairo_rectangle (cr, x, y, NODE_W, NODE_H);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      cairo_set_line_width (cr, i == 0 ? 2.0 : 0.8);
      cairo_stroke (cr);
      tm_report_draw_text (cr, x + 3, y + 2, NODE_W - 6, small, markup, PANGO_ALIGN_CENTER);
    }

  for (guint i = 0; i < G_N_ELEMENTS (legend); i++)
    {
      double lx = (width / 4) * i, ly = height - legend_h + 8;

      cairo_save (cr);
      cairo_set_source_rgb (cr, 0, 0, 0);
      set_edge_style (cr, legend_kind[i]);
      cairo_move_to (cr, lx, ly + 5);
      cairo_line_to (cr, lx + 26, ly + 5);
      cairo_stroke (cr);
      cairo_restore (cr);
      tm_report_draw_text (cr, lx + 30, ly, width / 4 - 32, small, _(legend[i]), PANGO_ALIGN_LEFT);
    }
}

TmReport *
tm_report_new_linkage (TmStore               *store,
                       const char            *case_ref,
                       const TmReportOptions *options,
                       GError               **error)
{
  g_autoptr(TmReportDoc) doc = NULL;
  g_autofree char *title = NULL;
  Graph *graph;
  gint64 case_id;
  guint truncated = 0;
  const double widths[] = { 0.2, 0.15, 0.3, 0.35 };
  const char *header[] = { _("Case"), _("Incident date"), _("Offense"), _("Location") };
  const double link_widths[] = { 0.25, 0.25, 0.5 };
  const char *link_header[] = { _("Case"), _("Case"), _("Connection") };
  TmReportTable *table;
  double width;

  g_return_val_if_fail (TM_IS_STORE (store), NULL);
  g_return_val_if_fail (case_ref != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  case_id = find_case (store, case_ref, error);
  if (case_id == 0)
    return NULL;
  graph = build_graph (store, case_id, &truncated, error);
  if (graph == NULL)
    return NULL;

  doc = tm_report_doc_new ();
  width = tm_report_doc_get_content_width (doc);
  title = g_strdup_printf (_("Case linkage chart — %s"),
                           g_array_index (graph->nodes, Node, 0).label);
  tm_report_doc_add_text (doc, TM_REPORT_STYLE_TITLE, title);
  tm_report_doc_add_textf (doc, TM_REPORT_STYLE_BODY,
                           _("%u cases are connected to %s by leads, hits or known links; "
                             "%u connections. The case asked for is shaded, on top."),
                           graph->nodes->len, g_array_index (graph->nodes, Node, 0).label,
                           graph->edges->len);
  if (truncated > 0)
    tm_report_doc_add_textf (doc, TM_REPORT_STYLE_NOTICE,
                             _("Only the %d nearest cases are drawn; %u more connections lead "
                               "further."), MAX_CASES, truncated);
  if (graph->edges->len == 0)
    tm_report_doc_add_text (doc, TM_REPORT_STYLE_BODY,
                            _("No lead, hit or known link connects this case to another one yet."));

  /* Copy what the tables need before the graph is handed to its block. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
    g_autoptr(GPtrArray) link_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

    for (guint i = 0; i < graph->nodes->len; i++)
      {
        Node *node = &g_array_index (graph->nodes, Node, i);
        char **row = g_new0 (char *, 5);

        row[0] = g_strdup (node->label);
        row[1] = tm_report_format_date (node->date);
        row[2] = g_strdup (node->offense ? node->offense : "—");
        row[3] = g_strdup (node->location ? node->location : "—");
        g_ptr_array_add (rows, row);
      }
    for (guint i = 0; i < graph->edges->len; i++)
      {
        Edge *edge = &g_array_index (graph->edges, Edge, i);
        char **row = g_new0 (char *, 4);

        row[0] = g_strdup (g_array_index (graph->nodes, Node, edge->a).label);
        row[1] = g_strdup (g_array_index (graph->nodes, Node, edge->b).label);
        row[2] = g_strdup (edge->label->str);
        g_ptr_array_add (link_rows, row);
      }

    /* A few cases need less height than a full circle of many. */
    tm_report_doc_add_custom (doc, MIN (width * (graph->nodes->len <= 4 ? 0.75 : 1.05),
                                        tm_report_doc_get_content_height (doc) - 80),
                              graph_draw, graph, graph_free);
    tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Cases"));
    table = tm_report_doc_begin_table (doc, 4, widths, header);
    for (guint i = 0; i < rows->len; i++)
      tm_report_table_add_row (table, g_ptr_array_index (rows, i));
    tm_report_doc_add_text (doc, TM_REPORT_STYLE_HEADING, _("Connections"));
    table = tm_report_doc_begin_table (doc, 3, link_widths, link_header);
    for (guint i = 0; i < link_rows->len; i++)
      tm_report_table_add_row (table, g_ptr_array_index (link_rows, i));
    if (link_rows->len == 0)
      tm_report_table_add_rowv (table, "—", "—", _("none"), NULL);
  }
  return tm_report_new_from_doc (store, options, title, g_steal_pointer (&doc));
}
