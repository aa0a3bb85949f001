/* libyaml document access with positioned errors; see yaml_reader.h. */
#include "layout/yaml_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
#include "util/i18n.h"
#include "util/input_file.h"

enum {
    MAX_NESTING = 64,
    MAX_FILE_BYTES = 4 * 1024 * 1024,
    MAX_ANCHORS = 1000,
    MAX_ALIASES = 10000,
    MAX_EXPANDED = 4 * MAX_FILE_BYTES /* the document with every alias copied out */
};

/* Flow collections ([ ] { }) nested deeper than MAX_NESTING, outside quotes and comments. */
static gk_status check_nesting(const char *path, const char *text, size_t len, gk_diag *diag)
{
    int depth = 0, line = 1, column = 1;
    char quote = 0;
    bool comment = false;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == '\n') {
            line++;
            column = 1;
            comment = false;
            continue;
        }
        if (((unsigned char)ch & 0xC0) != 0x80)
            column++;
        if (comment)
            continue;
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
            comment = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > MAX_NESTING)
                return gk_diag_set(diag, GK_ERR_LAYOUT, path, line, column - 1,
                                   "nested deeper than %d levels", MAX_NESTING);
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return GK_OK;
}

/* ---- loading, with aliases bounded ---------------------------------------------------- */

/* libyaml's document shares an aliased node, but the loaders walk (and copy) it once for each
 * alias, and an alias may even point into the node that holds it. So while the document is
 * built from the parser's events (what yaml_parser_load does, in the same single pass), it is
 * sized as the loaders see it: a scalar counts its bytes and one, a collection one plus its
 * contents, an alias what its anchor's node counts. Aliases resolve by a search through all
 * anchors, which the anchor and alias limits keep cheap; the depth limit bounds block nesting,
 * which check_nesting (flow collections only) does not see. */

typedef struct anchor_node {
    char *name;
    int node;    /* the anchored node's index in the document */
    size_t size;
    bool open;   /* its collection has not ended yet: an alias to it would be a cycle */
} anchor_node;

typedef struct open_node {
    int node;    /* the collection's index in the document */
    size_t size;
    int anchor;  /* index in anchors, or -1 */
    int key;     /* a mapping's key read, its value not yet; or 0 */
} open_node;

typedef struct loader {
    const char *path;
    gk_diag *diag;
    yaml_document_t *doc;
    anchor_node *anchors; /* MAX_ANCHORS of them */
    int anchor_count;
    int alias_count;
    size_t expanded; /* the whole document so far, every alias copied out */
    open_node stack[MAX_NESTING];
    int depth;
    bool has_root;
} loader;

static int event_line(const yaml_event_t *event)
{
    return (int)event->start_mark.line + 1;
}

static int event_column(const yaml_event_t *event)
{
    return (int)event->start_mark.column + 1;
}

static gk_status out_of_memory(const loader *ld)
{
    return gk_diag_set(ld->diag, GK_ERR_NOMEM, ld->path, 0, 0, "out of memory");
}

/* Adds a node of `size` to the document's expanded size and to the collection it is in. */
static gk_status add_size(loader *ld, size_t size, const yaml_event_t *at)
{
    ld->expanded += size;
    if (ld->depth > 0)
        ld->stack[ld->depth - 1].size += size;
    if (ld->expanded > MAX_EXPANDED)
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, event_line(at), event_column(at),
                           /* TRANSLATORS: YAML aliases (*name) repeat the node of an anchor
                              (&name); %d is a number of bytes. */
                           "expected a document of at most %d bytes with its aliases expanded, "
                           "found more", MAX_EXPANDED);
    return GK_OK;
}

