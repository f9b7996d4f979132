/*
 * merge.c - copy the cases of another database into this one
 * (lht_store_merge, store.h): shards of a batch scan become one database.
 *
 * The unit is the case: a case of the source whose key this database does
 * not hold, or evaluated later than ours, comes over whole (its inputs,
 * their facts, its findings and node aliases); the older copy here goes.
 * Which tables exist and how they hang together comes from the registry
 * (facts/registry.def) plus the store's own tables, so a new fact type is
 * merged without a line here. Row ids of the source are shifted past this
 * database's, and so is every column that holds one; finding ids are not
 * shifted but looked up by the finding's identity (finding_ids), so a
 * finding keeps the id it has here. The redaction key (secrets,
 * schema/011_redact_key.sql) is not a case's and is never copied: this
 * database keeps its own, so its redacted reports keep their tokens.
 */
#include "store/store_private.h"
#include "facts/registry.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CASES "SELECT id FROM temp.merge_cases"
#define BUNDLES "SELECT id FROM src.bundles WHERE case_id IN (" CASES ")"
#define FID "(SELECT dst FROM temp.merge_fid WHERE src = "
#define MAX_TABLES (LHT_FACT_COUNT + 8)

/* A table to copy, in dependency order, and the rows of imported cases. */
struct mtable {
    const char *name;
    char owner[320];     /* WHERE clause over the source table */
    long long shift;     /* added to its ids */
};

/* column -> the table whose ids it holds */
struct mref {
    const char *column, *table;
};

static size_t add_table(struct mtable *t, size_t n, const char *name, const char *owner)
{
    t[n].name = name;
    snprintf(t[n].owner, sizeof t[n].owner, "%s", owner);
    t[n].shift = 0;
    return n + 1;
}

/* Tables in dependency order: cases, bundles, members, the fact types
 * (parents and reference targets come first in the registry), findings. */
static size_t merge_tables(struct mtable *t)
{
    char owner[320];
    size_t n = 0, i;

    n = add_table(t, n, "cases", "id IN (" CASES ")");
    n = add_table(t, n, "bundles", "id IN (" BUNDLES ")");
    n = add_table(t, n, "members", "bundle_id IN (" BUNDLES ")");
    for (i = 0; i < LHT_FACT_COUNT; i++) {
        const struct lht_fact_desc *d = &lht_fact_types[i];
        if (d->parent >= 0)
            snprintf(owner, sizeof owner, "%s IN (SELECT id FROM src.%s WHERE bundle_id IN (" BUNDLES "))",
                     d->parent_col, lht_fact_types[d->parent].table);
        else
            snprintf(owner, sizeof owner, "bundle_id IN (" BUNDLES ")");
        n = add_table(t, n, d->table, owner);
    }
    n = add_table(t, n, "node_aliases", "case_id IN (" CASES ")");
    n = add_table(t, n, "findings", "case_id IN (" CASES ")");
    n = add_table(t, n, "finding_evidence", "finding_id IN (SELECT id FROM src.findings WHERE case_id IN (" CASES "))");
    return n;
}

