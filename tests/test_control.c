/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Control-path suite over the fault-injection PMD (tests/fosim): every op
 * reaches both sub-ports, a refusal by the standby rolls the primary back,
 * capabilities are intersected, a sub-port that joins later is brought to
 * the current state (or refused when unfit), and the datapath accounts for
 * every mbuf across a failover.
 */

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
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

#define FO_NAME "net_failover_c0"
#define MAC "02:fa:00:00:00:c0"
#define NB_Q 2
#define BURST 32

static const struct rte_ether_addr fo_mac = {{ 0x02, 0xfa, 0, 0, 0, 0xc0 }};
static struct rte_mempool *pool;
static uint16_t fo_port, prim, stby;
static unsigned int case_start;

static int
fo_setup_port(uint16_t port)
{
	struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_FILTER,
		.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS,
		.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP,
		.intr_conf.lsc = 1,
	};

	return ft_port_start(port, NB_Q, 128, &conf, pool);
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

static int
test_caps_intersection(void)
{
	struct rte_eth_dev_info fi, pi, si;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fo_port, &fi), "failover info");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(prim, &pi), "primary info");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(stby, &si), "standby info");
	TEST_ASSERT_EQUAL(fi.max_rx_queues, 2, "max_rx_queues = min(4, 2)");
	TEST_ASSERT_EQUAL(fi.max_tx_queues, 3, "max_tx_queues = min(3, 8)");
	TEST_ASSERT_EQUAL(fi.max_mtu, 4000, "max_mtu = min(9000, 4000)");
	TEST_ASSERT_EQUAL(fi.rx_offload_capa, pi.rx_offload_capa & si.rx_offload_capa,
			  "rx offloads not intersected");
	TEST_ASSERT_EQUAL(fi.tx_offload_capa, pi.tx_offload_capa & si.tx_offload_capa,
			  "tx offloads not intersected");
	TEST_ASSERT_EQUAL(fi.flow_type_rss_offloads,
			  pi.flow_type_rss_offloads & si.flow_type_rss_offloads,
			  "RSS types not intersected");
	TEST_ASSERT_NOT_EQUAL(pi.tx_offload_capa, si.tx_offload_capa,
			      "test set-up: the sub-ports should differ");
	TEST_ASSERT_EQUAL(fi.reta_size, 64, "equal RETA sizes kept");
	return TEST_SUCCESS;
}

static int
test_configure_reaches_both(void)
{
	uint16_t rx, tx;

	TEST_ASSERT_SUCCESS(fosim_configured_queues(prim, &rx, &tx), "primary queues");
	TEST_ASSERT_EQUAL(rx * 10 + tx, NB_Q * 10 + NB_Q, "primary queue counts");
	TEST_ASSERT_SUCCESS(fosim_configured_queues(stby, &rx, &tx), "standby queues");
	TEST_ASSERT_EQUAL(rx * 10 + tx, NB_Q * 10 + NB_Q, "standby queue counts");
	TEST_ASSERT_EQUAL(rte_eth_devices[prim].data->dev_started, 1, "primary started");
	TEST_ASSERT_EQUAL(rte_eth_devices[stby].data->dev_started, 1, "standby started");
	return TEST_SUCCESS;
}

static int
mac_in(uint16_t port, const struct rte_ether_addr *mac)
{
	struct rte_ether_addr addrs[16];
	int i, n = rte_eth_macaddrs_get(port, addrs, RTE_DIM(addrs));

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(&addrs[i], mac))
			return 1;
	return 0;
}

static int
test_ops_reach_both(void)
{
	struct rte_ether_addr extra = {{ 0x02, 0xee, 0, 0, 0, 1 }}, mc[2] = {
		{{ 0x01, 0x00, 0x5e, 0, 0, 1 }}, {{ 0x33, 0x33, 0, 0, 0, 1 }} }, got[4];
	struct rte_eth_rss_conf rss = { .rss_hf = RTE_ETH_RSS_IPV4 }, rget = { 0 };
	struct rte_eth_rss_reta_entry64 reta[1] = {{ .mask = UINT64_MAX }}, rq[1];
	uint16_t subs[2] = { prim, stby }, mtu;
	int i;

	for (i = 0; i < 64; i++)
		reta[0].reta[i] = i % NB_Q;
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(fo_port), "promisc");
	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_enable(fo_port), "allmulti");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fo_port, 3000), "mtu");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fo_port, &extra, 0), "mac add");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fo_port, mc, 2), "mc list");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fo_port, 100, 1), "vlan");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_update(fo_port, &rss), "rss");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_update(fo_port, reta, 64), "reta");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(subs[i]), 1, "promisc on %u", subs[i]);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(subs[i]), 1, "allmulti %u", subs[i]);
		TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(subs[i], &mtu), "mtu");
		TEST_ASSERT_EQUAL(mtu, 3000, "MTU on %u", subs[i]);
		TEST_ASSERT(mac_in(subs[i], &extra), "extra MAC missing on %u", subs[i]);
		TEST_ASSERT_EQUAL(fosim_mc_list(subs[i], got, 4), 2, "mc list on %u", subs[i]);
		TEST_ASSERT_EQUAL(fosim_vlan_filtered(subs[i], 100), 1, "VLAN on %u", subs[i]);
		TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(subs[i], &rget), "rss get");
		TEST_ASSERT_EQUAL(rget.rss_hf, RTE_ETH_RSS_IPV4, "RSS on %u", subs[i]);
		rq[0].mask = UINT64_MAX;
		TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_query(subs[i], rq, 64), "reta query");
		TEST_ASSERT_EQUAL(rq[0].reta[1], 1, "RETA on %u", subs[i]);
	}
	/* and back */
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fo_port, 100, 0), "vlan off");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_remove(fo_port, &extra), "mac remove");
	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_disable(fo_port), "allmulti off");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fo_port, 1500), "mtu back");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(fosim_vlan_filtered(subs[i], 100), 0, "VLAN off on %u", subs[i]);
		TEST_ASSERT(!mac_in(subs[i], &extra), "extra MAC left on %u", subs[i]);
		TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(subs[i]), 0, "allmulti %u", subs[i]);
	}
	return TEST_SUCCESS;
}

/* Whether port reports packet type pt. */
static int
ptype_in(uint16_t port, uint32_t pt)
{
	uint32_t all[32];
	int i, n = rte_eth_dev_get_supported_ptypes(port, RTE_PTYPE_ALL_MASK, all, RTE_DIM(all));

	for (i = 0; i < n; i++)
		if (all[i] == pt)
			return 1;
	return 0;
}

static int
link_of(uint16_t port)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(port, &link) != 0)
		return -1;
	return link.link_status;
}

/*
 * Queries of the active path: burst modes, firmware version, flow control
 * and the TX ring clean-up go to the sub-port TX uses now (role r).
 */
