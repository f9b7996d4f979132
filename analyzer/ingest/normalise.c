/*
 * normalise.c - see normalise.h.
 *
 * Three passes, each linear in the input:
 *   1. look: which dresses occur at all (most pastes need nothing, and
 *      then nothing is copied);
 *   2. decode into one new buffer: line ends, quoted-printable, HTML
 *      entities and tags, odd spaces; each finished line then loses its
 *      quote markers, fence or bold markers in place, and a table row
 *      run that an HTML archive collapsed into one line is cut back into
 *      rows. The line map grows as output lines end;
 *   3. strip the indentation common to each block (lines between blank
 *      lines), in place.
 * Nothing is allocated per line. Decoding only ever shrinks the text
 * (an entity or escape is longer than what it stands for, a cut row
 * trades a space for a newline), so the output fits the input's size.
 *
 * What is decoded is decided for the whole text, and conservatively:
 *   - quoted-printable only when the text really is QP: soft breaks on
 *     lines of QP length (RFC 2045 wraps at 76) or escapes such as =3D,
 *     =20 or encoded UTF-8, since "=" is everywhere in mount options.
 *     Only those escapes are decoded: an undecoded "timeo=600" must not
 *     turn into "timeo`0";
 *   - HTML only when a known entity or lower-case tag occurs. Kernel
 *     text holds "<6>", "<TASK>" and "[<ffffffff81...>]", none of which
 *     is a tag here.
 */
#include "ingest/normalise.h"
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <stdlib.h>
#include <string.h>

/* ---- what the text holds ---------------------------------------------- */

struct look {
    unsigned need;      /* LHT_NORM_* passes worth running */
    long soft, strong;  /* QP soft breaks on QP-length lines, telling escapes */
    long html;          /* known entities and tags */
    long mdesc;         /* "\_": a markdown editor escaped the underscores */
};

static int is_uhex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* "=3D", "=20", "=09" and encoded UTF-8 ("=E2=80=A6") only occur in QP. */
static int qp_strong(const char *s, const char *e)
{
    int hi;

    if (e - s < 3 || s[0] != '=' || !is_uhex(s[1]) || !is_uhex(s[2]))
        return 0;
    if ((s[1] == '3' && s[2] == 'D') || (s[1] == '2' && s[2] == '0') || (s[1] == '0' && s[2] == '9'))
        return 1;
    hi = hexval(s[1]);
    return hi >= 0xC && hi <= 0xE && e - s >= 6 && s[3] == '=' && is_uhex(s[4]) && is_uhex(s[5]) &&
           hexval(s[4]) >= 8 && hexval(s[4]) <= 0xB;
}

/* The byte a QP escape at s stands for, or -1 when it is not one we
 * decode (see the file comment). */
static int qp_byte(const char *s, const char *e)
{
    int v;

    if (e - s < 3 || s[0] != '=' || !is_uhex(s[1]) || !is_uhex(s[2]))
        return -1;
    v = hexval(s[1]) * 16 + hexval(s[2]);
    return v == 0x3D || v == 0x20 || v == 0x09 || v >= 0x80 ? v : -1;
}

