/*
 * re.h - tables of PCRE2 patterns compiled once (with JIT) and matched in
 * order. Used wherever a format is best described as "first pattern that
 * matches decides": member paths, prompt shapes, command routing, sniffing.
 */
#ifndef LHT_RE_H
#define LHT_RE_H

#include <pcre2.h>
#include <stddef.h>

#include "core/err.h"

struct lht_re {
    const char *pattern;  /* PCRE2 source */
    int value;            /* what a match means to the caller */
    pcre2_code *code;     /* filled by lht_re_compile */
};

/* Compile every pattern of t. On a bad pattern returns LHT_ERULE with the
 * pattern, offset and PCRE2's message in err. */
int lht_re_compile(struct lht_re *t, size_t n, lht_err *err);

/* Index of the first entry matching [s, s+len), or -1. md receives the
 * match (create it with lht_re_match_data). */
int lht_re_first(const struct lht_re *t, size_t n, const char *s, size_t len,
                 pcre2_match_data *md);

/* Match data large enough for any pattern of t; free with
 * pcre2_match_data_free. NULL on OOM. */
pcre2_match_data *lht_re_match_data(const struct lht_re *t, size_t n);

/* Copy named group `name` of the last match into out (NUL-terminated);
 * returns its length, or -1 when unset. */
int lht_re_group(const pcre2_code *code, pcre2_match_data *md, const char *s,
                 const char *name, char *out, size_t outsz);

/* 0 when LHT_NO_JIT is set (valgrind runs); patterns then run
 * in the interpreter. */
int lht_re_jit_enabled(void);

/* Shared match context with match/depth limits: untrusted text must not
 * stall a scan. */
pcre2_match_context *lht_re_mctx(void);

#endif
