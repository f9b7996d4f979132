/*
 * report.c - see report.h.
 *
 * Every query orders its rows completely (severity rank, rule, node, pid,
 * then ids), so the same database always renders the same report and a
 * golden file can pin it.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINE 400   /* bytes of one untrusted line shown before it is cut */

/* ---- escaping ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.
 * Strict, as RFC 3629 has it: no overlong forms, no surrogates, nothing
 * above U+10FFFF, which a browser would otherwise read as something else
 * or reject. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;   /* range of the second byte */
    size_t need, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        need = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        need = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;          /* shorter forms fit in two bytes */
    else if (s[0] == 0xed)
        hi = 0x9f;          /* surrogates */
    else if (s[0] == 0xf0)
        lo = 0x90;          /* shorter forms fit in three bytes */
    else if (s[0] == 0xf4)
        hi = 0x8f;          /* above U+10FFFF */
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

/* Append s with control bytes and invalid UTF-8 as \xNN; keep newlines
 * when keep_nl, else show them as a space. Lines are cut at MAX_LINE. */
static void put_clean(struct lht_sb *b, const char *s, int keep_nl, const char *escape_set)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), col = 0;

    while (n > 0) {
        size_t l = utf8_len(p, n);
        if (*p == '\n') {
            if (keep_nl) {
                lht_sb_putn(b, "\n", 1);
                col = 0;
            } else {
                lht_sb_putn(b, " ", 1);
            }
            p++, n--;
            continue;
        }
        if (col >= MAX_LINE) {
            /* skip the rest of this line, say how much */
            size_t skip = 0;
            while (skip < n && p[skip] != '\n')
                skip++;
            lht_sb_printf(b, " [... %zu more bytes]", skip);
            p += skip, n -= skip;
            col = 0;
            continue;
        }
        if (l == 0 || *p < 0x20 || *p == 0x7f) {
            if (*p == '\t') {
                lht_sb_putn(b, "    ", 4);
            } else {
                lht_sb_printf(b, "\\x%02x", *p);
            }
            p++, n--, col += 4;
            continue;
        }
        if (escape_set && l == 1 && strchr(escape_set, *p)) {
            if (*p == '<')
                lht_sb_puts(b, "&lt;");
            else if (*p == '>')
                lht_sb_puts(b, "&gt;");
            else if (*p == '&')
                lht_sb_puts(b, "&amp;");
            else {
                lht_sb_putn(b, "\\", 1);
                lht_sb_putn(b, (const char *)p, 1);
            }
        } else {
            lht_sb_putn(b, (const char *)p, l);
        }
        p += l, n -= l, col++;
    }
}

/* Markdown punctuation that could start markup inline; '<' '>' '&' become
 * entities so no HTML survives. */
#define MD_INLINE "\\`*_[]<>&|#~!"

void lht_md_inline(struct lht_sb *b, const char *s)
{
    put_clean(b, s ? s : "", 0, MD_INLINE);
}

void lht_md_cell(struct lht_sb *b, const char *s)
{
    if (s == NULL || *s == '\0') {
        lht_sb_puts(b, "-");
        return;
    }
    put_clean(b, s, 0, MD_INLINE);
}

