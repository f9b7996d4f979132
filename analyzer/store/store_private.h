/*
 * store_private.h - what the store's files share (store.c opens and
 * migrates, put.c writes a bundle, load.c reads facts back, merge.c
 * combines databases). Internal to analyzer/store/.
 */
#ifndef LHT_STORE_PRIVATE_H
#define LHT_STORE_PRIVATE_H

#include "store/store.h"

struct lht_put_stmts;

struct lht_store {
    sqlite3 *db;
    char *path;
    int version;
    struct lht_put_stmts *put;  /* bundle-writing statements, prepared on first use */
};

/* LHT_EDB with "path: what: sqlite message" in err. */
int lht_store_fail(lht_err *err, sqlite3 *db, const char *path, const char *what);
/* Run sql; on failure the same message shape. */
int lht_store_exec(struct lht_store *s, const char *sql, lht_err *err, const char *what);
/* Finalize the cached writing statements (put.c). */
void lht_store_put_finalize(struct lht_store *s);

#endif
