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
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage report [--db FILE] [--case NAME|ID ...] [--bundle NAME|ID ...]\n"
            "                       [--detail] [--top N] [--format md|json|html] [--json] [--short]\n"
            "                       [--redact] [-o FILE]\n\n"
            "Print the findings report: per case (a ticket: its bundle, pastes, sosreports)\n"
            "a verdict first (each finding in a few lines: where, which volume, PVC and\n"
            "workload, how sure and why, the fix), the volume walk from the nodes' mounts\n"
            "to the Longhorn objects, what no rule explains, the evidence still missing\n"
            "with the commands to ask for, then each finding with its evidence (each\n"
            "fact once, with every input, member and line it was read from), what to do\n"
            "and what to collect next. Over several cases, unless --case, --bundle or\n"
            "--detail asks for detail, every format but --short gives the fleet summary:\n"
            "per signature its cases, nodes and first/last seen, the Longhorn, kernel and\n"
            "NFS versions it fired with, the cases by Longhorn version, the top tickets.\n\n"
            "options:\n"
            "  --db FILE           database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --case NAME|ID      only this case (name, id or ticket folder); repeatable\n"
            "  --bundle NAME|ID    only the case of this input (name, id, path or file name);\n"
            "                      repeatable\n"
            "  --detail            every case in detail, however many (with a fleet section\n"
            "                      first)\n"
            "  --top N             tickets in the fleet summary's top list (default 20)\n"
            "  --format md|json|html\n"
            "                      markdown (default), one JSON document (its schema:\n"
            "                      share/lhtriage/report.schema.json, and the fleet\n"
            "                      summary's fleet.schema.json), or one HTML page\n"
            "  --json              the same as --format json\n"
            "  --short             one line per finding, for a ticket's first comment\n"
            "  --redact            replace IP addresses and host names with tokens, stable\n"
            "                      for this database and unguessable without it\n"
            "  -o, --output FILE   write to FILE (atomically: a reader never sees half a\n"
            "                      report) instead of stdout; '-' is stdout\n"
            "  -h, --help          show this help\n");
}

/* Write via a temp file + rename so a reader never sees half a report.
 * The temp file is mkstemp's (unpredictable, O_EXCL) in the target's
 * folder, so the rename stays on one file system; it gets the mode a
 * new file would have. Errors name the target, never the temp file. */
static int write_file(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    int fd = -1, saved;
    mode_t mask;
    FILE *fp = NULL;

    if (snprintf(tmp, sizeof tmp, "%.*s.lhtriage-XXXXXX", slash ? (int)(slash - path + 1) : 0, path) >=
        (int)sizeof tmp) {
        lht_cli_error("report: %s: path too long", path);
        return -1;
    }
    if ((fd = mkstemp(tmp)) < 0) {
        lht_cli_error("report: %s: %s", path, strerror(errno));
        return -1;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || (fp = fdopen(fd, "wb")) == NULL)
        goto fail;
    fd = -1;   /* fp owns it now */
    if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0 || fsync(fileno(fp)) != 0)
        goto fail;
    if (fclose(fp) != 0) {
        fp = NULL;
        goto fail;
    }
    fp = NULL;
    if (rename(tmp, path) != 0)
        goto fail;
    return 0;
fail:
    saved = errno;
    if (fp)
        fclose(fp);
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    lht_cli_error("report: %s: %s", path, strerror(saved));
    return -1;
}

int lht_cmd_report(int argc, char **argv)
{
    enum { O_DB = 256, O_BUNDLE, O_CASE, O_FORMAT, O_REDACT, O_JSON, O_SHORT, O_DETAIL, O_TOP };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"bundle", required_argument, NULL, O_BUNDLE},
        {"case", required_argument, NULL, O_CASE},
        {"format", required_argument, NULL, O_FORMAT},
        {"redact", no_argument, NULL, O_REDACT},
        {"json", no_argument, NULL, O_JSON},
        {"detail", no_argument, NULL, O_DETAIL},
        {"top", required_argument, NULL, O_TOP},
        {"short", no_argument, NULL, O_SHORT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_report_opts o;
    struct lht_store *store = NULL;
    struct lht_sb out = LHT_SB_INIT;
    const char *db = NULL, *outfile = NULL;
    const char **bundles = NULL, **cases = NULL;
    int c, status = LHT_EXIT_ERROR, shortened = 0, formatted = 0;
    lht_err err;

    memset(&o, 0, sizeof o);
    bundles = calloc((size_t)argc + 1, sizeof *bundles);
    cases = calloc((size_t)argc + 1, sizeof *cases);
    if (bundles == NULL || cases == NULL) {
        lht_cli_error("report: out of memory");
        free(bundles);
        free(cases);
        return LHT_EXIT_ERROR;
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_BUNDLE: bundles[o.nbundles++] = optarg; break;
        case O_CASE: cases[o.ncases++] = optarg; break;
        case O_FORMAT:
            if (strcmp(optarg, "md") == 0 || strcmp(optarg, "markdown") == 0)
                o.format = LHT_REPORT_MD;
            else if (strcmp(optarg, "json") == 0)
                o.format = LHT_REPORT_JSON;
            else if (strcmp(optarg, "html") == 0)
                o.format = LHT_REPORT_HTML;
            else {
                lht_cli_usage_error("report", "--format takes md, json or html, not '%s'", optarg);
                goto done;
            }
            formatted = o.format != LHT_REPORT_MD;
            break;
        case O_JSON: o.format = LHT_REPORT_JSON; formatted = 1; break;
        case O_SHORT: shortened = 1; break;
        case O_REDACT: o.redact = 1; break;
        case O_DETAIL: o.detail = 1; break;
        case O_TOP: {
            unsigned long long v;
            if (lht_cli_parse_size(optarg, &v) != 0 || v == 0 || v > 500) {
                lht_cli_usage_error("report", "--top takes 1..500, not '%s'", optarg);
                goto done;
            }
            o.top = (size_t)v;
            break;
        }
        case 'o': outfile = optarg; break;
        case 'h': usage(stdout); status = LHT_EXIT_OK; goto done;
        default: lht_cli_bad_option("report", c, argv, longopts); goto done;
        }
    }
    if (optind < argc) {
        lht_cli_usage_error("report", "unexpected argument '%s' (cases go after --case, inputs after --bundle)",
                            argv[optind]);
        goto done;
    }
    if (shortened && formatted) {
        lht_cli_usage_error("report", "--short is a markdown list; it takes no --format or --json");
        goto done;
    }
    if (shortened)
        o.format = LHT_REPORT_SHORT;
    if (outfile && strcmp(outfile, "-") == 0)
        outfile = NULL;   /* stdout, as '-' is for every tool */
    o.bundles = bundles;
    o.cases = cases;
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
    free(cases);
    return status;
}
