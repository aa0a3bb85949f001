/* The `names` rule; see names.h and docs/checks.md.
 *
 * Three things are read in each run of the printed narrative (a paragraph, heading, list item
 * or table cell), each in one pass over its characters:
 *   - the unit's and the department's names: a text one character away from a name (one
 *     changed, added or left out, inside the name) is that name misspelt. A text within one
 *     change of a name holds one of its halves unchanged, so only where a half occurs is a
 *     text compared;
 *   - a 科目 code of the unit's tables followed by a name (2080505 机关事业单位…): the name
 *     must be the code's;
 *   - the （类）（款）（项） form: each name before a marker is a 科目 name of that level, and
 *     the names of one chain belong together (the 款 of a 项 is the 项's parent).
 * Names are found by hash lookups, never by going through every name of the tables. A name
 * farther off than one character is looked for only where the 科目 meant is known, or among
 * a few: the children of the 科目 before it, or the 类 (by_level: each level's names by code). */
#include "check/names.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/key_map.h"
#include "model/document.h"
#include "model/figures.h"
#include "model/values.h"
#include "util/grow.h"
#include "util/i18n.h"

enum {
    LEVELS = 3,          /* 类, 款, 项 */
    MIN_FUZZY_NAME = 5,  /* characters: shorter names are too like other words */
    MAX_CHAIN = 64,      /* names sharing a half gone through for one lookup */
    MAX_CODE_DIGITS = 16,
};

/* A 科目 code's level by its length: 类 3 digits, 款 5, 项 7 (the national 科目 codes). */
static const size_t level_digits[LEVELS] = {3, 5, 7};
static const uint32_t level_marks[LEVELS] = {0x7C7B /* 类 */, 0x6B3E /* 款 */, 0x9879 /* 项 */};

/* A name stated somewhere: the unit's or the department's (units.csv), or a 科目's (a row of
 * the unit's tables). */
typedef struct known {
    const char *text;
    const uint32_t *chars;
    size_t len;              /* characters */
    const char *code;        /* a 科目's code; NULL for the unit's and the department's names */
    int level;               /* a 科目's by its code (0 类, 1 款, 2 项), else -1 */
    const char *where;       /* FILE:LINE:COL where it is stated */
    size_t same_name;        /* the next 科目 of the level with this name (SIZE_MAX: none) */
    size_t same_head, same_tail; /* … whose first (last) half is this one's */
} known;

/* One run of printed text: the spans joined, and its characters with their byte offsets. */
typedef struct run {
    char *text;
    size_t len, capacity;
    size_t *starts; /* span i begins at byte starts[i] */
    size_t start_capacity;
    const gk_span *spans;
    size_t span_count;
    uint32_t *chars;
    size_t *at; /* at[i]: byte offset of character i; at[n] = len */
    size_t n, char_capacity;
} run;

/* A 科目 of the names, by its code. */
typedef struct coded {
    const char *code;
    size_t index;
} coded;

typedef enum name_kind { UNIT_NAME, DEPARTMENT_NAME, SUBJECT_NAME } name_kind;

/* A finding of a run, made before the run's findings are sorted into text order. */
typedef struct pending {
    size_t start, end; /* characters of the text found */
    const known *expected;
} pending;

typedef struct names_check {
    const gk_package *pkg;
    const gk_rule *rule;
    size_t unit;
    gk_findings *out;
    bool failed;
    gk_arena arena;
    known *names;
    size_t count, capacity;
    size_t unit_name, department_name;
    char tags[4 + 3 * LEVELS]; /* distinct addresses: the maps' key kinds */
    key_map by_code, by_name, by_half;
    size_t *lengths[LEVELS]; /* distinct byte lengths of a level's names, longest first */
    size_t length_count[LEVELS];
    coded *by_level[LEVELS]; /* a level's names, by code: a 科目's children are neighbours */
    size_t level_count[LEVELS];
    size_t *distance, *previous; /* edit distances of a name to texts (distances) */
    size_t distance_capacity, previous_capacity;
    char *key; /* a text looked up */
    size_t key_capacity;
    run r;
    pending *pending;
    size_t pending_count, pending_capacity;
    const gk_narrative *narrative;
    gk_locator locator;
} names_check;

static const void *code_tag(const names_check *nc) { return &nc->tags[0]; }
static const void *name_tag(const names_check *nc, int level) { return &nc->tags[1 + level]; }
static const void *head_tag(const names_check *nc, int level)
{
    return &nc->tags[1 + LEVELS + level];
}
static const void *tail_tag(const names_check *nc, int level)
{
    return &nc->tags[1 + 2 * LEVELS + level];
}

