/* re.c - see re.h. */
#include "core/re.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pcre2_match_context *mctx;
static pthread_once_t mctx_once = PTHREAD_ONCE_INIT;

static void mctx_init(void)
{
    /* LHT_RE_MATCH_LIMIT lowers the limit: the tests prove with it that
     * every caller records a pattern that gives up */
    const char *v = getenv("LHT_RE_MATCH_LIMIT");
    unsigned long limit = v && *v ? strtoul(v, NULL, 10) : 0;

    mctx = pcre2_match_context_create(NULL);
    if (mctx) {
        pcre2_set_match_limit(mctx, limit > 0 && limit < 1000000 ? (uint32_t)limit : 1000000);
        pcre2_set_depth_limit(mctx, 10000);
    }
}

int lht_re_jit_enabled(void)
{
    /* LHT_NO_JIT=1 for valgrind, whose memcheck cannot see that the JIT's
     * 16-byte loads past a subject's end stay inside the page. */
    const char *v = getenv("LHT_NO_JIT");
    return v == NULL || v[0] == '\0' || v[0] == '0';
}

pcre2_match_context *lht_re_mctx(void)
{
    pthread_once(&mctx_once, mctx_init);
    return mctx;
}

int lht_re_compile(struct lht_re *t, size_t n, lht_err *err)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int ec;
        PCRE2_SIZE eo;

        if (t[i].code)
            continue;
        t[i].code = pcre2_compile((PCRE2_SPTR)t[i].pattern, PCRE2_ZERO_TERMINATED,
                                  0, &ec, &eo, NULL);
        if (t[i].code == NULL) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            return lht_err_set(err, LHT_ERULE, "pattern /%s/ at offset %zu: %s",
                               t[i].pattern, (size_t)eo, (char *)msg);
        }
        /* JIT is an optimisation: the interpreter is the fallback. */
        if (lht_re_jit_enabled())
            (void)pcre2_jit_compile(t[i].code, PCRE2_JIT_COMPLETE);
    }
    return LHT_OK;
}

int lht_re_first(const struct lht_re *t, size_t n, const char *s, size_t len,
                 pcre2_match_data *md, int *fail)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int rc;
        if (t[i].code == NULL)
            continue;
        rc = pcre2_match(t[i].code, (PCRE2_SPTR)s, len, 0, 0, md, lht_re_mctx());
        if (rc >= 0)
            return (int)i;
        if (rc != PCRE2_ERROR_NOMATCH && *fail == 0)
            *fail = rc;
    }
    return -1;
}

int lht_re_fail_is_limit(int code)
{
    return code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT ||
           code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_JIT_STACKLIMIT;
}

const char *lht_re_fail_text(int code, char *buf, size_t n)
{
    PCRE2_UCHAR msg[200];

    if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
        snprintf((char *)msg, sizeof msg, "unknown error");
    snprintf(buf, n, "%s (PCRE2 error %d)", (char *)msg, code);
    return buf;
}

pcre2_match_data *lht_re_match_data(const struct lht_re *t, size_t n)
{
    uint32_t most = 1, c;
    size_t i;

    for (i = 0; i < n; i++)
        if (t[i].code && pcre2_pattern_info(t[i].code, PCRE2_INFO_CAPTURECOUNT, &c) == 0 &&
            c + 1 > most)
            most = c + 1;
    return pcre2_match_data_create(most, NULL);
}

int lht_re_group(const pcre2_code *code, pcre2_match_data *md, const char *s,
                 const char *name, char *out, size_t outsz)
{
    int num = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t len;

    if (num < 0 || (uint32_t)num >= pcre2_get_ovector_count(md) ||
        ov[2 * num] == PCRE2_UNSET || outsz == 0)
        return -1;
    len = ov[2 * num + 1] - ov[2 * num];
    if (len >= outsz)
        len = outsz - 1;
    memcpy(out, s + ov[2 * num], len);
    out[len] = '\0';
    return (int)len;
}
