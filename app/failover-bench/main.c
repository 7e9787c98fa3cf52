/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpdk-failover-bench: the fast-path cost of net_failover, compared with
 * the sub-port used directly, net_bonding mode 1 and net_failsafe over the
 * same sub-PMD. See doc/guides/tools/failover_bench.rst.
 *
 *   wall mode  paired ratios of time per call, rounds interleaved
 *   ir mode    instructions per call, under valgrind --tool=callgrind
 *   mq mode    2 queues on 2 lcores, per-lcore ratios
 */

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_string_fns.h>

#include "bench.h"
#include "ft_stats.h"
#include "ft_test.h"

const char *const bench_sub_name[SUB_COUNT] = { "null", "null-norx", "ring" };
const char *const bench_var_name[VAR_COUNT] = {
	"direct", "failover", "fo-keep", "app-stamp", "bonding", "failsafe", "wrap-call",
};
const char *const bench_mode_name[MODE_COUNT] = { "rx", "tx", "io", "idle" };

static const struct bench_case bench_cases[] = {
	{ SUB_NULL, MODE_RX, 1 }, { SUB_NULL, MODE_RX, 32 },
	{ SUB_NULL, MODE_TX, 1 }, { SUB_NULL, MODE_TX, 32 },
	{ SUB_NULL, MODE_IO, 1 }, { SUB_NULL, MODE_IO, 32 },
	{ SUB_NORX, MODE_IDLE, 1 }, { SUB_NORX, MODE_IDLE, 32 },
	{ SUB_RING, MODE_RX, 1 }, { SUB_RING, MODE_RX, 32 },
	{ SUB_RING, MODE_TX, 1 }, { SUB_RING, MODE_TX, 32 },
	{ SUB_RING, MODE_IO, 1 }, { SUB_RING, MODE_IO, 32 },
	{ SUB_RING, MODE_IDLE, 1 }, { SUB_RING, MODE_IDLE, 32 },
};
#define NB_CASES RTE_DIM(bench_cases)

/* The cases the net_failover targets are computed from. */
static const bool bench_case_quick[NB_CASES] = {
	true, true, true, true, false, false, false, true,
};

static const struct bench_case mq_cases[] = {
	{ SUB_NULL, MODE_IO, 32 }, { SUB_RING, MODE_IO, 32 },
};
#define NB_MQ_CASES RTE_DIM(mq_cases)

/* Targets for net_failover (issue 4), burst 32. */
#define TARGET_IR_RX_CALL 20.0
#define TARGET_IR_TX_CALL 20.0
#define TARGET_IR_PKT 3.0
#define TARGET_IR_EMPTY 20.0
#define TARGET_IO_NULL 1.02
#define TARGET_IO_RING 1.30
#define TARGET_EMPTY_POLL 1.50   /* null-norx idle: ahead of bonding and failsafe */

#define RUNS_MAX 8
#define ROUNDS_MAX 32
#define IR_ITERS 1024            /* a multiple of 32: whole standby-poll periods */

struct bench_opts {
	bool wall, ir, mq, sw;
	bool quick;                  /* ir: only the cases the targets need */
	bool check;                  /* exit 1 when a net_failover target is missed */
	bool thp;
	unsigned int runs, rounds, ms;
	unsigned int sw_rounds;      /* --switch: unplug/replug rounds */
	const char *cg_out;          /* valgrind's --callgrind-out-file */
};

static struct bench_opts opts = {
	.thp = true, .runs = 3, .rounds = 8, .ms = 4, .sw_rounds = 200,
};
static struct bench_port ports[SUB_COUNT][VAR_COUNT];
static struct rte_mempool *pool;
static uint64_t tsc_hz;
static uint64_t lost_mbufs;
static bool missed;

static double wall_ns[RUNS_MAX][ROUNDS_MAX][NB_CASES][VAR_COUNT];
static double mq_ns[RUNS_MAX * ROUNDS_MAX][NB_MQ_CASES][VAR_COUNT][BENCH_NB_QUEUES];
static double ir_call[NB_CASES][VAR_COUNT];
static uint64_t case_iters[NB_CASES];

