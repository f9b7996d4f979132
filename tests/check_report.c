/* check_report.c - the report: escaping of untrusted text for markdown
 * and JSON, and the model built from a database of scanned fixtures
 * (model.c, markdown.c, json.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "facts/facts.h"
#include "ingest/extract.h"
#include "report/model.h"
#include "report/redact.h"
#include "report/render.h"
#include "report/report.h"
#include "report/utf8.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "store/store.h"
#include "testutil.h"
#include "tu_main.h"

#define SB "supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2025-09-24T07-05-12Z"
#define N1 "testing-jiras-pool1-rm5mw-9dx82"
#define RWX "rwx-nfs4-open-state-hang"

static const char *render(void (*fn)(struct lht_sb *, const char *), const char *s)
{
    static struct lht_sb b = LHT_SB_INIT;
    lht_sb_reset(&b);
    fn(&b, s);
    return lht_sb_str(&b);
}

static void cell(struct lht_sb *b, const char *s) { lht_md_cell(b, s); }
static void inl(struct lht_sb *b, const char *s) { lht_md_inline(b, s); }
static void code_in_table(struct lht_sb *b, const char *s) { lht_md_code(b, s, 1); }
static void fence(struct lht_sb *b, const char *s) { lht_md_fence(b, "text", s); }

START_TEST(cells_and_inline)
{
    ck_assert_str_eq(render(cell, "a|b"), "a\\|b");
    ck_assert_str_eq(render(cell, "<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
    ck_assert_str_eq(render(cell, "`x` *y* [z](u)"), "\\`x\\` \\*y\\* \\[z\\](u)");
    ck_assert_str_eq(render(cell, ""), "-");
    ck_assert_str_eq(render(inl, "two\nlines\r\x1b[31m"), "two lines\\x0d\\x1b\\[31m");
    ck_assert_str_eq(render(inl, "bad \xff\xfe utf8 ok \xc3\xa9"), "bad \\xff\\xfe utf8 ok \xc3\xa9");
    ck_assert_str_eq(render(code_in_table, "x|``y"), "```x\\|``y```");
    ck_assert_str_eq(render(code_in_table, "`edge"), "`` `edge ``");
}
END_TEST

static void rule(struct lht_sb *b, const char *s) { lht_md_rule(b, s); }

/* Rule text is markdown, but a placeholder is not a tag */
START_TEST(rule_text_placeholders)
{
    ck_assert_str_eq(render(rule, "logs share-manager-<volume> `a <b>` <https://x.y/z>"),
                     "logs share-manager-&lt;volume> `a <b>` <https://x.y/z>");
    ck_assert_str_eq(render(rule, "text\n\n    kubectl logs <pod>\n```\n<x>\n```\nand <y>"),
                     "text\n\n    kubectl logs <pod>\n```\n<x>\n```\nand &lt;y>");
}
END_TEST

/* Byte patterns shaped like characters that are not: an overlong '/', a
 * surrogate, a code point above U+10FFFF. Their neighbours pass. */
