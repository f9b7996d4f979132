/* check_yaml.c - Kubernetes objects and bundle metadata from yaml.v2
 * output (parsers/k8s_yaml.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

static const char *field(const struct lht_facts *f, const char *kind, const char *name,
                         const char *path, long *line)
{
    size_t no, nf, i, j;
    const struct lht_object *o = lht_facts_objects(f, &no);
    const struct lht_field *fl = lht_facts_fields(f, &nf);
    for (i = 0; i < no; i++) {
        if (strcmp(o[i].kind, kind) != 0 || (name && (!o[i].name || strcmp(o[i].name, name) != 0)))
            continue;
        for (j = 0; j < o[i].nfields; j++)
            if (strcmp(fl[o[i].first + j].path, path) == 0) {
                if (line)
                    *line = fl[o[i].first + j].line;
                return fl[o[i].first + j].value;
            }
    }
    return NULL;
}

static const char *volumes =
    "apiVersion: v1\n"
    "items:\n"
    "- apiVersion: longhorn.io/v1beta2\n"
    "  kind: Volume\n"
    "  metadata:\n"
    "    managedFields:\n"
    "    - apiVersion: longhorn.io/v1beta2\n"
    "      fieldsV1:\n"
    "        f:spec:\n"
    "          .: {}\n"
    "          k:{\"type\":\"Ready\"}: {}\n"
    "    name: pvc-0b1f\n"
    "    namespace: longhorn-system\n"
    "  spec:\n"
    "    accessMode: rwx\n"
    "    backingImage: \"null\"\n"
    "    numberOfReplicas: 3\n"
    "    size: \"10737418240\"\n"
    "  status:\n"
    "    actualSize: 2.147483648e+09\n"
    "    conditions:\n"
    "    - message: 'Volume pvc-0b1f cannot be scheduled\n"
    "        because replica scheduling failed'\n"
    "      type: Scheduled\n"
    "    kubernetesStatus:\n"
    "      pvcName: data\n"
    "      workloadsStatus:\n"
    "      - podName: writer-1\n"
    "      - podName: writer-2\n"
    "    shareEndpoint: nfs://10.43.12.34/pvc-0b1f\n"
    "    state: attached\n"
    "- apiVersion: longhorn.io/v1beta2\n"
    "  kind: Replica\n"
    "  metadata:\n"
    "    name: pvc-0b1f-r-1\n"
    "kind: List\n"
    "metadata:\n"
    "  resourceVersion: \"1300000\"\n";

START_TEST(longhorn_volume_quirks)
{
    struct lht_facts *f;
    size_t no;
    long line = 0;
    ck_assert_int_gt(tu_parse(lht_parse_k8s_yaml, volumes, 1, NULL, NULL, -1, &f), 0);
    (void)lht_facts_objects(f, &no);
    ck_assert_int_eq((int)no, 1);   /* the Replica kind is not kept */
    ck_assert_str_eq(field(f, "Volume", "pvc-0b1f", "spec.accessMode", &line), "rwx");
    ck_assert_int_eq(line, 15);
    ck_assert_str_eq(field(f, "Volume", NULL, "spec.numberOfReplicas", NULL), "3");
    ck_assert_str_eq(field(f, "Volume", NULL, "status.shareEndpoint", NULL), "nfs://10.43.12.34/pvc-0b1f");
    ck_assert_str_eq(field(f, "Volume", NULL, "status.kubernetesStatus.pvcName", NULL), "data");
    ck_assert_ptr_null(field(f, "Volume", NULL, "spec.backingImage", NULL));
    lht_facts_free(f);
}
END_TEST

static const char *classes =
    "apiVersion: v1\r\n"
    "items:\r\n"
    "- allowVolumeExpansion: true\r\n"
    "  apiVersion: storage.k8s.io/v1\r\n"
    "  kind: StorageClass\r\n"
    "  metadata:\r\n"
    "    name: longhorn-rwx\r\n"
    "  parameters:\r\n"
    "    fromBackup: \"null\"\r\n"
    "    nfsOptions: vers=4.1,noresvport,softerr,timeo=600,retrans=5\r\n"
    "    numberOfReplicas: \"1\"\r\n"
    "  mountOptions:\r\n"
    "  - nconnect=4\r\n"
    "  - noatime\r\n"
    "  provisioner: driver.longhorn.io\r\n"
    "kind: List\r\n";

