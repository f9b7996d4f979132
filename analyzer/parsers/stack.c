/*
 * stack.c - /proc/<pid>/stack text into stacks of frames.
 *
 * Forms in the wild:
 *   [<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]      (>= 4.17 hides addresses)
 *   [<ffffffffc0a1b2c4>] rpc_wait_bit_killable+0x24/0xb0 [sunrpc] (older kernels)
 *   [<ffffffffffffffff>] 0xffffffffffffffff                       (old terminator, skipped)
 *   [] rpc_wait_bit_killable+0x24/0x40 [sunrpc]     (a web page ate "<ffff...>" as a tag)
 *   [<0>] ? sym+0x1/0x2, [jbd2 ae888ef9...]         (unreliable frame; module build id)
 *   nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]  (brackets stripped: only where the
 *                                                    text is a stack file's, see below)
 * Several stacks in one paste are separated by headers:
 *   ==> /proc/123/stack <==, ==> 123/stack <==   (tail/head over /proc, or from inside it)
 *   /proc/123/stack:[<0>] sym+...    (grep . /proc/N/stack)
 *   /proc/123/stack, 123:, PID 123, PID = 123, --- 123 ---   (loops with echo)
 *   a ps row ("UID PID ... CMD" then "root 53 2 ...")   (loops running ps -fp $p first)
 *   "Stack of the stuck writer (pid 4242):"     (prose that introduces it, ending in ':')
 * A blank line or a header ends a stack; "..." (a frame left out) does
 * not. The pid comes from the header, else from the command that printed
 * the text (ctx->pid), else it is unknown. Frames without brackets are
 * taken only from text known to be a stack file's (a command printed it
 * or a header named its pid): elsewhere they are a kernel log's trace,
 * which kernel_log.c reads. For the same reason lines with a kernel log's
 * prefix, and the frames after a "Call Trace:" line, are left alone.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/text.h"

#include <string.h>
#include <strings.h>

struct st {
    const struct lht_pctx *ctx;
    long pid;          /* pid for the next stack */
    int open;          /* a stack is being filled */
    int depth;
    int added;
    int ours;          /* the text is known to be a stack file's: bare frames count */
    int foreign;       /* inside a kernel log's call trace */
    int other_file;    /* after a "==> /proc/N/<not stack> <==" header */
    int ps_pid_col;    /* column of PID in the last ps header seen, -1 */
};

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Parse "/proc/<pid>/stack" or "/proc/<pid>/task/<tid>/stack" at s; returns
 * the pid (the tid for task paths) and sets *end past it, or -1. */
static long proc_path_pid(const char *s, size_t len, size_t *end)
{
    const char *p = s, *e = s + len, *num;
    long v = -1, w;

    if (len >= 12 && memcmp(s, "/proc/", 6) == 0)
        p += 6;
    num = p;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    if (p == num || lht_parse_long(num, (size_t)(p - num), &v) != 0)
        return -1;
    if (p + 6 <= e && memcmp(p, "/task/", 6) == 0) {
        p += 6;
        num = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == num || lht_parse_long(num, (size_t)(p - num), &w) != 0)
            return -1;
        v = w;
    }
    if (p + 6 > e || memcmp(p, "/stack", 6) != 0)
        return -1;
    *end = (size_t)(p + 6 - s);
    return v;
}

/* A line that names the pid of the stack that follows. */
static long header_pid(const char *s, size_t len)
{
    size_t end;
    long v;
    const char *p;

    s = lht_ltrim(s, &len);
    len = lht_rtrim(s, len);
    if (len == 0)
        return -1;
    if (lht_starts(s, len, "==> ")) {
        s += 4;
        len -= 4;
    }
    if ((v = proc_path_pid(s, len, &end)) >= 0)
        return v;
    /* "123:", "PID 123", "pid: 123", "--- 123 ---", "=== 123 ===" */
    while (len > 0 && (*s == '-' || *s == '=' || *s == '#' || *s == ' '))
        s++, len--;
    if (len >= 3 && (strncmp(s, "PID", 3) == 0 || strncmp(s, "pid", 3) == 0)) {
        s += 3;
        len -= 3;
        while (len > 0 && (*s == ':' || *s == ' ' || *s == '='))
            s++, len--;
    }
    p = s;
    while (len > 0 && *s >= '0' && *s <= '9')
        s++, len--;
    if (s == p || lht_parse_long(p, (size_t)(s - p), &v) != 0)
        return -1;
    while (len > 0 && (*s == ':' || *s == ' ' || *s == '-' || *s == '='))
        s++, len--;
    return len == 0 ? v : -1;
}

static int begin(struct st *st, long line)
{
    struct lht_stack s;

    memset(&s, 0, sizeof s);
    s.at = lht_pctx_at(st->ctx, line);
    s.pid = st->pid;
    s.origin = LHT_STACK_PROC;
    if (lht_facts_add_stack(st->ctx->facts, &s) != LHT_OK)
        return LHT_ENOMEM;
    st->open = 1;
    st->depth = 0;
    st->added++;
    return LHT_OK;
}

