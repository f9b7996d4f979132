/*
 * utf8.h - where bundle text stops being UTF-8.
 *
 * Bundle text is untrusted bytes. The report model cleans every string it
 * takes from an input with lht_utf8_clean(), so markdown, JSON and HTML
 * show the same text: valid characters as they are, anything else as the
 * four characters \xNN per byte. The renderers keep the same rule for
 * any string that did not come through the model.
 */
#ifndef LHT_REPORT_UTF8_H
#define LHT_REPORT_UTF8_H

#include <stddef.h>

#include "core/strbuf.h"

/* Length (1..4) of the valid UTF-8 character at s, of the n bytes
 * available (n >= 1), or 0 when the bytes there are not one. */
size_t lht_utf8_len(const unsigned char *s, size_t n);

/* 1 when the character of length l at s is shown as \xNN bytes: not
 * UTF-8 (l 0), a C0 control other than tab and newline, DEL, or a C1
 * control (U+0080..U+009F; U+009B is a terminal's CSI). */
int lht_utf8_escaped(const unsigned char *s, size_t l);

/* Append [s, s+n) to out with every byte lht_utf8_escaped() names as
 * \xNN (lower-case hex). A CR before a newline is dropped: a CRLF paste
 * reads as lines, not as \x0d at every line's end. */
void lht_utf8_clean(struct lht_sb *out, const char *s, size_t n);

#endif
