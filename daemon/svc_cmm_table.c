/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmm_table.c - the CMM service's configuration: the node table read
 * from the nodelist and the cmm.* keys, and the node's persistent record
 * (a one-line text file written to a temporary name, flushed, then
 * renamed, so a crash leaves either the old or the new record).
 */
#include "svc_cmm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"

static const char *get_str(const struct syn_store *icmap, const char *key, const char *def)
{
	const char *v;

	return syn_store_get_str(icmap, key, &v) == 0 ? v : def;
}

static uint32_t get_num(const struct syn_store *icmap, const char *key, uint32_t def)
{
	const char *s;
	uint32_t v;
	char *end;
	unsigned long n;

	if (syn_store_get_u32(icmap, key, &v) == 0)
		return v;
	if (syn_store_get_str(icmap, key, &s) != 0)
		return def;
	errno = 0;
	n = strtoul(s, &end, 10);
	return (errno || *end || end == s || n > UINT32_MAX) ? def : (uint32_t)n;
}

static bool is_no(const char *v)
{
	return !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0") ||
	       !strcasecmp(v, "false");
}

static void read_node(const struct syn_store *icmap, unsigned pos, struct syn_svc_cmm_node *n)
{
	char key[128];
	const char *attr;

	snprintf(key, sizeof(key), "nodelist.node.%u.name", pos);
	snprintf(n->name, sizeof(n->name), "%s", get_str(icmap, key, ""));
	snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", pos);
	snprintf(n->addr, sizeof(n->addr), "%s", get_str(icmap, key, ""));
	snprintf(key, sizeof(key), "nodelist.node.%u.cmm.eligible", pos);
	n->conf.eligible = !is_no(get_str(icmap, key, "yes"));
	snprintf(key, sizeof(key), "nodelist.node.%u.cmm.attributes", pos);
	attr = get_str(icmap, key, "-");
	n->conf.disqualified = strchr(attr, 'D') != NULL;
	n->conf.excluded = strchr(attr, 'X') != NULL;
	n->conf.frozen = strchr(attr, 'F') != NULL;
	n->conf.synchro_needed = strchr(attr, 'S') != NULL;
}

int syn_svc_cmm_table_load(const struct syn_store *icmap, struct syn_svc_cmm_node *nodes,
			   size_t *n_nodes, uint32_t *domain_id)
{
	char key[128];

	*n_nodes = 0;
	for (unsigned pos = 0; pos < SYN_CMM_NODES_MAX; pos++) {
		struct syn_svc_cmm_node *n = &nodes[*n_nodes];

		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", pos);
		n->conf.nodeid = get_num(icmap, key, 0);
		if (n->conf.nodeid == 0)
			continue;
		read_node(icmap, pos, n);
		(*n_nodes)++;
	}
	*domain_id = get_num(icmap, "cmm.domain_id", 1);
	return *n_nodes ? 0 : -ENOENT;
}

int syn_svc_cmm_table_read(struct syn_svc_cmm *svc, const struct syn_store *icmap)
{
	syn_svc_cmm_table_load(icmap, svc->nodes, &svc->n_nodes, &svc->domain_id);
	svc->stale_timeout_ms = get_num(icmap, "cmm.stale_timeout_ms", 10000);
	snprintf(svc->swload, sizeof(svc->swload), "%s",
		 get_str(icmap, "cmm.software_load_id", SYN_VERSION));
	snprintf(svc->state_dir, sizeof(svc->state_dir), "%s", syn_config_state_dir(icmap));
	return svc->n_nodes ? 0 : -ENOENT;
}

const struct syn_svc_cmm_node *syn_svc_cmm_node(const struct syn_svc_cmm *svc, uint32_t nodeid)
{
	for (size_t i = 0; i < svc->n_nodes; i++)
		if (svc->nodes[i].conf.nodeid == nodeid)
			return &svc->nodes[i];
	return NULL;
}

static void record_path(const struct syn_svc_cmm *svc, char *path, size_t len, const char *sfx)
{
	snprintf(path, len, "%s/synod-cmm.%" PRIu32 ".state%s", svc->state_dir, svc->self, sfx);
}

void syn_svc_cmm_record_load(const struct syn_svc_cmm *svc, struct syn_cmm_record *rec)
{
	char path[600];
	FILE *f;
	unsigned role, disq, sync;

	memset(rec, 0, sizeof(*rec));
	record_path(svc, path, sizeof(path), "");
	f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%" SCNu64 " %" SCNu32 " %" SCNu32 " %u %u %u", &rec->epoch,
		   &rec->last_master, &rec->incarnation, &role, &disq, &sync) == 6 &&
	    role <= SYN_CMM_MASTER) {
		rec->last_role = (uint8_t)role;
		rec->disqualified = disq != 0;
		rec->synchro_needed = sync != 0;
		rec->valid = true;
	} else {
		memset(rec, 0, sizeof(*rec));
	}
	fclose(f);
}

int syn_svc_cmm_record_save(const struct syn_svc_cmm *svc, const struct syn_cmm_record *rec)
{
	char path[600], tmp[610], buf[128];
	int fd, len, rc = 0;

	record_path(svc, path, sizeof(path), "");
	record_path(svc, tmp, sizeof(tmp), ".tmp");
	len = snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu32 " %" PRIu32 " %u %u %u\n",
		       rec->epoch, rec->last_master, rec->incarnation, rec->last_role,
		       rec->disqualified ? 1u : 0u, rec->synchro_needed ? 1u : 0u);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len || fsync(fd) != 0)
		rc = -EIO;
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	return rc;
}
