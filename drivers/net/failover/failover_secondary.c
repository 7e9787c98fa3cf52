/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Secondary processes. The port's data, its fo_priv and its queues are in
 * shared memory, but every function pointer there (the queues' slots, the
 * lib/failover instance, alarms, callbacks) and the control lock belong to
 * the primary. A secondary attaches to the primary's port and gets:
 *  - burst functions of its own (failover_rxtx.c: the sub-ports by port id
 *    from the published word, with the marks the grace period waits for);
 *  - getters that read shared memory only (queue info, link, xstat names);
 *  - getters the primary answers (device info, stats, xstats, firmware
 *    version, flow control, burst modes): a request over EAL's
 *    multi-process channel naming a buffer of shared memory, served by the
 *    primary's own op in its alarm thread (never in its IPC thread, which
 *    must stay free to read the replies of its own requests);
 *  - for every other op of fo_ops, a refusal (-ENOTSUP) with a log line
 *    naming the op: settings, start/stop, queues, flows and interrupts are
 *    the primary's.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <bus_vdev_driver.h>

#include "failover_private.h"

#define FO_MP_NAME "net_failover_mp"
#define FO_MP_TIMEOUT_S 5

/* What a secondary asks the primary. */
enum fo_mp_op {
	FO_MP_INFO,         /* dev_infos_get */
	FO_MP_STATS,        /* stats_get */
	FO_MP_XSTATS,       /* xstats_get */
	FO_MP_FW_VERSION,   /* fw_version_get */
	FO_MP_FLOW_CTRL,    /* flow_ctrl_get */
	FO_MP_RX_MODE,      /* rx_burst_mode_get */
	FO_MP_TX_MODE,      /* tx_burst_mode_get */
	FO_MP_NB,
};

static const char *const fo_mp_op_name[FO_MP_NB] = {
	[FO_MP_INFO] = "dev_infos_get",
	[FO_MP_STATS] = "stats_get",
	[FO_MP_XSTATS] = "xstats_get",
	[FO_MP_FW_VERSION] = "fw_version_get",
	[FO_MP_FLOW_CTRL] = "flow_ctrl_get",
	[FO_MP_RX_MODE] = "rx_burst_mode_get",
	[FO_MP_TX_MODE] = "tx_burst_mode_get",
};

/* The request: buf is shared memory (rte_malloc), the same address in both. */
struct fo_mp_req {
	uint32_t op;        /* enum fo_mp_op */
	uint16_t port;
	uint16_t qid;
	uint32_t len;       /* bytes of buf (xstats: entries) */
	void *buf;
};

struct fo_mp_rep {
	int32_t ret;
};

/* A request the primary serves later, in its alarm thread. */
struct fo_mp_job {
	struct fo_mp_req req;
	char *peer;
};

int
fo_sec_refuse(const struct rte_eth_dev *dev, const char *what)
{
	FO_LOG(ERR, "%s: %s: not possible in a secondary process, must be done in the primary",
	       dev->data->name, what);
	return -ENOTSUP;
}

/* -- the primary's side */

static int
fo_mp_run(const struct fo_mp_req *r)
{
	struct rte_eth_dev *dev = fo_port_dev(r->port, &fo_ops);

	if (dev == NULL)
		return -ENODEV;
	switch (r->op) {
	case FO_MP_INFO:
		if (r->len != sizeof(struct rte_eth_dev_info))
			return -EINVAL;
		return fo_ops.dev_infos_get(dev, r->buf);
	case FO_MP_STATS:
		if (r->len != sizeof(struct rte_eth_stats))
			return -EINVAL;
		return fo_ops.stats_get(dev, r->buf);
	case FO_MP_XSTATS:
		return fo_ops.xstats_get(dev, r->buf, r->len);
	case FO_MP_FW_VERSION:
		return fo_ops.fw_version_get(dev, r->buf, r->len);
	case FO_MP_FLOW_CTRL:
		if (r->len != sizeof(struct rte_eth_fc_conf))
			return -EINVAL;
		return fo_ops.flow_ctrl_get(dev, r->buf);
	case FO_MP_RX_MODE:
		if (r->qid >= dev->data->nb_rx_queues || r->len != sizeof(struct rte_eth_burst_mode))
			return -EINVAL;
		return fo_ops.rx_burst_mode_get(dev, r->qid, r->buf);
	case FO_MP_TX_MODE:
		if (r->qid >= dev->data->nb_tx_queues || r->len != sizeof(struct rte_eth_burst_mode))
			return -EINVAL;
		return fo_ops.tx_burst_mode_get(dev, r->qid, r->buf);
	default:
		return -EINVAL;
	}
}

