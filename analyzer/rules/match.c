/*
 * match.c - evaluate rules on one bundle's facts (see match.h).
 *
 * For each rule: enumerate its subjects (each distinct node+pid of the ps
 * rows, each node, or the bundle), evaluate every signal in its scope
 * relative to the subject, pick the first confidence level whose
 * all/none/any conditions hold, and record the finding with the facts
 * that made each signal true. Levels marked `merge: node` fold the
 * subjects of one node into one finding that names all their pids.
 *
 * Facts are reached only through the registry's descriptors
 * (facts/registry.h), so a new fact type is visible to rules without a
 * change here. What a finding's text says is expand.c's business.
 *
 * Cost: a sosreport lists thousands of processes, each with its
 * /proc/<pid>/stack, so a signal is never evaluated over every record
 * for every subject: pid-scoped signals visit the records of the
 * subject's pid through a per-run pid index, and node-scoped ones are
 * evaluated once per node and rule (their result does not depend on the
 * subject's pid); a signal is evaluated only when a level's condition
 * asks for it (most subjects fail the first `all` signal), and a scan
 * stops once a signal holds with all the evidence it keeps.
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

/* A fact that made a signal true: type + index, and what matched. */
struct ref {
    int type;
    size_t i;
    size_t mstart, mend;   /* match span in the field text, or 0,0 */
    const char *captures;  /* arena string or NULL */
    const char *matched;   /* arena string or NULL */
};

struct sigres {
    int done;           /* evaluated for the subject at hand */
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
    long pid;           /* -1 unless a process subject */
    const char *same;   /* sibling key value of the subject (in m->same) */
};

/* Records of one type by pid, ascending (pid, index). */
struct pidx {
    long pid;
    size_t i;
};

/* A node-scoped signal's result for one node, within one rule. */
struct memo {
    int sig;
    const char *node;
    struct sigres res;
};

/* Process rows by the value of a sibling signal's `same` field. */
struct sibx {
    char *key;
    size_t i;
};

