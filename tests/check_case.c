/* check_case.c - a ticket as the unit (case/): one name per node across
 * inputs (nodes.c), content identity and a case's evaluation from the
 * database with permanent finding ids (case.c, store/case.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "case/nodes.h"
#include "facts/facts.h"
#include "facts/registry.h"
#include "ingest/extract.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "store/store.h"
#include "testutil.h"
#include "tu_main.h"

#define N1 "testing-jiras-pool1-rm5mw-9dx82"
#define RWX "rwx-nfs4-open-state-hang"

/* ---- node names ------------------------------------------------------------ */

/* Start a part at what f holds now. */
static void part_begin(struct lht_facts *f, struct lht_case_part *p, const char *name)
{
    size_t t;

    memset(p, 0, sizeof *p);
    for (t = 0; t < LHT_FACT_COUNT; t++)
        p->first[t] = lht_facts_count(f, (int)t);
    (void)lht_facts_members(f, &p->first_member);
    p->name = name;
}

static void part_end(struct lht_facts *f, struct lht_case_part *p)
{
    size_t t, n;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        p->count[t] = lht_facts_count(f, (int)t) - p->first[t];
    (void)lht_facts_members(f, &n);
    p->nmembers = n - p->first_member;
}

static void add_member(struct lht_facts *f, const char *node, const char *path)
{
    struct lht_member m = {{node ? lht_facts_strz(f, node) : NULL, lht_facts_strz(f, path), 0}, "ps", 1,
                           "parsed", NULL};
    ck_assert_int_eq(lht_facts_add_member(f, &m), LHT_OK);
}

static void add_proc(struct lht_facts *f, const char *node, long pid)
{
    struct lht_process p = {.at = {node ? lht_facts_strz(f, node) : NULL, "m", 1}, .pid = pid, .ppid = -1,
                            .tid = -1, .stat = "D", .command = "sh"};
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
}

static void add_kv(struct lht_facts *f, const char *node, const char *key, const char *value)
{
    struct lht_kv k = {.at = {node ? lht_facts_strz(f, node) : NULL, "m", 1}, .key = key,
                       .value = lht_facts_strz(f, value)};
    ck_assert_int_eq(lht_facts_add_kv(f, &k), LHT_OK);
}

static const char *proc_node(const struct lht_facts *f, size_t i)
{
    size_t n;
    return lht_facts_processes(f, &n)[i].at.node;
}

/* The node alias names (NULL when it names none) and how it was learnt. */
static const char *alias_of(const struct lht_node_names *nn, const char *alias, const char **source)
{
    size_t n, i;
    const struct lht_node_alias *a = lht_node_names_list(nn, &n);

    for (i = 0; i < n; i++)
        if (strcmp(a[i].alias, alias) == 0) {
            if (source)
                *source = a[i].source;
            return a[i].node;
        }
    return NULL;
}

START_TEST(names_join_across_inputs)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_case_part p[3];
    struct lht_node_names *nn = NULL;
    const char *src = NULL;
    lht_err err;

    /* a bundle: the node its path names, its hostname fact, a bundle-wide fact */
    part_begin(f, &p[0], "supportbundle_x");
    add_member(f, "worker-1", "sb/nodes/worker-1.zip!worker-1/hostinfos/processes_info");
    add_proc(f, "worker-1", 10);
    add_kv(f, "worker-1", "hostname", "worker-1.corp.example");
    add_kv(f, NULL, "longhorn_version", "v1.10.1");
    part_end(f, &p[0]);
    /* a paste whose prompt names the FQDN */
    part_begin(f, &p[1], "paste");
    add_member(f, NULL, "paste.txt");
    add_proc(f, "worker-1.corp.example", 10);
    part_end(f, &p[1]);
    /* a sosreport: its own hostname, in other case, and facts of no node */
    part_begin(f, &p[2], "sosreport-x-2025-09-24-abcdefg");
    add_member(f, NULL, "sos_commands/kernel/uname_-a");
    add_kv(f, NULL, "hostname", "WORKER-1");
    add_proc(f, NULL, 10);
    part_end(f, &p[2]);

    ck_assert_msg(lht_case_nodes(f, p, 3, &nn, &err) == LHT_OK, "%s", err.msg);
    ck_assert_str_eq(alias_of(nn, "worker-1", &src), "worker-1");
    ck_assert_str_eq(src, "kubernetes node");
    ck_assert_str_eq(alias_of(nn, "worker-1.corp.example", &src), "worker-1");
    ck_assert_str_eq(src, "hostname fact");
    ck_assert_str_eq(alias_of(nn, "WORKER-1", &src), "worker-1");
    ck_assert_str_eq(src, "same name, other case");
    ck_assert_str_eq(proc_node(f, 0), "worker-1");
    ck_assert_str_eq(proc_node(f, 1), "worker-1");
    ck_assert_str_eq(proc_node(f, 2), "worker-1");   /* the sosreport lends its host */
    ck_assert_ptr_null(p[0].host);                    /* a bundle never does */
    ck_assert_str_eq(p[1].host, "worker-1");           /* a paste of one host */
    ck_assert_str_eq(p[2].host, "worker-1");
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "longhorn_version"), "v1.10.1");   /* still bundle-wide */
    lht_node_names_free(nn);
    lht_facts_free(f);
}
END_TEST

