/*
 * kernel_log.c - kernel log text into hung-task reports with their call
 * traces, other traces (WARNING/BUG, sysrq dumps) and NFS client messages.
 *
 * The same kernel message reaches a support bundle in many dresses, so
 * every line first loses its prefix (prefix_re, first match wins):
 *
 *   [254210.118302] msg                                 dmesg, dmesg -r "<3>[..]"
 *   [  984.265087][   T23] msg                          CONFIG_PRINTK_CALLER
 *   [Tue Sep 24 06:58:00 2025] msg                      dmesg -T
 *   [Sep24 06:58] msg / [  +0.000123] msg               dmesg -H
 *   kern  :warn  : [Tue Sep 24 06:58:00 2025] msg       dmesg -HTx (bundle logs/dmesg.log)
 *   2025-09-24T06:58:00,123456+00:00 msg                dmesg --time-format=iso
 *   Sep 24 06:58:00 host kernel: [12345.678901] msg     syslog, messages, kern.log
 *   Sep 24 06:58:00.123456 host kernel: msg             journalctl -k short(-precise)
 *   2025-09-24T06:58:00.123456+00:00 host kernel: msg   rsyslog RFC 3339, short-iso
 *   Tue 2025-09-24 06:58:00 UTC host kernel: msg        journalctl -o short-full
 *   1727161080.123456 host kernel: msg                  journalctl -o short-unix
 *   [ 1234.567890] host kernel: msg                     journalctl -o short-monotonic
 *
 * Syslog lines of other programs (kubelet[..]:, systemd:) and dmesg -x
 * lines of other facilities are skipped; they do not end a trace either,
 * because syslog interleaves them with kernel lines.
 *
 * Then one table of message patterns (msg_re) serves every dress. Texts
 * come from the kernel sources:
 *   kernel/hung_task.c   "INFO: task %s:%d blocked for more than %ld seconds."
 *                        "INFO: task %s:%d is blocked on a mutex likely owned by task %s:%d."
 *                        "INFO: task %s:%d <%s> blocked on an rw-semaphore likely owned by ..."
 *                        "Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings"
 *   kernel/sched/core.c  sched_show_task: 5.8+ "task:%-15.15s state:%c stack:%-5lu pid:%-5d
 *                        [tgid:%-5d] ppid:%-6d flags:0x%08lx"; before that
 *                        "%-15.15s %c [%016lx] %5lu %5d %6d 0x%08lx" (3.10 prints the PC,
 *                        4.x does not), followed on 3.10 by raw stack words.
 *   kernel/panic.c       "WARNING: CPU: %d PID: %d at %s:%d %pS" (3.10: "WARNING: at ...")
 *   lib/dump_stack.c     "CPU: %d [UID: %u ]PID: %d Comm: %.20s %s%s %s %.*s"
 *   drivers/tty/sysrq.c  "sysrq: Show Blocked State" (5.x+), "SysRq : Show Blocked State"
 * and the NFS client messages listed with nfs_re below.
 *
 * A hung-task report is a small state machine: the INFO line opens it,
 * "Call Trace:" (arm64: "Call trace:") starts the frames, and the trace
 * ends at "</TASK>", at a new report, or at the first line that is neither
 * a frame nor a register/stack-dump line. Frames come as
 *   " __schedule+0x2cd/0x890", " ? __schedule+0x.../0x...",
 *   " [<ffffffff8163a909>] schedule+0x29/0x70" (3.10), " nfs4_..+0x1/0x2 [nfsv4]".
 *
 * Speed: a bundle's syslog can hold hundreds of MB. Outside a report the
 * walk jumps from one trigger word to the next (core/lits.h scans the
 * rest of the piece for all of them at once), so most lines are never
 * split or matched; inside a report every line is looked at until the
 * trace ends. No per-line
 * allocation: strings go to the fact arena only for records kept.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/lits.h"
#include "core/re.h"
#include "core/text.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pieces shared by the prefix patterns. A host never ends in ':', which
 * keeps "WARNING: CPU: 3 ..." from reading as host "WARNING:" + prog "CPU". */
#define HOST "\\S*[^\\s:] +"
#define PROG "(?<prog>[A-Za-z0-9_./@-]+)(?:\\[\\d+\\])?: "
/* printk time, then a CONFIG_PRINTK_CALLER id ("[  T723]", "[    C3]") or
 * a vendor kernel's CPU number ("[  2]", Android's "c7 " before a frame) */
#define TS "\\[(?<ts>[^\\]]{1,40})\\] ?(?:\\[ *(?<caller>[TC]\\d+)\\] ?|\\[ *\\d+\\] ?)?(?:c\\d{1,2} (?=\\[<))?"
#define KTS "(?:<\\d+>)?(?:" TS ")?"
/* Pastes indent logs (markdown code, mail): the prefix may too. */
#define IND "^\\s*"

static struct lht_re prefix_re[] = {
    /* dmesg -x, -Tx, -HTx: facility and level names from dmesg(1). */
    {IND "(?:<\\d+>)?(?<fac>kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|"
     "res[0-9]|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: " KTS,
     0, NULL},
    /* BSD syslog and journalctl short / short-precise; the host is missing
     * in some syslog setups ("May 17 18:48:11 kernel: [ 6141.92] ..."). */
    {IND "(?:<\\d+>)?(?<sys>[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) +(?:" HOST PROG "|kernel: )" KTS,
     0, NULL},
    /* RFC 3339 (rsyslog, RFC 5424 "<pri>1 ") and journalctl short-iso(-precise). */
    {IND "(?:<\\d+>(?:1 )?)?(?<sys>\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?"
     "(?:Z|[+-]\\d\\d:?\\d\\d)?) +(?:" HOST PROG "|kernel: )" KTS,
     0, NULL},
    /* journalctl short-full. */
    {IND "(?<sys>[A-Z][a-z]{2} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? [A-Za-z0-9+-]{1,6}) +"
     HOST PROG KTS,
     0, NULL},
    /* journalctl short-unix. */
    {IND "(?<sys>\\d{9,11}\\.\\d+) +" HOST PROG KTS, 0, NULL},
    /* journalctl short-monotonic, with or without the host; prog must be
     * the kernel, or raw dmesg lines such as "[ 1.0] usb 1-1: ..." would
     * be taken for it. */
    {IND "\\[(?<ts>\\s*\\d+\\.\\d+)\\] +(?:" HOST ")?(?<prog>kernel): (?:<\\d+>)?(?:\\[[^\\]]{1,40}\\] ?)?", 0,
     NULL},
    /* "kernel: msg" alone: journal lines quoted without their time. */
    {IND "(?<prog>kernel): " KTS, 0, NULL},
    /* dmesg --time-format=iso. */
    {IND "(?<sys>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[.,]\\d+(?:Z|[+-]\\d\\d:?\\d\\d)) ", 0, NULL},
    /* raw dmesg, -r, -T, -H, reltime; matches any line (no prefix at all). */
    {IND KTS, 0, NULL},
};

enum msg {
    M_HUNG, M_BLOCKED_ON, M_TASKLINE, M_OLDTASK, M_CALLTRACE, M_WARNING, M_BUG, M_CPU_PID,
    M_SUPPRESSED, M_SYSRQ_W, M_SYSRQ_T, M_PANIC, M_NFS, M_BANNER
};

