/*
 * facts.h - the in-memory fact collection for one input.
 *
 * Parsers turn evidence text into the plain records declared below and
 * append them here; the store writes the whole collection in one SQLite
 * transaction, so an input is either stored completely or not at all, and
 * the rule engine runs on the same records without a round trip.
 *
 * The record structs are generated from facts/registry.def, the one
 * description of every fact type; struct lht_<name> and LHT_FACT_<ID>
 * exist for each entry there. Every top-level record keeps its
 * provenance: the node it belongs to (NULL when unknown), the member it
 * came from (nested archives joined with '!') and the 1-based line.
 *
 * Strings in records are owned by the collection (an arena freed by
 * lht_facts_free); copy them in with lht_facts_str()/lht_facts_strz().
 * The add functions copy the record struct itself, not the strings.
 */
#ifndef LHT_FACTS_H
#define LHT_FACTS_H

#include <stddef.h>

struct lht_facts;

/* Where a stack trace came from. */
enum lht_stack_origin {
    LHT_STACK_PROC = 0,      /* cat /proc/<pid>/stack */
    LHT_STACK_HUNG_TASK = 1, /* dmesg "blocked for more than" report */
    LHT_STACK_OTHER = 2      /* WARNING:/BUG:/sysrq traces in kernel logs */
};

/* Which command printed a mount row. */
enum lht_mount_origin {
    LHT_MOUNT_PROC = 0,      /* /proc/mounts, /etc/mtab */
    LHT_MOUNT_CMD = 1,       /* `mount` output: "src on dst type t (opts)" */
    LHT_MOUNT_MOUNTINFO = 2, /* /proc/self/mountinfo */
    LHT_MOUNT_NFSSTAT = 3,   /* nfsstat -m / --mount */
    LHT_MOUNT_FINDMNT = 4,   /* findmnt */
    LHT_MOUNT_MOUNTSTATS = 5 /* /proc/<pid>/mountstats, mountstats(8) */
};

/* Names of the enum values as stored (NULL-terminated). */
extern const char *const lht_stack_origin_names[];
extern const char *const lht_mount_origin_names[];

struct lht_prov {
    const char *node;    /* node name or NULL when unknown */
    const char *member;  /* archive member path, '!' between nesting levels; one
                          * string per member (its records share the pointer,
                          * which is how the matcher tells two members of one
                          * name in two inputs apart) */
    long line;           /* 1-based line in member */
};

/* Every child record starts like this (see LHT_CHILD in registry.def). */
struct lht_child_head {
    long line;           /* 1-based line in the parent's member */
    size_t parent;       /* index of its parent record */
};

/* ---- the record structs, from the registry ---------------------------- */

#define LHT_CTYPE_TEXT const char *
#define LHT_CTYPE_LONG long
#define LHT_CTYPE_INT int

#define LHT_FACT(ID, name, plural, table, rule, flags) struct lht_##name { struct lht_prov at;
#define LHT_CHILD(ID, name, plural, table, parent_type, pcol, scol, lcol, rule, flags) \
    struct lht_##name { long line; size_t parent;
#define LHT_FIELD(fact, type, name, column, flags) LHT_CTYPE_##type name;
#define LHT_ENUM(fact, name, column, names, logs) int name;
#define LHT_REF(fact, name, column, target) long name;
#define LHT_KIDS(fact, child, first_, count_) size_t first_, count_;
#define LHT_END(fact) };
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"

enum lht_fact_type {
#define LHT_FACT(ID, name, plural, table, rule, flags) LHT_FACT_##ID,
#define LHT_CHILD(ID, name, plural, table, parent_type, pcol, scol, lcol, rule, flags) LHT_FACT_##ID,
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
    LHT_FACT_COUNT
};

/* ---- findings (the rule engine's output, not facts) ------------------- */

/* A finding: a rule that fired on a case's facts, at one confidence
 * level, about one subject (a process, a node or the whole case). */
