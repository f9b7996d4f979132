/*
 * strbuf.h - growable byte buffer (a small sds): always NUL-terminated,
 * owned by its user, freed with lht_sb_free().
 */
#ifndef LHT_STRBUF_H
#define LHT_STRBUF_H

#include <stddef.h>

struct lht_sb {
    char *p;      /* NULL until the first append; NUL-terminated after */
    size_t len;
    size_t cap;
    int oom;      /* an append failed; later appends are no-ops */
};

#define LHT_SB_INIT {NULL, 0, 0, 0}

int lht_sb_putn(struct lht_sb *b, const char *s, size_t n);
int lht_sb_puts(struct lht_sb *b, const char *s);
int lht_sb_printf(struct lht_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). */
const char *lht_sb_str(const struct lht_sb *b);
void lht_sb_reset(struct lht_sb *b);
void lht_sb_free(struct lht_sb *b);

#endif
