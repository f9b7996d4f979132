/*
 * supportconfig.c - see supportconfig.h.
 */
#include "ingest/supportconfig.h"
#include "core/err.h"
#include "core/text.h"

#include <string.h>

#define MAX_LABEL 4096

enum entry { E_OTHER, E_COMMAND, E_FILE };

/* "#==[ Title ]=====#": the entry type, or -1 when s is no marker. */
static int marker(const char *s, size_t len)
{
    static const struct {
        const char *title;
        enum entry type;
    } titles[] = {{"Command", E_COMMAND}, {"Configuration File", E_FILE}, {"Log File", E_FILE}};
    const char *close;
    size_t i, tl;

    len = lht_rtrim(s, len);
    if (len < 9 || !lht_starts(s, len, "#==[ ") || s[len - 1] != '#' || s[len - 2] != '=')
        return -1;
    close = lht_find(s + 5, len - 5, " ]=");
    if (close == NULL)
        return -1;
    tl = (size_t)(close - (s + 5));
    for (i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strlen(titles[i].title) == tl && memcmp(s + 5, titles[i].title, tl) == 0)
            return (int)titles[i].type;
    return E_OTHER;
}

int lht_supportconfig_markers(const char *buf, size_t len, int max)
{
    struct lht_lines it;
    struct lht_line ln;
    int n = 0, lines = 0;

    lht_lines_init(&it, buf, buf ? len : 0, 1);
    while (n < max && lines++ < 2000 && lht_line_next(&it, &ln))
        if (marker(ln.s, ln.len) >= 0)
            n++;
    return n;
}

/* The label a route sees: a command with argv[0] cut to its base name,
 * or a file's path without " - File not found" / " - Last N Lines". */
static size_t label(enum entry type, const char *s, size_t len, char *out, size_t outsz)
{
    const char *dash;
    size_t l;

    if (!lht_starts(s, len, "# "))
        return 0;
    s += 2;
    len = lht_rtrim(s, len - 2);
    if (type == E_FILE && (dash = lht_find(s, len, " - ")) != NULL)
        len = (size_t)(dash - s);
    if (type == E_COMMAND && len > 0 && s[0] == '/') {
        const char *end = memchr(s, ' ', len), *base = s;
        const char *p;
        for (p = s; p < (end ? end : s + len); p++)
            if (*p == '/')
                base = p + 1;
        len -= (size_t)(base - s);
        s = base;
    }
    l = len < outsz - 1 ? len : outsz - 1;
    memcpy(out, s, l);
    out[l] = '\0';
    return l;
}

/* Kind of the section a marker of type `type` and label lab opens. */
static enum lht_kind route(enum entry type, const char *lab, size_t len, long *pid, int *fail)
{
    enum lht_kind k;

    *pid = -1;
    if (type == E_OTHER || len == 0)
        return LHT_K_OTHER;
    k = lht_transcript_command_kind(lab, len, pid, fail);
    return k == LHT_K_UNKNOWN ? LHT_K_OTHER : k;
}

int lht_supportconfig_split(const char *buf, size_t len, lht_section_fn fn, void *ud, int *fail)
{
    struct lht_lines it;
    struct lht_line ln;
    struct lht_section sec;
    char lab[MAX_LABEL];
    int have = 0, want_label = 0, type = E_OTHER, rc, t;

    memset(&sec, 0, sizeof sec);
    lht_lines_init(&it, buf, buf ? len : 0, 1);
    while (lht_line_next(&it, &ln)) {
        const char *next = ln.s + ln.len;
        /* the line's end in buf, its "\n" included */
        while (next < buf + len && (*next == '\r' || *next == '\n'))
            if (*next++ == '\n')
                break;
        if ((t = marker(ln.s, ln.len)) >= 0) {
            if (have) {
                sec.body_len = (size_t)(ln.s - sec.body);
                if ((rc = fn(ud, &sec)) != LHT_OK)
                    return rc;
            }
            have = 1;
            want_label = 1;
            type = t;
            lab[0] = '\0';
            sec.host = NULL;
            sec.command = lab;
            sec.prompt_line = ln.no;
            sec.body = next;
            sec.body_line = ln.no + 1;
            sec.kind = route(type, lab, 0, &sec.pid, fail);
            continue;
        }
        if (want_label) {
            size_t l = label((enum entry)type, ln.s, ln.len, lab, sizeof lab);
            want_label = 0;
            if (l > 0 || lht_starts(ln.s, ln.len, "# ")) {
                sec.body = next;
                sec.body_line = ln.no + 1;
                sec.kind = route(type, lab, l, &sec.pid, fail);
            }
        }
    }
    if (have) {
        sec.body_len = (size_t)(buf + len - sec.body);
        return fn(ud, &sec);
    }
    return LHT_OK;
}
