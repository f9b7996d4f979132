/*
 * classify.h - stage 2a: what evidence a member (or a piece of one) holds.
 *
 * Two tables decide: member paths of the real bundle layout (hostinfos/,
 * logs/dmesg.log, yamls/...) and, where the path says nothing (a file the
 * engineer added, a loose paste), the shape of the lines themselves. The
 * node comes from the path (nodes/<node>.zip!... or nodes/<node>/...).
 */
#ifndef LHT_CLASSIFY_H
#define LHT_CLASSIFY_H

#include <stddef.h>

#include "core/err.h"
#include "parsers/parse.h"

enum lht_kind {
    LHT_K_UNKNOWN = 0,   /* decide by content */
    LHT_K_PS,
    LHT_K_STACK,
    LHT_K_PROC_MOUNTS,
    LHT_K_MOUNT_CMD,
    LHT_K_MOUNTINFO,
    LHT_K_NFSSTAT,
    LHT_K_MOUNTS_ANY,
    LHT_K_KERNEL_LOG,
    LHT_K_HOSTINFO,
    LHT_K_UNAME,
    LHT_K_OS_RELEASE,
    LHT_K_K8S_YAML,
    LHT_K_METADATA,
    LHT_K_TRANSCRIPT,    /* shell session: split at prompts */
    /* Known members no parser reads (yet); listed in the inventory only. */
    LHT_K_KERNEL_CONFIG,
    LHT_K_MULTIPATH_CONF,
    LHT_K_JOURNAL,
    LHT_K_SHARE_MANAGER_LOG,
    LHT_K_POD_LOG,
    LHT_K_OTHER_YAML,
    LHT_K_BUNDLE_ERRORS,
    LHT_K_OTHER,         /* read, nothing recognised */
    LHT_K_COUNT
};

/* Stable short name stored in members.kind ("ps", "stack", ...). */
const char *lht_kind_name(enum lht_kind k);

/* Parser for a kind, or NULL for kinds that are only inventoried. */
typedef int (*lht_parse_fn)(const char *buf, size_t len, const struct lht_pctx *ctx);
lht_parse_fn lht_kind_parser(enum lht_kind k);

/* Compile the pattern tables (idempotent, thread-safe). Returns LHT_OK or
 * LHT_ENOMEM/LHT_ERULE with err set. Every other function calls it. */
int lht_classify_init(lht_err *err);

/* Kind by member path; writes the node named by the path into node
 * (NUL-terminated, "" when none). *pid gets a pid named by the path
 * (".../proc/123/stack") or -1. */
enum lht_kind lht_classify_path(const char *path, char *node, size_t nodesz, long *pid);

/* Evidence kinds whose line shapes occur in the first part of buf, as a
 * bit set (1u << kind). Several bits for mixed pastes; 0 for nothing. */
unsigned lht_classify_content(const char *buf, size_t len);

#endif
