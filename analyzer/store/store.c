/*
 * store.c - see store.h.
 *
 * All SQL is bound, never printed into. The bundle-writing statements are
 * prepared on the first bundle and kept for the life of the connection:
 * a batch of small bundles otherwise spends its writer's time in the SQL
 * parser. A connection belongs to one thread (the scan's writer), so it is
 * opened without SQLite's per-call mutex.
 */
#include "store/store.h"
#include "store/schema.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct lht_store {
    sqlite3 *db;
    char *path;
    int version;
    sqlite3_stmt **put;   /* S_COUNT bundle-writing statements, or NULL */
};

static int db_fail(lht_err *err, sqlite3 *db, const char *path, const char *what)
{
    return lht_err_set(err, LHT_EDB, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

static int exec(struct lht_store *s, const char *sql, lht_err *err, const char *what)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(err, s->db, s->path, what);
    return LHT_OK;
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
        return db_fail(err, s->db, s->path, "cannot read schema version (not an SQLite database?)");
    if (s->version > latest)
        return lht_err_set(err, LHT_EDB,
                           "%s: schema version %d is newer than this lhtriage knows (%d); upgrade lhtriage",
                           s->path, s->version, latest);
    for (i = 0; i < lht_migration_count; i++) {
        const struct lht_migration *m = &lht_migrations[i];
        if (m->version <= s->version)
            continue;
        if (exec(s, "BEGIN IMMEDIATE", err, "cannot start migration") != LHT_OK)
            return LHT_EDB;
        /* Another lhtriage may have migrated while we waited for the lock:
         * decide again under it. */
        if (read_version(s->db, &s->version) != LHT_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return db_fail(err, s->db, s->path, "cannot read schema version");
        }
        if (m->version <= s->version) {
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
            continue;
        }
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", m->version);
        if (sqlite3_exec(s->db, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            lht_err_set(err, LHT_EDB, "%s: migration %s failed: %s", s->path, m->name,
                        sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return LHT_EDB;
        }
        if (exec(s, "COMMIT", err, "cannot commit migration") != LHT_OK)
            return LHT_EDB;
        s->version = m->version;
    }
    return LHT_OK;
}

/* Before SQLite initialises: no global memory statistics, whose mutex is
 * taken on every allocation SQLite makes (nothing here reads them). */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void config_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
    /* Batch scans and a reader may share a DB: wait instead of failing. */
    sqlite3_busy_timeout(s->db, 10000);
    if ((rc = exec(s, "PRAGMA foreign_keys=ON", err, "cannot enable foreign keys")) != LHT_OK)
        goto fail;
    if (mode == LHT_STORE_RO) {
        if (read_version(s->db, &s->version) != LHT_OK) {
            rc = db_fail(err, s->db, path, "not an lhtriage database");
            goto fail;
        }
        if (s->version == 0) {
            rc = lht_err_set(err, LHT_EDB, "%s: not an lhtriage database (empty schema)", path);
            goto fail;
        }
    } else {
        /* WAL lets report/query read while a scan writes. (On NFS, where
         * WAL cannot work, SQLite reports an error here and we keep the
         * rollback journal.) */
        sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        /* In WAL mode NORMAL cannot corrupt the database; a power cut may
         * only lose the last bundles, which a re-scan restores. FULL would
         * fsync every bundle and make the single writer the bottleneck. */
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
        if ((rc = migrate(s, err)) != LHT_OK)
            goto fail;
    }
    *out = s;
    return LHT_OK;
fail:
    lht_store_close(s);
    return rc;
}

static void finalize_put(struct lht_store *s);

void lht_store_close(struct lht_store *s)
{
    if (s == NULL)
        return;
    finalize_put(s);
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

sqlite3 *lht_store_db(struct lht_store *s)
{
    return s->db;
}

int lht_store_version(struct lht_store *s)
{
    return s->version;
}

/* ---- writing one bundle ------------------------------------------------ */

enum {
    S_DEL, S_BUNDLE, S_MEMBER, S_PIECE, S_PROC, S_STACK, S_FRAME, S_MOUNT, S_MOPT,
    S_HUNG, S_KLOG, S_KV, S_OBJ, S_FIELD, S_NOTE, S_FINDING, S_EVIDENCE, S_COUNT
};

static const char *const sql_text[S_COUNT] = {
    [S_DEL] = "DELETE FROM bundles WHERE path = ?1",
    [S_BUNDLE] = "INSERT INTO bundles (name, path, sha256, size, mtime, status, error, "
                 "created_at, scanned_at, tool_version, rules_digest) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?9, ?10)",
    [S_MEMBER] = "INSERT INTO members (bundle_id, path, node, kind, size, status, note) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_PIECE] = "INSERT INTO evidence (bundle_id, member_id, node, line, kind, command, records) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_PROC] = "INSERT INTO processes (bundle_id, member_id, node, line, pid, ppid, tid, user, "
               "stat, wchan, command) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_STACK] = "INSERT INTO stacks (bundle_id, member_id, node, line, pid, comm, origin) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_FRAME] = "INSERT INTO stack_frames (stack_id, depth, symbol, offset, module, uncertain, "
                "line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_MOUNT] = "INSERT INTO mounts (bundle_id, member_id, node, line, origin, source, target, "
                "fstype, options, nfs_vers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_MOPT] = "INSERT INTO mount_options (mount_id, pos, key, value) VALUES (?1, ?2, ?3, ?4)",
    [S_HUNG] = "INSERT INTO hung_tasks (bundle_id, member_id, node, line, task, pid, "
               "blocked_seconds, logged_at, stack_id) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_KLOG] = "INSERT INTO kernel_events (bundle_id, member_id, node, line, kind, server, "
               "logged_at, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_KV] = "INSERT INTO kv_facts (bundle_id, member_id, node, line, key, value) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_OBJ] = "INSERT INTO k8s_objects (bundle_id, member_id, line, kind, namespace, name) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_FIELD] = "INSERT INTO k8s_fields (object_id, path, value, line) VALUES (?1, ?2, ?3, ?4)",
    [S_NOTE] = "INSERT INTO notes (bundle_id, member_id, node, line, message) "
               "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_FINDING] = "INSERT INTO findings (bundle_id, rule_id, severity, confidence, node, pid, pids, "
                  "title, remediation, next_steps, refs) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_EVIDENCE] = "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, node, "
                   "line, text, matched, captures, role) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

/* member path -> row id, open addressing on an FNV-1a hash. */
struct mmap {
    const char **key;
    long long *id;
    size_t cap, used;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static long long *mmap_slot(struct mmap *m, const char *key, int *found)
{
    size_t i = (size_t)fnv(key) & (m->cap - 1);

    while (m->key[i] != NULL) {
        if (strcmp(m->key[i], key) == 0) {
            *found = 1;
            return &m->id[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    *found = 0;
    /* Sized for every listed member; only stray paths add more. */
    if (m->used + 1 >= m->cap / 2 + m->cap / 4)
        return NULL;
    m->used++;
    m->key[i] = key;
    return &m->id[i];
}

static void finalize_put(struct lht_store *s)
{
    size_t i;

    if (s->put == NULL)
        return;
    for (i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->put[i]);
    free(s->put);
    s->put = NULL;
}

/* Prepare the bundle-writing statements once per connection. */
static int prepare_put(struct lht_store *s, lht_err *err)
{
    size_t i;

    if (s->put)
        return LHT_OK;
    if ((s->put = calloc(S_COUNT, sizeof *s->put)) == NULL)
        return lht_err_set(err, LHT_ENOMEM, "%s: out of memory", s->path);
    for (i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->put[i], NULL) !=
            SQLITE_OK) {
            int rc = db_fail(err, s->db, s->path, "cannot prepare statement");
            finalize_put(s);
            return rc;
        }
    }
    return LHT_OK;
}

struct writer {
    struct lht_store *s;
    sqlite3_stmt **st;    /* the store's cached statements */
    struct mmap members;
    long long bundle;
    lht_err *err;
};

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_long(sqlite3_stmt *st, int i, long long v, int null_if_negative)
{
    if (null_if_negative && v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static int step(struct writer *w, int which)
{
    sqlite3_stmt *st = w->st[which];
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return lht_err_set(w->err, LHT_EDB, "%s: cannot store bundle: %s", w->s->path,
                           sqlite3_errmsg(w->s->db));
    return LHT_OK;
}

/* Member id for a fact's member path; unknown paths (a parser's own copy
 * of a path never listed) get a member row of kind "unknown". */
static int member_id(struct writer *w, const char *path, const char *node, long long *id)
{
    int found;
    long long *slot;

    if (path == NULL)
        path = "";
    slot = mmap_slot(&w->members, path, &found);
    if (slot == NULL)
        return lht_err_set(w->err, LHT_ELIMIT, "too many distinct member paths in one bundle");
    if (found) {
        *id = *slot;
        return LHT_OK;
    }
    sqlite3_stmt *st = w->st[S_MEMBER];
    sqlite3_bind_int64(st, 1, w->bundle);
    bind_text(st, 2, path);
    bind_text(st, 3, node);
    bind_text(st, 4, "unknown");
    sqlite3_bind_null(st, 5);
    bind_text(st, 6, "parsed");
    sqlite3_bind_null(st, 7);
    if (step(w, S_MEMBER) != LHT_OK)
        return LHT_EDB;
    *slot = *id = sqlite3_last_insert_rowid(w->s->db);
    return LHT_OK;
}

/* Bind the (bundle_id, member_id, node, line) prefix shared by fact rows. */
static int bind_prov(struct writer *w, int which, const struct lht_prov *at)
{
    long long mid;

    if (member_id(w, at->member, at->node, &mid) != LHT_OK)
        return LHT_EDB;
    sqlite3_bind_int64(w->st[which], 1, w->bundle);
    sqlite3_bind_int64(w->st[which], 2, mid);
    bind_text(w->st[which], 3, at->node);
    sqlite3_bind_int64(w->st[which], 4, at->line);
    return LHT_OK;
}

static int put_options(struct writer *w, long long mount_id, const char *opts)
{
    const char *p = opts;
    int pos = 0;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        sqlite3_stmt *st = w->st[S_MOPT];

        if (len > 0) {
            sqlite3_bind_int64(st, 1, mount_id);
            sqlite3_bind_int(st, 2, pos++);
            sqlite3_bind_text(st, 3, p, eq ? (int)(eq - p) : (int)len, SQLITE_STATIC);
            if (eq)
                sqlite3_bind_text(st, 4, eq + 1, (int)(len - (size_t)(eq - p) - 1), SQLITE_STATIC);
            else
                sqlite3_bind_null(st, 4);
            if (step(w, S_MOPT) != LHT_OK)
                return LHT_EDB;
        }
        p = comma ? comma + 1 : NULL;
    }
    return LHT_OK;
}

static const char *const stack_origin[] = {"proc", "hung_task", "other"};
static const char *const mount_origin[] = {"proc_mounts", "mount", "mountinfo", "nfsstat", "findmnt"};

static int put_facts(struct writer *w, const struct lht_facts *f)
{
    size_t n, i, nfr, nst;
    long long *stack_ids = NULL;
    int rc = LHT_EDB;

    const struct lht_member *mem = lht_facts_members(f, &n);
    for (i = 0; i < n; i++) {
        int found;
        long long *slot = mmap_slot(&w->members, mem[i].at.member, &found);
        sqlite3_stmt *st = w->st[S_MEMBER];
        if (slot == NULL) {
            lht_err_set(w->err, LHT_ELIMIT, "too many distinct member paths in one bundle");
            goto done;
        }
        if (found)
            continue;   /* duplicate entry names in a hostile archive */
        sqlite3_bind_int64(st, 1, w->bundle);
        bind_text(st, 2, mem[i].at.member);
        bind_text(st, 3, mem[i].at.node);
        bind_text(st, 4, mem[i].kind);
        bind_long(st, 5, mem[i].size, 1);
        bind_text(st, 6, mem[i].status);
        bind_text(st, 7, mem[i].note);
        if (step(w, S_MEMBER) != LHT_OK)
            goto done;
        *slot = sqlite3_last_insert_rowid(w->s->db);
    }

    const struct lht_piece *pc = lht_facts_pieces(f, &n);
    for (i = 0; i < n; i++) {
        if (bind_prov(w, S_PIECE, &pc[i].at) != LHT_OK)
            goto done;
        bind_text(w->st[S_PIECE], 5, pc[i].kind);
        bind_text(w->st[S_PIECE], 6, pc[i].command);
        sqlite3_bind_int64(w->st[S_PIECE], 7, pc[i].records);
        if (step(w, S_PIECE) != LHT_OK)
            goto done;
    }

    const struct lht_process *pr = lht_facts_processes(f, &n);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_PROC];
        if (bind_prov(w, S_PROC, &pr[i].at) != LHT_OK)
            goto done;
        sqlite3_bind_int64(st, 5, pr[i].pid);
        bind_long(st, 6, pr[i].ppid, 1);
        bind_long(st, 7, pr[i].tid, 1);
        bind_text(st, 8, pr[i].user);
        bind_text(st, 9, pr[i].stat);
        bind_text(st, 10, pr[i].wchan);
        bind_text(st, 11, pr[i].command);
        if (step(w, S_PROC) != LHT_OK)
            goto done;
    }

    const struct lht_stack *sk = lht_facts_stacks(f, &nst);
    const struct lht_frame *fr = lht_facts_frames(f, &nfr);
    stack_ids = calloc(nst ? nst : 1, sizeof *stack_ids);
    if (stack_ids == NULL) {
        rc = lht_err_set(w->err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < nst; i++) {
        sqlite3_stmt *st = w->st[S_STACK];
        size_t j;
        if (bind_prov(w, S_STACK, &sk[i].at) != LHT_OK)
            goto done;
        bind_long(st, 5, sk[i].pid, 1);
        bind_text(st, 6, sk[i].comm);
        bind_text(st, 7, stack_origin[(unsigned)sk[i].origin < 3 ? sk[i].origin : 2]);
        if (step(w, S_STACK) != LHT_OK)
            goto done;
        stack_ids[i] = sqlite3_last_insert_rowid(w->s->db);
        for (j = 0; j < sk[i].nframes && sk[i].first + j < nfr; j++) {
            const struct lht_frame *x = &fr[sk[i].first + j];
            st = w->st[S_FRAME];
            sqlite3_bind_int64(st, 1, stack_ids[i]);
            sqlite3_bind_int64(st, 2, (long long)j);
            bind_text(st, 3, x->symbol ? x->symbol : "?");
            bind_text(st, 4, x->offset);
            bind_text(st, 5, x->module);
            sqlite3_bind_int(st, 6, x->uncertain != 0);
            sqlite3_bind_int64(st, 7, x->line);
            if (step(w, S_FRAME) != LHT_OK)
                goto done;
        }
    }

    const struct lht_mount *mo = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_MOUNT];
        if (bind_prov(w, S_MOUNT, &mo[i].at) != LHT_OK)
            goto done;
        bind_text(st, 5, mount_origin[(unsigned)mo[i].origin < 5 ? mo[i].origin : 0]);
        bind_text(st, 6, mo[i].source);
        bind_text(st, 7, mo[i].target);
        bind_text(st, 8, mo[i].fstype);
        bind_text(st, 9, mo[i].options);
        bind_text(st, 10, mo[i].nfs_vers);
        if (step(w, S_MOUNT) != LHT_OK)
            goto done;
        if (put_options(w, sqlite3_last_insert_rowid(w->s->db), mo[i].options) != LHT_OK)
            goto done;
    }

    const struct lht_hung_task *hu = lht_facts_hung_tasks(f, &n);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_HUNG];
        if (bind_prov(w, S_HUNG, &hu[i].at) != LHT_OK)
            goto done;
        bind_text(st, 5, hu[i].task);
        bind_long(st, 6, hu[i].pid, 1);
        bind_long(st, 7, hu[i].blocked_seconds, 1);
        bind_text(st, 8, hu[i].when);
        if (hu[i].stack >= 0 && (size_t)hu[i].stack < nst)
            sqlite3_bind_int64(st, 9, stack_ids[hu[i].stack]);
        else
            sqlite3_bind_null(st, 9);
        if (step(w, S_HUNG) != LHT_OK)
            goto done;
    }

    const struct lht_klog *kl = lht_facts_klogs(f, &n);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_KLOG];
        if (bind_prov(w, S_KLOG, &kl[i].at) != LHT_OK)
            goto done;
        bind_text(st, 5, kl[i].kind ? kl[i].kind : "other");
        bind_text(st, 6, kl[i].server);
        bind_text(st, 7, kl[i].when);
        bind_text(st, 8, kl[i].text);
        if (step(w, S_KLOG) != LHT_OK)
            goto done;
    }

    const struct lht_kv *kv = lht_facts_kvs(f, &n);
    for (i = 0; i < n; i++) {
        if (bind_prov(w, S_KV, &kv[i].at) != LHT_OK)
            goto done;
        bind_text(w->st[S_KV], 5, kv[i].key);
        bind_text(w->st[S_KV], 6, kv[i].value);
        if (step(w, S_KV) != LHT_OK)
            goto done;
    }

    size_t nfl;
    const struct lht_object *ob = lht_facts_objects(f, &n);
    const struct lht_field *fl = lht_facts_fields(f, &nfl);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_OBJ];
        long long mid, oid;
        size_t j;
        if (member_id(w, ob[i].at.member, ob[i].at.node, &mid) != LHT_OK)
            goto done;
        sqlite3_bind_int64(st, 1, w->bundle);
        sqlite3_bind_int64(st, 2, mid);
        sqlite3_bind_int64(st, 3, ob[i].at.line);
        bind_text(st, 4, ob[i].kind ? ob[i].kind : "?");
        bind_text(st, 5, ob[i].ns);
        bind_text(st, 6, ob[i].name);
        if (step(w, S_OBJ) != LHT_OK)
            goto done;
        oid = sqlite3_last_insert_rowid(w->s->db);
        for (j = 0; j < ob[i].nfields && ob[i].first + j < nfl; j++) {
            const struct lht_field *x = &fl[ob[i].first + j];
            st = w->st[S_FIELD];
            sqlite3_bind_int64(st, 1, oid);
            bind_text(st, 2, x->path ? x->path : "?");
            bind_text(st, 3, x->value);
            sqlite3_bind_int64(st, 4, x->line);
            if (step(w, S_FIELD) != LHT_OK)
                goto done;
        }
    }

    static const char *const sev[] = {"info", "warning", "error", "critical"};
    size_t nev;
    const struct lht_finding *fi = lht_facts_findings(f, &n);
    const struct lht_evidence *ev = lht_facts_evidence(f, &nev);
    for (i = 0; i < n; i++) {
        sqlite3_stmt *st = w->st[S_FINDING];
        long long fid;
        size_t j;
        sqlite3_bind_int64(st, 1, w->bundle);
        bind_text(st, 2, fi[i].rule_id);
        bind_text(st, 3, sev[(unsigned)fi[i].severity < 4 ? fi[i].severity : 0]);
        bind_text(st, 4, fi[i].confidence);
        bind_text(st, 5, fi[i].node);
        bind_long(st, 6, fi[i].pid, 1);
        bind_text(st, 7, fi[i].pids);
        bind_text(st, 8, fi[i].title);
        bind_text(st, 9, fi[i].remediation);
        bind_text(st, 10, fi[i].next_steps);
        bind_text(st, 11, fi[i].refs);
        if (step(w, S_FINDING) != LHT_OK)
            goto done;
        fid = sqlite3_last_insert_rowid(w->s->db);
        for (j = 0; j < fi[i].nevidence && fi[i].first + j < nev; j++) {
            const struct lht_evidence *e = &ev[fi[i].first + j];
            long long mid;
            st = w->st[S_EVIDENCE];
            if (member_id(w, e->at.member, e->at.node, &mid) != LHT_OK)
                goto done;
            sqlite3_bind_int64(st, 1, fid);
            sqlite3_bind_int64(st, 2, (long long)j);
            bind_text(st, 3, e->signal);
            bind_text(st, 4, e->fact);
            sqlite3_bind_int64(st, 5, mid);
            bind_text(st, 6, e->at.node);
            sqlite3_bind_int64(st, 7, e->at.line);
            bind_text(st, 8, e->text);
            bind_text(st, 9, e->matched);
            bind_text(st, 10, e->captures);
            bind_text(st, 11, e->role ? "supporting" : "required");
            if (step(w, S_EVIDENCE) != LHT_OK)
                goto done;
        }
    }

    const struct lht_note *no = lht_facts_notes(f, &n);
    for (i = 0; i < n; i++) {
        if (bind_prov(w, S_NOTE, &no[i].at) != LHT_OK)
            goto done;
        bind_text(w->st[S_NOTE], 5, no[i].msg);
        if (step(w, S_NOTE) != LHT_OK)
            goto done;
    }
    rc = LHT_OK;
