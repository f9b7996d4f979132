/* check_sysreport.c - sosreports and supportconfigs scanned on their own
 * (ingest/sysreport.c with extract.c and the rules): the fixture reports
 * of fixtures/sosreport/ and fixtures/supportconfig/ as folders and as
 * the archives the tools ship, symlinks as sos stores them, reports that
 * lack their proc tree. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/extract.h"
#include "ingest/source.h"
#include "ingest/sysreport.h"
#include "rules/match.h"
#include "rules/rules.h"
#include "testutil.h"
#include "tu_main.h"

#define SOS4 "sosreport-rke2-w1-01234567-2025-09-24-qhtcvbm"
#define SOS3 "sosreport-rke2-w0-01234567-2025-09-24-kqmzvfd"
#define SCC "scc_sles-w2_250924_0705"
#define SEED "rwx-nfs4-open-state-hang"

static struct lht_facts *scan(const char *input)
{
    struct lht_source_opts o;
    struct lht_bundle_info info;
    struct lht_facts *f = lht_facts_new();
    lht_err err;

    lht_source_defaults(&o);
    lht_err_clear(&err);
    ck_assert_msg(lht_extract(input, &o, f, &info, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(info.partial, 0);
    return f;
}

static struct lht_ruleset *rs;
static struct lht_matcher *mt;

static void setup(void)
{
    lht_err err;
    ck_assert_int_eq(lht_ruleset_load(tu_source("rules"), &rs, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_new(rs, &mt, &err), LHT_OK);
}

static void teardown(void)
{
    lht_matcher_free(mt);
    lht_ruleset_free(rs);
}

static void match(struct lht_facts *f)
{
    lht_err err;
    ck_assert_int_eq(lht_matcher_run(mt, f, &err), LHT_OK);
}

static const struct lht_finding *finding(const struct lht_facts *f, const char *rule)
{
    size_t n, i;
    const struct lht_finding *x = lht_facts_findings(f, &n);

    for (i = 0; i < n; i++)
        if (strcmp(x[i].rule_id, rule) == 0)
            return &x[i];
    return NULL;
}

/* Some evidence of finding x for signal sig came from a member ending in tail. */
static int evidence_from(const struct lht_facts *f, const struct lht_finding *x, const char *sig, const char *tail)
{
    size_t n, i;
    const struct lht_evidence *e = lht_facts_evidence(f, &n);

    for (i = x->first; i < x->first + x->nevidence; i++) {
        size_t ml = strlen(e[i].at.member), tl = strlen(tail);
        if (strcmp(e[i].signal, sig) == 0 && ml >= tl && strcmp(e[i].at.member + ml - tl, tail) == 0)
            return 1;
    }
    return 0;
}

static const struct lht_member *member(const struct lht_facts *f, const char *tail)
{
    size_t n, i, tl = strlen(tail);
    const struct lht_member *m = lht_facts_members(f, &n);

    for (i = 0; i < n; i++) {
        size_t ml = strlen(m[i].at.member);
        if (ml >= tl && strcmp(m[i].at.member + ml - tl, tail) == 0)
            return &m[i];
    }
    return NULL;
}

static int has_note(const struct lht_facts *f, const char *a, const char *b)
{
    size_t n, i;
    const struct lht_note *x = lht_facts_notes(f, &n);

    for (i = 0; i < n; i++)
        if (strstr(x[i].msg, a) && (b == NULL || strstr(x[i].msg, b)))
            return 1;
    return 0;
}

/* Every fact that has a node has this one; members name none (their
 * node would pass for a Kubernetes node name in a case). */
