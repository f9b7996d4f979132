/*
 * top.c - `top -b` output into process rows.
 *
 * procps top (top/top.c, field names in top/top_nls.c) prints in batch
 * mode a summary block, a blank line, a header and one row per task:
 *
 *   top - 16:39:44 up 103 days, 20:03,  2 users,  load average: 331.38, ...
 *   Tasks: 221 total,   1 running, 220 sleeping,   0 stopped,   0 zombie
 *   %Cpu(s):  0.6 us,  0.4 sy,  0.0 ni, 95.7 id,  3.3 wa, ...
 *   KiB Mem : 65975208 total,   509720 free, ...        ("MiB Mem :" in 4.x)
 *   KiB Swap: 16777212 total, 16654076 free, ...
 *
 *     PID USER      PR  NI    VIRT    RES    SHR S  %CPU %MEM     TIME+ COMMAND
 *   19263 root      20   0       0      0      0 D   0.0  0.0   0:00.00 172.16.89.197-m
 *
 * The header names the columns (the field manager reorders and adds
 * them; their names are fixed), COMMAND last taking the rest of the line.
 * Rows pasted without it (`top -b -n1 | awk '$8 == "D"'`) are read in the
 * default order, but only when the text is top's: the command said so or
 * the summary block was seen. COMMAND is the task's name cut to the
 * screen (its command line with -c); with -H (header "Threads:") PID is a
 * thread id, stored as printed.
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <string.h>

enum tcol { T_SKIP, T_PID, T_PPID, T_USER, T_STATE, T_WCHAN, T_CMD };

static const struct {
    const char *name;
    enum tcol col;
} names[] = {
    {"PID", T_PID}, {"PPID", T_PPID}, {"USER", T_USER}, {"RUSER", T_USER}, {"UID", T_USER},
    {"S", T_STATE}, {"WCHAN", T_WCHAN}, {"COMMAND", T_CMD},
};

#define MAXC 40

struct hdr {
    enum tcol col[MAXC];
    int n;
};

/* Upper-case field names with PID, S and COMMAND (last) among them;
 * *out is written only for a header, so a row never clobbers one. */
static int header(const char *s, size_t len, struct hdr *out)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl, i, k;
    int pid = 0, st = 0;
    struct hdr tmp, *h = &tmp;

    h->n = 0;
    while (lht_tok(&p, e, &tok, &tl)) {
        enum tcol c = T_SKIP;
        if (h->n == MAXC)
            return 0;
        for (k = 0; k < tl; k++)
            if (!((tok[k] >= 'A' && tok[k] <= 'Z') || strchr("%+-_0123456789", tok[k]) != NULL))
                return 0;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == tl && memcmp(names[i].name, tok, tl) == 0)
                c = names[i].col;
        pid |= c == T_PID;
        st |= c == T_STATE;
        h->col[h->n++] = c;
    }
    if (!(pid && st && h->n >= 3 && h->col[h->n - 1] == T_CMD))
        return 0;
    *out = tmp;
    return 1;
}

static int is_int(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return len > 0;
}

/* The task states top prints (one letter). */
static int is_state(const char *s, size_t len)
{
    return len == 1 && strchr("DRSTtZIX", s[0]) != NULL;
}

/* Default fields: PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND. */
static const struct hdr default_hdr = {
    {T_PID, T_USER, T_SKIP, T_SKIP, T_SKIP, T_SKIP, T_SKIP, T_STATE, T_SKIP, T_SKIP, T_SKIP, T_CMD}, 12};

/* One row under h: 1 added, 0 not a row, LHT_ENOMEM. */
static int row(const struct lht_pctx *ctx, const struct hdr *h, const char *s, size_t len, long no)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    struct lht_process pr;
    struct lht_facts *f = ctx->facts;
    int c;
    long v;

    memset(&pr, 0, sizeof pr);
    pr.pid = pr.ppid = pr.tid = -1;
    for (c = 0; c < h->n; c++) {
        if (!lht_tok(&p, e, &tok, &tl))
            return 0;
        switch (h->col[c]) {
        case T_PID:
        case T_PPID:
            if (!is_int(tok, tl) || lht_parse_long(tok, tl, &v) != 0)
                return 0;
            *(h->col[c] == T_PID ? &pr.pid : &pr.ppid) = v;
            break;
        case T_USER:
            if ((pr.user = lht_facts_str(f, tok, tl)) == NULL)
                return LHT_ENOMEM;
            break;
        case T_STATE:
            if (!is_state(tok, tl))
                return 0;
            if ((pr.stat = lht_facts_str(f, tok, tl)) == NULL)
                return LHT_ENOMEM;
            break;
        case T_WCHAN:
            if (!(tl == 1 && tok[0] == '-') && (pr.wchan = lht_facts_str(f, tok, tl)) == NULL)
                return LHT_ENOMEM;
            break;
        case T_CMD:
            if (c == h->n - 1 && (pr.command = lht_facts_str(f, tok, lht_rtrim(tok, (size_t)(e - tok)))) == NULL)
                return LHT_ENOMEM;
            break;
        case T_SKIP:
            break;
        }
    }
    if (pr.pid < 0 || pr.stat == NULL)
        return 0;
    pr.at = lht_pctx_at(ctx, no);
    return lht_facts_add_process(f, &pr) == LHT_OK ? 1 : LHT_ENOMEM;
}

int lht_parse_top(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct hdr h;
    int have = 0, added = 0, r;
    /* rows without a header only where the text is known to be top's */
    int ours = ctx->command != NULL && lht_find(ctx->command, strlen(ctx->command), "top") != NULL;

    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s = lht_ltrim(ln.s, &l);
        if (l == 0 || l > 65536)
            continue;
        if (lht_starts(s, l, "top - ")) {
            ours = 1;
            continue;
        }
        if (header(s, l, &h)) {
            have = 1;
            continue;
        }
        if (!have && !ours)
            continue;
        if ((r = row(ctx, have ? &h : &default_hdr, s, l, ln.no)) < 0)
            return r;
        added += r;
    }
    return added;
}