/* Puts node into the collection being read (or makes it the root). */
static gk_status attach(loader *ld, int node)
{
    if (ld->depth == 0) {
        ld->has_root = true;
        return GK_OK;
    }
    open_node *parent = &ld->stack[ld->depth - 1];
    if (yaml_document_get_node(ld->doc, parent->node)->type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(ld->doc, parent->node, node)
                   ? GK_OK
                   : out_of_memory(ld);
    if (parent->key == 0) { /* a mapping's nodes come as key, value, key, value… */
        parent->key = node;
        return GK_OK;
    }
    int key = parent->key;
    parent->key = 0;
    return yaml_document_append_mapping_pair(ld->doc, parent->node, key, node)
               ? GK_OK
               : out_of_memory(ld);
}

/* Records an anchor (&name) of node as *index; its size is known at once for a scalar, at its
 * end for a collection. No anchor (NULL) is index -1. */
static gk_status add_anchor(loader *ld, const yaml_char_t *name, int node, size_t size,
                            bool open, const yaml_event_t *at, int *index)
{
    *index = -1;
    if (name == NULL)
        return GK_OK;
    if (ld->anchor_count == MAX_ANCHORS)
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, event_line(at), event_column(at),
                           /* TRANSLATORS: YAML anchors are the &name marks of nodes. */
                           "expected at most %d anchors, found more", MAX_ANCHORS);
    for (int a = 0; a < ld->anchor_count; a++)
        if (strcmp(ld->anchors[a].name, (const char *)name) == 0)
            /* libyaml's own words, as its loader reports it */
            return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, event_line(at),
                               event_column(at), "YAML syntax: %s %s", "second occurrence",
                               "found duplicate anchor; first occurrence");
    anchor_node *anchor = &ld->anchors[ld->anchor_count];
    anchor->name = strdup((const char *)name);
    if (anchor->name == NULL)
        return out_of_memory(ld);
    *anchor = (anchor_node){anchor->name, node, size, open};
    *index = ld->anchor_count++;
    return GK_OK;
}

/* The tag a node is given when it has none, as yaml_parser_load gives it. */
static yaml_char_t *tag_or(yaml_char_t *tag, const char *fallback)
{
    return tag == NULL || strcmp((const char *)tag, "!") == 0 ? (yaml_char_t *)fallback : tag;
}

static void set_marks(loader *ld, int node, const yaml_event_t *event)
{
    yaml_node_t *n = yaml_document_get_node(ld->doc, node);
    n->start_mark = event->start_mark;
    n->end_mark = event->end_mark;
}

static gk_status add_scalar(loader *ld, const yaml_event_t *event)
{
    size_t size = event->data.scalar.length + 1;
    int node = yaml_document_add_scalar(
        ld->doc, tag_or(event->data.scalar.tag, YAML_DEFAULT_SCALAR_TAG),
        event->data.scalar.value, (int)event->data.scalar.length, event->data.scalar.style);
    if (node == 0)
        return out_of_memory(ld);
    set_marks(ld, node, event);
    int index;
    gk_status status = add_anchor(ld, event->data.scalar.anchor, node, size, false, event, &index);
    if (status == GK_OK)
        status = add_size(ld, size, event);
    return status == GK_OK ? attach(ld, node) : status;
}

static gk_status open_collection(loader *ld, const yaml_event_t *event)
{
    if (ld->depth == MAX_NESTING)
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, event_line(event),
                           event_column(event), "nested deeper than %d levels", MAX_NESTING);
    bool sequence = event->type == YAML_SEQUENCE_START_EVENT;
    const yaml_char_t *anchor = sequence ? event->data.sequence_start.anchor
                                         : event->data.mapping_start.anchor;
    int node = sequence ? yaml_document_add_sequence(
                              ld->doc, tag_or(event->data.sequence_start.tag,
                                              YAML_DEFAULT_SEQUENCE_TAG),
                              event->data.sequence_start.style)
                        : yaml_document_add_mapping(
                              ld->doc, tag_or(event->data.mapping_start.tag,
                                              YAML_DEFAULT_MAPPING_TAG),
                              event->data.mapping_start.style);
    if (node == 0)
        return out_of_memory(ld);
    set_marks(ld, node, event);
    int index;
    gk_status status = add_size(ld, 1, event);
    if (status == GK_OK)
        status = attach(ld, node);
    if (status == GK_OK)
        status = add_anchor(ld, anchor, node, 0, true, event, &index);
    if (status == GK_OK)
        ld->stack[ld->depth++] = (open_node){node, 1, index, 0};
    return status;
}

