/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The rest of the ethdev surface over fosim: queue start/stop and deferred
 * start (the failover queue's state, its sub-ports' queues following it,
 * replayed onto a sub-port that joins), the failover port's reset, the
 * fast-path queries (rx_queue_count, descriptor status) of the active
 * path, module EEPROM and registers of the active path, xstats by id.
 * The fault table of test_control.c covers the refusals and rollbacks.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_launch.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <ethdev_driver.h>

#include "fosim.h"
#include "ft_log.h"
#include "ft_rig.h"
#include "ft_stats.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define FO_NAME "net_failover_op0"
#define NB_Q 2
#define NB_DESC 128
#define BURST 16

static struct rte_mempool *pool;
static uint16_t fo_port, prim, stby;
static unsigned int case_start;

/* Configure, set up NB_Q queues (those in deferred[] deferred) and start. */
static int
port_setup(uint16_t port, const bool deferred[NB_Q])
{
	struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_FILTER,
		.intr_conf.lsc = 1,
	};
	struct rte_eth_rxconf rxc = { 0 };
	struct rte_eth_txconf txc = { 0 };
	uint16_t q;
	int ret;

	ret = rte_eth_dev_configure(port, NB_Q, NB_Q, &conf);
	for (q = 0; q < NB_Q && ret == 0; q++) {
		rxc.rx_deferred_start = deferred != NULL && deferred[q];
		txc.tx_deferred_start = deferred != NULL && deferred[q];
		ret = rte_eth_rx_queue_setup(port, q, NB_DESC, 0, &rxc, pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, NB_DESC, 0, &txc);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

static int
case_setup(void)
{
	case_start = rte_mempool_avail_count(pool);
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	fosim_set_fail(prim, "");
	fosim_set_fail(stby, "");
}

static uint8_t
rxq_state(uint16_t port, uint16_t q)
{
	struct rte_eth_rxq_info info;

	if (rte_eth_rx_queue_info_get(port, q, &info) != 0)
		return UINT8_MAX;
	return info.queue_state;
}

static uint8_t
txq_state(uint16_t port, uint16_t q)
{
	struct rte_eth_txq_info info;

	if (rte_eth_tx_queue_info_get(port, q, &info) != 0)
		return UINT8_MAX;
	return info.queue_state;
}

/* n mbufs offered to the sub-port's rx queue q; what the failover port's q gives. */
static int
rx_through(uint16_t sub, uint16_t q, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];
	int got;

	if (n > BURST || rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -1;
	got = RTE_MAX(fosim_rx_inject(sub, q, pkts, n), 0);  /* a stopped queue takes none */
	rte_pktmbuf_free_bulk(pkts + got, n - got);
	got = rte_eth_rx_burst(fo_port, q, pkts, BURST);
	rte_pktmbuf_free_bulk(pkts, got);
	return got;
}

/* A burst sent on the failover port's tx queue q: how many reached sub. */
static int
tx_through(uint16_t sub, uint16_t q, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t sent;
	int got;

	if (n > BURST || rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -1;
	sent = rte_eth_tx_burst(fo_port, q, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	got = fosim_tx_collect(sub, q, pkts, BURST);
	if (got > 0)
		rte_pktmbuf_free_bulk(pkts, got);
	return got == (int)sent ? got : -1;
}

/* The failover queue 1 and both sub-ports' queue 1 in state st. */
static int
queue1_all(bool rx, uint8_t st, const char *what)
{
	uint16_t ports[3] = { fo_port, prim, stby };
	unsigned int i;

	for (i = 0; i < RTE_DIM(ports); i++)
		TEST_ASSERT_EQUAL(rx ? rxq_state(ports[i], 1) : txq_state(ports[i], 1), st,
				  "%s: %s queue 1 of port %u in state %u", what, rx ? "rx" : "tx",
				  ports[i], rx ? rxq_state(ports[i], 1) : txq_state(ports[i], 1));
	return TEST_SUCCESS;
}

/*
 * rte_eth_dev_rx/tx_queue_stop(): the failover queue reports it stopped
 * (rte_eth_rx/tx_queue_info_get), both sub-ports' queues are stopped, its
 * bursts move nothing, the other queue carries on; start brings it back.
 */
static int
test_queue_stop_start(void)
{
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(fo_port, 1), "rxq stop");
	TEST_ASSERT_SUCCESS(queue1_all(true, RTE_ETH_QUEUE_STATE_STOPPED, "rxq stop"), "state");
	TEST_ASSERT_EQUAL(rx_through(prim, 1, 8), 0, "a stopped rx queue delivered");
	TEST_ASSERT_EQUAL(rx_through(prim, 0, 8), 8, "rx queue 0 stopped too");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(fo_port, 1), "rxq start");
	TEST_ASSERT_SUCCESS(queue1_all(true, RTE_ETH_QUEUE_STATE_STARTED, "rxq start"), "state");
	TEST_ASSERT_EQUAL(rx_through(prim, 1, 8), 8, "rx queue 1 after its start");

	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_stop(fo_port, 1), "txq stop");
	TEST_ASSERT_SUCCESS(queue1_all(false, RTE_ETH_QUEUE_STATE_STOPPED, "txq stop"), "state");
	TEST_ASSERT_EQUAL(tx_through(prim, 1, 8), 0, "a stopped tx queue sent");
	TEST_ASSERT_EQUAL(tx_through(prim, 0, 8), 8, "tx queue 0 stopped too");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(fo_port, 1), "txq start");
	TEST_ASSERT_SUCCESS(queue1_all(false, RTE_ETH_QUEUE_STATE_STARTED, "txq start"), "state");
	TEST_ASSERT_EQUAL(tx_through(prim, 1, 8), 8, "tx queue 1 after its start");
	/* ethdev answers a second stop itself: still 0 */
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(fo_port, 1), "txq started twice");
	return ft_pool_check(pool, case_start);
}

