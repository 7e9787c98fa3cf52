/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef RTE_PMD_FAILOVER_H
#define RTE_PMD_FAILOVER_H

/**
 * @file
 * net_failover: what an application needs beyond the ethdev API.
 *
 * A failover port wraps a primary sub-port (a pass-through VF) and a
 * standby sub-port (virtio) carrying the same MAC address. Traffic uses
 * the primary while it is started with its link up, else the standby.
 */

#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Role of a sub-port, and the value of the "active_path" xstat. */
enum rte_pmd_failover_role {
	RTE_PMD_FAILOVER_PRIMARY = 0, /**< pass-through VF */
	RTE_PMD_FAILOVER_STANDBY = 1, /**< paravirtual (virtio) port */
	RTE_PMD_FAILOVER_NONE = 2,    /**< no path: no sub-port ready */
};

/**
 * Get the ethdev port id of one sub-port of a failover port.
 *
 * @param port_id
 *   The failover port.
 * @param role
 *   RTE_PMD_FAILOVER_PRIMARY or RTE_PMD_FAILOVER_STANDBY.
 * @param sub_port_id
 *   Where the sub-port's id is written.
 * In a secondary process: the sub-port the primary holds in the role now
 * (a reading of the shared state).
 *
 * @return
 *   0 on success; -ENODEV if port_id is not a failover port or the role
 *   has no sub-port now; -EINVAL for a bad role or a NULL pointer.
 */
__rte_experimental
int rte_pmd_failover_sub_port(uint16_t port_id, enum rte_pmd_failover_role role,
			      uint16_t *sub_port_id);

/**
 * Get the path that transmit bursts use now.
 *
 * @param port_id
 *   The failover port.
 * In a secondary process too (a reading of the shared state).
 *
 * @return
 *   The active role (RTE_PMD_FAILOVER_PRIMARY, _STANDBY or _NONE), or
 *   -ENODEV if port_id is not a failover port.
 */
__rte_experimental
int rte_pmd_failover_active_path(uint16_t port_id);

/**
 * The primary is about to go (planned maintenance, or a live migration
 * the hypervisor announced): fail over now, before the device is pulled.
 *
 * Transmit moves to the standby at once; once no lcore can be inside a
 * burst that uses the primary, its rings are drained (the application's
 * receive bursts take what it still holds or still receives, until nothing
 * has arrived on it for 5 ms, at most 50 ms), and it is
 * stopped, closed and its device removed (detached from DPDK), so that
 * no packet accepted by the failover port's tx_burst is lost in the
 * failover layer. A device with the failover MAC that appears later (or
 * the same device, announced by RTE_DEV_EVENT_ADD) becomes the primary.
 *
 * Control path: call it from a thread that is not inside a burst of the
 * failover port, and not from an ethdev or device event callback (it
 * removes the device). It returns once the primary is gone. Primary
 * process only.
 *
 * @param port_id
 *   The failover port.
 * @return
 *   0 on success; -ENODEV if port_id is not a failover port; -ENOENT if
 *   it has no primary now; -ENOTSUP in a secondary process.
 */
__rte_experimental
int rte_pmd_failover_primary_leave(uint16_t port_id);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_FAILOVER_H */
