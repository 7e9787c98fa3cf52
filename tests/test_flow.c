/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * rte_flow suite over the fault-injection PMD's flow engine (tests/fosim):
 * validate, create, destroy, flush, query and isolate reach both
 * sub-ports; a refusal by one names it and rolls the other back; rules are
 * replayed, in creation order, onto a primary that joins later, whose
 * refusal fails its adoption, or with flow_partial=1 leaves the rule on the
 * standby only; a primary leaving in order has its rules destroyed, its
 * counters kept. Then net_tap (rte_flow over TC) as the primary, where it
 * can run. Every mbuf comes back.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>

#include "fosim.h"
#include "ft_log.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

#define NB_Q 2

static struct rte_mempool *pool;
static unsigned int case_start;

/* ETH / IPV4 / UDP dst <port> -> QUEUE <q> (or DROP) [+ COUNT] */
struct rule {
	struct rte_flow_attr attr;
	struct rte_flow_item_udp udp_spec, udp_mask;
	struct rte_flow_item pattern[4];
	struct rte_flow_action_queue queue;
	struct rte_flow_action actions[3];
};

static void
rule_make(struct rule *r, uint16_t udp_dst, int queue, bool count)
{
	memset(r, 0, sizeof(*r));
	r->attr.ingress = 1;
	r->udp_spec.hdr.dst_port = rte_cpu_to_be_16(udp_dst);
	r->udp_mask.hdr.dst_port = RTE_BE16(0xffff);
	r->pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	r->pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
	r->pattern[2] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_UDP,
		.spec = &r->udp_spec, .mask = &r->udp_mask };
	r->pattern[3].type = RTE_FLOW_ITEM_TYPE_END;
	r->queue.index = queue < 0 ? 0 : queue;
	r->actions[0] = queue < 0 ? (struct rte_flow_action){ .type = RTE_FLOW_ACTION_TYPE_DROP } :
		(struct rte_flow_action){ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &r->queue };
	r->actions[1].type = count ? RTE_FLOW_ACTION_TYPE_COUNT : RTE_FLOW_ACTION_TYPE_END;
	r->actions[2].type = RTE_FLOW_ACTION_TYPE_END;
}

static struct rte_flow *
rule_create(uint16_t port, uint16_t udp_dst, bool count, struct rte_flow_error *err)
{
	struct rule r;

	rule_make(&r, udp_dst, 1, count);
	return rte_flow_create(port, &r.attr, r.pattern, r.actions, err);
}

static int
port_open(const char *name, const char *args, uint16_t *port)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = 1 };

	if (rte_vdev_init(name, args) != 0 || rte_eth_dev_get_port_by_name(name, port) != 0)
		return -1;
	return ft_port_start(*port, NB_Q, 128, &conf, pool);
}

static void
port_drop(const char *name, uint16_t port)
{
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_vdev_uninit(name);
}

/* The UDP ports of the rules the sub-port holds, in order, as "1001,1003". */
static const char *
rules_of(uint16_t port)
{
	static char buf[256];
	struct fosim_flow_info info[32];
	int n = fosim_flow_list(port, info, RTE_DIM(info)), i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && i < (int)RTE_DIM(info); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%u", i ? "," : "",
				info[i].udp_dst);
	return buf;
}

