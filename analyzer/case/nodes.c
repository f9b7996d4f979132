/*
 * nodes.c - see nodes.h.
 *
 * Names are learnt strongest first: Kubernetes node names (member paths,
 * Node objects) are the case's nodes; a hostname fact recorded under a
 * node and a Node's addresses are names of that node; every other name
 * (a prompt's host, a sosreport's hostname) is matched against what is
 * known, exactly, then ignoring case, then as the short name of an FQDN
 * or the FQDN of a short name, and becomes a node of its own when nothing
 * matches. Those are taken longest first, so two FQDNs with one short
 * name ("w1.a.example", "w1.b.example") stay two hosts and a bare "w1"
 * next to both matches neither.
 */
#include "case/nodes.h"
#include "facts/registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct name {
    const char *name;
    size_t canon;            /* index of the entry whose name the case uses */
    const char *source;      /* how it was learnt */
};

struct lht_node_names {
    struct name *v;
    size_t n, cap;
    struct lht_node_alias *out;
};

static const char SRC_K8S[] = "kubernetes node", SRC_HOSTNAME[] = "hostname fact",
                  SRC_ADDRESS[] = "node address", SRC_CASE[] = "same name, other case",
                  SRC_SHORT[] = "short name", SRC_FULL[] = "full name", SRC_HOST[] = "host",
                  SRC_INPUT[] = "input host";

/* ---- the table ------------------------------------------------------------ */

static long find_exact(const struct lht_node_names *nn, const char *s)
{
    size_t i;

    for (i = 0; i < nn->n; i++)
        if (strcmp(nn->v[i].name, s) == 0)
            return (long)i;
    return -1;
}

