/* check_mountstats.c - /proc/<pid>/mountstats and mountstats(8) in every
 * dress (parsers/mountstats.c): the sos copy, a pasted `cat`, indentation
 * turned to spaces or stripped, grep'd device lines, the tool's report. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "testutil.h"
#include "tu_main.h"

#define PVC "pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e"
#define SRC "10.43.58.194:/" PVC
#define TGT "/var/lib/kubelet/pods/3f9c2b1e-7a4d-4c8e-9b21-5d6e7f8a9b0c/volumes/kubernetes.io~csi/" PVC "/mount"
#define OPTS                                                                                        \
    "rw,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,acregmin=3,acregmax=60,acdirmin=30,"      \
    "acdirmax=60,softerr,noresvport,proto=tcp,timeo=600,retrans=5,sec=sys,clientaddr=10.0.12.21," \
    "local_lock=none"

/* The kernel's layout (fs/proc_namespace.c, fs/nfs/super.c): TABs. */
#define KERNEL_BLOCK                                                                               \
    "device " SRC " mounted on " TGT " with fstype nfs4 statvers=1.1\n"                             \
    "\topts:\t" OPTS "\n"                                                                           \
    "\tage:\t1424\n"                                                                                \
    "\timpl_id:\tname='',domain='',date='0,0'\n"                                                   \
    "\tcaps:\tcaps=0x3ffbffff,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n"                      \
    "\tnfsv4:\tbm0=0xfdffbfff,bm1=0x40f9be3e,bm2=0x60803,acl=0x0,sessions,pnfs=not configured\n"  \
    "\tsec:\tflavor=1,pseudoflavor=1\n"                                                            \
    "\tevents:\t52 1204 0 11 61 18 1370 402 0 3 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0\n"             \
    "\tbytes:\t0 208340 0 0 0 208340 0 0\n"                                                        \
    "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"                                            \
    "\txprt:\ttcp 0 0 2 0 11 3307 3307 0 3307 0 2 0 1\n"                                           \
    "\tper-op statistics\n"                                                                        \
    "\t        NULL: 1 1 0 44 24 0 0 0 0\n"                                                        \
    "\t        OPEN: 419 420 1 121511 180170 2 903 61904 1\n"                                      \
    "\n"

static const struct {
    const char *name, *member, *text;
    int mounts;          /* mount rows */
    int pick;            /* the row checked */
    const char *source, *target, *fstype, *options, *vers;
    long line;
} cases[] = {
    {"sos copy of /proc/self/mountstats (TABs), non-NFS devices too",
     "sosreport-w1/proc/231877/mountstats",
     "device /dev/mapper/rhel-root mounted on / with fstype xfs\n"
     "device proc mounted on /proc with fstype proc\n" KERNEL_BLOCK
     "device 10.43.1.9:/pvc-1 mounted on /mnt/x with fstype nfs statvers=1.1\n"
     "\topts:\trw,vers=3,rsize=1048576,proto=tcp,mountvers=3\n",
     4, 2, SRC, TGT, "nfs4", OPTS, "4.1", 3},
    {"pasted `cat /proc/self/mountstats` after a prompt", "case/paste.txt",
     "root@rke2-w1:~# cat /proc/self/mountstats\n"
     "device sysfs mounted on /sys with fstype sysfs\n" KERNEL_BLOCK "root@rke2-w1:~# \n",
     2, 1, SRC, TGT, "nfs4", OPTS, "4.1", 3},
    {"TABs turned to spaces (statvers=1.0, NFSv3)", "case/issue.txt",
     "$ cat /proc/self/mountstats\n"
     "device rpc_pipefs mounted on /var/lib/nfs/rpc_pipefs with fstype rpc_pipefs\n"
     "device 10.0.0.1:/var/lib/somedata mounted on /var/lib/somedata with fstype nfs statvers=1.0\n"
     "        opts:   rw,vers=3,rsize=262144,wsize=262144,namlen=255,soft,proto=tcp,timeo=600,retrans=2\n"
     "        age:    8808327\n"
     "        per-op statistics\n"
     "                NULL: 0 0 0 0 0 0 0 0\n",
     2, 1, "10.0.0.1:/var/lib/somedata", "/var/lib/somedata", "nfs",
     "rw,vers=3,rsize=262144,wsize=262144,namlen=255,soft,proto=tcp,timeo=600,retrans=2", "3", 3},
    {"indentation stripped (a Q&A mirror)", "sosreport-w1/proc/self/mountstats",
     "device IPADRESS:/mountpoint mounted on /mnt/mountpoint with fstype nfs4 statvers=1.0\n"
     "opts: rw,vers=4,rsize=1048576,wsize=1048576,hard,proto=tcp,timeo=600,retrans=2,sec=sys\n"
     "age: 77663\n"
     "per-op statistics\n"
     "OPEN: 1168845 1168845 0 292577612 554554444 430040 628900 1229990\n",
     1, 0, "IPADRESS:/mountpoint", "/mnt/mountpoint", "nfs4",
     "rw,vers=4,rsize=1048576,wsize=1048576,hard,proto=tcp,timeo=600,retrans=2,sec=sys", "4", 1},
    {"grep keeps the device lines: a mount without options", "case/grep.txt",
     "$ cat /proc/self/mountstats | grep -E 'fstype nfs|sunrpc-id'\n"
     "device 192.168.40.7:/opt/export mounted on /mnt/export with fstype nfs statvers=1.1\n"
     "sunrpc-id: 4\n",
     1, 0, "192.168.40.7:/opt/export", "/mnt/export", "nfs", NULL, NULL, 2},
    {"device and opts lines grep'd together, CRLF", "case/crlf.txt",
     "device " SRC " mounted on " TGT " with fstype nfs4 statvers=1.1\r\n"
     "\topts:\t" OPTS "\r\n",
     1, 0, SRC, TGT, "nfs4", OPTS, "4.1", 1},
    {"mount point escaped like /proc/mounts; no device", "sosreport-w1/proc/1/mountstats",
     "no device mounted on /run/x with fstype tmpfs\n"
     "device nas:/share\\040one mounted on /mnt/share\\040one with fstype nfs4 statvers=1.1\n"
     "\topts:\trw,vers=4.2,proto=tcp\n",
     2, 1, "nas:/share one", "/mnt/share one", "nfs4", "rw,vers=4.2,proto=tcp", "4.2", 2},
    {"mountstats(8) -n: Stats for ... / NFS mount options (sos 4.7.1+)", "sosreport-w1/sos_commands/nfs/mountstats_-n",
     "Stats for " SRC " mounted on " TGT ":\n"
     "  NFS mount options: " OPTS "\n"
     "  NFS mount age: 0:23:44\n"
     "  NFS server capabilities: caps=0x3ffbffff,wtmult=512,dtsize=1048576,bsize=0,namlen=255\n"
     "  NFSv4 capability flags: bm0=0xfdffbfff,bm1=0x40f9be3e,bm2=0x60803,acl=0x0,sessions\n"
     "  NFS security flavor: 1  pseudoflavor: 1\n"
     "\n"
     "Stats for 10.43.1.9:/pvc-2 mounted on /mnt/y:\n"
     "  RPC statistics:\n",
     1, 0, SRC, TGT, "nfs4", OPTS, "4.1", 1},
    {"pasted mountstats(8)", "case/tool.txt",
     "[root@w1 ~]# mountstats " TGT "\n"
     "Stats for " SRC " mounted on " TGT ":\n"
     "  NFS mount options: " OPTS "\n",
     1, 0, SRC, TGT, "nfs4", OPTS, "4.1", 2},
    {"prose naming a device is not a mount", "case/prose.txt",
     "The device sdb mounted on boot, but the customer says NFS hangs.\n"
     "Stats for the week mounted on a dashboard:\n",
     0, 0, NULL, NULL, NULL, NULL, NULL, 0},
};

