/*
 * supportconfig.h - stage 2b for SUSE supportconfig topic files: split a
 * file at its section markers into sections routed like the command
 * sections of a pasted session (transcript.h).
 *
 * supportutils writes every entry as a marker line and a label
 * (https://github.com/openSUSE/supportutils/blob/v3.2.11/bin/supportconfig.rc,
 * _log_cmd, conf_files, log_files, log_entry):
 *     #==[ Command ]======================================#
 *     # /bin/ps axwwo user,pid,ppid,%cpu,%mem,vsz,rss,stat,time,cmd
 *     <stdout and stderr>
 *     #==[ Configuration File ]===========================#
 *     # /proc/mounts
 *     <the file, comment and blank lines removed>
 *     #==[ Log File ]=====================================#
 *     # /var/log/messages - Last 200000 Lines
 * A command's argv[0] is printed as `command -v` resolved it, so the
 * directory varies by release: the route sees its base name ("ps axwwo
 * ..."). A file's label is its path, routed as a command naming that
 * path would be. Sections no route knows (Summary, Note, Verification,
 * commands that print no evidence) are kept as kind LHT_K_OTHER: a
 * supportconfig is not sniffed for shapes, its labels say what it is.
 */
#ifndef LHT_SUPPORTCONFIG_H
#define LHT_SUPPORTCONFIG_H

#include <stddef.h>

#include "ingest/transcript.h"

/* Section markers among the first lines of buf (counting stops at max). */
int lht_supportconfig_markers(const char *buf, size_t len, int max);

/* Call fn for each marked section in order (text before the first
 * marker is skipped): command is the label as routed, host NULL.
 * Returns LHT_OK, the first non-zero value fn returned, or LHT_ENOMEM; a
 * PCRE2 failure routing a label goes to *fail as lht_re_first does. */
int lht_supportconfig_split(const char *buf, size_t len, lht_section_fn fn, void *ud, int *fail);

#endif
