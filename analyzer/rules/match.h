/*
 * match.h - stage 3b: run a ruleset over one bundle's facts.
 *
 * A matcher owns the per-thread state (PCRE2 match data, scratch
 * buffers); the ruleset is shared read-only. Findings and their evidence
 * are appended to the same fact collection, so the store writes facts and
 * findings of a bundle in one transaction.
 */
#ifndef LHT_MATCH_H
#define LHT_MATCH_H

#include "core/err.h"
#include "facts/facts.h"
#include "rules/rules.h"

struct lht_matcher;

/* Allocates a matcher for rs (borrowed; must outlive the matcher). */
int lht_matcher_new(const struct lht_ruleset *rs, struct lht_matcher **out, lht_err *err);
void lht_matcher_free(struct lht_matcher *m);

/* Evaluate every rule on f; appends findings to f (earlier findings are
 * dropped first). Returns LHT_OK or LHT_ENOMEM. *nwarn counts pattern
 * matches abandoned at the PCRE2 match limit (recorded as notes). */
int lht_matcher_run(struct lht_matcher *m, struct lht_facts *f, lht_err *err);

/* Only one rule (for `rules test`); index into the ruleset. */
int lht_matcher_run_rule(struct lht_matcher *m, size_t rule, struct lht_facts *f, lht_err *err);

#endif
