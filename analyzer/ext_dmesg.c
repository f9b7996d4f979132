/*
 * ext_dmesg.c - kernel log lines (dmesg, dmesg -T, dmesg -HTx as in the
 * bundle's logs/dmesg.log, syslog/messages "kernel:" lines, journalctl -k)
 * into hung-task reports with their traces, other traces (WARNING/BUG),
 * and NFS client messages.
 *
 * Each line loses its prefix first (table below: facility/level, syslog or
 * RFC 3339 stamp + host + "kernel:", "[ 12.345678]" / "[Tue Sep 24 ...]"
 * stamps), so one set of message patterns serves every dress. Lines of
 * other programs in a syslog are skipped. A cheap literal pre-check keeps
 * the regexes off the bulk of a large log; inside a trace every line is
 * looked at until the trace ends.
 *
 * Message texts come from the kernel: kernel/hung_task.c ("INFO: task
 * %s:%d blocked for more than %ld seconds."), kernel/sched/core.c
 * sched_show_task ("task:%-15.15s state:%c stack:%-5lu pid:%-5d ..."; the
 * pre-5.8 form "%-15.15s %c ... pid ppid flags"), fs/nfs/client.c and
 * net/sunrpc/clnt.c ("nfs: server %s not responding, still trying",
 * "... timed out", "nfs: server %s OK"), fs/nfs/nfs4state.c (state
 * recovery and lease messages).
 */
#include "err.h"
#include "parse.h"
#include "re.h"
#include "text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct lht_re prefix_re[] = {
    {"^(?:<\\d+>)?"
     "(?:[a-z]+ *:[a-z]+ *: )?"
     "(?:(?<sys>(?:[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?|"
     "\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d)?)) +\\S+ +"
     "(?<prog>[A-Za-z0-9_./-]+)(?:\\[\\d+\\])?: )?"
     "(?:<\\d+>)?"
     "(?:\\[(?<ts>[^\\]]{1,40})\\] ?)?",
     0, NULL},
};

enum msg {
    M_HUNG, M_BLOCKED_ON, M_TASKLINE, M_OLDTASK, M_CALLTRACE, M_WARNING, M_BUG, M_CPU_PID,
    M_SUPPRESSED, M_SYSRQ_W, M_NFS
};

/* Recognised messages, first match wins. */
static struct lht_re msg_re[] = {
    {"^INFO: task (?<comm>.+):(?<pid>\\d+) blocked for more than (?<secs>\\d+) seconds", M_HUNG, NULL},
    {"^INFO: task (?<comm>.+):(?<pid>\\d+) (?:is )?blocked on ", M_BLOCKED_ON, NULL},
    {"^ *task:(?<comm>.+?) +state:(?<state>\\S) +stack: *\\d+ +pid: *(?<pid>\\d+)", M_TASKLINE, NULL},
    {"^(?<comm>\\S.{0,15}?) +(?<state>[DRSTZX]) +(?:[0-9a-f]{8,16} +)?\\d+ +(?<pid>\\d+) +\\d+ +0x[0-9a-f]+\\s*$",
     M_OLDTASK, NULL},
    {"^ *Call [Tt]race:", M_CALLTRACE, NULL},
    {"^WARNING: CPU: \\d+ PID: (?<pid>\\d+) at ", M_WARNING, NULL},
    {"^(?:BUG: |kernel BUG at )", M_BUG, NULL},
    {"^CPU: \\d+ (?:UID: \\d+ )?PID: (?<pid>\\d+) Comm: (?<comm>\\S+)", M_CPU_PID, NULL},
    {"^Future hung task reports are suppressed", M_SUPPRESSED, NULL},
    {"^(?:sysrq|SysRq) ?: Show Blocked State", M_SYSRQ_W, NULL},
    {"^(?:nfs|NFS|NFS4|NFSv4|nfs4)[:_ ]", M_NFS, NULL},
};

/* NFS client messages: pattern -> kind (server in group "server"). */
static const char *const nfs_kinds[] = {
    "nfs_not_responding", "nfs_timed_out", "nfs_ok", "nfs_clientid_in_use", "nfs_lease_expired",
    "nfs_state_recovery", "nfs_state_recovery", "nfs_lease", "nfs_error", "nfs_error",
};
static struct lht_re nfs_re[] = {
    {"^nfs: server (?<server>\\S+) not responding, still trying", 0, NULL},
    {"^nfs: server (?<server>\\S+) not responding, timed out", 1, NULL},
    {"^nfs: server (?<server>\\S+) OK", 2, NULL},
    {"^NFS: Server (?<server>\\S+) reports our clientid is in use", 3, NULL},
    {"(?i)lease expired|NFS4ERR_EXPIRED|expired lease", 4, NULL},
    {"nfs4_reclaim_(?:open|locks)_state|Lock reclaim failed|state recovery failed", 5, NULL},
    {"check lease failed on NFSv4 server (?<server>\\S+)", 7, NULL},
    {"^NFS: state manager: ", 6, NULL},
    {"unhandled error|Couldn't follow remote path|nfs4_discover_server_trunking", 8, NULL},
    {"^NFS: (?:Server|server) (?<server>\\S+) ", 9, NULL},
};

