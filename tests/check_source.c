/* check_source.c - archive/folder/loose-file walking (source.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/source.h"
#include "testutil.h"
#include "tu_main.h"

struct seen {
    char paths[64][512];
    char data[64][256];
    int trunc[64];
    int skipped[64];
    long long size[64];
    int n;
    int warns;
    char warn_path[512];
    char warn_msg[512];
};

static int on_member(void *ud, const char *path, const char *data, size_t len, long long size,
                     int flags)
{
    struct seen *s = ud;
    if (s->n < 64) {
        s->size[s->n] = size;
        snprintf(s->paths[s->n], sizeof s->paths[0], "%s", path);
        snprintf(s->data[s->n], sizeof s->data[0], "%.*s", (int)(len < 255 ? len : 255),
                 data ? data : "");
        s->trunc[s->n] = flags;
        s->skipped[s->n] = data == NULL;
    }
    s->n++;
    return LHT_OK;
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    struct seen *s = ud;
    s->warns++;
    snprintf(s->warn_path, sizeof s->warn_path, "%s", path);
    snprintf(s->warn_msg, sizeof s->warn_msg, "%s", msg);
}

static int skip_logs(void *ud, const char *path, long long size)
{
    (void)ud;
    (void)size;
    return strstr(path, ".log") == NULL;
}

static int walk(const char *path, struct lht_source_opts *o, struct seen *s, lht_err *err,
                lht_want_fn want)
{
    struct lht_source_opts def;
    struct lht_source_cb cb = {.want = want, .member = on_member, .chunk = NULL, .warn = on_warn, .ud = s};
    if (o == NULL) {
        lht_source_defaults(&def);
        o = &def;
    }
    memset(s, 0, sizeof *s);
    lht_err_clear(err);
    return lht_source_walk(path, o, &cb, err);
}

static int find(const struct seen *s, const char *path)
{
    int i;
    for (i = 0; i < s->n && i < 64; i++)
        if (strcmp(s->paths[i], path) == 0)
            return i;
    return -1;
}

static const char *const formats[] = {"zip", "tar.gz", "tar", "tar.xz", "tar.zst"};

START_TEST(flat_archive_all_formats)
{
    struct tu_member m[] = {
        {"bundle/", NULL, 0},
        {"bundle/a.txt", "hello\n", 0},
        {"./bundle/b/c.txt", "world\n", 0},
    };
    char path[256];
    struct seen s;
    lht_err err;
    snprintf(path, sizeof path, "%s/x.%s", tu_tmpdir(), formats[_i]);
    ck_assert_int_eq(tu_write_archive(path, formats[_i], m, 3), 0);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.paths[0], "bundle/a.txt");
    ck_assert_str_eq(s.data[0], "hello\n");
    ck_assert_str_eq(s.paths[1], "bundle/b/c.txt");
}
END_TEST

START_TEST(nested_zip_paths_joined_with_bang)
{
    struct tu_member inner[] = {{"n1/hostinfos/hostinfo", "hostname : \n \tn1\n", 0}};
    char *zbytes;
    size_t zlen;
    ck_assert_int_eq(tu_archive_bytes("zip", inner, 1, &zbytes, &zlen), 0);
    struct tu_member outer[] = {
        {"sb/metadata.yaml", "bundlename: x\n", 0},
        {"sb/nodes/n1.zip", zbytes, zlen},
    };
    char path[256];
    struct seen s;
    lht_err err;
    snprintf(path, sizeof path, "%s/b.%s", tu_tmpdir(), _i ? "tar.gz" : "zip");
    ck_assert_int_eq(tu_write_archive(path, _i ? "tar.gz" : "zip", outer, 2), 0);
    free(zbytes);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 2);
    int i = find(&s, "sb/nodes/n1.zip!n1/hostinfos/hostinfo");
    ck_assert_int_ge(i, 0);
    ck_assert_str_eq(s.data[i], "hostname : \n \tn1\n");
}
END_TEST

START_TEST(depth_limit_warns_and_goes_on)
{
    struct tu_member l3[] = {{"deep.txt", "deep\n", 0}};
    char *b3, *b2;
    size_t n3, n2;
    ck_assert_int_eq(tu_archive_bytes("zip", l3, 1, &b3, &n3), 0);
    struct tu_member l2[] = {{"inner.zip", b3, n3}};
    ck_assert_int_eq(tu_archive_bytes("zip", l2, 1, &b2, &n2), 0);
    struct tu_member l1[] = {{"mid.zip", b2, n2}, {"top.txt", "top\n", 0}};
    char path[256];
    struct seen s;
    lht_err err;
    struct lht_source_opts o;
    snprintf(path, sizeof path, "%s/deep.zip", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "zip", l1, 2), 0);
    free(b3);
    free(b2);
    lht_source_defaults(&o);
    o.max_depth = 2;
    ck_assert_int_eq(walk(path, &o, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.paths[0], "top.txt");
    ck_assert_int_eq(s.warns, 1);
    ck_assert_str_eq(s.warn_path, "mid.zip!inner.zip");
    ck_assert_ptr_nonnull(strstr(s.warn_msg, "depth"));
    o.max_depth = 4;
    ck_assert_int_eq(walk(path, &o, &s, &err, NULL), LHT_OK);
    ck_assert_int_ge(find(&s, "mid.zip!inner.zip!deep.txt"), 0);
}
END_TEST

START_TEST(member_cap_truncates)
{
    char big[10000];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    struct tu_member m[] = {{"big.txt", big, sizeof big}};
    char path[256];
    struct seen s;
    lht_err err;
    struct lht_source_opts o;
    snprintf(path, sizeof path, "%s/big.zip", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "zip", m, 1), 0);
    lht_source_defaults(&o);
    o.member_cap = 100;
    ck_assert_int_eq(walk(path, &o, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(s.trunc[0], LHT_MEMBER_CAPPED);
    ck_assert_int_eq((int)strlen(s.data[0]), 100);
}
END_TEST

START_TEST(total_cap_is_an_error)
{
    char big[5000];
    memset(big, 'y', sizeof big);
    struct tu_member m[] = {{"a.txt", big, sizeof big}, {"b.txt", big, sizeof big}};
    char path[256];
    struct seen s;
    lht_err err;
    struct lht_source_opts o;
    snprintf(path, sizeof path, "%s/t.tar.gz", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "tar.gz", m, 2), 0);
    lht_source_defaults(&o);
    o.total_cap = 6000;
    ck_assert_int_eq(walk(path, &o, &s, &err, NULL), LHT_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.msg, "total size cap"));
    ck_assert_ptr_nonnull(strstr(err.msg, "b.txt"));
}
END_TEST

START_TEST(want_filter_skips_data)
{
    struct tu_member m[] = {{"x/app.log", "noise\n", 0}, {"x/ps.txt", "PID CMD\n", 0}};
    char path[256];
    struct seen s;
    lht_err err;
    snprintf(path, sizeof path, "%s/w.zip", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "zip", m, 2), 0);
    ck_assert_int_eq(walk(path, NULL, &s, &err, skip_logs), LHT_OK);
    ck_assert_int_eq(s.n, 2);
    ck_assert_int_eq(s.skipped[find(&s, "x/app.log")], 1);
    ck_assert_int_eq(s.skipped[find(&s, "x/ps.txt")], 0);
}
END_TEST

START_TEST(loose_text_and_gzip_text)
{
    const char *dir = tu_tmpdir();
    char path[256];
    struct seen s;
    lht_err err;
    snprintf(path, sizeof path, "%s/stack.txt", dir);
    ck_assert_int_eq(tu_write_file(path, "[<0>] schedule+0x1/0x2\r\n", 24), 0);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.paths[0], "stack.txt");
    ck_assert_str_eq(s.data[0], "[<0>] schedule+0x1/0x2\r\n");
}
END_TEST

START_TEST(folder_with_node_zip)
{
    const char *dir = tu_tmpdir();
    char path[512];
    struct tu_member inner[] = {{"n2/logs/dmesg.log", "kern  :warn  : [x] hi\n", 0}};
    struct seen s;
    lht_err err;
    snprintf(path, sizeof path, "%s/nodes", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/nodes/n2.zip", dir);
    ck_assert_int_eq(tu_write_archive(path, "zip", inner, 1), 0);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    ck_assert_int_eq(tu_write_file(path, "# ps aux\n", 9), 0);
    ck_assert_int_eq(walk(dir, NULL, &s, &err, NULL), LHT_OK);
    ck_assert_int_eq(s.n, 2);
    ck_assert_int_ge(find(&s, "nodes/n2.zip!n2/logs/dmesg.log"), 0);
    ck_assert_int_ge(find(&s, "notes.txt"), 0);
}
END_TEST

START_TEST(bad_inputs_give_one_line_errors)
{
    const char *dir = tu_tmpdir();
    char path[512];
    struct seen s;
    lht_err err;

    snprintf(path, sizeof path, "%s/missing.zip", dir);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing.zip"));

    snprintf(path, sizeof path, "%s/empty.zip", dir);
    ck_assert_int_eq(tu_write_file(path, "", 0), 0);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty"));

    snprintf(path, sizeof path, "%s/blob.bin", dir);
    ck_assert_int_eq(tu_write_file(path, "\x7f" "ELF\0\0\0\1\2\3", 10), 0);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a support bundle"));
    ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

/* An archive's bytes in memory (caller frees). */
static char *archive_bytes(const char *fmt, const struct tu_member *m, size_t n, size_t *len)
{
    char *z;
    ck_assert_int_eq(tu_archive_bytes(fmt, m, n, &z, len), 0);
    return z;
}

