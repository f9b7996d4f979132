/*
 * facts.c - see facts.h.
 *
 * Records live in one growable array per fact type (element size from the
 * registry); strings live in an arena of 64 KiB chunks so that a parser
 * copying millions of short fields does one malloc per chunk, not one per
 * field.
 */
#include "facts/facts.h"
#include "facts/registry.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vec {
    void *v;
    size_t n, cap, elem;
};

struct chunk {
    struct chunk *next;
    size_t used, cap;
    unsigned long seq;            /* order of allocation, from 1 */
    char data[];
};

struct lht_facts {
    struct chunk *arena;          /* newest chunk first */
    unsigned long chunks;         /* allocated so far: the next seq - 1 */
    struct vec types[LHT_FACT_COUNT];
    struct vec members, findings, evidence;
};

#define CHUNK_SIZE (64 * 1024)

static void *vec_push(struct vec *v, const void *rec)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void *nv = realloc(v->v, cap * v->elem);
        if (nv == NULL)
            return NULL;
        v->v = nv;
        v->cap = cap;
    }
    void *slot = (char *)v->v + v->n * v->elem;
    memcpy(slot, rec, v->elem);
    v->n++;
    return slot;
}

struct lht_facts *lht_facts_new(void)
{
    struct lht_facts *f = calloc(1, sizeof *f);
    size_t t;

    if (f == NULL)
        return NULL;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        f->types[t].elem = lht_fact_types[t].size;
    f->members.elem = sizeof(struct lht_member);
    f->findings.elem = sizeof(struct lht_finding);
    f->evidence.elem = sizeof(struct lht_evidence);
    return f;
}

void lht_facts_free(struct lht_facts *f)
{
    struct chunk *c, *next;
    size_t t;

    if (f == NULL)
        return;
    for (c = f->arena; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    for (t = 0; t < LHT_FACT_COUNT; t++)
        free(f->types[t].v);
    free(f->members.v);
    free(f->findings.v);
    free(f->evidence.v);
    free(f);
}

const char *lht_facts_str(struct lht_facts *f, const char *s, size_t len)
{
    struct chunk *c = f->arena;
    char *out;

    if (s == NULL)
        return NULL;
    if (c == NULL || c->cap - c->used < len + 1) {
        size_t cap = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;
        struct chunk *nc = malloc(sizeof *nc + cap);
        if (nc == NULL)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        nc->seq = ++f->chunks;
        /* A big string gets its own chunk behind the current one so the
         * partly filled chunk keeps serving small strings. */
        if (c != NULL && cap > CHUNK_SIZE) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            f->arena = nc;
        }
        c = nc;
    }
    out = c->data + c->used;
    memcpy(out, s, len);
    out[len] = '\0';
    c->used += len + 1;
    return out;
}

const char *lht_facts_strz(struct lht_facts *f, const char *s)
{
    return s ? lht_facts_str(f, s, strlen(s)) : NULL;
}

int lht_facts_add_child(struct lht_facts *f, int t, const void *rec, size_t parent)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    const struct lht_fact_desc *pd;
    struct vec *v = &f->types[t], *pv;
    char *slot, *prec;
    size_t *first, *count;

    if (d->parent < 0 || parent >= f->types[d->parent].n)
        return LHT_EUSAGE;
    pd = &lht_fact_types[d->parent];
    pv = &f->types[d->parent];
    prec = (char *)pv->v + parent * pv->elem;
    first = (size_t *)(void *)(prec + pd->kids_first);
    count = (size_t *)(void *)(prec + pd->kids_count);
    /* a parent's children are one run of the child array */
    if (*count > 0 && *first + *count != v->n)
        return LHT_EUSAGE;
    if ((slot = vec_push(v, rec)) == NULL)
        return LHT_ENOMEM;
    ((struct lht_child_head *)(void *)slot)->parent = parent;
    if (*count == 0)
        *first = v->n - 1;
    (*count)++;
    return LHT_OK;
}

