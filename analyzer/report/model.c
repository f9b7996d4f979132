/*
 * model.c - build the report model (model.h) from the v_* views.
 *
 * The views are the only thing read: they are the stable interface, so
 * the report cannot depend on a table layout users cannot see. Rows are
 * read once (bundles, then per bundle its nodes, findings with their
 * evidence, checked evidence and notes); the per-bundle summary, the
 * missing-evidence list and the fleet section are derived from those rows
 * in C, so a count in a report always agrees with the rows it counts.
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
 * (schema/004_report_views.sql). */
#define MODEL_SCHEMA 4

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

enum stmt { S_BUNDLES, S_NODES, S_FINDINGS, S_EVIDENCE, S_CHECKED, S_NOTES, NSTMT };

struct build {
    sqlite3 *db;
    lht_err *err;
    struct model *m;          /* being built; freed by the caller on failure */
    sqlite3_stmt *st[NSTMT];  /* stmt_sql, prepared once for every bundle */
    struct lht_redactor *red; /* --redact: bundle text goes through it, or NULL */
    struct lht_sb scratch;    /* one redacted string */
};

/* Bound parameter ?1 is the bundle id (S_EVIDENCE: the finding id). The
 * version lookups take the first line, as a bundle may state a version in
 * several members; member and value break ties so the pick is stable. */