/* "[<addr>] sym+0x1/0x2 [mod]" at s ("[] sym..." too; without brackets
 * when bare is set); 1 frame added, 0 not a frame, 2 the end-of-stack
 * marker, LHT_ENOMEM. */
static int frame(struct st *st, const char *s, size_t len, long line, int bare)
{
    const char *p = s, *e = s + len, *sym, *plus, *tok_end, *mod = NULL;
    size_t modlen = 0;
    struct lht_frame fr;
    struct lht_facts *f = st->ctx->facts;
    int uncertain = 0, bracketed = 1;

    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (e - p >= 3 && p[0] == '[' && p[1] == ']') {
        p += 2;
    } else if (e - p >= 5 && p[0] == '[' && p[1] == '<') {
        const char *h;
        p += 2;
        if (p < e && p[0] == '0' && p + 1 < e && p[1] == 'x')
            p += 2;
        for (h = p; p < e && is_hex(*p); p++)
            ;
        if (p == h || e - p < 3 || p[0] != '>' || p[1] != ']')
            return 0;
        p += 2;
    } else if (!bare) {
        return 0;
    } else {
        bracketed = 0;
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '?' && p + 1 < e && p[1] == ' ') {
        p += 2;
        uncertain = 1;
    }
    sym = p;
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    tok_end = p;
    if (tok_end == sym)
        return 0;
    /* the old terminator "[<ffffffffffffffff>] 0xffffffffffffffff" */
    if (tok_end - sym >= 2 && sym[0] == '0' && sym[1] == 'x')
        return 2;
    plus = memchr(sym, '+', (size_t)(tok_end - sym));
    /* a frame without brackets must look like one: "sym+0x1f/0x2f" */
    if (!bracketed &&
        (plus == NULL || tok_end - plus < 4 || plus[1] != '0' || plus[2] != 'x' ||
         memchr(plus, '/', (size_t)(tok_end - plus)) == NULL))
        return 0;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '[') {
        const char *c = memchr(p, ']', (size_t)(e - p)), *sp;
        if (c) {
            mod = p + 1;
            /* "[jbd2 ae888ef9...]": the module, then its build id */
            sp = memchr(mod, ' ', (size_t)(c - mod));
            modlen = (size_t)((sp ? sp : c) - mod);
        }
    } else if (p < e && !bracketed) {
        return 0;   /* "sym+0x1/0x2 and more words": prose */
    }
    memset(&fr, 0, sizeof fr);
    fr.line = line;
    fr.uncertain = uncertain;
    fr.symbol = lht_facts_str(f, sym, (size_t)((plus ? plus : tok_end) - sym));
    fr.offset = plus ? lht_facts_str(f, plus + 1, (size_t)(tok_end - plus - 1)) : NULL;
    fr.module = mod && modlen ? lht_facts_str(f, mod, modlen) : NULL;
    if (fr.symbol == NULL || (plus && !fr.offset) || (mod && modlen && !fr.module))
        return LHT_ENOMEM;
    if (!st->open && begin(st, line) != LHT_OK)
        return LHT_ENOMEM;
    if (lht_facts_add_frame(f, &fr) != LHT_OK)
        return LHT_ENOMEM;
    st->depth++;
    return 1;
}

/* A kernel log's line: "[  123.456789] ...", "Mon DD HH:MM:SS host kernel: ...". */
static int log_line(const char *s, size_t len)
{
    const char *c;

    s = lht_ltrim(s, &len);
    if (len > 4 && s[0] == '[' && (s[1] == ' ' || (s[1] >= '0' && s[1] <= '9')) &&
        (c = memchr(s, ']', len < 24 ? len : 24)) != NULL && memchr(s, '.', (size_t)(c - s)) != NULL)
        return 1;
    return lht_find(s, len < 80 ? len : 80, " kernel: ") != NULL;
}

/* A ps header ("UID PID PPID C STIME TTY TIME CMD"): the column of PID,
 * or -1. A loop that runs `ps -fp $p` before `cat /proc/$p/stack` names
 * each stack's pid in the row below it. */
static int ps_pid_column(const char *s, size_t len)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl, k;
    int col = 0, pid = -1;

    while (lht_tok(&p, e, &tok, &tl)) {
        for (k = 0; k < tl; k++)
            if (!((tok[k] >= 'A' && tok[k] <= 'Z') || tok[k] == '%'))
                return -1;
        if (tl == 3 && memcmp(tok, "PID", 3) == 0)
            pid = col;
        col++;
    }
    return col >= 3 ? pid : -1;
}

/* The pid in column col of a ps row, or -1. */
static long ps_row_pid(const char *s, size_t len, int col)
{
    const char *p = s, *e = s + len, *tok = NULL;
    size_t tl = 0;
    long v;
    int c;

    for (c = 0; c <= col; c++)
        if (!lht_tok(&p, e, &tok, &tl))
            return -1;
    return lht_parse_long(tok, tl, &v) == 0 && v >= 0 ? v : -1;
}

