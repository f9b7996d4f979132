/*
 * gensos.c - write a large sosreport for benchmarks:
 *   gensos OUT.tar.xz PIDS [EXTRA]
 * Layout as sos 4.x writes it (fixtures/sosreport/README.md): one top
 * folder sosreport-<host>-<date>-<random>/, sorted members as python's
 * tarfile adds them, proc/<pid>/{status,stack} for PIDS processes (what
 * sos 4.2+ copies, with -k process.numprocs=0 past 2048), a `ps auxwwwm`
 * listing of them, the sos pid's mounts and the links sos stores. With
 * EXTRA, each pid also gets the cpuset, limits, oom_* and mountinfo files
 * sos copies too (one namespace: the same mountinfo text). Pid 4242 is
 * the seed writer: D in nfs_set_open_stateid_locked over NFSv4.1.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP "sosreport-bench-w1-2025-09-24-qhtcvbm/"
#define SEED 4242

static void add(struct archive *a, const char *name, const char *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, 1758697512, 0);
    archive_write_header(a, e);
    archive_write_data(a, data, len);
    archive_entry_free(e);
}

static void addz(struct archive *a, const char *name, const char *data)
{
    add(a, name, data, strlen(data));
}

static void link_to(struct archive *a, const char *name, const char *target)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFLNK);
    archive_entry_set_perm(e, 0777);
    archive_entry_set_symlink(e, target);
    archive_entry_set_mtime(e, 1758697512, 0);
    archive_write_header(a, e);
    archive_entry_free(e);
}

/* /proc/<pid>/status as fs/proc/array.c prints it (task_state and on). */
static int status(char *b, size_t sz, long pid, int seed)
{
    return snprintf(b, sz,
                    "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%ld\nNgid:\t0\nPid:\t%ld\nPPid:\t%ld\n"
                    "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0\nNStgid:\t%ld\n"
                    "NSpid:\t%ld\nNSpgid:\t%ld\nNSsid:\t%ld\nVmPeak:\t    4508 kB\nVmSize:\t    4508 kB\n"
                    "VmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t    1536 kB\nVmRSS:\t    1536 kB\n"
                    "RssAnon:\t     128 kB\nRssFile:\t    1408 kB\nRssShmem:\t       0 kB\nVmData:\t     360 kB\n"
                    "VmStk:\t     132 kB\nVmExe:\t      24 kB\nVmLib:\t    1580 kB\nVmPTE:\t      48 kB\n"
                    "VmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\nCoreDumping:\t0\nTHP_enabled:\t1\n"
                    "Threads:\t1\nSigQ:\t0/63353\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
                    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000004\nSigCgt:\t0000000000010002\n"
                    "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
                    "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                    "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n"
                    "Cpus_allowed:\tff\nCpus_allowed_list:\t0-7\nMems_allowed:\t00000001\n"
                    "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t%ld\nnonvoluntary_ctxt_switches:\t3\n",
                    seed ? "sh" : "sleep", seed ? "D (disk sleep)" : "S (sleeping)", pid, pid, pid - 1, pid, pid,
                    pid, pid, pid * 7 % 1000);
}

static const char seed_stack[] =
    "[<0>] nfs_set_open_stateid_locked+0x10a/0x180 [nfsv4]\n[<0>] update_open_stateid+0x9e/0x2c0 [nfsv4]\n"
    "[<0>] _nfs4_opendata_to_nfs4_state+0x11b/0x330 [nfsv4]\n[<0>] _nfs4_open_and_get_state+0x79/0x3a0 [nfsv4]\n"
    "[<0>] _nfs4_do_open.isra.0+0x180/0x5a0 [nfsv4]\n[<0>] nfs4_do_open+0xcc/0x1e0 [nfsv4]\n"
    "[<0>] nfs4_atomic_open+0xe9/0x100 [nfsv4]\n[<0>] nfs4_file_open+0x107/0x260 [nfsv4]\n"
    "[<0>] do_dentry_open+0x14f/0x3a0\n[<0>] path_openat+0x83e/0x1030\n[<0>] do_filp_open+0xa9/0x150\n"
    "[<0>] do_sys_openat2+0x9b/0x160\n[<0>] __x64_sys_openat+0x54/0xa0\n[<0>] do_syscall_64+0x5c/0x90\n"
    "[<0>] entry_SYSCALL_64_after_hwframe+0x72/0xdc\n";
static const char idle_stack[] =
    "[<0>] hrtimer_nanosleep+0x93/0x120\n[<0>] common_nsleep+0x44/0x50\n"
    "[<0>] __x64_sys_clock_nanosleep+0xbc/0x130\n[<0>] do_syscall_64+0x5c/0x90\n"
    "[<0>] entry_SYSCALL_64_after_hwframe+0x72/0xdc\n";

#define NFS_SRC "10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e"
#define NFS_TGT "/var/lib/kubelet/pods/3f9c2b1e/volumes/kubernetes.io~csi/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e/mount"
#define NFS_OPTS "rw,relatime,vers=4.1,rsize=1048576,wsize=1048576,namlen=255,softerr,noresvport,proto=tcp,timeo=600,retrans=5,sec=sys,addr=10.43.58.194"

