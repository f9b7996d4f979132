/* check_match.c - rule evaluation on hand-built facts (match.c): levels,
 * scopes, merging per node, evidence provenance, remediation choice and
 * placeholder expansion. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/match.h"
#include "rules/rules.h"
#include "testutil.h"
#include "tu_main.h"

static struct lht_ruleset *rs;
static struct lht_matcher *m;

static void setup(void)
{
    lht_err err;
    ck_assert_int_eq(lht_ruleset_load(tu_source("rules"), &rs, &err), LHT_OK);
    ck_assert_int_eq(lht_matcher_new(rs, &m, &err), LHT_OK);
}

static void teardown(void)
{
    lht_matcher_free(m);
    lht_ruleset_free(rs);
}

static const char *N = "node-1";
static const char *PS = "sb/nodes/node-1.zip!node-1/hostinfos/processes_info";
static const char *TR = "sb/transcript.txt";

static void add_proc(struct lht_facts *f, long pid, const char *stat, long line)
{
    struct lht_process p = {.at = {N, PS, line}, .pid = pid, .ppid = -1, .tid = -1, .user = "root",
                            .stat = stat,
                            .command = "/bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done;"};
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
}

static void add_stack(struct lht_facts *f, long pid, const char *const *syms, int n, long line)
{
    struct lht_stack s = {.at = {N, TR, line}, .pid = pid, .origin = LHT_STACK_PROC};
    int i;
    ck_assert_int_eq(lht_facts_add_stack(f, &s), LHT_OK);
    for (i = 0; i < n; i++) {
        struct lht_frame fr = {.line = line + i, .symbol = syms[i], .offset = "0x1/0x2", .module = "nfsv4"};
        ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    }
}

static void add_mount(struct lht_facts *f, const char *vers)
{
    char opts[128];
    struct lht_mount mo = {.at = {N, "sb/nodes/node-1.zip!node-1/hostinfos/proc_mounts", 4},
                           .origin = LHT_MOUNT_PROC,
                           .source = "10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e",
                           .target = "/var/lib/kubelet/x", .fstype = "nfs4", .nfs_vers = vers};
    snprintf(opts, sizeof opts, "rw,relatime,vers=%s,softerr", vers);
    mo.options = lht_facts_strz(f, opts);
    ck_assert_int_eq(lht_facts_add_mount(f, &mo), LHT_OK);
}

static void add_kv(struct lht_facts *f, const char *key, const char *value)
{
    struct lht_kv kv = {.at = {NULL, "sb/yamls/settings.yaml", 9}, .key = key, .value = value};
    ck_assert_int_eq(lht_facts_add_kv(f, &kv), LHT_OK);
}

static void add_sc(struct lht_facts *f, const char *nfsopt)
{
    struct lht_object o = {.at = {NULL, "sb/yamls/cluster/storage.k8s.io/v1/storageclasses.yaml", 3},
                           .kind = "StorageClass", .name = "longhorn-rwx"};
    struct lht_field f1 = {.line = 5, .path = "provisioner", .value = "driver.longhorn.io"};
    struct lht_field f2 = {.line = 7, .path = "parameters.nfsOptions", .value = nfsopt};
    struct lht_field f3 = {.line = 8, .path = "parameters.numberOfReplicas", .value = "1"};
    ck_assert_int_eq(lht_facts_add_object(f, &o), LHT_OK);
    ck_assert_int_eq(lht_facts_add_field(f, &f1), LHT_OK);
    ck_assert_int_eq(lht_facts_add_field(f, &f2), LHT_OK);
    ck_assert_int_eq(lht_facts_add_field(f, &f3), LHT_OK);
}

static const char *const seed_frames[] = {"nfs_set_open_stateid_locked", "update_open_stateid",
                                          "_nfs4_opendata_to_nfs4_state", "_nfs4_open_and_get_state",
                                          "nfs4_atomic_open", "nfs4_file_open", "do_dentry_open"};
static const char *const rpc_frames[] = {"rpc_wait_bit_killable", "__rpc_execute",
                                         "nfs4_run_open_task", "_nfs4_open_and_get_state",
                                         "nfs4_file_open"};

#define SEED "rwx-nfs4-open-state-hang"

/* Findings of rule id on f (after a run). */
static int count_rule(struct lht_facts *f, const char *id, const struct lht_finding **first)
{
    size_t n, i;
    int c = 0;
    const struct lht_finding *fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++)
        if (strcmp(fi[i].rule_id, id) == 0) {
            if (c++ == 0 && first)
                *first = &fi[i];
        }
    return c;
}

