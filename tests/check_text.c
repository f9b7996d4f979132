/* check_text.c - line walking, tokens, numbers (text.c), the fact arena
 * (facts.c) and error messages (err.c): the pieces every parser stands on. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "facts/facts.h"
#include "testutil.h"
#include "tu_main.h"
#include "core/text.h"

START_TEST(lines_crlf_nul_and_no_final_newline)
{
    const char buf[] = "a\r\n\nb\0c\nlast";
    struct lht_lines it;
    struct lht_line ln;
    lht_lines_init(&it, buf, sizeof buf - 1, 10);
    ck_assert(lht_line_next(&it, &ln));
    ck_assert_int_eq((int)ln.len, 1);
    ck_assert_int_eq(ln.no, 10);
    ck_assert(lht_line_next(&it, &ln));
    ck_assert_int_eq((int)ln.len, 0);
    ck_assert(lht_line_next(&it, &ln));
    ck_assert_int_eq((int)ln.len, 3);   /* NUL kept inside the line */
    ck_assert(lht_line_next(&it, &ln));
    ck_assert_int_eq((int)ln.len, 4);
    ck_assert_int_eq(ln.no, 13);
    ck_assert(!lht_line_next(&it, &ln));
    lht_lines_init(&it, "", 0, 1);
    ck_assert(!lht_line_next(&it, &ln));
}
END_TEST

START_TEST(tokens_and_numbers)
{
    const char *s = "  root\t 123  Ds+ ", *p = s, *tok;
    size_t tl;
    long v;
    ck_assert(lht_tok(&p, s + strlen(s), &tok, &tl));
    ck_assert_int_eq((int)tl, 4);
    ck_assert(lht_tok(&p, s + strlen(s), &tok, &tl));
    ck_assert_int_eq(lht_parse_long(tok, tl, &v), 0);
    ck_assert_int_eq(v, 123);
    ck_assert(lht_tok(&p, s + strlen(s), &tok, &tl));
    ck_assert(!lht_tok(&p, s + strlen(s), &tok, &tl));
    ck_assert_int_ne(lht_parse_long("12a", 3, &v), 0);
    ck_assert_int_ne(lht_parse_long("", 0, &v), 0);
    ck_assert_int_ne(lht_parse_long("1234567890123456789012", 22, &v), 0);
    ck_assert_int_eq(lht_parse_long("-7", 2, &v), 0);
    ck_assert_int_eq(v, -7);
}
END_TEST

START_TEST(arena_keeps_strings)
{
    struct lht_facts *f = lht_facts_new();
    static char big[200000];
    const char *a, *b, *c;
    memset(big, 'z', sizeof big - 1);
    a = lht_facts_str(f, "hello world", 5);
    b = lht_facts_strz(f, big);   /* larger than a chunk */
    c = lht_facts_strz(f, "after");
    ck_assert_str_eq(a, "hello");
    ck_assert_int_eq((int)strlen(b), (int)sizeof big - 1);
    ck_assert_str_eq(c, "after");
    ck_assert_ptr_null(lht_facts_str(f, NULL, 3));
    ck_assert_int_eq(lht_facts_add_frame(f, &(struct lht_frame){.line = 1, .symbol = "x"}), LHT_EUSAGE);
    lht_facts_free(f);
    lht_facts_free(NULL);
}
END_TEST

START_TEST(error_messages)
{
    lht_err e;
    char longer[600];
    memset(longer, 'm', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ck_assert_int_eq(lht_err_set(&e, LHT_EIO, "%s: %s", "bundle.zip", "truncated"), LHT_EIO);
    lht_err_prefix(&e, "scan");
    ck_assert_str_eq(e.msg, "scan: bundle.zip: truncated");
    lht_err_set(&e, LHT_EPARSE, "%s", longer);
    lht_err_prefix(&e, "%s", "x");
    ck_assert_int_eq((int)strlen(e.msg), (int)sizeof e.msg - 1);
    ck_assert_str_eq(lht_code_str(LHT_ELIMIT), "limit exceeded");
    ck_assert_int_eq(lht_err_set(NULL, LHT_EDB, "ignored"), LHT_EDB);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("basics");
    tcase_add_test(tc, lines_crlf_nul_and_no_final_newline);
    tcase_add_test(tc, tokens_and_numbers);
    tcase_add_test(tc, arena_keeps_strings);
    tcase_add_test(tc, error_messages);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(text_suite)
