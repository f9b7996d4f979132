/*
 * derive.c - what the report model works out from the rows model.c read:
 * each finding's evidence once (one item per distinct fact, with all its
 * sources, grouped by the member it was first read from), its next steps
 * as sentences and commands, its one-line verdict (the subject, the
 * volumes its node mounts, their PVCs, pods and workloads, why it is as
 * sure as it says, the fix), and the case's anomalies no finding
 * explains.
 *
 * Everything here is plain C over model structs (no SQL), so the
 * renderers agree because they format the same derived data, and a count
 * in the report always agrees with the rows it counts.
 */
#include "report/model_private.h"

#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *last_part(const char *path)
{
    const char *p, *cut = path;

    if (path == NULL)
        return NULL;
    for (p = path; *p; p++)
        if ((*p == '/' || *p == '!') && p[1])
            cut = p + 1;
    return cut;
}

/* ---- evidence once ------------------------------------------------------ */

struct pending {
    struct lht_report_item it;
    struct lht_rm_vec sources;   /* struct lht_report_source */
    struct lht_rm_vec signals;   /* const char * */
};

/* The matched text is worth its own mention only when it says more than
 * the fact text and fits on one line. */
static int says_more(const struct lht_report_evidence *e)
{
    return e->matched && e->matched[0] && (e->text == NULL || strcmp(e->matched, e->text) != 0) &&
           strchr(e->matched, '\n') == NULL;
}

static int add_source(struct pending *p, const struct lht_report_evidence *e)
{
    const struct lht_report_source *s = (const struct lht_report_source *)p->sources.p;
    struct lht_report_source src = {e->input, e->member, e->line, e->has_line};
    size_t i;

    for (i = 0; i < p->sources.n; i++)
        if (same(s[i].input, e->input) && same(s[i].member, e->member) && s[i].has_line == e->has_line &&
            s[i].line == e->line)
            return LHT_OK;
    return lht_rm_vec_add(&p->sources, &src);
}

/* Fold e into the pending item with its fact and text, or a new one. */
static int take(struct lht_rm_vec *items, const struct lht_report_evidence *e)
{
    struct pending *p = (struct pending *)items->p, fresh;
    const char *text = e->text ? e->text : e->matched ? e->matched : "";
    size_t i;
    int rc;

    for (i = 0; i < items->n; i++)
        if (same(p[i].it.fact, e->fact) && strcmp(p[i].it.text, text) == 0)
            break;
    if (i == items->n) {
        memset(&fresh, 0, sizeof fresh);
        fresh.it.fact = e->fact;
        fresh.it.role = "supporting";
        fresh.it.text = text;
        fresh.sources = (struct lht_rm_vec)LHT_RM_VEC(struct lht_report_source);
        fresh.signals = (struct lht_rm_vec)LHT_RM_VEC(const char *);
        if ((rc = lht_rm_vec_add(items, &fresh)) != LHT_OK)
            return rc;
        p = (struct pending *)items->p;
    }
    p += i;
    if (same(e->role, "required"))
        p->it.role = "required";
    if (p->it.matched == NULL && says_more(e))
        p->it.matched = e->matched;
    if (p->it.captures == NULL)
        p->it.captures = e->captures;
    if ((rc = add_source(p, e)) != LHT_OK)
        return rc;
    return lht_rm_strs_add_unique(&p->signals, e->signal);
}

static long long first_line(const struct lht_report_item *it)
{
    return it->sources[0].has_line ? it->sources[0].line : 0;
}

static int first_in(const struct lht_report_item *it, const char *input, const char *member)
{
    return same(it->sources[0].input, input) && same(it->sources[0].member, member);
}

/* Items into groups: members in the order their first item came, items
 * of a member by line (equal lines in arrival order). done[] marks the
 * items placed. */
static int group(struct lht_rm_build *b, const struct pending *p, size_t n, struct lht_report_finding *f)
{
    struct lht_report_item *items = lht_rm_alloc(b, n * sizeof *items);
    struct lht_report_group *groups = lht_rm_alloc(b, n * sizeof *groups);
    char *done = calloc(n, 1);
    size_t i, j, k = 0, ng = 0;

    if (items == NULL || groups == NULL || done == NULL) {
        free(done);
        return LHT_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        const struct lht_report_source *s0 = p[i].it.sources;
        size_t start = k;
        if (done[i])
            continue;
        for (j = i; j < n; j++) {
            size_t at;
            if (done[j] || !first_in(&p[j].it, s0->input, s0->member))
                continue;
            for (at = k; at > start && first_line(&p[j].it) < first_line(&items[at - 1]); at--)
                items[at] = items[at - 1];
            items[at] = p[j].it;
            done[j] = 1;
            k++;
        }
        groups[ng++] = (struct lht_report_group){s0->input, s0->member, &items[start], k - start};
    }
    free(done);
    f->groups = groups;
    f->ngroups = ng;
    return LHT_OK;
}

