/*
 * transcript.c - see transcript.h.
 *
 * Two tables: prompt shapes (which line starts a command) and command
 * routes (what the command prints, from facts/registry.def). A prompt
 * without a user@host part ("# ", "$ ", "sh-5.1# ", "host:~/x# ") is
 * accepted only before a command the route table knows, because
 * "# something" is also a comment in configs and notes. A line with no
 * prompt at all is a command too when it is one that prints evidence
 * ("cat /proc/123/stack", "sudo nfsstat -m", "mount | grep nfs", a
 * `for ...; do cat /proc/$p/stack; done` loop) and reads like a command
 * line rather than a sentence: mail, markdown and web pages drop the
 * prompt, and a quoted "> $ nfsstat -m" often loses it.
 */
#include "ingest/transcript.h"
#include "core/re.h"
#include "core/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_HOST = 1,   /* names its host; any command */
    P_HOSTK = 2,  /* names its host; a known command only */
    P_BARE = 3,   /* no host; a known command only */
    P_CRASH = 4   /* crash(8) session: "crash> ps" (the prompt is part of the command) */
};

#define NAME "[A-Za-z0-9_][A-Za-z0-9_.-]*"
/* a host part: "(none)" is what a host without a name prints */
#define HOST "(?:" NAME "|\\(none\\))"
/* "(venv) ", "(ns: getty) ", "15:33 " (a time in PS1) before a prompt */
#define PRE "^\\s*(?:\\([^)]*\\)\\s*)?(?:[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\\s+)?"
static struct lht_re prompt_table[] = {
    /* root@host:~# cmd   user@host:/path$ cmd   (venv) user@host:~$ cmd */
    {PRE "(?<u1>" NAME ")@(?<h1>" NAME ")(?::[^#$>\\n]*)?\\s*[#$%]\\s*(?<c1>\\S.*)$", P_HOST, NULL},
    /* user@host:/cwd> cmd (SUSE non-root) */
    {PRE "(?<u2>" NAME ")@(?<h2>" NAME "):[~/][^#$>\\s]*>\\s*(?<c2>\\S.*)$", P_HOSTK, NULL},
    /* [root@host ~]# cmd   [root@openwrt:~]$ cmd   c[root@h ~]# (a stray key before it) */
    {PRE "[^\\s\\[]{0,2}\\[(?<u3>" NAME ")@(?<h3>" NAME ")[^\\]]*\\]\\s*[#$]\\s*(?<c3>\\S.*)$", P_HOST, NULL},
    /* host:~ # cmd (SUSE)   15:33 (none):~ # cmd */
    {PRE "(?<h4>" HOST "):[~/][^\\s#$]*\\s+[#>]\\s*(?<c4>\\S.*)$", P_HOST, NULL},
    /* diego-cell/<uuid>:~# cmd   linuxkit-5254:~/nfs# cmd */
    {PRE "(?<h5>" NAME ")(?:/[A-Za-z0-9_.-]+)?:[~/][^\\s#$]*[#$]\\s*(?<c5>\\S.*)$", P_HOSTK, NULL},
    /* crash> ps */
    {"^\\s*(?<c6>crash>\\s*\\S.*)$", P_CRASH, NULL},
    /* sh-4.4# cmd   -bash-4.3# cmd   bash-5.1$ cmd   / # cmd   ~ # cmd */
    {"^\\s*(?:-?(?:sh|bash|zsh|ksh|ash|dash)-[0-9.]+|[~/][^\\s#$]*)\\s?[#$]\\s*(?<c7>\\S.*)$", P_BARE, NULL},
    /* # cmd   $ cmd   % cmd */
    {"^\\s*[#$%]\\s+(?<c8>\\S.*)$", P_BARE, NULL},
};
#undef PRE
#undef HOST
#undef NAME

/* What a command prints: the route entries of facts/registry.def, in
 * file order (more specific first; first match wins). */
static struct lht_re route_table[] = {
#define LHT_ROUTE(ID, re) {re, LHT_K_##ID, NULL},
#include "facts/registry_skip.h"
#include "facts/registry.def"
#include "facts/registry_undef.h"
};

