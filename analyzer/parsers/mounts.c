/*
 * mounts.c - mount tables into lht_mount rows.
 *
 * The NFS hang rules need to know, per mount point, which server export is
 * mounted with which NFS protocol version. Tickets show that in five
 * dresses, and a paste often mixes them, so every shape is recognised per
 * line and the specific entry points only decide which shape wins when a
 * line could be read two ways:
 *
 *   /proc/mounts, /etc/mtab (the bundle's hostinfos/proc_mounts):
 *     10.43.58.194:/pvc-d09e /var/lib/kubelet/pods/3f10/mount nfs4 rw,relatime,vers=4.1,addr=10.43.58.194 0 0
 *     /dev/sdb1 /mnt/my\040disk ext4 rw,relatime 0 0           (kernel octal escapes)
 *   mount (util-linux, busybox; `-l` adds " [LABEL]"; BSD/macOS lack "type"):
 *     10.43.58.194:/pvc-d09e on /var/lib/kubelet/pods/3f10/mount type nfs4 (rw,relatime,vers=4.1)
 *     nas:/export on /mnt/nas (nfs, nodev, nosuid, mounted by admin)
 *   /proc/<pid>/mountinfo (options = per-mount options "," super options):
 *     36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   findmnt (tree with "├─", "└─", "│" or ASCII "|-", "`-" glyphs; -l; -n;
 *   -P pairs; any -o column list, read through the header table below):
 *     TARGET                  SOURCE              FSTYPE OPTIONS
 *     └─/var/lib/kubelet/x    10.43.58.194:/pvc-1 nfs4   rw,relatime,vers=4.2
 *   nfsstat -m / --mount (nfs-utils prints "%s from %s\n Flags:\t%s\n\n"
 *   straight from /proc/mounts; some pastes lose the blank lines or turn
 *   the tab into spaces, mail quoting eats the space before "Flags:",
 *   mailers wrap the options onto indented lines after a ",", and docs
 *   drop the "TARGET from" part, leaving the server:/export alone):
 *     /var/lib/kubelet/pods/3f10/mount from 10.43.58.194:/pvc-d09e
 *      Flags:	rw,relatime,vers=4.1,rsize=1048576,softerr,proto=tcp
 *   findmnt -J (util-linux libsmartcols prints one key per line; pastes
 *   are often cut mid-document, so it is read line by line):
 *     {"filesystems": [ {"target": "/mnt", "source": "srv:/x", "fstype": "nfs4",
 *                        "options": "rw,vers=4.1", "children": [ ... ] } ] }
 *   and a mountinfo row quoted inline in prose: "mount info: `263 121 0:46 /
 *   /root/nfs rw,relatime - nfs4 192.168.122.80:/home rw,vers=4.2`".
 *
 * Rows with missing fields (cut-off pastes) get a note and are skipped.
 * A specific parser notes every line it cannot read; the any-shape parser
 * only notes lines that start like a mount row, since mixed pastes carry
 * prose and prompts. Notes are capped per buffer so a garbage member
 * cannot flood the store.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

#define MAX_LINE (64 * 1024)   /* a real row is < 8 KiB; longer is garbage */
#define MAX_NOTES 16
#define MAX_TOKS 64
#define MAX_COLS 24
#define ESC_BUF 16384          /* PATH_MAX 4096, each byte escaped as \ooo */

struct slice {
    const char *s;
    size_t l;
};

static const struct slice none = {NULL, 0};

enum col {
    COL_OTHER, COL_TARGET, COL_SOURCE, COL_FSTYPE, COL_OPTIONS, COL_VFS_OPTIONS, COL_FS_OPTIONS
};

/* findmnt column headers (util-linux 2.23 .. 2.40 `findmnt --help`). A line
 * made only of these names is a header and fixes the column order. */
static const struct {
    const char *name;
    enum col col;
} findmnt_cols[] = {
    {"TARGET", COL_TARGET}, {"SOURCE", COL_SOURCE}, {"SOURCES", COL_SOURCE},
    {"FSTYPE", COL_FSTYPE}, {"OPTIONS", COL_OPTIONS}, {"VFS-OPTIONS", COL_VFS_OPTIONS},
    {"FS-OPTIONS", COL_FS_OPTIONS}, {"ID", COL_OTHER}, {"UNIQ-ID", COL_OTHER},
    {"PARENT", COL_OTHER}, {"UNIQ-PARENT", COL_OTHER}, {"MAJ:MIN", COL_OTHER},
    {"FSROOT", COL_OTHER}, {"LABEL", COL_OTHER}, {"UUID", COL_OTHER}, {"PARTLABEL", COL_OTHER},
    {"PARTUUID", COL_OTHER}, {"SIZE", COL_OTHER}, {"AVAIL", COL_OTHER}, {"USED", COL_OTHER},
    {"USE%", COL_OTHER}, {"TID", COL_OTHER}, {"PROPAGATION", COL_OTHER}, {"FREQ", COL_OTHER},
    {"PASSNO", COL_OTHER}, {"ACTION", COL_OTHER}, {"OLD-TARGET", COL_OTHER},
    {"OLD-OPTIONS", COL_OTHER}, {"USERSPACE-OPTIONS", COL_OTHER},
    /* -P spells names as shell variables since util-linux 2.37 */
    {"VFS_OPTIONS", COL_VFS_OPTIONS}, {"FS_OPTIONS", COL_FS_OPTIONS}, {"MAJ_MIN", COL_OTHER},
    {"USE_PCT", COL_OTHER}, {"OLD_TARGET", COL_OTHER}, {"OLD_OPTIONS", COL_OTHER},
};