static const struct lht_finding *only_finding(struct lht_facts *f)
{
    const struct lht_finding *fi = NULL;
    lht_err err;
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, &fi), 1);
    return fi;
}

START_TEST(confirmed_with_evidence_and_v40_fix)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    const struct lht_evidence *ev;
    size_t n, i;
    int saw_stack = 0, saw_sibling = 0;
    add_proc(f, 123312, "Ss+", 17);
    add_proc(f, 123315, "Ds+", 18);
    add_stack(f, 123315, seed_frames, 7, 40);
    add_mount(f, "4.1");
    add_kv(f, "longhorn_version", "v1.10.1");
    add_sc(f, "vers=4.1,noresvport,softerr,timeo=600,retrans=5");
    fi = only_finding(f);
    ck_assert_str_eq(fi->rule_id, "rwx-nfs4-open-state-hang");
    ck_assert_str_eq(fi->confidence, "confirmed");
    ck_assert_int_eq(fi->pid, 123315);
    ck_assert_str_eq(fi->node, N);
    ck_assert_ptr_null(fi->next_steps);
    ck_assert_ptr_nonnull(strstr(fi->remediation, "name: longhorn-rwx-nfs40"));
    ck_assert_ptr_nonnull(strstr(fi->remediation, "nfsOptions: \"vers=4.0,noresvport,softerr,timeo=600,retrans=5\""));
    ck_assert_ptr_nonnull(strstr(fi->remediation, "numberOfReplicas: \"1\""));
    ck_assert_ptr_nonnull(strstr(fi->remediation, "Longhorn v1.10.1"));
    ev = lht_facts_evidence(f, &n);
    for (i = fi->first; i < fi->first + fi->nevidence; i++) {
        if (strcmp(ev[i].signal, "open_state_wait") == 0) {
            saw_stack = 1;
            ck_assert_str_eq(ev[i].at.member, TR);
            ck_assert_int_eq(ev[i].at.line, 40);   /* the nfs_set_open_stateid_locked frame */
            ck_assert_ptr_nonnull(strstr(ev[i].captures, "wait=nfs_set_open_stateid_locked"));
        }
        if (strcmp(ev[i].signal, "sibling_writer") == 0) {
            saw_sibling = 1;
            ck_assert_int_eq(ev[i].role, 1);
            ck_assert_int_eq(ev[i].at.line, 17);
        }
    }
    ck_assert(saw_stack);
    ck_assert(saw_sibling);
    lht_facts_free(f);
}
END_TEST

START_TEST(old_longhorn_gets_app_level_advice)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    add_proc(f, 123315, "D", 18);
    add_stack(f, 123315, seed_frames, 7, 40);
    add_kv(f, "longhorn_version", "v1.9.2");
    fi = only_finding(f);
    ck_assert_ptr_nonnull(strstr(fi->remediation, "cannot mount RWX volumes with\nNFSv4.0"));
    ck_assert_ptr_null(strstr(fi->remediation, "storageclass_fix"));
    lht_facts_free(f);
}
END_TEST

START_TEST(suspected_merges_pids_per_node)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    add_proc(f, 101, "D", 2);
    add_proc(f, 202, "Ds", 3);
    add_proc(f, 303, "S", 4);
    add_mount(f, "4.2");
    fi = only_finding(f);
    ck_assert_str_eq(fi->confidence, "suspected");
    ck_assert_str_eq(fi->pids, "101 202");
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "cat /proc/101/stack\n"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "cat /proc/202/stack\n"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "On node node-1"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "-p 101 202"));
    lht_facts_free(f);
}
END_TEST

