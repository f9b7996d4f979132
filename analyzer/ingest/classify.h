/*
 * classify.h - stage 2a: what evidence a member (or a piece of one) holds.
 *
 * The evidence kinds, their member paths, their line shapes and their
 * parsers are the kind entries of facts/registry.def; this module turns
 * them into tables. Paths of the real bundle layout decide first
 * (hostinfos/, logs/dmesg.log, yamls/...); where the path says nothing (a
 * file the engineer added, a loose paste), the shape of the lines. The
 * node comes from the path (nodes/<node>.zip!... or nodes/<node>/...).
 */
#ifndef LHT_CLASSIFY_H
#define LHT_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "parsers/parse.h"

enum lht_kind {
#define LHT_KIND(ID, name, parser, flags) LHT_K_##ID,
#define LHT_STREAMED(ID, name, parser, flags) LHT_K_##ID,
#define LHT_INVENTORY(ID, name, flags) LHT_K_##ID,
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
    LHT_K_COUNT
};

enum {
    LHT_KF_LOG = 1,       /* a node log: left unread by --no-logs */
    LHT_KF_EXCLUSIVE = 2, /* when its shape is sniffed, no other kind runs */
    LHT_KF_MOUNTS = 4,    /* a mount table: the mount kinds read each other's lines */
    LHT_KF_TRACE = 8,     /* kernel stacks: a log's trace frames look like a stack file's */
    LHT_KF_ONCE = 16      /* proc/<pid>/ files of one input with the same text
                             (one mount namespace seen through many pids) are
                             parsed once */
};

/* One evidence kind, as the registry describes it. */
struct lht_kind_desc {
    const char *name;               /* stored in members.kind, evidence.kind */
    int flags;                      /* LHT_KF_* */
    lht_parse_fn parse;             /* NULL: inventoried, not parsed */
    lht_stream_begin_fn stream_begin; /* NULL: read whole */
    lht_stream_feed_fn stream_feed;
    lht_stream_end_fn stream_end;
};

/* Descriptor of kind k (LHT_K_UNKNOWN for a value out of range). */
const struct lht_kind_desc *lht_kind(enum lht_kind k);
/* Stable short name of k ("ps", "stack", ...). */
const char *lht_kind_name(enum lht_kind k);

/* A set of kinds (no cap on how many kinds exist). */
struct lht_kindset {
    uint64_t w[(LHT_K_COUNT + 63) / 64];
};

static inline void lht_kindset_add(struct lht_kindset *s, int k)
{
    s->w[k / 64] |= (uint64_t)1 << (k % 64);
}

static inline int lht_kindset_has(const struct lht_kindset *s, int k)
{
    return (s->w[k / 64] >> (k % 64)) & 1;
}

/* Compile the pattern tables (idempotent, thread-safe). Returns LHT_OK or
 * LHT_ENOMEM/LHT_ERULE with err set. Every other function calls it. */
int lht_classify_init(lht_err *err);

/* Kind by member path; writes the node named by the path into node
 * (NUL-terminated, "" when none). *pid gets a pid named by the path
 * (".../proc/123/stack") or -1. A PCRE2 failure (a limit hit on a hostile
 * path) goes to *fail as lht_re_first does (core/re.h). */
enum lht_kind lht_classify_path(const char *path, char *node, size_t nodesz, long *pid, int *fail);

/* Evidence kinds whose line shapes occur in the first part of buf (empty
 * when none). Several kinds for a mixed paste. Failures as above: a line
 * a pattern gave up on casts no vote. */
void lht_classify_content(const char *buf, size_t len, struct lht_kindset *out, int *fail);

#endif
