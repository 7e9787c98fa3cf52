/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Hotplug suite: a virtio-user standby (net_vhost backend) and VF
 * simulators (net_fosim: LSC and RMV from the interrupt thread, TX dead
 * after removal) as primaries that leave and come back. Link polling is
 * off (link_poll_ms=0): every reaction here is driven by an event.
 *
 * Every trigger: INTR_LSC, INTR_RMV, RTE_DEV_EVENT_REMOVE, DESTROY
 * (rte_dev_remove by the application), rte_pmd_failover_primary_leave().
 * Every pairing path: MAC match on NEW, re-probe on RTE_DEV_EVENT_ADD
 * (devargs names are in the devargs suite). Refusals. For each case the
 * bursts are accounted: offered == sent + returned, and what was sent
 * reached the VF simulator or the vhost backend.
 */

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_devargs.h>
#include <rte_launch.h>

#include "failover_private.h"
#include "fosim.h"
#include "ft_log.h"
#include "ft_rig.h"
#include "ft_stats.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define FO_MTU 1600

static const struct ft_rig_conf rig_conf =
	FT_RIG_VF_CONF(8191, ",link_poll_ms=0,hotplug_timeout_ms=300");
static struct ft_rig rig;
static unsigned int pool_start;
static uint16_t vf;                 /* current primary (a fosim port) */

/* Bursts offered to the failover port and where they went. */
struct acct {
	uint64_t offered, sent, returned, to_vf, to_vhost;
	uint64_t opackets0, vf_xstat0;
};

static struct rte_device *
port_device(uint16_t port)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(port, &info) == 0 ? info.device : NULL;
}

static uint64_t
xstat(const char *name)
{
	return ft_xstat(rig.fo, name);
}

static uint64_t
fo_opackets(void)
{
	struct rte_eth_stats st;

	return rte_eth_stats_get(rig.fo, &st) == 0 ? st.opackets : UINT64_MAX;
}

static void
acct_start(struct acct *a)
{
	memset(a, 0, sizeof(*a));
	a->opackets0 = fo_opackets();
	a->vf_xstat0 = xstat("primary_tx_packets");
}

/* Take what reached the VF simulator (if still there) and the backend. */
static void
collect(struct acct *a, uint16_t vf_port)
{
	struct rte_mbuf *pkts[FT_BURST];
	int n;

	while ((n = fosim_tx_collect(vf_port, 0, pkts, FT_BURST)) > 0) {
		rte_pktmbuf_free_bulk(pkts, n);
		a->to_vf += n;
	}
	a->to_vhost += ft_rig_vh_drain(&rig);
}

/* One burst through the failover port; what is not sent is freed. */
static void
send_one(struct acct *a, uint16_t vf_port)
{
	int n = ft_tx_blank(rig.fo, rig.pool, FT_BURST, 64);

	if (n < 0)
		return;
	a->offered += FT_BURST;
	a->sent += n;
	a->returned += FT_BURST - n;
	collect(a, vf_port);
}

static void
send_n(struct acct *a, unsigned int n)
{
	while (n-- > 0)
		send_one(a, vf);
}

/* A removal case starts: the VF's name, counting from here, some traffic. */
static void
removal_begin(char *name, size_t len, struct acct *a)
{
	strlcpy(name, ft_rig_vf_name(&rig, 0), len);
	acct_start(a);
	send_n(a, 4);
}

/* Nothing accepted was lost, and the failover statistics agree. */
static int
acct_check(struct acct *a, uint16_t vf_port)
{
	unsigned int i;

	for (i = 0; i < 20; i++) {  /* virtio hands its ring over promptly */
		collect(a, vf_port);
		if (a->to_vf + a->to_vhost >= a->sent)
			break;
		rte_delay_us_sleep(1000);
	}
	TEST_ASSERT_EQUAL(a->offered, a->sent + a->returned, "offered != sent + returned");
	TEST_ASSERT_EQUAL(a->sent, a->to_vf + a->to_vhost,
			  "%" PRIu64 " sent but %" PRIu64 " reached the VF and %" PRIu64
			  " the vhost backend", a->sent, a->to_vf, a->to_vhost);
	TEST_ASSERT_EQUAL(fo_opackets() - a->opackets0, a->sent,
			  "failover opackets do not match what was sent");
	TEST_ASSERT_EQUAL(xstat("primary_tx_packets") - a->vf_xstat0, a->to_vf,
			  "primary_tx_packets (folded at removal) do not match");
	return TEST_SUCCESS;
}

