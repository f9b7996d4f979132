/*
 * classify.c - see classify.h.
 *
 * The tables below are expanded from the kind entries of
 * facts/registry.def: one descriptor per kind (name, parser, streaming),
 * the member-path patterns in file order (first match wins) and the
 * line-shape patterns used to sniff unknown text.
 */
#include "ingest/classify.h"
#include "core/re.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct lht_kind_desc kinds[LHT_K_COUNT] = {
#define LHT_KIND(ID, name_, parser, flags_) \
    [LHT_K_##ID] = {.name = name_, .flags = flags_, .parse = lht_parse_##parser},
#define LHT_STREAMED(ID, name_, parser, flags_)                                               \
    [LHT_K_##ID] = {.name = name_, .flags = flags_, .parse = lht_parse_##parser,              \
                    .stream_begin = lht_##parser##_stream_begin,                              \
                    .stream_feed = lht_##parser##_stream_feed, .stream_end = lht_##parser##_stream_end},
#define LHT_INVENTORY(ID, name_, flags_) [LHT_K_##ID] = {.name = name_, .flags = flags_},
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
};

const struct lht_kind_desc *lht_kind(enum lht_kind k)
{
    return &kinds[(unsigned)k < LHT_K_COUNT ? k : LHT_K_UNKNOWN];
}

const char *lht_kind_name(enum lht_kind k)
{
    return lht_kind(k)->name;
}

static struct lht_re path_table[] = {
#define LHT_PATH(ID, re) {re, LHT_K_##ID, NULL},
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
};

static struct lht_re node_re[] = {
    {"(?:^|/)nodes/(?<node>[^/!]+?)(?:\\.zip|\\.tar\\.gz|\\.tgz)?[/!]", 0, NULL},
};

/* Line shapes for content sniffing. Each hit votes for its kind. */
static struct lht_re sniff_table[] = {
#define LHT_SNIFF(ID, re) {re, LHT_K_##ID, NULL},
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static pthread_once_t once = PTHREAD_ONCE_INIT;
static lht_err init_err;

static void init_tables(void)
{
    if (lht_re_compile(path_table, N(path_table), &init_err) != LHT_OK ||
        lht_re_compile(node_re, N(node_re), &init_err) != LHT_OK ||
        lht_re_compile(sniff_table, N(sniff_table), &init_err) != LHT_OK)
        return;
}

int lht_classify_init(lht_err *err)
{
    pthread_once(&once, init_tables);
    if (init_err.code != LHT_OK)
        return lht_err_set(err, init_err.code, "classifier: %s", init_err.msg);
    return LHT_OK;
}

enum lht_kind lht_classify_path(const char *path, char *node, size_t nodesz, long *pid, int *fail)
{
    pcre2_match_data *md;
    size_t len = strlen(path);
    enum lht_kind kind = LHT_K_UNKNOWN;
    char pidbuf[24];
    int i;

    if (nodesz)
        node[0] = '\0';
    *pid = -1;
    if (lht_classify_init(NULL) != LHT_OK)
        return LHT_K_UNKNOWN;
    md = lht_re_match_data(path_table, N(path_table));
    if (md == NULL)
        return LHT_K_UNKNOWN;
    i = lht_re_first(path_table, N(path_table), path, len, md, fail);
    if (i >= 0) {
        kind = (enum lht_kind)path_table[i].value;
        /* any path pattern may name the process: (?<pid>...) */
        if (lht_re_group(path_table[i].code, md, path, "pid", pidbuf, sizeof pidbuf) > 0)
            *pid = strtol(pidbuf, NULL, 10);
    }
    if (nodesz && lht_re_first(node_re, 1, path, len, md, fail) == 0)
        lht_re_group(node_re[0].code, md, path, "node", node, nodesz);
    pcre2_match_data_free(md);
    return kind;
}

void lht_classify_content(const char *buf, size_t len, struct lht_kindset *out, int *fail)
{
    unsigned votes[LHT_K_COUNT] = {0};
    pcre2_match_data *md;
    const char *p = buf, *end;
    int lines = 0, k;

    memset(out, 0, sizeof *out);
    if (lht_classify_init(NULL) != LHT_OK)
        return;
    md = lht_re_match_data(sniff_table, N(sniff_table));
    if (md == NULL)
        return;
    /* The first 2000 lines / 1 MiB tell what a paste is; whole multi-GB
     * logs are classified by path, not here. */
    end = buf + (len > (1u << 20) ? (1u << 20) : len);
    while (p < end && lines < 2000) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int i;
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0 && l < 4096) {
            i = lht_re_first(sniff_table, N(sniff_table), p, l, md, fail);
            if (i >= 0)
                votes[sniff_table[i].value]++;
        }
        lines++;
        p = nl ? nl + 1 : end;
    }
    pcre2_match_data_free(md);
    for (k = 0; k < LHT_K_COUNT; k++) {
        if (votes[k] == 0)
            continue;
        /* a YAML document is not also a mount table */
        if (kinds[k].flags & LHT_KF_EXCLUSIVE) {
            memset(out, 0, sizeof *out);
            lht_kindset_add(out, k);
            return;
        }
        lht_kindset_add(out, k);
    }
}
