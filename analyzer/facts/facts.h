/*
 * facts.h - the in-memory fact collection for one bundle.
 *
 * Parsers (ext_*.c) turn evidence text into the plain records below and
 * append them here; the store writes the whole collection in one SQLite
 * transaction, so a bundle is either stored completely or not at all, and
 * the rule engine can run on the same records without a round trip.
 *
 * Every record keeps its provenance: the node it belongs to (NULL when
 * unknown), the archive member it came from (nested archives joined with
 * '!') and the 1-based line in that member.
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
    LHT_MOUNT_FINDMNT = 4    /* findmnt */
};

struct lht_prov {
    const char *node;    /* node name or NULL when unknown */
    const char *member;  /* archive member path, '!' between nesting levels */
    long line;           /* 1-based line in member */
};

struct lht_process {
    struct lht_prov at;
    long pid;
    long ppid;            /* -1 when the format has no PPID column */
    long tid;             /* -1 unless a thread listing (-L, LWP/SPID/TID) */
    const char *user;     /* NULL when absent */
    const char *stat;     /* STAT/S column as printed, e.g. "Ds+" */
    const char *wchan;    /* WCHAN column or NULL */
    const char *command;  /* full command line (COMMAND/CMD/ARGS), or comm */
};

struct lht_frame {
    long line;            /* line of this frame in the member */
    const char *symbol;   /* "nfs_set_open_stateid_locked" (no offset) */
    const char *offset;   /* "0x100/0x380" or NULL */
    const char *module;   /* "nfsv4" or NULL for built-in */
    int uncertain;        /* 1 for "? sym" frames of unreliable traces */
};

struct lht_stack {
    struct lht_prov at;   /* line of the first frame or the report header */
    long pid;             /* -1 when unknown */
    const char *comm;     /* task name when the source names it, else NULL */
    int origin;           /* enum lht_stack_origin */
    size_t first;         /* index of its first frame in lht_facts_frames() */
    size_t nframes;
};

struct lht_mount {
    struct lht_prov at;
    int origin;           /* enum lht_mount_origin */
    const char *source;   /* "10.43.58.194:/pvc-..." */
    const char *target;   /* mount point */
    const char *fstype;   /* "nfs4", "ext4"...; NULL when not printed (nfsstat) */
    const char *options;  /* whole option string as printed */
    const char *nfs_vers; /* "4.1", "3", "4" ...; NULL for non-NFS */
};

struct lht_hung_task {
    struct lht_prov at;
    const char *task;     /* comm */
    long pid;
    long blocked_seconds; /* -1 when the report form does not say */
    const char *when;     /* timestamp prefix as printed, or NULL */
    long stack;           /* index into lht_facts_stacks(), -1 if no trace */
};

/* A kernel log line worth keeping (NFS server messages, lease/clientid,
 * hung-task headers, WARNING/BUG headers). */
struct lht_klog {
    struct lht_prov at;
    const char *kind;     /* "nfs_not_responding", "nfs_ok", "nfs_timed_out",
                             "nfs_clientid_in_use", "nfs_lease_expired",
                             "nfs_state_recovery", "hung_task", "warning", ... */
    const char *server;   /* NFS server named in the message, or NULL */
    const char *when;     /* timestamp prefix as printed, or NULL */
    const char *text;     /* message text without the log prefix */
};

/* A key/value fact about a node (node set) or the bundle (node NULL):
 * kernel_release, os, hostname, kubelet_version, longhorn_version,
 * kubernetes_version, created_at ... */
struct lht_kv {
    struct lht_prov at;
    const char *key;
    const char *value;
};

/* A Kubernetes object picked from the bundle YAMLs, with the fields the
 * extractor table keeps (dotted paths such as "parameters.nfsOptions"). */
struct lht_object {
    struct lht_prov at;
    const char *kind;     /* "StorageClass", "Volume", "Setting" ... */
    const char *ns;       /* namespace or NULL */
    const char *name;
    size_t first, nfields;
};

struct lht_field {
    long line;
    const char *path;
    const char *value;
};

/* One archive member as seen by the scan (the evidence inventory). */
struct lht_member {
    struct lht_prov at;   /* line unused (0) */
    const char *kind;     /* evidence kind ("ps", "stack", ...) or "other" */
    long long size;       /* bytes read */
    const char *status;   /* "parsed", "skipped", "truncated", "error" */
    const char *note;     /* error or NULL */
};

/* One parsed piece of evidence: a member, or one section of a pasted
 * shell transcript. Records what was checked and how much it yielded. */
struct lht_piece {
    struct lht_prov at;   /* line = first line of the piece */
    const char *kind;     /* evidence kind name */
    const char *command;  /* transcript command or NULL */
    long records;         /* facts the parser added */
};

/* A finding: a rule that fired on this bundle, at one confidence level,
 * about one subject (a process, a node or the whole bundle). */
