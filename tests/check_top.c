/* check_top.c - top -b output (parsers/top.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

static const struct {
    const char *name, *text, *command;
    int rows;
    long pid;
    const char *stat, *user, *cmd;
    long line;
} cases[] = {
    /* procps-ng 4.x, from top/top_nls.c */
    {"batch mode with its summary",
     "top - 10:02:11 up 12 days,  3:41,  1 user,  load average: 5.03, 4.98, 4.51\n"
     "Threads: 412 total,   1 running, 406 sleeping,   0 stopped,   0 zombie\n"
     "%Cpu(s):  0.3 us,  0.2 sy,  0.0 ni, 99.4 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st \n"
     "MiB Mem :  15731.2 total,   9876.5 free,   2011.3 used,   4171.0 buff/cache     \n"
     "MiB Swap:   2048.0 total,   2048.0 free,      0.0 used.  13719.9 avail Mem \n"
     "\n"
     "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n"
     "3734491 root      20   0    7256   3584   3200 D   0.0   0.0   0:04.12 bash\n"
     "      1 root      20   0  171808  16384  10496 S   0.0   0.1   1:02.33 systemd\n",
     NULL, 2, 3734491, "D", "root", "bash", 8},
    /* node_exporter#1121: awk kept the first 7 lines and the D rows */
    {"procps 3.3, KiB lines, suffixed VIRT",
     "top - 16:39:44 up 103 days, 20:03,  2 users,  load average: 331.38, 330.84, 300.15\n"
     "KiB Mem : 65975208 total,   509720 free, 33175900 used, 32289588 buff/cache\n\n"
     "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU %MEM     TIME+ COMMAND\n"
     "19263 root      20   0       0      0      0 D   0.0  0.0   0:00.00 172.16.89.197-m\n"
     "21651 nobody    20   0 10.916g 200524   5236 D   0.0  0.3   0:24.57 node_exporter\n"
     "Total status D: 2\n",
     "top -b -n 1 | awk '{if (NR <=7) print}'", 2, 21651, "D", "nobody", "node_exporter", 6},
    {"rows without the header, from the command", "19263 root 20 0 0 0 0 D 0.0 0.0 0:00.00 172.16.89.197-m\n",
     "top -bn1 | grep ' D '", 1, 19263, "D", "root", "172.16.89.197-m", 1},
    {"fields reordered by the field manager", "    PID S USER     COMMAND\n   4242 D app      writer --append\n",
     NULL, 1, 4242, "D", "app", "writer --append", 2},
    {"rows without header or summary are nobody's", "19263 root 20 0 0 0 0 D 0.0 0.0 0:00.00 kthread\n", NULL,
     0, 0, NULL, NULL, NULL, 0},
};

START_TEST(formats)
{
    struct lht_facts *f;
    size_t n, i;
    const struct lht_process *p, *row = NULL;
    int rc = tu_parse(lht_parse_top, cases[_i].text, 1, "n1", cases[_i].command, -1, &f);
    ck_assert_msg(rc == cases[_i].rows, "%s: %d rows", cases[_i].name, rc);
    p = lht_facts_processes(f, &n);
    for (i = 0; i < n; i++)
        if (p[i].pid == cases[_i].pid)
            row = &p[i];
    if (cases[_i].rows > 0) {
        ck_assert_ptr_nonnull(row);
        ck_assert_str_eq(row->stat, cases[_i].stat);
        ck_assert_str_eq(row->user, cases[_i].user);
        ck_assert_str_eq(row->command, cases[_i].cmd);
        ck_assert_int_eq(row->at.line, cases[_i].line);
    }
    lht_facts_free(f);
}
END_TEST

START_TEST(hostile)
{
    struct lht_facts *f;
    const char t[] = "top - 1:00 up\n  PID USER S COMMAND\n\0\0\n99999999999999999999 x D y\n1 a Q z\n";
    ck_assert_int_eq(tu_parse_mem(lht_parse_top, t, sizeof t - 1, "t", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

static Suite *top_suite(void)
{
    Suite *s = suite_create("top");
    TCase *tc = tcase_create("formats");
    tcase_add_loop_test(tc, formats, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, hostile);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(top_suite)