static void close_collection(loader *ld, const yaml_event_t *event)
{
    if (ld->depth == 0)
        return;
    open_node open = ld->stack[--ld->depth];
    yaml_document_get_node(ld->doc, open.node)->end_mark = event->end_mark;
    if (open.anchor >= 0) {
        ld->anchors[open.anchor].size = open.size;
        ld->anchors[open.anchor].open = false;
    }
    if (ld->depth > 0) /* already in ld->expanded, counted as it came */
        ld->stack[ld->depth - 1].size += open.size;
}

static gk_status add_alias(loader *ld, const yaml_event_t *event)
{
    const char *name = (const char *)event->data.alias.anchor;
    int line = event_line(event), column = event_column(event);
    if (++ld->alias_count > MAX_ALIASES)
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, line, column,
                           /* TRANSLATORS: YAML aliases are the *name references to anchors. */
                           "expected at most %d aliases, found more", MAX_ALIASES);
    int a = ld->anchor_count - 1;
    while (a >= 0 && strcmp(ld->anchors[a].name, name) != 0)
        a--;
    if (a < 0) /* libyaml's own words, as its loader reports it */
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, line, column, "YAML syntax: %s",
                           "found undefined alias");
    if (ld->anchors[a].open)
        return gk_diag_set(ld->diag, GK_ERR_LAYOUT, ld->path, line, column,
                           /* TRANSLATORS: %s is the name of a YAML anchor (&name). */
                           "expected an alias to a node outside it, found *%s inside the node "
                           "&%s", name, name);
    gk_status status = add_size(ld, ld->anchors[a].size, event);
    return status == GK_OK ? attach(ld, ld->anchors[a].node) : status;
}

static gk_status load_event(loader *ld, const yaml_event_t *event)
{
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        return add_scalar(ld, event);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return open_collection(ld, event);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        close_collection(ld, event);
        return GK_OK;
    case YAML_ALIAS_EVENT:
        return add_alias(ld, event);
    default:
        return GK_OK;
    }
}

static gk_status syntax_error(const yaml_parser_t *parser, const char *path, gk_diag *diag)
{
    int line = (int)parser->problem_mark.line + 1, column = (int)parser->problem_mark.column + 1;
    const char *problem = parser->problem ? parser->problem : _("malformed document");
    if (parser->context)
        /* TRANSLATORS: the first %s is libyaml's problem ("mapping values are not allowed
           in this context"), the second where it happened ("while scanning a simple key");
           both are libyaml's English text. */
        return gk_diag_set(diag, GK_ERR_LAYOUT, path, line, column, "YAML syntax: %s %s",
                           problem, parser->context);
    /* TRANSLATORS: %s is libyaml's English description of the problem. */
    return gk_diag_set(diag, GK_ERR_LAYOUT, path, line, column, "YAML syntax: %s", problem);
}

/* Builds the first document of text into *doc, as yaml_parser_load would, bounding what its
 * aliases expand to and how deep it nests. */
