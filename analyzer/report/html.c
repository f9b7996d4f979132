/*
 * html.c - the report as one self-contained HTML page, from the model alone.
 *
 * For reading in a browser or attaching to a ticket: no script, no
 * external asset (styles are inline, links go only to the references the
 * rules cite and to anchors in the page), evidence folded in <details>.
 * Bundle text is untrusted: everything from the model goes through
 * lht_html_text(), which escapes the five characters HTML gives meaning to,
 * so no bundle text becomes markup or an attribute. Rule text (the
 * remediation) is trusted markdown, turned into HTML by rule_text(): its
 * paragraphs, code spans, lists and code blocks, escaped the same way.
 */
#include "report/render.h"
#include "report/utf8.h"

#include <string.h>

/* ---- escaping ------------------------------------------------------------ */

/* [s, s+n) as HTML text: & < > " ' as entities, the bytes utf8.h escapes
 * as \xNN (the model has already done so). */
static void html_textn(struct lht_sb *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i;

    while (n > 0) {
        size_t l = lht_utf8_len(p, n);
        const char *ent = NULL;
        switch (*p) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        }
        if (ent)
            lht_sb_puts(b, ent);
        else if (lht_utf8_escaped(p, l)) {
            for (i = 0; i < (l ? l : 1); i++)
                lht_sb_printf(b, "\\x%02x", p[i]);
        } else
            lht_sb_putn(b, (const char *)p, l);
        l = l ? l : 1;
        p += l, n -= l;
    }
}

void lht_html_text(struct lht_sb *b, const char *s)
{
    html_textn(b, s ? s : "", s ? strlen(s) : 0);
}


void lht_html_code(struct lht_sb *b, const char *s)
{
    lht_sb_puts(b, "<code>");
    lht_html_text(b, s ? s : "-");
    lht_sb_puts(b, "</code>");
}


static void codes(struct lht_sb *b, const struct lht_report_strs *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        lht_sb_puts(b, i ? ", " : "");
        lht_html_code(b, s->v[i]);
    }
}

/* ---- rule text (trusted markdown) ----------------------------------------- */

/* One line of prose: `code spans` as <code>, the rest as text. */
static void inline_md(struct lht_sb *b, const char *s, size_t n)
{
    const char *end = s + n, *tick;

    while (s < end && (tick = memchr(s, '`', (size_t)(end - s))) != NULL) {
        const char *close = memchr(tick + 1, '`', (size_t)(end - tick - 1));
        if (close == NULL)
            break;
        html_textn(b, s, (size_t)(tick - s));
        lht_sb_puts(b, "<code>");
        html_textn(b, tick + 1, (size_t)(close - tick - 1));
        lht_sb_puts(b, "</code>");
        s = close + 1;
    }
    html_textn(b, s, (size_t)(end - s));
}

enum block { B_NONE, B_PARA, B_LIST, B_PRE };

static void close_block(struct lht_sb *b, enum block *k)
{
    static const char *const end[] = {"", "</p>\n", "</li></ul>\n", "</code></pre>\n"};
    lht_sb_puts(b, end[*k]);
    *k = B_NONE;
}

/* The remediation's markdown: fenced and indented code, "- " lists,
 * paragraphs. Nothing else is written in rules/ (rules/README.md). */