static int
check_active_queries(uint16_t sub, const char *role)
{
	struct rte_eth_burst_mode mode;
	struct rte_eth_fc_conf fc;
	char want[128], fw[32];
	unsigned int cleanups = fosim_op_count(sub, "tx_cleanup");
	unsigned int fc_gets = fosim_op_count(sub, "flow_ctrl_get");

	TEST_ASSERT_SUCCESS(rte_eth_rx_burst_mode_get(fo_port, 0, &mode), "rx burst mode");
	snprintf(want, sizeof(want), "failover: fosim ring rx (%s port %u)", role, sub);
	TEST_ASSERT(strcmp(mode.info, want) == 0, "rx burst mode \"%s\", want \"%s\"",
		    mode.info, want);
	TEST_ASSERT_SUCCESS(rte_eth_tx_burst_mode_get(fo_port, 1, &mode), "tx burst mode");
	snprintf(want, sizeof(want), "failover: fosim ring tx (%s port %u)", role, sub);
	TEST_ASSERT(strcmp(mode.info, want) == 0, "tx burst mode \"%s\", want \"%s\"",
		    mode.info, want);
	TEST_ASSERT_SUCCESS(rte_eth_dev_fw_version_get(fo_port, fw, sizeof(fw)), "fw version");
	snprintf(want, sizeof(want), "fosim-%u.0", sub);
	TEST_ASSERT(strcmp(fw, want) == 0, "fw version \"%s\", want \"%s\"", fw, want);
	TEST_ASSERT_EQUAL(rte_eth_dev_fw_version_get(fo_port, fw, 3), (int)strlen(want) + 1,
			  "fw version: the size needed not passed back");
	TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_get(fo_port, &fc), "flow ctrl get");
	TEST_ASSERT_EQUAL(fosim_op_count(sub, "flow_ctrl_get"), fc_gets + 1,
			  "flow control not read from the %s", role);
	TEST_ASSERT_EQUAL(rte_eth_tx_done_cleanup(fo_port, 0, 0), 0, "tx done cleanup");
	TEST_ASSERT_EQUAL(fosim_op_count(sub, "tx_cleanup"), cleanups + 1,
			  "tx_done_cleanup did not reach the %s", role);
	return TEST_SUCCESS;
}

/* The ops of the whole ethdev surface: forwarded to both, or to the active. */
static int
test_surface_ops(void)
{
	struct rte_eth_fc_conf fc = {
		.high_water = 1000, .low_water = 500, .pause_time = 0x680, .send_xon = 1,
		.mode = RTE_ETH_FC_FULL,
	}, got;
	uint16_t subs[2] = { prim, stby };
	uint32_t pt[32];
	unsigned int c[2];
	int i, n;

	/* packet types: those both parse (primary entries 0-8, standby 1,3-9) */
	n = rte_eth_dev_get_supported_ptypes(fo_port, RTE_PTYPE_ALL_MASK, pt, RTE_DIM(pt));
	TEST_ASSERT_EQUAL(n, 7, "%d packet types, want the 7 both sub-ports parse", n);
	for (i = 0; i < n; i++)
		TEST_ASSERT(ptype_in(prim, pt[i]) && ptype_in(stby, pt[i]),
			    "packet type 0x%x not parsed by both", pt[i]);
	TEST_ASSERT(!ptype_in(fo_port, RTE_PTYPE_L2_ETHER), "a primary-only type reported");
	TEST_ASSERT(!ptype_in(fo_port, RTE_PTYPE_L4_SCTP), "a standby-only type reported");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_supported_ptypes(fo_port, RTE_PTYPE_L4_MASK, pt,
							   RTE_DIM(pt)), 2, "L4 types: TCP, UDP");

	/* active-path queries, on the primary, then on the standby */
	TEST_ASSERT_SUCCESS(check_active_queries(prim, "primary"), "on the primary");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "primary down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby");
	TEST_ASSERT_SUCCESS(check_active_queries(stby, "standby"), "on the standby");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "primary up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");

	/* link down and up: both sub-ports; the failover link follows at once */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_down(fo_port), "link down");
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQUAL(link_of(subs[i]), RTE_ETH_LINK_DOWN, "port %u still up", subs[i]);
	TEST_ASSERT_EQUAL(link_of(fo_port), RTE_ETH_LINK_DOWN, "failover link still up");
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(fo_port), RTE_PMD_FAILOVER_NONE,
			  "a path with both links set down");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_up(fo_port), "link up");
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQUAL(link_of(subs[i]), RTE_ETH_LINK_UP, "port %u still down", subs[i]);
	TEST_ASSERT_EQUAL(link_of(fo_port), RTE_ETH_LINK_UP, "failover link still down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary");

	/* VLAN offloads (ethdev records them per port), per queue, TPID */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(fo_port, RTE_ETH_VLAN_STRIP_OFFLOAD |
							 RTE_ETH_VLAN_FILTER_OFFLOAD), "strip");
	for (i = 0; i < 2; i++) {
		c[i] = fosim_op_count(subs[i], "vlan_offload");
		TEST_ASSERT_EQUAL(rte_eth_dev_get_vlan_offload(subs[i]),
				  RTE_ETH_VLAN_STRIP_OFFLOAD | RTE_ETH_VLAN_FILTER_OFFLOAD,
				  "VLAN offloads on %u", subs[i]);
	}
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(fo_port, RTE_ETH_VLAN_FILTER_OFFLOAD),
			    "strip off");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(fosim_op_count(subs[i], "vlan_offload"), c[i] + 1,
				  "vlan_offload_set not called on %u", subs[i]);
		TEST_ASSERT_EQUAL(rte_eth_dev_get_vlan_offload(subs[i]),
				  RTE_ETH_VLAN_FILTER_OFFLOAD, "strip left on %u", subs[i]);
	}
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_strip_on_queue(fo_port, 1, 1), "queue strip");
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQUAL(fosim_vlan_strip_queue(subs[i], 1), 1, "queue 1 strip on %u",
				  subs[i]);
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_strip_on_queue(fo_port, 1, 0), "queue strip off");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_ether_type(fo_port, RTE_ETH_VLAN_TYPE_OUTER,
							    0x88a8), "tpid");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQUAL(fosim_vlan_strip_queue(subs[i], 1), 0, "queue 1 strip on %u",
				  subs[i]);
		TEST_ASSERT_EQUAL(fosim_vlan_tpid(subs[i], RTE_ETH_VLAN_TYPE_OUTER), 0x88a8,
				  "TPID on %u", subs[i]);
	}
	/* back to the usual TPID: the fault table's rollbacks restore it */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_ether_type(fo_port, RTE_ETH_VLAN_TYPE_OUTER,
							    RTE_ETHER_TYPE_VLAN), "tpid back");

	/* flow control: set on both */
	TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_set(fo_port, &fc), "flow ctrl set");
	for (i = 0; i < 2; i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_get(subs[i], &got), "get");
		TEST_ASSERT(got.mode == RTE_ETH_FC_FULL && got.high_water == 1000,
			    "flow control not set on %u", subs[i]);
	}
	return ft_pool_check(pool, case_start);
}

