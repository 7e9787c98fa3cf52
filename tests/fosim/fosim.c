/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_fosim: fault-injection / VF-simulator PMD for unit tests.
 *
 * Every control op is counted and can be made to fail with -EIO; the
 * limits and capabilities it reports come from devargs; link changes and
 * surprise removal raise LSC / RMV events from the EAL interrupt thread,
 * like a real device's interrupt handler would.  The datapath is one
 * rte_ring per queue: the test injects what rx_burst returns and
 * collects what tx_burst sent.
 */

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_spinlock.h>
#include <rte_string_fns.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_flow_driver.h>
#include <bus_vdev_driver.h>

#include "fosim.h"

/* Set by DPDK's own build for its drivers, not for out-of-tree ones. */
#ifndef RTE_LOG_DEFAULT_LOGTYPE
#define RTE_LOG_DEFAULT_LOGTYPE pmd.net
#endif
RTE_LOG_REGISTER_SUFFIX(fosim_logtype, fosim, NOTICE);

#define FOSIM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, fosim_logtype, "fosim: " fmt "\n", \
		##__VA_ARGS__)

#define FOSIM_RING_SIZE 1024
#define FOSIM_MAX_MACS 16
#define FOSIM_MAX_MC 128
#define FOSIM_KEY_MAX 64
#define FOSIM_RETA_MAX RTE_ETH_RSS_RETA_SIZE_512
#define FOSIM_FAIL_STR_MAX 256
#define FOSIM_MAX_PTYPES 16
#define FOSIM_FLOW_MAX 64
#define FOSIM_FLOW_DEFAULT 16

/* The packet types a port may report: devarg ptypes= picks them by bit. */
static const uint32_t fosim_all_ptypes[] = {
	RTE_PTYPE_L2_ETHER, RTE_PTYPE_L2_ETHER_VLAN, RTE_PTYPE_L2_ETHER_QINQ,
	RTE_PTYPE_L3_IPV4, RTE_PTYPE_L3_IPV4_EXT_UNKNOWN, RTE_PTYPE_L3_IPV6,
	RTE_PTYPE_L3_IPV6_EXT_UNKNOWN, RTE_PTYPE_L4_TCP, RTE_PTYPE_L4_UDP,
	RTE_PTYPE_L4_SCTP, RTE_PTYPE_L4_ICMP, RTE_PTYPE_L4_FRAG,
	RTE_PTYPE_TUNNEL_VXLAN, RTE_PTYPE_TUNNEL_GRE,
};

/*
 * Ops that can be told to fail come first, so that an op's enum value is
 * also its bit in the fail mask; the others are only counted.
 */
#define FOSIM_FAILABLE_OPS(X) \
	X(CONFIGURE, configure) X(START, start) X(STOP, stop) X(MTU, mtu) \
	X(PROMISC, promisc) X(ALLMULTI, allmulti) X(MAC_SET, mac_set) \
	X(MAC_ADD, mac_add) X(MC_LIST, mc_list) X(VLAN_FILTER, vlan_filter) \
	X(RSS_UPDATE, rss_update) X(RETA_UPDATE, reta_update) \
	X(RXQ_SETUP, rxq_setup) X(TXQ_SETUP, txq_setup) \
	X(LINK_UP, link_up) X(LINK_DOWN, link_down) \
	X(VLAN_OFFLOAD, vlan_offload) X(VLAN_TPID, vlan_tpid) \
	X(FLOW_CTRL, flow_ctrl) \
	X(FLOW_VALIDATE, flow_validate) X(FLOW_CREATE, flow_create) \
	X(FLOW_DESTROY, flow_destroy) X(FLOW_FLUSH, flow_flush) \
	X(FLOW_QUERY, flow_query) X(FLOW_ISOLATE, flow_isolate) \
	X(RXQ_START, rxq_start) X(RXQ_STOP, rxq_stop) \
	X(TXQ_START, txq_start) X(TXQ_STOP, txq_stop) X(RESET, reset) \
	X(MODULE_INFO, module_info) X(MODULE_EEPROM, module_eeprom) \
	X(REGS, regs)
#define FOSIM_COUNTED_OPS(X) \
	X(CLOSE, close) X(INFOS_GET, infos_get) X(LINK_UPDATE, link_update) \
	X(MAC_REMOVE, mac_remove) X(RSS_GET, rss_get) \
	X(RETA_QUERY, reta_query) X(RXQ_RELEASE, rxq_release) \
	X(TXQ_RELEASE, txq_release) X(STATS_GET, stats_get) \
	X(STATS_RESET, stats_reset) \
	X(BURST_MODE, burst_mode) X(PTYPES, ptypes) \
	X(VLAN_STRIP_Q, vlan_strip_q) X(FLOW_CTRL_GET, flow_ctrl_get) \
	X(FW_VERSION, fw_version) X(TX_CLEANUP, tx_cleanup)
#define FOSIM_OP_ENUM(e, s) FOSIM_OP_ ## e,
#define FOSIM_OP_NAME(e, s) #s,

enum fosim_op {
	FOSIM_FAILABLE_OPS(FOSIM_OP_ENUM)
	FOSIM_COUNTED_OPS(FOSIM_OP_ENUM)
	FOSIM_OP_NB
};
#define FOSIM_OP_NB_FAILABLE FOSIM_OP_CLOSE

static const char * const fosim_op_names[FOSIM_OP_NB] = {
	FOSIM_FAILABLE_OPS(FOSIM_OP_NAME)
	FOSIM_COUNTED_OPS(FOSIM_OP_NAME)
};

/* What the devargs set. */
struct fosim_conf {
	struct rte_ether_addr mac;
	uint64_t rx_capa;
	uint64_t tx_capa;
	uint64_t rss_capa;
	uint64_t fail;
	uint16_t max_rxq;
	uint16_t max_txq;
	uint16_t max_mtu;
	uint16_t min_mtu;
	uint16_t reta_size;
	uint16_t key_size;
	uint8_t lsc;
	uint8_t lsc_lost;
	uint8_t rmv;
	uint8_t link_up;
	uint8_t no_mac_set;
	uint8_t no_queue_ops;		/* no rx/tx_queue_start/stop, as virtio */
	uint8_t no_mac_remove;		/* no mac_addr_remove op */
	uint8_t no_deferred;		/* deferred start ignored, as most PMDs */
	uint8_t tx_sink;
	uint16_t ptypes;		/* bits of fosim_all_ptypes[] reported */
	uint16_t flow_max;		/* rules it holds at most; 0: no rte_flow */
	uint8_t flow_no_udp;		/* refuses the UDP item */
};

/* A rule of the flow engine (its handle is its address). */
struct fosim_rule {
	bool used;
	uint32_t seq;			/* creation order */
	struct fosim_flow_info info;
	uint64_t hits, bytes;
};

struct fosim_queue {
	struct rte_ring *ring;
	struct fosim_priv *priv;
	uint16_t port_id;
	uint8_t dead;			/* freed by its PMD: see fosim_dead_bursts() */
	uint8_t deferred;		/* set up with rx/tx_deferred_start */
	uint8_t stopped;		/* stopped: its bursts move nothing */
	uint64_t pkts;
	uint64_t bytes;
	struct fosim_queue *next_dead;
};

struct fosim_priv {
	struct eth_dev_ops ops;		/* per port: some ops may be absent */
	struct fosim_conf conf;
	uint64_t fail;			/* RTE_BIT64(enum fosim_op) */
	uint8_t link_up;
	uint8_t removed;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t nb_mc;
	uint64_t rss_hf;
	uint8_t rss_key[FOSIM_KEY_MAX];
	uint16_t reta[FOSIM_RETA_MAX];
	uint64_t vfta[(RTE_ETHER_MAX_VLAN_ID + 1) / 64];
	struct rte_ether_addr mc[FOSIM_MAX_MC];
	uint32_t ptypes[FOSIM_MAX_PTYPES + 1];	/* what ptypes_get returns */
	uint64_t strip_q;		/* rx queues with VLAN strip on */
	uint16_t tpid[RTE_ETH_VLAN_TYPE_MAX];
	struct rte_eth_fc_conf fc;
	struct fosim_rule rules[FOSIM_FLOW_MAX];
	uint32_t flow_seq;
	uint8_t isolated;
};

/*
 * Freed queues are kept, marked dead (their rings freed), until
 * fosim_graveyard_flush(): a burst that reaches one (a use after free in a
 * real PMD) is counted, not a crash (fosim_dead_bursts()).
 */
static struct fosim_queue *fosim_graveyard;
static rte_spinlock_t fosim_graveyard_lock = RTE_SPINLOCK_INITIALIZER;
static uint64_t fosim_dead;

/* Kept outside dev_private so that they survive rte_eth_dev_close(). */
static uint32_t fosim_counts[RTE_MAX_ETHPORTS][FOSIM_OP_NB];
static bool fosim_known[RTE_MAX_ETHPORTS];
/* fosim_rx_hold(): set by the test; rx bursts waiting inside the PMD. */
static uint8_t fosim_hold[RTE_MAX_ETHPORTS];
static uint32_t fosim_held[RTE_MAX_ETHPORTS];