/* Per-buffer parse state. */
struct mstate {
    const struct lht_pctx *ctx;
    int want;                  /* enum lht_mount_origin the caller expects, -1 any */
    int added;
    int notes, dropped_notes;
    int nfs_pending;           /* an nfsstat "from" line waits for its Flags */
    int nfs_src_only;          /* ... or a bare "server:/export" line does */
    struct slice nfs_tgt, nfs_src;
    long nfs_no;
    int flags_open;            /* a Flags line ended in ",": its options go on below */
    char flags[ESC_BUF];       /* the options of the pending Flags line, joined */
    size_t flags_len;
    int json;                  /* inside findmnt -J output */
    struct slice js[COL_FS_OPTIONS + 1];  /* the current JSON object's columns */
    long js_no;
    int ncols;                 /* findmnt header seen: its columns */
    enum col cols[MAX_COLS];
    size_t colpos[MAX_COLS];   /* display column where each header starts */
};

/* ---- small helpers ---------------------------------------------------- */

static int eq(struct slice t, const char *lit)
{
    size_t n = strlen(lit);
    return t.l == n && memcmp(t.s, lit, n) == 0;
}

static int is_digits(struct slice t)
{
    size_t i;

    for (i = 0; i < t.l; i++)
        if (t.s[i] < '0' || t.s[i] > '9')
            return 0;
    return t.l > 0;
}

/* "98:0", "0:55" */
static int is_majmin(struct slice t)
{
    const char *c = memchr(t.s, ':', t.l);
    struct slice a, b;

    if (c == NULL)
        return 0;
    a.s = t.s;
    a.l = (size_t)(c - t.s);
    b.s = c + 1;
    b.l = t.l - a.l - 1;
    return is_digits(a) && is_digits(b);
}

/* Linux fstype names: "nfs4", "ext4", "fuse.sshfs", "9p", "cgroup2". */
static int is_fstype(struct slice t)
{
    size_t i;

    if (t.l == 0 || t.l > 40)
        return 0;
    for (i = 0; i < t.l; i++) {
        char c = t.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '+'))
            return 0;
    }
    return 1;
}

/* The kernel and findmnt print "rw" or "ro" first. Used where a line could
 * be prose or another table. */