/* Walk len bytes of buf written as file `name`. */
static int walk_bytes(const char *name, const char *buf, size_t len, struct seen *s, lht_err *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
    ck_assert_int_eq(tu_write_file(path, buf, len), 0);
    return walk(path, NULL, s, err, NULL);
}

/* Text deflate cannot shrink to nothing. */
static char *varied_text(size_t n)
{
    char *t = malloc(n + 1);
    size_t i;
    ck_assert_ptr_nonnull(t);
    for (i = 0; i < n; i++)
        t[i] = (i % 61 == 60) ? '\n' : (char)('a' + (i * 7919 + i / 13) % 26);
    t[n] = '\0';
    return t;
}

/* Cut short anywhere, an archive gives the members before the cut and a
 * partial result that says so: never LHT_OK. libarchive's own gzip filter
 * dropped the last 64 KiB it had inflated, so a small tar.gz lost all. */
START_TEST(truncated_archives)
{
    static const char *const fmts[] = {"zip", "tar.gz", "tar.xz"};
    static const char *const why[] = {"no end-of-central-directory record: the zip is cut short",
                                      "gzip data ends early", "xz data ends early"};
    char *body = varied_text(200000), *z, name[64];
    struct tu_member m[] = {{"a/first.txt", "first\n", 0}, {"a/second.txt", body, 200000}};
    size_t zlen, f, pct;
    struct seen s;
    lht_err err;

    for (f = 0; f < 3; f++) {
        z = archive_bytes(fmts[f], m, 2, &zlen);
        for (pct = 50; pct <= 99; pct += 49) {
            snprintf(name, sizeof name, "cut%zu.%s", pct, fmts[f]);
            ck_assert_msg(walk_bytes(name, z, zlen * pct / 100, &s, &err) == LHT_EFORMAT, "%s: %s", name, err.msg);
            ck_assert_msg(strstr(err.msg, why[f]) != NULL, "%s: %s", name, err.msg);
            ck_assert_ptr_nonnull(strstr(err.msg, name));
            ck_assert_int_ge(s.warns, 1);
            ck_assert_int_ge(find(&s, "a/first.txt"), 0);
            ck_assert_str_eq(s.data[find(&s, "a/first.txt")], "first\n");
        }
        free(z);
    }
    free(body);
}
END_TEST

