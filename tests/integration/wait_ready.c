/*
 * wait_ready.c - exits 0 when a cmap service answers a request in the
 * current network namespace, 1 otherwise.  Used by the test harness to
 * wait (bounded) for a daemon to come up.
 */
#include <corosync/cmap.h>

int main(void)
{
	cmap_handle_t h;
	size_t len = 0;
	cs_error_t err;

	if (cmap_initialize(&h) != CS_OK)
		return 1;
	err = cmap_get(h, "runtime.services.cmap.service_id", NULL, &len, NULL);
	cmap_finalize(h);
	return err == CS_OK ? 0 : 1;
}
