/* check_lsof.c - lsof output (parsers/lsof.c) as open_file facts, end to
 * end: parsed from a paste, a sosreport path and a bare table; stored,
 * read back and rendered; visible to a rule. The fixture is
 * fixtures/evidence/lsof-writers.txt (its header cites the format). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts/registry.h"
#include "ingest/extract.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "store/store.h"
#include "testutil.h"
#include "tu_main.h"

static char *fixture(size_t *len)
{
    FILE *fp = fopen(tu_source("fixtures/evidence/lsof-writers.txt"), "rb");
    char *buf = malloc(1 << 16);

    ck_assert_ptr_nonnull(fp);
    *len = fread(buf, 1, (1 << 16) - 1, fp);
    buf[*len] = '\0';
    fclose(fp);
    return buf;
}

static struct lht_facts *scan_fixture(const char *member)
{
    struct lht_facts *f = lht_facts_new();
    size_t len;
    char *text = fixture(&len);
    lht_err err;

    ck_assert_int_eq(lht_extract_text(f, member, text, len, &err), LHT_OK);
    free(text);
    return f;
}

START_TEST(rows_of_a_session)
{
    struct lht_facts *f = scan_fixture("case/lsof.txt");
    size_t n;
    const struct lht_open_file *o = lht_facts_open_files(f, &n);

    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(o[1].pid, 123315);
    ck_assert_int_eq(o[1].tid, -1);
    ck_assert_str_eq(o[1].fd, "1w");
    ck_assert_str_eq(o[1].type, "REG");
    ck_assert_str_eq(o[1].user, "0");
    ck_assert_str_eq(o[1].name, "/data/index.html (10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e)");
    ck_assert_str_eq(o[1].at.node, "testing-jiras-pool1-rm5mw-9dx82");
    ck_assert_int_eq(o[1].at.line, 8);
    ck_assert_str_eq(o[2].fd, "cwd");
    ck_assert_str_eq(o[2].name, "/");
    ck_assert_str_eq(o[4].name, "[eventpoll]");
    /* a task row: TID and TASKCMD filled */
    ck_assert_int_eq(o[5].tid, 412);
    ck_assert_str_eq(o[5].fd, "mem");
    ck_assert_str_eq(o[5].name, "/usr/lib/x86_64-linux-gnu/libgpg-error.so.0.34.0");
    lht_facts_free(f);
}
END_TEST

/* sos's file name for its lsof run, and a table pasted without a prompt */
START_TEST(by_path_and_by_shape)
{
    const char *table = "COMMAND    PID USER   FD   TYPE DEVICE SIZE/OFF   NODE NAME\n"
                        "sh      123315    0    1w   REG   0,52    48213 131081 /data/index.html\n";
    const char *members[] = {"sosreport-w1/sos_commands/process/lsof_M_-n_-l_-c", "paste.txt"};
    size_t i, n;

    for (i = 0; i < 2; i++) {
        struct lht_facts *f = lht_facts_new();
        lht_err err;
        ck_assert_int_eq(lht_extract_text(f, members[i], table, strlen(table), &err), LHT_OK);
        ck_assert_msg(lht_facts_open_files(f, &n) && n == 1, "%s: %zu rows", members[i], n);
        ck_assert_str_eq(lht_facts_open_files(f, &n)[0].name, "/data/index.html");
        lht_facts_free(f);
    }
}
END_TEST

/* stored in its table, merged like any type, read back and rendered the
 * way explain shows it */
START_TEST(stored_read_back_rendered)
{
    struct lht_facts *f = scan_fixture("case/lsof.txt"), *back = lht_facts_new();
    struct lht_bundle_meta meta = {.name = "case", .path = "/tmp/case", .size = 1, .mtime = 1, .status = "ok"};
    struct lht_store *s;
    struct lht_sb sb = LHT_SB_INIT;
    sqlite3_stmt *st;
    char db[300];
    long long id;
    size_t n;
    lht_err err;

    snprintf(db, sizeof db, "%s/t.db", tu_tmpdir());
    ck_assert_int_eq(lht_store_open(db, LHT_STORE_RW, &s, &err), LHT_OK);
    ck_assert_int_eq(lht_store_put_bundle(s, &meta, f, &id, &err), LHT_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(lht_store_db(s), "SELECT count(*) FROM v_open_files WHERE fd = '1w'", -1,
                                        &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 2);
    sqlite3_finalize(st);
    ck_assert_int_eq(lht_store_load(s, LHT_LOAD_BUNDLE, id, back, &err), LHT_OK);
    ck_assert_uint_eq((lht_facts_open_files(back, &n), n), 6);
    lht_fact_render(back, LHT_FACT_OPEN_FILE, 1, &sb);
    ck_assert_str_eq(lht_sb_str(&sb),
                     "sh 123315 1w REG /data/index.html (10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e)");
    lht_sb_free(&sb);
    lht_store_close(s);
    lht_facts_free(back);
    lht_facts_free(f);
}
END_TEST

/* a rule can name the new fact and its fields: writers of a file on NFS */
START_TEST(visible_to_rules)
{
    static const char rule[] =
        "id: nfs-writer\ntitle: t\nseverity: info\ndescription: d\nsubject: process\n"
        "signals:\n"
        "  - name: writes_nfs_file\n    fact: open_file\n    field: fd\n    scope: subject\n"
        "    pattern: '^[0-9]+[wu]'\n"
        "  - name: on_nfs\n    fact: open_file\n    field: name\n    scope: subject\n"
        "    pattern: '\\(\\S+:/pvc-'\n"
        "levels:\n  - name: seen\n    all: [writes_nfs_file, on_nfs]\n";
    struct lht_facts *f = scan_fixture("case/lsof.txt");
    struct lht_ruleset *rs;
    struct lht_matcher *m;
    struct lht_process p = {.at = {"testing-jiras-pool1-rm5mw-9dx82", "case/ps.txt", 1}, .pid = 123315,
                            .ppid = -1, .tid = -1, .stat = "D", .command = "sh"};
    char path[300];
    size_t n;
    FILE *fp;
    lht_err err;

    snprintf(path, sizeof path, "%s/r.yaml", tu_tmpdir());
    fp = fopen(path, "w");
    fputs(rule, fp);
    fclose(fp);
    *strrchr(path, '/') = '\0';
    ck_assert_int_eq(lht_ruleset_load(path, &rs, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    /* both writers: a process is a subject whichever fact names it, the
     * ps row (123315) or only lsof (123312) */
    ck_assert_uint_eq((lht_facts_findings(f, &n), n), 2);
    ck_assert_int_eq(lht_facts_findings(f, &n)[0].pid, 123315);
    ck_assert_int_eq(lht_facts_findings(f, &n)[1].pid, 123312);
    lht_matcher_free(m);
    lht_ruleset_free(rs);
    lht_facts_free(f);
}
END_TEST

static Suite *lsof_suite(void)
{
    Suite *s = suite_create("lsof");
    TCase *tc = tcase_create("open files");
    tcase_add_test(tc, rows_of_a_session);
    tcase_add_test(tc, by_path_and_by_shape);
    tcase_add_test(tc, stored_read_back_rendered);
    tcase_add_test(tc, visible_to_rules);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(lsof_suite)
