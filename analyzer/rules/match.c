/*
 * match.c - evaluate rules on one bundle's facts (see match.h).
 *
 * For each rule: enumerate its subjects (each distinct node+pid of the ps
 * rows, each node, or the bundle), evaluate every signal in its scope
 * relative to the subject, pick the first confidence level whose
 * all/none/any conditions hold, and record the finding with the facts
 * that made each signal true. Levels marked `merge: node` fold the
 * subjects of one node into one finding that names all their pids.
 */
#include "rules/match.h"
#include "core/strbuf.h"
#include "core/re.h"
#include "rules/rules_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EV_PER_SIGNAL 4

/* A fact reference: kind + index into its lht_facts array. */
struct ref {
    int kind;
    size_t i;
    size_t mstart, mend;   /* match span in the field text, or 0,0 */
    const char *captures;  /* arena string or NULL */
    const char *matched;   /* arena string or NULL */
};

struct sigres {
    int matched;
    struct ref ev[MAX_EV_PER_SIGNAL];
    int nev;
};

struct pend {
    int level;
    const char *node;
    long pid;
    struct lht_sb pids;
    struct lht_evidence *ev;
    size_t nev, cap;
};

struct lht_matcher {
    const struct lht_ruleset *rs;
    pcre2_match_data *md;
    struct lht_sb field;        /* scratch: joined frames, rendered text */
    struct lht_sb text;         /* scratch: expansions */
    struct sigres *res;     /* per signal of the current rule */
    int nres;
    struct pend *pend;
    size_t npend, cappend;
    size_t *field_obj;      /* k8s field index -> object index */
    size_t nfield_obj;
};

int lht_matcher_new(const struct lht_ruleset *rs, struct lht_matcher **out, lht_err *err)
{
    struct lht_matcher *m = calloc(1, sizeof *m);
    size_t i;
    int most = 0;

    *out = NULL;
    if (m == NULL)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    m->rs = rs;
    for (i = 0; i < rs->n; i++)
        if (rs->rules[i].nsignals > most)
            most = rs->rules[i].nsignals;
    m->res = calloc((size_t)most + 1, sizeof *m->res);
    m->md = pcre2_match_data_create(32, NULL);
    if (m->res == NULL || m->md == NULL) {
        lht_matcher_free(m);
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    }
    *out = m;
    return LHT_OK;
}

void lht_matcher_free(struct lht_matcher *m)
{
    size_t i;

    if (m == NULL)
        return;
    pcre2_match_data_free(m->md);
    free(m->field.p);
    free(m->text.p);
    free(m->res);
    for (i = 0; i < m->cappend; i++) {
        free(m->pend[i].pids.p);
        free(m->pend[i].ev);
    }
    free(m->pend);
    free(m->field_obj);
    free(m);
}

/* ---- fact access ------------------------------------------------------ */

static const char *const fact_kind_names[LHT_FK_COUNT] = {
    "process", "stack", "mount", "hung_task", "kernel_event", "kv", "k8s"};

static size_t fact_count(const struct lht_facts *f, int kind)
{
    size_t n = 0;
    switch (kind) {
    case LHT_FK_PROCESS: (void)lht_facts_processes(f, &n); break;
    case LHT_FK_STACK: (void)lht_facts_stacks(f, &n); break;
    case LHT_FK_MOUNT: (void)lht_facts_mounts(f, &n); break;
    case LHT_FK_HUNG_TASK: (void)lht_facts_hung_tasks(f, &n); break;
    case LHT_FK_KERNEL_EVENT: (void)lht_facts_klogs(f, &n); break;
    case LHT_FK_KV: (void)lht_facts_kvs(f, &n); break;
    case LHT_FK_K8S: (void)lht_facts_fields(f, &n); break;
    }
    return n;
}

static struct lht_prov fact_prov(const struct lht_matcher *m, const struct lht_facts *f, int kind,
                                 size_t i)
{
    size_t n;
    struct lht_prov none = {NULL, NULL, 0};
    switch (kind) {
    case LHT_FK_PROCESS: return lht_facts_processes(f, &n)[i].at;
    case LHT_FK_STACK: return lht_facts_stacks(f, &n)[i].at;
    case LHT_FK_MOUNT: return lht_facts_mounts(f, &n)[i].at;
    case LHT_FK_HUNG_TASK: return lht_facts_hung_tasks(f, &n)[i].at;
    case LHT_FK_KERNEL_EVENT: return lht_facts_klogs(f, &n)[i].at;
    case LHT_FK_KV: return lht_facts_kvs(f, &n)[i].at;
    case LHT_FK_K8S: {
        const struct lht_object *o = lht_facts_objects(f, &n);
        struct lht_prov p = o[m->field_obj[i]].at;
        p.line = lht_facts_fields(f, &n)[i].line;
        return p;
    }
    }
    return none;
}

