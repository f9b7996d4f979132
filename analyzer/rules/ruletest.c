/*
 * ruletest.c - see ruletest.h.
 *
 * Examples are scanned as members named by their `path`, so an example
 * can stand for a bundle file (nodes/<n>.zip!<n>/hostinfos/processes_info)
 * or a pasted transcript, and the path decides node and parser exactly as
 * in a real scan.
 */
#include "rules/ruletest.h"
#include "ingest/extract.h"
#include "rules/rules_private.h"

#include <stdio.h>
#include <string.h>

const char *lht_rule_example_name(const struct lht_rule *r, size_t i)
{
    return i < (size_t)r->nexamples ? r->examples[i].name : NULL;
}

const char *lht_rule_example_expect(const struct lht_rule *r, size_t i)
{
    return i < (size_t)r->nexamples ? r->examples[i].expect : NULL;
}

int lht_rule_run_example(const struct lht_ruleset *rs, size_t rule, size_t ex,
                         struct lht_matcher *m, int *pass, char *got, size_t gotsz, lht_err *err)
{
    const struct lht_rule *r = lht_ruleset_rule(rs, rule);
    const struct lht_example *e;
    struct lht_facts *f = NULL;
    const struct lht_finding *fi;
    size_t n, i, used = 0;
    int rc, j, best = -1;

    *pass = 0;
    if (got && gotsz)
        got[0] = '\0';
    if (r == NULL || ex >= (size_t)r->nexamples)
        return lht_err_set(err, LHT_EUSAGE, "no such example");
    e = &r->examples[ex];
    f = lht_facts_new();
    if (f == NULL)
        return lht_err_set(err, LHT_ENOMEM, "out of memory");
    for (j = 0; j < e->nfiles; j++) {
        rc = lht_extract_text(f, e->files[j].path, e->files[j].text, strlen(e->files[j].text), err);
        if (rc != LHT_OK)
            goto done;
    }
    rc = lht_matcher_run_rule(m, rule, f, err);
    if (rc != LHT_OK)
        goto done;
    fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < r->nlevels; j++)
            if (strcmp(r->levels[j].name, fi[i].confidence) == 0 && (best < 0 || j < best))
                best = j;
        if (got && used < gotsz) {
            int k = snprintf(got + used, gotsz - used, "%s%s", used ? "," : "", fi[i].confidence);
            if (k > 0)
                used += (size_t)k;
        }
    }
    if (got && n == 0)
        snprintf(got, gotsz, "none");
    *pass = strcmp(e->expect, "none") == 0 ? n == 0
                                            : best >= 0 && strcmp(r->levels[best].name, e->expect) == 0;
    rc = LHT_OK;
done:
    lht_facts_free(f);
    return rc;
}
