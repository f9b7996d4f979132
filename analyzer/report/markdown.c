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

/* Append s with control bytes and invalid UTF-8 as \xNN; keep newlines
 * when keep_nl, else show them as a space. Lines are cut at MAX_LINE. */
static void put_clean(struct lht_sb *b, const char *s, int keep_nl, const char *escape_set)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), col = 0;

    while (n > 0) {
        size_t l = lht_utf8_len(p, n);
        if (*p == '\n') {
            if (keep_nl) {
                lht_sb_putn(b, "\n", 1);
                col = 0;
            } else {
                lht_sb_putn(b, " ", 1);
            }
            p++, n--;
            continue;
        }
        if (col >= MAX_LINE) {
            /* skip the rest of this line, say how much */
            size_t skip = 0;
            while (skip < n && p[skip] != '\n')
                skip++;
            lht_sb_printf(b, " [... %zu more bytes]", skip);
            p += skip, n -= skip;
            col = 0;
            continue;
        }
        if (l == 0 || *p < 0x20 || *p == 0x7f) {
            if (*p == '\t') {
                lht_sb_putn(b, "    ", 4);
            } else {
                lht_sb_printf(b, "\\x%02x", *p);
            }
            p++, n--, col += 4;
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
        p += l, n -= l, col++;
    }
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

void lht_md_fence(struct lht_sb *b, const char *lang, const char *s)
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
    put_clean(b, s, 1, NULL);
    if (b->len > 0 && b->p[b->len - 1] != '\n')
        lht_sb_putn(b, "\n", 1);
    for (i = 0; i < fence; i++)
        lht_sb_putn(b, "`", 1);
    lht_sb_puts(b, "\n\n");
}


/* ---- the report --------------------------------------------------------- */

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

/* The case's inputs as typed, in one table cell. */
static void input_files(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    for (i = 0; i < x->ninputs; i++) {
        lht_sb_puts(b, i ? "<br>" : "");
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

static void header_row(struct lht_sb *b, const char *label, const char *value)
{
    lht_sb_printf(b, "| %s | ", label);
    lht_md_cell(b, value ? value : "unknown");
    lht_sb_puts(b, " |\n");
}

static const char *file_of(const struct lht_report_case *x, long long id)
{
    size_t i;

    for (i = 0; i < x->ninputs; i++)
        if (x->inputs[i].id == id)
            return x->inputs[i].file;
    return "another input";
}

static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* One line per input: the file as typed, its bundle name (when the file
 * name does not already say it), its status. */
static void input_rows(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, x->ninputs == 1 ? "| Input | " : "| Inputs | ");
    for (i = 0; i < x->ninputs; i++) {
        const struct lht_report_input *in = &x->inputs[i];
        lht_sb_puts(b, i ? "<br>" : "");
        lht_md_code(b, in->file, 1);
        if (strncmp(last_part(in->file), in->name, strlen(in->name)) != 0) {
            lht_sb_puts(b, " ");
            lht_md_code(b, in->name, 1);
        }
        lht_sb_puts(b, " (");
        lht_md_cell(b, in->status);
        if (in->error) {
            lht_sb_puts(b, ": ");
            lht_md_cell(b, in->error);
        }
        if (in->has_duplicate_of) {
            lht_sb_puts(b, "; same content as ");
            lht_md_code(b, file_of(x, in->duplicate_of), 1);
            lht_sb_puts(b, ", counted once");
        }
        lht_sb_puts(b, ")");
    }
    if (x->ninputs == 0)
        lht_sb_puts(b, "none");
    lht_sb_puts(b, " |\n");
}

static void case_header(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "## Case ");
    lht_md_code(b, x->name, 0);
    lht_sb_puts(b, "\n\n| | |\n|---|---|\n");
    if (x->path)
        header_row(b, "Folder", x->path);
    input_rows(x, b);
    header_row(b, "Status", x->status);
    header_row(b, "Created", x->created_at);
    header_row(b, "Scanned", x->scanned_at);
    header_row(b, "Longhorn", x->longhorn_version);
    header_row(b, "Kubernetes", x->kubernetes_version);
    lht_sb_puts(b, "| Nodes | ");
    for (i = 0; i < x->nnodes; i++) {
        lht_sb_puts(b, i ? "<br>" : "");
        lht_md_cell(b, x->nodes[i].name);
        lht_sb_puts(b, " (kernel ");
        lht_md_cell(b, x->nodes[i].kernel_release ? x->nodes[i].kernel_release : "unknown");
        if (x->nodes[i].os) {
            lht_sb_puts(b, ", ");
            lht_md_cell(b, x->nodes[i].os);
        }
        lht_sb_puts(b, ")");
    }
    if (x->nnodes == 0)
        lht_sb_puts(b, "none known");
    lht_sb_puts(b, " |\n\n");
}

static void summary(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "### Summary\n\n| Severity | Findings |\n|---|---|\n");
    for (i = 0; i < x->nsummary; i++)
        lht_sb_printf(b, "| %s | %zu |\n", x->summary[i].severity, x->summary[i].n);
    if (x->nfindings == 0)
        lht_sb_puts(b, "| (none) | 0 |\n");
    lht_sb_puts(b, "\n");
}

/* The matched text is worth its own mention only when it says more than
 * the fact text shown below it and fits on one line. */
static int shows_matched(const struct lht_report_evidence *e)
{
    return e->matched && e->matched[0] && (e->text == NULL || strcmp(e->matched, e->text) != 0) &&
           strchr(e->matched, '\n') == NULL;
}

