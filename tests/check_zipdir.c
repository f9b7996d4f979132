/* check_zipdir.c - the zip directory checks and the fast member reader
 * (ingest/zipdir.c): members read by their ranges with ISA-L, CRC-32 and
 * sizes checked, and every zip the reader does not cover left to
 * libarchive. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/source.h"
#include "ingest/zipdir.h"
#include "testutil.h"
#include "tu_main.h"

/* A text that deflates to many blocks and more than one read buffer. */
static char *big_text(size_t *len)
{
    size_t n = 3u << 20, i = 0;
    char *t = malloc(n + 1);
    unsigned x = 12345;

    while (i + 80 < n) {
        x = x * 1103515245u + 12345u;
        i += (size_t)snprintf(t + i, n - i, "Sep 24 06:%02u:%02u n1 kernel: line %u value %u\n", (x >> 8) % 60,
                              (x >> 16) % 60, (unsigned)i, x);
    }
    *len = i;
    return t;
}

/* members written to a zip file (deflated, with data descriptors, as
 * libarchive and Go write them); *bytes gets a copy of the file */
static const char *write_zip(const char *name, const struct tu_member *m, size_t n, char **bytes, size_t *len)
{
    static char path[512];

    ck_assert_int_eq(tu_archive_bytes("zip", m, n, bytes, len), 0);
    snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
    ck_assert_int_eq(tu_write_file(path, *bytes, *len), 0);
    return path;
}

/* The central directory entry of member k (0-based). */
static char *cd_entry(char *z, size_t len, int k)
{
    char *p = z;

    for (;;) {
        p = memmem(p, len - (size_t)(p - z), "PK\001\002", 4);
        ck_assert_ptr_nonnull(p);
        if (k-- == 0)
            return p;
        p += 4;
    }
}

/* Read member i whole in reads of step bytes; -1 when the reader fails. */
static long read_all(struct lht_ziplist *z, size_t i, char *out, size_t cap, size_t step, const char **why)
{
    struct lht_zipread *r = lht_zipread_new();
    size_t got = 0;
    long k;

    ck_assert_ptr_nonnull(r);
    lht_zipread_begin(r, z, i);
    while ((k = lht_zipread_read(r, out + got, step < cap - got ? step : cap - got)) > 0)
        got += (size_t)k;
    static char msg[256];

    snprintf(msg, sizeof msg, "%s", k < 0 ? lht_zipread_why(r) : "");
    *why = k < 0 ? msg : NULL;
    lht_zipread_free(r);
    return k < 0 ? -1 : (long)got;
}

START_TEST(deflate_members_read_by_range)
{
    size_t tlen, zlen, i;
    char *text = big_text(&tlen), *z, *out = malloc(tlen + 16);
    struct tu_member m[] = {{"sb/a.txt", "alpha\n", 0}, {"sb/big.log", text, tlen}};
    const char *path = write_zip("a.zip", m, 2, &z, &zlen), *why;
    int fd = open(path, O_RDONLY);
    struct lht_ziplist *l = lht_ziplist_open(fd, 0, (long long)zlen);

    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(lht_ziplist_count(l), 2);
    ck_assert_str_eq(lht_ziplist_entry(l, 0)->name, "sb/a.txt");   /* local header order */
    ck_assert_str_eq(lht_ziplist_entry(l, 1)->name, "sb/big.log");
    ck_assert_int_eq(lht_ziplist_entry(l, 1)->size, (long long)tlen);
    ck_assert_int_eq(lht_ziplist_entry(l, 1)->method, 8);
    /* reads of odd sizes, the inflater's output moving every time */
    for (i = 0; i < 3; i++) {
        static const size_t steps[] = {1000, 65536, 1u << 22};
        memset(out, 0, tlen);
        ck_assert_int_eq(read_all(l, 1, out, tlen + 16, steps[i], &why), (long)tlen);
        ck_assert_int_eq(memcmp(out, text, tlen), 0);
    }
    ck_assert_int_eq(read_all(l, 0, out, tlen, 7, &why), 6);
    ck_assert_int_eq(memcmp(out, "alpha\n", 6), 0);
    lht_ziplist_free(l);
    close(fd);
    free(z);
    free(out);
    free(text);
}
END_TEST

/* A member whose CRC-32 (as the directory states it) does not match its
 * data is damage: the read fails at its end, and a walk says so and reads
 * the members after it. */
START_TEST(bad_crc_fails_the_member)
{
    struct tu_member m[] = {{"sb/a.txt", "alpha alpha alpha\n", 0}, {"sb/b.txt", "beta\n", 0}};
    size_t zlen;
    char *z, out[64], *e;
    const char *path, *why;
    struct lht_ziplist *l;
    int fd;

    ck_assert_int_eq(tu_archive_bytes("zip", m, 2, &z, &zlen), 0);
    e = cd_entry(z, zlen, 0);
    e[16] ^= 0x5a;
    path = tu_tmpdir();
    {
        static char p[512];
        snprintf(p, sizeof p, "%s/crc.zip", path);
        path = p;
    }
    ck_assert_int_eq(tu_write_file(path, z, zlen), 0);
    fd = open(path, O_RDONLY);
    ck_assert_ptr_nonnull(l = lht_ziplist_open(fd, 0, (long long)zlen));
    ck_assert_int_eq(read_all(l, 0, out, sizeof out, 5, &why), -1);
    ck_assert_msg(strstr(why, "CRC") != NULL, "%s", why);
    ck_assert_int_eq(read_all(l, 1, out, sizeof out, 5, &why), 5);
    lht_ziplist_free(l);
    close(fd);
    free(z);
}
END_TEST

