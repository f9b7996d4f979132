/*
 * cmd_query.c - `lhtriage query`: user SQL on a read-only connection.
 *
 * The statement loop is the sqlite3 shell's (prepare with a tail pointer,
 * skip empty statements). Values are bundle text: the table escapes what
 * would drive a terminal, JSON goes through the report's string writer
 * (valid UTF-8 whatever the bytes), and CSV cells that a spreadsheet
 * would run as a formula are defused (OWASP's CSV injection advice).
 */
#include "cli/cli.h"
#include "report/render.h"
#include "store/store.h"

#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum fmt { F_TABLE, F_CSV, F_JSON };

/* Questions support engineers ask every day, shipped by name. */
static const struct named {
    const char *name, *about, *sql;
} named[] = {
    {"cases", "every case (ticket): its inputs, duplicates and findings",
     "SELECT case_id, name, path, inputs, duplicates, findings, evaluated_at FROM v_cases ORDER BY name, case_id"},
    {"bundles", "every scanned input, its case, status and error",
     "SELECT bundle_id, name, typed, case_name, status, error, duplicate_of, scanned_at FROM v_bundles "
     "ORDER BY case_name, name, bundle_id"},
    {"findings", "every finding, worst first",
     "SELECT finding_id, case_name, bundle, node, rule_id, severity, confidence, pids, title FROM v_findings "
     "ORDER BY severity_rank DESC, case_name, rule_id, node, finding_id"},
    {"evidence", "the evidence rows of every finding",
     "SELECT finding_id, rule_id, signal, role, input, member, line, matched FROM v_finding_evidence "
     "ORDER BY finding_id, role, seq"},
    {"stuck-processes", "processes in uninterruptible sleep (D), with their kernel stack tops from any input of the case",
     "SELECT b.case_name, p.case_node AS node, p.pid, p.stat, p.command, p.member, p.line, "
     "(SELECT group_concat(symbol, ' < ') FROM (SELECT symbol FROM v_stacks s WHERE s.case_id = p.case_id "
     " AND s.pid = p.pid AND (s.case_node = p.case_node OR s.case_node IS NULL OR p.case_node IS NULL) "
     " AND s.depth < 4 ORDER BY s.stack_id, s.depth)) AS stack_top "
     "FROM v_processes p JOIN v_bundles b ON b.bundle_id = p.bundle_id "
     "WHERE p.stat LIKE 'D%' AND b.duplicate_of IS NULL ORDER BY b.case_name, p.case_node, p.pid, p.member"},
    {"nfs-mounts", "NFS mounts with their protocol version",
     "SELECT bundle, node, source, target, nfs_vers, origin, member, line FROM v_mounts "
     "WHERE nfs_vers IS NOT NULL OR fstype LIKE 'nfs%' ORDER BY bundle, node, target, origin"},
    {"hung-tasks", "hung-task reports from kernel logs",
     "SELECT bundle, node, task, pid, blocked_seconds, logged_at, member, line FROM v_hung_tasks "
     "ORDER BY bundle, node, line"},
    {"kernel-events", "NFS client and other notable kernel messages",
     "SELECT bundle, node, kind, server, logged_at, text, member, line FROM v_kernel_events "
     "ORDER BY bundle, node, member, line"},
    {"versions", "Longhorn, Kubernetes and kernel versions per bundle and node",
     "SELECT bundle, coalesce(node, '(bundle)') AS node, key, value FROM v_facts WHERE key IN "
     "('longhorn_version', 'kubernetes_version', 'kernel_release', 'os', 'os_image') "
     "GROUP BY bundle, node, key ORDER BY bundle, node, key"},
    {"node-aliases", "the names each node goes by in its case, and how they were learnt",
     "SELECT case_name, node, alias, source FROM v_node_aliases ORDER BY case_name, node, alias"},
    {"missing-evidence", "cases without a process table, stacks or mount table in any input",
     "SELECT c.name AS case_name, "
     "(SELECT count(*) FROM evidence e JOIN bundles b ON b.id = e.bundle_id WHERE b.case_id = c.case_id "
     " AND b.dup_of IS NULL AND e.kind = 'ps') AS ps, "
     "(SELECT count(*) FROM evidence e JOIN bundles b ON b.id = e.bundle_id WHERE b.case_id = c.case_id "
     " AND b.dup_of IS NULL AND e.kind = 'stack') AS stacks, "
     "(SELECT count(*) FROM evidence e JOIN bundles b ON b.id = e.bundle_id WHERE b.case_id = c.case_id "
     " AND b.dup_of IS NULL AND e.kind IN ('proc_mounts', 'mount', 'mountinfo', 'nfsstat', 'mounts')) AS mount_tables "
     "FROM v_cases c ORDER BY c.name, c.case_id"},
};

