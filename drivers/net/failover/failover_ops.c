/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Control path: every op is applied to the primary, then the standby; when
 * the second refuses, the first is put back as it was. The failover port's
 * own state (dev->data plus the lists kept in priv) is what a sub-port that
 * joins later is brought to (fo_sub_replay()).
 */

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "failover_private.h"

/* One step of an op on one sub-port; arg may keep per-role scratch. */
typedef int (fo_step_t)(struct fo_sub *s, void *arg);

/*
 * Run do_fn on each sub-port in role order; when one fails, run undo_fn on
 * those already done and return the error.
 */
static int
fo_apply(struct fo_priv *priv, fo_step_t *do_fn, fo_step_t *undo_fn, void *arg)
{
	struct fo_sub *s, *done;
	int ret = 0;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		ret = do_fn(s, arg);
		if (ret != 0)
			break;
	}
	if (ret != 0) {
		/* -ENOTSUP: ethdev tries some ops (modes off) and lets it pass */
		if (ret == -ENOTSUP)
			FO_LOG(INFO, "%s: %s port %u does not support the operation",
			       priv->dev->data->name, fo_role_name[s->role], s->port_id);
		else
			FO_LOG(ERR, "%s: %s port %u refused: %s", priv->dev->data->name,
			       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
		for (done = &priv->sub[0]; done < s; done++)
			if (done->port_id != FO_NO_PORT && undo_fn != NULL)
				undo_fn(done, arg);
	}
	fo_unlock(priv);
	return ret;
}

/* configure */

struct fo_conf_undo {
	bool was_configured[FO_NB_SUBS];
	uint16_t nb_rxq[FO_NB_SUBS], nb_txq[FO_NB_SUBS];
	struct rte_eth_conf conf[FO_NB_SUBS];
	struct fo_priv *priv;
};

static int
fo_step_configure(struct fo_sub *s, void *arg)
{
	struct fo_conf_undo *u = arg;
	struct rte_eth_dev_data *d = rte_eth_devices[s->port_id].data;

	u->was_configured[s->role] = d->dev_configured;
	u->nb_rxq[s->role] = d->nb_rx_queues;
	u->nb_txq[s->role] = d->nb_tx_queues;
	u->conf[s->role] = d->dev_conf;
	return fo_sub_configure(u->priv, s);
}

static int
fo_undo_configure(struct fo_sub *s, void *arg)
{
	struct fo_conf_undo *u = arg;

	if (!u->was_configured[s->role])
		return 0;
	return rte_eth_dev_configure(s->port_id, u->nb_rxq[s->role], u->nb_txq[s->role],
				     &u->conf[s->role]);
}

static int
fo_dev_configure(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_conf_undo u = { .priv = priv };
	uint16_t q;
	int ret;

	ret = fo_apply(priv, fo_step_configure, fo_undo_configure, &u);
	if (ret != 0)
		return ret;
	for (q = dev->data->nb_rx_queues; q < FO_MAX_QUEUES; q++)
		priv->rxq_conf[q].set = false;
	for (q = dev->data->nb_tx_queues; q < FO_MAX_QUEUES; q++)
		priv->txq_conf[q].set = false;
	return 0;
}

/* start, stop, close */

static int
fo_step_start(struct fo_sub *s, void *arg)
{
	return fo_sub_start(arg, s);
}

static int
fo_undo_start(struct fo_sub *s, void *arg)
{
	fo_sub_stop(arg, s);
	return 0;
}

static int
fo_dev_start(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_apply(priv, fo_step_start, fo_undo_start, priv);
	if (ret == 0) {
		/* ethdev marks the port started after we return: do it first */
		dev->data->dev_started = 1;
		fo_sync(priv);
	}
	fo_unlock(priv);
	return ret;
}

static int
fo_dev_stop(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s)
		fo_sub_stop(priv, s);
	fo_paths_update(priv);
	dev->data->dev_started = 0;
	fo_unlock(priv);
	return 0;
}