/* A sibling shares the subject's `same:` field. Numeric fields are
 * formatted into a scratch buffer: when the subject's value borrowed the
 * buffer a sibling's was then written to, every process was its own
 * match and `same: pid` (which no other process can share) fired. */
#define SIBLING_RULE                                                                                   \
    "id: sib\ntitle: t\nseverity: info\ndescription: d\nsubject: process\n"                              \
    "signals:\n"                                                                                       \
    "  - name: d\n    fact: process\n    field: stat\n    pattern: '^D'\n"                               \
    "  - name: s\n    fact: process\n    field: stat\n    pattern: '^D'\n    scope: sibling\n    same: %s\n" \
    "levels:\n  - name: c\n    all: [d, s]\n"

/* pids of the findings rule `sib` gives on three D processes, two with
 * parent 1 and one with parent 2, as "a b" in pid order. */
static void sibling_pids(const char *same, char *out, size_t outsz)
{
    static const long pid[] = {10, 11, 12}, ppid[] = {1, 1, 2};
    struct lht_ruleset *srs;
    struct lht_matcher *sm;
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    char text[1024], path[512];
    size_t n, i, used = 0;
    int seen[3] = {0, 0, 0};
    lht_err err;

    snprintf(text, sizeof text, SIBLING_RULE, same);
    snprintf(path, sizeof path, "%s/sib.yaml", tu_tmpdir());
    ck_assert_int_eq(tu_write_file(path, text, strlen(text)), 0);
    *strrchr(path, '/') = '\0';
    ck_assert_msg(lht_ruleset_load(path, &srs, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_matcher_new(srs, &sm, &err), LHT_OK);
    for (i = 0; i < 3; i++) {
        struct lht_process p = {.at = {N, PS, (long)i + 2}, .pid = pid[i], .ppid = ppid[i], .tid = -1,
                                .user = "root", .stat = "D", .command = "writer"};
        ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    }
    ck_assert_int_eq(lht_matcher_run(sm, f, &err), LHT_OK);
    fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++)
        for (size_t k = 0; k < 3; k++) {
            char want[16];
            snprintf(want, sizeof want, "%ld", pid[k]);
            for (const char *q = fi[i].pids; q && (q = strstr(q, want)) != NULL; q++)
                if ((q == fi[i].pids || q[-1] == ' ') && (q[2] == '\0' || q[2] == ' '))
                    seen[k] = 1;
        }
    out[0] = '\0';
    for (i = 0; i < 3; i++)
        if (seen[i])
            used += (size_t)snprintf(out + used, outsz - used, "%s%ld", used ? " " : "", pid[i]);
    lht_facts_free(f);
    lht_matcher_free(sm);
    lht_ruleset_free(srs);
}

START_TEST(sibling_shares_the_same_field)
{
    char got[64];

    sibling_pids("ppid", got, sizeof got);
    ck_assert_str_eq(got, "10 11");     /* 12's parent is another */
    sibling_pids("pid", got, sizeof got);
    ck_assert_str_eq(got, "");          /* no other process has the subject's pid */
    sibling_pids("command", got, sizeof got);
    ck_assert_str_eq(got, "10 11 12");
}
END_TEST

START_TEST(lookalikes_do_not_fire)
{
    const struct lht_finding *other = NULL;
    lht_err err;
    struct lht_facts *f = lht_facts_new();
    add_proc(f, 88412, "D", 2);
    add_stack(f, 88412, rpc_frames, 5, 10);   /* server not answering */
    add_mount(f, "4.1");
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, NULL), 0);
    /* ... which is the other rule's business */
    ck_assert_int_eq(count_rule(f, "nfs-server-not-responding", &other), 1);
    ck_assert_str_eq(other->confidence, "suspected");
    ck_assert_str_eq(other->node, N);
    lht_facts_free(f);

    f = lht_facts_new();
    add_proc(f, 5120, "D", 2);
    add_mount(f, "4.0");                       /* healthy v4.0 only */
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, NULL), 0);
    lht_facts_free(f);
}
END_TEST