/*
 * Deferred start: queue 1 starts stopped, on the failover port and on both
 * sub-ports, at every start of the port, until started.
 */
static int
test_deferred_start(void)
{
	static const bool deferred[NB_Q] = { false, true };

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
	TEST_ASSERT_SUCCESS(port_setup(fo_port, deferred), "set up with deferred start");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "active");
	TEST_ASSERT_SUCCESS(queue1_all(true, RTE_ETH_QUEUE_STATE_STOPPED, "deferred"), "rx");
	TEST_ASSERT_SUCCESS(queue1_all(false, RTE_ETH_QUEUE_STATE_STOPPED, "deferred"), "tx");
	TEST_ASSERT_EQUAL(rxq_state(fo_port, 0), RTE_ETH_QUEUE_STATE_STARTED, "rxq 0");
	TEST_ASSERT_EQUAL(rx_through(prim, 1, 4), 0, "a deferred rx queue delivered");
	TEST_ASSERT_EQUAL(tx_through(prim, 1, 4), 0, "a deferred tx queue sent");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(fo_port, 1), "rxq start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(fo_port, 1), "txq start");
	TEST_ASSERT_SUCCESS(queue1_all(true, RTE_ETH_QUEUE_STATE_STARTED, "started"), "rx");
	TEST_ASSERT_EQUAL(rx_through(prim, 1, 4), 4, "rx queue 1 after its start");
	TEST_ASSERT_EQUAL(tx_through(prim, 1, 4), 4, "tx queue 1 after its start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(fo_port), "start again");
	TEST_ASSERT_SUCCESS(queue1_all(true, RTE_ETH_QUEUE_STATE_STOPPED, "restarted"), "rx");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
	TEST_ASSERT_SUCCESS(port_setup(fo_port, NULL), "set up again");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "active");
	return ft_pool_check(pool, case_start);
}

/*
 * A sub-port whose PMD ignores deferred start (no_deferred=1, as most
 * virtual PMDs) has the deferred queue stopped after its start all the
 * same: the failover queue's state is applied to it.
 */
