/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_file.c - reading the main configuration file and the uidgid.d
 * drop-ins next to it, and parsing them as one unit.
 *
 * All files go into one scratch store, which is merged into the caller's
 * store only when every file parsed; any error leaves the caller's store
 * as it was.  Drop-ins are taken in directory-read order, as the
 * reference does; only regular files count.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"

/* Refuse absurd inputs rather than reading them into memory. */
#define FILE_SIZE_MAX (64u << 20)

static void set_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* Read a whole file; *out is malloc'ed (free it).  0 or -errno. */
static int read_whole(const char *path, char **out, size_t *out_len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	if (!f)
		return -errno;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nbuf = ncap <= FILE_SIZE_MAX ? realloc(buf, ncap) : NULL;
			if (!nbuf) {
				rc = ncap <= FILE_SIZE_MAX ? -ENOMEM : -EFBIG;
				goto err_free_buf;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = -EIO;
				goto err_free_buf;
			}
			break;
		}
	}
	fclose(f);
	*out = buf;
	*out_len = len;
	return 0;

err_free_buf:
	free(buf);
	fclose(f);
	return rc;
}

static int parse_one_file(struct syn_store *scratch, const char *path, unsigned flags, char *err,
			  size_t err_len)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = read_whole(path, &buf, &len);

	if (rc) {
		set_err(err, err_len, "Can't read file %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = syn_config_parse_into(scratch, path, buf, len, flags, err, err_len);
	free(buf);
	return rc;
}

static bool is_regular(const char *dir, const struct dirent *de)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct stat st;

	if (de->d_type == DT_REG)
		return true;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int parse_dropins(struct syn_store *scratch, const char *main_path, char *err,
			 size_t err_len)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	const char *slash = strrchr(main_path, '/');
	int rc = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), "uidgid.d");
	else
		snprintf(dir, sizeof(dir), "%.*s/uidgid.d", (int)(slash - main_path), main_path);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (!is_regular(dir, de))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = parse_one_file(scratch, path, SYN_CONFIG_UIDGID_ONLY, err, err_len);
	}
	closedir(d);
	return rc;
}

int syn_config_parse_file(struct syn_store *store, const char *path, char *err, size_t err_len)
{
	struct syn_store *scratch = syn_store_create();
	int rc;

	if (err_len)
		err[0] = '\0';
	if (!scratch)
		return -ENOMEM;
	rc = parse_one_file(scratch, path, 0, err, err_len);
	if (rc == 0)
		rc = parse_dropins(scratch, path, err, err_len);
	if (rc == 0)
		rc = syn_store_merge(store, scratch);
	if (rc == -ENOMEM && err_len && !err[0])
		set_err(err, err_len, "out of memory");
	syn_store_destroy(scratch);
	return rc;
}
