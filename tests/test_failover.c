/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Failover suite over real PMDs: a net_tap primary (its kernel interface is
 * taken down and up with `ip link`) and a virtio-user standby talking to a
 * net_vhost backend in the same process. Checks path choice, failover and
 * failback, receive from both paths, control ops reaching both sub-ports,
 * statistics, and that every mbuf is accounted for.
 */

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ft_rig.h"
#include "ft_stats.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define TAP_IF "fotap0"
#define TEST_ETHERTYPE 0x88b5
#define BURST FT_BURST

static const struct rte_ether_addr fo_mac = {{ 0x02, 0xfa, 0x11, 0x00, 0x00, 0x01 }};
static const struct ft_rig_conf rig_conf = {
	.suffix = "0",
	.fo_name = "net_failover0",
	.mac = "02:fa:11:00:00:01",
	.primary = "(net_tap0,iface=" TAP_IF ")",
	.fo_extra = ",link_poll_ms=5",
	.lsc = true,
};
static struct ft_rig rig;
static uint16_t tap_port;
static unsigned int pool_start, case_start;
static volatile int lsc_events;
static volatile int lsc_last_status;

static int
lsc_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_eth_link link;

	RTE_SET_USED(type);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	if (rte_eth_link_get_nowait(port, &link) == 0)
		lsc_last_status = link.link_status;
	lsc_events++;
	return 0;
}

static int
wait_active(int role, unsigned int ms)
{
	return ft_wait_active(rig.fo, role, ms);
}

static uint64_t
xstat(const char *name)
{
	return ft_xstat(rig.fo, name);
}

static int
make_pkts(struct rte_mempool *mp, struct rte_mbuf **pkts, unsigned int n, uint16_t tag)
{
	struct rte_ether_hdr *eh;
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(pkts[i], 64);
		memset(eh, 0, 64);
		eh->dst_addr = fo_mac;
		eh->src_addr.addr_bytes[0] = 0x02;
		eh->src_addr.addr_bytes[5] = 0x99;
		eh->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
		*(uint16_t *)(eh + 1) = tag;
	}
	return 0;
}

/* Send n packets through the failover port; the rest is freed. */
static unsigned int
send_burst(unsigned int n, uint16_t tag)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t sent;

	if (make_pkts(rig.pool, pkts, n, tag) != 0)
		return 0;
	sent = rte_eth_tx_burst(rig.fo, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

static unsigned int
is_test_pkt(const struct rte_mbuf *m, uint16_t tag)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return eh->ether_type == rte_cpu_to_be_16(TEST_ETHERTYPE) &&
	       *(const uint16_t *)(eh + 1) == tag;
}

/* Receive on a port for up to ms; count (and free) packets carrying tag. */
static unsigned int
recv_tagged(uint16_t port, uint16_t tag, unsigned int want, unsigned int ms,
	    unsigned int *bad_port)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int got = 0, i, t;
	uint16_t n;

	for (t = 0; t < ms * 10 && got < want; t++) {
		n = rte_eth_rx_burst(port, 0, pkts, BURST);
		for (i = 0; i < n; i++) {
			got += is_test_pkt(pkts[i], tag);
			if (bad_port != NULL && pkts[i]->port != port)
				(*bad_port)++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		if (n == 0)
			ft_sleep_us(100);
	}
	return got;
}

/* Kernel side of the tap: send n tagged frames into it. */
static int
tap_inject(unsigned int n, uint16_t tag)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t frame[64] = { 0 };
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	unsigned int i;
	int fd, ret = 0;

	fd = socket(AF_PACKET, SOCK_RAW, htons(TEST_ETHERTYPE));
	if (fd < 0)
		return -1;
	sll.sll_ifindex = if_nametoindex(TAP_IF);
	sll.sll_halen = RTE_ETHER_ADDR_LEN;
	eh->dst_addr = fo_mac;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
	memcpy(frame + sizeof(*eh), &tag, sizeof(tag));
	for (i = 0; i < n && ret == 0; i++)
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != sizeof(frame))
			ret = -1;
	close(fd);
	return ret;
}