done:
    free(stack_ids);
    return rc;
}

int lht_store_put_bundle(struct lht_store *s, const struct lht_bundle_meta *meta,
                         const struct lht_facts *f, long long *bundle_id, lht_err *err)
{
    struct writer w;
    size_t nmem = 0, i;
    int rc = LHT_EDB, began = 0;

    memset(&w, 0, sizeof w);
    w.s = s;
    w.err = err;
    if (f)
        (void)lht_facts_members(f, &nmem);
    w.members.cap = 64;
    while (w.members.cap < 2 * (nmem + 1024))
        w.members.cap *= 2;
    w.members.key = calloc(w.members.cap, sizeof *w.members.key);
    w.members.id = calloc(w.members.cap, sizeof *w.members.id);
    if (w.members.key == NULL || w.members.id == NULL) {
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = prepare_put(s, err)) != LHT_OK)
        goto done;
    rc = LHT_EDB;
    w.st = s->put;
    if (exec(s, "BEGIN IMMEDIATE", err, "cannot start transaction") != LHT_OK)
        goto done;
    began = 1;
    bind_text(w.st[S_DEL], 1, meta->path);
    if (step(&w, S_DEL) != LHT_OK)
        goto done;
    {
        sqlite3_stmt *st = w.st[S_BUNDLE];
        bind_text(st, 1, meta->name);
        bind_text(st, 2, meta->path);
        bind_text(st, 3, meta->sha256);
        bind_long(st, 4, meta->size, 1);
        bind_long(st, 5, meta->mtime, 1);
        bind_text(st, 6, meta->status);
        bind_text(st, 7, meta->error);
        bind_text(st, 8, meta->created_at && meta->created_at[0] ? meta->created_at : NULL);
        bind_text(st, 9, LHT_VERSION);
        bind_text(st, 10, meta->rules_digest);
        if (step(&w, S_BUNDLE) != LHT_OK)
            goto done;
        w.bundle = sqlite3_last_insert_rowid(s->db);
    }
    if (f && put_facts(&w, f) != LHT_OK)
        goto done;
    if (exec(s, "COMMIT", err, "cannot commit bundle") != LHT_OK)
        goto done;
    began = 0;
    if (bundle_id)
        *bundle_id = w.bundle;
    rc = LHT_OK;