static long add(struct lht_node_names *nn, const char *s, long canon, const char *source)
{
    if (nn->n == nn->cap) {
        size_t cap = nn->cap ? nn->cap * 2 : 16;
        struct name *v = realloc(nn->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        nn->v = v;
        nn->cap = cap;
    }
    nn->v[nn->n].name = s;
    nn->v[nn->n].canon = canon < 0 ? nn->n : (size_t)canon;
    nn->v[nn->n].source = source;
    return (long)nn->n++;
}

static size_t short_len(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (size_t)(dot - s) : strlen(s);
}

/* The canonical entry short-name matching s, if exactly one: an FQDN
 * against a short name or the other way round, never two FQDNs. */
static long short_match(const struct lht_node_names *nn, const char *s)
{
    size_t i, sl = short_len(s);
    int dotted = s[sl] == '.';
    long found = -1;

    for (i = 0; i < nn->n; i++) {
        const char *m = nn->v[i].name;
        size_t ml = short_len(m);
        int mdotted = m[ml] == '.';
        if (dotted == mdotted || ml != sl || strncasecmp(m, s, sl) != 0)
            continue;
        if (found >= 0 && nn->v[found].canon != nn->v[i].canon)
            return -2;   /* ambiguous */
        found = (long)i;
    }
    return found;
}

/* The canonical index for s, learning s when it is new; -1 out of memory. */
static long resolve(struct lht_node_names *nn, const char *s, const char *source)
{
    long i = find_exact(nn, s);
    size_t k;

    if (i >= 0)
        return (long)nn->v[i].canon;
    for (k = 0; k < nn->n; k++)
        if (strcasecmp(nn->v[k].name, s) == 0)
            return add(nn, s, (long)nn->v[k].canon, SRC_CASE) < 0 ? -1 : (long)nn->v[k].canon;
    i = short_match(nn, s);
    if (i >= 0) {
        long c = (long)nn->v[i].canon;
        return add(nn, s, c, s[short_len(s)] == '.' ? SRC_FULL : SRC_SHORT) < 0 ? -1 : c;
    }
    i = add(nn, s, -1, source);
    return i;
}

/* ---- what the facts say ------------------------------------------------- */

static int hostname_like(const char *s)
{
    int letter = 0;

    if (s == NULL || *s == '\0' || strlen(s) > 253)
        return 0;
    for (; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            letter = 1;
        else if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
            return 0;
    }
    return letter;
}

/* Kubernetes node names: the nodes member paths name, and Node objects. */
static int learn_k8s(struct lht_node_names *nn, const struct lht_facts *f, const struct lht_case_part *p,
                     size_t np)
{
    size_t nm, no, i, k;
    const struct lht_member *m = lht_facts_members(f, &nm);
    const struct lht_object *o = lht_facts_objects(f, &no);

    for (k = 0; k < np; k++)
        for (i = p[k].first_member; i < p[k].first_member + p[k].nmembers && i < nm; i++)
            if (m[i].at.node && find_exact(nn, m[i].at.node) < 0 && resolve(nn, m[i].at.node, SRC_K8S) < 0)
                return LHT_ENOMEM;
    for (i = 0; i < no; i++)
        if (o[i].kind && strcmp(o[i].kind, "Node") == 0 && hostname_like(o[i].name) &&
            resolve(nn, o[i].name, SRC_K8S) < 0)
            return LHT_ENOMEM;
    return LHT_OK;
}

/* Names a node's own facts give it: its hostname, its Node addresses. */
static int learn_own_names(struct lht_node_names *nn, const struct lht_facts *f)
{
    size_t n, i, j;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);
    const struct lht_object *o;
    const struct lht_field *fl;
    size_t nf;
    long c;

    for (i = 0; i < n; i++) {
        if (kv[i].at.node == NULL || strcmp(kv[i].key, "hostname") != 0 || !hostname_like(kv[i].value) ||
            (c = find_exact(nn, kv[i].at.node)) < 0 || find_exact(nn, kv[i].value) >= 0)
            continue;
        if (add(nn, kv[i].value, (long)nn->v[c].canon, SRC_HOSTNAME) < 0)
            return LHT_ENOMEM;
    }
    o = lht_facts_objects(f, &n);
    fl = lht_facts_fields(f, &nf);
    for (i = 0; i < n; i++) {
        if (o[i].kind == NULL || strcmp(o[i].kind, "Node") != 0 || o[i].name == NULL ||
            (c = find_exact(nn, o[i].name)) < 0)
            continue;
        for (j = o[i].first; j < o[i].first + o[i].nfields && j < nf; j++)
            if (fl[j].path && strstr(fl[j].path, "addresses") && hostname_like(fl[j].value) &&
                find_exact(nn, fl[j].value) < 0 && add(nn, fl[j].value, (long)nn->v[c].canon, SRC_ADDRESS) < 0)
                return LHT_ENOMEM;
    }
    return LHT_OK;
}

/* Every node name on the part's records, into v (deduplicated). */
static int record_names(const struct lht_facts *f, const struct lht_case_part *p, const char ***v, size_t *n,
                        size_t *cap)
{
    size_t t, i, j;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        const char *last = NULL;
        if (d->parent >= 0 || (d->flags & LHT_TF_NO_NODE))
            continue;
        for (i = p->first[t]; i < p->first[t] + p->count[t]; i++) {
            const char *nd = ((const struct lht_prov *)lht_fact_record(f, (int)t, i))->node;
            if (nd == NULL || nd == last)
                continue;
            last = nd;
            for (j = 0; j < *n && strcmp((*v)[j], nd) != 0; j++)
                ;
            if (j < *n)
                continue;
            if (*n == *cap) {
                const char **nv = realloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof **v);
                if (nv == NULL)
                    return LHT_ENOMEM;
                *v = nv;
            }
            (*v)[(*n)++] = nd;
        }
    }
    return LHT_OK;
}

static int by_length_desc(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);

    if (lx != ly)
        return lx > ly ? -1 : 1;
    return strcmp(x, y);
}

/* ---- a part's own host ---------------------------------------------------- */