/* Two FQDNs with one short name are two hosts; a bare short name next to
 * both is neither; a short name next to one FQDN is that host. */
START_TEST(short_and_full_names)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_case_part p[5];
    struct lht_node_names *nn = NULL;
    static const char *const hosts[] = {"w1.a.example", "w1.b.example", "w1", "db7", "db7.lab"};
    const char *src = NULL;
    size_t i;
    lht_err err;

    for (i = 0; i < 5; i++) {
        part_begin(f, &p[i], "paste");
        add_member(f, NULL, "paste.txt");
        add_proc(f, hosts[i], 1);
        part_end(f, &p[i]);
    }
    ck_assert_msg(lht_case_nodes(f, p, 5, &nn, &err) == LHT_OK, "%s", err.msg);
    ck_assert_str_eq(alias_of(nn, "w1.a.example", NULL), "w1.a.example");
    ck_assert_str_eq(alias_of(nn, "w1.b.example", NULL), "w1.b.example");
    ck_assert_str_eq(alias_of(nn, "w1", NULL), "w1");
    ck_assert_str_eq(alias_of(nn, "db7", &src), "db7.lab");
    ck_assert_str_eq(src, "short name");
    ck_assert_str_eq(proc_node(f, 3), "db7.lab");
    ck_assert_str_eq(proc_node(f, 4), "db7.lab");
    lht_node_names_free(nn);
    lht_facts_free(f);
}
END_TEST

/* A supportconfig's folder names its host; a sosreport's only a host
 * some other input names (its host part may hold '-'). */
START_TEST(hosts_from_input_names)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_case_part p[4];
    struct lht_node_names *nn = NULL;
    lht_err err;

    part_begin(f, &p[0], "supportbundle_x");
    add_member(f, "rke2-w1", "sb/nodes/rke2-w1.zip!rke2-w1/hostinfos/processes_info");
    add_proc(f, "rke2-w1", 1);
    part_end(f, &p[0]);
    part_begin(f, &p[1], "sosreport-rke2-w1-01234567-2025-09-24-kqmzvfd");
    add_member(f, NULL, "proc/2/stack");
    add_proc(f, NULL, 2);
    part_end(f, &p[1]);
    part_begin(f, &p[2], "scc_sles-w2_250924_0705");
    add_member(f, NULL, "basic-health-check.txt");
    add_proc(f, NULL, 3);
    part_end(f, &p[2]);
    part_begin(f, &p[3], "sosreport-unknown-2025-09-24-abcdefg");
    add_member(f, NULL, "ps");
    add_proc(f, NULL, 4);
    part_end(f, &p[3]);
    ck_assert_msg(lht_case_nodes(f, p, 4, &nn, &err) == LHT_OK, "%s", err.msg);
    ck_assert_str_eq(p[1].host, "rke2-w1");
    ck_assert_str_eq(proc_node(f, 1), "rke2-w1");
    ck_assert_str_eq(p[2].host, "sles-w2");
    ck_assert_str_eq(alias_of(nn, "sles-w2", NULL), "sles-w2");
    ck_assert_ptr_null(p[3].host);
    ck_assert_ptr_null(proc_node(f, 3));
    lht_node_names_free(nn);
    lht_facts_free(f);
}
END_TEST

/* ---- content identity -------------------------------------------------------- */

static struct lht_facts *members(const char *created, const char *const *paths, size_t n)
{
    struct lht_facts *f = lht_facts_new();
    size_t i;

    for (i = 0; i < n; i++)
        add_member(f, NULL, paths[i]);
    if (created)
        add_kv(f, NULL, "created_at", created);
    return f;
}