static void rule_text(struct lht_sb *b, const char *s)
{
    enum block k = B_NONE;
    const char *p, *nl;
    int fenced = 0;

    for (p = s; p && *p; p = *nl ? nl + 1 : nl) {
        size_t n;
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        n = (size_t)(nl - p);
        if (n >= 3 && strncmp(p, "```", 3) == 0) {
            close_block(b, &k);
            if (!fenced)
                lht_sb_puts(b, "<pre><code>");
            else
                lht_sb_puts(b, "</code></pre>\n");
            fenced = !fenced;
            continue;
        }
        if (fenced) {
            html_textn(b, p, n);
            lht_sb_puts(b, "\n");
        } else if (n >= 4 && strncmp(p, "    ", 4) == 0) {
            if (k != B_PRE) {
                close_block(b, &k);
                lht_sb_puts(b, "<pre><code>");
                k = B_PRE;
            }
            html_textn(b, p + 4, n - 4);
            lht_sb_puts(b, "\n");
        } else if (n == 0) {
            if (k != B_PRE)
                close_block(b, &k);
        } else if (n >= 2 && strncmp(p, "- ", 2) == 0) {
            if (k != B_LIST) {
                close_block(b, &k);
                lht_sb_puts(b, "<ul><li>");
                k = B_LIST;
            } else
                lht_sb_puts(b, "</li><li>");
            inline_md(b, p + 2, n - 2);
        } else {
            if (k == B_PRE || k == B_NONE) {
                close_block(b, &k);
                lht_sb_puts(b, "<p>");
                k = B_PARA;
            } else
                lht_sb_puts(b, " ");
            inline_md(b, p, n);
        }
    }
    if (fenced)
        lht_sb_puts(b, "</code></pre>\n");
    close_block(b, &k);
}

/* ---- pieces ----------------------------------------------------------------- */

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#1b1f24}"
    "h1{font-size:1.5rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.2rem}"
    "h3{margin-top:1.6rem}code{font:13px ui-monospace,monospace;background:#f3f4f6;padding:0 .2rem;"
    "border-radius:3px;overflow-wrap:anywhere}"
    "pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.5rem .7rem;"
    "white-space:pre-wrap;overflow-wrap:anywhere}pre code{background:none;padding:0}"
    "table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}"
    ".verdict{border-left:4px solid #cf222e;background:#fff8f8;padding:.4rem .9rem;margin:.6rem 0}"
    ".verdict.none{border-color:#1a7f37;background:#f6fff8}"
    ".sev-critical,.sev-error{color:#cf222e}.sev-warning{color:#9a6700}.sev-info{color:#0969da}"
    ".muted{color:#57606a}details{margin:.4rem 0}summary{cursor:pointer}"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}dl.kv dt{font-weight:600}"
    "dl.kv dd{margin:0}";

static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static void source(struct lht_sb *b, const struct lht_report_source *s)
{
    lht_html_code(b, s->member ? s->member : "?");
    if (s->has_line)
        lht_sb_printf(b, " line %lld", s->line);
    if (s->input && (s->member == NULL || strcmp(s->member, last_part(s->input)) != 0)) {
        lht_sb_puts(b, " of ");
        lht_html_code(b, s->input);
    }
}

static void opt(struct lht_sb *b, const char *label, const char *v)
{
    if (v == NULL)
        return;
    lht_sb_puts(b, label);
    lht_html_code(b, v);
}

static void open_files(const struct lht_report_verdict *v, struct lht_sb *b)
{
    size_t i, k;

    for (i = 0; i < v->nfiles; i++) {
        const struct lht_report_open_file *of = &v->files[i];
        lht_sb_puts(b, i ? "; " : ", file ");
        lht_html_code(b, of->path);
        opt(b, " on ", of->mount);
        for (k = 0; k < of->nothers; k++)
            lht_sb_printf(b, "%s%lld", k ? " " : of->nothers == 1 ? " (also open by pid " : " (also open by pids ",
                          of->others[k]);
        lht_sb_puts(b, of->nothers ? ")" : "");
    }
}

