/*
 * case.c - cases in the database (store.h): which inputs a ticket has,
 * and its findings with their permanent ids.
 *
 * A case's findings are written in one transaction that first drops the
 * ones it had: an evaluation replaces the last one whole. A finding's id
 * comes from finding_ids, looked up by its identity (case key, rule,
 * node, subject), so the same finding keeps its id however often the case
 * is evaluated again; a finding seen for the first time gets a new row.
 */
#include "store/store_private.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_FIND = LHT_STORE_CASE_SLOT, C_NEW, C_RENAME, C_DROPF, C_DROPA, C_MARK, C_ALIAS,
    C_ID, C_NEWID, C_USED, C_FINDING, C_EVIDENCE, C_DONE, C_KEY, C_BYCONTENT, C_INFO, C_INPUTS, C_DROPEMPTY,
    C_FINDINGS, C_TYPED, C_END
};
_Static_assert(C_END <= LHT_STORE_LOAD_SLOT, "more store statement slots needed");

static const char *const case_sql[C_END - C_FIND] = {
    [C_FIND - C_FIND] = "SELECT id FROM cases WHERE key = ?1",
    [C_NEW - C_FIND] = "INSERT INTO cases (key, name, path) VALUES (?1, ?2, ?3)",
    [C_RENAME - C_FIND] = "UPDATE cases SET name = coalesce(?2, name), path = coalesce(?3, path) "
                          "WHERE id = ?1 AND (name IS NOT coalesce(?2, name) OR path IS NOT coalesce(?3, path))",
    [C_DROPF - C_FIND] = "DELETE FROM findings WHERE case_id = ?1",
    [C_DROPA - C_FIND] = "DELETE FROM node_aliases WHERE case_id = ?1",
    [C_MARK - C_FIND] = "UPDATE bundles SET dup_of = ?2, host = ?3 WHERE id = ?1 "
                        "AND (dup_of IS NOT ?2 OR host IS NOT ?3)",
    [C_ALIAS - C_FIND] = "INSERT OR IGNORE INTO node_aliases (case_id, alias, node, source) VALUES (?1, ?2, ?3, ?4)",
    [C_ID - C_FIND] = "SELECT id FROM finding_ids WHERE case_key = ?1 AND rule_id = ?2 AND node = ?3 AND subject = ?4",
    [C_NEWID - C_FIND] = "INSERT INTO finding_ids (case_key, rule_id, node, subject) VALUES (?1, ?2, ?3, ?4)",
    [C_USED - C_FIND] = "SELECT 1 FROM findings WHERE id = ?1",
    [C_FINDING - C_FIND] =
        "INSERT INTO findings (id, bundle_id, rule_id, severity, confidence, node, pid, pids, title, "
        "remediation, next_steps, refs, case_id, subject) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [C_EVIDENCE - C_FIND] = "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, node, "
                            "line, text, matched, captures, role) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [C_DONE - C_FIND] = "UPDATE cases SET stale = 0, rules_digest = ?2, "
                        "evaluated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
    [C_KEY - C_FIND] = "SELECT key FROM cases WHERE id = ?1",
    [C_BYCONTENT - C_FIND] = "SELECT case_id FROM bundles WHERE content_id = ?1 AND path <> ?2 "
                             "AND case_id IS NOT NULL AND status <> 'failed' ORDER BY id LIMIT 1",
    [C_INFO - C_FIND] = "SELECT id, key, name, path, stale, rules_digest FROM cases WHERE id = ?1",
    [C_INPUTS - C_FIND] = "SELECT b.id, b.name, b.path, b.typed, b.status, b.error, b.content_id, "
                          "(SELECT count(*) FROM members m WHERE m.bundle_id = b.id), coalesce(b.dup_of, 0), "
                          "(SELECT count(*) FROM evidence e WHERE e.bundle_id = b.id) "
                          "FROM bundles b WHERE b.case_id = ?1 ORDER BY coalesce(b.typed, b.path), b.path",
    [C_DROPEMPTY - C_FIND] = "DELETE FROM cases WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM bundles WHERE case_id = ?1)",
    [C_FINDINGS - C_FIND] =
        "SELECT id, rule_id, severity, confidence, node, pids, title FROM findings WHERE case_id = ?1 "
        "ORDER BY CASE severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END DESC, "
        "rule_id, node, pid, id",
    [C_TYPED - C_FIND] = "UPDATE bundles SET typed = ?2 WHERE path = ?1 AND typed IS NOT ?2",
};