int lht_facts_add(struct lht_facts *f, int t, const void *rec, size_t *index_out)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    struct vec *v = &f->types[t];
    char *slot;

    if (d->parent >= 0) {
        /* belongs to the newest parent */
        int rc;
        if (f->types[d->parent].n == 0)
            return LHT_EUSAGE;
        if ((rc = lht_facts_add_child(f, t, rec, f->types[d->parent].n - 1)) != LHT_OK)
            return rc;
    } else {
        if ((slot = vec_push(v, rec)) == NULL)
            return LHT_ENOMEM;
        if (d->child >= 0) {
            /* its children are the ones added from now on */
            *(size_t *)(void *)(slot + d->kids_first) = f->types[d->child].n;
            *(size_t *)(void *)(slot + d->kids_count) = 0;
        }
    }
    if (index_out)
        *index_out = v->n - 1;
    return LHT_OK;
}

const void *lht_facts_all(const struct lht_facts *f, int t, size_t *n)
{
    *n = f->types[t].n;
    return f->types[t].v;
}

size_t lht_facts_count(const struct lht_facts *f, int t)
{
    return f->types[t].n;
}

void *lht_facts_at(struct lht_facts *f, int t, size_t i)
{
    struct vec *v = &f->types[t];
    return i < v->n ? (char *)v->v + i * v->elem : NULL;
}

struct lht_prov lht_facts_prov(const struct lht_facts *f, int t, size_t i)
{
    const struct lht_fact_desc *d = &lht_fact_types[t];
    struct lht_prov none = {NULL, NULL, 0}, p;
    const void *rec = lht_fact_record(f, t, i);
    const struct lht_child_head *c = rec;

    if (rec == NULL)
        return none;
    if (d->parent < 0)
        return *(const struct lht_prov *)rec;
    p = lht_facts_prov(f, d->parent, c->parent);
    p.line = c->line;
    return p;
}

void lht_facts_snapshot(const struct lht_facts *f, struct lht_facts_mark *m)
{
    size_t t;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        m->n[t] = f->types[t].n;
    m->members = f->members.n;
    m->chunks = f->chunks;
    m->head_seq = f->arena ? f->arena->seq : 0;
    m->head_used = f->arena ? f->arena->used : 0;
}

int lht_facts_rewind(struct lht_facts *f, const struct lht_facts_mark *m)
{
    struct chunk **pp, *c;
    size_t t, i;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        if (m->n[t] > f->types[t].n)
            return LHT_EUSAGE;
        if (d->parent < 0)
            continue;
        for (i = m->n[t]; i < f->types[t].n; i++) {
            const struct lht_child_head *h = (const void *)((char *)f->types[t].v + i * f->types[t].elem);
            if (h->parent < m->n[d->parent])
                return LHT_EUSAGE;   /* a kept record would lose a child */
        }
    }
    for (t = 0; t < LHT_FACT_COUNT; t++)
        f->types[t].n = m->n[t];
    /* the chunks allocated since, wherever a big string put them; the
     * head of then keeps what it held then */
    for (pp = &f->arena; (c = *pp) != NULL;) {
        if (c->seq > m->chunks) {
            *pp = c->next;
            free(c);
        } else {
            pp = &c->next;
        }
    }
    f->chunks = m->chunks;
    if (f->arena && f->arena->seq == m->head_seq)
        f->arena->used = m->head_used;
    return LHT_OK;
}

void lht_facts_range_view(const struct lht_facts *f, const struct lht_facts_mark *from,
                          struct lht_facts_range *r)
{
    size_t t, mb = from ? from->members : 0;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct vec *v = &f->types[t];
        r->base[t] = from ? from->n[t] : 0;
        r->n[t] = v->n - r->base[t];
        r->rec[t] = (const char *)v->v + r->base[t] * v->elem;
    }
    r->members = (const struct lht_member *)f->members.v + mb;
    r->nmembers = f->members.n - mb;
}

static int vec_reserve(struct vec *v, size_t n)
{
    size_t cap = v->cap ? v->cap : 64;
    void *nv;

    if (v->n + n <= v->cap)
        return LHT_OK;
    while (cap < v->n + n)
        cap *= 2;
    if ((nv = realloc(v->v, cap * v->elem)) == NULL)
        return LHT_ENOMEM;
    v->v = nv;
    v->cap = cap;
    return LHT_OK;
}