struct lht_finding {
    const char *rule_id;
    const char *title;
    int severity;         /* enum lht_severity (rules/rules.h) */
    const char *confidence; /* level name: "confirmed", "suspected", ... */
    const char *node;     /* or NULL */
    long pid;             /* subject pid, -1 for node/bundle findings */
    const char *pids;     /* all pids the finding names, "123315 4711" */
    const char *remediation; /* expanded text chosen for this bundle */
    const char *next_steps;  /* expanded commands, or NULL */
    const char *refs;     /* the rule's reference URLs, one per line, or NULL */
    size_t first, nevidence; /* its evidence in lht_facts_evidence() */
    int merged;           /* 1: one finding for a node's subjects (a level with merge: node) */
};

/* One piece of evidence of a finding: which signal, where, what matched. */
struct lht_evidence {
    struct lht_prov at;
    const char *signal;   /* signal name in the rule */
    const char *fact;     /* fact type: "process", "stack", ... */
    const char *text;     /* the fact as a line of text */
    const char *matched;  /* the part the pattern matched, or NULL */
    const char *captures; /* named groups "name=value; ...", or NULL */
    int role;             /* 0 required signal, 1 confidence-raising */
};

/* One archive member as seen by the scan (the evidence inventory). */
struct lht_member {
    struct lht_prov at;   /* line unused (0) */
    const char *kind;     /* evidence kind ("ps", "stack", ...) or "other" */
    long long size;       /* bytes read */
    const char *status;   /* "parsed", "skipped", "truncated", "error" */
    const char *note;     /* error or NULL */
};

/* ---- the collection --------------------------------------------------- */

/* Allocates an empty collection; free with lht_facts_free(). NULL on OOM. */
struct lht_facts *lht_facts_new(void);
void lht_facts_free(struct lht_facts *f);

/* Copy [s, s+len) (or a C string) into the arena; NULL on OOM.
 * lht_facts_str(f, NULL, 0) returns NULL. */
const char *lht_facts_str(struct lht_facts *f, const char *s, size_t len);
const char *lht_facts_strz(struct lht_facts *f, const char *s);

/* Append a record of type t (a struct lht_<name>); returns 0 or
 * LHT_ENOMEM. A child record belongs to the last record of its parent
 * type (LHT_EUSAGE when there is none): its parent index and the
 * parent's child count are set here. *index_out (may be NULL) gets the
 * record's index. */
int lht_facts_add(struct lht_facts *f, int t, const void *rec, size_t *index_out);

/* Append a child record of type t to parent record `parent` (for readers
 * that get children grouped by parent, parents in order). LHT_EUSAGE
 * when that would split a parent's children. */
int lht_facts_add_child(struct lht_facts *f, int t, const void *rec, size_t parent);

/* Records of type t, read-only; valid until the next add or free. */
const void *lht_facts_all(const struct lht_facts *f, int t, size_t *n);
size_t lht_facts_count(const struct lht_facts *f, int t);
/* Mutable record i of type t (for links learnt late), or NULL. */
void *lht_facts_at(struct lht_facts *f, int t, size_t i);

/* Typed shorthands for every type: lht_facts_add_<name>(f, rec) and
 * lht_facts_<plural>(f, &n), lht_facts_<name>_at(f, i). */
