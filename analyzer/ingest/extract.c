/*
 * extract.c - see extract.h.
 *
 * Dispatch order for a member: its path (the bundle layout is exact), then
 * shell prompts (a pasted session is split into command sections, each
 * routed by its command), then the shapes of its lines (a paste without
 * prompts may still mix ps rows, stack frames and mount lines: every
 * parser whose shape occurs gets the text, and each skips what is not its
 * own).
 */
#include "ingest/extract.h"
#include "core/text.h"
#include "ingest/classify.h"
#include "facts/registry.h"
#include "ingest/supportconfig.h"
#include "ingest/sysreport.h"
#include "parsers/parse.h"
#include "ingest/normalise.h"
#include "ingest/transcript.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct stream;

/* Texts of LHT_KF_ONCE members read so far: (scope, kind, content) hash,
 * and the first member that had it. Open addressing, 0 = empty. */
struct once {
    uint64_t *key;
    const char **first;
    size_t n, cap;
};

struct ex {
    struct lht_facts *f;
    struct lht_bundle_info *info;
    lht_err *err;
    struct stream *stream;   /* the member being streamed, or NULL */
    struct spare {           /* the last stream's piece buffers, for the next */
        char *data;
        size_t cap;
    } spare[2];
    int skip_logs;           /* leave kernel logs and journals unread */
    struct lht_sysreports *sr; /* sosreports and supportconfigs in the input */
    struct once once;
    /* the last path classified: the source asks want() and then hands the
     * same member over, so it is classified once */
    char *cpath;
    enum lht_kind ckind;
    char cnode[256];
    char ccmd[512];          /* the command a sos output's name spells, or "" */
    long cpid;
    int cfail;               /* a PCRE2 failure classifying cpath */
    const struct lht_source_opts *o;
    struct lht_facts_mark part_from; /* where the next part starts */
    unsigned long parts;     /* handed over so far */
};

/* err for a parse that failed with code (negative) on member. */
static int parse_error(lht_err *err, const char *member, int code)
{
    return lht_err_set(err, code, "%s: %s", member,
                       code == LHT_ENOMEM ? "out of memory" : "a pattern failed (internal PCRE2 error)");
}

/* Kind, node and pid of path (cached for the member at hand); a report's
 * layout (sysreport.h) refines what the path table says. */
static enum lht_kind classify(struct ex *x, const char *path, const char **node, long *pid)
{
    if (x->cpath == NULL || strcmp(x->cpath, path) != 0) {
        free(x->cpath);
        x->cpath = strdup(path);
        x->cfail = 0;
        x->ckind = lht_classify_path(path, x->cnode, sizeof x->cnode, &x->cpid, &x->cfail);
        x->ckind = lht_sysreports_kind(x->sr, path, x->ckind, x->ccmd, sizeof x->ccmd, &x->cfail);
        if (x->cpath == NULL) {
            /* no cache, same answer */
            enum lht_kind k = x->ckind;
            *node = x->cnode;
            *pid = x->cpid;
            return k;
        }
    }
    *node = x->cnode;
    *pid = x->cpid;
    return x->ckind;
}

/* ---- one namespace's table through many pids ---------------------------- */

/* Where a proc/<pid>/ file's text is shared: the path before "proc/<pid>/"
 * (the report holding it), or 0 when path names no pid. */
static size_t once_scope(const char *path)
{
    const char *p = path, *hit = NULL;

    while ((p = strstr(p, "proc/")) != NULL) {
        if ((p == path || p[-1] == '/' || p[-1] == '!') && p[5] >= '0' && p[5] <= '9')
            hit = p;
        p += 5;
    }
    return hit ? (size_t)(hit - path) + 1 : 0;
}

/* Where key h is, or the empty slot it would take. */
static size_t once_slot(const struct once *o, uint64_t h)
{
    size_t i;

    for (i = h & (o->cap - 1); o->key[i] && o->key[i] != h; i = (i + 1) & (o->cap - 1))
        ;
    return i;
}

/* Room for n keys at most half full; -1 when out of memory. */
static int once_room(struct once *o, size_t n)
{
    struct once g;
    size_t j, i;

    if (2 * n <= o->cap)
        return 0;
    g.cap = o->cap ? o->cap * 2 : 256;
    while (2 * n > g.cap)
        g.cap *= 2;
    g.key = calloc(g.cap, sizeof *g.key);
    g.first = calloc(g.cap, sizeof *g.first);
    if (g.key == NULL || g.first == NULL) {
        free(g.key);
        free(g.first);
        return -1;
    }
    for (j = 0; j < o->cap; j++)
        if (o->key[j]) {
            i = once_slot(&g, o->key[j]);
            g.key[i] = o->key[j];
            g.first[i] = o->first[j];
        }
    free(o->key);
    free(o->first);
    o->key = g.key;
    o->first = g.first;
    o->cap = g.cap;
    return 0;
}

