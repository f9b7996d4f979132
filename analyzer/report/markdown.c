/*
 * markdown.c - the report as markdown for tickets, from the model alone.
 *
 * GitHub and GitLab render it and it reads as plain text. Bundle text is
 * untrusted: everything from a bundle goes through the helpers below for
 * the place it lands in (table cell, inline text, code span, fenced
 * block), so it cannot break the page. Rule text (remediation, the
 * missing-evidence advice, reference URLs) is trusted and written as is.
 */
#include "report/render.h"
#include "report/report.h"
#include "report/utf8.h"

#include <string.h>

#define MAX_LINE 400   /* bytes of one untrusted line shown before it is cut */

/* ---- escaping ---------------------------------------------------------- */

/* Folded lines (fold on): a line of evidence longer than FOLD columns
 * goes on under a continuation mark, broken after a comma, space or slash in
 * its last FOLD_SLACK columns where there is one. */
#define FOLD 100
#define FOLD_SLACK 30
#define FOLD_MARK "\xe2\x86\xaa "   /* U+21AA and a space */

/* Bytes from p to the end of its line. */
static size_t rest_of_line(const unsigned char *p, size_t n)
{
    const unsigned char *nl = memchr(p, '\n', n);
    return nl ? (size_t)(nl - p) : n;
}

/* Append s with the bytes utf8.h escapes as \xNN (the model has already
 * done so; this is for text that did not come through it); keep newlines
 * when keep_nl, else show them as a space. Lines are cut at MAX_LINE;
 * with fold, folded at FOLD. */
static void put_text(struct lht_sb *b, const char *s, int keep_nl, int fold, const char *escape_set)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), col = 0, vis = 0, i;
    int brk = 0;   /* the last character was a good place to fold */

    while (n > 0) {
        size_t l = lht_utf8_len(p, n);
        if (*p == '\n') {
            lht_sb_putn(b, keep_nl ? "\n" : " ", 1);
            if (keep_nl)
                col = vis = 0;
            p++, n--;
            continue;
        }
        if (col >= MAX_LINE) {
            /* skip the rest of this line, say how much */
            size_t skip = rest_of_line(p, n);
            lht_sb_printf(b, " [... %zu more bytes]", skip);
            p += skip, n -= skip;
            col = 0;
            continue;
        }
        if (fold && (vis >= FOLD || (brk && vis >= FOLD - FOLD_SLACK && rest_of_line(p, n) > FOLD - vis))) {
            lht_sb_puts(b, "\n" FOLD_MARK);
            vis = 2;
        }
        brk = *p == ',' || *p == ' ' || *p == '/';
        if (*p == '\t') {
            lht_sb_putn(b, "    ", 4);
            p++, n--, col += 4, vis += 4;
            continue;
        }
        if (lht_utf8_escaped(p, l)) {
            for (i = 0; i < (l ? l : 1); i++)
                lht_sb_printf(b, "\\x%02x", p[i]);
            l = l ? l : 1;
            p += l, n -= l, col += 4 * l, vis += 4 * l;
            continue;
        }
        if (escape_set && l == 1 && strchr(escape_set, *p)) {
            if (*p == '<')
                lht_sb_puts(b, "&lt;");
            else if (*p == '>')
                lht_sb_puts(b, "&gt;");
            else if (*p == '&')
                lht_sb_puts(b, "&amp;");
            else {
                lht_sb_putn(b, "\\", 1);
                lht_sb_putn(b, (const char *)p, 1);
            }
        } else {
            lht_sb_putn(b, (const char *)p, l);
        }
        p += l, n -= l, col++, vis++;
    }
}

static void put_clean(struct lht_sb *b, const char *s, int keep_nl, const char *escape_set)
{
    put_text(b, s, keep_nl, 0, escape_set);
}

/* Markdown punctuation that could start markup inline; '<' '>' '&' become
 * entities so no HTML survives. */
#define MD_INLINE "\\`*_[]<>&|#~!"