static void
fo_mp_reply(const char *peer, int ret)
{
	struct rte_mp_msg msg;
	struct fo_mp_rep rep = { .ret = ret };

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, FO_MP_NAME, sizeof(msg.name));
	msg.len_param = sizeof(rep);
	memcpy(msg.param, &rep, sizeof(rep));
	if (rte_mp_reply(&msg, peer) < 0)
		FO_LOG(WARNING, "reply to a secondary process failed: %s",
		       rte_strerror(rte_errno));
}

static void
fo_mp_serve(void *arg)
{
	struct fo_mp_job *job = arg;

	fo_mp_reply(job->peer, fo_mp_run(&job->req));
	free(job->peer);
	free(job);
}

static int
fo_mp_handle(const struct rte_mp_msg *msg, const void *peer)
{
	struct fo_mp_job *job;

	if (msg->len_param != sizeof(struct fo_mp_req)) {
		fo_mp_reply(peer, -EINVAL);
		return 0;
	}
	job = calloc(1, sizeof(*job));
	if (job != NULL)
		job->peer = strdup(peer);
	if (job == NULL || job->peer == NULL) {
		free(job);
		fo_mp_reply(peer, -ENOMEM);
		return 0;
	}
	memcpy(&job->req, msg->param, sizeof(job->req));
	/* ops take the control lock: not in the IPC thread (see the top) */
	if (rte_eal_alarm_set(1, fo_mp_serve, job) != 0) {
		fo_mp_reply(peer, -ENOMEM);
		free(job->peer);
		free(job);
	}
	return 0;
}

/* In the primary, at a probe: answer secondaries (once per process). */
void
fo_mp_init(void)
{
	static bool done;

	if (done)
		return;
	if (rte_mp_action_register(FO_MP_NAME, fo_mp_handle) == 0 || rte_errno == EEXIST)
		done = true;
	else if (rte_errno == ENOTSUP)
		FO_LOG(DEBUG, "no multi-process channel: no secondary process can attach");
	else
		FO_LOG(WARNING, "multi-process action not registered: %s",
		       rte_strerror(rte_errno));
}

/* -- the secondary's side */

/* Have the primary run op into buf (len bytes, copied both ways). */
static int
fo_sec_ask(struct rte_eth_dev *dev, enum fo_mp_op op, uint16_t qid, void *buf,
	   size_t len, uint32_t n)
{
	struct timespec ts = { .tv_sec = FO_MP_TIMEOUT_S };
	struct fo_mp_req req = { .op = op, .port = dev->data->port_id, .qid = qid, .len = n };
	struct rte_mp_reply reply = { 0 };
	struct rte_mp_msg msg;
	struct fo_mp_rep rep;
	int ret;

	req.buf = rte_malloc("failover_mp", len, 0);
	if (req.buf == NULL)
		return -ENOMEM;
	memcpy(req.buf, buf, len);
	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, FO_MP_NAME, sizeof(msg.name));
	msg.len_param = sizeof(req);
	memcpy(msg.param, &req, sizeof(req));
	if (rte_mp_request_sync(&msg, &reply, &ts) != 0 || reply.nb_received != 1 ||
	    reply.msgs[0].len_param != sizeof(rep)) {
		FO_LOG(ERR, "%s: %s: the primary process did not answer", dev->data->name,
		       fo_mp_op_name[op]);
		ret = -EIO;
	} else {
		memcpy(&rep, reply.msgs[0].param, sizeof(rep));
		ret = rep.ret;
		if (ret >= 0)
			memcpy(buf, req.buf, len);
	}
	free(reply.msgs);
	rte_free(req.buf);
	return ret;
}

/* Getters of shared memory only: the primary's own functions, run here. */
static void
fo_sec_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *info)
{
	fo_ops.rxq_info_get(dev, qid, info);
}

static void
fo_sec_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *info)
{
	fo_ops.txq_info_get(dev, qid, info);
}

static int
fo_sec_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			unsigned int size)
{
	return fo_ops.xstats_get_names(dev, names, size);
}

static int
fo_sec_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	return fo_sec_ask(dev, FO_MP_INFO, 0, info, sizeof(*info), sizeof(*info));
}