/* The member that already had this text (kind k, same node and scope),
 * or NULL after remembering it as the first. *oom on allocation failure. */
static const char *once_seen(struct once *o, const struct lht_pctx *ctx, enum lht_kind k, const char *data,
                             size_t len, int *oom)
{
    size_t scope = once_scope(ctx->member), i;
    uint64_t h = LHT_FNV_INIT;

    *oom = 0;
    if (scope == 0)
        return NULL;
    h = lht_fnv(h, ctx->member, scope - 1);
    h = lht_fnv(h, ctx->node ? ctx->node : "", ctx->node ? strlen(ctx->node) + 1 : 0);
    h = lht_fnv(h, &k, sizeof k);
    h = lht_fnv(h, data, len) | 1;
    if (once_room(o, o->n + 1) != 0) {
        *oom = 1;
        return NULL;
    }
    i = once_slot(o, h);
    if (o->key[i] == h)
        return o->first[i];
    o->key[i] = h;
    o->first[i] = ctx->member;
    o->n++;
    return NULL;
}

static int add_piece(struct lht_facts *f, const struct lht_pctx *ctx, enum lht_kind k,
                     const char *command, long records)
{
    struct lht_piece p;

    p.at = lht_pctx_at(ctx, ctx->first_line);
    p.kind = lht_kind_name(k);
    p.command = command ? lht_facts_strz(f, command) : NULL;
    p.records = records;
    return lht_facts_add_piece(f, &p);
}

/* Run the parser of kind k; returns records added or LHT_ENOMEM. */
static long run_parser(struct lht_facts *f, enum lht_kind k, const char *buf, size_t len,
                       const struct lht_pctx *ctx, const char *command)
{
    lht_parse_fn fn = lht_kind(k)->parse;
    int n;

    if (fn == NULL)
        return 0;
    n = fn(buf, len, ctx);
    if (n < 0)
        return n;
    if (add_piece(f, ctx, k, command, n) != LHT_OK)
        return LHT_ENOMEM;
    return n;
}

/* Text whose kind is unknown: every kind whose line shapes occur. */
static long run_sniffed(struct lht_facts *f, const char *buf, size_t len,
                        const struct lht_pctx *ctx, const char *command, struct lht_kindset *kinds_out)
{
    long total = 0;
    int k, fail = 0;

    lht_classify_content(buf, len, kinds_out, &fail);
    if ((k = lht_pctx_re_failed(ctx, ctx->first_line, "telling what the text is", fail, 1)) != LHT_OK)
        return k;
    for (k = 0; k < LHT_K_COUNT; k++) {
        long n;
        if (!lht_kindset_has(kinds_out, k))
            continue;
        n = run_parser(f, (enum lht_kind)k, buf, len, ctx, command);
        if (n < 0)
            return n;
        total += n;
    }
    return total;
}

struct tctx {
    struct ex *x;
    struct lht_pctx base;
    int sections;
};

/* Kinds whose parsers read the same lines (two mount kinds, a log and a
 * stack file): running both would count one fact twice. */
static int same_family(enum lht_kind a, enum lht_kind b)
{
    return a == b || (lht_kind(a)->flags & lht_kind(b)->flags & (LHT_KF_MOUNTS | LHT_KF_TRACE)) != 0;
}

/* The section's routed parser, and for a command found without a prompt
 * (whose output may hold what other pasted commands printed, as when
 * several commands follow one prompt) also the other kinds its lines
 * show. */
static long run_routed(struct lht_facts *f, const struct lht_section *s, const struct lht_pctx *ctx)
{
    struct lht_kindset kinds;
    long n = run_parser(f, s->kind, s->body, s->body_len, ctx, s->command), m;
    int k;

    int fail = 0;

    if (n < 0 || !s->bare)
        return n;
    lht_classify_content(s->body, s->body_len, &kinds, &fail);
    if ((k = lht_pctx_re_failed(ctx, ctx->first_line, "telling what the text is", fail, 1)) != LHT_OK)
        return k;
    for (k = 0; k < LHT_K_COUNT; k++) {
        if (!lht_kindset_has(&kinds, k) || same_family((enum lht_kind)k, s->kind))
            continue;
        if ((m = run_parser(f, (enum lht_kind)k, s->body, s->body_len, ctx, NULL)) < 0)
            return m;
        n += m;
    }
    return n;
}

