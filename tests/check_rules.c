/* check_rules.c - rule loading and its errors, versions, embedded examples
 * (rules.c, ruletest.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "rules/ruletest.h"
#include "testutil.h"
#include "tu_main.h"

static const char *good_rule =
    "id: t1\n"
    "title: test rule\n"
    "severity: warning\n"
    "description: d\n"
    "subject: process\n"
    "signals:\n"
    "  - name: d\n"
    "    fact: process\n"
    "    field: stat\n"
    "    pattern: '^D'\n"
    "levels:\n"
    "  - name: confirmed\n"
    "    all: [d]\n"
    "examples:\n"
    "  - name: fires\n"
    "    expect: confirmed\n"
    "    files:\n"
    "      - text: |\n"
    "          root 7 0.0 0.0 1 1 ? D Jan1 0:00 x\n";

static const char *write_rule(const char *text)
{
    static char dir[256];
    char path[300];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir());
    snprintf(path, sizeof path, "%s/r.yaml", dir);
    ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
    return dir;
}

START_TEST(loads_good_rule)
{
    struct lht_ruleset *rs;
    lht_err err;
    ck_assert_int_eq(lht_ruleset_load(write_rule(good_rule), &rs, &err), LHT_OK);
    ck_assert_int_eq((int)lht_ruleset_count(rs), 1);
    ck_assert_str_eq(lht_rule_id(lht_ruleset_rule(rs, 0)), "t1");
    ck_assert_int_eq(lht_rule_severity(lht_ruleset_rule(rs, 0)), LHT_SEV_WARNING);
    ck_assert_int_eq((int)strlen(lht_ruleset_digest(rs)), 64);
    lht_ruleset_free(rs);
}
END_TEST

/* Each broken variant: (text to replace, replacement, expected message part, line). */
static const struct {
    const char *from, *to, *msg;
    int line;
} broken[] = {
    {"pattern: '^D'", "pattern: '^(D'", "missing closing parenthesis", 10},
    {"pattern: '^D'", "pattern: '^D'\n    colour: red", "unknown key 'colour'", 11},
    {"all: [d]", "all: [e]", "no signal named 'e'", 13},
    {"severity: warning", "severity: loud", "severity 'loud'", 3},
    {"fact: process", "fact: proces", "unknown fact kind 'proces'", 8},
    {"field: stat", "field: stats", "has no field 'stats'", 9},
    {"expect: confirmed", "expect: certain", "neither 'none' nor a level", 16},
    {"title: test rule\n", "title: [unclosed\n", "", 3},
    {"id: t1\n", "", "missing required key 'id'", 1},
    /* same: names a process field, and only for a sibling */
    {"pattern: '^D'", "pattern: '^D'\n    scope: sibling\n    same: colour", "a process has no field 'colour'", 12},
    {"pattern: '^D'", "pattern: '^D'\n    same: pid", "'same' applies to scope 'sibling' only", 11},
    {"pattern: '^D'", "pattern: '^D'\n    scope: sibling", "needs fact 'process' and a 'same' field", 7},
};

START_TEST(broken_rules_point_at_file_line)
{
    char text[2048], want[64];
    const char *at;
    struct lht_ruleset *rs = NULL;
    lht_err err;
    at = strstr(good_rule, broken[_i].from);
    ck_assert_ptr_nonnull(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_rule), good_rule, broken[_i].to,
             at + strlen(broken[_i].from));
    ck_assert_int_eq(lht_ruleset_load(write_rule(text), &rs, &err), LHT_ERULE);
    ck_assert_ptr_null(rs);
    ck_assert_msg(strstr(err.msg, broken[_i].msg) != NULL, "%s", err.msg);
    snprintf(want, sizeof want, "r.yaml:%d:", broken[_i].line);
    ck_assert_msg(strstr(err.msg, want) != NULL, "want %s in: %s", want, err.msg);
}
END_TEST

