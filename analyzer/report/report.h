/*
 * report.h - stage 5: the findings report, from the database alone.
 *
 * One model (model.h) is built from the v_* views, then formatted by a
 * renderer (render.h): markdown for tickets (GitHub/GitLab and plain
 * CommonMark render it, and it reads as plain text), one line per finding
 * (--short), one JSON document, or one self-contained HTML page. Bundle text is untrusted:
 * every renderer escapes it for the place it lands in (table cell, inline
 * text, fenced block, JSON string), so it cannot break the page. Output is
 * deterministic for a given database.
 */
#ifndef LHT_REPORT_H
#define LHT_REPORT_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

enum { LHT_REPORT_MD = 0, LHT_REPORT_JSON = 1, LHT_REPORT_HTML = 2, LHT_REPORT_SHORT = 3 };

struct lht_report_opts {
    int format;                  /* LHT_REPORT_MD, _JSON, _HTML or _SHORT */
    const char *const *bundles;  /* inputs (names, ids or path suffixes) whose cases to report */
    size_t nbundles;
    const char *const *cases;    /* cases (ids, names or folders); none of either = all */
    size_t ncases;
    int redact;                  /* 1: host names and IP addresses become tokens (redact.h) */
    int detail;                  /* 1: every case in detail even when there are many */
    size_t top;                  /* tickets in the fleet summary's top list; 0: the default */
};

/* Append the report to out (the caller owns and frees out): with no case
 * or input named and no o->detail, over more than one case the fleet
 * summary (fleet.h), else each case in detail. LHT_ENOTFOUND when a named
 * case or input is not in the DB. */
int lht_report_render(sqlite3 *db, const struct lht_report_opts *o, struct lht_sb *out,
                      lht_err *err);

/* Markdown helpers, exposed for tests: inline text, a table cell, and a
 * fenced block whose fence is longer than any backtick run inside. Control
 * bytes and invalid UTF-8 become \xNN; long lines are cut. */
void lht_md_inline(struct lht_sb *b, const char *s);
void lht_md_cell(struct lht_sb *b, const char *s);
void lht_md_fence(struct lht_sb *b, const char *lang, const char *s);
/* A code span (in_table: also escape '|', which ends a GFM cell even there). */
void lht_md_code(struct lht_sb *b, const char *s, int in_table);
/* Trusted rule text (markdown) as written, except that a '<' outside code
 * that does not start an autolink is &lt;: a placeholder like <ip> would
 * be a raw HTML tag, which renderers drop. */
void lht_md_rule(struct lht_sb *b, const char *s);

#endif
