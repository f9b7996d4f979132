/*
 * normalise.h - stage 2a: take the dress off a pasted text before it is
 * split at prompts and parsed.
 *
 * Evidence reaches a ticket through mail clients, issue trackers, web
 * archives and chat: quoted with "> " (at any depth), fenced or indented
 * as markdown code (or in Jira {code} blocks), HTML-escaped (with the
 * newlines of a <pre> block sometimes collapsed into spaces),
 * quoted-printable as mail archives keep it, with CRLF or lone CR line
 * ends, no-break spaces, markdown bold and backslash escapes, terminal
 * colour codes, or saved as UTF-16. The parsers want the text as the kernel or the tool printed it,
 * so this stage undoes the dressing once, in a few linear passes over
 * one new buffer, and keeps a line map: every fact parsed from the
 * result still cites the line of the user's file.
 */
#ifndef LHT_NORMALISE_H
#define LHT_NORMALISE_H

#include <stddef.h>

/* What was undone (struct lht_norm.done). */
enum {
    LHT_NORM_CR = 1,      /* CRLF or lone CR line ends */
    LHT_NORM_QP = 2,      /* quoted-printable soft breaks and escapes */
    LHT_NORM_HTML = 4,    /* entities and tags */
    LHT_NORM_QUOTE = 8,   /* mail and markdown quote markers */
    LHT_NORM_FENCE = 16,  /* markdown ``` / ~~~ fence lines */
    LHT_NORM_INDENT = 32, /* indentation common to a block */
    LHT_NORM_SPACE = 64,  /* no-break spaces, zero-width spaces, BOM */
    LHT_NORM_BOLD = 128,  /* markdown ** around a row */
    LHT_NORM_ROWS = 256,  /* table rows an HTML archive ran into one line */
    LHT_NORM_ANSI = 512,  /* terminal escape sequences (colours, script(1) sessions) */
    LHT_NORM_MDESC = 1024, /* markdown backslash escapes ("nfs\_set\_open") */
    LHT_NORM_UTF16 = 2048 /* a file saved as UTF-16 (Windows editors) */
};

struct lht_norm {
    char *text;      /* undressed text, NUL-terminated (owned); NULL: the input needed nothing */
    size_t len;      /* bytes in text */
    long *lines;     /* lines[k]: input line of output line k+1 (owned); NULL: the same line */
    size_t nlines;   /* entries in lines */
    unsigned done;   /* LHT_NORM_* bits */
};

/* Undress len bytes of buf into *out (zeroed first). Returns LHT_OK or
 * LHT_ENOMEM. On success free *out with lht_norm_free(). */
int lht_normalise(const char *buf, size_t len, struct lht_norm *out);

/* The input line that output line `line` (1-based) came from. */
long lht_norm_line(const struct lht_norm *n, long line);

/* Free what lht_normalise() allocated; NULL-safe, leaves *n zeroed. */
void lht_norm_free(struct lht_norm *n);

#endif