static void
fo_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct fo_priv *priv = fo_priv(dev);
	void *q = dev->data->rx_queues[qid];

	rte_spinlock_lock(&priv->pub_lock);
	dev->data->rx_queues[qid] = NULL;
	rte_spinlock_unlock(&priv->pub_lock);
	rte_free(q);
}

static void
fo_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct fo_priv *priv = fo_priv(dev);
	void *q = dev->data->tx_queues[qid];

	rte_spinlock_lock(&priv->pub_lock);
	dev->data->tx_queues[qid] = NULL;
	rte_spinlock_unlock(&priv->pub_lock);
	rte_free(q);
}

static int
fo_dev_close(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	fo_sub_uninit(priv);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		fo_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		fo_tx_queue_release(dev, q);
	fo_args_free(&priv->args);
	return 0;
}

/* capabilities */

static void
fo_infos_defaults(struct rte_eth_dev_info *info)
{
	info->max_rx_queues = FO_MAX_QUEUES;
	info->max_tx_queues = FO_MAX_QUEUES;
	info->max_rx_pktlen = RTE_ETHER_MAX_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = RTE_ETHER_MTU;
	info->max_mac_addrs = FO_MAX_MAC_ADDRS;
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim = info->rx_desc_lim;
}

#define FO_MIN(f) (info->f = RTE_MIN(info->f, si->f))
#define FO_MAX(f) (info->f = RTE_MAX(info->f, si->f))
#define FO_AND(f) (info->f &= si->f)
#define FO_SAME(f) (info->f = info->f == si->f ? info->f : 0)

/* Intersect info (already holding the first sub-port's) with another's. */
static void
fo_infos_merge(struct rte_eth_dev_info *info, const struct rte_eth_dev_info *si)
{
	FO_MIN(max_rx_queues);
	FO_MIN(max_tx_queues);
	FO_MIN(max_rx_pktlen);
	FO_MIN(max_lro_pkt_size);
	FO_MIN(max_mtu);
	FO_MAX(min_mtu);
	FO_MAX(min_rx_bufsize);
	FO_MIN(max_mac_addrs);
	FO_MIN(max_hash_mac_addrs);
	FO_AND(rx_offload_capa);
	FO_AND(tx_offload_capa);
	FO_AND(rx_queue_offload_capa);
	FO_AND(tx_queue_offload_capa);
	FO_AND(flow_type_rss_offloads);
	FO_SAME(reta_size);
	FO_SAME(hash_key_size);
	FO_MIN(rx_desc_lim.nb_max);
	FO_MAX(rx_desc_lim.nb_min);
	FO_MAX(rx_desc_lim.nb_align);
	FO_MIN(tx_desc_lim.nb_max);
	FO_MAX(tx_desc_lim.nb_min);
	FO_MAX(tx_desc_lim.nb_align);
	info->speed_capa |= si->speed_capa;
}

static int
fo_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_eth_dev_info si;
	struct fo_sub *s;
	bool first = true;
	int ret = 0;

	fo_infos_defaults(info);
	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		ret = rte_eth_dev_info_get(s->port_id, &si);
		if (ret != 0)
			break;
		if (first) {
			info->rx_offload_capa = si.rx_offload_capa;
			info->tx_offload_capa = si.tx_offload_capa;
			info->rx_queue_offload_capa = si.rx_queue_offload_capa;
			info->tx_queue_offload_capa = si.tx_queue_offload_capa;
			info->flow_type_rss_offloads = si.flow_type_rss_offloads;
			info->reta_size = si.reta_size;
			info->hash_key_size = si.hash_key_size;
			info->max_lro_pkt_size = si.max_lro_pkt_size;
			info->max_hash_mac_addrs = si.max_hash_mac_addrs;
			info->max_rx_pktlen = si.max_rx_pktlen;
			info->max_mtu = si.max_mtu;
			info->default_rxconf = si.default_rxconf;
			info->default_txconf = si.default_txconf;
			info->default_rxportconf = si.default_rxportconf;
			info->default_txportconf = si.default_txportconf;
			first = false;
		}
		fo_infos_merge(info, &si);
	}
	fo_unlock(priv);
	info->max_rx_queues = RTE_MIN(info->max_rx_queues, (uint16_t)FO_MAX_QUEUES);
	info->max_tx_queues = RTE_MIN(info->max_tx_queues, (uint16_t)FO_MAX_QUEUES);
	info->max_mac_addrs = RTE_MIN(info->max_mac_addrs, (uint32_t)FO_MAX_MAC_ADDRS);
	info->hash_key_size = RTE_MIN(info->hash_key_size, (uint8_t)FO_RSS_KEY_MAX);
	return ret;
}

