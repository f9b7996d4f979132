/*
 * load.c - read stored facts back into a fact collection (store.h), so
 * that what works on a scan's facts (rendering, the rule engine) works on
 * a database too: `explain` shows a finding's neighbourhood this way, and
 * a case is evaluated on the union of its inputs read back one by one.
 *
 * Every type is read with a SELECT generated from the registry, in
 * registry order; children arrive grouped by parent, references are
 * turned from row ids back into indexes (past what the collection held
 * before, so inputs can be appended). Each member row's path becomes one
 * string that all its facts share: the member map finds the row again
 * from a finding's evidence.
 */
#include "store/store_private.h"
#include "facts/registry.h"
#include "core/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Row ids of the records loaded so far, per type, ascending. */
struct rowids {
    long long *id;
    size_t n, cap;
};

/* member row id -> its path in the collection, open addressing */
struct paths {
    long long *id;
    const char **path;
    size_t cap, used;
};

struct loader {
    struct lht_store *s;
    struct lht_facts *f;
    struct rowids ids[LHT_FACT_COUNT];
    size_t base[LHT_FACT_COUNT];   /* records f held before this load */
    struct paths paths;
    struct lht_member_map *map;    /* or NULL */
    long long bundle_id;           /* for the map */
    const char *node;              /* the last node string, reused while equal */
    lht_err *err;
};

/* ---- the member map ------------------------------------------------------ */

struct lht_member_map {
    const char **key;
    long long *member, *bundle;
    size_t cap, used;
};

struct lht_member_map *lht_member_map_new(void)
{
    return calloc(1, sizeof(struct lht_member_map));
}

void lht_member_map_free(struct lht_member_map *m)
{
    if (m == NULL)
        return;
    free(m->key);
    free(m->member);
    free(m->bundle);
    free(m);
}

static size_t ptr_hash(const void *p, size_t cap)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= (uintptr_t)0x9e3779b97f4a7c15ull;
    return (size_t)(v >> 7) & (cap - 1);
}

static int map_grow(struct lht_member_map *m)
{
    struct lht_member_map n;
    size_t i;

    n.cap = m->cap ? m->cap * 2 : 256;
    n.used = 0;
    n.key = calloc(n.cap, sizeof *n.key);
    n.member = malloc(n.cap * sizeof *n.member);
    n.bundle = malloc(n.cap * sizeof *n.bundle);
    if (n.key == NULL || n.member == NULL || n.bundle == NULL) {
        free(n.key);
        free(n.member);
        free(n.bundle);
        return LHT_ENOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        size_t j;
        if (m->key[i] == NULL)
            continue;
        for (j = ptr_hash(m->key[i], n.cap); n.key[j] != NULL; j = (j + 1) & (n.cap - 1))
            ;
        n.key[j] = m->key[i];
        n.member[j] = m->member[i];
        n.bundle[j] = m->bundle[i];
        n.used++;
    }
    free(m->key);
    free(m->member);
    free(m->bundle);
    *m = n;
    return LHT_OK;
}

static int map_put(struct lht_member_map *m, const char *key, long long member, long long bundle)
{
    size_t i;

    if ((m->used + 1) * 2 > m->cap && map_grow(m) != LHT_OK)
        return LHT_ENOMEM;
    for (i = ptr_hash(key, m->cap); m->key[i] != NULL && m->key[i] != key; i = (i + 1) & (m->cap - 1))
        ;
    if (m->key[i] == NULL)
        m->used++;
    m->key[i] = key;
    m->member[i] = member;
    m->bundle[i] = bundle;
    return LHT_OK;
}

long long lht_member_map_get(const struct lht_member_map *m, const char *member, long long *bundle_id)
{
    size_t i;

    if (m == NULL || m->cap == 0 || member == NULL)
        return -1;
    for (i = ptr_hash(member, m->cap); m->key[i] != NULL; i = (i + 1) & (m->cap - 1))
        if (m->key[i] == member) {
            if (bundle_id)
                *bundle_id = m->bundle[i];
            return m->member[i];
        }
    return -1;
}

