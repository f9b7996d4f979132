/* check_hostinfo.c - hostinfo, uname and os-release (parsers/hostinfo.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "facts/facts.h"
#include "testutil.h"
#include "tu_main.h"

typedef lht_parse_fn_t parse_fn;

#define MEMBER "nodes/worker-1.zip!worker-1/hostinfos/hostinfo"

/* Run fn over len bytes ((size_t)-1: strlen) for node (may be NULL). */
static int run(parse_fn fn, const char *text, size_t len, long first, const char *node,
               struct lht_facts **out)
{
    return tu_parse_mem(fn, text, len == (size_t)-1 ? strlen(text) : len, MEMBER, first, node, NULL, -1, out);
}

/* The only kv for key (fails when there are several), or NULL. */
static const struct lht_kv *kv1(const struct lht_facts *f, const char *key)
{
    size_t n, i;
    const struct lht_kv *kv = lht_facts_kvs(f, &n), *found = NULL;

    for (i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0) {
            ck_assert_msg(found == NULL, "two kvs %s", key);
            found = &kv[i];
        }
    return found;
}

static void want_kv(const struct lht_facts *f, const char *key, const char *value, long line)
{
    const struct lht_kv *kv = kv1(f, key);

    if (value == NULL) {
        ck_assert_msg(kv == NULL, "unexpected %s=%s", key, kv ? kv->value : "");
        return;
    }
    ck_assert_msg(kv != NULL, "no %s", key);
    ck_assert_str_eq(kv->value, value);
    if (line > 0)
        ck_assert_int_eq(kv->at.line, line);
}

#define UNAME_UBUNTU                                                                               \
    "Linux supportbundle-agent-support-bundle-2024-05-01t10-15-02z-x7k2p 5.15.0-105-generic "    \
    "#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux"

/* Bytes as support-bundle-kit writes them: "name : " then space+TAB. */
START_TEST(bundle_hostinfo_ubuntu)
{
    const char *t = "hostname : \n"
                    " \tworker-1\n"
                    "os-release : \n"
                    " \tPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"
                    "\tNAME=\"Ubuntu\"\n"
                    "\tVERSION_ID=\"22.04\"\n"
                    "\tVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\n"
                    "\tVERSION_CODENAME=jammy\n"
                    "\tID=ubuntu\n"
                    "\tID_LIKE=debian\n"
                    "\tHOME_URL=\"https://www.ubuntu.com/\"\n"
                    "system-info : \n"
                    " \t" UNAME_UBUNTU "\n";
    struct lht_facts *f;
    size_t n, i;
    const struct lht_kv *kv;

    ck_assert_int_eq(run(lht_parse_hostinfo, t, (size_t)-1, 1, "worker-1", &f), 8);
    want_kv(f, "hostname", "worker-1", 2);   /* never the agent pod's name */
    want_kv(f, "os", "Ubuntu 22.04.4 LTS", 4);
    want_kv(f, "os_id", "ubuntu", 9);
    want_kv(f, "os_version", "22.04", 6);
    want_kv(f, "kernel_release", "5.15.0-105-generic", 13);
    want_kv(f, "kernel_version", "#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024", 13);
    want_kv(f, "arch", "x86_64", 13);
    want_kv(f, "uname", UNAME_UBUNTU, 13);
    kv = lht_facts_kvs(f, &n);
    for (i = 0; i < n; i++) {
        ck_assert_str_eq(kv[i].at.node, "worker-1");
        ck_assert_str_eq(kv[i].at.member, MEMBER);
    }
    ck_assert_uint_eq(tu_nnotes(f), 0);
    lht_facts_free(f);
}
END_TEST