static int
test_deferred_ignored(void)
{
	static const bool deferred[NB_Q] = { false, true };
	uint16_t port, p, s;
	int ok;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_op3",
			"primary=(net_fosim_op8,no_deferred=1),standby=(net_fosim_op9),"
			"mac=02:fa:00:00:00:d3,link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_op3", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &p), "p");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &s), "s");
	TEST_ASSERT_SUCCESS(port_setup(port, deferred), "set up with deferred start");
	ok = rxq_state(p, 1) == RTE_ETH_QUEUE_STATE_STOPPED &&
	     txq_state(p, 1) == RTE_ETH_QUEUE_STATE_STOPPED &&
	     rxq_state(s, 1) == RTE_ETH_QUEUE_STATE_STOPPED &&
	     rxq_state(p, 0) == RTE_ETH_QUEUE_STATE_STARTED &&
	     rxq_state(port, 1) == RTE_ETH_QUEUE_STATE_STOPPED;
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	rte_vdev_uninit("net_failover_op3");
	TEST_ASSERT(ok, "queue 1 not stopped on a sub-port that ignores deferred start");
	return ft_pool_check(pool, case_start);
}

/*
 * A primary that joins while queue 1 is stopped gets that state: its
 * queue 1 stopped, queue 0 started. A standby whose PMD has no queue
 * start/stop (no_queue_ops=1, as virtio-user) keeps its queue running,
 * and the failover queue is stopped all the same.
 */
static int
test_queue_state_on_join(void)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n, tries;
	uint16_t port, late, bare;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_op1",
			"primary=net_fosim_opl,standby=(net_fosim_op5,no_queue_ops=1,"
			"mac=02:fa:00:00:00:d1),link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_op1", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &bare),
			    "standby");
	TEST_ASSERT_SUCCESS(port_setup(port, NULL), "setup");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(port, 1), "rxq stop over no_queue_ops");
	TEST_ASSERT_EQUAL(rxq_state(port, 1), RTE_ETH_QUEUE_STATE_STOPPED, "failover rxq 1");
	TEST_ASSERT_EQUAL(rxq_state(bare, 1), RTE_ETH_QUEUE_STATE_STARTED,
			  "the standby has no queue stop: its queue runs");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, 4), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(bare, 1, pkts, 4), 4, "inject");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 1, pkts, BURST), 0,
			  "the stopped failover queue delivered from a running sub-port queue");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_opl", "mac=02:00:00:00:77:71"), "late");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 1000, &late),
			    "not adopted");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 2000), "no failback");
	TEST_ASSERT_EQUAL(rxq_state(late, 1), RTE_ETH_QUEUE_STATE_STOPPED,
			  "queue state not replayed onto the newcomer");
	TEST_ASSERT_EQUAL(rxq_state(late, 0), RTE_ETH_QUEUE_STATE_STARTED, "queue 0 stopped");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(port, 1), "rxq start");
	TEST_ASSERT_EQUAL(rxq_state(late, 1), RTE_ETH_QUEUE_STATE_STARTED, "newcomer's queue 1");
	/* the standby's queue kept what it got: polled now that the queue runs */
	for (n = 0, tries = 0; n < 4 && tries < 1000; tries++) {
		n += rte_eth_rx_burst(port, 1, pkts + n, BURST - n);
		ft_sleep_us(100);
	}
	rte_pktmbuf_free_bulk(pkts, n);
	TEST_ASSERT_EQUAL(n, 4, "the standby's packets after the queue's start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	rte_vdev_uninit("net_failover_op1");
	rte_vdev_uninit("net_fosim_opl");
	return ft_pool_check(pool, case_start);
}

/* Mbufs queued on a sub-port's rx queue 0, without a burst. */
static int
rx_queue_up(uint16_t sub, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];

	if (n > BURST || rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -1;
	if (fosim_rx_inject(sub, 0, pkts, n) != (int)n) {
		rte_pktmbuf_free_bulk(pkts, n);
		return -1;
	}
	return 0;
}

/* Every mbuf the failover port's rx queue 0 still holds, on both paths. */
static void
rx_drain(void)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i;
	uint16_t n;

	for (i = 0; i < 100; i++) {
		n = rte_eth_rx_burst(fo_port, 0, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
		ft_sleep_us(100);
	}
}