void lht_md_code(struct lht_sb *b, const char *s, int in_table)
{
    size_t run = 0, best = 0, i;
    const char *p;

    if (s == NULL || *s == '\0') {
        lht_sb_puts(b, "-");
        return;
    }
    for (p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    for (i = 0; i <= best; i++)
        lht_sb_putn(b, "`", 1);
    if (s[0] == '`' || s[strlen(s) - 1] == '`')
        lht_sb_putn(b, " ", 1);
    put_clean(b, s, 0, in_table ? "|" : NULL);
    if (s[0] == '`' || s[strlen(s) - 1] == '`')
        lht_sb_putn(b, " ", 1);
    for (i = 0; i <= best; i++)
        lht_sb_putn(b, "`", 1);
}

void lht_md_fence(struct lht_sb *b, const char *lang, const char *s)
{
    size_t run = 0, best = 0, i, fence;
    const char *p;

    if (s == NULL)
        s = "";
    for (p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    fence = best >= 3 ? best + 1 : 3;
    for (i = 0; i < fence; i++)
        lht_sb_putn(b, "`", 1);
    lht_sb_printf(b, "%s\n", lang ? lang : "");
    put_clean(b, s, 1, NULL);
    if (b->len > 0 && b->p[b->len - 1] != '\n')
        lht_sb_putn(b, "\n", 1);
    for (i = 0; i < fence; i++)
        lht_sb_putn(b, "`", 1);
    lht_sb_puts(b, "\n\n");
}

/* ---- queries ----------------------------------------------------------- */

struct q {
    sqlite3 *db;
    lht_err *err;
};

static sqlite3_stmt *prep(struct q *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        lht_err_set(q->err, LHT_EDB, "report: %s", sqlite3_errmsg(q->db));
        return NULL;
    }
    return st;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Bundle ids to report, in name order, as a JSON array text. */
static int select_bundles(struct q *q, const struct lht_report_opts *o, struct lht_sb *ids)
{
    sqlite3_stmt *st;
    size_t i;
    int first = 1, rc = LHT_OK;

    lht_sb_puts(ids, "[");
    if (o->nbundles == 0) {
        st = prep(q, "SELECT id FROM bundles ORDER BY name, id");
        if (st == NULL)
            return LHT_EDB;
        while (sqlite3_step(st) == SQLITE_ROW) {
            lht_sb_printf(ids, "%s%lld", first ? "" : ",", (long long)sqlite3_column_int64(st, 0));
            first = 0;
        }
        sqlite3_finalize(st);
    } else {
        st = prep(q, "SELECT id FROM bundles WHERE CAST(id AS TEXT) = ?1 OR name = ?1 "
                     "OR path = ?1 OR path LIKE '%/' || ?1 ORDER BY name, id");
        if (st == NULL)
            return LHT_EDB;
        for (i = 0; i < o->nbundles && rc == LHT_OK; i++) {
            int found = 0;
            sqlite3_bind_text(st, 1, o->bundles[i], -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW) {
                lht_sb_printf(ids, "%s%lld", first ? "" : ",", (long long)sqlite3_column_int64(st, 0));
                first = 0;
                found = 1;
            }
            sqlite3_reset(st);
            if (!found)
                rc = lht_err_set(q->err, LHT_ENOTFOUND, "report: no bundle named '%s' in the database",
                                 o->bundles[i]);
        }
        sqlite3_finalize(st);
    }
    lht_sb_puts(ids, "]");
    return rc;
}

#define SEV_RANK "CASE severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END"
#define BASENAME(p) "replace(" p ", rtrim(" p ", replace(" p ", '/', '')), '')"

/* ---- markdown ---------------------------------------------------------- */

static int md_fleet(struct q *q, const char *ids, struct lht_sb *b)
{
    sqlite3_stmt *st;

    lht_sb_puts(b, "## Fleet\n\n### Signatures\n\n"
                   "| Signature | Severity | Bundles | Nodes | First seen | Last seen |\n"
                   "|---|---|---|---|---|---|\n");
    st = prep(q, "SELECT f.rule_id, max(f.severity), count(DISTINCT f.bundle_id), "
                 "count(DISTINCT f.bundle_id || '/' || coalesce(f.node, '')), "
                 "min(coalesce(b.created_at, b.scanned_at)), max(coalesce(b.created_at, b.scanned_at)) "
                 "FROM findings f JOIN bundles b ON b.id = f.bundle_id "
                 "WHERE f.bundle_id IN (SELECT value FROM json_each(?1)) "
                 "GROUP BY f.rule_id ORDER BY count(DISTINCT f.bundle_id) DESC, f.rule_id");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
    int any = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        any = 1;
        lht_sb_puts(b, "| `");
        lht_md_cell(b, col(st, 0));
        lht_sb_printf(b, "` | %s | %d | %d | ", col(st, 1), sqlite3_column_int(st, 2),
                      sqlite3_column_int(st, 3));
        lht_md_cell(b, col(st, 4));
        lht_sb_puts(b, " | ");
        lht_md_cell(b, col(st, 5));
        lht_sb_puts(b, " |\n");
    }
    sqlite3_finalize(st);
    if (!any)
        lht_sb_puts(b, "| (no signature fired) | | | | | |\n");
    lht_sb_puts(b, "\n### Bundles\n\n| Bundle | File | Created | Longhorn | Status | Critical | Error | Warning | Info |\n"
                   "|---|---|---|---|---|---|---|---|---|\n");
    st = prep(q, "SELECT b.name, " BASENAME("b.path") ", b.created_at, "
                 "(SELECT value FROM kv_facts k WHERE k.bundle_id = b.id AND k.node IS NULL AND "
                 " k.key = 'longhorn_version' ORDER BY k.line LIMIT 1), b.status, "
                 "(SELECT count(*) FROM findings f WHERE f.bundle_id = b.id AND f.severity = 'critical'), "
                 "(SELECT count(*) FROM findings f WHERE f.bundle_id = b.id AND f.severity = 'error'), "
                 "(SELECT count(*) FROM findings f WHERE f.bundle_id = b.id AND f.severity = 'warning'), "
                 "(SELECT count(*) FROM findings f WHERE f.bundle_id = b.id AND f.severity = 'info') "
                 "FROM bundles b WHERE b.id IN (SELECT value FROM json_each(?1)) ORDER BY b.name, b.id");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int c;
        for (c = 0; c < 5; c++) {
            lht_sb_puts(b, "| ");
            if (c < 2)
                lht_md_code(b, col(st, c), 1);
            else
                lht_md_cell(b, col(st, c));
            lht_sb_puts(b, " ");
        }
        for (c = 5; c < 9; c++)
            lht_sb_printf(b, "| %d ", sqlite3_column_int(st, c));
        lht_sb_puts(b, "|\n");
    }
    sqlite3_finalize(st);
    lht_sb_puts(b, "\n");
    return LHT_OK;
}