static int
fo_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct fo_priv *priv = fo_priv(dev);

	RTE_SET_USED(wait_to_complete);
	fo_lock(priv);
	fo_sync(priv);
	fo_unlock(priv);
	return 0;
}

/* promiscuous, all-multicast */

static int
fo_step_promisc_on(struct fo_sub *s, void *arg)
{
	RTE_SET_USED(arg);
	return rte_eth_promiscuous_enable(s->port_id);
}

static int
fo_step_promisc_off(struct fo_sub *s, void *arg)
{
	RTE_SET_USED(arg);
	return rte_eth_promiscuous_disable(s->port_id);
}

static int
fo_step_allmulti_on(struct fo_sub *s, void *arg)
{
	RTE_SET_USED(arg);
	return rte_eth_allmulticast_enable(s->port_id);
}

static int
fo_step_allmulti_off(struct fo_sub *s, void *arg)
{
	RTE_SET_USED(arg);
	return rte_eth_allmulticast_disable(s->port_id);
}

static int
fo_promiscuous_enable(struct rte_eth_dev *dev)
{
	return fo_apply(fo_priv(dev), fo_step_promisc_on, fo_step_promisc_off, NULL);
}

static int
fo_promiscuous_disable(struct rte_eth_dev *dev)
{
	return fo_apply(fo_priv(dev), fo_step_promisc_off, fo_step_promisc_on, NULL);
}

static int
fo_allmulticast_enable(struct rte_eth_dev *dev)
{
	return fo_apply(fo_priv(dev), fo_step_allmulti_on, fo_step_allmulti_off, NULL);
}

static int
fo_allmulticast_disable(struct rte_eth_dev *dev)
{
	return fo_apply(fo_priv(dev), fo_step_allmulti_off, fo_step_allmulti_on, NULL);
}

/* MAC addresses */

struct fo_mac_arg {
	struct rte_ether_addr *set;   /* applied */
	struct rte_ether_addr *prev;  /* restored on undo */
	uint32_t vmdq;
};

static int
fo_step_mac_set(struct fo_sub *s, void *arg)
{
	return rte_eth_dev_default_mac_addr_set(s->port_id, ((struct fo_mac_arg *)arg)->set);
}

static int
fo_undo_mac_set(struct fo_sub *s, void *arg)
{
	return rte_eth_dev_default_mac_addr_set(s->port_id, ((struct fo_mac_arg *)arg)->prev);
}

static int
fo_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_mac_arg a = { .set = addr, .prev = &dev->data->mac_addrs[0] };
	int ret;

	ret = fo_apply(priv, fo_step_mac_set, fo_undo_mac_set, &a);
	if (ret == 0)
		rte_failover_set_mac(priv->fo, addr);
	return ret;
}

static int
fo_step_mac_add(struct fo_sub *s, void *arg)
{
	struct fo_mac_arg *a = arg;

	return rte_eth_dev_mac_addr_add(s->port_id, a->set, a->vmdq);
}

static int
fo_step_mac_remove(struct fo_sub *s, void *arg)
{
	struct fo_mac_arg *a = arg;

	return rte_eth_dev_mac_addr_remove(s->port_id, a->set);
}

static int
fo_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		uint32_t vmdq)
{
	struct fo_mac_arg a = { .set = addr, .vmdq = vmdq };

	RTE_SET_USED(index);
	return fo_apply(fo_priv(dev), fo_step_mac_add, fo_step_mac_remove, &a);
}

