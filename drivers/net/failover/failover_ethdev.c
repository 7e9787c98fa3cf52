/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_failover: probe/remove, the public API and the driver registration.
 */

#include <errno.h>

#include <rte_malloc.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "failover_private.h"

RTE_LOG_REGISTER_DEFAULT(failover_logtype, NOTICE);

static int
fo_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;
	struct fo_priv *priv;
	struct fo_args args;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return fo_sec_probe(vdev);
	ret = fo_args_parse(rte_vdev_device_args(vdev), &args);
	if (ret != 0)
		return ret;
	dev = rte_eth_vdev_allocate(vdev, sizeof(*priv));
	if (dev == NULL) {
		fo_args_free(&args);
		return -ENOMEM;
	}
	priv = fo_priv(dev);
	priv->dev = dev;
	priv->args = args;
	fo_intr_init(priv);
	dev->data->mac_addrs = rte_zmalloc_socket(name,
			FO_MAX_MAC_ADDRS * sizeof(struct rte_ether_addr), 0,
			rte_socket_id());
	if (dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	if (args.mac_set)
		dev->data->mac_addrs[0] = args.mac;
	dev->dev_ops = &fo_ops;
	dev->rx_pkt_burst = priv->args.rx_port_keep ? fo_rx_burst_keep_port : fo_rx_burst;
	dev->tx_pkt_burst = fo_tx_burst;
	dev->tx_pkt_prepare = fo_tx_prepare;
	dev->rx_queue_count = fo_rx_queue_count;
	dev->rx_descriptor_status = fo_rx_descriptor_status;
	dev->tx_descriptor_status = fo_tx_descriptor_status;
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	ret = fo_events_init(priv);
	if (ret != 0)
		goto fail;
	fo_mp_init();
	rte_eth_dev_probing_finish(dev);
	FO_LOG(INFO, "%s: port %u probed", name, dev->data->port_id);
	return 0;
fail:
	fo_args_free(&priv->args);
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
fo_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	uint16_t port;

	if (dev == NULL)
		return 0;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return fo_sec_remove(dev);
	port = dev->data->port_id;
	/*
	 * This is EAL's clean-up walk of the vdev bus or a hot-unplug, which
	 * cannot be told apart; the walk holds the next device of the list,
	 * maybe one of our sub-devices, so they are left on the bus (the walk
	 * removes them next; after a hot-unplug, our next probe does).
	 */
	fo_priv(dev)->in_remove = true;
	/* ethdev closes no started port: stopped first (else nothing is freed) */
	if (dev->data->dev_started && rte_eth_dev_stop(port) != 0)
		FO_LOG(WARNING, "%s: stop before remove failed", dev->data->name);
	return rte_eth_dev_close(port);
}

/* The failover port's private data, or NULL if port_id is not one. */
struct fo_priv *
fo_port_priv(uint16_t port_id)
{
	struct rte_eth_dev *dev = fo_port_dev(port_id, &fo_ops);

	return dev != NULL ? fo_priv(dev) : NULL;
}

/* The failover port's private data in this process, primary or secondary. */
static struct fo_priv *
fo_api_priv(uint16_t port_id)
{
	return rte_eal_process_type() == RTE_PROC_PRIMARY ? fo_port_priv(port_id) :
							     fo_sec_priv(port_id);
}

int
rte_pmd_failover_sub_port(uint16_t port_id, enum rte_pmd_failover_role role,
			  uint16_t *sub_port_id)
{
	bool primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	struct fo_priv *priv = fo_api_priv(port_id);
	uint16_t port;

	if (priv == NULL)
		return -ENODEV;
	if ((role != FO_PRIMARY && role != FO_STANDBY) || sub_port_id == NULL)
		return -EINVAL;
	if (primary) {
		fo_lock(priv);
		port = priv->sub[role].port_id;
		fo_unlock(priv);
	} else {
		/* the control lock is the primary's: a plain reading */
		port = __atomic_load_n(&priv->sub[role].port_id, __ATOMIC_ACQUIRE);
	}
	if (port == FO_NO_PORT)
		return -ENODEV;
	*sub_port_id = port;
	return 0;
}

int
rte_pmd_failover_active_path(uint16_t port_id)
{
	struct fo_priv *priv = fo_api_priv(port_id);

	if (priv == NULL)
		return -ENODEV;
	return __atomic_load_n(&priv->fp.role, __ATOMIC_ACQUIRE);
}

int
rte_pmd_failover_primary_leave(uint16_t port_id)
{
	struct fo_priv *priv = fo_port_priv(port_id);
	struct fo_sub *s;
	int ret = 0;

	if (priv == NULL && fo_sec_priv(port_id) != NULL)
		return fo_sec_refuse(&rte_eth_devices[port_id], "rte_pmd_failover_primary_leave");
	if (priv == NULL)
		return -ENODEV;
	fo_lock(priv);
	s = &priv->sub[FO_PRIMARY];
	if (priv->closing || fo_sub_state(s) == FO_SUB_ABSENT) {
		ret = -ENOENT;
	} else {
		__atomic_fetch_or(&s->ev, FO_EV_LEAVE, __ATOMIC_ACQ_REL);
		fo_sync(priv);
	}
	fo_unlock(priv);
	return ret;
}

static struct rte_vdev_driver fo_vdev_driver = {
	.probe = fo_probe,
	.remove = fo_remove,
};

RTE_PMD_REGISTER_VDEV(net_failover, fo_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_failover,
	"primary=<name>|(<device string>) "
	"standby=<name>|(<device string>) "
	"mac=<xx:xx:xx:xx:xx:xx> "
	"link_poll_ms=<0-10000> "
	"rx_port_rewrite=<0|1> "
	"rx_idle_poll_us=<100-1000000> "
	"hotplug=<off|named|mac> "
	"hotplug_timeout_ms=<0-600000> "
	"adopt_delay_ms=<0-10000> "
	"flow_partial=<0|1>");
