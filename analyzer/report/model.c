/*
 * model.c - build the report model (model.h) from the v_* views.
 *
 * The views are the only thing read: they are the stable interface, so
 * the report cannot depend on a table layout users cannot see. Rows are
 * read once (cases, then per case its inputs, nodes, findings with their
 * evidence, checked evidence and notes); the per-case summary, the
 * missing-evidence list and the fleet section are derived from those rows
 * in C, so a count in a report always agrees with the rows it counts.
 * Node names are the case's (case_node); an input whose content another
 * input has is listed but its facts are not counted twice.
 *
 * Everything lands in one arena owned by the model: a half-built model is
 * freed in one call, and renderers get plain pointers that stay valid
 * until lht_report_model_free().
 */
#include "report/model.h"
#include "report/model_private.h"
#include "report/redact.h"
#include "report/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first schema whose views carry every column read here
 * (schema/014_volume_walk.sql; --redact also needs 011_redact_key.sql's key). */
#define MODEL_SCHEMA 14

/* The inputs of case ?1 whose facts count: copies of another input are not. */
#define READ_INPUTS "(SELECT bundle_id FROM v_bundles WHERE case_id = ?1 AND duplicate_of IS NULL)"

/* Bound parameter ?1 is the case id (S_EVIDENCE: the finding id; S_INPUTS'
 * version lookups: the input). The version lookups take the first line, as
 * a bundle may state a version in several members; member and value break
 * ties so the pick is stable. */
static const char *const stmt_sql[NSTMT] = {
    [S_CASES] =
        "SELECT c.case_id, c.name, c.path FROM v_cases c "
        "WHERE ?1 IS NULL OR c.case_id IN (SELECT value FROM json_each(?1)) ORDER BY c.name, c.case_id",
    [S_INPUTS] =
        "SELECT b.bundle_id, b.name, b.path, b.status, b.error, b.created_at, b.scanned_at, "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = b.bundle_id AND f.node IS NULL "
        " AND f.key = 'longhorn_version' ORDER BY f.line, f.member, f.value LIMIT 1), "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = b.bundle_id AND f.node IS NULL "
        " AND f.key = 'kubernetes_version' ORDER BY f.line, f.member, f.value LIMIT 1), "
        "b.typed, b.duplicate_of, b.host "
        "FROM v_bundles b WHERE b.case_id = ?1 ORDER BY coalesce(b.typed, b.path), b.bundle_id",
    /* The case's nodes: every name its evaluation resolved, and the nodes
     * member paths name (a node whose zip held only skipped logs). */
    [S_NODES] =
        "SELECT node FROM v_node_aliases WHERE case_id = ?1 UNION "
        "SELECT case_node FROM v_members WHERE case_id = ?1 AND case_node IS NOT NULL ORDER BY 1",
    /* Their kernel and OS, first line first (a copy of another input has the
     * same facts, so it changes no pick). */
    [S_NODE_FACTS] =
        "SELECT case_node, key, value FROM v_facts WHERE case_id = ?1 AND case_node IS NOT NULL "
        "AND key IN ('kernel_release', 'os', 'os_image') ORDER BY case_node, key, line, member, value",
    [S_FINDINGS] =
        "SELECT finding_id, rule_id, title, severity, severity_rank, confidence, node, pid, pids, "
        "remediation, next_steps, refs, case_id FROM v_findings WHERE case_id = ?1 "
        "ORDER BY severity_rank DESC, rule_id, node, pid, finding_id",
    [S_EVIDENCE] =
        "SELECT signal, role, fact, member, line, matched, text, captures, input "
        "FROM v_finding_evidence WHERE finding_id = ?1 ORDER BY role, seq",
    [S_CHECKED] =
        "SELECT kind, case_node, sum(pieces), sum(records) FROM v_evidence "
        "WHERE case_id = ?1 AND bundle_id IN " READ_INPUTS " GROUP BY kind, case_node ORDER BY kind, case_node",
    [S_NOTES] =
        "SELECT coalesce(b.typed, b.path), n.member, n.line, n.message FROM v_notes n "
        "JOIN v_bundles b ON b.bundle_id = n.bundle_id WHERE n.case_id = ?1 AND b.duplicate_of IS NULL "
        "ORDER BY 1, n.member, n.line, n.message LIMIT ?2",
    /* ?2 the node as stored, ?3 the pid: the command line of a finding's subject */
    [S_COMMAND] =
        "SELECT command FROM v_processes WHERE case_id = ?1 AND case_node IS ?2 AND pid = ?3 "
        "AND command IS NOT NULL AND bundle_id IN " READ_INPUTS " ORDER BY bundle_id, member, line LIMIT 1",
    /* ?2 node, ?3 pid: the files it has open on NFS (lsof appends the mount) */
    [S_OPEN] =
        "SELECT DISTINCT name FROM v_open_files WHERE case_id = ?1 AND case_node IS ?2 AND pid = ?3 "
        "AND name LIKE '% (%:/%)' AND bundle_id IN " READ_INPUTS " ORDER BY name LIMIT 8",
    /* ?2 node, ?3 pid, ?4 a file: the other pids holding it */
    [S_SHARERS] =
        "SELECT DISTINCT pid FROM v_open_files WHERE case_id = ?1 AND case_node IS ?2 AND name = ?4 "
        "AND pid != ?3 AND bundle_id IN " READ_INPUTS " ORDER BY pid LIMIT 16",
    /* Longhorn volumes only: a NAS export no Volume names and no kubelet
     * path reaches is not part of the walk. */
    [S_WALK] =
        "SELECT DISTINCT volume, access_mode, volume_state, robustness, pvc_namespace, pvc, "
        "share_manager_state, share_manager_node, share_manager_pod, server, nfs_vers, storage_class, "
        "storage_class_nfs_options, case_node, pod_uid, pod, pod_namespace, workload "
        "FROM v_volume_walk WHERE case_id = ?1 AND volume IS NOT NULL "
        "AND (access_mode IS NOT NULL OR pod_uid IS NOT NULL OR volume LIKE 'pvc-%') "
        "ORDER BY volume, case_node, pod_namespace, pod, pod_uid, server, nfs_vers",
    [S_DSTATE] =
        "SELECT p.case_node, p.pid, p.user, p.stat, p.command, "
        "(SELECT coalesce(b.typed, b.path) FROM v_bundles b WHERE b.bundle_id = p.bundle_id), p.member, p.line "
        "FROM v_processes p WHERE p.case_id = ?1 AND p.stat LIKE 'D%' AND p.bundle_id IN " READ_INPUTS
        " ORDER BY p.case_node, p.pid, 6, p.member, p.line",
    [S_HUNG] =
        "SELECT h.case_node, h.pid, h.task, h.blocked_seconds, "
        "(SELECT coalesce(b.typed, b.path) FROM v_bundles b WHERE b.bundle_id = h.bundle_id), h.member, h.line, "
        "h.stack_id FROM v_hung_tasks h WHERE h.case_id = ?1 AND h.bundle_id IN " READ_INPUTS
        " ORDER BY h.case_node, h.pid, h.task, 5, h.member, h.line",
    /* ?1 a stack id: its frames innermost first */
    [S_FRAMES] = "SELECT symbol FROM v_stacks WHERE stack_id = ?1 AND NOT uncertain ORDER BY depth LIMIT 16",
    [S_KWARN] =
        "SELECT k.case_node, k.kind, k.text, "
        "(SELECT coalesce(b.typed, b.path) FROM v_bundles b WHERE b.bundle_id = k.bundle_id), k.member, k.line, "
        "k.repeats, k.last_line "
        "FROM v_kernel_events k WHERE k.case_id = ?1 AND k.kind IN ('warning', 'bug', 'panic') "
        "AND k.bundle_id IN " READ_INPUTS " ORDER BY k.case_node, k.text, 4, k.member, k.line",
};

/* ---- arena and growable arrays ------------------------------------------ */

/* n bytes from the model's arena, aligned for any type; NULL on OOM. */
void *lht_rm_alloc(struct lht_rm_build *b, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    struct lht_rm_chunk *c = b->m->arena;
    void *p;

    if (n > SIZE_MAX - align - sizeof *c)
        return NULL;
    n = n == 0 ? align : (n + align - 1) / align * align;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > LHT_RM_CHUNK ? n : LHT_RM_CHUNK;
        if ((c = malloc(sizeof *c + cap)) == NULL)
            return NULL;
        c->next = b->m->arena;
        c->used = 0;
        c->cap = cap;
        b->m->arena = c;
    }
    p = (unsigned char *)c->data + c->used;
    c->used += n;
    return p;
}

