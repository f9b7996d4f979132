/*
 * merge.c - copy the bundles of another database into this one
 * (lht_store_merge, store.h): shards of a batch scan become one database.
 *
 * Which tables exist and how they hang together comes from the registry
 * (facts/registry.def) plus the store's own tables, so a new fact type is
 * merged without a line here. Row ids of the source are shifted past this
 * database's, and so is every column that holds one.
 */
#include "store/store_private.h"
#include "facts/registry.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEL "SELECT id FROM temp.merge_sel"
#define MAX_TABLES (LHT_FACT_COUNT + 4)

/* A table to copy, in dependency order, and the rows of imported bundles. */
struct mtable {
    const char *name;
    char owner[256];     /* WHERE clause over the source table */
    long long shift;     /* added to its ids */
};

/* column -> the table whose ids it holds */
struct mref {
    const char *column, *table;
};

static size_t add_table(struct mtable *t, size_t n, const char *name, const char *parent_col,
                        const char *parent_table)
{
    t[n].name = name;
    if (parent_col)
        snprintf(t[n].owner, sizeof t[n].owner, "%s IN (SELECT id FROM src.%s WHERE bundle_id IN (" SEL "))",
                 parent_col, parent_table);
    else
        snprintf(t[n].owner, sizeof t[n].owner, "%s IN (" SEL ")",
                 strcmp(name, "bundles") == 0 ? "id" : "bundle_id");
    t[n].shift = 0;
    return n + 1;
}

/* Tables in dependency order: bundles, members, the fact types (parents
 * and reference targets come first in the registry), findings. */
static size_t merge_tables(struct mtable *t)
{
    size_t n = 0, i;

    n = add_table(t, n, "bundles", NULL, NULL);
    n = add_table(t, n, "members", NULL, NULL);
    for (i = 0; i < LHT_FACT_COUNT; i++) {
        const struct lht_fact_desc *d = &lht_fact_types[i];
        n = add_table(t, n, d->table, d->parent >= 0 ? d->parent_col : NULL,
                      d->parent >= 0 ? lht_fact_types[d->parent].table : NULL);
    }
    n = add_table(t, n, "findings", NULL, NULL);
    n = add_table(t, n, "finding_evidence", "finding_id", "findings");
    return n;
}

static size_t merge_refs(struct mref *r)
{
    size_t n = 0, i, j;

    r[n++] = (struct mref){"bundle_id", "bundles"};
    r[n++] = (struct mref){"member_id", "members"};
    r[n++] = (struct mref){"finding_id", "findings"};
    for (i = 0; i < LHT_FACT_COUNT; i++) {
        const struct lht_fact_desc *d = &lht_fact_types[i];
        if (d->parent >= 0)
            r[n++] = (struct mref){d->parent_col, lht_fact_types[d->parent].table};
        for (j = 0; j < d->nfields; j++)
            if (d->fields[j].type == LHT_T_REF)
                r[n++] = (struct mref){d->fields[j].column, lht_fact_types[d->fields[j].target].table};
    }
    return n;
}

/* Largest id of a table of this database, 0 when it has no id column. */
static long long max_id(sqlite3 *db, const char *table)
{
    char sql[160];
    sqlite3_stmt *st = NULL;
    long long v = 0;

    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = 'id'", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM main.%s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long shift_of(const char *column, const struct mtable *self, const struct mtable *t,
                          size_t nt, const struct mref *r, size_t nr)
{
    size_t i, j;

    if (strcmp(column, "id") == 0)
        return self->shift;
    for (i = 0; i < nr; i++)
        if (strcmp(column, r[i].column) == 0)
            for (j = 0; j < nt; j++)
                if (strcmp(t[j].name, r[i].table) == 0)
                    return t[j].shift;
    return -1;
}

