/* check_dmesg.c - kernel logs in every prefix, hung tasks and their traces,
 * other traces, NFS client messages (parsers/kernel_log.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "testutil.h"
#include "tu_main.h"

/* One Ubuntu 5.15-style hung-task report; %s is the line prefix. */
static const char *const report[] = {
    "INFO: task sh:123315 blocked for more than 120 seconds.",
    "      Not tainted 5.15.0-105-generic #115-Ubuntu",
    "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
    "task:sh              state:D stack:    0 pid:123315 ppid:123300 flags:0x00004002",
    "Call Trace:",
    " <TASK>",
    " __schedule+0x2cd/0x890",
    " ? nfs_set_open_stateid_locked+0x80/0x380 [nfsv4]",
    " schedule+0x69/0x110",
    " nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]",
    " update_open_stateid+0xa0/0x2b0 [nfsv4]",
    " _nfs4_open_and_get_state+0x102/0x3d0 [nfsv4]",
    " RIP: 0033:0x7f3b1c2f5a88",
    " RSP: 002b:00007ffd1c1c2a08 EFLAGS: 00000246 ORIG_RAX: 0000000000000002",
    " </TASK>",
    "nfs: server 10.43.58.194 not responding, still trying",
    "nfs: server 10.43.58.194 OK",
};

static const char *const prefixes[] = {
    "[254210.118302] ",                                              /* dmesg */
    "[Tue Sep 24 06:58:00 2025] ",                                   /* dmesg -T */
    "kern  :err   : [Tue Sep 24 06:58:00 2025] ",                    /* dmesg -HTx (bundle) */
    "Sep 24 06:58:00 testing-jiras kernel: [254210.118302] ",         /* syslog */
    "Sep 24 06:58:00 testing-jiras kernel: ",                         /* syslog, no stamp */
    "2025-09-24T06:58:00.118302+00:00 testing-jiras kernel: ",        /* rsyslog RFC 3339 */
    "Sep 24 06:58:00.118302 testing-jiras kernel: ",                  /* journalctl -k short-precise */
    "<3>[254210.118302] ",                                           /* dmesg -r */
    "[  984.265087][ T2301] ",                                       /* CONFIG_PRINTK_CALLER */
    "[Sep24 06:58] ",                                                /* dmesg -H */
    "2025-09-24T06:58:00,118302+00:00 ",                             /* dmesg --time-format=iso */
    "<6>1 2025-09-24T06:58:00.118302+00:00 testing-jiras kernel: ",  /* RFC 5424 */
    "2025-09-24 06:58:00 testing-jiras kernel: ",                    /* journalctl short-iso */
    "Wed 2025-09-24 06:58:00 UTC testing-jiras kernel: ",            /* journalctl short-full */
    "1758697080.118302 testing-jiras kernel: ",                      /* journalctl short-unix */
    "[254210.118302] testing-jiras kernel: ",                         /* journalctl short-monotonic */
    "Sep 24 06:58:00 10.0.0.7 kernel: ",                             /* remote syslog, host as IP */
};

