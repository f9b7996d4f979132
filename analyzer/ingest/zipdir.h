/*
 * zipdir.h - stage 1 helper: where the stored zips inside a zip file sit.
 *
 * Support bundles keep one zip per node *stored* (not deflated) inside the
 * bundle zip, and every member is written with a data descriptor (Go's
 * archive/zip), so a streaming reader must inflate a member just to find
 * its end. A stored member is a contiguous byte range of the outer file:
 * opened over that range as an archive of its own, libarchive's seekable
 * zip reader walks its central directory and skips unwanted members
 * without inflating them. libarchive does not expose member offsets, so
 * this module reads the outer central directory itself (zip64 included),
 * checking every length against the file. The same reading checks that a
 * zip is whole before anything trusts its directory.
 */
#ifndef LHT_ZIPDIR_H
#define LHT_ZIPDIR_H

#include <stddef.h>

struct lht_zipdir;

/* Index the stored, unencrypted members of the zip file at path whose
 * names end in ".zip". Returns NULL when path is not a zip with a sane
 * central directory, or holds none: callers then stream, as before.
 * The caller owns the result: lht_zipdir_free(). */
struct lht_zipdir *lht_zipdir_open(const char *path);
void lht_zipdir_free(struct lht_zipdir *z);

/* Byte range [*offset, *offset + *size) of member name's data in the file;
 * 1 when name is an indexed stored member whose local header checks out,
 * 0 otherwise. */
int lht_zipdir_find(const struct lht_zipdir *z, const char *name, long long *offset,
                    long long *size);

/* Check the zip in [base, base + size) of fd the way a zip is damaged in
 * the wild: the end-of-central-directory record (and its zip64 twin) is
 * present and names a central directory that ends where the record
 * starts, holds as many entries as the record says, and each entry's
 * local header is where the entry says, with its data before the
 * directory. 0 when consistent; -1 with one line in why otherwise. */
int lht_zipdir_check(int fd, long long base, long long size, char *why, size_t whysz);

/* The open file descriptor (read-only) of the indexed file. */
int lht_zipdir_fd(const struct lht_zipdir *z);

#endif