#define NNAMED (sizeof named / sizeof named[0])

/* The views the schema defines, read from a database migrated in memory,
 * so the help lists exactly what a database holds. */
static void list_views(FILE *fp)
{
    struct lht_store *mem = NULL;
    sqlite3_stmt *st = NULL;
    size_t col = 0;
    lht_err err;

    lht_err_clear(&err);
    if (lht_store_open(":memory:", LHT_STORE_RW, &mem, &err) != LHT_OK ||
        sqlite3_prepare_v2(lht_store_db(mem), "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(fp, "  (the schema could not be read: %s)\n", err.msg);
        lht_store_close(mem);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        size_t n = strlen(v);
        if (col > 0 && col + 2 + n > 78) {
            fputs(",\n", fp);
            col = 0;
        } else if (col > 0) {
            fputs(", ", fp);
            col += 2;
        }
        if (col == 0) {
            fputs("  ", fp);
            col = 2;
        }
        fputs(v, fp);
        col += n;
    }
    fputs(col ? "\n" : "", fp);
    sqlite3_finalize(st);
    lht_store_close(mem);
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage query [--db FILE] [--csv|--json] SQL|NAME\n"
            "       lhtriage query --list\n\n"
            "Run SQL (one or more statements), or a named query, against the database,\n"
            "read-only. The stable views (columns are only ever added at the end):\n");
    list_views(fp);
    fprintf(fp,
            "A view's columns: lhtriage query \"SELECT name FROM pragma_table_info('v_findings')\"\n\n"
            "options:\n"
            "  --db FILE   database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --csv       RFC 4180 CSV with a header row; a text cell starting with\n"
            "              = + - @ tab or CR gets a leading ' so that a spreadsheet\n"
            "              shows it instead of running it as a formula\n"
            "  --json      one JSON array of objects per statement\n"
            "  --list      show the named queries\n"
            "  -h, --help  show this help\n");
}