static long fact_pid(const struct lht_facts *f, int kind, size_t i)
{
    size_t n;
    switch (kind) {
    case LHT_FK_PROCESS: return lht_facts_processes(f, &n)[i].pid;
    case LHT_FK_STACK: return lht_facts_stacks(f, &n)[i].pid;
    case LHT_FK_HUNG_TASK: return lht_facts_hung_tasks(f, &n)[i].pid;
    }
    return -1;
}

static int has_pid(int kind)
{
    return kind == LHT_FK_PROCESS || kind == LHT_FK_STACK || kind == LHT_FK_HUNG_TASK;
}

/* Frames of stack s joined with '\n', innermost first, into m->field. */
static const char *join_frames(struct lht_matcher *m, const struct lht_facts *f, long s)
{
    size_t ns, nfr, j;
    const struct lht_stack *st = lht_facts_stacks(f, &ns);
    const struct lht_frame *fr = lht_facts_frames(f, &nfr);

    m->field.len = 0;
    if (m->field.p)
        m->field.p[0] = '\0';
    if (s < 0 || (size_t)s >= ns)
        return "";
    for (j = 0; j < st[s].nframes && st[s].first + j < nfr; j++) {
        const char *sym = fr[st[s].first + j].symbol;
        if (lht_sb_puts(&m->field, sym ? sym : "?") || lht_sb_puts(&m->field, "\n"))
            return NULL;
    }
    return m->field.p ? m->field.p : "";
}

static const char *const stack_origin_names[] = {"proc", "hung_task", "other"};
static const char *const mount_origin_names[] = {"proc_mounts", "mount", "mountinfo", "nfsstat",
                                                 "findmnt"};

/* Text of one field of one fact; NULL when the fact lacks it. */
static const char *fact_field(struct lht_matcher *m, const struct lht_facts *f, int kind, size_t i,
                              const char *field)
{
    size_t n;
    char num[32];

    switch (kind) {
    case LHT_FK_PROCESS: {
        const struct lht_process *p = &lht_facts_processes(f, &n)[i];
        if (strcmp(field, "stat") == 0) return p->stat;
        if (strcmp(field, "command") == 0) return p->command;
        if (strcmp(field, "user") == 0) return p->user;
        if (strcmp(field, "wchan") == 0) return p->wchan;
        if (strcmp(field, "pid") == 0) {
            snprintf(num, sizeof num, "%ld", p->pid);
            m->field.len = 0;
            return lht_sb_puts(&m->field, num) ? NULL : m->field.p;
        }
        return NULL;
    }
    case LHT_FK_STACK: {
        const struct lht_stack *s = &lht_facts_stacks(f, &n)[i];
        if (strcmp(field, "frames") == 0) return join_frames(m, f, (long)i);
        if (strcmp(field, "origin") == 0) return stack_origin_names[(unsigned)s->origin < 3 ? s->origin : 2];
        if (strcmp(field, "comm") == 0) return s->comm;
        return NULL;
    }
    case LHT_FK_MOUNT: {
        const struct lht_mount *mo = &lht_facts_mounts(f, &n)[i];
        if (strcmp(field, "source") == 0) return mo->source;
        if (strcmp(field, "target") == 0) return mo->target;
        if (strcmp(field, "fstype") == 0) return mo->fstype;
        if (strcmp(field, "options") == 0) return mo->options;
        if (strcmp(field, "nfs_vers") == 0) return mo->nfs_vers;
        if (strcmp(field, "origin") == 0) return mount_origin_names[(unsigned)mo->origin < 5 ? mo->origin : 0];
        return NULL;
    }
    case LHT_FK_HUNG_TASK: {
        const struct lht_hung_task *h = &lht_facts_hung_tasks(f, &n)[i];
        if (strcmp(field, "task") == 0) return h->task;
        if (strcmp(field, "frames") == 0) return join_frames(m, f, h->stack);
        return NULL;
    }
    case LHT_FK_KERNEL_EVENT: {
        const struct lht_klog *k = &lht_facts_klogs(f, &n)[i];
        if (strcmp(field, "kind") == 0) return k->kind;
        if (strcmp(field, "text") == 0) return k->text;
        if (strcmp(field, "server") == 0) return k->server;
        return NULL;
    }
    case LHT_FK_KV: {
        const struct lht_kv *kv = &lht_facts_kvs(f, &n)[i];
        return strcmp(kv->key, field) == 0 ? kv->value : NULL;
    }
    case LHT_FK_K8S: {
        const struct lht_field *fl = &lht_facts_fields(f, &n)[i];
        const struct lht_object *o = &lht_facts_objects(f, &n)[m->field_obj[i]];
        const char *dot = strchr(field, '.');
        size_t kl = dot ? (size_t)(dot - field) : strlen(field);
        if (dot == NULL || o->kind == NULL || strlen(o->kind) != kl ||
            strncmp(o->kind, field, kl) != 0 || fl->path == NULL || strcmp(fl->path, dot + 1) != 0)
            return NULL;
        return fl->value;
    }
    }
    return NULL;
}