/* A sosreport's scale: thousands of processes, each with a stack, on
 * several nodes. Node-scoped signals answer per node, pid-scoped ones per
 * pid: the one writer whose stack waits in the open-state path is
 * confirmed, a D writer on a node without an NFSv4.1 mount is nothing,
 * and the sibling of the writer is found among them. */
START_TEST(many_subjects_on_many_nodes)
{
    static const char *const nodes[] = {"n-a", "n-b", "n-c"};
    static const char *const idle[] = {"hrtimer_nanosleep", "do_nanosleep", "do_syscall_64"};
    static const char *const cmd = "/bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done;";
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi = NULL;
    lht_err err;
    long pid;
    int k;

    for (k = 0; k < 3; k++)
        for (pid = 1000; pid < 2000; pid++) {
            int writer = pid == 1500 && k != 2, sibling = pid == 1501 && k == 0;
            struct lht_process p = {.at = {nodes[k], "sos/ps", pid}, .pid = pid, .ppid = -1, .tid = -1,
                                    .user = "root", .stat = writer ? "Ds" : "S",
                                    .command = writer || sibling ? cmd : "sleep 3600"};
            struct lht_stack st = {.at = {nodes[k], "sos/proc/stack", 1}, .pid = pid, .origin = LHT_STACK_PROC};
            int j, nfr = writer && k == 0 ? 7 : 3;
            ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
            if (writer && k == 1)
                continue;   /* n-b's writer: no stack, no NFSv4.1 mount: nothing to suspect */
            ck_assert_int_eq(lht_facts_add_stack(f, &st), LHT_OK);
            for (j = 0; j < nfr; j++) {
                struct lht_frame fr = {.line = 1 + j, .symbol = nfr == 7 ? seed_frames[j] : idle[j]};
                ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
            }
        }
    /* NFSv4.1 Longhorn mounts on n-a and n-c only */
    for (k = 0; k < 3; k += 2) {
        struct lht_mount mo = {.at = {nodes[k], "sos/proc/mounts", 4}, .origin = LHT_MOUNT_PROC,
                               .source = "10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e",
                               .target = "/var/lib/kubelet/x", .fstype = "nfs4", .options = "rw,vers=4.1",
                               .nfs_vers = "4.1"};
        ck_assert_int_eq(lht_facts_add_mount(f, &mo), LHT_OK);
    }
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, &fi), 1);
    ck_assert_str_eq(fi->confidence, "confirmed");
    ck_assert_str_eq(fi->node, "n-a");
    ck_assert_int_eq(fi->pid, 1500);
    {
        size_t n, i;
        const struct lht_evidence *ev = lht_facts_evidence(f, &n);
        int sib = 0;
        for (i = fi->first; i < fi->first + fi->nevidence; i++)
            if (strcmp(ev[i].signal, "sibling_writer") == 0 && ev[i].at.line == 1501 &&
                strcmp(ev[i].at.node, "n-a") == 0)
                sib++;
        ck_assert_int_eq(sib, 1);
    }
    lht_facts_free(f);
}
END_TEST

/* A stack pasted without ps is about one process: it gives the stack-only
 * level, whose next step is to confirm the D state with ps. */
START_TEST(stack_alone_is_likely)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    add_stack(f, 4242, seed_frames, 7, 40);
    add_mount(f, "4.1");
    fi = only_finding(f);
    ck_assert_str_eq(fi->confidence, "likely");
    ck_assert_int_eq(fi->pid, 4242);
    ck_assert_str_eq(fi->node, N);
    ck_assert_ptr_nonnull(fi->next_steps);
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "Confirm the D state with ps"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "ps -o pid,stat,wchan:32,cmd -p 4242"));
    lht_facts_free(f);

    /* a listing that shows the process running says it is not stuck */
    f = lht_facts_new();
    add_proc(f, 4242, "S", 3);
    add_stack(f, 4242, seed_frames, 7, 40);
    ck_assert_int_eq(lht_matcher_run(m, f, &(lht_err){0}), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, NULL), 0);
    lht_facts_free(f);
}
END_TEST

