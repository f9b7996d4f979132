/* check_hostinfo.c - hostinfo, uname and os-release (ext_hostinfo.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

START_TEST(bundle_hostinfo)
{
    /* bytes as support-bundle-kit writes them: "name : " then space+TAB */
    const char *t = "hostname : \n \tworker-1\nos-release : \n \tPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"
                    "\tNAME=\"Ubuntu\"\n\tVERSION_ID=\"22.04\"\n\tID=ubuntu\nsystem-info : \n"
                    " \tLinux supportbundle-agent-x7k2p 5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\n";
    struct lht_facts *f;
    ck_assert_int_gt(tu_parse(lht_parse_hostinfo, t, 1, "worker-1", NULL, -1, &f), 0);
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "hostname"), "worker-1");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "os"), "Ubuntu 22.04.4 LTS");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "os_id"), "ubuntu");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "os_version"), "22.04");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "kernel_release"), "5.15.0-105-generic");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "arch"), "x86_64");
    ck_assert_str_eq(lht_facts_kv_get(f, "worker-1", "kernel_version"),
                     "#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024");
    lht_facts_free(f);
}
END_TEST

static const struct {
    const char *text, *release, *host, *arch;
} unames[] = {
    {"Linux ocp-worker-07 4.18.0-372.9.1.el8.x86_64 #1 SMP Fri Apr 15 22:12:19 EDT 2022 x86_64 x86_64 x86_64 GNU/Linux\n",
     "4.18.0-372.9.1.el8.x86_64", "ocp-worker-07", "x86_64"},
    {"Linux sles-a 5.14.21-150500.55.39-default #1 SMP PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05) x86_64 x86_64 x86_64 GNU/Linux\n",
     "5.14.21-150500.55.39-default", "sles-a", "x86_64"},
    {"Linux alpine 6.6.31-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Mon, 20 May 2024 07:31:03 +0000 x86_64 Linux\n",
     "6.6.31-0-lts", "alpine", "x86_64"},
    {"Linux gravi 6.1.0-18-arm64 #1 SMP Debian 6.1.76-1 (2024-02-01) aarch64 GNU/Linux\n", "6.1.0-18-arm64",
     "gravi", "aarch64"},
    {"5.14.0-427.13.1.el9_4.x86_64\n", "5.14.0-427.13.1.el9_4.x86_64", NULL, NULL},
};

START_TEST(uname_forms)
{
    struct lht_facts *f;
    ck_assert_int_gt(tu_parse(lht_parse_uname, unames[_i].text, 3, NULL, NULL, -1, &f), 0);
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "kernel_release"), unames[_i].release);
    if (unames[_i].host)
        ck_assert_str_eq(lht_facts_kv_get(f, NULL, "hostname"), unames[_i].host);
    if (unames[_i].arch)
        ck_assert_str_eq(lht_facts_kv_get(f, NULL, "arch"), unames[_i].arch);
    lht_facts_free(f);
}
END_TEST

START_TEST(os_release_and_junk)
{
    struct lht_facts *f;
    ck_assert_int_eq(tu_parse(lht_parse_os_release, "NAME=\"SLES\"\nVERSION_ID='15.5'\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\nID=\"sles\"\n",
                              1, NULL, NULL, -1, &f), 3);
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "os_version"), "15.5");
    ck_assert_str_eq(lht_facts_kv_get(f, NULL, "os_id"), "sles");
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_uname, "uname: command not found\n\n", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_hostinfo, "hostname : \n", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *hostinfo_suite(void)
{
    Suite *s = suite_create("hostinfo");
    TCase *tc = tcase_create("forms");
    tcase_add_test(tc, bundle_hostinfo);
    tcase_add_loop_test(tc, uname_forms, 0, (int)(sizeof unames / sizeof unames[0]));
    tcase_add_test(tc, os_release_and_junk);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    tu_begin();
    SRunner *sr = srunner_create(hostinfo_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_end();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
