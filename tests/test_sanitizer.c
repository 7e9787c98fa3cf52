/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * sanitizer suite (built only with -Db_sanitize=address,undefined, run by
 * devtools/run-sanitized.sh): the sanitizers are on and a report fails a
 * suite. The program runs itself once per defect, a heap overflow, a use
 * after free, a leak and an undefined behaviour, under the options the
 * run exports (ASAN_OPTIONS, LSAN_OPTIONS with the suppression files,
 * UBSAN_OPTIONS), and checks that each child exits with the report's
 * status and printed the report; a child without a defect must exit 0.
 * Plain C, no EAL.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ASAN_EXIT 99	/* exitcode= of ASAN_OPTIONS (LeakSanitizer too) */
#define UBSAN_EXIT 98	/* exitcode= of UBSAN_OPTIONS */

/* volatile: the compiler must not see through the defects */
static char *volatile sink;
static volatile int big = INT_MAX;

static int
defect(const char *kind)
{
	if (strcmp(kind, "none") == 0) {
		sink = malloc(16);
		free(sink);
		return 0;
	}
	if (strcmp(kind, "overflow") == 0) {
		sink = malloc(16);
		sink[16] = 1;
		free(sink);
		return 0;
	}
	if (strcmp(kind, "use-after-free") == 0) {
		sink = malloc(16);
		free(sink);
		return sink[3];
	}
	if (strcmp(kind, "leak") == 0) {
		sink = malloc(33);
		sink[0] = 1;
		sink = NULL;
		return 0;
	}
	if (strcmp(kind, "undefined") == 0) {
		big = big + 1;
		return 0;
	}
	fprintf(stderr, "unknown defect %s\n", kind);
	return 2;
}

static const struct {
	const char *kind;
	int status;
	const char *report;
} cases[] = {
	{ "none", 0, NULL },
	{ "overflow", ASAN_EXIT, "ERROR: AddressSanitizer: heap-buffer-overflow" },
	{ "use-after-free", ASAN_EXIT, "ERROR: AddressSanitizer: heap-use-after-free" },
	{ "leak", ASAN_EXIT, "ERROR: LeakSanitizer: detected memory leaks" },
	{ "undefined", UBSAN_EXIT, "runtime error: signed integer overflow" },
};

/* Run this program on one defect; its exit status, its stderr in buf. */
static int
run_child(const char *self, const char *kind, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fds[2], st;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(self, self, kind, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len + 1 < size && (n = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
main(int argc, char **argv)
{
	static char out[16384];
	unsigned int i, passed = 0, failed = 0;

	if (argc > 1)
		return defect(argv[1]);
#if !defined(__SANITIZE_ADDRESS__)
	printf("skipped: not built with -Db_sanitize=address,undefined\n");
	printf("0 passed, 0 failed, %zu skipped\n", sizeof(cases) / sizeof(cases[0]));
	return 77;
#endif
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = run_child("/proc/self/exe", cases[i].kind, out, sizeof(out));
		int ok = st == cases[i].status &&
			(cases[i].report == NULL ? strstr(out, "Sanitizer") == NULL &&
			 strstr(out, "runtime error") == NULL :
			 strstr(out, cases[i].report) != NULL);

		if (!ok)
			printf("    %s: exit status %d (expected %d), stderr:\n%s\n",
			       cases[i].kind, st, cases[i].status, out);
		printf(" + TestCase [%2u] : %s %s\n", i + 1, cases[i].kind,
		       ok ? "succeeded" : "failed");
		ok ? passed++ : failed++;
	}
	printf("%u passed, %u failed, 0 skipped\n", passed, failed);
	return failed ? 1 : 0;
}