#define LHT_FACT(ID, name, plural, table, rule, flags)                                      \
    static inline int lht_facts_add_##name(struct lht_facts *f, const struct lht_##name *r) \
    {                                                                                        \
        return lht_facts_add(f, LHT_FACT_##ID, r, NULL);                                     \
    }                                                                                        \
    static inline const struct lht_##name *lht_facts_##plural(const struct lht_facts *f,    \
                                                               size_t *n)                    \
    {                                                                                        \
        return (const struct lht_##name *)lht_facts_all(f, LHT_FACT_##ID, n);                \
    }                                                                                        \
    static inline struct lht_##name *lht_facts_##name##_at(struct lht_facts *f, size_t i)   \
    {                                                                                        \
        return (struct lht_##name *)lht_facts_at(f, LHT_FACT_##ID, i);                       \
    }
#define LHT_CHILD(ID, name, plural, table, parent_type, pcol, scol, lcol, rule, flags) \
    LHT_FACT(ID, name, plural, table, rule, flags)
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"

int lht_facts_add_member(struct lht_facts *f, const struct lht_member *m);
int lht_facts_add_finding(struct lht_facts *f, const struct lht_finding *fi);
/* Evidence belongs to the finding added last. */
int lht_facts_add_evidence(struct lht_facts *f, const struct lht_evidence *e);
/* A note (a line or member that could not be parsed), printf-style. */
int lht_facts_note(struct lht_facts *f, const struct lht_prov *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const struct lht_member *lht_facts_members(const struct lht_facts *f, size_t *n);
const struct lht_finding *lht_facts_findings(const struct lht_facts *f, size_t *n);
const struct lht_evidence *lht_facts_evidence(const struct lht_facts *f, size_t *n);
/* Drop all findings (the matcher re-runs on the same facts). */
void lht_facts_clear_findings(struct lht_facts *f);

/* First kv value for key (node NULL = bundle level), or NULL. */
const char *lht_facts_kv_get(const struct lht_facts *f, const char *node, const char *key);

/* How many records of each type there are, to find the ones added after
 * (and where the string arena was, to take them back). */
struct lht_facts_mark {
    size_t n[LHT_FACT_COUNT];
    size_t members;
    unsigned long chunks, head_seq;
    size_t head_used;
};
void lht_facts_snapshot(const struct lht_facts *f, struct lht_facts_mark *m);

/* Drop every record and string added since m (a parser that folds what it
 * read into a record it already had). Members, findings and evidence are
 * not marked: none may have been added since. LHT_EUSAGE, and nothing
 * dropped, when a record kept would lose a child. Strings of records kept
 * must all predate m. */
int lht_facts_rewind(struct lht_facts *f, const struct lht_facts_mark *m);

/* The records and members added between two marks, as the store writes
 * them: record i of type t is rec[t] + i * its registry size, and has the
 * index base[t] + i in the facts it came from (children point at their
 * parents by those indexes). Strings stay in the facts' arena, which must
 * outlive the range. */
struct lht_facts_range {
    const void *rec[LHT_FACT_COUNT];
    size_t base[LHT_FACT_COUNT], n[LHT_FACT_COUNT];
    const struct lht_member *members;
    size_t nmembers;
};

/* A view of what was added since `from` (NULL: everything); valid until
 * the next change to f. */
void lht_facts_range_view(const struct lht_facts *f, const struct lht_facts_mark *from,
                          struct lht_facts_range *r);

/* A copy of the records between the marks, which stays valid while f
 * grows: how a reader hands what it has read so far to the writer thread
 * while it reads on. One allocation: the caller frees it with free().
 * NULL when out of memory. */
struct lht_facts_range *lht_facts_range_copy(const struct lht_facts *f, const struct lht_facts_mark *from,
                                             const struct lht_facts_mark *to);

/* Move everything in src (records, members, strings) to the end of dst,
 * as if it had been added there: indexes between records (children's
 * parents, references) are shifted to dst's. src is left empty; free it
 * with lht_facts_free. Findings are not moved: src may have none.
 * LHT_EUSAGE (src has findings) or LHT_ENOMEM, and then dst is as it was. */
int lht_facts_append(struct lht_facts *dst, struct lht_facts *src);

/* How many records and members were added between the marks. */
size_t lht_facts_added(const struct lht_facts_mark *from, const struct lht_facts_mark *to);

/* Rewrite the line of every record added since `since` (facts and
 * children alike; a line of 0, "no line", stays) as map(ud, line): the
 * parsers read an undressed copy of a member, their lines become the
 * member's own. */
void lht_facts_map_lines(struct lht_facts *f, const struct lht_facts_mark *since,
                         long (*map)(const void *ud, long line), const void *ud);

/* Give node `node` (an arena string) to every record that has none, of
 * every type with a node (facts, notes, evidence pieces; children follow
 * their parents), among those added since `since` (NULL: all) that came
 * from a member whose path starts with prefix, len bytes (NULL: any).
 * Returns how many changed. For evidence whose node only a later member
 * names (a sosreport's hostname: by prefix) or the paste itself names
 * (its prompts: since a mark). Members keep theirs: a member's node is the
 * Kubernetes node its path names (nodes/<node>.zip), and a case learns
 * node names from them first (case/nodes.c); a report's host is an alias
 * the case resolves against those. */
size_t lht_facts_give_node(struct lht_facts *f, const struct lht_facts_mark *since, const char *prefix, size_t len,
                           const char *node);

/* Provenance of record i of type t (a child takes its parent's member and
 * node, with its own line). */
struct lht_prov lht_facts_prov(const struct lht_facts *f, int t, size_t i);

#endif