START_TEST(dresses)
{
    struct lht_facts *f = lht_facts_new();
    const struct lht_mount *m;
    size_t n, i, nm = 0;
    lht_err err;

    lht_err_clear(&err);
    ck_assert_int_eq(lht_extract_text(f, cases[_i].member, cases[_i].text, strlen(cases[_i].text), &err), LHT_OK);
    m = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++)
        nm += m[i].origin == LHT_MOUNT_MOUNTSTATS;
    ck_assert_msg((int)nm == cases[_i].mounts, "%s: %zu mountstats rows of %zu", cases[_i].name, nm, n);
    if (cases[_i].mounts > 0) {
        const struct lht_mount *r = &m[cases[_i].pick];
        ck_assert_int_eq(r->origin, LHT_MOUNT_MOUNTSTATS);
        ck_assert_str_eq(r->source, cases[_i].source);
        ck_assert_str_eq(r->target, cases[_i].target);
        ck_assert_str_eq(r->fstype, cases[_i].fstype);
        if (cases[_i].options)
            ck_assert_str_eq(r->options, cases[_i].options);
        else
            ck_assert_ptr_null(r->options);
        if (cases[_i].vers)
            ck_assert_str_eq(r->nfs_vers, cases[_i].vers);
        else
            ck_assert_ptr_null(r->nfs_vers);
        ck_assert_int_eq(r->at.line, cases[_i].line);
        ck_assert_str_eq(r->at.member, cases[_i].member);
    }
    lht_facts_free(f);
}
END_TEST

/* The options are split like every mount's: rules see vers=4.1 as a key. */
START_TEST(options_are_split)
{
    struct lht_facts *f;
    const struct lht_mount_option *o;
    size_t n, i;
    int vers = 0;

    ck_assert_int_eq(tu_parse(lht_parse_mountstats, KERNEL_BLOCK, 1, "w1", NULL, -1, &f), 1);
    o = lht_facts_mount_options(f, &n);
    for (i = 0; i < n; i++)
        if (strcmp(o[i].key, "vers") == 0 && o[i].value && strcmp(o[i].value, "4.1") == 0)
            vers++;
    ck_assert_int_eq(vers, 1);
    ck_assert_str_eq(lht_facts_mounts(f, &n)[0].at.node, "w1");
    lht_facts_free(f);
}
END_TEST

/* A device line cut off mid-way is noted, not taken for a mount; garbage
 * and NUL bytes break nothing. */
START_TEST(broken_text)
{
    static const char cut[] = "device 10.43.58.194:/pvc-1 mounted on /var/lib/x with\n";
    static const char nul[] = "device a mounted on /b with fstype nfs4\0x\n\topts:\trw,vers=4.1\n";
    struct lht_facts *f;

    ck_assert_int_eq(tu_parse(lht_parse_mountstats, cut, 1, NULL, NULL, -1, &f), 0);
    ck_assert_int_eq((int)tu_nnotes(f), 1);
    lht_facts_free(f);
    ck_assert_int_ge(tu_parse_mem(lht_parse_mountstats, nul, sizeof nul - 1, "m", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_mountstats, "", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *mountstats_suite(void)
{
    Suite *s = suite_create("mountstats");
    TCase *tc = tcase_create("mountstats");

    tcase_add_loop_test(tc, dresses, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, options_are_split);
    tcase_add_test(tc, broken_text);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(mountstats_suite)