/* One line of text standing for the fact, for evidence and reports. */
static const char *render(struct lht_matcher *m, const struct lht_facts *f, int kind, size_t i)
{
    size_t n;
    struct lht_sb *b = &m->text;

    b->len = 0;
    switch (kind) {
    case LHT_FK_PROCESS: {
        const struct lht_process *p = &lht_facts_processes(f, &n)[i];
        lht_sb_printf(b, "%s %ld %s %s", p->user ? p->user : "-", p->pid, p->stat ? p->stat : "-",
                  p->command ? p->command : "");
        break;
    }
    case LHT_FK_STACK: {
        const struct lht_stack *s = &lht_facts_stacks(f, &n)[i];
        size_t nfr, j;
        const struct lht_frame *fr = lht_facts_frames(f, &nfr);
        for (j = 0; j < s->nframes && s->first + j < nfr; j++) {
            const struct lht_frame *x = &fr[s->first + j];
            lht_sb_printf(b, "%s%s%s%s%s%s%s\n", x->uncertain ? "? " : "", x->symbol ? x->symbol : "?",
                      x->offset ? "+" : "", x->offset ? x->offset : "", x->module ? " [" : "",
                      x->module ? x->module : "", x->module ? "]" : "");
        }
        break;
    }
    case LHT_FK_MOUNT: {
        const struct lht_mount *mo = &lht_facts_mounts(f, &n)[i];
        lht_sb_printf(b, "%s on %s type %s (%s)", mo->source ? mo->source : "?",
                  mo->target ? mo->target : "?", mo->fstype ? mo->fstype : "?",
                  mo->options ? mo->options : "");
        break;
    }
    case LHT_FK_HUNG_TASK: {
        const struct lht_hung_task *h = &lht_facts_hung_tasks(f, &n)[i];
        lht_sb_printf(b, "INFO: task %s:%ld blocked for more than %ld seconds.", h->task ? h->task : "?",
                  h->pid, h->blocked_seconds);
        break;
    }
    case LHT_FK_KERNEL_EVENT: {
        const struct lht_klog *k = &lht_facts_klogs(f, &n)[i];
        lht_sb_printf(b, "%s%s%s", k->when ? k->when : "", k->when ? " " : "", k->text ? k->text : "");
        break;
    }
    case LHT_FK_KV: {
        const struct lht_kv *kv = &lht_facts_kvs(f, &n)[i];
        lht_sb_printf(b, "%s: %s", kv->key, kv->value ? kv->value : "");
        break;
    }
    case LHT_FK_K8S: {
        const struct lht_field *fl = &lht_facts_fields(f, &n)[i];
        const struct lht_object *o = &lht_facts_objects(f, &n)[m->field_obj[i]];
        lht_sb_printf(b, "%s/%s %s: %s", o->kind ? o->kind : "?", o->name ? o->name : "?",
                  fl->path ? fl->path : "?", fl->value ? fl->value : "");
        break;
    }
    }
    return b->p ? b->p : "";
}

static int node_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* ---- signals ---------------------------------------------------------- */

struct subject {
    const char *node;
    long pid;           /* -1 unless a process subject */
    const char *same;   /* sibling key value of the subject (borrowed) */
};

static int vpred_holds(const struct lht_vpred *v, const char *value)
{
    int c;
    if (v->op == LHT_VOP_NONE)
        return 1;
    if (value == NULL || !((value[0] >= '0' && value[0] <= '9') ||
                           ((value[0] == 'v' || value[0] == 'V') && value[1] >= '0' && value[1] <= '9')))
        return 0;
    c = lht_version_cmp(value, v->value);
    switch (v->op) {
    case LHT_VOP_LT: return c < 0;
    case LHT_VOP_LE: return c <= 0;
    case LHT_VOP_EQ: return c == 0;
    case LHT_VOP_NE: return c != 0;
    case LHT_VOP_GE: return c >= 0;
    case LHT_VOP_GT: return c > 0;
    }
    return 0;
}

