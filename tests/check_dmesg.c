/* check_dmesg.c - kernel logs in every prefix, hung tasks and their traces,
 * other traces, NFS client messages (parsers/kernel_log.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "facts/registry.h"
#include "testutil.h"

#include <dirent.h>
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
    /* each further nfs_re text, so the jump's trigger words are proven to
     * hold every one (these lines are read through the jump) */
    {"[ 1.0] NFS: migration recovery failed (server 10.0.0.3)", "nfs_state_recovery", "10.0.0.3"},
    {"[ 1.0] nfs4_reclaim_locks_state: unhandled error -121", "nfs_state_recovery", NULL},
    {"[ 1.0] NFS: nfs4_discover_server_trunking unhandled error -512. Exiting with error EIO", "nfs_error", NULL},
    {"[ 1.0] NFS: lease Expired for client", "nfs_lease_expired", NULL},
    {"[ 1.0] nfs: NFS4ERR_EXPIRED from 10.0.0.4", "nfs_lease_expired", NULL},
    {"[ 1.0] NFS4: Couldn't follow remote path", "nfs_error", NULL},
    {"[ 1.0] NFS: Server 10.0.0.2 error: fileid changed", "nfs_error", "10.0.0.2"},
};

START_TEST(nfs_messages)
{
    struct lht_facts *f;
    size_t nk;
    const struct lht_klog *k;
    char text[512];

    /* behind the client's routine chatter, which the jump skips */
    snprintf(text, sizeof text, "[ 0.5] NFS: Registering the id_resolver key type\n"
             "[ 0.6] nfs4: Deprecated parameter 'intr' for mount of 10.0.0.1:/x\n%s\n", nfs[_i].line);
    tu_parse(lht_parse_kernel_log, text, 1, NULL, NULL, -1, &f);
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

/* text (len bytes) streamed in two pieces cut at `cut`, as member t.txt of
 * node n1 from line `first`; the stream's result, facts in *out. */
static int two_pieces(const char *text, size_t len, size_t cut, long first, struct lht_facts **out)
{
    struct lht_pctx ctx;
    void *st;

    tu_parse(lht_parse_kernel_log, "", first, "n1", NULL, -1, out);
    tu_pctx(&ctx, *out, "t.txt", "n1", first);
    ck_assert_int_eq(lht_kernel_log_stream_begin(&ctx, &st), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_feed(st, text, cut), LHT_OK);
    ck_assert_int_eq(lht_kernel_log_stream_feed(st, text + cut, len - cut), LHT_OK);
    return lht_kernel_log_stream_end(st);
}

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
        size_t nh, ns, nf, nk, j;
        const struct lht_frame *fr;
        const struct lht_klog *k;
        const struct lht_hung_task *h, *h0;

        if (cut > 0 && cut < o && text[cut - 1] != '\n')
            continue;
        ck_assert_int_gt(two_pieces(text, o, cut, 5, &f), 0);
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

/* Reports in the dresses public pastes show (fixtures/dresses/ cites each
 * source): the task the report is about, the frames of its trace, its
 * first and last frame, and the D state it records. */
static const struct {
    const char *name, *text;
    long pid;
    const char *comm;     /* of the process row recorded, NULL: none */
    int nframes;          /* of the first stack */
    const char *first, *last;
} reports[] = {
    {"syslog without a host, indented as markdown code, ARM '(sym) from' frames",
     "    May 17 18:48:11 kernel: [ 6141.921740] INFO: task kworker/u8:0:5 blocked for more than 120 seconds.\n"
     "    May 17 18:48:11 kernel: [ 6141.921785] kworker/u8:0    D    0     5      2 0x00000000\n"
     "    May 17 18:48:11 kernel: [ 6141.921812] Workqueue: writeback wb_workfn (flush-8:1-fuseblk)\n"
     "    May 17 18:48:11 kernel: [ 6141.921849] [<807762c0>] (__schedule) from [<80776938>] (schedule+0x50/0xa8)\n"
     "    May 17 18:48:11 kernel: [ 6141.922075] [<7f4ba618>] (fuse_writepages [fuse]) from [<8022e284>] (do_writepages+0x30/0x8c)\n",
     5, "[kworker/u8:0]", 2, "__schedule", "fuse_writepages"},
    {"ARM without addresses (6.x), no Call Trace line",
     "[   63.358569] INFO: task init:347 blocked for more than 30 seconds.\n"
     "[   63.359600] task:init            state:D stack:    0 pid:  347 ppid:     1 flags:0x00000000\n"
     "[   63.360104]  __schedule from schedule+0x60/0xbc\n"
     "[   63.360368]  schedule from scsi_remove_host+0x154/0x1c0\n"
     "[   63.365849] Exception stack(0xd1859fa8 to 0xd1859ff0)\n"
     "[   63.366054] 9fa0:                   01234567 000c623f fee1dead 28121969 01234567 00000000\n",
     347, "init", 2, "__schedule", "schedule"},
    {"frame-pointer Backtrace: with register lines",
     "INFO: task kworker/3:1:44 blocked for more than 61 seconds.\n"
     "task:kworker/3:1     state:D stack:    0 pid:   44 ppid:     2\nflags:0x00000000\n"
     "Backtrace:\n __schedule from schedule+0x60/0xcc\n r10:c0fead70 r9:c2854c94 r8:df9a1dac\n r4:c2814b40\n"
     " schedule from schedule_preempt_disabled+0x28/0x38\n",
     44, "[kworker/3:1]", 2, "__schedule", "schedule"},
    {"printk caller ids, a wrapped INFO line, the free stack glued to the state",
     "[  624.334007][  T723] INFO: task kworker/u195:4:1019 blocked for more \nthan 121 seconds.\n"
     "[  624.348439][  T723] kworker/u195:4  D28496  1019      2 0x00000028\n"
     "[  624.385519][  T723] Call trace:\n[  624.388696][  T723]  __switch_to+0x300/0x3e8\n"
     "[  624.393000][  T723]  __schedule+0xc6c/0xd38\n",
     1019, "[kworker/u195:4]", 2, "__switch_to", "__schedule"},
    {"a vendor CPU number after the time", "[15115.362616][  2] INFO: task ls:577 blocked for more than 120 seconds.\n"
     "[15115.369399][  2] ls              D    0   999    510 0x00000000\n"
     "[15115.371439][  2] Call Trace:\n[15115.372467][  2]  __schedule+0x2a2/0x800\n",
     577, "ls", 1, "__schedule", "__schedule"},
    {"the banner without its INFO line (3.10, hex stack words)",
     "[ 1326.459212] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
     "[ 1326.467155] qbuckets2       D ffffffffa047cde8     0  4037   3994 0x00000080\n"
     "[ 1326.474557]  ffff880751a27600 0000000000000082 ffff88027babbec0 ffff880751a27fd8\n"
     "[ 1326.498508] Call Trace:\n[ 1326.501076]  [<ffffffff8168ca69>] schedule_preempt_disabled+0x29/0x70\n"
     "[ 1326.507636]  [<ffffffff8168a6c5>] __mutex_lock_slowpath+0xc5/0x1c0\n",
     4037, "qbuckets2", 2, "schedule_preempt_disabled", "__mutex_lock_slowpath"},
    {"syslog stripped the frames' leading space", "Mar  1 12:55:55 dev-gc01-vm507 kernel: INFO: task qb:2950 blocked for more than 120 seconds.\n"
     "Mar  1 12:55:55 dev-gc01-vm507 kernel: Call Trace:\n"
     "Mar  1 12:55:55 dev-gc01-vm507 kernel: [<ffffffff8168ca69>] schedule_preempt_disabled+0x29/0x70\n"
     "Mar  1 12:55:55 dev-gc01-vm507 kernel: [<ffffffff8168a6c5>] ? __mutex_lock_slowpath+0xc5/0x1c0\n",
     2950, "qb", 2, "schedule_preempt_disabled", "__mutex_lock_slowpath"},
    {"journal lines quoted without their time", "\tkernel: sysrq: Show Blocked State\n"
     "\tkernel: task:lvm             state:D stack:0     pid:11422  tgid:11422 ppid:1374   flags:0x00004002\n"
     "\tkernel: Call Trace:\n\tkernel: __schedule+0x228/0x570\n",
     11422, "lvm", 1, "__schedule", "__schedule"},
    {"short-monotonic without a host", "[ 3318.829119] kernel: INFO: task kworker/u16:0:17963 blocked for more than 122 seconds.\n",
     17963, "kworker/u16:0", 0, NULL, NULL},
    {"other tasks' lines interleave (printk caller ids), a wrapped line",
     "[  624.334007][  T723] INFO: task kworker/u195:4:1019 blocked for more than 121 seconds.\n"
     "[  624.385519][  T723] Call trace:\n[  624.388696][  T723]  __switch_to+0x300/0x3e8\n"
     "[  624.406842][  T950] kobject: '(null)' ((____ptrval____)): \nkobject_cleanup, parent (____ptrval____)\n"
     "[  624.407300][  T723]  async_run_entry_fn+0x118/0x340\n[  624.455932][  T723] INFO: lockdep is turned off.\n",
     1019, "kworker/u195:4", 2, "__switch_to", "async_run_entry_fn"},
    {"an ARM caller wrapped onto its own line", "\tINFO: task kworker/u8:0:8 blocked for more than 491 seconds.\n"
     "\ttask:kworker/u8:0    state:D stack:    0 pid:    8 ppid:     2 flags:0x00000000\n"
     "\t[<c08a65a0>] (rt_mutex_slowlock_block.constprop.0) from [<c08a6708>]\n"
     "\t+(rt_mutex_slowlock.constprop.0+0xac/0x174)\n"
     "\t[<c08a6708>] (rt_mutex_slowlock.constprop.0) from [<c0374d60>] (fat_write_inode+0x34/0x54)\n",
     8, "[kworker/u8:0]", 2, "rt_mutex_slowlock_block.constprop.0", "rt_mutex_slowlock.constprop.0"},
    {"a CPU/PID line names the trace after it", "[   39.993209][    T1] CPU: 65 PID: 1 Comm: swapper/0 Tainted: G\n"
     "[   39.993227][    T1] Call trace:\n[   39.993239][    T1]  dump_backtrace+0x0/0x298\n",
     1, NULL, 1, "dump_backtrace", "dump_backtrace"},
};

START_TEST(report_dresses)
{
    struct lht_facts *f;
    size_t ns, nf, np, i;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    const struct lht_process *p;
    const struct lht_process *row = NULL;

    ck_assert_int_gt(tu_parse(lht_parse_kernel_log, reports[_i].text, 1, NULL, NULL, -1, &f), 0);
    s = lht_facts_stacks(f, &ns);
    fr = lht_facts_frames(f, &nf);
    p = lht_facts_processes(f, &np);
    for (i = 0; i < np; i++)
        if (p[i].pid == reports[_i].pid)
            row = &p[i];
    if (reports[_i].comm) {
        ck_assert_msg(row != NULL, "%s: no process row", reports[_i].name);
        ck_assert_str_eq(row->stat, "D");
        ck_assert_str_eq(row->command, reports[_i].comm);
    } else {
        ck_assert_uint_eq(np, 0);
    }
    if (reports[_i].nframes == 0) {
        ck_assert_uint_eq(ns, 0);
    } else {
        ck_assert_msg(ns >= 1, "%s: no stack", reports[_i].name);
        ck_assert_int_eq(s[0].pid, reports[_i].pid);
        ck_assert_msg((int)s[0].nframes == reports[_i].nframes, "%s: %zu frames", reports[_i].name, s[0].nframes);
        ck_assert_str_eq(fr[s[0].first].symbol, reports[_i].first);
        ck_assert_str_eq(fr[s[0].first + s[0].nframes - 1].symbol, reports[_i].last);
    }
    lht_facts_free(f);
}
END_TEST

/* An NFS outage is ongoing until the log shows the server's "OK". */
START_TEST(outages)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_klog *k;
    const char *t = "[Wed Apr 10 17:58:24 2024] nfs: server 192.168.0.1 not responding, still trying\n"
                    "[Wed Apr 10 17:58:30 2024] nfs: server 10.0.0.9 not responding, timed out\n"
                    "[Wed Apr 10 17:58:37 2024] nfs: server 192.168.0.1 not responding, still trying\n"
                    "[Wed Apr 10 17:58:39 2024] nfs: server 192.168.0.1 OK\n"
                    "[Wed Apr 10 18:30:00 2024] nfs: server 192.168.0.1 not responding, still trying\n"
                    "[Wed Apr 10 18:31:00 2024] lockd: server 10.0.0.9 OK\n";
    /* line 3 repeats line 1: one event of two messages */
    ck_assert_int_eq(tu_parse(lht_parse_kernel_log, t, 1, NULL, NULL, -1, &f), 5);
    k = lht_facts_klogs(f, &n);
    ck_assert_str_eq(k[0].outage, "recovered");
    ck_assert_int_eq(k[0].repeats, 1);
    ck_assert_int_eq(k[0].last_line, 3);
    ck_assert_str_eq(k[0].last_when, "Wed Apr 10 17:58:37 2024");
    ck_assert_str_eq(k[1].outage, "ongoing");    /* lockd's OK is not nfs' */
    ck_assert_int_eq(k[1].repeats, -1);
    ck_assert_ptr_null(k[2].outage);
    ck_assert_str_eq(k[2].kind, "nfs_ok");
    /* a new outage after the OK is an event of its own, not a repeat */
    ck_assert_str_eq(k[3].outage, "ongoing");
    ck_assert_int_eq(k[3].at.line, 5);
    ck_assert_int_eq(k[3].repeats, -1);
    lht_facts_free(f);
}
END_TEST

