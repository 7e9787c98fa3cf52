/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Switch-over figures: a failover port over two net_null sub-ports named
 * in devargs, one lcore sending bursts, the main lcore unplugging and
 * replugging the primary. Per event, the time until the sending lcore's
 * first burst on the new path (it reads the active path just before each
 * burst and stamps the first one that went where the event sends it).
 *
 *   RTE_DEV_EVENT_REMOVE (what the PCI bus raises on a VFIO unplug request)
 *   rte_pmd_failover_primary_leave() (planned maintenance)
 *   RTE_DEV_EVENT_ADD (the device is back: net_failover probes it again)
 *
 * The main lcore sleeps while it waits: EAL runs its interrupt thread,
 * where events and alarms are handled, on the main lcore's core when every
 * core is an lcore. INTR_RMV and INTR_LSC need a PMD that raises them: the
 * test suite's VF simulator (tests/test_stress.c) measures those.
 */

#include <stdio.h>
#include <stdlib.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench.h"
#include "ft_rig.h"
#include "ft_stats.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define SW_FO "net_failover_sw"
#define SW_PRIMARY "net_null_swp0"
#define SW_ARGS "primary=(" SW_PRIMARY "),standby=(net_null_sws0),mac=02:fb:00:00:00:01," \
		"link_poll_ms=0"
#define SW_WAIT_MS 2000
#define SW_ROUNDS_MAX 1024

enum sw_event { SW_REMOVE, SW_LEAVE, SW_ADD, SW_NB };

static const char *const sw_event_name[SW_NB] = {
	"RTE_DEV_EVENT_REMOVE -> first burst on the standby",
	"primary_leave() -> first burst on the standby",
	"RTE_DEV_EVENT_ADD -> first burst on the primary",
};

static struct {
	uint16_t port;
	struct rte_mempool *mp;
	int stop;
	struct ft_stamp first;   /* the first burst on the role an event sends it to */
	uint64_t bursts, no_path;
} sw = { .first = FT_STAMP_INIT };

static int
sw_loop(void *arg)
{
	int role, n;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&sw.stop, __ATOMIC_ACQUIRE)) {
		role = rte_pmd_failover_active_path(sw.port);
		n = ft_tx_blank(sw.port, sw.mp, BENCH_BURST_MAX, 0);
		if (n < 0)
			continue;
		sw.bursts++;
		sw.no_path += role == RTE_PMD_FAILOVER_NONE;
		ft_stamp_hit(&sw.first, role, n);
	}
	return 0;
}

/* Arm, run the event, return the time to the stamped burst (0: none). */
static uint64_t
sw_measure(enum sw_event ev, int role)
{
	uint64_t t0 = ft_stamp_arm(&sw.first, role);

	if (ev == SW_REMOVE)
		rte_dev_event_callback_process(SW_PRIMARY, RTE_DEV_EVENT_REMOVE);
	else if (ev == SW_LEAVE)
		rte_pmd_failover_primary_leave(sw.port);
	else
		rte_dev_event_callback_process(SW_PRIMARY, RTE_DEV_EVENT_ADD);
	return ft_stamp_wait(&sw.first, t0, SW_WAIT_MS);
}

static int
sw_setup(struct rte_mempool *mp)
{
	sw.mp = mp;
	if (rte_vdev_init(SW_FO, SW_ARGS) != 0 ||
	    rte_eth_dev_get_port_by_name(SW_FO, &sw.port) != 0 ||
	    ft_port_start(sw.port, 1, 512, NULL, mp) != 0)
		return -1;
	return ft_wait_active(sw.port, RTE_PMD_FAILOVER_PRIMARY, SW_WAIT_MS);
}

static void
sw_report(double *ms[SW_NB], const unsigned int n[SW_NB], unsigned int rounds)
{
	struct ft_summary s;
	unsigned int e;

	printf("\n== Switch-over: %u unplug/replug rounds, 1 lcore sending bursts of %u "
	       "(%" PRIu64 " bursts)\n", rounds, BENCH_BURST_MAX, sw.bursts);
	printf("%-52s %5s %9s %9s %9s\n", "event", "n", "p50 ms", "p99 ms", "max ms");
	for (e = 0; e < SW_NB; e++) {
		if (n[e] == 0)
			continue;
		ft_summary(ms[e], n[e], &s);
		printf("%-52s %5u %9.3f %9.3f %9.3f\n", sw_event_name[e], n[e], s.median,
		       s.p99, s.max);
	}
	if (sw.no_path != 0)
		printf("warning: %" PRIu64 " bursts saw no path\n", sw.no_path);
}

static int
sw_rounds(double *ms[SW_NB], unsigned int n[SW_NB], unsigned int rounds)
{
	enum sw_event ev;
	unsigned int i;
	uint64_t dt;

	for (i = 0; i < rounds; i++) {
		ev = i % 2 ? SW_LEAVE : SW_REMOVE;
		dt = sw_measure(ev, RTE_PMD_FAILOVER_STANDBY);
		if (dt == 0 || ft_wait_primary(sw.port, false, SW_WAIT_MS) != 0) {
			printf("error: round %u: %s did not happen\n", i, sw_event_name[ev]);
			return -1;
		}
		ms[ev][n[ev]++] = ft_ms(dt);
		dt = sw_measure(SW_ADD, RTE_PMD_FAILOVER_PRIMARY);
		if (dt == 0) {
			printf("error: round %u: %s did not happen\n", i, sw_event_name[SW_ADD]);
			return -1;
		}
		ms[SW_ADD][n[SW_ADD]++] = ft_ms(dt);
	}
	return 0;
}

int
bench_switch(struct rte_mempool *mp, unsigned int rounds)
{
	double *ms[SW_NB];
	unsigned int n[SW_NB] = { 0 }, e, lcore;
	int ret = -1;

	rounds = RTE_MIN(rounds, (unsigned int)SW_ROUNDS_MAX);
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE) {
		printf("note: switch-over figures need 2 lcores (-l 0-1)\n");
		return 0;
	}
	for (e = 0; e < SW_NB; e++)
		ms[e] = calloc(rounds, sizeof(double));
	if (ms[0] != NULL && ms[1] != NULL && ms[2] != NULL && sw_setup(mp) == 0 &&
	    rte_eal_remote_launch(sw_loop, NULL, lcore) == 0) {
		ret = sw_rounds(ms, n, rounds);
		__atomic_store_n(&sw.stop, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(lcore);
		sw_report(ms, n, rounds);
	} else {
		printf("error: switch-over rig: cannot set up %s,%s\n", SW_FO, SW_ARGS);
	}
	/* closing the failover port removes the sub-devices it probed */
	ft_port_close(sw.port);
	rte_vdev_uninit(SW_FO);
	for (e = 0; e < SW_NB; e++)
		free(ms[e]);
	return ret;
}