static const char *const tags[] = {
    "pre", "code", "span", "p", "div", "br", "b", "i", "em", "strong", "a", "li", "ul", "ol", "tt", "kbd",
    "samp", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "tbody", "thead",
    "font", "hr", "img", "sup", "sub", "small", "details", "summary", "section", "article", "figure",
};
/* Tags that end a line of text where they stand. */
static const char *const block_tags[] = {"br", "p", "div", "pre", "li", "tr", "blockquote", "h1", "h2",
                                          "h3", "h4", "h5", "h6", "ul", "ol", "table", "hr", "details"};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static int in_list(const char *const *list, size_t n, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

/* A known tag at s (on one line): its length, 0 when not one. *brk: it
 * ends a line. */
static size_t html_tag(const char *s, const char *e, int *brk)
{
    const char *p = s + 1, *name, *gt;
    size_t nl;

    *brk = 0;
    if (p < e && *p == '/')
        p++;
    name = p;
    while (p < e && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
        p++;
    nl = (size_t)(p - name);
    if (nl == 0 || name[0] < 'a' || p >= e || !(*p == '>' || *p == ' ' || *p == '/' || *p == '\t') ||
        !in_list(tags, N(tags), name, nl))
        return 0;
    gt = memchr(p, '>', (size_t)(e - p) < 1024 ? (size_t)(e - p) : 1024);
    if (gt == NULL || memchr(p, '\n', (size_t)(gt - p)) != NULL)
        return 0;
    *brk = in_list(block_tags, N(block_tags), name, nl);
    return (size_t)(gt + 1 - s);
}

static const struct {
    const char *name;
    const char *text;
} entities[] = {
    {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
    {"ldquo", "\""}, {"rdquo", "\""}, {"lsquo", "'"}, {"rsquo", "'"}, {"laquo", "\""},
    {"raquo", "\""}, {"hellip", "..."}, {"ndash", "-"}, {"mdash", "-"}, {"tab", "\t"},
};

/* UTF-8 for code point cp into out (>= 4 bytes); length, 0 when invalid. */
static size_t utf8(unsigned long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* An entity at s: its length, with what it stands for in out (*outlen,
 * never longer than the entity); 0 when not one. A newline entity sets
 * *outlen to 0 and *nl. */
static size_t html_entity(const char *s, const char *e, char *out, size_t *outlen, int *nl)
{
    const char *semi, *n = s + 1;
    size_t len, i;

    *nl = 0;
    semi = memchr(n, ';', (size_t)(e - n) < 12 ? (size_t)(e - n) : 12);
    if (semi == NULL || semi == n)
        return 0;
    len = (size_t)(semi - n);
    if (n[0] == '#') {
        unsigned long cp = 0;
        int hex = len > 1 && (n[1] == 'x' || n[1] == 'X');
        size_t k = hex ? 2 : 1;
        if (k >= len)
            return 0;
        for (; k < len; k++) {
            int d = (n[k] >= '0' && n[k] <= '9') ? n[k] - '0'
                    : hex && ((n[k] | 0x20) >= 'a' && (n[k] | 0x20) <= 'f') ? (n[k] | 0x20) - 'a' + 10
                                                                           : -1;
            if (d < 0 || cp > 0x10FFFF)
                return 0;
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        }
        if (cp == '\n') {
            *nl = 1;
            *outlen = 0;
            return len + 2;
        }
        if (cp == 0 || (cp < 0x20 && cp != '\t') || (*outlen = utf8(cp, out)) == 0)
            return 0;
        return len + 2;
    }
    for (i = 0; i < N(entities); i++)
        if (strlen(entities[i].name) == len && memcmp(entities[i].name, n, len) == 0) {
            *outlen = strlen(entities[i].text);
            memcpy(out, entities[i].text, *outlen);
            return len + 2;
        }
    return 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A line this long may be a table an HTML archive ran together. */
#define ROWS_MIN 80

/* A record start inside a line: 1 for a stack frame "[<0>] sym+0x..."
 * (or "[<ffffffff81...>] ? sym+0x"), 2 for a printk time "[  123.456] ",
 * 0 for neither. An ARM frame's "[<c08a3a10>] (sym) from [<...>]" is one
 * line of its own, not two records. */
static int record_start(const char *p, const char *e)
{
    const char *q = p + 1;

    if (e - p < 5 || *p != '[')
        return 0;
    if (*q == '<') {
        for (q++; q < e && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || *q == 'x'); q++)
            ;
        if (q == p + 2 || e - q < 4 || q[0] != '>' || q[1] != ']' || q[2] != ' ')
            return 0;
        for (q += 3; e - q >= 2 && q[0] == '?' && q[1] == ' '; q += 2)
            ;
        for (p = q; q < e && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                              *q == '_' || *q == '.');
             q++)
            ;
        return q > p && e - q >= 3 && q[0] == '+' && q[1] == '0' && q[2] == 'x' ? 1 : 0;
    }
    while (q < e && *q == ' ')
        q++;
    if (q >= e || *q < '0' || *q > '9')
        return 0;
    while (q < e && *q >= '0' && *q <= '9')
        q++;
    if (q >= e || *q != '.')
        return 0;
    for (q++; q < e && *q >= '0' && *q <= '9'; q++)
        ;
    return e - q >= 2 && q[0] == ']' && q[1] == ' ' ? 2 : 0;
}

/* A stack or a kernel log whose newlines an archive collapsed: three or
 * more frames, or three or more timestamps, on one line. The offsets of
 * the blanks before each of them (at most max); 0 when the line holds
 * fewer. */
static size_t record_cuts(const char *s, size_t len, size_t *cuts, size_t max)
{
    const char *p, *e = s + len;
    size_t n = 0, seen[3] = {0, 0, 0};
    int kind, want;

    for (p = s; p < e; p++)
        if (*p == '[' && (kind = record_start(p, e)) > 0)
            seen[kind]++;
    want = seen[1] >= 3 ? 1 : seen[2] >= 3 ? 2 : 0;
    if (want == 0)
        return 0;
    /* before each record, the first too when text comes before it (the
     * command that printed them, run onto the same line) */
    for (p = s, seen[want] = 0; p < e; p++)
        if (*p == '[' && record_start(p, e) == want && (seen[want]++ > 0 || lht_rtrim(s, (size_t)(p - s)) > 0) &&
            p > s && p[-1] == ' ' && n < max)
            cuts[n++] = (size_t)(p - 1 - s);
    return n;
}

/* One line of the input for pass 1. */
static void look_line(struct look *lk, const char *s, size_t len, size_t *indent)
{
    const char *p = s, *e = s + len;
    size_t k = 0;
    int brk;

    while (k < len && blank(s[k]))
        k++;
    *indent = k;
    if (k > 0 && k < len)
        lk->need |= LHT_NORM_INDENT;
    if (k <= 3 && k < len && s[k] == '>')
        lk->need |= LHT_NORM_QUOTE;
    if ((len - k >= 3 && (memcmp(s + k, "```", 3) == 0 || memcmp(s + k, "~~~", 3) == 0)) ||
        lht_starts(s + k, len - k, "{code") || lht_starts(s + k, len - k, "{noformat}") ||
        lht_starts(s + k, len - k, "{quote}") || (len > 3 && memcmp(e - 3, "```", 3) == 0))
        lk->need |= LHT_NORM_FENCE;
    if ((len - k >= 3 && memcmp(s + k, "**", 2) == 0) || (len >= 3 && memcmp(e - 2, "**", 2) == 0))
        lk->need |= LHT_NORM_BOLD;
    if (len >= 60 && len <= 78 && e[-1] == '=' && e[-2] != '=')
        lk->soft++;
    if (len > ROWS_MIN) {
        size_t cut[4];
        if (lht_ps_collapsed_cuts(s, len, cut, 1) > 0 || record_cuts(s, len, cut, 4) > 0)
            lk->need |= LHT_NORM_ROWS;
    }
    for (; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '=') {
            lk->strong += qp_strong(p, e);
        } else if (c == '&') {
            char tmp[8];
            size_t tl;
            int nl;
            if (html_entity(p, e, tmp, &tl, &nl))
                lk->html++;
        } else if (c == '<') {
            if (html_tag(p, e, &brk))
                lk->html++;
        } else if (c == 0xC2 && p + 1 < e && (unsigned char)p[1] == 0xA0) {
            lk->need |= LHT_NORM_SPACE;
        } else if (c == 0xE2 && e - p >= 3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x8B) {
            lk->need |= LHT_NORM_SPACE;
        } else if (c == '\r') {
            lk->need |= LHT_NORM_CR;
        } else if (c == 0x1B) {
            lk->need |= LHT_NORM_ANSI;
        } else if (c == '\\' && p + 1 < e && p[1] == '_') {
            lk->mdesc++;
        }
    }
}

static void look(const char *buf, size_t len, struct look *lk)
{
    const char *p = buf, *e = buf + len;
    size_t block_min = (size_t)-1, ind;
    int indented_block = 0;

    memset(lk, 0, sizeof *lk);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        lk->need |= LHT_NORM_SPACE;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);
        look_line(lk, p, l, &ind);
        if (ind == l) {
            indented_block |= block_min != (size_t)-1 && block_min > 0;
            block_min = (size_t)-1;
        } else if (ind < block_min) {
            block_min = ind;
        }
        p = nl ? nl + 1 : e;
    }
    indented_block |= block_min != (size_t)-1 && block_min > 0;
    /* one indented line is no reason to copy: only a block indented as a whole */
    lk->need &= ~(unsigned)LHT_NORM_INDENT;
    if (indented_block)
        lk->need |= LHT_NORM_INDENT;
    if (lk->soft >= 2 || (lk->soft >= 1 && lk->strong >= 1) || lk->strong >= 3)
        lk->need |= LHT_NORM_QP;
    if (lk->html > 0)
        lk->need |= LHT_NORM_HTML;
    if (lk->mdesc >= 2)
        lk->need |= LHT_NORM_MDESC;
}

