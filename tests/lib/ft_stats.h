/* SPDX-License-Identifier: BSD-3-Clause */

/* Counters by name and order statistics (sort, quantiles, p50/p99/max). */

#ifndef FT_STATS_H
#define FT_STATS_H

#include <stdint.h>

/* The xstat of that name on port; UINT64_MAX when there is none. */
uint64_t ft_xstat(uint16_t port, const char *name);

void ft_sort_double(double *v, unsigned int n);

/* Quantile q in [0,1] of sorted v[0..n), linear between order statistics. */
double ft_quantile(const double *sorted, unsigned int n, double q);

struct ft_summary {
	unsigned int n;
	double min, q1, median, q3, p99, max;
};

/* Order statistics of v[0..n) (v is left as it is); all 0 when n is 0. */
void ft_summary(const double *v, unsigned int n, struct ft_summary *s);

/* The same of n times in timer cycles, in ms. */
void ft_summary_ms(const uint64_t *cycles, unsigned int n, struct ft_summary *s);

/* One line: what, p50, p99 and max in ms of n times in timer cycles, and n. */
void ft_pct_print(const char *what, const uint64_t *cycles, unsigned int n);

#endif /* FT_STATS_H */
