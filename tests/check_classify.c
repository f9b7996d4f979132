/* check_classify.c - member paths and content shapes (classify.c). */
#include <check.h>

#include "testutil.h"
#include "tu_main.h"
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "ingest/classify.h"

#define SB "supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2024-05-01T10-15-03Z/"

static const struct {
    const char *path;
    enum lht_kind kind;
    const char *node;
    long pid;
} paths[] = {
    {SB "nodes/worker-1.zip!worker-1/hostinfos/processes_info", LHT_K_PS, "worker-1", -1},
    {SB "nodes/worker-1.zip!worker-1/hostinfos/proc_mounts", LHT_K_PROC_MOUNTS, "worker-1", -1},
    {SB "nodes/worker-1.zip!worker-1/hostinfos/hostinfo", LHT_K_HOSTINFO, "worker-1", -1},
    {SB "nodes/worker-1.zip!worker-1/hostinfos/kernel_config", LHT_K_KERNEL_CONFIG, "worker-1", -1},
    {SB "nodes/worker-1.zip!worker-1/logs/dmesg.log", LHT_K_KERNEL_LOG, "worker-1", -1},
    {SB "nodes/worker-2.zip!worker-2/logs/messages-20240428", LHT_K_KERNEL_LOG, "worker-2", -1},
    {SB "nodes/worker-2.zip!worker-2/logs/syslog.2.gz", LHT_K_KERNEL_LOG, "worker-2", -1},
    {SB "nodes/worker-2.zip!worker-2/logs/kubelet.log", LHT_K_JOURNAL, "worker-2", -1},
    /* node zips unpacked in place by the engineer */
    {SB "nodes/worker-3/worker-3/hostinfos/processes_info", LHT_K_PS, "worker-3", -1},
    {SB "metadata.yaml", LHT_K_METADATA, "", -1},
    /* a bundle inside the ticket's own archive */
    {"ticket-4711.tar.gz!" SB "metadata.yaml", LHT_K_METADATA, "", -1},
    {"ticket-4711.tar.gz!" SB "nodes/worker-1.zip!worker-1/hostinfos/processes_info", LHT_K_PS, "worker-1", -1},
    {SB "nodes/worker-1.zip!worker-1/etc/metadata.yaml", LHT_K_UNKNOWN, "worker-1", -1},
    {SB "yamls/cluster/v1/nodes.yaml", LHT_K_K8S_YAML, "", -1},
    {SB "yamls/cluster/storage.k8s.io/v1/storageclasses.yaml", LHT_K_K8S_YAML, "", -1},
    {SB "yamls/namespaced/longhorn-system/longhorn.io/v1beta2/volumes.yaml", LHT_K_K8S_YAML, "", -1},
    {SB "yamls/namespaced/longhorn-system/longhorn.io/v1beta2/replicas.yaml", LHT_K_OTHER_YAML, "", -1},
    {SB "yamls/namespaced/kube-system/v1/pods.yaml", LHT_K_K8S_YAML, "", -1},   /* the volume walk's pods */
    {SB "yamls/namespaced/default/v1/persistentvolumeclaims.yaml", LHT_K_K8S_YAML, "", -1},
    {SB "yamls/namespaced/kube-system/v1/configmaps.yaml", LHT_K_OTHER_YAML, "", -1},
    {SB "logs/longhorn-system/share-manager-pvc-1/share-manager.log", LHT_K_SHARE_MANAGER_LOG, "", -1},
    {SB "logs/longhorn-system/longhorn-manager-4x7kq/longhorn-manager.log", LHT_K_POD_LOG, "", -1},
    {SB "logs/kube-system/coredns-1/coredns.log.1", LHT_K_POD_LOG, "", -1},
    {SB "bundleGenerationError.log", LHT_K_BUNDLE_ERRORS, "", -1},
    {"case-1234/proc/123315/stack", LHT_K_STACK, "", 123315},
    {"extra/nodes/worker-9/proc/77/task/78/stack.txt", LHT_K_STACK, "worker-9", 77},
    {"worker-1-mountinfo.txt", LHT_K_MOUNTINFO, "", -1},
    {"customer-transcript.txt", LHT_K_UNKNOWN, "", -1},
    {"notes/syslog-not-a-node-log.txt", LHT_K_UNKNOWN, "", -1},
};

