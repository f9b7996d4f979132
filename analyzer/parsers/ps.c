/*
 * ps.c - ps output into process rows.
 *
 * Header-driven: a header line ("USER PID %CPU ... COMMAND", "UID PID PPID
 * C STIME TTY TIME CMD", "F S UID PID ... WCHAN ... CMD", "PID TID STAT
 * WCHAN COMMAND", busybox "PID USER TIME COMMAND") names the columns from
 * the table below; the last column (COMMAND/CMD/ARGS) takes the rest of
 * the line, spaces included. Without a header (rows pasted after
 * `ps aux | grep x`), the columns come from the ps command's own -o list
 * when the transcript shows it, else from the shape of each row: the
 * `aux` shape (user pid %cpu %mem vsz rss tty stat start time cmd) or the
 * `-ef` shape (uid pid ppid c stime tty time cmd). Anything else is not a
 * ps row and is skipped.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum col {
    C_OTHER, C_USER, C_PID, C_PPID, C_TID, C_STAT, C_WCHAN, C_CMD, C_COMM, C_LSTART
};

/* Known headers (as printed) and -o keywords (lower case) in one table. */
static const struct {
    const char *name;
    enum col col;
} colnames[] = {
    {"USER", C_USER}, {"UID", C_USER}, {"RUSER", C_USER}, {"EUSER", C_USER}, {"UNAME", C_USER},
    {"PID", C_PID}, {"TGID", C_PID}, {"PPID", C_PPID}, {"LWP", C_TID}, {"SPID", C_TID},
    {"TID", C_TID}, {"STAT", C_STAT}, {"S", C_STAT}, {"STATE", C_STAT}, {"WCHAN", C_WCHAN},
    {"COMMAND", C_CMD}, {"CMD", C_CMD}, {"ARGS", C_CMD}, {"COMM", C_COMM}, {"UCOMM", C_COMM},
    {"LSTART", C_LSTART}, {"STARTED", C_LSTART},
    {"%CPU", C_OTHER}, {"%MEM", C_OTHER}, {"VSZ", C_OTHER}, {"VSIZE", C_OTHER}, {"RSS", C_OTHER},
    {"RSZ", C_OTHER}, {"TTY", C_OTHER}, {"TT", C_OTHER}, {"START", C_OTHER}, {"STIME", C_OTHER},
    {"TIME", C_OTHER}, {"C", C_OTHER}, {"PRI", C_OTHER}, {"NI", C_OTHER}, {"ADDR", C_OTHER},
    {"SZ", C_OTHER}, {"F", C_OTHER}, {"PSR", C_OTHER}, {"ELAPSED", C_OTHER}, {"NLWP", C_OTHER},
    {"CLS", C_OTHER}, {"RTPRIO", C_OTHER}, {"PGID", C_OTHER}, {"SID", C_OTHER}, {"SESS", C_OTHER},
    {"TPGID", C_OTHER}, {"CP", C_OTHER}, {"ETIME", C_OTHER}, {"ETIMES", C_OTHER},
    {"GID", C_OTHER}, {"GROUP", C_OTHER}, {"POL", C_OTHER}, {"CGROUP", C_OTHER},
    {"PCPU", C_OTHER}, {"PMEM", C_OTHER}, {"VSZ", C_OTHER}, {"MAJFL", C_OTHER}, {"MINFL", C_OTHER},
    {"LABEL", C_OTHER}, {"PCPU", C_OTHER}, {"%CPU", C_OTHER}, {"WCHAN", C_WCHAN},
    {"NWCHAN", C_OTHER}, {"BLOCKED", C_OTHER}, {"PENDING", C_OTHER},
};

#define MAXCOLS 32

struct layout {
    enum col col[MAXCOLS];
    int n;
};

static int lookup_col(const char *s, size_t len, enum col *out)
{
    size_t i;

    for (i = 0; i < sizeof colnames / sizeof colnames[0]; i++)
        if (strlen(colnames[i].name) == len && strncasecmp(colnames[i].name, s, len) == 0) {
            *out = colnames[i].col;
            return 1;
        }
    return 0;
}

/* A header line: every token a known column, PID among them. lay is
 * written only on success, so a data row never clobbers the header. */
