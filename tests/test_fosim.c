/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Self-test of net_fosim, the simulated sub-device used by the failover
 * tests: devargs and limits, fault injection, events from the interrupt
 * thread, the ring datapath and mbuf accounting.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* pthread_getname_np */
#endif
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "fosim.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"

#define NB_MBUF 511
#define PKT_LEN 64
#define BURST 16

static struct rte_mempool *pool;
static char cur_name[RTE_DEV_NAME_MAX_LEN];

struct event_seen {
	unsigned int count;
	pthread_t thread;
	char thread_name[16];
};

/* Creates the case's fosim port; the case teardown destroys it. */
static int
port_create(const char *name, const char *args, uint16_t *port)
{
	int ret;

	snprintf(cur_name, sizeof(cur_name), "%s", name);
	ret = rte_vdev_init(name, args);
	if (ret != 0)
		return ret;
	return rte_eth_dev_get_port_by_name(name, port);
}

static void
port_teardown(void)
{
	uint16_t port;

	if (cur_name[0] == '\0')
		return;
	if (rte_eth_dev_get_port_by_name(cur_name, &port) == 0) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_vdev_uninit(cur_name);
	cur_name[0] = '\0';
}

static int
port_setup(uint16_t port, uint16_t nb_q, const struct rte_eth_conf *conf)
{
	return ft_port_start(port, nb_q, 256, conf, pool);
}

static int
alloc_pkts(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		memset(rte_pktmbuf_append(pkts[i], PKT_LEN), (int)i, PKT_LEN);
		pkts[i]->port = RTE_MBUF_PORT_INVALID;
	}
	return 0;
}

static int
event_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	struct event_seen *seen = arg;

	seen->thread = pthread_self();
	pthread_getname_np(seen->thread, seen->thread_name,
			   sizeof(seen->thread_name));
	__atomic_fetch_add(&seen->count, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Waits up to a second for the count to reach want. */
static unsigned int
event_wait(struct event_seen *seen, unsigned int want)
{
	return ft_wait_count(&seen->count, want, 1000);
}

static int
test_probe_devargs(void)
{
	struct rte_ether_addr mac, want = {{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }};
	struct rte_eth_rss_reta_entry64 reta = { .mask = 1 };
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim1",
		"mac=02:11:22:33:44:55,max_rxq=2,max_txq=3,max_mtu=1600,"
		"min_mtu=100,rx_offload_capa=0x200,tx_offload_capa=0x8000,"
		"rss_capa=0x4,reta_size=128,hash_key_size=52,lsc=0,rmv=0,"
		"link=down", &port), "probe with devargs");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "info");
	TEST_ASSERT_EQUAL(strcmp(info.driver_name, FOSIM_DRV_NAME), 0, "drv");
	TEST_ASSERT_EQUAL(info.max_rx_queues, 2, "max_rxq");
	TEST_ASSERT_EQUAL(info.max_tx_queues, 3, "max_txq");
	TEST_ASSERT_EQUAL(info.max_mtu, 1600, "max_mtu");
	TEST_ASSERT_EQUAL(info.min_mtu, 100, "min_mtu");
	TEST_ASSERT_EQUAL(info.max_mac_addrs, 16, "max_mac_addrs");
	TEST_ASSERT_EQUAL(info.rx_offload_capa, 0x200, "rx capa");
	TEST_ASSERT_EQUAL(info.tx_offload_capa, 0x8000, "tx capa");
	TEST_ASSERT_EQUAL(info.flow_type_rss_offloads, 0x4, "rss capa");
	TEST_ASSERT_EQUAL(info.reta_size, 128, "reta_size");
	TEST_ASSERT_EQUAL(info.hash_key_size, 52, "hash_key_size");
	TEST_ASSERT_EQUAL(info.rx_desc_lim.nb_max, 4096, "desc lim");
	TEST_ASSERT_EQUAL(*info.dev_flags &
			  (RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV), 0,
			  "lsc=0,rmv=0 must not advertise LSC/RMV");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &want), "mac devarg");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "link=down");
	port_teardown();

	/* Defaults: MAC from the instance number, LSC and RMV, link up. */
	TEST_ASSERT_SUCCESS(port_create("net_fosim7", "", &port), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "info");
	TEST_ASSERT_EQUAL(info.max_rx_queues, 4, "default max_rxq");
	TEST_ASSERT_EQUAL(info.max_mtu, 9000, "default max_mtu");
	TEST_ASSERT_EQUAL(info.min_mtu, 68, "default min_mtu");
	TEST_ASSERT_EQUAL(info.reta_size, 64, "default reta_size");
	TEST_ASSERT_EQUAL(info.hash_key_size, 40, "default key size");
	TEST_ASSERT_EQUAL(*info.dev_flags &
			  (RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV),
			  RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV, "flags");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "mac");
	TEST_ASSERT_EQUAL(mac.addr_bytes[0], 0x02, "default mac");
	TEST_ASSERT_EQUAL(mac.addr_bytes[5], 7, "instance in default mac");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "default up");
	port_teardown();

	/* Ops that can be left out entirely. */
	TEST_ASSERT_SUCCESS(port_create("net_fosim8", "no_mac_set=1,reta_size=0",
					&port), "probe");
	TEST_ASSERT_EQUAL(rte_eth_dev_default_mac_addr_set(port, &want),
			  -ENOTSUP, "no_mac_set=1");
	TEST_ASSERT_EQUAL(rte_eth_dev_rss_reta_query(port, &reta, 64),
			  -ENOTSUP, "reta_size=0");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "info");
	TEST_ASSERT_EQUAL(info.flow_type_rss_offloads, 0, "no RSS");
	return TEST_SUCCESS;
}