static int on_section(void *ud, const struct lht_section *s)
{
    struct tctx *t = ud;
    struct lht_pctx ctx = t->base;
    long n;
    struct lht_kindset kinds;

    ctx.first_line = s->body_line;
    ctx.pid = s->pid;
    ctx.command = s->command ? lht_facts_strz(t->x->f, s->command) : NULL;
    if (ctx.node == NULL && s->host != NULL)
        ctx.node = lht_facts_strz(t->x->f, s->host);
    if (s->body_len == 0)
        return LHT_OK;
    if (s->kind != LHT_K_UNKNOWN)
        n = run_routed(t->x->f, s, &ctx);
    else
        n = run_sniffed(t->x->f, s->body, s->body_len, &ctx, s->command, &kinds);
    if (n < 0)
        return parse_error(t->x->err, ctx.member, (int)n);
    t->sections++;
    return LHT_OK;
}

/* A pasted session (split at prompts) or a supportconfig topic file
 * (split at its markers): each section routed by its command. */
static int parse_sections(struct ex *x, const struct lht_pctx *ctx, const char *data, size_t len, int scc)
{
    struct tctx t;
    int rc, fail = 0;

    t.x = x;
    t.base = *ctx;
    t.sections = 0;
    rc = scc ? lht_supportconfig_split(data, len, on_section, &t, &fail)
             : lht_transcript_split(data, len, 1, on_section, &t, &fail);
    if (rc == LHT_OK)
        rc = lht_pctx_re_failed(ctx, 1, scc ? "routing supportconfig sections" : "finding shell prompts", fail, 1);
    if (rc != LHT_OK)
        return rc == LHT_ENOMEM || rc == LHT_EPARSE ? parse_error(x->err, ctx->member, rc) : rc;
    x->info->parsed++;
    return LHT_OK;
}

static long norm_line(const void *ud, long line)
{
    return lht_norm_line(ud, line);
}

/* Text of no known kind: a paste. Split at its prompts, or read by the
 * shapes of its lines; *kind_out gets what it was. */
static int parse_paste(struct ex *x, const struct lht_pctx *ctx, const char *data, size_t len,
                       enum lht_kind *kind_out)
{
    struct lht_kindset kinds;
    long n;
    int b, fail = 0;

    if (lht_transcript_prompts(data, len, 1, &fail) > 0) {
        *kind_out = LHT_K_TRANSCRIPT;
        return parse_sections(x, ctx, data, len, 0);
    }
    if ((n = lht_pctx_re_failed(ctx, 1, "finding shell prompts", fail, 1)) != LHT_OK)
        return parse_error(x->err, ctx->member, (int)n);
    memset(&kinds, 0, sizeof kinds);
    if ((n = run_sniffed(x->f, data, len, ctx, NULL, &kinds)) < 0)
        return parse_error(x->err, ctx->member, (int)n);
    *kind_out = LHT_K_OTHER;
    for (b = 0; b < LHT_K_COUNT; b++)
        if (lht_kindset_has(&kinds, b)) {
            *kind_out = (enum lht_kind)b;
            break;
        }
    if (lht_kind(*kind_out)->parse != NULL)
        x->info->parsed++;
    return LHT_OK;
}

/* The one node a paste names, or NULL: the hosts of its prompts and the
 * nodename of its uname output, when they all agree. */
static const char *named_node(const struct lht_facts *f, const struct lht_facts_mark *since)
{
    const char *name = NULL;
    int t;
    size_t i;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        size_t n = lht_facts_count(f, t);
        if (lht_fact_types[t].parent >= 0)
            continue;
        for (i = since->n[t]; i < n; i++) {
            struct lht_prov at = lht_facts_prov(f, t, i);
            const char *v = at.node;
            if (v == NULL && t == LHT_FACT_KV) {
                const struct lht_kv *kv = lht_fact_record(f, t, i);
                v = strcmp(kv->key, "hostname") == 0 ? kv->value : NULL;
            }
            if (v == NULL || v[0] == '\0')
                continue;
            if (name != NULL && strcmp(name, v) != 0)
                return NULL;   /* two hosts in one paste: no telling */
            name = v;
        }
    }
    return name;
}

/* Parse one member's text; returns the kind to record for the member. A
 * paste is read undressed (normalise.h), and what it yields cites the
 * lines of the member as the user wrote it. */
