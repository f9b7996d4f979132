/*
 * source.c - stage 1: inputs to members with libarchive (see source.h).
 *
 * Nested archives are streamed, not buffered: the child archive's read
 * callback pulls bytes from the parent with archive_read_data(), so a 2 GB
 * node zip inside a bundle costs one 64 KiB block per nesting level rather
 * than its size in RAM. Leaf members are read up to member_cap into one
 * buffer that is reused for the whole walk, or, when the caller asks to
 * stream them (logs), handed over in line-aligned pieces of that buffer.
 */
#include "ingest/source.h"
#include "ingest/unpack.h"
#include "ingest/zipdir.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

struct nested;

struct walk {
    const struct lht_source_opts *o;
    const struct lht_source_cb *cb;
    const char *input;
    const char *zip_path;       /* the input as a file zipdir can open, or NULL */
    lht_err *err;
    unsigned long long total;   /* leaf bytes read so far */
    unsigned long members;      /* members seen so far, all levels */
    char *buf;                  /* leaf member buffer, reused */
    size_t cap;
    struct lht_zipdir *zipdir;  /* stored zips of the input zip, or NULL */
    int zipdir_tried;
    unsigned long damaged;      /* damage seen (each also went to warn()) */
    char first_damage[400];     /* "member: what" of the first */
    char input_damage[400];     /* the input's own: cut short, bad trailer, bad directory */
    char why[256];              /* a read failure's message, copied off libarchive */
    /* progress: where in the input file the walk is */
    struct archive *top;        /* the input's own archive, or NULL (a folder) */
    const struct nested *range; /* what reads the input file by offset now, or NULL */
    unsigned long long size;    /* the input's size, 0 when unknown */
    long long last_ms;          /* of the last progress call; -1 before the first */
    const struct lht_zipread *fzr; /* the fast zip reader reading the input by offset now, or NULL */
};

/* Where a leaf member's bytes come from: libarchive's current entry, or
 * the fast zip reader (zipdir.h) positioned on the member. */
struct rd {
    struct archive *a;
    struct lht_zipread *zr;
};

/* Bytes of an archive opened with our own callbacks: pulled from the
 * parent archive's member (parent set), or read straight from a file range
 * (fd, base, size): a zip stored in the input zip file, which can seek, or
 * a compressed input file. When they are gzip or xz, z decompresses them
 * (unpack.h); the first block, read to tell, is handed on first. */
struct nested {
    struct archive *parent;
    struct lht_zipread *zr;  /* or the bytes come from this member of a fast-read zip */
    int fd;
    int stream;           /* fd is a pipe: read(), front to back; pos counts */
    long long base, size, pos;
    struct lht_unpack *z;
    const void *pending;
    long npending;
    char why[256];        /* why the last raw read failed */
    char block[BLOCK];
};

void lht_source_defaults(struct lht_source_opts *o)
{
    /* every hook off */
    memset(o, 0, sizeof *o);
    o->member_cap = 256u << 20;            /* 256 MiB */
    o->total_cap = 64ull << 30;            /* 64 GiB */
    o->max_depth = 4;
    o->max_members = 2000000;
    o->progress_ms = 100;
}

static const char *const archive_suffixes[] = {
    ".zip", ".tar", ".tgz", ".tar.gz", ".txz", ".tar.xz", ".tar.zst",
    ".tzst", ".tar.bz2", ".tbz2", ".tbz", ".gz", ".xz", ".zst", ".bz2", ".7z",
};

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcasecmp(s + n - m, suf) == 0;
}

int lht_source_is_archive_name(const char *path)
{
    size_t i;

    for (i = 0; i < sizeof archive_suffixes / sizeof archive_suffixes[0]; i++)
        if (ends_with(path, archive_suffixes[i]))
            return 1;
    return 0;
}

/* Formats are listed, not format_all: bidders such as mtree would claim
 * some plain text files; raw (lowest bid) turns a loose text file, or a
 * gzip'd one, into a single member. zip_stream: read zips by their local
 * headers only, for a zip whose central directory cannot be trusted. */
static struct archive *new_reader(int zip_stream)
{
    struct archive *a = archive_read_new();

    if (a == NULL)
        return NULL;
    archive_read_support_filter_all(a);
    if (zip_stream)
        archive_read_support_format_zip_streamable(a);
    else
        archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_raw(a);
    return a;
}

static void warn(struct walk *w, const char *path, const char *msg)
{
    if (w->cb->warn)
        w->cb->warn(w->cb->ud, path, msg);
}

/* Data was lost or cannot be trusted: a member-level warning, and the
 * walk as a whole ends with LHT_EFORMAT (a partial result). */
static void damage(struct walk *w, const char *path, const char *msg)
{
    warn(w, path, msg);
    if (w->damaged++ == 0)
        snprintf(w->first_damage, sizeof w->first_damage, "%s: %s", path, msg);
}