/* Probe must fail, and the log must name the culprit. */
static int
check_bad_devargs(const char *args, const char *culprit)
{
	char *log = NULL;
	size_t len = 0;
	uint16_t port;
	FILE *f;
	int ret;

	f = open_memstream(&log, &len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	rte_openlog_stream(f);
	ret = rte_vdev_init("net_fosim2", args);
	rte_openlog_stream(NULL);
	fclose(f);
	TEST_ASSERT(ret < 0, "probe with \"%s\" succeeded", args);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_fosim2", &port) != 0,
		    "port left behind by \"%s\"", args);
	TEST_ASSERT(log != NULL && strstr(log, culprit) != NULL,
		    "log for \"%s\" does not name %s: %s", args, culprit,
		    log != NULL ? log : "");
	free(log);
	return TEST_SUCCESS;
}

static int
test_bad_devargs(void)
{
	static const char * const bad[][2] = {
		{ "bogus=1", "'bogus'" },
		{ "max_rxq=2,frobnicate=3", "'frobnicate'" },
		{ "max_rxq=abc", "'max_rxq'" },
		{ "lsc=2", "'lsc'" },
		{ "mac=02:00:00", "'mac'" },
		{ "link=sideways", "'link'" },
		{ "fail=mtu+nonsense", "'nonsense'" },
		{ "reta_size=100", "'reta_size'" },
		{ "min_mtu=2000,max_mtu=1500", "'min_mtu'" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++)
		if (check_bad_devargs(bad[i][0], bad[i][1]) != TEST_SUCCESS)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_fail_ops(void)
{
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim3", "fail=mtu+promisc",
					&port), "probe");
	/* start replays promisc: replays are not failed */
	TEST_ASSERT_SUCCESS(port_setup(port, 1, NULL), "setup");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mtu(port, 1400), -EIO, "mtu");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_enable(port), -EIO, "promisc");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(port), 0, "promisc state");
	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_enable(port), "allmulti");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "stop+mac_set"), "set_fail");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(port, 1400), "mtu now works");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(port), "promisc");
	TEST_ASSERT_EQUAL(rte_eth_dev_stop(port), -EIO, "stop");
	TEST_ASSERT_EQUAL(fosim_set_fail(port, "stop+nonsense"), -EINVAL,
			  "unknown op");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, ""), "clear");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "start,rxq_setup"), "set");
	TEST_ASSERT_EQUAL(rte_eth_dev_start(port), -EIO, "start");
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
						 NULL, pool), -EIO, "rxq");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "mtu"), 2, "mtu calls");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "stop"), 2, "stop calls");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "start"), 2, "start calls");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "promisc"), 2, "promisc calls");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "allmulti"), 1, "allmulti");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "nonsense"), 0, "unknown op");
	TEST_ASSERT_EQUAL(fosim_set_fail(RTE_MAX_ETHPORTS - 1, ""), -ENODEV,
			  "not a fosim port");
	return TEST_SUCCESS;
}