/* A stack pasted with no pid at all is still one process's: the
 * stack-only level, its next steps asking for what the paste did not say
 * (which node, which pid); it binds to no process of any node. */
START_TEST(stack_without_pid_is_likely)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    struct lht_process p = {.at = {N, "sb/nodes/node-1.zip!node-1/hostinfos/processes_info", 3}, .pid = 4242,
                            .ppid = -1, .tid = -1, .stat = "D", .command = "/bin/sh -c echo x >> /data/f"};
    struct lht_stack s = {.at = {NULL, "reply.txt", 1}, .pid = -1, .origin = LHT_STACK_PROC};
    size_t n, i;
    int k;

    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    ck_assert_int_eq(lht_facts_add_stack(f, &s), LHT_OK);
    for (k = 0; k < 6; k++) {
        struct lht_frame fr = {.line = 2 + k, .symbol = seed_frames[k]};
        ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    }
    ck_assert_int_eq(lht_matcher_run(m, f, &(lht_err){0}), LHT_OK);
    fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++)
        ck_assert_str_ne(fi[i].confidence, "confirmed");
    ck_assert_int_eq(count_rule(f, SEED, &fi), 1);
    ck_assert_str_eq(fi->confidence, "likely");
    ck_assert_int_eq(fi->pid, -1);
    ck_assert_ptr_null(fi->node);
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "on node <node>, run"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "-p <pid>\n"));
    ck_assert_ptr_nonnull(strstr(fi->next_steps, "cat /proc/<pid>/stack\n"));
    lht_facts_free(f);
}
END_TEST

static void add_row(struct lht_facts *f, const char *node, const char *member, long pid, const char *stat,
                    const char *cmd)
{
    struct lht_process p = {.at = {node, member, 2}, .pid = pid, .ppid = -1, .tid = -1, .stat = stat, .command = cmd};
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
}

static void add_loose_stack(struct lht_facts *f, const char *member, long pid)
{
    struct lht_stack s = {.at = {NULL, member, 1}, .pid = pid, .origin = LHT_STACK_PROC};
    int i;
    ck_assert_int_eq(lht_facts_add_stack(f, &s), LHT_OK);
    for (i = 0; i < 6; i++) {
        struct lht_frame fr = {.line = 1 + i, .symbol = seed_frames[i]};
        ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    }
}

/* A stack with no node names no node's pid 4242: it confirms neither
 * n1's writer nor n2's python app, only a process of its own paste. */
START_TEST(nodeless_stack_binds_within_its_member)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    const char *paste;
    size_t n, i;
    lht_err err;

    add_row(f, "n1", "sb/nodes/n1.zip!n1/hostinfos/processes_info", 4242, "D", "/bin/sh -c echo x >> /data/f");
    add_row(f, "n2", "sb/nodes/n2.zip!n2/hostinfos/processes_info", 4242, "D", "python3 /srv/app.py");
    add_loose_stack(f, "ticket/stack.txt", 4242);
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++)
        if (strcmp(fi[i].rule_id, SEED) == 0) {
            ck_assert_str_ne(fi[i].confidence, "confirmed");
            ck_assert_ptr_null(fi[i].node);   /* the loose stack's own subject */
            ck_assert_str_eq(fi[i].confidence, "likely");
        }
    ck_assert_int_eq(count_rule(f, SEED, NULL), 1);
    lht_facts_free(f);

    /* within one paste, the ps row and the stack are one process */
    f = lht_facts_new();
    paste = lht_facts_strz(f, "paste.txt");
    add_row(f, NULL, paste, 4242, "D", "/bin/sh -c echo x >> /data/f");
    add_loose_stack(f, paste, 4242);
    fi = only_finding(f);
    ck_assert_str_eq(fi->confidence, "confirmed");
    lht_facts_free(f);

    /* two inputs of a case may each hold a paste.txt: one's ps row and
     * the other's stack are not one piece of evidence */
    f = lht_facts_new();
    add_row(f, NULL, lht_facts_strz(f, "paste.txt"), 4242, "D", "/bin/sh -c echo x >> /data/f");
    add_loose_stack(f, lht_facts_strz(f, "paste.txt"), 4242);
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    fi = lht_facts_findings(f, &n);
    for (i = 0; i < n; i++)
        ck_assert_str_ne(fi[i].confidence, "confirmed");
    ck_assert_int_eq(count_rule(f, SEED, &fi), 1);   /* the stack alone (no mount makes the D row suspected) */
    ck_assert_str_eq(fi->confidence, "likely");
    lht_facts_free(f);
}
END_TEST