START_TEST(utf8_is_strict)
{
    ck_assert_str_eq(render(inl, "o \xe0\x80\xaf s \xed\xa0\x80 h \xf4\x90\x80\x80"),
                     "o \\xe0\\x80\\xaf s \\xed\\xa0\\x80 h \\xf4\\x90\\x80\\x80");
    ck_assert_str_eq(render(inl, "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
                     "\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
}
END_TEST

START_TEST(fences_outgrow_content)
{
    const char *out = render(fence, "a\n````\nb");
    ck_assert(strncmp(out, "`````text\n", 10) == 0);
    ck_assert_ptr_nonnull(strstr(out, "\n`````\n"));
    out = render(fence, "plain");
    ck_assert_str_eq(out, "```text\nplain\n```\n\n");
}
END_TEST

START_TEST(long_lines_are_cut)
{
    char big[5000];
    const char *out;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    out = render(fence, big);
    ck_assert_ptr_nonnull(strstr(out, "[... 4599 more bytes]"));
    ck_assert_int_lt((int)strlen(out), 600);
}
END_TEST

/* ---- the JSON string writer ------------------------------------------- */

static const char *json(const char *s)
{
    static struct lht_sb b = LHT_SB_INIT;
    lht_sb_reset(&b);
    lht_json_str(&b, s);
    return lht_sb_str(&b);
}

START_TEST(json_escapes)
{
    ck_assert_str_eq(json(NULL), "null");
    ck_assert_str_eq(json(""), "\"\"");
    ck_assert_str_eq(json("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
    ck_assert_str_eq(json("a\nb\tc\rd\be\ff"), "\"a\\nb\\tc\\rd\\be\\ff\"");
    ck_assert_str_eq(json("\x01\x1b[31m\x1f\x7f"), "\"\\u0001\\u001b[31m\\u001f\\u007f\"");
    ck_assert_str_eq(json("</script> / ok"), "\"</script> / ok\"");
}
END_TEST

START_TEST(json_utf8)
{
    /* valid characters of 2, 3 and 4 bytes pass as they are */
    ck_assert_str_eq(json("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* every byte that is not part of a character becomes the text \xNN,
     * as in markdown and HTML (an escaped backslash in JSON) */
    ck_assert_str_eq(json("a\xff\xfe" "b"), "\"a\\\\xff\\\\xfeb\"");
    ck_assert_str_eq(json("cut \xe2\x82"), "\"cut \\\\xe2\\\\x82\"");
    ck_assert_str_eq(json("\x80lead"), "\"\\\\x80lead\"");
    ck_assert_str_eq(json("\xc0\xaf"), "\"\\\\xc0\\\\xaf\"");
    ck_assert_str_eq(json("\xe2(x"), "\"\\\\xe2(x\"");
}
END_TEST

/* Overlong forms, surrogates and code points above U+10FFFF are bytes,
 * not characters; the code points at the edges of those ranges pass. */
START_TEST(json_utf8_is_strict)
{
    ck_assert_str_eq(json("\xe0\x80\xaf"), "\"\\\\xe0\\\\x80\\\\xaf\"");
    ck_assert_str_eq(json("\xf0\x8f\xbf\xbf"), "\"\\\\xf0\\\\x8f\\\\xbf\\\\xbf\"");
    ck_assert_str_eq(json("\xed\xa0\x80"), "\"\\\\xed\\\\xa0\\\\x80\"");
    ck_assert_str_eq(json("\xf4\x90\x80\x80"), "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
    ck_assert_str_eq(json("\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
                     "\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
}
END_TEST

/* An independent check (code points, not byte patterns) that s is UTF-8. */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned long cp;
        int n, i;
        if (*s < 0x80)
            n = 0, cp = *s;
        else if (*s >= 0xc0 && *s < 0xe0)
            n = 1, cp = *s & 0x1f;
        else if (*s >= 0xe0 && *s < 0xf0)
            n = 2, cp = *s & 0x0f;
        else if (*s >= 0xf0 && *s < 0xf8)
            n = 3, cp = *s & 0x07;
        else
            return 0;
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* SQLite's parser as the judge of JSON syntax. */
static int valid_json(const char *s)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok = 0;

    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        ok = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

START_TEST(json_of_any_bytes_is_valid)
{
    char in[64];
    const char *out;
    unsigned seed = 12345;
    int round, i;

    for (round = 0; round < 2000; round++) {
        for (i = 0; i < (int)sizeof in - 1; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)((seed >> 16) % 255 + 1);   /* any byte but NUL */
        }
        in[sizeof in - 1] = '\0';
        out = json(in);
        ck_assert_msg(valid_utf8((const unsigned char *)out), "round %d", round);
        ck_assert_msg(valid_json(out), "round %d: %s", round, out);
    }
}
END_TEST

/* ---- the model, over a database of scanned fixtures ---------------------- */

static char dbpath[512];

static void scan_into(struct lht_store *s, struct lht_matcher *m, const char *input)
{
    struct lht_source_opts o;
    struct lht_bundle_info info;
    struct lht_bundle_meta meta;
    struct lht_facts *f = lht_facts_new();
    lht_err err;

    lht_source_defaults(&o);
    memset(&info, 0, sizeof info);
    lht_err_clear(&err);
    struct lht_stored old;

    ck_assert_msg(lht_extract(input, &o, f, &info, &err) == LHT_OK, "%s", err.msg);
    memset(&meta, 0, sizeof meta);
    meta.name = info.name;
    meta.path = input;
    meta.status = "ok";
    meta.created_at = info.created_at;
    ck_assert_msg(lht_store_put_bundle(s, &meta, f, NULL, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_store_find(s, input, &old, &err), 1);
    ck_assert_msg(lht_case_evaluate(s, m, old.case_id, "test", NULL, &err) == LHT_OK, "%s", err.msg);
    lht_facts_free(f);
}

/* The golden report's three bundles, each a case of its own, scanned once for the whole TCase
 * (tests run in forked children and must leave the file as it is). */
static void scan_fixtures(void)
{
    static const char *const inputs[] = {"seed-rwx-unpacked", "disk-hang.zip", "legacy-1.5.zip"};
    struct lht_ruleset *rs = NULL;
    struct lht_matcher *m = NULL;
    struct lht_store *s = NULL;
    char path[512];
    lht_err err;
    size_t i;

    snprintf(dbpath, sizeof dbpath, "%s/report.db", tu_tmpdir());
    ck_assert_msg(lht_ruleset_load(tu_source("rules"), &rs, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &s, &err) == LHT_OK, "%s", err.msg);
    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        snprintf(path, sizeof path, "%s", tu_fixture(inputs[i]));
        scan_into(s, m, path);
    }
    lht_store_close(s);
    lht_matcher_free(m);
    lht_ruleset_free(rs);
}

/* A connection inside a transaction that is never committed: a test may
 * change rows to shape a case, and the next test sees the scan again. */
static struct lht_store *store;

static sqlite3 *open_db(void)
{
    lht_err err;

    ck_assert_msg(lht_store_open(dbpath, LHT_STORE_RW, &store, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(sqlite3_exec(lht_store_db(store), "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    return lht_store_db(store);
}

static void close_db(void)
{
    sqlite3_exec(lht_store_db(store), "ROLLBACK", NULL, NULL, NULL);
    lht_store_close(store);
    store = NULL;
}

static void exec(sqlite3 *db, const char *sql)
{
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
}

static struct lht_report_model *build(sqlite3 *db, const char *const *names, size_t n)
{
    struct lht_report_opts o = {LHT_REPORT_MD, names, n, NULL, 0, 0, 1, 0};
    struct lht_report_model *m = NULL;
    lht_err err;

    lht_err_clear(&err);
    ck_assert_msg(lht_report_model_build(db, &o, &m, &err) == LHT_OK, "%s", err.msg);
    return m;
}

/* The case whose (first) input is file. */
static const struct lht_report_case *case_of(const struct lht_report_model *m, const char *file)
{
    size_t i;
    for (i = 0; i < m->ncases; i++)
        if (m->cases[i].ninputs > 0 && strcmp(m->cases[i].inputs[0].file, file) == 0)
            return &m->cases[i];
    ck_abort_msg("no case of %s in the model", file);
    return NULL;
}

START_TEST(model_cases)
{
    struct lht_report_model *m = build(open_db(), NULL, 0);
    const struct lht_report_case *x;
    const struct lht_report_input *in;

    ck_assert_int_eq((int)m->ncases, 3);
    ck_assert_int_eq((int)m->ninputs, 3);
    ck_assert_str_eq(m->version, LHT_VERSION);
    /* by name, a lone input's case named after it: legacy (0a1b...), seed (5b0a...), disk hang (7c1d...) */
    ck_assert_str_eq(m->cases[0].inputs[0].file, "legacy-1.5.zip");
    ck_assert_str_eq(m->cases[1].inputs[0].file, "seed-rwx-unpacked");
    ck_assert_str_eq(m->cases[2].inputs[0].file, "disk-hang.zip");
    x = &m->cases[1];
    ck_assert_int_eq((int)x->ninputs, 1);
    in = &x->inputs[0];
    ck_assert_str_eq(x->name, SB);
    ck_assert_str_eq(in->name, SB);
    ck_assert_str_eq(in->status, "ok");
    ck_assert_str_eq(x->status, "ok");
    ck_assert_ptr_null(in->error);
    ck_assert(!in->has_duplicate_of);
    ck_assert_str_eq(x->created_at, "2025-09-24T07:05:12Z");
    ck_assert_str_eq(x->longhorn_version, "v1.10.1");
    ck_assert_str_eq(x->kubernetes_version, "v1.31.4+rke2r1");
    ck_assert_ptr_nonnull(strstr(in->path, "seed-rwx-unpacked"));
    ck_assert_int_eq((int)x->nnodes, 2);
    ck_assert_str_eq(x->nodes[0].name, N1);
    ck_assert_str_eq(x->nodes[0].kernel_release, "6.8.0-51-generic");
    ck_assert_str_eq(x->nodes[0].os, "Ubuntu 24.04.1 LTS");
    ck_assert_str_lt(x->nodes[0].name, x->nodes[1].name);
    lht_report_model_free(m);
    close_db();
}
END_TEST

START_TEST(model_findings_and_evidence)
{
    struct lht_report_model *m = build(open_db(), NULL, 0);
    const struct lht_report_case *x = case_of(m, "seed-rwx-unpacked");
    const struct lht_report_finding *f;
    size_t i, supporting = 0;

    ck_assert_int_eq((int)x->nfindings, 1);
    f = &x->findings[0];
    ck_assert_str_eq(f->rule_id, RWX);
    ck_assert_str_eq(f->severity, "error");
    ck_assert_int_eq(f->severity_rank, 3);
    ck_assert_str_eq(f->confidence, "confirmed");
    ck_assert_str_eq(f->node, N1);
    ck_assert(f->has_pid);
    ck_assert_int_eq((int)f->pid, 123315);
    ck_assert_str_eq(f->pids, "123315");
    ck_assert_ptr_nonnull(strstr(f->remediation, "vers=4.0"));
    ck_assert_int_eq((int)f->nrefs, 4);
    ck_assert_str_eq(f->refs[0], "https://github.com/longhorn/longhorn/issues/11907");
    /* required evidence first, then supporting, each by sequence */
    ck_assert_int_gt((int)f->nevidence, 5);
    for (i = 0; i < f->nevidence; i++) {
        if (strcmp(f->evidence[i].role, "supporting") == 0)
            supporting++;
        else
            ck_assert_msg(supporting == 0, "required evidence %zu after supporting", i);
    }
    ck_assert_int_gt((int)supporting, 0);
    ck_assert_str_eq(f->evidence[0].signal, "d_state");
    ck_assert_str_eq(f->evidence[0].member, SB "/customer-transcript.txt");
    ck_assert_ptr_nonnull(strstr(f->evidence[0].input, "seed-rwx-unpacked"));
    ck_assert(f->evidence[0].has_line);
    ck_assert_int_eq((int)f->evidence[0].line, 4);
    ck_assert_str_eq(f->evidence[0].matched, "D");
    ck_assert_ptr_nonnull(strstr(f->evidence[0].text, "123315 Ds+"));
    /* the summary counts what is listed */
    ck_assert_int_eq((int)x->nsummary, 1);
    ck_assert_str_eq(x->summary[0].severity, "error");
    ck_assert_int_eq((int)x->summary[0].n, 1);
    lht_report_model_free(m);
    close_db();
}
END_TEST

START_TEST(model_checked_missing_notes)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_case *x;
    size_t i;

    /* more notes than a report shows, in no particular order */
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
             "INSERT INTO notes (bundle_id, member_id, node, line, message) "
             "SELECT b.id, NULL, NULL, 61 - i, 'cannot parse' FROM n, bundles b "
             "WHERE b.path LIKE '%legacy-1.5.zip'");
    m = build(db, NULL, 0);
    x = case_of(m, "legacy-1.5.zip");
    ck_assert_int_eq((int)x->nfindings, 0);
    ck_assert_int_eq((int)x->nsummary, 0);
    ck_assert_int_eq((int)x->nchecked, 4);
    ck_assert_str_eq(x->checked[0].kind, "bundle_metadata");
    ck_assert_ptr_null(x->checked[0].node);
    ck_assert_str_eq(x->checked[1].kind, "hostinfo");
    ck_assert_str_eq(x->checked[1].node, "k3s-agent-2");
    ck_assert_int_eq((int)x->checked[1].pieces, 1);
    ck_assert_int_eq((int)x->checked[1].records, 8);
    /* no ps, no stack, no mount table; the kernel log is there */
    ck_assert_int_eq((int)x->nmissing, 3);
    ck_assert_str_eq(x->missing[0].kind, "ps");
    ck_assert_str_eq(x->missing[1].kind, "stack");
    ck_assert_str_eq(x->missing[2].kind, "proc_mounts");
    ck_assert_ptr_nonnull(strstr(x->missing[2].advice, "nfsstat -m"));
    ck_assert_int_eq((int)x->nnotes, LHT_REPORT_MAX_NOTES);
    for (i = 0; i < x->nnotes; i++) {
        ck_assert(x->notes[i].has_line);
        ck_assert_int_eq((int)x->notes[i].line, (int)i + 1);
        ck_assert_ptr_null(x->notes[i].member);
        ck_assert_ptr_nonnull(strstr(x->notes[i].input, "legacy-1.5.zip"));
    }
    /* a pasted nfsstat -m is a mount table too */
    x = case_of(m, "seed-rwx-unpacked");
    ck_assert_int_eq((int)x->nmissing, 0);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* Severities shaped by hand: one case with a finding of each, one rule
 * firing with two severities in two cases. */
START_TEST(model_worst_first)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_case *x;
    static const char *const order[] = {"critical", "error", "warning", "info"};
    size_t i;

    exec(db, "INSERT INTO findings (case_id, bundle_id, rule_id, severity, confidence, node, title) "
             "SELECT b.case_id, b.id, v.rule, v.sev, 'suspected', 'n', 't' FROM bundles b, "
             "(SELECT 'r-b' AS rule, 'info' AS sev UNION ALL SELECT 'r-a', 'warning' "
             " UNION ALL SELECT 'r-c', 'critical' UNION ALL SELECT 'r-a', 'info') v "
             "WHERE b.path LIKE '%legacy-1.5.zip'");
    exec(db, "INSERT INTO findings (case_id, rule_id, severity, confidence, title) "
             "SELECT case_id, '" RWX "', 'critical', 'suspected', 't' FROM bundles WHERE path LIKE '%disk-hang.zip'");
    m = build(db, NULL, 0);
    x = case_of(m, "legacy-1.5.zip");
    ck_assert_int_eq((int)x->nfindings, 4);
    ck_assert_str_eq(x->findings[0].rule_id, "r-c");
    ck_assert_str_eq(x->findings[1].rule_id, "r-a");
    ck_assert_str_eq(x->findings[1].severity, "warning");
    ck_assert_str_eq(x->findings[2].rule_id, "r-a");   /* info: rule before rule */
    ck_assert_str_eq(x->findings[3].rule_id, "r-b");
    ck_assert_int_eq((int)x->nsummary, 3);
    for (i = 0; i < x->nsummary; i++)
        ck_assert_int_gt(x->summary[i].severity_rank, i + 1 < x->nsummary ? x->summary[i + 1].severity_rank : 0);
    ck_assert_str_eq(x->summary[0].severity, order[0]);
    ck_assert_int_eq((int)x->summary[2].n, 2);
    /* the fleet: the seed rule fired in two cases, worst as critical;
     * alphabetically "error" would win */
    ck_assert_str_eq(m->signatures[0].rule_id, RWX);
    ck_assert_int_eq((int)m->signatures[0].cases, 2);
    ck_assert_int_eq((int)m->signatures[0].nodes, 2);
    ck_assert_str_eq(m->signatures[0].severity, "critical");
    ck_assert_str_eq(m->signatures[0].first_seen, "2025-03-11T14:22:05Z");
    ck_assert_str_eq(m->signatures[0].last_seen, "2025-09-24T07:05:12Z");
    /* then one case each, by rule; r-a's two findings share bundle and node */
    ck_assert_int_eq((int)m->nsignatures, 4);
    ck_assert_str_eq(m->signatures[1].rule_id, "r-a");
    ck_assert_int_eq((int)m->signatures[1].nodes, 1);
    ck_assert_str_eq(m->signatures[1].severity, "warning");
    ck_assert_str_eq(m->signatures[3].rule_id, "r-c");
    lht_report_model_free(m);
    close_db();
}
END_TEST

START_TEST(model_selects_cases)
{
    sqlite3 *db = open_db();
    const char *const by_file[] = {"disk-hang.zip", "seed-rwx-unpacked", "disk-hang.zip"};
    const char *const by_name[] = {SB};
    const char *const unknown[] = {"seed-rwx-unpacked", "no-such-bundle"};
    const char *const no_case[] = {"no-such-case"};
    struct lht_report_opts o = {LHT_REPORT_JSON, unknown, 2, NULL, 0, 0, 1, 0};
    struct lht_report_model stale, *m = build(db, by_file, 3);
    char id[32], cid[32];
    const char *by_id[] = {id}, *by_case[] = {cid};
    lht_err err;

    /* named twice: listed once; in name order, not argument order */
    ck_assert_int_eq((int)m->ncases, 2);
    ck_assert_str_eq(m->cases[0].inputs[0].file, "seed-rwx-unpacked");
    ck_assert_str_eq(m->cases[1].inputs[0].file, "disk-hang.zip");
    snprintf(id, sizeof id, "%lld", m->cases[1].inputs[0].id);
    snprintf(cid, sizeof cid, "%lld", m->cases[0].id);
    lht_report_model_free(m);
    m = build(db, by_id, 1);
    ck_assert_int_eq((int)m->ncases, 1);
    ck_assert_str_eq(m->cases[0].inputs[0].file, "disk-hang.zip");
    lht_report_model_free(m);
    m = build(db, by_name, 1);
    ck_assert_int_eq((int)m->ncases, 1);
    ck_assert_str_eq(m->cases[0].inputs[0].name, SB);
    ck_assert_int_eq((int)m->nsignatures, 1);
    lht_report_model_free(m);
    /* a case by its id */
    o.bundles = NULL;
    o.nbundles = 0;
    o.cases = by_case;
    o.ncases = 1;
    ck_assert_int_eq(lht_report_model_build(db, &o, &m, &err), LHT_OK);
    ck_assert_int_eq((int)m->ncases, 1);
    ck_assert_str_eq(m->cases[0].inputs[0].file, "seed-rwx-unpacked");
    lht_report_model_free(m);
    o.cases = no_case;
    m = &stale;   /* must be reset on failure */
    ck_assert_int_eq(lht_report_model_build(db, &o, &m, &err), LHT_ENOTFOUND);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.msg, "report: no case named 'no-such-case' in the database");
    o.cases = NULL;
    o.ncases = 0;
    o.bundles = unknown;
    o.nbundles = 2;
    ck_assert_int_eq(lht_report_model_build(db, &o, &m, &err), LHT_ENOTFOUND);
    ck_assert_str_eq(err.msg, "report: no bundle named 'no-such-bundle' in the database");
    close_db();
}
END_TEST

START_TEST(model_needs_report_views)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m = NULL;
    struct lht_report_opts o = {LHT_REPORT_MD, NULL, 0, NULL, 0, 0, 1, 0};
    lht_err err;

    exec(db, "PRAGMA user_version = 10");
    ck_assert_int_eq(lht_report_model_build(db, &o, &m, &err), LHT_EDB);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(err.msg, "schema version 10"));
    close_db();
}
END_TEST

/* Renderers take the model as it is: hostile text included. */
START_TEST(renderers_format_the_model)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    struct lht_sb md = LHT_SB_INIT, js = LHT_SB_INIT;

    exec(db, "UPDATE finding_evidence SET text = 'bad \xff\xfe bytes \x01 and \x7f'");
    exec(db, "UPDATE findings SET refs = refs || char(10)");
    m = build(db, NULL, 0);
    lht_md_report(m, &md);
    lht_json_report(m, &js);
    ck_assert(!md.oom && !js.oom);
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&md), "\\xff\\xfe bytes \\x01 and \\x7f"));
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&md), "- <https://github.com/torvalds/linux/blob/master/fs/nfs/nfs4proc.c>\n\n"));
    /* the model cleaned the text: every format shows the same \xNN */
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&js), "\"bad \\\\xff\\\\xfe bytes \\\\x01 and \\\\x7f\""));
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&js), "nfs4proc.c\",\"\"],\"evidence\""));
    ck_assert(valid_utf8((const unsigned char *)lht_sb_str(&js)));
    ck_assert(valid_json(lht_sb_str(&js)));
    ck_assert_int_eq(js.p[js.len - 1], '\n');
    lht_sb_free(&md);
    lht_sb_free(&js);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* ---- redaction ---------------------------------------------------------- */

