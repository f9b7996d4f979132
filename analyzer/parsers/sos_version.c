/*
 * sos_version.c - a sosreport's version.txt into the sos_version kv.
 *
 * sos writes "sos report: <version>" (4.x, sos/report/__init__.py
 * version(), https://github.com/sosreport/sos/blob/4.10.0/sos/report/__init__.py)
 * or "sosreport: <version>" followed by "<plugin>: <version>" lines (3.x,
 * https://github.com/sosreport/sos/blob/3.9.1/sos/sosreport.py). The
 * version says what the report can hold: /proc/<pid>/stack and status
 * are copied only by sos 4.2 and later.
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <string.h>

static const char *const labels[] = {"sos report:", "sosreport:"};

int lht_parse_sos_version(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct lht_kv kv;
    size_t i;

    lht_lines_init(&it, buf, buf ? len : 0, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
            size_t n = strlen(labels[i]), vl;
            const char *v;
            if (!lht_starts(ln.s, ln.len, labels[i]))
                continue;
            vl = ln.len - n;
            v = lht_ltrim(ln.s + n, &vl);
            vl = lht_rtrim(v, vl);
            if (vl == 0 || vl > 64 || v[0] < '0' || v[0] > '9')
                break;
            kv.at = lht_pctx_at(ctx, ln.no);
            kv.key = "sos_version";
            kv.value = lht_facts_str(ctx->facts, v, vl);
            if (kv.value == NULL || lht_facts_add_kv(ctx->facts, &kv) != LHT_OK)
                return LHT_ENOMEM;
            return 1;
        }
    }
    return 0;
}