/* ---- member paths, one string per row ------------------------------------ */

static size_t id_hash(long long id, size_t cap)
{
    unsigned long long v = (unsigned long long)id * 0x9e3779b97f4a7c15ull;
    return (size_t)(v >> 17) & (cap - 1);
}

static int paths_grow(struct paths *p)
{
    struct paths n;
    size_t i, j;

    n.cap = p->cap ? p->cap * 2 : 256;
    n.used = p->used;
    n.id = malloc(n.cap * sizeof *n.id);
    n.path = calloc(n.cap, sizeof *n.path);
    if (n.id == NULL || n.path == NULL) {
        free(n.id);
        free(n.path);
        return LHT_ENOMEM;
    }
    for (i = 0; i < p->cap; i++) {
        if (p->path[i] == NULL)
            continue;
        for (j = id_hash(p->id[i], n.cap); n.path[j] != NULL; j = (j + 1) & (n.cap - 1))
            ;
        n.id[j] = p->id[i];
        n.path[j] = p->path[i];
    }
    free(p->id);
    free(p->path);
    *p = n;
    return LHT_OK;
}

/* The collection's string for member row mid (text: its path), created on
 * first use; NULL on OOM. */
static const char *member_path(struct loader *l, long long mid, const char *text)
{
    struct paths *p = &l->paths;
    size_t i;

    if (text == NULL)
        text = "";
    if ((p->used + 1) * 2 > p->cap && paths_grow(p) != LHT_OK)
        return NULL;
    for (i = id_hash(mid, p->cap); p->path[i] != NULL; i = (i + 1) & (p->cap - 1))
        if (p->id[i] == mid)
            return p->path[i];
    if ((p->path[i] = lht_facts_strz(l->f, text)) == NULL)
        return NULL;
    p->id[i] = mid;
    p->used++;
    if (l->map && map_put(l->map, p->path[i], mid, l->bundle_id) != LHT_OK)
        return NULL;
    return p->path[i];
}

static int push_id(struct rowids *r, long long id)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        long long *nv = realloc(r->id, cap * sizeof *nv);
        if (nv == NULL)
            return LHT_ENOMEM;
        r->id = nv;
        r->cap = cap;
    }
    r->id[r->n++] = id;
    return LHT_OK;
}

