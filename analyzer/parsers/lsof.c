/*
 * lsof.c - lsof output into open-file rows.
 *
 * lsof prints a header naming its columns, then one row per open file
 * (lsof-org/lsof, Lsof.8, OUTPUT):
 *     COMMAND     PID   TID TASKCMD  USER   FD   TYPE  DEVICE SIZE/OFF     NODE NAME
 *     sh       123315                root    1w   REG    0,52    12345   131081 /data/index.html (10.43.58.194:/pvc-d09e)
 * TID/TASKCMD appear with task listings, FILE-FLAG with +fg (supportconfig
 * runs `lsof -b -n -l +fg -P -Ki`). Columns are padded to the widest value,
 * but cells may be empty (TID on process rows, DEVICE or SIZE/OFF on some
 * pseudo files), so a row is read by column order up to TYPE, and NAME is
 * taken from the header's NAME column when the row lines up with it, else
 * after as many cells as the header has. NAME keeps what lsof appends
 * ("(deleted)", an NFS file's "(server:/export)").
 */
#include "core/err.h"
#include "core/text.h"
#include "parsers/parse.h"

#include <ctype.h>
#include <string.h>

enum col { C_COMMAND, C_PID, C_TID, C_TASKCMD, C_USER, C_FD, C_TYPE, C_FLAGS, C_OTHER, C_NAME };

static const struct {
    const char *label;
    enum col col;
} labels[] = {
    {"COMMAND", C_COMMAND}, {"PID", C_PID},   {"TID", C_TID},   {"TASKCMD", C_TASKCMD},
    {"USER", C_USER},       {"FD", C_FD},     {"TYPE", C_TYPE}, {"FILE-FLAG", C_FLAGS},
    {"DEVICE", C_OTHER},    {"SIZE/OFF", C_OTHER}, {"SIZE", C_OTHER}, {"OFF", C_OTHER},
    {"NODE", C_OTHER},      {"NAME", C_NAME},
};

#define MAXCOLS 16

struct header {
    enum col col[MAXCOLS];
    size_t start[MAXCOLS], end[MAXCOLS]; /* label offsets in the header line */
    int n;
    size_t name_at;     /* byte offset of NAME in the header line */
};

static int label_col(const char *s, size_t len, enum col *out)
{
    size_t i;

    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strlen(labels[i].label) == len && strncmp(labels[i].label, s, len) == 0) {
            *out = labels[i].col;
            return 1;
        }
    return 0;
}

/* A header: known labels only, COMMAND first, PID and NAME among them. */
static int parse_header(const char *s, size_t len, struct header *h)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    int pid = 0, name = 0;

    h->n = 0;
    while (lht_tok(&p, e, &tok, &tl)) {
        enum col c;
        if (h->n >= MAXCOLS || !label_col(tok, tl, &c))
            return 0;
        if (c == C_NAME)
            h->name_at = (size_t)(tok - s);
        pid |= c == C_PID;
        name |= c == C_NAME;
        h->start[h->n] = (size_t)(tok - s);
        h->end[h->n] = (size_t)(tok - s) + tl;
        h->col[h->n++] = c;
    }
    return h->n > 2 && h->col[0] == C_COMMAND && pid && name;
}

static int all_digits(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return len > 0;
}

struct cells {
    const char *s[MAXCOLS];
    size_t l[MAXCOLS];
};

/* Is the token at [ts, te) the cell of column i? TID (right-aligned)
 * and TASKCMD are empty on process rows, and a numeric USER (-l) must not
 * pass for a TID: a cell of theirs ends by the end of the label (TID) or
 * starts before the next label (TASKCMD). */
static int cell_of(const struct header *h, int i, size_t ts, size_t te, const char *tok, size_t tl)
{
    if (h->col[i] == C_TID)
        return all_digits(tok, tl) && te <= h->end[i];
    if (h->col[i] == C_TASKCMD)
        return i + 1 >= h->n || ts < h->start[i + 1];
    return 1;
}

