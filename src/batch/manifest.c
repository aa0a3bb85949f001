/* Batch manifests; see manifest.h. */
#include "batch/manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/batch.h"
#include "input/input.h"
#include "util/i18n.h"
#include "util/input_file.h"
#include "util/publish.h"

/* ---- checking -------------------------------------------------------------------------------- */

typedef enum field_type { FIELD_STRING, FIELD_INTEGER, FIELD_LIST, FIELD_OBJECT } field_type;

typedef struct field {
    const char *key;
    field_type type;
    bool required;
} field;

static const field manifest_fields[] = {
    {"gongkai", FIELD_STRING, true}, {"profile", FIELD_STRING, true},
    {"profile_sha256", FIELD_STRING, true}, {"shard", FIELD_STRING, false},
    {"summary", FIELD_OBJECT, false}, {"units", FIELD_LIST, true},
};

static const field record_fields[] = {
    {"code", FIELD_STRING, true},      {"kind", FIELD_STRING, true},
    {"name", FIELD_STRING, true},      {"status", FIELD_STRING, true},
    {"inputs_sha256", FIELD_STRING, true}, {"error", FIELD_STRING, false},
    {"errors", FIELD_INTEGER, false},  {"warnings", FIELD_INTEGER, false},
    {"findings", FIELD_LIST, false},   {"outputs", FIELD_LIST, false},
};

static const field output_fields[] = {
    {"file", FIELD_STRING, true}, {"bytes", FIELD_INTEGER, true}, {"sha256", FIELD_STRING, true},
};

/* What a JSON value is, for "found …". */
static const char *found_kind(const json_t *value)
{
    if (value == NULL)
        /* TRANSLATORS: "expected a string, found nothing": a key that is missing. */
        return _("nothing");
    switch (json_typeof(value)) {
    case JSON_OBJECT: return _("an object");
    case JSON_ARRAY: return _("a list");
    case JSON_STRING: return _("a string");
    case JSON_INTEGER: return _("a whole number");
    case JSON_REAL: return _("a number");
    case JSON_TRUE:
    case JSON_FALSE: return _("true or false");
    case JSON_NULL: return _("null");
    }
    return "?";
}

static bool is_type(const json_t *value, field_type type)
{
    switch (type) {
    case FIELD_STRING: return json_is_string(value);
    case FIELD_INTEGER: return json_is_integer(value) && json_integer_value(value) >= 0;
    case FIELD_LIST: return json_is_array(value);
    case FIELD_OBJECT: return json_is_object(value);
    }
    return false;
}

static const char *expected_kind(field_type type)
{
    switch (type) {
    case FIELD_STRING: return _("a string");
    case FIELD_INTEGER: return _("a whole number (0 or more)");
    case FIELD_LIST: return _("a list");
    case FIELD_OBJECT: return _("an object");
    }
    return "?";
}

/* Every field of obj has its type (the required ones are there); else why says which not. */
static bool check_fields(const json_t *obj, const field *fields, size_t count, char *why,
                         size_t size)
{
    if (!json_is_object(obj)) {
        /* TRANSLATORS: a record or a manifest is not a JSON object; %s: what it is. */
        snprintf(why, size, _("expected an object, found %s"), found_kind(obj));
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *value = json_object_get(obj, fields[i].key);
        if ((value == NULL && !fields[i].required) || is_type(value, fields[i].type))
            continue;
        /* TRANSLATORS: a key of the manifest, what its value should be and what it is. */
        snprintf(why, size, _("'%s': expected %s, found %s"), fields[i].key,
                 expected_kind(fields[i].type), found_kind(value));
        return false;
    }
    return true;
}

static const char *const kinds[] = {"unit", "department"};
static const char *const statuses[] = {"ok", "failed", "interrupted"};

/* The key holds one of the words. */
static bool check_word(const json_t *obj, const char *key, const char *const *words,
                       size_t count, char *why, size_t size)
{
    const char *value = json_string_value(json_object_get(obj, key));
    char list[128] = "";
    for (size_t i = 0; i < count; i++) {
        if (strcmp(value, words[i]) == 0)
            return true;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
    }
    /* TRANSLATORS: a key of the manifest, the words it may hold ("unit, department"), and
       what it holds. */
    snprintf(why, size, _("'%s': expected one of %s, found '%s'"), key, list, value);
    return false;
}

