/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_config.c - libFuzzer target for the corosync.conf parser.  Each
 * input is parsed once as a main file and once as a uidgid.d drop-in;
 * every call must end in 0 or -EINVAL with a NUL-terminated message,
 * and a failed parse must leave the target store empty.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = {0, SYN_CONFIG_UIDGID_ONLY};
	char err[SYN_CONFIG_ERR_LEN];

	for (size_t i = 0; i < 2; i++) {
		struct syn_store *s = syn_store_create();
		if (!s)
			return 0;
		int rc = syn_config_parse_buffer(s, "fuzz.conf", (const char *)data, size, flags[i],
						 err, sizeof(err));
		if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
			abort();
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		if (rc != 0 && syn_store_count(s) != 0)
			abort();
		syn_store_destroy(s);
	}
	return 0;
}
