/*
 * source.h - stage 1 of the pipeline: an input (archive, folder, loose
 * file) becomes a stream of members, read with libarchive and never
 * extracted to disk.
 *
 * Zip, tar, tar.gz/tgz, tar.xz, tar.zst, tar.bz2 and gzip'd single files
 * are recognised by content (libarchive's bidders), so a misnamed bundle
 * still opens. Archives found inside archives (a node's nodes/<node>.zip
 * inside the bundle zip, a tar.gz someone attached) are opened from memory
 * up to max_depth levels; their member paths are joined with '!':
 *   supportbundle_x/nodes/n1.zip!n1/hostinfos/processes_info
 * Folders are walked with archive_read_disk without following symlinks.
 */
#ifndef LHT_SOURCE_H
#define LHT_SOURCE_H

#include <stddef.h>

#include "err.h"

struct lht_source_opts {
    size_t member_cap;            /* bytes kept per member (rest skipped) */
    unsigned long long total_cap; /* bytes read per input, all members */
    int max_depth;                /* nesting levels of archives (1 = no nesting) */
    unsigned long max_members;    /* members per input */
};

void lht_source_defaults(struct lht_source_opts *o);

/* Decide, from a member's path and declared size, whether to read it.
 * Return 1 to read, 0 to skip (the member is still reported to on_member
 * with data NULL so the inventory is complete). */
typedef int (*lht_want_fn)(void *ud, const char *path, long long size);

/* One member. data is NULL for skipped members; truncated is 1 when the
 * member was longer than member_cap. Return LHT_OK to go on, or an error
 * code (which stops the walk and is returned by lht_source_walk). The
 * callee borrows data and path until it returns. */
typedef int (*lht_member_fn)(void *ud, const char *path, const char *data,
                             size_t len, long long size, int truncated);

/* A member that could not be read (corrupt entry, encrypted, nested archive
 * past max_depth). The walk goes on. */
typedef void (*lht_warn_fn)(void *ud, const char *path, const char *msg);

struct lht_source_cb {
    lht_want_fn want;
    lht_member_fn member;
    lht_warn_fn warn;
    void *ud;
};

/* Walk input. Returns LHT_OK, or LHT_EIO/LHT_EFORMAT/LHT_ELIMIT with err set
 * ("input: member: what") when the input as a whole cannot be read. */
int lht_source_walk(const char *input, const struct lht_source_opts *o,
                    const struct lht_source_cb *cb, lht_err *err);

/* 1 when path names something we would open as a nested archive. */
int lht_source_is_archive_name(const char *path);

#endif