static inline struct fosim_priv *
fosim_priv(const struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
fosim_op_lookup(const char *name, int nb)
{
	int i;

	for (i = 0; i < nb; i++)
		if (strcmp(name, fosim_op_names[i]) == 0)
			return i;
	return -1;
}

/* "mtu+promisc" -> bit mask; "" -> 0. */
static int
fosim_fail_mask(const char *ops, uint64_t *mask)
{
	char buf[FOSIM_FAIL_STR_MAX], *tok, *save = NULL;
	uint64_t m = 0;
	int op;

	if (rte_strscpy(buf, ops, sizeof(buf)) < 0)
		return -EINVAL;
	for (tok = strtok_r(buf, "+,", &save); tok != NULL;
	     tok = strtok_r(NULL, "+,", &save)) {
		op = fosim_op_lookup(tok, FOSIM_OP_NB_FAILABLE);
		if (op < 0) {
			FOSIM_LOG(ERR, "unknown op '%s' in fail list", tok);
			return -EINVAL;
		}
		m |= RTE_BIT64(op);
	}
	*mask = m;
	return 0;
}

/* Counts the call; -EIO if the op was told to fail. */
static int
fosim_op(struct rte_eth_dev *dev, enum fosim_op op)
{
	uint16_t port = dev->data->port_id;

	RTE_BUILD_BUG_ON(FOSIM_OP_NB_FAILABLE > 64);  /* the fail mask's bits */
	__atomic_fetch_add(&fosim_counts[port][op], 1, __ATOMIC_RELAXED);
	/* counted-only ops have no bit in the mask */
	if (op >= FOSIM_OP_NB_FAILABLE ||
	    (__atomic_load_n(&fosim_priv(dev)->fail, __ATOMIC_RELAXED) & RTE_BIT64(op)) == 0)
		return 0;
	FOSIM_LOG(DEBUG, "port %u: injected failure of %s", port,
		  fosim_op_names[op]);
	return -EIO;
}

/*
 * Events: raised from an EAL alarm so that the application's callback
 * runs on the interrupt thread.  The argument packs port and event.
 */
static void *
fosim_alarm_arg(uint16_t port_id, enum rte_eth_event_type ev)
{
	return (void *)(uintptr_t)((uint32_t)ev << 16 | port_id);
}

static void
fosim_alarm(void *arg)
{
	uintptr_t v = (uintptr_t)arg;

	rte_eth_dev_callback_process(&rte_eth_devices[v & UINT16_MAX],
				     (enum rte_eth_event_type)(v >> 16), NULL);
}

static int
fosim_raise(struct rte_eth_dev *dev, enum rte_eth_event_type ev)
{
	return rte_eal_alarm_set(1, fosim_alarm,
				 fosim_alarm_arg(dev->data->port_id, ev));
}

static int
fosim_link_sync(struct rte_eth_dev *dev)
{
	struct fosim_priv *p = fosim_priv(dev);
	bool up = __atomic_load_n(&p->link_up, __ATOMIC_RELAXED) &&
		  !__atomic_load_n(&p->removed, __ATOMIC_RELAXED);
	struct rte_eth_link link = {
		.link_speed = up ? RTE_ETH_SPEED_NUM_10G : RTE_ETH_SPEED_NUM_NONE,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	return rte_eth_linkstatus_set(dev, &link);
}

/* Datapath */

static void fosim_rx_wait(uint16_t port_id);

/* What an rx queue holds (rte_eth_rx_queue_count()); held as a burst is. */
static uint32_t
fosim_rx_queue_count(void *rxq)
{
	struct fosim_queue *q = rxq;

	if (unlikely(__atomic_load_n(&fosim_hold[q->port_id], __ATOMIC_ACQUIRE)))
		fosim_rx_wait(q->port_id);
	return rte_ring_count(q->ring);
}

/* Descriptor offset of an rx queue: filled (held in the ring) or free. */
static int
fosim_rx_descriptor_status(void *rxq, uint16_t offset)
{
	const struct fosim_queue *q = rxq;

	if (offset >= FOSIM_RING_SIZE)
		return -EINVAL;
	return offset < rte_ring_count(q->ring) ? RTE_ETH_RX_DESC_DONE : RTE_ETH_RX_DESC_AVAIL;
}

/* A tx descriptor is in use while what it holds is in the ring. */
static int
fosim_tx_descriptor_status(void *txq, uint16_t offset)
{
	const struct fosim_queue *q = txq;

	if (offset >= FOSIM_RING_SIZE)
		return -EINVAL;
	return offset < rte_ring_count(q->ring) ? RTE_ETH_TX_DESC_FULL : RTE_ETH_TX_DESC_DONE;
}

/* A burst that takes as long as the test wants: inside until released. */
static __rte_noinline void
fosim_rx_wait(uint16_t port_id)
{
	__atomic_fetch_add(&fosim_held[port_id], 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&fosim_hold[port_id], __ATOMIC_ACQUIRE))
		rte_pause();
	__atomic_fetch_sub(&fosim_held[port_id], 1, __ATOMIC_ACQ_REL);
}

static uint16_t
fosim_rx_burst(void *rxq, struct rte_mbuf **bufs, uint16_t nb_bufs)
{
	struct fosim_queue *q = rxq;
	unsigned int i, n;

	if (unlikely(__atomic_load_n(&q->dead, __ATOMIC_ACQUIRE))) {
		__atomic_fetch_add(&fosim_dead, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (unlikely(__atomic_load_n(&fosim_hold[q->port_id], __ATOMIC_ACQUIRE)))
		fosim_rx_wait(q->port_id);
	if (unlikely(__atomic_load_n(&q->stopped, __ATOMIC_RELAXED)))
		return 0;
	n = rte_ring_dequeue_burst(q->ring, (void **)bufs, nb_bufs, NULL);
	for (i = 0; i < n; i++) {
		bufs[i]->port = q->port_id;
		q->bytes += rte_pktmbuf_pkt_len(bufs[i]);
	}
	q->pkts += n;
	return n;
}

static uint16_t
fosim_tx_burst(void *txq, struct rte_mbuf **bufs, uint16_t nb_bufs)
{
	struct fosim_queue *q = txq;
	unsigned int i, n;
	uint64_t bytes = 0;

	if (unlikely(__atomic_load_n(&q->dead, __ATOMIC_ACQUIRE))) {
		__atomic_fetch_add(&fosim_dead, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (__atomic_load_n(&q->priv->removed, __ATOMIC_RELAXED) ||
	    unlikely(__atomic_load_n(&q->stopped, __ATOMIC_RELAXED)))
		return 0;
	/* Count before enqueueing: the collector may free them at once. */
	n = q->priv->conf.tx_sink ? nb_bufs : RTE_MIN(nb_bufs, rte_ring_free_count(q->ring));
	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(bufs[i]);
	if (q->priv->conf.tx_sink)  /* a wire: transmitted frames are gone */
		rte_pktmbuf_free_bulk(bufs, n);
	else
		n = rte_ring_enqueue_burst(q->ring, (void **)bufs, n, NULL);
	q->pkts += n;
	q->bytes += bytes;
	return n;
}

/* Queues */

static void
fosim_ring_drain(struct rte_ring *r)
{
	struct rte_mbuf *m[32];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, (void **)m, RTE_DIM(m),
					   NULL)) != 0)
		rte_pktmbuf_free_bulk(m, n);
}

static void
fosim_queue_free(void **slot)
{
	struct fosim_queue *q = *slot;

	if (q == NULL)
		return;
	/* dead first: a burst checks it before it touches the ring */
	__atomic_store_n(&q->dead, 1, __ATOMIC_RELEASE);
	fosim_ring_drain(q->ring);
	rte_ring_free(q->ring);
	q->ring = NULL;
	rte_spinlock_lock(&fosim_graveyard_lock);
	q->next_dead = fosim_graveyard;
	fosim_graveyard = q;
	rte_spinlock_unlock(&fosim_graveyard_lock);
	*slot = NULL;
}

uint64_t
fosim_dead_bursts(void)
{
	return __atomic_load_n(&fosim_dead, __ATOMIC_ACQUIRE);
}

void
fosim_graveyard_flush(void)
{
	struct fosim_queue *q, *next;

	rte_spinlock_lock(&fosim_graveyard_lock);
	q = fosim_graveyard;
	fosim_graveyard = NULL;
	rte_spinlock_unlock(&fosim_graveyard_lock);
	for (; q != NULL; q = next) {
		next = q->next_dead;
		rte_free(q);
	}
}

/* Sets up an rx or tx queue: a ring in place of a NIC's. */
static int
fosim_queue_setup(struct rte_eth_dev *dev, bool rx, uint16_t qid,
		  unsigned int socket_id, bool deferred)
{
	char name[RTE_RING_NAMESIZE];
	struct fosim_queue *q;
	int ret = fosim_op(dev, rx ? FOSIM_OP_RXQ_SETUP : FOSIM_OP_TXQ_SETUP);

	if (ret != 0)
		return ret;
	q = rte_zmalloc_socket("fosim_queue", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       (int)socket_id);
	if (q == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "fosim%u_%s%u", dev->data->port_id,
		 rx ? "rx" : "tx", qid);
	q->ring = rte_ring_create(name, FOSIM_RING_SIZE, (int)socket_id,
				  RING_F_EXACT_SZ);
	if (q->ring == NULL) {
		ret = -rte_errno;
		FOSIM_LOG(ERR, "cannot create ring %s: %s", name,
			  rte_strerror(rte_errno));
		rte_free(q);
		return ret;
	}
	q->priv = fosim_priv(dev);
	q->port_id = dev->data->port_id;
	q->deferred = deferred && !fosim_priv(dev)->conf.no_deferred;
	if (rx)
		dev->data->rx_queues[qid] = q;
	else
		dev->data->tx_queues[qid] = q;
	return 0;
}

static int
fosim_rxq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		unsigned int socket_id, const struct rte_eth_rxconf *conf,
		struct rte_mempool *mp)
{
	return fosim_queue_setup(dev, true, qid, socket_id, conf->rx_deferred_start);
}

static int
fosim_txq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	return fosim_queue_setup(dev, false, qid, socket_id, conf->tx_deferred_start);
}