static int evidence_once(struct lht_rm_build *b, struct lht_report_finding *f)
{
    struct lht_rm_vec items = LHT_RM_VEC(struct pending);
    struct pending *p;
    size_t i;
    int rc = LHT_OK;

    for (i = 0; i < f->nevidence && rc == LHT_OK; i++)
        rc = take(&items, &f->evidence[i]);
    p = (struct pending *)items.p;
    for (i = 0; i < items.n; i++) {
        size_t ns = p[i].sources.n;
        if (lht_rm_vec_finish(b, &p[i].sources, &p[i].it.sources) != LHT_OK ||
            lht_rm_strs_finish(b, &p[i].signals, &p[i].it.signals) != LHT_OK)
            rc = LHT_ENOMEM;
        p[i].it.nsources = ns;
    }
    if (rc == LHT_OK && items.n > 0)
        rc = group(b, p, items.n, f);
    free(items.p);
    return rc;
}

/* ---- next steps --------------------------------------------------------- */

/* next_steps is rule text: a sentence at the margin, then the commands it
 * asks for indented under it. Each sentence and its commands is a step. */
static int steps(struct lht_rm_build *b, struct lht_report_finding *f)
{
    struct lht_rm_vec out = LHT_RM_VEC(struct lht_report_step), cmds = LHT_RM_VEC(const char *);
    struct lht_report_step cur = {NULL, {NULL, 0}};
    const char *p = f->next_steps, *nl;
    int rc = LHT_OK, open = 0;

    for (; p && *p && rc == LHT_OK; p = *nl ? nl + 1 : nl) {
        const char *t = p, *line;
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        while (t < nl && (*t == ' ' || *t == '\t'))
            t++;
        if (t == nl)
            continue;
        if ((line = lht_rm_strn(b, t, (size_t)(nl - t))) == NULL) {
            rc = LHT_ENOMEM;
            break;
        }
        if (t > p) {          /* indented: a command of the current step */
            rc = lht_rm_vec_add(&cmds, &line);
            open = 1;
            continue;
        }
        if (open && (rc = lht_rm_strs_finish(b, &cmds, &cur.commands)) == LHT_OK)
            rc = lht_rm_vec_add(&out, &cur);
        cmds = (struct lht_rm_vec)LHT_RM_VEC(const char *);   /* finished: empty again */
        cur = (struct lht_report_step){line, {NULL, 0}};
        open = 1;
    }
    if (rc == LHT_OK && open && (rc = lht_rm_strs_finish(b, &cmds, &cur.commands)) == LHT_OK)
        rc = lht_rm_vec_add(&out, &cur);
    free(cmds.p);
    if (lht_rm_vec_finish(b, &out, &f->steps) != LHT_OK)
        rc = LHT_ENOMEM;
    f->nsteps = rc == LHT_OK ? out.n : 0;
    return rc;
}

/* ---- the verdict -------------------------------------------------------- */

static int holds(const struct lht_report_strs *s, const char *v)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (same(s->v[i], v))
            return 1;
    return 0;
}

/* "a/b" in the arena (b alone when a is NULL). */
static const char *joined(struct lht_rm_build *b, const char *a, const char *sep, const char *c)
{
    struct lht_sb t = LHT_SB_INIT;
    const char *out;

    lht_sb_printf(&t, "%s%s%s", a ? a : "", a ? sep : "", c);
    out = t.oom ? NULL : lht_rm_str(b, lht_sb_str(&t));
    lht_sb_free(&t);
    return out;
}

/* "ReplicaSet default/writer-7d9c5b6f4" from the pod's owner "Kind/name". */
static const char *workload(struct lht_rm_build *b, const struct lht_report_pod *p)
{
    const char *slash = strchr(p->workload, '/');
    struct lht_sb t = LHT_SB_INIT;
    const char *out;

    if (slash == NULL)
        return joined(b, p->ns, "/", p->workload);
    lht_sb_printf(&t, "%.*s %s%s%s", (int)(slash - p->workload), p->workload, p->ns ? p->ns : "",
                  p->ns ? "/" : "", slash + 1);
    out = t.oom ? NULL : lht_rm_str(b, lht_sb_str(&t));
    lht_sb_free(&t);
    return out;
}

