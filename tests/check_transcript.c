/* check_transcript.c - prompt detection and command routing (transcript.c). */
#include <check.h>

#include "testutil.h"
#include "tu_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/transcript.h"

struct cap {
    int n;
    char host[16][128];
    char cmd[16][256];
    long prompt_line[16], body_line[16], pid[16];
    enum lht_kind kind[16];
    char body[16][512];
    int bare[16];
};

static int on_section(void *ud, const struct lht_section *s)
{
    struct cap *c = ud;
    if (c->n >= 16)
        return LHT_OK;
    snprintf(c->host[c->n], 128, "%s", s->host ? s->host : "-");
    snprintf(c->cmd[c->n], 256, "%s", s->command ? s->command : "-");
    snprintf(c->body[c->n], 512, "%.*s", (int)(s->body_len < 511 ? s->body_len : 511), s->body);
    c->prompt_line[c->n] = s->prompt_line;
    c->body_line[c->n] = s->body_line;
    c->pid[c->n] = s->pid;
    c->kind[c->n] = s->kind;
    c->bare[c->n] = s->bare;
    c->n++;
    return LHT_OK;
}

static void split(const char *text, long first, struct cap *c)
{
    int fail = 0;
    memset(c, 0, sizeof *c);
    ck_assert_int_eq(lht_transcript_split(text, strlen(text), first, on_section, c, &fail), LHT_OK);
    ck_assert_int_eq(fail, 0);
}

START_TEST(seed_transcript)
{
    const char *t =
        "root@testing-jiras-pool1-rm5mw-9dx82:~# ps aux | grep echo\n"
        "root      123315  0.0  0.0   4508  1536 pts/0    Ds+  Sep24   0:12 /bin/sh -c x\n"
        "root@testing-jiras-pool1-rm5mw-9dx82:~# cat /proc/123315/stack\n"
        "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n"
        "root@testing-jiras-pool1-rm5mw-9dx82:~# nfsstat --mount\n"
        "/mnt from 10.43.58.194:/pvc-x\n"
        " Flags: rw,vers=4.1\n";
    struct cap c;
    split(t, 1, &c);
    ck_assert_int_eq(c.n, 3);
    ck_assert_str_eq(c.host[0], "testing-jiras-pool1-rm5mw-9dx82");
    ck_assert_str_eq(c.cmd[0], "ps aux | grep echo");
    ck_assert_int_eq(c.kind[0], LHT_K_PS);
    ck_assert_int_eq(c.prompt_line[0], 1);
    ck_assert_int_eq(c.body_line[0], 2);
    ck_assert_int_eq(c.kind[1], LHT_K_STACK);
    ck_assert_int_eq(c.pid[1], 123315);
    ck_assert_int_eq(c.body_line[1], 4);
    ck_assert_str_eq(c.body[1], "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n");
    ck_assert_int_eq(c.kind[2], LHT_K_NFSSTAT);
    ck_assert_int_eq(c.body_line[2], 6);
}
END_TEST

START_TEST(prompt_shapes_and_preamble)
{
    const char *t =
        "Customer says the app hangs since Monday.\r\n"
        "[root@worker-2 ~]# cat /proc/4711/stack\r\n"
        "[<ffffffffc0a1b2c4>] rpc_wait_bit_killable+0x24/0xb0 [sunrpc]\r\n"
        "worker-3:~ # mount | grep nfs\r\n"
        "nas:/x on /mnt type nfs (rw,vers=3)\r\n"
        "sh-4.4# dmesg -T | grep -i nfs\r\n"
        "# CONFIG_NFS_V4 is not set\r\n"
        "ubuntu@host-1:~$ sudo nfsstat -m\r\n";
    struct cap c;
    split(t, 10, &c);
    ck_assert_int_eq(c.n, 5);
    ck_assert_str_eq(c.cmd[0], "-");
    ck_assert_int_eq(c.body_line[0], 10);
    ck_assert_str_eq(c.host[1], "worker-2");
    ck_assert_int_eq(c.kind[1], LHT_K_STACK);
    ck_assert_int_eq(c.pid[1], 4711);
    ck_assert_int_eq(c.prompt_line[1], 11);
    ck_assert_str_eq(c.host[2], "worker-3");
    ck_assert_int_eq(c.kind[2], LHT_K_MOUNT_CMD);
    ck_assert_str_eq(c.host[3], "-");
    ck_assert_int_eq(c.kind[3], LHT_K_KERNEL_LOG);
    /* the "# CONFIG_..." line is output, not a prompt */
    ck_assert_ptr_nonnull(strstr(c.body[3], "CONFIG_NFS_V4"));
    ck_assert_str_eq(c.host[4], "host-1");
    ck_assert_int_eq(c.kind[4], LHT_K_NFSSTAT);
}
END_TEST