#define N(t) (sizeof(t) / sizeof((t)[0]))

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_tables(void)
{
    init_rc = lht_re_compile(prompt_table, N(prompt_table), NULL);
    if (init_rc == LHT_OK)
        init_rc = lht_re_compile(route_table, N(route_table), NULL);
}

static int init(void)
{
    pthread_once(&once, init_tables);
    return init_rc;
}

enum lht_kind lht_transcript_command_kind(const char *cmd, size_t len, long *pid, int *fail)
{
    pcre2_match_data *md;
    enum lht_kind k = LHT_K_UNKNOWN;
    char buf[24];
    int i;

    *pid = -1;
    if (init() != LHT_OK || (md = lht_re_match_data(route_table, N(route_table))) == NULL)
        return LHT_K_UNKNOWN;
    i = lht_re_first(route_table, N(route_table), cmd, len, md, fail);
    if (i >= 0) {
        k = (enum lht_kind)route_table[i].value;
        if (lht_re_group(route_table[i].code, md, cmd, "pid", buf, sizeof buf) > 0)
            *pid = strtol(buf, NULL, 10);
        /* a known command that prints no evidence of its own: sniff it */
        if (k == LHT_K_COMMAND)
            k = LHT_K_UNKNOWN;
    }
    pcre2_match_data_free(md);
    return k;
}

static int known_command(const char *cmd, size_t len, pcre2_match_data *md, int *fail)
{
    return lht_re_first(route_table, N(route_table), cmd, len, md, fail) >= 0;
}

/* First words of the commands that print evidence, for lines without a
 * prompt (the routes then decide what each prints). */
static const char *const bare_words[] = {
    "cat", "tail", "head", "more", "less", "grep", "egrep", "zgrep", "ps", "pgrep", "top", "nfsstat",
    "mount", "findmnt", "dmesg", "journalctl", "uname", "lsof", "for", "while",
};

/* An argument a command line has and a sentence does not: an option, a
 * path, a variable, a glob, a list, a quoted or numeric word. */
static int arg_like(const char *t, size_t l)
{
    size_t k;

    if (t[0] != '\0' && strchr("-/.~${*'\"`^[", t[0]) != NULL)
        return 1;
    for (k = 0; k < l; k++)
        if (t[k] != '\0' && strchr("/=,$*{", t[k]) != NULL)
            return 1;
    for (k = 0; k < l && t[k] >= '0' && t[k] <= '9'; k++)
        ;
    return k == l;
}

/* The word of [*p, e) (up to a blank or a shell operator) into *w, *wl. */
static int next_word(const char **p, const char *e, const char **w, size_t *wl)
{
    const char *q = *p;

    while (q < e && (*q == ' ' || *q == '\t'))
        q++;
    if (q >= e || strchr("|;&><", *q) != NULL)
        return 0;
    *w = q;
    while (q < e && *q != ' ' && *q != '\t' && strchr("|;&><", *q) == NULL)
        q++;
    *wl = (size_t)(q - *w);
    *p = q;
    return 1;
}

static int is_bare_word(const char *w, size_t wl)
{
    size_t i;

    for (i = 0; i < N(bare_words); i++)
        if (strlen(bare_words[i]) == wl && memcmp(bare_words[i], w, wl) == 0)
            return 1;
    return 0;
}

/* Does [s, s+len) (trimmed) read as a command line: an evidence command
 * with arguments (up to the first pipe or redirection) that are options,
 * paths and the like, one plain word allowed for ps (BSD options) and
 * grep (a pattern)? Loops qualify by "do". */
