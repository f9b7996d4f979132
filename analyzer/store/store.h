/*
 * store.h - stage 4: facts (and later findings) in SQLite.
 *
 * The schema is a list of numbered migrations (schema/NNN_*.sql, embedded
 * in the binary) applied in order under PRAGMA user_version. A bundle is
 * written in one transaction: on any error nothing of it is stored and
 * what was stored before is untouched.
 */
#ifndef LHT_STORE_H
#define LHT_STORE_H

#include <sqlite3.h>

#include "core/err.h"
#include "facts/facts.h"

struct lht_store;

enum { LHT_STORE_RW = 0, LHT_STORE_RO = 1 };

/* Open (and for RW create + migrate) the database at path. On success
 * *out owns the connection; close it with lht_store_close(). */
int lht_store_open(const char *path, int mode, struct lht_store **out, lht_err *err);
void lht_store_close(struct lht_store *s);

/* Group commits for a batch of small inputs. Between batch_begin and
 * batch_commit every write (an input, a case's findings) is a savepoint
 * of one transaction: a reader, or the database after a kill -9, sees
 * either all of the batch or none of it, so a caller that commits only
 * between whole cases never shows a case half stored. A write that fails
 * is undone alone, as without a batch. batch_commit returns LHT_EDB when
 * SQLite had to roll the whole batch back (disk full, I/O error): its
 * writes are lost and the caller must say so. Both are no-ops when no
 * batch is open / one already is. */
int lht_store_batch_begin(struct lht_store *s, lht_err *err);
int lht_store_batch_commit(struct lht_store *s, lht_err *err);
/* 1 while a batch is open. */
int lht_store_batch_open(const struct lht_store *s);

/* The connection, borrowed, for queries. */
sqlite3 *lht_store_db(struct lht_store *s);

/* Schema version after migration (PRAGMA user_version). */
int lht_store_version(struct lht_store *s);

struct lht_bundle_meta {
    const char *name;
    const char *path;        /* canonical input path; the bundle's key */
    const char *sha256;      /* or NULL */
    long long size, mtime;
    const char *status;      /* "ok", "partial", "failed" */
    const char *error;       /* or NULL */
    const char *created_at;  /* or NULL */
    const char *rules_digest; /* scan key: what the facts were read with, or NULL */
    long long case_id;       /* the case it belongs to (lht_store_case_get), or 0 */
    const char *typed;       /* the input as the user typed it, or NULL */
    const char *content_id;  /* equal for the same content in any container, or NULL */
};

/* Replace whatever was stored for meta->path with this input and its
 * facts (f may be NULL for a failed input; findings in f are not stored:
 * they belong to the case, lht_store_put_case), in one transaction. The
 * input joins case meta->case_id (0: a case of its own, 'input:<path>'),
 * which is marked stale; a case it leaves is marked stale too, or deleted
 * when no input is left in it. *bundle_id (may be NULL) receives the new
 * row id; *left_case (may be NULL) the case it left that still has
 * inputs (to evaluate again), else 0. */
int lht_store_put_input(struct lht_store *s, const struct lht_bundle_meta *meta,
                        const struct lht_facts *f, long long *bundle_id, long long *left_case,
                        lht_err *err);
/* lht_store_put_input() in steps, so that the facts of a large input can
 * be written while the rest of it is still being read. open starts the
 * write (a transaction, or a savepoint of the open batch), removes what
 * was stored for path (lht_store_find no longer sees it) and writes under
 * a placeholder row; range writes records, in the order of the input's
 * facts (each range starts where the one before ended); close writes the
 * last range (r may be NULL), gives the row meta's values (meta->path must
 * be path) and the cases what lht_store_put_input gives them, and ends
 * the write. abort takes everything back, the old row too. On failure
 * range and close abort themselves. The handle is freed by close or
 * abort. One input at a time per store; other writes between open and
 * close need an open batch (lht_store_batch_begin), and become part of
 * this write. */
struct lht_store_put;
int lht_store_put_open(struct lht_store *s, const char *path, struct lht_store_put **out, lht_err *err);
int lht_store_put_range(struct lht_store_put *p, const struct lht_facts_range *r, lht_err *err);
int lht_store_put_close(struct lht_store_put *p, const struct lht_bundle_meta *meta, const struct lht_facts_range *r,
                        long long *bundle_id, long long *left_case, lht_err *err);
void lht_store_put_abort(struct lht_store_put *p);

/* lht_store_put_input() without left_case. */
int lht_store_put_bundle(struct lht_store *s, const struct lht_bundle_meta *meta,
                         const struct lht_facts *f, long long *bundle_id, lht_err *err);

/* Record an input that could not be read (status "failed"), unless a
 * readable scan of the same path is already stored: a failed re-scan
 * never destroys earlier facts. *kept is set to 1 in that case. */
int lht_store_put_failure(struct lht_store *s, const struct lht_bundle_meta *meta,
                          int *kept, lht_err *err);

/* What the database holds about an input path, for incremental scans. */
struct lht_stored {
    long long id;           /* its bundles row */
    long long size, mtime;
    char sha256[65];        /* "" when unknown */
    char rules_digest[96];  /* scan key: rules digest [+no-logs], "" when unknown */
    char status[16];
    char scanned_at[32];
    long long case_id;      /* 0 when it belongs to none */
};

/* 1 and *out filled when path was scanned before, 0 when not, <0 on error. */
int lht_store_find(struct lht_store *s, const char *path, struct lht_stored *out, lht_err *err);

