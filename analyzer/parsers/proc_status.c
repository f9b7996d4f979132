/*
 * proc_status.c - /proc/<pid>/status into process rows.
 *
 * The kernel prints one "Key:\tvalue" line per field (fs/proc/array.c,
 * task_state(): Name, Umask, State, Tgid, Ngid, Pid, PPid, TracerPid, ...):
 *     Name:	sh
 *     State:	D (disk sleep)
 *     Tgid:	123315
 *     Pid:	123315
 *     PPid:	123300
 * A paste may hold several blocks (a `for p in ...; do cat /proc/$p/status;
 * done` loop); each "Name:" starts one. Pastes turn the tab into spaces,
 * so any blank run separates key and value. A block becomes a process
 * when it names its state: the pid is Tgid (the process), a thread's own
 * Pid becomes its tid; without Pid/Tgid lines the pid named by the path
 * or command (ctx->pid) stands in. The row's line is the State: line,
 * the evidence a rule on the state points at.
 *
 * `grep State /proc/[0-9]*\/status` prefixes each line with its file
 * ("/proc/123/status:State:\tD (disk sleep)"), `head`/`tail` over several
 * files print "==> /proc/123/status <==" before each: both name the pid
 * of what follows, and start a block of their own.
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <string.h>

struct block {
    const char *name, *state;
    size_t name_len, state_len;
    long tgid, pid, ppid;
    long line;          /* of State:, 0 until seen */
};

static void block_reset(struct block *b)
{
    memset(b, 0, sizeof *b);
    b->tgid = b->pid = b->ppid = -1;
}

/* Emit b as a process; 1 added, 0 not a complete block, LHT_ENOMEM. */
static int block_emit(const struct block *b, const struct lht_pctx *ctx)
{
    struct lht_facts *f = ctx->facts;
    struct lht_process p;
    long pid = b->tgid >= 0 ? b->tgid : b->pid >= 0 ? b->pid : ctx->pid;

    if (b->line == 0 || pid < 0)
        return 0;
    memset(&p, 0, sizeof p);
    p.at = lht_pctx_at(ctx, b->line);
    p.pid = pid;
    p.ppid = b->ppid;
    p.tid = b->tgid >= 0 && b->pid >= 0 && b->pid != b->tgid ? b->pid : -1;
    /* "D (disk sleep)": the letter is what ps prints as STAT */
    p.stat = lht_facts_str(f, b->state, 1);
    p.command = b->name ? lht_facts_str(f, b->name, b->name_len) : NULL;
    if (p.stat == NULL || (b->name && p.command == NULL) || lht_facts_add_process(f, &p) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

/* "Key:<blanks>value" -> key length and value; 0 when not that shape. */
static size_t split(const char *s, size_t len, const char **v, size_t *vlen)
{
    const char *colon = memchr(s, ':', len);
    size_t k;

    if (colon == NULL || colon == s)
        return 0;
    k = (size_t)(colon - s);
    *vlen = len - k - 1;
    *v = lht_ltrim(colon + 1, vlen);
    *vlen = lht_rtrim(*v, *vlen);
    return k;
}

static long number(const char *v, size_t vlen)
{
    long n;
    return lht_parse_long(v, vlen, &n) == 0 && n >= 0 ? n : -1;
}

/* "/proc/123/status" or "/proc/123/task/456/status" at s: its length,
 * the pid (the tid for a task) in *pid; 0 when s does not start so. */
static size_t status_path(const char *s, size_t len, long *pid)
{
    const char *p = s, *e = s + len, *num;

    if (!lht_starts(s, len, "/proc/"))
        return 0;
    for (p += 6;;) {
        for (num = p; p < e && *p >= '0' && *p <= '9'; p++)
            ;
        if (p == num || lht_parse_long(num, (size_t)(p - num), pid) != 0)
            return 0;
        if (e - p >= 6 && memcmp(p, "/task/", 6) == 0) {
            p += 6;
            continue;
        }
        break;
    }
    if (e - p < 7 || memcmp(p, "/status", 7) != 0)
        return 0;
    return (size_t)(p + 7 - s);
}

/* A file boundary in the paste: the block so far ends, the next one's
 * pid is *pid. */
static int boundary(struct block *b, const struct lht_pctx *ctx, long pid, long *next_pid, int *added)
{
    int rc = block_emit(b, ctx);

    if (rc < 0)
        return rc;
    *added += rc;
    block_reset(b);
    *next_pid = pid;
    return LHT_OK;
}

int lht_parse_proc_status(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct block b;
    struct lht_pctx c = *ctx;   /* its pid follows the file headers */
    int added = 0, rc;
    long pid;

    block_reset(&b);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len, vlen, klen, pl;
        const char *s = lht_ltrim(ln.s, &l), *v;
        if (lht_starts(s, l, "==> ") && (pl = status_path(s + 4, l - 4, &pid)) > 0) {
            if ((rc = boundary(&b, &c, pid, &c.pid, &added)) < 0)
                return rc;
            continue;
        }
        if ((pl = status_path(s, l, &pid)) > 0 && pl < l && s[pl] == ':') {
            /* a grep prefix: a new file when the pid changes */
            if (pid != c.pid && (rc = boundary(&b, &c, pid, &c.pid, &added)) < 0)
                return rc;
            s += pl + 1;
            l -= pl + 1;
        }
        if ((klen = split(s, l, &v, &vlen)) == 0)
            continue;
        if (klen == 4 && strncmp(s, "Name", 4) == 0) {
            if ((rc = block_emit(&b, &c)) < 0)
                return rc;
            added += rc;
            block_reset(&b);
            b.name = v;
            b.name_len = vlen;
        } else if (klen == 5 && strncmp(s, "State", 5) == 0 && vlen > 0 &&
                   strchr("RSDTtXZPIWK", v[0]) != NULL && (vlen == 1 || v[1] == ' ')) {
            b.state = v;
            b.state_len = vlen;
            b.line = ln.no;
        } else if (klen == 4 && strncmp(s, "Tgid", 4) == 0) {
            b.tgid = number(v, vlen);
        } else if (klen == 3 && strncmp(s, "Pid", 3) == 0) {
            b.pid = number(v, vlen);
        } else if (klen == 4 && strncmp(s, "PPid", 4) == 0) {
            b.ppid = number(v, vlen);
        }
    }
    if ((rc = block_emit(&b, &c)) < 0)
        return rc;
    return added + rc;
}