/* A copy of [s, s+n) plus a NUL in the arena; NULL on OOM. */
char *lht_rm_strn(struct lht_rm_build *b, const char *s, size_t n)
{
    char *p = lht_rm_alloc(b, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

int lht_rm_vec_add(struct lht_rm_vec *v, const void *elem)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        unsigned char *p;
        if (cap > SIZE_MAX / v->size || (p = realloc(v->p, cap * v->size)) == NULL)
            return LHT_ENOMEM;
        v->p = p;
        v->cap = cap;
    }
    memcpy(v->p + v->n * v->size, elem, v->size);
    v->n++;
    return LHT_OK;
}

/* Move v's elements into the arena and free v. *out is NULL for none. */
int lht_rm_vec_finish(struct lht_rm_build *b, struct lht_rm_vec *v, void *out)
{
    void *p = NULL;
    int rc = LHT_OK;

    if (v->n > 0) {
        if ((p = lht_rm_alloc(b, v->n * v->size)) == NULL)
            rc = LHT_ENOMEM;
        else
            memcpy(p, v->p, v->n * v->size);
    }
    free(v->p);
    v->p = NULL;
    memcpy(out, &p, sizeof p);
    return rc;
}

char *lht_rm_str(struct lht_rm_build *b, const char *s)
{
    return lht_rm_strn(b, s, strlen(s));
}

int lht_rm_strs_add_unique(struct lht_rm_vec *v, const char *s)
{
    const char *const *p = (const char *const *)v->p;
    size_t i;

    if (s == NULL)
        return LHT_OK;
    for (i = 0; i < v->n; i++)
        if (strcmp(p[i], s) == 0)
            return LHT_OK;
    return lht_rm_vec_add(v, &s);
}

int lht_rm_strs_finish(struct lht_rm_build *b, struct lht_rm_vec *v, struct lht_report_strs *out)
{
    size_t n = v->n;
    const char *const *p = NULL;
    int rc = lht_rm_vec_finish(b, v, &p);

    out->v = rc == LHT_OK ? p : NULL;
    out->n = rc == LHT_OK ? n : 0;
    return rc;
}

/* ---- reading rows ------------------------------------------------------- */

static int db_error(struct lht_rm_build *b)
{
    return lht_err_set(b->err, LHT_EDB, "report: %s", sqlite3_errmsg(b->db));
}

int lht_rm_no_memory(struct lht_rm_build *b)
{
    return lht_err_set(b->err, LHT_ENOMEM, "report: out of memory");
}

/* Column i as an arena string; NULL for SQL NULL. *rc becomes LHT_ENOMEM
 * when the copy fails, so a row is read first and checked once. */
static const char *col_text(struct lht_rm_build *b, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    const char *copy;

    if (s == NULL)
        return NULL;
    if ((copy = lht_rm_strn(b, s, (size_t)sqlite3_column_bytes(st, i))) == NULL)
        *rc = LHT_ENOMEM;
    return copy;
}

/* [s, s+n) as the report shows it, in b->scratch: redacted when the
 * report is, then clean UTF-8 (utf8.h), so every renderer gets the same
 * text. LHT_OK, or the redactor's failure with err set. */
static int shown(struct lht_rm_build *b, const char *s, size_t n)
{
    int rc;

    lht_sb_reset(&b->scratch);
    if (b->red != NULL) {
        lht_sb_reset(&b->raw);
        if ((rc = lht_redact_text(b->red, s, n, &b->raw, b->err)) != LHT_OK)
            return rc;
        s = lht_sb_str(&b->raw);
        n = b->raw.len;
    }
    lht_utf8_clean(&b->scratch, s, n);
    return b->scratch.oom || b->raw.oom ? LHT_ENOMEM : LHT_OK;
}

/* Column i holding input text (case and input names, paths, nodes,
 * evidence, notes, finding text expanded with facts): as col_text, but
 * as shown(), so that every renderer gets the same redacted, clean
 * string before it escapes anything. Enumerations (status, severity,
 * rule ids), rule text and our own scan times read with col_text. */
static const char *col_data(struct lht_rm_build *b, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    const char *copy;
    int r;

    if (s == NULL)
        return NULL;
    if ((r = shown(b, s, (size_t)sqlite3_column_bytes(st, i))) != LHT_OK) {
        *rc = r;
        return NULL;
    }
    if ((copy = lht_rm_strn(b, lht_sb_str(&b->scratch), b->scratch.len)) == NULL)
        *rc = LHT_ENOMEM;
    return copy;
}

static long long col_int(sqlite3_stmt *st, int i, int *has)
{
    if (has)
        *has = sqlite3_column_type(st, i) != SQLITE_NULL;
    return sqlite3_column_int64(st, i);
}

typedef int (*row_fn)(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx);

/* Step st to its end, handing each row to fn, then reset it. Returns
 * fn's first failure or LHT_EDB, with err set. */