/* ---- pass 2: decode ----------------------------------------------------- */

struct out {
    char *o;            /* output buffer */
    size_t w;           /* bytes written */
    size_t line0;       /* where the current output line starts */
    long orig;          /* input line being read (1-based) */
    long line_orig;     /* input line the current output line started on */
    long *map;
    size_t nmap, capmap;
    unsigned need, done;
};

static int push_map(struct out *st, long orig)
{
    if (st->nmap == st->capmap) {
        size_t cap = st->capmap ? st->capmap * 2 : 256;
        long *m = realloc(st->map, cap * sizeof *m);
        if (m == NULL)
            return LHT_ENOMEM;
        st->map = m;
        st->capmap = cap;
    }
    st->map[st->nmap++] = orig;
    return LHT_OK;
}

/* Remove n bytes at the start of the current line. */
static void drop_head(struct out *st, size_t n)
{
    memmove(st->o + st->line0, st->o + st->line0 + n, st->w - st->line0 - n);
    st->w -= n;
}

/* Mail quote markers: "> ", ">", "> > >>>>>> "; the blank after the last
 * marker goes with it, the payload's own indentation stays. */
static void strip_quote(struct out *st)
{
    const char *s = st->o + st->line0, *e = st->o + st->w, *p = s;
    size_t k = 0;

    while (p < e && k < 3 && blank(*p))
        p++, k++;
    if (p >= e || *p != '>')
        return;
    while (p < e && *p == '>') {
        p++;
        if (p + 1 < e && *p == ' ' && p[1] == '>')
            p++;
    }
    if (p < e && *p == ' ')
        p++;
    drop_head(st, (size_t)(p - s));
    st->done |= LHT_NORM_QUOTE;
}

