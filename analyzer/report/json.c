/*
 * json.c - the report as one JSON document, from the model alone.
 *
 * For scripts and dashboards: compact, one line, keys in a fixed order
 * (the document's shape is an interface, described by the JSON Schema
 * share/lhtriage/report.schema.json, whose version is schema_version; new
 * keys go at the end of their object, and a key that changes meaning
 * raises the version). Strings are written here rather than by a library so that the
 * output is valid UTF-8 JSON whatever bytes a bundle held.
 */
#include "report/render.h"
#include "report/utf8.h"

#include <string.h>

void lht_json_str(struct lht_sb *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t n;

    if (s == NULL) {
        lht_sb_puts(b, "null");
        return;
    }
    n = strlen(s);
    lht_sb_putn(b, "\"", 1);
    while (n > 0) {
        size_t l = lht_utf8_len(p, n);
        const char *short_esc = NULL;
        char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf]};
        switch (*p) {
        case '"': short_esc = "\\\""; break;
        case '\\': short_esc = "\\\\"; break;
        case '\b': short_esc = "\\b"; break;
        case '\t': short_esc = "\\t"; break;
        case '\n': short_esc = "\\n"; break;
        case '\f': short_esc = "\\f"; break;
        case '\r': short_esc = "\\r"; break;
        }
        if (short_esc)
            lht_sb_puts(b, short_esc);
        else if (l == 0)
            lht_sb_printf(b, "\\\\x%c%c", hex[*p >> 4], hex[*p & 0xf]);   /* text \xNN, as utf8.h */
        else if (*p < 0x20 || *p == 0x7f)
            lht_sb_putn(b, u, sizeof u);
        else if (l == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
            /* C1 controls (U+009B is CSI) are legal in JSON but act on a
             * terminal that shows the document */
            u[4] = hex[p[1] >> 4];
            u[5] = hex[p[1] & 0xf];
            lht_sb_putn(b, u, sizeof u);
        }
        else
            lht_sb_putn(b, (const char *)p, l);
        if (l == 0)
            l = 1;
        p += l, n -= l;
    }
    lht_sb_putn(b, "\"", 1);
}

/* ---- objects: a key is preceded by a comma unless it is the first ------ */

void lht_json_key(struct lht_sb *b, int *nkeys, const char *k)
{
    if ((*nkeys)++ > 0)
        lht_sb_putn(b, ",", 1);
    lht_json_str(b, k);
    lht_sb_putn(b, ":", 1);
}

void lht_json_kstr(struct lht_sb *b, int *nkeys, const char *k, const char *v)
{
    lht_json_key(b, nkeys, k);
    lht_json_str(b, v);
}

void lht_json_kint(struct lht_sb *b, int *nkeys, const char *k, long long v, int known)
{
    lht_json_key(b, nkeys, k);
    if (known)
        lht_sb_printf(b, "%lld", v);
    else
        lht_sb_puts(b, "null");
}

/* Open an array value: the caller writes elements separated by commas. */
static void karray(struct lht_sb *b, int *nkeys, const char *k)
{
    lht_json_key(b, nkeys, k);
    lht_sb_putn(b, "[", 1);
}

static void comma(struct lht_sb *b, size_t i)
{
    if (i > 0)
        lht_sb_putn(b, ",", 1);
}

/* ---- the document -------------------------------------------------------- */

static void fleet(const struct lht_report_model *m, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < m->nsignatures; i++) {
        const struct lht_report_signature *s = &m->signatures[i];
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "rule_id", s->rule_id);
        lht_json_kstr(b, &n, "severity", s->severity);
        lht_json_kint(b, &n, "cases", (long long)s->cases, 1);
        lht_json_kint(b, &n, "nodes", (long long)s->nodes, 1);
        lht_json_kstr(b, &n, "first_seen", s->first_seen);
        lht_json_kstr(b, &n, "last_seen", s->last_seen);
        lht_sb_putn(b, "}", 1);
    }
}

