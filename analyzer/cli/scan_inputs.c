/*
 * scan_inputs.c - the inputs of `lhtriage scan` and the cases they make
 * (scan.h): which folder is an input (an unpacked bundle, a sosreport, a
 * supportconfig), which is a ticket, which a folder of tickets.
 */
#include "cli/cli.h"
#include "cli/scan.h"
#include "ingest/source.h"
#include "ingest/sysreport.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 16

/* dir/name into p, without doubling a '/' the user typed ("tickets/"). */
static void join(char *p, size_t n, const char *dir, const char *name)
{
    size_t l = strlen(dir);

    snprintf(p, n, "%s%s%s", dir, l > 0 && dir[l - 1] == '/' ? "" : "/", name);
}

static int exists_in(const char *dir, const char *name)
{
    char p[PATH_MAX];

    join(p, sizeof p, dir, name);
    return access(p, F_OK) == 0;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* Marks of a folder that is one input, read as a whole: a bundle's top
 * (or the folder holding it), or a node's own report, which
 * lht_sysreports_dir() knows by its layout (sos_commands/, sos_reports/;
 * a supportconfig's basic-environment.txt) and the scan reads by the same
 * test; or a folder named as sos and supportconfig name their top folder
 * (sosreport-<host>-..., scc_<host>_...), whatever it still holds. */
static const char *const bundle_marks[] = {"metadata.yaml", "nodes", "yamls"};
static const char *const input_prefixes[] = {"sosreport-", "secured-sosreport-", "scc_"};

static int is_input_dir(const char *dir)
{
    DIR *d;
    struct dirent *e;
    const char *base = base_of(dir);
    size_t i;
    int yes = 0;

    for (i = 0; i < sizeof bundle_marks / sizeof bundle_marks[0]; i++)
        if (exists_in(dir, bundle_marks[i]))
            return 1;
    if (lht_sysreports_dir(dir) != LHT_SYSREPORT_NONE)
        return 1;
    for (i = 0; i < sizeof input_prefixes / sizeof input_prefixes[0]; i++)
        if (strncmp(base, input_prefixes[i], strlen(input_prefixes[i])) == 0)
            return 1;
    if ((d = opendir(dir)) == NULL)
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

/* ---- lists ------------------------------------------------------------ */

static int push(struct lht_scan_inputs *in, const char *path)
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

/* A new group from the current end of the inputs; strings copied. */
static struct lht_scan_group *new_group(struct lht_scan_inputs *in, int how, const char *key, const char *name,
                                        const char *path)
{
    struct lht_scan_group *g;

    if (in->ng == in->gcap) {
        size_t cap = in->gcap ? in->gcap * 2 : 16;
        struct lht_scan_group *nv = realloc(in->g, cap * sizeof *nv);
        if (nv == NULL)
            return NULL;
        in->g = nv;
        in->gcap = cap;
    }
    g = &in->g[in->ng];
    memset(g, 0, sizeof *g);
    g->how = how;
    g->first = in->n;
    if ((key && (g->key = strdup(key)) == NULL) || (name && (g->name = strdup(name)) == NULL) ||
        (path && (g->path = strdup(path)) == NULL)) {
        free(g->key);
        free(g->name);
        return NULL;
    }
    in->ng++;
    return g;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_from(struct lht_scan_inputs *in, size_t first)
{
    if (in->n > first + 1)
        qsort(in->v + first, in->n - first, sizeof *in->v, cmp_str);
}

/* ---- walking folders ---------------------------------------------------- */

/* A folder's entries, sorted, without hidden ones; NULL with *n 0 when it
 * cannot be read (errno says why). */
static char **entries(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cap = 0;

    *n = 0;
    if (d == NULL)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (nv == NULL)
                break;
            v = nv;
        }
        if ((v[*n] = strdup(e->d_name)) == NULL)
            break;
        (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_str);
    if (v == NULL)
        errno = 0;
    return v;
}

static void free_entries(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* sos --encrypt-key/--encrypt-pass writes secured-sosreport-*.tar.xz.gpg
 * (sos/archive.py): unreadable without the key, and the user must hear
 * it was not read rather than find the node's evidence quietly missing. */
static int sealed_report(const char *name)
{
    size_t n = strlen(name);

    return strncmp(name, "secured-sosreport-", 18) == 0 && n > 4 && strcmp(name + n - 4, ".gpg") == 0;
}

enum { E_OTHER, E_INPUT, E_DIR, E_SEALED };

static int entry_type(const char *path, const char *name)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return E_OTHER;
    if (S_ISDIR(st.st_mode))
        return is_input_dir(path) ? E_INPUT : E_DIR;
    if (S_ISREG(st.st_mode) && sealed_report(name))
        return E_SEALED;
    return S_ISREG(st.st_mode) && wanted_file(name) ? E_INPUT : E_OTHER;
}

/* Every input below dir (a ticket's contents), unsorted. */
static int walk(struct lht_scan_inputs *in, const char *dir, int depth)
{
    char **v, p[PATH_MAX];
    size_t n, i;
    int rc = 0;

    if (depth > MAX_DEPTH)
        return 0;
    if ((v = entries(dir, &n)) == NULL && errno != 0) {
        lht_cli_error("%s: cannot read folder: %s", dir, strerror(errno));
        in->bad = 1;
        return 0;
    }
    for (i = 0; i < n && rc == 0; i++) {
        join(p, sizeof p, dir, v[i]);
        switch (entry_type(p, v[i])) {
        case E_INPUT: rc = push(in, p); break;
        case E_DIR: rc = walk(in, p, depth + 1); break;
        case E_SEALED:
            lht_cli_error("%s: an encrypted sosreport, not read: decrypt it (gpg -d) next to it", p);
            in->bad = 1;
            break;
        default: break;
        }
    }
    free_entries(v, n);
    return rc;
}

/* 1 when dir holds an input itself (not only in sub-folders): a ticket. */
static int holds_inputs(const char *dir, char **v, size_t n)
{
    char p[PATH_MAX];
    size_t i;

    for (i = 0; i < n; i++) {
        join(p, sizeof p, dir, v[i]);
        int e = entry_type(p, v[i]);
        if (e == E_INPUT || e == E_SEALED)
            return 1;
    }
    return 0;
}

static int add_ticket_folder(struct lht_scan_inputs *in, const char *dir)
{
    char real[PATH_MAX], key[PATH_MAX + 8];
    size_t first = in->n;
    struct lht_scan_group *g;

    if (realpath(dir, real) == NULL)
        snprintf(real, sizeof real, "%s", dir);
    snprintf(key, sizeof key, "dir:%s", real);
    if ((g = new_group(in, LHT_GROUP_FOLDER, key, base_of(real), dir)) == NULL)
        return -1;
    if (walk(in, dir, 0) != 0)
        return -1;
    sort_from(in, first);
    in->g[in->ng - 1].n = in->n - first;
    return 0;
}

/* A folder that is no input: a ticket when it holds inputs, else a folder
 * of tickets, each of its sub-folders taken the same way. */
static int add_folder(struct lht_scan_inputs *in, const char *dir, int depth)
{
    char **v, p[PATH_MAX];
    size_t n, i;
    int rc = 0;

    if (depth > MAX_DEPTH)
        return 0;
    if ((v = entries(dir, &n)) == NULL && errno != 0) {
        lht_cli_error("%s: cannot read folder: %s", dir, strerror(errno));
        in->bad = 1;
        return 0;
    }
    if (holds_inputs(dir, v, n)) {
        free_entries(v, n);
        return add_ticket_folder(in, dir);
    }
    for (i = 0; i < n && rc == 0; i++) {
        join(p, sizeof p, dir, v[i]);
        if (entry_type(p, v[i]) == E_DIR)
            rc = add_folder(in, p, depth + 1);
    }
    free_entries(v, n);
    return rc;
}

static int add_lone(struct lht_scan_inputs *in, const char *path)
{
    struct lht_scan_group *g = new_group(in, LHT_GROUP_LONE, NULL, NULL, NULL);

    if (g == NULL || push(in, path) != 0)
        return -1;
    in->g[in->ng - 1].n = 1;
    return 0;
}

/* All groups into one: the ticket the user named. */
static int one_ticket(struct lht_scan_inputs *in, const char *ticket)
{
    char key[PATH_MAX];
    size_t i;

    for (i = 0; i < in->ng; i++) {
        free(in->g[i].key);
        free(in->g[i].name);
        free(in->g[i].path);
    }
    in->ng = 0;
    snprintf(key, sizeof key, "ticket:%s", ticket);
    if (new_group(in, LHT_GROUP_TICKET, key, ticket, NULL) == NULL)
        return -1;
    in->g[0].first = 0;
    in->g[0].n = in->n;
    return 0;
}

int lht_cli_scan_gather(struct lht_scan_inputs *in, char **args, int nargs, const char *ticket)
{
    int i;

    for (i = 0; i < nargs; i++) {
        struct stat st;
        size_t before = in->n;
        int rc;
        if (strcmp(args[i], "-") != 0 && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode) && !is_input_dir(args[i]))
            rc = add_folder(in, args[i], 0);
        else if (sealed_report(base_of(args[i]))) {
            lht_cli_error("%s: an encrypted sosreport, not read: decrypt it (gpg -d) next to it", args[i]);
            in->bad = 1;
            continue;
        } else
            rc = add_lone(in, args[i]);
        if (rc != 0)
            return -1;
        if (in->n == before) {
            lht_cli_error("no bundle, sosreport or text evidence in %s", args[i]);
            in->bad = 1;
        }
    }
    return ticket && in->n > 0 ? one_ticket(in, ticket) : 0;
}

/* Groups sort by their key, a lone input by its path. */
static const char *group_key(const struct lht_scan_inputs *in, const struct lht_scan_group *g)
{
    return g->key ? g->key : in->v[g->first];
}

static const struct lht_scan_inputs *sort_ctx;

static int cmp_group(const void *a, const void *b)
{
    return strcmp(group_key(sort_ctx, a), group_key(sort_ctx, b));
}

void lht_cli_scan_shard(struct lht_scan_inputs *in, unsigned long k, unsigned long n)
{
    struct lht_scan_group *keep;
    char **v;
    size_t i, j, w = 0, nv = 0;

    if (n == 0 || in->ng == 0)
        return;
    sort_ctx = in;
    qsort(in->g, in->ng, sizeof *in->g, cmp_group);
    keep = in->g;
    v = malloc((in->n + 1) * sizeof *v);
    if (v == NULL)
        return;   /* no slice: the whole scan, which is still correct */
    for (i = 0; i < in->ng; i++) {
        struct lht_scan_group g = in->g[i];
        if (i % n != k - 1) {
            for (j = 0; j < g.n; j++)
                free(in->v[g.first + j]);
            free(g.key);
            free(g.name);
            free(g.path);
            continue;
        }
        for (j = 0; j < g.n; j++)
            v[nv + j] = in->v[g.first + j];
        g.first = nv;
        nv += g.n;
        keep[w++] = g;
    }
    free(in->v);
    in->v = v;
    in->n = nv;
    in->cap = in->n + 1;
    in->ng = w;
}

void lht_cli_scan_free(struct lht_scan_inputs *in)
{
    size_t i;

    for (i = 0; i < in->n; i++)
        free(in->v[i]);
    free(in->v);
    for (i = 0; i < in->ng; i++) {
        free(in->g[i].key);
        free(in->g[i].name);
        free(in->g[i].path);
    }
    free(in->g);
}
