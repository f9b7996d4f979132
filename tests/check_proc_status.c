/* check_proc_status.c - /proc/<pid>/status blocks (parsers/proc_status.c).
 *
 * The field layout is the kernel's task_state() in fs/proc/array.c
 * (https://github.com/torvalds/linux/blob/master/fs/proc/array.c):
 * "Name:\t%s", "State:\t%s", "Tgid:\t%d", "Ngid:", "Pid:\t%d",
 * "PPid:\t%d", ...; State names are "R (running)", "S (sleeping)",
 * "D (disk sleep)", ... from task_state_array[]. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "testutil.h"
#include "tu_main.h"

static const char WRITER[] = "Name:\tsh\n"
                             "Umask:\t0022\n"
                             "State:\tD (disk sleep)\n"
                             "Tgid:\t123315\n"
                             "Ngid:\t0\n"
                             "Pid:\t123315\n"
                             "PPid:\t123300\n"
                             "TracerPid:\t0\n"
                             "Uid:\t0\t0\t0\t0\n";

START_TEST(one_block)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_process *p;

    ck_assert_int_eq(tu_parse(lht_parse_proc_status, WRITER, 1, "n1", NULL, -1, &f), 1);
    p = lht_facts_processes(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(p[0].pid, 123315);
    ck_assert_int_eq(p[0].ppid, 123300);
    ck_assert_int_eq(p[0].tid, -1);
    ck_assert_str_eq(p[0].stat, "D");
    ck_assert_str_eq(p[0].command, "sh");
    ck_assert_int_eq(p[0].at.line, 3);   /* the State: line */
    ck_assert_str_eq(p[0].at.node, "n1");
    lht_facts_free(f);
}
END_TEST

/* a for-loop over pids, pasted with spaces for tabs, one thread among them */
START_TEST(several_blocks_spaces_and_threads)
{
    const char *text = "123312\n"
                       "Name:   sh\n"
                       "State:  S (sleeping)\n"
                       "Tgid:   123312\n"
                       "Pid:    123312\n"
                       "PPid:   1\n"
                       "123316\n"
                       "Name:   java\n"
                       "State:  D (disk sleep)\n"
                       "Tgid:   9001\n"
                       "Pid:    9007\n"
                       "PPid:   1\n";
    struct lht_facts *f;
    size_t n;
    const struct lht_process *p;

    ck_assert_int_eq(tu_parse(lht_parse_proc_status, text, 10, NULL, NULL, -1, &f), 2);
    p = lht_facts_processes(f, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(p[0].pid, 123312);
    ck_assert_str_eq(p[0].stat, "S");
    ck_assert_int_eq(p[0].at.line, 12);
    ck_assert_int_eq(p[1].pid, 9001);    /* the process */
    ck_assert_int_eq(p[1].tid, 9007);    /* its thread */
    ck_assert_str_eq(p[1].stat, "D");
    ck_assert_str_eq(p[1].command, "java");
    lht_facts_free(f);
}
END_TEST

/* no State: line, or not status text at all: nothing */
START_TEST(incomplete_and_foreign)
{
    struct lht_facts *f;

    ck_assert_int_eq(tu_parse(lht_parse_proc_status, "Name:\tsh\nPid:\t5\n", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_proc_status, "State of the union: fine\nroot 1 0.0\n", 1, NULL,
                              NULL, -1, &f), 0);
    lht_facts_free(f);
}
END_TEST

/* the pid named by the command stands in when the block has none */
START_TEST(pid_from_context)
{
    struct lht_facts *f;
    size_t n;

    ck_assert_int_eq(tu_parse(lht_parse_proc_status, "Name:\tsh\nState:\tD (disk sleep)\n", 1, NULL,
                              "cat /proc/77/status", 77, &f), 1);
    ck_assert_int_eq(lht_facts_processes(f, &n)[0].pid, 77);
    lht_facts_free(f);
}
END_TEST

/* found by its path (sosreport proc/<pid>/status), by its shape, and by
 * the command in a pasted session: the registry entry drives all three.
 * The path and command cases hold no Pid: line, so the pid can only come
 * from the path or command pattern. */
START_TEST(found_by_path_shape_and_command)
{
    static const char BARE[] = "Name:\tsh\nState:\tD (disk sleep)\n";
    static const char *const members[] = {"sosreport-w1/proc/123315/status", "paste.txt", "session.txt"};
    char session[512];
    size_t i, n;

    snprintf(session, sizeof session, "root@w1:~# cat /proc/123315/status\n%s", BARE);
    for (i = 0; i < 3; i++) {
        struct lht_facts *f = lht_facts_new();
        const char *text = i == 0 ? BARE : i == 1 ? WRITER : session;
        lht_err err;
        const struct lht_process *p;
        ck_assert_int_eq(lht_extract_text(f, members[i], text, strlen(text), &err), LHT_OK);
        p = lht_facts_processes(f, &n);
        ck_assert_msg(n == 1, "%s: %zu processes", members[i], n);
        ck_assert_int_eq(p[0].pid, 123315);
        ck_assert_str_eq(p[0].stat, "D");
        if (i == 2)
            ck_assert_str_eq(p[0].at.node, "w1");
        lht_facts_free(f);
    }
}
END_TEST

/* grep over the status files prefixes each line with its file; head and
 * tail print a header before each: both name the pid. The tab after the
 * key may be gone ("State:D", tanelpoder.com). */
START_TEST(file_prefixes_and_headers)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_process *p;
    const char *grep = "/proc/4711/status:State:\tD (disk sleep)\n"
                       "/proc/4712/status:State:\tS (sleeping)\n"
                       "/proc/77/task/78/status:State:D (disk sleep)\n";
    const char *head = "==> /proc/101/status <==\nName:\tsh\nState:\tD (disk sleep)\n\n"
                       "==> /proc/202/status <==\nState:\tR (running)\n";

    ck_assert_int_eq(tu_parse(lht_parse_proc_status, grep, 1, NULL, NULL, -1, &f), 3);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq(p[0].pid, 4711);
    ck_assert_str_eq(p[0].stat, "D");
    ck_assert_int_eq(p[0].at.line, 1);
    ck_assert_int_eq(p[1].pid, 4712);
    ck_assert_str_eq(p[1].stat, "S");
    ck_assert_int_eq(p[2].pid, 78);
    lht_facts_free(f);
    ck_assert_int_eq(tu_parse(lht_parse_proc_status, head, 1, NULL, NULL, -1, &f), 2);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq(p[0].pid, 101);
    ck_assert_str_eq(p[0].command, "sh");
    ck_assert_int_eq(p[1].pid, 202);
    ck_assert_str_eq(p[1].stat, "R");
    lht_facts_free(f);
}
END_TEST

static Suite *proc_status_suite(void)
{
    Suite *s = suite_create("proc_status");
    TCase *tc = tcase_create("blocks");
    tcase_add_test(tc, one_block);
    tcase_add_test(tc, several_blocks_spaces_and_threads);
    tcase_add_test(tc, incomplete_and_foreign);
    tcase_add_test(tc, pid_from_context);
    tcase_add_test(tc, found_by_path_shape_and_command);
    tcase_add_test(tc, file_prefixes_and_headers);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(proc_status_suite)
