/*
 * rules.c - load rules/NAME.yaml into an immutable lht_ruleset (rules.h).
 *
 * libyaml's document API builds a small node tree per file (rule files are
 * a few KB); every node carries its mark, so each complaint points at
 * file:line:col. Unknown keys are errors: a typo in a signal name must not
 * silently turn a rule off. A scan stops at the first error; lint goes on
 * (each error is reported as it is found) through the independent parts
 * of a rule: its top-level keys, each reference, signal, level, remedy,
 * fix and example.
 */
#include "core/re.h"
#include "rules/rules_private.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

struct ld {
    const char *file;
    yaml_document_t *doc;
    lht_err *err;
    lht_rule_error_fn report;   /* lint: every error goes here; NULL: stop at the first */
    void *ud;
    size_t nerr;                /* errors reported */
};

/* A rule error was set in l->err: hand it to lint's reporter. */
static int noted(struct ld *l, int rc)
{
    if (rc == LHT_ERULE && l->report) {
        l->report(l->ud, l->err->msg);
        l->nerr++;
    }
    return rc;
}

/* After one part of a rule: in lint mode its rule error is reported
 * already, *bad remembers it and loading goes on with the next part. */
static int part(struct ld *l, int rc, int *bad)
{
    if (rc == LHT_ERULE && l->report) {
        *bad = 1;
        return LHT_OK;
    }
    return rc;
}

static int fail_at(struct ld *l, yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct ld *l, yaml_node_t *n, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return noted(l, lht_err_set(l->err, LHT_ERULE, "%s:%lu:%lu: %s", l->file,
                                n ? (unsigned long)n->start_mark.line + 1 : 1UL,
                                n ? (unsigned long)n->start_mark.column + 1 : 1UL, what));
}

static yaml_node_t *node(struct ld *l, int id)
{
    return yaml_document_get_node(l->doc, id);
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Check that map n has only keys from allowed (NULL-terminated). */
static int check_keys(struct ld *l, yaml_node_t *n, const char *const *allowed)
{
    yaml_node_pair_t *p;
    int rc = LHT_OK;

    if (n == NULL || n->type != YAML_MAPPING_NODE)
        return fail_at(l, n, "expected a mapping");
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(l, p->key);
        const char *ks = scalar(k);
        const char *const *a;
        int ok = 0;
        for (a = allowed; ks && *a; a++)
            if (strcmp(*a, ks) == 0)
                ok = 1;
        if (!ok && (rc = fail_at(l, k, "unknown key '%s'", ks ? ks : "?")) != LHT_OK && !l->report)
            return rc;
    }
    return rc;
}

static yaml_node_t *get(struct ld *l, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p;

    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *ks = scalar(node(l, p->key));
        if (ks && strcmp(ks, key) == 0)
            return node(l, p->value);
    }
    return NULL;
}

/* Required (req=1) or optional scalar value of key, strdup'd into *out. */
static int get_str(struct ld *l, yaml_node_t *map, const char *key, int req, char **out)
{
    yaml_node_t *v = get(l, map, key);

    *out = NULL;
    if (v == NULL) {
        if (req)
            return fail_at(l, map, "missing required key '%s'", key);
        return LHT_OK;
    }
    if (scalar(v) == NULL)
        return fail_at(l, v, "'%s' must be a string", key);
    *out = strdup(scalar(v));
    return *out ? LHT_OK : lht_err_set(l->err, LHT_ENOMEM, "out of memory");
}

static yaml_node_item_t *seq_items(yaml_node_t *n, int *count)
{
    if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
        *count = 0;
        return NULL;
    }
    *count = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    return n->data.sequence.items.start;
}

static const char *const scope_names[] = {"subject", "same_pid", "same_node", "bundle", "sibling"};
static const char *const subject_names[] = {"process", "node", "bundle"};

static int lookup(const char *s, const char *const *names, int n)
{
    int i;
    for (i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* "  >= 4.1" -> op, value */
static int parse_vpred(const char *s, struct lht_vpred *v)
{
    static const struct {
        const char *tok;
        int op;
    } ops[] = {{">=", LHT_VOP_GE}, {"<=", LHT_VOP_LE}, {"!=", LHT_VOP_NE}, {"==", LHT_VOP_EQ},
               {">", LHT_VOP_GT},  {"<", LHT_VOP_LT},  {"=", LHT_VOP_EQ}};
    size_t i;

    while (*s == ' ')
        s++;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].tok);
        if (strncmp(s, ops[i].tok, n) == 0) {
            s += n;
            while (*s == ' ')
                s++;
            if (*s == '\0')
                return -1;
            v->op = ops[i].op;
            v->value = strdup(s);
            return v->value ? 0 : -1;
        }
    }
    return -1;
}

/* "process, stack, ..." or "stat, command, ...": the names rules may
 * use, from the registry, for error messages. */
static void rule_facts(char *out, size_t outsz)
{
    size_t t, used = 0;

    out[0] = '\0';
    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (lht_fact_types[t].rule && used < outsz)
            used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", lht_fact_types[t].rule);
}

static void type_fields(const struct lht_fact_desc *d, char *out, size_t outsz)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < d->nfields && used < outsz; i++)
        if (d->fields[i].type != LHT_T_REF)
            used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", d->fields[i].name);
    if (d->virtual_name && used < outsz)
        snprintf(out + used, outsz - used, "%s%s", used ? ", " : "", d->virtual_name);
}

