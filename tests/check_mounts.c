/* check_mounts.c - mount tables, findmnt and nfsstat (parsers/mounts.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "facts/facts.h"
#include "testutil.h"
#include "tu_main.h"

typedef lht_parse_fn_t parse_fn;

#define MEMBER "nodes/worker-1.zip!worker-1/hostinfos/proc_mounts"

/* Run fn over len bytes of text ((size_t)-1: strlen) as a node member. */
static int run(parse_fn fn, const char *text, size_t len, long first, struct lht_facts **out)
{
    return tu_parse_mem(fn, text, len == (size_t)-1 ? strlen(text) : len, MEMBER, first, "worker-1", NULL, -1,
                        out);
}

#define NFS_OPTS                                                                                   \
    "rw,relatime,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,softerr,softreval,noresvport,"   \
    "proto=tcp,timeo=600,retrans=5,sec=sys,clientaddr=10.136.183.157,local_lock=none,"            \
    "addr=10.43.58.194"
#define PVC "pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e"
#define SRC "10.43.58.194:/" PVC
#define GLOBALMNT                                                                                  \
    "/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/"                              \
    "e42532d3c9e30f730ab0ce51f5edf6670b432b7d45ca2c3a4471e55f7761daee/globalmount"
#define PODMNT                                                                                     \
    "/var/lib/kubelet/pods/3f1020f3-65f8-42a9-87f4-cce97878c593/volumes/kubernetes.io~csi/" PVC   \
    "/mount"

/* One buffer, its parser, how many rows, and the fields of row `pick`
 * (options NULL: not checked). */
