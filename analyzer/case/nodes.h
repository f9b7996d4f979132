/*
 * nodes.h - one name per node across the inputs of a case.
 *
 * A node goes by many names in one ticket: its Kubernetes node name (the
 * bundle's nodes/<node>.zip, the Node objects), its hostname (the
 * bundle's hostinfo, a sosreport's uname or hostname, a supportconfig's
 * folder), its FQDN or short name, the host in a pasted prompt. Rules
 * compare nodes by name, so before a case is evaluated every record's
 * node is rewritten to the one name the case uses for it: the Kubernetes
 * node name where one is known, else the most specific name seen. An
 * input that is one host (a sosreport, a paste of one machine) lends that
 * host to its facts that name no node.
 */
#ifndef LHT_CASE_NODES_H
#define LHT_CASE_NODES_H

#include <stddef.h>

#include "core/err.h"
#include "facts/facts.h"
#include "store/store.h"

/* One input's part of a collection that holds several inputs one after
 * the other: its records of each type and its members (whose nodes are
 * the ones its member paths name). */
struct lht_case_part {
    size_t first[LHT_FACT_COUNT], count[LHT_FACT_COUNT];
    size_t first_member, nmembers;
    const char *name;       /* the input's name: sosreport-<host>-..., scc_<host>_..., or NULL */
    const char *host;       /* set by lht_case_nodes(): the node its node-less facts belong to */
};

struct lht_node_names;

/* Resolve the node names of every part of f and rewrite each record's
 * node to the case's name for it (and node-less records of a one-host
 * part to that host). On success *out owns the alias list (names point
 * into f: f must outlive it); free with lht_node_names_free(). */
int lht_case_nodes(struct lht_facts *f, struct lht_case_part *parts, size_t nparts,
                   struct lht_node_names **out, lht_err *err);

/* Every name seen and the node it stands for (a node's own name too),
 * in the order they were learnt. Borrowed from nn. */
const struct lht_node_alias *lht_node_names_list(const struct lht_node_names *nn, size_t *n);

void lht_node_names_free(struct lht_node_names *nn);

/* A part covering everything f holds (a case of one input). */
void lht_case_part_all(const struct lht_facts *f, const char *name, struct lht_case_part *p);

#endif