static int each_row(struct lht_rm_build *b, sqlite3_stmt *st, row_fn fn, void *ctx)
{
    int step = SQLITE_DONE, rc = LHT_OK;

    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(b, st, ctx);
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = db_error(b);
    else if (rc == LHT_ENOMEM)
        lht_rm_no_memory(b);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Run statement s for one id, collecting rows with fn into v, then move
 * them to *out. */
static int collect(struct lht_rm_build *b, enum lht_rm_stmt s, long long id, row_fn fn, struct lht_rm_vec *v, void *out)
{
    int rc;

    sqlite3_bind_int64(b->st[s], 1, id);
    if (s == S_NOTES)
        sqlite3_bind_int(b->st[s], 2, LHT_REPORT_MAX_NOTES);
    rc = each_row(b, b->st[s], fn, v);
    if (lht_rm_vec_finish(b, v, out) != LHT_OK && rc == LHT_OK)
        rc = lht_rm_no_memory(b);
    return rc;
}

/* ---- case selection ------------------------------------------------------ */

static int add_id(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_sb *ids = ctx;

    (void)b;
    lht_sb_printf(ids, "%s%lld", ids->len > 1 ? "," : "", (long long)sqlite3_column_int64(st, 0));
    return ids->oom ? LHT_ENOMEM : LHT_OK;
}

/* Case ids named by names[0..n) through sql (?1 the name), appended to
 * ids; what names nothing is LHT_ENOTFOUND. */
static int select_by(struct lht_rm_build *b, const char *sql, const char *const *names, size_t n, const char *what,
                     struct lht_sb *ids)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc = LHT_OK;

    if (n == 0)
        return LHT_OK;
    if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(b);
    for (i = 0; i < n && rc == LHT_OK; i++) {
        size_t before = ids->len;
        sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
        rc = each_row(b, st, add_id, ids);
        if (rc == LHT_OK && ids->len == before)
            rc = lht_err_set(b->err, LHT_ENOTFOUND, "report: no %s named '%s' in the database", what, names[i]);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The case ids o names, as a JSON array text for json_each(). An input
 * may be named by id, name, path as typed or stored, or the end of a
 * path after a '/'; a case by id, name or ticket folder. */
static int select_ids(struct lht_rm_build *b, const struct lht_report_opts *o, struct lht_sb *ids)
{
    int rc;

    lht_sb_puts(ids, "[");
    rc = select_by(b, "SELECT case_id FROM v_bundles WHERE case_id IS NOT NULL AND "
                      "(CAST(bundle_id AS TEXT) = ?1 OR name = ?1 OR path = ?1 OR typed = ?1 "
                      " OR path LIKE '%/' || ?1)", o->bundles, o->nbundles, "bundle", ids);
    if (rc == LHT_OK)
        rc = select_by(b, "SELECT case_id FROM v_cases WHERE CAST(case_id AS TEXT) = ?1 OR name = ?1 "
                          "OR path = ?1", o->cases, o->ncases, "case", ids);
    lht_sb_puts(ids, "]");
    if (rc == LHT_OK && ids->oom)
        rc = lht_rm_no_memory(b);
    return rc;
}

/* ---- rows of each kind -------------------------------------------------- */

static const char *basename_of(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static int case_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_case x;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(st, 0);
    x.name = col_data(b, st, 1, &rc);
    x.path = col_data(b, st, 2, &rc);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int input_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_input x;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(st, 0);
    x.name = col_data(b, st, 1, &rc);
    x.path = col_data(b, st, 2, &rc);
    x.status = col_text(b, st, 3, &rc);
    x.error = col_data(b, st, 4, &rc);
    x.created_at = col_data(b, st, 5, &rc);   /* the input's own metadata */
    x.scanned_at = col_text(b, st, 6, &rc);
    x.longhorn_version = col_data(b, st, 7, &rc);
    x.kubernetes_version = col_data(b, st, 8, &rc);
    x.file = col_data(b, st, 9, &rc);
    if (x.file == NULL)
        x.file = basename_of(x.path);
    x.duplicate_of = col_int(st, 10, &x.has_duplicate_of);
    x.host = col_data(b, st, 11, &rc);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int node_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_node x;
    int rc = LHT_OK;

    x.name = col_data(b, st, 0, &rc);
    x.kernel_release = NULL;
    x.os = NULL;
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

/* A node's kernel_release, and its os (else os_image): the first row of
 * each, rows coming by node, key, line. The nodes hold their names as
 * shown (redacted or not), so the row's node is compared as shown. */
static int node_fact_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_case *x = ctx;
    const char *node = (const char *)sqlite3_column_text(st, 0), *key = (const char *)sqlite3_column_text(st, 1);
    struct lht_report_node *n = NULL;
    size_t i;
    int rc;

    if (node == NULL || key == NULL)
        return LHT_OK;
    if ((rc = shown(b, node, (size_t)sqlite3_column_bytes(st, 0))) != LHT_OK)
        return rc;
    for (i = 0; i < x->nnodes && n == NULL; i++)
        if (strcmp(x->nodes[i].name, lht_sb_str(&b->scratch)) == 0)
            n = (struct lht_report_node *)&x->nodes[i];
    if (n == NULL)
        return LHT_OK;
    if (strcmp(key, "kernel_release") == 0 && n->kernel_release == NULL)
        n->kernel_release = col_data(b, st, 2, &rc);
    else if (strcmp(key, "kernel_release") != 0 && n->os == NULL)
        n->os = col_data(b, st, 2, &rc);
    return rc;
}

static int evidence_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_evidence x;
    int rc = LHT_OK;

    x.signal = col_text(b, st, 0, &rc);
    x.role = col_text(b, st, 1, &rc);
    x.fact = col_text(b, st, 2, &rc);
    x.member = col_data(b, st, 3, &rc);
    x.line = col_int(st, 4, &x.has_line);
    x.matched = col_data(b, st, 5, &rc);
    x.text = col_data(b, st, 6, &rc);
    x.captures = col_data(b, st, 7, &rc);
    x.input = col_data(b, st, 8, &rc);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

/* References are stored one URL per line; each line is one reference. */
static int split_refs(struct lht_rm_build *b, const char *refs, struct lht_report_finding *f)
{
    const char **list;
    const char *p, *nl;
    size_t n = 1, i;

    if (refs == NULL)
        return LHT_OK;
    for (p = refs; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    if ((list = lht_rm_alloc(b, n * sizeof *list)) == NULL)
        return LHT_ENOMEM;
    for (p = refs, i = 0; i < n; i++, p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        if ((list[i] = lht_rm_strn(b, p, (size_t)(nl - p))) == NULL)
            return LHT_ENOMEM;
    }
    f->refs = list;
    f->nrefs = n;
    return LHT_OK;
}

/* f->pids ("123 456") as numbers: JSON gives them as an array of
 * integers, like pid. */
static int split_pids(struct lht_rm_build *b, struct lht_report_finding *f)
{
    long long *list;
    const char *p;
    size_t n = 0;

    if (f->pids == NULL)
        return LHT_OK;
    for (p = f->pids; *p; p++)
        n += (*p >= '0' && *p <= '9') && (p == f->pids || p[-1] < '0' || p[-1] > '9');
    if (n == 0)
        return LHT_OK;
    if ((list = lht_rm_alloc(b, n * sizeof *list)) == NULL)
        return LHT_ENOMEM;
    for (p = f->pids, n = 0; *p;) {
        char *end;
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        list[n++] = strtoll(p, &end, 10);
        p = end;
    }
    f->pid_list = list;
    f->npids = n;
    return LHT_OK;
}

/* The subject pid's command line, from the finding row's node as stored
 * (the model's copy may be redacted). */
static int subject_command(struct lht_rm_build *b, sqlite3_stmt *row, struct lht_report_finding *f)
{
    sqlite3_stmt *st = b->st[S_COMMAND];
    int step, rc = LHT_OK;

    sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, 12));
    if (sqlite3_column_type(row, 6) != SQLITE_NULL)
        sqlite3_bind_text(st, 2, (const char *)sqlite3_column_text(row, 6), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, f->pid);
    if ((step = sqlite3_step(st)) == SQLITE_ROW)
        f->verdict.command = col_data(b, st, 0, &rc);
    else if (step != SQLITE_DONE)
        rc = db_error(b);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* The other pids holding file name (as stored) on the finding's node. */
static int sharers(struct lht_rm_build *b, sqlite3_stmt *row, const struct lht_report_finding *f, const char *name,
                   struct lht_report_open_file *of)
{
    sqlite3_stmt *st = b->st[S_SHARERS];
    struct lht_rm_vec pids = LHT_RM_VEC(long long);
    int step, rc = LHT_OK;

    sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, 12));
    if (sqlite3_column_type(row, 6) != SQLITE_NULL)
        sqlite3_bind_text(st, 2, (const char *)sqlite3_column_text(row, 6), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, f->pid);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        long long pid = sqlite3_column_int64(st, 0);
        rc = lht_rm_vec_add(&pids, &pid);
    }
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = db_error(b);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (lht_rm_vec_finish(b, &pids, &of->others) != LHT_OK && rc == LHT_OK)
        rc = LHT_ENOMEM;
    of->nothers = pids.n;
    return rc;
}