/* fact + field -> the registry's type and field (or its computed field,
 * or a key of a keyed type). */
static int resolve_field(struct ld *l, yaml_node_t *n, const char *fact, struct lht_signal *s)
{
    const struct lht_fact_desc *d = lht_fact_by_rule(fact);
    char names[512];

    if (d == NULL) {
        rule_facts(names, sizeof names);
        return fail_at(l, get(l, n, "fact"), "unknown fact kind '%s' (%s)", fact, names);
    }
    s->type = d->id;
    if (d->keyed_get) {
        if (!d->keyed_ok(s->field))
            return fail_at(l, get(l, n, "field"), "fact '%s' takes %s as field, not '%s'", fact,
                           d->keyed_what, s->field);
        return LHT_OK;
    }
    if (d->virtual_name && strcmp(s->field, d->virtual_name) == 0) {
        s->virt = 1;
        return LHT_OK;
    }
    if ((s->fd = lht_fact_field(d, s->field)) == NULL || s->fd->type == LHT_T_REF) {
        type_fields(d, names, sizeof names);
        return fail_at(l, get(l, n, "field"), "fact '%s' has no field '%s' (%s)", fact, s->field, names);
    }
    return LHT_OK;
}

/* scope, and for a sibling the field siblings share */
static int resolve_scope(struct ld *l, yaml_node_t *n, const char *scope, struct lht_signal *s)
{
    s->scope = scope ? lookup(scope, scope_names, 5) : LHT_SC_SUBJECT;
    if (s->scope < 0)
        return fail_at(l, get(l, n, "scope"), "unknown scope '%s' (subject, same_pid, same_node, "
                       "bundle, sibling)", scope);
    if (s->scope == LHT_SC_SIBLING && (s->type != LHT_FACT_PROCESS || s->same == NULL))
        return fail_at(l, n, "scope 'sibling' needs fact 'process' and a 'same' field");
    if (s->same && s->scope != LHT_SC_SIBLING)
        return fail_at(l, get(l, n, "same"), "'same' applies to scope 'sibling' only");
    if (s->same && (s->same_fd = lht_fact_field(&lht_fact_types[LHT_FACT_PROCESS], s->same)) == NULL) {
        char names[512];
        type_fields(&lht_fact_types[LHT_FACT_PROCESS], names, sizeof names);
        return fail_at(l, get(l, n, "same"), "a process has no field '%s' (%s)", s->same, names);
    }
    return LHT_OK;
}

