/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keygen.c - synod-keygen: write a random key for encrypted links, with
 * corosync-keygen's options and messages (-k file, -r/-m random source,
 * -s size in bytes 128..4096, -l accepted and ignored, -h).  The key file
 * is created mode 0400, owned by the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the daemon reads its key by default (meson passes SYN_CONFDIR). */
#ifndef SYN_CONFDIR
#define SYN_CONFDIR "/etc/corosync"
#endif
#define SYN_KEYFILE SYN_CONFDIR "/authkey"
#define KEY_MIN 128
#define KEY_MAX 4096

static void usage(FILE *out)
{
	fprintf(out, "Usage: synod-keygen [-k <keyfile>] [-s size] [-m <randomfile>] [-l] [-h]\n"
		     "     -k / --key-file=<filename> -  Write to the specified keyfile\n"
		     "            instead of the default " SYN_KEYFILE ".\n"
		     "     -r / --random-file -  Random number source file. Default is \n"
		     "            /dev/urandom.\n"
		     "     -l / --less-secure - Not used, option is kept only\n"
		     "            for compatibility.\n"
		     "     -s / --size -  Length of key.\n"
		     "     -h / --help -  Print basic usage.\n");
}

static int read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int write_key(const char *path, const unsigned char *key, size_t len)
{
	int fd;
	ssize_t n;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (fd < 0) {
		fprintf(stderr, "Could not create %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, key, len);
	if (n != (ssize_t)len || fsync(fd) != 0) {
		fprintf(stderr, "Could not write %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key-file", required_argument, NULL, 'k'},
		{"random-file", required_argument, NULL, 'r'},
		{"size", required_argument, NULL, 's'},
		{"less-secure", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = SYN_KEYFILE, *random_path = "/dev/urandom";
	unsigned char key[KEY_MAX];
	long size = 256;
	int c, fd;

	while ((c = getopt_long(argc, argv, "k:r:m:s:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'r':
		case 'm':
			random_path = optarg;
			break;
		case 's':
			size = strtol(optarg, NULL, 10);
			break;
		case 'l':
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Error parsing command line options.\n");
			return 1;
		}
	}
	if (size < KEY_MIN || size > KEY_MAX) {
		fprintf(stderr, "synod-keygen: Unsupported key size (supported <%d,%d>)\n", KEY_MIN,
			KEY_MAX);
		return 1;
	}
	printf("Corosync Cluster Engine Authentication key generator.\n");
	printf("Gathering %ld bits for key from %s.\n", size * 8, random_path);
	fflush(stdout);
	fd = open(random_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_full(fd, key, (size_t)size) != 0) {
		fprintf(stderr, "Could not read random data from %s: %s\n", random_path,
			strerror(errno));
		return 1;
	}
	close(fd);
	if (write_key(key_path, key, (size_t)size) != 0)
		return 1;
	printf("Writing corosync key to %s.\n", key_path);
	return 0;
}
