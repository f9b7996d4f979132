/*
 * ext_mounts.c - mount tables in their four common dresses:
 *   /proc/mounts, /etc/mtab:  SRC TARGET FSTYPE OPTS 0 0   (octal escapes: \040 = space)
 *   mount:                    SRC on TARGET type FSTYPE (OPTS)
 *   /proc/<pid>/mountinfo:    ID PARENT MAJ:MIN ROOT TARGET MOPTS [TAGS...] - FSTYPE SRC SOPTS
 *   nfsstat -m / --mount:     TARGET from SERVER:EXPORT
 *                              Flags:\tOPTS
 * plus findmnt's list and tree output (TARGET SOURCE FSTYPE OPTIONS).
 * The NFS version comes from vers=/nfsvers= (old kernels: vers=4 plus
 * minorversion=N), else "4" for fstype nfs4.
 */
#include "err.h"
#include "parse.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* Value of option key= in a comma list, as a slice; NULL when absent. */
static const char *opt_value(const char *opts, size_t len, const char *key, size_t *vlen)
{
    size_t kl = strlen(key);
    const char *p = opts, *e = opts + len;

    while (p < e) {
        const char *comma = memchr(p, ',', (size_t)(e - p));
        const char *end = comma ? comma : e;
        if ((size_t)(end - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == '=') {
            *vlen = (size_t)(end - p - kl - 1);
            return p + kl + 1;
        }
        p = comma ? comma + 1 : e;
    }
    return NULL;
}

const char *lht_nfs_vers(const char *options, size_t optlen, const char *fstype, char *out,
                         size_t outsz)
{
    const char *v;
    size_t vl = 0, ml = 0;
    int nfs = fstype && strncmp(fstype, "nfs", 3) == 0;

    if (outsz < 2)
        return NULL;
    if (options == NULL)
        optlen = 0;
    v = options ? opt_value(options, optlen, "vers", &vl) : NULL;
    if (v == NULL && options)
        v = opt_value(options, optlen, "nfsvers", &vl);
    if (v != NULL && vl > 0 && vl < outsz && v[0] >= '2' && v[0] <= '4') {
        const char *minor = opt_value(options, optlen, "minorversion", &ml);
        if (vl == 1 && v[0] == '4' && minor && ml > 0 && ml < 4 && outsz > ml + 2) {
            snprintf(out, outsz, "4.%.*s", (int)ml, minor);
            return out;
        }
        memcpy(out, v, vl);
        out[vl] = '\0';
        return out;
    }
    if (nfs && fstype[3] == '4') {
        snprintf(out, outsz, "4");
        return out;
    }
    if (nfs && v == NULL && fstype[3] == '\0')
        return NULL;   /* plain "nfs" without vers: version unknown */
    return NULL;
}

/* Copy a path decoding the kernel's octal escapes (\040 space, \011 tab,
 * \012 newline, \134 backslash). */
static const char *unescape(struct lht_facts *f, const char *s, size_t len)
{
    char tmp[4096];
    size_t i, o = 0;

    if (memchr(s, '\\', len) == NULL || len >= sizeof tmp)
        return lht_facts_str(f, s, len);
    for (i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 3 < len + 0 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
            s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            tmp[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            tmp[o++] = s[i];
        }
    }
    return lht_facts_str(f, tmp, o);
}

struct slice {
    const char *s;
    size_t l;
};

static int add(const struct lht_pctx *ctx, long no, int origin, struct slice src, struct slice tgt,
               struct slice fst, struct slice opts)
{
    struct lht_facts *f = ctx->facts;
    struct lht_mount m;
    char vers[16];

    memset(&m, 0, sizeof m);
    m.at = lht_pctx_at(ctx, no);
    m.origin = origin;
    m.source = src.s ? unescape(f, src.s, src.l) : NULL;
    m.target = tgt.s ? unescape(f, tgt.s, tgt.l) : NULL;
    m.fstype = fst.s ? lht_facts_str(f, fst.s, fst.l) : NULL;
    m.options = opts.s ? lht_facts_str(f, opts.s, opts.l) : NULL;
    if (lht_nfs_vers(m.options, opts.l, m.fstype, vers, sizeof vers) != NULL)
        m.nfs_vers = lht_facts_strz(f, vers);
    /* nfsstat prints no fstype: the version tells which */
    if (m.fstype == NULL && m.nfs_vers)
        m.fstype = lht_facts_strz(f, m.nfs_vers[0] == '4' ? "nfs4" : "nfs");
    if ((src.s && !m.source) || (tgt.s && !m.target) || (opts.s && !m.options))
        return LHT_ENOMEM;
    return lht_facts_add_mount(f, &m) == LHT_OK ? 1 : LHT_ENOMEM;
}

static int toks(const char *s, size_t len, struct slice *t, int max)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    int n = 0;
    while (n < max && lht_tok(&p, e, &tok, &tl)) {
        t[n].s = tok;
        t[n].l = tl;
        n++;
    }
    return n;
}

