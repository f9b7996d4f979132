/*
 * classify.c - see classify.h.
 *
 * The path table follows ../shared/docs/bundle-layout.md: support-bundle-kit
 * writes fixed names under nodes/<node>.zip!<node>/{hostinfos,logs}/ and
 * yamls/{cluster,namespaced}/...; engineers who unpack node zips in place
 * get nodes/<node>/<node>/..., which the same patterns accept because they
 * anchor on a '/' or '!' before the known tail.
 */
#include "ingest/classify.h"
#include "core/re.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[LHT_K_COUNT] = {
    [LHT_K_UNKNOWN] = "unknown",
    [LHT_K_PS] = "ps",
    [LHT_K_STACK] = "stack",
    [LHT_K_PROC_MOUNTS] = "proc_mounts",
    [LHT_K_MOUNT_CMD] = "mount",
    [LHT_K_MOUNTINFO] = "mountinfo",
    [LHT_K_NFSSTAT] = "nfsstat",
    [LHT_K_MOUNTS_ANY] = "mounts",
    [LHT_K_KERNEL_LOG] = "kernel_log",
    [LHT_K_HOSTINFO] = "hostinfo",
    [LHT_K_UNAME] = "uname",
    [LHT_K_OS_RELEASE] = "os_release",
    [LHT_K_K8S_YAML] = "k8s_yaml",
    [LHT_K_METADATA] = "bundle_metadata",
    [LHT_K_TRANSCRIPT] = "transcript",
    [LHT_K_KERNEL_CONFIG] = "kernel_config",
    [LHT_K_MULTIPATH_CONF] = "multipath_conf",
    [LHT_K_JOURNAL] = "journal",
    [LHT_K_SHARE_MANAGER_LOG] = "share_manager_log",
    [LHT_K_POD_LOG] = "pod_log",
    [LHT_K_OTHER_YAML] = "yaml",
    [LHT_K_BUNDLE_ERRORS] = "bundle_errors",
    [LHT_K_OTHER] = "other",
};

static const lht_parse_fn kind_parsers[LHT_K_COUNT] = {
    [LHT_K_PS] = lht_parse_ps,
    [LHT_K_STACK] = lht_parse_stack,
    [LHT_K_PROC_MOUNTS] = lht_parse_proc_mounts,
    [LHT_K_MOUNT_CMD] = lht_parse_mount_cmd,
    [LHT_K_MOUNTINFO] = lht_parse_mountinfo,
    [LHT_K_NFSSTAT] = lht_parse_nfsstat,
    [LHT_K_MOUNTS_ANY] = lht_parse_mounts_any,
    [LHT_K_KERNEL_LOG] = lht_parse_kernel_log,
    [LHT_K_HOSTINFO] = lht_parse_hostinfo,
    [LHT_K_UNAME] = lht_parse_uname,
    [LHT_K_OS_RELEASE] = lht_parse_os_release,
    [LHT_K_K8S_YAML] = lht_parse_k8s_yaml,
    [LHT_K_METADATA] = lht_parse_bundle_metadata,
};

const char *lht_kind_name(enum lht_kind k)
{
    return (unsigned)k < LHT_K_COUNT && kind_names[k] ? kind_names[k] : "unknown";
}

lht_parse_fn lht_kind_parser(enum lht_kind k)
{
    return (unsigned)k < LHT_K_COUNT ? kind_parsers[k] : NULL;
}

/* First match wins. T is "a '/' or '!' or the start", i.e. a path
 * component boundary inside a possibly nested member path. */