void lht_md_inline(struct lht_sb *b, const char *s)
{
    put_clean(b, s ? s : "", 0, MD_INLINE);
}

void lht_md_cell(struct lht_sb *b, const char *s)
{
    if (s == NULL || *s == '\0') {
        lht_sb_puts(b, "-");
        return;
    }
    put_clean(b, s, 0, MD_INLINE);
}

void lht_md_code(struct lht_sb *b, const char *s, int in_table)
{
    size_t run = 0, best = 0, i;
    const char *p;

    if (s == NULL || *s == '\0') {
        lht_sb_puts(b, "-");
        return;
    }
    for (p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    for (i = 0; i <= best; i++)
        lht_sb_putn(b, "`", 1);
    if (s[0] == '`' || s[strlen(s) - 1] == '`')
        lht_sb_putn(b, " ", 1);
    put_clean(b, s, 0, in_table ? "|" : NULL);
    if (s[0] == '`' || s[strlen(s) - 1] == '`')
        lht_sb_putn(b, " ", 1);
    for (i = 0; i <= best; i++)
        lht_sb_putn(b, "`", 1);
}

/* A fence of s; fold: long lines folded (evidence, for reading). */
static void fence_of(struct lht_sb *b, const char *lang, const char *s, int fold)
{
    size_t run = 0, best = 0, i, fence;
    const char *p;

    if (s == NULL)
        s = "";
    for (p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    fence = best >= 3 ? best + 1 : 3;
    for (i = 0; i < fence; i++)
        lht_sb_putn(b, "`", 1);
    lht_sb_printf(b, "%s\n", lang ? lang : "");
    put_text(b, s, 1, fold, NULL);
    if (b->len > 0 && b->p[b->len - 1] != '\n')
        lht_sb_putn(b, "\n", 1);
    for (i = 0; i < fence; i++)
        lht_sb_putn(b, "`", 1);
    lht_sb_puts(b, "\n\n");
}

void lht_md_fence(struct lht_sb *b, const char *lang, const char *s)
{
    fence_of(b, lang, s, 0);
}


/* ---- the report --------------------------------------------------------- */

/* One line of rule text, with '<' as &lt; outside code spans unless it
 * starts an autolink: a placeholder such as <ip> is a raw HTML tag to a
 * CommonMark renderer, which would drop it. */
static void rule_line(struct lht_sb *b, const char *p, size_t n)
{
    const char *end = p + n;

    while (p < end) {
        if (*p == '`') {
            size_t run = 0;
            const char *close;
            while (p + run < end && p[run] == '`')
                run++;
            for (close = p + run; close < end; close++) {
                size_t r = 0;
                while (close + r < end && close[r] == '`')
                    r++;
                if (r == run)
                    break;
                close += r ? r - 1 : 0;
            }
            close = close < end ? close + run : p + run;
            lht_sb_putn(b, p, (size_t)(close - p));
            p = close;
        } else if (*p == '<' && strncmp(p, "<http://", 8) != 0 && strncmp(p, "<https://", 9) != 0) {
            lht_sb_puts(b, "&lt;");
            p++;
        } else {
            lht_sb_putn(b, p, 1);
            p++;
        }
    }
}

/* Trusted rule text (markdown) as written, but for rule_line()'s '<'
 * outside fenced and indented code. */
void lht_md_rule(struct lht_sb *b, const char *s)
{
    const char *p, *nl;
    int fenced = 0;

    for (p = s; *p; p = *nl ? nl + 1 : nl) {
        size_t n, lead = 0;
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        n = (size_t)(nl - p);
        while (lead < n && p[lead] == ' ')
            lead++;
        if (lead < 4 && n - lead >= 3 && strncmp(p + lead, "```", 3) == 0)
            fenced = !fenced;
        if (fenced || lead >= 4 || strncmp(p + lead, "```", 3) == 0)
            lht_sb_putn(b, p, n);
        else
            rule_line(b, p, n);
        if (*nl)
            lht_sb_putn(b, "\n", 1);
    }
}

static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* A fence indented by indent spaces on every line, so that it belongs to
 * the list item above it (CommonMark: the item's content indentation). */
static void fence_indented(struct lht_sb *b, const char *indent, const char *lang, const char *s)
{
    struct lht_sb t = LHT_SB_INIT;
    const char *p, *nl;

    fence_of(&t, lang, s, 0);
    for (p = lht_sb_str(&t); *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        if (nl > p)
            lht_sb_puts(b, indent);
        lht_sb_putn(b, p, (size_t)(nl - p));
        lht_sb_putn(b, "\n", 1);
        if (*nl == '\0')
            break;
    }
    if (t.oom)
        b->oom = 1;
    lht_sb_free(&t);
}

static size_t count_of(const struct lht_report_case *x, const char *severity)
{
    size_t i;

    for (i = 0; i < x->nsummary; i++)
        if (strcmp(x->summary[i].severity, severity) == 0)
            return x->summary[i].n;
    return 0;
}

/* Inputs whose facts were read (a copy of another input's is not). */
static size_t inputs_read(const struct lht_report_case *x)
{
    size_t i, n = 0;

    for (i = 0; i < x->ninputs; i++)
        n += !x->inputs[i].has_duplicate_of;
    return n;
}

static void fleet_signatures(const struct lht_report_model *m, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "## Fleet\n\n### Signatures\n\n"
                   "| Signature | Severity | Cases | Nodes | First seen | Last seen |\n"
                   "|---|---|---|---|---|---|\n");
    for (i = 0; i < m->nsignatures; i++) {
        const struct lht_report_signature *s = &m->signatures[i];
        lht_sb_puts(b, "| `");
        lht_md_cell(b, s->rule_id);
        lht_sb_printf(b, "` | %s | %zu | %zu | ", s->severity, s->cases, s->nodes);
        lht_md_cell(b, s->first_seen);
        lht_sb_puts(b, " | ");
        lht_md_cell(b, s->last_seen);
        lht_sb_puts(b, " |\n");
    }
    if (m->nsignatures == 0)
        lht_sb_puts(b, "| (no signature fired) | | | | | |\n");
}

/* The case's inputs as typed, in one table cell (no <br>: renderers that
 * strip raw HTML would run the names together). */
static void input_files(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->ninputs; i++) {
        lht_sb_puts(b, i ? ", " : "");
        lht_md_code(b, x->inputs[i].file, 1);
    }
    if (x->ninputs == 0)
        lht_sb_puts(b, "-");
}

static void fleet_cases(const struct lht_report_model *m, struct lht_sb *b)
{
    static const char *const sev[] = {"critical", "error", "warning", "info"};
    size_t i, k;

    lht_sb_puts(b, "\n### Cases\n\n"
                   "| Case | Inputs | Created | Longhorn | Status | Critical | Error | Warning | Info |\n"
                   "|---|---|---|---|---|---|---|---|---|\n");
    for (i = 0; i < m->ncases; i++) {
        const struct lht_report_case *x = &m->cases[i];
        lht_sb_puts(b, "| ");
        lht_md_code(b, x->name, 1);
        lht_sb_puts(b, " | ");
        input_files(x, b);
        lht_sb_puts(b, " | ");
        lht_md_cell(b, x->created_at);
        lht_sb_puts(b, " | ");
        lht_md_cell(b, x->longhorn_version);
        lht_sb_puts(b, " | ");
        lht_md_cell(b, x->status);
        lht_sb_puts(b, " ");
        for (k = 0; k < sizeof sev / sizeof sev[0]; k++)
            lht_sb_printf(b, "| %zu ", count_of(x, sev[k]));
        lht_sb_puts(b, "|\n");
    }
    lht_sb_puts(b, "\n");
}

/* A list of code spans: `a`, `b`. */
static void codes(struct lht_sb *b, const struct lht_report_strs *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        lht_sb_puts(b, i ? ", " : "");
        lht_md_code(b, s->v[i], 0);
    }
}

