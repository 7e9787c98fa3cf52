/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Devargs suite: every malformed devarg fails the probe with exactly one
 * log line naming the bad part and leaves no port or device behind; good
 * devargs probe, own and pair the sub-ports, in any probing order.
 */

#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "fosim.h"
#include "ft_log.h"
#include "ft_rig.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

static char log_buf[8192];
static uint16_t keeper_port;

static int close_failover(const char *name);

static int
port_of(const char *name, uint16_t *port)
{
	return rte_eth_dev_get_port_by_name(name, port);
}

/* Probe that must fail, log one line naming `part`, and leak nothing. */
static int
expect_bad(const char *args, const char *part)
{
	const char *name = "net_failover_bad";
	uint16_t before = rte_eth_dev_count_total(), p;
	const char *text;
	int ret;

	ft_log_reset();
	ret = rte_vdev_init(name, args);
	text = ft_log_text(log_buf, sizeof(log_buf));
	printf("  '%s' -> %d: %s", args, ret, strstr(text, "net_failover:") ?: "\n");
	TEST_ASSERT(ret < 0, "probe with '%s' succeeded", args);
	TEST_ASSERT(strstr(text, part) != NULL, "log does not name '%s': %s", part, text);
	TEST_ASSERT_EQUAL(ft_str_count(text, "net_failover:"), 1,
			  "expected one net_failover log line: %s", text);
	TEST_ASSERT_EQUAL(rte_eth_dev_count_total(), before, "ports leaked by '%s'", args);
	TEST_ASSERT(port_of(name, &p) != 0, "failover port left by '%s'", args);
	return TEST_SUCCESS;
}

/* A table of bad devargs, each with the part its log line must name. */
struct bad_input {
	const char *args, *part;
};

static int
expect_bad_all(const struct bad_input *bad, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (expect_bad(bad[i].args, bad[i].part) != TEST_SUCCESS)
			return TEST_FAILED;
	return TEST_SUCCESS;
}

static int
test_unknown_key(void)
{
	return expect_bad("primary=(net_null_k0),colour=blue", "colour");
}

static int
test_bad_mac(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_m0),mac=02:00:00:zz:00:01",
				       "02:00:00:zz:00:01"), "non-hex MAC");
	TEST_ASSERT_SUCCESS(expect_bad("mac=01:00:5e:00:00:01", "01:00:5e:00:00:01"),
			    "multicast MAC");
	return expect_bad("mac=00:00:00:00:00:00", "00:00:00:00:00:00");
}

static int
test_unbalanced(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("primary=(net_null_u0,size=64", "unbalanced"),
			    "missing ')'");
	TEST_ASSERT_SUCCESS(expect_bad("primary=net_null_u0),standby=(net_null_u1)",
				       "unbalanced"), "extra ')'");
	return expect_bad("primary=(net_null_u0)x", "text after");
}

static int
test_empty_dev(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("primary=,standby=(net_null_e0)", "primary: empty"),
			    "primary=");
	return expect_bad("standby=()", "standby: empty");
}

/*
 * A bare bus or class keyword, or a layered devargs string with no device
 * name: 22.11's rte_devargs_parse() dereferences NULL on the first kind
 * (a crash of the whole process), and gives the name '' on the second.
 */
static int
test_keyword_not_a_name(void)
{
	static const struct bad_input bad[] = {
		{ "primary=bus,standby=(net_null_kw1)", "primary: 'bus'" },
		{ "primary=(net_null_kw0),standby=class", "standby: 'class'" },
		{ "primary=(bus),standby=(net_null_kw1)", "primary: 'bus'" },
		{ "primary=(bus,x=1),standby=(net_null_kw1)", "primary: 'bus'" },
		{ "primary=(net_null_kw0),standby=bus=pci", "standby: 'bus=pci'" },
		{ "primary=(net_null_kw0),standby=class=eth", "standby: 'class=eth'" },
		{ "primary=(class=eth),standby=(net_null_kw1)", "primary: 'class=eth'" },
	};

	return expect_bad_all(bad, RTE_DIM(bad));
}

/*
 * A parenthesis inside a device name (found by tests/fuzz): not a device
 * string, so once the name "net_ring_(net_null_p1)" was taken, of a device
 * that never comes.
 */