/* The standby refuses: the op fails and the primary is as it was. */
static int
test_rollback_each_op(void)
{
	struct rte_ether_addr newmac = {{ 0x02, 0xfa, 0, 0, 0, 0xc9 }}, cur, mc[1] = {
		{{ 0x01, 0x00, 0x5e, 0, 0, 9 }} }, got[2];
	struct rte_eth_rss_conf rss = { .rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_TCP }, rget = { 0 };
	struct rte_eth_rss_reta_entry64 reta[1] = {{ .mask = UINT64_MAX }}, rq[1];
	uint16_t mtu;
	int i;

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "mtu"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_set_mtu(fo_port, 2000), "mtu accepted");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(prim, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, 1500, "primary MTU not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "allmulti"), "fail");
	TEST_ASSERT_FAIL(rte_eth_allmulticast_enable(fo_port), "allmulti accepted");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(prim), 0, "primary allmulti not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "promisc"), "fail");
	TEST_ASSERT_FAIL(rte_eth_promiscuous_disable(fo_port), "promisc off accepted");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(prim), 1, "primary promisc not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "mac_set"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_default_mac_addr_set(fo_port, &newmac), "mac accepted");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(prim, &cur), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&cur, &fo_mac), "primary MAC not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "mac_add"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_mac_addr_add(fo_port, &newmac, 0), "mac add accepted");
	TEST_ASSERT(!mac_in(prim, &newmac), "primary extra MAC not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "mc_list"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_set_mc_addr_list(fo_port, mc, 1), "mc accepted");
	TEST_ASSERT_EQUAL(fosim_mc_list(prim, got, 2), 2, "primary mc list not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "vlan_filter"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_vlan_filter(fo_port, 200, 1), "vlan accepted");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(prim, 200), 0, "primary VLAN not rolled back");

	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "rss_update"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_rss_hash_update(fo_port, &rss), "rss accepted");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(prim, &rget), "rss get");
	TEST_ASSERT_EQUAL(rget.rss_hf, RTE_ETH_RSS_IPV4, "primary RSS not rolled back");

	/*
	 * The RETA snapshot of the primary is its whole table (valgrind:
	 * the snapshot's size was read uninitialised, so the query failed
	 * and the primary kept the refused table).
	 */
	for (i = 0; i < RTE_ETH_RETA_GROUP_SIZE; i++)
		reta[0].reta[i] = (i + 1) % NB_Q;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_update(fo_port, reta, 64), "reta");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "reta_update"), "fail");
	for (i = 0; i < RTE_ETH_RETA_GROUP_SIZE; i++)
		reta[0].reta[i] = 0;
	TEST_ASSERT_FAIL(rte_eth_dev_rss_reta_update(fo_port, reta, 64), "reta accepted");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, ""), "clear");
	rq[0].mask = UINT64_MAX;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_query(prim, rq, 64), "reta query");
	for (i = 0; i < RTE_ETH_RETA_GROUP_SIZE; i++)
		TEST_ASSERT_EQUAL(rq[0].reta[i], (i + 1) % NB_Q,
				  "primary RETA entry %d not rolled back", i);
	return TEST_SUCCESS;
}

/*
 * Fault injection, table-driven: every forwarded op made to fail on each
 * sub-port in turn. The failover port's op must return the error, both
 * sub-ports must be as they were (queried, not assumed), the failover port
 * must still forward both ways and every mbuf must be back.
 */
struct sub_state {
	uint16_t mtu;
	int promisc, allmulti, extra_mac, vlan, nb_mc, started;
	struct rte_ether_addr mac;
	uint64_t rss_hf;
	uint16_t reta[64], nb_rxq, nb_txq;
	int link, vlan_offload, tpid;
	struct rte_eth_fc_conf fc;
	uint8_t rxq_state, txq_state;   /* queue FAULT_Q's, as ethdev reads it */
};

/* The queue the queue start/stop faults act on (0 carries fault_forwards()). */
#define FAULT_Q 1

static const struct rte_ether_addr fault_mac = {{ 0x02, 0xfa, 0, 0, 0, 0xf1 }};

static int
sub_state_get(uint16_t port, struct sub_state *st)
{
	struct rte_eth_rss_reta_entry64 reta[1] = {{ .mask = UINT64_MAX }};
	struct rte_eth_rss_conf rss = { 0 };
	struct rte_ether_addr mc[8];

	memset(st, 0, sizeof(*st));
	if (rte_eth_dev_get_mtu(port, &st->mtu) != 0 || rte_eth_macaddr_get(port, &st->mac) != 0 ||
	    rte_eth_dev_rss_hash_conf_get(port, &rss) != 0 ||
	    rte_eth_dev_rss_reta_query(port, reta, 64) != 0 ||
	    fosim_configured_queues(port, &st->nb_rxq, &st->nb_txq) != 0)
		return -1;
	st->promisc = rte_eth_promiscuous_get(port);
	st->allmulti = rte_eth_allmulticast_get(port);
	st->extra_mac = mac_in(port, &fault_mac);
	st->vlan = fosim_vlan_filtered(port, 300);
	st->nb_mc = fosim_mc_list(port, mc, RTE_DIM(mc));
	st->started = rte_eth_devices[port].data->dev_started;
	st->rss_hf = rss.rss_hf;
	memcpy(st->reta, reta[0].reta, sizeof(st->reta));
	st->link = link_of(port);
	st->vlan_offload = rte_eth_dev_get_vlan_offload(port);
	st->tpid = fosim_vlan_tpid(port, RTE_ETH_VLAN_TYPE_OUTER);
	st->rxq_state = rte_eth_devices[port].data->rx_queue_state[FAULT_Q];
	st->txq_state = rte_eth_devices[port].data->tx_queue_state[FAULT_Q];
	return rte_eth_dev_flow_ctrl_get(port, &st->fc);
}

static int
fault_mtu(void)
{
	return rte_eth_dev_set_mtu(fo_port, 2222);
}

static int
fault_promisc(void)
{
	return rte_eth_promiscuous_get(fo_port) ? rte_eth_promiscuous_disable(fo_port) :
						  rte_eth_promiscuous_enable(fo_port);
}

static int
fault_allmulti(void)
{
	return rte_eth_allmulticast_get(fo_port) ? rte_eth_allmulticast_disable(fo_port) :
						   rte_eth_allmulticast_enable(fo_port);
}

static int
fault_mac_set(void)
{
	return rte_eth_dev_default_mac_addr_set(fo_port, (struct rte_ether_addr *)&fault_mac);
}

static int
fault_mac_add(void)
{
	return rte_eth_dev_mac_addr_add(fo_port, (struct rte_ether_addr *)&fault_mac, 0);
}

static int
fault_mc_list(void)
{
	struct rte_ether_addr mc[3] = {
		{{ 0x01, 0x00, 0x5e, 0, 0, 0x31 }}, {{ 0x01, 0x00, 0x5e, 0, 0, 0x32 }},
		{{ 0x01, 0x00, 0x5e, 0, 0, 0x33 }},
	};

	return rte_eth_dev_set_mc_addr_list(fo_port, mc, RTE_DIM(mc));
}

static int
fault_vlan(void)
{
	return rte_eth_dev_vlan_filter(fo_port, 300, 1);
}