/* ---- the verdict ---------------------------------------------------------- */

/* ", file `/data/index.html` on `ip:/pvc-...` (also open by pid 123312)" */
static void open_files(const struct lht_report_verdict *v, struct lht_sb *b)
{
    size_t i, k;

    for (i = 0; i < v->nfiles; i++) {
        const struct lht_report_open_file *of = &v->files[i];
        lht_sb_puts(b, i ? "; " : ", file ");
        lht_md_code(b, of->path, 0);
        if (of->mount) {
            lht_sb_puts(b, " on ");
            lht_md_code(b, of->mount, 0);
        }
        for (k = 0; k < of->nothers; k++)
            lht_sb_printf(b, "%s%lld", k ? " " : of->nothers == 1 ? " (also open by pid " : " (also open by pids ",
                          of->others[k]);
        lht_sb_puts(b, of->nothers ? ")" : "");
    }
}

static void verdict_one(const struct lht_report_finding *f, size_t k, struct lht_sb *b)
{
    const struct lht_report_verdict *v = &f->verdict;
    size_t i;

    lht_sb_printf(b, "%zu. **%s, %s:** ", k, f->severity, f->confidence);
    lht_md_inline(b, f->title);
    lht_sb_puts(b, " (");
    lht_md_code(b, f->rule_id, 0);
    lht_sb_printf(b, ", finding %lld)\n   - Where: node ", f->id);
    lht_md_code(b, f->node ? f->node : "unknown", 0);
    if (f->npids > 0) {
        lht_sb_puts(b, f->npids == 1 ? ", pid " : ", pids ");
        for (i = 0; i < f->npids; i++)
            lht_sb_printf(b, "%s%lld", i ? " " : "", f->pid_list[i]);
    }
    if (v->command) {
        lht_sb_puts(b, ", ");
        lht_md_code(b, v->command, 0);
    }
    open_files(v, b);
    lht_sb_puts(b, "\n   - Volume: ");
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
    lht_sb_printf(b, "\n   - Confidence: %s", f->confidence);
    for (i = 0; i < v->why.n; i++) {
        lht_sb_puts(b, i ? "; " : ", from ");
        lht_md_inline(b, v->why.v[i]);
    }
    if (v->fix) {
        /* rule text: trusted markdown, as the remediation below */
        lht_sb_puts(b, "\n   - Fix: ");
        lht_md_rule(b, v->fix);
    }
    lht_sb_puts(b, "\n");
}

