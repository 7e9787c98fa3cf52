/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The ports: for every sub-PMD, one sub-port used directly and one sub-port
 * under each wrapper. All are created at run time, so the wrappers find
 * their sub-ports already probed and adopt them by name.
 */

#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <ethdev_driver.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <rte_pmd_failover.h>

#include "bench.h"
#include "ft_rig.h"
#include "ft_wait.h"

#define BENCH_NB_DESC 1024
#define BENCH_READY_MS 5000

static unsigned int bench_dev_seq;

/* A sub-port of the given kind; its device name goes to name. */
static int
sub_create(enum bench_sub sub, struct bench_port *bp, char *name, size_t len)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int id = bench_dev_seq++;
	uint16_t port;

	if (sub != SUB_RING) {
		snprintf(name, len, "net_null%u", id);
		return ft_null_create(name, sub == SUB_NORX ? "no-rx=1" : "", &port);
	}
	snprintf(rname, sizeof(rname), "b%u", id);
	return ft_ring_create(rname, bp->ring, BENCH_NB_QUEUES, BENCH_RING_SIZE, name, len);
}

/* The wrapper device string over sub-port sub_name. */
static void
wrapper_args(enum bench_var var, const char *sub_name, uint16_t sub_port,
	     char *name, size_t nlen, char *args, size_t alen)
{
	struct rte_ether_addr mac;
	char mac_s[RTE_ETHER_ADDR_FMT_SIZE];
	unsigned int id = bench_dev_seq++;

	switch (var) {
	case VAR_FAILOVER:
	case VAR_FO_KEEP:
		/* The ring PMD cannot change its MAC: use the sub-port's own. */
		rte_eth_macaddr_get(sub_port, &mac);
		rte_ether_format_addr(mac_s, sizeof(mac_s), &mac);
		snprintf(name, nlen, "net_failover%u", id);
		snprintf(args, alen, "primary=%s,standby=(net_null%u,no-rx=1),mac=%s%s",
			 sub_name, bench_dev_seq++, mac_s,
			 var == VAR_FO_KEEP ? ",rx_port_rewrite=0" : "");
		break;
	case VAR_CALL:
		snprintf(name, nlen, "net_fobench_call%u", id);
		snprintf(args, alen, "sub=%s", sub_name);
		break;
	case VAR_BONDING:
		snprintf(name, nlen, "net_bonding%u", id);
		snprintf(args, alen, "mode=1,slave=%s,primary=%s", sub_name, sub_name);
		break;
	default:
		snprintf(name, nlen, "net_failsafe%u", id);
		snprintf(args, alen, "dev(%s)", sub_name);
		break;
	}
}

/* Link up, and for net_failover the primary carrying the traffic. */
static int
port_wait_ready(uint16_t port, enum bench_var var)
{
	if (ft_wait_link(port, true, BENCH_READY_MS) != 0 ||
	    ((var == VAR_FAILOVER || var == VAR_FO_KEEP) &&
	     ft_wait_active(port, RTE_PMD_FAILOVER_PRIMARY, BENCH_READY_MS) != 0))
		return -ETIMEDOUT;
	return 0;
}

static int
bench_port_create(enum bench_sub sub, enum bench_var var, struct rte_mempool *mp,
		  struct bench_port *bp)
{
	char sub_name[RTE_DEV_NAME_MAX_LEN], args[256];
	uint16_t sub_port;
	int ret;

	ret = sub_create(sub, bp, sub_name, sizeof(sub_name));
	if (ret == 0)
		ret = rte_eth_dev_get_port_by_name(sub_name, &sub_port);
	if (ret != 0) {
		printf("error: %s sub-port: %s\n", bench_sub_name[sub], rte_strerror(-ret));
		return ret;
	}
	if (var == VAR_DIRECT || var == VAR_STAMP) {
		snprintf(bp->name, sizeof(bp->name), "%s", sub_name);
	} else {
		wrapper_args(var, sub_name, sub_port, bp->name, sizeof(bp->name),
			     args, sizeof(args));
		ret = rte_vdev_init(bp->name, args);
		if (ret != 0) {
			printf("error: %s,%s: %s\n", bp->name, args, rte_strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_get_port_by_name(bp->name, &bp->port);
	if (ret == 0)
		ret = ft_port_start(bp->port, BENCH_NB_QUEUES, BENCH_NB_DESC, NULL, mp);
	if (ret == 0)
		ret = port_wait_ready(bp->port, var);
	if (ret != 0) {
		printf("note: %s (%s over %s) does not run: %s\n", bp->name,
		       bench_var_name[var], bench_sub_name[sub], rte_strerror(-ret));
		return ret;
	}
	bp->stamp = var == VAR_STAMP;
	bp->ok = true;
	return 0;
}

int
bench_ports_create(struct rte_mempool *mp, struct bench_port ports[SUB_COUNT][VAR_COUNT])
{
	int sub, var, ret;

	/* A wrapper that cannot run over a sub-PMD is reported n/a. */
	for (sub = 0; sub < SUB_COUNT; sub++)
		for (var = 0; var < VAR_COUNT; var++) {
			/* an empty poll rewrites nothing; ports are few (32) */
			if ((var == VAR_FO_KEEP || var == VAR_STAMP) && sub == SUB_NORX)
				continue;
			/*
			 * Ports are few (32): the wrapper floor is for the
			 * empty poll, and net_bonding cannot run over net_ring
			 * (it sets the MAC address, which net_ring refuses).
			 */
			if ((var == VAR_CALL && sub != SUB_NORX) ||
			    (var == VAR_BONDING && sub == SUB_RING))
				continue;
			ret = bench_port_create(sub, var, mp, &ports[sub][var]);
			if (ret != 0 && (var == VAR_DIRECT || var == VAR_FAILOVER ||
					 var == VAR_FO_KEEP))
				return ret;
		}
	return 0;
}

/*
 * Wrappers first, each removed from its bus while its sub-ports still
 * exist: left to rte_eal_cleanup(), net_failsafe 22.11 removes a sub-device
 * the bus already removed and crashes.
 */
void
bench_ports_destroy(struct bench_port ports[SUB_COUNT][VAR_COUNT])
{
	int sub, var;

	for (sub = 0; sub < SUB_COUNT; sub++)
		for (var = VAR_COUNT - 1; var >= 0; var--) {
			if (!ports[sub][var].ok)
				continue;
			rte_eth_dev_stop(ports[sub][var].port);
			if (var != VAR_DIRECT && var != VAR_STAMP)
				rte_eal_hotplug_remove("vdev", ports[sub][var].name);
		}
}