static int
count_of(uint16_t port, struct rte_flow *f, uint64_t *hits, uint64_t *bytes, int reset)
{
	struct rte_flow_action count = { .type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_query_count c = { .reset = reset };
	struct rte_flow_error err;
	int ret = rte_flow_query(port, f, &count, &c, &err);

	*hits = c.hits;
	*bytes = c.bytes;
	return ret;
}

static int
case_setup(void)
{
	case_start = rte_mempool_avail_count(pool);
	ft_log_reset();
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
}

/* Validate, create, destroy, flush and query reach both sub-ports. */
static int
test_reach_both(void)
{
	struct rte_flow *f[3];
	struct rte_flow_error err;
	uint16_t port, prim, stby;
	uint64_t hits, bytes;
	struct rule r;
	int i;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl0",
			"primary=(net_fosim40),standby=(net_fosim41),mac=02:fa:00:00:00:f0", &port),
			"setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &prim), "p");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	rule_make(&r, 1001, 1, true);
	TEST_ASSERT_SUCCESS(rte_flow_validate(port, &r.attr, r.pattern, r.actions, &err),
			    "validate: %s", err.message);
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "flow_validate"), 1, "primary not asked");
	TEST_ASSERT_EQUAL(fosim_op_count(stby, "flow_validate"), 1, "standby not asked");
	for (i = 0; i < 3; i++) {
		f[i] = rule_create(port, 1001 + i, true, &err);
		TEST_ASSERT_NOT_NULL(f[i], "create %d: %s", i, err.message);
	}
	TEST_ASSERT(strcmp(rules_of(prim), "1001,1002,1003") == 0, "primary %s", rules_of(prim));
	TEST_ASSERT(strcmp(rules_of(stby), "1001,1002,1003") == 0, "standby %s", rules_of(stby));
	/* COUNT: the sum of both, reset on both */
	TEST_ASSERT_SUCCESS(fosim_flow_hit(prim, 0, 5, 500), "hit");
	TEST_ASSERT_SUCCESS(fosim_flow_hit(stby, 0, 3, 300), "hit");
	TEST_ASSERT_SUCCESS(count_of(port, f[0], &hits, &bytes, 1), "query");
	TEST_ASSERT(hits == 8 && bytes == 800, "count %" PRIu64 "/%" PRIu64 ", want 8/800",
		    hits, bytes);
	TEST_ASSERT_SUCCESS(count_of(port, f[0], &hits, &bytes, 0), "query");
	TEST_ASSERT(hits == 0 && bytes == 0, "not reset");
	TEST_ASSERT_SUCCESS(rte_flow_destroy(port, f[1], &err), "destroy: %s", err.message);
	TEST_ASSERT(strcmp(rules_of(prim), "1001,1003") == 0, "primary %s", rules_of(prim));
	TEST_ASSERT(strcmp(rules_of(stby), "1001,1003") == 0, "standby %s", rules_of(stby));
	TEST_ASSERT_SUCCESS(rte_flow_flush(port, &err), "flush: %s", err.message);
	TEST_ASSERT_EQUAL(fosim_flow_list(prim, NULL, 0), 0, "primary keeps rules");
	TEST_ASSERT_EQUAL(fosim_flow_list(stby, NULL, 0), 0, "standby keeps rules");
	port_drop("net_failover_fl0", port);
	return ft_pool_check(pool, case_start);
}

/* A refusal by the standby names it and leaves no rule on the primary. */
static int
test_standby_refuses(void)
{
	struct rte_flow_error err;
	uint16_t port, prim, stby;
	char want[128];
	struct rule r;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl1",
			"primary=(net_fosim42),standby=(net_fosim43,flow_no_udp=1),"
			"mac=02:fa:00:00:00:f1", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &prim), "p");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	rule_make(&r, 2001, 0, false);
	memset(&err, 0, sizeof(err));
	TEST_ASSERT_EQUAL(rte_flow_validate(port, &r.attr, r.pattern, r.actions, &err), -ENOTSUP,
			  "validate of a rule the standby cannot take");
	snprintf(want, sizeof(want), "standby port %u refused the rule: fosim: no UDP item here",
		 stby);
	TEST_ASSERT(err.message != NULL && strcmp(err.message, want) == 0, "message \"%s\"",
		    err.message);
	TEST_ASSERT(err.cause == &r.pattern[2], "the cause is not the UDP item");
	TEST_ASSERT_NULL(rte_flow_create(port, &r.attr, r.pattern, r.actions, &err), "created");
	TEST_ASSERT_EQUAL(rte_errno, ENOTSUP, "rte_errno %d", rte_errno);
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "flow_create"), 1, "primary not asked first");
	TEST_ASSERT_EQUAL(fosim_flow_list(prim, NULL, 0), 0, "primary not rolled back");
	TEST_ASSERT_EQUAL(fosim_op_count(prim, "flow_destroy"), 1, "primary's rule not undone");
	TEST_ASSERT(ft_log_has(want), "no log line naming the standby");
	/* an injected failure: same, with the standby's message */
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "flow_create"), "fail");
	r.pattern[2].type = RTE_FLOW_ITEM_TYPE_END;  /* ETH / IPV4: both could */
	TEST_ASSERT_NULL(rte_flow_create(port, &r.attr, r.pattern, r.actions, &err), "created");
	snprintf(want, sizeof(want), "standby port %u refused the rule: fosim: injected failure",
		 stby);
	TEST_ASSERT(strcmp(err.message, want) == 0, "message \"%s\"", err.message);
	TEST_ASSERT_EQUAL(rte_errno, EIO, "rte_errno %d", rte_errno);
	TEST_ASSERT_EQUAL(fosim_flow_list(prim, NULL, 0), 0, "primary not rolled back");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, ""), "fail");
	TEST_ASSERT_NOT_NULL(rte_flow_create(port, &r.attr, r.pattern, r.actions, &err),
			     "ETH/IPV4: %s", err.message);
	TEST_ASSERT_EQUAL(fosim_flow_list(prim, NULL, 0) * 10 + fosim_flow_list(stby, NULL, 0),
			  11, "rule not on both");
	port_drop("net_failover_fl1", port);
	return ft_pool_check(pool, case_start);
}

