/*
 * testutil.h - helpers shared by the check suites: build small archives
 * on the fly with libarchive's writer (so hostile shapes need no binary
 * files in git), temp paths, and the fixture directory from the
 * environment (set by ctest).
 */
#ifndef LHT_TESTUTIL_H
#define LHT_TESTUTIL_H

#include <stddef.h>

struct lht_pctx;
struct lht_facts;
typedef int (*lht_parse_fn_t)(const char *buf, size_t len, const struct lht_pctx *ctx);

struct tu_member {
    const char *name;
    const char *data;   /* NULL: a directory entry */
    size_t len;         /* 0: strlen(data) */
};

/* Write members into an archive file. format: "zip", "zip-store" (no
 * compression, as Info-ZIP keeps node zips in a bundle), "tar.gz", "tar",
 * "tar.xz", "tar.zst", or "gz" (exactly one member, gzipped alone).
 * Returns 0 on success. */
int tu_write_archive(const char *path, const char *format, const struct tu_member *m, size_t n);

/* Same, then symbolic links: links[i][0] -> links[i][1] (targets as
 * stored, unresolved), as sos stores proc/mounts -> self/mounts. */
int tu_write_archive_links(const char *path, const char *format, const struct tu_member *m, size_t n,
                           const char *const (*links)[2], size_t nlinks);

/* Same, into a malloc'd buffer (*out, *outlen); caller frees. */
int tu_archive_bytes(const char *format, const struct tu_member *m, size_t n, char **out,
                     size_t *outlen);

/* Write bytes to a file. */
int tu_write_file(const char *path, const char *data, size_t len);

/* A fresh temp directory below this run's root (see tu_begin). */
const char *tu_tmpdir(void);

/* Create the run's temp root before the suite forks; tu_end() removes it
 * with everything the tests wrote there. */
void tu_begin(void);
void tu_end(void);

/* $LHT_FIXTURES/<name> or $LHT_SOURCE_DIR/<name> in a static buffer. */
const char *tu_fixture(const char *name);
const char *tu_source(const char *name);

#include "parsers/parse.h"

/* Run a parser on a C string as member "t.txt" of node (may be NULL),
 * starting at line first; returns the parser's result, facts in *out
 * (caller frees with lht_facts_free). */
int tu_parse(lht_parse_fn_t fn, const char *text, long first, const char *node,
             const char *command, long pid, struct lht_facts **out);

/* A parse context over facts f for member (a string that must outlive
 * ctx), node (may be NULL), first line `first`, no command or pid. */
void tu_pctx(struct lht_pctx *ctx, struct lht_facts *f, const char *member, const char *node, long first);

/* Same for len bytes of text (may hold NULs) as member `member`. */
int tu_parse_mem(lht_parse_fn_t fn, const char *text, size_t len, const char *member, long first,
                 const char *node, const char *command, long pid, struct lht_facts **out);

/* How many notes (parse problems) the facts hold. */
size_t tu_nnotes(const struct lht_facts *f);

#endif