static bool check_record(const json_t *record, char *why, size_t size)
{
    if (!check_fields(record, record_fields, sizeof record_fields / sizeof *record_fields, why,
                      size) ||
        !check_word(record, "kind", kinds, sizeof kinds / sizeof *kinds, why, size) ||
        !check_word(record, "status", statuses, sizeof statuses / sizeof *statuses, why, size))
        return false;
    const json_t *findings = json_object_get(record, "findings");
    for (size_t i = 0; i < json_array_size(findings); i++)
        if (!json_is_string(json_array_get(findings, i))) {
            /* TRANSLATORS: the number of an item of the record's list 'findings'. */
            snprintf(why, size, _("'findings' item %zu: expected a string, found %s"), i + 1,
                     found_kind(json_array_get(findings, i)));
            return false;
        }
    const json_t *outputs = json_object_get(record, "outputs");
    for (size_t i = 0; i < json_array_size(outputs); i++) {
        char inner[512];
        if (!check_fields(json_array_get(outputs, i), output_fields,
                          sizeof output_fields / sizeof *output_fields, inner, sizeof inner)) {
            /* TRANSLATORS: the number of an item of the record's list 'outputs', then what is
               wrong with it. */
            snprintf(why, size, _("'outputs' item %zu: %s"), i + 1, inner);
            return false;
        }
    }
    return true;
}

/* A bad record: its number, its code when it has one, and what is wrong. */
static gk_status bad_record(const char *path, size_t index, const json_t *record,
                            const char *why, gk_diag *diag)
{
    const char *code = json_string_value(json_object_get(record, "code"));
    if (code != NULL)
        return gk_diag_set(diag, GK_ERR_PARSE, path, 0, 0,
                           /* TRANSLATORS: the number of a record of the manifest's 'units', its
                              unit's or department's code, and what is wrong with it. */
                           "record %zu (%s) of 'units': %s", index + 1, code, why);
    /* TRANSLATORS: the number of a record of the manifest's 'units' and what is wrong. */
    return gk_diag_set(diag, GK_ERR_PARSE, path, 0, 0, "record %zu of 'units': %s", index + 1,
                       why);
}

gk_status gk_manifest_load(const char *path, json_t **out, gk_diag *diag)
{
    *out = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    gk_status status = gk_file_read(path, &data, &len, diag);
    if (status != GK_OK)
        return status;
    json_error_t error;
    json_t *manifest = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &error);
    free(data);
    if (manifest == NULL)
        return gk_diag_set(diag, GK_ERR_PARSE, path, error.line > 0 ? error.line : 0,
                           error.column > 0 ? error.column : 0, "not a gongkai manifest: %s",
                           error.text);
    char why[768];
    if (!check_fields(manifest, manifest_fields, sizeof manifest_fields / sizeof *manifest_fields,
                      why, sizeof why)) {
        json_decref(manifest);
        return gk_diag_set(diag, GK_ERR_PARSE, path, 0, 0, "not a gongkai manifest: %s", why);
    }
    const json_t *units = json_object_get(manifest, "units");
    for (size_t i = 0; i < json_array_size(units); i++) {
        const json_t *record = json_array_get(units, i);
        if (check_record(record, why, sizeof why))
            continue;
        status = bad_record(path, i, record, why, diag);
        json_decref(manifest);
        return status;
    }
    *out = manifest;
    return GK_OK;
}

/* ---- record by record ----------------------------------------------------------------------- */

/* The manifest file read in pieces, for the bytes between its values (the values themselves are
 * read and checked by jansson, each from its place: gk_record_read). */
typedef struct reader {
    int fd;
    size_t pos, len;
    off_t base; /* the file's offset of buffer[0] */
    unsigned char buffer[65536];
} reader;

/* The next byte, or -1 at the end of the file (or a read error: the walk then fails). */
static int next_byte(reader *r)
{
    if (r->pos == r->len) {
        r->base += (off_t)r->len;
        r->pos = r->len = 0;
        ssize_t n;
        while ((n = read(r->fd, r->buffer, sizeof r->buffer)) < 0 && errno == EINTR)
            ;
        if (n <= 0)
            return -1;
        r->len = (size_t)n;
    }
    return r->buffer[r->pos++];
}

/* Where the byte next_byte gave last is, and where the next one is. */
static off_t last_offset(const reader *r)
{
    return r->base + (off_t)r->pos - 1;
}