static void
fosim_rxq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	fosim_op(dev, FOSIM_OP_RXQ_RELEASE);
	fosim_queue_free(&dev->data->rx_queues[qid]);
}

static void
fosim_txq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	fosim_op(dev, FOSIM_OP_TXQ_RELEASE);
	fosim_queue_free(&dev->data->tx_queues[qid]);
}

enum fosim_qact {
	FOSIM_Q_DRAIN,
	FOSIM_Q_FREE,
	FOSIM_Q_RESET,
};

static void
fosim_queues_do(void **qs, uint16_t n, enum fosim_qact act)
{
	struct fosim_queue *q;
	uint16_t i;

	for (i = 0; i < n; i++) {
		q = qs[i];
		if (q == NULL)
			continue;
		if (act == FOSIM_Q_DRAIN)
			fosim_ring_drain(q->ring);
		else if (act == FOSIM_Q_FREE)
			fosim_queue_free(&qs[i]);
		else
			q->pkts = q->bytes = 0;
	}
}

static void
fosim_queues(struct rte_eth_dev *dev, enum fosim_qact act)
{
	fosim_queues_do(dev->data->rx_queues, dev->data->nb_rx_queues, act);
	fosim_queues_do(dev->data->tx_queues, dev->data->nb_tx_queues, act);
}

/* Adds up one direction's counters; per queue for the first ones. */
static void
fosim_queues_stats(void **qs, uint16_t n, uint64_t *pkts, uint64_t *bytes,
		   uint64_t *q_pkts, uint64_t *q_bytes)
{
	struct fosim_queue *q;
	uint16_t i;

	for (i = 0; i < n; i++) {
		q = qs[i];
		if (q == NULL)
			continue;
		*pkts += q->pkts;
		*bytes += q->bytes;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			q_pkts[i] = q->pkts;
			q_bytes[i] = q->bytes;
		}
	}
}

/* Device ops */

static void
fosim_rss_init(struct fosim_priv *p, const struct rte_eth_conf *conf)
{
	const struct rte_eth_rss_conf *rss = &conf->rx_adv_conf.rss_conf;
	unsigned int i;

	p->rss_hf = rss->rss_hf;
	if (rss->rss_key != NULL)
		memcpy(p->rss_key, rss->rss_key,
		       RTE_MIN(rss->rss_key_len, p->conf.key_size));
	for (i = 0; i < p->conf.reta_size && p->nb_rxq != 0; i++)
		p->reta[i] = i % p->nb_rxq;
}

static int
fosim_configure(struct rte_eth_dev *dev)
{
	struct fosim_priv *p = fosim_priv(dev);
	int ret = fosim_op(dev, FOSIM_OP_CONFIGURE);

	if (ret != 0)
		return ret;
	p->nb_rxq = dev->data->nb_rx_queues;
	p->nb_txq = dev->data->nb_tx_queues;
	if (p->conf.reta_size != 0)
		fosim_rss_init(p, &dev->data->dev_conf);
	return 0;
}

/* A queue's state, as ethdev reads it, and the burst's flag. */
static void
fosim_queue_state(uint8_t *state, struct fosim_queue *q, bool on)
{
	*state = on ? RTE_ETH_QUEUE_STATE_STARTED : RTE_ETH_QUEUE_STATE_STOPPED;
	if (q != NULL)
		__atomic_store_n(&q->stopped, !on, __ATOMIC_RELAXED);
}

/* Every queue started but those set up with deferred start. */
static void
fosim_queues_start(struct rte_eth_dev *dev)
{
	struct rte_eth_dev_data *d = dev->data;
	struct fosim_queue *q;
	uint16_t i;

	for (i = 0; i < d->nb_rx_queues; i++) {
		q = d->rx_queues[i];
		fosim_queue_state(&d->rx_queue_state[i], q, q == NULL || !q->deferred);
	}
	for (i = 0; i < d->nb_tx_queues; i++) {
		q = d->tx_queues[i];
		fosim_queue_state(&d->tx_queue_state[i], q, q == NULL || !q->deferred);
	}
}

static int
fosim_start(struct rte_eth_dev *dev)
{
	int ret = fosim_op(dev, FOSIM_OP_START);

	if (ret == 0)
		fosim_queues_start(dev);
	return ret;
}

static int
fosim_queue_op(struct rte_eth_dev *dev, enum fosim_op op, uint16_t qid)
{
	bool rx = op == FOSIM_OP_RXQ_START || op == FOSIM_OP_RXQ_STOP;
	bool on = op == FOSIM_OP_RXQ_START || op == FOSIM_OP_TXQ_START;
	int ret = fosim_op(dev, op);

	if (ret != 0)
		return ret;
	if (rx) {
		fosim_queue_state(&dev->data->rx_queue_state[qid], dev->data->rx_queues[qid], on);
		if (!on && dev->data->rx_queues[qid] != NULL)  /* its ring reset, as a NIC's */
			fosim_ring_drain(((struct fosim_queue *)dev->data->rx_queues[qid])->ring);
	} else
		fosim_queue_state(&dev->data->tx_queue_state[qid], dev->data->tx_queues[qid], on);
	return 0;
}

/* Only the ring's size: ethdev adds the queue's state. */
static void
fosim_rxq_info(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *info)
{
	info->nb_desc = FOSIM_RING_SIZE;
}

static void
fosim_txq_info(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *info)
{
	info->nb_desc = FOSIM_RING_SIZE;
}

static int
fosim_rxq_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return fosim_queue_op(dev, FOSIM_OP_RXQ_START, qid);
}

static int
fosim_rxq_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return fosim_queue_op(dev, FOSIM_OP_RXQ_STOP, qid);
}

static int
fosim_txq_start(struct rte_eth_dev *dev, uint16_t qid)
{
	return fosim_queue_op(dev, FOSIM_OP_TXQ_START, qid);
}

static int
fosim_txq_stop(struct rte_eth_dev *dev, uint16_t qid)
{
	return fosim_queue_op(dev, FOSIM_OP_TXQ_STOP, qid);
}

static int
fosim_stop(struct rte_eth_dev *dev)
{
	struct rte_eth_dev_data *d = dev->data;
	int ret = fosim_op(dev, FOSIM_OP_STOP);
	uint16_t i;

	if (ret != 0)
		return ret;
	fosim_queues(dev, FOSIM_Q_DRAIN);
	for (i = 0; i < d->nb_rx_queues; i++)
		d->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < d->nb_tx_queues; i++)
		d->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
fosim_close(struct rte_eth_dev *dev)
{
	struct rte_eth_dev_data *d = dev->data;

	fosim_op(dev, FOSIM_OP_CLOSE);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	/*
	 * No event for a released port: drop pending ones, and wait for one
	 * being delivered (unless closed from its own callback).
	 */
	rte_eal_alarm_cancel(fosim_alarm,
			     fosim_alarm_arg(d->port_id, RTE_ETH_EVENT_INTR_LSC));
	rte_eal_alarm_cancel(fosim_alarm,
			     fosim_alarm_arg(d->port_id, RTE_ETH_EVENT_INTR_RMV));
	fosim_queues(dev, FOSIM_Q_FREE);
	memset(fosim_priv(dev)->rules, 0, sizeof(fosim_priv(dev)->rules));
	/* mac_addrs and dev_private are freed by rte_eth_dev_release_port() */
	return 0;
}

static int
fosim_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	const struct fosim_conf *c = &fosim_priv(dev)->conf;
	static const struct rte_eth_desc_lim lim = {
		.nb_max = 4096,
		.nb_min = 32,
		.nb_align = 1,
	};

	fosim_op(dev, FOSIM_OP_INFOS_GET);
	info->max_mac_addrs = FOSIM_MAX_MACS;
	info->max_rx_queues = c->max_rxq;
	info->max_tx_queues = c->max_txq;
	info->min_mtu = c->min_mtu;
	info->max_mtu = c->max_mtu;
	info->max_rx_pktlen = (uint32_t)c->max_mtu + RTE_ETHER_HDR_LEN +
			      RTE_ETHER_CRC_LEN;
	info->rx_offload_capa = c->rx_capa;
	info->tx_offload_capa = c->tx_capa;
	info->reta_size = c->reta_size;
	info->flow_type_rss_offloads = c->reta_size != 0 ? c->rss_capa : 0;
	info->hash_key_size = c->reta_size != 0 ? c->key_size : 0;
	info->rx_desc_lim = lim;
	info->tx_desc_lim = lim;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}

