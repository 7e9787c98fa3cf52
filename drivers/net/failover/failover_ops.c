/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * eth_dev_ops of the failover port. Each op takes the control lock once
 * and forwards to the sub-ports through one primitive, fo_forward(); the
 * failover port's own state is what ethdev records when the op succeeds
 * (dev->data) or, where ethdev keeps none, a list in priv, and a sub-port
 * that joins later is brought to it by the lifecycle (failover_sub.c).
 * Calls go down only: to the lifecycle, the path rule, the counters and
 * the burst functions' queues.
 */

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "failover_private.h"

/*
 * One step on one sub-port: val is the op's new value, the old value to
 * restore, or a snapshot taken by save.
 */
typedef int (fo_step_t)(struct fo_sub *s, const void *val);
/* Take a sub-port's snapshot: 0, or non-zero when there is none to take. */
typedef int (fo_save_t)(struct fo_sub *s, void *snap);

/*
 * How an op is forwarded, in one of three shapes:
 *  - on/off pairs: set, and unset as its undo (promiscuous, all-multicast,
 *    extra MAC addresses, VLAN filters);
 *  - set new, restore old: set, undone by set with the old value the op
 *    passes (MTU, default MAC, multicast list, link up/down, a queue's
 *    VLAN strip, TPID);
 *  - snapshot then set: save reads each sub-port's own value first, and
 *    restore puts it back (configure, RSS hash, RETA, VLAN offloads, flow
 *    control); a sub-port save finds nothing on (never configured, no such
 *    setting) is left as it is. A snapshot laid out as the op's value is
 *    restored by set itself.
 */
struct fo_fwd {
	const char *what;    /* names the op in log lines */
	fo_step_t *set;
	fo_step_t *unset;
	fo_save_t *save;
	fo_step_t *restore;
};

/* configure */

struct fo_conf_snap {
	uint16_t nb_rxq, nb_txq;
	struct rte_eth_conf conf;
};

/* Sub-port RSS settings, key included (conf first: restored as it is set). */
struct fo_rss_snap {
	struct rte_eth_rss_conf conf;
	uint8_t key[FO_RSS_KEY_MAX];
};

#define FO_RETA_GROUPS (RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE)

struct fo_reta_snap {
	uint16_t size;
	struct rte_eth_rss_reta_entry64 reta[FO_RETA_GROUPS];
};

/* What a snapshot-then-set op keeps per sub-port. */
union fo_snap {
	struct fo_conf_snap conf;
	struct fo_rss_snap rss;
	struct fo_reta_snap reta;
	struct rte_eth_fc_conf fc;
	int vlan;               /* rte_eth_dev_get_vlan_offload() */
};

/*
 * Put one sub-port back as it was before the op, after another refused;
 * saved: its snapshot was taken (a sub-port with nothing to read has
 * nothing to put back).
 */
static void
fo_undo(const struct fo_fwd *f, struct fo_sub *s, const void *val, const void *old,
	const union fo_snap *snap, bool saved)
{
	if (f->unset != NULL)
		f->unset(s, val);
	else if (f->restore != NULL && saved)
		f->restore(s, &snap[s->role]);
	else if (f->restore == NULL && old != NULL)
		f->set(s, old);
}

/*
 * Apply an op to each present sub-port in role order; when one refuses,
 * put those done back and return its error. The control lock is held.
 */
static int
fo_forward(struct fo_priv *priv, const struct fo_fwd *f, const void *val, const void *old)
{
	union fo_snap snap[FO_NB_SUBS];
	bool saved[FO_NB_SUBS] = { false };
	struct fo_sub *s, *done;
	int ret = 0;

	FO_LOCK_ASSERT(priv);
	FO_FOREACH_SUB(priv, s) {
		if (f->save != NULL)
			saved[s->role] = f->save(s, &snap[s->role]) == 0;
		ret = f->set(s, val);
		if (ret != 0)
			break;
	}
	if (ret == 0)
		return 0;
	/* -ENOTSUP: ethdev tries some ops (modes off) and lets it pass */
	if (ret == -ENOTSUP)
		FO_LOG(INFO, "%s: %s port %u does not support %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, f->what);
	else
		FO_LOG(ERR, "%s: %s port %u refused %s: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, f->what, rte_strerror(-ret));
	for (done = &priv->sub[0]; done < s; done++)
		if (fo_sub_state(done) != FO_SUB_ABSENT)
			fo_undo(f, done, val, old, snap, saved[done->role]);
	return ret;
}

/* An op that is only forwarded: one lock, one forward. */
static int
fo_forward_op(struct rte_eth_dev *dev, const struct fo_fwd *f, const void *val,
	      const void *old)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, f, val, old);
	fo_unlock(priv);
	return ret;
}