static int
test_paren_in_name(void)
{
	static const struct bad_input bad[] = {
		{ "primary=(net_null_p0),standby=net_ring_(net_null_p1)",
		  "standby: 'net_ring_(net_null_p1)'" },
		{ "primary=net_null_p0(,size=64)", "primary: 'net_null_p0('" },
		{ "primary=((net_null_p0))", "primary: '(net_null_p0)'" },
		{ "standby=(net_null_p0,size=64)),primary=(net_null_p1", "unbalanced" },
	};

	return expect_bad_all(bad, RTE_DIM(bad));
}

/*
 * A device string longer than the driver keeps to probe the device again
 * after an unplug (found by tests/fuzz): it was taken, then probed again
 * cut at FO_DEVSTR_MAX - 1 characters.
 */
static int
test_devstr_too_long(void)
{
	char args[700];
	int n;

	n = snprintf(args, sizeof(args), "primary=(net_null_t0,x=");
	memset(args + n, 'a', 600);
	strcpy(args + n + 600, ")");
	TEST_ASSERT_SUCCESS(expect_bad(args, "primary: device string 'net_null_t0,x=aaa"),
			    "600 characters");
	/* 511 is the longest that is kept whole: it fails later, in the probe */
	n = snprintf(args, sizeof(args), "standby=(net_null_t0,x=");
	memset(args + n, 'a', 511 - (n - 9));
	strcpy(args + n + 511 - (n - 9), ")");
	return expect_bad(args, "standby: probe of 'net_null_t0,x=aaa");
}

/*
 * A bus name alone (found by tests/fuzz, under valgrind): 22.11's
 * rte_devargs_parse() takes "auxiliary" for the prefix "auxiliary:" and
 * reads the device name from past the end of the string.
 */
static int
test_bus_name_not_a_name(void)
{
	static const struct bad_input bad[] = {
		{ "primary=pci,standby=(net_null_b1)", "primary: 'pci'" },
		{ "primary=(net_null_b0),standby=(vdev)", "standby: 'vdev'" },
		{ "primary=(auxiliary,x=1),standby=(net_null_b1)", "primary: 'auxiliary'" },
		{ "standby=auxiliary", "standby: 'auxiliary'" },
	};

	return expect_bad_all(bad, RTE_DIM(bad));
}

static int
test_same_dev(void)
{
	return expect_bad("primary=(net_null_s0),standby=(net_null_s0,size=128)",
			  "same device 'net_null_s0'");
}

static int
test_unknown_driver(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("primary=(net_nosuchdrv0,x=1)", "net_nosuchdrv0"),
			    "device string");
	return expect_bad("standby=nosuchdev0", "nosuchdev0");
}

static int
test_link_poll_range(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_l0),link_poll_ms=10001", "10001"),
			    "too large");
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_l0),link_poll_ms=-1", "-1"),
			    "negative");
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_l0),rx_port_rewrite=yes", "yes"),
			    "rx_port_rewrite not 0/1");
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_l0),flow_partial=2",
				       "flow_partial: '2' is not 0 or 1"), "flow_partial not 0/1");
	return expect_bad("standby=(net_null_l0),link_poll_ms=5ms", "5ms");
}

static int
test_hotplug_args(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_h0),hotplug=maybe",
				       "hotplug: 'maybe' is not off, named or mac"), "bad mode");
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_h0),hotplug_timeout_ms=600001",
				       "600001"), "timeout too large");
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_h0),adopt_delay_ms=10001",
				       "adopt_delay_ms: '10001'"), "delay too large");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_h1",
			"standby=(net_null_h1),hotplug=named,hotplug_timeout_ms=0,"
			"adopt_delay_ms=0"), "good hotplug devargs refused");
	return close_failover("net_failover_h1");
}

/*
 * A port the application probes itself is adopted adopt_delay_ms after it
 * appears, not before: the application's own set-up of it comes first.
 */
static int
test_adopt_delay(void)
{
	uint16_t port, sub;
	uint64_t t0;
	double ms;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_w1",
			"primary=net_null_w1,standby=(net_null_w2),adopt_delay_ms=300"), "probe");
	TEST_ASSERT_SUCCESS(port_of("net_failover_w1", &port), "no port");
	t0 = rte_get_timer_cycles();
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_null_w1", NULL), "the application's device");
	ft_sleep_us(150 * 1000);
	TEST_ASSERT_EQUAL(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			  -ENODEV, "adopted before adopt_delay_ms");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 2000, &sub),
			    "not adopted after adopt_delay_ms");
	ms = (rte_get_timer_cycles() - t0) * 1000.0 / rte_get_timer_hz();
	printf("    adopted %.0f ms after the application's probe\n", ms);
	TEST_ASSERT(ms >= 300, "adopted after %.0f ms, before adopt_delay_ms", ms);
	TEST_ASSERT_SUCCESS(close_failover("net_failover_w1"), "close");
	return rte_vdev_uninit("net_null_w1");
}