static void anomaly_summary(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->nanomaly_counts; i++) {
        size_t n = x->anomaly_counts[i].total;
        const char *k = x->anomaly_counts[i].kind;
        lht_sb_printf(b, "%s%zu %s", i ? ", " : "", n,
                      strcmp(k, "d_state") == 0     ? (n == 1 ? "D-state process" : "D-state processes")
                      : strcmp(k, "hung_task") == 0 ? (n == 1 ? "hung task" : "hung tasks")
                                                    : (n == 1 ? "kernel warning" : "kernel warnings"));
    }
}

static void verdict(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t k;

    lht_sb_puts(b, "### Verdict\n\n");
    if (x->nfindings == 0) {
        lht_sb_puts(b, "No rule fired on this case.");
        if (x->nanomaly_counts) {
            lht_sb_puts(b, " Not explained by any rule: ");
            anomaly_summary(x, b);
            lht_sb_puts(b, " (see Anomalies).");
        }
        lht_sb_puts(b, "\n\n");
        return;
    }
    for (k = 0; k < x->nfindings; k++)
        verdict_one(&x->findings[k], k + 1, b);
    if (x->nanomaly_counts) {
        lht_sb_puts(b, "\nAlso not explained by any rule: ");
        anomaly_summary(x, b);
        lht_sb_puts(b, " (see Anomalies).\n");
    }
    lht_sb_puts(b, "\n");
}