static gk_status load_document(const char *path, const char *text, size_t len,
                               yaml_document_t *doc, gk_diag *diag)
{
    loader ld = {.path = path, .diag = diag, .doc = doc};
    ld.anchors = calloc(MAX_ANCHORS, sizeof *ld.anchors);
    yaml_parser_t parser;
    if (ld.anchors == NULL || !yaml_parser_initialize(&parser)) {
        free(ld.anchors);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    if (!yaml_document_initialize(doc, NULL, NULL, NULL, 0, 0)) {
        yaml_parser_delete(&parser);
        free(ld.anchors);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    gk_status status = GK_OK;
    bool done = false;
    while (status == GK_OK && !done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            status = syntax_error(&parser, path, diag);
            break;
        }
        status = load_event(&ld, &event);
        /* like yaml_parser_load, the first document only */
        done = event.type == YAML_DOCUMENT_END_EVENT || event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    for (int a = 0; a < ld.anchor_count; a++)
        free(ld.anchors[a].name);
    free(ld.anchors);
    if (status == GK_OK && !ld.has_root)
        status = gk_diag_set(diag, GK_ERR_LAYOUT, path, 1, 1, "empty file, expected a mapping");
    if (status != GK_OK)
        yaml_document_delete(doc);
    return status;
}

gk_status gk_yaml_open(gk_yaml_doc *yd, const char *path, gk_arena *arena, gk_diag *diag)
{
    memset(yd, 0, sizeof *yd);
    yd->path = gk_arena_strdup(arena, path);
    yd->arena = arena;
    yd->diag = diag;

    unsigned char *bytes = NULL;
    char *text = NULL;
    size_t size = 0, len = 0;
    gk_status status = gk_input_read(path, MAX_FILE_BYTES, &bytes, &size, diag);
    if (status == GK_OK)
        status = gk_text_decode(path, bytes, size, &text, &len, NULL, diag);
    free(bytes);
    /* libyaml takes quadratic time on deep nesting and has no limit of its own */
    if (status == GK_OK)
        status = check_nesting(path, text, len, diag);
    if (status == GK_OK)
        status = load_document(path, text, len, &yd->doc, diag);
    yd->loaded = status == GK_OK;
    free(text);
    return status;
}

void gk_yaml_close(gk_yaml_doc *yd)
{
    if (yd->loaded)
        yaml_document_delete(&yd->doc);
    yd->loaded = false;
}

yaml_node_t *gk_yaml_root(gk_yaml_doc *yd)
{
    return yaml_document_get_root_node(&yd->doc);
}

yaml_node_t *gk_yaml_node(gk_yaml_doc *yd, int index)
{
    return yaml_document_get_node(&yd->doc, index);
}

int gk_yaml_line(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

gk_status gk_yaml_error(gk_yaml_doc *yd, const yaml_node_t *at, const char *format, ...)
{
    char message[GK_DIAG_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, _(format), args);
    va_end(args);
    return gk_yaml_error_text(yd, at, message);
}

gk_status gk_yaml_error_text(gk_yaml_doc *yd, const yaml_node_t *at, const char *text)
{
    return gk_diag_set_text(yd->diag, GK_ERR_LAYOUT, yd->path, gk_yaml_line(at),
                            at ? (int)at->start_mark.column + 1 : 0, text);
}

/* What a node is, for "expected …, found …" (translated). */
static const char *node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    /* TRANSLATORS: a kind of YAML node, used as the second %s of "expected %s, found %s". */
    case YAML_SCALAR_NODE: return _("a scalar");
    /* TRANSLATORS: a kind of YAML node (a sequence), as in "expected %s, found %s". */
    case YAML_SEQUENCE_NODE: return _("a list");
    /* TRANSLATORS: a kind of YAML node, as in "expected %s, found %s". */
    case YAML_MAPPING_NODE: return _("a mapping");
    /* TRANSLATORS: no YAML node at all, as in "expected %s, found %s". */
    default: return _("nothing");
    }
}

bool gk_yaml_is_null(const yaml_node_t *node)
{
    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return false;
    if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)node->data.scalar.value;
    return strcmp(v, "") == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

gk_status gk_yaml_expect(gk_yaml_doc *yd, yaml_node_t *node, yaml_node_type_t type,
                         const char *what)
{
    if (node->type != type)
        /* TRANSLATORS: the first %s is what a YAML value should be ("a list of columns", "a
           whole number"), the second what it is ("a mapping", "a scalar"); both translated. */
        return gk_yaml_error(yd, node, "expected %s, found %s", _(what), node_kind(node));
    return GK_OK;
}

gk_status gk_yaml_string(gk_yaml_doc *yd, yaml_node_t *node, const char **out)
{
    gk_status status = gk_yaml_expect(yd, node, YAML_SCALAR_NODE, N_("a text value"));
    if (status != GK_OK)
        return status;
    if (gk_yaml_is_null(node)) {
        *out = "";
        return GK_OK;
    }
    *out = gk_arena_strndup(yd->arena, (const char *)node->data.scalar.value,
                            node->data.scalar.length);
    return *out ? GK_OK : gk_diag_set(yd->diag, GK_ERR_NOMEM, yd->path, 0, 0, "out of memory");
}

gk_status gk_yaml_int(gk_yaml_doc *yd, yaml_node_t *node, int min, int max, int *out)
{
    gk_status status = gk_yaml_expect(yd, node, YAML_SCALAR_NODE, N_("a whole number"));
    if (status != GK_OK)
        return status;
    const char *text = (const char *)node->data.scalar.value;
    long value = 0;
    size_t i = 0;
    bool negative = text[0] == '-';
    if (negative)
        i++;
    if (text[i] == '\0')
        goto bad;
    for (; text[i]; i++) {
        if (text[i] < '0' || text[i] > '9' || value > 1000000)
            goto bad;
        value = value * 10 + (text[i] - '0');
    }
    if (negative)
        value = -value;
    if (value < min || value > max)
        return gk_yaml_error(yd, node, "expected a whole number from %d to %d, found '%s'", min,
                             max, text);
    *out = (int)value;
    return GK_OK;
bad:
    return gk_yaml_error(yd, node, "expected a whole number, found '%s'", text);
}

gk_status gk_yaml_bool(gk_yaml_doc *yd, yaml_node_t *node, bool *out)
{
    static const char *const names[] = {"false", "true"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, node, names, 2, &choice);
    *out = choice == 1;
    return status;
}

gk_status gk_yaml_choice(gk_yaml_doc *yd, yaml_node_t *node, const char *const *names,
                         int count, int *out)
{
    gk_status status = gk_yaml_expect(yd, node, YAML_SCALAR_NODE, N_("a word"));
    if (status != GK_OK)
        return status;
    const char *text = (const char *)node->data.scalar.value;
    char expected[256] = "";
    for (int i = 0; i < count; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = i;
            return GK_OK;
        }
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "", names[i]);
    }
    return gk_yaml_error(yd, node, "expected one of %s, found '%s'", expected, text);
}

