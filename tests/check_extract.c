/* check_extract.c - one input to facts end to end (extract.c): the packed
 * fixture bundles in every container form, transcripts dropped into an
 * unpacked folder, partial archives. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "ingest/source.h"
#include "testutil.h"
#include "tu_main.h"

#define SB "supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2025-09-24T07-05-12Z"
#define N1 "testing-jiras-pool1-rm5mw-9dx82"

static struct lht_facts *scan(const char *input, struct lht_bundle_info *info)
{
    struct lht_source_opts o;
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    lht_source_defaults(&o);
    lht_err_clear(&err);
    ck_assert_msg(lht_extract(input, &o, f, info, &err) == LHT_OK, "%s", err.msg);
    return f;
}

static const struct lht_process *find_proc(const struct lht_facts *f, long pid, const char *member_part)
{
    size_t n, i;
    const struct lht_process *p = lht_facts_processes(f, &n);
    for (i = 0; i < n; i++)
        if (p[i].pid == pid && (member_part == NULL || strstr(p[i].at.member, member_part)))
            return &p[i];
    return NULL;
}

static const char *const forms[] = {"seed-rwx.zip", "seed-rwx.tar.gz"};

START_TEST(seed_bundle_nested_node_zips)
{
    struct lht_bundle_info info;
    struct lht_facts *f = scan(tu_fixture(forms[_i]), &info);
    const struct lht_process *p = find_proc(f, 123315, "processes_info");
    size_t n, i, nfs = 0;
    const struct lht_mount *mo;

    ck_assert_str_eq(info.name, SB);
    ck_assert_str_eq(info.created_at, "2025-09-24T07:05:12Z");
    ck_assert_int_eq(info.partial, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->stat, "Ds+");
    ck_assert_str_eq(p->at.node, N1);
    ck_assert_str_eq(p->at.member, SB "/nodes/" N1 ".zip!" N1 "/hostinfos/processes_info");
    ck_assert_int_eq(p->at.line, 18);
    mo = lht_facts_mounts(f, &n);
    for (i = 0; i < n; i++)
        if (mo[i].nfs_vers && strcmp(mo[i].nfs_vers, "4.1") == 0 && strcmp(mo[i].at.node, N1) == 0)
            nfs++;
    ck_assert_int_eq((int)nfs, 3);
    ck_assert_str_eq(lht_facts_kv_get(f, N1, "kernel_release"), "6.8.0-51-generic");
    lht_facts_free(f);
}
END_TEST

START_TEST(unpacked_folder_with_transcript)
{
    struct lht_bundle_info info;
    struct lht_facts *f = scan(tu_fixture("seed-rwx-unpacked"), &info);
    size_t n, i;
    const struct lht_stack *s = lht_facts_stacks(f, &n);
    const struct lht_stack *seed = NULL;
    const struct lht_process *p;

    ck_assert_str_eq(info.name, SB);
    for (i = 0; i < n; i++)
        if (s[i].pid == 123315)
            seed = &s[i];
    ck_assert_ptr_nonnull(seed);
    ck_assert_int_eq((int)seed->nframes, 18);
    ck_assert_str_eq(seed->at.node, N1);   /* from the prompt */
    ck_assert_str_eq(seed->at.member, SB "/customer-transcript.txt");
    p = find_proc(f, 123315, "customer-transcript");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->at.line, 4);
    lht_facts_free(f);
}
END_TEST

