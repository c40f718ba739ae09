/* tm-case-browser.c — the sidebar tree: all acquisitions → cases → exhibits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tree is built from the acquisitions the window already loaded (one pass with two
 * hash tables: 100,000 rows take a few milliseconds), not from a second query, so the
 * sidebar and the list can never disagree. Rows are TmBrowserNode objects, a type
 * private to this file: the tree's only data, never seen outside.
 */
#define G_LOG_DOMAIN "tm-case-browser"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tm-acquisition.h"
#include "tm-case-browser.h"

/* ---- TmBrowserNode: one row of the tree ---- */

typedef enum
{
  NODE_ALL,
  NODE_CASE,
  NODE_EXHIBIT,
} NodeKind;

#define TM_TYPE_BROWSER_NODE (tm_browser_node_get_type ())
G_DECLARE_FINAL_TYPE (TmBrowserNode, tm_browser_node, TM, BROWSER_NODE, GObject)

struct _TmBrowserNode
{
  GObject     parent_instance;

  NodeKind    kind;
  char       *title;
  char       *detail;
  char       *case_uuid;
  char       *exhibit_uuid;
  char       *sort_key;
  guint       count;
  GListStore *children;   /* exhibits of a case; NULL otherwise */
  GHashTable *by_uuid;    /* exhibit uuid → node, while building */
};

G_DEFINE_FINAL_TYPE (TmBrowserNode, tm_browser_node, G_TYPE_OBJECT)

static void
tm_browser_node_finalize (GObject *object)
{
  TmBrowserNode *self = TM_BROWSER_NODE (object);

  g_free (self->title);
  g_free (self->detail);
  g_free (self->case_uuid);
  g_free (self->exhibit_uuid);
  g_free (self->sort_key);
  g_clear_object (&self->children);
  g_clear_pointer (&self->by_uuid, g_hash_table_unref);

  G_OBJECT_CLASS (tm_browser_node_parent_class)->finalize (object);
}

static void
tm_browser_node_class_init (TmBrowserNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tm_browser_node_finalize;
}

static void
tm_browser_node_init (TmBrowserNode *self)
{
}

static TmBrowserNode *
tm_browser_node_new (NodeKind    kind,
                     const char *title,
                     const char *case_uuid,
                     const char *exhibit_uuid)
{
  TmBrowserNode *self = g_object_new (TM_TYPE_BROWSER_NODE, NULL);

  self->kind = kind;
  self->title = g_strdup (title);
  self->case_uuid = g_strdup (case_uuid);
  self->exhibit_uuid = g_strdup (exhibit_uuid);
  /* Natural order: "Item 2" before "Item 10", as people number exhibits. */
  self->sort_key = g_utf8_collate_key_for_filename (title != NULL ? title : "", -1);
  return self;
}

static int
node_compare (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  /* g_ptr_array_sort_with_data() passes pointers to the elements. */
  const TmBrowserNode *na = *(TmBrowserNode * const *) a;
  const TmBrowserNode *nb = *(TmBrowserNode * const *) b;

  return strcmp (na->sort_key, nb->sort_key);
}

/* ---- TmCaseBrowser ---- */

struct _TmCaseBrowser
{
  GtkWidget           parent_instance;

  GtkWidget          *scroller;
  GtkListView        *list_view;
  GListStore         *roots;
  GtkTreeListModel   *tree;
  GtkSingleSelection *selection;

  char               *case_uuid;
  char               *exhibit_uuid;
  guint               n_cases;
  guint               rebuilding : 1;
};

enum {
  SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TmCaseBrowser, tm_case_browser, GTK_TYPE_WIDGET)

static GListModel *
create_children_cb (gpointer item,
                    gpointer user_data)
{
  TmBrowserNode *node = item;

  if (node->children == NULL)
    return NULL;
  return g_object_ref (G_LIST_MODEL (node->children));
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_widget_set_margin_end (box, 6);

  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), detail);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), count);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  TmBrowserNode *node = gtk_tree_list_row_get_item (row);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *text = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (text);
  GtkWidget *detail = gtk_widget_get_next_sibling (title);
  GtkWidget *count = gtk_widget_get_next_sibling (text);
  g_autofree char *count_text = g_strdup_printf ("%u", node->count);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_label (GTK_LABEL (title), node->title);
  gtk_label_set_label (GTK_LABEL (detail), node->detail);
  gtk_widget_set_visible (detail, node->detail != NULL);
  gtk_label_set_label (GTK_LABEL (count), count_text);
  if (node->kind == NODE_ALL)
    gtk_widget_add_css_class (title, "heading");
  else
    gtk_widget_remove_css_class (title, "heading");
  g_object_unref (node);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *expander = gtk_list_item_get_child (list_item);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