/* Kernel messages, first match wins. */
static struct lht_re msg_re[] = {
    /* comm may hold ':' and spaces; the pid is the last ":<digits>" before " blocked". */
    {"^INFO: task (?<comm>.+):(?<pid>\\d+) blocked for more than (?<secs>\\d+) seconds", M_HUNG, NULL},
    /* the same, cut by a mail client's line wrap ("blocked for more \\nthan 121 seconds.") */
    {"^INFO: task (?<comm>.+):(?<pid>\\d+) blocked for(?: more(?: than(?: (?<secs>\\d+))?)?)?\\s*$", M_HUNG, NULL},
    /* CONFIG_DETECT_HUNG_TASK_BLOCKER (6.14+): the owner's task dump follows. */
    {"^INFO: task (?<comm>.+?):(?<pid>\\d+) (?:is |<[a-z]+> )?blocked on (?:(?<nf>.*not found)|)", M_BLOCKED_ON,
     NULL},
    /* 5.8+ sched_show_task; "state:R  running task     stack:" on running tasks. */
    {"^ *task:(?<comm>.+?) *state:(?<state>[A-Za-z]).*?stack: *\\d+ *pid: *(?<pid>\\d+)(?:.*?ppid: *(?<ppid>\\d+))?",
     M_TASKLINE, NULL},
    /* pre-5.8 sched_show_task: comm (%-15.15s), state, [PC on 3.10], free, pid, ppid, flags. */
    /* The free-stack number may touch the state ("D28496"); vendor kernels
     * append fields ("last_sleep: ..."). */
    {"^(?<comm>\\S.{0,14}?) +(?<state>[DRSTtZXIPWK])(?: +running(?: task)?)?(?: +| *(?=\\d))(?:[0-9a-f]{8,16} +)?"
     "\\d+ +(?<pid>\\d+) +(?<ppid>\\d+) +0x[0-9a-f]+(?:\\s|$)",
     M_OLDTASK, NULL},
    /* x86 "Call Trace:", arm64 "Call trace:", the ARM frame-pointer unwinder's "Backtrace:" */
    {"^ *(?:Call [Tt]race|Backtrace):", M_CALLTRACE, NULL},
    {"^WARNING: (?:CPU: \\d+ PID: (?<pid>\\d+) )?at ", M_WARNING, NULL},
    {"^(?:(?:NMI )?watchdog: )?(?:BUG: |kernel BUG at )", M_BUG, NULL},
    {"^CPU: \\d+ (?:UID: \\d+ )?PID: (?<pid>\\d+) Comm: (?<comm>.+?)(?: +(?:Not tainted|Tainted:).*)?$",
     M_CPU_PID, NULL},
    {"^Future hung task reports are suppressed", M_SUPPRESSED, NULL},
    {"^(?:sysrq|SysRq) ?: Show Blocked State", M_SYSRQ_W, NULL},
    {"^(?:sysrq|SysRq) ?: Show State", M_SYSRQ_T, NULL},
    {"^Kernel panic - not syncing", M_PANIC, NULL},
    {"^(?:nfs|NFS|lockd: |Error: state manager)", M_NFS, NULL},
    /* the hung-task banner, also when the INFO line above it was not pasted */
    {"^.?echo 0 > /proc/sys/kernel/hung_task_timeout_secs.? disables", M_BANNER, NULL},
};

/* NFS client messages: pattern -> klog kind, server in group "server".
 * First match wins, so specific texts precede the catch-alls. */
enum nfs_kind {
    K_NOT_RESPONDING, K_TIMED_OUT, K_OK, K_LOCKD_NOT_RESPONDING, K_LOCKD_OK, K_CLIENTID_IN_USE,
    K_LEASE_EXPIRED, K_LEASE, K_STATE_RECOVERY, K_ERROR
};
static const char *const nfs_kinds[] = {
    [K_NOT_RESPONDING] = "nfs_not_responding",
    [K_TIMED_OUT] = "nfs_timed_out",
    [K_OK] = "nfs_ok",
    [K_LOCKD_NOT_RESPONDING] = "lockd_not_responding",
    [K_LOCKD_OK] = "lockd_ok",
    [K_CLIENTID_IN_USE] = "nfs_clientid_in_use",
    [K_LEASE_EXPIRED] = "nfs_lease_expired",
    [K_LEASE] = "nfs_lease",
    [K_STATE_RECOVERY] = "nfs_state_recovery",
    [K_ERROR] = "nfs_error",
};
static struct lht_re nfs_re[] = {
    /* net/sunrpc/clnt.c rpc_check_timeout (call_timeout before 5.1) and
     * call_decode: "%s: server %s not responding, still trying|timed out",
     * "%s: server %s OK" with %s the RPC program name. */
    {"^(?:nfs|nfsacl): server (?<server>\\S+) not responding, still trying", K_NOT_RESPONDING, NULL},
    {"^(?:nfs|nfsacl): server (?<server>\\S+) not responding, timed out", K_TIMED_OUT, NULL},
    {"^(?:nfs|nfsacl): server (?<server>\\S+) OK", K_OK, NULL},
    {"^lockd: server (?<server>\\S+) not responding", K_LOCKD_NOT_RESPONDING, NULL},
    {"^lockd: server (?<server>\\S+) OK", K_LOCKD_OK, NULL},
    /* fs/nfs/nfs4state.c nfs4_handle_reclaim_lease_error. */
    {"^NFS: Server (?<server>\\S+) reports our clientid is in use", K_CLIENTID_IN_USE, NULL},
    /* fs/nfs/nfs4state.c nfs4_state_manager: "NFS: state manager%s%s failed
     * on NFSv4 server %s with error %d", the section names the step. */
    {"^NFS: state manager: lease expired failed on NFSv4 server (?<server>\\S+)", K_LEASE_EXPIRED, NULL},
    {"^NFS: state manager: check lease failed on NFSv4 server (?<server>\\S+)", K_LEASE, NULL},
    {"^NFS: state manager(?:: [a-z ]+)? failed on NFSv4 server (?<server>\\S+)", K_STATE_RECOVERY, NULL},
    /* 2.6.3x: "Error: state manager failed on NFSv4 server %s with error %d". */
    {"^Error: state manager failed on NFSv4 server (?<server>\\S+)", K_STATE_RECOVERY, NULL},
    /* nfs4state.c __nfs4_reclaim_open_state / nfs4_reclaim_open_state /
     * nfs4_reclaim_locks: "NFS: %s: Lock reclaim failed!", "NFS: %s:
     * unhandled error %d" (older kernels without "NFS: "). */
    {"Lock reclaim failed|^(?:NFS: )?_*nfs4_reclaim_(?:open|locks?)_state: unhandled error", K_STATE_RECOVERY, NULL},
    {"^NFS: migration recovery failed \\(server (?<server>[^)\\s]+)\\)", K_STATE_RECOVERY, NULL},
    {"(?i)lease expired|NFS4ERR_EXPIRED", K_LEASE_EXPIRED, NULL},
    /* nfs4state.c nfs4_discover_server_trunking: "NFS: %s unhandled error
     * %d. Exiting with error EIO"; nfs4proc.c "NFS: %s: unhandled error". */
    {"unhandled error", K_ERROR, NULL},
    /* fs/nfs/inode.c "NFS: server %s error: fileid changed". */
    {"^NFS: [Ss]erver (?<server>\\S+) error", K_ERROR, NULL},
    /* fs/nfs/nfs4namespace.c / nfs4super.c. */
    {"^NFS4?: Couldn't follow remote path", K_ERROR, NULL},
};

