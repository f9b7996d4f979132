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
 *
 * Thread listings. `ps m` / `-m` (sos runs `ps auxwwwm`) print each
 * process line with STAT "-" and follow it with one line per thread that
 * has "-" in PID and COMMAND and the thread's real state (procps
 * src/ps/output.c; real sample: PS_AUXWWWM_LINES in
 * https://github.com/RedHatInsights/insights-core/blob/master/insights/tests/combiners/test_ps.py):
 *     root      123315  0.0  0.0   1604   896 ?        -    06:41   0:00 /bin/sh -c ...
 *     root           -  0.0    -      -     - -        Ds   06:41   0:00 -
 * A thread line's state belongs to its process: each becomes a row of the
 * process (pid, user and command from the process line, STAT and WCHAN
 * from the thread, TID when the listing has one), so a process with one
 * thread in D is a process in D. Without TIDs, threads in the same state
 * make one row. `ps -eLf`, `-elfL`, `-eLo` repeat PID on every thread
 * line and name the thread in LWP/TID/SPID, so their rows need no pairing.
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

static int is_dash(const struct toks *t, int i)
{
    return i < t->n && t->l[i] == 1 && t->s[i][0] == '-';
}

/* Which shape a header-less row has, or NULL. A `ps auxm` process line
 * has "-" for STAT, its thread lines "-" for PID, %MEM, VSZ, RSS, TTY
 * and COMMAND. */
static const struct layout *guess_shape(const struct toks *t)
{
    if (t->n >= 11 && is_int(t->s[1], t->l[1]) && is_num(t->s[2], t->l[2]) &&
        is_num(t->s[3], t->l[3]) && is_int(t->s[4], t->l[4]) && is_int(t->s[5], t->l[5]) &&
        (is_stat(t->s[7], t->l[7]) || is_dash(t, 7)))
        return &aux_shape;
    if (t->n == 11 && is_dash(t, 1) && is_num(t->s[2], t->l[2]) && is_dash(t, 3) && is_dash(t, 4) &&
        is_dash(t, 5) && is_dash(t, 6) && is_stat(t->s[7], t->l[7]) && is_dash(t, 10))
        return &aux_shape;
    if (t->n >= 8 && is_int(t->s[1], t->l[1]) && is_int(t->s[2], t->l[2]) &&
        is_int(t->s[3], t->l[3]) && is_time(t->s[6], t->l[6]))
        return &ef_shape;
    return NULL;
}

/* What a row is: a process, or in a `ps m` listing a process line (state
 * on its thread lines) or a thread line (pid on its process line). */
enum row_kind { ROW_PROC, ROW_MPROC, ROW_MTHREAD };

/* Store a token in the arena; LHT_ENOMEM when that fails. */
static int keep(struct lht_facts *f, const struct toks *t, int k, const char **out)
{
    *out = lht_facts_str(f, t->s[k], t->l[k]);
    return *out ? LHT_OK : LHT_ENOMEM;
}

/* One column c of lay at token *k into p. Returns 1 taken, 0 not a row,
 * LHT_ENOMEM. */
static int fill_col(struct lht_facts *f, const struct layout *lay, int c, const struct toks *t, int *k,
                    const char *line_end, struct lht_process *p, enum row_kind *row, const char **cmd,
                    size_t *cmdlen)
{
    long v;

    switch (lay->col[c]) {
    case C_CMD:
    case C_COMM:
        if (c == lay->n - 1) {
            *cmd = t->rest[*k];
            *cmdlen = lht_rtrim(*cmd, (size_t)(line_end - *cmd));
            *k = t->n;
            return 1;
        }
        if (lay->col[c] == C_COMM || *cmd == NULL) {
            *cmd = t->s[*k];
            *cmdlen = t->l[*k];
        }
        break;
    case C_LSTART:
        *k += 4;   /* "Tue Sep 24 06:58:00 2025": five tokens */
        break;
    case C_PID:
        if (is_dash(t, *k))
            *row = ROW_MTHREAD;
        else if (lht_parse_long(t->s[*k], t->l[*k], &v) != 0)
            return 0;
        else
            p->pid = v;
        break;
    case C_PPID:
        if (lht_parse_long(t->s[*k], t->l[*k], &v) == 0)
            p->ppid = v;
        break;
    case C_TID:
        if (lht_parse_long(t->s[*k], t->l[*k], &v) == 0)
            p->tid = v;
        break;
    case C_STAT:
        if (is_dash(t, *k))
            *row = *row == ROW_MTHREAD ? ROW_PROC : ROW_MPROC;   /* both "-": no row */
        else if (!is_stat(t->s[*k], t->l[*k]))
            return 0;
        else if (keep(f, t, *k, &p->stat) != LHT_OK)
            return LHT_ENOMEM;
        break;
    case C_USER:
        if (keep(f, t, *k, &p->user) != LHT_OK)
            return LHT_ENOMEM;
        break;
    case C_WCHAN:
        if (!is_dash(t, *k) && keep(f, t, *k, &p->wchan) != LHT_OK)
            return LHT_ENOMEM;
        break;
    default:
        break;
    }
    (*k)++;
    return 1;
}

