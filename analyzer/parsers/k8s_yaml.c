/*
 * k8s_yaml.c - Kubernetes objects and bundle metadata from the bundle's
 * YAML files, streamed with libyaml's event API.
 *
 * support-bundle-kit writes each resource as one "kind: List" with yaml.v2
 * (keys sorted, "null" for empty strings, numbers as floats such as
 * 2.147483648e+09, long scalars wrapped). Keys are sorted, so an item's
 * kind may come after fields we want (allowVolumeExpansion < kind): the
 * scalars whose path any table entry could want are buffered per item and
 * kept once the item's kind is known. Aliases are never expanded.
 */
#include "core/err.h"
#include "parsers/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Kinds and the field paths kept of them; '*' matches one key or index. */
static const struct kind_spec {
    const char *group;     /* apiVersion before '/', "" for core v1 */
    const char *kind;
    const char *ns;        /* only this namespace, or NULL */
    const char *paths[16];
} kinds[] = {
    {"storage.k8s.io", "StorageClass", NULL,
     {"provisioner", "parameters.*", "mountOptions", "reclaimPolicy", "volumeBindingMode",
      "allowVolumeExpansion"}},
    {"", "PersistentVolume", NULL,
     {"spec.storageClassName", "spec.accessModes", "spec.csi.driver", "spec.csi.volumeHandle",
      "spec.csi.volumeAttributes.*", "spec.mountOptions", "spec.claimRef.namespace",
      "spec.claimRef.name", "status.phase"}},
    {"longhorn.io", "Volume", NULL,
     {"spec.accessMode", "spec.numberOfReplicas", "spec.frontend", "spec.dataEngine",
      "spec.migratable", "spec.encrypted", "status.state", "status.robustness",
      "status.shareEndpoint", "status.shareState", "status.currentNodeID",
      "status.kubernetesStatus.*", "status.kubernetesStatus.workloadsStatus[*].*"}},
    {"longhorn.io", "ShareManager", NULL,
     {"spec.image", "status.state", "status.ownerID", "status.endpoint"}},
    {"longhorn.io", "Setting", NULL, {"value"}},
    {"longhorn.io", "EngineImage", NULL, {"spec.image", "status.state"}},
    {"", "Node", NULL,
     {"status.nodeInfo.kernelVersion", "status.nodeInfo.osImage", "status.nodeInfo.kubeletVersion",
      "status.nodeInfo.containerRuntimeVersion", "status.addresses[*].address"}},
    /* Every namespace: a workload's pod names its PVCs and its UID, which
     * is what kubelet's mount paths (/var/lib/kubelet/pods/<uid>/...) show. */
    {"", "Pod", NULL,
     {"spec.nodeName", "spec.containers[*].image", "status.phase", "status.podIP", "metadata.uid",
      "metadata.ownerReferences[*].kind", "metadata.ownerReferences[*].name",
      "spec.volumes[*].persistentVolumeClaim.claimName"}},
    {"", "PersistentVolumeClaim", NULL,
     {"spec.storageClassName", "spec.volumeName", "spec.accessModes", "status.phase"}},
    {"", "Service", "longhorn-system", {"spec.clusterIP"}},
    {"apps", "DaemonSet", "longhorn-system", {"spec.template.spec.containers[*].image"}},
};

#define NPATHS (sizeof kinds[0].paths / sizeof kinds[0].paths[0])

/* '*' matches one path segment (no '.', '[' or ']'). */
static int glob(const char *p, const char *s)
{
    for (; *p; p++, s++) {
        if (*p == '*') {
            const char *t = s;
            while (*t && *t != '.' && *t != '[' && *t != ']')
                t++;
            for (; t >= s; t--)
                if (glob(p + 1, t))
                    return 1;
            return 0;
        }
        if (*p != *s)
            return 0;
    }
    return *s == '\0';
}

static int wanted_anywhere(const char *path)
{
    size_t i, j;
    if (strcmp(path, "apiVersion") == 0 || strcmp(path, "kind") == 0 ||
        strcmp(path, "metadata.name") == 0 || strcmp(path, "metadata.namespace") == 0)
        return 1;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        for (j = 0; j < NPATHS && kinds[i].paths[j]; j++)
            if (glob(kinds[i].paths[j], path))
                return 1;
    return 0;
}

struct field {
    char *path, *value;
    long line;
};

#define MAXDEPTH 48

struct frame {
    int is_map;
    int want_key;        /* map: next scalar is a key */
    char key[128];       /* map: current key */
    int index;           /* seq: next index */
    size_t pathlen;      /* length of the path prefix for children */
    char *join;          /* seq of scalars: values joined by ',' */
    long join_line;
};

