/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Sub-port lifecycle, one state at a time (enum fo_sub_state):
 *
 *   ABSENT --adopt--> HELD --start--> STARTED --leave--> DRAINING
 *      ^               |  <--stop---                        |
 *      +---release-----+  <---------------stop--------------+
 *
 * adopt: fit check, MAC, replay of the failover port's state (what ethdev
 * keeps in dev->data and the queues, plus the few lists it keeps none of);
 * start: slots filled, then on the fast path; stop: off the fast path, a
 * grace period, then stopped; leave: TX moves away, RX drains; release:
 * counters folded, the port given back, closed, its device removed when
 * ours. Every step runs under the control lock and publishes the paths
 * (fo_paths_publish()) when it changes what the fast path may use.
 */

#include <errno.h>
#include <inttypes.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_spinlock.h>

#include "failover_private.h"

static void
fo_sub_state_set(struct fo_sub *s, enum fo_sub_state st)
{
	__atomic_store_n(&s->state, st, __ATOMIC_RELEASE);
}

static void
fo_sub_link_down(struct fo_sub *s)
{
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };

	fo_sub_link_set(s, &link);
}

void
fo_links_refresh(struct fo_priv *priv)
{
	struct rte_eth_link link;
	struct fo_sub *s;

	FO_FOREACH_SUB(priv, s) {
		if (fo_sub_state(s) < FO_SUB_DRAINING ||
		    rte_eth_link_get_nowait(s->port_id, &link) != 0)
			fo_sub_link_down(s);
		else
			fo_sub_link_set(s, &link);
	}
}

/*
 * The poll's own reading of sub-ports whose link comes by LSC events:
 * ethdev answers rte_eth_link_get_nowait() from its cache for them, which
 * only their interrupt handler refreshes, so a PMD whose interrupt never
 * comes (DPDK's em over QEMU 7.2's e1000e in MSI-X mode, which raises no
 * link-change interrupt) would keep a dead link up for good. Their
 * link_update is called here, from the EAL interrupt thread, where their
 * own interrupt handlers run too: never concurrently with them.
 */
void
fo_links_poll(struct fo_priv *priv)
{
	struct rte_eth_dev *dev;
	struct fo_sub *s;

	FO_FOREACH_SUB_FROM(priv, s, FO_SUB_DRAINING) {
		dev = &rte_eth_devices[s->port_id];
		if (!(fo_sub_ev(s) & (FO_EV_GONE | FO_EV_DYING)) &&
		    dev->data->dev_conf.intr_conf.lsc &&
		    dev->dev_ops->link_update != NULL)
			dev->dev_ops->link_update(dev, 0);
	}
}

/*
 * Drivers whose LSC interrupt is not enabled although they advertise it.
 * net_tap (22.11) raises no LSC event, and when it is removed while started
 * it frees its interrupt handle without unregistering it: the next link
 * event then blocks the EAL interrupt thread in its handler. Its link is
 * followed by the poll instead.
 */
static const char *const fo_lsc_quirks[] = { "net_tap" };

static bool
fo_sub_lsc_ok(uint16_t port)
{
	const struct rte_eth_dev *dev = &rte_eth_devices[port];
	unsigned int i;

	if (!(dev->data->dev_flags & RTE_ETH_DEV_INTR_LSC))
		return false;
	for (i = 0; i < RTE_DIM(fo_lsc_quirks); i++)
		if (dev->device != NULL && dev->device->driver != NULL &&
		    strcmp(dev->device->driver->name, fo_lsc_quirks[i]) == 0)
			return false;
	return true;
}