/* A SLES node, CRLF line ends, os-release keys in another order. */
START_TEST(bundle_hostinfo_sles_crlf)
{
    const char *t = "hostname : \r\n"
                    " \tsles-worker-02.example.com\r\n"
                    "os-release : \r\n"
                    " \tNAME=\"SLES\"\r\n"
                    "\tVERSION=\"15-SP5\"\r\n"
                    "\tVERSION_ID=\"15.5\"\r\n"
                    "\tPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\r\n"
                    "\tID=\"sles\"\r\n"
                    "\tID_LIKE=\"suse\"\r\n"
                    "system-info : \r\n"
                    " \tLinux supportbundle-agent-abc 5.14.21-150500.55.39-default #1 SMP "
                    "PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05) x86_64 x86_64 x86_64 GNU/Linux\r\n";
    struct lht_facts *f;

    ck_assert_int_eq(run(lht_parse_hostinfo, t, (size_t)-1, 1, "sles-worker-02", &f), 8);
    want_kv(f, "hostname", "sles-worker-02.example.com", 2);
    want_kv(f, "os", "SUSE Linux Enterprise Server 15 SP5", 7);
    want_kv(f, "os_id", "sles", 8);
    want_kv(f, "os_version", "15.5", 6);
    want_kv(f, "kernel_release", "5.14.21-150500.55.39-default", 11);
    want_kv(f, "kernel_version", "#1 SMP PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05)", 11);
    want_kv(f, "arch", "x86_64", 11);
    ck_assert_uint_eq(tu_nnotes(f), 0);
    lht_facts_free(f);
}
END_TEST

/* Older bundles and odd hosts: no hostname file, no os-release, an arm
 * node, a hostinfo section cut out of a transcript (first line 57). */
START_TEST(bundle_hostinfo_partial)
{
    const char *t = "hostname : \n"
                    " \t\n"
                    "os-release : \n"
                    " \t\n"
                    "system-info : \n"
                    " \tLinux supportbundle-agent-q 6.1.0-18-arm64 #1 SMP Debian 6.1.76-1 (2024-02-01) aarch64 GNU/Linux\n";
    struct lht_facts *f;

    ck_assert_int_eq(run(lht_parse_hostinfo, t, (size_t)-1, 57, "rpi-3", &f), 4);
    want_kv(f, "hostname", NULL, 0);
    want_kv(f, "os", NULL, 0);
    want_kv(f, "kernel_release", "6.1.0-18-arm64", 62);
    want_kv(f, "kernel_version", "#1 SMP Debian 6.1.76-1 (2024-02-01)", 62);
    want_kv(f, "arch", "aarch64", 62);
    ck_assert_uint_eq(tu_nnotes(f), 0);
    lht_facts_free(f);
}
END_TEST

/* uname forms: text, release, hostname (NULL: none), version, arch, and
 * whether a "uname" kv is kept. */