static const struct {
    const char *cmd;
    enum lht_kind kind;
    long pid;
} routes[] = {
    {"ps aux | grep echo", LHT_K_PS, -1},
    {"ps -eo pid,stat,wchan:32,cmd | awk '$2 ~ /D/'", LHT_K_PS, -1},
    {"sudo ps -eLo pid,tid,stat,comm", LHT_K_PS, -1},
    {"cat /proc/123315/stack", LHT_K_STACK, 123315},
    {"sudo cat /proc/77/task/78/stack", LHT_K_STACK, 78},
    {"for p in $(pgrep -f writer); do echo $p; cat /proc/$p/stack; done", LHT_K_STACK, -1},
    {"grep . /proc/*/stack", LHT_K_STACK, -1},
    {"nfsstat -m", LHT_K_NFSSTAT, -1},
    {"nfsstat --mount", LHT_K_NFSSTAT, -1},
    {"mount", LHT_K_MOUNT_CMD, -1},
    {"mount | grep nfs", LHT_K_MOUNT_CMD, -1},
    {"mount -t nfs4", LHT_K_MOUNT_CMD, -1},
    {"cat /proc/mounts | grep nfs", LHT_K_PROC_MOUNTS, -1},
    {"grep nfs /proc/self/mounts", LHT_K_PROC_MOUNTS, -1},
    {"cat /proc/self/mountinfo", LHT_K_MOUNTINFO, -1},
    {"findmnt -t nfs4", LHT_K_MOUNTS_ANY, -1},
    {"dmesg -T | tail -50", LHT_K_KERNEL_LOG, -1},
    {"journalctl -k --since today", LHT_K_KERNEL_LOG, -1},
    {"grep -i 'blocked for more' /var/log/messages", LHT_K_KERNEL_LOG, -1},
    {"uname -a", LHT_K_UNAME, -1},
    {"cat /etc/os-release", LHT_K_OS_RELEASE, -1},
    {"top -b -n 1 | awk '{if (NR <=7) print}'", LHT_K_TOP, -1},
    {"crash> foreach UN bt", LHT_K_CRASH, -1},
    {"crash> ps | grep UN", LHT_K_CRASH, -1},
    {"crash> log", LHT_K_KERNEL_LOG, -1},
    {"grep -H State /proc/4711/status", LHT_K_PROC_STATUS, 4711},
    {"cat /proc/\"$pid\"/stack", LHT_K_STACK, -1},
    {"sudo tail /proc/{$PID1,$PID2}/{stack,syscall}", LHT_K_STACK, -1},
    {"/bin/busybox ps -w", LHT_K_PS, -1},
    {"kubectl get pods -A", LHT_K_UNKNOWN, -1},
    {"mount /dev/sdb /mnt", LHT_K_UNKNOWN, -1},
};

START_TEST(command_routes)
{
    long pid;
    int fail = 0;
    enum lht_kind k = lht_transcript_command_kind(routes[_i].cmd, strlen(routes[_i].cmd), &pid, &fail);
    ck_assert_int_eq(fail, 0);
    ck_assert_msg(k == routes[_i].kind, "%s: kind %d, want %d", routes[_i].cmd, k,
                  routes[_i].kind);
    ck_assert_int_eq(pid, routes[_i].pid);
}
END_TEST