static int
fo_save_conf(struct fo_sub *s, void *snap)
{
	const struct rte_eth_dev_data *d = rte_eth_devices[s->port_id].data;
	struct fo_conf_snap *c = snap;

	c->nb_rxq = d->nb_rx_queues;
	c->nb_txq = d->nb_tx_queues;
	c->conf = d->dev_conf;
	return d->dev_configured ? 0 : -ENODATA;  /* never configured: nothing to undo */
}

static int
fo_set_conf(struct fo_sub *s, const void *priv)
{
	return fo_sub_configure((struct fo_priv *)(uintptr_t)priv, s);
}

static int
fo_restore_conf(struct fo_sub *s, const void *snap)
{
	const struct fo_conf_snap *c = snap;

	return rte_eth_dev_configure(s->port_id, c->nb_rxq, c->nb_txq, &c->conf);
}

static const struct fo_fwd fo_fwd_configure = {
	.what = "the configuration",
	.set = fo_set_conf, .save = fo_save_conf, .restore = fo_restore_conf,
};

static int
fo_dev_configure(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_configure, priv, NULL);
	if (ret == 0)
		ret = fo_intr_configure(priv);
	fo_unlock(priv);
	return ret;
}

/* start, stop, close */

static int
fo_set_start(struct fo_sub *s, const void *priv)
{
	return fo_sub_start((struct fo_priv *)(uintptr_t)priv, s);
}

static int
fo_unset_start(struct fo_sub *s, const void *priv)
{
	fo_sub_stop((struct fo_priv *)(uintptr_t)priv, s);
	return 0;
}

static const struct fo_fwd fo_fwd_start = {
	.what = "start", .set = fo_set_start, .unset = fo_unset_start,
};

/* Queue states are the PMD's to keep (rxq_info_get reports them). */
static void
fo_queues_state(struct rte_eth_dev *dev, uint8_t state)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = state;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = state;
}

static int
fo_dev_start(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_start, priv, NULL);
	if (ret == 0) {
		/* bursts may run from now on (ethdev marks the port started after us) */
		__atomic_store_n(&priv->running, true, __ATOMIC_RELEASE);
		fo_queues_state(dev, RTE_ETH_QUEUE_STATE_STARTED);
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
	fo_paths_stopping(priv, true);
	FO_FOREACH_SUB(priv, s)
		fo_sub_stop(priv, s);
	fo_paths_publish(priv);
	fo_paths_stopping(priv, false);
	__atomic_store_n(&priv->running, false, __ATOMIC_RELEASE);
	fo_queues_state(dev, RTE_ETH_QUEUE_STATE_STOPPED);
	fo_unlock(priv);
	return 0;
}

/* A queue leaves the port: out of its array (under pub_lock), then freed. */
static void
fo_queue_drop(struct fo_priv *priv, void **slot)
{
	void *q = *slot;

	rte_spinlock_lock(&priv->pub_lock);
	*slot = NULL;
	rte_spinlock_unlock(&priv->pub_lock);
	rte_free(q);
}

static void
fo_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	fo_queue_drop(fo_priv(dev), &dev->data->rx_queues[qid]);
}

static void
fo_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	fo_queue_drop(fo_priv(dev), &dev->data->tx_queues[qid]);
}

