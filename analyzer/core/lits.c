/* lits.c - see lits.h. */
#include "core/lits.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define LHT_TEDDY 1
#endif

/* Fingerprint length: every literal's first FP bytes are looked up at once. */
#define FP 4

struct lht_lits {
    size_t n;
    struct {
        const unsigned char *s;
        size_t len;
        int nocase;
    } lit[LHT_LITS_MAX];
    uint64_t first[256];        /* literals that may start with byte c */
    int simd;                   /* 0: the table, 1: Teddy (SSSE3), 2: Teddy (AVX2) */
    /* Teddy: for fingerprint byte k, the buckets whose literals may hold a
     * byte with low (high) nibble v there; a position is a candidate for
     * bucket b when all 2*FP lookups have bit b. */
    unsigned char lo[FP][16], hi[FP][16];
    uint64_t bucket[8];         /* literals in each bucket */
};

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned char other_case(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return (unsigned char)(c - 32);
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    return c;
}

/* Literal i starts at p (and ends before end)? */
static int at(const struct lht_lits *t, size_t i, const unsigned char *p, const unsigned char *end)
{
    size_t k, len = t->lit[i].len;
    const unsigned char *l = t->lit[i].s;

    if ((size_t)(end - p) < len)
        return 0;
    if (!t->lit[i].nocase)
        return memcmp(p, l, len) == 0;
    for (k = 0; k < len; k++)
        if (fold(p[k]) != fold(l[k]))
            return 0;
    return 1;
}

static int first_of(const struct lht_lits *t, uint64_t cand, const unsigned char *p, const unsigned char *end)
{
    while (cand) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        if (at(t, i, p, end))
            return 1;
    }
    return 0;
}

static const char *find_table(const struct lht_lits *t, const unsigned char *p, const unsigned char *end)
{
    for (; p < end; p++)
        if (t->first[*p] && first_of(t, t->first[*p], p, end))
            return (const char *)p;
    return NULL;
}

#ifdef LHT_TEDDY
/* The candidates of a block at p: bit i of bits for position p + i, whose
 * buckets are the bits of mb[i]. The leftmost whole literal, or NULL. */
static const char *verify(const struct lht_lits *t, unsigned bits, const unsigned char *mb, const unsigned char *p,
                          const unsigned char *end)
{
    while (bits) {
        unsigned i = (unsigned)__builtin_ctz(bits), b = mb[i];
        uint64_t cand = 0;
        bits &= bits - 1;
        while (b) {
            cand |= t->bucket[__builtin_ctz(b)];
            b &= b - 1;
        }
        if (first_of(t, cand, p + i, end))
            return (const char *)(p + i);
    }
    return NULL;
}

__attribute__((target("ssse3"))) static __m128i lookup(__m128i lo, __m128i hi, __m128i v)
{
    const __m128i nib = _mm_set1_epi8(0x0f);

    return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, nib)),
                         _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
}

/* Each block tests the 16 positions p..p+15; its loads reach p+18. */
__attribute__((target("ssse3"))) static const char *find_teddy(const struct lht_lits *t,
                                                              const unsigned char *p,
                                                              const unsigned char *end)
{
    const __m128i lo0 = _mm_loadu_si128((const __m128i *)t->lo[0]), hi0 = _mm_loadu_si128((const __m128i *)t->hi[0]);
    const __m128i lo1 = _mm_loadu_si128((const __m128i *)t->lo[1]), hi1 = _mm_loadu_si128((const __m128i *)t->hi[1]);
    const __m128i lo2 = _mm_loadu_si128((const __m128i *)t->lo[2]), hi2 = _mm_loadu_si128((const __m128i *)t->hi[2]);
    const __m128i lo3 = _mm_loadu_si128((const __m128i *)t->lo[3]), hi3 = _mm_loadu_si128((const __m128i *)t->hi[3]);
    const __m128i zero = _mm_setzero_si128();

    while (end - p >= 16 + FP - 1) {
        __m128i m = lookup(lo0, hi0, _mm_loadu_si128((const __m128i *)p));
        m = _mm_and_si128(m, lookup(lo1, hi1, _mm_loadu_si128((const __m128i *)(p + 1))));
        m = _mm_and_si128(m, lookup(lo2, hi2, _mm_loadu_si128((const __m128i *)(p + 2))));
        m = _mm_and_si128(m, lookup(lo3, hi3, _mm_loadu_si128((const __m128i *)(p + 3))));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) ^ 0xffffu;
        if (bits) {
            unsigned char mb[16];
            const char *hit;
            _mm_storeu_si128((__m128i *)mb, m);
            if ((hit = verify(t, bits, mb, p, end)) != NULL)
                return hit;
        }
        p += 16;
    }
    return find_table(t, p, end);
}

__attribute__((target("avx2"))) static __m256i lookup2(__m256i lo, __m256i hi, __m256i v)
{
    const __m256i nib = _mm256_set1_epi8(0x0f);

    return _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib)),
                            _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
}

/* The same 32 positions a block (the shuffle looks up within each 16-byte
 * lane, so each table is in both); the rest goes to find_teddy. A kernel
 * log's chatter is most of a bundle's bytes, and this is their scan. */