/* Drop whatever is queued anywhere so that the pool count settles. */
static void
drain(void)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n;
	int i;

	for (i = 0; i < 50; i++) {
		n = rte_eth_rx_burst(rig.fo, 0, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, n);
		if (rte_eth_dev_is_valid_port(rig.vh)) {
			n = rte_eth_rx_burst(rig.vh, 0, pkts, BURST);
			rte_pktmbuf_free_bulk(pkts, n);
		}
		ft_sleep_us(200);
	}
}

static int
case_setup(void)
{
	drain();
	case_start = rte_mempool_avail_count(rig.pool);
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	ft_sh("ip link set dev " TAP_IF " up");
	drain();
}

#define CHECK_POOL() do {						\
	drain();							\
	TEST_ASSERT_SUCCESS(ft_pool_check(rig.pool, case_start), "mbufs leaked"); \
} while (0)

/*
 * virtio keeps transmitted mbufs in its TX ring until a later burst cleans
 * it (they all come back at close: test_close_returns_pool). A case that
 * sent n packets on the standby may find at most n of them still there.
 */
#define CHECK_POOL_VIRTIO_HELD(n) do {					\
	unsigned int now_;						\
	drain();							\
	now_ = rte_mempool_avail_count(rig.pool);				\
	TEST_ASSERT(now_ <= case_start && case_start - now_ <= (n),	\
		    "%u mbufs missing, at most %u may sit in virtio's TX ring", \
		    case_start - now_, (unsigned int)(n));		\
} while (0)

static int
test_primary_preferred(void)
{
	struct rte_eth_stats before, after;

	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "primary not active");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &before), "stats");
	TEST_ASSERT_EQUAL(send_burst(BURST, 1), BURST, "tx burst on the primary");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &after), "stats");
	TEST_ASSERT_EQUAL(after.opackets - before.opackets, BURST, "not sent on the tap");
	TEST_ASSERT_EQUAL(recv_tagged(rig.vh, 1, 1, 50, NULL), 0, "leaked onto standby");
	CHECK_POOL();
	return TEST_SUCCESS;
}

static int
test_failover_link_down(void)
{
	uint64_t sw = xstat("path_switches"), stx = xstat("standby_tx_packets");
	uint64_t t0, t1;

	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "primary not active");
	t0 = rte_get_timer_cycles();
	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " down"), "ip link down");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_STANDBY, 2000),
			    "no failover to the standby within 2 s");
	t1 = rte_get_timer_cycles();
	printf("  failover after link down: %.1f ms (includes ip(8))\n",
	       (t1 - t0) * 1000.0 / rte_get_timer_hz());
	TEST_ASSERT_EQUAL(send_burst(BURST, 2), BURST, "tx burst on the standby");
	TEST_ASSERT_EQUAL(recv_tagged(rig.vh, 2, BURST, 500, NULL), BURST,
			  "vhost backend did not get the burst");
	TEST_ASSERT(xstat("standby_tx_packets") >= stx + BURST, "standby_tx_packets");
	TEST_ASSERT(xstat("path_switches") > sw, "path_switches did not move");
	CHECK_POOL_VIRTIO_HELD(BURST);
	return TEST_SUCCESS;
}

static int
test_failback_link_up(void)
{
	struct rte_eth_stats before, after;

	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " down"), "ip link down");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_STANDBY, 2000), "no failover");
	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " up"), "ip link up");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback to the primary within 2 s");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &before), "stats");
	TEST_ASSERT_EQUAL(send_burst(BURST, 3), BURST, "tx burst after failback");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &after), "stats");
	TEST_ASSERT_EQUAL(after.opackets - before.opackets, BURST, "not back on the tap");
	CHECK_POOL();
	return TEST_SUCCESS;
}

