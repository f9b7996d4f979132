/*
 * fleet.c - see fleet.h: the fleet summary, built from the views of
 * schema/015_fleet_views.sql.
 *
 * Every number is a GROUP BY in SQL over the views; C only caps the lists
 * (folding what is left into one row), redacts and cuts input strings,
 * and arranges each rule's settings under it in the signatures' order.
 * Strings live in one list of allocations freed with the model.
 */
#include "report/fleet.h"
#include "report/redact.h"

#include <stdlib.h>
#include <string.h>

/* The first schema with the fleet views. */
#define FLEET_SCHEMA 15

static const char *const sev_names[] = {"info", "info", "warning", "error", "critical"};

struct fleet {
    struct lht_fleet_model pub;
    char **owned;               /* every string of the model */
    size_t nowned, capowned;
    void *arrays[4];            /* signatures, settings, versions, top */
};

struct fbuild {
    sqlite3 *db;
    lht_err *err;
    struct fleet *m;
    struct lht_redactor *red;   /* or NULL */
    struct lht_sb scratch;
};

static const char *const totals_sql =
    "SELECT count(*), coalesce(sum(inputs), 0), coalesce(sum(findings), 0), coalesce(sum(findings > 0), 0), "
    "min(seen_at), max(seen_at) FROM v_case_summary";
static const char *const signatures_sql =
    "SELECT rule_id, max(severity_rank), count(DISTINCT case_id), "
    "count(DISTINCT case_id || '/' || coalesce(node, '')), count(*), min(seen_at), max(seen_at) "
    "FROM v_fleet_findings GROUP BY rule_id ORDER BY 3 DESC, 5 DESC, 1";
static const char *const settings_sql =
    "SELECT rule_id, longhorn_version, kernel_release, nfs_vers, count(DISTINCT case_id), count(*), "
    "min(seen_at), max(seen_at) FROM v_fleet_findings GROUP BY 1, 2, 3, 4 ORDER BY 1, 5 DESC, 6 DESC, 2, 3, 4";
static const char *const versions_sql =
    "SELECT longhorn_version, count(*), coalesce(sum(findings > 0), 0) FROM v_case_summary "
    "GROUP BY 1 ORDER BY 2 DESC, 1";
static const char *const top_sql =
    "SELECT s.case_id, s.name, s.worst_rank, s.findings, s.inputs, s.longhorn_version, s.seen_at, "
    "(SELECT group_concat(r, ' ') FROM (SELECT DISTINCT f.rule_id AS r FROM findings f "
    " WHERE f.case_id = s.case_id ORDER BY 1)) "
    "FROM v_case_summary s WHERE s.findings > 0 "
    "ORDER BY s.worst_rank DESC, s.findings DESC, s.seen_at DESC, s.name, s.case_id LIMIT ?1";

static int no_memory(struct fbuild *b)
{
    return lht_err_set(b->err, LHT_ENOMEM, "report: out of memory");
}

static int db_error(struct fbuild *b)
{
    return lht_err_set(b->err, LHT_EDB, "report: %s", sqlite3_errmsg(b->db));
}

/* Keep p (malloc'd) with the model; NULL when that fails (p is freed). */
static char *own(struct fbuild *b, char *p)
{
    struct fleet *m = b->m;

    if (p == NULL)
        return NULL;
    if (m->nowned == m->capowned) {
        size_t cap = m->capowned ? m->capowned * 2 : 64;
        char **n = realloc(m->owned, cap * sizeof *n);
        if (n == NULL) {
            free(p);
            return NULL;
        }
        m->owned = n;
        m->capowned = cap;
    }
    m->owned[m->nowned++] = p;
    return p;
}

