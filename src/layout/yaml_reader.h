/* Reading YAML files through libyaml's document API, with positions for every error.
 *
 * Loaders describe each mapping as a table of keys and handlers (gk_yaml_key), so a new
 * property is one table row; unknown, duplicate and missing keys are reported with the
 * file, line and column of the offending node. */
#ifndef GONGKAI_YAML_READER_H
#define GONGKAI_YAML_READER_H

#include <stdbool.h>
#include <yaml.h>

#include "gongkai/diag.h"
#include "util/arena.h"

typedef struct gk_yaml_doc {
    yaml_document_t doc;
    bool loaded;
    const char *path;
    gk_arena *arena; /* strings read from the document are copied here */
    gk_diag *diag;
} gk_yaml_doc;

/* Parses the file at path (UTF-8). Errors name path:line:col. */
gk_status gk_yaml_open(gk_yaml_doc *yd, const char *path, gk_arena *arena, gk_diag *diag);
void gk_yaml_close(gk_yaml_doc *yd);

yaml_node_t *gk_yaml_root(gk_yaml_doc *yd);
yaml_node_t *gk_yaml_node(gk_yaml_doc *yd, int index);

/* Records an error at a node's position and returns GK_ERR_LAYOUT. format is translated
 * (_(format)) here, so a literal needs no marking: xgettext extracts it by keyword. */
gk_status gk_yaml_error(gk_yaml_doc *yd, const yaml_node_t *at, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a message that is already formatted (and translated): taken as it is. */
gk_status gk_yaml_error_text(gk_yaml_doc *yd, const yaml_node_t *at, const char *text);

/* 1-based line of a node, for diagnostics elsewhere. */
int gk_yaml_line(const yaml_node_t *node);

bool gk_yaml_is_null(const yaml_node_t *node);

/* Typed reads; each fails with a positioned "expected …, found …" message. */
gk_status gk_yaml_string(gk_yaml_doc *yd, yaml_node_t *node, const char **out);
gk_status gk_yaml_int(gk_yaml_doc *yd, yaml_node_t *node, int min, int max, int *out);
gk_status gk_yaml_bool(gk_yaml_doc *yd, yaml_node_t *node, bool *out);
gk_status gk_yaml_choice(gk_yaml_doc *yd, yaml_node_t *node, const char *const *names,
                         int count, int *out);
/* what ("a list of columns") is translated here: callers mark the literal with N_(). */
gk_status gk_yaml_expect(gk_yaml_doc *yd, yaml_node_t *node, yaml_node_type_t type,
                         const char *what);

/* One key of a mapping schema. */
typedef gk_status (*gk_yaml_read_fn)(gk_yaml_doc *yd, yaml_node_t *value, void *target);
typedef struct gk_yaml_key {
    const char *name;
    gk_yaml_read_fn read;
    bool required;
} gk_yaml_key;

/* Reads a mapping: every key must be in keys (else "unknown key"), none twice, every
 * required one present. Handlers run in document order. */
gk_status gk_yaml_read_map(gk_yaml_doc *yd, yaml_node_t *map, const gk_yaml_key *keys,
                           size_t key_count, void *target);

/* Whether a mapping node has the key. */
bool gk_yaml_has_key(gk_yaml_doc *yd, yaml_node_t *map, const char *key);

#endif
