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

enum { S_OLD, S_DEL, S_OPEN, S_FILL, S_MEMBER, S_STALE, S_LEFT, S_DROP, S_FIXED };

static const char *const fixed_sql[S_FIXED] = {
    [S_OLD] = "SELECT case_id FROM bundles WHERE path = ?1",
    [S_DEL] = "DELETE FROM bundles WHERE path = ?1",
    /* the placeholder row an input's facts are written under (fill_row) */
    [S_OPEN] = "INSERT INTO bundles (name, path, status, scanned_at, tool_version) VALUES ('', '', 'partial', '', '')",
    [S_FILL] = "UPDATE bundles SET name = ?1, path = ?2, sha256 = ?3, size = ?4, mtime = ?5, status = ?6, "
               "error = ?7, created_at = ?8, scanned_at = strftime('%Y-%m-%dT%H:%M:%SZ','now'), tool_version = ?9, "
               "rules_digest = ?10, case_id = ?11, typed = ?12, content_id = ?13 WHERE id = ?14",
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

/* One input being written (store.h): its row, the member rows and the row
 * ids of the records stored so far, by their index in the input's facts,
 * which the ranges that follow point back at. */
struct lht_store_put {
    struct lht_store *s;
    struct stmts st;
    struct mmap members;
    char *path;                     /* the input's: its old row went at open */
    long long old_case;             /* that row's case, 0 when none */
    long long bundle;
    long long *ids[LHT_FACT_COUNT]; /* row ids of types others point at */
    size_t nids[LHT_FACT_COUNT], capids[LHT_FACT_COUNT];
    size_t *kids[LHT_FACT_COUNT];   /* of a parent type: children stored, by parent */
    lht_err *err;
};

static int mmap_grow(struct mmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024, i;
    const char **key = calloc(cap, sizeof *key);
    long long *id = calloc(cap, sizeof *id);

    if (key == NULL || id == NULL) {
        free(key);
        free(id);
        return -1;
    }
    for (i = 0; i < m->cap; i++) {
        size_t k;
        if (m->key[i] == NULL)
            continue;
        k = (size_t)lht_fnv(LHT_FNV_INIT, m->key[i], strlen(m->key[i])) & (cap - 1);
        while (key[k] != NULL)
            k = (k + 1) & (cap - 1);
        key[k] = m->key[i];
        id[k] = m->id[i];
    }
    free(m->key);
    free(m->id);
    m->key = key;
    m->id = id;
    m->cap = cap;
    return 0;
}

/* The slot of key (the caller fills a new one: *found 0), or NULL when out
 * of memory. Keys are borrowed: the facts' strings outlive the put. */
static long long *mmap_slot(struct mmap *m, const char *key, int *found)
{
    size_t i;

    if (m->used + 1 >= m->cap / 2 + m->cap / 4 && mmap_grow(m) != 0)
        return NULL;
    i = (size_t)lht_fnv(LHT_FNV_INIT, key, strlen(key)) & (m->cap - 1);
    while (m->key[i] != NULL) {
        if (strcmp(m->key[i], key) == 0) {
            *found = 1;
            return &m->id[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    *found = 0;
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

static int step(struct lht_store_put *w, sqlite3_stmt *st)
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
static int member_id(struct lht_store_put *w, const char *path, const char *node, long long *id)
{
    sqlite3_stmt *st = w->st.fixed[S_MEMBER];
    long long *slot;
    int found;

    if (path == NULL)
        path = "";
    if ((slot = mmap_slot(&w->members, path, &found)) == NULL)
        return lht_err_set(w->err, LHT_ENOMEM, "out of memory");
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

static int put_members(struct lht_store_put *w, const struct lht_facts_range *r)
{
    size_t i;
    sqlite3_stmt *st = w->st.fixed[S_MEMBER];

    for (i = 0; i < r->nmembers; i++) {
        const struct lht_member *mem = &r->members[i];
        int found;
        long long *slot = mmap_slot(&w->members, mem->at.member ? mem->at.member : "", &found);
        if (slot == NULL)
            return lht_err_set(w->err, LHT_ENOMEM, "out of memory");
        if (found)
            continue;   /* duplicate entry names in a hostile archive */
        sqlite3_bind_int64(st, 1, w->bundle);
        bind_text(st, 2, mem->at.member ? mem->at.member : "");
        bind_text(st, 3, mem->at.node);
        bind_text(st, 4, mem->kind);
        bind_long(st, 5, mem->size, 1);
        bind_text(st, 6, mem->status);
        bind_text(st, 7, mem->note);
        if (step(w, st) != LHT_OK)
            return LHT_EDB;
        *slot = sqlite3_last_insert_rowid(w->s->db);
    }
    return LHT_OK;
}

/* Bind field fd of rec at parameter k. */
static void bind_field(struct lht_store_put *w, sqlite3_stmt *st, int k, const void *rec,
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

/* Bind the row prefix of record i (an index into the input's facts) of
 * type d: (bundle, member, node, line) or (parent row id, position, line);
 * returns the next parameter. */
static int bind_prefix(struct lht_store_put *w, sqlite3_stmt *st, const struct lht_fact_desc *d, size_t i,
                       const void *rec)
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
        /* a parent's children are one run of the child array (facts.h), so
         * a child's position is how many of its siblings came before it */
        if (c->parent >= w->nids[d->parent])
            return lht_err_set(w->err, LHT_EUSAGE, "%s record %zu has no parent", d->name, i), -1;
        sqlite3_bind_int64(st, k++, w->ids[d->parent][c->parent]);
        if (d->seq_col)
            sqlite3_bind_int64(st, k++, (long long)w->kids[d->parent][c->parent]);
        w->kids[d->parent][c->parent]++;
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

/* Room for the row ids (and a parent's child counts) of n more records of
 * type t, which the range appends at index nids[t]. */
static int grow_ids(struct lht_store_put *w, int t, size_t base, size_t n)
{
    size_t cap = w->capids[t];

    if (base != w->nids[t])
        return lht_err_set(w->err, LHT_EUSAGE, "%s records stored out of order", lht_fact_types[t].name);
    if (base + n <= cap)
        return LHT_OK;
    while (cap < base + n)
        cap = cap ? cap * 2 : 256;
    {
        long long *ids = realloc(w->ids[t], cap * sizeof *ids);
        if (ids == NULL)
            return lht_err_set(w->err, LHT_ENOMEM, "out of memory");
        w->ids[t] = ids;
    }
    if (lht_fact_types[t].child >= 0) {
        size_t *kids = realloc(w->kids[t], cap * sizeof *kids);
        if (kids == NULL)
            return lht_err_set(w->err, LHT_ENOMEM, "out of memory");
        w->kids[t] = kids;
    }
    w->capids[t] = cap;
    return LHT_OK;
}

/* Every record of type t in r. Types come in registry order, so parents
 * and reference targets are stored before what points at them. */
static int put_type(struct lht_store_put *w, const struct lht_facts_range *r, int t)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    sqlite3_stmt *st = w->st.type[t];
    size_t n = r->n[t], i, j;
    int ids = n > 0 && needs_ids(t);

    if (ids && grow_ids(w, t, r->base[t], n) != LHT_OK)
        return w->err->code;
    for (i = 0; i < n; i++) {
        const void *rec = (const char *)r->rec[t] + i * d->size;
        int k = bind_prefix(w, st, d, r->base[t] + i, rec);
        if (k < 0)
            return LHT_EDB;
        for (j = 0; j < d->nfields; j++)
            bind_field(w, st, k++, rec, &d->fields[j]);
        if (step(w, st) != LHT_OK)
            return LHT_EDB;
        if (ids) {
            w->ids[t][w->nids[t]] = sqlite3_last_insert_rowid(w->s->db);
            if (w->kids[t])
                w->kids[t][w->nids[t]] = 0;
            w->nids[t]++;
        }
    }
    return LHT_OK;
}

static int put_range(struct lht_store_put *w, const struct lht_facts_range *r)
{
    int t;

    if (put_members(w, r) != LHT_OK)
        return LHT_EDB;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (put_type(w, r, t) != LHT_OK)
            return LHT_EDB;
    return LHT_OK;
}

/* The input's row takes meta's values: until then it is a placeholder no
 * input can be (its path is empty), so the row it replaces stays in place
 * while the facts are written. */
static int fill_row(struct lht_store_put *w, const struct lht_bundle_meta *meta, long long case_id)
{
    sqlite3_stmt *st = w->st.fixed[S_FILL];

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
    sqlite3_bind_int64(st, 11, case_id);
    bind_text(st, 12, meta->typed);
    bind_text(st, 13, meta->content_id);
    sqlite3_bind_int64(st, 14, w->bundle);
    return step(w, st);
}

static void put_free(struct lht_store_put *w)
{
    size_t t;

    if (w == NULL)
        return;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        free(w->ids[t]);
        free(w->kids[t]);
    }
    free(w->members.key);
    free(w->members.id);
    free(w->path);
    w->s->put_open = 0;
    free(w);
}

/* A single-value query of slot st with ?1 = id; -1 on failure. */
static long long query_id(sqlite3_stmt *st, const char *text, long long id)
{
    long long v = -1;
    int rc;

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

static int run_id(struct lht_store_put *w, sqlite3_stmt *st, long long id)
{
    sqlite3_bind_int64(st, 1, id);
    return step(w, st);
}

/* The new row takes meta's values and joins case_id; both cases are stale
 * now, and the one the old row left goes when it is empty. */
static int replace_row(struct lht_store_put *w, const struct lht_bundle_meta *meta, long long case_id,
                       long long *left)
{
    long long old = w->old_case;

    *left = 0;
    if (fill_row(w, meta, case_id) != LHT_OK || run_id(w, w->st.fixed[S_STALE], case_id) != LHT_OK)
        return LHT_EDB;
    if (old > 0 && old != case_id) {
        long long n = query_id(w->st.fixed[S_LEFT], NULL, old);
        if (n < 0)
            return lht_err_set(w->err, LHT_EDB, "%s: cannot read bundles: %s", w->s->path,
                               sqlite3_errmsg(w->s->db));
        if (run_id(w, w->st.fixed[n == 0 ? S_DROP : S_STALE], old) != LHT_OK)
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

int lht_store_put_open(struct lht_store *s, const char *path, struct lht_store_put **out, lht_err *err)
{
    struct lht_store_put *w;

    *out = NULL;
    if (s->put_open)
        return lht_err_set(err, LHT_EUSAGE, "%s: another input is being stored", s->path);
    if ((w = calloc(1, sizeof *w)) == NULL || (w->path = strdup(path)) == NULL) {
        free(w);
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    }
    w->s = s;
    w->err = err;
    s->put_open = 1;
    if (mmap_grow(&w->members) != 0) {
        put_free(w);
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    }
    if (prepare_put(s, &w->st, err) != LHT_OK) {
        put_free(w);
        return err->code;
    }
    if (lht_store_txn_begin(s, err, "cannot start transaction") != LHT_OK) {
        put_free(w);
        return LHT_EDB;
    }
    /* The old row goes first, its facts with it: their pages are then
     * reused by the new ones, and a big input's replacement fits SQLite's
     * cache (an abort brings it back). */
    if ((w->old_case = query_id(w->st.fixed[S_OLD], path, 0)) < 0) {
        lht_err_set(err, LHT_EDB, "%s: cannot read bundles: %s", s->path, sqlite3_errmsg(s->db));
        lht_store_put_abort(w);
        return LHT_EDB;
    }
    bind_text(w->st.fixed[S_DEL], 1, path);
    if (step(w, w->st.fixed[S_DEL]) != LHT_OK || step(w, w->st.fixed[S_OPEN]) != LHT_OK) {
        lht_store_put_abort(w);
        return LHT_EDB;
    }
    w->bundle = sqlite3_last_insert_rowid(s->db);
    *out = w;
    return LHT_OK;
}

int lht_store_put_range(struct lht_store_put *w, const struct lht_facts_range *r, lht_err *err)
{
    w->err = err;
    if (put_range(w, r) != LHT_OK) {
        lht_store_put_abort(w);
        return err->code ? err->code : LHT_EDB;
    }
    return LHT_OK;
}

int lht_store_put_close(struct lht_store_put *w, const struct lht_bundle_meta *meta, const struct lht_facts_range *r,
                        long long *bundle_id, long long *left_case, lht_err *err)
{
    long long left = 0, case_id = meta->case_id;

    w->err = err;
    if (strcmp(meta->path, w->path) != 0) {
        lht_err_set(err, LHT_EUSAGE, "%s: stored as %s, closed as %s", w->s->path, w->path, meta->path);
        lht_store_put_abort(w);
        return LHT_EUSAGE;
    }
    if ((case_id <= 0 && own_case(w->s, meta, &case_id, err) != LHT_OK) || (r && put_range(w, r) != LHT_OK) ||
        replace_row(w, meta, case_id, &left) != LHT_OK ||
        lht_store_txn_commit(w->s, err, "cannot commit bundle") != LHT_OK) {
        int rc = err->code ? err->code : LHT_EDB;
        lht_store_put_abort(w);
        return rc;
    }
    if (bundle_id)
        *bundle_id = w->bundle;
    if (left_case)
        *left_case = left;
    put_free(w);
    return LHT_OK;
}

void lht_store_put_abort(struct lht_store_put *w)
{
    if (w == NULL)
        return;
    lht_store_txn_rollback(w->s);
    /* a failure may leave a statement mid-row; the next input starts clean */
    lht_store_reset_cached(w->s);
    put_free(w);
}

int lht_store_put_input(struct lht_store *s, const struct lht_bundle_meta *meta, const struct lht_facts *f,
                        long long *bundle_id, long long *left_case, lht_err *err)
{
    struct lht_bundle_meta m = *meta;
    struct lht_facts_range r;
    struct lht_store_put *w;
    int rc;

    /* the case first: outside a batch it is a transaction of its own */
    if (m.case_id <= 0 && (rc = own_case(s, meta, &m.case_id, err)) != LHT_OK)
        return rc;
    if ((rc = lht_store_put_open(s, meta->path, &w, err)) != LHT_OK)
        return rc;
    if (f)
        lht_facts_range_view(f, NULL, &r);
    return lht_store_put_close(w, &m, f ? &r : NULL, bundle_id, left_case, err);
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
