/*
 * ps.c - ps output into process rows.
 *
 * Header-driven: a header line ("USER PID %CPU ... COMMAND", "UID PID PPID
 * C STIME TTY TIME CMD", "F S UID PID ... WCHAN ... CMD", "PID TID STAT
 * WCHAN COMMAND", busybox "PID USER TIME COMMAND") names the columns from
 * the table below; the last column (COMMAND/CMD/ARGS) takes the rest of
 * the line, spaces included. Without a header (rows pasted after
 * `ps aux | grep x`, `-o ...=`, awk filters), or for a row that does not
 * fit the header it follows (a header pasted from another listing), the
 * columns come from the ps command's own -o list when the transcript
 * shows it, else from the row itself: first the output formats procps
 * and busybox print (ps/display.c and ps/output.c of procps, procps/ps.c
 * of busybox), each column checked by type (a pid is a number, STAT a
 * state letter with its modifiers, TIME has a colon ...), then, for a
 * custom -o list, the shape "[user] pid [ppid] state [wchan] command" or
 * "state pid command". Anything else is not a ps row and is skipped.
 *
 * An HTML archive may run a whole listing into one line;
 * lht_ps_collapsed_cuts() finds where its rows begin again (normalise.c
 * cuts them apart).
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
#include <pthread.h>
#include <string.h>
#include <strings.h>

enum col {
    C_OTHER, C_USER, C_PID, C_PPID, C_TID, C_STAT, C_WCHAN, C_CMD, C_COMM, C_LSTART
};

/* What a column's values look like, to tell a row's format by its shape. */
enum ty {
    T_ANY, T_INT, T_NUM, T_SIZE, T_NICE, T_ADDR, T_STAT, T_USER, T_TTY, T_TIME, T_START, T_WCHAN
};

/* Known headers (as printed) and -o keywords (lower case) in one table. */
static const struct {
    const char *name;
    enum col col;
    enum ty ty;
} colnames[] = {
    {"USER", C_USER, T_USER}, {"UID", C_USER, T_USER}, {"RUSER", C_USER, T_USER},
    {"EUSER", C_USER, T_USER}, {"UNAME", C_USER, T_USER}, {"PID", C_PID, T_INT},
    {"TGID", C_PID, T_INT}, {"PPID", C_PPID, T_INT}, {"LWP", C_TID, T_INT}, {"SPID", C_TID, T_INT},
    {"TID", C_TID, T_INT}, {"STAT", C_STAT, T_STAT}, {"S", C_STAT, T_STAT}, {"STATE", C_STAT, T_STAT},
    {"WCHAN", C_WCHAN, T_WCHAN}, {"COMMAND", C_CMD, T_ANY}, {"CMD", C_CMD, T_ANY},
    {"ARGS", C_CMD, T_ANY}, {"COMM", C_COMM, T_ANY}, {"UCOMM", C_COMM, T_ANY},
    {"LSTART", C_LSTART, T_ANY}, {"STARTED", C_LSTART, T_ANY},
    {"%CPU", C_OTHER, T_NUM}, {"%MEM", C_OTHER, T_NUM}, {"VSZ", C_OTHER, T_SIZE},
    {"VSIZE", C_OTHER, T_SIZE}, {"RSS", C_OTHER, T_SIZE}, {"RSZ", C_OTHER, T_SIZE},
    {"TTY", C_OTHER, T_TTY}, {"TT", C_OTHER, T_TTY}, {"START", C_OTHER, T_START},
    {"STIME", C_OTHER, T_START}, {"TIME", C_OTHER, T_TIME}, {"C", C_OTHER, T_INT},
    {"PRI", C_OTHER, T_NICE}, {"NI", C_OTHER, T_NICE}, {"ADDR", C_OTHER, T_ADDR},
    {"SZ", C_OTHER, T_SIZE}, {"F", C_OTHER, T_INT}, {"PSR", C_OTHER, T_INT},
    {"ELAPSED", C_OTHER, T_TIME}, {"NLWP", C_OTHER, T_INT}, {"CLS", C_OTHER, T_ANY},
    {"RTPRIO", C_OTHER, T_ANY}, {"PGID", C_OTHER, T_INT}, {"SID", C_OTHER, T_INT},
    {"SESS", C_OTHER, T_INT}, {"TPGID", C_OTHER, T_NICE}, {"CP", C_OTHER, T_ANY},
    {"ETIME", C_OTHER, T_TIME}, {"ETIMES", C_OTHER, T_INT}, {"GID", C_OTHER, T_USER},
    {"GROUP", C_OTHER, T_USER}, {"POL", C_OTHER, T_ANY}, {"CGROUP", C_OTHER, T_ANY},
    {"PCPU", C_OTHER, T_NUM}, {"PMEM", C_OTHER, T_NUM}, {"MAJFL", C_OTHER, T_INT},
    {"MINFL", C_OTHER, T_INT}, {"LABEL", C_OTHER, T_ANY}, {"NWCHAN", C_OTHER, T_ANY},
    {"BLOCKED", C_OTHER, T_ANY}, {"PENDING", C_OTHER, T_ANY}, {"IGNORED", C_OTHER, T_ANY},
    {"CAUGHT", C_OTHER, T_ANY}, {"FLAGS", C_OTHER, T_ANY}, {"NICE", C_OTHER, T_NICE},
};

