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

/* ---- aliases ---------------------------------------------------------------------------- */

/* libyaml's document shares an aliased node, but the loaders walk (and copy) it once for each
 * alias, and an alias may even point into the node that holds it. So before loading, one pass
 * over the events sizes the document as the loaders see it: a scalar counts its bytes and one,
 * a collection one plus its contents, an alias what its anchor's node counts. libyaml resolves
 * each alias by a search through all anchors, which the anchor and alias limits keep cheap. */

typedef struct anchor_size {
    char *name;
    size_t size;
    bool open; /* its collection has not ended yet: an alias to it would be a cycle */
} anchor_size;

typedef struct open_node {
    size_t size;
    int anchor; /* index in anchors, or -1 */
} open_node;

typedef struct alias_pass {
    const char *path;
    gk_diag *diag;
    anchor_size *anchors; /* MAX_ANCHORS of them */
    int anchor_count;
    int alias_count;
    size_t expanded; /* the whole document so far, every alias copied out */
    open_node stack[MAX_NESTING];
    int depth;
} alias_pass;

static int event_line(const yaml_event_t *event)
{
    return (int)event->start_mark.line + 1;
}

static int event_column(const yaml_event_t *event)
{
    return (int)event->start_mark.column + 1;
}

/* Adds a node of `size` to the document and to the collection it is in. */
static gk_status add_size(alias_pass *pass, size_t size, const yaml_event_t *at)
{
    pass->expanded += size;
    if (pass->depth > 0)
        pass->stack[pass->depth - 1].size += size;
    if (pass->expanded > MAX_EXPANDED)
        return gk_diag_set(pass->diag, GK_ERR_LAYOUT, pass->path, event_line(at), event_column(at),
                           /* TRANSLATORS: YAML aliases (*name) repeat the node of an anchor
                              (&name); %d is a number of bytes. */
                           "expected a document of at most %d bytes with its aliases expanded, "
                           "found more", MAX_EXPANDED);
    return GK_OK;
}

/* Records an anchor (&name) as *index; its size is known at once for a scalar, at its end for
 * a collection. No anchor (NULL) is index -1. */
static gk_status add_anchor(alias_pass *pass, const yaml_char_t *name, size_t size, bool open,
                            const yaml_event_t *at, int *index)
{
    *index = -1;
    if (name == NULL)
        return GK_OK;
    if (pass->anchor_count == MAX_ANCHORS)
        return gk_diag_set(pass->diag, GK_ERR_LAYOUT, pass->path, event_line(at),
                           event_column(at),
                           /* TRANSLATORS: YAML anchors are the &name marks of nodes. */
                           "expected at most %d anchors, found more", MAX_ANCHORS);
    anchor_size *anchor = &pass->anchors[pass->anchor_count];
    anchor->name = strdup((const char *)name);
    if (anchor->name == NULL)
        return gk_diag_set(pass->diag, GK_ERR_NOMEM, pass->path, 0, 0, "out of memory");
    anchor->size = size;
    anchor->open = open;
    *index = pass->anchor_count++;
    return GK_OK;
}

static gk_status add_scalar(alias_pass *pass, const yaml_event_t *event)
{
    size_t size = event->data.scalar.length + 1;
    int index;
    gk_status status = add_anchor(pass, event->data.scalar.anchor, size, false, event, &index);
    return status != GK_OK ? status : add_size(pass, size, event);
}

static gk_status open_collection(alias_pass *pass, const yaml_char_t *anchor,
                                 const yaml_event_t *event)
{
    if (pass->depth == MAX_NESTING)
        return gk_diag_set(pass->diag, GK_ERR_LAYOUT, pass->path, event_line(event),
                           event_column(event), "nested deeper than %d levels", MAX_NESTING);
    int index;
    gk_status status = add_size(pass, 1, event);
    if (status == GK_OK)
        status = add_anchor(pass, anchor, 0, true, event, &index);
    if (status == GK_OK)
        pass->stack[pass->depth++] = (open_node){1, index};
    return status;
}

