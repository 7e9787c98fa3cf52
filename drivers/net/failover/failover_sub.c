/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Sub-port lifecycle: adoption of the ports lib/failover hands over, link
 * tracking (events plus polling), path selection and the grace period that
 * lets a sub-port be stopped while other lcores may be inside a burst.
 *
 * Locking: every change happens under priv->lock (recursive, control path
 * only). Event callbacks never take it: they record the event and kick an
 * alarm; the alarm handler only try-locks and re-arms itself when busy, so
 * a control thread that waits for the interrupt thread never deadlocks.
 */

#include <errno.h>
#include <inttypes.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_pause.h>

#include "failover_private.h"

const char *const fo_role_name[FO_NB_SUBS + 1] = { "primary", "standby", "none" };

void
fo_lock(struct fo_priv *priv)
{
	pthread_mutex_lock(&priv->lock);
}

void
fo_unlock(struct fo_priv *priv)
{
	pthread_mutex_unlock(&priv->lock);
}

/* On the fast path: present, started and not destroyed under us. */
static bool
fo_sub_usable(const struct fo_sub *s)
{
	return s->port_id != FO_NO_PORT && s->started &&
	       !__atomic_load_n(&s->gone, __ATOMIC_SEQ_CST);
}

/* Fit for transmit: usable, link up and not on its way out. */
static bool
fo_sub_ready(const struct fo_sub *s)
{
	return fo_sub_usable(s) && s->link_up && !s->draining &&
	       !__atomic_load_n(&s->leaving, __ATOMIC_ACQUIRE);
}

static void
fo_link_publish(struct fo_priv *priv, int role)
{
	struct rte_eth_dev *dev = priv->dev;
	struct rte_eth_link link = { 0 };

	if (role != FO_NONE) {
		link = priv->sub[role].link;
		link.link_status = RTE_ETH_LINK_UP;
	} else {
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
		link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
		link.link_status = RTE_ETH_LINK_DOWN;
	}
	if (rte_eth_linkstatus_set(dev, &link) != 0)
		return;  /* status unchanged (speed may have) */
	FO_LOG(INFO, "%s: link %s", dev->data->name, link.link_status ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc && dev->data->dev_started)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* The paths the sub-ports' state calls for. */
static union fo_fp
fo_paths_choose(const struct fo_priv *priv)
{
	const struct fo_sub *p = &priv->sub[FO_PRIMARY], *s = &priv->sub[FO_STANDBY];
	const struct fo_sub *main_sub, *other;
	union fo_fp fp;

	fp.role = fo_sub_ready(p) ? FO_PRIMARY : fo_sub_ready(s) ? FO_STANDBY : FO_NONE;
	main_sub = fp.role != FO_NONE ? &priv->sub[fp.role] : p;
	other = main_sub == p ? s : p;
	if (!fo_sub_usable(main_sub)) {
		main_sub = other;
		other = NULL;
	}
	fp.tx = fp.role != FO_NONE ? priv->sub[fp.role].port_id : FO_NO_PORT;
	fp.rx_main = fo_sub_usable(main_sub) ? main_sub->port_id : FO_NO_PORT;
	fp.rx_other = other != NULL && fo_sub_usable(other) ? other->port_id : FO_NO_PORT;
	return fp;
}

static int
fo_port_role(const struct fo_priv *priv, uint16_t port)
{
	int r;

	for (r = 0; port != FO_NO_PORT && r < FO_NB_SUBS; r++)
		if (priv->sub[r].port_id == port)
			return r;
	return FO_NONE;
}

/*
 * Point every queue at the slots the word designates. Under pub_lock: the
 * control path and the event callbacks that take a port off both publish.
 */
static void
fo_queues_point(struct fo_priv *priv, union fo_fp fp)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	int main_r = fo_port_role(priv, fp.rx_main), other_r = fo_port_role(priv, fp.rx_other);
	int tx_r = fo_port_role(priv, fp.tx);
	struct fo_rxq *rq;
	struct fo_txq *tq;
	uint16_t i;

	__atomic_store_n(&priv->fp.word, fp.word, __ATOMIC_RELEASE);
	for (i = 0; i < data->nb_rx_queues; i++) {
		rq = data->rx_queues[i];
		if (rq == NULL)
			continue;
		__atomic_store_n(&rq->main, &rq->slot[main_r], __ATOMIC_RELEASE);
		__atomic_store_n(&rq->other, &rq->slot[other_r], __ATOMIC_RELEASE);
	}
	for (i = 0; i < data->nb_tx_queues; i++) {
		tq = data->tx_queues[i];
		if (tq != NULL)
			__atomic_store_n(&tq->tx, &tq->slot[tx_r], __ATOMIC_RELEASE);
	}
}