/* The host a one-host input states: a hostname fact about no node. */
static const char *stated_host(const struct lht_facts *f, const struct lht_case_part *p)
{
    size_t i;
    const struct lht_kv *kv;

    for (i = p->first[LHT_FACT_KV]; i < p->first[LHT_FACT_KV] + p->count[LHT_FACT_KV]; i++) {
        kv = lht_fact_record(f, LHT_FACT_KV, i);
        if (kv->at.node == NULL && strcmp(kv->key, "hostname") == 0 && hostname_like(kv->value))
            return kv->value;
    }
    return NULL;
}

/* supportconfig names its folder scc_<host>_<yymmdd>_<hhmm>; sosreport
 * sosreport-<host>[-label][-case]-<date>-<random> (sos/policies), where
 * the host may hold '-': only a known name is taken from it. */
static const char *named_host(struct lht_node_names *nn, struct lht_facts *f, const char *name)
{
    static const char *const sos[] = {"secured-sosreport-", "sosreport-"};
    size_t i, k, best = 0;
    const char *hit = NULL;

    if (name == NULL)
        return NULL;
    if (strncmp(name, "scc_", 4) == 0) {
        const char *end = strchr(name + 4, '_');
        const char *h = end ? lht_facts_str(f, name + 4, (size_t)(end - name - 4)) : NULL;
        return hostname_like(h) ? h : NULL;
    }
    for (k = 0; k < sizeof sos / sizeof sos[0]; k++) {
        size_t pl = strlen(sos[k]);
        if (strncmp(name, sos[k], pl) != 0)
            continue;
        for (i = 0; i < nn->n; i++) {
            const char *m = nn->v[i].name;
            size_t ml = short_len(m);
            if (ml > best && strncasecmp(name + pl, m, ml) == 0 && (name[pl + ml] == '-' || name[pl + ml] == '.')) {
                best = ml;
                hit = nn->v[nn->v[i].canon].name;
            }
        }
    }
    return hit;
}

/* The one canonical node the part's records name, or -1. */
static long only_node(struct lht_node_names *nn, const char *const *v, size_t n)
{
    long c = -1;
    size_t i;

    for (i = 0; i < n; i++) {
        long k = find_exact(nn, v[i]);
        if (k < 0)
            return -1;
        if (c >= 0 && (long)nn->v[k].canon != c)
            return -1;
        c = (long)nn->v[k].canon;
    }
    return c;
}

/* ---- rewriting ------------------------------------------------------------ */

static void rewrite(struct lht_node_names *nn, struct lht_facts *f, const struct lht_case_part *p)
{
    size_t t, i;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        const char *from = NULL, *to = NULL;
        if (d->parent >= 0 || (d->flags & LHT_TF_NO_NODE))
            continue;
        for (i = p->first[t]; i < p->first[t] + p->count[t]; i++) {
            struct lht_prov *at = lht_facts_at(f, (int)t, i);
            if (at->node == NULL) {
                at->node = p->host;
                continue;
            }
            if (at->node != from) {
                long k = find_exact(nn, at->node);
                from = at->node;
                to = k >= 0 ? nn->v[nn->v[k].canon].name : at->node;
            }
            at->node = to;
        }
    }
}

static int finish(struct lht_node_names *nn)
{
    size_t i;

    if ((nn->out = calloc(nn->n + 1, sizeof *nn->out)) == NULL)
        return LHT_ENOMEM;
    for (i = 0; i < nn->n; i++) {
        nn->out[i].alias = nn->v[i].name;
        nn->out[i].node = nn->v[nn->v[i].canon].name;
        nn->out[i].source = nn->v[i].source;
    }
    return LHT_OK;
}

/* 1 when a member path of the part names a node: a bundle, whose nodes
 * its paths say, never lends one host to all its facts. */
