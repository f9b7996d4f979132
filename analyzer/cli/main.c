/*
 * main.c - lhtriage entry point: dispatch to a subcommand.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct lht_cmd commands[] = {
    {"scan", "scan bundles, folders or pasted text into the database", lht_cmd_scan},
    {"query", "run SQL against the database (read-only)", lht_cmd_query},
    {"report", "markdown or JSON findings report from the database", lht_cmd_report},
    {"explain", "one finding with its evidence in context and the rule's signals", lht_cmd_explain},
    {"merge", "combine databases (shards of a batch) into one", lht_cmd_merge},
    {"rules", "list, lint and test the signature rules", lht_cmd_rules},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

void lht_cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("lhtriage: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lht_cli_put_escaped(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; p && *p; p++) {
        if (*p == '\n')
            fputs("\\n", fp);
        else if (*p == '\t')
            fputs("\\t", fp);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(fp, "\\x%02x", *p);
        else
            fputc(*p, fp);
    }
}

int lht_cli_colour(FILE *fp)
{
    const char *nc = getenv("NO_COLOR");

    /* https://no-color.org: any non-empty NO_COLOR disables colour */
    if (nc != NULL && nc[0] != '\0')
        return 0;
    return isatty(fileno(fp));
}

const char *lht_cli_db_path(const char *opt)
{
    const char *env;

    if (opt != NULL)
        return opt;
    env = getenv("LHTRIAGE_DB");
    return env && env[0] ? env : "lhtriage.db";
}

int lht_cli_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    v = strtoull(s, &end, 10);
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: break;
    }
    if (*end == 'i' || *end == 'B')
        end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static void usage(FILE *fp)
{
    size_t i;

    fprintf(fp, "usage: lhtriage [--version] [--help] COMMAND [ARGS]\n\n"
                "Offline analyzer for Longhorn support bundles.\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\nRun 'lhtriage COMMAND --help' for a command's options.\n"
                "Exit status: 0 ok, 1 findings at or above --fail-on, 2 error.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return LHT_EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return LHT_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("lhtriage %s\n", LHT_VERSION);
        return LHT_EXIT_OK;
    }
    for (i = 0; i < NCOMMANDS; i++) {
        int a;
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        /* --version works after any subcommand, as in grep and git */
        for (a = 2; a < argc && strcmp(argv[a], "--") != 0; a++)
            if (strcmp(argv[a], "--version") == 0) {
                printf("lhtriage %s\n", LHT_VERSION);
                return LHT_EXIT_OK;
            }
        return commands[i].run(argc - 1, argv + 1);
    }
    lht_cli_error("unknown command '%s' (try 'lhtriage --help')", argv[1]);
    return LHT_EXIT_ERROR;
}