/* "proc" or "proc,hung_task": which values of the type's origin count */
static int resolve_origin(struct ld *l, yaml_node_t *n, char *origin, struct lht_signal *s)
{
    const struct lht_field_desc *fd = lht_fact_field(&lht_fact_types[s->type], "origin");
    char *tok, *save = NULL;

    if (fd == NULL || fd->type != LHT_T_ENUM)
        return fail_at(l, get(l, n, "origin"), "'origin' applies to facts that have one (stack, mount)");
    s->origin_fd = fd;
    for (tok = strtok_r(origin, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int o;
        for (o = 0; fd->names[o] && strcmp(fd->names[o], tok) != 0; o++)
            ;
        if (fd->names[o] == NULL || o >= 32)
            return fail_at(l, get(l, n, "origin"), "unknown %s origin '%s'", lht_fact_types[s->type].rule, tok);
        s->origins |= 1u << o;
    }
    return LHT_OK;
}

static int compile_pattern(struct ld *l, yaml_node_t *n, struct lht_signal *s)
{
    int ec;
    PCRE2_SIZE eo;

    s->re = pcre2_compile((PCRE2_SPTR)s->pattern, PCRE2_ZERO_TERMINATED, PCRE2_MATCH_INVALID_UTF | PCRE2_UTF,
                          &ec, &eo, NULL);
    if (s->re == NULL) {
        PCRE2_UCHAR msg[256];
        yaml_node_t *pn = get(l, n, "pattern");
        pcre2_get_error_message(ec, msg, sizeof msg);
        return noted(l, lht_err_set(l->err, LHT_ERULE, "%s:%lu:%lu: signal '%s': bad pattern at offset %zu: %s",
                                    l->file, (unsigned long)pn->start_mark.line + 1,
                                    (unsigned long)pn->start_mark.column + 1, s->name, (size_t)eo, (char *)msg));
    }
    if (lht_re_jit_enabled())
        (void)pcre2_jit_compile(s->re, PCRE2_JIT_COMPLETE);
    return LHT_OK;
}

static int load_signal(struct ld *l, yaml_node_t *n, struct lht_signal *s)
{
    static const char *const keys[] = {"name", "fact", "field", "scope", "same", "pattern",
                                       "version", "origin", NULL};
    char *fact = NULL, *scope = NULL, *ver = NULL, *origin = NULL;
    int rc;

    if ((rc = check_keys(l, n, keys)) != LHT_OK)
        return rc;
    s->line = (int)n->start_mark.line + 1;
    if ((rc = get_str(l, n, "name", 1, &s->name)) != LHT_OK ||
        (rc = get_str(l, n, "fact", 1, &fact)) != LHT_OK ||
        (rc = get_str(l, n, "field", 1, &s->field)) != LHT_OK ||
        (rc = get_str(l, n, "scope", 0, &scope)) != LHT_OK ||
        (rc = get_str(l, n, "same", 0, &s->same)) != LHT_OK ||
        (rc = get_str(l, n, "pattern", 0, &s->pattern)) != LHT_OK ||
        (rc = get_str(l, n, "version", 0, &ver)) != LHT_OK ||
        (rc = get_str(l, n, "origin", 0, &origin)) != LHT_OK)
        goto done;
    if ((rc = resolve_field(l, n, fact, s)) != LHT_OK || (rc = resolve_scope(l, n, scope, s)) != LHT_OK ||
        (origin && (rc = resolve_origin(l, n, origin, s)) != LHT_OK))
        goto done;
    if (ver && parse_vpred(ver, &s->ver) != 0) {
        rc = fail_at(l, get(l, n, "version"), "bad version predicate '%s' (e.g. '>= 4.1')", ver);
        goto done;
    }
    if (s->pattern == NULL && s->ver.op == LHT_VOP_NONE) {
        rc = fail_at(l, n, "signal '%s' needs a 'pattern' or a 'version'", s->name);
        goto done;
    }
    if (s->pattern)
        rc = compile_pattern(l, n, s);
done:
    free(fact);
    free(scope);
    free(ver);
    free(origin);
    return rc;
}

static int signal_index(const struct lht_rule *r, const char *name)
{
    int i;
    for (i = 0; i < r->nsignals; i++)
        if (r->signals[i].name && strcmp(r->signals[i].name, name) == 0)
            return i;
    return -1;
}

static int load_names(struct ld *l, struct lht_rule *r, yaml_node_t *seq, int **out, int *n)
{
    int cnt, i;
    yaml_node_item_t *it;

    *out = NULL;
    *n = 0;
    if (seq == NULL)
        return LHT_OK;
    it = seq_items(seq, &cnt);
    if (it == NULL && seq->type != YAML_SEQUENCE_NODE)
        return fail_at(l, seq, "expected a list of signal names");
    *out = calloc((size_t)cnt + 1, sizeof **out);
    if (*out == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt; i++) {
        yaml_node_t *v = node(l, it[i]);
        int idx = signal_index(r, scalar(v) ? scalar(v) : "");
        if (idx < 0)
            return fail_at(l, v, "no signal named '%s' in this rule", scalar(v));
        (*out)[(*n)++] = idx;
    }
    return LHT_OK;
}

static int load_level(struct ld *l, struct lht_rule *r, yaml_node_t *n, struct lht_level *lv)
{
    static const char *const keys[] = {"name", "all", "none", "any", "merge", "next_steps", NULL};
    char *merge = NULL;
    int rc;

    if ((rc = check_keys(l, n, keys)) != LHT_OK || (rc = get_str(l, n, "name", 1, &lv->name)) ||
        (rc = load_names(l, r, get(l, n, "all"), &lv->cond.all, &lv->cond.nall)) ||
        (rc = load_names(l, r, get(l, n, "none"), &lv->cond.none, &lv->cond.nnone)) ||
        (rc = load_names(l, r, get(l, n, "any"), &lv->cond.any, &lv->cond.nany)) ||
        (rc = get_str(l, n, "merge", 0, &merge)) || (rc = get_str(l, n, "next_steps", 0, &lv->next_steps)))
        goto done;
    if (lv->cond.nall == 0 && lv->cond.nany == 0) {
        rc = fail_at(l, n, "level '%s' needs 'all' or 'any' signals", lv->name);
        goto done;
    }
    if (merge && strcmp(merge, "node") != 0) {
        rc = fail_at(l, get(l, n, "merge"), "merge must be 'node'");
        goto done;
    }
    lv->merge_node = merge != NULL;
done:
    free(merge);
    return rc;
}

static int load_remedy(struct ld *l, yaml_node_t *n, struct lht_remedy *m)
{
    static const char *const keys[] = {"when", "text", NULL};
    char *when = NULL;
    int rc;

    if ((rc = check_keys(l, n, keys)) != LHT_OK || (rc = get_str(l, n, "text", 1, &m->text)) ||
        (rc = get_str(l, n, "when", 0, &when)))
        goto done;
    if (when) {
        /* "longhorn_version >= 1.10.1" */
        char *sp = strchr(when, ' ');
        if (sp == NULL || parse_vpred(sp + 1, &m->ver) != 0) {
            rc = fail_at(l, get(l, n, "when"), "bad condition '%s' (e.g. 'longhorn_version >= 1.11.0')",
                         when);
            goto done;
        }
        *sp = '\0';
        m->key = strdup(when);
    }
done:
    free(when);
    return rc;
}

static int load_example(struct ld *l, yaml_node_t *n, struct lht_example *e)
{
    static const char *const keys[] = {"name", "expect", "files", NULL};
    static const char *const fkeys[] = {"path", "text", NULL};
    yaml_node_item_t *it;
    int rc, i, cnt;

    e->line = (int)n->start_mark.line + 1;
    if ((rc = check_keys(l, n, keys)) != LHT_OK || (rc = get_str(l, n, "name", 1, &e->name)) ||
        (rc = get_str(l, n, "expect", 1, &e->expect)))
        return rc;
    it = seq_items(get(l, n, "files"), &cnt);
    if (cnt == 0)
        return fail_at(l, n, "example '%s' needs 'files'", e->name);
    e->files = calloc((size_t)cnt, sizeof *e->files);
    if (e->files == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt; i++) {
        yaml_node_t *f = node(l, it[i]);
        struct lht_example_file *ef = &e->files[e->nfiles++];
        if ((rc = check_keys(l, f, fkeys)) != LHT_OK || (rc = get_str(l, f, "text", 1, &ef->text)) ||
            (rc = get_str(l, f, "path", 0, &ef->path)))
            return rc;
        if (ef->path == NULL && (ef->path = strdup("example.txt")) == NULL)
            return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    }
    return LHT_OK;
}

/* A list of strings (or one string) under key into *out / *n. */
static int get_list(struct ld *l, yaml_node_t *map, const char *key, char ***out, int *n)
{
    yaml_node_t *v = get(l, map, key);
    yaml_node_item_t *it;
    int cnt, i;

    *out = NULL;
    *n = 0;
    if (v == NULL)
        return LHT_OK;
    it = seq_items(v, &cnt);
    if (it == NULL && cnt == 0 && v->type != YAML_SEQUENCE_NODE)
        return fail_at(l, v, "'%s' must be a list of strings", key);
    if ((*out = calloc((size_t)cnt + 1, sizeof **out)) == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt; i++) {
        const char *sv = scalar(node(l, it[i]));
        if (sv == NULL)
            return fail_at(l, node(l, it[i]), "'%s' must be a list of strings", key);
        if (((*out)[(*n)++] = strdup(sv)) == NULL)
            return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    }
    return LHT_OK;
}

/* where: {field: pattern, ...} */
static int load_where(struct ld *l, yaml_node_t *map, struct lht_fix *fx)
{
    yaml_node_pair_t *p;
    size_t cnt;

    if (map == NULL)
        return LHT_OK;
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(l, map, "'where' must map fields to patterns");
    cnt = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if ((fx->where = calloc(cnt + 1, sizeof *fx->where)) == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        struct lht_fix_where *w = &fx->where[fx->nwhere++];
        const char *k = scalar(node(l, p->key)), *v = scalar(node(l, p->value));
        int ec;
        PCRE2_SIZE eo;
        if (k == NULL || v == NULL)
            return fail_at(l, node(l, p->key), "'where' must map fields to patterns");
        if ((w->path = strdup(k)) == NULL || (w->pattern = strdup(v)) == NULL)
            return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
        w->re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, PCRE2_MATCH_INVALID_UTF | PCRE2_UTF, &ec,
                              &eo, NULL);
        if (w->re == NULL) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            return fail_at(l, node(l, p->value), "bad pattern at offset %zu: %s", (size_t)eo, (char *)msg);
        }
    }
    return LHT_OK;
}

