/* Loading the rule catalogue (rules.yaml); see check.h and docs/checks.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "layout/yaml_reader.h"
#include "util/i18n.h"
#include "util/input_file.h"

enum { MAX_RULES = 256, MAX_LIST = 64 };

typedef struct rule_loader {
    gk_yaml_doc *yd;
    const gk_profile *profile;
    gk_rules *rules;
    gk_rule *rule;
    yaml_node_t *node;
    yaml_node_t *check, *from, *in, *amount, *tables, *table, *by, *digits, *by_prefix, *subjects;
} rule_loader;

static gk_status nomem(gk_yaml_doc *yd)
{
    return gk_diag_set(yd->diag, GK_ERR_NOMEM, yd->path, 0, 0, "out of memory");
}

static gk_status r_id(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    rule_loader *rl = p;
    gk_status status = gk_yaml_string(yd, v, &rl->rule->id);
    for (size_t i = 0; status == GK_OK && i < rl->rules->count; i++)
        if (strcmp(rl->rules->rules[i].id, rl->rule->id) == 0)
            /* TRANSLATORS: %s is a rule id (SUM-LEVELS), written in rules.yaml. */
            status = gk_yaml_error(yd, v, "rule id '%s' is used twice", rl->rule->id);
    return status;
}
/* The rule kinds as rules.yaml names them, in the order of gk_rule_kind. */
static const char *const kind_names[] = {"hierarchy", "row",     "compare",   "lookup",
                                         "identity",  "derived", "codes",     "present",
                                         "narrative", "names"};

static gk_status r_kind(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    int kind = 0;
    gk_status status = gk_yaml_choice(yd, v, kind_names,
                                      (int)(sizeof kind_names / sizeof *kind_names), &kind);
    ((rule_loader *)p)->rule->kind = (gk_rule_kind)kind;
    return status;
}
static gk_status r_rounding(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((rule_loader *)p)->rule->rounding);
}
static gk_status r_description(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((rule_loader *)p)->rule->description);
}
#define KEEP(field)                                                                            \
    static gk_status r_##field(gk_yaml_doc *yd, yaml_node_t *v, void *p)                       \
    {                                                                                          \
        (void)yd;                                                                              \
        ((rule_loader *)p)->field = v;                                                         \
        return GK_OK;                                                                          \
    }
KEEP(check)
KEEP(from)
KEEP(in)
KEEP(amount)
KEEP(tables)
KEEP(table)
KEEP(by)
KEEP(digits)
KEEP(by_prefix)
KEEP(subjects)

static const gk_yaml_key rule_keys[] = {
    {"id", r_id, true},          {"kind", r_kind, true},
    {"rounding", r_rounding, false}, {"description", r_description, true},
    {"check", r_check, false},   {"from", r_from, false},
    {"in", r_in, false},         {"amount", r_amount, false},
    {"tables", r_tables, false}, {"table", r_table, false},
    {"by", r_by, false},         {"digits", r_digits, false},
    {"by_prefix", r_by_prefix, false},
    {"subjects", r_subjects, false},
};

/* ---- resolving a rule's keys against the profile ---------------------------------------- */

static gk_status need(rule_loader *rl, yaml_node_t *node, const char *key)
{
    if (node == NULL)
        /* TRANSLATORS: a rule kind (hierarchy, row, …) and a key of rules.yaml; both are
           written in the file as they are and stay untranslated. */
        return gk_yaml_error(rl->yd, rl->node, "a '%s' rule needs '%s'",
                             kind_names[rl->rule->kind], key);
    return GK_OK;
}

/* need(), then the node's YAML type. */
static gk_status need_typed(rule_loader *rl, yaml_node_t *node, const char *key,
                            yaml_node_type_t type, const char *what)
{
    gk_status status = need(rl, node, key);
    return status != GK_OK ? status : gk_yaml_expect(rl->yd, node, type, what);
}

static gk_status table_by_id(rule_loader *rl, yaml_node_t *v, const gk_table_layout **out)
{
    const char *id = NULL;
    gk_status status = gk_yaml_string(rl->yd, v, &id);
    if (status != GK_OK)
        return status;
    *out = gk_profile_table(rl->profile, id);
    return *out ? GK_OK : gk_yaml_error(rl->yd, v, "the profile has no table '%s'", id);
}

