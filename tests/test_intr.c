/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Interrupt-mode Rx suite over real PMDs with Rx interrupts: a net_tap
 * primary (its queue fd) and a virtio-user standby over a net_vhost
 * backend (its callfd). The failover port is configured with
 * intr_conf.rxq = 1; its queue 0 event fd is added to this thread's epoll
 * (rte_eth_dev_rx_intr_ctl_q(), RTE_EPOLL_PER_THREAD) and rte_epoll_wait()
 * must time out while idle and wake when a frame reaches either sub-port:
 * the active one, the inactive one, after a failover, after a failback and
 * after the primary left and joined again. The wake-up latency (frame sent
 * to rte_epoll_wait() returned) is printed. A sub-port without Rx
 * interrupts (net_null) does not start under intr_conf.rxq.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>

#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define TAP_IF "fointr0"
#define TEST_ETHERTYPE 0x88b6
#define ROUNDS 20

static const struct rte_ether_addr fo_mac = {{ 0x02, 0xfa, 0x11, 0x00, 0x00, 0x31 }};
static const struct ft_rig_conf rig_conf = {
	.suffix = "_in0",
	.fo_name = "net_failover_in0",
	.mac = "02:fa:11:00:00:31",
	.primary = "(net_tap_in0,iface=" TAP_IF ")",
	.fo_extra = ",link_poll_ms=5,adopt_delay_ms=0",
	.lsc = true,
};
static struct ft_rig rig;
static uint16_t tag_seq;
static int tap_sock = -1;      /* AF_PACKET, for sending only */
static uint64_t t_sent;        /* timer cycles just before the last frame was sent */

/* The kernel side of the tap stays quiet (no IPv6 autoconfiguration). */
static void
tap_quiet(void)
{
	FILE *f = fopen("/proc/sys/net/ipv6/conf/" TAP_IF "/disable_ipv6", "w");

	if (f != NULL) {
		fputs("1\n", f);
		fclose(f);
	}
}

/* One tagged frame into the tap from its kernel side (the primary's wire). */
static int
tap_inject(uint16_t tag)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(TEST_ETHERTYPE),
		.sll_halen = RTE_ETHER_ADDR_LEN,
	};
	uint8_t frame[64] = { 0 };
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;

	/* a socket of its own per frame would cost a close (synchronize_net()) */
	if (tap_sock < 0)
		tap_sock = socket(AF_PACKET, SOCK_RAW, 0);
	if (tap_sock < 0)
		return -1;
	sll.sll_ifindex = if_nametoindex(TAP_IF);
	eh->dst_addr = fo_mac;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
	memcpy(frame + sizeof(*eh), &tag, sizeof(tag));
	t_sent = rte_get_timer_cycles();
	if (sendto(tap_sock, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)) !=
	    sizeof(frame))
		return -1;
	return 0;
}

/* One tagged frame from the vhost backend to the virtio-user standby. */
static int
vhost_inject(uint16_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rig.vh_pool);
	struct rte_ether_hdr *eh;

	if (m == NULL)
		return -1;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 64);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memset(eh, 0, 64);
	eh->dst_addr = fo_mac;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = 0x98;
	eh->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
	memcpy(eh + 1, &tag, sizeof(tag));
	t_sent = rte_get_timer_cycles();
	if (rte_eth_tx_burst(rig.vh, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Receive on the failover port until the frame tagged tag came (or ms). */
static bool
recv_tag(uint16_t tag, unsigned int ms)
{
	uint64_t end = ft_deadline(ms);
	struct rte_mbuf *pkts[FT_BURST];
	const struct rte_ether_hdr *eh;
	bool got = false;
	uint16_t n, i;

	while (!got && !ft_expired(end)) {
		n = rte_eth_rx_burst(rig.fo, 0, pkts, FT_BURST);
		for (i = 0; i < n; i++) {
			eh = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
			if (eh->ether_type == rte_cpu_to_be_16(TEST_ETHERTYPE) &&
			    memcmp(eh + 1, &tag, sizeof(tag)) == 0)
				got = true;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		if (n == 0)
			ft_sleep_us(100);
	}
	return got;
}

/* Take the events pending from earlier traffic. */
static void
events_flush(void)
{
	struct rte_epoll_event ev[4];

	while (rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 0) > 0)
		;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * ROUNDS times: the port's queue enabled, idle, then one frame in through
 * inject(); rte_epoll_wait() must return the failover queue's event, and
 * the frame is then received. Prints the wake-up latency.
 */
static int
wake_rounds(const char *what, int (*inject)(uint16_t tag))
{
	struct rte_epoll_event ev[2];
	uint64_t lat[ROUNDS], hz = rte_get_timer_hz();
	uint16_t tag;
	int i, n;

	for (i = 0; i < ROUNDS; i++) {
		ft_port_drain(rig.fo);
		TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_enable(rig.fo, 0), "enable");
		events_flush();
		tag = ++tag_seq;
		TEST_ASSERT_SUCCESS(inject(tag), "%s: frame not sent", what);
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 1000);
		lat[i] = rte_get_timer_cycles() - t_sent;
		TEST_ASSERT_EQUAL(n, 1, "%s round %d: rte_epoll_wait() returned %d, want 1 event",
				  what, i, n);
		TEST_ASSERT_EQUAL(ev[0].fd, rte_eth_dev_rx_intr_ctl_q_get_fd(rig.fo, 0),
				  "%s: the event is not the failover queue's fd", what);
		TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_disable(rig.fo, 0), "disable");
		TEST_ASSERT(recv_tag(tag, 500), "%s round %d: the frame was not received",
			    what, i);
	}
	qsort(lat, ROUNDS, sizeof(lat[0]), cmp_u64);
	printf("    %s: wake-up latency p50 %.1f us, max %.1f us (%d rounds)\n", what,
	       lat[ROUNDS / 2] * 1e6 / hz, lat[ROUNDS - 1] * 1e6 / hz, ROUNDS);
	return TEST_SUCCESS;
}