/* s through r, in a static buffer. */
static const char *red(struct lht_redactor *r, const char *s)
{
    static char out[4][1024];
    static int k;
    struct lht_sb b = LHT_SB_INIT;
    lht_err err;
    char *o = out[k++ % 4];

    lht_err_clear(&err);
    ck_assert_msg(lht_redact_text(r, s, strlen(s), &b, &err) == LHT_OK, "%s", err.msg);
    snprintf(o, sizeof out[0], "%s", lht_sb_str(&b));
    lht_sb_free(&b);
    return o;
}

/* A token at p: prefix-<16 hex digits>, not followed by another hex digit. */
static int is_token(const char *p, const char *prefix)
{
    size_t n = strlen(prefix), i;

    if (strncmp(p, prefix, n) != 0)
        return 0;
    for (i = 0; i < 16; i++)
        if (!strchr("0123456789abcdef", p[n + i]) || p[n + i] == '\0')
            return 0;
    return strchr("0123456789abcdef", p[n + 16]) == NULL || p[n + 16] == '\0';
}

static struct lht_redactor *redactor(sqlite3 *db)
{
    struct lht_redactor *r = NULL;
    lht_err err;

    ck_assert_msg(lht_redactor_new(db, &r, &err) == LHT_OK, "%s", err.msg);
    return r;
}

