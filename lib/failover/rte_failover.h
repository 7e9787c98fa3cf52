/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef RTE_FAILOVER_H
#define RTE_FAILOVER_H

/**
 * @file
 * Generic failover pairing layer (the analogue of Linux net/core/failover.c).
 *
 * An instance registers its identity (a MAC address, optionally device
 * names) and an ops table. The library watches ethdev ports and devices
 * appear, disappear and change link, claims (ethdev ownership) the ports
 * that match an instance by device name or MAC address, and tells the
 * instance. It holds no policy: which role a port takes, and whether the
 * instance keeps it at all, is the instance's to decide. No ethdev op code
 * lives here.
 *
 * Events handled: ethdev RTE_ETH_EVENT_NEW, _DESTROY, _INTR_RMV, _INTR_LSC
 * and _INTR_RESET for every port, and rte_dev RTE_DEV_EVENT_ADD / _REMOVE for
 * every device. Each is translated into at most one op call per instance,
 * at once, in the thread of the event (no deferral here: an instance
 * defers once, in its own context). Ops are never called with the
 * library's lock held: an op may call the library back.
 *
 * Ops may be called from event callbacks (any thread, possibly with ethdev
 * or EAL locks held): they must not block for long and must not call
 * rte_dev_remove(); an instance records the event and does the work from
 * its own deferred context.
 */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Device names an instance may bind ports to, at most. */
#define RTE_FAILOVER_MAX_NAMES 2

/** The hint of a port that matched by MAC address, not by a name. */
#define RTE_FAILOVER_BY_MAC (-1)

struct rte_failover_ops {
	/**
	 * A port matched the instance and was claimed for it. hint is the
	 * index of the conf.dev_name[] entry it matched, or
	 * RTE_FAILOVER_BY_MAC. Called from the port's RTE_ETH_EVENT_NEW,
	 * before the port is attached (ethdev's getters fail until
	 * rte_eth_devices[port_id].state is RTE_ETH_DEV_ATTACHED), or from
	 * rte_failover_scan(). The instance gives a port it does not keep back
	 * with rte_failover_release().
	 */
	void (*attach)(void *ctx, uint16_t port_id, int hint);
	/**
	 * Early notice: a claimed port is about to go (RTE_ETH_EVENT_INTR_RMV,
	 * or RTE_DEV_EVENT_REMOVE for its device). The port still exists.
	 */
	void (*remove_request)(void *ctx, uint16_t port_id);
	/**
	 * Late notice: a claimed port is being destroyed (its PMD has closed
	 * it). The library has dropped it: no further op names it.
	 */
	void (*detach)(void *ctx, uint16_t port_id);
	/**
	 * A claimed port asks to be reset (RTE_ETH_EVENT_INTR_RESET: a VF
	 * after its PF reset); the instance calls rte_eth_dev_reset() and sets
	 * the port up again from its own context.
	 */
	void (*reset_request)(void *ctx, uint16_t port_id);
	/** A claimed port reported a link state change. */
	void (*link_change)(void *ctx, uint16_t port_id);
	/** RTE_DEV_EVENT_ADD named a device (every instance is told). */
	void (*dev_add)(void *ctx, const char *dev_name);
};

struct rte_failover_conf {
	const char *name;                 /**< instance name (ports' owner name) */
	struct rte_ether_addr mac;        /**< match ports carrying it, if set */
	int mac_set;
	/** device or port names to match (their index is the hint); NULL or "" for none */
	const char *dev_name[RTE_FAILOVER_MAX_NAMES];
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

/**
 * Unregister: release every claimed port (ownership dropped). Waits for
 * ops in progress in other threads to return; not to be called from an op.
 */
void rte_failover_unregister(struct rte_failover *fo);

/** Set the MAC address that ports are matched with from now on. */
void rte_failover_set_mac(struct rte_failover *fo, const struct rte_ether_addr *mac);

/**
 * Claim the ports that exist already and match: after registration, or
 * when the instance wants more (a role was freed). Ops are called from
 * inside this call (never with the library's lock held).
 */
void rte_failover_scan(struct rte_failover *fo);

/** Give a claimed port back (ownership dropped); no further op names it. */
void rte_failover_release(struct rte_failover *fo, uint16_t port_id);

#ifdef __cplusplus
}
#endif

#endif /* RTE_FAILOVER_H */