/* Idle: enabled, nothing arrives, rte_epoll_wait() times out. */
static int
idle_timeout(const char *what)
{
	struct rte_epoll_event ev[2];
	int n;

	ft_port_drain(rig.fo);
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_enable(rig.fo, 0), "enable");
	events_flush();
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 200);
	TEST_ASSERT_EQUAL(n, 0, "%s: %d event(s) while idle", what, n);
	return rte_eth_dev_rx_intr_disable(rig.fo, 0);
}

static int
test_ctl(void)
{
	struct rte_eth_conf conf;
	uint16_t vu;

	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_ctl_q(rig.fo, 0, RTE_EPOLL_PER_THREAD,
						       RTE_INTR_EVENT_ADD, NULL),
			    "rte_eth_dev_rx_intr_ctl_q(ADD)");
	TEST_ASSERT(rte_eth_dev_rx_intr_ctl_q_get_fd(rig.fo, 0) >= 0, "no fd for queue 0");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_STANDBY, &vu),
			    "no standby");
	TEST_ASSERT_SUCCESS(rte_eth_dev_conf_get(vu, &conf), "standby's configuration");
	TEST_ASSERT(conf.intr_conf.rxq == 1,
		    "the standby was not configured with Rx interrupts");
	return TEST_SUCCESS;
}

static int
test_idle(void)
{
	return idle_timeout("both sub-ports up");
}

static int
test_wake_active(void)
{
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "primary not active");
	return wake_rounds("primary (active, tap)", tap_inject);
}

static int
test_wake_inactive(void)
{
	return wake_rounds("standby (inactive, virtio-user)", vhost_inject);
}

static int
test_wake_after_failover(void)
{
	int ret;

	TEST_ASSERT_SUCCESS(ft_sh("ip link set dev " TAP_IF " down"), "link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_STANDBY, 2000),
			    "no failover to the standby");
	ret = idle_timeout("after a failover");
	if (ret == 0)
		ret = wake_rounds("standby (active after failover)", vhost_inject);
	ft_sh("ip link set dev " TAP_IF " up");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback to the primary");
	if (ret == 0)
		ret = wake_rounds("primary (active after failback)", tap_inject);
	return ret;
}

/* The primary leaves and joins again: its new fd feeds the same event fd. */
static int
test_wake_rejoin(void)
{
	uint16_t p;

	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "primary leave");
	TEST_ASSERT(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &p) != 0,
		    "primary still there");
	if (idle_timeout("primary gone") != 0 ||
	    wake_rounds("standby (primary gone)", vhost_inject) != 0)
		return TEST_FAILED;
	TEST_ASSERT_SUCCESS(rte_dev_probe("net_tap_in0,iface=" TAP_IF), "tap probe");
	TEST_ASSERT_SUCCESS(ft_wait_sub(rig.fo, RTE_PMD_FAILOVER_PRIMARY, true, 3000, &p),
			    "tap not adopted again");
	tap_quiet();
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 3000),
			    "primary not active again");
	if (idle_timeout("primary back") != 0)
		return TEST_FAILED;
	return wake_rounds("primary (joined again)", tap_inject);
}

/* A sub-port with no Rx interrupts does not start under intr_conf.rxq. */
static int
test_no_intr_subport(void)
{
	struct rte_eth_conf conf = { .intr_conf.rxq = 1 };
	struct rte_eth_dev_info info;
	uint16_t port;
	int ret;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_in1",
					  "primary=(net_null_in1),mac=02:fa:11:00:00:32"),
			    "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_failover_in1", &port), "port");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "info");
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, rig.pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256, 0, NULL);
	TEST_ASSERT_SUCCESS(ret, "set-up");
	ret = rte_eth_dev_start(port);
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "start under intr_conf.rxq with net_null: %d", ret);
	/* without Rx interrupts it starts */
	conf.intr_conf.rxq = 0;
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(port, 1, 1, &conf), "configure");
	TEST_ASSERT(rte_eth_dev_rx_intr_ctl_q_get_fd(port, 0) < 0, "an fd without rxq");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start without Rx interrupts");
	TEST_ASSERT_EQUAL(rte_eth_dev_rx_intr_enable(port, 0), -ENOTSUP, "enable without rxq");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit("net_failover_in1");
	return TEST_SUCCESS;
}

static int
test_del(void)
{
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_ctl_q(rig.fo, 0, RTE_EPOLL_PER_THREAD,
						       RTE_INTR_EVENT_DEL, NULL),
			    "rte_eth_dev_rx_intr_ctl_q(DEL)");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1, .intr_conf.rxq = 1 };

	if (ft_rig_probe(&rig, &rig_conf) != 0)
		return -1;
	tap_quiet();
	return ft_port_start(rig.fo, 1, 256, &conf, rig.pool);
}

static void
suite_teardown(void)
{
	if (tap_sock >= 0)
		close(tap_sock);
	ft_rig_teardown(&rig);
}

static struct unit_test_suite intr_suite = {
	.suite_name = "interrupt-mode Rx over tap + virtio-user/vhost",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_ctl),
		TEST_CASE(test_idle),
		TEST_CASE(test_wake_active),
		TEST_CASE(test_wake_inactive),
		TEST_CASE(test_wake_after_failover),
		TEST_CASE(test_wake_rejoin),
		TEST_CASE(test_no_intr_subport),
		TEST_CASE(test_del),
		TEST_CASES_END()
	}
};

FT_MAIN(intr_suite)