static int parse_member(struct ex *x, enum lht_kind k, const struct lht_pctx *ctx,
                        const char *data, size_t len, enum lht_kind *kind_out)
{
    struct lht_facts_mark mark;
    struct lht_norm nm;
    const char *node;
    long n;
    int rc;

    *kind_out = k;
    if ((k == LHT_K_SUPPORTCONFIG || k == LHT_K_UNKNOWN) && lht_supportconfig_markers(data, len, 1) > 0) {
        *kind_out = LHT_K_SUPPORTCONFIG;
        return parse_sections(x, ctx, data, len, 1);
    }
    if (k == LHT_K_SUPPORTCONFIG)
        k = LHT_K_UNKNOWN;   /* a text file of a supportconfig without sections */
    if (k == LHT_K_UNKNOWN) {
        if (lht_normalise(data, len, &nm) != LHT_OK)
            return lht_err_set(x->err, LHT_ENOMEM, "%s: out of memory", ctx->member);
        lht_facts_snapshot(x->f, &mark);
        rc = nm.text ? parse_paste(x, ctx, nm.text, nm.len, kind_out) : parse_paste(x, ctx, data, len, kind_out);
        if (rc == LHT_OK && nm.lines)
            lht_facts_map_lines(x->f, &mark, norm_line, &nm);
        /* what a paste shows without a prompt is of the node the paste
         * names elsewhere, if it names one: then it binds to that node's
         * processes and mounts, and to no other node's */
        if (rc == LHT_OK && ctx->node == NULL && (node = named_node(x->f, &mark)) != NULL)
            (void)lht_facts_give_node(x->f, &mark, NULL, 0, node);
        lht_norm_free(&nm);
        return rc;
    }
    if (lht_kind(k)->parse == NULL)
        return LHT_OK;
    if ((n = run_parser(x->f, k, data, len, ctx, ctx->command)) < 0)
        return parse_error(x->err, ctx->member, (int)n);
    x->info->parsed++;
    return LHT_OK;
}

static const char *const name_prefixes[] = {"supportbundle_", "longhorn-support-bundle_"};

/* The bundle's own name is its top folder, when it has the real layout. */
static void learn_name(struct ex *x, const char *path)
{
    size_t i, n;
    const char *slash;

    if (strncmp(x->info->name, "supportbundle_", 14) == 0)
        return;
    slash = strchr(path, '/');
    if (slash == NULL)
        return;
    n = (size_t)(slash - path);
    for (i = 0; i < sizeof name_prefixes / sizeof name_prefixes[0]; i++) {
        if (strncmp(path, name_prefixes[i], strlen(name_prefixes[i])) == 0 &&
            n < sizeof x->info->name) {
            memcpy(x->info->name, path, n);
            x->info->name[n] = '\0';
            return;
        }
    }
}

/* Kernel logs and journals are the members that reach gigabytes: they are
 * streamed, so memory stays flat and no hung-task report at the end of a
 * huge syslog is lost to --max-member-size. */
static int want(void *ud, const char *path, long long size)
{
    struct ex *x = ud;
    const char *node;
    long pid;
    enum lht_kind k = classify(x, path, &node, &pid);
    const struct lht_kind_desc *kd = lht_kind(k);

    (void)size;
    if ((kd->flags & LHT_KF_LOG) && x->skip_logs)
        return LHT_WANT_SKIP;
    if (kd->stream_begin)
        return LHT_WANT_STREAM;
    return k == LHT_K_UNKNOWN || k == LHT_K_SUPPORTCONFIG || kd->parse != NULL ? LHT_WANT_WHOLE : LHT_WANT_SKIP;
}

/* Between members every record read so far is final, except under a
 * system report, whose end gives its facts their node: then no more parts
 * (and extract() voids those handed over). */
static void maybe_part(struct ex *x)
{
    struct lht_facts_mark now;

    if (x->o == NULL || x->o->part == NULL || (x->sr && lht_sysreports_any(x->sr)))
        return;
    lht_facts_snapshot(x->f, &now);
    if (lht_facts_added(&x->part_from, &now) < (x->o->part_every ? x->o->part_every : LHT_PART_RECORDS))
        return;
    x->o->part(x->o->part_ud, x->f, &x->part_from, &now);
    x->part_from = now;
    x->parts++;
}

/* Count a member and set up its parse context; *k gets its path kind. */
static int begin_member(struct ex *x, const char *path, struct lht_pctx *ctx, enum lht_kind *k)
{
    const char *node;
    long pid;
    int rc;

    maybe_part(x);
    x->info->members++;
    learn_name(x, path);
    *k = classify(x, path, &node, &pid);
    memset(ctx, 0, sizeof *ctx);
    ctx->facts = x->f;
    ctx->member = lht_facts_strz(x->f, path);
    ctx->node = node[0] ? lht_facts_strz(x->f, node) : NULL;
    ctx->first_line = 1;
    ctx->pid = pid;
    ctx->command = x->ccmd[0] ? lht_facts_strz(x->f, x->ccmd) : NULL;
    if (ctx->member == NULL || (node[0] && ctx->node == NULL) || (x->ccmd[0] && ctx->command == NULL) ||
        (x->sr && lht_sysreports_see(x->sr, ctx->member, *k) != LHT_OK))
        return lht_err_set(x->err, LHT_ENOMEM, "%s: out of memory", path);
    if ((rc = lht_pctx_re_failed(ctx, 0, "classifying the member by its path", x->cfail, 1)) != LHT_OK)
        return parse_error(x->err, path, rc);
    return LHT_OK;
}

