/*
 * unpack.c - see unpack.h.
 *
 * zlib's gzip wrapper (windowBits 15 + 16) checks each member's CRC-32 and
 * ISIZE trailer and reports a mismatch as Z_DATA_ERROR with "incorrect
 * data check" / "incorrect length check"; liblzma checks each xz block's
 * integrity field (CRC-32/CRC-64/SHA-256) and reports a mismatch, as any
 * other corruption, as LZMA_DATA_ERROR. Input that runs out before the
 * end of a stream is the common damage (an upload cut short): zlib then
 * wants more input that never comes, liblzma answers LZMA_FINISH with
 * LZMA_BUF_ERROR.
 */
#include "ingest/unpack.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OUT_BLOCK (64 * 1024)

struct lht_unpack {
    int kind;
    lht_unpack_pull_fn pull;
    void *ud;
    z_stream zs;
    lzma_stream xs;
    int inited;
    const unsigned char *in;   /* unconsumed compressed bytes (borrowed from pull) */
    size_t nin;
    unsigned long long consumed;
    int in_eof;                /* pull() said there is no more */
    int between;               /* gzip: a member just ended; another may follow */
    int done;                  /* no more output, cleanly or not */
    char damage[160];          /* "" while whole */
    unsigned char out[OUT_BLOCK];
};