static int
test_recorded_config(void)
{
	struct rte_ether_addr mc[2] = {
		{{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }},
		{{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }},
	}, got[4];
	struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_FILTER,
	};
	uint16_t port, nb_rx, nb_tx;

	TEST_ASSERT_SUCCESS(port_create("net_fosim4", "max_rxq=3", &port),
			    "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 3, &conf), "setup");
	TEST_ASSERT_SUCCESS(fosim_configured_queues(port, &nb_rx, &nb_tx),
			    "configured queues");
	TEST_ASSERT_EQUAL(nb_rx, 3, "nb_rx");
	TEST_ASSERT_EQUAL(nb_tx, 3, "nb_tx");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 100, 1), "vlan");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 4095, 1), "vlan");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(port, 100), 1, "vlan 100");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(port, 4095), 1, "vlan 4095");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(port, 101), 0, "vlan 101");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 100, 0), "vlan off");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(port, 100), 0, "vlan 100 off");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(port, mc, 2), "mc");
	TEST_ASSERT_EQUAL(fosim_mc_list(port, got, RTE_DIM(got)), 2, "mc");
	TEST_ASSERT(memcmp(got, mc, sizeof(mc)) == 0, "mc list content");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "mc_list+vlan_filter"), "");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mc_addr_list(port, mc, 1), -EIO,
			  "mc fail");
	TEST_ASSERT_EQUAL(fosim_mc_list(port, got, RTE_DIM(got)), 2,
			  "failed op must not change the list");
	TEST_ASSERT_EQUAL(rte_eth_dev_vlan_filter(port, 5, 1), -EIO, "vlan");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(port, 5), 0, "vlan 5");
	return TEST_SUCCESS;
}

static int
test_rss_reta(void)
{
	struct rte_eth_conf conf = {
		.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS,
		.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP,
	};
	struct rte_eth_rss_reta_entry64 reta = { .mask = UINT64_MAX };
	uint8_t key[40], got_key[40];
	struct rte_eth_rss_conf rss = {
		.rss_key = key,
		.rss_key_len = sizeof(key),
		.rss_hf = RTE_ETH_RSS_TCP,
	};
	unsigned int i;
	uint16_t port;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	TEST_ASSERT_SUCCESS(port_create("net_fosim12", "", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 4, &conf), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_query(port, &reta, 64), "q");
	TEST_ASSERT_EQUAL(reta.reta[5], 1, "default RETA spreads queues");
	for (i = 0; i < RTE_ETH_RETA_GROUP_SIZE; i++)
		reta.reta[i] = 3;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_update(port, &reta, 64), "u");
	memset(reta.reta, 0, sizeof(reta.reta));
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_query(port, &reta, 64), "q");
	TEST_ASSERT_EQUAL(reta.reta[5], 3, "RETA updated");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_update(port, &rss), "rss");
	rss.rss_key = got_key;
	rss.rss_hf = 0;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(port, &rss), "get");
	TEST_ASSERT_EQUAL(rss.rss_hf, RTE_ETH_RSS_TCP, "rss_hf");
	TEST_ASSERT(memcmp(key, got_key, sizeof(key)) == 0, "rss key");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "rss_update+reta_update"), "");
	TEST_ASSERT_EQUAL(rte_eth_dev_rss_hash_update(port, &rss), -EIO, "");
	TEST_ASSERT_EQUAL(rte_eth_dev_rss_reta_update(port, &reta, 64), -EIO,
			  "reta");
	return TEST_SUCCESS;
}