/* ---- characters ------------------------------------------------------------------------------ */

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_latin(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* What a reader does not see between a code and its name. */
static bool is_gap(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == 0xA0 || (c >= 0x2000 && c <= 0x200D) ||
           c == 0x202F || c == 0x3000 || c == 0xFEFF;
}

/* Where a name ends: a gap or punctuation that no 科目 name holds (parentheses may: 维修(护)费). */
static bool is_delimiter(uint32_t c)
{
    static const uint32_t marks[] = {',', '.', ';', ':', '!', '?', '"', '\'', 0xFF0C, 0x3002,
                                     0xFF1B, 0xFF1A, 0x3001, 0xFF01, 0xFF1F, 0x201C, 0x201D,
                                     0x2018, 0x2019, 0x300A, 0x300B, 0x3010, 0x3011};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (c == marks[i])
            return true;
    return is_gap(c);
}

/* Numerals: 第一中学 and 第二中学 are two names, not one misspelt. */
static bool is_numeral(uint32_t c)
{
    static const uint32_t han[] = {0x96F6, 0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94,
                                   0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343};
    for (size_t i = 0; i < sizeof han / sizeof *han; i++)
        if (c == han[i])
            return true;
    return is_digit(c) || (c >= 0xFF10 && c <= 0xFF19);
}

/* The characters of text, decoded into arena memory. */
static uint32_t *decode_all(gk_arena *arena, const char *text, size_t *count)
{
    size_t bytes = strlen(text);
    uint32_t *chars = gk_arena_alloc(arena, (bytes + 1) * sizeof *chars);
    *count = 0;
    for (size_t i = 0; chars != NULL && i < bytes;)
        i += gk_utf8_next(text, bytes, i, &chars[(*count)++]);
    return chars;
}

/* ---- the names ------------------------------------------------------------------------------- */

/* The byte offset of character `chars` of a name. */
static size_t name_bytes(const known *k, size_t chars)
{
    size_t at = 0, bytes = strlen(k->text);
    for (size_t i = 0; i < chars; i++) {
        uint32_t cp;
        at += gk_utf8_next(k->text, bytes, at, &cp);
    }
    return at;
}

/* Adds `index` to the chain of names under (tag, text) in map; `next` is its link. */
static bool chain(key_map *map, const void *tag, const char *text, size_t index, size_t *next)
{
    bool added = false;
    size_t *first = key_map_put(map, tag, text, index, &added);
    if (first == NULL)
        return false;
    *next = added ? SIZE_MAX : *first;
    *first = index;
    return true;
}

/* Notes a 科目 name in the maps: by code (the first row naming a code keeps it), by name and by
 * its halves within its level. */
static bool index_subject(names_check *nc, size_t index)
{
    known *k = &nc->names[index];
    bool added = false;
    if (key_map_put(&nc->by_code, code_tag(nc), k->code, index, &added) == NULL)
        return false;
    if (k->level < 0)
        return true;
    size_t half = name_bytes(k, k->len / 2);
    const char *head = gk_arena_strndup(&nc->arena, k->text, half);
    const char *tail = k->text + half;
    return head != NULL &&
           chain(&nc->by_name, name_tag(nc, k->level), k->text, index, &k->same_name) &&
           chain(&nc->by_half, head_tag(nc, k->level), head, index, &k->same_head) &&
           chain(&nc->by_half, tail_tag(nc, k->level), tail, index, &k->same_tail);
}

static size_t add_name(names_check *nc, const char *text, const char *code, const char *file,
                       int line, int column)
{
    if (!gk_grow((void **)&nc->names, &nc->capacity, nc->count, sizeof *nc->names, 64))
        return SIZE_MAX;
    known *k = &nc->names[nc->count];
    *k = (known){.text = text, .code = code, .level = -1};
    k->chars = decode_all(&nc->arena, text, &k->len);
    k->where = gk_arena_printf(&nc->arena, "%s:%d:%d", file, line, column);
    for (int l = 0; code != NULL && l < LEVELS; l++)
        if (strlen(code) == level_digits[l])
            k->level = l;
    if (k->chars == NULL || k->where == NULL)
        return SIZE_MAX;
    return nc->count++;
}

/* The code a row gives a 科目: its code columns' digits joined up to the first blank one
 * (into buf); false when it has none or they are not all digits. */
static bool row_code(const gk_subject_source *s, const gk_data_row *row, char *buf, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < s->code_count; i++) {
        const gk_value *v = &row->values[s->code_fields[i]];
        if (v->kind != GK_VALUE_TEXT || v->text[0] == '\0')
            break;
        for (const char *p = v->text; *p; p++)
            if (!is_digit((unsigned char)*p) || used + 1 >= size)
                return false;
        used += (size_t)snprintf(buf + used, size - used, "%s", v->text);
    }
    return used > 0;
}

static bool collect_subjects(names_check *nc)
{
    for (size_t s = 0; s < nc->rule->subject_count; s++) {
        const gk_subject_source *src = &nc->rule->subjects[s];
        const gk_table_data *data = gk_package_table(nc->pkg, src->table);
        for (size_t r = 0; data && r < data->row_count; r++, gk_steps++) {
            const gk_data_row *row = &data->rows[r];
            const gk_value *name = &row->values[src->name_field];
            char code[MAX_CODE_DIGITS + 1];
            if (row->unit != nc->unit || row->computed || name->kind != GK_VALUE_TEXT ||
                !row_code(src, row, code, sizeof code) ||
                key_map_get(&nc->by_code, code_tag(nc), code) != NULL)
                continue;
            const char *kept = gk_arena_strdup(&nc->arena, code);
            size_t i = kept ? add_name(nc, name->text, kept, row->file, row->line,
                                       row->columns[src->name_field])
                            : SIZE_MAX;
            if (i == SIZE_MAX || !index_subject(nc, i))
                return false;
        }
    }
    return true;
}