static const char mountinfo[] =
    "24 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rhel-root rw,seclabel\n"
    "25 24 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "26 24 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw,seclabel\n"
    "2231 24 0:345 / " NFS_TGT " rw,relatime shared:1203 - nfs4 " NFS_SRC " " NFS_OPTS "\n";

/* proc/<pid>/ files in the order tarfile adds a sorted directory. */
static void add_pid(struct archive *a, long pid, int extra, char *buf, size_t sz)
{
    char name[256];

    if (extra) {
        snprintf(name, sizeof name, TOP "proc/%ld/cpuset", pid);
        addz(a, name, "/kubepods.slice\n");
        snprintf(name, sizeof name, TOP "proc/%ld/limits", pid);
        addz(a, name, "Limit                     Soft Limit           Hard Limit           Units     \n"
                      "Max open files            1048576              1048576              files     \n");
        snprintf(name, sizeof name, TOP "proc/%ld/mountinfo", pid);
        addz(a, name, mountinfo);
        snprintf(name, sizeof name, TOP "proc/%ld/oom_adj", pid);
        addz(a, name, "0\n");
        snprintf(name, sizeof name, TOP "proc/%ld/oom_score", pid);
        addz(a, name, "666\n");
        snprintf(name, sizeof name, TOP "proc/%ld/oom_score_adj", pid);
        addz(a, name, "0\n");
    }
    snprintf(name, sizeof name, TOP "proc/%ld/stack", pid);
    addz(a, name, pid == SEED ? seed_stack : idle_stack);
    snprintf(name, sizeof name, TOP "proc/%ld/status", pid);
    add(a, name, buf, (size_t)status(buf, sz, pid, pid == SEED));
}

/* `ps auxwwwm`: a process line (STAT -) and its thread line. */
static char *ps_listing(long pids, size_t *len)
{
    size_t cap = (size_t)pids * 256 + 4096, o = 0;
    char *b = malloc(cap);
    long i;

    o += (size_t)snprintf(b + o, cap - o, "USER         PID %%CPU %%MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n");
    for (i = 0; i < pids; i++) {
        long pid = 1000 + i * 7;
        int seed = i == 0;
        if (seed)
            pid = SEED;
        o += (size_t)snprintf(b + o, cap - o,
                              "root     %7ld  0.0  0.0   4508  1536 ?        -    06:41   0:00 %s\n"
                              "root           -  0.0    -      -     - -        %-4s 06:41   0:00 -\n",
                              pid, seed ? "/bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done"
                                        : "sleep 3600",
                              seed ? "Ds" : "S");
    }
    *len = o;
    return b;
}

int main(int argc, char **argv)
{
    struct archive *a;
    long pids, i, *order;
    int extra;
    size_t len;
    char buf[8192], *ps;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: gensos OUT.tar.xz PIDS [EXTRA]\n");
        return 2;
    }
    pids = atol(argv[2]);
    extra = argc == 4 && atoi(argv[3]) != 0;
    if (pids < 1)
        return 2;
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_xz(a);
    if (archive_write_open_filename(a, argv[1]) != ARCHIVE_OK) {
        fprintf(stderr, "gensos: %s\n", archive_error_string(a));
        return 1;
    }
    /* sos 4.5.2+ writes these first */
    addz(a, TOP "version.txt", "sos report: 4.10.0");
    addz(a, TOP "etc/hostname", "bench-w1\n");
    link_to(a, TOP "etc/os-release", "../usr/lib/os-release");
    link_to(a, TOP "hostname", "sos_commands/host/hostname");
    /* proc/<pid>/ for every pid, each folder in one run as tarfile adds it */
    order = malloc((size_t)pids * sizeof *order);
    for (i = 0; i < pids; i++)
        order[i] = i == 0 ? SEED : 1000 + i * 7;
    for (i = 0; i < pids; i++)
        add_pid(a, order[i], extra, buf, sizeof buf);
    free(order);
    addz(a, TOP "proc/900/mounts", "/dev/mapper/rhel-root / xfs rw,relatime 0 0\n" NFS_SRC " " NFS_TGT " nfs4 " NFS_OPTS " 0 0\n");
    link_to(a, TOP "proc/mounts", "self/mounts");
    link_to(a, TOP "proc/self", "900");
    link_to(a, TOP "ps", "sos_commands/process/ps_auxwwwm");
    addz(a, TOP "sos_commands/host/hostname", "bench-w1\n");
    addz(a, TOP "sos_commands/kernel/uname_-a",
         "Linux bench-w1 5.14.0-427.13.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Wed Apr 10 10:29:16 EDT 2024 x86_64 x86_64 x86_64 GNU/Linux\n");
    ps = ps_listing(pids, &len);
    add(a, TOP "sos_commands/process/ps_auxwwwm", ps, len);
    free(ps);
    addz(a, TOP "usr/lib/os-release", "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n");
    if (archive_write_close(a) != ARCHIVE_OK) {
        fprintf(stderr, "gensos: %s\n", archive_error_string(a));
        return 1;
    }
    archive_write_free(a);
    return 0;
}