/*
 * rx_queue_count and the descriptor status of the failover queue are those
 * of the active path's queue: the primary's, then the standby's after a
 * switch; none for a stopped queue.
 */
static int
test_fastpath_queries(void)
{
	struct rte_mbuf *pkts[BURST];
	int sent;

	TEST_ASSERT_SUCCESS(rx_queue_up(prim, 5), "primary rx");
	TEST_ASSERT_SUCCESS(rx_queue_up(stby, 3), "standby rx");
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_count(fo_port, 0), 5, "count: the primary's");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(fo_port, 0, 4), RTE_ETH_RX_DESC_DONE,
			  "rx descriptor 4");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(fo_port, 0, 5), RTE_ETH_RX_DESC_AVAIL,
			  "rx descriptor 5");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, 4), "alloc");
	sent = rte_eth_tx_burst(fo_port, 0, pkts, 4);
	TEST_ASSERT_EQUAL(sent, 4, "tx");
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(fo_port, 0, 3), RTE_ETH_TX_DESC_FULL,
			  "tx descriptor 3 in use");
	TEST_ASSERT_EQUAL(fosim_tx_collect(prim, 0, pkts, BURST), 4, "collect");
	rte_pktmbuf_free_bulk(pkts, 4);
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(fo_port, 0, 3), RTE_ETH_TX_DESC_DONE,
			  "tx descriptor 3 done");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "primary link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby");
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_count(fo_port, 0), 3, "count: the standby's");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(fo_port, 0, 3), RTE_ETH_RX_DESC_AVAIL,
			  "the standby's rx descriptor 3");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "primary link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(fo_port, 0), "rxq stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_stop(fo_port, 0), "txq stop");
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_count(fo_port, 0), 0, "count of a stopped queue");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(fo_port, 0, 0), -ENODEV,
			  "rx descriptor of a stopped queue");
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(fo_port, 0, 0), -ENODEV,
			  "tx descriptor of a stopped queue");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(fo_port, 0), "rxq start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(fo_port, 0), "txq start");
	rx_drain();
	return ft_pool_check(pool, case_start);
}

/*
 * On a real sub-PMD that counts (net_vhost: none of net_tap, virtio-user,
 * net_null, net_ring does): a failover port whose primary is a vhost-user
 * backend, fed by a virtio-user port of the test's own; the failover
 * queue's count is the vhost queue's, then 0 once received.
 */
static int
test_rx_queue_count_vhost(void)
{
	char sock[64], args[256], macs[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_eth_conf conf = { 0 };
	struct rte_mbuf *pkts[BURST];
	struct rte_ether_addr mac;
	uint16_t port, vh, vu = RTE_MAX_ETHPORTS;
	int sent = -1, fo_count = -1, vh_count = -1, after = -1, got = 0, i;
	uint64_t end;
	uint16_t n;

	snprintf(sock, sizeof(sock), "/tmp/fo_ops_vh_%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "iface=%s,queues=1", sock);
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_vhost_op0", args), "vhost");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_vhost_op0", &vh), "vhost port");
	/* net_vhost has no mac_addr_set: the failover port takes its MAC */
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(vh, &mac), "vhost MAC");
	rte_ether_format_addr(macs, sizeof(macs), &mac);
	snprintf(args, sizeof(args), "primary=net_vhost_op0,standby=(net_fosim_op10),mac=%s,"
		 "link_poll_ms=1", macs);
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_op4", args), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_op4", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &vh), "p");
	if (ft_port_start(port, 1, NB_DESC, &conf, pool) == 0) {
		/* net_vhost opens its socket at configure: its guest comes now */
		snprintf(args, sizeof(args), "net_virtio_user_op0,path=%s,queues=1,"
			 "queue_size=%u,mac=02:00:00:00:00:d5", sock, NB_DESC);
		if (rte_dev_probe(args) == 0 &&
		    rte_eth_dev_get_port_by_name("net_virtio_user_op0", &vu) == 0 &&
		    ft_port_start(vu, 1, NB_DESC, NULL, pool) == 0 &&
		    ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 5000) == 0) {
			sent = ft_tx_blank(vu, pool, 8, 64);
			end = ft_deadline(1000);
			while (rte_eth_rx_queue_count(vh, 0) < sent && !ft_expired(end))
				ft_sleep_us(100);
			fo_count = rte_eth_rx_queue_count(port, 0);
			vh_count = rte_eth_rx_queue_count(vh, 0);
			for (i = 0; i < 100 && got < sent; i++) {
				n = rte_eth_rx_burst(port, 0, pkts, BURST);
				rte_pktmbuf_free_bulk(pkts, n);
				got += n;
			}
			after = rte_eth_rx_queue_count(port, 0);
		}
	}
	ft_port_close(port);
	rte_vdev_uninit("net_failover_op4");
	ft_port_close(vu);
	rte_vdev_uninit("net_virtio_user_op0");
	rte_vdev_uninit("net_vhost_op0");  /* the application's: given back, closed */
	unlink(sock);
	TEST_ASSERT_EQUAL(sent, 8, "virtio-user did not send (or no primary path)");
	TEST_ASSERT_EQUAL(vh_count, 8, "the vhost queue's count");
	TEST_ASSERT_EQUAL(fo_count, vh_count, "the failover queue's count is not the vhost's");
	TEST_ASSERT_EQUAL(after, 0, "count after the burst");
	return TEST_SUCCESS;
}

