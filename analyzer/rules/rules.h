/*
 * rules.h - stage 3a: signature rules, loaded from rules/NAME.yaml into an
 * immutable ruleset (every PCRE2 pattern compiled once, with JIT).
 *
 * A rule names a subject (a process, a node or the bundle), signals
 * (a PCRE2 pattern and/or a version predicate on one field of one fact
 * kind, in a scope relative to the subject), confidence levels built from
 * those signals, and remediation text chosen by version predicates. See
 * rules/README.md for the format.
 */
#ifndef LHT_RULES_H
#define LHT_RULES_H

#include <stddef.h>

#include "core/err.h"

struct lht_ruleset;
struct lht_rule;

enum lht_severity { LHT_SEV_INFO = 0, LHT_SEV_WARNING, LHT_SEV_ERROR, LHT_SEV_CRITICAL };

/* Load every *.yaml / *.yml file of dir (sorted by name). On a bad rule
 * returns LHT_ERULE with "file:line:col: message" in err. *out is owned by
 * the caller: lht_ruleset_free(). */
int lht_ruleset_load(const char *dir, struct lht_ruleset **out, lht_err *err);
void lht_ruleset_free(struct lht_ruleset *rs);

/* For `rules lint`: load dir as lht_ruleset_load does, but go on past
 * errors, handing each to report() as "file:line:col: message": every
 * bad file, and within a file each independent part of a rule that is
 * wrong (a key, a reference, a signal, a level, a remedy, a fix, an
 * example). *nerrors counts them; *out holds the rules that loaded
 * (owned by the caller; lht_ruleset_free). Returns LHT_OK, or a code
 * with err set when the directory cannot be read or memory runs out. */
typedef void (*lht_rule_error_fn)(void *ud, const char *msg);
int lht_ruleset_lint(const char *dir, lht_rule_error_fn report, void *ud, struct lht_ruleset **out,
                     size_t *nerrors, lht_err *err);

size_t lht_ruleset_count(const struct lht_ruleset *rs);
const struct lht_rule *lht_ruleset_rule(const struct lht_ruleset *rs, size_t i);
/* Patterns compiled (total) and how many of them JIT-compiled: a silent
 * fall-back to the interpreter shows up here. */
size_t lht_ruleset_jit_count(const struct lht_ruleset *rs, size_t *total);

/* 1 when some rule reads facts that only node logs give (kernel events,
 * hung tasks, traces from kernel logs); 0 when host evidence (ps, stacks
 * from /proc, mounts, host info, YAMLs) is all the rules look at. */
int lht_ruleset_reads_logs(const struct lht_ruleset *rs);

/* Digest of all rule files, so a scan can tell which rules produced it. */
const char *lht_ruleset_digest(const struct lht_ruleset *rs);

const char *lht_rule_id(const struct lht_rule *r);
const char *lht_rule_title(const struct lht_rule *r);
const char *lht_rule_file(const struct lht_rule *r);
int lht_rule_severity(const struct lht_rule *r);
size_t lht_rule_example_count(const struct lht_rule *r);

/* A rule's signals and levels, for explain: the rule as written. */
struct lht_signal_info {
    const char *name;
    const char *fact;      /* as rules name it ("process", "kernel_event") */
    const char *field;
    const char *scope;     /* "subject", "same_pid", ... */
    const char *pattern;   /* PCRE2 source, or NULL */
};

enum { LHT_COND_ALL, LHT_COND_ANY, LHT_COND_NONE };

/* The rule with that id, or NULL. */
const struct lht_rule *lht_ruleset_find(const struct lht_ruleset *rs, const char *id);
size_t lht_rule_signal_count(const struct lht_rule *r);
int lht_rule_signal(const struct lht_rule *r, size_t i, struct lht_signal_info *out);
size_t lht_rule_level_count(const struct lht_rule *r);
const char *lht_rule_level_name(const struct lht_rule *r, size_t i);
/* Names of the signals of one condition list (LHT_COND_*) of a level:
 * returns how many there are, fills up to max of them. */
size_t lht_rule_level_signals(const struct lht_rule *r, size_t level, int which, const char **names,
                              size_t max);
const char *lht_scope_name(int scope);

const char *lht_severity_name(int sev);
/* "info".."critical" -> enum, or -1. */
int lht_severity_parse(const char *s);

/* Compare dotted versions ("v1.10.1", "4.1", "5.14.0-427.el9"): <0, 0, >0.
 * A leading v is dropped. The numeric part is the dot-separated digit runs
 * up to the first other character; runs compare as numbers of any length
 * (no overflow, leading zeros ignored) and a missing component counts as
 * 0, so 4.1 == 4.1.0 and 4 < 4.1. What follows the numeric part (a
 * pre-release or build suffix: "-rc1", "-427.el9", "-51-generic") is not
 * compared: v1.10.1-rc1 == 1.10.1 and 5.14.0-427.el9 == 5.14. A rule that
 * must tell builds apart matches the suffix with a pattern. */
int lht_version_cmp(const char *a, const char *b);

/* Where the rules live when no --rules is given: $LHTRIAGE_RULES, the
 * installed share/lhtriage/rules next to the binary, the source tree. */
const char *lht_rules_default_dir(void);

#endif