int lht_facts_append(struct lht_facts *dst, struct lht_facts *src)
{
    size_t base[LHT_FACT_COUNT], t, i, k;
    struct chunk *c, *next, *last = NULL;

    if (src->findings.n || src->evidence.n)
        return LHT_EUSAGE;
    /* room first, so that a failure changes nothing */
    for (t = 0; t < LHT_FACT_COUNT; t++)
        if (vec_reserve(&dst->types[t], src->types[t].n) != LHT_OK)
            return LHT_ENOMEM;
    if (vec_reserve(&dst->members, src->members.n) != LHT_OK)
        return LHT_ENOMEM;
    for (t = 0; t < LHT_FACT_COUNT; t++)
        base[t] = dst->types[t].n;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        struct vec *v = &dst->types[t];
        char *at;
        if (src->types[t].n == 0)
            continue;
        at = (char *)v->v + v->n * v->elem;
        memcpy(at, src->types[t].v, src->types[t].n * v->elem);
        for (i = 0; i < src->types[t].n; i++) {
            char *rec = at + i * v->elem;
            if (d->parent >= 0)
                ((struct lht_child_head *)(void *)rec)->parent += base[d->parent];
            if (d->child >= 0)
                *(size_t *)(void *)(rec + d->kids_first) += base[d->child];
            for (k = 0; k < d->nfields; k++) {
                const struct lht_field_desc *fd = &d->fields[k];
                long *ref = (long *)(void *)(rec + fd->offset);
                if (fd->type == LHT_T_REF && *ref >= 0)
                    *ref += (long)base[fd->target];
            }
        }
        v->n += src->types[t].n;
        src->types[t].n = 0;
    }
    if (src->members.n)
        memcpy((char *)dst->members.v + dst->members.n * dst->members.elem, src->members.v,
               src->members.n * src->members.elem);
    dst->members.n += src->members.n;
    src->members.n = 0;
    /* src's chunks go behind dst's newest, which keeps serving small
     * strings; they count as allocated now (lht_facts_rewind) */
    for (c = src->arena; c != NULL; c = next) {
        next = c->next;
        c->seq = ++dst->chunks;
        if (dst->arena == NULL) {
            dst->arena = c;
            c->next = NULL;
        } else {
            struct chunk **slot = last ? &last->next : &dst->arena->next;
            c->next = *slot;
            *slot = c;
        }
        last = c;
    }
    src->arena = NULL;
    src->chunks = 0;
    return LHT_OK;
}

size_t lht_facts_added(const struct lht_facts_mark *from, const struct lht_facts_mark *to)
{
    size_t t, n = to->members - from->members;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        n += to->n[t] - from->n[t];
    return n;
}

struct lht_facts_range *lht_facts_range_copy(const struct lht_facts *f, const struct lht_facts_mark *from,
                                             const struct lht_facts_mark *to)
{
    struct lht_facts_range *r;
    size_t t, bytes = sizeof *r, off;
    char *p;

    /* the pieces follow one another unpadded: every record and member
     * starts with a pointer or a size_t, so each size keeps the next piece
     * aligned */
    for (t = 0; t < LHT_FACT_COUNT; t++)
        bytes += (to->n[t] - from->n[t]) * f->types[t].elem;
    bytes += (to->members - from->members) * sizeof(struct lht_member);
    if ((r = malloc(bytes)) == NULL)
        return NULL;
    p = (char *)(r + 1);
    off = 0;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct vec *v = &f->types[t];
        size_t len = (to->n[t] - from->n[t]) * v->elem;
        r->base[t] = from->n[t];
        r->n[t] = to->n[t] - from->n[t];
        r->rec[t] = p + off;
        if (len)
            memcpy(p + off, (const char *)v->v + from->n[t] * v->elem, len);
        off += len;
    }
    r->members = (const struct lht_member *)(const void *)(p + off);
    r->nmembers = to->members - from->members;
    if (r->nmembers)
        memcpy(p + off, (const struct lht_member *)f->members.v + from->members,
               r->nmembers * sizeof(struct lht_member));
    return r;
}

