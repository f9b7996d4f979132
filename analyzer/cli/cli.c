/*
 * cli.c - what every subcommand shares (cli.h): errors in one shape,
 * usage mistakes answered in one line with a did-you-mean (git's
 * help.autocorrect idea, without the autocorrecting), bundle text made
 * safe for a terminal, colour, sizes.
 */
#include "cli/cli.h"
#include "report/utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- messages ------------------------------------------------------------ */

/* fmt is the caller's format, checked at lht_cli_error's call sites */
__attribute__((format(printf, 2, 0))) static void vmessage(const char *cmd, const char *fmt, va_list ap,
                                                           const char *tail)
{
    struct lht_sb out = LHT_SB_INIT;
    char small[1024], *msg = small;
    va_list aq;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(small, sizeof small, fmt, aq);
    va_end(aq);
    if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    lht_sb_puts(&out, "lhtriage: ");
    if (cmd)
        lht_sb_printf(&out, "%s: ", cmd);
    lht_cli_escape(&out, msg ? msg : small);
    if (tail)
        lht_sb_puts(&out, tail);
    lht_sb_puts(&out, "\n");
    fflush(stdout);   /* keep the order of stdout and stderr on one terminal */
    if (out.oom)
        fputs("lhtriage: out of memory\n", stderr);
    else
        fwrite(out.p, 1, out.len, stderr);
    if (msg != small)
        free(msg);
    lht_sb_free(&out);
}

void lht_cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(NULL, fmt, ap, NULL);
    va_end(ap);
}

int lht_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char tail[64];
    va_list ap;

    snprintf(tail, sizeof tail, "; see 'lhtriage %s%s--help'", cmd ? cmd : "", cmd ? " " : "");
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap, tail);
    va_end(ap);
    return LHT_EXIT_ERROR;
}

/* "--name=value" -> "--name" into buf. */
static const char *option_name(const char *arg, char *buf, size_t size)
{
    size_t n = strcspn(arg, "=");

    if (n >= size)
        n = size - 1;
    memcpy(buf, arg, n);
    buf[n] = '\0';
    return buf;
}

static int unknown_long(const char *cmd, const char *name, const struct option *longopts)
{
    struct lht_cli_suggest s;
    char alts[256] = "";
    size_t len = strlen(name + 2), nmatch = 0;
    const struct option *o;

    lht_cli_suggest_init(&s, name + 2);
    for (o = longopts; o->name; o++) {
        lht_cli_suggest_add(&s, o->name);
        if (strncmp(o->name, name + 2, len) == 0) {
            size_t used = strlen(alts);
            nmatch++;
            snprintf(alts + used, sizeof alts - used, "%s--%s", used ? ", " : "", o->name);
        }
    }
    if (nmatch > 1)
        return lht_cli_usage_error(cmd, "ambiguous option '%s' (%s)", name, alts);
    if (lht_cli_suggest_best(&s))
        return lht_cli_usage_error(cmd, "unknown option '%s' (did you mean '--%s'?)", name,
                                   lht_cli_suggest_best(&s));
    return lht_cli_usage_error(cmd, "unknown option '%s'", name);
}

int lht_cli_bad_option(const char *cmd, int c, char **argv, const struct option *longopts)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    char name[128];
    int is_long = strncmp(arg, "--", 2) == 0;

    if (is_long)
        option_name(arg, name, sizeof name);
    else
        snprintf(name, sizeof name, "-%c", optopt > 0 && optopt < 128 ? optopt : '?');
    if (c == ':')
        return lht_cli_usage_error(cmd, "option '%s' needs a value", name);
    if (is_long && optopt != 0)
        return lht_cli_usage_error(cmd, "option '%s' takes no value", name);
    if (is_long)
        return unknown_long(cmd, name, longopts);
    return lht_cli_usage_error(cmd, "unknown option '%s'", name);
}

/* ---- did you mean -------------------------------------------------------- */

/* Optimal string alignment distance (Damerau-Levenshtein where a swap of
 * neighbours is one edit: "scna" is one edit from "scan"). */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), i, j;
    unsigned *d, r;

    if (n > 64 || m > 64)
        return UINT_MAX;
    d = malloc((n + 1) * (m + 1) * sizeof *d);
    if (d == NULL)
        return UINT_MAX;
#define D(i, j) d[(i) * (m + 1) + (j)]
    for (i = 0; i <= n; i++)
        D(i, 0) = (unsigned)i;
    for (j = 0; j <= m; j++)
        D(0, j) = (unsigned)j;
    for (i = 1; i <= n; i++)
        for (j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] != b[j - 1], v = D(i - 1, j - 1) + cost;
            if (D(i - 1, j) + 1 < v)
                v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    r = D(n, m);