static int
fosim_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	fosim_op(dev, FOSIM_OP_LINK_UPDATE);
	return fosim_link_sync(dev);
}

static int
fosim_link_set(struct rte_eth_dev *dev, enum fosim_op op, uint8_t up)
{
	struct fosim_priv *p = fosim_priv(dev);
	int ret = fosim_op(dev, op);

	if (ret != 0)
		return ret;
	if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED))
		return -EIO;
	__atomic_store_n(&p->link_up, up, __ATOMIC_RELAXED);
	fosim_link_sync(dev);
	return 0;
}

static int
fosim_set_link_up(struct rte_eth_dev *dev)
{
	return fosim_link_set(dev, FOSIM_OP_LINK_UP, 1);
}

static int
fosim_set_link_down(struct rte_eth_dev *dev)
{
	return fosim_link_set(dev, FOSIM_OP_LINK_DOWN, 0);
}

static int
fosim_is_removed(struct rte_eth_dev *dev)
{
	return __atomic_load_n(&fosim_priv(dev)->removed, __ATOMIC_RELAXED);
}

/*
 * ethdev itself records promisc, allmulti, MTU and MAC addresses.  It
 * also replays MAC, promisc and allmulti settings at every
 * rte_eth_dev_start(): such replays (same mode again, or the address
 * ethdev already holds) are neither counted nor failed, so that fail=
 * and the counts are about what the application asked for.
 */
static int
fosim_mode_set(struct rte_eth_dev *dev, enum fosim_op op, uint8_t cur,
	       uint8_t want)
{
	return cur == want ? 0 : fosim_op(dev, op);
}

static int
fosim_promisc_enable(struct rte_eth_dev *dev)
{
	return fosim_mode_set(dev, FOSIM_OP_PROMISC, dev->data->promiscuous, 1);
}

static int
fosim_promisc_disable(struct rte_eth_dev *dev)
{
	return fosim_mode_set(dev, FOSIM_OP_PROMISC, dev->data->promiscuous, 0);
}

static int
fosim_allmulti_enable(struct rte_eth_dev *dev)
{
	return fosim_mode_set(dev, FOSIM_OP_ALLMULTI,
			      dev->data->all_multicast, 1);
}

static int
fosim_allmulti_disable(struct rte_eth_dev *dev)
{
	return fosim_mode_set(dev, FOSIM_OP_ALLMULTI,
			      dev->data->all_multicast, 0);
}

static int
fosim_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	return fosim_op(dev, FOSIM_OP_MTU);
}

static int
fosim_mac_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	if (addr == &dev->data->mac_addrs[0])
		return 0;
	return fosim_op(dev, FOSIM_OP_MAC_SET);
}

static int
fosim_mac_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr,
	      uint32_t index, uint32_t vmdq)
{
	if (addr == &dev->data->mac_addrs[index])
		return 0;
	return fosim_op(dev, FOSIM_OP_MAC_ADD);
}

static void
fosim_mac_remove(struct rte_eth_dev *dev, uint32_t index)
{
	fosim_op(dev, FOSIM_OP_MAC_REMOVE);
}

static int
fosim_mc_list_set(struct rte_eth_dev *dev, struct rte_ether_addr *list,
		  uint32_t nb)
{
	struct fosim_priv *p = fosim_priv(dev);
	int ret = fosim_op(dev, FOSIM_OP_MC_LIST);

	if (ret != 0)
		return ret;
	if (nb > FOSIM_MAX_MC)
		return -ENOSPC;
	if (nb != 0)
		memcpy(p->mc, list, nb * sizeof(*list));
	p->nb_mc = nb;
	return 0;
}

static int
fosim_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on)
{
	uint64_t *word, bit = RTE_BIT64(vlan_id % 64);
	int ret = fosim_op(dev, FOSIM_OP_VLAN_FILTER);

	if (ret != 0)
		return ret;
	if (vlan_id > RTE_ETHER_MAX_VLAN_ID)
		return -EINVAL;
	word = &fosim_priv(dev)->vfta[vlan_id / 64];
	*word = on ? *word | bit : *word & ~bit;
	return 0;
}

static int
fosim_rss_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	struct fosim_priv *p = fosim_priv(dev);
	int ret = fosim_op(dev, FOSIM_OP_RSS_UPDATE);

	if (ret != 0)
		return ret;
	if (rss->rss_key != NULL) {
		if (rss->rss_key_len != p->conf.key_size)
			return -EINVAL;
		memcpy(p->rss_key, rss->rss_key, p->conf.key_size);
	}
	p->rss_hf = rss->rss_hf;
	return 0;
}

static int
fosim_rss_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss)
{
	struct fosim_priv *p = fosim_priv(dev);

	fosim_op(dev, FOSIM_OP_RSS_GET);
	rss->rss_hf = p->rss_hf;
	if (rss->rss_key != NULL) {
		memcpy(rss->rss_key, p->rss_key, p->conf.key_size);
		rss->rss_key_len = p->conf.key_size;
	}
	return 0;
}

/* Copies the masked RETA entries one way or the other. */
static int
fosim_reta_copy(struct fosim_priv *p, struct rte_eth_rss_reta_entry64 *conf,
		uint16_t size, bool update)
{
	struct rte_eth_rss_reta_entry64 *e;
	unsigned int i, j;

	if (size != p->conf.reta_size)
		return -EINVAL;
	for (i = 0; i < size; i++) {
		e = &conf[i / RTE_ETH_RETA_GROUP_SIZE];
		j = i % RTE_ETH_RETA_GROUP_SIZE;
		if ((e->mask & RTE_BIT64(j)) == 0)
			continue;
		if (update)
			p->reta[i] = e->reta[j];
		else
			e->reta[j] = p->reta[i];
	}
	return 0;
}

static int
fosim_reta_update(struct rte_eth_dev *dev,
		  struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	int ret = fosim_op(dev, FOSIM_OP_RETA_UPDATE);

	return ret != 0 ? ret : fosim_reta_copy(fosim_priv(dev), conf, size,
						 true);
}

static int
fosim_reta_query(struct rte_eth_dev *dev,
		 struct rte_eth_rss_reta_entry64 *conf, uint16_t size)
{
	fosim_op(dev, FOSIM_OP_RETA_QUERY);
	return fosim_reta_copy(fosim_priv(dev), conf, size, false);
}

static int
fosim_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct rte_eth_dev_data *d = dev->data;

	fosim_op(dev, FOSIM_OP_STATS_GET);
	fosim_queues_stats(d->rx_queues, d->nb_rx_queues, &st->ipackets,
			   &st->ibytes, st->q_ipackets, st->q_ibytes);
	fosim_queues_stats(d->tx_queues, d->nb_tx_queues, &st->opackets,
			   &st->obytes, st->q_opackets, st->q_obytes);
	return 0;
}

static int
fosim_stats_reset(struct rte_eth_dev *dev)
{
	fosim_op(dev, FOSIM_OP_STATS_RESET);
	fosim_queues(dev, FOSIM_Q_RESET);
	return 0;
}

/* What rte_eth_*_burst_mode_get() report: which ring, by direction. */
static int
fosim_burst_mode(struct rte_eth_dev *dev, struct rte_eth_burst_mode *mode,
		 const char *dir)
{
	fosim_op(dev, FOSIM_OP_BURST_MODE);
	mode->flags = 0;
	snprintf(mode->info, sizeof(mode->info), "fosim ring %s", dir);
	return 0;
}

static int
fosim_rx_burst_mode(struct rte_eth_dev *dev, uint16_t qid,
		    struct rte_eth_burst_mode *mode)
{
	return fosim_burst_mode(dev, mode, "rx");
}

static int
fosim_tx_burst_mode(struct rte_eth_dev *dev, uint16_t qid,
		    struct rte_eth_burst_mode *mode)
{
	return fosim_burst_mode(dev, mode, "tx");
}

/* 22.11: an array the PMD keeps, ended by RTE_PTYPE_UNKNOWN. */
static const uint32_t *
fosim_ptypes_get(struct rte_eth_dev *dev)
{
	fosim_op(dev, FOSIM_OP_PTYPES);
	return fosim_priv(dev)->ptypes;
}

/*
 * VLAN offloads: ethdev has written the new ones into dev_conf (where
 * rte_eth_dev_get_vlan_offload() reads them) and restores them when
 * this fails.
 */
static int
fosim_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	return fosim_op(dev, FOSIM_OP_VLAN_OFFLOAD);
}

static void
fosim_vlan_strip_queue_set(struct rte_eth_dev *dev, uint16_t qid, int on)
{
	struct fosim_priv *p = fosim_priv(dev);

	fosim_op(dev, FOSIM_OP_VLAN_STRIP_Q);
	if (qid >= 64)
		return;
	p->strip_q = on ? p->strip_q | RTE_BIT64(qid) : p->strip_q & ~RTE_BIT64(qid);
}

static int
fosim_vlan_tpid_set(struct rte_eth_dev *dev, enum rte_vlan_type type,
		    uint16_t tpid)
{
	int ret = fosim_op(dev, FOSIM_OP_VLAN_TPID);

	if (ret != 0)
		return ret;
	if (type >= RTE_ETH_VLAN_TYPE_MAX)
		return -EINVAL;
	fosim_priv(dev)->tpid[type] = tpid;
	return 0;
}