START_TEST(partial_tar_keeps_what_was_read)
{
    static char body[300000];
    struct tu_member m[] = {
        {"sb/nodes/n1/n1/hostinfos/processes_info",
         "USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n"
         "root 7 0.0 0.0 1 1 ? D Jan1 0:00 writer\n", 0},
        {"sb/zz-filler.bin.txt", body, sizeof body},
    };
    char path[300], cut[320];
    struct lht_bundle_info info;
    struct lht_source_opts o;
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    FILE *fp;
    char *buf;
    long len;
    size_t i;

    for (i = 0; i < sizeof body; i++)
        body[i] = (char)('a' + (i * 7919) % 26);
    snprintf(path, sizeof path, "%s/p.tar.gz", tu_tmpdir());
    ck_assert_int_eq(tu_write_archive(path, "tar.gz", m, 2), 0);
    fp = fopen(path, "rb");
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)len);
    ck_assert_int_eq((long)fread(buf, 1, (size_t)len, fp), len);
    fclose(fp);
    snprintf(cut, sizeof cut, "%s.cut.tar.gz", path);
    ck_assert_int_eq(tu_write_file(cut, buf, (size_t)len / 2), 0);
    free(buf);
    lht_source_defaults(&o);
    ck_assert_int_eq(lht_extract(cut, &o, f, &info, &err), LHT_OK);
    ck_assert_ptr_nonnull(find_proc(f, 7, NULL));
    ck_assert_str_eq(find_proc(f, 7, NULL)->at.node, "n1");
    lht_facts_free(f);
}
END_TEST

START_TEST(text_without_prompts_is_sniffed)
{
    const char *t = "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n"
                    "[<0>] update_open_stateid+0xa0/0x2b0 [nfsv4]\n";
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    size_t n;
    const struct lht_stack *s;
    ck_assert_int_eq(lht_extract_text(f, "case/proc/4242/stack", t, strlen(t), &err), LHT_OK);
    s = lht_facts_stacks(f, &n);
    ck_assert_int_eq((int)n, 1);
    ck_assert_int_eq(s[0].pid, 4242);
    ck_assert_int_eq((int)s[0].nframes, 2);
    lht_facts_free(f);
}
END_TEST

/* A node syslog many pieces long, inside a nested node zip, with the
 * hung-task report at its very end and a member cap far below its size:
 * logs are streamed (not capped), parsed while the next piece inflates,
 * and every line number is that of the whole file. */