/* A plain tar cut where a member ends (an upload cut at a multiple of 512
 * bytes) reads whole up to there, as bsdtar and GNU tar read it too: the
 * missing end-of-archive blocks make it partial, said why. */
START_TEST(tar_cut_at_a_member_boundary)
{
    struct tu_member m[] = {{"a/first.txt", "first\n", 0}, {"a/second.txt", "second\n", 0}};
    size_t zlen;
    char *z = archive_bytes("tar", m, 2, &zlen);
    struct seen s;
    lht_err err;

    ck_assert_int_eq(walk_bytes("whole.tar", z, zlen, &s, &err), LHT_OK);
    ck_assert_int_eq(s.warns, 0);
    /* header and one data block each */
    ck_assert_int_eq(walk_bytes("cut1.tar", z, 1024, &s, &err), LHT_EFORMAT);
    ck_assert_msg(strstr(err.msg, "cut1.tar: the tar ends without its end-of-archive blocks") != NULL, "%s", err.msg);
    ck_assert_int_ge(find(&s, "a/first.txt"), 0);
    ck_assert_int_eq(find(&s, "a/second.txt"), -1);
    ck_assert_int_eq(walk_bytes("cut2.tar", z, 2048, &s, &err), LHT_EFORMAT);
    ck_assert_int_ge(find(&s, "a/second.txt"), 0);
    /* one zero block of the two is enough to say the writer ended it */
    ck_assert_int_eq(walk_bytes("one.tar", z, 2560, &s, &err), LHT_OK);
    free(z);
}
END_TEST

/* A gzip trailer that does not match the data (CRC-32, then ISIZE): every
 * member arrives, and the input is partial for it. */
START_TEST(gzip_trailer_mismatch)
{
    struct tu_member m[] = {{"sb/a.txt", "alpha\n", 0}, {"sb/b.txt", "beta\n", 0}};
    static const char *const why[] = {"gzip CRC-32 mismatch", "gzip length trailer mismatch"};
    size_t zlen, k;
    char *z;
    struct seen s;
    lht_err err;

    for (k = 0; k < 2; k++) {
        z = archive_bytes("tar.gz", m, 2, &zlen);
        z[zlen - 8 + 4 * k] ^= 0x5a;
        ck_assert_int_eq(walk_bytes("crc.tar.gz", z, zlen, &s, &err), LHT_EFORMAT);
        ck_assert_msg(strstr(err.msg, why[k]) != NULL, "%s", err.msg);
        ck_assert_int_eq(s.n, 2);
        ck_assert_str_eq(s.data[1], "beta\n");
        free(z);
    }
    /* a lone gzip'd file (a rotated syslog.2.gz) the same */
    z = archive_bytes("gz", m, 1, &zlen);
    z[zlen - 8] ^= 0x5a;
    ck_assert_int_eq(walk_bytes("syslog.2.gz", z, zlen, &s, &err), LHT_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "gzip CRC-32 mismatch"));
    ck_assert_str_eq(s.data[0], "alpha\n");
    free(z);
}
END_TEST

/* Corrupt xz data fails liblzma's integrity check. */
START_TEST(xz_corrupt)
{
    char *body = varied_text(50000), *z;
    struct tu_member m[] = {{"sb/a.txt", body, 50000}};
    size_t zlen;
    struct seen s;
    lht_err err;

    z = archive_bytes("tar.xz", m, 1, &zlen);
    z[zlen / 2] ^= 0x01;
    ck_assert_int_eq(walk_bytes("bad.tar.xz", z, zlen, &s, &err), LHT_EFORMAT);
    ck_assert_msg(strstr(err.msg, "xz data corrupt") != NULL, "%s", err.msg);
    free(z);
    free(body);
}
END_TEST