static int load_fix(struct ld *l, yaml_node_t *n, struct lht_fix *fx)
{
    static const char *const keys[] = {"name", "object", "api_version", "where", "rename", "keep",
                                       "set_option", "otherwise", NULL};
    static const char *const okeys[] = {"field", "set", "drop", NULL};
    yaml_node_t *opt;
    int rc;

    if ((rc = check_keys(l, n, keys)) != LHT_OK || (rc = get_str(l, n, "name", 1, &fx->name)) ||
        (rc = get_str(l, n, "object", 1, &fx->object)) || (rc = get_str(l, n, "api_version", 1, &fx->api_version)) ||
        (rc = get_str(l, n, "rename", 1, &fx->rename)) || (rc = get_str(l, n, "otherwise", 0, &fx->otherwise)) ||
        (rc = get_list(l, n, "keep", &fx->keep, &fx->nkeep)) || (rc = load_where(l, get(l, n, "where"), fx)))
        return rc;
    if ((opt = get(l, n, "set_option")) == NULL)
        return LHT_OK;
    if ((rc = check_keys(l, opt, okeys)) != LHT_OK || (rc = get_str(l, opt, "field", 1, &fx->opt_field)) ||
        (rc = get_str(l, opt, "set", 1, &fx->opt_set)) ||
        (rc = get_list(l, opt, "drop", &fx->opt_drop, &fx->nopt_drop)))
        return rc;
    return LHT_OK;
}

