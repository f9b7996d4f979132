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

/* Central directory offset, size and entry count; 0 on success. */
static int find_cd(int fd, long long fsize, long long *cdoff, long long *cdsize)
{
    size_t tail = fsize < EOCD_SEARCH ? (size_t)fsize : EOCD_SEARCH;
    unsigned char *b = malloc(tail), z[56];
    long long eocd = -1;
    uint64_t off, size;
    size_t i;
    int rc = -1;

    if (b == NULL || tail < EOCD_LEN || rd(fd, b, tail, fsize - (long long)tail) != 0)
        goto done;
    /* the last record whose comment fits in the file */
    for (i = tail - EOCD_LEN + 1; i-- > 0;) {
        if (u32(b + i) == SIG_EOCD && i + EOCD_LEN + u16(b + i + 20) <= tail) {
            eocd = fsize - (long long)tail + (long long)i;
            break;
        }
    }
    if (eocd < 0)
        goto done;
    i = (size_t)(eocd - (fsize - (long long)tail));
    off = u32(b + i + 16);
    size = u32(b + i + 12);
    if (u16(b + i + 10) == 0xFFFF || size == 0xFFFFFFFFu || off == 0xFFFFFFFFu) {
        if (eocd < 20 || rd(fd, z, 20, eocd - 20) != 0 || u32(z) != SIG_Z64_LOC)
            goto done;
        off = u64(z + 8);
        if (off > (uint64_t)fsize - 56 || rd(fd, z, 56, (long long)off) != 0 || u32(z) != SIG_Z64_EOCD)
            goto done;
        size = u64(z + 40);
        off = u64(z + 48);
    }
    if (size > CD_MAX || off > (uint64_t)fsize || size > (uint64_t)fsize - off)
        goto done;
    *cdoff = (long long)off;
    *cdsize = (long long)size;
    rc = 0;
done:
    free(b);
    return rc;
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
