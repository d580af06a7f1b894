/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.c - configuration reload (see reload.h).
 *
 * Keys outside the reloadable prefixes (runtime.*, system.*, resources.*,
 * internal_configuration.*, ...) are never touched; runtime.config.totem
 * timers are recomputed from the new totem.* values by the validation
 * step and copied like the rest.  Unlike the reference, a parse error
 * resets config.totemconfig_reload_in_progress and records the status,
 * and a refused change of the local node's link addresses is found before
 * anything is deleted, so a refused reload leaves the live map as it was.
 *
 * Logging is re-applied after a successful reload, except the log file
 * target: start-up opened it and libqb has no way to swap it in place.
 */
#include "reload.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <corosync/corotypes.h>
#include <qb/qblog.h>

#include "config.h"
#include "cs_errno.h"
#include "logconfig.h"
#include "node_addrs.h"

static const char *const reload_prefixes[] = {"logging.", "totem.",	    "nodelist.",
					      "quorum.",  "uidgid.config.", "nozzle."};

static const char *const fixed_keys[] = {
	"totem.version",
	"totem.threads",
	"totem.ip_version",
	"totem.rrp_mode",
	"totem.netmtu",
	"totem.interface.ringnumber",
	"totem.interface.bindnetaddr",
	"totem.interface.mcastaddr",
	"totem.interface.broadcast",
	"totem.interface.mcastport",
	"totem.interface.ttl",
	"totem.transport",
	"totem.cluster_name",
	"quorum.provider",
	"system.move_to_root_cgroup",
	"system.allow_knet_handle_fallback",
	"system.sched_rr",
	"system.priority",
	"system.qb_ipc_type",
	"system.state_dir",
	"totem.secauth",
	"totem.crypto_hash",
	"totem.crypto_cipher",
	"totem.keyfile",
	"totem.key",
};

static bool reloadable(const char *key)
{
	for (size_t i = 0; i < sizeof(reload_prefixes) / sizeof(reload_prefixes[0]); i++)
		if (strncmp(key, reload_prefixes[i], strlen(reload_prefixes[i])) == 0)
			return true;
	return false;
}

static bool value_equal(const struct syn_value *a, const struct syn_value *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Step 5: keys that may not change keep their live value. */
static void drop_fixed(struct syn_store *live, struct syn_store *scratch)
{
	for (size_t i = 0; i < sizeof(fixed_keys) / sizeof(fixed_keys[0]); i++) {
		struct syn_value lv, sv;
		bool in_live = syn_store_get(live, fixed_keys[i], &lv) == 0;
		bool in_new = syn_store_get(scratch, fixed_keys[i], &sv) == 0;

		if (in_live == in_new && (!in_live || value_equal(&lv, &sv)))
			continue;
		qb_log(LOG_NOTICE,
		       "Modified entry '%s' in corosync.conf cannot be changed at "
		       "run-time",
		       fixed_keys[i]);
		if (in_live)
			syn_store_set(scratch, fixed_keys[i], lv.data, lv.len, lv.type);
		else
			syn_store_delete(scratch, fixed_keys[i]);
	}
}

/* Step 4: delete live keys the new configuration does not have. */
static void delete_absent(struct syn_store *live, struct syn_store *scratch)
{
	struct syn_store_iter *it = syn_store_iter_create(live, NULL);
	const char *key;
	struct syn_value v;

	if (!it)
		return;
	while (syn_store_iter_next(it, &key, &v) == 0) {
		char name[SYN_KEY_MAX + 1];

		if (!reloadable(key) || syn_store_exists(scratch, key))
			continue;
		snprintf(name, sizeof(name), "%s", key);
		syn_store_delete(live, name);
	}
	syn_store_iter_destroy(it);
}

/* Step 7: copy the scratch keys (unchanged values notify nobody). */
static int copy_all(struct syn_store *live, struct syn_store *scratch)
{
	struct syn_store_iter *it = syn_store_iter_create(scratch, NULL);
	const char *key;
	struct syn_value v;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0)
		if (reloadable(key) || strncmp(key, "runtime.config.", 15) == 0)
			rc = syn_store_set(live, key, v.data, v.len, v.type);
	syn_store_iter_destroy(it);
	return rc;
}

/* The local node's ring<L>_addr in a map, via its local_node_pos. */
static bool local_addr(const struct syn_store *s, unsigned int link, const char **addr)
{
	uint32_t pos;
	char key[96];

	if (syn_store_get_u32(s, "nodelist.local_node_pos", &pos) != 0)
		return false;
	snprintf(key, sizeof(key), "nodelist.node.%u.ring%u_addr", pos, link);
	return syn_store_get_str(s, key, addr) == 0;
}

