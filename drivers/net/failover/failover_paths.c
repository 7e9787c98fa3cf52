/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The path rule and its publication. fo_paths_choose() is the only place
 * that decides which sub-port transmits and which are polled, from the
 * sub-ports' states alone; fo_paths_publish() is the only place that
 * turns its answer into the queues' slot pointers, counts switches (and
 * records the last one's time and cause) and reports the failover port's
 * link. The control path calls it after every change of state, and event
 * callbacks call it to take a port that is gone or leaving off the fast
 * path at once.
 *
 * pub_lock makes publications atomic with respect to each other: the
 * state a publisher reads is at least as new as the one the previous
 * publisher read (state changes that take a port off the fast path are
 * made before the publication that follows them, so whichever publisher
 * comes last sees them). Bursts never take it.
 *
 * While the port runs with a second path, a tick every rx_idle_poll_us
 * (an EAL alarm, armed by the publication that finds one, ended by the
 * first tick that does not) has every receive burst poll the inactive path
 * once: packets that arrive there while it is idle wait up to that long.
 */

#include <string.h>
#include <time.h>

#include <rte_alarm.h>
#include <rte_time.h>

#include "failover_private.h"

/*
 * The rule: TX on the primary when it is ready, else on the standby when
 * it is, else nowhere. The TX sub-port is polled on every receive burst
 * (rx_main), the other usable one sparsely (rx_other); with no TX path,
 * the primary's side is the main one. Ports that are not usable (absent,
 * stopped, destroyed) appear nowhere; a leaving one is polled, not used.
 */
union fo_fp
fo_paths_choose(const struct fo_sub sub[FO_NB_SUBS])
{
	const struct fo_sub *p = &sub[FO_PRIMARY], *s = &sub[FO_STANDBY];
	const struct fo_sub *main_sub, *other;
	union fo_fp fp;

	fp.role = fo_sub_ready(p) ? FO_PRIMARY : fo_sub_ready(s) ? FO_STANDBY : FO_NONE;
	main_sub = fp.role != FO_NONE ? &sub[fp.role] : p;
	other = main_sub == p ? s : p;
	if (!fo_sub_usable(main_sub)) {
		main_sub = other;
		other = NULL;
	}
	fp.tx = fp.role != FO_NONE ? sub[fp.role].port_id : FO_NO_PORT;
	fp.rx_main = fo_sub_usable(main_sub) ? main_sub->port_id : FO_NO_PORT;
	fp.rx_other = other != NULL && fo_sub_usable(other) ? other->port_id : FO_NO_PORT;
	return fp;
}

int
fo_port_role(const struct fo_priv *priv, uint16_t port)
{
	int r;

	for (r = 0; port != FO_NO_PORT && r < FO_NB_SUBS; r++)
		if (__atomic_load_n(&priv->sub[r].port_id, __ATOMIC_ACQUIRE) == port)
			return r;
	return FO_NONE;
}

/*
 * A failover queue the application stopped (rx/tx_queue_stop, or deferred
 * start) designates its FO_NONE slot: its bursts return nothing, whether
 * or not the sub-ports' PMDs can stop their own queue.
 */
static bool
fo_queue_on(const uint8_t *state, uint16_t qid)
{
	return __atomic_load_n(&state[qid], __ATOMIC_RELAXED) == RTE_ETH_QUEUE_STATE_STARTED;
}

/* Point every queue at the slots the word designates (under pub_lock). */
static void
fo_queues_point(struct fo_priv *priv, union fo_fp fp)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	int main_r = fo_port_role(priv, fp.rx_main), other_r = fo_port_role(priv, fp.rx_other);
	int tx_r = fo_port_role(priv, fp.tx), m, o;
	bool on;
	struct fo_rxq *rq;
	struct fo_txq *tq;
	uint16_t i;

	__atomic_store_n(&priv->fp.word, fp.word, __ATOMIC_RELEASE);
	for (i = 0; i < data->nb_rx_queues; i++) {
		rq = data->rx_queues[i];
		if (rq == NULL)
			continue;
		on = fo_queue_on(data->rx_queue_state, i);
		m = on ? main_r : FO_NONE;
		o = on ? other_r : FO_NONE;
		if (rq->main == &rq->slot[m] && rq->other == &rq->slot[o])
			continue;
		__atomic_store_n(&rq->main, &rq->slot[m], __ATOMIC_RELEASE);
		__atomic_store_n(&rq->other, &rq->slot[o], __ATOMIC_RELEASE);
		/* the old path's stragglers: polled by the next burst */
		__atomic_store_n(&rq->poll_other, 1, __ATOMIC_RELAXED);
	}
	for (i = 0; i < data->nb_tx_queues; i++) {
		tq = data->tx_queues[i];
		if (tq != NULL)
			__atomic_store_n(&tq->tx, &tq->slot[fo_queue_on(data->tx_queue_state, i) ?
							    tx_r : FO_NONE],
					 __ATOMIC_RELEASE);
	}
}