static void
fo_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct fo_mac_arg a = { .set = &dev->data->mac_addrs[index] };

	fo_apply(fo_priv(dev), fo_step_mac_remove, fo_step_mac_add, &a);
}

struct fo_mc_arg {
	struct rte_ether_addr *set;
	uint32_t nb_set;
	struct fo_priv *priv;
};

static int
fo_step_mc(struct fo_sub *s, void *arg)
{
	struct fo_mc_arg *a = arg;

	return rte_eth_dev_set_mc_addr_list(s->port_id, a->set, a->nb_set);
}

static int
fo_undo_mc(struct fo_sub *s, void *arg)
{
	struct fo_priv *priv = ((struct fo_mc_arg *)arg)->priv;

	return rte_eth_dev_set_mc_addr_list(s->port_id, priv->mc, priv->nb_mc);
}

static int
fo_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t nb)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_mc_arg a = { .set = list, .nb_set = nb, .priv = priv };
	int ret;

	if (nb > FO_MAX_MC_ADDRS) {
		FO_LOG(ERR, "%s: %u multicast addresses, at most %u", dev->data->name,
		       nb, FO_MAX_MC_ADDRS);
		return -ENOSPC;
	}
	fo_lock(priv);
	ret = fo_apply(priv, fo_step_mc, fo_undo_mc, &a);
	if (ret == 0) {
		if (nb > 0)
			memcpy(priv->mc, list, nb * sizeof(*list));
		priv->nb_mc = nb;
	}
	fo_unlock(priv);
	return ret;
}

/* MTU, VLAN filter */

struct fo_u32_arg {
	uint32_t set, prev;
};

static int
fo_step_mtu(struct fo_sub *s, void *arg)
{
	return rte_eth_dev_set_mtu(s->port_id, ((struct fo_u32_arg *)arg)->set);
}

static int
fo_undo_mtu(struct fo_sub *s, void *arg)
{
	return rte_eth_dev_set_mtu(s->port_id, ((struct fo_u32_arg *)arg)->prev);
}

static int
fo_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct fo_u32_arg a = { .set = mtu, .prev = dev->data->mtu };

	return fo_apply(fo_priv(dev), fo_step_mtu, fo_undo_mtu, &a);
}

static int
fo_step_vlan(struct fo_sub *s, void *arg)
{
	struct fo_u32_arg *a = arg;

	return rte_eth_dev_vlan_filter(s->port_id, a->set, a->prev);
}

static int
fo_undo_vlan(struct fo_sub *s, void *arg)
{
	struct fo_u32_arg *a = arg;

	return rte_eth_dev_vlan_filter(s->port_id, a->set, !a->prev);
}

static int
fo_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_u32_arg a = { .set = vlan_id, .prev = !!on };
	uint64_t bit = RTE_BIT64(vlan_id % 64);
	int ret;

	fo_lock(priv);
	ret = fo_apply(priv, fo_step_vlan, fo_undo_vlan, &a);
	if (ret == 0 && on)
		priv->vlan_filter[vlan_id / 64] |= bit;
	else if (ret == 0)
		priv->vlan_filter[vlan_id / 64] &= ~bit;
	fo_unlock(priv);
	return ret;
}

/* RSS */

struct fo_rss_arg {
	struct rte_eth_rss_conf *set;
	struct rte_eth_rss_conf prev[FO_NB_SUBS];
	uint8_t prev_key[FO_NB_SUBS][FO_RSS_KEY_MAX];
};

static int
fo_step_rss(struct fo_sub *s, void *arg)
{
	struct fo_rss_arg *a = arg;
	struct rte_eth_rss_conf *prev = &a->prev[s->role];

	prev->rss_key = a->prev_key[s->role];
	prev->rss_key_len = FO_RSS_KEY_MAX;
	if (rte_eth_dev_rss_hash_conf_get(s->port_id, prev) != 0)
		prev->rss_key = NULL;
	return rte_eth_dev_rss_hash_update(s->port_id, a->set);
}

