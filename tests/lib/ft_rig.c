/* SPDX-License-Identifier: BSD-3-Clause */

/* Rig builders: started ports, the standby pair, the failover port, primaries. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <ethdev_driver.h>

#include "ft_rig.h"
#include "rte_pmd_failover.h"

int
ft_sh(const char *cmd)
{
	int ret = system(cmd);

	if (ret != 0)
		printf("'%s' failed: %d\n", cmd, ret);
	return ret;
}

int
ft_port_start(uint16_t port, uint16_t nb_q, uint16_t nb_desc,
	      const struct rte_eth_conf *conf, struct rte_mempool *mp)
{
	static const struct rte_eth_conf no_conf;
	int socket = rte_eth_dev_socket_id(port);
	uint16_t q;
	int ret;

	ret = rte_eth_dev_configure(port, nb_q, nb_q, conf != NULL ? conf : &no_conf);
	for (q = 0; q < nb_q && ret == 0; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_desc, socket, NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, nb_desc, socket, NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("setup of port %u failed: %s\n", port, rte_strerror(-ret));
	return ret;
}

void
ft_port_close(uint16_t port)
{
	if (!rte_eth_dev_is_valid_port(port))
		return;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

unsigned int
ft_port_drain(uint16_t port)
{
	struct rte_mbuf *pkts[FT_BURST];
	unsigned int got = 0;
	uint16_t n;

	do {
		n = rte_eth_rx_burst(port, 0, pkts, FT_BURST);
		rte_pktmbuf_free_bulk(pkts, n);
		got += n;
	} while (n != 0);
	return got;
}

int
ft_tx_blank(uint16_t port, struct rte_mempool *mp, uint16_t n, uint16_t len)
{
	struct rte_mbuf *pkts[FT_BURST];
	uint16_t i, sent;

	n = RTE_MIN(n, (uint16_t)FT_BURST);
	if (rte_pktmbuf_alloc_bulk(mp, pkts, n) != 0)
		return -1;
	for (i = 0; i < n && len != 0; i++)
		rte_pktmbuf_append(pkts[i], len);
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

static void
ft_rig_defaults(struct ft_rig *r, const struct ft_rig_conf *conf)
{
	r->conf = *conf;
	if (r->conf.nb_mbuf == 0)
		r->conf.nb_mbuf = 4095;
	if (r->conf.vh_nb_mbuf == 0)
		r->conf.vh_nb_mbuf = 4095;
	if (r->conf.nb_desc == 0)
		r->conf.nb_desc = 256;
	if (r->conf.fo_extra == NULL)
		r->conf.fo_extra = "";
	r->fo = r->vh = r->vu = RTE_MAX_ETHPORTS;
	snprintf(r->vh_name, sizeof(r->vh_name), "net_vhost%s", conf->suffix);
	snprintf(r->vu_name, sizeof(r->vu_name), "net_virtio_user%s", conf->suffix);
	snprintf(r->sock, sizeof(r->sock), "/tmp/fo_rig%s_%d.sock", conf->suffix,
		 (int)getpid());
}

static int
ft_rig_pools(struct ft_rig *r)
{
	r->pool = rte_pktmbuf_pool_create("ft_rig_pool", r->conf.nb_mbuf, r->conf.cache, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	r->vh_pool = rte_pktmbuf_pool_create("ft_rig_vh_pool", r->conf.vh_nb_mbuf,
					     r->conf.cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     rte_socket_id());
	if (r->pool == NULL || r->vh_pool == NULL) {
		printf("mempool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* The host's end: a vhost-user backend, then the guest's virtio-user port. */
static int
ft_rig_standby(struct ft_rig *r)
{
	char args[256];

	snprintf(args, sizeof(args), "iface=%s,queues=1", r->sock);
	if (rte_vdev_init(r->vh_name, args) != 0 ||
	    rte_eth_dev_get_port_by_name(r->vh_name, &r->vh) != 0 ||
	    ft_port_start(r->vh, 1, r->conf.nb_desc, NULL, r->vh_pool) != 0) {
		printf("vhost backend %s failed\n", r->vh_name);
		return -1;
	}
	snprintf(args, sizeof(args), "%s,path=%s,queues=1,queue_size=%u,mac=%s", r->vu_name,
		 r->sock, r->conf.nb_desc, r->conf.mac);
	if (rte_dev_probe(args) != 0) {
		printf("virtio-user probe '%s' failed\n", args);
		return -1;
	}
	return 0;
}

