/*
 * hostinfo.c - host identity as node kvs: hostname, os, os_id,
 * os_version, kernel_release, kernel_version, arch, uname.
 *
 * Rules key on the kernel (NFS client fixes land per release) and on the
 * distribution, so this stage reads them from three kinds of text:
 *
 * The bundle's <node>/hostinfos/hostinfo, written by support-bundle-kit as
 * three `echo -e "name : \n $(cmd | sed 's/^/\t/')"` blocks: each header
 * ends with a space (quoted below), the first value line starts with space+TAB, the next
 * ones with TAB:
 *     "hostname : "
 *      	worker-1
 *     "os-release : "
 *      	PRETTY_NAME="Ubuntu 22.04.4 LTS"
 *     	VERSION_ID="22.04"
 *     "system-info : "
 *      	Linux supportbundle-agent-x7k2p 5.15.0-105-generic #115-Ubuntu SMP ... x86_64 GNU/Linux
 * system-info is `uname -a` run inside the agent pod: its second field is
 * the pod's name, never the node's, so only the hostname block names it.
 *
 * Pasted `uname` output in its common forms (here the nodename is the
 * host, as the customer ran it there):
 *     Linux w1 5.15.0-105-generic #115-Ubuntu SMP Mon Apr 15 09:52:04 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux
 *     Linux w2 4.18.0-513.5.1.el8_9.x86_64 #1 SMP Fri Sep 29 05:21:10 EDT 2023 x86_64 x86_64 x86_64 GNU/Linux
 *     Linux s1 5.14.21-150500.55.39-default #1 SMP PREEMPT_DYNAMIC Tue Dec  5 10:12:37 UTC 2023 (a1a5a05) x86_64 x86_64 x86_64 GNU/Linux
 *     Linux deb 6.1.0-18-arm64 #1 SMP Debian 6.1.76-1 (2024-02-01) aarch64 GNU/Linux   (coreutils drops "unknown")
 *     Linux alp 6.6.31-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Mon, 20 May 2024 07:31:03 +0000 x86_64 Linux   (busybox)
 *     Linux 5.15.0-105-generic x86_64      (uname -srm)
 *     5.14.0-427.13.1.el9_4.x86_64         (uname -r)
 * The fields are read from both ends: kernel name, nodename and release on
 * the left; operating system and the repeated machine names (machine,
 * processor, platform, any of them "unknown") on the right; what is left in
 * between is the version string, which holds spaces and dates.
 *
 * /etc/os-release (shell-quoted KEY=value), and for older or partial
 * pastes /etc/lsb-release (DISTRIB_*) and one-line /etc/<distro>-release
 * files ("Red Hat Enterprise Linux release 8.9 (Ootpa)"). The key table
 * below ranks the sources, so PRETTY_NAME beats DISTRIB_DESCRIPTION beats
 * NAME, whatever their order in the text.
 */
#include "core/err.h"
#include "parsers/parse.h"
#include "core/text.h"

#include <string.h>

#define MAX_NOTES 8
#define MAX_VALUE 1024   /* os-release values are short; longer is garbage */

struct hstate {
    const struct lht_pctx *ctx;
    int added;
    int notes;
};

static int note(struct hstate *st, long no, const char *what, const char *s, size_t len)
{
    if (st->notes >= MAX_NOTES)
        return LHT_OK;
    st->notes++;
    return lht_pctx_note_line(st->ctx, no, "hostinfo", what, s, len);
}

static int kv(struct hstate *st, long no, const char *key, const char *v, size_t vl)
{
    struct lht_kv k;

    k.at = lht_pctx_at(st->ctx, no);
    k.key = key;
    k.value = lht_facts_str(st->ctx->facts, v, vl);
    if (k.value == NULL || lht_facts_add_kv(st->ctx->facts, &k) != LHT_OK)
        return LHT_ENOMEM;
    st->added++;
    return 1;
}

struct tok {
    const char *s;
    size_t l;
};

