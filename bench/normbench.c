/*
 * normbench.c - is undressing a paste linear in its size? Times
 * lht_normalise() and the whole paste path (lht_extract_text: undress,
 * split at prompts, parse) on pastes in every dress the normaliser
 * undoes (mail quotes, fences, indentation, HTML entities, QP soft
 * breaks, CRLF, markdown bold), at 1x, 4x and 16x a base size, against a
 * baseline measured in the same run: a plain line walk (memchr per line)
 * over the same buffer. Prints medians and ratios; the seconds are only
 * for orientation.
 *
 *   normbench [BASE_MB] [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "facts/facts.h"
#include "ingest/extract.h"
#include "ingest/normalise.h"

/* One block of a dressed paste: a quoted, fenced transcript with an
 * HTML-escaped stack, a QP soft break and CRLF line ends. */
static const char *const block[] = {
    "> On Thu, ops wrote:\r\n",
    "> > ```text\r\n",
    "> >     root@w1:~# ps aux | grep writer\r\n",
    "> >     **root      4242  0.0  0.0   4508  1536 ?        D    Sep24   0:12 /bin/sh ./writer.sh**\r\n",
    "> >     root@w1:~# cat /proc/4242/stack\r\n",
    "> >     [&lt;0&gt;] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\r\n",
    "> >     [&lt;0&gt;] update_open_stateid+0xa0/0x2b0 [nfsv4]\r\n",
    "> >     [&lt;0&gt;] _nfs4_open_and_get_state+0x102/0x3d0 [nfsv4] &amp; more frames h=\r\n",
    "ere\r\n",
    "> > ```\r\n",
    "\r\n",
};

static char *make_paste(size_t bytes, size_t *len)
{
    char *buf = malloc(bytes + 4096);
    size_t n = 0, i;

    if (buf == NULL)
        return NULL;
    while (n < bytes)
        for (i = 0; i < sizeof block / sizeof block[0]; i++) {
            size_t l = strlen(block[i]);
            memcpy(buf + n, block[i], l);
            n += l;
        }
    *len = n;
    return buf;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile size_t sink;

static double t_walk(const char *buf, size_t len)
{
    double t = now();
    const char *p = buf, *e = buf + len;
    size_t lines = 0;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        lines++;
        p = nl ? nl + 1 : e;
    }
    sink = lines;
    return now() - t;
}

static double t_norm(const char *buf, size_t len)
{
    struct lht_norm nm;
    double t = now();
    if (lht_normalise(buf, len, &nm) != LHT_OK)
        exit(2);
    t = now() - t;
    sink = nm.len;
    lht_norm_free(&nm);
    return t;
}

static double t_paste(const char *buf, size_t len)
{
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    double t = now();
    if (f == NULL || lht_extract_text(f, "ticket/paste.txt", buf, len, &err) != LHT_OK)
        exit(2);
    t = now() - t;
    sink = lht_facts_count(f, LHT_FACT_STACK);
    lht_facts_free(f);
    return t;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    double base_mb = argc > 1 ? atof(argv[1]) : 4.0;
    int runs = argc > 2 ? atoi(argv[2]) : 5, s, r;
    static const int scale[] = {1, 4, 16};
    double walk[3], norm[3], paste[3];
    size_t lens[3];

    if (runs < 1 || runs > 99 || base_mb <= 0)
        return 2;
    for (s = 0; s < 3; s++) {
        size_t len;
        char *buf = make_paste((size_t)(base_mb * scale[s] * 1048576.0), &len);
        double w[99], n[99], p[99];
        if (buf == NULL)
            return 2;
        /* in turns, so drift hits all three alike */
        for (r = 0; r < runs; r++) {
            w[r] = t_walk(buf, len);
            n[r] = t_norm(buf, len);
            p[r] = t_paste(buf, len);
        }
        walk[s] = median(w, runs);
        norm[s] = median(n, runs);
        paste[s] = median(p, runs);
        lens[s] = len;
        free(buf);
    }
    printf("%-8s %10s %10s %10s %12s %12s\n", "size", "walk s", "undress s", "paste s", "undress/walk",
           "paste/walk");
    for (s = 0; s < 3; s++)
        printf("%6.1fM %10.4f %10.4f %10.4f %12.1f %12.1f\n", (double)lens[s] / 1048576.0, walk[s], norm[s],
               paste[s], norm[s] / walk[s], paste[s] / walk[s]);
    printf("growth from 1x to 16x (16.0 = linear): walk %.1f, undress %.1f, paste %.1f\n", walk[2] / walk[0],
           norm[2] / norm[0], paste[2] / paste[0]);
    return 0;
}