/* A cell a spreadsheet would evaluate (OWASP, "CSV Injection"). */
static int formula_like(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

static void put_csv(FILE *fp, const char *s, int is_text)
{
    const char *guard = is_text && formula_like(s) ? "'" : "";

    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(guard, fp);
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    fputs(guard, fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

struct table {
    int ncol;
    size_t nrows, cap;
    char **cells;      /* (nrows + 1) * ncol, row 0 = header */
};

static int table_add(struct table *t)
{
    if (t->nrows * (size_t)t->ncol + (size_t)t->ncol > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char **nc;
        while (cap < t->nrows * (size_t)t->ncol + (size_t)t->ncol)
            cap *= 2;
        nc = realloc(t->cells, cap * sizeof *nc);
        if (nc == NULL)
            return -1;
        t->cells = nc;
        t->cap = cap;
    }
    return 0;
}

static int print_table(sqlite3_stmt *st, FILE *fp)
{
    struct table t = {0, 0, 0, NULL};
    size_t *w = NULL, r, i, total;
    int c, rc, ok = 0;

    t.ncol = sqlite3_column_count(st);
    w = calloc((size_t)t.ncol + 1, sizeof *w);
    if (w == NULL)
        return -1;
    /* header row then data rows, all as strdup'd text */
    for (;;) {
        int hdr = t.nrows == 0;
        if (!hdr) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW)
                goto done;
        }
        if (table_add(&t) != 0)
            goto done;
        for (c = 0; c < t.ncol; c++) {
            const char *v = hdr ? sqlite3_column_name(st, c)
                                : (const char *)sqlite3_column_text(st, c);
            char *copy = strdup(v ? v : (hdr ? "" : "NULL"));
            if (copy == NULL)
                goto done;
            t.cells[t.nrows * (size_t)t.ncol + (size_t)c] = copy;
            if (lht_cli_escaped_width(copy) > w[c])
                w[c] = lht_cli_escaped_width(copy);
        }
        t.nrows++;
    }
    for (r = 0; r < t.nrows; r++) {
        for (c = 0; c < t.ncol; c++) {
            const char *v = t.cells[r * (size_t)t.ncol + (size_t)c];
            size_t pad = w[c] - lht_cli_escaped_width(v);
            lht_cli_put_escaped(fp, v);
            if (c + 1 < t.ncol) {
                for (i = 0; i < pad + 2; i++)
                    fputc(' ', fp);
            }
        }
        fputc('\n', fp);
        if (r == 0) {
            for (c = 0, total = 0; c < t.ncol; c++)
                total += w[c] + (c + 1 < t.ncol ? 2 : 0);
            for (i = 0; i < total; i++)
                fputc('-', fp);
            fputc('\n', fp);
        }
    }
    ok = 1;
done:
    for (i = 0; i < t.nrows * (size_t)t.ncol; i++)
        free(t.cells[i]);
    free(t.cells);
    free(w);
    return ok ? 0 : -1;
}

static int print_csv(sqlite3_stmt *st, FILE *fp)
{
    int c, n = sqlite3_column_count(st), rc;

    for (c = 0; c < n; c++) {
        if (c)
            fputc(',', fp);
        put_csv(fp, sqlite3_column_name(st, c), 1);
    }
    fputs("\r\n", fp);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (c = 0; c < n; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (c)
                fputc(',', fp);
            if (v)
                put_csv(fp, v, sqlite3_column_type(st, c) == SQLITE_TEXT);
        }
        fputs("\r\n", fp);
    }
    return rc == SQLITE_DONE ? 0 : -1;
}

/* One value as JSON: strings through the report's writer, so invalid
 * UTF-8 and control bytes come out escaped; a BLOB as a hex string;
 * infinities (not JSON numbers) as null. */
static void json_value(struct lht_sb *b, sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
        lht_sb_printf(b, "%lld", (long long)sqlite3_column_int64(st, c));
        break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, c);
        if (isfinite(d))
            lht_sb_printf(b, "%.17g", d);
        else
            lht_sb_puts(b, "null");
        break;
    }
    case SQLITE_NULL:
        lht_sb_puts(b, "null");
        break;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, c);
        int i, n = sqlite3_column_bytes(st, c);
        lht_sb_puts(b, "\"");
        for (i = 0; i < n; i++)
            lht_sb_printf(b, "%02x", p[i]);
        lht_sb_puts(b, "\"");
        break;
    }
    default:
        lht_json_str(b, (const char *)sqlite3_column_text(st, c));
    }
}