/* ---------------------------------------------------------------- util */

static int
case_index(enum bench_sub sub, enum bench_mode mode, uint16_t burst)
{
	unsigned int i;

	for (i = 0; i < NB_CASES; i++)
		if (bench_cases[i].sub == sub && bench_cases[i].mode == mode &&
		    bench_cases[i].burst == burst)
			return i;
	return -1;
}

static bool
var_ok(const struct bench_case *c, unsigned int var)
{
	return ports[c->sub][var].ok;
}

static const char *
verdict(double v, double target)
{
	if (v > target)
		missed = true;
	return v <= target ? "met" : "MISSED";
}

/* ---------------------------------------------------------- wall mode */

static double
measure_ns(const struct bench_case *c, enum bench_var var, uint16_t qid, uint64_t iters)
{
	struct bench_queue bq = { .bp = &ports[c->sub][var], .qid = qid, .mp = pool };
	uint64_t t;

	bench_queue_prepare(&bq, c);
	bench_loop(&bq, c, iters / 16 + 8);     /* caches and branch predictors */
	t = rte_rdtsc();
	bench_loop(&bq, c, iters);
	t = rte_rdtsc() - t;
	bench_queue_drain(&bq, c);
	lost_mbufs += bq.errors;
	return (double)t * 1e9 / tsc_hz / iters;
}

/* Iterations for about opts.ms milliseconds of the direct port. */
static uint64_t
calibrate(const struct bench_case *c)
{
	double ns = measure_ns(c, VAR_DIRECT, 0, 4096);
	uint64_t iters = (uint64_t)(opts.ms * 1e6 / ns);

	return RTE_MAX(RTE_ALIGN_CEIL(iters, 8), (uint64_t)64);
}

/* One round: every case and variant, in the given order or reversed. */
static void
wall_round(unsigned int run, unsigned int round, bool rev)
{
	unsigned int i, j, c, v;

	for (i = 0; i < NB_CASES; i++) {
		c = rev ? NB_CASES - 1 - i : i;
		for (j = 0; j < VAR_COUNT; j++) {
			v = rev ? VAR_COUNT - 1 - j : j;
			if (!var_ok(&bench_cases[c], v))
				continue;
			wall_ns[run][round][c][v] = measure_ns(&bench_cases[c], v, 0,
							       case_iters[c]);
		}
	}
}

/* Paired ratios of variant v over variant base, round by round. */
static void
ratio_runs(unsigned int c, unsigned int v, unsigned int base, struct ft_summary *all,
	   struct ft_summary *runs)
{
	double r[RUNS_MAX * ROUNDS_MAX], med[RUNS_MAX];
	struct ft_summary s;
	unsigned int run, k, n = 0;

	for (run = 0; run < opts.runs; run++) {
		for (k = 0; k < opts.rounds; k++)
			r[n++] = wall_ns[run][k][c][v] / wall_ns[run][k][c][base];
		ft_summary(r + n - opts.rounds, opts.rounds, &s);
		med[run] = s.median;
	}
	ft_summary(r, n, all);
	ft_summary(med, opts.runs, runs);
}

static void
wall_direct_ns(unsigned int c, struct ft_summary *s)
{
	double ns[RUNS_MAX * ROUNDS_MAX];
	unsigned int run, k, n = 0;

	for (run = 0; run < opts.runs; run++)
		for (k = 0; k < opts.rounds; k++)
			ns[n++] = wall_ns[run][k][c][VAR_DIRECT];
	ft_summary(ns, n, s);
}

