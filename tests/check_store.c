/* check_store.c - migrations, one-transaction bundle writes, views (store.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/facts.h"
#include "facts/registry.h"
#include "store/schema.h"
#include "store/store.h"
#include "core/strbuf.h"
#include "testutil.h"
#include "tu_main.h"

static char dbpath[256];

static void new_db(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/t.db", tu_tmpdir());
}

static long long count(struct lht_store *s, const char *sql)
{
    sqlite3_stmt *st;
    long long n = -1;
    ck_assert_int_eq(sqlite3_prepare_v2(lht_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static char *text(struct lht_store *s, const char *sql)
{
    static char buf[1024];
    sqlite3_stmt *st;
    buf[0] = '\0';
    ck_assert_int_eq(sqlite3_prepare_v2(lht_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* A small fact collection shaped like the seed bundle. */
static struct lht_facts *seed_facts(const char *evil)
{
    struct lht_facts *f = lht_facts_new();
    const char *mem = lht_facts_strz(f, "sb/nodes/n1.zip!n1/hostinfos/processes_info");
    const char *mmem = lht_facts_strz(f, "sb/nodes/n1.zip!n1/hostinfos/proc_mounts");
    const char *node = lht_facts_strz(f, "n1");
    struct lht_member m = {{node, mem, 0}, "ps", 100, "parsed", NULL};
    struct lht_member m2 = {{node, mmem, 0}, "proc_mounts", 100, "parsed", NULL};
    struct lht_process p = {.at = {node, mem, 3}, .pid = 123315, .ppid = -1, .tid = -1, .user = "root",
                            .stat = "Ds+", .command = evil ? evil : "/bin/sh -c x"};
    struct lht_stack s = {.at = {node, mem, 7}, .pid = 123315, .origin = LHT_STACK_PROC};
    struct lht_frame fr1 = {.line = 7, .symbol = "nfs_set_open_stateid_locked", .offset = "0x100/0x380",
                            .module = "nfsv4"};
    struct lht_frame fr2 = {.line = 8, .symbol = "update_open_stateid", .offset = "0xa0/0x2b0",
                            .module = "nfsv4"};
    struct lht_mount mo = {.at = {node, mmem, 6}, .origin = LHT_MOUNT_PROC, .source = "10.43.58.194:/pvc-1",
                           .target = "/mnt", .fstype = "nfs4", .options = "rw,relatime,vers=4.1,softerr",
                           .nfs_vers = "4.1"};
    struct lht_mount_option mopt = {.line = 6, .key = "vers", .value = "4.1"};
    struct lht_mount_option mflag = {.line = 6, .key = "softerr"};
    struct lht_kv kv = {.at = {NULL, mem, 1}, .key = "longhorn_version", .value = "v1.10.1"};
    ck_assert_int_eq(lht_facts_add_member(f, &m), LHT_OK);
    ck_assert_int_eq(lht_facts_add_member(f, &m2), LHT_OK);
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    ck_assert_int_eq(lht_facts_add_stack(f, &s), LHT_OK);
    ck_assert_int_eq(lht_facts_add_frame(f, &fr1), LHT_OK);
    ck_assert_int_eq(lht_facts_add_frame(f, &fr2), LHT_OK);
    ck_assert_int_eq(lht_facts_add_mount(f, &mo), LHT_OK);
    ck_assert_int_eq(lht_facts_add_mount_option(f, &mopt), LHT_OK);
    ck_assert_int_eq(lht_facts_add_mount_option(f, &mflag), LHT_OK);
    ck_assert_int_eq(lht_facts_add_kv(f, &kv), LHT_OK);
    return f;
}

static struct lht_bundle_meta meta(const char *path, const char *status)
{
    struct lht_bundle_meta m = {.name = "supportbundle_x", .path = path, .size = 10, .mtime = 20,
                                .status = status};
    return m;
}

START_TEST(migrates_once)
{
    struct lht_store *s;
    lht_err err;
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_ge(lht_store_version(s), 1);
    int v = lht_store_version(s);
    lht_store_close(s);
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_version(s), v);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_bundles"), 0);
    lht_store_close(s);
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RO, &s, &err), LHT_OK);
    lht_store_close(s);
}
END_TEST

