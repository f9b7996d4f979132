/*
 * case.c - see case.h: content identity, and a case's evaluation.
 */
#include "case/case.h"
#include "case/nodes.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- content identity ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Member path as any container of the same content names it: without
 * the top folder all members share (an archive's; a folder given as the
 * input has none), nested archives' '!' and an unpacked node zip's folder
 * read alike ("nodes/n1.zip!n1/..." is "nodes/n1/n1/..."). */
static char *normal_path(const char *path, size_t top)
{
    size_t i, o = 0;
    char *out;

    path += top;
    if ((out = malloc(strlen(path) + 1)) == NULL)
        return NULL;
    for (i = 0; path[i]; i++) {
        if (path[i] == '.' && strncmp(path + i, ".zip!", 5) == 0) {
            out[o++] = '/';
            i += 4;
        } else {
            out[o++] = path[i] == '!' ? '/' : path[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Length of "top/" when every member path starts with the same top. */
static size_t common_top(const struct lht_member *m, size_t n)
{
    const char *first = m[0].at.member ? m[0].at.member : "", *slash = strchr(first, '/');
    size_t len, i;

    if (slash == NULL)
        return 0;
    len = (size_t)(slash - first) + 1;
    for (i = 1; i < n; i++)
        if (m[i].at.member == NULL || strncmp(m[i].at.member, first, len) != 0)
            return 0;
    return len;
}

int lht_case_content_id(const struct lht_facts *f, const char *file_sha, char out[LHT_CONTENT_ID_SIZE])
{
    size_t n, i, top;
    const struct lht_member *m = lht_facts_members(f, &n);
    const char *created = lht_facts_kv_get(f, NULL, "created_at");
    struct lht_sb b = LHT_SB_INIT;
    char **v = NULL, hex[65];
    int rc = LHT_ENOMEM;

    out[0] = '\0';
    if (n < 2) {
        if (file_sha && *file_sha)
            snprintf(out, LHT_CONTENT_ID_SIZE, "file:%s", file_sha);
        return LHT_OK;
    }
    if ((v = calloc(n, sizeof *v)) == NULL)
        return LHT_ENOMEM;
    top = common_top(m, n);
    for (i = 0; i < n; i++)
        if ((v[i] = normal_path(m[i].at.member ? m[i].at.member : "", top)) == NULL)
            goto done;
    qsort(v, n, sizeof *v, cmp_str);
    lht_sb_printf(&b, "created:%s\n", created ? created : "");
    for (i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)   /* a hostile archive repeats names */
            lht_sb_printf(&b, "%s\n", v[i]);
    if (b.oom || lht_sha256_buf(b.p, b.len, hex) != LHT_OK)
        goto done;
    snprintf(out, LHT_CONTENT_ID_SIZE, "members:%s", hex);
    rc = LHT_OK;
done:
    for (i = 0; i < n && v; i++)
        free(v[i]);
    free(v);
    lht_sb_free(&b);
    return rc;
}

/* ---- evaluation ------------------------------------------------------------- */

static int status_rank(const char *status)
{
    return strcmp(status, "ok") == 0 ? 2 : strcmp(status, "partial") == 0 ? 1 : 0;
}

/* An input as the duplicate search sorts it. */
struct dup_key {
    const struct lht_case_input *in;
    size_t i;
};

/* By content, then the copy to read first: complete before damaged, then
 * the one with more members, then the first listed. */
static int cmp_dup(const void *pa, const void *pb)
{
    const struct dup_key *a = pa, *b = pb;
    int c = strcmp(a->in->content_id, b->in->content_id);

    if (c != 0)
        return c;
    if (status_rank(a->in->status) != status_rank(b->in->status))
        return status_rank(a->in->status) > status_rank(b->in->status) ? -1 : 1;
    if (a->in->members != b->in->members)
        return a->in->members > b->in->members ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Of inputs with one content, the one read is the first cmp_dup puts
 * first; dup_of[i] gets its row id for every other readable copy.
 * Returns how many copies there are, or (size_t)-1 out of memory. */
static size_t mark_duplicates(const struct lht_case_input *in, size_t n, long long *dup_of)
{
    struct dup_key *k = malloc((n + 1) * sizeof *k);
    size_t i, m = 0, dups = 0, first;

    if (k == NULL)
        return (size_t)-1;
    for (i = 0; i < n; i++) {
        dup_of[i] = 0;
        if (in[i].content_id != NULL && status_rank(in[i].status) > 0)
            k[m++] = (struct dup_key){&in[i], i};
    }
    if (m > 1)
        qsort(k, m, sizeof *k, cmp_dup);
    for (i = 1, first = 0; i < m; i++) {
        if (strcmp(k[i].in->content_id, k[first].in->content_id) != 0) {
            first = i;
            continue;
        }
        dup_of[k[i].i] = k[first].in->bundle_id;
        dups++;
    }
    free(k);
    return dups;
}

struct eval {
    struct lht_store *s;
    struct lht_case_input *in;
    size_t nin;
    long long *dup_of;
    const char **host;
    struct lht_case_part *parts;
    size_t *part_of;            /* input index of each part */
    size_t nparts;
    struct lht_facts *f;
    struct lht_member_map *map;
    struct lht_node_names *names;
};

/* Read every input that is neither a copy nor unreadable, one part each. */
static int read_inputs(struct eval *e, lht_err *err)
{
    size_t i, t;
    int rc;

    for (i = 0; i < e->nin; i++) {
        struct lht_case_part *p = &e->parts[e->nparts];
        if (e->dup_of[i] > 0 || status_rank(e->in[i].status) == 0)
            continue;
        memset(p, 0, sizeof *p);
        for (t = 0; t < LHT_FACT_COUNT; t++)
            p->first[t] = lht_facts_count(e->f, (int)t);
        (void)lht_facts_members(e->f, &p->first_member);
        if ((rc = lht_store_load_input(e->s, e->in[i].bundle_id, e->f, e->map, err)) != LHT_OK)
            return rc;
        for (t = 0; t < LHT_FACT_COUNT; t++)
            p->count[t] = lht_facts_count(e->f, (int)t) - p->first[t];
        (void)lht_facts_members(e->f, &p->nmembers);
        p->nmembers -= p->first_member;
        p->name = e->in[i].name;
        e->part_of[e->nparts++] = i;
    }
    return LHT_OK;
}

static int store_case(struct eval *e, long long id, const char *digest, lht_err *err)
{
    struct lht_case_put cp;
    long long *ids = calloc(e->nin + 1, sizeof *ids);
    size_t i;
    int rc;

    if (ids == NULL)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    for (i = 0; i < e->nin; i++)
        ids[i] = e->in[i].bundle_id;
    for (i = 0; i < e->nparts; i++)
        e->host[e->part_of[i]] = e->parts[i].host;
    memset(&cp, 0, sizeof cp);
    cp.f = e->f;
    cp.map = e->map;
    cp.aliases = lht_node_names_list(e->names, &cp.naliases);
    cp.inputs = ids;
    cp.dup_of = e->dup_of;
    cp.host = e->host;
    cp.ninputs = e->nin;
    cp.rules_digest = digest;
    rc = lht_store_put_case(e->s, id, &cp, err);
    free(ids);
    return rc;
}

static void eval_free(struct eval *e)
{
    lht_node_names_free(e->names);
    lht_member_map_free(e->map);
    lht_facts_free(e->f);
    free(e->parts);
    free(e->part_of);
    free(e->dup_of);
    free((void *)e->host);
    lht_store_case_inputs_free(e->in, e->nin);
}

int lht_case_evaluate(struct lht_store *s, struct lht_matcher *m, long long id, const char *rules_digest,
                      struct lht_case_eval *out, lht_err *err)
{
    struct eval e;
    size_t nf = 0, dups;
    int rc;

    memset(&e, 0, sizeof e);
    e.s = s;
    if ((rc = lht_store_case_inputs(s, id, &e.in, &e.nin, err)) != LHT_OK)
        return rc;
    e.dup_of = calloc(e.nin + 1, sizeof *e.dup_of);
    e.host = calloc(e.nin + 1, sizeof *e.host);
    e.parts = calloc(e.nin + 1, sizeof *e.parts);
    e.part_of = calloc(e.nin + 1, sizeof *e.part_of);
    e.f = lht_facts_new();
    e.map = lht_member_map_new();
    if (e.dup_of == NULL || e.host == NULL || e.parts == NULL || e.part_of == NULL || e.f == NULL ||
        e.map == NULL) {
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    if ((dups = mark_duplicates(e.in, e.nin, e.dup_of)) == (size_t)-1) {
        rc = lht_err_set(err, LHT_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = read_inputs(&e, err)) != LHT_OK ||
        (rc = lht_case_nodes(e.f, e.parts, e.nparts, &e.names, err)) != LHT_OK ||
        (rc = lht_matcher_run(m, e.f, err)) != LHT_OK || (rc = store_case(&e, id, rules_digest, err)) != LHT_OK)
        goto done;
    (void)lht_facts_findings(e.f, &nf);
    if (out) {
        out->inputs = e.nin;
        out->read = e.nparts;
        out->duplicates = dups;
        out->findings = nf;
    }
done:
    eval_free(&e);
    return rc;
}