static int
fo_dev_close(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	uint16_t q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	fo_events_uninit(priv);
	fo_intr_uninit(priv);
	fo_flow_uninit(priv);
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

/* promiscuous, all-multicast: on/off pairs */

static int
fo_promisc_on(struct fo_sub *s, const void *val)
{
	RTE_SET_USED(val);
	return rte_eth_promiscuous_enable(s->port_id);
}

static int
fo_promisc_off(struct fo_sub *s, const void *val)
{
	RTE_SET_USED(val);
	return rte_eth_promiscuous_disable(s->port_id);
}

static int
fo_allmulti_on(struct fo_sub *s, const void *val)
{
	RTE_SET_USED(val);
	return rte_eth_allmulticast_enable(s->port_id);
}

static int
fo_allmulti_off(struct fo_sub *s, const void *val)
{
	RTE_SET_USED(val);
	return rte_eth_allmulticast_disable(s->port_id);
}

static const struct fo_fwd fo_fwd_promisc_on = {
	.what = "promiscuous mode on", .set = fo_promisc_on, .unset = fo_promisc_off,
};
static const struct fo_fwd fo_fwd_promisc_off = {
	.what = "promiscuous mode off", .set = fo_promisc_off, .unset = fo_promisc_on,
};
static const struct fo_fwd fo_fwd_allmulti_on = {
	.what = "all-multicast on", .set = fo_allmulti_on, .unset = fo_allmulti_off,
};
static const struct fo_fwd fo_fwd_allmulti_off = {
	.what = "all-multicast off", .set = fo_allmulti_off, .unset = fo_allmulti_on,
};

static int
fo_promiscuous_enable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_promisc_on, NULL, NULL);
}

static int
fo_promiscuous_disable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_promisc_off, NULL, NULL);
}

static int
fo_allmulticast_enable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_allmulti_on, NULL, NULL);
}

static int
fo_allmulticast_disable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_allmulti_off, NULL, NULL);
}

/* MAC addresses */

static int
fo_mac_set(struct fo_sub *s, const void *mac)
{
	return rte_eth_dev_default_mac_addr_set(s->port_id, (struct rte_ether_addr *)(uintptr_t)mac);
}

static const struct fo_fwd fo_fwd_mac = { .what = "the MAC address", .set = fo_mac_set };

static int
fo_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_ether_addr old = dev->data->mac_addrs[0];
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_mac, addr, &old);
	if (ret == 0)
		rte_failover_set_mac(priv->fo, addr);
	fo_unlock(priv);
	return ret;
}

static int
fo_mac_add(struct fo_sub *s, const void *mac)
{
	return rte_eth_dev_mac_addr_add(s->port_id, (struct rte_ether_addr *)(uintptr_t)mac, 0);
}

static int
fo_mac_remove(struct fo_sub *s, const void *mac)
{
	return rte_eth_dev_mac_addr_remove(s->port_id, (struct rte_ether_addr *)(uintptr_t)mac);
}

static const struct fo_fwd fo_fwd_mac_add = {
	.what = "an extra MAC address", .set = fo_mac_add, .unset = fo_mac_remove,
};
static const struct fo_fwd fo_fwd_mac_remove = {
	.what = "the removal of a MAC address", .set = fo_mac_remove, .unset = fo_mac_add,
};

static int
fo_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		uint32_t vmdq)
{
	RTE_SET_USED(index);
	RTE_SET_USED(vmdq);
	return fo_forward_op(dev, &fo_fwd_mac_add, addr, NULL);
}

static void
fo_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	fo_forward_op(dev, &fo_fwd_mac_remove, &dev->data->mac_addrs[index], NULL);
}

/* The multicast list: ethdev keeps none, so it is kept here for replay. */
struct fo_mc {
	const struct rte_ether_addr *list;
	uint32_t nb;
};

static int
fo_mc_set(struct fo_sub *s, const void *val)
{
	const struct fo_mc *mc = val;

	return rte_eth_dev_set_mc_addr_list(s->port_id,
					    (struct rte_ether_addr *)(uintptr_t)mc->list, mc->nb);
}

static const struct fo_fwd fo_fwd_mc = { .what = "the multicast list", .set = fo_mc_set };

static int
fo_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t nb)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_mc set = { .list = list, .nb = nb };
	struct fo_mc old = { .list = priv->mc, .nb = priv->nb_mc };
	int ret;

	if (nb > FO_MAX_MC_ADDRS) {
		FO_LOG(ERR, "%s: %u multicast addresses, at most %u", dev->data->name,
		       nb, FO_MAX_MC_ADDRS);
		return -ENOSPC;
	}
	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_mc, &set, &old);
	if (ret == 0) {
		if (nb > 0)
			memcpy(priv->mc, list, nb * sizeof(*list));
		priv->nb_mc = nb;
	}
	fo_unlock(priv);
	return ret;
}

