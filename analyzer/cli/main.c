/*
 * main.c - lhtriage entry point: dispatch to a subcommand.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static const struct lht_cmd commands[] = {
    {"scan", "scan bundles, folders or pasted text into the database", lht_cmd_scan},
    {"query", "run SQL against the database (read-only)", lht_cmd_query},
    {"report", "markdown or JSON findings report from the database", lht_cmd_report},
    {"explain", "one finding with its evidence in context and the rule's signals", lht_cmd_explain},
    {"merge", "combine databases (shards of a batch) into one", lht_cmd_merge},
    {"rules", "list, lint and test the signature rules", lht_cmd_rules},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
    size_t i;

    fprintf(fp, "usage: lhtriage [--version] [--help] COMMAND [ARGS]\n\n"
                "Offline analyzer for Longhorn support bundles.\n\ncommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\nFirst steps:\n"
                "  lhtriage scan supportbundle_x.zip paste.txt   read the evidence, show findings\n"
                "  lhtriage report -o findings.md                the report for the ticket\n"
                "\nRun 'lhtriage help COMMAND' for a command's options.\n"
                "Exit status: 0 ok, 1 findings at or above --fail-on, 2 error.\n");
}

static const struct lht_cmd *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

static int unknown_command(const char *name)
{
    struct lht_cli_suggest s;
    size_t i;

    lht_cli_suggest_init(&s, name);
    for (i = 0; i < NCOMMANDS; i++)
        lht_cli_suggest_add(&s, commands[i].name);
    lht_cli_suggest_add(&s, "help");
    if (lht_cli_suggest_best(&s))
        return lht_cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", name,
                                   lht_cli_suggest_best(&s));
    return lht_cli_usage_error(NULL, "unknown command '%s'", name);
}

/* `lhtriage help [COMMAND]`, as git has it. */
static int help(int argc, char **argv)
{
    const struct lht_cmd *c;
    char *args[3];

    if (argc < 3) {
        usage(stdout);
        return LHT_EXIT_OK;
    }
    if ((c = find_command(argv[2])) == NULL)
        return unknown_command(argv[2]);
    args[0] = argv[2];
    args[1] = "--help";
    args[2] = NULL;
    return c->run(2, args);
}

int main(int argc, char **argv)
{
    const struct lht_cmd *c;
    int a;

    /* libarchive turns each zip member's DOS time into a time_t with
     * mktime(); with TZ unset glibc stats /etc/localtime on every call,
     * under a lock the scan's workers share. Naming the same zone reads
     * it once. */
    if (getenv("TZ") == NULL)
        setenv("TZ", ":/etc/localtime", 0);
    if (argc < 2) {
        usage(stderr);
        return LHT_EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return help(1, argv);
    if (strcmp(argv[1], "help") == 0)
        return help(argc, argv);
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("lhtriage %s\n", LHT_VERSION);
        return LHT_EXIT_OK;
    }
    if (argv[1][0] == '-')
        return lht_cli_usage_error(NULL, "unknown option '%s' (options go after the command)", argv[1]);
    if ((c = find_command(argv[1])) == NULL)
        return unknown_command(argv[1]);
    /* --version works after any subcommand, as in grep and git */
    for (a = 2; a < argc && strcmp(argv[a], "--") != 0; a++)
        if (strcmp(argv[a], "--version") == 0) {
            printf("lhtriage %s\n", LHT_VERSION);
            return LHT_EXIT_OK;
        }
    opterr = 0;   /* each command reports option mistakes itself, in one line */
    return c->run(argc - 1, argv + 1);
}
