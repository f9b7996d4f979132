/* check_unpack.c - gzip and xz decompression with their trailers checked
 * (unpack.c): whole streams, concatenated members, padding, and every
 * byte before a cut or a bad trailer handed on. */
#include <check.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ingest/unpack.h"
#include "testutil.h"
#include "tu_main.h"

/* Compressed input, handed out in pieces of `piece` bytes. */
struct src {
    const unsigned char *p;
    size_t len, off, piece;
    int fail;   /* pull fails once this much is handed out */
};

static long pull(void *ud, const void **buf)
{
    struct src *s = ud;
    size_t n = s->len - s->off < s->piece ? s->len - s->off : s->piece;

    if (s->fail && s->off >= (size_t)s->fail)
        return -1;
    *buf = s->p + s->off;
    s->off += n;
    return (long)n;
}

/* gzip of len bytes of data (caller frees). */
static unsigned char *gz(const char *data, size_t len, size_t *out)
{
    z_stream zs;
    size_t cap = len + 128;
    unsigned char *b = malloc(cap);

    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = b;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out = cap - zs.avail_out;
    deflateEnd(&zs);
    return b;
}

static unsigned char *xz(const char *data, size_t len, size_t *out)
{
    size_t cap = len + 256, pos = 0;
    unsigned char *b = malloc(cap);

    ck_assert_int_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, (const uint8_t *)data, len, b, &pos, cap),
                     LZMA_OK);
    *out = pos;
    return b;
}

/* Everything u gives, NUL-terminated (caller frees); *n its length. */
static char *drain(struct lht_unpack *u, size_t *n, long *last)
{
    char *all = NULL;
    const void *p;
    long r;

    *n = 0;
    while ((r = lht_unpack_read(u, &p)) > 0) {
        all = realloc(all, *n + (size_t)r + 1);
        memcpy(all + *n, p, (size_t)r);
        *n += (size_t)r;
    }
    *last = r;
    if (all == NULL)
        all = calloc(1, 1);
    all[*n] = '\0';
    return all;
}

static char *text(size_t n)
{
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        t[i] = (i % 50 == 49) ? '\n' : (char)('a' + (i * 31 + i / 7) % 26);
    t[n] = '\0';
    return t;
}

/* Whole, and concatenated members with NUL padding between (as tape
 * writers leave), pulled in pieces of a few bytes and of many. */
START_TEST(gzip_members_and_padding)
{
    char *t = text(300000);
    size_t a, b, n, piece;
    unsigned char *g1 = gz(t, 200000, &a), *g2 = gz(t + 200000, 100000, &b);
    unsigned char *cat = malloc(a + 7 + b);
    long last;

    memcpy(cat, g1, a);
    memset(cat + a, 0, 7);
    memcpy(cat + a + 7, g2, b);
    for (piece = 3; piece <= 65536; piece *= 40) {   /* 3, 120, 4800 bytes per pull */
        struct src s = {cat, a + 7 + b, 0, piece, 0};
        struct lht_unpack *u = lht_unpack_new(lht_unpack_sniff(cat, 3), pull, &s);
        char *got = drain(u, &n, &last);
        ck_assert_int_eq(last, 0);
        ck_assert_uint_eq(n, 300000);
        ck_assert_int_eq(memcmp(got, t, n), 0);
        ck_assert_ptr_null(lht_unpack_damage(u));
        free(got);
        lht_unpack_free(u);
    }
    free(g1), free(g2), free(cat), free(t);
}
END_TEST

/* Cut anywhere: what came before arrives, then the damage is named. */
START_TEST(gzip_cut_hands_on_the_head)
{
    char *t = text(100000);
    size_t len, n;
    unsigned char *g = gz(t, 100000, &len);
    long last;

    for (size_t cut = 10; cut < len; cut += len / 7) {
        struct src s = {g, cut, 0, 4096, 0};
        struct lht_unpack *u = lht_unpack_new(LHT_UNPACK_GZIP, pull, &s);
        char *got = drain(u, &n, &last);
        ck_assert_int_eq(last, 0);
        ck_assert_int_eq(memcmp(got, t, n), 0);
        ck_assert_ptr_nonnull(lht_unpack_damage(u));
        ck_assert_ptr_nonnull(strstr(lht_unpack_damage(u), "gzip data ends early"));
        free(got);
        lht_unpack_free(u);
    }
    free(g), free(t);
}
END_TEST