static void nodes(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nnodes; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "node", x->nodes[i].name);
        lht_json_kstr(b, &n, "kernel_release", x->nodes[i].kernel_release);
        lht_json_kstr(b, &n, "os", x->nodes[i].os);
        lht_sb_putn(b, "}", 1);
    }
}

/* Every severity, zero or not, so a consumer need not know which exist. */
static void summary(const struct lht_report_case *x, struct lht_sb *b)
{
    static const char *const sev[] = {"critical", "error", "warning", "info"};
    size_t i, k;
    int n = 0;

    lht_sb_putn(b, "{", 1);
    for (k = 0; k < sizeof sev / sizeof sev[0]; k++) {
        size_t count = 0;
        for (i = 0; i < x->nsummary; i++)
            if (strcmp(x->summary[i].severity, sev[k]) == 0)
                count = x->summary[i].n;
        lht_json_kint(b, &n, sev[k], (long long)count, 1);
    }
    lht_sb_putn(b, "}", 1);
}

static void kstrs(struct lht_sb *b, int *nkeys, const char *k, const struct lht_report_strs *s)
{
    size_t i;

    karray(b, nkeys, k);
    for (i = 0; i < s->n; i++) {
        comma(b, i);
        lht_json_str(b, s->v[i]);
    }
    lht_sb_putn(b, "]", 1);
}

static void source(struct lht_sb *b, const struct lht_report_source *s)
{
    int n = 0;

    lht_sb_putn(b, "{", 1);
    lht_json_kstr(b, &n, "input", s->input);
    lht_json_kstr(b, &n, "member", s->member);
    lht_json_kint(b, &n, "line", s->line, s->has_line);
    lht_sb_putn(b, "}", 1);
}

/* Each distinct fact once, with its sources: the groups' order. */
static void evidence(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t g, i, k, nth = 0;

    for (g = 0; g < f->ngroups; g++)
        for (i = 0; i < f->groups[g].nitems; i++) {
            const struct lht_report_item *it = &f->groups[g].items[i];
            int n = 0;
            comma(b, nth++);
            lht_sb_putn(b, "{", 1);
            lht_json_kstr(b, &n, "fact", it->fact);
            lht_json_kstr(b, &n, "role", it->role);
            kstrs(b, &n, "signals", &it->signals);
            lht_json_kstr(b, &n, "text", it->text);
            lht_json_kstr(b, &n, "matched", it->matched);
            lht_json_kstr(b, &n, "captures", it->captures);
            karray(b, &n, "sources");
            for (k = 0; k < it->nsources; k++) {
                comma(b, k);
                source(b, &it->sources[k]);
            }
            lht_sb_puts(b, "]}");
        }
}

static void verdict(const struct lht_report_verdict *v, struct lht_sb *b)
{
    size_t i, k;
    int n = 0;

    lht_sb_putn(b, "{", 1);
    lht_json_kstr(b, &n, "command", v->command);
    kstrs(b, &n, "volumes", &v->volumes);
    kstrs(b, &n, "pvcs", &v->pvcs);
    kstrs(b, &n, "pods", &v->pods);
    kstrs(b, &n, "workloads", &v->workloads);
    kstrs(b, &n, "why", &v->why);
    lht_json_kstr(b, &n, "fix", v->fix);
    karray(b, &n, "files");
    for (i = 0; i < v->nfiles; i++) {
        int m = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &m, "path", v->files[i].path);
        lht_json_kstr(b, &m, "mount", v->files[i].mount);
        karray(b, &m, "others");
        for (k = 0; k < v->files[i].nothers; k++)
            lht_sb_printf(b, "%s%lld", k ? "," : "", v->files[i].others[k]);
        lht_sb_puts(b, "]}");
    }
    lht_sb_puts(b, "]}");
}

static void steps(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < f->nsteps; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "text", f->steps[i].text);
        kstrs(b, &n, "commands", &f->steps[i].commands);
        lht_sb_putn(b, "}", 1);
    }
}