/* MTU; VLAN filter (ethdev keeps the filter set: replayed from it) */

static int
fo_mtu_step(struct fo_sub *s, const void *mtu)
{
	return rte_eth_dev_set_mtu(s->port_id, *(const uint16_t *)mtu);
}

static const struct fo_fwd fo_fwd_mtu = { .what = "the MTU", .set = fo_mtu_step };

static int
fo_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	uint16_t old = dev->data->mtu;

	return fo_forward_op(dev, &fo_fwd_mtu, &mtu, &old);
}

static int
fo_vlan_on(struct fo_sub *s, const void *vlan)
{
	return rte_eth_dev_vlan_filter(s->port_id, *(const uint16_t *)vlan, 1);
}

static int
fo_vlan_off(struct fo_sub *s, const void *vlan)
{
	return rte_eth_dev_vlan_filter(s->port_id, *(const uint16_t *)vlan, 0);
}

static const struct fo_fwd fo_fwd_vlan_on = {
	.what = "a VLAN filter", .set = fo_vlan_on, .unset = fo_vlan_off,
};
static const struct fo_fwd fo_fwd_vlan_off = {
	.what = "the removal of a VLAN filter", .set = fo_vlan_off, .unset = fo_vlan_on,
};

static int
fo_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on)
{
	return fo_forward_op(dev, on ? &fo_fwd_vlan_on : &fo_fwd_vlan_off, &vlan_id, NULL);
}

/*
 * Link up/down: set new, restore old, where old is what the application
 * asked last (not the link read: a link down for want of carrier is not
 * to be set down on a rollback). Setting a link up again is harmless.
 */
static int
fo_link_step(struct fo_sub *s, const void *up)
{
	return *(const bool *)up ? rte_eth_dev_set_link_up(s->port_id) :
				   rte_eth_dev_set_link_down(s->port_id);
}

static const struct fo_fwd fo_fwd_link = { .what = "a link up/down", .set = fo_link_step };

/*
 * The links are read again at once (a PMD's set_link_down raises no LSC
 * event as a rule), so the failover link, which is up only with a path,
 * follows before we return; a sub-port that joins later is set down too.
 */
static int
fo_link_set(struct rte_eth_dev *dev, bool up)
{
	struct fo_priv *priv = fo_priv(dev);
	bool old;
	int ret;

	fo_lock(priv);
	old = !priv->link_down;
	ret = fo_forward(priv, &fo_fwd_link, &up, &old);
	if (ret == 0)
		priv->link_down = !up;
	fo_sync(priv);
	fo_unlock(priv);
	return ret;
}

static int
fo_dev_set_link_up(struct rte_eth_dev *dev)
{
	return fo_link_set(dev, true);
}

static int
fo_dev_set_link_down(struct rte_eth_dev *dev)
{
	return fo_link_set(dev, false);
}

/* VLAN offloads: snapshot then set, to what ethdev just wrote in dev_conf */

static int
fo_save_vlan(struct fo_sub *s, void *snap)
{
	*(int *)snap = rte_eth_dev_get_vlan_offload(s->port_id);
	return *(int *)snap < 0 ? *(int *)snap : 0;
}

static int
fo_set_vlan(struct fo_sub *s, const void *flags)
{
	return rte_eth_dev_set_vlan_offload(s->port_id, *(const int *)flags);
}

static const struct fo_fwd fo_fwd_vlan_offload = {
	.what = "VLAN offloads", .set = fo_set_vlan, .save = fo_save_vlan,
	.restore = fo_set_vlan,
};

