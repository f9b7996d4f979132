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