static int in_scope(const struct lht_rule *r, const struct lht_signal *s, const struct lht_facts *f,
                    size_t i, const struct subject *sub, struct lht_matcher *m)
{
    struct lht_prov at = fact_prov(m, f, s->kind, i);
    long pid = fact_pid(f, s->kind, i);
    int scope = s->scope;

    if (r->subject == LHT_SUBJ_BUNDLE)
        return scope != LHT_SC_SIBLING;
    if (r->subject == LHT_SUBJ_NODE && scope != LHT_SC_BUNDLE)
        scope = LHT_SC_SAME_NODE;
    switch (scope) {
    case LHT_SC_BUNDLE:
        return 1;
    case LHT_SC_SAME_NODE:
        return node_eq(at.node, sub->node);
    case LHT_SC_SUBJECT:
    case LHT_SC_SAME_PID:
        if (!has_pid(s->kind))
            return node_eq(at.node, sub->node);
        /* A paste without a prompt has no node: its pid still ties it to
         * the subject (the evidence shows both, so the engineer sees it). */
        return pid == sub->pid && (at.node == NULL || sub->node == NULL || node_eq(at.node, sub->node));
    case LHT_SC_SIBLING: {
        const char *v;
        if (!node_eq(at.node, sub->node) || pid == sub->pid || sub->same == NULL)
            return 0;
        v = fact_field(m, f, LHT_FK_PROCESS, i, s->same);
        return v != NULL && strcmp(v, sub->same) == 0;
    }
    }
    return 0;
}

static const char *captures_of(struct lht_matcher *m, const struct lht_signal *s, const char *subj,
                               struct lht_facts *f)
{
    uint32_t count, size, k;
    PCRE2_SPTR table;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    struct lht_sb b = LHT_SB_INIT;
    const char *out;

    if (pcre2_pattern_info(s->re, PCRE2_INFO_NAMECOUNT, &count) != 0 || count == 0)
        return NULL;
    pcre2_pattern_info(s->re, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(s->re, PCRE2_INFO_NAMETABLE, &table);
    for (k = 0; k < count; k++) {
        const unsigned char *e = table + k * size;
        int num = (e[0] << 8) | e[1];
        if ((uint32_t)num >= pcre2_get_ovector_count(m->md) || ov[2 * num] == PCRE2_UNSET)
            continue;
        if (b.len)
            lht_sb_puts(&b, "; ");
        lht_sb_printf(&b, "%s=", (const char *)e + 2);
        lht_sb_putn(&b, subj + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
    }
    out = b.p ? lht_facts_strz(f, b.p) : NULL;
    free(b.p);
    return out;
}

static int eval_signal(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s,
                       struct lht_facts *f, const struct subject *sub, struct sigres *res)
{
    size_t n = fact_count(f, s->kind), i;

    res->matched = 0;
    res->nev = 0;
    for (i = 0; i < n; i++) {
        const char *v;
        struct ref *ref;
        if (!in_scope(r, s, f, i, sub, m))
            continue;
        if (s->origins && s->kind == LHT_FK_STACK) {
            size_t ns;
            unsigned o = (unsigned)lht_facts_stacks(f, &ns)[i].origin;
            if (!(s->origins & (1u << o)))
                continue;
        }
        v = fact_field(m, f, s->kind, i, s->field);
        if (v == NULL)
            continue;
        if (!vpred_holds(&s->ver, v))
            continue;
        if (s->re) {
            int rc = pcre2_match(s->re, (PCRE2_SPTR)v, strlen(v), 0, 0, m->md, lht_re_mctx());
            if (rc == PCRE2_ERROR_NOMATCH)
                continue;
            if (rc < 0) {
                struct lht_prov at = fact_prov(m, f, s->kind, i);
                if (lht_facts_note(f, &at, "rule %s: signal %s: pattern gave up on this text (PCRE2 error %d)",
                                       r->id, s->name, rc) != LHT_OK)
                    return LHT_ENOMEM;
                continue;
            }
        }
        res->matched = 1;
        if (res->nev >= MAX_EV_PER_SIGNAL)
            continue;
        ref = &res->ev[res->nev++];
        memset(ref, 0, sizeof *ref);
        ref->kind = s->kind;
        ref->i = i;
        if (s->re) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            ref->mstart = ov[0];
            ref->mend = ov[1];
            ref->matched = lht_facts_str(f, v + ov[0], ov[1] - ov[0]);
            ref->captures = captures_of(m, s, v, f);
        } else {
            ref->matched = lht_facts_strz(f, v);
        }
    }
    return LHT_OK;
}

static int cond_holds(const struct lht_cond *c, const struct sigres *res)
{
    int i, any = c->nany == 0;

    for (i = 0; i < c->nall; i++)
        if (!res[c->all[i]].matched)
            return 0;
    for (i = 0; i < c->nnone; i++)
        if (res[c->none[i]].matched)
            return 0;
    for (i = 0; i < c->nany; i++)
        if (res[c->any[i]].matched)
            any = 1;
    return any;
}

/* ---- findings --------------------------------------------------------- */

static struct pend *pend_for(struct lht_matcher *m, int level, const char *node, long pid, int merge)
{
    size_t i;
    struct pend *p;