static int
fo_sec_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	return fo_sec_ask(dev, FO_MP_STATS, 0, stats, sizeof(*stats), sizeof(*stats));
}

static int
fo_sec_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	int nb = fo_sec_xstats_get_names(dev, NULL, 0);

	if (xstats == NULL || n < (unsigned int)nb)
		return nb;
	return fo_sec_ask(dev, FO_MP_XSTATS, 0, xstats, nb * sizeof(*xstats), nb);
}

static int
fo_sec_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t fw_size)
{
	return fo_sec_ask(dev, FO_MP_FW_VERSION, 0, fw, fw_size, fw_size);
}

static int
fo_sec_flow_ctrl_get(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc)
{
	return fo_sec_ask(dev, FO_MP_FLOW_CTRL, 0, fc, sizeof(*fc), sizeof(*fc));
}

static int
fo_sec_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *m)
{
	return fo_sec_ask(dev, FO_MP_RX_MODE, qid, m, sizeof(*m), sizeof(*m));
}

static int
fo_sec_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *m)
{
	return fo_sec_ask(dev, FO_MP_TX_MODE, qid, m, sizeof(*m), sizeof(*m));
}

/* The primary keeps dev->data->dev_link (shared): nothing to refresh here. */
static int
fo_sec_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(wait_to_complete);
	return 0;
}

/* This process lets go of the port; the primary's stays as it is. */
static void fo_sec_put(void);

static int
fo_sec_close(struct rte_eth_dev *dev)
{
	FO_LOG(INFO, "%s: detached from this secondary process", dev->data->name);
	fo_sec_put();
	return 0;
}

/* Refusals: one function per op, named in the log line. */
#define FO_SEC_NO(op, ...) \
	static int \
	fo_sec_no_##op(struct rte_eth_dev *dev, ##__VA_ARGS__) \
	{ \
		return fo_sec_refuse(dev, #op); \
	}

FO_SEC_NO(dev_configure)
FO_SEC_NO(dev_start)
FO_SEC_NO(dev_stop)
FO_SEC_NO(dev_set_link_up)
FO_SEC_NO(dev_set_link_down)
FO_SEC_NO(promiscuous_enable)
FO_SEC_NO(promiscuous_disable)
FO_SEC_NO(allmulticast_enable)
FO_SEC_NO(allmulticast_disable)
FO_SEC_NO(mac_addr_set, struct rte_ether_addr *a __rte_unused)
FO_SEC_NO(mac_addr_add, struct rte_ether_addr *a __rte_unused, uint32_t i __rte_unused,
	  uint32_t pool __rte_unused)
FO_SEC_NO(set_mc_addr_list, struct rte_ether_addr *mc __rte_unused, uint32_t nb __rte_unused)
FO_SEC_NO(mtu_set, uint16_t mtu __rte_unused)
FO_SEC_NO(vlan_filter_set, uint16_t vlan __rte_unused, int on __rte_unused)
FO_SEC_NO(vlan_offload_set, int mask __rte_unused)
FO_SEC_NO(vlan_tpid_set, enum rte_vlan_type t __rte_unused, uint16_t tpid __rte_unused)
FO_SEC_NO(rss_hash_update, struct rte_eth_rss_conf *c __rte_unused)
FO_SEC_NO(rss_hash_conf_get, struct rte_eth_rss_conf *c __rte_unused)
FO_SEC_NO(reta_update, struct rte_eth_rss_reta_entry64 *r __rte_unused,
	  uint16_t size __rte_unused)
FO_SEC_NO(reta_query, struct rte_eth_rss_reta_entry64 *r __rte_unused,
	  uint16_t size __rte_unused)
FO_SEC_NO(rx_queue_setup, uint16_t qid __rte_unused, uint16_t nb __rte_unused,
	  unsigned int socket __rte_unused, const struct rte_eth_rxconf *c __rte_unused,
	  struct rte_mempool *mp __rte_unused)
FO_SEC_NO(tx_queue_setup, uint16_t qid __rte_unused, uint16_t nb __rte_unused,
	  unsigned int socket __rte_unused, const struct rte_eth_txconf *c __rte_unused)
FO_SEC_NO(stats_reset)
FO_SEC_NO(xstats_reset)
FO_SEC_NO(flow_ctrl_set, struct rte_eth_fc_conf *fc __rte_unused)
FO_SEC_NO(rx_queue_intr_enable, uint16_t qid __rte_unused)
FO_SEC_NO(rx_queue_intr_disable, uint16_t qid __rte_unused)
FO_SEC_NO(flow_ops_get, const struct rte_flow_ops **ops __rte_unused)
FO_SEC_NO(dev_reset)
FO_SEC_NO(rx_queue_start, uint16_t qid __rte_unused)
FO_SEC_NO(rx_queue_stop, uint16_t qid __rte_unused)
FO_SEC_NO(tx_queue_start, uint16_t qid __rte_unused)
FO_SEC_NO(tx_queue_stop, uint16_t qid __rte_unused)
FO_SEC_NO(get_reg, struct rte_dev_reg_info *info __rte_unused)
FO_SEC_NO(get_module_info, struct rte_eth_dev_module_info *info __rte_unused)
FO_SEC_NO(get_module_eeprom, struct rte_dev_eeprom_info *info __rte_unused)

static void
fo_sec_no_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	RTE_SET_USED(index);
	fo_sec_refuse(dev, "mac_addr_remove");
}

