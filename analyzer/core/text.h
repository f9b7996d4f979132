/*
 * text.h - allocation-free helpers for walking untrusted text.
 *
 * Evidence arrives as byte buffers that may hold CRLF line ends, NUL bytes,
 * invalid UTF-8 or one enormous line. Parsers walk them with lht_line_next()
 * and slice fields with lht_tok(); nothing here allocates or assumes a
 * terminating NUL, so the hot path does no per-line malloc.
 */
#ifndef LHT_TEXT_H
#define LHT_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct lht_line {
    const char *s;   /* first byte of the line (not NUL-terminated) */
    size_t len;      /* bytes, without "\n" or "\r\n" */
    long no;         /* 1-based line number within the buffer walked */
};

/* Cursor over a buffer. Initialise with lht_lines_init(). */
struct lht_lines {
    const char *p, *end;
    long no;
};

void lht_lines_init(struct lht_lines *it, const char *buf, size_t len, long first_no);

/* Next line into *ln; returns 0 at end of buffer, 1 otherwise. */
int lht_line_next(struct lht_lines *it, struct lht_line *ln);

/* Whitespace tokenizer over [*p, end): skips blanks, returns the next token
 * start and length in *tok and *toklen; returns 0 when no token remains. */
int lht_tok(const char **p, const char *end, const char **tok, size_t *toklen);

/* Skip leading blanks (space, tab) of [s, s+len); returns new start, updates len. */
const char *lht_ltrim(const char *s, size_t *len);
/* Drop trailing blanks and '\r'. */
size_t lht_rtrim(const char *s, size_t len);

/* Prefix test on a length-delimited string. */
int lht_starts(const char *s, size_t len, const char *prefix);
/* memmem-style search; returns pointer or NULL. */
const char *lht_find(const char *s, size_t len, const char *needle);

/* FNV-1a of [s, s+n), continuing from h (LHT_FNV_INIT to start): the
 * hash of the small in-memory tables (texts read once, folded kernel
 * messages, member ids while storing). */
#define LHT_FNV_INIT 14695981039346656037ull
uint64_t lht_fnv(uint64_t h, const void *s, size_t n);

/* Parse a decimal long from exactly [s, s+len); returns 0 on success. */
int lht_parse_long(const char *s, size_t len, long *out);

#endif