struct lht_matcher {
    const struct lht_ruleset *rs;
    struct pidx *bypid[LHT_FACT_COUNT];  /* built per run, NULL: type has no pid */
    size_t nbypid[LHT_FACT_COUNT];
    struct memo *memo;                   /* reset per rule */
    size_t nmemo, capmemo;
    struct sibx *sib;                    /* for signal sib_sig of the rule at hand */
    size_t nsib;
    int sib_sig;
    pcre2_match_data *md;
    struct lht_sb field;    /* scratch: the field text being matched */
    struct lht_sb other;    /* scratch: a sibling's field */
    struct lht_sb same;     /* the subject's sibling key, owned */
    struct lht_sb text;     /* scratch: rendered evidence */
    struct sigres *res;     /* per signal of the current rule */
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
    m->sib_sig = -1;
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
    lht_sb_free(&m->field);
    lht_sb_free(&m->other);
    lht_sb_free(&m->same);
    lht_sb_free(&m->text);
    free(m->res);
    for (i = 0; i < LHT_FACT_COUNT; i++)
        free(m->bypid[i]);
    free(m->memo);
    for (i = 0; i < m->nsib; i++)
        free(m->sib[i].key);
    free(m->sib);
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

static int in_scope(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s,
                    const struct lht_facts *f, size_t i, const struct subject *sub)
{
    struct lht_prov at = lht_facts_prov(f, s->type, i);
    int has_pid = lht_fact_pid_field(&lht_fact_types[s->type]) != NULL;
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
        if (!has_pid)
            return node_eq(at.node, sub->node);
        /* A paste without a prompt has no node: its pid still ties it to
         * the subject (the evidence shows both, so the engineer sees it). */
        return lht_fact_pid(f, s->type, i) == sub->pid &&
               (at.node == NULL || sub->node == NULL || node_eq(at.node, sub->node));
    case LHT_SC_SIBLING: {
        const char *v;
        if (!node_eq(at.node, sub->node) || lht_fact_pid(f, s->type, i) == sub->pid || sub->same == NULL)
            return 0;
        v = lht_fact_text(f, LHT_FACT_PROCESS, i, s->same_fd, &m->other);
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

/* Record i for signal s and subject sub: into res when it holds. */
static int eval_record(struct lht_matcher *m, const struct lht_rule *r, const struct lht_signal *s,
                       struct lht_facts *f, size_t i, const struct subject *sub, struct sigres *res)
{
    const char *v;
    int rc;

    if (!in_scope(m, r, s, f, i, sub))
        return LHT_OK;
    if (s->origins) {
        long o = lht_fact_long(lht_fact_record(f, s->type, i), s->origin_fd);
        if (o < 0 || o >= 32 || !(s->origins & (1u << o)))
            return LHT_OK;
    }
    if ((v = signal_value(s, f, i, &m->field)) == NULL)
        return LHT_OK;
    if ((rc = signal_holds(m, r, s, f, i, v)) < 0)
        return rc;
    if (rc && record_ref(m, s, f, i, v, res) != LHT_OK)
        return LHT_ENOMEM;
    return LHT_OK;
}

enum reach { R_ALL, R_PID, R_NODE, R_SAME };

/* Which records can be in scope of s: those of the subject's pid, those
 * of its node (the same for every subject there), or all. */
static enum reach reach_of(const struct lht_rule *r, const struct lht_signal *s)
{
    int scope = s->scope, has_pid = lht_fact_pid_field(&lht_fact_types[s->type]) != NULL;

    if (r->subject == LHT_SUBJ_BUNDLE)
        return R_ALL;
    if (r->subject == LHT_SUBJ_NODE && scope != LHT_SC_BUNDLE)
        scope = LHT_SC_SAME_NODE;
    if (scope == LHT_SC_SAME_NODE || scope == LHT_SC_BUNDLE ||
        ((scope == LHT_SC_SUBJECT || scope == LHT_SC_SAME_PID) && !has_pid))
        return R_NODE;
    if (scope == LHT_SC_SUBJECT || scope == LHT_SC_SAME_PID)
        return R_PID;
    if (scope == LHT_SC_SIBLING && s->type == LHT_FACT_PROCESS)
        return R_SAME;
    return R_ALL;
}

static void sib_free(struct lht_matcher *m)
{
    size_t i;

    for (i = 0; i < m->nsib; i++)
        free(m->sib[i].key);
    free(m->sib);
    m->sib = NULL;
    m->nsib = 0;
    m->sib_sig = -1;
}

static int cmp_sibx(const void *a, const void *b)
{
    const struct sibx *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* The process rows by the `same` field of sibling signal sig. */
static int sib_index(struct lht_matcher *m, const struct lht_signal *s, int sig, const struct lht_facts *f)
{
    size_t n = lht_facts_count(f, LHT_FACT_PROCESS), i;

    if (m->sib_sig == sig)
        return LHT_OK;
    sib_free(m);
    if ((m->sib = calloc(n + 1, sizeof *m->sib)) == NULL)
        return LHT_ENOMEM;
    for (i = 0; i < n; i++) {
        const char *v = lht_fact_text(f, LHT_FACT_PROCESS, i, s->same_fd, &m->other);
        if (v == NULL)
            continue;
        if ((m->sib[m->nsib].key = strdup(v)) == NULL)
            return LHT_ENOMEM;
        m->sib[m->nsib++].i = i;
    }
    qsort(m->sib, m->nsib, sizeof *m->sib, cmp_sibx);
    m->sib_sig = sig;
    return LHT_OK;
}

/* First row whose key is same. */
static size_t sib_lower(const struct lht_matcher *m, const char *same)
{
    size_t lo = 0, hi = m->nsib;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->sib[mid].key, same) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct memo *memo_find(struct lht_matcher *m, int sig, const char *node)
{
    size_t i;

    for (i = 0; i < m->nmemo; i++)
        if (m->memo[i].sig == sig && node_eq(m->memo[i].node, node))
            return &m->memo[i];
    return NULL;
}

static int memo_add(struct lht_matcher *m, int sig, const char *node, const struct sigres *res)
{
    if (m->nmemo == m->capmemo) {
        size_t cap = m->capmemo ? m->capmemo * 2 : 32;
        struct memo *nv = realloc(m->memo, cap * sizeof *nv);
        if (nv == NULL)
            return LHT_ENOMEM;
        m->memo = nv;
        m->capmemo = cap;
    }
    m->memo[m->nmemo].sig = sig;
    m->memo[m->nmemo].node = node;
    m->memo[m->nmemo].res = *res;
    m->nmemo++;
    return LHT_OK;
}

/* First entry of pid in the type's index. */
static size_t pid_lower(const struct pidx *v, size_t n, long pid)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int eval_signal(struct lht_matcher *m, const struct lht_rule *r, int sig, struct lht_facts *f,
                       const struct subject *sub, struct sigres *res)
{
    const struct lht_signal *s = &r->signals[sig];
    size_t n = lht_facts_count(f, s->type), i, k;
    enum reach reach = reach_of(r, s);
    const struct pidx *ix = m->bypid[s->type];
    struct memo *hit;
    int rc = LHT_OK;

    res->matched = 0;
    res->nev = 0;
    if (reach == R_NODE && (hit = memo_find(m, sig, sub->node)) != NULL) {
        *res = hit->res;
        return LHT_OK;
    }
    if (reach == R_PID && ix != NULL) {
        for (k = pid_lower(ix, m->nbypid[s->type], sub->pid);
             k < m->nbypid[s->type] && ix[k].pid == sub->pid && rc == LHT_OK && res->nev < MAX_EV_PER_SIGNAL;
             k++)
            rc = eval_record(m, r, s, f, ix[k].i, sub, res);
    } else if (reach == R_SAME) {
        if (sub->same == NULL || (rc = sib_index(m, s, sig, f)) != LHT_OK)
            return rc;
        for (k = sib_lower(m, sub->same);
             k < m->nsib && strcmp(m->sib[k].key, sub->same) == 0 && rc == LHT_OK && res->nev < MAX_EV_PER_SIGNAL;
             k++)
            rc = eval_record(m, r, s, f, m->sib[k].i, sub, res);
    } else {
        for (i = 0; i < n && rc == LHT_OK && res->nev < MAX_EV_PER_SIGNAL; i++)
            rc = eval_record(m, r, s, f, i, sub, res);
    }
    if (rc == LHT_OK && reach == R_NODE)
        rc = memo_add(m, sig, sub->node, res);
    return rc;
}

static int cmp_pidx(const void *a, const void *b)
{
    const struct pidx *x = a, *y = b;

    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The pid index of every rule-visible type that has a pid field. */
static int index_pids(struct lht_matcher *m, const struct lht_facts *f)
{
    int t;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        size_t n = lht_facts_count(f, t), i;
        free(m->bypid[t]);
        m->bypid[t] = NULL;
        m->nbypid[t] = 0;
        if (d->rule == NULL || d->parent >= 0 || lht_fact_pid_field(d) == NULL)
            continue;
        if ((m->bypid[t] = malloc((n + 1) * sizeof *m->bypid[t])) == NULL)
            return LHT_ENOMEM;
        for (i = 0; i < n; i++) {
            m->bypid[t][i].pid = lht_fact_pid(f, t, i);
            m->bypid[t][i].i = i;
        }
        qsort(m->bypid[t], n, sizeof *m->bypid[t], cmp_pidx);
        m->nbypid[t] = n;
    }
    return LHT_OK;
}

/* Signal sig's result for the subject, evaluated on first use. */
static int need(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f, const struct subject *sub,
                int sig)
{
    int rc;

    if (m->res[sig].done)
        return LHT_OK;
    if ((rc = eval_signal(m, r, sig, f, sub, &m->res[sig])) != LHT_OK)
        return rc;
    m->res[sig].done = 1;
    return LHT_OK;
}

/* Does condition c hold for the subject? *holds 1 or 0; the signals it
 * names are evaluated in its order, only as far as needed. */
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
    for (i = 0; i < c->nany; i++) {
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

    if (!res->done)
        return LHT_EUSAGE;   /* evaluated by the caller first */
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
    size_t k;

    (void)m;
    memset(&fi, 0, sizeof fi);
    fi.rule_id = r->id;
    fi.title = r->title;
    fi.severity = r->severity;
    fi.confidence = r->levels[p->level].name;
    fi.node = p->node;
    fi.pid = p->pid;
    fi.pids = p->pids.len ? lht_facts_strz(f, lht_sb_str(&p->pids)) : NULL;
    fi.remediation = lht_rule_remediation(r, f, p->node, lht_sb_str(&p->pids));
    /* Next steps matter when the evidence is not yet conclusive. */
    fi.next_steps = r->next_steps && p->level > 0
                        ? lht_rule_expand(r, f, r->next_steps, p->node, lht_sb_str(&p->pids))
                        : NULL;
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
    struct subject sub = {NULL, -1, NULL};
    return eval_subject(m, r, f, &sub);
}

/* Is row i the first process row of its node+pid? The pid index lists
 * a pid's rows in order, so only earlier rows of that pid are looked at. */
static int first_of_subject(const struct lht_matcher *m, const struct lht_process *p, size_t i)
{
    const struct pidx *ix = m->bypid[LHT_FACT_PROCESS];
    size_t k;

    if (ix == NULL) {
        for (k = 0; k < i; k++)
            if (p[k].pid == p[i].pid && node_eq(p[k].at.node, p[i].at.node))
                return 0;
        return 1;
    }
    for (k = pid_lower(ix, m->nbypid[LHT_FACT_PROCESS], p[i].pid); ix[k].i < i; k++)
        if (node_eq(p[ix[k].i].at.node, p[i].at.node))
            return 0;
    return 1;
}

/* Each distinct node+pid of the process rows, at its first row. */
static int run_processes(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(f, &n);
    const struct lht_field_desc *same = NULL;
    int rc = LHT_OK;

    for (i = 0; i < (size_t)r->nsignals; i++)
        if (r->signals[i].scope == LHT_SC_SIBLING)
            same = r->signals[i].same_fd;
    for (i = 0; i < n && rc == LHT_OK; i++) {
        struct subject sub;
        const char *v;
        if (!first_of_subject(m, p, i))
            continue;
        sub.node = p[i].at.node;
        sub.pid = p[i].pid;
        sub.same = NULL;
        /* the subject's own copy: field scratch buffers are reused per record */
        if (same && (v = lht_fact_text(f, LHT_FACT_PROCESS, i, same, &m->field)) != NULL) {
            lht_sb_reset(&m->same);
            if (lht_sb_puts(&m->same, v) != 0)
                return LHT_ENOMEM;
            sub.same = lht_sb_str(&m->same);
        }
        rc = eval_subject(m, r, f, &sub);
    }
    return rc;
}

/* Every node the rule-visible facts name, plus "no node". */
static int run_nodes(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    const char **nodes = NULL;
    size_t nn = 0, cap = 0, t, i, j;
    int rc = LHT_OK;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        size_t cnt = lht_facts_count(f, (int)t);
        if (d->rule == NULL || d->parent >= 0 || d->keyed_get)
            continue;
        for (i = 0; i < cnt; i++) {
            const char *nd = lht_facts_prov(f, (int)t, i).node;
            for (j = 0; j < nn && !node_eq(nodes[j], nd); j++)
                ;
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
        struct subject sub = {nodes[j], -1, NULL};
        rc = eval_subject(m, r, f, &sub);
    }
    free(nodes);
    return rc;
}

static int run_rule(struct lht_matcher *m, const struct lht_rule *r, struct lht_facts *f)
{
    int rc;

    m->npend = 0;
    m->nmemo = 0;
    sib_free(m);
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

int lht_matcher_run(struct lht_matcher *m, struct lht_facts *f, lht_err *err)
{
    size_t i;

    lht_facts_clear_findings(f);
    if (index_pids(m, f) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory indexing facts");
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
    if (index_pids(m, f) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory indexing facts");
    if (run_rule(m, &m->rs->rules[rule], f) != LHT_OK)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    return LHT_OK;
}