/* The input itself is damaged (not one member in it): said first. */
static void damage_input(struct walk *w, const char *path, const char *msg)
{
    damage(w, path, msg);
    if (w->input_damage[0] == '\0')
        snprintf(w->input_damage, sizeof w->input_damage, "%s", msg);
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tell the progress hook where the walk is, rate-limited. The position
 * in the input file is that of what reads it by offset (a stored node
 * zip's range, the decompressor of a gzip'd or xz'd input, a pipe) while
 * one does, else what the input's own archive has consumed; in a folder,
 * the bytes of members read. */
static void tick(struct walk *w, const char *member)
{
    struct lht_source_progress p;
    long long now;

    if (w->o->progress == NULL)
        return;
    now = now_ms();
    if (w->last_ms >= 0 && now - w->last_ms < (long long)w->o->progress_ms)
        return;
    w->last_ms = now;
    p.member = member;
    if (w->fzr)
        p.done = (unsigned long long)lht_zipread_pos(w->fzr);
    else if (w->range)
        p.done = (unsigned long long)(w->range->base + w->range->pos);
    else if (w->top)
        p.done = (unsigned long long)archive_filter_bytes(w->top, -1);
    else
        p.done = w->total;
    p.total = w->size;
    if (p.total && p.done > p.total)
        p.done = p.total;
    p.members = w->members;
    w->o->progress(w->o->progress_ud, &p);
}

static const char *archive_why(struct walk *w, struct archive *a, const char *dflt)
{
    const char *m = archive_error_string(a);

    snprintf(w->why, sizeof w->why, "%s", m ? m : dflt);
    return w->why;
}

static int grow(struct walk *w, size_t need)
{
    size_t cap = w->cap ? w->cap : BLOCK;
    char *nb;

    while (cap < need)
        cap *= 2;
    if (cap == w->cap)
        return LHT_OK;
    nb = realloc(w->buf, cap);
    if (nb == NULL)
        return LHT_ENOMEM;
    w->buf = nb;
    w->cap = cap;
    return LHT_OK;
}

static la_ssize_t rd_read(struct walk *w, const struct rd *r, void *buf, size_t n, const char **why)
{
    la_ssize_t got;

    if (r->zr) {
        if ((got = lht_zipread_read(r->zr, buf, n)) < 0) {
            snprintf(w->why, sizeof w->why, "%s", lht_zipread_why(r->zr));
            *why = w->why;
        }
        return got;
    }
    if ((got = archive_read_data(r->a, buf, n)) < 0)
        *why = archive_why(w, r->a, "read error");
    return got;
}

static void rd_skip(const struct rd *r, int disk)
{
    if (r->a && !disk)
        (void)archive_read_data_skip(r->a);
}

/* Read the current entry's data (up to member_cap) into w->buf. *flags
 * gets LHT_MEMBER_CAPPED or LHT_MEMBER_CUT; *failed, for a cut, why. */
static int read_leaf(struct walk *w, const struct rd *rdr, const char *path,
                     size_t *len_out, int *flags, const char **failed)
{
    size_t len = 0;
    la_ssize_t r;

    *flags = 0;
    *failed = NULL;
    for (;;) {
        if (grow(w, len + BLOCK) != LHT_OK)
            return lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
        r = rd_read(w, rdr, w->buf + len, BLOCK, failed);
        if (r == 0)
            break;
        if (r < 0) {
            /* ARCHIVE_WARN too: a zip member whose CRC fails comes back
             * as a warning, its last block withheld */
            *flags = LHT_MEMBER_CUT;
            break;
        }
        len += (size_t)r;
        w->total += (unsigned long long)r;
        tick(w, path);
        if (w->total > w->o->total_cap)
            return lht_err_set(w->err, LHT_ELIMIT,
                               "%s: %s: total size cap of %llu bytes exceeded (raise --max-total)",
                               w->input, path, w->o->total_cap);
        if (len >= w->o->member_cap) {
            len = w->o->member_cap;
            *flags = LHT_MEMBER_CAPPED;
            rd_skip(rdr, 0);
            break;
        }
    }
    *len_out = len;
    return LHT_OK;
}

/* Stream a leaf member in line-aligned pieces through cb->chunk. */
static int read_stream(struct walk *w, const struct rd *rdr, const char *path, long long size)
{
    size_t len = 0;
    int rc = LHT_OK, crc, flags = LHT_CHUNK_LAST;
    const char *failed = NULL;

    if (grow(w, LHT_SOURCE_CHUNK + BLOCK) != LHT_OK)
        return lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
    for (;;) {
        la_ssize_t r = rd_read(w, rdr, w->buf + len, LHT_SOURCE_CHUNK + BLOCK - len, &failed);
        if (r == 0)
            break;
        if (r < 0) {
            flags |= LHT_CHUNK_CUT;
            break;
        }
        len += (size_t)r;
        w->total += (unsigned long long)r;
        tick(w, path);
        if (w->total > w->o->total_cap) {
            rc = lht_err_set(w->err, LHT_ELIMIT,
                             "%s: %s: total size cap of %llu bytes exceeded (raise --max-total)",
                             w->input, path, w->o->total_cap);
            flags |= LHT_CHUNK_CUT;
            break;
        }
        if (len >= LHT_SOURCE_CHUNK) {
            const char *nl = memrchr(w->buf, '\n', len);
            size_t cut = nl ? (size_t)(nl - w->buf) + 1 : len;
            if ((rc = w->cb->chunk(w->cb->ud, path, w->buf, cut, size, 0)) != LHT_OK)
                return rc;   /* the callee has ended the member */
            memmove(w->buf, w->buf + cut, len - cut);
            len -= cut;
        }
    }
    crc = w->cb->chunk(w->cb->ud, path, w->buf, len, size, flags);
    if (failed)
        damage(w, path, failed);
    return rc != LHT_OK ? rc : crc;
}

/* Hand one regular leaf member to the callbacks, as want() asks. top_raw:
 * the input itself is a loose file, which must look like text. disk: a is
 * libarchive's disk reader, which has no data_skip (and needs none). */
static int deliver(struct walk *w, const struct rd *rdr, const char *path, long long size, int top_raw,
                   int disk)
{
    int how = w->cb->want ? w->cb->want(w->cb->ud, path, size) : LHT_WANT_WHOLE;
    size_t len = 0;
    int flags = 0, rc;
    const char *failed = NULL;

    if (how == LHT_WANT_SKIP) {
        rd_skip(rdr, disk);
        return w->cb->member(w->cb->ud, path, NULL, 0, size, 0);
    }
    if (how == LHT_WANT_STREAM && w->cb->chunk && !top_raw)
        return read_stream(w, rdr, path, size);
    if ((rc = read_leaf(w, rdr, path, &len, &flags, &failed)) != LHT_OK)
        return rc;
    if (top_raw && memchr(w->buf, '\0', len < 4096 ? len : 4096) != NULL)
        return lht_err_set(w->err, LHT_EFORMAT, "%s: not a support bundle, archive or text file", w->input);
    rc = w->cb->member(w->cb->ud, path, w->buf ? w->buf : "", len, size >= 0 ? size : (long long)len,
                       flags);
    if (failed)
        damage(w, path, failed);   /* after member(), which recorded the member itself */
    return rc;
}

/* The next raw bytes of n: > 0, 0 at the end, < 0 failed (why in n->why). */
static long raw_next(struct nested *n, const void **buf)
{
    long r;

    if (n->npending > 0) {
        *buf = n->pending;
        r = n->npending;
        n->npending = 0;
        return r;
    }
    if (n->zr != NULL) {
        long got = lht_zipread_read(n->zr, n->block, sizeof n->block);
        if (got < 0) {
            snprintf(n->why, sizeof n->why, "%s", lht_zipread_why(n->zr));
            return -1;
        }
        *buf = n->block;
        return got;
    }
    if (n->parent != NULL) {
        la_ssize_t got = archive_read_data(n->parent, n->block, sizeof n->block);
        if (got < 0) {
            const char *m = archive_error_string(n->parent);
            snprintf(n->why, sizeof n->why, "%s", m ? m : "read error in enclosing archive");
            return -1;
        }
        *buf = n->block;
        return (long)got;
    } else {
        size_t want = n->stream || n->size - n->pos >= BLOCK ? BLOCK : (size_t)(n->size - n->pos);
        ssize_t got;
        do
            got = n->stream ? read(n->fd, n->block, want) : pread(n->fd, n->block, want, (off_t)(n->base + n->pos));
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            snprintf(n->why, sizeof n->why, "read error: %s", strerror(errno));
            return -1;
        }
        n->pos += got;
        *buf = n->block;
        return (long)got;
    }
}

static long unpack_pull(void *ud, const void **buf)
{
    return raw_next(ud, buf);
}

/* libarchive's read callback over n: decompressed when n->z is set. */
static la_ssize_t nested_read(struct archive *a, void *ud, const void **buff)
{
    struct nested *n = ud;
    long r = n->z ? lht_unpack_read(n->z, buff) : raw_next(n, buff);

    if (r < 0) {
        archive_set_error(a, EIO, "%s", n->why[0] ? n->why : n->z && lht_unpack_damage(n->z)
                                                              ? lht_unpack_damage(n->z) : "read error");
        return -1;
    }
    return r;
}

/* Read a decompressed stream to its end after the archive in it ended
 * (a tar stops at its end-of-archive blocks), so that its trailers are
 * checked too. What is read there counts towards the total cap. */
static void drain(struct walk *w, struct nested *n)
{
    const void *buf;
    long r;

    while (w->total <= w->o->total_cap && (r = lht_unpack_read(n->z, &buf)) > 0)
        w->total += (unsigned long long)r;
}

/* Read n's first block and, when it is gzip or xz, put a decompressor in
 * front (the block is handed on first either way). Returns LHT_OK, or
 * LHT_ENOMEM; a failed read leaves it to the archive open to report. */
static int sniff_nested(struct nested *n)
{
    const void *buf = NULL;
    long r = raw_next(n, &buf);
    int kind;

    if (r <= 0)
        return LHT_OK;
    n->pending = buf;
    n->npending = r;
    kind = lht_unpack_sniff(buf, (size_t)r);
    if (kind != LHT_UNPACK_NONE && (n->z = lht_unpack_new(kind, unpack_pull, n)) == NULL)
        return LHT_ENOMEM;
    return LHT_OK;
}

static la_int64_t range_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
    struct nested *n = ud;
    long long to = whence == SEEK_SET ? off : whence == SEEK_CUR ? n->pos + off : n->size + off;

    (void)a;
    if (to < 0 || to > n->size)
        return ARCHIVE_FATAL;
    n->pos = to;
    return to;
}

