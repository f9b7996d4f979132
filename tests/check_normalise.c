/* check_normalise.c - pastes undressed before they are split (ingest/normalise.c):
 * one case per dress, with the text it must become and the input line
 * each output line cites. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ingest/normalise.h"
#include "testutil.h"
#include "tu_main.h"

static const struct {
    const char *name, *in, *out;  /* out NULL: nothing to undo (no copy) */
    unsigned done;                /* bits that must be set */
    long lines[8];                /* input line of output lines 1.., 0 ends */
} cases[] = {
    {"plain text is left alone", "root@h:~# ps aux\nroot 1 0.0 0.0 1 1 ? Ss Jan1 0:00 init\n", NULL, 0, {0}},
    {"one indented line is no block", "Call Trace:\n __schedule+0x1/0x2\n", NULL, 0, {0}},
    {"mail quote", "> root@h:~# nfsstat -m\n> /mnt from srv:/x\n>  Flags:\trw,vers=4.1\n",
     "root@h:~# nfsstat -m\n/mnt from srv:/x\n Flags:\trw,vers=4.1\n", LHT_NORM_QUOTE, {1, 2, 3, 0}},
    {"nested and mixed quote markers", "> > >>>>>> [ 1.0] a\n>> nfsstat -m\n> >\tb\n",
     "[ 1.0] a\nnfsstat -m\n\tb\n", LHT_NORM_QUOTE, {0}},
    {"markdown fences with info strings", "```text\n[<0>] a+0x1/0x2\n```\n~~~bash\n$ ps\n~~~\n",
     "\n[<0>] a+0x1/0x2\n\n\n$ ps\n\n", LHT_NORM_FENCE, {1, 2, 3, 4, 5, 6, 0}},
    {"a block indented as a whole", "text\n\n    sudo nfsstat -m\n    /a from s:/b\n     Flags: rw\n",
     "text\n\nsudo nfsstat -m\n/a from s:/b\n Flags: rw\n", LHT_NORM_INDENT, {0}},
    {"tabs and spaces are not mixed up", "\tx\n    y\n", "\tx\n    y\n", 0, {0}},
    {"quoted and indented", "> >     [<0>] a+0x1/0x2\n> >     [<0>] b+0x1/0x2\n",
     "[<0>] a+0x1/0x2\n[<0>] b+0x1/0x2\n", LHT_NORM_QUOTE | LHT_NORM_INDENT, {0}},
    {"CRLF", "a\r\nb\r\n", "a\nb\n", LHT_NORM_CR, {1, 2, 0}},
    {"lone CR (old Mac, some web forms)", "a\rb\rc", "a\nb\nc", LHT_NORM_CR, {1, 2, 3, 0}},
    {"no-break spaces, zero-width space, BOM", "\xEF\xBB\xBF" "D\xC2\xA0" "4242\xE2\x80\x8B x\n", "D 4242 x\n",
     LHT_NORM_SPACE, {0}},
    {"markdown bold around ps rows", "**root 1454 0.0 0.0 2644 88 ttyS2 D 19:03 0:00 genload**\n"
                                     "**root 1458 0.0 0.0 2644 88 ttyS2 D 19:03 0:00 genload\n",
     "root 1454 0.0 0.0 2644 88 ttyS2 D 19:03 0:00 genload\nroot 1458 0.0 0.0 2644 88 ttyS2 D 19:03 0:00 genload\n",
     LHT_NORM_BOLD, {0}},
    {"HTML entities and tags, <6> and <TASK> kept", "<pre><code>echo 0 &gt; /proc/x &amp;&amp; &#20725;\n"
                                                  "<6>hda: x\n <TASK>\n</code></pre>\n",
     "echo 0 > /proc/x && \xE5\x83\xB5\n<6>hda: x\n <TASK>\n\n", LHT_NORM_HTML, {1, 2, 3, 4, 0}},
    {"quoted-printable soft breaks join lines",
     "Feb 02 05:34:46 nfsserver kernel: INFO: task nfsd:1590 blocked for more tha=\n"
     "n 120 seconds.\n"
     "Feb 02 05:34:46 nfsserver kernel: task:nfsd            state:D stack:    0 =\n"
     "pid: 1590 ppid:     2 flags:0x00004000\n"
     "next\n",
     "Feb 02 05:34:46 nfsserver kernel: INFO: task nfsd:1590 blocked for more than 120 seconds.\n"
     "Feb 02 05:34:46 nfsserver kernel: task:nfsd            state:D stack:    0 pid: 1590 ppid:     2 flags:0x00004000\n"
     "next\n",
     LHT_NORM_QP, {1, 3, 5, 0}},
    {"quoted-printable escapes, but not =60 of timeo=600",
     "> [Tue Jul 16 2024] rcu: idle=3D54f softirq=3D31904928 [=E2=80=A6]\n> timeo=600,retrans=2\n",
     "[Tue Jul 16 2024] rcu: idle=54f softirq=31904928 [\xE2\x80\xA6]\ntimeo=600,retrans=2\n",
     LHT_NORM_QP | LHT_NORM_QUOTE, {0}},
    {"mount options alone are not quoted-printable", "> vers=4.1,timeo=600,retrans=2,addr=10.43.0.1\n",
     "vers=4.1,timeo=600,retrans=2,addr=10.43.0.1\n", LHT_NORM_QUOTE, {0}},
    {"terminal colours and a window title (script(1), grep --color)",
     "\x1b]0;root@w1: ~\x07root@w1:~# ps aux | grep \x1b[01;31m\x1b[Kecho\x1b[m\x1b[K\n\x1b(Broot 1 D\n",
     "root@w1:~# ps aux | grep echo\nroot 1 D\n", LHT_NORM_ANSI, {1, 2, 0}},
    {"markdown backslash escapes from a rich-text editor",
     "\\[<0\\>\\] nfs\\_set\\_open\\_stateid\\_locked+0x100/0x380 \\[nfsv4\\]\n",
     "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n", LHT_NORM_MDESC, {0}},
    {"one escaped underscore is no markdown", "echo a\\_b\n", NULL, 0, {0}},
    {"chat fences glued to the text", "```[<0>] a+0x1/0x2 [nfsv4]\n[<0>] b+0x1/0x2 [nfsv4]```\n",
     "[<0>] a+0x1/0x2 [nfsv4]\n[<0>] b+0x1/0x2 [nfsv4]\n", LHT_NORM_FENCE, {0}},
    {"Jira code blocks", "{code:bash}\n$ ps\n{code}\n{noformat}\nx\n{noformat}\n", "\n$ ps\n\n\nx\n\n",
     LHT_NORM_FENCE, {0}},
    {"a stack whose newlines a web page lost",
     "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4] [<0>] update_open_stateid+0xa0/0x2b0 [nfsv4] "
     "[<0>] nfs4_file_open+0x172/0x2d0 [nfsv4]\n",
     "[<0>] nfs_set_open_stateid_locked+0x100/0x380 [nfsv4]\n[<0>] update_open_stateid+0xa0/0x2b0 [nfsv4]\n"
     "[<0>] nfs4_file_open+0x172/0x2d0 [nfsv4]\n", LHT_NORM_ROWS, {1, 1, 1, 0}},
    {"a kernel log whose newlines a web page lost",
     "[ 246.880095] INFO: task bash:576 blocked for more than 120 seconds. [ 246.888639] Call Trace: "
     "[ 246.889567] __schedule+0x260/0x6e0\n",
     "[ 246.880095] INFO: task bash:576 blocked for more than 120 seconds.\n[ 246.888639] Call Trace:\n"
     "[ 246.889567] __schedule+0x260/0x6e0\n", LHT_NORM_ROWS, {1, 1, 1, 0}},
    {"two timestamps on one line are no collapsed log", "[ 1.0] x [ 2.0] y and then some more words to make it long enough\n",
     NULL, 0, {0}},
    {"a ps listing an HTML archive ran into one line",
     "<pre><code><span>$ </span>ps l F UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND "
     "0 500 5942 5928 15 0 12916 1460 <span>wait </span>Ss pts/14 0:00 -/bin/bash "
     "0 500 12581 12580 15 0 4412 824 - R+ pts/14 0:00 ps l </code></pre>\n",
     "$ ps l\nF UID PID PPID PRI NI VSZ RSS WCHAN STAT TTY TIME COMMAND\n"
     "0 500 5942 5928 15 0 12916 1460 wait Ss pts/14 0:00 -/bin/bash\n"
     "0 500 12581 12580 15 0 4412 824 - R+ pts/14 0:00 ps l \n\n",
     LHT_NORM_HTML | LHT_NORM_ROWS, {1, 1, 1, 1, 1, 0}},
};

