/*
 * rules_private.h - the rule structures shared by the files of
 * analyzer/rules/ (the loader rules.c, the evaluator match.c, the
 * example runner ruletest.c); internal to that folder: everything else
 * reads rules through rules.h. Read-only after load, so one ruleset
 * serves any number of threads.
 */
#ifndef LHT_RULES_PRIVATE_H
#define LHT_RULES_PRIVATE_H

#include <pcre2.h>

#include "facts/registry.h"
#include "rules/rules.h"

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
    int type;             /* enum lht_fact_type (facts/registry.def) */
    char *field;          /* as written: a field, the computed field, or a key */
    const struct lht_field_desc *fd; /* the stored field, or NULL */
    int virt;             /* 1: the type's computed field (a stack's frames) */
    int scope;            /* enum lht_scope */
    char *same;           /* sibling: field that must be equal ("command") */
    const struct lht_field_desc *same_fd; /* that field of a process */
    char *pattern;        /* PCRE2 source or NULL */
    pcre2_code *re;
    struct lht_vpred ver; /* op NONE when absent */
    const struct lht_field_desc *origin_fd; /* the type's "origin" enum, when filtered */
    unsigned origins;     /* bit per origin value; 0 = any */
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
    char *next_steps;         /* this level's next steps, or NULL: the rule's */
};

struct lht_remedy {
    char *key;                /* bundle kv the predicate reads, or NULL = default */
    struct lht_vpred ver;
    char *text;               /* may hold {placeholders} */
};

/* A fix: the customer's own objects of a kind, rewritten (remedy.c). */
struct lht_fix_where {
    char *path;               /* field of the object ("provisioner") */
    char *pattern;
    pcre2_code *re;
};

struct lht_fix {
    char *name;               /* the {placeholder} in remediation text */
    char *object;             /* object kind ("StorageClass") */
    char *api_version;        /* of the rewritten object */
    char *rename;             /* name of the copy; {name} is the original's */
    struct lht_fix_where *where;
    int nwhere;
    char **keep;              /* fields copied: "a", or "m.*" for a map */
    int nkeep;
    char *opt_field;          /* option string to rewrite, or NULL */
    char *opt_set;            /* the option put first ("vers=4.0") */
    char **opt_drop;          /* option keys left out ("vers", "nfsvers") */
    int nopt_drop;
    char *otherwise;          /* YAML when no object matches, or NULL */
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
    struct lht_fix *fixes;
    int nfixes;
    struct lht_example *examples;
    int nexamples;
};

struct lht_ruleset {
    struct lht_rule *rules;
    size_t n;
    char digest[65];
};

/* 1 when value satisfies v (always when v has no operator). rules.c */
int lht_vpred_holds(const struct lht_vpred *v, const char *value);

/* Finding text (expand.c): template expanded for a node and its pids
 * ("123 456"), the remediation chosen by its `when`, the references one
 * per line. Arena strings of f; NULL on OOM (remediation: also when no
 * entry applies). */
const char *lht_rule_expand(const struct lht_rule *r, struct lht_facts *f, const char *tmpl,
                            const char *node, const char *pids);
const char *lht_rule_remediation(const struct lht_rule *r, struct lht_facts *f, const char *node,
                                 const char *pids);
const char *lht_rule_refs(const struct lht_rule *r, struct lht_facts *f);

/* The objects fix fx selects, rewritten as YAML, appended to out. remedy.c */
void lht_fix_render(const struct lht_fix *fx, const struct lht_facts *f, struct lht_sb *out);

#endif
