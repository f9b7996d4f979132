/*
 * progress.c - scan's progress line on stderr (cli.h).
 *
 * Worker threads report through the source's progress hook while they
 * read; the writer thread prints a line per stored bundle. One mutex
 * keeps the two from mixing on a terminal: the line is cleared before
 * any other output and redrawn after it. A worker never waits for it:
 * while the writer holds it (storing and printing a bundle) an update is
 * dropped, and the end of an input is an atomic flag. The line shows the
 * whole batch, so its rate and ETA hold across bundles:
 *
 *   [2/5] 181.2 of 263.0 MiB, 58.1 MiB/s, ETA 1s  bundle.zip: nodes/n1.zip!n1/logs/syslog
 *
 * (KiB, MiB or GiB, whichever suits the total).
 *
 * Bytes are those of the inputs as stored (compressed); an input of
 * unknown size (a pipe, a folder) shows what was read and no ETA.
 */
#include "cli/cli.h"
#include "ingest/source.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_MS 100

struct slot {
    const char *name;               /* the input as given (borrowed) */
    unsigned long long size, done;  /* size 0: unknown */
    char member[512];               /* the member being read */
    int planned;
    atomic_int finished;            /* set by a worker, without the mutex */
};

struct hook_ud {
    struct lht_progress *p;
    size_t i;
};

struct lht_progress {
    pthread_mutex_t mu;
    struct slot *s;
    struct hook_ud *ud;
    size_t n, planned;
    atomic_size_t nfinished;        /* inputs read to their end */
    size_t current;                 /* the input the line names */
    long long start_ms, drawn_ms;
    int drawn;                      /* the line is on the screen */
    int was_drawn;                  /* it was, when the writer took hold */
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct lht_progress *lht_progress_begin(int show, size_t n)
{
    struct lht_progress *p;
    size_t i;

    if (show == 0 || (show < 0 && !isatty(STDERR_FILENO)) || n == 0)
        return NULL;
    if ((p = calloc(1, sizeof *p)) == NULL)
        return NULL;
    p->s = calloc(n, sizeof *p->s);
    p->ud = calloc(n, sizeof *p->ud);
    if (p->s == NULL || p->ud == NULL || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->s);
        free(p->ud);
        free(p);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        p->ud[i].p = p;
        p->ud[i].i = i;
        atomic_init(&p->s[i].finished, 0);
    }
    p->n = n;
    atomic_init(&p->nfinished, 0);
    p->start_ms = now_ms();
    return p;
}

void lht_progress_start(struct lht_progress *p, size_t i, const char *name, unsigned long long size)
{
    if (p == NULL || i >= p->n)
        return;
    pthread_mutex_lock(&p->mu);
    p->s[i].name = name;
    p->s[i].size = size;
    if (!p->s[i].planned)
        p->planned++;
    p->s[i].planned = 1;
    pthread_mutex_unlock(&p->mu);
}

void *lht_progress_ud(struct lht_progress *p, size_t i)
{
    return p && i < p->n ? &p->ud[i] : NULL;
}

/* Bytes in the unit that suits scale: KiB, MiB or GiB. */
static const char *unit_of(unsigned long long scale, double *div)
{
    if (scale >= 1ull << 30) {
        *div = 1073741824.0;
        return "GiB";
    }
    if (scale >= 1ull << 20) {
        *div = 1048576.0;
        return "MiB";
    }
    *div = 1024.0;
    return "KiB";
}