/* Saved by a Windows editor as UTF-16, with and without a byte order mark. */
START_TEST(utf16)
{
    const char le[] = "\xFF\xFE" "c\0a\0t\0 \0/\0p\0\r\0\n\0\xE9\0\n\0";
    const char nobom[] = "r\0o\0o\0t\0@\0h\0:\0~\0#\0 \0p\0s\0\n\0";
    const char be[] = "\xFE\xFF" "\0a\0\n";
    struct lht_norm n;

    ck_assert_int_eq(lht_normalise(le, sizeof le - 1, &n), LHT_OK);
    ck_assert_str_eq(n.text, "cat /p\n\xC3\xA9\n");
    ck_assert(n.done & LHT_NORM_UTF16);
    lht_norm_free(&n);
    ck_assert_int_eq(lht_normalise(nobom, sizeof nobom - 1, &n), LHT_OK);
    ck_assert_str_eq(n.text, "root@h:~# ps\n");
    lht_norm_free(&n);
    ck_assert_int_eq(lht_normalise(be, sizeof be - 1, &n), LHT_OK);
    ck_assert_str_eq(n.text, "a\n");
    lht_norm_free(&n);
}
END_TEST

START_TEST(dresses)
{
    struct lht_norm n;
    const char *in = cases[_i].in;
    int k;

    ck_assert_int_eq(lht_normalise(in, strlen(in), &n), LHT_OK);
    if (cases[_i].out == NULL) {
        ck_assert_msg(n.text == NULL, "%s: copied", cases[_i].name);
    } else {
        ck_assert_msg(n.text != NULL, "%s: nothing undone", cases[_i].name);
        ck_assert_msg(n.len == strlen(cases[_i].out) && memcmp(n.text, cases[_i].out, n.len) == 0,
                      "%s: got [%s]", cases[_i].name, n.text);
        ck_assert_msg((n.done & cases[_i].done) == cases[_i].done, "%s: done %#x", cases[_i].name, n.done);
    }
    for (k = 0; k < 8 && cases[_i].lines[k]; k++)
        ck_assert_msg(lht_norm_line(&n, k + 1) == cases[_i].lines[k], "%s: output line %d cites %ld, want %ld",
                      cases[_i].name, k + 1, lht_norm_line(&n, k + 1), cases[_i].lines[k]);
    lht_norm_free(&n);
    ck_assert_ptr_null(n.text);
}
END_TEST

