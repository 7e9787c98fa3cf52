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

#include "ft_test.h"
#include "ft_rig.h"

#define FO_MTU 1600

static struct rig rig;
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
	uint64_t id, v = UINT64_MAX;

	if (rte_eth_xstats_get_id_by_name(rig.fo, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(rig.fo, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
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
	struct rte_mbuf *pkts[RIG_BURST];
	int n;

	while ((n = fosim_tx_collect(vf_port, 0, pkts, RIG_BURST)) > 0) {
		rte_pktmbuf_free_bulk(pkts, n);
		a->to_vf += n;
	}
	a->to_vhost += rig_vh_drain(&rig);
}

/* One burst through the failover port; what is not sent is freed. */
static void
send_one(struct acct *a, uint16_t vf_port)
{
	struct rte_mbuf *pkts[RIG_BURST];
	uint16_t n;

	if (rte_pktmbuf_alloc_bulk(rig.pool, pkts, RIG_BURST) != 0)
		return;
	for (n = 0; n < RIG_BURST; n++)
		rte_pktmbuf_append(pkts[n], 64);
	n = rte_eth_tx_burst(rig.fo, 0, pkts, RIG_BURST);
	rte_pktmbuf_free_bulk(pkts + n, RIG_BURST - n);
	a->offered += RIG_BURST;
	a->sent += n;
	a->returned += RIG_BURST - n;
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
	strlcpy(name, rig_vf_name(&rig, 0), len);
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
		if (rig_vf_plug(&rig, NULL) != 0 ||
		    rig_wait_active(&rig, RTE_PMD_FAILOVER_PRIMARY, 2000) != 0 ||
		    rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf) != 0) {
			printf("no primary joined\n");
			return TEST_FAILED;
		}
		printf("  VF probe to active primary: %.3f ms\n",
		       rig_ms(rte_get_timer_cycles() - t0));
	}
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	rig_vh_drain(&rig);
}

/* MAC match on NEW: the VF joined with the failover's state replayed. */
static int
test_pair_mac_on_new(void)
{
	struct rte_ether_addr mac, want;
	uint16_t nb_rx = 0, nb_tx = 0, mtu = 0;
	struct acct a;

	rte_ether_unformat_addr(RIG_MAC_STR, &want);
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
	TEST_ASSERT_SUCCESS(rig_wait_active(&rig, RTE_PMD_FAILOVER_STANDBY, 1000),
			    "no failover on INTR_LSC");
	send_one(&a, vf);
	TEST_ASSERT_SUCCESS(fosim_set_link(vf, 1), "link up");
	TEST_ASSERT_SUCCESS(rig_wait_active(&rig, RTE_PMD_FAILOVER_PRIMARY, 1000),
			    "no failback on INTR_LSC");
	send_one(&a, vf);
	TEST_ASSERT(a.to_vhost >= RIG_BURST, "nothing went to the standby");
	return acct_check(&a, vf);
}

/* Removal: the port is closed once, its device removed, the role free. */
static int
check_gone(uint16_t old, const char *name)
{
	uint16_t p;

	TEST_ASSERT_SUCCESS(rig_wait_primary(&rig, 0, 2000), "primary still there");
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
	       rig_ms(rte_get_timer_cycles() - t0));
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

	strlcpy(name, rig_vf_name(&rig, 0), sizeof(name));
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
	TEST_ASSERT(a.to_vhost >= RIG_BURST, "nothing went to the standby");
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

	strlcpy(name, rig_vf_name(&rig, 0), sizeof(name));
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(rig.fo), "leave");
	TEST_ASSERT_SUCCESS(rig_wait_primary(&rig, 0, 1000), "primary still there");
	t0 = rte_get_timer_cycles();
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_ADD);
	TEST_ASSERT_SUCCESS(rig_wait_active(&rig, RTE_PMD_FAILOVER_PRIMARY, 2000),
			    "no failback after RTE_DEV_EVENT_ADD");
	printf("  RTE_DEV_EVENT_ADD to active primary: %.3f ms\n",
	       rig_ms(rte_get_timer_cycles() - t0));
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig.fo, RTE_PMD_FAILOVER_PRIMARY, &vf),
			    "no primary");
	TEST_ASSERT_EQUAL(strcmp(rte_dev_name(port_device(vf)), name), 0,
			  "a different device joined");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(vf, &mtu), "mtu");
	TEST_ASSERT_EQUAL(mtu, FO_MTU, "state not replayed on the re-probed VF");
	acct_start(&a);
	send_one(&a, vf);
	TEST_ASSERT_EQUAL(a.to_vf, RIG_BURST, "traffic not back on the VF");
	/* an ADD for a device nobody had changes nothing */
	rte_dev_event_callback_process("net_fosim99", RTE_DEV_EVENT_ADD);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_fosim99", &mtu) != 0,
		    "an unknown device was probed");
	return acct_check(&a, vf);
}

/* Wait (sleeping: the interrupt thread shares this core) for an xstat. */
static int
wait_xstat(const char *name, uint64_t want)
{
	unsigned int i;

	for (i = 0; i < 2000 && xstat(name) != want; i++)
		rte_delay_us_sleep(1000);
	return xstat(name) == want ? 0 : -1;
}

/* A second VF with the same MAC while the role is filled is refused. */
static int
test_refuse_second(void)
{
	uint64_t refused = xstat("refused_ports");
	struct rte_eth_dev_owner owner;
	uint16_t p, cur;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim95", RIG_VF_ARGS), "plug");
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
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim96", RIG_VF_ARGS ",max_mtu=1500"), "plug");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_fosim96", &p), "port");
	TEST_ASSERT_SUCCESS(wait_xstat("refused_ports", refused + 1), "veto not counted");
	TEST_ASSERT(rig_wait_primary(&rig, 1, 50) != 0, "an unfit VF was adopted");
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
	if (rig_setup(&rig, 8191, ",link_poll_ms=0") != 0)
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
	rig_teardown(&rig);
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
		TEST_CASE_ST(case_setup, case_teardown, test_refuse_second),
		TEST_CASE_ST(case_setup, case_teardown, test_refuse_unfit),
		TEST_CASE_ST(case_setup, case_teardown, test_close_returns_pool),
		TEST_CASES_END()
	}
};

int
main(int argc, char **argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	return ft_suite_main("test_hotplug", &hotplug_suite);
}
