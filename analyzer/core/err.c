/* err.c - see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int lht_err_set(lht_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void lht_err_prefix(lht_err *err, const char *fmt, ...)
{
    char head[256], old[sizeof err->msg];
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message stays one readable line. */
    size_t hl = strlen(head);
    if (hl > sizeof err->msg - 3)
        hl = sizeof err->msg - 3;
    memcpy(err->msg, head, hl);
    memcpy(err->msg + hl, ": ", 2);
    size_t room = sizeof err->msg - hl - 3;
    size_t ol = strnlen(old, sizeof old);
    if (ol > room)
        ol = room;
    memcpy(err->msg + hl + 2, old, ol);
    err->msg[hl + 2 + ol] = '\0';
}

void lht_err_clear(lht_err *err)
{
    if (err == NULL)
        return;
    err->code = LHT_OK;
    err->msg[0] = '\0';
}

const char *lht_code_str(int code)
{
    switch (code) {
    case LHT_OK: return "ok";
    case LHT_ENOMEM: return "out of memory";
    case LHT_EIO: return "i/o error";
    case LHT_EFORMAT: return "unrecognised format";
    case LHT_ELIMIT: return "limit exceeded";
    case LHT_EPARSE: return "parse error";
    case LHT_EDB: return "database error";
    case LHT_EUSAGE: return "usage error";
    case LHT_ERULE: return "bad rule";
    case LHT_ENOTFOUND: return "not found";
    }
    return "unknown error";
}