static int
test_rx_idle_poll_range(void)
{
	static const char *const bad[] = { "99", "1000001", "0", "-5", "1ms", "" };
	char args[96];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "standby=(net_null_i0),rx_idle_poll_us=%s", bad[i]);
		if (expect_bad(args, "rx_idle_poll_us: '") != TEST_SUCCESS)
			return TEST_FAILED;
	}
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_i1",
			"standby=(net_null_i1),rx_idle_poll_us=100"), "100 us refused");
	TEST_ASSERT_SUCCESS(close_failover("net_failover_i1"), "close");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_i2",
			"standby=(net_null_i2),rx_idle_poll_us=1000000"), "1 s refused");
	return close_failover("net_failover_i2");
}

static int
test_duplicate_key(void)
{
	return expect_bad("primary=(net_null_d0),primary=(net_null_d1)",
			  "duplicate key 'primary'");
}

static int
test_nothing_to_pair(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("", "nothing to pair"), "empty devargs");
	return expect_bad("link_poll_ms=5", "nothing to pair");
}

static int
test_not_key_value(void)
{
	TEST_ASSERT_SUCCESS(expect_bad("standby=(net_null_n0),,mac=02:00:00:00:00:01",
				       "empty item"), "double comma");
	return expect_bad("standby=(net_null_n0),verbose", "'verbose' is not key=value");
}

/* The second sub-device fails to probe: the first one must be removed. */
static int
test_sub_probe_fails(void)
{
	uint16_t p;

	TEST_ASSERT_SUCCESS(expect_bad("primary=(net_null_f0),standby=(net_null_f1,bogus=1)",
				       "net_null_f1,bogus=1"), "sub-device probe error");
	TEST_ASSERT(port_of("net_null_f0", &p) != 0, "first sub-device left behind");
	/* and its name is free again */
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_null_f0", NULL), "net_null_f0 not reusable");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_null_f0"), "uninit");
	return TEST_SUCCESS;
}

static int
close_failover(const char *name)
{
	uint16_t port;

	TEST_ASSERT_SUCCESS(port_of(name, &port), "%s missing", name);
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close %s", name);
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(name), "uninit %s", name);
	return TEST_SUCCESS;
}

static int
test_good_both(void)
{
	struct rte_ether_addr mac, want = {{ 0x02, 0xfa, 0, 0, 0, 0x11 }};
	struct rte_eth_dev_owner owner;
	uint16_t port, sub[2], p;
	int r;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_g1",
			"primary=(net_null_g1),standby=(net_null_g2),mac=02:fa:00:00:00:11,"
			"link_poll_ms=0"), "good devargs refused");
	TEST_ASSERT_SUCCESS(port_of("net_failover_g1", &port), "no port");
	for (r = RTE_PMD_FAILOVER_PRIMARY; r <= RTE_PMD_FAILOVER_STANDBY; r++) {
		TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, r, &sub[r]), "role %d", r);
		TEST_ASSERT_SUCCESS(rte_eth_dev_owner_get(sub[r], &owner), "owner");
		TEST_ASSERT_NOT_EQUAL(owner.id, RTE_ETH_DEV_NO_OWNER, "sub-port %u not owned",
				      sub[r]);
		TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(sub[r], &mac), "mac");
		TEST_ASSERT(rte_is_same_ether_addr(&mac, &want), "sub-port MAC not set");
	}
	TEST_ASSERT_SUCCESS(port_of("net_null_g1", &p), "primary device");
	TEST_ASSERT_EQUAL(p, sub[0], "primary is not net_null_g1");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &want), "failover MAC not from devargs");
	TEST_ASSERT_SUCCESS(close_failover("net_failover_g1"), "close");
	TEST_ASSERT(port_of("net_null_g1", &p) != 0, "sub-device left after close");
	TEST_ASSERT(port_of("net_null_g2", &p) != 0, "sub-device left after close");
	return TEST_SUCCESS;
}

/*
 * A sub-port whose MAC is all zeros does not give the failover port its
 * MAC: the choice falls back to the other sub-port's, and both are
 * adopted (the zero-MAC one takes the failover MAC).
 */