/* x86/arm64 frames, then the 32-bit ARM unwinder's "[<pc>] (sym) from
 * [<lr>] (caller+0x3c/0xa0)" whose first parenthesis names the frame. */
static struct lht_re frame_re[] = {
    {"^\\s*(?:\\[(?:<(?:0x)?[0-9a-f]+>)?\\] +)?(?<q>\\? +)?(?<sym>[A-Za-z_.$][A-Za-z0-9_.$]*)"
     "\\+(?<off>0x[0-9a-f]+/0x[0-9a-f]+)(?: +\\[(?<mod>[^\\]\\s]+)[^\\]]*\\])?"
     "|^\\s*(?:\\[<[0-9a-f]+>\\] )?\\((?<sym2>[A-Za-z_.$][A-Za-z0-9_.$]*)(?:\\+(?<off2>0x[0-9a-f]+/0x[0-9a-f]+))?"
     "(?: \\[(?<mod2>[^\\]\\s]+)\\])?\\) from "
     /* ARM since 5.x without frame addresses: " __schedule from schedule+0x60/0xbc" */
     "|^\\s*(?<sym3>[A-Za-z_.$][A-Za-z0-9_.$]*)(?: \\[(?<mod3>[^\\]\\s]+)\\])? from "
     "[A-Za-z_.$][A-Za-z0-9_.$]*\\+0x[0-9a-f]+/0x[0-9a-f]+",
     0, NULL},
};

/* Lines that sit inside a report or trace without ending it: register
 * dumps (x86 and arm64), IRQ/TASK markers, 3.10 raw stack words, the
 * hung-task banner lines, sysrq column headers, unsymbolised frames. */
static struct lht_re inside_re[] = {
    {"^\\s*(?:</?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>|RIP:|RSP:|RAX:|RBX:|RCX:|RDX:|RSI:|RDI:|RBP:|R\\d+:|"
     "FS:|CS:|CR2:|DR\\d:|Code:|pc :|lr :|sp :|pstate:|x\\d+ *:|r\\d+ ?:[0-9a-f]|Hardware name:|Workqueue:|"
     "Modules linked in:|Tainted:|Not tainted|.echo 0 > /proc/sys/kernel/hung_task_timeout_secs.|"
     "(?:[0-9a-f]{8,16} ?)+$|(?:\\[(?:<[0-9a-f]+>)?\\] +)?(?:\\? +)?0x[0-9a-f]+\\s*$|Stack:|Exception stack|ORIG_RAX:|"
     "---\\[ end trace|task +PC stack +pid father|Blocked by coredump|------------\\[ cut here \\]|"
     "(?:ppid: *\\d+ +)?(?:task_)?flags:0x[0-9a-f]+|[0-9a-f]{4}: (?:[ 0-9a-f]{8} ?)+$|Function entered at|"
     "INFO: lockdep is turned off|\\.\\.\\.\\s*$|\\[\\.\\.\\.\\]\\s*$|"
     /* an ARM caller wrapped onto its own line: "+(fat_write_inode+0x34/0x54)" */
     "\\+?\\([A-Za-z_.$][A-Za-z0-9_.$]*\\+0x[0-9a-f]+/0x[0-9a-f]+(?: \\[[^\\]]+\\])?\\)\\s*$)",
     0, NULL},
};

/* Words without which no line can matter between reports: each msg_re
 * entry that acts outside a report holds one of them, and so does each
 * nfs_re entry (an M_NFS line that none of those matches keeps nothing).
 * Everything else in a large log is skipped by one scan per trigger
 * (core/lits.h: several GB/s), so the NFS client's routine chatter ("NFS:
 * Registering the id_resolver key type", "nfs4: Deprecated parameter
 * 'intr'"), which can be a third of a node's syslog, is never split into
 * lines. check_dmesg compares every corpus text parsed with and without
 * the jump. */
static const struct lht_lit triggers[] = {
    {"INFO: task", 0}, {"task:", 0}, {"Call Trace", 0}, {"Call trace", 0}, {"Backtrace:", 0},
    {"hung_task_timeout_secs", 0}, {"PID: ", 0}, {"WARNING:", 0}, {"BUG: ", 0}, {"BUG at", 0},
    {"SysRq", 0}, {"Sysrq", 0}, {"sysRq", 0}, {"sysrq", 0}, {"Future hung", 0}, {"Kernel panic", 0},
    {"nfs: server", 0}, {"nfsacl: server", 0}, {"lockd: server", 0}, {"NFS: Server", 0},
    {"NFS: server", 0}, {"state manager", 0}, {"Lock reclaim failed", 0}, {"unhandled error", 0},
    {"migration recovery failed", 0}, {"lease expired", 1}, {"NFS4ERR_EXPIRED", 0},
    {"Couldn't follow remote path", 0},
};
static struct lht_lits *trigger;

#define N(t) (sizeof(t) / sizeof((t)[0]))

/* Lines longer than this are not kernel messages (printk caps a record
 * at 1 KiB); they are skipped without a look. */
#define MAX_LINE 8192
/* Unrecognised lines tolerated between a report header and its trace
 * (interleaved messages of other CPUs) before the report is given up. */
