/*
 * parse.h - the evidence parsers (one ext_*.c file per evidence kind).
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

/* ext_ps.c: ps output in any common format (aux, auxw, ax, -ef, -eo/-o
 * custom columns, -eLf/-eLo thread listings), header-driven when a header
 * line is present, heuristic for header-less rows pasted after `| grep`. */
int lht_parse_ps(const char *buf, size_t len, const struct lht_pctx *ctx);

/* ext_stack.c: /proc/<pid>/stack in the "[<0>] sym+0x1/0x2 [mod]" form and
 * the older "[<ffffffffa04f69b4>] sym+0x1/0x2 [mod]" form (terminated by
 * "[<ffffffffffffffff>] 0xffffffffffffffff"). Several stacks may follow one
 * another when separated by "==> /proc/N/stack <==" (tail/head) or blank
 * lines with a /proc/N/stack header; pid comes from ctx->pid otherwise. */
int lht_parse_stack(const char *buf, size_t len, const struct lht_pctx *ctx);

/* ext_mounts.c: /proc/mounts (and /etc/mtab), `mount` output,
 * /proc/<pid>/mountinfo, `findmnt` tables, `nfsstat -m`/`--mount` blocks.
 * nfs_vers comes from vers=/nfsvers= (or "4" for a bare fstype nfs4). */
int lht_parse_proc_mounts(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_mount_cmd(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_mountinfo(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_nfsstat(const char *buf, size_t len, const struct lht_pctx *ctx);
/* Any of the above, chosen per line; used for mixed or unknown mount text. */
int lht_parse_mounts_any(const char *buf, size_t len, const struct lht_pctx *ctx);

/* NFS protocol version from an option string and fstype: "vers=4.1" ->
 * "4.1", "nfsvers=3" -> "3", fstype "nfs4" without vers -> "4", non-NFS ->
 * NULL. Writes into out (size >= 8); returns out or NULL. */
const char *lht_nfs_vers(const char *options, size_t optlen, const char *fstype,
                         char *out, size_t outsz);

/* ext_dmesg.c: kernel log text in any of its dress: raw dmesg
 * ("[ 1234.567890] msg"), dmesg -T, dmesg -HTx / -x ("kern  :warn  : [..] msg"),
 * syslog/messages ("Sep 24 06:58:00 host kernel: msg", RFC3339 prefixes),
 * journalctl -k / short-precise. Keeps hung-task reports (both the
 * "INFO: task comm:pid blocked for more than N seconds." and the
 * "task:comm state:D stack:0 pid:N ..." forms) with their call traces as
 * stacks, other traces (WARNING:, BUG:), and NFS client messages. */
int lht_parse_kernel_log(const char *buf, size_t len, const struct lht_pctx *ctx);

/* The same parser over a log delivered in pieces (a streamed member):
 * begin copies ctx; feed takes pieces that end at line ends (a piece may
 * end inside a line only when that line is longer than the piece); end
 * returns the records added or an error code and frees the stream (NULL:
 * nothing to do). After an error, further pieces are ignored. */
struct lht_klog_stream;
int lht_klog_stream_begin(const struct lht_pctx *ctx, struct lht_klog_stream **out);
int lht_klog_stream_feed(struct lht_klog_stream *s, const char *buf, size_t len);
int lht_klog_stream_end(struct lht_klog_stream *s);

/* ext_hostinfo.c: the bundle's hostinfos/hostinfo file, `uname -a`
 * output and /etc/os-release. Emit node kvs: hostname, kernel_release,
 * kernel_version, arch, os (PRETTY_NAME), os_id, os_version. */
int lht_parse_hostinfo(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_uname(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_os_release(const char *buf, size_t len, const struct lht_pctx *ctx);

/* ext_yaml.c: Kubernetes "kind: List" YAMLs as written by support-bundle-kit
 * (yaml.v2: "null" for empty strings, floats, wrapped scalars) and
 * metadata.yaml. A table maps each kind to the fields kept as lht_fields;
 * bundle/node kvs (longhorn_version, kubernetes_version, created_at, per
 * node kernel_release/os_image/kubelet_version) are derived here too.
 * Malformed YAML: a note with libyaml's line/column, LHT_OK return. */
int lht_parse_k8s_yaml(const char *buf, size_t len, const struct lht_pctx *ctx);
int lht_parse_bundle_metadata(const char *buf, size_t len, const struct lht_pctx *ctx);

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

#endif
