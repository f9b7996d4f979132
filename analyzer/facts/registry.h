/*
 * registry.h - descriptors of the fact types, generated from
 * facts/registry.def, for the code that handles every type alike: the
 * store (insert, load, merge), the rule engine (field access, lint) and
 * explain. Module prefix: lht_fact_.
 */
#ifndef LHT_REGISTRY_H
#define LHT_REGISTRY_H

#include <stddef.h>

#include "core/strbuf.h"
#include "facts/facts.h"

enum lht_field_type { LHT_T_TEXT, LHT_T_LONG, LHT_T_INT, LHT_T_ENUM, LHT_T_REF };

enum {
    LHT_FF_NULLNEG = 1,  /* a negative value is stored as NULL */
    LHT_FF_PID = 2,      /* the field that ties a fact to a process */
    LHT_FF_REQUIRED = 4, /* NOT NULL column: a missing text is stored as "?" */
    LHT_FF_LINE = 8      /* a line of the record's member: mapped as its own line is */
};

enum {
    LHT_TF_LOGS = 1,     /* only node logs produce it (--no-logs leaves none) */
    LHT_TF_NO_NODE = 2,  /* its table has no node column */
    LHT_TF_INTERNAL = 4  /* bookkeeping of the scan, not evidence */
};

struct lht_field_desc {
    const char *name;           /* C member, and the name rules use */
    const char *column;         /* column in the type's table */
    int type;                   /* enum lht_field_type */
    size_t offset;              /* in the record struct */
    int flags;                  /* LHT_FF_* */
    const char *const *names;   /* ENUM: value names, NULL-terminated */
    unsigned log_values;        /* ENUM: values only node logs produce */
    int target;                 /* REF: the fact type it points into */
};

/* A field rules may name that is computed, not stored (a stack's frames). */
typedef const char *(*lht_virtual_fn)(const struct lht_facts *f, size_t i, struct lht_sb *scratch);
/* The line of record i's member that offset off of its virtual text came
 * from (a frame of the stack), or -1. */
typedef long (*lht_virtual_line_fn)(const struct lht_facts *f, size_t i, size_t off);
/* Types whose rules name a key instead of a field (kv, k8s): the value of
 * key for record i or NULL, and whether key is well formed (for lint). */
typedef const char *(*lht_keyed_get_fn)(const struct lht_facts *f, size_t i, const char *key,
                                        struct lht_sb *scratch);
typedef int (*lht_keyed_ok_fn)(const char *key);
typedef void (*lht_render_fn)(const struct lht_facts *f, size_t i, struct lht_sb *out);

struct lht_fact_desc {
    int id;                     /* enum lht_fact_type */
    const char *name;           /* "process" */
    const char *table;          /* "processes" */
    const char *rule;           /* name in rules' `fact:`, or NULL */
    int flags;                  /* LHT_TF_* */
    size_t size;                /* sizeof the record struct */
    int parent;                 /* child types: the parent type, else -1 */
    const char *parent_col;     /* child: column holding the parent's row id */
    const char *seq_col;        /* child: position among siblings, or NULL */
    const char *line_col;       /* child: line column, or NULL */
    const struct lht_field_desc *fields;
    size_t nfields;
    int child;                  /* parent types: the child type, else -1 */
    size_t kids_first, kids_count; /* offsets of the child range fields */
    const char *virtual_name;   /* computed field, or NULL */
    lht_virtual_fn virtual_fn;
    lht_virtual_line_fn virtual_line;
    lht_keyed_get_fn keyed_get; /* non-NULL for keyed types */
    lht_keyed_ok_fn keyed_ok;
    const char *keyed_what;     /* what a key looks like, for lint messages */
    const char *render;         /* template (registry.def), or NULL */
    lht_render_fn render_fn;    /* or a function */
};

extern const struct lht_fact_desc lht_fact_types[LHT_FACT_COUNT];

/* The type rules call `name` ("kernel_event"), or NULL. */
const struct lht_fact_desc *lht_fact_by_rule(const char *name);
/* The type named `name` in the registry ("klog"), or NULL. */
const struct lht_fact_desc *lht_fact_by_name(const char *name);
/* Field `name` of type t, or NULL. */
const struct lht_field_desc *lht_fact_field(const struct lht_fact_desc *t, const char *name);
/* The pid field of t, or NULL when t has none. */
const struct lht_field_desc *lht_fact_pid_field(const struct lht_fact_desc *t);

/* Record i of type t, and one field of it. */
const void *lht_fact_record(const struct lht_facts *f, int t, size_t i);
long lht_fact_long(const void *rec, const struct lht_field_desc *fd);
/* Text of the field as rules see it (numbers printed into scratch, enum
 * names); NULL when the record lacks it. The result may point into
 * scratch: it lives until scratch is next used. */
const char *lht_fact_text(const struct lht_facts *f, int t, size_t i, const struct lht_field_desc *fd,
                          struct lht_sb *scratch);
/* The pid of record i, or -1 when its type has none. */
long lht_fact_pid(const struct lht_facts *f, int t, size_t i);

/* One line of text standing for record i (appended to out). */
void lht_fact_render(const struct lht_facts *f, int t, size_t i, struct lht_sb *out);

#endif