/* The formats ps prints without -o, most columns first (procps
 * ps/display.c and the format macros of ps/output.c; busybox procps/ps.c):
 * a header-less row, or one that misfits its header, is read as the first
 * whose every column has the right type. */
static const char *const formats[] = {
    "F S UID PID PPID C PRI NI ADDR SZ WCHAN STIME TTY TIME CMD",   /* -elf */
    "S UID PID PPID C PRI NI RSS SZ WCHAN STIME TTY TIME CMD",      /* -elfy */
    "F S UID PID PPID C PRI NI ADDR SZ WCHAN TTY TIME CMD",         /* -el */
    "S UID PID PPID C PRI NI RSS SZ WCHAN TTY TIME CMD",            /* -ely */
    "F UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND",    /* l, alx */
    "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND",       /* u, aux */
    "PPID PID PGID SID TTY TPGID STAT UID TIME COMMAND",            /* j, axj */
    "UID PID PPID LWP C NLWP STIME TTY TIME CMD",                   /* -eLf */
    "UID PID PPID C STIME TTY TIME CMD",                            /* -f, -ef */
    "S UID PID PPID VSZ RSS TTY STIME TIME CMD",                    /* busybox -l */
    "PID TTY STAT TIME COMMAND",                                    /* x, ax */
    "PID USER VSZ STAT COMMAND",                                    /* busybox */
};

#define MAXCOLS 32

struct layout {
    enum col col[MAXCOLS];
    enum ty ty[MAXCOLS];
    int n;
};

static int lookup_col(const char *s, size_t len, enum col *out, enum ty *ty)
{
    size_t i;

    for (i = 0; i < sizeof colnames / sizeof colnames[0]; i++)
        if (strlen(colnames[i].name) == len && strncasecmp(colnames[i].name, s, len) == 0) {
            *out = colnames[i].col;
            if (ty)
                *ty = colnames[i].ty;
            return 1;
        }
    return 0;
}

/* A column name this table does not know, spelled as ps spells names
 * (procps grows new ones: CGNAME, SEAT, PIDNS ...). */
static int column_like(const char *s, size_t len)
{
    size_t k, letters = 0;

    if (len < 2 || len > 16)
        return 0;
    for (k = 0; k < len; k++) {
        if (s[k] >= 'A' && s[k] <= 'Z')
            letters++;
        else if (!((s[k] >= '0' && s[k] <= '9') || s[k] == '_' || s[k] == '%'))
            return 0;
    }
    return letters >= 2;
}

/* A header line: every token a known column (one unknown but upper-case
 * one allowed among three known), PID among them. lay is written only on
 * success, so a data row never clobbers the header. */
static int parse_header(const char *s, size_t len, struct layout *out)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    int has_pid = 0, upper = 0, unknown = 0;
    struct layout tmp, *lay = &tmp;

    lay->n = 0;
    while (lht_tok(&p, e, &tok, &tl)) {
        enum col c = C_OTHER;
        size_t k;
        enum ty ty = T_ANY;
        if (lay->n >= MAXCOLS)
            return 0;
        if (!lookup_col(tok, tl, &c, &ty) && (unknown++ > 0 || !column_like(tok, tl)))
            return 0;
        for (k = 0; k < tl; k++)
            upper += isupper((unsigned char)tok[k]) != 0;
        lay->ty[lay->n] = ty;
        lay->col[lay->n++] = c;
        has_pid |= c == C_PID;
    }
    /* headers are upper case: a row "root 1 ..." never looks like one */
    if (!(has_pid && lay->n >= 2 + 2 * unknown && upper > 0))
        return 0;
    *out = tmp;
    return 1;
}

/* The -o/-eo/o/--format list of a ps command line into list (NUL-
 * terminated); 0 when it has none. Accepts "-o LIST", "-o=LIST",
 * "-eo LIST", "-eoLIST" (the list glued to the option), "axo LIST",
 * "o LIST", "--format LIST" and "--format=LIST". */