static int md_header(struct q *q, long long id, struct lht_sb *b)
{
    sqlite3_stmt *st = prep(q,
        "SELECT name, " BASENAME("path") ", status, error, created_at, scanned_at, "
        "(SELECT value FROM kv_facts WHERE bundle_id = b.id AND node IS NULL AND key = 'longhorn_version' ORDER BY line LIMIT 1), "
        "(SELECT value FROM kv_facts WHERE bundle_id = b.id AND node IS NULL AND key = 'kubernetes_version' ORDER BY line LIMIT 1) "
        "FROM bundles b WHERE id = ?1");
    static const char *const labels[] = {NULL, "File", "Status", "Error", "Created", "Scanned",
                                         "Longhorn", "Kubernetes"};
    int c;

    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return LHT_OK;
    }
    lht_sb_puts(b, "## Bundle ");
    lht_md_code(b, col(st, 0), 0);
    lht_sb_puts(b, "\n\n| | |\n|---|---|\n");
    for (c = 1; c < 8; c++) {
        if (c == 3 && col(st, 3) == NULL)
            continue;
        lht_sb_printf(b, "| %s | ", labels[c]);
        lht_md_cell(b, col(st, c) ? col(st, c) : "unknown");
        lht_sb_puts(b, " |\n");
    }
    sqlite3_finalize(st);

    /* nodes with kernel and OS, from any source */
    st = prep(q, "SELECT n.node, "
                 "(SELECT value FROM kv_facts WHERE bundle_id = ?1 AND node = n.node AND key = 'kernel_release' ORDER BY line LIMIT 1), "
                 "(SELECT value FROM kv_facts WHERE bundle_id = ?1 AND node = n.node AND key IN ('os', 'os_image') ORDER BY key, line LIMIT 1) "
                 "FROM (SELECT node FROM members WHERE bundle_id = ?1 AND node IS NOT NULL UNION "
                 "      SELECT node FROM kv_facts WHERE bundle_id = ?1 AND node IS NOT NULL UNION "
                 "      SELECT node FROM processes WHERE bundle_id = ?1 AND node IS NOT NULL) n ORDER BY n.node");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, id);
    lht_sb_puts(b, "| Nodes | ");
    c = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        lht_sb_puts(b, c++ ? "<br>" : "");
        lht_md_cell(b, col(st, 0));
        lht_sb_puts(b, " (kernel ");
        lht_md_cell(b, col(st, 1) ? col(st, 1) : "unknown");
        if (col(st, 2)) {
            lht_sb_puts(b, ", ");
            lht_md_cell(b, col(st, 2));
        }
        lht_sb_puts(b, ")");
    }
    if (c == 0)
        lht_sb_puts(b, "none known");
    lht_sb_puts(b, " |\n\n");
    sqlite3_finalize(st);
    return LHT_OK;
}