static void
tm_case_browser_set_selected (TmCaseBrowser *self,
                              const char    *case_uuid,
                              const char    *exhibit_uuid)
{
  if (g_strcmp0 (self->case_uuid, case_uuid) == 0 &&
      g_strcmp0 (self->exhibit_uuid, exhibit_uuid) == 0)
    return;

  g_free (self->case_uuid);
  self->case_uuid = g_strdup (case_uuid);
  g_free (self->exhibit_uuid);
  self->exhibit_uuid = g_strdup (exhibit_uuid);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
selection_changed_cb (TmCaseBrowser      *self,
                      GParamSpec         *pspec,
                      GtkSingleSelection *selection)
{
  GtkTreeListRow *row;
  TmBrowserNode *node;

  /* While the tree is replaced the selection passes through other rows; the
   * rebuild restores the one that was selected. */
  if (self->rebuilding)
    return;

  row = gtk_single_selection_get_selected_item (selection);
  if (row == NULL)
    {
      tm_case_browser_set_selected (self, NULL, NULL);
      return;
    }
  node = gtk_tree_list_row_get_item (row);
  tm_case_browser_set_selected (self, node->case_uuid, node->exhibit_uuid);
  g_object_unref (node);
}

static void
tm_case_browser_dispose (GObject *object)
{
  TmCaseBrowser *self = TM_CASE_BROWSER (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->roots);

  G_OBJECT_CLASS (tm_case_browser_parent_class)->dispose (object);
}

static void
tm_case_browser_finalize (GObject *object)
{
  TmCaseBrowser *self = TM_CASE_BROWSER (object);

  g_free (self->case_uuid);
  g_free (self->exhibit_uuid);

  G_OBJECT_CLASS (tm_case_browser_parent_class)->finalize (object);
}

static void
tm_case_browser_class_init (TmCaseBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tm_case_browser_dispose;
  object_class->finalize = tm_case_browser_finalize;

  /**
   * TmCaseBrowser::selection-changed:
   *
   * The selected case or exhibit changed; read it with the getters.
   */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tmcasebrowser");
}

static void
tm_case_browser_init (TmCaseBrowser *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(TmBrowserNode) all = tm_browser_node_new (NODE_ALL, _("All Acquisitions"), NULL, NULL);

  self->roots = g_list_store_new (TM_TYPE_BROWSER_NODE);
  g_list_store_append (self->roots, all);
  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->roots)), FALSE, FALSE,
                                        create_children_cb, NULL, NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);

  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (g_object_ref (self->selection)),
                                                      factory));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cases"), -1);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->list_view));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
tm_case_browser_new (void)
{
  return g_object_new (TM_TYPE_CASE_BROWSER, NULL);
}