/* Little-endian fields of a zip's records. */
static void put16(char *p, unsigned v) { p[0] = (char)(v & 0xff); p[1] = (char)(v >> 8); }
static unsigned get16(const char *p) { return (unsigned char)p[0] | (unsigned)(unsigned char)p[1] << 8; }
static void put32(char *p, unsigned long v) { put16(p, (unsigned)(v & 0xffff)); put16(p + 2, (unsigned)(v >> 16)); }
static unsigned long get32(const char *p) { return get16(p) | (unsigned long)get16(p + 2) << 16; }

static char *eocd_of(char *z, size_t zlen)
{
    char *e = z + zlen - 22;
    ck_assert_int_eq(memcmp(e, "PK\005\006", 4), 0);
    return e;
}

/* A zip whose end record, central directory and local headers disagree
 * is read by its local headers (nothing is lost) and is partial, saying
 * what disagrees. */
START_TEST(zip_directory_inconsistent)
{
    static const char *const why[] = {
        "the end record lists 3 entries, the central directory holds 2",
        "the central directory ends at byte",
        "member 'sb/b.txt': no local header where the central directory says",
    };
    struct tu_member m[] = {{"sb/a.txt", "alpha\n", 0}, {"sb/b.txt", "beta\n", 0}};
    size_t zlen;
    char *z = archive_bytes("zip", m, 2, &zlen), *e, *cd;
    struct seen s;
    lht_err err;

    ck_assert_int_eq(walk_bytes("good.zip", z, zlen, &s, &err), LHT_OK);
    for (int k = 0; k < 3; k++) {
        char *c = malloc(zlen);
        memcpy(c, z, zlen);
        e = eocd_of(c, zlen);
        cd = c + get32(e + 16);
        if (k == 0) {
            put16(e + 8, 3);
            put16(e + 10, 3);
        } else if (k == 1) {
            put32(e + 16, get32(e + 16) - 4);
        } else {
            /* the second entry's local header offset */
            char *second = cd + 46 + get16(cd + 28) + get16(cd + 30) + get16(cd + 32);
            put32(second + 42, get32(second + 42) + 3);
        }
        ck_assert_int_eq(walk_bytes("bad.zip", c, zlen, &s, &err), LHT_EFORMAT);
        ck_assert_msg(strstr(err.msg, why[k]) != NULL, "case %d: %s", k, err.msg);
        ck_assert_int_eq(s.n, 2);
        ck_assert_str_eq(s.data[find(&s, "sb/b.txt")], "beta\n");
        free(c);
    }
    free(z);
}
END_TEST

/* A local header whose size disagrees with the central directory: that
 * is the damage reported (libarchive warns about the header, then fails
 * the data), and the members after it are still read. */
START_TEST(zip_local_header_inconsistent)
{
    struct tu_member m[] = {{"sb/a.txt", "alpha\n", 0}, {"sb/b.txt", "beta\n", 0}, {"sb/c.txt", "gamma\n", 0}};
    size_t zlen;
    char *z = archive_bytes("zip-store", m, 3, &zlen), *second;
    struct seen s;
    lht_err err;

    second = memmem(z + 4, zlen - 4, "PK\003\004", 4);
    ck_assert_ptr_nonnull(second);
    ck_assert_uint_ne(get32(second + 18), 0);   /* sizes in the local header, as a stored entry has */
    put32(second + 18, get32(second + 18) + 1);
    ck_assert_int_eq(walk_bytes("lh.zip", z, zlen, &s, &err), LHT_EFORMAT);
    ck_assert_msg(strstr(err.msg, "nconsistent") != NULL, "%s", err.msg);
    ck_assert_int_ge(find(&s, "sb/c.txt"), 0);
    ck_assert_str_eq(s.data[find(&s, "sb/c.txt")], "gamma\n");
    free(z);
}
END_TEST

/* One member's deflate data broken: that member is cut (flagged, its
 * reason a warning on it), the next one read, the walk partial. */
START_TEST(member_cut_short)
{
    char *body = varied_text(20000);
    struct tu_member m[] = {{"sb/a.txt", body, 20000}, {"sb/b.txt", "beta\n", 0}};
    size_t zlen;
    char *z = archive_bytes("zip", m, 2, &zlen);
    struct seen s;
    lht_err err;

    z[30 + 8 + 200] ^= 0xff;   /* inside a.txt's deflate data */
    ck_assert_int_eq(walk_bytes("member.zip", z, zlen, &s, &err), LHT_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "sb/a.txt: "));
    ck_assert_int_eq(s.trunc[find(&s, "sb/a.txt")], LHT_MEMBER_CUT);
    ck_assert_str_eq(s.warn_path, "sb/a.txt");
    ck_assert_int_eq(s.trunc[find(&s, "sb/b.txt")], 0);
    ck_assert_str_eq(s.data[find(&s, "sb/b.txt")], "beta\n");
    free(z);
    free(body);
}
END_TEST