/* Cells COMMAND..TYPE (and FILE-FLAG) of a row by column order. Returns
 * the byte offset after the last cell read, or 0 when not a row. */
static size_t read_cells(const struct header *h, const char *s, size_t len, struct cells *c)
{
    const char *p = s, *e = s + len, *tok;
    size_t tl;
    int i;

    memset(c, 0, sizeof *c);
    for (i = 0; i < h->n && h->col[i] != C_OTHER && h->col[i] != C_NAME; i++) {
        const char *save = p;
        if (!lht_tok(&p, e, &tok, &tl))
            return 0;
        if (!cell_of(h, i, (size_t)(tok - s), (size_t)(tok - s) + tl, tok, tl)) {
            p = save;   /* an empty cell: this token is the next column's */
            continue;
        }
        c->s[h->col[i]] = tok;
        c->l[h->col[i]] = tl;
    }
    return c->s[C_PID] && all_digits(c->s[C_PID], c->l[C_PID]) ? (size_t)(p - s) : 0;
}

/* NAME: from the header's NAME column when the row lines up, else after
 * the remaining non-name cells. */
static const char *name_of(const struct header *h, const char *s, size_t len, size_t after, size_t *nl)
{
    const char *p = s + after, *e = s + len, *tok = NULL;
    size_t tl;
    int i, skip = 0;

    if (h->name_at > after && h->name_at < len && s[h->name_at - 1] == ' ' && s[h->name_at] != ' ') {
        *nl = lht_rtrim(s + h->name_at, len - h->name_at);
        return s + h->name_at;
    }
    for (i = 0; i < h->n; i++)
        skip += h->col[i] == C_OTHER;
    while (skip-- > 0 && lht_tok(&p, e, &tok, &tl))
        ;
    while (p < e && *p == ' ')
        p++;
    *nl = lht_rtrim(p, (size_t)(e - p));
    return *nl ? p : NULL;
}

static int add_row(const struct lht_pctx *ctx, const struct header *h, long no, const char *s, size_t len)
{
    struct lht_facts *f = ctx->facts;
    struct lht_open_file o;
    struct cells c;
    size_t after = read_cells(h, s, len, &c), nl = 0;
    const char *name;
    long v;

    if (after == 0 || (name = name_of(h, s, len, after, &nl)) == NULL)
        return 0;
    memset(&o, 0, sizeof o);
    o.at = lht_pctx_at(ctx, no);
    o.pid = lht_parse_long(c.s[C_PID], c.l[C_PID], &v) == 0 ? v : -1;
    o.tid = c.s[C_TID] && lht_parse_long(c.s[C_TID], c.l[C_TID], &v) == 0 ? v : -1;
    o.command = lht_facts_str(f, c.s[C_COMMAND], c.l[C_COMMAND]);
    o.user = lht_facts_str(f, c.s[C_USER], c.l[C_USER]);
    o.fd = lht_facts_str(f, c.s[C_FD], c.l[C_FD]);
    o.type = lht_facts_str(f, c.s[C_TYPE], c.l[C_TYPE]);
    o.flags = lht_facts_str(f, c.s[C_FLAGS], c.l[C_FLAGS]);
    o.name = lht_facts_str(f, name, nl);
    if (o.pid < 0)
        return 0;
    if (o.name == NULL || lht_facts_add_open_file(f, &o) != LHT_OK)
        return LHT_ENOMEM;
    return 1;
}

int lht_parse_lsof(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct lht_lines it;
    struct lht_line ln;
    struct header h;
    int have = 0, added = 0, rc;

    memset(&h, 0, sizeof h);
    lht_lines_init(&it, buf, len, ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = lht_rtrim(ln.s, ln.len);
        struct header nh;
        if (l > 7 && lht_starts(ln.s, l, "COMMAND") && parse_header(ln.s, l, &nh)) {
            h = nh;
            have = 1;
            continue;
        }
        if (!have || l == 0)
            continue;
        if ((rc = add_row(ctx, &h, ln.no, ln.s, l)) < 0)
            return rc;
        added += rc;
    }
    return added;
}
