/*
 * fields.h - the few fact fields and renderings the registry cannot state
 * as data: a stack's frames as one text, keyed access to kv and k8s facts,
 * and how a stack frame prints. Named from facts/registry.def.
 */
#ifndef LHT_FIELDS_H
#define LHT_FIELDS_H

#include "facts/registry.h"

/* Symbols of stack i joined with '\n', innermost first (into scratch). */
const char *lht_stack_frames_field(const struct lht_facts *f, size_t i, struct lht_sb *scratch);
/* The same for the stack a hung-task report links to ("" when none). */
const char *lht_hung_task_frames_field(const struct lht_facts *f, size_t i, struct lht_sb *scratch);

/* The line of the frame at offset off of those texts, or -1. */
long lht_stack_frames_line(const struct lht_facts *f, size_t i, size_t off);
long lht_hung_task_frames_line(const struct lht_facts *f, size_t i, size_t off);

/* kv: the value when record i's key is `key`. */
const char *lht_kv_keyed_get(const struct lht_facts *f, size_t i, const char *key,
                             struct lht_sb *scratch);
int lht_kv_keyed_ok(const char *key);
/* k8s field: "Kind.path" - the value when record i has that path in an
 * object of that kind. */
const char *lht_k8s_keyed_get(const struct lht_facts *f, size_t i, const char *key,
                              struct lht_sb *scratch);
int lht_k8s_keyed_ok(const char *key);

/* "? sym+0x1/0x2 [mod]" for frame i; a stack is its frames, one per line. */
void lht_frame_render(const struct lht_facts *f, size_t i, struct lht_sb *out);
void lht_stack_render(const struct lht_facts *f, size_t i, struct lht_sb *out);

#endif