static int is_digits(struct slice t)
{
    size_t i;
    for (i = 0; i < t.l; i++)
        if (t.s[i] < '0' || t.s[i] > '9')
            return 0;
    return t.l > 0;
}

static const struct slice none = {NULL, 0};

/* One line in any known mount format; 1 added, 0 not a mount line. */
static int parse_line(const struct lht_pctx *ctx, const char *s, size_t len, long no, int want)
{
    struct slice t[64];
    int n = toks(s, len, t, 64), i;

    if (n < 3)
        return 0;
    /* mountinfo: 36 35 98:0 /root /target opts ... - fstype src sopts */
    if ((want < 0 || want == LHT_MOUNT_MOUNTINFO) && n >= 9 && is_digits(t[0]) && is_digits(t[1]) &&
        memchr(t[2].s, ':', t[2].l)) {
        for (i = 6; i < n; i++)
            if (t[i].l == 1 && t[i].s[0] == '-')
                break;
        if (i + 2 < n) {
            /* options: per-mount and per-superblock, as printed */
            struct slice opts = t[5];
            char both[4096];
            if (i + 3 < n && t[5].l + t[i + 3].l + 2 < sizeof both) {
                snprintf(both, sizeof both, "%.*s,%.*s", (int)t[5].l, t[5].s, (int)t[i + 3].l,
                         t[i + 3].s);
                opts.s = both;
                opts.l = strlen(both);
            }
            return add(ctx, no, LHT_MOUNT_MOUNTINFO, t[i + 2], t[4], t[i + 1], opts);
        }
    }
    /* mount: SRC on TARGET type FSTYPE (OPTS) */
    if ((want < 0 || want == LHT_MOUNT_CMD) && n >= 6 && t[1].l == 2 && memcmp(t[1].s, "on", 2) == 0) {
        for (i = 3; i + 1 < n; i++)
            if (t[i].l == 4 && memcmp(t[i].s, "type", 4) == 0)
                break;
        if (i + 1 < n) {
            struct slice tgt = {t[2].s, (size_t)(t[i - 1].s + t[i - 1].l - t[2].s)};
            struct slice opts = none;
            if (i + 2 < n && t[i + 2].s[0] == '(') {
                const char *o = t[i + 2].s + 1, *e = s + len;
                const char *close = memchr(o, ')', (size_t)(e - o));
                opts.s = o;
                opts.l = close ? (size_t)(close - o) : (size_t)(e - o);
            }
            return add(ctx, no, LHT_MOUNT_CMD, t[0], tgt, t[i + 1], opts);
        }
    }
    /* nfsstat: TARGET from SERVER:EXPORT (Flags: on a following line) */
    if ((want < 0 || want == LHT_MOUNT_NFSSTAT) && n == 3 && t[1].l == 4 &&
        memcmp(t[1].s, "from", 4) == 0 && memchr(t[2].s, ':', t[2].l))
        return 2;   /* caller collects the Flags line */
    /* /proc/mounts: SRC TARGET FSTYPE OPTS DUMP PASS */
    if ((want < 0 || want == LHT_MOUNT_PROC) && n == 6 && is_digits(t[4]) && is_digits(t[5]) &&
        t[1].s[0] == '/')
        return add(ctx, no, LHT_MOUNT_PROC, t[0], t[1], t[2], t[3]);
    /* findmnt -l / tree: TARGET SOURCE FSTYPE OPTIONS (tree glyphs before TARGET) */
    if ((want < 0 || want == LHT_MOUNT_FINDMNT) && n >= 4) {
        int k = 0;
        while (k < n && t[k].s[0] != '/' && (unsigned char)t[k].s[0] >= 0x80)
            k++;   /* ├─ └─ │ */
        if (k + 3 < n + 0 && t[k].s[0] == '/' && memchr(t[k + 3].s, '=', t[k + 3].l) == NULL &&
            (memchr(t[k + 3].s, ',', t[k + 3].l) || (t[k + 3].l == 2 && memcmp(t[k + 3].s, "rw", 2) == 0)) &&
            k + 4 == n)
            return add(ctx, no, LHT_MOUNT_FINDMNT, t[k + 1], t[k], t[k + 2], t[k + 3]);
        if (k + 3 < n && t[k].s[0] == '/' && k + 4 == n && strncmp(t[k + 2].s, "nfs", 3) == 0)
            return add(ctx, no, LHT_MOUNT_FINDMNT, t[k + 1], t[k], t[k + 2], t[k + 3]);
    }
    return 0;
}