struct lht_finding {
    const char *rule_id;
    const char *title;
    int severity;         /* enum lht_severity (rules.h) */
    const char *confidence; /* level name: "confirmed", "suspected", ... */
    const char *node;     /* or NULL */
    long pid;             /* subject pid, -1 for node/bundle findings */
    const char *pids;     /* all pids the finding names, "123315 4711" */
    const char *remediation; /* expanded text chosen for this bundle */
    const char *next_steps;  /* expanded commands, or NULL */
    const char *refs;     /* the rule's reference URLs, one per line, or NULL */
    size_t first, nevidence; /* its evidence in lht_facts_evidence() */
};

/* One piece of evidence of a finding: which signal, where, what matched. */
struct lht_evidence {
    struct lht_prov at;
    const char *signal;   /* signal name in the rule */
    const char *fact;     /* fact kind: "process", "stack", ... */
    const char *text;     /* the fact as a line of text */
    const char *matched;  /* the part the pattern matched, or NULL */
    const char *captures; /* named groups "name=value; ...", or NULL */
    int role;             /* 0 required signal, 1 confidence-raising */
};

/* A member or line that could not be parsed; the scan goes on. */
struct lht_note {
    struct lht_prov at;
    const char *msg;
};

/* Allocates an empty collection; free with lht_facts_free(). NULL on OOM. */
struct lht_facts *lht_facts_new(void);
void lht_facts_free(struct lht_facts *f);

/* Copy [s, s+len) (or a C string) into the arena; NULL on OOM.
 * lht_facts_str(f, NULL, 0) returns NULL. */
const char *lht_facts_str(struct lht_facts *f, const char *s, size_t len);
const char *lht_facts_strz(struct lht_facts *f, const char *s);

/* Append records; return 0 or LHT_ENOMEM. */
int lht_facts_add_process(struct lht_facts *f, const struct lht_process *p);
/* Begin a stack; frames added next belong to it. *index_out may be NULL. */
int lht_facts_begin_stack(struct lht_facts *f, const struct lht_stack *s, long *index_out);
int lht_facts_add_frame(struct lht_facts *f, const struct lht_frame *fr);
int lht_facts_add_mount(struct lht_facts *f, const struct lht_mount *m);
int lht_facts_add_hung_task(struct lht_facts *f, const struct lht_hung_task *h);
int lht_facts_add_klog(struct lht_facts *f, const struct lht_klog *k);
int lht_facts_add_kv(struct lht_facts *f, const struct lht_kv *kv);
int lht_facts_begin_object(struct lht_facts *f, const struct lht_object *o);
int lht_facts_add_field(struct lht_facts *f, const struct lht_field *fl);
int lht_facts_add_member(struct lht_facts *f, const struct lht_member *m);
int lht_facts_add_piece(struct lht_facts *f, const struct lht_piece *p);
int lht_facts_add_finding(struct lht_facts *f, const struct lht_finding *fi);
/* Evidence belongs to the finding added last. */
int lht_facts_add_evidence(struct lht_facts *f, const struct lht_evidence *e);
int lht_facts_add_note(struct lht_facts *f, const struct lht_prov *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read-only views; pointers stay valid until the next add or free. */
const struct lht_process *lht_facts_processes(const struct lht_facts *f, size_t *n);
const struct lht_stack *lht_facts_stacks(const struct lht_facts *f, size_t *n);
const struct lht_frame *lht_facts_frames(const struct lht_facts *f, size_t *n);
const struct lht_mount *lht_facts_mounts(const struct lht_facts *f, size_t *n);
const struct lht_hung_task *lht_facts_hung_tasks(const struct lht_facts *f, size_t *n);
const struct lht_klog *lht_facts_klogs(const struct lht_facts *f, size_t *n);
const struct lht_kv *lht_facts_kvs(const struct lht_facts *f, size_t *n);
const struct lht_object *lht_facts_objects(const struct lht_facts *f, size_t *n);
const struct lht_field *lht_facts_fields(const struct lht_facts *f, size_t *n);
const struct lht_member *lht_facts_members(const struct lht_facts *f, size_t *n);
const struct lht_note *lht_facts_notes(const struct lht_facts *f, size_t *n);
const struct lht_piece *lht_facts_pieces(const struct lht_facts *f, size_t *n);
const struct lht_finding *lht_facts_findings(const struct lht_facts *f, size_t *n);
const struct lht_evidence *lht_facts_evidence(const struct lht_facts *f, size_t *n);
/* Drop all findings (the matcher re-runs on the same facts). */
void lht_facts_clear_findings(struct lht_facts *f);

/* Mutable access for the extractor, which fills in node names it learns
 * late (e.g. from a transcript prompt) and links hung tasks to stacks. */
struct lht_hung_task *lht_facts_hung_task_at(struct lht_facts *f, size_t i);

/* First kv value for key (node NULL = bundle level), or NULL. */
const char *lht_facts_kv_get(const struct lht_facts *f, const char *node, const char *key);

#endif
