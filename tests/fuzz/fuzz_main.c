/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_main.c - replays fuzz inputs without libFuzzer, so the corpus of a
 * fuzz target runs as an ordinary, deterministic test with any compiler.
 *
 * usage: fuzz-replay PATH...   (files, or directories whose regular
 * files are replayed in name order).  A failing input aborts the run;
 * the name of the input is printed before it runs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto err;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto err;
	fclose(f);
	printf("replay %s (%ld bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
err:
	fprintf(stderr, "cannot read %s\n", path);
	if (f)
		fclose(f);
	free(buf);
	return -1;
}

static int replay_dir(const char *dir, unsigned int *n)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int count = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (count < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = replay_file(path);
			(*n)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int n = 0;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		int rc;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "cannot stat %s\n", argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = replay_dir(argv[i], &n);
		} else {
			rc = replay_file(argv[i]);
			n++;
		}
		if (rc != 0)
			return 1;
	}
	printf("%u inputs replayed\n", n);
	return n > 0 ? 0 : 1;
}