START_TEST(ro_open_errors)
{
    struct lht_store *s;
    lht_err err;
    char p[300];
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RO, &s, &err), LHT_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "t.db"));
    snprintf(p, sizeof p, "%s.txt", dbpath);
    tu_write_file(p, "this is not a database, just text that is long enough to matter.....", 69);
    ck_assert_int_ne(lht_store_open(p, LHT_STORE_RO, &s, &err), LHT_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, ".txt"));
    ck_assert_int_ne(lht_store_open(p, LHT_STORE_RW, &s, &err), LHT_OK);
}
END_TEST

START_TEST(bundle_facts_fill_views)
{
    struct lht_store *s;
    lht_err err;
    struct lht_facts *f = seed_facts(NULL);
    struct lht_bundle_meta m = meta("/tmp/a.zip", "ok");
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_str_eq(text(s, "SELECT member || ':' || line || ':' || stat FROM v_processes WHERE pid=123315"),
                     "sb/nodes/n1.zip!n1/hostinfos/processes_info:3:Ds+");
    ck_assert_str_eq(text(s, "SELECT group_concat(symbol, ',') FROM (SELECT symbol FROM v_stacks ORDER BY depth)"),
                     "nfs_set_open_stateid_locked,update_open_stateid");
    ck_assert_str_eq(text(s, "SELECT nfs_vers || ' ' || node || ' ' || line FROM v_mounts"), "4.1 n1 6");
    ck_assert_str_eq(text(s, "SELECT value FROM mount_options WHERE key='vers'"), "4.1");
    ck_assert_int_eq(count(s, "SELECT count(*) FROM mount_options WHERE key='softerr' AND value IS NULL"), 1);
    ck_assert_str_eq(text(s, "SELECT status FROM v_bundles"), "ok");
    /* re-scan of the same path replaces, never duplicates */
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_bundles"), 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_processes"), 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM members"), 2);
    lht_store_close(s);
    lht_facts_free(f);
}
END_TEST

START_TEST(failed_rescan_keeps_good_facts)
{
    struct lht_store *s;
    lht_err err;
    int kept;
    struct lht_facts *f = seed_facts(NULL);
    struct lht_bundle_meta m = meta("/tmp/b.zip", "ok");
    struct lht_bundle_meta bad = meta("/tmp/b.zip", "failed");
    struct lht_bundle_meta other = meta("/tmp/c.zip", "failed");
    bad.error = other.error = "truncated zip";
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_failure(s, &bad, &kept, &err), LHT_OK);
    ck_assert_int_eq(kept, 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_processes"), 1);
    ck_assert_int_eq(lht_store_put_failure(s, &other, &kept, &err), LHT_OK);
    ck_assert_int_eq(kept, 0);
    ck_assert_str_eq(text(s, "SELECT error FROM v_bundles WHERE path='/tmp/c.zip'"), "truncated zip");
    lht_store_close(s);
    lht_facts_free(f);
}
END_TEST

/* An error half-way through a bundle leaves nothing of it behind and the
 * earlier scan of the same path intact. */
START_TEST(write_is_one_transaction)
{
    struct lht_store *s;
    lht_err err;
    struct lht_facts *f = seed_facts(NULL);
    struct lht_bundle_meta m = meta("/tmp/d.zip", "ok");
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_int_eq(sqlite3_exec(lht_store_db(s),
                                  "CREATE TEMP TRIGGER boom BEFORE INSERT ON mounts "
                                  "BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END",
                                  NULL, NULL, NULL), SQLITE_OK);
    m.status = "partial";
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "disk full (simulated)"));
    ck_assert_str_eq(text(s, "SELECT status FROM v_bundles"), "ok");
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_mounts"), 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_processes"), 1);
    /* The connection keeps its prepared statements across bundles: after
     * the failure the next bundles are written whole and nothing stale
     * (a half-bound row) leaks into them. */
    ck_assert_int_eq(sqlite3_exec(lht_store_db(s), "DROP TRIGGER boom", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    m.path = "/tmp/d2.zip";
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_bundles WHERE status = 'partial'"), 2);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_mounts WHERE options = 'rw,relatime,vers=4.1,softerr' "
                              "AND nfs_vers = '4.1'"), 2);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_processes"), 2);
    lht_store_close(s);
    lht_facts_free(f);
}
END_TEST

/* Every row of every fact table (and members), in row id order, one line
 * each; caller frees. */