START_TEST(gzip_bad_trailers)
{
    char *t = text(5000);
    size_t len, n;
    long last;

    for (int k = 0; k < 2; k++) {
        unsigned char *g = gz(t, 5000, &len);
        struct src s = {g, len, 0, 512, 0};
        struct lht_unpack *u;
        char *got;
        g[len - 8 + 4 * k] ^= 1;
        u = lht_unpack_new(LHT_UNPACK_GZIP, pull, &s);
        got = drain(u, &n, &last);
        ck_assert_uint_eq(n, 5000);   /* the data came through; the check failed */
        ck_assert_ptr_nonnull(strstr(lht_unpack_damage(u), k ? "length trailer" : "CRC-32"));
        free(got);
        lht_unpack_free(u);
        free(g);
    }
    free(t);
}
END_TEST

START_TEST(xz_whole_cut_and_corrupt)
{
    char *t = text(100000);
    size_t len, n;
    unsigned char *x = xz(t, 100000, &len);
    long last;
    struct src s = {x, len, 0, 1000, 0};
    struct lht_unpack *u;
    char *got;

    ck_assert_int_eq(lht_unpack_sniff(x, len), LHT_UNPACK_XZ);
    u = lht_unpack_new(LHT_UNPACK_XZ, pull, &s);
    got = drain(u, &n, &last);
    ck_assert_uint_eq(n, 100000);
    ck_assert_ptr_null(lht_unpack_damage(u));
    free(got);
    lht_unpack_free(u);

    s = (struct src){x, len - 20, 0, 1000, 0};
    u = lht_unpack_new(LHT_UNPACK_XZ, pull, &s);
    got = drain(u, &n, &last);
    ck_assert_ptr_nonnull(strstr(lht_unpack_damage(u), "xz data ends early"));
    free(got);
    lht_unpack_free(u);

    x[len / 2] ^= 0x10;
    s = (struct src){x, len, 0, 1000, 0};
    u = lht_unpack_new(LHT_UNPACK_XZ, pull, &s);
    got = drain(u, &n, &last);
    ck_assert_ptr_nonnull(strstr(lht_unpack_damage(u), "xz data corrupt"));
    free(got);
    lht_unpack_free(u);
    free(x), free(t);
}
END_TEST

/* The enclosing data failing is -1, and said. */
START_TEST(pull_failure)
{
    char *t = text(100000);
    size_t len, n;
    unsigned char *g = gz(t, 100000, &len);
    struct src s = {g, len, 0, 100, 300};
    struct lht_unpack *u = lht_unpack_new(LHT_UNPACK_GZIP, pull, &s);
    long last;
    char *got = drain(u, &n, &last);

    ck_assert_int_eq(last, -1);
    ck_assert_ptr_nonnull(strstr(lht_unpack_damage(u), "could not be read"));
    ck_assert_int_eq(lht_unpack_sniff("plain", 5), LHT_UNPACK_NONE);
    free(got);
    lht_unpack_free(u);
    free(g), free(t);
}
END_TEST

static Suite *unpack_suite(void)
{
    Suite *s = suite_create("unpack");
    TCase *tc = tcase_create("unpack");
    tcase_set_timeout(tc, 60);   /* small pulls under ASan on a busy machine */
    tcase_add_test(tc, gzip_members_and_padding);
    tcase_add_test(tc, gzip_cut_hands_on_the_head);
    tcase_add_test(tc, gzip_bad_trailers);
    tcase_add_test(tc, xz_whole_cut_and_corrupt);
    tcase_add_test(tc, pull_failure);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(unpack_suite)