/* Streaming: pieces end at line ends, arrive in order, the final call
 * comes exactly once and last, and together they are the member. */
struct pieces {
    char *got;
    size_t len, calls, lasts, bad_ends, fail_at;
    int flags_last, warned_after_last, warns;
};

static int stream_all(void *ud, const char *path, long long size)
{
    (void)ud;
    (void)size;
    return strstr(path, ".log") ? LHT_WANT_STREAM : LHT_WANT_WHOLE;
}

static int on_piece(void *ud, const char *path, const char *data, size_t len, long long size, int flags)
{
    struct pieces *p = ud;
    (void)path;
    (void)size;
    ck_assert_int_eq(p->lasts, 0);   /* nothing after the final call */
    if (p->fail_at && p->calls + 1 == p->fail_at) {
        p->calls++;
        return LHT_ENOMEM;
    }
    ck_assert(!p->fail_at || p->calls < p->fail_at);   /* nothing after a failure */
    p->got = realloc(p->got, p->len + len + 1);
    ck_assert_ptr_nonnull(p->got);
    memcpy(p->got + p->len, data, len);
    p->len += len;
    p->calls++;
    if (flags & LHT_CHUNK_LAST) {
        p->lasts++;
        p->flags_last = flags;
    } else if (len == 0 || data[len - 1] != '\n') {
        p->bad_ends++;
    }
    return LHT_OK;
}

static int piece_member(void *ud, const char *path, const char *data, size_t len, long long size, int t)
{
    (void)ud, (void)path, (void)data, (void)len, (void)size, (void)t;
    return LHT_OK;
}

static void piece_warn(void *ud, const char *path, const char *msg)
{
    struct pieces *p = ud;
    (void)path, (void)msg;
    p->warns++;
    if (p->lasts)
        p->warned_after_last = 1;
}

static int stream_walk(const char *path, struct pieces *p, lht_err *err)
{
    struct lht_source_opts o;
    struct lht_source_cb cb = {.want = stream_all, .member = piece_member, .chunk = on_piece, .warn = piece_warn, .ud = p};
    size_t fail_at = p->fail_at;

    lht_source_defaults(&o);
    memset(p, 0, sizeof *p);
    p->fail_at = fail_at;
    lht_err_clear(err);
    return lht_source_walk(path, &o, &cb, err);
}

START_TEST(stream_pieces_are_line_aligned)
{
    size_t big = 5 * LHT_SOURCE_CHUNK / 2, o = 0, n = 0;
    char *text = malloc(big + 128), path[256];
    struct pieces p = {0};
    lht_err err;

    ck_assert_ptr_nonnull(text);
    while (o < big)
        o += (size_t)sprintf(text + o, "Sep 24 06:58:00 h kernel: line %zu of a long syslog\n", n++);
    {
        struct tu_member m[] = {{"sb/nodes/n1/logs/syslog.log", text, o}};
        snprintf(path, sizeof path, "%s/s.zip", tu_tmpdir());
        ck_assert_int_eq(tu_write_archive(path, "zip", m, 1), 0);
    }
    ck_assert_int_eq(stream_walk(path, &p, &err), LHT_OK);
    ck_assert_uint_ge(p.calls, 3);
    ck_assert_uint_eq(p.lasts, 1);
    ck_assert_int_eq(p.flags_last, LHT_CHUNK_LAST);
    ck_assert_uint_eq(p.bad_ends, 0);
    ck_assert_uint_eq(p.len, o);
    ck_assert_int_eq(memcmp(p.got, text, o), 0);
    free(p.got);

    /* a consumer that fails ends the member and the walk: no final call */
    p.fail_at = 2;
    ck_assert_int_eq(stream_walk(path, &p, &err), LHT_ENOMEM);
    ck_assert_uint_eq(p.calls, 2);
    ck_assert_uint_eq(p.lasts, 0);
    free(p.got);
    p.fail_at = 0;

    /* one line longer than a piece is cut, but nothing is lost */
    memset(text, 'x', big);
    text[big - 1] = '\n';
    {
        struct tu_member m[] = {{"sb/nodes/n1/logs/syslog.log", text, big}};
        ck_assert_int_eq(tu_write_archive(path, "tar.gz", m, 1), 0);
    }
    ck_assert_int_eq(stream_walk(path, &p, &err), LHT_OK);
    ck_assert_uint_eq(p.lasts, 1);
    ck_assert_uint_eq(p.len, big);
    ck_assert_int_eq(memcmp(p.got, text, big), 0);
    free(p.got);
    free(text);
}
END_TEST

/* A stream cut by a damaged archive still gets its final call, flagged,
 * and the damage is reported only after it. */
