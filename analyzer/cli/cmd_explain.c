/*
 * cmd_explain.c - `lhtriage explain FINDING_ID`: why a finding fired.
 *
 * Shows the finding, every signal of its rule marked matched or not, and
 * each piece of evidence with the facts stored around its line (read back
 * from the database, not from the bundle, which may be gone).
 */
#include "cli/cli.h"
#include "rules/rules.h"
#include "rules/rules_private.h"
#include "store/store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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

/* Facts of one member near a line, rendered one per line. */
static const char context_sql[] =
    "SELECT line, text FROM ("
    " SELECT p.line, coalesce(p.user, '-') || ' ' || p.pid || ' ' || coalesce(p.stat, '-') || ' ' ||"
    "   coalesce(p.command, '') AS text FROM processes p WHERE p.member_id = ?1"
    " UNION ALL SELECT f.line, '[<0>] ' || f.symbol || coalesce('+' || f.offset, '') ||"
    "   coalesce(' [' || f.module || ']', '') FROM stack_frames f JOIN stacks s ON s.id = f.stack_id"
    "   WHERE s.member_id = ?1"
    " UNION ALL SELECT line, coalesce(source, '?') || ' ' || coalesce(target, '?') || ' ' ||"
    "   coalesce(fstype, '?') || ' ' || coalesce(options, '') FROM mounts WHERE member_id = ?1"
    " UNION ALL SELECT line, coalesce(logged_at || ' ', '') || coalesce(text, '') FROM kernel_events"
    "   WHERE member_id = ?1 AND kind <> 'hung_task'"
    " UNION ALL SELECT line, 'INFO: task ' || coalesce(task, '?') || ':' || coalesce(pid, '?') ||"
    "   ' blocked for more than ' || coalesce(blocked_seconds, '?') || ' seconds.' FROM hung_tasks"
    "   WHERE member_id = ?1"
    " UNION ALL SELECT line, key || ': ' || coalesce(value, '') FROM kv_facts WHERE member_id = ?1"
    " UNION ALL SELECT f.line, o.kind || '/' || coalesce(o.name, '?') || ' ' || f.path || ': ' ||"
    "   coalesce(f.value, '') FROM k8s_fields f JOIN k8s_objects o ON o.id = f.object_id"
    "   WHERE o.member_id = ?1"
    ") WHERE line BETWEEN ?2 - 3 AND ?2 + 3 ORDER BY line, text";

