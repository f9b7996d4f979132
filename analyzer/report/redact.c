/*
 * redact.c - see redact.h.
 *
 * Names are looked up, not searched for: a word is cut into parts at '.',
 * '-' and '_', and at each part's start the candidate ends are the ends of
 * the following parts (no further than the longest name), tried longest
 * first in a hash set of the lower-cased names with the hash rolled along,
 * so the cost is the text's length times the longest name, whatever the
 * size of the fleet. Parts, not only whole words, because input names
 * carry their host inside: sosreport-<host>-<date>.tar.xz,
 * scc_<host>_<date>.txz. Addresses come from one PCRE2 pattern
 * and must then parse (inet_pton): an IPv6 form needs eight groups or a
 * "::", which a clock time never has.
 */
#include "report/redact.h"
#include "core/re.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN 32
#define TOKEN_BYTES 8   /* 64 bits: see redact.h */

#define V4 "(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
#define H "[0-9A-Fa-f]{1,4}"

/* RFC 4291 section 2.2 text forms: full, "::"-compressed, and with an
 * IPv4 tail; alternatives longest first, as PCRE2 takes the first. */
static struct lht_re ip_re[] = {
    {"(?<![0-9A-Za-z.])" V4 "(?![0-9]|\\.[0-9])", 4, NULL},
    {"(?<![0-9A-Za-z.:])(?:"
     "(?:" H ":){7}" H "|"
     "(?:" H ":){6}" V4 "|"
     "(?:" H ":){1,5}(?::" H "){0,5}:" V4 "|"
     "::(?:ffff(?::0{1,4})?:)?" V4 "|"
     "(?:" H ":){1,6}(?::" H "){1,6}|"
     "(?:" H ":){1,7}:|"
     ":(?::" H "){1,7}"
     ")(?![0-9A-Za-z:]|\\.[0-9])", 6, NULL},
};

#define NIP (sizeof ip_re / sizeof ip_re[0])

static pthread_once_t ip_once = PTHREAD_ONCE_INIT;
static lht_err ip_err;

static void compile_ip(void)
{
    (void)lht_re_compile(ip_re, NIP, &ip_err);
}

struct lht_redactor {
    unsigned char key[KEY_LEN];
    char **slot;             /* open addressing, lower-cased names */
    size_t cap, n;
    size_t maxlen;           /* of the longest name */
    pcre2_match_data *md;
};

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* One name's parts are separated by these; a match starts and ends at them. */
static int part_sep(char c)
{
    return c == '.' || c == '-' || c == '_';
}

#define FNV_BASIS 1469598103934665603u   /* FNV-1a */

static uint64_t hash_step(uint64_t h, char c)
{
    return (h ^ (unsigned char)lower(c)) * 1099511628211u;
}

static uint64_t hash_lower(const char *s, size_t n)
{
    uint64_t h = FNV_BASIS;
    size_t i;

    for (i = 0; i < n; i++)
        h = hash_step(h, s[i]);
    return h;
}

static int same_lower(const char *name, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (name[i] != lower(s[i]))
            return 0;
    return name[n] == '\0';
}

/* 1 when [s, s+n), whose hash_lower is h, is a known name. */
static int known_hashed(const struct lht_redactor *r, uint64_t h, const char *s, size_t n)
{
    size_t i;

    if (r->cap == 0)
        return 0;
    for (i = (size_t)h & (r->cap - 1); r->slot[i]; i = (i + 1) & (r->cap - 1))
        if (same_lower(r->slot[i], s, n))
            return 1;
    return 0;
}

static int known(const struct lht_redactor *r, const char *s, size_t n)
{
    return known_hashed(r, hash_lower(s, n), s, n);
}

/* Add a name (kept lower-cased); the set is sized before the first add. */
static int add_name(struct lht_redactor *r, const char *v)
{
    size_t n = strlen(v), i;
    char *copy;

    if (n < 3 || known(r, v, n))
        return LHT_OK;
    if ((copy = malloc(n + 1)) == NULL)
        return LHT_ENOMEM;
    for (i = 0; i <= n; i++)
        copy[i] = lower(v[i]);
    for (i = (size_t)hash_lower(v, n) & (r->cap - 1); r->slot[i]; i = (i + 1) & (r->cap - 1))
        ;
    r->slot[i] = copy;
    r->n++;
    if (n > r->maxlen)
        r->maxlen = n;
    return LHT_OK;
}