/* "```", "```text", "``` shell", "~~~bash", "```bash decproc.sh": gone. */
/* "... [nfsv4]```": a fence closed at the end of a line of text. */
static void strip_fence_at_end(struct out *st)
{
    const char *s = st->o + st->line0;
    size_t len = lht_rtrim(s, st->w - st->line0);

    if (len > 3 && memcmp(s + len - 3, "```", 3) == 0 && s[len - 4] != '`' && lht_rtrim(s, len - 3) > 0) {
        st->w = st->line0 + len - 3;
        st->done |= LHT_NORM_FENCE;
    }
}

static void strip_fence(struct out *st)
{
    const char *s = st->o + st->line0, *e = st->o + st->w, *p = s;

    while (p < e && blank(*p))
        p++;
    if (e - p >= 6 && (lht_starts(p, (size_t)(e - p), "{code") || lht_starts(p, (size_t)(e - p), "{noformat}") ||
                       lht_starts(p, (size_t)(e - p), "{quote}"))) {
        /* Jira: {code}, {code:bash}, {noformat}, {quote} alone on a line */
        const char *c = memchr(p, '}', (size_t)(e - p));
        if (c == NULL || lht_rtrim(c + 1, (size_t)(e - c - 1)) != 0)
            return;
        st->w = st->line0;
        st->done |= LHT_NORM_FENCE;
        return;
    }
    strip_fence_at_end(st);
    s = st->o + st->line0;
    e = st->o + st->w;
    for (p = s; p < e && blank(*p);)
        p++;
    if (e - p < 3 || !(memcmp(p, "```", 3) == 0 || memcmp(p, "~~~", 3) == 0))
        return;
    if (e - p > 3 && !((p[3] >= 'a' && p[3] <= 'z') || (p[3] >= 'A' && p[3] <= 'Z') || blank(p[3]) || p[3] == '`' ||
                       p[3] == '~' || p[3] == '{')) {
        /* chat style: the text starts right after the fence ("```[<0>] sym") */
        drop_head(st, (size_t)(p + 3 - s));
        st->done |= LHT_NORM_FENCE;
        return;
    }
    for (p += 3; p < e; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(" \t._+-{}=~`", *p) != NULL))
            return;
    st->w = st->line0;
    st->done |= LHT_NORM_FENCE;
}