START_TEST(report_in_every_prefix)
{
    char text[8192];
    size_t i, o = 0, nh, ns, nf, nk;
    struct lht_facts *f;
    const struct lht_hung_task *h;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    const struct lht_klog *k;

    text[0] = '\0';
    for (i = 0; i < sizeof report / sizeof report[0]; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s\n", prefixes[_i], report[i]);
    ck_assert_int_gt(tu_parse(lht_parse_kernel_log, text, 100, "n1", NULL, -1, &f), 0);
    h = lht_facts_hung_tasks(f, &nh);
    s = lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    k = lht_facts_klogs(f, &nk);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_str_eq(h[0].task, "sh");
    ck_assert_int_eq(h[0].pid, 123315);
    ck_assert_int_eq(h[0].blocked_seconds, 120);
    ck_assert_int_eq(h[0].at.line, 100);
    ck_assert_int_eq((int)ns, 1);
    ck_assert_int_eq(h[0].stack, 0);
    ck_assert_int_eq(s[0].origin, LHT_STACK_HUNG_TASK);
    ck_assert_int_eq(s[0].pid, 123315);
    ck_assert_int_eq((int)s[0].nframes, 6);
    ck_assert_str_eq(fr[1].symbol, "nfs_set_open_stateid_locked");
    ck_assert_int_eq(fr[1].uncertain, 1);
    ck_assert_str_eq(fr[3].symbol, "nfs_set_open_stateid_locked");
    ck_assert_int_eq(fr[3].uncertain, 0);
    ck_assert_str_eq(fr[3].module, "nfsv4");
    ck_assert_int_eq(fr[3].line, 109);
    /* hung_task, nfs_not_responding, nfs_ok */
    ck_assert_int_eq((int)nk, 3);
    ck_assert_str_eq(k[1].kind, "nfs_not_responding");
    ck_assert_str_eq(k[1].server, "10.43.58.194");
    ck_assert_str_eq(k[2].kind, "nfs_ok");
    lht_facts_free(f);
}
END_TEST

START_TEST(rhel7_old_form)
{
    const char *t =
        "Jan 10 03:12:01 node7 kernel: INFO: task java:12345 blocked for more than 120 seconds.\n"
        "Jan 10 03:12:01 node7 kernel: \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
        "Jan 10 03:12:01 node7 kernel: java            D ffff88103fc93680     0 12345      1 0x00000080\n"
        "Jan 10 03:12:01 node7 kernel: ffff880fe5a3fc30 0000000000000082 ffff880fe5a3ffd8 0000000000013680\n"
        "Jan 10 03:12:01 node7 kernel: Call Trace:\n"
        "Jan 10 03:12:01 node7 kernel: [<ffffffff8163a909>] schedule+0x29/0x70\n"
        "Jan 10 03:12:01 node7 kernel: [<ffffffffa04f69b4>] rpc_wait_bit_killable+0x24/0xb0 [sunrpc]\n"
        "Jan 10 03:12:01 node7 kernel: [<ffffffff81638710>] __wait_on_bit+0x60/0x90\n"
        "Jan 10 03:12:02 node7 systemd: Started Session 5 of user root.\n";
    struct lht_facts *f;
    size_t nh, nf;
    const struct lht_hung_task *h;
    const struct lht_frame *fr;
    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    h = lht_facts_hung_tasks(f, &nh);
    fr = lht_facts_frames(f, &nf);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_str_eq(h[0].task, "java");
    ck_assert_str_eq(h[0].when, "Jan 10 03:12:01");
    ck_assert_int_eq((int)nf, 3);
    ck_assert_str_eq(fr[1].symbol, "rpc_wait_bit_killable");
    ck_assert_str_eq(fr[1].module, "sunrpc");
    lht_facts_free(f);
}
END_TEST

START_TEST(comm_with_colon_and_6x_fields)
{
    const char *t =
        "[ 5000.1] INFO: task kworker/u16:2:1234 blocked for more than 245 seconds.\n"
        "[ 5000.1] task:kworker/u16:2   state:D stack:0     pid:1234  tgid:1234  ppid:2      flags:0x00004000\n"
        "[ 5000.1] Call Trace:\n"
        "[ 5000.1]  <TASK>\n"
        "[ 5000.1]  __schedule+0x3fd/0x1500\n"
        "[ 5000.1]  </TASK>\n";
    struct lht_facts *f;
    size_t nh;
    const struct lht_hung_task *h;
    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    h = lht_facts_hung_tasks(f, &nh);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_str_eq(h[0].task, "kworker/u16:2");
    ck_assert_int_eq(h[0].pid, 1234);
    ck_assert_int_eq(h[0].blocked_seconds, 245);
    ck_assert_int_ge(h[0].stack, 0);
    lht_facts_free(f);
}
END_TEST

START_TEST(warning_trace_is_not_a_hung_task)
{
    const char *t =
        "kern  :warn  : [Tue Sep 24 06:58:00 2025] WARNING: CPU: 2 PID: 7781 at fs/nfs/nfs4state.c:1102 nfs4_copy_open_stateid+0x3b/0x80 [nfsv4]\n"
        "kern  :warn  : [Tue Sep 24 06:58:00 2025] CPU: 2 PID: 7781 Comm: sh Not tainted 6.8.0-51-generic #52-Ubuntu\n"
        "kern  :warn  : [Tue Sep 24 06:58:00 2025] Call Trace:\n"
        "kern  :warn  : [Tue Sep 24 06:58:00 2025]  <TASK>\n"
        "kern  :warn  : [Tue Sep 24 06:58:00 2025]  nfs4_file_open+0x172/0x2d0 [nfsv4]\n"
        "kern  :warn  : [Tue Sep 24 06:58:00 2025]  </TASK>\n";
    struct lht_facts *f;
    size_t nh, ns, nk;
    const struct lht_stack *s;
    const struct lht_klog *k;
    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    (void)lht_facts_hung_tasks(f, &nh);
    s = lht_facts_stacks(f, &ns);
    k = lht_facts_klogs(f, &nk);
    ck_assert_int_eq((int)nh, 0);
    ck_assert_int_eq((int)ns, 1);
    ck_assert_int_eq(s[0].origin, LHT_STACK_OTHER);
    ck_assert_int_eq(s[0].pid, 7781);
    ck_assert_str_eq(s[0].comm, "sh");
    ck_assert_str_eq(k[0].kind, "warning");
    lht_facts_free(f);
}
END_TEST

static const struct {
    const char *line, *kind, *server;
} nfs[] = {
    {"[ 1.0] nfs: server nas01.corp.example not responding, still trying", "nfs_not_responding", "nas01.corp.example"},
    {"[ 1.0] nfs: server 10.43.17.201 not responding, timed out", "nfs_timed_out", "10.43.17.201"},
    {"[ 1.0] nfs: server 10.43.17.201 OK", "nfs_ok", "10.43.17.201"},
    {"[ 1.0] NFS: Server 10.43.58.194 reports our clientid is in use", "nfs_clientid_in_use", "10.43.58.194"},
    {"[ 1.0] NFS: nfs4_reclaim_open_state: Lock reclaim failed!", "nfs_state_recovery", NULL},
    {"[ 1.0] NFS: state manager: check lease failed on NFSv4 server 10.0.0.5 with error 13", "nfs_lease", "10.0.0.5"},
    {"[ 1.0] NFS: state manager: lease expired failed on NFSv4 server 10.0.0.5 with error 10011", "nfs_lease_expired", "10.0.0.5"},
    {"[ 1.0] Error: state manager failed on NFSv4 server 10.0.0.6 with error 5", "nfs_state_recovery", "10.0.0.6"},
    {"[ 1.0] lockd: server 10.0.0.7 not responding, still trying", "lockd_not_responding", "10.0.0.7"},
    {"[ 1.0] nfsacl: server 10.0.0.8 not responding, timed out", "nfs_timed_out", "10.0.0.8"},
    {"[ 1.0] NFS: server 10.0.0.9 error: fileid changed", "nfs_error", "10.0.0.9"},
};

START_TEST(nfs_messages)
{
    struct lht_facts *f;
    size_t nk;
    const struct lht_klog *k;
    tu_parse(lht_parse_kernel_log, nfs[_i].line, 1, NULL, NULL, -1, &f);
    k = lht_facts_klogs(f, &nk);
    ck_assert_int_eq((int)nk, 1);
    ck_assert_str_eq(k[0].kind, nfs[_i].kind);
    if (nfs[_i].server)
        ck_assert_str_eq(k[0].server, nfs[_i].server);
    ck_assert_str_eq(k[0].when, " 1.0");
    lht_facts_free(f);
}
END_TEST

START_TEST(other_programs_and_hostile_text)
{
    static char big[200000];
    struct lht_facts *f;
    size_t nk;
    const char t[] = "Sep 24 06:58:00 host myapp[12]: nfs: server 1.2.3.4 not responding, still trying\r\n"
                     "\0\0INFO: task x:1 blocked\r\n[ 1.0] INFO: task sh:9 blocked for more than 120 seconds.\r\n"
                     "[ 1.0] Call Trace:\r\n";   /* truncated report */
    struct lht_pctx ctx;
    tu_parse(lht_parse_kernel_log, "", 1, NULL, NULL, -1, &f);
    tu_pctx(&ctx, f, "t", NULL, 1);
    ck_assert_int_ge(lht_parse_kernel_log(t, sizeof t - 1, &ctx), 1);
    (void)lht_facts_klogs(f, &nk);
    ck_assert_int_eq((int)nk, 1);   /* only the kernel's hung-task line */
    memset(big, 'A', sizeof big);
    ck_assert_int_eq(lht_parse_kernel_log(big, sizeof big, &ctx), 0);
    lht_facts_free(f);
}
END_TEST

/* dmesg -x lines of user-space facilities and syslog lines of other
 * programs carry kernel-looking text; neither is kernel evidence. */
START_TEST(user_space_lines_are_not_kernel)
{
    const char *t =
        "user  :warn  : [Tue Sep 24 06:58:00 2025] INFO: task sh:1 blocked for more than 120 seconds.\n"
        "daemon:info  : [Tue Sep 24 06:58:00 2025] nfs: server 1.2.3.4 not responding, still trying\n"
        "2025-09-24T06:58:00.1+00:00 host containerd[812]: NFS: Server 1.2.3.4 reports our clientid is in use\n"
        "Sep 24 06:58:00 host kubelet[99]: WARNING: CPU: 1 PID: 2 at x\n"
        "[ 1.0] usb 1-1: new high-speed USB device number 2 using xhci_hcd\n";
    struct lht_facts *f;
    size_t nk, nh;

    ck_assert_int_eq(tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f), 0);
    (void)lht_facts_klogs(f, &nk);
    (void)lht_facts_hung_tasks(f, &nh);
    ck_assert_int_eq((int)nk, 0);
    ck_assert_int_eq((int)nh, 0);
    lht_facts_free(f);
}
END_TEST

