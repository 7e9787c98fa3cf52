/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Minimal unit-test harness in the shape of DPDK's app/test/test.h:
 * suites with setup/teardown, cases with their own setup/teardown and
 * assertion macros that say what failed.  Each suite is one executable
 * (EAL can be initialised once per process); it prints one result line
 * per case and ends with "N passed, N failed".
 */

#ifndef FT_TEST_H
#define FT_TEST_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_log.h>
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
	struct unit_test_case unit_test_cases[];
};

/*
 * Mempool fill guard: record a pool's free count before a case and check
 * it after.  Cases that use a pool call ft_pool_mark() in setup and
 * ft_pool_check() from the end of the case body or teardown.
 */
static inline int
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

static inline int
unit_test_suite_runner(const struct unit_test_suite *suite)
{
	const struct unit_test_case *tc;
	unsigned int passed = 0, failed = 0, skipped = 0, n = 0;
	int ret;

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", suite->suite_name);
	printf(" + ------------------------------------------------------- +\n");
	if (suite->setup != NULL && suite->setup() != 0) {
		for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++)
			failed++;
		printf(" + Suite setup failed: %u cases not run\n", failed);
		printf("%u passed, %u failed\n", passed, failed);
		fflush(stdout);
		return -1;
	}
	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		n++;
		ret = TEST_SUCCESS;
		if (tc->setup != NULL)
			ret = tc->setup();
		if (ret == TEST_SUCCESS) {
			ret = tc->testcase();
			if (tc->teardown != NULL)
				tc->teardown();
		} else if (ret != TEST_SKIPPED) {
			printf("TestCase %s: setup failed\n", tc->name);
		}
		if (ret == TEST_SUCCESS)
			passed++;
		else if (ret == TEST_SKIPPED)
			skipped++;
		else
			failed++;
		printf(" + TestCase [%2u] : %s %s\n", n, tc->name,
		       ret == TEST_SUCCESS ? "succeeded" :
		       ret == TEST_SKIPPED ? "skipped" : "failed");
		fflush(stdout);
	}
	if (suite->teardown != NULL)
		suite->teardown();
	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite Summary : %s\n", suite->suite_name);
	printf(" + Tests Total : %2u  Passed : %2u  Failed : %2u  Skipped : %2u\n",
	       n, passed, failed, skipped);
	printf(" + ------------------------------------------------------- +\n");
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	fflush(stdout);
	return failed == 0 ? 0 : -1;
}

/*
 * Log capture for cases that check what the driver said: every log line
 * still goes to stdout, and is also kept (the last FT_LOG_MAX bytes since
 * ft_log_reset()) for ft_log_has(). Set up once per process, before
 * threads log, and left in place: EAL's interrupt thread may log at any
 * time, so the stream is never closed under it.
 */
#define FT_LOG_MAX 65536

static char ft_log_buf[FT_LOG_MAX];
static size_t ft_log_len;
static pthread_mutex_t ft_log_lock = PTHREAD_MUTEX_INITIALIZER;

static inline ssize_t
ft_log_write(void *cookie, const char *buf, size_t n)
{
	size_t keep = RTE_MIN(n, (size_t)FT_LOG_MAX - 1);

	RTE_SET_USED(cookie);
	fwrite(buf, 1, n, stdout);
	pthread_mutex_lock(&ft_log_lock);
	if (ft_log_len + keep >= FT_LOG_MAX)
		ft_log_len = 0;  /* keep the newest lines */
	memcpy(ft_log_buf + ft_log_len, buf + n - keep, keep);
	ft_log_len += keep;
	ft_log_buf[ft_log_len] = '\0';
	pthread_mutex_unlock(&ft_log_lock);
	return n;
}

static inline int
ft_log_open(void)
{
	static cookie_io_functions_t io = { .write = ft_log_write };
	static FILE *f;

	if (f == NULL) {
		f = fopencookie(NULL, "w", io);
		if (f == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
		rte_openlog_stream(f);
	}
	return 0;
}

static inline void
ft_log_reset(void)
{
	pthread_mutex_lock(&ft_log_lock);
	ft_log_len = 0;
	ft_log_buf[0] = '\0';
	pthread_mutex_unlock(&ft_log_lock);
}

/* True when a line logged since ft_log_reset() holds needle. */
static inline bool
ft_log_has(const char *needle)
{
	bool found;

	pthread_mutex_lock(&ft_log_lock);
	found = strstr(ft_log_buf, needle) != NULL;
	pthread_mutex_unlock(&ft_log_lock);
	return found;
}

/* Wait up to ms (sleeping) for a log line holding needle. */
static inline bool
ft_log_wait(const char *needle, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms && !ft_log_has(needle); i++)
		rte_delay_us_sleep(1000);
	return ft_log_has(needle);
}

/*
 * EAL for a test process: no hugepages, no PCI, a file prefix of its own
 * (removed again by ft_eal_cleanup()), plus the suite's own arguments
 * (usually --vdev lines).  Returns 0 or a negative errno.
 */
#define FT_MAX_EAL_ARGS 64

static char ft_prefix[64];

static inline int
ft_eal_init(const char *prog, const char *const *extra, unsigned int n_extra)
{
	static char prefix_arg[96];
	char *argv[FT_MAX_EAL_ARGS];
	unsigned int argc = 0, i;
	const char *lvl = getenv("FT_LOG_LEVEL");

	snprintf(ft_prefix, sizeof(ft_prefix), "ft_%s_%d", prog, (int)getpid());
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", ft_prefix);
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0-1";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"1024";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = prefix_arg;
	argv[argc++] = (char *)(uintptr_t)"--log-level";
	argv[argc++] = (char *)(uintptr_t)(lvl != NULL ? lvl : "pmd.net.failover:debug");
	/* virtio-user writes to a vhost socket whose peer left without
	 * MSG_NOSIGNAL: as in most DPDK applications, SIGPIPE is ignored.
	 */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n_extra && argc < FT_MAX_EAL_ARGS - 1; i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];
	argv[argc] = NULL;
	if (rte_eal_init((int)argc, argv) < 0)
		return -1;
	return 0;
}

static inline void
ft_eal_cleanup(void)
{
	char cmd[160];

	rte_eal_cleanup();
	if (ft_prefix[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", ft_prefix);
		if (system(cmd) != 0)
			printf("could not remove /var/run/dpdk/%s\n", ft_prefix);
	}
}

/* main() of a suite: EAL, the suite, clean-up; exit status 0 when all passed. */
static inline int
ft_suite_main(const char *prog, const struct unit_test_suite *suite)
{
	int ret;

	if (ft_eal_init(prog, NULL, 0) != 0) {
		printf("EAL init failed\n0 passed, 1 failed\n");
		return 1;
	}
	ret = unit_test_suite_runner(suite);
	ft_eal_cleanup();
	return ret == 0 ? 0 : 1;
}

#endif /* FT_TEST_H */