/* Hostile input: NUL bytes, a line of markers only, an unterminated
 * entity and tag, a huge line; the result never grows. */
START_TEST(hostile)
{
    static char big[300000];
    const char nul[] = "> a\0b\n&#;&#x110000;&amp\n<pre\n=\n";
    struct lht_norm n;
    size_t i;

    ck_assert_int_eq(lht_normalise(nul, sizeof nul - 1, &n), LHT_OK);
    ck_assert_ptr_nonnull(n.text);
    ck_assert_uint_le(n.len, sizeof nul - 1);
    lht_norm_free(&n);
    for (i = 0; i < sizeof big; i++)
        big[i] = "> &lt;=\r\n\t*"[i % 11];
    ck_assert_int_eq(lht_normalise(big, sizeof big, &n), LHT_OK);
    ck_assert_uint_le(n.len, sizeof big);
    ck_assert_int_eq(lht_norm_line(&n, 1), 1);
    lht_norm_free(&n);
    ck_assert_int_eq(lht_normalise(NULL, 0, &n), LHT_OK);
    ck_assert_ptr_null(n.text);
}
END_TEST

static Suite *normalise_suite(void)
{
    Suite *s = suite_create("normalise");
    TCase *tc = tcase_create("dresses");
    tcase_add_loop_test(tc, dresses, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, hostile);
    tcase_add_test(tc, utf16);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(normalise_suite)