static la_int64_t range_skip(struct archive *a, void *ud, la_int64_t req)
{
    struct nested *n = ud;
    long long k = req < n->size - n->pos ? req : n->size - n->pos;

    (void)a;
    if (k < 0)
        k = 0;
    n->pos += k;
    return k;
}

/* Open na over the file range of a zip stored in the input zip, when the
 * input is such a file and raw_name is one of its stored zips; 1 opened,
 * 0 not applicable or not to be trusted (stream it instead), -1 open
 * failed (na is spent). */
static int open_range(struct walk *w, struct archive *parent, struct archive *na, struct nested *n,
                      const char *path, const char *raw_name, int depth)
{
    long long off, size;
    char why[256];

    if (depth != 0 || raw_name == NULL ||
        (archive_format(parent) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_ZIP)
        return 0;
    if (!w->zipdir_tried) {
        w->zipdir_tried = 1;
        w->zipdir = w->zip_path ? lht_zipdir_open(w->zip_path) : NULL;
    }
    if (w->zipdir == NULL || !lht_zipdir_find(w->zipdir, raw_name, &off, &size))
        return 0;
    if (lht_zipdir_check(lht_zipdir_fd(w->zipdir), off, size, why, sizeof why) != 0) {
        /* the streaming reader needs only the local headers */
        damage(w, path, why);
        return 0;
    }
    n->parent = NULL;
    n->fd = lht_zipdir_fd(w->zipdir);
    n->base = off;
    n->size = size;
    n->pos = 0;
    archive_read_set_read_callback(na, nested_read);
    archive_read_set_seek_callback(na, range_seek);
    archive_read_set_skip_callback(na, range_skip);
    archive_read_set_callback_data(na, n);
    return archive_read_open1(na) == ARCHIVE_OK ? 1 : -1;
}

static int walk_archive(struct walk *w, struct archive *a, const char *container,
                        int depth);

/* Open na over n, streamed from the parent archive's current member:
 * *opened 1 or -1 (na's error says why). LHT_OK or LHT_ENOMEM. */
static int open_streamed(struct archive *parent, struct archive *na, struct nested *n, int *opened)
{
    n->parent = parent;
    if (sniff_nested(n) != LHT_OK)
        return LHT_ENOMEM;
    *opened = archive_read_open(na, n, NULL, nested_read, NULL) == ARCHIVE_OK ? 1 : -1;
    return LHT_OK;
}

/* raw_name: the member's name as the parent archive stores it, or NULL. */
/* After an inner archive's walk: read what its decompressor has left (for
 * its trailer check) and note damage. A broken inner archive is a damaged
 * member (walk_archive said so); the bundle's other members are still read. */
static int end_nested(struct walk *w, struct nested *n, const char *path, int rc)
{
    if (rc == LHT_OK && n->z)
        drain(w, n);
    if (rc == LHT_EFORMAT) {
        lht_err_clear(w->err);
        rc = LHT_OK;
    }
    if (n->z && lht_unpack_damage(n->z))
        damage(w, path, lht_unpack_damage(n->z));
    return rc;
}

static int open_nested(struct walk *w, struct archive *parent, const char *path, const char *raw_name,
                       int depth)
{
    struct nested *n = NULL;
    const struct nested *outer;
    struct archive *na = NULL;
    int rc = LHT_OK, ranged;

    if (depth + 1 >= w->o->max_depth) {
        warn(w, path, "nested archive deeper than the depth limit, not opened (raise --max-depth)");
        return LHT_OK;
    }
    n = calloc(1, sizeof *n);
    na = new_reader(0);
    if (n == NULL || na == NULL)
        goto oom;
    ranged = open_range(w, parent, na, n, path, raw_name, depth);
    if (ranged < 0) {
        archive_read_free(na);
        if ((na = new_reader(1)) == NULL)
            goto oom;
        ranged = 0;
    }
    if (ranged == 0 && open_streamed(parent, na, n, &ranged) != LHT_OK)
        goto oom;
    if (ranged < 0) {
        damage(w, path, archive_error_string(na) ? archive_error_string(na) : "cannot open nested archive");
        goto done;
    }
    outer = w->range;
    if (n->parent == NULL)
        w->range = n;   /* read by its range of the input file */
    rc = walk_archive(w, na, path, depth + 1);
    w->range = outer;
    rc = end_nested(w, n, path, rc);
    goto done;
oom:
    rc = lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
done:
    archive_read_free(na);
    if (n)
        lht_unpack_free(n->z);
    free(n);
    return rc;
}

static const char *strip_dot_slash(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    while (p[0] == '/')
        p++;
    return p;
}

/* A header libarchive read with a warning: a local header that disagrees
 * with the central directory (sizes, CRC) is damage; a name it could not
 * convert to the locale is only a warning. */
static void header_warning(struct walk *w, const char *container, const char *msg)
{
    if (strstr(msg, "convert") != NULL)
        warn(w, container, msg);
    else
        damage(w, container, msg);
}

/* A tar ends with two 512-byte blocks of zeros. libarchive takes a stream
 * that simply stops at a header boundary as ended too ("some writers do
 * omit the block of nulls"), and every member before it reads whole: an
 * upload cut at a multiple of 512 bytes would pass for complete. The
 * blocks are there when reaching the end consumed bytes past where the
 * next header would have started (at); tar(1), bsdtar, Python's tarfile
 * and Go's archive/tar all write them. */
static void end_of_tar(struct walk *w, struct archive *a, const char *container, int depth,
                       unsigned long members, la_int64_t at)
{
    static const char why[] = "the tar ends without its end-of-archive blocks: cut short at a member "
                              "boundary, or written by a tool that leaves them out";

    if (members == 0 || (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR ||
        archive_filter_bytes(a, 0) != at)
        return;
    if (depth == 0)
        damage_input(w, container, why);
    else
        damage(w, container, why);
}

/* container: path of the archive itself (input basename or a nested
 * member path); members are named container!entry below top level. */
static int walk_archive(struct walk *w, struct archive *a, const char *container,
                        int depth)
{
    struct archive_entry *e;
    char *full = NULL;
    unsigned long here = 0;
    int rc = LHT_OK;

    for (;;) {
        la_int64_t at = archive_filter_bytes(a, 0);
        int r = archive_read_next_header(a, &e);
        const char *name;
        size_t need;
        long long size;

        if (r == ARCHIVE_EOF) {
            end_of_tar(w, a, container, depth, here, at);
            break;
        }
        if (r == ARCHIVE_RETRY) {
            /* a damaged header libarchive skipped past: a member is lost */
            damage(w, container, archive_why(w, a, "damaged archive header skipped"));
            continue;
        }
        if (r == ARCHIVE_FAILED && ++w->members <= w->o->max_members) {
            /* this entry is lost, the ones after it may not be */
            damage(w, container, archive_why(w, a, "unreadable archive entry"));
            continue;
        }
        if (r < ARCHIVE_WARN) {
            const char *m = archive_why(w, a, "unreadable archive");
            rc = lht_err_set(w->err, LHT_EFORMAT, "%s: %s: %s", w->input, container, m);
            damage(w, container, m);
            goto done;
        }
        if (r == ARCHIVE_WARN && archive_error_string(a))
            header_warning(w, container, archive_error_string(a));
        here++;
        if (++w->members > w->o->max_members) {
            rc = lht_err_set(w->err, LHT_ELIMIT, "%s: more than %lu members (raise --max-members)",
                             w->input, w->o->max_members);
            goto done;
        }
        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != NULL)
            continue;
        size = archive_entry_size_is_set(e) ? (long long)archive_entry_size(e) : -1;

        free(full);
        full = NULL;
        if (archive_format(a) == ARCHIVE_FORMAT_RAW || archive_entry_pathname(e) == NULL) {
            full = strdup(container);
        } else {
            name = strip_dot_slash(archive_entry_pathname(e));
            if (depth == 0) {
                full = strdup(name);
            } else {
                need = strlen(container) + strlen(name) + 2;
                full = malloc(need);
                if (full)
                    snprintf(full, need, "%s!%s", container, name);
            }
        }
        if (full == NULL) {
            rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
            goto done;
        }
        tick(w, full);
        if (archive_entry_is_encrypted(e)) {
            warn(w, full, "encrypted member skipped");
            continue;
        }
        if (archive_format(a) != ARCHIVE_FORMAT_RAW && lht_source_is_archive_name(full)) {
            rc = open_nested(w, a, full, archive_entry_pathname(e), depth);
            if (rc != LHT_OK)
                goto done;
            continue;
        }
        {
            struct rd from = {a, NULL};
            rc = deliver(w, &from, full, size, depth == 0 && archive_format(a) == ARCHIVE_FORMAT_RAW, 0);
        }
        if (rc != LHT_OK)
            goto done;
    }
    if (depth == 0 && here == 0)
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: empty archive or file, nothing to scan", w->input);
done:
    free(full);
    return rc;
}

/* Before trusting a zip file's directory: a zip whose directory does not
 * add up is read by its local headers, and said to be damaged. */
static int zip_is_damaged(struct walk *w, int fd, long long size, const unsigned char *magic, size_t n,
                          const char *label, int depth)
{
    char why[256];

    if (n < 4 || memcmp(magic, "PK\003\004", 4) != 0 || lht_zipdir_check(fd, 0, size, why, sizeof why) == 0)
        return 0;
    if (depth == 0) {
        damage_input(w, label, why);
        w->zipdir_tried = 1;   /* nor can its stored zips be found through it */
    } else {
        damage(w, label, why);
    }
    return 1;
}

/* ---- the fast zip path ------------------------------------------------------
 *
 * A zip file, or a zip stored in one (a node zip), whose every member the
 * fast reader covers (zipdir.h) is walked from its central directory: the
 * members the scanner reads are inflated with ISA-L by their file ranges,
 * their CRC-32 and sizes checked, and the rest are never touched (no
 * inflating a data-descriptor member to find where it ends). Anything else
 * stays libarchive's. Members come in libarchive's order, named as it
 * names them, so the facts are the same either way. */

static int walk_fast(struct walk *w, int fd, long long base, long long size, struct lht_ziplist *z,
                     const char *container, int depth);

/* A zip stored uncompressed in a fast-read zip (a node zip): walked by its
 * own directory, from its own file range. */
static int stored_zip(const struct lht_zipentry *e, const char *name)
{
    size_t n = strlen(name);

    return e->method == 0 && n > 4 && strcasecmp(name + n - 4, ".zip") == 0 && lht_source_is_archive_name(name);
}

/* A member of a fast-read zip that is an archive itself: a stored zip by
 * its own range (fast again when it can be), anything else by libarchive
 * pulling the member's bytes through the fast reader. */
static int fast_nested(struct walk *w, int fd, const struct lht_zipentry *e, struct lht_zipread *zr,
                       const char *path, int depth)
{
    struct nested *n = NULL;
    struct archive *na = NULL;
    struct lht_ziplist *sub = NULL;
    char why[256];
    int rc = LHT_OK, opened, damaged = 0;

    if (depth + 1 >= w->o->max_depth) {
        warn(w, path, "nested archive deeper than the depth limit, not opened (raise --max-depth)");
        return LHT_OK;
    }
    if (stored_zip(e, path)) {
        if (lht_zipdir_check(fd, e->offset, e->csize, why, sizeof why) != 0) {
            damage(w, path, why);   /* read by its local headers below */
            damaged = 1;
        } else if ((sub = lht_ziplist_open(fd, e->offset, e->csize)) != NULL) {
            rc = walk_fast(w, fd, e->offset, e->csize, sub, path, depth + 1);
            lht_ziplist_free(sub);
            if (rc == LHT_EFORMAT) {
                lht_err_clear(w->err);   /* a damaged member, said where it was found */
                rc = LHT_OK;
            }
            return rc;
        }
    }
    if ((n = calloc(1, sizeof *n)) == NULL || (na = new_reader(damaged)) == NULL)
        goto oom;
    n->zr = zr;
    if (sniff_nested(n) != LHT_OK)
        goto oom;
    opened = archive_read_open(na, n, NULL, nested_read, NULL) == ARCHIVE_OK;
    if (!opened) {
        damage(w, path, archive_error_string(na) ? archive_error_string(na) : "cannot open nested archive");
        goto done;
    }
    rc = end_nested(w, n, path, walk_archive(w, na, path, depth + 1));
    goto done;
oom:
    rc = lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
done:
    archive_read_free(na);
    if (n)
        lht_unpack_free(n->z);
    free(n);
    return rc;
}

/* The name a member of container is shown by (as walk_archive names it). */
static char *fast_name(const char *container, const char *raw, int depth)
{
    const char *name = strip_dot_slash(raw);
    size_t need = strlen(container) + strlen(name) + 2;
    char *full = malloc(need);

    if (full != NULL)
        snprintf(full, need, depth == 0 ? "%s%s" : "%s!%s", depth == 0 ? "" : container, name);
    return full;
}

/* ---- node zips read ahead ------------------------------------------------
 *
 * Inflating is most of a scan, and a bundle's node zips, stored in it,
 * can each be read from their own file range. So while the walk reads
 * one member of the input zip, a second thread walks the next node zip
 * into a walk of its own and callbacks of their own (lht_source_cb.fork);
 * when the walk reaches it, what it read is joined in that place. The
 * result is what the walk alone would give: whenever it could differ (the
 * second walk stopped short, or the two together pass a limit) the walk
 * drops it and reads the node zip itself. */
static void walk_init(struct walk *w, const char *input, const struct lht_source_opts *o,
                      const struct lht_source_cb *cb, lht_err *err);

struct ahead {
    size_t index;                 /* of the node zip in the input zip */
    int fd, depth;
    const struct lht_zipentry *e;
    char *path;
    struct walk w;                /* its own: counts, damage, buffer */
    struct lht_source_opts o;     /* the walk's, without progress */
    struct lht_source_cb cb;      /* the walk's, with the forked ud */
    lht_err err;
    pthread_t th;
    int rc, walked;
};

static void *ahead_main(void *arg)
{
    struct ahead *a = arg;
    struct lht_ziplist *sub;
    char why[256];

    /* a node zip that needs more than its directory is read in place */
    if (lht_zipdir_check(a->fd, a->e->offset, a->e->csize, why, sizeof why) != 0 ||
        (sub = lht_ziplist_open(a->fd, a->e->offset, a->e->csize)) == NULL)
        return NULL;
    a->rc = walk_fast(&a->w, a->fd, a->e->offset, a->e->csize, sub, a->path, a->depth + 1);
    lht_ziplist_free(sub);
    if (a->rc == LHT_EFORMAT) {
        lht_err_clear(&a->err);   /* a damaged member, said where it was found */
        a->rc = LHT_OK;
    }
    a->walked = 1;
    return NULL;
}

/* A node zip the walk would open in its turn by its own directory. */
static int ahead_fits(const struct walk *w, const struct lht_zipentry *e, const char *name, int depth)
{
    return e->regular && depth + 1 < w->o->max_depth && stored_zip(e, name);
}

/* Start reading the first node zip of z from entry `from` on, or NULL
 * (none, no fork, no thread: it is then read in its turn). */
static struct ahead *ahead_start(struct walk *w, int fd, struct lht_ziplist *z, size_t from, const char *container,
                                 int depth)
{
    struct ahead *a;
    void *sub;
    size_t i;

    if (w->cb->fork == NULL || w->o->no_read_ahead)
        return NULL;
    for (i = from; i < lht_ziplist_count(z); i++)
        if (ahead_fits(w, lht_ziplist_entry(z, i), lht_ziplist_entry(z, i)->name, depth))
            break;
    if (i == lht_ziplist_count(z) || (a = calloc(1, sizeof *a)) == NULL)
        return NULL;
    if ((a->path = fast_name(container, lht_ziplist_entry(z, i)->name, depth)) == NULL ||
        (sub = w->cb->fork(w->cb->ud)) == NULL) {
        free(a->path);
        free(a);
        return NULL;
    }
    a->index = i;
    a->fd = fd;
    a->depth = depth;
    a->e = lht_ziplist_entry(z, i);
    a->o = *w->o;
    a->o.progress = NULL;
    a->cb = *w->cb;
    a->cb.fork = NULL;
    a->cb.join = NULL;
    a->cb.ud = sub;
    walk_init(&a->w, w->input, &a->o, &a->cb, &a->err);
    a->w.zipdir_tried = 1;
    if (pthread_create(&a->th, NULL, ahead_main, a) != 0) {
        (void)w->cb->join(w->cb->ud, sub, 0);
        free(a->path);
        free(a);
        return NULL;
    }
    return a;
}

/* Wait for a, then join what it read (keep) or drop it. 1 when it was
 * joined: the walk goes on after the node zip. */
static int ahead_join(struct walk *w, struct ahead *a, int keep)
{
    int taken;

    pthread_join(a->th, NULL);
    keep = keep && a->walked && a->rc == LHT_OK && w->members + a->w.members <= w->o->max_members &&
           w->total + a->w.total <= w->o->total_cap;
    taken = w->cb->join(w->cb->ud, a->cb.ud, keep) == LHT_OK && keep;
    if (taken) {
        w->members += a->w.members;
        w->total += a->w.total;
        if (w->damaged == 0 && a->w.damaged)
            memcpy(w->first_damage, a->w.first_damage, sizeof w->first_damage);
        w->damaged += a->w.damaged;
    }
    free(a->w.buf);
    free(a->path);
    free(a);
    return taken;
}

static int walk_fast(struct walk *w, int fd, long long base, long long size, struct lht_ziplist *z,
                     const char *container, int depth)
{
    struct lht_zipread *zr = lht_zipread_new();
    const struct lht_zipread *outer = w->fzr;
    struct ahead *ahead = NULL;   /* the next node zip, read on another thread */
    size_t i, here = 0;
    int rc = LHT_OK;

    (void)base;
    (void)size;
    if (zr == NULL)
        return lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
    w->fzr = zr;
    for (i = 0; rc == LHT_OK && i < lht_ziplist_count(z); i++) {
        const struct lht_zipentry *e = lht_ziplist_entry(z, i);
        char *full;
        here++;
        if (++w->members > w->o->max_members) {
            rc = lht_err_set(w->err, LHT_ELIMIT, "%s: more than %lu members (raise --max-members)",
                             w->input, w->o->max_members);
            break;
        }
        if (!e->regular)
            continue;
        if ((full = fast_name(container, e->name, depth)) == NULL) {
            rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
            break;
        }
        tick(w, full);
        if (ahead != NULL && ahead->index == i) {
            int taken = ahead_join(w, ahead, 1);
            ahead = NULL;
            if (taken) {
                free(full);
                continue;
            }
        }
        if (ahead == NULL && depth == 0)
            ahead = ahead_start(w, fd, z, i + 1, container, depth);
        lht_zipread_begin(zr, z, i);
        if (lht_source_is_archive_name(full)) {
            rc = fast_nested(w, fd, e, zr, full, depth);
        } else {
            struct rd from = {NULL, zr};
            rc = deliver(w, &from, full, e->size, 0, 0);
        }
        free(full);
    }
    if (ahead != NULL)
        (void)ahead_join(w, ahead, 0);   /* the walk stopped before it */
    if (rc == LHT_OK && depth == 0 && here == 0)
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: empty archive or file, nothing to scan", w->input);
    w->fzr = outer;
    lht_zipread_free(zr);
    return rc;
}

/* Open a on the file fd (path): through a decompressor when it is gzip or
 * xz (*np gets the source, owned by the caller), else by libarchive. */
static int open_file(struct walk *w, struct archive *a, int fd, const char *path, long long size, int kind,
                     struct nested **np)
{
    struct nested *n;

    (void)w;
    if (kind == LHT_UNPACK_NONE)
        return archive_read_open_filename(a, path, BLOCK) == ARCHIVE_OK ? LHT_OK : LHT_EFORMAT;
    if ((n = *np = calloc(1, sizeof *n)) == NULL || (n->z = lht_unpack_new(kind, unpack_pull, n)) == NULL)
        return LHT_ENOMEM;
    n->fd = fd;
    n->size = size;
    return archive_read_open(a, n, NULL, nested_read, NULL) == ARCHIVE_OK ? LHT_OK : LHT_EFORMAT;
}

/* Walk the archive in file path, its members named below label: the
 * input itself (depth 0) or an archive inside an unpacked folder. A
 * problem of an inner one is a damaged member; of the input, an error. */
static int walk_path(struct walk *w, const char *path, const char *label, int depth)
{
    struct nested *n = NULL;
    struct archive *a = NULL;
    unsigned char magic[8];
    struct stat st;
    ssize_t got = -1;
    int fd, rc, kind = LHT_UNPACK_NONE, zip_stream;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = depth == 0 ? lht_err_set(w->err, LHT_EIO, "%s: %s", w->input, strerror(errno)) : LHT_OK;
        if (depth > 0)
            damage(w, label, strerror(errno));
        goto done;
    }
    got = pread(fd, magic, sizeof magic, 0);
    if (got > 0)
        kind = lht_unpack_sniff(magic, (size_t)got);
    zip_stream = got > 0 && zip_is_damaged(w, fd, (long long)st.st_size, magic, (size_t)got, label, depth);
    if (!zip_stream && kind == LHT_UNPACK_NONE && got >= 4 && memcmp(magic, "PK\003\004", 4) == 0 &&
        !(depth > 0 && w->o->max_depth <= 1)) {
        struct lht_ziplist *z = lht_ziplist_open(fd, 0, (long long)st.st_size);
        if (z != NULL) {
            rc = walk_fast(w, fd, 0, (long long)st.st_size, z, label, depth);
            lht_ziplist_free(z);
            if (depth > 0 && rc == LHT_EFORMAT) {
                lht_err_clear(w->err);
                rc = LHT_OK;
            }
            goto done;
        }
    }
    if ((a = new_reader(zip_stream)) == NULL ||
        (rc = open_file(w, a, fd, path, (long long)st.st_size, kind, &n)) == LHT_ENOMEM) {
        rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
        goto done;
    }
    if (rc != LHT_OK) {
        const char *m = archive_why(w, a, "cannot open");
        if (depth > 0)
            damage(w, label, m);
        rc = depth == 0 ? lht_err_set(w->err, LHT_EFORMAT, "%s: %s", w->input, m) : LHT_OK;
    } else if (depth > 0 && w->o->max_depth <= 1) {
        warn(w, label, "nested archive deeper than the depth limit, not opened (raise --max-depth)");
    } else {
        if (depth == 0) {
            w->top = a;
            w->range = n;   /* a compressed input: its decompressor reads the file */
        }
        rc = walk_archive(w, a, label, depth);
        if (rc == LHT_OK && n)
            drain(w, n);
        if (depth == 0) {
            w->top = NULL;
            w->range = NULL;
        }
    }
    if (n && lht_unpack_damage(n->z))
        (depth == 0 ? damage_input : damage)(w, label, lht_unpack_damage(n->z));
    if (depth > 0 && rc == LHT_EFORMAT) {
        lht_err_clear(w->err);   /* walk_archive has recorded the damage */
        rc = LHT_OK;
    }
done:
    archive_read_free(a);
    if (n)
        lht_unpack_free(n->z);
    free(n);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Unpacked bundle folder: same member stream; archives inside (node zips
 * not unpacked by the engineer) are opened like nested members. */
static int walk_dir(struct walk *w, const char *dir)
{
    struct archive *d = archive_read_disk_new();
    struct archive_entry *e = archive_entry_new();
    size_t dlen = strlen(dir);
    int rc = LHT_OK;

    if (d == NULL || e == NULL) {
        rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", dir);
        goto done;
    }
    archive_read_disk_set_symlink_physical(d);
    archive_read_disk_set_behavior(d, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
                                          ARCHIVE_READDISK_NO_FFLAGS);
    if (archive_read_disk_open(d, dir) != ARCHIVE_OK) {
        rc = lht_err_set(w->err, LHT_EIO, "%s: %s", dir, archive_error_string(d));
        goto done;
    }
    for (;;) {
        int r = archive_read_next_header2(d, e);
        const char *full, *rel;

        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_FATAL) {
            rc = lht_err_set(w->err, LHT_EIO, "%s: %s", dir, archive_error_string(d));
            goto done;
        }
        full = archive_entry_sourcepath(e) ? archive_entry_sourcepath(e) : archive_entry_pathname(e);
        if (full == NULL)
            continue;
        rel = strncmp(full, dir, dlen) == 0 ? full + dlen : full;
        while (*rel == '/')
            rel++;
        if (r < ARCHIVE_OK) {
            warn(w, rel, archive_error_string(d) ? archive_error_string(d) : "unreadable");
            if (r < ARCHIVE_WARN)
                continue;
        }
        if (archive_read_disk_can_descend(d))
            archive_read_disk_descend(d);
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        if (++w->members > w->o->max_members) {
            rc = lht_err_set(w->err, LHT_ELIMIT, "%s: more than %lu members (raise --max-members)",
                             dir, w->o->max_members);
            goto done;
        }
        if (lht_source_is_archive_name(rel)) {
            if ((rc = walk_path(w, full, rel, 1)) != LHT_OK)
                goto done;
            continue;
        }
        tick(w, rel);
        {
            struct rd from = {d, NULL};
            if ((rc = deliver(w, &from, rel, archive_entry_size(e), 0, 1)) != LHT_OK)
                goto done;
        }
    }
done:
    archive_entry_free(e);
    archive_read_free(d);
    return rc;
}

