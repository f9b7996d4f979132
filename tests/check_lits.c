/* check_lits.c - the literal-set search (core/lits.c): both paths (SIMD
 * and the first-byte table) against a plain position-by-position search,
 * at block edges, in the tail, with literals cut by the buffer's end. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/lits.h"
#include "tu_main.h"

static const struct lht_lit lits[] = {
    {"INFO: task", 0}, {"task:", 0}, {"Call Trace", 0}, {"BUG: ", 0}, {"PID: ", 0},
    {"lease expired", 1}, {"nfs: server", 0}, {"NFS: Server", 0}, {"SysRq", 0},
    {"hung_task_timeout_secs", 0}, {"state manager", 0}, {"WARNING:", 0},
};
#define NL (sizeof lits / sizeof lits[0])

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The reference: every position, every literal. */
static const char *naive(const char *s, size_t len)
{
    size_t i, j, k;

    for (i = 0; i < len; i++)
        for (j = 0; j < NL; j++) {
            size_t l = strlen(lits[j].s);
            if (len - i < l)
                continue;
            for (k = 0; k < l; k++)
                if (lits[j].nocase ? fold(s[i + k]) != fold(lits[j].s[k]) : s[i + k] != lits[j].s[k])
                    break;
            if (k == l)
                return s + i;
        }
    return NULL;
}

/* mode 0: the table; 1: Teddy in 16-byte blocks; 2: the machine's best */
static struct lht_lits *make(int mode)
{
    static const char *const env[] = {"1", "avx2", NULL};
    struct lht_lits *t;

    if (env[mode])
        setenv("LHT_NO_SIMD", env[mode], 1);
    else
        unsetenv("LHT_NO_SIMD");
    t = lht_lits_new(lits, NL);
    ck_assert_ptr_nonnull(t);
    unsetenv("LHT_NO_SIMD");
    return t;
}

/* Text made of pieces of the literals, near misses and filler, so that
 * fingerprints match often and whole literals now and then. */
static void fill(char *b, size_t n, unsigned *seed)
{
    static const char *const bits[] = {"INFO: tas", "task", "Call", " Trace", "BUG:", " ", "PID",
                                       ": ", "LeAsE eXpIrEd", "lease expire", "nfs: serve", "NFS: S",
                                       "SysR", "q", "x", "\n", "state manage", "r", "WARNING", ":"};
    size_t o = 0;

    while (o < n) {
        const char *p = bits[rand_r(seed) % (sizeof bits / sizeof bits[0])];
        size_t l = strlen(p);
        if (rand_r(seed) % 4 == 0) {
            b[o++] = (char)('a' + rand_r(seed) % 26);
            continue;
        }
        if (l > n - o)
            l = n - o;
        memcpy(b + o, p, l);
        o += l;
    }
}

/* Every start offset and length of many random texts: the same answer. */
START_TEST(same_as_naive)
{
    struct lht_lits *t = make(_i);
    unsigned seed = 12345;
    char buf[300];
    int round;

    /* the SIMD paths where the machine has them; the table always */
    if (_i == 0)
        ck_assert_int_eq(lht_lits_simd(t), 0);
#if defined(__x86_64__)
    if (_i == 1 && __builtin_cpu_supports("ssse3"))
        ck_assert_int_eq(lht_lits_simd(t), 1);
    if (_i == 2 && __builtin_cpu_supports("avx2"))
        ck_assert_int_eq(lht_lits_simd(t), 2);
#endif
    for (round = 0; round < 400; round++) {
        size_t len = (size_t)(rand_r(&seed) % sizeof buf), off;
        fill(buf, len, &seed);
        for (off = 0; off <= len; off += 1 + (size_t)(rand_r(&seed) % 7)) {
            const char *got = lht_lits_find(t, buf + off, len - off), *want = naive(buf + off, len - off);
            ck_assert_msg(got == want, "round %d off %zu len %zu: got %td want %td", round, off, len,
                          got ? got - buf : -1, want ? want - buf : -1);
        }
    }
    lht_lits_free(t);
}
END_TEST

/* One literal alone in filler, at every offset of a 100-byte buffer:
 * edges of 32- and 16-byte blocks, the tail, and cut by the end (no
 * match). */
START_TEST(every_offset)
{
    struct lht_lits *t = make(_i);
    char buf[100];
    size_t j, o;

    for (j = 0; j < NL; j++) {
        size_t l = strlen(lits[j].s);
        for (o = 0; o < sizeof buf; o++) {
            size_t fit = sizeof buf - o < l ? sizeof buf - o : l;
            memset(buf, '.', sizeof buf);
            memcpy(buf + o, lits[j].s, fit);
            ck_assert_ptr_eq(lht_lits_find(t, buf, sizeof buf), fit == l ? buf + o : NULL);
        }
    }
    ck_assert_ptr_null(lht_lits_find(t, buf, 0));
    lht_lits_free(t);
}
END_TEST

START_TEST(leftmost_and_case)
{
    struct lht_lits *t = make(_i);
    const char *s = "xx LEASE Expired .. task: INFO: task";

    ck_assert_ptr_eq(lht_lits_find(t, s, strlen(s)), s + 3);
    ck_assert_ptr_null(lht_lits_find(t, "info: task sysrq bug: pid: ", 27));
    lht_lits_free(t);
}
END_TEST

START_TEST(bad_sets)
{
    struct lht_lit empty = {"", 0}, shortl[] = {{"ab", 0}, {"task:", 0}};
    struct lht_lits *t;

    ck_assert_ptr_null(lht_lits_new(&empty, 1));
    ck_assert_ptr_null(lht_lits_new(lits, 0));
    /* a literal shorter than the fingerprint: the table path, same answers */
    t = lht_lits_new(shortl, 2);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(lht_lits_simd(t), 0);
    {
        const char *s = "xxxxxxxxxxxxxxxxxxxxxxab task:";
        ck_assert_ptr_eq(lht_lits_find(t, s, strlen(s)), s + 22);
        ck_assert_ptr_eq(lht_lits_find(t, s + 23, strlen(s) - 23), s + 25);
    }
    lht_lits_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lits");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, same_as_naive, 0, 3);
    tcase_add_loop_test(tc, every_offset, 0, 3);
    tcase_add_loop_test(tc, leftmost_and_case, 0, 3);
    tcase_add_test(tc, bad_sets);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(suite)