/* echo w > /proc/sysrq-trigger: D tasks listed with no hung-task line are
 * still blocked tasks with a trace (secs unknown); sysrq t also lists
 * sleeping tasks, whose traces are not evidence. */
START_TEST(sysrq_dumps)
{
    const char *t =
        "[ 900.0] sysrq: Show Blocked State\n"
        "[ 900.0] task:dd              state:D stack:    0 pid: 4242 ppid:  4200 flags:0x00004000\n"
        "[ 900.0] Call Trace:\n"
        "[ 900.0]  <TASK>\n"
        "[ 900.0]  __schedule+0x2cd/0x890\n"
        "[ 900.0]  nfs4_wait_clnt_recover+0x6a/0x80 [nfsv4]\n"
        "[ 900.0]  </TASK>\n"
        "[ 901.0] sysrq: Show State\n"
        "[ 901.0] task:bash            state:S stack:    0 pid:  100 ppid:     1 flags:0x00000000\n"
        "[ 901.0] Call Trace:\n"
        "[ 901.0]  <TASK>\n"
        "[ 901.0]  do_wait+0x1/0x2\n"
        "[ 901.0]  </TASK>\n"
        "[ 901.0] task:sh              state:D stack:    0 pid:  200 ppid:     1 flags:0x00000000\n"
        "[ 901.0] Call Trace:\n"
        "[ 901.0]  <TASK>\n"
        "[ 901.0]  rpc_wait_bit_killable+0x1/0x2 [sunrpc]\n"
        "[ 901.0]  </TASK>\n";
    struct lht_facts *f;
    size_t nh, ns, nk;
    const struct lht_hung_task *h;
    const struct lht_stack *st;
    const struct lht_klog *k;

    tu_parse(lht_parse_kernel_log, t, 1, "n1", NULL, -1, &f);
    h = lht_facts_hung_tasks(f, &nh);
    st = lht_facts_stacks(f, &ns);
    k = lht_facts_klogs(f, &nk);
    ck_assert_int_eq((int)nh, 2);
    ck_assert_int_eq(h[0].pid, 4242);
    ck_assert_int_eq(h[0].blocked_seconds, -1);
    ck_assert_int_eq(h[1].pid, 200);
    ck_assert_int_eq((int)ns, 2);   /* bash's S trace is not kept */
    ck_assert_int_eq(st[0].pid, 4242);
    ck_assert_int_eq(st[1].pid, 200);
    ck_assert_int_eq((int)nk, 2);
    ck_assert_str_eq(k[0].kind, "sysrq_blocked_state");
    ck_assert_str_eq(k[1].kind, "sysrq_show_state");
    lht_facts_free(f);
}
END_TEST

