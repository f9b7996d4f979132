/*
 * render.h - the renderers of a report model (model.h).
 *
 * A renderer formats a built model and nothing else: it never queries the
 * database, so all formats agree on what a report says. Each appends to
 * out; an allocation failure shows as out->oom. A new format is a new
 * file with one function here and one line in report.c's table.
 */
#ifndef LHT_REPORT_RENDER_H
#define LHT_REPORT_RENDER_H

#include "core/strbuf.h"
#include "report/model.h"

/* Markdown for tickets (markdown.c). */
void lht_md_report(const struct lht_report_model *m, struct lht_sb *out);

/* One self-contained HTML page (html.c). */
void lht_html_report(const struct lht_report_model *m, struct lht_sb *out);

/* One line per finding, for a ticket's first comment (short.c). */
void lht_short_report(const struct lht_report_model *m, struct lht_sb *out);

/* One compact JSON document and a newline (json.c). */
void lht_json_report(const struct lht_report_model *m, struct lht_sb *out);

/* Append s as a JSON string: '"' and '\\' escaped, \b \t \n \f \r as
 * such, other control bytes, DEL and the C1 controls (U+0080..U+009F)
 * as \u00XX, every byte that is not
 * part of valid UTF-8 as the text \xNN (an escaped backslash, then xNN:
 * what markdown and HTML show for it, utf8.h), so the output is valid
 * UTF-8 JSON whatever the bundle held. NULL appends null. */
void lht_json_str(struct lht_sb *b, const char *s);

#endif