/* Index of row id in r, or -1 (r is ascending). */
static long find_id(const struct rowids *r, long long id)
{
    size_t lo = 0, hi = r->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->id[mid] == id)
            return (long)mid;
        if (r->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* SELECT of type d: row id, then the prefix (member row, member path,
 * node, line | parent row id, line), then the fields; rows of one bundle
 * or one member. */
static char *select_sql(const struct lht_fact_desc *d, const char *scope)
{
    struct lht_sb q = LHT_SB_INIT;
    size_t i;

    if (d->parent < 0)
        lht_sb_printf(&q, "SELECT t.rowid, t.member_id, m.path, %s, t.line",
                      (d->flags & LHT_TF_NO_NODE) ? "NULL" : "t.node");
    else
        lht_sb_printf(&q, "SELECT t.rowid, t.%s, %s%s", d->parent_col, d->line_col ? "t." : "NULL",
                      d->line_col ? d->line_col : "");
    for (i = 0; i < d->nfields; i++)
        lht_sb_printf(&q, ", t.%s", d->fields[i].column);
    if (d->parent < 0)
        lht_sb_printf(&q, " FROM %s t JOIN members m ON m.id = t.member_id WHERE t.%s = ?1 ORDER BY t.rowid",
                      d->table, scope);
    else
        lht_sb_printf(&q, " FROM %s t JOIN %s p ON p.id = t.%s WHERE p.%s = ?1 ORDER BY t.%s, %s%s",
                      d->table, lht_fact_types[d->parent].table, d->parent_col, scope, d->parent_col,
                      d->seq_col ? "t." : "t.rowid", d->seq_col ? d->seq_col : "");
    if (q.oom) {
        lht_sb_free(&q);
        return NULL;
    }
    return q.p;
}

static const char *col_text(struct loader *l, sqlite3_stmt *st, int c)
{
    const unsigned char *v = sqlite3_column_text(st, c);
    return v ? lht_facts_strz(l->f, (const char *)v) : NULL;
}

/* Field fd of the record being built, from column c. */
static int load_field(struct loader *l, sqlite3_stmt *st, int c, char *rec, const struct lht_field_desc *fd)
{
    char *p = rec + fd->offset;
    int null = sqlite3_column_type(st, c) == SQLITE_NULL;
    long v = null ? -1 : (long)sqlite3_column_int64(st, c);
    size_t k;

    switch (fd->type) {
    case LHT_T_TEXT:
        *(const char **)(void *)p = col_text(l, st, c);
        return null || *(const char **)(void *)p ? LHT_OK : LHT_ENOMEM;
    case LHT_T_ENUM:
        v = 0;
        for (k = 0; fd->names[k] && !null; k++)
            if (strcmp(fd->names[k], (const char *)sqlite3_column_text(st, c)) == 0)
                v = (long)k;
        *(int *)(void *)p = (int)v;
        return LHT_OK;
    case LHT_T_INT:
        *(int *)(void *)p = (int)v;
        return LHT_OK;
    case LHT_T_REF:
        v = null ? -1 : find_id(&l->ids[fd->target], sqlite3_column_int64(st, c));
        *(long *)(void *)p = v < 0 ? -1 : v + (long)l->base[fd->target];
        return LHT_OK;
    default:
        *(long *)(void *)p = v;
        return LHT_OK;
    }
}

/* One row into a new record of type d. */
static int load_row(struct loader *l, const struct lht_fact_desc *d, sqlite3_stmt *st, char *rec)
{
    size_t i, parent = 0;
    int c = 1, rc;

    memset(rec, 0, d->size);
    if (d->parent < 0) {
        struct lht_prov *at = (struct lht_prov *)(void *)rec;
        const char *node = (const char *)sqlite3_column_text(st, c + 2);
        at->member = member_path(l, sqlite3_column_int64(st, c), (const char *)sqlite3_column_text(st, c + 1));
        if (at->member == NULL)
            return LHT_ENOMEM;
        /* rows of one node come in runs: one string per run */
        if (node != NULL && (l->node == NULL || strcmp(l->node, node) != 0) &&
            (l->node = lht_facts_strz(l->f, node)) == NULL)
            return LHT_ENOMEM;
        at->node = node ? l->node : NULL;
        c += 3;
        at->line = (long)sqlite3_column_int64(st, c++);
    } else {
        long pi = find_id(&l->ids[d->parent], sqlite3_column_int64(st, c++));
        struct lht_child_head *h = (struct lht_child_head *)(void *)rec;
        if (pi < 0)
            return LHT_EUSAGE;   /* an orphan row: the schema's cascade forbids it */
        parent = (size_t)pi + l->base[d->parent];
        h->line = sqlite3_column_type(st, c) == SQLITE_NULL
                      ? lht_facts_prov(l->f, d->parent, parent).line
                      : (long)sqlite3_column_int64(st, c);
        c++;
    }
    for (i = 0; i < d->nfields; i++)
        if ((rc = load_field(l, st, c++, rec, &d->fields[i])) != LHT_OK)
            return rc;
    if (d->parent < 0)
        return lht_facts_add(l->f, d->id, rec, NULL);
    return lht_facts_add_child(l->f, d->id, rec, parent);
}

/* The SELECT of type d in scope (LHT_LOAD_*), prepared once per connection. */
static sqlite3_stmt *type_stmt(struct loader *l, const struct lht_fact_desc *d, int scope)
{
    int slot = LHT_STORE_LOAD_SLOT + 2 * d->id + (scope == LHT_LOAD_BUNDLE);
    sqlite3_stmt *st = lht_store_prepared(l->s, slot, NULL, NULL);
    char *sql;

    if (st != NULL)
        return st;
    sql = select_sql(d, scope == LHT_LOAD_MEMBER ? "member_id" : "bundle_id");
    st = lht_store_prepared(l->s, slot, sql, l->err);
    free(sql);
    return st;
}

static int load_type(struct loader *l, const struct lht_fact_desc *d, int scope, long long id)
{
    sqlite3_stmt *st = type_stmt(l, d, scope);
    char *rec = malloc(d->size);
    int rc = LHT_OK, step = SQLITE_DONE;

    if (st == NULL || rec == NULL) {
        free(rec);
        return st == NULL ? l->err->code : lht_err_set(l->err, LHT_ENOMEM, "out of memory");
    }
    sqlite3_bind_int64(st, 1, id);
    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = load_row(l, d, st, rec);
        if (rc == LHT_OK)
            rc = push_id(&l->ids[d->id], sqlite3_column_int64(st, 0));
        if (rc != LHT_OK)
            rc = lht_err_set(l->err, rc, "%s: cannot load %s facts", l->s->path, d->name);
    }
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = lht_store_fail(l->err, l->s->db, l->s->path, "cannot read facts");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(rec);
    return rc;
}