/* The rte_eth_dev_set_vlan_offload() flags of a set of rx offloads. */
static int
fo_vlan_flags(uint64_t offloads)
{
	int flags = 0;

	if (offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)
		flags |= RTE_ETH_VLAN_STRIP_OFFLOAD;
	if (offloads & RTE_ETH_RX_OFFLOAD_VLAN_FILTER)
		flags |= RTE_ETH_VLAN_FILTER_OFFLOAD;
	if (offloads & RTE_ETH_RX_OFFLOAD_VLAN_EXTEND)
		flags |= RTE_ETH_VLAN_EXTEND_OFFLOAD;
	if (offloads & RTE_ETH_RX_OFFLOAD_QINQ_STRIP)
		flags |= RTE_ETH_QINQ_STRIP_OFFLOAD;
	return flags;
}

/*
 * ethdev has put the new offloads in dev_conf.rxmode.offloads (and puts
 * the old ones back if we fail): that is also what a joining sub-port is
 * configured with. A port-wide strip setting replaces the per-queue ones.
 */
static int
fo_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	struct fo_priv *priv = fo_priv(dev);
	int flags = fo_vlan_flags(dev->data->dev_conf.rxmode.offloads);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_vlan_offload, &flags, NULL);
	if (ret == 0 && (mask & RTE_ETH_VLAN_STRIP_MASK)) {
		memset(priv->strip_q_set, 0, sizeof(priv->strip_q_set));
		memset(priv->strip_q_on, 0, sizeof(priv->strip_q_on));
	}
	fo_unlock(priv);
	return ret;
}

/* A queue's VLAN strip: set new, restore old. */
struct fo_strip_q {
	uint16_t qid;
	int on;
};

static int
fo_strip_q_step(struct fo_sub *s, const void *val)
{
	const struct fo_strip_q *sq = val;

	return rte_eth_dev_set_vlan_strip_on_queue(s->port_id, sq->qid, sq->on);
}

static const struct fo_fwd fo_fwd_strip_q = {
	.what = "a queue's VLAN strip", .set = fo_strip_q_step,
};

/*
 * ethdev returns nothing of this op (it reports 0): a sub-port that
 * refuses (-ENOTSUP: no such op) is logged by fo_forward() and the other
 * put back to the queue's previous setting, the one set last or else the
 * port-wide one.
 */
static void
fo_vlan_strip_queue_set(struct rte_eth_dev *dev, uint16_t qid, int on)
{
	struct fo_priv *priv = fo_priv(dev);
	uint64_t bit = RTE_BIT64(qid % 64);
	struct fo_strip_q set = { .qid = qid, .on = !!on }, old = { .qid = qid };

	if (qid >= FO_MAX_QUEUES)
		return;
	fo_lock(priv);
	if (priv->strip_q_set[qid / 64] & bit)
		old.on = !!(priv->strip_q_on[qid / 64] & bit);
	else
		old.on = !!(dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP);
	if (fo_forward(priv, &fo_fwd_strip_q, &set, &old) == 0) {
		priv->strip_q_set[qid / 64] |= bit;
		if (set.on)
			priv->strip_q_on[qid / 64] |= bit;
		else
			priv->strip_q_on[qid / 64] &= ~bit;
	}
	fo_unlock(priv);
}

/* TPID: set new, restore old. */
struct fo_tpid {
	enum rte_vlan_type type;
	uint16_t tpid;
};

static int
fo_tpid_step(struct fo_sub *s, const void *val)
{
	const struct fo_tpid *t = val;

	return rte_eth_dev_set_vlan_ether_type(s->port_id, t->type, t->tpid);
}

static const struct fo_fwd fo_fwd_tpid = { .what = "a VLAN TPID", .set = fo_tpid_step };

/*
 * There is no getter of a port's TPID: the old value is the one set last
 * through us, else 0x8100 (what the PMDs that have this op start with).
 */
static int
fo_vlan_tpid_set(struct rte_eth_dev *dev, enum rte_vlan_type type, uint16_t tpid)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_tpid set = { .type = type, .tpid = tpid }, old = { .type = type };
	int ret;

	if ((unsigned int)type >= RTE_ETH_VLAN_TYPE_MAX)
		return -EINVAL;
	fo_lock(priv);
	old.tpid = priv->tpid[type] != 0 ? priv->tpid[type] : RTE_ETHER_TYPE_VLAN;
	ret = fo_forward(priv, &fo_fwd_tpid, &set, &old);
	if (ret == 0)
		priv->tpid[type] = tpid;
	fo_unlock(priv);
	return ret;
}

