/* parse.c - helpers shared by the extractors (see parse.h). */
#include "parsers/parse.h"
#include "core/re.h"

int lht_pctx_note_line(const struct lht_pctx *ctx, long no, const char *parser, const char *what,
                       const char *s, size_t len)
{
    struct lht_prov at = lht_pctx_at(ctx, no);
    int shown = len > 80 ? 80 : (int)len;
    int i;

    /* the excerpt is for a one-line message: stop at control bytes */
    for (i = 0; i < shown; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            shown = i;
    return lht_facts_note(ctx->facts, &at, "%s: %s: \"%.*s%s\"", parser, what, shown, s,
                              (size_t)shown < len ? "..." : "");
}

int lht_pctx_re_failed(const struct lht_pctx *ctx, long no, const char *who, int code,
                       unsigned long count)
{
    struct lht_prov at = lht_pctx_at(ctx, no);
    char why[200];

    if (code == 0)
        return LHT_OK;
    lht_re_fail_text(code, why, sizeof why);
    if (!lht_re_fail_is_limit(code))
        return code == PCRE2_ERROR_NOMEMORY ? LHT_ENOMEM : LHT_EPARSE;
    return lht_facts_note(ctx->facts, &at, "%s: a pattern gave up on this text %lu time%s, first here (%s); "
                          "evidence may be missed", who, count, count == 1 ? "" : "s", why);
}
