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

/* ---- the fast member reader ------------------------------------------------
 *
 * The members of a zip in [base, base + size) of fd, read without
 * libarchive: from the central directory (sizes and CRC-32 are there, so
 * a zip written with data descriptors needs no inflating to find an end),
 * each member's data by its file range, deflate inflated with ISA-L and
 * every member's CRC-32 and size checked at its end. It covers what
 * bundles are made of; any zip holding something else (encryption, a
 * method other than stored or deflate, a name with bytes past ASCII or a
 * NUL, an entry whose local header or data is not where the directory
 * says) is not opened, and the caller reads it with libarchive, the
 * reader of record. The caller checks the zip with lht_zipdir_check()
 * first. */
struct lht_ziplist;
struct lht_zipread;

struct lht_zipentry {
    const char *name;           /* as stored (ASCII, no NUL) */
    long long size;             /* uncompressed */
    long long offset, csize;    /* of its data in fd */
    unsigned long crc32;        /* as the central directory states it */
    int method;                 /* 0 stored, 8 deflate */
    int regular;                /* 0: a folder, link or other non-file */
};

/* The members in local header order (libarchive's seekable order), or NULL
 * when the fast reader does not cover this zip (or out of memory). The
 * caller owns the list: lht_ziplist_free(). */
struct lht_ziplist *lht_ziplist_open(int fd, long long base, long long size);
void lht_ziplist_free(struct lht_ziplist *z);
size_t lht_ziplist_count(const struct lht_ziplist *z);
const struct lht_zipentry *lht_ziplist_entry(const struct lht_ziplist *z, size_t i);

/* A reader of one member at a time (allocated once, reused). */
struct lht_zipread *lht_zipread_new(void);
void lht_zipread_free(struct lht_zipread *r);
/* Start reading member i of z. */
void lht_zipread_begin(struct lht_zipread *r, const struct lht_ziplist *z, size_t i);
/* Up to n bytes of it into buf: > 0, 0 at its end (size and CRC-32
 * checked), -1 when it is damaged or cannot be read (lht_zipread_why). */
long lht_zipread_read(struct lht_zipread *r, void *buf, size_t n);
const char *lht_zipread_why(const struct lht_zipread *r);
/* Bytes of the file consumed so far (base included), for progress. */
long long lht_zipread_pos(const struct lht_zipread *r);

#endif