static size_t o_list(const char *cmd, char *list, size_t size)
{
    const char *end = strchr(cmd, '|'), *p = cmd;
    size_t n = 0;

    if (end == NULL)
        end = cmd + strlen(cmd);
    while (p < end) {
        const char *w, *q, *o = NULL;
        while (p < end && (*p == ' ' || *p == '='))
            p++;
        for (w = q = p; q < end && *q != ' ' && *q != '='; q++)
            ;
        p = q;
        if (q == w)
            continue;
        if (w[0] == '-' && w[1] != '-') {
            /* an option cluster: the list follows the first 'o' */
            const char *k;
            for (k = w + 1; k < q && o == NULL; k++)
                if (*k == 'o')
                    o = k + 1;
                else if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')))
                    break;
        } else if ((size_t)(q - w) == 8 && strncmp(w, "--format", 8) == 0) {
            o = q;
        } else if (w[0] != '-' && q[-1] == 'o' && strspn(w, "auxefLwo") == (size_t)(q - w)) {
            o = q;
        }
        if (o == NULL)
            continue;
        /* "-o LIST", "-o=LIST": the next word; "-eoLIST": glued */
        if (o == q)
            while (o < end && (*o == ' ' || *o == '='))
                o++;
        for (n = 0; o < end && *o != ' ' && n + 1 < size; o++)
            list[n++] = *o;
        list[n] = '\0';
        return n;
    }
    return 0;
}

/* Columns from the ps command line's -o list (see o_list). */
static int layout_from_command(const char *cmd, struct layout *lay)
{
    char list[512], *tok, *next;

    lay->n = 0;
    if (cmd == NULL || o_list(cmd, list, sizeof list) == 0)
        return 0;
    for (tok = list; tok && *tok && lay->n < MAXCOLS; tok = next) {
        char *c = strchr(tok, ','), *colon, *eq;
        enum col col = C_OTHER;
        enum ty ty = T_ANY;
        next = c ? c + 1 : NULL;
        if (c)
            *c = '\0';
        if ((colon = strchr(tok, ':')) != NULL)
            *colon = '\0';
        if ((eq = strchr(tok, '=')) != NULL)
            *eq = '\0';
        if (!lookup_col(tok, strlen(tok), &col, &ty))
            col = C_OTHER;
        lay->ty[lay->n] = ty;
        lay->col[lay->n++] = col;
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

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* "root", "datastr+", "65534", "systemd-network" */
static int is_user(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || len > 32 || !(is_alnum(s[0]) || s[0] == '_'))
        return 0;
    for (i = 1; i < len; i++)
        if (!(is_alnum(s[i]) || strchr("_.+-$", s[i]) != NULL))
            return 0;
    return 1;
}

/* "4508", "4805m" (busybox), "10.9g" */
static int is_size(const char *s, size_t len)
{
    if (len > 1 && strchr("kKmMgGtT", s[len - 1]) != NULL)
        len--;
    return is_num(s, len);
}

/* PRI, NI: "80", "-20", "-" */
static int is_nice(const char *s, size_t len)
{
    if (len == 1 && s[0] == '-')
        return 1;
    if (len > 1 && s[0] == '-')
        s++, len--;
    return is_int(s, len);
}

static int is_addr(const char *s, size_t len)
{
    size_t i;
    if (len == 1 && s[0] == '-')
        return 1;
    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return len > 0;
}

/* "?", "pts/0", "tty1", "ttyS2", "console", "136,0" (busybox) */
static int is_tty(const char *s, size_t len)
{
    const char *comma;
    if (len == 1 && (s[0] == '?' || s[0] == '-'))
        return 1;
    if (lht_starts(s, len, "pts/") || lht_starts(s, len, "tty") || lht_starts(s, len, "console"))
        return 1;
    comma = memchr(s, ',', len);
    return comma && is_int(s, (size_t)(comma - s)) && is_int(comma + 1, len - (size_t)(comma - s) - 1);
}

/* START/STIME: "12:40", "Sep24", "Jan1", "2024" */
static int is_start(const char *s, size_t len)
{
    if (is_time(s, len) || (len == 4 && is_int(s, len)))
        return 1;
    return len >= 4 && len <= 5 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z' && s[2] >= 'a' &&
           s[2] <= 'z' && is_int(s + 3, len - 3);
}

/* WCHAN: "-", "rpc_wait_bit_killable", "rpc_wa" (cut to 6), "0" */
static int is_wchan(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || len > 64)
        return 0;
    if (len == 1 && s[0] == '-')
        return 1;
    for (i = 0; i < len; i++)
        if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

static int type_ok(enum ty ty, const char *s, size_t len)
{
    switch (ty) {
    case T_ANY: return 1;
    case T_INT: return is_int(s, len);
    case T_NUM: return is_num(s, len);
    case T_SIZE: return is_size(s, len);
    case T_NICE: return is_nice(s, len);
    case T_ADDR: return is_addr(s, len);
    case T_STAT: return is_stat(s, len);
    case T_USER: return is_user(s, len);
    case T_TTY: return is_tty(s, len);
    case T_TIME: return is_time(s, len);
    case T_START: return is_start(s, len);
    case T_WCHAN: return is_wchan(s, len);
    }
    return 0;
}

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

/* A "-" a `ps m` line prints in a typed column: STAT and TID on a
 * process line, PID and the memory columns on a thread line (see the
 * top). */
static int m_dash(const struct layout *lay, int c, const char *s, size_t l)
{
    return l == 1 && s[0] == '-' &&
           (lay->col[c] == C_STAT || lay->col[c] == C_TID || lay->col[c] == C_PID || lay->ty[c] == T_NUM ||
            lay->ty[c] == T_SIZE);
}

/* Do tokens s[0..] / l[0..] (n of them) fit lay, the last column taking
 * at least one token? */
static int fits(const struct layout *lay, const char *const *s, const size_t *l, int n)
{
    int c;

    if (lay->n < 2 || n < lay->n)
        return 0;
    for (c = 0; c < lay->n - 1; c++)
        if (lay->col[c] == C_LSTART || !(type_ok(lay->ty[c], s[c], l[c]) || m_dash(lay, c, s[c], l[c])))
            return 0;
    return 1;
}

static pthread_once_t formats_once = PTHREAD_ONCE_INIT;
static struct layout format_layouts[sizeof formats / sizeof formats[0]];

static void init_formats(void)
{
    size_t i;
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!parse_header(formats[i], strlen(formats[i]), &format_layouts[i]))
            format_layouts[i].n = 0;   /* cannot happen: the names are in the table */
}