static int
fault_rss(void)
{
	struct rte_eth_rss_conf rss = { .rss_hf = RTE_ETH_RSS_NONFRAG_IPV4_UDP };

	return rte_eth_dev_rss_hash_update(fo_port, &rss);
}

static int
fault_reta(void)
{
	struct rte_eth_rss_reta_entry64 reta[1] = {{ .mask = UINT64_MAX }};
	int i;

	for (i = 0; i < 64; i++)
		reta[0].reta[i] = (63 - i) % NB_Q;
	return rte_eth_dev_rss_reta_update(fo_port, reta, 64);
}

static int
fault_link_down(void)
{
	return rte_eth_dev_set_link_down(fo_port);
}

static int
fault_link_up(void)
{
	return rte_eth_dev_set_link_up(fo_port);
}

static int
fault_vlan_offload(void)
{
	return rte_eth_dev_set_vlan_offload(fo_port, rte_eth_dev_get_vlan_offload(fo_port) ^
					    RTE_ETH_VLAN_STRIP_OFFLOAD);
}

static int
fault_tpid(void)
{
	return rte_eth_dev_set_vlan_ether_type(fo_port, RTE_ETH_VLAN_TYPE_OUTER, 0x9100);
}

static int
fault_flow_ctrl(void)
{
	struct rte_eth_fc_conf fc = { .mode = RTE_ETH_FC_RX_PAUSE, .high_water = 2000 };

	return rte_eth_dev_flow_ctrl_set(fo_port, &fc);
}

/*
 * Queue start/stop of FAULT_Q: a start fault runs on a queue stopped
 * first (prep) and started again after (done).
 */
static int
fault_rxq_stop(void)
{
	return rte_eth_dev_rx_queue_stop(fo_port, FAULT_Q);
}

static int
fault_rxq_start(void)
{
	return rte_eth_dev_rx_queue_start(fo_port, FAULT_Q);
}

static int
fault_txq_stop(void)
{
	return rte_eth_dev_tx_queue_stop(fo_port, FAULT_Q);
}

static int
fault_txq_start(void)
{
	return rte_eth_dev_tx_queue_start(fo_port, FAULT_Q);
}

/* configure and start run on a stopped port; it is started again after. */
static int
fault_configure(void)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };

	if (rte_eth_dev_stop(fo_port) != 0)
		return 0;
	return rte_eth_dev_configure(fo_port, 1, 1, &conf);
}

static int
fault_start(void)
{
	if (rte_eth_dev_stop(fo_port) != 0)
		return 0;
	return rte_eth_dev_start(fo_port);
}

static const struct {
	const char *op;        /* fosim_set_fail() name */
	int (*apply)(void);    /* the failover port's op */
	bool restart;          /* the port is set up and started again after */
	int (*prep)(void);     /* before the states are read (NULL: none) */
	int (*done)(void);     /* after the checks (NULL: none) */
} faults[] = {
	{ "mtu", fault_mtu, false },
	{ "promisc", fault_promisc, false },
	{ "allmulti", fault_allmulti, false },
	{ "mac_set", fault_mac_set, false },
	{ "mac_add", fault_mac_add, false },
	{ "mc_list", fault_mc_list, false },
	{ "vlan_filter", fault_vlan, false },
	{ "rss_update", fault_rss, false },
	{ "reta_update", fault_reta, false },
	{ "link_down", fault_link_down, false },
	{ "link_up", fault_link_up, false },
	{ "vlan_offload", fault_vlan_offload, false },
	{ "vlan_tpid", fault_tpid, false },
	{ "flow_ctrl", fault_flow_ctrl, false },
	{ "rxq_stop", fault_rxq_stop, false },
	{ "rxq_start", fault_rxq_start, false, fault_rxq_stop, fault_rxq_start },
	{ "txq_stop", fault_txq_stop, false },
	{ "txq_start", fault_txq_start, false, fault_txq_stop, fault_txq_start },
	{ "configure", fault_configure, true },
	{ "start", fault_start, true },
};

/* The failover port's own state of FAULT_Q (rte_eth_rx/tx_queue_info_get). */
static int
fo_queue_states(void)
{
	struct rte_eth_rxq_info ri;
	struct rte_eth_txq_info ti;

	if (rte_eth_rx_queue_info_get(fo_port, FAULT_Q, &ri) != 0 ||
	    rte_eth_tx_queue_info_get(fo_port, FAULT_Q, &ti) != 0)
		return -1;
	return ri.queue_state * 16 + ti.queue_state;
}

static int
sub_state_same(const struct sub_state *a, const struct sub_state *b)
{
	return a->mtu == b->mtu && a->promisc == b->promisc && a->allmulti == b->allmulti &&
	       a->extra_mac == b->extra_mac && a->vlan == b->vlan && a->nb_mc == b->nb_mc &&
	       rte_is_same_ether_addr(&a->mac, &b->mac) && a->rss_hf == b->rss_hf &&
	       memcmp(a->reta, b->reta, sizeof(a->reta)) == 0 && a->nb_rxq == b->nb_rxq &&
	       a->nb_txq == b->nb_txq && a->link == b->link &&
	       a->vlan_offload == b->vlan_offload && a->tpid == b->tpid &&
	       a->fc.mode == b->fc.mode && a->fc.high_water == b->fc.high_water &&
	       a->fc.low_water == b->fc.low_water && a->fc.pause_time == b->fc.pause_time &&
	       a->rxq_state == b->rxq_state && a->txq_state == b->txq_state;
}

/* The failover port forwards: a burst out the active sub-port, one in. */
static int
fault_forwards(const char *what)
{
	struct rte_mbuf *pkts[BURST], *got[BURST * 2];
	uint16_t active, n;
	int role;

	role = rte_pmd_failover_active_path(fo_port);
	TEST_ASSERT(role == RTE_PMD_FAILOVER_PRIMARY || role == RTE_PMD_FAILOVER_STANDBY,
		    "%s: no active path", what);
	active = role == RTE_PMD_FAILOVER_PRIMARY ? prim : stby;
	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, BURST), "alloc");
	n = rte_eth_tx_burst(fo_port, 0, pkts, BURST);
	rte_pktmbuf_free_bulk(pkts + n, BURST - n);
	TEST_ASSERT_EQUAL(n, BURST, "%s: the failover port does not transmit", what);
	TEST_ASSERT_EQUAL(fosim_tx_collect(active, 0, got, RTE_DIM(got)), BURST,
			  "%s: the burst did not reach the active sub-port", what);
	TEST_ASSERT_EQUAL(fosim_rx_inject(active, 0, got, BURST), BURST, "inject");
	n = rte_eth_rx_burst(fo_port, 0, pkts, BURST);
	rte_pktmbuf_free_bulk(pkts, n);
	TEST_ASSERT_EQUAL(n, BURST, "%s: the failover port does not receive", what);
	return TEST_SUCCESS;
}