static int
test_rx_both_paths(void)
{
	struct rte_mbuf *pkts[16];
	unsigned int bad_port = 0, got;
	uint16_t sent;

	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "primary not active");
	/* standby path: the vhost backend transmits towards virtio-user */
	TEST_ASSERT_SUCCESS(make_pkts(rig.vh_pool, pkts, 16, 4), "alloc");
	sent = rte_eth_tx_burst(rig.vh, 0, pkts, 16);
	rte_pktmbuf_free_bulk(pkts + sent, 16 - sent);
	TEST_ASSERT_EQUAL(sent, 16, "vhost backend tx");
	/* primary path: the kernel side of the tap */
	TEST_ASSERT_SUCCESS(tap_inject(16, 4), "tap inject");
	got = recv_tagged(rig.fo, 4, 32, 1000, &bad_port);
	TEST_ASSERT_EQUAL(got, 32, "not every packet from both paths arrived");
	TEST_ASSERT_EQUAL(bad_port, 0, "mbuf->port not rewritten to the failover port");
	TEST_ASSERT(xstat("primary_rx_packets") >= 16, "primary_rx_packets");
	TEST_ASSERT(xstat("standby_rx_packets") >= 16, "standby_rx_packets");
	CHECK_POOL();
	return TEST_SUCCESS;
}

/* After a switch, packets still queued on the old path are delivered. */
static int
test_rx_not_stranded(void)
{
	struct rte_mbuf *pkts[16];
	uint16_t sent;

	TEST_ASSERT_SUCCESS(make_pkts(rig.vh_pool, pkts, 16, 5), "alloc");
	sent = rte_eth_tx_burst(rig.vh, 0, pkts, 16);
	rte_pktmbuf_free_bulk(pkts + sent, 16 - sent);
	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " down"), "ip link down");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_STANDBY, 2000), "no failover");
	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " up"), "ip link up");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "no failback");
	TEST_ASSERT_EQUAL(recv_tagged(rig.fo, 5, sent, 1000, NULL), sent,
			  "standby packets stranded after failback");
	CHECK_POOL();
	return TEST_SUCCESS;
}

static int
both_subs(int (*get)(uint16_t), int want, const char *what)
{
	TEST_ASSERT_EQUAL(get(tap_port), want, "%s on the primary", what);
	TEST_ASSERT_EQUAL(get(rig.vu), want, "%s on the standby", what);
	return TEST_SUCCESS;
}

static int
test_ops_reach_both(void)
{
	uint16_t mtu;

	struct rte_ether_addr mac = {{ 0x02, 0xfa, 0x11, 0x00, 0x00, 0x77 }}, got;

	TEST_ASSERT_SUCCESS(rte_eth_dev_default_mac_addr_set(rig.fo, &mac), "mac");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(tap_port, &got), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&got, &mac), "primary MAC not set");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(rig.vu, &got), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&got, &mac), "standby MAC not set");
	TEST_ASSERT_SUCCESS(rte_eth_dev_default_mac_addr_set(rig.fo,
			(struct rte_ether_addr *)(uintptr_t)&fo_mac), "mac back");

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(rig.fo, 1400), "mtu");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(tap_port, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "primary MTU");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(rig.vu, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "standby MTU");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(rig.fo, 1500), "mtu back");

	return TEST_SUCCESS;
}

/*
 * virtio-user over vhost-user has no control queue RX mode commands: it
 * refuses all-multicast (-ENOTSUP). The tap takes it first, so the failover
 * port must turn it off again on the tap and report the error.
 */
static int
test_rollback_real(void)
{
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(tap_port), 0, "tap allmulti at start");
	TEST_ASSERT_FAIL(rte_eth_allmulticast_enable(rig.fo),
			 "all-multicast accepted although virtio-user refuses it");
	TEST_ASSERT_SUCCESS(both_subs(rte_eth_allmulticast_get, 0, "allmulti"),
			    "all-multicast not rolled back");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(rig.fo), 0, "failover allmulti");
	return TEST_SUCCESS;
}

