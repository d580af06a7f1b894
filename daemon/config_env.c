/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_env.c - the real host behind struct syn_config_env: host name
 * from uname, local addresses from getifaddrs, forward and reverse name
 * resolution through getaddrinfo/getnameinfo.
 *
 * Used once at start-up (and at reload); resolution may block, which is
 * why validation takes these through the env rather than calling them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "config.h"

struct env_system {
	struct utsname uts;
	struct syn_config_addr *addrs;
};

bool syn_config_addr_parse(const char *text, struct syn_config_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, out->bytes) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

static bool addr_from_sockaddr(const struct sockaddr *sa, struct syn_config_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* Append the addresses of one family from an addrinfo list. */
static int collect_family(const struct addrinfo *res, int family, struct syn_config_addr *out,
			  size_t max, int n)
{
	for (const struct addrinfo *ai = res; ai && (size_t)n < max; ai = ai->ai_next)
		if (ai->ai_family == family && addr_from_sockaddr(ai->ai_addr, &out[n]))
			n++;
	return n;
}

static int system_resolve(void *ctx, const char *name, enum syn_config_ip_version ipv,
			  struct syn_config_addr *out, size_t max)
{
	struct addrinfo hints, *res = NULL;
	int n = 0;

	(void)ctx;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = ipv == SYN_IP_V4 ? AF_INET : ipv == SYN_IP_V6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return -ENOENT;
	int first = ipv == SYN_IP_V6 || ipv == SYN_IP_V6_4 ? AF_INET6 : AF_INET;
	n = collect_family(res, first, out, max, n);
	if (ipv == SYN_IP_V4_6 || ipv == SYN_IP_V6_4)
		n = collect_family(res, first == AF_INET ? AF_INET6 : AF_INET, out, max, n);
	freeaddrinfo(res);
	return n > 0 ? n : -ENOENT;
}

static int system_reverse(void *ctx, const struct syn_config_addr *addr, char *name,
			  size_t name_len)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)ctx;
	memset(&ss, 0, sizeof(ss));
	if (addr->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr->bytes, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr->bytes, 16);
		len = sizeof(*sin6);
	}
	if (getnameinfo((struct sockaddr *)&ss, len, name, (socklen_t)name_len, NULL, 0,
			NI_NAMEREQD) != 0)
		return -ENOENT;
	return 0;
}

static int collect_local(struct env_system *sys, size_t *n_out)
{
	struct ifaddrs *ifa_list, *ifa;
	size_t n = 0, cap = 0;

	if (getifaddrs(&ifa_list) != 0)
		return -errno;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct syn_config_addr *a = realloc(sys->addrs, cap * sizeof(*a));
			if (!a) {
				freeifaddrs(ifa_list);
				return -ENOMEM;
			}
			sys->addrs = a;
		}
		if (addr_from_sockaddr(ifa->ifa_addr, &sys->addrs[n]))
			n++;
	}
	freeifaddrs(ifa_list);
	*n_out = n;
	return 0;
}

int syn_config_env_init_system(struct syn_config_env *env)
{
	struct env_system *sys = calloc(1, sizeof(*sys));
	int rc;

	memset(env, 0, sizeof(*env));
	if (!sys)
		return -ENOMEM;
	if (uname(&sys->uts) != 0) {
		rc = -errno;
		goto err_free_sys;
	}
	rc = collect_local(sys, &env->n_local_addrs);
	if (rc)
		goto err_free_sys;
	env->hostname = sys->uts.nodename;
	env->local_addrs = sys->addrs;
	env->resolve = system_resolve;
	env->reverse = system_reverse;
	env->ctx = sys;
	return 0;

err_free_sys:
	free(sys->addrs);
	free(sys);
	return rc;
}

void syn_config_env_fini(struct syn_config_env *env)
{
	struct env_system *sys = env->ctx;

	if (sys) {
		free(sys->addrs);
		free(sys);
	}
	memset(env, 0, sizeof(*env));
}