/* "**root  1454 ... D ...**": the markdown, not the row. */
static void strip_bold(struct out *st)
{
    const char *s = st->o + st->line0, *p = s;
    size_t len = st->w - st->line0, k = 0;

    while (k < len && blank(p[k]))
        k++;
    if (len - k > 4 && memcmp(p + k, "**", 2) == 0 && p[k + 2] != '*' && !blank(p[k + 2])) {
        memmove(st->o + st->line0 + k, st->o + st->line0 + k + 2, len - k - 2);
        st->w -= 2;
        len -= 2;
        st->done |= LHT_NORM_BOLD;
    }
    while (len > 0 && blank(s[len - 1]))
        len--;
    if (len > 4 && memcmp(s + len - 2, "**", 2) == 0 && s[len - 3] != '*' && !blank(s[len - 3])) {
        memmove(st->o + st->line0 + len - 2, st->o + st->line0 + len, st->w - st->line0 - len);
        st->w -= 2;
        st->done |= LHT_NORM_BOLD;
    }
}

/* The current output line is complete: undress it, cut collapsed rows,
 * record where it came from, and end it with nl (0: no newline). */
static int end_line(struct out *st, int nl)
{
    if (st->need & LHT_NORM_QUOTE)
        strip_quote(st);
    if (st->need & LHT_NORM_FENCE)
        strip_fence(st);
    if (st->need & LHT_NORM_BOLD)
        strip_bold(st);
    if ((st->need & (LHT_NORM_ROWS | LHT_NORM_HTML)) && st->w - st->line0 > ROWS_MIN) {
        size_t cuts[512], n, i;
        n = lht_ps_collapsed_cuts(st->o + st->line0, st->w - st->line0, cuts, N(cuts));
        if (n == 0)
            n = record_cuts(st->o + st->line0, st->w - st->line0, cuts, N(cuts));
        for (i = 0; i < n; i++) {
            st->o[st->line0 + cuts[i]] = '\n';
            if (push_map(st, st->line_orig) != LHT_OK)
                return LHT_ENOMEM;
        }
        if (n)
            st->done |= LHT_NORM_ROWS;
    }
    if (push_map(st, st->line_orig) != LHT_OK)
        return LHT_ENOMEM;
    if (nl)
        st->o[st->w++] = '\n';
    st->line0 = st->w;
    st->line_orig = st->orig;
    return LHT_OK;
}

/* An HTML block tag breaks the line unless it is empty so far. */
static int html_break(struct out *st)
{
    size_t k;

    for (k = st->line0; k < st->w; k++)
        if (!blank(st->o[k]))
            return end_line(st, 1);
    st->w = st->line0;
    return LHT_OK;
}

/* A terminal escape sequence at s (ECMA-48): CSI "ESC [ params final"
 * (colours, cursor moves), OSC "ESC ] ... BEL" or "... ESC \\" (window
 * titles), or a two-byte "ESC x" / three-byte "ESC ( B". Its length, 0
 * when s holds no complete one (the ESC then stays). */