START_TEST(stream_cut_by_damage)
{
    size_t big = 3 * LHT_SOURCE_CHUNK, o = 0, n = 0, zlen;
    char *text = malloc(big + 128), *z, path[256];
    struct pieces p = {0};
    lht_err err;
    int rc;

    ck_assert_ptr_nonnull(text);
    while (o < big)   /* varied text, so deflate cannot shrink it to nothing */
        o += (size_t)sprintf(text + o, "%zx %zu kernel: %08zx\n", n * 2654435761u, n, n ^ 0x5bd1e995u), n++;
    {
        struct tu_member m[] = {{"logs/syslog.log", text, o}};
        ck_assert_int_eq(tu_archive_bytes("tar.gz", m, 1, &z, &zlen), 0);
    }
    snprintf(path, sizeof path, "%s/cut.tar.gz", tu_tmpdir());
    ck_assert_int_eq(tu_write_file(path, z, zlen / 2), 0);
    rc = stream_walk(path, &p, &err);
    ck_assert_int_ne(rc, LHT_OK);   /* a truncated tar.gz is a damaged input */
    ck_assert_uint_eq(p.lasts, 1);
    ck_assert_int_eq(p.flags_last & LHT_CHUNK_CUT, LHT_CHUNK_CUT);
    ck_assert_uint_lt(p.len, o);
    ck_assert_int_eq(memcmp(p.got, text, p.len), 0);
    ck_assert_int_eq(p.warned_after_last || p.warns == 0, 1);
    free(p.got);
    free(z);
    free(text);
}
END_TEST

/* A bundle zip whose node zip is stored, as Info-ZIP writes them. With
 * go_headers the inner syslog's local header carries no sizes at all, as
 * Go's archive/zip writes it (data descriptor after the data); with
 * corrupt_cd the inner end-of-central-directory record is broken. The
 * inner zip (malloc'd) is returned in *inner. */
static void stored_bundle(const char *path, int go_headers, int corrupt_cd, char **inner, size_t *ilen)
{
    static char log[300000];
    size_t i, n = 0, zlen;
    char *z, *hit;

    for (i = 0; n + 64 < sizeof log; i++)
        n += (size_t)snprintf(log + n, sizeof log - n, "Sep 24 06:58:00 n1 kernel: %zx %zu\n", i * 2654435761u, i);
    {
        struct tu_member node[] = {
            {"n1/hostinfos/hostinfo", "hostname : \n \tn1\n", 0},
            {"n1/logs/syslog", log, n},
            {"n1/hostinfos/proc_mounts", "nas:/e /mnt nfs4 rw,vers=4.1 0 0\n", 0},
        };
        ck_assert_int_eq(tu_archive_bytes("zip", node, 3, &z, &zlen), 0);
    }
    if (go_headers) {
        /* the first occurrence of the name is in its local header */
        hit = memmem(z, zlen, "n1/logs/syslog", 14);
        ck_assert_ptr_nonnull(hit);
        ck_assert_int_eq(memcmp(hit - 30, "PK\003\004", 4), 0);
        memset(hit - 30 + 18, 0, 8);   /* compressed and uncompressed size */
    }
    if (corrupt_cd) {
        for (hit = z + zlen - 22; hit > z && memcmp(hit, "PK\005\006", 4) != 0; hit--)
            ;
        ck_assert_int_eq(memcmp(hit, "PK\005\006", 4), 0);
        hit[2] = 'X';
    }
    {
        struct tu_member outer[] = {{"sb/metadata.yaml", "x: 1\n", 0}, {"sb/nodes/n1.zip", z, zlen}};
        ck_assert_int_eq(tu_write_archive(path, "zip-store", outer, 2), 0);
    }
    *inner = z;
    *ilen = zlen;
}

static int skip_syslog(void *ud, const char *path, long long size)
{
    (void)ud;
    (void)size;
    return strstr(path, "syslog") == NULL;
}

/* A stored node zip is opened over its byte range in the bundle file, so
 * libarchive's seekable reader walks the node zip's central directory: a
 * member nobody wants is skipped by its size there, even when its local
 * header has none (Go's writer). Streamed through an enclosing tar, the
 * same bytes give no size: the reader must inflate to find the end. */
START_TEST(stored_node_zip_read_by_range)
{
    char path[256], tpath[256], *z, *bundle;
    size_t zlen, blen;
    struct seen s;
    lht_err err;
    int pm, sl;
    FILE *fp;

    snprintf(path, sizeof path, "%s/sb.zip", tu_tmpdir());
    stored_bundle(path, 1, 0, &z, &zlen);
    ck_assert_int_eq(walk(path, NULL, &s, &err, skip_syslog), LHT_OK);
    ck_assert_int_eq(s.warns, 0);
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/hostinfos/hostinfo"), 0);
    pm = find(&s, "sb/nodes/n1.zip!n1/hostinfos/proc_mounts");
    ck_assert_int_ge(pm, 0);
    ck_assert_str_eq(s.data[pm], "nas:/e /mnt nfs4 rw,vers=4.1 0 0\n");
    sl = find(&s, "sb/nodes/n1.zip!n1/logs/syslog");
    ck_assert_int_ge(sl, 0);
    ck_assert_int_eq(s.skipped[sl], 1);
    ck_assert_int_gt(s.size[sl], 250000);   /* from the central directory */

    fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    bundle = malloc(1 << 20);
    blen = fread(bundle, 1, 1 << 20, fp);
    fclose(fp);
    {
        struct tu_member t[] = {{"ticket/sb.zip", bundle, blen}};
        snprintf(tpath, sizeof tpath, "%s/ticket.tar", tu_tmpdir());
        ck_assert_int_eq(tu_write_archive(tpath, "tar", t, 1), 0);
    }
    ck_assert_int_eq(walk(tpath, NULL, &s, &err, skip_syslog), LHT_OK);
    sl = find(&s, "ticket/sb.zip!sb/nodes/n1.zip!n1/logs/syslog");
    ck_assert_int_ge(sl, 0);
    ck_assert_int_lt(s.size[sl], 1);        /* streamed: no size known */
    ck_assert_int_ge(find(&s, "ticket/sb.zip!sb/nodes/n1.zip!n1/hostinfos/proc_mounts"), 0);
    free(bundle);
    free(z);
}
END_TEST

