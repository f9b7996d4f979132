/*
 * cmd_report.c - `lhtriage report`: the findings report from the database.
 */
#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage report [--db FILE] [--bundle NAME|ID ...] [--format md|json]\n"
            "                       [--redact] [-o FILE]\n\n"
            "Print the findings report: per bundle its versions and nodes, a summary by\n"
            "severity, each finding with its evidence (member, line, matched text), what to\n"
            "do and what to collect next; with several bundles a fleet section first.\n\n"
            "options:\n"
            "  --db FILE           database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --bundle NAME|ID    only this bundle (name, id, path or file name); repeatable\n"
            "  --format md|json    markdown (default) or one JSON document\n"
            "  --redact            replace IP addresses and host names with tokens, stable\n"
            "                      for this database and unguessable without it\n"
            "  -o, --output FILE   write to FILE (atomically) instead of stdout\n"
            "  -h, --help          show this help\n");
}

/* Write via a temp file + rename so a reader never sees half a report. */
static int write_file(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    FILE *fp;

    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        lht_cli_error("report: %s: path too long", path);
        return -1;
    }
    fp = fopen(tmp, "wb");
    if (fp == NULL) {
        lht_cli_error("report: %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
        lht_cli_error("report: %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        lht_cli_error("report: %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int lht_cmd_report(int argc, char **argv)
{
    enum { O_DB = 256, O_BUNDLE, O_FORMAT, O_REDACT };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"bundle", required_argument, NULL, O_BUNDLE},
        {"format", required_argument, NULL, O_FORMAT},
        {"redact", no_argument, NULL, O_REDACT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_report_opts o;
    struct lht_store *store = NULL;
    struct lht_sb out = LHT_SB_INIT;
    const char *db = NULL, *outfile = NULL;
    const char **bundles = NULL;
    int c, status = LHT_EXIT_ERROR;
    lht_err err;

    memset(&o, 0, sizeof o);
    bundles = calloc((size_t)argc + 1, sizeof *bundles);
    if (bundles == NULL) {
        lht_cli_error("report: out of memory");
        return LHT_EXIT_ERROR;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_BUNDLE: bundles[o.nbundles++] = optarg; break;
        case O_FORMAT:
            if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                o.format = LHT_REPORT_MD;
            else if (strcmp(optarg, "json") == 0)
                o.format = LHT_REPORT_JSON;
            else {
                lht_cli_error("report: --format takes md or json, not '%s'", optarg);
                goto done;
            }
            break;
        case O_REDACT: o.redact = 1; break;
        case 'o': outfile = optarg; break;
        case 'h': usage(stdout); status = LHT_EXIT_OK; goto done;
        default: usage(stderr); goto done;
        }
    }
    if (optind < argc) {
        lht_cli_error("report: unexpected argument '%s' (bundles go after --bundle)", argv[optind]);
        goto done;
    }
    o.bundles = bundles;
    lht_err_clear(&err);
    if (lht_store_open(lht_cli_db_path(db), LHT_STORE_RO, &store, &err) != LHT_OK ||
        lht_report_render(lht_store_db(store), &o, &out, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        goto done;
    }
    if (outfile) {
        if (write_file(outfile, lht_sb_str(&out), out.len) != 0)
            goto done;
    } else if (fwrite(lht_sb_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        lht_cli_error("report: cannot write to standard output: %s", strerror(errno));
        goto done;
    }
    status = LHT_EXIT_OK;
done:
    lht_store_close(store);
    lht_sb_free(&out);
    free(bundles);
    return status;
}