/* Read the stored facts of one member (LHT_LOAD_MEMBER, a members row
 * id) or one bundle (LHT_LOAD_BUNDLE) into f, every fact type of the
 * registry, after whatever f already holds. Findings are not read. */
enum { LHT_LOAD_MEMBER = 0, LHT_LOAD_BUNDLE = 1 };
int lht_store_load(struct lht_store *s, int scope, long long id, struct lht_facts *f, lht_err *err);

/* Which stored member each loaded fact came from. Records loaded by
 * lht_store_load_input() share one member string per members row, so a
 * finding's evidence (which keeps its fact's string) leads back to the
 * row, whichever input of a case it came from. Owned by the caller. */
struct lht_member_map;
struct lht_member_map *lht_member_map_new(void);
void lht_member_map_free(struct lht_member_map *m);
/* Row id of the member whose string is member (by address), or -1;
 * *bundle_id (may be NULL) gets its input. */
long long lht_member_map_get(const struct lht_member_map *m, const char *member, long long *bundle_id);

/* lht_store_load(LHT_LOAD_BUNDLE) that also records every member string
 * it creates in map, and appends the node names of bundle_id's member
 * paths (the Kubernetes node names of a bundle's nodes/ zips) to f's
 * members list. */
int lht_store_load_input(struct lht_store *s, long long bundle_id, struct lht_facts *f,
                         struct lht_member_map *map, lht_err *err);

/* ---- cases (store/case.c) ------------------------------------------------ */

/* The case named key ('dir:<path>', 'ticket:<name>', 'input:<path>'),
 * created with name and path (may be NULL) when new; a known case takes
 * the name and path given when they are not NULL. *id gets its row id. */
int lht_store_case_get(struct lht_store *s, const char *key, const char *name, const char *path,
                       long long *id, lht_err *err);

/* A case other than `except` holding an input whose content_id is
 * content_id: 1 and *id, 0 none, <0 error. */
int lht_store_case_by_content(struct lht_store *s, const char *content_id, const char *except_path,
                              long long *id, lht_err *err);

struct lht_case_info {
    long long id;
    char *key, *name, *path;     /* path NULL unless a ticket folder */
    int stale;
    char *rules_digest;          /* or NULL */
};
/* 1 and *out filled (free with lht_store_case_info_free), 0 no such case. */
int lht_store_case_info(struct lht_store *s, long long id, struct lht_case_info *out, lht_err *err);
void lht_store_case_info_free(struct lht_case_info *c);

/* One input of a case, as stored. */
struct lht_case_input {
    long long bundle_id;
    char *name, *path, *typed, *status, *error, *content_id;   /* typed, error, content_id may be NULL */
    long long members;           /* member rows: the fuller copy of a duplicate wins */
    long long dup_of;            /* as the last evaluation found: the input it copies, or 0 */
    long long pieces;            /* evidence pieces parsed (0: nothing in it was read as evidence) */
};
/* The inputs of case id, by typed name then path. *v owned by the caller
 * (lht_store_case_inputs_free). */
int lht_store_case_inputs(struct lht_store *s, long long id, struct lht_case_input **v, size_t *n,
                          lht_err *err);
void lht_store_case_inputs_free(struct lht_case_input *v, size_t n);

/* A name of a node and the name the case uses for it. */
struct lht_node_alias {
    const char *alias, *node, *source;
};

/* What an evaluation of a case stores. f holds the union of its inputs'
 * facts and the findings the rules made on them; map leads evidence back
 * to member rows. inputs lists every input of the case; dup_of[i] (0:
 * none) and host[i] (NULL: none) are for inputs[i]. */
struct lht_case_put {
    const struct lht_facts *f;
    const struct lht_member_map *map;
    const struct lht_node_alias *aliases;
    size_t naliases;
    const long long *inputs, *dup_of;
    const char *const *host;
    size_t ninputs;
    const char *rules_digest;
};

/* Replace case id's findings, node aliases and duplicate marks with
 * cp's, in one transaction; the case is no longer stale. Each finding
 * keeps the id its identity (case key, rule, node, subject) had before. */
int lht_store_put_case(struct lht_store *s, long long id, const struct lht_case_put *cp, lht_err *err);

/* The input at path was typed as typed this time (it was not read again). */
int lht_store_input_typed(struct lht_store *s, const char *path, const char *typed, lht_err *err);

/* Delete case id when no input belongs to it; *deleted (may be NULL) says. */
int lht_store_case_drop_empty(struct lht_store *s, long long id, int *deleted, lht_err *err);

/* A stored finding, for printing. */
struct lht_case_finding {
    long long id;
    char *rule_id, *severity, *confidence, *node, *pids, *title;   /* node, pids may be NULL */
};
/* The findings of case id, worst first, then rule, node, id. Free with
 * lht_store_case_findings_free. */
int lht_store_case_findings(struct lht_store *s, long long id, struct lht_case_finding **v, size_t *n,
                            lht_err *err);
void lht_store_case_findings_free(struct lht_case_finding *v, size_t n);

/* Copy every case of the database at src_path into s (one transaction),
 * with its inputs, facts and findings: a case whose key s already holds
 * is replaced when src evaluated it later, else kept. Finding ids s knows
 * are kept. *added and *kept count cases. Both databases must be at the
 * same schema version. */
int lht_store_merge(struct lht_store *s, const char *src_path, int *added, int *kept, lht_err *err);

#endif
