/*
 * transcript.h - stage 2b: split a pasted shell session into command
 * sections, each with the kind of evidence its command prints.
 *
 * Customers paste what support asked for ("ps aux | grep echo", "cat
 * /proc/123315/stack", "nfsstat --mount") into one text file, prompts
 * included. Prompts in the wild: "root@host:~# ", "[root@host ~]# ",
 * "user@host:/cwd> " and "host:~ # " (SUSE), "sh-4.4# ", "-bash-4.3# ",
 * "/ # " (busybox), "15:33 (none):~ # ", "diego-cell/<id>:~# ",
 * "crash> ", indented ones, "$ " and bare "# " (accepted only before a
 * known command, so a "# comment" is not a prompt) - and none at all: a
 * line that is itself an evidence command starts a section too.
 */
#ifndef LHT_TRANSCRIPT_H
#define LHT_TRANSCRIPT_H

#include <stddef.h>

#include "ingest/classify.h"

struct lht_section {
    const char *host;     /* hostname from the prompt or NULL (NUL-terminated, borrowed) */
    const char *command;  /* command line after the prompt (NUL-terminated, borrowed) */
    long prompt_line;     /* line of the prompt */
    const char *body;     /* output lines after the prompt */
    size_t body_len;
    long body_line;       /* line number of body's first line */
    enum lht_kind kind;   /* from the command; LHT_K_UNKNOWN = sniff the body */
    long pid;             /* pid named by the command (cat /proc/N/stack), else -1 */
    int bare;             /* 1: a command line without a prompt (its output may mix
                             in what other commands printed: sniff it too) */
};

typedef int (*lht_section_fn)(void *ud, const struct lht_section *s);

/* Every function below takes fail: the first PCRE2 error a pattern met on
 * the text (a limit hit on hostile text) is stored there, as
 * lht_re_first does (core/re.h); the line is then taken for no prompt. */

/* Count prompts in buf (stops counting at max). Cheap enough to call on
 * every unknown member before deciding how to read it. */
int lht_transcript_prompts(const char *buf, size_t len, int max, int *fail);

/* Call fn for each section, in order. Text before the first prompt is a
 * section with command NULL. Returns LHT_OK, the first non-zero value fn
 * returned, or LHT_ENOMEM. */
int lht_transcript_split(const char *buf, size_t len, long first_line,
                         lht_section_fn fn, void *ud, int *fail);

/* Kind of evidence a command prints, and the pid it names (or -1). */
enum lht_kind lht_transcript_command_kind(const char *cmd, size_t len, long *pid, int *fail);

#endif