/* ---- the volume walk ------------------------------------------------------ */

static void field(struct lht_sb *b, const char *label, const char *v)
{
    if (v == NULL)
        return;
    lht_sb_printf(b, "%s", label);
    lht_md_code(b, v, 0);
}

static void volume(const struct lht_report_volume *v, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "- Volume ");
    lht_md_code(b, v->name, 0);
    if (v->access_mode || v->state || v->robustness) {
        lht_sb_puts(b, ":");
        field(b, " access ", v->access_mode);
        field(b, ", state ", v->state);
        field(b, ", robustness ", v->robustness);
    } else {
        lht_sb_puts(b, " (no Longhorn Volume of this name in the inputs)");
    }
    lht_sb_puts(b, "\n");
    if (v->pvc) {
        lht_sb_puts(b, "  - PVC ");
        lht_md_code(b, v->pvc_namespace ? v->pvc_namespace : "?", 0);
        lht_sb_puts(b, " / ");
        lht_md_code(b, v->pvc, 0);
        lht_sb_puts(b, "\n");
    }
    if (v->storage_class) {
        field(b, "  - StorageClass ", v->storage_class);
        field(b, ", nfsOptions ", v->storage_class_nfs_options);
        lht_sb_puts(b, "\n");
    }
    if (v->share_manager_state || v->share_manager_pod || v->server) {
        lht_sb_puts(b, "  - Share manager");
        field(b, " ", v->share_manager_state);
        field(b, " on node ", v->share_manager_node);
        field(b, ", pod ", v->share_manager_pod);
        field(b, ", NFS server ", v->server);
        lht_sb_puts(b, "\n");
    }
    if (v->clients.n) {
        lht_sb_puts(b, "  - Mounted over NFS");
        field(b, " ", v->nfs_vers);
        lht_sb_puts(b, " on ");
        codes(b, &v->clients);
        lht_sb_puts(b, "\n");
    }
    for (i = 0; i < v->npods; i++) {
        const struct lht_report_pod *p = &v->pods[i];
        lht_sb_puts(b, "  - Pod ");
        if (p->name) {
            lht_md_code(b, p->ns ? p->ns : "?", 0);
            lht_sb_puts(b, " / ");
            lht_md_code(b, p->name, 0);
            field(b, ", owner ", p->workload);
        } else {
            lht_sb_puts(b, "UID ");
            lht_md_code(b, p->uid, 0);
            lht_sb_puts(b, " (not in the bundle's YAMLs)");
        }
        field(b, " on ", p->node);
        lht_sb_puts(b, "\n");
    }
}

static void volumes(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    if (x->nvolumes == 0)
        return;
    lht_sb_puts(b, "### Volumes\n\nFrom the nodes' mounts to the Longhorn objects "
                   "(query: `SELECT * FROM v_volume_walk`):\n\n");
    for (i = 0; i < x->nvolumes; i++)
        volume(&x->volumes[i], b);
    lht_sb_puts(b, "\n");
}

/* ---- anomalies ------------------------------------------------------------ */

static void source_of(const struct lht_report_source *s, int with_input, struct lht_sb *b)
{
    lht_md_code(b, s->member ? s->member : "?", 0);
    if (s->has_line)
        lht_sb_printf(b, " line %lld", s->line);
    if (with_input && s->input && (s->member == NULL || strcmp(s->member, last_part(s->input)) != 0)) {
        lht_sb_puts(b, " of ");
        lht_md_code(b, s->input, 0);
    }
}

static const char *anomaly_label(const char *kind)
{
    return strcmp(kind, "d_state") == 0 ? "D state" : strcmp(kind, "hung_task") == 0 ? "Hung task" : "Kernel";
}