static int parse_header(const char *s, size_t len, struct layout *out)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    int has_pid = 0, upper = 0;
    struct layout tmp, *lay = &tmp;

    lay->n = 0;
    while (lht_tok(&p, e, &tok, &tl)) {
        enum col c;
        size_t k;
        if (lay->n >= MAXCOLS || !lookup_col(tok, tl, &c))
            return 0;
        for (k = 0; k < tl; k++)
            upper += isupper((unsigned char)tok[k]) != 0;
        lay->col[lay->n++] = c;
        has_pid |= c == C_PID;
    }
    /* headers are upper case: a row "root 1 ..." never looks like one */
    if (!(has_pid && lay->n >= 2 && upper > 0))
        return 0;
    *out = tmp;
    return 1;
}

/* Columns from the ps command line's -o/-eo/o/--format list. */
static int layout_from_command(const char *cmd, struct layout *lay)
{
    const char *p, *end;
    char list[512];
    size_t n = 0;

    lay->n = 0;
    if (cmd == NULL)
        return 0;
    end = strchr(cmd, '|');
    if (end == NULL)
        end = cmd + strlen(cmd);
    for (p = cmd; p < end; p++) {
        const char *q;
        if (*p != ' ' && p != cmd)
            continue;
        q = p == cmd ? p : p + 1;
        while (q < end && *q == ' ')
            q++;
        /* -o LIST, -eo LIST, -eLo LIST, axo LIST, o LIST, --format LIST, -o=LIST */
        {
            const char *w = q;
            while (q < end && *q != ' ' && *q != '=')
                q++;
            if (q - w < 1)
                continue;
            if (!((w[0] == '-' && q[-1] == 'o') || strncmp(w, "--format", 8) == 0 ||
                  (w[0] != '-' && q[-1] == 'o' && strspn(w, "auxefLwo") == (size_t)(q - w))))
                continue;
            while (q < end && (*q == ' ' || *q == '='))
                q++;
            n = 0;
            while (q < end && *q != ' ' && n + 1 < sizeof list)
                list[n++] = *q++;
            list[n] = '\0';
            break;
        }
    }
    if (n == 0)
        return 0;
    {
        char *tok = list, *next;
        for (; tok && *tok && lay->n < MAXCOLS; tok = next) {
            char *c = strchr(tok, ','), *colon, *eq;
            enum col col = C_OTHER;
            next = c ? c + 1 : NULL;
            if (c)
                *c = '\0';
            if ((colon = strchr(tok, ':')) != NULL)
                *colon = '\0';
            if ((eq = strchr(tok, '=')) != NULL)
                *eq = '\0';
            if (!lookup_col(tok, strlen(tok), &col))
                col = C_OTHER;
            lay->col[lay->n++] = col;
        }
    }
    return lay->n > 0;
}

static int is_int(const char *s, size_t len)
{
    size_t i;
    if (len == 0)
        return 0;
    for (i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int is_num(const char *s, size_t len)
{
    size_t i, dots = 0;
    if (len == 0)
        return 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '.')
            dots++;
        else if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return dots <= 1;
}

/* D, Ds+, D<, Sl, R+, I<, Z, T, t, W, X, DN ... */
static int is_stat(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || len > 8 || strchr("DRSTtZXIWKP", s[0]) == NULL)
        return 0;
    for (i = 1; i < len; i++)
        if (strchr("<NLsl+", s[i]) == NULL)
            return 0;
    return 1;
}

static int is_time(const char *s, size_t len)
{
    size_t i;
    int colon = 0;
    if (len == 0)
        return 0;
    for (i = 0; i < len; i++) {
        if (s[i] == ':')
            colon++;
        else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-' && s[i] != '.')
            return 0;
    }
    return colon >= 1;
}

static const struct layout aux_shape = {
    {C_USER, C_PID, C_OTHER, C_OTHER, C_OTHER, C_OTHER, C_OTHER, C_STAT, C_OTHER, C_OTHER, C_CMD}, 11};
static const struct layout ef_shape = {
    {C_USER, C_PID, C_PPID, C_OTHER, C_OTHER, C_OTHER, C_OTHER, C_CMD}, 8};

#define MAXTOK 40

struct toks {
    const char *s[MAXTOK];
    size_t l[MAXTOK];
    int n;
    const char *rest[MAXTOK];  /* line from token i to the end */
};

static void tokenize(const char *s, size_t len, struct toks *t)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;

    t->n = 0;
    while (t->n < MAXTOK && lht_tok(&p, e, &tok, &tl)) {
        t->s[t->n] = tok;
        t->l[t->n] = tl;
        t->rest[t->n] = tok;
        t->n++;
    }
}