/* Length of s cut to at most max bytes, not inside a UTF-8 sequence. */
static size_t cut_len(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* A copy of [s, s+n) as the report shows it: redacted (input text, when
 * the report is), then cut to LHT_FLEET_TEXT_MAX bytes with "..." after a
 * cut. *rc gets the failure; NULL in, NULL out. */
static const char *text(struct fbuild *b, const char *s, size_t n, int input, int *rc)
{
    size_t k;
    char *p;
    int r;

    if (s == NULL)
        return NULL;
    lht_sb_reset(&b->scratch);
    if (input && b->red != NULL) {
        if ((r = lht_redact_text(b->red, s, n, &b->scratch, b->err)) != LHT_OK) {
            *rc = r;
            return NULL;
        }
    } else {
        lht_sb_putn(&b->scratch, s, n);
    }
    s = lht_sb_str(&b->scratch);
    n = b->scratch.len;
    k = cut_len(s, n, LHT_FLEET_TEXT_MAX);
    if (b->scratch.oom || (p = own(b, malloc(k + 4))) == NULL) {
        *rc = no_memory(b);
        return NULL;
    }
    memcpy(p, s, k);
    memcpy(p + k, k < n ? "..." : "", k < n ? 4 : 1);
    return p;
}

static const char *col(struct fbuild *b, sqlite3_stmt *st, int i, int input, int *rc)
{
    return text(b, (const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i), input, rc);
}

static size_t col_size(sqlite3_stmt *st, int i)
{
    sqlite3_int64 v = sqlite3_column_int64(st, i);

    return v > 0 ? (size_t)v : 0;
}

static const char *severity(sqlite3_stmt *st, int i)
{
    int r = sqlite3_column_int(st, i);

    return sev_names[r < 0 || r > 4 ? 0 : r];
}

/* A growable array of rows of size bytes. */
struct rows {
    unsigned char *p;
    size_t n, cap, size;
};

static void *row_add(struct rows *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        unsigned char *p = realloc(v->p, cap * v->size);
        if (p == NULL)
            return NULL;
        v->p = p;
        v->cap = cap;
    }
    memset(v->p + v->n * v->size, 0, v->size);
    return v->p + v->n++ * v->size;
}