/*
 * Fill a sub-port's slots in every queue from what ethdev set at its start
 * (rte_eth_fp_ops), before it is marked started: no published pointer
 * designates them then, and none has since it last stopped (grace period).
 */
void
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

/* Why a sub-port cannot transmit: the first of enum fo_cond's order. */
static enum fo_cond
fo_sub_cond(const struct fo_sub *s)
{
	static const struct { uint32_t ev; enum fo_cond cond; } evs[] = {
		{ FO_EV_GONE, FO_COND_GONE }, { FO_EV_DYING, FO_COND_DYING },
		{ FO_EV_LEAVE, FO_COND_LEAVE }, { FO_EV_RESET, FO_COND_RESET },
	};
	enum fo_sub_state st = fo_sub_state(s);
	uint32_t ev = fo_sub_ev(s);
	unsigned int i;

	if (st == FO_SUB_ABSENT)
		return FO_COND_ABSENT;
	for (i = 0; i < RTE_DIM(evs); i++)
		if (ev & evs[i].ev)
			return evs[i].cond;
	if (st == FO_SUB_HELD)
		return FO_COND_HELD;
	if (st == FO_SUB_DRAINING)
		return FO_COND_DRAINING;
	return fo_sub_link_up(s) ? FO_COND_READY : FO_COND_LINK_DOWN;
}

/*
 * Record a switch from role from to role to (pub_lock): the old path's
 * condition when it cannot transmit any more, else (a failback) the one
 * the new path was in at the previous publication.
 */
static void
fo_switch_record(struct fo_priv *priv, uint16_t from, uint16_t to, const uint8_t cond[])
{
	struct fo_switch *sw = &priv->last_switch;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	sw->time_ns = rte_timespec_to_ns(&ts);
	sw->from = from;
	sw->to = to;
	sw->back = cond[from] == FO_COND_READY;
	sw->role = sw->back ? to : from;
	sw->cond = sw->back ? priv->cond[to] : cond[from];
}

/*
 * TX moved from one sub-port to the other (not to or from no path, and not
 * because the application stops the port: see fo_paths_stopping()).
 */
static void
fo_switch_count(struct fo_priv *priv, uint16_t role)
{
	uint8_t cond[FO_NB_SUBS];
	int r;

	for (r = 0; r < FO_NB_SUBS; r++)
		cond[r] = fo_sub_cond(&priv->sub[r]);
	if (role != FO_NONE && !priv->stopping) {
		if (priv->last_role != FO_NONE && role != priv->last_role) {
			priv->path_switches++;
			fo_switch_record(priv, priv->last_role, role, cond);
		}
		priv->last_role = role;
	}
	memcpy(priv->cond, cond, sizeof(priv->cond));
}

struct fo_switch
fo_paths_last_switch(struct fo_priv *priv)
{
	struct fo_switch sw;

	rte_spinlock_lock(&priv->pub_lock);
	sw = priv->last_switch;
	rte_spinlock_unlock(&priv->pub_lock);
	return sw;
}

/* "primary link down", "primary link up" (a failback)...: snprintf's return. */
int
fo_switch_cause(const struct fo_switch *sw, char *buf, size_t len)
{
	static const char *const name[FO_COND_NB][2] = {
		/* [cond] = { entered, left } */
		[FO_COND_ABSENT] = { "removed", "adopted" },
		[FO_COND_GONE] = { "gone", "back" },
		[FO_COND_DYING] = { "dying", "back" },
		[FO_COND_LEAVE] = { "leave", "back" },
		[FO_COND_RESET] = { "reset", "reset done" },
		[FO_COND_HELD] = { "stopped", "started" },
		[FO_COND_DRAINING] = { "draining", "started" },
		[FO_COND_LINK_DOWN] = { "link down", "link up" },
		[FO_COND_READY] = { "ready", "ready" },
	};

	if (sw->time_ns == 0)
		return snprintf(buf, len, "none");
	return snprintf(buf, len, "%s %s", fo_role_name[sw->role], name[sw->cond][sw->back]);
}

