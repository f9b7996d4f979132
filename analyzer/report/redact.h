/*
 * redact.h - host names and IP addresses in report text replaced by
 * tokens, for `report --redact` (report folder only).
 *
 * The model (model.c) redacts its strings as it reads them, before any
 * renderer escapes them: every format gets the same redacted text, and no
 * escaping ("node\_1", "node&#45;1") can hide a name from the match.
 *
 * A token is "host-" or "ip-" and 16 hex digits: the first 64 bits of
 * HMAC-SHA256 under the database's own secret key (schema/011_redact_key.sql,
 * 32 random bytes made when the database was created or migrated) of the
 * name (lower-cased) or the address (as its 4 or 16 bytes, so "FD00::1"
 * and "fd00:0::1" agree). So tokens are stable across every report one
 * team makes from its database, cannot be reversed by hashing a guessed
 * name without the key, and 64 bits keep a fleet of thousands of hosts
 * (and their addresses) clear of collisions (about n^2 / 2^65).
 */
#ifndef LHT_REPORT_REDACT_H
#define LHT_REPORT_REDACT_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

struct lht_redactor;

/* A redactor for the text of db: its key, and the node and host names any
 * fact, finding, input (bundles.host) or case (every alias a node goes by,
 * node_aliases) in it mentions (names under 3 bytes are left alone:
 * they would replace parts of ordinary words). LHT_EDB with err set when
 * the database has no key (made before schema 11: a scan into it with
 * this lhtriage adds one) or cannot be read. The caller owns *out:
 * lht_redactor_free(). */
int lht_redactor_new(sqlite3 *db, struct lht_redactor **out, lht_err *err);
void lht_redactor_free(struct lht_redactor *r);

/* Append [s, s+n) to out with every known name and every IPv4/IPv6
 * address replaced by its token. A name matches whole parts of a word,
 * parts being separated by '.', '-' or '_' (so "node-1" in
 * "node-1.example.com", "node-1.zip" and "sosreport-node-1-2024.tar.xz",
 * not in "node-10" or "xnode-1"), case-insensitively. Timestamps ("07:05:12") are not
 * addresses. LHT_OK, or LHT_ENOMEM / LHT_ELIMIT (the address pattern gave
 * up on the text: failing beats leaking) with err set. */
int lht_redact_text(struct lht_redactor *r, const char *s, size_t n, struct lht_sb *out, lht_err *err);

#endif
