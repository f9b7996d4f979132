/*
 * lits.h - the first place in a large buffer where any of a set of
 * literal strings starts.
 *
 * A node's syslog is hundreds of MB of lines no parser wants. A parser
 * names the words without which a line cannot matter and jumps from one
 * to the next. PCRE2's JIT scans an alternation of twenty such words at
 * 0.25-0.5 GB/s; this set scans at several GB/s on x86-64 with SSSE3 by
 * Hyperscan's "Teddy" fingerprint search (the first four bytes of each
 * literal, the literals in eight buckets, each 16-byte block looked up by
 * nibble with pshufb, candidates verified; 32-byte blocks with AVX2), and
 * with a first-byte table elsewhere. All paths give the same answer;
 * LHT_NO_SIMD=1 forces the table and LHT_NO_SIMD=avx2 the 16-byte blocks,
 * so tests can compare them.
 */
#ifndef LHT_LITS_H
#define LHT_LITS_H

#include <stddef.h>

struct lht_lit {
    const char *s;   /* NUL-terminated, not empty; borrowed for the set's life */
    int nocase;      /* ASCII letters match in either case */
};

struct lht_lits;

/* Up to LHT_LITS_MAX literals. Returns a set (free with lht_lits_free) or
 * NULL when out of memory, when n is 0 or too large, or a literal empty. */
#define LHT_LITS_MAX 64
struct lht_lits *lht_lits_new(const struct lht_lit *lits, size_t n);
void lht_lits_free(struct lht_lits *set);

/* The leftmost position in [s, s+len) where a whole literal of the set
 * starts, or NULL. */
const char *lht_lits_find(const struct lht_lits *set, const char *s, size_t len);

/* 0 when finds use the table, 1 Teddy in 16-byte blocks, 2 in 32-byte. */
int lht_lits_simd(const struct lht_lits *set);

#endif