/* Read a row laid out by lay into p; returns 1 read, 0 not a row,
 * LHT_ENOMEM. */
static int fill(const struct lht_pctx *ctx, const struct layout *lay, const struct toks *t,
                const char *line_end, long no, struct lht_process *p, enum row_kind *row)
{
    int c, k = 0, r;
    const char *cmd = NULL;
    size_t cmdlen = 0;

    memset(p, 0, sizeof *p);
    p->pid = p->ppid = p->tid = -1;
    *row = ROW_PROC;
    for (c = 0; c < lay->n && k < t->n; c++)
        if ((r = fill_col(ctx->facts, lay, c, t, &k, line_end, p, row, &cmd, &cmdlen)) <= 0)
            return r;
    if (c < lay->n - 1)
        return 0;
    if (*row == ROW_MTHREAD ? p->stat == NULL : p->pid < 0)
        return 0;
    if (cmd && *row != ROW_MTHREAD && (p->command = lht_facts_str(ctx->facts, cmd, cmdlen)) == NULL)
        return LHT_ENOMEM;
    p->at = lht_pctx_at(ctx, no);
    return 1;
}

/* The `ps m` process line whose thread lines are being read. */
#define MAX_STATES 8

struct mproc {
    int have;
    int threads;                  /* thread lines seen */
    struct lht_process p;
    struct lht_process made[MAX_STATES];   /* rows made of its threads, for folding */
    int nstates;
};

static int same_state(const struct lht_process *a, const struct lht_process *b)
{
    return strcmp(a->stat, b->stat) == 0 &&
           (a->wchan == NULL ? b->wchan == NULL : b->wchan != NULL && strcmp(a->wchan, b->wchan) == 0);
}

/* A thread line: a row of its process in the thread's state; 1 added, 0
 * folded into a row made already (or no process line before it). */
static int add_thread(struct lht_facts *f, struct mproc *m, const struct lht_process *th)
{
    struct lht_process r;
    int i;

    if (!m->have)
        return 0;
    m->threads++;
    r = m->p;
    r.at = th->at;
    r.stat = th->stat;
    r.tid = th->tid;
    if (th->wchan)
        r.wchan = th->wchan;
    if (r.tid < 0) {
        for (i = 0; i < m->nstates; i++)
            if (same_state(&m->made[i], &r))
                return 0;
        if (m->nstates < MAX_STATES)
            m->made[m->nstates++] = r;
    }
    return lht_facts_add_process(f, &r) == LHT_OK ? 1 : LHT_ENOMEM;
}

/* The process line waiting for threads is done: a process whose thread
 * lines were cut off is still a process, state unknown. */
static int end_mproc(struct lht_facts *f, struct mproc *m)
{
    int r = 0;

    if (m->have && m->threads == 0)
        r = lht_facts_add_process(f, &m->p) == LHT_OK ? 1 : LHT_ENOMEM;
    m->have = 0;
    m->threads = 0;
    m->nstates = 0;
    return r;
}

/* One line read as lay says: 1 it was a row (*added records made), 0
 * not a row, < 0 error. */
static int read_row(const struct lht_pctx *ctx, const struct layout *lay, const struct toks *t,
                    const struct lht_line *ln, struct mproc *m, int *added)
{
    struct lht_process p;
    enum row_kind kind;
    int r = fill(ctx, lay, t, ln->s + ln->len, ln->no, &p, &kind);

    *added = 0;
    if (r <= 0)
        return r;
    if (kind == ROW_MTHREAD)
        r = add_thread(ctx->facts, m, &p);
    else if ((r = end_mproc(ctx->facts, m)) >= 0 && kind == ROW_MPROC) {
        m->have = 1;
        m->p = p;
    } else if (r >= 0) {
        if (lht_facts_add_process(ctx->facts, &p) != LHT_OK)
            return LHT_ENOMEM;
        r++;
    }
    if (r < 0)
        return r;
    *added = r;
    return 1;
}

int lht_parse_ps(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct layout hdr, fromcmd;
    int have_hdr = 0, have_cmd, added = 0, r, n;
    struct toks t;
    struct mproc m;

    memset(&m, 0, sizeof m);
    have_cmd = layout_from_command(ctx->command, &fromcmd);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        const struct layout *lay;
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
        r = read_row(ctx, lay, &t, &ln, &m, &n);
        if (r == 0 && lay != &aux_shape && lay != &ef_shape) {
            /* a row of another shape after a header (e.g. a second ps) */
            const struct layout *g = guess_shape(&t);
            if (g)
                r = read_row(ctx, g, &t, &ln, &m, &n);
        }
        if (r < 0)
            return r;
        added += n;
    }
    if ((r = end_mproc(ctx->facts, &m)) < 0)
        return r;
    return added + r;
}