static void
wall_report_case(unsigned int c)
{
	const struct bench_case *bc = &bench_cases[c];
	struct ft_summary d, all, runs;
	unsigned int v;

	wall_direct_ns(c, &d);
	printf("%-10s %-4s %5u  %-9s %8.1f  %6s  %-15s  range %.1f-%.1f ns\n",
	       bench_sub_name[bc->sub], bench_mode_name[bc->mode], bc->burst,
	       bench_var_name[VAR_DIRECT], d.median, "1", "", d.min, d.max);
	for (v = VAR_FAILOVER; v < VAR_COUNT; v++) {
		if (!var_ok(bc, v)) {
			printf("%-10s %-4s %5u  %-9s %8s  %6s\n", bench_sub_name[bc->sub],
			       bench_mode_name[bc->mode], bc->burst, bench_var_name[v],
			       "n/a", "n/a");
			continue;
		}
		ratio_runs(c, v, VAR_DIRECT, &all, &runs);
		printf("%-10s %-4s %5u  %-9s %8.1f  %6.3f  [%5.3f, %5.3f]  runs %5.3f-%5.3f\n",
		       bench_sub_name[bc->sub], bench_mode_name[bc->mode], bc->burst,
		       bench_var_name[v], d.median * all.median, all.median, all.q1, all.q3,
		       runs.min, runs.max);
	}
}

static void
wall_target(enum bench_sub sub, unsigned int var, double target)
{
	struct ft_summary all, runs;

	ratio_runs(case_index(sub, MODE_IO, 32), var, VAR_DIRECT, &all, &runs);
	printf("  io ratio over net_%-4s                   %6.3f  %5.3f-%5.3f  <= %.2f  %s\n",
	       sub == SUB_NULL ? "null" : "ring", all.median, runs.min, runs.max, target,
	       verdict(all.median, target));
}

/*
 * The floor of any port that rewrites mbuf->port: app-stamp, the sub-port
 * used directly with the loop writing mbuf->port itself (no wrapper), and
 * what net_failover costs beyond it.
 */
static void
wall_floor(enum bench_sub sub)
{
	unsigned int c = case_index(sub, MODE_IO, 32);
	struct ft_summary all, runs, fo, fo_runs;

	if (!var_ok(&bench_cases[c], VAR_STAMP))
		return;
	ratio_runs(c, VAR_STAMP, VAR_DIRECT, &all, &runs);
	ratio_runs(c, VAR_FAILOVER, VAR_STAMP, &fo, &fo_runs);
	printf("  rewrite floor over net_%-4s              %6.3f  %5.3f-%5.3f  "
	       "(app-stamp; failover/app-stamp %5.3f, runs %5.3f-%5.3f)\n",
	       sub == SUB_NULL ? "null" : "ring", all.median, runs.min, runs.max,
	       fo.median, fo_runs.min, fo_runs.max);
}

/* An empty poll (net_null no-rx), with what bonding and failsafe cost for it. */
static void
wall_empty_target(void)
{
	unsigned int c = case_index(SUB_NORX, MODE_IDLE, 32), v;
	struct ft_summary all, runs;

	ratio_runs(c, VAR_FAILOVER, VAR_DIRECT, &all, &runs);
	printf("  empty poll over net_null no-rx            %6.3f  %5.3f-%5.3f  <= %.2f  %s ",
	       all.median, runs.min, runs.max, TARGET_EMPTY_POLL,
	       verdict(all.median, TARGET_EMPTY_POLL));
	for (v = VAR_BONDING; v <= VAR_CALL; v++) {
		if (!var_ok(&bench_cases[c], v))
			continue;
		ratio_runs(c, v, VAR_DIRECT, &all, &runs);
		printf("%s%s %.3f", v == VAR_BONDING ? "(" : ", ", bench_var_name[v], all.median);
	}
	printf(")\n");
	if (!var_ok(&bench_cases[c], VAR_CALL))
		return;
	ratio_runs(c, VAR_CALL, VAR_DIRECT, &all, &runs);
	printf("  wrapper floor (wrap-call: one call, no mark, no rewrite)  %5.3f  %5.3f-%5.3f\n",
	       all.median, runs.min, runs.max);
	ratio_runs(c, VAR_FAILOVER, VAR_CALL, &all, &runs);
	printf("  failover / wrap-call                      %6.3f  %5.3f-%5.3f\n",
	       all.median, runs.min, runs.max);
}