static int print_json(sqlite3_stmt *st, FILE *fp)
{
    struct lht_sb b = LHT_SB_INIT;
    int c, n = sqlite3_column_count(st), rc, first = 1;

    fputc('[', fp);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        lht_sb_reset(&b);
        lht_sb_puts(&b, first ? "\n  {" : ",\n  {");
        first = 0;
        for (c = 0; c < n; c++) {
            lht_json_str(&b, sqlite3_column_name(st, c));
            lht_sb_puts(&b, ": ");
            json_value(&b, st, c);
            if (c + 1 < n)
                lht_sb_puts(&b, ", ");
        }
        lht_sb_puts(&b, "}");
        if (b.oom)
            break;
        fwrite(b.p, 1, b.len, fp);
    }
    fputs(first ? "]\n" : "\n]\n", fp);
    lht_sb_free(&b);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A lone word that is not SQL: a named query mistyped, or a view named
 * without a SELECT. Says which, with the nearest name. */
static int not_a_query(struct lht_store *store, const char *word)
{
    struct lht_cli_suggest s;
    sqlite3_stmt *st = NULL;
    size_t i;
    int is_table = 0;

    if (sqlite3_prepare_v2(lht_store_db(store), "SELECT 1 FROM sqlite_master WHERE name = ?1 AND type IN "
                           "('view', 'table')", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, word, -1, SQLITE_STATIC);
        is_table = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    if (is_table)
        return lht_cli_usage_error("query", "'%s' is a table or view, not a query: try \"SELECT * FROM %s\"",
                                   word, word);
    lht_cli_suggest_init(&s, word);
    for (i = 0; i < NNAMED; i++)
        lht_cli_suggest_add(&s, named[i].name);
    if (lht_cli_suggest_best(&s))
        return lht_cli_usage_error("query", "'%s' is neither SQL nor a named query (did you mean '%s'?)", word,
                                   lht_cli_suggest_best(&s));
    return lht_cli_usage_error("query", "'%s' is neither SQL nor a named query ('lhtriage query --list' "
                               "shows them)", word);
}

static int single_word(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s) || strchr("();'\"", *s) != NULL)
            return 0;
    return 1;
}

int lht_cmd_query(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"csv", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"list", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_store *store = NULL;
    const char *db = NULL, *sql, *tail;
    enum fmt fmt = F_TABLE;
    int c, status = LHT_EXIT_OK;
    lht_err err;

    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': fmt = F_CSV; break;
        case 'j': fmt = F_JSON; break;
        case 'l': {
            size_t i;
            for (i = 0; i < NNAMED; i++)
                printf("%-18s %s\n", named[i].name, named[i].about);
            return LHT_EXIT_OK;
        }
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: return lht_cli_bad_option("query", c, argv, longopts);
        }
    }
    if (optind + 1 != argc)
        return lht_cli_usage_error("query", optind == argc ? "no SQL or query name given"
                                                            : "give the SQL as one argument (quote it)");
    lht_err_clear(&err);
    if (lht_store_open(lht_cli_db_path(db), LHT_STORE_RO, &store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    sql = argv[optind];
    {
        size_t i;
        for (i = 0; i < NNAMED; i++)
            if (strcmp(sql, named[i].name) == 0)
                sql = named[i].sql;
    }
    while (sql && *sql) {
        sqlite3_stmt *st = NULL;
        int rc;
        if (sqlite3_prepare_v2(lht_store_db(store), sql, -1, &st, &tail) != SQLITE_OK) {
            if (sql == argv[optind] && single_word(sql))
                not_a_query(store, sql);
            else
                lht_cli_error("query: %s", sqlite3_errmsg(lht_store_db(store)));
            status = LHT_EXIT_ERROR;
            break;
        }
        sql = tail;
        if (st == NULL)     /* whitespace or comment */
            continue;
        if (fmt == F_CSV)
            rc = print_csv(st, stdout);
        else if (fmt == F_JSON)
            rc = print_json(st, stdout);
        else
            rc = print_table(st, stdout);
        if (rc != 0) {
            lht_cli_error("query: %s", sqlite3_errmsg(lht_store_db(store)));
            status = LHT_EXIT_ERROR;
        }
        sqlite3_finalize(st);
        if (status != LHT_EXIT_OK)
            break;
    }
    lht_store_close(store);
    return status;
}
