/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Generic failover pairing: instances, ethdev and device events, and an
 * ops table. Matching happens in the event's own thread (the NEW event
 * fires before the port is attached, but its names and MAC are already in
 * its data and ownership can be taken there); each event becomes at most
 * one op call per instance, made at once and without the lock held.
 *
 * Locking: fo_lock guards the instance list and each instance's claims.
 * An op is called with a reference on its instance (calls) and the lock
 * dropped; rte_failover_unregister() marks the instance dead, so that no
 * new call starts, and waits for the calls in progress before it frees it.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_log.h>
#include <ethdev_driver.h>

#include "rte_failover.h"

RTE_LOG_REGISTER_DEFAULT(failover_lib_logtype, NOTICE);
#define FOL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, failover_lib_logtype, \
		"failover: " fmt "\n", ##__VA_ARGS__)

#define FOL_WORDS ((RTE_MAX_ETHPORTS + 63) / 64)

struct rte_failover {
	TAILQ_ENTRY(rte_failover) next;
	char name[RTE_DEV_NAME_MAX_LEN];
	char dev_name[RTE_FAILOVER_MAX_NAMES][RTE_DEV_NAME_MAX_LEN];
	struct rte_ether_addr mac;
	int mac_set;
	uint64_t claimed[FOL_WORDS];   /* ports owned for the instance */
	struct rte_eth_dev_owner owner;
	unsigned int calls;            /* ops in progress, outside the lock */
	int dead;                      /* unregistering: no new call */
	const struct rte_failover_ops *ops;
	void *ctx;
};

static TAILQ_HEAD(, rte_failover) fo_list = TAILQ_HEAD_INITIALIZER(fo_list);
static pthread_mutex_t fo_lock = PTHREAD_MUTEX_INITIALIZER;
static const enum rte_eth_event_type fo_events[] = {
	RTE_ETH_EVENT_NEW, RTE_ETH_EVENT_DESTROY, RTE_ETH_EVENT_INTR_LSC,
	RTE_ETH_EVENT_INTR_RMV, RTE_ETH_EVENT_INTR_RESET,
};

static int
claimed(const struct rte_failover *fo, uint16_t port)
{
	return !!(fo->claimed[port / 64] & RTE_BIT64(port % 64));
}

static void
claim_set(struct rte_failover *fo, uint16_t port, int on)
{
	if (on)
		fo->claimed[port / 64] |= RTE_BIT64(port % 64);
	else
		fo->claimed[port / 64] &= ~RTE_BIT64(port % 64);
}

static const char *
port_dev_name(const struct rte_eth_dev *dev)
{
	return dev->device != NULL ? dev->device->name : "";
}

static int
port_is_instance(const char *name)
{
	const struct rte_failover *fo;

	TAILQ_FOREACH(fo, &fo_list, next)
		if (strcmp(fo->name, name) == 0)
			return 1;
	return 0;
}

/* How a port matches an instance: a name's index, BY_MAC, or -2 (not). */
static int
port_match(const struct rte_failover *fo, const struct rte_eth_dev *dev)
{
	const char *dname = port_dev_name(dev);
	int i;

	for (i = 0; i < RTE_FAILOVER_MAX_NAMES; i++)
		if (fo->dev_name[i][0] != '\0' &&
		    (strcmp(fo->dev_name[i], dname) == 0 ||
		     strcmp(fo->dev_name[i], dev->data->name) == 0))
			return i;
	if (fo->mac_set && dev->data->mac_addrs != NULL &&
	    rte_is_same_ether_addr(&dev->data->mac_addrs[0], &fo->mac))
		return RTE_FAILOVER_BY_MAC;
	return -2;
}

/* What to tell an instance once the lock is dropped. */
enum call_kind {
	CALL_ATTACH, CALL_REMOVE_REQUEST, CALL_DETACH, CALL_LINK, CALL_RESET, CALL_DEV_ADD,
};

/* Make one op call with the lock dropped; called and returns with it held. */
static void
call_op(struct rte_failover *fo, enum call_kind kind, uint16_t port, int hint,
	const char *dev_name)
{
	const struct rte_failover_ops *ops = fo->ops;

	if (fo->dead)
		return;
	fo->calls++;
	pthread_mutex_unlock(&fo_lock);
	switch (kind) {
	case CALL_ATTACH:
		ops->attach(fo->ctx, port, hint);
		break;
	case CALL_REMOVE_REQUEST:
		if (ops->remove_request != NULL)
			ops->remove_request(fo->ctx, port);
		break;
	case CALL_DETACH:
		ops->detach(fo->ctx, port);
		break;
	case CALL_LINK:
		if (ops->link_change != NULL)
			ops->link_change(fo->ctx, port);
		break;
	case CALL_RESET:
		if (ops->reset_request != NULL)
			ops->reset_request(fo->ctx, port);
		break;
	case CALL_DEV_ADD:
		if (ops->dev_add != NULL)
			ops->dev_add(fo->ctx, dev_name);
		break;
	}
	pthread_mutex_lock(&fo_lock);
	fo->calls--;
}