static off_t next_offset(const reader *r)
{
    return r->base + (off_t)r->pos;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next byte that is not JSON white space. */
static int next_token(reader *r)
{
    int c;
    while (is_space(c = next_byte(r)))
        ;
    return c;
}

/* To the end of a string whose opening quote was read. */
static bool skip_string(reader *r)
{
    for (int c = next_byte(r); c >= 0; c = next_byte(r)) {
        if (c == '"')
            return true;
        if (c == '\\' && next_byte(r) < 0)
            return false;
    }
    return false;
}

/* To the end of the value whose first byte c was read: a string, an object or a list (to its
 * closing bracket, strings skipped), or a number, true, false or null (to the next comma,
 * bracket or space, left unread). Whether it is a valid value is jansson's to say. */
static bool skip_value(reader *r, int c)
{
    if (c == '"')
        return skip_string(r);
    if (c == '{' || c == '[') {
        for (size_t depth = 1; depth > 0;) {
            if ((c = next_byte(r)) < 0 || (c == '"' && !skip_string(r)))
                return false;
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']')
                depth--;
        }
        return true;
    }
    while (c >= 0 && c != ',' && c != '}' && c != ']' && !is_space(c))
        c = next_byte(r);
    if (c >= 0)
        r->pos--; /* the byte after the value, given again */
    return true;
}

/* The value whose first byte c was read, read again by jansson from its place; NULL if it is
 * not one valid JSON value. */
static json_t *read_value(reader *r, int c)
{
    off_t start = last_offset(r);
    if (c < 0 || !skip_value(r, c))
        return NULL;
    return gk_record_read(r->fd, (gk_record_at){start, (size_t)(next_offset(r) - start)});
}

/* The records of "units", whose '[' was read, each checked and given to each(); an empty list
 * stands for them in the header. NULL when one is bad or the list is not well formed. */
static json_t *walk_units(reader *r, gk_manifest_each *each, void *data)
{
    int c = next_token(r);
    if (c == ']')
        return json_array();
    for (;; c = next_token(r)) { /* a record, then ',' and the next, or ']' */
        off_t start = last_offset(r);
        json_t *record = read_value(r, c);
        char why[768];
        bool good = record != NULL && check_record(record, why, sizeof why);
        if (good)
            each(record, (gk_record_at){start, (size_t)(next_offset(r) - start)}, data);
        json_decref(record);
        if (!good || ((c = next_token(r)) != ',' && c != ']'))
            return NULL;
        if (c == ']')
            return json_array();
    }
}

/* The manifest's object, member by member, into header ("units" as an empty list, its records
 * given to each()); then nothing but white space. */
static bool walk_manifest(reader *r, json_t *header, gk_manifest_each *each, void *data)
{
    if (next_token(r) != '{')
        return false;
    int c = next_token(r);
    if (c == '}')
        return next_token(r) < 0;
    for (;; c = next_token(r)) { /* a member, then ',' and the next, or '}' */
        json_t *key = c == '"' ? read_value(r, c) : NULL;
        const char *name = json_string_value(key);
        bool fresh = name != NULL && json_object_get(header, name) == NULL;
        json_t *value = NULL;
        if (fresh && next_token(r) == ':') {
            c = next_token(r);
            value = strcmp(name, "units") == 0 && c == '[' ? walk_units(r, each, data)
                                                           : read_value(r, c);
        }
        bool good = value != NULL && json_object_set_new(header, name, value) == 0;
        json_decref(key);
        if (!good || ((c = next_token(r)) != ',' && c != '}'))
            return false;
        if (c == '}')
            return next_token(r) < 0;
    }
}

/* The manifest cannot be gone through: gk_manifest_load says why. */
static gk_status manifest_fault(const char *path, gk_diag *diag)
{
    int error = errno ? errno : EIO;
    json_t *manifest = NULL;
    gk_status status = gk_manifest_load(path, &manifest, diag);
    if (status != GK_OK)
        return status;
    json_decref(manifest); /* read whole, it was fine: it changed, or a read failed */
    return gk_diag_set(diag, GK_ERR_PARSE, path, 0, 0, "not a gongkai manifest: %s",
                       strerror(error));
}

