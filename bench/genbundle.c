/*
 * genbundle.c - write a large, realistic support bundle for benchmarks:
 *   genbundle OUT.zip NODES MB_SYSLOG_PER_NODE MB_PODLOGS
 * Layout as support-bundle-kit writes it (../shared/docs/bundle-layout.md):
 * one top folder, yamls/, logs/<ns>/<pod>/<container>.log (MB_PODLOGS in
 * all), and nodes/<node>.zip STORED in the outer zip, each holding
 * hostinfos (hostinfo, processes_info, proc_mounts) and logs (dmesg.log,
 * syslog of MB_SYSLOG_PER_NODE, kubelet.log). Node 0 carries the seed case
 * (a D writer next to an NFSv4.1 share-manager mount) and a pasted stack.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP "supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2025-09-24T07-05-12Z"

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

/* n bytes of log lines in the style of the member (syslog, klog, kubelet) */
static char *lines(size_t n, int style, unsigned seed, size_t *len)
{
    char *b = malloc(n + 512), line[512];
    size_t o = 0;
    unsigned x = seed * 2654435761u + 1;
    while (o < n) {
        int k;
        x = x * 1103515245u + 12345u;
        if (style == 0) {
            k = snprintf(line, sizeof line, "Sep 24 06:%02u:%02u node kernel: [%u.%06u] ", (x >> 8) % 60,
                         (x >> 16) % 60, x % 300000, (x >> 3) % 1000000);
            switch ((x >> 20) % 4) {
            case 0: k += snprintf(line + k, sizeof line - (size_t)k, "IPv6: ADDRCONF(NETDEV_CHANGE): cali%05x: link becomes ready", x & 0xfffff); break;
            case 1: k += snprintf(line + k, sizeof line - (size_t)k, "EXT4-fs (sdb): mounted filesystem %08x r/w with ordered data mode", x); break;
            case 2: k += snprintf(line + k, sizeof line - (size_t)k, "TCP: request_sock_TCP: Possible SYN flooding on port %u. Sending cookies.", x & 0xffff); break;
            default: k += snprintf(line + k, sizeof line - (size_t)k, "audit: type=1400 audit(%u.123:4): apparmor=\"STATUS\" operation=\"profile_replace\"", x); break;
            }
        } else if (style == 1) {
            k = snprintf(line, sizeof line, "Sep 24 06:%02u:%02u.%06u node containerd[812]: time=\"2025-09-24T06:58:00Z\" level=info msg=\"shim disconnected\" id=%08x%08x namespace=k8s.io",
                         (x >> 8) % 60, (x >> 16) % 60, x % 1000000, x, ~x);
        } else {
            k = snprintf(line, sizeof line, "2025-09-24T06:%02u:%02u.%09uZ time=\"2025-09-24T06:58:00Z\" level=debug msg=\"Polling volume pvc-%08x replica status\" func=controller.(*EngineMonitor).sync file=\"engine_controller.go:%u\"",
                         (x >> 8) % 60, (x >> 16) % 60, x % 1000000000u, x, x % 2000);
        }
        line[k++] = '\n';
        memcpy(b + o, line, (size_t)k);
        o += (size_t)k;
    }
    *len = o;
    return b;
}

static const char ps_head[] =
    "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
    "root           1  0.0  0.1 167744 13124 ?        Ss   Sep22   0:41 /sbin/init\n"
    "root        1290  0.3  0.6 1924712 99820 ?       Ssl  Sep22   9:41 longhorn-manager -d daemon\n"
    "root      123312  0.1  0.0   4508  1536 pts/0    Ss+  Sep24   1:00 /bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done;\n"
    "root      123315  0.0  0.0   4508  1536 pts/0    ";
static const char ps_tail[] = "  Sep24   0:12 /bin/sh -c while true; do echo x >> /data/index.html; sleep 1; done;\n";

