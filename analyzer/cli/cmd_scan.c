/*
 * cmd_scan.c - `lhtriage scan`: inputs -> facts and findings -> database.
 *
 * Batch shape: the inputs (folders of tickets are searched for bundles and
 * pasted files) are sorted, optionally cut to a shard, and those unchanged
 * since their last scan with the same rules are skipped. Worker threads
 * read and match bundles in parallel, each with its own matcher; the main
 * thread is the only database writer and stores results in input order, one
 * transaction per bundle, so output and database contents do not depend on
 * thread timing.
 */
#include "cli/cli.h"
#include "ingest/extract.h"
#include "facts/facts.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "core/sha256.h"
#include "ingest/source.h"
#include "ingest/sysreport.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
            "a node's sosreport or supportconfig (archive or folder), unpacked bundle\n"
            "folders or pasted text files without extracting them, and store the host\n"
            "evidence they hold in the database. A folder that is none of these is\n"
            "searched for bundles, reports and pasted files. INPUT '-' reads one bundle\n"
            "or pasted text from stdin, stored as '(stdin)' or --name NAME (a later scan\n"
            "under the same name replaces it).\n\n"
            "options:\n"
            "  --db FILE               database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --rules DIR             rules directory (default: $LHTRIAGE_RULES or the installed rules)\n"
            "  --fail-on SEVERITY      exit 1 when a finding at or above SEVERITY exists\n"
            "                          (info, warning, error, critical)\n"
            "  -j, --jobs N            bundles read in parallel (default: number of CPUs)\n"
            "  --rescan                scan inputs even when unchanged since their last scan\n"
            "  --shard K/N             scan only the K-th of N slices of the sorted inputs\n"
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
            "Prints one line per bundle and per finding, then a summary. Exit status: 0 ok,\n"
            "1 findings at or above --fail-on, 2 when an input could not be read or stored.\n");
}

/* ---- inputs ------------------------------------------------------------ */

struct inputs {
    char **v;
    size_t n, cap;
};

static int push(struct inputs *in, const char *path)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        char **nv = realloc(in->v, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        in->v = nv;
        in->cap = cap;
    }
    return (in->v[in->n++] = strdup(path)) ? 0 : -1;
}

static int exists_in(const char *dir, const char *name)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* An unpacked bundle: its top folder, or the folder holding that; or an
 * unpacked sosreport or supportconfig (its own top folder). */
static int is_bundle_dir(const char *dir)
{
    DIR *d;
    struct dirent *e;
    int yes = 0;

    if (exists_in(dir, "metadata.yaml") || exists_in(dir, "nodes") || exists_in(dir, "yamls") ||
        lht_sysreports_dir(dir) != LHT_SYSREPORT_NONE)
        return 1;
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while (!yes && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "supportbundle_", 14) == 0 && strchr(e->d_name, '.') == NULL)
            yes = 1;
    closedir(d);
    return yes;
}

static const char *const loose_suffixes[] = {".txt", ".log", ".out"};