static int
test_lsc_interrupt_thread(void)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	struct event_seen seen = { 0 };
	struct rte_eth_link link;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim5", "", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 1, &conf), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_register(port,
			RTE_ETH_EVENT_INTR_LSC, event_cb, &seen), "cb");
	TEST_ASSERT_SUCCESS(fosim_set_link(port, 0), "link down");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "down");
	TEST_ASSERT_EQUAL(event_wait(&seen, 1), 1, "one LSC event");
	TEST_ASSERT(!pthread_equal(seen.thread, pthread_self()),
		    "LSC callback ran on the caller's thread");
	TEST_ASSERT_EQUAL(strcmp(seen.thread_name, "eal-intr-thread"), 0,
			  "LSC callback ran on %s", seen.thread_name);
	TEST_ASSERT_SUCCESS(fosim_set_link(port, 0), "no change");
	TEST_ASSERT_SUCCESS(fosim_set_link(port, 1), "link up");
	TEST_ASSERT_EQUAL(event_wait(&seen, 2), 2, "second LSC event");
	usleep(20000);
	TEST_ASSERT_EQUAL(seen.count, 2, "no event without a change");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "up");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_unregister(port,
			RTE_ETH_EVENT_INTR_LSC, event_cb, &seen), "uncb");
	return TEST_SUCCESS;
}

static int
test_remove(void)
{
	struct rte_eth_conf conf = { .intr_conf.rmv = 1 };
	struct event_seen seen = { 0 };
	struct rte_mbuf *m;
	struct rte_eth_link link;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim6", "", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 1, &conf), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_register(port,
			RTE_ETH_EVENT_INTR_RMV, event_cb, &seen), "cb");
	TEST_ASSERT_EQUAL(rte_eth_dev_is_removed(port), 0, "not removed");
	TEST_ASSERT_SUCCESS(fosim_remove(port), "remove");
	TEST_ASSERT_EQUAL(event_wait(&seen, 1), 1, "one RMV event");
	TEST_ASSERT(!pthread_equal(seen.thread, pthread_self()),
		    "RMV callback ran on the caller's thread");
	TEST_ASSERT_EQUAL(strcmp(seen.thread_name, "eal-intr-thread"), 0,
			  "RMV callback ran on %s", seen.thread_name);
	TEST_ASSERT_EQUAL(rte_eth_dev_is_removed(port), 1, "removed");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "down");
	TEST_ASSERT_EQUAL(fosim_set_link(port, 1), -ENODEV, "link up");
	TEST_ASSERT_SUCCESS(alloc_pkts(&m, 1), "alloc");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, &m, 1), 0, "tx stopped");
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_unregister(port,
			RTE_ETH_EVENT_INTR_RMV, event_cb, &seen), "uncb");
	return TEST_SUCCESS;
}

/* Without intr_conf.lsc / intr_conf.rmv the state changes, silently. */
static int
test_no_event_unless_enabled(void)
{
	struct event_seen seen = { 0 };
	struct rte_eth_link link;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim11", "", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 1, NULL), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_register(port,
			RTE_ETH_EVENT_INTR_LSC, event_cb, &seen), "cb");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_register(port,
			RTE_ETH_EVENT_INTR_RMV, event_cb, &seen), "cb");
	TEST_ASSERT_SUCCESS(fosim_set_link(port, 0), "link down");
	TEST_ASSERT_SUCCESS(rte_eth_link_get(port, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "down");
	TEST_ASSERT_SUCCESS(fosim_remove(port), "remove");
	TEST_ASSERT_EQUAL(rte_eth_dev_is_removed(port), 1, "removed");
	usleep(50000);
	TEST_ASSERT_EQUAL(seen.count, 0, "no event expected");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_unregister(port,
			RTE_ETH_EVENT_INTR_LSC, event_cb, &seen), "uncb");
	TEST_ASSERT_SUCCESS(rte_eth_dev_callback_unregister(port,
			RTE_ETH_EVENT_INTR_RMV, event_cb, &seen), "uncb");
	return TEST_SUCCESS;
}

