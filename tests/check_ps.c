/* check_ps.c - ps output in the formats seen in tickets (parsers/ps.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tu_main.h"

/* text, ps command (or NULL), expected rows, then one row to check */
static const struct {
    const char *name, *text, *command;
    int rows;
    long pid, ppid, tid;
    const char *stat, *user, *wchan, *command_col;
    long line;
} cases[] = {
    {"aux with header", "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
     "root           1  0.0  0.1 167744 13124 ?        Ss   Sep22   0:41 /sbin/init\n"
     "root      123315  0.0  0.0   4508  1536 pts/0    Ds+  Sep24   0:12 /bin/sh -c sleep 10; touch /data/index.html\n",
     NULL, 2, 123315, -1, -1, "Ds+", "root", NULL, "/bin/sh -c sleep 10; touch /data/index.html", 3},
    {"aux rows after grep, no header",
     "root      123312  0.1  0.0   4508  1536 pts/0    Ss+  Sep24   1:00 /bin/sh -c x\n"
     "root      123315  0.0  0.0   4508  1536 pts/0    Ds+  Sep24   0:12 /bin/sh -c x\n"
     "root     1934740  0.0  0.0   7076  2048 pts/0    S+   06:58   0:00 grep --color=auto echo\n",
     "ps aux | grep echo", 3, 123315, -1, -1, "Ds+", "root", NULL, "/bin/sh -c x", 2},
    {"-ef with header", "UID          PID    PPID  C STIME TTY          TIME CMD\n"
     "root        5120    5101  0 Feb17 ?        00:00:31 /bin/sh -c while true; do echo x; done\n",
     NULL, 1, 5120, 5101, -1, NULL, "root", NULL, "/bin/sh -c while true; do echo x; done", 2},
    {"-ef rows, no header",
     "postgres 48211 48200  0 14:01 ?        00:00:02 postgres: checkpointer\n", "ps -ef | grep post", 1,
     48211, 48200, -1, NULL, "postgres", NULL, "postgres: checkpointer", 1},
    {"-elf (F S ... WCHAN)", "F S UID          PID    PPID  C PRI  NI ADDR SZ WCHAN  STIME TTY          TIME CMD\n"
     "0 D root       88412   88390  0  80   0 - 551234 rpc_wa 08:50 ?     00:00:03 java -jar w.jar\n",
     NULL, 1, 88412, 88390, -1, "D", "root", "rpc_wa", "java -jar w.jar", 2},
    {"-eLf threads", "UID          PID    PPID     LWP  C NLWP STIME TTY          TIME CMD\n"
     "root        9001       1    9007  0   12 10:00 ?        00:00:00 /usr/bin/app --serve\n",
     NULL, 1, 9001, 1, 9007, NULL, "root", NULL, "/usr/bin/app --serve", 2},
    {"-eo custom with wchan:32", "    PID STAT WCHAN                            CMD\n"
     "  45120 D    nfs_set_open_stateid_locked      python3 /app/append_log.py /shared/app.log\n"
     "      2 S    kthreadd                         [kthreadd]\n",
     NULL, 2, 45120, -1, -1, "D", NULL, "nfs_set_open_stateid_locked",
     "python3 /app/append_log.py /shared/app.log", 2},
    {"-eo rows without header (awk filter), layout from the command",
     "  88412   88390 D    rpc_wait_bit_killable            java -jar /opt/app/report-writer.jar\n",
     "ps -eo pid,ppid,stat,wchan:32,cmd | awk '$3 ~ /D/'", 1, 88412, 88390, -1, "D", NULL,
     "rpc_wait_bit_killable", "java -jar /opt/app/report-writer.jar", 1},
    {"-eLo pid,tid,stat,wchan,comm", "    PID     TID STAT WCHAN  COMMAND\n"
     "   7781    7790 Dl   -      java\n",
     NULL, 1, 7781, -1, 7790, "Dl", NULL, NULL, "java", 2},
    {"busybox", "PID   USER     TIME  COMMAND\n    1 root      0:00 /sbin/init\n  212 root      0:03 ganesha.nfsd -F\n",
     NULL, 2, 212, -1, -1, NULL, "root", NULL, "ganesha.nfsd -F", 3},
    {"ax", "    PID TTY      STAT   TIME COMMAND\n   1201 ?        D      1:02 [nfsd]\n",
     NULL, 1, 1201, -1, -1, "D", NULL, NULL, "[nfsd]", 2},
    {"CRLF and kernel thread", "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\r\n"
     "root 312 0.0 0.0 0 0 ? D< Sep22 0:03 [jbd2/vda1-8]\r\n",
     NULL, 1, 312, -1, -1, "D<", "root", NULL, "[jbd2/vda1-8]", 2},
    {"sos ps_-elfL (F S ... LWP ... WCHAN)",
     "F S UID          PID    PPID     LWP  C PRI  NI ADDR SZ WCHAN  STIME TTY          TIME CMD\n"
     "4 S root      123402  123240  123402  0  80   0 -   401 do_wai 06:41 ?        00:00:00 /bin/sh -c x\n"
     "4 D root      123315  123240  123315  0  80   0 -   401 nfs_se 06:41 ?        00:00:00 /bin/sh -c x\n",
     NULL, 2, 123315, 123240, 123315, "D", "root", "nfs_se", "/bin/sh -c x", 3},
    {"sos ps_alxwww (F UID PID PPID ... WCHAN STAT)",
     "F   UID     PID    PPID PRI  NI    VSZ   RSS WCHAN  STAT TTY        TIME COMMAND\n"
     "4     0  123315  123240  20   0   1604   896 nfs_se Ds   ?          0:00 /bin/sh -c x\n",
     NULL, 1, 123315, 123240, -1, "Ds", "0", "nfs_se", "/bin/sh -c x", 2},
    {"sos ps axo flags,state,...,wchan:20,lstart,tty,time,cmd (LSTART is five words)",
     "F S   UID     PID    PPID    PGID     SID CLS PRI PSR ADDR SZ WCHAN                STARTED TT           TIME CMD\n"
     "0 D     0  123315  123240  123240  123240 TS   19   1 -   401 nfs_set_open_statei  Wed Sep 24 06:41:02 2025 ?    00:00:00 /bin/sh -c x\n",
     NULL, 1, 123315, 123240, -1, "D", "0", "nfs_set_open_statei", "/bin/sh -c x", 2},
    /* insights-core PS_AUXWWWM_LINES shape: the state is on the thread line */
    {"ps auxwwwm: process line STAT -, thread line holds the state",
     "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
     "root           1  1.8  0.8  24228 15660 ?        -    09:56   0:00 /usr/lib/systemd/systemd rhgb\n"
     "root           -  1.8    -      -     - -        Ss   09:56   0:00 -\n"
     "root      123315  0.0  0.0   1604   896 ?        -    06:41   0:00 /bin/sh -c while true; do echo x >> /data/f; done\n"
     "root           -  0.0    -      -     - -        Ds   06:41   0:00 -\n",
     NULL, 2, 123315, -1, -1, "Ds", "root", NULL, "/bin/sh -c while true; do echo x >> /data/f; done", 5},
    {"ps auxm rows without header (grep -A1)",
     "root      123315  0.0  0.0   1604   896 ?        -    06:41   0:00 /bin/sh -c x\n"
     "root           -  0.0    -      -     - -        Ds   06:41   0:00 -\n",
     "ps auxm | grep -A1 index.html", 1, 123315, -1, -1, "Ds", "root", NULL, "/bin/sh -c x", 2},
    {"ps -m -o pid,tid,stat,wchan:32,comm: one row per thread, TID from the thread line",
     "    PID     TID STAT WCHAN                            COMMAND\n"
     "   5414       - -    -                                writer\n"
     "      -    5414 Sl   futex_wait_queue                 -\n"
     "      -    5415 D    rpc_wait_bit_killable            -\n",
     NULL, 2, 5414, -1, 5415, "D", NULL, "rpc_wait_bit_killable", "writer", 4},
    {"prose and prompts are not rows", "The customer says:\nroot@h:~# ps aux\nnothing here 1 2 3\n\n",
     NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0},
    /* ---- header-less rows, by shape (research of public pastes) ------- */
    {"-eopid,state,wchan:32,cmd glued, from the command",
     "2770 D txg_rele_to_sync                 [z_wr_int_h/0]\n19513 D vfs_fsync_range                  [nfsd]\n",
     "ps -eopid,state,wchan:32,cmd | awk '$2 ~ /D/'", 2, 19513, -1, -1, "D", NULL, "vfs_fsync_range", "[nfsd]", 2},
    {"pid state wchan cmd without header or command",
     "2770 D txg_rele_to_sync                 [z_wr_int_h/0]\n  45120 D    nfs_set_open_stateid_locked  python3 /a.py\n",
     NULL, 2, 45120, -1, -1, "D", NULL, "nfs_set_open_stateid_locked", "python3 /a.py", 2},
    {"pid ppid stat wchan cmd without header",
     "  88412   88390 D    rpc_wait_bit_killable            java -jar /opt/w.jar\n", NULL, 1, 88412, 88390, -1,
     "D", NULL, "rpc_wait_bit_killable", "java -jar /opt/w.jar", 1},
    {"state pid comm (ps -A -ostate,pid,comm), its header leaked through grep D",
     "S   PID COMMAND\nD 22938 nfsd\nD 27018 kworker/u:1\n", NULL, 2, 27018, -1, -1, "D", NULL, NULL, "kworker/u:1", 3},
    {"state pid comm without the header", "D 22938 nfsd\nD 38901 txg_sync\n", NULL, 2, 38901, -1, -1, "D", NULL, NULL,
     "txg_sync", 2},
    {"-el rows without header (F S UID PID PPID ...)",
     "0 D  1000   12345    4567  0  80   0 -  1234 rpc_wa pts/0    00:00:00 cat\n", NULL, 1, 12345, 4567, -1, "D",
     "1000", "rpc_wa", "cat", 1},
    {"-elf rows without header", "0 D root       12345    4567  0  80   0 - 1234 rpc_wa 11:57 pts/0    00:00:01 find . -type f\n",
     NULL, 1, 12345, 4567, -1, "D", "root", "rpc_wa", "find . -type f", 1},
    {"a header pasted from another listing (alx header over -ely rows)",
     "F   UID    PID   PPID PRI  NI    VSZ   RSS WCHAN  STAT TTY        TIME COMMAND\n"
     "D     0  18843   9522  0  80   0 20684 97379 walk_c ?          0:00 /usr/sbin/smbd -D\n"
     "R 65534  37122   9522 13  80   0 24044 97423 -      ?        203:06 /usr/sbin/smbd -D\n",
     NULL, 2, 18843, 9522, -1, "D", "0", "walk_c", "/usr/sbin/smbd -D", 2},
    {"ps l with its header, indented in a commit message",
     "    F  UID    PID PPID PRI  NI    VSZ   RSS WCHAN  STAT TTY      TIME COMMAND\n"
     "    5    0    159    1  20   0  44644  1696 n_tty_ S    ?        0:04 /bin/plymouthd --attach-to-session\n",
     NULL, 1, 159, 1, -1, "S", "0", "n_tty_", "/bin/plymouthd --attach-to-session", 2},
    {"busybox with VSZ suffixes", "  PID USER       VSZ STAT COMMAND\n 4424 root     4805m S    /v2ray -config x\n"
                                  " 1532 root      1212 D    cat /mnt/nfs/data.txt\n",
     NULL, 2, 1532, -1, -1, "D", "root", NULL, "cat /mnt/nfs/data.txt", 3},
    {"busybox -l (state first)", "S   UID   PID  PPID   VSZ   RSS TTY   STIME TIME     CMD\n"
                                 "D     0  1532  1400  1212   380 136,0 10:02 00:00:00 cat /mnt/nfs/data.txt\n",
     NULL, 1, 1532, 1400, -1, "D", "0", NULL, "cat /mnt/nfs/data.txt", 2},
    {"duplicate COMMAND header (comm and args)", "  ELAPSED    PID   PPID S COMMAND         COMMAND\n"
                                                 "51-21:05:51      2      0 S kthreadd        [kthreadd]\n",
     NULL, 1, 2, 0, -1, "S", NULL, NULL, "[kthreadd]", 2},
    {"-eLf: a thread's row is its process's", "UID          PID    PPID     LWP  C NLWP STIME TTY          TIME CMD\n"
                                              "datastr+    5414    2681    5415  0    3 21:05 pts/0    00:00:00 ./writer\n",
     NULL, 1, 5414, 2681, 5415, NULL, "datastr+", NULL, "./writer", 2},
    {"-eLo pid,tid,... header leaked through grep, 7-digit pids",
     "    PID     TID    PPID USER        COMMAND         S WCHAN\n"
     "3862146 3899178       1 root        gdn             D xfs_reclaim_inodes_ag\n",
     NULL, 1, 3862146, 1, 3899178, "D", "root", "xfs_reclaim_inodes_ag", "gdn", 2},
    {"aux row with 7-digit VSZ and Dsl", "nobody    1141  0.0  0.1 4360512 90660 ?       Dsl  10:51   0:01 /bin/node_exporter --x\n",
     NULL, 1, 1141, -1, -1, "Dsl", "nobody", NULL, "/bin/node_exporter --x", 1},
    {"a row cut by the next prompt is no row", "UID        PID  PPID  C STIME TTY          TIME CMD\n"
                                               "root         1     1  0root@localhost:~#\n",
     NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0},
    {"a column this parser does not know (procps grows new ones)",
     "    PID STAT CGNAME                     CMD\n   4242 D    kubepods-besteffort.slice  /bin/sh -c echo x\n",
     NULL, 1, 4242, -1, -1, "D", NULL, NULL, "/bin/sh -c echo x", 2},
    {"crash's ps header is not a ps header", "   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM\n"
                                           "  31476   2834   2  ffff88ea1174d100  UN   0.0   38868   3744  ps\n",
     NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0},
    {"kernel log task lines are not ps rows",
     "[  246.886660] bash            D    0   576    515 0x00000000\nnfsd            D ffff88203f093780     0  3809      2 0x0\n",
     NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0},
};