static int reads_as_command(const char *s, size_t len)
{
    const char *p = s, *e = s + len, *w;
    size_t wl;
    int plain = 0, words = 0;

    if (!next_word(&p, e, &w, &wl))
        return 0;
    if (wl == 4 && memcmp(w, "sudo", 4) == 0) {
        do {
            if (!next_word(&p, e, &w, &wl))
                return 0;
        } while (w[0] == '-');
    }
    if (!is_bare_word(w, wl))
        return 0;
    if ((wl == 3 && memcmp(w, "for", 3) == 0) || (wl == 5 && memcmp(w, "while", 5) == 0))
        return lht_find(s, len, "; do") != NULL || lht_find(s, len, " do ") != NULL;
    plain = (wl == 2 && memcmp(w, "ps", 2) == 0) || (wl >= 4 && memcmp(w + wl - 4, "grep", 4) == 0);
    while (next_word(&p, e, &w, &wl)) {
        words++;
        if (arg_like(w, wl))
            continue;
        if (!plain || words > 2)
            return 0;
        plain = 0;
    }
    return 1;
}

/* "ssh [options] [user@]host remote command": the host, into host (""
 * when the line is no ssh), and where the remote command starts. */
static const char *ssh_target(const char *s, size_t len, char *host, size_t hostsz)
{
    static const char with_arg[] = "bcDEeFIiJLlmOoPpQRSWw";
    const char *p = s, *e = s + len, *w, *at;
    size_t wl;

    host[0] = '\0';
    if (!next_word(&p, e, &w, &wl) || wl != 3 || memcmp(w, "ssh", 3) != 0)
        return NULL;
    while (next_word(&p, e, &w, &wl) && w[0] == '-')
        if (wl == 2 && strchr(with_arg, w[1]) != NULL && !next_word(&p, e, &w, &wl))
            return NULL;
    if (p >= e || w[0] == '-')
        return NULL;
    at = memchr(w, '@', wl);
    if (at != NULL) {
        wl -= (size_t)(at + 1 - w);
        w = at + 1;
    }
    if (wl == 0 || wl >= hostsz)
        return NULL;
    memcpy(host, w, wl);
    host[wl] = '\0';
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\'' || *p == '"'))
        p++;
    return p;
}

/* A line that is itself a command printing evidence (see the file
 * comment); the trimmed line goes to cmd. Run through ssh, the remote
 * command counts and the host it ran on goes to host. */
static int bare_command(const char *s, size_t len, pcre2_match_data *rmd, char *cmd, size_t cmdsz, char *host,
                        size_t hostsz, int *fail)
{
    const char *r;
    size_t rl;
    int i;

    s = lht_ltrim(s, &len);
    len = lht_rtrim(s, len);
    if (len < 2 || len > 512 || len >= cmdsz)
        return 0;
    r = ssh_target(s, len, host, hostsz);
    rl = r ? (size_t)(s + len - r) : len;
    if (r == NULL)
        r = s;
    while (rl > 0 && (r[rl - 1] == '\'' || r[rl - 1] == '"'))
        rl--;
    if (!reads_as_command(r, rl)) {
        host[0] = '\0';
        return 0;
    }
    i = lht_re_first(route_table, N(route_table), r, rl, rmd, fail);
    if (i < 0 || route_table[i].value == LHT_K_COMMAND) {
        host[0] = '\0';
        return 0;
    }
    memcpy(cmd, r, rl);
    cmd[rl] = '\0';
    return 1;
}

static int has_prompt_char(const char *s, size_t len)
{
    size_t k;

    for (k = 0; k < len; k++)
        if (s[k] == '#' || s[k] == '$' || s[k] == '>' || s[k] == '%')
            return 1;
    return 0;
}

/* Is line a prompt, or a command without one? Fills host/cmd (NUL-
 * terminated copies) and *bare on success. */
