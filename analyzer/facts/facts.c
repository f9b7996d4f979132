/*
 * facts.c - see facts.h.
 *
 * Records live in growable arrays of fixed-size structs; strings live in an
 * arena of 64 KiB chunks so that a parser copying millions of short fields
 * does one malloc per chunk, not one per field.
 */
#include "facts/facts.h"
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
    char data[];
};

struct lht_facts {
    struct chunk *arena;      /* newest chunk first */
    struct vec processes, stacks, frames, mounts, hung, klogs, kvs,
        objects, fields, members, notes, pieces, findings, evidence;
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

    if (f == NULL)
        return NULL;
    f->processes.elem = sizeof(struct lht_process);
    f->stacks.elem = sizeof(struct lht_stack);
    f->frames.elem = sizeof(struct lht_frame);
    f->mounts.elem = sizeof(struct lht_mount);
    f->hung.elem = sizeof(struct lht_hung_task);
    f->klogs.elem = sizeof(struct lht_klog);
    f->kvs.elem = sizeof(struct lht_kv);
    f->objects.elem = sizeof(struct lht_object);
    f->fields.elem = sizeof(struct lht_field);
    f->members.elem = sizeof(struct lht_member);
    f->notes.elem = sizeof(struct lht_note);
    f->pieces.elem = sizeof(struct lht_piece);
    f->findings.elem = sizeof(struct lht_finding);
    f->evidence.elem = sizeof(struct lht_evidence);
    return f;
}

void lht_facts_free(struct lht_facts *f)
{
    struct chunk *c, *next;

    if (f == NULL)
        return;
    for (c = f->arena; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(f->processes.v);
    free(f->stacks.v);
    free(f->frames.v);
    free(f->mounts.v);
    free(f->hung.v);
    free(f->klogs.v);
    free(f->kvs.v);
    free(f->objects.v);
    free(f->fields.v);
    free(f->members.v);
    free(f->notes.v);
    free(f->pieces.v);
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

#define ADD(vecname, rec) (vec_push(&f->vecname, (rec)) ? LHT_OK : LHT_ENOMEM)

int lht_facts_add_process(struct lht_facts *f, const struct lht_process *p) { return ADD(processes, p); }
int lht_facts_add_mount(struct lht_facts *f, const struct lht_mount *m) { return ADD(mounts, m); }
int lht_facts_add_hung_task(struct lht_facts *f, const struct lht_hung_task *h) { return ADD(hung, h); }
int lht_facts_add_klog(struct lht_facts *f, const struct lht_klog *k) { return ADD(klogs, k); }
int lht_facts_add_kv(struct lht_facts *f, const struct lht_kv *kv) { return ADD(kvs, kv); }
int lht_facts_add_member(struct lht_facts *f, const struct lht_member *m) { return ADD(members, m); }
int lht_facts_add_piece(struct lht_facts *f, const struct lht_piece *p) { return ADD(pieces, p); }

int lht_facts_begin_stack(struct lht_facts *f, const struct lht_stack *s, long *index_out)
{
    struct lht_stack *slot = vec_push(&f->stacks, s);

    if (slot == NULL)
        return LHT_ENOMEM;
    slot->first = f->frames.n;
    slot->nframes = 0;
    if (index_out)
        *index_out = (long)(f->stacks.n - 1);
    return LHT_OK;
}

int lht_facts_add_frame(struct lht_facts *f, const struct lht_frame *fr)
{
    struct lht_stack *cur;

    if (f->stacks.n == 0)
        return LHT_EUSAGE;
    if (vec_push(&f->frames, fr) == NULL)
        return LHT_ENOMEM;
    cur = (struct lht_stack *)f->stacks.v + (f->stacks.n - 1);
    cur->nframes++;
    return LHT_OK;
}

int lht_facts_begin_object(struct lht_facts *f, const struct lht_object *o)
{
    struct lht_object *slot = vec_push(&f->objects, o);

    if (slot == NULL)
        return LHT_ENOMEM;
    slot->first = f->fields.n;
    slot->nfields = 0;
    return LHT_OK;
}

int lht_facts_add_field(struct lht_facts *f, const struct lht_field *fl)
{
    struct lht_object *cur;

    if (f->objects.n == 0)
        return LHT_EUSAGE;
    if (vec_push(&f->fields, fl) == NULL)
        return LHT_ENOMEM;
    cur = (struct lht_object *)f->objects.v + (f->objects.n - 1);
    cur->nfields++;
    return LHT_OK;
}

int lht_facts_add_note(struct lht_facts *f, const struct lht_prov *at, const char *fmt, ...)
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
    return ADD(notes, &n);
}

#define VIEW(type, fn, vecname)                                       \
    const struct type *fn(const struct lht_facts *f, size_t *n)      \
    {                                                                 \
        *n = f->vecname.n;                                            \
        return f->vecname.v;                                          \
    }

VIEW(lht_process, lht_facts_processes, processes)
VIEW(lht_stack, lht_facts_stacks, stacks)
VIEW(lht_frame, lht_facts_frames, frames)
VIEW(lht_mount, lht_facts_mounts, mounts)
VIEW(lht_hung_task, lht_facts_hung_tasks, hung)
VIEW(lht_klog, lht_facts_klogs, klogs)
VIEW(lht_kv, lht_facts_kvs, kvs)
VIEW(lht_object, lht_facts_objects, objects)
VIEW(lht_field, lht_facts_fields, fields)
VIEW(lht_member, lht_facts_members, members)
VIEW(lht_note, lht_facts_notes, notes)
VIEW(lht_piece, lht_facts_pieces, pieces)
VIEW(lht_finding, lht_facts_findings, findings)
VIEW(lht_evidence, lht_facts_evidence, evidence)

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

struct lht_hung_task *lht_facts_hung_task_at(struct lht_facts *f, size_t i)
{
    return i < f->hung.n ? (struct lht_hung_task *)f->hung.v + i : NULL;
}

const char *lht_facts_kv_get(const struct lht_facts *f, const char *node, const char *key)
{
    const struct lht_kv *kv = f->kvs.v;
    size_t i;

    for (i = 0; i < f->kvs.n; i++) {
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
