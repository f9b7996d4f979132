/*
 * cmd_merge.c - `lhtriage merge OUT.db IN.db...`: combine shard databases.
 */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <string.h>

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

int lht_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_store *out = NULL;
    int c, i, quiet = 0, status = LHT_EXIT_OK;
    lht_err err;

    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: usage(stderr); return LHT_EXIT_ERROR;
        }
    }
    if (argc - optind < 2) {
        lht_cli_error("merge: give OUT.db and at least one IN.db (try 'lhtriage merge --help')");
        return LHT_EXIT_ERROR;
    }
    lht_err_clear(&err);
    if (lht_store_open(argv[optind], LHT_STORE_RW, &out, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        return LHT_EXIT_ERROR;
    }
    for (i = optind + 1; i < argc; i++) {
        int added, kept;
        if (strcmp(argv[i], argv[optind]) == 0) {
            lht_cli_error("merge: %s is the output", argv[i]);
            status = LHT_EXIT_ERROR;
            continue;
        }
        if (lht_store_merge(out, argv[i], &added, &kept, &err) != LHT_OK) {
            lht_cli_error("%s", err.msg);
            status = LHT_EXIT_ERROR;
            continue;
        }
        if (!quiet)
            printf("%s: %d cases merged, %d kept from %s\n", argv[i], added, kept, argv[optind]);
    }
    lht_store_close(out);
    return status;
}