static int md_findings(struct q *q, long long id, struct lht_sb *b, int *nfound)
{
    sqlite3_stmt *st, *ev;
    int n = 0;

    st = prep(q, "SELECT severity, count(*) FROM findings WHERE bundle_id = ?1 GROUP BY severity "
                 "ORDER BY " SEV_RANK " DESC");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, id);
    lht_sb_puts(b, "### Summary\n\n| Severity | Findings |\n|---|---|\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        lht_sb_printf(b, "| %s | %d |\n", col(st, 0), sqlite3_column_int(st, 1));
        n += sqlite3_column_int(st, 1);
    }
    if (n == 0)
        lht_sb_puts(b, "| (none) | 0 |\n");
    lht_sb_puts(b, "\n");
    sqlite3_finalize(st);
    *nfound = n;

    st = prep(q, "SELECT id, rule_id, severity, confidence, node, pids, title, remediation, next_steps, refs "
                 "FROM findings WHERE bundle_id = ?1 ORDER BY " SEV_RANK " DESC, rule_id, node, pid, id");
    ev = prep(q, "SELECT e.signal, e.fact, m.path, e.line, coalesce(e.text, e.matched), e.captures, e.role, "
                 "CASE WHEN e.matched = '' OR e.matched = e.text OR instr(e.matched, char(10)) THEN NULL ELSE e.matched END "
                 "FROM finding_evidence e LEFT JOIN members m ON m.id = e.member_id "
                 "WHERE e.finding_id = ?1 ORDER BY e.role, e.seq");
    if (st == NULL || ev == NULL) {
        sqlite3_finalize(st);
        sqlite3_finalize(ev);
        return LHT_EDB;
    }
    sqlite3_bind_int64(st, 1, id);
    n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int k = 0, supporting = 0;
        lht_sb_printf(b, "### Finding %d: ", ++n);
        lht_md_inline(b, col(st, 6));
        lht_sb_printf(b, "\n\n- **Severity:** %s\n- **Confidence:** ", col(st, 2));
        lht_md_inline(b, col(st, 3));
        lht_sb_puts(b, "\n- **Rule:** ");
        lht_md_code(b, col(st, 1), 0);
        lht_sb_printf(b, " (finding id %lld, `lhtriage explain %lld`)\n- **Node:** ",
                      (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 0));
        lht_md_code(b, col(st, 4) ? col(st, 4) : "unknown", 0);
        if (col(st, 5)) {
            lht_sb_puts(b, "\n- **PIDs:** ");
            lht_md_inline(b, col(st, 5));
        }
        lht_sb_puts(b, "\n\n#### Why it fired\n\n");
        sqlite3_bind_int64(ev, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(ev) == SQLITE_ROW) {
            const char *role = col(ev, 6);
            if (!supporting && role && strcmp(role, "supporting") == 0) {
                supporting = 1;
                lht_sb_puts(b, "Supporting evidence:\n\n");
            }
            lht_sb_printf(b, "%d. Signal ", ++k);
            lht_md_code(b, col(ev, 0), 0);
            lht_sb_puts(b, " (");
            lht_md_inline(b, col(ev, 1));
            lht_sb_puts(b, ") in ");
            lht_md_code(b, col(ev, 2) ? col(ev, 2) : "?", 0);
            lht_sb_printf(b, " line %d", sqlite3_column_int(ev, 3));
            if (col(ev, 7)) {
                lht_sb_puts(b, ", matched ");
                lht_md_code(b, col(ev, 7), 0);
            }
            if (col(ev, 5)) {
                lht_sb_puts(b, ", ");
                lht_md_code(b, col(ev, 5), 0);
            }
            lht_sb_puts(b, "\n\n");
            lht_md_fence(b, "text", col(ev, 4));
        }
        sqlite3_reset(ev);
        if (col(st, 7)) {
            /* rule text (trusted; bundle values in it were sanitised when expanded) */
            lht_sb_puts(b, "#### What to do\n\n");
            lht_sb_puts(b, col(st, 7));
            if (b->len && b->p[b->len - 1] != '\n')
                lht_sb_puts(b, "\n");
            lht_sb_puts(b, "\n");
        }
        if (col(st, 8)) {
            lht_sb_puts(b, "#### What to collect next\n\n");
            lht_md_fence(b, "sh", col(st, 8));
        }
        if (col(st, 9)) {
            const char *r = col(st, 9), *nl;
            lht_sb_puts(b, "#### References\n\n");
            while (r && *r) {
                nl = strchr(r, '\n');
                lht_sb_puts(b, "- <");
                lht_sb_putn(b, r, nl ? (size_t)(nl - r) : strlen(r));
                lht_sb_puts(b, ">\n");
                r = nl ? nl + 1 : NULL;
            }
            lht_sb_puts(b, "\n");
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ev);
    return LHT_OK;
}