static void all_on_node(const struct lht_facts *f, const char *node)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(f, &n);
    const struct lht_mount *mo;
    const struct lht_kv *kv;
    const struct lht_member *m;

    for (i = 0; i < n; i++)
        ck_assert_str_eq(p[i].at.node, node);
    mo = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++)
        ck_assert_str_eq(mo[i].at.node, node);
    kv = lht_facts_kvs(f, &n);
    for (i = 0; i < n; i++)
        ck_assert_str_eq(kv[i].at.node, node);
    m = lht_facts_members(f, &n);
    for (i = 0; i < n; i++)
        ck_assert_msg(m[i].at.node == NULL, "%s", m[i].at.member);
}

static const char *sos4_forms(int i)
{
    return i == 0 ? tu_source("fixtures/sosreport/sos-4.10-rhel9/" SOS4) : tu_fixture("sos-4.10-rhel9.tar.xz");
}

/* The seed hang, confirmed by a sosreport alone: the D state from the
 * `ps auxwwwm` thread line, the stack from proc/<pid>/stack, the NFSv4.1
 * mount from the sos pid's proc files; one input, one finding. */
START_TEST(sos4_confirms_the_seed)
{
    struct lht_facts *f = scan(sos4_forms(_i));
    const struct lht_finding *x;
    size_t n;

    match(f);
    lht_facts_findings(f, &n);
    ck_assert_int_eq((int)n, 1);
    x = finding(f, SEED);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->confidence, "confirmed");
    ck_assert_str_eq(x->node, "rke2-w1");
    ck_assert_int_eq(x->pid, 123315);
    ck_assert(evidence_from(f, x, "d_state", "sos_commands/process/ps_auxwwwm"));
    ck_assert(evidence_from(f, x, "open_state_wait", "proc/123315/stack"));
    ck_assert_str_eq(lht_facts_kv_get(f, "rke2-w1", "sos_version"), "4.10.0");
    ck_assert_str_eq(lht_facts_kv_get(f, "rke2-w1", "kernel_release"), "5.14.0-427.13.1.el9_4.x86_64");
    ck_assert_str_eq(lht_facts_kv_get(f, "rke2-w1", "os"), "Red Hat Enterprise Linux 9.4 (Plow)");
    all_on_node(f, "rke2-w1");
    lht_facts_free(f);
}
END_TEST

/* Links are never read: the real file behind each is read once, at its
 * own path; one namespace's mountinfo is parsed once. */
START_TEST(sos4_links_and_duplicates)
{
    struct lht_facts *f = scan(sos4_forms(_i));
    const struct lht_mount *mo;
    size_t n, i, mountstats = 0, proc_mounts = 0;

    ck_assert_ptr_null(member(f, SOS4 "/ps"));
    ck_assert_ptr_null(member(f, "proc/mounts"));
    ck_assert_ptr_null(member(f, "etc/os-release"));
    ck_assert_ptr_null(member(f, "sos_commands/logs/journalctl_--no-pager"));
    ck_assert_str_eq(member(f, "sos_strings/logs/journalctl_--no-pager.tailed")->kind, "kernel_log");
    ck_assert_str_eq(member(f, "usr/lib/os-release")->kind, "os_release");
    /* proc/1 and proc/231877 (the sos pid) share the host's namespace */
    ck_assert_int_eq((strcmp(member(f, "proc/231877/mountinfo")->status, "skipped") == 0) +
                         (strcmp(member(f, "proc/1/mountinfo")->status, "skipped") == 0),
                     1);
    ck_assert_str_eq(member(f, "proc/123315/mountinfo")->status, "parsed");    /* the pod's namespace */
    ck_assert_str_eq(member(f, "sos_reports/manifest.json")->kind, "host_file");
    ck_assert_str_eq(member(f, "sos_reports/manifest.json")->status, "skipped");
    ck_assert_str_eq(member(f, "sos_commands/host/hostname_-f")->kind, "sos_command");
    mo = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++) {
        mountstats += mo[i].origin == LHT_MOUNT_MOUNTSTATS && mo[i].nfs_vers && strcmp(mo[i].nfs_vers, "4.1") == 0;
        proc_mounts += mo[i].origin == LHT_MOUNT_PROC && strstr(mo[i].at.member, "proc/231877/mounts") != NULL;
    }
    ck_assert_int_eq((int)mountstats, 2);
    ck_assert_int_gt((int)proc_mounts, 0);
    lht_facts_free(f);
}
END_TEST

