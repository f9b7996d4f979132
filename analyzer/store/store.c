/*
 * store.c - see store.h: opening, migrating, and what is stored per path.
 *
 * All SQL is bound, never printed into. A connection belongs to one thread
 * (the scan's writer), so it is opened without SQLite's per-call mutex.
 */
#include "store/store_private.h"
#include "store/schema.h"
#include "core/strbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int lht_store_fail(lht_err *err, sqlite3 *db, const char *path, const char *what)
{
    return lht_err_set(err, LHT_EDB, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

int lht_store_exec(struct lht_store *s, const char *sql, lht_err *err, const char *what)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return lht_store_fail(err, s->db, s->path, what);
    return LHT_OK;
}

int lht_store_txn_begin(struct lht_store *s, lht_err *err, const char *what)
{
    if (s->batch && sqlite3_get_autocommit(s->db))
        s->batch_lost = 1;   /* SQLite ended the batch on an error: say so at its commit */
    return lht_store_exec(s, s->batch && !s->batch_lost ? "SAVEPOINT lht_write" : "BEGIN IMMEDIATE", err, what);
}

int lht_store_txn_commit(struct lht_store *s, lht_err *err, const char *what)
{
    if (s->batch && !s->batch_lost)
        return lht_store_exec(s, "RELEASE lht_write", err, what);
    return lht_store_exec(s, "COMMIT", err, what);
}

void lht_store_txn_rollback(struct lht_store *s)
{
    if (s->batch && !s->batch_lost && !sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "ROLLBACK TO lht_write", NULL, NULL, NULL);
        sqlite3_exec(s->db, "RELEASE lht_write", NULL, NULL, NULL);
        return;
    }
    if (s->batch)
        s->batch_lost = 1;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int lht_store_batch_begin(struct lht_store *s, lht_err *err)
{
    if (s->batch)
        return LHT_OK;
    if (lht_store_exec(s, "BEGIN IMMEDIATE", err, "cannot start a batch") != LHT_OK)
        return LHT_EDB;
    s->batch = 1;
    s->batch_lost = 0;
    return LHT_OK;
}

int lht_store_batch_commit(struct lht_store *s, lht_err *err)
{
    int lost;

    if (!s->batch)
        return LHT_OK;
    lost = s->batch_lost || sqlite3_get_autocommit(s->db);
    s->batch = s->batch_lost = 0;
    if (lost)
        return lht_err_set(err, LHT_EDB, "%s: a database error rolled back the last batch of writes: "
                           "scan those inputs again", s->path);
    if (lht_store_exec(s, "COMMIT", err, "cannot commit a batch") != LHT_OK) {
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return LHT_EDB;
    }
    return LHT_OK;
}

int lht_store_batch_open(const struct lht_store *s)
{
    return s->batch;
}

static int read_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    else
        rc = SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? LHT_OK : LHT_EDB;
}

static int migrate(struct lht_store *s, lht_err *err)
{
    int i, latest = lht_migrations[lht_migration_count - 1].version;
    char pragma[64];

    if (read_version(s->db, &s->version) != LHT_OK)
        return lht_store_fail(err, s->db, s->path, "cannot read schema version (not an SQLite database?)");
    if (s->version > latest)
        return lht_err_set(err, LHT_EDB,
                           "%s: schema version %d is newer than this lhtriage knows (%d); upgrade lhtriage",
                           s->path, s->version, latest);
    if (s->version == latest)
        return LHT_OK;
    /* Every pending migration in one transaction: a database is never
     * left between two of them, and a new one costs one commit, not one
     * per migration. */
    if (lht_store_exec(s, "BEGIN IMMEDIATE", err, "cannot start migration") != LHT_OK)
        return LHT_EDB;
    /* Another lhtriage may have migrated while we waited for the lock:
     * decide again under it. */
    if (read_version(s->db, &s->version) != LHT_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return lht_store_fail(err, s->db, s->path, "cannot read schema version");
    }
    for (i = 0; i < lht_migration_count; i++) {
        const struct lht_migration *m = &lht_migrations[i];
        if (m->version <= s->version)
            continue;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", m->version);
        if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            lht_err_set(err, LHT_EDB, "%s: migration %s failed: %s", s->path, m->name,
                        sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            (void)read_version(s->db, &s->version);
            return LHT_EDB;
        }
    }
    if (lht_store_exec(s, "COMMIT", err, "cannot commit migration") != LHT_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        (void)read_version(s->db, &s->version);
        return LHT_EDB;
    }
    s->version = latest;
    return LHT_OK;
}