#define T "(?:^|[/!])"
static struct lht_re path_table[] = {
    {T "hostinfos/hostinfo$", LHT_K_HOSTINFO, NULL},
    {T "hostinfos/processes_info$", LHT_K_PS, NULL},
    {T "hostinfos/proc_mounts$", LHT_K_PROC_MOUNTS, NULL},
    {T "hostinfos/kernel_config$", LHT_K_KERNEL_CONFIG, NULL},
    {T "hostinfos/multipath\\.conf$", LHT_K_MULTIPATH_CONF, NULL},
    {T "logs/dmesg(?:\\.log)?(?:\\.[0-9]+)?$", LHT_K_KERNEL_LOG, NULL},
    /* Node logs sit directly in logs/; pod logs are logs/<ns>/<pod>/. */
    {T "logs/(?:syslog|messages|kern\\.log|kern|warn)(?:[.-][0-9]+)*(?:\\.gz|\\.xz|\\.zst|\\.bz2)?$",
     LHT_K_KERNEL_LOG, NULL},
    {T "logs/(?:kubelet|k3s-service|k3s-agent-service|rke2-server|rke2-agent|containerd|iscsid)"
       "(?:\\.log)?$", LHT_K_JOURNAL, NULL},
    /* the bundle's own, also when the bundle is a member of a ticket archive */
    {"(?:^|!)(?:[^/!]+/)?metadata\\.yaml$", LHT_K_METADATA, NULL},
    {T "yamls/cluster/v1/(?:nodes|persistentvolumes)\\.yaml$", LHT_K_K8S_YAML, NULL},
    {T "yamls/cluster/storage\\.k8s\\.io/v1(?:beta1)?/storageclasses\\.yaml$", LHT_K_K8S_YAML, NULL},
    {T "yamls/namespaced/longhorn-system/longhorn\\.io/v1beta[12]/"
       "(?:volumes|sharemanagers|settings|engineimages)\\.yaml$", LHT_K_K8S_YAML, NULL},
    {T "yamls/namespaced/longhorn-system/v1/(?:pods|services)\\.yaml$", LHT_K_K8S_YAML, NULL},
    {T "yamls/namespaced/longhorn-system/apps/v1/daemonsets\\.yaml$", LHT_K_K8S_YAML, NULL},
    {T "yamls/", LHT_K_OTHER_YAML, NULL},
    {T "logs/longhorn-system/share-manager-[^/!]+/[^/!]+\\.log(?:\\.[0-9]+)?$",
     LHT_K_SHARE_MANAGER_LOG, NULL},
    {T "logs/[^/!]+/[^/!]+/[^/!]+\\.log(?:\\.[0-9]+)?$", LHT_K_POD_LOG, NULL},
    {T "bundleGenerationError\\.log$", LHT_K_BUNDLE_ERRORS, NULL},
    {T "prometheus-alerts\\.json$", LHT_K_OTHER, NULL},
    /* Files an engineer drops next to or into a bundle, named after what
     * they hold ("proc/123/stack", "123315.stack", "mountinfo"). */
    {T "proc/(?<pid>[0-9]+)/(?:task/[0-9]+/)?stack(?:\\.txt)?$", LHT_K_STACK, NULL},
    {"(?:^|[/!_.-])(?:proc/(?:self/|[0-9]+/)?)?mountinfo(?:\\.txt)?$", LHT_K_MOUNTINFO, NULL},
    {T "proc/(?:self/|[0-9]+/)?mounts(?:\\.txt)?$", LHT_K_PROC_MOUNTS, NULL},
    {T "os-release$", LHT_K_OS_RELEASE, NULL},
};
#undef T

static struct lht_re node_re[] = {
    {"(?:^|/)nodes/(?<node>[^/!]+?)(?:\\.zip|\\.tar\\.gz|\\.tgz)?[/!]", 0, NULL},
};