static size_t ansi_len(const char *s, const char *e)
{
    const char *p = s + 1;

    if (p >= e)
        return 0;
    if (*p == '[') {
        for (p++; p < e && (unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x3F; p++)
            ;
        return p < e && (unsigned char)*p >= 0x40 && (unsigned char)*p <= 0x7E ? (size_t)(p + 1 - s) : 0;
    }
    if (*p == ']') {
        for (p++; p < e && *p != '\n'; p++) {
            if (*p == 0x07)
                return (size_t)(p + 1 - s);
            if (*p == 0x1B && p + 1 < e && p[1] == '\\')
                return (size_t)(p + 2 - s);
        }
        return 0;
    }
    if ((*p == '(' || *p == ')') && p + 1 < e)
        return 3;
    return (unsigned char)*p >= 0x40 && (unsigned char)*p <= 0x5F ? 2 : 0;
}

/* Decode one byte position; returns how many input bytes it consumed (>=
 * 1), or 0 on LHT_ENOMEM. */
static size_t decode_at(struct out *st, const char *p, const char *e)
{
    unsigned char c = (unsigned char)*p;
    int v, brk, nl;
    size_t n, tl;
    char tmp[8];

    if ((st->need & LHT_NORM_QP) && c == '=' && (v = qp_byte(p, e)) >= 0) {
        st->o[st->w++] = (char)v;
        st->done |= LHT_NORM_QP;
        return 3;
    }
    if ((st->need & LHT_NORM_HTML) && c == '&' && (n = html_entity(p, e, tmp, &tl, &nl)) > 0) {
        st->done |= LHT_NORM_HTML;
        if (nl)
            return end_line(st, 1) == LHT_OK ? n : 0;
        memcpy(st->o + st->w, tmp, tl);
        st->w += tl;
        return n;
    }
    if ((st->need & LHT_NORM_HTML) && c == '<' && (n = html_tag(p, e, &brk)) > 0) {
        st->done |= LHT_NORM_HTML;
        if (brk && html_break(st) != LHT_OK)
            return 0;
        return n;
    }
    if (c == 0x1B && (n = ansi_len(p, e)) > 0) {
        st->done |= LHT_NORM_ANSI;
        return n;
    }
    if ((st->need & LHT_NORM_MDESC) && c == '\\' && e - p >= 2 && p[1] != '\0' && strchr("_*[]<>#`", p[1])) {
        st->o[st->w++] = p[1];
        st->done |= LHT_NORM_MDESC;
        return 2;
    }
    if (c == 0xC2 && e - p >= 2 && (unsigned char)p[1] == 0xA0) {
        st->o[st->w++] = ' ';
        st->done |= LHT_NORM_SPACE;
        return 2;
    }
    if (c == 0xE2 && e - p >= 3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x8B) {
        st->done |= LHT_NORM_SPACE;
        return 3;
    }
    st->o[st->w++] = (char)c;
    return 1;
}

/* A line end in the input: "\n", "\r\n" or a lone "\r". A QP soft break
 * ("=" last) joins the next input line to this output line. */
static int line_end(struct out *st, int raw_eq)
{
    st->orig++;
    if ((st->need & LHT_NORM_QP) && raw_eq && st->w > st->line0) {
        st->w--;   /* the "=" */
        st->done |= LHT_NORM_QP;
        return LHT_OK;
    }
    return end_line(st, 1);
}

/* Bytes decode_at() may change ('=' only in QP text), in a table so that
 * the runs between them are copied at once. */
static void special_bytes(unsigned need, unsigned char special[256])
{
    memset(special, 0, 256);
    special['\n'] = special['\r'] = special[0xC2] = special[0xE2] = special[0x1B] = 1;
    if (need & LHT_NORM_MDESC)
        special['\\'] = 1;
    if (need & LHT_NORM_QP)
        special['='] = 1;
    if (need & LHT_NORM_HTML)
        special['&'] = special['<'] = 1;
}

static int decode(const char *buf, size_t len, struct out *st)
{
    const char *p = buf, *e = buf + len;
    int raw_eq = 0;   /* the last byte written was an undecoded "=" */
    unsigned char special[256];

    special_bytes(st->need, special);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        st->done |= LHT_NORM_SPACE;
    }
    while (p < e) {
        const char *q = p;
        size_t n;
        while (q < e && !special[(unsigned char)*q])
            q++;
        if (q > p) {
            memcpy(st->o + st->w, p, (size_t)(q - p));
            st->w += (size_t)(q - p);
            raw_eq = 0;
            p = q;
            continue;
        }
        if (*p == '\n' || *p == '\r') {
            if (*p == '\r') {
                st->done |= LHT_NORM_CR;
                if (p + 1 < e && p[1] == '\n')
                    p++;
            }
            if (line_end(st, raw_eq) != LHT_OK)
                return LHT_ENOMEM;
            raw_eq = 0;
            p++;
            continue;
        }
        if ((n = decode_at(st, p, e)) == 0)
            return LHT_ENOMEM;
        raw_eq = n == 1 && *p == '=' && !(p > buf && p[-1] == '=');
        p += n;
    }
    if (st->w > st->line0)
        return end_line(st, 0);
    return LHT_OK;
}