/* Clock times are not addresses (the old IPv6 pattern took 07:05:12 for
 * one); every address form is; names match whole, in any case. */
START_TEST(redact_text_forms)
{
    sqlite3 *db = open_db();
    struct lht_redactor *r = redactor(db);
    static const char *const kept[] = {
        "2026-12-01T07:05:12Z", "Sep 24 07:05:12.123456 n1 kernel:", "[Tue Sep 24 07:05:12 2025]",
        "std::vector<int> and Foo::bar", "kernel 5.14.0.427 and 1.2.3.4.5", "v1.2.3.4", "00:1a:2b:3c:4d:5e",
        "xtesting-jiras-pool1-rm5mw-9dx82", "testing-jiras-pool1-rm5mw-9dx82x",
    };
    size_t i;
    const char *t, *fd;

    for (i = 0; i < sizeof kept / sizeof kept[0]; i++)
        ck_assert_str_eq(red(r, kept[i]), kept[i]);
    t = red(r, "addr=10.43.58.194,clientaddr=10.136.183.157)");
    ck_assert(is_token(t, "addr=ip-"));
    ck_assert(is_token(t + strlen("addr=ip-0123456789abcdef,"), "clientaddr=ip-"));
    ck_assert(is_token(red(r, "10.43.58.194:/pvc-1"), "ip-"));
    ck_assert_str_eq(red(r, "10.43.58.194:/pvc-1") + 19, ":/pvc-1");
    fd = red(r, "fd00::1");
    ck_assert(is_token(fd, "ip-"));
    ck_assert_str_eq(red(r, "FD00:0:0::1"), fd);   /* one address, one token */
    ck_assert_str_eq(red(r, "fd00:0000:0000:0000:0000:0000:0000:0001"), fd);
    ck_assert(is_token(red(r, "::1"), "ip-"));
    ck_assert(is_token(red(r, "[fe80::1%eth0]:80") + 1, "ip-"));
    ck_assert_str_eq(red(r, "[fe80::1%eth0]:80") + 20, "%eth0]:80");
    ck_assert(is_token(red(r, "::ffff:10.1.2.3"), "ip-"));
    ck_assert_ptr_null(strstr(red(r, "::ffff:10.1.2.3"), "10.1"));
    t = red(r, "nodes/testing-jiras-pool1-rm5mw-9dx82.zip!testing-jiras-pool1-rm5mw-9dx82/logs");
    ck_assert(is_token(t, "nodes/host-"));
    ck_assert_int_eq(strncmp(t + strlen("nodes/host-0123456789abcdef"), ".zip!host-", 10), 0);
    ck_assert_ptr_null(strstr(t, "jiras"));
    ck_assert_str_eq(red(r, "TESTING-JIRAS-POOL1-RM5MW-9DX82.example.com"),
                     red(r, "testing-jiras-pool1-rm5mw-9dx82.example.com"));
    /* input names carry their host inside: sosreport-<host>-<date>, scc_<host>_<date> */
    t = red(r, "sosreport-testing-jiras-pool1-rm5mw-9dx82-2025-09-24-abcdef.tar.xz");
    ck_assert(is_token(t, "sosreport-host-"));
    ck_assert_str_eq(t + strlen("sosreport-host-0123456789abcdef"), "-2025-09-24-abcdef.tar.xz");
    t = red(r, "scc_testing-jiras-pool1-rm5mw-9dx82_250924_0705.txz");
    ck_assert(is_token(t, "scc_host-"));
    ck_assert_str_eq(t + strlen("scc_host-0123456789abcdef"), "_250924_0705.txz");
    lht_redactor_free(r);
    close_db();
}
END_TEST

