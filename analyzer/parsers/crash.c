/*
 * crash.c - crash(8) session output into processes and stacks.
 *
 * crash (github.com/crash-utility/crash; examples in its help.c) reads
 * a vmcore or the live kernel. Engineers paste three of its listings:
 *
 *   ps            "   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM"
 *                 ">  700    688   1  f9d62000  RU   0.0  1048   256  gen12"
 *                 (">" marks the task running on a CPU)
 *   ps -m         "[0 16:55:33.313] [UN]  PID: 148201  TASK: ffff89610e331ec0  CPU: 33  COMMAND: "mv""
 *                 (also behind "foreach UN ps -m")
 *   bt            "PID: 428    TASK: ffff880036b6c560  CPU: 1   COMMAND: "jbd2/dm-1-8""
 *                 " #0 [ffff880035779a70] __schedule at ffffffff815df272"
 *                 "#10 [c000000004c27d00] eeh_event_handler at c00000000004e3b0 [bnx2x]"
 *                 " #0 [ffffb36648bc79a0] __schedule+0x2c3 at ffffffffb72636e3"   (bt -s)
 *
 * ST is crash's task state (RU IN UN ZO ST TR DE SW WA PA ID NE); a
 * process row gets the letter ps prints for it (UN is D), so that rules
 * read one state whatever printed it. A bt header opens a stack for its
 * pid, origin "proc": like /proc/<pid>/stack it is the task's kernel
 * stack as the kernel holds it. `foreach UN bt` also says every task it
 * shows is in UN, so its headers give the state too.
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* crash's state names and the ps letter of each (none for the ones ps
 * has no letter for). */
static const struct {
    const char *st;
    char ps;
} states[] = {
    {"RU", 'R'}, {"IN", 'S'}, {"UN", 'D'}, {"ZO", 'Z'}, {"ST", 'T'}, {"TR", 't'},
    {"DE", 'X'}, {"PA", 'P'}, {"ID", 'I'}, {"SW", 0}, {"WA", 0}, {"NE", 0},
};

/* 1 when s is a crash state (*ps gets its letter, 0 for none). */
static int state_of(const char *s, size_t len, char *ps)
{
    size_t i;

    if (len != 2)
        return 0;
    for (i = 0; i < sizeof states / sizeof states[0]; i++)
        if (memcmp(states[i].st, s, 2) == 0) {
            *ps = states[i].ps;
            return 1;
        }
    return 0;
}

static int is_int(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return len > 0;
}

static int is_hex(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return len > 0;
}

struct cr {
    const struct lht_pctx *ctx;
    char each;          /* ps letter of the `foreach ST` state the command names, or 0 */
    int stack_open;     /* frames go to the newest stack */
    long pid;           /* of the bt header seen last, -1 */
    int added;
};

static int add_process(struct cr *c, long no, long pid, long ppid, char st, const char *comm, size_t cl)
{
    struct lht_facts *f = c->ctx->facts;
    struct lht_process p;

    memset(&p, 0, sizeof p);
    p.at = lht_pctx_at(c->ctx, no);
    p.pid = pid;
    p.ppid = ppid;
    p.tid = -1;
    p.stat = st ? lht_facts_str(f, &st, 1) : NULL;
    p.command = cl ? lht_facts_str(f, comm, cl) : NULL;
    if ((st && p.stat == NULL) || (cl && p.command == NULL) || lht_facts_add_process(f, &p) != LHT_OK)
        return LHT_ENOMEM;
    c->added++;
    return LHT_OK;
}

/* "[>] PID PPID CPU TASK ST %MEM VSZ RSS COMM": 1 a row, 0 not one. */
static int ps_row(struct cr *c, const char *s, size_t len, long no)
{
    const char *p = s, *e = s + len, *t[8];
    size_t tl[8];
    long pid, ppid;
    char st;
    int n;

    p = lht_ltrim(p, &len);
    if (len > 0 && *p == '>')
        p++;
    for (n = 0; n < 8 && lht_tok(&p, e, &t[n], &tl[n]); n++)
        ;
    if (n < 8 || !is_int(t[0], tl[0]) || !is_int(t[1], tl[1]) || !is_int(t[2], tl[2]) || !is_hex(t[3], tl[3]) ||
        tl[3] < 8 || !state_of(t[4], tl[4], &st) || !is_int(t[6], tl[6]) || !is_int(t[7], tl[7]))
        return 0;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= e || lht_parse_long(t[0], tl[0], &pid) != 0 || lht_parse_long(t[1], tl[1], &ppid) != 0)
        return 0;
    return add_process(c, no, pid, ppid, st, p, lht_rtrim(p, (size_t)(e - p))) == LHT_OK ? 1 : LHT_ENOMEM;
}

/* "PID: 428  TASK: ffff880036b6c560  CPU: 1  COMMAND: "jbd2/dm-1-8"",
 * with "[0 16:55:33.313] [UN]  " before it in ps -m. */