static int teq(struct tok t, const char *lit)
{
    size_t n = strlen(lit);
    return t.l == n && memcmp(t.s, lit, n) == 0;
}

/* Machine names uname prints (utsname.machine across Linux ports). */
static const char *const machines[] = {
    "x86_64", "aarch64", "arm64", "armv7l", "armv6l", "armv8l", "i686", "i586", "i386",
    "ppc64le", "ppc64", "ppc", "s390x", "s390", "riscv64", "mips64", "mips", "loongarch64",
    "sparc64", "ia64", "amd64",
};

static int is_machine(struct tok t)
{
    size_t i;

    for (i = 0; i < sizeof machines / sizeof machines[0]; i++)
        if (teq(t, machines[i]))
            return 1;
    return 0;
}

/* "5.15.0-105-generic", "4.18.0-513.5.1.el8_9.x86_64", "6.6.31-0-lts":
 * digits '.' digits, then release characters. A dotted quad is an IP. */
static int is_release(struct tok t)
{
    size_t i, dots = 0;
    int only_digits_dots = 1;

    if (t.l < 3 || t.l > 128 || t.s[0] < '0' || t.s[0] > '9')
        return 0;
    for (i = 0; i < t.l && t.s[i] >= '0' && t.s[i] <= '9'; i++)
        ;
    if (i >= t.l - 1 || t.s[i] != '.' || t.s[i + 1] < '0' || t.s[i + 1] > '9')
        return 0;
    for (i = 0; i < t.l; i++) {
        char c = t.s[i];
        if (c == '.')
            dots++;
        else if (c < '0' || c > '9')
            only_digits_dots = 0;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-' || c == '_' || c == '+' || c == '~'))
            return 0;
    }
    return !(only_digits_dots && dots == 3);
}

