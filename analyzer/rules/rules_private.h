/*
 * rules_private.h - the rule structures shared by the loader (rules.c)
 * and the evaluator (match.c). Everything is read-only after load, so one
 * ruleset serves any number of threads.
 */
#ifndef LHT_RULES_PRIVATE_H
#define LHT_RULES_PRIVATE_H

#include <pcre2.h>

#include "rules/rules.h"

enum lht_fact_kind {
    LHT_FK_PROCESS, LHT_FK_STACK, LHT_FK_MOUNT, LHT_FK_HUNG_TASK, LHT_FK_KERNEL_EVENT,
    LHT_FK_KV, LHT_FK_K8S, LHT_FK_COUNT
};

enum lht_scope {
    LHT_SC_SUBJECT,   /* the subject fact(s) themselves */
    LHT_SC_SAME_PID,  /* same node and pid as the subject */
    LHT_SC_SAME_NODE, /* same node as the subject */
    LHT_SC_BUNDLE,    /* anywhere in the bundle */
    LHT_SC_SIBLING    /* another process, same node, same `same` field */
};

enum lht_subject { LHT_SUBJ_PROCESS, LHT_SUBJ_NODE, LHT_SUBJ_BUNDLE };

enum lht_vop { LHT_VOP_NONE, LHT_VOP_LT, LHT_VOP_LE, LHT_VOP_EQ, LHT_VOP_NE, LHT_VOP_GE, LHT_VOP_GT };

struct lht_vpred {
    int op;               /* enum lht_vop */
    char *value;          /* version to compare with */
};

struct lht_signal {
    char *name;
    int kind;             /* enum lht_fact_kind */
    char *field;          /* field name; kv: the key; k8s: "Kind.path" */
    int scope;            /* enum lht_scope */
    char *same;           /* sibling: field that must be equal ("command") */
    char *pattern;        /* PCRE2 source or NULL */
    pcre2_code *re;
    struct lht_vpred ver; /* op NONE when absent */
    unsigned origins;     /* stack facts: bit per lht_stack_origin, 0 = any */
    int line;             /* in the rule file */
};

struct lht_cond {
    int *all, *none, *any;    /* signal indices */
    int nall, nnone, nany;
};

struct lht_level {
    char *name;               /* "confirmed", "suspected", ... */
    struct lht_cond cond;
    int merge_node;           /* one finding per node, pids listed */
};

struct lht_remedy {
    char *key;                /* bundle kv the predicate reads, or NULL = default */
    struct lht_vpred ver;
    char *text;               /* may hold {placeholders} */
};

struct lht_example_file {
    char *path;               /* member path the text is scanned as */
    char *text;
};

struct lht_example {
    char *name;
    char *expect;             /* level name or "none" */
    struct lht_example_file *files;
    int nfiles;
    int line;
};

struct lht_rule {
    char *file;
    char *id, *title, *description;
    int severity;
    int subject;              /* enum lht_subject */
    char **refs;
    int nrefs;
    struct lht_signal *signals;
    int nsignals;
    struct lht_level *levels;
    int nlevels;
    int *raises;              /* signals that add confidence when present */
    int nraises;
    struct lht_remedy *remedies;
    int nremedies;
    char *next_steps;         /* template, for levels other than the first */
    struct lht_example *examples;
    int nexamples;
};

struct lht_ruleset {
    struct lht_rule *rules;
    size_t n;
    char digest[65];
};

#endif