START_TEST(formats)
{
    struct lht_facts *f;
    size_t n, i;
    const struct lht_process *p, *row = NULL;
    int rc = tu_parse(lht_parse_ps, cases[_i].text, 1, "n1", cases[_i].command, -1, &f);
    ck_assert_msg(rc == cases[_i].rows, "%s: %d rows", cases[_i].name, rc);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq((int)n, cases[_i].rows);
    for (i = 0; i < n; i++)
        if (p[i].pid == cases[_i].pid)
            row = &p[i];
    if (cases[_i].rows > 0) {
        ck_assert_msg(row != NULL, "%s: pid %ld missing", cases[_i].name, cases[_i].pid);
        ck_assert_int_eq(row->ppid, cases[_i].ppid);
        ck_assert_int_eq(row->tid, cases[_i].tid);
        if (cases[_i].stat)
            ck_assert_str_eq(row->stat, cases[_i].stat);
        if (cases[_i].user)
            ck_assert_str_eq(row->user, cases[_i].user);
        if (cases[_i].wchan)
            ck_assert_str_eq(row->wchan, cases[_i].wchan);
        else
            ck_assert_ptr_null(row->wchan);
        ck_assert_str_eq(row->command, cases[_i].command_col);
        ck_assert_int_eq(row->at.line, cases[_i].line);
        ck_assert_str_eq(row->at.node, "n1");
    }
    lht_facts_free(f);
}
END_TEST