static sqlite3_stmt *prepare(struct fbuild *b, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(b);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Step st to its end: SQLITE_DONE, else the error was set. */
static int finish_step(struct fbuild *b, sqlite3_stmt *st, int r)
{
    if (r != SQLITE_DONE)
        return db_error(b);
    (void)st;
    return LHT_OK;
}

/* ---- the parts ---------------------------------------------------------- */

static int read_totals(struct fbuild *b)
{
    struct lht_fleet_model *m = &b->m->pub;
    sqlite3_stmt *st = prepare(b, totals_sql);
    int rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        m->cases = col_size(st, 0);
        m->inputs = col_size(st, 1);
        m->findings = col_size(st, 2);
        m->cases_with_findings = col_size(st, 3);
        m->first_seen = col(b, st, 4, 0, &rc);
        m->last_seen = col(b, st, 5, 0, &rc);
    } else {
        rc = db_error(b);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Fold row src into the "more" row dst (same shape). */
static void fold_signature(struct lht_fleet_signature *dst, const struct lht_fleet_signature *src)
{
    dst->more++;
    dst->cases += src->cases;
    dst->nodes += src->nodes;
    dst->findings += src->findings;
    if (dst->first_seen == NULL || (src->first_seen && strcmp(src->first_seen, dst->first_seen) < 0))
        dst->first_seen = src->first_seen;
    if (dst->last_seen == NULL || (src->last_seen && strcmp(src->last_seen, dst->last_seen) > 0))
        dst->last_seen = src->last_seen;
}

static int read_signatures(struct fbuild *b, struct rows *v)
{
    sqlite3_stmt *st = prepare(b, signatures_sql);
    struct lht_fleet_signature row, *s;
    int r, rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    while (rc == LHT_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&row, 0, sizeof row);
        row.rule_id = col(b, st, 0, 0, &rc);
        row.severity = severity(st, 1);
        row.cases = col_size(st, 2);
        row.nodes = col_size(st, 3);
        row.findings = col_size(st, 4);
        row.first_seen = col(b, st, 5, 0, &rc);
        row.last_seen = col(b, st, 6, 0, &rc);
        if (v->n == LHT_FLEET_SIGNATURES_MAX) {
            s = (struct lht_fleet_signature *)v->p + v->n - 1;
            if (s->more == 0) {   /* the last listed one becomes the folded row */
                struct lht_fleet_signature last = *s;
                memset(s, 0, sizeof *s);
                fold_signature(s, &last);
            }
            fold_signature(s, &row);
        } else if ((s = row_add(v)) == NULL) {
            rc = no_memory(b);
        } else {
            *s = row;
        }
    }
    if (rc == LHT_OK)
        rc = finish_step(b, st, r);
    sqlite3_finalize(st);
    return rc;
}

static void fold_setting(struct lht_fleet_setting *dst, const struct lht_fleet_setting *src)
{
    dst->more++;
    dst->cases += src->cases;
    dst->findings += src->findings;
    if (dst->first_seen == NULL || (src->first_seen && strcmp(src->first_seen, dst->first_seen) < 0))
        dst->first_seen = src->first_seen;
    if (dst->last_seen == NULL || (src->last_seen && strcmp(src->last_seen, dst->last_seen) > 0))
        dst->last_seen = src->last_seen;
}

/* Rows of settings_sql, by rule, most cases first: each rule's first
 * LHT_FLEET_SETTINGS_MAX - 1 settings, the rest folded into one row. */
static int read_settings(struct fbuild *b, struct rows *v)
{
    sqlite3_stmt *st = prepare(b, settings_sql);
    struct lht_fleet_setting row, *s, *last;
    size_t of_rule = 0;
    int r, rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    while (rc == LHT_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *rule = (const char *)sqlite3_column_text(st, 0);
        last = v->n ? (struct lht_fleet_setting *)v->p + v->n - 1 : NULL;
        if (last == NULL || rule == NULL || last->rule_id == NULL || strcmp(last->rule_id, rule) != 0)
            of_rule = 0;
        memset(&row, 0, sizeof row);
        row.cases = col_size(st, 4);
        row.findings = col_size(st, 5);
        row.first_seen = col(b, st, 6, 0, &rc);
        row.last_seen = col(b, st, 7, 0, &rc);
        if (++of_rule >= LHT_FLEET_SETTINGS_MAX && last != NULL) {
            if (of_rule == LHT_FLEET_SETTINGS_MAX) {
                const char *rid = last->rule_id;
                if ((s = row_add(v)) == NULL) {
                    rc = no_memory(b);
                    break;
                }
                s->rule_id = rid;
                last = s;
            }
            fold_setting(last, &row);
            continue;
        }
        if ((s = row_add(v)) == NULL) {
            rc = no_memory(b);
            break;
        }
        *s = row;
        s->rule_id = col(b, st, 0, 0, &rc);
        s->longhorn_version = col(b, st, 1, 1, &rc);
        s->kernel_release = col(b, st, 2, 1, &rc);
        s->nfs_vers = col(b, st, 3, 1, &rc);
    }
    if (rc == LHT_OK)
        rc = finish_step(b, st, r);
    sqlite3_finalize(st);
    return rc;
}

static int read_versions(struct fbuild *b, struct rows *v)
{
    sqlite3_stmt *st = prepare(b, versions_sql);
    struct lht_fleet_version *s;
    int r, rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    while (rc == LHT_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (v->n == LHT_FLEET_VERSIONS_MAX) {
            s = (struct lht_fleet_version *)v->p + v->n - 1;
            if (s->more == 0) {
                s->more = 1;
                s->longhorn_version = NULL;
            }
            s->more++;
            s->cases += col_size(st, 1);
            s->with_findings += col_size(st, 2);
            continue;
        }
        if ((s = row_add(v)) == NULL) {
            rc = no_memory(b);
            break;
        }
        s->longhorn_version = col(b, st, 0, 1, &rc);
        s->cases = col_size(st, 1);
        s->with_findings = col_size(st, 2);
    }
    if (rc == LHT_OK)
        rc = finish_step(b, st, r);
    sqlite3_finalize(st);
    return rc;
}

static int read_top(struct fbuild *b, struct rows *v)
{
    sqlite3_stmt *st = prepare(b, top_sql);
    struct lht_fleet_ticket *t;
    int r, rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)b->m->pub.top_limit);
    while (rc == LHT_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if ((t = row_add(v)) == NULL) {
            rc = no_memory(b);
            break;
        }
        t->id = sqlite3_column_int64(st, 0);
        t->name = col(b, st, 1, 1, &rc);
        t->worst = severity(st, 2);
        t->findings = col_size(st, 3);
        t->inputs = col_size(st, 4);
        t->longhorn_version = col(b, st, 5, 1, &rc);
        t->seen_at = col(b, st, 6, 0, &rc);
        t->rules = col(b, st, 7, 0, &rc);
    }
    if (rc == LHT_OK)
        rc = finish_step(b, st, r);
    sqlite3_finalize(st);
    return rc;
}