static int
test_fault_table(void)
{
	struct sub_state before[2], after[2];
	uint16_t subs[2] = { prim, stby };
	unsigned int f, r, i, n = 0;
	char what[64];
	int ret, fq;

	for (f = 0; f < RTE_DIM(faults); f++) {
		for (r = 0; r < 2; r++) {
			snprintf(what, sizeof(what), "%s failing on the %s", faults[f].op,
				 r ? "standby" : "primary");
			if (faults[f].prep != NULL)
				TEST_ASSERT_SUCCESS(faults[f].prep(), "%s: prep", what);
			for (i = 0; i < 2; i++)
				TEST_ASSERT_SUCCESS(sub_state_get(subs[i], &before[i]), "state");
			fq = fo_queue_states();
			TEST_ASSERT_SUCCESS(fosim_set_fail(subs[r], faults[f].op), "fail");
			ret = faults[f].apply();
			TEST_ASSERT_SUCCESS(fosim_set_fail(subs[r], ""), "clear");
			TEST_ASSERT(ret < 0, "%s: the failover port's op returned %d", what, ret);
			for (i = 0; i < 2; i++) {
				TEST_ASSERT_SUCCESS(sub_state_get(subs[i], &after[i]), "state");
				if (faults[f].restart) {  /* the stop before stopped the queues */
					after[i].rxq_state = before[i].rxq_state;
					after[i].txq_state = before[i].txq_state;
				}
				TEST_ASSERT(sub_state_same(&before[i], &after[i]),
					    "%s: the %s is not as it was", what,
					    i ? "standby" : "primary");
			}
			TEST_ASSERT(faults[f].restart || fo_queue_states() == fq,
				    "%s: the failover queue's state changed", what);
			if (faults[f].done != NULL)
				TEST_ASSERT_SUCCESS(faults[f].done(), "%s: done", what);
			if (faults[f].restart) {
				TEST_ASSERT_SUCCESS(fo_setup_port(fo_port), "%s: set up again", what);
				TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY,
								   2000), "%s: primary", what);
			}
			TEST_ASSERT_SUCCESS(fault_forwards(what), "%s", what);
			n++;
		}
	}
	printf("    %u faults injected (%zu ops x 2 sub-ports): each refused, rolled back,"
	       " forwarding after\n", n, RTE_DIM(faults));
	return ft_pool_check(pool, case_start);
}

/*
 * A VF asks for a reset (RTE_ETH_EVENT_INTR_RESET, after its PF reset):
 * TX moves to the standby, the primary is reset, the failover port's state
 * (VLAN filter, promiscuous mode: what the reset cleared) is replayed onto
 * it, and traffic returns to it.
 */
static int
test_vf_reset(void)
{
	uint64_t sw = ft_xstat(fo_port, "path_switches");
	unsigned int resets = fosim_op_count(prim, "reset"), ms;

	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fo_port, 300, 1), "vlan");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(fo_port), "promisc");
	TEST_ASSERT_SUCCESS(fosim_reset_request(prim), "reset request");
	for (ms = 0; ms < 2000 && fosim_op_count(prim, "reset") == resets; ms++)
		ft_sleep_us(1000);
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "reset"), resets + 1, "the primary was not reset");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "traffic did not return to the primary");
	TEST_ASSERT_EQUAL(ft_xstat(fo_port, "path_switches"), sw + 2,
			  "TX did not move to the standby and back");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(prim, 300), 1, "VLAN filter not replayed");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(prim), 1, "promiscuous mode not replayed");
	TEST_ASSERT_SUCCESS(fault_forwards("after a VF reset"), "forwarding");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fo_port, 300, 0), "vlan off");
	return ft_pool_check(pool, case_start);
}

static int
test_start_configure_rollback(void)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	uint16_t rx, tx;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "start"), "fail");
	TEST_ASSERT_FAIL(rte_eth_dev_start(fo_port), "start accepted");
	TEST_ASSERT_EQUAL(rte_eth_devices[prim].data->dev_started, 0,
			  "primary left started after a failed start");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "configure"), "fail");
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	TEST_ASSERT_FAIL(rte_eth_dev_configure(fo_port, 1, 1, &conf), "configure accepted");
	TEST_ASSERT_SUCCESS(fosim_configured_queues(prim, &rx, &tx), "queues");
	TEST_ASSERT_EQUAL(rx * 10 + tx, NB_Q * 10 + NB_Q, "primary configure not rolled back");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, ""), "clear");
	/* ethdev leaves a port whose configure failed unconfigured: set it up again */
	TEST_ASSERT_SUCCESS(fo_setup_port(fo_port), "set up again");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "primary active");
	return TEST_SUCCESS;
}

/* Offered = sent on a path + returned to the caller; nothing else. */
static int
test_datapath_failover_counts(void)
{
	struct rte_mbuf *pkts[BURST], *out[BURST * 2];
	unsigned int i, offered = 0, sent = 0, collected = 0;
	uint16_t n;

	for (i = 0; i < 3; i++) {
		TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, BURST), "alloc");
		if (i == 1) {
			TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "link down");
			TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000),
					    "no failover on LSC down");
		} else if (i == 2) {
			TEST_ASSERT_SUCCESS(fosim_set_link(stby, 0), "standby down");
			TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_NONE, 2000),
					    "none");
		}
		offered += BURST;
		n = rte_eth_tx_burst(fo_port, 0, pkts, BURST);
		sent += n;
		rte_pktmbuf_free_bulk(pkts + n, BURST - n); /* returned to us */
	}
	collected += fosim_tx_collect(prim, 0, out, RTE_DIM(out));
	rte_pktmbuf_free_bulk(out, collected);
	n = fosim_tx_collect(stby, 0, out, RTE_DIM(out));
	rte_pktmbuf_free_bulk(out, n);
	TEST_ASSERT_EQUAL(collected, BURST, "primary got the first burst only");
	TEST_ASSERT_EQUAL(n, BURST, "standby got the second burst only");
	TEST_ASSERT_EQUAL(sent, 2 * BURST, "third burst (no path) must return 0");
	TEST_ASSERT_EQUAL(ft_xstat(fo_port, "tx_no_path_packets"), BURST, "no-path count");
	TEST_ASSERT_EQUAL(offered, sent + BURST, "offered != transmitted + returned");
	TEST_ASSERT_SUCCESS(fosim_set_link(stby, 1), "standby up");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "primary up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "failback on LSC");
	return ft_pool_check(pool, case_start);
}

/*
 * path_switches counts TX moving between sub-ports, not the application's
 * own stop and start (with both links up all along: no switch at all).
 */
static int
test_switches_real_only(void)
{
	uint64_t before = ft_xstat(fo_port, "path_switches");
	int i;

	for (i = 0; i < 3; i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
		TEST_ASSERT_SUCCESS(rte_eth_dev_start(fo_port), "start");
		TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000),
				    "not on the primary after a restart");
	}
	TEST_ASSERT_EQUAL(ft_xstat(fo_port, "path_switches"), before,
			  "stop/start counted as path switches");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 0), "link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_STANDBY, 2000), "failover");
	TEST_ASSERT_SUCCESS(fosim_set_link(prim, 1), "link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(fo_port, RTE_PMD_FAILOVER_PRIMARY, 2000), "failback");
	TEST_ASSERT_EQUAL(ft_xstat(fo_port, "path_switches"), before + 2,
			  "a failover and a failback are two switches");
	return ft_pool_check(pool, case_start);
}

