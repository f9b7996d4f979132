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
    const char *rules_digest; /* of the ruleset that made the findings, or NULL */
};

/* Replace whatever was stored for meta->path with this bundle and its
 * facts (f may be NULL for a failed bundle), in one transaction.
 * *bundle_id (may be NULL) receives the new row id. */
int lht_store_put_bundle(struct lht_store *s, const struct lht_bundle_meta *meta,
                         const struct lht_facts *f, long long *bundle_id, lht_err *err);

/* Record a bundle that could not be read (status "failed"), unless a
 * readable scan of the same path is already stored: a failed re-scan
 * never destroys earlier facts. *kept is set to 1 in that case. */
int lht_store_put_failure(struct lht_store *s, const struct lht_bundle_meta *meta,
                          int *kept, lht_err *err);

/* What the database holds about an input path, for incremental scans. */
struct lht_stored {
    long long size, mtime;
    char sha256[65];        /* "" when unknown */
    char rules_digest[96];  /* scan key: rules digest [+no-logs], "" when unknown */
    char status[16];
};

/* 1 and *out filled when path was scanned before, 0 when not, <0 on error. */
int lht_store_find(struct lht_store *s, const char *path, struct lht_stored *out, lht_err *err);

/* Read the stored facts of one member (LHT_LOAD_MEMBER, a members row
 * id) or one bundle (LHT_LOAD_BUNDLE) into f, every fact type of the
 * registry. Findings are not read. */
enum { LHT_LOAD_MEMBER = 0, LHT_LOAD_BUNDLE = 1 };
int lht_store_load(struct lht_store *s, int scope, long long id, struct lht_facts *f, lht_err *err);

/* Copy every bundle of the database at src_path into s (one transaction):
 * a bundle whose path s already holds is replaced when src scanned it
 * later, else kept. *added and *kept count bundles. Both databases must
 * be at the same schema version. */
int lht_store_merge(struct lht_store *s, const char *src_path, int *added, int *kept, lht_err *err);

#endif
