/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Event intake: what lib/failover, the EAL alarms and the link poll tell
 * us, turned into sub-port lifecycle steps by fo_sync().
 *
 * Callbacks (lib/failover ops, from any thread, possibly with ethdev or
 * EAL locks held) never take the control lock: they record the event in
 * the sub-port (FO_EV_*) or the candidates (fo_cand), take a port that is gone or
 * leaving off the fast path at once (fo_paths_publish()), and kick an
 * alarm. The alarm handler only try-locks and re-arms itself when busy,
 * so a control thread that waits for the interrupt thread never deadlocks.
 */

#include <errno.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_dev.h>

#include "failover_private.h"

static void fo_alarm(void *arg);

/* Have fo_sync() run soon from the interrupt thread (callbacks call it). */
static void
fo_kick(struct fo_priv *priv)
{
	if (!__atomic_exchange_n(&priv->kicked, true, __ATOMIC_ACQ_REL))
		rte_eal_alarm_set(1, fo_alarm, priv);
}

/* Have fo_sync() run after us microseconds (announced devices' retries). */
static void
fo_kick_later(void *arg)
{
	fo_kick(arg);
}

/* The events recorded for a sub-port, acted on. */
static void
fo_sub_settle(struct fo_priv *priv, struct fo_sub *s)
{
	uint32_t ev = fo_sub_ev(s);

	if (ev & FO_EV_GONE)
		fo_sub_forget(priv, s);
	else if (ev & FO_EV_DYING)
		return;  /* someone else removes it: forgotten once GONE */
	else if (ev & FO_EV_LEAVE)
		fo_sub_leave(priv, s);
	else if (ev & FO_EV_RESET)
		fo_sub_reset(priv, s);
}

/* Apply what the events recorded; refresh links; publish the paths. */
void
fo_sync(struct fo_priv *priv)
{
	uint64_t wake, cand_wake;
	struct fo_sub *s;

	FO_LOCK_ASSERT(priv);
	if (priv->closing)
		return;
	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++)
		fo_sub_settle(priv, s);
	/* devices announced by RTE_DEV_EVENT_ADD, once a role may be free */
	wake = fo_hp_run(priv);
	/* ports handed over; those not attached or not due yet are looked at later */
	cand_wake = fo_cands_settle(priv);
	if (cand_wake != 0)
		wake = wake != 0 ? RTE_MIN(wake, cand_wake) : cand_wake;
	if (wake != 0)
		rte_eal_alarm_set(wake, fo_kick_later, priv);
	fo_links_refresh(priv);
	fo_paths_publish(priv);
}

static void
fo_alarm(void *arg)
{
	struct fo_priv *priv = arg;

	__atomic_store_n(&priv->kicked, false, __ATOMIC_RELEASE);
	if (fo_trylock(priv) != 0) {
		__atomic_store_n(&priv->kicked, true, __ATOMIC_RELEASE);
		rte_eal_alarm_set(100, fo_alarm, priv);
		return;
	}
	fo_sync(priv);
	fo_unlock(priv);
}