/* A pipe: read front to back, through a decompressor when it is gzip or
 * xz, with no zip directory to check or stored zip to seek to. */
static int walk_stream(struct walk *w, int fd, const char *label)
{
    struct nested *n = calloc(1, sizeof *n);
    struct archive *a = new_reader(0);
    int rc = LHT_OK;

    if (n == NULL || a == NULL)
        goto oom;
    n->fd = fd;
    n->stream = 1;
    if (sniff_nested(n) != LHT_OK)
        goto oom;
    if (archive_read_open(a, n, NULL, nested_read, NULL) != ARCHIVE_OK) {
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: %s", w->input, archive_why(w, a, "cannot open"));
        goto done;
    }
    w->top = a;
    w->range = n;
    rc = walk_archive(w, a, label, 0);
    if (rc == LHT_OK && n->z)
        drain(w, n);
    w->top = NULL;
    w->range = NULL;
    if (n->z && lht_unpack_damage(n->z))
        damage_input(w, label, lht_unpack_damage(n->z));
    goto done;
oom:
    rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
done:
    archive_read_free(a);
    if (n)
        lht_unpack_free(n->z);
    free(n);
    return rc;
}

static void walk_init(struct walk *w, const char *input, const struct lht_source_opts *o,
                      const struct lht_source_cb *cb, lht_err *err)
{
    memset(w, 0, sizeof *w);
    w->o = o;
    w->cb = cb;
    w->input = input;
    w->err = err;
    w->last_ms = -1;
}