static int match_prompt(const char *s, size_t len, pcre2_match_data *pmd,
                        pcre2_match_data *rmd, char *host, size_t hostsz,
                        char *cmd, size_t cmdsz, int *bare, int *fail)
{
    static const char *const hosts[] = {"h1", "h2", "h3", "h4", "h5"};
    static const char *const cmds[] = {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"};
    int i, j, cl = -1, kind;

    *bare = 0;
    host[0] = '\0';
    if (len == 0 || len > 4096)
        return 0;
    /* every prompt ends in one of these: most lines need no pattern */
    i = has_prompt_char(s, len) ? lht_re_first(prompt_table, N(prompt_table), s, len, pmd, fail) : -1;
    if (i < 0) {
        *bare = bare_command(s, len, rmd, cmd, cmdsz, host, hostsz, fail);
        return *bare;
    }
    for (j = 0; j < (int)N(cmds) && cl < 0; j++)
        cl = lht_re_group(prompt_table[i].code, pmd, s, cmds[j], cmd, cmdsz);
    if (cl <= 0)
        return 0;
    for (j = 0; j < (int)N(hosts); j++)
        if (lht_re_group(prompt_table[i].code, pmd, s, hosts[j], host, hostsz) > 0)
            break;
    if (strcmp(host, "(none)") == 0)
        host[0] = '\0';
    kind = prompt_table[i].value;
    if ((kind == P_BARE || kind == P_HOSTK) && !known_command(cmd, (size_t)cl, rmd, fail))
        return 0;
    return 1;
}

int lht_transcript_prompts(const char *buf, size_t len, int max, int *fail)
{
    pcre2_match_data *pmd, *rmd;
    const char *p = buf, *end = buf + len;
    char host[256], cmd[4096];
    int n = 0, bare;

    if (init() != LHT_OK)
        return 0;
    pmd = lht_re_match_data(prompt_table, N(prompt_table));
    rmd = lht_re_match_data(route_table, N(route_table));
    while (pmd && rmd && p < end && n < max) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (match_prompt(p, l, pmd, rmd, host, sizeof host, cmd, sizeof cmd, &bare, fail))
            n++;
        p = nl ? nl + 1 : end;
    }
    pcre2_match_data_free(pmd);
    pcre2_match_data_free(rmd);
    return n;
}

int lht_transcript_split(const char *buf, size_t len, long first_line,
                         lht_section_fn fn, void *ud, int *fail)
{
    pcre2_match_data *pmd = NULL, *rmd = NULL;
    const char *p = buf, *end = buf + len;
    char host[2][256], cmd[2][4096], last_host[256] = "";
    struct lht_section sec;
    int have = 0, cur = 0, rc = LHT_OK, bare;
    long no = first_line;

    if (init() != LHT_OK)
        return LHT_ENOMEM;
    pmd = lht_re_match_data(prompt_table, N(prompt_table));
    rmd = lht_re_match_data(route_table, N(route_table));
    if (pmd == NULL || rmd == NULL) {
        rc = LHT_ENOMEM;
        goto done;
    }
    memset(&sec, 0, sizeof sec);
    sec.body = buf;
    sec.body_line = first_line;
    sec.prompt_line = 0;
    sec.kind = LHT_K_UNKNOWN;
    sec.pid = -1;
    for (; p < end; no++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *next = nl ? nl + 1 : end;
        size_t ll = (l > 0 && p[l - 1] == '\r') ? l - 1 : l;
        int nx = cur ^ 1;

        if (match_prompt(p, ll, pmd, rmd, host[nx], sizeof host[nx], cmd[nx], sizeof cmd[nx], &bare, fail)) {
            sec.body_len = (size_t)(p - sec.body);
            if (have || sec.body_len > 0) {
                rc = fn(ud, &sec);
                if (rc != LHT_OK)
                    goto done;
            }
            /* commands pasted after one prompt run on its host */
            if (!bare)
                memcpy(last_host, host[nx], sizeof last_host);
            else if (host[nx][0] == '\0')
                memcpy(host[nx], last_host, sizeof last_host);
            cur = nx;
            have = 1;
            sec.host = host[cur][0] ? host[cur] : NULL;
            sec.bare = bare;
            sec.command = cmd[cur];
            sec.prompt_line = no;
            sec.body = next;
            sec.body_line = no + 1;
            sec.kind = lht_transcript_command_kind(cmd[cur], strlen(cmd[cur]), &sec.pid, fail);
        }
        p = next;
    }
    sec.body_len = (size_t)(end - sec.body);
    if (have || sec.body_len > 0)
        rc = fn(ud, &sec);
done:
    pcre2_match_data_free(pmd);
    pcre2_match_data_free(rmd);
    return rc;
}
