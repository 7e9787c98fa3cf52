/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * lib/failover suite: the pairing layer alone, over net_null ports, with
 * fake instances of the test's own (no failover port). What it promises
 * its instances: no op from inside rte_failover_register(); existing ports
 * claimed by rte_failover_scan(), new ones by their NEW event, with the
 * name or MAC they matched and no role of its choosing; ownership taken
 * on claim and dropped on release and unregister; a port someone else
 * owns never taken; each event translated into one op, at once; no op
 * called with its lock held (an op may call it back); unregister waiting
 * for an op in progress in another thread.
 */

#include <pthread.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <ethdev_driver.h>

#include "ft_log.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_failover.h"

enum call { C_ATTACH, C_REMOVE, C_DETACH, C_LINK, C_DEV_ADD, C_NB };

/* A fake instance: counts each op, remembers the last port and hint. */
struct inst {
	struct rte_failover *fo;   /* set by the test once register returned */
	unsigned int calls[C_NB], early;
	uint16_t port;
	int hint;
	char dev_name[RTE_DEV_NAME_MAX_LEN];
	bool release_in_attach;    /* call the library back from inside an op */
	unsigned int link_sleep_ms;
	bool link_done;
};

static struct inst inst, inst2;

static void
count(struct inst *in, enum call c, uint16_t port)
{
	__atomic_store_n(&in->port, port, __ATOMIC_RELAXED);
	__atomic_fetch_add(&in->calls[c], 1, __ATOMIC_RELEASE);
}

static void
inst_attach(void *ctx, uint16_t port_id, int hint)
{
	struct inst *in = ctx;

	/* an op that reaches an instance before it holds its handle */
	if (__atomic_load_n(&in->fo, __ATOMIC_ACQUIRE) == NULL)
		__atomic_fetch_add(&in->early, 1, __ATOMIC_RELAXED);
	in->hint = hint;
	if (in->release_in_attach)
		rte_failover_release(in->fo, port_id);
	count(in, C_ATTACH, port_id);
}

static void
inst_remove(void *ctx, uint16_t port_id)
{
	count(ctx, C_REMOVE, port_id);
}

static void
inst_detach(void *ctx, uint16_t port_id)
{
	count(ctx, C_DETACH, port_id);
}

static void
inst_link(void *ctx, uint16_t port_id)
{
	struct inst *in = ctx;

	if (in->link_sleep_ms > 0) {
		ft_sleep_us(in->link_sleep_ms * 1000);
		__atomic_store_n(&in->link_done, true, __ATOMIC_RELEASE);
	}
	count(in, C_LINK, port_id);
}

static void
inst_dev_add(void *ctx, const char *name)
{
	struct inst *in = ctx;

	strlcpy(in->dev_name, name, sizeof(in->dev_name));
	count(in, C_DEV_ADD, 0);
}

static const struct rte_failover_ops inst_ops = {
	.attach = inst_attach,
	.remove_request = inst_remove,
	.detach = inst_detach,
	.link_change = inst_link,
	.dev_add = inst_dev_add,
};

static unsigned int
calls(const struct inst *in, enum call c)
{
	return __atomic_load_n(&in->calls[c], __ATOMIC_ACQUIRE);
}

static const char *
owner_name(uint16_t port, char *buf, size_t len)
{
	struct rte_eth_dev_owner o;

	if (rte_eth_dev_owner_get(port, &o) != 0)
		return "?";
	strlcpy(buf, o.id == RTE_ETH_DEV_NO_OWNER ? "" : o.name, len);
	return buf;
}

static int
case_setup(void)
{
	memset(&inst, 0, sizeof(inst));
	memset(&inst2, 0, sizeof(inst2));
	ft_log_reset();
	return TEST_SUCCESS;
}

static struct rte_failover *
inst_register(struct inst *in, struct rte_failover_conf *conf)
{
	in->fo = rte_failover_register(conf, &inst_ops, in);
	return in->fo;
}

/*
 * A matching port exists at registration: nothing reaches the instance
 * until it has its handle and scans (the start-up crash on a real guest
 * was an op run from inside registration, on another CPU). Matched by
 * MAC, it comes with no role: the hint says so.
 */
