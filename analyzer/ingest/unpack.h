/*
 * unpack.h - stage 1 helper: gzip and xz streams decompressed here, not by
 * libarchive's filters, so that damage is seen and nothing before it is
 * lost.
 *
 * libarchive's gzip filter never checks the CRC-32 and length trailer
 * (RFC 1952 section 2.3.1), and when the compressed input ends early it
 * fails the whole output block it was filling: up to 64 KiB of members
 * before the cut vanish, and a small tar.gz cut anywhere does not even
 * open. Here every byte inflated before the damage is handed on, the
 * stream then ends, and lht_unpack_damage() says why it ended early.
 * Concatenated gzip members (RFC 1952 section 2.2) and xz streams are
 * read one after another.
 */
#ifndef LHT_UNPACK_H
#define LHT_UNPACK_H

#include <stddef.h>

enum { LHT_UNPACK_NONE = 0, LHT_UNPACK_GZIP = 1, LHT_UNPACK_XZ = 2 };

/* The compression the first n bytes of a stream announce (magic numbers:
 * 1f 8b 08 for gzip, fd 37 7a 58 5a 00 for xz), or LHT_UNPACK_NONE. */
int lht_unpack_sniff(const void *p, size_t n);

/* The compressed bytes: > 0 bytes at *buf (borrowed until the next call),
 * 0 at their end, < 0 when reading failed. */
typedef long (*lht_unpack_pull_fn)(void *ud, const void **buf);

struct lht_unpack;

/* A decompressor of kind (LHT_UNPACK_GZIP or _XZ) over pull(ud). NULL when
 * out of memory. The caller owns it: lht_unpack_free(). */
struct lht_unpack *lht_unpack_new(int kind, lht_unpack_pull_fn pull, void *ud);
void lht_unpack_free(struct lht_unpack *u);

/* Decompressed bytes: > 0 bytes at *out (valid until the next call), 0
 * at the end of the data (clean or not: see lht_unpack_damage), -1 when
 * pull() failed or memory ran out (then lht_unpack_damage says which). */
long lht_unpack_read(struct lht_unpack *u, const void **out);

/* NULL while the data is whole; else one line saying why it ended early
 * or cannot be trusted ("gzip data ends early: the file is cut short",
 * "gzip CRC-32 mismatch: ...", ...). The string belongs to u. */
const char *lht_unpack_damage(const struct lht_unpack *u);

/* Bytes of compressed input consumed so far (for messages). */
unsigned long long lht_unpack_consumed(const struct lht_unpack *u);

#endif
