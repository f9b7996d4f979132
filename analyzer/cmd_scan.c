/*
 * cmd_scan.c - `lhtriage scan`: inputs -> facts -> database.
 */
#include "cli.h"
#include "extract.h"
#include "facts.h"
#include "match.h"
#include "rules.h"
#include "sha256.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: lhtriage scan [OPTIONS] INPUT...\n\n"
            "Read Longhorn support bundles (.zip, .tar, .tar.gz/.tgz, .tar.xz, .tar.zst),\n"
            "unpacked bundle folders or pasted text files without extracting them, and\n"
            "store the host evidence they hold in the database.\n\n"
            "options:\n"
            "  --db FILE               database (default: $LHTRIAGE_DB or ./lhtriage.db)\n"
            "  --rules DIR             rules directory (default: $LHTRIAGE_RULES or the installed rules)\n"
            "  --fail-on SEVERITY      exit 1 when a finding at or above SEVERITY exists\n"
            "                          (info, warning, error, critical)\n"
            "  --max-member-size SIZE  bytes read per member, rest skipped (default 256M)\n"
            "  --max-total SIZE        bytes read per input, all members (default 64G)\n"
            "  --max-depth N           nesting levels of archives (default 4)\n"
            "  --max-members N         members per input (default 2000000)\n"
            "  -q, --quiet             print errors only\n"
            "  -h, --help              show this help\n\n"
            "Prints one line per finding. Exit status: 0 ok, 1 findings at or above\n"
            "--fail-on, 2 when an input could not be read or stored.\n");
}

static void summary(const char *name, const char *status, const struct lht_facts *f,
                    const struct lht_bundle_info *info)
{
    size_t np, ns, nm, nh, nk, nf, i;
    const struct lht_finding *fi = lht_facts_findings(f, &nf);

    (void)lht_facts_processes(f, &np);
    (void)lht_facts_stacks(f, &ns);
    (void)lht_facts_mounts(f, &nm);
    (void)lht_facts_hung_tasks(f, &nh);
    (void)lht_facts_klogs(f, &nk);
    printf("%s: %s, %lu members (%lu parsed), %zu processes, %zu stacks, %zu mounts, "
           "%zu hung tasks, %zu kernel events\n",
           name, status, info->members, info->parsed, np, ns, nm, nh, nk);
    for (i = 0; i < nf; i++) {
        static const char *const colours[] = {"\033[36m", "\033[33m", "\033[31m", "\033[1;31m"};
        int c = lht_cli_colour(stdout) && (unsigned)fi[i].severity < 4;
        printf("  %s%-8s%s %s %s", c ? colours[fi[i].severity] : "", lht_severity_name(fi[i].severity),
               c ? "\033[0m" : "", fi[i].rule_id, fi[i].confidence);
        if (fi[i].node) {
            printf(" node=");
            lht_cli_put_escaped(stdout, fi[i].node);
        }
        if (fi[i].pids)
            printf(" pid=%s", fi[i].pids);
        printf(": %s\n", fi[i].title);
    }
}

struct scan_ctx {
    const struct lht_source_opts *o;
    struct lht_store *store;
    struct lht_matcher *matcher;
    const char *rules_digest;
    int quiet;
    int fail_on;         /* severity or -1 */
    int hit;             /* a finding at or above fail_on was seen */
};