static int
test_register_calls_no_op(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib0" };
	struct rte_failover *fo;
	char own[RTE_ETH_MAX_OWNER_NAME_LEN];
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib0", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(p, &conf.mac), "mac");
	conf.mac_set = 1;
	fo = rte_failover_register(&conf, &inst_ops, &inst);
	TEST_ASSERT_NOT_NULL(fo, "register");
	ft_sleep_us(20 * 1000);  /* the interrupt thread has had its chance */
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 0,
			  "an op reached the instance before rte_failover_scan()");
	__atomic_store_n(&inst.fo, fo, __ATOMIC_RELEASE);
	rte_failover_scan(fo);
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 1, "the existing port was not attached");
	TEST_ASSERT_EQUAL(inst.early, 0, "an op came before the handle");
	TEST_ASSERT_EQUAL(inst.port, p, "attached the wrong port");
	TEST_ASSERT_EQUAL(inst.hint, RTE_FAILOVER_BY_MAC, "a MAC match came with a role");
	TEST_ASSERT(strcmp(owner_name(p, own, sizeof(own)), "fo_lib0") == 0,
		    "port owned by '%s'", own);
	rte_failover_scan(fo);
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 1, "a claimed port was handed over twice");
	rte_failover_unregister(fo);
	TEST_ASSERT(owner_name(p, own, sizeof(own))[0] == '\0', "unregister kept the port");
	return rte_vdev_uninit("net_null_lib0");
}

/* A port that appears later is claimed from its NEW event; release frees it. */
static int
test_new_port_claimed(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib1" };
	char own[RTE_ETH_MAX_OWNER_NAME_LEN];
	uint16_t p;

	conf.dev_name[1] = "net_null_lib1";
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	rte_failover_scan(inst.fo);
	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib1", NULL, &p), "port");
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 1, "the new port was not attached at once");
	TEST_ASSERT_EQUAL(inst.port, p, "attached the wrong port");
	TEST_ASSERT_EQUAL(inst.hint, 1, "not handed over with the name it matched");
	rte_failover_release(inst.fo, p);
	TEST_ASSERT(owner_name(p, own, sizeof(own))[0] == '\0', "release kept ownership");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_null_lib1"), "uninit");
	TEST_ASSERT_EQUAL(calls(&inst, C_DETACH), 0, "an op named a released port");
	rte_failover_unregister(inst.fo);
	return TEST_SUCCESS;
}

/* A matching port the application owns is left to it, and the log says so. */
static int
test_owned_port_left(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib2" };
	struct rte_eth_dev_owner app = { .name = "the_app" };
	char own[RTE_ETH_MAX_OWNER_NAME_LEN];
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib2", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_new(&app.id), "owner id");
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_set(p, &app), "owner");
	conf.dev_name[0] = "net_null_lib2";
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	rte_failover_scan(inst.fo);
	TEST_ASSERT(ft_log_has("(net_null_lib2) matches but is owned by 'the_app': not taken"),
		    "no log line for the owned port");
	TEST_ASSERT(strcmp(owner_name(p, own, sizeof(own)), "the_app") == 0,
		    "ownership taken from the application");
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 0, "an owned port was attached");
	rte_failover_unregister(inst.fo);
	TEST_ASSERT_SUCCESS(rte_eth_dev_owner_unset(p, app.id), "unset");
	return rte_vdev_uninit("net_null_lib2");
}

/* Each event of a claimed port becomes one op, at once, naming the port. */
static int
test_events_translated(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib3" };
	uint16_t p;

	conf.dev_name[0] = "net_null_lib3";
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib3", NULL, &p), "port");
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 1, "not attached");
	rte_eth_dev_callback_process(&rte_eth_devices[p], RTE_ETH_EVENT_INTR_LSC, NULL);
	TEST_ASSERT_EQUAL(calls(&inst, C_LINK), 1, "LSC not translated into link_change");
	rte_eth_dev_callback_process(&rte_eth_devices[p], RTE_ETH_EVENT_INTR_RMV, NULL);
	TEST_ASSERT_EQUAL(calls(&inst, C_REMOVE), 1, "RMV not translated into remove_request");
	rte_dev_event_callback_process("net_null_lib3", RTE_DEV_EVENT_REMOVE);
	TEST_ASSERT_EQUAL(calls(&inst, C_REMOVE), 2,
			  "device REMOVE not translated into remove_request");
	rte_dev_event_callback_process("net_lib_new0", RTE_DEV_EVENT_ADD);
	TEST_ASSERT_EQUAL(calls(&inst, C_DEV_ADD), 1, "device ADD not passed on");
	TEST_ASSERT(strcmp(inst.dev_name, "net_lib_new0") == 0, "dev_add named '%s'",
		    inst.dev_name);
	TEST_ASSERT_EQUAL(inst.port, 0, "dev_add counted as a port's");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_null_lib3"), "uninit");
	TEST_ASSERT_EQUAL(calls(&inst, C_DETACH), 1, "DESTROY not translated into detach");
	TEST_ASSERT_EQUAL(inst.port, p, "detach named port %u", inst.port);
	rte_failover_unregister(inst.fo);
	return TEST_SUCCESS;
}