static int parse_all(const char *buf, size_t len, const struct lht_pctx *ctx, int want)
{
    struct lht_lines it;
    struct lht_line ln;
    int added = 0;
    struct slice from_tgt = none, from_src = none;
    long from_no = 0;

    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        const char *s = ln.s;
        size_t l = ln.len;
        int r;
        if (l == 0 || l > 65536)
            continue;
        if (from_tgt.s) {
            /* " Flags:\trw,vers=4.1,..." belongs to the "from" line before it */
            const char *p = lht_ltrim(s, &l);
            if (lht_starts(p, l, "Flags:")) {
                struct slice opts;
                p += 6;
                l -= 6;
                p = lht_ltrim(p, &l);
                opts.s = p;
                opts.l = lht_rtrim(p, l);
                r = add(ctx, from_no, LHT_MOUNT_NFSSTAT, from_src, from_tgt, none, opts);
                from_tgt = none;
                if (r < 0)
                    return r;
                added += r;
                continue;
            }
            if (l == 0)
                continue;
            /* a "from" line without Flags: keep it without options */
            r = add(ctx, from_no, LHT_MOUNT_NFSSTAT, from_src, from_tgt, none, none);
            from_tgt = none;
            if (r < 0)
                return r;
            added += r;
            s = ln.s;
            l = ln.len;
        }
        r = parse_line(ctx, s, l, ln.no, want);
        if (r == 2) {
            struct slice t[3];
            toks(s, l, t, 3);
            from_tgt = t[0];
            from_src = t[2];
            from_no = ln.no;
            continue;
        }
        if (r < 0)
            return r;
        added += r;
    }
    if (from_tgt.s) {
        int r = add(ctx, from_no, LHT_MOUNT_NFSSTAT, from_src, from_tgt, none, none);
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}

int lht_parse_proc_mounts(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return parse_all(buf, len, ctx, LHT_MOUNT_PROC);
}

int lht_parse_mount_cmd(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return parse_all(buf, len, ctx, LHT_MOUNT_CMD);
}

int lht_parse_mountinfo(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return parse_all(buf, len, ctx, LHT_MOUNT_MOUNTINFO);
}

int lht_parse_nfsstat(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return parse_all(buf, len, ctx, LHT_MOUNT_NFSSTAT);
}

int lht_parse_mounts_any(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return parse_all(buf, len, ctx, -1);
}
