/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Generic failover pairing: instances, ethdev and device events, and an
 * ops table. Matching happens in the event's own thread (the NEW event
 * fires before the port is attached, but its name and MAC are already in
 * its data and ownership can be taken there); pre_attach and attach run
 * from an EAL alarm once the port is attached; everything slower is left
 * to the instance.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_log.h>
#include <rte_spinlock.h>
#include <ethdev_driver.h>

#include "rte_failover.h"

RTE_LOG_REGISTER_DEFAULT(failover_lib_logtype, NOTICE);
#define FOL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, failover_lib_logtype, \
		"failover: " fmt "\n", ##__VA_ARGS__)

struct rte_failover {
	TAILQ_ENTRY(rte_failover) next;
	char name[RTE_DEV_NAME_MAX_LEN];
	char dev_name[RTE_FAILOVER_NB_ROLES][RTE_DEV_NAME_MAX_LEN];
	struct rte_ether_addr mac;
	int mac_set;
	uint16_t port[RTE_FAILOVER_NB_ROLES];
	uint8_t pending[RTE_FAILOVER_NB_ROLES]; /* claimed, not attached yet */
	struct rte_eth_dev_owner owner;
	uint64_t refused;
	const struct rte_failover_ops *ops;
	void *ctx;
};

static TAILQ_HEAD(, rte_failover) fo_list = TAILQ_HEAD_INITIALIZER(fo_list);
static rte_spinlock_recursive_t fo_list_lock = RTE_SPINLOCK_RECURSIVE_INITIALIZER;
static const enum rte_eth_event_type fo_events[] = {
	RTE_ETH_EVENT_NEW, RTE_ETH_EVENT_DESTROY, RTE_ETH_EVENT_INTR_LSC,
	RTE_ETH_EVENT_INTR_RMV,
};
/* A claimed port not attached yet is looked at again after this long. */
#define FOL_RETRY_US 100

static const char * const role_name[] = { "primary", "standby" };

static const char *
port_dev_name(const struct rte_eth_dev *dev)
{
	return dev->device != NULL ? dev->device->name : "";
}

static int
port_is_virtio(const struct rte_eth_dev *dev)
{
	const struct rte_device *d = dev->device;

	if (d != NULL && d->driver != NULL && strstr(d->driver->name, "virtio"))
		return 1;
	return strstr(port_dev_name(dev), "virtio_user") != NULL ||
	       strstr(dev->data->name, "virtio_user") != NULL;
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

/* Role a port would take in an instance, or -1 if it does not belong. */
static int
port_role(const struct rte_failover *fo, const struct rte_eth_dev *dev)
{
	const char *dname = port_dev_name(dev);
	int r;

	for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++)
		if (fo->dev_name[r][0] != '\0' &&
		    (strcmp(fo->dev_name[r], dname) == 0 ||
		     strcmp(fo->dev_name[r], dev->data->name) == 0))
			return r;
	if (!fo->mac_set || dev->data->mac_addrs == NULL ||
	    !rte_is_same_ether_addr(&dev->data->mac_addrs[0], &fo->mac))
		return -1;
	return port_is_virtio(dev) ? RTE_FAILOVER_STANDBY : RTE_FAILOVER_PRIMARY;
}

static void
unclaim(struct rte_failover *fo, int r)
{
	uint16_t port_id = fo->port[r];

	fo->port[r] = RTE_MAX_ETHPORTS;
	fo->pending[r] = 0;
	if (rte_eth_dev_is_valid_port(port_id))
		rte_eth_dev_owner_unset(port_id, fo->owner.id);
}

/* Hand a claimed, attached port over: pre_attach veto, then attach. */
static void
deliver(struct rte_failover *fo, int r)
{
	uint16_t port_id = fo->port[r];
	int ret;

	fo->pending[r] = 0;
	ret = fo->ops->pre_attach != NULL ? fo->ops->pre_attach(fo->ctx, port_id, r) : 0;
	if (ret != 0) {
		fo->refused++;
		FOL_LOG(WARNING, "%s: port %u (%s) refused as %s by its instance",
			fo->name, port_id, rte_eth_devices[port_id].data->name, role_name[r]);
		unclaim(fo, r);
		return;
	}
	fo->ops->attach(fo->ctx, port_id, r);
}

/* EAL alarm: deliver the ports claimed in NEW callbacks. */
static void
deferred(void *arg)
{
	struct rte_failover *fo;
	int r, retry = 0;

	RTE_SET_USED(arg);
	rte_spinlock_recursive_lock(&fo_list_lock);
	TAILQ_FOREACH(fo, &fo_list, next)
		for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++) {
			if (!fo->pending[r])
				continue;
			if (rte_eth_devices[fo->port[r]].state == RTE_ETH_DEV_ATTACHED)
				deliver(fo, r);
			else
				retry = 1;
		}
	if (retry)
		rte_eal_alarm_set(FOL_RETRY_US, deferred, NULL);
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