/* The grace-period test of a query: the worker inside rx_queue_count. */
static int count_ret = -1;
static int stop_done;

static int
count_loop(void *arg)
{
	RTE_SET_USED(arg);
	__atomic_store_n(&count_ret, rte_eth_rx_queue_count(fo_port, 0), __ATOMIC_RELEASE);
	return 0;
}

static void *
stop_thread(void *arg)
{
	RTE_SET_USED(arg);
	rte_eth_dev_stop(fo_port);
	__atomic_store_n(&stop_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * rte_eth_rx_queue_count() is removal-safe as a burst is: while the worker
 * is inside the primary's count (held there by fosim), stopping the
 * failover port must wait before it stops the primary, and complete once
 * the count returns. Were the query outside the queue's marks, the stop
 * would not wait.
 */
static int
test_query_grace_period(void)
{
	unsigned int stops = fosim_op_count(prim, "stop"), ms;
	int done = -1, stops_held = -1;
	pthread_t th;

	TEST_ASSERT_SUCCESS(rx_queue_up(prim, 2), "primary rx");
	__atomic_store_n(&stop_done, 0, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(fosim_rx_hold(prim, 1), "hold");
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(count_loop, NULL,
						  rte_get_next_lcore(-1, 1, 0)), "launch");
	for (ms = 0; fosim_rx_held(prim) == 0 && ms < 2000; ms++)
		ft_sleep_us(1000);
	if (fosim_rx_held(prim) == 1 && pthread_create(&th, NULL, stop_thread, NULL) == 0) {
		ft_sleep_us(100 * 1000);
		done = __atomic_load_n(&stop_done, __ATOMIC_ACQUIRE);
		stops_held = (int)(fosim_op_count(prim, "stop") - stops);
		fosim_rx_hold(prim, 0);
		pthread_join(th, NULL);
	}
	fosim_rx_hold(prim, 0);
	rte_eal_mp_wait_lcore();
	TEST_ASSERT(done != -1, "the worker's query did not reach the primary");
	TEST_ASSERT_EQUAL(done, 0, "the stop completed while a query was inside the primary");
	TEST_ASSERT_EQUAL(stops_held, 0, "the primary was stopped while a query was inside it");
	TEST_ASSERT_EQUAL(count_ret, 2, "the held query's answer");
	TEST_ASSERT_EQUAL(stop_done, 1, "the stop did not complete");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(fo_port), "start again");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");
	return ft_pool_check(pool, case_start);
}

/*
 * Module EEPROM and registers are the active sub-port's: fosim's contents
 * name the port (byte i = i + port id, register i = port id << 16 | i),
 * the primary's, then the standby's after a switch; its errors pass.
 */
static int
test_module_regs_active(void)
{
	struct rte_eth_dev_module_info mi;
	struct rte_dev_eeprom_info ee = { 0 };
	struct rte_dev_reg_info ri = { 0 };
	uint32_t regs[4];
	uint8_t buf[8];

	TEST_ASSERT_SUCCESS(rte_eth_dev_get_module_info(fo_port, &mi), "module info");
	TEST_ASSERT_EQUAL(mi.type * 10000 + mi.eeprom_len,
			  RTE_ETH_MODULE_SFF_8472 * 10000 + RTE_ETH_MODULE_SFF_8472_LEN, "module");
	ee.data = buf;
	ee.offset = 10;
	ee.length = sizeof(buf);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_module_eeprom(fo_port, &ee), "eeprom");
	TEST_ASSERT_EQUAL(buf[0], (uint8_t)(10 + prim), "not the primary's EEPROM");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_reg_info(fo_port, &ri), "reg length");
	TEST_ASSERT_EQUAL(ri.length * 10 + ri.width, 64 * 10 + 4, "reg length and width");
	ri.data = regs;
	ri.length = RTE_DIM(regs);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_reg_info(fo_port, &ri), "regs");
	TEST_ASSERT_EQUAL(regs[2], (uint32_t)prim << 16 | 2, "not the primary's registers");
	TEST_ASSERT_SUCCESS(fosim_set_fail(prim, "module_eeprom+regs"), "fail");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_module_eeprom(fo_port, &ee), -EIO, "eeprom error");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_reg_info(fo_port, &ri), -EIO, "regs error");
	TEST_ASSERT_SUCCESS(fosim_set_fail(prim, ""), "clear");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "primary link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_module_eeprom(fo_port, &ee), "eeprom");
	TEST_ASSERT_EQUAL(buf[0], (uint8_t)(10 + stby), "not the standby's EEPROM");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_reg_info(fo_port, &ri), "regs");
	TEST_ASSERT_EQUAL(regs[2], (uint32_t)stby << 16 | 2, "not the standby's registers");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "primary link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");
	return TEST_SUCCESS;
}