/* A node zip whose central directory is broken cannot be opened over its
 * range; it is streamed instead and nothing is lost, but the bundle is
 * partial: members listed only in the broken directory may be gone. */
START_TEST(stored_node_zip_bad_directory_is_streamed)
{
    char path[256], *z;
    size_t zlen;
    struct seen s;
    lht_err err;
    int pm;

    snprintf(path, sizeof path, "%s/sb.zip", tu_tmpdir());
    stored_bundle(path, 0, 1, &z, &zlen);
    ck_assert_int_eq(walk(path, NULL, &s, &err, NULL), LHT_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "sb/nodes/n1.zip: no end-of-central-directory record"));
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/hostinfos/hostinfo"), 0);
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/logs/syslog"), 0);
    pm = find(&s, "sb/nodes/n1.zip!n1/hostinfos/proc_mounts");
    ck_assert_int_ge(pm, 0);
    ck_assert_str_eq(s.data[pm], "nas:/e /mnt nfs4 rw,vers=4.1 0 0\n");
    free(z);
}
END_TEST

/* ---- progress hook ---------------------------------------------------- */

struct ticks {
    int n;
    unsigned long long done[512], total[512];
    char member[512][96];
};

static void on_tick(void *ud, const struct lht_source_progress *p)
{
    struct ticks *t = ud;
    if (t->n < 512) {
        t->done[t->n] = p->done;
        t->total[t->n] = p->total;
        snprintf(t->member[t->n], sizeof t->member[0], "%s", p->member ? p->member : "");
    }
    t->n++;
}

static int walk_ticks(const char *path, unsigned ms, struct ticks *t)
{
    struct lht_source_opts o;
    struct seen s;
    struct lht_source_cb cb = {.want = NULL, .member = on_member, .chunk = NULL, .warn = on_warn, .ud = &s};
    lht_err err;

    lht_source_defaults(&o);
    o.progress = on_tick;
    o.progress_ud = t;
    o.progress_ms = ms;
    memset(t, 0, sizeof *t);
    memset(&s, 0, sizeof s);
    return lht_source_walk(path, &o, &cb, &err);
}

/* While a stored node zip is read by its file range, the position moves
 * through that range, block by block, inside the one member. */
START_TEST(progress_within_a_stored_node_zip)
{
    char path[256], *z;
    size_t zlen;
    struct ticks *t = calloc(1, sizeof *t);
    struct stat st;
    int i, on_log = 0, rising = 0;
    unsigned long long last = 0;

    snprintf(path, sizeof path, "%s/sb.zip", tu_tmpdir());
    stored_bundle(path, 0, 0, &z, &zlen);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(walk_ticks(path, 0, t), LHT_OK);
    ck_assert_int_gt(t->n, 2);
    for (i = 0; i < t->n && i < 512; i++) {
        ck_assert_uint_eq(t->total[i], (unsigned long long)st.st_size);
        ck_assert_uint_le(t->done[i], t->total[i]);
        if (strcmp(t->member[i], "sb/nodes/n1.zip!n1/logs/syslog") == 0) {
            ck_assert_uint_gt(t->done[i], 0);
            rising += on_log++ > 0 && t->done[i] > last;
            last = t->done[i];
        }
    }
    ck_assert_int_ge(on_log, 2);
    ck_assert_int_ge(rising, 1);
    free(z);
    free(t);
}
END_TEST

/* A streamed archive (tar.gz): the compressed bytes consumed, rising to
 * the file's size; progress_ms limits the calls. */
START_TEST(progress_streamed_and_rate_limited)
{
    static char big[400000];
    struct tu_member m[] = {{"sb/a.log", big, sizeof big}, {"sb/b.txt", "b\n", 0}};
    char path[256];
    struct ticks *t = calloc(1, sizeof *t);
    struct stat st;
    int i;
    unsigned k;

    for (k = 0; k < sizeof big; k++)
        big[k] = (char)('a' + (k * 2654435761u >> 27) % 26);
    snprintf(path, sizeof path, "%s/p.tar.gz", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "tar.gz", m, 2), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(walk_ticks(path, 0, t), LHT_OK);
    ck_assert_int_gt(t->n, 3);
    for (i = 1; i < t->n && i < 512; i++)
        ck_assert_uint_ge(t->done[i], t->done[i - 1]);
    ck_assert_str_eq(t->member[t->n - 1], "sb/b.txt");
    ck_assert_uint_gt(t->done[t->n - 1], (unsigned long long)st.st_size / 2);
    ck_assert_int_eq(walk_ticks(path, 100000, t), LHT_OK);
    ck_assert_int_eq(t->n, 1);   /* the first call only */
    free(t);
}
END_TEST

