/* SPDX-License-Identifier: BSD-3-Clause */

/* Counters by name and order statistics. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ft_stats.h"
#include "ft_wait.h"

uint64_t
ft_xstat(uint16_t port, const char *name)
{
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

static int
ft_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
ft_sort_double(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), ft_cmp_double);
}

double
ft_quantile(const double *sorted, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

static void
ft_summary_sorted(const double *sorted, unsigned int n, struct ft_summary *s)
{
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->q1 = ft_quantile(sorted, n, 0.25);
	s->median = ft_quantile(sorted, n, 0.5);
	s->q3 = ft_quantile(sorted, n, 0.75);
	s->p99 = ft_quantile(sorted, n, 0.99);
}

void
ft_summary(const double *v, unsigned int n, struct ft_summary *s)
{
	double *sorted = n != 0 ? malloc(n * sizeof(*v)) : NULL;

	memset(s, 0, sizeof(*s));
	if (sorted == NULL)
		return;
	memcpy(sorted, v, n * sizeof(*v));
	ft_sort_double(sorted, n);
	ft_summary_sorted(sorted, n, s);
	free(sorted);
}

void
ft_summary_ms(const uint64_t *cycles, unsigned int n, struct ft_summary *s)
{
	double *ms = n != 0 ? malloc(n * sizeof(*ms)) : NULL;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (ms == NULL)
		return;
	for (i = 0; i < n; i++)
		ms[i] = ft_ms(cycles[i]);
	ft_sort_double(ms, n);
	ft_summary_sorted(ms, n, s);
	free(ms);
}

void
ft_pct_print(const char *what, const uint64_t *cycles, unsigned int n)
{
	struct ft_summary s;

	if (n == 0) {
		printf("  %-40s no samples\n", what);
		return;
	}
	ft_summary_ms(cycles, n, &s);
	printf("  %-40s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (n=%u)\n", what,
	       s.median, s.p99, s.max, n);
}
