/*
 * cmd_scan.c - `lhtriage scan`: inputs -> facts -> cases -> findings.
 *
 * Batch shape: the inputs are gathered into the cases they make
 * (scan_inputs.c: a ticket folder is one case), optionally cut to a shard
 * of the cases, and those unchanged since their last scan are skipped.
 * Worker threads read inputs in parallel; the main thread is the only
 * database writer: it stores each input in input order, one transaction
 * each, and once a case's inputs are stored it evaluates the case from
 * the database (case/case.h) and prints its findings. A case whose inputs
 * were all skipped is evaluated again only when it is stale or the rules
 * changed; otherwise its stored findings are printed, so a cached result
 * says and exits the same as a fresh one. Output and database contents do
 * not depend on thread timing. The workers feed the progress line
 * (progress.c); the writer holds it while it stores and prints.
 */
#include "cli/cli.h"
#include "cli/scan.h"
#include "case/case.h"
#include "ingest/extract.h"
#include "facts/facts.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "core/sha256.h"
#include "ingest/source.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage scan [OPTIONS] INPUT...\n\n"
            "Read Longhorn support bundles (.zip, .tar, .tar.gz/.tgz, .tar.xz, .tar.zst),\n"
            "unpacked bundle folders, sosreports, supportconfigs or pasted text files\n"
            "without extracting them, store the evidence they hold in the database, and\n"
            "run the rules on each case. A ticket folder (one that holds such inputs) is\n"
            "one case: a paste next to a bundle confirms what the bundle only suggests.\n"
            "A folder of ticket folders is searched for them; any other input is a case\n"
            "of its own. INPUT '-' reads one bundle or pasted text from stdin, stored as\n"
            "'(stdin)' or --name NAME (a later scan under the same name replaces it).\n\n"
            "options:\n"
            "  --db FILE               database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --rules DIR             rules directory (default: $LHTRIAGE_RULES or the installed rules)\n"
            "  --ticket NAME           all inputs are one case named NAME\n"
            "  --fail-on SEVERITY      exit 1 when a finding at or above SEVERITY exists\n"
            "                          (info, warning, error, critical)\n"
            "  -j, --jobs N            inputs read in parallel (default: number of CPUs)\n"
            "  --rescan                read inputs even when unchanged since their last scan\n"
            "  --replace               store a damaged (partial) read of an input even over\n"
            "                          a complete earlier scan of it\n"
            "  --shard K/N             scan only the K-th of N slices of the sorted cases\n"
            "  --no-logs               host evidence only: leave node logs (dmesg, syslog,\n"
            "                          journals) unread; rules that need them cannot fire.\n"
            "                          Automatic when no loaded rule reads kernel logs\n"
            "  --max-member-size SIZE  bytes read per member, rest skipped (default 256M)\n"
            "  --max-total SIZE        bytes read per input, all members (default 64G)\n"
            "  --max-depth N           nesting levels of archives (default 4)\n"
            "  --max-members N         members per input (default 2000000)\n"
            "  --name NAME             the name of the '-' input (default: (stdin))\n"
            "  --progress              show a progress line on stderr even when it is not\n"
            "                          a terminal\n"
            "  --no-progress           never show it (default: only on a terminal)\n"
            "  --color WHEN            colour the finding lines: auto (default, on a\n"
            "                          terminal unless NO_COLOR is set), always, never\n"
            "  -q, --quiet             print errors only\n"
            "  -h, --help              show this help\n\n"
            "Prints one line per input, the findings of each case with their ids (for\n"
            "`lhtriage explain`), then a summary. Exit status: 0 ok, 1 findings at or above\n"
            "--fail-on, 2 when an input could not be read or stored, or a ticket held\n"
            "nothing usable.\n");
}

/* ---- jobs -------------------------------------------------------------- */

/* What a reader has read of a large input so far, for the writer to store
 * while it reads on (lht_store_put_open). */
struct part {
    struct part *next;
    struct lht_facts_range *r;
};

struct job {
    const char *input;          /* as typed, or found below a typed folder */
    size_t group;
    char canon[PATH_MAX];
    char sha[65];
    char content[LHT_CONTENT_ID_SIZE];
    long long size, mtime;
    int is_file;
    int is_stdin;               /* INPUT '-': input and canon hold its name */
    struct lht_facts *f;
    struct lht_bundle_info info;
    lht_err err;
    int rc;                     /* extract result */
    int done;
    int skip;                   /* unchanged since its last scan */
    int io_failed;              /* could not even stat/hash it */
    /* the parts its reader handed over (pool->mu) and where the last ended */
    struct part *parts, **parts_tail;
    struct lht_facts_mark parts_end;
    int parts_lost;             /* a part could not be copied: none follow */
    /* the writer's: the parts stored so far, in an open write, and what
     * was stored for the input before (which that write removed) */
    struct lht_store_put *put;
    int put_failed;
    struct lht_stored old;
    int found;
};

