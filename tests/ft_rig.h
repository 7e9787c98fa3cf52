/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The live-migration rig shared by the hotplug and stress suites: a
 * virtio-user standby talking to a net_vhost backend in the same process,
 * a failover port over it, and VF simulators (net_fosim, rmv=1, lsc=1)
 * carrying the failover MAC that play the primary being unplugged and
 * plugged back.
 */

#ifndef FT_RIG_H
#define FT_RIG_H

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "fosim.h"
#include "rte_pmd_failover.h"

#define RIG_FO_NAME "net_failover_hp0"
#define RIG_MAC_STR "02:fa:11:00:00:07"
#define RIG_VF_ARGS "mac=" RIG_MAC_STR ",rmv=1,lsc=1"
#define RIG_BURST 32

struct rig {
	char sock[64];
	struct rte_mempool *pool, *vh_pool;
	uint16_t fo, vh, vu;
	unsigned int vf_seq;      /* VF simulator names: net_fosim<70 + seq> */
};

static inline int
rig_port_setup(uint16_t port, struct rte_mempool *mp, int lsc)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = lsc };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 256, 0, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("port %u setup failed: %d\n", port, ret);
	return ret;
}

/* vhost backend, virtio-user standby, failover port (configured, started). */
static inline int
rig_setup(struct rig *r, unsigned int nb_mbuf, const char *fo_extra)
/* fo_extra: more failover devargs, each starting with ',' */
{
	char args[256];

	snprintf(r->sock, sizeof(r->sock), "/tmp/fo_rig_%d.sock", (int)getpid());
	r->pool = rte_pktmbuf_pool_create("rig_pool", nb_mbuf, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	r->vh_pool = rte_pktmbuf_pool_create("rig_vh_pool", 4095, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (r->pool == NULL || r->vh_pool == NULL)
		return -1;
	snprintf(args, sizeof(args), "iface=%s,queues=1", r->sock);
	if (rte_vdev_init("net_vhost_rig", args) != 0 ||
	    rte_eth_dev_get_port_by_name("net_vhost_rig", &r->vh) != 0 ||
	    rig_port_setup(r->vh, r->vh_pool, 0) != 0)
		return -1;
	snprintf(args, sizeof(args),
		 "net_virtio_user_rig,path=%s,queues=1,queue_size=256,mac=%s",
		 r->sock, RIG_MAC_STR);
	if (rte_dev_probe(args) != 0)
		return -1;
	snprintf(args, sizeof(args), "standby=net_virtio_user_rig,mac=%s%s",
		 RIG_MAC_STR, fo_extra != NULL ? fo_extra : "");
	if (rte_vdev_init(RIG_FO_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(RIG_FO_NAME, &r->fo) != 0 ||
	    rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_STANDBY, &r->vu) != 0)
		return -1;
	return rig_port_setup(r->fo, r->pool, 1);
}

static inline void
rig_teardown(struct rig *r)
{
	if (rte_eth_dev_is_valid_port(r->fo)) {
		rte_eth_dev_stop(r->fo);
		rte_eth_dev_close(r->fo);
	}
	rte_vdev_uninit(RIG_FO_NAME);
	if (rte_eth_dev_is_valid_port(r->vh)) {
		rte_eth_dev_stop(r->vh);
		rte_eth_dev_close(r->vh);
	}
	rte_vdev_uninit("net_vhost_rig");
	rte_mempool_free(r->pool);
	rte_mempool_free(r->vh_pool);
	unlink(r->sock);
}

/* Name of the current (n = 0) or a new (n = 1) VF simulator. */
static inline const char *
rig_vf_name(struct rig *r, int next)
{
	static char name[32];

	snprintf(name, sizeof(name), "net_fosim%u", 70 + (r->vf_seq + next) % 20);
	return name;
}

/* Plug a VF simulator in, the way an application (or EAL hotplug) would. */
static inline int
rig_vf_plug(struct rig *r, const char *extra)
{
	char args[128];

	r->vf_seq++;
	snprintf(args, sizeof(args), "%s%s", RIG_VF_ARGS, extra != NULL ? extra : "");
	return rte_vdev_init(rig_vf_name(r, 0), args);
}

static inline int
rig_wait_active(const struct rig *r, int role, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;

	/*
	 * Sleep, do not spin: with every core an lcore, EAL runs its
	 * interrupt thread (events, alarms) on the main lcore's core.
	 */
	while (rte_pmd_failover_active_path(r->fo) != role) {
		if (rte_get_timer_cycles() > end)
			return -1;
		rte_delay_us_sleep(20);
	}
	return 0;
}

/* Wait until the primary role is empty (or filled: want != 0). */
static inline int
rig_wait_primary(const struct rig *r, int want, unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	uint16_t p;

	while ((rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_PRIMARY, &p) == 0) != !!want) {
		if (rte_get_timer_cycles() > end)
			return -1;
		rte_delay_us_sleep(100);
	}
	return 0;
}

/* Free whatever the vhost backend received; returns how many. */
static inline unsigned int
rig_vh_drain(const struct rig *r)
{
	struct rte_mbuf *pkts[RIG_BURST];
	unsigned int got = 0;
	uint16_t n;

	do {
		n = rte_eth_rx_burst(r->vh, 0, pkts, RIG_BURST);
		rte_pktmbuf_free_bulk(pkts, n);
		got += n;
	} while (n != 0);
	return got;
}

static inline double
rig_ms(uint64_t cycles)
{
	return cycles * 1000.0 / rte_get_timer_hz();
}

static inline int
rig_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print p50/p99/max of n samples (timer cycles) in ms; sorts them. */
static inline void
rig_print_pct(const char *what, uint64_t *v, unsigned int n)
{
	if (n == 0) {
		printf("  %-44s no samples\n", what);
		return;
	}
	qsort(v, n, sizeof(*v), rig_cmp_u64);
	printf("  %-44s n=%-5u p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", what, n,
	       rig_ms(v[n / 2]), rig_ms(v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1]),
	       rig_ms(v[n - 1]));
}

#endif /* FT_RIG_H */
