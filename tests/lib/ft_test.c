/* SPDX-License-Identifier: BSD-3-Clause */

/* The suite runner, a suite's main(), EAL for a test process. */

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_string_fns.h>

#include "ft_test.h"

#define FT_MAX_EAL_ARGS 64

static char ft_runtime_dir[PATH_MAX];

static void
ft_rule(void)
{
	printf(" + ------------------------------------------------------- +\n");
}

/* One case with its setup and teardown: TEST_SUCCESS, _SKIPPED or _FAILED. */
static int
ft_run_case(const struct unit_test_case *tc)
{
	int ret = TEST_SUCCESS;

	if (tc->setup != NULL)
		ret = tc->setup();
	if (ret == TEST_SUCCESS) {
		ret = tc->testcase();
		if (tc->teardown != NULL)
			tc->teardown();
	} else if (ret != TEST_SKIPPED) {
		printf("TestCase %s: setup failed\n", tc->name);
	}
	return ret;
}

static int
ft_suite_setup_failed(const struct unit_test_suite *suite)
{
	const struct unit_test_case *tc;
	unsigned int failed = 0;

	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++)
		failed++;
	printf(" + Suite setup failed: %u cases not run\n", failed);
	printf("0 passed, %u failed\n", failed);
	fflush(stdout);
	return -1;
}

int
unit_test_suite_runner(const struct unit_test_suite *suite)
{
	const struct unit_test_case *tc;
	unsigned int passed = 0, failed = 0, skipped = 0, n = 0;
	int ret;

	ft_rule();
	printf(" + Test Suite : %s\n", suite->suite_name);
	ft_rule();
	if (suite->setup != NULL && suite->setup() != 0)
		return ft_suite_setup_failed(suite);
	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		ret = ft_run_case(tc);
		if (ret == TEST_SUCCESS)
			passed++;
		else if (ret == TEST_SKIPPED)
			skipped++;
		else
			failed++;
		printf(" + TestCase [%2u] : %s %s\n", ++n, tc->name,
		       ret == TEST_SUCCESS ? "succeeded" :
		       ret == TEST_SKIPPED ? "skipped" : "failed");
		fflush(stdout);
	}
	if (suite->teardown != NULL)
		suite->teardown();
	ft_rule();
	printf(" + Test Suite Summary : %s\n", suite->suite_name);
	printf(" + Tests Total : %2u  Passed : %2u  Failed : %2u  Skipped : %2u\n",
	       n, passed, failed, skipped);
	ft_rule();
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	fflush(stdout);
	return failed == 0 ? 0 : -1;
}

int
ft_eal_init(const char *prog, const char *const *extra, unsigned int n_extra)
{
	static char prefix_arg[96];
	const char *lvl = getenv("FT_LOG_LEVEL");
	const char *argv[FT_MAX_EAL_ARGS] = {
		prog, "-l", "0-1", "--no-huge", "-m", "1024", "--no-pci", prefix_arg,
		"--log-level", lvl != NULL ? lvl : "pmd.net.failover:debug",
	};
	unsigned int argc = 10, i;

	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=ft_%s_%d", prog,
		 (int)getpid());
	/* virtio-user writes to a vhost socket whose peer left without
	 * MSG_NOSIGNAL: as in most DPDK applications, SIGPIPE is ignored.
	 */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n_extra && argc < FT_MAX_EAL_ARGS - 1; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	if (rte_eal_init((int)argc, (char **)(uintptr_t)argv) < 0)
		return -1;
	strlcpy(ft_runtime_dir, rte_eal_get_runtime_dir(), sizeof(ft_runtime_dir));
	return 0;
}

void
ft_rm_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		printf("could not remove %s\n", dir);
}

void
ft_eal_cleanup(void)
{
	rte_eal_cleanup();
	if (ft_runtime_dir[0] != '\0')
		ft_rm_runtime_dir(ft_runtime_dir);
}

int
ft_main(int argc, char **argv, const struct unit_test_suite *suite)
{
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int ret;

	prog = prog != NULL ? prog + 1 : argc > 0 ? argv[0] : "ft";
	if (suite->no_eal)
		return unit_test_suite_runner(suite) == 0 ? 0 : 1;
	if (ft_eal_init(prog, NULL, 0) != 0) {
		printf("EAL init failed\n0 passed, 1 failed\n");
		return 1;
	}
	ret = unit_test_suite_runner(suite);
	ft_eal_cleanup();
	return ret == 0 ? 0 : 1;
}

int
ft_pool_check(const struct rte_mempool *mp, unsigned int start)
{
	unsigned int now = rte_mempool_avail_count(mp);

	if (now != start) {
		printf("mempool %s: %u mbufs free, %u at start (%d leaked)\n",
		       mp->name, now, start, (int)(start - now));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}
