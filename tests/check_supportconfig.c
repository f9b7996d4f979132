/* check_supportconfig.c - supportconfig topic files split at their
 * section markers and routed by their labels (ingest/supportconfig.c).
 * Markers and labels as supportutils writes them:
 * https://github.com/openSUSE/supportutils/blob/v3.2.11/bin/supportconfig.rc */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "ingest/supportconfig.h"
#include "testutil.h"
#include "tu_main.h"

#define CMD "#==[ Command ]======================================#\n"
#define CONF "#==[ Configuration File ]===========================#\n"
#define LOG "#==[ Log File ]=====================================#\n"

struct got {
    int n;
    enum lht_kind kind[16];
    char command[16][128];
    long body_line[16], prompt_line[16];
    char body[16][256];
};

static int collect(void *ud, const struct lht_section *s)
{
    struct got *g = ud;
    size_t l = s->body_len < 255 ? s->body_len : 255;

    if (g->n >= 16)
        return LHT_OK;
    g->kind[g->n] = s->kind;
    snprintf(g->command[g->n], sizeof g->command[0], "%s", s->command ? s->command : "");
    g->body_line[g->n] = s->body_line;
    g->prompt_line[g->n] = s->prompt_line;
    memcpy(g->body[g->n], s->body, l);
    g->body[g->n][l] = '\0';
    g->n++;
    return LHT_OK;
}

static void split(const char *text, struct got *g)
{
    int fail = 0;

    memset(g, 0, sizeof *g);
    ck_assert_int_eq(lht_supportconfig_split(text, strlen(text), collect, g, &fail), LHT_OK);
    ck_assert_int_eq(fail, 0);
}

/* argv[0] as `command -v` resolved it: the route sees its base name. */
START_TEST(commands_are_routed_by_base_name)
{
    struct got g;

    split("header text before any marker\n" CMD "# /bin/ps axwwo user,pid,ppid,%cpu,%mem,vsz,rss,stat,time,cmd\n"
          "USER PID\n\n" CMD "# /usr/bin/lsof -b -n -l +fg -P -Ki 2>/dev/null\nCOMMAND PID\n\n" CMD
          "# /bin/uname -a\nLinux x\n\n" CMD "# /bin/hostname\nsles-w2\n\n" CMD
          "# /usr/bin/journalctl --no-pager --output=short-iso --lines 200000\nx\n\n" CMD
          "# /usr/bin/journalctl -u kubelet --no-pager\nx\n\n" CMD "# /usr/sbin/nfsstat\nx\n\n" CMD
          "# /bin/mount\nx\n",
          &g);
    ck_assert_int_eq(g.n, 8);
    ck_assert_str_eq(g.command[0], "ps axwwo user,pid,ppid,%cpu,%mem,vsz,rss,stat,time,cmd");
    ck_assert_int_eq(g.kind[0], LHT_K_PS);
    ck_assert_int_eq(g.prompt_line[0], 2);
    ck_assert_int_eq(g.body_line[0], 4);
    ck_assert_str_eq(g.body[0], "USER PID\n\n");
    ck_assert_int_eq(g.kind[1], LHT_K_LSOF);
    ck_assert_int_eq(g.kind[2], LHT_K_UNAME);
    ck_assert_int_eq(g.kind[3], LHT_K_HOSTNAME);
    ck_assert_int_eq(g.kind[4], LHT_K_KERNEL_LOG);   /* the whole journal */
    ck_assert_int_eq(g.kind[5], LHT_K_OTHER);        /* a unit's journal */
    ck_assert_int_eq(g.kind[6], LHT_K_OTHER);        /* plain nfsstat: no mounts */
    ck_assert_int_eq(g.kind[7], LHT_K_MOUNT_CMD);
}
END_TEST

/* Files are routed by their path; missing ones and cut logs lose their
 * suffix; sections no route knows are kept as OTHER, never sniffed. */