struct st {
    const struct lht_pctx *ctx;
    struct frame fr[MAXDEPTH];
    int depth;
    char path[1024];     /* item-relative path of the current container */
    int in_item;
    int item_depth;
    long item_line;
    struct field *fields;
    size_t nf, cap;
    int added;
};

static void free_fields(struct st *st)
{
    size_t i;
    for (i = 0; i < st->nf; i++) {
        free(st->fields[i].path);
        free(st->fields[i].value);
    }
    st->nf = 0;
}

static int keep(struct st *st, const char *path, const char *value, long line)
{
    if (st->nf == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        struct field *nf = realloc(st->fields, cap * sizeof *nf);
        if (nf == NULL)
            return LHT_ENOMEM;
        st->fields = nf;
        st->cap = cap;
    }
    st->fields[st->nf].path = strdup(path);
    st->fields[st->nf].value = strdup(value);
    st->fields[st->nf].line = line;
    if (!st->fields[st->nf].path || !st->fields[st->nf].value)
        return LHT_ENOMEM;
    st->nf++;
    return LHT_OK;
}

static const char *get(struct st *st, const char *path)
{
    size_t i;
    for (i = 0; i < st->nf; i++)
        if (strcmp(st->fields[i].path, path) == 0)
            return st->fields[i].value;
    return NULL;
}

static int add_kv(struct st *st, const char *node, const char *key, const char *value, long line)
{
    struct lht_facts *f = st->ctx->facts;
    struct lht_kv kv;

    kv.at = lht_pctx_at(st->ctx, line);
    kv.at.node = node ? lht_facts_strz(f, node) : st->ctx->node;
    kv.key = key;
    kv.value = lht_facts_strz(f, value);
    if (kv.value == NULL || lht_facts_add_kv(f, &kv) != LHT_OK)
        return LHT_ENOMEM;
    st->added++;
    return LHT_OK;
}

/* "longhornio/longhorn-manager:v1.10.1" -> "v1.10.1" */
static const char *manager_tag(const char *image)
{
    const char *p = strstr(image, "longhorn-manager:");
    return p ? p + strlen("longhorn-manager:") : NULL;
}

static int finish_item(struct st *st)
{
    const char *api = get(st, "apiVersion"), *kind = get(st, "kind");
    const char *name = get(st, "metadata.name"), *ns = get(st, "metadata.namespace");
    struct lht_facts *f = st->ctx->facts;
    const struct kind_spec *ks = NULL;
    struct lht_object o;
    size_t i, j, glen;
    int rc = LHT_OK;

    if (api == NULL || kind == NULL)
        goto done;
    glen = strchr(api, '/') ? (size_t)(strchr(api, '/') - api) : 0;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0 && strlen(kinds[i].group) == glen &&
            strncmp(kinds[i].group, api, glen) == 0 &&
            (kinds[i].ns == NULL || (ns && strcmp(kinds[i].ns, ns) == 0)))
            ks = &kinds[i];
    if (ks == NULL)
        goto done;
    memset(&o, 0, sizeof o);
    o.at = lht_pctx_at(st->ctx, st->item_line);
    o.at.node = NULL;
    o.kind = lht_facts_strz(f, kind);
    o.ns = ns ? lht_facts_strz(f, ns) : NULL;
    o.name = name ? lht_facts_strz(f, name) : NULL;
    if (o.kind == NULL || lht_facts_add_object(f, &o) != LHT_OK) {
        rc = LHT_ENOMEM;
        goto done;
    }
    st->added++;
    for (i = 0; i < st->nf; i++) {
        for (j = 0; j < NPATHS && ks->paths[j]; j++) {
            if (glob(ks->paths[j], st->fields[i].path)) {
                struct lht_field fl;
                fl.line = st->fields[i].line;
                fl.path = lht_facts_strz(f, st->fields[i].path);
                fl.value = lht_facts_strz(f, st->fields[i].value);
                if (!fl.path || !fl.value || lht_facts_add_field(f, &fl) != LHT_OK) {
                    rc = LHT_ENOMEM;
                    goto done;
                }
                break;
            }
        }
    }
    /* Facts other stages read by key. */
    if (strcmp(kind, "Setting") == 0 && name && strcmp(name, "current-longhorn-version") == 0 &&
        get(st, "value"))
        rc = add_kv(st, NULL, "longhorn_version", get(st, "value"), st->item_line);
    else if (strcmp(kind, "Node") == 0 && glen == 0 && name) {
        static const struct {
            const char *path, *key;
        } nk[] = {{"status.nodeInfo.kernelVersion", "kernel_release"},
                  {"status.nodeInfo.osImage", "os_image"},
                  {"status.nodeInfo.kubeletVersion", "kubelet_version"},
                  {"status.nodeInfo.containerRuntimeVersion", "container_runtime"}};
        for (j = 0; j < sizeof nk / sizeof nk[0] && rc == LHT_OK; j++)
            for (i = 0; i < st->nf && rc == LHT_OK; i++)
                if (strcmp(st->fields[i].path, nk[j].path) == 0)
                    rc = add_kv(st, name, nk[j].key, st->fields[i].value, st->fields[i].line);
    } else if ((strcmp(kind, "DaemonSet") == 0 || strcmp(kind, "Pod") == 0) && name &&
               strncmp(name, "longhorn-manager", 16) == 0) {
        for (i = 0; i < st->nf && rc == LHT_OK; i++)
            if (strstr(st->fields[i].path, "image") && manager_tag(st->fields[i].value) &&
                lht_facts_kv_get(f, NULL, "longhorn_version_image") == NULL)
                rc = add_kv(st, NULL, "longhorn_version_image", manager_tag(st->fields[i].value),
                            st->fields[i].line);
    }
