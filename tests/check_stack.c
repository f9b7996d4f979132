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
    /* lkml 20220224212646: head run from inside /proc */
    {"relative ==> N/stack <== headers", "==> 6409/stack <==\n[<0>] a+0x1/0x2\n\n==> 6410/stack <==\n[<0>] b+0x1/0x2\n",
     2, 6409, 6410},
    /* crmsh#486: a loop printing "PID = n" */
    {"PID = n loop markers", "PIDS = 301 363\nPID = 301\n[<ffffffffc04d6bcd>] write_all_supers+0x95d/0xaf0 [btrfs]\n"
                             "PID = 363\n[<0>] b+0x1/0x2\n", 2, 301, 363},
    /* tanelpoder.com: for i in `pgrep worker`; do ps -fp $i; cat /proc/$i/stack; done */
    {"ps -fp rows name the next stack", "UID        PID  PPID  C STIME TTY          TIME CMD\n"
                                        "root        53     2  0 Feb14 ?        00:04:34 [kworker/1:1]\n\n"
                                        "[] __cond_resched+0x2a/0x40\n[] lock_sock_nested+0x35/0x70\n", 1, 53, -1},
    /* lkml Z5kHmzL9vS9whMIA: tail over stack and syscall files */
    {"a header of another file ends the stack", "==> /proc/2174401/stack <==\n[<0>] a+0x1/0x2\n"
                                               "==> /proc/2174401/syscall <==\n40 0x4 0x3 0x0\n"
                                               "==> /proc/2174402/stack <==\n[<0>] b+0x1/0x2\n", 2, 2174401, 2174402},
    /* prose that introduces a stack by its pid, as comments and mails do */
    {"prose names the pid", "Here is the stack of the stuck writer (pid 4242):\n[<0>] a+0x1/0x2\n\n"
                            "and process 4343's stack:\n[<0>] b+0x1/0x2\n", 2, 4242, 4343},
    {"prose without a pid names none", "The stack, 3 frames deep, on kernel 5.14:\n[<0>] a+0x1/0x2\n", 1, -1, -1},
    {"a pid in prose that introduces nothing", "pid 4242 was fine.\n[<0>] a+0x1/0x2\n", 1, -1, -1},
};

/* One frame in each form. */
static const struct {
    const char *name, *text, *command;
    long pid;
    const char *symbol, *offset, *module;
    int uncertain;
} frames[] = {
    {"addresses hidden", "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n", NULL, 1,
     "nfs_set_open_stateid_locked", "0x100/0x380", "nfsv4", 0},
    {"unreliable frame", "[<0>] ? __schedule+0x2cd/0x890\n", NULL, 1, "__schedule", "0x2cd/0x890", NULL, 1},
    {"HTML ate the address", "[] rpc_wait_bit_killable+0x24/0x40 [sunrpc]\n", NULL, 1, "rpc_wait_bit_killable",
     "0x24/0x40", "sunrpc", 0},
    {"module with a build id", "[<0>] kjournald2+0xb7/0x2a0 [jbd2 ae888ef92775c4ea4c63d1cd1f51b1b9f7d9f47d]\n", NULL,
     1, "kjournald2", "0xb7/0x2a0", "jbd2", 0},
    {"grep prefix", "/proc/988/stack:[<0>] unix_seqpacket_recvmsg+0x43/0x70\n", NULL, -1,
     "unix_seqpacket_recvmsg", "0x43/0x70", NULL, 0},
    {"brackets stripped, in a stack file", "  nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n",
     "cat /proc/4242/stack", 4242, "nfs_set_open_stateid_locked", "0x100/0x380", "nfsv4", 0},
};

START_TEST(frame_forms)
{
    struct lht_facts *f;
    size_t ns, nf;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    long pid = frames[_i].pid > 1 ? frames[_i].pid : -1;
    ck_assert_int_eq(tu_parse(lht_parse_stack, frames[_i].text, 1, NULL, frames[_i].command, pid, &f), 1);
    s = lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    ck_assert_uint_eq(nf, 1);
    if (frames[_i].pid != 1)
        ck_assert_int_eq(s[0].pid, frames[_i].pid == -1 ? 988 : frames[_i].pid);
    ck_assert_str_eq(fr[0].symbol, frames[_i].symbol);
    ck_assert_str_eq(fr[0].offset, frames[_i].offset);
    if (frames[_i].module)
        ck_assert_str_eq(fr[0].module, frames[_i].module);
    else
        ck_assert_ptr_null(fr[0].module);
    ck_assert_int_eq(fr[0].uncertain, frames[_i].uncertain);
    lht_facts_free(f);
}
END_TEST

/* What a kernel log shows is kernel_log.c's: its traces, prefixed lines,
 * and bare frames in text not known to be a stack file. */
START_TEST(log_traces_are_not_stack_files)
{
    struct lht_facts *f;
    const char *t = "INFO: task nfsd:2777 blocked for more than 120 seconds.\n"
                    "Call Trace:\n"
                    " [<ffffffff816442f9>] schedule+0x29/0x70\n"
                    " [<ffffffffa0689705>] nfs4_lock_state+0x15/0x20 [nfsd]\n"
                    "\n"
                    "[ 6120.052245]  [<ffffffff81532510>] ? bit_wait+0x50/0x50\n"
                    "Aug 26 22:05:06 zfs-test kernel: [<ffffffff8103661f>] ? need_resched+0x14/0x18\n"
                    " __schedule+0x2a6/0x700\n";
    ck_assert_int_eq(tu_parse(lht_parse_stack, t, 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    /* "..." leaves frames out, it does not end the stack */
    ck_assert_int_eq(tu_parse(lht_parse_stack, "[<0>] a+0x1/0x2\n...\n[<0>] b+0x1/0x2\n", 1, NULL, NULL, 5, &f), 1);
    lht_facts_free(f);
}
END_TEST

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
    tcase_add_loop_test(tc, frame_forms, 0, (int)(sizeof frames / sizeof frames[0]));
    tcase_add_test(tc, log_traces_are_not_stack_files);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(stack_suite)