static void
wall_targets(void)
{
	printf("\nnet_failover wall targets (burst 32)       median  run range    target\n");
	wall_target(SUB_NULL, VAR_FAILOVER, TARGET_IO_NULL);
	wall_target(SUB_RING, VAR_FAILOVER, TARGET_IO_RING);
	wall_empty_target();
	printf("  with rx_port_rewrite=0 (fo-keep: mbuf->port left to the sub-port)\n");
	wall_target(SUB_NULL, VAR_FO_KEEP, TARGET_IO_NULL);
	wall_target(SUB_RING, VAR_FO_KEEP, TARGET_IO_RING);
	wall_floor(SUB_NULL);
	wall_floor(SUB_RING);
}

static void
wall_mode(void)
{
	unsigned int c, run, k;

	for (c = 0; c < NB_CASES; c++)
		case_iters[c] = calibrate(&bench_cases[c]);
	for (run = 0; run < opts.runs; run++)
		for (k = 0; k < opts.rounds; k++)
			wall_round(run, k, k & 1);
	printf("\n== Wall time, 1 lcore: %u runs x %u rounds, ~%u ms per measurement;\n"
	       "   ratio = wrapper / direct in the same round: median [IQR] over all rounds,\n"
	       "   and the range of the per-run medians. ns/call are medians (they drift).\n",
	       opts.runs, opts.rounds, opts.ms);
	printf("%-10s %-4s %5s  %-9s %8s  %6s  %-15s  %s\n", "sub-pmd", "mode", "burst",
	       "variant", "ns/call", "ratio", "IQR", "run-to-run");
	for (c = 0; c < NB_CASES; c++)
		wall_report_case(c);
	wall_targets();
}

/* ------------------------------------------------------------ mq mode */

struct mq_arg {
	const struct bench_case *c;
	enum bench_var var;
	uint16_t qid;
	uint64_t iters;
	double ns;
};

static uint32_t mq_ready;

static int
mq_lcore(void *arg)
{
	struct mq_arg *a = arg;
	struct bench_queue bq = { .bp = &ports[a->c->sub][a->var], .qid = a->qid, .mp = pool };
	uint64_t t;

	bench_queue_prepare(&bq, a->c);
	bench_loop(&bq, a->c, a->iters / 16 + 8);
	__atomic_fetch_add(&mq_ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&mq_ready, __ATOMIC_ACQUIRE) < BENCH_NB_QUEUES)
		rte_pause();
	t = rte_rdtsc();
	bench_loop(&bq, a->c, a->iters);
	t = rte_rdtsc() - t;
	bench_queue_drain(&bq, a->c);
	__atomic_fetch_add(&lost_mbufs, bq.errors, __ATOMIC_RELAXED);
	a->ns = (double)t * 1e9 / tsc_hz / a->iters;
	return 0;
}

/* Both queues of one port at once, queue 1 on the first worker lcore. */
static void
mq_measure(unsigned int c, enum bench_var var, unsigned int slot)
{
	struct mq_arg a[BENCH_NB_QUEUES];
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	uint16_t q;

	for (q = 0; q < BENCH_NB_QUEUES; q++)
		a[q] = (struct mq_arg){ .c = &mq_cases[c], .var = var, .qid = q,
					.iters = case_iters[case_index(mq_cases[c].sub,
						mq_cases[c].mode, mq_cases[c].burst)] };
	__atomic_store_n(&mq_ready, 0, __ATOMIC_RELEASE);
	rte_eal_remote_launch(mq_lcore, &a[1], worker);
	mq_lcore(&a[0]);
	rte_eal_wait_lcore(worker);
	for (q = 0; q < BENCH_NB_QUEUES; q++)
		mq_ns[slot][c][var][q] = a[q].ns;
}