bool gk_yaml_has_key(gk_yaml_doc *yd, yaml_node_t *map, const char *key)
{
    if (map->type != YAML_MAPPING_NODE)
        return false;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *k = gk_yaml_node(yd, pair->key);
        if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return true;
    }
    return false;
}

gk_status gk_yaml_read_map(gk_yaml_doc *yd, yaml_node_t *map, const gk_yaml_key *keys,
                           size_t key_count, void *target)
{
    gk_status status = gk_yaml_expect(yd, map, YAML_MAPPING_NODE, N_("a mapping"));
    if (status != GK_OK)
        return status;
    bool seen[64] = {false};
    if (key_count > 64)
        return gk_yaml_error(yd, map, "internal: schema too large");

    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = gk_yaml_node(yd, pair->key);
        yaml_node_t *value = gk_yaml_node(yd, pair->value);
        if (key->type != YAML_SCALAR_NODE)
            return gk_yaml_error(yd, key, "expected a key name, found %s", node_kind(key));
        const char *name = (const char *)key->data.scalar.value;
        size_t k = 0;
        while (k < key_count && strcmp(keys[k].name, name) != 0)
            k++;
        if (k == key_count) {
            char expected[512] = "";
            for (size_t i = 0; i < key_count; i++) {
                size_t used = strlen(expected);
                snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "",
                         keys[i].name);
            }
            return gk_yaml_error(yd, key, "unknown key '%s' (expected one of %s)", name, expected);
        }
        if (seen[k])
            return gk_yaml_error(yd, key, "duplicate key '%s'", name);
        seen[k] = true;
        status = keys[k].read(yd, value, target);
        if (status != GK_OK)
            return status;
    }
    for (size_t k = 0; k < key_count; k++)
        if (keys[k].required && !seen[k])
            return gk_yaml_error(yd, map, "missing key '%s'", keys[k].name);
    return GK_OK;
}
