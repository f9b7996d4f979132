/*
 * sysreport.c - see sysreport.h.
 *
 * Layout facts relied on (sos tags 3.9.1 and 4.10.0, supportutils
 * v3.2.11):
 *   - sos names the archive and its one top folder sosreport-<host>-...
 *     (sos/policies/__init__.py, get_archive_name; tar members are
 *     <name>/..., sos/archive.py), writes command outputs to
 *     sos_commands/<plugin>/ (_make_command_filename) under names made by
 *     _mangle_command (sos/report/plugins/__init__.py):
 *         re.sub(r"^/(usr/|)(bin|sbin)/", "", cmd)
 *         re.sub(r"[^\w\-\.\/]+", "_", ...); re.sub(r"/", ".", ...).strip(" ._-")
 *     so "ps auxwwwm" is ps_auxwwwm and "journalctl --no-pager" is
 *     journalctl_--no-pager; an output cut at the size limit moves to
 *     sos_strings/<plugin>/<name>.tailed (4.2+).
 *   - the process plugin copies /proc/<pid>/{status,stack,...} of the first
 *     `numprocs` (2048) pids from sos 4.2 on (commit fbfe9765), never before.
 *   - supportconfig writes scc_<host>_<yymmdd>_<hhmm>/<topic>.txt
 *     (bin/supportconfig.rc, BASE="${ARCHIVE_PREFIX}%B", normalize_base).
 * URLs: https://github.com/sosreport/sos/blob/4.10.0/ and
 * https://github.com/openSUSE/supportutils/blob/v3.2.11/ + the path above.
 */
#include "ingest/sysreport.h"
#include "core/err.h"
#include "ingest/transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NOTED_PIDS 5
/* Reports per input: a sos collect archive holds one per node. More (a
 * hostile archive of empty sosreport-* folders) are read as plain
 * members, so the work per member stays bounded. */
#define MAX_ROOTS 64

struct root {
    char *prefix;                 /* "sosreport-x/", "t.zip!scc_y/", "" */
    size_t len;
    enum lht_sysreport_type type;
    const char *first;            /* first member seen (arena) */
    long stacks, ps;              /* members of these kinds */
};

struct lht_sysreports {
    enum lht_sysreport_type dir_type;
    struct root *v;
    size_t n, cap;
};

static int is_dir(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;

    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

enum lht_sysreport_type lht_sysreports_dir(const char *dir)
{
    if (is_dir(dir, "sos_commands") || is_dir(dir, "sos_reports") || is_dir(dir, "sos_logs"))
        return LHT_SYSREPORT_SOS;
    if (is_file(dir, "basic-environment.txt") || is_file(dir, "supportconfig.txt") ||
        is_file(dir, "basic-health-check.txt"))
        return LHT_SYSREPORT_SCC;
    return LHT_SYSREPORT_NONE;
}

struct lht_sysreports *lht_sysreports_new(enum lht_sysreport_type dir_type)
{
    struct lht_sysreports *h = calloc(1, sizeof *h);

    if (h != NULL)
        h->dir_type = dir_type;
    return h;
}

void lht_sysreports_free(struct lht_sysreports *h)
{
    size_t i;

    if (h == NULL)
        return;
    for (i = 0; i < h->n; i++)
        free(h->v[i].prefix);
    free(h->v);
    free(h);
}

/* ---- roots ---------------------------------------------------------------- */

static int starts(const char *s, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - s) > n && memcmp(s, lit, n) == 0;
}

/* A folder component named like a report's top folder: its type, and
 * the length of the path up to and including its '/'. */
static enum lht_sysreport_type named_root(const char *path, size_t *len)
{
    const char *c = path;

    for (;;) {
        const char *e = c + strcspn(c, "/!");
        if (*e == '/' && starts(c, e, "sosreport-")) {
            *len = (size_t)(e + 1 - path);
            return LHT_SYSREPORT_SOS;
        }
        if (*e == '/' && starts(c, e, "scc_")) {
            *len = (size_t)(e + 1 - path);
            return LHT_SYSREPORT_SCC;
        }
        if (*e == '\0')
            return LHT_SYSREPORT_NONE;
        c = e + 1;
    }
}

/* A renamed sos folder still holds sos_commands/ right below it. */
static int sos_commands_root(const char *path, size_t *len)
{
    const char *p = path;

    while ((p = strstr(p, "sos_commands/")) != NULL) {
        if (p == path || p[-1] == '/' || p[-1] == '!') {
            *len = (size_t)(p - path);
            return 1;
        }
        p++;
    }
    return 0;
}

