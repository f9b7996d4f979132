/*
 * load.c - read stored facts back into a fact collection (store.h), so
 * that what works on a scan's facts (rendering, the rule engine) works on
 * a database too: `explain` shows a finding's neighbourhood this way.
 *
 * Every type is read with a SELECT generated from the registry, in
 * registry order; children arrive grouped by parent, references are
 * turned from row ids back into indexes.
 */
#include "store/store_private.h"
#include "facts/registry.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Row ids of the records loaded so far, per type, ascending. */
struct rowids {
    long long *id;
    size_t n, cap;
};

struct loader {
    struct lht_store *s;
    struct lht_facts *f;
    struct rowids ids[LHT_FACT_COUNT];
    lht_err *err;
};

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

/* SELECT of type d: row id, then the prefix (member, node, line | parent
 * row id, line), then the fields; rows of one bundle or one member. */
static char *select_sql(const struct lht_fact_desc *d, const char *scope)
{
    struct lht_sb q = LHT_SB_INIT;
    size_t i;

    if (d->parent < 0)
        lht_sb_printf(&q, "SELECT t.rowid, m.path, %s, t.line", (d->flags & LHT_TF_NO_NODE) ? "NULL" : "t.node");
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
        *(long *)(void *)p = null ? -1 : find_id(&l->ids[fd->target], sqlite3_column_int64(st, c));
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
        at->member = col_text(l, st, c++);
        at->node = col_text(l, st, c++);
        at->line = (long)sqlite3_column_int64(st, c++);
    } else {
        long pi = find_id(&l->ids[d->parent], sqlite3_column_int64(st, c++));
        struct lht_child_head *h = (struct lht_child_head *)(void *)rec;
        if (pi < 0)
            return LHT_EUSAGE;   /* an orphan row: the schema's cascade forbids it */
        parent = (size_t)pi;
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

static int load_type(struct loader *l, const struct lht_fact_desc *d, const char *scope, long long id)
{
    sqlite3_stmt *st = NULL;
    char *sql = select_sql(d, scope), *rec = malloc(d->size);
    int rc = LHT_OK, step;

    if (sql == NULL || rec == NULL) {
        rc = lht_err_set(l->err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(l->s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = lht_store_fail(l->err, l->s->db, l->s->path, "cannot read facts");
        goto done;
    }
    sqlite3_bind_int64(st, 1, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == LHT_OK) {
        rc = load_row(l, d, st, rec);
        if (rc == LHT_OK)
            rc = push_id(&l->ids[d->id], sqlite3_column_int64(st, 0));
        if (rc != LHT_OK)
            rc = lht_err_set(l->err, rc, "%s: cannot load %s facts", l->s->path, d->name);
    }
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = lht_store_fail(l->err, l->s->db, l->s->path, "cannot read facts");
done:
    sqlite3_finalize(st);
    free(sql);
    free(rec);
    return rc;
}

int lht_store_load(struct lht_store *s, int scope, long long id, struct lht_facts *f, lht_err *err)
{
    struct loader l;
    size_t t;
    int rc = LHT_OK;

    memset(&l, 0, sizeof l);
    l.s = s;
    l.f = f;
    l.err = err;
    for (t = 0; t < LHT_FACT_COUNT && rc == LHT_OK; t++)
        rc = load_type(&l, &lht_fact_types[t], scope == LHT_LOAD_MEMBER ? "member_id" : "bundle_id", id);
    for (t = 0; t < LHT_FACT_COUNT; t++)
        free(l.ids[t].id);
    return rc;
}
