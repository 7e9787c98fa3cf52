/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * eth_dev_ops of the failover port: its lifecycle (configure, start,
 * stop, close), its queues, and the op table, whose other ops are in
 * failover_ops_l2.c (layer 2 settings) and failover_ops_info.c (what the
 * port reports, RSS). Each op takes the control lock once and forwards to
 * the sub-ports through one primitive, fo_forward() (failover_fwd.c); the
 * failover port's own state is what ethdev records when the op succeeds
 * (dev->data) or, where ethdev keeps none, a list in priv, and a sub-port
 * that joins later is brought to it by the lifecycle (failover_sub.c).
 * Calls go down only: to the lifecycle, the path rule, the counters and
 * the burst functions' queues.
 */

#include <errno.h>
#include <string.h>

#include <rte_flow.h>
#include <rte_malloc.h>

#include "failover_private.h"

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

/*
 * Queue states are the PMD's to keep (rxq_info_get reports them); the
 * publication reads them (a stopped queue designates no sub-port) and a
 * sub-port's start applies them to its queues. Stores are atomic: a
 * publication from an event callback may read them meanwhile.
 */
static void
fo_queue_state_store(uint8_t *state, uint8_t v)
{
	__atomic_store_n(state, v, __ATOMIC_RELAXED);
}

static void
fo_queues_state(struct rte_eth_dev *dev, uint8_t state)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		fo_queue_state_store(&dev->data->rx_queue_state[q], state);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		fo_queue_state_store(&dev->data->tx_queue_state[q], state);
}

/* At start: each queue started but those set up with deferred start. */
static void
fo_queues_state_start(struct rte_eth_dev *dev)
{
	const struct fo_rxq *rq;
	const struct fo_txq *tq;
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rq = dev->data->rx_queues[q];
		fo_queue_state_store(&dev->data->rx_queue_state[q],
				     rq != NULL && rq->conf.conf.rx_deferred_start ?
				     RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED);
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		tq = dev->data->tx_queues[q];
		fo_queue_state_store(&dev->data->tx_queue_state[q],
				     tq != NULL && tq->conf.conf.tx_deferred_start ?
				     RTE_ETH_QUEUE_STATE_STOPPED : RTE_ETH_QUEUE_STATE_STARTED);
	}
}