/* What was looked at, so "nothing found" differs from "nothing readable". */
static int md_checked(struct q *q, long long id, int nfound, struct lht_sb *b)
{
    static const struct {
        const char *kind, *missing;
    } expect[] = {
        {"ps", "no process table (hostinfos/processes_info needs Longhorn 1.9.2+/1.10.0+; or paste `ps aux`)"},
        {"stack", "no kernel stacks (paste `cat /proc/<pid>/stack` of stuck processes)"},
        {"proc_mounts", "no /proc/mounts (hostinfos/proc_mounts needs Longhorn 1.8.2+; or paste `nfsstat -m`)"},
        {"kernel_log", "no kernel log (logs/dmesg.log, syslog or messages)"},
    };
    sqlite3_stmt *st, *has;
    size_t i;
    int rows = 0;

    lht_sb_puts(b, "### What was checked\n\n");
    if (nfound == 0)
        lht_sb_puts(b, "No rule fired on this bundle. It held the evidence below.\n\n");
    st = prep(q, "SELECT kind, coalesce(node, '-'), count(*), sum(records) FROM evidence "
                 "WHERE bundle_id = ?1 GROUP BY kind, node ORDER BY kind, node");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, id);
    lht_sb_puts(b, "| Evidence | Node | Pieces | Records |\n|---|---|---|---|\n");
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        lht_sb_puts(b, "| ");
        lht_md_cell(b, col(st, 0));
        lht_sb_puts(b, " | ");
        lht_md_cell(b, col(st, 1));
        lht_sb_printf(b, " | %d | %d |\n", sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
    }
    sqlite3_finalize(st);
    if (rows == 0)
        lht_sb_puts(b, "| (nothing readable) | - | 0 | 0 |\n");
    lht_sb_puts(b, "\n");
    has = prep(q, "SELECT count(*) FROM evidence WHERE bundle_id = ?1 AND kind = ?2 "
                  "OR (?2 = 'proc_mounts' AND bundle_id = ?1 AND kind IN ('mount', 'mountinfo', 'nfsstat', 'mounts'))");
    if (has == NULL)
        return LHT_EDB;
    rows = 0;
    for (i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        sqlite3_bind_int64(has, 1, id);
        sqlite3_bind_text(has, 2, expect[i].kind, -1, SQLITE_STATIC);
        if (sqlite3_step(has) == SQLITE_ROW && sqlite3_column_int(has, 0) == 0) {
            if (rows++ == 0)
                lht_sb_puts(b, "Missing evidence:\n\n");
            lht_sb_printf(b, "- %s\n", expect[i].missing);
        }
        sqlite3_reset(has);
    }
    sqlite3_finalize(has);
    if (rows)
        lht_sb_puts(b, "\n");

    st = prep(q, "SELECT coalesce(m.path, '-'), coalesce(n.line, 0), n.message FROM notes n "
                 "LEFT JOIN members m ON m.id = n.member_id WHERE n.bundle_id = ?1 "
                 "ORDER BY m.path, n.line, n.message LIMIT 50");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_int64(st, 1, id);
    rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (rows++ == 0)
            lht_sb_puts(b, "### Could not be read\n\n| Member | Line | Problem |\n|---|---|---|\n");
        lht_sb_puts(b, "| ");
        lht_md_cell(b, col(st, 0));
        lht_sb_printf(b, " | %d | ", sqlite3_column_int(st, 1));
        lht_md_cell(b, col(st, 2));
        lht_sb_puts(b, " |\n");
    }
    if (rows)
        lht_sb_puts(b, "\n");
    sqlite3_finalize(st);
    return LHT_OK;
}

