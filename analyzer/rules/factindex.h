/*
 * factindex.h - indexes over one fact collection, built once per matcher
 * run, so that a signal looks only at the facts its scope can reach: the
 * records of one pid, of one node, or the processes sharing a field value.
 * Without them every signal of every subject re-read every fact, and a
 * ps paste of 50,000 processes took hours. Internal to analyzer/rules/.
 *
 * Nodes are interned (id 0 = no node) so scopes compare integers.
 * Candidate lists come out in record order, which keeps evidence in the
 * order the facts were read.
 */
#ifndef LHT_FACTINDEX_H
#define LHT_FACTINDEX_H

#include <stddef.h>

#include "facts/registry.h"

struct lht_fidx;

/* Index f (borrowed; must not change while the index lives). *out owns
 * it: lht_fidx_free(). LHT_ENOMEM on failure. */
int lht_fidx_build(const struct lht_facts *f, struct lht_fidx **out);
void lht_fidx_free(struct lht_fidx *x);

/* Node id of a node name (0 for NULL; -1 when no fact names it), the
 * number of ids (ids run 0..n-1), and the node of record i of type t. */
int lht_fidx_node_id(const struct lht_fidx *x, const char *node);
int lht_fidx_nodes(const struct lht_fidx *x);
int lht_fidx_node_of(const struct lht_fidx *x, int t, size_t i);

/* Iterate candidates: records of type t with pid (any node), or on node
 * id; -1 ends. Usage: for (i = first(...); i >= 0; i = next(...)). */
long lht_fidx_pid_first(const struct lht_fidx *x, int t, long pid);
long lht_fidx_pid_next(const struct lht_fidx *x, int t, long i);
long lht_fidx_node_first(const struct lht_fidx *x, int t, int node);
long lht_fidx_node_next(const struct lht_fidx *x, int t, long i);

/* Process records on node id whose field fd equals value: built on first
 * use per field. Returns LHT_OK with *first set (-1: none), or LHT_ENOMEM. */
int lht_fidx_same_first(struct lht_fidx *x, const struct lht_field_desc *fd, int node, const char *value,
                        long *first);
long lht_fidx_same_next(const struct lht_fidx *x, const struct lht_field_desc *fd, long i);

/* 1 when process record i is the first of its (node, pid). */
int lht_fidx_first_of_pid(const struct lht_fidx *x, size_t i);

#endif