int lht_cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"rules", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_store *store = NULL;
    struct lht_ruleset *rs = NULL;
    sqlite3_stmt *fst = NULL, *est = NULL, *cst = NULL;
    const char *db = NULL, *rules_dir = NULL;
    char *end;
    long long id;
    int c, status = LHT_EXIT_ERROR;
    lht_err err;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': rules_dir = optarg; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: usage(stderr); return LHT_EXIT_ERROR;
        }
    }
    if (optind + 1 != argc) {
        lht_cli_error("explain: give one finding id (try 'lhtriage explain --help')");
        return LHT_EXIT_ERROR;
    }
    id = strtoll(argv[optind], &end, 10);
    if (*argv[optind] == '\0' || *end != '\0') {
        lht_cli_error("explain: '%s' is not a finding id", argv[optind]);
        return LHT_EXIT_ERROR;
    }
    lht_err_clear(&err);
    if (lht_store_open(lht_cli_db_path(db), LHT_STORE_RO, &store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    if (sqlite3_prepare_v2(lht_store_db(store),
            "SELECT f.rule_id, f.severity, f.confidence, f.node, f.pids, f.title, b.name, b.path "
            "FROM findings f JOIN bundles b ON b.id = f.bundle_id WHERE f.id = ?1", -1, &fst, NULL) ||
        sqlite3_prepare_v2(lht_store_db(store),
            "SELECT e.signal, e.role, e.fact, m.path, e.line, e.member_id, coalesce(e.matched, e.text), e.captures "
            "FROM finding_evidence e LEFT JOIN members m ON m.id = e.member_id "
            "WHERE e.finding_id = ?1 ORDER BY e.role, e.seq", -1, &est, NULL) ||
        sqlite3_prepare_v2(lht_store_db(store), context_sql, -1, &cst, NULL)) {
        lht_cli_error("explain: %s", sqlite3_errmsg(lht_store_db(store)));
        goto done;
    }
    sqlite3_bind_int64(fst, 1, id);
    if (sqlite3_step(fst) != SQLITE_ROW) {
        lht_cli_error("explain: no finding %lld in %s", id, lht_cli_db_path(db));
        goto done;
    }
    printf("Finding %lld: ", id);
    lht_cli_put_escaped(stdout, (const char *)sqlite3_column_text(fst, 5));
    printf("\n  rule %s, %s, %s\n  bundle ", sqlite3_column_text(fst, 0), sqlite3_column_text(fst, 1),
           sqlite3_column_text(fst, 2));
    lht_cli_put_escaped(stdout, (const char *)sqlite3_column_text(fst, 6));
    printf("\n  node ");
    lht_cli_put_escaped(stdout, sqlite3_column_text(fst, 3) ? (const char *)sqlite3_column_text(fst, 3) : "unknown");
    if (sqlite3_column_text(fst, 4)) {
        printf(", pids ");
        lht_cli_put_escaped(stdout, (const char *)sqlite3_column_text(fst, 4));
    }
    printf("\n\n");

    /* The rule's signals, matched or not. Rules may have changed since the
     * scan; then only the evidence is shown. */
    if (lht_ruleset_load(rules_dir ? rules_dir : lht_rules_default_dir(), &rs, &err) == LHT_OK) {
        size_t i;
        const struct lht_rule *r = NULL;
        for (i = 0; i < lht_ruleset_count(rs); i++)
            if (strcmp(lht_rule_id(lht_ruleset_rule(rs, i)), (const char *)sqlite3_column_text(fst, 0)) == 0)
                r = lht_ruleset_rule(rs, i);
        if (r) {
            int s, lv;
            static const char *const scopes[] = {"subject", "same_pid", "same_node", "bundle", "sibling"};
            static const char *const facts[] = {"process", "stack", "mount", "hung_task", "kernel_event", "kv", "k8s"};
            printf("Signals of %s (%s):\n", r->id, r->file);
            for (s = 0; s < r->nsignals; s++) {
                int hit = 0;
                sqlite3_bind_int64(est, 1, id);
                while (sqlite3_step(est) == SQLITE_ROW)
                    if (strcmp((const char *)sqlite3_column_text(est, 0), r->signals[s].name) == 0)
                        hit = 1;
                sqlite3_reset(est);
                printf("  [%c] %-24s %s.%s in %s%s%s%s\n", hit ? 'x' : ' ', r->signals[s].name,
                       facts[r->signals[s].kind], r->signals[s].field, scopes[r->signals[s].scope],
                       r->signals[s].pattern ? "  /" : "", r->signals[s].pattern ? r->signals[s].pattern : "",
                       r->signals[s].pattern ? "/" : "");
            }
            printf("Levels (first that holds wins; unmatched signals in 'none' are required to stay unmatched):\n");
            for (lv = 0; lv < r->nlevels; lv++) {
                int k;
                printf("  %-10s all:", r->levels[lv].name);
                for (k = 0; k < r->levels[lv].cond.nall; k++)
                    printf(" %s", r->signals[r->levels[lv].cond.all[k]].name);
                if (r->levels[lv].cond.nany) {
                    printf("  any:");
                    for (k = 0; k < r->levels[lv].cond.nany; k++)
                        printf(" %s", r->signals[r->levels[lv].cond.any[k]].name);
                }
                if (r->levels[lv].cond.nnone) {
                    printf("  none:");
                    for (k = 0; k < r->levels[lv].cond.nnone; k++)
                        printf(" %s", r->signals[r->levels[lv].cond.none[k]].name);
                }
                printf("\n");
            }
            printf("\n");
        }
    } else {
        printf("(rules not loaded: %s)\n\n", err.msg);
    }

    printf("Evidence in context (> marks the evidence line):\n");
    sqlite3_bind_int64(est, 1, id);
    while (sqlite3_step(est) == SQLITE_ROW) {
        long line = sqlite3_column_int(est, 4);
        printf("\n-- %s (%s, %s) ", sqlite3_column_text(est, 0), sqlite3_column_text(est, 2),
               sqlite3_column_text(est, 1));
        lht_cli_put_escaped(stdout, sqlite3_column_text(est, 3) ? (const char *)sqlite3_column_text(est, 3) : "?");
        printf(":%ld\n", line);
        if (sqlite3_column_text(est, 7)) {
            printf("   captures: ");
            lht_cli_put_escaped(stdout, (const char *)sqlite3_column_text(est, 7));
            printf("\n");
        }
        sqlite3_bind_int64(cst, 1, sqlite3_column_int64(est, 5));
        sqlite3_bind_int64(cst, 2, line);
        while (sqlite3_step(cst) == SQLITE_ROW) {
            long l = sqlite3_column_int(cst, 0);
            printf(" %c %6ld  ", l == line ? '>' : ' ', l);
            lht_cli_put_escaped(stdout, (const char *)sqlite3_column_text(cst, 1));
            printf("\n");
        }
        sqlite3_reset(cst);
    }
    status = LHT_EXIT_OK;
done:
    sqlite3_finalize(fst);
    sqlite3_finalize(est);
    sqlite3_finalize(cst);
    lht_ruleset_free(rs);
    lht_store_close(store);
    return status;
}