/* sos 3.9: no proc/<pid>/stack (before 4.2), ps_auxwww and ps_auxwwwm
 * both read; its D writer sits next to "server not responding" lines,
 * which is not the seed hang. */
START_TEST(sos3_reads_and_says_what_is_missing)
{
    struct lht_facts *f = scan(_i == 0 ? tu_source("fixtures/sosreport/sos-3.9-rhel7/" SOS3)
                                       : tu_fixture("sos-3.9-rhel7.tar.xz"));
    const struct lht_process *p;
    size_t n, i, d = 0;

    match(f);
    p = lht_facts_processes(f, &n);
    for (i = 0; i < n; i++)
        if (p[i].pid == 48215 && p[i].stat && strcmp(p[i].stat, "Ds") == 0)
            d++;
    ck_assert_int_eq((int)d, 2);   /* ps_auxwww and the ps auxwwwm thread line */
    ck_assert_int_eq((int)lht_facts_count(f, LHT_FACT_STACK), 0);
    ck_assert(has_note(f, "without proc/<pid>/stack files (sos 3.9", "48215"));
    ck_assert_ptr_null(finding(f, SEED));
    ck_assert_ptr_nonnull(finding(f, "nfs-server-not-responding"));
    ck_assert_str_eq(lht_facts_kv_get(f, "rke2-w0", "hostname"), "rke2-w0");
    all_on_node(f, "rke2-w0");
    lht_facts_free(f);
}
END_TEST

/* sos with the process plugin skipped: mounts and logs still read, and
 * notes say what is missing. */
START_TEST(sos_without_proc_tree)
{
    struct lht_facts *f = scan(tu_fixture("sos-4.5-ubuntu-noproc.tar.xz"));
    const struct lht_mount *mo;
    size_t n, i, nfs = 0, origins = 0;

    match(f);
    ck_assert_int_eq((int)lht_facts_count(f, LHT_FACT_PROCESS), 0);
    mo = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++)
        if (mo[i].nfs_vers && strcmp(mo[i].nfs_vers, "4.1") == 0) {
            nfs++;
            origins |= 1u << mo[i].origin;
        }
    ck_assert_int_eq((int)nfs, 8);   /* 2 mounts x proc mounts, mountinfo, mountstats, mount -l */
    ck_assert_int_eq((int)origins, (1 << LHT_MOUNT_PROC) | (1 << LHT_MOUNT_CMD) | (1 << LHT_MOUNT_MOUNTINFO) |
                                       (1 << LHT_MOUNT_MOUNTSTATS));
    ck_assert(has_note(f, "without a process listing", "process plugin did not run"));
    ck_assert(has_note(f, "without proc/<pid>/stack files (sos 4.5.6", NULL));
    lht_facts_findings(f, &n);
    ck_assert_int_eq((int)n, 0);
    ck_assert_str_eq(lht_facts_kv_get(f, "ub-w3", "os"), "Ubuntu 22.04.5 LTS");
    all_on_node(f, "ub-w3");
    lht_facts_free(f);
}
END_TEST

/* A supportconfig has no stacks: its ps D line and NFSv4.2 mount make
 * the seed suspected, and a note asks for the stack. */