/*
 * Fill a started sub-port's slots in every queue, before any path that
 * uses it is published: its burst functions and queues as ethdev set them
 * at its start (rte_eth_fp_ops). The slots were unused since it stopped.
 */
static void
fo_slots_fill(struct fo_priv *priv, const struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	const struct rte_eth_fp_ops *ops = &rte_eth_fp_ops[s->port_id];
	struct fo_rxq *rq;
	struct fo_txq *tq;
	uint16_t i;

	for (i = 0; i < data->nb_rx_queues; i++) {
		rq = data->rx_queues[i];
		if (rq == NULL)
			continue;
		rq->slot[s->role].fn = ops->rx_pkt_burst;
		rq->slot[s->role].q = ops->rxq.data[i];
	}
	for (i = 0; i < data->nb_tx_queues; i++) {
		tq = data->tx_queues[i];
		if (tq == NULL)
			continue;
		tq->slot[s->role].fn = ops->tx_pkt_burst;
		tq->slot[s->role].q = ops->txq.data[i];
	}
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
}

/*
 * Publish the paths the sub-ports' state calls for. Under pub_lock, so
 * that a concurrent fo_on_detach() taking a destroyed port off is never
 * undone: whichever comes second sees the port gone.
 */
void
fo_paths_update(struct fo_priv *priv)
{
	union fo_fp old, fp;

	rte_spinlock_lock(&priv->pub_lock);
	old = priv->fp;
	fp = fo_paths_choose(priv);
	fo_queues_point(priv, fp);
	rte_spinlock_unlock(&priv->pub_lock);
	if (fp.role != FO_NONE && priv->last_role != FO_NONE && fp.role != priv->last_role)
		priv->path_switches++;
	if (fp.role != FO_NONE)
		priv->last_role = fp.role;
	if (old.role != fp.role) {
		FO_LOG(INFO, "%s: active path %s -> %s", priv->dev->data->name,
		       fo_role_name[old.role], fo_role_name[fp.role]);
	}
	fo_link_publish(priv, fp.role);
}