/* Claim a port for an instance if it matches; the hint, or -2 if not. */
static int
try_claim(struct rte_failover *fo, uint16_t port_id)
{
	struct rte_eth_dev *dev = &rte_eth_devices[port_id];
	int hint;

	if (fo->dead || dev->data == NULL || claimed(fo, port_id) ||
	    port_is_instance(dev->data->name) || port_is_instance(port_dev_name(dev)))
		return -2;
	hint = port_match(fo, dev);
	if (hint == -2)
		return -2;
	if (dev->data->owner.id != RTE_ETH_DEV_NO_OWNER) {
		/* a port named for the instance is worth a warning, a MAC match is not */
		rte_log(hint >= 0 ? RTE_LOG_WARNING : RTE_LOG_NOTICE, failover_lib_logtype,
			"failover: %s: port %u (%s) matches but is owned by '%s': not taken\n",
			fo->name, port_id, dev->data->name, dev->data->owner.name);
		return -2;
	}
	if (rte_eth_dev_owner_set(port_id, &fo->owner) != 0) {
		FOL_LOG(WARNING, "%s: cannot take ownership of port %u (%s)",
			fo->name, port_id, dev->data->name);
		return -2;
	}
	claim_set(fo, port_id, 1);
	FOL_LOG(INFO, "%s: port %u (%s) claimed (%s)", fo->name, port_id, dev->data->name,
		hint == RTE_FAILOVER_BY_MAC ? "by MAC" : fo->dev_name[hint]);
	return hint;
}

static struct rte_failover *
owner_of(uint16_t port_id)
{
	struct rte_failover *fo;

	TAILQ_FOREACH(fo, &fo_list, next)
		if (claimed(fo, port_id))
			return fo;
	return NULL;
}

/* NEW: the first instance that claims it is told. */
static void
port_new(uint16_t port_id)
{
	struct rte_failover *fo;
	int hint;

	TAILQ_FOREACH(fo, &fo_list, next) {
		hint = try_claim(fo, port_id);
		if (hint != -2) {
			call_op(fo, CALL_ATTACH, port_id, hint, NULL);
			return;
		}
	}
}

static void
port_event(uint16_t port_id, enum rte_eth_event_type event)
{
	struct rte_failover *fo = owner_of(port_id);

	if (fo == NULL)
		return;
	switch (event) {
	case RTE_ETH_EVENT_DESTROY:
		claim_set(fo, port_id, 0);
		call_op(fo, CALL_DETACH, port_id, 0, NULL);
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		FOL_LOG(INFO, "%s: port %u (%s) is being removed", fo->name, port_id,
			rte_eth_devices[port_id].data->name);
		call_op(fo, CALL_REMOVE_REQUEST, port_id, 0, NULL);
		break;
	case RTE_ETH_EVENT_INTR_LSC:
		call_op(fo, CALL_LINK, port_id, 0, NULL);
		break;
	case RTE_ETH_EVENT_INTR_RESET:
		FOL_LOG(INFO, "%s: port %u (%s) asks for a reset", fo->name, port_id,
			rte_eth_devices[port_id].data->name);
		call_op(fo, CALL_RESET, port_id, 0, NULL);
		break;
	default:
		break;
	}
}

static int
eth_event(uint16_t port_id, enum rte_eth_event_type event, void *arg, void *ret_param)
{
	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (port_id >= RTE_MAX_ETHPORTS)
		return 0;
	pthread_mutex_lock(&fo_lock);
	if (event == RTE_ETH_EVENT_NEW)
		port_new(port_id);
	else
		port_event(port_id, event);
	pthread_mutex_unlock(&fo_lock);
	return 0;
}

/* REMOVE of a device: an early notice for each claimed port of it. */
static void
dev_remove(struct rte_failover *fo, const char *name)
{
	uint16_t p;

	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (claimed(fo, p) && strcmp(port_dev_name(&rte_eth_devices[p]), name) == 0)
			call_op(fo, CALL_REMOVE_REQUEST, p, 0, NULL);
}

/* Device events: REMOVE is an early notice for its ports, ADD is news. */
static void
dev_event(const char *name, enum rte_dev_event_type event, void *arg)
{
	struct rte_failover *fo;

	RTE_SET_USED(arg);
	if (name == NULL)
		return;
	pthread_mutex_lock(&fo_lock);
	/* the instance a call is made on stays in the list: next is valid */
	TAILQ_FOREACH(fo, &fo_list, next) {
		if (event == RTE_DEV_EVENT_ADD)
			call_op(fo, CALL_DEV_ADD, 0, 0, name);
		else if (event == RTE_DEV_EVENT_REMOVE)
			dev_remove(fo, name);
	}
	pthread_mutex_unlock(&fo_lock);
}