/* Before SQLite initialises: no global memory statistics, whose mutex is
 * taken on every allocation SQLite makes (nothing here reads them). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void config_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* "file:" URI of path with immutable=1: the characters a URI gives a
 * meaning to are escaped. NULL on OOM; free with sqlite3_free. */
static char *immutable_uri(const char *path)
{
    struct lht_sb b = LHT_SB_INIT;
    const unsigned char *p;
    char *out;

    lht_sb_puts(&b, "file:");
    for (p = (const unsigned char *)path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
            lht_sb_printf(&b, "%%%02X", *p);
        else
            lht_sb_putn(&b, (const char *)p, 1);
    }
    lht_sb_puts(&b, "?immutable=1");
    out = b.oom ? NULL : sqlite3_mprintf("%s", lht_sb_str(&b));
    lht_sb_free(&b);
    return out;
}

/* 1 when the folder of path cannot be written (so SQLite cannot create
 * the -shm file a WAL database is read with). */
static int dir_readonly(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;

    if (slash == NULL)
        return access(".", W_OK) != 0;
    if (n == 0)
        return access("/", W_OK) != 0;
    if (n >= sizeof dir)
        return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(dir, W_OK) != 0;
}

/* A WAL database in a folder this user cannot write, with no log of
 * unwritten changes beside it, reads as an immutable file; one with such
 * a log cannot be read without its -shm file, and the message says so. */
static int reopen_readonly(struct lht_store *s, const char *path, lht_err *err)
{
    char wal[4200];
    struct stat st;
    char *uri;

    snprintf(wal, sizeof wal, "%s-wal", path);
    if (!dir_readonly(path))
        return lht_store_fail(err, s->db, path, "not an lhtriage database");
    if (stat(wal, &st) == 0 && st.st_size > 0)
        return lht_err_set(err, LHT_EDB,
                           "%s: cannot read: its write-ahead log %s holds changes and the folder is not "
                           "writable for the shared-memory file SQLite needs; run lhtriage once as a user "
                           "who can write the folder (that folds the log in), or copy the database",
                           path, wal);
    sqlite3_close_v2(s->db);
    s->db = NULL;
    if ((uri = immutable_uri(path)) == NULL)
        return lht_err_set(err, LHT_ENOMEM, "%s: out of memory", path);
    if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_free(uri);
        return lht_err_set(err, LHT_EDB, "%s: cannot open database: %s", path,
                           s->db ? sqlite3_errmsg(s->db) : "out of memory");
    }
    sqlite3_free(uri);
    sqlite3_extended_result_codes(s->db, 1);
    if (read_version(s->db, &s->version) != LHT_OK)
        return lht_store_fail(err, s->db, path, "not an lhtriage database");
    return LHT_OK;
}

/* Read-only: the version must be readable, whatever the folder allows. */
static int open_readonly(struct lht_store *s, const char *path, lht_err *err)
{
    int rc;

    if (access(path, R_OK) != 0)
        return lht_err_set(err, LHT_EIO, "%s: cannot read database: %s", path, strerror(errno));
    if (read_version(s->db, &s->version) != LHT_OK) {
        int code = sqlite3_extended_errcode(s->db) & 0xff;
        if (code != SQLITE_READONLY && code != SQLITE_CANTOPEN)
            return lht_store_fail(err, s->db, path, "not an lhtriage database");
        if ((rc = reopen_readonly(s, path, err)) != LHT_OK)
            return rc;
    }
    if (s->version == 0)
        return lht_err_set(err, LHT_EDB, "%s: not an lhtriage database (empty schema)", path);
    return LHT_OK;
}