static struct lht_re frame_re[] = {
    {"^ *(?:\\[<(?:0x)?[0-9a-f]+>\\] +)?(?<q>\\? +)?(?<sym>[A-Za-z_.$][A-Za-z0-9_.$]*)"
     "\\+(?<off>0x[0-9a-f]+/0x[0-9a-f]+)(?: +\\[(?<mod>[^\\]]+)\\])?",
     0, NULL},
};

/* Lines that may sit inside a trace without ending it. */
static struct lht_re inside_re[] = {
    {"^ *(?:</?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>|RIP:|RSP:|RAX:|RBX:|RCX:|RDX:|RSI:|RDI:|RBP:|R\\d+:|"
     "FS:|CS:|CR2:|DR\\d:|Code:|pc :|lr :|sp :|x\\d+ *:|Hardware name:|Workqueue:|Modules linked in:|"
     "Tainted:|Not tainted|\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\"|"
     "(?:[0-9a-f]{16} ?)+$|Stack:|Exception stack|ORIG_RAX:|---\\[ end trace|</?TASK>)",
     0, NULL},
};

static struct lht_re trigger_re[] = {
    {"INFO: task|task:|Call [Tt]race|nfs: server|NFS|nfs4|WARNING:|BUG|[Ss]ys[Rr]q|Future hung", 0, NULL},
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_tables(void)
{
    if ((init_rc = lht_re_compile(prefix_re, N(prefix_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(msg_re, N(msg_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(nfs_re, N(nfs_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(frame_re, N(frame_re), NULL)) == LHT_OK &&
        (init_rc = lht_re_compile(inside_re, N(inside_re), NULL)) == LHT_OK)
        init_rc = lht_re_compile(trigger_re, N(trigger_re), NULL);
}

enum mode { IDLE, REPORT, TRACE };

struct kl {
    const struct lht_pctx *ctx;
    pcre2_match_data *md;
    enum mode mode;
    long hung;          /* index of the hung task being filled, -1 */
    long pid;           /* pid of the current report */
    const char *comm;
    int origin;         /* origin of the trace to come */
    char when[64];      /* timestamp of the current line */
    int stack_open;
    int added;
};

static const char *grp(struct kl *k, const struct lht_re *re, const char *s, const char *name,
                       char *buf, size_t sz)
{
    return lht_re_group(re->code, k->md, s, name, buf, sz) > 0 ? buf : NULL;
}

static int add_klog(struct kl *k, long no, const char *kind, const char *server, const char *when,
                    const char *msg, size_t len)
{
    struct lht_facts *f = k->ctx->facts;
    struct lht_klog e;

    e.at = lht_pctx_at(k->ctx, no);
    e.kind = kind;
    e.server = server ? lht_facts_strz(f, server) : NULL;
    e.when = when ? lht_facts_strz(f, when) : NULL;
    e.text = lht_facts_str(f, msg, len);
    if (e.text == NULL || (server && !e.server) || (when && !e.when))
        return LHT_ENOMEM;
    if (lht_facts_add_klog(f, &e) != LHT_OK)
        return LHT_ENOMEM;
    k->added++;
    return LHT_OK;
}

static int open_stack(struct kl *k, long no)
{
    struct lht_stack s;
    long idx;

    memset(&s, 0, sizeof s);
    s.at = lht_pctx_at(k->ctx, no);
    s.pid = k->pid;
    s.comm = k->comm;
    s.origin = k->origin;
    if (lht_facts_begin_stack(k->ctx->facts, &s, &idx) != LHT_OK)
        return LHT_ENOMEM;
    if (k->hung >= 0) {
        struct lht_hung_task *h = lht_facts_hung_task_at(k->ctx->facts, (size_t)k->hung);
        if (h && h->stack < 0)
            h->stack = idx;
    }
    k->stack_open = 1;
    k->added++;
    return LHT_OK;
}

static int add_hung(struct kl *k, long no, const char *comm, long pid, long secs, const char *when)
{
    struct lht_facts *f = k->ctx->facts;
    struct lht_hung_task h;
    size_t n;

    h.at = lht_pctx_at(k->ctx, no);
    h.task = lht_facts_strz(f, comm);
    h.pid = pid;
    h.blocked_seconds = secs;
    h.when = when ? lht_facts_strz(f, when) : NULL;
    h.stack = -1;
    if (h.task == NULL || lht_facts_add_hung_task(f, &h) != LHT_OK)
        return LHT_ENOMEM;
    (void)lht_facts_hung_tasks(f, &n);
    k->hung = (long)n - 1;
    k->pid = pid;
    k->comm = h.task;
    k->origin = LHT_STACK_HUNG_TASK;
    k->mode = REPORT;
    k->stack_open = 0;
    k->added++;
    return LHT_OK;
}

static void end_report(struct kl *k)
{
    k->mode = IDLE;
    k->hung = -1;
    k->pid = -1;
    k->comm = NULL;
    k->stack_open = 0;
}

/* A trace frame; 1 added, 0 not a frame. */
static int frame(struct kl *k, const char *msg, size_t len, long no)
{
    char sym[256], off[64], mod[64], q[8];
    struct lht_frame fr;
    struct lht_facts *f = k->ctx->facts;

    if (pcre2_match(frame_re[0].code, (PCRE2_SPTR)msg, len, 0, 0, k->md, lht_re_mctx()) < 0)
        return 0;
    if (!k->stack_open && open_stack(k, no) != LHT_OK)
        return LHT_ENOMEM;
    memset(&fr, 0, sizeof fr);
    fr.line = no;
    fr.symbol = lht_facts_strz(f, grp(k, &frame_re[0], msg, "sym", sym, sizeof sym));
    fr.offset = grp(k, &frame_re[0], msg, "off", off, sizeof off) ? lht_facts_strz(f, off) : NULL;
    fr.module = grp(k, &frame_re[0], msg, "mod", mod, sizeof mod) ? lht_facts_strz(f, mod) : NULL;
    fr.uncertain = grp(k, &frame_re[0], msg, "q", q, sizeof q) != NULL;
    if (fr.symbol == NULL || lht_facts_add_frame(f, &fr) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

static int line(struct kl *k, const char *s, size_t len, long no)
{
    PCRE2_SIZE *ov;
    const char *msg, *when = NULL;
    size_t mlen;
    char whenbuf[64], prog[64], buf[256], pidbuf[24], secs[24];
    int i, rc;

    if (len == 0 || len > 8192)
        return LHT_OK;
    /* Outside a report, only lines with a trigger word are worth a look. */
    if (k->mode == IDLE &&
        pcre2_match(trigger_re[0].code, (PCRE2_SPTR)s, len, 0, 0, k->md, lht_re_mctx()) < 0)
        return LHT_OK;
    if (pcre2_match(prefix_re[0].code, (PCRE2_SPTR)s, len, 0, 0, k->md, lht_re_mctx()) < 0)
        return LHT_OK;
    if (grp(k, &prefix_re[0], s, "prog", prog, sizeof prog) && strcmp(prog, "kernel") != 0)
        return LHT_OK;   /* another program's syslog line */
    if (grp(k, &prefix_re[0], s, "sys", whenbuf, sizeof whenbuf) ||
        grp(k, &prefix_re[0], s, "ts", whenbuf, sizeof whenbuf))
        when = whenbuf;
    ov = pcre2_get_ovector_pointer(k->md);
    msg = s + ov[1];
    mlen = len - ov[1];
    if (when) {
        /* keep `when` stable while md is reused below */
        memcpy(k->when, whenbuf, sizeof k->when);
        when = k->when;
    }

    if (k->mode == TRACE) {
        rc = frame(k, msg, mlen, no);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return LHT_OK;
        if (pcre2_match(inside_re[0].code, (PCRE2_SPTR)msg, mlen, 0, 0, k->md, lht_re_mctx()) >= 0) {
            if (lht_find(msg, mlen, "</TASK>"))
                end_report(k);
            return LHT_OK;
        }
        end_report(k);   /* anything else ends the trace; look at it afresh */
    }

    i = lht_re_first(msg_re, N(msg_re), msg, mlen, k->md);
    if (i < 0) {
        if (k->mode == REPORT && pcre2_match(inside_re[0].code, (PCRE2_SPTR)msg, mlen, 0, 0, k->md,
                                             lht_re_mctx()) < 0) {
            /* arm64 and some 4.x kernels print frames with no "Call Trace:" */
            rc = frame(k, msg, mlen, no);
            if (rc < 0)
                return rc;
            if (rc == 1)
                k->mode = TRACE;
        }
        return LHT_OK;
    }
    switch (msg_re[i].value) {
    case M_HUNG: {
        const char *comm = grp(k, &msg_re[i], msg, "comm", buf, sizeof buf);
        long pid = strtol(grp(k, &msg_re[i], msg, "pid", pidbuf, sizeof pidbuf), NULL, 10);
        long sec = grp(k, &msg_re[i], msg, "secs", secs, sizeof secs) ? strtol(secs, NULL, 10) : -1;
        if (add_klog(k, no, "hung_task", NULL, when, msg, mlen) != LHT_OK)
            return LHT_ENOMEM;
        return add_hung(k, no, comm ? comm : "?", pid, sec, when);
    }
    case M_BLOCKED_ON:
        return add_klog(k, no, "hung_task_blocked_on", NULL, when, msg, mlen);
    case M_TASKLINE: {
        char state[8];
        long pid = strtol(grp(k, &msg_re[i], msg, "pid", pidbuf, sizeof pidbuf), NULL, 10);
        const char *comm = grp(k, &msg_re[i], msg, "comm", buf, sizeof buf);
        grp(k, &msg_re[i], msg, "state", state, sizeof state);
        if (k->mode == REPORT && pid == k->pid)
            return LHT_OK;   /* the task line of the report we are in */
        /* sysrq-w / show_state: a D task outside a hung-task report */
        if (state[0] == 'D')
            return add_hung(k, no, comm ? comm : "?", pid, -1, when);
        end_report(k);
        return LHT_OK;
    }
    case M_OLDTASK:
        return LHT_OK;
    case M_CALLTRACE:
        if (k->mode == IDLE) {
            k->pid = -1;
            k->comm = NULL;
            k->origin = LHT_STACK_OTHER;
        }
        k->mode = TRACE;
        k->stack_open = 0;
        return LHT_OK;
    case M_WARNING:
    case M_BUG: {
        long pid = -1;
        if (grp(k, &msg_re[i], msg, "pid", pidbuf, sizeof pidbuf))
            pid = strtol(pidbuf, NULL, 10);
        end_report(k);
        if (add_klog(k, no, msg_re[i].value == M_WARNING ? "warning" : "bug", NULL, when, msg, mlen) != LHT_OK)
            return LHT_ENOMEM;
        k->mode = REPORT;
        k->pid = pid;
        k->origin = LHT_STACK_OTHER;
        return LHT_OK;
    }
    case M_CPU_PID:
        if (k->mode == REPORT && k->origin == LHT_STACK_OTHER) {
            k->pid = strtol(grp(k, &msg_re[i], msg, "pid", pidbuf, sizeof pidbuf), NULL, 10);
            k->comm = lht_facts_strz(k->ctx->facts, grp(k, &msg_re[i], msg, "comm", buf, sizeof buf));
        }
        return LHT_OK;
    case M_SUPPRESSED:
        return add_klog(k, no, "hung_task_suppressed", NULL, when, msg, mlen);
    case M_SYSRQ_W:
        return add_klog(k, no, "sysrq_blocked_state", NULL, when, msg, mlen);
    case M_NFS: {
        int j = lht_re_first(nfs_re, N(nfs_re), msg, mlen, k->md);
        const char *server;
        if (j < 0)
            return LHT_OK;
        server = grp(k, &nfs_re[j], msg, "server", buf, sizeof buf);
        return add_klog(k, no, nfs_kinds[nfs_re[j].value], server, when, msg, mlen);
    }
    }
    return LHT_OK;
}

int lht_parse_kernel_log(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct kl k;
    int rc = LHT_OK;

    pthread_once(&once, init_tables);
    if (init_rc != LHT_OK)
        return LHT_ENOMEM;
    memset(&k, 0, sizeof k);
    k.ctx = ctx;
    k.hung = -1;
    k.pid = -1;
    k.md = pcre2_match_data_create(32, NULL);
    if (k.md == NULL)
        return LHT_ENOMEM;
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (rc == LHT_OK && it.p < it.end) {
        if (k.mode == IDLE) {
            /* Jump to the next line holding a trigger word with one JIT
             * scan of the rest of the buffer, instead of one match call per
             * line: most of a multi-GB syslog is never looked at twice. */
            int r = pcre2_match(trigger_re[0].code, (PCRE2_SPTR)it.p, (size_t)(it.end - it.p), 0, 0,
                                k.md, lht_re_mctx());
            if (r == PCRE2_ERROR_NOMATCH)
                break;
            if (r >= 0) {
                const char *hit = it.p + pcre2_get_ovector_pointer(k.md)[0], *q = it.p, *nl;
                while ((nl = memchr(q, '\n', (size_t)(hit - q))) != NULL) {
                    it.no++;
                    q = nl + 1;
                }
                it.p = q;
            }
        }
        if (!lht_line_next(&it, &ln))
            break;
        rc = line(&k, ln.s, ln.len, ln.no);
    }
    pcre2_match_data_free(k.md);
    return rc == LHT_OK ? k.added : rc;
}
