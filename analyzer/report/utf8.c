/*
 * utf8.c - see utf8.h.
 *
 * Strict, as RFC 3629 has it: no overlong forms, no surrogates (U+D800 to
 * U+DFFF), nothing above U+10FFFF. A lenient check would pass byte
 * sequences that a JSON parser or a browser then rejects or reads as
 * something else.
 */
#include "report/utf8.h"

size_t lht_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;   /* range of the second byte */
    size_t need, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        need = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        need = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;          /* shorter forms fit in two bytes */
    else if (s[0] == 0xed)
        hi = 0x9f;          /* surrogates */
    else if (s[0] == 0xf0)
        lo = 0x90;          /* shorter forms fit in three bytes */
    else if (s[0] == 0xf4)
        hi = 0x8f;          /* above U+10FFFF */
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

int lht_utf8_escaped(const unsigned char *s, size_t l)
{
    if (l == 0)
        return 1;
    if (l == 1)
        return (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n') || s[0] == 0x7f;
    return l == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

void lht_utf8_clean(struct lht_sb *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    while (n > 0) {
        size_t l = lht_utf8_len(p, n), i;
        if (p[0] == '\r' && n > 1 && p[1] == '\n') {
            p++, n--;
            continue;
        }
        if (!lht_utf8_escaped(p, l)) {
            lht_sb_putn(out, (const char *)p, l);
        } else {
            if (l == 0)
                l = 1;
            for (i = 0; i < l; i++)
                lht_sb_printf(out, "\\x%02x", p[i]);
        }
        p += l, n -= l;
    }
}
