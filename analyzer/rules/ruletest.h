/*
 * ruletest.h - run a rule's embedded examples (must-fire and must-not-fire
 * snippets) through the same extract -> match path a scan uses.
 */
#ifndef LHT_RULETEST_H
#define LHT_RULETEST_H

#include <stddef.h>

#include "core/err.h"
#include "rules/match.h"
#include "rules/rules.h"

const char *lht_rule_example_name(const struct lht_rule *r, size_t i);
const char *lht_rule_example_expect(const struct lht_rule *r, size_t i);

/* Run example ex of rule `rule`. *pass is 1 when the strongest level that
 * fired equals the expectation ("none": nothing fired). got receives the
 * levels that fired ("confirmed", "none", ...). */
int lht_rule_run_example(const struct lht_ruleset *rs, size_t rule, size_t ex,
                         struct lht_matcher *m, int *pass, char *got, size_t gotsz, lht_err *err);

#endif