/* A primary is present and active at the start of every case. */
static int
case_setup(void)
{
	uint64_t t0;

	if (rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf) != 0) {
		t0 = rte_get_timer_cycles();
		if (ft_rig_vf_plug(&rig, NULL) != 0 ||
		    ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000) != 0 ||
		    rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf) != 0) {
			printf("no primary joined\n");
			return TEST_FAILED;
		}
		printf("  VF probe to active primary: %.3f ms\n",
		       ft_ms(rte_get_timer_cycles() - t0));
	}
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	ft_rig_vh_drain(&rig);
}

/* MAC match on NEW: the VF joined with the failover's state replayed. */
static int
test_pair_mac_on_new(void)
{
	struct rte_ether_addr mac, want;
	uint16_t nb_rx = 0, nb_tx = 0, mtu = 0;
	struct acct a;

	rte_ether_unformat_addr(FT_RIG_VF_MAC, &want);
	TEST_ASSERT_SUCCESS(fosim_configured_queues(vf, &nb_rx, &nb_tx), "not a fosim port");
	TEST_ASSERT(nb_rx == 1 && nb_tx == 1, "queues not replayed: %u/%u", nb_rx, nb_tx);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(vf, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, FO_MTU, "MTU not replayed: %u", mtu);
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(vf, &mac), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &want), "MAC differs");
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_PRIMARY,
			  "not active");
	acct_start(&a);
	send_n(&a, 4);
	TEST_ASSERT_EQUAL(a.to_vf, a.sent, "bursts did not go to the VF");
	TEST_ASSERT_EQUAL(a.returned, 0, "bursts returned while the primary is up");
	return acct_check(&a, vf);
}

/* Link down/up on the VF: LSC events alone move TX (no polling here). */
static int
test_lsc(void)
{
	struct acct a;

	acct_start(&a);
	send_one(&a, vf);
	TEST_ASSERT_SUCCESS(fosim_set_link(vf, 0), "link down");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_STANDBY, 1000),
			    "no failover on INTR_LSC");
	send_one(&a, vf);
	TEST_ASSERT_SUCCESS(fosim_set_link(vf, 1), "link up");
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 1000),
			    "no failback on INTR_LSC");
	send_one(&a, vf);
	TEST_ASSERT(a.to_vhost >= FT_BURST, "nothing went to the standby");
	return acct_check(&a, vf);
}

/* Removal: the port is closed once, its device removed, the role free. */
static int
check_gone(uint16_t old, const char *name)
{
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_wait_primary(rig.fo, 0, 2000), "primary still there");
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_STANDBY,
			  "standby not active after removal");
	TEST_ASSERT_EQUAL(fosim_op_count(old, "close"), 1, "VF not closed exactly once");
	TEST_ASSERT(rte_eth_dev_get_port_by_name(name, &p) != 0, "VF port still exists");
	TEST_ASSERT(rte_eth_dev_is_valid_port(rig.vu), "standby port touched");
	TEST_ASSERT(rte_eth_dev_is_valid_port(rig.vh), "an unrelated port touched");
	return TEST_SUCCESS;
}

/* Surprise removal: the VF's TX dies, then INTR_RMV from the interrupt thread. */
static int
test_rmv(void)
{
	char name[32];
	struct acct a;
	uint64_t t0, end;

	removal_begin(name, sizeof(name), &a);
	t0 = rte_get_timer_cycles();
	TEST_ASSERT_SUCCESS(fosim_remove(vf), "remove");
	/* the application keeps sending; what fails comes back to it */
	end = t0 + rte_get_timer_hz();
	while (rte_pmd_failover_active_path(rig.fo) != RTE_PMD_FAILOVER_STANDBY &&
	       rte_get_timer_cycles() < end) {
		send_one(&a, vf);
		rte_delay_us_sleep(20);  /* leave the core to the interrupt thread */
	}
	printf("  INTR_RMV: TX on the standby after %.3f ms\n",
	       ft_ms(rte_get_timer_cycles() - t0));
	send_n(&a, 4);
	TEST_ASSERT_SUCCESS(check_gone(vf, name), "removal");
	return acct_check(&a, vf);
}