static const struct {
    const char *name;
    parse_fn fn;
    const char *text;
    long first;
    int rows, pick, origin;
    const char *source, *target, *fstype, *options, *vers;
    long line;
} cases[] = {
    {"bundle proc_mounts (Ubuntu 22.04, K3s, RWX volume)", lht_parse_proc_mounts,
     "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
     "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
     "/dev/sda1 / ext4 rw,relatime,discard,errors=remount-ro 0 0\n"
     "nfsd /proc/fs/nfsd nfsd rw,relatime 0 0\n"
     "tmpfs /var/lib/kubelet/pods/3f10/volumes/kubernetes.io~projected/kube-api-access-7xk2p tmpfs rw,relatime,size=3912148k 0 0\n"
     SRC " " GLOBALMNT " nfs4 " NFS_OPTS " 0 0\n",
     1, 6, 5, LHT_MOUNT_PROC, SRC, GLOBALMNT, "nfs4", NFS_OPTS, "4.1", 6},
    {"nfsd pseudo filesystem is not NFS", lht_parse_proc_mounts,
     "nfsd /proc/fs/nfsd nfsd rw,relatime 0 0\nsunrpc /run/rpc_pipefs rpc_pipefs rw,relatime 0 0\n", 1, 2,
     0, LHT_MOUNT_PROC, "nfsd", "/proc/fs/nfsd", "nfsd", "rw,relatime", NULL, 1},
    {"octal escapes in paths", lht_parse_proc_mounts,
     "/dev/sdb1 /mnt/my\\040disk\\011x ext4 rw,relatime 0 0\n", 1, 1, 0, LHT_MOUNT_PROC, "/dev/sdb1",
     "/mnt/my disk\tx", "ext4", "rw,relatime", NULL, 1},
    {"RHEL 6 kernel: vers=4,minorversion=1", lht_parse_proc_mounts,
     "nas01:/exports/data /data nfs4 rw,relatime,vers=4,minorversion=1,rsize=262144,wsize=262144,namlen=255,hard,proto=tcp,port=0,timeo=600,retrans=2,sec=sys,clientaddr=10.1.1.5,local_lock=none,addr=10.1.1.9 0 0\n",
     1, 1, 0, LHT_MOUNT_PROC, "nas01:/exports/data", "/data", "nfs4", NULL, "4.1", 1},
    {"RHEL 7 NFSv3 with mountvers=3", lht_parse_proc_mounts,
     "filer:/vol/home /home nfs rw,relatime,vers=3,rsize=65536,wsize=65536,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=10.0.0.7,mountvers=3,mountport=635,mountproto=udp,local_lock=none,addr=10.0.0.7 0 0\n",
     7, 1, 0, LHT_MOUNT_PROC, "filer:/vol/home", "/home", "nfs", NULL, "3", 7},
    {"IPv6 NFS server, CRLF", lht_parse_proc_mounts,
     "[fd00:10:43::c2]:/" PVC " /mnt/v6 nfs4 rw,relatime,vers=4.2,proto=tcp6 0 0\r\n", 1, 1, 0,
     LHT_MOUNT_PROC, "[fd00:10:43::c2]:/" PVC, "/mnt/v6", "nfs4", "rw,relatime,vers=4.2,proto=tcp6",
     "4.2", 1},
    {"mount (util-linux 2.37)", lht_parse_mount_cmd,
     "/dev/sda1 on / type ext4 (rw,relatime,discard,errors=remount-ro)\n"
     SRC " on " PODMNT " type nfs4 (" NFS_OPTS ")\n",
     1, 2, 1, LHT_MOUNT_CMD, SRC, PODMNT, "nfs4", NFS_OPTS, "4.1", 2},
    {"mount -l label, nfsvers=4.2 typed by hand", lht_parse_mount_cmd,
     "/dev/sda1 on / type ext4 (rw,relatime) [cloudimg-rootfs]\n"
     "nas:/backup on /mnt/backup type nfs (rw,nfsvers=4.2,hard)\n",
     20, 2, 0, LHT_MOUNT_CMD, "/dev/sda1", "/", "ext4", "rw,relatime", NULL, 20},
    {"mount: v3 with mountvers, nfs fstype", lht_parse_mount_cmd,
     "nas:/export on /mnt/backup type nfs (rw,relatime,vers=3,rsize=1048576,hard,proto=tcp,mountvers=3,mountproto=udp)\n",
     1, 1, 0, LHT_MOUNT_CMD, "nas:/export", "/mnt/backup", "nfs", NULL, "3", 1},
    {"busybox mount", lht_parse_mount_cmd,
     "rootfs on / type rootfs (rw)\noverlay on / type overlay (rw,relatime,lowerdir=/l,upperdir=/u,workdir=/w)\n"
     "10.43.1.7:/pvc-1 on /data type nfs4 (rw,relatime,vers=4.1,rsize=1048576,addr=10.43.1.7)\n",
     1, 3, 2, LHT_MOUNT_CMD, "10.43.1.7:/pvc-1", "/data", "nfs4", NULL, "4.1", 3},
    {"mount target with spaces (column -t output)", lht_parse_mount_cmd,
     "srv:/x  on  /mnt/my type dir  type  nfs4  (rw,vers=4.0)\n", 1, 1, 0, LHT_MOUNT_CMD, "srv:/x",
     "/mnt/my type dir", "nfs4", "rw,vers=4.0", "4.0", 1},
    {"BSD/macOS mount", lht_parse_mount_cmd,
     "nas:/export on /Volumes/nas (nfs, nodev, nosuid, mounted by admin)\n", 1, 1, 0, LHT_MOUNT_CMD,
     "nas:/export", "/Volumes/nas", "nfs", "nodev, nosuid, mounted by admin", NULL, 1},
    {"mountinfo (proc(5) example and a kubelet NFS mount)", lht_parse_mountinfo,
     "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
     "1423 29 0:310 / " PODMNT " rw,relatime shared:727 - nfs4 " SRC " " NFS_OPTS "\n",
     100, 2, 0, LHT_MOUNT_MOUNTINFO, "/dev/root", "/mnt2", "ext3", "rw,noatime,rw,errors=continue",
     NULL, 100},
    {"mountinfo NFS row, no optional fields", lht_parse_mountinfo,
     "61 25 0:52 / /mnt/my\\040share rw,relatime - nfs4 " SRC " " NFS_OPTS "\n", 1, 1, 0,
     LHT_MOUNT_MOUNTINFO, SRC, "/mnt/my share", "nfs4", "rw,relatime," NFS_OPTS, "4.1", 1},
    {"findmnt tree (UTF-8 glyphs)", lht_parse_mounts_any,
     "TARGET                              SOURCE                 FSTYPE     OPTIONS\n"
     "/                                   /dev/sda1              ext4       rw,relatime\n"
     "\xe2\x94\x9c\xe2\x94\x80/sys                              sysfs                  sysfs      rw,nosuid,nodev,noexec,relatime\n"
     "\xe2\x94\x82 \xe2\x94\x94\xe2\x94\x80/sys/kernel/security            securityfs             securityfs rw,nosuid,nodev,noexec,relatime\n"
     "\xe2\x94\x94\xe2\x94\x80/var/lib/kubelet/pods/x/mount     10.43.58.194:/pvc-1    nfs4       rw,relatime,vers=4.2,softerr\n",
     3, 4, 3, LHT_MOUNT_FINDMNT, "10.43.58.194:/pvc-1", "/var/lib/kubelet/pods/x/mount", "nfs4",
     "rw,relatime,vers=4.2,softerr", "4.2", 7},
    {"findmnt --ascii tree", lht_parse_mounts_any,
     "TARGET                 SOURCE        FSTYPE OPTIONS\n"
     "/                      /dev/vda3     xfs    rw,relatime,attr2\n"
     "|-/sys                 sysfs         sysfs  rw,nosuid\n"
     "| `-/sys/fs/bpf        bpf           bpf    rw,nosuid,mode=700\n"
     "`-/mnt/nfs             nas:/e        nfs    rw,relatime,vers=3\n",
     1, 4, 2, LHT_MOUNT_FINDMNT, "bpf", "/sys/fs/bpf", "bpf", "rw,nosuid,mode=700", NULL, 4},
    {"findmnt -l -t nfs4", lht_parse_mounts_any,
     "TARGET                          SOURCE              FSTYPE OPTIONS\n"
     "/var/lib/kubelet/pods/a/mount   10.43.9.9:/pvc-3    nfs4   rw,relatime,vers=4.1,softerr\n",
     1, 1, 0, LHT_MOUNT_FINDMNT, "10.43.9.9:/pvc-3", "/var/lib/kubelet/pods/a/mount", "nfs4",
     "rw,relatime,vers=4.1,softerr", "4.1", 2},
    {"findmnt -n row pasted after grep", lht_parse_mounts_any,
     "\xe2\x94\x94\xe2\x94\x80/data   10.43.9.9:/pvc-3 nfs4 rw,relatime,vers=4.2\n", 1, 1, 0,
     LHT_MOUNT_FINDMNT, "10.43.9.9:/pvc-3", "/data", "nfs4", "rw,relatime,vers=4.2", "4.2", 1},
    {"findmnt -P (util-linux 2.39)", lht_parse_mounts_any,
     "TARGET=\"/data\" SOURCE=\"nas:/e\" FSTYPE=\"nfs4\" OPTIONS=\"rw,relatime,vers=4.1\"\n", 1, 1, 0,
     LHT_MOUNT_FINDMNT, "nas:/e", "/data", "nfs4", "rw,relatime,vers=4.1", "4.1", 1},
    {"findmnt -o with an empty LABEL cell", lht_parse_mounts_any,
     "TARGET        SOURCE          FSTYPE LABEL           OPTIONS\n"
     "/             /dev/sda1       ext4   cloudimg-rootfs rw,relatime\n"
     "/mnt/share    nas:/export     nfs4                   rw,relatime,vers=4.2\n",
     1, 2, 1, LHT_MOUNT_FINDMNT, "nas:/export", "/mnt/share", "nfs4", "rw,relatime,vers=4.2", "4.2", 3},
    {"nfsstat --mount (the RWX hang ticket)", lht_parse_nfsstat,
     GLOBALMNT " from " SRC "\n Flags:\t" NFS_OPTS "\n\n"
     PODMNT " from " SRC "\n Flags:\t" NFS_OPTS "\n\n",
     40, 2, 1, LHT_MOUNT_NFSSTAT, SRC, PODMNT, "nfs4", NFS_OPTS, "4.1", 43},
    {"nfsstat -m, old nfs-utils, no blank lines, NFSv3", lht_parse_nfsstat,
     "/home from filer:/vol/home\n Flags:\trw,relatime,vers=3,rsize=65536,hard,proto=tcp,mountvers=3\n"
     "/scratch from filer:/vol/scratch\n Flags:  rw,vers=4.0,hard\n",
     1, 2, 0, LHT_MOUNT_NFSSTAT, "filer:/vol/home", "/home", "nfs", NULL, "3", 1},
    {"pasted mixed text: prompts, mount | grep nfs, /proc/mounts", lht_parse_mounts_any,
     "root@worker-1:~# mount | grep nfs\n"
     "nfsd on /proc/fs/nfsd type nfsd (rw,relatime)\n"
     SRC " on " PODMNT " type nfs4 (" NFS_OPTS ")\n"
     "root@worker-1:~# grep nfs /proc/mounts\n"
     SRC " " PODMNT " nfs4 " NFS_OPTS " 0 0\n"
     "the hang started after the upgrade\n",
     10, 3, 2, LHT_MOUNT_PROC, SRC, PODMNT, "nfs4", NFS_OPTS, "4.1", 14},
    /* ---- dresses of public pastes (fixtures/dresses/ cites each) ----- */
    {"nfsstat -m quoted: Flags at column 0, a tab after it", lht_parse_nfsstat,
     "/mnt/phil from kvm-demo-support.dev.cpanel.net:/volumes/kvm-demo\n"
     "Flags:\trw,relatime,vers=4.2,rsize=262144,hard,proto=tcp,addr=10.0.32.83\n",
     1, 1, 0, LHT_MOUNT_NFSSTAT, "kvm-demo-support.dev.cpanel.net:/volumes/kvm-demo", "/mnt/phil", "nfs4",
     "rw,relatime,vers=4.2,rsize=262144,hard,proto=tcp,addr=10.0.32.83", "4.2", 1},
    {"nfsstat -m options wrapped onto indented lines", lht_parse_mounts_any,
     "/mnt from klimt.ib.1015granger.net:/export/fast\n"
     " Flags:\trw,relatime,vers=3,rsize=1048576,hard,\n"
     "  fatal_neterrors=none,proto=rdma,port=20049,\n"
     "  local_lock=none,addr=192.168.2.55\n\n"
     "Linux morisot.1015granger.net 6.15.10-100.fc41.x86_64 #1 SMP\n",
     1, 1, 0, LHT_MOUNT_NFSSTAT, "klimt.ib.1015granger.net:/export/fast", "/mnt", "nfs",
     "rw,relatime,vers=3,rsize=1048576,hard,fatal_neterrors=none,proto=rdma,port=20049,local_lock=none,addr=192.168.2.55",
     "3", 1},
    {"nfsstat -m in docs that dropped TARGET from", lht_parse_mounts_any,
     "# Example from SITE 1, hana-s1-db1\nsapnfsafs.file.core.windows.net:/sapnfsafs/hn1-shared-s1\n"
     " Flags: rw,relatime,vers=4.1,hard,proto=tcp\n",
     1, 1, 0, LHT_MOUNT_NFSSTAT, "sapnfsafs.file.core.windows.net:/sapnfsafs/hn1-shared-s1", NULL, "nfs4",
     "rw,relatime,vers=4.1,hard,proto=tcp", "4.1", 2},
    {"findmnt -J, cut mid-document", lht_parse_mounts_any,
     "{\n   \"filesystems\": [\n      {\n         \"target\": \"/\",\n         \"source\": \"/dev/sda4\",\n"
     "         \"fstype\": \"ext3\",\n         \"options\": \"rw,noatime\",\n         \"children\": [\n"
     "            {\n               \"target\": \"/mnt/nfs\",\n               \"source\": \"srv:/x\",\n"
     "               \"fstype\": \"nfs4\",\n               \"options\": \"rw,vers=4.2\"\n            },{\n"
     "               \"target\": \"/proc\",\n",
     1, 2, 1, LHT_MOUNT_FINDMNT, "srv:/x", "/mnt/nfs", "nfs4", "rw,vers=4.2", "4.2", 10},
    {"findmnt | grep keeps the tree glyphs: not a /proc/mounts row", lht_parse_mounts_any,
     "\xe2\x94\x9c\xe2\x94\x80/hana/data   /dev/mapper/hana-lvol0   xfs   rw,relatime,attr2\n",
     1, 1, 0, LHT_MOUNT_FINDMNT, "/dev/mapper/hana-lvol0", "/hana/data", "xfs", "rw,relatime,attr2", NULL, 1},
    {"a mountinfo row quoted inline in prose", lht_parse_mounts_any,
     "A default nfs mount for me (mount info: `263 121 0:46 / /root/nfs rw,relatime - nfs4 "
     "192.168.122.80:/home/ubuntu rw,vers=4.2,hard`) results in:\n",
     1, 1, 0, LHT_MOUNT_MOUNTINFO, "192.168.122.80:/home/ubuntu", "/root/nfs", "nfs4", "rw,relatime,rw,vers=4.2,hard",
     "4.2", 1},
    {"a mountinfo row without optional fields", lht_parse_mounts_any,
     "36 35 98:0 /mnt1 /mnt2 rw,noatime - nfs4 srv:/e rw,vers=4.1\n",
     1, 1, 0, LHT_MOUNT_MOUNTINFO, "srv:/e", "/mnt2", "nfs4", NULL, "4.1", 1},
};