static void
fo_sec_no_vlan_strip_queue_set(struct rte_eth_dev *dev, uint16_t qid, int on)
{
	RTE_SET_USED(qid);
	RTE_SET_USED(on);
	fo_sec_refuse(dev, "vlan_strip_queue_set");
}

/* No list in a secondary: ethdev then reports no packet type. */
static const uint32_t *
fo_sec_no_dev_supported_ptypes_get(struct rte_eth_dev *dev)
{
	fo_sec_refuse(dev, "dev_supported_ptypes_get");
	return NULL;
}

/*
 * Every op of fo_ops has its entry here (the features suite checks it):
 * served, or refused by name (also those of ops fo_ops may gain: queue
 * start/stop, reset, registers, module EEPROM). rx/tx_queue_release stay
 * NULL: ethdev calls them only from configure and queue set-up, refused
 * here.
 */
const struct eth_dev_ops fo_sec_ops = {
	.dev_configure = fo_sec_no_dev_configure,
	.dev_start = fo_sec_no_dev_start,
	.dev_stop = fo_sec_no_dev_stop,
	.dev_close = fo_sec_close,
	.dev_infos_get = fo_sec_infos_get,
	.link_update = fo_sec_link_update,
	.promiscuous_enable = fo_sec_no_promiscuous_enable,
	.promiscuous_disable = fo_sec_no_promiscuous_disable,
	.allmulticast_enable = fo_sec_no_allmulticast_enable,
	.allmulticast_disable = fo_sec_no_allmulticast_disable,
	.mac_addr_set = fo_sec_no_mac_addr_set,
	.mac_addr_add = fo_sec_no_mac_addr_add,
	.mac_addr_remove = fo_sec_no_mac_addr_remove,
	.set_mc_addr_list = fo_sec_no_set_mc_addr_list,
	.mtu_set = fo_sec_no_mtu_set,
	.vlan_filter_set = fo_sec_no_vlan_filter_set,
	.rss_hash_update = fo_sec_no_rss_hash_update,
	.rss_hash_conf_get = fo_sec_no_rss_hash_conf_get,
	.reta_update = fo_sec_no_reta_update,
	.reta_query = fo_sec_no_reta_query,
	.rx_queue_setup = fo_sec_no_rx_queue_setup,
	.tx_queue_setup = fo_sec_no_tx_queue_setup,
	.rx_queue_release = NULL,
	.tx_queue_release = NULL,
	.rxq_info_get = fo_sec_rxq_info_get,
	.txq_info_get = fo_sec_txq_info_get,
	.stats_get = fo_sec_stats_get,
	.stats_reset = fo_sec_no_stats_reset,
	.xstats_get = fo_sec_xstats_get,
	.xstats_get_names = fo_sec_xstats_get_names,
	.xstats_reset = fo_sec_no_xstats_reset,
	.dev_set_link_up = fo_sec_no_dev_set_link_up,
	.dev_set_link_down = fo_sec_no_dev_set_link_down,
	.rx_burst_mode_get = fo_sec_rx_burst_mode_get,
	.tx_burst_mode_get = fo_sec_tx_burst_mode_get,
	.dev_supported_ptypes_get = fo_sec_no_dev_supported_ptypes_get,
	.vlan_offload_set = fo_sec_no_vlan_offload_set,
	.vlan_strip_queue_set = fo_sec_no_vlan_strip_queue_set,
	.vlan_tpid_set = fo_sec_no_vlan_tpid_set,
	.flow_ctrl_get = fo_sec_flow_ctrl_get,
	.flow_ctrl_set = fo_sec_no_flow_ctrl_set,
	.fw_version_get = fo_sec_fw_version_get,
	.tx_done_cleanup = fo_sec_tx_done_cleanup,
	.rx_queue_intr_enable = fo_sec_no_rx_queue_intr_enable,
	.rx_queue_intr_disable = fo_sec_no_rx_queue_intr_disable,
	.flow_ops_get = fo_sec_no_flow_ops_get,
	.dev_reset = fo_sec_no_dev_reset,
	.rx_queue_start = fo_sec_no_rx_queue_start,
	.rx_queue_stop = fo_sec_no_rx_queue_stop,
	.tx_queue_start = fo_sec_no_tx_queue_start,
	.tx_queue_stop = fo_sec_no_tx_queue_stop,
	.get_reg = fo_sec_no_get_reg,
	.get_module_info = fo_sec_no_get_module_info,
	.get_module_eeprom = fo_sec_no_get_module_eeprom,
};