static int
test_rx_tx_roundtrip(void)
{
	struct rte_mbuf *in[BURST], *out[BURST * 2];
	struct rte_eth_stats st;
	unsigned int i;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim9", "max_rxq=2,max_txq=2",
					&port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 2, NULL), "setup");
	TEST_ASSERT_SUCCESS(alloc_pkts(in, BURST), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 1, in, BURST), BURST, "inj");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 2, in, BURST), -EINVAL,
			  "queue 2 does not exist");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 0, out, BURST), 0, "rxq 0");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 1, out, BURST * 2), BURST,
			  "rxq 1");
	for (i = 0; i < BURST; i++) {
		TEST_ASSERT(out[i] == in[i], "rx order");
		TEST_ASSERT_EQUAL(out[i]->port, port, "mbuf port");
	}
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 1, out, BURST), BURST, "tx");
	TEST_ASSERT_EQUAL(fosim_tx_collect(port, 0, out, BURST), 0, "txq 0");
	TEST_ASSERT_EQUAL(fosim_tx_collect(port, 1, out, BURST * 2), BURST,
			  "collect");
	for (i = 0; i < BURST; i++)
		TEST_ASSERT(out[i] == in[i], "tx order");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "stats");
	TEST_ASSERT_EQUAL(st.ipackets, BURST, "ipackets");
	TEST_ASSERT_EQUAL(st.opackets, BURST, "opackets");
	TEST_ASSERT_EQUAL(st.ibytes, BURST * PKT_LEN, "ibytes");
	TEST_ASSERT_EQUAL(st.q_opackets[1], BURST, "q_opackets");
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(port), "reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "stats");
	TEST_ASSERT_EQUAL(st.ipackets + st.opackets, 0, "after reset");
	rte_pktmbuf_free_bulk(out, BURST);
	return TEST_SUCCESS;
}

/*
 * Queue states: deferred start leaves a queue stopped, queue start/stop
 * set it (a stopped queue moves nothing), no_queue_ops=1 has no such op.
 */
