/*
 * cmd_query.c - `lhtriage query`: user SQL on a read-only connection.
 *
 * The statement loop is the sqlite3 shell's (prepare with a tail pointer,
 * skip empty statements). Values are bundle text, so control bytes are
 * escaped before they reach a terminal.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
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

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage query [--db FILE] [--csv|--json] SQL|NAME\n"
            "       lhtriage query --list\n\n"
            "Run SQL (one or more statements), or a named query, against the database,\n"
            "read-only.\n"
            "Stable views: v_cases, v_bundles, v_node_aliases, v_processes, v_stacks,\n"
            "v_mounts, v_hung_tasks, v_kernel_events, v_facts, v_k8s, v_evidence, v_members,\n"
            "v_notes, v_open_files, v_findings, v_finding_evidence.\n\n"
            "options:\n"
            "  --db FILE   database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --csv       RFC 4180 CSV with a header row\n"
            "  --json      one JSON array of objects per statement\n"
            "  --list      show the named queries\n"
            "  -h, --help  show this help\n");
}

static size_t escaped_width(const unsigned char *s)
{
    size_t w = 0;

    for (; *s; s++) {
        if (*s == '\n' || *s == '\t')
            w += 2;
        else if (*s < 0x20 || *s == 0x7f)
            w += 4;
        else if ((*s & 0xc0) != 0x80)   /* count UTF-8 lead bytes only */
            w++;
    }
    return w;
}

static void put_csv(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
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
            if (escaped_width((const unsigned char *)copy) > w[c])
                w[c] = escaped_width((const unsigned char *)copy);
        }
        t.nrows++;
    }
    for (r = 0; r < t.nrows; r++) {
        for (c = 0; c < t.ncol; c++) {
            const char *v = t.cells[r * (size_t)t.ncol + (size_t)c];
            size_t pad = w[c] - escaped_width((const unsigned char *)v);
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
        put_csv(fp, sqlite3_column_name(st, c));
    }
    fputs("\r\n", fp);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (c = 0; c < n; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (c)
                fputc(',', fp);
            if (v)
                put_csv(fp, v);
        }
        fputs("\r\n", fp);
    }
    return rc == SQLITE_DONE ? 0 : -1;
}

/* JSON values come from SQLite's own json_quote(), so strings are escaped
 * by the library, not by hand. */
static int print_json(sqlite3 *db, sqlite3_stmt *st, FILE *fp)
{
    sqlite3_stmt *q = NULL;
    int c, n = sqlite3_column_count(st), rc, first = 1;

    if (sqlite3_prepare_v2(db, "SELECT json_quote(?1)", -1, &q, NULL) != SQLITE_OK)
        return -1;
    fputc('[', fp);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fputs(first ? "\n  {" : ",\n  {", fp);
        first = 0;
        for (c = 0; c < n; c++) {
            int i;
            for (i = 0; i < 2; i++) {
                if (i == 0)
                    sqlite3_bind_text(q, 1, sqlite3_column_name(st, c), -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_value(q, 1, sqlite3_column_value(st, c));
                if (sqlite3_step(q) == SQLITE_ROW)
                    fputs((const char *)sqlite3_column_text(q, 0), fp);
                sqlite3_reset(q);
                fputs(i == 0 ? ": " : "", fp);
            }
            if (c + 1 < n)
                fputs(", ", fp);
        }
        fputc('}', fp);
    }
    fputs(first ? "]\n" : "\n]\n", fp);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : -1;
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
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
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
        default: usage(stderr); return LHT_EXIT_ERROR;
        }
    }
    if (optind + 1 != argc) {
        lht_cli_error("query: give exactly one SQL argument (try 'lhtriage query --help')");
        return LHT_EXIT_ERROR;
    }
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
            rc = print_json(lht_store_db(store), st, stdout);
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
