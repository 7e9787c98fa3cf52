/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's ports: the test library's rig (a net_vhost backend and a
 * virtio-user standby, a failover port with a net_tap primary probed from
 * its devargs), the AF_PACKET socket on the tap's kernel side (the VF's
 * far end) and the tap's link (the VF's wire).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_string_fns.h>

#include "ft_stats.h"
#include "rehearsal.h"

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

/* `ip link set dev <iface> up|down`, without forking: the VF's link. */
int
rh_link_set(const char *iface, bool up)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	strlcpy(ifr.ifr_name, iface, sizeof(ifr.ifr_name));
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (ret != 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The test library's rig: vhost backend, virtio-user standby, failover port. */
int
rh_rig_setup(struct rh *r)
{
	struct ft_rig_conf conf = {
		.suffix = RH_RIG_SUFFIX,
		.fo_name = RH_FO_NAME,
		.mac = RH_MAC_STR,
		.primary = r->primary,
		.nb_mbuf = RH_NB_MBUF,
		.vh_nb_mbuf = RH_VH_NB_MBUF,
		.cache = 256,
		.nb_desc = RH_NB_DESC,
	};

	snprintf(r->primary, sizeof(r->primary), "(%s,iface=%s)", RH_TAP_NAME, r->opts.iface);
	if (ft_rig_setup(&r->rig, &conf) != 0)
		return -1;
	r->pool_size = r->rig.pool->size;
	r->vh_pool_size = r->rig.vh_pool->size;
	return ft_wait_ready(r->rig.fo, RH_LIMIT_MS);
}

/* Read the failover port's own counters before it goes. */
static void
rh_fo_counters(struct rh *r)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(r->rig.fo, &st) == 0)
		r->fo_opackets = st.opackets;
	r->fo_primary_tx = ft_xstat(r->rig.fo, "primary_tx_packets");
	r->fo_standby_tx = ft_xstat(r->rig.fo, "standby_tx_packets");
	r->path_switches = ft_xstat(r->rig.fo, "path_switches");
}

/* Close everything (the failover closes both sub-ports); count the pools. */
void
rh_rig_close(struct rh *r)
{
	if (rte_eth_dev_is_valid_port(r->rig.fo))
		rh_fo_counters(r);
	ft_rig_close(&r->rig);
	if (r->rig.pool != NULL)
		r->pool_left = rte_mempool_avail_count(r->rig.pool);
	if (r->rig.vh_pool != NULL)
		r->vh_pool_left = rte_mempool_avail_count(r->rig.vh_pool);
	ft_rig_free(&r->rig);
}
