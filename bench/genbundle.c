/*
 * genbundle.c - write realistic inputs for bench/run.sh.
 *
 *   genbundle [OPTIONS] OUT.zip      a support bundle
 *   genbundle --paste N OUT.txt      a pasted `ps aux` of N processes
 *
 * The bundle follows ../shared/docs/bundle-layout.md: one top folder,
 * yamls/, logs/<ns>/<pod>/<container>.log, and nodes/<node>.zip STORED in
 * the outer zip, each holding hostinfos (hostinfo, processes_info with
 * --procs rows, proc_mounts) and logs (dmesg.log, a syslog of --syslog-mb,
 * kubelet.log). The logs are trigger-dense where --triggers asks: per MiB,
 * that many NFS "not responding"/"OK" pairs, hung-task reports with their
 * call traces, and chatter that mentions NFS without being a trigger, so
 * the kernel-log parser does real work. Node 0 carries the seed case (a D
 * writer next to an NFSv4.1 share-manager mount) and a pasted stack.
 *
 * Members are written with data descriptors, as Go's archive/zip writes
 * them (the hard case for a streaming reader); --tree DIR writes the same
 * files as a folder instead, which bench/run.sh zips with Info-ZIP (no
 * data descriptors, .zip members stored), as support-bundle-kit does.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOP "supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2025-09-24T07-05-12Z"

struct opts {
    int nodes;
    size_t syslog_mb, pod_mb;
    int procs;          /* rows of processes_info per node */
    int triggers;       /* trigger events per MiB of kernel log */
    const char *tree;   /* write a folder instead of a zip */
};

/* ---- output: a zip (archive) or a folder (tree) ------------------------ */

struct out {
    struct archive *a;
    const char *tree;
};

static int mkdirs(const char *path)
{
    char p[4096];
    size_t i;

    snprintf(p, sizeof p, "%s", path);
    for (i = 1; p[i]; i++)
        if (p[i] == '/') {
            p[i] = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            p[i] = '/';
        }
    return 0;
}

static void add(struct out *o, const char *name, const char *data, size_t len)
{
    if (o->tree) {
        char p[4096];
        FILE *fp;
        snprintf(p, sizeof p, "%s/%s", o->tree, name);
        if (mkdirs(p) != 0 || (fp = fopen(p, "wb")) == NULL || fwrite(data, 1, len, fp) != len) {
            fprintf(stderr, "genbundle: %s: %s\n", p, strerror(errno));
            exit(1);
        }
        fclose(fp);
        return;
    }
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, 1758697512, 0);
    archive_write_header(o->a, e);
    archive_write_data(o->a, data, len);
    archive_entry_free(e);
}

/* ---- text -------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        if ((b->p = realloc(b->p, b->cap)) == NULL)
            exit(1);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static unsigned next(unsigned *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 4;
}

/* Plain kernel chatter: some of it names NFS and mounts, none of it is a
 * trigger the parser must act on. */
static int chatter(char *line, size_t sz, unsigned x)
{
    switch (x % 6) {
    case 0: return snprintf(line, sz, "IPv6: ADDRCONF(NETDEV_CHANGE): cali%05x: link becomes ready", x & 0xfffff);
    case 1: return snprintf(line, sz, "EXT4-fs (sdb): mounted filesystem %08x r/w with ordered data mode", x);
    case 2: return snprintf(line, sz, "TCP: request_sock_TCP: Possible SYN flooding on port %u. Sending cookies.", x & 0xffff);
    case 3: return snprintf(line, sz, "NFS: Registering the id_resolver key type");
    case 4: return snprintf(line, sz, "nfs4: Deprecated parameter 'intr' for mount of 10.43.%u.%u:/pvc-%08x", x % 250, (x >> 8) % 250, x);
    default: return snprintf(line, sz, "audit: type=1400 audit(%u.123:4): apparmor=\"STATUS\" operation=\"profile_replace\"", x);
    }
}

static void prefix(struct buf *b, unsigned x, int dmesg)
{
    char p[96];
    int k = dmesg ? snprintf(p, sizeof p, "kern  :info  : [Tue Sep 24 06:%02u:%02u 2025] ", x % 60, (x >> 6) % 60)
                  : snprintf(p, sizeof p, "Sep 24 06:%02u:%02u worker kernel: [%u.%06u] ", x % 60, (x >> 6) % 60,
                             x % 300000, (x >> 3) % 1000000);
    put(b, p, (size_t)k);
}