/* Which shape a header-less row has, or NULL. */
static const struct layout *guess_shape(const struct toks *t)
{
    if (t->n >= 11 && is_int(t->s[1], t->l[1]) && is_num(t->s[2], t->l[2]) &&
        is_num(t->s[3], t->l[3]) && is_int(t->s[4], t->l[4]) && is_int(t->s[5], t->l[5]) &&
        is_stat(t->s[7], t->l[7]))
        return &aux_shape;
    if (t->n >= 8 && is_int(t->s[1], t->l[1]) && is_int(t->s[2], t->l[2]) &&
        is_int(t->s[3], t->l[3]) && is_time(t->s[6], t->l[6]))
        return &ef_shape;
    return NULL;
}

/* Emit a row laid out by lay; returns 1 added, 0 not a row, LHT_ENOMEM. */
static int emit(const struct lht_pctx *ctx, const struct layout *lay, const struct toks *t,
                const char *line_end, long no)
{
    struct lht_process p;
    struct lht_facts *f = ctx->facts;
    int c, k = 0;
    long v;
    const char *cmd = NULL;
    size_t cmdlen = 0;

    memset(&p, 0, sizeof p);
    p.pid = -1;
    p.ppid = -1;
    p.tid = -1;
    for (c = 0; c < lay->n; c++) {
        int last = c == lay->n - 1;
        if (k >= t->n)
            break;
        switch (lay->col[c]) {
        case C_CMD:
        case C_COMM:
            if (last) {
                cmd = t->rest[k];
                cmdlen = lht_rtrim(cmd, (size_t)(line_end - cmd));
                k = t->n;
            } else {
                if (lay->col[c] == C_COMM || cmd == NULL) {
                    cmd = t->s[k];
                    cmdlen = t->l[k];
                }
                k++;
            }
            break;
        case C_LSTART:
            k += 5;   /* "Tue Sep 24 06:58:00 2025" */
            break;
        case C_PID:
            if (lht_parse_long(t->s[k], t->l[k], &v) != 0)
                return 0;
            p.pid = v;
            k++;
            break;
        case C_PPID:
            if (lht_parse_long(t->s[k], t->l[k], &v) == 0)
                p.ppid = v;
            k++;
            break;
        case C_TID:
            if (lht_parse_long(t->s[k], t->l[k], &v) == 0)
                p.tid = v;
            k++;
            break;
        case C_STAT:
            if (!is_stat(t->s[k], t->l[k]))
                return 0;
            p.stat = lht_facts_str(f, t->s[k], t->l[k]);
            if (p.stat == NULL)
                return LHT_ENOMEM;
            k++;
            break;
        case C_USER:
            p.user = lht_facts_str(f, t->s[k], t->l[k]);
            if (p.user == NULL)
                return LHT_ENOMEM;
            k++;
            break;
        case C_WCHAN:
            if (!(t->l[k] == 1 && t->s[k][0] == '-')) {
                p.wchan = lht_facts_str(f, t->s[k], t->l[k]);
                if (p.wchan == NULL)
                    return LHT_ENOMEM;
            }
            k++;
            break;
        default:
            k++;
            break;
        }
    }
    if (p.pid < 0 || c < lay->n - 1)
        return 0;
    if (cmd) {
        p.command = lht_facts_str(f, cmd, cmdlen);
        if (p.command == NULL)
            return LHT_ENOMEM;
    }
    p.at = lht_pctx_at(ctx, no);
    return lht_facts_add_process(f, &p) == LHT_OK ? 1 : LHT_ENOMEM;
}

int lht_parse_ps(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct layout hdr, fromcmd;
    int have_hdr = 0, have_cmd, added = 0;
    struct toks t;

    have_cmd = layout_from_command(ctx->command, &fromcmd);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        const struct layout *lay;
        int r;
        if (ln.len == 0 || ln.len > 65536)
            continue;
        if (parse_header(ln.s, ln.len, &hdr)) {
            have_hdr = 1;
            continue;
        }
        tokenize(ln.s, ln.len, &t);
        if (t.n < 2)
            continue;
        lay = have_hdr ? &hdr : have_cmd ? &fromcmd : guess_shape(&t);
        if (lay == NULL)
            continue;
        r = emit(ctx, lay, &t, ln.s + ln.len, ln.no);
        if (r == 0 && lay != &aux_shape && lay != &ef_shape) {
            /* a row of another shape after a header (e.g. a second ps) */
            const struct layout *g = guess_shape(&t);
            if (g)
                r = emit(ctx, g, &t, ln.s + ln.len, ln.no);
        }
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}