/* Reset a cached statement after a read that may have stopped early. */
static void done_with(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static sqlite3_stmt *stmt(struct lht_store *s, int slot, lht_err *err)
{
    return lht_store_prepared(s, slot, case_sql[slot - C_FIND], err);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Step st to its end (a write) and reset it. */
static int run(struct lht_store *s, sqlite3_stmt *st, lht_err *err, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return lht_store_fail(err, s->db, s->path, what);
    return LHT_OK;
}

/* First column of st's first row: 1 and *v, 0 no row, <0 error; reset. */
static int first_id(struct lht_store *s, sqlite3_stmt *st, long long *v, lht_err *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return lht_store_fail(err, s->db, s->path, "cannot read cases");
}

static char *dup_col(sqlite3_stmt *st, int c, int *oom)
{
    const char *v = (const char *)sqlite3_column_text(st, c);
    char *copy;

    if (v == NULL)
        return NULL;
    if ((copy = strdup(v)) == NULL)
        *oom = 1;
    return copy;
}

/* ---- which case -------------------------------------------------------- */

int lht_store_case_get(struct lht_store *s, const char *key, const char *name, const char *path,
                       long long *id, lht_err *err)
{
    sqlite3_stmt *find = stmt(s, C_FIND, err), *add = stmt(s, C_NEW, err), *ren = stmt(s, C_RENAME, err);
    int rc;

    if (find == NULL || add == NULL || ren == NULL)
        return err->code;
    bind_text(find, 1, key);
    if ((rc = first_id(s, find, id, err)) < 0)
        return rc;
    if (rc == 1) {
        sqlite3_bind_int64(ren, 1, *id);
        bind_text(ren, 2, name);
        bind_text(ren, 3, path);
        return run(s, ren, err, "cannot rename case");
    }
    bind_text(add, 1, key);
    bind_text(add, 2, name ? name : key);
    bind_text(add, 3, path);
    if ((rc = run(s, add, err, "cannot add case")) != LHT_OK)
        return rc;
    *id = sqlite3_last_insert_rowid(s->db);
    return LHT_OK;
}

int lht_store_case_by_content(struct lht_store *s, const char *content_id, const char *except_path,
                              long long *id, lht_err *err)
{
    sqlite3_stmt *st;

    if (content_id == NULL)
        return 0;
    if ((st = stmt(s, C_BYCONTENT, err)) == NULL)
        return err->code;
    bind_text(st, 1, content_id);
    bind_text(st, 2, except_path ? except_path : "");
    return first_id(s, st, id, err);
}

int lht_store_case_info(struct lht_store *s, long long id, struct lht_case_info *out, lht_err *err)
{
    sqlite3_stmt *st = stmt(s, C_INFO, err);
    int rc, oom = 0;

    memset(out, 0, sizeof *out);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->key = dup_col(st, 1, &oom);
        out->name = dup_col(st, 2, &oom);
        out->path = dup_col(st, 3, &oom);
        out->stale = sqlite3_column_int(st, 4);
        out->rules_digest = dup_col(st, 5, &oom);
        rc = oom ? lht_err_set(err, LHT_ENOMEM, "out of memory") : 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : lht_store_fail(err, s->db, s->path, "cannot read cases");
    }
    done_with(st);
    if (rc != 1)
        lht_store_case_info_free(out);
    return rc;
}

void lht_store_case_info_free(struct lht_case_info *c)
{
    free(c->key);
    free(c->name);
    free(c->path);
    free(c->rules_digest);
    memset(c, 0, sizeof *c);
}

int lht_store_case_inputs(struct lht_store *s, long long id, struct lht_case_input **out, size_t *nout,
                          lht_err *err)
{
    sqlite3_stmt *st = stmt(s, C_INPUTS, err);
    struct lht_case_input *v = NULL;
    size_t n = 0, cap = 0;
    int rc = LHT_OK, step, oom = 0;

    *out = NULL;
    *nout = 0;
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct lht_case_input *x;
        if (n == cap) {
            struct lht_case_input *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
            if (nv == NULL) {
                oom = 1;
                break;
            }
            v = nv;
        }
        x = &v[n++];
        memset(x, 0, sizeof *x);
        x->bundle_id = sqlite3_column_int64(st, 0);
        x->name = dup_col(st, 1, &oom);
        x->path = dup_col(st, 2, &oom);
        x->typed = dup_col(st, 3, &oom);
        x->status = dup_col(st, 4, &oom);
        x->error = dup_col(st, 5, &oom);
        x->content_id = dup_col(st, 6, &oom);
        x->members = sqlite3_column_int64(st, 7);
        x->dup_of = sqlite3_column_int64(st, 8);
        x->pieces = sqlite3_column_int64(st, 9);
        if (x->name == NULL || x->path == NULL || x->status == NULL)
            oom = 1;
    }
    if (oom)
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
    else if (step != SQLITE_DONE)
        rc = lht_store_fail(err, s->db, s->path, "cannot read bundles");
    done_with(st);
    if (rc != LHT_OK) {
        lht_store_case_inputs_free(v, n);
        return rc;
    }
    *out = v;
    *nout = n;
    return LHT_OK;
}

