/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The suite runner, in the shape of DPDK's app/test/test.h: suites with
 * setup/teardown, cases with their own setup/teardown, assertion macros
 * that say what failed. Each suite is one executable (EAL initialises once
 * per process) whose file declares its suite and ends with FT_MAIN(suite):
 * EAL, the suite, clean-up. It prints one result line per case and ends
 * with "N passed, N failed" (devtools/test-summary.py reads that line).
 */

#ifndef FT_TEST_H
#define FT_TEST_H

#include <stdbool.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mempool.h>

#define TEST_SUCCESS 0
#define TEST_FAILED -1
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, msg, ...) do {					\
	if (!(cond)) {							\
		printf("TestCase %s() line %d failed: " msg "\n",	\
		       __func__, __LINE__, ##__VA_ARGS__);		\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_EQUAL(a, b, msg, ...) do {				\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_) {							\
		printf("TestCase %s() line %d failed: %s (%lld) != %s (%lld): " msg "\n", \
		       __func__, __LINE__, #a, a_, #b, b_, ##__VA_ARGS__); \
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_NOT_EQUAL(a, b, msg, ...) do {			\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ == b_) {							\
		printf("TestCase %s() line %d failed: %s == %s (%lld): " msg "\n", \
		       __func__, __LINE__, #a, #b, a_, ##__VA_ARGS__);	\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_SUCCESS(val, msg, ...) do {				\
	long long v_ = (long long)(val);				\
	if (v_ != 0) {							\
		printf("TestCase %s() line %d failed (%lld): " msg "\n",	\
		       __func__, __LINE__, v_, ##__VA_ARGS__);		\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_FAIL(val, msg, ...) do {				\
	if ((val) == 0) {						\
		printf("TestCase %s() line %d failed: %s succeeded: " msg "\n", \
		       __func__, __LINE__, #val, ##__VA_ARGS__);	\
		return TEST_FAILED;					\
	}								\
} while (0)

#define TEST_ASSERT_NULL(p, msg, ...) \
	TEST_ASSERT((p) == NULL, msg, ##__VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(p, msg, ...) \
	TEST_ASSERT((p) != NULL, msg, ##__VA_ARGS__)

struct unit_test_case {
	int (*setup)(void);
	void (*teardown)(void);
	int (*testcase)(void);
	const char *name;
};

#define TEST_CASE(fn) { NULL, NULL, fn, #fn }
#define TEST_CASE_ST(setup, teardown, fn) { setup, teardown, fn, #fn }
#define TEST_CASES_END() { NULL, NULL, NULL, NULL }

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);
	void (*teardown)(void);
	bool no_eal;            /* ft_main() runs it without EAL (plain C) */
	struct unit_test_case unit_test_cases[];
};

/* Runs every case; 0 when none failed. */
int unit_test_suite_runner(const struct unit_test_suite *suite);

/*
 * main() of a suite: EAL (ft_eal_init, unless the suite says no_eal), the
 * suite, clean-up; exit status 0 when all passed.
 */
int ft_main(int argc, char **argv, const struct unit_test_suite *suite);

#define FT_MAIN(suite)					\
int								\
main(int argc, char **argv)					\
{								\
	return ft_main(argc, argv, &(suite));			\
}

/*
 * EAL for a test process: 2 lcores, no hugepages, no PCI, a file prefix of
 * its own (ft_<prog>_<pid>, removed again by ft_eal_cleanup()), the log
 * level from FT_LOG_LEVEL (default pmd.net.failover:debug), SIGPIPE
 * ignored, plus extra arguments (e.g. --vdev lines). 0 or -1.
 */
int ft_eal_init(const char *prog, const char *const *extra, unsigned int n_extra);
void ft_eal_cleanup(void);

/* Remove an EAL runtime folder (flat: config, sockets, fbarrays). */
void ft_rm_runtime_dir(const char *dir);

/*
 * Mempool fill guard: a case records a pool's free count at its start and
 * checks it at its end. TEST_FAILED (and what leaked) when it differs.
 */
int ft_pool_check(const struct rte_mempool *mp, unsigned int start);

#endif /* FT_TEST_H */
