/* check_report.c - escaping of untrusted text for markdown (report.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "testutil.h"

static const char *render(void (*fn)(struct lht_sb *, const char *), const char *s)
{
    static struct lht_sb b = LHT_SB_INIT;
    lht_sb_reset(&b);
    fn(&b, s);
    return lht_sb_str(&b);
}

static void cell(struct lht_sb *b, const char *s) { lht_md_cell(b, s); }
static void inl(struct lht_sb *b, const char *s) { lht_md_inline(b, s); }
static void code_in_table(struct lht_sb *b, const char *s) { lht_md_code(b, s, 1); }
static void fence(struct lht_sb *b, const char *s) { lht_md_fence(b, "text", s); }

START_TEST(cells_and_inline)
{
    ck_assert_str_eq(render(cell, "a|b"), "a\\|b");
    ck_assert_str_eq(render(cell, "<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
    ck_assert_str_eq(render(cell, "`x` *y* [z](u)"), "\\`x\\` \\*y\\* \\[z\\](u)");
    ck_assert_str_eq(render(cell, ""), "-");
    ck_assert_str_eq(render(inl, "two\nlines\r\x1b[31m"), "two lines\\x0d\\x1b\\[31m");
    ck_assert_str_eq(render(inl, "bad \xff\xfe utf8 ok \xc3\xa9"), "bad \\xff\\xfe utf8 ok \xc3\xa9");
    ck_assert_str_eq(render(code_in_table, "x|``y"), "```x\\|``y```");
    ck_assert_str_eq(render(code_in_table, "`edge"), "`` `edge ``");
}
END_TEST

/* Byte patterns shaped like characters that are not: an overlong '/', a
 * surrogate, a code point above U+10FFFF. Their neighbours pass. */
START_TEST(utf8_is_strict)
{
    ck_assert_str_eq(render(inl, "o \xe0\x80\xaf s \xed\xa0\x80 h \xf4\x90\x80\x80"),
                     "o \\xe0\\x80\\xaf s \\xed\\xa0\\x80 h \\xf4\\x90\\x80\\x80");
    ck_assert_str_eq(render(inl, "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
                     "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}
END_TEST

START_TEST(fences_outgrow_content)
{
    const char *out = render(fence, "a\n````\nb");
    ck_assert(strncmp(out, "`````text\n", 10) == 0);
    ck_assert_ptr_nonnull(strstr(out, "\n`````\n"));
    out = render(fence, "plain");
    ck_assert_str_eq(out, "```text\nplain\n```\n\n");
}
END_TEST

START_TEST(long_lines_are_cut)
{
    char big[5000];
    const char *out;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    out = render(fence, big);
    ck_assert_ptr_nonnull(strstr(out, "[... 4599 more bytes]"));
    ck_assert_int_lt((int)strlen(out), 600);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("escaping");
    tcase_add_test(tc, cells_and_inline);
    tcase_add_test(tc, fences_outgrow_content);
    tcase_add_test(tc, long_lines_are_cut);
    tcase_add_test(tc, utf8_is_strict);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    tu_begin();
    SRunner *sr = srunner_create(report_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_end();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