__attribute__((target("avx2"))) static const char *find_teddy2(const struct lht_lits *t, const unsigned char *p,
                                                              const unsigned char *end)
{
    __m256i lo[FP], hi[FP];
    const __m256i zero = _mm256_setzero_si256();
    int k;

    for (k = 0; k < FP; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->hi[k]));
    }
    while (end - p >= 32 + FP - 1) {
        __m256i m = lookup2(lo[0], hi[0], _mm256_loadu_si256((const __m256i *)p));
        m = _mm256_and_si256(m, lookup2(lo[1], hi[1], _mm256_loadu_si256((const __m256i *)(p + 1))));
        m = _mm256_and_si256(m, lookup2(lo[2], hi[2], _mm256_loadu_si256((const __m256i *)(p + 2))));
        m = _mm256_and_si256(m, lookup2(lo[3], hi[3], _mm256_loadu_si256((const __m256i *)(p + 3))));
        unsigned bits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero));
        if (bits) {
            unsigned char mb[32];
            const char *hit;
            _mm256_storeu_si256((__m256i *)mb, m);
            if ((hit = verify(t, bits, mb, p, end)) != NULL)
                return hit;
        }
        p += 32;
    }
    return find_teddy(t, p, end);
}
#endif

const char *lht_lits_find(const struct lht_lits *t, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    if (t == NULL || s == NULL)
        return NULL;
#ifdef LHT_TEDDY
    if (t->simd == 2)
        return find_teddy2(t, p, p + len);
    if (t->simd)
        return find_teddy(t, p, p + len);
#endif
    return find_table(t, p, p + len);
}

int lht_lits_simd(const struct lht_lits *t)
{
    return t ? t->simd : 0;
}

/* Mark byte c at fingerprint position k for bucket b (both cases when nocase). */
static void teddy_set(struct lht_lits *t, int k, unsigned char c, int nocase, unsigned b)
{
    t->lo[k][c & 15] |= (unsigned char)(1u << b);
    t->hi[k][c >> 4] |= (unsigned char)(1u << b);
    if (nocase && other_case(c) != c)
        teddy_set(t, k, other_case(c), 0, b);
}

/* How many 4-byte strings bucket b lets through (the product over the
 * fingerprint bytes of its low-nibble and high-nibble choices), with or
 * without fingerprint fp added: a rough measure of its false candidates. */
static double teddy_width(const struct lht_lits *t, unsigned b, const unsigned char *fp, int nocase)
{
    double w = 1;
    int k;

    for (k = 0; k < FP; k++) {
        unsigned lo = 0, hi = 0, v;
        for (v = 0; v < 16; v++) {
            lo |= (unsigned)(t->lo[k][v] >> b & 1) << v;
            hi |= (unsigned)(t->hi[k][v] >> b & 1) << v;
        }
        if (fp) {
            unsigned char c = fp[k], d = nocase ? other_case(c) : c;
            lo |= 1u << (c & 15) | 1u << (d & 15);
            hi |= 1u << (c >> 4) | 1u << (d >> 4);
        }
        w *= (double)__builtin_popcount(lo) * (double)__builtin_popcount(hi);
    }
    return w;
}

/* A bucket is a candidate wherever each fingerprint byte has a low and a
 * high nibble some member holds there, so every fingerprint goes to the
 * bucket it widens least (literals with the same fingerprint share one,
 * an empty bucket costs one string). */
static void teddy_build(struct lht_lits *t)
{
    size_t i;
    int k;

    for (i = 0; i < t->n; i++) {
        const unsigned char *fp = t->lit[i].s;
        unsigned b, best = 0;
        double bc = 0;
        for (b = 0; b < 8; b++) {
            double c = teddy_width(t, b, fp, t->lit[i].nocase) - teddy_width(t, b, NULL, 0);
            if (b == 0 || c < bc) {
                bc = c;
                best = b;
            }
        }
        t->bucket[best] |= (uint64_t)1 << i;
        for (k = 0; k < FP; k++)
            teddy_set(t, k, fp[k], t->lit[i].nocase, best);
    }
}

struct lht_lits *lht_lits_new(const struct lht_lit *l, size_t n)
{
    struct lht_lits *t;
    const char *nosimd = getenv("LHT_NO_SIMD");
    size_t i, shortest = (size_t)-1;

    if (n == 0 || n > LHT_LITS_MAX)
        return NULL;
    if ((t = calloc(1, sizeof *t)) == NULL)
        return NULL;
    t->n = n;
    for (i = 0; i < n; i++) {
        unsigned char c;
        if (l[i].s == NULL || l[i].s[0] == '\0') {
            free(t);
            return NULL;
        }
        t->lit[i].s = (const unsigned char *)l[i].s;
        t->lit[i].len = strlen(l[i].s);
        t->lit[i].nocase = l[i].nocase;
        if (t->lit[i].len < shortest)
            shortest = t->lit[i].len;
        c = t->lit[i].s[0];
        t->first[c] |= (uint64_t)1 << i;
        if (l[i].nocase)
            t->first[other_case(c)] |= (uint64_t)1 << i;
    }
#ifdef LHT_TEDDY
    /* a literal shorter than the fingerprint would need its own scan */
    /* LHT_NO_SIMD=1: the table; =avx2: Teddy in 16-byte blocks (tests) */
    if (nosimd == NULL || nosimd[0] == '\0' || nosimd[0] == '0')
        nosimd = NULL;
    if (shortest >= FP && (nosimd == NULL || strcmp(nosimd, "avx2") == 0) && __builtin_cpu_supports("ssse3")) {
        t->simd = nosimd == NULL && __builtin_cpu_supports("avx2") ? 2 : 1;
        teddy_build(t);
    }
#else
    (void)nosimd;
    (void)shortest;
#endif
    return t;
}

void lht_lits_free(struct lht_lits *t)
{
    free(t);
}