/*
 * ethdev's generic xstats_get_by_id / xstats_get_names_by_id over our
 * xstats_get / xstats_get_names (no by-id ops of our own) give what those
 * give: every id's name and value, and ids looked up by name.
 */
static int
test_xstats_by_id(void)
{
	struct rte_eth_xstat_name *names, *names_id;
	struct rte_eth_xstat *xs;
	uint64_t *ids, *vals, id;
	int n, i, ret = TEST_FAILED;

	TEST_ASSERT_EQUAL(tx_through(prim, 0, 8), 8, "some traffic");
	n = rte_eth_xstats_get_names(fo_port, NULL, 0);
	TEST_ASSERT(n > 0, "no xstats");
	TEST_ASSERT_EQUAL(rte_eth_xstats_get_by_id(fo_port, NULL, NULL, 0), n,
			  "by-id count differs from the names' count");
	names = calloc(n, sizeof(*names));
	names_id = calloc(n, sizeof(*names_id));
	xs = calloc(n, sizeof(*xs));
	ids = calloc(n, sizeof(*ids));
	vals = calloc(n, sizeof(*vals));
	if (names == NULL || names_id == NULL || xs == NULL || ids == NULL || vals == NULL)
		goto out;
	for (i = 0; i < n; i++)
		ids[i] = n - 1 - i;  /* any order */
	if (rte_eth_xstats_get_names(fo_port, names, n) != n ||
	    rte_eth_xstats_get(fo_port, xs, n) != n ||
	    rte_eth_xstats_get_names_by_id(fo_port, names_id, n, ids) != n ||
	    rte_eth_xstats_get_by_id(fo_port, ids, vals, n) != n) {
		printf("xstats calls failed\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (xs[i].id != (uint64_t)i || strcmp(names[ids[i]].name, names_id[i].name) != 0 ||
		    vals[i] != xs[ids[i]].value) {
			printf("xstat %" PRIu64 " (%s): by id %s = %" PRIu64 ", all %" PRIu64 "\n",
			       ids[i], names[ids[i]].name, names_id[i].name, vals[i],
			       xs[ids[i]].value);
			goto out;
		}
	}
	if (rte_eth_xstats_get_id_by_name(fo_port, "primary_tx_packets", &id) != 0 ||
	    rte_eth_xstats_get_by_id(fo_port, &id, vals, 1) != 1 ||
	    vals[0] != ft_xstat(fo_port, "primary_tx_packets") || vals[0] < 8) {
		printf("primary_tx_packets by name and id: %" PRIu64 "\n", vals[0]);
		goto out;
	}
	printf("    %d xstats: the same names and values by id\n", n);
	ret = TEST_SUCCESS;
out:
	free(names);
	free(names_id);
	free(xs);
	free(ids);
	free(vals);
	return ret;
}