static int scan_one(struct scan_ctx *sc, const char *input)
{
    struct lht_store *store = sc->store;
    char canon[PATH_MAX], hex[65];
    struct lht_bundle_meta meta;
    struct lht_bundle_info info;
    struct lht_facts *f = NULL;
    struct stat st;
    lht_err err;
    int rc, kept, status = LHT_EXIT_ERROR;

    lht_err_clear(&err);
    memset(&meta, 0, sizeof meta);
    if (realpath(input, canon) == NULL || stat(canon, &st) != 0) {
        lht_cli_error("%s: %s", input, strerror(errno));
        return LHT_EXIT_ERROR;
    }
    meta.path = canon;
    meta.size = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
    meta.mtime = (long long)st.st_mtime;
    if (S_ISREG(st.st_mode)) {
        if (lht_sha256_file(canon, hex, &err) != LHT_OK) {
            lht_cli_error("%s", err.msg);
            return LHT_EXIT_ERROR;
        }
        meta.sha256 = hex;
    }
    f = lht_facts_new();
    if (f == NULL) {
        lht_cli_error("%s: out of memory", input);
        return LHT_EXIT_ERROR;
    }
    rc = lht_extract(canon, sc->o, f, &info, &err);
    if (rc == LHT_OK)
        rc = lht_matcher_run(sc->matcher, f, &err);
    meta.name = info.name;
    meta.created_at = info.created_at;
    if (rc != LHT_OK) {
        char msg[sizeof err.msg];
        memcpy(msg, err.msg, sizeof msg);
        lht_cli_error("%s", msg);
        meta.status = "failed";
        meta.error = msg;
        lht_err_clear(&err);
        if (lht_store_put_failure(store, &meta, &kept, &err) != LHT_OK)
            lht_cli_error("%s", err.msg);
        else if (kept)
            lht_cli_error("%s: facts of the previous scan kept", input);
        goto done;
    }
    meta.status = info.partial ? "partial" : "ok";
    meta.rules_digest = sc->rules_digest;
    meta.error = info.partial ? info.error : NULL;
    if (lht_store_put_bundle(store, &meta, f, NULL, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        goto done;
    }
    if (info.partial)
        lht_cli_error("%s (partial scan stored)", info.error);
    if (!sc->quiet)
        summary(info.name, meta.status, f, &info);
    if (sc->fail_on >= 0) {
        size_t nf, i;
        const struct lht_finding *fi = lht_facts_findings(f, &nf);
        for (i = 0; i < nf; i++)
            if (fi[i].severity >= sc->fail_on)
                sc->hit = 1;
    }
    status = info.partial ? LHT_EXIT_ERROR : LHT_EXIT_OK;
done:
    lht_facts_free(f);
    return status;
}

int lht_cmd_scan(int argc, char **argv)
{
    enum { O_DB = 256, O_MEMBER, O_TOTAL, O_DEPTH, O_MEMBERS, O_RULES, O_FAILON };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"max-member-size", required_argument, NULL, O_MEMBER},
        {"max-total", required_argument, NULL, O_TOTAL},
        {"max-depth", required_argument, NULL, O_DEPTH},
        {"max-members", required_argument, NULL, O_MEMBERS},
        {"rules", required_argument, NULL, O_RULES},
        {"fail-on", required_argument, NULL, O_FAILON},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lht_source_opts o;
    struct lht_store *store = NULL;
    struct lht_ruleset *rs = NULL;
    struct scan_ctx sc;
    const char *db = NULL, *rules_dir = NULL;
    unsigned long long v;
    int c, i, quiet = 0, status = LHT_EXIT_OK;
    lht_err err;

    lht_source_defaults(&o);
    memset(&sc, 0, sizeof sc);
    sc.fail_on = -1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_MEMBER:
        case O_TOTAL:
        case O_DEPTH:
        case O_MEMBERS:
            if (lht_cli_parse_size(optarg, &v) != 0 || v == 0) {
                lht_cli_error("scan: bad value '%s' for --%s", optarg, longopts[c - O_DB].name);
                return LHT_EXIT_ERROR;
            }
            if (c == O_MEMBER)
                o.member_cap = (size_t)v;
            else if (c == O_TOTAL)
                o.total_cap = v;
            else if (c == O_DEPTH)
                o.max_depth = v > 64 ? 64 : (int)v;
            else
                o.max_members = (unsigned long)v;
            break;
        case O_RULES: rules_dir = optarg; break;
        case O_FAILON:
            sc.fail_on = lht_severity_parse(optarg);
            if (sc.fail_on < 0) {
                lht_cli_error("scan: --fail-on takes info, warning, error or critical, not '%s'", optarg);
                return LHT_EXIT_ERROR;
            }
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return LHT_EXIT_OK;
        default: usage(stderr); return LHT_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        lht_cli_error("scan: no input given (try 'lhtriage scan --help')");
        return LHT_EXIT_ERROR;
    }
    lht_err_clear(&err);
    /* Rules first: a broken rule file must stop the scan before the DB is touched. */
    if (lht_ruleset_load(rules_dir ? rules_dir : lht_rules_default_dir(), &rs, &err) != LHT_OK ||
        lht_matcher_new(rs, &sc.matcher, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        lht_ruleset_free(rs);
        return LHT_EXIT_ERROR;
    }
    if (lht_store_open(lht_cli_db_path(db), LHT_STORE_RW, &store, &err) != LHT_OK) {
        lht_cli_error("%s", err.msg);
        lht_matcher_free(sc.matcher);
        lht_ruleset_free(rs);
        return LHT_EXIT_ERROR;
    }
    sc.o = &o;
    sc.store = store;
    sc.rules_digest = lht_ruleset_digest(rs);
    sc.quiet = quiet;
    for (i = optind; i < argc; i++)
        if (scan_one(&sc, argv[i]) != LHT_EXIT_OK)
            status = LHT_EXIT_ERROR;
    lht_store_close(store);
    lht_matcher_free(sc.matcher);
    lht_ruleset_free(rs);
    if (status == LHT_EXIT_OK && sc.hit)
        status = LHT_EXIT_FINDINGS;
    return status;
}
