/*
 * match.c - evaluate rules on one bundle's facts (see match.h).
 *
 * For each rule: enumerate its subjects (each distinct node+pid of the ps
 * rows, each node, or the bundle), pick the first confidence level whose
 * all/none/any conditions hold, evaluating each signal in its scope
 * relative to the subject when a condition first asks for it (a subject
 * that fails a level's first `all` signal costs that one signal), and
 * record the finding with the facts
 * that made each signal true. Levels marked `merge: node` fold the
 * subjects of one node into one finding that names all their pids.
 *
 * Facts are reached only through the registry's descriptors
 * (facts/registry.h), so a new fact type is visible to rules without a
 * change here. A signal looks only at the facts its scope can reach,
 * through indexes built once per run (factindex.h), and a signal whose
 * answer cannot depend on the subject (scope bundle, or the same node as
 * the last subject) is evaluated once, and a scan stops once its signal
 * holds with all the evidence it keeps (thousands of identical /pause
 * siblings): the cost of a run grows with the facts, not with facts times
 * subjects. What a finding's text says is
 * expand.c's business.
 */
#include "rules/match.h"
#include "core/strbuf.h"
#include "core/re.h"
#include "rules/factindex.h"
#include "rules/rules_private.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EV_PER_SIGNAL 4

/* A fact that made a signal true: type + index, and what matched. */
struct ref {
    int type;
    size_t i;
    size_t mstart, mend;   /* match span in the field text, or 0,0 */
    const char *captures;  /* arena string or NULL */
    const char *matched;   /* arena string or NULL */
};

struct sigres {
    int done;           /* evaluated (or kept) for the subject at hand */
    int matched;
    struct ref ev[MAX_EV_PER_SIGNAL];
    int nev;
};

/* A finding being assembled (merged subjects add pids and evidence). */
struct pend {
    int level;
    const char *node;
    long pid;
    struct lht_sb pids;
    struct lht_evidence *ev;
    size_t nev, cap;
};

struct subject {
    const char *node;
    int node_id;        /* in the run's index; -1: a node no fact names */
    long pid;           /* -1 unless a process subject */
    const char *same;   /* sibling key value of the subject (in m->same) */
    const char *member; /* where a process subject without a node was seen */
    int rec_type;       /* a process no fact names by pid (a stack pasted */
    long rec;           /* without one): that record alone, else -1 */
};

/* A signal's last result and what it depended on (see eval_signal). */
struct memo {
    int valid;
    int node_id;        /* for same-node signals */
};

struct lht_matcher {
    const struct lht_ruleset *rs;
    pcre2_match_data *md;
    struct lht_sb field;    /* scratch: the field text being matched */
    struct lht_sb other;    /* scratch: a sibling's field */
    struct lht_sb same;     /* the subject's sibling key, owned */
    struct lht_sb text;     /* scratch: rendered evidence */
    struct sigres *res;     /* per signal of the current rule */
    struct memo *memo;      /* per signal of the current rule */
    struct lht_fidx *ix;    /* indexes of the collection being matched */
    struct pend *pend;
    size_t npend, cappend;
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
    m->memo = calloc((size_t)most + 1, sizeof *m->memo);
    m->md = pcre2_match_data_create(32, NULL);
    if (m->res == NULL || m->memo == NULL || m->md == NULL) {
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
    lht_sb_free(&m->field);
    lht_sb_free(&m->other);
    lht_sb_free(&m->same);
    lht_sb_free(&m->text);
    free(m->res);
    free(m->memo);
    lht_fidx_free(m->ix);
    for (i = 0; i < m->cappend; i++) {
        lht_sb_free(&m->pend[i].pids);
        free(m->pend[i].ev);
    }
    free(m->pend);
    free(m);
}

/* ---- signals ---------------------------------------------------------- */

/* The text signal s looks at in record i, or NULL when i lacks it. */
static const char *signal_value(const struct lht_signal *s, const struct lht_facts *f, size_t i,
                                struct lht_sb *scratch)
{
    const struct lht_fact_desc *d = &lht_fact_types[s->type];