static void verdict_one(const struct lht_report_finding *f, struct lht_sb *b)
{
    const struct lht_report_verdict *v = &f->verdict;
    size_t i;

    lht_sb_printf(b, "<div class=\"verdict\"><p><strong class=\"sev-%s\">%s, ", f->severity, f->severity);
    lht_html_text(b, f->confidence);
    lht_sb_puts(b, ":</strong> ");
    lht_html_text(b, f->title);
    lht_sb_printf(b, " <span class=\"muted\">(<a href=\"#finding-%lld\">finding %lld</a>, ", f->id, f->id);
    lht_html_code(b, f->rule_id);
    lht_sb_puts(b, ")</span></p><dl class=\"kv\"><dt>Where</dt><dd>node ");
    lht_html_code(b, f->node ? f->node : "unknown");
    for (i = 0; i < f->npids; i++)
        lht_sb_printf(b, "%s%lld", i ? " " : f->npids == 1 ? ", pid " : ", pids ", f->pid_list[i]);
    if (v->command) {
        lht_sb_puts(b, ", ");
        lht_html_code(b, v->command);
    }
    open_files(v, b);
    lht_sb_puts(b, "</dd><dt>Volume</dt><dd>");
    if (v->volumes.n == 0)
        lht_sb_puts(b, "none found (no Longhorn NFS mount on that node in the inputs)");
    codes(b, &v->volumes);
    if (v->pvcs.n) {
        lht_sb_puts(b, v->pvcs.n == 1 ? ", PVC " : ", PVCs ");
        codes(b, &v->pvcs);
    }
    if (v->workloads.n) {
        lht_sb_puts(b, v->workloads.n == 1 ? ", workload " : ", workloads ");
        codes(b, &v->workloads);
    }
    if (v->pods.n) {
        lht_sb_puts(b, v->pods.n == 1 ? ", pod on that node " : ", pods on that node ");
        codes(b, &v->pods);
    }
    lht_sb_puts(b, "</dd><dt>Confidence</dt><dd>");
    lht_html_text(b, f->confidence);
    for (i = 0; i < v->why.n; i++) {
        lht_sb_puts(b, i ? "; " : ", from ");
        lht_html_text(b, v->why.v[i]);
    }
    lht_sb_puts(b, "</dd>");
    if (v->fix) {
        lht_sb_puts(b, "<dt>Fix</dt><dd>");
        inline_md(b, v->fix, strlen(v->fix));
        lht_sb_puts(b, "</dd>");
    }
    lht_sb_puts(b, "</dl></div>\n");
}

static const char *anomaly_noun(const char *kind, size_t n)
{
    return strcmp(kind, "d_state") == 0     ? (n == 1 ? "D-state process" : "D-state processes")
           : strcmp(kind, "hung_task") == 0 ? (n == 1 ? "hung task" : "hung tasks")
                                            : (n == 1 ? "kernel warning" : "kernel warnings");
}

static void verdict(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "<h3>Verdict</h3>\n");
    if (x->nfindings == 0)
        lht_sb_puts(b, "<div class=\"verdict none\"><p>No rule fired on this case.</p></div>\n");
    for (i = 0; i < x->nfindings; i++)
        verdict_one(&x->findings[i], b);
    if (x->nanomaly_counts) {
        lht_sb_puts(b, "<p>Not explained by any rule: ");
        for (i = 0; i < x->nanomaly_counts; i++)
            lht_sb_printf(b, "%s%zu %s", i ? ", " : "", x->anomaly_counts[i].total,
                          anomaly_noun(x->anomaly_counts[i].kind, x->anomaly_counts[i].total));
        lht_sb_puts(b, " (see Anomalies).</p>\n");
    }
}

