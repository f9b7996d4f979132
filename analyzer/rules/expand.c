/*
 * expand.c - the text of a finding: a rule's remediation and next-steps
 * templates with their {placeholders} filled from the bundle's facts.
 *
 * {node}, {pid} (the line repeats once per pid), {pids}, any fact key
 * ({longhorn_version}, {kernel_release}: the node's value, else the
 * bundle's), and the name of one of the rule's fixes ({storageclass_fix}:
 * the customer's own object rewritten, remedy.c).
 */
#include "rules/rules_private.h"

#include <stdlib.h>
#include <string.h>

/* Values spliced into rule text come from the bundle: keep them to the
 * characters of versions, node names and pid lists, so no value can carry
 * markup into a report. */
static void put_safe(struct lht_sb *out, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 strchr("._:+/@ ,=-", c) != NULL;
        lht_sb_putn(out, ok ? v : "?", 1);
    }
}

static const struct lht_fix *find_fix(const struct lht_rule *r, const char *name)
{
    int i;

    for (i = 0; i < r->nfixes; i++)
        if (strcmp(r->fixes[i].name, name) == 0)
            return &r->fixes[i];
    return NULL;
}

/* One {key}: appended to out; 0 when key names nothing (printed as is). */
static int put_placeholder(const struct lht_rule *r, const struct lht_facts *f, const char *key,
                           const char *node, const char *pids, const char *pid, struct lht_sb *out)
{
    const struct lht_fix *fx;
    const char *val;

    /* what a paste did not say (which node, which pid) is left for the
     * engineer to fill in, in the shell's placeholder style */
    if ((strcmp(key, "pid") == 0 && (pid == NULL || *pid == '\0')) ||
        (strcmp(key, "pids") == 0 && (pids == NULL || *pids == '\0')) || (strcmp(key, "node") == 0 && node == NULL)) {
        lht_sb_printf(out, "<%s>", strcmp(key, "node") == 0 ? "node" : "pid");
        return 1;
    }
    if (strcmp(key, "pid") == 0)
        val = pid;
    else if (strcmp(key, "pids") == 0)
        val = pids;
    else if (strcmp(key, "node") == 0)
        val = node;
    else if ((fx = find_fix(r, key)) != NULL) {
        struct lht_sb y = LHT_SB_INIT;
        lht_fix_render(fx, f, &y);
        /* the template's own line end follows the placeholder */
        if (y.len > 0 && y.p[y.len - 1] == '\n')
            y.p[--y.len] = '\0';
        lht_sb_puts(out, lht_sb_str(&y));
        lht_sb_free(&y);
        return 1;
    } else if ((val = lht_facts_kv_get(f, node, key)) == NULL && (val = lht_facts_kv_get(f, NULL, key)) == NULL) {
        /* a fact the bundle does not have: say so, do not leak the template */
        if (strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key))
            return 0;
        val = "unknown";
    }
    put_safe(out, val);
    return 1;
}

/* Expand one template line (len bytes, its '\n' included) for one pid. */
static void expand_line(const struct lht_rule *r, const struct lht_facts *f, const char *line, size_t len,
                        const char *node, const char *pids, const char *pid, struct lht_sb *out)
{
    const char *s = line, *e = line + len;

    while (s < e) {
        const char *open = memchr(s, '{', (size_t)(e - s));
        const char *close = open ? memchr(open, '}', (size_t)(e - open)) : NULL;
        char key[64];
        if (open == NULL || close == NULL || (size_t)(close - open) >= sizeof key) {
            lht_sb_putn(out, s, (size_t)(e - s));
            return;
        }
        lht_sb_putn(out, s, (size_t)(open - s));
        memcpy(key, open + 1, (size_t)(close - open - 1));
        key[close - open - 1] = '\0';
        if (!put_placeholder(r, f, key, node, pids, pid, out))
            lht_sb_putn(out, open, (size_t)(close - open + 1));
        s = close + 1;
    }
}

/* Next pid of the space-separated list at *pp into buf; 0 at the end. */
static int next_pid(const char **pp, char *buf, size_t sz)
{
    size_t k = 0;

    while (**pp == ' ')
        (*pp)++;
    while (**pp && **pp != ' ' && k + 1 < sz)
        buf[k++] = *(*pp)++;
    buf[k] = '\0';
    return k > 0;
}

const char *lht_rule_expand(const struct lht_rule *r, struct lht_facts *f, const char *tmpl,
                            const char *node, const char *pids)
{
    struct lht_sb out = LHT_SB_INIT;
    const char *line = tmpl, *res;

    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (memmem(line, len, "{pid}", 5) != NULL && pids != NULL && *pids != '\0') {
            const char *pp = pids;
            char pid[32];
            while (next_pid(&pp, pid, sizeof pid))
                expand_line(r, f, line, len, node, pids, pid, &out);
        } else {
            expand_line(r, f, line, len, node, pids, "", &out);
        }
        line = nl ? nl + 1 : NULL;
    }
    res = lht_facts_strz(f, lht_sb_str(&out));
    lht_sb_free(&out);
    return res;
}

const char *lht_rule_remediation(const struct lht_rule *r, struct lht_facts *f, const char *node,
                                 const char *pids)
{
    int i;

    for (i = 0; i < r->nremedies; i++) {
        const struct lht_remedy *rm = &r->remedies[i];
        if (rm->key) {
            const char *v = lht_facts_kv_get(f, node, rm->key);
            if (v == NULL)
                v = lht_facts_kv_get(f, NULL, rm->key);
            if (v == NULL || !lht_vpred_holds(&rm->ver, v))
                continue;
        }
        return lht_rule_expand(r, f, rm->text, node, pids);
    }
    return NULL;
}

const char *lht_rule_refs(const struct lht_rule *r, struct lht_facts *f)
{
    struct lht_sb refs = LHT_SB_INIT;
    const char *out;
    int k;

    if (r->nrefs == 0)
        return NULL;
    for (k = 0; k < r->nrefs; k++)
        lht_sb_printf(&refs, "%s%s", k ? "\n" : "", r->refs[k]);
    out = lht_facts_strz(f, lht_sb_str(&refs));
    lht_sb_free(&refs);
    return out;
}