static const char *const stmt_sql[NSTMT] = {
    [S_BUNDLES] =
        "SELECT b.bundle_id, b.name, b.path, b.status, b.error, b.created_at, b.scanned_at, "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = b.bundle_id AND f.node IS NULL "
        " AND f.key = 'longhorn_version' ORDER BY f.line, f.member, f.value LIMIT 1), "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = b.bundle_id AND f.node IS NULL "
        " AND f.key = 'kubernetes_version' ORDER BY f.line, f.member, f.value LIMIT 1) "
        "FROM v_bundles b WHERE ?1 IS NULL OR b.bundle_id IN (SELECT value FROM json_each(?1)) "
        "ORDER BY b.name, b.bundle_id",
    [S_NODES] =
        "SELECT n.node, "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = ?1 AND f.node = n.node "
        " AND f.key = 'kernel_release' ORDER BY f.line, f.member, f.value LIMIT 1), "
        "(SELECT value FROM v_facts f WHERE f.bundle_id = ?1 AND f.node = n.node "
        " AND f.key IN ('os', 'os_image') ORDER BY f.key, f.line, f.member, f.value LIMIT 1) "
        "FROM (SELECT node FROM v_members WHERE bundle_id = ?1 AND node IS NOT NULL UNION "
        "      SELECT node FROM v_facts WHERE bundle_id = ?1 AND node IS NOT NULL UNION "
        "      SELECT node FROM v_processes WHERE bundle_id = ?1 AND node IS NOT NULL) n "
        "ORDER BY n.node",
    [S_FINDINGS] =
        "SELECT finding_id, rule_id, title, severity, severity_rank, confidence, node, pid, pids, "
        "remediation, next_steps, refs FROM v_findings WHERE bundle_id = ?1 "
        "ORDER BY severity_rank DESC, rule_id, node, pid, finding_id",
    [S_EVIDENCE] =
        "SELECT signal, role, fact, member, line, matched, text, captures "
        "FROM v_finding_evidence WHERE finding_id = ?1 ORDER BY role, seq",
    [S_CHECKED] =
        "SELECT kind, node, pieces, records FROM v_evidence WHERE bundle_id = ?1 ORDER BY kind, node",
    [S_NOTES] =
        "SELECT member, line, message FROM v_notes WHERE bundle_id = ?1 "
        "ORDER BY member, line, message LIMIT ?2",
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

/* Column i holding bundle text (names, paths, evidence, notes): as
 * col_text, redacted when the report is, so that every renderer gets the
 * same redacted string before it escapes anything. Enumerations (status,
 * severity, rule ids) and rule text read with col_text. */
static const char *col_data(struct build *b, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    const char *copy;
    int r;

    if (s == NULL || b->red == NULL)
        return col_text(b, st, i, rc);
    lht_sb_reset(&b->scratch);
    if ((r = lht_redact_text(b->red, s, (size_t)sqlite3_column_bytes(st, i), &b->scratch, b->err)) != LHT_OK) {
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

/* ---- bundle selection --------------------------------------------------- */

static int add_id(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_sb *ids = ctx;

    (void)b;
    lht_sb_printf(ids, "%s%lld", ids->len > 1 ? "," : "", (long long)sqlite3_column_int64(st, 0));
    return ids->oom ? LHT_ENOMEM : LHT_OK;
}

/* The ids o names, as a JSON array text for json_each(). A name may be an
 * id, a bundle name, a path or the end of a path after a '/'. */
static int select_ids(struct build *b, const struct lht_report_opts *o, struct lht_sb *ids)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc = LHT_OK;

    if (sqlite3_prepare_v2(b->db, "SELECT bundle_id FROM v_bundles WHERE CAST(bundle_id AS TEXT) = ?1 "
                                  "OR name = ?1 OR path = ?1 OR path LIKE '%/' || ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(b);
    lht_sb_puts(ids, "[");
    for (i = 0; i < o->nbundles && rc == LHT_OK; i++) {
        size_t before = ids->len;
        sqlite3_bind_text(st, 1, o->bundles[i], -1, SQLITE_STATIC);
        rc = each_row(b, st, add_id, ids);
        if (rc == LHT_OK && ids->len == before)
            rc = lht_err_set(b->err, LHT_ENOTFOUND, "report: no bundle named '%s' in the database",
                             o->bundles[i]);
    }
    lht_sb_puts(ids, "]");
    sqlite3_finalize(st);
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

static int bundle_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_bundle x;
    int rc = LHT_OK;

    memset(&x, 0, sizeof x);
    x.id = sqlite3_column_int64(st, 0);
    x.name = col_data(b, st, 1, &rc);
    x.path = col_data(b, st, 2, &rc);
    x.file = basename_of(x.path);
    x.status = col_text(b, st, 3, &rc);
    x.error = col_data(b, st, 4, &rc);
    x.created_at = col_text(b, st, 5, &rc);
    x.scanned_at = col_text(b, st, 6, &rc);
    x.longhorn_version = col_data(b, st, 7, &rc);
    x.kubernetes_version = col_data(b, st, 8, &rc);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

static int node_row(struct build *b, sqlite3_stmt *st, void *ctx)
{
    struct lht_report_node x;
    int rc = LHT_OK;

    x.name = col_data(b, st, 0, &rc);
    x.kernel_release = col_data(b, st, 1, &rc);
    x.os = col_data(b, st, 2, &rc);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
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

    x.member = col_data(b, st, 0, &rc);
    x.line = col_int(st, 1, &x.has_line);
    x.message = col_data(b, st, 2, &rc);
    return rc == LHT_OK ? vec_add(ctx, &x) : rc;
}

/* ---- what is derived from the rows -------------------------------------- */

/* Findings arrive worst first, so severities appear here in rank order. */
static int summarize(struct build *b, struct lht_report_bundle *x)
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
 * good a mount table as hostinfos/proc_mounts). */
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

static int held(const struct lht_report_bundle *x, const struct expected *e)
{
    size_t i, k;

    for (i = 0; i < x->nchecked; i++)
        for (k = 0; k < sizeof e->kinds / sizeof e->kinds[0] && e->kinds[k]; k++)
            if (strcmp(x->checked[i].kind, e->kinds[k]) == 0)
                return 1;
    return 0;
}

static int find_missing(struct build *b, struct lht_report_bundle *x)
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

/* One finding as the fleet sees it: sorted by rule, bundle, node. */
struct hit {
    const struct lht_report_finding *f;
    size_t bundle;      /* index in the model's bundles */
    const char *when;   /* the bundle's time */
};

static int cmp_hit(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;
    int c = strcmp(a->f->rule_id, b->f->rule_id);

    if (c != 0)
        return c;
    if (a->bundle != b->bundle)
        return a->bundle < b->bundle ? -1 : 1;
    return strcmp(a->f->node ? a->f->node : "", b->f->node ? b->f->node : "");
}

static int cmp_signature(const void *pa, const void *pb)
{
    const struct lht_report_signature *a = pa, *b = pb;

    if (a->bundles != b->bundles)
        return a->bundles > b->bundles ? -1 : 1;
    return strcmp(a->rule_id, b->rule_id);
}

/* Fold a run of hits of one rule (h[0..n)) into one signature. */
static struct lht_report_signature fold(const struct hit *h, size_t n)
{
    struct lht_report_signature s = {h[0].f->rule_id, h[0].f->severity, 1, 1, h[0].when, h[0].when};
    int rank = h[0].f->severity_rank;
    size_t i;

    for (i = 1; i < n; i++) {
        if (h[i].bundle != h[i - 1].bundle)
            s.bundles++;
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

    for (i = 0; i < m->nbundles; i++)
        n += m->bundles[i].nfindings;
    if (n == 0)
        return LHT_OK;
    h = malloc(n * sizeof *h);
    sig = arena_alloc(b, n * sizeof *sig);
    if (h == NULL || sig == NULL) {
        free(h);
        return no_memory(b);
    }
    for (i = 0, k = 0; i < m->nbundles; i++) {
        const struct lht_report_bundle *x = &m->bundles[i];
        for (j = 0; j < x->nfindings; j++)
            h[k++] = (struct hit){&x->findings[j], i, x->created_at ? x->created_at : x->scanned_at};
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

static int fill_bundle(struct build *b, struct lht_report_bundle *x)
{
    struct vec nodes = VEC(struct lht_report_node), findings = VEC(struct lht_report_finding);
    struct vec checked = VEC(struct lht_report_checked), notes = VEC(struct lht_report_note);
    int rc;

    /* collect() frees its rows on every path: nothing to undo here */
    if ((rc = collect(b, S_NODES, x->id, node_row, &nodes, &x->nodes)) != LHT_OK)
        return rc;
    x->nnodes = nodes.n;
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

/* The selected bundles' header rows, then everything under each. */
static int load(struct build *b, const struct lht_report_opts *o)
{
    struct lht_sb ids = LHT_SB_INIT;
    struct vec bundles = VEC(struct lht_report_bundle);
    struct lht_report_bundle *x = NULL;
    size_t i;
    int rc;

    if (o != NULL && o->nbundles > 0 && (rc = select_ids(b, o, &ids)) != LHT_OK)
        goto done;
    if (ids.len > 0)
        sqlite3_bind_text(b->st[S_BUNDLES], 1, lht_sb_str(&ids), -1, SQLITE_STATIC);
    rc = each_row(b, b->st[S_BUNDLES], bundle_row, &bundles);
    if (vec_finish(b, &bundles, &x) != LHT_OK && rc == LHT_OK)
        rc = no_memory(b);
    for (i = 0; rc == LHT_OK && i < bundles.n; i++)
        rc = fill_bundle(b, &x[i]);
    if (rc == LHT_OK) {
        b->m->pub.bundles = x;
        b->m->pub.nbundles = bundles.n;
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
    if ((rc = check_schema(&b)) == LHT_OK && (o == NULL || !o->redact || (rc = lht_redactor_new(db, &b.red, err)) == LHT_OK) &&
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
