/*
 * caseload.c - what evaluating a case from the database costs against
 * reading its input, in one process (bench/run.sh).
 *
 *   caseload RULES_DIR DB INPUT [ROUNDS]
 *
 * Each round reads INPUT into facts (lht_extract), stores them in DB as a
 * case of their own (lht_store_put_bundle), reads them back
 * (lht_store_load_input, what lht_case_evaluate does first), and runs the
 * rules on them; it prints the median of each step. The read-back is the
 * price of evaluating every case from the database rather than from what
 * a scan happens to hold in memory.
 */
#include "case/case.h"
#include "ingest/extract.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

enum { EXTRACT, STORE, LOAD, MATCH, STEPS };

/* One round: the four steps' seconds into t; *facts gets what was read back. */
static int round_once(const char *input, struct lht_store *s, struct lht_matcher *m, double t[STEPS],
                      size_t *facts)
{
    struct lht_source_opts o;
    struct lht_bundle_info info;
    struct lht_bundle_meta meta = {0};
    struct lht_facts *f = lht_facts_new(), *back = lht_facts_new();
    struct lht_member_map *map = lht_member_map_new();
    struct lht_stored old;
    double t0;
    size_t k;
    lht_err err;
    int rc = 1;

    lht_source_defaults(&o);
    t0 = now();
    if (lht_extract(input, &o, f, &info, &err) != LHT_OK)
        goto done;
    t[EXTRACT] = now() - t0;
    meta.name = info.name;
    meta.path = input;
    meta.status = "ok";
    t0 = now();
    if (lht_store_put_bundle(s, &meta, f, NULL, &err) != LHT_OK || lht_store_find(s, input, &old, &err) != 1)
        goto done;
    t[STORE] = now() - t0;
    t0 = now();
    if (lht_store_load_input(s, old.id, back, map, &err) != LHT_OK)
        goto done;
    t[LOAD] = now() - t0;
    t0 = now();
    if (lht_matcher_run(m, back, &err) != LHT_OK)
        goto done;
    t[MATCH] = now() - t0;
    for (*facts = 0, k = 0; k < LHT_FACT_COUNT; k++)
        *facts += lht_facts_count(back, (int)k);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "caseload: %s\n", err.msg);
    lht_member_map_free(map);
    lht_facts_free(back);
    lht_facts_free(f);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const names[STEPS] = {"read the input (extract)", "store its facts",
                                             "read them back from the database", "run the rules"};
    struct lht_ruleset *rs = NULL;
    struct lht_matcher *m = NULL;
    struct lht_store *s = NULL;
    int rounds = argc > 4 ? atoi(argv[4]) : 3, r, k;
    double *t;
    size_t facts = 0;
    lht_err err;

    if (argc < 4 || rounds < 1) {
        fprintf(stderr, "usage: caseload RULES_DIR DB INPUT [ROUNDS]\n");
        return 2;
    }
    if ((t = calloc((size_t)rounds * STEPS, sizeof *t)) == NULL ||
        lht_ruleset_load(argv[1], &rs, &err) != LHT_OK || lht_matcher_new(rs, &m, &err) != LHT_OK ||
        lht_store_open(argv[2], LHT_STORE_RW, &s, &err) != LHT_OK) {
        fprintf(stderr, "caseload: %s\n", t ? err.msg : "out of memory");
        return 2;
    }
    for (r = 0; r < rounds; r++) {
        double one[STEPS];
        if (round_once(argv[3], s, m, one, &facts) != 0)
            return 2;
        for (k = 0; k < STEPS; k++)
            t[k * rounds + r] = one[k];
    }
    for (k = 0; k < STEPS; k++) {
        double v = median(t + k * rounds, rounds), base = median(t, rounds);
        printf("%-36s %8.3f s  %6.3fx the read\n", names[k], v, v / base);
    }
    printf("(%zu facts read back, median of %d rounds)\n", facts, rounds);
    lht_store_close(s);
    lht_matcher_free(m);
    lht_ruleset_free(rs);
    free(t);
    return 0;
}