void lht_facts_map_lines(struct lht_facts *f, const struct lht_facts_mark *since,
                         long (*map)(const void *ud, long line), const void *ud)
{
    size_t t, i;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        struct vec *v = &f->types[t];
        /* every record starts with its line: struct lht_prov for a fact,
         * struct lht_child_head for a child */
        for (i = since->n[t]; i < v->n; i++) {
            char *rec = (char *)v->v + i * v->elem;
            long *line = lht_fact_types[t].parent < 0 ? &((struct lht_prov *)(void *)rec)->line
                                                      : &((struct lht_child_head *)(void *)rec)->line;
            size_t k;
            if (*line > 0)
                *line = map(ud, *line);
            for (k = 0; k < lht_fact_types[t].nfields; k++) {
                const struct lht_field_desc *fd = &lht_fact_types[t].fields[k];
                long *l = (long *)(void *)(rec + fd->offset);
                if ((fd->flags & LHT_FF_LINE) && fd->type == LHT_T_LONG && *l > 0)
                    *l = map(ud, *l);
            }
        }
    }
}

#define ADD(vecname, rec) (vec_push(&f->vecname, (rec)) ? LHT_OK : LHT_ENOMEM)

int lht_facts_add_member(struct lht_facts *f, const struct lht_member *m) { return ADD(members, m); }

int lht_facts_note(struct lht_facts *f, const struct lht_prov *at, const char *fmt, ...)
{
    char buf[512];
    struct lht_note n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    n.at = *at;
    n.msg = lht_facts_strz(f, buf);
    if (n.msg == NULL)
        return LHT_ENOMEM;
    return lht_facts_add(f, LHT_FACT_NOTE, &n, NULL);
}

const struct lht_member *lht_facts_members(const struct lht_facts *f, size_t *n)
{
    *n = f->members.n;
    return f->members.v;
}

const struct lht_finding *lht_facts_findings(const struct lht_facts *f, size_t *n)
{
    *n = f->findings.n;
    return f->findings.v;
}

const struct lht_evidence *lht_facts_evidence(const struct lht_facts *f, size_t *n)
{
    *n = f->evidence.n;
    return f->evidence.v;
}

void lht_facts_clear_findings(struct lht_facts *f)
{
    f->findings.n = 0;
    f->evidence.n = 0;
}

int lht_facts_add_finding(struct lht_facts *f, const struct lht_finding *fi)
{
    struct lht_finding *slot = vec_push(&f->findings, fi);

    if (slot == NULL)
        return LHT_ENOMEM;
    slot->first = f->evidence.n;
    slot->nevidence = 0;
    return LHT_OK;
}

int lht_facts_add_evidence(struct lht_facts *f, const struct lht_evidence *e)
{
    struct lht_finding *cur;

    if (f->findings.n == 0)
        return LHT_EUSAGE;
    if (vec_push(&f->evidence, e) == NULL)
        return LHT_ENOMEM;
    cur = (struct lht_finding *)f->findings.v + (f->findings.n - 1);
    cur->nevidence++;
    return LHT_OK;
}

size_t lht_facts_give_node(struct lht_facts *f, const struct lht_facts_mark *since, const char *prefix, size_t len,
                           const char *node)
{
    size_t t, i, n = 0;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        struct vec *v = &f->types[t];
        if (d->parent >= 0 || (d->flags & LHT_TF_NO_NODE))
            continue;   /* children take their parent's node */
        for (i = since ? since->n[t] : 0; i < v->n; i++) {
            struct lht_prov *at = (struct lht_prov *)(void *)((char *)v->v + i * v->elem);
            if (at->node != NULL || (prefix && (at->member == NULL || strncmp(at->member, prefix, len) != 0)))
                continue;
            at->node = node;
            n++;
        }
    }
    return n;
}

const char *lht_facts_kv_get(const struct lht_facts *f, const char *node, const char *key)
{
    size_t n, i;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);

    for (i = 0; i < n; i++) {
        if (strcmp(kv[i].key, key) != 0)
            continue;
        if ((node == NULL) != (kv[i].at.node == NULL))
            continue;
        if (node != NULL && strcmp(node, kv[i].at.node) != 0)
            continue;
        return kv[i].value;
    }
    return NULL;
}