/* A long outage logs the same message for every RPC that times out: one
 * event per server and outage, with the count and where the last one was,
 * however the log is cut into pieces. */
START_TEST(repeats_fold)
{
    static char text[300000];
    size_t o = 0, cut, nk;
    int i;

    for (i = 1; i <= 3000; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "[%d.5] nfs: server %s not responding, still trying\n", i,
                              i % 2 ? "10.0.0.1" : "10.0.0.2");
    o += (size_t)snprintf(text + o, sizeof text - o, "[3001.5] nfs: server 10.0.0.1 OK\n"
                          "[3002.5] nfs: server 10.0.0.1 not responding, still trying\n");
    for (cut = 0; cut < o; cut += o / 7 + 1) {
        struct lht_facts *f;
        const struct lht_klog *k;
        while (cut > 0 && text[cut - 1] != '\n')
            cut++;
        ck_assert_int_eq(two_pieces(text, o, cut, 1, &f), 4);
        k = lht_facts_klogs(f, &nk);
        ck_assert_uint_eq(nk, 4);
        ck_assert_int_eq(k[0].at.line, 1);
        ck_assert_int_eq(k[0].repeats, 1499);
        ck_assert_int_eq(k[0].last_line, 2999);
        ck_assert_str_eq(k[0].last_when, "2999.5");
        ck_assert_str_eq(k[0].outage, "recovered");
        ck_assert_int_eq(k[1].repeats, 1499);
        ck_assert_int_eq(k[1].last_line, 3000);
        ck_assert_str_eq(k[1].outage, "ongoing");
        ck_assert_str_eq(k[2].kind, "nfs_ok");
        ck_assert_int_eq(k[3].at.line, 3002);
        ck_assert_int_eq(k[3].repeats, -1);
        ck_assert_ptr_null(k[3].last_when);
        lht_facts_free(f);
    }
}
END_TEST