static struct root *add_root(struct lht_sysreports *h, const char *path, size_t len,
                             enum lht_sysreport_type type)
{
    struct root *r;

    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        struct root *nv = realloc(h->v, cap * sizeof *nv);
        if (nv == NULL)
            return NULL;
        h->v = nv;
        h->cap = cap;
    }
    r = &h->v[h->n];
    memset(r, 0, sizeof *r);
    if ((r->prefix = malloc(len + 1)) == NULL)
        return NULL;
    memcpy(r->prefix, path, len);
    r->prefix[len] = '\0';
    r->len = len;
    r->type = type;
    h->n++;
    return r;
}

/* The report path lies in (learning it on first sight), or NULL. *oom
 * is set when a new root could not be kept. */
static struct root *root_of(struct lht_sysreports *h, const char *path, int *oom)
{
    struct root *best = NULL;
    enum lht_sysreport_type type;
    size_t i, len = 0;

    *oom = 0;
    for (i = 0; i < h->n; i++)
        if (strncmp(path, h->v[i].prefix, h->v[i].len) == 0 && (best == NULL || h->v[i].len > best->len))
            best = &h->v[i];
    if ((type = named_root(path, &len)) == LHT_SYSREPORT_NONE && sos_commands_root(path, &len))
        type = LHT_SYSREPORT_SOS;
    if (type == LHT_SYSREPORT_NONE && best == NULL && h->dir_type != LHT_SYSREPORT_NONE) {
        type = h->dir_type;
        len = 0;
    }
    if (type == LHT_SYSREPORT_NONE || (best != NULL && best->len >= len) || h->n >= MAX_ROOTS)
        return best;
    best = add_root(h, path, len, type);
    *oom = best == NULL;
    return best;
}

/* ---- what a member is ------------------------------------------------------ */

/* The command a sos output's file name spells: the base name without
 * ".tailed", '_' (what _mangle_command made of blanks and quotes) read
 * as a blank. */
static size_t sos_command(const char *path, char *cmd, size_t cmdsz)
{
    const char *base = path + strlen(path), *end = base;
    size_t n, i;

    while (base > path && base[-1] != '/' && base[-1] != '!')
        base--;
    n = (size_t)(end - base);
    if (n > 7 && strcmp(end - 7, ".tailed") == 0)
        n -= 7;
    if (n >= cmdsz)
        n = cmdsz - 1;
    for (i = 0; i < n; i++)
        cmd[i] = base[i] == '_' ? ' ' : base[i];
    cmd[n] = '\0';
    return n;
}

enum lht_kind lht_sysreports_kind(struct lht_sysreports *h, const char *path, enum lht_kind k, char *cmd,
                                  size_t cmdsz, int *fail)
{
    struct root *r;
    int oom;

    if (cmdsz)
        cmd[0] = '\0';
    if (k == LHT_K_SOS_COMMAND && cmdsz > 1) {
        long pid;
        size_t n = sos_command(path, cmd, cmdsz);
        enum lht_kind routed = lht_transcript_command_kind(cmd, n, &pid, fail);
        if (lht_kind(routed)->parse != NULL)
            return routed;
        cmd[0] = '\0';
        return k;
    }
    if (k != LHT_K_UNKNOWN || h == NULL || (r = root_of(h, path, &oom)) == NULL)
        return k;
    if (r->type == LHT_SYSREPORT_SCC) {
        const char *rest = path + r->len;
        size_t n = strlen(rest);
        if (strpbrk(rest, "/!") == NULL && n > 4 && strcmp(rest + n - 4, ".txt") == 0)
            return LHT_K_SUPPORTCONFIG;
    }
    return LHT_K_HOST_FILE;
}

int lht_sysreports_see(struct lht_sysreports *h, const char *member, enum lht_kind k)
{
    int oom;
    struct root *r = root_of(h, member, &oom);

    if (r == NULL)
        return oom ? LHT_ENOMEM : LHT_OK;
    if (r->first == NULL)
        r->first = member;
    r->stacks += k == LHT_K_STACK;
    r->ps += k == LHT_K_PS;
    return LHT_OK;
}

int lht_sysreports_any(const struct lht_sysreports *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        if (h->v[i].first != NULL)
            return 1;
    return 0;
}

/* ---- after the walk ---------------------------------------------------- */

static int in_root(const struct root *r, const struct lht_prov *at)
{
    return at->member != NULL && strncmp(at->member, r->prefix, r->len) == 0;
}

/* The host the report was taken on: its `hostname` or `uname -a`
 * nodename (both the kernel's nodename), else the name supportconfig
 * gave its folder (scc_<host>_<yymmdd>_<hhmm>). Arena string or NULL. */