START_TEST(supportconfig_suspects_the_seed)
{
    struct lht_facts *f = scan(_i == 0 ? tu_source("fixtures/supportconfig/sles15-sp5/" SCC)
                                       : tu_fixture("sles15-sp5.txz"));
    const struct lht_finding *x;
    const struct lht_open_file *of;
    size_t n, i, writers = 0;

    match(f);
    lht_facts_findings(f, &n);
    ck_assert_int_eq((int)n, 1);
    x = finding(f, SEED);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->confidence, "suspected");
    ck_assert_str_eq(x->node, "sles-w2");
    ck_assert(evidence_from(f, x, "d_state", "basic-health-check.txt"));
    ck_assert(evidence_from(f, x, "nfs41_any_mount", "fs-diskio.txt"));
    ck_assert(has_note(f, "supportconfig collects no kernel stacks", "4242"));
    of = lht_facts_open_files(f, &n);
    for (i = 0; i < n; i++)
        writers += of[i].name && strncmp(of[i].name, "/data/index.html", 16) == 0;
    ck_assert_int_eq((int)writers, 2);
    ck_assert_str_eq(lht_facts_kv_get(f, "sles-w2", "os"), "SUSE Linux Enterprise Server 15 SP5");
    all_on_node(f, "sles-w2");
    lht_facts_free(f);
}
END_TEST

/* ... and with the customer's pasted stack next to it, confirmed: the
 * paste's prompt names the node the supportconfig was taken on. */
START_TEST(supportconfig_and_paste_confirm)
{
    static const char paste[] =
        "sles-w2:~ # cat /proc/4242/stack\n"
        "[<0>] nfs_set_open_stateid_locked+0x10a/0x180 [nfsv4]\n"
        "[<0>] update_open_stateid+0x9e/0x2c0 [nfsv4]\n"
        "[<0>] _nfs4_opendata_to_nfs4_state+0x11b/0x330 [nfsv4]\n"
        "[<0>] _nfs4_open_and_get_state+0x79/0x3a0 [nfsv4]\n"
        "[<0>] nfs4_do_open+0xcc/0x1e0 [nfsv4]\n"
        "[<0>] nfs4_atomic_open+0xe9/0x100 [nfsv4]\n"
        "[<0>] nfs4_file_open+0x107/0x260 [nfsv4]\n";
    char dir[4096], p[4200], cmd[8600];
    struct lht_facts *f;
    const struct lht_finding *x;

    snprintf(dir, sizeof dir, "%s/ticket", tu_tmpdir());
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/paste.txt", dir);
    ck_assert_int_eq(tu_write_file(p, paste, strlen(paste)), 0);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/'", tu_fixture("sles15-sp5.txz"), dir);
    ck_assert_int_eq(system(cmd), 0);
    f = scan(dir);
    match(f);
    x = finding(f, SEED);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->confidence, "confirmed");
    ck_assert_str_eq(x->node, "sles-w2");
    ck_assert_int_eq(x->pid, 4242);
    ck_assert(evidence_from(f, x, "open_state_wait", "paste.txt"));
    ck_assert(evidence_from(f, x, "d_state", SCC "/basic-health-check.txt"));
    lht_facts_free(f);
}
END_TEST

/* Hostile links in a sos tar: absolute, escaping, to a directory; none
 * is followed or read, the regular members are read once. */