static int end_member(struct ex *x, const struct lht_pctx *ctx, enum lht_kind kind, long long size,
                      const char *status, const char *note)
{
    struct lht_member m;

    memset(&m, 0, sizeof m);
    m.at = lht_pctx_at(ctx, 0);
    m.size = size;
    m.status = status;
    m.note = note;
    m.kind = lht_kind_name(kind);
    return lht_facts_add_member(x->f, &m);
}

static int on_member(void *ud, const char *path, const char *data, size_t len,
                     long long size, int flags)
{
    struct ex *x = ud;
    struct lht_pctx ctx;
    enum lht_kind k, recorded;
    int rc;

    if ((rc = begin_member(x, path, &ctx, &k)) != LHT_OK)
        return rc;
    if (data == NULL)
        return end_member(x, &ctx, k, size, "skipped", NULL);
    if (lht_kind(k)->flags & LHT_KF_ONCE) {
        int oom;
        const char *first = once_seen(&x->once, &ctx, k, data, len, &oom);
        if (oom)
            return lht_err_set(x->err, LHT_ENOMEM, "%s: out of memory", path);
        if (first != NULL)
            return end_member(x, &ctx, k, size, "skipped", lht_facts_strz(x->f, "same text as another pid's, read once"));
    }
    if ((rc = parse_member(x, k, &ctx, data, len, &recorded)) != LHT_OK)
        return rc;
    if (flags & LHT_MEMBER_CUT)
        return end_member(x, &ctx, recorded, size, "truncated",
                          "reading stopped part-way; only the part before was parsed");
    return end_member(x, &ctx, recorded, size, flags & LHT_MEMBER_CAPPED ? "truncated" : "parsed",
                      flags & LHT_MEMBER_CAPPED ? "member larger than --max-member-size; only its head was read"
                                                : NULL);
}

/* ---- streamed logs ----------------------------------------------------- */

/* A log longer than one piece is parsed on a second thread while this one
 * inflates the next piece, so a scan costs about its decompression, not
 * decompression plus parsing. Two slots hand pieces over in order. While a
 * stream runs only the parser thread touches the facts: the source reports
 * read problems after the final piece, and nothing else happens here
 * until it has been joined. */
struct slot {
    char *data;
    size_t len, cap;
    int flags;
    int full;
};

struct stream {
    struct lht_pctx ctx;
    enum lht_kind kind;
    const struct lht_kind_desc *kd;
    void *state;             /* the parser's, between pieces */
    int threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot slot[2];
    int head, tail;
};

static void *stream_main(void *arg)
{
    struct stream *s = arg;

    for (;;) {
        struct slot *sl = &s->slot[s->head];
        int last;
        pthread_mutex_lock(&s->mu);
        while (!sl->full)
            pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
        /* errors stay in the stream and come back from its end() */
        (void)s->kd->stream_feed(s->state, sl->data, sl->len);
        last = sl->flags & LHT_CHUNK_LAST;
        pthread_mutex_lock(&s->mu);
        sl->full = 0;
        s->head ^= 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        if (last)
            return NULL;
    }
}

/* Queue a piece for the parser thread (copying it: the source reuses its
 * buffer). Returns LHT_OK or LHT_ENOMEM. */
static int stream_push(struct stream *s, const char *data, size_t len, int flags)
{
    struct slot *sl = &s->slot[s->tail];
    int oom = 0;

    pthread_mutex_lock(&s->mu);
    while (sl->full)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (len > sl->cap) {
        char *p = realloc(sl->data, len);
        if (p == NULL) {
            oom = 1;
            len = 0;             /* hand over an empty final piece: the thread must end */
            flags |= LHT_CHUNK_LAST | LHT_CHUNK_CUT;
        } else {
            sl->data = p;
            sl->cap = len;
        }
    }
    if (len)
        memcpy(sl->data, data, len);
    pthread_mutex_lock(&s->mu);
    sl->len = len;
    sl->flags = flags;
    sl->full = 1;
    s->tail ^= 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return oom ? LHT_ENOMEM : LHT_OK;
}

/* Free s; its two piece buffers are kept for the next stream of x: a
 * fresh megabyte per piece buffer and member was a third of a large
 * bundle's page faults. */