    if (merge)
        for (i = 0; i < m->npend; i++)
            if (m->pend[i].level == level && node_eq(m->pend[i].node, node))
                return &m->pend[i];
    if (m->npend == m->cappend) {
        size_t cap = m->cappend ? m->cappend * 2 : 8;
        struct pend *np = realloc(m->pend, cap * sizeof *np);
        if (np == NULL)
            return NULL;
        memset(np + m->cappend, 0, (cap - m->cappend) * sizeof *np);
        m->pend = np;
        m->cappend = cap;
    }
    p = &m->pend[m->npend++];
    p->level = level;
    p->node = node;
    p->pid = pid;
    p->pids.len = 0;
    if (p->pids.p)
        p->pids.p[0] = '\0';
    p->nev = 0;
    return p;
}

static int pend_add_ev(struct pend *p, const struct lht_evidence *e)
{
    size_t i;
    /* a fact is cited once per signal (merged subjects may repeat it) */
    for (i = 0; i < p->nev; i++)
        if (p->ev[i].at.member == e->at.member && p->ev[i].at.line == e->at.line &&
            strcmp(p->ev[i].fact, e->fact) == 0 && strcmp(p->ev[i].signal, e->signal) == 0)
            return 0;
    if (p->nev == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct lht_evidence *ne = realloc(p->ev, cap * sizeof *ne);
        if (ne == NULL)
            return -1;
        p->ev = ne;
        p->cap = cap;
    }
    p->ev[p->nev++] = *e;
    return 0;
}

static int collect(struct lht_matcher *m, struct lht_facts *f, struct pend *p,
                   const struct lht_rule *r, int sig, int role)
{
    struct sigres *res = &m->res[sig];
    int k;

    for (k = 0; k < res->nev; k++) {
        struct lht_evidence e;
        const struct ref *ref = &res->ev[k];
        e.at = fact_prov(m, f, ref->kind, ref->i);
        e.signal = r->signals[sig].name;
        e.fact = fact_kind_names[ref->kind];
        e.text = lht_facts_strz(f, render(m, f, ref->kind, ref->i));
        e.matched = ref->matched;
        e.captures = ref->captures;
        e.role = role;
        /* For a stack, point at the frame where the match starts. */
        if ((ref->kind == LHT_FK_STACK || ref->kind == LHT_FK_HUNG_TASK) && ref->mend > 0) {
            size_t ns, nfr;
            long si = ref->kind == LHT_FK_STACK ? (long)ref->i : lht_facts_hung_tasks(f, &ns)[ref->i].stack;
            const struct lht_stack *st = lht_facts_stacks(f, &ns);
            const struct lht_frame *fr = lht_facts_frames(f, &nfr);
            const char *joined = join_frames(m, f, si);
            size_t depth = 0, c;
            for (c = 0; joined && c < ref->mstart && joined[c]; c++)
                depth += joined[c] == '\n';
            if (si >= 0 && (size_t)si < ns && depth < st[si].nframes && st[si].first + depth < nfr)
                e.at.line = fr[st[si].first + depth].line;
        }
        if (e.text == NULL || pend_add_ev(p, &e) != 0)
            return LHT_ENOMEM;
    }
    return LHT_OK;
}

/* {storageclass_fix}: the customer's own Longhorn StorageClass(es), as a
 * new StorageClass with nfsOptions pinned to vers=4.0 (parameters of an
 * existing StorageClass cannot be edited in place). */
static void yaml_quote(struct lht_sb *b, const char *v)
{
    lht_sb_puts(b, "\"");
    for (; v && *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\')
            lht_sb_printf(b, "\\%c", c);
        /* a backtick could close the markdown fence the YAML is shown in */
        else if (c < 0x20 || c == 0x7f || c == '`')
            lht_sb_printf(b, "\\x%02x", c);
        else
            lht_sb_putn(b, v, 1);
    }
    lht_sb_puts(b, "\"");
}

static void nfs40_options(struct lht_sb *b, const char *opts)
{
    const char *p = opts;
    int first = 1;

    lht_sb_puts(b, "vers=4.0");
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len && strncmp(p, "vers=", 5) != 0 && strncmp(p, "nfsvers=", 8) != 0 &&
            strncmp(p, "minorversion=", 13) != 0) {
            lht_sb_puts(b, ",");
            lht_sb_putn(b, p, len);
        }
        first = 0;
        p = comma ? comma + 1 : NULL;
    }
    (void)first;
    if (opts == NULL)
        lht_sb_puts(b, ",noresvport,softerr,timeo=600,retrans=5");
}