/* The volumes f's node mounts over NFS, their PVCs, and the pods on that
 * node that mount them with their workloads. */
static int volumes_of(struct lht_rm_build *b, const struct lht_report_case *x, struct lht_report_finding *f)
{
    struct lht_rm_vec vols = LHT_RM_VEC(const char *), pvcs = LHT_RM_VEC(const char *);
    struct lht_rm_vec pods = LHT_RM_VEC(const char *), loads = LHT_RM_VEC(const char *);
    size_t i, k;
    int rc = LHT_OK;

    for (i = 0; f->node && i < x->nvolumes && rc == LHT_OK; i++) {
        const struct lht_report_volume *v = &x->volumes[i];
        if (!holds(&v->clients, f->node))
            continue;
        rc = lht_rm_strs_add_unique(&vols, v->name);
        if (rc == LHT_OK && v->pvc)
            rc = lht_rm_strs_add_unique(&pvcs, joined(b, v->pvc_namespace, "/", v->pvc));
        for (k = 0; k < v->npods && rc == LHT_OK; k++) {
            const struct lht_report_pod *p = &v->pods[k];
            if (!same(p->node, f->node))
                continue;
            rc = lht_rm_strs_add_unique(&pods, p->name ? joined(b, p->ns, "/", p->name)
                                                       : joined(b, "uid", " ", p->uid));
            if (rc == LHT_OK && p->workload)
                rc = lht_rm_strs_add_unique(&loads, workload(b, p));
        }
    }
    if (lht_rm_strs_finish(b, &vols, &f->verdict.volumes) != LHT_OK ||
        lht_rm_strs_finish(b, &pvcs, &f->verdict.pvcs) != LHT_OK ||
        lht_rm_strs_finish(b, &pods, &f->verdict.pods) != LHT_OK ||
        lht_rm_strs_finish(b, &loads, &f->verdict.workloads) != LHT_OK)
        rc = LHT_ENOMEM;
    return rc;
}

/* Why the finding is as sure as it says: each required signal once, with
 * where it was first read. */
static int why(struct lht_rm_build *b, struct lht_report_finding *f)
{
    struct lht_rm_vec out = LHT_RM_VEC(const char *), seen = LHT_RM_VEC(const char *);
    struct lht_sb t = LHT_SB_INIT;
    size_t i;
    int rc = LHT_OK;

    for (i = 0; i < f->nevidence && rc == LHT_OK; i++) {
        const struct lht_report_evidence *e = &f->evidence[i];
        const char *s;
        if (!same(e->role, "required") || holds(&(struct lht_report_strs){(const char *const *)seen.p, seen.n},
                                                e->signal))
            continue;
        if ((rc = lht_rm_vec_add(&seen, &e->signal)) != LHT_OK)
            break;
        lht_sb_reset(&t);
        lht_sb_printf(&t, "%s: %s", e->signal, e->fact);
        if (e->member)
            lht_sb_printf(&t, ", %s", last_part(e->member));
        if (e->has_line)
            lht_sb_printf(&t, " line %lld", e->line);
        if (t.oom || (s = lht_rm_str(b, lht_sb_str(&t))) == NULL)
            rc = LHT_ENOMEM;
        else
            rc = lht_rm_vec_add(&out, &s);
    }
    free(seen.p);
    lht_sb_free(&t);
    if (lht_rm_strs_finish(b, &out, &f->verdict.why) != LHT_OK)
        rc = LHT_ENOMEM;
    return rc;
}

/* The name a fix block in the remediation gives its new StorageClass:
 * "kind: StorageClass" ... "  name: X" (the rule's fixes render so). */
static const char *fix_class(const char *r, size_t *len)
{
    const char *k = strstr(r, "kind: StorageClass"), *n;

    if (k == NULL || (n = strstr(k, "\n  name: ")) == NULL)
        return NULL;
    n += strlen("\n  name: ");
    *len = strcspn(n, "\n \"");
    return *len ? n : NULL;
}

/* The remediation's first sentence, without what it says in parentheses
 * or after a colon, lines joined: "Mount the RWX volume with NFSv4.0,
 * which does not take the NFSv4.1 open-stateid wait." */