START_TEST(formats)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;
    int rc = run(cases[_i].fn, cases[_i].text, (size_t)-1, cases[_i].first, &f);

    m = lht_facts_mounts(f, &n);
    ck_assert_msg(rc == cases[_i].rows && n == (size_t)rc, "%s: rc %d, %zu rows", cases[_i].name,
                  rc, n);
    m += cases[_i].pick;
    ck_assert_int_eq(m->origin, cases[_i].origin);
    ck_assert_str_eq(m->source, cases[_i].source);
    if (cases[_i].target)
        ck_assert_str_eq(m->target, cases[_i].target);
    else
        ck_assert_ptr_null(m->target);
    ck_assert_str_eq(m->fstype, cases[_i].fstype);
    if (cases[_i].options)
        ck_assert_str_eq(m->options, cases[_i].options);
    if (cases[_i].vers)
        ck_assert_str_eq(m->nfs_vers, cases[_i].vers);
    else
        ck_assert_ptr_null(m->nfs_vers);
    ck_assert_int_eq(m->at.line, cases[_i].line);
    ck_assert_str_eq(m->at.node, "worker-1");
    ck_assert_str_eq(m->at.member, MEMBER);
    ck_assert_msg(tu_nnotes(f) == 0, "%s: %zu notes", cases[_i].name, tu_nnotes(f));
    lht_facts_free(f);
}
END_TEST