/* Messages of many servers interleaved: each server's fold into one event
 * while the table holds them all, and past its size none is lost: every
 * message is an event or a repeat of one. */
START_TEST(repeats_of_many_servers)
{
    static const int servers[] = {40, 1000};
    size_t t;

    for (t = 0; t < 2; t++) {
        size_t cap = (size_t)servers[t] * 3 * 80 + 1, o = 0, nk, i;
        char *text = malloc(cap);
        struct lht_facts *f;
        const struct lht_klog *k;
        long msgs = 0;
        int r, sv;
        for (r = 0; r < 3; r++)
            for (sv = 0; sv < servers[t]; sv++)
                o += (size_t)snprintf(text + o, cap - o, "[1.0] nfs: server 10.1.%d.%d not responding, timed out\n",
                                      sv / 250, sv % 250);
        tu_parse_mem(lht_parse_kernel_log, text, o, "t.txt", 1, NULL, NULL, -1, &f);
        k = lht_facts_klogs(f, &nk);
        for (i = 0; i < nk; i++)
            msgs += 1 + (k[i].repeats > 0 ? k[i].repeats : 0);
        ck_assert_int_eq(msgs, 3 * servers[t]);
        if (t == 0) {
            ck_assert_uint_eq(nk, 40);
            ck_assert_int_eq(k[39].repeats, 2);
            ck_assert_int_eq(k[39].last_line, 120);
        } else {
            ck_assert_uint_ge(nk, 1000);
        }
        lht_facts_free(f);
        free(text);
    }
}
END_TEST