static int names_nodes(const struct lht_facts *f, const struct lht_case_part *p)
{
    size_t nm, i;
    const struct lht_member *m = lht_facts_members(f, &nm);

    for (i = p->first_member; i < p->first_member + p->nmembers && i < nm; i++)
        if (m[i].at.node)
            return 1;
    return 0;
}

/* Hosts of the parts that are one host and name it (or no node at all). */
static int part_hosts(struct lht_node_names *nn, struct lht_facts *f, struct lht_case_part *parts, size_t np,
                      const char ***names, size_t *nnames, size_t *cap)
{
    size_t k;

    for (k = 0; k < np; k++) {
        const char *h;
        long c;
        parts[k].host = NULL;
        if (names_nodes(f, &parts[k]))
            continue;
        *nnames = 0;
        if (record_names(f, &parts[k], names, nnames, cap) != LHT_OK)
            return LHT_ENOMEM;
        if ((h = stated_host(f, &parts[k])) == NULL)
            h = named_host(nn, f, parts[k].name);
        if (h != NULL) {
            if ((c = resolve(nn, h, SRC_INPUT)) < 0)
                return LHT_ENOMEM;
            if (only_node(nn, *names, *nnames) >= 0 && only_node(nn, *names, *nnames) != c)
                continue;    /* the host it states is not the one its prompts name */
        } else if ((c = only_node(nn, *names, *nnames)) < 0) {
            continue;
        }
        parts[k].host = nn->v[c].name;
    }
    return LHT_OK;
}

int lht_case_nodes(struct lht_facts *f, struct lht_case_part *parts, size_t np, struct lht_node_names **out,
                   lht_err *err)
{
    struct lht_node_names *nn = calloc(1, sizeof *nn);
    const char **names = NULL;
    size_t n = 0, cap = 0, k;
    int rc = LHT_ENOMEM;

    *out = NULL;
    if (nn == NULL || learn_k8s(nn, f, parts, np) != LHT_OK || learn_own_names(nn, f) != LHT_OK)
        goto done;
    for (k = 0; k < np; k++) {
        const char *h = names_nodes(f, &parts[k]) ? NULL : stated_host(f, &parts[k]);
        if (record_names(f, &parts[k], &names, &n, &cap) != LHT_OK)
            goto done;
        if (h && n == cap) {
            const char **nv = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (nv == NULL)
                goto done;
            names = nv;
        }
        if (h)
            names[n++] = h;
    }
    if (n > 0)
        qsort(names, n, sizeof *names, by_length_desc);
    for (k = 0; k < n; k++)
        if (resolve(nn, names[k], SRC_HOST) < 0)
            goto done;
    /* hostname facts of hosts only a paste's prompt named */
    if (learn_own_names(nn, f) != LHT_OK || part_hosts(nn, f, parts, np, &names, &n, &cap) != LHT_OK)
        goto done;
    for (k = 0; k < np; k++)
        rewrite(nn, f, &parts[k]);
    if (finish(nn) != LHT_OK)
        goto done;
    *out = nn;
    nn = NULL;
    rc = LHT_OK;
done:
    free(names);
    lht_node_names_free(nn);
    return rc == LHT_OK ? rc : lht_err_set(err, rc, "out of memory resolving node names");
}

const struct lht_node_alias *lht_node_names_list(const struct lht_node_names *nn, size_t *n)
{
    *n = nn ? nn->n : 0;
    return nn ? nn->out : NULL;
}

void lht_node_names_free(struct lht_node_names *nn)
{
    if (nn == NULL)
        return;
    free(nn->v);
    free(nn->out);
    free(nn);
}

void lht_case_part_all(const struct lht_facts *f, const char *name, struct lht_case_part *p)
{
    size_t t;

    memset(p, 0, sizeof *p);
    for (t = 0; t < LHT_FACT_COUNT; t++)
        p->count[t] = lht_facts_count(f, (int)t);
    (void)lht_facts_members(f, &p->nmembers);
    p->name = name;
}