/* Flow control: snapshot then set; read from the active sub-port. */

static int
fo_save_fc(struct fo_sub *s, void *snap)
{
	memset(snap, 0, sizeof(struct rte_eth_fc_conf));
	return rte_eth_dev_flow_ctrl_get(s->port_id, snap);
}

static int
fo_set_fc(struct fo_sub *s, const void *fc)
{
	return rte_eth_dev_flow_ctrl_set(s->port_id, (struct rte_eth_fc_conf *)(uintptr_t)fc);
}

static const struct fo_fwd fo_fwd_fc = {
	.what = "flow control", .set = fo_set_fc, .save = fo_save_fc, .restore = fo_set_fc,
};

static int
fo_flow_ctrl_set(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_fc, fc, NULL);
	if (ret == 0) {
		priv->fc = *fc;
		priv->fc_set = true;
	}
	fo_unlock(priv);
	return ret;
}

/* RSS: snapshot then set */

static int
fo_save_rss(struct fo_sub *s, void *snap)
{
	struct fo_rss_snap *r = snap;

	r->conf.rss_key = r->key;
	r->conf.rss_key_len = FO_RSS_KEY_MAX;
	return rte_eth_dev_rss_hash_conf_get(s->port_id, &r->conf);
}

static int
fo_set_rss(struct fo_sub *s, const void *conf)
{
	return rte_eth_dev_rss_hash_update(s->port_id,
					   (struct rte_eth_rss_conf *)(uintptr_t)conf);
}

static const struct fo_fwd fo_fwd_rss = {
	.what = "the RSS hash", .set = fo_set_rss, .save = fo_save_rss, .restore = fo_set_rss,
};

static int
fo_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	if (conf->rss_key != NULL && conf->rss_key_len > FO_RSS_KEY_MAX)
		return -EINVAL;
	fo_lock(priv);
	ret = fo_forward(priv, &fo_fwd_rss, conf, NULL);
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

	if (role != FO_NONE && fo_sub_state(&priv->sub[role]) != FO_SUB_ABSENT)
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

static int
fo_flow_ctrl_get(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;
	int ret = -ENODEV;

	fo_lock(priv);
	s = fo_query_sub(priv);
	if (s != NULL)
		ret = rte_eth_dev_flow_ctrl_get(s->port_id, fc);
	fo_unlock(priv);
	return ret;
}

static int
fo_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t fw_size)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;
	int ret = -ENODEV;

	fo_lock(priv);
	s = fo_query_sub(priv);
	if (s != NULL)
		ret = rte_eth_dev_fw_version_get(s->port_id, fw, fw_size);
	fo_unlock(priv);
	return ret;
}

/*
 * "failover: <the sub-port's mode> (<role> port <id>)": the burst
 * functions a failover queue calls now are those of the active sub-port.
 */
static int
fo_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode,
		  bool rx)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_eth_burst_mode sm;
	struct fo_sub *s;
	int ret = -ENODEV;

	memset(&sm, 0, sizeof(sm));
	fo_lock(priv);
	s = fo_query_sub(priv);
	if (s != NULL)
		ret = rx ? rte_eth_rx_burst_mode_get(s->port_id, qid, &sm) :
			   rte_eth_tx_burst_mode_get(s->port_id, qid, &sm);
	if (ret == 0) {
		mode->flags = sm.flags;
		snprintf(mode->info, sizeof(mode->info), "failover: %.*s (%s port %u)",
			 (int)(sizeof(mode->info) - 48), sm.info, fo_role_name[s->role],
			 s->port_id);
	}
	fo_unlock(priv);
	return ret;
}

static int
fo_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	return fo_burst_mode_get(dev, qid, mode, true);
}

static int
fo_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	return fo_burst_mode_get(dev, qid, mode, false);
}

/* Keep in out[] only the packet types port also reports; how many are left. */
static unsigned int
fo_ptypes_and(uint16_t port, uint32_t *out, unsigned int n)
{
	uint32_t pt[FO_MAX_PTYPES];
	unsigned int i, k = 0;
	int j, m;

	m = rte_eth_dev_get_supported_ptypes(port, RTE_PTYPE_ALL_MASK, pt, RTE_DIM(pt));
	m = RTE_MIN(RTE_MAX(m, 0), (int)RTE_DIM(pt));
	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			if (out[i] == pt[j]) {
				out[k++] = out[i];
				break;
			}
	return k;
}