/* Prose introducing the next stack by its pid: a line ending in ':'
 * whose last "pid N", "PID: N", "process N" or "task N" names it
 * ("Here is the stack of pid 4242:", "process 4242's stack:"); -1. */
static long prose_pid(const char *t, size_t l)
{
    static const char *const words[] = {"pid", "process", "task"};
    const char *p = t, *e = t + l, *tok, *prev = NULL;
    size_t tl, prevl = 0, w;
    long pid = -1, v;

    if (l < 6 || t[l - 1] != ':')
        return -1;
    while (lht_tok(&p, e, &tok, &tl)) {
        size_t nl = 0;
        while (nl < tl && tok[nl] >= '0' && tok[nl] <= '9')
            nl++;
        /* "4242", "4242:", "4242)", "4242's", "4242," */
        if (prev != NULL && nl > 0 && (nl == tl || strchr(":),'", tok[nl]) != NULL))
            for (w = 0; w < sizeof words / sizeof words[0]; w++)
                if ((prevl == strlen(words[w]) || (prevl == strlen(words[w]) + 1 && prev[prevl - 1] == ':')) &&
                    strncasecmp(prev, words[w], strlen(words[w])) == 0 && lht_parse_long(tok, nl, &v) == 0)
                    pid = v;
        prev = tok;
        prevl = tl;
        while (prevl > 0 && (*prev == '(' || *prev == '['))   /* "(pid 4242):" */
            prev++, prevl--;
    }
    return pid;
}

/* A line that is no frame but says something about the stacks around
 * it; 1 when it was one (and is consumed). */
static int marker(struct st *st, const char *s, size_t l)
{
    const char *t = lht_ltrim(s, &l);
    long pid;
    int col;

    l = lht_rtrim(t, l);
    if (lht_find(t, l, "Call Trace:") || lht_find(t, l, "Call trace:") || lht_find(t, l, "Backtrace:")) {
        st->foreign = 1;
        st->open = 0;
        return 1;
    }
    if ((l == 3 && memcmp(t, "...", 3) == 0) || (l == 5 && memcmp(t, "[...]", 5) == 0))
        return 1;   /* frames left out: the stack goes on */
    if (lht_starts(t, l, "==> ") && l > 8 && memcmp(t + l - 4, " <==", 4) == 0 &&
        header_pid(t, l) < 0) {
        st->other_file = 1;   /* tail over /proc/N/syscall, /proc/N/wchan ... */
        st->open = 0;
        return 1;
    }
    if ((col = ps_pid_column(t, l)) >= 0) {
        st->ps_pid_col = col;
        return 1;
    }
    if (st->ps_pid_col >= 0 && (pid = ps_row_pid(t, l, st->ps_pid_col)) >= 0) {
        st->ps_pid_col = -1;
        st->pid = pid;
        st->open = 0;
        return 1;
    }
    if (!st->open && (pid = prose_pid(t, l)) >= 0) {
        st->pid = pid;
        return 1;
    }
    return 0;
}

/* One line; LHT_OK or LHT_ENOMEM. */
static int stack_line(struct st *st, const char *s, size_t l, long no)
{
    size_t end;
    long pid;
    int r;

    /* "grep . /proc/N/stack" prefixes every frame with its path */
    if ((pid = proc_path_pid(s, l, &end)) >= 0 && end < l && s[end] == ':') {
        if (pid != st->pid || !st->open) {
            st->pid = pid;
            st->open = 0;
        }
        s += end + 1;
        l -= end + 1;
        st->other_file = st->foreign = 0;
    } else if ((pid = header_pid(s, l)) >= 0) {
        st->pid = pid;
        st->open = 0;
        st->ours = 1;
        st->other_file = st->foreign = 0;
        return LHT_OK;
    }
    if (lht_rtrim(s, l) == 0) {
        st->open = st->foreign = 0;   /* blank line between stacks */
        return LHT_OK;
    }
    if (st->foreign || st->other_file || log_line(s, l))
        return LHT_OK;
    r = frame(st, s, l, no, st->ours);
    if (r == LHT_ENOMEM)
        return LHT_ENOMEM;
    if (r == 2)
        st->open = 0;           /* terminator: the stack is complete */
    else if (r == 0)
        (void)marker(st, s, l);
    return LHT_OK;
}

int lht_parse_stack(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct st st;

    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.pid = ctx->pid;
    st.ps_pid_col = -1;
    /* a path or command named the pid or the stack file: bare frames are its */
    st.ours = ctx->pid >= 0 || (ctx->command != NULL && strstr(ctx->command, "stack") != NULL);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln))
        if (stack_line(&st, ln.s, ln.len, ln.no) != LHT_OK)
            return LHT_ENOMEM;
    return st.added;
}