static char *dump_facts(struct lht_store *s)
{
    struct lht_sb out = LHT_SB_INIT;
    int t;

    for (t = -1; t < LHT_FACT_COUNT; t++) {
        char sql[160];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY rowid", t < 0 ? "members" : lht_fact_types[t].table);
        ck_assert_int_eq(sqlite3_prepare_v2(lht_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int c;
            lht_sb_printf(&out, "%s:", t < 0 ? "members" : lht_fact_types[t].table);
            for (c = 0; c < sqlite3_column_count(st); c++)
                lht_sb_printf(&out, "|%s", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c) : "NULL");
            lht_sb_puts(&out, "\n");
        }
        sqlite3_finalize(st);
    }
    ck_assert(!out.oom);
    return out.p;
}

/* What a scan stores while it reads (lht_store_put_open): ranges that cut
 * between a parent and its children, and between members, store what one
 * write of everything stores; an aborted write leaves the earlier row. */
START_TEST(put_in_ranges_is_put_whole)
{
    struct lht_store *s;
    struct lht_store_put *put;
    lht_err err;
    struct lht_facts *f = seed_facts(NULL);
    struct lht_bundle_meta m = meta("/tmp/r.zip", "ok");
    struct lht_facts_mark zero, mid, end;
    struct lht_facts_range *r;
    char *whole, *parts;

    memset(&zero, 0, sizeof zero);
    lht_facts_snapshot(f, &end);
    /* the first member, the process, the stack and its first frame */
    mid = zero;
    mid.members = 1;
    mid.n[LHT_FACT_PROCESS] = 1;
    mid.n[LHT_FACT_STACK] = 1;
    mid.n[LHT_FACT_FRAME] = 1;
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    whole = dump_facts(s);
    lht_store_close(s);

    snprintf(dbpath + strlen(dbpath), 8, ".2");
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_open(s, "/tmp/r.zip", &put, &err), LHT_OK);
    ck_assert_ptr_nonnull(r = lht_facts_range_copy(f, &zero, &mid));
    ck_assert_int_eq(lht_store_put_range(put, r, &err), LHT_OK);
    free(r);
    ck_assert_ptr_nonnull(r = lht_facts_range_copy(f, &mid, &end));
    ck_assert_int_eq(lht_store_put_range(put, r, &err), LHT_OK);
    free(r);
    ck_assert_int_eq(lht_store_put_close(put, &m, NULL, NULL, NULL, &err), LHT_OK);
    parts = dump_facts(s);
    ck_assert_str_eq(parts, whole);
    ck_assert_str_eq(text(s, "SELECT group_concat(depth || symbol, ',') FROM (SELECT * FROM v_stacks ORDER BY depth)"),
                     "0nfs_set_open_stateid_locked,1update_open_stateid");

    /* taken back: the row stored before stays, and no placeholder */
    ck_assert_int_eq(lht_store_put_open(s, "/tmp/r.zip", &put, &err), LHT_OK);
    ck_assert_ptr_nonnull(r = lht_facts_range_copy(f, &zero, &mid));
    ck_assert_int_eq(lht_store_put_range(put, r, &err), LHT_OK);
    free(r);
    lht_store_put_abort(put);
    free(parts);
    parts = dump_facts(s);
    ck_assert_str_eq(parts, whole);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM bundles"), 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM bundles WHERE path = '/tmp/r.zip' AND status = 'ok'"), 1);
    lht_store_close(s);
    free(whole);
    free(parts);
    lht_facts_free(f);
}
END_TEST

START_TEST(hostile_text_is_data)
{
    struct lht_store *s;
    lht_err err;
    const char *evil = "x'); DROP TABLE bundles; -- \"|`<script>\x1b[31m";
    struct lht_facts *f = seed_facts(evil);
    struct lht_bundle_meta m = meta("/tmp/e.zip", "ok");
    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &m, f, NULL, &err), LHT_OK);
    ck_assert_str_eq(text(s, "SELECT command FROM v_processes"), evil);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM bundles"), 1);
    lht_store_close(s);
    lht_facts_free(f);
}
END_TEST

/* The migrations are hand-written SQL; the registry must agree with them
 * on every table and column, or inserts fail at the first bundle. */