/* The walk's result: damage, when there was any, is the reason. */
static int walk_end(struct walk *w, int rc)
{
    if (w->damaged && (rc == LHT_OK || rc == LHT_EFORMAT)) {
        /* whatever else went wrong, the damage is the reason */
        int in = w->input_damage[0] != '\0';
        unsigned long more = w->damaged - 1;
        char tail[96] = "";
        if (more)
            snprintf(tail, sizeof tail, " (and %lu more problem%s: see the notes)", more, more > 1 ? "s" : "");
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: %s%s", w->input, in ? w->input_damage : w->first_damage,
                         tail);
    }
    free(w->buf);
    lht_zipdir_free(w->zipdir);
    return rc;
}

int lht_source_walk(const char *input, const struct lht_source_opts *o,
                    const struct lht_source_cb *cb, lht_err *err)
{
    struct walk w;
    struct stat st;
    const char *base;
    int rc;

    walk_init(&w, input, o, cb, err);
    if (stat(input, &st) != 0)
        return lht_err_set(err, LHT_EIO, "%s: %s", input, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(&w, input);
    } else if (S_ISREG(st.st_mode)) {
        if (st.st_size == 0)
            return lht_err_set(err, LHT_EFORMAT, "%s: empty file, nothing to scan", input);
        base = strrchr(input, '/');
        base = base ? base + 1 : input;
        w.zip_path = input;
        w.size = (unsigned long long)st.st_size;
        rc = walk_path(&w, input, base, 0);
    } else {
        rc = lht_err_set(err, LHT_EFORMAT, "%s: not a regular file or folder", input);
    }
    return walk_end(&w, rc);
}

int lht_source_walk_fd(int fd, const char *name, const struct lht_source_opts *o,
                       const struct lht_source_cb *cb, lht_err *err)
{
    struct walk w;
    struct stat st;
    char self[32];
    int rc;

    walk_init(&w, name, o, cb, err);
    if (fstat(fd, &st) != 0)
        return lht_err_set(err, LHT_EIO, "%s: %s", name, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return lht_err_set(err, LHT_EFORMAT, "%s: a folder, not a stream", name);
    if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
        /* a redirected file is a file: its directory checked, its stored
         * node zips read in place */
        if (st.st_size == 0)
            return lht_err_set(err, LHT_EFORMAT, "%s: empty file, nothing to scan", name);
        snprintf(self, sizeof self, "/dev/fd/%d", fd);
        w.zip_path = self;
        w.size = (unsigned long long)st.st_size;
        rc = walk_path(&w, self, name, 0);
    } else {
        rc = walk_stream(&w, fd, name);
    }
    return walk_end(&w, rc);
}
