/*
 * ext_hostinfo.c - host identity: the bundle's hostinfos/hostinfo, pasted
 * `uname -a` / `uname -r` and /etc/os-release.
 *
 * hostinfo is three "name : " blocks (hostname, os-release, system-info)
 * whose values are indented with a tab (the first one with space+tab). Its
 * system-info is `uname -a` run in the support-bundle agent pod: the
 * second field there is the pod's hostname, not the node's, so only the
 * hostname block names the host.
 */
#include "err.h"
#include "parse.h"
#include "text.h"

#include <string.h>

static int kv(const struct lht_pctx *ctx, long no, const char *key, const char *v, size_t vl)
{
    struct lht_kv k;

    k.at = lht_pctx_at(ctx, no);
    k.key = key;
    k.value = lht_facts_str(ctx->facts, v, vl);
    if (k.value == NULL)
        return LHT_ENOMEM;
    return lht_facts_add_kv(ctx->facts, &k) == LHT_OK ? 1 : LHT_ENOMEM;
}

/* "Linux host 5.15.0-105-generic #115-Ubuntu SMP ... x86_64 GNU/Linux".
 * with_host: the second field is the host (a pasted uname), not a pod. */
static int uname_line(const struct lht_pctx *ctx, const char *s, size_t len, long no, int with_host)
{
    const char *p = s, *e = s + len, *tok[4], *hash;
    int r;
    size_t tl[4];
    int n = 0, added = 0;

    while (n < 4 && lht_tok(&p, e, &tok[n], &tl[n]))
        n++;
    if (n < 3 || tl[0] != 5 || memcmp(tok[0], "Linux", 5) != 0 || tok[2][0] < '0' || tok[2][0] > '9')
        return 0;
    if (with_host && (r = kv(ctx, no, "hostname", tok[1], tl[1])) < 0)
        return r;
    added += with_host;
    if ((r = kv(ctx, no, "kernel_release", tok[2], tl[2])) < 0)
        return r;
    added++;
    hash = memchr(tok[2], '#', (size_t)(e - tok[2]));
    if (hash) {
        /* The version runs from '#' to the first machine-name field, which
         * uname repeats (machine, processor, platform) before the OS. */
        static const char *const arches[] = {"x86_64", "aarch64", "arm64", "ppc64le", "ppc64",
                                             "s390x", "i686", "i386", "armv7l", "riscv64"};
        const char *q = hash, *t, *arch = NULL;
        size_t l, archl = 0, a;
        while (arch == NULL && lht_tok(&q, e, &t, &l))
            for (a = 0; a < sizeof arches / sizeof arches[0]; a++)
                if (strlen(arches[a]) == l && memcmp(arches[a], t, l) == 0) {
                    arch = t;
                    archl = l;
                    break;
                }
        if ((r = kv(ctx, no, "kernel_version", hash,
                    lht_rtrim(hash, (size_t)((arch ? arch : e) - hash)))) < 0)
            return r;
        added++;
        if (arch) {
            if ((r = kv(ctx, no, "arch", arch, archl)) < 0)
                return r;
            added++;
        }
    }
    if ((r = kv(ctx, no, "uname", s, lht_rtrim(s, len))) < 0)
        return r;
    return added + 1;
}

/* KEY=value or KEY="value" of os-release. */
static int os_release_line(const struct lht_pctx *ctx, const char *s, size_t len, long no)
{
    static const struct {
        const char *var, *key;
    } map[] = {{"PRETTY_NAME=", "os"}, {"ID=", "os_id"}, {"VERSION_ID=", "os_version"}};
    size_t i;

    for (i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t vl = strlen(map[i].var);
        if (lht_starts(s, len, map[i].var)) {
            const char *v = s + vl;
            size_t l = lht_rtrim(v, len - vl);
            if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
                v++;
                l -= 2;
            }
            return kv(ctx, no, map[i].key, v, l);
        }
    }
    return 0;
}

int lht_parse_hostinfo(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    enum { NONE, HOST, OS, SYS } block = NONE;
    struct lht_lines it;
    struct lht_line ln;
    int added = 0, r;

    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s;
        if (lht_starts(ln.s, l, "hostname :")) {
            block = HOST;
            continue;
        }
        if (lht_starts(ln.s, l, "os-release :")) {
            block = OS;
            continue;
        }
        if (lht_starts(ln.s, l, "system-info :")) {
            block = SYS;
            continue;
        }
        s = lht_ltrim(ln.s, &l);
        l = lht_rtrim(s, l);
        if (l == 0)
            continue;
        if (block == HOST)
            r = kv(ctx, ln.no, "hostname", s, l);
        else if (block == OS)
            r = os_release_line(ctx, s, l, ln.no);
        else if (block == SYS)
            r = uname_line(ctx, s, l, ln.no, 0);
        else
            r = 0;
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}

int lht_parse_uname(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    int added = 0, r;

    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s = lht_ltrim(ln.s, &l);
        l = lht_rtrim(s, l);
        if (l == 0)
            continue;
        r = uname_line(ctx, s, l, ln.no, 1);
        /* `uname -r`: a bare release like 5.14.21-150500.55.39-default */
        if (r == 0 && s[0] >= '0' && s[0] <= '9' && memchr(s, '.', l) && !memchr(s, ' ', l))
            r = kv(ctx, ln.no, "kernel_release", s, l);
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}

int lht_parse_os_release(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    int added = 0, r;

    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s = lht_ltrim(ln.s, &l);
        if ((r = os_release_line(ctx, s, l, ln.no)) < 0)
            return r;
        added += r;
    }
    return added;
}
