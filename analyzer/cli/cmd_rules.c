/*
 * cmd_rules.c - `lhtriage rules list|lint|test|fields`: for rule authors.
 */
#include "cli/cli.h"
#include "facts/registry.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "rules/ruletest.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage rules [--rules DIR] [-q] list|lint|test|fields [RULE_ID...]\n\n"
            "  list   one line per rule: id, severity, examples, title\n"
            "  lint   load and check every rule file; every error as file:line:col: message\n"
            "  test   run every rule's embedded examples (must-fire / must-not-fire)\n"
            "  fields the fact kinds rules can read, with their fields\n\n"
            "options:\n"
            "  --rules DIR  rules directory (default: $LHTRIAGE_RULES, the installed rules,\n"
            "               or the source tree's rules/)\n"
            "  -q, --quiet  test: print failing examples and the summary only\n"
            "  -h, --help   show this help\n\n"
            "Exit status: 0 ok, 1 a lint warning, a failing example or none run, 2 a rule that\n"
            "does not load, or a RULE_ID that names no rule.\n");
}

static int wanted(const char *id, int argc, char **argv, int first)
{
    int i;
    if (first >= argc)
        return 1;
    for (i = first; i < argc; i++)
        if (strcmp(argv[i], id) == 0)
            return 1;
    return 0;
}

/* Every RULE_ID named must exist: a typo must not pass as "0 failed". */
static int check_ids(const struct lht_ruleset *rs, int argc, char **argv, int first)
{
    int a, status = LHT_EXIT_OK;
    size_t i;

    for (a = first; a < argc; a++) {
        struct lht_cli_suggest s;
        if (lht_ruleset_find(rs, argv[a]) != NULL)
            continue;
        lht_cli_suggest_init(&s, argv[a]);
        for (i = 0; i < lht_ruleset_count(rs); i++)
            lht_cli_suggest_add(&s, lht_rule_id(lht_ruleset_rule(rs, i)));
        if (lht_cli_suggest_best(&s))
            lht_cli_error("rules: no rule '%s' (did you mean '%s'?); 'lhtriage rules list' shows them", argv[a],
                          lht_cli_suggest_best(&s));
        else
            lht_cli_error("rules: no rule '%s'; 'lhtriage rules list' shows them", argv[a]);
        status = LHT_EXIT_ERROR;
    }
    return status;
}

static void lint_error(void *ud, const char *msg)
{
    (void)ud;
    lht_cli_error("%s", msg);
}

