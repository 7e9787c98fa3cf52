/* SPDX-License-Identifier: BSD-3-Clause */

/* Order statistics over the per-round ratios. */

#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q in [0,1] of v[0..n), linear between order statistics. */
static double
quantile_sorted(const double *v, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

void
stats_summary(const double *v, unsigned int n, struct stats_summary *s)
{
	double sorted[STATS_MAX];

	memset(s, 0, sizeof(*s));
	if (n == 0 || n > STATS_MAX)
		return;
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*v), cmp_double);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->q1 = quantile_sorted(sorted, n, 0.25);
	s->median = quantile_sorted(sorted, n, 0.5);
	s->q3 = quantile_sorted(sorted, n, 0.75);
	s->p99 = quantile_sorted(sorted, n, 0.99);
}