static int
fosim_flow_ctrl_get(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc)
{
	fosim_op(dev, FOSIM_OP_FLOW_CTRL_GET);
	*fc = fosim_priv(dev)->fc;
	return 0;
}

static int
fosim_flow_ctrl_set(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc)
{
	int ret = fosim_op(dev, FOSIM_OP_FLOW_CTRL);

	if (ret == 0)
		fosim_priv(dev)->fc = *fc;
	return ret;
}

/* "fosim-<port>.0"; the size needed when fw_size is too small. */
static int
fosim_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t fw_size)
{
	int n;

	fosim_op(dev, FOSIM_OP_FW_VERSION);
	n = snprintf(fw, fw_size, "fosim-%u.0", dev->data->port_id);
	return (size_t)n + 1 > fw_size ? n + 1 : 0;
}

/* Nothing waits for completion in a ring: counted, nothing freed. */
static int
fosim_tx_done_cleanup(void *txq, uint32_t free_cnt)
{
	struct fosim_queue *q = txq;

	__atomic_fetch_add(&fosim_counts[q->port_id][FOSIM_OP_TX_CLEANUP], 1,
			   __ATOMIC_RELAXED);
	return 0;
}

/*
 * A plug-in module of FOSIM_MODULE_LEN bytes (SFF-8472): byte i holds
 * (i + port id) & 0xff, so that two ports' dumps differ.
 */
#define FOSIM_MODULE_LEN RTE_ETH_MODULE_SFF_8472_LEN

static int
fosim_module_info(struct rte_eth_dev *dev, struct rte_eth_dev_module_info *mi)
{
	int ret = fosim_op(dev, FOSIM_OP_MODULE_INFO);

	if (ret != 0)
		return ret;
	mi->type = RTE_ETH_MODULE_SFF_8472;
	mi->eeprom_len = FOSIM_MODULE_LEN;
	return 0;
}

static int
fosim_module_eeprom(struct rte_eth_dev *dev, struct rte_dev_eeprom_info *info)
{
	uint8_t *data = info->data;
	uint32_t i;
	int ret = fosim_op(dev, FOSIM_OP_MODULE_EEPROM);

	if (ret != 0)
		return ret;
	if (info->offset >= FOSIM_MODULE_LEN ||
	    info->length > FOSIM_MODULE_LEN - info->offset)
		return -EINVAL;
	for (i = 0; i < info->length; i++)
		data[i] = (uint8_t)(info->offset + i + dev->data->port_id);
	return 0;
}

/*
 * FOSIM_NB_REGS 32-bit registers, register i holding port id << 16 | i;
 * data NULL asks for the length and width only.
 */
#define FOSIM_NB_REGS 64
#define FOSIM_REGS_VERSION 0xf051

static int
fosim_get_reg(struct rte_eth_dev *dev, struct rte_dev_reg_info *info)
{
	uint32_t *data = info->data, i;
	int ret = fosim_op(dev, FOSIM_OP_REGS);

	if (ret != 0)
		return ret;
	info->version = FOSIM_REGS_VERSION;
	if (data == NULL) {
		info->length = FOSIM_NB_REGS;
		info->width = sizeof(uint32_t);
		return 0;
	}
	if (info->length == 0)
		info->length = FOSIM_NB_REGS - RTE_MIN(info->offset, (uint32_t)FOSIM_NB_REGS);
	if (info->offset > FOSIM_NB_REGS || info->length > FOSIM_NB_REGS - info->offset)
		return -EINVAL;
	for (i = 0; i < info->length; i++)
		data[i] = (uint32_t)dev->data->port_id << 16 | (info->offset + i);
	info->width = sizeof(uint32_t);
	return 0;
}

/*
 * rte_eth_dev_reset() (ethdev stops the port first): back to the state of
 * a port just probed, as a VF after its PF reset: queues gone, filters and
 * lists cleared, its configuration to be set up again.
 */
static int
fosim_reset(struct rte_eth_dev *dev)
{
	struct fosim_priv *p = fosim_priv(dev);
	int ret = fosim_op(dev, FOSIM_OP_RESET);

	if (ret != 0)
		return ret;
	fosim_queues(dev, FOSIM_Q_FREE);
	p->nb_mc = 0;
	memset(p->vfta, 0, sizeof(p->vfta));
	memset(p->tpid, 0, sizeof(p->tpid));
	memset(&p->fc, 0, sizeof(p->fc));
	p->strip_q = 0;
	memset(p->rules, 0, sizeof(p->rules));
	p->isolated = 0;
	dev->data->promiscuous = 0;
	dev->data->all_multicast = 0;
	return 0;
}

/*
 * Flow engine: ingress rules of group 0, a pattern of ETH, IPV4 and UDP
 * items (each at most once, in that order; VOID anywhere), one fate (QUEUE
 * of a configured rx queue, or DROP) and an optional COUNT; at most
 * flow_max rules. Nothing is matched: COUNT counters move by
 * fosim_flow_hit().
 */
static int
fosim_flow_err(struct rte_flow_error *error, int code, enum rte_flow_error_type type,
	       const void *cause, const char *msg)
{
	return rte_flow_error_set(error, code, type, cause, msg);
}

static int
fosim_flow_parse(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		 const struct rte_flow_item pattern[], const struct rte_flow_action actions[],
		 struct fosim_flow_info *info, struct rte_flow_error *error)
{
	const struct fosim_priv *p = fosim_priv(dev);
	const struct rte_flow_item *it;
	const struct rte_flow_action *ac;
	int fates = 0, last = 0, rank;

	memset(info, 0, sizeof(*info));
	if (attr == NULL || pattern == NULL || actions == NULL)
		return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				      "fosim: attr, pattern and actions needed");
	if (!attr->ingress || attr->egress || attr->transfer)
		return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR, attr,
				      "fosim: ingress rules only");
	if (attr->group != 0)
		return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ATTR_GROUP, attr,
				      "fosim: group 0 only");
	for (it = pattern; it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
		switch (it->type) {
		case RTE_FLOW_ITEM_TYPE_VOID:
			continue;
		case RTE_FLOW_ITEM_TYPE_ETH:
			rank = 1;
			break;
		case RTE_FLOW_ITEM_TYPE_IPV4:
			rank = 2;
			if (it->spec != NULL)
				info->ipv4_dst = ((const struct rte_flow_item_ipv4 *)
						  it->spec)->hdr.dst_addr;
			break;
		case RTE_FLOW_ITEM_TYPE_UDP:
			rank = 3;
			if (p->conf.flow_no_udp)
				return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
						      "fosim: no UDP item here");
			if (it->spec != NULL)
				info->udp_dst = rte_be_to_cpu_16(((const struct rte_flow_item_udp *)
								  it->spec)->hdr.dst_port);
			break;
		default:
			return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ITEM, it,
					      "fosim: item not supported");
		}
		if (rank <= last)
			return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_ITEM, it,
					      "fosim: items out of order");
		last = rank;
		info->items |= RTE_BIT32(rank - 1);
	}
	for (ac = actions; ac->type != RTE_FLOW_ACTION_TYPE_END; ac++) {
		switch (ac->type) {
		case RTE_FLOW_ACTION_TYPE_VOID:
			break;
		case RTE_FLOW_ACTION_TYPE_QUEUE:
			if (ac->conf == NULL || ((const struct rte_flow_action_queue *)
						 ac->conf)->index >= dev->data->nb_rx_queues)
				return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION_CONF,
						      ac, "fosim: no such rx queue");
			info->queue = ((const struct rte_flow_action_queue *)ac->conf)->index;
			fates++;
			break;
		case RTE_FLOW_ACTION_TYPE_DROP:
			info->drop = 1;
			fates++;
			break;
		case RTE_FLOW_ACTION_TYPE_COUNT:
			info->count = 1;
			break;
		default:
			return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION, ac,
					      "fosim: action not supported");
		}
	}
	if (fates != 1)
		return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_ACTION, actions,
				      "fosim: one fate (QUEUE or DROP) needed");
	return 0;
}

/* Counts the call; an injected failure is -EIO with a message. */
static int
fosim_flow_op(struct rte_eth_dev *dev, enum fosim_op op, struct rte_flow_error *error)
{
	if (fosim_op(dev, op) != 0)
		return fosim_flow_err(error, EIO, RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				      "fosim: injected failure");
	return 0;
}

static int
fosim_flow_validate(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		    const struct rte_flow_item pattern[],
		    const struct rte_flow_action actions[], struct rte_flow_error *error)
{
	struct fosim_flow_info info;
	int ret = fosim_flow_op(dev, FOSIM_OP_FLOW_VALIDATE, error);

	return ret != 0 ? ret : fosim_flow_parse(dev, attr, pattern, actions, &info, error);
}