done:
    free_fields(st);
    return rc;
}

/* yaml.v2 quirks: "null" (quoted) stands for empty; floats for integers. */
static const char *normalise(const yaml_event_t *ev, char *buf, size_t sz)
{
    const char *v = (const char *)ev->data.scalar.value;
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    char *end;
    double d;

    if (v[0] == '\0' || strcmp(v, "null") == 0 || (plain && strcmp(v, "~") == 0))
        return NULL;
    if (plain && (strchr(v, 'e') || strchr(v, 'E')) && v[0] >= '0' && v[0] <= '9') {
        d = strtod(v, &end);
        if (*end == '\0' && d >= 0 && d < 9e18 && d == (double)(long long)d) {
            snprintf(buf, sz, "%lld", (long long)d);
            return buf;
        }
    }
    return v;
}

static void child_path(struct st *st, char *out, size_t sz)
{
    struct frame *p = &st->fr[st->depth - 1];
    const char *base = st->path;
    size_t bl = p->pathlen;

    if (p->is_map)
        snprintf(out, sz, "%.*s%s%s", (int)bl, base, bl ? "." : "", p->key);
    else
        snprintf(out, sz, "%.*s[%d]", (int)bl, base, p->index);
}

static int on_scalar(struct st *st, const yaml_event_t *ev, long line)
{
    struct frame *p;
    char path[1024], num[32];
    const char *v;

    if (st->depth == 0)
        return LHT_OK;
    p = &st->fr[st->depth - 1];
    if (p->is_map && p->want_key) {
        snprintf(p->key, sizeof p->key, "%s", (const char *)ev->data.scalar.value);
        p->want_key = 0;
        return LHT_OK;
    }
    v = normalise(ev, num, sizeof num);
    if (p->is_map)
        p->want_key = 1;
    if (!st->in_item)
        return LHT_OK;
    if (!p->is_map) {
        /* sequence of scalars: joined at the sequence's own path */
        size_t jl = p->join ? strlen(p->join) : 0;
        char *nj;
        p->index++;
        if (v == NULL)
            return LHT_OK;
        nj = realloc(p->join, jl + strlen(v) + 2);
        if (nj == NULL)
            return LHT_ENOMEM;
        if (jl)
            nj[jl++] = ',';
        strcpy(nj + jl, v);
        p->join = nj;
        if (p->join_line == 0)
            p->join_line = line;
        return LHT_OK;
    }
    if (v == NULL)
        return LHT_OK;
    child_path(st, path, sizeof path);
    if (wanted_anywhere(path))
        return keep(st, path, v, line);
    return LHT_OK;
}

static int push(struct st *st, int is_map, long line)
{
    struct frame *fr;
    char path[1024];

    if (st->depth >= MAXDEPTH)
        return LHT_ELIMIT;
    if (st->depth > 0) {
        struct frame *p = &st->fr[st->depth - 1];
        if (st->in_item && st->depth >= st->item_depth) {
            child_path(st, path, sizeof path);
            snprintf(st->path, sizeof st->path, "%s", path);
        }
        if (p->is_map)
            p->want_key = 1;
    }
    /* root map -> "items" seq -> item map */
    if (is_map && st->depth == 2 && st->fr[0].is_map && !st->fr[1].is_map &&
        strcmp(st->fr[0].key, "items") == 0) {
        st->in_item = 1;
        st->item_depth = st->depth + 1;
        st->item_line = line;
        st->path[0] = '\0';
    }
    fr = &st->fr[st->depth++];
    memset(fr, 0, sizeof *fr);
    fr->is_map = is_map;
    fr->want_key = is_map;
    fr->pathlen = st->in_item && st->depth > st->item_depth ? strlen(st->path) : 0;
    return LHT_OK;
}