static int
test_rx_both_rewrites_port(void)
{
	struct rte_mbuf *pkts[16], *rx[32];
	unsigned int got = 0, i;
	uint64_t end;
	uint16_t n, q;

	for (q = 0; q < NB_Q; q++) {
		TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, 16), "alloc");
		TEST_ASSERT_EQUAL(fosim_rx_inject(prim, q, pkts, 8), 8, "inject primary");
		TEST_ASSERT_EQUAL(fosim_rx_inject(stby, q, pkts + 8, 8), 8, "inject standby");
		/* the idle standby is polled once every rx_idle_poll_us (1 ms) */
		for (end = ft_deadline(1000), got = 0; got < 16 && !ft_expired(end);) {
			n = rte_eth_rx_burst(fo_port, q, rx, RTE_DIM(rx));
			for (i = 0; i < n; i++)
				TEST_ASSERT_EQUAL(rx[i]->port, fo_port, "mbuf->port not rewritten");
			got += n;
			rte_pktmbuf_free_bulk(rx, n);
			if (n == 0)
				ft_sleep_us(FT_NAP_US);
		}
		TEST_ASSERT_EQUAL(got, 16, "queue %u: packets stranded on a path", q);
	}
	return ft_pool_check(pool, case_start);
}

static int
inject_tagged(uint16_t port, char tag, unsigned int n)
{
	struct rte_mbuf *pkts[64];
	unsigned int i;

	if (n > RTE_DIM(pkts) || rte_pktmbuf_alloc_bulk(pool, pkts, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		rte_pktmbuf_append(pkts[i], 1);
		*rte_pktmbuf_mtod(pkts[i], char *) = tag;
	}
	return fosim_rx_inject(port, 0, pkts, n) == (int)n ? 0 : -1;
}

/*
 * Both paths busy: neither starves the other. The inactive path delivers
 * first (so it is polled on every burst), then both hold packets: no path
 * may go two bursts in a row without delivering while it has some.
 */
static int
test_rx_fair(void)
{
	struct rte_mbuf *rx[32];
	unsigned int left_p = 0, left_s = 0, dry_p = 0, dry_s = 0, i, t, k, p, sb;
	uint64_t end;
	uint16_t n;

	for (k = 0; k < 4; k++)
		TEST_ASSERT_SUCCESS(inject_tagged(stby, 'S', 64), "inject standby");
	left_s = 256;
	/* wait for the inactive path's first delivery: it is hot from now on */
	for (end = ft_deadline(1000), n = 0; n == 0 && !ft_expired(end);) {
		n = rte_eth_rx_burst(fo_port, 0, rx, RTE_DIM(rx));
		if (n == 0)
			ft_sleep_us(FT_NAP_US);
	}
	TEST_ASSERT(n > 0, "the standby path was never polled");
	left_s -= n;
	rte_pktmbuf_free_bulk(rx, n);
	for (k = 0; k < 4; k++)
		TEST_ASSERT_SUCCESS(inject_tagged(prim, 'P', 64), "inject primary");
	left_p = 256;
	for (t = 0; t < 64 && left_p + left_s > 0; t++) {
		bool both = left_p > 0 && left_s > 0;

		n = rte_eth_rx_burst(fo_port, 0, rx, RTE_DIM(rx));
		for (i = 0, p = 0, sb = 0; i < n; i++) {
			p += *rte_pktmbuf_mtod(rx[i], char *) == 'P';
			sb += *rte_pktmbuf_mtod(rx[i], char *) == 'S';
		}
		rte_pktmbuf_free_bulk(rx, n);
		left_p -= p;
		left_s -= sb;
		dry_p = both && p == 0 ? dry_p + 1 : 0;
		dry_s = both && sb == 0 ? dry_s + 1 : 0;
		TEST_ASSERT(dry_p < 2, "burst %u: the active path starved by the inactive one", t);
		TEST_ASSERT(dry_s < 2, "burst %u: the inactive path starved by the active one", t);
	}
	TEST_ASSERT(left_p == 0 && left_s == 0, "%u + %u packets not received", left_p, left_s);
	return ft_pool_check(pool, case_start);
}

/* Bursts on queue 0 until n frames came or ms passed; how many came. */
static unsigned int
rx_for(uint16_t port, unsigned int n, unsigned int ms)
{
	uint64_t end = ft_deadline(ms);
	struct rte_mbuf *rx[32];
	unsigned int got = 0;
	uint16_t k;

	while (got < n && !ft_expired(end)) {
		k = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
		rte_pktmbuf_free_bulk(rx, k);
		got += k;
		if (k == 0)
			ft_sleep_us(FT_NAP_US);
	}
	return got;
}

/* One burst that finds nothing: a path that delivered is not hot any more. */
static int
rx_cool(uint16_t port)
{
	struct rte_mbuf *rx[32];
	uint16_t k = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));

	rte_pktmbuf_free_bulk(rx, k);
	return k == 0 ? 0 : -1;
}

/*
 * The idle inactive path (the standby while the primary is active) is
 * polled once every rx_idle_poll_us: frames put on it arrive within that
 * period (the suite's port: 1 ms), not on the next bursts (a port at 1 s,
 * right after a tick); after a switch, the old path is polled at once.
 */
static int
test_rx_idle_polled(void)
{
	uint64_t start, worst = 0, total = 0, t;
	uint16_t port, p, s;
	unsigned int k;

	for (k = 0; k < 20; k++) {
		TEST_ASSERT_SUCCESS(rx_cool(fo_port), "frames from nowhere");
		TEST_ASSERT_SUCCESS(inject_tagged(stby, 'S', 4), "inject standby");
		start = rte_get_timer_cycles();
		TEST_ASSERT_EQUAL(rx_for(fo_port, 4, 1000), 4, "standby frames not received");
		t = rte_get_timer_cycles() - start;
		worst = RTE_MAX(worst, t);
		total += t;
	}
	printf("  idle standby at 1 ms: worst wait of 20 %.2f ms, total %.1f ms\n",
	       ft_ms(worst), ft_ms(total));
	TEST_ASSERT(ft_ms(worst) < 200, "the idle standby waited %.1f ms", ft_ms(worst));

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_i0",
			"primary=(net_fosim22),standby=(net_fosim23),rx_idle_poll_us=1000000"),
			"probe with rx_idle_poll_us=1000000");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_i0", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &p),
			    "primary");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &s),
			    "standby");
	TEST_ASSERT_SUCCESS(fo_setup_port(port), "setup");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary active");
	/* twice: the first may be the start's poll; the second comes with a tick */
	for (k = 0; k < 2; k++) {
		TEST_ASSERT_SUCCESS(inject_tagged(s, 'S', 1), "inject standby");
		TEST_ASSERT_EQUAL(rx_for(port, 1, 3000), 1, "standby never polled");
		/* it delivered: polled by the next bursts until it has nothing */
		TEST_ASSERT_SUCCESS(rx_cool(port), "frames from nowhere");
	}
	start = rte_get_timer_cycles();
	TEST_ASSERT_SUCCESS(inject_tagged(s, 'S', 4), "inject standby");
	TEST_ASSERT_EQUAL(rx_for(port, 4, 300), 0, "the idle standby polled before its tick");
	TEST_ASSERT_EQUAL(rx_for(port, 4, 3000), 4, "standby frames not received");
	t = rte_get_timer_cycles() - start;
	TEST_ASSERT_SUCCESS(rx_cool(port), "frames from nowhere");
	printf("  idle standby at 1 s: received %.0f ms after the last tick\n", ft_ms(t));
	TEST_ASSERT(ft_ms(t) > 500, "received %.0f ms after the last tick", ft_ms(t));
	/* right after a tick: stragglers on the primary, then a switch */
	TEST_ASSERT_SUCCESS(inject_tagged(p, 'P', 8), "inject primary");
	TEST_ASSERT_SUCCESS(fosim_set_link(p, 0), "primary down");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_STANDBY, 2000),
			    "standby active");
	TEST_ASSERT(ft_ms(rte_get_timer_cycles() - start - t) < 500, "switch too slow to tell");
	TEST_ASSERT_EQUAL(rx_for(port, 8, 100), 8, "the old path's stragglers not polled at once");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_failover_i0"), "uninit");
	return ft_pool_check(pool, case_start);
}