/* Early notice (what the PCI bus raises on a VFIO unplug request). */
static int
test_dev_remove_event(void)
{
	char name[32];
	struct acct a;

	removal_begin(name, sizeof(name), &a);
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_REMOVE);
	/* TX moved inside the callback, before any deferred work ran */
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_STANDBY,
			  "TX not moved at once");
	send_n(&a, 50);
	TEST_ASSERT_SUCCESS(check_gone(vf, name), "removal");
	TEST_ASSERT_EQUAL(a.returned, 0, "early notice: no burst may come back");
	return acct_check(&a, vf);
}

/* The explicit call: synchronous, nothing lost. */
static int
test_api_leave(void)
{
	char name[32];
	struct acct a;

	removal_begin(name, sizeof(name), &a);
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT_SUCCESS(check_gone(vf, name), "removal");
	send_n(&a, 4);
	TEST_ASSERT_EQUAL(a.returned, 0, "planned leave: no burst may come back");
	TEST_ASSERT_EQUAL(rte_pmd_failover_primary_leave(rig.fo), -ENOENT,
			  "second leave without a primary");
	TEST_ASSERT_EQUAL(rte_pmd_failover_primary_leave(rig.vh), -ENODEV,
			  "leave on a port that is not a failover port");
	return acct_check(&a, vf);
}

/* The application removes the VF device itself (late notice: DESTROY). */
static int
test_destroy(void)
{
	char name[32];
	struct acct a;

	strlcpy(name, ft_rig_vf_name(&rig, 0), sizeof(name));
	acct_start(&a);
	send_one(&a, vf);
	/*
	 * DESTROY comes after the VF's PMD closed it: its counters can no
	 * longer be read, so what the failover keeps is the last reading.
	 */
	fo_opackets();
	TEST_ASSERT_SUCCESS(rte_dev_remove(port_device(vf)), "rte_dev_remove");
	TEST_ASSERT_SUCCESS(check_gone(vf, name), "removal");
	send_one(&a, vf);
	TEST_ASSERT(a.to_vhost >= FT_BURST, "nothing went to the standby");
	return acct_check(&a, vf);
}

/* RTE_DEV_EVENT_ADD names the departed VF: the failover probes it again. */
static int
test_readd_on_dev_add(void)
{
	char name[32];
	uint16_t mtu = 0;
	uint64_t t0;
	struct acct a;

	strlcpy(name, ft_rig_vf_name(&rig, 0), sizeof(name));
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT_SUCCESS(ft_wait_primary(rig.fo, 0, 1000), "primary still there");
	t0 = rte_get_timer_cycles();
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback after RTE_DEV_EVENT_ADD");
	printf("  RTE_DEV_EVENT_ADD to active primary: %.3f ms\n",
	       ft_ms(rte_get_timer_cycles() - t0));
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "no primary");
	TEST_ASSERT_EQUAL(strcmp(rte_dev_name(port_device(vf)), name), 0,
			  "a different device joined");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(vf, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, FO_MTU, "state not replayed on the re-probed VF");
	acct_start(&a);
	send_one(&a, vf);
	TEST_ASSERT_EQUAL(a.to_vf, FT_BURST, "traffic not back on the VF");
	/* an ADD for a device nobody had changes nothing */
	rte_dev_event_callback_process("net_fosim99", RTE_DEV_EVENT_ADD);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_fosim99", &mtu) != 0,
		    "an unknown device was probed");
	return acct_check(&a, vf);
}

/*
 * A leaving VF still gets frames until the network learns the other path:
 * lcore 1 polls the failover port as an application does, a thread puts a
 * frame on the VF's receive queue every ms for 8 ms while it leaves; every
 * frame the VF took must reach the application (none freed at its stop).
 * The drain's promise is for frames less than 5 ms apart (the queued ones
 * it counts): an attempt in which the injecting thread was descheduled so
 * that two frames came 4 ms apart or more proves nothing and is made again
 * (the machine is busy), up to 3 times.
 */
