/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A main() for a fuzz target built without libFuzzer or sanitizers, to run
 * its corpus under valgrind: DPDK's own libraries are not instrumented, so
 * AddressSanitizer sees their reads past the end of our strings only when
 * they pass through an intercepted libc call, while memcheck sees them all.
 *
 *   replay_<target> <file or directory>...
 * FUZZ_VERBOSE=1 names each input before it runs, and shows the log lines.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long nb_inputs;

static int
replay_file(const char *path)
{
	uint8_t *buf;
	FILE *f;
	long n;

	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	buf = malloc(n > 0 ? n : 1);
	if (buf == NULL || fread(buf, 1, n, f) != (size_t)n) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	nb_inputs++;
	return 0;
}

static int
replay(const char *path)
{
	char sub[4096];
	struct dirent *e;
	struct stat st;
	int ret = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while (ret == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		ret = replay(sub);
	}
	closedir(d);
	return ret;
}

int
main(int argc, char **argv)
{
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		if (replay(argv[i]) != 0)
			return 1;
	printf("replayed %lu inputs\n", nb_inputs);
	return 0;
}