START_TEST(storageclass_and_crlf)
{
    struct lht_facts *f;
    tu_parse(lht_parse_k8s_yaml, classes, 1, NULL, NULL, -1, &f);
    ck_assert_str_eq(field(f, "StorageClass", "longhorn-rwx", "parameters.nfsOptions", NULL),
                     "vers=4.1,noresvport,softerr,timeo=600,retrans=5");
    ck_assert_str_eq(field(f, "StorageClass", NULL, "allowVolumeExpansion", NULL), "true");
    ck_assert_str_eq(field(f, "StorageClass", NULL, "mountOptions", NULL), "nconnect=4,noatime");
    ck_assert_str_eq(field(f, "StorageClass", NULL, "provisioner", NULL), "driver.longhorn.io");
    ck_assert_ptr_null(field(f, "StorageClass", NULL, "parameters.fromBackup", NULL));
    lht_facts_free(f);
}
END_TEST

START_TEST(versions_as_kvs)
{
    const char *settings = "apiVersion: v1\nitems:\n- apiVersion: longhorn.io/v1beta2\n  kind: Setting\n"
                           "  metadata:\n    name: current-longhorn-version\n  status:\n    applied: true\n"
                           "  value: v1.10.1\nkind: List\n";
    const char *nodes = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: w1\n"
                        "  status:\n    nodeInfo:\n      kernelVersion: 5.14.0-427.13.1.el9_4.x86_64\n"
                        "      osImage: Red Hat Enterprise Linux 9.4 (Plow)\nkind: List\n";
    const char *meta = "bundlename: support-bundle-2024-05-01t10-15-02z\nbundleversion: 0.1.0\n"
                       "kubernetesversion: v1.28.8+k3s1\nbundlecreatedat: \"2024-05-01T10:15:03Z\"\n"
                       "issueurl: \"\"\nissuedescription: 'RWX volume stuck: share-manager restarting'\n";
    struct lht_facts *f;
    tu_parse(lht_parse_k8s_yaml, settings, 1, NULL, NULL, -1, &f);
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "longhorn_version"), "v1.10.1");
    lht_facts_free(f);
    tu_parse(lht_parse_k8s_yaml, nodes, 1, NULL, NULL, -1, &f);
    ck_assert_str_eq(lht_facts_kv_get(f, "w1", "kernel_release"), "5.14.0-427.13.1.el9_4.x86_64");
    ck_assert_str_eq(lht_facts_kv_get(f, "w1", "os_image"), "Red Hat Enterprise Linux 9.4 (Plow)");
    lht_facts_free(f);
    tu_parse(lht_parse_bundle_metadata, meta, 1, NULL, NULL, -1, &f);
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "kubernetes_version"), "v1.28.8+k3s1");
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "created_at"), "2024-05-01T10:15:03Z");
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "issue_description"), "RWX volume stuck: share-manager restarting");
    ck_assert_ptr_null(lht_facts_kv_get(f, NULL, "issue_url"));
    lht_facts_free(f);
}
END_TEST

START_TEST(broken_yaml_gives_a_note)
{
    const char *bad = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n"
                      "    name: \"unclosed\n";
    const char *alias = "apiVersion: v1\nitems:\n- &a\n  apiVersion: v1\n  kind: Node\n  metadata: {name: x}\n"
                        "- *a\nkind: List\n";
    struct lht_facts *f;
    size_t n;
    const struct lht_note *no;
    ck_assert_int_ge(tu_parse(lht_parse_k8s_yaml, bad, 10, NULL, NULL, -1, &f), 0);
    no = lht_facts_notes(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_ptr_nonnull(strstr(no[0].msg, "YAML error at"));
    ck_assert_int_ge(no[0].at.line, 10);
    lht_facts_free(f);
    ck_assert_int_ge(tu_parse(lht_parse_k8s_yaml, alias, 1, NULL, NULL, -1, &f), 1);
    (void)lht_facts_objects(f, &n);
    ck_assert_int_eq((int)n, 1);   /* the alias is not expanded into a second object */
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_k8s_yaml, "items: []\n", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *yaml_suite(void)
{
    Suite *s = suite_create("yaml");
    TCase *tc = tcase_create("k8s");
    tcase_add_test(tc, longhorn_volume_quirks);
    tcase_add_test(tc, storageclass_and_crlf);
    tcase_add_test(tc, versions_as_kvs);
    tcase_add_test(tc, broken_yaml_gives_a_note);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(yaml_suite)
