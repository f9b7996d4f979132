/*
 * fuzz_target.c - libFuzzer entry points, one binary per target, chosen at
 * build time with -DLHT_FUZZ_TARGET=<name> (see tests/fuzz/CMakeLists.txt):
 * each evidence parser, the transcript/sniffing path a loose paste takes,
 * and the whole archive -> facts -> rules path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "ingest/extract.h"
#include "facts/facts.h"
#include "rules/match.h"
#include "parsers/parse.h"
#include "rules/rules.h"

#define T_PS 1
#define T_STACK 2
#define T_MOUNTS 3
#define T_NFSSTAT 4
#define T_DMESG 5
#define T_TRANSCRIPT 6
#define T_YAML 7
#define T_ARCHIVE 8

static int parse(int (*fn)(const char *, size_t, const struct lht_pctx *), const uint8_t *d,
                 size_t n, const char *command)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_pctx ctx;

    if (f == NULL)
        return 0;
    memset(&ctx, 0, sizeof ctx);
    ctx.facts = f;
    ctx.member = "fuzz.txt";
    ctx.node = "n1";
    ctx.first_line = 1;
    ctx.pid = -1;
    ctx.command = command;
    (void)fn((const char *)d, n, &ctx);
    lht_facts_free(f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
#if LHT_FUZZ_TARGET == T_PS
    /* the process listings: ps, top, crash, /proc/<pid>/status */
    parse(lht_parse_ps, d, n, NULL);
    parse(lht_parse_top, d, n, "top -b -n 1");
    parse(lht_parse_crash, d, n, "crash> foreach UN bt");
    parse(lht_parse_proc_status, d, n, NULL);
    return parse(lht_parse_ps, d, n, "ps -eLo pid,tid,stat,wchan:32,args | grep x");
#elif LHT_FUZZ_TARGET == T_STACK
    return parse(lht_parse_stack, d, n, NULL);
#elif LHT_FUZZ_TARGET == T_MOUNTS
    parse(lht_parse_mountstats, d, n, NULL);
    return parse(lht_parse_mounts_any, d, n, NULL);
#elif LHT_FUZZ_TARGET == T_NFSSTAT
    parse(lht_parse_nfsstat, d, n, NULL);
    parse(lht_parse_hostname, d, n, NULL);
    parse(lht_parse_sos_version, d, n, NULL);
    return parse(lht_parse_hostinfo, d, n, NULL);
#elif LHT_FUZZ_TARGET == T_DMESG
    return parse(lht_parse_kernel_log, d, n, NULL);
#elif LHT_FUZZ_TARGET == T_YAML
    parse(lht_parse_bundle_metadata, d, n, NULL);
    return parse(lht_parse_k8s_yaml, d, n, NULL);
#elif LHT_FUZZ_TARGET == T_TRANSCRIPT
    /* a loose paste: prompts, routing, sniffing, every parser, then rules */
    static struct lht_ruleset *rs;
    static struct lht_matcher *m;
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    if (rs == NULL && lht_ruleset_load(LHT_SOURCE_RULES_DIR, &rs, &err) == LHT_OK)
        lht_matcher_new(rs, &m, &err);
    if (f && lht_extract_text(f, "case/paste.txt", (const char *)d, n, &err) == LHT_OK && m)
        lht_matcher_run(m, f, &err);
    lht_facts_free(f);
    return 0;
#elif LHT_FUZZ_TARGET == T_ARCHIVE
    char path[64];
    struct lht_source_opts o;
    struct lht_bundle_info info;
    struct lht_facts *f;
    lht_err err;
    int fd;
    snprintf(path, sizeof path, "/tmp/lht-fuzz-%d.bin", (int)getpid());
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0)
        return 0;
    if (write(fd, d, n) != (ssize_t)n) {
        close(fd);
        return 0;
    }
    close(fd);
    lht_source_defaults(&o);
    o.member_cap = 1 << 20;
    o.total_cap = 16u << 20;
    o.max_members = 10000;
    f = lht_facts_new();
    if (f)
        (void)lht_extract(path, &o, f, &info, &err);
    lht_facts_free(f);
    unlink(path);
    return 0;
#else
#error "define LHT_FUZZ_TARGET"
#endif
}