/* 6.14+ CONFIG_DETECT_HUNG_TASK_BLOCKER: after the hung task's own report
 * the kernel names the mutex owner and dumps its stack; that stack belongs
 * to the owner's pid and is not a second hung task. */
START_TEST(hung_task_blocker)
{
    const char *t =
        "[  123.1] INFO: task cat:115 blocked for more than 122 seconds.\n"
        "[  123.1]       Not tainted 6.14.0 #1\n"
        "[  123.1] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
        "[  123.1] task:cat             state:D stack:13432 pid:115   tgid:115   ppid:106    task_flags:0x400100 flags:0x00000002\n"
        "[  123.1] Call Trace:\n"
        "[  123.1]  <TASK>\n"
        "[  123.1]  __schedule+0x1/0x2\n"
        "[  123.1]  __mutex_lock+0x1/0x2\n"
        "[  123.1]  </TASK>\n"
        "[  123.1] INFO: task cat:115 is blocked on a mutex likely owned by task cat:114.\n"
        "[  123.1] task:cat             state:S stack:13432 pid:114   tgid:114   ppid:106    task_flags:0x400100 flags:0x00000002\n"
        "[  123.1] Call Trace:\n"
        "[  123.1]  <TASK>\n"
        "[  123.1]  msleep_interruptible+0x1/0x2\n"
        "[  123.1]  </TASK>\n";
    struct lht_facts *f;
    size_t nh, ns;
    const struct lht_hung_task *h;
    const struct lht_stack *st;

    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    h = lht_facts_hung_tasks(f, &nh);
    st = lht_facts_stacks(f, &ns);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_int_eq(h[0].pid, 115);
    ck_assert_int_eq((int)ns, 2);
    ck_assert_int_eq(st[0].origin, LHT_STACK_HUNG_TASK);
    ck_assert_int_eq(st[1].origin, LHT_STACK_OTHER);
    ck_assert_int_eq(st[1].pid, 114);
    lht_facts_free(f);
}
END_TEST

