/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h - reading corosync.conf into the cmap store, and the start-up
 * validation and derivation of the totem and nodelist configuration.
 *
 * Parsing (config_parse.c) turns the file syntax into typed keys exactly
 * as the reference engine does; it never touches protocol state.  A parse
 * runs into a private scratch store and copies into the caller's store
 * only when the whole input (main file and uidgid.d drop-ins) was
 * accepted, so a bad file leaves the caller's store unchanged.
 *
 * Validation (config_totem.c) checks the parsed keys the way the daemon
 * must at start-up, finds the local node and writes the values it derives
 * (local_node_pos, generated node ids, bind addresses, multicast defaults,
 * runtime.config.totem.*).  Everything it needs from the host (host name,
 * interface addresses, name resolution) comes through struct
 * syn_config_env, so tests run it against a fake host.
 *
 * Error texts are written to err (always NUL-terminated when err_len > 0)
 * and are the exact operator-visible messages.
 */
#ifndef SYN_DAEMON_CONFIG_H
#define SYN_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "store.h"

/* corosync's configuration directory; meson passes the installed one. */
#ifndef SYN_CONFDIR
#define SYN_CONFDIR "/etc/corosync"
#endif
/* Default main configuration file. */
#define SYN_CONFIG_DEFAULT_PATH SYN_CONFDIR "/corosync.conf"
/* Default totem.keyfile: where synod-keygen writes by default. */
#define SYN_CONFIG_DEFAULT_KEYFILE SYN_CONFDIR "/authkey"
/* Longest accepted line, not counting its LF. */
#define SYN_CONFIG_LINE_MAX 510
/* Suggested size of an error buffer. */
#define SYN_CONFIG_ERR_LEN 512

/* Parse flags. */
enum {
	/* Input is a uidgid.d drop-in: only uidgid sections are allowed. */
	SYN_CONFIG_UIDGID_ONLY = 1u << 0,
};

/*
 * Parse the main file at path and then every regular file in
 * dirname(path)/uidgid.d (directory order; a missing directory is fine)
 * into store.  Returns 0; -EINVAL on a syntax, key or value error
 * ("parser error: <file>:<line>: <reason>"); -errno when the main file
 * cannot be read ("Can't read file <path>: <strerror>"); -ENOMEM.
 * On error store is unchanged.
 */
int syn_config_parse_file(struct syn_store *store, const char *path, char *err, size_t err_len);

/*
 * Parse len bytes of buf (need not be NUL-terminated) as one file named
 * name in error messages.  flags: SYN_CONFIG_UIDGID_ONLY or 0.  Same
 * returns as syn_config_parse_file; on error store is unchanged.
 */
int syn_config_parse_buffer(struct syn_store *store, const char *name, const char *buf, size_t len,
			    unsigned flags, char *err, size_t err_len);

/* An address of the local host or of a resolved node name. */
struct syn_config_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

/* Address family preference for name resolution (totem.ip_version). */
enum syn_config_ip_version {
	SYN_IP_V4 = 0,
	SYN_IP_V6 = 1,
	SYN_IP_V4_6 = 2,
	SYN_IP_V6_4 = 3,
};

/*
 * The resolution preference the configuration in store asks for:
 * totem.ip_version, by default ipv4 for the udp transport and ipv6-4
 * otherwise.  Validation and the node address table both use it.
 */
enum syn_config_ip_version syn_config_ip_version(const struct syn_store *store);

/*
 * The host as seen by validation.  resolve turns a host name or IP
 * literal into at most max addresses in preference order (returns the
 * count, or -errno when the name does not resolve); reverse finds the
 * host name of an address (0, or -errno when there is none); both get
 * ctx.  log receives warnings with log_ctx (may be NULL).  The daemon
 * fills it from uname, getifaddrs and getaddrinfo through
 * syn_config_env_init_system and sets log itself.
 */
struct syn_config_env {
	const char *hostname;
	const struct syn_config_addr *local_addrs;
	size_t n_local_addrs;
	int (*resolve)(void *ctx, const char *name, enum syn_config_ip_version ipv,
		       struct syn_config_addr *out, size_t max);
	int (*reverse)(void *ctx, const struct syn_config_addr *addr, char *name, size_t name_len);
	void *ctx;
	void (*log)(void *log_ctx, const char *msg);
	void *log_ctx;
};

/*
 * Fill env from the running host.  Allocates; release with
 * syn_config_env_fini.  Returns 0, -errno from uname/getifaddrs, -ENOMEM.
 */
int syn_config_env_init_system(struct syn_config_env *env);
void syn_config_env_fini(struct syn_config_env *env);

/* Parse a numeric IPv4/IPv6 literal.  true on success. */
bool syn_config_addr_parse(const char *text, struct syn_config_addr *out);

/*
 * Start-up validation and derivation of the totem, crypto, link and
 * nodelist configuration in store (spec order), writing the derived keys
 * (nodelist.local_node_pos, generated nodeids, totem.interface.<L>.*,
 * runtime.config.totem.*, runtime.blackbox.*, runtime.force_gather).
 * Returns 0, or -EINVAL with the message in err (the daemon exits 8),
 * or -ENOMEM.  Nothing is written unless every check passed.
 */
int syn_config_totem_apply(struct syn_store *store, const struct syn_config_env *env, char *err,
			   size_t err_len);

/*
 * Recompute the totem timers from store and publish them under
 * runtime.config.totem.* (used at start-up and on live totem.* changes).
 * Returns 0, -EINVAL with the message in err (nothing written), -ENOMEM.
 */
int syn_config_totem_timers_publish(struct syn_store *store, char *err, size_t err_len);

/* Default state directory (the reference's LOCALSTATEDIR/lib/corosync). */
#define SYN_CONFIG_STATE_DIR "/var/lib/corosync"

/* The state directory: system.state_dir, else the default; borrowed from store. */
const char *syn_config_state_dir(const struct syn_store *store);

/*
 * Make the state directory the working directory.  Returns 0, or -errno
 * from chdir with "Cannot chdir to state directory <dir>. <strerror>" in
 * err (the daemon exits 16).
 */
int syn_config_state_dir_enter(const struct syn_store *store, char *err, size_t err_len);

#endif /* SYN_DAEMON_CONFIG_H */
