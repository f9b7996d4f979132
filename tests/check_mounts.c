/* check_mounts.c - mount tables and nfsstat (ext_mounts.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const struct {
    const char *name, *text;
    int rows;
    int origin;
    const char *source, *target, *fstype, *vers;
    long line;
} cases[] = {
    {"proc/mounts nfs4 4.1",
     "proc /proc proc rw,nosuid 0 0\n"
     "10.43.58.194:/pvc-1 /var/lib/kubelet/x/mount nfs4 rw,relatime,vers=4.1,softerr,addr=10.43.58.194 0 0\n",
     2, LHT_MOUNT_PROC, "10.43.58.194:/pvc-1", "/var/lib/kubelet/x/mount", "nfs4", "4.1", 2},
    {"proc/mounts octal escape", "/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\n", 1, LHT_MOUNT_PROC, "/dev/sdb1",
     "/mnt/my disk", "ext4", NULL, 1},
    {"mount cmd nfs v3", "nas:/export on /mnt/backup type nfs (rw,relatime,vers=3,hard,proto=tcp)\n", 1,
     LHT_MOUNT_CMD, "nas:/export", "/mnt/backup", "nfs", "3", 1},
    {"mount cmd nfsvers=4.2", "srv:/a on /a type nfs4 (rw,nfsvers=4.2)\n", 1, LHT_MOUNT_CMD, "srv:/a", "/a",
     "nfs4", "4.2", 1},
    {"old kernel vers=4 minorversion=1", "srv:/a /a nfs4 rw,vers=4,minorversion=1 0 0\n", 1, LHT_MOUNT_PROC,
     "srv:/a", "/a", "nfs4", "4.1", 1},
    {"nfs4 without vers", "srv:/a /a nfs4 rw,relatime 0 0\n", 1, LHT_MOUNT_PROC, "srv:/a", "/a", "nfs4", "4", 1},
    {"mountinfo", "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
     "512 30 0:55 / /var/lib/kubelet/y rw,relatime shared:270 - nfs4 10.43.1.2:/pvc-2 rw,vers=4.2,addr=10.43.1.2\n",
     2, LHT_MOUNT_MOUNTINFO, "10.43.1.2:/pvc-2", "/var/lib/kubelet/y", "nfs4", "4.2", 2},
    {"nfsstat -m blocks",
     "/var/lib/kubelet/a from 10.43.58.194:/pvc-1\n"
     " Flags:\trw,relatime,vers=4.1,rsize=1048576,softerr\n"
     "\n"
     "/var/lib/kubelet/b from 10.43.58.194:/pvc-1\n"
     " Flags: rw,relatime,vers=4.0\n",
     2, LHT_MOUNT_NFSSTAT, "10.43.58.194:/pvc-1", "/var/lib/kubelet/a", "nfs4", "4.1", 1},
    {"findmnt list", "TARGET                 SOURCE            FSTYPE OPTIONS\n"
     "/var/lib/kubelet/z     10.43.9.9:/pvc-3  nfs4   rw,relatime,vers=4.1\n",
     1, LHT_MOUNT_FINDMNT, "10.43.9.9:/pvc-3", "/var/lib/kubelet/z", "nfs4", "4.1", 2},
};

START_TEST(formats)
{
    struct lht_facts *f;
    size_t n, i;
    const struct lht_mount *m, *row = NULL;
    int rc = tu_parse(lht_parse_mounts_any, cases[_i].text, 1, "n1", NULL, -1, &f);
    ck_assert_msg(rc == cases[_i].rows, "%s: %d rows", cases[_i].name, rc);
    m = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++)
        if (m[i].source && strcmp(m[i].source, cases[_i].source) == 0 && !row)
            row = &m[i];
    ck_assert_msg(row != NULL, "%s: no row", cases[_i].name);
    ck_assert_int_eq(row->origin, cases[_i].origin);
    ck_assert_str_eq(row->target, cases[_i].target);
    ck_assert_str_eq(row->fstype, cases[_i].fstype);
    if (cases[_i].vers)
        ck_assert_str_eq(row->nfs_vers, cases[_i].vers);
    else
        ck_assert_ptr_null(row->nfs_vers);
    ck_assert_int_eq(row->at.line, cases[_i].line);
    lht_facts_free(f);
}
END_TEST

static const struct {
    const char *opts, *fstype, *want;
} vers[] = {
    {"rw,vers=4.1,addr=1", "nfs4", "4.1"},   {"rw,nfsvers=3", "nfs", "3"},
    {"rw,vers=4,minorversion=2", "nfs4", "4.2"}, {"rw", "nfs4", "4"},
    {"rw,mountvers=3,vers=4.0", "nfs4", "4.0"}, {"rw,relatime", "ext4", NULL},
    {"rw,relatime", "nfs", NULL},            {"rw,xvers=4.1", "ext4", NULL},
};

START_TEST(nfs_version)
{
    char out[16];
    const char *got = lht_nfs_vers(vers[_i].opts, strlen(vers[_i].opts), vers[_i].fstype, out, sizeof out);
    if (vers[_i].want)
        ck_assert_str_eq(got, vers[_i].want);
    else
        ck_assert_ptr_null(got);
}
END_TEST

START_TEST(specific_parsers_skip_other_shapes)
{
    struct lht_facts *f;
    ck_assert_int_eq(tu_parse(lht_parse_proc_mounts, "nas:/x on /m type nfs (rw)\nbroken line\n", 1, NULL,
                              NULL, -1, &f), 0);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_nfsstat, "/m from s:/e\n", 1, NULL, NULL, -1, &f), 1);
    lht_facts_free(f);
}
END_TEST

static Suite *mounts_suite(void)
{
    Suite *s = suite_create("mounts");
    TCase *tc = tcase_create("formats");
    tcase_add_loop_test(tc, formats, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_loop_test(tc, nfs_version, 0, (int)(sizeof vers / sizeof vers[0]));
    tcase_add_test(tc, specific_parsers_skip_other_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    tu_begin();
    SRunner *sr = srunner_create(mounts_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_end();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
