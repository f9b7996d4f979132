/*
 * utf8.h - where bundle text stops being UTF-8.
 *
 * Bundle text is untrusted bytes. Every renderer shows a valid UTF-8
 * character as it is and replaces anything else (markdown with \xNN, JSON
 * with U+FFFD), so they share one decision of what is valid.
 */
#ifndef LHT_REPORT_UTF8_H
#define LHT_REPORT_UTF8_H

#include <stddef.h>

/* Length (1..4) of the valid UTF-8 character at s, of the n bytes
 * available (n >= 1), or 0 when the bytes there are not one. */
size_t lht_utf8_len(const unsigned char *s, size_t n);

#endif
