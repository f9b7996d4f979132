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
#include "report/redact.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first schema whose views carry every column read here
 * (schema/012_cases.sql; --redact also needs 011_redact_key.sql's key). */
#define MODEL_SCHEMA 12

#define CHUNK (64 * 1024)

struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];   /* cap bytes */
};

/* The caller holds &pub; the arena stays out of the public struct. */
struct model {
    struct lht_report_model pub;
    struct chunk *arena;
};

enum stmt { S_CASES, S_INPUTS, S_NODES, S_NODE_FACTS, S_FINDINGS, S_EVIDENCE, S_CHECKED, S_NOTES, NSTMT };

struct build {
    sqlite3 *db;
    lht_err *err;
    struct model *m;          /* being built; freed by the caller on failure */
    sqlite3_stmt *st[NSTMT];  /* stmt_sql, prepared once for every case */
    struct lht_redactor *red; /* --redact: every input's text goes through it, or NULL */
    struct lht_sb scratch;    /* one redacted string */
};

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
        "remediation, next_steps, refs FROM v_findings WHERE case_id = ?1 "
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
};

/* ---- arena and growable arrays ------------------------------------------ */

/* n bytes from the model's arena, aligned for any type; NULL on OOM. */
static void *arena_alloc(struct build *b, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    struct chunk *c = b->m->arena;
    void *p;

    if (n > SIZE_MAX - align - sizeof *c)
        return NULL;
    n = n == 0 ? align : (n + align - 1) / align * align;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
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
static char *arena_strn(struct build *b, const char *s, size_t n)
{
    char *p = arena_alloc(b, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Rows collected on the heap while a query runs, then moved into the
 * arena, where they no longer move. */
struct vec {
    unsigned char *p;
    size_t n, cap, size;  /* elements, capacity, bytes per element */
};

#define VEC(type) {NULL, 0, 0, sizeof(type)}

static int vec_add(struct vec *v, const void *elem)
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
static int vec_finish(struct build *b, struct vec *v, void *out)
{
    void *p = NULL;
    int rc = LHT_OK;

    if (v->n > 0) {
        if ((p = arena_alloc(b, v->n * v->size)) == NULL)
            rc = LHT_ENOMEM;
        else
            memcpy(p, v->p, v->n * v->size);
    }
    free(v->p);
    v->p = NULL;
    memcpy(out, &p, sizeof p);
    return rc;
}

/* ---- reading rows ------------------------------------------------------- */

static int db_error(struct build *b)
{
    return lht_err_set(b->err, LHT_EDB, "report: %s", sqlite3_errmsg(b->db));
}

static int no_memory(struct build *b)
{
    return lht_err_set(b->err, LHT_ENOMEM, "report: out of memory");
}

/* Column i as an arena string; NULL for SQL NULL. *rc becomes LHT_ENOMEM
 * when the copy fails, so a row is read first and checked once. */
static const char *col_text(struct build *b, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    const char *copy;

    if (s == NULL)
        return NULL;
    if ((copy = arena_strn(b, s, (size_t)sqlite3_column_bytes(st, i))) == NULL)
        *rc = LHT_ENOMEM;
    return copy;
}

/* [s, s+n) as the report shows it, in b->scratch: redacted when the
 * report is. LHT_OK, or the redactor's failure with err set. */
static int shown(struct build *b, const char *s, size_t n)
{
    lht_sb_reset(&b->scratch);
    if (b->red != NULL)
        return lht_redact_text(b->red, s, n, &b->scratch, b->err);
    lht_sb_putn(&b->scratch, s, n);
    return b->scratch.oom ? LHT_ENOMEM : LHT_OK;
}

/* Column i holding input text (case and input names, paths, nodes,
 * evidence, notes, finding text expanded with facts): as col_text,
 * redacted when the report is, so that every renderer gets the same
 * redacted string before it escapes anything. Enumerations (status,
 * severity, rule ids), rule text and our own scan times read with
 * col_text. */
static const char *col_data(struct build *b, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    const char *copy;
    int r;

    if (s == NULL || b->red == NULL)
        return col_text(b, st, i, rc);
    if ((r = shown(b, s, (size_t)sqlite3_column_bytes(st, i))) != LHT_OK) {
        *rc = r;
        return NULL;
    }
    if ((copy = arena_strn(b, lht_sb_str(&b->scratch), b->scratch.len)) == NULL)
        *rc = LHT_ENOMEM;
    return copy;
}

static long long col_int(sqlite3_stmt *st, int i, int *has)
{
    if (has)
        *has = sqlite3_column_type(st, i) != SQLITE_NULL;
    return sqlite3_column_int64(st, i);
}

typedef int (*row_fn)(struct build *b, sqlite3_stmt *st, void *ctx);

/* Step st to its end, handing each row to fn, then reset it. Returns
 * fn's first failure or LHT_EDB, with err set. */
static int each_row(struct build *b, sqlite3_stmt *st, row_fn fn, void *ctx)
{
    int step = SQLITE_DONE, rc = LHT_OK;

    while (rc == LHT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(b, st, ctx);
    if (rc == LHT_OK && step != SQLITE_DONE)
        rc = db_error(b);
    else if (rc == LHT_ENOMEM)
        no_memory(b);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Run statement s for one id, collecting rows with fn into v, then move
 * them to *out. */
static int collect(struct build *b, enum stmt s, long long id, row_fn fn, struct vec *v, void *out)
{
    int rc;

    sqlite3_bind_int64(b->st[s], 1, id);
    if (s == S_NOTES)
        sqlite3_bind_int(b->st[s], 2, LHT_REPORT_MAX_NOTES);
    rc = each_row(b, b->st[s], fn, v);
    if (vec_finish(b, v, out) != LHT_OK && rc == LHT_OK)
        rc = no_memory(b);
    return rc;
}

/* ---- case selection ------------------------------------------------------ */

static int add_id(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_sb *ids = ctx;

    (void)b;
    lht_sb_printf(ids, "%s%lld", ids->len > 1 ? "," : "", (long long)sqlite3_column_int64(st, 0));
    return ids->oom ? LHT_ENOMEM : LHT_OK;
}

/* Case ids named by names[0..n) through sql (?1 the name), appended to
 * ids; what names nothing is LHT_ENOTFOUND. */
static int select_by(struct build *b, const char *sql, const char *const *names, size_t n, const char *what,
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
static int select_ids(struct build *b, const struct lht_report_opts *o, struct lht_sb *ids)
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
        rc = no_memory(b);
    return rc;
}

/* ---- rows of each kind -------------------------------------------------- */

static const char *basename_of(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static int case_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_case x;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(st, 0);
    x.name = col_data(b, st, 1, &rc);
    x.path = col_data(b, st, 2, &rc);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

static int input_row(struct build *b, sqlite3_stmt *st, void *ctx)
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
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

static int node_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_node x;
    int rc = LHT_OK;

    x.name = col_data(b, st, 0, &rc);
    x.kernel_release = NULL;
    x.os = NULL;
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

/* A node's kernel_release, and its os (else os_image): the first row of
 * each, rows coming by node, key, line. The nodes hold their names as
 * shown (redacted or not), so the row's node is compared as shown. */
static int node_fact_row(struct build *b, sqlite3_stmt *st, void *ctx)
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

static int evidence_row(struct build *b, sqlite3_stmt *st, void *ctx)
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
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

/* References are stored one URL per line; each line is one reference. */
static int split_refs(struct build *b, const char *refs, struct lht_report_finding *f)
{
    const char **list;
    const char *p, *nl;
    size_t n = 1, i;

    if (refs == NULL)
        return LHT_OK;
    for (p = refs; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    if ((list = arena_alloc(b, n * sizeof *list)) == NULL)
        return LHT_ENOMEM;
    for (p = refs, i = 0; i < n; i++, p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        if ((list[i] = arena_strn(b, p, (size_t)(nl - p))) == NULL)
            return LHT_ENOMEM;
    }
    f->refs = list;
    f->nrefs = n;
    return LHT_OK;
}

static int finding_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_finding x;
    struct vec ev = VEC(struct lht_report_evidence);
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
        rc = split_refs(b, (const char *)sqlite3_column_text(st, 11), &x);
    if (rc != LHT_OK)
        return rc;
    if ((rc = collect(b, S_EVIDENCE, x.id, evidence_row, &ev, &x.evidence)) != LHT_OK)
        return rc;
    x.nevidence = ev.n;
    return vec_add(ctx, &x);
}

static int checked_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_checked x;
    int rc = LHT_OK;

    x.kind = col_text(b, st, 0, &rc);
    x.node = col_data(b, st, 1, &rc);
    x.pieces = sqlite3_column_int64(st, 2);
    x.records = sqlite3_column_int64(st, 3);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

static int note_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_note x;
    int rc = LHT_OK;

    x.input = col_data(b, st, 0, &rc);
    x.member = col_data(b, st, 1, &rc);
    x.line = col_int(st, 2, &x.has_line);
    x.message = col_data(b, st, 3, &rc);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

/* ---- what is derived from the rows -------------------------------------- */

/* Findings arrive worst first, so severities appear here in rank order. */
static int summarize(struct build *b, struct lht_report_case *x)
{
    struct lht_report_count *c;
    size_t i, j, n = 0;

    if (x->nfindings == 0)
        return LHT_OK;
    if ((c = arena_alloc(b, x->nfindings * sizeof *c)) == NULL)
        return no_memory(b);
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
 * where to get it. Any kind listed serves (a pasted `nfsstat -m` is as
 * good a mount table as hostinfos/proc_mounts), from any input. */
static const struct expected {
    const char *kinds[6];
    const char *advice;
} expected[] = {
    {{"ps"}, "no process table (hostinfos/processes_info needs Longhorn 1.9.2+/1.10.0+; or paste `ps aux`)"},
    {{"stack"}, "no kernel stacks (paste `cat /proc/<pid>/stack` of stuck processes)"},
    {{"proc_mounts", "mount", "mountinfo", "nfsstat", "mounts", "mountstats"},
     "no /proc/mounts (hostinfos/proc_mounts needs Longhorn 1.8.2+; or paste `nfsstat -m`)"},
    {{"kernel_log"}, "no kernel log (logs/dmesg.log, syslog or messages)"},
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

static int find_missing(struct build *b, struct lht_report_case *x)
{
    struct lht_report_missing *m = arena_alloc(b, NEXPECTED * sizeof *m);
    size_t i;

    if (m == NULL)
        return no_memory(b);
    for (i = 0; i < NEXPECTED; i++)
        if (!held(x, &expected[i]))
            m[x->nmissing++] = (struct lht_report_missing){expected[i].kinds[0], expected[i].advice};
    x->missing = x->nmissing ? m : NULL;
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

static int fleet(struct build *b)
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
    sig = arena_alloc(b, n * sizeof *sig);
    if (h == NULL || sig == NULL) {
        free(h);
        return no_memory(b);
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

static int fill_case(struct build *b, struct lht_report_case *x)
{
    struct vec inputs = VEC(struct lht_report_input), nodes = VEC(struct lht_report_node);
    struct vec findings = VEC(struct lht_report_finding), checked = VEC(struct lht_report_checked);
    struct vec notes = VEC(struct lht_report_note);
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
    if ((rc = collect(b, S_FINDINGS, x->id, finding_row, &findings, &x->findings)) != LHT_OK)
        return rc;
    x->nfindings = findings.n;
    if ((rc = collect(b, S_CHECKED, x->id, checked_row, &checked, &x->checked)) != LHT_OK)
        return rc;
    x->nchecked = checked.n;
    if ((rc = collect(b, S_NOTES, x->id, note_row, &notes, &x->notes)) != LHT_OK)
        return rc;
    x->nnotes = notes.n;
    if ((rc = summarize(b, x)) != LHT_OK)
        return rc;
    return find_missing(b, x);
}

static int check_schema(struct build *b)
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

static int prepare_all(struct build *b)
{
    size_t i;

    for (i = 0; i < NSTMT; i++)
        if (sqlite3_prepare_v2(b->db, stmt_sql[i], -1, &b->st[i], NULL) != SQLITE_OK)
            return db_error(b);
    return LHT_OK;
}

/* The selected cases' rows, then everything under each. */
static int load(struct build *b, const struct lht_report_opts *o)
{
    struct lht_sb ids = LHT_SB_INIT;
    struct vec cases = VEC(struct lht_report_case);
    struct lht_report_case *x = NULL;
    size_t i;
    int rc = LHT_OK;

    if (o != NULL && o->nbundles + o->ncases > 0 && (rc = select_ids(b, o, &ids)) != LHT_OK)
        goto done;
    if (ids.len > 0)
        sqlite3_bind_text(b->st[S_CASES], 1, lht_sb_str(&ids), -1, SQLITE_STATIC);
    rc = each_row(b, b->st[S_CASES], case_row, &cases);
    if (vec_finish(b, &cases, &x) != LHT_OK && rc == LHT_OK)
        rc = no_memory(b);
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
    struct build b;
    size_t i;
    int rc;

    *out = NULL;
    memset(&b, 0, sizeof b);
    b.db = db;
    b.err = err;
    if ((b.m = calloc(1, sizeof *b.m)) == NULL)
        return no_memory(&b);
    b.m->pub.version = LHT_VERSION;
    if ((rc = check_schema(&b)) == LHT_OK &&
        (o == NULL || !o->redact || (rc = lht_redactor_new(db, &b.red, err)) == LHT_OK) &&
        (rc = prepare_all(&b)) == LHT_OK)
        rc = load(&b, o);
    for (i = 0; i < NSTMT; i++)
        sqlite3_finalize(b.st[i]);
    lht_redactor_free(b.red);
    lht_sb_free(&b.scratch);
    if (rc != LHT_OK) {
        lht_report_model_free(&b.m->pub);
        return rc;
    }
    *out = &b.m->pub;
    return LHT_OK;
}

void lht_report_model_free(struct lht_report_model *pub)
{
    struct model *m = (struct model *)pub;   /* pub is the first member */
    struct chunk *c, *next;

    if (m == NULL)
        return;
    for (c = m->arena; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(m);
}