static const struct {
    const char *name, *text, *release, *host, *version, *arch;
    int whole;
} unames[] = {
    {"Ubuntu 22.04 -a", "Linux worker-1 5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux",
     "5.15.0-105-generic", "worker-1", "#115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024", "x86_64", 1},
    {"RHEL 8 -a", "Linux ocp-worker-07 4.18.0-513.5.1.el8_9.x86_64 #1 SMP Fri Sep 29 05:21:10 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux",
     "4.18.0-513.5.1.el8_9.x86_64", "ocp-worker-07", "#1 SMP Fri Sep 29 05:21:10 EDT 2023", "x86_64", 1},
    {"RHEL 7 -a", "Linux node7.corp.local 3.10.0-1160.el7.x86_64 #1 SMP Mon Oct 19 16:18:59 UTC 2020 x86_64 x86_64 x86_64 GNU/Linux",
     "3.10.0-1160.el7.x86_64", "node7.corp.local", "#1 SMP Mon Oct 19 16:18:59 UTC 2020", "x86_64", 1},
    {"RHEL 9 -a on ppc64le", "Linux p9 5.14.0-427.13.1.el9_4.ppc64le #1 SMP Wed Apr 10 10:29:16 EDT 2024 ppc64le ppc64le ppc64le GNU/Linux",
     "5.14.0-427.13.1.el9_4.ppc64le", "p9", "#1 SMP Wed Apr 10 10:29:16 EDT 2024", "ppc64le", 1},
    {"SLES 15 -a", "Linux sles-a 5.14.21-150500.55.39-default #1 SMP PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05) x86_64 x86_64 x86_64 GNU/Linux",
     "5.14.21-150500.55.39-default", "sles-a", "#1 SMP PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05)", "x86_64", 1},
    {"Ubuntu 24.04 HWE -a", "Linux gpu-01 6.8.0-31-generic #31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux",
     "6.8.0-31-generic", "gpu-01", "#31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024", "x86_64", 1},
    {"Debian arm64 -a (no processor/platform)", "Linux gravi 6.1.0-18-arm64 #1 SMP Debian 6.1.76-1 (2024-02-01) aarch64 GNU/Linux",
     "6.1.0-18-arm64", "gravi", "#1 SMP Debian 6.1.76-1 (2024-02-01)", "aarch64", 1},
    {"busybox/Alpine -a", "Linux alpine 6.6.31-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Mon, 20 May 2024 07:31:03 +0000 x86_64 Linux",
     "6.6.31-0-lts", "alpine", "#1-Alpine SMP PREEMPT_DYNAMIC Mon, 20 May 2024 07:31:03 +0000", "x86_64", 1},
    {"unknown processor/platform", "Linux h 5.10.0-28-amd64 #1 SMP Debian 5.10.209-2 (2024-01-31) x86_64 unknown unknown GNU/Linux",
     "5.10.0-28-amd64", "h", "#1 SMP Debian 5.10.209-2 (2024-01-31)", "x86_64", 1},
    {"uname -srm", "Linux 5.15.0-105-generic x86_64", "5.15.0-105-generic", NULL, NULL, "x86_64", 1},
    {"uname -sr", "Linux 6.8.0-31-generic", "6.8.0-31-generic", NULL, NULL, NULL, 1},
    {"uname -r", "5.14.0-427.13.1.el9_4.x86_64", "5.14.0-427.13.1.el9_4.x86_64", NULL, NULL, NULL, 0},
    {"uname -rm", "4.18.0-553.el8_10.x86_64 x86_64", "4.18.0-553.el8_10.x86_64", NULL, NULL, "x86_64", 0},
    {"prompt, CRLF, trailing blanks", "[root@w1 ~]# uname -a\r\nLinux w1 4.18.0-372.9.1.el8.x86_64 #1 SMP Fri Apr 15 22:12:19 EDT 2022 x86_64 x86_64 x86_64 GNU/Linux  \r\n",
     "4.18.0-372.9.1.el8.x86_64", "w1", "#1 SMP Fri Apr 15 22:12:19 EDT 2022", "x86_64", 1},
};

START_TEST(uname_forms)
{
    struct lht_facts *f;
    int rc = run(lht_parse_uname, unames[_i].text, (size_t)-1, 3, NULL, &f);
    const struct lht_kv *kv;

    ck_assert_msg(rc > 0, "%s: rc %d", unames[_i].name, rc);
    want_kv(f, "kernel_release", unames[_i].release, 0);
    want_kv(f, "hostname", unames[_i].host, 0);
    want_kv(f, "kernel_version", unames[_i].version, 0);
    want_kv(f, "arch", unames[_i].arch, 0);
    kv = kv1(f, "kernel_release");
    ck_assert_ptr_null(kv->at.node);
    ck_assert_int_eq(kv->at.line, strchr(unames[_i].text, '\n') && unames[_i].text[0] == '[' ? 4 : 3);
    if (unames[_i].whole)
        ck_assert_ptr_nonnull(kv1(f, "uname"));
    else
        ck_assert_ptr_null(kv1(f, "uname"));
    lht_facts_free(f);
}
END_TEST

