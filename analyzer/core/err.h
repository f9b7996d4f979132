/*
 * err.h - error codes and the message buffer every core function fills.
 *
 * Core code never prints and never exits: it returns one of the codes below
 * and, on failure, writes one human line into a caller-supplied lht_err in
 * the form "file: member: line N: what" (the CLI prefixes "lhtriage: ").
 * Codes are stable: scripts and tests compare them.
 */
#ifndef LHT_ERR_H
#define LHT_ERR_H

#include <stddef.h>

enum lht_code {
    LHT_OK = 0,
    LHT_ENOMEM = -1,   /* allocation failed */
    LHT_EIO = -2,      /* file could not be opened or read */
    LHT_EFORMAT = -3,  /* input is not an archive/text we understand */
    LHT_ELIMIT = -4,   /* a size/depth/count cap was hit */
    LHT_EPARSE = -5,   /* evidence text could not be parsed */
    LHT_EDB = -6,      /* SQLite reported an error */
    LHT_EUSAGE = -7,   /* bad arguments from the caller */
    LHT_ERULE = -8,    /* a rule file is invalid */
    LHT_ENOTFOUND = -9 /* a named object does not exist */
};

typedef struct lht_err {
    int code;       /* last code set, LHT_OK when clear */
    char msg[512];  /* one line, no trailing newline */
} lht_err;

/* Record code and a printf-style message; returns code so callers can
 * write `return lht_err_set(err, LHT_EIO, "...")`. err may be NULL. */
int lht_err_set(lht_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "prefix: " to an already set message (adds context on the way up). */
void lht_err_prefix(lht_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void lht_err_clear(lht_err *err);

/* Static name for a code ("out of memory", ...). */
const char *lht_code_str(int code);

#endif