static int
test_queue_states(void)
{
	struct rte_eth_rxconf rxc = { .rx_deferred_start = 1 };
	struct rte_eth_txconf txc = { .tx_deferred_start = 1 };
	struct rte_mbuf *in[BURST], *out[BURST];
	struct rte_eth_rxq_info ri;
	uint16_t port, bare;

	TEST_ASSERT_SUCCESS(port_create("net_fosim10", "max_rxq=2,max_txq=2", &port), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(port, 2, 2, &(struct rte_eth_conf){ 0 }),
			    "configure");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, pool), "rxq 0");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(port, 1, 256, 0, &rxc, pool), "rxq 1");
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(port, 0, 256, 0, NULL), "txq 0");
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(port, 1, 256, 0, &txc), "txq 1");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_info_get(port, 1, &ri), "info");
	TEST_ASSERT_EQUAL(ri.queue_state, RTE_ETH_QUEUE_STATE_STOPPED, "deferred rxq started");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_info_get(port, 0, &ri), "info");
	TEST_ASSERT_EQUAL(ri.queue_state, RTE_ETH_QUEUE_STATE_STARTED, "rxq 0 not started");
	TEST_ASSERT_SUCCESS(alloc_pkts(in, BURST), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 1, in, BURST), 0, "a stopped rxq took mbufs");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 1, in, 1), 0, "a stopped txq sent");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(port, 1), "rxq start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(port, 1), "txq start");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 1, in, BURST), BURST, "inject");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(port, 1, BURST - 1), RTE_ETH_RX_DESC_DONE,
			  "rx descriptor held");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(port, 1, BURST), RTE_ETH_RX_DESC_AVAIL,
			  "rx descriptor free");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 1, out, BURST), BURST, "rxq 1 after its start");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 1, out, BURST), BURST, "txq 1 after its start");
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(port, 1, 0), RTE_ETH_TX_DESC_FULL,
			  "tx descriptor in use");
	TEST_ASSERT_EQUAL(fosim_tx_collect(port, 1, out, BURST), BURST, "collect");
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(port, 1, 0), RTE_ETH_TX_DESC_DONE,
			  "tx descriptor done");
	rte_pktmbuf_free_bulk(out, BURST);
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "rxq_stop"), "fail");
	TEST_ASSERT_EQUAL(rte_eth_dev_rx_queue_stop(port, 0), -EIO, "rxq stop not failed");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, ""), "clear");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(port, 0), "rxq stop");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_info_get(port, 0, &ri), "info");
	TEST_ASSERT_EQUAL(ri.queue_state, RTE_ETH_QUEUE_STATE_STOPPED, "rxq 0 not stopped");
	TEST_ASSERT_SUCCESS(port_create("net_fosim11", "no_queue_ops=1", &bare), "probe bare");
	TEST_ASSERT_SUCCESS(port_setup(bare, 1, NULL), "setup bare");
	TEST_ASSERT_EQUAL(rte_eth_dev_rx_queue_stop(bare, 0), -ENOTSUP, "no_queue_ops");
	rte_eth_dev_stop(bare);
	rte_eth_dev_close(bare);
	rte_vdev_uninit("net_fosim11");
	snprintf(cur_name, sizeof(cur_name), "net_fosim10");  /* for port_teardown() */
	return TEST_SUCCESS;
}

/* The module EEPROM and the registers read back as fosim.h describes. */
static int
test_module_regs(void)
{
	struct rte_eth_dev_module_info mi;
	struct rte_dev_eeprom_info ee = { 0 };
	struct rte_dev_reg_info ri = { 0 };
	uint32_t regs[4];
	uint8_t buf[16];
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim12", NULL, &port), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_module_info(port, &mi), "module info");
	TEST_ASSERT_EQUAL(mi.type, RTE_ETH_MODULE_SFF_8472, "module type");
	TEST_ASSERT_EQUAL(mi.eeprom_len, RTE_ETH_MODULE_SFF_8472_LEN, "module length");
	ee.data = buf;
	ee.offset = 100;
	ee.length = sizeof(buf);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_module_eeprom(port, &ee), "module eeprom");
	TEST_ASSERT_EQUAL(buf[3], (uint8_t)(103 + port), "eeprom byte");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_reg_info(port, &ri), "reg length");
	TEST_ASSERT_EQUAL(ri.length * 10 + ri.width, 64 * 10 + 4, "reg length and width");
	ri.data = regs;
	ri.offset = 8;
	ri.length = RTE_DIM(regs);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_reg_info(port, &ri), "regs");
	TEST_ASSERT_EQUAL(regs[1], (uint32_t)port << 16 | 9, "register 9");
	TEST_ASSERT_SUCCESS(fosim_set_fail(port, "module_eeprom+regs"), "fail");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_module_eeprom(port, &ee), -EIO, "eeprom failure");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_reg_info(port, &ri), -EIO, "regs failure");
	return TEST_SUCCESS;
}

