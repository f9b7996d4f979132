/*
 * parse.h - the evidence parsers (one file per evidence kind in parsers/).
 *
 * Every parser has the same shape: it walks a text buffer (not
 * NUL-terminated; may hold CRLF, NUL bytes, invalid UTF-8), appends records
 * to ctx->facts with provenance built from ctx, records a note for lines it
 * recognises as broken, and returns the number of records it added (>= 0)
 * or a negative lht_code (only LHT_ENOMEM is expected: bad text is never an
 * error, it simply yields fewer facts and maybe notes).
 *
 * Line numbers: the first line of buf is line ctx->first_line of the member
 * (transcript sections start mid-file).
 */
#ifndef LHT_PARSE_H
#define LHT_PARSE_H

#include <stddef.h>

#include "facts/facts.h"

struct lht_pctx {
    struct lht_facts *facts;
    const char *node;       /* arena string or NULL: node the text belongs to */
    const char *member;     /* arena string: member path */
    long first_line;        /* member line number of buf's first line (>= 1) */
    long pid;               /* pid hint, e.g. from `cat /proc/<pid>/stack`; -1 */
    const char *command;    /* shell command that printed buf, or NULL */
};

/* Every parser has the shape above; the streamed ones can also take a
 * member in pieces: begin copies ctx into a private state; feed takes
 * pieces that end at line ends (a piece may end inside a line only when
 * that line is longer than the piece); end returns the records added or
 * an error code and frees the state (NULL: nothing to do). After an
 * error, further pieces are ignored. What each parser reads is said at
 * the top of its file in parsers/. */
typedef int (*lht_parse_fn)(const char *buf, size_t len, const struct lht_pctx *ctx);
typedef int (*lht_stream_begin_fn)(const struct lht_pctx *ctx, void **state);
typedef int (*lht_stream_feed_fn)(void *state, const char *buf, size_t len);
typedef int (*lht_stream_end_fn)(void *state);

/* The parser entry points, one per evidence kind of facts/registry.def. */
#define LHT_KIND(ID, name, parser, flags) \
    int lht_parse_##parser(const char *buf, size_t len, const struct lht_pctx *ctx);
#define LHT_STREAMED(ID, name, parser, flags)                                       \
    int lht_parse_##parser(const char *buf, size_t len, const struct lht_pctx *ctx); \
    int lht_##parser##_stream_begin(const struct lht_pctx *ctx, void **state);      \
    int lht_##parser##_stream_feed(void *state, const char *buf, size_t len);       \
    int lht_##parser##_stream_end(void *state);
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"

/* NFS protocol version from an option string and fstype: "vers=4.1" ->
 * "4.1", "nfsvers=3" -> "3", fstype "nfs4" without vers -> "4", non-NFS ->
 * NULL. Writes into out (size >= 8); returns out or NULL. (mounts.c) */
const char *lht_nfs_vers(const char *options, size_t optlen, const char *fstype,
                         char *out, size_t outsz);

/* Append a mount as every mount parser does: octal escapes in source and
 * target decoded, options split at commas, the NFS version derived (a
 * NULL fstype is an NFS mount whose version tells nfs from nfs4). src,
 * tgt, fstype and opts may each be NULL. Returns 1 or LHT_ENOMEM.
 * (mounts.c) */
int lht_mount_add(const struct lht_pctx *ctx, long no, int origin, const char *src, size_t srcl,
                  const char *tgt, size_t tgtl, const char *fstype, size_t fstl, const char *opts,
                  size_t optl);

/* A ps listing that an HTML archive ran into one line ("ps l F UID PID
 * ... COMMAND 0 500 5942 ... -/bin/bash 0 500 12235 ..."): the offsets of
 * the blanks in s where its header and each of its rows begin, at most
 * max of them, in order; 0 when s holds no such listing. (ps.c) */
size_t lht_ps_collapsed_cuts(const char *s, size_t len, size_t *cuts, size_t max);

/* Shared provenance helper for parsers: a lht_prov for line `no` of ctx. */
static inline struct lht_prov lht_pctx_at(const struct lht_pctx *ctx, long no)
{
    struct lht_prov p;
    p.node = ctx->node;
    p.member = ctx->member;
    p.line = no;
    return p;
}

/* A note on line `no` of ctx: `<parser>: <what>: "<excerpt>"`, the excerpt
 * being the first 80 bytes of s (len bytes) up to any control byte, with
 * "..." when cut, so that a note stays one readable line whatever the
 * input held. Returns lht_facts_note()'s result. */
int lht_pctx_note_line(const struct lht_pctx *ctx, long no, const char *parser, const char *what,
                       const char *s, size_t len);

/* PCRE2 failures a parse met (lht_re_first's *fail): `count` of them, the
 * first at line `no`, with code. A resource limit (hostile or pathological
 * text) is a note on the member, "<who>: a pattern gave up on this text N
 * times, first here (...)", and the parse goes on: what those lines held
 * may be missed, and the report says so. Any other code is an error: LHT_ENOMEM for
 * PCRE2's out of memory, else LHT_EPARSE. Returns LHT_OK when code is 0. */
int lht_pctx_re_failed(const struct lht_pctx *ctx, long no, const char *who, int code,
                       unsigned long count);

#endif