static int task_header(struct cr *c, const char *s, size_t len, long no, int *is_bt)
{
    const char *p = s, *q, *e = s + len, *comm = NULL;
    char st = c->each, buf[24];
    size_t cl = 0, n;
    long pid;

    *is_bt = 1;
    p = lht_ltrim(p, &len);
    e = p + len;
    if (len == 0)
        return 0;
    if (*p == '[') {
        /* ps -m: run time, then the state */
        if ((q = memchr(p, ']', len)) == NULL || e - q < 6 || q[1] != ' ' || q[2] != '[' || q[5] != ']' ||
            !state_of(q + 3, 2, &st))
            return 0;
        *is_bt = 0;
        len = (size_t)(e - (q + 6));
        p = lht_ltrim(q + 6, &len);
    }
    if (!lht_starts(p, len, "PID: "))
        return 0;
    for (q = p + 5; q < e && *q == ' '; q++)
        ;
    for (n = 0; q < e && *q >= '0' && *q <= '9' && n + 1 < sizeof buf; q++)
        buf[n++] = *q;
    buf[n] = '\0';
    if (n == 0 || lht_find(q, (size_t)(e - q), "TASK: ") == NULL)
        return 0;
    pid = strtol(buf, NULL, 10);
    if ((q = lht_find(q, (size_t)(e - q), "COMMAND: \"")) != NULL) {
        const char *end;
        comm = q + 10;
        end = memchr(comm, '"', (size_t)(e - comm));
        cl = end ? (size_t)(end - comm) : 0;
    }
    c->pid = pid;
    c->stack_open = 0;
    if (st == 0 && *is_bt)
        return 1;   /* a bt header names no state */
    return add_process(c, no, pid, -1, st, comm, cl) == LHT_OK ? 1 : LHT_ENOMEM;
}

/* " #3 [ffff...] sym[+off] at addr [module]": 1 a frame, 0 not one. */
static int bt_frame(struct cr *c, const char *s, size_t len, long no)
{
    struct lht_facts *f = c->ctx->facts;
    const char *p = lht_ltrim(s, &len), *e = p + len, *t[6], *plus;
    size_t tl[6];
    struct lht_frame fr;
    int n;

    if (len < 4 || p[0] != '#')
        return 0;
    for (n = 0; n < 6 && lht_tok(&p, e, &t[n], &tl[n]); n++)
        ;
    if (n < 4 || !is_int(t[0] + 1, tl[0] - 1) || t[1][0] != '[' || t[1][tl[1] - 1] != ']' ||
        !(tl[3] == 2 && memcmp(t[3], "at", 2) == 0))
        return 0;
    if (!c->stack_open) {
        struct lht_stack st;
        memset(&st, 0, sizeof st);
        st.at = lht_pctx_at(c->ctx, no);
        st.pid = c->pid;
        st.origin = LHT_STACK_PROC;
        if (lht_facts_add_stack(f, &st) != LHT_OK)
            return LHT_ENOMEM;
        c->stack_open = 1;
        c->added++;
    }
    memset(&fr, 0, sizeof fr);
    fr.line = no;
    plus = memchr(t[2], '+', tl[2]);
    fr.symbol = lht_facts_str(f, t[2], plus ? (size_t)(plus - t[2]) : tl[2]);
    fr.offset = plus ? lht_facts_str(f, plus + 1, tl[2] - (size_t)(plus - t[2]) - 1) : NULL;
    if (n >= 6 && t[5][0] == '[' && tl[5] > 2 && t[5][tl[5] - 1] == ']')
        fr.module = lht_facts_str(f, t[5] + 1, tl[5] - 2);
    if (fr.symbol == NULL || (plus && fr.offset == NULL) || lht_facts_add_frame(f, &fr) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

/* The state `foreach UN bt` / `foreach UN ps` names, as a ps letter. */
static char foreach_state(const char *cmd)
{
    const char *p = cmd ? strstr(cmd, "foreach") : NULL;
    char st = 0;

    if (p == NULL)
        return 0;
    for (p += 7; *p; p++)
        if (p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z' && (p[2] == ' ' || p[2] == '\0') &&
            p[-1] == ' ' && state_of(p, 2, &st))
            return st;
    return 0;
}

int lht_parse_crash(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct cr c;
    int r, bt;

    memset(&c, 0, sizeof c);
    c.ctx = ctx;
    c.pid = ctx->pid;
    c.each = foreach_state(ctx->command);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        if (ln.len == 0 || ln.len > 8192)
            continue;
        if ((r = bt_frame(&c, ln.s, ln.len, ln.no)) != 0 || (r = task_header(&c, ln.s, ln.len, ln.no, &bt)) != 0 ||
            (r = ps_row(&c, ln.s, ln.len, ln.no)) != 0) {
            if (r < 0)
                return r;
            continue;
        }
    }
    return c.added;
}
