/*
 * mountstats.c - /proc/<pid>/mountstats and mountstats(8) into mount rows.
 *
 * sos copies /proc/self/mountstats (the filesys plugin,
 * https://github.com/sosreport/sos/blob/4.10.0/sos/report/plugins/filesys.py),
 * and customers paste it; for an NFS mount it is the one file that shows
 * the export, the mount point and the negotiated version together. The
 * kernel prints one block per mount (show_vfsstat in fs/proc_namespace.c,
 * nfs_show_stats in fs/nfs/super.c,
 * https://github.com/torvalds/linux/blob/master/fs/proc_namespace.c):
 *     device 10.43.58.194:/pvc-d09e mounted on /var/lib/kubelet/pods/3f10/mount with fstype nfs4 statvers=1.1
 *     <TAB>opts:<TAB>rw,vers=4.1,rsize=1048576,...,proto=tcp,timeo=600
 *     <TAB>age:<TAB>1424
 *     ...           (caps, nfsv4, sec, events, bytes, xprt, per-op rows)
 *     device proc mounted on /proc with fstype proc
 *     no device mounted on /x with fstype y           (a mount without a name)
 * Device and mount point are escaped like /proc/mounts (" \t\n\\" as
 * octal). Pastes turn the TABs into spaces or strip the indentation
 * (statvers=1.0 kernels look the same), and `grep 'fstype nfs'` keeps the
 * device lines alone: a device line is a mount by itself, its opts: line
 * (the first one before the next device line) adds the options.
 *
 * The mountstats(8) tool of nfs-utils (tools/mountstats/mountstats.py,
 * display_nfs_options; sos 4.7.1+ runs `mountstats -n`) prints
 *     Stats for 10.43.58.194:/pvc-d09e mounted on /var/lib/kubelet/pods/3f10/mount:
 *       NFS mount options: rw,vers=4.1,rsize=1048576,...
 * for NFS mounts only; a block becomes a mount when its options line
 * comes (`-r` and `-x` print the header without one).
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <string.h>

#define MAX_NOTES 8
#define MAX_LINE (64 * 1024)

struct tok {
    const char *s;
    size_t l;
};

struct ms {
    const struct lht_pctx *ctx;
    int added, notes;
    int pending;              /* a device/Stats line waits for its options */
    int tool;                 /* ... from mountstats(8), which needs them */
    struct tok src, tgt, fst;
    long no;
};

static int teq(struct tok t, const char *lit)
{
    size_t n = strlen(lit);
    return t.l == n && memcmp(t.s, lit, n) == 0;
}

static int toks(const char *s, size_t len, struct tok *t, int max)
{
    const char *p = s, *e = s + len, *ts;
    size_t tl;
    int n = 0;

    while (n < max && lht_tok(&p, e, &ts, &tl)) {
        t[n].s = ts;
        t[n].l = tl;
        n++;
    }
    return n;
}

static int note(struct ms *st, long no, const char *what, const char *s, size_t len)
{
    if (st->notes >= MAX_NOTES)
        return LHT_OK;
    st->notes++;
    return lht_pctx_note_line(st->ctx, no, "mountstats", what, s, len);
}

/* The waiting block becomes a mount, with opts (NULL: none printed). */
static int flush(struct ms *st, const struct tok *opts)
{
    int r;

    if (!st->pending)
        return 0;
    st->pending = 0;
    if (st->tool && opts == NULL)
        return 0;
    r = lht_mount_add(st->ctx, st->no, LHT_MOUNT_MOUNTSTATS, st->src.s, st->src.l, st->tgt.s, st->tgt.l,
                      st->fst.s, st->fst.l, opts ? opts->s : NULL, opts ? opts->l : 0);
    if (r > 0)
        st->added++;
    return r < 0 ? r : 0;
}

/* "[no ]device SRC mounted on TGT with fstype TYPE [statvers=V]":
 * 1 read, 0 not such a line, < 0 error. */
static int device_line(struct ms *st, const struct tok *t, int n, const char *s, size_t len, long no)
{
    int nodev = n > 1 && teq(t[0], "no") && teq(t[1], "device");
    int r;

    if (!teq(t[0], "device") && !nodev)
        return 0;
    if (n < 8 || n > 9 || !teq(t[2], "mounted") || !teq(t[3], "on") || !teq(t[5], "with") ||
        !teq(t[6], "fstype"))
        return n >= 3 && teq(t[2], "mounted") ? note(st, no, "device line cut off", s, len) : 0;
    if ((r = flush(st, NULL)) < 0)
        return r;
    st->pending = 1;
    st->tool = 0;
    st->src.s = nodev ? NULL : t[1].s;
    st->src.l = nodev ? 0 : t[1].l;
    st->tgt = t[4];
    st->fst = t[7];
    st->no = no;
    return 1;
}

/* "Stats for SRC mounted on TGT:" (mountstats(8)). */
static int stats_line(struct ms *st, const struct tok *t, int n, long no)
{
    int r;

    if (n != 6 || !teq(t[0], "Stats") || !teq(t[1], "for") || !teq(t[3], "mounted") || !teq(t[4], "on") ||
        t[5].l < 2 || t[5].s[t[5].l - 1] != ':')
        return 0;
    if ((r = flush(st, NULL)) < 0)
        return r;
    st->pending = 1;
    st->tool = 1;
    st->src = t[2];
    st->tgt.s = t[5].s;
    st->tgt.l = t[5].l - 1;
    st->fst.s = NULL;   /* NFS only; the version tells which */
    st->fst.l = 0;
    st->no = no;
    return 1;
}

static int line(struct ms *st, const char *s, size_t len, long no)
{
    struct tok t[12];
    int n = toks(s, len, t, 12), r;

    if (n == 0)
        return 0;
    if ((r = device_line(st, t, n, s, len, no)) != 0 || (r = stats_line(st, t, n, no)) != 0)
        return r < 0 ? r : 0;
    if (st->pending && !st->tool && n == 2 && teq(t[0], "opts:"))
        return flush(st, &t[1]);
    if (st->pending && st->tool && n == 4 && teq(t[0], "NFS") && teq(t[1], "mount") && teq(t[2], "options:"))
        return flush(st, &t[3]);
    return 0;   /* counters and rates: not ours to keep */
}

int lht_parse_mountstats(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct ms st;
    struct lht_lines it;
    struct lht_line ln;
    int r;

    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    lht_lines_init(&it, buf, buf ? len : 0, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = lht_rtrim(ln.s, ln.len);
        if (l == 0)
            continue;
        if (l > MAX_LINE || memchr(ln.s, '\0', l) != NULL)
            r = note(&st, ln.no, "unreadable line skipped", ln.s, l);
        else
            r = line(&st, ln.s, l, ln.no);
        if (r < 0)
            return r;
    }
    if ((r = flush(&st, NULL)) < 0)
        return r;
    return st.added;
}