/* with_input: the case has several inputs, so say which one. */
static void evidence(const struct lht_report_evidence *e, size_t k, int with_input, struct lht_sb *b)
{
    lht_sb_printf(b, "%zu. Signal ", k);
    lht_md_code(b, e->signal, 0);
    lht_sb_puts(b, " (");
    lht_md_inline(b, e->fact);
    lht_sb_puts(b, ") in ");
    lht_md_code(b, e->member ? e->member : "?", 0);
    lht_sb_printf(b, " line %lld", e->has_line ? e->line : 0);
    if (with_input && e->input && (e->member == NULL || strcmp(e->member, last_part(e->input)) != 0)) {
        lht_sb_puts(b, " of ");
        lht_md_code(b, e->input, 0);
    }
    if (shows_matched(e)) {
        lht_sb_puts(b, ", matched ");
        lht_md_code(b, e->matched, 0);
    }
    if (e->captures) {
        lht_sb_puts(b, ", ");
        lht_md_code(b, e->captures, 0);
    }
    lht_sb_puts(b, "\n\n");
    lht_md_fence(b, "text", e->text ? e->text : e->matched);
}

static void why_it_fired(const struct lht_report_finding *f, int with_input, struct lht_sb *b)
{
    size_t i;
    int supporting = 0;

    lht_sb_puts(b, "\n\n#### Why it fired\n\n");
    for (i = 0; i < f->nevidence; i++) {
        const struct lht_report_evidence *e = &f->evidence[i];
        if (!supporting && e->role && strcmp(e->role, "supporting") == 0) {
            supporting = 1;
            lht_sb_puts(b, "Supporting evidence:\n\n");
        }
        evidence(e, i + 1, with_input, b);
    }
}

/* Rule text: trusted (bundle values in it were sanitised when expanded). */
static void what_to_do(const struct lht_report_finding *f, struct lht_sb *b)
{
    size_t i, n = f->nrefs;

    if (f->remediation) {
        size_t len = strlen(f->remediation);
        lht_sb_puts(b, "#### What to do\n\n");
        lht_sb_puts(b, f->remediation);
        lht_sb_puts(b, len > 0 && f->remediation[len - 1] != '\n' ? "\n\n" : "\n");
    }
    if (f->next_steps) {
        lht_sb_puts(b, "#### What to collect next\n\n");
        lht_md_fence(b, "sh", f->next_steps);
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
    why_it_fired(f, with_input, b);
    what_to_do(f, b);
}

/* What was looked at, so "nothing found" differs from "nothing readable". */
static void checked(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "### What was checked\n\n");
    if (x->nfindings == 0)
        lht_sb_puts(b, "No rule fired on this case. It held the evidence below.\n\n");
    lht_sb_puts(b, "| Evidence | Node | Pieces | Records |\n|---|---|---|---|\n");
    for (i = 0; i < x->nchecked; i++) {
        lht_sb_puts(b, "| ");
        lht_md_cell(b, x->checked[i].kind);
        lht_sb_puts(b, " | ");
        lht_md_cell(b, x->checked[i].node);
        lht_sb_printf(b, " | %lld | %lld |\n", x->checked[i].pieces, x->checked[i].records);
    }
    if (x->nchecked == 0)
        lht_sb_puts(b, "| (nothing readable) | - | 0 | 0 |\n");
    lht_sb_puts(b, "\n");
    if (x->nmissing > 0) {
        lht_sb_puts(b, "Missing evidence:\n\n");
        for (i = 0; i < x->nmissing; i++)
            lht_sb_printf(b, "- %s\n", x->missing[i].advice);
        lht_sb_puts(b, "\n");
    }
}

static void unreadable(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;
    int with_input = inputs_read(x) > 1;

    if (x->nnotes == 0)
        return;
    lht_sb_puts(b, with_input ? "### Could not be read\n\n| Input | Member | Line | Problem |\n|---|---|---|---|\n"
                              : "### Could not be read\n\n| Member | Line | Problem |\n|---|---|---|\n");
    for (i = 0; i < x->nnotes; i++) {
        lht_sb_puts(b, "| ");
        if (with_input) {
            lht_md_cell(b, x->notes[i].input);
            lht_sb_puts(b, " | ");
        }
        lht_md_cell(b, x->notes[i].member);
        lht_sb_printf(b, " | %lld | ", x->notes[i].has_line ? x->notes[i].line : 0);
        lht_md_cell(b, x->notes[i].message);
        lht_sb_puts(b, " |\n");
    }
    lht_sb_puts(b, "\n");
}

void lht_md_report(const struct lht_report_model *m, struct lht_sb *out)
{
    size_t i, k;

    lht_sb_printf(out, "# lhtriage findings report\n\nGenerated by lhtriage %s from %zu case%s (%zu input%s).\n\n",
                  m->version, m->ncases, m->ncases == 1 ? "" : "s", m->ninputs, m->ninputs == 1 ? "" : "s");
    if (m->ncases > 1) {
        fleet_signatures(m, out);
        fleet_cases(m, out);
    }
    for (i = 0; i < m->ncases; i++) {
        const struct lht_report_case *x = &m->cases[i];
        int with_input = inputs_read(x) > 1;
        case_header(x, out);
        summary(x, out);
        for (k = 0; k < x->nfindings; k++)
            finding(&x->findings[k], k + 1, with_input, out);
        checked(x, out);
        unreadable(x, out);
    }
}