/* ps m: threads in one state make one row, a thread in D makes the
 * process a D process, a process line cut off before its threads is still
 * a process, and a thread line with no process line names no one. */
START_TEST(ps_m_threads_belong_to_their_process)
{
    static const char text[] =
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        "root           -  0.0    -      -     - -        S    06:41   0:00 -\n"
        "app         5414  0.0  0.1 221312  4096 pts/0    -    21:05   0:00 ./writer\n"
        "app            -  0.0    -      -     - -        Sl   21:05   0:00 -\n"
        "app            -  0.0    -      -     - -        Sl   21:05   0:00 -\n"
        "app            -  0.0    -      -     - -        D    21:05   0:00 -\n"
        "app            -  0.0    -      -     - -        Sl   21:05   0:00 -\n"
        "root        7001  0.0  0.0   1604   896 ?        -    06:41   0:00 sleep 5\n";
    struct lht_facts *f;
    size_t n;
    const struct lht_process *p;

    ck_assert_int_eq(tu_parse(lht_parse_ps, text, 1, "n1", NULL, -1, &f), 3);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq((int)n, 3);
    ck_assert_int_eq(p[0].pid, 5414);
    ck_assert_str_eq(p[0].stat, "Sl");
    ck_assert_int_eq(p[0].at.line, 4);
    ck_assert_int_eq(p[1].pid, 5414);
    ck_assert_str_eq(p[1].stat, "D");
    ck_assert_str_eq(p[1].command, "./writer");
    ck_assert_str_eq(p[1].user, "app");
    ck_assert_int_eq(p[1].at.line, 6);
    ck_assert_int_eq(p[2].pid, 7001);
    ck_assert_ptr_null(p[2].stat);
    ck_assert_str_eq(p[2].command, "sleep 5");
    lht_facts_free(f);
}
END_TEST