static void storageclass_fix(struct lht_matcher *m, const struct lht_facts *f, struct lht_sb *out)
{
    size_t no, nf, i, j;
    const struct lht_object *o = lht_facts_objects(f, &no);
    const struct lht_field *fl = lht_facts_fields(f, &nf);
    int emitted = 0;

    (void)m;
    for (i = 0; i < no; i++) {
        const char *prov = NULL, *nfsopt = NULL;
        int has_nfsopt = 0;
        if (o[i].kind == NULL || strcmp(o[i].kind, "StorageClass") != 0)
            continue;
        for (j = 0; j < o[i].nfields && o[i].first + j < nf; j++) {
            const struct lht_field *x = &fl[o[i].first + j];
            if (x->path && strcmp(x->path, "provisioner") == 0)
                prov = x->value;
            if (x->path && strcmp(x->path, "parameters.nfsOptions") == 0) {
                nfsopt = x->value;
                has_nfsopt = 1;
            }
        }
        if (prov == NULL || strcmp(prov, "driver.longhorn.io") != 0)
            continue;
        /* Only classes that can make RWX volumes on NFSv4.1+: those with
         * nfsOptions not already at 4.0, or none when no class has any. */
        if (has_nfsopt && nfsopt && (strstr(nfsopt, "vers=4.0") || strstr(nfsopt, "vers=4,")))
            continue;
        if (!has_nfsopt)
            continue;
        lht_sb_printf(out, "%skind: StorageClass\napiVersion: storage.k8s.io/v1\nmetadata:\n  name: ",
                  emitted ? "---\n" : "");
        lht_sb_puts(out, o[i].name ? o[i].name : "longhorn-rwx");
        lht_sb_puts(out, "-nfs40\nprovisioner: driver.longhorn.io\n");
        for (j = 0; j < o[i].nfields && o[i].first + j < nf; j++) {
            const struct lht_field *x = &fl[o[i].first + j];
            if (x->path && strcmp(x->path, "allowVolumeExpansion") == 0 && x->value &&
                (strcmp(x->value, "true") == 0 || strcmp(x->value, "false") == 0)) {
                /* a boolean, not a string, or the API server rejects the class */
                lht_sb_printf(out, "allowVolumeExpansion: %s\n", x->value);
            } else if (x->path && (strcmp(x->path, "reclaimPolicy") == 0 ||
                                   strcmp(x->path, "volumeBindingMode") == 0)) {
                lht_sb_printf(out, "%s: ", x->path);
                yaml_quote(out, x->value);
                lht_sb_puts(out, "\n");
            }
        }
        lht_sb_puts(out, "parameters:\n");
        for (j = 0; j < o[i].nfields && o[i].first + j < nf; j++) {
            const struct lht_field *x = &fl[o[i].first + j];
            if (x->path == NULL || strncmp(x->path, "parameters.", 11) != 0)
                continue;
            lht_sb_printf(out, "  %s: ", x->path + 11);
            if (strcmp(x->path, "parameters.nfsOptions") == 0) {
                struct lht_sb v = LHT_SB_INIT;
                nfs40_options(&v, x->value);
                yaml_quote(out, v.p);
                free(v.p);
            } else {
                yaml_quote(out, x->value);
            }
            lht_sb_puts(out, "\n");
        }
        emitted = 1;
    }
    if (!emitted)
        lht_sb_puts(out, "kind: StorageClass\napiVersion: storage.k8s.io/v1\nmetadata:\n"
                     "  name: longhorn-rwx-nfs40\nprovisioner: driver.longhorn.io\n"
                     "allowVolumeExpansion: true\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate\n"
                     "parameters:\n  numberOfReplicas: \"3\"\n  staleReplicaTimeout: \"2880\"\n"
                     "  fsType: \"ext4\"\n  nfsOptions: \"vers=4.0,noresvport,softerr,timeo=600,retrans=5\"\n");
}

/* Values spliced into rule text come from the bundle: keep them to the
 * characters of versions, node names and pid lists, so no value can carry
 * markup into a report. */
static void put_safe(struct lht_sb *out, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 strchr("._:+/@ ,=-", c) != NULL;
        lht_sb_putn(out, ok ? v : "?", 1);
    }
}