void lht_store_case_inputs_free(struct lht_case_input *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
        free(v[i].typed);
        free(v[i].status);
        free(v[i].error);
        free(v[i].content_id);
    }
    free(v);
}

int lht_store_input_typed(struct lht_store *s, const char *path, const char *typed, lht_err *err)
{
    sqlite3_stmt *st = stmt(s, C_TYPED, err);

    if (st == NULL)
        return err->code;
    bind_text(st, 1, path);
    bind_text(st, 2, typed);
    return run(s, st, err, "cannot update bundles");
}

int lht_store_case_drop_empty(struct lht_store *s, long long id, int *deleted, lht_err *err)
{
    sqlite3_stmt *st = stmt(s, C_DROPEMPTY, err);
    int rc;

    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? LHT_OK : lht_store_fail(err, s->db, s->path, "cannot delete case");
    if (deleted)
        *deleted = rc == LHT_OK && sqlite3_changes(s->db) > 0;
    done_with(st);
    return rc;
}

/* ---- a case's findings -------------------------------------------------- */

struct cput {
    struct lht_store *s;
    long long id;
    const char *key;              /* the case's key */
    const struct lht_case_put *cp;
    lht_err *err;
};

/* The permanent id of (rule, node, subject) in this case: the stored one,
 * or a new one. 1 with *fid when it is free in this evaluation, 0 when
 * another finding of the evaluation has it already, <0 on error. */
static int identity(struct cput *c, const char *rule, const char *node, const char *subject, long long *fid)
{
    sqlite3_stmt *get = stmt(c->s, C_ID, c->err), *add = stmt(c->s, C_NEWID, c->err);
    sqlite3_stmt *used = stmt(c->s, C_USED, c->err);
    long long one;
    int k, rc;

    if (get == NULL || add == NULL || used == NULL)
        return c->err->code;
    for (k = 0; k < 2; k++) {
        sqlite3_stmt *st = k == 0 ? get : add;
        bind_text(st, 1, c->key);
        bind_text(st, 2, rule);
        bind_text(st, 3, node ? node : "");
        bind_text(st, 4, subject);
        if (k == 0) {
            if ((rc = first_id(c->s, st, fid, c->err)) < 0)
                return rc;
            if (rc == 1)
                break;
        } else {
            if ((rc = run(c->s, st, c->err, "cannot store finding id")) != LHT_OK)
                return rc;
            *fid = sqlite3_last_insert_rowid(c->s->db);
        }
    }
    sqlite3_bind_int64(used, 1, *fid);
    if ((rc = first_id(c->s, used, &one, c->err)) < 0)
        return rc;
    return rc == 0;
}

/* A free permanent id for finding fi. Two findings of one rule on one
 * node without a process subject (two merged levels) differ by level. */
static int finding_id(struct cput *c, const struct lht_finding *fi, struct lht_sb *subject, long long *fid)
{
    int rc, k;

    lht_sb_reset(subject);
    if (fi->pid >= 0 && !fi->merged)
        lht_sb_printf(subject, "pid %ld", fi->pid);
    else
        lht_sb_puts(subject, "");
    for (k = 0; k < 3; k++) {
        if (subject->oom)
            return lht_err_set(c->err, LHT_ENOMEM, "out of memory");
        if ((rc = identity(c, fi->rule_id, fi->node, lht_sb_str(subject), fid)) != 0)
            return rc < 0 ? rc : LHT_OK;
        if (k == 0)
            lht_sb_printf(subject, "#%s", fi->confidence);
        else
            lht_sb_printf(subject, "#%zu", fi->first);
    }
    return lht_err_set(c->err, LHT_EUSAGE, "%s: finding %s has no free id", c->s->path, fi->rule_id);
}