/* A signal is matched only when a level asks for it, and a scan stops
 * once the signal holds with all the evidence it keeps. Seen through the
 * one trace a match leaves: a pattern that gives up on a text (PCRE2's
 * match limit, a catastrophic '(a|aa)+$' on a's and a b) notes that text.
 * `slow` is asked for only for the D process (the first `all` fails for
 * the others), and `early`'s scan ends at its fourth match, before the
 * texts it would give up on. */
#define LAZY_RULE                                                                                      \
    "id: lazy\ntitle: t\nseverity: info\ndescription: d\nsubject: process\n"                             \
    "signals:\n"                                                                                       \
    "  - name: d\n    fact: process\n    field: stat\n    pattern: '^D'\n"                               \
    "  - name: slow\n    fact: process\n    field: command\n    pattern: '^(?:a|aa)+$'\n"                 \
    "  - name: early\n    fact: process\n    field: user\n    scope: same_node\n"                        \
    "    pattern: '^(?:x|(?:a|aa)+$)'\n"                                                               \
    "levels:\n  - name: c\n    all: [d, early]\n    none: [slow]\n"

static size_t gave_up(const struct lht_facts *f, const char *signal)
{
    size_t n, i, k = 0;
    const struct lht_note *x = lht_facts_notes(f, &n);

    for (i = 0; i < n; i++)
        k += strstr(x[i].msg, "pattern gave up") != NULL && strstr(x[i].msg, signal) != NULL;
    return k;
}

START_TEST(signals_run_only_when_needed)
{
    static char slow[64];
    struct lht_ruleset *lrs;
    struct lht_matcher *lm;
    struct lht_facts *f = lht_facts_new();
    char path[512];
    size_t n;
    long pid;
    lht_err err;

    memset(slow, 'a', sizeof slow - 2);
    slow[sizeof slow - 2] = 'b';
    snprintf(path, sizeof path, "%s/lazy.yaml", tu_tmpdir());
    ck_assert_int_eq(tu_write_file(path, LAZY_RULE, strlen(LAZY_RULE)), 0);
    *strrchr(path, '/') = '\0';
    ck_assert_msg(lht_ruleset_load(path, &lrs, &err) == LHT_OK, "%s", err.msg);
    ck_assert_int_eq(lht_matcher_new(lrs, &lm, &err), LHT_OK);
    for (pid = 100; pid < 110; pid++) {
        /* users x (4 of them) then the slow text; commands slow but for the D one */
        struct lht_process p = {.at = {N, PS, pid}, .pid = pid, .ppid = 1, .tid = -1,
                                .user = pid < 104 ? "x" : slow, .stat = pid == 105 ? "D" : "S",
                                .command = pid == 105 ? "sh" : slow};
        ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    }
    ck_assert_int_eq(lht_matcher_run(lm, f, &err), LHT_OK);
    ck_assert_int_eq(gave_up(f, "signal slow"), 0);    /* asked for pid 105 only, whose command is "sh" */
    ck_assert_int_eq(gave_up(f, "signal early"), 0);   /* four x users, then no further look */
    ck_assert_int_eq((int)lht_facts_findings(f, &n)->pid, 105);
    ck_assert_int_eq((int)n, 1);
    lht_facts_free(f);
    lht_matcher_free(lm);
    lht_ruleset_free(lrs);
}
END_TEST