static void stream_free(struct ex *x, struct stream *s)
{
    int i;

    if (s == NULL)
        return;
    if (s->threaded) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
    }
    for (i = 0; i < 2; i++) {
        free(x->spare[i].data);
        x->spare[i].data = s->slot[i].data;
        x->spare[i].cap = s->slot[i].cap;
    }
    free(s);
}

/* A new stream's slots start with the spare buffers. */
static void stream_take_spares(struct ex *x, struct stream *s)
{
    int i;

    for (i = 0; i < 2; i++) {
        s->slot[i].data = x->spare[i].data;
        s->slot[i].cap = x->spare[i].cap;
        x->spare[i].data = NULL;
        x->spare[i].cap = 0;
    }
}

/* End the member's stream: join the thread, finish the parse, record the
 * member. Returns LHT_OK or an error (err set). */
static int stream_finish(struct ex *x, long long size, int flags)
{
    struct stream *s = x->stream;
    int n, rc;

    x->stream = NULL;
    if (s->threaded)
        pthread_join(s->th, NULL);
    n = s->kd->stream_end(s->state);
    if (n < 0) {
        rc = parse_error(x->err, s->ctx.member, n);
    } else {
        x->info->parsed++;
        rc = add_piece(x->f, &s->ctx, s->kind, NULL, n);
        if (rc == LHT_OK)
            rc = end_member(x, &s->ctx, s->kind, size, flags & LHT_CHUNK_CUT ? "truncated" : "parsed",
                            flags & LHT_CHUNK_CUT ? "reading stopped part-way; only the part before was parsed"
                                                  : NULL);
        if (rc != LHT_OK)
            rc = lht_err_set(x->err, rc, "%s: out of memory", s->ctx.member);
    }
    stream_free(x, s);
    return rc;
}

static int on_chunk(void *ud, const char *path, const char *data, size_t len, long long size,
                    int flags)
{
    struct ex *x = ud;
    struct stream *s = x->stream;
    int rc;

    if (s == NULL) {
        /* first piece of a member */
        if ((s = calloc(1, sizeof *s)) == NULL)
            return lht_err_set(x->err, LHT_ENOMEM, "%s: out of memory", path);
        stream_take_spares(x, s);
        x->stream = s;
        if ((rc = begin_member(x, path, &s->ctx, &s->kind)) != LHT_OK ||
            (s->kd = lht_kind(s->kind))->stream_begin == NULL ||
            (rc = s->kd->stream_begin(&s->ctx, &s->state)) != LHT_OK) {
            if (rc == LHT_OK)
                rc = lht_err_set(x->err, LHT_EUSAGE, "%s: not a streamed kind", path);
            x->stream = NULL;
            stream_free(x, s);
            return rc == LHT_ENOMEM ? lht_err_set(x->err, rc, "%s: out of memory", path) : rc;
        }
        /* a log that fits one piece is parsed here; a thread would only cost */
        if (!(flags & LHT_CHUNK_LAST) && pthread_mutex_init(&s->mu, NULL) == 0) {
            if (pthread_cond_init(&s->cv, NULL) != 0) {
                pthread_mutex_destroy(&s->mu);
            } else if (pthread_create(&s->th, NULL, stream_main, s) != 0) {
                pthread_cond_destroy(&s->cv);
                pthread_mutex_destroy(&s->mu);
            } else {
                s->threaded = 1;
            }
        }
    }
    if (s->threaded)
        rc = stream_push(s, data, len, flags);   /* on failure it queued a final piece */
    else
        rc = s->kd->stream_feed(s->state, data, len) == LHT_ENOMEM ? LHT_ENOMEM : LHT_OK;
    /* the member ends here on its final piece or on any failure (the
     * source makes no further call after an error) */
    if ((flags & LHT_CHUNK_LAST) || rc != LHT_OK) {
        int frc = stream_finish(x, size, rc != LHT_OK ? flags | LHT_CHUNK_CUT : flags);
        return rc != LHT_OK ? lht_err_set(x->err, rc, "%s: out of memory", path) : frc;
    }
    return LHT_OK;
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    struct ex *x = ud;
    struct lht_prov at;
    struct lht_member m;
    const char *node;
    long pid;

    (void)classify(x, path, &node, &pid);
    at.member = lht_facts_strz(x->f, path);
    at.node = node[0] ? lht_facts_strz(x->f, node) : NULL;
    at.line = 0;
    if (at.member == NULL)
        return;
    memset(&m, 0, sizeof m);
    m.at = at;
    m.kind = lht_source_is_archive_name(path) ? "archive" : "unknown";
    m.size = -1;
    m.status = "error";
    m.note = lht_facts_strz(x->f, msg);
    (void)lht_facts_add_member(x->f, &m);
    (void)lht_facts_note(x->f, &at, "%s", msg);
}