/* Tokens are keyed per database: stable in one, different in another. */
START_TEST(redact_key_per_database)
{
    struct lht_store *a = NULL, *b = NULL;
    struct lht_redactor *r1, *r2, *r3;
    char pa[600], pb[600], t1[64];
    lht_err err;

    snprintf(pa, sizeof pa, "%s/a.db", tu_tmpdir());
    snprintf(pb, sizeof pb, "%s/b.db", tu_tmpdir());
    ck_assert_msg(lht_store_open(pa, LHT_STORE_RW, &a, &err) == LHT_OK, "%s", err.msg);
    ck_assert_msg(lht_store_open(pb, LHT_STORE_RW, &b, &err) == LHT_OK, "%s", err.msg);
    r1 = redactor(lht_store_db(a));
    r2 = redactor(lht_store_db(a));
    r3 = redactor(lht_store_db(b));
    snprintf(t1, sizeof t1, "%s", red(r1, "10.0.0.1"));
    ck_assert(is_token(t1, "ip-"));
    ck_assert_str_eq(red(r2, "10.0.0.1"), t1);
    ck_assert_str_ne(red(r3, "10.0.0.1"), t1);
    lht_redactor_free(r1);
    lht_redactor_free(r2);
    lht_redactor_free(r3);
    /* a database from before the key: an error, never an unkeyed token */
    ck_assert_int_eq(sqlite3_exec(lht_store_db(b), "DROP TABLE secrets", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(lht_redactor_new(lht_store_db(b), &r3, &err), LHT_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "no redaction key"));
    lht_store_close(a);
    lht_store_close(b);
}
END_TEST

/* The model is redacted before any renderer escapes it: markdown turns
 * worker_node_07 into worker\_node\_07, which a search of the rendered
 * text for the name missed. Both formats get the same tokens. */
START_TEST(redact_in_the_model)
{
    sqlite3 *db = open_db();
    struct lht_report_opts o = {LHT_REPORT_MD, NULL, 0, NULL, 0, 0, 1, 0};
    struct lht_report_model *m;
    struct lht_sb md = LHT_SB_INIT, js = LHT_SB_INIT, plain = LHT_SB_INIT;
    const char *tok;
    lht_err err;

    exec(db, "UPDATE processes SET node = 'worker_node_07' WHERE id = (SELECT min(id) FROM processes)");
    exec(db, "UPDATE finding_evidence SET text = 'worker_node_07 at 10.9.8.7 and fd00::7 on 2026-12-01T07:05:12Z'");
    /* a node of the case, so its name lands in the case details' node list */
    exec(db, "INSERT INTO node_aliases (case_id, alias, node, source) SELECT case_id, 'worker_node_07', "
             "'worker_node_07', 'test' FROM bundles WHERE path LIKE '%seed-rwx-unpacked'");
    m = build(db, NULL, 0);
    lht_md_report(m, &plain);
    lht_report_model_free(m);
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&plain), "worker_node_07"));
    o.redact = 1;
    ck_assert_msg(lht_report_model_build(db, &o, &m, &err) == LHT_OK, "%s", err.msg);
    lht_md_report(m, &md);
    lht_json_report(m, &js);
    ck_assert(!md.oom && !js.oom);
    ck_assert_ptr_null(strstr(lht_sb_str(&md), "worker"));
    ck_assert_ptr_null(strstr(lht_sb_str(&js), "worker"));
    ck_assert_ptr_null(strstr(lht_sb_str(&md), "10.9.8.7"));
    ck_assert_ptr_null(strstr(lht_sb_str(&md), "fd00"));
    ck_assert_ptr_null(strstr(lht_sb_str(&md), "testing-jiras"));
    ck_assert_ptr_null(strstr(lht_sb_str(&js), "testing-jiras"));
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&md), "on 2026-12-01T07:05:12Z"));
    ck_assert_ptr_nonnull(tok = strstr(lht_sb_str(&md), "host-"));
    ck_assert(is_token(tok, "host-"));
    {
        char t[32];
        snprintf(t, sizeof t, "%.21s", tok);
        ck_assert_ptr_nonnull(strstr(lht_sb_str(&js), t));
    }
    lht_sb_free(&md);
    lht_sb_free(&js);
    lht_sb_free(&plain);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* Every string of the case-shaped model is redacted: the case's name and
 * folder, each input's name, path, name as typed and host, the nodes (a
 * node known only by an alias of the case too), hosts in notes; and a
 * node keeps its kernel and OS when its name becomes a token. */
