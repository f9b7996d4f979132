/*
 * cmd_explain.c - `lhtriage explain FINDING_ID`: why a finding fired.
 *
 * Shows the finding, every signal of its rule marked matched or not, and
 * each piece of evidence with the facts stored around its line: the
 * member's facts are read back from the database (the bundle may be
 * gone) and rendered the way evidence is, for every fact type.
 */
#include "cli/cli.h"
#include "facts/registry.h"
#include "rules/rules.h"
#include "store/store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT 3   /* lines shown each side of an evidence line */

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage explain [--db FILE] [--rules DIR] FINDING_ID\n\n"
            "Show one finding (ids: `lhtriage query findings`): the rule's signals, which\n"
            "matched, and each piece of evidence with the facts stored around its line.\n\n"
            "options:\n"
            "  --db FILE     database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --rules DIR   rules directory, for the signal list (default: installed rules)\n"
            "  -h, --help    show this help\n");
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void show_finding(long long id, sqlite3_stmt *fst)
{
    printf("Finding %lld: ", id);
    lht_cli_put_escaped(stdout, col(fst, 5));
    printf("\n  rule %s, %s, %s\n  case ", col(fst, 0), col(fst, 1), col(fst, 2));
    lht_cli_put_escaped(stdout, col(fst, 6));
    printf(" (%d input%s)", sqlite3_column_int(fst, 7), sqlite3_column_int(fst, 7) == 1 ? "" : "s");
    printf("\n  node ");
    lht_cli_put_escaped(stdout, col(fst, 3) ? col(fst, 3) : "unknown");
    if (col(fst, 4)) {
        printf(", pids ");
        lht_cli_put_escaped(stdout, col(fst, 4));
    }
    printf("\n\n");
}

/* 1 when finding id cites signal name among its evidence. */
static int signal_hit(sqlite3_stmt *est, long long id, const char *name)
{
    int hit = 0;

    sqlite3_bind_int64(est, 1, id);
    while (sqlite3_step(est) == SQLITE_ROW)
        if (strcmp(col(est, 0), name) == 0)
            hit = 1;
    sqlite3_reset(est);
    return hit;
}

static void show_level(const struct lht_rule *r, size_t lv)
{
    static const struct {
        int which;
        const char *label;
    } lists[] = {{LHT_COND_ALL, "all:"}, {LHT_COND_ANY, "  any:"}, {LHT_COND_NONE, "  none:"}};
    const char *names[64];
    size_t k, j, n;

    printf("  %-10s", lht_rule_level_name(r, lv));
    for (k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        n = lht_rule_level_signals(r, lv, lists[k].which, names, 64);
        if (n == 0 && lists[k].which != LHT_COND_ALL)
            continue;
        printf(" %s", lists[k].label);
        for (j = 0; j < n && j < 64; j++)
            printf(" %s", names[j]);
    }
    printf("\n");
}

/* The rule's signals, matched or not. Rules may have changed since the
 * scan; then only the evidence is shown. */
static void show_rule(const char *rules_dir, const char *rule_id, long long id, sqlite3_stmt *est)
{
    struct lht_ruleset *rs = NULL;
    const struct lht_rule *r;
    lht_err err;
    size_t s, lv;

    lht_err_clear(&err);
    if (lht_ruleset_load(rules_dir ? rules_dir : lht_rules_default_dir(), &rs, &err) != LHT_OK) {
        printf("(rules not loaded: %s)\n\n", err.msg);
        return;
    }
    if ((r = lht_ruleset_find(rs, rule_id)) != NULL) {
        printf("Signals of %s (%s):\n", rule_id, lht_rule_file(r));
        for (s = 0; s < lht_rule_signal_count(r); s++) {
            struct lht_signal_info si;
            lht_rule_signal(r, s, &si);
            printf("  [%c] %-24s %s.%s in %s%s%s%s\n", signal_hit(est, id, si.name) ? 'x' : ' ', si.name,
                   si.fact, si.field, si.scope, si.pattern ? "  /" : "", si.pattern ? si.pattern : "",
                   si.pattern ? "/" : "");
        }
        printf("Levels (first that holds wins; unmatched signals in 'none' are required to stay unmatched):\n");
        for (lv = 0; lv < lht_rule_level_count(r); lv++)
            show_level(r, lv);
        printf("\n");
    }
    lht_ruleset_free(rs);
}

/* A context line: a record's line and its one-line rendering. */
struct ctx_line {
    long line;
    char *text;
};