static void volume(const struct lht_report_volume *v, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "<li>Volume ");
    lht_html_code(b, v->name);
    if (v->access_mode || v->state || v->robustness) {
        lht_sb_puts(b, ":");
        opt(b, " access ", v->access_mode);
        opt(b, ", state ", v->state);
        opt(b, ", robustness ", v->robustness);
    } else
        lht_sb_puts(b, " (no Longhorn Volume of this name in the inputs)");
    lht_sb_puts(b, "<ul>");
    if (v->pvc) {
        lht_sb_puts(b, "<li>PVC ");
        lht_html_code(b, v->pvc_namespace ? v->pvc_namespace : "?");
        lht_sb_puts(b, " / ");
        lht_html_code(b, v->pvc);
        lht_sb_puts(b, "</li>");
    }
    if (v->storage_class) {
        opt(b, "<li>StorageClass ", v->storage_class);
        opt(b, ", nfsOptions ", v->storage_class_nfs_options);
        lht_sb_puts(b, "</li>");
    }
    if (v->share_manager_state || v->share_manager_pod || v->server) {
        lht_sb_puts(b, "<li>Share manager");
        opt(b, " ", v->share_manager_state);
        opt(b, " on node ", v->share_manager_node);
        opt(b, ", pod ", v->share_manager_pod);
        opt(b, ", NFS server ", v->server);
        lht_sb_puts(b, "</li>");
    }
    if (v->clients.n) {
        lht_sb_puts(b, "<li>Mounted over NFS");
        opt(b, " ", v->nfs_vers);
        lht_sb_puts(b, " on ");
        codes(b, &v->clients);
        lht_sb_puts(b, "</li>");
    }
    for (i = 0; i < v->npods; i++) {
        const struct lht_report_pod *p = &v->pods[i];
        lht_sb_puts(b, "<li>Pod ");
        if (p->name) {
            lht_html_code(b, p->ns ? p->ns : "?");
            lht_sb_puts(b, " / ");
            lht_html_code(b, p->name);
            opt(b, ", owner ", p->workload);
        } else {
            lht_sb_puts(b, "UID ");
            lht_html_code(b, p->uid);
            lht_sb_puts(b, " (not in the bundle's YAMLs)");
        }
        opt(b, " on ", p->node);
        lht_sb_puts(b, "</li>");
    }
    lht_sb_puts(b, "</ul></li>\n");
}

static void volumes(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    if (x->nvolumes == 0)
        return;
    lht_sb_puts(b, "<h3>Volumes</h3>\n<p>From the nodes' mounts to the Longhorn objects "
                   "(query: <code>SELECT * FROM v_volume_walk</code>):</p>\n<ul>\n");
    for (i = 0; i < x->nvolumes; i++)
        volume(&x->volumes[i], b);
    lht_sb_puts(b, "</ul>\n");
}

static void anomalies(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    if (x->nanomalies == 0)
        return;
    lht_sb_puts(b, "<h3>Anomalies</h3>\n<p>No rule explains these; they are listed so that nothing is "
                   "dropped silently.</p>\n<ul>\n");
    for (i = 0; i < x->nanomalies; i++) {
        const struct lht_report_anomaly *a = &x->anomalies[i];
        lht_sb_printf(b, "<li>%s on ", strcmp(a->kind, "d_state") == 0     ? "D state"
                                       : strcmp(a->kind, "hung_task") == 0 ? "Hung task"
                                                                           : "Kernel");
        lht_html_code(b, a->node ? a->node : "unknown");
        lht_sb_puts(b, ": ");
        lht_html_code(b, a->text);
        opt(b, ", in ", a->detail);
        if (a->has_repeats)
            lht_sb_printf(b, ", and %lld more to line %lld", a->repeats, a->last_line);
        lht_sb_puts(b, " <span class=\"muted\">(");
        source(b, &a->source);
        lht_sb_puts(b, ")</span></li>\n");
    }
    for (i = 0; i < x->nanomaly_counts; i++)
        if (x->anomaly_counts[i].total > x->anomaly_counts[i].shown)
            lht_sb_printf(b, "<li>and %zu more %s</li>\n",
                          x->anomaly_counts[i].total - x->anomaly_counts[i].shown,
                          anomaly_noun(x->anomaly_counts[i].kind, x->anomaly_counts[i].total - x->anomaly_counts[i].shown));
    lht_sb_puts(b, "</ul>\n");
}

static void commands(struct lht_sb *b, const struct lht_report_strs *c)
{
    size_t i;

    lht_sb_puts(b, "<pre><code>");
    for (i = 0; i < c->n; i++) {
        lht_html_text(b, c->v[i]);
        lht_sb_puts(b, "\n");
    }
    lht_sb_puts(b, "</code></pre>");
}

static void missing(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    if (x->nmissing == 0)
        return;
    lht_sb_puts(b, "<h3>Missing evidence</h3>\n<p>Ask the customer for:</p>\n<ol>\n");
    for (i = 0; i < x->nmissing; i++) {
        lht_sb_puts(b, "<li>");
        lht_html_text(b, x->missing[i].what);
        if (x->missing[i].node) {
            lht_sb_puts(b, ", on node ");
            lht_html_code(b, x->missing[i].node);
        } else
            lht_sb_puts(b, ", on each affected node");
        lht_sb_puts(b, ":");
        commands(b, &x->missing[i].commands);
        lht_sb_puts(b, "</li>\n");
    }
    lht_sb_puts(b, "</ol>\n");
}