/* One open file: "path (server:/export)" split at its last " (". */
static int open_file_row(struct lht_rm_build *b, sqlite3_stmt *row, const struct lht_report_finding *f,
                         sqlite3_stmt *st, struct lht_rm_vec *out)
{
    const char *name = (const char *)sqlite3_column_text(st, 0), *cut;
    struct lht_report_open_file of;
    size_t n;
    int rc = LHT_OK;

    memset(&of, 0, sizeof of);
    if (name == NULL || (cut = strstr(name, " (")) == NULL)
        return LHT_OK;
    while (strstr(cut + 1, " (") != NULL)
        cut = strstr(cut + 1, " (");
    n = strlen(cut + 2);
    if (n == 0 || cut[2 + n - 1] != ')')
        return LHT_OK;
    if ((rc = shown(b, name, (size_t)(cut - name))) != LHT_OK ||
        (of.path = lht_rm_strn(b, lht_sb_str(&b->scratch), b->scratch.len)) == NULL ||
        (rc = shown(b, cut + 2, n - 1)) != LHT_OK ||
        (of.mount = lht_rm_strn(b, lht_sb_str(&b->scratch), b->scratch.len)) == NULL)
        return rc != LHT_OK ? rc : LHT_ENOMEM;
    if ((rc = sharers(b, row, f, name, &of)) != LHT_OK)
        return rc;
    return lht_rm_vec_add(out, &of);
}

/* The files the subject has open on NFS mounts, when the inputs hold lsof. */
static int subject_files(struct lht_rm_build *b, sqlite3_stmt *row, struct lht_report_finding *f)
{
    sqlite3_stmt *st = b->st[S_OPEN];
    struct lht_rm_vec files = LHT_RM_VEC(struct lht_report_open_file);
    int step = SQLITE_DONE, rc = LHT_OK;

    sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, 12));
    if (sqlite3_column_type(row, 6) != SQLITE_NULL)
        sqlite3_bind_text(st, 2, (const char *)sqlite3_column_text(row, 6), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, f->pid);
    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = open_file_row(b, row, f, st, &files);
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = db_error(b);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (lht_rm_vec_finish(b, &files, &f->verdict.files) != LHT_OK && rc == LHT_OK)
        rc = LHT_ENOMEM;
    f->verdict.nfiles = files.n;
    return rc;
}

static int finding_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_finding x;
    struct lht_rm_vec ev = LHT_RM_VEC(struct lht_report_evidence);
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(st, 0);
    x.rule_id = col_text(b, st, 1, &rc);
    x.title = col_data(b, st, 2, &rc);
    x.severity = col_text(b, st, 3, &rc);
    x.severity_rank = sqlite3_column_int(st, 4);
    x.confidence = col_text(b, st, 5, &rc);
    x.node = col_data(b, st, 6, &rc);
    x.pid = col_int(st, 7, &x.has_pid);
    x.pids = col_text(b, st, 8, &rc);
    x.remediation = col_data(b, st, 9, &rc);   /* expanded with facts: {node}, versions */
    x.next_steps = col_data(b, st, 10, &rc);
    if (rc == LHT_OK)
        rc = split_pids(b, &x);
    if (rc == LHT_OK && x.has_pid)
        rc = subject_command(b, st, &x);
    if (rc == LHT_OK && x.has_pid)
        rc = subject_files(b, st, &x);
    if (rc == LHT_OK)
        rc = split_refs(b, (const char *)sqlite3_column_text(st, 11), &x);
    if (rc != LHT_OK)
        return rc;
    if ((rc = collect(b, S_EVIDENCE, x.id, evidence_row, &ev, &x.evidence)) != LHT_OK)
        return rc;
    x.nevidence = ev.n;
    return lht_rm_vec_add(ctx, &x);
}

static int checked_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_checked x;
    int rc = LHT_OK;

    x.kind = col_text(b, st, 0, &rc);
    x.node = col_data(b, st, 1, &rc);
    x.pieces = sqlite3_column_int64(st, 2);
    x.records = sqlite3_column_int64(st, 3);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int note_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_note x;
    int rc = LHT_OK;

    x.input = col_data(b, st, 0, &rc);
    x.member = col_data(b, st, 1, &rc);
    x.line = col_int(st, 2, &x.has_line);
    x.message = col_data(b, st, 3, &rc);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