/* A custom -o list without its header: "[user] pid [ppid [x]] state
 * [wchan] command" (the wchan only when it reads as a kernel symbol, with
 * an underscore, or "-") or "state pid command". */
static int infer(const struct toks *t, struct layout *lay)
{
    int i = 0, k;

    lay->n = 0;
#define COL(c_, t_) (lay->col[lay->n] = (c_), lay->ty[lay->n++] = (t_))
    if (t->n >= 3 && is_stat(t->s[0], t->l[0]) && is_int(t->s[1], t->l[1])) {
        COL(C_STAT, T_STAT);
        COL(C_PID, T_INT);
        COL(C_CMD, T_ANY);
        return 1;
    }
    if (t->n >= 4 && !is_int(t->s[0], t->l[0]) && is_user(t->s[0], t->l[0]) && is_int(t->s[1], t->l[1])) {
        COL(C_USER, T_USER);
        i = 1;
    }
    if (i >= t->n || !is_int(t->s[i], t->l[i]))
        return 0;
    COL(C_PID, T_INT);
    for (i++, k = 0; k < 2 && i < t->n && is_int(t->s[i], t->l[i]); k++, i++)
        COL(k == 0 ? C_PPID : C_OTHER, T_INT);
    if (i >= t->n || !is_stat(t->s[i], t->l[i]))
        return 0;
    COL(C_STAT, T_STAT);
    i++;
    if (i + 1 < t->n && ((t->l[i] == 1 && t->s[i][0] == '-') ||
                         (is_wchan(t->s[i], t->l[i]) && memchr(t->s[i], '_', t->l[i]) != NULL))) {
        COL(C_WCHAN, T_WCHAN);
        i++;
    }
    if (i >= t->n)
        return 0;
    COL(C_CMD, T_ANY);
#undef COL
    return 1;
}

/* The layout of a row read without (or against) a header, 0 when the row
 * is no ps row. */