static int
stats_ge(const struct rte_eth_stats *a, const struct rte_eth_stats *b)
{
	return a->ipackets >= b->ipackets && a->opackets >= b->opackets &&
	       a->ibytes >= b->ibytes && a->obytes >= b->obytes &&
	       a->oerrors >= b->oerrors && a->ierrors >= b->ierrors;
}

static int
test_stats_monotonic(void)
{
	struct rte_eth_stats s1, s2, s3;

	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &s1), "stats");
	TEST_ASSERT_EQUAL(send_burst(BURST, 6), BURST, "tx");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &s2), "stats");
	TEST_ASSERT(s2.opackets >= s1.opackets + BURST, "opackets did not grow");
	/* a sub-port's own counters restart from zero: ours must not */
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(tap_port), "sub reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &s3), "stats");
	TEST_ASSERT(stats_ge(&s3, &s2), "stats went backwards (%" PRIu64 " < %" PRIu64 ")",
		    s3.opackets, s2.opackets);
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(rig.fo), "reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(rig.fo, &s3), "stats");
	TEST_ASSERT(s3.opackets < s2.opackets, "stats_reset did not reset");
	CHECK_POOL();
	return TEST_SUCCESS;
}

static int
wait_primary_present(int want, unsigned int ms)
{
	return ft_wait_sub(rig.fo, RTE_PMD_FAILOVER_PRIMARY, want, ms, &tap_port);
}

/* The tap primary is back, carries the replayed MTU and takes the traffic. */
static int
check_tap_back(const char *how)
{
	struct rte_eth_stats before, after;
	uint16_t mtu = 0;

	TEST_ASSERT_SUCCESS(wait_primary_present(1, 2000), "no primary after %s", how);
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "primary not active after %s", how);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(tap_port, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "MTU not replayed on the tap after %s", how);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &before), "stats");
	TEST_ASSERT_EQUAL(send_burst(BURST, 8), BURST, "tx after %s", how);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tap_port, &after), "stats");
	TEST_ASSERT_EQUAL(after.opackets - before.opackets, BURST, "not on the tap after %s", how);
	return TEST_SUCCESS;
}

/* The tap gone: TX on the standby, the kernel interface deleted with it. */
static int
check_tap_gone(const char *how)
{
	TEST_ASSERT_SUCCESS(wait_primary_present(0, 2000), "tap still there after %s", how);
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_STANDBY,
			  "standby not active after %s", how);
	TEST_ASSERT_EQUAL(if_nametoindex(TAP_IF), 0, "%s: interface still exists", how);
	TEST_ASSERT_EQUAL(send_burst(BURST, 9), BURST, "tx on the standby after %s", how);
	TEST_ASSERT_EQUAL(recv_tagged(rig.vh, 9, BURST, 500, NULL), BURST,
			  "vhost backend did not get the burst after %s", how);
	return TEST_SUCCESS;
}

/*
 * A real primary unplugged and plugged back three ways: the unplug request
 * event then RTE_DEV_EVENT_ADD (the failover probes its device string
 * again), and the API then a probe by the application (paired by the
 * device name in devargs), and rte_dev_remove() by the application
 * (DESTROY, on a quiet port: a late notice) then a probe again. The last
 * one hangs the EAL interrupt thread at the next link event if the tap's
 * LSC interrupt was enabled (net_tap 22.11 bug; the driver does not).
 */