static const struct {
    const char *opts, *fstype, *want;
} vers[] = {
    {"rw,vers=4.1,addr=1", "nfs4", "4.1"},
    {"rw,nfsvers=4.2", "nfs4", "4.2"},
    {"rw,vers=3", "nfs", "3"},
    {"rw,nfsvers=3", "nfs", "3"},
    {"rw,relatime", "nfs4", "4"},
    {"rw,vers=4.1", "nfs", "4.1"},
    {"rw,vers=4,minorversion=1", "nfs4", "4.1"},
    {"rw,minorversion=2", "nfs4", "4.2"},
    {"rw,vers=4", "nfs4", "4"},
    {"rw,vers=4.0", "nfs4", "4.0"},
    {"rw,mountvers=3,vers=4.0", "nfs4", "4.0"},
    {"rw,mountvers=3,mountproto=udp", "nfs", NULL},
    {"rw,relatime", "nfs", NULL},
    {"rw,relatime", "ext4", NULL},
    {"rw,vers=3.0,cache=strict", "cifs", NULL},
    {"rw,vers=4.1", "nfsd", NULL},
    {"rw,xvers=4.1", "nfs4", "4"},
    {"rw,nfsversion=3", "nfs", NULL},
    {"upperdir=/data/vers=4.1", "nfs", NULL},
    {"rw,context=\"system_u:object_r:nfs_t:s0,vers=3\",vers=4.2", "nfs4", "4.2"},
    {"rw,vers=3,vers=4.1", "nfs", "4.1"},
    {"rw,vers=4.1x", "nfs4", "4"},
    {"rw,vers=", "nfs", NULL},
    {"nodev, nosuid, vers=3", "nfs", "3"},
    {"rw,vers=4.2,softerr", NULL, "4.2"},
    {"rw,relatime", NULL, NULL},
    {"", "nfs4", "4"},
};

