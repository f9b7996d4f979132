/*
 * scan.h - what cmd_scan.c and scan_inputs.c share: the inputs of one
 * `lhtriage scan`, grouped into the cases they make.
 *
 * A file, an unpacked bundle, a sosreport or supportconfig folder given on
 * its own is a case of its own (or stays in the case it joined before). A
 * ticket folder (a folder that is none of those but holds some, or text
 * files) is one case with everything below it; a folder that only holds
 * folders is a folder of tickets, each searched the same way. With
 * --ticket NAME every input joins case NAME.
 */
#ifndef LHT_CLI_SCAN_H
#define LHT_CLI_SCAN_H

#include <stddef.h>

enum { LHT_GROUP_LONE, LHT_GROUP_FOLDER, LHT_GROUP_TICKET };

/* One case as the command line makes it: inputs [first, first + n). */
struct lht_scan_group {
    int how;                /* LHT_GROUP_* */
    char *key;              /* 'dir:<real path>', 'ticket:<name>'; NULL for a lone input */
    char *name;             /* case name: the folder's, the ticket's; NULL for a lone input */
    char *path;             /* the folder as typed, or NULL */
    size_t first, n;
};

struct lht_scan_inputs {
    char **v;               /* inputs as typed, or as found below a typed folder */
    size_t n, cap;
    struct lht_scan_group *g;
    size_t ng, gcap;
    int bad;                /* an argument gave nothing to scan (said on stderr) */
};

/* Gather the inputs of args[0..nargs) into in (zeroed by the caller);
 * ticket (or NULL) puts them all in one case. Returns 0, or -1 out of
 * memory. */
int lht_cli_scan_gather(struct lht_scan_inputs *in, char **args, int nargs, const char *ticket);

/* Keep the k-th (1-based) of n deterministic slices of the cases. */
void lht_cli_scan_shard(struct lht_scan_inputs *in, unsigned long k, unsigned long n);

void lht_cli_scan_free(struct lht_scan_inputs *in);

#endif