/* INSERT ... SELECT of one table with its id columns shifted. */
static int copy_table(struct lht_store *s, const struct mtable *self, const struct mtable *t, size_t nt,
                      const struct mref *r, size_t nr, const char *src_path, lht_err *err)
{
    struct lht_sb cols = LHT_SB_INIT, exprs = LHT_SB_INIT;
    sqlite3_stmt *ti = NULL;
    char q[160], *sql = NULL;
    int rc = LHT_EDB;

    snprintf(q, sizeof q, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", self->name);
    if (sqlite3_prepare_v2(s->db, q, -1, &ti, NULL) != SQLITE_OK)
        goto done;
    while (sqlite3_step(ti) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(ti, 0);
        long long shift = shift_of(c, self, t, nt, r, nr);
        const char *sep = cols.len ? ", " : "";
        lht_sb_printf(&cols, "%s\"%s\"", sep, c);
        if (shift >= 0)
            lht_sb_printf(&exprs, "%s\"%s\" + %lld", sep, c, shift);
        else
            lht_sb_printf(&exprs, "%s\"%s\"", sep, c);
    }
    sql = sqlite3_mprintf("INSERT INTO main.%s (%s) SELECT %s FROM src.%s WHERE %s", self->name,
                          lht_sb_str(&cols), lht_sb_str(&exprs), self->name, self->owner);
    if (sql == NULL || cols.oom || exprs.oom || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        lht_err_set(err, LHT_EDB, "%s: merging %s: %s", src_path, self->name, sqlite3_errmsg(s->db));
        goto done;
    }
    rc = LHT_OK;
done:
    sqlite3_finalize(ti);
    sqlite3_free(sql);
    lht_sb_free(&cols);
    lht_sb_free(&exprs);
    return rc;
}

/* Attach src_path as "src" (*attached = 1 once it is) at our schema version. */
static int attach(struct lht_store *s, const char *src_path, int *attached, lht_err *err)
{
    char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS src", src_path);
    sqlite3_stmt *st = NULL;
    int v = -1, rc;

    if (sql == NULL || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_free(sql);
        return lht_store_fail(err, s->db, src_path, "cannot attach");
    }
    *attached = 1;
    sqlite3_free(sql);
    if (sqlite3_prepare_v2(s->db, "PRAGMA src.user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    rc = LHT_OK;
    if (v != s->version)
        rc = lht_err_set(err, LHT_EDB, "%s: schema version %d, %s has %d; re-scan or upgrade first",
                         src_path, v, s->path, s->version);
    return rc;
}

/* Which source bundles to take: new paths, or scanned later than ours;
 * the older copies of those here are dropped. */
static int select_bundles(struct lht_store *s, int *added, int *kept, lht_err *err)
{
    sqlite3_stmt *st = NULL;

    if (lht_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS merge_sel (id INTEGER PRIMARY KEY)", err, "merge") ||
        lht_store_exec(s, "DELETE FROM temp.merge_sel", err, "merge") ||
        lht_store_exec(s, "INSERT INTO temp.merge_sel SELECT b.id FROM src.bundles b "
                          "WHERE NOT EXISTS (SELECT 1 FROM main.bundles m WHERE m.path = b.path "
                          "                  AND m.scanned_at >= b.scanned_at)", err, "merge"))
        return LHT_EDB;
    if (sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM temp.merge_sel), "
                                  "(SELECT count(*) FROM src.bundles) - (SELECT count(*) FROM temp.merge_sel)",
                           -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *added = sqlite3_column_int(st, 0);
        *kept = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    return lht_store_exec(s, "DELETE FROM main.bundles WHERE path IN (SELECT path FROM src.bundles "
                             "WHERE id IN (" SEL "))", err, "merge");
}

int lht_store_merge(struct lht_store *s, const char *src_path, int *added, int *kept, lht_err *err)
{
    struct mtable t[MAX_TABLES];
    struct mref r[3 + 2 * LHT_FACT_COUNT];
    size_t nt, nr, i;
    int rc = LHT_EDB, attached = 0, began = 0;

    *added = *kept = 0;
    if (access(src_path, R_OK) != 0)
        return lht_err_set(err, LHT_EIO, "%s: cannot read database", src_path);
    if ((rc = attach(s, src_path, &attached, err)) != LHT_OK)
        goto done;
    rc = LHT_EDB;
    if (lht_store_exec(s, "BEGIN IMMEDIATE", err, "cannot start merge") != LHT_OK)
        goto done;
    began = 1;
    if (select_bundles(s, added, kept, err) != LHT_OK)
        goto done;
    nt = merge_tables(t);
    nr = merge_refs(r);
    for (i = 0; i < nt; i++)
        t[i].shift = max_id(s->db, t[i].name);
    for (i = 0; i < nt; i++)
        if (copy_table(s, &t[i], t, nt, r, nr, src_path, err) != LHT_OK)
            goto done;
    if (lht_store_exec(s, "COMMIT", err, "cannot commit merge") != LHT_OK)
        goto done;
    began = 0;
    rc = LHT_OK;
done:
    if (began)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (attached)
        sqlite3_exec(s->db, "DETACH DATABASE src", NULL, NULL, NULL);
    return rc;
}