static void
fo_poll_alarm(void *arg)
{
	struct fo_priv *priv = arg;

	if (fo_trylock(priv) == 0) {
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

/* A port claimed for us: recorded; fo_sync() adopts it once attached. */
static void
fo_on_attach(void *ctx, uint16_t port_id, int hint)
{
	struct fo_priv *priv = ctx;
	uint64_t due = 0;
	bool full;


	/* the application's own probe: its set-up of the port comes first */
	if (!fo_own_call(priv))
		due = rte_get_timer_cycles() +
		      rte_get_timer_hz() * priv->args.adopt_delay_ms / 1000;
	rte_spinlock_lock(&priv->cand_lock);
	full = priv->nb_cand == FO_NB_CAND;
	if (!full)
		priv->cand[priv->nb_cand++] = (struct fo_cand){
			.port = port_id, .hint = hint, .due = due,
		};
	rte_spinlock_unlock(&priv->cand_lock);
	if (full) {
		FO_LOG(WARNING, "%s: %u ports handed over and not adopted yet: port %u refused",
		       priv->dev->data->name, FO_NB_CAND, port_id);
		rte_failover_release(priv->fo, port_id);
		return;
	}
	fo_kick(priv);
}

/* A port handed over and not adopted yet: forgotten. True if it was one. */
static bool
fo_cand_forget(struct fo_priv *priv, uint16_t port_id)
{
	unsigned int i;
	bool found = false;

	rte_spinlock_lock(&priv->cand_lock);
	for (i = 0; i < priv->nb_cand && !found; i++) {
		found = priv->cand[i].port == port_id;
		if (found)
			priv->cand[i] = priv->cand[--priv->nb_cand];
	}
	rte_spinlock_unlock(&priv->cand_lock);
	return found;
}

/* Record an event for the port's sub-port and publish the paths it calls for. */
static bool
fo_on_event(struct fo_priv *priv, uint16_t port_id, uint32_t ev)
{
	int role = fo_port_role(priv, port_id);

	if (role == FO_NONE)
		return false;
	__atomic_fetch_or(&priv->sub[role].ev, ev, __ATOMIC_ACQ_REL);
	fo_paths_publish(priv);
	return true;
}

static void
fo_on_detach(void *ctx, uint16_t port_id)
{
	struct fo_priv *priv = ctx;

	/* Off the fast path at once; fo_sync() settles the rest. */
	if (!fo_on_event(priv, port_id, FO_EV_GONE)) {
		fo_cand_forget(priv, port_id);
		return;
	}
	/*
	 * Late notice: its PMD has closed it already. Wait at least for the
	 * bursts that could still reach it before ethdev frees its data.
	 */
	fo_quiesce(priv);
	fo_kick(priv);
}

/*
 * Early notice (RMV, RTE_DEV_EVENT_REMOVE): TX leaves the port at once
 * (the path rule moves it to the other sub-port when that one is ready);
 * fo_sync() drains and releases it. One not adopted yet is given back.
 */
static void
fo_on_remove_request(void *ctx, uint16_t port_id)
{
	struct fo_priv *priv = ctx;

	if (fo_on_event(priv, port_id, FO_EV_LEAVE))
		fo_kick(priv);
	else if (fo_cand_forget(priv, port_id))
		rte_failover_release(priv->fo, port_id);
}

/* INTR_RESET: TX leaves the port at once; fo_sync() resets it and takes it back. */
static void
fo_on_reset_request(void *ctx, uint16_t port_id)
{
	if (fo_on_event(ctx, port_id, FO_EV_RESET))
		fo_kick(ctx);
}

/* RTE_DEV_EVENT_ADD: recorded; fo_sync() probes it once it is there. */
static void
fo_on_dev_add(void *ctx, const char *dev_name)
{
	if (fo_hp_announce(ctx, dev_name))
		fo_kick(ctx);
}

static void
fo_on_link_change(void *ctx, uint16_t port_id)
{
	RTE_SET_USED(port_id);
	fo_kick(ctx);
}

static const struct rte_failover_ops fo_lib_ops = {
	.attach = fo_on_attach,
	.remove_request = fo_on_remove_request,
	.detach = fo_on_detach,
	.link_change = fo_on_link_change,
	.reset_request = fo_on_reset_request,
	.dev_add = fo_on_dev_add,
};

/* The devices devargs give as device strings: ours to probe (and remove). */
static int
fo_probe_devs(struct fo_priv *priv)
{
	int r, ret;

	for (r = 0; r < FO_NB_SUBS; r++) {
		if (!priv->args.probe[r])
			continue;
		/*
		 * 22.11's rte_dev_probe() returns 0, not -EEXIST, for a device
		 * probed already (by the application): it is not ours to remove.
		 */
		fo_orphan_reclaim(priv->args.dev[r]);
		fo_own_begin(priv);
		ret = fo_devstr_probed(priv->args.dev[r]) ? -EEXIST :
		      rte_dev_probe(priv->args.dev[r]);
		fo_own_end(priv);
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

static void
fo_priv_init(struct fo_priv *priv)
{
	pthread_mutexattr_t attr;
	struct fo_sub *s;
	int r;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&priv->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	rte_spinlock_init(&priv->pub_lock);
	rte_spinlock_init(&priv->hp_lock);
	rte_spinlock_init(&priv->cand_lock);
	priv->fp.tx = priv->fp.rx_main = priv->fp.rx_other = FO_NO_PORT;
	priv->fp.role = FO_NONE;
	priv->last_role = FO_NONE;
	for (r = 0; r < FO_NB_SUBS; r++) {
		s = &priv->sub[r];
		s->role = r;
		s->state = FO_SUB_ABSENT;
		s->port_id = FO_NO_PORT;
		strlcpy(s->dev_name, priv->args.name[r], sizeof(s->dev_name));
		if (priv->args.dev[r] != NULL)
			strlcpy(s->devstr, priv->args.dev[r], sizeof(s->devstr));
	}
}

/* A port of the device (or port) name, owned or not; FO_NO_PORT if none. */
static uint16_t
fo_port_of_name(const char *name)
{
	const struct rte_eth_dev *dev;
	uint16_t p;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		dev = &rte_eth_devices[p];
		if (dev->state == RTE_ETH_DEV_ATTACHED &&
		    ((dev->device != NULL && strcmp(dev->device->name, name) == 0) ||
		     strcmp(dev->data->name, name) == 0))
			return p;
	}
	return FO_NO_PORT;
}

/*
 * After the first adoption: a sub-port the devargs name that exists but
 * was not adopted fails the probe, with what stood in the way (a name
 * that does not exist yet is adopted when it appears).
 */
static int
fo_named_check(struct fo_priv *priv)
{
	struct rte_eth_dev_owner o;
	const char *name;
	struct fo_sub *s;
	uint16_t port;

	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++) {
		name = priv->args.name[s->role];
		if (name[0] == '\0' || fo_sub_state(s) != FO_SUB_ABSENT)
			continue;
		port = fo_port_of_name(name);
		if (s->why[0] != '\0')
			FO_LOG(ERR, "%s: %s %s not adopted: %s", priv->dev->data->name,
			       fo_role_name[s->role], name, s->why);
		else if (port == FO_NO_PORT)
			continue;
		else if (rte_eth_dev_owner_get(port, &o) == 0 && o.id != RTE_ETH_DEV_NO_OWNER)
			FO_LOG(ERR, "%s: %s %s not adopted: port %u is owned by '%s'",
			       priv->dev->data->name, fo_role_name[s->role], name, port, o.name);
		else
			FO_LOG(ERR, "%s: %s %s not adopted: port %u was not handed over",
			       priv->dev->data->name, fo_role_name[s->role], name, port);
		return -EBUSY;
	}
	return 0;
}

/* Register with lib/failover, probe our own devices, adopt what matches. */
int
fo_events_init(struct fo_priv *priv)
{
	struct rte_failover_conf conf = { .name = priv->dev->data->name };
	int r, ret;

	fo_membarrier_init();
	fo_priv_init(priv);
	/* the role is the index of the name: the hint of a port that has it */
	for (r = 0; r < FO_NB_SUBS; r++)
		conf.dev_name[r] = priv->args.name[r];
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
	fo_own_begin(priv);
	rte_failover_scan(priv->fo);
	fo_own_end(priv);
	ret = fo_probe_devs(priv);
	if (ret == 0) {
		fo_sync(priv);
		ret = fo_named_check(priv);
	}
	if (ret == 0) {
		if (priv->args.link_poll_ms > 0)
			rte_eal_alarm_set(priv->args.link_poll_ms * 1000ULL, fo_poll_alarm, priv);
	}
	fo_unlock(priv);
	if (ret != 0)
		fo_events_uninit(priv);
	return ret;
}

/* Drop both sub-ports and stop listening; the opposite of fo_events_init(). */
void
fo_events_uninit(struct fo_priv *priv)
{
	struct fo_sub *s;

	fo_lock(priv);
	priv->closing = true;
	fo_unlock(priv);
	rte_eal_alarm_cancel(fo_poll_alarm, priv);
	rte_eal_alarm_cancel(fo_alarm, priv);
	rte_eal_alarm_cancel(fo_kick_later, priv);
	fo_hp_uninit(priv);
	fo_lock(priv);
	fo_cands_drop(priv);
	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++)
		fo_sub_release(priv, s, false);
	rte_failover_unregister(priv->fo);
	priv->fo = NULL;
	fo_unlock(priv);
	/* Events seen while dropping may have kicked again: no callback is left. */
	rte_eal_alarm_cancel(fo_alarm, priv);
	rte_eal_alarm_cancel(fo_kick_later, priv);
	fo_paths_uninit(priv);
	pthread_mutex_destroy(&priv->lock);
}