static int
test_zero_mac_skipped(void)
{
	struct rte_ether_addr mac, pmac;
	uint16_t port, sub;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_z1",
			"primary=(net_null_z1),standby=(net_fosim_z2,mac=00:00:00:00:00:00),"
			"link_poll_ms=0"), "probe");
	TEST_ASSERT_SUCCESS(port_of("net_failover_z1", &port), "no port");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "mac");
	TEST_ASSERT(rte_is_valid_assigned_ether_addr(&mac), "the failover MAC is not unicast");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			    "the good primary was refused");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(sub, &pmac), "primary mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &pmac), "the failover MAC is not the primary's");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &sub),
			    "the zero-MAC standby was refused");
	return close_failover("net_failover_z1");
}

/*
 * A sub-port named in devargs that exists but cannot be adopted fails the
 * probe with an error naming it and why: one that cannot take the MAC
 * (net_ring), one another failover port owns, a failover port itself.
 */
static int
test_named_not_adopted(void)
{
	uint16_t before = rte_eth_dev_count_total();

	ft_log_reset();
	TEST_ASSERT_FAIL(rte_vdev_init("net_failover_n0",
			 "primary=(net_null_n1),standby=(net_ring_n2)"), "the ring standby");
	TEST_ASSERT(ft_log_has("standby net_ring_n2 not adopted: port"),
		    "the error does not name the standby");
	TEST_ASSERT(ft_log_has("refuses the failover MAC"), "the error does not say why");
	TEST_ASSERT_EQUAL(rte_eth_dev_count_total(), before, "ports leaked");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_n1",
			"primary=(net_null_n3),standby=(net_null_n4),link_poll_ms=0"), "first");
	TEST_ASSERT_SUCCESS(expect_bad("primary=net_null_n3",
				       "is owned by 'net_failover_n1'"), "owned");
	TEST_ASSERT_SUCCESS(expect_bad("primary=net_failover_n1", "is a failover port"),
			    "another failover port");
	TEST_ASSERT_SUCCESS(expect_bad("standby=net_failover_bad", "is a failover port"),
			    "itself");
	return close_failover("net_failover_n1");
}

/*
 * A device the application probed itself and names in a device string is
 * adopted, and left on its bus when the failover port closes.
 */
static int
test_app_device_kept(void)
{
	uint16_t port, app, sub;

	TEST_ASSERT_SUCCESS(ft_null_create("net_null_a1", NULL, &app), "app device");
	ft_log_reset();
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_a1",
			"primary=(net_null_a1),standby=(net_null_a2),link_poll_ms=0"), "probe");
	TEST_ASSERT(ft_log_has("primary device net_null_a1 exists already: adopting it"),
		    "the application's device was not recognised as such");
	TEST_ASSERT_SUCCESS(port_of("net_failover_a1", &port), "no port");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			    "not adopted");
	TEST_ASSERT_EQUAL(sub, app, "adopted another port");
	TEST_ASSERT_SUCCESS(close_failover("net_failover_a1"), "close");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_null_a1"),
			    "the application's device was removed with the failover port");
	TEST_ASSERT(rte_vdev_uninit("net_null_a2") != 0, "our own device was left");
	return TEST_SUCCESS;
}

/*
 * Hot-unplug of the failover port (rte_vdev_uninit(), testpmd's "port
 * detach"), started or not, then the same devargs again: a port with both
 * sub-ports each time (the devices it left on the bus are probed anew).
 */
static int
test_detach_reattach(void)
{
	const char *args = "primary=(net_null_d1),standby=(net_null_d2),link_poll_ms=0";
	struct rte_mempool *mp;
	uint16_t port, sub;
	int i, r;

	mp = rte_pktmbuf_pool_create("devargs_d1", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_d1", args), "probe %d", i);
		TEST_ASSERT_SUCCESS(port_of("net_failover_d1", &port), "no port");
		for (r = RTE_PMD_FAILOVER_PRIMARY; r <= RTE_PMD_FAILOVER_STANDBY; r++)
			TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, r, &sub),
					    "attach %d has no %s", i, r ? "standby" : "primary");
		if (i == 1)
			TEST_ASSERT_SUCCESS(ft_port_start(port, 1, 64, NULL, mp), "start");
		TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_failover_d1"), "detach %d", i);
		TEST_ASSERT(port_of("net_failover_d1", &port) != 0, "failover port left");
		TEST_ASSERT(port_of("net_null_d1", &port) != 0, "primary port left open");
	}
	rte_mempool_free(mp);
	return TEST_SUCCESS;
}