static struct rte_flow *
fosim_flow_create(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		  const struct rte_flow_item pattern[],
		  const struct rte_flow_action actions[], struct rte_flow_error *error)
{
	struct fosim_priv *p = fosim_priv(dev);
	struct fosim_flow_info info;
	unsigned int i, n = 0;

	if (fosim_flow_op(dev, FOSIM_OP_FLOW_CREATE, error) != 0 ||
	    fosim_flow_parse(dev, attr, pattern, actions, &info, error) != 0)
		return NULL;
	for (i = 0; i < FOSIM_FLOW_MAX; i++)
		n += p->rules[i].used;
	for (i = 0; i < FOSIM_FLOW_MAX && p->rules[i].used; i++)
		;
	if (n >= p->conf.flow_max || i == FOSIM_FLOW_MAX) {
		fosim_flow_err(error, ENOSPC, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
			       "fosim: rule table full");
		return NULL;
	}
	p->rules[i] = (struct fosim_rule){ .used = true, .seq = p->flow_seq++, .info = info };
	return (struct rte_flow *)&p->rules[i];
}

static struct fosim_rule *
fosim_rule_of(struct rte_eth_dev *dev, struct rte_flow *flow)
{
	struct fosim_priv *p = fosim_priv(dev);
	struct fosim_rule *r = (struct fosim_rule *)flow;

	if (r < &p->rules[0] || r >= &p->rules[FOSIM_FLOW_MAX] || !r->used)
		return NULL;
	return r;
}

static int
fosim_flow_destroy(struct rte_eth_dev *dev, struct rte_flow *flow,
		   struct rte_flow_error *error)
{
	struct fosim_rule *r;
	int ret = fosim_flow_op(dev, FOSIM_OP_FLOW_DESTROY, error);

	if (ret != 0)
		return ret;
	r = fosim_rule_of(dev, flow);
	if (r == NULL)
		return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
				      "fosim: no such rule");
	r->used = false;
	return 0;
}

static int
fosim_flow_flush(struct rte_eth_dev *dev, struct rte_flow_error *error)
{
	int ret = fosim_flow_op(dev, FOSIM_OP_FLOW_FLUSH, error);

	if (ret == 0)
		memset(fosim_priv(dev)->rules, 0, sizeof(fosim_priv(dev)->rules));
	return ret;
}

static int
fosim_flow_query(struct rte_eth_dev *dev, struct rte_flow *flow,
		 const struct rte_flow_action *action, void *data,
		 struct rte_flow_error *error)
{
	struct rte_flow_query_count *c = data;
	struct fosim_rule *r;
	int ret = fosim_flow_op(dev, FOSIM_OP_FLOW_QUERY, error);

	if (ret != 0)
		return ret;
	r = fosim_rule_of(dev, flow);
	if (r == NULL)
		return fosim_flow_err(error, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
				      "fosim: no such rule");
	if (action == NULL || action->type != RTE_FLOW_ACTION_TYPE_COUNT || !r->info.count)
		return fosim_flow_err(error, ENOTSUP, RTE_FLOW_ERROR_TYPE_ACTION, action,
				      "fosim: only COUNT of a counting rule is queried");
	c->hits_set = 1;
	c->bytes_set = 1;
	c->hits = r->hits;
	c->bytes = r->bytes;
	if (c->reset)
		r->hits = r->bytes = 0;
	return 0;
}

static int
fosim_flow_isolate(struct rte_eth_dev *dev, int set, struct rte_flow_error *error)
{
	int ret = fosim_flow_op(dev, FOSIM_OP_FLOW_ISOLATE, error);

	if (ret == 0)
		fosim_priv(dev)->isolated = !!set;
	return ret;
}

static const struct rte_flow_ops fosim_flow_ops = {
	.validate = fosim_flow_validate,
	.create = fosim_flow_create,
	.destroy = fosim_flow_destroy,
	.flush = fosim_flow_flush,
	.query = fosim_flow_query,
	.isolate = fosim_flow_isolate,
};

static int
fosim_flow_ops_get(struct rte_eth_dev *dev, const struct rte_flow_ops **ops)
{
	RTE_SET_USED(dev);
	*ops = &fosim_flow_ops;
	return 0;
}

static const struct eth_dev_ops fosim_ops = {
	.dev_configure = fosim_configure,
	.dev_start = fosim_start,
	.dev_stop = fosim_stop,
	.dev_close = fosim_close,
	.dev_infos_get = fosim_infos_get,
	.link_update = fosim_link_update,
	.dev_set_link_up = fosim_set_link_up,
	.dev_set_link_down = fosim_set_link_down,
	.is_removed = fosim_is_removed,
	.promiscuous_enable = fosim_promisc_enable,
	.promiscuous_disable = fosim_promisc_disable,
	.allmulticast_enable = fosim_allmulti_enable,
	.allmulticast_disable = fosim_allmulti_disable,
	.mac_addr_set = fosim_mac_set,
	.mac_addr_add = fosim_mac_add,
	.mac_addr_remove = fosim_mac_remove,
	.set_mc_addr_list = fosim_mc_list_set,
	.mtu_set = fosim_mtu_set,
	.vlan_filter_set = fosim_vlan_filter_set,
	.rss_hash_update = fosim_rss_update,
	.rss_hash_conf_get = fosim_rss_get,
	.reta_update = fosim_reta_update,
	.reta_query = fosim_reta_query,
	.rx_queue_setup = fosim_rxq_setup,
	.tx_queue_setup = fosim_txq_setup,
	.rx_queue_release = fosim_rxq_release,
	.tx_queue_release = fosim_txq_release,
	.rx_queue_start = fosim_rxq_start,
	.rx_queue_stop = fosim_rxq_stop,
	.tx_queue_start = fosim_txq_start,
	.tx_queue_stop = fosim_txq_stop,
	.rxq_info_get = fosim_rxq_info,
	.txq_info_get = fosim_txq_info,
	.stats_get = fosim_stats_get,
	.stats_reset = fosim_stats_reset,
	.dev_reset = fosim_reset,
	.rx_burst_mode_get = fosim_rx_burst_mode,
	.tx_burst_mode_get = fosim_tx_burst_mode,
	.dev_supported_ptypes_get = fosim_ptypes_get,
	.vlan_offload_set = fosim_vlan_offload_set,
	.vlan_strip_queue_set = fosim_vlan_strip_queue_set,
	.vlan_tpid_set = fosim_vlan_tpid_set,
	.flow_ctrl_get = fosim_flow_ctrl_get,
	.flow_ctrl_set = fosim_flow_ctrl_set,
	.fw_version_get = fosim_fw_version_get,
	.tx_done_cleanup = fosim_tx_done_cleanup,
	.flow_ops_get = fosim_flow_ops_get,
	.get_module_info = fosim_module_info,
	.get_module_eeprom = fosim_module_eeprom,
	.get_reg = fosim_get_reg,
};

/* Devargs */

enum fosim_kind {
	FOSIM_ARG_INT,		/* unsigned, 1/2/8 bytes, at most max */
	FOSIM_ARG_MAC,
	FOSIM_ARG_FAIL,
	FOSIM_ARG_LINK,
};

struct fosim_param {
	const char *key;
	enum fosim_kind kind;
	uint8_t size;
	size_t off;
	uint64_t max;
};

#define FOSIM_PARAM(key, kind, field, max) { key, FOSIM_ARG_ ## kind, \
	sizeof(((struct fosim_conf *)0)->field), \
	offsetof(struct fosim_conf, field), max }

static const struct fosim_param fosim_params[] = {
	FOSIM_PARAM("mac", MAC, mac, 0),
	FOSIM_PARAM("max_rxq", INT, max_rxq, RTE_MAX_QUEUES_PER_PORT),
	FOSIM_PARAM("max_txq", INT, max_txq, RTE_MAX_QUEUES_PER_PORT),
	FOSIM_PARAM("max_mtu", INT, max_mtu, UINT16_MAX),
	FOSIM_PARAM("min_mtu", INT, min_mtu, UINT16_MAX),
	FOSIM_PARAM("rx_offload_capa", INT, rx_capa, UINT64_MAX),
	FOSIM_PARAM("tx_offload_capa", INT, tx_capa, UINT64_MAX),
	FOSIM_PARAM("rss_capa", INT, rss_capa, UINT64_MAX),
	FOSIM_PARAM("reta_size", INT, reta_size, FOSIM_RETA_MAX),
	FOSIM_PARAM("hash_key_size", INT, key_size, FOSIM_KEY_MAX),
	FOSIM_PARAM("lsc", INT, lsc, 1),
	FOSIM_PARAM("lsc_lost", INT, lsc_lost, 1),
	FOSIM_PARAM("rmv", INT, rmv, 1),
	FOSIM_PARAM("no_mac_set", INT, no_mac_set, 1),
	FOSIM_PARAM("no_queue_ops", INT, no_queue_ops, 1),
	FOSIM_PARAM("no_mac_remove", INT, no_mac_remove, 1),
	FOSIM_PARAM("no_deferred", INT, no_deferred, 1),
	FOSIM_PARAM("tx_sink", INT, tx_sink, 1),
	FOSIM_PARAM("ptypes", INT, ptypes, UINT16_MAX),
	FOSIM_PARAM("flow_max", INT, flow_max, FOSIM_FLOW_MAX),
	FOSIM_PARAM("flow_no_udp", INT, flow_no_udp, 1),
	FOSIM_PARAM("fail", FAIL, fail, 0),
	FOSIM_PARAM("link", LINK, link_up, 0),
};