static void finding(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t i;
    int n = 0;

    lht_sb_putn(b, "{", 1);
    lht_json_kint(b, &n, "finding_id", f->id, 1);
    lht_json_kstr(b, &n, "rule_id", f->rule_id);
    lht_json_kstr(b, &n, "title", f->title);
    lht_json_kstr(b, &n, "severity", f->severity);
    lht_json_kstr(b, &n, "confidence", f->confidence);
    lht_json_kstr(b, &n, "node", f->node);
    lht_json_kint(b, &n, "pid", f->pid, f->has_pid);
    karray(b, &n, "pids");
    for (i = 0; i < f->npids; i++)
        lht_sb_printf(b, "%s%lld", i ? "," : "", f->pid_list[i]);
    lht_sb_putn(b, "]", 1);
    lht_json_key(b, &n, "verdict");
    verdict(&f->verdict, b);
    lht_json_kstr(b, &n, "remediation", f->remediation);
    lht_json_kstr(b, &n, "next_steps", f->next_steps);
    karray(b, &n, "steps");
    steps(f, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "references");
    for (i = 0; i < f->nrefs; i++) {
        comma(b, i);
        lht_json_str(b, f->refs[i]);
    }
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "evidence");
    evidence(f, b);
    lht_sb_puts(b, "]}");
}

static void checked(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nchecked; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "kind", x->checked[i].kind);
        lht_json_kstr(b, &n, "node", x->checked[i].node);
        lht_json_kint(b, &n, "pieces", x->checked[i].pieces, 1);
        lht_json_kint(b, &n, "records", x->checked[i].records, 1);
        lht_sb_putn(b, "}", 1);
    }
}

static void unreadable(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nnotes; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "input", x->notes[i].input);
        lht_json_kstr(b, &n, "member", x->notes[i].member);
        lht_json_kint(b, &n, "line", x->notes[i].line, x->notes[i].has_line);
        lht_json_kstr(b, &n, "problem", x->notes[i].message);
        lht_sb_putn(b, "}", 1);
    }
}

static void volumes(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i, k;

    for (i = 0; i < x->nvolumes; i++) {
        const struct lht_report_volume *v = &x->volumes[i];
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "volume", v->name);
        lht_json_kstr(b, &n, "access_mode", v->access_mode);
        lht_json_kstr(b, &n, "state", v->state);
        lht_json_kstr(b, &n, "robustness", v->robustness);
        lht_json_kstr(b, &n, "pvc_namespace", v->pvc_namespace);
        lht_json_kstr(b, &n, "pvc", v->pvc);
        lht_json_kstr(b, &n, "share_manager_state", v->share_manager_state);
        lht_json_kstr(b, &n, "share_manager_node", v->share_manager_node);
        lht_json_kstr(b, &n, "share_manager_pod", v->share_manager_pod);
        lht_json_kstr(b, &n, "server", v->server);
        lht_json_kstr(b, &n, "nfs_vers", v->nfs_vers);
        lht_json_kstr(b, &n, "storage_class", v->storage_class);
        lht_json_kstr(b, &n, "storage_class_nfs_options", v->storage_class_nfs_options);
        kstrs(b, &n, "clients", &v->clients);
        karray(b, &n, "pods");
        for (k = 0; k < v->npods; k++) {
            int m = 0;
            comma(b, k);
            lht_sb_putn(b, "{", 1);
            lht_json_kstr(b, &m, "node", v->pods[k].node);
            lht_json_kstr(b, &m, "uid", v->pods[k].uid);
            lht_json_kstr(b, &m, "name", v->pods[k].name);
            lht_json_kstr(b, &m, "namespace", v->pods[k].ns);
            lht_json_kstr(b, &m, "workload", v->pods[k].workload);
            lht_sb_putn(b, "}", 1);
        }
        lht_sb_puts(b, "]}");
    }
}

static void anomalies(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nanomalies; i++) {
        const struct lht_report_anomaly *a = &x->anomalies[i];
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "kind", a->kind);
        lht_json_kstr(b, &n, "node", a->node);
        lht_json_kint(b, &n, "pid", a->pid, a->has_pid);
        lht_json_kstr(b, &n, "text", a->text);
        lht_json_kstr(b, &n, "detail", a->detail);
        lht_json_key(b, &n, "source");
        source(b, &a->source);
        lht_json_kint(b, &n, "repeats", a->repeats, a->has_repeats);
        lht_json_kint(b, &n, "last_line", a->last_line, a->has_repeats);
        lht_sb_putn(b, "}", 1);
    }
}

