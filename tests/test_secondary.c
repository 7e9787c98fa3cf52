/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Secondary-process pieces, unit level, in one process over the VF
 * simulator rig (a fosim primary, a virtio-user standby): the burst
 * functions a secondary uses (fo_sec_rx_burst(), fo_sec_tx_burst(), which
 * name the sub-ports by port id from the published word and work the same
 * in any process) follow the active path; the grace period waits for one
 * held inside a sub-port (its entry store and fence, not the primary's
 * membarrier, are what it relies on in a secondary); every op a secondary
 * refuses returns -ENOTSUP with one log line naming it; a grace period
 * frees a queue whose secondary died inside a burst, and only then. The stock-tool
 * side, across processes, is the secondary suite (secondary_check.py).
 */

#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "failover_private.h"
#include "fosim.h"
#include "ft_grace.h"
#include "ft_log.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

static const struct ft_rig_conf rig_conf = FT_RIG_VF_CONF(8191, NULL);
static struct ft_rig rig;

static void *
rxq0(void)
{
	return rte_eth_devices[rig.fo].data->rx_queues[0];
}

static void *
txq0(void)
{
	return rte_eth_devices[rig.fo].data->tx_queues[0];
}

static uint64_t
opackets(uint16_t port)
{
	struct rte_eth_stats st;

	return rte_eth_stats_get(port, &st) == 0 ? st.opackets : UINT64_MAX;
}

/* n blank frames through fo_sec_tx_burst(); returns how many it took. */
static int
sec_tx(uint16_t n)
{
	struct rte_mbuf *pkts[FT_BURST];
	uint16_t i, sent;

	if (n > FT_BURST || rte_pktmbuf_alloc_bulk(rig.pool, pkts, n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		rte_pktmbuf_append(pkts[i], 60);
	sent = fo_sec_tx_burst(txq0(), pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

/* TX on the primary, on the standby once the primary's link is down, back. */
static int
test_sec_tx_follows_path(void)
{
	uint16_t vf;
	uint64_t p0, s0;

	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000), "no primary");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "primary port");
	p0 = opackets(vf);
	s0 = opackets(rig.vu);
	TEST_ASSERT_EQUAL(sec_tx(20), 20, "the primary did not take 20 frames");
	TEST_ASSERT_EQUAL(opackets(vf) - p0, 20, "primary opackets +%" PRIu64 ", 20 sent",
			  opackets(vf) - p0);
	TEST_ASSERT_EQUAL(opackets(rig.vu), s0, "frames went to the standby");
	TEST_ASSERT_SUCCESS(fosim_set_link(vf, 0), "link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_STANDBY, 2000),
			    "no switch to the standby");
	TEST_ASSERT_EQUAL(sec_tx(12), 12, "the standby did not take 12 frames");
	TEST_ASSERT_EQUAL(opackets(rig.vu) - s0, 12, "standby opackets +%" PRIu64 ", 12 sent",
			  opackets(rig.vu) - s0);
	TEST_ASSERT_EQUAL(opackets(vf) - p0, 20, "frames went to the primary with its link down");
	ft_rig_vh_drain(&rig);
	TEST_ASSERT_SUCCESS(fosim_set_link(vf, 1), "link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000), "no failback");
	TEST_ASSERT_EQUAL(sec_tx(5), 5, "the primary did not take 5 frames after the failback");
	TEST_ASSERT_EQUAL(opackets(vf) - p0, 25, "primary opackets after the failback");
	return TEST_SUCCESS;
}

/* RX: what the primary holds, with the failover port in mbuf->port. */
static int
test_sec_rx(void)
{
	struct rte_mbuf *in[8], *out[FT_BURST];
	uint16_t vf, n, i, bad = 0;

	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "primary port");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(rig.pool, in, RTE_DIM(in)), "mbufs");
	TEST_ASSERT_EQUAL(fosim_rx_inject(vf, 0, in, RTE_DIM(in)), (int)RTE_DIM(in), "inject");
	n = fo_sec_rx_burst(rxq0(), out, FT_BURST);
	for (i = 0; i < n; i++)
		bad += out[i]->port != rig.fo;
	rte_pktmbuf_free_bulk(out, n);
	TEST_ASSERT_EQUAL(n, RTE_DIM(in), "received %u of %u", n, (unsigned int)RTE_DIM(in));
	TEST_ASSERT_EQUAL(bad, 0, "mbuf->port wrong in %u frames", bad);
	TEST_ASSERT_EQUAL(__atomic_load_n(&((struct fo_rxq *)rxq0())->in, __ATOMIC_ACQUIRE),
			  FO_OUTSIDE, "the queue is not marked outside after the burst");
	return TEST_SUCCESS;
}

