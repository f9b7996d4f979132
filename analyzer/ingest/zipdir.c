/*
 * zipdir.c - see zipdir.h.
 *
 * Layout (APPNOTE 6.3.x): the end-of-central-directory record sits in the
 * last 64 KiB + 22 bytes; with zip64 a locator just before it points at
 * the zip64 record. Central directory entries carry method, flags, sizes
 * and the local header offset (zip64 extra field 0x0001 when a field is
 * 0xFFFFFFFF); the local header's own name and extra lengths give where
 * the data starts. All of it comes from untrusted input: every offset and
 * length is checked against the file and the buffer before use.
 */
#include "ingest/zipdir.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define EOCD_LEN 22
#define EOCD_SEARCH (65535 + EOCD_LEN)
#define CD_MAX (64u << 20)        /* larger directories are not indexed (streamed instead) */
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_LOC 0x07064b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_CD 0x02014b50u
#define SIG_LOCAL 0x04034b50u

struct ent {
    char *name;
    long long lho;                /* local header offset */
    long long size;
};

struct lht_zipdir {
    int fd;
    long long fsize;
    struct ent *e;
    size_t n;
};

static uint32_t u16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t u32(const unsigned char *p) { return u16(p) | u16(p + 2) << 16; }
static uint64_t u64(const unsigned char *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

/* Read exactly n bytes at off; 0 on success. */
static int rd(int fd, void *buf, size_t n, long long off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + (long long)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

/* A zip's bytes: [base, base + size) of fd (a whole file, or a stored
 * zip inside one). */
struct span {
    int fd;
    long long base, size;
};

/* What the end records say. */
struct eocd {
    long long end;              /* where the central directory must end: the
                                   EOCD record, or the zip64 one before it */
    long long cdoff, cdsize;
    unsigned long long entries; /* total entries, all disks */
};

/* Why a check failed: printf into why (when why is not NULL); returns -1. */
static int why_not(char *why, size_t whysz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_not(char *why, size_t whysz, const char *fmt, ...)
{
    va_list ap;

    if (why && whysz) {
        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The last EOCD record whose comment fits in the span; its position, or -1. */
static long long find_eocd(const struct span *z, unsigned char *b, size_t tail)
{
    size_t i;

    if (tail < EOCD_LEN || rd(z->fd, b, tail, z->base + z->size - (long long)tail) != 0)
        return -1;
    for (i = tail - EOCD_LEN + 1; i-- > 0;)
        if (u32(b + i) == SIG_EOCD && i + EOCD_LEN + u16(b + i + 20) <= tail)
            return z->size - (long long)tail + (long long)i;
    return -1;
}

/* The zip64 end record the locator before pos points at. */
static int read_zip64(const struct span *z, long long pos, struct eocd *e, char *why, size_t whysz)
{
    unsigned char loc[20], r[56];
    uint64_t off;

    if (pos < 20 || rd(z->fd, loc, 20, z->base + pos - 20) != 0 || u32(loc) != SIG_Z64_LOC)
        return why_not(why, whysz, "zip64 end-of-central-directory locator missing or damaged");
    off = u64(loc + 8);
    if (z->size < 56 || off > (uint64_t)z->size - 56 || rd(z->fd, r, 56, z->base + (long long)off) != 0 ||
        u32(r) != SIG_Z64_EOCD)
        return why_not(why, whysz, "zip64 end-of-central-directory record missing or damaged");
    if (u32(r + 16) != 0 || u32(r + 20) != 0 || u32(loc + 4) != 0 || u32(loc + 16) > 1)
        return why_not(why, whysz, "a multi-part (split) zip: only one part is here");
    e->entries = u64(r + 32);
    e->cdsize = (long long)u64(r + 40);
    e->cdoff = (long long)u64(r + 48);
    e->end = (long long)off;
    if (e->cdoff < 0 || e->cdsize < 0)
        return why_not(why, whysz, "zip64 end record holds impossible offsets");
    return 0;
}

/* Read and cross-check the end records: 0, or -1 with why filled. */
static int read_eocd(const struct span *z, struct eocd *e, char *why, size_t whysz)
{
    size_t tail = z->size < EOCD_SEARCH ? (size_t)z->size : EOCD_SEARCH;
    unsigned char *b = malloc(tail ? tail : 1);
    const unsigned char *r;
    long long pos;
    int rc = -1;

    if (b == NULL)
        return why_not(why, whysz, "out of memory");
    if ((pos = find_eocd(z, b, tail)) < 0) {
        rc = why_not(why, whysz, "no end-of-central-directory record: the zip is cut short");
        goto done;
    }
    r = b + (pos - (z->size - (long long)tail));
    e->entries = u16(r + 10);
    e->cdsize = u32(r + 12);
    e->cdoff = u32(r + 16);
    e->end = pos;
    if (u16(r + 10) == 0xFFFF || u32(r + 12) == 0xFFFFFFFFu || u32(r + 16) == 0xFFFFFFFFu) {
        rc = read_zip64(z, pos, e, why, whysz);
        goto done;
    }
    if (u16(r + 4) != 0 || u16(r + 6) != 0 || u16(r + 8) != u16(r + 10)) {
        rc = why_not(why, whysz, "a multi-part (split) zip: only one part is here");
        goto done;
    }
    rc = 0;
done:
    free(b);
    return rc;
}

/* Central directory offset and size for indexing; 0 on success. */
static int find_cd(int fd, long long fsize, long long *cdoff, long long *cdsize)
{
    struct span z = {fd, 0, fsize};
    struct eocd e;

    if (read_eocd(&z, &e, NULL, 0) != 0)
        return -1;
    if (e.cdsize > (long long)CD_MAX || e.cdoff > fsize || e.cdsize > fsize - e.cdoff)
        return -1;
    *cdoff = e.cdoff;
    *cdsize = e.cdsize;
    return 0;
}

/* zip64 extra field: replace the fields that read 0xFFFFFFFF, in APPNOTE
 * order (size, compressed size, local header offset). */
static void zip64_fields(const unsigned char *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                         uint64_t *lho)
{
    while (xlen >= 4) {
        uint32_t id = u16(x), len = u16(x + 2);
        if (len > xlen - 4)
            return;
        if (id == 0x0001) {
            const unsigned char *q = x + 4, *end = x + 4 + len;
            if (*usize == 0xFFFFFFFFu && q + 8 <= end)
                *usize = u64(q), q += 8;
            if (*csize == 0xFFFFFFFFu && q + 8 <= end)
                *csize = u64(q), q += 8;
            if (*lho == 0xFFFFFFFFu && q + 8 <= end)
                *lho = u64(q);
            return;
        }
        x += 4 + len;
        xlen -= 4 + len;
    }
}

static int add(struct lht_zipdir *z, const unsigned char *name, size_t nlen, uint64_t lho, uint64_t size,
               size_t *cap)
{
    struct ent *e;

    if (memchr(name, '\0', nlen) != NULL)
        return 0;   /* not a name libarchive would give us */
    if (z->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct ent *ne = realloc(z->e, nc * sizeof *ne);
        if (ne == NULL)
            return -1;
        z->e = ne;
        *cap = nc;
    }
    e = &z->e[z->n];
    if ((e->name = malloc(nlen + 1)) == NULL)
        return -1;
    memcpy(e->name, name, nlen);
    e->name[nlen] = '\0';
    e->lho = (long long)lho;
    e->size = (long long)size;
    z->n++;
    return 0;
}

struct lht_zipdir *lht_zipdir_open(const char *path)
{
    struct lht_zipdir *z = calloc(1, sizeof *z);
    unsigned char *cd = NULL, *p, *end;
    long long cdoff, cdsize;
    struct stat st;
    size_t cap = 0;

    if (z == NULL)
        return NULL;
    z->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (z->fd < 0 || fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto fail;
    z->fsize = (long long)st.st_size;
    if (find_cd(z->fd, z->fsize, &cdoff, &cdsize) != 0 || cdsize == 0)
        goto fail;
    if ((cd = malloc((size_t)cdsize)) == NULL || rd(z->fd, cd, (size_t)cdsize, cdoff) != 0)
        goto fail;
    end = cd + cdsize;
    for (p = cd; end - p >= 46 && u32(p) == SIG_CD;) {
        uint32_t flags = u16(p + 8), method = u16(p + 10);
        uint64_t csize = u32(p + 20), usize = u32(p + 24), lho = u32(p + 42);
        size_t nlen = u16(p + 28), xlen = u16(p + 30), clen = u16(p + 32);
        const unsigned char *name = p + 46;

        if ((size_t)(end - p) < 46 + nlen + xlen + clen)
            break;
        zip64_fields(name + nlen, xlen, &usize, &csize, &lho);
        if (method == 0 && !(flags & 1) && csize == usize && nlen > 4 &&
            strncasecmp((const char *)name + nlen - 4, ".zip", 4) == 0 && lho < (uint64_t)z->fsize &&
            add(z, name, nlen, lho, csize, &cap) != 0)
            goto fail;
        p += 46 + nlen + xlen + clen;
    }
    free(cd);
    cd = NULL;
    if (z->n == 0)
        goto fail;
    return z;
fail:
    free(cd);
    lht_zipdir_free(z);
    return NULL;
}

/* One central directory entry at p (end: the directory's end) against its
 * local header: 0, or -1 with why. *len gets the entry's length. */
static int check_entry(const struct span *z, const struct eocd *e, const unsigned char *p,
                       const unsigned char *end, unsigned long long i, size_t *len, char *why, size_t whysz)
{
    unsigned char h[30];
    uint64_t csize, usize, lho, data;
    size_t nlen, xlen, clen;

    if (end - p < 46 || u32(p) != SIG_CD)
        return why_not(why, whysz, "central directory entry %llu of %llu is damaged", i + 1, e->entries);
    nlen = u16(p + 28);
    xlen = u16(p + 30);
    clen = u16(p + 32);
    if ((size_t)(end - p) < 46 + nlen + xlen + clen)
        return why_not(why, whysz, "central directory entry %llu of %llu runs past the directory's end",
                       i + 1, e->entries);
    csize = u32(p + 20);
    usize = u32(p + 24);
    lho = u32(p + 42);
    zip64_fields(p + 46 + nlen, xlen, &usize, &csize, &lho);
    *len = 46 + nlen + xlen + clen;
    if (lho > (uint64_t)e->cdoff || (uint64_t)e->cdoff - lho < 30 ||
        rd(z->fd, h, sizeof h, z->base + (long long)lho) != 0 || u32(h) != SIG_LOCAL)
        return why_not(why, whysz, "member '%.*s': no local header where the central directory says (byte %llu)",
                       (int)(nlen > 200 ? 200 : nlen), (const char *)p + 46, (unsigned long long)lho);
    data = lho + 30 + u16(h + 26) + u16(h + 28);
    if (data > (uint64_t)e->cdoff || csize > (uint64_t)e->cdoff - data)
        return why_not(why, whysz, "member '%.*s': its data runs into the central directory",
                       (int)(nlen > 200 ? 200 : nlen), (const char *)p + 46);
    return 0;
}

int lht_zipdir_check(int fd, long long base, long long size, char *why, size_t whysz)
{
    struct span z = {fd, base, size};
    struct eocd e;
    unsigned char *cd = NULL, *p, *end;
    unsigned long long i;
    int rc = -1;

    if (read_eocd(&z, &e, why, whysz) != 0)
        return -1;
    if (e.cdoff > size || e.cdsize > size - e.cdoff)
        return why_not(why, whysz, "the central directory (byte %lld, %lld bytes) lies past the end of the "
                       "file: the zip is cut short", e.cdoff, e.cdsize);
    if (e.cdoff + e.cdsize != e.end)
        return why_not(why, whysz, "the central directory ends at byte %lld, but the end record is at byte %lld",
                       e.cdoff + e.cdsize, e.end);
    if (e.cdsize > (long long)CD_MAX)
        return 0;   /* too large to cross-check in memory; the reader still checks each member */
    if ((cd = malloc(e.cdsize ? (size_t)e.cdsize : 1)) == NULL)
        return why_not(why, whysz, "out of memory");
    if (rd(fd, cd, (size_t)e.cdsize, base + e.cdoff) != 0) {
        why_not(why, whysz, "the central directory cannot be read");
        goto done;
    }
    end = cd + e.cdsize;
    for (p = cd, i = 0; p < end; i++) {
        size_t len = 0;
        if (i >= e.entries) {
            why_not(why, whysz, "the end record lists %llu entries, the central directory holds more", e.entries);
            goto done;
        }
        if (check_entry(&z, &e, p, end, i, &len, why, whysz) != 0)
            goto done;
        p += len;
    }
    if (i != e.entries) {
        why_not(why, whysz, "the end record lists %llu entries, the central directory holds %llu", e.entries, i);
        goto done;
    }
    rc = 0;
done:
    free(cd);
    return rc;
}

void lht_zipdir_free(struct lht_zipdir *z)
{
    size_t i;

    if (z == NULL)
        return;
    for (i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    if (z->fd >= 0)
        close(z->fd);
    free(z);
}

int lht_zipdir_find(const struct lht_zipdir *z, const char *name, long long *offset, long long *size)
{
    unsigned char h[30];
    size_t i;

    for (i = 0; i < z->n; i++) {
        long long data;
        if (strcmp(z->e[i].name, name) != 0)
            continue;
        if (z->e[i].lho > z->fsize - 30 || rd(z->fd, h, sizeof h, z->e[i].lho) != 0 ||
            u32(h) != SIG_LOCAL || u16(h + 8) != 0 || (u16(h + 6) & 1))
            return 0;
        data = z->e[i].lho + 30 + (long long)u16(h + 26) + (long long)u16(h + 28);
        if (data > z->fsize || z->e[i].size > z->fsize - data)
            return 0;
        *offset = data;
        *size = z->e[i].size;
        return 1;
    }
    return 0;
}

int lht_zipdir_fd(const struct lht_zipdir *z)
{
    return z->fd;
}

/* ---- the fast member reader (see zipdir.h) ------------------------------- */

#define ZR_BLOCK (256 * 1024)

struct lht_ziplist {
    int fd;
    struct lht_zipentry *e;
    size_t n;
    char *names;                /* every name, NUL-terminated, one block */
};

struct lht_zipread {
    const struct lht_zipentry *e;
    int fd;
    long long in, out;          /* compressed bytes read, bytes delivered */
    uint32_t crc;
    int done;
    char why[160];
    struct inflate_state st;
    unsigned char block[ZR_BLOCK];
};

/* The local header h (at lho) says what central entry p says: its name,
 * its CRC-32 and sizes (0 with a data descriptor, and zip64's 0xFFFFFFFF,
 * defer to the directory's). */
static int local_agrees(const struct span *z, const unsigned char *h, const unsigned char *p, long long lho,
                        uint64_t csize, uint64_t usize)
{
    size_t nlen = u16(p + 28);
    unsigned char name[256];

    if (u16(h + 26) != nlen || nlen > sizeof name || rd(z->fd, name, nlen, z->base + lho + 30) != 0 ||
        memcmp(name, p + 46, nlen) != 0)
        return 0;
    /* with a data descriptor the local fields may be 0; a value there must agree */
    if (u32(h + 14) != u32(p + 16) && !((u16(h + 6) & 8) && u32(h + 14) == 0))
        return 0;
    if (u32(h + 18) != 0xFFFFFFFFu && u32(h + 18) != csize && !((u16(h + 6) & 8) && u32(h + 18) == 0))
        return 0;
    return u32(h + 22) == 0xFFFFFFFFu || u32(h + 22) == usize || ((u16(h + 6) & 8) && u32(h + 22) == 0);
}

/* One directory entry at p (within [p, end)): 1 when the fast reader
 * covers it (e filled; its name is copied by the caller), 0 when it does
 * not, -1 when it is malformed. *len gets the entry's length. */
static int fast_entry(const struct span *z, const struct eocd *d, const unsigned char *p, const unsigned char *end,
                      struct lht_zipentry *e, size_t *len)
{
    uint64_t csize, usize, lho;
    size_t nlen, xlen, clen, k;
    unsigned char h[30];
    uint32_t flags, mode;

    if (end - p < 46 || u32(p) != SIG_CD)
        return -1;
    nlen = u16(p + 28), xlen = u16(p + 30), clen = u16(p + 32);
    if ((size_t)(end - p) < 46 + nlen + xlen + clen || nlen == 0)
        return -1;
    *len = 46 + nlen + xlen + clen;
    flags = u16(p + 8);
    e->method = (int)u16(p + 10);
    e->crc32 = u32(p + 16);
    csize = u32(p + 20), usize = u32(p + 24), lho = u32(p + 42);
    zip64_fields(p + 46 + nlen, xlen, &usize, &csize, &lho);
    if ((flags & 0x41) || (e->method != 0 && e->method != 8) || (e->method == 0 && csize != usize))
        return 0;
    for (k = 0; k < nlen; k++)
        if (p[46 + k] == 0 || p[46 + k] >= 0x80)
            return 0;
    if (lho > (uint64_t)d->cdoff || (uint64_t)d->cdoff - lho < 30 ||
        rd(z->fd, h, sizeof h, z->base + (long long)lho) != 0 || u32(h) != SIG_LOCAL || (u16(h + 6) & 0x41) ||
        u16(h + 8) != (uint32_t)e->method)
        return 0;
    if (!local_agrees(z, h, p, (long long)lho, csize, usize))
        return 0;   /* libarchive reads it, and says how they disagree */
    e->offset = (long long)lho + 30 + u16(h + 26) + u16(h + 28);
    if ((uint64_t)e->offset > (uint64_t)d->cdoff || csize > (uint64_t)d->cdoff - (uint64_t)e->offset ||
        usize > (uint64_t)LLONG_MAX)
        return 0;
    e->csize = (long long)csize;
    e->size = (long long)usize;
    mode = (u16(p + 4) >> 8) == 3 ? u32(p + 38) >> 16 : 0;   /* made on Unix: its mode is there */
    e->regular = p[46 + nlen - 1] != '/' && ((mode & S_IFMT) == 0 || (mode & S_IFMT) == S_IFREG);
    e->offset += z->base;
    return 1;
}

static int by_offset(const void *pa, const void *pb)
{
    const struct lht_zipentry *a = pa, *b = pb;

    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* The directory cd into z; 0, or -1 when the fast reader does not cover it. */
static int fast_list(struct lht_ziplist *z, const struct span *sp, const struct eocd *d, const unsigned char *cd)
{
    const unsigned char *p = cd, *end = cd + d->cdsize;
    size_t i, off = 0, len = 0, *at;

    if ((z->e = calloc(d->entries + 1, sizeof *z->e)) == NULL || (z->names = malloc((size_t)d->cdsize + 1)) == NULL ||
        (at = calloc(d->entries + 1, sizeof *at)) == NULL)
        return -1;
    for (i = 0; i < d->entries; i++, p += len) {
        if (fast_entry(sp, d, p, end, &z->e[i], &len) != 1)
            break;
        at[i] = off;
        memcpy(z->names + off, p + 46, u16(p + 28));
        z->names[off + u16(p + 28)] = '\0';
        off += u16(p + 28) + 1;
    }
    if (i == d->entries && p == end) {
        for (z->n = i, i = 0; i < z->n; i++)
            z->e[i].name = z->names + at[i];
        qsort(z->e, z->n, sizeof *z->e, by_offset);
    }
    free(at);
    return z->n == d->entries ? 0 : -1;
}

struct lht_ziplist *lht_ziplist_open(int fd, long long base, long long size)
{
    struct span sp = {fd, base, size};
    struct lht_ziplist *z = calloc(1, sizeof *z);
    unsigned char *cd = NULL;
    struct eocd d;

    if (z == NULL || read_eocd(&sp, &d, NULL, 0) != 0 || d.cdoff > size || d.cdsize > size - d.cdoff ||
        d.cdsize > (long long)CD_MAX || d.entries == 0 || d.entries > (unsigned long long)d.cdsize / 46)
        goto fail;
    z->fd = fd;
    if ((cd = malloc((size_t)d.cdsize)) == NULL || rd(fd, cd, (size_t)d.cdsize, base + d.cdoff) != 0 ||
        fast_list(z, &sp, &d, cd) != 0)
        goto fail;
    free(cd);
    return z;
fail:
    free(cd);
    lht_ziplist_free(z);
    return NULL;
}

void lht_ziplist_free(struct lht_ziplist *z)
{
    if (z == NULL)
        return;
    free(z->e);
    free(z->names);
    free(z);
}

size_t lht_ziplist_count(const struct lht_ziplist *z)
{
    return z->n;
}

const struct lht_zipentry *lht_ziplist_entry(const struct lht_ziplist *z, size_t i)
{
    return i < z->n ? &z->e[i] : NULL;
}

struct lht_zipread *lht_zipread_new(void)
{
    return calloc(1, sizeof(struct lht_zipread));
}

void lht_zipread_free(struct lht_zipread *r)
{
    free(r);
}

void lht_zipread_begin(struct lht_zipread *r, const struct lht_ziplist *z, size_t i)
{
    r->e = &z->e[i];
    r->fd = z->fd;
    r->in = r->out = 0;
    r->crc = 0;
    r->done = 0;
    r->why[0] = '\0';
    if (r->e->method == 8) {
        isal_inflate_init(&r->st);
        r->st.crc_flag = ISAL_DEFLATE;   /* raw deflate; the CRC-32 is ours */
    }
}

static long zr_fail(struct lht_zipread *r, const char *why)
{
    snprintf(r->why, sizeof r->why, "%s", why);
    r->done = -1;
    return -1;
}

/* The member ends here: its size and CRC-32 as the directory says? */
static long zr_end(struct lht_zipread *r)
{
    if (r->out != r->e->size)
        return zr_fail(r, "the member is shorter than the zip's directory says");
    if (r->crc != (uint32_t)r->e->crc32)
        return zr_fail(r, "ZIP bad CRC: the member's CRC-32 does not match");
    r->done = 1;
    return 0;
}

/* The next compressed bytes into r->block; 0 when there are none left. */
static long zr_fill(struct lht_zipread *r)
{
    long long left = r->e->csize - r->in;
    size_t want = left > ZR_BLOCK ? ZR_BLOCK : (size_t)left;

    if (want == 0)
        return 0;
    if (rd(r->fd, r->block, want, r->e->offset + r->in) != 0)
        return zr_fail(r, "read error: the zip ends before the member's data");
    r->in += (long long)want;
    return (long)want;
}

static long zr_stored(struct lht_zipread *r, void *buf, size_t n)
{
    long long left = r->e->csize - r->in;
    size_t want = left < (long long)n ? (size_t)left : n;

    if (want == 0)
        return zr_end(r);
    if (rd(r->fd, buf, want, r->e->offset + r->in) != 0)
        return zr_fail(r, "read error: the zip ends before the member's data");
    r->in += (long long)want;
    r->out += (long long)want;
    r->crc = crc32_gzip_refl(r->crc, buf, (uint64_t)want);
    return (long)want;
}

static long zr_deflate(struct lht_zipread *r, void *buf, size_t n)
{
    long got;

    if (n > UINT32_MAX)
        n = UINT32_MAX;
    for (;;) {
        if (r->st.block_state == ISAL_BLOCK_FINISH)
            return zr_end(r);
        int drained = 0;
        if (r->st.avail_in == 0) {
            if ((got = zr_fill(r)) < 0)
                return -1;
            /* with no input left, the inflater may still hold output */
            drained = got == 0;
            r->st.next_in = r->block;
            r->st.avail_in = (uint32_t)got;
        }
        r->st.next_out = buf;
        r->st.avail_out = (uint32_t)n;
        if (isal_inflate(&r->st) < 0)
            return zr_fail(r, "invalid deflate data in the member");
        got = (long)(n - r->st.avail_out);
        if (got == 0 && drained && r->st.block_state != ISAL_BLOCK_FINISH)
            return zr_fail(r, "the member's deflate data ends early");
        if (got > 0) {
            if (r->out + got > r->e->size)
                return zr_fail(r, "the member is longer than the zip's directory says");
            r->out += got;
            r->crc = crc32_gzip_refl(r->crc, buf, (uint64_t)got);
            return got;
        }
    }
}

long lht_zipread_read(struct lht_zipread *r, void *buf, size_t n)
{
    if (r->done)
        return r->done < 0 ? -1 : 0;
    if (n == 0)
        return 0;
    return r->e->method == 0 ? zr_stored(r, buf, n) : zr_deflate(r, buf, n);
}

const char *lht_zipread_why(const struct lht_zipread *r)
{
    return r->why[0] ? r->why : "read error";
}

long long lht_zipread_pos(const struct lht_zipread *r)
{
    return r->e ? r->e->offset + r->in : 0;
}