static void free_strv(char **v, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_fix(struct lht_fix *fx)
{
    int i;

    free(fx->name);
    free(fx->object);
    free(fx->api_version);
    free(fx->rename);
    for (i = 0; i < fx->nwhere; i++) {
        free(fx->where[i].path);
        free(fx->where[i].pattern);
        pcre2_code_free(fx->where[i].re);
    }
    free(fx->where);
    free_strv(fx->keep, fx->nkeep);
    free(fx->opt_field);
    free(fx->opt_set);
    free_strv(fx->opt_drop, fx->nopt_drop);
    free(fx->otherwise);
}

static void free_rule(struct lht_rule *r)
{
    int i, j;

    free(r->file);
    free(r->id);
    free(r->title);
    free(r->description);
    for (i = 0; i < r->nrefs; i++)
        free(r->refs[i]);
    free(r->refs);
    for (i = 0; i < r->nsignals; i++) {
        struct lht_signal *s = &r->signals[i];
        free(s->name);
        free(s->field);
        free(s->same);
        free(s->pattern);
        free(s->ver.value);
        pcre2_code_free(s->re);
    }
    free(r->signals);
    for (i = 0; i < r->nlevels; i++) {
        free(r->levels[i].name);
        free(r->levels[i].next_steps);
        free(r->levels[i].cond.all);
        free(r->levels[i].cond.none);
        free(r->levels[i].cond.any);
    }
    free(r->levels);
    free(r->raises);
    for (i = 0; i < r->nremedies; i++) {
        free(r->remedies[i].key);
        free(r->remedies[i].ver.value);
        free(r->remedies[i].text);
    }
    free(r->remedies);
    free(r->next_steps);
    for (i = 0; i < r->nfixes; i++)
        free_fix(&r->fixes[i]);
    free(r->fixes);
    for (i = 0; i < r->nexamples; i++) {
        struct lht_example *e = &r->examples[i];
        free(e->name);
        free(e->expect);
        for (j = 0; j < e->nfiles; j++) {
            free(e->files[j].path);
            free(e->files[j].text);
        }
        free(e->files);
    }
    free(r->examples);
}

/* The rule's scalar keys, its severity and subject. */
static int load_head(struct ld *l, yaml_node_t *root, struct lht_rule *r, int *bad)
{
    char *sev = NULL, *subj = NULL;
    int rc;

    if ((rc = part(l, get_str(l, root, "id", 1, &r->id), bad)) ||
        (rc = part(l, get_str(l, root, "title", 1, &r->title), bad)) ||
        (rc = part(l, get_str(l, root, "severity", 1, &sev), bad)) ||
        (rc = part(l, get_str(l, root, "description", 1, &r->description), bad)) ||
        (rc = part(l, get_str(l, root, "subject", 1, &subj), bad)) ||
        (rc = part(l, get_str(l, root, "next_steps", 0, &r->next_steps), bad)))
        goto done;
    if (sev && (r->severity = lht_severity_parse(sev)) < 0 &&
        (rc = part(l, fail_at(l, get(l, root, "severity"), "severity '%s' is not info, warning, error or critical",
                              sev), bad)))
        goto done;
    if (subj && (r->subject = lookup(subj, subject_names, 3)) < 0)
        rc = part(l, fail_at(l, get(l, root, "subject"), "subject '%s' is not process, node or bundle", subj), bad);
done:
    free(sev);
    free(subj);
    return rc;
}

static int load_signals(struct ld *l, yaml_node_t *root, struct lht_rule *r, int *bad)
{
    int i, cnt, rc = LHT_OK;
    yaml_node_item_t *it = seq_items(get(l, root, "signals"), &cnt);

    if (cnt == 0)
        return part(l, fail_at(l, root, "rule '%s' has no signals", r->id ? r->id : "?"), bad);
    if ((r->signals = calloc((size_t)cnt, sizeof *r->signals)) == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt && rc == LHT_OK; i++) {
        struct lht_signal *sg = &r->signals[r->nsignals++];
        if ((rc = part(l, load_signal(l, node(l, it[i]), sg), bad)) == LHT_OK && sg->name &&
            signal_index(r, sg->name) != i)
            rc = part(l, fail_at(l, node(l, it[i]), "duplicate signal name '%s'", sg->name), bad);
    }
    return rc;
}

/* A list of parts under key, each loaded by fn into an array of size
 * elements; *n counts those begun (a half-loaded one is freed with the
 * rule). */
static int load_parts(struct ld *l, yaml_node_t *root, struct lht_rule *r, const char *key, int required,
                      void **arr, int *n, size_t size, int (*fn)(struct ld *, struct lht_rule *, yaml_node_t *, void *),
                      int *bad)
{
    int cnt, i, rc = LHT_OK;
    yaml_node_item_t *it = seq_items(get(l, root, key), &cnt);

    *n = 0;
    if (cnt == 0 && required)
        return part(l, fail_at(l, root, "rule '%s' has no %s", r->id ? r->id : "?", key), bad);
    if ((*arr = calloc((size_t)cnt + 1, size)) == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt && rc == LHT_OK; i++) {
        void *elem = (char *)*arr + (size_t)(*n)++ * size;
        rc = part(l, fn(l, r, node(l, it[i]), elem), bad);
    }
    return rc;
}

static int level_part(struct ld *l, struct lht_rule *r, yaml_node_t *n, void *e) { return load_level(l, r, n, e); }
static int remedy_part(struct ld *l, struct lht_rule *r, yaml_node_t *n, void *e) { (void)r; return load_remedy(l, n, e); }
static int fix_part(struct ld *l, struct lht_rule *r, yaml_node_t *n, void *e) { (void)r; return load_fix(l, n, e); }
static int example_part(struct ld *l, struct lht_rule *r, yaml_node_t *n, void *e) { (void)r; return load_example(l, n, e); }

static int load_refs(struct ld *l, yaml_node_t *root, struct lht_rule *r, int *bad)
{
    int cnt, i, rc = LHT_OK;
    yaml_node_item_t *it = seq_items(get(l, root, "references"), &cnt);

    if ((r->refs = calloc((size_t)cnt + 1, sizeof *r->refs)) == NULL)
        return lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < cnt && rc == LHT_OK; i++) {
        const char *v = scalar(node(l, it[i]));
        if (v == NULL || strncmp(v, "http", 4) != 0)
            rc = part(l, fail_at(l, node(l, it[i]), "references must be URLs"), bad);
        else if ((r->refs[r->nrefs++] = strdup(v)) == NULL)
            rc = lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    }
    return rc;
}