START_TEST(line_numbers_follow_first_line)
{
    struct lht_facts *f;
    size_t n;
    const struct lht_process *p;
    ck_assert_int_eq(tu_parse(lht_parse_ps, "root 7 0.0 0.0 1 1 ? D Jan1 0:00 x\n", 41, NULL, NULL, -1, &f), 1);
    p = lht_facts_processes(f, &n);
    ck_assert_int_eq(p[0].at.line, 41);
    lht_facts_free(f);
}
END_TEST

START_TEST(hostile_text)
{
    static char big[300000];
    struct lht_facts *f;
    const char nul[] = "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
                       "root 9 0.0 0.0 1 1 ? D Jan1 0:00 a\0b\n\xff\xfe garbage\n";
    memset(big, 'x', sizeof big);
    ck_assert_int_eq(tu_parse(lht_parse_ps, "", 1, NULL, NULL, -1, &f), 0);
    lht_facts_free(f);
    {
        struct lht_pctx ctx;
        f = lht_facts_new();
        tu_pctx(&ctx, f, "t", NULL, 1);
        ck_assert_int_eq(lht_parse_ps(big, sizeof big, &ctx), 0);
        ck_assert_int_eq(lht_parse_ps(nul, sizeof nul - 1, &ctx), 1);
        /* a header cut short, then a truncated row */
        ck_assert_int_ge(lht_parse_ps("USER PID %CPU\nroot 1", 20, &ctx), 0);
        lht_facts_free(f);
    }
}
END_TEST