void
tm_case_browser_set_acquisitions (TmCaseBrowser *self,
                                  GListModel    *acquisitions)
{
  g_autoptr(GHashTable) cases = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(TmBrowserNode) all = NULL;
  g_autofree char *keep_case = NULL;
  g_autofree char *keep_exhibit = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n;

  g_return_if_fail (TM_IS_CASE_BROWSER (self));
  g_return_if_fail (G_IS_LIST_MODEL (acquisitions));

  cases = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  n = g_list_model_get_n_items (acquisitions);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TmAcquisition) acquisition = g_list_model_get_item (acquisitions, i);
      const char *case_uuid = tm_acquisition_get_case_uuid (acquisition);
      const char *exhibit_uuid = tm_acquisition_get_exhibit_uuid (acquisition);
      TmBrowserNode *case_node;
      TmBrowserNode *exhibit_node;

      if (case_uuid == NULL || exhibit_uuid == NULL)
        continue;

      case_node = g_hash_table_lookup (cases, case_uuid);
      if (case_node == NULL)
        {
          case_node = tm_browser_node_new (NODE_CASE, tm_acquisition_get_case_number (acquisition),
                                           case_uuid, NULL);
          case_node->detail = g_strdup (tm_acquisition_get_agency (acquisition));
          case_node->by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
          g_hash_table_insert (cases, case_node->case_uuid, case_node);
        }
      case_node->count++;

      exhibit_node = g_hash_table_lookup (case_node->by_uuid, exhibit_uuid);
      if (exhibit_node == NULL)
        {
          const char *kind = tm_acquisition_get_kind (acquisition);

          /* Translators: an exhibit row in the sidebar; %s is its item number */
          g_autofree char *title = g_strdup_printf (_("Item %s"), tm_acquisition_get_exhibit (acquisition));

          exhibit_node = tm_browser_node_new (NODE_EXHIBIT, title, case_uuid, exhibit_uuid);
          exhibit_node->detail = g_strdup (g_strcmp0 (kind, "test-fire") == 0 ? _("Test fire") : _("Crime scene"));
          g_hash_table_insert (case_node->by_uuid, exhibit_node->exhibit_uuid, exhibit_node);
        }
      exhibit_node->count++;
    }

  sorted = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, cases);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TmBrowserNode *case_node = value;
      g_autoptr(GPtrArray) exhibits = g_ptr_array_new_with_free_func (g_object_unref);
      GHashTableIter exhibit_iter;
      gpointer exhibit;

      g_hash_table_iter_init (&exhibit_iter, case_node->by_uuid);
      while (g_hash_table_iter_next (&exhibit_iter, NULL, &exhibit))
        g_ptr_array_add (exhibits, g_object_ref (exhibit));
      g_ptr_array_sort_with_data (exhibits, (GCompareDataFunc) node_compare, NULL);
      case_node->children = g_list_store_new (TM_TYPE_BROWSER_NODE);
      g_list_store_splice (case_node->children, 0, 0, exhibits->pdata, exhibits->len);
      g_clear_pointer (&case_node->by_uuid, g_hash_table_unref);
      g_ptr_array_add (sorted, g_object_ref (case_node));
    }
  g_ptr_array_sort_with_data (sorted, (GCompareDataFunc) node_compare, NULL);
  self->n_cases = sorted->len;

  all = tm_browser_node_new (NODE_ALL, _("All Acquisitions"), NULL, NULL);
  all->count = n;
  g_ptr_array_insert (sorted, 0, g_object_ref (all));

  keep_case = g_strdup (self->case_uuid);
  keep_exhibit = g_strdup (self->exhibit_uuid);
  self->rebuilding = TRUE;
  g_list_store_splice (self->roots, 0, g_list_model_get_n_items (G_LIST_MODEL (self->roots)),
                       sorted->pdata, sorted->len);
  self->rebuilding = FALSE;
  if (!tm_case_browser_select (self, keep_case, keep_exhibit))
    tm_case_browser_select (self, NULL, NULL);
}

const char *
tm_case_browser_get_case_uuid (TmCaseBrowser *self)
{
  g_return_val_if_fail (TM_IS_CASE_BROWSER (self), NULL);

  return self->case_uuid;
}

const char *
tm_case_browser_get_exhibit_uuid (TmCaseBrowser *self)
{
  g_return_val_if_fail (TM_IS_CASE_BROWSER (self), NULL);

  return self->exhibit_uuid;
}

guint
tm_case_browser_get_n_cases (TmCaseBrowser *self)
{
  g_return_val_if_fail (TM_IS_CASE_BROWSER (self), 0);

  return self->n_cases;
}

gboolean
tm_case_browser_select (TmCaseBrowser *self,
                        const char    *case_uuid,
                        const char    *exhibit_uuid)
{
  GListModel *rows;

  g_return_val_if_fail (TM_IS_CASE_BROWSER (self), FALSE);

  rows = G_LIST_MODEL (self->tree);
  /* Positions shift as cases expand, so walk the flattened rows rather than index the
   * roots; a case is expanded only to reach one of its exhibits. */
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(TmBrowserNode) node = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (node->case_uuid, case_uuid) != 0)
        continue;
      if (exhibit_uuid != NULL && node->kind == NODE_CASE)
        {
          gtk_tree_list_row_set_expanded (row, TRUE);
          continue;
        }
      if (g_strcmp0 (node->exhibit_uuid, exhibit_uuid) != 0)
        continue;

      gtk_single_selection_set_selected (self->selection, i);
      /* set_selected does not notify when the position did not change, though the
       * row there may be another after a rebuild. */
      tm_case_browser_set_selected (self, case_uuid, exhibit_uuid);
      return TRUE;
    }
  return FALSE;
}