int main(int argc, char **argv)
{
    struct archive *outer;
    int nodes, n;
    size_t syslog_mb, pod_mb, len, i;
    char name[512], buf[4096];

    if (argc != 5) {
        fprintf(stderr, "usage: genbundle OUT.zip NODES MB_SYSLOG_PER_NODE MB_PODLOGS\n");
        return 2;
    }
    nodes = atoi(argv[2]);
    syslog_mb = strtoul(argv[3], NULL, 10);
    pod_mb = strtoul(argv[4], NULL, 10);
    outer = archive_write_new();
    archive_write_set_format_zip(outer);
    archive_write_set_bytes_per_block(outer, 1 << 16);
    if (archive_write_open_filename(outer, argv[1]) != ARCHIVE_OK) {
        fprintf(stderr, "genbundle: %s\n", archive_error_string(outer));
        return 1;
    }
    snprintf(buf, sizeof buf, "bundlename: bench\nkubernetesversion: v1.31.4+rke2r1\nbundlecreatedat: \"2025-09-24T07:05:12Z\"\n");
    add(outer, TOP "/metadata.yaml", buf, strlen(buf));
    snprintf(buf, sizeof buf, "apiVersion: v1\nitems:\n- apiVersion: longhorn.io/v1beta2\n  kind: Setting\n  metadata:\n    name: current-longhorn-version\n  value: v1.10.1\nkind: List\n");
    add(outer, TOP "/yamls/namespaced/longhorn-system/longhorn.io/v1beta2/settings.yaml", buf, strlen(buf));
    for (i = 0; i < 8; i++) {
        char *b = lines(pod_mb * 1048576 / 8, 2, (unsigned)i + 100, &len);
        snprintf(name, sizeof name, TOP "/logs/longhorn-system/longhorn-manager-%zu/longhorn-manager.log", i);
        add(outer, name, b, len);
        free(b);
    }
    for (n = 0; n < nodes; n++) {
        struct archive *inner = archive_write_new();
        size_t cap = syslog_mb * 1048576 * 2 + (8u << 20), used = 0;
        char *zbuf = malloc(cap), node[64], *b;
        snprintf(node, sizeof node, "worker-%d", n);
        archive_write_set_format_zip(inner);
        archive_write_set_bytes_in_last_block(inner, 1);
        archive_write_open_memory(inner, zbuf, cap, &used);
        snprintf(name, sizeof name, "%s/hostinfos/hostinfo", node);
        snprintf(buf, sizeof buf, "hostname : \n \t%s\nos-release : \n \tPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nsystem-info : \n \tLinux pod 6.8.0-51-generic #52-Ubuntu SMP x86_64 x86_64 x86_64 GNU/Linux\n", node);
        add(inner, name, buf, strlen(buf));
        snprintf(name, sizeof name, "%s/hostinfos/processes_info", node);
        snprintf(buf, sizeof buf, "%s%s%s", ps_head, n == 0 ? "Ds+" : "Ss+", ps_tail);
        add(inner, name, buf, strlen(buf));
        snprintf(name, sizeof name, "%s/hostinfos/proc_mounts", node);
        snprintf(buf, sizeof buf, "/dev/vda1 / ext4 rw,relatime 0 0\n10.43.58.194:/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e /var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e/mount nfs4 rw,relatime,vers=4.1,softerr,addr=10.43.58.194 0 0\n");
        add(inner, name, buf, strlen(buf));
        b = lines(1u << 20, 0, (unsigned)n, &len);
        snprintf(name, sizeof name, "%s/logs/dmesg.log", node);
        add(inner, name, b, len);
        free(b);
        b = lines(syslog_mb * 1048576, 0, (unsigned)n + 7, &len);
        snprintf(name, sizeof name, "%s/logs/syslog", node);
        add(inner, name, b, len);
        free(b);
        b = lines(syslog_mb * 1048576 / 4, 1, (unsigned)n + 9, &len);
        snprintf(name, sizeof name, "%s/logs/kubelet.log", node);
        add(inner, name, b, len);
        free(b);
        archive_write_close(inner);
        archive_write_free(inner);
        /* .zip members are STORED, as Info-ZIP does */
        archive_write_zip_set_compression_store(outer);
        snprintf(name, sizeof name, TOP "/nodes/%s.zip", node);
        add(outer, name, zbuf, used);
        archive_write_zip_set_compression_deflate(outer);
        free(zbuf);
    }
    snprintf(buf, sizeof buf, "root@worker-0:~# cat /proc/123315/stack\n[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n[<0>] update_open_stateid+0xa0/0x2b0 [nfsv4]\n[<0>] _nfs4_open_and_get_state+0x102/0x3d0 [nfsv4]\n[<0>] nfs4_file_open+0x172/0x2d0 [nfsv4]\n");
    add(outer, TOP "/customer-transcript.txt", buf, strlen(buf));
    archive_write_close(outer);
    archive_write_free(outer);
    return 0;
}
