/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef RTE_FAILOVER_H
#define RTE_FAILOVER_H

/**
 * @file
 * Generic failover pairing layer (the analogue of Linux net/core/failover.c).
 *
 * A failover instance registers its identity (MAC address, optional
 * device names for the primary and standby roles) and an ops table. The
 * library watches ethdev ports appear, disappear and change link, claims
 * the ports that belong to an instance (ethdev ownership) and hands them
 * to it. No ethdev op code lives here.
 *
 * Events handled: ethdev RTE_ETH_EVENT_NEW, _DESTROY, _INTR_RMV and
 * _INTR_LSC for every port, and rte_dev RTE_DEV_EVENT_ADD / _REMOVE for
 * every device. A port that appears (NEW) and belongs to an instance is
 * claimed at once, in the event's thread (ownership works there, port
 * getters do not yet); pre_attach and attach are called later from an EAL
 * alarm, once the port is attached.
 *
 * Ops other than pre_attach may be called from event callbacks (any
 * thread, possibly with ethdev or EAL locks held): they must not block
 * for long and must not call rte_dev_remove(); an instance records the
 * event and does the work from its own deferred context.
 */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rte_failover_role {
	RTE_FAILOVER_PRIMARY = 0,
	RTE_FAILOVER_STANDBY = 1,
	RTE_FAILOVER_NB_ROLES = 2,
};

struct rte_failover_ops {
	/**
	 * Optional veto, called from an EAL alarm once a claimed port is
	 * attached and before attach: non-zero refuses the port (it is
	 * released and counted in rte_failover_refused()).
	 */
	int (*pre_attach)(void *ctx, uint16_t port_id, enum rte_failover_role role);
	/** A port was claimed for a role and passed pre_attach. */
	void (*attach)(void *ctx, uint16_t port_id, enum rte_failover_role role);
	/**
	 * Early notice: a claimed port is about to go (RTE_ETH_EVENT_INTR_RMV,
	 * or RTE_DEV_EVENT_REMOVE for its device). The port still exists.
	 */
	void (*remove_request)(void *ctx, uint16_t port_id, enum rte_failover_role role);
	/** Late notice: a claimed port is being destroyed (already closed). */
	void (*detach)(void *ctx, uint16_t port_id, enum rte_failover_role role);
	/** A claimed port reported a link state change. */
	void (*link_change)(void *ctx, uint16_t port_id, enum rte_failover_role role);
	/** RTE_DEV_EVENT_ADD named a device (every instance is told). */
	void (*dev_add)(void *ctx, const char *dev_name);
};

struct rte_failover_conf {
	const char *name;                 /**< instance (failover port) name */
	struct rte_ether_addr mac;        /**< match ports carrying it, if set */
	int mac_set;
	/** device names bound to a role; NULL or "" for any matching MAC */
	const char *dev_name[RTE_FAILOVER_NB_ROLES];
};

struct rte_failover;

/**
 * Register an instance. No op is called from inside this call: ports that
 * exist already are claimed by rte_failover_scan(), which the instance
 * calls once it holds the handle and is ready for its ops. Ports that
 * appear from now on are claimed by their events, which may come from
 * another thread at once: ops that need more than what the instance had
 * before this call must wait for it (e.g. behind the instance's own lock).
 */
struct rte_failover *rte_failover_register(const struct rte_failover_conf *conf,
		const struct rte_failover_ops *ops, void *ctx);

/** Unregister: release every claimed port (ownership dropped). */
void rte_failover_unregister(struct rte_failover *fo);

/** Set the MAC address that later ports are matched with. */
void rte_failover_set_mac(struct rte_failover *fo, const struct rte_ether_addr *mac);

/**
 * Claim ports that already exist and match: after registration, or after
 * a role was freed. Ops may be called from inside this call.
 */
void rte_failover_scan(struct rte_failover *fo);

/**
 * Hand over now the ports claimed for the instance whose NEW event has
 * completed (the port is attached), instead of from the alarm: for an
 * instance that has just probed a device itself. Not from a callback.
 */
void rte_failover_flush(struct rte_failover *fo);

/** Give a claimed port back (ownership dropped); the role becomes free. */
void rte_failover_release(struct rte_failover *fo, uint16_t port_id);

/** Port claimed for a role, or RTE_MAX_ETHPORTS. */
uint16_t rte_failover_port(const struct rte_failover *fo, enum rte_failover_role role);

/** Candidates refused because their role was already filled. */
uint64_t rte_failover_refused(const struct rte_failover *fo);

/** Owner id used for the claimed ports. */
uint64_t rte_failover_owner_id(const struct rte_failover *fo);

#ifdef __cplusplus
}
#endif

#endif /* RTE_FAILOVER_H */