/* The failover port's configuration, with the sub-port's interrupts. */
int
fo_sub_configure(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct rte_eth_conf conf = data->dev_conf;
	int ret;

	conf.intr_conf.lsc = fo_sub_lsc_ok(s->port_id);
	conf.intr_conf.rmv = !!(rte_eth_devices[s->port_id].data->dev_flags &
				RTE_ETH_DEV_INTR_RMV);
	conf.intr_conf.rxq = data->dev_conf.intr_conf.rxq;  /* see fo_intr_sub_add() */
	conf.rxmode.mtu = data->mtu;
	ret = rte_eth_dev_configure(s->port_id, data->nb_rx_queues, data->nb_tx_queues, &conf);
	if (ret != 0)
		FO_LOG(ERR, "%s: configure of %s port %u failed: %s", data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
	return ret;
}

/*
 * A started sub-port's queue qid to the state start says. A PMD without
 * queue start/stop (virtio, net_null, net_ring: -ENOTSUP) keeps its queue
 * running: the failover queue's own state holds all the same (a stopped
 * one designates no sub-port, see fo_queues_point()). A sub-port not
 * started has nothing to do: its start applies the failover queues' states.
 */
int
fo_sub_queue_state(struct fo_sub *s, bool rx, uint16_t qid, bool start)
{
	const struct rte_eth_dev_data *d = rte_eth_devices[s->port_id].data;
	uint8_t want = start ? RTE_ETH_QUEUE_STATE_STARTED : RTE_ETH_QUEUE_STATE_STOPPED;
	uint16_t port = s->port_id;
	int ret;

	if (!d->dev_started || (rx ? d->rx_queue_state[qid] : d->tx_queue_state[qid]) == want)
		return 0;  /* ethdev would say so at INFO level, for every queue */
	if (rx)
		ret = start ? rte_eth_dev_rx_queue_start(port, qid) :
			      rte_eth_dev_rx_queue_stop(port, qid);
	else
		ret = start ? rte_eth_dev_tx_queue_start(port, qid) :
			      rte_eth_dev_tx_queue_stop(port, qid);
	if (ret == -ENOTSUP) {
		FO_LOG(DEBUG, "%s port %u has no %s queue %s: its queue %u keeps running",
		       fo_role_name[s->role], port, rx ? "rx" : "tx", start ? "start" : "stop",
		       qid);
		ret = 0;
	}
	return ret;
}

/*
 * A sub-port just started: its queues follow the failover queues' states
 * (deferred start, queues stopped or started by the application since).
 */
static int
fo_sub_queues_follow(struct fo_priv *priv, struct fo_sub *s)
{
	const struct rte_eth_dev_data *data = priv->dev->data;
	uint16_t q;
	int ret = 0;

	for (q = 0; q < data->nb_rx_queues && ret == 0; q++)
		ret = fo_sub_queue_state(s, true, q,
					 data->rx_queue_state[q] == RTE_ETH_QUEUE_STATE_STARTED);
	for (q = 0; q < data->nb_tx_queues && ret == 0; q++)
		ret = fo_sub_queue_state(s, false, q,
					 data->tx_queue_state[q] == RTE_ETH_QUEUE_STATE_STARTED);
	if (ret != 0)
		FO_LOG(ERR, "%s: %s port %u refused the failover queues' states: %s",
		       data->name, fo_role_name[s->role], s->port_id, rte_strerror(-ret));
	return ret;
}

/* HELD -> STARTED: started, its slots filled; the caller publishes. */
int
fo_sub_start(struct fo_priv *priv, struct fo_sub *s)
{
	int ret;

	FO_LOCK_ASSERT(priv);
	if (fo_sub_state(s) != FO_SUB_HELD)
		return 0;
	ret = rte_eth_dev_start(s->port_id);
	if (ret != 0) {
		FO_LOG(ERR, "%s: start of %s port %u failed: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
		return ret;
	}
	/* a PMD's start may bring its link up: a port set down stays down */
	if (priv->link_down) {
		ret = rte_eth_dev_set_link_down(s->port_id);
		if (ret != 0) {
			FO_LOG(ERR, "%s: %s port %u cannot be set link down: %s",
			       priv->dev->data->name, fo_role_name[s->role], s->port_id,
			       rte_strerror(-ret));
			rte_eth_dev_stop(s->port_id);
			return ret;
		}
	}
	ret = fo_sub_queues_follow(priv, s);
	if (ret == 0)
		ret = fo_intr_sub_add(priv, s);
	if (ret != 0) {
		rte_eth_dev_stop(s->port_id);
		return ret;
	}
	fo_slots_fill(priv, s);
	fo_sub_state_set(s, FO_SUB_STARTED);
	return 0;
}

/* STARTED or DRAINING -> HELD: off the fast path, bursts gone, stopped. */
void
fo_sub_stop(struct fo_priv *priv, struct fo_sub *s)
{
	int ret;

	FO_LOCK_ASSERT(priv);
	if (fo_sub_state(s) < FO_SUB_DRAINING)
		return;
	fo_sub_state_set(s, FO_SUB_HELD);
	fo_sub_link_down(s);
	fo_paths_publish(priv);
	fo_quiesce(priv);
	fo_intr_sub_del(priv, s);
	ret = rte_eth_dev_stop(s->port_id);
	if (ret != 0)
		FO_LOG(WARNING, "%s: stop of %s port %u failed: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
}

/* Present -> ABSENT, without touching the port (it may be gone). */
static void
fo_sub_clear(struct fo_priv *priv, struct fo_sub *s)
{
	fo_flow_sub_drop(priv, s);
	fo_sub_state_set(s, FO_SUB_ABSENT);
	__atomic_store_n(&s->port_id, FO_NO_PORT, __ATOMIC_RELEASE);
	fo_sub_link_down(s);
	fo_paths_publish(priv);
}

/*
 * Devices we probed and had to leave on their bus (our vdev removed: see
 * fo_remove()); their ports are closed. The next probe of the same device
 * string removes such a device first, so that it is probed anew.
 */
#define FO_NB_ORPHANS 16
static char fo_orphans[FO_NB_ORPHANS][RTE_DEV_NAME_MAX_LEN];
static rte_spinlock_t fo_orphans_lock = RTE_SPINLOCK_INITIALIZER;

static void
fo_orphan_add(const char *name)
{
	unsigned int i;

	rte_spinlock_lock(&fo_orphans_lock);
	for (i = 0; i < FO_NB_ORPHANS; i++)
		if (fo_orphans[i][0] == '\0') {
			strlcpy(fo_orphans[i], name, sizeof(fo_orphans[i]));
			break;
		}
	rte_spinlock_unlock(&fo_orphans_lock);
}

/* Whether we left the device behind; it is forgotten (its remover takes it). */
bool
fo_orphan_take(const char *name)
{
	unsigned int i;
	bool ours = false;

	rte_spinlock_lock(&fo_orphans_lock);
	for (i = 0; i < FO_NB_ORPHANS && !ours; i++)
		if (strcmp(fo_orphans[i], name) == 0) {
			fo_orphans[i][0] = '\0';
			ours = true;
		}
	rte_spinlock_unlock(&fo_orphans_lock);
	return ours;
}

/*
 * Give a port back to lib/failover (first: our own close then raises no
 * detach callback), close it when asked or when we probed it, and remove
 * its device when we probed it or when the device is going away (unplug).
 */
static void
fo_port_release(struct fo_priv *priv, struct fo_sub *s, uint16_t port, bool close,
		bool unplug)
{
	struct rte_device *rdev = rte_eth_devices[port].device;
	bool remove = (s->probed || unplug) && !priv->in_remove && rdev != NULL;

	fo_guard_clear(port);
	rte_failover_release(priv->fo, port);
	if (s->probed && priv->in_remove && rdev != NULL)
		fo_orphan_add(rdev->name);
	if (close || s->probed)
		rte_eth_dev_close(port);
	if (remove && rte_dev_is_probed(rdev) && rte_dev_remove(rdev) != 0)
		FO_LOG(WARNING, "%s: could not remove device %s", priv->dev->data->name,
		       rdev->name);
	s->probed = false;
}

/* Any state -> ABSENT for good: stopped, counters folded, closed once. */
void
fo_sub_release(struct fo_priv *priv, struct fo_sub *s, bool unplug)
{
	uint16_t port = s->port_id;

	FO_LOCK_ASSERT(priv);
	if (fo_sub_state(s) == FO_SUB_ABSENT)
		return;
	fo_sub_stop(priv, s);
	fo_stats_fold(priv, s, true);
	fo_sub_clear(priv, s);
	fo_port_release(priv, s, port, true, unplug);
}

/* Destroyed under us (FO_EV_GONE): its counters went with it. */
void
fo_sub_forget(struct fo_priv *priv, struct fo_sub *s)
{
	FO_LOCK_ASSERT(priv);
	if (fo_sub_state(s) != FO_SUB_ABSENT) {
		fo_guard_clear(s->port_id);
		fo_intr_sub_del(priv, s);
		fo_stats_fold(priv, s, false);
		fo_sub_clear(priv, s);
		s->probed = false;
	}
	__atomic_fetch_and(&s->ev, ~(FO_EV_GONE | FO_EV_LEAVE | FO_EV_DYING), __ATOMIC_ACQ_REL);
}

/* A receive queue of the port holds packets (a PMD with no count: no). */
static bool
fo_rxq_busy(uint16_t port, uint16_t nb_rxq)
{
	uint16_t q;

	for (q = 0; q < nb_rxq; q++)
		if (rte_eth_rx_queue_count(port, q) > 0)
			return true;
	return false;
}

/*
 * Let the application's bursts take what a leaving sub-port still holds or
 * still gets: frames keep arriving on it until the network has learnt the
 * other path (from the first frame sent there), so after its transmit rings
 * are cleaned, the drain lasts until its receive queues are empty (where
 * the PMD can count them) and nothing has arrived on it (ipackets) for
 * FO_DRAIN_QUIET_MS, at most FO_DRAIN_MS.
 */
static void
fo_sub_drain(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles(), now = start, last = now;
	uint64_t end = start + hz * FO_DRAIN_MS / 1000, quiet = hz * FO_DRAIN_QUIET_MS / 1000;
	uint64_t seen = UINT64_MAX;
	struct rte_eth_stats st;
	uint16_t q;

	for (q = 0; q < data->nb_tx_queues; q++)
		rte_eth_tx_done_cleanup(s->port_id, q, 0);
	if (!__atomic_load_n(&priv->running, __ATOMIC_ACQUIRE) ||
	    rte_eth_dev_is_removed(s->port_id))
		return;
	while ((now = rte_get_timer_cycles()) < end) {
		if (rte_eth_stats_get(s->port_id, &st) == 0 && st.ipackets != seen) {
			seen = st.ipackets;
			last = now;
		}
		if (now - last >= quiet && !fo_rxq_busy(s->port_id, data->nb_rx_queues))
			break;
		fo_paths_poll_other(priv);  /* the tick may wait for us (this thread) */
		rte_delay_us_sleep(100);
	}
	FO_LOG(DEBUG, "%s: %s port %u drained in %.1f ms", data->name, fo_role_name[s->role],
	       s->port_id, (now - start) * 1000.0 / hz);
}


/*
 * STARTED -> DRAINING -> ABSENT, for a sub-port announced to go (RMV,
 * RTE_DEV_EVENT_REMOVE, or the API): make before break. TX moves to the
 * other sub-port, the grace period lets every burst leave it, its rings
 * are drained, and it is stopped, closed once and its device removed (it
 * is being unplugged).
 */
void
fo_sub_leave(struct fo_priv *priv, struct fo_sub *s)
{
	FO_LOCK_ASSERT(priv);
	if (fo_sub_state(s) != FO_SUB_ABSENT) {
		FO_LOG(NOTICE, "%s: %s port %u (%s) leaving", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id,
		       rte_eth_devices[s->port_id].data->name);
		if (fo_sub_state(s) == FO_SUB_STARTED)
			fo_sub_state_set(s, FO_SUB_DRAINING);
		fo_links_refresh(priv);
		fo_paths_publish(priv);
		fo_quiesce(priv);
		fo_sub_drain(priv, s);
		fo_sub_release(priv, s, true);
	}
	__atomic_fetch_and(&s->ev, ~FO_EV_LEAVE, __ATOMIC_ACQ_REL);
}

static int fo_sub_replay(struct fo_priv *priv, struct fo_sub *s);

/*
 * A sub-port is reset: on its request (RTE_ETH_EVENT_INTR_RESET, as a VF
 * after its PF reset), or with the failover port (its dev_reset). TX has
 * left it (the event bit, or the failover port is stopped), it leaves the
 * fast path and stops, rte_eth_dev_reset() brings it back to a just-probed
 * state (a PMD without the op, -ENOTSUP, is only stopped), the failover
 * port's state is replayed onto it if there is one (a failover port being
 * reset has none: it is unconfigured) and it starts again if it ran; the
 * path rule then takes it back. One whose reset or set-up fails leaves.
 */
void
fo_sub_reset(struct fo_priv *priv, struct fo_sub *s)
{
	bool started = fo_sub_state(s) >= FO_SUB_DRAINING;
	uint32_t ev;
	int ret;

	FO_LOCK_ASSERT(priv);
	ev = __atomic_fetch_and(&s->ev, ~FO_EV_RESET, __ATOMIC_ACQ_REL);
	if (fo_sub_state(s) == FO_SUB_ABSENT)
		return;
	FO_LOG(NOTICE, "%s: %s port %u reset%s", priv->dev->data->name,
	       fo_role_name[s->role], s->port_id, ev & FO_EV_RESET ? " on its request" : "");
	fo_sub_stop(priv, s);
	fo_stats_fold(priv, s, true);  /* its counters restart from zero */
	ret = rte_eth_dev_reset(s->port_id);
	if (ret == -ENOTSUP) {
		FO_LOG(INFO, "%s: %s port %u has no reset: only stopped", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id);
		ret = 0;
	}
	if (ret == 0 && priv->dev->data->dev_configured)
		ret = fo_sub_replay(priv, s);
	if (ret == 0 && started)
		ret = fo_sub_start(priv, s);
	if (ret != 0) {
		FO_LOG(ERR, "%s: %s port %u: reset failed (%s): it leaves", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
		fo_sub_release(priv, s, false);
	}
}

/* Pre-attach check: can the port carry what the application configured? */
int
fo_sub_fit(struct fo_priv *priv, uint16_t port, int role)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct rte_eth_dev_info info;
	char why[128];
	uint64_t miss;

	if (!data->dev_configured)
		return 0;
	why[0] = '\0';
	if (rte_eth_dev_info_get(port, &info) != 0)
		snprintf(why, sizeof(why), "no device info");
	else if (info.max_rx_queues < data->nb_rx_queues || info.max_tx_queues < data->nb_tx_queues)
		snprintf(why, sizeof(why), "%u/%u rx/tx queues at most, %u/%u configured",
			 info.max_rx_queues, info.max_tx_queues, data->nb_rx_queues,
			 data->nb_tx_queues);
	else if (data->mtu > info.max_mtu || data->mtu < info.min_mtu)
		snprintf(why, sizeof(why), "MTU %u-%u, %u configured", info.min_mtu,
			 info.max_mtu, data->mtu);
	else if ((miss = data->dev_conf.rxmode.offloads & ~info.rx_offload_capa) != 0)
		snprintf(why, sizeof(why), "rx offloads 0x%" PRIx64 " enabled but missing", miss);
	else if ((miss = data->dev_conf.txmode.offloads & ~info.tx_offload_capa) != 0)
		snprintf(why, sizeof(why), "tx offloads 0x%" PRIx64 " enabled but missing", miss);
	if (why[0] == '\0')
		return 0;
	FO_LOG(ERR, "%s: port %u (%s) unfit as %s: %s", data->name, port,
	       rte_eth_devices[port].data->name, fo_role_name[role], why);
	return -EINVAL;
}

/* Remember how the role's device can be probed again (RTE_DEV_EVENT_ADD). */
static void
fo_sub_remember(struct fo_priv *priv, struct fo_sub *s, uint16_t port)
{
	const struct rte_device *rdev = rte_eth_devices[port].device;
	const struct rte_devargs *da;

	if (rdev == NULL || priv->args.dev[s->role] != NULL)
		return;  /* devargs named it: their string is kept */
	strlcpy(s->dev_name, rdev->name, sizeof(s->dev_name));
	da = rdev->devargs;
	if (da != NULL && da->args != NULL && da->args[0] != '\0')
		snprintf(s->devstr, sizeof(s->devstr), "%s,%s", rdev->name, da->args);
	else
		strlcpy(s->devstr, rdev->name, sizeof(s->devstr));
}

static int
fo_sub_set_mac(struct fo_priv *priv, uint16_t port)
{
	struct rte_ether_addr *mac = &priv->dev->data->mac_addrs[0];
	struct rte_ether_addr cur;
	char want[RTE_ETHER_ADDR_FMT_SIZE], has[RTE_ETHER_ADDR_FMT_SIZE];
	int ret;

	if (rte_eth_macaddr_get(port, &cur) == 0 && rte_is_same_ether_addr(&cur, mac))
		return 0;
	ret = rte_eth_dev_default_mac_addr_set(port, mac);
	if (ret == 0)
		return 0;
	rte_ether_format_addr(want, sizeof(want), mac);
	rte_ether_format_addr(has, sizeof(has), &cur);
	FO_LOG(ERR, "%s: port %u (%s) refuses MAC %s and has %s: not adopted",
	       priv->dev->data->name, port, rte_eth_devices[port].data->name, want, has);
	return ret;
}

/*
 * Replay: bring a joining sub-port to the failover port's state, read
 * from where ethdev keeps it (dev->data, our queues) and, for what it
 * keeps nowhere, from priv (the multicast list, the RSS hash update,
 * per-queue VLAN strip, TPIDs, flow control, link down).
 */
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
fo_replay_queues(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	const struct fo_rxq *rq;
	const struct fo_txq *tq;
	uint16_t q;

	for (q = 0; q < data->nb_rx_queues; q++) {
		rq = data->rx_queues[q];
		if (rq != NULL)
			FO_REPLAY(priv, s, "an rx queue",
				  rte_eth_rx_queue_setup(s->port_id, q, rq->conf.nb_desc,
							 rq->conf.socket, &rq->conf.conf,
							 rq->conf.mp));
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		tq = data->tx_queues[q];
		if (tq != NULL)
			FO_REPLAY(priv, s, "a tx queue",
				  rte_eth_tx_queue_setup(s->port_id, q, tq->conf.nb_desc,
							 tq->conf.socket, &tq->conf.conf));
	}
	return 0;
}

static int
fo_replay_addrs(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	const struct rte_vlan_filter_conf *vf = &data->vlan_filter_conf;
	uint16_t port = s->port_id;
	unsigned int i;

	for (i = 1; i < FO_MAX_MAC_ADDRS; i++)
		if (!rte_is_zero_ether_addr(&data->mac_addrs[i]))
			FO_REPLAY(priv, s, "extra MAC",
				  rte_eth_dev_mac_addr_add(port, &data->mac_addrs[i], 0));
	if (priv->nb_mc > 0)
		FO_REPLAY(priv, s, "multicast list",
			  rte_eth_dev_set_mc_addr_list(port, priv->mc, priv->nb_mc));
	for (i = 0; i < RTE_ETHER_MAX_VLAN_ID + 1; i++)
		if (vf->ids[i / 64] & RTE_BIT64(i % 64))
			FO_REPLAY(priv, s, "VLAN filter", rte_eth_dev_vlan_filter(port, i, 1));
	return 0;
}

/*
 * VLAN offloads need no step of their own: ethdev records them in
 * dev_conf.rxmode.offloads, which fo_sub_configure() passes on. What it
 * records nowhere is kept in priv: per-queue stripping, TPIDs, flow
 * control, and a link the application set down (set again after a start:
 * see fo_sub_start()).
 */
static int
fo_replay_vlan_fc(struct fo_priv *priv, struct fo_sub *s)
{
	uint16_t port = s->port_id, q;
	unsigned int t;

	for (q = 0; q < priv->dev->data->nb_rx_queues; q++)
		if (priv->strip_q_set[q / 64] & RTE_BIT64(q % 64))
			FO_REPLAY(priv, s, "a queue's VLAN strip",
				  rte_eth_dev_set_vlan_strip_on_queue(port, q,
					!!(priv->strip_q_on[q / 64] & RTE_BIT64(q % 64))));
	for (t = 0; t < RTE_ETH_VLAN_TYPE_MAX; t++)
		if (priv->tpid[t] != 0)
			FO_REPLAY(priv, s, "a VLAN TPID",
				  rte_eth_dev_set_vlan_ether_type(port, t, priv->tpid[t]));
	if (priv->fc_set)
		FO_REPLAY(priv, s, "flow control", rte_eth_dev_flow_ctrl_set(port, &priv->fc));
	if (priv->link_down)
		FO_REPLAY(priv, s, "link down", rte_eth_dev_set_link_down(port));
	return 0;
}

/* A port that cannot turn a receive mode off (net_null) only receives more. */
static int
fo_off_ok(int ret)
{
	return ret == -ENOTSUP ? 0 : ret;
}

static int
fo_sub_replay(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint16_t port = s->port_id, mtu = 0;

	FO_REPLAY(priv, s, "the configuration", fo_sub_configure(priv, s));
	FO_REPLAY(priv, s, "the queues", fo_replay_queues(priv, s));
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
	FO_REPLAY(priv, s, "VLAN and flow control", fo_replay_vlan_fc(priv, s));
	FO_REPLAY(priv, s, "the flow rules", fo_flow_replay(priv, s));
	return 0;
}

/*
 * ABSENT -> HELD (-> STARTED when the failover port runs): a port handed
 * over for the role, fit, given our MAC and our state. Refused ports are
 * given back (and closed when we probed them) and counted.
 */
static void
fo_sub_adopt(struct fo_priv *priv, struct fo_sub *s, uint16_t port)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	int ret;

	const char *why = "unfit for the failover port's configuration";

	FO_LOCK_ASSERT(priv);
	/* an application may have set it up and started it before us */
	if (rte_eth_devices[port].data->dev_started)
		rte_eth_dev_stop(port);
	ret = fo_sub_fit(priv, port, s->role);
	if (ret == 0) {
		why = "refuses the failover MAC";
		ret = fo_sub_set_mac(priv, port);
	}
	if (ret == 0) {
		__atomic_store_n(&s->port_id, port, __ATOMIC_RELEASE);
		fo_sub_link_down(s);
		memset(&s->st, 0, sizeof(s->st));
		why = "cannot take the failover port's state";
		if (data->dev_configured)
			ret = fo_sub_replay(priv, s);
		if (ret == 0) {
			fo_sub_state_set(s, FO_SUB_HELD);
			why = "does not start";
		}
		if (ret == 0 && __atomic_load_n(&priv->running, __ATOMIC_ACQUIRE))
			ret = fo_sub_start(priv, s);
	}
	if (ret != 0) {
		if (fo_sub_state(s) >= FO_SUB_DRAINING)
			rte_eth_dev_stop(port);
		fo_flow_sub_drop(priv, s);
		fo_sub_state_set(s, FO_SUB_ABSENT);
		__atomic_store_n(&s->port_id, FO_NO_PORT, __ATOMIC_RELEASE);
		priv->refused++;
		snprintf(s->why, sizeof(s->why), "port %u (%s) %s (%s)", port,
			 rte_eth_devices[port].data->name, why, rte_strerror(-ret));
		FO_LOG(WARNING, "%s: %s refused: %s", data->name, fo_role_name[s->role], s->why);
		/* a device of our own device string: nobody else will use it */
		fo_port_release(priv, s, port, false, false);
		return;
	}
	s->why[0] = '\0';
	fo_sub_remember(priv, s, port);
	fo_guard_set(priv, port);
	FO_LOG(INFO, "%s: port %u (%s) joined as %s", data->name, port,
	       rte_eth_devices[port].data->name, fo_role_name[s->role]);
}

/*
 * Which role a port handed over takes: the one whose device name it has,
 * else, matched by MAC, the standby for a virtio port (virtio driver, or a
 * virtio-user device) and the primary for any other (Linux's net_failover
 * decides the same in the driver, not in net/core/failover.c).
 */
static int
fo_role_of(uint16_t port, int hint)
{
	const struct rte_eth_dev *dev = &rte_eth_devices[port];
	const struct rte_device *d = dev->device;

	if (hint >= 0 && hint < FO_NB_SUBS)
		return hint;
	if (d != NULL && d->driver != NULL && strstr(d->driver->name, "virtio") != NULL)
		return FO_STANDBY;
	if ((d != NULL && strstr(d->name, "virtio_user") != NULL) ||
	    strstr(dev->data->name, "virtio_user") != NULL)
		return FO_STANDBY;
	return FO_PRIMARY;
}

/* A port handed over and not attached yet is looked at again after this. */
#define FO_CAND_RETRY_US 100

/*
 * Take the candidates that are attached and due by now; the others stay.
 * *wake: in how many microseconds the next one is to be looked at (0: none).
 */
static unsigned int
fo_cands_take(struct fo_priv *priv, struct fo_cand *out, uint64_t *wake)
{
	uint64_t now = rte_get_timer_cycles(), us;
	const struct fo_cand *c;
	unsigned int i = 0, n = 0;

	*wake = 0;
	rte_spinlock_lock(&priv->cand_lock);
	while (i < priv->nb_cand) {
		c = &priv->cand[i];
		us = 0;
		if (rte_eth_devices[c->port].state != RTE_ETH_DEV_ATTACHED)
			us = FO_CAND_RETRY_US;
		else if (c->due > now)
			us = (c->due - now) * 1000000 / rte_get_timer_hz() + 1;
		if (us != 0) {
			*wake = *wake == 0 ? us : RTE_MIN(*wake, us);
			i++;
			continue;
		}
		out[n++] = *c;
		priv->cand[i] = priv->cand[--priv->nb_cand];
	}
	rte_spinlock_unlock(&priv->cand_lock);
	return n;
}

/*
 * The failover port's MAC: devargs, else the standby's, else the primary's;
 * an address that is not unicast (net_ring's is all zeros) is passed over.
 */
static void
fo_mac_choose(struct fo_priv *priv, const struct fo_cand *c, const int *role, unsigned int n)
{
	struct rte_ether_addr *mac = &priv->dev->data->mac_addrs[0], m;
	unsigned int i;
	int r;

	for (r = FO_STANDBY; r >= FO_PRIMARY; r--)
		for (i = 0; i < n; i++)
			if (role[i] == r && rte_eth_macaddr_get(c[i].port, &m) == 0 &&
			    rte_is_valid_assigned_ether_addr(&m)) {
				*mac = m;
				rte_failover_set_mac(priv->fo, mac);
				return;
			}
}

/*
 * Adopt what lib/failover handed over, once attached and due: each port
 * takes its role, or is refused (role held) and given back. Returns in how
 * many microseconds the candidates left are to be looked at (0: none left).
 */
uint64_t
fo_cands_settle(struct fo_priv *priv)
{
	struct fo_cand c[FO_NB_CAND];
	int role[FO_NB_CAND];
	unsigned int n, i;
	struct fo_sub *s;
	uint64_t wake;

	FO_LOCK_ASSERT(priv);
	n = fo_cands_take(priv, c, &wake);
	for (i = 0; i < n; i++)
		role[i] = fo_role_of(c[i].port, c[i].hint);
	if (rte_is_zero_ether_addr(&priv->dev->data->mac_addrs[0]))
		fo_mac_choose(priv, c, role, n);
	for (i = 0; i < n; i++) {
		s = &priv->sub[role[i]];
		if (fo_sub_state(s) == FO_SUB_ABSENT) {
			fo_sub_adopt(priv, s, c[i].port);
			continue;
		}
		priv->refused++;
		FO_LOG(WARNING, "%s: port %u (%s) refused: %s role already held by port %u",
		       priv->dev->data->name, c[i].port, rte_eth_devices[c[i].port].data->name,
		       fo_role_name[s->role], s->port_id);
		rte_failover_release(priv->fo, c[i].port);
	}
	return wake;
}

/*
 * Closing: the candidates never adopted are given back; one of a device we
 * probed ourselves (a role's devargs device string) is closed and removed.
 */
void
fo_cands_drop(struct fo_priv *priv)
{
	struct rte_device *rdev;
	struct fo_sub *s;
	uint16_t port;

	FO_LOCK_ASSERT(priv);
	rte_spinlock_lock(&priv->cand_lock);
	while (priv->nb_cand > 0) {
		port = priv->cand[--priv->nb_cand].port;
		rte_spinlock_unlock(&priv->cand_lock);
		rte_failover_release(priv->fo, port);
		rdev = rte_eth_devices[port].device;
		for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++)
			if (s->probed && fo_sub_state(s) == FO_SUB_ABSENT && rdev != NULL &&
			    strcmp(rdev->name, priv->args.name[s->role]) == 0)
				fo_port_release(priv, s, port, true, false);
		rte_spinlock_lock(&priv->cand_lock);
	}
	rte_spinlock_unlock(&priv->cand_lock);
}