START_TEST(redact_the_case_shape)
{
    sqlite3 *db = open_db();
    struct lht_report_opts o = {LHT_REPORT_MD, NULL, 0, NULL, 0, 1, 1, 0};
    struct lht_report_model *plain, *m;
    const struct lht_report_case *x, *px;
    struct lht_sb md = LHT_SB_INIT, js = LHT_SB_INIT;
    static const char *const leaks[] = {"worker-9", "example.com", "sos-host", "10.1.2.3", "10.2.3.4", "10.3.4.5",
                                         "testing-jiras"};
    const char *const seed[] = {"seed-rwx-unpacked"};
    size_t i, kernels;
    lht_err err;

    exec(db, "UPDATE cases SET name = 'ticket worker-9.example.com 10.1.2.3', path = 'tickets/worker-9.example.com' "
             "WHERE id = (SELECT case_id FROM bundles WHERE path LIKE '%seed-rwx-unpacked')");
    exec(db, "UPDATE bundles SET typed = 'tickets/worker-9.example.com/sosreport-10.2.3.4.tar.xz', "
             "host = 'sos-host-7', name = 'sosreport-sos-host-7' WHERE path LIKE '%seed-rwx-unpacked'");
    exec(db, "INSERT INTO node_aliases (case_id, alias, node, source) SELECT case_id, 'worker-9.example.com', "
             "'worker-9', 'test' FROM bundles WHERE path LIKE '%seed-rwx-unpacked'");
    exec(db, "INSERT INTO notes (bundle_id, member_id, node, line, message) SELECT id, NULL, NULL, 1, "
             "'cannot reach worker-9 or sos-host-7 at 10.3.4.5' FROM bundles WHERE path LIKE '%seed-rwx-unpacked'");
    plain = build(db, seed, 1);
    o.bundles = seed;
    o.nbundles = 1;
    ck_assert_msg(lht_report_model_build(db, &o, &m, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq((int)m->ncases, 1);
    x = &m->cases[0];
    px = &plain->cases[0];
    ck_assert_str_eq(px->name, "ticket worker-9.example.com 10.1.2.3");
    ck_assert(is_token(x->name, "ticket host-"));
    ck_assert(is_token(x->name + strlen("ticket host-0123456789abcdef "), "ip-"));
    ck_assert(is_token(x->path, "tickets/host-"));
    ck_assert(is_token(x->inputs[0].host, "host-"));
    ck_assert(is_token(x->inputs[0].file + strlen("tickets/host-0123456789abcdef/sosreport-"), "ip-"));
    /* nodes: the same ones, tokens now, each with its own kernel and OS */
    ck_assert_int_eq((int)x->nnodes, (int)px->nnodes);
    ck_assert_int_gt((int)x->nnodes, 1);
    for (i = 0, kernels = 0; i < x->nnodes; i++) {
        ck_assert_msg(is_token(x->nodes[i].name, "host-"), "node %zu: %s", i, x->nodes[i].name);
        ck_assert_int_eq(x->nodes[i].kernel_release == NULL, px->nodes[i].kernel_release == NULL);
        if (px->nodes[i].kernel_release != NULL)
            ck_assert_str_eq(x->nodes[i].kernel_release, px->nodes[i].kernel_release);
        ck_assert_int_eq(x->nodes[i].os == NULL, px->nodes[i].os == NULL);
        kernels += px->nodes[i].kernel_release != NULL;
    }
    ck_assert_int_gt((int)kernels, 0);
    lht_md_report(m, &md);
    lht_json_report(m, &js);
    ck_assert(!md.oom && !js.oom);
    for (i = 0; i < sizeof leaks / sizeof leaks[0]; i++) {
        ck_assert_msg(strstr(lht_sb_str(&md), leaks[i]) == NULL, "markdown shows %s", leaks[i]);
        ck_assert_msg(strstr(lht_sb_str(&js), leaks[i]) == NULL, "json shows %s", leaks[i]);
    }
    lht_sb_free(&md);
    lht_sb_free(&js);
    lht_report_model_free(plain);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* ---- the volume walk, verdicts, evidence once, anomalies ---------------- */

START_TEST(model_volume_walk)
{
    struct lht_report_model *m = build(open_db(), NULL, 0);
    const struct lht_report_case *x = case_of(m, "seed-rwx-unpacked");
    const struct lht_report_volume *v;
    size_t i, writers = 0;

    ck_assert_int_eq((int)x->nvolumes, 1);
    v = &x->volumes[0];
    ck_assert_str_eq(v->name, "pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e");
    ck_assert_str_eq(v->access_mode, "rwx");
    ck_assert_str_eq(v->state, "attached");
    ck_assert_str_eq(v->robustness, "healthy");
    ck_assert_str_eq(v->pvc_namespace, "default");
    ck_assert_str_eq(v->pvc, "shared-data");
    ck_assert_str_eq(v->share_manager_state, "running");
    ck_assert_str_eq(v->share_manager_node, "testing-jiras-pool1-rm5mw-k4t7p");
    ck_assert_str_eq(v->share_manager_pod, "share-manager-pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e");
    ck_assert_str_eq(v->server, "10.43.58.194");
    ck_assert_str_eq(v->nfs_vers, "4.1");
    ck_assert_str_eq(v->storage_class, "longhorn-rwx");
    ck_assert_ptr_nonnull(strstr(v->storage_class_nfs_options, "vers=4.1"));
    /* mounted over NFS by the writers' node only; the share manager's node
     * mounts the block device */
    ck_assert_int_eq((int)v->clients.n, 1);
    ck_assert_str_eq(v->clients.v[0], N1);
    for (i = 0; i < v->npods; i++)
        if (v->pods[i].name && strncmp(v->pods[i].name, "writer-7d9c5b6f4-", 17) == 0) {
            ck_assert_str_eq(v->pods[i].node, N1);
            ck_assert_str_eq(v->pods[i].ns, "default");
            ck_assert_str_eq(v->pods[i].workload, "ReplicaSet/writer-7d9c5b6f4");
            writers++;
        }
    ck_assert_int_eq((int)writers, 2);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* A node with two Longhorn NFS mounts: the verdict names both, until lsof
 * shows which one the stuck pid has its file on (and who else holds it). */
START_TEST(model_verdict_open_files)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_verdict *v;

    exec(db, "INSERT INTO mounts (bundle_id, member_id, node, line, source, target, fstype, options, nfs_vers, origin) "
             "SELECT bundle_id, member_id, node, 98, '10.43.9.9:/pvc-other', '/mnt/other', 'nfs4', 'vers=4.2', '4.2', "
             "origin FROM mounts WHERE fstype = 'nfs4' AND node = '" N1 "' LIMIT 1");
    m = build(db, NULL, 0);
    v = &case_of(m, "seed-rwx-unpacked")->findings[0].verdict;
    ck_assert_int_eq((int)v->volumes.n, 2);
    ck_assert_int_eq((int)v->nfiles, 0);
    lht_report_model_free(m);
    exec(db, "INSERT INTO open_files (bundle_id, member_id, node, line, pid, command, fd, type, name) "
             "SELECT bundle_id, member_id, node, 900 + pid % 10, pid, 'sh', '1w', 'REG', "
             "'/data/index.html (10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e)' "
             "FROM processes WHERE pid IN (123312, 123315) AND member_id = (SELECT min(member_id) FROM processes "
             "WHERE pid = 123315)");
    m = build(db, NULL, 0);
    v = &case_of(m, "seed-rwx-unpacked")->findings[0].verdict;
    ck_assert_int_eq((int)v->volumes.n, 1);
    ck_assert_str_eq(v->volumes.v[0], "pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e");
    ck_assert_int_eq((int)v->nfiles, 1);
    ck_assert_str_eq(v->files[0].path, "/data/index.html");
    ck_assert_str_eq(v->files[0].mount, "10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e");
    ck_assert_int_eq((int)v->files[0].nothers, 1);
    ck_assert_int_eq((int)v->files[0].others[0], 123312);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* A pod the bundle has no YAML of keeps its UID; a NAS export that no
 * Longhorn object names is not walked. */
START_TEST(model_volume_walk_partial)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_case *x;
    size_t i, bare = 0;

    exec(db, "DELETE FROM k8s_objects WHERE kind = 'Pod' AND namespace = 'default'");
    exec(db, "INSERT INTO mounts (bundle_id, member_id, node, line, source, target, fstype, options, nfs_vers, origin) "
             "SELECT bundle_id, member_id, node, 99, 'nas01:/export/home', '/home', 'nfs4', 'vers=4.2', '4.2', origin "
             "FROM mounts WHERE fstype = 'nfs4' LIMIT 1");
    m = build(db, NULL, 0);
    x = case_of(m, "seed-rwx-unpacked");
    ck_assert_int_eq((int)x->nvolumes, 1);
    for (i = 0; i < x->volumes[0].npods; i++)
        if (x->volumes[0].pods[i].name == NULL) {
            ck_assert_ptr_nonnull(x->volumes[0].pods[i].uid);
            bare++;
        }
    ck_assert_int_eq((int)bare, 2);
    ck_assert_int_eq((int)x->findings[0].verdict.pods.n, 2);
    ck_assert_str_eq(x->findings[0].verdict.pods.v[0], "uid 0710e6fe-c0df-437b-87cd-315d30d00d0c");
    lht_report_model_free(m);
    close_db();
}
END_TEST

START_TEST(model_verdict)
{
    struct lht_report_model *m = build(open_db(), NULL, 0);
    const struct lht_report_case *x = case_of(m, "seed-rwx-unpacked");
    const struct lht_report_verdict *v = &x->findings[0].verdict;

    ck_assert_int_eq((int)x->findings[0].npids, 1);
    ck_assert_int_eq((int)x->findings[0].pid_list[0], 123315);
    ck_assert_ptr_nonnull(v->command);
    ck_assert(strncmp(v->command, "/bin/sh -c sleep 10;", 20) == 0);
    ck_assert_int_eq((int)v->volumes.n, 1);
    ck_assert_str_eq(v->volumes.v[0], "pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e");
    ck_assert_int_eq((int)v->pvcs.n, 1);
    ck_assert_str_eq(v->pvcs.v[0], "default/shared-data");
    ck_assert_int_eq((int)v->workloads.n, 1);
    ck_assert_str_eq(v->workloads.v[0], "ReplicaSet default/writer-7d9c5b6f4");
    ck_assert_int_eq((int)v->pods.n, 2);
    /* why: each required signal once, the stack among them */
    ck_assert_int_eq((int)v->why.n, 2);
    ck_assert(strncmp(v->why.v[0], "d_state: process, customer-transcript.txt line 4", 48) == 0);
    ck_assert(strncmp(v->why.v[1], "open_state_wait: stack, customer-transcript.txt line 7", 54) == 0);
    ck_assert_str_eq(v->fix, "Mount the RWX volume with NFSv4.0, which does not take the NFSv4.1 open-stateid "
                             "wait. New StorageClass `longhorn-rwx-nfs40` (its YAML is under What to do).");
    lht_report_model_free(m);
    /* a short first sentence says too little alone: the next one comes too;
     * a short parenthesis stays */
    exec(lht_store_db(store), "UPDATE findings SET remediation = 'This Longhorn version (unknown) cannot mount RWX "
                              "volumes with' || char(10) || 'NFSv4.0. Avoid concurrent writers to one file: use one "
                              "writer.' || char(10) || char(10) || 'More.'");
    m = build(lht_store_db(store), NULL, 0);
    ck_assert_str_eq(case_of(m, "seed-rwx-unpacked")->findings[0].verdict.fix,
                     "This Longhorn version (unknown) cannot mount RWX volumes with NFSv4.0. Avoid concurrent "
                     "writers to one file.");
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* Every evidence row lands in exactly one item; no two items of a finding
 * hold the same fact text; a fact two signals matched is one item. */
START_TEST(model_evidence_once)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_finding *f;
    size_t g, i, j, k, items = 0, sources = 0;
    int both = 0;

    /* the same ps line from a second member: one item, two sources */
    exec(db, "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, node, line, text, matched, role) "
             "SELECT finding_id, 100 + seq, signal, fact, (SELECT max(id) FROM members), node, 5, text, matched, role "
             "FROM finding_evidence WHERE signal = 'd_state'");
    /* a second signal on the very same fact and line: the same item, one more signal */
    exec(db, "INSERT INTO finding_evidence (finding_id, seq, signal, fact, member_id, node, line, text, matched, role) "
             "SELECT finding_id, 200 + seq, 'second_signal', fact, member_id, node, line, text, NULL, 'supporting' "
             "FROM finding_evidence WHERE signal = 'd_state' AND seq < 100");
    m = build(db, NULL, 0);
    f = &case_of(m, "seed-rwx-unpacked")->findings[0];
    for (g = 0; g < f->ngroups; g++)
        for (i = 0; i < f->groups[g].nitems; i++) {
            const struct lht_report_item *it = &f->groups[g].items[i];
            items++;
            sources += it->nsources;
            ck_assert_int_gt((int)it->nsources, 0);
            ck_assert_msg(it->sources[0].member == f->groups[g].member ||
                          strcmp(it->sources[0].member, f->groups[g].member) == 0, "item not in its member's group");
            for (k = 0; k < it->signals.n; k++)
                if (strcmp(it->signals.v[k], "second_signal") == 0 && it->signals.n > 1)
                    both = 1;
            if (strstr(it->text, "123315 Ds+")) {
                /* the transcript, the bundle's processes_info, the copy added here */
                ck_assert_int_eq((int)it->nsources, 3);
                ck_assert_str_eq(it->role, "required");
            }
            for (j = i + 1; j < f->groups[g].nitems; j++)
                ck_assert_msg(strcmp(it->text, f->groups[g].items[j].text) != 0, "one text twice");
        }
    ck_assert_msg(both, "two signals on one line are one item");
    ck_assert_int_lt((int)items, (int)f->nevidence);
    ck_assert_int_le((int)sources, (int)f->nevidence);
    lht_report_model_free(m);
    close_db();
}
END_TEST

START_TEST(model_anomalies)
{
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    const struct lht_report_case *x;
    size_t i;

    m = build(db, NULL, 0);
    x = case_of(m, "disk-hang.zip");
    ck_assert_int_eq((int)x->nanomaly_counts, 2);
    ck_assert_str_eq(x->anomaly_counts[0].kind, "d_state");
    ck_assert_int_eq((int)x->anomaly_counts[0].total, 3);
    ck_assert_str_eq(x->anomaly_counts[1].kind, "hung_task");
    ck_assert_int_eq((int)x->anomaly_counts[1].total, 2);
    ck_assert_str_eq(x->anomalies[3].text, "INFO: task jbd2/sdb-8:1187 blocked for more than 120 seconds.");
    ck_assert_str_eq(x->anomalies[3].detail, "jbd2_journal_commit_transaction < kjournald2 < kthread");
    ck_assert_int_eq((int)x->anomalies[3].source.line, 1);
    /* the stuck pids are in the command to ask for */
    for (i = 0; i < x->nmissing && strcmp(x->missing[i].kind, "stack") != 0; i++)
        ;
    ck_assert_int_lt((int)i, (int)x->nmissing);
    ck_assert_str_eq(x->missing[i].node, "rhel-worker-1");
    ck_assert_ptr_nonnull(strstr(x->missing[i].commands.v[0], "for p in 1187 48211 48215; do"));
    /* the seed's D-state writer is its finding's subject: not an anomaly */
    x = case_of(m, "seed-rwx-unpacked");
    ck_assert_int_eq((int)x->nanomalies, 0);
    lht_report_model_free(m);
    /* many D-state processes: capped, counted */
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
             "INSERT INTO processes (bundle_id, member_id, node, line, pid, user, stat, command) "
             "SELECT bundle_id, member_id, node, 1000 + i, 70000 + i, 'root', 'D', 'dd' FROM n, "
             "(SELECT * FROM processes WHERE pid = 48211)");
    m = build(db, NULL, 0);
    x = case_of(m, "disk-hang.zip");
    ck_assert_int_eq((int)x->anomaly_counts[0].total, 33);
    ck_assert_int_eq((int)x->anomaly_counts[0].shown, LHT_REPORT_MAX_ANOMALIES);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* Invalid bytes and controls leave the model as \xNN text, the same in
 * every format. */
START_TEST(model_text_is_clean)
{
    struct lht_sb b = LHT_SB_INIT;
    sqlite3 *db = open_db();
    struct lht_report_model *m;
    struct lht_sb md = LHT_SB_INIT, js = LHT_SB_INIT, html = LHT_SB_INIT;

    static const char in[] = "a\xff\r\n\x1b[1m\xc2\x9b\xc2\xa0\tz\r";

    lht_utf8_clean(&b, in, sizeof in - 1);
    ck_assert_str_eq(lht_sb_str(&b), "a\\xff\n\\x1b[1m\\xc2\\x9b\xc2\xa0\tz\\x0d");
    lht_sb_free(&b);
    exec(db, "UPDATE finding_evidence SET text = '<b>x</b> ' || char(27) || '[2J' || cast(x'ff' AS TEXT)");
    m = build(db, NULL, 0);
    lht_md_report(m, &md);
    lht_json_report(m, &js);
    lht_html_report(m, &html);
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&md), "<b>x</b> \\x1b[2J\\xff"));   /* in a fence */
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&js), "\"<b>x</b> \\\\x1b[2J\\\\xff\""));
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&html), "&lt;b&gt;x&lt;/b&gt; \\x1b[2J\\xff"));
    ck_assert_ptr_null(strstr(lht_sb_str(&html), "<b>x"));
    ck_assert(valid_utf8((const unsigned char *)lht_sb_str(&md)));
    ck_assert(valid_utf8((const unsigned char *)lht_sb_str(&html)));
    lht_sb_free(&md);
    lht_sb_free(&js);
    lht_sb_free(&html);
    lht_report_model_free(m);
    close_db();
}
END_TEST

