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
#include "ingest/zipdir.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

struct walk {
    const struct lht_source_opts *o;
    const struct lht_source_cb *cb;
    const char *input;
    lht_err *err;
    unsigned long long total;   /* leaf bytes read so far */
    unsigned long members;      /* members seen so far, all levels */
    char *buf;                  /* leaf member buffer, reused */
    size_t cap;
    struct lht_zipdir *zipdir;  /* stored zips of the input zip, or NULL */
    int zipdir_tried;
};

/* Bytes of a nested archive: pulled from the parent archive's member
 * (parent set), or, for a zip stored in the input zip file, read straight
 * from the file range it occupies (fd, base, size), which can seek. */
struct nested {
    struct archive *parent;
    int fd;
    long long base, size, pos;
    char block[BLOCK];
};

void lht_source_defaults(struct lht_source_opts *o)
{
    o->member_cap = 256u << 20;            /* 256 MiB */
    o->total_cap = 64ull << 30;            /* 64 GiB */
    o->max_depth = 4;
    o->max_members = 2000000;
    o->skip_logs = 0;
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
 * gzip'd one, into a single member. */
static struct archive *new_reader(void)
{
    struct archive *a = archive_read_new();

    if (a == NULL)
        return NULL;
    archive_read_support_filter_all(a);
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

/* Read the current entry's data (up to member_cap) into w->buf. */
static int read_leaf(struct walk *w, struct archive *a, const char *path,
                     size_t *len_out, int *truncated)
{
    size_t len = 0;
    la_ssize_t r;

    *truncated = 0;
    for (;;) {
        if (grow(w, len + BLOCK) != LHT_OK)
            return lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
        r = archive_read_data(a, w->buf + len, BLOCK);
        if (r == 0)
            break;
        if (r < 0) {
            warn(w, path, archive_error_string(a) ? archive_error_string(a) : "read error");
            *truncated = 1;
            break;
        }
        len += (size_t)r;
        w->total += (unsigned long long)r;
        if (w->total > w->o->total_cap)
            return lht_err_set(w->err, LHT_ELIMIT,
                               "%s: %s: total size cap of %llu bytes exceeded (raise --max-total)",
                               w->input, path, w->o->total_cap);
        if (len >= w->o->member_cap) {
            len = w->o->member_cap;
            *truncated = 1;
            (void)archive_read_data_skip(a);
            break;
        }
    }
    *len_out = len;
    return LHT_OK;
}

/* Stream a leaf member in line-aligned pieces through cb->chunk. */
static int read_stream(struct walk *w, struct archive *a, const char *path, long long size)
{
    size_t len = 0;
    int rc = LHT_OK, crc, flags = LHT_CHUNK_LAST;
    const char *failed = NULL;

    if (grow(w, LHT_SOURCE_CHUNK + BLOCK) != LHT_OK)
        return lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
    for (;;) {
        la_ssize_t r = archive_read_data(a, w->buf + len, LHT_SOURCE_CHUNK + BLOCK - len);
        if (r == 0)
            break;
        if (r < 0) {
            failed = archive_error_string(a) ? archive_error_string(a) : "read error";
            flags |= LHT_CHUNK_CUT;
            break;
        }
        len += (size_t)r;
        w->total += (unsigned long long)r;
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
        warn(w, path, failed);
    return rc != LHT_OK ? rc : crc;
}

/* Hand one regular leaf member to the callbacks, as want() asks. top_raw:
 * the input itself is a loose file, which must look like text. disk: a is
 * libarchive's disk reader, which has no data_skip (and needs none). */
static int deliver(struct walk *w, struct archive *a, const char *path, long long size, int top_raw,
                   int disk)
{
    int how = w->cb->want ? w->cb->want(w->cb->ud, path, size) : LHT_WANT_WHOLE;
    size_t len = 0;
    int trunc = 0, rc;

    if (how == LHT_WANT_SKIP) {
        if (!disk)
            (void)archive_read_data_skip(a);
        return w->cb->member(w->cb->ud, path, NULL, 0, size, 0);
    }
    if (how == LHT_WANT_STREAM && w->cb->chunk && !top_raw)
        return read_stream(w, a, path, size);
    if ((rc = read_leaf(w, a, path, &len, &trunc)) != LHT_OK)
        return rc;
    if (top_raw && memchr(w->buf, '\0', len < 4096 ? len : 4096) != NULL)
        return lht_err_set(w->err, LHT_EFORMAT, "%s: not a support bundle, archive or text file", w->input);
    return w->cb->member(w->cb->ud, path, w->buf ? w->buf : "", len, size >= 0 ? size : (long long)len,
                         trunc);
}

static la_ssize_t nested_read(struct archive *a, void *ud, const void **buff)
{
    struct nested *n = ud;
    la_ssize_t r = archive_read_data(n->parent, n->block, sizeof n->block);

    if (r < 0) {
        const char *m = archive_error_string(n->parent);
        archive_set_error(a, EIO, "%s", m ? m : "read error in enclosing archive");
        return -1;
    }
    *buff = n->block;
    return r;
}

static la_ssize_t range_read(struct archive *a, void *ud, const void **buff)
{
    struct nested *n = ud;
    size_t want = n->size - n->pos < BLOCK ? (size_t)(n->size - n->pos) : BLOCK;
    ssize_t r;

    do
        r = pread(n->fd, n->block, want, (off_t)(n->base + n->pos));
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        archive_set_error(a, errno, "read error in enclosing archive");
        return -1;
    }
    n->pos += r;
    *buff = n->block;
    return r;
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
 * 0 not applicable (stream it instead), -1 open failed (na is spent). */
static int open_range(struct walk *w, struct archive *parent, struct archive *na, struct nested *n,
                      const char *raw_name, int depth)
{
    long long off, size;

    if (depth != 0 || raw_name == NULL ||
        (archive_format(parent) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_ZIP)
        return 0;
    if (!w->zipdir_tried) {
        w->zipdir_tried = 1;
        w->zipdir = lht_zipdir_open(w->input);
    }
    if (w->zipdir == NULL || !lht_zipdir_find(w->zipdir, raw_name, &off, &size))
        return 0;
    n->parent = NULL;
    n->fd = lht_zipdir_fd(w->zipdir);
    n->base = off;
    n->size = size;
    n->pos = 0;
    archive_read_set_read_callback(na, range_read);
    archive_read_set_seek_callback(na, range_seek);
    archive_read_set_skip_callback(na, range_skip);
    archive_read_set_callback_data(na, n);
    return archive_read_open1(na) == ARCHIVE_OK ? 1 : -1;
}

static int walk_archive(struct walk *w, struct archive *a, const char *container,
                        int depth);

/* raw_name: the member's name as the parent archive stores it, or NULL. */
static int open_nested(struct walk *w, struct archive *parent, const char *path, const char *raw_name,
                       int depth)
{
    struct nested *n = NULL;
    struct archive *na = NULL;
    int rc = LHT_OK, ranged;

    if (depth + 1 >= w->o->max_depth) {
        warn(w, path, "nested archive deeper than the depth limit, not opened (raise --max-depth)");
        return LHT_OK;
    }
    n = malloc(sizeof *n);
    na = new_reader();
    if (n == NULL || na == NULL) {
        rc = lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
        goto done;
    }
    ranged = open_range(w, parent, na, n, raw_name, depth);
    if (ranged < 0) {
        /* e.g. a node zip whose central directory is cut off: the
         * streaming reader needs only the local headers */
        archive_read_free(na);
        if ((na = new_reader()) == NULL) {
            rc = lht_err_set(w->err, LHT_ENOMEM, "%s: %s: out of memory", w->input, path);
            goto done;
        }
        ranged = 0;
    }
    if (ranged == 0) {
        n->parent = parent;
        ranged = archive_read_open(na, n, NULL, nested_read, NULL) == ARCHIVE_OK ? 1 : -1;
    }
    if (ranged < 0) {
        warn(w, path, archive_error_string(na) ? archive_error_string(na)
                                               : "cannot open nested archive");
        goto done;
    }
    rc = walk_archive(w, na, path, depth + 1);
    if (rc == LHT_EFORMAT) {
        /* A broken inner archive is a broken member, not a broken bundle. */
        warn(w, path, w->err ? w->err->msg : "corrupt nested archive");
        lht_err_clear(w->err);
        rc = LHT_OK;
    }
done:
    archive_read_free(na);
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
        int r = archive_read_next_header(a, &e);
        const char *name;
        size_t need;
        long long size;

        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_RETRY)
            continue;
        if (r < ARCHIVE_WARN) {
            const char *m = archive_error_string(a);
            rc = lht_err_set(w->err, LHT_EFORMAT, "%s: %s: %s", w->input, container,
                             m ? m : "unreadable archive");
            goto done;
        }
        if (r == ARCHIVE_WARN && archive_error_string(a))
            warn(w, container, archive_error_string(a));
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
        rc = deliver(w, a, full, size, depth == 0 && archive_format(a) == ARCHIVE_FORMAT_RAW, 0);
        if (rc != LHT_OK)
            goto done;
    }
    if (depth == 0 && here == 0)
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: empty archive or file, nothing to scan", w->input);
done:
    free(full);
    return rc;
}

static int walk_file(struct walk *w, const char *path, const char *label)
{
    struct archive *a = new_reader();
    int rc;

    if (a == NULL)
        return lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", w->input);
    if (archive_read_open_filename(a, path, BLOCK) != ARCHIVE_OK) {
        const char *m = archive_error_string(a);
        rc = lht_err_set(w->err, LHT_EFORMAT, "%s: %s", path, m ? m : "cannot open");
        archive_read_free(a);
        return rc;
    }
    rc = walk_archive(w, a, label, 0);
    archive_read_free(a);
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
            struct archive *a = new_reader();
            if (a == NULL) {
                rc = lht_err_set(w->err, LHT_ENOMEM, "%s: out of memory", dir);
                goto done;
            }
            if (archive_read_open_filename(a, full, BLOCK) != ARCHIVE_OK) {
                warn(w, rel, archive_error_string(a) ? archive_error_string(a) : "cannot open");
            } else if (w->o->max_depth <= 1) {
                warn(w, rel, "nested archive deeper than the depth limit, not opened (raise --max-depth)");
            } else {
                rc = walk_archive(w, a, rel, 1);
                if (rc == LHT_EFORMAT) {
                    warn(w, rel, w->err->msg);
                    lht_err_clear(w->err);
                    rc = LHT_OK;
                }
            }
            archive_read_free(a);
            if (rc != LHT_OK)
                goto done;
            continue;
        }
        if ((rc = deliver(w, d, rel, archive_entry_size(e), 0, 1)) != LHT_OK)
            goto done;
    }
done:
    archive_entry_free(e);
    archive_read_free(d);
    return rc;
}

int lht_source_walk(const char *input, const struct lht_source_opts *o,
                    const struct lht_source_cb *cb, lht_err *err)
{
    struct walk w;
    struct stat st;
    const char *base;
    int rc;

    memset(&w, 0, sizeof w);
    w.o = o;
    w.cb = cb;
    w.input = input;
    w.err = err;
    if (stat(input, &st) != 0)
        return lht_err_set(err, LHT_EIO, "%s: %s", input, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(&w, input);
    } else if (S_ISREG(st.st_mode)) {
        if (st.st_size == 0)
            return lht_err_set(err, LHT_EFORMAT, "%s: empty file, nothing to scan", input);
        base = strrchr(input, '/');
        base = base ? base + 1 : input;
        rc = walk_file(&w, input, base);
    } else {
        rc = lht_err_set(err, LHT_EFORMAT, "%s: not a regular file or folder", input);
    }
    free(w.buf);
    lht_zipdir_free(w.zipdir);
    return rc;
}
