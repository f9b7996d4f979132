/* strbuf.c - see strbuf.h. */
#include "core/strbuf.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lht_sb_putn(struct lht_sb *b, const char *s, size_t n)
{
    if (b->oom)
        return LHT_ENOMEM;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *np;
        while (cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (np == NULL) {
            b->oom = 1;
            return LHT_ENOMEM;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return LHT_OK;
}

int lht_sb_puts(struct lht_sb *b, const char *s)
{
    return lht_sb_putn(b, s, strlen(s));
}

int lht_sb_printf(struct lht_sb *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return LHT_EUSAGE;
    if ((size_t)n < sizeof tmp)
        return lht_sb_putn(b, tmp, (size_t)n);
    {
        char *big = malloc((size_t)n + 1);
        int rc;
        if (big == NULL) {
            b->oom = 1;
            return LHT_ENOMEM;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        rc = lht_sb_putn(b, big, (size_t)n);
        free(big);
        return rc;
    }
}

const char *lht_sb_str(const struct lht_sb *b)
{
    return b->p ? b->p : "";
}

void lht_sb_reset(struct lht_sb *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void lht_sb_free(struct lht_sb *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}