/*
 * A port released in this process (a sub-device EAL detaches here before
 * the primary has taken it off the path): off the paths of this process's
 * bursts before ethdev resets its burst functions; back when attached.
 */
static int
fo_sec_event(uint16_t port, enum rte_eth_event_type ev, void *arg, void *param)
{
	struct rte_eth_dev *dev;
	uint16_t p;

	RTE_SET_USED(arg);
	RTE_SET_USED(param);
	fo_sec_port_mark(port, ev == RTE_ETH_EVENT_DESTROY);
	if (ev != RTE_ETH_EVENT_DESTROY)
		return 0;
	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		dev = &rte_eth_devices[p];
		if (p != port && dev->state != RTE_ETH_DEV_UNUSED && dev->dev_ops == &fo_sec_ops)
			fo_sec_quiesce(dev->data);
	}
	return 0;
}

/* Failover ports attached in this process: the event callbacks while any. */
static unsigned int fo_sec_nb;

static int
fo_sec_events(bool on)
{
	static const enum rte_eth_event_type ev[] = {
		RTE_ETH_EVENT_NEW, RTE_ETH_EVENT_DESTROY,
	};
	unsigned int i;
	int ret = 0;

	for (i = 0; i < RTE_DIM(ev) && ret == 0; i++)
		ret = on ? rte_eth_dev_callback_register(RTE_ETH_ALL, ev[i], fo_sec_event, NULL) :
		      rte_eth_dev_callback_unregister(RTE_ETH_ALL, ev[i], fo_sec_event, NULL);
	if (ret != 0 && on)
		fo_sec_events(false);
	return ret;
}

static void
fo_sec_put(void)
{
	if (fo_sec_nb > 0 && --fo_sec_nb == 0)
		fo_sec_events(false);
}

/* Probe in a secondary process: attach to the primary's port. */
int
fo_sec_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev = rte_eth_dev_attach_secondary(name);
	int ret;

	if (dev == NULL) {
		FO_LOG(ERR, "%s: no such port in the primary process", name);
		return -ENODEV;
	}
	if (fo_sec_nb == 0) {
		ret = fo_sec_events(true);
		if (ret != 0) {
			FO_LOG(ERR, "%s: ethdev event callbacks not registered: %d", name, ret);
			rte_eth_dev_release_port(dev);
			return ret;
		}
	}
	fo_sec_nb++;
	dev->dev_ops = &fo_sec_ops;
	dev->device = &vdev->device;
	dev->rx_pkt_burst = fo_sec_rx_burst;
	dev->tx_pkt_burst = fo_sec_tx_burst;
	dev->tx_pkt_prepare = fo_sec_tx_prepare;
	rte_eth_dev_probing_finish(dev);
	FO_LOG(INFO, "%s: port %u attached in a secondary process (bursts, info, stats;"
	       " settings are the primary's)", name, dev->data->port_id);
	return 0;
}

int
fo_sec_remove(struct rte_eth_dev *dev)
{
	if (dev->state == RTE_ETH_DEV_UNUSED)
		return 0;   /* closed already: released then */
	fo_sec_put();
	return rte_eth_dev_release_port(dev);
}

/* A failover port attached in this secondary process, or NULL. */
struct fo_priv *
fo_sec_priv(uint16_t port_id)
{
	struct rte_eth_dev *dev = fo_port_dev(port_id, &fo_sec_ops);

	return dev != NULL ? fo_priv(dev) : NULL;
}
