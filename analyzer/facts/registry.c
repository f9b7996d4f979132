/*
 * registry.c - the fact type descriptors (registry.h), expanded from
 * registry.def, and the generic field access and rendering built on them.
 */
#include "facts/registry.h"
#include "facts/fields.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

const char *const lht_stack_origin_names[] = {"proc", "hung_task", "other", NULL};
const char *const lht_mount_origin_names[] = {"proc_mounts", "mount", "mountinfo", "nfsstat",
                                              "findmnt", "mountstats", NULL};

/* Pass 1: one field array per type. */
#define LHT_FACT(ID, name, plural, table, rule, flags) \
    static const struct lht_field_desc fields_##name[] = {
#define LHT_CHILD(ID, name, plural, table, parent_type, pcol, scol, lcol, rule, flags) \
    static const struct lht_field_desc fields_##name[] = {
#define LHT_FIELD(fact, ftype, fname, column, flags) \
    {#fname, column, LHT_T_##ftype, offsetof(struct lht_##fact, fname), flags, NULL, 0, -1},
#define LHT_ENUM(fact, fname, column, names, logs) \
    {#fname, column, LHT_T_ENUM, offsetof(struct lht_##fact, fname), 0, names, logs, -1},
#define LHT_REF(fact, fname, column, target) \
    {#fname, column, LHT_T_REF, offsetof(struct lht_##fact, fname), LHT_FF_NULLNEG, NULL, 0, LHT_FACT_##target},
/* a type may have no stored fields of its own: keep the array non-empty */
#define LHT_END(fact) {NULL, NULL, 0, 0, 0, NULL, 0, -1}};
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"

/* Pass 2: the type table; each entry's lines add their designators. */
#define LHT_FACT(ID, name_, plural, table_, rule_, flags_)                                  \
    [LHT_FACT_##ID] = {.id = LHT_FACT_##ID, .name = #name_, .table = table_, .rule = rule_, \
                       .flags = flags_, .size = sizeof(struct lht_##name_), .parent = -1,   \
                       .child = -1, .fields = fields_##name_,                              \
                       .nfields = sizeof fields_##name_ / sizeof fields_##name_[0] - 1,
#define LHT_CHILD(ID, name_, plural, table_, PARENT, pcol, scol, lcol, rule_, flags_)      \
    [LHT_FACT_##ID] = {.id = LHT_FACT_##ID, .name = #name_, .table = table_, .rule = rule_, \
                       .flags = flags_, .size = sizeof(struct lht_##name_),                 \
                       .parent = LHT_FACT_##PARENT, .parent_col = pcol, .seq_col = scol,    \
                       .line_col = lcol, .child = -1, .fields = fields_##name_,            \
                       .nfields = sizeof fields_##name_ / sizeof fields_##name_[0] - 1,
#define LHT_KIDS(fact, CHILD, first_, count_)                                             \
    .child = LHT_FACT_##CHILD, .kids_first = offsetof(struct lht_##fact, first_),         \
    .kids_count = offsetof(struct lht_##fact, count_),
#define LHT_VIRTUAL(fact, field, fn, line_fn) .virtual_name = #field, .virtual_fn = fn, .virtual_line = line_fn,
#define LHT_KEYED(fact, get, ok, what) .keyed_get = get, .keyed_ok = ok, .keyed_what = what,
#define LHT_RENDER(fact, tmpl) .render = tmpl,
#define LHT_RENDER_FN(fact, fn) .render_fn = fn,
#define LHT_END(fact) },
/* An entry starts with defaults (no parent, no children) that its
 * LHT_KIDS line may override: that is the point, not a slip. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const struct lht_fact_desc lht_fact_types[LHT_FACT_COUNT] = {
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
};
#pragma GCC diagnostic pop

/* ---- look-ups ---------------------------------------------------------- */

const struct lht_fact_desc *lht_fact_by_rule(const char *name)
{
    size_t t;

    for (t = 0; name && t < LHT_FACT_COUNT; t++)
        if (lht_fact_types[t].rule && strcmp(lht_fact_types[t].rule, name) == 0)
            return &lht_fact_types[t];
    return NULL;
}

const struct lht_fact_desc *lht_fact_by_name(const char *name)
{
    size_t t;

    for (t = 0; name && t < LHT_FACT_COUNT; t++)
        if (strcmp(lht_fact_types[t].name, name) == 0)
            return &lht_fact_types[t];
    return NULL;
}

const struct lht_field_desc *lht_fact_field(const struct lht_fact_desc *t, const char *name)
{
    size_t i;

    for (i = 0; name && i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

const struct lht_field_desc *lht_fact_pid_field(const struct lht_fact_desc *t)
{
    size_t i;

    for (i = 0; i < t->nfields; i++)
        if (t->fields[i].flags & LHT_FF_PID)
            return &t->fields[i];
    return NULL;
}

/* ---- access ------------------------------------------------------------ */

const void *lht_fact_record(const struct lht_facts *f, int t, size_t i)
{
    size_t n;
    const char *base = lht_facts_all(f, t, &n);

    return i < n ? base + i * lht_fact_types[t].size : NULL;
}

long lht_fact_long(const void *rec, const struct lht_field_desc *fd)
{
    const char *p = (const char *)rec + fd->offset;

    if (fd->type == LHT_T_INT || fd->type == LHT_T_ENUM)
        return *(const int *)(const void *)p;
    return *(const long *)(const void *)p;
}

const char *lht_fact_text(const struct lht_facts *f, int t, size_t i, const struct lht_field_desc *fd,
                          struct lht_sb *scratch)
{
    const void *rec = lht_fact_record(f, t, i);
    long v;
    size_t k;

    if (rec == NULL || fd == NULL)
        return NULL;
    if (fd->type == LHT_T_TEXT)
        return *(const char *const *)(const void *)((const char *)rec + fd->offset);
    v = lht_fact_long(rec, fd);
    if (fd->type == LHT_T_ENUM) {
        for (k = 0; fd->names[k]; k++)
            if ((long)k == v)
                return fd->names[k];
        return NULL;
    }
    if (fd->type == LHT_T_REF || (v < 0 && (fd->flags & LHT_FF_NULLNEG)))
        return NULL;
    lht_sb_reset(scratch);
    if (lht_sb_printf(scratch, "%ld", v) != 0)
        return NULL;
    return lht_sb_str(scratch);
}

long lht_fact_pid(const struct lht_facts *f, int t, size_t i)
{
    const struct lht_field_desc *fd = lht_fact_pid_field(&lht_fact_types[t]);
    const void *rec = lht_fact_record(f, t, i);

    return fd && rec ? lht_fact_long(rec, fd) : -1;
}

/* ---- rendering --------------------------------------------------------- */

/* Value of `name` (len bytes) for the template: the record's field, or
 * its parent's after '^'; "" when absent. */
static const char *tmpl_value(const struct lht_facts *f, int t, size_t i, const char *name, size_t len,
                              struct lht_sb *scratch)
{
    char key[64];
    const struct lht_fact_desc *d = &lht_fact_types[t];
    const char *v;

    if (len > 0 && name[0] == '^' && d->parent >= 0) {
        const struct lht_child_head *c = lht_fact_record(f, t, i);
        if (c == NULL)
            return "";
        i = c->parent;
        t = d->parent;
        d = &lht_fact_types[t];
        name++, len--;
    }
    if (len >= sizeof key)
        return "";
    memcpy(key, name, len);
    key[len] = '\0';
    v = lht_fact_text(f, t, i, lht_fact_field(d, key), scratch);
    return v ? v : "";
}

/* Expand one {...} of a template (body excludes the braces). */
static void tmpl_put(const struct lht_facts *f, int t, size_t i, const char *body, size_t len,
                     struct lht_sb *out)
{
    struct lht_sb scratch = LHT_SB_INIT;
    const char *lt = memchr(body, '<', len), *gt = lt ? memchr(lt, '>', len - (size_t)(lt - body)) : NULL;
    const char *bar = memchr(body, '|', len);
    const char *v;

    if (lt && gt) {
        /* {pre<field>post} */
        v = tmpl_value(f, t, i, lt + 1, (size_t)(gt - lt - 1), &scratch);
        if (*v) {
            lht_sb_putn(out, body, (size_t)(lt - body));
            lht_sb_puts(out, v);
            lht_sb_putn(out, gt + 1, len - (size_t)(gt + 1 - body));
        }
    } else if (bar) {
        v = tmpl_value(f, t, i, body, (size_t)(bar - body), &scratch);
        if (*v)
            lht_sb_puts(out, v);
        else
            lht_sb_putn(out, bar + 1, len - (size_t)(bar + 1 - body));
    } else {
        lht_sb_puts(out, tmpl_value(f, t, i, body, len, &scratch));
    }
    lht_sb_free(&scratch);
}

void lht_fact_render(const struct lht_facts *f, int t, size_t i, struct lht_sb *out)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    const char *p = d->render;

    if (d->render_fn) {
        d->render_fn(f, i, out);
        return;
    }
    while (p && *p) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        if (open == NULL || close == NULL) {
            lht_sb_puts(out, p);
            break;
        }
        lht_sb_putn(out, p, (size_t)(open - p));
        tmpl_put(f, t, i, open + 1, (size_t)(close - open - 1), out);
        p = close + 1;
    }
}
