/*
 * model_private.h - shared by model.c (reading the views) and derive.c
 * (what the model works out from the rows: evidence once, verdicts,
 * anomalies, the missing-evidence list). Not for renderers.
 */
#ifndef LHT_REPORT_MODEL_PRIVATE_H
#define LHT_REPORT_MODEL_PRIVATE_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "report/model.h"

struct lht_redactor;

#define LHT_RM_CHUNK (64 * 1024)

struct lht_rm_chunk {
    struct lht_rm_chunk *next;
    size_t used, cap;
    max_align_t data[];   /* cap bytes */
};

/* The caller holds &pub; the arena stays out of the public struct. */
struct lht_rm_model {
    struct lht_report_model pub;
    struct lht_rm_chunk *arena;
};

enum lht_rm_stmt {
    S_CASES, S_INPUTS, S_NODES, S_NODE_FACTS, S_FINDINGS, S_EVIDENCE, S_CHECKED, S_NOTES,
    S_COMMAND, S_WALK, S_DSTATE, S_HUNG, S_FRAMES, S_KWARN, NSTMT
};

struct lht_rm_build {
    sqlite3 *db;
    lht_err *err;
    struct lht_rm_model *m;   /* being built; freed by the caller on failure */
    sqlite3_stmt *st[NSTMT];  /* prepared once for every case */
    struct lht_redactor *red; /* --redact: every input's text goes through it, or NULL */
    struct lht_sb raw;        /* one redacted string, before cleaning */
    struct lht_sb scratch;    /* one string as shown: redacted, then clean UTF-8 */
};

/* Rows collected on the heap while a query runs, then moved into the
 * arena, where they no longer move. */
struct lht_rm_vec {
    unsigned char *p;
    size_t n, cap, size;  /* elements, capacity, bytes per element */
};

#define LHT_RM_VEC(type) {NULL, 0, 0, sizeof(type)}

/* n bytes from the model's arena, aligned for any type; NULL on OOM.
 * The arena is freed with the model. */
void *lht_rm_alloc(struct lht_rm_build *b, size_t n);
/* A copy of [s, s+n) plus a NUL in the arena; NULL on OOM. */
char *lht_rm_strn(struct lht_rm_build *b, const char *s, size_t n);
char *lht_rm_str(struct lht_rm_build *b, const char *s);
/* Append elem (v->size bytes) to v; LHT_ENOMEM. */
int lht_rm_vec_add(struct lht_rm_vec *v, const void *elem);
/* Move v's elements into the arena and free v; *out (a pointer) is NULL
 * for none. v->n still says how many; v is not to be added to again. */
int lht_rm_vec_finish(struct lht_rm_build *b, struct lht_rm_vec *v, void *out);
/* A string list in the arena from a vec of const char *. */
int lht_rm_strs_finish(struct lht_rm_build *b, struct lht_rm_vec *v, struct lht_report_strs *out);
/* Add s to a vec of const char * unless an equal string is there. */
int lht_rm_strs_add_unique(struct lht_rm_vec *v, const char *s);
/* The error for an allocation failure (sets err, returns LHT_ENOMEM). */
int lht_rm_no_memory(struct lht_rm_build *b);

/* derive.c: evidence once (f->groups), the next steps as sentences and
 * commands (f->steps) and the verdict of one finding, after its evidence
 * and the case's volumes are read. */
int lht_rm_derive_finding(struct lht_rm_build *b, const struct lht_report_case *x,
                          struct lht_report_finding *f);
/* derive.c: drop the anomalies a finding explains, cap each kind, count
 * them; *all is the rows read, in kind order. */
int lht_rm_derive_anomalies(struct lht_rm_build *b, struct lht_report_case *x, struct lht_rm_vec *all);

#endif
