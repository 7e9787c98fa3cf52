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

#define BENCH_NB_DESC 1024
#define BENCH_READY_MS 5000

static unsigned int bench_dev_seq;

/* A sub-port of the given kind; its device name goes to name. */
static int
sub_create(enum bench_sub sub, struct bench_port *bp, char *name, size_t len)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int id = bench_dev_seq++;
	int port, q;

	if (sub != SUB_RING) {
		snprintf(name, len, "net_null%u", id);
		return rte_vdev_init(name, sub == SUB_NORX ? "no-rx=1" : "");
	}
	for (q = 0; q < BENCH_NB_QUEUES; q++) {
		snprintf(rname, sizeof(rname), "bench_r%u_%d", id, q);
		bp->ring[q] = rte_ring_create(rname, BENCH_RING_SIZE, rte_socket_id(),
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (bp->ring[q] == NULL)
			return -rte_errno;
	}
	snprintf(rname, sizeof(rname), "b%u", id);
	port = rte_eth_from_rings(rname, bp->ring, BENCH_NB_QUEUES, bp->ring,
				  BENCH_NB_QUEUES, rte_socket_id());
	if (port < 0)
		return -rte_errno;
	/*
	 * net_ring keeps a zero MAC and has no mac_addr_set op; net_failover
	 * adopts only a port carrying its (unicast) MAC. Give the ring port
	 * an address where its probe would have put one.
	 */
	rte_eth_random_addr(rte_eth_devices[port].data->mac_addrs[0].addr_bytes);
	RTE_SET_USED(len);
	return rte_eth_dev_get_name_by_port(port, name);
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

static int
port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, BENCH_NB_QUEUES, BENCH_NB_QUEUES, &conf);
	for (q = 0; ret == 0 && q < BENCH_NB_QUEUES; q++) {
		ret = rte_eth_rx_queue_setup(port, q, BENCH_NB_DESC, rte_socket_id(), NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, BENCH_NB_DESC, rte_socket_id(),
						     NULL);
	}
	return ret == 0 ? rte_eth_dev_start(port) : ret;
}

/* Link up, and for net_failover the primary carrying the traffic. */
static int
port_wait_ready(uint16_t port, enum bench_var var)
{
	struct rte_eth_link link;
	unsigned int ms;

	for (ms = 0; ms < BENCH_READY_MS; ms++) {
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(port, &link);
		if (link.link_status == RTE_ETH_LINK_UP &&
		    ((var != VAR_FAILOVER && var != VAR_FO_KEEP) ||
		     rte_pmd_failover_active_path(port) == RTE_PMD_FAILOVER_PRIMARY))
			return 0;
		rte_delay_ms(1);
	}
	return -ETIMEDOUT;
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
		ret = port_start(bp->port, mp);
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
