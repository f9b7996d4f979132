/*
 * factindex.c - see factindex.h.
 *
 * Every index is a hash chain over record indexes: head[bucket] is the
 * first record of a bucket, next[i] the next one, and key[i] the record's
 * key, so colliding keys are skipped while walking. Records are chained
 * from the last to the first, so a walk yields them in record order.
 */
#include "rules/factindex.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chain {
    long *head;          /* [nb] */
    long *next;          /* [n] */
    uint64_t *key;       /* [n] */
    size_t nb;           /* power of two; 0: no chain */
};

#define MAX_SAME 8       /* sibling fields indexed per run (a rule uses one) */

struct same {
    const struct lht_field_desc *fd;
    struct chain c;
    char **owned;        /* values printed for non-text fields, or NULL */
    const char **val;    /* [processes] */
};

struct lht_fidx {
    const struct lht_facts *f;
    const char **nodes;  /* id -> name; [0] = NULL */
    int nnodes;
    struct chain node_ix;          /* over the nodes array, by name */
    int *node[LHT_FACT_COUNT];     /* record -> node id */
    struct chain by_pid[LHT_FACT_COUNT];
    struct chain by_node[LHT_FACT_COUNT];
    unsigned char *first_pid;      /* processes: first of its (node, pid) */
    struct same same[MAX_SAME];
    int nsame;
};

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (s && *s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static int chain_init(struct chain *c, size_t n)
{
    size_t i;

    c->nb = 16;
    while (c->nb < 2 * n)
        c->nb *= 2;
    c->head = malloc(c->nb * sizeof *c->head);
    c->next = malloc((n ? n : 1) * sizeof *c->next);
    c->key = malloc((n ? n : 1) * sizeof *c->key);
    if (c->head == NULL || c->next == NULL || c->key == NULL)
        return LHT_ENOMEM;
    for (i = 0; i < c->nb; i++)
        c->head[i] = -1;
    return LHT_OK;
}

static void chain_put(struct chain *c, long i, uint64_t key)
{
    size_t b = (size_t)mix(key) & (c->nb - 1);

    c->key[i] = key;
    c->next[i] = c->head[b];
    c->head[b] = i;
}

static void chain_free(struct chain *c)
{
    free(c->head);
    free(c->next);
    free(c->key);
    memset(c, 0, sizeof *c);
}

static long chain_first(const struct chain *c, uint64_t key)
{
    long i;

    if (c->nb == 0)
        return -1;
    for (i = c->head[(size_t)mix(key) & (c->nb - 1)]; i >= 0 && c->key[i] != key; i = c->next[i])
        ;
    return i;
}

static long chain_next(const struct chain *c, long i)
{
    uint64_t key = c->key[i];

    for (i = c->next[i]; i >= 0 && c->key[i] != key; i = c->next[i])
        ;
    return i;
}

/* ---- nodes ------------------------------------------------------------- */

/* Id of node (interning it when add); -1 when unknown and !add. */
static int intern(struct lht_fidx *x, const char *node, int add, int *cap)
{
    uint64_t h = str_hash(node);
    long i;

    if (node == NULL)
        return 0;
    for (i = chain_first(&x->node_ix, h); i >= 0; i = chain_next(&x->node_ix, i))
        if (strcmp(x->nodes[i], node) == 0)
            return (int)i;
    if (!add)
        return -1;
    if (x->nnodes == *cap) {
        /* at most one node per record was counted into the chain's size */
        return -1;
    }
    x->nodes[x->nnodes] = node;
    chain_put(&x->node_ix, x->nnodes, h);
    return x->nnodes++;
}

static size_t top_level_records(const struct lht_facts *f)
{
    size_t t, n = 0;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (lht_fact_types[t].parent < 0)
            n += lht_facts_count(f, (int)t);
    return n;
}

static int index_nodes(struct lht_fidx *x)
{
    size_t t, i, total = top_level_records(x->f) + 1;
    int cap = (int)(total > 1u << 30 ? 1u << 30 : total);

    x->nodes = calloc((size_t)cap, sizeof *x->nodes);
    if (x->nodes == NULL || chain_init(&x->node_ix, (size_t)cap) != LHT_OK)
        return LHT_ENOMEM;
    x->nodes[0] = NULL;   /* id 0 is "no node": never in the chain */
    x->nnodes = 1;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        size_t n = lht_facts_count(x->f, (int)t);
        const struct lht_fact_desc *d = &lht_fact_types[t];
        if ((x->node[t] = malloc((n ? n : 1) * sizeof *x->node[t])) == NULL)
            return LHT_ENOMEM;
        for (i = 0; i < n; i++) {
            if (d->parent >= 0) {
                const struct lht_child_head *c = lht_fact_record(x->f, (int)t, i);
                x->node[t][i] = x->node[d->parent][c->parent];
            } else {
                x->node[t][i] = intern(x, lht_facts_prov(x->f, (int)t, i).node, 1, &cap);
                if (x->node[t][i] < 0)
                    return LHT_ENOMEM;
            }
        }
    }
    return LHT_OK;
}