int lht_unpack_sniff(const void *p, size_t n)
{
    static const unsigned char xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    const unsigned char *b = p;

    if (n >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
        return LHT_UNPACK_GZIP;
    if (n >= sizeof xz && memcmp(b, xz, sizeof xz) == 0)
        return LHT_UNPACK_XZ;
    return LHT_UNPACK_NONE;
}

struct lht_unpack *lht_unpack_new(int kind, lht_unpack_pull_fn pull, void *ud)
{
    struct lht_unpack *u = calloc(1, sizeof *u);
    lzma_stream init = LZMA_STREAM_INIT;

    if (u == NULL)
        return NULL;
    u->kind = kind;
    u->pull = pull;
    u->ud = ud;
    u->xs = init;
    if (kind == LHT_UNPACK_GZIP)
        u->inited = inflateInit2(&u->zs, 15 + 16) == Z_OK;
    else if (kind == LHT_UNPACK_XZ)
        u->inited = lzma_stream_decoder(&u->xs, UINT64_MAX, LZMA_CONCATENATED) == LZMA_OK;
    if (!u->inited) {
        free(u);
        return NULL;
    }
    return u;
}

void lht_unpack_free(struct lht_unpack *u)
{
    if (u == NULL)
        return;
    if (u->kind == LHT_UNPACK_GZIP)
        inflateEnd(&u->zs);
    else
        lzma_end(&u->xs);
    free(u);
}

const char *lht_unpack_damage(const struct lht_unpack *u)
{
    return u->damage[0] ? u->damage : NULL;
}

unsigned long long lht_unpack_consumed(const struct lht_unpack *u)
{
    return u->consumed;
}

static const char *kind_name(const struct lht_unpack *u)
{
    return u->kind == LHT_UNPACK_GZIP ? "gzip" : "xz";
}

/* Stop the output with a reason (the first reason stays). */
static void stop(struct lht_unpack *u, const char *why)
{
    if (why && u->damage[0] == '\0')
        snprintf(u->damage, sizeof u->damage, "%s", why);
    u->done = 1;
}

static void cut_short(struct lht_unpack *u)
{
    char why[160];

    snprintf(why, sizeof why, "%s data ends early after %llu bytes: the file is cut short", kind_name(u),
             u->consumed);
    stop(u, why);
}

/* More compressed input when none is left; 0 ok (possibly at eof), -1 failed. */
static int refill(struct lht_unpack *u)
{
    const void *buf;
    long r;

    if (u->nin > 0 || u->in_eof)
        return 0;
    r = u->pull(u->ud, &buf);
    if (r < 0) {
        stop(u, "the enclosing data could not be read");
        return -1;
    }
    if (r == 0)
        u->in_eof = 1;
    u->in = buf;
    u->nin = (size_t)r;
    return 0;
}

/* After a gzip member: NUL padding is skipped, another member is read,
 * anything else ends the data (what follows is not gzip). */
static void next_member(struct lht_unpack *u)
{
    while (u->nin > 0 && u->in[0] == 0) {
        u->in++;
        u->nin--;
        u->consumed++;
    }
    if (u->nin == 0)
        return;
    if (u->in[0] != 0x1f) {
        u->done = 1;
        return;
    }
    inflateReset(&u->zs);
    u->between = 0;
}

/* Take note that the decompressor used `used` bytes of u->in. */
static void advance(struct lht_unpack *u, size_t used)
{
    u->in += used;
    u->nin -= used;
    u->consumed += used;
}

static void gzip_step(struct lht_unpack *u, size_t *have)
{
    uInt avail = (uInt)(u->nin > 1u << 30 ? 1u << 30 : u->nin);
    char why[160];
    int ret;

    if (u->between) {
        next_member(u);
        return;
    }
    if (u->nin == 0 && u->in_eof) {
        cut_short(u);
        return;
    }
    u->zs.next_in = (unsigned char *)u->in;
    u->zs.avail_in = avail;
    u->zs.next_out = u->out + *have;
    u->zs.avail_out = (uInt)(OUT_BLOCK - *have);
    ret = inflate(&u->zs, Z_NO_FLUSH);
    advance(u, avail - u->zs.avail_in);
    *have = OUT_BLOCK - u->zs.avail_out;
    if (ret == Z_STREAM_END)
        u->between = 1;
    if (ret == Z_STREAM_END || ret == Z_OK || ret == Z_BUF_ERROR)
        return;
    if (ret == Z_MEM_ERROR) {
        stop(u, "out of memory");
        return;
    }
    if (u->zs.msg && strcmp(u->zs.msg, "incorrect data check") == 0)
        snprintf(why, sizeof why, "gzip CRC-32 mismatch (byte %llu): the data is corrupt", u->consumed);
    else if (u->zs.msg && strcmp(u->zs.msg, "incorrect length check") == 0)
        snprintf(why, sizeof why, "gzip length trailer mismatch (byte %llu): the data is corrupt",
                 u->consumed);
    else
        snprintf(why, sizeof why, "gzip data corrupt at byte %llu: %s", u->consumed,
                 u->zs.msg ? u->zs.msg : "inflate failed");
    stop(u, why);
}

static void xz_step(struct lht_unpack *u, size_t *have)
{
    size_t avail = u->nin;
    char why[160];
    lzma_ret ret;

    u->xs.next_in = u->in;
    u->xs.avail_in = avail;
    u->xs.next_out = u->out + *have;
    u->xs.avail_out = OUT_BLOCK - *have;
    ret = lzma_code(&u->xs, u->nin == 0 && u->in_eof ? LZMA_FINISH : LZMA_RUN);
    advance(u, avail - u->xs.avail_in);
    *have = OUT_BLOCK - u->xs.avail_out;
    switch (ret) {
    case LZMA_OK:
        return;
    case LZMA_STREAM_END:
        u->done = 1;
        return;
    case LZMA_BUF_ERROR:
        if (u->in_eof) {
            cut_short(u);
            return;
        }
        return;
    case LZMA_MEM_ERROR:
        stop(u, "out of memory");
        return;
    case LZMA_DATA_ERROR:
        snprintf(why, sizeof why, "xz data corrupt or failing its integrity check near byte %llu",
                 u->consumed);
        break;
    default:
        snprintf(why, sizeof why, "xz data unreadable near byte %llu (liblzma error %d)", u->consumed,
                 (int)ret);
        break;
    }
    stop(u, why);
}

long lht_unpack_read(struct lht_unpack *u, const void **out)
{
    size_t have = 0;

    *out = u->out;
    while (have == 0 && !u->done) {
        if (refill(u) != 0)
            return -1;
        if (u->kind == LHT_UNPACK_GZIP) {
            if (u->between && u->nin == 0 && u->in_eof) {
                u->done = 1;   /* the last member ended where the data does */
                break;
            }
            gzip_step(u, &have);
        } else {
            xz_step(u, &have);
        }
    }
    if (have == 0 && u->damage[0] && strcmp(u->damage, "out of memory") == 0)
        return -1;
    return (long)have;
}
