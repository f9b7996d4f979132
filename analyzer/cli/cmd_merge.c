/*
 * cmd_merge.c - `lhtriage merge OUT.db IN.db...`: combine shard databases.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage merge [-q] OUT.db IN.db...\n\n"
            "Copy every case of each IN database (e.g. the shards of a `scan --shard K/N`\n"
            "batch) into OUT with its inputs and findings, creating OUT if needed, one\n"
            "transaction per input database. A case OUT already holds is replaced only\n"
            "when IN evaluated it later; finding ids OUT knows stay.\n\n"
            "options:\n"
            "  -q, --quiet  print errors only\n"
            "  -h, --help   show this help\n");
}

/* Remove a database this run created and left without a bundle, with
 * its WAL files: a failed merge into a new file leaves nothing behind. */
static void remove_new_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[4096];
    size_t i;

    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (snprintf(p, sizeof p, "%s%s", path, suffixes[i]) < (int)sizeof p)
            (void)unlink(p);
}

int lht_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_store *out = NULL;
    int c, i, quiet = 0, status = LHT_EXIT_OK, existed, merged = 0;
    const char *outpath;
    lht_err err;

    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: return lht_cli_bad_option("merge", c, argv, longopts);
        }
    }
    if (argc - optind < 2)
        return lht_cli_usage_error("merge", "give OUT.db and at least one IN.db");
    outpath = argv[optind];
    lht_err_clear(&err);
    existed = access(outpath, F_OK) == 0;
    if (lht_store_open(outpath, LHT_STORE_RW, &out, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    for (i = optind + 1; i < argc; i++) {
        int added, kept;
        char w[2][48];
        if (strcmp(argv[i], outpath) == 0) {
            lht_cli_error("merge: %s is the output", argv[i]);
            status = LHT_EXIT_ERROR;
            continue;
        }
        if (lht_store_merge(out, argv[i], &added, &kept, &err) != LHT_OK) {
            lht_cli_error("%s", err.msg);
            status = LHT_EXIT_ERROR;
            continue;
        }
        merged++;
        if (!quiet)
            printf("%s: %s merged, %s kept from %s\n", argv[i],
                   lht_cli_plural(w[0], sizeof w[0], (unsigned long long)added, "case", "cases"),
                   lht_cli_plural(w[1], sizeof w[1], (unsigned long long)kept, "case", "cases"), outpath);
    }
    lht_store_close(out);
    if (!existed && merged == 0)
        remove_new_db(outpath);
    return status;
}