/* rx_port_rewrite=0: mbuf->port is what the sub-port wrote. */
static int
test_rx_port_kept(void)
{
	struct rte_mbuf *pkts[8], *rx[16];
	unsigned int got = 0, i, t;
	uint16_t port, p, n;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_k0",
			"primary=(net_fosim20),standby=(net_fosim21),rx_port_rewrite=0"),
			"probe with rx_port_rewrite=0");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_k0", &port), "port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &p),
			    "primary");
	TEST_ASSERT_SUCCESS(fo_setup_port(port), "setup");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary active");
	TEST_ASSERT_SUCCESS(rte_pktmbuf_alloc_bulk(pool, pkts, 8), "alloc");
	TEST_ASSERT_EQUAL(fosim_rx_inject(p, 0, pkts, 8), 8, "inject");
	for (t = 0; t < 64 && got < 8; t++) {
		n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
		for (i = 0; i < n; i++)
			TEST_ASSERT_EQUAL(rx[i]->port, p, "mbuf->port rewritten");
		got += n;
		rte_pktmbuf_free_bulk(rx, n);
	}
	TEST_ASSERT_EQUAL(got, 8, "packets lost");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_failover_k0"), "uninit");
	return ft_pool_check(pool, case_start);
}

static int
test_xstats_names_stable(void)
{
	static const char *const want[] = {
		"primary_rx_packets", "primary_tx_packets", "standby_rx_packets",
		"standby_tx_packets", "tx_no_path_bursts", "tx_no_path_packets",
		"path_switches", "active_path", "refused_ports",
	};
	struct rte_eth_xstat_name names[64];
	int n = rte_eth_xstats_get_names(fo_port, names, RTE_DIM(names));
	int base = n - (int)RTE_DIM(want), i;

	TEST_ASSERT(base >= 0, "too few xstats: %d", n);
	for (i = 0; i < (int)RTE_DIM(want); i++)
		TEST_ASSERT(strcmp(names[base + i].name, want[i]) == 0,
			    "xstat %d is %s, want %s", base + i, names[base + i].name, want[i]);
	TEST_ASSERT_EQUAL(ft_xstat(fo_port, "active_path"), RTE_PMD_FAILOVER_PRIMARY, "active");
	return TEST_SUCCESS;
}

/* A primary that appears later gets the whole current state, then the TX. */
static int
test_replay_on_join(void)
{
	struct rte_ether_addr mc[1] = {{{ 0x01, 0x00, 0x5e, 0, 0, 7 }}}, got[2];
	struct rte_eth_rss_conf rss = { .rss_hf = RTE_ETH_RSS_IPV4 }, rget = { 0 };
	struct rte_eth_fc_conf fc = { .mode = RTE_ETH_FC_TX_PAUSE, .pause_time = 0x200 }, fget;
	struct rte_ether_addr gone = {{ 0x02, 0xee, 0, 0, 0, 0x10 }};
	struct rte_ether_addr kept = {{ 0x02, 0xee, 0, 0, 0, 0x11 }};
	uint16_t port, late, mtu, rx, tx;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_c1",
			"primary=net_fosim_late,standby=(net_fosim7,mac=02:fa:00:00:00:c1),"
			"link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_c1", &port), "port");
	TEST_ASSERT_SUCCESS(fo_setup_port(port), "setup");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby active");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(port, 1400), "mtu");
	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_enable(port), "allmulti");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(port, mc, 1), "mc");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 42, 1), "vlan");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_update(port, &rss), "rss");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(port, RTE_ETH_VLAN_STRIP_OFFLOAD |
							 RTE_ETH_VLAN_FILTER_OFFLOAD), "strip");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_strip_on_queue(port, 1, 0), "queue 1 no strip");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_ether_type(port, RTE_ETH_VLAN_TYPE_OUTER, 0x88a8),
			    "tpid");
	TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_set(port, &fc), "flow ctrl");
	/* a MAC added then removed is not replayed; one still there is */
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(port, &gone, 0), "mac add");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(port, &kept, 0), "mac add");
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_remove(port, &gone), "mac remove");

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_late", "mac=02:00:00:00:77:77"), "late");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 1000, &late),
			    "not adopted");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 2000), "no failback");
	TEST_ASSERT_SUCCESS(fosim_configured_queues(late, &rx, &tx), "queues");
	TEST_ASSERT_EQUAL(rx * 10 + tx, NB_Q * 10 + NB_Q, "queues not replayed");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(late, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "MTU not replayed");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(late), 1, "allmulti not replayed");
	TEST_ASSERT_EQUAL(fosim_mc_list(late, got, 2), 1, "mc list not replayed");
	TEST_ASSERT_EQUAL(fosim_vlan_filtered(late, 42), 1, "VLAN not replayed");
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(late, &rget), "rss");
	TEST_ASSERT_EQUAL(rget.rss_hf, RTE_ETH_RSS_IPV4, "RSS not replayed");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(late, &got[0]), "mac");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &got[1]), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&got[0], &got[1]), "MAC not set on the newcomer");
	TEST_ASSERT_EQUAL(rte_eth_dev_get_vlan_offload(late),
			  RTE_ETH_VLAN_STRIP_OFFLOAD | RTE_ETH_VLAN_FILTER_OFFLOAD,
			  "VLAN offloads not replayed");
	TEST_ASSERT_EQUAL(fosim_op_count(late, "vlan_strip_q"), 1, "queue strip not replayed");
	TEST_ASSERT_EQUAL(fosim_vlan_strip_queue(late, 1), 0, "queue strip replayed wrong");
	TEST_ASSERT_EQUAL(fosim_vlan_tpid(late, RTE_ETH_VLAN_TYPE_OUTER), 0x88a8,
			  "TPID not replayed");
	TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_get(late, &fget), "fc get");
	TEST_ASSERT(fget.mode == RTE_ETH_FC_TX_PAUSE && fget.pause_time == 0x200,
		    "flow control not replayed");
	TEST_ASSERT(mac_in(late, &kept), "extra MAC not replayed");
	TEST_ASSERT(!mac_in(late, &gone), "a removed MAC was replayed");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	TEST_ASSERT_EQUAL(fosim_op_count(late, "close"), 1, "late primary not closed once");
	rte_vdev_uninit("net_failover_c1");
	rte_vdev_uninit("net_fosim_late");
	return ft_pool_check(pool, case_start);
}