static void put_eta(struct lht_sb *b, double secs)
{
    long s = (long)(secs + 0.5);

    if (s >= 3600)
        lht_sb_printf(b, ", ETA %ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        lht_sb_printf(b, ", ETA %ldm%02lds", s / 60, s % 60);
    else
        lht_sb_printf(b, ", ETA %lds", s);
}

/* The counters part of the line: position in the batch, bytes, rate, ETA. */
static void put_counts(const struct lht_progress *p, struct lht_sb *b, long long now)
{
    unsigned long long done = 0, total = 0;
    size_t finished = atomic_load(&p->nfinished);
    double secs = (double)(now - p->start_ms) / 1000.0, rate, div;
    const char *unit;
    int unknown = 0;
    size_t i;

    for (i = 0; i < p->n; i++) {
        const struct slot *s = &p->s[i];
        if (!s->planned)
            continue;
        int fin = atomic_load(&s->finished);
        done += fin && s->size ? s->size : s->done;
        total += s->size;
        unknown |= s->size == 0 && !fin;
    }
    rate = secs > 0.2 ? (double)done / secs : 0;
    if (p->planned > 1)
        lht_sb_printf(b, "[%zu/%zu] ", finished + (finished < p->planned), p->planned);
    unit = unit_of(!unknown && total ? total : done, &div);
    lht_sb_printf(b, "%.1f", (double)done / div);
    if (!unknown && total)
        lht_sb_printf(b, " of %.1f", (double)total / div);
    lht_sb_printf(b, " %s", unit);
    if (rate > 0) {
        unit = unit_of((unsigned long long)rate, &div);
        lht_sb_printf(b, ", %.1f %s/s", rate / div, unit);
        if (!unknown && total > done)
            put_eta(b, (double)(total - done) / rate);
    }
}

static size_t columns(void)
{
    struct winsize ws;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

/* Append text (already escaped) keeping its last room columns: a
 * member's path says most at its end. Escaped text is ASCII plus valid
 * UTF-8, so a column is a byte that does not continue a character. */
/* Append text (already escaped) keeping its last room columns: a
 * member's path says most at its end. Escaped text is ASCII plus valid
 * UTF-8, so a column is a byte that does not continue a character. */
static size_t cols_of(const char *text);
static void put_tail(struct lht_sb *b, const char *text, size_t room)
{
    size_t cols = cols_of(text), i, n = strlen(text);

    if (cols <= room) {
        lht_sb_puts(b, text);
        return;
    }
    if (room < 4)
        return;
    lht_sb_puts(b, "...");
    for (i = 0; i < n && cols > room - 3; i++)
        cols -= ((unsigned char)text[i] & 0xc0) != 0x80;
    while (i < n && ((unsigned char)text[i] & 0xc0) == 0x80)
        i++;
    lht_sb_puts(b, text + i);
}

static size_t cols_of(const char *text)
{
    size_t cols = 0;

    for (; *text; text++)
        cols += ((unsigned char)*text & 0xc0) != 0x80;
    return cols;
}

/* The line: the counts, then the input and the member being read, both
 * escaped (they are archive text) and cut to the terminal's width from
 * the left of the member first. */
static void draw(struct lht_progress *p, long long now)
{
    struct lht_sb line = LHT_SB_INIT, name = LHT_SB_INIT, member = LHT_SB_INIT;
    const struct slot *s = &p->s[p->current];
    size_t width = columns() - 1, room;

    put_counts(p, &line, now);
    lht_cli_escape(&name, s->name ? s->name : "");
    lht_cli_escape(&member, s->member);
    if (name.len && line.len + 2 < width) {
        room = width - line.len - 2;   /* the counts are ASCII */
        lht_sb_puts(&line, "  ");
        if (member.len && cols_of(lht_sb_str(&name)) + 6 < room) {
            lht_sb_puts(&line, lht_sb_str(&name));
            lht_sb_puts(&line, ": ");
            put_tail(&line, lht_sb_str(&member), room - cols_of(lht_sb_str(&name)) - 2);
        } else {
            put_tail(&line, lht_sb_str(&name), room);
        }
    }
    if (!line.oom) {
        fprintf(stderr, "\r%s\033[K", lht_sb_str(&line));
        fflush(stderr);
        p->drawn = 1;
        p->drawn_ms = now;
    }
    lht_sb_free(&line);
    lht_sb_free(&name);
    lht_sb_free(&member);
}

void lht_progress_hook(void *ud, const struct lht_source_progress *sp)
{
    struct hook_ud *h = ud;
    struct lht_progress *p;
    struct slot *s;
    long long now;

    if (h == NULL)
        return;
    p = h->p;
    s = &p->s[h->i];
    now = now_ms();
    if (pthread_mutex_trylock(&p->mu) != 0)
        return;   /* the writer is storing or printing: this update can go */
    s->done = sp->done;
    if (sp->total)
        s->size = sp->total;
    snprintf(s->member, sizeof s->member, "%s", sp->member ? sp->member : "");
    p->current = h->i;
    if (now - p->drawn_ms >= REDRAW_MS)
        draw(p, now);
    pthread_mutex_unlock(&p->mu);
}

void lht_progress_done(struct lht_progress *p, size_t i)
{
    if (p == NULL || i >= p->n)
        return;
    if (atomic_exchange(&p->s[i].finished, 1) == 0)
        atomic_fetch_add(&p->nfinished, 1);
}

void lht_progress_hold(struct lht_progress *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    /* put back on release only a line that was up: a hold before any
     * worker has read a byte must not draw an empty line */
    p->was_drawn = p->drawn;
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
    }
}

void lht_progress_release(struct lht_progress *p)
{
    if (p == NULL)
        return;
    fflush(stdout);
    if (p->was_drawn && atomic_load(&p->nfinished) < p->planned &&
        !atomic_load(&p->s[p->current].finished))
        draw(p, now_ms());
    pthread_mutex_unlock(&p->mu);
}

void lht_progress_end(struct lht_progress *p)
{
    if (p == NULL)
        return;
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->mu);
    free(p->s);
    free(p->ud);
    free(p);
}