/* ---- one finding ---------------------------------------------------------- */

static void item(const struct lht_report_item *it, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "<p>");
    if (it->sources[0].has_line)
        lht_sb_printf(b, "Line %lld: ", it->sources[0].line);
    codes(b, &it->signals);
    lht_sb_printf(b, " (%s, %s)", it->fact, it->role);
    opt(b, ", matched ", it->matched);
    opt(b, ", ", it->captures);
    for (i = 1; i < it->nsources; i++) {
        lht_sb_puts(b, i == 1 ? ". Also at " : "; ");
        source(b, &it->sources[i]);
    }
    lht_sb_puts(b, "</p>\n<pre><code>");
    lht_html_text(b, it->text);
    lht_sb_puts(b, "</code></pre>\n");
}

static void evidence(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t g, i;

    lht_sb_puts(b, "<h4>Evidence</h4>\n");
    for (g = 0; g < f->ngroups; g++) {
        const struct lht_report_group *gr = &f->groups[g];
        struct lht_report_source s = {gr->input, gr->member, 0, 0};
        lht_sb_printf(b, "<details%s><summary>", g == 0 ? " open" : "");
        source(b, &s);
        lht_sb_printf(b, " <span class=\"muted\">(%zu item%s)</span></summary>\n", gr->nitems,
                      gr->nitems == 1 ? "" : "s");
        for (i = 0; i < gr->nitems; i++)
            item(&gr->items[i], b);
        lht_sb_puts(b, "</details>\n");
    }
}

static void what_to_do(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t i, n = f->nrefs;

    if (f->remediation) {
        lht_sb_puts(b, "<h4>What to do</h4>\n");
        rule_text(b, f->remediation);
    }
    if (f->nsteps) {
        lht_sb_puts(b, "<h4>What to collect next</h4>\n");
        for (i = 0; i < f->nsteps; i++) {
            if (f->steps[i].text) {
                lht_sb_puts(b, "<p>");
                lht_html_text(b, f->steps[i].text);
                lht_sb_puts(b, "</p>");
            }
            if (f->steps[i].commands.n)
                commands(b, &f->steps[i].commands);
            lht_sb_puts(b, "\n");
        }
    }
    if (n > 0 && f->refs[n - 1][0] == '\0')
        n--;
    if (n == 0)
        return;
    lht_sb_puts(b, "<h4>References</h4>\n<ul>\n");
    for (i = 0; i < n; i++) {
        /* only http(s) URLs become links: a rule cannot smuggle javascript: */
        int web = strncmp(f->refs[i], "https://", 8) == 0 || strncmp(f->refs[i], "http://", 7) == 0;
        lht_sb_puts(b, "<li>");
        if (web) {
            lht_sb_puts(b, "<a href=\"");
            lht_html_text(b, f->refs[i]);
            lht_sb_puts(b, "\">");
        }
        lht_html_text(b, f->refs[i]);
        lht_sb_puts(b, web ? "</a></li>\n" : "</li>\n");
    }
    lht_sb_puts(b, "</ul>\n");
}

static void finding(const struct lht_report_finding *f, size_t k, struct lht_sb *b)
{
    lht_sb_printf(b, "<h3 id=\"finding-%lld\">Finding %zu: ", f->id, k);
    lht_html_text(b, f->title);
    lht_sb_printf(b, "</h3>\n<dl class=\"kv\"><dt>Severity</dt><dd class=\"sev-%s\">%s</dd>"
                     "<dt>Confidence</dt><dd>", f->severity, f->severity);
    lht_html_text(b, f->confidence);
    lht_sb_puts(b, "</dd><dt>Rule</dt><dd>");
    lht_html_code(b, f->rule_id);
    lht_sb_printf(b, " (finding id %lld, <code>lhtriage explain %lld</code>)</dd><dt>Node</dt><dd>", f->id, f->id);
    lht_html_code(b, f->node ? f->node : "unknown");
    if (f->pids) {
        lht_sb_puts(b, "</dd><dt>PIDs</dt><dd>");
        lht_html_text(b, f->pids);
    }
    lht_sb_puts(b, "</dd></dl>\n");
    evidence(f, b);
    what_to_do(f, b);
}