static void
mq_report(unsigned int n)
{
	double r[RUNS_MAX * ROUNDS_MAX], d[RUNS_MAX * ROUNDS_MAX];
	struct ft_summary s, sd;
	unsigned int c, v, q, k;

	printf("\n== Multi-queue: %u queues on %u lcores, each lcore its own queue, %u rounds;\n"
	       "   per-lcore ratio = wrapper / direct ns per call in the same round\n",
	       BENCH_NB_QUEUES, BENCH_NB_QUEUES, n);
	printf("%-10s %-4s %5s  %-9s %5s %8s  %6s  %s\n", "sub-pmd", "mode", "burst",
	       "variant", "lcore", "ns/call", "ratio", "IQR");
	for (c = 0; c < NB_MQ_CASES; c++)
		for (v = 0; v < VAR_COUNT; v++)
			for (q = 0; q < BENCH_NB_QUEUES && var_ok(&mq_cases[c], v); q++) {
				for (k = 0; k < n; k++) {
					d[k] = mq_ns[k][c][VAR_DIRECT][q];
					r[k] = mq_ns[k][c][v][q] / d[k];
				}
				ft_summary(r, n, &s);
				ft_summary(d, n, &sd);
				printf("%-10s %-4s %5u  %-9s %5u %8.1f  %6.3f  [%5.3f, %5.3f]\n",
				       bench_sub_name[mq_cases[c].sub],
				       bench_mode_name[mq_cases[c].mode], mq_cases[c].burst,
				       bench_var_name[v], q, sd.median * s.median, s.median,
				       s.q1, s.q3);
			}
}

static void
mq_mode(void)
{
	unsigned int c, i, j, k, v, n = opts.runs * opts.rounds;

	if (rte_lcore_count() < BENCH_NB_QUEUES) {
		printf("\nnote: multi-queue mode needs %u lcores (-l 0-1): skipped\n",
		       BENCH_NB_QUEUES);
		return;
	}
	for (c = 0; c < NB_CASES; c++)
		if (case_iters[c] == 0)
			case_iters[c] = calibrate(&bench_cases[c]);
	for (k = 0; k < n; k++)
		for (i = 0; i < NB_MQ_CASES; i++) {
			c = k & 1 ? NB_MQ_CASES - 1 - i : i;
			for (j = 0; j < VAR_COUNT; j++) {
				v = k & 1 ? VAR_COUNT - 1 - j : j;
				if (var_ok(&mq_cases[c], v))
					mq_measure(c, v, k);
			}
		}
	mq_report(n);
}

/* ------------------------------------------------------------ ir mode */

static unsigned int cg_dumps;

