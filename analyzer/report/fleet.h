/*
 * fleet.h - the fleet report: what a database of many cases says, as a
 * summary whose size does not grow with the number of cases.
 *
 * `lhtriage report` over more than one case (no --case, --bundle or
 * --detail) shows this instead of every case's detail: per signature
 * (rule) its cases, nodes and first/last seen; per signature the settings
 * it fired in (Longhorn version x the node's kernel x its NFS versions);
 * the Longhorn versions of the cases; and the top tickets. Every list is
 * capped (the rest folded into one "more" row), and every string from an
 * input is cut to LHT_FLEET_TEXT_MAX bytes, so the report is bounded at
 * any size of database.
 *
 * The model is read from the views of schema/015_fleet_views.sql, each a
 * GROUP BY in SQL; renderers (markdown, HTML, JSON in fleet_render.c) only
 * format it. As in model.h: every pointer belongs to the model until
 * lht_fleet_free(); strings are untrusted input text, redacted here when
 * o->redact; order is total, so one database gives one report.
 */
#ifndef LHT_REPORT_FLEET_H
#define LHT_REPORT_FLEET_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "report/report.h"

#define LHT_FLEET_SIGNATURES_MAX 100   /* rules listed; the rest folded */
#define LHT_FLEET_SETTINGS_MAX 8       /* settings per rule; the rest folded */
#define LHT_FLEET_VERSIONS_MAX 20      /* Longhorn versions; the rest folded */
#define LHT_FLEET_TOP_DEFAULT 20       /* tickets in the top list */
#define LHT_FLEET_TOP_MAX 500
#define LHT_FLEET_TEXT_MAX 120         /* bytes of any string from an input */

/* One rule over the fleet. A folded row (more > 0) stands for `more`
 * further rules: rule_id is NULL and the counts are their sums. */
struct lht_fleet_signature {
    const char *rule_id;
    const char *severity;      /* the worst it fired with */
    size_t cases, nodes, findings;
    const char *first_seen, *last_seen;   /* case times (see the views) */
    size_t more;
};

/* One setting a rule fired in; NULL strings are unknown. A folded row
 * (more > 0) stands for `more` further settings of the same rule:
 * its strings are NULL and its counts are sums. */
struct lht_fleet_setting {
    const char *rule_id;
    const char *longhorn_version;
    const char *kernel_release;  /* of the finding's node */
    const char *nfs_vers;        /* NFS versions mounted there, space separated */
    size_t cases, findings;
    const char *first_seen, *last_seen;
    size_t more;
};

/* Cases by Longhorn version (NULL: none stated); folded as above. */
struct lht_fleet_version {
    const char *longhorn_version;
    size_t cases, with_findings;
    size_t more;
};

/* A ticket of the top list: worst severity, then most findings, then
 * latest seen. */
struct lht_fleet_ticket {
    long long id;                /* case id, what `report --case` takes */
    const char *name;
    const char *worst;           /* severity */
    size_t findings, inputs;
    const char *longhorn_version;
    const char *seen_at;
    const char *rules;           /* rules that fired, space separated */
};

struct lht_fleet_model {
    const char *version;         /* of the lhtriage that built it */
    size_t cases, inputs, findings, cases_with_findings;
    const char *first_seen, *last_seen;
    const struct lht_fleet_signature *signatures;
    size_t nsignatures;
    const struct lht_fleet_setting *settings;    /* by rule as signatures, then most cases */
    size_t nsettings;
    const struct lht_fleet_version *versions;
    size_t nversions;
    const struct lht_fleet_ticket *top;
    size_t ntop;
    size_t top_limit;            /* the list's length as asked */
};

/* Build the fleet model of every case in db (o->top tickets in the top
 * list, LHT_FLEET_TOP_DEFAULT when 0; o->redact honoured). *out owns the
 * model: lht_fleet_free(). LHT_EDB (err says why, e.g. a database older
 * than schema 15 that no scan has migrated), LHT_ENOMEM. */
int lht_fleet_build(sqlite3 *db, const struct lht_report_opts *o, struct lht_fleet_model **out, lht_err *err);
void lht_fleet_free(struct lht_fleet_model *m);

/* Number of cases in db, or -1 with err set. */
long long lht_fleet_case_count(sqlite3 *db, lht_err *err);

/* Renderers (fleet_render.c): markdown, one HTML page, and one JSON
 * document and a newline. */
void lht_fleet_md(const struct lht_fleet_model *m, struct lht_sb *out);
void lht_fleet_html(const struct lht_fleet_model *m, struct lht_sb *out);
void lht_fleet_json(const struct lht_fleet_model *m, struct lht_sb *out);

#endif