/*
 * Packet types both present sub-ports parse. 22.11 wants an array that
 * outlives the call: the answer goes into priv, into the array not handed
 * out last when it changed, so that a caller still reading the previous
 * one is not disturbed by a second call.
 */
static const uint32_t *
fo_dev_supported_ptypes_get(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	uint32_t pt[FO_MAX_PTYPES + 1];
	const uint32_t *ret = NULL;
	struct fo_sub *s;
	unsigned int n = 0;
	bool first = true;
	int m;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		if (first) {
			m = rte_eth_dev_get_supported_ptypes(s->port_id, RTE_PTYPE_ALL_MASK, pt,
							     FO_MAX_PTYPES);
			n = RTE_MIN(RTE_MAX(m, 0), FO_MAX_PTYPES);
			first = false;
		} else {
			n = fo_ptypes_and(s->port_id, pt, n);
		}
	}
	pt[n] = RTE_PTYPE_UNKNOWN;
	if (n > 0) {
		if (memcmp(priv->ptypes[priv->ptypes_cur], pt, (n + 1) * sizeof(pt[0])) != 0) {
			priv->ptypes_cur ^= 1;
			memcpy(priv->ptypes[priv->ptypes_cur], pt, (n + 1) * sizeof(pt[0]));
		}
		ret = priv->ptypes[priv->ptypes_cur];
	}
	fo_unlock(priv);
	return ret;
}

/*
 * The active path's TX queue (where the failover queue's packets went
 * last); as for any PMD, not concurrently with a TX burst on the queue.
 */
static int
fo_tx_done_cleanup(void *txq, uint32_t free_cnt)
{
	struct fo_txq *q = txq;
	struct fo_priv *priv = container_of(q->fp, struct fo_priv, fp);
	int ret = 0;

	fo_lock(priv);
	if (priv->fp.tx != FO_NO_PORT)
		ret = rte_eth_tx_done_cleanup(priv->fp.tx, q->qid, free_cnt);
	fo_unlock(priv);
	return ret;
}

struct fo_reta {
	struct rte_eth_rss_reta_entry64 *reta;
	uint16_t size;
};

/* The sub-port's whole table (the snapshot is on fo_forward()'s stack). */
static int
fo_save_reta(struct fo_sub *s, void *snap)
{
	struct fo_reta_snap *r = snap;
	struct rte_eth_dev_info info;
	unsigned int i;

	if (rte_eth_dev_info_get(s->port_id, &info) != 0 || info.reta_size == 0 ||
	    info.reta_size > RTE_DIM(r->reta) * RTE_ETH_RETA_GROUP_SIZE)
		return -ENODATA;
	for (i = 0; i < RTE_DIM(r->reta); i++)
		r->reta[i].mask = UINT64_MAX;
	r->size = info.reta_size;
	return rte_eth_dev_rss_reta_query(s->port_id, r->reta, info.reta_size);
}

static int
fo_set_reta(struct fo_sub *s, const void *val)
{
	const struct fo_reta *t = val;

	return rte_eth_dev_rss_reta_update(s->port_id, t->reta, t->size);
}

static int
fo_restore_reta(struct fo_sub *s, const void *snap)
{
	const struct fo_reta_snap *r = snap;

	return rte_eth_dev_rss_reta_update(s->port_id,
					   (struct rte_eth_rss_reta_entry64 *)(uintptr_t)r->reta,
					   r->size);
}

static const struct fo_fwd fo_fwd_reta = {
	.what = "the RSS redirection table",
	.set = fo_set_reta, .save = fo_save_reta, .restore = fo_restore_reta,
};