static const char names_sql[] =
    "SELECT node FROM v_members WHERE node IS NOT NULL UNION "
    "SELECT node FROM v_facts WHERE node IS NOT NULL UNION "
    "SELECT node FROM v_processes WHERE node IS NOT NULL UNION "
    "SELECT value FROM v_facts WHERE key = 'hostname' AND value IS NOT NULL UNION "
    "SELECT node FROM v_findings WHERE node IS NOT NULL UNION "
    "SELECT alias FROM v_node_aliases UNION "
    "SELECT node FROM v_node_aliases UNION "
    "SELECT host FROM v_bundles WHERE host IS NOT NULL";

static int load_names(sqlite3 *db, struct lht_redactor *r, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    char count_sql[sizeof names_sql + 64];
    long long n = 0;
    int rc = LHT_OK, step;

    snprintf(count_sql, sizeof count_sql, "SELECT count(*) FROM (%s)", names_sql);
    if (sqlite3_prepare_v2(db, count_sql, -1, &st, NULL) != SQLITE_OK)
        return lht_err_set(err, LHT_EDB, "redact: %s", sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (r->cap = 16; r->cap < 2 * (size_t)n + 2; r->cap *= 2)
        ;
    if ((r->slot = calloc(r->cap, sizeof *r->slot)) == NULL)
        return lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    if (sqlite3_prepare_v2(db, names_sql, -1, &st, NULL) != SQLITE_OK)
        return lht_err_set(err, LHT_EDB, "redact: %s", sqlite3_errmsg(db));
    while (rc == LHT_OK && r->n < (size_t)n && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v != NULL && add_name(r, v) != LHT_OK)
            rc = lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    }
    sqlite3_finalize(st);
    return rc;
}

static int load_key(sqlite3 *db, struct lht_redactor *r, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, "SELECT value FROM secrets WHERE name = 'redact_key'", -1, &st, NULL) != SQLITE_OK)
        return lht_err_set(err, LHT_EDB,
                           "redact: the database has no redaction key (it predates schema 11); "
                           "a scan into it with this lhtriage adds one");
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == KEY_LEN) {
        memcpy(r->key, sqlite3_column_blob(st, 0), KEY_LEN);
        rc = LHT_OK;
    } else {
        rc = lht_err_set(err, LHT_EDB, "redact: the database's redaction key is missing or damaged");
    }
    sqlite3_finalize(st);
    return rc;
}

int lht_redactor_new(sqlite3 *db, struct lht_redactor **out, lht_err *err)
{
    struct lht_redactor *r;
    int rc;

    *out = NULL;
    pthread_once(&ip_once, compile_ip);
    if (ip_err.code != LHT_OK)
        return lht_err_set(err, ip_err.code, "redact: %s", ip_err.msg);
    if ((r = calloc(1, sizeof *r)) == NULL)
        return lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    if ((rc = load_key(db, r, err)) == LHT_OK && (rc = load_names(db, r, err)) == LHT_OK &&
        (r->md = lht_re_match_data(ip_re, NIP)) == NULL)
        rc = lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    if (rc != LHT_OK) {
        lht_redactor_free(r);
        return rc;
    }
    *out = r;
    return LHT_OK;
}

void lht_redactor_free(struct lht_redactor *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->cap; i++)
        free(r->slot[i]);
    free(r->slot);
    pcre2_match_data_free(r->md);
    OPENSSL_cleanse(r->key, sizeof r->key);
    free(r);
}

/* prefix-<16 hex>: HMAC-SHA256(key, domain NUL data), first 64 bits. */
static void token(const struct lht_redactor *r, struct lht_sb *out, const char *prefix, const void *data,
                  size_t n)
{
    unsigned char msg[300], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t plen = strlen(prefix) + 1, i;

    if (n > sizeof msg - plen)
        n = sizeof msg - plen;   /* names and addresses are far shorter */
    memcpy(msg, prefix, plen);
    memcpy(msg + plen, data, n);
    HMAC(EVP_sha256(), r->key, KEY_LEN, msg, plen + n, md, &mdlen);
    lht_sb_puts(out, prefix);
    lht_sb_putn(out, "-", 1);
    for (i = 0; i < TOKEN_BYTES; i++)
        lht_sb_printf(out, "%02x", md[i]);
}

static void name_token(const struct lht_redactor *r, struct lht_sb *out, const char *s, size_t n)
{
    char low[256];
    size_t i;

    if (n > sizeof low)
        n = sizeof low;
    for (i = 0; i < n; i++)
        low[i] = lower(s[i]);
    token(r, out, "host", low, n);
}

/* The longest known name that starts at p and ends at the word's end or
 * before a part separator in it; its length, or 0. */
