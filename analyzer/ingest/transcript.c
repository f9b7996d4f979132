/*
 * transcript.c - see transcript.h.
 *
 * Two tables: prompt shapes (which line starts a command) and command
 * routes (what the command prints). A bare "#"/"$" prompt is accepted only
 * before a command the route table knows, because "# something" is also a
 * comment in configs and notes.
 */
#include "ingest/transcript.h"
#include "core/re.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { P_HOST = 1, P_BARE = 2 };

#define NAME "[A-Za-z0-9_][A-Za-z0-9_.-]*"
static struct lht_re prompt_table[] = {
    /* root@host:~# cmd   user@host:/path$ cmd   (venv) user@host:~$ cmd */
    {"^(?:\\([^)]*\\)\\s*)?(?<u1>" NAME ")@(?<h1>" NAME ")(?::[^#$\\n]*)?\\s*[#$%]\\s*(?<c1>\\S.*)$",
     P_HOST, NULL},
    /* [root@host ~]# cmd */
    {"^\\[(?<u2>" NAME ")@(?<h2>" NAME ")[^\\]]*\\]\\s*[#$]\\s*(?<c2>\\S.*)$", P_HOST, NULL},
    /* host:~ # cmd (SUSE) */
    {"^(?<h3>" NAME "):[~/][^\\s#$]*\\s+[#>]\\s*(?<c3>\\S.*)$", P_HOST, NULL},
    /* sh-4.4# cmd   bash-5.1$ cmd   / # cmd   ~ # cmd */
    {"^(?:(?:sh|bash|zsh)-[0-9.]+|[~/][^\\s#$]*)\\s?[#$]\\s*(?<c4>\\S.*)$", P_BARE, NULL},
    /* # cmd   $ cmd */
    {"^[#$]\\s+(?<c5>\\S.*)$", P_BARE, NULL},
};
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

/* Is line a prompt? Fills host/cmd (NUL-terminated copies) on success. */
static int match_prompt(const char *s, size_t len, pcre2_match_data *pmd,
                        pcre2_match_data *rmd, char *host, size_t hostsz,
                        char *cmd, size_t cmdsz, int *fail)
{
    static const char *const hosts[] = {"h1", "h2", "h3"};
    static const char *const cmds[] = {"c1", "c2", "c3", "c4", "c5"};
    int i, j, cl = -1;

    if (len == 0 || len > 4096)
        return 0;
    i = lht_re_first(prompt_table, N(prompt_table), s, len, pmd, fail);
    if (i < 0)
        return 0;
    for (j = 0; j < (int)N(cmds) && cl < 0; j++)
        cl = lht_re_group(prompt_table[i].code, pmd, s, cmds[j], cmd, cmdsz);
    if (cl <= 0)
        return 0;
    host[0] = '\0';
    for (j = 0; j < (int)N(hosts); j++)
        if (lht_re_group(prompt_table[i].code, pmd, s, hosts[j], host, hostsz) > 0)
            break;
    if (prompt_table[i].value == P_BARE && !known_command(cmd, (size_t)cl, rmd, fail))
        return 0;
    return 1;
}

int lht_transcript_prompts(const char *buf, size_t len, int max, int *fail)
{
    pcre2_match_data *pmd, *rmd;
    const char *p = buf, *end = buf + len;
    char host[256], cmd[4096];
    int n = 0;

    if (init() != LHT_OK)
        return 0;
    pmd = lht_re_match_data(prompt_table, N(prompt_table));
    rmd = lht_re_match_data(route_table, N(route_table));
    while (pmd && rmd && p < end && n < max) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (match_prompt(p, l, pmd, rmd, host, sizeof host, cmd, sizeof cmd, fail))
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
    char host[2][256], cmd[2][4096];
    struct lht_section sec;
    int have = 0, cur = 0, rc = LHT_OK;
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

        if (match_prompt(p, ll, pmd, rmd, host[nx], sizeof host[nx], cmd[nx], sizeof cmd[nx], fail)) {
            sec.body_len = (size_t)(p - sec.body);
            if (have || sec.body_len > 0) {
                rc = fn(ud, &sec);
                if (rc != LHT_OK)
                    goto done;
            }
            cur = nx;
            have = 1;
            sec.host = host[cur][0] ? host[cur] : NULL;
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
