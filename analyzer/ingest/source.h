/*
 * source.h - stage 1 of the pipeline: an input (archive, folder, loose
 * file) becomes a stream of members, read with libarchive and never
 * extracted to disk.
 *
 * Zip, tar, tar.gz/tgz, tar.xz, tar.zst, tar.bz2 and gzip'd single files
 * are recognised by content (libarchive's bidders), so a misnamed bundle
 * still opens. Archives found inside archives (a node's nodes/<node>.zip
 * inside the bundle zip, a tar.gz someone attached) are opened from memory
 * up to max_depth levels; their member paths are joined with '!':
 *   supportbundle_x/nodes/n1.zip!n1/hostinfos/processes_info
 * Folders are walked with archive_read_disk without following symlinks.
 * Only regular entries are delivered: a symbolic or hard link (sos stores
 * many, see sysreport.h) is never followed, inside an archive or out of
 * it; the file a link names is read, once, as the member it is.
 */
#ifndef LHT_SOURCE_H
#define LHT_SOURCE_H

#include <stddef.h>

#include "core/err.h"

struct lht_facts;
struct lht_facts_mark;

/* How far a walk has got, for a progress display. */
struct lht_source_progress {
    const char *member;           /* being read now; borrowed for the call */
    unsigned long long done;      /* bytes of the input read: of the file as stored
                                   * (compressed) for an archive, of the members
                                   * for a folder */
    unsigned long long total;     /* the input's size; 0 when unknown (pipe, folder) */
    unsigned long members;        /* members seen so far */
};
/* Called on the walking thread, at most every progress_ms; it must not
 * block for long (the walk waits for it). */
typedef void (*lht_progress_fn)(void *ud, const struct lht_source_progress *p);

struct lht_source_opts {
    size_t member_cap;            /* bytes kept per member (rest skipped) */
    unsigned long long total_cap; /* bytes read per input, all members */
    int max_depth;                /* nesting levels of archives (1 = no nesting) */
    unsigned long max_members;    /* members per input */
    int skip_logs;                /* extract: leave node logs unread (host evidence only) */
    lht_progress_fn progress;     /* or NULL (the default) */
    void *progress_ud;
    unsigned progress_ms;         /* least interval between progress calls (0: each block) */
    /* extract: between two members, once part_every records (0:
     * LHT_PART_RECORDS) have been read since the last call, the ones in
     * between (from .. to):
     * they are final, so a writer may store them while the rest is read.
     * Called on the reading thread; NULL (the default): never. */
    void (*part)(void *ud, const struct lht_facts *f, const struct lht_facts_mark *from,
                 const struct lht_facts_mark *to);
    void *part_ud;
    size_t part_every;
    int no_read_ahead;            /* read node zips in their turn only (source.c) */
};
#define LHT_PART_RECORDS 4096

void lht_source_defaults(struct lht_source_opts *o);

/* Decide, from a member's path and declared size, how to read it:
 * LHT_WANT_SKIP (reported to member() with data NULL so the inventory is
 * complete), LHT_WANT_WHOLE (one buffer, up to member_cap, to member()) or
 * LHT_WANT_STREAM (pieces, to chunk(): for logs of any size in constant
 * memory, no member_cap). */
enum { LHT_WANT_SKIP = 0, LHT_WANT_WHOLE = 1, LHT_WANT_STREAM = 2 };
typedef int (*lht_want_fn)(void *ud, const char *path, long long size);

/* One member. data is NULL for skipped members; flags has
 * LHT_MEMBER_CAPPED when the member was longer than member_cap (its head
 * is data), LHT_MEMBER_CUT when reading it failed part-way (data is what
 * came before; warn() says why right after this call). Return LHT_OK to go
 * on, or an error code (which stops the walk and is returned by
 * lht_source_walk). The callee borrows data and path until it returns. */
enum { LHT_MEMBER_CAPPED = 1, LHT_MEMBER_CUT = 2 };
typedef int (*lht_member_fn)(void *ud, const char *path, const char *data,
                             size_t len, long long size, int flags);

/* One piece of a streamed member, about LHT_SOURCE_CHUNK bytes that end
 * at a line end (only a longer line is cut). flags has LHT_CHUNK_LAST on
 * the final call, which always comes once the first did, even when reading
 * fails (then with LHT_CHUNK_CUT, and warn() or the walk's error follows
 * the final call). data is borrowed until return. An error return stops
 * the walk at once: no final call follows it. */
#define LHT_SOURCE_CHUNK (1u << 20)
enum { LHT_CHUNK_LAST = 1, LHT_CHUNK_CUT = 2 };
typedef int (*lht_chunk_fn)(void *ud, const char *path, const char *data, size_t len,
                            long long size, int flags);

/* A member that could not be read, or not all of it (corrupt entry,
 * encrypted, nested archive past max_depth), or damage to the input
 * itself (path is then the input's name). The walk goes on. */
typedef void (*lht_warn_fn)(void *ud, const char *path, const char *msg);

/* Optional, both or neither: a zip stored in the input zip (a node zip)
 * that the walk reads on a second thread while it goes on. fork, on the
 * walk's thread, gives the ud for that thread's calls, which must touch
 * nothing the walk's own calls do (NULL: no second thread). join, back on
 * the walk's thread once the walk reaches that member, is given keep = 1
 * to take what sub was given in as if it had come here, now, or 0 to
 * drop it; it frees sub. With keep it returns LHT_OK, or 1 when it cannot
 * take sub as if read here: the walk then reads the member itself, as it
 * does whenever the second thread's walk stopped short. */
typedef void *(*lht_fork_fn)(void *ud);
typedef int (*lht_join_fn)(void *ud, void *sub, int keep);

struct lht_source_cb {
    lht_want_fn want;
    lht_member_fn member;
    lht_chunk_fn chunk;   /* needed only when want() may ask to stream */
    lht_warn_fn warn;
    lht_fork_fn fork;
    lht_join_fn join;
    void *ud;
};

/* Walk input. Returns LHT_OK, or LHT_EIO/LHT_EFORMAT/LHT_ELIMIT with err set
 * ("input: member: what") when the input as a whole cannot be read.
 *
 * Damage is never silent: data lost or failing its check (a stream that
 * ends early, a tar that stops without its end-of-archive blocks, a gzip CRC-32 or length trailer or xz check that fails, a
 * zip whose end record, central directory and local headers disagree, a
 * member libarchive could not read whole, a damaged header skipped) is
 * reported through warn() where it happens, and the walk then reads on
 * and returns LHT_EFORMAT with the reason: the input's own damage first,
 * else the first member's. Members delivered before stay valid (a partial
 * result). Skips by policy (encrypted, depth limit, unreadable file in a
 * folder) are warnings only. */
int lht_source_walk(const char *input, const struct lht_source_opts *o,
                    const struct lht_source_cb *cb, lht_err *err);

/* Walk the archive or text read from fd (a pipe: stdin), named name in
 * member paths and messages. A stream is read once, front to back, so
 * a zip is read by its local headers (libarchive's streaming reader);
 * the seekable reading of stored node zips needs fd to be a regular
 * file. fd stays open: the caller closes it. */
int lht_source_walk_fd(int fd, const char *name, const struct lht_source_opts *o,
                       const struct lht_source_cb *cb, lht_err *err);

/* 1 when path names something we would open as a nested archive. */
int lht_source_is_archive_name(const char *path);

#endif
