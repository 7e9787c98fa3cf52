/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * lib/failover suite: the pairing layer alone, over net_null ports, with
 * an instance of the test's own (no failover port). What it promises its
 * instances: no op from inside rte_failover_register(); existing ports
 * claimed by rte_failover_scan(), new ones by their NEW event; ownership
 * taken on claim and dropped on release and unregister; a port someone
 * else owns is never taken.
 */

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>

#include "ft_log.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_failover.h"

struct inst {
	struct rte_failover *fo;   /* set by the test once register returned */
	unsigned int attached, early;
	uint16_t port[RTE_FAILOVER_NB_ROLES];
};

static struct inst inst;

static void
inst_attach(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	struct inst *in = ctx;

	/* an op that reaches an instance before it holds its handle */
	if (__atomic_load_n(&in->fo, __ATOMIC_ACQUIRE) == NULL)
		__atomic_fetch_add(&in->early, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&in->port[role], port_id, __ATOMIC_RELAXED);
	__atomic_fetch_add(&in->attached, 1, __ATOMIC_RELEASE);
}

static void
inst_ignore(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	RTE_SET_USED(ctx);
	RTE_SET_USED(port_id);
	RTE_SET_USED(role);
}

static const struct rte_failover_ops inst_ops = {
	.attach = inst_attach,
	.remove_request = inst_ignore,
	.detach = inst_ignore,
	.link_change = inst_ignore,
};

static uint64_t
owner_of(uint16_t port)
{
	struct rte_eth_dev_owner o;

	return rte_eth_dev_owner_get(port, &o) == 0 ? o.id : UINT64_MAX;
}

static int
wait_attached(unsigned int n)
{
	return ft_wait_count(&inst.attached, n, 1000) == n ? 0 : -1;
}

/*
 * A matching port exists at registration: nothing reaches the instance
 * until it has its handle and scans (the start-up crash on a real guest
 * was an op run from inside registration, on another CPU).
 */
static int
test_register_calls_no_op(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib0" };
	struct rte_failover *fo;
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib0", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(p, &conf.mac), "mac");
	conf.mac_set = 1;
	memset(&inst, 0, sizeof(inst));
	fo = rte_failover_register(&conf, &inst_ops, &inst);
	TEST_ASSERT_NOT_NULL(fo, "register");
	ft_sleep_us(20 * 1000);  /* the interrupt thread has had its chance */
	TEST_ASSERT_EQUAL(__atomic_load_n(&inst.attached, __ATOMIC_ACQUIRE), 0,
			  "an op reached the instance before rte_failover_scan()");
	__atomic_store_n(&inst.fo, fo, __ATOMIC_RELEASE);
	rte_failover_scan(fo);
	TEST_ASSERT_SUCCESS(wait_attached(1), "the existing port was not attached");
	TEST_ASSERT_EQUAL(inst.early, 0, "an op came before the handle");
	TEST_ASSERT_EQUAL(inst.port[RTE_FAILOVER_PRIMARY], p, "attached the wrong port");
	TEST_ASSERT_EQUAL(rte_failover_port(fo, RTE_FAILOVER_PRIMARY), p, "not recorded");
	TEST_ASSERT_EQUAL(owner_of(p), rte_failover_owner_id(fo), "port not owned");
	rte_failover_unregister(fo);
	TEST_ASSERT_EQUAL(owner_of(p), RTE_ETH_DEV_NO_OWNER, "unregister kept the port");
	return rte_vdev_uninit("net_null_lib0");
}

/* A port that appears later is claimed from its NEW event; release frees it. */
static int
test_new_port_claimed(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib1" };
	uint16_t p;

	conf.dev_name[RTE_FAILOVER_STANDBY] = "net_null_lib1";
	memset(&inst, 0, sizeof(inst));
	inst.fo = rte_failover_register(&conf, &inst_ops, &inst);
	TEST_ASSERT_NOT_NULL(inst.fo, "register");
	rte_failover_scan(inst.fo);
	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib1", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(wait_attached(1), "the new port was not attached");
	TEST_ASSERT_EQUAL(inst.port[RTE_FAILOVER_STANDBY], p, "not attached as the standby");
	rte_failover_release(inst.fo, p);
	TEST_ASSERT_EQUAL(owner_of(p), RTE_ETH_DEV_NO_OWNER, "release kept ownership");
	TEST_ASSERT_EQUAL(rte_failover_port(inst.fo, RTE_FAILOVER_STANDBY), RTE_MAX_ETHPORTS,
			  "role not free after release");
	rte_failover_unregister(inst.fo);
	return rte_vdev_uninit("net_null_lib1");
}

/* A matching port the application owns is left to it, and the log says so. */
static int
test_owned_port_left(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib2" };
	struct rte_eth_dev_owner app = { .name = "the_app" };
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib2", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_new(&app.id), "owner id");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_set(p, &app), "owner");
	conf.dev_name[RTE_FAILOVER_PRIMARY] = "net_null_lib2";
	memset(&inst, 0, sizeof(inst));
	ft_log_reset();
	inst.fo = rte_failover_register(&conf, &inst_ops, &inst);
	TEST_ASSERT_NOT_NULL(inst.fo, "register");
	rte_failover_scan(inst.fo);
	TEST_ASSERT(ft_log_has("would be the primary but is owned by 'the_app': not taken"),
		    "no log line for the owned port");
	TEST_ASSERT_EQUAL(owner_of(p), app.id, "ownership taken from the application");
	TEST_ASSERT_EQUAL(inst.attached, 0, "an owned port was attached");
	rte_failover_unregister(inst.fo);
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_unset(p, app.id), "unset");
	return rte_vdev_uninit("net_null_lib2");
}

static int
suite_setup(void)
{
	return ft_log_open();
}

static struct unit_test_suite lib_suite = {
	.suite_name = "lib/failover: pairing layer",
	.setup = suite_setup,
	.unit_test_cases = {
		TEST_CASE(test_register_calls_no_op),
		TEST_CASE(test_new_port_claimed),
		TEST_CASE(test_owned_port_left),
		TEST_CASES_END()
	}
};

FT_MAIN(lib_suite)