struct late_rx {
	uint16_t vf;
	int stop, go;
	unsigned int injected, received;
	uint64_t gap;                 /* longest time between two frames, cycles */
};

static int
late_rx_poll(void *arg)
{
	struct late_rx *l = arg;
	struct rte_mbuf *pkts[FT_BURST];
	uint16_t n;

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		n = rte_eth_rx_burst(rig.fo, 0, pkts, FT_BURST);
		rte_pktmbuf_free_bulk(pkts, n);
		__atomic_store_n(&l->received, l->received + n, __ATOMIC_RELEASE);
		rte_delay_us_block(20);
	}
	return 0;
}

static void *
late_rx_inject(void *arg)
{
	struct late_rx *l = arg;
	uint64_t prev = 0, now;
	struct rte_mbuf *m;
	int i;

	while (!__atomic_load_n(&l->go, __ATOMIC_ACQUIRE))
		rte_delay_us_sleep(100);
	for (i = 0; i < 8; i++) {
		m = rte_pktmbuf_alloc(rig.pool);
		if (m == NULL)
			break;
		now = rte_get_timer_cycles();
		if (prev != 0)
			l->gap = RTE_MAX(l->gap, now - prev);
		prev = now;
		if (fosim_rx_inject(l->vf, 0, &m, 1) == 1)
			__atomic_fetch_add(&l->injected, 1, __ATOMIC_RELEASE);
		else
			rte_pktmbuf_free(m);
		rte_delay_us_sleep(1000);
	}
	return NULL;
}

static int
test_leave_drains_late_frames(void)
{
	uint64_t limit = rte_get_timer_hz() * 4 / 1000;
	struct late_rx l;
	pthread_t t;
	int attempt;

	for (attempt = 1; attempt <= 3; attempt++) {
		if (attempt > 1 && case_setup() != TEST_SUCCESS)
			return TEST_FAILED;
		memset(&l, 0, sizeof(l));
		l.vf = vf;
		TEST_ASSERT_SUCCESS(pthread_create(&t, NULL, late_rx_inject, &l), "thread");
		TEST_ASSERT_SUCCESS(rte_eal_remote_launch(late_rx_poll, &l, 1), "lcore 1");
		__atomic_store_n(&l.go, 1, __ATOMIC_RELEASE);
		TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
		pthread_join(t, NULL);
		rte_delay_us_sleep(2000);
		__atomic_store_n(&l.stop, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(1);
		printf("  attempt %d: %u frames put on the leaving VF, %u received, longest "
		       "gap %.1f ms\n", attempt, l.injected, l.received, ft_ms(l.gap));
		if (l.gap < limit)
			break;
	}
	if (attempt > 3) {
		printf("  the machine is too busy to tell (frames 4 ms apart or more)\n");
		return TEST_SKIPPED;
	}
	TEST_ASSERT(l.injected >= 3, "only %u frames reached the VF before it left", l.injected);
	TEST_ASSERT_EQUAL(l.received, l.injected, "frames of the leaving VF were dropped");
	return TEST_SUCCESS;
}

/* The primary leaves (planned): its role is free for what comes next. */
static int
primary_away(char *name, size_t len)
{
	strlcpy(name, ft_rig_vf_name(&rig, 0), len);
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	return ft_wait_primary(rig.fo, 0, 1000);
}

static const char *
primary_device_name(void)
{
	uint16_t p;

	if (rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &p) != 0)
		return "";
	return rte_dev_name(port_device(p));
}

/*
 * RTE_DEV_EVENT_ADD comes before the device can be probed (on a real
 * guest: before vfio-pci is bound): the re-probe is retried until it works.
 */
static int
test_readd_retried(void)
{
	char name[32];
	unsigned int n0;

	TEST_ASSERT_SUCCESS(primary_away(name, sizeof(name)), "primary still there");
	TEST_ASSERT_SUCCESS(fosim_probe_fail(name, 3), "probe failures");
	n0 = fosim_probe_count(name);
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback: the re-probe was not retried");
	TEST_ASSERT_EQUAL(fosim_probe_count(name) - n0, 4, "3 failed probes, then one good");
	TEST_ASSERT_EQUAL(strcmp(primary_device_name(), name), 0, "a different device joined");
	return TEST_SUCCESS;
}