START_TEST(links_are_never_followed)
{
#define TOP "sosreport-h1-2025-09-24-abcdefg/"
    static const char ps[] =
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        "root          42  0.0  0.0   1604   896 ?        -    06:41   0:00 /bin/sh -c x\n"
        "root           -  0.0    -      -     - -        Ds   06:41   0:00 -\n";
    const struct tu_member m[] = {
        {TOP "version.txt", "sos report: 4.10.0", 0},
        {TOP "sos_commands/host/hostname", "h1\n", 0},
        {TOP "sos_commands/process/ps_auxwwwm", ps, 0},
        {TOP "proc/42/mounts", "10.43.0.9:/pvc-1 /mnt nfs4 rw,vers=4.1 0 0\n", 0},
    };
    static const char *const links[][2] = {
        {TOP "ps", "sos_commands/process/ps_auxwwwm"},
        {TOP "proc/self", "42"},
        {TOP "proc/mounts", "/proc/mounts"},
        {TOP "etc/passwd", "../../../../../../etc/passwd"},
        {TOP "sos_commands/kernel/dmesg", "/dev/kmsg"},
        {TOP "var/log/messages", "/var/log/messages"},
    };
    char path[4200];
    struct lht_facts *f;
    size_t n;

    snprintf(path, sizeof path, "%s/links.tar.xz", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive_links(path, "tar.xz", m, 4, links, 6), 0);
    f = scan(path);
    lht_facts_members(f, &n);
    ck_assert_int_eq((int)n, 4);
    ck_assert_int_eq((int)lht_facts_count(f, LHT_FACT_PROCESS), 1);
    ck_assert_int_eq((int)lht_facts_count(f, LHT_FACT_MOUNT), 1);
    ck_assert_int_eq((int)lht_facts_count(f, LHT_FACT_KLOG), 0);
    ck_assert_str_eq(lht_facts_processes(f, &n)[0].at.node, "h1");
    lht_facts_free(f);
#undef TOP
}
END_TEST

/* The same on disk: an unpacked sos folder whose links point out of it. */
START_TEST(folder_links_are_never_followed)
{
    char dir[4096], p[4200];
    struct lht_facts *f;
    size_t n;

    snprintf(dir, sizeof dir, "%s/sosreport-h2-2025-09-24-abcdefg", tu_tmpdir());
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(p, sizeof p, "%s/sos_commands", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sos_commands/host", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sos_commands/host/hostname", dir);
    ck_assert_int_eq(tu_write_file(p, "h2\n", 3), 0);
    snprintf(p, sizeof p, "%s/var", dir);
    ck_assert_int_eq(symlink("/var", p), 0);            /* a whole tree outside */
    snprintf(p, sizeof p, "%s/proc", dir);
    ck_assert_int_eq(symlink("/proc", p), 0);
    ck_assert_int_eq(lht_sysreports_dir(dir), LHT_SYSREPORT_SOS);
    f = scan(dir);
    lht_facts_members(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_str_eq(lht_facts_kv_get(f, "h2", "hostname"), "h2");
    lht_facts_free(f);
}
END_TEST

/* The node when `hostname` is missing (uname's nodename), and a note
 * when nothing names it; a D process past sos's 2048-pid cut has no
 * stack, and a note says why. */
START_TEST(node_fallbacks_and_numprocs_note)
{
#define TOP "sosreport-h3-2025-09-24-abcdefg/"
    static const char ps[] =
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        "root          42  0.0  0.0   1604   896 ?        -    06:41   0:00 sleep 9\n"
        "root           -  0.0    -      -     - -        S    06:41   0:00 -\n"
        "root       99001  0.0  0.0   1604   896 ?        -    06:41   0:00 /bin/sh -c x\n"
        "root           -  0.0    -      -     - -        Ds   06:41   0:00 -\n";
    const struct tu_member with_uname[] = {
        {TOP "version.txt", "sos report: 4.10.0", 0},
        {TOP "proc/42/stack", "[<0>] hrtimer_nanosleep+0x93/0x120\n", 0},
        {TOP "sos_commands/kernel/uname_-a",
         "Linux h3 5.14.0-427.13.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Wed Apr 10 10:29:16 EDT 2024 x86_64 GNU/Linux\n",
         0},
        {TOP "sos_commands/process/ps_auxwwwm", ps, 0},
    };
    const struct tu_member nameless[] = {
        {"ticket/node1-sos/sos_commands/process/ps_auxwwwm", ps, 0},   /* a renamed folder */
    };
    char path[4200];
    struct lht_facts *f;

    snprintf(path, sizeof path, "%s/h3.tar.gz", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "tar.gz", with_uname, 4), 0);
    f = scan(path);
    all_on_node(f, "h3");
    ck_assert(has_note(f, "D-state pid 99001 has no proc/<pid>/stack", "numprocs=0"));
    lht_facts_free(f);

    snprintf(path, sizeof path, "%s/renamed.zip", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "zip", nameless, 1), 0);
    f = scan(path);
    ck_assert(has_note(f, "sosreport without hostname or uname output", NULL));
    ck_assert(has_note(f, "without proc/<pid>/stack files (sos version unknown", "99001"));
    ck_assert_ptr_null(lht_facts_processes(f, &(size_t){0})[0].at.node);
    lht_facts_free(f);