/* Instructions of the main thread in the last callgrind dump. */
static double
cg_read_last(void)
{
	char path[512], line[256];
	unsigned long long ir = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s.%u-01", opts.cg_out, cg_dumps);
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(path, sizeof(path), "%s.%u", opts.cg_out, cg_dumps);
		f = fopen(path, "r");
	}
	if (f == NULL) {
		printf("error: no callgrind dump %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "summary: %llu", &ir) == 1)
			break;
	fclose(f);
	return (double)ir;
}

static double
measure_ir(const struct bench_case *c, enum bench_var var)
{
	struct bench_queue bq = { .bp = &ports[c->sub][var], .qid = 0, .mp = pool };
	char label[64];
	double ir;

	bench_queue_prepare(&bq, c);
	bench_loop(&bq, c, 64);
	CALLGRIND_TOGGLE_COLLECT;
	bench_loop(&bq, c, IR_ITERS);
	CALLGRIND_TOGGLE_COLLECT;
	snprintf(label, sizeof(label), "%s %s %u %s", bench_sub_name[c->sub],
		 bench_mode_name[c->mode], c->burst, bench_var_name[var]);
	CALLGRIND_DUMP_STATS_AT(label);
	cg_dumps++;
	ir = cg_read_last();
	bench_queue_drain(&bq, c);
	lost_mbufs += bq.errors;
	return ir / IR_ITERS;
}

/* Extra instructions of a wrapper split into per call + per packet. */
static void
ir_split(enum bench_mode mode, enum bench_var v, double *call, double *pkt)
{
	int c1 = case_index(SUB_NULL, mode, 1), c32 = case_index(SUB_NULL, mode, 32);
	double e1 = ir_call[c1][v] - ir_call[c1][VAR_DIRECT];
	double e32 = ir_call[c32][v] - ir_call[c32][VAR_DIRECT];

	*pkt = (e32 - e1) / 31;
	*call = e1 - *pkt;
}

static void
ir_targets(void)
{
	double rx_call, rx_pkt, tx_call, tx_pkt, empty;
	int ce = case_index(SUB_NORX, MODE_IDLE, 32);
	unsigned int v;

	printf("\nExtra instructions over direct, net_null, burst 32 "
	       "(extra = call + burst x packet)\n");
	printf("%-9s %8s %8s %8s %8s %11s\n", "variant", "rx call", "rx pkt", "tx call",
	       "tx pkt", "empty poll");
	for (v = VAR_FAILOVER; v < VAR_COUNT; v++) {
		if (ports[SUB_NULL][v].ok) {
			ir_split(MODE_RX, v, &rx_call, &rx_pkt);
			ir_split(MODE_TX, v, &tx_call, &tx_pkt);
			printf("%-9s %8.2f %8.2f %8.2f %8.2f ", bench_var_name[v], rx_call,
			       rx_pkt, tx_call, tx_pkt);
		} else {
			printf("%-9s %8s %8s %8s %8s ", bench_var_name[v], "n/a", "n/a", "n/a",
			       "n/a");
		}
		if (ports[SUB_NORX][v].ok)
			printf("%11.2f\n", ir_call[ce][v] - ir_call[ce][VAR_DIRECT]);
		else
			printf("%11s\n", "n/a");
	}
	ir_split(MODE_RX, VAR_FAILOVER, &rx_call, &rx_pkt);
	ir_split(MODE_TX, VAR_FAILOVER, &tx_call, &tx_pkt);
	empty = ir_call[ce][VAR_FAILOVER] - ir_call[ce][VAR_DIRECT];
	printf("\nnet_failover instruction targets        measured  target\n");
	printf("  extra Ir per rx call                   %8.2f  <= %2.0f  %s\n", rx_call,
	       TARGET_IR_RX_CALL, verdict(rx_call, TARGET_IR_RX_CALL));
	printf("  extra Ir per tx call                   %8.2f  <= %2.0f  %s\n", tx_call,
	       TARGET_IR_TX_CALL, verdict(tx_call, TARGET_IR_TX_CALL));
	printf("  extra Ir per packet (rx + tx)          %8.2f  <= %2.0f  %s\n",
	       rx_pkt + tx_pkt, TARGET_IR_PKT, verdict(rx_pkt + tx_pkt, TARGET_IR_PKT));
	printf("  extra Ir per empty poll (standby incl) %8.2f  <= %2.0f  %s\n", empty,
	       TARGET_IR_EMPTY, verdict(empty, TARGET_IR_EMPTY));
}

static int
ir_mode(void)
{
	const struct bench_case *bc;
	unsigned int c, v;

	if (!RUNNING_ON_VALGRIND || opts.cg_out == NULL) {
		printf("error: --ir runs under valgrind --tool=callgrind --collect-atstart=no "
		       "--callgrind-out-file=<f>, with --cg-out <f>\n");
		return -1;
	}
	printf("\n== Instructions (callgrind, collection on around each loop only), %u calls\n",
	       IR_ITERS);
	printf("%-10s %-4s %5s  %-9s %10s %10s %9s\n", "sub-pmd", "mode", "burst", "variant",
	       "Ir/call", "Ir/packet", "extra");
	for (c = 0; c < NB_CASES; c++) {
		bc = &bench_cases[c];
		if (opts.quick && (c >= RTE_DIM(bench_case_quick) || !bench_case_quick[c]))
			continue;
		for (v = 0; v < VAR_COUNT; v++) {
			if (!var_ok(bc, v)) {
				printf("%-10s %-4s %5u  %-9s %10s\n", bench_sub_name[bc->sub],
				       bench_mode_name[bc->mode], bc->burst, bench_var_name[v],
				       "n/a");
				continue;
			}
			ir_call[c][v] = measure_ir(bc, v);
			printf("%-10s %-4s %5u  %-9s %10.2f %10.2f %+9.2f\n",
			       bench_sub_name[bc->sub], bench_mode_name[bc->mode], bc->burst,
			       bench_var_name[v], ir_call[c][v],
			       bc->sub == SUB_NORX || bc->mode == MODE_IDLE ? 0.0 :
			       ir_call[c][v] / bc->burst, ir_call[c][v] - ir_call[c][VAR_DIRECT]);
		}
	}
	ir_targets();
	return 0;
}

/* ------------------------------------------------------------- main */

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [--wall] [--mq] [--ir --cg-out <file> [--quick]]\n"
	       "       [--switch[=N]] [--runs N] [--rounds N] [--ms N] [--no-thp] [--check]\n"
	       "  --wall     paired wall-time ratios on 1 lcore (default without --ir/--mq)\n"
	       "  --mq       2 queues on 2 lcores, per-lcore ratios\n"
	       "  --ir       instructions per call under callgrind (see the guide)\n"
	       "  --quick    --ir over the cases the targets need only\n"
	       "  --check    exit 1 when a net_failover target is missed\n"
	       "  --switch[=N]  switch-over figures over N unplug/replug rounds (200),\n"
	       "             needs 2 lcores\n", prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "wall", no_argument, NULL, 'w' }, { "mq", no_argument, NULL, 'm' },
		{ "ir", no_argument, NULL, 'i' }, { "quick", no_argument, NULL, 'q' },
		{ "check", no_argument, NULL, 'c' }, { "no-thp", no_argument, NULL, 'n' },
		{ "cg-out", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "ms", required_argument, NULL, 't' },
		{ "switch", optional_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'w': opts.wall = true; break;
		case 'm': opts.mq = true; break;
		case 'i': opts.ir = true; break;
		case 'q': opts.quick = true; break;
		case 'c': opts.check = true; break;
		case 'n': opts.thp = false; break;
		case 'o': opts.cg_out = optarg; break;
		case 'r': opts.runs = RTE_MIN(RTE_MAX(atoi(optarg), 1), RUNS_MAX); break;
		case 'R': opts.rounds = RTE_MIN(RTE_MAX(atoi(optarg), 2), ROUNDS_MAX); break;
		case 't': opts.ms = RTE_MAX(atoi(optarg), 1); break;
		case 's':
			opts.sw = true;
			if (optarg != NULL)
				opts.sw_rounds = RTE_MAX(atoi(optarg), 1);
			break;
		default: usage(argv[0]); return -1;
		}
	}
	if (!opts.wall && !opts.mq && !opts.ir && !opts.sw)
		opts.wall = true;
	return 0;
}