static void anomalies(const struct lht_report_case *x, struct lht_sb *b)
{
    int with_input = inputs_read(x) > 1;
    size_t i, k;

    if (x->nanomalies == 0)
        return;
    lht_sb_puts(b, "### Anomalies\n\nNo rule explains these; they are listed so that nothing is dropped "
                   "silently.\n\n");
    for (i = 0; i < x->nanomalies; i++) {
        const struct lht_report_anomaly *a = &x->anomalies[i];
        lht_sb_printf(b, "- %s on ", anomaly_label(a->kind));
        lht_md_code(b, a->node ? a->node : "unknown", 0);
        lht_sb_puts(b, ": ");
        lht_md_code(b, a->text, 0);
        if (a->detail) {
            lht_sb_puts(b, ", in ");
            lht_md_code(b, a->detail, 0);
        }
        if (a->has_repeats)
            lht_sb_printf(b, ", and %lld more to line %lld", a->repeats, a->last_line);
        lht_sb_puts(b, " (");
        source_of(&a->source, with_input, b);
        lht_sb_puts(b, ")\n");
    }
    for (k = 0; k < x->nanomaly_counts; k++)
        if (x->anomaly_counts[k].total > x->anomaly_counts[k].shown)
            lht_sb_printf(b, "- and %zu more of kind %s\n", x->anomaly_counts[k].total - x->anomaly_counts[k].shown,
                          x->anomaly_counts[k].kind);
    lht_sb_puts(b, "\n");
}

/* ---- one finding ---------------------------------------------------------- */

static void item(const struct lht_report_item *it, int with_input, struct lht_sb *b)
{
    size_t i;

    if (it->sources[0].has_line)
        lht_sb_printf(b, "Line %lld: ", it->sources[0].line);
    codes(b, &it->signals);
    lht_sb_printf(b, " (%s, %s)", it->fact, it->role);
    if (it->matched) {
        lht_sb_puts(b, ", matched ");
        lht_md_code(b, it->matched, 0);
    }
    if (it->captures) {
        lht_sb_puts(b, ", ");
        lht_md_code(b, it->captures, 0);
    }
    for (i = 1; i < it->nsources; i++) {
        lht_sb_puts(b, i == 1 ? ". Also at " : "; ");
        source_of(&it->sources[i], with_input, b);
    }
    lht_sb_puts(b, "\n\n");
    fence_of(b, "text", it->text, 1);
}

static void evidence(const struct lht_report_finding *f, int with_input, struct lht_sb *b)
{
    size_t g, i;

    lht_sb_puts(b, "#### Evidence\n\n");
    for (g = 0; g < f->ngroups; g++) {
        const struct lht_report_group *gr = &f->groups[g];
        lht_sb_puts(b, "From ");
        lht_md_code(b, gr->member ? gr->member : "?", 0);
        if (with_input && gr->input && (gr->member == NULL || strcmp(gr->member, last_part(gr->input)) != 0)) {
            lht_sb_puts(b, " of ");
            lht_md_code(b, gr->input, 0);
        }
        lht_sb_puts(b, ":\n\n");
        for (i = 0; i < gr->nitems; i++)
            item(&gr->items[i], with_input, b);
    }
}

/* Rule text: trusted (bundle values in it were sanitised when expanded). */
static void what_to_do(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t i, k, n = f->nrefs;

    if (f->remediation) {
        size_t len = strlen(f->remediation);
        lht_sb_puts(b, "#### What to do\n\n");
        lht_md_rule(b, f->remediation);
        lht_sb_puts(b, len > 0 && f->remediation[len - 1] != '\n' ? "\n\n" : "\n");
    }
    if (f->nsteps) {
        lht_sb_puts(b, "#### What to collect next\n\n");
        for (i = 0; i < f->nsteps; i++) {
            const struct lht_report_step *s = &f->steps[i];
            struct lht_sb cmds = LHT_SB_INIT;
            if (s->text) {
                lht_md_inline(b, s->text);
                lht_sb_puts(b, "\n\n");
            }
            for (k = 0; k < s->commands.n; k++)
                lht_sb_printf(&cmds, "%s\n", s->commands.v[k]);
            if (cmds.len)
                lht_md_fence(b, "sh", lht_sb_str(&cmds));
            if (cmds.oom)
                b->oom = 1;
            lht_sb_free(&cmds);
        }
    }
    if (f->refs == NULL)
        return;
    if (n > 0 && f->refs[n - 1][0] == '\0')   /* the stored list's final newline */
        n--;
    lht_sb_puts(b, "#### References\n\n");
    for (i = 0; i < n; i++)
        lht_sb_printf(b, "- <%s>\n", f->refs[i]);
    lht_sb_puts(b, "\n");
}