static int
test_tap_unplug_replug(void)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(rig.fo, 1400), "mtu");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "primary not active");

	rte_dev_event_callback_process("net_tap0", RTE_DEV_EVENT_REMOVE);
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_STANDBY,
			  "TX not moved inside the REMOVE event");
	TEST_ASSERT_SUCCESS(check_tap_gone("RTE_DEV_EVENT_REMOVE"), "remove event");
	rte_dev_event_callback_process("net_tap0", RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(check_tap_back("RTE_DEV_EVENT_ADD"), "add event");

	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT_SUCCESS(check_tap_gone("rte_pmd_failover_primary_leave()"), "leave");
	TEST_ASSERT_SUCCESS(rte_dev_probe("net_tap0,iface=" TAP_IF), "probe by the application");
	TEST_ASSERT_SUCCESS(check_tap_back("a probe by the application"), "probe");

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(tap_port, &info), "info");
	TEST_ASSERT_SUCCESS(rte_dev_remove(info.device), "rte_dev_remove");
	TEST_ASSERT_SUCCESS(check_tap_gone("rte_dev_remove() (DESTROY)"), "destroy");
	TEST_ASSERT_SUCCESS(rte_dev_probe("net_tap0,iface=" TAP_IF), "probe by the application");
	TEST_ASSERT_SUCCESS(check_tap_back("a second probe"), "probe");

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(rig.fo, 1500), "mtu back");
	CHECK_POOL_VIRTIO_HELD(3 * BURST);
	return TEST_SUCCESS;
}

/* Both paths gone: bursts return 0, the app keeps its mbufs, link goes down. */
static int
test_no_path(void)
{
	struct rte_eth_link link;
	uint64_t nopath = xstat("tx_no_path_bursts");
	int ev = lsc_events;

	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " down"), "ip link down");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_STANDBY, 2000), "no failover");
	/* the vhost side going away: virtio-user sees its link drop */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(rig.vh), "vhost stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(rig.vh), "vhost close");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_NONE, 3000),
			    "standby still active after its backend left");
	TEST_ASSERT_EQUAL(send_burst(BURST, 7), 0, "tx with no path must return 0");
	TEST_ASSERT_EQUAL(xstat("tx_no_path_bursts"), nopath + 1, "tx_no_path_bursts");
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(rig.fo, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "failover link still up");
	TEST_ASSERT(lsc_events > ev && lsc_last_status == RTE_ETH_LINK_DOWN,
		    "no LSC down event to the application");
	ev = lsc_events;
	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " up"), "ip link up");
	TEST_ASSERT_SUCCESS(wait_active(RTE_PMD_FAILOVER_PRIMARY, 2000), "no recovery");
	ft_sleep_us(20 * 1000);
	TEST_ASSERT(lsc_events > ev && lsc_last_status == RTE_ETH_LINK_UP,
		    "no LSC up event to the application");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (ft_rig_probe(&rig, &rig_conf) != 0 ||
	    rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &tap_port) != 0)
		return -1;
	pool_start = rte_mempool_avail_count(rig.pool);
	rte_eth_dev_callback_register(rig.fo, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	return ft_rig_start(&rig);
}

/* Closing the failover port closes both sub-ports: every mbuf comes home. */
static int
test_close_returns_pool(void)
{
	uint16_t p;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(rig.fo), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(rig.fo), "close");
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_tap0", &p) != 0, "tap sub-port left");
	TEST_ASSERT(!rte_eth_dev_is_valid_port(rig.vu), "virtio-user sub-port left open");
	TEST_ASSERT_SUCCESS(ft_pool_check(rig.pool, pool_start), "pool not full after close");
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	ft_rig_teardown(&rig);
}

static struct unit_test_suite failover_suite = {
	.suite_name = "failover over tap + virtio-user/vhost",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, case_teardown, test_primary_preferred),
		TEST_CASE_ST(case_setup, case_teardown, test_failover_link_down),
		TEST_CASE_ST(case_setup, case_teardown, test_failback_link_up),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_both_paths),
		TEST_CASE_ST(case_setup, case_teardown, test_rx_not_stranded),
		TEST_CASE_ST(case_setup, case_teardown, test_ops_reach_both),
		TEST_CASE_ST(case_setup, case_teardown, test_rollback_real),
		TEST_CASE_ST(case_setup, case_teardown, test_stats_monotonic),
		TEST_CASE_ST(case_setup, case_teardown, test_tap_unplug_replug),
		TEST_CASE_ST(case_setup, case_teardown, test_no_path),
		TEST_CASE(test_close_returns_pool),
		TEST_CASES_END()
	}
};

FT_MAIN(failover_suite)