/* Expand {placeholders}; lines holding {pid} repeat once per pid. */
static const char *expand(struct lht_matcher *m, struct lht_facts *f, const char *tmpl,
                          const struct pend *p)
{
    struct lht_sb out = LHT_SB_INIT;
    const char *line = tmpl, *res;

    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        int per_pid = memmem(line, len, "{pid}", 5) != NULL;
        const char *pids = p->pids.p ? p->pids.p : "";
        const char *pp = pids;
        do {
            char pidbuf[32] = "";
            const char *s, *e = line + len;
            if (per_pid) {
                size_t k = 0;
                while (*pp == ' ')
                    pp++;
                while (*pp && *pp != ' ' && k + 1 < sizeof pidbuf)
                    pidbuf[k++] = *pp++;
                pidbuf[k] = '\0';
                if (k == 0)
                    break;
            }
            for (s = line; s < e;) {
                const char *open = memchr(s, '{', (size_t)(e - s));
                const char *close = open ? memchr(open, '}', (size_t)(e - open)) : NULL;
                char key[64];
                const char *val = NULL;
                if (open == NULL || close == NULL || (size_t)(close - open) >= sizeof key) {
                    lht_sb_putn(&out, s, (size_t)(e - s));
                    break;
                }
                lht_sb_putn(&out, s, (size_t)(open - s));
                memcpy(key, open + 1, (size_t)(close - open - 1));
                key[close - open - 1] = '\0';
                if (strcmp(key, "pid") == 0)
                    val = pidbuf;
                else if (strcmp(key, "pids") == 0)
                    val = pids;
                else if (strcmp(key, "node") == 0)
                    val = p->node ? p->node : "<node>";
                else if (strcmp(key, "storageclass_fix") == 0) {
                    struct lht_sb sc = LHT_SB_INIT;
                    storageclass_fix(m, f, &sc);
                    /* the template's own line end follows the placeholder */
                    if (sc.len > 0 && sc.p[sc.len - 1] == '\n')
                        sc.p[--sc.len] = '\0';
                    lht_sb_puts(&out, sc.p ? sc.p : "");
                    free(sc.p);
                    val = "";
                } else if ((val = lht_facts_kv_get(f, p->node, key)) == NULL &&
                           (val = lht_facts_kv_get(f, NULL, key)) == NULL) {
                    /* a fact the bundle does not have: say so, do not leak the template */
                    val = strspn(key, "abcdefghijklmnopqrstuvwxyz_") == strlen(key) ? "unknown" : NULL;
                }
                if (val)
                    put_safe(&out, val);
                else
                    lht_sb_putn(&out, open, (size_t)(close - open + 1));
                s = close + 1;
            }
        } while (per_pid && *pp);
        line = nl ? nl + 1 : NULL;
    }
    res = out.p ? lht_facts_strz(f, out.p) : lht_facts_strz(f, "");
    free(out.p);
    return res;
}

static const char *choose_remedy(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f,
                                 const struct pend *p)
{
    int i;

    for (i = 0; i < r->nremedies; i++) {
        const struct lht_remedy *rm = &r->remedies[i];
        if (rm->key) {
            const char *v = lht_facts_kv_get(f, p->node, rm->key);
            if (v == NULL)
                v = lht_facts_kv_get(f, NULL, rm->key);
            if (v == NULL || !vpred_holds(&rm->ver, v))
                continue;
        }
        return expand(m, f, rm->text, p);
    }
    return NULL;
}

static int flush(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    size_t i, k;

    for (i = 0; i < m->npend; i++) {
        struct pend *p = &m->pend[i];
        struct lht_finding fi;
        memset(&fi, 0, sizeof fi);
        fi.rule_id = r->id;
        fi.title = r->title;
        fi.severity = r->severity;
        fi.confidence = r->levels[p->level].name;
        fi.node = p->node;
        fi.pid = p->pid;
        fi.pids = p->pids.p && p->pids.p[0] ? lht_facts_strz(f, p->pids.p) : NULL;
        fi.remediation = choose_remedy(m, r, f, p);
        /* Next steps matter when the evidence is not yet conclusive. */
        fi.next_steps = r->next_steps && p->level > 0 ? expand(m, f, r->next_steps, p) : NULL;
        if (r->nrefs > 0) {
            struct lht_sb refs = LHT_SB_INIT;
            int k2;
            for (k2 = 0; k2 < r->nrefs; k2++)
                lht_sb_printf(&refs, "%s%s", k2 ? "\n" : "", r->refs[k2]);
            fi.refs = lht_facts_strz(f, lht_sb_str(&refs));
            lht_sb_free(&refs);
        }
        if (lht_facts_add_finding(f, &fi) != LHT_OK)
            return LHT_ENOMEM;
        for (k = 0; k < p->nev; k++)
            if (lht_facts_add_evidence(f, &p->ev[k]) != LHT_OK)
                return LHT_ENOMEM;
    }
    m->npend = 0;
    return LHT_OK;
}