static int
fo_undo_rss(struct fo_sub *s, void *arg)
{
	struct fo_rss_arg *a = arg;

	return rte_eth_dev_rss_hash_update(s->port_id, &a->prev[s->role]);
}

static int
fo_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_rss_arg a = { .set = conf };
	int ret;

	if (conf->rss_key != NULL && conf->rss_key_len > FO_RSS_KEY_MAX)
		return -EINVAL;
	fo_lock(priv);
	ret = fo_apply(priv, fo_step_rss, fo_undo_rss, &a);
	if (ret == 0) {
		if (conf->rss_key != NULL) {
			memcpy(priv->rss_key, conf->rss_key, conf->rss_key_len);
			priv->rss.rss_key_len = conf->rss_key_len;
		}
		priv->rss.rss_key = priv->rss.rss_key_len > 0 ? priv->rss_key : NULL;
		priv->rss.rss_hf = conf->rss_hf;
		priv->rss_set = true;
	}
	fo_unlock(priv);
	return ret;
}

/* Read-only queries go to the active sub-port, else the first present. */
static struct fo_sub *
fo_query_sub(struct fo_priv *priv)
{
	struct fo_sub *s;
	uint16_t role = priv->fp.role;

	if (role != FO_NONE && priv->sub[role].port_id != FO_NO_PORT)
		return &priv->sub[role];
	FO_FOREACH_SUB(priv, s)
		return s;
	return NULL;
}

static int
fo_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;
	int ret = -ENODEV;

	fo_lock(priv);
	s = fo_query_sub(priv);
	if (s != NULL)
		ret = rte_eth_dev_rss_hash_conf_get(s->port_id, conf);
	fo_unlock(priv);
	return ret;
}

struct fo_reta_arg {
	struct rte_eth_rss_reta_entry64 *set;
	uint16_t size;
	struct rte_eth_rss_reta_entry64 prev[FO_NB_SUBS][RTE_ETH_RSS_RETA_SIZE_512 /
							  RTE_ETH_RETA_GROUP_SIZE];
};

static int
fo_step_reta(struct fo_sub *s, void *arg)
{
	struct fo_reta_arg *a = arg;
	unsigned int i;

	for (i = 0; i < RTE_DIM(a->prev[0]); i++)
		a->prev[s->role][i].mask = UINT64_MAX;
	if (rte_eth_dev_rss_reta_query(s->port_id, a->prev[s->role], a->size) != 0)
		memset(a->prev[s->role], 0, sizeof(a->prev[0]));
	return rte_eth_dev_rss_reta_update(s->port_id, a->set, a->size);
}

static int
fo_undo_reta(struct fo_sub *s, void *arg)
{
	struct fo_reta_arg *a = arg;

	return rte_eth_dev_rss_reta_update(s->port_id, a->prev[s->role], a->size);
}

static int
fo_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
	       uint16_t size)
{
	struct fo_reta_arg a = { .set = conf, .size = size };

	if (size > RTE_ETH_RSS_RETA_SIZE_512)
		return -EINVAL;
	return fo_apply(fo_priv(dev), fo_step_reta, fo_undo_reta, &a);
}

static int
fo_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
	      uint16_t size)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;
	int ret = -ENODEV;

	fo_lock(priv);
	s = fo_query_sub(priv);
	if (s != NULL)
		ret = rte_eth_dev_rss_reta_query(s->port_id, conf, size);
	fo_unlock(priv);
	return ret;
}

/* queues */

struct fo_rxq_arg {
	uint16_t qid;
	const struct fo_rxq_conf *set, *prev;
};

static int
fo_rxq_setup_on(uint16_t port, uint16_t qid, const struct fo_rxq_conf *c)
{
	return rte_eth_rx_queue_setup(port, qid, c->nb_desc, c->socket, &c->conf, c->mp);
}

