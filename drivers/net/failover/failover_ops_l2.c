/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Layer 2 ops of the failover port, forwarded to both sub-ports through
 * fo_forward() (failover_fwd.c): promiscuous and all-multicast modes, MAC
 * addresses, the multicast list, MTU, VLAN filters, offloads, strip and
 * TPIDs, link up/down, flow control. What ethdev keeps nowhere is kept in
 * priv for the replay onto a joining sub-port (failover_sub.c).
 */

#include <errno.h>
#include <string.h>

#include "failover_private.h"

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

int
fo_promiscuous_enable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_promisc_on, NULL, NULL);
}

int
fo_promiscuous_disable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_promisc_off, NULL, NULL);
}

int
fo_allmulticast_enable(struct rte_eth_dev *dev)
{
	return fo_forward_op(dev, &fo_fwd_allmulti_on, NULL, NULL);
}

int
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

int
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

int
fo_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		uint32_t vmdq)
{
	RTE_SET_USED(index);
	RTE_SET_USED(vmdq);
	return fo_forward_op(dev, &fo_fwd_mac_add, addr, NULL);
}

/*
 * ethdev returns nothing of this op and forgets the address whatever we
 * do (nor is it replayed onto a sub-port that joins): removed from every
 * sub-port that can, none put back; one that refuses (-ENOTSUP: no such
 * op) keeps it and is named.
 */
void
fo_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;
	int ret;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		ret = fo_mac_remove(s, &dev->data->mac_addrs[index]);
		if (ret != 0)
			FO_LOG(ERR, "%s: %s port %u refused the removal of a MAC address: %s;"
			       " it keeps it", dev->data->name, fo_role_name[s->role], s->port_id,
			       rte_strerror(-ret));
	}
	fo_unlock(priv);
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

int
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

int
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

int
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

int
fo_dev_set_link_up(struct rte_eth_dev *dev)
{
	return fo_link_set(dev, true);
}

int
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
int
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
void
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
int
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

int
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

FO_QUERY_OP(fo_flow_ctrl_get, rte_eth_dev_flow_ctrl_get,
	    (struct rte_eth_fc_conf *fc), (fc))