/* os-release and its older relatives: text, os, os_id, os_version. */
static const struct {
    const char *name, *text, *os, *id, *version;
    long os_line;
} osrels[] = {
    {"Ubuntu 22.04", "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n",
     "Ubuntu 22.04.4 LTS", "ubuntu", "22.04", 10},
    {"RHEL 9.4", "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.4 (Plow)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n"
     "VERSION_ID=\"9.4\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n"
     "ANSI_COLOR=\"0;31\"\n",
     "Red Hat Enterprise Linux 9.4 (Plow)", "rhel", "9.4", 16},
    {"SLES 15 SP5, single quotes", "NAME=\"SLES\"\nVERSION_ID='15.5'\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\nID=\"sles\"\n",
     "SUSE Linux Enterprise Server 15 SP5", "sles", "15.5", 12},
    {"Alpine, comments", "# written by alpine-base\nNAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n"
     "PRETTY_NAME=\"Alpine Linux v3.19\"\n",
     "Alpine Linux v3.19", "alpine", "3.19.1", 14},
    {"escaped quotes", "PRETTY_NAME=\"Acme \\\"Edge\\\" Linux\"\nID=acme # vendor build\n",
     "Acme \"Edge\" Linux", "acme", NULL, 10},
    {"only NAME", "NAME=\"Flatcar Container Linux by Kinvolk\"\nID=flatcar\nVERSION_ID=3815.2.2\n",
     "Flatcar Container Linux by Kinvolk", "flatcar", "3815.2.2", 10},
    {"lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\nDISTRIB_CODENAME=focal\nDISTRIB_DESCRIPTION=\"Ubuntu 20.04.6 LTS\"\n",
     "Ubuntu 20.04.6 LTS", "ubuntu", "20.04", 13},
    {"redhat-release", "Red Hat Enterprise Linux release 8.9 (Ootpa)\n",
     "Red Hat Enterprise Linux release 8.9 (Ootpa)", "rhel", "8.9", 10},
    {"centos-release", "CentOS Linux release 7.9.2009 (Core)\n", "CentOS Linux release 7.9.2009 (Core)",
     "centos", "7.9.2009", 10},
    {"CRLF and blanks around '='", "PRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\r\nID=\"rocky\"\r\n\r\nVERSION_ID=\"9.3\"\r\n",
     "Rocky Linux 9.3 (Blue Onyx)", "rocky", "9.3", 10},
};

START_TEST(os_release_forms)
{
    struct lht_facts *f;
    int rc = run(lht_parse_os_release, osrels[_i].text, (size_t)-1, 10, "n1", &f);

    ck_assert_msg(rc == 1 + (osrels[_i].id != NULL) + (osrels[_i].version != NULL), "%s: rc %d",
                  osrels[_i].name, rc);
    want_kv(f, "os", osrels[_i].os, osrels[_i].os_line);
    want_kv(f, "os_id", osrels[_i].id, 0);
    want_kv(f, "os_version", osrels[_i].version, 0);
    ck_assert_str_eq(kv1(f, "os")->at.node, "n1");
    lht_facts_free(f);
}
END_TEST

/* Not uname, not os-release, broken hostinfo: notes, no kvs, no crash. */
static const struct {
    const char *name;
    parse_fn fn;
    const char *text;
    size_t len;
    int rc;
    size_t notes;
} junk[] = {
    {"empty uname", lht_parse_uname, "", 0, 0, 0},
    {"empty hostinfo", lht_parse_hostinfo, "", 0, 0, 0},
    {"empty os-release", lht_parse_os_release, "", 0, 0, 0},
    {"uname not found", lht_parse_uname, "bash: uname: command not found\n\n", (size_t)-1, 0, 1},
    {"Darwin uname", lht_parse_uname,
     "Darwin mbp 23.4.0 Darwin Kernel Version 23.4.0: Fri Mar 15 00:10:42 PDT 2024; root:xnu-10063.101.17~1/RELEASE_ARM64_T6000 arm64\n",
     (size_t)-1, 0, 1},
    {"IP address is not a release", lht_parse_uname, "10.43.58.194\n", (size_t)-1, 0, 1},
    {"hostinfo header only", lht_parse_hostinfo, "hostname : \n", (size_t)-1, 0, 0},
    {"hostinfo text before any header", lht_parse_hostinfo, "garbage\nhostname : \n \tw1\n", (size_t)-1,
     1, 1},
    {"hostinfo hostname with spaces", lht_parse_hostinfo,
     "hostname : \n \tcat: /host/etc/hostname: No such file or directory\n", (size_t)-1, 0, 1},
    {"hostinfo system-info not uname", lht_parse_hostinfo,
     "system-info : \n \tchroot: failed to run command 'uname'\n", (size_t)-1, 0, 1},
    {"hostinfo cut in the middle of uname", lht_parse_hostinfo,
     "hostname : \n \tw1\nsystem-info : \n \tLinux supportbundle-agent-x 5.15.0-105-gen", (size_t)-1, 3, 0},
    {"hostinfo NUL bytes", lht_parse_hostinfo, "hostname : \n \tw\0rker\nos-release : \n \tID=x\n", 42, 1,
     1},
    {"os-release NUL bytes", lht_parse_os_release, "ID=a\0b\nVERSION_ID=1\n", 20, 1, 1},
    {"os-release prose", lht_parse_os_release, "cat: /etc/os-release: No such file or directory\n",
     (size_t)-1, 0, 0},
};