#undef TOP
}
END_TEST

/* A hostile archive of many empty report folders: at most 64 are taken
 * for reports, the rest are plain members. */
START_TEST(report_roots_are_capped)
{
    struct tu_member m[100];
    char names[100][64], path[4200];
    struct lht_facts *f;
    size_t n, i, nameless = 0;
    const struct lht_note *no;

    for (i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "sosreport-n%zu-2025-09-24-abcdefg/etc/motd", i);
        m[i].name = names[i];
        m[i].data = "hello\n";
        m[i].len = 0;
    }
    snprintf(path, sizeof path, "%s/many.tar", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "tar", m, 100), 0);
    f = scan(path);
    no = lht_facts_notes(f, &n);
    for (i = 0; i < n; i++)
        nameless += strstr(no[i].msg, "without hostname or uname output") != NULL;
    ck_assert_int_eq((int)nameless, 64);
    lht_facts_free(f);
}
END_TEST

/* A sos output's name spells its command, routed like a pasted one. */
static const struct {
    const char *path, *kind;
} names[] = {
    {"sosreport-x/sos_commands/process/ps_auxwwwm", "ps"},
    {"sosreport-x/sos_commands/process/ps_-elfL", "ps"},
    {"sosreport-x/sos_commands/process/ps_alxwww", "ps"},
    {"sosreport-x/sos_commands/process/pstree_-lp", "sos_command"},
    {"sosreport-x/sos_commands/process/lsof_M_-n_-l_-c", "lsof"},
    {"sosreport-x/sos_commands/kernel/dmesg", "kernel_log"},
    {"sosreport-x/sos_commands/kernel/uname_-a", "uname"},
    {"sosreport-x/sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1", "kernel_log"},
    {"sosreport-x/sos_commands/logs/journalctl_--disk-usage", "sos_command"},
    {"sosreport-x/sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet", "sos_command"},
    {"sosreport-x/sos_strings/logs/journalctl_--no-pager.tailed", "kernel_log"},
    {"sosreport-x/sos_strings/logs/var.log.messages.tailed", "kernel_log"},
    {"sosreport-x/sos_commands/host/hostname", "hostname"},
    {"sosreport-x/sos_commands/general/hostname", "hostname"},
    {"sosreport-x/sos_commands/host/hostname_-f", "sos_command"},
    {"sosreport-x/sos_commands/filesys/mount_-l", "mount"},
    {"sosreport-x/sos_commands/filesys/findmnt", "mounts"},
    {"sosreport-x/sos_commands/nfs/mountstats_-n", "mountstats"},
    {"sosreport-x/sos_commands/nfs/nfsstat_-o_all", "sos_command"},
    {"sosreport-x/var/log/messages-20250921", "kernel_log"},
    {"sosreport-x/var/log/kern.log.1", "kernel_log"},
    {"sosreport-x/proc/self/mountstats", "mountstats"},
    {"sosreport-x/version.txt", "sos_version"},
};

START_TEST(sos_command_names)
{
    struct lht_facts *f = lht_facts_new();
    size_t n;
    lht_err err;

    ck_assert_int_eq(lht_extract_text(f, names[_i].path, "x\n", 2, &err), LHT_OK);
    ck_assert_msg(strcmp(lht_facts_members(f, &n)[0].kind, names[_i].kind) == 0, "%s: %s", names[_i].path,
                  lht_facts_members(f, &n)[0].kind);
    lht_facts_free(f);
}
END_TEST