/*
 * A device that never becomes probe-able: retried until hotplug_timeout_ms,
 * then given up with one line; no attempt without an announcement.
 */
static int
test_readd_gives_up(void)
{
	char name[32], want[96];
	unsigned int n0, n1;

	TEST_ASSERT_SUCCESS(primary_away(name, sizeof(name)), "primary still there");
	TEST_ASSERT_SUCCESS(fosim_probe_fail(name, 100000), "probe failures");
	n0 = fosim_probe_count(name);
	rte_delay_us_sleep(100 * 1000);
	TEST_ASSERT_EQUAL(fosim_probe_count(name), n0, "probed with nothing announced");
	ft_log_reset();
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	snprintf(want, sizeof(want), "gave up on added device %s after", name);
	TEST_ASSERT(ft_log_wait(want, 2000), "no give-up line within 2 s");
	n1 = fosim_probe_count(name);
	TEST_ASSERT(n1 - n0 >= 5, "only %u attempts before giving up", n1 - n0);
	TEST_ASSERT(ft_log_has("probe failed: Resource temporarily unavailable"),
		    "the give-up line does not say why");
	rte_delay_us_sleep(300 * 1000);
	TEST_ASSERT_EQUAL(fosim_probe_count(name), n1, "attempts after giving up");
	TEST_ASSERT(ft_wait_primary(rig.fo, 1, 10) != 0, "a primary joined");
	/* a new announcement starts over */
	TEST_ASSERT_SUCCESS(fosim_probe_fail(name, 0), "clear");
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback after a second announcement");
	return TEST_SUCCESS;
}

/* A device of the vdev bus that is there but not probed (as a new PCI VF). */
static int
bus_device_add(const char *name, const char *args, enum rte_devtype type)
{
	char str[160];

	snprintf(str, sizeof(str), "%s,%s", name, args);
	return rte_devargs_add(type, str);
}

/*
 * A new device (another name: a VF returning at another PCI address)
 * carrying the failover MAC is probed and paired by MAC; being ours, it is
 * removed when it leaves.
 */