int
main(int argc, char **argv)
{
	char runtime_dir[PATH_MAX];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = rte_eal_init(argc, argv);

	if (ret < 0)
		return 1;
	strlcpy(runtime_dir, rte_eal_get_runtime_dir(), sizeof(runtime_dir));
	if (parse_args(argc - ret, argv + ret) != 0) {
		rte_eal_cleanup();
		ft_rm_runtime_dir(runtime_dir);
		return 1;
	}
	tsc_hz = rte_get_tsc_hz();
	pool = bench_pool_create(opts.thp);
	ret = pool == NULL ? -1 : 0;
	/* first, while ports are free (32 at most; the comparison takes ~30) */
	if (ret == 0 && opts.sw)
		ret = bench_switch(pool, opts.sw_rounds);
	if (ret == 0 && (opts.wall || opts.mq || opts.ir))
		ret = bench_ports_create(pool, ports);
	if (ret == 0 && opts.wall)
		wall_mode();
	if (ret == 0 && opts.mq)
		mq_mode();
	if (ret == 0 && opts.ir)
		ret = ir_mode();
	if (lost_mbufs != 0)
		printf("warning: %" PRIu64 " mbufs lost or allocations failed\n", lost_mbufs);
	bench_ports_destroy(ports);
	rte_eal_cleanup();
	ft_rm_runtime_dir(runtime_dir);
	if (ret != 0)
		return 1;
	return opts.check && missed ? 1 : 0;
}