/*
 * A failover port set link down stays down: a primary that joins then is
 * set down too (after its start), no path is published, and link up
 * brings both back.
 */
static int
test_link_down_on_join(void)
{
	uint16_t port, late;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_c4",
			"primary=net_fosim_late4,standby=(net_fosim11,mac=02:fa:00:00:00:c4),"
			"link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_c4", &port), "port");
	TEST_ASSERT_SUCCESS(fo_setup_port(port), "setup");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_STANDBY, 2000), "standby active");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_down(port), "link down");
	TEST_ASSERT_EQUAL(link_of(port), RTE_ETH_LINK_DOWN, "failover link up");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_late4", "mac=02:00:00:00:77:74"), "late");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 1000, &late),
			    "not adopted");
	TEST_ASSERT_EQUAL(rte_eth_devices[late].data->dev_started, 1, "late primary not started");
	TEST_ASSERT(fosim_op_count(late, "link_down") >= 1, "late primary not set down");
	TEST_ASSERT_EQUAL(link_of(late), RTE_ETH_LINK_DOWN, "late primary's link up");
	ft_sleep_us(20 * 1000);  /* 20 link polls */
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(port), RTE_PMD_FAILOVER_NONE,
			  "a path on a port set down");
	TEST_ASSERT_EQUAL(link_of(port), RTE_ETH_LINK_DOWN, "failover link up");
	/* and across its own restart */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start");
	TEST_ASSERT_EQUAL(link_of(late), RTE_ETH_LINK_DOWN, "up again after a restart");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_up(port), "link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, 2000), "primary active");
	TEST_ASSERT_EQUAL(link_of(port), RTE_ETH_LINK_UP, "failover link down");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	rte_vdev_uninit("net_failover_c4");
	rte_vdev_uninit("net_fosim_late4");
	return ft_pool_check(pool, case_start);
}

/* Unfit newcomers are refused with a log line and counted. */
static int
test_unfit_join_refused(void)
{
	uint16_t port, sub;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_c2",
			"primary=net_fosim_bad,standby=(net_fosim8,mac=02:fa:00:00:00:c2),"
			"link_poll_ms=1"), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_c2", &port), "port");
	TEST_ASSERT_SUCCESS(fo_setup_port(port), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(port, 5000), "mtu");
	/* max_mtu=4000: it cannot take the failover port's MTU */
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_bad", "max_mtu=4000"), "bad");
	/* adopted, or refused, adopt_delay_ms after the application's probe */
	TEST_ASSERT_SUCCESS(ft_wait_xstat(port, "refused_ports", 1, 2000), "refusal not counted");
	TEST_ASSERT_EQUAL(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			  -ENODEV, "an unfit primary was adopted");
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(port), RTE_PMD_FAILOVER_STANDBY,
			  "standby lost");
	/* and one that refuses the MAC is refused too */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close");
	rte_vdev_uninit("net_failover_c2");
	rte_vdev_uninit("net_fosim_bad");
	return ft_pool_check(pool, case_start);
}

static int
test_mac_refused(void)
{
	uint16_t port;

	ft_log_reset();
	TEST_ASSERT_FAIL(rte_vdev_init("net_failover_c3",
			"primary=(net_fosim9,no_mac_set=1,mac=02:00:00:00:00:99),"
			"standby=(net_fosim10),mac=02:fa:00:00:00:c3"),
			"a primary named in devargs refusing the MAC did not fail the probe");
	TEST_ASSERT(ft_log_has("primary net_fosim9 not adopted: port"),
		    "the error does not name the primary");
	TEST_ASSERT(ft_log_has("refuses the failover MAC"), "the error does not say why");
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_failover_c3", &port) != 0,
		    "a failover port was left");
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_fosim9", &port) != 0,
		    "its own device was left");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (ft_log_open() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("ctl_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return -1;
	if (rte_vdev_init(FO_NAME,
			"primary=(net_fosim0,max_rxq=4,max_txq=3,tx_offload_capa=0x8006,"
			"ptypes=0x1ff),"
			"standby=(net_fosim1,max_rxq=2,max_txq=8,max_mtu=4000,ptypes=0x3fa),"
			"mac=" MAC ",link_poll_ms=1") != 0 ||
	    rte_eth_dev_get_port_by_name(FO_NAME, &fo_port) != 0 ||
	    rte_pmd_failover_sub_port(fo_port, RTE_PMD_FAILOVER_PRIMARY, &prim) != 0 ||
	    rte_pmd_failover_sub_port(fo_port, RTE_PMD_FAILOVER_STANDBY, &stby) != 0)
		return -1;
	return fo_setup_port(fo_port);
}

static int
test_close_once(void)
{
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fo_port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(fo_port), "close");
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "close"), 1, "primary not closed exactly once");
	TEST_ASSERT_EQUAL(fosim_op_count(stby, "close"), 1, "standby not closed exactly once");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(FO_NAME), "uninit");
	return ft_pool_check(pool, pool->size);
}

static void
suite_teardown(void)
{
	if (rte_eth_dev_is_valid_port(fo_port))
		rte_eth_dev_close(fo_port);
	rte_mempool_free(pool);
}

static struct unit_test_suite control_suite = {
	.suite_name = "failover control path over fosim",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, case_teardown, test_caps_intersection),
		TEST_CASE_ST(case_setup, case_teardown, test_configure_reaches_both),
		TEST_CASE_ST(case_setup, case_teardown, test_ops_reach_both),
		TEST_CASE_ST(case_setup, case_teardown, test_surface_ops),
		TEST_CASE_ST(case_setup, case_teardown, test_rollback_each_op),
		TEST_CASE_ST(case_setup, case_teardown, test_fault_table),
		TEST_CASE_ST(case_setup, case_teardown, test_vf_reset),
		TEST_CASE_ST(case_setup, case_teardown, test_start_configure_rollback),
		TEST_CASE_ST(case_setup, case_teardown, test_datapath_failover_counts),
		TEST_CASE_ST(case_setup, case_teardown, test_switches_real_only),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_both_rewrites_port),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_port_kept),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_fair),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_idle_polled),
		TEST_CASE_ST(case_setup, case_teardown, test_xstats_names_stable),
		TEST_CASE_ST(case_setup, case_teardown, test_replay_on_join),
		TEST_CASE_ST(case_setup, case_teardown, test_link_down_on_join),
		TEST_CASE_ST(case_setup, case_teardown, test_unfit_join_refused),
		TEST_CASE_ST(case_setup, case_teardown, test_mac_refused),
		TEST_CASE(test_close_once),
		TEST_CASES_END()
	}
};

FT_MAIN(control_suite)