/* Every example expects 'none' or a level of the rule. */
static int check_expects(struct ld *l, yaml_node_t *root, struct lht_rule *r, int *bad)
{
    yaml_node_item_t *ex;
    int i, k, ne, rc = LHT_OK;

    ex = seq_items(get(l, root, "examples"), &ne);
    for (i = 0; i < r->nexamples && i < ne && rc == LHT_OK; i++) {
        const char *want = r->examples[i].expect;
        int ok = want == NULL || strcmp(want, "none") == 0;
        for (k = 0; k < r->nlevels && !ok; k++)
            ok = r->levels[k].name && strcmp(want, r->levels[k].name) == 0;
        if (!ok)
            rc = part(l, fail_at(l, get(l, node(l, ex[i]), "expect"),
                                 "example expects '%s', which is neither 'none' nor a level of this rule", want),
                      bad);
    }
    return rc;
}

static int load_rule(struct ld *l, yaml_node_t *root, struct lht_rule *r)
{
    static const char *const keys[] = {"id", "title", "severity", "references", "description",
                                       "subject", "signals", "levels", "raises", "remediation",
                                       "next_steps", "fixes", "examples", NULL};
    int rc, bad = 0;

    if (root->type != YAML_MAPPING_NODE)
        return fail_at(l, root, "expected a mapping");
    if ((rc = part(l, check_keys(l, root, keys), &bad)) || (rc = load_head(l, root, r, &bad)) ||
        (rc = load_refs(l, root, r, &bad)) || (rc = load_signals(l, root, r, &bad)) ||
        (rc = load_parts(l, root, r, "levels", 1, (void **)&r->levels, &r->nlevels, sizeof *r->levels,
                         level_part, &bad)) ||
        (rc = part(l, load_names(l, r, get(l, root, "raises"), &r->raises, &r->nraises), &bad)) ||
        (rc = load_parts(l, root, r, "remediation", 0, (void **)&r->remedies, &r->nremedies,
                         sizeof *r->remedies, remedy_part, &bad)) ||
        (rc = load_parts(l, root, r, "fixes", 0, (void **)&r->fixes, &r->nfixes, sizeof *r->fixes, fix_part,
                         &bad)) ||
        (rc = load_parts(l, root, r, "examples", 0, (void **)&r->examples, &r->nexamples, sizeof *r->examples,
                         example_part, &bad)) ||
        (rc = check_expects(l, root, r, &bad)))
        return rc;
    return bad ? LHT_ERULE : LHT_OK;
}

/* Parse the rule file fp (named l->file) into r. */
static int parse_file(struct ld *l, FILE *fp, struct lht_rule *r, EVP_MD_CTX *md)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    const char *path = l->file;
    int rc, have_doc = 0;
    char buf[8192];
    size_t n;

    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        EVP_DigestUpdate(md, buf, n);
    rewind(fp);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = lht_err_set(l->err, LHT_ERULE, "%s:%lu:%lu: %s", path,
                         (unsigned long)parser.problem_mark.line + 1,
                         (unsigned long)parser.problem_mark.column + 1,
                         parser.problem ? parser.problem : "invalid YAML");
        goto done;
    }
    have_doc = 1;
    l->doc = &doc;
    if (yaml_document_get_root_node(&doc) == NULL) {
        rc = lht_err_set(l->err, LHT_ERULE, "%s:1:1: empty rule file", path);
        goto done;
    }
    if ((r->file = strdup(path)) == NULL)
        rc = lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    else
        rc = load_rule(l, yaml_document_get_root_node(&doc), r);
done:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

/* One rule file into r. Linting, l->report gets each error (l->nerr
 * counts them): those found in the rule and those of the file itself. */