static const char *const strip_suffixes[] = {".tar.gz", ".tar.xz", ".tar.zst", ".tar.bz2",
                                             ".tgz", ".txz", ".tbz", ".tbz2", ".zip", ".tar",
                                             ".txt", ".log"};

static void default_name(struct lht_bundle_info *info, const char *input)
{
    const char *base;
    size_t n, i;

    n = strlen(input);
    while (n > 1 && input[n - 1] == '/')
        n--;
    base = input;
    for (i = 0; i < n; i++)
        if (input[i] == '/')
            base = input + i + 1;
    n = (size_t)(input + n - base);
    for (i = 0; i < sizeof strip_suffixes / sizeof strip_suffixes[0]; i++) {
        size_t m = strlen(strip_suffixes[i]);
        if (n > m && strncasecmp(base + n - m, strip_suffixes[i], m) == 0) {
            n -= m;
            break;
        }
    }
    if (n >= sizeof info->name)
        n = sizeof info->name - 1;
    memcpy(info->name, base, n);
    info->name[n] = '\0';
}

/* supportbundle_<uuid>_2025-09-24T07-05-12Z -> 2025-09-24T07:05:12Z */
static void created_from_name(struct lht_bundle_info *info)
{
    const char *u = strrchr(info->name, '_');
    int Y, M, D, h, m, s;
    char z;

    if (u == NULL || sscanf(u + 1, "%4d-%2d-%2dT%2d-%2d-%2d%c", &Y, &M, &D, &h, &m, &s, &z) != 7 ||
        z != 'Z')
        return;
    snprintf(info->created_at, sizeof info->created_at, "%04d-%02d-%02dT%02d:%02d:%02dZ", Y, M,
             D, h, m, s);
}

/* Facts derived once all members are read. */
static int finish(struct lht_facts *f, struct lht_bundle_info *info)
{
    const char *v;
    size_t n, i;
    const struct lht_kv *kvs = lht_facts_kvs(f, &n);

    v = lht_facts_kv_get(f, NULL, "created_at");
    if (v != NULL)
        snprintf(info->created_at, sizeof info->created_at, "%s", v);
    else
        created_from_name(info);
    /* The current-longhorn-version Setting is authoritative; the manager
     * image tag is the fallback (bundle-layout.md §4). */
    if (lht_facts_kv_get(f, NULL, "longhorn_version") == NULL) {
        for (i = 0; i < n; i++) {
            if (kvs[i].at.node == NULL && strcmp(kvs[i].key, "longhorn_version_image") == 0) {
                struct lht_kv kv = kvs[i];
                kv.key = "longhorn_version";
                return lht_facts_add_kv(f, &kv);
            }
        }
    }
    return LHT_OK;
}

/* ---- node zips read ahead (source.h) ----------------------------------- */

struct fork_mem {
    struct ex x;               /* first: the fork's ud, freed as one */
    struct lht_bundle_info info;
    lht_err err;
};

static void ex_free_fork(struct ex *s)
{
    lht_facts_free(s->f);
    lht_sysreports_free(s->sr);
    free(s->cpath);
    free(s->once.key);
    free(s->once.first);
    free(s->spare[0].data);
    free(s->spare[1].data);
    free(s);
}

/* A reader of its own for a node zip read on another thread: facts, counts
 * and tables of its own, joined after what was read before it. */
static void *ex_fork(void *ud)
{
    struct ex *x = ud, *s;
    struct fork_mem *m;

    /* under a system report the members are classified by it: read them
     * in their turn */
    if (x->sr && lht_sysreports_any(x->sr))
        return NULL;
    if ((m = calloc(1, sizeof *m)) == NULL)
        return NULL;
    s = &m->x;
    s->info = &m->info;
    s->err = &m->err;
    s->skip_logs = x->skip_logs;
    s->f = lht_facts_new();
    s->sr = lht_sysreports_new(LHT_SYSREPORT_NONE);
    if (s->f == NULL || s->sr == NULL) {
        ex_free_fork(s);
        return NULL;
    }
    return s;
}

/* What s read, taken in after what x read, exactly as if x had read it:
 * 1 (x unchanged) when that cannot be told, and the walk reads it again. */