struct pool {
    struct job *jobs;
    size_t n, next, stored;
    size_t window;              /* jobs read ahead of the writer */
    const struct lht_source_opts *o;
    struct lht_progress *progress;  /* or NULL */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* The input's sha256, on a thread of its own for a large file: hashing a
 * bundle costs as much as a tenth of reading it, and the two need not
 * wait for each other. */
#define HASH_THREAD_BYTES (1 << 20)
struct hash_job {
    struct job *j;
    int rc;
    lht_err err;
};

static void *hash_main(void *arg)
{
    struct hash_job *h = arg;

    lht_err_clear(&h->err);
    h->rc = lht_sha256_file(h->j->canon, h->j->sha, &h->err);
    return NULL;
}

struct part_ctx {
    struct pool *p;
    struct job *j;
};

/* The reader's hook (source.h): a copy of the records from .. to, queued
 * for the writer. A copy that fails ends the parts: the writer then takes
 * back the ones it stored and stores the input whole. */
static void on_part(void *ud, const struct lht_facts *f, const struct lht_facts_mark *from,
                    const struct lht_facts_mark *to)
{
    struct part_ctx *c = ud;
    struct job *j = c->j;
    struct part *pt;

    if (j->parts_lost)
        return;
    if ((pt = malloc(sizeof *pt)) != NULL && (pt->r = lht_facts_range_copy(f, from, to)) == NULL) {
        free(pt);
        pt = NULL;
    }
    pthread_mutex_lock(&c->p->mu);
    if (pt == NULL) {
        j->parts_lost = 1;
    } else {
        pt->next = NULL;
        *j->parts_tail = pt;
        j->parts_tail = &pt->next;
        j->parts_end = *to;
    }
    pthread_cond_broadcast(&c->p->cv);
    pthread_mutex_unlock(&c->p->mu);
}

static void run_job(struct pool *p, struct job *j)
{
    struct lht_source_opts o = *p->o;
    struct hash_job h = {j, LHT_OK, {0}};
    struct part_ctx pc = {p, j};
    pthread_t th;
    int hashing = 0;

    o.progress = p->progress ? lht_progress_hook : NULL;
    o.progress_ud = lht_progress_ud(p->progress, (size_t)(j - p->jobs));
    o.part = on_part;
    o.part_ud = &pc;
    lht_err_clear(&j->err);
    if (j->is_file) {
        if (j->size >= HASH_THREAD_BYTES && pthread_create(&th, NULL, hash_main, &h) == 0)
            hashing = 1;
        else
            hash_main(&h);
    }
    j->f = lht_facts_new();
    if (j->f == NULL)
        j->rc = lht_err_set(&j->err, LHT_ENOMEM, "%s: out of memory", j->input);
    else if (j->is_stdin)
        j->rc = lht_extract_fd(STDIN_FILENO, j->canon, &o, j->f, &j->info, &j->err);
    else
        j->rc = lht_extract(j->canon, &o, j->f, &j->info, &j->err);
    if (hashing)
        pthread_join(th, NULL);
    lht_progress_done(p->progress, (size_t)(j - p->jobs));
    if (h.rc != LHT_OK) {
        /* a file that cannot be hashed is not stored at all, read or not */
        lht_facts_free(j->f);
        j->f = NULL;
        j->err = h.err;
        j->rc = h.err.code;
        j->io_failed = 1;
        return;
    }
    if (j->rc == LHT_OK &&
        lht_case_content_id(j->f, j->is_file ? j->sha : NULL, j->content) != LHT_OK)
        j->rc = lht_err_set(&j->err, LHT_ENOMEM, "%s: out of memory", j->input);
}

static void *worker(void *arg)
{
    struct pool *p = arg;

    for (;;) {
        struct job *j;
        pthread_mutex_lock(&p->mu);
        /* bounded read-ahead keeps memory flat on a folder of big bundles */
        /* skipped and unreadable inputs were marked done when planned */
        while (p->next < p->n && (p->jobs[p->next].skip || p->jobs[p->next].io_failed))
            p->next++;
        while (p->next < p->n && p->next >= p->stored + p->window)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->next >= p->n) {
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            break;
        }
        j = &p->jobs[p->next++];
        pthread_mutex_unlock(&p->mu);
        run_job(p, j);
        pthread_mutex_lock(&p->mu);
        j->done = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* ---- options ------------------------------------------------------------- */

struct scan_opts {
    struct lht_source_opts src;
    const char *db, *rules_dir, *ticket;
    const char *name;                 /* of the '-' input */
    int progress;                     /* 1 on, 0 off, -1 on a terminal */
    int quiet, rescan, replace, fail_on;
    long jobs;
    unsigned long shard_k, shard_n;   /* 0/0: no shard */
};

/* The writer's state: the store, the matcher cases are evaluated with,
 * and what this run reported. */
struct writer {
    struct lht_store *store;
    struct lht_matcher *m;
    const struct scan_opts *so;
    const char *input_key;      /* what an input's facts depend on */
    const char *rules_digest;   /* what a case's findings depend on */
    unsigned long scanned, skipped, failed;
    long long *reported;        /* cases reported this run, and the */
    unsigned long (*counts)[4]; /* findings by severity each has now */
    size_t nreported, capreported;
    long long *left;            /* cases inputs left, evaluated at the end */
    size_t nleft, capleft;
    unsigned batch_cases;       /* cases in the open batch (group commits) */
    long long batch_start;      /* when it began, monotonic ms */
};

/* ---- output ------------------------------------------------------------ */

static void input_line(const char *typed, const char *status, const struct lht_facts *f,
                       const struct lht_bundle_info *info, const char *indent)
{
    size_t np, ns, nm, nh, nk;
    char w[6][48];

    (void)lht_facts_processes(f, &np);
    (void)lht_facts_stacks(f, &ns);
    (void)lht_facts_mounts(f, &nm);
    (void)lht_facts_hung_tasks(f, &nh);
    (void)lht_facts_klogs(f, &nk);
    fputs(indent, stdout);
    lht_cli_put_escaped(stdout, typed);
    printf(": %s, %s (%lu parsed), %s, %s, %s, %s, %s\n", status,
           lht_cli_plural(w[0], sizeof w[0], info->members, "member", "members"), info->parsed,
           lht_cli_plural(w[1], sizeof w[1], np, "process", "processes"),
           lht_cli_plural(w[2], sizeof w[2], ns, "stack", "stacks"),
           lht_cli_plural(w[3], sizeof w[3], nm, "mount", "mounts"),
           lht_cli_plural(w[4], sizeof w[4], nh, "hung task", "hung tasks"),
           lht_cli_plural(w[5], sizeof w[5], nk, "kernel event", "kernel events"));
}

static void finding_line(const struct lht_case_finding *fi)
{
    static const char *const colours[] = {"\033[36m", "\033[33m", "\033[31m", "\033[1;31m"};
    int sev = lht_severity_parse(fi->severity);
    int c = lht_cli_colour(stdout) && sev >= 0 && sev < 4;

    printf("  %s%-8s%s %s %s", c ? colours[sev] : "", fi->severity, c ? "\033[0m" : "", fi->rule_id,
           fi->confidence);
    if (fi->node) {
        printf(" node=");
        lht_cli_put_escaped(stdout, fi->node);
    }
    if (fi->pids) {
        printf(" pid=");
        lht_cli_put_escaped(stdout, fi->pids);
    }
    printf(": ");
    lht_cli_put_escaped(stdout, fi->title);
    printf(" (finding %lld)\n", fi->id);
}

static int reported_slot(struct writer *w, long long id)
{
    size_t i;

    for (i = 0; i < w->nreported; i++)
        if (w->reported[i] == id)
            return (int)i;
    if (w->nreported == w->capreported) {
        size_t cap = w->capreported ? w->capreported * 2 : 16;
        long long *r = realloc(w->reported, cap * sizeof *r);
        unsigned long (*c)[4];
        if (r == NULL)
            return -1;
        w->reported = r;
        if ((c = realloc(w->counts, cap * sizeof *c)) == NULL)
            return -1;
        w->counts = c;
        w->capreported = cap;
    }
    w->reported[w->nreported] = id;
    memset(w->counts[w->nreported], 0, sizeof w->counts[0]);
    return (int)w->nreported++;
}

static const char *input_name(const struct lht_case_input *x)
{
    return x->typed ? x->typed : x->path;
}

/* The inputs of the case read once because another input has the same content. */
static void duplicate_lines(const struct lht_case_input *in, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        if (in[i].dup_of <= 0)
            continue;
        for (j = 0; j < n && in[j].bundle_id != in[i].dup_of; j++)
            ;
        printf("  ");
        lht_cli_put_escaped(stdout, input_name(&in[i]));
        printf(": same content as ");
        lht_cli_put_escaped(stdout, j < n ? input_name(&in[j]) : "another input");
        printf(", read once\n");
    }
}

/* 1 when no input of the case held anything read as evidence (and none
 * failed, which was said already): a ticket of mails, notes or an empty
 * report gives no finding because there was nothing to look at, and the
 * user must hear that rather than a clean result. */
static int nothing_usable(const struct lht_case_input *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (in[i].pieces > 0 || strcmp(in[i].status, "failed") == 0)
            return 0;
    return n > 0;
}

/* A ticket named as typed: its folder, or the --ticket name. */
static void nothing_usable_error(const char *ticket, size_t n)
{
    char w[48];

    fflush(stdout);
    lht_cli_error("%s: nothing usable in its %s: no ps, stack, mount, kernel log, version or Kubernetes output "
                  "(a bundle, sosreport, supportconfig or pasted shell output)",
                  ticket, lht_cli_plural(w, sizeof w, n, "input", "inputs"));
}

/* The case's stored findings: printed (unless quiet) and counted. Exit 2
 * when the case is a ticket and nothing in it was usable. */
static int report_case(struct writer *w, long long id, const char *name, const struct lht_scan_group *g)
{
    struct lht_case_finding *fi = NULL;
    struct lht_case_input *in = NULL;
    size_t nf = 0, nin = 0, i;
    int slot = reported_slot(w, id), rc;
    lht_err err;

    if (slot < 0) {
        lht_cli_error("scan: out of memory");
        return LHT_EXIT_ERROR;
    }
    if ((rc = lht_store_case_findings(w->store, id, &fi, &nf, &err)) != LHT_OK ||
        (rc = lht_store_case_inputs(w->store, id, &in, &nin, &err)) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        lht_store_case_findings_free(fi, nf);
        return LHT_EXIT_ERROR;
    }
    memset(w->counts[slot], 0, sizeof w->counts[0]);
    for (i = 0; i < nf; i++) {
        int sev = lht_severity_parse(fi[i].severity);
        if (sev >= 0 && sev < 4)
            w->counts[slot][sev]++;
    }
    if (!w->so->quiet) {
        if (nin > g->n) {
            printf("  (case ");
            lht_cli_put_escaped(stdout, name);
            printf(": %zu inputs)\n", nin);
        }
        duplicate_lines(in, nin);
        for (i = 0; i < nf; i++)
            finding_line(&fi[i]);
        fflush(stdout);
    }
    rc = g->how != LHT_GROUP_LONE && nothing_usable(in, nin) ? LHT_EXIT_ERROR : LHT_EXIT_OK;
    if (rc != LHT_EXIT_OK)
        nothing_usable_error(g->path ? g->path : name, nin);
    lht_store_case_findings_free(fi, nf);
    lht_store_case_inputs_free(in, nin);
    return rc;
}

/* ---- storing inputs ------------------------------------------------------- */

/* An error about job j, with the input named as the user typed it rather
 * than by the canonical path the core was given. */
static void job_error(const struct job *j, const char *msg)
{
    size_t n = strlen(j->canon);

    if (!j->is_stdin && strncmp(msg, j->canon, n) == 0 && (msg[n] == ':' || msg[n] == '\0'))
        lht_cli_error("%s%s", j->input, msg + n);
    else
        lht_cli_error("%s", msg);
}

static int remember_left(struct writer *w, long long id)
{
    size_t i;

    for (i = 0; i < w->nleft; i++)
        if (w->left[i] == id)
            return 0;
    if (w->nleft == w->capleft) {
        size_t cap = w->capleft ? w->capleft * 2 : 8;
        long long *nv = realloc(w->left, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        w->left = nv;
        w->capleft = cap;
    }
    w->left[w->nleft++] = id;
    return 0;
}

/* The case a lone input joins: the one it belongs to, else the case of an
 * input with the same content (a zip of a bundle scanned as tar.gz
 * before), else its own. */
static int lone_case(struct writer *w, struct job *j, const struct lht_stored *old, int found, long long *id)
{
    char key[PATH_MAX + 8];
    lht_err err;
    int rc;

    snprintf(key, sizeof key, "input:%s", j->canon);
    if (found && old->case_id > 0) {
        struct lht_case_info ci;
        *id = old->case_id;
        /* its own case is named as it was typed this time */
        if ((rc = lht_store_case_info(w->store, *id, &ci, &err)) == 1 && strcmp(ci.key, key) == 0)
            rc = lht_store_case_get(w->store, key, j->input, NULL, id, &err);
        else if (rc == 1 || rc == 0)
            rc = LHT_OK;
        lht_store_case_info_free(&ci);
        if (rc != LHT_OK)
            lht_cli_error("%s", err.msg);
        return rc;
    }
    if (!j->skip && j->rc == LHT_OK && j->content[0] &&
        (rc = lht_store_case_by_content(w->store, j->content, j->canon, id, &err)) != 0) {
        if (rc == 1)
            return LHT_OK;
        lht_cli_error("%s", err.msg);
        return rc;
    }
    if ((rc = lht_store_case_get(w->store, key, j->input, NULL, id, &err)) != LHT_OK)
        lht_cli_error("%s", err.msg);
    return rc;
}

static void fill_meta(struct lht_bundle_meta *meta, const struct job *j, const char *key, long long case_id)
{
    memset(meta, 0, sizeof *meta);
    meta->path = j->canon;
    meta->size = j->size;
    meta->mtime = j->mtime;
    meta->sha256 = j->sha[0] ? j->sha : NULL;
    meta->name = j->info.name[0] ? j->info.name : j->input;
    meta->created_at = j->info.created_at;
    meta->rules_digest = key;
    meta->case_id = case_id;
    meta->typed = j->input;
    meta->content_id = j->content[0] ? j->content : NULL;
}

/* An input that could not be read: recorded, unless a readable scan of it
 * is stored (which stays). */
static int store_failure(struct writer *w, struct job *j, long long case_id)
{
    struct lht_bundle_meta meta;
    lht_err err;
    int kept;

    job_error(j, j->err.msg);
    w->failed++;
    if (j->io_failed)
        return LHT_EXIT_ERROR;
    fill_meta(&meta, j, w->input_key, case_id);
    meta.status = "failed";
    meta.error = j->err.msg;
    if (lht_store_put_failure(w->store, &meta, &kept, &err) != LHT_OK)
        lht_cli_error("%s", err.msg);
    else if (kept)
        lht_cli_error("%s: facts of the previous scan kept", j->input);
    return LHT_EXIT_ERROR;
}

/* An unchanged input: said, and its typed name kept. */
static void store_skipped(struct writer *w, const struct job *j, const char *indent)
{
    lht_err err;

    w->skipped++;
    if (lht_store_input_typed(w->store, j->canon, j->input, &err) != LHT_OK)
        lht_cli_error("%s", err.msg);
    if (!w->so->quiet) {
        fputs(indent, stdout);
        lht_cli_put_escaped(stdout, j->input);
        printf(": unchanged since its last scan\n");
    }
}

/* A damaged re-upload never replaces a complete read of the same file
 * unless --replace. */
static int partial_refused(const struct writer *w, const struct job *j, const struct lht_stored *old, int found)
{
    return j->info.partial && found == 1 && strcmp(old->status, "ok") == 0 && !w->so->replace;
}

/* 1 when it is refused (and said). */
static int refuse_partial(struct writer *w, const struct job *j, const struct lht_stored *old, int found)
{
    char why[sizeof j->info.error + 128];

    if (!partial_refused(w, j, old, found))
        return 0;
    snprintf(why, sizeof why, "%s; kept its complete scan of %s (--replace stores this partial one instead)",
             j->info.error, old->scanned_at);
    job_error(j, why);
    w->failed++;
    return 1;
}

/* The parts of j stored while it was read stand only when j is stored as
 * it was read: not when it failed or is refused, nor when its reader
 * changed them after (extract.h). Otherwise they are taken back before
 * anything else is written, and j is handled as if none had been. */
static void settle_parts(struct writer *w, struct job *j)
{
    if (j->put == NULL)
        return;
    if (!j->io_failed && j->rc == LHT_OK && !j->info.parts_void && !j->put_failed &&
        !partial_refused(w, j, &j->old, j->found))
        return;
    lht_store_put_abort(j->put);
    j->put = NULL;
}

/* j's facts from the writer's side: stored whole, or the rest of them
 * after the parts stored while it was read. */
static int put_job(struct writer *w, struct job *j, const struct lht_bundle_meta *meta, long long *left,
                   lht_err *err)
{
    struct lht_facts_range rest;
    struct lht_store_put *put = j->put;

    if (put == NULL)
        return lht_store_put_input(w->store, meta, j->f, NULL, left, err);
    j->put = NULL;
    lht_facts_range_view(j->f, &j->parts_end, &rest);
    return lht_store_put_close(put, meta, &rest, NULL, left, err);
}

/* Store one finished input into case *case_id (a lone input's case is
 * decided here). *changed is set when the case's facts changed. Returns
 * LHT_EXIT_OK or LHT_EXIT_ERROR. */
static int store_input(struct writer *w, struct job *j, long long *case_id, int lone, int *changed,
                       const char *indent)
{
    struct lht_stored old;
    struct lht_bundle_meta meta;
    long long left = 0;
    lht_err err;
    int found;

    settle_parts(w, j);
    if (j->io_failed) {
        job_error(j, j->err.msg);
        w->failed++;
        return LHT_EXIT_ERROR;
    }
    /* an open write has removed the old row: it was looked up before */
    if (j->put != NULL) {
        old = j->old;
        found = j->found;
    } else {
        found = lht_store_find(w->store, j->canon, &old, &err);
    }
    if (found < 0 ||
        (lone && *case_id == 0 && lone_case(w, j, &old, found, case_id) != LHT_OK)) {
        if (found < 0)
            lht_cli_error("%s", err.msg);
        w->failed++;
        return LHT_EXIT_ERROR;
    }
    if (j->skip) {
        store_skipped(w, j, indent);
        return LHT_EXIT_OK;
    }
    if (j->rc != LHT_OK) {
        *changed = 1;
        return store_failure(w, j, *case_id);
    }
    if (refuse_partial(w, j, &old, found))
        return LHT_EXIT_ERROR;
    fill_meta(&meta, j, w->input_key, *case_id);
    meta.status = j->info.partial ? "partial" : "ok";
    meta.error = j->info.partial ? j->info.error : NULL;
    if (put_job(w, j, &meta, &left, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        w->failed++;
        return LHT_EXIT_ERROR;
    }
    *changed = 1;
    w->scanned++;
    if (left > 0 && left != *case_id && remember_left(w, left) != 0) {
        lht_cli_error("scan: out of memory");
        return LHT_EXIT_ERROR;
    }
    if (j->info.partial) {
        char why[sizeof j->info.error + 32];
        snprintf(why, sizeof why, "%s (partial scan stored)", j->info.error);
        job_error(j, why);
    }
    if (!w->so->quiet)
        input_line(j->input, meta.status, j->f, &j->info, indent);
    return j->info.partial ? LHT_EXIT_ERROR : LHT_EXIT_OK;
}

/* ---- cases ---------------------------------------------------------------- */

/* Evaluate case id when its facts or the rules changed since its findings
 * were made; then report it. */
static int finish_case(struct writer *w, long long id, int changed, const struct lht_scan_group *g)
{
    struct lht_case_info ci;
    lht_err err;
    int rc, status = LHT_EXIT_OK;

    if ((rc = lht_store_case_info(w->store, id, &ci, &err)) <= 0) {
        if (rc < 0) {
            lht_cli_error("%s", err.msg);
            return LHT_EXIT_ERROR;
        }
        return LHT_EXIT_OK;   /* its inputs all left: nothing to say */
    }
    if (changed || ci.stale || ci.rules_digest == NULL || strcmp(ci.rules_digest, w->rules_digest) != 0) {
        if (lht_case_evaluate(w->store, w->m, id, w->rules_digest, NULL, &err) != LHT_OK) {
            lht_cli_error("%s: %s", ci.name, err.msg);
            status = LHT_EXIT_ERROR;
        }
    }
    if (g != NULL && report_case(w, id, ci.name, g) != LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;
    lht_store_case_info_free(&ci);
    return status;
}

static int is_left(const struct writer *w, long long id)
{
    size_t i;

    for (i = 0; i < w->nleft; i++)
        if (w->left[i] == id)
            return 1;
    return 0;
}

/* Cases inputs moved out of this run are evaluated once more, silently. */
static int finish_left(struct writer *w)
{
    size_t i;
    int status = LHT_EXIT_OK;

    for (i = 0; i < w->nleft; i++)
        if (finish_case(w, w->left[i], 1, NULL) != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
    return status;
}

/* ---- the writer ----------------------------------------------------------- */

/* Store a part of j: in the write opened by its first part. A failure
 * takes the parts back; j is then stored whole, which says why. */
static void store_part(struct writer *w, struct job *j, const struct part *pt)
{
    lht_err err;

    if (j->put_failed)
        return;
    if (j->put == NULL && (j->found = lht_store_find(w->store, j->canon, &j->old, &err)) < 0) {
        j->put_failed = 1;
        return;
    }
    if ((j->put == NULL && lht_store_put_open(w->store, j->canon, &j->put, &err) != LHT_OK) ||
        lht_store_put_range(j->put, pt->r, &err) != LHT_OK) {
        j->put = NULL;   /* closed by the failure */
        j->put_failed = 1;
    }
}

static void free_parts(struct part *pt)
{
    while (pt != NULL) {
        struct part *next = pt->next;
        free(pt->r);
        free(pt);
        pt = next;
    }
}

/* Wait until j is read; with stream set, store the parts its reader hands
 * over meanwhile: the writer's work on a large input then overlaps its
 * reading instead of following it. */
static void wait_job(struct writer *w, struct pool *pool, struct job *j, int stream)
{
    for (;;) {
        struct part *list, *pt;
        int done;
        pthread_mutex_lock(&pool->mu);
        while (!j->done && j->parts == NULL)
            pthread_cond_wait(&pool->cv, &pool->mu);
        list = j->parts;
        j->parts = NULL;
        j->parts_tail = &j->parts;
        done = j->done;
        if (j->parts_lost)
            j->put_failed = 1;
        pthread_mutex_unlock(&pool->mu);
        for (pt = list; stream && pt != NULL; pt = pt->next)
            store_part(w, j, pt);
        free_parts(list);
        if (done && list == NULL)
            break;
    }
    if (j->put_failed && j->put != NULL) {
        lht_store_put_abort(j->put);
        j->put = NULL;
    }
}

static void job_stored(struct pool *pool, size_t k)
{
    struct job *j = &pool->jobs[k];
    static const struct lht_facts_mark none;
    int big = lht_facts_added(&none, &j->parts_end) > 0;

    /* a write store_input did not end (it failed before) goes back */
    lht_store_put_abort(j->put);
    j->put = NULL;
    lht_facts_free(j->f);
    j->f = NULL;
#ifdef __GLIBC__
    /* An input read in parts leaves the heaps of several threads full of
     * holes (what one thread allocates another frees): give their pages
     * back before its case is read back from the database, the scan's
     * other peak. Measured on a large bundle: 6 MiB less peak RSS, no
     * time. */
    if (big)
        (void)malloc_trim(0);
#endif
    pthread_mutex_lock(&pool->mu);
    pool->stored = k + 1;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
}

/* A ticket's case up front, with a header line naming it. */
static int group_case(struct writer *w, const struct lht_scan_group *g, long long *id)
{
    lht_err err;

    if (lht_store_case_get(w->store, g->key, g->name, g->path, id, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    if (!w->so->quiet) {
        printf("case ");
        lht_cli_put_escaped(stdout, g->name);
        if (g->path) {
            printf(" (");
            lht_cli_put_escaped(stdout, g->path);
            printf(")");
        }
        printf(": %zu input%s\n", g->n, g->n == 1 ? "" : "s");
    }
    return LHT_EXIT_OK;
}

/* Store the inputs of group g in order, then evaluate and report its case.
 * The progress line is held (cleared) while the writer prints. */
static int drain_group(struct writer *w, struct pool *pool, const struct lht_scan_group *g)
{
    long long id = 0;
    int lone = g->how == LHT_GROUP_LONE, changed = 0, status = LHT_EXIT_OK;
    size_t k;

    lht_progress_hold(pool->progress);
    if (!lone && group_case(w, g, &id) != LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;
    lht_progress_release(pool->progress);
    for (k = g->first; k < g->first + g->n; k++) {
        struct job *j = &pool->jobs[k];
        wait_job(w, pool, j, lone || id > 0);
        lht_progress_hold(pool->progress);
        if ((lone || id > 0) && store_input(w, j, &id, lone, &changed, lone ? "" : "  ") != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
        lht_progress_release(pool->progress);
        job_stored(pool, k);
    }
    lht_progress_hold(pool->progress);
    if (id > 0 && finish_case(w, id, changed || is_left(w, id), g) != LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;
    lht_progress_release(pool->progress);
    return status;
}

/* ---- group commits --------------------------------------------------------- */

/* A batch holds at most this many cases, or this many milliseconds of
 * the writer's work: a reader sees new cases that often, and a kill -9
 * loses at most that much. */
#define BATCH_CASES 64
#define BATCH_MS 250
#define READY_WAIT_MS 20

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when every input of g is read, waiting at most ms for them. */
static int group_ready(struct pool *pool, const struct lht_scan_group *g, long ms)
{
    struct timespec until;
    size_t k = g->first;
    int timed_out = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&pool->mu);
    while (k < g->first + g->n && !timed_out) {
        if (pool->jobs[k].done)
            k++;
        else
            timed_out = pthread_cond_timedwait(&pool->cv, &pool->mu, &until) == ETIMEDOUT;
    }
    pthread_mutex_unlock(&pool->mu);
    return k == g->first + g->n;
}

static int batch_commit(struct writer *w)
{
    lht_err err;

    w->batch_cases = 0;
    if (lht_store_batch_commit(w->store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    return LHT_EXIT_OK;
}

/* Before group g: cases share one transaction (a batch of small bundles
 * otherwise spends its writer in commits), and every case is written
 * inside one, so a reader or a kill -9 never sees it half stored. A case
 * still being read commits the batch before it first, so the cases before
 * it do not wait for its read; its own transaction then stays open while
 * its inputs are read. Commits fall only between whole cases. */
static int batch_before(struct writer *w, struct pool *pool, const struct lht_scan_group *g)
{
    lht_err err;
    int status = LHT_EXIT_OK;

    if (lht_store_batch_open(w->store) &&
        (!group_ready(pool, g, READY_WAIT_MS) || w->batch_cases >= BATCH_CASES ||
         mono_ms() - w->batch_start >= BATCH_MS))
        status = batch_commit(w);
    if (!lht_store_batch_open(w->store)) {
        if (lht_store_batch_begin(w->store, &err) != LHT_OK) {
            lht_cli_error("%s", err.msg);
            return LHT_EXIT_ERROR;
        }
        w->batch_start = mono_ms();
    }
    w->batch_cases++;
    return status;
}

static int drain(struct pool *pool, struct writer *w, const struct lht_scan_inputs *in)
{
    int status = LHT_EXIT_OK;
    size_t g;

    for (g = 0; g < in->ng; g++) {
        if (batch_before(w, pool, &in->g[g]) != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
        if (drain_group(w, pool, &in->g[g]) != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
    }
    lht_progress_hold(pool->progress);
    if (finish_left(w) != LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;
    if (batch_commit(w) != LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;
    lht_progress_release(pool->progress);
    return status;
}

/* The inputs the workers will read, for the progress line. */
static void plan_progress(struct pool *pool)
{
    size_t k;

    for (k = 0; k < pool->n; k++) {
        const struct job *j = &pool->jobs[k];
        if (!j->skip && !j->io_failed)
            lht_progress_start(pool->progress, k, j->input,
                               j->is_file && j->size > 0 ? (unsigned long long)j->size : 0);
    }
}

/* ---- command ----------------------------------------------------------- */

enum { O_DB = 256, O_MEMBER, O_TOTAL, O_DEPTH, O_MEMBERS, O_RULES, O_FAILON, O_RESCAN, O_SHARD, O_NOLOGS,
       O_TICKET, O_REPLACE, O_NAME, O_PROGRESS, O_NOPROGRESS, O_COLOR };

/* '-' (stdin) once at most, and --name only with it. Returns -1 to go
 * on, else the exit status. */
static int check_stdin(int argc, char **argv, struct scan_opts *so)
{
    int i, dashes = 0;

    for (i = optind; i < argc; i++)
        dashes += strcmp(argv[i], "-") == 0;
    if (dashes > 1)
        return lht_cli_usage_error("scan", "'-' (stdin) can be read only once");
    if (so->name && dashes == 0)
        return lht_cli_usage_error("scan", "--name names the input read from '-' (stdin); there is none");
    if (so->name && (so->name[0] == '\0' || strcmp(so->name, "-") == 0))
        return lht_cli_usage_error("scan", "--name needs a name");
    if (so->name == NULL)
        so->name = "(stdin)";
    if (dashes && isatty(STDIN_FILENO)) {
        /* a paste typed or pasted into the terminal: say how it ends, and
         * keep the progress line off the lines being typed */
        fprintf(stderr, "lhtriage: reading %s from the terminal; end it with Ctrl-D\n", so->name);
        if (so->progress < 0)
            so->progress = 0;
    }
    return -1;
}

/* One option that takes a value, into so; returns -1 to go on, else the
 * exit status. */
static int value_option(int c, const struct option *longopts, struct scan_opts *so)
{
    unsigned long long v;

    switch (c) {
    case O_MEMBER:
    case O_TOTAL:
    case O_DEPTH:
    case O_MEMBERS:
        if (lht_cli_parse_size(optarg, &v) != 0 || v == 0)
            return lht_cli_usage_error("scan", "bad value '%s' for --%s", optarg, longopts[c - O_DB].name);
        if (c == O_MEMBER)
            so->src.member_cap = (size_t)v;
        else if (c == O_TOTAL)
            so->src.total_cap = v;
        else if (c == O_DEPTH)
            so->src.max_depth = v > 64 ? 64 : (int)v;
        else
            so->src.max_members = (unsigned long)v;
        return -1;
    case O_FAILON:
        if ((so->fail_on = lht_severity_parse(optarg)) < 0)
            return lht_cli_usage_error("scan", "--fail-on takes info, warning, error or critical, not '%s'",
                                       optarg);
        return -1;
    case O_TICKET:
        if (optarg[0] == '\0')
            return lht_cli_usage_error("scan", "--ticket takes a name");
        so->ticket = optarg;
        return -1;
    case O_SHARD:
        if (sscanf(optarg, "%lu/%lu", &so->shard_k, &so->shard_n) != 2 || so->shard_n == 0 || so->shard_k == 0 ||
            so->shard_k > so->shard_n)
            return lht_cli_usage_error("scan", "--shard takes K/N with 1 <= K <= N, not '%s'", optarg);
        return -1;
    case 'j':
        if (lht_cli_parse_size(optarg, &v) != 0 || v == 0 || v > 256)
            return lht_cli_usage_error("scan", "--jobs takes 1..256, not '%s'", optarg);
        so->jobs = (long)v;
        return -1;
    case O_COLOR:
        if (lht_cli_colour_parse(optarg) < 0)
            return lht_cli_usage_error("scan", "--color takes auto, always or never, not '%s'", optarg);
        lht_cli_colour_set(lht_cli_colour_parse(optarg));
        return -1;
    default:
        return LHT_EXIT_ERROR;
    }
}

/* Options into so; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct scan_opts *so)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"max-member-size", required_argument, NULL, O_MEMBER},
        {"max-total", required_argument, NULL, O_TOTAL},
        {"max-depth", required_argument, NULL, O_DEPTH},
        {"max-members", required_argument, NULL, O_MEMBERS},
        {"rules", required_argument, NULL, O_RULES},
        {"fail-on", required_argument, NULL, O_FAILON},
        {"rescan", no_argument, NULL, O_RESCAN},
        {"shard", required_argument, NULL, O_SHARD},
        {"no-logs", no_argument, NULL, O_NOLOGS},
        {"ticket", required_argument, NULL, O_TICKET},
        {"replace", no_argument, NULL, O_REPLACE},
        {"name", required_argument, NULL, O_NAME},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"no-progress", no_argument, NULL, O_NOPROGRESS},
        {"color", required_argument, NULL, O_COLOR},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc;

    memset(so, 0, sizeof *so);
    lht_source_defaults(&so->src);
    /* for the tests that prove a large input stored in parts is stored
     * exactly as it is whole: parts of that many records */
    if (getenv("LHT_PART_RECORDS"))
        so->src.part_every = strtoul(getenv("LHT_PART_RECORDS"), NULL, 10);
    /* and for those that prove node zips read ahead store what they would
     * read in their turn */
    so->src.no_read_ahead = getenv("LHT_NO_READ_AHEAD") != NULL;
    so->fail_on = -1;
    so->progress = -1;
    so->jobs = sysconf(_SC_NPROCESSORS_ONLN);
    optind = 1;
    while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: so->db = optarg; break;
        case O_RULES: so->rules_dir = optarg; break;
        case O_RESCAN: so->rescan = 1; break;
        case O_REPLACE: so->replace = 1; break;
        case O_NOLOGS: so->src.skip_logs = 1; break;
        case O_NAME: so->name = optarg; break;
        case O_PROGRESS: so->progress = 1; break;
        case O_NOPROGRESS: so->progress = 0; break;
        case 'q': so->quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        case O_MEMBER: case O_TOTAL: case O_DEPTH: case O_MEMBERS: case O_FAILON: case O_TICKET: case O_SHARD:
        case 'j': case O_COLOR:
            if ((rc = value_option(c, longopts, so)) >= 0)
                return rc;
            break;
        default: return lht_cli_bad_option("scan", c, argv, longopts);
        }
    }
    if (optind >= argc)
        return lht_cli_usage_error("scan", "no input given");
    if (so->quiet && so->progress < 0)
        so->progress = 0;
    if (so->jobs < 1)
        so->jobs = 1;
    return check_stdin(argc, argv, so);
}

/* Unchanged since its last scan of the same kind? Size and mtime decide
 * for files, the sha256 confirms when only the mtime moved (a copy, a
 * touch); a folder has no content hash, so it is always re-read. */
static int unchanged(struct lht_store *store, struct job *j, const char *input_key)
{
    struct lht_stored old;
    lht_err err;

    if (!j->is_file || lht_store_find(store, j->canon, &old, &err) != 1 || strcmp(old.status, "ok") != 0 ||
        strcmp(old.rules_digest, input_key) != 0 || old.size != j->size)
        return 0;
    if (old.mtime == j->mtime)
        return 1;
    return old.sha256[0] && lht_sha256_file(j->canon, j->sha, &err) == LHT_OK && strcmp(old.sha256, j->sha) == 0;
}

/* One job per input; skipped and unreadable ones are done already, so
 * the workers never write their state. */
static int plan_jobs(struct pool *pool, const struct lht_scan_inputs *in, struct lht_store *store,
                     const char *input_key, int rescan, const char *stdin_name)
{
    size_t k, g;

    if ((pool->jobs = calloc(in->n + 1, sizeof *pool->jobs)) == NULL)
        return -1;
    pool->n = in->n;
    for (g = 0; g < in->ng; g++)
        for (k = in->g[g].first; k < in->g[g].first + in->g[g].n; k++)
            pool->jobs[k].group = g;
    for (k = 0; k < in->n; k++) {
        struct job *j = &pool->jobs[k];
        struct stat st;
        j->parts_tail = &j->parts;
        j->input = in->v[k];
        if (strcmp(j->input, "-") == 0) {
            /* named, in the database and every message, as --name says */
            j->input = stdin_name;
            snprintf(j->canon, sizeof j->canon, "%s", stdin_name);
            j->is_stdin = 1;
            j->size = j->mtime = -1;
            continue;
        }
        if (realpath(in->v[k], j->canon) == NULL || stat(j->canon, &st) != 0) {
            snprintf(j->canon, sizeof j->canon, "%s", in->v[k]);
            j->rc = lht_err_set(&j->err, LHT_EIO, "%s: %s", in->v[k], strerror(errno));
            j->io_failed = j->done = 1;
            continue;
        }
        j->is_file = S_ISREG(st.st_mode);
        j->size = j->is_file ? (long long)st.st_size : -1;
        j->mtime = (long long)st.st_mtime;
        if (!rescan && unchanged(store, j, input_key))
            j->skip = j->done = 1;
    }
    return 0;
}

/* Start up to jobs workers; returns how many run. */
static size_t start_workers(struct pool *pool, long jobs, pthread_t **threads)
{
    size_t k, n = (size_t)jobs < pool->n ? (size_t)jobs : pool->n;

    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    if ((*threads = calloc(n + 1, sizeof **threads)) == NULL)
        return 0;
    for (k = 0; k < n; k++)
        if (pthread_create(&(*threads)[k], NULL, worker, pool) != 0)
            break;
    return k;
}

/* Rules first: a broken rule file must stop the scan before the database
 * is touched. Rules that read nothing from node logs make them dead
 * weight: the bulk of a bundle is then skipped. An input's facts depend
 * only on which kind of read it was (a host-only read never passes for a
 * full one); the case's findings on the rules. */
static int load_rules(struct scan_opts *so, struct lht_ruleset **rs, const char **input_key)
{
    lht_err err;

    lht_err_clear(&err);
    if (lht_ruleset_load(so->rules_dir ? so->rules_dir : lht_rules_default_dir(), rs, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return -1;
    }
    if (!lht_ruleset_reads_logs(*rs))
        so->src.skip_logs = 1;
    *input_key = so->src.skip_logs ? "facts:no-logs" : "facts:full";
    return 0;
}

static void summary(const struct writer *w, const struct lht_scan_inputs *in)
{
    unsigned long by[4] = {0, 0, 0, 0};
    size_t i, k;

    if (w->so->quiet || (in->n <= 1 && !w->skipped && w->nreported <= 1))
        return;
    for (i = 0; i < w->nreported; i++)
        for (k = 0; k < 4; k++)
            by[k] += w->counts[i][k];
    printf("%lu scanned, %lu skipped (unchanged), %lu failed, %zu case%s; findings: %lu critical, "
           "%lu error, %lu warning, %lu info\n",
           w->scanned, w->skipped, w->failed, w->nreported, w->nreported == 1 ? "" : "s", by[3], by[2],
           by[1], by[0]);
}

/* Exit 1 when a reported case has a finding at or above --fail-on. */
static int hit(const struct writer *w)
{
    size_t i;
    int k;

    for (i = 0; i < w->nreported && w->so->fail_on >= 0; i++)
        for (k = w->so->fail_on; k < 4; k++)
            if (w->counts[i][k] > 0)
                return 1;
    return 0;
}

static int run_scan(struct scan_opts *so, struct lht_scan_inputs *in, struct lht_ruleset *rs,
                    const char *input_key, struct writer *w)
{
    struct pool pool;
    pthread_t *threads = NULL;
    size_t k, nthreads = 0;
    int status = LHT_EXIT_ERROR;
    lht_err err;

    memset(&pool, 0, sizeof pool);
    if (lht_store_open(lht_cli_db_path(so->db), LHT_STORE_RW, &w->store, &err) != LHT_OK ||
        lht_matcher_new(rs, &w->m, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    if (plan_jobs(&pool, in, w->store, input_key, so->rescan, so->name) != 0) {
        lht_cli_error("scan: out of memory");
        goto done;
    }
    pool.o = &so->src;
    pool.window = (size_t)so->jobs * 2;
    pool.progress = lht_progress_begin(so->progress, pool.n);
    plan_progress(&pool);
    nthreads = start_workers(&pool, so->jobs, &threads);
    if (nthreads == 0 && pool.n > 0)
        lht_cli_error("scan: cannot start worker threads");
    else
        status = drain(&pool, w, in);
    for (k = 0; k < nthreads; k++)
        pthread_join(threads[k], NULL);
    pthread_mutex_destroy(&pool.mu);
    pthread_cond_destroy(&pool.cv);
done:
    lht_progress_end(pool.progress);
    for (k = 0; pool.jobs && k < pool.n; k++) {
        lht_facts_free(pool.jobs[k].f);
        free_parts(pool.jobs[k].parts);
    }
    free(pool.jobs);
    free(threads);
    return status;
}

int lht_cmd_scan(int argc, char **argv)
{
    struct scan_opts so;
    struct lht_ruleset *rs = NULL;
    struct lht_scan_inputs in;
    struct writer w;
    const char *input_key = NULL;
    int status;

    if ((status = parse_options(argc, argv, &so)) >= 0)
        return status;
    status = LHT_EXIT_ERROR;
    memset(&in, 0, sizeof in);
    memset(&w, 0, sizeof w);
    w.so = &so;
    if (lht_cli_scan_gather(&in, argv + optind, argc - optind, so.ticket) != 0) {
        lht_cli_error("scan: out of memory");
        goto done;
    }
    lht_cli_scan_shard(&in, so.shard_k, so.shard_n);
    if (in.n == 0 && in.bad)
        goto done;   /* nothing to scan: no database is created for it */
    if (load_rules(&so, &rs, &input_key) != 0)
        goto done;
    w.input_key = input_key;
    w.rules_digest = lht_ruleset_digest(rs);
    status = run_scan(&so, &in, rs, input_key, &w);
    summary(&w, &in);
    if (in.bad)
        status = LHT_EXIT_ERROR;
    if (status == LHT_EXIT_OK && hit(&w))
        status = LHT_EXIT_FINDINGS;
done:
    lht_matcher_free(w.m);
    lht_store_close(w.store);
    free(w.reported);
    free(w.counts);
    free(w.left);
    lht_cli_scan_free(&in);
    lht_ruleset_free(rs);
    return status;
}
