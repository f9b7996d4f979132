/*
 * report.c - see report.h: build the model once, hand it to the renderer
 * of the format asked for.
 */
#include "report/report.h"
#include "report/model.h"
#include "report/render.h"
#include "report/fleet.h"

#include <stddef.h>

static const struct renderer {
    int format;
    void (*render)(const struct lht_report_model *m, struct lht_sb *out);
} renderers[] = {
    {LHT_REPORT_MD, lht_md_report},
    {LHT_REPORT_JSON, lht_json_report},
    {LHT_REPORT_HTML, lht_html_report},
    {LHT_REPORT_SHORT, lht_short_report},
};

/* The fleet summary's renderers, by the same formats. */
static const struct fleet_renderer {
    int format;
    void (*render)(const struct lht_fleet_model *m, struct lht_sb *out);
} fleet_renderers[] = {
    {LHT_REPORT_MD, lht_fleet_md},
    {LHT_REPORT_JSON, lht_fleet_json},
    {LHT_REPORT_HTML, lht_fleet_html},
};

/* Over many cases the default report (markdown, HTML, JSON) is the fleet
 * summary: per-case detail of thousands of tickets is a dump nobody
 * reads. 1 when it applies, 0 not, < 0 on error. */
static int wants_fleet(sqlite3 *db, const struct lht_report_opts *o, lht_err *err)
{
    long long n;

    size_t i;

    for (i = 0; i < sizeof fleet_renderers / sizeof fleet_renderers[0]; i++)
        if (fleet_renderers[i].format == o->format)
            break;
    /* --short is one line a finding already */
    if (i == sizeof fleet_renderers / sizeof fleet_renderers[0] || o->detail || o->ncases > 0 || o->nbundles > 0)
        return 0;
    if ((n = lht_fleet_case_count(db, err)) < 0)
        return -1;
    return n > 1;
}

static int render_fleet(sqlite3 *db, const struct lht_report_opts *o, struct lht_sb *out, lht_err *err)
{
    struct lht_fleet_model *m = NULL;
    size_t i;
    int rc;

    for (i = 0; i < sizeof fleet_renderers / sizeof fleet_renderers[0]; i++)
        if (fleet_renderers[i].format == o->format)
            break;
    if (i == sizeof fleet_renderers / sizeof fleet_renderers[0])
        return lht_err_set(err, LHT_EUSAGE, "report: unknown format %d", o->format);
    if ((rc = lht_fleet_build(db, o, &m, err)) != LHT_OK)
        return rc;
    fleet_renderers[i].render(m, out);
    lht_fleet_free(m);
    if (out->oom)
        return lht_err_set(err, LHT_ENOMEM, "report: out of memory");
    return LHT_OK;
}

int lht_report_render(sqlite3 *db, const struct lht_report_opts *o, struct lht_sb *out, lht_err *err)
{
    const struct renderer *r = NULL;
    struct lht_report_model *m = NULL;
    size_t i;
    int rc;

    for (i = 0; i < sizeof renderers / sizeof renderers[0]; i++)
        if (renderers[i].format == o->format)
            r = &renderers[i];
    if (r == NULL)
        return lht_err_set(err, LHT_EUSAGE, "report: unknown format %d", o->format);
    if ((rc = wants_fleet(db, o, err)) != 0)
        return rc < 0 ? LHT_EDB : render_fleet(db, o, out, err);
    if ((rc = lht_report_model_build(db, o, &m, err)) != LHT_OK)
        return rc;
    r->render(m, out);
    lht_report_model_free(m);
    if (out->oom)
        return lht_err_set(err, LHT_ENOMEM, "report: out of memory");
    return LHT_OK;
}