/* A WARN_ON in a hot path prints the same report again and again: each
 * repeat of the same task's header and frames is counted on the first
 * report's event, and its records are taken back; another warning, or an
 * NFS message inside a report, is kept as it was. */
START_TEST(repeated_warnings_fold)
{
    static const char *const w[] = {
        "WARNING: CPU: 1 PID: 77 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 [nfs]",
        "Call Trace:",
        " <TASK>",
        " nfs_lock_and_join_requests+0x5c/0x2a0 [nfs]",
        " nfs_updatepage+0x100/0x9b0 [nfs]",
        " </TASK>",
    };
    static char text[1 << 20];
    size_t o = 0, cut, i, n;
    int r;

    for (r = 1; r <= 2000; r++)
        for (i = 0; i < 6; i++)
            o += (size_t)snprintf(text + o, sizeof text - o, "[%d.0] %s\n", r, w[i]);
    /* another task's warning, then the first again: each its own */
    o += (size_t)snprintf(text + o, sizeof text - o,
                          "[3000.0] WARNING: CPU: 1 PID: 78 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 [nfs]\n"
                          "[3000.0] Call Trace:\n[3000.0]  nfs_updatepage+0x100/0x9b0 [nfs]\n[3000.0]  </TASK>\n");
    /* the same again with an NFS message inside: kept, with the message */
    o += (size_t)snprintf(text + o, sizeof text - o,
                          "[3001.0] WARNING: CPU: 1 PID: 78 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 [nfs]\n"
                          "[3001.0] nfs: server 10.0.0.1 not responding, still trying\n"
                          "[3001.0] Call Trace:\n[3001.0]  nfs_updatepage+0x100/0x9b0 [nfs]\n[3001.0]  </TASK>\n");
    for (cut = 0; cut < o; cut += o / 5 + 1) {
        struct lht_facts *f;
        const struct lht_klog *k;
        const struct lht_stack *st;
        while (cut > 0 && text[cut - 1] != '\n')
            cut++;
        ck_assert_int_gt(two_pieces(text, o, cut, 1, &f), 0);
        k = lht_facts_klogs(f, &n);
        ck_assert_uint_eq(n, 4);
        ck_assert_str_eq(k[0].kind, "warning");
        ck_assert_int_eq(k[0].repeats, 1999);
        ck_assert_int_eq(k[0].last_line, 1999 * 6 + 1);
        ck_assert_str_eq(k[0].last_when, "2000.0");
        ck_assert_int_eq(k[1].repeats, -1);
        ck_assert_int_eq(k[2].repeats, -1);
        ck_assert_str_eq(k[3].kind, "nfs_not_responding");
        st = lht_facts_stacks(f, &n);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(st[0].pid, 77);
        ck_assert_uint_eq(st[0].nframes, 2);
        (void)lht_facts_frames(f, &n);
        ck_assert_uint_eq(n, 4);
        lht_facts_free(f);
    }
}
END_TEST