START_TEST(content_identity_across_containers)
{
    static const char *const zip[] = {"supportbundle_x/metadata.yaml", "supportbundle_x/nodes/n1.zip!n1/hostinfos/ps",
                                      "supportbundle_x/yamls/cluster/v1/nodes.yaml"};
    static const char *const dir[] = {"yamls/cluster/v1/nodes.yaml", "nodes/n1/n1/hostinfos/ps", "metadata.yaml"};
    static const char *const other[] = {"metadata.yaml", "nodes/n1/n1/hostinfos/ps", "nodes/n2/n2/hostinfos/ps"};
    struct lht_facts *a = members("2025-09-24T07:05:12Z", zip, 3), *b = members("2025-09-24T07:05:12Z", dir, 3);
    struct lht_facts *later = members("2025-09-25T07:05:12Z", dir, 3), *c = members("2025-09-24T07:05:12Z", other, 3);
    struct lht_facts *one = members(NULL, zip, 1);
    char ia[LHT_CONTENT_ID_SIZE], ib[LHT_CONTENT_ID_SIZE], il[LHT_CONTENT_ID_SIZE], ic[LHT_CONTENT_ID_SIZE],
        io[LHT_CONTENT_ID_SIZE];

    ck_assert_int_eq(lht_case_content_id(a, "aa", ia), LHT_OK);
    ck_assert_int_eq(lht_case_content_id(b, NULL, ib), LHT_OK);
    ck_assert_int_eq(lht_case_content_id(later, NULL, il), LHT_OK);
    ck_assert_int_eq(lht_case_content_id(c, NULL, ic), LHT_OK);
    ck_assert_int_eq(lht_case_content_id(one, "0123abcd", io), LHT_OK);
    ck_assert(strncmp(ia, "members:", 8) == 0);
    ck_assert_str_eq(ia, ib);        /* zip and folder, node zip unpacked in place */
    ck_assert_str_ne(ib, il);        /* another bundle of the same cluster */
    ck_assert_str_ne(ib, ic);
    ck_assert_str_eq(io, "file:0123abcd");
    lht_facts_free(a);
    lht_facts_free(b);
    lht_facts_free(later);
    lht_facts_free(c);
    lht_facts_free(one);
}
END_TEST

/* ---- a case evaluated from the database --------------------------------------- */

struct world {
    struct lht_store *s;
    struct lht_ruleset *rs;
    struct lht_matcher *m;
};