/* ---- per type ---------------------------------------------------------- */

static int index_type(struct lht_fidx *x, int t)
{
    const struct lht_field_desc *pid = lht_fact_pid_field(&lht_fact_types[t]);
    size_t n = lht_facts_count(x->f, t);
    long i;

    if (chain_init(&x->by_node[t], n) != LHT_OK || (pid && chain_init(&x->by_pid[t], n) != LHT_OK))
        return LHT_ENOMEM;
    for (i = (long)n - 1; i >= 0; i--) {
        chain_put(&x->by_node[t], i, (uint64_t)x->node[t][i]);
        if (pid)
            chain_put(&x->by_pid[t], i, (uint64_t)lht_fact_long(lht_fact_record(x->f, t, (size_t)i), pid));
    }
    return LHT_OK;
}

/* Which process rows are the first of their (node, pid). */
static int index_first_pids(struct lht_fidx *x)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(x->f, &n);
    struct chain c = {0};
    int rc = LHT_OK;

    if ((x->first_pid = calloc(n ? n : 1, 1)) == NULL || chain_init(&c, n) != LHT_OK) {
        rc = LHT_ENOMEM;
        goto done;
    }
    for (i = 0; i < n; i++) {
        uint64_t key = ((uint64_t)(uint32_t)x->node[LHT_FACT_PROCESS][i] << 32) | (uint32_t)p[i].pid;
        /* the chain holds only earlier rows here */
        x->first_pid[i] = chain_first(&c, key) < 0;
        chain_put(&c, (long)i, key);
    }
done:
    chain_free(&c);
    return rc;
}

int lht_fidx_build(const struct lht_facts *f, struct lht_fidx **out)
{
    struct lht_fidx *x = calloc(1, sizeof *x);
    int t;

    *out = NULL;
    if (x == NULL)
        return LHT_ENOMEM;
    x->f = f;
    if (index_nodes(x) != LHT_OK)
        goto fail;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (index_type(x, t) != LHT_OK)
            goto fail;
    if (index_first_pids(x) != LHT_OK)
        goto fail;
    *out = x;
    return LHT_OK;
fail:
    lht_fidx_free(x);
    return LHT_ENOMEM;
}

void lht_fidx_free(struct lht_fidx *x)
{
    int t, k;
    size_t i, n;

    if (x == NULL)
        return;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        free(x->node[t]);
        chain_free(&x->by_pid[t]);
        chain_free(&x->by_node[t]);
    }
    for (k = 0; k < x->nsame; k++) {
        chain_free(&x->same[k].c);
        if (x->same[k].owned) {
            n = lht_facts_count(x->f, LHT_FACT_PROCESS);
            for (i = 0; i < n; i++)
                free(x->same[k].owned[i]);
            free(x->same[k].owned);
        }
        free(x->same[k].val);
    }
    chain_free(&x->node_ix);
    free(x->nodes);
    free(x->first_pid);
    free(x);
}

