/*
 * mkhostile.c - writes the hostile archive suite into DIR (argv[1]); the
 * archives are generated, not kept in git. tests/hostile_test.sh scans
 * each and checks the error, the exit code and that the database survives.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *dir;

static const char *at(const char *name)
{
    static char buf[8][4096];
    static int n;
    char *p = buf[n++ % 8];
    snprintf(p, 4096, "%s/%s", dir, name);
    return p;
}

/* One entry of any type into an open writer. */
static void entry(struct archive *a, const char *name, int type, const char *data, size_t len,
                  const char *link)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
    if (link && type == AE_IFLNK)
        archive_entry_set_symlink(e, link);
    if (link && type == AE_IFREG)
        archive_entry_set_hardlink(e, link);
    archive_write_header(a, e);
    if (type == AE_IFREG && len && !link)
        archive_write_data(a, data, len);
    archive_entry_free(e);
}

static const char ps[] =
    "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
    "root 7 0.0 0.0 1 1 ? D Jan1 0:00 writer\n";

int main(int argc, char **argv)
{
    struct archive *a;
    char *zeros, *big;
    size_t i;
    if (argc != 2) {
        fprintf(stderr, "usage: mkhostile DIR\n");
        return 2;
    }
    dir = argv[1];

    /* 1. zip bomb: 256 MiB of zeros deflate to a few hundred KB */
    zeros = calloc(1, 256u << 20);
    a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_set_bytes_per_block(a, 1 << 16);
    archive_write_open_filename(a, at("bomb.zip"));
    entry(a, "sb/notes.txt", AE_IFREG, zeros, 256u << 20, NULL);
    archive_write_close(a);
    archive_write_free(a);

    /* 2. 10^6 tiny members ($LHT_MANY to change; about 10 s to write, 7 s
     * to scan, 18 s under ASan) */
    a = archive_write_new();
    archive_write_set_format_ustar(a);
    archive_write_add_filter_gzip(a);
    archive_write_set_bytes_per_block(a, 1 << 16);
    archive_write_open_filename(a, at("many.tar.gz"));
    for (i = 0; i < (getenv("LHT_MANY") ? strtoul(getenv("LHT_MANY"), NULL, 10) : 1000000); i++) {
        char name[64];
        snprintf(name, sizeof name, "sb/m/%06zu.txt", i);
        entry(a, name, AE_IFREG, "x\n", 2, NULL);
    }
    archive_write_close(a);
    archive_write_free(a);

    /* 3. members that pass the per-member cap but not the total cap */
    big = malloc(2u << 20);
    memset(big, 'y', 2u << 20);
    a = archive_write_new();
    archive_write_set_format_gnutar(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, at("total.tar.gz"));
    entry(a, "sb/nodes/n1/n1/hostinfos/processes_info", AE_IFREG, ps, sizeof ps - 1, NULL);
    entry(a, "sb/a.txt", AE_IFREG, big, 2u << 20, NULL);
    entry(a, "sb/b.txt", AE_IFREG, big, 2u << 20, NULL);
    archive_write_close(a);
    archive_write_free(a);

    /* 4. nesting deeper than any sane limit: zip in zip, 8 levels */
    {
        char *cur = NULL, *next;
        size_t curlen = 0, nextlen;
        struct tu_member m = {"deep/processes_info", ps, sizeof ps - 1};
        tu_archive_bytes("zip", &m, 1, &cur, &curlen);
        for (i = 0; i < 7; i++) {
            struct tu_member w = {"level.zip", cur, curlen};
            tu_archive_bytes("zip", &w, 1, &next, &nextlen);
            free(cur);
            cur = next;
            curlen = nextlen;
        }
        tu_write_file(at("deep.zip"), cur, curlen);
        free(cur);
    }

    /* 5. path traversal names and 6. links */
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, at("traversal.tar"));
    entry(a, "../../etc/passwd-lht", AE_IFREG, ps, sizeof ps - 1, NULL);
    entry(a, "/tmp/lht-absolute-evil", AE_IFREG, ps, sizeof ps - 1, NULL);
    entry(a, "sb/link-to-etc", AE_IFLNK, NULL, 0, "/etc/passwd");
    entry(a, "sb/hardlink", AE_IFREG, NULL, 0, "../../etc/passwd-lht");
    archive_write_close(a);
    archive_write_free(a);

    /* 9. an encrypted zip member (traditional PKWARE) next to a plain one */
    a = archive_write_new();
    archive_write_set_format_zip(a);
    if (archive_write_set_options(a, "zip:encryption=zipcrypt") == ARCHIVE_OK &&
        archive_write_set_passphrase(a, "secret") == ARCHIVE_OK) {
        archive_write_open_filename(a, at("encrypted.zip"));
        entry(a, "sb/nodes/n1/n1/hostinfos/processes_info", AE_IFREG, ps, sizeof ps - 1, NULL);
        archive_write_close(a);
    }
    archive_write_free(a);

    /* 10. unknown binary, 11. empty zip, 12. zero bytes */
    {
        unsigned char bin[4096];
        for (i = 0; i < sizeof bin; i++)
            bin[i] = (unsigned char)(i * 131 + 7);
        bin[1] = 0;
        tu_write_file(at("unknown.bin"), (const char *)bin, sizeof bin);
        tu_write_archive(at("empty.zip"), "zip", NULL, 0);
        tu_write_file(at("zero.zip"), "", 0);
    }

    /* 14. NUL bytes and invalid UTF-8 inside a member, 15. a 64 MiB line */
    {
        static const char nul[] = "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
                                  "root 9 0.0 0.0 1 1 ? D Jan1 0:00 a\0b\xff\xfe\n";
        size_t n = 64u << 20;
        char *line = malloc(n + 1);
        struct tu_member m[] = {
            {"sb/nodes/n1.zip.txt", "x", 1},
            {"sb/nodes/n1/n1/hostinfos/processes_info", nul, sizeof nul - 1},
            {"sb/nodes/n2/n2/hostinfos/processes_info", line, n + 1},
        };
        memset(line, 'L', n);
        line[n] = '\n';
        tu_write_archive(at("odd-text.zip"), "zip", m, 3);
        free(line);
    }
    /* 16. a single 1 GiB line ($LHT_GIANT_MB to change) in a node syslog,
     * then a hung-task report: logs are streamed, so the line costs time,
     * not memory, and the report after it is still found on line 2 */
    {
        static const char tail[] = "\nSep 24 06:58:00 n3 kernel: INFO: task sh:77 blocked for more than 120 seconds.\n";
        size_t n = (getenv("LHT_GIANT_MB") ? strtoul(getenv("LHT_GIANT_MB"), NULL, 10) : 1024) << 20;
        char *line = malloc(n + sizeof tail);
        if (line != NULL) {
            struct tu_member m[] = {{"sb/nodes/n3/n3/logs/syslog", line, n + sizeof tail - 1}};
            memset(line, 'L', n);
            memcpy(line + n, tail, sizeof tail);
            tu_write_archive(at("giant-line.zip"), "zip", m, 1);
            free(line);
        }
    }
    /* 17. a tar.gz whose gzip CRC-32 trailer does not match its data (the
     * data itself intact: only the check can tell), 18. a zip whose end
     * record lists one entry more than its central directory holds */
    {
        struct tu_member m[] = {{"sb/nodes/n1/n1/hostinfos/processes_info", ps, sizeof ps - 1},
                                {"sb/metadata.yaml", "bundleName: crc\n", 0}};
        char *z;
        size_t zlen;
        if (tu_archive_bytes("tar.gz", m, 2, &z, &zlen) == 0) {
            z[zlen - 8] ^= 0x5a;
            tu_write_file(at("badcrc.tar.gz"), z, zlen);
            free(z);
        }
        if (tu_archive_bytes("zip", m, 2, &z, &zlen) == 0 && zlen > 22 &&
            memcmp(z + zlen - 22, "PK\005\006", 4) == 0) {
            z[zlen - 22 + 8]++;    /* entries on this disk */
            z[zlen - 22 + 10]++;   /* entries in all */
            tu_write_file(at("badeocd.zip"), z, zlen);
            free(z);
        }
    }
    free(zeros);
    free(big);
    return 0;
}