/* Prompts in the wild (research of public pastes): line, host, command. */
static const struct {
    const char *line, *host, *cmd;
} prompts[] = {
    {"root@testing-jiras-pool1-rm5mw-9dx82:~# ps aux | grep echo", "testing-jiras-pool1-rm5mw-9dx82", "ps aux | grep echo"},
    {"core@paigcr-b-infra-10:~$ sudo ps aux | grep node_exporter", "paigcr-b-infra-10", "sudo ps aux | grep node_exporter"},
    {"root@dltsw7be500001T:/tmp/sample_repo_files# cat /proc/1054/stack", "dltsw7be500001T", "cat /proc/1054/stack"},
    {"[root@oel6 ~]# cat /proc/27288/status ", "oel6", "cat /proc/27288/status "},
    {"[root@openwrt:~]$ ps -w", "openwrt", "ps -w"},
    {"c[root@host-10-0-0-5 ~]# cat /etc/issue", "host-10-0-0-5", "cat /etc/issue"},
    {"sles-node-b:~ # ps -ef | grep index.html", "sles-node-b", "ps -ef | grep index.html"},
    {"15:33 (none):~ # cat /proc/mounts", "-", "cat /proc/mounts"},
    {"diego-cell/7b28a4f1-0233-4ebf-acd6-ffe315d63c51:~# ps -eLo pid,tid,state,wchan | grep \"D \"", "diego-cell",
     "ps -eLo pid,tid,state,wchan | grep \"D \""},
    {"(ns: getty) linuxkit-525400123456:~/nfs# mount | grep nfs", "linuxkit-525400123456", "mount | grep nfs"},
    {"testovic@jb155sapqe01:/home/example.com/testovic> ls -al /mnt/", "jb155sapqe01", "ls -al /mnt/"},
    {"sh-5.1# mount|grep nfs", "-", "mount|grep nfs"},
    {"-bash-4.3# cat /proc/mounts", "-", "cat /proc/mounts"},
    {"/ # ps", "-", "ps"},
    {"    [root@w1 ~]# nfsstat -m", "w1", "nfsstat -m"},
    {"$ dmesg -T", "-", "dmesg -T"},
    {"# echo w > /proc/sysrq-trigger ", "-", "echo w > /proc/sysrq-trigger "},
    {"crash> foreach UN bt", "-", "crash> foreach UN bt"},
    /* commands without a prompt */
    {"cat /proc/3734491/stack", "-", "cat /proc/3734491/stack"},
    {" cat /proc/9/status", "-", "cat /proc/9/status"},
    {"sudo nfsstat -m", "-", "sudo nfsstat -m"},
    {"nfsstat --mount", "-", "nfsstat --mount"},
    {"mount | grep nfs", "-", "mount | grep nfs"},
    {"ps -e -o state,pid,user,cmd,wchan | grep ^D", "-", "ps -e -o state,pid,user,cmd,wchan | grep ^D"},
    {"for p in $(pgrep -f writer); do echo $p; cat /proc/$p/stack; done", "-",
     "for p in $(pgrep -f writer); do echo $p; cat /proc/$p/stack; done"},
    {"sudo tail /proc/{$PID1,$PID2}/{stack,syscall}", "-", "sudo tail /proc/{$PID1,$PID2}/{stack,syscall}"},
    /* run through ssh: the remote command counts, the host is its node */
    {"ssh root@n1 cat /proc/4242/stack", "n1", "cat /proc/4242/stack"},
    {"ssh -i ~/.ssh/id -p 2222 admin@worker-2 'sudo nfsstat -m'", "worker-2", "sudo nfsstat -m"},
};

START_TEST(prompt_shapes)
{
    char text[600];
    struct cap c;

    snprintf(text, sizeof text, "%s\nout\n", prompts[_i].line);
    split(text, 1, &c);
    ck_assert_msg(c.n == 1 && strcmp(c.cmd[0], prompts[_i].cmd) == 0, "%s: %d sections, cmd [%s]",
                  prompts[_i].line, c.n, c.cmd[0]);
    ck_assert_str_eq(c.host[0], prompts[_i].host);
    ck_assert_int_eq(c.body_line[0], 2);
}
END_TEST

