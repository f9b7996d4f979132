/* check_corpus.c - the public pastes of fixtures/dresses/: every file is
 * scanned as a paste dropped into a ticket, and what its header's
 * "expect:" lines name must come out of it (see fixtures/dresses/README.md).
 * The seed rule must stay silent wherever no expect line asks for it, so
 * every look-alike in the corpus is also a must-not-fire case. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "facts/registry.h"
#include "ingest/extract.h"
#include "ingest/normalise.h"
#include "ingest/transcript.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "testutil.h"
#include "tu_main.h"

#define SEED "rwx-nfs4-open-state-hang"
#define MAXFILES 256

static char *files[MAXFILES];
static int nfiles;
static struct lht_ruleset *rs;   /* loaded once, before the tests fork */

static void load_rules(void)
{
    lht_err err;
    ck_assert_int_eq(lht_ruleset_load(tu_source("rules"), &rs, &err), LHT_OK);
}

static void free_rules(void)
{
    lht_ruleset_free(rs);
    rs = NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus, listed before the suite forks its tests. */
static void list_corpus(void)
{
    DIR *d = opendir(tu_source("fixtures/dresses"));
    struct dirent *e;

    while (d && (e = readdir(d)) != NULL && nfiles < MAXFILES) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0)
            files[nfiles++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(files, (size_t)nfiles, sizeof *files, by_name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    ck_assert_msg(fp != NULL, "%s: cannot open", path);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    ck_assert_int_eq((long)fread(buf, 1, (size_t)n, fp), n);
    fclose(fp);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int count_type(const struct lht_facts *f, int t)
{
    return (int)lht_facts_count(f, t);
}

static int has_process(const struct lht_facts *f, long pid, const char *st)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(f, &n);

    for (i = 0; i < n; i++)
        if (p[i].pid == pid && (strcmp(st, "-") == 0 ? p[i].stat == NULL : p[i].stat && strcmp(p[i].stat, st) == 0))
            return 1;
    return 0;
}

static int has_stack(const struct lht_facts *f, const char *pid, const char *frames)
{
    size_t n, i;
    const struct lht_stack *s = lht_facts_stacks(f, &n);
    long want = strcmp(pid, "-") == 0 ? -1 : strtol(pid, NULL, 10);

    for (i = 0; i < n; i++)
        if (s[i].pid == want && (frames == NULL ? s[i].nframes > 0 : s[i].nframes == strtoul(frames, NULL, 10)))
            return 1;
    return 0;
}

static int has_mount(const struct lht_facts *f, const char *target, const char *vers)
{
    size_t n, i;
    const struct lht_mount *m = lht_facts_mounts(f, &n);

    for (i = 0; i < n; i++) {
        int t = strcmp(target, "-") == 0 ? m[i].target == NULL : m[i].target && strcmp(m[i].target, target) == 0;
        int v = strcmp(vers, "-") == 0 ? m[i].nfs_vers == NULL : m[i].nfs_vers && strcmp(m[i].nfs_vers, vers) == 0;
        if (t && v)
            return 1;
    }
    return 0;
}

static int has_hung(const struct lht_facts *f, long pid)
{
    size_t n, i;
    const struct lht_hung_task *h = lht_facts_hung_tasks(f, &n);

    for (i = 0; i < n; i++)
        if (h[i].pid == pid)
            return 1;
    return 0;
}

static int has_klog(const struct lht_facts *f, const char *kind, const char *outage)
{
    size_t n, i;
    const struct lht_klog *k = lht_facts_klogs(f, &n);

    for (i = 0; i < n; i++)
        if (strcmp(k[i].kind, kind) == 0 && (outage == NULL || (k[i].outage && strcmp(k[i].outage, outage) == 0)))
            return 1;
    return 0;
}

static int has_finding(const struct lht_facts *f, const char *rule, const char *level)
{
    size_t n, i;
    const struct lht_finding *fi = lht_facts_findings(f, &n);

    for (i = 0; i < n; i++)
        if (strcmp(fi[i].rule_id, rule) == 0 && (level == NULL || strcmp(fi[i].confidence, level) == 0))
            return 1;
    return 0;
}

static int has_kv(const struct lht_facts *f, const char *key, const char *value)
{
    size_t n, i;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);

    for (i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0 && kv[i].value && strcmp(kv[i].value, value) == 0)
            return 1;
    return 0;
}

struct sections {
    const char *want;
    int found;
};

static int on_section(void *ud, const struct lht_section *s)
{
    struct sections *sc = ud;
    if (s->command && strcmp(s->command, sc->want) == 0)
        sc->found = 1;
    return LHT_OK;
}

/* A section for command `cmd` in the undressed body: the prompt or the
 * command line itself was recognised. */
static int has_section(const char *body, size_t len, const char *cmd)
{
    struct lht_norm nm;
    struct sections sc = {cmd, 0};
    int fail = 0;

    ck_assert_int_eq(lht_normalise(body, len, &nm), LHT_OK);
    ck_assert_int_eq(lht_transcript_split(nm.text ? nm.text : body, nm.text ? nm.len : len, 1, on_section, &sc,
                                          &fail),
                     LHT_OK);
    ck_assert_int_eq(fail, 0);
    lht_norm_free(&nm);
    return sc.found;
}

/* One "expect:" line against the facts; 1 holds. */
static int holds(const struct lht_facts *f, const char *body, size_t blen, char *e)
{
    char *w[4] = {NULL, NULL, NULL, NULL}, *save = NULL, *rest;
    int n = 0;

    if (strncmp(e, "section ", 8) == 0)
        return has_section(body, blen, e + 8);
    for (rest = strtok_r(e, " ", &save); rest && n < 4; rest = strtok_r(NULL, " ", &save))
        w[n++] = rest;
    if (w[0] == NULL)
        return 0;
    if (strcmp(w[0], "count") == 0 && n == 3) {
        int t = strcmp(w[1], "process") == 0 ? LHT_FACT_PROCESS : strcmp(w[1], "stack") == 0 ? LHT_FACT_STACK
                                                                                           : LHT_FACT_MOUNT;
        return count_type(f, t) == atoi(w[2]);
    }
    if (strcmp(w[0], "process") == 0 && n == 3)
        return has_process(f, strtol(w[1], NULL, 10), w[2]);
    if (strcmp(w[0], "stack") == 0 && n >= 2)
        return has_stack(f, w[1], w[2]);
    if (strcmp(w[0], "mount") == 0 && n == 3)
        return has_mount(f, w[1], w[2]);
    if (strcmp(w[0], "hung_task") == 0 && n == 2)
        return has_hung(f, strtol(w[1], NULL, 10));
    if (strcmp(w[0], "klog") == 0 && n >= 2)
        return has_klog(f, w[1], w[2]);
    if (strcmp(w[0], "finding") == 0 && n == 3)
        return has_finding(f, w[1], w[2]);
    if (strcmp(w[0], "kv") == 0 && n == 3)
        return has_kv(f, w[1], w[2]);
    ck_abort_msg("unknown expectation '%s'", w[0]);
    return 0;
}

START_TEST(corpus_file)
{
    char path[600], member[300], *buf, *body, *line, *save = NULL, *expects[64];
    size_t len, blen;
    int nexp = 0, seed_expected = 0, i, sourced = 0;
    struct lht_matcher *m;
    struct lht_facts *f = lht_facts_new();
    lht_err err;

    snprintf(path, sizeof path, "%s/%s", tu_source("fixtures/dresses"), files[_i]);
    buf = slurp(path, &len);
    body = strstr(buf, "\n---\n");
    ck_assert_msg(body != NULL, "%s: no '---' after the header", files[_i]);
    *body = '\0';
    body += 5;
    blen = len - (size_t)(body - buf);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        sourced |= strncmp(line, "source: http", 12) == 0;
        if (strncmp(line, "expect: ", 8) == 0 && nexp < 64) {
            expects[nexp++] = line + 8;
            seed_expected |= strncmp(line + 8, "finding " SEED " ", 8 + strlen(SEED) + 1) == 0;
        }
    }
    ck_assert_msg(sourced, "%s: no public source cited", files[_i]);
    ck_assert_msg(nexp > 0, "%s: no expect lines", files[_i]);

    snprintf(member, sizeof member, "ticket/%s", files[_i]);
    ck_assert_msg(lht_extract_text(f, member, body, blen, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    for (i = 0; i < nexp; i++) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", expects[i]);
        ck_assert_msg(holds(f, body, blen, copy), "%s: expected %s", files[_i], expects[i]);
    }
    if (!seed_expected)
        ck_assert_msg(!has_finding(f, SEED, NULL), "%s: the seed rule fired on a look-alike", files[_i]);
    lht_matcher_free(m);
    lht_facts_free(f);
    free(buf);
}
END_TEST

/* The corpus is there: a test run that found no files proves nothing. */
START_TEST(corpus_present)
{
    ck_assert_int_ge(nfiles, 90);
}
END_TEST

static Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    TCase *tc = tcase_create("dresses");

    list_corpus();
    tcase_add_unchecked_fixture(tc, load_rules, free_rules);
    tcase_add_test(tc, corpus_present);
    tcase_add_loop_test(tc, corpus_file, 0, nfiles);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(corpus_suite)