static int put_evidence(struct cput *c, long long fid, const struct lht_evidence *e, size_t seq)
{
    sqlite3_stmt *st = stmt(c->s, C_EVIDENCE, c->err);
    long long mid = lht_member_map_get(c->cp->map, e->at.member, NULL);

    if (st == NULL)
        return c->err->code;
    sqlite3_bind_int64(st, 1, fid);
    sqlite3_bind_int64(st, 2, (long long)seq);
    bind_text(st, 3, e->signal);
    bind_text(st, 4, e->fact);
    if (mid >= 0)
        sqlite3_bind_int64(st, 5, mid);
    else
        sqlite3_bind_null(st, 5);
    bind_text(st, 6, e->at.node);
    sqlite3_bind_int64(st, 7, e->at.line);
    bind_text(st, 8, e->text);
    bind_text(st, 9, e->matched);
    bind_text(st, 10, e->captures);
    bind_text(st, 11, e->role ? "supporting" : "required");
    return run(c->s, st, c->err, "cannot store evidence");
}

static int put_finding(struct cput *c, const struct lht_finding *fi, const struct lht_evidence *ev, size_t nev,
                       struct lht_sb *subject)
{
    static const char *const sev[] = {"info", "warning", "error", "critical"};
    sqlite3_stmt *st = stmt(c->s, C_FINDING, c->err);
    long long fid, input = -1;
    size_t j;
    int rc;

    if (st == NULL)
        return c->err->code;
    if ((rc = finding_id(c, fi, subject, &fid)) != LHT_OK)
        return rc;
    if (fi->nevidence > 0 && fi->first < nev)
        (void)lht_member_map_get(c->cp->map, ev[fi->first].at.member, &input);
    sqlite3_bind_int64(st, 1, fid);
    if (input > 0)
        sqlite3_bind_int64(st, 2, input);
    else
        sqlite3_bind_null(st, 2);
    bind_text(st, 3, fi->rule_id);
    bind_text(st, 4, sev[(unsigned)fi->severity < 4 ? fi->severity : 0]);
    bind_text(st, 5, fi->confidence);
    bind_text(st, 6, fi->node);
    if (fi->pid >= 0)
        sqlite3_bind_int64(st, 7, fi->pid);
    else
        sqlite3_bind_null(st, 7);
    bind_text(st, 8, fi->pids);
    bind_text(st, 9, fi->title);
    bind_text(st, 10, fi->remediation);
    bind_text(st, 11, fi->next_steps);
    bind_text(st, 12, fi->refs);
    sqlite3_bind_int64(st, 13, c->id);
    bind_text(st, 14, lht_sb_str(subject));
    if ((rc = run(c->s, st, c->err, "cannot store finding")) != LHT_OK)
        return rc;
    for (j = 0; j < fi->nevidence && fi->first + j < nev; j++)
        if ((rc = put_evidence(c, fid, &ev[fi->first + j], j)) != LHT_OK)
            return rc;
    return LHT_OK;
}

/* Drop what the last evaluation stored, mark duplicates and hosts (cp
 * lists every input of the case; a row is written only when its marks
 * change), and store the aliases. */
static int put_marks(struct cput *c)
{
    const struct lht_case_put *cp = c->cp;
    int slots[] = {C_DROPF, C_DROPA};
    size_t i;
    int rc;

    for (i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        sqlite3_stmt *st = stmt(c->s, slots[i], c->err);
        if (st == NULL)
            return c->err->code;
        sqlite3_bind_int64(st, 1, c->id);
        if ((rc = run(c->s, st, c->err, "cannot replace findings")) != LHT_OK)
            return rc;
    }
    for (i = 0; i < cp->ninputs; i++) {
        sqlite3_stmt *st = stmt(c->s, C_MARK, c->err);
        if (st == NULL)
            return c->err->code;
        sqlite3_bind_int64(st, 1, cp->inputs[i]);
        if (cp->dup_of && cp->dup_of[i] > 0)
            sqlite3_bind_int64(st, 2, cp->dup_of[i]);
        else
            sqlite3_bind_null(st, 2);
        bind_text(st, 3, cp->host ? cp->host[i] : NULL);
        if ((rc = run(c->s, st, c->err, "cannot mark inputs")) != LHT_OK)
            return rc;
    }
    for (i = 0; i < cp->naliases; i++) {
        sqlite3_stmt *st = stmt(c->s, C_ALIAS, c->err);
        if (st == NULL)
            return c->err->code;
        sqlite3_bind_int64(st, 1, c->id);
        bind_text(st, 2, cp->aliases[i].alias);
        bind_text(st, 3, cp->aliases[i].node);
        bind_text(st, 4, cp->aliases[i].source);
        if ((rc = run(c->s, st, c->err, "cannot store node aliases")) != LHT_OK)
            return rc;
    }
    return LHT_OK;
}