/* One row of v_volume_walk as read: a volume's facts, one node and pod. */
struct walk_row {
    struct lht_report_volume v;   /* pods and clients not yet filled */
    struct lht_report_pod pod;    /* node always; uid NULL for a mount of no pod */
};

static int walk_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct walk_row x;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.v.name = col_data(b, st, 0, &rc);
    x.v.access_mode = col_data(b, st, 1, &rc);
    x.v.state = col_data(b, st, 2, &rc);
    x.v.robustness = col_data(b, st, 3, &rc);
    x.v.pvc_namespace = col_data(b, st, 4, &rc);
    x.v.pvc = col_data(b, st, 5, &rc);
    x.v.share_manager_state = col_data(b, st, 6, &rc);
    x.v.share_manager_node = col_data(b, st, 7, &rc);
    x.v.share_manager_pod = col_data(b, st, 8, &rc);
    x.v.server = col_data(b, st, 9, &rc);
    x.v.nfs_vers = col_data(b, st, 10, &rc);
    x.v.storage_class = col_data(b, st, 11, &rc);
    x.v.storage_class_nfs_options = col_data(b, st, 12, &rc);
    x.pod.node = col_data(b, st, 13, &rc);
    x.pod.uid = col_data(b, st, 14, &rc);
    x.pod.name = col_data(b, st, 15, &rc);
    x.pod.ns = col_data(b, st, 16, &rc);
    x.pod.workload = col_data(b, st, 17, &rc);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Fold the rows of one volume (r[0..n), by node then pod) into one: the
 * first row's facts, the first server, the highest NFS version, the
 * nodes that mount it over NFS, each (node, pod) once. */
static int fold_volume(struct lht_rm_build *b, const struct walk_row *r, size_t n, struct lht_report_volume *out)
{
    struct lht_rm_vec clients = LHT_RM_VEC(const char *), pods = LHT_RM_VEC(struct lht_report_pod);
    size_t i;
    int rc = LHT_OK;

    *out = r[0].v;
    out->server = NULL;
    out->nfs_vers = NULL;
    for (i = 0; i < n && rc == LHT_OK; i++) {
        if (r[i].v.server != NULL) {
            if (out->server == NULL)
                out->server = r[i].v.server;
            rc = lht_rm_strs_add_unique(&clients, r[i].pod.node);
        }
        if (r[i].v.nfs_vers && (out->nfs_vers == NULL || strcmp(r[i].v.nfs_vers, out->nfs_vers) > 0))
            out->nfs_vers = r[i].v.nfs_vers;
        if (rc == LHT_OK && r[i].pod.uid != NULL &&
            (pods.n == 0 || !same(((struct lht_report_pod *)pods.p)[pods.n - 1].uid, r[i].pod.uid) ||
             !same(((struct lht_report_pod *)pods.p)[pods.n - 1].node, r[i].pod.node)))
            rc = lht_rm_vec_add(&pods, &r[i].pod);
    }
    if (lht_rm_strs_finish(b, &clients, &out->clients) != LHT_OK && rc == LHT_OK)
        rc = LHT_ENOMEM;
    if (lht_rm_vec_finish(b, &pods, &out->pods) != LHT_OK && rc == LHT_OK)
        rc = LHT_ENOMEM;
    out->npods = pods.n;
    return rc == LHT_OK ? LHT_OK : lht_rm_no_memory(b);
}

/* The case's volume walk: rows come by volume, so each run is one. */
static int read_volumes(struct lht_rm_build *b, struct lht_report_case *x)
{
    struct lht_rm_vec rows = LHT_RM_VEC(struct walk_row);
    struct lht_report_volume *v = NULL;
    const struct walk_row *r;
    size_t i, j, n = 0;
    int rc;

    sqlite3_bind_int64(b->st[S_WALK], 1, x->id);
    if ((rc = each_row(b, b->st[S_WALK], walk_row, &rows)) != LHT_OK)
        goto done;
    r = (const struct walk_row *)rows.p;
    if (rows.n > 0 && (v = lht_rm_alloc(b, rows.n * sizeof *v)) == NULL) {
        rc = lht_rm_no_memory(b);
        goto done;
    }
    for (i = 0; i < rows.n && n < LHT_REPORT_MAX_VOLUMES && rc == LHT_OK; i = j) {
        for (j = i + 1; j < rows.n && same(r[j].v.name, r[i].v.name); j++)
            ;
        rc = fold_volume(b, &r[i], j - i, &v[n++]);
    }
    x->volumes = n ? v : NULL;
    x->nvolumes = n;
done:
    free(rows.p);
    return rc;
}

/* ---- anomalies: what no rule explains ----------------------------------- */

/* t as shown, into *out in the arena. */
static int shown_copy(struct lht_rm_build *b, const struct lht_sb *t, const char **out)
{
    int rc = t->oom ? LHT_ENOMEM : shown(b, lht_sb_str(t), t->len);

    if (rc == LHT_OK && (*out = lht_rm_strn(b, lht_sb_str(&b->scratch), b->scratch.len)) == NULL)
        rc = LHT_ENOMEM;
    return rc;
}

/* An anomaly row's input, member and line, in columns i, i+1, i+2. */
static void anomaly_source(struct lht_rm_build *b, sqlite3_stmt *st, int i, struct lht_report_source *src, int *rc)
{
    src->input = col_data(b, st, i, rc);
    src->member = col_data(b, st, i + 1, rc);
    src->line = col_int(st, i + 2, &src->has_line);
}

static int dstate_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_anomaly x;
    const char *user = (const char *)sqlite3_column_text(st, 2), *stat = (const char *)sqlite3_column_text(st, 3);
    const char *cmd = (const char *)sqlite3_column_text(st, 4);
    struct lht_sb t = LHT_SB_INIT;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.kind = "d_state";
    x.node = col_data(b, st, 0, &rc);
    x.pid = col_int(st, 1, &x.has_pid);
    anomaly_source(b, st, 5, &x.source, &rc);
    /* as the process fact renders: "{user|-} {pid} {stat|-} {command}" */
    lht_sb_printf(&t, "%s %lld %s %s", user ? user : "-", x.pid, stat ? stat : "-", cmd ? cmd : "");
    if (rc == LHT_OK)
        rc = shown_copy(b, &t, &x.text);
    lht_sb_free(&t);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

/* A hung task's innermost frames that say where it waits: scheduler
 * frames are in every such trace. */