/* A sub-port without rte_flow (as net_null): rules are refused, naming it. */
static int
test_sub_without_flow(void)
{
	struct rte_flow_error err;
	uint16_t port, stby;
	char want[64];

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl2",
			"primary=(net_fosim44),standby=(net_fosim45,flow_max=0),"
			"mac=02:fa:00:00:00:f2", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	memset(&err, 0, sizeof(err));
	TEST_ASSERT_NULL(rule_create(port, 3001, false, &err), "created");
	snprintf(want, sizeof(want), "standby port %u refused the rule: ", stby);
	TEST_ASSERT(err.message != NULL && strncmp(err.message, want, strlen(want)) == 0,
		    "message \"%s\"", err.message);
	TEST_ASSERT_EQUAL(rte_errno, ENOSYS, "rte_errno %d", rte_errno);
	port_drop("net_failover_fl2", port);
	return ft_pool_check(pool, case_start);
}

/* Isolated mode on both; a refusal by the standby puts the primary back. */
static int
test_isolate(void)
{
	struct rte_flow_error err;
	uint16_t port, prim, stby;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl3",
			"primary=(net_fosim46),standby=(net_fosim47),mac=02:fa:00:00:00:f3", &port),
			"setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &prim), "p");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	TEST_ASSERT_SUCCESS(rte_flow_isolate(port, 1, &err), "isolate: %s", err.message);
	TEST_ASSERT_EQUAL(fosim_flow_isolated(prim) * 10 + fosim_flow_isolated(stby), 11,
			  "not isolated on both");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "flow_isolate"), "fail");
	TEST_ASSERT(rte_flow_isolate(port, 0, &err) != 0, "isolate off passed");
	TEST_ASSERT(strstr(err.message, "standby port") != NULL, "message \"%s\"", err.message);
	TEST_ASSERT_EQUAL(fosim_flow_isolated(prim), 1, "primary not put back");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, ""), "fail");
	TEST_ASSERT_SUCCESS(rte_flow_isolate(port, 0, &err), "isolate off: %s", err.message);
	TEST_ASSERT_EQUAL(fosim_flow_isolated(prim) + fosim_flow_isolated(stby), 0, "isolated");
	port_drop("net_failover_fl3", port);
	return ft_pool_check(pool, case_start);
}

/*
 * A primary that joins later gets isolated mode and the rules, in creation
 * order (a destroyed one not); when it leaves in order its rules are
 * destroyed and what it counted stays in the failover port's count.
 */
static int
test_replay_in_order(void)
{
	struct rte_flow *f[4];
	struct rte_flow_error err;
	uint16_t port, stby, late;
	uint64_t hits, bytes;
	int i;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl4",
			"primary=net_fosim_fl4,standby=(net_fosim48),mac=02:fa:00:00:00:f4,"
			"link_poll_ms=1", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	TEST_ASSERT_SUCCESS(rte_flow_isolate(port, 1, &err), "isolate: %s", err.message);
	for (i = 0; i < 3; i++) {
		f[i] = rule_create(port, 1001 + i, true, &err);
		TEST_ASSERT_NOT_NULL(f[i], "create: %s", err.message);
	}
	TEST_ASSERT_SUCCESS(rte_flow_destroy(port, f[1], &err), "destroy");
	f[3] = rule_create(port, 1004, true, &err);
	TEST_ASSERT_NOT_NULL(f[3], "create: %s", err.message);
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_fl4", "mac=02:00:00:00:77:f4"), "late");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 2000, &late),
			    "not adopted");
	TEST_ASSERT(strcmp(rules_of(late), "1001,1003,1004") == 0, "replayed %s", rules_of(late));
	TEST_ASSERT_EQUAL(fosim_flow_isolated(late), 1, "isolated mode not replayed");
	TEST_ASSERT_SUCCESS(fosim_flow_hit(late, 0, 7, 700), "hit");
	TEST_ASSERT_SUCCESS(fosim_flow_hit(stby, 0, 1, 100), "hit");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_primary_leave(port), "leave");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, false, 2000, NULL),
			    "primary still there");
	TEST_ASSERT_EQUAL(fosim_op_count(late, "flow_destroy"), 3, "rules not destroyed in order");
	TEST_ASSERT_SUCCESS(count_of(port, f[0], &hits, &bytes, 0), "query");
	TEST_ASSERT(hits == 8 && bytes == 800, "count %" PRIu64 ", want 7 + 1 (kept from the "
		    "primary)", hits);
	TEST_ASSERT(strcmp(rules_of(stby), "1001,1003,1004") == 0, "standby %s", rules_of(stby));
	TEST_ASSERT_SUCCESS(rte_flow_flush(port, &err), "flush");
	TEST_ASSERT_EQUAL(fosim_flow_list(stby, NULL, 0), 0, "standby keeps rules");
	port_drop("net_failover_fl4", port);
	rte_vdev_uninit("net_fosim_fl4");
	return ft_pool_check(pool, case_start);
}