static void
try_claim(struct rte_failover *fo, uint16_t port_id)
{
	struct rte_eth_dev *dev = &rte_eth_devices[port_id];
	int r;

	if (dev->data == NULL || dev->data->owner.id == fo->owner.id ||
	    port_is_instance(dev->data->name) || port_is_instance(port_dev_name(dev)))
		return;
	r = port_role(fo, dev);
	if (r < 0)
		return;
	if (dev->data->owner.id != RTE_ETH_DEV_NO_OWNER) {
		FOL_LOG(NOTICE, "%s: port %u (%s) would be the %s but is owned by '%s': not taken",
			fo->name, port_id, dev->data->name, role_name[r], dev->data->owner.name);
		return;
	}
	if (fo->port[r] != RTE_MAX_ETHPORTS) {
		fo->refused++;
		FOL_LOG(WARNING, "%s: port %u (%s) refused: %s role already held by port %u",
			fo->name, port_id, dev->data->name, role_name[r], fo->port[r]);
		return;
	}
	if (rte_eth_dev_owner_set(port_id, &fo->owner) != 0) {
		FOL_LOG(WARNING, "%s: cannot take ownership of port %u (%s)",
			fo->name, port_id, dev->data->name);
		return;
	}
	fo->port[r] = port_id;
	FOL_LOG(INFO, "%s: port %u (%s) claimed as %s", fo->name, port_id,
		dev->data->name, role_name[r]);
	if (dev->state == RTE_ETH_DEV_ATTACHED) {
		deliver(fo, r);
	} else {
		/* inside its NEW callback: getters work once it is attached */
		fo->pending[r] = 1;
		rte_eal_alarm_set(1, deferred, NULL);
	}
}

static struct rte_failover *
owner_of(uint16_t port_id, int *role)
{
	struct rte_failover *fo;
	int r;

	TAILQ_FOREACH(fo, &fo_list, next)
		for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++)
			if (fo->port[r] == port_id) {
				*role = r;
				return fo;
			}
	return NULL;
}

static void
port_event(struct rte_failover *fo, int r, enum rte_eth_event_type event)
{
	uint16_t port_id = fo->port[r];

	if (fo->pending[r]) {
		/* not handed over yet: the instance never hears of it */
		if (event == RTE_ETH_EVENT_DESTROY || event == RTE_ETH_EVENT_INTR_RMV)
			unclaim(fo, r);
		return;
	}
	switch (event) {
	case RTE_ETH_EVENT_DESTROY:
		fo->port[r] = RTE_MAX_ETHPORTS;
		fo->ops->detach(fo->ctx, port_id, r);
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		FOL_LOG(INFO, "%s: %s port %u (%s) is being removed", fo->name,
			role_name[r], port_id, rte_eth_devices[port_id].data->name);
		if (fo->ops->remove_request != NULL)
			fo->ops->remove_request(fo->ctx, port_id, r);
		break;
	case RTE_ETH_EVENT_INTR_LSC:
		fo->ops->link_change(fo->ctx, port_id, r);
		break;
	default:
		break;
	}
}

static int
fo_event(uint16_t port_id, enum rte_eth_event_type event, void *arg,
	 void *ret_param)
{
	struct rte_failover *fo;
	int r;

	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (port_id >= RTE_MAX_ETHPORTS)
		return 0;
	rte_spinlock_recursive_lock(&fo_list_lock);
	if (event == RTE_ETH_EVENT_NEW) {
		TAILQ_FOREACH(fo, &fo_list, next)
			try_claim(fo, port_id);
	} else {
		fo = owner_of(port_id, &r);
		if (fo != NULL)
			port_event(fo, r, event);
	}
	rte_spinlock_recursive_unlock(&fo_list_lock);
	return 0;
}

/* Device events: REMOVE is an early notice for its ports, ADD is news. */
static void
dev_event(const char *name, enum rte_dev_event_type event, void *arg)
{
	struct rte_failover *fo;
	uint16_t port;
	int r;

	RTE_SET_USED(arg);
	if (name == NULL)
		return;
	rte_spinlock_recursive_lock(&fo_list_lock);
	TAILQ_FOREACH(fo, &fo_list, next) {
		if (event == RTE_DEV_EVENT_ADD && fo->ops->dev_add != NULL) {
			fo->ops->dev_add(fo->ctx, name);
			continue;
		}
		for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++) {
			port = fo->port[r];
			if (event == RTE_DEV_EVENT_REMOVE && port != RTE_MAX_ETHPORTS &&
			    strcmp(port_dev_name(&rte_eth_devices[port]), name) == 0)
				port_event(fo, r, RTE_ETH_EVENT_INTR_RMV);
		}
	}
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

