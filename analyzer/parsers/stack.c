/*
 * stack.c - /proc/<pid>/stack text into stacks of frames.
 *
 * Forms in the wild:
 *   [<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]      (>= 4.17 hides addresses)
 *   [<ffffffffc0a1b2c4>] rpc_wait_bit_killable+0x24/0xb0 [sunrpc] (older kernels)
 *   [<ffffffffffffffff>] 0xffffffffffffffff                       (old terminator, skipped)
 * Several stacks in one paste are separated by headers:
 *   ==> /proc/123/stack <==          (tail -n +1 /proc/N/stack ...)
 *   /proc/123/stack:[<0>] sym+...    (grep . /proc/N/stack)
 *   /proc/123/stack, 123:, PID 123, --- 123 ---, === 123 ===   (loops with echo)
 * A blank line or a header ends a stack. The pid comes from the header, else
 * from the command that printed the text (ctx->pid), else it is unknown.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/text.h"

#include <string.h>

struct st {
    const struct lht_pctx *ctx;
    long pid;          /* pid for the next stack */
    int open;          /* a stack is being filled */
    int depth;
    int added;
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

    if (len < 12 || memcmp(s, "/proc/", 6) != 0)
        return -1;
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

/* "[<addr>] sym+0x1/0x2 [mod]" at s; 1 frame added, 0 not a frame,
 * 2 the end-of-stack marker, LHT_ENOMEM. */
static int frame(struct st *st, const char *s, size_t len, long line)
{
    const char *p = s, *e = s + len, *sym, *plus, *tok_end, *mod = NULL;
    size_t modlen = 0;
    struct lht_frame fr;
    struct lht_facts *f = st->ctx->facts;

    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (e - p < 5 || p[0] != '[' || p[1] != '<')
        return 0;
    p += 2;
    if (p < e && p[0] == '0' && p + 1 < e && p[1] == 'x')
        p += 2;
    {
        const char *h = p;
        while (p < e && is_hex(*p))
            p++;
        if (p == h || e - p < 3 || p[0] != '>' || p[1] != ']')
            return 0;
    }
    p += 2;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '?' && p + 1 < e && p[1] == ' ')
        p += 2;
    sym = p;
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    tok_end = p;
    if (tok_end == sym)
        return 0;
    /* the old terminator "[<ffffffffffffffff>] 0xffffffffffffffff" */
    if (tok_end - sym >= 2 && sym[0] == '0' && sym[1] == 'x')
        return 2;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && *p == '[') {
        const char *c = memchr(p, ']', (size_t)(e - p));
        if (c) {
            mod = p + 1;
            modlen = (size_t)(c - mod);
        }
    }
    plus = memchr(sym, '+', (size_t)(tok_end - sym));
    memset(&fr, 0, sizeof fr);
    fr.line = line;
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

int lht_parse_stack(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct st st;

    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.pid = ctx->pid;
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        const char *s = ln.s;
        size_t l = ln.len, end;
        long pid;
        int r;

        /* "grep . /proc/N/stack" prefixes every frame with its path */
        if ((pid = proc_path_pid(s, l, &end)) >= 0 && end < l && s[end] == ':') {
            if (pid != st.pid || !st.open) {
                st.pid = pid;
                st.open = 0;
            }
            s += end + 1;
            l -= end + 1;
        } else if ((pid = header_pid(s, l)) >= 0) {
            st.pid = pid;
            st.open = 0;
            continue;
        }
        r = frame(&st, s, l, ln.no);
        if (r == LHT_ENOMEM)
            return LHT_ENOMEM;
        if (r == 2) {           /* terminator: the stack is complete */
            st.open = 0;
            continue;
        }
        if (r == 0 && lht_rtrim(s, l) == 0)
            st.open = 0;         /* blank line between stacks */
    }
    return st.added;
}