/* ---- the build ---------------------------------------------------------- */

/* The settings of the listed signatures, in the signatures' order (a
 * folded signature has none of its own). *out is a new array. */
static int arrange_settings(struct fbuild *b, const struct rows *sig, const struct rows *set)
{
    const struct lht_fleet_signature *s = (const void *)sig->p;
    const struct lht_fleet_setting *x = (const void *)set->p;
    struct lht_fleet_setting *out = malloc((set->n + 1) * sizeof *out);
    size_t i, j, n = 0;

    if (out == NULL)
        return no_memory(b);
    for (i = 0; i < sig->n; i++)
        for (j = 0; s[i].more == 0 && j < set->n; j++)
            if (strcmp(x[j].rule_id, s[i].rule_id) == 0)
                out[n++] = x[j];
    b->m->arrays[1] = out;
    b->m->pub.settings = out;
    b->m->pub.nsettings = n;
    return LHT_OK;
}

static int check_schema(struct fbuild *b)
{
    sqlite3_stmt *st = prepare(b, "PRAGMA user_version");
    int v = 0;

    if (st == NULL)
        return LHT_EDB;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v < FLEET_SCHEMA)
        return lht_err_set(b->err, LHT_EDB,
                           "report: the database has schema %d, the fleet report needs %d: "
                           "run `lhtriage scan` on it once with this lhtriage", v, FLEET_SCHEMA);
    return LHT_OK;
}

static int load(struct fbuild *b)
{
    struct rows sig = {NULL, 0, 0, sizeof(struct lht_fleet_signature)};
    struct rows set = {NULL, 0, 0, sizeof(struct lht_fleet_setting)};
    struct rows ver = {NULL, 0, 0, sizeof(struct lht_fleet_version)};
    struct rows top = {NULL, 0, 0, sizeof(struct lht_fleet_ticket)};
    struct lht_fleet_model *m = &b->m->pub;
    int rc;

    if ((rc = read_totals(b)) == LHT_OK && (rc = read_signatures(b, &sig)) == LHT_OK &&
        (rc = read_settings(b, &set)) == LHT_OK && (rc = read_versions(b, &ver)) == LHT_OK &&
        (rc = read_top(b, &top)) == LHT_OK)
        rc = arrange_settings(b, &sig, &set);
    free(set.p);
    b->m->arrays[0] = sig.p;
    b->m->arrays[2] = ver.p;
    b->m->arrays[3] = top.p;
    m->signatures = (const void *)sig.p;
    m->nsignatures = sig.n;
    m->versions = (const void *)ver.p;
    m->nversions = ver.n;
    m->top = (const void *)top.p;
    m->ntop = top.n;
    return rc;
}

int lht_fleet_build(sqlite3 *db, const struct lht_report_opts *o, struct lht_fleet_model **out, lht_err *err)
{
    struct fbuild b;
    int rc;

    *out = NULL;
    memset(&b, 0, sizeof b);
    b.db = db;
    b.err = err;
    if ((b.m = calloc(1, sizeof *b.m)) == NULL)
        return no_memory(&b);
    b.m->pub.version = LHT_VERSION;
    b.m->pub.top_limit = o && o->top ? (o->top > LHT_FLEET_TOP_MAX ? LHT_FLEET_TOP_MAX : o->top)
                                     : LHT_FLEET_TOP_DEFAULT;
    if ((rc = check_schema(&b)) == LHT_OK && (o == NULL || !o->redact || (rc = lht_redactor_new(db, &b.red, err)) == LHT_OK))
        rc = load(&b);
    lht_redactor_free(b.red);
    lht_sb_free(&b.scratch);
    if (rc != LHT_OK) {
        lht_fleet_free(&b.m->pub);
        return rc;
    }
    *out = &b.m->pub;
    return LHT_OK;
}

void lht_fleet_free(struct lht_fleet_model *pub)
{
    struct fleet *m = (struct fleet *)pub;   /* pub is the first member */
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->nowned; i++)
        free(m->owned[i]);
    free(m->owned);
    for (i = 0; i < sizeof m->arrays / sizeof m->arrays[0]; i++)
        free(m->arrays[i]);
    free(m);
}

long long lht_fleet_case_count(sqlite3 *db, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM cases", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        lht_err_set(err, LHT_EDB, "report: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return n;
}