START_TEST(junk_inputs)
{
    struct lht_facts *f;
    int rc = run(junk[_i].fn, junk[_i].text, junk[_i].len, 1, "n1", &f);

    ck_assert_msg(rc == junk[_i].rc, "%s: rc %d", junk[_i].name, rc);
    ck_assert_msg(tu_nnotes(f) == junk[_i].notes, "%s: %zu notes", junk[_i].name, tu_nnotes(f));
    lht_facts_free(f);
}
END_TEST

START_TEST(giant_lines)
{
    size_t big = 100 * 1024;
    char *t = malloc(big + 200);
    struct lht_facts *f;
    parse_fn fns[] = {lht_parse_hostinfo, lht_parse_uname, lht_parse_os_release};
    size_t k;

    ck_assert_ptr_nonnull(t);
    for (k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        strcpy(t, "hostname : \n \t");
        memset(t + 14, 'a', big);
        strcpy(t + 14 + big, "\nPRETTY_NAME=\"X\"\nLinux h 6.8.0-31-generic x86_64\n");
        ck_assert_int_ge(run(fns[k], t, (size_t)-1, 1, NULL, &f), 0);
        ck_assert_uint_ge(tu_nnotes(f), 1);
        lht_facts_free(f);
    }
    free(t);
}
END_TEST

/* Every prefix of a real hostinfo: no overread (exact-size copies under
 * ASan), and the hostname never comes from the uname line. */
START_TEST(every_truncation)
{
    static const char t[] = "hostname : \n \tworker-1\nos-release : \n \tPRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"
                            "\tID=ubuntu\nsystem-info : \n \t" UNAME_UBUNTU "\n";
    size_t cut;

    for (cut = 0; cut < sizeof t; cut++) {
        struct lht_facts *f;
        char *copy = malloc(cut ? cut : 1);
        const char *h;
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, t, cut);
        ck_assert_int_ge(run(lht_parse_hostinfo, copy, cut, 1, "worker-1", &f), 0);
        h = lht_facts_kv_get(f, "worker-1", "hostname");
        if (h != NULL)
            ck_assert_msg(strncmp("worker-1", h, strlen(h)) == 0, "hostname %s", h);
        lht_facts_free(f);
        ck_assert_int_ge(run(lht_parse_uname, copy, cut, 1, NULL, &f), 0);
        lht_facts_free(f);
        ck_assert_int_ge(run(lht_parse_os_release, copy, cut, 1, NULL, &f), 0);
        lht_facts_free(f);
        free(copy);
    }
}
END_TEST

static Suite *hostinfo_suite(void)
{
    Suite *s = suite_create("hostinfo");
    TCase *tc;

    tc = tcase_create("bundle_hostinfo");
    tcase_add_test(tc, bundle_hostinfo_ubuntu);
    tcase_add_test(tc, bundle_hostinfo_sles_crlf);
    tcase_add_test(tc, bundle_hostinfo_partial);
    suite_add_tcase(s, tc);

    tc = tcase_create("uname");
    tcase_add_loop_test(tc, uname_forms, 0, (int)(sizeof unames / sizeof unames[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("os_release");
    tcase_add_loop_test(tc, os_release_forms, 0, (int)(sizeof osrels / sizeof osrels[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_loop_test(tc, junk_inputs, 0, (int)(sizeof junk / sizeof junk[0]));
    tcase_add_test(tc, giant_lines);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(hostinfo_suite)
