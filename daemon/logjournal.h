/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logjournal.h - logging to systemd's journal through stderr.
 *
 * When systemd connects stderr to the journal it says so in
 * JOURNAL_STREAM ("<device>:<inode>" of that stream).  The journal reads
 * a "<N>" prefix on each line as the line's syslog priority
 * (SyslogLevelPrefix=, on by default), so the daemon's stderr lines then
 * go through a libqb target of this module that writes that prefix and
 * leaves the time stamp to the journal.  The logging {} section still
 * decides whether stderr is written (to_stderr) and at what priority;
 * only the form of the lines changes.
 */
#ifndef SYN_DAEMON_LOGJOURNAL_H
#define SYN_DAEMON_LOGJOURNAL_H

#include <stdbool.h>
#include <stdint.h>

/* True when JOURNAL_STREAM names the file descriptor 2 has open. */
bool syn_logjournal_stderr_is_journal(void);

/*
 * The libqb target writing "<priority>line" to stderr: opened on the
 * first call (disabled, no filter), the same one afterwards.  Returns its
 * target number, or -errno when libqb has no room for another target.
 */
int32_t syn_logjournal_target(void);

#endif /* SYN_DAEMON_LOGJOURNAL_H */