/* Sentences that start with a command's name are not commands. */
static const char *const not_commands[] = {
    "ps shows the writer in D state",
    "mount the volume again and retry",
    "cat is not the problem here",
    "grep shows nothing at all",
    "The stack: cat /proc/1/stack",
    "nfsstat",
    "dmesg says nothing",
    "for each node, run the commands below",
    "testovic@jb155sapqe01:/home/x> frobnicate --now",
    "bsdadm> HDB info",
};

START_TEST(sentences_are_not_commands)
{
    char text[300];
    int fail = 0;
    snprintf(text, sizeof text, "%s\n", not_commands[_i]);
    ck_assert_msg(lht_transcript_prompts(text, strlen(text), 10, &fail) == 0, "%s", not_commands[_i]);
    ck_assert_int_eq(fail, 0);
}
END_TEST

/* Commands pasted after one prompt run on its host; each starts a
 * section that is told it had no prompt (its output may mix). */
START_TEST(commands_after_one_prompt)
{
    const char *t = "[kir@kir-tp1 linux]$ PID1=2174401\n"
                    "ps -f  -p $PID1\n"
                    "sudo tail /proc/$PID1/stack\n"
                    "UID PID PPID C STIME TTY TIME CMD\n"
                    "==> /proc/2174401/stack <==\n";
    struct cap c;
    split(t, 1, &c);
    ck_assert_int_eq(c.n, 3);
    ck_assert_str_eq(c.host[1], "kir-tp1");
    ck_assert_int_eq(c.kind[1], LHT_K_PS);
    ck_assert_str_eq(c.host[2], "kir-tp1");
    ck_assert_int_eq(c.kind[2], LHT_K_STACK);
    ck_assert_int_eq(c.bare[2], 1);
    ck_assert_int_eq(c.bare[0], 0);
}
END_TEST

START_TEST(no_prompts_in_plain_text)
{
    const char *t = "# This is a config comment\n"
                    "$ not a command we know\n"
                    "USER PID\n"
                    "user@example.com wrote: hello\n";
    int fail = 0;
    ck_assert_int_eq(lht_transcript_prompts(t, strlen(t), 10, &fail), 0);
    ck_assert_int_eq(lht_transcript_prompts("", 0, 10, &fail), 0);
    ck_assert_int_eq(fail, 0);
}
END_TEST

START_TEST(hostile_lines)
{
    static char big[200000];
    memset(big, '#', sizeof big);
    big[5] = ' ';
    big[sizeof big - 1] = '\n';
    struct cap c;
    int fail = 0;
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(lht_transcript_split(big, sizeof big, 1, on_section, &c, &fail), LHT_OK);
    ck_assert_int_eq(c.n, 1);
    const char nul[] = "root@h:~# ps aux\n\0\0\0root 1 0.0 0.0 1 1 ? Ss Jan1 0:00 init\n";
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(lht_transcript_split(nul, sizeof nul - 1, 1, on_section, &c, &fail), LHT_OK);
    ck_assert_int_eq(fail, 0);
    ck_assert_int_eq(c.n, 1);
    ck_assert_int_eq(c.kind[0], LHT_K_PS);
}
END_TEST

static Suite *transcript_suite(void)
{
    Suite *s = suite_create("transcript");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, seed_transcript);
    tcase_add_test(tc, prompt_shapes_and_preamble);
    tcase_add_loop_test(tc, command_routes, 0, (int)(sizeof routes / sizeof routes[0]));
    tcase_add_test(tc, no_prompts_in_plain_text);
    tcase_add_loop_test(tc, prompt_shapes, 0, (int)(sizeof prompts / sizeof prompts[0]));
    tcase_add_loop_test(tc, sentences_are_not_commands, 0, (int)(sizeof not_commands / sizeof not_commands[0]));
    tcase_add_test(tc, commands_after_one_prompt);
    tcase_add_test(tc, hostile_lines);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(transcript_suite)
