/* text.c - see text.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "core/text.h"

#include <limits.h>
#include <string.h>

void lht_lines_init(struct lht_lines *it, const char *buf, size_t len, long first_no)
{
    it->p = buf;
    it->end = buf + len;
    it->no = first_no - 1;
}

int lht_line_next(struct lht_lines *it, struct lht_line *ln)
{
    const char *nl;
    size_t len;

    if (it->p >= it->end)
        return 0;
    nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    len = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
    ln->s = it->p;
    ln->len = len;
    if (len > 0 && ln->s[len - 1] == '\r')
        ln->len--;
    ln->no = ++it->no;
    it->p = nl ? nl + 1 : it->end;
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int lht_tok(const char **p, const char *end, const char **tok, size_t *toklen)
{
    const char *s = *p;

    while (s < end && is_blank(*s))
        s++;
    if (s >= end) {
        *p = s;
        return 0;
    }
    *tok = s;
    while (s < end && !is_blank(*s))
        s++;
    *toklen = (size_t)(s - *tok);
    *p = s;
    return 1;
}

const char *lht_ltrim(const char *s, size_t *len)
{
    while (*len > 0 && is_blank(*s)) {
        s++;
        (*len)--;
    }
    return s;
}

size_t lht_rtrim(const char *s, size_t len)
{
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    return len;
}

int lht_starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

const char *lht_find(const char *s, size_t len, const char *needle)
{
    return memmem(s, len, needle, strlen(needle));
}

int lht_parse_long(const char *s, size_t len, long *out)
{
    long v = 0;
    int neg = 0;
    size_t i = 0;

    if (len > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i >= len || len - i > 18)
        return -1;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

uint64_t lht_fnv(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