#undef D
    free(d);
    return r;
}

void lht_cli_suggest_init(struct lht_cli_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->dist = UINT_MAX;
    s->ties = 0;
}

void lht_cli_suggest_add(struct lht_cli_suggest *s, const char *candidate)
{
    size_t wl = strlen(s->word);
    unsigned d;

    if (candidate == NULL || strcmp(candidate, s->word) == 0)
        return;
    d = edit_distance(s->word, candidate);
    /* "stuck" for "stuck-processes": a prefix is as good as one typo */
    if (wl >= 3 && strncmp(candidate, s->word, wl) == 0 && d > 1)
        d = 1;
    if (d < s->dist) {
        s->dist = d;
        s->best = candidate;
        s->ties = 0;
    } else if (d == s->dist && s->best && strcmp(s->best, candidate) != 0) {
        s->ties++;
    }
}

const char *lht_cli_suggest_best(const struct lht_cli_suggest *s)
{
    size_t wl = strlen(s->word);
    unsigned limit = wl / 3 > 1 ? (unsigned)(wl / 3) : 1;

    /* a word of one or two letters is a typo of too many things */
    if (s->best == NULL || s->ties > 0 || wl < 2 || s->dist > limit)
        return NULL;
    return s->best;
}

const char *lht_cli_plural(char *buf, size_t size, unsigned long long n, const char *one, const char *many)
{
    snprintf(buf, size, "%llu %s", n, n == 1 ? one : many);
    return buf;
}

/* ---- terminal output ----------------------------------------------------- */

static int colour_mode = LHT_COLOUR_AUTO;

int lht_cli_colour_parse(const char *s)
{
    static const char *const names[] = {"auto", "always", "never"};
    int i;

    for (i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void lht_cli_colour_set(int mode)
{
    colour_mode = mode;
}

int lht_cli_colour(FILE *fp)
{
    const char *nc = getenv("NO_COLOR");

    if (colour_mode != LHT_COLOUR_AUTO)
        return colour_mode == LHT_COLOUR_ALWAYS;
    /* https://no-color.org: any non-empty NO_COLOR disables colour; an
     * explicit --color=always still wins, as the page asks */
    if (nc != NULL && nc[0] != '\0')
        return 0;
    return isatty(fileno(fp));
}

/* One character of s (n bytes left) for a terminal: appended to out (when
 * not NULL); returns its columns, and its length in *used. */
static size_t escape_one(struct lht_sb *out, const unsigned char *p, size_t n, size_t *used)
{
    char e[8];
    size_t l;

    *used = 1;
    if (*p == '\n' || *p == '\t') {
        if (out)
            lht_sb_puts(out, *p == '\n' ? "\\n" : "\\t");
        return 2;
    }
    if (*p < 0x20 || *p == 0x7f) {
        snprintf(e, sizeof e, "\\x%02x", *p);
        if (out)
            lht_sb_puts(out, e);
        return 4;
    }
    if (*p < 0x80) {
        if (out)
            lht_sb_putn(out, (const char *)p, 1);
        return 1;
    }
    l = lht_utf8_len(p, n);
    if (l == 0) {
        snprintf(e, sizeof e, "\\x%02x", *p);
        if (out)
            lht_sb_puts(out, e);
        return 4;
    }
    *used = l;
    if (l == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
        /* C1 controls: U+009B is CSI, as ESC [ is */
        snprintf(e, sizeof e, "\\u00%02x", p[1]);
        if (out)
            lht_sb_puts(out, e);
        return 6;
    }
    if (out)
        lht_sb_putn(out, (const char *)p, l);
    return 1;
}

size_t lht_cli_escape(struct lht_sb *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = s ? strlen(s) : 0, w = 0, used;

    if (out)
        lht_sb_putn(out, "", 0);
    while (n > 0) {
        w += escape_one(out, p, n, &used);
        p += used;
        n -= used;
    }
    return w;
}

size_t lht_cli_escaped_width(const char *s)
{
    return lht_cli_escape(NULL, s);
}

void lht_cli_put_escaped(FILE *fp, const char *s)
{
    struct lht_sb b = LHT_SB_INIT;

    lht_cli_escape(&b, s);
    if (b.len)
        fwrite(b.p, 1, b.len, fp);
    lht_sb_free(&b);
}

/* ---- arguments ----------------------------------------------------------- */

const char *lht_cli_db_path(const char *opt)
{
    const char *env;

    if (opt != NULL)
        return opt;
    env = getenv("LHTRIAGE_DB");
    return env && env[0] ? env : "lhtriage.db";
}

int lht_cli_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return -1;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && *end == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end != '\0' || (shift && v > (ULLONG_MAX >> shift)))
        return -1;
    *out = v << shift;
    return 0;
}