static int
fosim_parse_int(const struct fosim_param *p, const char *val, void *dst)
{
	uint64_t v;
	char *end;

	errno = 0;
	v = strtoull(val, &end, 0);
	if (val[0] == '-' || end == val || *end != '\0' || errno != 0 ||
	    v > p->max)
		return -EINVAL;
	if (p->size == sizeof(uint8_t))
		*(uint8_t *)dst = (uint8_t)v;
	else if (p->size == sizeof(uint16_t))
		*(uint16_t *)dst = (uint16_t)v;
	else
		*(uint64_t *)dst = v;
	return 0;
}

static int
fosim_parse_value(const struct fosim_param *p, const char *val, void *dst)
{
	switch (p->kind) {
	case FOSIM_ARG_MAC:
		return rte_ether_unformat_addr(val, dst) == 0 ? 0 : -EINVAL;
	case FOSIM_ARG_FAIL:
		return fosim_fail_mask(val, dst);
	case FOSIM_ARG_LINK:
		if (strcmp(val, "up") != 0 && strcmp(val, "down") != 0)
			return -EINVAL;
		*(uint8_t *)dst = strcmp(val, "up") == 0;
		return 0;
	default:
		return fosim_parse_int(p, val, dst);
	}
}

static void
fosim_conf_default(struct fosim_conf *c, const char *name)
{
	size_t len = strlen(name);

	while (len > 0 && isdigit((unsigned char)name[len - 1]))
		len--;
	memset(c, 0, sizeof(*c));
	c->mac = (struct rte_ether_addr){
		.addr_bytes = { 0x02, 0, 0, 0, 0, atoi(name + len) & 0xff },
	};
	c->rx_capa = RTE_ETH_RX_OFFLOAD_VLAN_FILTER |
		RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_CHECKSUM |
		RTE_ETH_RX_OFFLOAD_RSS_HASH;
	c->tx_capa = RTE_ETH_TX_OFFLOAD_VLAN_INSERT |
		RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	c->rss_capa = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
	c->max_rxq = 4;
	c->max_txq = 4;
	c->max_mtu = 9000;
	c->min_mtu = RTE_ETHER_MIN_MTU;
	c->reta_size = RTE_ETH_RSS_RETA_SIZE_64;
	c->key_size = 40;
	c->lsc = 1;
	c->rmv = 1;
	c->link_up = 1;
	c->ptypes = UINT16_MAX;
	c->flow_max = FOSIM_FLOW_DEFAULT;
}

static int
fosim_parse_pair(const struct rte_kvargs_pair *kv, const char *name,
		 struct fosim_conf *c)
{
	const struct fosim_param *p = NULL;
	unsigned int i;

	for (i = 0; i < RTE_DIM(fosim_params) && p == NULL; i++)
		if (strcmp(kv->key, fosim_params[i].key) == 0)
			p = &fosim_params[i];
	if (p == NULL) {
		FOSIM_LOG(ERR, "%s: unknown devarg '%s'", name, kv->key);
		return -EINVAL;
	}
	if (kv->value == NULL ||
	    fosim_parse_value(p, kv->value, RTE_PTR_ADD(c, p->off)) != 0) {
		FOSIM_LOG(ERR, "%s: bad value for devarg '%s': \"%s\"", name,
			  kv->key, kv->value != NULL ? kv->value : "");
		return -EINVAL;
	}
	return 0;
}

static int
fosim_parse_args(const char *args, const char *name, struct fosim_conf *c)
{
	struct rte_kvargs *kvl;
	unsigned int i;
	int ret = 0;

	if (args == NULL || args[0] == '\0')
		return 0;
	kvl = rte_kvargs_parse(args, NULL);
	if (kvl == NULL) {
		FOSIM_LOG(ERR, "%s: cannot parse devargs \"%s\"", name, args);
		return -EINVAL;
	}
	for (i = 0; i < kvl->count && ret == 0; i++)
		ret = fosim_parse_pair(&kvl->pairs[i], name, c);
	rte_kvargs_free(kvl);
	if (ret == 0 && c->min_mtu > c->max_mtu) {
		FOSIM_LOG(ERR, "%s: devarg 'min_mtu' above 'max_mtu'", name);
		ret = -EINVAL;
	}
	if (ret == 0 && c->reta_size % RTE_ETH_RETA_GROUP_SIZE != 0) {
		FOSIM_LOG(ERR, "%s: devarg 'reta_size' not a multiple of %u",
			  name, RTE_ETH_RETA_GROUP_SIZE);
		ret = -EINVAL;
	}
	return ret;
}

/* Probe / remove */

static int
fosim_create(struct rte_vdev_device *vdev, const struct fosim_conf *c)
{
	struct rte_eth_dev *dev;
	struct fosim_priv *p;
	uint16_t port, i, n;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (dev == NULL)
		return -ENOMEM;
	port = dev->data->port_id;
	dev->data->mac_addrs = rte_zmalloc_socket("fosim_macs",
		FOSIM_MAX_MACS * sizeof(struct rte_ether_addr), 0,
		vdev->device.numa_node);
	if (dev->data->mac_addrs == NULL) {
		rte_eth_dev_release_port(dev);
		return -ENOMEM;
	}
	dev->data->mac_addrs[0] = c->mac;
	p = fosim_priv(dev);
	p->conf = *c;
	p->fail = c->fail;
	p->link_up = c->link_up;
	for (i = 0; i < FOSIM_KEY_MAX; i++)
		p->rss_key[i] = (uint8_t)(0x6d + i * 0x3b);
	p->ops = fosim_ops;
	if (c->reta_size == 0) {
		p->ops.rss_hash_update = NULL;
		p->ops.rss_hash_conf_get = NULL;
		p->ops.reta_update = NULL;
		p->ops.reta_query = NULL;
	}
	if (c->no_mac_set)
		p->ops.mac_addr_set = NULL;
	if (c->no_mac_remove)
		p->ops.mac_addr_remove = NULL;
	if (c->no_queue_ops) {  /* as virtio, net_null, net_ring */
		p->ops.rx_queue_start = NULL;
		p->ops.rx_queue_stop = NULL;
		p->ops.tx_queue_start = NULL;
		p->ops.tx_queue_stop = NULL;
	}
	if (c->flow_max == 0)  /* no rte_flow at all, as net_null */
		p->ops.flow_ops_get = NULL;
	for (i = 0, n = 0; i < RTE_DIM(fosim_all_ptypes); i++)
		if (c->ptypes & RTE_BIT32(i))
			p->ptypes[n++] = fosim_all_ptypes[i];
	p->ptypes[n] = RTE_PTYPE_UNKNOWN;
	if (n == 0)  /* ptypes=0: no op at all, as most virtual PMDs */
		p->ops.dev_supported_ptypes_get = NULL;
	dev->dev_ops = &p->ops;
	dev->rx_pkt_burst = fosim_rx_burst;
	dev->rx_queue_count = fosim_rx_queue_count;
	dev->rx_descriptor_status = fosim_rx_descriptor_status;
	dev->tx_descriptor_status = fosim_tx_descriptor_status;
	dev->tx_pkt_burst = fosim_tx_burst;
	if (c->lsc)
		dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;
	if (c->rmv)
		dev->data->dev_flags |= RTE_ETH_DEV_INTR_RMV;
	fosim_link_sync(dev);
	memset(fosim_counts[port], 0, sizeof(fosim_counts[port]));
	fosim_known[port] = true;
	rte_eth_dev_probing_finish(dev);
	FOSIM_LOG(INFO, "%s: port %u", rte_vdev_device_name(vdev), port);
	return 0;
}

/* Probes by device name: how many, and how many more are to fail. */
#define FOSIM_MAX_PROBED 32

static struct fosim_probe_rec {
	char name[RTE_DEV_NAME_MAX_LEN];
	unsigned int count, fail;
} fosim_probes[FOSIM_MAX_PROBED];
static rte_spinlock_t fosim_probes_lock = RTE_SPINLOCK_INITIALIZER;

/* The record of a name (created if add); NULL if none. Under the lock. */
static struct fosim_probe_rec *
fosim_probe_rec(const char *name, bool add)
{
	unsigned int i;

	for (i = 0; i < FOSIM_MAX_PROBED && fosim_probes[i].name[0] != '\0'; i++)
		if (strcmp(fosim_probes[i].name, name) == 0)
			return &fosim_probes[i];
	if (!add || i == FOSIM_MAX_PROBED)
		return NULL;
	strlcpy(fosim_probes[i].name, name, sizeof(fosim_probes[i].name));
	return &fosim_probes[i];
}

/* Count a probe; -EAGAIN if it was told to fail. */
static int
fosim_probe_check(const char *name)
{
	struct fosim_probe_rec *r;
	int ret = 0;

	rte_spinlock_lock(&fosim_probes_lock);
	r = fosim_probe_rec(name, true);
	if (r != NULL) {
		r->count++;
		if (r->fail > 0) {
			r->fail--;
			ret = -EAGAIN;
		}
	}
	rte_spinlock_unlock(&fosim_probes_lock);
	if (ret != 0)
		FOSIM_LOG(DEBUG, "%s: injected probe failure", name);
	return ret;
}

static int
fosim_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct fosim_conf conf;
	int ret;

	ret = fosim_probe_check(name);
	if (ret != 0)
		return ret;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		FOSIM_LOG(ERR, "%s: only primary processes", name);
		return -ENOTSUP;
	}
	fosim_conf_default(&conf, name);
	ret = fosim_parse_args(rte_vdev_device_args(vdev), name, &conf);
	if (ret != 0)
		return ret;
	return fosim_create(vdev, &conf);
}