static int
fo_step_rxq(struct fo_sub *s, void *arg)
{
	struct fo_rxq_arg *a = arg;

	return fo_rxq_setup_on(s->port_id, a->qid, a->set);
}

static int
fo_undo_rxq(struct fo_sub *s, void *arg)
{
	struct fo_rxq_arg *a = arg;

	return a->prev->set ? fo_rxq_setup_on(s->port_id, a->qid, a->prev) : 0;
}

static int
fo_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_rxconf *conf,
		  struct rte_mempool *mp)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_rxq_conf c = {
		.set = true, .nb_desc = nb_desc, .socket = socket, .conf = *conf, .mp = mp,
	};
	struct fo_rxq_arg a = { .qid = qid, .set = &c, .prev = &priv->rxq_conf[qid] };
	struct fo_rxq *q;
	int ret;

	q = rte_zmalloc_socket("failover_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	fo_lock(priv);
	ret = fo_apply(priv, fo_step_rxq, fo_undo_rxq, &a);
	if (ret == 0)
		priv->rxq_conf[qid] = c;
	fo_unlock(priv);
	if (ret != 0) {
		rte_free(q);
		return ret;
	}
	q->qid = qid;
	q->port_id = dev->data->port_id;
	fo_rxq_init(q);
	rte_spinlock_lock(&priv->pub_lock);
	dev->data->rx_queues[qid] = q;
	rte_spinlock_unlock(&priv->pub_lock);
	return 0;
}

struct fo_txq_arg {
	uint16_t qid;
	const struct fo_txq_conf *set, *prev;
};

static int
fo_txq_setup_on(uint16_t port, uint16_t qid, const struct fo_txq_conf *c)
{
	return rte_eth_tx_queue_setup(port, qid, c->nb_desc, c->socket, &c->conf);
}

static int
fo_step_txq(struct fo_sub *s, void *arg)
{
	struct fo_txq_arg *a = arg;

	return fo_txq_setup_on(s->port_id, a->qid, a->set);
}

static int
fo_undo_txq(struct fo_sub *s, void *arg)
{
	struct fo_txq_arg *a = arg;

	return a->prev->set ? fo_txq_setup_on(s->port_id, a->qid, a->prev) : 0;
}

static int
fo_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_txq_conf c = {
		.set = true, .nb_desc = nb_desc, .socket = socket, .conf = *conf,
	};
	struct fo_txq_arg a = { .qid = qid, .set = &c, .prev = &priv->txq_conf[qid] };
	struct fo_txq *q;
	int ret;

	q = rte_zmalloc_socket("failover_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	fo_lock(priv);
	ret = fo_apply(priv, fo_step_txq, fo_undo_txq, &a);
	if (ret == 0)
		priv->txq_conf[qid] = c;
	fo_unlock(priv);
	if (ret != 0) {
		rte_free(q);
		return ret;
	}
	q->fp = &priv->fp;
	q->qid = qid;
	fo_txq_init(q);
	rte_spinlock_lock(&priv->pub_lock);
	dev->data->tx_queues[qid] = q;
	rte_spinlock_unlock(&priv->pub_lock);
	return 0;
}

/* Replay: bring a joining sub-port to the failover port's state. */

#define FO_REPLAY(priv, s, what, expr) do {					\
	int r_ = (expr);							\
	if (r_ != 0) {								\
		FO_LOG(ERR, "%s: %s port %u cannot take %s: %s",		\
		       (priv)->dev->data->name, fo_role_name[(s)->role],	\
		       (s)->port_id, what, rte_strerror(-r_));			\
		return r_;							\
	}									\
} while (0)

static int
fo_replay_addrs(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint16_t port = s->port_id;
	unsigned int i;

	for (i = 1; i < FO_MAX_MAC_ADDRS; i++)
		if (!rte_is_zero_ether_addr(&data->mac_addrs[i]))
			FO_REPLAY(priv, s, "extra MAC",
				  rte_eth_dev_mac_addr_add(port, &data->mac_addrs[i], 0));
	if (priv->nb_mc > 0)
		FO_REPLAY(priv, s, "multicast list",
			  rte_eth_dev_set_mc_addr_list(port, priv->mc, priv->nb_mc));
	for (i = 0; i < 4096; i++)
		if (priv->vlan_filter[i / 64] & RTE_BIT64(i % 64))
			FO_REPLAY(priv, s, "VLAN filter",
				  rte_eth_dev_vlan_filter(port, i, 1));
	return 0;
}

