/*
 * model.h - the report model: what a report says, read once from the
 * database through the v_* views.
 *
 * Renderers (markdown.c, json.c, and any later one) only format a built
 * model; none of them queries the database. So every format shows the
 * same bundles, findings and evidence in the same order, and a new format
 * is a new file that walks these structs.
 *
 * The model is a read-only tree of plain structs. Every pointer in it,
 * strings included, belongs to the model and lives until
 * lht_report_model_free(); a renderer never frees or changes anything.
 * Strings hold bundle text as stored, except that they are always valid
 * UTF-8: a byte that is not part of a character, and a control byte other
 * than tab and newline, is the four characters \xNN (utf8.h), so every
 * format shows the same text (still untrusted: escaping for the place the
 * text lands in is the renderer's job); with o->redact, every
 * string that comes from an input (case and input names and paths, nodes,
 * hosts, versions, evidence, notes, finding text) is redacted here
 * (redact.h), so no renderer can show an unredacted one. A NULL string is a
 * NULL in the database ("unknown"); integers that may be NULL come with a
 * has_ flag.
 *
 * The model is a list of cases (tickets): each names its inputs (the
 * bundle, pastes, sosreports the user scanned), the nodes they share, and
 * the findings the rules made on all of them together, each finding's
 * evidence naming the input it came from. An input whose content another
 * input of the case has (the bundle as zip and as tar.gz) is listed with
 * duplicate_of and counted once.
 *
 * Order is total, so the same database always gives the same model:
 * cases by name then id; inputs by the name they were typed as, then id;
 * findings worst first (v_findings.severity_rank), then rule, node, pid,
 * id; evidence required before supporting, then by sequence; checked
 * evidence by kind then node; notes by input, member, line, message;
 * fleet signatures by case count (most first) then rule.
 */
#ifndef LHT_REPORT_MODEL_H
#define LHT_REPORT_MODEL_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/err.h"
#include "report/report.h"

/* Notes ("could not be read") kept per case; a broken bundle can have
 * thousands, and the report is for a ticket. */
#define LHT_REPORT_MAX_NOTES 50
/* Anomalies kept per kind per case (the count says how many there were). */
#define LHT_REPORT_MAX_ANOMALIES 8
/* Volumes of the walk kept per case. */
#define LHT_REPORT_MAX_VOLUMES 20

/* A list of strings (none: n 0, v NULL). */
struct lht_report_strs {
    const char *const *v;
    size_t n;
};

/* One place a piece of evidence was read. */
struct lht_report_source {
    const char *input;     /* the input, as typed, or NULL */
    const char *member;    /* archive member (nested paths joined with '!'), or NULL */
    long long line;        /* when has_line */
    int has_line;
};

/* One distinct piece of evidence of a finding: a fact whose text several
 * inputs or signals share is one item, with every source it was read from
 * (first read first) and every signal it made true. */
struct lht_report_item {
    const char *fact;      /* fact type */
    const char *role;      /* "required" when any of its signals is, else "supporting" */
    const char *text;      /* the fact as text (else what was matched); never NULL */
    const char *matched;   /* what a pattern matched, when it says more than text, or NULL */
    const char *captures;  /* named groups "name=value; ...", or NULL */
    struct lht_report_strs signals;
    const struct lht_report_source *sources;
    size_t nsources;
};

/* Items grouped by the member they were first read from, in the order
 * the evidence came (required first). */
struct lht_report_group {
    const char *input;     /* of the member, as typed, or NULL */
    const char *member;    /* or NULL */
    const struct lht_report_item *items;
    size_t nitems;
};

/* A finding's next steps: a sentence, then the commands it asks for. */
struct lht_report_step {
    const char *text;      /* prose, or NULL */
    struct lht_report_strs commands;
};

/* A pod that mounts a volume (from the kubelet path's UID and the YAMLs). */
struct lht_report_pod {
    const char *node;      /* where it mounts the volume */
    const char *uid;       /* from the mount path, or NULL */
    const char *name;      /* from the YAMLs, or NULL when the bundle has no such pod */
    const char *ns;
    const char *workload;  /* "ReplicaSet/writer-7d9c5b6f4" (its owner), or NULL */
};