static int longest_first(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Each level's distinct name lengths (in bytes): a text is looked up once per length. */
static bool collect_lengths(names_check *nc)
{
    for (int l = 0; l < LEVELS; l++) {
        size_t *lengths = gk_arena_alloc(&nc->arena, (nc->count + 1) * sizeof *lengths);
        if (lengths == NULL)
            return false;
        size_t count = 0;
        for (size_t i = 0; i < nc->count; i++)
            if (nc->names[i].level == l)
                lengths[count++] = strlen(nc->names[i].text);
        qsort(lengths, count, sizeof *lengths, longest_first);
        size_t kept = 0;
        for (size_t i = 0; i < count; i++, gk_steps++)
            if (kept == 0 || lengths[kept - 1] != lengths[i])
                lengths[kept++] = lengths[i];
        nc->lengths[l] = lengths;
        nc->length_count[l] = kept;
    }
    return true;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const coded *)a)->code, ((const coded *)b)->code);
}

/* Each level's names sorted by code: the candidates a near name is looked for among. */
static bool collect_levels(names_check *nc)
{
    for (int l = 0; l < LEVELS; l++) {
        coded *list = gk_arena_alloc(&nc->arena, (nc->count + 1) * sizeof *list);
        if (list == NULL)
            return false;
        size_t count = 0;
        for (size_t i = 0; i < nc->count; i++, gk_steps++)
            if (nc->names[i].level == l)
                list[count++] = (coded){nc->names[i].code, i};
        qsort(list, count, sizeof *list, by_code);
        nc->by_level[l] = list;
        nc->level_count[l] = count;
    }
    return true;
}

static bool collect_names(names_check *nc)
{
    const gk_unit *unit = &nc->pkg->units[nc->unit];
    const char *units_csv = gk_arena_printf(&nc->arena, "%s/units.csv", nc->pkg->dir);
    if (units_csv == NULL)
        return false;
    nc->unit_name = add_name(nc, unit->name, NULL, units_csv, unit->line, unit->name_column);
    nc->department_name = add_name(nc, unit->department_name, NULL, units_csv, unit->line,
                                   unit->department_name_column);
    return nc->unit_name != SIZE_MAX && nc->department_name != SIZE_MAX &&
           collect_subjects(nc) && collect_lengths(nc) && collect_levels(nc);
}

/* ---- looking names up in the text ---------------------------------------------------------- */

/* The 科目 name of `level` that is the run's bytes [from, to) (SIZE_MAX: none); `tag` picks the
 * map (by name, by first or last half). */
static size_t lookup(names_check *nc, const key_map *map, const void *tag, size_t from, size_t to)
{
    size_t len = to - from;
    if (len + 1 > nc->key_capacity) {
        char *bigger = realloc(nc->key, (len + 1) * 2);
        if (bigger == NULL) {
            nc->failed = true;
            return SIZE_MAX;
        }
        nc->key = bigger;
        nc->key_capacity = (len + 1) * 2;
    }
    memcpy(nc->key, nc->r.text + from, len);
    nc->key[len] = '\0';
    gk_steps += len;
    const size_t *found = key_map_get(map, tag, nc->key);
    return found ? *found : SIZE_MAX;
}

/* Whether a byte offset of the run starts a character. */
static bool boundary(const run *r, size_t byte)
{
    return byte <= r->len && (byte == r->len || ((unsigned char)r->text[byte] & 0xC0) != 0x80);
}

/* The longest 科目 name of the level that starts at byte `from` (start) or ends at byte `from`
 * (!start); SIZE_MAX when none does. */
static size_t name_at(names_check *nc, int level, size_t from, bool start)
{
    for (size_t i = 0; i < nc->length_count[level]; i++) {
        size_t len = nc->lengths[level][i];
        if (start ? from + len > nc->r.len : len > from)
            continue;
        size_t a = start ? from : from - len, b = a + len;
        if (!boundary(&nc->r, a) || !boundary(&nc->r, b))
            continue;
        size_t k = lookup(nc, &nc->by_name, name_tag(nc, level), a, b);
        if (k != SIZE_MAX)
            return k;
    }
    return SIZE_MAX;
}

/* Whether the run's characters [a, a + tn) are k's name with one character changed, added or
 * left out (not the name itself). With `interior`, the change lies at least two characters
 * in from either end: a name followed or preceded by other words is not misspelt. */
static bool one_edit(const names_check *nc, size_t a, size_t tn, const known *k, bool interior)
{
    const uint32_t *t = nc->r.chars + a, *n = k->chars;
    size_t nn = k->len;
    if (tn + 1 < nn || tn > nn + 1 || a + tn > nc->r.n)
        return false;
    size_t p = 0, s = 0;
    while (p < tn && p < nn && t[p] == n[p])
        p++;
    if (p == tn && p == nn)
        return false; /* the name itself */
    while (s < tn - p && s < nn - p && t[tn - 1 - s] == n[nn - 1 - s])
        s++;
    gk_steps += p + s + 1;
    size_t longer = tn > nn ? tn : nn;
    if (p + s + 1 != longer || (interior && (p < 2 || s < 2)))
        return false;
    return !(tn == nn && is_numeral(t[p]) && is_numeral(n[p]));
}

