/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Stress: one lcore runs a receive/transmit loop on the failover port while
 * the main lcore unplugs and replugs the primary (a VF simulator) again
 * and again, rotating the triggers (INTR_LSC, INTR_RMV,
 * RTE_DEV_EVENT_REMOVE, rte_pmd_failover_primary_leave()) and the ways a
 * primary comes back (link up, probe by the application, re-probe by the
 * failover on RTE_DEV_EVENT_ADD).
 *
 * Fails on: a cycle whose switch does not happen, the loop ever seeing no
 * path (the standby is always there), the failover statistics disagreeing
 * with what the loop sent, a leaked mbuf. Prints, benchmark-style, the
 * time from each trigger to the first burst sent on the standby and from
 * each re-add to the first burst on the new primary (p50/p99).
 *
 * Cycles: 200, or FT_STRESS_CYCLES (e.g. 1000 for the long run).
 */

#include <pthread.h>
#include <stdlib.h>

#include <rte_bus_vdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "fosim.h"
#include "ft_grace.h"
#include "ft_rig.h"
#include "ft_stats.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

enum trigger { TR_LSC, TR_RMV, TR_DEV_REMOVE, TR_API, TR_DETACH, TR_NB };
enum readd { RA_LINK_UP, RA_PROBE, RA_DEV_ADD, RA_NB };

static const char *const trigger_name[TR_NB] = {
	"INTR_LSC (link down)", "INTR_RMV (surprise removal)",
	"RTE_DEV_EVENT_REMOVE (unplug request)", "rte_pmd_failover_primary_leave()",
	"rte_dev_remove() (device detach, no notice)",
};
static const char *const readd_name[RA_NB] = {
	"link up (INTR_LSC)", "probe by the application (NEW)",
	"RTE_DEV_EVENT_ADD (failover re-probes)",
};

static const struct ft_rig_conf rig_conf = FT_RIG_VF_CONF(16383, NULL);
static struct ft_rig rig;
static unsigned int nb_cycles = 200;

/* Shared with the loop: the control side arms, the loop stamps. */
static int stop;
static struct ft_stamp first = FT_STAMP_INIT;

/* Written by the loop only, read after it stopped. */
static struct {
	uint64_t offered, sent, returned, bursts, no_path, bad_role;
} loop;

static int
traffic_loop(void *arg)
{
	int role, n;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		role = rte_pmd_failover_active_path(rig.fo);
		if (role == RTE_PMD_FAILOVER_NONE)
			loop.no_path++;
		else if (role != RTE_PMD_FAILOVER_PRIMARY && role != RTE_PMD_FAILOVER_STANDBY)
			loop.bad_role++;
		n = ft_tx_blank(rig.fo, rig.pool, FT_BURST, 64);
		if (n >= 0) {
			loop.offered += FT_BURST;
			loop.sent += n;
			loop.returned += FT_BURST - n;
			loop.bursts++;
			ft_stamp_hit(&first, role, n);
		}
		ft_port_drain(rig.fo);
		ft_rig_vh_drain(&rig);
	}
	return 0;
}

static int
trigger(enum trigger tr, uint16_t vf)
{
	switch (tr) {
	case TR_LSC:
		return fosim_set_link(vf, 0);
	case TR_RMV:
		return fosim_remove(vf);
	case TR_DEV_REMOVE:
		rte_dev_event_callback_process(ft_rig_vf_name(&rig, 0), RTE_DEV_EVENT_REMOVE);
		return 0;
	case TR_DETACH:
		/* the PMD frees its queues before ethdev raises DESTROY */
		return rte_vdev_uninit(ft_rig_vf_name(&rig, 0));
	default:
		return rte_pmd_failover_primary_leave(rig.fo);
	}
}

static int
readd(enum readd ra, uint16_t vf)
{
	switch (ra) {
	case RA_LINK_UP:
		return fosim_set_link(vf, 1);
	case RA_PROBE:
		return ft_rig_vf_plug(&rig, ",tx_sink=1");
	default:
		rte_dev_event_callback_process(ft_rig_vf_name(&rig, 0), RTE_DEV_EVENT_ADD);
		return 0;
	}
}

static uint64_t *sw_ns[TR_NB], *ra_ns[RA_NB];
static unsigned int nb_sw[TR_NB], nb_ra[RA_NB];