static void close_collection(alias_pass *pass)
{
    if (pass->depth == 0)
        return;
    open_node node = pass->stack[--pass->depth];
    if (node.anchor >= 0) {
        pass->anchors[node.anchor].size = node.size;
        pass->anchors[node.anchor].open = false;
    }
    if (pass->depth > 0) /* already in pass->expanded, counted as it came */
        pass->stack[pass->depth - 1].size += node.size;
}

static gk_status add_alias(alias_pass *pass, const yaml_event_t *event)
{
    const char *name = (const char *)event->data.alias.anchor;
    int line = event_line(event), column = event_column(event);
    if (++pass->alias_count > MAX_ALIASES)
        return gk_diag_set(pass->diag, GK_ERR_LAYOUT, pass->path, line, column,
                           /* TRANSLATORS: YAML aliases are the *name references to anchors. */
                           "expected at most %d aliases, found more", MAX_ALIASES);
    int a = pass->anchor_count - 1; /* the latest anchor of that name */
    while (a >= 0 && strcmp(pass->anchors[a].name, name) != 0)
        a--;
    if (a < 0)
        return GK_OK; /* the loader reports "found undefined alias" */
    if (pass->anchors[a].open)
        return gk_diag_set(pass->diag, GK_ERR_LAYOUT, pass->path, line, column,
                           /* TRANSLATORS: %s is the name of a YAML anchor (&name). */
                           "expected an alias to a node outside it, found *%s inside the node "
                           "&%s", name, name);
    return add_size(pass, pass->anchors[a].size, event);
}

static gk_status count_event(alias_pass *pass, const yaml_event_t *event)
{
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        return add_scalar(pass, event);
    case YAML_SEQUENCE_START_EVENT:
        return open_collection(pass, event->data.sequence_start.anchor, event);
    case YAML_MAPPING_START_EVENT:
        return open_collection(pass, event->data.mapping_start.anchor, event);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        close_collection(pass);
        return GK_OK;
    case YAML_ALIAS_EVENT:
        return add_alias(pass, event);
    default:
        return GK_OK;
    }
}

/* Bounds what aliases expand to, and refuses an alias inside its own anchor's node. A syntax
 * error ends the pass quietly: the loader reports it, with libyaml's words. */
static gk_status check_aliases(const char *path, const char *text, size_t len, gk_diag *diag)
{
    alias_pass pass = {.path = path, .diag = diag};
    pass.anchors = calloc(MAX_ANCHORS, sizeof *pass.anchors);
    yaml_parser_t parser;
    if (pass.anchors == NULL || !yaml_parser_initialize(&parser)) {
        free(pass.anchors);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    gk_status status = GK_OK;
    bool done = false;
    while (status == GK_OK && !done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event))
            break;
        status = count_event(&pass, &event);
        /* the loader reads the first document only */
        done = event.type == YAML_DOCUMENT_END_EVENT || event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    for (int a = 0; a < pass.anchor_count; a++)
        free(pass.anchors[a].name);
    free(pass.anchors);
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
        status = check_aliases(path, text, len, diag);
    if (status != GK_OK) {
        free(text);
        return status;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &yd->doc)) {
        int line = (int)parser.problem_mark.line + 1, column = (int)parser.problem_mark.column + 1;
        const char *problem = parser.problem ? parser.problem : _("malformed document");
        if (parser.context)
            /* TRANSLATORS: the first %s is libyaml's problem ("mapping values are not allowed
               in this context"), the second where it happened ("while scanning a simple key");
               both are libyaml's English text. */
            status = gk_diag_set(diag, GK_ERR_LAYOUT, path, line, column, "YAML syntax: %s %s",
                                 problem, parser.context);
        else
            /* TRANSLATORS: %s is libyaml's English description of the problem. */
            status = gk_diag_set(diag, GK_ERR_LAYOUT, path, line, column, "YAML syntax: %s",
                                 problem);
    } else {
        yd->loaded = true;
        if (yaml_document_get_root_node(&yd->doc) == NULL)
            status = gk_diag_set(diag, GK_ERR_LAYOUT, path, 1, 1, "empty file, expected a mapping");
    }
    yaml_parser_delete(&parser);
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