/* Whether the run's characters from a start with k's name. */
static bool starts_with(const names_check *nc, size_t a, const known *k)
{
    if (a + k->len > nc->r.n)
        return false;
    gk_steps += k->len;
    return memcmp(nc->r.chars + a, k->chars, k->len * sizeof *k->chars) == 0;
}

static void add_pending(names_check *nc, size_t start, size_t end, const known *expected)
{
    if (!gk_grow((void **)&nc->pending, &nc->pending_capacity, nc->pending_count,
                 sizeof *nc->pending, 16)) {
        nc->failed = true;
        return;
    }
    nc->pending[nc->pending_count++] = (pending){start, end, expected};
}

/* ---- 科目 names farther off ---- */

/* Edits a 科目 name of len characters may be off by and still be that name: one, and one more
 * per five characters of a long name (文化体育与传媒支出 for 文化旅游体育与传媒支出). */
static size_t allowed_edits(size_t len)
{
    return len / 5 > 1 ? len / 5 : 1;
}

/* Whether the run's characters [a, a + tn) are k's name with characters left out, two thirds
 * of a name of MIN_FUZZY_NAME characters or more kept (社会保障支出 for 社会保障和就业支出). */
static bool omission(const names_check *nc, size_t a, size_t tn, const known *k)
{
    if (k->len < MIN_FUZZY_NAME || tn >= k->len || 3 * tn < 2 * k->len)
        return false;
    size_t kept = 0;
    for (size_t j = 0; j < k->len && kept < tn; j++, gk_steps++)
        if (nc->r.chars[a + kept] == k->chars[j])
            kept++;
    return kept == tn;
}

/* Whether the text [a, a + tn), d edits away from k's name, is that name written otherwise. */
static bool near_enough(const names_check *nc, size_t a, size_t tn, const known *k, size_t d)
{
    return d > 0 && tn > 0 && (d <= allowed_edits(k->len) || omission(nc, a, tn, k));
}

/* Into nc->distance[j] (j = 0 … room): the edit distance of k's name to the run's text of j
 * characters that starts at character `at` (forward) or ends there (!forward); false when
 * out of memory. One row of the edit-distance table at a time: room × the name's length. */