/* The failover port's link: up with the TX sub-port's, down without one. */
static void
fo_link_report(struct fo_priv *priv, int role)
{
	struct rte_eth_dev *dev = priv->dev;
	struct rte_eth_link link = { 0 };

	if (role != FO_NONE) {
		link = fo_sub_link(&priv->sub[role]);
		link.link_status = RTE_ETH_LINK_UP;
	} else {
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
		link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
		link.link_status = RTE_ETH_LINK_DOWN;
	}
	if (rte_eth_linkstatus_set(dev, &link) != 0)
		return;  /* status unchanged (speed may have) */
	FO_LOG(INFO, "%s: link %s", dev->data->name, link.link_status ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc && __atomic_load_n(&priv->running, __ATOMIC_ACQUIRE))
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/*
 * The application stops the port: while its sub-ports stop one after the
 * other, TX passes through the other one, which is no switch; once
 * stopped, the next start begins with no path to switch from.
 */
void
fo_paths_stopping(struct fo_priv *priv, bool on)
{
	rte_spinlock_lock(&priv->pub_lock);
	priv->stopping = on;
	if (!on)
		priv->last_role = FO_NONE;
	rte_spinlock_unlock(&priv->pub_lock);
}

/* Have every receive queue's next burst poll the inactive path (pub_lock). */
static void
fo_rxqs_poll_other(struct fo_priv *priv)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct fo_rxq *rq;
	uint16_t i;

	for (i = 0; i < data->nb_rx_queues; i++) {
		rq = data->rx_queues[i];
		if (rq != NULL)
			__atomic_store_n(&rq->poll_other, 1, __ATOMIC_RELAXED);
	}
}

void
fo_paths_poll_other(struct fo_priv *priv)
{
	rte_spinlock_lock(&priv->pub_lock);
	fo_rxqs_poll_other(priv);
	rte_spinlock_unlock(&priv->pub_lock);
}

/* The idle poll ticks while the port runs with a second path (pub_lock). */
static bool
fo_idle_due(const struct fo_priv *priv)
{
	return priv->fp.rx_other != FO_NO_PORT &&
	       __atomic_load_n(&priv->running, __ATOMIC_ACQUIRE);
}

static void fo_idle_tick(void *arg);

static void
fo_idle_arm(struct fo_priv *priv)
{
	if (rte_eal_alarm_set(priv->args.rx_idle_poll_us, fo_idle_tick, priv) == 0)
		return;
	rte_spinlock_lock(&priv->pub_lock);
	priv->idle_armed = false;  /* the next publication tries again */
	rte_spinlock_unlock(&priv->pub_lock);
}

static void
fo_idle_tick(void *arg)
{
	struct fo_priv *priv = arg;
	bool again;

	rte_spinlock_lock(&priv->pub_lock);
	again = fo_idle_due(priv);
	if (again)
		fo_rxqs_poll_other(priv);
	else
		priv->idle_armed = false;
	rte_spinlock_unlock(&priv->pub_lock);
	if (again)
		fo_idle_arm(priv);
}

/* No tick after this (close: no second path can be published any more). */
void
fo_paths_uninit(struct fo_priv *priv)
{
	rte_eal_alarm_cancel(fo_idle_tick, priv);
}

/* Publish the paths the sub-ports' states call for; report the link. */
void
fo_paths_publish(struct fo_priv *priv)
{
	union fo_fp old, fp;
	bool arm;

	rte_spinlock_lock(&priv->pub_lock);
	old = priv->fp;
	fp = fo_paths_choose(priv->sub);
	fo_queues_point(priv, fp);
	fo_switch_count(priv, fp.role);
	arm = !priv->idle_armed && fo_idle_due(priv);
	priv->idle_armed |= arm;
	rte_spinlock_unlock(&priv->pub_lock);
	if (arm)
		fo_idle_arm(priv);
	if (old.role != fp.role)
		FO_LOG(INFO, "%s: active path %s -> %s", priv->dev->data->name,
		       fo_role_name[old.role], fo_role_name[fp.role]);
	fo_link_report(priv, fp.role);
}