static int cmp_ctx(const void *a, const void *b)
{
    const struct ctx_line *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* Which records stand on a line of their own: a child type with a line
 * of its own (a stack's frames), a parent whose children have none (a
 * mount, not its options). Scan bookkeeping is left out. */
static int shown_in_context(const struct lht_fact_desc *d)
{
    if (d->flags & LHT_TF_INTERNAL)
        return 0;
    if (d->parent >= 0)
        return d->line_col != NULL;
    return d->child < 0 || lht_fact_types[d->child].line_col == NULL;
}

/* Records of member mid within CONTEXT lines of line, sorted, unique. */
static size_t context_lines(struct lht_store *store, long long mid, long line, struct ctx_line **out)
{
    struct lht_facts *f = lht_facts_new();
    struct ctx_line *v = NULL;
    size_t n = 0, cap = 0, t, i, w;
    lht_err err;

    *out = NULL;
    if (f == NULL || lht_store_load(store, LHT_LOAD_MEMBER, mid, f, &err) != LHT_OK)
        goto done;
    for (t = 0; t < LHT_FACT_COUNT; t++) {
        if (!shown_in_context(&lht_fact_types[t]))
            continue;
        for (i = 0; i < lht_facts_count(f, (int)t); i++) {
            long l = lht_facts_prov(f, (int)t, i).line;
            struct lht_sb sb = LHT_SB_INIT;
            if (l < line - CONTEXT || l > line + CONTEXT)
                continue;
            if (n == cap) {
                struct ctx_line *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
                if (nv == NULL)
                    goto done;
                v = nv;
            }
            lht_fact_render(f, (int)t, i, &sb);
            if (sb.p == NULL && lht_sb_puts(&sb, "") != 0)
                goto done;
            v[n].line = l;
            v[n++].text = sb.p;
        }
    }
    qsort(v, n, sizeof *v, cmp_ctx);
    /* a hung-task report is both a kernel event and a hung task */
    for (i = w = 0; i < n; i++) {
        if (w > 0 && v[w - 1].line == v[i].line && strcmp(v[w - 1].text, v[i].text) == 0) {
            free(v[i].text);
            continue;
        }
        v[w++] = v[i];
    }
    n = w;
done:
    lht_facts_free(f);
    *out = v;
    return n;
}

static void show_evidence(struct lht_store *store, long long id, sqlite3_stmt *est)
{
    printf("Evidence in context (> marks the evidence line):\n");
    sqlite3_bind_int64(est, 1, id);
    while (sqlite3_step(est) == SQLITE_ROW) {
        long line = sqlite3_column_int(est, 4);
        struct ctx_line *v;
        size_t n, i;
        printf("\n-- %s (%s, %s) ", col(est, 0), col(est, 2), col(est, 1));
        if (col(est, 8)) {
            lht_cli_put_escaped(stdout, col(est, 8));
            printf(": ");
        }
        lht_cli_put_escaped(stdout, col(est, 3) ? col(est, 3) : "?");
        printf(":%ld\n", line);
        if (col(est, 7)) {
            printf("   captures: ");
            lht_cli_put_escaped(stdout, col(est, 7));
            printf("\n");
        }
        n = context_lines(store, sqlite3_column_int64(est, 5), line, &v);
        for (i = 0; i < n; i++) {
            printf(" %c %6ld  ", v[i].line == line ? '>' : ' ', v[i].line);
            lht_cli_put_escaped(stdout, v[i].text);
            printf("\n");
            free(v[i].text);
        }
        free(v);
    }
    sqlite3_reset(est);
}

static int parse_args(int argc, char **argv, const char **db, const char **rules_dir, long long *id)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"rules", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'r': *rules_dir = optarg; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: return lht_cli_bad_option("explain", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return lht_cli_usage_error("explain", "give one finding id ('lhtriage query findings' lists them)");
    *id = strtoll(argv[optind], &end, 10);
    if (*argv[optind] == '\0' || *end != '\0')
        return lht_cli_usage_error("explain", "'%s' is not a finding id (a number: 'lhtriage query findings' "
                                   "lists them)", argv[optind]);
    return -1;
}

int lht_cmd_explain(int argc, char **argv)
{
    struct lht_store *store = NULL;
    sqlite3_stmt *fst = NULL, *est = NULL;
    const char *db = NULL, *rules_dir = NULL;
    long long id = 0;
    int status;
    lht_err err;

    if ((status = parse_args(argc, argv, &db, &rules_dir, &id)) >= 0)
        return status;
    status = LHT_EXIT_ERROR;
    lht_err_clear(&err);
    if (lht_store_open(lht_cli_db_path(db), LHT_STORE_RO, &store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    if (sqlite3_prepare_v2(lht_store_db(store),
            "SELECT f.rule_id, f.severity, f.confidence, f.node, f.pids, f.title, c.name, "
            "(SELECT count(*) FROM bundles b WHERE b.case_id = c.id) "
            "FROM findings f JOIN cases c ON c.id = f.case_id WHERE f.id = ?1", -1, &fst, NULL) ||
        sqlite3_prepare_v2(lht_store_db(store),
            "SELECT e.signal, e.role, e.fact, m.path, e.line, e.member_id, coalesce(e.matched, e.text), e.captures, "
            "(SELECT coalesce(b.typed, b.path) FROM bundles b WHERE b.id = m.bundle_id) "
            "FROM finding_evidence e LEFT JOIN members m ON m.id = e.member_id "
            "WHERE e.finding_id = ?1 ORDER BY e.role, e.seq", -1, &est, NULL)) {
        lht_cli_error("explain: %s", sqlite3_errmsg(lht_store_db(store)));
        goto done;
    }
    sqlite3_bind_int64(fst, 1, id);
    if (sqlite3_step(fst) != SQLITE_ROW) {
        lht_cli_error("explain: no finding %lld in %s", id, lht_cli_db_path(db));
        goto done;
    }
    show_finding(id, fst);
    show_rule(rules_dir, col(fst, 0), id, est);
    show_evidence(store, id, est);
    status = LHT_EXIT_OK;
done:
    sqlite3_finalize(fst);
    sqlite3_finalize(est);
    lht_store_close(store);
    return status;
}