static int hung_detail(struct lht_rm_build *b, long long stack_id, const char **out)
{
    static const char *const sched[] = {"__schedule", "schedule", "schedule_timeout", "io_schedule",
                                        "schedule_preempt_disabled", "__switch_to", "__cond_resched",
                                        "io_schedule_timeout", "bit_wait_io", "__wait_on_bit",
                                        "out_of_line_wait_on_bit", "__wait_on_bit_lock", "bit_wait"};
    sqlite3_stmt *st = b->st[S_FRAMES];
    struct lht_sb d = LHT_SB_INIT;
    size_t shownn = 0, k;
    int rc = LHT_OK;

    sqlite3_bind_int64(st, 1, stack_id);
    while (shownn < 3 && sqlite3_step(st) == SQLITE_ROW) {
        const char *sym = (const char *)sqlite3_column_text(st, 0);
        for (k = 0; sym && k < sizeof sched / sizeof sched[0] && strcmp(sym, sched[k]) != 0; k++)
            ;
        if (sym == NULL || k < sizeof sched / sizeof sched[0])
            continue;
        lht_sb_printf(&d, "%s%s", shownn++ ? " < " : "", sym);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (d.len > 0 || d.oom)
        rc = shown_copy(b, &d, out);
    lht_sb_free(&d);
    return rc;
}

static int hung_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_anomaly x;
    const char *task = (const char *)sqlite3_column_text(st, 2);
    struct lht_sb t = LHT_SB_INIT;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.kind = "hung_task";
    x.node = col_data(b, st, 0, &rc);
    x.pid = col_int(st, 1, &x.has_pid);
    anomaly_source(b, st, 4, &x.source, &rc);
    /* as the kernel prints it (kernel/hung_task.c) */
    lht_sb_printf(&t, "INFO: task %s:%lld blocked", task ? task : "?", x.pid);
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        lht_sb_printf(&t, " for more than %lld seconds.", (long long)sqlite3_column_int64(st, 3));
    if (rc == LHT_OK)
        rc = shown_copy(b, &t, &x.text);
    lht_sb_free(&t);
    if (rc == LHT_OK && sqlite3_column_type(st, 7) != SQLITE_NULL)
        rc = hung_detail(b, sqlite3_column_int64(st, 7), &x.detail);
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int kwarn_row(struct lht_rm_build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_anomaly x;
    int rc = LHT_OK, known;

    memset(&x, 0, sizeof x);
    x.kind = "kernel_warning";
    x.node = col_data(b, st, 0, &rc);
    x.text = col_data(b, st, 2, &rc);
    anomaly_source(b, st, 3, &x.source, &rc);
    /* a report printed again and again is one event: the report says how often */
    x.repeats = col_int(st, 6, &x.has_repeats);
    x.last_line = col_int(st, 7, &known);
    x.has_repeats = x.has_repeats && known && x.repeats > 0;
    if (x.text == NULL && rc == LHT_OK)
        x.text = "";
    return rc == LHT_OK ? lht_rm_vec_add(ctx, &x) : rc;
}

static int read_anomalies(struct lht_rm_build *b, struct lht_report_case *x)
{
    static const struct {
        enum lht_rm_stmt s;
        row_fn fn;
    } kinds[] = {{S_DSTATE, dstate_row}, {S_HUNG, hung_row}, {S_KWARN, kwarn_row}};
    struct lht_rm_vec all = LHT_RM_VEC(struct lht_report_anomaly);
    size_t k;
    int rc = LHT_OK;

    for (k = 0; k < sizeof kinds / sizeof kinds[0] && rc == LHT_OK; k++) {
        sqlite3_bind_int64(b->st[kinds[k].s], 1, x->id);
        rc = each_row(b, b->st[kinds[k].s], kinds[k].fn, &all);
    }
    if (rc == LHT_OK)
        rc = lht_rm_derive_anomalies(b, x, &all);
    free(all.p);
    return rc;
}

/* ---- what is derived from the rows -------------------------------------- */

/* Findings arrive worst first, so severities appear here in rank order. */
static int summarize(struct lht_rm_build *b, struct lht_report_case *x)
{
    struct lht_report_count *c;
    size_t i, j, n = 0;

    if (x->nfindings == 0)
        return LHT_OK;
    if ((c = lht_rm_alloc(b, x->nfindings * sizeof *c)) == NULL)
        return lht_rm_no_memory(b);
    for (i = 0; i < x->nfindings; i++) {
        const struct lht_report_finding *f = &x->findings[i];
        for (j = 0; j < n && strcmp(c[j].severity, f->severity) != 0; j++)
            ;
        if (j == n)
            c[n++] = (struct lht_report_count){f->severity, f->severity_rank, 0};
        c[j].n++;
    }
    x->summary = c;
    x->nsummary = n;
    return LHT_OK;
}

/* Evidence without which the shipped rules cannot confirm a hang, and
 * where to get it: the exact commands to ask the customer for. Any kind
 * listed serves (a pasted `nfsstat -m` is as good a mount table as
 * hostinfos/proc_mounts), from any input. A stack's commands name the
 * case's stuck pids (stuck_commands). */
static const struct expected {
    const char *kinds[6];
    const char *advice;
    const char *what;
    const char *commands[3];
} expected[] = {
    {{"ps"}, "no process table (hostinfos/processes_info needs Longhorn 1.9.2+/1.10.0+; or paste `ps aux`)",
     "a process table with states and wait channels (a bundle has one from Longhorn 1.9.2/1.10.0)",
     {"ps -eo pid,ppid,stat,wchan:32,lstart,args"}},
    {{"stack"}, "no kernel stacks (paste `cat /proc/<pid>/stack` of stuck processes)",
     "the kernel stacks of the stuck (D-state) processes (never in a bundle)",
     {"for p in $(ps -eo pid=,stat= | awk '$2 ~ /^D/ {print $1}'); do echo \"== $p\"; cat /proc/$p/stack; done"}},
    {{"proc_mounts", "mount", "mountinfo", "nfsstat", "mounts", "mountstats"},
     "no /proc/mounts (hostinfos/proc_mounts needs Longhorn 1.8.2+; or paste `nfsstat -m`)",
     "the mount table with NFS options (a bundle has it from Longhorn 1.8.2)",
     {"cat /proc/mounts", "nfsstat -m"}},
    {{"kernel_log"}, "no kernel log (logs/dmesg.log, syslog or messages)",
     "the kernel log with hung-task reports",
     {"dmesg -T", "journalctl -k -b --no-pager"}},
};

#define NEXPECTED (sizeof expected / sizeof expected[0])

static int held(const struct lht_report_case *x, const struct expected *e)
{
    size_t i, k;

    for (i = 0; i < x->nchecked; i++)
        for (k = 0; k < sizeof e->kinds / sizeof e->kinds[0] && e->kinds[k]; k++)
            if (strcmp(x->checked[i].kind, e->kinds[k]) == 0)
                return 1;
    return 0;
}

/* " pid" onto out unless it is there. */
static void add_pid(struct lht_sb *out, long long pid)
{
    char w[32];
    const char *p = lht_sb_str(out);
    size_t n = (size_t)snprintf(w, sizeof w, " %lld", pid);

    for (; (p = strstr(p, w)) != NULL; p += n)
        if (p[n] == ' ' || p[n] == '\0')
            return;
    lht_sb_puts(out, w);
}

/* The pids of node known to be stuck: findings' subjects and D-state
 * processes, as "123 456" (pids read in order, each once). */
static void stuck_pids(const struct lht_report_case *x, const char *node, struct lht_sb *out)
{
    size_t i, k;

    for (i = 0; i < x->nfindings; i++)
        for (k = 0; k < x->findings[i].npids; k++)
            if (same(x->findings[i].node, node))
                add_pid(out, x->findings[i].pid_list[k]);
    for (i = 0; i < x->nanomalies; i++)
        if (x->anomalies[i].has_pid && same(x->anomalies[i].node, node))
            add_pid(out, x->anomalies[i].pid);
}

/* One stack entry per node with stuck pids, else the generic one. */
static int missing_stacks(struct lht_rm_build *b, struct lht_report_case *x, const struct expected *e,
                          struct lht_rm_vec *out)
{
    struct lht_sb pids = LHT_SB_INIT, cmd = LHT_SB_INIT;
    size_t i;
    int rc = LHT_OK, any = 0;

    for (i = 0; i < x->nnodes && rc == LHT_OK; i++) {
        struct lht_report_missing m = {e->kinds[0], e->advice, e->what, x->nodes[i].name, {NULL, 0}};
        const char **c;
        lht_sb_reset(&pids);
        lht_sb_reset(&cmd);
        stuck_pids(x, x->nodes[i].name, &pids);
        if (pids.len == 0)
            continue;
        lht_sb_printf(&cmd, "for p in%s; do echo \"== $p\"; cat /proc/$p/stack; done", lht_sb_str(&pids));
        if (cmd.oom || (c = lht_rm_alloc(b, sizeof *c)) == NULL || (*c = lht_rm_str(b, lht_sb_str(&cmd))) == NULL) {
            rc = LHT_ENOMEM;
            break;
        }
        m.commands = (struct lht_report_strs){c, 1};
        rc = lht_rm_vec_add(out, &m);
        any = 1;
    }
    if (rc == LHT_OK && !any) {
        struct lht_report_missing m = {e->kinds[0], e->advice, e->what, NULL, {e->commands, 1}};
        rc = lht_rm_vec_add(out, &m);
    }
    lht_sb_free(&pids);
    lht_sb_free(&cmd);
    return rc;
}

static int find_missing(struct lht_rm_build *b, struct lht_report_case *x)
{
    struct lht_rm_vec v = LHT_RM_VEC(struct lht_report_missing);
    size_t i, n;
    int rc = LHT_OK;

    for (i = 0; i < NEXPECTED && rc == LHT_OK; i++) {
        struct lht_report_missing m = {expected[i].kinds[0], expected[i].advice, expected[i].what, NULL,
                                       {expected[i].commands, 0}};
        if (held(x, &expected[i]))
            continue;
        if (strcmp(expected[i].kinds[0], "stack") == 0) {
            rc = missing_stacks(b, x, &expected[i], &v);
            continue;
        }
        for (n = 0; n < 3 && expected[i].commands[n]; n++)
            ;
        m.commands.n = n;
        rc = lht_rm_vec_add(&v, &m);
    }
    if (lht_rm_vec_finish(b, &v, &x->missing) != LHT_OK || rc != LHT_OK)
        return lht_rm_no_memory(b);
    x->nmissing = v.n;
    return LHT_OK;
}

static int status_rank(const char *s)
{
    return s == NULL ? 0 : strcmp(s, "failed") == 0 ? 2 : strcmp(s, "partial") == 0 ? 1 : 0;
}

/* The case's header from its inputs: the worst status, the earliest
 * creation, the latest scan, the versions of the first input stating them. */
static void case_header(struct lht_report_case *x)
{
    size_t i;

    x->status = x->ninputs ? "ok" : "failed";
    for (i = 0; i < x->ninputs; i++) {
        const struct lht_report_input *in = &x->inputs[i];
        if (status_rank(in->status) > status_rank(x->status))
            x->status = in->status;
        if (in->created_at && in->created_at[0] &&
            (x->created_at == NULL || strcmp(in->created_at, x->created_at) < 0))
            x->created_at = in->created_at;
        if (in->scanned_at && (x->scanned_at == NULL || strcmp(in->scanned_at, x->scanned_at) > 0))
            x->scanned_at = in->scanned_at;
        if (x->longhorn_version == NULL && !in->has_duplicate_of)
            x->longhorn_version = in->longhorn_version;
        if (x->kubernetes_version == NULL && !in->has_duplicate_of)
            x->kubernetes_version = in->kubernetes_version;
    }
}

/* One finding as the fleet sees it: sorted by rule, case, node. */
struct hit {
    const struct lht_report_finding *f;
    size_t kase;        /* index in the model's cases */
    const char *when;   /* the case's time */
};

static int cmp_hit(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;
    int c = strcmp(a->f->rule_id, b->f->rule_id);

    if (c != 0)
        return c;
    if (a->kase != b->kase)
        return a->kase < b->kase ? -1 : 1;
    return strcmp(a->f->node ? a->f->node : "", b->f->node ? b->f->node : "");
}

static int cmp_signature(const void *pa, const void *pb)
{
    const struct lht_report_signature *a = pa, *b = pb;

    if (a->cases != b->cases)
        return a->cases > b->cases ? -1 : 1;
    return strcmp(a->rule_id, b->rule_id);
}

/* Fold a run of hits of one rule (h[0..n)) into one signature. */
static struct lht_report_signature fold(const struct hit *h, size_t n)
{
    struct lht_report_signature s = {h[0].f->rule_id, h[0].f->severity, 1, 1, h[0].when, h[0].when};
    int rank = h[0].f->severity_rank;
    size_t i;

    for (i = 1; i < n; i++) {
        if (h[i].kase != h[i - 1].kase)
            s.cases++;
        if (cmp_hit(&h[i], &h[i - 1]) != 0)
            s.nodes++;
        if (h[i].f->severity_rank > rank) {
            rank = h[i].f->severity_rank;
            s.severity = h[i].f->severity;
        }
        if (strcmp(h[i].when, s.first_seen) < 0)
            s.first_seen = h[i].when;
        if (strcmp(h[i].when, s.last_seen) > 0)
            s.last_seen = h[i].when;
    }
    return s;
}

static int fleet(struct lht_rm_build *b)
{
    const struct lht_report_model *m = &b->m->pub;
    struct lht_report_signature *sig;
    struct hit *h = NULL;
    size_t n = 0, i, j, k;

    for (i = 0; i < m->ncases; i++)
        n += m->cases[i].nfindings;
    if (n == 0)
        return LHT_OK;
    h = malloc(n * sizeof *h);
    sig = lht_rm_alloc(b, n * sizeof *sig);
    if (h == NULL || sig == NULL) {
        free(h);
        return lht_rm_no_memory(b);
    }
    for (i = 0, k = 0; i < m->ncases; i++) {
        const struct lht_report_case *x = &m->cases[i];
        const char *when = x->created_at ? x->created_at : x->scanned_at ? x->scanned_at : "";
        for (j = 0; j < x->nfindings; j++)
            h[k++] = (struct hit){&x->findings[j], i, when};
    }
    qsort(h, n, sizeof *h, cmp_hit);
    for (i = 0, k = 0; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(h[j].f->rule_id, h[i].f->rule_id) == 0; j++)
            ;
        sig[k++] = fold(&h[i], j - i);
    }
    free(h);
    qsort(sig, k, sizeof *sig, cmp_signature);
    b->m->pub.signatures = sig;
    b->m->pub.nsignatures = k;
    return LHT_OK;
}