/* Every record of f, one rendered line each with its type and line. */
static void dump(const struct lht_facts *f, struct lht_sb *out)
{
    int t;
    size_t i;

    for (t = 0; t < LHT_FACT_COUNT; t++)
        for (i = 0; i < lht_facts_count(f, t); i++) {
            struct lht_prov at = lht_facts_prov(f, t, i);
            lht_sb_printf(out, "%s %ld: ", lht_fact_types[t].name, at.line);
            lht_fact_render(f, t, i, out);
            lht_sb_puts(out, "\n");
        }
}

static void parse_dump(const char *text, size_t len, int every_line, struct lht_sb *out)
{
    struct lht_facts *f;

    if (every_line)
        setenv("LHT_KLOG_EVERY_LINE", "1", 1);
    else
        unsetenv("LHT_KLOG_EVERY_LINE");
    tu_parse_mem(lht_parse_kernel_log, text, len, "t.txt", 1, "n1", NULL, -1, &f);
    unsetenv("LHT_KLOG_EVERY_LINE");
    dump(f, out);
    lht_facts_free(f);
}

/* The jump between trigger words skips only lines that cannot matter:
 * every text of the fixtures (pastes of the dresses corpus, evidence,
 * sosreport and transcript files) parses to the same records, line for
 * line, with the jump and reading every line. */