static void line(struct buf *b, unsigned x, int dmesg, const char *text)
{
    prefix(b, x, dmesg);
    put(b, text, strlen(text));
    put(b, "\n", 1);
}

static const char *const hung_trace[] = {
    "Call Trace:", " <TASK>", " __schedule+0x2d1/0x870", " schedule+0x55/0xf0", " io_schedule+0x46/0x70",
    " rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]", " __wait_on_bit+0x33/0xa0", " out_of_line_wait_on_bit+0x8d/0xb0",
    " nfs_wait_on_request+0x39/0x40 [nfs]", " nfs_writepage_setup+0x6e/0x190 [nfs]", " </TASK>",
};

/* One trigger event: a not-responding/OK pair or a hung-task report. */
static void trigger(struct buf *b, unsigned x, int dmesg)
{
    char t[256];
    size_t i;

    if (x % 3 != 0) {
        snprintf(t, sizeof t, "nfs: server 10.43.%u.%u not responding, still trying", x % 250, (x >> 8) % 250);
        line(b, x, dmesg, t);
        snprintf(t, sizeof t, "nfs: server 10.43.%u.%u OK", x % 250, (x >> 8) % 250);
        line(b, x + 7, dmesg, t);
        return;
    }
    snprintf(t, sizeof t, "INFO: task kworker/u16:%u:%u blocked for more than 122 seconds.", x % 9, 1000 + x % 60000);
    line(b, x, dmesg, t);
    line(b, x, dmesg, "      Not tainted 6.8.0-51-generic #52-Ubuntu");
    line(b, x, dmesg, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
    snprintf(t, sizeof t, "task:kworker/u16:%u state:D stack:0     pid:%u   ppid:2      flags:0x00004000", x % 9,
             1000 + x % 60000);
    line(b, x, dmesg, t);
    for (i = 0; i < sizeof hung_trace / sizeof hung_trace[0]; i++)
        line(b, x, dmesg, hung_trace[i]);
}

/* n bytes of kernel log, with `triggers` events per MiB spread evenly. */
static char *kernel_log(size_t n, int triggers, unsigned seed, int dmesg, size_t *len)
{
    struct buf b = {NULL, 0, 0};
    unsigned x = seed * 2654435761u + 1;
    size_t every = triggers > 0 ? (1u << 20) / (size_t)triggers : (size_t)-1, mark = every;
    char t[256];

    while (b.len < n) {
        unsigned r = next(&x);
        if (b.len >= mark) {
            trigger(&b, r, dmesg);
            mark += every;
            continue;
        }
        chatter(t, sizeof t, r);
        line(&b, r, dmesg, t);
    }
    *len = b.len;
    return b.p;
}

/* n bytes of kubelet journal or pod log lines */
static char *service_log(size_t n, int pod, unsigned seed, size_t *len)
{
    struct buf b = {NULL, 0, 0};
    unsigned x = seed * 2654435761u + 1;
    char t[512];

    while (b.len < n) {
        unsigned r = next(&x);
        int k = pod ? snprintf(t, sizeof t, "2025-09-24T06:%02u:%02u.%09uZ time=\"2025-09-24T06:58:00Z\" level=debug msg=\"Polling volume pvc-%08x replica status\" func=controller.(*EngineMonitor).sync file=\"engine_controller.go:%u\"\n",
                               r % 60, (r >> 6) % 60, r % 1000000000u, r, r % 2000)
                    : snprintf(t, sizeof t, "Sep 24 06:%02u:%02u.%06u worker containerd[812]: time=\"2025-09-24T06:58:00Z\" level=info msg=\"shim disconnected\" id=%08x%08x namespace=k8s.io\n",
                               r % 60, (r >> 6) % 60, r % 1000000, r, ~r);
        put(&b, t, (size_t)k);
    }
    *len = b.len;
    return b.p;
}

/* A `ps aux` table of n rows; with the seed writers when seed is set. */
static char *ps_table(int n, int seed, int header, size_t *len)
{
    /* command lines of a busy node; %u gets a per-row number */
    static const char *const cmds[] = {
        "/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ", "/pause ", "nginx: worker process ",
        "java -Xmx2g -jar /app/service-", "[kworker/", "/usr/local/bin/longhorn-instance-manager --debug daemon --listen ",
        "python3 /app/worker.py --queue q", "sleep "};
    struct buf b = {NULL, 0, 0};
    unsigned x = 42;
    char t[512], cmd[256];
    int i, k;

    static const char head[] = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n";

    if (header)
        put(&b, head, sizeof head - 1);
    for (i = 0; i < n; i++) {
        unsigned r = next(&x);
        snprintf(cmd, sizeof cmd, "%s%u", cmds[r % 8], r % 100000);
        k = snprintf(t, sizeof t, "root     %7d  0.%u  0.%u %7u %6u ?        %-4s Sep22   %u:%02u %s\n", 1000 + i * 7,
                     r % 10, (r >> 4) % 10, 4000 + r % 900000, 1000 + r % 90000, (r % 5) ? "Ssl" : "S", r % 60,
                     (r >> 6) % 60, cmd);
        put(&b, t, (size_t)k);
    }
    if (seed) {
        const char *w = "/bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done;";
        k = snprintf(t, sizeof t, "root      123312  0.1  0.0   4508  1536 pts/0    Ss+  Sep24   1:00 %s\n"
                                  "root      123315  0.0  0.0   4508  1536 pts/0    Ds+  Sep24   0:12 %s\n", w, w);
        put(&b, t, (size_t)k);
    }
    *len = b.len;
    return b.p;
}

/* ---- the bundle -------------------------------------------------------- */

static void node_members(struct out *o, const struct opts *op, int n, const char *node)
{
    char name[512], t[2048], *b;
    size_t len;

    snprintf(name, sizeof name, "%s/hostinfos/hostinfo", node);
    snprintf(t, sizeof t, "hostname : \n \t%s\nos-release : \n \tPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nsystem-info : \n \tLinux pod 6.8.0-51-generic #52-Ubuntu SMP x86_64 x86_64 x86_64 GNU/Linux\n", node);
    add(o, name, t, strlen(t));
    b = ps_table(op->procs, n == 0, 1, &len);
    snprintf(name, sizeof name, "%s/hostinfos/processes_info", node);
    add(o, name, b, len);
    free(b);
    snprintf(name, sizeof name, "%s/hostinfos/proc_mounts", node);
    snprintf(t, sizeof t, "/dev/vda1 / ext4 rw,relatime 0 0\n10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e /var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e/mount nfs4 rw,relatime,vers=4.1,softerr,addr=10.43.58.194 0 0\n");
    add(o, name, t, strlen(t));
    b = kernel_log(1u << 20, op->triggers, (unsigned)n, 1, &len);
    snprintf(name, sizeof name, "%s/logs/dmesg.log", node);
    add(o, name, b, len);
    free(b);
    b = kernel_log(op->syslog_mb * 1048576, op->triggers, (unsigned)n + 7, 0, &len);
    snprintf(name, sizeof name, "%s/logs/syslog", node);
    add(o, name, b, len);
    free(b);
    b = service_log(op->syslog_mb * 1048576 / 4, 0, (unsigned)n + 9, &len);
    snprintf(name, sizeof name, "%s/logs/kubelet.log", node);
    add(o, name, b, len);
    free(b);
}

/* A node zip in memory, or its folder under the tree. */
static void node(struct out *outer, const struct opts *op, int n)
{
    char nodename[64], name[512];
    struct out inner = {NULL, NULL};
    size_t cap = op->syslog_mb * 1048576 * 2 + (16u << 20), used = 0;
    char *zbuf;

    snprintf(nodename, sizeof nodename, "worker-%d", n);
    if (outer->tree) {
        /* run.sh zips nodes/<node>.zip.d into nodes/<node>.zip with Info-ZIP */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/" TOP "/nodes/%s.zip.d", outer->tree, nodename);
        inner.tree = dir;
        node_members(&inner, op, n, nodename);
        return;
    }
    if ((zbuf = malloc(cap)) == NULL)
        exit(1);
    inner.a = archive_write_new();
    archive_write_set_format_zip(inner.a);
    archive_write_set_bytes_in_last_block(inner.a, 1);
    archive_write_open_memory(inner.a, zbuf, cap, &used);
    node_members(&inner, op, n, nodename);
    archive_write_close(inner.a);
    archive_write_free(inner.a);
    /* .zip members are STORED, as Info-ZIP does */
    archive_write_zip_set_compression_store(outer->a);
    snprintf(name, sizeof name, TOP "/nodes/%s.zip", nodename);
    add(outer, name, zbuf, used);
    archive_write_zip_set_compression_deflate(outer->a);
    free(zbuf);
}

static void bundle(struct out *o, const struct opts *op)
{
    char name[512], t[2048], *b;
    size_t len;
    int i;

    snprintf(t, sizeof t, "bundlename: bench\nkubernetesversion: v1.31.4+rke2r1\nbundlecreatedat: \"2025-09-24T07:05:12Z\"\n");
    add(o, TOP "/metadata.yaml", t, strlen(t));
    snprintf(t, sizeof t, "apiVersion: v1\nitems:\n- apiVersion: longhorn.io/v1beta2\n  kind: Setting\n  metadata:\n    name: current-longhorn-version\n  value: v1.10.1\nkind: List\n");
    add(o, TOP "/yamls/namespaced/longhorn-system/longhorn.io/v1beta2/settings.yaml", t, strlen(t));
    for (i = 0; i < 8; i++) {
        b = service_log(op->pod_mb * 1048576 / 8, 1, (unsigned)i + 100, &len);
        snprintf(name, sizeof name, TOP "/logs/longhorn-system/longhorn-manager-%d/longhorn-manager.log", i);
        add(o, name, b, len);
        free(b);
    }
    for (i = 0; i < op->nodes; i++)
        node(o, op, i);
    snprintf(t, sizeof t, "root@worker-0:~# cat /proc/123315/stack\n[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n[<0>] update_open_stateid+0xa0/0x2b0 [nfsv4]\n[<0>] _nfs4_open_and_get_state+0x102/0x3d0 [nfsv4]\n[<0>] nfs4_file_open+0x172/0x2d0 [nfsv4]\n");
    add(o, TOP "/customer-transcript.txt", t, strlen(t));
}

static int usage(void)
{
    fprintf(stderr, "usage: genbundle [--nodes N] [--syslog-mb M] [--pod-mb M] [--procs N] [--triggers PER_MIB]\n"
                    "                 [--tree DIR] OUT.zip\n"
                    "       genbundle --paste N OUT.txt\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct opts op = {8, 48, 80, 1500, 40, NULL};
    struct out o = {NULL, NULL};
    int i, paste = -1;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--nodes") == 0) op.nodes = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--syslog-mb") == 0) op.syslog_mb = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--pod-mb") == 0) op.pod_mb = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--procs") == 0) op.procs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--triggers") == 0) op.triggers = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--tree") == 0) op.tree = argv[i + 1];
        else if (strcmp(argv[i], "--paste") == 0) paste = atoi(argv[i + 1]);
        else return usage();
    }
    if (i != argc - 1)
        return usage();
    if (paste >= 0) {
        /* a customer's `ps aux` of a busy node, as one paste */
        size_t len;
        char *b = ps_table(paste, 1, 1, &len);
        FILE *fp = fopen(argv[i], "wb");
        if (fp == NULL || fwrite(b, 1, len, fp) != len || fclose(fp) != 0) {
            fprintf(stderr, "genbundle: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        free(b);
        return 0;
    }
    if (op.tree) {
        o.tree = op.tree;
    } else {
        o.a = archive_write_new();
        archive_write_set_format_zip(o.a);
        archive_write_set_bytes_per_block(o.a, 1 << 16);
        if (archive_write_open_filename(o.a, argv[i]) != ARCHIVE_OK) {
            fprintf(stderr, "genbundle: %s\n", archive_error_string(o.a));
            return 1;
        }
    }
    bundle(&o, &op);
    if (o.a) {
        archive_write_close(o.a);
        archive_write_free(o.a);
    }
    return 0;
}