/* One unplug/replug cycle; the primary is active when it starts and ends. */
static int
cycle(unsigned int i)
{
	enum trigger tr = i % TR_NB;
	enum readd ra = tr == TR_LSC ? RA_LINK_UP : (i / TR_NB) % 2 ? RA_DEV_ADD : RA_PROBE;
	uint64_t t0, dt;
	uint16_t vf, p;

	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "cycle %u: no primary", i);
	t0 = ft_stamp_arm(&first, RTE_PMD_FAILOVER_STANDBY);
	TEST_ASSERT_SUCCESS(trigger(tr, vf), "cycle %u: %s", i, trigger_name[tr]);
	dt = ft_stamp_wait(&first, t0, 2000);
	TEST_ASSERT(dt != 0, "cycle %u: no burst on the standby after %s", i, trigger_name[tr]);
	if (sw_ns[tr] != NULL && nb_sw[tr] < nb_cycles)
		sw_ns[tr][nb_sw[tr]++] = dt;
	if (tr != TR_LSC) {
		TEST_ASSERT_SUCCESS(ft_wait_primary(rig.fo, 0, 2000),
				    "cycle %u: primary not released after %s", i, trigger_name[tr]);
		TEST_ASSERT(rte_pmd_failover_active_path(rig.fo) == RTE_PMD_FAILOVER_STANDBY,
			    "cycle %u: active path is not the standby without a primary", i);
	}
	t0 = ft_stamp_arm(&first, RTE_PMD_FAILOVER_PRIMARY);
	TEST_ASSERT_SUCCESS(readd(ra, vf), "cycle %u: %s", i, readd_name[ra]);
	dt = ft_stamp_wait(&first, t0, 2000);
	TEST_ASSERT(dt != 0, "cycle %u: no burst on the primary after %s", i, readd_name[ra]);
	if (ra_ns[ra] != NULL && nb_ra[ra] < nb_cycles)
		ra_ns[ra][nb_ra[ra]++] = dt;
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &p),
			    "cycle %u: primary active but absent", i);
	return TEST_SUCCESS;
}

static int
test_unplug_replug_under_traffic(void)
{
	struct rte_eth_stats st0, st1;
	unsigned int i, k;
	int ret = TEST_SUCCESS;

	for (k = 0; k < TR_NB; k++)
		sw_ns[k] = calloc(nb_cycles, sizeof(uint64_t));
	for (k = 0; k < RA_NB; k++)
		ra_ns[k] = calloc(nb_cycles, sizeof(uint64_t));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &st0), "stats");
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(traffic_loop, NULL, rte_get_next_lcore(-1, 1, 0)),
			    "launch");
	for (i = 0; i < nb_cycles && ret == TEST_SUCCESS; i++)
		ret = cycle(i);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	printf("  %u cycles; loop: %" PRIu64 " bursts, %" PRIu64 " packets sent, %" PRIu64
	       " returned to it\n", i, loop.bursts, loop.sent, loop.returned);
	printf("  time from trigger to the first burst on the standby:\n");
	for (k = 0; k < TR_NB; k++)
		ft_pct_print(trigger_name[k], sw_ns[k], nb_sw[k]);
	printf("  time from re-add to the first burst on the new primary:\n");
	for (k = 0; k < RA_NB; k++)
		ft_pct_print(readd_name[k], ra_ns[k], nb_ra[k]);
	for (k = 0; k < TR_NB; k++) {
		free(sw_ns[k]);
		sw_ns[k] = NULL;
	}
	for (k = 0; k < RA_NB; k++) {
		free(ra_ns[k]);
		ra_ns[k] = NULL;
	}
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_EQUAL(fosim_dead_bursts(), 0,
			  "bursts reached the queues of a primary its PMD had freed");
	TEST_ASSERT_EQUAL(loop.bad_role, 0, "an unknown active path was reported");
	TEST_ASSERT_EQUAL(loop.no_path, 0, "no path reported while the standby was there");
	TEST_ASSERT_EQUAL(loop.offered, loop.sent + loop.returned, "offered != sent + returned");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &st1), "stats");
	TEST_ASSERT_EQUAL(st1.opackets - st0.opackets, loop.sent,
			  "failover opackets lost counts across removals");
	return TEST_SUCCESS;
}

/* The grace-period test: an rx loop on the worker, a leave on a thread. */
/* The failover port's own Rx burst, for the grace-period test. */
static uint16_t
fo_rx(struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rte_eth_rx_burst(rig.fo, 0, pkts, nb_pkts);
}

/*
 * The primary leaves while the worker is inside one of its rx bursts (held
 * there by fosim): the leave must wait for that burst before it stops the
 * port, and complete once the burst returns. The grace period finds the
 * burst's array in the queue's mark and marks it (compare-and-swap): were
 * that skipped, the leave would not wait. The frames the held burst then
 * returns are rewritten through the array it reads back, marked: they
 * must all reach the worker with the failover port in mbuf->port.
 */
static int
test_grace_waits_for_burst(void)
{
	return ft_grace_leave_under_burst(&rig, fo_rx);
}

/*
 * Soak: traffic on the worker lcore for FT_SOAK_S seconds (3) while the
 * control thread does, at random, unplug/replug cycles of every kind,
 * primary link flaps, MTU and promiscuous changes and VF resets; then the
 * same accounting as above (offered = sent + returned, the failover port's
 * counters, no path reported that does not exist, no burst on a freed
 * queue). The seed is printed (FT_SOAK_SEED replays a run).
 */
enum soak_act { SK_CYCLE, SK_FLAP, SK_MTU, SK_PROMISC, SK_RESET, SK_NB };
static const char *const soak_name[SK_NB] = {
	"unplug/replug", "primary link flap", "MTU change", "promiscuous toggle", "VF reset",
};