/* tx_sink=1: what tx_burst takes is freed at once and counted. */
static int
test_tx_sink(void)
{
	unsigned int start = rte_mempool_avail_count(pool);
	struct rte_mbuf *pkts[BURST];
	struct rte_eth_stats st;
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim11", "tx_sink=1", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 1, NULL), "setup");
	TEST_ASSERT_SUCCESS(alloc_pkts(pkts, BURST), "alloc");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, pkts, BURST), BURST, "tx");
	TEST_ASSERT_SUCCESS(ft_pool_check(pool, start), "sink did not free");
	TEST_ASSERT_EQUAL(fosim_tx_collect(port, 0, pkts, BURST), 0, "nothing to collect");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "stats");
	TEST_ASSERT_EQUAL(st.opackets, BURST, "opackets");
	TEST_ASSERT_EQUAL(st.obytes, BURST * PKT_LEN, "obytes");
	return TEST_SUCCESS;
}

/* Mbufs left in the rings go back to the pool at release, stop, close. */
static int
test_mempool_after_close(void)
{
	unsigned int start = rte_mempool_avail_count(pool);
	struct rte_mbuf *pkts[BURST];
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_create("net_fosim10", "", &port), "probe");
	TEST_ASSERT_SUCCESS(port_setup(port, 2, NULL), "setup");
	/* queue release when reconfigured with fewer queues */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(alloc_pkts(pkts, BURST), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 1, pkts, BURST), BURST, "inj");
	TEST_ASSERT_SUCCESS(port_setup(port, 1, NULL), "reconfigure");
	TEST_ASSERT_SUCCESS(ft_pool_check(pool, start), "release frees");
	TEST_ASSERT(fosim_op_count(port, "rxq_release") >= 1, "released");
	/* stop with packets in both directions */
	TEST_ASSERT_SUCCESS(alloc_pkts(pkts, BURST), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 0, pkts, BURST / 2),
			  BURST / 2, "inj");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, pkts + BURST / 2,
					   BURST / 2), BURST / 2, "tx");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(ft_pool_check(pool, start), "stop drains both");
	/* close (a stopped port) with packets in the rx ring */
	TEST_ASSERT_SUCCESS(alloc_pkts(pkts, BURST), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(port, 0, pkts, BURST), BURST, "inj");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "close"), 1, "closed once");
	TEST_ASSERT_EQUAL(fosim_op_count(port, "stop"), 2, "stopped twice");
	TEST_ASSERT_EQUAL(rte_eth_dev_is_valid_port(port), 0, "released");
	TEST_ASSERT_EQUAL(fosim_set_link(port, 1), -ENODEV, "port gone");
	TEST_ASSERT_SUCCESS(ft_pool_check(pool, start), "close frees");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	pool = rte_pktmbuf_pool_create("fosim_test_pool", NB_MBUF, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool != NULL ? 0 : -1;
}

static void
suite_teardown(void)
{
	rte_mempool_free(pool);
}

static struct unit_test_suite fosim_suite = {
	.suite_name = "net_fosim self-test",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(NULL, port_teardown, test_probe_devargs),
		TEST_CASE_ST(NULL, port_teardown, test_bad_devargs),
		TEST_CASE_ST(NULL, port_teardown, test_fail_ops),
		TEST_CASE_ST(NULL, port_teardown, test_recorded_config),
		TEST_CASE_ST(NULL, port_teardown, test_rss_reta),
		TEST_CASE_ST(NULL, port_teardown, test_lsc_interrupt_thread),
		TEST_CASE_ST(NULL, port_teardown, test_remove),
		TEST_CASE_ST(NULL, port_teardown, test_no_event_unless_enabled),
		TEST_CASE_ST(NULL, port_teardown, test_rx_tx_roundtrip),
		TEST_CASE_ST(NULL, port_teardown, test_mempool_after_close),
		TEST_CASE_ST(NULL, port_teardown, test_tx_sink),
		TEST_CASE_ST(NULL, port_teardown, test_queue_states),
		TEST_CASE_ST(NULL, port_teardown, test_module_regs),
		TEST_CASES_END()
	},
};

FT_MAIN(fosim_suite)