/* ---- queries ----------------------------------------------------------- */

int lht_fidx_node_id(const struct lht_fidx *x, const char *node)
{
    return intern((struct lht_fidx *)x, node, 0, NULL);
}

int lht_fidx_nodes(const struct lht_fidx *x)
{
    return x->nnodes;
}

int lht_fidx_node_of(const struct lht_fidx *x, int t, size_t i)
{
    return x->node[t][i];
}

long lht_fidx_pid_first(const struct lht_fidx *x, int t, long pid)
{
    return chain_first(&x->by_pid[t], (uint64_t)pid);
}

long lht_fidx_pid_next(const struct lht_fidx *x, int t, long i)
{
    return chain_next(&x->by_pid[t], i);
}

long lht_fidx_node_first(const struct lht_fidx *x, int t, int node)
{
    return chain_first(&x->by_node[t], (uint64_t)node);
}

long lht_fidx_node_next(const struct lht_fidx *x, int t, long i)
{
    return chain_next(&x->by_node[t], i);
}

int lht_fidx_first_of_pid(const struct lht_fidx *x, size_t i)
{
    return x->first_pid[i];
}

/* ---- processes sharing a field ----------------------------------------- */

static uint64_t same_key(int node, const char *v)
{
    return str_hash(v) * 31 + (uint64_t)node;
}

static struct same *same_index(struct lht_fidx *x, const struct lht_field_desc *fd)
{
    size_t n = lht_facts_count(x->f, LHT_FACT_PROCESS);
    struct lht_sb sb = LHT_SB_INIT;
    struct same *s;
    long i;
    int k;

    for (k = 0; k < x->nsame; k++)
        if (x->same[k].fd == fd)
            return &x->same[k];
    if (x->nsame == MAX_SAME)
        return NULL;
    s = &x->same[x->nsame++];
    memset(s, 0, sizeof *s);
    s->fd = fd;
    if ((s->val = calloc(n ? n : 1, sizeof *s->val)) == NULL || chain_init(&s->c, n) != LHT_OK ||
        (fd->type != LHT_T_TEXT && (s->owned = calloc(n ? n : 1, sizeof *s->owned)) == NULL))
        return NULL;
    for (i = (long)n - 1; i >= 0; i--) {
        const char *v = lht_fact_text(x->f, LHT_FACT_PROCESS, (size_t)i, fd, &sb);
        if (v && s->owned) {
            /* a number printed into scratch: keep a copy */
            if ((s->owned[i] = strdup(v)) == NULL)
                break;
            v = s->owned[i];
        }
        s->val[i] = v;
        chain_put(&s->c, i, same_key(x->node[LHT_FACT_PROCESS][i], v));
    }
    lht_sb_free(&sb);
    return i < 0 ? s : NULL;
}

int lht_fidx_same_first(struct lht_fidx *x, const struct lht_field_desc *fd, int node, const char *value,
                        long *first)
{
    struct same *s = same_index(x, fd);
    long i;

    *first = -1;
    if (s == NULL)
        return LHT_ENOMEM;
    for (i = chain_first(&s->c, same_key(node, value)); i >= 0; i = chain_next(&s->c, i))
        if (s->val[i] && x->node[LHT_FACT_PROCESS][i] == node && strcmp(s->val[i], value) == 0)
            break;
    *first = i;
    return LHT_OK;
}

long lht_fidx_same_next(const struct lht_fidx *x, const struct lht_field_desc *fd, long i)
{
    const struct same *s = NULL;
    int k, node = x->node[LHT_FACT_PROCESS][i];
    const char *value;

    for (k = 0; k < x->nsame; k++)
        if (x->same[k].fd == fd)
            s = &x->same[k];
    if (s == NULL)
        return -1;
    value = s->val[i];
    for (i = chain_next(&s->c, i); i >= 0; i = chain_next(&s->c, i))
        if (s->val[i] && x->node[LHT_FACT_PROCESS][i] == node && strcmp(s->val[i], value) == 0)
            return i;
    return -1;
}