static void add_outage(struct lht_facts *f, const char *outage)
{
    struct lht_klog k = {.at = {N, "sb/nodes/node-1.zip!node-1/logs/dmesg.log", 7}, .kind = "nfs_not_responding",
                         .server = "10.43.58.194", .text = "nfs: server 10.43.58.194 not responding, still trying",
                         .outage = outage};
    ck_assert_int_eq(lht_facts_add_klog(f, &k), LHT_OK);
}

/* A server outage the log shows over does not explain today's D writer;
 * one never followed by "OK" does, and is the other rule's finding. */
START_TEST(recovered_outage_does_not_suppress)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi, *other = NULL;
    lht_err err;

    add_proc(f, 123315, "D", 18);
    add_mount(f, "4.1");
    add_outage(f, "recovered");
    fi = only_finding(f);
    ck_assert_str_eq(fi->confidence, "suspected");
    lht_facts_free(f);

    f = lht_facts_new();
    add_proc(f, 123315, "D", 18);
    add_mount(f, "4.1");
    add_outage(f, "ongoing");
    ck_assert_int_eq(lht_matcher_run(m, f, &err), LHT_OK);
    ck_assert_int_eq(count_rule(f, SEED, NULL), 0);
    ck_assert_int_eq(count_rule(f, "nfs-server-not-responding", &other), 1);
    ck_assert_str_eq(other->confidence, "likely");
    lht_facts_free(f);
}
END_TEST

/* The D state a hung-task report or sysrq-w dump gives (a process row
 * the kernel-log parser records) confirms, with its trace. */
START_TEST(d_state_from_a_kernel_report)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_finding *fi;
    struct lht_process p = {.at = {N, "sb/nodes/node-1.zip!node-1/logs/messages", 10}, .pid = 31007,
                            .ppid = 31005, .tid = -1, .stat = "D", .command = "sh"};
    struct lht_stack s = {.at = {N, "sb/nodes/node-1.zip!node-1/logs/messages", 13}, .pid = 31007,
                          .origin = LHT_STACK_HUNG_TASK};
    int i;
    ck_assert_int_eq(lht_facts_add_process(f, &p), LHT_OK);
    ck_assert_int_eq(lht_facts_add_stack(f, &s), LHT_OK);
    for (i = 0; i < 6; i++) {
        struct lht_frame fr = {.line = 14 + i, .symbol = seed_frames[i]};
        ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    }
    fi = only_finding(f);
    ck_assert_str_eq(fi->confidence, "confirmed");
    ck_assert_int_eq(fi->pid, 31007);
    lht_facts_free(f);
}
END_TEST

static Suite *match_suite(void)
{
    Suite *s = suite_create("match");
    TCase *tc = tcase_create("seed");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, confirmed_with_evidence_and_v40_fix);
    tcase_add_test(tc, old_longhorn_gets_app_level_advice);
    tcase_add_test(tc, suspected_merges_pids_per_node);
    tcase_add_test(tc, lookalikes_do_not_fire);
    tcase_add_test(tc, many_subjects_on_many_nodes);
    tcase_add_test(tc, stack_alone_is_likely);
    tcase_add_test(tc, nodeless_stack_binds_within_its_member);
    tcase_add_test(tc, stack_without_pid_is_likely);
    tcase_add_test(tc, recovered_outage_does_not_suppress);
    tcase_add_test(tc, d_state_from_a_kernel_report);
    tcase_add_test(tc, sibling_shares_the_same_field);
    tcase_add_test(tc, signals_run_only_when_needed);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(match_suite)