/* ---- pass 3: block indentation --------------------------------------- */

static int blank_line(const char *s, size_t len)
{
    size_t k;

    for (k = 0; k < len; k++)
        if (!blank(s[k]))
            return 0;
    return 1;
}

/* Leading blanks common to the lines of the block at [s, e) (no blank
 * line inside): byte-identical, so tabs and spaces are never mixed up. */
static size_t common_indent(const char *s, const char *e)
{
    const char *first = s, *p = s;
    size_t common = (size_t)-1;

    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p), k = 0;
        while (k < l && k < common && blank(p[k]) && p[k] == first[k])
            k++;
        common = k;
        if (common == 0)
            return 0;
        p = nl ? nl + 1 : e;
    }
    return common == (size_t)-1 ? 0 : common;
}

static void dedent(struct out *st)
{
    char *o = st->o;
    size_t r = 0, w = 0, n = st->w;

    while (r < n) {
        size_t b = r, be, cut, k;
        /* blank lines are copied; a block runs to the next blank line */
        {
            const char *nl = memchr(o + r, '\n', n - r);
            size_t l = nl ? (size_t)(nl - (o + r)) : n - r;
            if (blank_line(o + r, l)) {
                memmove(o + w, o + r, l + (nl != NULL));
                w += l + (nl != NULL);
                r += l + (nl != NULL);
                continue;
            }
        }
        for (be = b; be < n;) {
            const char *nl = memchr(o + be, '\n', n - be);
            size_t l = nl ? (size_t)(nl - (o + be)) : n - be;
            if (blank_line(o + be, l))
                break;
            be += l + (nl != NULL);
        }
        cut = common_indent(o + b, o + be);
        if (cut)
            st->done |= LHT_NORM_INDENT;
        for (k = b; k < be;) {
            const char *nl = memchr(o + k, '\n', be - k);
            size_t l = nl ? (size_t)(nl - (o + k)) + 1 : be - k;
            memmove(o + w, o + k + cut, l - cut);
            w += l - cut;
            k += l;
        }
        r = be;
    }
    st->w = w;
}

/* ---- entry points ----------------------------------------------------- */

/* ---- UTF-16 ---------------------------------------------------------- */

/* 1 when buf is UTF-16LE, 2 when UTF-16BE (a byte order mark, or ASCII
 * text with every other byte NUL), 0 otherwise. */
static int utf16_order(const unsigned char *b, size_t len)
{
    size_t i, n = len < 1024 ? len & ~(size_t)1 : 1024, zodd = 0, zeven = 0;

    if (len >= 2 && b[0] == 0xFF && b[1] == 0xFE)
        return 1;
    if (len >= 2 && b[0] == 0xFE && b[1] == 0xFF)
        return 2;
    if (n < 16)
        return 0;
    for (i = 0; i < n; i += 2) {
        zeven += b[i] == 0;
        zodd += b[i + 1] == 0;
    }
    if (zodd * 10 >= n / 2 * 9 && zeven * 5 < n / 2)
        return 1;
    if (zeven * 10 >= n / 2 * 9 && zodd * 5 < n / 2)
        return 2;
    return 0;
}