static int
events_subscribe(int on)
{
	unsigned int i;
	int ret = 0;

	if (!on) {
		rte_dev_event_callback_unregister(NULL, dev_event, NULL);
		rte_eal_alarm_cancel(deferred, NULL);
	}

	for (i = 0; i < RTE_DIM(fo_events); i++) {
		if (on)
			ret = rte_eth_dev_callback_register(RTE_ETH_ALL,
					fo_events[i], fo_event, NULL);
		else
			rte_eth_dev_callback_unregister(RTE_ETH_ALL,
					fo_events[i], fo_event, NULL);
		if (ret != 0) {
			while (i-- > 0)
				rte_eth_dev_callback_unregister(RTE_ETH_ALL,
						fo_events[i], fo_event, NULL);
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
	int r;

	fo = calloc(1, sizeof(*fo));
	if (fo == NULL)
		return NULL;
	strlcpy(fo->name, conf->name, sizeof(fo->name));
	for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++) {
		fo->port[r] = RTE_MAX_ETHPORTS;
		if (conf->dev_name[r] != NULL)
			strlcpy(fo->dev_name[r], conf->dev_name[r], sizeof(fo->dev_name[r]));
	}
	fo->mac = conf->mac;
	fo->mac_set = conf->mac_set;
	fo->ops = ops;
	fo->ctx = ctx;
	if (rte_eth_dev_owner_new(&fo->owner.id) != 0)
		goto fail;
	strlcpy(fo->owner.name, conf->name, sizeof(fo->owner.name));
	rte_spinlock_recursive_lock(&fo_list_lock);
	if (TAILQ_EMPTY(&fo_list) && events_subscribe(1) != 0) {
		rte_spinlock_recursive_unlock(&fo_list_lock);
		FOL_LOG(ERR, "%s: cannot subscribe to ethdev events", conf->name);
		goto fail;
	}
	/*
	 * No scan here: no op may reach the instance from inside this call,
	 * before the caller holds the handle (rte_failover_scan() does it).
	 */
	TAILQ_INSERT_TAIL(&fo_list, fo, next);
	rte_spinlock_recursive_unlock(&fo_list_lock);
	return fo;
fail:
	free(fo);
	return NULL;
}

void
rte_failover_unregister(struct rte_failover *fo)
{
	int r;

	if (fo == NULL)
		return;
	rte_spinlock_recursive_lock(&fo_list_lock);
	for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++)
		rte_failover_release(fo, fo->port[r]);
	TAILQ_REMOVE(&fo_list, fo, next);
	if (TAILQ_EMPTY(&fo_list))
		events_subscribe(0);
	rte_spinlock_recursive_unlock(&fo_list_lock);
	free(fo);
}

void
rte_failover_set_mac(struct rte_failover *fo, const struct rte_ether_addr *mac)
{
	rte_spinlock_recursive_lock(&fo_list_lock);
	fo->mac = *mac;
	fo->mac_set = 1;
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

void
rte_failover_scan(struct rte_failover *fo)
{
	uint16_t p;

	rte_spinlock_recursive_lock(&fo_list_lock);
	for (p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rte_eth_devices[p].state == RTE_ETH_DEV_ATTACHED)
			try_claim(fo, p);
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

void
rte_failover_flush(struct rte_failover *fo)
{
	int r;

	rte_spinlock_recursive_lock(&fo_list_lock);
	for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++)
		if (fo->pending[r] &&
		    rte_eth_devices[fo->port[r]].state == RTE_ETH_DEV_ATTACHED)
			deliver(fo, r);
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

void
rte_failover_release(struct rte_failover *fo, uint16_t port_id)
{
	int r;

	rte_spinlock_recursive_lock(&fo_list_lock);
	for (r = 0; r < RTE_FAILOVER_NB_ROLES; r++) {
		if (fo->port[r] != port_id || port_id == RTE_MAX_ETHPORTS)
			continue;
		unclaim(fo, r);
	}
	rte_spinlock_recursive_unlock(&fo_list_lock);
}

uint16_t
rte_failover_port(const struct rte_failover *fo, enum rte_failover_role role)
{
	return fo->port[role];
}

uint64_t
rte_failover_refused(const struct rte_failover *fo)
{
	return fo->refused;
}

uint64_t
rte_failover_owner_id(const struct rte_failover *fo)
{
	return fo->owner.id;
}