    if (s->virt)
        return d->virtual_fn(f, i, scratch);
    if (d->keyed_get)
        return d->keyed_get(f, i, s->field, scratch);
    return lht_fact_text(f, s->type, i, s->fd, scratch);
}

static int node_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* The scope a signal has for this rule's kind of subject. */
static int effective_scope(const struct lht_rule *r, const struct lht_signal *s)
{
    if (r->subject == LHT_SUBJ_BUNDLE)
        return s->scope == LHT_SC_SIBLING ? -1 : LHT_SC_BUNDLE;
    if (r->subject == LHT_SUBJ_NODE && s->scope != LHT_SC_BUNDLE)
        return LHT_SC_SAME_NODE;
    if ((s->scope == LHT_SC_SUBJECT || s->scope == LHT_SC_SAME_PID) &&
        lht_fact_pid_field(&lht_fact_types[s->type]) == NULL)
        return LHT_SC_SAME_NODE;
    return s->scope;
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
    lht_sb_free(&b);
    return out;
}

/* Does value v of record i satisfy s? 1 yes, 0 no, <0 out of memory;
 * the PCRE2 match (when s has a pattern) stays in m->md. */
static int signal_holds(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s,
                        struct lht_facts *f, size_t i, const char *v)
{
    int rc;

    if (!lht_vpred_holds(&s->ver, v))
        return 0;
    if (s->re == NULL)
        return 1;
    rc = pcre2_match(s->re, (PCRE2_SPTR)v, strlen(v), 0, 0, m->md, lht_re_mctx());
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        struct lht_prov at = lht_facts_prov(f, s->type, i);
        return lht_facts_note(f, &at, "rule %s: signal %s: pattern gave up on this text (PCRE2 error %d)",
                              r->id, s->name, rc) == LHT_OK ? 0 : LHT_ENOMEM;
    }
    return 1;
}

static int record_ref(struct lht_matcher *m, const struct lht_signal *s, struct lht_facts *f, size_t i,
                      const char *v, struct sigres *res)
{
    struct ref *ref;

    res->matched = 1;
    if (res->nev >= MAX_EV_PER_SIGNAL)
        return LHT_OK;
    ref = &res->ev[res->nev++];
    memset(ref, 0, sizeof *ref);
    ref->type = s->type;
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
    return ref->matched ? LHT_OK : LHT_ENOMEM;
}

/* Record i as a candidate of signal s: filter by origin, take the field,
 * test it. */
static int try_record(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s,
                      struct lht_facts *f, size_t i, struct sigres *res)
{
    const char *v;
    int rc;

    if (s->origins) {
        long o = lht_fact_long(lht_fact_record(f, s->type, i), s->origin_fd);
        if (o < 0 || o >= 32 || !(s->origins & (1u << o)))
            return LHT_OK;
    }
    if ((v = signal_value(s, f, i, &m->field)) == NULL)
        return LHT_OK;
    if ((rc = signal_holds(m, r, s, f, i, v)) < 0)
        return rc;
    return rc ? record_ref(m, s, f, i, v, res) : LHT_OK;
}

/* Room for more evidence: once a signal holds with all the evidence it
 * keeps, further candidates change nothing. */
#define ROOM(res) ((res)->nev < MAX_EV_PER_SIGNAL)

/* One member is one string (lht_prov): two inputs of a case may both
 * hold a "stack.txt", and those are two pieces of evidence. */
static int same_member(const struct lht_facts *f, int t, size_t i, const struct subject *sub)
{
    return sub->member != NULL && lht_facts_prov(f, t, i).member == sub->member;
}

/* The candidates of s for sub, by scope, in record order, until the
 * signal holds with all the evidence it keeps. */
static int scan_scope(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s, int scope,
                      struct lht_facts *f, const struct subject *sub, struct sigres *res)
{
    long i;
    int rc = LHT_OK;