START_TEST(nfs_version)
{
    char out[8];
    const char *got =
        lht_nfs_vers(vers[_i].opts, strlen(vers[_i].opts), vers[_i].fstype, out, sizeof out);

    if (vers[_i].want)
        ck_assert_str_eq(got, vers[_i].want);
    else
        ck_assert_ptr_null(got);
}
END_TEST

START_TEST(nfs_version_edges)
{
    char small[4], out[8];

    ck_assert_ptr_null(lht_nfs_vers("vers=4.1", 8, "nfs4", small, sizeof small));
    ck_assert_ptr_null(lht_nfs_vers(NULL, 0, "ext4", out, sizeof out));
    ck_assert_str_eq(lht_nfs_vers(NULL, 0, "nfs4", out, sizeof out), "4");
    /* the length bounds the scan: "vers=4.1" cut to "vers=4" */
    ck_assert_str_eq(lht_nfs_vers("vers=4.1", 6, "nfs", out, sizeof out), "4");
}
END_TEST

/* nfsstat has no fstype column: it comes from the version. */
START_TEST(nfsstat_fstype_and_lines)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;
    const char *t = "/a from s:/a\n Flags:\trw,vers=4.2\n/b from s:/b\n Flags:\trw,vers=3\n\n"
                    "/c from s:/c\n Flags:\trw,vers=2\n";

    ck_assert_int_eq(run(lht_parse_nfsstat, t, (size_t)-1, 5, &f), 3);
    m = lht_facts_mounts(f, &n);
    ck_assert_str_eq(m[0].fstype, "nfs4");
    ck_assert_str_eq(m[1].fstype, "nfs");
    ck_assert_str_eq(m[2].fstype, "nfs");
    ck_assert_int_eq(m[0].at.line, 5);
    ck_assert_int_eq(m[1].at.line, 7);
    ck_assert_int_eq(m[2].at.line, 10);
    ck_assert_str_eq(m[2].nfs_vers, "2");
    lht_facts_free(f);
}
END_TEST