/*
 * A MAC address removed goes from every sub-port that can remove it: one
 * that cannot (no_mac_remove=1) keeps it, and the other is not given it
 * back (ethdev forgets it either way: nor is it replayed).
 */
static int
test_mac_remove_partial(void)
{
	struct rte_ether_addr a = {{ 0x02, 0xee, 0, 0, 0, 0x41 }}, addrs[8];
	uint16_t port, p, s;
	int i, n, in_p = 0, in_s = 0;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_op2",
			"primary=(net_fosim_op6),standby=(net_fosim_op7,no_mac_remove=1),"
			"mac=02:fa:00:00:00:d2,link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_op2", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &p), "p");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &s), "s");
	TEST_ASSERT_SUCCESS(port_setup(port, NULL), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(port, &a, 0), "add");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_remove(port, &a), "remove");
	n = rte_eth_macaddrs_get(p, addrs, RTE_DIM(addrs));
	for (i = 0; i < n; i++)
		in_p += rte_is_same_ether_addr(&addrs[i], &a);
	n = rte_eth_macaddrs_get(s, addrs, RTE_DIM(addrs));
	for (i = 0; i < n; i++)
		in_s += rte_is_same_ether_addr(&addrs[i], &a);
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	rte_vdev_uninit("net_failover_op2");
	TEST_ASSERT_EQUAL(in_p, 0, "the primary was given the removed address back");
	TEST_ASSERT_EQUAL(in_s, 1, "the standby cannot remove it: it keeps it");
	return ft_pool_check(pool, case_start);
}

/*
 * rte_eth_dev_reset() of the failover port: ethdev stops it, both sub-ports
 * are reset, the port is left unconfigured (start refused, queues gone)
 * until the application sets it up again; what was kept for replay is
 * forgotten (VLAN filters, multicast list), what ethdev restores at start
 * comes back (promiscuous mode).
 */
static int
test_dev_reset(void)
{
	struct rte_ether_addr mc[1] = {{{ 0x01, 0x00, 0x5e, 0, 0, 0x17 }}}, got[2];
	unsigned int pr = fosim_op_count(prim, "reset"), sr = fosim_op_count(stby, "reset");
	struct rte_eth_rxq_info ri;

	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fo_port, 77, 1), "vlan");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fo_port, mc, 1), "mc");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(fo_port), "promisc");
	TEST_ASSERT_SUCCESS(rte_eth_dev_reset(fo_port), "reset");
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "reset"), pr + 1, "primary not reset");
	TEST_ASSERT_EQUAL(fosim_op_count(stby, "reset"), sr + 1, "standby not reset");
	TEST_ASSERT_EQUAL(rte_eth_devices[fo_port].data->dev_started, 0, "still started");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(fo_port), -EINVAL, "an unconfigured port started");
	TEST_ASSERT_FAIL(rte_eth_rx_queue_info_get(fo_port, 0, &ri), "a queue survived");
	TEST_ASSERT_SUCCESS(port_setup(fo_port, NULL), "set up after the reset");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "active");
	TEST_ASSERT_EQUAL(rx_through(prim, 0, 8), 8, "rx after the reset");
	TEST_ASSERT_EQUAL(tx_through(prim, 0, 8), 8, "tx after the reset");
	/* ethdev's VLAN filter set is what a joining sub-port would be given */
	TEST_ASSERT_EQUAL(rte_eth_devices[fo_port].data->vlan_filter_conf.ids[77 / 64] &
			  RTE_BIT64(77 % 64), 0, "the VLAN filter set survived the reset");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(prim, 77), 0, "VLAN filter replayed after a reset");
	TEST_ASSERT_EQUAL(fosim_mc_list(prim, got, 2), 0, "mc list replayed after a reset");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(prim), 1, "ethdev's promiscuous restore");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_disable(fo_port), "promisc off");
	return ft_pool_check(pool, case_start);
}