/* Deflate data damaged in the middle: the read fails, never returns
 * the wrong bytes as good. */
START_TEST(damaged_deflate_data_fails)
{
    size_t tlen, zlen;
    char *text = big_text(&tlen), *z, *out = malloc(tlen + 16), *p;
    struct tu_member m[] = {{"sb/big.log", text, tlen}};
    const char *path = write_zip("dd.zip", m, 1, &z, &zlen), *why;
    struct lht_ziplist *l;
    int fd;

    p = z + zlen / 2;
    p[0] ^= 0xff, p[1] ^= 0x55, p[2] ^= 0xaa;
    ck_assert_int_eq(tu_write_file(path, z, zlen), 0);
    fd = open(path, O_RDONLY);
    ck_assert_ptr_nonnull(l = lht_ziplist_open(fd, 0, (long long)zlen));
    ck_assert_int_eq(read_all(l, 0, out, tlen + 16, 65536, &why), -1);
    ck_assert_ptr_nonnull(why);
    lht_ziplist_free(l);
    close(fd);
    free(z);
    free(out);
    free(text);
}
END_TEST

/* What the fast reader does not cover is left to libarchive: an encrypted
 * member, a name past ASCII, a method other than stored or deflate. */
START_TEST(other_zips_are_left_to_libarchive)
{
    struct tu_member m[] = {{"sb/a.txt", "alpha\n", 0}, {"sb/b.txt", "beta\n", 0}};
    static const int what[] = {0, 1, 2, 3};
    size_t zlen;
    char *z, *e;
    const char *path;
    int fd;

    for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
        ck_assert_int_eq(tu_archive_bytes("zip", m, 2, &z, &zlen), 0);
        e = cd_entry(z, zlen, 1);
        if (what[k] == 1)
            e[8] |= 1;                       /* encrypted */
        else if (what[k] == 2)
            e[46 + 3] = (char)0xc3;          /* "sb/\xc3.txt" */
        else if (what[k] == 3)
            e[10] = 12;                      /* bzip2 */
        {
            static char p[512];
            snprintf(p, sizeof p, "%s/o%zu.zip", tu_tmpdir(), k);
            path = p;
        }
        ck_assert_int_eq(tu_write_file(path, z, zlen), 0);
        fd = open(path, O_RDONLY);
        struct lht_ziplist *l = lht_ziplist_open(fd, 0, (long long)zlen);
        if (what[k] == 0)
            ck_assert_ptr_nonnull(l);
        else
            ck_assert_msg(l == NULL, "case %d opened", what[k]);
        lht_ziplist_free(l);
        close(fd);
        free(z);
    }
}
END_TEST

struct seen {
    int n, warns, found_b;
    char warn[256];
};

static int on_member(void *ud, const char *path, const char *data, size_t len, long long size, int flags)
{
    struct seen *s = ud;

    (void)size;
    (void)flags;
    s->n++;
    if (strcmp(path, "sb/b.txt") == 0 && data && len == 5 && memcmp(data, "beta\n", 5) == 0)
        s->found_b = 1;
    return LHT_OK;
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    struct seen *s = ud;

    s->warns++;
    snprintf(s->warn, sizeof s->warn, "%s: %s", path, msg);
}

/* Through the walk: the damaged member is named, the walk is partial
 * (LHT_EFORMAT), the member after it is read. */
START_TEST(walk_reports_a_bad_crc)
{
    struct tu_member m[] = {{"sb/a.txt", "alpha alpha alpha\n", 0}, {"sb/b.txt", "beta\n", 0}};
    struct lht_source_opts o;
    struct seen s = {0, 0, 0, ""};
    struct lht_source_cb cb = {.want = NULL, .member = on_member, .chunk = NULL, .warn = on_warn, .ud = &s};
    size_t zlen;
    char *z, path[512];
    lht_err err;

    ck_assert_int_eq(tu_archive_bytes("zip", m, 2, &z, &zlen), 0);
    cd_entry(z, zlen, 0)[16] ^= 0x5a;
    snprintf(path, sizeof path, "%s/walk.zip", tu_tmpdir());
    ck_assert_int_eq(tu_write_file(path, z, zlen), 0);
    lht_source_defaults(&o);
    lht_err_clear(&err);
    ck_assert_int_eq(lht_source_walk(path, &o, &cb, &err), LHT_EFORMAT);
    ck_assert_msg(strstr(err.msg, "sb/a.txt") != NULL && strstr(err.msg, "CRC") != NULL, "%s", err.msg);
    ck_assert_int_eq(s.n, 2);
    ck_assert_int_eq(s.found_b, 1);
    free(z);
}
END_TEST

static Suite *zipdir_suite(void)
{
    Suite *s = suite_create("zipdir");
    TCase *tc = tcase_create("fast");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, deflate_members_read_by_range);
    tcase_add_test(tc, bad_crc_fails_the_member);
    tcase_add_test(tc, damaged_deflate_data_fails);
    tcase_add_test(tc, other_zips_are_left_to_libarchive);
    tcase_add_test(tc, walk_reports_a_bad_crc);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(zipdir_suite)