static void
fo_links_refresh(struct fo_priv *priv)
{
	struct fo_sub *s;

	FO_FOREACH_SUB(priv, s) {
		if (!s->started || rte_eth_link_get_nowait(s->port_id, &s->link) != 0) {
			s->link_up = false;
			continue;
		}
		s->link_up = s->link.link_status == RTE_ETH_LINK_UP;
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

int
fo_sub_configure(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct rte_eth_conf conf = data->dev_conf;
	int ret;

	conf.intr_conf.lsc = fo_sub_lsc_ok(s->port_id);
	conf.intr_conf.rmv = !!(rte_eth_devices[s->port_id].data->dev_flags &
				RTE_ETH_DEV_INTR_RMV);
	conf.intr_conf.rxq = 0;
	conf.rxmode.mtu = data->mtu;
	ret = rte_eth_dev_configure(s->port_id, data->nb_rx_queues, data->nb_tx_queues, &conf);
	if (ret != 0)
		FO_LOG(ERR, "%s: configure of %s port %u failed: %s", data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
	s->configured = ret == 0;
	return ret;
}

int
fo_sub_start(struct fo_priv *priv, struct fo_sub *s)
{
	int ret;

	if (s->started)
		return 0;
	ret = rte_eth_dev_start(s->port_id);
	if (ret != 0) {
		FO_LOG(ERR, "%s: start of %s port %u failed: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
		return ret;
	}
	fo_slots_fill(priv, s);
	s->started = true;
	return 0;
}

/* Take a sub-port off the fast path, wait for bursts to leave it, stop it. */
void
fo_sub_stop(struct fo_priv *priv, struct fo_sub *s)
{
	int ret;

	if (!s->started)
		return;
	s->started = false;
	s->link_up = false;
	fo_paths_update(priv);
	fo_quiesce(priv);
	ret = rte_eth_dev_stop(s->port_id);
	if (ret != 0)
		FO_LOG(WARNING, "%s: stop of %s port %u failed: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, rte_strerror(-ret));
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

	rte_failover_release(priv->fo, port);
	if (close || s->probed)
		rte_eth_dev_close(port);
	if (remove && rte_dev_is_probed(rdev) && rte_dev_remove(rdev) != 0)
		FO_LOG(WARNING, "%s: could not remove device %s", priv->dev->data->name,
		       rdev->name);
	s->probed = false;
}

/* Release a sub-port for good: stop, fold its counters, close it once. */
static void
fo_sub_release(struct fo_priv *priv, struct fo_sub *s, bool unplug)
{
	uint16_t port = s->port_id;

	if (port == FO_NO_PORT)
		return;
	fo_sub_stop(priv, s);
	fo_stats_fold(priv, s, true);
	s->port_id = FO_NO_PORT;
	s->configured = false;
	fo_paths_update(priv);
	fo_port_release(priv, s, port, true, unplug);
}

void
fo_sub_drop(struct fo_priv *priv, struct fo_sub *s)
{
	fo_sub_release(priv, s, false);
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
	if (!data->dev_started || rte_eth_dev_is_removed(s->port_id))
		return;
	while ((now = rte_get_timer_cycles()) < end) {
		if (rte_eth_stats_get(s->port_id, &st) == 0 && st.ipackets != seen) {
			seen = st.ipackets;
			last = now;
		}
		if (now - last >= quiet && !fo_rxq_busy(s->port_id, data->nb_rx_queues))
			break;
		rte_delay_us_sleep(100);
	}
	FO_LOG(DEBUG, "%s: %s port %u drained in %.1f ms", data->name, fo_role_name[s->role],
	       s->port_id, (now - start) * 1000.0 / hz);
}

/*
 * A sub-port announced to go (RMV, RTE_DEV_EVENT_REMOVE, or the API):
 * make before break. TX moves to the other sub-port, the grace period lets
 * every burst leave it, its rings are drained, and it is stopped, closed
 * once and its device removed (it is being unplugged).
 */
void
fo_sub_leave(struct fo_priv *priv, struct fo_sub *s)
{
	uint16_t port = s->port_id;

	if (port != FO_NO_PORT) {
		FO_LOG(NOTICE, "%s: %s port %u (%s) leaving", priv->dev->data->name,
		       fo_role_name[s->role], port, rte_eth_devices[port].data->name);
		s->draining = true;
		fo_links_refresh(priv);
		fo_paths_update(priv);
		fo_quiesce(priv);
		fo_sub_drain(priv, s);
		fo_sub_release(priv, s, true);
		s->draining = false;
	}
	__atomic_store_n(&s->leaving, false, __ATOMIC_RELEASE);
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

/* The failover port's MAC: devargs, else the standby's, else the primary's. */
static void
fo_mac_choose(struct fo_priv *priv)
{
	struct rte_ether_addr *mac = &priv->dev->data->mac_addrs[0];
	uint16_t port;
	int r;

	if (!rte_is_zero_ether_addr(mac))
		return;
	for (r = FO_STANDBY; r >= FO_PRIMARY; r--) {
		port = priv->sub[r].pending_port;
		if (port != FO_NO_PORT && rte_eth_macaddr_get(port, mac) == 0)
			break;
	}
	if (!rte_is_zero_ether_addr(mac))
		rte_failover_set_mac(priv->fo, mac);
}

static void
fo_sub_adopt(struct fo_priv *priv, struct fo_sub *s, uint16_t port)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	int ret;

	/* an application may have set it up and started it before us */
	if (rte_eth_devices[port].data->dev_started)
		rte_eth_dev_stop(port);
	ret = fo_sub_fit(priv, port, s->role);
	if (ret == 0)
		ret = fo_sub_set_mac(priv, port);
	if (ret == 0) {
		s->port_id = port;
		s->started = false;
		s->link_up = false;
		memset(&s->st, 0, sizeof(s->st));
		if (data->dev_configured)
			ret = fo_sub_replay(priv, s);
		if (ret == 0 && data->dev_started)
			ret = fo_sub_start(priv, s);
	}
	if (ret != 0) {
		if (s->port_id != FO_NO_PORT && s->started)
			rte_eth_dev_stop(port);
		s->port_id = FO_NO_PORT;
		s->started = false;
		priv->refused++;
		/* a device of our own device string: nobody else will use it */
		fo_port_release(priv, s, port, false, false);
		return;
	}
	fo_sub_remember(priv, s, port);
	FO_LOG(INFO, "%s: port %u (%s) joined as %s", data->name, port,
	       rte_eth_devices[port].data->name, fo_role_name[s->role]);
}

/* Apply what the events recorded; refresh links; publish the paths. */
void
fo_sync(struct fo_priv *priv)
{
	struct fo_sub *s;
	uint16_t port;

	if (priv->closing)
		return;
	fo_mac_choose(priv);
	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++) {
		if (__atomic_exchange_n(&s->gone, false, __ATOMIC_ACQ_REL) &&
		    s->port_id != FO_NO_PORT) {
			/* Destroyed under us: its counters are gone with it. */
			fo_stats_fold(priv, s, false);
			s->port_id = FO_NO_PORT;
			s->started = false;
			s->probed = false;
		}
		if (__atomic_load_n(&s->leaving, __ATOMIC_ACQUIRE))
			fo_sub_leave(priv, s);
	}
	/* devices announced by RTE_DEV_EVENT_ADD, once a role may be free */
	fo_hp_run(priv);
	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++) {
		port = __atomic_exchange_n(&s->pending_port, FO_NO_PORT, __ATOMIC_ACQ_REL);
		if (port != FO_NO_PORT && s->port_id == FO_NO_PORT)
			fo_sub_adopt(priv, s, port);
	}
	fo_links_refresh(priv);
	fo_paths_update(priv);
}

static void fo_alarm(void *arg);

/* Have fo_sync() run soon from the interrupt thread (callbacks call it). */
void
fo_kick(struct fo_priv *priv)
{
	if (!__atomic_exchange_n(&priv->kicked, true, __ATOMIC_ACQ_REL))
		rte_eal_alarm_set(1, fo_alarm, priv);
}

static void
fo_alarm(void *arg)
{
	struct fo_priv *priv = arg;

	__atomic_store_n(&priv->kicked, false, __ATOMIC_RELEASE);
	if (pthread_mutex_trylock(&priv->lock) != 0) {
		__atomic_store_n(&priv->kicked, true, __ATOMIC_RELEASE);
		rte_eal_alarm_set(100, fo_alarm, priv);
		return;
	}
	fo_sync(priv);
	fo_unlock(priv);
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
static void
fo_links_poll(struct fo_priv *priv)
{
	struct rte_eth_dev *dev;
	struct fo_sub *s;

	FO_FOREACH_SUB(priv, s) {
		dev = &rte_eth_devices[s->port_id];
		if (s->started && !__atomic_load_n(&s->gone, __ATOMIC_ACQUIRE) &&
		    dev->data->dev_conf.intr_conf.lsc && dev->dev_ops->link_update != NULL)
			dev->dev_ops->link_update(dev, 0);
	}
}

static void
fo_poll_alarm(void *arg)
{
	struct fo_priv *priv = arg;

	if (pthread_mutex_trylock(&priv->lock) == 0) {
		if (!priv->closing)
			fo_links_poll(priv);
		fo_sync(priv);
		fo_unlock(priv);
	} else {
		fo_kick(priv);  /* busy: fo_alarm retries the rest */
	}
	rte_eal_alarm_set(priv->args.link_poll_ms * 1000ULL, fo_poll_alarm, priv);
}

/* lib/failover ops: called from event callbacks, never block. */
static void
fo_on_attach(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	struct fo_priv *priv = ctx;

	__atomic_store_n(&priv->sub[role].pending_port, port_id, __ATOMIC_RELEASE);
	fo_kick(priv);
}

static void
fo_on_detach(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	struct fo_priv *priv = ctx;
	struct fo_sub *s = &priv->sub[role];
	union fo_fp fp;

	__atomic_store_n(&s->gone, true, __ATOMIC_SEQ_CST);
	/* Off the fast path at once; fo_sync() settles the rest. */
	rte_spinlock_lock(&priv->pub_lock);
	fp = priv->fp;
	if (fp.tx == port_id) {
		fp.tx = FO_NO_PORT;
		fp.role = FO_NONE;
	}
	if (fp.rx_main == port_id)
		fp.rx_main = FO_NO_PORT;
	if (fp.rx_other == port_id)
		fp.rx_other = FO_NO_PORT;
	fo_queues_point(priv, fp);
	rte_spinlock_unlock(&priv->pub_lock);
	/*
	 * Late notice: its PMD has closed it already. Wait at least for the
	 * bursts that could still reach it before ethdev frees its data.
	 */
	fo_quiesce(priv);
	fo_kick(priv);
}

/*
 * Early notice (RMV, RTE_DEV_EVENT_REMOVE): TX leaves the port at once,
 * to the other sub-port when the published paths have it with its link
 * up, else nowhere (bursts return the mbufs); fo_sync() does the rest.
 */
static void
fo_on_remove_request(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	struct fo_priv *priv = ctx;
	const struct fo_sub *other =
		&priv->sub[role == RTE_FAILOVER_PRIMARY ? FO_STANDBY : FO_PRIMARY];
	union fo_fp fp;
	uint16_t alt;

	__atomic_store_n(&priv->sub[role].leaving, true, __ATOMIC_RELEASE);
	rte_spinlock_lock(&priv->pub_lock);
	fp = priv->fp;
	if (fp.tx == port_id) {
		alt = fp.rx_main == port_id ? fp.rx_other : fp.rx_main;
		if (alt != FO_NO_PORT && alt == other->port_id && other->link_up) {
			fp.tx = alt;
			fp.role = other->role;
		} else {
			fp.tx = FO_NO_PORT;
			fp.role = FO_NONE;
		}
		fo_queues_point(priv, fp);
	}
	rte_spinlock_unlock(&priv->pub_lock);
	fo_kick(priv);
}

static int
fo_on_pre_attach(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	return fo_sub_fit(ctx, port_id, role);
}

/* RTE_DEV_EVENT_ADD: recorded; fo_sync() probes it once it is there. */
static void
fo_on_dev_add(void *ctx, const char *dev_name)
{
	fo_hp_announce(ctx, dev_name);
}

static void
fo_on_link_change(void *ctx, uint16_t port_id, enum rte_failover_role role)
{
	RTE_SET_USED(port_id);
	RTE_SET_USED(role);
	fo_kick(ctx);
}

static const struct rte_failover_ops fo_lib_ops = {
	.pre_attach = fo_on_pre_attach,
	.attach = fo_on_attach,
	.remove_request = fo_on_remove_request,
	.detach = fo_on_detach,
	.link_change = fo_on_link_change,
	.dev_add = fo_on_dev_add,
};

static int
fo_probe_devs(struct fo_priv *priv)
{
	int r, ret;

	for (r = 0; r < FO_NB_SUBS; r++) {
		if (!priv->args.probe[r])
			continue;
		ret = rte_dev_probe(priv->args.dev[r]);
		if (ret == -EEXIST) {
			FO_LOG(NOTICE, "%s: %s device %s exists already: adopting it",
			       priv->dev->data->name, fo_role_name[r], priv->args.name[r]);
		} else if (ret != 0) {
			FO_LOG(ERR, "%s: %s: probe of '%s' failed: %s", priv->dev->data->name,
			       fo_role_name[r], priv->args.dev[r], rte_strerror(-ret));
			return ret;
		} else {
			priv->sub[r].probed = true;
		}
	}
	return 0;
}

int
fo_sub_init(struct fo_priv *priv)
{
	struct rte_failover_conf conf = { .name = priv->dev->data->name };
	pthread_mutexattr_t attr;
	int r, ret;

	fo_membarrier_init();
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&priv->lock, &attr);
	rte_spinlock_init(&priv->pub_lock);
	rte_spinlock_init(&priv->hp_lock);
	pthread_mutexattr_destroy(&attr);
	priv->fp.tx = priv->fp.rx_main = priv->fp.rx_other = FO_NO_PORT;
	priv->fp.role = FO_NONE;
	priv->last_role = FO_NONE;
	for (r = 0; r < FO_NB_SUBS; r++) {
		priv->sub[r].role = r;
		priv->sub[r].port_id = FO_NO_PORT;
		priv->sub[r].pending_port = FO_NO_PORT;
		conf.dev_name[r] = priv->args.name[r];
		strlcpy(priv->sub[r].dev_name, priv->args.name[r], sizeof(priv->sub[r].dev_name));
		if (priv->args.dev[r] != NULL)
			strlcpy(priv->sub[r].devstr, priv->args.dev[r],
				sizeof(priv->sub[r].devstr));
	}
	conf.mac = priv->args.mac;
	conf.mac_set = priv->args.mac_set;
	/*
	 * Held until the instance is complete: from registration on, events
	 * may reach it from the interrupt thread; they only record and kick
	 * an alarm (fo_alarm), which waits for this lock.
	 */
	fo_lock(priv);
	priv->fo = rte_failover_register(&conf, &fo_lib_ops, priv);
	if (priv->fo == NULL) {
		fo_unlock(priv);
		FO_LOG(ERR, "%s: cannot register with lib/failover", conf.name);
		return -ENOMEM;
	}
	rte_failover_scan(priv->fo);
	ret = fo_probe_devs(priv);
	if (ret == 0) {
		rte_failover_flush(priv->fo);
		fo_sync(priv);
		if (priv->args.link_poll_ms > 0)
			rte_eal_alarm_set(priv->args.link_poll_ms * 1000ULL, fo_poll_alarm, priv);
	}
	fo_unlock(priv);
	if (ret != 0)
		fo_sub_uninit(priv);
	return ret;
}

/* Drop both sub-ports and stop listening; the opposite of fo_sub_init(). */
void
fo_sub_uninit(struct fo_priv *priv)
{
	struct fo_sub *s;

	fo_lock(priv);
	priv->closing = true;
	fo_unlock(priv);
	rte_eal_alarm_cancel(fo_poll_alarm, priv);
	rte_eal_alarm_cancel(fo_alarm, priv);
	fo_hp_uninit(priv);
	fo_lock(priv);
	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++) {
		if (s->port_id == FO_NO_PORT && s->probed) {
			/* probed by us but never adopted: still ours to remove */
			s->port_id = __atomic_load_n(&s->pending_port, __ATOMIC_ACQUIRE);
			if (s->port_id == FO_NO_PORT &&
			    rte_failover_port(priv->fo, s->role) != RTE_MAX_ETHPORTS)
				s->port_id = rte_failover_port(priv->fo, s->role);
		}
		fo_sub_drop(priv, s);
	}
	rte_failover_unregister(priv->fo);
	priv->fo = NULL;
	fo_unlock(priv);
	/* Events seen while dropping may have kicked again: no callback is left. */
	rte_eal_alarm_cancel(fo_alarm, priv);
	pthread_mutex_destroy(&priv->lock);
}
