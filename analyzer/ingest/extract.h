/*
 * extract.h - stage 2: one input to one fact collection.
 *
 * Drives source (members) -> classify/transcript (what each piece is) ->
 * the parsers (facts). Knows the bundle's name and creation time from
 * its layout, and whether the walk ended early (a truncated archive still
 * yields the members before the damage: status "partial").
 */
#ifndef LHT_EXTRACT_H
#define LHT_EXTRACT_H

#include "core/err.h"
#include "facts/facts.h"
#include "ingest/source.h"

struct lht_bundle_info {
    char name[256];        /* supportbundle_<uuid>_<ts>, or the input's base name */
    char created_at[40];   /* ISO 8601 from metadata.yaml or the name, or "" */
    int partial;           /* 1 when the walk stopped early; facts are kept */
    char error[512];       /* why partial */
    unsigned long members; /* members seen */
    unsigned long parsed;  /* members (or sections) a parser read */
    int parts_void;        /* the parts handed over (source.h) changed after */
};

/* Read input into f. Returns LHT_OK (possibly partial, see info) or an
 * error with err set when nothing usable was read. */
int lht_extract(const char *input, const struct lht_source_opts *o,
                struct lht_facts *f, struct lht_bundle_info *info, lht_err *err);

/* The same for the stream fd (stdin), named name in the facts and in
 * messages (lht_source_walk_fd). fd stays open. */
int lht_extract_fd(int fd, const char *name, const struct lht_source_opts *o,
                   struct lht_facts *f, struct lht_bundle_info *info, lht_err *err);

/* Parse one text buffer as if it were member `member` of a bundle: by
 * path, else by transcript prompts, else by content. For tests and for
 * stdin. */
int lht_extract_text(struct lht_facts *f, const char *member, const char *data,
                     size_t len, lht_err *err);

#endif