done:
    if (began)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    /* a failure may leave a statement mid-row; the next bundle starts clean */
    for (i = 0; rc != LHT_OK && w.st && i < S_COUNT; i++) {
        sqlite3_reset(w.st[i]);
        sqlite3_clear_bindings(w.st[i]);
    }
    free(w.members.key);
    free(w.members.id);
    return rc;
}

int lht_store_put_failure(struct lht_store *s, const struct lht_bundle_meta *meta,
                          int *kept, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *kept = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM bundles WHERE path = ?1 AND status <> 'failed'",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(err, s->db, s->path, "cannot prepare statement");
    sqlite3_bind_text(st, 1, meta->path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        *kept = 1;
        return LHT_OK;
    }
    if (rc != SQLITE_DONE)
        return db_fail(err, s->db, s->path, "cannot read bundles");
    return lht_store_put_bundle(s, meta, NULL, NULL, err);
}

int lht_store_find(struct lht_store *s, const char *path, struct lht_stored *out, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(s->db, "SELECT size, mtime, sha256, rules_digest, status FROM bundles "
                                  "WHERE path = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(err, s->db, s->path, "cannot prepare statement");
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
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(err, s->db, s->path, "cannot read bundles");
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- merging shards ---------------------------------------------------- */

/* Tables in dependency order; how each is tied to a bundle; and which of
 * its columns hold ids of other tables (shifted by that table's offset). */
static const struct mtable {
    const char *name;
    const char *owner;   /* WHERE clause selecting the rows of imported bundles */
} mtables[] = {
    {"bundles", "id IN (SELECT id FROM temp.merge_sel)"},
    {"members", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"evidence", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"processes", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"stacks", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"stack_frames", "stack_id IN (SELECT id FROM src.stacks WHERE bundle_id IN (SELECT id FROM temp.merge_sel))"},
    {"mounts", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"mount_options", "mount_id IN (SELECT id FROM src.mounts WHERE bundle_id IN (SELECT id FROM temp.merge_sel))"},
    {"hung_tasks", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"kernel_events", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"kv_facts", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"k8s_objects", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"k8s_fields", "object_id IN (SELECT id FROM src.k8s_objects WHERE bundle_id IN (SELECT id FROM temp.merge_sel))"},
    {"notes", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"findings", "bundle_id IN (SELECT id FROM temp.merge_sel)"},
    {"finding_evidence", "finding_id IN (SELECT id FROM src.findings WHERE bundle_id IN (SELECT id FROM temp.merge_sel))"},
};

static const struct {
    const char *column, *table;   /* column -> table whose id it holds */
} mrefs[] = {
    {"bundle_id", "bundles"}, {"member_id", "members"}, {"stack_id", "stacks"},
    {"mount_id", "mounts"},   {"object_id", "k8s_objects"}, {"finding_id", "findings"},
};

#define NMT (sizeof mtables / sizeof mtables[0])

static long long max_id(sqlite3 *db, const char *table)
{
    char sql[128];
    sqlite3_stmt *st;
    long long v = 0;

    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM main.%s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int has_id(sqlite3 *db, const char *table)
{
    char sql[128];
    sqlite3_stmt *st;
    int yes = 0;

    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = 'id'", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        yes = 1;
    sqlite3_finalize(st);
    return yes;
}

int lht_store_merge(struct lht_store *s, const char *src_path, int *added, int *kept, lht_err *err)
{
    long long off[NMT];
    sqlite3_stmt *st = NULL;
    char *sql = NULL;
    int rc = LHT_EDB, attached = 0, began = 0, v = -1;
    size_t t, r;

    *added = *kept = 0;
    if (access(src_path, R_OK) != 0)
        return lht_err_set(err, LHT_EIO, "%s: cannot read database", src_path);
    sql = sqlite3_mprintf("ATTACH DATABASE %Q AS src", src_path);
    if (sql == NULL || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(err, s->db, src_path, "cannot attach");
        goto done;
    }
    attached = 1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA src.user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (v != s->version) {
        rc = lht_err_set(err, LHT_EDB, "%s: schema version %d, %s has %d; re-scan or upgrade first",
                         src_path, v, s->path, s->version);
        goto done;
    }
    if (exec(s, "BEGIN IMMEDIATE", err, "cannot start merge") != LHT_OK)
        goto done;
    began = 1;
    /* Which source bundles to take: new paths, or scanned later than ours. */
    if (exec(s, "CREATE TEMP TABLE IF NOT EXISTS merge_sel (id INTEGER PRIMARY KEY)", err, "merge") ||
        exec(s, "DELETE FROM temp.merge_sel", err, "merge") ||
        exec(s, "INSERT INTO temp.merge_sel SELECT b.id FROM src.bundles b "
                "WHERE NOT EXISTS (SELECT 1 FROM main.bundles m WHERE m.path = b.path "
                "                  AND m.scanned_at >= b.scanned_at)", err, "merge"))
        goto done;
    if (sqlite3_prepare_v2(s->db, "SELECT (SELECT count(*) FROM temp.merge_sel), "
                                  "(SELECT count(*) FROM src.bundles) - (SELECT count(*) FROM temp.merge_sel)",
                           -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        *added = sqlite3_column_int(st, 0);
        *kept = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (exec(s, "DELETE FROM main.bundles WHERE path IN (SELECT path FROM src.bundles "
                "WHERE id IN (SELECT id FROM temp.merge_sel))", err, "merge"))
        goto done;
    for (t = 0; t < NMT; t++)
        off[t] = has_id(s->db, mtables[t].name) ? max_id(s->db, mtables[t].name) : 0;
    for (t = 0; t < NMT; t++) {
        char cols[2048] = "", exprs[4096] = "";
        sqlite3_stmt *ti;
        char q[128];
        snprintf(q, sizeof q, "SELECT name FROM pragma_table_info('%s') ORDER BY cid", mtables[t].name);
        if (sqlite3_prepare_v2(s->db, q, -1, &ti, NULL) != SQLITE_OK)
            goto done;
        while (sqlite3_step(ti) == SQLITE_ROW) {
            const char *c = (const char *)sqlite3_column_text(ti, 0);
            char e[256];
            long long shift = -1;
            if (strcmp(c, "id") == 0)
                shift = off[t];
            for (r = 0; r < sizeof mrefs / sizeof mrefs[0]; r++)
                if (strcmp(c, mrefs[r].column) == 0) {
                    size_t u;
                    for (u = 0; u < NMT; u++)
                        if (strcmp(mtables[u].name, mrefs[r].table) == 0)
                            shift = off[u];
                }
            if (shift >= 0)
                snprintf(e, sizeof e, "%s\"%s\" + %lld", exprs[0] ? ", " : "", c, shift);
            else
                snprintf(e, sizeof e, "%s\"%s\"", exprs[0] ? ", " : "", c);
            strncat(exprs, e, sizeof exprs - strlen(exprs) - 1);
            snprintf(e, sizeof e, "%s\"%s\"", cols[0] ? ", " : "", c);
            strncat(cols, e, sizeof cols - strlen(cols) - 1);
        }
        sqlite3_finalize(ti);
        sqlite3_free(sql);
        sql = sqlite3_mprintf("INSERT INTO main.%s (%s) SELECT %s FROM src.%s WHERE %s", mtables[t].name,
                              cols, exprs, mtables[t].name, mtables[t].owner);
        if (sql == NULL || sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = lht_err_set(err, LHT_EDB, "%s: merging %s: %s", src_path, mtables[t].name,
                             sqlite3_errmsg(s->db));
            goto done;
        }
    }
    if (exec(s, "COMMIT", err, "cannot commit merge") != LHT_OK)
        goto done;
    began = 0;
    rc = LHT_OK;
done:
    if (began)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (attached)
        sqlite3_exec(s->db, "DETACH DATABASE src", NULL, NULL, NULL);
    sqlite3_free(sql);
    return rc;
}