START_TEST(missing_dir_and_empty_dir)
{
    struct lht_ruleset *rs;
    lht_err err;
    ck_assert_int_eq(lht_ruleset_load("/nonexistent/rules", &rs, &err), LHT_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/rules"));
    ck_assert_int_eq(lht_ruleset_load(tu_tmpdir(), &rs, &err), LHT_ERULE);
    ck_assert_ptr_nonnull(strstr(err.msg, "no rule files"));
}
END_TEST

static const struct {
    const char *a, *b;
    int sign;
} versions[] = {
    {"v1.10.1", "1.10.1", 0},  {"v1.9.2", "1.10.1", -1}, {"1.11.0", "1.10.1", 1},
    {"4.1", "4.1", 0},         {"4.2", "4.1", 1},        {"4.0", "4.1", -1},
    {"4", "4.1", -1},          {"3", "4.1", -1},
    /* a missing component is 0 */
    {"4.1", "4.1.0", 0},       {"4.1.0", "4.1", 0},      {"4.1.0.0", "v4.1", 0},
    {"4.1", "4.1.1", -1},      {"4.1.1", "4.1", 1},      {"4", "4.0.0", 0},
    /* digit runs of any length, no overflow; leading zeros do not count */
    {"1.1234567890", "1.999999999", 1},                  {"1.99999999999999999999", "1.99999999999999999998", 1},
    {"123456789012345678901234567890", "123456789012345678901234567891", -1},
    {"4.01", "4.1", 0},        {"4.010", "4.9", 1},      {"0.0", "0", 0},
    /* the suffix after the numeric part is not compared */
    {"5.14.0-427.el9", "5.14", 0}, {"5.14.0-427.el9", "5.14.1", -1},
    {"6.8.0-51-generic", "6.8", 0}, {"6.8.0-51-generic", "6.8.0-52-generic", 0},
    {"v1.10.1-rc1", "1.10.1", 0},  {"v1.10.1-rc1", "1.10.2", -1},
    {"4.1.", "4.1", 0},        {"v", "0", 0},
};

START_TEST(version_compare)
{
    int c = lht_version_cmp(versions[_i].a, versions[_i].b);
    ck_assert_int_eq((c > 0) - (c < 0), versions[_i].sign);
}
END_TEST

/* Every example embedded in the shipped rules/ must pass. */
START_TEST(shipped_examples_pass)
{
    struct lht_ruleset *rs;
    struct lht_matcher *m;
    lht_err err;
    size_t i, j, total = 0;
    ck_assert_int_eq(lht_ruleset_load(tu_source("rules"), &rs, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
    for (i = 0; i < lht_ruleset_count(rs); i++) {
        const struct lht_rule *r = lht_ruleset_rule(rs, i);
        for (j = 0; j < lht_rule_example_count(r); j++) {
            char got[256];
            int pass;
            ck_assert_int_eq(lht_rule_run_example(rs, i, j, m, &pass, got, sizeof got, &err), LHT_OK);
            ck_assert_msg(pass, "%s: example '%s': expected %s, got %s", lht_rule_id(r),
                          lht_rule_example_name(r, j), lht_rule_example_expect(r, j), got);
            total++;
        }
    }
    ck_assert_int_ge((int)total, 10);
    {
        /* every shipped pattern runs JIT-compiled, none silently interpreted */
        size_t all, jit = lht_ruleset_jit_count(rs, &all);
        ck_assert_int_gt((int)all, 20);
        if (getenv("LHT_NO_JIT") == NULL)
            ck_assert_int_eq((int)jit, (int)all);
    }
    lht_matcher_free(m);
    lht_ruleset_free(rs);
}
END_TEST

/* A pathological pattern on hostile text gives up at the match limit and
 * says so on the member; the scan goes on. */
START_TEST(match_limit_is_a_note)
{
    const char *rule =
        "id: slow\ntitle: t\nseverity: info\ndescription: d\nsubject: process\n"
        "signals:\n  - name: s\n    fact: process\n    field: command\n    pattern: '^(a|aa)+$'\n"
        "levels:\n  - name: c\n    all: [s]\n";
    char text[200];
    struct lht_ruleset *rs;
    struct lht_matcher *m;
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    size_t n;
    const struct lht_note *no;
    snprintf(text, sizeof text, "root 7 0.0 0.0 1 1 ? D Jan1 0:00 %s\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
    ck_assert_int_eq(lht_ruleset_load(write_rule(rule), &rs, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
    ck_assert_int_eq(lht_extract_text(f, "case/ps.txt", text, strlen(text), &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    no = lht_facts_notes(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_ptr_nonnull(strstr(no[0].msg, "rule slow: signal s: pattern gave up"));
    ck_assert_str_eq(no[0].at.member, "case/ps.txt");
    lht_facts_free(f);
    lht_matcher_free(m);
    lht_ruleset_free(rs);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, loads_good_rule);
    tcase_add_loop_test(tc, broken_rules_point_at_file_line, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, missing_dir_and_empty_dir);
    tcase_add_test(tc, match_limit_is_a_note);
    tcase_add_loop_test(tc, version_compare, 0, (int)(sizeof versions / sizeof versions[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("examples");
    tcase_add_test(tc, shipped_examples_pass);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(rules_suite)
