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
 * match (create it with lht_re_match_data).
 *
 * A pattern that fails (PCRE2 gave up at a match or depth limit on
 * untrusted text, or ran out of memory) is not a "no match": the first
 * such PCRE2 error code is stored in *fail (which must not be NULL and is
 * left alone when nothing failed, so one int can collect a whole member's
 * lines), and the patterns after it are still tried. The caller records
 * it: a note for a limit (lht_re_fail_is_limit), an error otherwise. */
int lht_re_first(const struct lht_re *t, size_t n, const char *s, size_t len,
                 pcre2_match_data *md, int *fail);

/* 1 when a PCRE2 error code is a resource limit (match, depth, heap, JIT
 * stack): the text was too hard, not the program wrong. */
int lht_re_fail_is_limit(int code);

/* One line for a PCRE2 error code: "match limit exceeded (PCRE2 error -47)". */
const char *lht_re_fail_text(int code, char *buf, size_t n);

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