/* 32-bit ARM unwinder: "[<pc>] (sym+off/len) from [<lr>] (caller)"; the
 * first parenthesis names the frame. */
START_TEST(arm32_frames)
{
    const char *t =
        "[ 5.0] INFO: task sh:77 blocked for more than 120 seconds.\n"
        "[ 5.0] [<c0a1b2c4>] (__schedule) from [<c0a1b8e0>] (schedule+0x50/0xa8)\n"
        "[ 5.0] [<c0a1b8e0>] (schedule) from [<bf2e1234>] (nfs_set_open_stateid_locked+0x1b0/0x2c0 [nfsv4])\n"
        "[ 5.0] [<bf2e1234>] (nfs_set_open_stateid_locked [nfsv4]) from [<bf2e5678>] (update_open_stateid+0x90/0x1a0 [nfsv4])\n"
        "[ 5.0] usb 1-1: reset\n";
    struct lht_facts *f;
    size_t nh, nf;
    const struct lht_hung_task *h;
    const struct lht_frame *fr;

    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    h = lht_facts_hung_tasks(f, &nh);
    fr = lht_facts_frames(f, &nf);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_int_ge(h[0].stack, 0);
    ck_assert_int_eq((int)nf, 3);
    ck_assert_str_eq(fr[0].symbol, "__schedule");
    ck_assert_str_eq(fr[2].symbol, "nfs_set_open_stateid_locked");
    ck_assert_str_eq(fr[2].module, "nfsv4");
    lht_facts_free(f);
}
END_TEST

/* A hung-task line whose trace never comes (log cut, lines lost) is kept
 * and noted, so the report can say the trace is missing. */
START_TEST(report_without_trace_is_noted)
{
    const char *t = "[ 1.0] INFO: task sh:9 blocked for more than 120 seconds.\n";
    struct lht_facts *f;
    size_t nh;

    tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f);
    (void)lht_facts_hung_tasks(f, &nh);
    ck_assert_int_eq((int)nh, 1);
    ck_assert_uint_eq(tu_nnotes(f), 1);
    lht_facts_free(f);
}
END_TEST

/* A streamed member arrives in pieces that end at line ends: wherever the
 * cut falls (mid-report, mid-trace, between a report and its trace), the
 * facts and their line numbers are those of the whole log. */