static gk_status read_tables(rule_loader *rl)
{
    gk_yaml_doc *yd = rl->yd;
    gk_status status =
        need_typed(rl, rl->tables, "tables", YAML_SEQUENCE_NODE,
                   /* TRANSLATORS: what a value of rules.yaml should be, in "expected %s,
                      found %s". */
                   N_("a list of table ids"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = rl->tables->data.sequence.items.start;
    size_t count = (size_t)(rl->tables->data.sequence.items.top - start);
    const gk_table_layout **tables = gk_arena_alloc(yd->arena, (count + 1) * sizeof *tables);
    if (tables == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++)
        if ((status = table_by_id(rl, gk_yaml_node(yd, start[i]), &tables[i])) != GK_OK)
            return status;
    rl->rule->tables = tables;
    rl->rule->table_count = count;
    return GK_OK;
}

static gk_status read_comparison(rule_loader *rl, yaml_node_t *node)
{
    const char *text = NULL;
    char error[512];
    gk_status status = gk_yaml_string(rl->yd, node, &text);
    if (status == GK_OK && !gk_comparison_parse(rl->profile, text, rl->yd->arena, &rl->rule->left,
                                                &rl->rule->op, &rl->rule->right, error,
                                                sizeof error))
        status = gk_yaml_error_text(rl->yd, node, error);
    return status;
}

static gk_status read_row(rule_loader *rl)
{
    gk_status status = need(rl, rl->table, "table");
    if (status == GK_OK)
        status = need(rl, rl->check, "check");
    if (status == GK_OK)
        status = table_by_id(rl, rl->table, &rl->rule->table);
    if (status == GK_OK)
        status = read_comparison(rl, rl->check);
    const gk_query *sides[] = {&rl->rule->left, &rl->rule->right};
    for (int s = 0; status == GK_OK && s < 2; s++)
        for (size_t t = 0; t < sides[s]->count; t++) {
            const gk_term *term = &sides[s]->terms[t];
            if (term->kind != GK_TERM_COLUMN || term->table != rl->rule->table ||
                term->filter_count > 0)
                return gk_yaml_error(rl->yd, rl->check, "a row check names plain columns of "
                                                        "table %s only", rl->rule->table->id);
        }
    return status;
}

static gk_status read_by(rule_loader *rl)
{
    gk_yaml_doc *yd = rl->yd;
    if (rl->by == NULL)
        return GK_OK;
    /* TRANSLATORS: what a value of rules.yaml should be, in "expected %s, found %s". */
    gk_status status = gk_yaml_expect(yd, rl->by, YAML_SEQUENCE_NODE, N_("a list of keys"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = rl->by->data.sequence.items.start;
    size_t count = (size_t)(rl->by->data.sequence.items.top - start);
    const char **keys = gk_arena_alloc(yd->arena, (count + 1) * sizeof *keys);
    if (keys == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *node = gk_yaml_node(yd, start[i]);
        if ((status = gk_yaml_string(yd, node, &keys[i])) != GK_OK)
            return status;
        /* every column term of the comparison must have the key */
        const gk_query *sides[] = {&rl->rule->left, &rl->rule->right};
        for (int s = 0; s < 2; s++)
            for (size_t t = 0; t < sides[s]->count; t++) {
                const gk_term *term = &sides[s]->terms[t];
                if (term->kind == GK_TERM_COLUMN &&
                    gk_layout_field_index(term->table, keys[i]) < 0)
                    return gk_yaml_error(yd, node, "table %s has no column '%s'",
                                         term->table->id, keys[i]);
            }
    }
    rl->rule->by = keys;
    rl->rule->by_count = count;
    return GK_OK;
}

static gk_status read_ref(rule_loader *rl, yaml_node_t *node, gk_term *out)
{
    const char *text = NULL;
    char error[512];
    gk_status status = gk_yaml_string(rl->yd, node, &text);
    if (status == GK_OK && !gk_column_ref_parse(rl->profile, text, rl->yd->arena, out, error,
                                                sizeof error))
        status = gk_yaml_error_text(rl->yd, node, error);
    return status;
}

static gk_status read_lookup(rule_loader *rl)
{
    gk_rule *rule = rl->rule;
    gk_status status = need(rl, rl->from, "from");
    if (status == GK_OK)
        status = need(rl, rl->in, "in");
    if (status == GK_OK)
        status = read_ref(rl, rl->from, &rule->from);
    if (status == GK_OK)
        status = read_ref(rl, rl->in, &rule->in);
    if (status != GK_OK || rl->amount == NULL)
        return status;
    rule->has_amount = true;
    if ((status = read_comparison(rl, rl->amount)) != GK_OK)
        return status;
    if (rule->left.count != 1 || rule->right.count != 1 ||
        rule->left.terms[0].table != rule->from.table ||
        rule->right.terms[0].table != rule->in.table)
        /* TRANSLATORS: 'FROM_TABLE.COLUMN = IN_TABLE.COLUMN' and <= are the syntax of the
           'amount' key and stay as they are; %s are table ids. */
        return gk_yaml_error(rl->yd, rl->amount, "expected 'FROM_TABLE.COLUMN = IN_TABLE.COLUMN' "
                                                 "(or <=) for tables %s and %s",
                             rule->from.table->id, rule->in.table->id);
    return GK_OK;
}

/* Every table of the rule has the column key names. */
static gk_status column_in_tables(rule_loader *rl, yaml_node_t *at, const char *key)
{
    for (size_t t = 0; t < rl->rule->table_count; t++)
        if (gk_layout_field_index(rl->rule->tables[t], key) < 0)
            return gk_yaml_error(rl->yd, at, "table %s has no column '%s'",
                                 rl->rule->tables[t]->id, key);
    return GK_OK;
}

/* A code's length: a number of digits, or a list of them ([3, 5, 7]). */
static gk_status read_lengths(rule_loader *rl, yaml_node_t *v, gk_code_digits *out)
{
    gk_yaml_doc *yd = rl->yd;
    bool list = v->type == YAML_SEQUENCE_NODE;
    yaml_node_item_t *start = list ? v->data.sequence.items.start : NULL;
    size_t count = list ? (size_t)(v->data.sequence.items.top - start) : 1;
    if (count == 0)
        /* TRANSLATORS: what a value of 'digits' in rules.yaml should be. */
        return gk_yaml_error(yd, v, "expected a number of digits or a list of them, found an "
                                    "empty list");
    int *lengths = gk_arena_alloc(yd->arena, (count + 1) * sizeof *lengths);
    if (lengths == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *node = list ? gk_yaml_node(yd, start[i]) : v;
        gk_status status = gk_yaml_int(yd, node, 1, 32, &lengths[i]);
        if (status != GK_OK)
            return status;
        for (size_t j = 0; j < i; j++)
            if (lengths[j] == lengths[i])
                return gk_yaml_error(yd, node, "length %d is listed twice", lengths[i]);
    }
    out->lengths = lengths;
    out->length_count = count;
    return GK_OK;
}

static gk_status read_digits(rule_loader *rl)
{
    gk_yaml_doc *yd = rl->yd;
    gk_status status = need_typed(rl, rl->digits, "digits", YAML_MAPPING_NODE,
                                  /* TRANSLATORS: what the value of 'digits' in rules.yaml
                                     should be, in "expected %s, found %s"; "key: digits"
                                     shows its form. */
                                  N_("a mapping of key: digits"));
    if (status != GK_OK)
        return status;
    size_t count = (size_t)(rl->digits->data.mapping.pairs.top - rl->digits->data.mapping.pairs.start);
    gk_code_digits *digits = gk_arena_alloc(yd->arena, (count + 1) * sizeof *digits);
    if (digits == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++) {
        yaml_node_pair_t *pair = &rl->digits->data.mapping.pairs.start[i];
        yaml_node_t *key = gk_yaml_node(yd, pair->key);
        if ((status = gk_yaml_string(yd, key, &digits[i].key)) != GK_OK ||
            (status = read_lengths(rl, gk_yaml_node(yd, pair->value), &digits[i])) != GK_OK ||
            (status = column_in_tables(rl, key, digits[i].key)) != GK_OK)
            return status;
    }
    rl->rule->digits = digits;
    rl->rule->digit_count = count;
    return GK_OK;
}

/* hierarchy: by_prefix names the code column whose prefixes give each row's parent. */
static gk_status read_hierarchy(rule_loader *rl)
{
    gk_status status = read_tables(rl);
    if (status != GK_OK || rl->by_prefix == NULL)
        return status;
    status = gk_yaml_string(rl->yd, rl->by_prefix, &rl->rule->by_prefix);
    return status == GK_OK ? column_in_tables(rl, rl->by_prefix, rl->rule->by_prefix) : status;
}

/* -- names: where 科目 names are read -- */

typedef struct subject_loader {
    rule_loader *rl;
    gk_subject_source *out;
    yaml_node_t *table, *code, *name;
} subject_loader;

#define KEEP_SUBJECT(field)                                                                    \
    static gk_status s_##field(gk_yaml_doc *yd, yaml_node_t *v, void *p)                       \
    {                                                                                          \
        (void)yd;                                                                              \
        ((subject_loader *)p)->field = v;                                                      \
        return GK_OK;                                                                          \
    }
KEEP_SUBJECT(table)
KEEP_SUBJECT(code)
KEEP_SUBJECT(name)

static const gk_yaml_key subject_keys[] = {
    {"table", s_table, true},
    {"code", s_code, true},
    {"name", s_name, true},
};

/* A column key of the subject's table into *field. */
static gk_status subject_field(subject_loader *sl, yaml_node_t *node, int *field)
{
    const char *key = NULL;
    gk_status status = gk_yaml_string(sl->rl->yd, node, &key);
    if (status != GK_OK)
        return status;
    *field = gk_layout_field_index(sl->out->table, key);
    return *field >= 0 ? GK_OK
                       : gk_yaml_error(sl->rl->yd, node, "table %s has no column '%s'",
                                       sl->out->table->id, key);
}

/* `code:` is a column key or a list of them, joined in order. */
static gk_status subject_code(subject_loader *sl)
{
    gk_yaml_doc *yd = sl->rl->yd;
    bool list = sl->code->type == YAML_SEQUENCE_NODE;
    yaml_node_item_t *start = list ? sl->code->data.sequence.items.start : NULL;
    size_t count = list ? (size_t)(sl->code->data.sequence.items.top - start) : 1;
    int *fields = gk_arena_alloc(yd->arena, (count + 1) * sizeof *fields);
    if (fields == NULL)
        return nomem(yd);
    if (count == 0)
        /* TRANSLATORS: what 'code' of a names rule's subject should be, in "expected %s,
           found %s". */
        return gk_yaml_expect(yd, sl->code, YAML_SCALAR_NODE, N_("a column key or a list of them"));
    for (size_t i = 0; i < count; i++) {
        gk_status status = subject_field(sl, list ? gk_yaml_node(yd, start[i]) : sl->code,
                                         &fields[i]);
        if (status != GK_OK)
            return status;
    }
    sl->out->code_fields = fields;
    sl->out->code_count = count;
    return GK_OK;
}

static gk_status read_subject(rule_loader *rl, yaml_node_t *node, gk_subject_source *out)
{
    subject_loader sl = {rl, out, NULL, NULL, NULL};
    gk_status status = gk_yaml_read_map(rl->yd, node, subject_keys,
                                        sizeof subject_keys / sizeof *subject_keys, &sl);
    if (status == GK_OK)
        status = table_by_id(rl, sl.table, &out->table);
    if (status == GK_OK && out->table->is_stub)
        status = gk_yaml_error(rl->yd, sl.table, "table %s has fixed rows: 科目 names are read "
                                                 "from a list table",
                               out->table->id);
    if (status == GK_OK)
        status = subject_code(&sl);
    if (status == GK_OK)
        status = subject_field(&sl, sl.name, &out->name_field);
    return status;
}

static gk_status read_subjects(rule_loader *rl)
{
    gk_yaml_doc *yd = rl->yd;
    if (rl->subjects == NULL)
        return GK_OK;
    /* TRANSLATORS: what 'subjects' of rules.yaml should be, in "expected %s, found %s";
       table, code and name are its keys. */
    gk_status status = gk_yaml_expect(yd, rl->subjects, YAML_SEQUENCE_NODE,
                                      N_("a list of {table, code, name}"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = rl->subjects->data.sequence.items.start;
    size_t count = (size_t)(rl->subjects->data.sequence.items.top - start);
    gk_subject_source *subjects = gk_arena_alloc(yd->arena, (count + 1) * sizeof *subjects);
    if (subjects == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++)
        if ((status = read_subject(rl, gk_yaml_node(yd, start[i]), &subjects[i])) != GK_OK)
            return status;
    rl->rule->subjects = subjects;
    rl->rule->subject_count = count;
    return GK_OK;
}

static gk_status resolve_rule(rule_loader *rl)
{
    if (rl->by_prefix != NULL && rl->rule->kind != GK_RULE_HIERARCHY)
        /* TRANSLATORS: by_prefix and hierarchy are written in rules.yaml as they are. */
        return gk_yaml_error(rl->yd, rl->by_prefix, "by_prefix: expected a rule of kind "
                                                    "hierarchy, found another kind");
    switch (rl->rule->kind) {
    case GK_RULE_HIERARCHY:
        return read_hierarchy(rl);
    case GK_RULE_PRESENT:
        return read_tables(rl);
    case GK_RULE_ROW:
        return read_row(rl);
    case GK_RULE_COMPARE: {
        gk_status status = need(rl, rl->check, "check");
        if (status == GK_OK)
            status = read_comparison(rl, rl->check);
        return status == GK_OK ? read_by(rl) : status;
    }
    case GK_RULE_LOOKUP:
        return read_lookup(rl);
    case GK_RULE_CODES: {
        gk_status status = read_tables(rl);
        return status == GK_OK ? read_digits(rl) : status;
    }
    case GK_RULE_NAMES:
        return read_subjects(rl);
    case GK_RULE_IDENTITY:
    case GK_RULE_DERIVED:
    case GK_RULE_NARRATIVE:
        break;
    }
    return GK_OK;
}

/* ---- the file ---------------------------------------------------------------------------- */

typedef struct file_loader {
    rule_loader *rl;
    yaml_node_t *rules;
} file_loader;

static gk_status f_tolerance(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    int tolerance = 0;
    gk_status status = gk_yaml_int(yd, v, 0, 1000000, &tolerance);
    ((file_loader *)p)->rl->rules->tolerance = tolerance;
    return status;
}
static gk_status f_rules(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((file_loader *)p)->rules = v;
    /* TRANSLATORS: what a value of rules.yaml should be, in "expected %s, found %s". */
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of rules"));
}
static const gk_yaml_key file_keys[] = {
    {"rounding_tolerance", f_tolerance, false},
    {"rules", f_rules, true},
};

static gk_status load_file(gk_rules *rules, const gk_profile *profile, gk_yaml_doc *yd)
{
    rule_loader rl = {.yd = yd, .profile = profile, .rules = rules};
    file_loader fl = {&rl, NULL};
    gk_status status = gk_yaml_read_map(yd, gk_yaml_root(yd), file_keys, 2, &fl);
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = fl.rules->data.sequence.items.start;
    size_t count = (size_t)(fl.rules->data.sequence.items.top - start);
    if (count > MAX_RULES)
        return gk_yaml_error(yd, fl.rules, "more than %d rules", MAX_RULES);
    rules->rules = gk_arena_alloc(&rules->arena, (count + 1) * sizeof *rules->rules);
    if (rules->rules == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count; i++) {
        rule_loader one = {.yd = yd, .profile = profile, .rules = rules,
                           .rule = &rules->rules[i], .node = gk_yaml_node(yd, start[i])};
        one.rule->line = gk_yaml_line(one.node);
        status = gk_yaml_read_map(yd, one.node, rule_keys, sizeof rule_keys / sizeof *rule_keys,
                                  &one);
        if (status == GK_OK)
            status = resolve_rule(&one);
        if (status != GK_OK)
            return status;
        rules->count++;
    }
    return GK_OK;
}

gk_status gk_rules_load(const gk_profile *profile, gk_rules **out, gk_diag *diag)
{
    *out = NULL;
    gk_rules *rules = calloc(1, sizeof *rules);
    if (rules == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, profile->dir, 0, 0, "out of memory");
    char *path = gk_arena_printf(&rules->arena, "%s/rules.yaml", profile->dir);
    rules->path = path;
    gk_input_state state = GK_INPUT_ABSENT;
    gk_status status = GK_OK;
    if (path == NULL)
        status = gk_diag_set(diag, GK_ERR_NOMEM, profile->dir, 0, 0, "out of memory");
    else /* no rules.yaml: no rules; a broken one is an error */
        status = gk_input_probe(path, GK_INPUT_FILE, &state, diag);
    if (state == GK_INPUT_PRESENT) {
        gk_yaml_doc yd;
        status = gk_yaml_open(&yd, path, &rules->arena, diag);
        if (status == GK_OK)
            status = load_file(rules, profile, &yd);
        gk_yaml_close(&yd);
    }
    if (status != GK_OK) {
        gk_rules_free(rules);
        return status;
    }
    *out = rules;
    return GK_OK;
}

void gk_rules_free(gk_rules *rules)
{
    if (rules == NULL)
        return;
    gk_arena_free(&rules->arena);
    free(rules);
}

const gk_rule *gk_rules_find(const gk_rules *rules, const char *id)
{
    for (size_t i = 0; i < rules->count; i++)
        if (strcmp(rules->rules[i].id, id) == 0)
            return &rules->rules[i];
    return NULL;
}