/* Line shapes for content sniffing. Each hit votes for its kind. */
static struct lht_re sniff_table[] = {
    {"^\\s*\\[<[0-9a-fx]+>\\] [A-Za-z_.$0-9]+\\+0x", LHT_K_STACK, NULL},
    {"^\\s*(?:USER|UID|PID|F\\s+S)\\s+(?:\\S+\\s+)*?(?:PID|CMD|COMMAND|ARGS)\\b", LHT_K_PS, NULL},
    /* ps aux row: user pid %cpu %mem vsz rss tty stat start time cmd */
    {"^[A-Za-z0-9_.+-]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9]+\\s+[0-9]+\\s+\\S+\\s+"
     "[DRSTtZXIWKP][<NLsl+]*\\s+", LHT_K_PS, NULL},
    /* ps -ef row: uid pid ppid c stime tty time cmd */
    {"^[A-Za-z0-9_.+-]+\\s+[0-9]+\\s+[0-9]+\\s+[0-9]+\\s+\\S+\\s+\\S+\\s+[0-9:.-]+\\s+\\S", LHT_K_PS,
     NULL},
    {"^\\S+ from \\S+:\\S*\\s*$", LHT_K_NFSSTAT, NULL},
    {"^\\s+Flags:\\s+\\S*vers=", LHT_K_NFSSTAT, NULL},
    {"^\\S+ on \\S+ type \\S+ \\(", LHT_K_MOUNT_CMD, NULL},
    {"^[0-9]+ [0-9]+ [0-9]+:[0-9]+ \\S+ /\\S* \\S+ .* - \\S+ ", LHT_K_MOUNTINFO, NULL},
    {"^\\S+ /\\S* [a-z0-9_.]+ \\S+ [0-9]+ [0-9]+\\s*$", LHT_K_PROC_MOUNTS, NULL},
    {"INFO: task .+:[0-9]+ blocked for more than|\\btask:\\S+\\s+state:[A-Z]|Call Trace:|"
     "\\bkernel: |^\\s*\\[\\s*[0-9]+\\.[0-9]+\\] |^kern\\s*:|nfs: server \\S+ not responding",
     LHT_K_KERNEL_LOG, NULL},
    {"^Linux \\S+ [0-9]+\\.[0-9]+\\S* #", LHT_K_UNAME, NULL},
    {"^(?:PRETTY_NAME|VERSION_ID)=", LHT_K_OS_RELEASE, NULL},
    {"^apiVersion: \\S", LHT_K_K8S_YAML, NULL},
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static pthread_once_t once = PTHREAD_ONCE_INIT;
static lht_err init_err;

static void init_tables(void)
{
    if (lht_re_compile(path_table, N(path_table), &init_err) != LHT_OK ||
        lht_re_compile(node_re, N(node_re), &init_err) != LHT_OK ||
        lht_re_compile(sniff_table, N(sniff_table), &init_err) != LHT_OK)
        return;
}

int lht_classify_init(lht_err *err)
{
    pthread_once(&once, init_tables);
    if (init_err.code != LHT_OK)
        return lht_err_set(err, init_err.code, "classifier: %s", init_err.msg);
    return LHT_OK;
}

enum lht_kind lht_classify_path(const char *path, char *node, size_t nodesz, long *pid)
{
    pcre2_match_data *md;
    size_t len = strlen(path);
    enum lht_kind kind = LHT_K_UNKNOWN;
    char pidbuf[24];
    int i;

    if (nodesz)
        node[0] = '\0';
    *pid = -1;
    if (lht_classify_init(NULL) != LHT_OK)
        return LHT_K_UNKNOWN;
    md = lht_re_match_data(path_table, N(path_table));
    if (md == NULL)
        return LHT_K_UNKNOWN;
    i = lht_re_first(path_table, N(path_table), path, len, md);
    if (i >= 0) {
        kind = (enum lht_kind)path_table[i].value;
        if (kind == LHT_K_STACK &&
            lht_re_group(path_table[i].code, md, path, "pid", pidbuf, sizeof pidbuf) > 0)
            *pid = strtol(pidbuf, NULL, 10);
    }
    if (nodesz && lht_re_first(node_re, 1, path, len, md) == 0)
        lht_re_group(node_re[0].code, md, path, "node", node, nodesz);
    pcre2_match_data_free(md);
    return kind;
}

unsigned lht_classify_content(const char *buf, size_t len)
{
    unsigned votes[LHT_K_COUNT] = {0};
    unsigned set = 0;
    pcre2_match_data *md;
    const char *p = buf, *end;
    int lines = 0, k;

    if (lht_classify_init(NULL) != LHT_OK)
        return 0;
    md = lht_re_match_data(sniff_table, N(sniff_table));
    if (md == NULL)
        return 0;
    /* The first 2000 lines / 1 MiB tell what a paste is; whole multi-GB
     * logs are classified by path, not here. */
    end = buf + (len > (1u << 20) ? (1u << 20) : len);
    while (p < end && lines < 2000) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int i;
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0 && l < 4096) {
            i = lht_re_first(sniff_table, N(sniff_table), p, l, md);
            if (i >= 0)
                votes[sniff_table[i].value]++;
        }
        lines++;
        p = nl ? nl + 1 : end;
    }
    pcre2_match_data_free(md);
    for (k = 0; k < LHT_K_COUNT; k++)
        if (votes[k] > 0)
            set |= 1u << k;
    /* A YAML document is not also a mount table. */
    if (set & (1u << LHT_K_K8S_YAML))
        return 1u << LHT_K_K8S_YAML;
    return set;
}