static void anomaly_counts(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nanomaly_counts; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "kind", x->anomaly_counts[i].kind);
        lht_json_kint(b, &n, "total", (long long)x->anomaly_counts[i].total, 1);
        lht_json_kint(b, &n, "shown", (long long)x->anomaly_counts[i].shown, 1);
        lht_sb_putn(b, "}", 1);
    }
}

static void missing(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nmissing; i++) {
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kstr(b, &n, "kind", x->missing[i].kind);
        lht_json_kstr(b, &n, "what", x->missing[i].what);
        lht_json_kstr(b, &n, "node", x->missing[i].node);
        kstrs(b, &n, "commands", &x->missing[i].commands);
        lht_sb_putn(b, "}", 1);
    }
}

static void inputs(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->ninputs; i++) {
        const struct lht_report_input *in = &x->inputs[i];
        int n = 0;
        comma(b, i);
        lht_sb_putn(b, "{", 1);
        lht_json_kint(b, &n, "bundle_id", in->id, 1);
        lht_json_kstr(b, &n, "name", in->name);
        lht_json_kstr(b, &n, "file", in->file);
        lht_json_kstr(b, &n, "status", in->status);
        lht_json_kstr(b, &n, "error", in->error);
        lht_json_kstr(b, &n, "created_at", in->created_at);
        lht_json_kstr(b, &n, "scanned_at", in->scanned_at);
        lht_json_kstr(b, &n, "longhorn_version", in->longhorn_version);
        lht_json_kstr(b, &n, "kubernetes_version", in->kubernetes_version);
        lht_json_kint(b, &n, "duplicate_of", in->duplicate_of, in->has_duplicate_of);
        lht_json_kstr(b, &n, "host", in->host);
        lht_sb_putn(b, "}", 1);
    }
}

static void one_case(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;
    int n = 0;

    lht_sb_putn(b, "{", 1);
    lht_json_kint(b, &n, "case_id", x->id, 1);
    lht_json_kstr(b, &n, "name", x->name);
    lht_json_kstr(b, &n, "folder", x->path);
    lht_json_kstr(b, &n, "status", x->status);
    lht_json_kstr(b, &n, "created_at", x->created_at);
    lht_json_kstr(b, &n, "scanned_at", x->scanned_at);
    lht_json_kstr(b, &n, "longhorn_version", x->longhorn_version);
    lht_json_kstr(b, &n, "kubernetes_version", x->kubernetes_version);
    karray(b, &n, "inputs");
    inputs(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "nodes");
    nodes(x, b);
    lht_sb_putn(b, "]", 1);
    lht_json_key(b, &n, "summary");
    summary(x, b);
    karray(b, &n, "findings");
    for (i = 0; i < x->nfindings; i++) {
        comma(b, i);
        finding(&x->findings[i], b);
    }
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "checked");
    checked(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "unreadable");
    unreadable(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "volumes");
    volumes(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "anomalies");
    anomalies(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "anomaly_counts");
    anomaly_counts(x, b);
    lht_sb_putn(b, "]", 1);
    karray(b, &n, "missing");
    missing(x, b);
    lht_sb_puts(b, "]}");
}

void lht_json_report(const struct lht_report_model *m, struct lht_sb *out)
{
    size_t i;
    int n = 0;

    lht_sb_putn(out, "{", 1);
    lht_json_kint(out, &n, "schema_version", LHT_REPORT_SCHEMA_VERSION, 1);
    lht_json_kstr(out, &n, "tool", "lhtriage");
    lht_json_kstr(out, &n, "version", m->version);
    karray(out, &n, "fleet");
    fleet(m, out);
    lht_sb_putn(out, "]", 1);
    karray(out, &n, "cases");
    for (i = 0; i < m->ncases; i++) {
        comma(out, i);
        one_case(&m->cases[i], out);
    }
    lht_sb_puts(out, "]}\n");
}