static int
test_new_device_paired_by_mac(void)
{
	const char *name = "net_fosim88";
	char old[32];
	uint16_t p;

	TEST_ASSERT_SUCCESS(primary_away(old, sizeof(old)), "primary still there");
	TEST_ASSERT_SUCCESS(bus_device_add(name, FT_RIG_VF_ARGS, RTE_DEVTYPE_VIRTUAL), "devargs");
	ft_log_reset();
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(ft_wait_active(rig.fo, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "the new device was not paired");
	TEST_ASSERT_EQUAL(strcmp(primary_device_name(), name), 0, "another device joined");
	TEST_ASSERT(ft_log_has("(paired by MAC)"), "the log does not say how it paired");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT(rte_eth_dev_get_port_by_name(name, &p) != 0,
		    "a device the failover probed was left behind");
	return TEST_SUCCESS;
}

/* What hotplug=mac must not take: each is refused with its reason. */
static int
test_new_device_refused(void)
{
	char old[32], want[128], mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_ether_addr fo_mac;
	uint16_t p;

	TEST_ASSERT_SUCCESS(primary_away(old, sizeof(old)), "primary still there");
	ft_log_reset();
	/* another MAC: probed to read it, not paired, removed again */
	TEST_ASSERT_SUCCESS(bus_device_add("net_fosim89", "mac=02:00:00:00:00:89",
					   RTE_DEVTYPE_VIRTUAL), "devargs");
	rte_dev_event_callback_process("net_fosim89", RTE_DEV_EVENT_ADD);
	rte_ether_unformat_addr(FT_RIG_VF_MAC, &fo_mac);
	rte_ether_format_addr(mac, sizeof(mac), &fo_mac);
	snprintf(want, sizeof(want), "carries MAC 02:00:00:00:00:89, the failover's is %s", mac);
	TEST_ASSERT(ft_log_wait(want, 2000), "no refusal naming the MAC");
	TEST_ASSERT(ft_log_has("net_fosim89 added but not paired"), "refusal not explained");
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_fosim89", &p) != 0,
		    "the device with another MAC was left probed");
	TEST_ASSERT_EQUAL(fosim_probe_count("net_fosim89"), 1, "probed more than once");
	/* blocked by EAL's policy: never probed */
	TEST_ASSERT_SUCCESS(bus_device_add("net_fosim87", FT_RIG_VF_ARGS, RTE_DEVTYPE_BLOCKED),
			    "devargs");
	rte_dev_event_callback_process("net_fosim87", RTE_DEV_EVENT_ADD);
	TEST_ASSERT(ft_log_wait("net_fosim87 added, not probed: blocked by EAL (-b)", 2000),
		    "a blocked device was not refused");
	TEST_ASSERT_EQUAL(fosim_probe_count("net_fosim87"), 0, "a blocked device was probed");
	/* nothing on the bus of that name */
	rte_dev_event_callback_process("net_fosim99", RTE_DEV_EVENT_ADD);
	TEST_ASSERT(ft_log_wait("net_fosim99 added, not probed: not known to the vdev bus",
				2000), "an unknown device was not refused");
	TEST_ASSERT_EQUAL(fosim_probe_count("net_fosim99"), 0, "an unknown device was probed");
	/* probed by the application already, with another MAC: left to it */
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim86", "mac=02:00:00:00:00:86"), "plug");
	rte_dev_event_callback_process("net_fosim86", RTE_DEV_EVENT_ADD);
	TEST_ASSERT(ft_log_wait("net_fosim86 added, not probed: probed already", 2000),
		    "the application's device was not left alone");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_fosim86", &p), "port gone");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_fosim86"), "unplug");
	TEST_ASSERT(ft_wait_primary(rig.fo, 1, 10) != 0, "a primary joined");
	return TEST_SUCCESS;
}