static int wanted_file(const char *name)
{
    size_t i, n = strlen(name);
    if (lht_source_is_archive_name(name))
        return 1;
    for (i = 0; i < sizeof loose_suffixes / sizeof loose_suffixes[0]; i++) {
        size_t m = strlen(loose_suffixes[i]);
        if (n > m && strcmp(name + n - m, loose_suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

/* A folder of tickets: bundles and pasted files below it, recursively. */
static int walk(struct inputs *in, const char *dir, int depth)
{
    DIR *d;
    struct dirent *e;
    char p[PATH_MAX];
    struct stat st;

    if (depth > 16 || (d = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (is_bundle_dir(p)) {
                if (push(in, p) != 0)
                    break;
            } else {
                walk(in, p, depth + 1);
            }
        } else if (S_ISREG(st.st_mode) && wanted_file(e->d_name)) {
            if (push(in, p) != 0)
                break;
        }
    }
    closedir(d);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- jobs -------------------------------------------------------------- */

struct job {
    const char *input;          /* as found */
    char canon[PATH_MAX];
    char sha[65];
    long long size, mtime;
    int is_file;
    int is_stdin;               /* INPUT '-': canon holds its name */
    struct lht_facts *f;
    struct lht_bundle_info info;
    lht_err err;
    int rc;                     /* extract+match result */
    int done;
    int skip;                   /* unchanged since its last scan */
    int io_failed;              /* could not even stat/hash it */
};

/* The input as the user named it. */
static const char *shown(const struct job *j)
{
    return j->is_stdin ? j->canon : j->input;
}

struct pool {
    struct job *jobs;
    size_t n, next, stored;
    size_t window;              /* jobs read ahead of the writer */
    const struct lht_source_opts *o;
    const struct lht_ruleset *rs;
    struct lht_progress *progress;  /* or NULL */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void run_job(struct pool *p, struct job *j, struct lht_matcher *m)
{
    struct lht_source_opts o = *p->o;

    o.progress = p->progress ? lht_progress_hook : NULL;
    o.progress_ud = lht_progress_ud(p->progress, (size_t)(j - p->jobs));
    lht_err_clear(&j->err);
    if (j->is_file && lht_sha256_file(j->canon, j->sha, &j->err) != LHT_OK) {
        j->rc = j->err.code;
        j->io_failed = 1;
        return;
    }
    j->f = lht_facts_new();
    if (j->f == NULL) {
        j->rc = lht_err_set(&j->err, LHT_ENOMEM, "%s: out of memory", shown(j));
        return;
    }
    if (j->is_stdin)
        j->rc = lht_extract_fd(STDIN_FILENO, j->canon, &o, j->f, &j->info, &j->err);
    else
        j->rc = lht_extract(j->canon, &o, j->f, &j->info, &j->err);
    lht_progress_done(p->progress, (size_t)(j - p->jobs));
    if (j->rc == LHT_OK)
        j->rc = lht_matcher_run(m, j->f, &j->err);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct lht_matcher *m = NULL;
    lht_err err;

    if (lht_matcher_new(p->rs, &m, &err) != LHT_OK)
        m = NULL;
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
        if (m == NULL) {
            j->rc = lht_err_set(&j->err, LHT_ENOMEM, "%s: out of memory", shown(j));
        } else {
            run_job(p, j, m);
        }
        pthread_mutex_lock(&p->mu);
        j->done = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    lht_matcher_free(m);
    return NULL;
}

/* ---- output ------------------------------------------------------------ */

struct totals {
    unsigned long scanned, skipped, failed;
    unsigned long by_sev[4];
    int hit;                    /* a finding at or above --fail-on */
};

static void summary(const char *name, const char *status, const struct lht_facts *f,
                    const struct lht_bundle_info *info)
{
    size_t np, ns, nm, nh, nk, nf, i;
    const struct lht_finding *fi = lht_facts_findings(f, &nf);
    char w[6][48];

    (void)lht_facts_processes(f, &np);
    (void)lht_facts_stacks(f, &ns);
    (void)lht_facts_mounts(f, &nm);
    (void)lht_facts_hung_tasks(f, &nh);
    (void)lht_facts_klogs(f, &nk);
    lht_cli_put_escaped(stdout, name);
    printf(": %s, %s (%lu parsed), %s, %s, %s, %s, %s\n", status,
           lht_cli_plural(w[0], sizeof w[0], info->members, "member", "members"), info->parsed,
           lht_cli_plural(w[1], sizeof w[1], np, "process", "processes"),
           lht_cli_plural(w[2], sizeof w[2], ns, "stack", "stacks"),
           lht_cli_plural(w[3], sizeof w[3], nm, "mount", "mounts"),
           lht_cli_plural(w[4], sizeof w[4], nh, "hung task", "hung tasks"),
           lht_cli_plural(w[5], sizeof w[5], nk, "kernel event", "kernel events"));
    for (i = 0; i < nf; i++) {
        static const char *const colours[] = {"\033[36m", "\033[33m", "\033[31m", "\033[1;31m"};
        int c = lht_cli_colour(stdout) && (unsigned)fi[i].severity < 4;
        printf("  %s%-8s%s %s %s", c ? colours[fi[i].severity] : "", lht_severity_name(fi[i].severity),
               c ? "\033[0m" : "", fi[i].rule_id, fi[i].confidence);
        if (fi[i].node) {
            printf(" node=");
            lht_cli_put_escaped(stdout, fi[i].node);
        }
        if (fi[i].pids) {
            printf(" pid=");
            lht_cli_put_escaped(stdout, fi[i].pids);
        }
        /* a title may quote bundle text through its placeholders */
        printf(": ");
        lht_cli_put_escaped(stdout, fi[i].title);
        printf("\n");
    }
    fflush(stdout);
}

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

/* Store one finished job; returns LHT_EXIT_OK or LHT_EXIT_ERROR. */
static int store_job(struct lht_store *store, struct job *j, const char *digest, int quiet,
                     int fail_on, struct totals *t)
{
    struct lht_bundle_meta meta;
    lht_err err;
    int kept, status = LHT_EXIT_ERROR;
    size_t nf, i;

    memset(&meta, 0, sizeof meta);
    lht_err_clear(&err);
    meta.path = j->canon;
    meta.size = j->size;
    meta.mtime = j->mtime;
    meta.sha256 = j->sha[0] ? j->sha : NULL;
    meta.name = j->info.name[0] ? j->info.name : shown(j);
    meta.created_at = j->info.created_at;
    meta.rules_digest = digest;
    if (j->rc != LHT_OK) {
        job_error(j, j->err.msg);
        t->failed++;
        if (j->io_failed)
            return LHT_EXIT_ERROR;
        meta.status = "failed";
        meta.error = j->err.msg;
        if (lht_store_put_failure(store, &meta, &kept, &err) != LHT_OK)
            lht_cli_error("%s", err.msg);
        else if (kept)
            lht_cli_error("%s: facts of the previous scan kept", shown(j));
        return LHT_EXIT_ERROR;
    }
    meta.status = j->info.partial ? "partial" : "ok";
    meta.error = j->info.partial ? j->info.error : NULL;
    if (lht_store_put_bundle(store, &meta, j->f, NULL, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        t->failed++;
        return LHT_EXIT_ERROR;
    }
    t->scanned++;
    if (j->info.partial) {
        char why[sizeof j->info.error + 32];
        snprintf(why, sizeof why, "%s (partial scan stored)", j->info.error);
        job_error(j, why);
    }
    if (!quiet)
        summary(meta.name, meta.status, j->f, &j->info);
    {
        const struct lht_finding *fi = lht_facts_findings(j->f, &nf);
        for (i = 0; i < nf; i++) {
            if ((unsigned)fi[i].severity < 4)
                t->by_sev[fi[i].severity]++;
            if (fail_on >= 0 && fi[i].severity >= fail_on)
                t->hit = 1;
        }
    }
    status = j->info.partial ? LHT_EXIT_ERROR : LHT_EXIT_OK;
    return status;
}

/* ---- command ----------------------------------------------------------- */

struct scan_opts {
    struct lht_source_opts src;
    const char *db, *rules_dir;
    const char *name;                 /* of the '-' input */
    int progress;                     /* 1 on, 0 off, -1 on a terminal */
    int quiet, rescan, fail_on;
    long jobs;
    unsigned long shard_k, shard_n;   /* 0/0: no shard */
};

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

/* Options into so; returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct scan_opts *so)
{
    enum { O_DB = 256, O_MEMBER, O_TOTAL, O_DEPTH, O_MEMBERS, O_RULES, O_FAILON, O_RESCAN, O_SHARD, O_NOLOGS,
           O_NAME, O_PROGRESS, O_NOPROGRESS, O_COLOR };
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
        {"name", required_argument, NULL, O_NAME},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"no-progress", no_argument, NULL, O_NOPROGRESS},
        {"color", required_argument, NULL, O_COLOR},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned long long v;
    int c;

    memset(so, 0, sizeof *so);
    lht_source_defaults(&so->src);
    so->fail_on = -1;
    so->progress = -1;
    so->jobs = sysconf(_SC_NPROCESSORS_ONLN);
    optind = 1;
    while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: so->db = optarg; break;
        case O_MEMBER:
        case O_TOTAL:
        case O_DEPTH:
        case O_MEMBERS:
            if (lht_cli_parse_size(optarg, &v) != 0 || v == 0) {
                return lht_cli_usage_error("scan", "bad value '%s' for --%s", optarg, longopts[c - O_DB].name);
            }
            if (c == O_MEMBER)
                so->src.member_cap = (size_t)v;
            else if (c == O_TOTAL)
                so->src.total_cap = v;
            else if (c == O_DEPTH)
                so->src.max_depth = v > 64 ? 64 : (int)v;
            else
                so->src.max_members = (unsigned long)v;
            break;
        case O_RULES: so->rules_dir = optarg; break;
        case O_FAILON:
            if ((so->fail_on = lht_severity_parse(optarg)) < 0) {
                return lht_cli_usage_error("scan", "--fail-on takes info, warning, error or critical, not '%s'",
                                           optarg);
            }
            break;
        case O_RESCAN: so->rescan = 1; break;
        case O_NOLOGS: so->src.skip_logs = 1; break;
        case O_SHARD:
            if (sscanf(optarg, "%lu/%lu", &so->shard_k, &so->shard_n) != 2 || so->shard_n == 0 ||
                so->shard_k == 0 || so->shard_k > so->shard_n) {
                return lht_cli_usage_error("scan", "--shard takes K/N with 1 <= K <= N, not '%s'", optarg);
            }
            break;
        case 'j':
            if (lht_cli_parse_size(optarg, &v) != 0 || v == 0 || v > 256) {
                return lht_cli_usage_error("scan", "--jobs takes 1..256, not '%s'", optarg);
            }
            so->jobs = (long)v;
            break;
        case O_NAME: so->name = optarg; break;
        case O_PROGRESS: so->progress = 1; break;
        case O_NOPROGRESS: so->progress = 0; break;
        case O_COLOR:
            if (lht_cli_colour_parse(optarg) < 0)
                return lht_cli_usage_error("scan", "--color takes auto, always or never, not '%s'", optarg);
            lht_cli_colour_set(lht_cli_colour_parse(optarg));
            break;
        case 'q': so->quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
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

/* Inputs as given, folders of tickets expanded; then the shard's slice.
 * A folder holding nothing to scan is said so and counted in *empty.
 * Returns 0, or -1 out of memory. */
static int gather_inputs(int argc, char **argv, const struct scan_opts *so, struct inputs *in,
                         unsigned long *empty)
{
    size_t k, w = 0;
    int i;

    for (i = optind; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            !is_bundle_dir(argv[i])) {
            size_t before = in->n;
            walk(in, argv[i], 0);
            if (in->n == before) {
                lht_cli_error("no bundle, sosreport or text evidence in %s", argv[i]);
                ++*empty;
            } else {
                qsort(in->v + before, in->n - before, sizeof *in->v, cmp_str);
            }
        } else if (push(in, argv[i]) != 0) {
            return -1;
        }
    }
    if (so->shard_n == 0 || in->n == 0)
        return 0;
    /* a shard is a deterministic slice of the sorted inputs */
    qsort(in->v, in->n, sizeof *in->v, cmp_str);
    for (k = 0; k < in->n; k++) {
        if (k % so->shard_n == so->shard_k - 1)
            in->v[w++] = in->v[k];
        else
            free(in->v[k]);
    }
    in->n = w;
    return 0;
}

/* Unchanged since its last scan with these rules? Size and mtime decide
 * for files, the sha256 confirms when only the mtime moved (a copy, a
 * touch); a folder has no content hash, so it is always re-read. */
static int unchanged(struct lht_store *store, struct job *j, const char *scan_key)
{
    struct lht_stored old;
    lht_err err;

    if (!j->is_file || lht_store_find(store, j->canon, &old, &err) != 1 || strcmp(old.status, "ok") != 0 ||
        strcmp(old.rules_digest, scan_key) != 0 || old.size != j->size)
        return 0;
    if (old.mtime == j->mtime)
        return 1;
    return old.sha256[0] && lht_sha256_file(j->canon, j->sha, &err) == LHT_OK && strcmp(old.sha256, j->sha) == 0;
}

/* One job per input; skipped and unreadable ones are done already, so
 * the workers never write their state. */
static int plan_jobs(struct pool *pool, struct inputs *in, struct lht_store *store, const char *scan_key,
                     int rescan, const char *stdin_name)
{
    size_t k;

    if ((pool->jobs = calloc(in->n + 1, sizeof *pool->jobs)) == NULL)
        return -1;
    pool->n = in->n;
    for (k = 0; k < in->n; k++) {
        struct job *j = &pool->jobs[k];
        struct stat st;
        j->input = in->v[k];
        if (strcmp(j->input, "-") == 0) {
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
        if (!rescan && unchanged(store, j, scan_key))
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

/* The writer: store each job in input order as it finishes. */
static int drain(struct pool *pool, struct lht_store *store, const struct scan_opts *so, const char *scan_key,
                 struct totals *t)
{
    int status = LHT_EXIT_OK;
    size_t k;

    for (k = 0; k < pool->n; k++) {
        struct job *j = &pool->jobs[k];
        pthread_mutex_lock(&pool->mu);
        while (!j->done)
            pthread_cond_wait(&pool->cv, &pool->mu);
        pthread_mutex_unlock(&pool->mu);
        lht_progress_hold(pool->progress);
        if (j->skip)
            t->skipped++;
        else if (store_job(store, j, scan_key, so->quiet, so->fail_on, t) != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
        lht_progress_release(pool->progress);
        lht_facts_free(j->f);
        j->f = NULL;
        pthread_mutex_lock(&pool->mu);
        pool->stored = k + 1;
        pthread_cond_broadcast(&pool->cv);
        pthread_mutex_unlock(&pool->mu);
    }
    return status;
}

/* The inputs the workers will read, for the progress line. */
static void plan_progress(struct pool *pool)
{
    size_t k;

    for (k = 0; k < pool->n; k++) {
        const struct job *j = &pool->jobs[k];
        if (!j->skip && !j->io_failed)
            lht_progress_start(pool->progress, k, shown(j),
                               j->is_file && j->size > 0 ? (unsigned long long)j->size : 0);
    }
}

/* Rules first: a broken rule file must stop the scan before the database
 * is touched. Rules that read nothing from node logs make them dead
 * weight: the bulk of a bundle is then skipped. The stored key says
 * which kind of scan it was, so a host-only scan never passes for a
 * full one. */
static int load_rules(struct scan_opts *so, struct lht_ruleset **rs, char *scan_key, size_t keysz)
{
    lht_err err;

    lht_err_clear(&err);
    if (lht_ruleset_load(so->rules_dir ? so->rules_dir : lht_rules_default_dir(), rs, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return -1;
    }
    if (!lht_ruleset_reads_logs(*rs))
        so->src.skip_logs = 1;
    snprintf(scan_key, keysz, "%s%s", lht_ruleset_digest(*rs), so->src.skip_logs ? "+no-logs" : "");
    return 0;
}

int lht_cmd_scan(int argc, char **argv)
{
    struct scan_opts so;
    struct lht_store *store = NULL;
    struct lht_ruleset *rs = NULL;
    struct inputs in = {NULL, 0, 0};
    struct pool pool;
    struct totals t;
    pthread_t *threads = NULL;
    char scan_key[96];
    int status;
    size_t k, nthreads = 0;
    lht_err err;

    if ((status = parse_options(argc, argv, &so)) >= 0)
        return status;
    status = LHT_EXIT_ERROR;
    memset(&t, 0, sizeof t);
    memset(&pool, 0, sizeof pool);
    lht_err_clear(&err);
    if (gather_inputs(argc, argv, &so, &in, &t.failed) != 0) {
        lht_cli_error("scan: out of memory");
        goto done;
    }
    if (in.n == 0 && t.failed)
        goto done;   /* nothing to scan: no database is created for it */
    if (load_rules(&so, &rs, scan_key, sizeof scan_key) != 0)
        goto done;
    if (lht_store_open(lht_cli_db_path(so.db), LHT_STORE_RW, &store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        goto done;
    }
    if (plan_jobs(&pool, &in, store, scan_key, so.rescan, so.name) != 0) {
        lht_cli_error("scan: out of memory");
        goto done;
    }
    pool.o = &so.src;
    pool.rs = rs;
    pool.window = (size_t)so.jobs * 2;
    pool.progress = lht_progress_begin(so.progress, pool.n);
    plan_progress(&pool);
    nthreads = start_workers(&pool, so.jobs, &threads);
    if (nthreads == 0 && pool.n > 0)
        lht_cli_error("scan: cannot start worker threads");
    else
        status = drain(&pool, store, &so, scan_key, &t);
    for (k = 0; k < nthreads; k++)
        pthread_join(threads[k], NULL);
    pthread_mutex_destroy(&pool.mu);
    pthread_cond_destroy(&pool.cv);
    lht_progress_end(pool.progress);
    pool.progress = NULL;
    if (t.failed && status == LHT_EXIT_OK)
        status = LHT_EXIT_ERROR;   /* a folder with nothing to scan */
    if (!so.quiet && (in.n > 1 || t.skipped))
        printf("%lu scanned, %lu skipped (unchanged), %lu failed; findings: %lu critical, %lu error, "
               "%lu warning, %lu info\n",
               t.scanned, t.skipped, t.failed, t.by_sev[3], t.by_sev[2], t.by_sev[1], t.by_sev[0]);
    if (status == LHT_EXIT_OK && t.hit)
        status = LHT_EXIT_FINDINGS;
done:
    lht_progress_end(pool.progress);
    if (pool.jobs)
        for (k = 0; k < pool.n; k++)
            lht_facts_free(pool.jobs[k].f);
    free(pool.jobs);
    free(threads);
    for (k = 0; k < in.n; k++)
        free(in.v[k]);
    free(in.v);
    lht_store_close(store);
    lht_ruleset_free(rs);
    return status;
}
