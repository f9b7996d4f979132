/*
 * cli.h - the thin command-line layer over the core library.
 *
 * Only main.c and cmd_*.c print or choose exit codes; everything below
 * returns lht_code values with a message. cli.c holds what every command
 * shares: one shape for errors and usage mistakes, terminal-safe output
 * of bundle text, colour, sizes; progress.c the progress line of scan.
 */
#ifndef LHT_CLI_H
#define LHT_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "core/strbuf.h"

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

/* ---- messages ------------------------------------------------------------ */

/* "lhtriage: " + message on stderr, one line. The message is escaped as
 * bundle text is (it may quote member names or paths from an archive). */
void lht_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage mistake in command cmd (NULL: lhtriage itself), as one line:
 * "lhtriage: scan: <what>; see 'lhtriage scan --help'". Returns
 * LHT_EXIT_ERROR. */
int lht_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same for getopt_long's '?' or ':' return c (the options were parsed
 * with opterr = 0 and an optstring starting with ':'): names the option,
 * says what is wrong with it, and suggests the nearest long option. */
int lht_cli_bad_option(const char *cmd, int c, char **argv, const struct option *longopts);

/* Did-you-mean: feed candidates to a suggester, then ask for the one
 * closest to word, or NULL when none is close enough to be a typo of it
 * (a unique prefix also counts). */
struct lht_cli_suggest {
    const char *word;
    const char *best;
    unsigned dist;
    int ties;
};
void lht_cli_suggest_init(struct lht_cli_suggest *s, const char *word);
void lht_cli_suggest_add(struct lht_cli_suggest *s, const char *candidate);
const char *lht_cli_suggest_best(const struct lht_cli_suggest *s);

/* "1 stack", "2 stacks": n and the right form, into buf. */
const char *lht_cli_plural(char *buf, size_t size, unsigned long long n, const char *one, const char *many);

/* ---- terminal output ----------------------------------------------------- */

/* --color: auto (a terminal, and NO_COLOR unset or empty), always, never. */
enum { LHT_COLOUR_AUTO, LHT_COLOUR_ALWAYS, LHT_COLOUR_NEVER };
/* "auto", "always", "never" -> the mode, or -1. */
int lht_cli_colour_parse(const char *s);
void lht_cli_colour_set(int mode);
/* 1 when output to fp is coloured. */
int lht_cli_colour(FILE *fp);

/* Bundle text for a terminal: \n and \t as such, other C0 controls and DEL
 * as \xNN, C1 controls (U+0080..U+009F) as \u00NN, bytes that are not
 * UTF-8 as \xNN; everything else as it is. Appends to out and returns the
 * width in columns of what it appended (one per character). */
size_t lht_cli_escape(struct lht_sb *out, const char *s);
/* Columns lht_cli_escape would take for s. */
size_t lht_cli_escaped_width(const char *s);
void lht_cli_put_escaped(FILE *fp, const char *s);

/* ---- arguments ----------------------------------------------------------- */

/* Database path: --db value, else $LHTRIAGE_DB, else ./lhtriage.db. */
const char *lht_cli_db_path(const char *opt);

/* Parse "64M", "2G", "4096", "1KiB" into bytes; returns 0 on success, -1
 * on a malformed value or one that does not fit in 64 bits. */
int lht_cli_parse_size(const char *s, unsigned long long *out);

/* ---- progress (progress.c) ----------------------------------------------- */

struct lht_progress;
struct lht_source_progress;

/* A progress line on stderr for a batch of n inputs of known sizes
 * (size 0: unknown). Returns NULL (and shows nothing) when off; show:
 * 1 always, 0 never, -1 when stderr is a terminal. Free with _end(),
 * which clears the line. */
struct lht_progress *lht_progress_begin(int show, size_t n);
/* Input i (of the n) starts: its name and size (0: unknown). */
void lht_progress_start(struct lht_progress *p, size_t i, const char *name, unsigned long long size);
/* The source's progress hook; ud is what lht_progress_ud(p, i) returns. */
void lht_progress_hook(void *ud, const struct lht_source_progress *sp);
void *lht_progress_ud(struct lht_progress *p, size_t i);
/* Input i is read to its end. */
void lht_progress_done(struct lht_progress *p, size_t i);
/* Around a line printed to stdout/stderr: the line is cleared, then
 * redrawn. Both are no-ops on NULL. */
void lht_progress_hold(struct lht_progress *p);
void lht_progress_release(struct lht_progress *p);
void lht_progress_end(struct lht_progress *p);

int lht_cmd_scan(int argc, char **argv);
int lht_cmd_query(int argc, char **argv);
int lht_cmd_rules(int argc, char **argv);
int lht_cmd_report(int argc, char **argv);
int lht_cmd_explain(int argc, char **argv);
int lht_cmd_merge(int argc, char **argv);

#endif
