/*
 * sysreport.h - a node's own report inside an input: a sosreport (sos
 * 3.x and 4.x, https://github.com/sosreport/sos) or a SUSE supportconfig
 * (https://github.com/openSUSE/supportutils).
 *
 * Both hold one host's evidence under one folder, the root: sos names it
 * sosreport-<host>[-<label>][-<case>]-<date>[-<rand>] (the archive name
 * without its extension, sos/policies/__init__.py), supportconfig
 * scc_<host>_<yymmdd>_<hhmm> (bin/supportconfig.rc). A root is found by
 * that name, by its own files when the input folder is the report
 * (sos_commands/, basic-environment.txt), or by a sos_commands/ folder
 * below a renamed one. Inside a root the layout decides what a member
 * is: paths the registry knows are parsed, sos command outputs are
 * routed by the command their file name spells, and everything else
 * (/etc, /sys, limits, ...) is listed but not read, so a report of 40 000
 * files costs the reading of the few that matter.
 *
 * Symlinks: sos stores links as links (proc/mounts -> self/mounts,
 * proc/self -> <sos pid>, etc/os-release -> ../usr/lib/os-release,
 * top-level ps, uname, hostname -> sos_commands/...; and the path of a
 * truncated output -> its sos_strings/...tailed copy). The source never
 * follows a link (ingest/source.c reads regular entries only), and every
 * link here names a file the report also holds as a regular member at
 * its real path, which the registry's paths match; so each file is read
 * once, and nothing outside the archive is ever reached.
 *
 * After the walk, every fact of a root without a node gets the root's
 * host (its `hostname`, else the nodename of `uname -a`), so a report
 * scanned alone has a node to join the bundle's by, and notes say what
 * the report lacks (no proc/<pid>/stack before sos 4.2, a skipped process
 * plugin, a D process whose stack was not copied).
 */
#ifndef LHT_SYSREPORT_H
#define LHT_SYSREPORT_H

#include <stddef.h>

#include "facts/facts.h"
#include "ingest/classify.h"

enum lht_sysreport_type { LHT_SYSREPORT_NONE = 0, LHT_SYSREPORT_SOS = 1, LHT_SYSREPORT_SCC = 2 };

/* The report the folder dir itself is (its own top folder), or NONE. */
enum lht_sysreport_type lht_sysreports_dir(const char *dir);

/* The roots seen in one input; opaque. */
struct lht_sysreports;

/* New, empty; free with lht_sysreports_free(). dir_type: the input is a
 * folder that is itself a report of that type (root ""), or NONE.
 * NULL on OOM. */
struct lht_sysreports *lht_sysreports_new(enum lht_sysreport_type dir_type);
void lht_sysreports_free(struct lht_sysreports *h);

/* What member `path` (classified by path as k) is inside a report: k
 * itself, a sos command output routed by the command its name spells
 * (written to cmd, "" when none), LHT_K_SUPPORTCONFIG for a supportconfig
 * topic file, or LHT_K_HOST_FILE for a file of a report that holds no
 * evidence read here. Members outside any report keep k. h may be NULL
 * (a loose member: only the sos command names count). A PCRE2 failure
 * routing the command goes to *fail as lht_re_first does. */
enum lht_kind lht_sysreports_kind(struct lht_sysreports *h, const char *path, enum lht_kind k, char *cmd,
                                  size_t cmdsz, int *fail);

/* Count member `path` of kind k (as lht_sysreports_kind gave it) in its
 * report; member is an arena copy of path that outlives h. Returns
 * LHT_OK or LHT_ENOMEM. */
int lht_sysreports_see(struct lht_sysreports *h, const char *member, enum lht_kind k);

/* 1 when a member of a report was seen: lht_sysreports_finish will then
 * change facts read before (their node), not only add to them. */
int lht_sysreports_any(const struct lht_sysreports *h);

/* After the walk: the node of each report's facts, and notes on what
 * it lacks. Returns LHT_OK or LHT_ENOMEM. */
int lht_sysreports_finish(struct lht_sysreports *h, struct lht_facts *f);

/* When the first report was made, from its name: sos "friendly" names
 * end in -YYYY-MM-DD-<random>, legacy ones in -YYYYMMDDhhmmss,
 * supportconfig's in _yymmdd_hhmm (the host's local time). name: the
 * input's name, for a report that is the input folder itself. Writes an
 * ISO 8601 date or date and time to out; returns 1, or 0 (out untouched)
 * when no name says it. */
int lht_sysreports_created(const struct lht_sysreports *h, const char *name, char *out, size_t outsz);

#endif