/* A Longhorn volume reached from the case's mounts (v_volume_walk). */
struct lht_report_volume {
    const char *name;                /* the Longhorn volume (NFS export, PV handle) */
    const char *access_mode;         /* spec.accessMode: rwo, rwx; NULL when no YAML */
    const char *state;               /* status.state */
    const char *robustness;          /* status.robustness */
    const char *pvc_namespace;       /* status.kubernetesStatus */
    const char *pvc;
    const char *share_manager_state; /* ShareManager status.state */
    const char *share_manager_node;  /* its status.ownerID */
    const char *share_manager_pod;   /* the pod share-manager-<volume>, when listed */
    const char *server;              /* the NFS server address clients mount */
    const char *nfs_vers;            /* the highest NFS version it is mounted with, or NULL */
    const char *storage_class;       /* the PV's */
    const char *storage_class_nfs_options;
    struct lht_report_strs clients;  /* nodes that mount it over NFS */
    const struct lht_report_pod *pods;
    size_t npods;
};

/* A file the finding's subject has open on an NFS mount (lsof's NAME
 * column: "/data/index.html (10.43.58.194:/pvc-...)"). */
struct lht_report_open_file {
    const char *path;         /* as lsof printed it, without the mount */
    const char *mount;        /* "server:/export", or NULL */
    const long long *others;  /* other pids of the node holding the same file */
    size_t nothers;
};

/* The finding in one line: what, where, which volume, how sure, the fix. */
struct lht_report_verdict {
    const char *command;             /* the subject pid's command line, or NULL */
    struct lht_report_strs volumes;  /* Longhorn volumes its node mounts over NFS (only those
                                      * its subject has files open on, when lsof says) */
    struct lht_report_strs pvcs;     /* "namespace/name" of those volumes */
    struct lht_report_strs workloads;/* owners of the pods on its node that mount them */
    struct lht_report_strs pods;     /* "namespace/name" (or "uid <uid>") of those pods */
    struct lht_report_strs why;      /* the required signals: "open_state_wait: stack, member line 7" */
    const char *fix;                 /* the remediation's first sentence, or NULL */
    const struct lht_report_open_file *files;   /* from lsof, when the inputs have it */
    size_t nfiles;
};

/* Something the rules did not explain: a D-state process, a hung task,
 * a kernel WARNING/BUG/panic, with where it was read. */
struct lht_report_anomaly {
    const char *kind;      /* "d_state", "hung_task", "kernel_warning" */
    const char *node;      /* or NULL */
    long long pid;         /* when has_pid */
    int has_pid;
    const char *text;      /* the ps line, the hung-task message, the warning */
    const char *detail;    /* hung task: its innermost frames "a < b < c", or NULL */
    struct lht_report_source source;
    long long repeats;     /* a warning printed again: how many more times, when has_repeats */
    long long last_line;   /* and the line of the last */
    int has_repeats;
};

/* How many anomalies of one kind a case has (shown: at most the cap). */
struct lht_report_anomaly_count {
    const char *kind;
    size_t total;
    size_t shown;
};

struct lht_report_evidence {
    const char *signal;    /* rule signal that this fact made true */
    const char *role;      /* "required" or "supporting" */
    const char *fact;      /* fact type: process, stack, mount, ... */
    const char *member;    /* archive member (nested paths joined with '!'), or NULL */
    long long line;        /* line in member, when has_line */
    int has_line;
    const char *matched;   /* what the pattern matched, or NULL */
    const char *text;      /* the fact as text, or NULL */
    const char *captures;  /* named groups "name=value; ...", or NULL */
    const char *input;     /* the input the member is in, as typed, or NULL */
};

struct lht_report_finding {
    long long id;                 /* finding_id, what `lhtriage explain` takes */
    const char *rule_id;
    const char *title;
    const char *severity;         /* info, warning, error, critical */
    int severity_rank;            /* v_findings.severity_rank: higher is worse */
    const char *confidence;
    const char *node;             /* or NULL (a case-wide finding) */
    long long pid;                /* subject pid, when has_pid */
    int has_pid;
    const char *pids;             /* every pid named, space separated, or NULL */
    const long long *pid_list;    /* the same as numbers */
    size_t npids;
    const char *remediation;      /* rule text (trusted, markdown), or NULL */
    const char *next_steps;       /* shell commands to run, or NULL */
    const struct lht_report_step *steps;  /* next_steps as sentences and their commands */
    size_t nsteps;
    const char *const *refs;      /* reference URLs; nrefs 0 when the rule had none */
    size_t nrefs;
    const struct lht_report_evidence *evidence;   /* as stored, one row per signal and source */
    size_t nevidence;
    const struct lht_report_group *groups;        /* the same, each distinct fact once */
    size_t ngroups;
    struct lht_report_verdict verdict;
};

struct lht_report_node {
    const char *name;
    const char *kernel_release;   /* or NULL */
    const char *os;               /* os, else os_image, or NULL */
};

/* One evidence kind seen on one node (node NULL: case-wide), over the
 * inputs read. */
