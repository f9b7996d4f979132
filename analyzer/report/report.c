/*
 * report.c - see report.h: build the model once, hand it to the renderer
 * of the format asked for.
 */
#include "report/report.h"
#include "report/model.h"
#include "report/render.h"

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
    if ((rc = lht_report_model_build(db, o, &m, err)) != LHT_OK)
        return rc;
    r->render(m, out);
    lht_report_model_free(m);
    if (out->oom)
        return lht_err_set(err, LHT_ENOMEM, "report: out of memory");
    return LHT_OK;
}