static size_t merge_refs(struct mref *r)
{
    size_t n = 0, i, j;

    r[n++] = (struct mref){"case_id", "cases"};
    r[n++] = (struct mref){"bundle_id", "bundles"};
    r[n++] = (struct mref){"dup_of", "bundles"};
    r[n++] = (struct mref){"member_id", "members"};
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

/* The value of column c of table self as it lands here: finding ids
 * mapped by identity, other ids shifted, everything else as it is. */
static void column_expr(struct lht_sb *b, const char *c, const struct mtable *self, const struct mtable *t,
                        size_t nt, const struct mref *r, size_t nr)
{
    size_t i, j;

    if ((strcmp(self->name, "findings") == 0 && strcmp(c, "id") == 0) || strcmp(c, "finding_id") == 0) {
        lht_sb_printf(b, FID "\"%s\")", c);
        return;
    }
    if (strcmp(c, "id") == 0) {
        lht_sb_printf(b, "\"%s\" + %lld", c, self->shift);
        return;
    }
    for (i = 0; i < nr; i++)
        if (strcmp(c, r[i].column) == 0)
            for (j = 0; j < nt; j++)
                if (strcmp(t[j].name, r[i].table) == 0) {
                    lht_sb_printf(b, "\"%s\" + %lld", c, t[j].shift);
                    return;
                }
    lht_sb_printf(b, "\"%s\"", c);
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
        const char *sep = cols.len ? ", " : "";
        lht_sb_printf(&cols, "%s\"%s\"", sep, c);
        lht_sb_puts(&exprs, sep);
        column_expr(&exprs, c, self, t, nt, r, nr);
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

/* Which source cases to take: new keys, or evaluated later than ours
 * (an input that moved to another case goes with the newer scan of it);
 * what they replace here is dropped. */
static int select_cases(struct lht_store *s, int *added, int *kept, lht_err *err)
{
    sqlite3_stmt *st = NULL;

    if (lht_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS merge_cases (id INTEGER PRIMARY KEY)", err, "merge") ||
        lht_store_exec(s, "DELETE FROM temp.merge_cases", err, "merge") ||
        lht_store_exec(s, "INSERT INTO temp.merge_cases SELECT c.id FROM src.cases c "
                          "WHERE NOT EXISTS (SELECT 1 FROM main.cases m WHERE m.key = c.key "
                          "                  AND coalesce(m.evaluated_at, '') >= coalesce(c.evaluated_at, ''))",
                       err, "merge"))
        return LHT_EDB;
    if (sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM temp.merge_cases), "
                                  "(SELECT count(*) FROM src.cases) - (SELECT count(*) FROM temp.merge_cases)",
                           -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *added = sqlite3_column_int(st, 0);
        *kept = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    /* a case here that loses an input to a newer case elsewhere is stale */
    return lht_store_exec(s, "UPDATE main.cases SET stale = 1 WHERE id IN (SELECT case_id FROM main.bundles "
                             "WHERE path IN (SELECT path FROM src.bundles WHERE id IN (" BUNDLES ")))",
                          err, "merge") ||
                   lht_store_exec(s, "DELETE FROM main.bundles WHERE path IN (SELECT path FROM src.bundles WHERE id IN ("
                             BUNDLES ")) OR case_id IN (SELECT m.id FROM main.cases m JOIN src.cases c ON "
                             "c.key = m.key WHERE c.id IN (" CASES "))", err, "merge") ||
                   lht_store_exec(s, "DELETE FROM main.cases WHERE key IN (SELECT key FROM src.cases WHERE id IN ("
                                     CASES ")) OR NOT EXISTS (SELECT 1 FROM main.bundles b WHERE b.case_id = "
                                     "main.cases.id)", err, "merge")
               ? LHT_EDB
               : LHT_OK;
}

/* Finding ids by identity: a key this database knows keeps its id, a new
 * one gets the next free id here. */
static int map_finding_ids(struct lht_store *s, lht_err *err)
{
    return lht_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS merge_fid (src INTEGER PRIMARY KEY, dst INTEGER)",
                          err, "merge") ||
                   lht_store_exec(s, "DELETE FROM temp.merge_fid", err, "merge") ||
                   lht_store_exec(s, "INSERT OR IGNORE INTO main.finding_ids (case_key, rule_id, node, subject) "
                                     "SELECT case_key, rule_id, node, subject FROM src.finding_ids "
                                     "ORDER BY id", err, "merge") ||
                   lht_store_exec(s, "INSERT INTO temp.merge_fid SELECT s.id, m.id FROM src.finding_ids s "
                                     "JOIN main.finding_ids m USING (case_key, rule_id, node, subject)",
                                  err, "merge")
               ? LHT_EDB
               : LHT_OK;
}

int lht_store_merge(struct lht_store *s, const char *src_path, int *added, int *kept, lht_err *err)
{
    struct mtable t[MAX_TABLES];
    struct mref r[4 + 2 * LHT_FACT_COUNT];
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
    if (select_cases(s, added, kept, err) != LHT_OK || map_finding_ids(s, err) != LHT_OK)
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