/* A file of a fake sysfs PCI tree (fmt: its contents). */
static int
sysfs_put(const char *dir, const char *file, const char *text)
{
	char path[2 * PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
sysfs_bind(const char *dev, const char *driver)
{
	char path[2 * PATH_MAX], target[PATH_MAX];

	snprintf(path, sizeof(path), "%s/driver", dev);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
	unlink(path);
	return symlink(target, path);
}

/* State of the fake device, and the reason given holds want. */
static int
pci_state_is(const char *top, bool by_mac, enum fo_hp_state state, const char *want)
{
	struct rte_ether_addr mac;
	enum fo_hp_state st;
	char why[160] = "";

	rte_ether_unformat_addr(FT_RIG_VF_MAC, &mac);
	st = fo_hp_pci_state(top, "0000:02:00.0", by_mac, &mac, why, sizeof(why));
	printf("  %s -> %d: %s\n", by_mac ? "by MAC" : "named", st, why);
	TEST_ASSERT_EQUAL(st, state, "state (%s)", why);
	TEST_ASSERT(want == NULL || strstr(why, want) != NULL, "'%s' does not say '%s'", why,
		    want);
	return TEST_SUCCESS;
}

/*
 * When a PCI device that RTE_DEV_EVENT_ADD announced is probed: the
 * readiness rules on a fake sysfs tree, in the order a guest kernel makes
 * a hot-added device appear.
 */
static int
test_pci_readiness(void)
{
	char top[] = "/tmp/fo_sysfs_XXXXXX", dev[64], cmd[PATH_MAX];
	int ret = TEST_FAILED;

	TEST_ASSERT_NOT_NULL(mkdtemp(top), "mkdtemp");
	snprintf(dev, sizeof(dev), "%s/0000:02:00.0", top);
	if (pci_state_is(top, false, FO_HP_WAIT, "not on the PCI bus") != 0 ||
	    mkdir(dev, 0700) != 0 || sysfs_put(dev, "class", "0x020000\n") != 0 ||
	    sysfs_put(dev, "resource", "0x0000000000000000 0x0000000000000000 0x0\n") != 0 ||
	    pci_state_is(top, true, FO_HP_WAIT, "no kernel driver bound") != 0 ||
	    sysfs_bind(dev, "vfio-pci") != 0 ||
	    pci_state_is(top, true, FO_HP_WAIT, "no BAR assigned") != 0 ||
	    sysfs_put(dev, "resource", "0x00000000fe000000 0x00000000fe01ffff 0x40200\n"
		      "0x0000000000000000 0x0000000000000000 0x0\n") != 0 ||
	    pci_state_is(top, true, FO_HP_READY, NULL) != 0 ||
	    /* bound to the kernel's own driver, with the failover's MAC */
	    sysfs_bind(dev, "e1000e") != 0 ||
	    pci_state_is(top, false, FO_HP_WAIT, "bound to kernel driver e1000e") != 0)
		goto out;
	snprintf(cmd, sizeof(cmd), "%s/net", dev);
	if (mkdir(cmd, 0700) != 0)
		goto out;
	snprintf(cmd, sizeof(cmd), "%s/net/eth1", dev);
	if (mkdir(cmd, 0700) != 0 || sysfs_put(dev, "net/eth1/address", FT_RIG_VF_MAC "\n") != 0 ||
	    pci_state_is(top, true, FO_HP_REFUSE,
			 "carries the failover MAC but is bound to kernel driver e1000e") != 0 ||
	    /* not a network controller (a storage controller) */
	    sysfs_bind(dev, "vfio-pci") != 0 || sysfs_put(dev, "class", "0x010802\n") != 0 ||
	    pci_state_is(top, true, FO_HP_REFUSE, "not a network controller") != 0 ||
	    pci_state_is(top, false, FO_HP_READY, NULL) != 0)
		goto out;
	ret = TEST_SUCCESS;
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("could not remove %s\n", top);
	return ret;
}

/*
 * A primary that advertises LSC but whose interrupt never comes (DPDK's em
 * PMD over QEMU 7.2's e1000e in MSI-X mode): ethdev keeps answering
 * its cached link, so only the failover's own poll of the device sees the
 * link go down, and come back.
 */
static int
test_lsc_lost_polled(void)
{
	const char *args = "mac=02:fa:11:00:00:60,lsc=1,lsc_lost=1";
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };
	uint16_t fo, vf;
	int ret = TEST_FAILED;

	if (rte_vdev_init("net_fosim60", args) != 0 ||
	    rte_vdev_init("net_fosim61", "mac=02:fa:11:00:00:60,lsc=1") != 0 ||
	    rte_vdev_init("net_failover_lp0",
			  "primary=net_fosim60,standby=net_fosim61,link_poll_ms=5") != 0)
		goto out;
	if (rte_eth_dev_get_port_by_name("net_failover_lp0", &fo) != 0 ||
	    ft_port_start(fo, 1, 256, &conf, rig.pool) != 0 ||
	    rte_pmd_failover_sub_port(fo, RTE_PMD_FAILOVER_PRIMARY, &vf) != 0)
		goto out;
	if (ft_wait_active(fo, RTE_PMD_FAILOVER_PRIMARY, 1000) != 0) {
		printf("primary not active\n");
		goto out;
	}
	fosim_set_link(vf, 0);
	if (ft_wait_active(fo, RTE_PMD_FAILOVER_STANDBY, 1000) != 0) {
		printf("no failover: the lost LSC was not made up by the poll\n");
		goto out;
	}
	fosim_set_link(vf, 1);
	if (ft_wait_active(fo, RTE_PMD_FAILOVER_PRIMARY, 1000) != 0) {
		printf("no failback on the poll\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	if (rte_eth_dev_get_port_by_name("net_failover_lp0", &fo) == 0) {
		rte_eth_dev_stop(fo);
		rte_eth_dev_close(fo);
	}
	rte_vdev_uninit("net_failover_lp0");
	rte_vdev_uninit("net_fosim60");
	rte_vdev_uninit("net_fosim61");
	return ret;
}

static int
wait_xstat(const char *name, uint64_t want)
{
	return ft_wait_xstat(rig.fo, name, want, 2000);
}

/* A second VF with the same MAC while the role is filled is refused. */
static int
test_refuse_second(void)
{
	uint64_t refused = xstat("refused_ports");
	struct rte_eth_dev_owner owner;
	uint16_t p, cur;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim95", FT_RIG_VF_ARGS), "plug");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_fosim95", &p), "port");
	TEST_ASSERT_SUCCESS(wait_xstat("refused_ports", refused + 1), "refusal not counted");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_get(p, &owner), "owner");
	TEST_ASSERT_EQUAL(owner.id, RTE_ETH_DEV_NO_OWNER, "refused port still owned");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &cur),
			    "primary");
	TEST_ASSERT_EQUAL(cur, vf, "primary replaced");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_fosim95"), "unplug");
	TEST_ASSERT_EQUAL(rte_pmd_failover_active_path(rig.fo), RTE_PMD_FAILOVER_PRIMARY,
			  "path disturbed");
	return TEST_SUCCESS;
}