/* Host and pod names: one token of hostname characters. */
static int is_hostname(const char *s, size_t l)
{
    size_t i;

    if (l == 0 || l > 253)
        return 0;
    for (i = 0; i < l; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

enum uname_use { UNAME_POD, UNAME_HOST };

#define MAX_UTOKS 48

/* One line of uname output; 1 when it was uname, 0 when not, < 0 error. */
static int uname_line(struct hstate *st, const char *s, size_t len, long no, enum uname_use use)
{
    struct tok t[MAX_UTOKS], release, host = {NULL, 0};
    const char *p = s, *e = s + len, *ts;
    size_t tl;
    int n = 0, first, last, machine = -1, stripped = 0, r;

    while (n < MAX_UTOKS && lht_tok(&p, e, &ts, &tl)) {
        t[n].s = ts;
        t[n].l = tl;
        n++;
    }
    if (n == 0 || n == MAX_UTOKS)
        return 0;
    if (teq(t[0], "Linux")) {
        /* the nodename comes first unless field 2 already is the release
         * (-sr, -srm); a nodename may look like a release, but a release
         * is never followed by another one */
        if (n >= 3 && is_release(t[2]) && is_hostname(t[1].s, t[1].l)) {
            host = t[1];
            release = t[2];
            first = 3;
        } else if (n >= 2 && is_release(t[1])) {
            release = t[1];
            first = 2;
        } else {
            return 0;
        }
    } else if (is_release(t[0]) && (n == 1 || (n == 2 && is_machine(t[1])))) {
        release = t[0];   /* uname -r, uname -rm */
        first = 1;
    } else if (n == 1 && is_machine(t[0])) {
        return kv(st, no, "arch", t[0].s, t[0].l);   /* uname -m */
    } else {
        return 0;
    }
    last = n - 1;
    if (last >= first && (teq(t[last], "GNU/Linux") || teq(t[last], "Linux")))
        last--;
    while (last >= first && stripped < 3 && (is_machine(t[last]) || teq(t[last], "unknown"))) {
        if (!teq(t[last], "unknown"))
            machine = last;
        last--;
        stripped++;
    }
    if (host.s != NULL && use == UNAME_HOST && (r = kv(st, no, "hostname", host.s, host.l)) < 0)
        return r;
    if ((r = kv(st, no, "kernel_release", release.s, release.l)) < 0)
        return r;
    if (last >= first &&
        (r = kv(st, no, "kernel_version", t[first].s,
                (size_t)(t[last].s + t[last].l - t[first].s))) < 0)
        return r;
    if (machine >= 0 && (r = kv(st, no, "arch", t[machine].s, t[machine].l)) < 0)
        return r;
    if (teq(t[0], "Linux") && (r = kv(st, no, "uname", s, len)) < 0)
        return r;
    return 1;
}

/* ---- os-release ---------------------------------------------------------- */

enum os_slot { OS_NAME, OS_ID, OS_VERSION, OS_NSLOTS };

static const char *const slot_key[OS_NSLOTS] = {"os", "os_id", "os_version"};

/* Lower rank wins: os-release, then lsb-release, then a release line, then
 * NAME. */
static const struct {
    const char *var;
    enum os_slot slot;
    int rank;
    int lower;     /* DISTRIB_ID=Ubuntu: ids are lower case in os-release */
} os_vars[] = {
    {"PRETTY_NAME", OS_NAME, 0, 0},     {"DISTRIB_DESCRIPTION", OS_NAME, 1, 0},
    {"NAME", OS_NAME, 3, 0},            {"ID", OS_ID, 0, 0},
    {"DISTRIB_ID", OS_ID, 1, 1},        {"VERSION_ID", OS_VERSION, 0, 0},
    {"DISTRIB_RELEASE", OS_VERSION, 1, 0},
};

#define RANK_RELEASE_LINE 2

/* One-line release files: name prefix -> os-release ID. */
static const struct {
    const char *prefix, *id;
} release_names[] = {
    {"Red Hat Enterprise Linux", "rhel"}, {"CentOS Stream", "centos"}, {"CentOS", "centos"},
    {"Rocky Linux", "rocky"}, {"AlmaLinux", "almalinux"}, {"Oracle Linux", "ol"},
    {"Fedora", "fedora"}, {"Amazon Linux", "amzn"}, {"Scientific Linux", "scientific"},
    {"SUSE Linux Enterprise Server", "sles"}, {"openSUSE", "opensuse"},
};

struct osinfo {
    const char *val[OS_NSLOTS];   /* arena copies of the best value so far */
    int rank[OS_NSLOTS];
    long line[OS_NSLOTS];
};

static void os_init(struct osinfo *os)
{
    int i;

    for (i = 0; i < OS_NSLOTS; i++) {
        os->val[i] = NULL;
        os->rank[i] = 99;
        os->line[i] = 0;
    }
}

static int os_offer(struct hstate *st, struct osinfo *os, enum os_slot slot, int rank,
                    const char *v, size_t l, long no)
{
    if (rank >= os->rank[slot] || l == 0)
        return 0;
    os->val[slot] = lht_facts_str(st->ctx->facts, v, l);
    if (os->val[slot] == NULL)
        return LHT_ENOMEM;
    os->rank[slot] = rank;
    os->line[slot] = no;
    return 0;
}

/* Shell-style value: "a \"b\"", 'a b', or bare. Writes into out. */
static size_t unquote(const char *v, size_t l, char *out, size_t outsz)
{
    size_t i = 0, o = 0;
    char q = 0;

    if (l > 0 && (v[0] == '"' || v[0] == '\'')) {
        q = v[0];
        i = 1;
    }
    for (; i < l && o < outsz; i++) {
        if (q != 0 && v[i] == q)
            break;
        if (q == '"' && v[i] == '\\' && i + 1 < l && v[i + 1] != '\0' && strchr("\"\\$`", v[i + 1]) != NULL)
            i++;
        else if (q == 0 && (v[i] == ' ' || v[i] == '\t' || v[i] == '#'))
            break;
        out[o++] = v[i];
    }
    return o;
}

/* "Red Hat Enterprise Linux release 8.9 (Ootpa)" */
static int release_line(struct hstate *st, struct osinfo *os, const char *s, size_t len, long no)
{
    const char *rel = lht_find(s, len, " release ");
    const char *v, *e = s + len;
    size_t i, vl;
    int r;

    if (rel == NULL)
        return 0;
    v = rel + 9;
    for (vl = 0; v + vl < e && ((v[vl] >= '0' && v[vl] <= '9') || v[vl] == '.'); vl++)
        ;
    if (vl == 0 || v[0] < '0' || v[0] > '9')
        return 0;
    if ((r = os_offer(st, os, OS_NAME, RANK_RELEASE_LINE, s, len, no)) < 0 ||
        (r = os_offer(st, os, OS_VERSION, RANK_RELEASE_LINE, v, vl, no)) < 0)
        return r;
    for (i = 0; i < sizeof release_names / sizeof release_names[0]; i++)
        if (lht_starts(s, len, release_names[i].prefix))
            return os_offer(st, os, OS_ID, RANK_RELEASE_LINE, release_names[i].id,
                            strlen(release_names[i].id), no);
    return 0;
}

/* KEY=value: offered when the table knows KEY. */
static int os_release_line(struct hstate *st, struct osinfo *os, const char *s, size_t len, long no)
{
    const char *eqs = memchr(s, '=', len), *v;
    char buf[MAX_VALUE];
    size_t kl, vl, rl, i, k;

    if (eqs == NULL)
        return release_line(st, os, s, len, no);
    kl = (size_t)(eqs - s);
    while (kl > 0 && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
        kl--;   /* SuSE-release writes "VERSION = 12" */
    for (i = 0; i < sizeof os_vars / sizeof os_vars[0]; i++) {
        if (strlen(os_vars[i].var) != kl || memcmp(os_vars[i].var, s, kl) != 0)
            continue;
        v = eqs + 1;
        rl = (size_t)(s + len - v);
        v = lht_ltrim(v, &rl);
        vl = unquote(v, rl, buf, sizeof buf);
        if (os_vars[i].lower)
            for (k = 0; k < vl; k++)
                if (buf[k] >= 'A' && buf[k] <= 'Z')
                    buf[k] = (char)(buf[k] - 'A' + 'a');
        return os_offer(st, os, os_vars[i].slot, os_vars[i].rank, buf, vl, no);
    }
    return 0;
}

static int os_emit(struct hstate *st, const struct osinfo *os)
{
    int i, r;

    for (i = 0; i < OS_NSLOTS; i++)
        if (os->val[i] != NULL &&
            (r = kv(st, os->line[i], slot_key[i], os->val[i], strlen(os->val[i]))) < 0)
            return r;
    return 0;
}

/* ---- entry points --------------------------------------------------------- */

enum block { B_NONE, B_HOST, B_OS, B_SYS, B_OTHER };

static const struct {
    const char *name;
    enum block block;
} hostinfo_headers[] = {
    {"hostname", B_HOST}, {"os-release", B_OS}, {"system-info", B_SYS},
};

/* "name : " header (trailing space optional): which block it opens. */
static int header(const char *s, size_t len, enum block *b)
{
    size_t i, nl;

    if (len == 0 || s[0] == ' ' || s[0] == '\t')
        return 0;
    len = lht_rtrim(s, len);
    if (len < 3 || s[len - 1] != ':' || s[len - 2] != ' ')
        return 0;
    nl = len - 2;
    for (i = 0; i < sizeof hostinfo_headers / sizeof hostinfo_headers[0]; i++)
        if (strlen(hostinfo_headers[i].name) == nl && memcmp(hostinfo_headers[i].name, s, nl) == 0) {
            *b = hostinfo_headers[i].block;
            return 1;
        }
    /* a block a newer collector may add: skip its values */
    for (i = 0; i < nl; i++)
        if (s[i] == ' ' || s[i] == '\t')
            return 0;
    *b = B_OTHER;
    return 1;
}

/* Each trimmed, non-empty line of buf goes to fn with the raw line (for
 * hostinfo's block headers); unreadable ones become notes instead. */
typedef int (*line_fn)(struct hstate *st, void *ud, const struct lht_line *raw, const char *s, size_t l);

static int each_line(struct hstate *st, const char *buf, size_t len, line_fn fn, void *ud)
{
    struct lht_lines it;
    struct lht_line ln;
    int r;

    lht_lines_init(&it, buf, buf ? len : 0, st->ctx->first_line);
    while (lht_line_next(&it, &ln)) {
        size_t l = ln.len;
        const char *s = lht_ltrim(ln.s, &l);
        l = lht_rtrim(s, l);
        if (l == 0)
            continue;
        if (memchr(s, '\0', l) != NULL || l > MAX_VALUE)
            r = note(st, ln.no, "unreadable line skipped", s, l);
        else
            r = fn(st, ud, &ln, s, l);
        if (r < 0)
            return r;
    }
    return LHT_OK;
}

struct hostinfo_walk {
    struct osinfo os;
    enum block block;
    int host_seen, sys_seen;
};

static int hostinfo_line(struct hstate *st, void *ud, const struct lht_line *raw, const char *s, size_t l)
{
    struct hostinfo_walk *w = ud;
    enum block nb;
    int r = 0;

    if (header(raw->s, raw->len, &nb)) {
        w->block = nb;
        return LHT_OK;
    }
    switch (w->block) {
    case B_HOST:
        if (w->host_seen)
            r = note(st, raw->no, "extra line in hostname block", s, l);
        else if (!is_hostname(s, l))
            r = note(st, raw->no, "hostname block is not a host name", s, l);
        else
            r = kv(st, raw->no, "hostname", s, l);
        w->host_seen = 1;
        break;
    case B_OS:
        r = os_release_line(st, &w->os, s, l, raw->no);
        break;
    case B_SYS:
        r = w->sys_seen ? 0 : uname_line(st, s, l, raw->no, UNAME_POD);
        if (r == 0 && !w->sys_seen)
            r = note(st, raw->no, "system-info is not uname -a output", s, l);
        w->sys_seen = 1;
        break;
    case B_NONE:
        r = note(st, raw->no, "line outside hostinfo blocks", s, l);
        break;
    default:
        break;
    }
    return r < 0 ? r : LHT_OK;
}

int lht_parse_hostinfo(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct hstate st = {ctx, 0, 0};
    struct hostinfo_walk w;
    int r;

    memset(&w, 0, sizeof w);
    os_init(&w.os);
    w.block = B_NONE;
    if ((r = each_line(&st, buf, len, hostinfo_line, &w)) < 0 || (r = os_emit(&st, &w.os)) < 0)
        return r;
    return st.added;
}

static int uname_only(struct hstate *st, void *ud, const struct lht_line *raw, const char *s, size_t l)
{
    int r;

    (void)ud;
    if ((r = uname_line(st, s, l, raw->no, UNAME_HOST)) == 0)
        r = note(st, raw->no, "not uname output", s, l);
    return r < 0 ? r : LHT_OK;
}

int lht_parse_uname(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct hstate st = {ctx, 0, 0};
    int r = each_line(&st, buf, len, uname_only, NULL);

    return r < 0 ? r : st.added;
}

static int os_release_only(struct hstate *st, void *ud, const struct lht_line *raw, const char *s, size_t l)
{
    int r = s[0] == '#' ? 0 : os_release_line(st, ud, s, l, raw->no);
    return r < 0 ? r : LHT_OK;
}

int lht_parse_os_release(const char *buf, size_t len, const struct lht_pctx *ctx)
{
    struct hstate st = {ctx, 0, 0};
    struct osinfo os;
    int r;

    os_init(&os);
    if ((r = each_line(&st, buf, len, os_release_only, &os)) < 0 || (r = os_emit(&st, &os)) < 0)
        return r;
    return st.added;
}