/* ---- the build ---------------------------------------------------------- */

static int fill_case(struct lht_rm_build *b, struct lht_report_case *x)
{
    struct lht_rm_vec inputs = LHT_RM_VEC(struct lht_report_input), nodes = LHT_RM_VEC(struct lht_report_node);
    struct lht_rm_vec findings = LHT_RM_VEC(struct lht_report_finding), checked = LHT_RM_VEC(struct lht_report_checked);
    struct lht_rm_vec notes = LHT_RM_VEC(struct lht_report_note);
    size_t i;
    int rc;

    /* collect() frees its rows on every path: nothing to undo here */
    if ((rc = collect(b, S_INPUTS, x->id, input_row, &inputs, &x->inputs)) != LHT_OK)
        return rc;
    x->ninputs = inputs.n;
    case_header(x);
    if ((rc = collect(b, S_NODES, x->id, node_row, &nodes, &x->nodes)) != LHT_OK)
        return rc;
    x->nnodes = nodes.n;
    sqlite3_bind_int64(b->st[S_NODE_FACTS], 1, x->id);
    if ((rc = each_row(b, b->st[S_NODE_FACTS], node_fact_row, x)) != LHT_OK)
        return rc;
    if ((rc = read_volumes(b, x)) != LHT_OK)
        return rc;
    if ((rc = collect(b, S_FINDINGS, x->id, finding_row, &findings, &x->findings)) != LHT_OK)
        return rc;
    x->nfindings = findings.n;
    for (i = 0; i < x->nfindings && rc == LHT_OK; i++)
        rc = lht_rm_derive_finding(b, x, (struct lht_report_finding *)&x->findings[i]);
    if (rc != LHT_OK)
        return rc;
    if ((rc = collect(b, S_CHECKED, x->id, checked_row, &checked, &x->checked)) != LHT_OK)
        return rc;
    x->nchecked = checked.n;
    if ((rc = collect(b, S_NOTES, x->id, note_row, &notes, &x->notes)) != LHT_OK)
        return rc;
    x->nnotes = notes.n;
    if ((rc = read_anomalies(b, x)) != LHT_OK || (rc = summarize(b, x)) != LHT_OK)
        return rc;
    return find_missing(b, x);
}

