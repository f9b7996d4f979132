/*
 * remedy.c - a rule's fix as data: the customer's own Kubernetes objects,
 * rewritten (rules/README.md, `fixes:`).
 *
 * A fix names an object kind, the fields the objects to rewrite must
 * match, the name of the copy (objects such as StorageClasses cannot be
 * edited in place, so the fix is a new one), the fields to keep, and one
 * option of a comma-separated option string to set (vers=4.0 in
 * nfsOptions). Nothing here knows about Longhorn or NFS: that is the
 * rule's YAML.
 */
#include "rules/rules_private.h"

#include <stdlib.h>
#include <string.h>

/* A double-quoted YAML scalar that cannot break out of the markdown fence
 * it is shown in. */
static void yaml_quote(struct lht_sb *b, const char *v)
{
    lht_sb_puts(b, "\"");
    for (; v && *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\')
            lht_sb_printf(b, "\\%c", c);
        /* a backtick could close the markdown fence the YAML is shown in */
        else if (c < 0x20 || c == 0x7f || c == '`')
            lht_sb_printf(b, "\\x%02x", c);
        else
            lht_sb_putn(b, v, 1);
    }
    lht_sb_puts(b, "\"");
}

static void yaml_value(struct lht_sb *b, const char *v)
{
    /* a boolean stays one, or the API server rejects the object */
    if (v && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
        lht_sb_puts(b, v);
    else
        yaml_quote(b, v);
}

/* opts with fx's option first and the dropped keys left out. */
static void set_option(const struct lht_fix *fx, struct lht_sb *b, const char *opts)
{
    const char *p = opts;
    int i;

    lht_sb_puts(b, fx->opt_set);
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t kl = eq ? (size_t)(eq - p) : len;
        int drop = 0;
        for (i = 0; i < fx->nopt_drop; i++)
            drop |= strlen(fx->opt_drop[i]) == kl && strncmp(p, fx->opt_drop[i], kl) == 0;
        if (len && !drop) {
            lht_sb_puts(b, ",");
            lht_sb_putn(b, p, len);
        }
        p = comma ? comma + 1 : NULL;
    }
}

/* Value of path in object o, or NULL. */
static const char *object_get(const struct lht_facts *f, const struct lht_object *o, const char *path)
{
    size_t nf, j;
    const struct lht_field *fl = lht_facts_fields(f, &nf);

    for (j = 0; j < o->nfields && o->first + j < nf; j++)
        if (fl[o->first + j].path && strcmp(fl[o->first + j].path, path) == 0)
            return fl[o->first + j].value;
    return NULL;
}

static int object_selected(const struct lht_fix *fx, const struct lht_facts *f, const struct lht_object *o,
                           pcre2_match_data *md)
{
    int i;

    if (o->kind == NULL || strcmp(o->kind, fx->object) != 0)
        return 0;
    for (i = 0; i < fx->nwhere; i++) {
        const char *v = object_get(f, o, fx->where[i].path);
        if (v == NULL || pcre2_match(fx->where[i].re, (PCRE2_SPTR)v, strlen(v), 0, 0, md, NULL) < 0)
            return 0;
    }
    return 1;
}

/* "name-nfs40" from the rename template's {name}. */
static void put_name(const struct lht_fix *fx, const struct lht_object *o, struct lht_sb *out)
{
    const char *t = fx->rename, *at = strstr(t, "{name}");

    if (at == NULL) {
        lht_sb_puts(out, t);
        return;
    }
    lht_sb_putn(out, t, (size_t)(at - t));
    lht_sb_puts(out, o->name ? o->name : "unnamed");
    lht_sb_puts(out, at + 6);
}

/* Kept fields: "a" is a top-level scalar, "m.*" every field under map m,
 * written in the object's order under "m:". */
static void put_kept(const struct lht_fix *fx, const struct lht_facts *f, const struct lht_object *o,
                     struct lht_sb *out)
{
    size_t nf, j;
    const struct lht_field *fl = lht_facts_fields(f, &nf);
    int k;

    for (k = 0; k < fx->nkeep; k++) {
        const char *keep = fx->keep[k];
        size_t kl = strlen(keep);
        int map = kl > 2 && strcmp(keep + kl - 2, ".*") == 0, header = 0;
        for (j = 0; j < o->nfields && o->first + j < nf; j++) {
            const struct lht_field *x = &fl[o->first + j];
            if (x->path == NULL)
                continue;
            if (!map && strcmp(x->path, keep) == 0) {
                lht_sb_printf(out, "%s: ", keep);
            } else if (map && strncmp(x->path, keep, kl - 1) == 0 && x->path[kl - 1] != '\0') {
                if (!header++)
                    lht_sb_printf(out, "%.*s:\n", (int)(kl - 2), keep);
                lht_sb_printf(out, "  %s: ", x->path + kl - 1);
            } else {
                continue;
            }
            if (fx->opt_field && strcmp(x->path, fx->opt_field) == 0) {
                struct lht_sb v = LHT_SB_INIT;
                set_option(fx, &v, x->value);
                yaml_quote(out, lht_sb_str(&v));
                lht_sb_free(&v);
            } else {
                yaml_value(out, x->value);
            }
            lht_sb_puts(out, "\n");
        }
    }
}

void lht_fix_render(const struct lht_fix *fx, const struct lht_facts *f, struct lht_sb *out)
{
    size_t no, i;
    const struct lht_object *o = lht_facts_objects(f, &no);
    pcre2_match_data *md = pcre2_match_data_create(8, NULL);
    int emitted = 0;

    for (i = 0; md && i < no; i++) {
        if (!object_selected(fx, f, &o[i], md))
            continue;
        lht_sb_printf(out, "%skind: %s\napiVersion: %s\nmetadata:\n  name: ", emitted ? "---\n" : "",
                      fx->object, fx->api_version);
        put_name(fx, &o[i], out);
        lht_sb_puts(out, "\n");
        put_kept(fx, f, &o[i], out);
        emitted = 1;
    }
    pcre2_match_data_free(md);
    if (!emitted && fx->otherwise)
        lht_sb_puts(out, fx->otherwise);
}