/* The queues' states first: each sub-port's start applies them. */
static int
fo_dev_start(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	fo_queues_state_start(dev);
	ret = fo_forward(priv, &fo_fwd_start, priv, NULL);
	if (ret == 0) {
		/* bursts may run from now on (ethdev marks the port started after us) */
		__atomic_store_n(&priv->running, true, __ATOMIC_RELEASE);
		fo_sync(priv);
	} else {
		fo_queues_state(dev, RTE_ETH_QUEUE_STATE_STOPPED);
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

/* Every failover queue (at close, and at reset: ethdev releases none then). */
static void
fo_queues_release(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		fo_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		fo_tx_queue_release(dev, q);
}

static int
fo_dev_close(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	fo_events_uninit(priv);
	fo_intr_uninit(priv);
	fo_flow_uninit(priv);
	fo_queues_release(dev);
	fo_args_free(&priv->args);
	return 0;
}

/*
 * What the failover port keeps for replay and ethdev keeps nowhere, or
 * keeps but does not restore at start (the VLAN filter set): a reset
 * forgets it, as the sub-ports' resets did. Modes and MAC addresses stay in
 * dev->data: ethdev restores them at the next start.
 */
static void
fo_replay_forget(struct fo_priv *priv)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct rte_flow_error err;
	struct fo_sub *s;

	rte_flow_flush(data->port_id, &err);  /* off the sub-ports that keep them */
	fo_flow_uninit(priv);
	if (priv->link_down)
		FO_FOREACH_SUB(priv, s)
			rte_eth_dev_set_link_up(s->port_id);  /* a reset PMD's own choice */
	priv->nb_mc = 0;
	priv->rss_set = false;
	memset(priv->strip_q_set, 0, sizeof(priv->strip_q_set));
	memset(priv->strip_q_on, 0, sizeof(priv->strip_q_on));
	memset(priv->tpid, 0, sizeof(priv->tpid));
	priv->fc_set = false;
	priv->link_down = false;
	memset(&data->vlan_filter_conf, 0, sizeof(data->vlan_filter_conf));
}

/*
 * rte_eth_dev_reset(): ethdev has stopped the port (fo_dev_stop()). Each
 * sub-port is reset (fo_sub_reset(): one whose PMD has no reset is only
 * stopped, one whose reset fails leaves, as on its own reset request), the
 * state kept for replay is forgotten, the queues are released and the port
 * is left unconfigured (dev_configured 0: rte_eth_dev_start() refuses until
 * the application configures it, sets up its queues and starts it, which
 * ethdev asks of an application after any reset). A port that joins
 * meanwhile is held as it comes, with nothing to replay.
 */
static int
fo_dev_reset(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_sub *s;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -EPERM;
	fo_lock(priv);
	fo_replay_forget(priv);
	dev->data->dev_configured = 0;  /* first: fo_sub_reset() replays nothing */
	FO_FOREACH_SUB(priv, s)
		fo_sub_reset(priv, s);
	fo_queues_release(dev);
	fo_unlock(priv);
	return 0;
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

/*
 * Queue start/stop: on/off pairs on the sub-ports' queue of the same index
 * (fo_sub_queue_state(): a sub-port whose PMD has no such op keeps its
 * queue running, the failover queue's state holds regardless). A queue
 * stops on the fast path first: pointed at no sub-port and a grace period,
 * then the sub-ports' queues; it starts on the fast path last.
 */
static int
fo_rxq_on(struct fo_sub *s, const void *qid)
{
	return fo_sub_queue_state(s, true, *(const uint16_t *)qid, true);
}

static int
fo_rxq_off(struct fo_sub *s, const void *qid)
{
	return fo_sub_queue_state(s, true, *(const uint16_t *)qid, false);
}

static int
fo_txq_on(struct fo_sub *s, const void *qid)
{
	return fo_sub_queue_state(s, false, *(const uint16_t *)qid, true);
}

static int
fo_txq_off(struct fo_sub *s, const void *qid)
{
	return fo_sub_queue_state(s, false, *(const uint16_t *)qid, false);
}

static const struct fo_fwd fo_fwd_rxq_start = {
	.what = "an rx queue start", .set = fo_rxq_on, .unset = fo_rxq_off,
};
static const struct fo_fwd fo_fwd_rxq_stop = {
	.what = "an rx queue stop", .set = fo_rxq_off, .unset = fo_rxq_on,
};
static const struct fo_fwd fo_fwd_txq_start = {
	.what = "a tx queue start", .set = fo_txq_on, .unset = fo_txq_off,
};
static const struct fo_fwd fo_fwd_txq_stop = {
	.what = "a tx queue stop", .set = fo_txq_off, .unset = fo_txq_on,
};

/* The failover queue's state, then the paths published again. */
static void
fo_queue_state_publish(struct fo_priv *priv, uint8_t *state, bool start)
{
	fo_queue_state_store(state, start ? RTE_ETH_QUEUE_STATE_STARTED :
					    RTE_ETH_QUEUE_STATE_STOPPED);
	fo_paths_publish(priv);
}

static int
fo_queue_state_set(struct rte_eth_dev *dev, const struct fo_fwd *f, uint8_t *state,
		   uint16_t qid, bool start)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	if (!start) {
		fo_queue_state_publish(priv, state, false);
		fo_quiesce(priv);
	}
	ret = fo_forward(priv, f, &qid, NULL);
	/* started once every sub-port's queue is; a stop refused: running again */
	if ((ret == 0) == start)
		fo_queue_state_publish(priv, state, true);
	fo_unlock(priv);
	return ret;
}

static int
fo_rx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_queue_state_set(dev, &fo_fwd_rxq_start, &dev->data->rx_queue_state[qid],
				  qid, true);
}

static int
fo_rx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_queue_state_set(dev, &fo_fwd_rxq_stop, &dev->data->rx_queue_state[qid],
				  qid, false);
}

static int
fo_tx_queue_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_queue_state_set(dev, &fo_fwd_txq_start, &dev->data->tx_queue_state[qid],
				  qid, true);
}

static int
fo_tx_queue_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_queue_state_set(dev, &fo_fwd_txq_stop, &dev->data->tx_queue_state[qid],
				  qid, false);
}

const struct eth_dev_ops fo_ops = {
	.dev_configure = fo_dev_configure,
	.dev_start = fo_dev_start,
	.dev_stop = fo_dev_stop,
	.dev_close = fo_dev_close,
	.dev_reset = fo_dev_reset,
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
	.rx_queue_start = fo_rx_queue_start,
	.rx_queue_stop = fo_rx_queue_stop,
	.tx_queue_start = fo_tx_queue_start,
	.tx_queue_stop = fo_tx_queue_stop,
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
	.get_module_info = fo_get_module_info,
	.get_module_eeprom = fo_get_module_eeprom,
	.get_reg = fo_get_reg,
};