static int eval_subject(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f,
                        const struct subject *sub)
{
    int s, lv, k, rc;
    struct pend *p;

    for (s = 0; s < r->nsignals; s++)
        if ((rc = eval_signal(m, r, &r->signals[s], f, sub, &m->res[s])) != LHT_OK)
            return rc;
    for (lv = 0; lv < r->nlevels; lv++)
        if (cond_holds(&r->levels[lv].cond, m->res))
            break;
    if (lv == r->nlevels)
        return LHT_OK;
    p = pend_for(m, lv, sub->node, sub->pid, r->levels[lv].merge_node);
    if (p == NULL)
        return LHT_ENOMEM;
    if (sub->pid >= 0 && lht_sb_printf(&p->pids, "%s%ld", p->pids.len ? " " : "", sub->pid) != 0)
        return LHT_ENOMEM;
    for (k = 0; k < r->levels[lv].cond.nall; k++)
        if ((rc = collect(m, f, p, r, r->levels[lv].cond.all[k], 0)) != LHT_OK)
            return rc;
    for (k = 0; k < r->levels[lv].cond.nany; k++)
        if ((rc = collect(m, f, p, r, r->levels[lv].cond.any[k], 0)) != LHT_OK)
            return rc;
    for (k = 0; k < r->nraises; k++)
        if ((rc = collect(m, f, p, r, r->raises[k], 1)) != LHT_OK)
            return rc;
    return LHT_OK;
}

static int index_fields(struct lht_matcher *m, const struct lht_facts *f)
{
    size_t no, nf, i, j;
    const struct lht_object *o = lht_facts_objects(f, &no);

    (void)lht_facts_fields(f, &nf);
    free(m->field_obj);
    m->field_obj = calloc(nf + 1, sizeof *m->field_obj);
    if (m->field_obj == NULL)
        return LHT_ENOMEM;
    for (i = 0; i < no; i++)
        for (j = 0; j < o[i].nfields && o[i].first + j < nf; j++)
            m->field_obj[o[i].first + j] = i;
    m->nfield_obj = nf;
    return LHT_OK;
}

static int run_rule(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    size_t n, i, j;
    int rc = LHT_OK;
    struct subject sub;

    m->npend = 0;
    if (r->subject == LHT_SUBJ_BUNDLE) {
        sub.node = NULL;
        sub.pid = -1;
        sub.same = NULL;
        rc = eval_subject(m, r, f, &sub);
    } else if (r->subject == LHT_SUBJ_PROCESS) {
        const struct lht_process *p = lht_facts_processes(f, &n);
        const char *same = NULL;
        for (i = 0; i < (size_t)r->nsignals; i++)
            if (r->signals[i].scope == LHT_SC_SIBLING)
                same = r->signals[i].same;
        for (i = 0; i < n && rc == LHT_OK; i++) {
            /* each node+pid once, at its first row */
            for (j = 0; j < i; j++)
                if (p[j].pid == p[i].pid && node_eq(p[j].at.node, p[i].at.node))
                    break;
            if (j < i)
                continue;
            sub.node = p[i].at.node;
            sub.pid = p[i].pid;
            sub.same = same ? fact_field(m, f, LHT_FK_PROCESS, i, same) : NULL;
            rc = eval_subject(m, r, f, &sub);
        }
    } else {
        /* every node any fact names, plus "no node" */
        static const int kinds[] = {LHT_FK_PROCESS, LHT_FK_STACK, LHT_FK_MOUNT, LHT_FK_HUNG_TASK,
                                    LHT_FK_KERNEL_EVENT};
        const char **nodes = NULL;
        size_t nn = 0, cap = 0, k;
        for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            size_t cnt = fact_count(f, kinds[k]);
            for (i = 0; i < cnt; i++) {
                const char *nd = fact_prov(m, f, kinds[k], i).node;
                for (j = 0; j < nn; j++)
                    if (node_eq(nodes[j], nd))
                        break;
                if (j < nn)
                    continue;
                if (nn == cap) {
                    const char **nv = realloc(nodes, (cap = cap ? cap * 2 : 8) * sizeof *nodes);
                    if (nv == NULL) {
                        free(nodes);
                        return LHT_ENOMEM;
                    }
                    nodes = nv;
                }
                nodes[nn++] = nd;
            }
        }
        for (j = 0; j < nn && rc == LHT_OK; j++) {
            sub.node = nodes[j];
            sub.pid = -1;
            sub.same = NULL;
            rc = eval_subject(m, r, f, &sub);
        }
        free(nodes);
    }
    if (rc == LHT_OK)
        rc = flush(m, r, f);
    return rc;
}

int lht_matcher_run(struct lht_matcher *m, struct lht_facts *f, lht_err *err)
{
    size_t i;

    lht_facts_clear_findings(f);
    if (index_fields(m, f) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < m->rs->n; i++)
        if (run_rule(m, &m->rs->rules[i], f) != LHT_OK)
            return lht_err_set(err, LHT_ENOMEM, "out of memory matching rule %s", m->rs->rules[i].id);
    return LHT_OK;
}

int lht_matcher_run_rule(struct lht_matcher *m, size_t rule, struct lht_facts *f, lht_err *err)
{
    lht_facts_clear_findings(f);
    if (rule >= m->rs->n)
        return lht_err_set(err, LHT_EUSAGE, "no rule %zu", rule);
    if (index_fields(m, f) != LHT_OK || run_rule(m, &m->rs->rules[rule], f) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    return LHT_OK;
}