/* ---- the case's details --------------------------------------------------- */

static void kv(struct lht_sb *b, const char *label, const char *v)
{
    lht_sb_printf(b, "<dt>%s</dt><dd>", label);
    lht_html_text(b, v ? v : "unknown");
    lht_sb_puts(b, "</dd>");
}

static void details(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "<details><summary>Case details: inputs, nodes, versions, what was checked</summary>\n"
                   "<dl class=\"kv\">");
    if (x->path)
        kv(b, "Folder", x->path);
    kv(b, "Status", x->status);
    kv(b, "Created", x->created_at);
    kv(b, "Scanned", x->scanned_at);
    kv(b, "Longhorn", x->longhorn_version);
    kv(b, "Kubernetes", x->kubernetes_version);
    lht_sb_puts(b, "</dl>\n<p>Inputs:</p><ul>");
    for (i = 0; i < x->ninputs; i++) {
        const struct lht_report_input *in = &x->inputs[i];
        lht_sb_puts(b, "<li>");
        lht_html_code(b, in->file);
        lht_sb_puts(b, " ");
        lht_html_code(b, in->name);
        lht_sb_puts(b, " (");
        lht_html_text(b, in->status);
        if (in->error) {
            lht_sb_puts(b, ": ");
            lht_html_text(b, in->error);
        }
        if (in->has_duplicate_of)
            lht_sb_puts(b, "; same content as another input, counted once");
        lht_sb_puts(b, ")</li>");
    }
    lht_sb_puts(b, "</ul>\n<p>Nodes:</p><ul>");
    for (i = 0; i < x->nnodes; i++) {
        lht_sb_puts(b, "<li>");
        lht_html_code(b, x->nodes[i].name);
        lht_sb_puts(b, " (kernel ");
        lht_html_text(b, x->nodes[i].kernel_release ? x->nodes[i].kernel_release : "unknown");
        if (x->nodes[i].os) {
            lht_sb_puts(b, ", ");
            lht_html_text(b, x->nodes[i].os);
        }
        lht_sb_puts(b, ")</li>");
    }
    lht_sb_puts(b, "</ul>\n<table><tr><th>Evidence</th><th>Node</th><th>Pieces</th><th>Records</th></tr>\n");
    for (i = 0; i < x->nchecked; i++) {
        lht_sb_puts(b, "<tr><td>");
        lht_html_text(b, x->checked[i].kind);
        lht_sb_puts(b, "</td><td>");
        lht_html_text(b, x->checked[i].node ? x->checked[i].node : "-");
        lht_sb_printf(b, "</td><td>%lld</td><td>%lld</td></tr>\n", x->checked[i].pieces, x->checked[i].records);
    }
    lht_sb_puts(b, "</table>\n");
    if (x->nnotes) {
        lht_sb_puts(b, "<p>Could not be read:</p><ul>");
        for (i = 0; i < x->nnotes; i++) {
            struct lht_report_source s = {x->notes[i].input, x->notes[i].member, x->notes[i].line,
                                          x->notes[i].has_line};
            lht_sb_puts(b, "<li>");
            source(b, &s);
            lht_sb_puts(b, ": ");
            lht_html_text(b, x->notes[i].message);
            lht_sb_puts(b, "</li>");
        }
        lht_sb_puts(b, "</ul>\n");
    }
    lht_sb_puts(b, "</details>\n");
}

