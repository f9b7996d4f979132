/*
 * hostname.c - `hostname` output into the node's hostname kv.
 *
 * A sosreport saves it as sos_commands/host/hostname (sos 3.5.1+; before
 * that sos_commands/general/hostname; host plugin,
 * https://github.com/sosreport/sos/blob/4.10.0/sos/report/plugins/host.py),
 * a supportconfig as the `# /bin/hostname` section of network.txt
 * (net_info_namespace, https://github.com/openSUSE/supportutils/blob/v3.2.11/bin/supportconfig).
 * It is gethostname(), the kernel's nodename: the name kubelet registers
 * a node under unless told otherwise, and what joins a node's own report
 * to the bundle's nodes. The first line that is a host name counts.
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <string.h>

/* RFC 1123 labels joined by dots; '_' too, which real nodes carry. */
static int is_hostname(const char *s, size_t l)
{
    size_t i;

    if (l == 0 || l > 253 || s[0] == '.' || s[0] == '-')
        return 0;
    for (i = 0; i < l; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int lht_parse_hostname(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct lht_kv kv;

    lht_lines_init(&it, buf, buf ? len : 0, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s = lht_ltrim(ln.s, &l);
        l = lht_rtrim(s, l);
        if (l == 0)
            continue;
        if (!is_hostname(s, l))
            return lht_pctx_note_line(ctx, ln.no, "hostname", "not a host name", s, l) == LHT_OK ? 0
                                                                                                : LHT_ENOMEM;
        kv.at = lht_pctx_at(ctx, ln.no);
        kv.key = "hostname";
        kv.value = lht_facts_str(ctx->facts, s, l);
        if (kv.value == NULL || lht_facts_add_kv(ctx->facts, &kv) != LHT_OK)
            return LHT_ENOMEM;
        return 1;
    }
    return 0;
}