/* A listing an HTML archive ran into one line: where its rows begin. */
START_TEST(collapsed_rows)
{
    const char *t = "$ ps l F UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND "
                    "0 500 5942 5928 15 0 12916 1460 wait Ss pts/14 0:00 -/bin/bash "
                    "0 500 12580 12235 15 0 8080 1440 wait S+ pts/14 0:00 /bin/bash -c (ps l) >/tmp/v/1 2>&1 "
                    "0 500 12581 12580 15 0 4412 824 - R+ pts/14 0:00 ps l";
    size_t cuts[8], n = lht_ps_collapsed_cuts(t, strlen(t), cuts, 8);
    ck_assert_uint_eq(n, 4);
    ck_assert(strncmp(t + cuts[0] + 1, "F UID", 5) == 0);
    ck_assert(strncmp(t + cuts[1] + 1, "0 500 5942 ", 11) == 0);
    ck_assert(strncmp(t + cuts[2] + 1, "0 500 12580 ", 12) == 0);
    ck_assert(strncmp(t + cuts[3] + 1, "0 500 12581 ", 12) == 0);
    /* a header alone, or a long row, is no collapsed listing */
    t = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND";
    ck_assert_uint_eq(lht_ps_collapsed_cuts(t, strlen(t), cuts, 8), 0);
    t = "root 1 0.0 0.1 167744 13124 ? Ss Sep22 0:41 /sbin/init splash --with a very long command line indeed";
    ck_assert_uint_eq(lht_ps_collapsed_cuts(t, strlen(t), cuts, 8), 0);
}
END_TEST

static Suite *ps_suite(void)
{
    Suite *s = suite_create("ps");
    TCase *tc = tcase_create("formats");
    tcase_add_loop_test(tc, formats, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, ps_m_threads_belong_to_their_process);
    tcase_add_test(tc, line_numbers_follow_first_line);
    tcase_add_test(tc, hostile_text);
    tcase_add_test(tc, collapsed_rows);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(ps_suite)