/*
 * Step 6, the link part: the local node's address on a link that stays
 * may not change, since the link in use would have to be torn down.
 */
static int check_local_links(const struct syn_store *live, const struct syn_store *scratch)
{
	for (unsigned int l = 0; l < 8; l++) {
		const char *old_addr, *new_addr;

		if (!local_addr(live, l, &old_addr) || !local_addr(scratch, l, &new_addr) ||
		    strcmp(old_addr, new_addr) == 0)
			continue;
		qb_log(LOG_ERR,
		       "Cannot configure new interface definitions: To reconfigure an interface "
		       "it must be deleted and recreated. A working interface needs to be "
		       "available to corosync at all times (link %u: %s -> %s)",
		       l, old_addr, new_addr);
		return -EINVAL;
	}
	return 0;
}

static void reapply_logging(const struct syn_store *icmap)
{
	struct syn_logconfig cfg;
	char err[512];

	if (syn_logconfig_read(icmap, &cfg, err, sizeof(err)) != 0) {
		qb_log(LOG_ERR, "Logging configuration not re-applied: %s", err);
		return;
	}
	cfg.t.to_logfile = false;
	for (size_t i = 0; i < cfg.n_subsys; i++)
		cfg.subsys[i].t.to_logfile = false;
	syn_logconfig_apply(&cfg);
}

/*
 * Parse and validate into scratch and resolve its nodelist into fresh.
 * Names resolve with the live totem.ip_version, which a reload cannot
 * change; one that does not resolve refuses the reload, as validation
 * refuses it at start-up.
 */
static int parse_and_validate(const struct syn_store *icmap, struct syn_store *scratch,
			      const char *path, struct syn_node_addrs *fresh)
{
	struct syn_config_env env;
	char err[1024];
	int rc = syn_config_parse_file(scratch, path, err, sizeof(err));

	if (rc != 0) {
		qb_log(LOG_ERR, "Unable to reload config file: %s", err);
		return -EINVAL;
	}
	rc = syn_config_env_init_system(&env);
	if (rc != 0)
		return rc;
	rc = syn_config_totem_apply(scratch, &env, err, sizeof(err));
	if (rc == 0)
		rc = syn_node_addrs_build(fresh, scratch, syn_config_ip_version(icmap), &env, err,
					  sizeof(err));
	syn_config_env_fini(&env);
	if (rc == -EINVAL)
		qb_log(LOG_ERR, "Configuration is not valid: %s", err);
	return rc;
}

cs_error_t syn_config_reload_result(int rc)
{
	static const int kept[] = {-ENOMEM, 0};

	return syn_cs_error_only(rc, kept, CS_ERR_INVALID_PARAM);
}

int syn_config_reload(struct syn_store *icmap, const char *path, uint32_t requester,
		      struct syn_node_addrs *node_addrs)
{
	struct syn_store *scratch = syn_store_create();
	struct syn_node_addrs fresh;
	int rc;

	syn_node_addrs_init(&fresh);
	qb_log(LOG_NOTICE, "Config reload requested by node %u", requester);
	if (!scratch)
		return -ENOMEM;
	syn_store_set_u8(icmap, "config.totemconfig_reload_in_progress", 1);
	rc = parse_and_validate(icmap, scratch, path, &fresh);
	if (rc == 0)
		rc = check_local_links(icmap, scratch);
	if (rc == 0) {
		syn_store_set_u8(icmap, "config.reload_in_progress", 1);
		delete_absent(icmap, scratch);
		drop_fixed(icmap, scratch);
		rc = copy_all(icmap, scratch);
	}
	if (rc == 0)
		syn_node_addrs_swap(node_addrs, &fresh);
	syn_node_addrs_fini(&fresh);
	syn_store_set_i32(icmap, "config.reload_status", syn_config_reload_result(rc));
	syn_store_set_u8(icmap, "config.totemconfig_reload_in_progress", 0);
	syn_store_set_u8(icmap, "config.reload_in_progress", 0);
	if (rc == 0)
		reapply_logging(icmap);
	qb_log(rc == 0 ? LOG_NOTICE : LOG_ERR, "Config reload %s",
	       rc == 0 ? "applied" : "refused, the previous configuration stays");
	syn_store_destroy(scratch);
	return rc;
}