static int looks_like_options(struct slice t)
{
    return t.l >= 2 && t.s[0] == 'r' && (t.s[1] == 'w' || t.s[1] == 'o') &&
           (t.l == 2 || t.s[2] == ',');
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

static int note(struct mstate *st, long no, const char *what, const char *s, size_t len)
{
    if (st->notes >= MAX_NOTES) {
        st->dropped_notes++;
        return LHT_OK;
    }
    st->notes++;
    return lht_pctx_note_line(st->ctx, no, "mounts", what, s, len);
}

/* Copy a path, decoding the kernel's octal escapes (\040 space, \011 tab,
 * \012 newline, \134 backslash) and findmnt's \x20 hex escapes. A decoded
 * NUL would cut the C string, so \000 stays as printed; so does a path too
 * long to be real. */
static const char *unescape(struct lht_facts *f, const char *s, size_t len)
{
    char tmp[ESC_BUF];
    size_t i, o = 0;

    if (memchr(s, '\\', len) == NULL || len > sizeof tmp)
        return lht_facts_str(f, s, len);
    for (i = 0; i < len; i++) {
        unsigned v = 0;
        if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            v = (unsigned)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            if (v != 0) {
                tmp[o++] = (char)v;
                i += 3;
                continue;
            }
        } else if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x') {
            int k, ok = 1;
            for (k = 2; k <= 3; k++) {
                char c = s[i + k];
                v *= 16;
                if (c >= '0' && c <= '9')
                    v += (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                    v += (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    v += (unsigned)(c - 'A' + 10);
                else
                    ok = 0;
            }
            if (ok && v != 0) {
                tmp[o++] = (char)v;
                i += 3;
                continue;
            }
        }
        tmp[o++] = s[i];
    }
    return lht_facts_str(f, tmp, o);
}

/* ---- NFS version -------------------------------------------------------- */

/* "4", "4.1", "3": digits, at most one dot, short. */
static int is_version(const char *v, size_t l)
{
    size_t i, dots = 0;

    if (l == 0 || l > 5 || v[0] < '0' || v[0] > '9' || v[l - 1] == '.')
        return 0;
    for (i = 0; i < l; i++) {
        if (v[i] == '.')
            dots++;
        else if (v[i] < '0' || v[i] > '9')
            return 0;
    }
    return dots <= 1;
}

const char *lht_nfs_vers(const char *options, size_t optlen, const char *fstype, char *out,
                         size_t outsz)
{
    const char *p, *e, *vers = NULL, *minor = NULL;
    size_t vl = 0, ml = 0;
    int nfs4 = 0;

    if (out == NULL || outsz < 8)
        return NULL;
    /* cifs has vers=3.0 too: only NFS types count; NULL fstype means the
     * text came from nfsstat, which lists NFS mounts only. "nfsd" is the
     * server's control filesystem, not a mount of an export. */
    if (fstype != NULL) {
        if (strcmp(fstype, "nfs4") == 0)
            nfs4 = 1;
        else if (strcmp(fstype, "nfs") != 0)
            return NULL;
    }
    p = options;
    e = options ? options + optlen : NULL;
    while (p != NULL && p < e) {
        const char *item = p, *end = p, *eqs;
        int quoted = 0;
        size_t il, kl;

        /* commas inside context="a:b:c0,c1" do not separate options */
        while (end < e && (quoted || *end != ',')) {
            if (*end == '"')
                quoted = !quoted;
            end++;
        }
        p = end < e ? end + 1 : e;
        while (item < end && (*item == ' ' || *item == '\t'))
            item++;   /* BSD mount prints ", " between options */
        il = (size_t)(end - item);
        eqs = memchr(item, '=', il);
        if (eqs == NULL)
            continue;
        kl = (size_t)(eqs - item);
        if ((kl == 4 && memcmp(item, "vers", 4) == 0) ||
            (kl == 7 && memcmp(item, "nfsvers", 7) == 0)) {
            vers = eqs + 1;   /* the kernel honours the last one given */
            vl = il - kl - 1;
        } else if (kl == 12 && memcmp(item, "minorversion", 12) == 0) {
            minor = eqs + 1;
            ml = il - kl - 1;
        }
    }
    if (minor != NULL && (ml == 0 || ml > 2 || !is_version(minor, ml) || memchr(minor, '.', ml)))
        minor = NULL;
    if (vers != NULL && is_version(vers, vl)) {
        /* kernels before 3.11 print vers=4,minorversion=1 */
        if (vl == 1 && vers[0] == '4' && minor != NULL)
            snprintf(out, outsz, "4.%.*s", (int)ml, minor);
        else
            snprintf(out, outsz, "%.*s", (int)vl, vers);
        return out;
    }
    if (nfs4) {
        if (minor != NULL)
            snprintf(out, outsz, "4.%.*s", (int)ml, minor);
        else
            snprintf(out, outsz, "4");
        return out;
    }
    return NULL;
}

/* ---- record ------------------------------------------------------------- */

/* The options of the mount just added, split at commas: "vers=4.1" is
 * (vers, 4.1), a flag has no value. */
static int add_options(struct lht_facts *f, const struct lht_mount *m)
{
    const char *p = m->options;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        struct lht_mount_option o;

        if (len > 0) {
            memset(&o, 0, sizeof o);
            o.line = m->at.line;
            o.key = lht_facts_str(f, p, eq ? (size_t)(eq - p) : len);
            o.value = eq ? lht_facts_str(f, eq + 1, len - (size_t)(eq - p) - 1) : NULL;
            if (o.key == NULL || (eq && o.value == NULL) || lht_facts_add_mount_option(f, &o) != LHT_OK)
                return LHT_ENOMEM;
        }
        p = comma ? comma + 1 : NULL;
    }
    return LHT_OK;
}