static void finding(const struct lht_report_finding *f, size_t n, int with_input, struct lht_sb *b)
{
    lht_sb_printf(b, "### Finding %zu: ", n);
    lht_md_inline(b, f->title);
    lht_sb_printf(b, "\n\n- **Severity:** %s\n- **Confidence:** ", f->severity);
    lht_md_inline(b, f->confidence);
    lht_sb_puts(b, "\n- **Rule:** ");
    lht_md_code(b, f->rule_id, 0);
    lht_sb_printf(b, " (finding id %lld, `lhtriage explain %lld`)\n- **Node:** ", f->id, f->id);
    lht_md_code(b, f->node ? f->node : "unknown", 0);
    if (f->pids) {
        lht_sb_puts(b, "\n- **PIDs:** ");
        lht_md_inline(b, f->pids);
    }
    lht_sb_puts(b, "\n\n");
    evidence(f, with_input, b);
    what_to_do(f, b);
}

/* ---- what is missing, what was read --------------------------------------- */

static void missing(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i, k;

    if (x->nmissing == 0)
        return;
    lht_sb_puts(b, "### Missing evidence\n\nAsk the customer for:\n\n");
    for (i = 0; i < x->nmissing; i++) {
        const struct lht_report_missing *m = &x->missing[i];
        struct lht_sb cmds = LHT_SB_INIT;
        lht_sb_printf(b, "%zu. %s", i + 1, m->what);   /* our own text */
        if (m->node) {
            lht_sb_puts(b, ", on node ");
            lht_md_code(b, m->node, 0);
        } else {
            lht_sb_puts(b, ", on each affected node");
        }
        lht_sb_puts(b, ":\n\n");
        for (k = 0; k < m->commands.n; k++)
            lht_sb_printf(&cmds, "%s\n", m->commands.v[k]);
        fence_indented(b, "   ", "sh", lht_sb_str(&cmds));
        if (cmds.oom)
            b->oom = 1;
        lht_sb_free(&cmds);
    }
}

static void header_item(struct lht_sb *b, const char *label, const char *value)
{
    lht_sb_printf(b, "- %s: ", label);
    lht_md_inline(b, value ? value : "unknown");
    lht_sb_puts(b, "\n");
}

static const char *file_of(const struct lht_report_case *x, long long id)
{
    size_t i;

    for (i = 0; i < x->ninputs; i++)
        if (x->inputs[i].id == id)
            return x->inputs[i].file;
    return "another input";
}

/* One item per input: the file as typed, its bundle name (when the file
 * name does not already say it), its status. */
static void input_items(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, x->ninputs == 1 ? "- Input:" : "- Inputs:");
    if (x->ninputs == 0)
        lht_sb_puts(b, " none");
    lht_sb_puts(b, "\n");
    for (i = 0; i < x->ninputs; i++) {
        const struct lht_report_input *in = &x->inputs[i];
        lht_sb_puts(b, "  - ");
        lht_md_code(b, in->file, 0);
        if (strncmp(last_part(in->file), in->name, strlen(in->name)) != 0) {
            lht_sb_puts(b, " ");
            lht_md_code(b, in->name, 0);
        }
        lht_sb_puts(b, " (");
        lht_md_inline(b, in->status);
        if (in->error) {
            lht_sb_puts(b, ": ");
            lht_md_inline(b, in->error);
        }
        if (in->has_duplicate_of) {
            lht_sb_puts(b, "; same content as ");
            lht_md_code(b, file_of(x, in->duplicate_of), 0);
            lht_sb_puts(b, ", counted once");
        }
        lht_sb_puts(b, ")\n");
    }
}