START_TEST(pieces_equal_whole)
{
    char text[8192];
    size_t i, o = 0, cut, nh0, ns0, nf0, nk0;
    struct lht_facts *whole, *f;
    const struct lht_frame *fr0;
    const struct lht_klog *k0;

    for (i = 0; i < sizeof report / sizeof report[0]; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "Sep 24 06:58:00 h kernel: %s\n", report[i]);
    o += (size_t)snprintf(text + o, sizeof text - o, "Sep 24 06:58:01 h kernel: usb 1-1: reset\n"
                          "[ 9.0] INFO: task dd:77 blocked for more than 120 seconds.");
    ck_assert_int_gt(tu_parse(lht_parse_kernel_log, text, 5, "n1", NULL, -1, &whole), 0);
    (void)lht_facts_hung_tasks(whole, &nh0);
    (void)lht_facts_stacks(whole, &ns0);
    fr0 = lht_facts_frames(whole, &nf0);
    k0 = lht_facts_klogs(whole, &nk0);
    for (cut = 0; cut <= o; cut++) {
        struct lht_pctx ctx;
        void *st;
        size_t nh, ns, nf, nk, j;
        const struct lht_frame *fr;
        const struct lht_klog *k;
        const struct lht_hung_task *h, *h0;

        if (cut > 0 && cut < o && text[cut - 1] != '\n')
            continue;
        tu_parse(lht_parse_kernel_log, "", 5, "n1", NULL, -1, &f);
        tu_pctx(&ctx, f, "t.txt", "n1", 5);
        ck_assert_int_eq(lht_kernel_log_stream_begin(&ctx, &st), LHT_OK);
        ck_assert_int_eq(lht_kernel_log_stream_feed(st, text, cut), LHT_OK);
        ck_assert_int_eq(lht_kernel_log_stream_feed(st, text + cut, o - cut), LHT_OK);
        ck_assert_int_gt(lht_kernel_log_stream_end(st), 0);
        h = lht_facts_hung_tasks(f, &nh);
        h0 = lht_facts_hung_tasks(whole, &nh0);
        (void)lht_facts_stacks(f, &ns);
        fr = lht_facts_frames(f, &nf);
        k = lht_facts_klogs(f, &nk);
        ck_assert_msg(nh == nh0 && ns == ns0 && nf == nf0 && nk == nk0, "cut at %zu", cut);
        for (j = 0; j < nh; j++)
            ck_assert_int_eq(h[j].at.line, h0[j].at.line);
        for (j = 0; j < nf; j++)
            ck_assert_int_eq(fr[j].line, fr0[j].line);
        for (j = 0; j < nk; j++)
            ck_assert_int_eq(k[j].at.line, k0[j].at.line);
        ck_assert_uint_eq(tu_nnotes(f), tu_nnotes(whole));
        lht_facts_free(f);
    }
    lht_facts_free(whole);
}
END_TEST

/* A line longer than a piece arrives cut: its later pieces are the rest of
 * that one line, not lines of their own. */
START_TEST(line_longer_than_a_piece)
{
    static char a[3000], b[3000];
    const char *tail = "AAAA\nSep 24 06:58:00 h kernel: INFO: task sh:77 blocked for more than 120 seconds.\n";
    struct lht_facts *f;
    struct lht_pctx ctx;
    void *st;
    const struct lht_hung_task *h;
    size_t nh;

    memset(a, 'A', sizeof a);
    memset(b, 'A', sizeof b);
    f = lht_facts_new();
    tu_pctx(&ctx, f, "t.txt", NULL, 1);
    ck_assert_int_eq(lht_kernel_log_stream_begin(&ctx, &st), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_feed(st, a, sizeof a), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_feed(st, b, sizeof b), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_feed(st, tail, strlen(tail)), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_end(st), 3);   /* the klog line, the hung task, its D state */
    h = lht_facts_hung_tasks(f, &nh);
    ck_assert_uint_eq(nh, 1);
    ck_assert_int_eq(h[0].at.line, 2);
    lht_facts_free(f);
}
END_TEST

static Suite *dmesg_suite(void)
{
    Suite *s = suite_create("dmesg");
    TCase *tc = tcase_create("kernel log");
    tcase_add_loop_test(tc, report_in_every_prefix, 0, (int)(sizeof prefixes / sizeof prefixes[0]));
    tcase_add_test(tc, rhel7_old_form);
    tcase_add_test(tc, comm_with_colon_and_6x_fields);
    tcase_add_test(tc, warning_trace_is_not_a_hung_task);
    tcase_add_loop_test(tc, nfs_messages, 0, (int)(sizeof nfs / sizeof nfs[0]));
    tcase_add_test(tc, other_programs_and_hostile_text);
    tcase_add_test(tc, user_space_lines_are_not_kernel);
    tcase_add_test(tc, sysrq_dumps);
    tcase_add_test(tc, hung_task_blocker);
    tcase_add_test(tc, arm32_frames);
    tcase_add_test(tc, report_without_trace_is_noted);
    tcase_add_test(tc, pieces_equal_whole);
    tcase_add_test(tc, line_longer_than_a_piece);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(dmesg_suite)