int lht_mount_add(const struct lht_pctx *ctx, long no, int origin, const char *src, size_t srcl,
                  const char *tgt, size_t tgtl, const char *fstype, size_t fstl, const char *opts,
                  size_t optl)
{
    struct lht_facts *f = ctx->facts;
    struct lht_mount m;
    char vers[16];

    memset(&m, 0, sizeof m);
    m.at = lht_pctx_at(ctx, no);
    m.origin = origin;
    m.source = src ? unescape(f, src, srcl) : NULL;
    m.target = tgt ? unescape(f, tgt, tgtl) : NULL;
    m.fstype = fstype ? lht_facts_str(f, fstype, fstl) : NULL;
    m.options = opts ? lht_facts_str(f, opts, optl) : NULL;
    if ((src && !m.source) || (tgt && !m.target) || (fstype && !m.fstype) || (opts && !m.options))
        return LHT_ENOMEM;
    if (lht_nfs_vers(m.options, m.options ? optl : 0, m.fstype, vers, sizeof vers) != NULL) {
        m.nfs_vers = lht_facts_strz(f, vers);
        /* nfsstat prints no fstype: the version tells which one it is */
        if (m.fstype == NULL)
            m.fstype = lht_facts_strz(f, vers[0] == '4' ? "nfs4" : "nfs");
        if (m.nfs_vers == NULL || m.fstype == NULL)
            return LHT_ENOMEM;
    }
    if (lht_facts_add_mount(f, &m) != LHT_OK || add_options(f, &m) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

static int add(struct mstate *st, long no, int origin, struct slice src, struct slice tgt,
               struct slice fst, const char *opts, size_t optl)
{
    int r = lht_mount_add(st->ctx, no, origin, src.s, src.l, tgt.s, tgt.l, fst.s, fst.l, opts, optl);

    if (r > 0)
        st->added++;
    return r;
}

/* ---- shapes: each returns 1 parsed, 0 not this shape, BROKEN this shape
 * but unusable (already noted), or a negative lht_code ------------------ */

#define BROKEN 2

static int broken(struct mstate *st, long no, const char *what, const char *s, size_t len)
{
    int r = note(st, no, what, s, len);
    return r < 0 ? r : BROKEN;
}

/* 36 35 98:0 /root /target mopts [optional...] - fstype source sopts */
static int shape_mountinfo(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice t[MAX_TOKS];
    int n = toks(s, len, t, MAX_TOKS), i;
    char both[ESC_BUF];
    size_t bl;

    if (n < 3 || !is_digits(t[0]) || !is_digits(t[1]) || !is_majmin(t[2]))
        return 0;
    for (i = 6; i < n; i++)
        if (eq(t[i], "-"))
            break;
    if (i + 3 >= n)
        return broken(st, no, "mountinfo row with missing fields", s, len);
    if (i + 4 != n)
        return broken(st, no, "mountinfo row with extra fields", s, len);
    /* findmnt shows both option sets too; keep both, as printed */
    bl = t[5].l + 1 + t[i + 3].l;
    if (bl > sizeof both)
        return broken(st, no, "mountinfo options too long", s, len);
    memcpy(both, t[5].s, t[5].l);
    both[t[5].l] = ',';
    memcpy(both + t[5].l + 1, t[i + 3].s, t[i + 3].l);
    return add(st, no, LHT_MOUNT_MOUNTINFO, t[i + 2], t[4], t[i + 1], both, bl);
}

/* SRC on TARGET type FSTYPE (OPTS) [LABEL]   or BSD: SRC on TARGET (FSTYPE, OPTS) */
static int shape_mount_cmd(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice t[MAX_TOKS], tgt, fst;
    int n = toks(s, len, t, MAX_TOKS), i;
    const char *e = s + len, *open = NULL, *close = NULL, *q, *comma, *os;
    size_t ol;

    if (n < 3 || !eq(t[1], "on"))
        return 0;
    /* the last "type" followed by a fstype and "(": targets may hold " type " */
    for (i = n - 2; i >= 3; i--)
        if (eq(t[i], "type") && is_fstype(t[i + 1]) && (i + 2 == n || t[i + 2].s[0] == '('))
            break;
    if (i >= 3) {
        tgt.s = t[2].s;
        tgt.l = (size_t)(t[i - 1].s + t[i - 1].l - t[2].s);
        fst = t[i + 1];
        if (i + 2 == n)
            return broken(st, no, "mount row without options", s, len);
        open = t[i + 2].s + 1;
        for (q = e; q > open; q--)
            if (q[-1] == ')') {
                close = q - 1;
                break;
            }
        if (close == NULL)
            return broken(st, no, "mount row with cut-off options", s, len);
        return add(st, no, LHT_MOUNT_CMD, t[0], tgt, fst, open, (size_t)(close - open));
    }
    /* BSD/macOS: the last " (" opens "fstype, opt, opt" */
    for (q = e - 1; q > t[2].s; q--)
        if (*q == '(' && q[-1] == ' ') {
            open = q + 1;
            break;
        }
    if (open == NULL)
        return broken(st, no, "mount row without type or options", s, len);
    close = memchr(open, ')', (size_t)(e - open));
    if (close == NULL)
        return broken(st, no, "mount row with cut-off options", s, len);
    tgt.s = t[2].s;
    tgt.l = lht_rtrim(t[2].s, (size_t)(open - 1 - t[2].s));
    comma = memchr(open, ',', (size_t)(close - open));
    fst.s = open;
    fst.l = (size_t)((comma ? comma : close) - open);
    if (!is_fstype(fst))
        return broken(st, no, "mount row with unreadable type", s, len);
    os = comma ? comma + 1 : close;
    ol = (size_t)(close - os);
    os = lht_ltrim(os, &ol);
    return add(st, no, LHT_MOUNT_CMD, t[0], tgt, fst, comma ? os : NULL, ol);
}

/* "TARGET from SERVER:/EXPORT" opens a block; returns 1 when it did. */
static int shape_nfsstat_from(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice t[MAX_TOKS];
    int n = toks(s, len, t, MAX_TOKS);
    const char *colon;

    /* "server:/export" alone: a doc that cut "TARGET from"; it counts
     * only if a Flags line follows */
    if (n == 1 && t[0].s[0] != '/' && (colon = memchr(t[0].s, ':', t[0].l)) != NULL &&
        colon + 1 < t[0].s + t[0].l && colon[1] == '/' && colon > t[0].s) {
        st->nfs_pending = st->nfs_src_only = 1;
        st->nfs_tgt = none;
        st->nfs_src = t[0];
        st->nfs_no = no;
        return 1;
    }
    /* "Pulled from docker.io/x:1" is prose: a mount point and server:/path */
    if (n < 3 || n == MAX_TOKS || !eq(t[n - 2], "from") || t[0].s[0] != '/')
        return 0;
    colon = memchr(t[n - 1].s, ':', t[n - 1].l);
    if (colon == NULL || colon + 1 >= t[n - 1].s + t[n - 1].l || colon[1] != '/')
        return 0;
    /* IPv6 servers print as [fd00::1]:/export: the colon after ']' counts */
    if (t[n - 1].s[0] == '[') {
        const char *rb = memchr(t[n - 1].s, ']', t[n - 1].l);
        if (rb == NULL || rb + 2 >= t[n - 1].s + t[n - 1].l || rb[1] != ':' || rb[2] != '/')
            return 0;
    }
    st->nfs_pending = 1;
    st->nfs_src_only = 0;
    st->nfs_tgt.s = t[0].s;
    st->nfs_tgt.l = (size_t)(t[n - 3].s + t[n - 3].l - t[0].s);
    st->nfs_src = t[n - 1];
    st->nfs_no = no;
    return 1;
}

/* A "from" line whose Flags line never came: keep what it says. */
static int flush_nfsstat(struct mstate *st)
{
    int r;

    if (!st->nfs_pending)
        return 0;
    st->nfs_pending = 0;
    if (st->nfs_src_only)
        return 0;   /* a lone server:/export that was no nfsstat block after all */
    r = note(st, st->nfs_no, "nfsstat block without Flags line", st->nfs_tgt.s, st->nfs_tgt.l);
    if (r < 0)
        return r;
    return add(st, st->nfs_no, LHT_MOUNT_NFSSTAT, st->nfs_src, st->nfs_tgt, none, NULL, 0);
}

/* SRC TARGET FSTYPE OPTS [DUMP PASS]. How sure the caller is that this is
 * a mount table decides what a short or odd row means. */
enum proc_mode {
    PROC_TABLE,   /* the member is a mount table: read leniently, note misfits */
    PROC_GUESS,   /* mixed text: only rows that cannot be anything else */
    PROC_CUTOFF   /* mixed text, nothing matched: note a cut-off NFS row */
};

static size_t glyph_prefix(const char *s, size_t len, int *had);

static int shape_proc(struct mstate *st, const char *s, size_t len, long no, enum proc_mode mode)
{
    struct slice t[8];
    int n = toks(s, len, t, 8);
    int fits;

    int had;

    /* "├─/hana/data /dev/mapper/x xfs rw,..." is a findmnt row */
    if (n < 2 || t[1].s[0] != '/' || glyph_prefix(t[0].s, t[0].l, &had) > 0)
        return 0;
    fits = n >= 4 && n <= 6 && is_fstype(t[2]) && (n < 5 || is_digits(t[4])) &&
           (n < 6 || is_digits(t[5]));
    switch (mode) {
    case PROC_TABLE:
        if (!fits)
            return broken(st, no, n < 4 ? "mount table row with missing fields"
                                        : "mount table row with odd fields", s, len);
        break;
    case PROC_GUESS:
        /* four fields could be a findmnt row: ask for the kernel's "rw"/"ro" */
        if (!fits || n == 5 || (n == 4 && !looks_like_options(t[3])))
            return 0;
        break;
    case PROC_CUTOFF:
        if (n == 3 && is_fstype(t[2]) && lht_starts(t[2].s, t[2].l, "nfs"))
            return broken(st, no, "mount table row with missing fields", s, len);
        return 0;
    }
    return add(st, no, LHT_MOUNT_PROC, t[0], t[1], t[2], t[3].s, t[3].l);
}

/* Tree glyphs before a findmnt TARGET: "├─", "└─", "│ " (UTF-8 box drawing,
 * E2 94 xx) or ASCII "|-", "`-", "| ". Returns the bytes to skip. */
static size_t glyph_prefix(const char *s, size_t len, int *had)
{
    size_t i = 0;

    *had = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x94 &&
            ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
            i += 3;
            *had = 1;
        } else if (c == '|' || c == '`') {
            i++;
            *had = 1;
        } else if ((c == '-' && *had) || c == ' ' || c == '\t') {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* Display column of p in the line: UTF-8 continuation bytes take none. */
static size_t display_col(const char *line, const char *p)
{
    size_t col = 0;

    for (; line < p; line++)
        if (((unsigned char)*line & 0xC0) != 0x80)
            col++;
    return col;
}

static int lookup_col(struct slice t, enum col *out)
{
    size_t i;

    for (i = 0; i < sizeof findmnt_cols / sizeof findmnt_cols[0]; i++)
        if (eq(t, findmnt_cols[i].name)) {
            *out = findmnt_cols[i].col;
            return 1;
        }
    return 0;
}

/* "TARGET SOURCE FSTYPE OPTIONS" (any known set): remember the layout. */
static int shape_findmnt_header(struct mstate *st, const char *s, size_t len)
{
    struct slice t[MAX_COLS + 1];
    int n = toks(s, len, t, MAX_COLS + 1), i, named = 0;
    enum col c[MAX_COLS];

    if (n < 2 || n > MAX_COLS)
        return 0;
    for (i = 0; i < n; i++) {
        if (!lookup_col(t[i], &c[i]))
            return 0;
        named += c[i] == COL_TARGET || c[i] == COL_SOURCE;
    }
    if (named == 0)
        return 0;
    st->ncols = n;
    for (i = 0; i < n; i++) {
        st->cols[i] = c[i];
        st->colpos[i] = display_col(s, t[i].s);
    }
    return 1;
}

/* Options from OPTIONS, or VFS-OPTIONS and FS-OPTIONS joined like mountinfo. */
static int findmnt_emit(struct mstate *st, const char *s, size_t len, long no, struct slice *byc)
{
    struct slice opts = byc[COL_OPTIONS];
    char both[ESC_BUF];

    if (byc[COL_TARGET].s == NULL)
        return broken(st, no, "findmnt row without TARGET", s, len);
    if (opts.s == NULL && byc[COL_VFS_OPTIONS].s && byc[COL_FS_OPTIONS].s &&
        byc[COL_VFS_OPTIONS].l + 1 + byc[COL_FS_OPTIONS].l <= sizeof both) {
        size_t a = byc[COL_VFS_OPTIONS].l;
        memcpy(both, byc[COL_VFS_OPTIONS].s, a);
        both[a] = ',';
        memcpy(both + a + 1, byc[COL_FS_OPTIONS].s, byc[COL_FS_OPTIONS].l);
        opts.s = both;
        opts.l = a + 1 + byc[COL_FS_OPTIONS].l;
    } else if (opts.s == NULL) {
        opts = byc[COL_VFS_OPTIONS].s ? byc[COL_VFS_OPTIONS] : byc[COL_FS_OPTIONS];
    }
    return add(st, no, LHT_MOUNT_FINDMNT, byc[COL_SOURCE], byc[COL_TARGET], byc[COL_FSTYPE],
               opts.s, opts.l);
}

/* findmnt -P: TARGET="/" SOURCE="/dev/sda1" FSTYPE="ext4" OPTIONS="rw" */
static int shape_findmnt_pairs(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice byc[COL_FS_OPTIONS + 1];
    const char *p = s, *e = s + len;
    int pairs = 0;

    memset(byc, 0, sizeof byc);
    while (p < e) {
        const char *k, *q, *v;
        struct slice key;
        enum col c;
        size_t i;

        while (p < e && *p == ' ')
            p++;
        if (p >= e)
            break;
        k = p;
        while (p < e && *p != '=' && *p != ' ')
            p++;
        if (p + 1 >= e || *p != '=' || p[1] != '"')
            return pairs ? broken(st, no, "findmnt -P row cut off", s, len) : 0;
        key.s = k;
        key.l = (size_t)(p - k);
        v = p + 2;
        q = memchr(v, '"', (size_t)(e - v));
        if (q == NULL)
            return pairs ? broken(st, no, "findmnt -P row cut off", s, len) : 0;
        if (!lookup_col(key, &c)) {
            /* columns newer than the table: any upper-case name */
            for (i = 0; i < key.l; i++)
                if (!((k[i] >= 'A' && k[i] <= 'Z') || k[i] == '_' || (k[i] >= '0' && k[i] <= '9')))
                    return 0;
            c = COL_OTHER;
        }
        if (c != COL_OTHER) {
            byc[c].s = v;
            byc[c].l = (size_t)(q - v);
        }
        pairs++;
        p = q + 1;
    }
    if (pairs < 2 || (byc[COL_TARGET].s == NULL && byc[COL_SOURCE].s == NULL))
        return 0;
    return findmnt_emit(st, s, len, no, byc);
}

/* A findmnt row under the last header seen. */
static int shape_findmnt_row(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice t[MAX_COLS + 1], byc[COL_FS_OPTIONS + 1];
    int had, n, i;
    const char *r = s;
    size_t rl = len;

    memset(byc, 0, sizeof byc);
    if (st->cols[0] == COL_TARGET) {
        size_t skip = glyph_prefix(s, len, &had);
        r = s + skip;
        rl = len - skip;
        if (rl == 0 || r[0] != '/')
            return 0;
    }
    n = toks(r, rl, t, MAX_COLS + 1);
    if (n == st->ncols) {
        for (i = 0; i < n; i++)
            byc[st->cols[i]] = t[i];
    } else if (n > 0 && n < st->ncols) {
        /* empty cells (LABEL, UUID): place each value under its header;
         * libsmartcols pads every row to the same column starts */
        for (i = 0; i < n; i++) {
            size_t col = display_col(s, t[i].s);
            int k = st->ncols - 1;
            if (i == 0 && st->cols[0] == COL_TARGET)
                col = 0;   /* tree glyphs shift the target, not the column */
            while (k > 0 && st->colpos[k] > col)
                k--;
            byc[st->cols[k]] = t[i];
        }
    } else {
        return 0;
    }
    if (byc[COL_TARGET].s && byc[COL_TARGET].s[0] != '/')
        return 0;
    if (byc[COL_FSTYPE].s && !is_fstype(byc[COL_FSTYPE]))
        return 0;
    if (byc[COL_OPTIONS].s && !looks_like_options(byc[COL_OPTIONS]))
        return 0;
    if (byc[COL_VFS_OPTIONS].s && !looks_like_options(byc[COL_VFS_OPTIONS]))
        return 0;
    return findmnt_emit(st, s, len, no, byc);
}

/* Without a header (`findmnt -n`, `findmnt | grep nfs`):
 * "[glyphs]/target source fstype rw,...". */
static int shape_findmnt_bare(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice t[5];
    int had, n;
    size_t skip = glyph_prefix(s, len, &had);
    const char *r = s + skip;
    size_t rl = len - skip;

    if (rl == 0 || r[0] != '/')
        return 0;
    n = toks(r, rl, t, 5);
    if (n != 4 || !is_fstype(t[2]) || !looks_like_options(t[3]))
        return 0;
    /* "/dev/sda1 / ext4 rw" is /proc/mounts cut to four fields */
    if (!had && t[1].s[0] == '/' && lht_starts(t[0].s, t[0].l, "/dev/") &&
        !lht_starts(t[1].s, t[1].l, "/dev/"))
        return 0;
    return add(st, no, LHT_MOUNT_FINDMNT, t[1], t[0], t[2], t[3].s, t[3].l);
}

/* The mount of a wrapped Flags line, with the options gathered so far. */
static int flush_flags(struct mstate *st)
{
    if (!st->flags_open)
        return 0;
    st->flags_open = 0;
    return add(st, st->nfs_no, LHT_MOUNT_NFSSTAT, st->nfs_src, st->nfs_tgt, none, st->flags, st->flags_len);
}

/* A continuation of a wrapped Flags line: one word of options
 * ("proto=tcp,timeo=600,"); 1 when it was one (joined on). */
static int flags_more(struct mstate *st, const char *s, size_t len)
{
    struct slice t[2];
    int n = toks(s, len, t, 2);

    if (n != 1 || (memchr(t[0].s, '=', t[0].l) == NULL && memchr(t[0].s, ',', t[0].l) == NULL) ||
        memchr(t[0].s, ':', t[0].l) != NULL || st->flags_len + t[0].l >= sizeof st->flags)
        return 0;
    memcpy(st->flags + st->flags_len, t[0].s, t[0].l);
    st->flags_len += t[0].l;
    if (t[0].s[t[0].l - 1] != ',')
        return flush_flags(st) < 0 ? LHT_ENOMEM : 1;
    return 1;
}

/* ---- findmnt -J ------------------------------------------------------- */

/* "key": "value" with the value's slice; 0 when the line is not that. */
static int json_pair(const char *s, size_t len, struct slice *key, struct slice *val)
{
    const char *p = s, *e = s + len, *q;

    p = lht_ltrim(p, &len);
    e = p + len;
    if (p >= e || *p != '"' || (q = memchr(p + 1, '"', (size_t)(e - p - 1))) == NULL)
        return 0;
    key->s = p + 1;
    key->l = (size_t)(q - p - 1);
    for (p = q + 1; p < e && (*p == ' ' || *p == ':'); p++)
        ;
    if (p >= e || *p != '"') {
        val->s = NULL;   /* null, a number, [ or { */
        val->l = 0;
        return 1;
    }
    for (q = p + 1; q < e && *q != '"'; q++)
        if (*q == '\\')
            q++;
    if (q >= e)
        return 0;
    val->s = p + 1;
    val->l = (size_t)(q - p - 1);
    return 1;
}

static int json_flush(struct mstate *st)
{
    struct slice *js = st->js;
    int r = 0;

    /* a document cut inside an object leaves a target alone: no mount */
    if (js[COL_TARGET].s && js[COL_TARGET].s[0] == '/' && (js[COL_SOURCE].s || js[COL_FSTYPE].s))
        r = findmnt_emit(st, js[COL_TARGET].s, js[COL_TARGET].l, st->js_no, js);
    memset(st->js, 0, sizeof st->js);
    return r < 0 ? r : 0;
}

/* A line of findmnt -J output: 1 consumed, 0 not JSON, or < 0. */
static int shape_findmnt_json(struct mstate *st, const char *s, size_t len, long no)
{
    struct slice key, val;
    enum col c;
    size_t i;

    if (!st->json) {
        if (lht_find(s, len, "\"filesystems\"") == NULL)
            return 0;
        st->json = 1;
        memset(st->js, 0, sizeof st->js);
        return 1;
    }
    if (json_pair(s, len, &key, &val) && !(key.l == 8 && memcmp(key.s, "children", 8) == 0)) {
        char name[32];
        /* findmnt -J spells the columns in lower case */
        if (key.l >= sizeof name)
            return 1;
        for (i = 0; i < key.l; i++)
            name[i] = (char)(key.s[i] >= 'a' && key.s[i] <= 'z' ? key.s[i] - 32 : key.s[i]);
        if (lookup_col((struct slice){name, key.l}, &c) && c != COL_OTHER && val.s != NULL) {
            if (c == COL_TARGET)
                st->js_no = no;
            st->js[c] = val;
        }
        return 1;
    }
    /* "{", "}", "]", "children": an object ends or its children begin */
    for (i = 0; i < len; i++)
        if (s[i] == '{' || s[i] == '}' || s[i] == '[' || s[i] == ']') {
            int r = json_flush(st);
            return r < 0 ? r : 1;
        }
    return 0;
}

/* A mountinfo row quoted inline: the `...` spans of a prose line. */
static int inline_code(struct mstate *st, const char *s, size_t len, long no)
{
    const char *p = s, *e = s + len, *a, *b;
    int r;

    while ((a = memchr(p, '`', (size_t)(e - p))) != NULL && (b = memchr(a + 1, '`', (size_t)(e - a - 1))) != NULL) {
        if (b - a > 20 && (r = shape_mountinfo(st, a + 1, (size_t)(b - a - 1), no)) != 0)
            return r;
        p = b + 1;
    }
    return 0;
}

/* ---- driver ------------------------------------------------------------- */

/* One line: 1 parsed (or consumed), 0 not a mount line, BROKEN, or < 0. */
static int parse_line(struct mstate *st, const char *s, size_t len, long no)
{
    const char *p = s;
    size_t l = len;
    int r;

    p = lht_ltrim(p, &l);
    if (lht_starts(p, l, "Flags:")) {
        struct slice opts;
        if (!st->nfs_pending)
            return broken(st, no, "nfsstat Flags line without a mount line", s, len);
        st->nfs_pending = 0;
        opts.s = p + 6;
        opts.l = l - 6;
        opts.s = lht_ltrim(opts.s, &opts.l);
        opts.l = lht_rtrim(opts.s, opts.l);
        if (opts.l == 0 || opts.s[opts.l - 1] != ',' || opts.l >= sizeof st->flags)
            return add(st, st->nfs_no, LHT_MOUNT_NFSSTAT, st->nfs_src, st->nfs_tgt, none, opts.s, opts.l);
        /* wrapped: the options go on on the next lines */
        memcpy(st->flags, opts.s, opts.l);
        st->flags_len = opts.l;
        st->flags_open = 1;
        return 1;
    }
    if ((r = inline_code(st, s, len, no)) != 0)
        return r;
    if ((r = flush_nfsstat(st)) < 0)
        return r;
    if ((r = shape_findmnt_json(st, s, len, no)) != 0)
        return r;
    if (st->want == LHT_MOUNT_PROC && (r = shape_proc(st, s, len, no, PROC_TABLE)) != 0)
        return r;
    if ((r = shape_findmnt_pairs(st, s, len, no)) != 0)
        return r;
    if (shape_findmnt_header(st, s, len))
        return 1;
    if (st->ncols > 0 && (r = shape_findmnt_row(st, s, len, no)) != 0)
        return r;
    if ((r = shape_mountinfo(st, s, len, no)) != 0)
        return r;
    if ((r = shape_mount_cmd(st, s, len, no)) != 0)
        return r;
    if (shape_nfsstat_from(st, s, len, no))
        return 1;
    if ((r = shape_proc(st, s, len, no, PROC_GUESS)) != 0)
        return r;
    if (st->ncols == 0 && (r = shape_findmnt_bare(st, s, len, no)) != 0)
        return r;
    return shape_proc(st, s, len, no, PROC_CUTOFF);
}

static int parse_all(const char *buf, size_t len, const struct lht_pctx *ctx, int want)
{
    struct mstate st;
    struct lht_lines it;
    struct lht_line ln;
    int r;

    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.want = want;
    if (buf == NULL)
        len = 0;
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = lht_rtrim(ln.s, ln.len), tl;
        const char *s = ln.s, *t;

        if (st.flags_open) {
            if (l > 0 && (r = flags_more(&st, s, l)) != 0) {
                if (r < 0)
                    return r;
                continue;
            }
            if ((r = flush_flags(&st)) < 0)
                return r;
        }
        if (l == 0)
            continue;   /* nfsstat separates blocks with blank lines */
        if (l > MAX_LINE) {
            if ((r = note(&st, ln.no, "line too long, skipped", s, l)) < 0)
                return r;
            continue;
        }
        if (memchr(s, '\0', l) != NULL) {
            if ((r = note(&st, ln.no, "line with NUL bytes skipped", s, l)) < 0)
                return r;
            continue;
        }
        tl = l;
        t = lht_ltrim(s, &tl);
        if (tl == 0 || t[0] == '#')
            continue;   /* fstab/mtab comments */
        r = parse_line(&st, s, l, ln.no);
        if (r < 0)
            return r;
        if (r == 0 && want >= 0) {
            /* inside a member of known kind, any unread line is news */
            if ((r = note(&st, ln.no, "not a mount row", s, l)) < 0)
                return r;
        }
    }
    if ((r = flush_flags(&st)) < 0 || (r = flush_nfsstat(&st)) < 0 || (r = json_flush(&st)) < 0)
        return r;
    if (st.dropped_notes > 0) {
        struct lht_prov at = lht_pctx_at(ctx, ctx->first_line);
        if (lht_facts_note(ctx->facts, &at, "mounts: %d more unreadable lines not noted",
                               st.dropped_notes) != LHT_OK)
            return LHT_ENOMEM;
    }
    return st.added;
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
