/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * What the failover port reports and its RSS: capabilities (both
 * sub-ports' intersected), the link, RSS hash and RETA (forwarded through
 * fo_forward(), answered by the active sub-port), firmware version, burst
 * modes, packet types, the plug-in module's EEPROM and the registers.
 */

#include <errno.h>
#include <string.h>

#include "failover_private.h"

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

int
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

int
fo_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct fo_priv *priv = fo_priv(dev);

	RTE_SET_USED(wait_to_complete);
	fo_lock(priv);
	fo_sync(priv);
	fo_unlock(priv);
	return 0;
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

int
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

FO_QUERY_OP(fo_rss_hash_conf_get, rte_eth_dev_rss_hash_conf_get,
	    (struct rte_eth_rss_conf *conf), (conf))

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

int
fo_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
	       uint16_t size)
{
	struct fo_reta t = { .reta = conf, .size = size };

	if (size > RTE_ETH_RSS_RETA_SIZE_512)
		return -EINVAL;
	return fo_forward_op(dev, &fo_fwd_reta, &t, NULL);
}

FO_QUERY_OP(fo_reta_query, rte_eth_dev_rss_reta_query,
	    (struct rte_eth_rss_reta_entry64 *conf, uint16_t size), (conf, size))

FO_QUERY_OP(fo_fw_version_get, rte_eth_dev_fw_version_get,
	    (char *fw, size_t fw_size), (fw, fw_size))

/*
 * The plug-in module and the registers are the active sub-port's (else
 * the first present one's): the device that carries the traffic now. Two
 * calls that belong together (module info, then the EEPROM; register
 * length, then the dump) reach another device if the path switched
 * between them: the sizes the first returned are checked again by it.
 */
FO_QUERY_OP(fo_get_module_info, rte_eth_dev_get_module_info,
	    (struct rte_eth_dev_module_info *mi), (mi))

FO_QUERY_OP(fo_get_module_eeprom, rte_eth_dev_get_module_eeprom,
	    (struct rte_dev_eeprom_info *info), (info))

FO_QUERY_OP(fo_get_reg, rte_eth_dev_get_reg_info,
	    (struct rte_dev_reg_info *info), (info))

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

int
fo_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode)
{
	return fo_burst_mode_get(dev, qid, mode, true);
}

int
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
const uint32_t *
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
