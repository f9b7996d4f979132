/* check_re.c - pattern tables (core/re.c): first match wins, and a pattern
 * that gives up is reported, never taken for "no match"; every caller of a
 * table then records it (a note on the member) and goes on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/re.h"
#include "facts/facts.h"
#include "ingest/extract.h"
#include "testutil.h"
#include "tu_main.h"

static struct lht_re table[] = {
    {"^(a|aa)+$", 1, NULL},   /* exponential backtracking on "aaa...b" */
    {"b$", 2, NULL},
    {"^x", 3, NULL},
};

#define N (sizeof table / sizeof table[0])

static pcre2_match_data *md;

static void setup(void)
{
    lht_err err;
    ck_assert_int_eq(lht_re_compile(table, N, &err), LHT_OK);
    md = lht_re_match_data(table, N);
    ck_assert_ptr_nonnull(md);
}

static void teardown(void)
{
    pcre2_match_data_free(md);
}

START_TEST(limit_is_reported_and_later_patterns_tried)
{
    char hostile[80];
    int fail = 0;
    char msg[200];

    memset(hostile, 'a', sizeof hostile - 2);
    hostile[sizeof hostile - 2] = 'b';
    hostile[sizeof hostile - 1] = '\0';
    /* the first pattern gives up; the second still matches */
    ck_assert_int_eq(lht_re_first(table, N, hostile, strlen(hostile), md, &fail), 1);
    ck_assert_int_eq(fail, PCRE2_ERROR_MATCHLIMIT);
    ck_assert(lht_re_fail_is_limit(fail));
    ck_assert_ptr_nonnull(strstr(lht_re_fail_text(fail, msg, sizeof msg), "match limit"));
    ck_assert_ptr_nonnull(strstr(msg, "-47"));
    /* the first failure stays; a clean match does not clear it */
    ck_assert_int_eq(lht_re_first(table, N, "xyz", 3, md, &fail), 2);
    ck_assert_int_eq(fail, PCRE2_ERROR_MATCHLIMIT);
    fail = 0;
    ck_assert_int_eq(lht_re_first(table, N, "aaaa", 4, md, &fail), 0);
    ck_assert_int_eq(lht_re_first(table, N, "zzz", 3, md, &fail), -1);
    ck_assert_int_eq(fail, 0);
    ck_assert(!lht_re_fail_is_limit(PCRE2_ERROR_NOMEMORY));
}
END_TEST

static size_t notes_with(const struct lht_facts *f, const char *part)
{
    size_t n, i, hits = 0;
    const struct lht_note *no = lht_facts_notes(f, &n);
    for (i = 0; i < n; i++)
        if (strstr(no[i].msg, part))
            hits++;
    return hits;
}

/* With a match limit no pattern can meet, every table a member goes
 * through gives up: the kernel log, the sniffing of a paste, the prompt
 * search. Each says so on the member; the scan itself goes on. */
START_TEST(callers_record_the_failure)
{
    static const char klog[] = "[  120.000000] INFO: task sh:77 blocked for more than 120 seconds.\n"
                               "[  120.000001] Call Trace:\n";
    static const char paste[] = "root@n1:~# cat /proc/77/stack\n[<0>] nfs4_file_open+0x1/0x2\n";
    struct lht_facts *f = lht_facts_new(), *k = NULL;
    lht_err err;

    ck_assert_int_eq(setenv("LHT_RE_MATCH_LIMIT", "1", 1), 0);   /* before the first match */
    ck_assert_int_eq(tu_parse(lht_parse_kernel_log, klog, 1, "n1", NULL, -1, &k), 0);
    ck_assert_uint_eq(notes_with(k, "kernel log: a pattern gave up on this text "), 1);
    lht_err_clear(&err);
    ck_assert_msg(lht_extract_text(f, "sb/nodes/n1/logs/dmesg.log", klog, sizeof klog - 1, &err) == LHT_OK,
                  "%s", err.msg);
    ck_assert_uint_eq(notes_with(f, "classifying the member by its path: a pattern gave up"), 1);
    ck_assert_msg(lht_extract_text(f, "case/paste.txt", paste, sizeof paste - 1, &err) == LHT_OK, "%s", err.msg);
    /* the paste's prompt search gave up (and so may the path-less log's:
     * the prompt shapes of ingest/transcript.c take indented lines too) */
    ck_assert_uint_ge(notes_with(f, "finding shell prompts: a pattern gave up"), 1);
    ck_assert_uint_ge(notes_with(f, "telling what the text is: a pattern gave up"), 1);
    ck_assert_uint_eq(notes_with(f, "PCRE2 error -47"), notes_with(f, "gave up"));
    lht_facts_free(f);
    lht_facts_free(k);
}
END_TEST

static Suite *re_suite(void)
{
    Suite *s = suite_create("re");
    TCase *tc = tcase_create("re");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, limit_is_reported_and_later_patterns_tried);
    tcase_add_test(tc, callers_record_the_failure);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(re_suite)
