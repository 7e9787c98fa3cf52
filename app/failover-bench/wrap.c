/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_fobench_call: the cheapest wrapper that runs code after its sub-port
 * returns, as a yardstick. Its burst is one indirect call to the sub-port's
 * own burst function, then a compiler barrier and the return: no removal
 * safety, no mbuf->port rewrite, no path choice. Any wrapper that must do
 * something once the sub-port's burst is over (net_failover's leave mark
 * and rewrite, net_bonding's callback check) pays at least this much: the
 * "wrap-call" rows show the floor under every wrapper, and the empty-poll
 * line what net_failover costs beyond it.
 *
 * Devargs: sub=<ethdev name>. Not a real PMD: the sub-port's burst function
 * and queue are taken once, at start, and nothing may change them after.
 */

#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "bench.h"

struct wrap_rxq {
	eth_rx_burst_t fn;
	void *q;
};

struct wrap_txq {
	eth_tx_burst_t fn;
	void *q;
};

struct wrap_priv {
	uint16_t sub;
};

static uint16_t
wrap_rx(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	const struct wrap_rxq *q = queue;
	uint16_t nb = q->fn(q->q, pkts, nb_pkts);

	/* something after the call: it may not become a tail call */
	__asm__ volatile("" ::: "memory");
	return nb;
}

static uint16_t
wrap_tx(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	const struct wrap_txq *q = queue;
	uint16_t nb = q->fn(q->q, pkts, nb_pkts);

	__asm__ volatile("" ::: "memory");
	return nb;
}

static uint16_t
wrap_sub(const struct rte_eth_dev *dev)
{
	return ((const struct wrap_priv *)dev->data->dev_private)->sub;
}

static int
wrap_configure(struct rte_eth_dev *dev)
{
	struct rte_eth_dev_data *d = dev->data;

	return rte_eth_dev_configure(wrap_sub(dev), d->nb_rx_queues, d->nb_tx_queues,
				     &d->dev_conf);
}

static int
wrap_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct rte_eth_dev_info si;
	int ret = rte_eth_dev_info_get(wrap_sub(dev), &si);

	if (ret != 0)
		return ret;
	info->max_rx_queues = si.max_rx_queues;
	info->max_tx_queues = si.max_tx_queues;
	info->max_rx_pktlen = si.max_rx_pktlen;
	info->min_rx_bufsize = si.min_rx_bufsize;
	info->max_mac_addrs = 1;
	return 0;
}

static int
wrap_rxq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
	       unsigned int socket, const struct rte_eth_rxconf *conf,
	       struct rte_mempool *mp)
{
	struct wrap_rxq *q = rte_zmalloc_socket(NULL, sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	int ret;

	if (q == NULL)
		return -ENOMEM;
	ret = rte_eth_rx_queue_setup(wrap_sub(dev), qid, nb_desc, socket, conf, mp);
	if (ret != 0) {
		rte_free(q);
		return ret;
	}
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
wrap_txq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
	       unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct wrap_txq *q = rte_zmalloc_socket(NULL, sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	int ret;

	if (q == NULL)
		return -ENOMEM;
	ret = rte_eth_tx_queue_setup(wrap_sub(dev), qid, nb_desc, socket, conf);
	if (ret != 0) {
		rte_free(q);
		return ret;
	}
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
wrap_rxq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->rx_queues[qid]);
}

static void
wrap_txq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
}

/* The sub-port's burst functions and queues, as ethdev publishes them. */
static int
wrap_start(struct rte_eth_dev *dev)
{
	uint16_t sub = wrap_sub(dev), q;
	const struct rte_eth_fp_ops *fp = &rte_eth_fp_ops[sub];
	struct wrap_rxq *rq;
	struct wrap_txq *tq;
	int ret = rte_eth_dev_start(sub);

	if (ret != 0)
		return ret;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rq = dev->data->rx_queues[q];
		rq->fn = fp->rx_pkt_burst;
		rq->q = fp->rxq.data[q];
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		tq = dev->data->tx_queues[q];
		tq->fn = fp->tx_pkt_burst;
		tq->q = fp->txq.data[q];
	}
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	return 0;
}

static int
wrap_stop(struct rte_eth_dev *dev)
{
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	return rte_eth_dev_stop(wrap_sub(dev));
}

static int
wrap_link_update(struct rte_eth_dev *dev, int wait)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait);
	return 0;
}

static int
wrap_close(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		rte_free(dev->data->rx_queues[q]);
		dev->data->rx_queues[q] = NULL;
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		rte_free(dev->data->tx_queues[q]);
		dev->data->tx_queues[q] = NULL;
	}
	return 0;
}

static const struct eth_dev_ops wrap_ops = {
	.dev_configure = wrap_configure,
	.dev_infos_get = wrap_infos_get,
	.rx_queue_setup = wrap_rxq_setup,
	.tx_queue_setup = wrap_txq_setup,
	.rx_queue_release = wrap_rxq_release,
	.tx_queue_release = wrap_txq_release,
	.dev_start = wrap_start,
	.dev_stop = wrap_stop,
	.link_update = wrap_link_update,
	.dev_close = wrap_close,
};

static int
wrap_sub_arg(const char *key, const char *value, void *opaque)
{
	RTE_SET_USED(key);
	return rte_eth_dev_get_port_by_name(value, opaque);
}

static int
wrap_probe(struct rte_vdev_device *vdev)
{
	const char *const keys[] = { "sub", NULL };
	struct rte_kvargs *kv = rte_kvargs_parse(rte_vdev_device_args(vdev), keys);
	struct wrap_priv *priv;
	struct rte_eth_dev *dev;
	uint16_t sub = RTE_MAX_ETHPORTS;
	int ret;

	if (kv == NULL)
		return -EINVAL;
	ret = rte_kvargs_process(kv, "sub", wrap_sub_arg, &sub);
	rte_kvargs_free(kv);
	if (ret != 0 || sub == RTE_MAX_ETHPORTS)
		return -EINVAL;
	dev = rte_eth_vdev_allocate(vdev, sizeof(*priv));
	if (dev == NULL)
		return -ENOMEM;
	priv = dev->data->dev_private;
	priv->sub = sub;
	dev->data->mac_addrs = rte_zmalloc(NULL, sizeof(struct rte_ether_addr), 0);
	if (dev->data->mac_addrs == NULL) {
		rte_eth_dev_release_port(dev);
		return -ENOMEM;
	}
	rte_eth_macaddr_get(sub, dev->data->mac_addrs);
	dev->dev_ops = &wrap_ops;
	dev->rx_pkt_burst = wrap_rx;
	dev->tx_pkt_burst = wrap_tx;
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
wrap_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	rte_eth_dev_close(dev->data->port_id);
	return 0;
}

static struct rte_vdev_driver wrap_driver = {
	.probe = wrap_probe,
	.remove = wrap_remove,
};

RTE_PMD_REGISTER_VDEV(net_fobench_call, wrap_driver);