static const char *host_of(struct lht_facts *f, const struct root *r)
{
    size_t n, i, l;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);
    const char *base, *u;
    char host[256];

    for (i = 0; i < n; i++)
        if (strcmp(kv[i].key, "hostname") == 0 && kv[i].value && kv[i].value[0] && in_root(r, &kv[i].at))
            return kv[i].value;
    if (r->type != LHT_SYSREPORT_SCC || r->len < 2)
        return NULL;
    base = r->prefix + r->len - 1;
    while (base > r->prefix && base[-1] != '/' && base[-1] != '!')
        base--;
    l = (size_t)(r->prefix + r->len - 1 - base);
    if (l < 4 + 1 + 12 || l >= sizeof host || strncmp(base, "scc_", 4) != 0)
        return NULL;
    memcpy(host, base + 4, l - 4);
    host[l - 4] = '\0';
    /* strip _<yymmdd>_<hhmm> */
    u = host + strlen(host) - 12;
    if (u[0] != '_' || u[7] != '_' || strspn(u + 1, "0123456789") != 6 || strspn(u + 8, "0123456789") != 4)
        return NULL;
    host[u - host] = '\0';
    return host[0] ? lht_facts_strz(f, host) : NULL;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* Pids of the root's processes in D state whose stack the root lacks,
 * sorted, distinct, into *out (caller frees); *at gets the first such
 * process row. Returns the count or -1 on OOM. */
static long d_pids(const struct lht_facts *f, const struct root *r, long **out, struct lht_prov *at)
{
    size_t np, ns, i, k = 0, nst = 0;
    const struct lht_process *p = lht_facts_processes(f, &np);
    const struct lht_stack *s = lht_facts_stacks(f, &ns);
    long *d = malloc((np + 1) * sizeof *d), *st = malloc((ns + 1) * sizeof *st);
    long n = 0;

    *out = NULL;
    if (d == NULL || st == NULL) {
        free(d);
        free(st);
        return -1;
    }
    for (i = 0; i < ns; i++)
        if (s[i].pid >= 0 && s[i].origin == LHT_STACK_PROC && in_root(r, &s[i].at))
            st[nst++] = s[i].pid;
    qsort(st, nst, sizeof *st, cmp_long);
    for (i = 0; i < np; i++)
        if (p[i].stat && p[i].stat[0] == 'D' && in_root(r, &p[i].at) &&
            !bsearch(&p[i].pid, st, nst, sizeof *st, cmp_long)) {
            if (k == 0)
                *at = p[i].at;
            d[k++] = p[i].pid;
        }
    qsort(d, k, sizeof *d, cmp_long);
    for (i = 0; i < k; i++)
        if (n == 0 || d[n - 1] != d[i])
            d[n++] = d[i];
    free(st);
    *out = d;
    return n;
}

/* "123315 123402 (and 3 more)" into buf. */
static void pid_list(char *buf, size_t sz, const long *pids, long n)
{
    size_t o = 0;
    long i;

    buf[0] = '\0';
    for (i = 0; i < n && i < MAX_NOTED_PIDS && o < sz; i++)
        o += (size_t)snprintf(buf + o, sz - o, "%s%ld", i ? " " : "", pids[i]);
    if (n > MAX_NOTED_PIDS && o < sz)
        snprintf(buf + o, sz - o, " (and %ld more)", n - MAX_NOTED_PIDS);
}

/* A note on the report: at the row it is about (at), else at the member
 * that says the report's version, else at its first member. */
static int note(struct lht_facts *f, const struct root *r, const char *node, const struct lht_prov *at,
                const char *msg)
{
    struct lht_prov where;
    size_t n, i;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);

    where.node = node;
    where.member = r->first;
    where.line = 0;
    if (at != NULL && at->member != NULL) {
        where.member = at->member;
        where.line = at->line;
    } else {
        for (i = 0; i < n; i++)
            if (strcmp(kv[i].key, "sos_version") == 0 && in_root(r, &kv[i].at)) {
                where.member = kv[i].at.member;
                break;
            }
    }
    return lht_facts_note(f, &where, "%s", msg);
}