/* ---- streams (stdin) --------------------------------------------------- */

/* Walk bytes through a pipe, as `cat x | lhtriage scan -` does. */
static int walk_pipe(const char *bytes, size_t len, const char *name, struct seen *s, lht_err *err)
{
    struct lht_source_opts o;
    struct lht_source_cb cb = {.want = NULL, .member = on_member, .chunk = NULL, .warn = on_warn, .ud = s};
    int fd[2], rc;

    ck_assert_int_lt(len, 60000);   /* fits the pipe's buffer: no writer thread */
    ck_assert_int_eq(pipe(fd), 0);
    ck_assert_int_eq(write(fd[1], bytes, len), (ssize_t)len);
    close(fd[1]);
    lht_source_defaults(&o);
    memset(s, 0, sizeof *s);
    lht_err_clear(err);
    rc = lht_source_walk_fd(fd[0], name, &o, &cb, err);
    close(fd[0]);
    return rc;
}

START_TEST(stream_from_a_pipe)
{
    struct tu_member inner[] = {{"n1/hostinfos/hostinfo", "hostname : \n \tn1\n", 0}};
    char *zbytes, *bytes;
    size_t zlen, len;
    struct seen s;
    lht_err err;
    ck_assert_int_eq(tu_archive_bytes("zip-store", inner, 1, &zbytes, &zlen), 0);
    {
        struct tu_member outer[] = {{"sb/metadata.yaml", "x: 1\n", 0}, {"sb/nodes/n1.zip", zbytes, zlen}};
        ck_assert_int_eq(tu_archive_bytes(_i ? "tar.gz" : "zip", outer, 2, &bytes, &len), 0);
    }
    ck_assert_int_eq(walk_pipe(bytes, len, "(stdin)", &s, &err), LHT_OK);
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/hostinfos/hostinfo"), 0);
    ck_assert_int_ge(find(&s, "sb/metadata.yaml"), 0);
    /* a paste is one member, named as the stream */
    ck_assert_int_eq(walk_pipe("root@n1:~# uname -r\n6.1.0\n", 26, "ticket-1", &s, &err), LHT_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.paths[0], "ticket-1");
    ck_assert_int_ne(walk_pipe("", 0, "(stdin)", &s, &err), LHT_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "(stdin): "));
    free(zbytes);
    free(bytes);
}
END_TEST

/* A redirected file (`< x.zip`): its stored node zips are still found. */
START_TEST(stream_from_a_regular_file)
{
    char path[256], *z;
    size_t zlen;
    struct lht_source_opts o;
    struct seen s;
    struct lht_source_cb cb = {.want = NULL, .member = on_member, .chunk = NULL, .warn = on_warn, .ud = &s};
    lht_err err;
    int fd;

    snprintf(path, sizeof path, "%s/sb.zip", tu_tmpdir());
    stored_bundle(path, 0, 0, &z, &zlen);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    lht_source_defaults(&o);
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(lht_source_walk_fd(fd, "(stdin)", &o, &cb, &err), LHT_OK);
    close(fd);
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/hostinfos/proc_mounts"), 0);
    ck_assert_int_ge(find(&s, "sb/nodes/n1.zip!n1/logs/syslog"), 0);
    free(z);
}
END_TEST

static Suite *source_suite(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("walk");
    tcase_add_loop_test(tc, flat_archive_all_formats, 0, 5);
    tcase_add_loop_test(tc, nested_zip_paths_joined_with_bang, 0, 2);
    tcase_add_test(tc, depth_limit_warns_and_goes_on);
    tcase_add_test(tc, member_cap_truncates);
    tcase_add_test(tc, total_cap_is_an_error);
    tcase_add_test(tc, want_filter_skips_data);
    tcase_add_test(tc, loose_text_and_gzip_text);
    tcase_add_test(tc, folder_with_node_zip);
    tcase_add_test(tc, bad_inputs_give_one_line_errors);
    tcase_add_test(tc, truncated_archives);
    tcase_add_test(tc, gzip_trailer_mismatch);
    tcase_add_test(tc, xz_corrupt);
    tcase_add_test(tc, zip_directory_inconsistent);
    tcase_add_test(tc, member_cut_short);
    tcase_add_test(tc, tar_cut_at_a_member_boundary);
    tcase_add_test(tc, zip_local_header_inconsistent);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stream_pieces_are_line_aligned);
    tcase_add_test(tc, stream_cut_by_damage);
    tcase_add_test(tc, stored_node_zip_read_by_range);
    tcase_add_test(tc, stored_node_zip_bad_directory_is_streamed);
    tcase_add_test(tc, progress_within_a_stored_node_zip);
    tcase_add_test(tc, progress_streamed_and_rate_limited);
    tcase_add_loop_test(tc, stream_from_a_pipe, 0, 2);
    tcase_add_test(tc, stream_from_a_regular_file);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(source_suite)
