/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cpg_zc.c - the cpg service's zero-copy requests (ZC_ALLOC,
 * ZC_FREE, ZC_EXECUTE; shared spec cpg.md 3.5, 4.9) with the checks of
 * cpg.md 10.2 that corosync 3.1.7 lacks.
 *
 * The client creates a file, maps it and names it in ZC_ALLOC.  corosync
 * would open, unlink, truncate and map whatever path it is given, as root.
 * synod takes a file only when all of these hold, checked before it is
 * opened (fstatat without following links) and again on the open
 * descriptor (same inode):
 *   - the path is /dev/shm, /run or /var/run, a slash, and a name
 *     corosync_zerocopy-XXXXXX (six letters or digits, as mkstemp makes);
 *   - it is a regular file, not a symlink, with one link;
 *   - its owner is the connection's uid (socket credentials);
 *   - 56 <= map_size <= 1 MiB + 56, and the file is exactly map_size long.
 * A refused request still gets its {id 0, size 24} answer, with an error
 * (the 3.1.7 library ignores it; its later ZC_EXECUTE fails).
 *
 * The daemon never maps the file: it keeps the descriptor, writes its
 * token at offset 8 with pwrite and reads the message with pread on
 * ZC_EXECUTE.  A client that truncates its file can then make an
 * EXECUTE fail, never fault the daemon (a shared mapping would SIGBUS).
 * The token is an opaque per-service counter, not an address, and is
 * looked up only among the connection's own buffers.  Buffers are freed
 * by ZC_FREE or when the connection closes; at most SYN_CPG_ZC_MAX per
 * connection.
 */
#include "svc_cpg_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include <qb/qblog.h>

#include "cs_errno.h"
#include "proto/ipc_cpg.h"

#define ZC_PREFIX "corosync_zerocopy-"
#define ZC_SUFFIX_LEN 6
#define ZC_MAP_MAX (SYN_IPC_BUFFER_SIZE + SYN_CPG_ZC_HEADER)
#define ZC_MCAST_OFF 16 /* the MCAST block in the file */

struct cpg_zc {
	struct cpg_zc *next;
	int fd;
	uint64_t token;
	uint64_t map_size;
};

static const char *const zc_dirs[] = {"/dev/shm", "/run", "/var/run"};

static bool name_ok(const char *name)
{
	size_t plen = strlen(ZC_PREFIX);

	if (strncmp(name, ZC_PREFIX, plen) != 0 || strlen(name) != plen + ZC_SUFFIX_LEN)
		return false;
	for (const char *c = name + plen; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

/* Split path into one of the allowed directories and a valid name. */
static int path_split(const char *path, size_t path_cap, const char **dir, const char **name)
{
	if (!memchr(path, '\0', path_cap))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(zc_dirs) / sizeof(zc_dirs[0]); i++) {
		size_t n = strlen(zc_dirs[i]);

		if (strncmp(path, zc_dirs[i], n) == 0 && path[n] == '/' && name_ok(path + n + 1)) {
			*dir = zc_dirs[i];
			*name = path + n + 1;
			return 0;
		}
	}
	return -EINVAL;
}

static int stat_ok(const struct stat *st, uid_t uid, uint64_t map_size)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink != 1)
		return -EINVAL;
	if (st->st_uid != uid)
		return -EACCES;
	if ((uint64_t)st->st_size != map_size)
		return -EINVAL;
	return 0;
}

/*
 * Open the client's file after the checks above; unlink it (as corosync
 * does) once the descriptor is known to be that file.  The fd or -errno.
 */
static int zc_open(const char *path, size_t path_cap, uid_t uid, uint64_t map_size)
{
	const char *dir, *name;
	struct stat before, st;
	int rc = path_split(path, path_cap, &dir, &name), dfd, fd = -1;

	if (rc != 0)
		return rc;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fstatat(dfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = -errno;
		goto out_close_dir;
	}
	rc = stat_ok(&before, uid, map_size);
	if (rc != 0)
		goto out_close_dir;
	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out_close_dir;
	}
	if (fstat(fd, &st) != 0 || st.st_dev != before.st_dev || st.st_ino != before.st_ino ||
	    stat_ok(&st, uid, map_size) != 0 ||
	    fstatat(dfd, name, &before, AT_SYMLINK_NOFOLLOW) != 0 || before.st_ino != st.st_ino ||
	    before.st_dev != st.st_dev) {
		rc = -EINVAL;
		goto out_close_file;
	}
	(void)unlinkat(dfd, name, 0);
	close(dfd);
	return fd;
out_close_file:
	close(fd);
out_close_dir:
	close(dfd);
	return rc;
}

/*
 * Only the limits keep their own code; whatever else the client's file
 * did wrong (missing, wrong owner or size, a race) is an invalid parameter.
 */
