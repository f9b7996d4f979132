/* testutil.c - see testutil.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "testutil.h"

#include <archive.h>
#include <ftw.h>
#include <sys/stat.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct archive *new_writer(const char *format)
{
    struct archive *a = archive_write_new();

    if (strcmp(format, "zip") == 0 || strcmp(format, "zip-store") == 0) {
        archive_write_set_format_zip(a);
        /* Info-ZIP stores members that are zips themselves, as bundles do */
        if (strcmp(format, "zip-store") == 0)
            archive_write_set_format_option(a, "zip", "compression", "store");
    } else if (strcmp(format, "gz") == 0) {
        /* one member, gzipped on its own, as a rotated syslog.2.gz */
        archive_write_set_format_raw(a);
        archive_write_add_filter_gzip(a);
    } else {
        archive_write_set_format_gnutar(a);
        if (strcmp(format, "tar.gz") == 0)
            archive_write_add_filter_gzip(a);
        else if (strcmp(format, "tar.xz") == 0)
            archive_write_add_filter_xz(a);
        else if (strcmp(format, "tar.zst") == 0)
            archive_write_add_filter_zstd(a);
    }
    return a;
}

static int add_members(struct archive *a, const struct tu_member *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        size_t len = m[i].data ? (m[i].len ? m[i].len : strlen(m[i].data)) : 0;
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, m[i].data ? AE_IFREG : AE_IFDIR);
        archive_entry_set_perm(e, m[i].data ? 0644 : 0755);
        archive_entry_set_size(e, (la_int64_t)len);
        archive_entry_set_mtime(e, 1758697512, 0);
        if (archive_write_header(a, e) != ARCHIVE_OK) {
            archive_entry_free(e);
            return -1;
        }
        if (len && archive_write_data(a, m[i].data, len) != (la_ssize_t)len) {
            archive_entry_free(e);
            return -1;
        }
        archive_entry_free(e);
    }
    return 0;
}

int tu_write_archive(const char *path, const char *format, const struct tu_member *m, size_t n)
{
    struct archive *a = new_writer(format);
    int rc = -1;

    if (archive_write_open_filename(a, path) == ARCHIVE_OK && add_members(a, m, n) == 0)
        rc = 0;
    if (archive_write_close(a) != ARCHIVE_OK)
        rc = -1;
    archive_write_free(a);
    return rc;
}

static int add_links(struct archive *a, const char *const (*links)[2], size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        int rc;
        archive_entry_set_pathname(e, links[i][0]);
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, links[i][1]);
        archive_entry_set_mtime(e, 1758697512, 0);
        rc = archive_write_header(a, e);
        archive_entry_free(e);
        if (rc != ARCHIVE_OK)
            return -1;
    }
    return 0;
}

int tu_write_archive_links(const char *path, const char *format, const struct tu_member *m, size_t n,
                           const char *const (*links)[2], size_t nlinks)
{
    struct archive *a = new_writer(format);
    int rc = -1;

    if (archive_write_open_filename(a, path) == ARCHIVE_OK && add_members(a, m, n) == 0 &&
        add_links(a, links, nlinks) == 0)
        rc = 0;
    if (archive_write_close(a) != ARCHIVE_OK)
        rc = -1;
    archive_write_free(a);
    return rc;
}

int tu_archive_bytes(const char *format, const struct tu_member *m, size_t n, char **out,
                     size_t *outlen)
{
    size_t cap = 1 << 20, used = 0;
    char *buf = malloc(cap);
    struct archive *a = new_writer(format);
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        cap += m[i].data ? (m[i].len ? m[i].len : strlen(m[i].data)) + 1024 : 1024;
    buf = realloc(buf, cap);
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open_memory(a, buf, cap, &used) == ARCHIVE_OK && add_members(a, m, n) == 0)
        rc = 0;
    if (archive_write_close(a) != ARCHIVE_OK)
        rc = -1;
    archive_write_free(a);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = used;
    return 0;
}

int tu_write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    if (fp == NULL)
        return -1;
    if (len && fwrite(data, 1, len, fp) != len) {
        fclose(fp);
        return -1;
    }
    return fclose(fp) == 0 ? 0 : -1;
}

static char root[64];

void tu_begin(void)
{
    snprintf(root, sizeof root, "/tmp/lht-test-XXXXXX");
    if (mkdtemp(root) == NULL)
        root[0] = '\0';
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_end(void)
{
    if (root[0])
        nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_tmpdir(void)
{
    static char buf[8][128];
    static int next;
    char *p = buf[next++ % 8];

    if (!root[0])
        tu_begin();
    snprintf(p, 128, "%s/XXXXXX", root);
    return mkdtemp(p);
}

static const char *env_path(const char *var, const char *name)
{
    static char buf[4][4096];
    static int next;
    char *p = buf[next++ % 4];
    const char *dir = getenv(var);

    snprintf(p, 4096, "%s/%s", dir ? dir : ".", name);
    return p;
}

const char *tu_fixture(const char *name)
{
    return env_path("LHT_FIXTURES", name);
}

const char *tu_source(const char *name)
{
    return env_path("LHT_SOURCE_DIR", name);
}

void tu_pctx(struct lht_pctx *ctx, struct lht_facts *f, const char *member, const char *node, long first)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->facts = f;
    ctx->member = member;
    ctx->node = node;
    ctx->first_line = first;
    ctx->pid = -1;
}

int tu_parse_mem(lht_parse_fn_t fn, const char *text, size_t len, const char *member, long first,
                 const char *node, const char *command, long pid, struct lht_facts **out)
{
    struct lht_pctx ctx;
    struct lht_facts *f = lht_facts_new();

    if (f == NULL) {
        fprintf(stderr, "tu_parse_mem: out of memory\n");
        abort();
    }
    tu_pctx(&ctx, f, lht_facts_strz(f, member), node ? lht_facts_strz(f, node) : NULL, first);
    ctx.pid = pid;
    ctx.command = command ? lht_facts_strz(f, command) : NULL;
    *out = f;
    return fn(text, len, &ctx);
}

int tu_parse(lht_parse_fn_t fn, const char *text, long first, const char *node,
             const char *command, long pid, struct lht_facts **out)
{
    return tu_parse_mem(fn, text, strlen(text), "t.txt", first, node, command, pid, out);
}

size_t tu_nnotes(const struct lht_facts *f)
{
    size_t n;

    lht_facts_notes(f, &n);
    return n;
}