/* What a sosreport lacks that the rules need, said where it shows. */
static int sos_notes(struct lht_facts *f, const struct root *r, const char *node)
{
    const char *ver = NULL;
    char msg[512], pids[128];
    struct lht_prov at;
    long *d, n;
    size_t nk, i;
    const struct lht_kv *kv = lht_facts_kvs(f, &nk);
    int rc = LHT_OK;

    for (i = 0; i < nk && ver == NULL; i++)
        if (strcmp(kv[i].key, "sos_version") == 0 && in_root(r, &kv[i].at))
            ver = kv[i].value;
    if (r->ps == 0 &&
        (rc = note(f, r, node, NULL, "sosreport without a process listing (no sos_commands/process/ps_*): "
                                     "the process plugin did not run")) != LHT_OK)
        return rc;
    if ((n = d_pids(f, r, &d, &at)) < 0)
        return LHT_ENOMEM;
    pid_list(pids, sizeof pids, d, n);
    if (r->stacks == 0) {
        snprintf(msg, sizeof msg,
                 "sosreport without proc/<pid>/stack files (sos %s; sos copies them from 4.2 on, with "
                 "the process plugin)%s%s%s",
                 ver ? ver : "version unknown", n ? ": paste `cat /proc/<pid>/stack` of D-state pid " : "",
                 n ? pids : "", n ? " to confirm what it waits on" : "");
        rc = note(f, r, node, n ? &at : NULL, msg);
    } else if (n > 0) {
        snprintf(msg, sizeof msg,
                 "D-state pid %s has no proc/<pid>/stack in this sosreport (sos copies /proc files of "
                 "the first 2048 pids only; rerun with -k process.numprocs=0, or paste the stack)",
                 pids);
        rc = note(f, r, node, &at, msg);
    }
    free(d);
    return rc;
}

static int scc_notes(struct lht_facts *f, const struct root *r, const char *node)
{
    char msg[512], pids[128];
    struct lht_prov at;
    long *d, n = d_pids(f, r, &d, &at);
    int rc = LHT_OK;

    if (n < 0)
        return LHT_ENOMEM;
    if (n > 0) {
        pid_list(pids, sizeof pids, d, n);
        snprintf(msg, sizeof msg,
                 "supportconfig collects no kernel stacks: paste `cat /proc/<pid>/stack` of D-state pid %s "
                 "to confirm what it waits on",
                 pids);
        rc = note(f, r, node, &at, msg);
    }
    free(d);
    return rc;
}

int lht_sysreports_finish(struct lht_sysreports *h, struct lht_facts *f)
{
    size_t i;
    int rc;

    for (i = 0; i < h->n; i++) {
        const struct root *r = &h->v[i];
        const char *node;
        if (r->first == NULL)
            continue;
        node = host_of(f, r);
        if (node != NULL)
            (void)lht_facts_give_node(f, NULL, r->prefix, r->len, node);
        else if ((rc = note(f, r, NULL, NULL, r->type == LHT_SYSREPORT_SOS
                                            ? "sosreport without hostname or uname output: its facts have no node"
                                            : "supportconfig without hostname or uname output: its facts have no node")) !=
                 LHT_OK)
            return rc;
        rc = r->type == LHT_SYSREPORT_SOS ? sos_notes(f, r, node) : scc_notes(f, r, node);
        if (rc != LHT_OK)
            return rc;
    }
    return LHT_OK;
}

/* ---- dates ------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    return strspn(s, "0123456789") >= n;
}

static int date_of(const char *name, size_t l, char *out, size_t outsz)
{
    const char *e = name + l, *p;

    /* scc_<host>_yymmdd_hhmm */
    if (l > 12 && e[-12] == '_' && digits(e - 11, 6) && e[-5] == '_' && digits(e - 4, 4)) {
        snprintf(out, outsz, "20%.2s-%.2s-%.2sT%.2s:%.2s", e - 11, e - 9, e - 7, e - 4, e - 2);
        return 1;
    }
    /* sosreport-<host>[.<case>]-YYYYMMDDhhmmss */
    if (l > 15 && e[-15] == '-' && digits(e - 14, 14)) {
        snprintf(out, outsz, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", e - 14, e - 10, e - 8, e - 6, e - 4, e - 2);
        return 1;
    }
    /* sosreport-<host>[-<label>][-<case>]-YYYY-MM-DD-<random> */
    for (p = e; p > name && p[-1] >= 'a' && p[-1] <= 'z'; p--)
        ;
    if (p < e && p - name > 11 && p[-1] == '-' && p[-12] == '-' && digits(p - 11, 4) && p[-7] == '-' &&
        digits(p - 6, 2) && p[-4] == '-' && digits(p - 3, 2)) {
        snprintf(out, outsz, "%.10s", p - 11);
        return 1;
    }
    return 0;
}

int lht_sysreports_created(const struct lht_sysreports *h, const char *name, char *out, size_t outsz)
{
    size_t i;

    for (i = 0; i < h->n; i++) {
        const struct root *r = &h->v[i];
        const char *base;
        size_t l;
        if (r->first == NULL)
            continue;
        if (r->len == 0)
            return date_of(name, strlen(name), out, outsz);
        base = r->prefix + r->len - 1;
        while (base > r->prefix && base[-1] != '/' && base[-1] != '!')
            base--;
        l = (size_t)(r->prefix + r->len - 1 - base);
        if (date_of(base, l, out, outsz))
            return 1;
    }
    return 0;
}