gk_status gk_manifest_index(const char *path, gk_manifest_each *each, void *data, int *fd,
                            gk_diag *diag)
{
    size_t size = 0;
    reader *r = NULL;
    json_t *header = NULL;
    char why[768];
    errno = 0;
    bool ok = gk_input_open(path, GK_INPUT_MAX_BYTES, fd, &size, NULL) == GK_OK &&
              (r = calloc(1, sizeof *r)) != NULL && (header = json_object()) != NULL;
    if (ok) {
        r->fd = *fd;
        ok = walk_manifest(r, header, each, data) &&
             check_fields(header, manifest_fields,
                          sizeof manifest_fields / sizeof *manifest_fields, why, sizeof why);
    }
    json_decref(header);
    free(r);
    if (ok)
        return GK_OK;
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    return manifest_fault(path, diag);
}

/* ---- writing --------------------------------------------------------------------------------- */

int gk_manifest_order(const char *kind, const char *code, const char *other_kind,
                      const char *other_code)
{
    int order = strcmp(kind, other_kind);
    return order ? -order : strcmp(code, other_code); /* "unit" before "department" */
}

static int compare_records(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return gk_manifest_order(json_string_value(json_object_get(x, "kind")),
                             json_string_value(json_object_get(x, "code")),
                             json_string_value(json_object_get(y, "kind")),
                             json_string_value(json_object_get(y, "code")));
}

json_t *gk_manifest_sorted(json_t **records, size_t count)
{
    if (count > 0)
        qsort(records, count, sizeof *records, compare_records);
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, records[i]);
    return list;
}

json_t *gk_manifest_summary_of(size_t ok, size_t failed, size_t interrupted)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "jobs", (json_int_t)(ok + failed + interrupted),
                     "ok", (json_int_t)ok, "failed", (json_int_t)failed, "interrupted",
                     (json_int_t)interrupted);
}

json_t *gk_manifest_summary(const json_t *units)
{
    size_t ok = 0, failed = 0, interrupted = 0;
    for (size_t i = 0; i < json_array_size(units); i++) {
        const char *status = json_string_value(json_object_get(json_array_get(units, i), "status"));
        if (status != NULL && strcmp(status, "ok") == 0)
            ok++;
        else if (status != NULL && strcmp(status, "failed") == 0)
            failed++;
        else
            interrupted++;
    }
    return gk_manifest_summary_of(ok, failed, interrupted);
}

/* Bytes into the temporary; the first failure is kept for gk_manifest_finish. */
static void put(gk_manifest_writer *w, const char *bytes, size_t len)
{
    if (w->error == 0 && len > 0 && fwrite(bytes, 1, len, w->file) != len)
        w->error = errno ? errno : EIO;
}

/* A record sits two levels deep in the manifest: each of its line breaks is followed by the
 * four more spaces of that depth. (Line breaks inside strings are escaped: every raw one is
 * the dump's own.) */
static int put_nested(const char *bytes, size_t len, void *data)
{
    gk_manifest_writer *w = data;
    for (const char *end = bytes + len, *line; bytes < end; bytes = line) {
        const char *brk = memchr(bytes, '\n', (size_t)(end - bytes));
        line = brk ? brk + 1 : end;
        put(w, bytes, (size_t)(line - bytes));
        if (brk != NULL)
            put(w, "    ", 4);
    }
    return w->error ? -1 : 0;
}

enum { DUMP_FLAGS = JSON_INDENT(2) | JSON_PRESERVE_ORDER };

gk_status gk_manifest_begin(gk_manifest_writer *w, const char *path, const json_t *header,
                            gk_diag *diag)
{
    *w = (gk_manifest_writer){.path = path};
    gk_status status = gk_publish_begin(path, w->tmp, sizeof w->tmp, diag);
    if (status != GK_OK)
        return status;
    char *text = json_dumps(header, DUMP_FLAGS); /* "{\n  ...\n}" */
    w->file = text ? fopen(w->tmp, "w") : NULL;
    if (w->file == NULL) {
        free(text);
        gk_manifest_abandon(w);
        return text ? gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot open for writing: %s",
                                  strerror(errno))
                    : gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    size_t len = strlen(text);
    bool empty = len < 4; /* "{}" */
    put(w, text, empty ? 1 : len - 2); /* without the closing "\n}" */
    put(w, empty ? "\n  \"units\": [" : ",\n  \"units\": [", empty ? 13 : 14);
    free(text);
    return GK_OK;
}