    switch (scope) {
    case LHT_SC_BUNDLE:
        for (i = 0; rc == LHT_OK && ROOM(res) && (size_t)i < lht_facts_count(f, s->type); i++)
            rc = try_record(m, r, s, f, (size_t)i, res);
        return rc;
    case LHT_SC_SAME_NODE:
        if (sub->node_id < 0)
            return LHT_OK;
        for (i = lht_fidx_node_first(m->ix, s->type, sub->node_id); rc == LHT_OK && ROOM(res) && i >= 0;
             i = lht_fidx_node_next(m->ix, s->type, i))
            rc = try_record(m, r, s, f, (size_t)i, res);
        return rc;
    case LHT_SC_SUBJECT:
    case LHT_SC_SAME_PID:
        if (sub->rec >= 0)   /* a process known only by this record */
            return s->type == sub->rec_type ? try_record(m, r, s, f, (size_t)sub->rec, res) : LHT_OK;
        /* A paste that names no node says nothing about which node's pid
         * 4242 it shows: it binds only within itself (its member), never
         * to the same pid on every node. */
        for (i = lht_fidx_pid_first(m->ix, s->type, sub->pid); rc == LHT_OK && ROOM(res) && i >= 0;
             i = lht_fidx_pid_next(m->ix, s->type, i)) {
            int n = lht_fidx_node_of(m->ix, s->type, (size_t)i);
            if (n == 0 || sub->node_id == 0 ? same_member(f, s->type, (size_t)i, sub) : n == sub->node_id)
                rc = try_record(m, r, s, f, (size_t)i, res);
        }
        return rc;
    case LHT_SC_SIBLING:
        if (sub->same == NULL || sub->node_id < 0)
            return LHT_OK;
        if (lht_fidx_same_first(m->ix, s->same_fd, sub->node_id, sub->same, &i) != LHT_OK)
            return LHT_ENOMEM;
        for (; rc == LHT_OK && ROOM(res) && i >= 0; i = lht_fidx_same_next(m->ix, s->same_fd, i))
            if (lht_fact_pid(f, s->type, (size_t)i) != sub->pid)
                rc = try_record(m, r, s, f, (size_t)i, res);
        return rc;
    }
    return LHT_OK;
}

/* A signal's result for sub. Scope bundle does not depend on the subject
 * and scope same-node only on its node: those are kept from the last
 * subject that asked (subjects of one node come together). */
static int eval_signal(struct lht_matcher *m, const struct lht_rule *r, int sig, struct lht_facts *f,
                       const struct subject *sub)
{
    const struct lht_signal *s = &r->signals[sig];
    struct sigres *res = &m->res[sig];
    struct memo *mo = &m->memo[sig];
    int scope = effective_scope(r, s);

    if (mo->valid && (scope == LHT_SC_BUNDLE || (scope == LHT_SC_SAME_NODE && mo->node_id == sub->node_id)))
        return LHT_OK;
    res->matched = 0;
    res->nev = 0;
    mo->valid = scope == LHT_SC_BUNDLE || scope == LHT_SC_SAME_NODE;
    mo->node_id = sub->node_id;
    return scan_scope(m, r, s, scope, f, sub, res);
}

/* Signal sig's result for the subject, evaluated on first use: most
 * subjects of a sosreport fail a level's first `all` signal (not in D),
 * and then nothing else of the rule needs to be looked at. */
static int need(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f, const struct subject *sub,
                int sig)
{
    int rc;

    if (m->res[sig].done)
        return LHT_OK;
    if ((rc = eval_signal(m, r, sig, f, sub)) != LHT_OK)
        return rc;
    m->res[sig].done = 1;
    return LHT_OK;
}

/* Does condition c hold for sub? *holds 1 or 0; the signals it names are
 * evaluated in its order, only as far as the answer needs. */
