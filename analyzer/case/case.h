/*
 * case.h - a ticket is the unit: the rules run on a case, the union of
 * its inputs' facts (a bundle, the customer's pastes, a node's sosreport).
 *
 * Inputs are read and stored one by one (ingest, store); a case is then
 * evaluated from the database: every input's facts are read back into one
 * collection (lht_store_load_input), a bundle present twice (zip and
 * tar.gz, or unpacked) is read once, node names are made one (nodes.h),
 * the matcher runs, and the case's findings replace its earlier ones in
 * one transaction. Evaluating from the database, never from what a scan
 * happens to hold in memory, is what makes a case with an unchanged
 * (skipped) input come out the same as a fresh one.
 */
#ifndef LHT_CASE_H
#define LHT_CASE_H

#include <stddef.h>

#include "core/err.h"
#include "facts/facts.h"
#include "rules/match.h"
#include "store/store.h"

/* Room for a content id: 64 hex digits and a prefix. */
#define LHT_CONTENT_ID_SIZE 80

/* The content identity of an input, from what reading it saw. For an
 * input of several members (an archive, a folder): a digest of the
 * bundle's creation time (metadata.yaml) and its member paths, read alike
 * whatever the container (the top folder all members share dropped, a
 * nested node zip and its unpacked folder the same), so one bundle as
 * zip, tar.gz or folder has one id without its contents hashed again.
 * For a single file: its sha256 (file_sha, may be NULL: then none). out
 * gets "" when there is none. Returns LHT_OK or LHT_ENOMEM. */
int lht_case_content_id(const struct lht_facts *f, const char *file_sha, char out[LHT_CONTENT_ID_SIZE]);

/* What an evaluation did. */
struct lht_case_eval {
    size_t inputs;        /* inputs of the case */
    size_t read;          /* inputs whose facts were read (duplicates and failed ones are not) */
    size_t duplicates;    /* inputs whose content another input has */
    size_t findings;
};

/* Evaluate case id with matcher m and store its findings (see above);
 * rules_digest is recorded as what made them. out may be NULL. */
int lht_case_evaluate(struct lht_store *s, struct lht_matcher *m, long long id, const char *rules_digest,
                      struct lht_case_eval *out, lht_err *err);

#endif