static bool distances(names_check *nc, const known *k, size_t at, bool forward, size_t room)
{
    if (!gk_reserve((void **)&nc->distance, &nc->distance_capacity, room + 1, sizeof(size_t)) ||
        !gk_reserve((void **)&nc->previous, &nc->previous_capacity, room + 1, sizeof(size_t))) {
        nc->failed = true;
        return false;
    }
    size_t *row = nc->distance, *above = nc->previous;
    for (size_t j = 0; j <= room; j++)
        row[j] = j;
    for (size_t i = 1; i <= k->len; i++) {
        size_t *swap = above;
        above = row;
        row = swap;
        uint32_t name_char = k->chars[forward ? i - 1 : k->len - i];
        row[0] = i;
        for (size_t j = 1; j <= room; j++) {
            uint32_t text_char = nc->r.chars[forward ? at + j - 1 : at - j];
            size_t best = above[j - 1] + (text_char != name_char);
            if (above[j] + 1 < best)
                best = above[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
        }
        gk_steps += room;
    }
    if (row != nc->distance)
        memcpy(nc->distance, row, (room + 1) * sizeof *row);
    return true;
}

/* Characters of the run from `at` on (forward) or before it that can be one name: up to a
 * delimiter, or back to a closing parenthesis (after （十二）), or on to a figure or an opening
 * parenthesis (a marker); at most k's length and the edits it allows. */
static size_t room_for(const names_check *nc, const known *k, size_t at, bool forward)
{
    size_t most = k->len + allowed_edits(k->len), room = 0;
    for (; room < most; room++) {
        if (forward ? at + room >= nc->r.n : room >= at)
            break;
        uint32_t c = nc->r.chars[forward ? at + room : at - room - 1];
        if (is_delimiter(c) || (forward ? is_digit(c) || c == 0xFF08 || c == '('
                                        : c == 0xFF09 || c == ')'))
            break;
    }
    return room;
}

/* The text starting at character `at` (forward) or ending there that is nearest to k's name,
 * the shortest of the nearest (*tn characters, *d edits); false when none is near enough. */
static bool nearest_text(names_check *nc, const known *k, size_t at, bool forward, size_t *tn,
                         size_t *d)
{
    size_t room = room_for(nc, k, at, forward);
    if (room == 0 || !distances(nc, k, at, forward, room))
        return false;
    *tn = 1;
    for (size_t j = 2; j <= room; j++)
        if (nc->distance[j] < nc->distance[*tn])
            *tn = j;
    *d = nc->distance[*tn];
    return near_enough(nc, forward ? at : at - *tn, *tn, k, *d);
}

/* Among a level's names whose codes start with `prefix` ("" for all), the one nearest to the
 * run's characters [a, a + tn), when it is near enough and no other name is as near; else
 * SIZE_MAX. Only a 科目's children or the few 类 are gone through, never every name. */
static size_t nearest_of(names_check *nc, int level, const char *prefix, size_t a, size_t tn)
{
    const coded *list = nc->by_level[level];
    size_t lo = 0, hi = nc->level_count[level], plen = strlen(prefix);
    while (lo < hi) { /* the first code not below the prefix */
        size_t mid = (lo + hi) / 2;
        if (strcmp(list[mid].code, prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t found = SIZE_MAX, best = SIZE_MAX;
    bool tie = false;
    for (size_t i = lo; i < nc->level_count[level] && !nc->failed &&
                        strncmp(list[i].code, prefix, plen) == 0;
         i++) {
        const known *k = &nc->names[list[i].index];
        if (!distances(nc, k, a, true, tn))
            return SIZE_MAX;
        size_t d = nc->distance[tn];
        if (!near_enough(nc, a, tn, k, d) || d > best)
            continue;
        if (d == best) { /* two names as near: neither is meant, unless they are one name */
            tie = tie || strcmp(nc->names[found].text, k->text) != 0;
            continue;
        }
        tie = false;
        best = d;
        found = list[i].index;
    }
    return tie ? SIZE_MAX : found;
}

/* ---- the unit's and the department's names ---- */

/* Whether the text found at [a, a + tn) is part of a name of a unit of the department (or of
 * the department's) that the text holds there whole: 乐山市人力资源和社会保障 in the unit's
 * name is not the department's name misspelt. Only misspellings get here: rare. */
static bool inside_a_known_name(const names_check *nc, size_t a, size_t tn)
{
    const size_t *members;
    size_t count = gk_package_department_units(nc->pkg, nc->pkg->units[nc->unit].department_code,
                                               &members);
    for (size_t m = 0; m <= count; m++) {
        const gk_unit *u = &nc->pkg->units[m < count ? members[m] : nc->unit];
        const char *names[] = {u->name, u->department_name};
        for (int w = 0; w < 2; w++) {
            size_t len = 0;
            gk_arena scratch = {0};
            const uint32_t *chars = decode_all(&scratch, names[w], &len);
            bool inside = false;
            for (size_t o = 0; chars != NULL && !inside && o + tn <= len && o <= a; o++) {
                gk_steps++;
                inside = a - o + len <= nc->r.n &&
                         memcmp(nc->r.chars + a - o, chars, len * sizeof *chars) == 0;
            }
            gk_arena_free(&scratch);
            if (inside)
                return true;
        }
    }
    return false;
}

/* A text of tn characters at a that is k misspelt, unless already found or part of a name. */
static void unit_candidate(names_check *nc, const known *k, size_t a, size_t tn, size_t *last_end)
{
    if (a < *last_end || !one_edit(nc, a, tn, k, true) || inside_a_known_name(nc, a, tn))
        return;
    add_pending(nc, a, a + tn, k);
    *last_end = a + tn;
}

/* Where one of k's halves occurs, the texts around it that are one change away from k. */
static void find_misspelt(names_check *nc, const known *k)
{
    if (k->len < MIN_FUZZY_NAME)
        return;
    size_t head = k->len / 2, tail = k->len - head, last_end = 0;
    const run *r = &nc->r;
    for (size_t i = 0; i < r->n && !nc->failed; i++, gk_steps++) {
        if (r->chars[i] == k->chars[0] && i + head <= r->n &&
            memcmp(r->chars + i, k->chars, head * sizeof *k->chars) == 0)
            for (size_t tn = k->len - 1; tn <= k->len + 1; tn++)
                unit_candidate(nc, k, i, tn, &last_end);
        if (r->chars[i] == k->chars[head] && i + tail <= r->n &&
            memcmp(r->chars + i, k->chars + head, tail * sizeof *k->chars) == 0)
            for (size_t tn = k->len - 1; tn <= k->len + 1; tn++)
                if (i + tail >= tn)
                    unit_candidate(nc, k, i + tail - tn, tn, &last_end);
    }
}

/* ---- a code followed by its name ---- */

/* Whether characters [a, b) could be one name: not empty, no gap or punctuation in them. */
static bool one_name(const run *r, size_t a, size_t b)
{
    if (a >= b)
        return false;
    for (size_t i = a; i < b; i++)
        if (is_delimiter(r->chars[i]))
            return false;
    return true;
}

/* After a code of 科目 k, the name at character c: k's own, else a misspelling of it or another
 * 科目's name of the level is a finding. */
static void check_named_code(names_check *nc, const known *k, size_t c)
{
    const run *r = &nc->r;
    if (c >= r->n || starts_with(nc, c, k))
        return;
    const size_t lengths[] = {k->len, k->len + 1, k->len - 1};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        size_t tn = lengths[i], end = c + tn;
        if (tn == 0 || end > r->n || !one_name(r, c, end) || !one_edit(nc, c, tn, k, false))
            continue;
        /* a change in the last character: only where the name ends (住房公积 金额 is no
           misspelt 住房公积金) */
        bool last_kept = r->chars[end - 1] == k->chars[k->len - 1];
        if (last_kept || end == r->n || is_delimiter(r->chars[end])) {
            add_pending(nc, c, end, k);
            return;
        }
    }
    size_t other = k->level < 0 ? SIZE_MAX : name_at(nc, k->level, r->at[c], true);
    if (other != SIZE_MAX && strcmp(nc->names[other].text, k->text) != 0) {
        add_pending(nc, c, c + nc->names[other].len, k);
        return;
    }
    size_t tn, d; /* farther off: characters changed or left out */
    if (other == SIZE_MAX && nearest_text(nc, k, c, true, &tn, &d))
        add_pending(nc, c, c + tn, k);
}

/* Every run of digits that is a 科目 code of the tables, not part of a figure (12.5, 1,000). */
static void find_codes(names_check *nc)
{
    const run *r = &nc->r;
    for (size_t i = 0; i < r->n && !nc->failed;) {
        if (!is_digit(r->chars[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < r->n && is_digit(r->chars[j]))
            j++;
        gk_steps += j - i;
        uint32_t before = i > 0 ? r->chars[i - 1] : ' ', after = j < r->n ? r->chars[j] : ' ';
        bool part_of_figure = before == '.' || before == ',' || is_latin(before) ||
                              after == '.' || after == ',' || is_latin(after);
        size_t k = SIZE_MAX;
        if (!part_of_figure && j - i >= 3 && j - i <= MAX_CODE_DIGITS)
            k = lookup(nc, &nc->by_code, code_tag(nc), r->at[i], r->at[j]);
        if (k != SIZE_MAX) {
            size_t c = j;
            while (c < r->n && is_gap(r->chars[c]))
                c++;
            check_named_code(nc, &nc->names[k], c);
        }
        i = j;
    }
}

/* ---- the （类）（款）（项） form ---- */

/* One name of a chain X（类）Y（款）Z（项）. */
typedef struct part {
    int level;
    size_t start, end; /* characters; the first part's start is not known (its end is) */
    bool exact;        /* it starts where the marker before it ends */
    size_t resolved;   /* the 科目 it names, or SIZE_MAX */
} part;

/* Whether a 科目's code lies under another's (or the other is none). */
static bool under(const names_check *nc, size_t child, size_t parent)
{
    if (parent == SIZE_MAX)
        return true;
    const char *p = nc->names[parent].code;
    return strncmp(nc->names[child].code, p, strlen(p)) == 0;
}

/* The 科目 of the level named by the part's text exactly (under the parent's code when several
 * share the name). */
static size_t resolve_exact(names_check *nc, const part *p, size_t parent)
{
    size_t k = lookup(nc, &nc->by_name, name_tag(nc, p->level), nc->r.at[p->start],
                      nc->r.at[p->end]);
    size_t first = k;
    for (size_t steps = 0; k != SIZE_MAX && steps < MAX_CHAIN; steps++, gk_steps++) {
        if (under(nc, k, parent))
            return k;
        k = nc->names[k].same_name;
    }
    return first;
}

/* The one 科目 name of the level (under the parent) that the part's exact text misspells,
 * found through the names sharing its first or last half; SIZE_MAX when none or several, or
 * when the text is short and no parent is known. */
static size_t near_name(names_check *nc, const part *p, size_t parent)
{
    size_t found = SIZE_MAX, tn = p->end - p->start;
    /* with no parent to say which 科目 is meant, a short name one character off another is
       as likely another word (水利（款） is no misspelt 水费) */
    if (parent == SIZE_MAX && tn < MIN_FUZZY_NAME)
        return SIZE_MAX;
    for (size_t nn = tn > 1 ? tn - 1 : 1; nn <= tn + 1 && !nc->failed; nn++) {
        size_t head = nn / 2, tail = nn - head;
        for (int side = 0; side < 2; side++) {
            size_t a = side == 0 ? p->start : p->end >= tail ? p->end - tail : p->start;
            size_t b = side == 0 ? p->start + head : p->end;
            if (b > p->end || a < p->start || a >= b)
                continue;
            size_t k = lookup(nc, &nc->by_half, side == 0 ? head_tag(nc, p->level)
                                                          : tail_tag(nc, p->level),
                              nc->r.at[a], nc->r.at[b]);
            for (size_t steps = 0; k != SIZE_MAX && steps < MAX_CHAIN; steps++, gk_steps++) {
                const known *n = &nc->names[k];
                if (n->len == nn && under(nc, k, parent) && one_edit(nc, p->start, tn, n, false)) {
                    if (found != SIZE_MAX && strcmp(nc->names[found].text, n->text) != 0)
                        return SIZE_MAX; /* two names as near: neither is meant */
                    found = k;
                }
                k = side == 0 ? n->same_head : n->same_tail;
            }
        }
    }
    return found;
}

/* The 科目 of a part's level that the chain's deepest named 科目 lies under (SIZE_MAX: none). */
static size_t expected_by_child(names_check *nc, const part *parts, size_t count, size_t i)
{
    for (size_t d = count; d-- > i + 1;) {
        if (parts[d].resolved == SIZE_MAX)
            continue;
        const char *code = nc->names[parts[d].resolved].code;
        size_t digits = level_digits[parts[i].level];
        if (strlen(code) <= digits)
            return SIZE_MAX;
        char prefix[MAX_CODE_DIGITS + 1];
        snprintf(prefix, sizeof prefix, "%.*s", (int)digits, code);
        const size_t *k = key_map_get(&nc->by_code, code_tag(nc), prefix);
        return k ? *k : SIZE_MAX;
    }
    return SIZE_MAX;
}

/* A 类 before its marker with nothing after it to say which (文化体育与传媒支出（类）86.55 万元):
 * the 类 of the tables nearest to a text ending at the marker, when only one is that near. */
static void nearest_class(names_check *nc, const part *p)
{
    size_t found = SIZE_MAX, found_len = 0;
    for (size_t i = 0; i < nc->level_count[0] && !nc->failed; i++) {
        const known *k = &nc->names[nc->by_level[0][i].index];
        size_t tn, d;
        if (!nearest_text(nc, k, p->end, false, &tn, &d))
            continue;
        if (found != SIZE_MAX && strcmp(nc->names[found].text, k->text) != 0)
            return; /* two 类 as near: neither is meant */
        found = nc->by_level[0][i].index;
        found_len = tn;
    }
    if (found != SIZE_MAX)
        add_pending(nc, p->end - found_len, p->end, &nc->names[found]);
}

/* The first part, whose start is not marked: a name of the tables that ends at the marker, or
 * when the part below says which one it should be, a misspelling of that one. */
static void check_first_part(names_check *nc, part *p, size_t expected)
{
    if (expected == SIZE_MAX && p->resolved == SIZE_MAX) {
        /* no name below it says which: the text back to a delimiter (or a closing parenthesis,
           as after （十二）), one character off a single name of the level */
        while (p->start > 0 && !is_delimiter(nc->r.chars[p->start - 1]) &&
               nc->r.chars[p->start - 1] != 0xFF09 && nc->r.chars[p->start - 1] != ')')
            p->start--;
        gk_steps += p->end - p->start;
        expected = p->start < p->end ? near_name(nc, p, SIZE_MAX) : SIZE_MAX;
        if (expected != SIZE_MAX)
            add_pending(nc, p->start, p->end, &nc->names[expected]);
        else if (p->level == 0)
            nearest_class(nc, p);
        return;
    }
    if (expected == SIZE_MAX)
        return;
    const known *k = &nc->names[expected];
    if (p->resolved != SIZE_MAX) { /* another 科目's name: the chain does not hold together */
        if (strcmp(nc->names[p->resolved].text, k->text) != 0)
            add_pending(nc, p->start, p->end, k);
        return;
    }
    size_t tn, d;
    if (nearest_text(nc, k, p->end, false, &tn, &d))
        add_pending(nc, p->end - tn, p->end, k);
}

static void check_chain(names_check *nc, part *parts, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t parent = i > 0 ? parts[i - 1].resolved : SIZE_MAX;
        if (!parts[i].exact) {
            parts[i].resolved = name_at(nc, parts[i].level, nc->r.at[parts[i].end], false);
            if (parts[i].resolved != SIZE_MAX)
                parts[i].start = parts[i].end - nc->names[parts[i].resolved].len;
        } else {
            parts[i].resolved = resolve_exact(nc, &parts[i], parent);
        }
    }
    for (size_t i = 0; i < count && !nc->failed; i++) {
        part *p = &parts[i];
        size_t expected = expected_by_child(nc, parts, count, i);
        if (!p->exact) {
            check_first_part(nc, p, expected);
        } else if (p->resolved != SIZE_MAX) {
            if (expected != SIZE_MAX &&
                strcmp(nc->names[expected].text, nc->names[p->resolved].text) != 0)
                add_pending(nc, p->start, p->end, &nc->names[expected]);
        } else {
            size_t parent = i > 0 ? parts[i - 1].resolved : SIZE_MAX;
            if (expected == SIZE_MAX)
                expected = near_name(nc, p, parent);
            if (expected == SIZE_MAX && parent != SIZE_MAX) /* farther off: among its siblings */
                expected = nearest_of(nc, p->level, nc->names[parent].code, p->start,
                                      p->end - p->start);
            if (expected != SIZE_MAX)
                add_pending(nc, p->start, p->end, &nc->names[expected]);
        }
    }
}

/* The level of a marker （类） / (类) … at character i, or -1. */
static int marker_at(const run *r, size_t i)
{
    if (i + 2 >= r->n || (r->chars[i] != 0xFF08 && r->chars[i] != '(') ||
        (r->chars[i + 2] != 0xFF09 && r->chars[i + 2] != ')'))
        return -1;
    for (int l = 0; l < LEVELS; l++)
        if (r->chars[i + 1] == level_marks[l])
            return l;
    return -1;
}

static void find_chains(names_check *nc)
{
    const run *r = &nc->r;
    part parts[LEVELS];
    size_t count = 0, chain_end = 0;
    for (size_t i = 0; i < r->n && !nc->failed; i++, gk_steps++) {
        int level = marker_at(r, i);
        if (level < 0)
            continue;
        bool continues = count > 0 && parts[count - 1].level < level && one_name(r, chain_end, i);
        if (!continues) {
            check_chain(nc, parts, count);
            count = 0;
        }
        parts[count++] = (part){level, continues ? chain_end : i, i, continues, SIZE_MAX};
        chain_end = i + 3;
        i += 2;
    }
    check_chain(nc, parts, count);
}

/* ---- runs of the narrative ------------------------------------------------------------------ */

/* The space the booklet sets between a figure and Han text (narrative.c): no part of what was
 * written, so not of a name (示例科目 000001 is 示例科目000001). */
static bool added_space(const gk_span *span)
{
    return !span->verbatim && strcmp(span->text, " ") == 0;
}

/* The run's text: its spans joined, the added spaces left out (they take no byte). */
static bool join_run(run *r, const gk_span *spans, size_t count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += added_space(&spans[i]) ? 0 : strlen(spans[i].text);
    size_t chars = r->char_capacity;
    if (!gk_reserve((void **)&r->starts, &r->start_capacity, count + 1, sizeof *r->starts) ||
        !gk_reserve((void **)&r->text, &r->capacity, total + 1, 1) ||
        !gk_reserve((void **)&r->chars, &chars, total + 1, sizeof *r->chars) ||
        !gk_reserve((void **)&r->at, &r->char_capacity, total + 1, sizeof *r->at))
        return false;
    r->len = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = added_space(&spans[i]) ? 0 : strlen(spans[i].text);
        r->starts[i] = r->len;
        memcpy(r->text + r->len, spans[i].text, n);
        r->len += n;
    }
    r->starts[count] = r->len;
    r->text[r->len] = '\0';
    r->spans = spans;
    r->span_count = count;
    r->n = 0;
    for (size_t i = 0; i < r->len; r->n++, gk_steps++) {
        r->at[r->n] = i;
        i += gk_utf8_next(r->text, r->len, i, &r->chars[r->n]);
    }
    r->at[r->n] = r->len;
    return true;
}

/* The parsed-text offset of byte i of the run. */
static size_t parsed_offset(const run *r, size_t i)
{
    size_t lo = 0, hi = r->span_count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (r->starts[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    const gk_span *sp = &r->spans[lo];
    return sp->source + (sp->verbatim ? i - r->starts[lo] : 0);
}

static int by_start(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The run's findings in text order, at their positions in the Markdown as written; a name a
 * placeholder printed ({{unit}}) is the name itself and never a finding. */
static void report_run(names_check *nc)
{
    if (nc->pending_count > 1)
        qsort(nc->pending, nc->pending_count, sizeof *nc->pending, by_start);
    for (size_t i = 0; i < nc->pending_count && !nc->failed; i++) {
        const pending *p = &nc->pending[i];
        int line = 0, column = 0;
        if (gk_locate(&nc->locator, parsed_offset(&nc->r, nc->r.at[p->start]), &line, &column))
            continue;
        const known *k = p->expected;
        char message[512];
        if (k->code != NULL)
            /* TRANSLATORS: %s is a 科目 code (2080505); the narrative names it otherwise than
               the tables do. */
            snprintf(message, sizeof message, _("科目 %s is named otherwise in the tables"),
                     k->code);
        else
            snprintf(message, sizeof message, "%s",
                     k == &nc->names[nc->unit_name] ? _("the unit's name is misspelt")
                                                    : _("the department's name is misspelt"));
        gk_finding *f = gk_findings_add(nc->out, GK_ERROR, nc->rule->id, nc->unit,
                                        nc->narrative->path, line, column, message);
        const char *expected = gk_arena_printf(&nc->out->arena, "%s (%s)", k->text, k->where);
        const char *found = gk_arena_strndup(&nc->out->arena, nc->r.text + nc->r.at[p->start],
                                             nc->r.at[p->end] - nc->r.at[p->start]);
        if (f == NULL || expected == NULL || found == NULL) {
            nc->failed = true;
            return;
        }
        f->expected = expected;
        f->found = found;
    }
    nc->pending_count = 0;
}

static void check_run(names_check *nc, const gk_span *spans, size_t count)
{
    if (!join_run(&nc->r, spans, count)) {
        nc->failed = true;
        return;
    }
    find_misspelt(nc, &nc->names[nc->unit_name]);
    if (strcmp(nc->names[nc->department_name].text, nc->names[nc->unit_name].text) != 0)
        find_misspelt(nc, &nc->names[nc->department_name]);
    find_codes(nc);
    find_chains(nc);
    report_run(nc);
}

static void check_narrative(names_check *nc, const gk_narrative *narrative)
{
    nc->narrative = narrative;
    gk_locator_init(&nc->locator, narrative);
    for (size_t b = 0; b < narrative->count && !nc->failed; b++) {
        const gk_block *block = &narrative->blocks[b];
        if (block->kind != GK_BLOCK_TABLE) {
            check_run(nc, block->spans, block->span_count);
            continue;
        }
        for (size_t c = 0; c < block->rows * block->cols && !nc->failed; c++)
            check_run(nc, block->spans + block->cell_spans[c],
                      block->cell_spans[c + 1] - block->cell_spans[c]);
    }
}

gk_status gk_check_names(const gk_package *pkg, const gk_rule *rule, size_t unit,
                         const gk_document *doc, gk_findings *findings, gk_diag *diag)
{
    names_check nc = {.pkg = pkg, .rule = rule, .unit = unit, .out = findings};
    nc.failed = !collect_names(&nc);
    for (size_t part = 0; !nc.failed && part < doc->part_count; part++)
        if (!doc->parts[part].tables)
            check_narrative(&nc, &doc->parts[part].narrative);
    key_map_free(&nc.by_code);
    key_map_free(&nc.by_name);
    key_map_free(&nc.by_half);
    free(nc.names);
    free(nc.key);
    free(nc.pending);
    free(nc.distance);
    free(nc.previous);
    free(nc.r.text);
    free(nc.r.starts);
    free(nc.r.chars);
    free(nc.r.at);
    gk_arena_free(&nc.arena);
    if (nc.failed)
        return gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    return GK_OK;
}