static const int zc_kept_errors[] = {-EACCES, -ENAMETOOLONG, -E2BIG,  -EMFILE,
				     -ENFILE, -ENOBUFS,	     -ENOMEM, 0};

static size_t zc_count(const struct cpg_conn *cc)
{
	size_t n = 0;

	for (const struct cpg_zc *z = cc->zc; z; z = z->next)
		n++;
	return n;
}

static int zc_add(struct syn_svc_cpg *svc, struct cpg_conn *cc, struct syn_conn *conn,
		  const struct syn_cpg_req_zc_alloc *req)
{
	struct cpg_zc *z;
	int fd;

	if (req->map_size < SYN_CPG_ZC_HEADER)
		return -EINVAL;
	if (req->map_size > ZC_MAP_MAX)
		return -E2BIG;
	if (zc_count(cc) >= SYN_CPG_ZC_MAX)
		return -ENOBUFS;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	fd = zc_open(req->path_to_file, sizeof(req->path_to_file), syn_conn_uid(conn),
		     req->map_size);
	if (fd < 0) {
		free(z);
		return fd;
	}
	z->fd = fd;
	z->map_size = req->map_size;
	z->token = ++svc->next_zc;
	if (pwrite(fd, &z->token, sizeof(z->token), 8) != (ssize_t)sizeof(z->token)) {
		close(fd);
		free(z);
		return -EIO;
	}
	z->next = cc->zc;
	cc->zc = z;
	return 0;
}

void syn_svc_cpg_zc_alloc(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			  const struct syn_cpg_req_zc_alloc *req)
{
	int rc = zc_add(svc, cc, conn, req);

	if (rc != 0)
		qb_log(LOG_WARNING, "cpg: zero-copy buffer of pid %ld refused: %s",
		       (long)syn_conn_pid(conn), strerror(-rc));
	syn_conn_respond_error(conn, 0,
			       syn_cs_error_only(rc, zc_kept_errors, CS_ERR_INVALID_PARAM));
}

static struct cpg_zc **zc_find(struct cpg_conn *cc, uint64_t token)
{
	for (struct cpg_zc **pp = &cc->zc; *pp; pp = &(*pp)->next)
		if ((*pp)->token == token)
			return pp;
	return NULL;
}

void syn_svc_cpg_zc_free(struct syn_conn *conn, struct cpg_conn *cc,
			 const struct syn_cpg_req_zc_free *req)
{
	struct cpg_zc **pp = zc_find(cc, req->server_address), *z;

	/* Unknown tokens are ignored, as corosync ignores unknown addresses. */
	if (pp) {
		z = *pp;
		*pp = z->next;
		close(z->fd);
		free(z);
	}
	syn_conn_respond_error(conn, 0, CS_OK);
}

/* Read the message of a buffer: 0 with *msg (malloc'd) and *len, or a cs error. */
static int32_t zc_read(const struct cpg_zc *z, void **msg, uint32_t *len)
{
	struct syn_cpg_req_mcast head;

	if (pread(z->fd, &head, sizeof(head), ZC_MCAST_OFF) != (ssize_t)sizeof(head))
		return CS_ERR_INVALID_PARAM;
	if (head.msglen > z->map_size - SYN_CPG_ZC_HEADER)
		return CS_ERR_INVALID_PARAM;
	if (head.msglen > SYN_CPG_MAX_ATOMIC_MSG)
		return CS_ERR_TOO_BIG;
	*msg = malloc(head.msglen ? head.msglen : 1);
	if (!*msg)
		return CS_ERR_NO_MEMORY;
	if (pread(z->fd, *msg, head.msglen, SYN_CPG_ZC_HEADER) != (ssize_t)head.msglen) {
		free(*msg);
		return CS_ERR_INVALID_PARAM;
	}
	*len = head.msglen;
	return CS_OK;
}

void syn_svc_cpg_zc_execute(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			    const struct syn_cpg_req_zc_execute *req)
{
	struct cpg_zc **pp = zc_find(cc, req->server_address);
	void *msg = NULL;
	uint32_t len = 0;
	int32_t err = pp ? zc_read(*pp, &msg, &len) : CS_ERR_INVALID_PARAM;

	if (err == CS_OK && !syn_svc_cpg_may_send(cc))
		err = CS_ERR_NOT_EXIST;
	if (err == CS_OK && syn_svc_cpg_mcast_send(svc, cc, msg, len) != 0)
		err = CS_ERR_TRY_AGAIN;
	free(msg);
	syn_conn_respond_error(conn, SYN_CPG_RES_MCAST, err);
}

void syn_svc_cpg_zc_drop(struct cpg_conn *cc)
{
	while (cc->zc) {
		struct cpg_zc *z = cc->zc;

		cc->zc = z->next;
		close(z->fd);
		free(z);
	}
}