static int check_schema(struct lht_rm_build *b)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(b->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return db_error(b);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v < MODEL_SCHEMA)
        return lht_err_set(b->err, LHT_EDB,
                           "report: the database has schema version %d, the report needs %d; "
                           "a scan into it with this lhtriage upgrades it", v, MODEL_SCHEMA);
    return LHT_OK;
}

static int prepare_all(struct lht_rm_build *b)
{
    size_t i;

    for (i = 0; i < NSTMT; i++)
        if (sqlite3_prepare_v2(b->db, stmt_sql[i], -1, &b->st[i], NULL) != SQLITE_OK)
            return db_error(b);
    return LHT_OK;
}

/* The selected cases' rows, then everything under each. */
static int load(struct lht_rm_build *b, const struct lht_report_opts *o)
{
    struct lht_sb ids = LHT_SB_INIT;
    struct lht_rm_vec cases = LHT_RM_VEC(struct lht_report_case);
    struct lht_report_case *x = NULL;
    size_t i;
    int rc = LHT_OK;

    if (o != NULL && o->nbundles + o->ncases > 0 && (rc = select_ids(b, o, &ids)) != LHT_OK)
        goto done;
    if (ids.len > 0)
        sqlite3_bind_text(b->st[S_CASES], 1, lht_sb_str(&ids), -1, SQLITE_STATIC);
    rc = each_row(b, b->st[S_CASES], case_row, &cases);
    if (lht_rm_vec_finish(b, &cases, &x) != LHT_OK && rc == LHT_OK)
        rc = lht_rm_no_memory(b);
    for (i = 0; rc == LHT_OK && i < cases.n; i++) {
        rc = fill_case(b, &x[i]);
        b->m->pub.ninputs += x[i].ninputs;
    }
    if (rc == LHT_OK) {
        b->m->pub.cases = x;
        b->m->pub.ncases = cases.n;
        rc = fleet(b);
    }
done:
    lht_sb_free(&ids);
    return rc;
}

int lht_report_model_build(sqlite3 *db, const struct lht_report_opts *o,
                           struct lht_report_model **out, lht_err *err)
{
    struct lht_rm_build b;
    size_t i;
    int rc;

    *out = NULL;
    memset(&b, 0, sizeof b);
    b.db = db;
    b.err = err;
    if ((b.m = calloc(1, sizeof *b.m)) == NULL)
        return lht_rm_no_memory(&b);
    b.m->pub.version = LHT_VERSION;
    if ((rc = check_schema(&b)) == LHT_OK &&
        (o == NULL || !o->redact || (rc = lht_redactor_new(db, &b.red, err)) == LHT_OK) &&
        (rc = prepare_all(&b)) == LHT_OK)
        rc = load(&b, o);
    for (i = 0; i < NSTMT; i++)
        sqlite3_finalize(b.st[i]);
    lht_redactor_free(b.red);
    lht_sb_free(&b.scratch);
    lht_sb_free(&b.raw);
    if (rc != LHT_OK) {
        lht_report_model_free(&b.m->pub);
        return rc;
    }
    *out = &b.m->pub;
    return LHT_OK;
}

void lht_report_model_free(struct lht_report_model *pub)
{
    struct lht_rm_model *m = (struct lht_rm_model *)pub;   /* pub is the first member */
    struct lht_rm_chunk *c, *next;

    if (m == NULL)
        return;
    for (c = m->arena; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(m);
}