START_TEST(huge_syslog_is_streamed_whole)
{
    static const char *const tail[] = {
        "INFO: task sh:123315 blocked for more than 120 seconds.",
        "task:sh              state:D stack:    0 pid:123315 ppid:123300 flags:0x00004002",
        "Call Trace:",
        " <TASK>",
        " __schedule+0x2cd/0x890",
        " nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]",
        " update_open_stateid+0xa0/0x2b0 [nfsv4]",
        " </TASK>",
    };
    size_t big = 3 * LHT_SOURCE_CHUNK + 12345, o = 0, lines = 0, i, n, zlen;
    char *text = malloc(big + 4096), *z, path[256];
    struct lht_source_opts opt;
    struct lht_bundle_info info;
    struct lht_facts *f = lht_facts_new();
    const struct lht_hung_task *h;
    const struct lht_frame *fr;
    const struct lht_member *m;
    lht_err err;

    ck_assert_ptr_nonnull(text);
    while (o < big) {
        o += (size_t)sprintf(text + o, "Sep 24 06:%02zu:00 n1 kubelet[812]: I0924 reconcile %zu ok\n",
                             lines % 60, lines);
        lines++;
    }
    for (i = 0; i < sizeof tail / sizeof tail[0]; i++)
        o += (size_t)sprintf(text + o, "Sep 24 06:59:00 n1 kernel: [254210.1] %s\n", tail[i]);
    {
        struct tu_member node[] = {{"n1/logs/syslog", text, o}};
        ck_assert_int_eq(tu_archive_bytes("zip", node, 1, &z, &zlen), 0);
    }
    {
        struct tu_member outer[] = {{SB "/nodes/n1.zip", z, zlen}};
        snprintf(path, sizeof path, "%s/big.zip", tu_tmpdir());
        ck_assert_int_eq(tu_write_archive(path, "zip", outer, 1), 0);
    }
    lht_source_defaults(&opt);
    opt.member_cap = 64 * 1024;
    lht_err_clear(&err);
    ck_assert_msg(lht_extract(path, &opt, f, &info, &err) == LHT_OK, "%s", err.msg);
    h = lht_facts_hung_tasks(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(h[0].pid, 123315);
    ck_assert_int_eq(h[0].at.line, (long)lines + 1);
    ck_assert_str_eq(h[0].at.node, "n1");
    fr = lht_facts_frames(f, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(fr[1].symbol, "nfs_set_open_stateid_locked");
    ck_assert_int_eq(fr[1].line, (long)lines + 6);
    m = lht_facts_members(f, &n);
    for (i = 0; i < n && strstr(m[i].at.member, "logs/syslog") == NULL; i++)
        ;
    ck_assert_uint_lt(i, n);
    ck_assert_str_eq(m[i].status, "parsed");
    ck_assert_str_eq(m[i].kind, "kernel_log");
    ck_assert_int_eq(m[i].size, (long long)o);
    lht_facts_free(f);
    free(z);
    free(text);
}
END_TEST

/* A rotated log gzipped on its own inside a node zip (logs/syslog.2.gz) is
 * a kernel log too: opened as a nested raw stream, streamed in pieces, the
 * report found with its node and its line in the uncompressed text. */
START_TEST(rotated_gz_syslog_in_node_zip)
{
    size_t big = 2 * LHT_SOURCE_CHUNK, o = 0, lines = 0, n, glen, zlen;
    char *text = malloc(big + 256), *gz, *z, path[256];
    struct lht_bundle_info info;
    struct lht_facts *f;
    const struct lht_hung_task *h;

    ck_assert_ptr_nonnull(text);
    while (o < big) {
        o += (size_t)sprintf(text + o, "Sep 24 06:%02zu:00 n1 kubelet[812]: I0924 sync %zu\n", lines % 60, lines);
        lines++;
    }
    o += (size_t)sprintf(text + o, "Sep 24 06:59:00 n1 kernel: INFO: task sh:4242 blocked for more than 120 seconds.\n");
    {
        struct tu_member one[] = {{"syslog.2", text, o}};
        ck_assert_int_eq(tu_archive_bytes("gz", one, 1, &gz, &glen), 0);
    }
    {
        struct tu_member node[] = {{"n1/logs/syslog.2.gz", gz, glen}};
        ck_assert_int_eq(tu_archive_bytes("zip", node, 1, &z, &zlen), 0);
    }
    {
        struct tu_member outer[] = {{SB "/nodes/n1.zip", z, zlen}};
        snprintf(path, sizeof path, "%s/rot.zip", tu_tmpdir());
        ck_assert_int_eq(tu_write_archive(path, "zip-store", outer, 1), 0);
    }
    f = scan(path, &info);
    h = lht_facts_hung_tasks(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(h[0].pid, 4242);
    ck_assert_str_eq(h[0].at.node, "n1");
    ck_assert_int_eq(h[0].at.line, (long)lines + 1);
    ck_assert_str_eq(h[0].at.member, SB "/nodes/n1.zip!n1/logs/syslog.2.gz");
    lht_facts_free(f);
    free(z);
    free(gz);
    free(text);
}
END_TEST

static struct lht_facts *paste(const char *member, const char *t)
{
    struct lht_facts *f = lht_facts_new();
    lht_err err;
    ck_assert_msg(lht_extract_text(f, member, t, strlen(t), &err) == LHT_OK, "%s", err.msg);
    return f;
}

/* A repeated kernel message in an undressed paste: the event and the
 * line of its last repeat both cite the user's own lines (a soft break
 * before them joins two lines of the mail into one). */
START_TEST(undressed_paste_maps_the_last_repeat)
{
    const char *t = "Hi, the node logs this: a rather long sentence wrapped by the mail=\n" /* 1 */
                    " client.\n"                                                           /* 2 */
                    "> [ 10.0] nfs: server 10.43.0.7 not responding, still trying\n"       /* 3 */
                    ">\n"                                                                  /* 4 */
                    "> [ 70.0] nfs: server 10.43.0.7 not responding, still trying\n"       /* 5 */
                    "Flags=3D rw it said.\n";                                              /* 6 */
    struct lht_facts *f = paste("case/mail.txt", t);
    size_t n;
    const struct lht_klog *k = lht_facts_klogs(f, &n);

    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(k[0].at.line, 3);
    ck_assert_int_eq(k[0].repeats, 1);
    ck_assert_int_eq(k[0].last_line, 5);
    ck_assert_str_eq(k[0].last_when, " 70.0");
    lht_facts_free(f);
}
END_TEST

/* An undressed paste still cites the user's lines: a quoted-printable
 * soft break joins two lines (the fact cites the first), quote markers
 * and fences change no line. */
START_TEST(undressed_paste_cites_its_own_lines)
{
    const char *t = "From the reporter:\n"                                                /* 1 */
                    "> ```\n"                                                            /* 2 */
                    "> root@w1:~# ps aux | grep writer\n"                                /* 3 */
                    "> root 4242  0.0  0.0   4508  1536 ?        D    Sep24   0:12 /bin/sh ./wri=\n" /* 4 */
                    "ter.sh\n"                                                           /* 5 */
                    "> root@w1:~# cat /proc/4242/stack\n"                                /* 6 */
                    "> [<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n"          /* 7 */
                    "> [<0>] update_open_stateid+0xa0/0x2b0 [nfsv4]\n"                   /* 8 */
                    "> ```\n"                                                            /* 9 */
                    "Flags=3D rw it said.\n";                                            /* 10 */
    struct lht_facts *f = paste("case/mail.txt", t);
    size_t n;
    const struct lht_process *p = lht_facts_processes(f, &n);
    const struct lht_stack *s;
    const struct lht_frame *fr;

    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(p[0].pid, 4242);
    ck_assert_str_eq(p[0].command, "/bin/sh ./writer.sh");   /* the soft break undone */
    ck_assert_int_eq(p[0].at.line, 4);
    ck_assert_str_eq(p[0].at.node, "w1");
    s = lht_facts_stacks(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(s[0].pid, 4242);
    fr = lht_facts_frames(f, &n);
    ck_assert_int_eq(fr[0].line, 7);
    ck_assert_int_eq(fr[1].line, 8);
    lht_facts_free(f);
}
END_TEST

/* Without prompts: the uname output names the node of the whole paste;
 * a bare command line starts its section. */
START_TEST(paste_names_its_node)
{
    const char *t = "Linux worker-7 5.14.0-570.el9.x86_64 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n"
                    "cat /proc/4242/stack\n"
                    "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n";
    struct lht_facts *f = paste("case/notes.txt", t);
    size_t n;
    const struct lht_stack *s = lht_facts_stacks(f, &n);

    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(s[0].pid, 4242);
    ck_assert_str_eq(s[0].at.node, "worker-7");
    lht_facts_free(f);
    /* two hosts in one paste: no telling whose each part is */
    f = paste("case/two.txt", "Linux a-1 5.4.0 #1 SMP x86_64 GNU/Linux\nLinux b-2 4.18.0 #1 SMP x86_64 GNU/Linux\n"
                              "cat /proc/4242/stack\n[<0>] x+0x1/0x2\n");
    s = lht_facts_stacks(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_null(s[0].at.node);
    lht_facts_free(f);
}
END_TEST

static Suite *extract_suite(void)
{
    Suite *s = suite_create("extract");
    TCase *tc = tcase_create("bundles");
    tcase_add_loop_test(tc, seed_bundle_nested_node_zips, 0, 2);
    tcase_add_test(tc, unpacked_folder_with_transcript);
    tcase_add_test(tc, partial_tar_keeps_what_was_read);
    tcase_add_test(tc, text_without_prompts_is_sniffed);
    tcase_add_test(tc, undressed_paste_cites_its_own_lines);
    tcase_add_test(tc, undressed_paste_maps_the_last_repeat);
    tcase_add_test(tc, paste_names_its_node);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, huge_syslog_is_streamed_whole);
    tcase_add_test(tc, rotated_gz_syslog_in_node_zip);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(extract_suite)
