/* check_hostname.c - `hostname` output into the hostname kv
 * (parsers/hostname.c), and sos's version.txt (parsers/sos_version.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

START_TEST(hostname_forms)
{
    static const struct {
        const char *text, *want;
        size_t notes;
    } cases[] = {
        {"rke2-w1\n", "rke2-w1", 0},
        {"\n  sles-w2.example.com  \r\n", "sles-w2.example.com", 0},
        {"ip-10-0-12-21.eu-west-1.compute.internal\n", "ip-10-0-12-21.eu-west-1.compute.internal", 0},
        {"hostname: Name or service not known\n", NULL, 1},
        {"", NULL, 0},
    };
    size_t i, n;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lht_facts *f;
        int r = tu_parse(lht_parse_hostname, cases[i].text, 1, NULL, "hostname", -1, &f);
        const struct lht_kv *kv = lht_facts_kvs(f, &n);
        ck_assert_int_eq(r, cases[i].want != NULL);
        if (cases[i].want) {
            ck_assert_str_eq(kv[0].key, "hostname");
            ck_assert_str_eq(kv[0].value, cases[i].want);
        }
        ck_assert_int_eq((int)tu_nnotes(f), (int)cases[i].notes);
        lht_facts_free(f);
    }
}
END_TEST

START_TEST(sos_versions)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"sos report: 4.10.0", "4.10.0"},                                   /* 4.x, no newline */
        {"sosreport: 3.9\nfilesys: unversioned\nhost: unversioned\n", "3.9"}, /* 3.x */
        {"version 1.2\n", NULL},
        {"sosreport: unknown\n", NULL},
    };
    size_t i, n;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lht_facts *f;
        int r = tu_parse(lht_parse_sos_version, cases[i].text, 1, "w1", NULL, -1, &f);
        ck_assert_int_eq(r, cases[i].want != NULL);
        if (cases[i].want)
            ck_assert_str_eq(lht_facts_kvs(f, &n)[0].value, cases[i].want);
        lht_facts_free(f);
    }
}
END_TEST

static Suite *hostname_suite(void)
{
    Suite *s = suite_create("hostname");
    TCase *tc = tcase_create("hostname");

    tcase_add_test(tc, hostname_forms);
    tcase_add_test(tc, sos_versions);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(hostname_suite)