static int
events_subscribe(int on)
{
	unsigned int i;
	int ret = 0;

	if (!on)
		rte_dev_event_callback_unregister(NULL, dev_event, NULL);
	for (i = 0; i < RTE_DIM(fo_events); i++) {
		if (on)
			ret = rte_eth_dev_callback_register(RTE_ETH_ALL, fo_events[i],
							    eth_event, NULL);
		else
			rte_eth_dev_callback_unregister(RTE_ETH_ALL, fo_events[i],
							eth_event, NULL);
		if (ret != 0) {
			while (i-- > 0)
				rte_eth_dev_callback_unregister(RTE_ETH_ALL, fo_events[i],
								eth_event, NULL);
			return ret;
		}
	}
	if (on) {
		ret = rte_dev_event_callback_register(NULL, dev_event, NULL);
		if (ret != 0 && ret != -EEXIST) {
			events_subscribe(0);
			return ret;
		}
	}
	return 0;
}

struct rte_failover *
rte_failover_register(const struct rte_failover_conf *conf,
		      const struct rte_failover_ops *ops, void *ctx)
{
	struct rte_failover *fo;
	int i;

	if (conf == NULL || conf->name == NULL || ops == NULL || ops->attach == NULL ||
	    ops->detach == NULL)
		return NULL;
	fo = calloc(1, sizeof(*fo));
	if (fo == NULL)
		return NULL;
	strlcpy(fo->name, conf->name, sizeof(fo->name));
	for (i = 0; i < RTE_FAILOVER_MAX_NAMES; i++)
		if (conf->dev_name[i] != NULL)
			strlcpy(fo->dev_name[i], conf->dev_name[i], sizeof(fo->dev_name[i]));
	fo->mac = conf->mac;
	fo->mac_set = conf->mac_set;
	fo->ops = ops;
	fo->ctx = ctx;
	if (rte_eth_dev_owner_new(&fo->owner.id) != 0)
		goto fail;
	strlcpy(fo->owner.name, conf->name, sizeof(fo->owner.name));
	pthread_mutex_lock(&fo_lock);
	if (TAILQ_EMPTY(&fo_list) && events_subscribe(1) != 0) {
		pthread_mutex_unlock(&fo_lock);
		FOL_LOG(ERR, "%s: cannot subscribe to ethdev events", conf->name);
		goto fail;
	}
	/*
	 * No scan here: no op may reach the instance from inside this call,
	 * before the caller holds the handle (rte_failover_scan() does it).
	 */
	TAILQ_INSERT_TAIL(&fo_list, fo, next);
	pthread_mutex_unlock(&fo_lock);
	return fo;
fail:
	free(fo);
	return NULL;
}

static void
unclaim(struct rte_failover *fo, uint16_t port)
{
	const struct rte_eth_dev *dev = &rte_eth_devices[port];

	claim_set(fo, port, 0);
	/* allocated, maybe not attached yet (released from inside its NEW event) */
	if (dev->data != NULL && dev->data->name[0] != '\0')
		rte_eth_dev_owner_unset(port, fo->owner.id);
}

void
rte_failover_unregister(struct rte_failover *fo)
{
	uint16_t p;

	if (fo == NULL)
		return;
	pthread_mutex_lock(&fo_lock);
	fo->dead = 1;
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (claimed(fo, p))
			unclaim(fo, p);
	while (fo->calls > 0) {
		pthread_mutex_unlock(&fo_lock);
		rte_delay_us_sleep(100);
		pthread_mutex_lock(&fo_lock);
	}
	TAILQ_REMOVE(&fo_list, fo, next);
	if (TAILQ_EMPTY(&fo_list))
		events_subscribe(0);
	pthread_mutex_unlock(&fo_lock);
	free(fo);
}

void
rte_failover_set_mac(struct rte_failover *fo, const struct rte_ether_addr *mac)
{
	pthread_mutex_lock(&fo_lock);
	fo->mac = *mac;
	fo->mac_set = 1;
	pthread_mutex_unlock(&fo_lock);
}

void
rte_failover_scan(struct rte_failover *fo)
{
	uint16_t p;
	int hint;

	pthread_mutex_lock(&fo_lock);
	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (rte_eth_devices[p].state != RTE_ETH_DEV_ATTACHED)
			continue;
		hint = try_claim(fo, p);
		if (hint != -2)
			call_op(fo, CALL_ATTACH, p, hint, NULL);
	}
	pthread_mutex_unlock(&fo_lock);
}

void
rte_failover_release(struct rte_failover *fo, uint16_t port_id)
{
	if (port_id >= RTE_MAX_ETHPORTS)
		return;
	pthread_mutex_lock(&fo_lock);
	if (claimed(fo, port_id))
		unclaim(fo, port_id);
	pthread_mutex_unlock(&fo_lock);
}