static int load_all(struct lht_store *s, int scope, long long id, struct lht_facts *f,
                    struct lht_member_map *map, lht_err *err)
{
    struct loader l;
    size_t t;
    int rc = LHT_OK;

    memset(&l, 0, sizeof l);
    l.s = s;
    l.f = f;
    l.err = err;
    l.map = map;
    l.bundle_id = id;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        l.base[t] = lht_facts_count(f, (int)t);
    for (t = 0; t < LHT_FACT_COUNT && rc == LHT_OK; t++)
        rc = load_type(&l, &lht_fact_types[t], scope, id);
    for (t = 0; t < LHT_FACT_COUNT; t++)
        free(l.ids[t].id);
    free(l.paths.id);
    free(l.paths.path);
    return rc;
}

int lht_store_load(struct lht_store *s, int scope, long long id, struct lht_facts *f, lht_err *err)
{
    return load_all(s, scope, id, f, NULL, err);
}

/* One member per node the input's member paths name (nodes/<node>.zip):
 * which nodes are the cluster's, as opposed to hosts a paste names. */
static int load_path_nodes(struct lht_store *s, long long bundle_id, struct lht_facts *f, lht_err *err)
{
    sqlite3_stmt *st = lht_store_prepared(s, LHT_STORE_LOAD_SLOT + 2 * LHT_FACT_COUNT,
                                          "SELECT node, min(path) FROM members WHERE bundle_id = ?1 "
                                          "AND node IS NOT NULL GROUP BY node ORDER BY node", err);
    int rc = LHT_OK, step = SQLITE_DONE;

    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, bundle_id);
    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct lht_member m;
        memset(&m, 0, sizeof m);
        m.at.node = lht_facts_strz(f, (const char *)sqlite3_column_text(st, 0));
        m.at.member = lht_facts_strz(f, (const char *)sqlite3_column_text(st, 1));
        m.kind = "node";
        m.size = -1;
        m.status = "parsed";
        if (m.at.node == NULL || m.at.member == NULL || lht_facts_add_member(f, &m) != LHT_OK)
            rc = lht_err_set(err, LHT_ENOMEM, "%s: out of memory", s->path);
    }
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = lht_store_fail(err, s->db, s->path, "cannot read members");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

_Static_assert(LHT_STORE_LOAD_SLOT + 2 * LHT_FACT_COUNT < LHT_STORE_SLOTS, "more store statement slots needed");

int lht_store_load_input(struct lht_store *s, long long bundle_id, struct lht_facts *f,
                         struct lht_member_map *map, lht_err *err)
{
    int rc = load_path_nodes(s, bundle_id, f, err);

    return rc == LHT_OK ? load_all(s, LHT_LOAD_BUNDLE, bundle_id, f, map, err) : rc;
}