START_TEST(schema_matches_registry)
{
    struct lht_store *s;
    lht_err err;
    size_t t, i;
    char sql[512];

    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        for (i = 0; i < d->nfields; i++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                     d->table, d->fields[i].column);
            ck_assert_msg(count(s, sql) == 1, "%s.%s (fact %s) is not in the schema", d->table,
                          d->fields[i].column, d->name);
        }
        if (d->parent >= 0) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name IN ('%s', '%s', '%s')",
                     d->table, d->parent_col, d->seq_col ? d->seq_col : "", d->line_col ? d->line_col : "");
            ck_assert_int_eq(count(s, sql), 1 + (d->seq_col != NULL) + (d->line_col != NULL));
        } else {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name IN "
                     "('bundle_id', 'member_id', 'node', 'line')", d->table);
            ck_assert_int_eq(count(s, sql), (d->flags & LHT_TF_NO_NODE) ? 3 : 4);
        }
    }
    lht_store_close(s);
}
END_TEST

/* A cascading delete looks child rows up by the parent's id: without an
 * index starting with the child column it scans the table, and a re-scan
 * in a large database costs as much as the whole database. */
START_TEST(every_foreign_key_is_indexed)
{
    struct lht_store *s;
    lht_err err;

    new_db();
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
                              "WHERE m.type = 'table' AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) il, "
                              "pragma_index_info(il.name) ii WHERE ii.seqno = 0 AND ii.name = f.\"from\")"), 0);
    lht_store_close(s);
}
END_TEST


/* Apply the embedded migrations numbered above `from` up to `upto` by
 * hand, as an older lhtriage left the database. */