/* Every op a secondary refuses: -ENOTSUP, one log line naming it. */
static int
test_sec_refusals(void)
{
	struct rte_eth_dev *dev = &rte_eth_devices[rig.fo];
	const struct eth_dev_ops *o = &fo_sec_ops;
	struct rte_eth_rss_conf rss = { 0 };
	struct rte_eth_fc_conf fc = { 0 };
	const struct rte_flow_ops *fops;
	struct rte_ether_addr mac = { { 2, 0, 0, 0, 0, 1 } };
	char needle[256];
	unsigned int i;

	ft_log_reset();
	struct {
		const char *op;
		int ret;
	} r[] = {
		{ "dev_configure", o->dev_configure(dev) },
		{ "dev_start", o->dev_start(dev) },
		{ "dev_stop", o->dev_stop(dev) },
		{ "dev_set_link_down", o->dev_set_link_down(dev) },
		{ "promiscuous_disable", o->promiscuous_disable(dev) },
		{ "allmulticast_enable", o->allmulticast_enable(dev) },
		{ "mac_addr_set", o->mac_addr_set(dev, &mac) },
		{ "mac_addr_add", o->mac_addr_add(dev, &mac, 1, 0) },
		{ "set_mc_addr_list", o->set_mc_addr_list(dev, &mac, 1) },
		{ "mtu_set", o->mtu_set(dev, 1400) },
		{ "vlan_filter_set", o->vlan_filter_set(dev, 10, 1) },
		{ "rss_hash_update", o->rss_hash_update(dev, &rss) },
		{ "rx_queue_setup", o->rx_queue_setup(dev, 0, 256, 0, NULL, rig.pool) },
		{ "stats_reset", o->stats_reset(dev) },
		{ "flow_ctrl_set", o->flow_ctrl_set(dev, &fc) },
		{ "rx_queue_intr_enable", o->rx_queue_intr_enable(dev, 0) },
		{ "flow_ops_get", o->flow_ops_get(dev, &fops) },
	};

	/* each call above ran at its entry: one log line each, checked now */
	for (i = 0; i < RTE_DIM(r); i++) {
		TEST_ASSERT_EQUAL(r[i].ret, -ENOTSUP, "%s returned %d", r[i].op, r[i].ret);
		snprintf(needle, sizeof(needle),
			 "%s: %s: not possible in a secondary process, must be done in the primary",
			 dev->data->name, r[i].op);
		TEST_ASSERT_EQUAL(ft_log_count(needle), 1, "no one log line '%s'", needle);
	}
	ft_log_reset();
	o->mac_addr_remove(dev, 1);
	TEST_ASSERT(ft_log_has("mac_addr_remove: not possible in a secondary process"),
		    "mac_addr_remove not refused by name");
	TEST_ASSERT_NULL(o->dev_supported_ptypes_get(dev), "packet types in a secondary");
	/* nothing reached the port: its MTU and the sub-ports are as they were */
	TEST_ASSERT_NOT_EQUAL(dev->data->mtu, 1400, "the refused mtu_set changed the MTU");
	TEST_ASSERT(dev->data->dev_started, "the refused dev_stop stopped the port");
	return TEST_SUCCESS;
}

/* A secondary's Rx burst, for the grace-period test. */
static uint16_t
sec_rx(struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return fo_sec_rx_burst(rxq0(), pkts, nb_pkts);
}

/*
 * The primary leaves while the worker is inside a secondary-style rx burst
 * held by fosim: the leave must not stop the primary before that burst
 * returns, and the frames it then returns reach the worker.
 */
static int
test_sec_grace_waits(void)
{
	return ft_grace_leave_under_burst(&rig, sec_rx);
}

static int quiesce_done;

static void *
quiesce_thread(void *arg)
{
	fo_quiesce(arg);
	__atomic_store_n(&quiesce_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Rx queue 0 as a secondary process pid left it inside a burst; then a
 * grace period on another thread: 1 if it ended within ms, else 0 (and the
 * queue is let out, so that it ends).
 */
static int
grace_with_sec_inside(int32_t pid, unsigned int ms)
{
	struct fo_rxq *q = rxq0();
	static struct rte_mbuf *arr[FT_BURST];
	unsigned int t;
	pthread_t th;
	int done;

	__atomic_store_n(&quiesce_done, 0, __ATOMIC_RELEASE);
	q->sec_pid = pid;
	__atomic_store_n(&q->in, (struct rte_mbuf **)((uintptr_t)arr | FO_SEC_BIT),
			 __ATOMIC_RELEASE);
	if (pthread_create(&th, NULL, quiesce_thread,
			   rte_eth_devices[rig.fo].data->dev_private) != 0)
		return -1;
	for (t = 0; t < ms && !__atomic_load_n(&quiesce_done, __ATOMIC_ACQUIRE); t++)
		ft_sleep_us(1000);
	done = __atomic_load_n(&quiesce_done, __ATOMIC_ACQUIRE);
	__atomic_store_n(&q->in, FO_OUTSIDE, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	return done;
}

/* A secondary killed inside a burst: the next grace period frees its queue. */
static int
test_sec_dead_inside(void)
{
	int status = 0;
	pid_t pid;

	TEST_ASSERT_EQUAL(grace_with_sec_inside(getpid(), 400), 0,
			  "a grace period ended while a live secondary was inside a burst");
	pid = fork();
	if (pid == 0)
		_exit(0);
	TEST_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid, "no dead process to play");
	ft_log_reset();
	TEST_ASSERT_EQUAL(grace_with_sec_inside(pid, 2000), 1,
			  "the grace period still waits for secondary %d, dead", (int)pid);
	TEST_ASSERT(ft_log_has("died inside a burst"), "no log line says the secondary died");
	TEST_ASSERT_EQUAL(sec_tx(4), 4, "the queue does not forward after");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (rte_lcore_count() < 2) {
		printf("needs 2 lcores\n");
		return -1;
	}
	if (ft_log_open() != 0 || ft_rig_setup(&rig, &rig_conf) != 0 ||
	    ft_rig_vf_plug(&rig, ",tx_sink=1") != 0 ||
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

static struct unit_test_suite secondary_unit_suite = {
	.suite_name = "secondary_unit: a secondary's bursts, grace period and refusals",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_sec_tx_follows_path),
		TEST_CASE(test_sec_rx),
		TEST_CASE(test_sec_refusals),
		TEST_CASE(test_sec_grace_waits),
		TEST_CASE(test_sec_dead_inside),
		TEST_CASES_END()
	}
};

FT_MAIN(secondary_unit_suite)
