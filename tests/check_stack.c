/* check_stack.c - /proc/<pid>/stack pastes (parsers/stack.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

START_TEST(modern_form_with_modules)
{
    struct lht_facts *f;
    size_t ns, nf;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    const char *t = "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n"
                    "[<0>] _nfs4_do_open.isra.0+0x167/0x5b0 [nfsv4]\n"
                    "[<0>] do_dentry_open+0x220/0x570\n"
                    "[<0>] entry_SYSCALL_64_after_hwframe+0x78/0x80\n";
    ck_assert_int_eq(tu_parse(lht_parse_stack, t, 7, "n1", NULL, 123315, &f), 1);
    s = lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    ck_assert_int_eq((int)ns, 1);
    ck_assert_int_eq(s[0].pid, 123315);
    ck_assert_int_eq(s[0].origin, LHT_STACK_PROC);
    ck_assert_int_eq((int)s[0].nframes, 4);
    ck_assert_str_eq(fr[0].symbol, "nfs_set_open_stateid_locked");
    ck_assert_str_eq(fr[0].offset, "0x100/0x380");
    ck_assert_str_eq(fr[0].module, "nfsv4");
    ck_assert_int_eq(fr[0].line, 7);
    ck_assert_str_eq(fr[1].symbol, "_nfs4_do_open.isra.0");
    ck_assert_ptr_null(fr[2].module);
    ck_assert_int_eq(fr[3].line, 10);
    lht_facts_free(f);
}
END_TEST

START_TEST(old_form_with_terminator)
{
    struct lht_facts *f;
    size_t ns, nf;
    const struct lht_frame *fr;
    const char *t = "[<ffffffffc0a1b2c4>] rpc_wait_bit_killable+0x24/0xb0 [sunrpc]\r\n"
                    "[<ffffffffa6adb5d2>] do_dentry_open+0x132/0x340\r\n"
                    "[<ffffffffffffffff>] 0xffffffffffffffff\r\n";
    ck_assert_int_eq(tu_parse(lht_parse_stack, t, 1, NULL, NULL, 88412, &f), 1);
    (void)lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    ck_assert_int_eq((int)nf, 2);
    ck_assert_str_eq(fr[0].symbol, "rpc_wait_bit_killable");
    ck_assert_str_eq(fr[0].module, "sunrpc");
    lht_facts_free(f);
}
END_TEST

/* Several stacks in one paste, pids from the headers. */
static const struct {
    const char *name, *text;
    int stacks;
    long pid0, pid1;
} multi[] = {
    {"tail ==> headers",
     "==> /proc/101/stack <==\n[<0>] a+0x1/0x2\n\n==> /proc/202/stack <==\n[<0>] b+0x1/0x2\n[<0>] c+0x1/0x2\n",
     2, 101, 202},
    {"grep . prefixes", "/proc/101/stack:[<0>] a+0x1/0x2\n/proc/202/stack:[<0>] b+0x1/0x2\n"
                        "/proc/202/stack:[<0>] c+0x1/0x2\n", 2, 101, 202},
    {"echo pid loop", "101\n[<0>] a+0x1/0x2\n--- 202 ---\n[<0>] b+0x1/0x2\n", 2, 101, 202},
    {"task path", "/proc/77/task/78/stack\n[<0>] a+0x1/0x2\n", 1, 78, -1},
};

START_TEST(several_stacks)
{
    struct lht_facts *f;
    size_t ns;
    const struct lht_stack *s;
    ck_assert_int_eq(tu_parse(lht_parse_stack, multi[_i].text, 1, NULL, NULL, -1, &f), multi[_i].stacks);
    s = lht_facts_stacks(f, &ns);
    ck_assert_int_eq((int)ns, multi[_i].stacks);
    ck_assert_int_eq(s[0].pid, multi[_i].pid0);
    if (ns > 1)
        ck_assert_int_eq(s[1].pid, multi[_i].pid1);
    lht_facts_free(f);
}
END_TEST

START_TEST(not_frames)
{
    struct lht_facts *f;
    ck_assert_int_eq(tu_parse(lht_parse_stack, "cat: /proc/9/stack: No such file or directory\n"
                              "[<0 broken\n[<zz>] nope\n", 1, NULL, NULL, 9, &f), 0);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_stack, "", 1, NULL, NULL, 9, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *stack_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("forms");
    tcase_add_test(tc, modern_form_with_modules);
    tcase_add_test(tc, old_form_with_terminator);
    tcase_add_loop_test(tc, several_stacks, 0, (int)(sizeof multi / sizeof multi[0]));
    tcase_add_test(tc, not_frames);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(stack_suite)