static int
fo_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
	       uint16_t size)
{
	struct fo_reta t = { .reta = conf, .size = size };

	if (size > RTE_ETH_RSS_RETA_SIZE_512)
		return -EINVAL;
	return fo_forward_op(dev, &fo_fwd_reta, &t, NULL);
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

/*
 * Queues. ethdev has released the failover queue being set up again
 * before it calls us, so a refusal leaves no queue to go back to: the
 * sub-ports that took the new set-up keep it (no undo), and the failover
 * queue is simply absent until set up again.
 */
/* Forward a new queue's set-up; once every sub-port has it, it is the port's. */
static int
fo_queue_install(struct fo_priv *priv, const struct fo_fwd *f, void *q, void **slot)
{
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, f, q, NULL);
	if (ret == 0) {
		rte_spinlock_lock(&priv->pub_lock);
		*slot = q;
		rte_spinlock_unlock(&priv->pub_lock);
	}
	fo_unlock(priv);
	if (ret != 0)
		rte_free(q);
	return ret;
}

static int
fo_rxq_step(struct fo_sub *s, const void *val)
{
	const struct fo_rxq *q = val;

	return rte_eth_rx_queue_setup(s->port_id, q->qid, q->conf.nb_desc, q->conf.socket,
				      &q->conf.conf, q->conf.mp);
}

static const struct fo_fwd fo_fwd_rxq = { .what = "an rx queue set-up", .set = fo_rxq_step };

static int
fo_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_rxconf *conf,
		  struct rte_mempool *mp)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_rxq *q;

	q = rte_zmalloc_socket("failover_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	q->qid = qid;
	q->port_id = dev->data->port_id;
	q->conf = (struct fo_rxq_conf){
		.nb_desc = nb_desc, .socket = socket, .conf = *conf, .mp = mp,
	};
	fo_rxq_init(q);
	return fo_queue_install(priv, &fo_fwd_rxq, q, &dev->data->rx_queues[qid]);
}

static int
fo_txq_step(struct fo_sub *s, const void *val)
{
	const struct fo_txq *q = val;

	return rte_eth_tx_queue_setup(s->port_id, q->qid, q->conf.nb_desc, q->conf.socket,
				      &q->conf.conf);
}

static const struct fo_fwd fo_fwd_txq = { .what = "a tx queue set-up", .set = fo_txq_step };

static int
fo_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		  unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_txq *q;

	q = rte_zmalloc_socket("failover_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL)
		return -ENOMEM;
	q->fp = &priv->fp;
	q->qid = qid;
	q->conf = (struct fo_txq_conf){ .nb_desc = nb_desc, .socket = socket, .conf = *conf };
	fo_txq_init(q);
	return fo_queue_install(priv, &fo_fwd_txq, q, &dev->data->tx_queues[qid]);
}

/* What a queue was set up with (the replay reads the same). */
static void
fo_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *info)
{
	const struct fo_rxq *q = dev->data->rx_queues[qid];

	info->mp = q->conf.mp;
	info->conf = q->conf.conf;
	info->nb_desc = q->conf.nb_desc;
}

static void
fo_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *info)
{
	const struct fo_txq *q = dev->data->tx_queues[qid];

	info->conf = q->conf.conf;
	info->nb_desc = q->conf.nb_desc;
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
	.rxq_info_get = fo_rxq_info_get,
	.txq_info_get = fo_txq_info_get,
	.stats_get = fo_stats_get,
	.stats_reset = fo_stats_reset,
	.xstats_get = fo_xstats_get,
	.xstats_get_names = fo_xstats_get_names,
	.xstats_reset = fo_xstats_reset,
	.dev_set_link_up = fo_dev_set_link_up,
	.dev_set_link_down = fo_dev_set_link_down,
	.rx_burst_mode_get = fo_rx_burst_mode_get,
	.tx_burst_mode_get = fo_tx_burst_mode_get,
	.dev_supported_ptypes_get = fo_dev_supported_ptypes_get,
	.vlan_offload_set = fo_vlan_offload_set,
	.vlan_strip_queue_set = fo_vlan_strip_queue_set,
	.vlan_tpid_set = fo_vlan_tpid_set,
	.flow_ctrl_get = fo_flow_ctrl_get,
	.flow_ctrl_set = fo_flow_ctrl_set,
	.fw_version_get = fo_fw_version_get,
	.tx_done_cleanup = fo_tx_done_cleanup,
	.rx_queue_intr_enable = fo_rx_queue_intr_enable,
	.rx_queue_intr_disable = fo_rx_queue_intr_disable,
	.flow_ops_get = fo_flow_ops_get,
};