START_TEST(files_and_other_sections)
{
    struct got g;

    split(CONF "# /proc/mounts\nproc /proc proc rw 0 0\n\n\n" CONF "# /etc/os-release\nNAME=\"SLES\"\n\n\n" CONF
          "# /etc/fstab\n10.0.0.1:/x /mnt nfs4 defaults 0 0\n\n\n" CONF "# /etc/nfs.conf.local - File not found\n\n"
          LOG "# /var/log/messages - Last 200000 Lines\nSep 24 kernel: x\n\n"
          "#==[ Checking Health of Processes ]=================#\n# awk '$8 ~ /D|Z/' /var/log/scc_x/psout.Xq3\n"
          "root 4242 4190 0.0 0.0 1604 892 Ds 00:00:00 /bin/sh\n\n"
          "#==[ Summary ]======================================#\n# Top 10 CPU Processes\n%CPU PID\n",
          &g);
    ck_assert_int_eq(g.n, 7);
    ck_assert_int_eq(g.kind[0], LHT_K_PROC_MOUNTS);
    ck_assert_str_eq(g.body[0], "proc /proc proc rw 0 0\n\n\n");
    ck_assert_int_eq(g.kind[1], LHT_K_OS_RELEASE);
    ck_assert_int_eq(g.kind[2], LHT_K_OTHER);         /* configuration, not mounted state */
    ck_assert_str_eq(g.command[3], "/etc/nfs.conf.local");
    ck_assert_int_eq(g.kind[3], LHT_K_OTHER);
    ck_assert_str_eq(g.command[4], "/var/log/messages");
    ck_assert_int_eq(g.kind[4], LHT_K_KERNEL_LOG);
    ck_assert_int_eq(g.kind[5], LHT_K_OTHER);
    ck_assert_int_eq(g.kind[6], LHT_K_OTHER);
}
END_TEST

START_TEST(markers_need_their_shape)
{
    struct got g;

    ck_assert_int_eq(lht_supportconfig_markers(CMD "# /bin/ps\n", strlen(CMD) + 10, 5), 1);
    ck_assert_int_eq(lht_supportconfig_markers("#==[ Command ]\n#== Command ==#\n# /bin/ps\n", 40, 5), 0);
    ck_assert_int_eq(lht_supportconfig_markers("#==[ Command ]=====#\r\n", 22, 5), 1);
    split("no markers at all\n# /bin/ps aux\n", &g);
    ck_assert_int_eq(g.n, 0);
    split(CMD, &g);   /* a marker at the very end */
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.kind[0], LHT_K_OTHER);
}
END_TEST

/* A topic file given as a loose member is split too: the D row of the
 * ps listing and the NFSv4.2 mount come out as facts. */
START_TEST(loose_topic_file_to_facts)
{
    static const char text[] =
        CMD "# /bin/ps axwwo user,pid,ppid,%cpu,%mem,vsz,rss,stat,time,cmd\n"
        "USER         PID    PPID %CPU %MEM    VSZ   RSS STAT     TIME CMD\n"
        "root        4242    4190  0.0  0.0   1604   892 Ds   00:00:00 /bin/sh -c while true; do echo x >> /data/f; done\n\n"
        CONF "# /proc/mounts\n"
        "10.43.201.15:/pvc-7b3e9a12-5c4d-4f6e-8a90-1b2c3d4e5f60 /var/lib/kubelet/pods/e6/mount nfs4 "
        "rw,relatime,vers=4.2,softerr,addr=10.43.201.15 0 0\n\n\n";
    struct lht_facts *f = lht_facts_new();
    const struct lht_process *p;
    const struct lht_mount *m;
    size_t n;
    lht_err err;

    ck_assert_int_eq(lht_extract_text(f, "ticket/basic-health-check.txt", text, strlen(text), &err), LHT_OK);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_int_eq(p[0].pid, 4242);
    ck_assert_str_eq(p[0].stat, "Ds");
    ck_assert_int_eq(p[0].at.line, 4);
    m = lht_facts_mounts(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_str_eq(m[0].nfs_vers, "4.2");
    ck_assert_int_eq(m[0].at.line, 8);
    ck_assert_str_eq(lht_facts_members(f, &n)[0].kind, "supportconfig");
    lht_facts_free(f);
}
END_TEST

static Suite *supportconfig_suite(void)
{
    Suite *s = suite_create("supportconfig");
    TCase *tc = tcase_create("supportconfig");

    tcase_add_test(tc, commands_are_routed_by_base_name);
    tcase_add_test(tc, files_and_other_sections);
    tcase_add_test(tc, markers_need_their_shape);
    tcase_add_test(tc, loose_topic_file_to_facts);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(supportconfig_suite)