START_TEST(path_table)
{
    char node[128];
    long pid;
    int fail = 0;
    enum lht_kind k = lht_classify_path(paths[_i].path, node, sizeof node, &pid, &fail);
    ck_assert_int_eq(fail, 0);
    ck_assert_msg(k == paths[_i].kind, "%s: got %s want %s", paths[_i].path, lht_kind_name(k),
                  lht_kind_name(paths[_i].kind));
    ck_assert_str_eq(node, paths[_i].node);
    ck_assert_int_eq(pid, paths[_i].pid);
}
END_TEST

static const struct {
    const char *text;
    uint64_t kinds;   /* bit per kind: a test-side shorthand, see the assert below */
} shapes[] = {
    {"[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n", (uint64_t)1 << LHT_K_STACK},
    {"USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n", (uint64_t)1 << LHT_K_PS},
    {"root      123315  0.0  0.0   4508  1536 pts/0    Ds+  Sep24   0:12 /bin/sh -c x\n",
     (uint64_t)1 << LHT_K_PS},
    {"root      4711  4700  0 10:01 ?        00:00:03 cp -a /data /mnt\n", (uint64_t)1 << LHT_K_PS},
    {"/mnt from 10.0.0.1:/pvc-1\n Flags: rw,vers=4.1,proto=tcp\n", (uint64_t)1 << LHT_K_MOUNTS_ANY},
    {"nas:/x on /mnt type nfs (rw,vers=3)\n", (uint64_t)1 << LHT_K_MOUNTS_ANY},
    {"10.0.0.1:/pvc-1 /mnt nfs4 rw,vers=4.2 0 0\n", (uint64_t)1 << LHT_K_MOUNTS_ANY},
    {"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n", (uint64_t)1 << LHT_K_MOUNTS_ANY},
    {"[12345.678901] INFO: task sh:1 blocked for more than 120 seconds.\n",
     (uint64_t)1 << LHT_K_KERNEL_LOG},
    {"Sep 24 06:58:02 host kernel: nfs: server 10.0.0.1 not responding, still trying\n",
     (uint64_t)1 << LHT_K_KERNEL_LOG},
    {"Linux host 5.15.0-105-generic #115-Ubuntu SMP x86_64 GNU/Linux\n", (uint64_t)1 << LHT_K_UNAME},
    {"PRETTY_NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n", (uint64_t)1 << LHT_K_OS_RELEASE},
    {"apiVersion: v1\nitems:\n- a: 1 2 3 4 5 6\n", (uint64_t)1 << LHT_K_K8S_YAML},
    {"[<0>] schedule+0x1/0x2\nroot 7 0.0 0.0 1 1 ? D Jan1 0:00 x\n",
     ((uint64_t)1 << LHT_K_STACK) | ((uint64_t)1 << LHT_K_PS)},
    {"Dear support, nothing to see here.\n", 0},
    {"", 0},
};

_Static_assert(LHT_K_COUNT <= 64, "widen the shapes table's kind bits");

START_TEST(content_shapes)
{
    struct lht_kindset set;
    uint64_t got = 0;
    int k, fail = 0;

    lht_classify_content(shapes[_i].text, strlen(shapes[_i].text), &set, &fail);
    ck_assert_int_eq(fail, 0);
    for (k = 0; k < LHT_K_COUNT; k++)
        if (lht_kindset_has(&set, k))
            got |= (uint64_t)1 << k;
    ck_assert_msg(got == shapes[_i].kinds, "case %d: got %#llx want %#llx", _i, (unsigned long long)got,
                  (unsigned long long)shapes[_i].kinds);
}
END_TEST

START_TEST(names_and_parsers)
{
    ck_assert_str_eq(lht_kind_name(LHT_K_PS), "ps");
    ck_assert_str_eq(lht_kind_name(LHT_K_KERNEL_LOG), "kernel_log");
    ck_assert_str_eq(lht_kind_name((enum lht_kind)999), "unknown");
    ck_assert_ptr_nonnull(lht_kind(LHT_K_STACK)->parse);
    ck_assert_ptr_null(lht_kind(LHT_K_POD_LOG)->parse);
    /* streaming is a property of the kind */
    ck_assert_ptr_nonnull(lht_kind(LHT_K_KERNEL_LOG)->stream_begin);
    ck_assert_ptr_null(lht_kind(LHT_K_PS)->stream_begin);
}
END_TEST

static Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tcase_create("tables");
    tcase_add_loop_test(tc, path_table, 0, (int)(sizeof paths / sizeof paths[0]));
    tcase_add_loop_test(tc, content_shapes, 0, (int)(sizeof shapes / sizeof shapes[0]));
    tcase_add_test(tc, names_and_parsers);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(classify_suite)