int
ft_rig_probe(struct ft_rig *r, const struct ft_rig_conf *conf)
{
	char args[384];
	int n = 0;

	ft_rig_defaults(r, conf);
	if (ft_rig_pools(r) != 0 || ft_rig_standby(r) != 0)
		return -1;
	if (r->conf.primary != NULL)
		n = snprintf(args, sizeof(args), "primary=%s,", r->conf.primary);
	snprintf(args + n, sizeof(args) - n, "standby=%s,mac=%s%s", r->vu_name, r->conf.mac,
		 r->conf.fo_extra);
	if (rte_vdev_init(r->conf.fo_name, args) != 0 ||
	    rte_eth_dev_get_port_by_name(r->conf.fo_name, &r->fo) != 0 ||
	    rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_STANDBY, &r->vu) != 0) {
		printf("failover port '%s,%s' failed\n", r->conf.fo_name, args);
		return -1;
	}
	printf("failover port %u: %s,%s\n", r->fo, r->conf.fo_name, args);
	return 0;
}

int
ft_rig_start(struct ft_rig *r)
{
	struct rte_eth_conf conf = { .intr_conf.lsc = r->conf.lsc };

	return ft_port_start(r->fo, 1, r->conf.nb_desc, &conf, r->pool);
}

int
ft_rig_setup(struct ft_rig *r, const struct ft_rig_conf *conf)
{
	if (ft_rig_probe(r, conf) != 0)
		return -1;
	return ft_rig_start(r);
}

void
ft_rig_close(struct ft_rig *r)
{
	if (r->conf.fo_name == NULL)
		return;         /* never probed */
	ft_port_close(r->fo);
	rte_vdev_uninit(r->conf.fo_name);
	rte_vdev_uninit(r->vu_name);
	ft_port_close(r->vh);
	rte_vdev_uninit(r->vh_name);
}

void
ft_rig_free(struct ft_rig *r)
{
	rte_mempool_free(r->pool);
	rte_mempool_free(r->vh_pool);
	r->pool = r->vh_pool = NULL;
	if (r->sock[0] != '\0')
		unlink(r->sock);
}

void
ft_rig_teardown(struct ft_rig *r)
{
	ft_rig_close(r);
	ft_rig_free(r);
}

unsigned int
ft_rig_vh_drain(const struct ft_rig *r)
{
	return ft_port_drain(r->vh);
}

const char *
ft_rig_vf_name(const struct ft_rig *r, int next)
{
	static char name[32];

	snprintf(name, sizeof(name), "net_fosim%u", 70 + (r->vf_seq + next) % 20);
	return name;
}

int
ft_rig_vf_plug(struct ft_rig *r, const char *extra)
{
	char args[128];

	r->vf_seq++;
	snprintf(args, sizeof(args), "mac=%s,rmv=1,lsc=1%s", r->conf.mac,
		 extra != NULL ? extra : "");
	return rte_vdev_init(ft_rig_vf_name(r, 0), args);
}

int
ft_null_create(const char *name, const char *args, uint16_t *port)
{
	int ret = rte_vdev_init(name, args);

	if (ret != 0)
		return ret;
	return rte_eth_dev_get_port_by_name(name, port);
}

int
ft_ring_create(const char *name, struct rte_ring **rings, unsigned int nb_q,
	       unsigned int size, char *dev, size_t len)
{
	char rname[RTE_RING_NAMESIZE];
	unsigned int q;
	int port;

	for (q = 0; q < nb_q; q++) {
		snprintf(rname, sizeof(rname), "ft_%s_%u", name, q);
		rings[q] = rte_ring_create(rname, size, rte_socket_id(),
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rings[q] == NULL)
			return -rte_errno;
	}
	port = rte_eth_from_rings(name, rings, nb_q, rings, nb_q, rte_socket_id());
	if (port < 0)
		return -rte_errno;
	rte_eth_random_addr(rte_eth_devices[port].data->mac_addrs[0].addr_bytes);
	if (strlen(rte_eth_devices[port].data->name) >= len)
		return -ENAMETOOLONG;
	return rte_eth_dev_get_name_by_port(port, dev);
}