static int cond_holds(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f,
                      const struct subject *sub, const struct lht_cond *c, int *holds)
{
    int i, rc;

    *holds = 0;
    for (i = 0; i < c->nall; i++) {
        if ((rc = need(m, r, f, sub, c->all[i])) != LHT_OK)
            return rc;
        if (!m->res[c->all[i]].matched)
            return LHT_OK;
    }
    for (i = 0; i < c->nnone; i++) {
        if ((rc = need(m, r, f, sub, c->none[i])) != LHT_OK)
            return rc;
        if (m->res[c->none[i]].matched)
            return LHT_OK;
    }
    *holds = c->nany == 0;
    for (i = 0; i < c->nany; i++) {   /* every one: each that holds is evidence */
        if ((rc = need(m, r, f, sub, c->any[i])) != LHT_OK)
            return rc;
        *holds |= m->res[c->any[i]].matched;
    }
    return LHT_OK;
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
    lht_sb_reset(&p->pids);
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

/* The evidence rows of signal sig for the finding being assembled. */
static int collect(struct lht_matcher *m, struct lht_facts *f, struct pend *p,
                   const struct lht_rule *r, int sig, int role)
{
    const struct lht_signal *s = &r->signals[sig];
    const struct lht_fact_desc *d = &lht_fact_types[s->type];
    struct sigres *res = &m->res[sig];
    int k;

    for (k = 0; k < res->nev; k++) {
        struct lht_evidence e;
        const struct ref *ref = &res->ev[k];
        e.at = lht_facts_prov(f, ref->type, ref->i);
        e.signal = s->name;
        e.fact = d->rule;
        lht_sb_reset(&m->text);
        lht_fact_render(f, ref->type, ref->i, &m->text);
        e.text = lht_facts_strz(f, lht_sb_str(&m->text));
        e.matched = ref->matched;
        e.captures = ref->captures;
        e.role = role;
        /* in a computed text (a stack's frames), point at the line where the match starts */
        if (s->virt && d->virtual_line && ref->mend > 0) {
            long line = d->virtual_line(f, ref->i, ref->mstart);
            if (line >= 0)
                e.at.line = line;
        }
        if (e.text == NULL || pend_add_ev(p, &e) != 0)
            return LHT_ENOMEM;
    }
    return LHT_OK;
}

static int add_finding(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f,
                       struct pend *p)
{
    struct lht_finding fi;
    const char *steps;
    size_t k;

    (void)m;
    memset(&fi, 0, sizeof fi);
    fi.rule_id = r->id;
    fi.title = r->title;
    fi.severity = r->severity;
    fi.confidence = r->levels[p->level].name;
    fi.node = p->node;
    fi.pid = p->pid;
    fi.merged = r->levels[p->level].merge_node;
    fi.pids = p->pids.len ? lht_facts_strz(f, lht_sb_str(&p->pids)) : NULL;
    fi.remediation = lht_rule_remediation(r, f, p->node, lht_sb_str(&p->pids));
    /* Next steps matter when the evidence is not yet conclusive: the
     * level's own, else the rule's for every level but the first. */
    steps = r->levels[p->level].next_steps ? r->levels[p->level].next_steps
            : p->level > 0                 ? r->next_steps
                                           : NULL;
    fi.next_steps = steps ? lht_rule_expand(r, f, steps, p->node, lht_sb_str(&p->pids)) : NULL;
    fi.refs = lht_rule_refs(r, f);
    if (lht_facts_add_finding(f, &fi) != LHT_OK)
        return LHT_ENOMEM;
    for (k = 0; k < p->nev; k++)
        if (lht_facts_add_evidence(f, &p->ev[k]) != LHT_OK)
            return LHT_ENOMEM;
    return LHT_OK;
}

static int flush(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    size_t i;

    for (i = 0; i < m->npend; i++)
        if (add_finding(m, r, f, &m->pend[i]) != LHT_OK)
            return LHT_ENOMEM;
    m->npend = 0;
    return LHT_OK;
}

static int eval_subject(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f,
                        const struct subject *sub)
{
    int s, lv, k, rc, holds = 0;
    struct pend *p;

    for (s = 0; s < r->nsignals; s++)
        m->res[s].done = 0;
    for (lv = 0; lv < r->nlevels; lv++) {
        if ((rc = cond_holds(m, r, f, sub, &r->levels[lv].cond, &holds)) != LHT_OK)
            return rc;
        if (holds)
            break;
    }
    if (lv == r->nlevels)
        return LHT_OK;
    for (k = 0; k < r->nraises; k++)
        if ((rc = need(m, r, f, sub, r->raises[k])) != LHT_OK)
            return rc;
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

/* ---- subjects --------------------------------------------------------- */

static int run_bundle(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    struct subject sub = {NULL, 0, -1, NULL, NULL, -1, -1};
    return eval_subject(m, r, f, &sub);
}

/* A process some fact names: its first record. */
struct psub {
    long pid;
    int node_id;
    const char *member;  /* compared only without a node */
    int type;
    size_t i;
    size_t order;        /* position in fact order */
};

static int psub_key_cmp(const void *a, const void *b)
{
    const struct psub *x = a, *y = b;

    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    if (x->node_id != y->node_id)
        return x->node_id < y->node_id ? -1 : 1;
    if (x->node_id == 0 && x->member != y->member)
        return (uintptr_t)x->member < (uintptr_t)y->member ? -1 : 1;
    if (x->pid < 0 && (x->type != y->type || x->i != y->i))   /* each its own process */
        return x->type != y->type ? (x->type < y->type ? -1 : 1) : (x->i < y->i ? -1 : 1);
    return x->order < y->order ? -1 : x->order > y->order;
}

static int psub_order_cmp(const void *a, const void *b)
{
    const struct psub *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Each distinct process the facts name, at its first record, in fact
 * order: the ps rows first, then processes only a stack, a hung-task
 * report or another fact with a pid names (a stack pasted without ps is
 * still about one process). Without a node a process is one per member
 * it was seen in; a record naming no pid (a stack pasted without any) is
 * a process of its own. *out is malloc'd (caller frees); NULL when none. */
static int process_subjects(const struct lht_matcher *m, const struct lht_facts *f, struct psub **out,
                            size_t *nout)
{
    struct psub *v = NULL;
    size_t n = 0, cap = 0, i, k;
    int t;

    *out = NULL;
    *nout = 0;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        size_t cnt = lht_facts_count(f, t);
        if (d->rule == NULL || d->parent >= 0 || lht_fact_pid_field(d) == NULL)
            continue;
        for (i = 0; i < cnt; i++) {
            long pid = lht_fact_pid(f, t, i);
            if (n == cap) {
                struct psub *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
                if (nv == NULL) {
                    free(v);
                    return LHT_ENOMEM;
                }
                v = nv;
            }
            v[n].pid = pid;
            v[n].node_id = lht_fidx_node_of(m->ix, t, i);
            v[n].member = lht_facts_prov(f, t, i).member;
            v[n].type = t;
            v[n].i = i;
            v[n].order = n;
            n++;
        }
    }
    if (n == 0)
        return LHT_OK;
    /* sort by process, keep the first record of each, back to fact order */
    qsort(v, n, sizeof *v, psub_key_cmp);
    for (i = 1, k = 1; i < n; i++) {
        struct psub a = v[k - 1], b = v[i];
        a.order = b.order = 0;
        if (psub_key_cmp(&a, &b) != 0)
            v[k++] = v[i];
    }
    qsort(v, k, sizeof *v, psub_order_cmp);
    *out = v;
    *nout = k;
    return LHT_OK;
}

static int run_processes(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    const struct lht_field_desc *same = NULL;
    struct psub *ps;
    size_t n, i;
    int rc;

    for (i = 0; i < (size_t)r->nsignals; i++)
        if (r->signals[i].scope == LHT_SC_SIBLING)
            same = r->signals[i].same_fd;
    if ((rc = process_subjects(m, f, &ps, &n)) != LHT_OK)
        return rc;
    for (i = 0; i < n && rc == LHT_OK; i++) {
        struct subject sub;
        const char *v;
        sub.node = lht_facts_prov(f, ps[i].type, ps[i].i).node;
        sub.node_id = ps[i].node_id;
        sub.pid = ps[i].pid;
        sub.member = ps[i].member;
        sub.same = NULL;
        sub.rec_type = ps[i].type;
        sub.rec = ps[i].pid < 0 ? (long)ps[i].i : -1;
        /* the subject's own copy: field scratch buffers are reused per record */
        if (same && ps[i].type == LHT_FACT_PROCESS &&
            (v = lht_fact_text(f, LHT_FACT_PROCESS, ps[i].i, same, &m->field)) != NULL) {
            lht_sb_reset(&m->same);
            if (lht_sb_puts(&m->same, v) != 0) {
                rc = LHT_ENOMEM;
                break;
            }
            sub.same = lht_sb_str(&m->same);
        }
        rc = eval_subject(m, r, f, &sub);
    }
    free(ps);
    return rc;
}

/* Every node the rule-visible facts name, plus "no node", in the order
 * the facts name them. */
static int run_nodes(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    int nn = lht_fidx_nodes(m->ix), rc = LHT_OK;
    unsigned char *seen = calloc((size_t)nn, 1);
    size_t t, i;

    if (seen == NULL)
        return LHT_ENOMEM;
    for (t = 0; t < LHT_FACT_COUNT && rc == LHT_OK; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        if (d->rule == NULL || d->parent >= 0 || d->keyed_get)
            continue;
        for (i = 0; i < lht_facts_count(f, (int)t) && rc == LHT_OK; i++) {
            int id = lht_fidx_node_of(m->ix, (int)t, i);
            struct subject sub = {lht_facts_prov(f, (int)t, i).node, id, -1, NULL, NULL, -1, -1};
            if (seen[id])
                continue;
            seen[id] = 1;
            rc = eval_subject(m, r, f, &sub);
        }
    }
    free(seen);
    return rc;
}

static int run_rule(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    int rc;

    m->npend = 0;
    memset(m->memo, 0, (size_t)r->nsignals * sizeof *m->memo);
    if (r->subject == LHT_SUBJ_BUNDLE)
        rc = run_bundle(m, r, f);
    else if (r->subject == LHT_SUBJ_PROCESS)
        rc = run_processes(m, r, f);
    else
        rc = run_nodes(m, r, f);
    if (rc == LHT_OK)
        rc = flush(m, r, f);
    return rc;
}

/* Rules [first, last) on f, with the collection indexed once. */
static int run_rules(struct lht_matcher *m, size_t first, size_t last, struct lht_facts *f, lht_err *err)
{
    size_t i;
    int rc = LHT_OK;

    lht_facts_clear_findings(f);
    lht_fidx_free(m->ix);
    if ((m->ix = NULL, lht_fidx_build(f, &m->ix)) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory indexing facts");
    for (i = first; i < last && rc == LHT_OK; i++)
        if ((rc = run_rule(m, &m->rs->rules[i], f)) != LHT_OK)
            rc = lht_err_set(err, LHT_ENOMEM, "out of memory matching rule %s", m->rs->rules[i].id);
    /* the index points into f, which the caller may free next */
    lht_fidx_free(m->ix);
    m->ix = NULL;
    return rc;
}

int lht_matcher_run(struct lht_matcher *m, struct lht_facts *f, lht_err *err)
{
    return run_rules(m, 0, m->rs->n, f, err);
}

int lht_matcher_run_rule(struct lht_matcher *m, size_t rule, struct lht_facts *f, lht_err *err)
{
    if (rule >= m->rs->n)
        return lht_err_set(err, LHT_EUSAGE, "no rule %zu", rule);
    return run_rules(m, rule, rule + 1, f, err);
}