/* The UTF-16 text as UTF-8 (NUL-terminated, malloc'd; caller frees), or
 * NULL on LHT_ENOMEM. Unpaired surrogates become '?'. */
static char *from_utf16(const unsigned char *b, size_t len, int order, size_t *outlen)
{
    char *o = malloc(len / 2 * 3 + 4);
    size_t i = (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) ? 2 : 0, w = 0;

    if (o == NULL)
        return NULL;
    for (; i + 1 < len; i += 2) {
        unsigned long u = order == 1 ? (unsigned long)b[i] | (unsigned long)b[i + 1] << 8
                                     : (unsigned long)b[i] << 8 | b[i + 1];
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            unsigned long v = order == 1 ? (unsigned long)b[i + 2] | (unsigned long)b[i + 3] << 8
                                         : (unsigned long)b[i + 2] << 8 | b[i + 3];
            if (v >= 0xDC00 && v <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00);
                i += 2;
            }
        }
        if ((u >= 0xD800 && u <= 0xDFFF) || u == 0)
            u = u ? '?' : 0;
        w += u ? utf8(u, o + w) : 0;
    }
    o[w] = '\0';
    *outlen = w;
    return o;
}

static int undress(const char *buf, size_t len, struct lht_norm *out);

int lht_normalise(const char *buf, size_t len, struct lht_norm *out)
{
    int order, rc;
    char *tmp;
    size_t tlen;

    memset(out, 0, sizeof *out);
    if (buf == NULL || len == 0)
        return LHT_OK;
    if ((order = utf16_order((const unsigned char *)buf, len)) == 0)
        return undress(buf, len, out);
    /* a Windows editor's UTF-16: read as UTF-8 first, then undressed */
    if ((tmp = from_utf16((const unsigned char *)buf, len, order, &tlen)) == NULL)
        return LHT_ENOMEM;
    if ((rc = undress(tmp, tlen, out)) == LHT_OK && out->text == NULL) {
        out->text = tmp;
        out->len = tlen;
        tmp = NULL;
    }
    out->done |= LHT_NORM_UTF16;
    free(tmp);
    return rc;
}

static int undress(const char *buf, size_t len, struct lht_norm *out)
{
    struct look lk;
    struct out st;
    size_t k;

    if (len == 0)
        return LHT_OK;
    look(buf, len, &lk);
    if (lk.need == 0)
        return LHT_OK;
    memset(&st, 0, sizeof st);
    st.need = lk.need;
    st.orig = st.line_orig = 1;
    if ((st.o = malloc(len + 1)) == NULL)
        return LHT_ENOMEM;
    if (decode(buf, len, &st) != LHT_OK) {
        free(st.o);
        free(st.map);
        return LHT_ENOMEM;
    }
    /* markers taken off a line may bare the indentation of its block */
    if (st.need & (LHT_NORM_INDENT | LHT_NORM_QUOTE | LHT_NORM_FENCE | LHT_NORM_HTML))
        dedent(&st);
    st.o[st.w] = '\0';
    out->text = st.o;
    out->len = st.w;
    out->done = st.done;
    /* a map that says "the same line" everywhere is no map */
    for (k = 0; k < st.nmap && st.map[k] == (long)k + 1; k++)
        ;
    if (k == st.nmap) {
        free(st.map);
        st.map = NULL;
        st.nmap = 0;
    }
    out->lines = st.map;
    out->nlines = st.nmap;
    return LHT_OK;
}

long lht_norm_line(const struct lht_norm *n, long line)
{
    if (n == NULL || n->lines == NULL || line < 1)
        return line;
    if ((size_t)line > n->nlines)
        return n->nlines ? n->lines[n->nlines - 1] : line;
    return n->lines[line - 1];
}

void lht_norm_free(struct lht_norm *n)
{
    if (n == NULL)
        return;
    free(n->text);
    free(n->lines);
    memset(n, 0, sizeof *n);
}