static int
fosim_vdev_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;	/* already closed */
	fosim_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver fosim_vdev_drv = {
	.probe = fosim_probe,
	.remove = fosim_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(net_fosim, fosim_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_fosim,
	"mac=<mac> max_rxq=<n> max_txq=<n> max_mtu=<n> min_mtu=<n> "
	"rx_offload_capa=<mask> tx_offload_capa=<mask> rss_capa=<mask> "
	"reta_size=<n> hash_key_size=<n> lsc=<0|1> lsc_lost=<0|1> rmv=<0|1> "
	"fail=<op>[+<op>...] link=<up|down> no_mac_set=<0|1> no_queue_ops=<0|1> "
	"no_mac_remove=<0|1> no_deferred=<0|1> tx_sink=<0|1> "
	"ptypes=<mask> flow_max=<0-64> flow_no_udp=<0|1>");

/* Test API */

static struct rte_eth_dev *
fosim_dev(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->device == NULL || dev->device->driver == NULL ||
	    strcmp(dev->device->driver->name, FOSIM_DRV_NAME) != 0)
		return NULL;
	return dev;
}

static int
fosim_queue_get(uint16_t port_id, uint16_t qid, bool rx,
		struct fosim_queue **q)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	if (qid >= (rx ? dev->data->nb_rx_queues : dev->data->nb_tx_queues))
		return -EINVAL;
	*q = rx ? dev->data->rx_queues[qid] : dev->data->tx_queues[qid];
	return *q != NULL ? 0 : -EINVAL;
}

int
fosim_flow_list(uint16_t port_id, struct fosim_flow_info *out, unsigned int max)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	const struct fosim_rule *r, *best;
	uint32_t after = 0;
	unsigned int n = 0;
	bool first = true;
	struct fosim_priv *p;

	if (dev == NULL)
		return -ENODEV;
	p = fosim_priv(dev);
	for (;;) {  /* by creation order */
		best = NULL;
		for (r = &p->rules[0]; r < &p->rules[FOSIM_FLOW_MAX]; r++)
			if (r->used && (first || r->seq > after) &&
			    (best == NULL || r->seq < best->seq))
				best = r;
		if (best == NULL)
			return n;
		if (n < max && out != NULL)
			out[n] = best->info;
		n++;
		after = best->seq;
		first = false;
	}
}

int
fosim_flow_hit(uint16_t port_id, unsigned int index, uint64_t hits, uint64_t bytes)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	struct fosim_rule *r, *best;
	uint32_t after = 0;
	unsigned int n = 0;
	bool first = true;
	struct fosim_priv *p;

	if (dev == NULL)
		return -ENODEV;
	p = fosim_priv(dev);
	for (;;) {
		best = NULL;
		for (r = &p->rules[0]; r < &p->rules[FOSIM_FLOW_MAX]; r++)
			if (r->used && (first || r->seq > after) &&
			    (best == NULL || r->seq < best->seq))
				best = r;
		if (best == NULL)
			return -ENOENT;
		if (n++ == index) {
			best->hits += hits;
			best->bytes += bytes;
			return 0;
		}
		after = best->seq;
		first = false;
	}
}

int
fosim_flow_isolated(uint16_t port_id)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	return dev == NULL ? -ENODEV : fosim_priv(dev)->isolated;
}

int
fosim_set_fail(uint16_t port_id, const char *ops)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	uint64_t mask;
	int ret;

	if (dev == NULL)
		return -ENODEV;
	ret = fosim_fail_mask(ops != NULL ? ops : "", &mask);
	if (ret == 0)
		__atomic_store_n(&fosim_priv(dev)->fail, mask,
				 __ATOMIC_RELAXED);
	return ret;
}

int
fosim_set_link(uint16_t port_id, int up)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	struct fosim_priv *p;
	uint8_t old;

	if (dev == NULL)
		return -ENODEV;
	p = fosim_priv(dev);
	if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED))
		return -ENODEV;
	old = __atomic_exchange_n(&p->link_up, up != 0, __ATOMIC_RELAXED);
	if (p->conf.lsc_lost)
		return 0;  /* only link_update (a poll) will see it */
	fosim_link_sync(dev);
	if (old == (up != 0) || !p->conf.lsc ||
	    !dev->data->dev_conf.intr_conf.lsc)
		return 0;
	return fosim_raise(dev, RTE_ETH_EVENT_INTR_LSC);
}

int
fosim_rx_hold(uint16_t port_id, int on)
{
	if (fosim_dev(port_id) == NULL)
		return -ENODEV;
	__atomic_store_n(&fosim_hold[port_id], on != 0, __ATOMIC_RELEASE);
	return 0;
}

int
fosim_rx_held(uint16_t port_id)
{
	if (port_id >= RTE_MAX_ETHPORTS)
		return -ENODEV;
	return (int)__atomic_load_n(&fosim_held[port_id], __ATOMIC_ACQUIRE);
}

int
fosim_remove(uint16_t port_id)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	struct fosim_priv *p;

	if (dev == NULL)
		return -ENODEV;
	p = fosim_priv(dev);
	if (__atomic_exchange_n(&p->removed, 1, __ATOMIC_RELAXED))
		return 0;
	fosim_link_sync(dev);
	if (!p->conf.rmv || !dev->data->dev_conf.intr_conf.rmv)
		return 0;
	return fosim_raise(dev, RTE_ETH_EVENT_INTR_RMV);
}

int
fosim_reset_request(uint16_t port_id)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	return fosim_raise(dev, RTE_ETH_EVENT_INTR_RESET);
}

int
fosim_rx_inject(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts,
		unsigned int n)
{
	struct fosim_queue *q;
	int ret = fosim_queue_get(port_id, queue, true, &q);

	if (ret != 0)
		return ret;
	if (__atomic_load_n(&q->stopped, __ATOMIC_RELAXED))
		return 0;  /* a stopped queue takes nothing from the wire */
	return (int)rte_ring_enqueue_burst(q->ring, (void **)pkts, n, NULL);
}

int
fosim_tx_collect(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts,
		 unsigned int max)
{
	struct fosim_queue *q;
	int ret = fosim_queue_get(port_id, queue, false, &q);

	if (ret != 0)
		return ret;
	return (int)rte_ring_dequeue_burst(q->ring, (void **)pkts, max, NULL);
}

int
fosim_vlan_filtered(uint16_t port_id, uint16_t vlan_id)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	if (vlan_id > RTE_ETHER_MAX_VLAN_ID)
		return -EINVAL;
	return (fosim_priv(dev)->vfta[vlan_id / 64] >> (vlan_id % 64)) & 1;
}

int
fosim_vlan_strip_queue(uint16_t port_id, uint16_t queue)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	if (queue >= 64)
		return -EINVAL;
	return (fosim_priv(dev)->strip_q >> queue) & 1;
}

int
fosim_vlan_tpid(uint16_t port_id, enum rte_vlan_type type)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	if (type >= RTE_ETH_VLAN_TYPE_MAX)
		return -EINVAL;
	return fosim_priv(dev)->tpid[type];
}

int
fosim_mc_list(uint16_t port_id, struct rte_ether_addr *out, unsigned int max)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);
	unsigned int n;

	if (dev == NULL)
		return -ENODEV;
	n = RTE_MIN(max, (unsigned int)fosim_priv(dev)->nb_mc);
	if (n != 0)
		memcpy(out, fosim_priv(dev)->mc, n * sizeof(*out));
	return (int)n;
}

int
fosim_configured_queues(uint16_t port_id, uint16_t *nb_rx, uint16_t *nb_tx)
{
	struct rte_eth_dev *dev = fosim_dev(port_id);

	if (dev == NULL)
		return -ENODEV;
	if (nb_rx != NULL)
		*nb_rx = fosim_priv(dev)->nb_rxq;
	if (nb_tx != NULL)
		*nb_tx = fosim_priv(dev)->nb_txq;
	return 0;
}

unsigned int
fosim_op_count(uint16_t port_id, const char *op)
{
	int i;

	if (port_id >= RTE_MAX_ETHPORTS || !fosim_known[port_id] ||
	    op == NULL)
		return 0;
	i = fosim_op_lookup(op, FOSIM_OP_NB);
	if (i < 0)
		return 0;
	return __atomic_load_n(&fosim_counts[port_id][i], __ATOMIC_RELAXED);
}

int
fosim_probe_fail(const char *name, unsigned int n)
{
	struct fosim_probe_rec *r;

	if (name == NULL)
		return -EINVAL;
	rte_spinlock_lock(&fosim_probes_lock);
	r = fosim_probe_rec(name, true);
	if (r != NULL)
		r->fail = n;
	rte_spinlock_unlock(&fosim_probes_lock);
	return r != NULL ? 0 : -ENOSPC;
}

unsigned int
fosim_probe_count(const char *name)
{
	struct fosim_probe_rec *r;
	unsigned int n = 0;

	rte_spinlock_lock(&fosim_probes_lock);
	r = name != NULL ? fosim_probe_rec(name, false) : NULL;
	if (r != NULL)
		n = r->count;
	rte_spinlock_unlock(&fosim_probes_lock);
	return n;
}