/* A joining primary that cannot take a rule is refused, holding none. */
static int
test_replay_refused(void)
{
	struct rte_flow_error err;
	uint16_t port, stby, late, sub;
	int i;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl5",
			"primary=net_fosim_fl5,standby=(net_fosim49),mac=02:fa:00:00:00:f5,"
			"link_poll_ms=1", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_NOT_NULL(rule_create(port, 1001 + i, false, &err), "create");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_fl5", "mac=02:00:00:00:77:f5,flow_max=2"),
			    "late");
	TEST_ASSERT_SUCCESS(ft_wait_xstat(port, "refused_ports", 1, 2000), "not refused");
	TEST_ASSERT_EQUAL(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			  -ENODEV, "adopted");
	TEST_ASSERT(ft_log_has("refused rule 3: fosim: rule table full"), "no log of the rule");
	TEST_ASSERT(ft_log_has("cannot take the flow rules"), "no log of the refusal");
	TEST_ASSERT(ft_log_has("cannot take the failover port's state (No space left"),
		    "the refusal's reason is not the rule");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_fosim_fl5", &late), "late port");
	TEST_ASSERT_EQUAL(fosim_flow_list(late, NULL, 0), 0, "the refused port keeps rules");
	TEST_ASSERT_EQUAL(fosim_flow_list(stby, NULL, 0), 3, "standby lost rules");
	port_drop("net_failover_fl5", port);
	rte_vdev_uninit("net_fosim_fl5");
	return ft_pool_check(pool, case_start);
}

/*
 * flow_partial=1: the joining primary takes what it can; a rule one
 * sub-port refuses at create is kept on the other; destroy and query use
 * the sub-ports holding the rule.
 */
static int
test_partial(void)
{
	struct rte_flow *f[3], *g;
	struct rte_flow_error err;
	uint16_t port, stby, late;
	uint64_t hits, bytes;
	int i;

	TEST_ASSERT_SUCCESS(port_open("net_failover_fl6",
			"primary=net_fosim_fl6,standby=(net_fosim50),mac=02:fa:00:00:00:f6,"
			"link_poll_ms=1,flow_partial=1", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	for (i = 0; i < 3; i++) {
		f[i] = rule_create(port, 1001 + i, true, &err);
		TEST_ASSERT_NOT_NULL(f[i], "create");
	}
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_fosim_fl6", "mac=02:00:00:00:77:f6,flow_max=2"),
			    "late");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 2000, &late),
			    "not adopted");
	TEST_ASSERT(strcmp(rules_of(late), "1001,1002") == 0, "primary %s", rules_of(late));
	TEST_ASSERT(ft_log_has("(kept on the other sub-port only)"), "no warning");
	TEST_ASSERT_SUCCESS(fosim_flow_hit(stby, 2, 4, 400), "hit");
	TEST_ASSERT_SUCCESS(count_of(port, f[2], &hits, &bytes, 0), "query of a standby-only rule");
	TEST_ASSERT_EQUAL(hits, 4, "count");
	TEST_ASSERT_SUCCESS(rte_flow_destroy(port, f[0], &err), "destroy: %s", err.message);
	TEST_ASSERT(strcmp(rules_of(late), "1002") == 0, "primary %s", rules_of(late));
	TEST_ASSERT(strcmp(rules_of(stby), "1002,1003") == 0, "standby %s", rules_of(stby));
	/* refused by the standby at create: kept on the primary */
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, "flow_create"), "fail");
	g = rule_create(port, 1005, true, &err);
	TEST_ASSERT_NOT_NULL(g, "not kept on the primary");
	TEST_ASSERT(strcmp(rules_of(late), "1002,1005") == 0, "primary %s", rules_of(late));
	TEST_ASSERT(strcmp(rules_of(stby), "1002,1003") == 0, "standby %s", rules_of(stby));
	/* refused by both (the primary is full): refused */
	TEST_ASSERT_NULL(rule_create(port, 1006, true, &err), "created on none");
	TEST_ASSERT_SUCCESS(fosim_set_fail(stby, ""), "fail");
	TEST_ASSERT_SUCCESS(rte_flow_destroy(port, g, &err), "destroy: %s", err.message);
	TEST_ASSERT_SUCCESS(rte_flow_flush(port, &err), "flush");
	TEST_ASSERT_EQUAL(fosim_flow_list(late, NULL, 0) + fosim_flow_list(stby, NULL, 0), 0,
			  "rules left");
	port_drop("net_failover_fl6", port);
	rte_vdev_uninit("net_fosim_fl6");
	return ft_pool_check(pool, case_start);
}