static int ex_join(void *ud, void *sub, int keep)
{
    struct ex *x = ud, *s = sub;
    size_t j;
    int rc = 1;

    if (!keep || lht_sysreports_any(s->sr) || (x->sr && lht_sysreports_any(x->sr)))
        goto done;
    /* a text read once here must not be one x has read already (two
     * copies of one node zip) */
    for (j = 0; j < s->once.cap; j++)
        if (s->once.key[j] && x->once.key && x->once.key[once_slot(&x->once, s->once.key[j])])
            goto done;
    if (once_room(&x->once, x->once.n + s->once.n) != 0 || lht_facts_append(x->f, s->f) != LHT_OK)
        goto done;
    for (j = 0; j < s->once.cap; j++) {
        if (s->once.key[j]) {
            size_t i = once_slot(&x->once, s->once.key[j]);
            x->once.key[i] = s->once.key[j];
            x->once.first[i] = s->once.first[j];   /* a string x's facts now hold */
            x->once.n++;
        }
    }
    x->info->members += s->info->members;
    x->info->parsed += s->info->parsed;
    /* learn_name from "" over s's members: the name they would have
     * given, unless x has its final one */
    if (s->info->name[0] && strncmp(x->info->name, "supportbundle_", 14) != 0)
        memcpy(x->info->name, s->info->name, sizeof x->info->name);
    rc = LHT_OK;
done:
    ex_free_fork(s);
    return rc;
}

/* input names the input; fd >= 0 is the stream to read instead of it. */
static int extract(const char *input, int fd, const struct lht_source_opts *o, struct lht_facts *f,
                   struct lht_bundle_info *info, lht_err *err)
{
    struct ex x;
    struct lht_source_cb cb;
    int rc;

    memset(info, 0, sizeof *info);
    rc = lht_classify_init(err);
    if (rc != LHT_OK)
        return rc;
    default_name(info, input);
    memset(&x, 0, sizeof x);
    x.f = f;
    x.info = info;
    x.err = err;
    x.skip_logs = o->skip_logs;
    x.o = o;
    cb.want = want;
    cb.member = on_member;
    cb.chunk = on_chunk;
    cb.warn = on_warn;
    cb.fork = ex_fork;
    cb.join = ex_join;
    cb.ud = &x;
    {
        /* a folder that is itself a report (stdin never is) */
        struct stat st;
        x.sr = lht_sysreports_new(fd < 0 && stat(input, &st) == 0 && S_ISDIR(st.st_mode) ? lht_sysreports_dir(input)
                                                                                        : LHT_SYSREPORT_NONE);
    }
    if (x.sr == NULL)
        return lht_err_set(err, LHT_ENOMEM, "%s: out of memory", input);
    rc = fd >= 0 ? lht_source_walk_fd(fd, input, o, &cb, err) : lht_source_walk(input, o, &cb, err);
    free(x.cpath);
    free(x.once.key);
    free(x.once.first);
    free(x.spare[0].data);
    free(x.spare[1].data);
    if (rc != LHT_OK) {
        /* Damage after some members: keep what was read, say why. */
        if ((rc == LHT_EFORMAT || rc == LHT_ELIMIT) && info->members > 0) {
            info->partial = 1;
            snprintf(info->error, sizeof info->error, "%s", err->msg);
            lht_err_clear(err);
        } else {
            lht_sysreports_free(x.sr);
            return rc;
        }
    }
    info->parts_void = x.parts > 0 && lht_sysreports_any(x.sr);
    if ((rc = finish(f, info)) == LHT_OK && (rc = lht_sysreports_finish(x.sr, f)) != LHT_OK)
        rc = lht_err_set(err, rc, "%s: out of memory", input);
    /* a node's own report is dated by its name */
    if (rc == LHT_OK && info->created_at[0] == '\0')
        lht_sysreports_created(x.sr, info->name, info->created_at, sizeof info->created_at);
    lht_sysreports_free(x.sr);
    return rc;
}

int lht_extract(const char *input, const struct lht_source_opts *o, struct lht_facts *f,
                struct lht_bundle_info *info, lht_err *err)
{
    return extract(input, -1, o, f, info, err);
}

int lht_extract_fd(int fd, const char *name, const struct lht_source_opts *o, struct lht_facts *f,
                   struct lht_bundle_info *info, lht_err *err)
{
    return extract(name, fd, o, f, info, err);
}

int lht_extract_text(struct lht_facts *f, const char *member, const char *data, size_t len,
                     lht_err *err)
{
    struct lht_bundle_info info;
    struct ex x;
    int rc;

    memset(&info, 0, sizeof info);
    rc = lht_classify_init(err);
    if (rc != LHT_OK)
        return rc;
    memset(&x, 0, sizeof x);
    x.f = f;
    x.info = &info;
    x.err = err;
    rc = on_member(&x, member, data, len, (long long)len, 0);
    free(x.cpath);
    free(x.once.key);
    free(x.once.first);
    return rc;
}
