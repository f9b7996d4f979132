/*
 * redact.c - replace host names and IP addresses in finished report text
 * with stable tokens (see report.h).
 *
 * It runs on the rendered text, so it catches a name wherever a renderer
 * put it; the names come from the database (every node and hostname any
 * fact mentions) and addresses from a pattern.
 */
#include "report/report.h"
#include "core/re.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static void token(struct lht_sb *b, const char *prefix, const char *s, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
    lht_sb_printf(b, "%s-%02x%02x%02x", prefix, md[0], md[1], md[2]);
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    if (la != lb)
        return la < lb ? 1 : -1;
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct lht_re ip_re[] = {
    {"(?<![0-9A-Za-z.])(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?![0-9])"
     "|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])",
     0, NULL},
};

/* Host names the database knows, longest first (so "node-10" is not
 * replaced as "node-1" + "0"). Owned by the struct; free with names_free. */
struct names {
    char **v;
    size_t n, cap;
};

static void names_free(struct names *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        free(h->v[i]);
    free(h->v);
}

static int names_add(struct names *h, const char *v)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        char **nv = realloc(h->v, cap * sizeof *nv);
        if (nv == NULL)
            return LHT_ENOMEM;
        h->v = nv;
        h->cap = cap;
    }
    if ((h->v[h->n] = strdup(v)) == NULL)
        return LHT_ENOMEM;
    h->n++;
    return LHT_OK;
}

/* Node names and hostnames any fact or finding mentions; names under 3
 * bytes would replace parts of ordinary words. */
static int load_names(sqlite3 *db, struct names *h, lht_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = LHT_OK;

    if (sqlite3_prepare_v2(db,
            "SELECT node FROM v_members WHERE node IS NOT NULL UNION "
            "SELECT node FROM v_facts WHERE node IS NOT NULL UNION "
            "SELECT node FROM v_processes WHERE node IS NOT NULL UNION "
            "SELECT value FROM v_facts WHERE key = 'hostname' AND value IS NOT NULL UNION "
            "SELECT node FROM v_findings WHERE node IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
        return lht_err_set(err, LHT_EDB, "redact: %s", sqlite3_errmsg(db));
    while (rc == LHT_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v != NULL && strlen(v) >= 3 && names_add(h, v) != LHT_OK)
            rc = lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    }
    sqlite3_finalize(st);
    qsort(h->v, h->n, sizeof *h->v, cmp_len_desc);
    return rc;
}

static void replace_names(const struct names *h, const char *in, size_t len, struct lht_sb *out)
{
    const char *p, *end;
    size_t i;

    for (p = in, end = in + len; p < end;) {
        int hit = 0;
        if (p == in || !name_char(p[-1])) {
            for (i = 0; i < h->n; i++) {
                size_t l = strlen(h->v[i]);
                /* a dot may follow: "node-1.zip", "node-1.example.com" */
                if ((size_t)(end - p) >= l && memcmp(p, h->v[i], l) == 0 &&
                    (p + l == end || p[l] == '.' || !name_char(p[l]))) {
                    token(out, "host", p, l);
                    p += l;
                    hit = 1;
                    break;
                }
            }
        }
        if (!hit)
            lht_sb_putn(out, p++, 1);
    }
}

static int replace_ips(const struct lht_sb *in, struct lht_sb *out, lht_err *err)
{
    pcre2_match_data *md = NULL;
    const char *p = lht_sb_str(in), *end = p + in->len;

    if (lht_re_compile(ip_re, 1, err) != LHT_OK)
        return err && err->code ? err->code : LHT_ERULE;
    if ((md = pcre2_match_data_create(4, NULL)) == NULL)
        return lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    while (p < end) {
        PCRE2_SIZE *ov;
        if (pcre2_match(ip_re[0].code, (PCRE2_SPTR)p, (size_t)(end - p), 0, 0, md, lht_re_mctx()) < 0) {
            lht_sb_putn(out, p, (size_t)(end - p));
            break;
        }
        ov = pcre2_get_ovector_pointer(md);
        lht_sb_putn(out, p, ov[0]);
        token(out, "ip", p + ov[0], ov[1] - ov[0]);
        p += ov[1];
    }
    pcre2_match_data_free(md);
    return LHT_OK;
}

int lht_redact(sqlite3 *db, const char *in, size_t len, struct lht_sb *out, lht_err *err)
{
    struct names names = {NULL, 0, 0};
    struct lht_sb pass = LHT_SB_INIT;
    int rc;

    if ((rc = load_names(db, &names, err)) == LHT_OK) {
        replace_names(&names, in, len, &pass);
        rc = replace_ips(&pass, out, err);
    }
    if (rc == LHT_OK && (out->oom || pass.oom))
        rc = lht_err_set(err, LHT_ENOMEM, "redact: out of memory");
    names_free(&names);
    lht_sb_free(&pass);
    return rc;
}