/* A specific parser still reads a row of another shape, tagged by shape. */
START_TEST(foreign_shape_in_specific_parser)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;

    ck_assert_int_eq(run(lht_parse_proc_mounts, "nas:/x on /m type nfs (rw,vers=3)\n", (size_t)-1,
                         1, &f), 1);
    m = lht_facts_mounts(f, &n);
    ck_assert_int_eq(m[0].origin, LHT_MOUNT_CMD);
    lht_facts_free(f);
}
END_TEST

/* Cut-off and odd rows: a note on the right line, no row, no crash. */
static const struct {
    const char *name;
    parse_fn fn;
    const char *text;
    int rows;
    size_t notes;
    long note_line;   /* line of the first note, 0: no note */
} broken[] = {
    {"proc row cut after fstype", lht_parse_proc_mounts,
     "proc /proc proc rw 0 0\n10.43.1.2:/pvc-1 /var/lib/kubelet/x nfs4\n", 1, 1, 31},
    {"proc row cut after target", lht_parse_proc_mounts, "10.43.1.2:/pvc-1 /var/lib/kub", 0, 1, 30},
    {"proc row cut in options still counts", lht_parse_proc_mounts,
     "10.43.1.2:/pvc-1 /x nfs4 rw,relatime,vers=4.1,rsi", 1, 0, 0},
    {"mount row cut in options", lht_parse_mount_cmd,
     "nas:/e on /mnt type nfs4 (rw,relatime,vers=4.1,rsi\n", 0, 1, 30},
    {"mount row without options", lht_parse_mount_cmd, "nas:/e on /mnt type nfs4\n", 0, 1, 30},
    {"mountinfo row without super block part", lht_parse_mountinfo,
     "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3\n", 0, 1, 30},
    {"mountinfo row without separator", lht_parse_mountinfo,
     "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1\n", 0, 1, 30},
    {"nfsstat block without Flags: kept, noted", lht_parse_nfsstat,
     "/a from s:/a\n/b from s:/b\n Flags:\trw,vers=4.1\n", 2, 1, 30},
    {"nfsstat Flags without a mount line", lht_parse_nfsstat, " Flags:\trw,vers=4.1\n", 0, 1, 30},
    {"specific parser notes prose", lht_parse_proc_mounts, "no such file or directory\n", 0, 1, 30},
    {"any-shape parser ignores prose quietly", lht_parse_mounts_any,
     "root@h:~# mount | grep nfs\nPulled image from docker.io/longhornio/x:v1.9.2\n"
     "it is mounted on the node\n\n",
     0, 0, 0},
    {"any-shape parser notes a cut-off NFS row", lht_parse_mounts_any,
     "nas:/e /mnt/nas nfs4\n", 0, 1, 30},
    {"empty buffer", lht_parse_mounts_any, "", 0, 0, 0},
    {"only blank lines and comments", lht_parse_proc_mounts, "\n\r\n   \n# /etc/mtab\n", 0, 0, 0},
};