static int render_md(struct q *q, const char *ids, struct lht_sb *b)
{
    sqlite3_stmt *st;
    int count = 0, rc = LHT_OK;

    st = prep(q, "SELECT value FROM json_each(?1) ORDER BY key");
    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        count++;
    sqlite3_reset(st);
    lht_sb_printf(b, "# lhtriage findings report\n\nGenerated by lhtriage %s from %d bundle%s.\n\n",
                  LHT_VERSION, count, count == 1 ? "" : "s");
    if (count > 1 && (rc = md_fleet(q, ids, b)) != LHT_OK)
        goto done;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        int nfound = 0;
        if ((rc = md_header(q, id, b)) != LHT_OK || (rc = md_findings(q, id, b, &nfound)) != LHT_OK ||
            (rc = md_checked(q, id, nfound, b)) != LHT_OK)
            goto done;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

/* ---- JSON (SQLite's JSON functions build and escape everything) ------- */

static const char json_sql[] =
    "SELECT json_object("
    " 'tool', 'lhtriage', 'version', ?2,"
    " 'fleet', (SELECT json_group_array(json(x)) FROM (SELECT json_object("
    "     'rule_id', f.rule_id, 'severity', max(f.severity),"
    "     'bundles', count(DISTINCT f.bundle_id),"
    "     'nodes', count(DISTINCT f.bundle_id || '/' || coalesce(f.node, '')),"
    "     'first_seen', min(coalesce(b.created_at, b.scanned_at)),"
    "     'last_seen', max(coalesce(b.created_at, b.scanned_at))) AS x"
    "   FROM findings f JOIN bundles b ON b.id = f.bundle_id"
    "   WHERE f.bundle_id IN (SELECT value FROM json_each(?1))"
    "   GROUP BY f.rule_id ORDER BY count(DISTINCT f.bundle_id) DESC, f.rule_id)),"
    " 'bundles', (SELECT json_group_array(json(bj)) FROM (SELECT json_object("
    "   'bundle_id', b.id, 'name', b.name, 'file', " BASENAME("b.path") ","
    "   'status', b.status, 'error', b.error, 'created_at', b.created_at, 'scanned_at', b.scanned_at,"
    "   'longhorn_version', (SELECT value FROM kv_facts WHERE bundle_id = b.id AND node IS NULL"
    "                        AND key = 'longhorn_version' ORDER BY line LIMIT 1),"
    "   'kubernetes_version', (SELECT value FROM kv_facts WHERE bundle_id = b.id AND node IS NULL"
    "                        AND key = 'kubernetes_version' ORDER BY line LIMIT 1),"
    "   'nodes', (SELECT json_group_array(json(nj)) FROM (SELECT json_object('node', n.node,"
    "       'kernel_release', (SELECT value FROM kv_facts WHERE bundle_id = b.id AND node = n.node"
    "                          AND key = 'kernel_release' ORDER BY line LIMIT 1),"
    "       'os', (SELECT value FROM kv_facts WHERE bundle_id = b.id AND node = n.node"
    "              AND key IN ('os', 'os_image') ORDER BY key, line LIMIT 1)) AS nj"
    "     FROM (SELECT node FROM members WHERE bundle_id = b.id AND node IS NOT NULL UNION"
    "           SELECT node FROM kv_facts WHERE bundle_id = b.id AND node IS NOT NULL UNION"
    "           SELECT node FROM processes WHERE bundle_id = b.id AND node IS NOT NULL) n ORDER BY n.node)),"
    "   'summary', json_object("
    "     'critical', (SELECT count(*) FROM findings WHERE bundle_id = b.id AND severity = 'critical'),"
    "     'error', (SELECT count(*) FROM findings WHERE bundle_id = b.id AND severity = 'error'),"
    "     'warning', (SELECT count(*) FROM findings WHERE bundle_id = b.id AND severity = 'warning'),"
    "     'info', (SELECT count(*) FROM findings WHERE bundle_id = b.id AND severity = 'info')),"
    "   'findings', (SELECT json_group_array(json(fj)) FROM (SELECT json_object("
    "       'finding_id', f.id, 'rule_id', f.rule_id, 'title', f.title, 'severity', f.severity,"
    "       'confidence', f.confidence, 'node', f.node, 'pid', f.pid, 'pids', f.pids,"
    "       'remediation', f.remediation, 'next_steps', f.next_steps,"
    "       'references', CASE WHEN f.refs IS NULL THEN json('[]') ELSE"
    "         (SELECT json_group_array(r.value) FROM (SELECT value FROM json_each('[\"' ||"
    "           replace(replace(replace(f.refs, '\\', '\\\\'), '\"', '\\\"'), char(10), '\",\"') || '\"]')"
    "           ORDER BY key) r) END,"
    "       'evidence', (SELECT json_group_array(json(ej)) FROM (SELECT json_object("
    "           'signal', e.signal, 'role', e.role, 'fact', e.fact, 'member', m.path, 'line', e.line,"
    "           'matched', e.matched, 'text', e.text, 'captures', e.captures) AS ej"
    "         FROM finding_evidence e LEFT JOIN members m ON m.id = e.member_id"
    "         WHERE e.finding_id = f.id ORDER BY e.role, e.seq))) AS fj"
    "     FROM findings f WHERE f.bundle_id = b.id"
    "     ORDER BY " SEV_RANK " DESC, f.rule_id, f.node, f.pid, f.id)),"
    "   'checked', (SELECT json_group_array(json(cj)) FROM (SELECT json_object('kind', kind, 'node', node,"
    "       'pieces', count(*), 'records', sum(records)) AS cj FROM evidence WHERE bundle_id = b.id"
    "       GROUP BY kind, node ORDER BY kind, node)),"
    "   'unreadable', (SELECT json_group_array(json(uj)) FROM (SELECT json_object('member', m.path,"
    "       'line', n.line, 'problem', n.message) AS uj FROM notes n LEFT JOIN members m ON m.id = n.member_id"
    "       WHERE n.bundle_id = b.id ORDER BY m.path, n.line, n.message LIMIT 50))"
    "   ) AS bj FROM bundles b WHERE b.id IN (SELECT value FROM json_each(?1)) ORDER BY b.name, b.id)))";

static int render_json(struct q *q, const char *ids, struct lht_sb *b)
{
    sqlite3_stmt *st = prep(q, json_sql);
    int rc = LHT_OK;

    if (st == NULL)
        return LHT_EDB;
    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, LHT_VERSION, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        lht_sb_puts(b, col(st, 0));
        lht_sb_puts(b, "\n");
    } else {
        rc = lht_err_set(q->err, LHT_EDB, "report: %s", sqlite3_errmsg(q->db));
    }
    sqlite3_finalize(st);
    return rc;
}

int lht_report_render(sqlite3 *db, const struct lht_report_opts *o, struct lht_sb *out, lht_err *err)
{
    struct q q = {db, err};
    struct lht_sb ids = LHT_SB_INIT;
    int rc = select_bundles(&q, o, &ids);

    if (rc == LHT_OK)
        rc = o->format == LHT_REPORT_JSON ? render_json(&q, lht_sb_str(&ids), out)
                                          : render_md(&q, lht_sb_str(&ids), out);
    if (rc == LHT_OK && out->oom)
        rc = lht_err_set(err, LHT_ENOMEM, "report: out of memory");
    lht_sb_free(&ids);
    return rc;
}