static size_t match_name(const struct lht_redactor *r, const char *p, const char *wend)
{
    const char *e = p, *stop = (size_t)(wend - p) > r->maxlen ? p + r->maxlen : wend;
    uint64_t h = FNV_BASIS;
    size_t best = 0;

    while (e < stop) {
        h = hash_step(h, *e++);
        if ((e == wend || part_sep(*e)) && (size_t)(e - p) >= 3 && known_hashed(r, h, p, (size_t)(e - p)))
            best = (size_t)(e - p);
    }
    return best;
}

/* One word [w, wend): each known name at a part's start becomes its token. */
static void replace_in_word(const struct lht_redactor *r, const char *w, const char *wend, struct lht_sb *out)
{
    const char *q = w, *lit = w;
    size_t m;

    while (q < wend) {
        if ((q == w || part_sep(q[-1])) && (m = match_name(r, q, wend)) > 0) {
            lht_sb_putn(out, lit, (size_t)(q - lit));
            name_token(r, out, q, m);
            q += m;
            lit = q;
            continue;
        }
        q++;
    }
    lht_sb_putn(out, lit, (size_t)(wend - lit));
}

static void replace_names(const struct lht_redactor *r, const char *in, size_t len, struct lht_sb *out)
{
    const char *p = in, *end = in + len;

    while (p < end) {
        const char *w = p, *wend;
        while (w < end && !name_char(*w))
            w++;
        lht_sb_putn(out, p, (size_t)(w - p));
        for (wend = w; wend < end && name_char(*wend); wend++)
            ;
        replace_in_word(r, w, wend, out);   /* no name starts inside a part */
        p = wend;
    }
}

/* Token for an address the pattern found, when it parses as one. */
static int ip_token(const struct lht_redactor *r, struct lht_sb *out, const char *s, size_t n, int v4)
{
    char txt[64];
    unsigned char bin[16];

    if (n >= sizeof txt)
        return 0;
    memcpy(txt, s, n);
    txt[n] = '\0';
    if (inet_pton(v4 ? AF_INET : AF_INET6, txt, bin) != 1)
        return 0;
    token(r, out, "ip", bin, v4 ? 4 : 16);
    return 1;
}

/* The earliest address match at or after p in [p, end) over both
 * patterns; 1 found (*k the pattern), 0 none, < 0 a PCRE2 error. */
static int next_ip(struct lht_redactor *r, const char *p, const char *end, size_t *start, size_t *stop, int *k)
{
    size_t i, best = (size_t)-1;
    int found = 0;

    for (i = 0; i < NIP; i++) {
        int rc = pcre2_match(ip_re[i].code, (PCRE2_SPTR)p, (size_t)(end - p), 0, 0, r->md, lht_re_mctx());
        PCRE2_SIZE *ov;
        if (rc == PCRE2_ERROR_NOMATCH)
            continue;
        if (rc < 0)
            return rc;
        ov = pcre2_get_ovector_pointer(r->md);
        if (ov[0] < best || (ov[0] == best && ov[1] > *stop)) {
            best = ov[0];
            *start = ov[0];
            *stop = ov[1];
            *k = ip_re[i].value;
            found = 1;
        }
    }
    return found;
}

static int replace_ips(struct lht_redactor *r, const struct lht_sb *in, struct lht_sb *out, lht_err *err)
{
    const char *p = lht_sb_str(in), *end = p + in->len;

    while (p < end) {
        size_t a = 0, b = 0;
        int k = 0, rc = next_ip(r, p, end, &a, &b, &k);
        if (rc < 0) {
            char msg[160];
            lht_re_fail_text(rc, msg, sizeof msg);
            return lht_err_set(err, LHT_ELIMIT, "redact: the address pattern gave up (%s); "
                               "not writing a report that may leak", msg);
        }
        if (rc == 0) {
            lht_sb_putn(out, p, (size_t)(end - p));
            break;
        }
        lht_sb_putn(out, p, a);
        if (!ip_token(r, out, p + a, b - a, k == 4))
            lht_sb_putn(out, p + a, b - a);
        p += b;
    }
    return LHT_OK;
}

int lht_redact_text(struct lht_redactor *r, const char *s, size_t n, struct lht_sb *out, lht_err *err)
{
    struct lht_sb pass = LHT_SB_INIT;
    int rc;

    replace_names(r, s, n, &pass);
    rc = pass.oom ? lht_err_set(err, LHT_ENOMEM, "redact: out of memory") : replace_ips(r, &pass, out, err);
    if (rc == LHT_OK && out->oom)
        rc = lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    lht_sb_free(&pass);
    return rc;
}