/* An unfit VF (its MTU range misses the configured MTU) is vetoed. */
static int
test_refuse_unfit(void)
{
	uint64_t refused = xstat("refused_ports");
	struct rte_eth_dev_owner owner;
	uint16_t p;

	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim96", FT_RIG_VF_ARGS ",max_mtu=1500"), "plug");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_fosim96", &p), "port");
	TEST_ASSERT_SUCCESS(wait_xstat("refused_ports", refused + 1), "veto not counted");
	TEST_ASSERT(ft_wait_primary(rig.fo, 1, 50) != 0, "an unfit VF was adopted");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_get(p, &owner), "owner");
	TEST_ASSERT_EQUAL(owner.id, RTE_ETH_DEV_NO_OWNER, "vetoed port still owned");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_fosim96"), "unplug");
	return TEST_SUCCESS;
}

/* Closing the failover port closes what it holds; every mbuf comes home. */
static int
test_close_returns_pool(void)
{
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(rig.fo), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(rig.fo), "close");
	TEST_ASSERT_EQUAL(fosim_op_count(vf, "close"), 1, "VF not closed exactly once");
	TEST_ASSERT(!rte_eth_dev_is_valid_port(rig.vu), "standby left open");
	TEST_ASSERT_SUCCESS(ft_pool_check(rig.pool, pool_start), "pool not full after close");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (ft_log_open() != 0 || ft_rig_setup(&rig, &rig_conf) != 0)
		return -1;
	if (rte_eth_dev_stop(rig.fo) != 0 || rte_eth_dev_set_mtu(rig.fo, FO_MTU) != 0 ||
	    rte_eth_dev_start(rig.fo) != 0)
		return -1;
	pool_start = rig.pool->size;
	return 0;
}

static void
suite_teardown(void)
{
	ft_rig_teardown(&rig);
}

static struct unit_test_suite hotplug_suite = {
	.suite_name = "hotplug: VF simulator primary, virtio-user standby",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, case_teardown, test_pair_mac_on_new),
		TEST_CASE_ST(case_setup, case_teardown, test_lsc),
		TEST_CASE_ST(case_setup, case_teardown, test_rmv),
		TEST_CASE_ST(case_setup, case_teardown, test_dev_remove_event),
		TEST_CASE_ST(case_setup, case_teardown, test_api_leave),
		TEST_CASE_ST(case_setup, case_teardown, test_destroy),
		TEST_CASE_ST(case_setup, case_teardown, test_readd_on_dev_add),
		TEST_CASE_ST(case_setup, case_teardown, test_leave_drains_late_frames),
		TEST_CASE_ST(case_setup, case_teardown, test_readd_retried),
		TEST_CASE_ST(case_setup, case_teardown, test_readd_gives_up),
		TEST_CASE_ST(case_setup, case_teardown, test_new_device_paired_by_mac),
		TEST_CASE_ST(case_setup, case_teardown, test_new_device_refused),
		TEST_CASE(test_pci_readiness),
		TEST_CASE(test_lsc_lost_polled),
		TEST_CASE_ST(case_setup, case_teardown, test_refuse_second),
		TEST_CASE_ST(case_setup, case_teardown, test_refuse_unfit),
		TEST_CASE_ST(case_setup, case_teardown, test_close_returns_pool),
		TEST_CASES_END()
	}
};

FT_MAIN(hotplug_suite)
