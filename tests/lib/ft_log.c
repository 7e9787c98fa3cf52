/* SPDX-License-Identifier: BSD-3-Clause */

/* Log capture: a cookie stream that copies to stdout and keeps the text. */

#define _GNU_SOURCE		/* fopencookie */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_string_fns.h>

#include "ft_log.h"
#include "ft_wait.h"

static char ft_log_buf[FT_LOG_MAX];
static size_t ft_log_len;
static pthread_mutex_t ft_log_lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t
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

int
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

void
ft_log_reset(void)
{
	pthread_mutex_lock(&ft_log_lock);
	ft_log_len = 0;
	ft_log_buf[0] = '\0';
	pthread_mutex_unlock(&ft_log_lock);
}

bool
ft_log_has(const char *needle)
{
	return ft_log_count(needle) != 0;
}

unsigned int
ft_str_count(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (; (text = strstr(text, needle)) != NULL; text++)
		n++;
	return n;
}

unsigned int
ft_log_count(const char *needle)
{
	unsigned int n;

	pthread_mutex_lock(&ft_log_lock);
	n = ft_str_count(ft_log_buf, needle);
	pthread_mutex_unlock(&ft_log_lock);
	return n;
}

const char *
ft_log_text(char *buf, size_t len)
{
	pthread_mutex_lock(&ft_log_lock);
	strlcpy(buf, ft_log_buf, len);
	pthread_mutex_unlock(&ft_log_lock);
	return buf;
}

static bool
ft_log_seen(const void *needle)
{
	return ft_log_has(needle);
}

/*
 * Every 1 ms: a line may announce what its thread does right after
 * ("... removed again"); a case checks that next.
 */
bool
ft_log_wait(const char *needle, unsigned int ms)
{
	return ft_wait_until_nap(ft_log_seen, needle, ms, 1000) == 0;
}