/* An op may call the library back: no op runs under its lock. */
static void *
probe_thread(void *arg)
{
	uint16_t p;

	return (void *)(intptr_t)ft_null_create(arg, NULL, &p);
}

static int
test_op_may_call_back(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib4" };
	char own[RTE_ETH_MAX_OWNER_NAME_LEN];
	struct timespec until;
	pthread_t t;
	void *ret;
	uint16_t p;

	conf.dev_name[0] = "net_null_lib4";
	inst.release_in_attach = true;
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	TEST_ASSERT_SUCCESS(pthread_create(&t, NULL, probe_thread, (void *)"net_null_lib4"),
			    "thread");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	TEST_ASSERT_SUCCESS(pthread_timedjoin_np(t, &ret, &until),
			    "the probe hangs: an op was called with the library's lock held");
	TEST_ASSERT_SUCCESS((intptr_t)ret, "probe");
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH), 1, "not attached");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_null_lib4", &p), "port");
	TEST_ASSERT(owner_name(p, own, sizeof(own))[0] == '\0',
		    "released from inside attach, still owned by '%s'", own);
	rte_failover_unregister(inst.fo);
	return rte_vdev_uninit("net_null_lib4");
}

/* Unregister waits for an op in progress in another thread. */
static void *
lsc_thread(void *arg)
{
	rte_eth_dev_callback_process(&rte_eth_devices[(uintptr_t)arg], RTE_ETH_EVENT_INTR_LSC,
				     NULL);
	return NULL;
}

static int
test_unregister_waits(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib5" };
	pthread_t t;
	uint16_t p;

	conf.dev_name[0] = "net_null_lib5";
	inst.link_sleep_ms = 50;
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib5", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(pthread_create(&t, NULL, lsc_thread, (void *)(uintptr_t)p),
			    "thread");
	ft_sleep_us(10 * 1000);  /* the op is inside its sleep */
	rte_failover_unregister(inst.fo);
	TEST_ASSERT(__atomic_load_n(&inst.link_done, __ATOMIC_ACQUIRE),
		    "unregister returned while an op was in progress");
	pthread_join(t, NULL);
	return rte_vdev_uninit("net_null_lib5");
}

/* Two instances on one MAC: the port goes to one of them only. */
static int
test_one_owner(void)
{
	struct rte_failover_conf conf = { .name = "fo_lib6" }, conf2 = { .name = "fo_lib7" };
	uint16_t p;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_lib6", NULL, &p), "port");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(p, &conf.mac), "mac");
	conf.mac_set = conf2.mac_set = 1;
	conf2.mac = conf.mac;
	TEST_ASSERT_NOT_NULL(inst_register(&inst, &conf), "register");
	TEST_ASSERT_NOT_NULL(inst_register(&inst2, &conf2), "register 2");
	rte_failover_scan(inst.fo);
	rte_failover_scan(inst2.fo);
	TEST_ASSERT_EQUAL(calls(&inst, C_ATTACH) + calls(&inst2, C_ATTACH), 1,
			  "one port handed to %u instances",
			  calls(&inst, C_ATTACH) + calls(&inst2, C_ATTACH));
	rte_eth_dev_callback_process(&rte_eth_devices[p], RTE_ETH_EVENT_INTR_LSC, NULL);
	TEST_ASSERT_EQUAL(calls(&inst2, C_LINK), 0, "the other instance heard of its port");
	TEST_ASSERT_EQUAL(calls(&inst, C_LINK), 1, "the owner did not");
	rte_failover_unregister(inst.fo);
	rte_failover_unregister(inst2.fo);
	return rte_vdev_uninit("net_null_lib6");
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
		TEST_CASE_ST(case_setup, NULL, test_register_calls_no_op),
		TEST_CASE_ST(case_setup, NULL, test_new_port_claimed),
		TEST_CASE_ST(case_setup, NULL, test_owned_port_left),
		TEST_CASE_ST(case_setup, NULL, test_events_translated),
		TEST_CASE_ST(case_setup, NULL, test_op_may_call_back),
		TEST_CASE_ST(case_setup, NULL, test_unregister_waits),
		TEST_CASE_ST(case_setup, NULL, test_one_owner),
		TEST_CASES_END()
	}
};

FT_MAIN(lib_suite)