/*
 * net_tap as the primary: its rte_flow (TC flower) takes the rule through
 * the failover port, with a fosim standby; where the kernel has no flower
 * classifier (net_tap then refuses every rule), the refusal names the
 * primary and the standby is rolled back. Skipped without root or
 * /dev/net/tun.
 */
static int
test_tap_primary(void)
{
	struct rte_flow_error err;
	struct rte_flow *f;
	uint16_t port, prim, stby;
	char want[64];
	struct rule r;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("net_tap needs root and /dev/net/tun: skipped\n");
		return TEST_SKIPPED;
	}
	TEST_ASSERT_SUCCESS(port_open("net_failover_fl7",
			"primary=(net_tap_fl7,iface=fofl7),standby=(net_fosim51),"
			"mac=02:fa:00:00:00:f7", &port), "setup");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &prim), "p");
	rule_make(&r, 4789, 1, false);
	memset(&err, 0, sizeof(err));
	f = rte_flow_create(port, &r.attr, r.pattern, r.actions, &err);
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &stby), "s");
	if (f != NULL) {
		printf("net_tap primary port %u took ETH/IPV4/UDP dst 4789 -> QUEUE 1\n", prim);
		TEST_ASSERT_EQUAL(fosim_flow_list(stby, NULL, 0), 1, "not on the standby");
		TEST_ASSERT_SUCCESS(rte_flow_destroy(port, f, &err), "destroy: %s", err.message);
	} else {
		snprintf(want, sizeof(want), "primary port %u refused the rule: ", prim);
		TEST_ASSERT(err.message != NULL && strncmp(err.message, want, strlen(want)) == 0,
			    "message \"%s\"", err.message);
		TEST_ASSERT_EQUAL(fosim_flow_list(stby, NULL, 0), 0, "standby not rolled back");
		printf("net_tap refused the rule here (%s); standby rolled back\n", err.message);
	}
	port_drop("net_failover_fl7", port);
	return ft_pool_check(pool, case_start);
}

static int
suite_setup(void)
{
	if (ft_log_open() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("flow_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return pool == NULL ? -1 : 0;
}

static void
suite_teardown(void)
{
	rte_mempool_free(pool);
}

static struct unit_test_suite flow_suite = {
	.suite_name = "failover rte_flow over fosim",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(case_setup, case_teardown, test_reach_both),
		TEST_CASE_ST(case_setup, case_teardown, test_standby_refuses),
		TEST_CASE_ST(case_setup, case_teardown, test_sub_without_flow),
		TEST_CASE_ST(case_setup, case_teardown, test_isolate),
		TEST_CASE_ST(case_setup, case_teardown, test_replay_in_order),
		TEST_CASE_ST(case_setup, case_teardown, test_replay_refused),
		TEST_CASE_ST(case_setup, case_teardown, test_partial),
		TEST_CASE_ST(case_setup, case_teardown, test_tap_primary),
		TEST_CASES_END()
	}
};

FT_MAIN(flow_suite)
