/*
 * store_private.h - what the store's files share (store.c opens and
 * migrates, put.c writes an input, case.c a case's findings, load.c reads
 * facts back, merge.c combines databases). Internal to analyzer/store/.
 */
#ifndef LHT_STORE_PRIVATE_H
#define LHT_STORE_PRIVATE_H

#include "store/store.h"

/* Statements kept prepared for the life of the connection, by slot:
 * put.c's below LHT_STORE_FIND_SLOT, store.c's lookup of an input there,
 * case.c's from LHT_STORE_CASE_SLOT, load.c's (two per fact type, and its
 * member nodes) from LHT_STORE_LOAD_SLOT. A case is evaluated from the
 * database for every ticket of a batch: parsing its SQL each time would
 * cost as much as running it. */
#define LHT_STORE_SLOTS 128
#define LHT_STORE_FIND_SLOT 43
#define LHT_STORE_CASE_SLOT 44
#define LHT_STORE_LOAD_SLOT 80

struct lht_store {
    sqlite3 *db;
    char *path;
    int version;
    sqlite3_stmt *cached[LHT_STORE_SLOTS]; /* see lht_store_prepared */
    int batch;                  /* a group commit is open (lht_store_batch_begin) */
    int batch_lost;             /* SQLite rolled the open batch back on an error */
    int put_open;               /* an input is being written (lht_store_put_open) */
};

/* LHT_EDB with "path: what: sqlite message" in err. */
int lht_store_fail(lht_err *err, sqlite3 *db, const char *path, const char *what);
/* Run sql; on failure the same message shape. */
int lht_store_exec(struct lht_store *s, const char *sql, lht_err *err, const char *what);
/* The statement in slot (prepared from sql on first use, persistent: a
 * batch of small bundles otherwise spends its writer's time in the SQL
 * parser), borrowed until lht_store_close(); NULL with err set on failure.
 * A slot always holds the same sql. */
sqlite3_stmt *lht_store_prepared(struct lht_store *s, int slot, const char *sql, lht_err *err);
/* One write that is all-or-nothing: BEGIN IMMEDIATE ... COMMIT, or inside
 * an open batch a savepoint of it (released into the batch, which commits
 * it with the others). rollback undoes only this write either way. */
int lht_store_txn_begin(struct lht_store *s, lht_err *err, const char *what);
int lht_store_txn_commit(struct lht_store *s, lht_err *err, const char *what);
void lht_store_txn_rollback(struct lht_store *s);
/* Reset every cached statement and clear its bindings (after a failure
 * that may have left one mid-row). */
void lht_store_reset_cached(struct lht_store *s);

#endif
