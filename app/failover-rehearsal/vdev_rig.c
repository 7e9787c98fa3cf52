/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's ports: a net_vhost backend and a virtio-user standby, a
 * failover port with a net_tap primary (probed from its devargs), and the
 * AF_PACKET socket on the tap's kernel side (the VF's far end).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rehearsal.h"
#include "rte_pmd_failover.h"

int
rh_vf_open(struct rh *r)
{
	int buf = RH_SOCK_BUF;

	/*
	 * Not bound to the interface: the failover removes the tap with its
	 * kernel interface and probes a new one (new ifindex) at each round.
	 * Only the tap carries frames of this ethertype from our MAC.
	 */
	r->vf_fd = socket(AF_PACKET, SOCK_RAW, htons(RH_ETHERTYPE));
	if (r->vf_fd < 0) {
		printf("AF_PACKET socket: %s (run as root)\n", strerror(errno));
		return -1;
	}
	if (setsockopt(r->vf_fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(r->vf_fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	return 0;
}

void
rh_vf_close(struct rh *r)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	rh_vf_read(r);
	if (getsockopt(r->vf_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		r->vf_sock_drops = st.tp_drops;
	close(r->vf_fd);
}

int
rh_port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, RH_NB_DESC, rte_eth_dev_socket_id(port),
					     NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RH_NB_DESC, rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("setup of port %u failed: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* The host's end: a vhost-user backend, then the guest's virtio-user port. */
static int
rh_standby_setup(struct rh *r)
{
	char args[256];

	snprintf(r->sock, sizeof(r->sock), "/tmp/fo_rehearsal_%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "iface=%s,queues=1", r->sock);
	/* net_vhost opens its socket at configure: virtio-user comes after */
	if (rte_vdev_init(RH_VH_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(RH_VH_NAME, &r->vh) != 0 ||
	    rh_port_setup(r->vh, r->vh_pool) != 0) {
		printf("vhost backend %s failed\n", RH_VH_NAME);
		return -1;
	}
	snprintf(args, sizeof(args), "%s,path=%s,queues=1,queue_size=%u,mac=%s", RH_VU_NAME,
		 r->sock, RH_NB_DESC, RH_MAC_STR);
	if (rte_dev_probe(args) != 0) {
		printf("virtio-user probe '%s' failed\n", args);
		return -1;
	}
	return 0;
}

/* Both sub-ports ready: the primary carries TX, the standby's link is up. */
static int
rh_wait_ready(struct rh *r)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * RH_LIMIT_MS / 1000;
	struct rte_eth_link link = { 0 };
	uint16_t vu = RTE_MAX_ETHPORTS;

	for (;;) {
		if (rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_STANDBY, &vu) == 0 &&
		    rte_eth_link_get_nowait(vu, &link) == 0 && link.link_status &&
		    rte_pmd_failover_active_path(r->fo) == RTE_PMD_FAILOVER_PRIMARY)
			return 0;
		if (rte_get_timer_cycles() > end)
			break;
		rte_delay_us_sleep(1000);
	}
	printf("failover port not ready: active path %d, standby link %s\n",
	       rte_pmd_failover_active_path(r->fo), link.link_status ? "up" : "down");
	return -1;
}

int
rh_rig_setup(struct rh *r)
{
	char args[256];

	r->pool = rte_pktmbuf_pool_create("rh_pool", RH_NB_MBUF, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	r->vh_pool = rte_pktmbuf_pool_create("rh_vh_pool", RH_VH_NB_MBUF, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (r->pool == NULL || r->vh_pool == NULL) {
		printf("mempool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	r->pool_size = r->pool->size;
	r->vh_pool_size = r->vh_pool->size;
	if (rh_standby_setup(r) != 0)
		return -1;
	snprintf(args, sizeof(args), "primary=(%s,iface=%s),standby=%s,mac=%s", RH_TAP_NAME,
		 r->opts.iface, RH_VU_NAME, RH_MAC_STR);
	if (rte_vdev_init(RH_FO_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(RH_FO_NAME, &r->fo) != 0) {
		printf("failover port '%s,%s' failed\n", RH_FO_NAME, args);
		return -1;
	}
	printf("failover port %u: %s,%s\n", r->fo, RH_FO_NAME, args);
	if (rh_port_setup(r->fo, r->pool) != 0)
		return -1;
	return rh_wait_ready(r);
}

static uint64_t
rh_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* Read the failover port's own counters before it goes. */
static void
rh_fo_counters(struct rh *r)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(r->fo, &st) == 0)
		r->fo_opackets = st.opackets;
	r->fo_primary_tx = rh_xstat(r->fo, "primary_tx_packets");
	r->fo_standby_tx = rh_xstat(r->fo, "standby_tx_packets");
	r->path_switches = rh_xstat(r->fo, "path_switches");
}

/* Close everything (the failover closes both sub-ports); count the pools. */
void
rh_rig_close(struct rh *r)
{
	if (rte_eth_dev_is_valid_port(r->fo)) {
		rh_fo_counters(r);
		rte_eth_dev_stop(r->fo);
		rte_eth_dev_close(r->fo);
	}
	rte_vdev_uninit(RH_FO_NAME);
	rte_vdev_uninit(RH_VU_NAME);
	if (rte_eth_dev_is_valid_port(r->vh)) {
		rte_eth_dev_stop(r->vh);
		rte_eth_dev_close(r->vh);
	}
	rte_vdev_uninit(RH_VH_NAME);
	if (r->pool != NULL)
		r->pool_left = rte_mempool_avail_count(r->pool);
	if (r->vh_pool != NULL)
		r->vh_pool_left = rte_mempool_avail_count(r->vh_pool);
	rte_mempool_free(r->pool);
	rte_mempool_free(r->vh_pool);
	if (r->sock[0] != '\0')
		unlink(r->sock);
}