static int guess_layout(const struct toks *t, struct layout *out)
{
    size_t i;

    pthread_once(&formats_once, init_formats);
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (fits(&format_layouts[i], t->s, t->l, t->n)) {
            *out = format_layouts[i];
            return 1;
        }
    return infer(t, out);
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
    /* a "-" is a `ps m` line's only in a row of the layout's shape; in a
     * row that misfits its header it is some other column's */
    if (*row != ROW_PROC && !fits(lay, t->s, t->l, t->n))
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
    struct layout hdr, fromcmd, guessed;
    int have_hdr = 0, have_cmd, added = 0, r, n;
    struct toks t;
    struct mproc m;

    memset(&m, 0, sizeof m);
    have_cmd = layout_from_command(ctx->command, &fromcmd);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        if (ln.len == 0 || ln.len > 65536)
            continue;
        if (parse_header(ln.s, ln.len, &hdr)) {
            have_hdr = 1;
            continue;
        }
        tokenize(ln.s, ln.len, &t);
        if (t.n < 2)
            continue;
        r = n = 0;
        if (have_hdr || have_cmd)
            r = read_row(ctx, have_hdr ? &hdr : &fromcmd, &t, &ln, &m, &n);
        /* no header, or a row of another shape (a second ps, a header
         * pasted from another listing) */
        if (r == 0 && guess_layout(&t, &guessed))
            r = read_row(ctx, &guessed, &t, &ln, &m, &n);
        if (r < 0)
            return r;
        added += n;
    }
    if ((r = end_mproc(ctx->facts, &m)) < 0)
        return r;
    return added + r;
}

/* ---- a listing run into one line --------------------------------------- */

#define MAXLTOK 2048

/* The header starting at token i of ts[]: its layout, and the index of
 * its COMMAND token; 0 when no header (four columns at least, PID among
 * them, COMMAND/CMD/ARGS last) starts there. */
static int header_at(const char *const *ts, const size_t *tl, size_t n, size_t i, struct layout *lay,
                     size_t *end)
{
    size_t j;
    int has_pid = 0;

    lay->n = 0;
    for (j = i; j < n && lay->n < MAXCOLS; j++) {
        enum col c;
        enum ty ty;
        if (!isupper((unsigned char)ts[j][0]) || !lookup_col(ts[j], tl[j], &c, &ty))
            return 0;
        lay->col[lay->n] = c;
        lay->ty[lay->n++] = ty;
        has_pid |= c == C_PID;
        if (c == C_CMD) {
            *end = j;
            return lay->n >= 4 && has_pid;
        }
    }
    return 0;
}

/* Rows without their header run together: the line starts with a row of
 * one of ps's formats and a second row of that format follows. */
static size_t collapsed_rows(const char *const *ts, const size_t *tl, size_t n, const char *s, size_t *cuts,
                             size_t max)
{
    size_t f, q, k = 0;

    pthread_once(&formats_once, init_formats);
    for (f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        const struct layout *lay = &format_layouts[f];
        if (lay->n < 4 || !fits(lay, ts, tl, (int)n))
            continue;
        for (q = (size_t)lay->n; q + (size_t)lay->n <= n; q++)
            if (fits(lay, ts + q, tl + q, (int)(n - q))) {
                size_t off = (size_t)(ts[q] - s) - 1;
                if (k < max && (s[off] == ' ' || s[off] == '\t'))
                    cuts[k++] = off;
                q += (size_t)lay->n - 1;
            }
        return k;
    }
    return 0;
}

size_t lht_ps_collapsed_cuts(const char *s, size_t len, size_t *cuts, size_t max)
{
    const char *ts[MAXLTOK], *p = s, *e = s + len, *tok;
    size_t tl[MAXLTOK], n = 0, i, k = 0, r, q, hend, toklen;
    struct layout lay;

    while (lht_tok(&p, e, &tok, &toklen)) {
        if (n == MAXLTOK)
            return 0;
        ts[n] = tok;
        tl[n++] = toklen;
    }
    if ((k = collapsed_rows(ts, tl, n, s, cuts, max)) > 0)
        return k;
    for (i = 0; i + 4 < n; i++) {
        if (!header_at(ts, tl, n, i, &lay, &hend))
            continue;
        r = hend + 1;
        if (!fits(&lay, ts + r, tl + r, (int)(n - r)))
            continue;
        /* a header with a row after it: cut before each, and before every
         * later position where a whole row fits again */
#define CUT(x)                                                              \
    do {                                                                    \
        size_t off_ = (size_t)(ts[x] - s) - 1;                              \
        if (k < max && (s[off_] == ' ' || s[off_] == '\t'))                 \
            cuts[k++] = off_;                                               \
    } while (0)
        if (i > 0)
            CUT(i);
        CUT(r);
        for (q = r + (size_t)lay.n; q + (size_t)lay.n <= n; q++)
            if (fits(&lay, ts + q, tl + q, (int)(n - q))) {
                CUT(q);
                q += (size_t)lay.n - 1;
            }
#undef CUT
        return k;
    }
    return 0;
}
