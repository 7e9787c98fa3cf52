/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Rig builders: ports started with their queues; the standby pair (a
 * net_vhost backend and a virtio-user port talking to it, in one process)
 * with a failover port over it; and the primaries used today: net_tap
 * (named in the failover devargs, its kernel interface the VF's wire),
 * the VF simulator net_fosim (tests/fosim; plugged like a hot-added VF),
 * net_null and net_ring sub-ports.
 */

#ifndef FT_RIG_H
#define FT_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#define FT_BURST 32

/* Configure nb_q queue pairs of nb_desc descriptors and start (conf NULL: all 0). */
/* Run a shell command (ip, tc, ...); its exit status, printed when not 0. */
int ft_sh(const char *cmd);

int ft_port_start(uint16_t port, uint16_t nb_q, uint16_t nb_desc,
		  const struct rte_eth_conf *conf, struct rte_mempool *mp);
/* Stop and close port if it is (still) valid. */
void ft_port_close(uint16_t port);
/* Receive and free whatever waits on queue 0 of port; returns how many. */
unsigned int ft_port_drain(uint16_t port);
/*
 * One burst of n mbufs of len bytes (contents left as they are) on queue 0
 * of port; what is not sent is freed. How many were sent, -1: pool empty.
 */
int ft_tx_blank(uint16_t port, struct rte_mempool *mp, uint16_t n, uint16_t len);

/* What a rig is made of; zeroes pick the defaults named. */
struct ft_rig_conf {
	const char *suffix;      /* devices net_vhost<suffix>, net_virtio_user<suffix> */
	const char *fo_name;     /* the failover port's device */
	const char *mac;         /* of the failover port and its standby */
	const char *primary;     /* primary devargs value, e.g. (net_tap0,iface=x); NULL: none */
	const char *fo_extra;    /* more failover devargs, each starting with ',' */
	unsigned int nb_mbuf;    /* failover port's pool (default 4095) */
	unsigned int vh_nb_mbuf; /* vhost backend's pool (default 4095) */
	unsigned int cache;      /* per-lcore cache of both pools */
	uint16_t nb_desc;        /* per queue (default 256) */
	bool lsc;                /* intr_conf.lsc of the failover port */
};

struct ft_rig {
	struct ft_rig_conf conf;
	char vh_name[32], vu_name[40], sock[64];
	struct rte_mempool *pool, *vh_pool;
	uint16_t fo, vh, vu;     /* failover port, vhost backend, virtio-user standby */
	unsigned int vf_seq;     /* VF simulator names: net_fosim<70 + seq % 20> */
};

/*
 * Pools, the vhost backend (started), virtio-user (probed after it: net_vhost
 * opens its socket at configure) and the failover port over it (probed, not
 * configured: register callbacks, then ft_rig_start()).
 */
int ft_rig_probe(struct ft_rig *r, const struct ft_rig_conf *conf);
/* One queue pair on the failover port, started. */
int ft_rig_start(struct ft_rig *r);
/* ft_rig_probe() then ft_rig_start(). */
int ft_rig_setup(struct ft_rig *r, const struct ft_rig_conf *conf);
/* Close the failover port (it closes its sub-ports) and the vhost backend. */
void ft_rig_close(struct ft_rig *r);
/* Free the pools, remove the socket. */
void ft_rig_free(struct ft_rig *r);
/* ft_rig_close() then ft_rig_free(). */
void ft_rig_teardown(struct ft_rig *r);
/* Free whatever the vhost backend received; returns how many. */
unsigned int ft_rig_vh_drain(const struct ft_rig *r);

/*
 * The rig of the hotplug and stress suites: no primary at start, VF
 * simulators (net_fosim, rmv=1,lsc=1, the rig's MAC) come and go as the
 * primary. nb: mbufs of the failover port's pool; extra: fo_extra.
 */
#define FT_RIG_VF_MAC "02:fa:11:00:00:07"
#define FT_RIG_VF_ARGS "mac=" FT_RIG_VF_MAC ",rmv=1,lsc=1"
#define FT_RIG_VF_CONF(nb, extra) {					\
	.suffix = "_rig", .fo_name = "net_failover_hp0", .mac = FT_RIG_VF_MAC,	\
	.fo_extra = (extra), .nb_mbuf = (nb), .cache = 256, .lsc = true,	\
}

/* Name of the current (next = 0) or the next (next = 1) VF simulator. */
const char *ft_rig_vf_name(const struct ft_rig *r, int next);
/* Plug the next VF simulator in, as an application (or EAL hotplug) would. */
int ft_rig_vf_plug(struct ft_rig *r, const char *extra);

/* A net_null port (args may be NULL); its id to *port. */
int ft_null_create(const char *name, const char *args, uint16_t *port);
/*
 * A net_ring port over nb_q rings of size entries each (made here, named
 * ft_<name>_<q>), RX and TX on the same ring, with a random unicast MAC: net_ring
 * keeps a zero one and has no mac_addr_set, net_failover adopts only a
 * port carrying its MAC. Its device name to dev (len bytes).
 */
int ft_ring_create(const char *name, struct rte_ring **rings, unsigned int nb_q,
		   unsigned int size, char *dev, size_t len);

#endif /* FT_RIG_H */