static int lint(const char *dir)
{
    struct lht_ruleset *rs = NULL;
    size_t i, j, nerr = 0;
    int warnings = 0;
    char w[3][48];
    lht_err err;

    lht_err_clear(&err);
    if (lht_ruleset_lint(dir, lint_error, NULL, &rs, &nerr, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    for (i = 0; i < lht_ruleset_count(rs); i++) {
        const struct lht_rule *r = lht_ruleset_rule(rs, i);
        int fire = 0, quiet = 0;
        for (j = 0; j < lht_rule_example_count(r); j++) {
            if (strcmp(lht_rule_example_expect(r, j), "none") == 0)
                quiet++;
            else
                fire++;
        }
        if (fire == 0 || quiet == 0) {
            printf("%s: warning: rule %s needs at least one must-fire and one must-not-fire example "
                   "(has %d and %d)\n", lht_rule_file(r), lht_rule_id(r), fire, quiet);
            warnings++;
        }
    }
    printf("%s in %s, %s, %s\n", lht_cli_plural(w[0], sizeof w[0], lht_ruleset_count(rs), "rule", "rules"), dir,
           lht_cli_plural(w[1], sizeof w[1], nerr, "error", "errors"),
           lht_cli_plural(w[2], sizeof w[2], (unsigned long long)warnings, "warning", "warnings"));
    lht_ruleset_free(rs);
    return nerr ? LHT_EXIT_ERROR : warnings ? LHT_EXIT_FINDINGS : LHT_EXIT_OK;
}

/* The fact kinds and fields a rule may name, from the registry. */
static int fields(void)
{
    size_t t, i;

    for (t = 0; t < LHT_FACT_COUNT; t++) {
        const struct lht_fact_desc *d = &lht_fact_types[t];
        if (d->rule == NULL)
            continue;
        printf("%-14s", d->rule);
        if (d->keyed_get) {
            printf(" %s\n", d->keyed_what);
            continue;
        }
        for (i = 0; i < d->nfields; i++)
            if (d->fields[i].type != LHT_T_REF)
                printf(" %s", d->fields[i].name);
        if (d->virtual_name)
            printf(" %s", d->virtual_name);
        printf("\n");
    }
    return LHT_EXIT_OK;
}

static int quiet;

/* Every RULE_ID named must exist: a misspelt id would otherwise run no
 * example and pass. */
static int test(const struct lht_ruleset *rs, const char *dir, int argc, char **argv, int first)
{
    struct lht_matcher *m = NULL;
    size_t i, j;
    int passed = 0, failed = 0;
    lht_err err;

    if (check_ids(rs, argc, argv, first) != LHT_EXIT_OK)
        return LHT_EXIT_ERROR;
    lht_err_clear(&err);
    if (lht_matcher_new(rs, &m, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    for (i = 0; i < lht_ruleset_count(rs); i++) {
        const struct lht_rule *r = lht_ruleset_rule(rs, i);
        if (!wanted(lht_rule_id(r), argc, argv, first))
            continue;
        for (j = 0; j < lht_rule_example_count(r); j++) {
            char got[256];
            int pass;
            if (lht_rule_run_example(rs, i, j, m, &pass, got, sizeof got, &err) != LHT_OK) {
                lht_cli_error("%s: %s", lht_rule_id(r), err.msg);
                lht_matcher_free(m);
                return LHT_EXIT_ERROR;
            }
            if (!pass || !quiet)
                printf("%-4s %s: %s (expect %s, got %s)\n", pass ? "ok" : "FAIL", lht_rule_id(r),
                       lht_rule_example_name(r, j), lht_rule_example_expect(r, j), got);
            if (pass)
                passed++;
            else
                failed++;
        }
    }
    lht_matcher_free(m);
    printf("%d passed, %d failed\n", passed, failed);
    if (passed + failed == 0) {
        /* a test run that tested nothing must not look like a pass */
        lht_cli_error("rules test: no examples ran: the rules %sin %s have none",
                      first < argc ? "named " : "", dir);
        return LHT_EXIT_FINDINGS;
    }
    return failed ? LHT_EXIT_FINDINGS : LHT_EXIT_OK;
}

static int unknown_verb(const char *verb)
{
    static const char *const verbs[] = {"list", "lint", "test", "fields"};
    struct lht_cli_suggest s;
    size_t i;

    lht_cli_suggest_init(&s, verb);
    for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        lht_cli_suggest_add(&s, verbs[i]);
    if (lht_cli_suggest_best(&s))
        return lht_cli_usage_error("rules", "unknown action '%s' (did you mean '%s'?)", verb,
                                   lht_cli_suggest_best(&s));
    return lht_cli_usage_error("rules", "unknown action '%s' (list, lint, test, fields)", verb);
}

int lht_cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_ruleset *rs = NULL;
    const char *dir = NULL, *verb;
    int c, status;
    size_t i;
    lht_err err;

    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: return lht_cli_bad_option("rules", c, argv, longopts);
        }
    }
    if (optind >= argc)
        return lht_cli_usage_error("rules", "say list, lint, test or fields");
    verb = argv[optind++];
    if (strcmp(verb, "fields") == 0)
        return fields();
    if (strcmp(verb, "list") != 0 && strcmp(verb, "lint") != 0 && strcmp(verb, "test") != 0)
        return unknown_verb(verb);
    lht_err_clear(&err);
    if (dir == NULL)
        dir = lht_rules_default_dir();
    if (strcmp(verb, "lint") == 0)
        return lint(dir);
    if (lht_ruleset_load(dir, &rs, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    if (strcmp(verb, "list") == 0) {
        for (i = 0; i < lht_ruleset_count(rs); i++) {
            const struct lht_rule *r = lht_ruleset_rule(rs, i);
            printf("%-36s %-8s %2zu examples  %s\n", lht_rule_id(r),
                   lht_severity_name(lht_rule_severity(r)), lht_rule_example_count(r), lht_rule_title(r));
        }
        status = LHT_EXIT_OK;
    } else {
        status = test(rs, dir, argc, argv, optind);
    }
    lht_ruleset_free(rs);
    return status;
}