/*
 * A sub-port whose reset fails leaves (as on its own reset request); the
 * failover port is reset all the same and runs on the other; a standby
 * that joins before the failover port is set up again is held as it comes
 * and configured with it.
 */
static int
test_dev_reset_sub_fails(void)
{
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "reset"), "fail");
	TEST_ASSERT_SUCCESS(rte_eth_dev_reset(fo_port), "reset");
	TEST_ASSERT_SUCCESS(ft_wait_sub(fo_port, RTE_PMD_FAILOVER_STANDBY, false, 1000, NULL),
			    "the standby whose reset failed is still there");
	/* a standby that joins before the set-up is held as it comes, then configured */
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_op1", NULL), "a standby again");
	TEST_ASSERT_SUCCESS(ft_wait_sub(fo_port, RTE_PMD_FAILOVER_STANDBY, true, 1000, &stby),
			    "the new standby not adopted while unconfigured");
	TEST_ASSERT_SUCCESS(port_setup(fo_port, NULL), "set up after the reset");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "active");
	TEST_ASSERT_EQUAL(tx_through(prim, 0, 8), 8, "tx after the reset");
	TEST_ASSERT_EQUAL(rte_eth_devices[stby].data->dev_started, 1, "new standby not started");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "primary link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby");
	TEST_ASSERT_EQUAL(tx_through(stby, 0, 8), 8, "tx through the new standby");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "primary link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");
	return ft_pool_check(pool, case_start);
}

static int
suite_setup(void)
{
	if (ft_log_open() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("ops_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return -1;
	if (rte_vdev_init(FO_NAME, "primary=(net_fosim_op0),standby=(net_fosim_op1),"
			  "mac=02:fa:00:00:00:d0,link_poll_ms=1") != 0 ||
	    rte_eth_dev_get_port_by_name(FO_NAME, &fo_port) != 0 ||
	    rte_pmd_failover_sub_port(fo_port, RTE_PMD_FAILOVER_PRIMARY, &prim) != 0 ||
	    rte_pmd_failover_sub_port(fo_port, RTE_PMD_FAILOVER_STANDBY, &stby) != 0 ||
	    port_setup(fo_port, NULL) != 0)
		return -1;
	return ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000);
}

static void
suite_teardown(void)
{
	if (rte_eth_dev_is_valid_port(fo_port)) {
		rte_eth_dev_stop(fo_port);
		rte_eth_dev_close(fo_port);
	}
	rte_vdev_uninit(FO_NAME);
	rte_mempool_free(pool);
}

static struct unit_test_suite ops_suite = {
	.suite_name = "failover ethdev surface over fosim",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, case_teardown, test_queue_stop_start),
		TEST_CASE_ST(case_setup, case_teardown, test_deferred_start),
		TEST_CASE_ST(case_setup, case_teardown, test_deferred_ignored),
		TEST_CASE_ST(case_setup, case_teardown, test_queue_state_on_join),
		TEST_CASE_ST(case_setup, case_teardown, test_fastpath_queries),
		TEST_CASE_ST(case_setup, case_teardown, test_query_grace_period),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_queue_count_vhost),
		TEST_CASE_ST(case_setup, case_teardown, test_module_regs_active),
		TEST_CASE_ST(case_setup, case_teardown, test_xstats_by_id),
		TEST_CASE_ST(case_setup, case_teardown, test_mac_remove_partial),
		TEST_CASE_ST(case_setup, case_teardown, test_dev_reset),
		TEST_CASE_ST(case_setup, case_teardown, test_dev_reset_sub_fails),
		TEST_CASES_END()
	}
};

FT_MAIN(ops_suite)
