/*
 * cli.h - the thin command-line layer over the core library.
 *
 * Only main.c and cmd_*.c print or choose exit codes; everything below
 * returns lht_code values with a message.
 */
#ifndef LHT_CLI_H
#define LHT_CLI_H

#include <stdio.h>

/* Exit codes (documented in README and --help). */
enum {
    LHT_EXIT_OK = 0,        /* done, nothing at/above --fail-on */
    LHT_EXIT_FINDINGS = 1,  /* findings at or above --fail-on */
    LHT_EXIT_ERROR = 2      /* bad usage, unreadable input, database error */
};

struct lht_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* "lhtriage: " + message on stderr, one line. */
void lht_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when fp is a terminal and NO_COLOR is unset or empty. */
int lht_cli_colour(FILE *fp);

/* Bundle text on a terminal: control bytes as \n, \t, \xNN. */
void lht_cli_put_escaped(FILE *fp, const char *s);

/* Database path: --db value, else $LHTRIAGE_DB, else ./lhtriage.db. */
const char *lht_cli_db_path(const char *opt);

/* Parse "64M", "2G", "4096" into bytes; returns 0 on success. */
int lht_cli_parse_size(const char *s, unsigned long long *out);

int lht_cmd_scan(int argc, char **argv);
int lht_cmd_query(int argc, char **argv);
int lht_cmd_rules(int argc, char **argv);
int lht_cmd_report(int argc, char **argv);
int lht_cmd_explain(int argc, char **argv);
int lht_cmd_merge(int argc, char **argv);

#endif
