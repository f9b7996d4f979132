/*
 * put.c - write one input and its facts in one transaction (store.h).
 *
 * The insert of every fact type is generated from the registry
 * (facts/registry.def): a top-level type's row starts with (bundle_id,
 * member_id, node, line), a child's with its parent's row id and its
 * position; fields follow in registry order. The statements are prepared
 * on the first bundle and kept for the life of the connection: a batch of
 * small bundles otherwise spends its writer's time in the SQL parser.
 */
#include "store/store_private.h"
#include "core/text.h"
#include "facts/registry.h"
#include "core/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { S_OLD, S_DEL, S_BUNDLE, S_MEMBER, S_STALE, S_LEFT, S_DROP, S_FIXED };

static const char *const fixed_sql[S_FIXED] = {
    [S_OLD] = "SELECT case_id FROM bundles WHERE path = ?1",
    [S_DEL] = "DELETE FROM bundles WHERE path = ?1",
    [S_BUNDLE] = "INSERT INTO bundles (name, path, sha256, size, mtime, status, error, "
                 "created_at, scanned_at, tool_version, rules_digest, case_id, typed, content_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?9, ?10, "
                 "?11, ?12, ?13)",
    /* (parenthesised: clang takes a literal split over lines in a list of
     * single ones for a missing comma) */
    [S_MEMBER] = ("INSERT INTO members (bundle_id, path, node, kind, size, status, note) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    [S_STALE] = "UPDATE cases SET stale = 1 WHERE id = ?1",
    [S_LEFT] = "SELECT count(*) FROM bundles WHERE case_id = ?1",
    [S_DROP] = "DELETE FROM cases WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM bundles WHERE case_id = ?1)",
};

/* Statement slots (store_private.h): the fixed ones, then one insert per
 * fact type. */
#define SLOT_TYPE(t) (S_FIXED + (t))
_Static_assert(S_FIXED + LHT_FACT_COUNT <= LHT_STORE_FIND_SLOT, "more store statement slots needed");

/* ---- statements -------------------------------------------------------- */

/* The INSERT for fact type t, from its descriptor. Caller frees the text. */
static char *insert_sql(const struct lht_fact_desc *d)
{
    struct lht_sb cols = LHT_SB_INIT, vals = LHT_SB_INIT;
    char *out = NULL;
    size_t i;
    int n = 0;

    if (d->parent < 0) {
        lht_sb_puts(&cols, (d->flags & LHT_TF_NO_NODE) ? "bundle_id, member_id, line"
                                                       : "bundle_id, member_id, node, line");
        n = (d->flags & LHT_TF_NO_NODE) ? 3 : 4;
    } else {
        lht_sb_printf(&cols, "%s", d->parent_col);
        n = 1;
        if (d->seq_col) {
            lht_sb_printf(&cols, ", %s", d->seq_col);
            n++;
        }
        if (d->line_col) {
            lht_sb_printf(&cols, ", %s", d->line_col);
            n++;
        }
    }
    for (i = 0; i < d->nfields; i++) {
        lht_sb_printf(&cols, ", %s", d->fields[i].column);
        n++;
    }
    for (i = 1; i <= (size_t)n; i++)
        lht_sb_printf(&vals, "%s?%zu", i > 1 ? ", " : "", i);
    if (!cols.oom && !vals.oom) {
        struct lht_sb sql = LHT_SB_INIT;
        lht_sb_printf(&sql, "INSERT INTO %s (%s) VALUES (%s)", d->table, lht_sb_str(&cols),
                      lht_sb_str(&vals));
        out = sql.oom ? NULL : sql.p;
        if (out == NULL)
            lht_sb_free(&sql);
    }
    lht_sb_free(&cols);
    lht_sb_free(&vals);
    return out;
}

/* Every bundle-writing statement, prepared once per connection. */
struct stmts {
    sqlite3_stmt *fixed[S_FIXED];
    sqlite3_stmt *type[LHT_FACT_COUNT];
};

static int prepare_put(struct lht_store *s, struct stmts *st, lht_err *err)
{
    size_t i;

    for (i = 0; i < S_FIXED; i++)
        if ((st->fixed[i] = lht_store_prepared(s, (int)i, fixed_sql[i], err)) == NULL)
            return err->code;
    for (i = 0; i < LHT_FACT_COUNT; i++) {
        char *sql = NULL;
        /* the text is built only the first time the slot is empty */
        if ((st->type[i] = lht_store_prepared(s, SLOT_TYPE((int)i), NULL, NULL)) == NULL) {
            sql = insert_sql(&lht_fact_types[i]);
            st->type[i] = lht_store_prepared(s, SLOT_TYPE((int)i), sql, err);
            free(sql);
        }
        if (st->type[i] == NULL)
            return err->code;
    }
    return LHT_OK;
}

/* ---- the writer -------------------------------------------------------- */

/* member path -> row id, open addressing on an FNV-1a hash. */
struct mmap {
    const char **key;
    long long *id;
    size_t cap, used;
};

struct writer {
    struct lht_store *s;
    struct stmts *st;
    struct mmap members;
    long long bundle, case_id;
    long long *ids[LHT_FACT_COUNT]; /* row ids of types others point at */
    size_t nids[LHT_FACT_COUNT];
    lht_err *err;
};

static long long *mmap_slot(struct mmap *m, const char *key, int *found)
{
    size_t i = (size_t)lht_fnv(LHT_FNV_INIT, key, strlen(key)) & (m->cap - 1);

    while (m->key[i] != NULL) {
        if (strcmp(m->key[i], key) == 0) {
            *found = 1;
            return &m->id[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    *found = 0;
    /* Sized for every listed member; only stray paths add more. */
    if (m->used + 1 >= m->cap / 2 + m->cap / 4)
        return NULL;
    m->used++;
    m->key[i] = key;
    return &m->id[i];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_long(sqlite3_stmt *st, int i, long long v, int null_if_negative)
{
    if (null_if_negative && v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static int step(struct writer *w, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return lht_err_set(w->err, LHT_EDB, "%s: cannot store bundle: %s", w->s->path,
                           sqlite3_errmsg(w->s->db));
    return LHT_OK;
}

/* Member id for a fact's member path; unknown paths (a parser's own copy
 * of a path never listed) get a member row of kind "unknown". */
static int member_id(struct writer *w, const char *path, const char *node, long long *id)
{
    sqlite3_stmt *st = w->st->fixed[S_MEMBER];
    long long *slot;
    int found;

    if (path == NULL)
        path = "";
    slot = mmap_slot(&w->members, path, &found);
    if (slot == NULL)
        return lht_err_set(w->err, LHT_ELIMIT, "too many distinct member paths in one bundle");
    if (found) {
        *id = *slot;
        return LHT_OK;
    }
    sqlite3_bind_int64(st, 1, w->bundle);
    bind_text(st, 2, path);
    bind_text(st, 3, node);
    bind_text(st, 4, "unknown");
    sqlite3_bind_null(st, 5);
    bind_text(st, 6, "parsed");
    sqlite3_bind_null(st, 7);
    if (step(w, st) != LHT_OK)
        return LHT_EDB;
    *slot = *id = sqlite3_last_insert_rowid(w->s->db);
    return LHT_OK;
}

static int put_members(struct writer *w, const struct lht_facts *f)
{
    size_t n, i;
    const struct lht_member *mem = lht_facts_members(f, &n);
    sqlite3_stmt *st = w->st->fixed[S_MEMBER];

    for (i = 0; i < n; i++) {
        int found;
        long long *slot = mmap_slot(&w->members, mem[i].at.member, &found);
        if (slot == NULL)
            return lht_err_set(w->err, LHT_ELIMIT, "too many distinct member paths in one bundle");
        if (found)
            continue;   /* duplicate entry names in a hostile archive */
        sqlite3_bind_int64(st, 1, w->bundle);
        bind_text(st, 2, mem[i].at.member);
        bind_text(st, 3, mem[i].at.node);
        bind_text(st, 4, mem[i].kind);
        bind_long(st, 5, mem[i].size, 1);
        bind_text(st, 6, mem[i].status);
        bind_text(st, 7, mem[i].note);
        if (step(w, st) != LHT_OK)
            return LHT_EDB;
        *slot = sqlite3_last_insert_rowid(w->s->db);
    }
    return LHT_OK;
}

/* Bind field fd of rec at parameter k. */
static void bind_field(struct writer *w, sqlite3_stmt *st, int k, const void *rec,
                       const struct lht_field_desc *fd)
{
    const char *p = (const char *)rec + fd->offset;
    long v;
    size_t last;

    switch (fd->type) {
    case LHT_T_TEXT: {
        const char *s = *(const char *const *)(const void *)p;
        bind_text(st, k, s == NULL && (fd->flags & LHT_FF_REQUIRED) ? "?" : s);
        return;
    }
    case LHT_T_ENUM:
        /* an out-of-range value is a parser bug; store the catch-all last name */
        for (last = 0; fd->names[last + 1]; last++)
            ;
        v = lht_fact_long(rec, fd);
        bind_text(st, k, fd->names[v >= 0 && (size_t)v <= last ? (size_t)v : last]);
        return;
    case LHT_T_REF:
        v = lht_fact_long(rec, fd);
        if (v >= 0 && w->ids[fd->target] && (size_t)v < w->nids[fd->target])
            sqlite3_bind_int64(st, k, w->ids[fd->target][v]);
        else
            sqlite3_bind_null(st, k);
        return;
    default:
        bind_long(st, k, lht_fact_long(rec, fd), (fd->flags & LHT_FF_NULLNEG) != 0);
    }
}

/* Bind the row prefix of record i of type d: (bundle, member, node, line)
 * or (parent row id, position, line); returns the next parameter. */
static int bind_prefix(struct writer *w, sqlite3_stmt *st, const struct lht_fact_desc *d,
                       const struct lht_facts *f, size_t i, const void *rec)
{
    int k = 1;

    if (d->parent < 0) {
        const struct lht_prov *at = rec;
        long long mid = 0;
        if (member_id(w, at->member, at->node, &mid) != LHT_OK)
            return -1;
        sqlite3_bind_int64(st, k++, w->bundle);
        sqlite3_bind_int64(st, k++, mid);
        if (!(d->flags & LHT_TF_NO_NODE))
            bind_text(st, k++, at->node);
        sqlite3_bind_int64(st, k++, at->line);
    } else {
        const struct lht_child_head *c = rec;
        const struct lht_fact_desc *pd = &lht_fact_types[d->parent];
        const char *parent = lht_fact_record(f, d->parent, c->parent);
        if (parent == NULL || c->parent >= w->nids[d->parent])
            return lht_err_set(w->err, LHT_EUSAGE, "%s record %zu has no parent", d->name, i), -1;
        sqlite3_bind_int64(st, k++, w->ids[d->parent][c->parent]);
        if (d->seq_col)
            sqlite3_bind_int64(st, k++, (long long)(i - *(const size_t *)(const void *)(parent + pd->kids_first)));
        if (d->line_col)
            sqlite3_bind_int64(st, k++, c->line);
    }
    return k;
}

/* 1 when rows of type t are pointed at (children, references). */
static int needs_ids(int t)
{
    size_t u, j;

    if (lht_fact_types[t].child >= 0)
        return 1;
    for (u = 0; u < LHT_FACT_COUNT; u++)
        for (j = 0; j < lht_fact_types[u].nfields; j++)
            if (lht_fact_types[u].fields[j].type == LHT_T_REF && lht_fact_types[u].fields[j].target == t)
                return 1;
    return 0;
}

/* Every record of type t. Types come in registry order, so parents and
 * reference targets are stored before what points at them. */
static int put_type(struct writer *w, const struct lht_facts *f, int t)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    sqlite3_stmt *st = w->st->type[t];
    size_t n = lht_facts_count(f, t), i, j;

    if (n > 0 && needs_ids(t)) {
        if ((w->ids[t] = malloc(n * sizeof *w->ids[t])) == NULL)
            return lht_err_set(w->err, LHT_ENOMEM, "out of memory");
        w->nids[t] = n;
    }
    for (i = 0; i < n; i++) {
        const void *rec = lht_fact_record(f, t, i);
        int k = bind_prefix(w, st, d, f, i, rec);
        if (k < 0)
            return LHT_EDB;
        for (j = 0; j < d->nfields; j++)
            bind_field(w, st, k++, rec, &d->fields[j]);
        if (step(w, st) != LHT_OK)
            return LHT_EDB;
        if (w->ids[t])
            w->ids[t][i] = sqlite3_last_insert_rowid(w->s->db);
    }
    return LHT_OK;
}

static int put_facts(struct writer *w, const struct lht_facts *f)
{
    int t;

    if (put_members(w, f) != LHT_OK)
        return LHT_EDB;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (put_type(w, f, t) != LHT_OK)
            return LHT_EDB;
    return LHT_OK;
}

static int put_row(struct writer *w, const struct lht_bundle_meta *meta)
{
    sqlite3_stmt *st = w->st->fixed[S_BUNDLE];

    bind_text(st, 1, meta->name);
    bind_text(st, 2, meta->path);
    bind_text(st, 3, meta->sha256);
    bind_long(st, 4, meta->size, 1);
    bind_long(st, 5, meta->mtime, 1);
    bind_text(st, 6, meta->status);
    bind_text(st, 7, meta->error);
    bind_text(st, 8, meta->created_at && meta->created_at[0] ? meta->created_at : NULL);
    bind_text(st, 9, LHT_VERSION);
    bind_text(st, 10, meta->rules_digest);
    sqlite3_bind_int64(st, 11, w->case_id);
    bind_text(st, 12, meta->typed);
    bind_text(st, 13, meta->content_id);
    if (step(w, st) != LHT_OK)
        return LHT_EDB;
    w->bundle = sqlite3_last_insert_rowid(w->s->db);
    return LHT_OK;
}

static int writer_init(struct writer *w, struct lht_store *s, const struct lht_facts *f, lht_err *err)
{
    size_t nmem = 0;

    memset(w, 0, sizeof *w);
    w->s = s;
    w->err = err;
    if (f)
        (void)lht_facts_members(f, &nmem);
    w->members.cap = 64;
    while (w->members.cap < 2 * (nmem + 1024))
        w->members.cap *= 2;
    w->members.key = calloc(w->members.cap, sizeof *w->members.key);
    w->members.id = calloc(w->members.cap, sizeof *w->members.id);
    if (w->members.key == NULL || w->members.id == NULL)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    return LHT_OK;
}

static void writer_free(struct writer *w)
{
    size_t t;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        free(w->ids[t]);
    free(w->members.key);
    free(w->members.id);
}

/* A single-value query of slot st with ?1 = id; -1 on failure. */
static long long query_id(struct writer *w, sqlite3_stmt *st, const char *text, long long id)
{
    long long v = -1;
    int rc;

    (void)w;
    if (text)
        bind_text(st, 1, text);
    else
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        v = 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return v;
}

static int run_id(struct writer *w, sqlite3_stmt *st, long long id)
{
    sqlite3_bind_int64(st, 1, id);
    return step(w, st);
}

/* The old row goes (its facts with it), the new row joins w->case_id;
 * both cases are stale now, and the one it left goes when it is empty. */
static int replace_row(struct writer *w, const struct lht_bundle_meta *meta, long long *left)
{
    long long old = query_id(w, w->st->fixed[S_OLD], meta->path, 0);

    *left = 0;
    if (old < 0)
        return lht_err_set(w->err, LHT_EDB, "%s: cannot read bundles: %s", w->s->path, sqlite3_errmsg(w->s->db));
    bind_text(w->st->fixed[S_DEL], 1, meta->path);
    if (step(w, w->st->fixed[S_DEL]) != LHT_OK || put_row(w, meta) != LHT_OK ||
        run_id(w, w->st->fixed[S_STALE], w->case_id) != LHT_OK)
        return LHT_EDB;
    if (old > 0 && old != w->case_id) {
        long long n = query_id(w, w->st->fixed[S_LEFT], NULL, old);
        if (n < 0)
            return lht_err_set(w->err, LHT_EDB, "%s: cannot read bundles: %s", w->s->path,
                               sqlite3_errmsg(w->s->db));
        if (run_id(w, w->st->fixed[n == 0 ? S_DROP : S_STALE], old) != LHT_OK)
            return LHT_EDB;
        *left = n > 0 ? old : 0;
    }
    return LHT_OK;
}

/* The case an input without one gets: its own, keyed by its path. */
static int own_case(struct lht_store *s, const struct lht_bundle_meta *meta, long long *id, lht_err *err)
{
    struct lht_sb key = LHT_SB_INIT;
    int rc;

    lht_sb_printf(&key, "input:%s", meta->path);
    if (key.oom)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    rc = lht_store_case_get(s, lht_sb_str(&key), meta->typed ? meta->typed : meta->name, NULL, id, err);
    lht_sb_free(&key);
    return rc;
}

int lht_store_put_input(struct lht_store *s, const struct lht_bundle_meta *meta, const struct lht_facts *f,
                        long long *bundle_id, long long *left_case, lht_err *err)
{
    struct writer w;
    struct stmts st;
    long long left = 0;
    int rc, began = 0;

    if ((rc = writer_init(&w, s, f, err)) != LHT_OK || (rc = prepare_put(s, &st, err)) != LHT_OK)
        goto done;
    w.case_id = meta->case_id;
    if (w.case_id <= 0 && (rc = own_case(s, meta, &w.case_id, err)) != LHT_OK)
        goto done;
    rc = LHT_EDB;
    w.st = &st;
    if (lht_store_txn_begin(s, err, "cannot start transaction") != LHT_OK)
        goto done;
    began = 1;
    if (replace_row(&w, meta, &left) != LHT_OK)
        goto done;
    if (f && put_facts(&w, f) != LHT_OK)
        goto done;
    if (lht_store_txn_commit(s, err, "cannot commit bundle") != LHT_OK)
        goto done;
    began = 0;
    if (bundle_id)
        *bundle_id = w.bundle;
    if (left_case)
        *left_case = left;
    rc = LHT_OK;
done:
    if (began)
        lht_store_txn_rollback(s);
    /* a failure may leave a statement mid-row; the next bundle starts clean */
    if (rc != LHT_OK)
        lht_store_reset_cached(s);
    writer_free(&w);
    return rc;
}

int lht_store_put_bundle(struct lht_store *s, const struct lht_bundle_meta *meta,
                         const struct lht_facts *f, long long *bundle_id, lht_err *err)
{
    return lht_store_put_input(s, meta, f, bundle_id, NULL, err);
}

int lht_store_put_failure(struct lht_store *s, const struct lht_bundle_meta *meta,
                          int *kept, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *kept = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM bundles WHERE path = ?1 AND status <> 'failed'",
                           -1, &st, NULL) != SQLITE_OK)
        return lht_store_fail(err, s->db, s->path, "cannot prepare statement");
    sqlite3_bind_text(st, 1, meta->path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        *kept = 1;
        return LHT_OK;
    }
    if (rc != SQLITE_DONE)
        return lht_store_fail(err, s->db, s->path, "cannot read bundles");
    return lht_store_put_bundle(s, meta, NULL, NULL, err);
}
