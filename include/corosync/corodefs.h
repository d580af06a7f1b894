/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corodefs.h - service numbers of the corosync 3 engine (they appear in
 * cmap keys such as runtime.services.<name>.service_id) and size limits.
 */
#ifndef CORODEFS_H_DEFINED
#define CORODEFS_H_DEFINED

#include <netinet/in.h>

enum corosync_service_types {
	CMAP_SERVICE = 0,
	CFG_SERVICE = 1,
	CPG_SERVICE = 2,
	QUORUM_SERVICE = 3,
	PLOAD_SERVICE = 4,
	VOTEQUORUM_SERVICE = 5,
	MON_SERVICE = 6,
	WD_SERVICE = 7,
};

#define PROCESSOR_COUNT_MAX 384
#define TOTEMIP_ADDRLEN (sizeof(struct in6_addr))

#endif /* CORODEFS_H_DEFINED */