#define MAX_QUIET 32

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_tables(void)
{
    if ((init_rc = lht_re_compile(prefix_re, N(prefix_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(msg_re, N(msg_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(nfs_re, N(nfs_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(frame_re, N(frame_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(inside_re, N(inside_re), NULL)) == LHT_OK &&
        (trigger = lht_lits_new(triggers, N(triggers))) == NULL)
        init_rc = LHT_ENOMEM;
}

enum mode {
    IDLE,    /* between reports */
    REPORT,  /* header seen, waiting for "Call Trace:" */
    TRACE    /* collecting frames */
};

struct kl {
    const struct lht_pctx *ctx;
    pcre2_match_data *md;
    enum mode mode;
    long hung;          /* index of the hung task of this report, -1 */
    long pid;           /* pid of the current report, -1 unknown */
    const char *comm;   /* arena copy, or NULL */
    int origin;         /* enum lht_stack_origin of the trace to come */
    int record;         /* 0: the trace is consumed but not kept (sysrq-t S tasks) */
    int stack_open;     /* a stack was begun for this trace */
    int quiet;          /* unrecognised lines since the report header */
    int sysrq;          /* inside a sysrq task dump: look at every line */
    int blocker;        /* next task line is a lock owner (hung_task blocker) */
    long proc;          /* index of the process the current report states, -1 */
    int banner;         /* a hung-task banner without its INFO line: trust the task line next */
    long cpu_pid;       /* "CPU: n PID: p Comm: c" outside a report: pid of a trace soon after */
    const char *cpu_comm;
    long cpu_no;        /* its line */
    char when[64];      /* timestamp of the current line */
    char caller[16];    /* its CONFIG_PRINTK_CALLER id ("T723"), or "" */
    char trace_caller[16]; /* the caller id of the trace being read, or "" */
    int added;
    /* NFS/lockd servers with an outage not yet followed by their "OK":
     * the first of its "not responding" events still marked ongoing */
    struct {
        char server[128];
        int lockd;
        size_t first;
    } outage[16];
    int noutage;
    /* the latest record of each recent message (kind, server, text): the
     * same message again folds into it; a bounded table, so a message
     * whose slot another took starts a record of its own */
    struct {
        uint64_t key;       /* 0: empty */
        size_t idx;
        char when[64];      /* the last repeat's timestamp, copied in when the slot is given up */
    } fold[256];
    /* a WARNING/BUG report and the last one read: the same trace again
     * (a WARN_ON in a hot path) folds into the first one's event */
    int foldable;       /* the current report began at a WARNING/BUG line */
    struct lht_facts_mark trace_mark;   /* the facts before it */
    long prev_klog, prev_stack;         /* the last such report's records, -1 */
    char prev_when[64]; /* its last repeat's timestamp, written when it is given up */
    long no;            /* the line being read */
    int re_fail;        /* first PCRE2 failure (lht_re_first), 0 none */
    long re_line;       /* its line */
    unsigned long re_lines;   /* failures met (about one per line) */
};

/* Collect a PCRE2 failure met on the current line. */
static void re_failed(struct kl *k, int fail)
{
    if (fail == 0)
        return;
    if (k->re_lines++ == 0) {
        k->re_fail = fail;
        k->re_line = k->no;
    }
}

static const char *grp(struct kl *k, const struct lht_re *re, const char *s, const char *name,
                       char *buf, size_t sz)
{
    return lht_re_group(re->code, k->md, s, name, buf, sz) > 0 ? buf : NULL;
}

static int matches(struct kl *k, const struct lht_re *re, const char *s, size_t len)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, k->md, lht_re_mctx());

    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
        re_failed(k, rc);
    return rc >= 0;
}

static uint64_t fold_key(const char *kind, const char *server, const char *text, size_t len)
{
    uint64_t h = lht_fnv(LHT_FNV_INIT, kind, strlen(kind) + 1);

    h = lht_fnv(h, server ? server : "", server ? strlen(server) + 1 : 0);
    return lht_fnv(h, text, len) | 1;
}

/* Give up fold slot i: its record gets the last repeat's timestamp. */
static int fold_flush(struct kl *k, size_t i)
{
    struct lht_klog *e;

    if (k->fold[i].key == 0)
        return LHT_OK;
    e = lht_facts_klog_at(k->ctx->facts, k->fold[i].idx);
    k->fold[i].key = 0;
    if (e && e->repeats > 0 && k->fold[i].when[0] && (e->last_when = lht_facts_strz(k->ctx->facts, k->fold[i].when)) == NULL)
        return LHT_ENOMEM;
    return LHT_OK;
}

/* The same message as the record of slot i? */
static int fold_same(struct kl *k, size_t i, uint64_t key, const char *kind, const char *server,
                     const char *text, size_t len)
{
    const struct lht_klog *e;

    if (k->fold[i].key != key || (e = lht_facts_klog_at(k->ctx->facts, k->fold[i].idx)) == NULL)
        return 0;
    return strcmp(e->kind, kind) == 0 && (e->server == NULL) == (server == NULL) &&
           (server == NULL || strcmp(e->server, server) == 0) && e->text && strlen(e->text) == len &&
           memcmp(e->text, text, len) == 0;
}

/* The slot of key: where it is among the few after its hash, else the
 * first free one there, else the one at its hash (given up for it). */
static size_t fold_slot(const struct kl *k, uint64_t key)
{
    size_t n = sizeof k->fold / sizeof k->fold[0], h = (size_t)(key % n), i, free_at = n;

    for (i = 0; i < 8; i++) {
        size_t j = (h + i) % n;
        if (k->fold[j].key == key)
            return j;
        if (k->fold[j].key == 0 && free_at == n)
            free_at = j;
    }
    return free_at < n ? free_at : h;
}

/* A kernel event; with fold, one more of the same message is folded into
 * its first record instead (no record is added). *idx gets the record's
 * index. NFS client messages fold: an outage repeats them without bound;
 * a hung-task or WARNING header starts a report of its own. */
static int add_klog_at(struct kl *k, long no, const char *kind, const char *server, const char *when,
                       const char *msg, size_t len, int fold, size_t *idx)
{
    struct lht_facts *f = k->ctx->facts;
    struct lht_klog e;
    size_t tl = lht_rtrim(msg, len), slot = 0;
    uint64_t key = fold ? fold_key(kind, server, msg, tl) : 0;

    if (fold)
        slot = fold_slot(k, key);
    if (fold && fold_same(k, slot, key, kind, server, msg, tl)) {
        struct lht_klog *r = lht_facts_klog_at(f, k->fold[slot].idx);
        r->repeats = r->repeats < 0 ? 1 : r->repeats + 1;
        r->last_line = no;
        snprintf(k->fold[slot].when, sizeof k->fold[slot].when, "%s", when ? when : "");
        *idx = k->fold[slot].idx;
        return LHT_OK;
    }
    if (fold && fold_flush(k, slot) != LHT_OK)
        return LHT_ENOMEM;
    memset(&e, 0, sizeof e);
    e.at = lht_pctx_at(k->ctx, no);
    e.kind = kind;
    e.server = server ? lht_facts_strz(f, server) : NULL;
    e.when = when ? lht_facts_strz(f, when) : NULL;
    e.text = lht_facts_str(f, msg, tl);
    e.repeats = -1;
    e.last_line = -1;
    if (e.text == NULL || (server && !e.server) || (when && !e.when))
        return LHT_ENOMEM;
    if (lht_facts_add_klog(f, &e) != LHT_OK)
        return LHT_ENOMEM;
    *idx = lht_facts_count(f, LHT_FACT_KLOG) - 1;
    if (fold) {
        k->fold[slot].key = key;
        k->fold[slot].idx = *idx;
        k->fold[slot].when[0] = '\0';
    }
    k->added++;
    return LHT_OK;
}

static int add_klog(struct kl *k, long no, const char *kind, const char *when, const char *msg, size_t len)
{
    size_t idx;

    return add_klog_at(k, no, kind, NULL, when, msg, len, 0, &idx);
}

/* Every slot given up (the end of the log). */
static int fold_flush_all(struct kl *k)
{
    size_t i;

    for (i = 0; i < sizeof k->fold / sizeof k->fold[0]; i++)
        if (fold_flush(k, i) != LHT_OK)
            return LHT_ENOMEM;
    return LHT_OK;
}

/* The server's entry in the outage table, added when add is set (a full
 * table adds nothing: those outages stay ongoing, the safe reading). */
static int outage_slot(struct kl *k, const char *server, int lockd, int add)
{
    int i;

    for (i = 0; i < k->noutage; i++)
        if (k->outage[i].lockd == lockd && strcmp(k->outage[i].server, server) == 0)
            return i;
    if (!add || k->noutage == (int)(sizeof k->outage / sizeof k->outage[0]) ||
        strlen(server) >= sizeof k->outage[0].server)
        return -1;
    i = k->noutage++;
    strcpy(k->outage[i].server, server);
    k->outage[i].lockd = lockd;
    k->outage[i].first = (size_t)-1;
    return i;
}

/* An NFS client message about a server: an outage event starts or
 * continues an outage ("ongoing"); the server's "OK" marks every event of
 * its outage "recovered", and the next outage's messages fold into
 * records of their own. Events are kernel_event records; idx is this
 * one's (a message folded into an earlier record gives that one's). */
static int track_outage(struct kl *k, int kind, const char *server, size_t idx)
{
    struct lht_facts *f = k->ctx->facts;
    size_t n = lht_facts_count(f, LHT_FACT_KLOG), i;
    int lockd = kind == K_LOCKD_NOT_RESPONDING || kind == K_LOCKD_OK, slot;
    struct lht_klog *e = lht_facts_klog_at(f, idx);

    if (server == NULL || e == NULL)
        return LHT_OK;
    if (kind == K_NOT_RESPONDING || kind == K_TIMED_OUT || kind == K_LOCKD_NOT_RESPONDING) {
        e->outage = "ongoing";
        if ((slot = outage_slot(k, server, lockd, 1)) >= 0 && k->outage[slot].first == (size_t)-1)
            k->outage[slot].first = idx;
        return LHT_OK;
    }
    if ((kind != K_OK && kind != K_LOCKD_OK) || (slot = outage_slot(k, server, lockd, 0)) < 0 ||
        k->outage[slot].first == (size_t)-1)
        return LHT_OK;
    for (i = k->outage[slot].first; i < n; i++) {
        struct lht_klog *o = lht_facts_klog_at(f, i);
        if (o->outage && o->server && strcmp(o->server, server) == 0 &&
            (strncmp(o->kind, "lockd_", 6) == 0) == lockd)
            o->outage = "recovered";
    }
    k->outage[slot].first = (size_t)-1;
    for (i = 0; i < sizeof k->fold / sizeof k->fold[0]; i++) {
        const struct lht_klog *o = k->fold[i].key ? lht_facts_klog_at(f, k->fold[i].idx) : NULL;
        if (o && o->outage && o->server && strcmp(o->server, server) == 0 && fold_flush(k, i) != LHT_OK)
            return LHT_ENOMEM;
    }
    return LHT_OK;
}

static int open_stack(struct kl *k, long no)
{
    struct lht_stack s;
    size_t idx;

    memset(&s, 0, sizeof s);
    s.at = lht_pctx_at(k->ctx, no);
    s.pid = k->pid;
    s.comm = k->comm;
    s.origin = k->origin;
    if (lht_facts_add(k->ctx->facts, LHT_FACT_STACK, &s, &idx) != LHT_OK)
        return LHT_ENOMEM;
    if (k->hung >= 0) {
        struct lht_hung_task *h = lht_facts_hung_task_at(k->ctx->facts, (size_t)k->hung);
        if (h && h->stack < 0)
            h->stack = (long)idx;
    }
    k->stack_open = 1;
    k->added++;
    return LHT_OK;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same task, the same header and the same frames? */
static int same_trace(struct lht_facts *f, size_t ka, size_t sa, size_t kb, size_t sb)
{
    const struct lht_klog *a = lht_facts_klog_at(f, ka), *b = lht_facts_klog_at(f, kb);
    const struct lht_stack *x = lht_facts_stack_at(f, sa), *y = lht_facts_stack_at(f, sb);
    const struct lht_frame *fr;
    size_t n, i;

    if (!a || !b || !x || !y || strcmp(a->kind, b->kind) != 0 || !same_str(a->text, b->text) ||
        x->pid != y->pid || !same_str(x->comm, y->comm) || x->origin != y->origin || x->nframes != y->nframes)
        return 0;
    fr = lht_facts_frames(f, &n);
    for (i = 0; i < x->nframes; i++) {
        const struct lht_frame *p = &fr[x->first + i], *q = &fr[y->first + i];
        if (!same_str(p->symbol, q->symbol) || !same_str(p->offset, q->offset) || !same_str(p->module, q->module) ||
            p->uncertain != q->uncertain)
            return 0;
    }
    return 1;
}

/* Give up the last WARNING/BUG report: it gets its last repeat's time. */
static int prev_flush(struct kl *k)
{
    struct lht_klog *e = k->prev_klog >= 0 ? lht_facts_klog_at(k->ctx->facts, (size_t)k->prev_klog) : NULL;

    if (e && e->repeats > 0 && k->prev_when[0] &&
        (e->last_when = lht_facts_strz(k->ctx->facts, k->prev_when)) == NULL)
        return LHT_ENOMEM;
    k->prev_klog = k->prev_stack = -1;
    k->prev_when[0] = '\0';
    return LHT_OK;
}

/* A WARNING/BUG report read to its end: the same as the last one, it is
 * taken back and counted as a repeat of that one's event; otherwise it is
 * the one the next is compared with. Only a report that added exactly its
 * event, its stack and the stack's frames is taken back. */
static int fold_trace(struct kl *k)
{
    struct lht_facts *f = k->ctx->facts;
    const struct lht_facts_mark *m = &k->trace_mark;
    size_t nk = lht_facts_count(f, LHT_FACT_KLOG), ns = lht_facts_count(f, LHT_FACT_STACK);
    const struct lht_stack *st = ns > m->n[LHT_FACT_STACK] ? lht_facts_stack_at(f, ns - 1) : NULL;
    struct lht_klog *e, *p;
    int t, own = st != NULL;

    for (t = 0; own && t < LHT_FACT_COUNT; t++) {
        size_t want = t == LHT_FACT_KLOG || t == LHT_FACT_STACK ? 1 : t == LHT_FACT_FRAME ? st->nframes : 0;
        own = lht_facts_count(f, t) - m->n[t] == want;
    }
    if (!own)
        return prev_flush(k);
    if (k->prev_klog < 0 || !same_trace(f, nk - 1, ns - 1, (size_t)k->prev_klog, (size_t)k->prev_stack)) {
        if (prev_flush(k) != LHT_OK)
            return LHT_ENOMEM;
        k->prev_klog = (long)nk - 1;
        k->prev_stack = (long)ns - 1;
        return LHT_OK;
    }
    e = lht_facts_klog_at(f, nk - 1);
    snprintf(k->prev_when, sizeof k->prev_when, "%s", e->when ? e->when : "");
    p = lht_facts_klog_at(f, (size_t)k->prev_klog);
    p->repeats = p->repeats < 0 ? 1 : p->repeats + 1;
    p->last_line = e->at.line;
    if (lht_facts_rewind(f, m) != LHT_OK)
        return LHT_EUSAGE;
    k->added -= 2;   /* its event and its stack */
    return LHT_OK;
}

/* Leave the current report; a hung task that never got a trace (cut
 * log, interleaving) gets a note so the gap is visible in the report. */
static int end_report(struct kl *k, long no)
{
    if (k->foldable) {
        int rc = fold_trace(k);
        k->foldable = 0;
        if (rc != LHT_OK)
            return rc;
    }
    if (k->hung >= 0 && !k->stack_open) {
        struct lht_hung_task *h = lht_facts_hung_task_at(k->ctx->facts, (size_t)k->hung);
        if (h && h->stack < 0 && h->blocked_seconds >= 0) {
            struct lht_prov at = lht_pctx_at(k->ctx, no);
            if (lht_facts_note(k->ctx->facts, &at, "hung task %s:%ld: report has no call trace",
                                   h->task, h->pid) != LHT_OK)
                return LHT_ENOMEM;
        }
    }
    k->mode = IDLE;
    k->hung = -1;
    k->pid = -1;
    k->comm = NULL;
    k->stack_open = 0;
    k->record = 1;
    k->quiet = 0;
    k->proc = -1;
    k->trace_caller[0] = '\0';
    return LHT_OK;
}

/* Start waiting for the trace of task pid/comm (comm: C string or NULL). */
static int begin_report(struct kl *k, long no, long pid, const char *comm, int origin, int record)
{
    if (end_report(k, no) != LHT_OK)
        return LHT_ENOMEM;
    k->mode = REPORT;
    k->pid = pid;
    k->comm = NULL;
    if (comm && (k->comm = lht_facts_strz(k->ctx->facts, comm)) == NULL)
        return LHT_ENOMEM;
    k->origin = origin;
    k->record = record;
    return LHT_OK;
}

/* The state a report gives task pid (the hung-task detector reports D
 * tasks; a task dump line prints its state) as a process row: rules then
 * read the D state of a task no ps listing shows. A task line following
 * its report's header adds what the header lacked: the ppid, and for a
 * child of kthreadd (pid 2) the "[comm]" ps prints for kernel threads. */
static int task_state(struct kl *k, long no, long pid, const char *comm, char state, long ppid)
{
    struct lht_facts *f = k->ctx->facts;
    struct lht_process p, *cur = k->proc >= 0 ? lht_facts_process_at(f, (size_t)k->proc) : NULL;
    char name[80];
    size_t len = comm ? strlen(comm) : 0, idx;
    const char *c = comm;

    if (pid < 0)
        return LHT_OK;
    c = lht_ltrim(c ? c : "", &len);
    len = lht_rtrim(c, len);
    if (len > 64)
        len = 64;
    if (ppid == 2 || pid == 2)
        snprintf(name, sizeof name, "[%.*s]", (int)len, c);
    else
        snprintf(name, sizeof name, "%.*s", (int)len, c);
    if (cur != NULL && cur->pid == pid) {
        if (ppid >= 0 && cur->ppid < 0) {
            cur->ppid = ppid;
            if (len && (cur->command = lht_facts_strz(f, name)) == NULL)
                return LHT_ENOMEM;
        }
        return LHT_OK;
    }
    memset(&p, 0, sizeof p);
    p.at = lht_pctx_at(k->ctx, no);
    p.pid = pid;
    p.ppid = ppid;
    p.tid = -1;
    p.stat = lht_facts_str(f, &state, 1);
    p.command = len ? lht_facts_strz(f, name) : NULL;
    if (p.stat == NULL || (len && p.command == NULL) || lht_facts_add(f, LHT_FACT_PROCESS, &p, &idx) != LHT_OK)
        return LHT_ENOMEM;
    k->proc = (long)idx;
    k->added++;
    return LHT_OK;
}

static int add_hung(struct kl *k, long no, const char *comm, long pid, long secs, const char *when)
{
    struct lht_facts *f = k->ctx->facts;
    struct lht_hung_task h;
    size_t n;

    if (begin_report(k, no, pid, comm, LHT_STACK_HUNG_TASK, 1) != LHT_OK)
        return LHT_ENOMEM;
    h.at = lht_pctx_at(k->ctx, no);
    h.task = k->comm;
    h.pid = pid;
    h.blocked_seconds = secs;
    h.when = when ? lht_facts_strz(f, when) : NULL;
    h.stack = -1;
    if (h.task == NULL || (when && h.when == NULL) || lht_facts_add_hung_task(f, &h) != LHT_OK)
        return LHT_ENOMEM;
    (void)lht_facts_hung_tasks(f, &n);
    k->hung = (long)n - 1;
    k->added++;
    return task_state(k, no, pid, comm, 'D', -1);
}

/* A trace frame: 1 when it was one (kept or not), 0 when not a frame.
 * The ARM unwinders name the frame first ("(sym) from ...", "sym from
 * ..."); the caller after "from" gets its own line next. */
static int frame(struct kl *k, const char *msg, size_t len, long no)
{
    static const char *const names[][3] = {{"sym", "off", "mod"}, {"sym2", "off2", "mod2"}, {"sym3", "", "mod3"}};
    char sym[256], off[64], mod[64], q[8];
    struct lht_frame fr;
    struct lht_facts *f = k->ctx->facts;
    const struct lht_re *re = &frame_re[0];
    size_t form;

    if (!matches(k, re, msg, len))
        return 0;
    if (!k->record)
        return 1;
    if (!k->stack_open && open_stack(k, no) != LHT_OK)
        return LHT_ENOMEM;
    for (form = 0; form < 2 && grp(k, re, msg, names[form][0], sym, sizeof sym) == NULL; form++)
        ;
    if (form == 2 && grp(k, re, msg, names[form][0], sym, sizeof sym) == NULL)
        return 0;
    memset(&fr, 0, sizeof fr);
    fr.line = no;
    fr.symbol = lht_facts_strz(f, sym);
    fr.offset = names[form][1][0] && grp(k, re, msg, names[form][1], off, sizeof off) ? lht_facts_strz(f, off) : NULL;
    fr.module = grp(k, re, msg, names[form][2], mod, sizeof mod) ? lht_facts_strz(f, mod) : NULL;
    fr.uncertain = form == 0 && grp(k, re, msg, "q", q, sizeof q) != NULL;
    if (fr.symbol == NULL || lht_facts_add_frame(f, &fr) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

static long num(struct kl *k, const struct lht_re *re, const char *msg, const char *name)
{
    char buf[24];

    return grp(k, re, msg, name, buf, sizeof buf) ? strtol(buf, NULL, 10) : -1;
}

/* A task dump line ("task:..." or the pre-5.8 form) outside the report it
 * belongs to: sysrq-w/-t dumps, the owner of a lock a hung task waits on,
 * a dump whose sysrq header was lost. */
static int task_line(struct kl *k, const struct lht_re *re, const char *msg, long no, const char *when,
                     int oldform)
{
    char comm[64], state[8];
    long pid = num(k, re, msg, "pid"), ppid = num(k, re, msg, "ppid");
    int rc;

    if (grp(k, re, msg, "comm", comm, sizeof comm) == NULL || grp(k, re, msg, "state", state, sizeof state) == NULL)
        return LHT_OK;
    if (k->mode == REPORT && k->origin == LHT_STACK_HUNG_TASK && pid == k->pid) {
        k->quiet = 0;   /* the task line of the report we are in */
        return task_state(k, no, pid, comm, state[0], ppid);
    }
    if (k->blocker) {
        k->blocker = 0;
        rc = begin_report(k, no, pid, comm, LHT_STACK_OTHER, 1);
    } else if (oldform && k->banner && k->mode == IDLE) {
        /* a hung-task report whose INFO line was cut off the paste */
        k->banner = 0;
        rc = add_hung(k, no, comm, pid, -1, when);
    } else if (oldform && !k->sysrq) {
        return LHT_OK;   /* too loose a shape to trust outside a dump */
    } else if (state[0] == 'D') {
        rc = add_hung(k, no, comm, pid, -1, when);
    } else {
        /* sysrq-t lists every task; only blocked ones' traces are kept */
        rc = begin_report(k, no, pid, comm, LHT_STACK_OTHER, !k->sysrq);
    }
    return rc != LHT_OK ? rc : task_state(k, no, pid, comm, state[0], ppid);
}

/* The message of a kernel log line with its prefix (timestamp, host,
 * level) stripped, or NULL when the line is not the kernel's. *when gets
 * the timestamp as printed (in k->when) or NULL. */
static const char *kernel_message(struct kl *k, const char *s, size_t len, const char **when, size_t *mlen)
{
    PCRE2_SIZE *ov;
    char whenbuf[64], tag[64];
    int p, fail = 0;

    *when = NULL;
    k->caller[0] = '\0';
    if (len == 0 || len > MAX_LINE)
        return NULL;
    p = lht_re_first(prefix_re, N(prefix_re), s, len, k->md, &fail);
    re_failed(k, fail);
    if (p < 0)
        return NULL;
    if (grp(k, &prefix_re[p], s, "prog", tag, sizeof tag) && strcmp(tag, "kernel") != 0)
        return NULL;   /* another program's syslog line */
    if (grp(k, &prefix_re[p], s, "fac", tag, sizeof tag) && strcmp(tag, "kern") != 0)
        return NULL;   /* dmesg -x line written by user space */
    (void)grp(k, &prefix_re[p], s, "caller", k->caller, sizeof k->caller);
    if (grp(k, &prefix_re[p], s, "sys", whenbuf, sizeof whenbuf) ||
        grp(k, &prefix_re[p], s, "ts", whenbuf, sizeof whenbuf)) {
        memcpy(k->when, whenbuf, sizeof k->when);
        *when = k->when;
    }
    ov = pcre2_get_ovector_pointer(k->md);
    *mlen = lht_rtrim(s + ov[1], len - ov[1]);
    return *mlen ? s + ov[1] : NULL;
}

/* A line inside a call trace: 1 consumed (a frame or a marker), 0 the
 * trace is over and the line must be looked at afresh, or an error. */
static int trace_line(struct kl *k, const char *msg, size_t mlen, long no, const char *when)
{
    int rc;

    /* With printk caller ids, other tasks' lines interleave with the
     * trace, and a line a mailer wrapped has no prefix at all: neither
     * belongs to the trace, nor ends it. */
    if (k->trace_caller[0] && (when == NULL || (k->caller[0] && strcmp(k->caller, k->trace_caller) != 0))) {
        int fail = 0, i = when == NULL ? -1 : lht_re_first(msg_re, N(msg_re), msg, mlen, k->md, &fail);
        re_failed(k, fail);
        if (i < 0)
            return 1;
        /* another task's report begins: this trace is over */
        return end_report(k, no) == LHT_OK ? 0 : LHT_ENOMEM;
    }
    rc = frame(k, msg, mlen, no);

    if (rc != 0)
        return rc < 0 ? rc : 1;
    if (matches(k, &inside_re[0], msg, mlen)) {
        if (lht_find(msg, mlen, "</TASK>"))
            return end_report(k, no) == LHT_OK ? 1 : LHT_ENOMEM;
        return 1;
    }
    return end_report(k, no) == LHT_OK ? 0 : LHT_ENOMEM;
}

/* A line no message pattern knows: maybe a frame of a report whose trace
 * has no "Call trace:" header (some arm64 and 4.x dumps). */
static int other_line(struct kl *k, const char *msg, size_t mlen, long no)
{
    int rc;

    /* the end of a trace before the report's own trace began: the log
     * runs backwards (journalctl -r), and what follows is another task's */
    if (k->mode == REPORT && lht_find(msg, mlen, "</TASK>") != NULL)
        return end_report(k, no);
    if (matches(k, &inside_re[0], msg, mlen))
        return LHT_OK;
    if (k->mode == REPORT) {
        if ((rc = frame(k, msg, mlen, no)) < 0)
            return rc;
        if (rc == 1) {
            k->mode = TRACE;
            memcpy(k->trace_caller, k->caller, sizeof k->trace_caller);
        }
        else if (++k->quiet > MAX_QUIET)
            return end_report(k, no);
        return LHT_OK;
    }
    k->sysrq = 0;    /* the dump is over */
    k->banner = 0;
    return LHT_OK;
}

/* A message of kind msg_re[i]. */
static int message(struct kl *k, int i, const char *msg, size_t mlen, long no, const char *when)
{
    char buf[256];
    int rc;

    switch (msg_re[i].value) {
    case M_HUNG: {
        const char *comm = grp(k, &msg_re[i], msg, "comm", buf, sizeof buf);
        long pid = num(k, &msg_re[i], msg, "pid"), secs = num(k, &msg_re[i], msg, "secs");
        k->sysrq = k->blocker = 0;
        if (add_klog(k, no, "hung_task", when, msg, mlen) != LHT_OK)
            return LHT_ENOMEM;
        return add_hung(k, no, comm ? comm : "?", pid, secs, when);
    }
    case M_BLOCKED_ON: {
        int nf = grp(k, &msg_re[i], msg, "nf", buf, sizeof buf) != NULL;
        if ((rc = end_report(k, no)) != LHT_OK)
            return rc;
        k->blocker = !nf;
        return add_klog(k, no, "hung_task_blocked_on", when, msg, mlen);
    }
    case M_TASKLINE:
    case M_OLDTASK:
        return task_line(k, &msg_re[i], msg, no, when, msg_re[i].value == M_OLDTASK);
    case M_CALLTRACE:
        if (k->mode == IDLE) {
            /* the trace of the task a "CPU: n PID: p Comm: c" line just named */
            int near = k->cpu_pid >= 0 && no - k->cpu_no <= 6;
            k->pid = near ? k->cpu_pid : -1;
            k->comm = near ? k->cpu_comm : NULL;
            k->origin = LHT_STACK_OTHER;
            k->record = 1;
        }
        k->cpu_pid = -1;
        k->banner = 0;
        memcpy(k->trace_caller, k->caller, sizeof k->trace_caller);
        k->mode = TRACE;
        k->stack_open = 0;
        return LHT_OK;
    case M_WARNING:
    case M_BUG: {
        long pid = num(k, &msg_re[i], msg, "pid");
        k->sysrq = k->blocker = 0;
        if (begin_report(k, no, pid, NULL, LHT_STACK_OTHER, 1) != LHT_OK)
            return LHT_ENOMEM;
        lht_facts_snapshot(k->ctx->facts, &k->trace_mark);
        k->foldable = 1;
        return add_klog(k, no, msg_re[i].value == M_WARNING ? "warning" : "bug", when, msg, mlen);
    }
    case M_CPU_PID:
        if (k->mode == REPORT && k->origin == LHT_STACK_OTHER) {
            k->pid = num(k, &msg_re[i], msg, "pid");
            k->comm = grp(k, &msg_re[i], msg, "comm", buf, sizeof buf) ? lht_facts_strz(k->ctx->facts, buf) : NULL;
            k->quiet = 0;
        } else if (k->mode == IDLE) {
            k->cpu_pid = num(k, &msg_re[i], msg, "pid");
            k->cpu_comm = grp(k, &msg_re[i], msg, "comm", buf, sizeof buf) ? lht_facts_strz(k->ctx->facts, buf) : NULL;
            k->cpu_no = no;
        }
        return LHT_OK;
    case M_BANNER:
        if (k->mode == IDLE)
            k->banner = 1;
        else
            k->quiet = 0;
        return LHT_OK;
    case M_SUPPRESSED:
        return add_klog(k, no, "hung_task_suppressed", when, msg, mlen);
    case M_SYSRQ_W:
    case M_SYSRQ_T:
        if ((rc = end_report(k, no)) != LHT_OK)
            return rc;
        k->sysrq = 1;
        return add_klog(k, no, msg_re[i].value == M_SYSRQ_W ? "sysrq_blocked_state" : "sysrq_show_state", when,
                        msg, mlen);
    case M_PANIC:
        return add_klog(k, no, "panic", when, msg, mlen);
    case M_NFS: {
        int fail = 0, j = lht_re_first(nfs_re, N(nfs_re), msg, mlen, k->md, &fail);
        const char *server;
        size_t idx;
        re_failed(k, fail);
        if (j < 0)
            return LHT_OK;
        server = grp(k, &nfs_re[j], msg, "server", buf, sizeof buf);
        if ((rc = add_klog_at(k, no, nfs_kinds[nfs_re[j].value], server, when, msg, mlen, 1, &idx)) != LHT_OK)
            return rc;
        return track_outage(k, nfs_re[j].value, server, idx);
    }
    }
    return LHT_OK;
}

static int line(struct kl *k, const char *s, size_t len, long no)
{
    const char *when, *msg;
    size_t mlen = 0;
    int i, rc, fail = 0;

    k->no = no;
    if ((msg = kernel_message(k, s, len, &when, &mlen)) == NULL)
        return LHT_OK;
    if (k->mode == TRACE && (rc = trace_line(k, msg, mlen, no, when)) != 0)
        return rc < 0 ? rc : LHT_OK;
    i = lht_re_first(msg_re, N(msg_re), msg, mlen, k->md, &fail);
    re_failed(k, fail);
    if (i < 0)
        return other_line(k, msg, mlen, no);
    return message(k, i, msg, mlen, no, when);
}

/* A kernel log in pieces. The parse state, the line number and a private
 * copy of the member context live here between pieces, so a report that
 * straddles two pieces is read as if the log were one buffer. */
struct klog_stream {
    struct kl k;
    struct lht_pctx ctx;
    long no;       /* number of the next line */
    int rc;        /* first error; later pieces are ignored */
    int midline;   /* the last piece ended inside a line (one longer than a piece) */
    int every_line; /* LHT_KLOG_EVERY_LINE: no jump, for tests that prove it loses nothing */
};

int lht_kernel_log_stream_begin(const struct lht_pctx *ctx, void **out)
{
    struct klog_stream *s;

    *out = NULL;
    pthread_once(&once, init_tables);
    if (init_rc != LHT_OK)
        return LHT_ENOMEM;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return LHT_ENOMEM;
    s->ctx = *ctx;
    s->k.ctx = &s->ctx;
    s->k.hung = -1;
    s->k.pid = -1;
    s->k.proc = -1;
    s->k.cpu_pid = -1;
    s->k.record = 1;
    s->k.prev_klog = s->k.prev_stack = -1;
    s->no = ctx->first_line;
    s->every_line = getenv("LHT_KLOG_EVERY_LINE") != NULL;
    if ((s->k.md = pcre2_match_data_create(32, NULL)) == NULL) {
        free(s);
        return LHT_ENOMEM;
    }
    *out = s;
    return LHT_OK;
}

/* Move it to the start of the line holding `to`, counting the lines passed. */
static void skip_to(struct lht_lines *it, const char *to)
{
    const char *nl;

    while ((nl = memchr(it->p, '\n', (size_t)(to - it->p))) != NULL) {
        it->no++;
        it->p = nl + 1;
    }
}

int lht_kernel_log_stream_feed(void *state, const char *buf, size_t len)
{
    struct klog_stream *s = state;
    struct lht_lines it;
    struct lht_line ln;
    struct kl *k = &s->k;
    int rc = s->rc, jump = !s->every_line;

    if (len == 0)
        return rc;
    if (s->midline) {
        /* the rest of a line longer than a piece: already counted, and far
         * past MAX_LINE, so no kernel message */
        const char *nl = memchr(buf, '\n', len);
        if (nl == NULL)
            return rc;
        len -= (size_t)(nl + 1 - buf);
        buf = nl + 1;
        s->midline = 0;
    }
    s->midline = len > 0 && buf[len - 1] != '\n';
    lht_lines_init(&it, buf, len, s->no);
    while (rc == LHT_OK && it.p < it.end) {
        if (jump && k->mode == IDLE && !k->sysrq && !k->blocker && !k->banner) {
            /* Jump to the line holding the next trigger word: most of a
             * multi-GB syslog is never split into lines. */
            const char *hit = lht_lits_find(trigger, it.p, (size_t)(it.end - it.p));
            if (hit == NULL) {
                /* count the skipped lines: the next piece goes on numbering */
                skip_to(&it, it.end);
                if (it.p < it.end)
                    it.no++;   /* a last line without its newline */
                break;
            }
            skip_to(&it, hit);
        }
        if (!lht_line_next(&it, &ln))
            break;
        rc = line(k, ln.s, ln.len, ln.no);
    }
    s->no = it.no + 1;
    s->rc = rc;
    return rc;
}

int lht_kernel_log_stream_end(void *state)
{
    struct klog_stream *s = state;
    int rc;

    if (s == NULL)
        return LHT_OK;
    rc = s->rc;
    if (rc == LHT_OK)
        rc = end_report(&s->k, s->no - 1);
    if (rc == LHT_OK)
        rc = fold_flush_all(&s->k);
    if (rc == LHT_OK)
        rc = prev_flush(&s->k);
    if (rc == LHT_OK)
        rc = lht_pctx_re_failed(&s->ctx, s->k.re_line, "kernel log", s->k.re_fail, s->k.re_lines);
    pcre2_match_data_free(s->k.md);
    rc = rc == LHT_OK ? s->k.added : rc;
    free(s);
    return rc;
}

int lht_parse_kernel_log(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    void *s;
    int rc = lht_kernel_log_stream_begin(ctx, &s);

    if (rc != LHT_OK)
        return rc;
    (void)lht_kernel_log_stream_feed(s, buf, len);
    return lht_kernel_log_stream_end(s);
}
