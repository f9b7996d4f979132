/*
 * sha256.h - content identity of an input file (OpenSSL's EVP digest:
 * a well-kept implementation beats a hand-written one).
 */
#ifndef LHT_SHA256_H
#define LHT_SHA256_H

#include "core/err.h"

/* Hex SHA-256 of the file at path into hex (65 bytes). */
int lht_sha256_file(const char *path, char hex[65], lht_err *err);

/* Hex SHA-256 of [p, p+n) into hex (65 bytes); LHT_ENOMEM when OpenSSL
 * cannot allocate its context. */
int lht_sha256_buf(const void *p, size_t n, char hex[65]);

#endif