static void one_case(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t k;

    lht_sb_printf(b, "<section id=\"case-%lld\">\n<h2>Case ", x->id);
    lht_html_code(b, x->name);
    lht_sb_puts(b, "</h2>\n");
    verdict(x, b);
    volumes(x, b);
    anomalies(x, b);
    missing(x, b);
    for (k = 0; k < x->nfindings; k++)
        finding(&x->findings[k], k + 1, b);
    details(x, b);
    lht_sb_puts(b, "</section>\n");
}

/* ---- the fleet ------------------------------------------------------------ */

static size_t count_of(const struct lht_report_case *x, const char *severity)
{
    size_t i;

    for (i = 0; i < x->nsummary; i++)
        if (strcmp(x->summary[i].severity, severity) == 0)
            return x->summary[i].n;
    return 0;
}

static void fleet(const struct lht_report_model *m, struct lht_sb *b)
{
    static const char *const sev[] = {"critical", "error", "warning", "info"};
    size_t i, k;

    lht_sb_puts(b, "<h2>Fleet</h2>\n<h3>Signatures</h3>\n<table><tr><th>Signature</th><th>Severity</th>"
                   "<th>Cases</th><th>Nodes</th><th>First seen</th><th>Last seen</th></tr>\n");
    for (i = 0; i < m->nsignatures; i++) {
        const struct lht_report_signature *s = &m->signatures[i];
        lht_sb_puts(b, "<tr><td>");
        lht_html_code(b, s->rule_id);
        lht_sb_printf(b, "</td><td class=\"sev-%s\">%s</td><td>%zu</td><td>%zu</td><td>", s->severity, s->severity,
                      s->cases, s->nodes);
        lht_html_text(b, s->first_seen);
        lht_sb_puts(b, "</td><td>");
        lht_html_text(b, s->last_seen);
        lht_sb_puts(b, "</td></tr>\n");
    }
    if (m->nsignatures == 0)
        lht_sb_puts(b, "<tr><td colspan=\"6\">(no signature fired)</td></tr>\n");
    lht_sb_puts(b, "</table>\n<h3>Cases</h3>\n<table><tr><th>Case</th><th>Created</th><th>Longhorn</th>"
                   "<th>Status</th><th>Critical</th><th>Error</th><th>Warning</th><th>Info</th></tr>\n");
    for (i = 0; i < m->ncases; i++) {
        const struct lht_report_case *x = &m->cases[i];
        lht_sb_printf(b, "<tr><td><a href=\"#case-%lld\">", x->id);
        lht_html_code(b, x->name);
        lht_sb_puts(b, "</a></td><td>");
        lht_html_text(b, x->created_at ? x->created_at : "-");
        lht_sb_puts(b, "</td><td>");
        lht_html_text(b, x->longhorn_version ? x->longhorn_version : "-");
        lht_sb_puts(b, "</td><td>");
        lht_html_text(b, x->status);
        lht_sb_puts(b, "</td>");
        for (k = 0; k < sizeof sev / sizeof sev[0]; k++)
            lht_sb_printf(b, "<td>%zu</td>", count_of(x, sev[k]));
        lht_sb_puts(b, "</tr>\n");
    }
    lht_sb_puts(b, "</table>\n");
}

void lht_html_head(struct lht_sb *out, const char *title, const char *version)
{
    lht_sb_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                       "style-src 'unsafe-inline'\">\n<title>%s</title>\n<style>%s</style>\n"
                       "</head>\n<body>\n<h1>%s</h1>\n<p class=\"muted\">Generated by lhtriage ",
                  title, style, title);
    lht_html_text(out, version);
}

void lht_html_report(const struct lht_report_model *m, struct lht_sb *out)
{
    size_t i;

    lht_html_head(out, "lhtriage findings report", m->version);
    lht_sb_printf(out, " from %zu case%s (%zu input%s).</p>\n", m->ncases, m->ncases == 1 ? "" : "s", m->ninputs,
                  m->ninputs == 1 ? "" : "s");
    if (m->ncases > 1)
        fleet(m, out);
    for (i = 0; i < m->ncases; i++)
        one_case(&m->cases[i], out);
    lht_sb_puts(out, "</body>\n</html>\n");
}