static int pop(struct st *st)
{
    struct frame *fr;
    int rc = LHT_OK;

    if (st->depth == 0)
        return LHT_OK;
    fr = &st->fr[st->depth - 1];
    if (!fr->is_map && fr->join && st->in_item && st->depth - 1 >= st->item_depth) {
        /* path of this sequence in its parent */
        char path[1024];
        st->depth--;
        child_path(st, path, sizeof path);
        st->depth++;
        if (wanted_anywhere(path))
            rc = keep(st, path, fr->join, fr->join_line);
    }
    free(fr->join);
    fr->join = NULL;
    st->depth--;
    if (st->depth > 0 && !st->fr[st->depth - 1].is_map)
        st->fr[st->depth - 1].index++;
    if (st->in_item && st->depth + 1 == st->item_depth) {
        st->in_item = 0;
        if (rc == LHT_OK)
            rc = finish_item(st);
    }
    /* restore the parent's path prefix */
    if (st->in_item && st->depth > 0)
        st->path[st->fr[st->depth - 1].pathlen] = '\0';
    return rc;
}

static int run(const char *buf, size_t len, const struct lht_pctx *ctx, int metadata)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct st st;
    int rc = LHT_OK, done = 0;
    char num[32];

    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    if (!yaml_parser_initialize(&parser))
        return LHT_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done && rc == LHT_OK) {
        long line;
        if (!yaml_parser_parse(&parser, &ev)) {
            struct lht_prov at = lht_pctx_at(ctx, ctx->first_line + (long)parser.problem_mark.line);
            rc = lht_facts_note(ctx->facts, &at, "YAML error at %lu:%lu: %s",
                                    (unsigned long)parser.problem_mark.line + 1,
                                    (unsigned long)parser.problem_mark.column + 1,
                                    parser.problem ? parser.problem : "invalid YAML");
            break;
        }
        line = ctx->first_line + (long)ev.start_mark.line;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_MAPPING_START_EVENT:
            rc = push(&st, 1, line);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = push(&st, 0, line);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            rc = pop(&st);
            break;
        case YAML_SCALAR_EVENT:
            if (metadata && st.depth == 1 && st.fr[0].is_map && !st.fr[0].want_key) {
                static const struct {
                    const char *yk, *key;
                } mk[] = {{"bundlename", "bundle_name"},
                          {"kubernetesversion", "kubernetes_version"},
                          {"bundlecreatedat", "created_at"},
                          {"issueurl", "issue_url"},
                          {"issuedescription", "issue_description"}};
                const char *v = normalise(&ev, num, sizeof num);
                size_t k;
                for (k = 0; v && k < sizeof mk / sizeof mk[0] && rc == LHT_OK; k++)
                    if (strcmp(st.fr[0].key, mk[k].yk) == 0)
                        rc = add_kv(&st, NULL, mk[k].key, v, line);
                st.fr[0].want_key = 1;
            } else if (ev.type == YAML_SCALAR_EVENT) {
                rc = on_scalar(&st, &ev, line);
            }
            break;
        case YAML_ALIAS_EVENT:
            /* never expanded: a value position is simply empty */
            if (st.depth > 0 && st.fr[st.depth - 1].is_map && !st.fr[st.depth - 1].want_key)
                st.fr[st.depth - 1].want_key = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    while (st.depth > 0) {
        free(st.fr[st.depth - 1].join);
        st.depth--;
    }
    free_fields(&st);
    free(st.fields);
    yaml_parser_delete(&parser);
    if (rc == LHT_ELIMIT) {
        struct lht_prov at = lht_pctx_at(ctx, ctx->first_line);
        rc = lht_facts_note(ctx->facts, &at, "YAML nested deeper than %d levels; rest skipped",
                                MAXDEPTH);
    }
    return rc == LHT_OK ? st.added : rc;
}

int lht_parse_k8s_yaml(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return run(buf, len, ctx, 0);
}

int lht_parse_bundle_metadata(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    return run(buf, len, ctx, 1);
}
