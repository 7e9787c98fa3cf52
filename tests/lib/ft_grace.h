/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef FT_GRACE_H
#define FT_GRACE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "ft_rig.h"

/* An Rx burst on queue 0 of the rig's failover port, as some process makes it. */
typedef uint16_t (ft_rx_fn)(struct rte_mbuf **pkts, uint16_t nb_pkts);

/*
 * The primary leaves (rte_pmd_failover_primary_leave(), on a thread) while
 * a worker lcore is inside one of rx's bursts, held there by the VF
 * simulator (the rig's primary is a net_fosim VF): the leave must not stop
 * the primary before that burst returns, must complete once it has, and
 * the frames the held burst then returns reach the worker with the
 * failover port in mbuf->port. TEST_SUCCESS, or TEST_FAILED saying what
 * went wrong. Needs a second lcore; links the VF simulator (fosim.h).
 */
int ft_grace_leave_under_burst(const struct ft_rig *rig, ft_rx_fn *rx);

#endif /* FT_GRACE_H */