static int put_all(struct cput *c)
{
    size_t n = 0, nev = 0, i;
    const struct lht_finding *fi = c->cp->f ? lht_facts_findings(c->cp->f, &n) : NULL;
    const struct lht_evidence *ev = c->cp->f ? lht_facts_evidence(c->cp->f, &nev) : NULL;
    struct lht_sb subject = LHT_SB_INIT;
    sqlite3_stmt *done = stmt(c->s, C_DONE, c->err);
    int rc;

    if (done == NULL)
        return c->err->code;
    if ((rc = put_marks(c)) != LHT_OK)
        return rc;
    for (i = 0; i < n && rc == LHT_OK; i++)
        rc = put_finding(c, &fi[i], ev, nev, &subject);
    lht_sb_free(&subject);
    if (rc != LHT_OK)
        return rc;
    sqlite3_bind_int64(done, 1, c->id);
    bind_text(done, 2, c->cp->rules_digest);
    return run(c->s, done, c->err, "cannot update case");
}

int lht_store_put_case(struct lht_store *s, long long id, const struct lht_case_put *cp, lht_err *err)
{
    struct cput c;
    sqlite3_stmt *key;
    const char *k;
    int rc;

    memset(&c, 0, sizeof c);
    c.s = s;
    c.id = id;
    c.cp = cp;
    c.err = err;
    if ((key = stmt(s, C_KEY, err)) == NULL)
        return err->code;
    if (lht_store_txn_begin(s, err, "cannot start transaction") != LHT_OK)
        return LHT_EDB;
    sqlite3_bind_int64(key, 1, id);
    if (sqlite3_step(key) != SQLITE_ROW || (k = (const char *)sqlite3_column_text(key, 0)) == NULL ||
        (c.key = strdup(k)) == NULL) {
        rc = lht_err_set(err, LHT_ENOTFOUND, "%s: no case %lld", s->path, id);
        sqlite3_reset(key);
        goto fail;
    }
    sqlite3_reset(key);
    if ((rc = put_all(&c)) != LHT_OK)
        goto fail;
    if ((rc = lht_store_txn_commit(s, err, "cannot commit case")) != LHT_OK)
        goto fail;
    free((char *)c.key);
    return LHT_OK;
fail:
    lht_store_txn_rollback(s);
    lht_store_reset_cached(s);
    free((char *)c.key);
    return rc;
}

/* ---- reading them back ---------------------------------------------------- */

int lht_store_case_findings(struct lht_store *s, long long id, struct lht_case_finding **out, size_t *nout,
                            lht_err *err)
{
    sqlite3_stmt *st = stmt(s, C_FINDINGS, err);
    struct lht_case_finding *v = NULL;
    size_t n = 0, cap = 0;
    int step, oom = 0, rc = LHT_OK;

    *out = NULL;
    *nout = 0;
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct lht_case_finding *x;
        if (n == cap) {
            struct lht_case_finding *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof *v);
            if (nv == NULL) {
                oom = 1;
                break;
            }
            v = nv;
        }
        x = &v[n++];
        x->id = sqlite3_column_int64(st, 0);
        x->rule_id = dup_col(st, 1, &oom);
        x->severity = dup_col(st, 2, &oom);
        x->confidence = dup_col(st, 3, &oom);
        x->node = dup_col(st, 4, &oom);
        x->pids = dup_col(st, 5, &oom);
        x->title = dup_col(st, 6, &oom);
        if (x->rule_id == NULL || x->severity == NULL || x->confidence == NULL || x->title == NULL)
            oom = 1;
    }
    if (oom)
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
    else if (step != SQLITE_DONE)
        rc = lht_store_fail(err, s->db, s->path, "cannot read findings");
    done_with(st);
    if (rc != LHT_OK) {
        lht_store_case_findings_free(v, n);
        return rc;
    }
    *out = v;
    *nout = n;
    return LHT_OK;
}

void lht_store_case_findings_free(struct lht_case_finding *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].rule_id);
        free(v[i].severity);
        free(v[i].confidence);
        free(v[i].node);
        free(v[i].pids);
        free(v[i].title);
    }
    free(v);
}