START_TEST(broken_rows)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_note *no;
    int rc = run(broken[_i].fn, broken[_i].text, (size_t)-1, 30, &f);

    ck_assert_msg(rc == broken[_i].rows, "%s: rc %d", broken[_i].name, rc);
    no = lht_facts_notes(f, &n);
    ck_assert_msg(n == broken[_i].notes, "%s: %zu notes", broken[_i].name, n);
    if (broken[_i].note_line) {
        ck_assert_int_eq(no[0].at.line, broken[_i].note_line);
        ck_assert_str_eq(no[0].at.member, MEMBER);
    }
    lht_facts_free(f);
}
END_TEST

START_TEST(nul_bytes)
{
    static const char t[] = "nas:/a /a nfs4 rw,vers=4.1 0 0\n"
                            "nas:/b /b\0x nfs4 rw,vers=4.1 0 0\n"
                            "\0\0\0\0\n"
                            "nas:/c /c nfs4 rw,vers=4.2 0 0\n";
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;

    ck_assert_int_eq(run(lht_parse_mounts_any, t, sizeof t - 1, 1, &f), 2);
    m = lht_facts_mounts(f, &n);
    ck_assert_str_eq(m[1].target, "/c");
    ck_assert_int_eq(m[1].at.line, 4);
    ck_assert_uint_eq(tu_nnotes(f), 2);
    lht_facts_free(f);
}
END_TEST

START_TEST(giant_line)
{
    size_t big = 100 * 1024, i;
    char *t = malloc(big + 64);
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;

    ck_assert_ptr_nonnull(t);
    memcpy(t, "nas:/x /x nfs4 rw,", 18);
    for (i = 18; i < big; i++)
        t[i] = 'a';
    strcpy(t + big, "\nnas:/y /y nfs4 rw,vers=4.1 0 0\n");
    ck_assert_int_eq(run(lht_parse_proc_mounts, t, strlen(t), 1, &f), 1);
    m = lht_facts_mounts(f, &n);
    ck_assert_str_eq(m[0].target, "/y");
    ck_assert_int_eq(m[0].at.line, 2);
    ck_assert_uint_eq(tu_nnotes(f), 1);
    lht_facts_free(f);
    /* a long path under the line cap still parses, escapes decoded */
    memcpy(t, "nas:/x /", 8);
    for (i = 8; i < 8000; i++)
        t[i] = (i % 2) ? 'p' : '/';
    strcpy(t + 8000, "\\040 nfs4 rw,vers=3 0 0");
    ck_assert_int_eq(run(lht_parse_proc_mounts, t, strlen(t), 1, &f), 1);
    m = lht_facts_mounts(f, &n);
    ck_assert_uint_eq(strlen(m[0].target), 7994);
    ck_assert_int_eq(m[0].target[7993], ' ');
    lht_facts_free(f);
    free(t);
}
END_TEST