/* The kubernetes plugin's `kubectl get -o json nodes`: JSON read as YAML,
 * a node's facts keyed by its name. */
START_TEST(kubernetes_plugin_nodes)
{
    static const char json[] =
        "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n"
        "            \"kind\": \"Node\",\n            \"metadata\": {\n                \"name\": \"rke2-w1\"\n"
        "            },\n            \"status\": {\n                \"nodeInfo\": {\n"
        "                    \"kernelVersion\": \"5.14.0-427.13.1.el9_4.x86_64\",\n"
        "                    \"kubeletVersion\": \"v1.30.4+rke2r1\"\n                }\n            }\n"
        "        }\n    ],\n    \"kind\": \"List\"\n}\n";
    struct lht_facts *f = lht_facts_new();
    lht_err err;

    ck_assert_int_eq(lht_extract_text(f,
                                      "sosreport-x/sos_commands/kubernetes/cluster-info/"
                                      "kubectl_--kubeconfig_.etc.kubernetes.admin.conf_get_-o_json_nodes",
                                      json, strlen(json), &err),
                     LHT_OK);
    ck_assert_str_eq(lht_facts_kv_get(f, "rke2-w1", "kubelet_version"), "v1.30.4+rke2r1");
    lht_facts_free(f);
}
END_TEST

/* A report's name dates it: sos friendly and legacy names, supportconfig. */
START_TEST(report_names_date_it)
{
    static const struct {
        const char *member, *want;
    } cases[] = {
        {"sosreport-rke2-w1-01234567-2025-09-24-qhtcvbm/version.txt", "2025-09-24"},
        {"t.zip!sosreport-rke2-w1-mylabel-2025-09-24-abcdefg/x", "2025-09-24"},
        {"sosreport-sles-w2.01234567-20250924070512/version.txt", "2025-09-24T07:05:12"},
        {"sosreport-sles-w2-20250924070512/version.txt", "2025-09-24T07:05:12"},
        {"scc_sles-w2_250924_0705/basic-environment.txt", "2025-09-24T07:05"},
        {"sosreport-renamed/version.txt", NULL},
        {"plain/paste.txt", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lht_sysreports *h = lht_sysreports_new(LHT_SYSREPORT_NONE);
        char out[40] = "";
        ck_assert_int_eq(lht_sysreports_see(h, cases[i].member, LHT_K_UNKNOWN), LHT_OK);
        ck_assert_int_eq(lht_sysreports_created(h, "input", out, sizeof out), cases[i].want != NULL);
        if (cases[i].want)
            ck_assert_str_eq(out, cases[i].want);
        lht_sysreports_free(h);
    }
}
END_TEST

static Suite *sysreport_suite(void)
{
    Suite *s = suite_create("sysreport");
    TCase *tc = tcase_create("sysreport");

    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, sos4_confirms_the_seed, 0, 2);
    tcase_add_loop_test(tc, sos4_links_and_duplicates, 0, 2);
    tcase_add_loop_test(tc, sos3_reads_and_says_what_is_missing, 0, 2);
    tcase_add_test(tc, sos_without_proc_tree);
    tcase_add_loop_test(tc, supportconfig_suspects_the_seed, 0, 2);
    tcase_add_test(tc, supportconfig_and_paste_confirm);
    tcase_add_test(tc, links_are_never_followed);
    tcase_add_test(tc, folder_links_are_never_followed);
    tcase_add_test(tc, node_fallbacks_and_numprocs_note);
    tcase_add_test(tc, report_roots_are_capped);
    tcase_add_loop_test(tc, sos_command_names, 0, (int)(sizeof names / sizeof names[0]));
    tcase_add_test(tc, kubernetes_plugin_nodes);
    tcase_add_test(tc, report_names_date_it);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(sysreport_suite)