static int fix(struct lht_rm_build *b, struct lht_report_finding *f)
{
    const char *r = f->remediation, *p, *cls;
    struct lht_sb t = LHT_SB_INIT;
    size_t len = 0;
    int rc = LHT_OK;

    if (r == NULL)
        return LHT_OK;
    for (p = r; *p == ' ' || *p == '\n'; p++)
        ;
    for (; *p && !(p[0] == '\n' && p[1] == '\n'); p++) {
        if (p[0] == ' ' && p[1] == '(') {   /* leave the parenthesis out */
            const char *q = p + 1;
            int depth = 0;
            for (; *q; q++)
                if ((depth += *q == '(' ? 1 : *q == ')' ? -1 : 0) == 0)
                    break;
            if (*q == ')') {
                p = q;
                continue;
            }
        }
        if ((p[0] == '.' || p[0] == ':') && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'))
            break;
        lht_sb_putn(&t, *p == '\n' ? " " : p, 1);
    }
    if (t.len == 0) {
        lht_sb_free(&t);
        return LHT_OK;
    }
    lht_sb_putn(&t, ".", 1);
    if ((cls = fix_class(r, &len)) != NULL)
        lht_sb_printf(&t, " New StorageClass `%.*s` (its YAML is under What to do).", (int)len, cls);
    if (t.oom || (f->verdict.fix = lht_rm_str(b, lht_sb_str(&t))) == NULL)
        rc = LHT_ENOMEM;
    lht_sb_free(&t);
    return rc;
}

int lht_rm_derive_finding(struct lht_rm_build *b, const struct lht_report_case *x, struct lht_report_finding *f)
{
    int rc;

    if ((rc = evidence_once(b, f)) == LHT_OK && (rc = steps(b, f)) == LHT_OK &&
        (rc = volumes_of(b, x, f)) == LHT_OK && (rc = why(b, f)) == LHT_OK)
        rc = fix(b, f);
    return rc == LHT_OK ? LHT_OK : lht_rm_no_memory(b);
}

/* ---- anomalies ---------------------------------------------------------- */

/* A finding explains an anomaly that is its evidence, or whose pid it
 * names on the same node. */
static int explained(const struct lht_report_case *x, const struct lht_report_anomaly *a)
{
    size_t i, k;

    for (i = 0; i < x->nfindings; i++) {
        const struct lht_report_finding *f = &x->findings[i];
        for (k = 0; a->has_pid && k < f->npids; k++)
            if (f->pid_list[k] == a->pid && same(f->node, a->node))
                return 1;
        if (a->has_pid && f->has_pid && f->pid == a->pid && same(f->node, a->node))
            return 1;
        for (k = 0; k < f->nevidence; k++)
            if (same(f->evidence[k].member, a->source.member) && f->evidence[k].has_line &&
                a->source.has_line && f->evidence[k].line == a->source.line)
                return 1;
    }
    return 0;
}

/* The same process, task or message read from several inputs is one
 * anomaly: rows come sorted so that copies are neighbours. */
static int repeats(const struct lht_report_anomaly *a, const struct lht_report_anomaly *prev)
{
    if (prev == NULL || !same(a->kind, prev->kind) || !same(a->node, prev->node))
        return 0;
    if (strcmp(a->kind, "kernel_warning") == 0)
        return same(a->text, prev->text);
    return a->has_pid && prev->has_pid && a->pid == prev->pid;
}

int lht_rm_derive_anomalies(struct lht_rm_build *b, struct lht_report_case *x, struct lht_rm_vec *all)
{
    const struct lht_report_anomaly *a = (const struct lht_report_anomaly *)all->p;
    struct lht_report_anomaly *keep = NULL;
    struct lht_report_anomaly_count *counts = NULL;
    size_t i, n = 0, nc = 0;

    if (all->n == 0)
        return LHT_OK;
    keep = lht_rm_alloc(b, all->n * sizeof *keep);
    counts = lht_rm_alloc(b, 3 * sizeof *counts);
    if (keep == NULL || counts == NULL)
        return lht_rm_no_memory(b);
    for (i = 0; i < all->n; i++) {
        if (repeats(&a[i], i ? &a[i - 1] : NULL) || explained(x, &a[i]))
            continue;
        if (nc == 0 || strcmp(counts[nc - 1].kind, a[i].kind) != 0)
            counts[nc++] = (struct lht_report_anomaly_count){a[i].kind, 0, 0};
        counts[nc - 1].total++;
        if (counts[nc - 1].shown < LHT_REPORT_MAX_ANOMALIES) {
            counts[nc - 1].shown++;
            keep[n++] = a[i];
        }
    }
    x->anomalies = n ? keep : NULL;
    x->nanomalies = n;
    x->anomaly_counts = nc ? counts : NULL;
    x->nanomaly_counts = nc;
    return LHT_OK;
}