static int load_file(struct ld *l, const char *path, struct lht_rule *r, EVP_MD_CTX *md)
{
    FILE *fp;
    int rc;

    memset(r, 0, sizeof *r);
    l->file = path;
    l->doc = NULL;
    l->nerr = 0;
    if ((fp = fopen(path, "rb")) == NULL) {
        rc = lht_err_set(l->err, LHT_EIO, "%s: %s", path, strerror(errno));
    } else {
        rc = parse_file(l, fp, r, md);
        fclose(fp);
    }
    if (rc != LHT_OK && rc != LHT_ENOMEM && l->report && l->nerr == 0) {
        l->report(l->ud, l->err->msg);
        l->nerr = 1;
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load file i's rule as the next of rs; a second rule with the same id
 * is an error. Linting, a bad file is reported, counted in *nerrors and
 * left out; only out of memory ends the walk then. */
static int add_file(struct ld *l, struct lht_ruleset *rs, const char *path, EVP_MD_CTX *md, size_t *nerrors)
{
    struct lht_rule *r = &rs->rules[rs->n];
    size_t j;
    int rc = load_file(l, path, r, md);

    for (j = 0; rc == LHT_OK && j < rs->n; j++)
        if (strcmp(rs->rules[j].id, r->id) == 0)
            rc = noted(l, lht_err_set(l->err, LHT_ERULE, "%s:1:1: rule id '%s' already defined in %s", path,
                                      r->id, rs->rules[j].file));
    if (rc == LHT_OK || !l->report || rc == LHT_ENOMEM) {
        rs->n++;   /* a failed one too: lht_ruleset_free frees what it holds */
        return rc;
    }
    *nerrors += l->nerr ? l->nerr : 1;
    free_rule(r);
    memset(r, 0, sizeof *r);
    lht_err_clear(l->err);
    return LHT_OK;
}

static int load_dir(const char *dir, lht_rule_error_fn report, void *ud, struct lht_ruleset **out,
                    size_t *nerrors, lht_err *err)
{
    struct lht_ruleset *rs = NULL;
    char **names = NULL;
    size_t nn = 0, cap = 0, i, nerr = 0;
    struct ld l;
    DIR *d = NULL;
    struct dirent *de;
    EVP_MD_CTX *md = NULL;
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dglen = 0;
    int rc = LHT_OK;

    *out = NULL;
    d = opendir(dir);
    if (d == NULL)
        return lht_err_set(err, LHT_EIO, "%s: cannot read rules directory: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' ||
            !((len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) ||
              (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0)))
            continue;
        if (nn == cap) {
            char **nv = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (nv == NULL) {
                rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
                goto done;
            }
            names = nv;
        }
        names[nn] = malloc(strlen(dir) + len + 2);
        if (names[nn] == NULL) {
            rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
            goto done;
        }
        sprintf(names[nn], "%s/%s", dir, de->d_name);
        nn++;
    }
    if (nn == 0) {
        rc = lht_err_set(err, LHT_ERULE, "%s: no rule files (*.yaml)", dir);
        goto done;
    }
    qsort(names, nn, sizeof *names, cmp_str);
    rs = calloc(1, sizeof *rs);
    md = EVP_MD_CTX_new();
    if (rs == NULL || md == NULL || (rs->rules = calloc(nn, sizeof *rs->rules)) == NULL ||
        EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    memset(&l, 0, sizeof l);
    l.err = err;
    l.report = report;
    l.ud = ud;
    for (i = 0; i < nn; i++)
        if ((rc = add_file(&l, rs, names[i], md, &nerr)) != LHT_OK)
            goto done;
    if (nerrors)
        *nerrors = nerr;
    EVP_DigestFinal_ex(md, dg, &dglen);
    for (i = 0; i < dglen && i < 32; i++)
        snprintf(rs->digest + 2 * i, 3, "%02x", dg[i]);
    *out = rs;
    rs = NULL;
done:
    if (d)
        closedir(d);
    for (i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    EVP_MD_CTX_free(md);
    lht_ruleset_free(rs);
    return rc;
}

int lht_ruleset_load(const char *dir, struct lht_ruleset **out, lht_err *err)
{
    return load_dir(dir, NULL, NULL, out, NULL, err);
}

int lht_ruleset_lint(const char *dir, lht_rule_error_fn report, void *ud, struct lht_ruleset **out,
                     size_t *nerrors, lht_err *err)
{
    *nerrors = 0;
    return load_dir(dir, report, ud, out, nerrors, err);
}

void lht_ruleset_free(struct lht_ruleset *rs)
{
    size_t i;

    if (rs == NULL)
        return;
    for (i = 0; i < rs->n; i++)
        free_rule(&rs->rules[i]);
    free(rs->rules);
    free(rs);
}

size_t lht_ruleset_count(const struct lht_ruleset *rs) { return rs->n; }
const struct lht_rule *lht_ruleset_rule(const struct lht_ruleset *rs, size_t i)
{
    return i < rs->n ? &rs->rules[i] : NULL;
}
const char *lht_ruleset_digest(const struct lht_ruleset *rs) { return rs->digest; }

int lht_ruleset_reads_logs(const struct lht_ruleset *rs)
{
    size_t i;
    int j;

    for (i = 0; i < rs->n; i++)
        for (j = 0; j < rs->rules[i].nsignals; j++) {
            const struct lht_signal *g = &rs->rules[i].signals[j];
            const struct lht_field_desc *origin = lht_fact_field(&lht_fact_types[g->type], "origin");
            if (lht_fact_types[g->type].flags & LHT_TF_LOGS)
                return 1;
            /* a stack from a hung-task report or a WARNING comes from the logs */
            if (origin && origin->type == LHT_T_ENUM && origin->log_values &&
                (g->origins == 0 || (g->origins & origin->log_values)))
                return 1;
        }
    return 0;
}

size_t lht_ruleset_jit_count(const struct lht_ruleset *rs, size_t *total)
{
    size_t i, jit = 0, all = 0;
    int j;

    for (i = 0; i < rs->n; i++)
        for (j = 0; j < rs->rules[i].nsignals; j++) {
            size_t sz = 0;
            if (rs->rules[i].signals[j].re == NULL)
                continue;
            all++;
            if (pcre2_pattern_info(rs->rules[i].signals[j].re, PCRE2_INFO_JITSIZE, &sz) == 0 && sz > 0)
                jit++;
        }
    *total = all;
    return jit;
}
const char *lht_rule_id(const struct lht_rule *r) { return r->id; }
const char *lht_rule_title(const struct lht_rule *r) { return r->title; }
const char *lht_rule_file(const struct lht_rule *r) { return r->file; }
int lht_rule_severity(const struct lht_rule *r) { return r->severity; }
size_t lht_rule_example_count(const struct lht_rule *r) { return (size_t)r->nexamples; }

static const char *const sev_names[] = {"info", "warning", "error", "critical"};

const char *lht_severity_name(int sev)
{
    return sev >= 0 && sev <= 3 ? sev_names[sev] : "?";
}

int lht_severity_parse(const char *s)
{
    return lookup(s, sev_names, 4);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Compare the digit runs at *pa and *pb as numbers of any length (leading
 * zeros aside, the longer run is the larger number), and step past them.
 * A side at "" counts as 0. */
static int digits_cmp(const char **pa, const char **pb)
{
    const char *a = *pa, *b = *pb;
    size_t la, lb;
    int c;

    while (*a == '0' && is_digit(a[1]))
        a++;
    while (*b == '0' && is_digit(b[1]))
        b++;
    for (la = 0; is_digit(a[la]); la++)
        ;
    for (lb = 0; is_digit(b[lb]); lb++)
        ;
    *pa = a + la;
    *pb = b + lb;
    if (la == 0 || (la == 1 && *a == '0'))
        la = 0;
    if (lb == 0 || (lb == 1 && *b == '0'))
        lb = 0;
    if (la != lb)
        return la < lb ? -1 : 1;
    c = memcmp(a, b, la);
    return (c > 0) - (c < 0);
}

/* Past the '.' before the next numeric component, or at "" when the
 * numeric part has ended (what follows is the suffix, not compared). */
static const char *next_component(const char *p)
{
    return p[0] == '.' && is_digit(p[1]) ? p + 1 : "";
}

int lht_version_cmp(const char *a, const char *b)
{
    if (*a == 'v' || *a == 'V')
        a++;
    if (*b == 'v' || *b == 'V')
        b++;
    while (is_digit(*a) || is_digit(*b)) {
        int c = digits_cmp(&a, &b);
        if (c != 0)
            return c;
        a = next_component(a);
        b = next_component(b);
    }
    return 0;
}

const char *lht_rules_default_dir(void)
{
    static char buf[PATH_MAX];
    const char *env = getenv("LHTRIAGE_RULES");
    ssize_t n;

    if (env && env[0])
        return env;
    n = readlink("/proc/self/exe", buf, sizeof buf - 40);
    if (n > 0) {
        char *slash;
        buf[n] = '\0';
        slash = strrchr(buf, '/');
        if (slash) {
            strcpy(slash, "/../share/lhtriage/rules");
            if (access(buf, R_OK) == 0)
                return buf;
        }
    }
    return LHT_SOURCE_RULES_DIR;
}

int lht_vpred_holds(const struct lht_vpred *v, const char *value)
{
    int c;
    if (v->op == LHT_VOP_NONE)
        return 1;
    if (value == NULL || !((value[0] >= '0' && value[0] <= '9') ||
                           ((value[0] == 'v' || value[0] == 'V') && value[1] >= '0' && value[1] <= '9')))
        return 0;
    c = lht_version_cmp(value, v->value);
    switch (v->op) {
    case LHT_VOP_LT: return c < 0;
    case LHT_VOP_LE: return c <= 0;
    case LHT_VOP_EQ: return c == 0;
    case LHT_VOP_NE: return c != 0;
    case LHT_VOP_GE: return c >= 0;
    case LHT_VOP_GT: return c > 0;
    }
    return 0;
}

/* ---- reading a rule (explain, lint) ------------------------------------ */

const struct lht_rule *lht_ruleset_find(const struct lht_ruleset *rs, const char *id)
{
    size_t i;

    for (i = 0; id && i < rs->n; i++)
        if (strcmp(rs->rules[i].id, id) == 0)
            return &rs->rules[i];
    return NULL;
}

const char *lht_scope_name(int scope)
{
    return scope >= 0 && scope < 5 ? scope_names[scope] : "?";
}

size_t lht_rule_signal_count(const struct lht_rule *r) { return (size_t)r->nsignals; }

int lht_rule_signal(const struct lht_rule *r, size_t i, struct lht_signal_info *out)
{
    const struct lht_signal *s;

    if (i >= (size_t)r->nsignals)
        return LHT_EUSAGE;
    s = &r->signals[i];
    out->name = s->name;
    out->fact = lht_fact_types[s->type].rule;
    out->field = s->field;
    out->scope = lht_scope_name(s->scope);
    out->pattern = s->pattern;
    return LHT_OK;
}

size_t lht_rule_level_count(const struct lht_rule *r) { return (size_t)r->nlevels; }

const char *lht_rule_level_name(const struct lht_rule *r, size_t i)
{
    return i < (size_t)r->nlevels ? r->levels[i].name : NULL;
}

size_t lht_rule_level_signals(const struct lht_rule *r, size_t level, int which, const char **names,
                              size_t max)
{
    const struct lht_cond *c;
    const int *v;
    int n, k;

    if (level >= (size_t)r->nlevels)
        return 0;
    c = &r->levels[level].cond;
    v = which == LHT_COND_ALL ? c->all : which == LHT_COND_ANY ? c->any : c->none;
    n = which == LHT_COND_ALL ? c->nall : which == LHT_COND_ANY ? c->nany : c->nnone;
    for (k = 0; k < n && (size_t)k < max; k++)
        names[k] = r->signals[v[k]].name;
    return (size_t)n;
}