static void world_open(struct world *w)
{
    char db[300];
    lht_err err;

    snprintf(db, sizeof db, "%s/c.db", tu_tmpdir());
    ck_assert_msg(lht_ruleset_load(tu_source("rules"), &w->rs, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_matcher_new(w->rs, &w->m, &err), LHT_OK);
    ck_assert_msg(lht_store_open(db, LHT_STORE_RW, &w->s, &err) == LHT_OK, "%s", err.msg);
}

static void world_close(struct world *w)
{
    lht_store_close(w->s);
    lht_matcher_free(w->m);
    lht_ruleset_free(w->rs);
}

/* Read input and store it into case id; returns its bundle row id. */
static long long put(struct world *w, const char *input, long long case_id)
{
    struct lht_source_opts o;
    struct lht_bundle_info info;
    struct lht_bundle_meta meta;
    struct lht_facts *f = lht_facts_new();
    char content[LHT_CONTENT_ID_SIZE];
    long long id = 0;
    lht_err err;

    lht_source_defaults(&o);
    ck_assert_msg(lht_extract(input, &o, f, &info, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_case_content_id(f, NULL, content), LHT_OK);
    memset(&meta, 0, sizeof meta);
    meta.name = info.name;
    meta.path = input;
    meta.status = "ok";
    meta.case_id = case_id;
    meta.content_id = content[0] ? content : NULL;
    ck_assert_msg(lht_store_put_bundle(w->s, &meta, f, &id, &err) == LHT_OK, "%s", err.msg);
    lht_facts_free(f);
    return id;
}

static long long one(struct lht_store *s, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;

    ck_assert_int_eq(sqlite3_prepare_v2(lht_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void evaluate(struct world *w, long long id, struct lht_case_eval *ev)
{
    lht_err err;
    ck_assert_msg(lht_case_evaluate(w->s, w->m, id, "test", ev, &err) == LHT_OK, "%s", err.msg);
}

/* The bundle shows the D-state writer, the paste its stack: one
 * confirmed finding citing both inputs, the same id however often the
 * case is evaluated or its inputs are re-read; a copy of the bundle is
 * read once. */
START_TEST(case_joins_inputs_and_keeps_ids)
{
    struct world w;
    struct lht_case_eval ev;
    long long id, zip, paste, fid;
    lht_err err;
    char paste_path[512];

    world_open(&w);
    snprintf(paste_path, sizeof paste_path, "%s", tu_source("fixtures/transcripts/seed-node-transcript.txt"));
    ck_assert_int_eq(lht_store_case_get(w.s, "ticket:T-1", "T-1", NULL, &id, &err), LHT_OK);
    zip = put(&w, tu_fixture("seed-rwx.zip"), id);
    evaluate(&w, id, &ev);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM v_findings WHERE confidence = 'suspected'"), 1);
    paste = put(&w, paste_path, id);
    evaluate(&w, id, &ev);
    ck_assert_int_eq((int)ev.inputs, 2);
    ck_assert_int_eq((int)ev.read, 2);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM v_findings WHERE rule_id = '" RWX "'"), 1);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM v_findings WHERE confidence = 'confirmed' AND node = '" N1 "'"), 1);
    fid = one(w.s, "SELECT finding_id FROM v_findings");
    ck_assert_int_eq(one(w.s, "SELECT count(DISTINCT bundle_id) FROM v_finding_evidence"), 2);
    ck_assert_int_gt(zip, 0);
    ck_assert_int_eq(one(w.s, "SELECT bundle_id FROM v_finding_evidence WHERE signal = 'open_state_wait'"), paste);
    /* again, and after the bundle is read again (new rows, same identity) */
    evaluate(&w, id, &ev);
    ck_assert_int_eq(one(w.s, "SELECT finding_id FROM v_findings"), fid);
    ck_assert_int_ne(put(&w, tu_fixture("seed-rwx.zip"), id), zip);
    evaluate(&w, id, &ev);
    ck_assert_int_eq(one(w.s, "SELECT finding_id FROM v_findings"), fid);
    /* the same bundle as tar.gz: one of the two is read */
    (void)put(&w, tu_fixture("seed-rwx.tar.gz"), id);
    evaluate(&w, id, &ev);
    ck_assert_int_eq((int)ev.inputs, 3);
    ck_assert_int_eq((int)ev.duplicates, 1);
    ck_assert_int_eq((int)ev.read, 2);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM v_bundles WHERE duplicate_of IS NOT NULL"), 1);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM v_finding_evidence WHERE signal = 'd_state'"), 2);
    ck_assert_int_eq(one(w.s, "SELECT finding_id FROM v_findings"), fid);
    ck_assert_int_eq(one(w.s, "SELECT stale FROM cases"), 0);
    world_close(&w);
}
END_TEST

/* An input that moves to another case leaves its old case stale, or
 * gone when nothing is left in it. */
START_TEST(inputs_move_between_cases)
{
    struct world w;
    struct lht_bundle_meta m;
    long long a, b, left = -1;
    lht_err err;

    world_open(&w);
    ck_assert_int_eq(lht_store_case_get(w.s, "ticket:A", "A", NULL, &a, &err), LHT_OK);
    ck_assert_int_eq(lht_store_case_get(w.s, "ticket:B", "B", NULL, &b, &err), LHT_OK);
    memset(&m, 0, sizeof m);
    m.name = "x";
    m.status = "ok";
    m.case_id = a;
    m.path = "/t/x.zip";
    ck_assert_int_eq(lht_store_put_input(w.s, &m, NULL, NULL, &left, &err), LHT_OK);
    m.path = "/t/y.zip";
    ck_assert_int_eq(lht_store_put_input(w.s, &m, NULL, NULL, &left, &err), LHT_OK);
    ck_assert_int_eq(left, 0);
    ck_assert_int_eq(lht_store_case_drop_empty(w.s, a, NULL, &err), LHT_OK);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM cases"), 2);
    sqlite3_exec(lht_store_db(w.s), "UPDATE cases SET stale = 0", NULL, NULL, NULL);
    m.case_id = b;
    ck_assert_int_eq(lht_store_put_input(w.s, &m, NULL, NULL, &left, &err), LHT_OK);
    ck_assert_int_eq(left, a);
    ck_assert_int_eq(one(w.s, "SELECT stale FROM cases WHERE key = 'ticket:A'"), 1);
    m.path = "/t/x.zip";
    ck_assert_int_eq(lht_store_put_input(w.s, &m, NULL, NULL, &left, &err), LHT_OK);
    ck_assert_int_eq(left, 0);
    ck_assert_int_eq(one(w.s, "SELECT count(*) FROM cases WHERE key = 'ticket:A'"), 0);
    ck_assert_int_eq(one(w.s, "SELECT inputs FROM v_cases WHERE name = 'B'"), 2);
    world_close(&w);
}
END_TEST

static Suite *case_suite(void)
{
    Suite *s = suite_create("case");
    TCase *tc = tcase_create("nodes");
    tcase_add_test(tc, names_join_across_inputs);
    tcase_add_test(tc, short_and_full_names);
    tcase_add_test(tc, hosts_from_input_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("identity");
    tcase_add_test(tc, content_identity_across_containers);
    suite_add_tcase(s, tc);
    tc = tcase_create("evaluate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, case_joins_inputs_and_keeps_ids);
    tcase_add_test(tc, inputs_move_between_cases);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(case_suite)