struct lht_report_checked {
    const char *kind;
    const char *node;
    long long pieces;             /* members or transcript sections */
    long long records;            /* rows the parsers produced from them */
};

/* Evidence a triage needs that no input of the case has, and how to get it. */
struct lht_report_missing {
    const char *kind;             /* ps, stack, proc_mounts, kernel_log */
    const char *advice;           /* one sentence; `backticks` mark commands and paths */
    const char *what;             /* "kernel stacks of the D-state processes" */
    const char *node;             /* the node to run the commands on, or NULL (each node) */
    struct lht_report_strs commands;   /* exact commands to ask the customer for */
};

struct lht_report_note {
    const char *input;            /* the input, as typed */
    const char *member;           /* or NULL (about the whole input) */
    long long line;               /* when has_line */
    int has_line;
    const char *message;
};

/* Findings of one severity in one case. */
struct lht_report_count {
    const char *severity;
    int severity_rank;
    size_t n;
};

/* One input of a case: a bundle, a paste, a sosreport, as scanned. */
struct lht_report_input {
    long long id;                 /* bundle_id */
    const char *name;
    const char *file;             /* as the user typed it; else the last component of path */
    const char *path;
    const char *status;           /* ok, partial, failed */
    const char *error;            /* why partial or failed, or NULL */
    const char *created_at;       /* or NULL; "" when the scan did not know */
    const char *scanned_at;
    const char *longhorn_version; /* or NULL */
    const char *kubernetes_version;
    long long duplicate_of;       /* the input with the same content that was read, when has_duplicate_of */
    int has_duplicate_of;
    const char *host;             /* the node its node-less facts belong to, or NULL */
};

struct lht_report_case {
    long long id;                 /* case_id */
    const char *name;
    const char *path;             /* the ticket folder as typed, or NULL */
    const char *status;           /* the worst of its inputs: failed, partial, ok */
    const char *created_at;       /* earliest creation time of an input, or NULL */
    const char *scanned_at;       /* latest scan of an input */
    const char *longhorn_version; /* the first input's that states one, or NULL */
    const char *kubernetes_version;
    const struct lht_report_input *inputs;
    size_t ninputs;
    const struct lht_report_node *nodes;          /* by name, as the case names them */
    size_t nnodes;
    const struct lht_report_finding *findings;
    size_t nfindings;
    const struct lht_report_count *summary;       /* severities present, worst first */
    size_t nsummary;
    const struct lht_report_checked *checked;
    size_t nchecked;
    const struct lht_report_missing *missing;
    size_t nmissing;
    const struct lht_report_note *notes;          /* at most LHT_REPORT_MAX_NOTES */
    size_t nnotes;
    const struct lht_report_volume *volumes;      /* the volume walk, at most LHT_REPORT_MAX_VOLUMES */
    size_t nvolumes;
    const struct lht_report_anomaly *anomalies;   /* by kind, node, pid; each kind capped */
    size_t nanomalies;
    const struct lht_report_anomaly_count *anomaly_counts;   /* kinds present */
    size_t nanomaly_counts;
};

/* One rule across the cases of the report. */
struct lht_report_signature {
    const char *rule_id;
    const char *severity;         /* the worst it fired with */
    size_t cases;                 /* cases it fired in */
    size_t nodes;                 /* distinct (case, node) pairs; no node counts as one */
    const char *first_seen;       /* earliest case time (created_at, else scanned_at) */
    const char *last_seen;
};

/* The JSON document's schema version (share/lhtriage/report.schema.json). */
#define LHT_REPORT_SCHEMA_VERSION 1

struct lht_report_model {
    const char *version;          /* of the lhtriage that built the model */
    const struct lht_report_case *cases;
    size_t ncases;
    size_t ninputs;               /* over all cases */
    const struct lht_report_signature *signatures;   /* the fleet summary */
    size_t nsignatures;
};

/* Build the model of the cases o->cases names (a case id, name or ticket
 * folder) and of the cases holding the inputs o->bundles names (a bundle
 * id, a name, a path as typed or stored, or a path's last components);
 * none of either = every case. A case named twice, or matched by two
 * names, appears once. o->format is not used. On success *out owns the
 * model; free it with lht_report_model_free(). On failure *out is NULL
 * and err says why: LHT_ENOTFOUND for a name nothing matches, LHT_EDB,
 * LHT_ENOMEM. */
int lht_report_model_build(sqlite3 *db, const struct lht_report_opts *o,
                           struct lht_report_model **out, lht_err *err);

/* Free a model and everything in it. NULL is a no-op. */
void lht_report_model_free(struct lht_report_model *m);

#endif