static void migrate_by_hand(sqlite3 *db, int from, int upto)
{
    int i;

    for (i = 0; i < lht_migration_count && lht_migrations[i].version <= upto; i++) {
        char v[64];
        if (lht_migrations[i].version <= from)
            continue;
        snprintf(v, sizeof v, "PRAGMA user_version=%d", lht_migrations[i].version);
        ck_assert_msg(sqlite3_exec(db, lht_migrations[i].sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s",
                      lht_migrations[i].name, sqlite3_errmsg(db));
        ck_assert_int_eq(sqlite3_exec(db, v, NULL, NULL, NULL), SQLITE_OK);
    }
}

/* A migration that fails (here 016, whose column an older hand added)
 * takes back the ones before it in the same run too: the database stays
 * at the version it had, its rows as they were, and the error names the
 * migration. */
START_TEST(failed_migration_leaves_the_database_as_it_was)
{
    struct lht_store *s = NULL;
    sqlite3 *db;
    sqlite3_stmt *st;
    lht_err err;
    int v = -1;

    new_db();
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    migrate_by_hand(db, 0, 12);
    ck_assert_int_eq(sqlite3_exec(db,
        "INSERT INTO bundles (id, name, path, status, scanned_at, tool_version) VALUES (3, 'sb', '/t/a.zip', 'ok', 'x', '0');"
        "ALTER TABLE kernel_events ADD COLUMN last_line INTEGER;",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(lht_store_open(dbpath, LHT_STORE_RW, &s, &err), LHT_EDB);
    ck_assert_msg(strstr(err.msg, "migration 016_kernel_event_repeats.sql failed") != NULL, "%s", err.msg);
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    ck_assert_int_eq(v, 12);
    /* 013's column is not there either: the run was one transaction */
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('kernel_events') WHERE name = 'outage'",
                                        -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM bundles WHERE path = '/t/a.zip'", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

/* A database from before cases: every input becomes a case of its own,
 * its findings and their ids move with it, nothing dangles. */
START_TEST(migrates_findings_to_cases)
{
    struct lht_store *s;
    sqlite3 *db;
    lht_err err;

    new_db();
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    migrate_by_hand(db, 0, 10);
    ck_assert_int_eq(sqlite3_exec(db,
        "INSERT INTO bundles (id, name, path, status, scanned_at, tool_version) VALUES (3, 'sb', '/t/a.zip', 'ok', 'x', '0');"
        "INSERT INTO members (id, bundle_id, path, node, kind, status) VALUES (5, 3, 'sb/ps', 'n1', 'ps', 'parsed');"
        "INSERT INTO findings (id, bundle_id, rule_id, severity, confidence, node, pid, pids, title) "
        "VALUES (42, 3, 'r', 'error', 'confirmed', 'n1', 7, '7', 't');"
        "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, role) "
        "VALUES (42, 0, 'd_state', 'process', 5, 'required');", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    /* 11 (the redaction key), 12 (cases) and every later one in one open */
    ck_assert_int_eq(lht_store_version(s), lht_migrations[lht_migration_count - 1].version);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM secrets WHERE name = 'redact_key' AND length(value) = 32"), 1);
    ck_assert_str_eq(text(s, "SELECT key || '|' || name || '|' || inputs FROM v_cases"), "input:/t/a.zip|sb|1");
    ck_assert_str_eq(text(s, "SELECT finding_id || '|' || case_name || '|' || bundle || '|' || subject FROM v_findings"),
                     "42|sb|sb|pid 7");
    ck_assert_str_eq(text(s, "SELECT signal || '|' || member || '|' || bundle_id FROM v_finding_evidence"), "d_state|sb/ps|3");
    ck_assert_int_eq(count(s, "SELECT id FROM finding_ids WHERE case_key = 'input:/t/a.zip' AND rule_id = 'r' "
                              "AND node = 'n1' AND subject = 'pid 7'"), 42);
    ck_assert_int_eq(count(s, "SELECT stale FROM cases"), 1);   /* evaluated again on its next scan */
    ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_old'"), 0);
    lht_store_close(s);
}
END_TEST

/* Migrations run in the order of their numbers, each once: numbers rise
 * strictly (two files with one number would leave the second unapplied),
 * the redaction key comes at 11, cases at 12 (after the FK indexes),
 * the outage column at 13 (its view is 12's with the column appended). */
START_TEST(migrations_are_numbered_in_order)
{
    int i;

    for (i = 1; i < lht_migration_count; i++)
        ck_assert_msg(lht_migrations[i].version > lht_migrations[i - 1].version, "%s after %s",
                      lht_migrations[i].name, lht_migrations[i - 1].name);
    for (i = 0; i < lht_migration_count && lht_migrations[i].version < 10; i++)
        ;
    ck_assert_int_le(i + 6, lht_migration_count - 1);
    ck_assert_str_eq(lht_migrations[i].name, "010_fk_indexes.sql");
    ck_assert_str_eq(lht_migrations[i + 1].name, "011_redact_key.sql");
    ck_assert_str_eq(lht_migrations[i + 2].name, "012_cases.sql");
    ck_assert_str_eq(lht_migrations[i + 3].name, "013_kernel_event_outage.sql");
    ck_assert_str_eq(lht_migrations[i + 6].name, "016_kernel_event_repeats.sql");
}
END_TEST

/* A database made fresh has every migration: cases and the redaction key. */
START_TEST(fresh_database_is_complete)
{
    struct lht_store *s;
    lht_err err;

    new_db();
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_store_version(s), lht_migrations[lht_migration_count - 1].version);
    ck_assert_int_ge(lht_store_version(s), 14);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master WHERE name IN ('v_volume_walk', 'k8s_objects_kind')"), 2);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM secrets WHERE name = 'redact_key' AND length(value) = 32"), 1);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_cases"), 0);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master WHERE name IN "
                              "('cases', 'node_aliases', 'finding_ids', 'v_cases', 'v_node_aliases')"), 5);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    lht_store_close(s);
}
END_TEST

/* A database an lhtriage of schema 10 made, then one of schema 11 opened
 * (adding the redaction key), then this one: its key stays what it was
 * (tokens in reports already handed out stay what they were), its input
 * becomes a case that keeps its finding and that finding's id. */
START_TEST(migrates_10_then_11_then_12)
{
    struct lht_store *s;
    sqlite3 *db;
    sqlite3_stmt *st;
    lht_err err;
    char key[80] = "";

    new_db();
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    migrate_by_hand(db, 0, 10);
    ck_assert_int_eq(sqlite3_exec(db,
        "INSERT INTO bundles (id, name, path, status, scanned_at, tool_version) VALUES (3, 'sb', '/t/a.zip', 'ok', 'x', '0');"
        "INSERT INTO members (id, bundle_id, path, node, kind, status) VALUES (5, 3, 'sb/ps', 'n1', 'ps', 'parsed');"
        "INSERT INTO findings (id, bundle_id, rule_id, severity, confidence, node, pid, pids, title) "
        "VALUES (42, 3, 'r', 'error', 'confirmed', 'n1', 7, '7', 't');"
        "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, role) "
        "VALUES (42, 0, 'd_state', 'process', 5, 'required');", NULL, NULL, NULL), SQLITE_OK);
    migrate_by_hand(db, 10, 11);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hex(value) FROM secrets WHERE name = 'redact_key'", -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(key, sizeof key, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    ck_assert_int_eq((int)strlen(key), 64);
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_store_version(s), lht_migrations[lht_migration_count - 1].version);
    ck_assert_str_eq(text(s, "SELECT hex(value) FROM secrets WHERE name = 'redact_key'"), key);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM secrets"), 1);
    ck_assert_str_eq(text(s, "SELECT key || '|' || name || '|' || inputs FROM v_cases"), "input:/t/a.zip|sb|1");
    ck_assert_str_eq(text(s, "SELECT finding_id || '|' || case_name || '|' || subject FROM v_findings"), "42|sb|pid 7");
    ck_assert_int_eq(count(s, "SELECT id FROM finding_ids WHERE case_key = 'input:/t/a.zip' AND rule_id = 'r'"), 42);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    ck_assert_str_eq(text(s, "PRAGMA integrity_check"), "ok");
    lht_store_close(s);
    /* and opened again: nothing runs twice, the key is still the same */
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    ck_assert_str_eq(text(s, "SELECT hex(value) FROM secrets WHERE name = 'redact_key'"), key);
    ck_assert_int_eq(count(s, "SELECT count(*) FROM v_cases"), 1);
    lht_store_close(s);
}
END_TEST

