/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef FAILOVER_BENCH_STATS_H
#define FAILOVER_BENCH_STATS_H

#define STATS_MAX 1024

struct stats_summary {
	double min, q1, median, q3, p99, max;
};

void stats_summary(const double *v, unsigned int n, struct stats_summary *s);

#endif /* FAILOVER_BENCH_STATS_H */