gk_status gk_manifest_add(gk_manifest_writer *w, const json_t *record, gk_diag *diag)
{
    bool first = w->records++ == 0;
    put(w, first ? "\n    " : ",\n    ", first ? 5 : 6);
    if (json_dump_callback(record, put_nested, w, DUMP_FLAGS) != 0 && w->error == 0)
        return gk_diag_set(diag, GK_ERR_NOMEM, w->path, 0, 0, "out of memory");
    return GK_OK;
}

gk_status gk_manifest_finish(gk_manifest_writer *w, gk_diag *diag)
{
    put(w, w->records ? "\n  ]\n}\n" : "]\n}\n", w->records ? 7 : 4);
    if (fclose(w->file) != 0 && w->error == 0)
        w->error = errno;
    w->file = NULL;
    if (w->error != 0) {
        gk_manifest_abandon(w);
        return gk_diag_set(diag, GK_ERR_IO, w->path, 0, 0, "cannot write: %s",
                           strerror(w->error));
    }
    return gk_publish_commit(w->tmp, w->path, diag);
}

void gk_manifest_abandon(gk_manifest_writer *w)
{
    if (w->file != NULL)
        fclose(w->file);
    w->file = NULL;
    gk_publish_abort(w->tmp);
    w->tmp[0] = '\0';
}

gk_status gk_manifest_write(const json_t *header, const json_t *units, const char *path,
                            gk_diag *diag)
{
    gk_manifest_writer w;
    gk_status status = gk_manifest_begin(&w, path, header, diag);
    for (size_t i = 0; status == GK_OK && i < json_array_size(units); i++)
        status = gk_manifest_add(&w, json_array_get(units, i), diag);
    if (status != GK_OK) {
        gk_manifest_abandon(&w);
        return status;
    }
    return gk_manifest_finish(&w, diag);
}

/* ---- merging shard manifests ----------------------------------------------------------------- */

typedef struct shard_input {
    int index, count; /* K and N of its "shard" */
    size_t input;     /* which file */
} shard_input;

static int compare_shards(const void *a, const void *b)
{
    const shard_input *x = a, *y = b;
    return x->index != y->index ? (x->index < y->index ? -1 : 1)
                                : (x->input < y->input ? -1 : x->input > y->input);
}

/* The manifests are one complete set: each says "shard": "K/N" with the same N, and every K
 * from 1 to N is there exactly once. */
static gk_status check_shard_set(const char *const *inputs, shard_input *shards, size_t count,
                                 gk_diag *diag)
{
    qsort(shards, count, sizeof *shards, compare_shards);
    int n = shards[0].count;
    for (size_t i = 0; i < count; i++) {
        if (shards[i].count != n)
            return gk_diag_set(diag, GK_ERR_DATA, inputs[shards[i].input], 0, 0,
                               /* TRANSLATORS: merging manifests: this manifest is of shard
                                  K/N, the first of another number of shards. */
                               "shard %d/%d does not belong with %s (a shard of %d)",
                               shards[i].index, shards[i].count, inputs[shards[0].input], n);
        if (i > 0 && shards[i].index == shards[i - 1].index)
            return gk_diag_set(diag, GK_ERR_DATA, inputs[shards[i].input], 0, 0,
                               /* TRANSLATORS: merging manifests: shard K/N and the other
                                  manifest of the same shard. */
                               "shard %d/%d is also in %s", shards[i].index, n,
                               inputs[shards[i - 1].input]);
    }
    for (size_t i = 0; i < (size_t)n; i++)
        if (i >= count || shards[i].index != (int)i + 1)
            return gk_diag_set(diag, GK_ERR_DATA, "", 0, 0,
                               /* TRANSLATORS: merging manifests: the shard K/N of which no
                                  manifest was given, then N again. */
                               "no manifest of shard %zu/%d: merge takes the manifests of all "
                               "%d shards",
                               i + 1, n, n);
    return GK_OK;
}

/* Records by kind and code; the same job in two manifests is an error. */
typedef struct merged_record {
    json_t *record;
    size_t input;
} merged_record;

static int compare_merged(const void *a, const void *b)
{
    const merged_record *x = a, *y = b;
    int order = compare_records(&x->record, &y->record);
    return order ? order : (x->input < y->input ? -1 : x->input > y->input);
}

static gk_status check_duplicates(const char *const *inputs, merged_record *records, size_t count,
                                  gk_diag *diag)
{
    if (count > 0)
        qsort(records, count, sizeof *records, compare_merged);
    for (size_t i = 1; i < count; i++)
        if (compare_records(&records[i].record, &records[i - 1].record) == 0)
            return gk_diag_set(diag, GK_ERR_DATA, inputs[records[i].input], 0, 0,
                               /* TRANSLATORS: %s is a unit's or department's code. */
                               "%s is in two manifests",
                               json_string_value(json_object_get(records[i].record, "code")));
    return GK_OK;
}

