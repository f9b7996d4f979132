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

#include <errno.h>
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