/*
 * Left open for EAL's own clean-up walk at the end of the suite, which
 * must neither crash nor leave the walk a freed device.
 */
static int
test_left_for_eal_cleanup(void)
{
	return rte_vdev_init("net_failover_e1",
			     "primary=(net_null_e1),standby=(net_null_e2),link_poll_ms=0");
}

static int
test_good_standby_only(void)
{
	struct rte_ether_addr mac, smac;
	uint16_t port, sub;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_g2", "standby=(net_null_g3)"),
			    "standby only refused");
	TEST_ASSERT_SUCCESS(port_of("net_failover_g2", &port), "no port");
	TEST_ASSERT_EQUAL(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			  -ENODEV, "a primary appeared from nowhere");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &sub),
			    "no standby");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "mac");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(sub, &smac), "mac");
	TEST_ASSERT(rte_is_same_ether_addr(&mac, &smac), "MAC is not the standby's");
	return close_failover("net_failover_g2");
}

/* A named device that does not exist yet is adopted when it appears. */
static int
test_adopt_later(void)
{
	uint16_t port, sub, p;

	TEST_ASSERT_SUCCESS(rte_vdev_init("net_failover_g3",
			"primary=net_null_late,standby=(net_null_g4)"), "probe");
	TEST_ASSERT_SUCCESS(port_of("net_failover_g3", &port), "no port");
	TEST_ASSERT_EQUAL(rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub),
			  -ENODEV, "primary before it exists");
	TEST_ASSERT_SUCCESS(rte_vdev_init("net_null_late", NULL), "late device");
	TEST_ASSERT_SUCCESS(port_of("net_null_late", &p), "late port");
	TEST_ASSERT_SUCCESS(ft_wait_sub(port, RTE_PMD_FAILOVER_PRIMARY, true, 1000, &sub),
			    "late primary not adopted within 1 s");
	TEST_ASSERT_EQUAL(sub, p, "adopted the wrong port");
	TEST_ASSERT_SUCCESS(close_failover("net_failover_g3"), "close");
	/* EAL probed it, so only its port is closed: the device stays. */
	return rte_vdev_uninit("net_null_late");
}

/* A failover port probed before the bad ones is still whole. */
static int
test_keeper_untouched(void)
{
	uint16_t sub;

	TEST_ASSERT(rte_eth_dev_is_valid_port(keeper_port), "keeper port gone");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(keeper_port, RTE_PMD_FAILOVER_PRIMARY,
						      &sub), "keeper lost its primary");
	TEST_ASSERT(rte_eth_dev_is_valid_port(sub), "keeper primary invalid");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(keeper_port, RTE_PMD_FAILOVER_STANDBY,
						      &sub), "keeper lost its standby");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	if (ft_log_open() != 0 ||
	    rte_vdev_init("net_failover_keep", "primary=(net_null_k1),standby=(net_null_k2)"))
		return -1;
	return port_of("net_failover_keep", &keeper_port);
}

static void
suite_teardown(void)
{
	close_failover("net_failover_keep");
}

static struct unit_test_suite devargs_suite = {
	.suite_name = "failover devargs",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_unknown_key),
		TEST_CASE(test_bad_mac),
		TEST_CASE(test_unbalanced),
		TEST_CASE(test_empty_dev),
		TEST_CASE(test_same_dev),
		TEST_CASE(test_keyword_not_a_name),
		TEST_CASE(test_paren_in_name),
		TEST_CASE(test_bus_name_not_a_name),
		TEST_CASE(test_devstr_too_long),
		TEST_CASE(test_unknown_driver),
		TEST_CASE(test_link_poll_range),
		TEST_CASE(test_rx_idle_poll_range),
		TEST_CASE(test_duplicate_key),
		TEST_CASE(test_hotplug_args),
		TEST_CASE(test_adopt_delay),
		TEST_CASE(test_nothing_to_pair),
		TEST_CASE(test_not_key_value),
		TEST_CASE(test_sub_probe_fails),
		TEST_CASE(test_good_both),
		TEST_CASE(test_good_standby_only),
		TEST_CASE(test_zero_mac_skipped),
		TEST_CASE(test_named_not_adopted),
		TEST_CASE(test_app_device_kept),
		TEST_CASE(test_detach_reattach),
		TEST_CASE(test_left_for_eal_cleanup),
		TEST_CASE(test_adopt_later),
		TEST_CASE(test_keeper_untouched),
		TEST_CASES_END()
	}
};

FT_MAIN(devargs_suite)
