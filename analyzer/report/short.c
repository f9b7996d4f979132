/*
 * short.c - the report in one line per finding, for a ticket's first
 * comment (`lhtriage report --short`), from the model alone.
 *
 * Each line is a markdown list item that also reads as plain text:
 * severity and confidence, the rule, where (node, pid, the command cut
 * short), the volume with its PVC and workload, and the fix. A case no
 * rule fired on is one line too, with what no rule explains. Bundle text
 * goes through the markdown helpers, so it cannot break the comment.
 */
#include "report/render.h"
#include "report/report.h"

#include <string.h>

#define COMMAND_CUT 60   /* bytes of a command line shown */

static void strs(struct lht_sb *b, const struct lht_report_strs *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        lht_sb_puts(b, i ? ", " : "");
        lht_md_code(b, s->v[i], 0);
    }
}

/* The command line cut at a character boundary near COMMAND_CUT. */
static void command(struct lht_sb *b, const char *cmd)
{
    struct lht_sb t = LHT_SB_INIT;
    size_t n = strlen(cmd);

    if (n > COMMAND_CUT) {
        n = COMMAND_CUT;
        while (n > 0 && ((unsigned char)cmd[n] & 0xc0) == 0x80)
            n--;
    }
    lht_sb_putn(&t, cmd, n);
    if (n < strlen(cmd))
        lht_sb_puts(&t, "\xe2\x80\xa6");   /* U+2026 */
    lht_md_code(b, lht_sb_str(&t), 0);
    if (t.oom)
        b->oom = 1;
    lht_sb_free(&t);
}

static void line(const struct lht_report_case *x, const struct lht_report_finding *f, int named,
                 struct lht_sb *b)
{
    const struct lht_report_verdict *v = &f->verdict;
    size_t i;

    lht_sb_puts(b, "- ");
    if (named) {
        lht_md_code(b, x->name, 0);
        lht_sb_puts(b, ": ");
    }
    lht_sb_printf(b, "**%s, %s** ", f->severity, f->confidence);
    lht_md_code(b, f->rule_id, 0);
    lht_sb_puts(b, " on ");
    lht_md_code(b, f->node ? f->node : "unknown node", 0);
    for (i = 0; i < f->npids; i++)
        lht_sb_printf(b, "%s%lld", i ? " " : f->npids == 1 ? " pid " : " pids ", f->pid_list[i]);
    if (v->command) {
        lht_sb_puts(b, " ");
        command(b, v->command);
    }
    if (v->volumes.n) {
        lht_sb_puts(b, ", volume ");
        strs(b, &v->volumes);
    }
    if (v->pvcs.n) {
        lht_sb_puts(b, ", PVC ");
        strs(b, &v->pvcs);
    }
    if (v->workloads.n) {
        lht_sb_puts(b, ", ");
        strs(b, &v->workloads);
    }
    if (v->fix) {
        lht_sb_puts(b, ". Fix: ");
        lht_sb_puts(b, v->fix);   /* rule text, trusted markdown */
    }
    lht_sb_printf(b, " (`lhtriage explain %lld`)\n", f->id);
}

static void quiet_case(const struct lht_report_case *x, struct lht_sb *b)
{
    size_t i;

    lht_sb_puts(b, "- ");
    lht_md_code(b, x->name, 0);
    lht_sb_puts(b, ": no rule fired");
    for (i = 0; i < x->nanomaly_counts; i++)
        lht_sb_printf(b, "%s%zu %s", i ? ", " : "; not explained: ", x->anomaly_counts[i].total,
                      strcmp(x->anomaly_counts[i].kind, "d_state") == 0   ? "D-state"
                      : strcmp(x->anomaly_counts[i].kind, "hung_task") == 0 ? "hung task"
                                                                            : "kernel warning");
    lht_sb_puts(b, "\n");
}

void lht_short_report(const struct lht_report_model *m, struct lht_sb *out)
{
    size_t i, k;

    for (i = 0; i < m->ncases; i++) {
        const struct lht_report_case *x = &m->cases[i];
        if (x->nfindings == 0)
            quiet_case(x, out);
        for (k = 0; k < x->nfindings; k++)
            line(x, &x->findings[k], m->ncases > 1, out);
    }
}