/* A port that cannot turn a receive mode off (net_null) only receives more. */
static int
fo_off_ok(int ret)
{
	return ret == -ENOTSUP ? 0 : ret;
}

int
fo_sub_replay(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint16_t port = s->port_id, mtu = 0, q;

	FO_REPLAY(priv, s, "the configuration", fo_sub_configure(priv, s));
	for (q = 0; q < data->nb_rx_queues; q++)
		if (priv->rxq_conf[q].set)
			FO_REPLAY(priv, s, "an rx queue",
				  fo_rxq_setup_on(port, q, &priv->rxq_conf[q]));
	for (q = 0; q < data->nb_tx_queues; q++)
		if (priv->txq_conf[q].set)
			FO_REPLAY(priv, s, "a tx queue",
				  fo_txq_setup_on(port, q, &priv->txq_conf[q]));
	if (rte_eth_dev_get_mtu(port, &mtu) != 0 || mtu != data->mtu)
		FO_REPLAY(priv, s, "the MTU", rte_eth_dev_set_mtu(port, data->mtu));
	if (data->promiscuous)
		FO_REPLAY(priv, s, "promiscuous mode", rte_eth_promiscuous_enable(port));
	else if (rte_eth_promiscuous_get(port) == 1)
		FO_REPLAY(priv, s, "promiscuous off", fo_off_ok(rte_eth_promiscuous_disable(port)));
	if (data->all_multicast)
		FO_REPLAY(priv, s, "all-multicast", rte_eth_allmulticast_enable(port));
	else if (rte_eth_allmulticast_get(port) == 1)
		FO_REPLAY(priv, s, "all-multicast off",
			  fo_off_ok(rte_eth_allmulticast_disable(port)));
	FO_REPLAY(priv, s, "addresses", fo_replay_addrs(priv, s));
	if (priv->rss_set)
		FO_REPLAY(priv, s, "the RSS hash", rte_eth_dev_rss_hash_update(port, &priv->rss));
	return 0;
}

const struct eth_dev_ops fo_ops = {
	.dev_configure = fo_dev_configure,
	.dev_start = fo_dev_start,
	.dev_stop = fo_dev_stop,
	.dev_close = fo_dev_close,
	.dev_infos_get = fo_dev_infos_get,
	.link_update = fo_link_update,
	.promiscuous_enable = fo_promiscuous_enable,
	.promiscuous_disable = fo_promiscuous_disable,
	.allmulticast_enable = fo_allmulticast_enable,
	.allmulticast_disable = fo_allmulticast_disable,
	.mac_addr_set = fo_mac_addr_set,
	.mac_addr_add = fo_mac_addr_add,
	.mac_addr_remove = fo_mac_addr_remove,
	.set_mc_addr_list = fo_set_mc_addr_list,
	.mtu_set = fo_mtu_set,
	.vlan_filter_set = fo_vlan_filter_set,
	.rss_hash_update = fo_rss_hash_update,
	.rss_hash_conf_get = fo_rss_hash_conf_get,
	.reta_update = fo_reta_update,
	.reta_query = fo_reta_query,
	.rx_queue_setup = fo_rx_queue_setup,
	.tx_queue_setup = fo_tx_queue_setup,
	.rx_queue_release = fo_rx_queue_release,
	.tx_queue_release = fo_tx_queue_release,
	.stats_get = fo_stats_get,
	.stats_reset = fo_stats_reset,
	.xstats_get = fo_xstats_get,
	.xstats_get_names = fo_xstats_get_names,
	.xstats_reset = fo_xstats_reset,
};