static int
soak_one(enum soak_act a, unsigned int r)
{
	unsigned int resets, ms;
	uint16_t vf;
	int ret;

	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "no primary");
	switch (a) {
	case SK_CYCLE:
		return cycle(r);
	case SK_FLAP:
		TEST_ASSERT_SUCCESS(fosim_set_link(vf, 0), "link down");
		TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_STANDBY, 2000),
				    "no failover on a link flap");
		TEST_ASSERT_SUCCESS(fosim_set_link(vf, 1), "link up");
		break;
	case SK_MTU:
		TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(rig.fo, r % 2 ? 2000 : 1500), "MTU");
		break;
	case SK_PROMISC:
		/* the virtio-user standby cannot turn it off (no control queue) */
		ret = r % 2 ? rte_eth_promiscuous_enable(rig.fo) :
		      rte_eth_promiscuous_disable(rig.fo);
		TEST_ASSERT(ret == 0 || ret == -ENOTSUP, "promiscuous: %d", ret);
		break;
	default:
		resets = fosim_op_count(vf, "reset");
		TEST_ASSERT_SUCCESS(fosim_reset_request(vf), "reset request");
		for (ms = 0; ms < 2000 && fosim_op_count(vf, "reset") == resets; ms++)
			ft_sleep_us(1000);
		TEST_ASSERT(fosim_op_count(vf, "reset") > resets, "the VF was not reset");
		break;
	}
	return ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000);
}

static int
test_soak(void)
{
	const char *env_s = getenv("FT_SOAK_S"), *env_seed = getenv("FT_SOAK_SEED");
	unsigned int secs = env_s != NULL && atoi(env_s) > 0 ? (unsigned int)atoi(env_s) : 3;
	unsigned int seed = env_seed != NULL ? (unsigned int)atoi(env_seed) :
			    (unsigned int)rte_rdtsc();
	unsigned int n[SK_NB] = { 0 }, i = 0, k, r, seed0 = seed;
	uint64_t end = rte_get_timer_cycles() + secs * rte_get_timer_hz();
	struct rte_eth_stats st0, st1;
	uint64_t dead = fosim_dead_bursts();
	int ret = TEST_SUCCESS;
	enum soak_act a;

	uint16_t vf;

	memset(&loop, 0, sizeof(loop));
	__atomic_store_n(&stop, 0, __ATOMIC_RELEASE);
	if (rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf) != 0)
		TEST_ASSERT_SUCCESS(ft_rig_vf_plug(&rig, ",tx_sink=1"), "plug a VF");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &st0), "stats");
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(traffic_loop, NULL, rte_get_next_lcore(-1, 1, 0)),
			    "launch");
	while (ret == TEST_SUCCESS && rte_get_timer_cycles() < end) {
		r = rand_r(&seed);
		a = r % SK_NB;
		ret = soak_one(a, r / SK_NB);
		n[a]++;
		i++;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	printf("  soak: %u actions in %u s (FT_SOAK_SEED=%u):", i, secs, seed0);
	for (k = 0; k < SK_NB; k++)
		printf("%s %u %s", k ? "," : "", n[k], soak_name[k]);
	printf("; %" PRIu64 " packets sent, %" PRIu64 " returned\n", loop.sent, loop.returned);
	TEST_ASSERT_SUCCESS(ret, "soak action %u (%s) failed", i - 1, soak_name[a]);
	TEST_ASSERT_EQUAL(fosim_dead_bursts(), dead, "bursts reached a freed queue");
	TEST_ASSERT_EQUAL(loop.bad_role, 0, "an unknown active path was reported");
	TEST_ASSERT_EQUAL(loop.no_path, 0, "no path reported while the standby was there");
	TEST_ASSERT_EQUAL(loop.offered, loop.sent + loop.returned, "offered != sent + returned");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &st1), "stats");
	TEST_ASSERT_EQUAL(st1.opackets - st0.opackets, loop.sent,
			  "failover opackets lost counts during the soak");
	return TEST_SUCCESS;
}

static int
test_close_returns_pool(void)
{
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(rig.fo), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(rig.fo), "close");
	TEST_ASSERT_SUCCESS(ft_pool_check(rig.pool, rig.pool->size), "pool not full after close");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	const char *env = getenv("FT_STRESS_CYCLES");

	if (env != NULL && atoi(env) > 0)
		nb_cycles = (unsigned int)atoi(env);
	if (rte_lcore_count() < 2) {
		printf("needs 2 lcores\n");
		return -1;
	}
	if (ft_rig_setup(&rig, &rig_conf) != 0 || ft_rig_vf_plug(&rig, ",tx_sink=1") != 0 ||
	    ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000) != 0)
		return -1;
	return 0;
}

static void
suite_teardown(void)
{
	ft_rig_teardown(&rig);
	fosim_graveyard_flush();
}

static struct unit_test_suite stress_suite = {
	.suite_name = "stress: unplug/replug under traffic on two lcores",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_unplug_replug_under_traffic),
		TEST_CASE(test_grace_waits_for_burst),
		TEST_CASE(test_soak),
		TEST_CASE(test_close_returns_pool),
		TEST_CASES_END()
	}
};

FT_MAIN(stress_suite)