/* --short: one line per finding, one per quiet case. */
START_TEST(short_is_one_line_each)
{
    struct lht_report_model *m = build(open_db(), NULL, 0);
    struct lht_sb out = LHT_SB_INIT;
    size_t i, lines = 0, want = 0;

    lht_short_report(m, &out);
    for (i = 0; i < out.len; i++)
        lines += out.p[i] == '\n';
    for (i = 0; i < m->ncases; i++)
        want += m->cases[i].nfindings ? m->cases[i].nfindings : 1;
    ck_assert_int_eq((int)lines, (int)want);
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&out), "**error, confirmed** `" RWX "` on `" N1 "` pid 123315 "));
    ck_assert_ptr_nonnull(strstr(lht_sb_str(&out), ", PVC `default/shared-data`, `ReplicaSet default/writer-7d9c5b6f4`. Fix: "));
    lht_sb_free(&out);
    lht_report_model_free(m);
    close_db();
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("escaping");
    tcase_add_test(tc, cells_and_inline);
    tcase_add_test(tc, rule_text_placeholders);
    tcase_add_test(tc, fences_outgrow_content);
    tcase_add_test(tc, long_lines_are_cut);
    tcase_add_test(tc, utf8_is_strict);
    suite_add_tcase(s, tc);
    tc = tcase_create("json");
    tcase_add_test(tc, json_escapes);
    tcase_add_test(tc, json_utf8);
    tcase_add_test(tc, json_utf8_is_strict);
    tcase_add_test(tc, json_of_any_bytes_is_valid);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_add_unchecked_fixture(tc, scan_fixtures, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, model_cases);
    tcase_add_test(tc, model_findings_and_evidence);
    tcase_add_test(tc, model_checked_missing_notes);
    tcase_add_test(tc, model_worst_first);
    tcase_add_test(tc, model_selects_cases);
    tcase_add_test(tc, model_needs_report_views);
    tcase_add_test(tc, renderers_format_the_model);
    tcase_add_test(tc, redact_text_forms);
    tcase_add_test(tc, redact_key_per_database);
    tcase_add_test(tc, redact_in_the_model);
    tcase_add_test(tc, redact_the_case_shape);
    tcase_add_test(tc, model_volume_walk);
    tcase_add_test(tc, model_volume_walk_partial);
    tcase_add_test(tc, model_verdict);
    tcase_add_test(tc, model_verdict_open_files);
    tcase_add_test(tc, model_evidence_once);
    tcase_add_test(tc, model_anomalies);
    tcase_add_test(tc, model_text_is_clean);
    tcase_add_test(tc, short_is_one_line_each);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(report_suite)
