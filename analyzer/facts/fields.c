/*
 * fields.c - see fields.h.
 */
#include "facts/fields.h"

#include <string.h>

static const char *join_frames(const struct lht_facts *f, long s, struct lht_sb *scratch)
{
    size_t ns, nfr, j;
    const struct lht_stack *st = lht_facts_stacks(f, &ns);
    const struct lht_frame *fr = lht_facts_frames(f, &nfr);

    lht_sb_reset(scratch);
    if (s < 0 || (size_t)s >= ns)
        return "";
    for (j = 0; j < st[s].nframes && st[s].first + j < nfr; j++) {
        const char *sym = fr[st[s].first + j].symbol;
        if (lht_sb_puts(scratch, sym ? sym : "?") || lht_sb_puts(scratch, "\n"))
            return NULL;
    }
    return lht_sb_str(scratch);
}

const char *lht_stack_frames_field(const struct lht_facts *f, size_t i, struct lht_sb *scratch)
{
    return join_frames(f, (long)i, scratch);
}

const char *lht_hung_task_frames_field(const struct lht_facts *f, size_t i, struct lht_sb *scratch)
{
    size_t n;
    const struct lht_hung_task *h = lht_facts_hung_tasks(f, &n);

    return i < n ? join_frames(f, h[i].stack, scratch) : NULL;
}

/* Frame k of stack s, where k counts the '\n's before off in the joined
 * symbols (each frame is one line of that text). */
static long frame_line(const struct lht_facts *f, long s, size_t off)
{
    struct lht_sb joined = LHT_SB_INIT;
    size_t ns, nfr, depth = 0, c;
    const struct lht_stack *st = lht_facts_stacks(f, &ns);
    const struct lht_frame *fr = lht_facts_frames(f, &nfr);
    const char *text = join_frames(f, s, &joined);
    long line = -1;

    for (c = 0; text && c < off && text[c]; c++)
        depth += text[c] == '\n';
    if (s >= 0 && (size_t)s < ns && depth < st[s].nframes && st[s].first + depth < nfr)
        line = fr[st[s].first + depth].line;
    lht_sb_free(&joined);
    return line;
}

long lht_stack_frames_line(const struct lht_facts *f, size_t i, size_t off)
{
    return frame_line(f, (long)i, off);
}

long lht_hung_task_frames_line(const struct lht_facts *f, size_t i, size_t off)
{
    size_t n;
    const struct lht_hung_task *h = lht_facts_hung_tasks(f, &n);

    return i < n ? frame_line(f, h[i].stack, off) : -1;
}

const char *lht_kv_keyed_get(const struct lht_facts *f, size_t i, const char *key,
                             struct lht_sb *scratch)
{
    size_t n;
    const struct lht_kv *kv = lht_facts_kvs(f, &n);

    (void)scratch;
    return i < n && kv[i].key && strcmp(kv[i].key, key) == 0 ? kv[i].value : NULL;
}

int lht_kv_keyed_ok(const char *key)
{
    return key[0] != '\0' && strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                                 strlen(key);
}

const char *lht_k8s_keyed_get(const struct lht_facts *f, size_t i, const char *key,
                              struct lht_sb *scratch)
{
    size_t nf, no, kl;
    const struct lht_field *fl = lht_facts_fields(f, &nf);
    const struct lht_object *o = lht_facts_objects(f, &no);
    const char *dot = strchr(key, '.');

    (void)scratch;
    if (i >= nf || dot == NULL || fl[i].parent >= no)
        return NULL;
    kl = (size_t)(dot - key);
    o += fl[i].parent;
    if (o->kind == NULL || strlen(o->kind) != kl || strncmp(o->kind, key, kl) != 0 ||
        fl[i].path == NULL || strcmp(fl[i].path, dot + 1) != 0)
        return NULL;
    return fl[i].value;
}

int lht_k8s_keyed_ok(const char *key)
{
    const char *dot = strchr(key, '.');
    return dot != NULL && dot > key && dot[1] != '\0';
}

void lht_frame_render(const struct lht_facts *f, size_t i, struct lht_sb *out)
{
    size_t n;
    const struct lht_frame *x = lht_facts_frames(f, &n);

    if (i >= n)
        return;
    x += i;
    lht_sb_printf(out, "%s%s%s%s%s%s%s", x->uncertain ? "? " : "", x->symbol ? x->symbol : "?",
                  x->offset ? "+" : "", x->offset ? x->offset : "", x->module ? " [" : "",
                  x->module ? x->module : "", x->module ? "]" : "");
}

void lht_stack_render(const struct lht_facts *f, size_t i, struct lht_sb *out)
{
    size_t n, j;
    const struct lht_stack *s = lht_facts_stacks(f, &n);

    if (i >= n)
        return;
    for (j = 0; j < s[i].nframes; j++) {
        lht_frame_render(f, s[i].first + j, out);
        lht_sb_puts(out, "\n");
    }
}