START_TEST(jump_loses_nothing)
{
    static const char *const dirs[] = {"fixtures/dresses", "fixtures/evidence", "fixtures/transcripts"};
    size_t d, files = 0, records = 0;

    for (d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        DIR *dir = opendir(tu_source(dirs[d]));
        struct dirent *e;
        ck_assert_ptr_nonnull(dir);
        while ((e = readdir(dir)) != NULL) {
            char path[4096];
            struct lht_sb a = LHT_SB_INIT, b = LHT_SB_INIT;
            FILE *fp;
            char *buf;
            long n;
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", tu_source(dirs[d]), e->d_name);
            if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) <= 0) {
                if (fp)
                    fclose(fp);
                continue;   /* a folder */
            }
            rewind(fp);
            buf = malloc((size_t)n);
            ck_assert_int_eq((long)fread(buf, 1, (size_t)n, fp), n);
            fclose(fp);
            parse_dump(buf, (size_t)n, 0, &a);
            parse_dump(buf, (size_t)n, 1, &b);
            ck_assert_msg(strcmp(lht_sb_str(&a), lht_sb_str(&b)) == 0, "%s: with the jump:\n%s\nevery line:\n%s",
                          path, lht_sb_str(&a), lht_sb_str(&b));
            records += a.len > 0;
            files++;
            lht_sb_free(&a);
            lht_sb_free(&b);
            free(buf);
        }
        closedir(dir);
    }
    ck_assert_uint_gt(files, 100);
    ck_assert_uint_gt(records, 20);
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
    tcase_add_loop_test(tc, report_dresses, 0, (int)(sizeof reports / sizeof reports[0]));
    tcase_add_test(tc, outages);
    tcase_add_test(tc, repeats_fold);
    tcase_add_test(tc, repeats_of_many_servers);
    tcase_add_test(tc, repeated_warnings_fold);
    tcase_add_test(tc, jump_loses_nothing);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(dmesg_suite)
