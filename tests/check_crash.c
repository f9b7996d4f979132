/* check_crash.c - crash(8) session output (parsers/crash.c). Shapes from
 * crash-utility's help.c and the public reports cited in
 * fixtures/dresses/. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

static const struct lht_process *proc(const struct lht_facts *f, long pid)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(f, &n);
    for (i = 0; i < n; i++)
        if (p[i].pid == pid)
            return &p[i];
    return NULL;
}

START_TEST(ps_listing)
{
    struct lht_facts *f;
    const char *t = "   PID    PPID  CPU   TASK    ST  %MEM   VSZ   RSS  COMM\n"
                    ">     0      0   3  c024c000  RU   0.0     0     0  [swapper]\n"
                    "    460      1   1  fa938000  IN   0.0     0     0  [nfsd]\n"
                    "  31458      1   5  ffff88e9c8ded100  UN   0.0    7620   1156  memcg_test_1\n"
                    ">   700    688   1  f9d62000  RU   0.0  1048   256  gen12\n";
    ck_assert_int_eq(tu_parse(lht_parse_crash, t, 1, "n1", "crash> ps", -1, &f), 4);
    ck_assert_str_eq(proc(f, 31458)->stat, "D");
    ck_assert_str_eq(proc(f, 31458)->command, "memcg_test_1");
    ck_assert_int_eq(proc(f, 31458)->ppid, 1);
    ck_assert_int_eq(proc(f, 31458)->at.line, 4);
    ck_assert_str_eq(proc(f, 460)->stat, "S");
    ck_assert_str_eq(proc(f, 460)->command, "[nfsd]");
    ck_assert_str_eq(proc(f, 700)->stat, "R");
    lht_facts_free(f);
}
END_TEST

START_TEST(ps_m_run_times)
{
    struct lht_facts *f;
    const char *t = "[0 16:55:33.313] [UN]  PID: 148201  TASK: ffff89610e331ec0  CPU: 33  COMMAND: \"checkCustom\"\n"
                    "[0 16:55:36.579] [UN]  PID: 2690   TASK: ffff896e75769ec0  CPU: 10  COMMAND: \"containerd\"\n";
    ck_assert_int_eq(tu_parse(lht_parse_crash, t, 1, NULL, NULL, -1, &f), 2);
    ck_assert_str_eq(proc(f, 2690)->stat, "D");
    ck_assert_str_eq(proc(f, 2690)->command, "containerd");
    lht_facts_free(f);
}
END_TEST

START_TEST(bt_frames)
{
    struct lht_facts *f;
    size_t ns, nf;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    const char *t = "PID: 213    TASK: c000000004ba9f80  CPU: 9   COMMAND: \"eehd\"\n"
                    "  #0 [c000000004c277e0] __schedule at c000000000c756a8\n"
                    "  #5 [c000000004c27a30] bnx2x_netif_stop at c0080000015cbbf4 [bnx2x]\n"
                    "#10 [c000000004c27d00] eeh_event_handler at c00000000004e3b0\n"
                    "PID: 31458  TASK: ffff88e9c8ded100  CPU: 5   COMMAND: \"memcg_test_1\"\n"
                    " #0 [ffffb36648bc79a0] __schedule+0x2c3 at ffffffffb72636e3\n"
                    "    RIP: 00007f7b95ad9743  RSP: 00007ffe12089b08  RFLAGS: 00000246\n";
    ck_assert_int_eq(tu_parse(lht_parse_crash, t, 1, NULL, "crash> foreach UN bt", -1, &f), 4);
    s = lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    ck_assert_uint_eq(ns, 2);
    ck_assert_int_eq(s[0].pid, 213);
    ck_assert_int_eq(s[0].origin, LHT_STACK_PROC);
    ck_assert_uint_eq(s[0].nframes, 3);
    ck_assert_str_eq(fr[1].symbol, "bnx2x_netif_stop");
    ck_assert_str_eq(fr[1].module, "bnx2x");
    ck_assert_str_eq(fr[3].symbol, "__schedule");
    ck_assert_str_eq(fr[3].offset, "0x2c3");
    /* foreach UN: every task it shows is in UN */
    ck_assert_str_eq(proc(f, 213)->stat, "D");
    lht_facts_free(f);
    /* a plain bt names no state */
    ck_assert_int_eq(tu_parse(lht_parse_crash, t, 1, NULL, "crash> bt -sx ffff88e9c8ded100", -1, &f), 2);
    ck_assert_ptr_null(proc(f, 213));
    lht_facts_free(f);
}
END_TEST

START_TEST(not_crash)
{
    struct lht_facts *f;
    /* a line of blanks at the very end of the buffer (found by fuzz_ps):
     * nothing may be read past it */
    char *blank = malloc(2);
    blank[0] = ' ';
    blank[1] = ' ';
    ck_assert_int_eq(tu_parse_mem(lht_parse_crash, blank, 2, "t", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    free(blank);
    const char *t = "PID: not a number TASK: x\n#1 not a frame\n  12 34 56 zz UN 0 0 0 x\n";
    ck_assert_int_eq(tu_parse(lht_parse_crash, t, 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("listings");
    tcase_add_test(tc, ps_listing);
    tcase_add_test(tc, ps_m_run_times);
    tcase_add_test(tc, bt_frames);
    tcase_add_test(tc, not_crash);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(crash_suite)