START_TEST(garbage_notes_are_capped)
{
    size_t lines = 2000, i, n;
    char *t = malloc(lines * 8 + 1), *p = t;
    struct lht_facts *f;

    ck_assert_ptr_nonnull(t);
    for (i = 0; i < lines; i++)
        p += sprintf(p, "\xff\xfe%04zu\n", i % 10000);
    ck_assert_int_eq(run(lht_parse_proc_mounts, t, (size_t)(p - t), 1, &f), 0);
    lht_facts_notes(f, &n);
    ck_assert_uint_eq(n, 17);   /* 16 lines, then one summary */
    lht_facts_free(f);
    free(t);
}
END_TEST

/* Invalid UTF-8 and stray glyph bytes must not confuse the tree reader. */
START_TEST(invalid_utf8)
{
    static const char t[] = "TARGET SOURCE FSTYPE OPTIONS\n"
                            "\xe2\x94/x s nfs4 rw\n"
                            "\xe2/y s nfs4 rw\n"
                            "\xe2\x94\x94\xe2\x94\x80/z s nfs4 rw,vers=4.1\n"
                            "/caf\xc3\xa9 s\xff nfs4 rw\n"
                            "\xe2\x94";
    struct lht_facts *f;
    size_t n;
    const struct lht_mount *m;
    int rc = run(lht_parse_mounts_any, t, sizeof t - 1, 1, &f);

    m = lht_facts_mounts(f, &n);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(m[0].target, "/z");
    ck_assert_str_eq(m[1].target, "/caf\xc3\xa9");
    lht_facts_free(f);
}
END_TEST

/* Every prefix of a real paste: whatever the cut, no crash, no overread
 * (ASan), and never more rows than the whole text gives. */
START_TEST(every_truncation)
{
    static const char t[] =
        "TARGET SOURCE FSTYPE OPTIONS\n\xe2\x94\x94\xe2\x94\x80/d n:/e nfs4 rw,vers=4.1\n"
        "36 35 98:0 /a /b rw - nfs4 n:/e rw,vers=4.2\n"
        "n:/e on /c type nfs4 (rw,vers=4.0)\n/d from n:/e\n Flags:\trw,vers=4.1\n"
        "n:/e /e nfs4 rw,vers=3 0 0\nTARGET=\"/f\" SOURCE=\"n:/e\" FSTYPE=\"nfs\" OPTIONS=\"rw\"\n";
    parse_fn fns[] = {lht_parse_mounts_any, lht_parse_proc_mounts, lht_parse_mount_cmd,
                      lht_parse_mountinfo, lht_parse_nfsstat};
    size_t cut, k;

    for (k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        for (cut = 0; cut < sizeof t; cut++) {
            struct lht_facts *f;
            char *copy = malloc(cut ? cut : 1);   /* exact size: ASan sees overreads */
            int rc;
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, t, cut);
            rc = run(fns[k], copy, cut, 1, &f);
            ck_assert_int_ge(rc, 0);
            ck_assert_int_le(rc, 6);
            lht_facts_free(f);
            free(copy);
        }
    }
}
END_TEST

static Suite *mounts_suite(void)
{
    Suite *s = suite_create("mounts");
    TCase *tc;

    tc = tcase_create("formats");
    tcase_add_loop_test(tc, formats, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, nfsstat_fstype_and_lines);
    tcase_add_test(tc, foreign_shape_in_specific_parser);
    suite_add_tcase(s, tc);

    tc = tcase_create("nfs_version");
    tcase_add_loop_test(tc, nfs_version, 0, (int)(sizeof vers / sizeof vers[0]));
    tcase_add_test(tc, nfs_version_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_loop_test(tc, broken_rows, 0, (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, nul_bytes);
    tcase_add_test(tc, giant_line);
    tcase_add_test(tc, garbage_notes_are_capped);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(mounts_suite)