/* A database of schema 12 (cases) whose input logged a server outage:
 * 13 adds the outage column, and v_kernel_events keeps 12's columns in
 * their places (views only gain columns at the end), the event still
 * joined to its case's node. */
START_TEST(migrates_12_to_outage)
{
    struct lht_store *s;
    sqlite3 *db;
    lht_err err;

    new_db();
    ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
    migrate_by_hand(db, 0, 12);
    ck_assert_int_eq(sqlite3_exec(db,
        "INSERT INTO bundles (id, name, path, status, scanned_at, tool_version) VALUES (3, 'sb', '/t/a.zip', 'ok', 'x', '0');"
        "INSERT INTO members (id, bundle_id, path, node, kind, status) VALUES (5, 3, 'sb/dmesg', 'n1', 'kernel_log', 'parsed');"
        "INSERT INTO kernel_events (bundle_id, member_id, node, line, kind, server, text) "
        "VALUES (3, 5, 'n1', 9, 'nfs_not_responding', '10.0.0.1', 'nfs: server 10.0.0.1 not responding');",
        NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_ge(lht_store_version(s), 13);
    /* 013 appended outage, 016 the repeats folded into an event */
    ck_assert_str_eq(text(s, "SELECT group_concat(name, ',') FROM pragma_table_info('v_kernel_events')"),
                     "bundle,node,kind,server,logged_at,text,member,line,bundle_id,case_id,case_node,outage,"
                     "repeats,last_line,last_logged_at");
    ck_assert_str_eq(text(s, "SELECT kind || '|' || server || '|' || line || '|' || coalesce(outage, '-') || '|' "
                             "|| coalesce(repeats, '-') FROM v_kernel_events"), "nfs_not_responding|10.0.0.1|9|-|-");
    ck_assert_int_eq(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    lht_store_close(s);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("sqlite");
    tcase_add_test(tc, migrates_once);
    tcase_add_test(tc, schema_matches_registry);
    tcase_add_test(tc, every_foreign_key_is_indexed);
    tcase_add_test(tc, ro_open_errors);
    tcase_add_test(tc, bundle_facts_fill_views);
    tcase_add_test(tc, failed_rescan_keeps_good_facts);
    tcase_add_test(tc, write_is_one_transaction);
    tcase_add_test(tc, put_in_ranges_is_put_whole);
    tcase_add_test(tc, hostile_text_is_data);
    tcase_add_test(tc, migrates_findings_to_cases);
    tcase_add_test(tc, migrations_are_numbered_in_order);
    tcase_add_test(tc, migrates_12_to_outage);
    tcase_add_test(tc, failed_migration_leaves_the_database_as_it_was);
    tcase_add_test(tc, fresh_database_is_complete);
    tcase_add_test(tc, migrates_10_then_11_then_12);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(store_suite)