int lht_store_open(const char *path, int mode, struct lht_store **out, lht_err *err)
{
    struct lht_store *s = NULL;
    int flags, rc = LHT_OK;

    *out = NULL;
    if (mode == LHT_STORE_RO && access(path, F_OK) != 0)
        return lht_err_set(err, LHT_EIO, "%s: no such database (run `lhtriage scan` first)", path);
    s = calloc(1, sizeof *s);
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        rc = lht_err_set(err, LHT_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    flags = (mode == LHT_STORE_RO ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
            SQLITE_OPEN_NOMUTEX;
    pthread_once(&config_once, config_sqlite);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = lht_err_set(err, LHT_EDB, "%s: cannot open database: %s", path,
                         s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (mode == LHT_STORE_RO) {
        if ((rc = open_readonly(s, path, err)) != LHT_OK)
            goto fail;
    } else {
        /* WAL lets report/query read while a scan writes. (On NFS, where
         * WAL cannot work, SQLite reports an error here and we keep the
         * rollback journal.) */
        sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        /* In WAL mode NORMAL cannot corrupt the database; a power cut may
         * only lose the last bundles, which a re-scan restores. FULL would
         * fsync every bundle and make the single writer the bottleneck. */
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
        /* A batch of inputs is one transaction (lht_store_batch_begin):
         * with SQLite's 2 MiB page cache it would spill pages to the WAL
         * mid-transaction and write them again at commit. */
        sqlite3_exec(s->db, "PRAGMA cache_size=-16384", NULL, NULL, NULL);
        /* Each write in a batch is a savepoint, whose undo pages SQLite
         * would otherwise write to a temporary file, one pwrite a page. */
        sqlite3_exec(s->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
    }
    /* Batch scans and a reader may share a DB: wait instead of failing. */
    sqlite3_busy_timeout(s->db, 10000);
    if ((rc = lht_store_exec(s, "PRAGMA foreign_keys=ON", err, "cannot enable foreign keys")) != LHT_OK)
        goto fail;
    if (mode != LHT_STORE_RO && (rc = migrate(s, err)) != LHT_OK)
        goto fail;
    *out = s;
    return LHT_OK;
fail:
    lht_store_close(s);
    return rc;
}

void lht_store_close(struct lht_store *s)
{
    if (s == NULL)
        return;
    if (s->batch && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);   /* the caller did not commit it */
    for (size_t i = 0; i < LHT_STORE_SLOTS; i++)
        sqlite3_finalize(s->cached[i]);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

sqlite3_stmt *lht_store_prepared(struct lht_store *s, int slot, const char *sql, lht_err *err)
{
    if (slot < 0 || slot >= LHT_STORE_SLOTS) {
        lht_err_set(err, LHT_EUSAGE, "%s: statement slot %d out of range", s->path, slot);
        return NULL;
    }
    if (s->cached[slot] == NULL) {
        if (sql == NULL) {
            lht_err_set(err, LHT_ENOMEM, "%s: out of memory", s->path);
            return NULL;
        }
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cached[slot], NULL) != SQLITE_OK) {
            lht_store_fail(err, s->db, s->path, "cannot prepare statement");
            return NULL;
        }
    }
    return s->cached[slot];
}

void lht_store_reset_cached(struct lht_store *s)
{
    size_t i;

    for (i = 0; i < LHT_STORE_SLOTS; i++)
        if (s->cached[i]) {
            sqlite3_reset(s->cached[i]);
            sqlite3_clear_bindings(s->cached[i]);
        }
}

sqlite3 *lht_store_db(struct lht_store *s)
{
    return s->db;
}

int lht_store_version(struct lht_store *s)
{
    return s->version;
}

int lht_store_find(struct lht_store *s, const char *path, struct lht_stored *out, lht_err *err)
{
    sqlite3_stmt *st = lht_store_prepared(s, LHT_STORE_FIND_SLOT,
                                          "SELECT size, mtime, sha256, rules_digest, status, id, scanned_at, case_id "
                                          "FROM bundles WHERE path = ?1", err);
    int rc;

    memset(out, 0, sizeof *out);
    if (st == NULL)
        return err->code;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *v;
        out->size = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
        out->mtime = sqlite3_column_int64(st, 1);
        if ((v = (const char *)sqlite3_column_text(st, 2)) != NULL)
            snprintf(out->sha256, sizeof out->sha256, "%s", v);
        if ((v = (const char *)sqlite3_column_text(st, 3)) != NULL)
            snprintf(out->rules_digest, sizeof out->rules_digest, "%s", v);
        if ((v = (const char *)sqlite3_column_text(st, 4)) != NULL)
            snprintf(out->status, sizeof out->status, "%s", v);
        out->id = sqlite3_column_int64(st, 5);
        if ((v = (const char *)sqlite3_column_text(st, 6)) != NULL)
            snprintf(out->scanned_at, sizeof out->scanned_at, "%s", v);
        out->case_id = sqlite3_column_int64(st, 7);
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = lht_store_fail(err, s->db, s->path, "cannot read bundles");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}