/* Reads every manifest: checked, of one shard set, made by one gongkai with one profile. */
static gk_status load_all(const char *const *inputs, size_t count, json_t **manifests,
                          shard_input *shards, gk_diag *diag)
{
    for (size_t i = 0; i < count; i++) {
        gk_status status = gk_manifest_load(inputs[i], &manifests[i], diag);
        if (status != GK_OK)
            return status;
        const char *shard = json_string_value(json_object_get(manifests[i], "shard"));
        shards[i].input = i;
        if (shard == NULL || !gk_shard_parse(shard, &shards[i].index, &shards[i].count))
            return gk_diag_set(diag, GK_ERR_DATA, inputs[i], 0, 0,
                               /* TRANSLATORS: 'shard' is a key of the manifest, K/N stays. */
                               "'shard': expected K/N of a --shard run, found %s",
                               shard ? shard : _("nothing"));
        if (i > 0 && (!json_equal(json_object_get(manifests[0], "profile_sha256"),
                                  json_object_get(manifests[i], "profile_sha256")) ||
                      !json_equal(json_object_get(manifests[0], "gongkai"),
                                  json_object_get(manifests[i], "gongkai"))))
            return gk_diag_set(diag, GK_ERR_DATA, inputs[i], 0, 0,
                               /* TRANSLATORS: merging manifests: a profile's name and the
                                  first manifest's file name. */
                               "made with another profile (%s) or gongkai version than %s",
                               json_string_value(json_object_get(manifests[i], "profile")),
                               inputs[0]);
    }
    return GK_OK;
}

gk_status gk_manifest_merge(const char *const *inputs, size_t count, const char *out,
                            gk_diag *diag)
{
    if (count == 0)
        return gk_diag_set(diag, GK_ERR_USAGE, "", 0, 0, "no manifest to merge");
    json_t **manifests = calloc(count, sizeof *manifests);
    shard_input *shards = calloc(count, sizeof *shards);
    merged_record *records = NULL;
    json_t *merged = NULL;
    gk_status status = manifests && shards ? load_all(inputs, count, manifests, shards, diag)
                                           : gk_diag_set(diag, GK_ERR_NOMEM, out, 0, 0,
                                                         "out of memory");
    if (status == GK_OK)
        status = check_shard_set(inputs, shards, count, diag);
    size_t total = 0;
    for (size_t i = 0; status == GK_OK && i < count; i++)
        total += json_array_size(json_object_get(manifests[i], "units"));
    if (status == GK_OK && (records = calloc(total + 1, sizeof *records)) == NULL)
        status = gk_diag_set(diag, GK_ERR_NOMEM, out, 0, 0, "out of memory");
    size_t n = 0;
    for (size_t i = 0; status == GK_OK && i < count; i++) {
        const json_t *units = json_object_get(manifests[i], "units");
        for (size_t k = 0; k < json_array_size(units); k++)
            records[n++] = (merged_record){json_array_get(units, k), i};
    }
    if (status == GK_OK)
        status = check_duplicates(inputs, records, n, diag);
    if (status == GK_OK) {
        /* the header of one run (the shard field dropped), the records of all, even none */
        json_t **list = calloc(n + 1, sizeof *list);
        for (size_t i = 0; list && i < n; i++)
            list[i] = json_incref(records[i].record);
        json_t *units = list ? gk_manifest_sorted(list, n) : NULL;
        merged = json_pack("{s:O, s:O, s:O, s:o}", "gongkai",
                           json_object_get(manifests[0], "gongkai"), "profile",
                           json_object_get(manifests[0], "profile"), "profile_sha256",
                           json_object_get(manifests[0], "profile_sha256"), "summary",
                           gk_manifest_summary(units));
        free(list);
        status = merged && units ? gk_manifest_write(merged, units, out, diag)
                                 : gk_diag_set(diag, GK_ERR_NOMEM, out, 0, 0, "out of memory");
        json_decref(units);
    }
    json_decref(merged);
    free(records);
    for (size_t i = 0; manifests && i < count; i++)
        json_decref(manifests[i]);
    free(manifests);
    free(shards);
    return status;
}