static void details(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "### Case details\n\n");
    if (x->path)
        header_item(b, "Folder", x->path);
    input_items(x, b);
    header_item(b, "Status", x->status);
    header_item(b, "Created", x->created_at);
    header_item(b, "Scanned", x->scanned_at);
    header_item(b, "Longhorn", x->longhorn_version);
    header_item(b, "Kubernetes", x->kubernetes_version);
    lht_sb_puts(b, x->nnodes == 0 ? "- Nodes: none known\n" : "- Nodes:\n");
    for (i = 0; i < x->nnodes; i++) {
        lht_sb_puts(b, "  - ");
        lht_md_code(b, x->nodes[i].name, 0);
        lht_sb_puts(b, " (kernel ");
        lht_md_inline(b, x->nodes[i].kernel_release ? x->nodes[i].kernel_release : "unknown");
        if (x->nodes[i].os) {
            lht_sb_puts(b, ", ");
            lht_md_inline(b, x->nodes[i].os);
        }
        lht_sb_puts(b, ")\n");
    }
    lht_sb_puts(b, "\n");
}

/* What was looked at, so "nothing found" differs from "nothing readable". */
static void checked(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "### What was checked\n\n");
    for (i = 0; i < x->nchecked; i++) {
        lht_sb_puts(b, "- ");
        lht_md_inline(b, x->checked[i].kind);
        if (x->checked[i].node) {
            lht_sb_puts(b, " on ");
            lht_md_code(b, x->checked[i].node, 0);
        }
        lht_sb_printf(b, ": %lld piece%s, %lld record%s\n", x->checked[i].pieces,
                      x->checked[i].pieces == 1 ? "" : "s", x->checked[i].records,
                      x->checked[i].records == 1 ? "" : "s");
    }
    if (x->nchecked == 0)
        lht_sb_puts(b, "- nothing readable\n");
    lht_sb_puts(b, "\n");
}

static void unreadable(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;
    int with_input = inputs_read(x) > 1;

    if (x->nnotes == 0)
        return;
    lht_sb_puts(b, "### Could not be read\n\n");
    for (i = 0; i < x->nnotes; i++) {
        const struct lht_report_note *n = &x->notes[i];
        struct lht_report_source s = {n->input, n->member, n->line, n->has_line};
        lht_sb_puts(b, "- ");
        if (n->member)
            source_of(&s, with_input, b);
        else
            lht_md_code(b, n->input ? n->input : "?", 0);
        lht_sb_puts(b, ": ");
        lht_md_inline(b, n->message);
        lht_sb_puts(b, "\n");
    }
    lht_sb_puts(b, "\n");
}

static void one_case(const struct lht_report_case *x, struct lht_sb *b)
{
    int with_input = inputs_read(x) > 1;
    size_t k;

    lht_sb_puts(b, "## Case ");
    lht_md_code(b, x->name, 0);
    lht_sb_puts(b, "\n\n");
    verdict(x, b);
    volumes(x, b);
    anomalies(x, b);
    missing(x, b);
    for (k = 0; k < x->nfindings; k++)
        finding(&x->findings[k], k + 1, with_input, b);
    details(x, b);
    checked(x, b);
    unreadable(x, b);
}

void lht_md_report(const struct lht_report_model *m, struct lht_sb *out)
{
    size_t i;

    lht_sb_printf(out, "# lhtriage findings report\n\nGenerated by lhtriage %s from %zu case%s (%zu input%s).\n\n",
                  m->version, m->ncases, m->ncases == 1 ? "" : "s", m->ninputs, m->ninputs == 1 ? "" : "s");
    if (m->ncases > 1) {
        fleet_signatures(m, out);
        fleet_cases(m, out);
    }
    for (i = 0; i < m->ncases; i++)
        one_case(&m->cases[i], out);
}
