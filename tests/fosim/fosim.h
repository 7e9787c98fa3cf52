/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_fosim: a fault-injection / VF-simulator PMD for unit tests.
 *
 * Create ports with --vdev or rte_vdev_init(), e.g.
 *   net_fosim0,mac=02:00:00:00:00:10,max_rxq=2,fail=mtu+promisc,link=down
 * Devargs (an unknown key or a bad value fails the probe, naming it):
 *   mac=xx:xx:xx:xx:xx:xx    default 02:00:00:00:00:<number ending the name>
 *   max_rxq=N, max_txq=N     default 4
 *   max_mtu=N, min_mtu=N     default 9000, 68 (max_rx_pktlen = max_mtu + 18)
 *   rx_offload_capa=0x..     default VLAN_FILTER|VLAN_STRIP|CHECKSUM|RSS_HASH
 *   tx_offload_capa=0x..     default VLAN_INSERT|IPV4/UDP/TCP_CKSUM|MULTI_SEGS
 *   rss_capa=0x..            flow_type_rss_offloads, default IP|TCP|UDP
 *   reta_size=N              default 64, a multiple of 64 up to 512;
 *                            0 = no RSS at all (no RSS/RETA ops, capa 0)
 *   hash_key_size=N          default 40, at most 64
 *   lsc=0|1, rmv=0|1         advertise RTE_ETH_DEV_INTR_LSC / _RMV (1)
 *   lsc_lost=1               LSC advertised but its interrupt never comes:
 *                            a link change is seen only by link_update
 *                            (no event, ethdev's cached link unchanged),
 *                            as DPDK's em PMD over QEMU's e1000e (MSI-X)
 *   fail=op[+op...]          ops failing with -EIO (see fosim_set_fail())
 *   link=up|down             initial link (up)
 *   no_mac_set=1             no mac_addr_set op (-ENOTSUP), like net_ring
 *   no_queue_ops=1           no rx/tx_queue_start/stop ops (-ENOTSUP), like
 *                            virtio, net_null and net_ring
 *   no_mac_remove=1          no mac_addr_remove op (-ENOTSUP)
 *   no_deferred=1            rx/tx_deferred_start ignored: every queue starts
 *                            with the port (virtio, net_tap, net_null...)
 *   tx_sink=1                tx_burst frees what it takes, as a wire would
 *                            (nothing to collect; counted in opackets)
 *   ptypes=0x..              which of its 14 packet types it reports (bit i:
 *                            entry i of fosim_all_ptypes[], L2 ether first);
 *                            default all, 0 = no dev_supported_ptypes_get op
 *   flow_max=N               rte_flow rules it holds at most (16, up to 64);
 *                            0 = no flow_ops_get op (as net_null)
 *   flow_no_udp=1            its flow engine refuses the UDP item
 * Flow engine (rte_flow): ingress rules of group 0, a pattern of ETH, IPV4
 * and UDP items (each at most once, in that order; VOID anywhere), one fate
 * (QUEUE of a configured rx queue, or DROP) and an optional COUNT, which
 * query answers; isolate is recorded. Nothing is matched: the counters
 * move by fosim_flow_hit(). Rules go at close and reset.
 * Burst mode info is "fosim ring rx" / "fosim ring tx", the firmware
 * version "fosim-<port id>.0"; tx_done_cleanup frees nothing (counted).
 * rte_eth_dev_set_link_up/down() change the link too, without an event.
 * Each rx/tx queue is a 1024-entry ring (rte_eth_rx_queue_count() counts
 * an rx one); mbufs left in them are freed at stop, queue release and close.
 * Descriptor status: an rx descriptor is DONE while the ring holds that
 * many mbufs, else AVAIL; a tx one FULL while the ring holds what was sent,
 * else DONE; -EINVAL from the ring's size on. The plug-in module is an
 * SFF-8472 EEPROM of 512 bytes, byte i = (i + port id) & 0xff; the
 * registers are 64 of 32 bits, register i = port id << 16 | i (version
 * 0xf051).
 * Queue states: started at the port's start but those set up with
 * rx/tx_deferred_start, stopped at its stop; rx/tx_queue_start/stop set
 * them; a burst on a stopped queue moves nothing, an rx queue's stop frees
 * what its ring held and fosim_rx_inject() gives a stopped queue nothing.
 *
 * Drive them from the test with the functions below.  All of them
 * check that port_id is a net_fosim port and return a negative errno
 * (-ENODEV) if it is not.  They are meant for the test's control thread.
 *
 * Events are delivered from EAL alarms (interrupt thread).  Like a real
 * driver unregistering its interrupt handler, rte_eth_dev_close() of a
 * fosim port drops its pending events and waits for one being delivered:
 * do not close it while holding a lock that the event callback takes.
 *
 * ethdev (22.11) replays MAC address, promisc and allmulti settings at
 * every rte_eth_dev_start(); fosim recognises these replays and neither
 * counts nor fails them, so fail=promisc does not make start fail.
 */

#ifndef FOSIM_H
#define FOSIM_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FOSIM_DRV_NAME "net_fosim"

/* A rule a port holds, as its flow engine read it. */
struct fosim_flow_info {
	uint32_t items;     /* bit 0 ETH, 1 IPV4, 2 UDP */
	uint32_t ipv4_dst;  /* from the IPV4 spec (network order), 0 if none */
	uint16_t udp_dst;   /* from the UDP spec (host order), 0 if none */
	uint16_t queue;     /* QUEUE index */
	uint8_t drop;       /* DROP */
	uint8_t count;      /* COUNT */
};

/*
 * The rules the port holds, in creation order: up to max copied into out
 * (may be NULL); returns how many it holds.
 */
int fosim_flow_list(uint16_t port_id, struct fosim_flow_info *out, unsigned int max);

/* Add to the COUNT counters of the index-th rule (creation order); -ENOENT. */
int fosim_flow_hit(uint16_t port_id, unsigned int index, uint64_t hits, uint64_t bytes);

/* 1 if the port was put in isolated mode (rte_flow_isolate), 0 if not. */
int fosim_flow_isolated(uint16_t port_id);

/*
 * Make the listed ops fail with -EIO from now on: ops joined by '+' (or
 * ','), "" or NULL clears all.  Names: configure, start, stop, mtu,
 * promisc, allmulti, mac_set, mac_add, mc_list, vlan_filter, rss_update,
 * reta_update, rxq_setup, txq_setup, link_up, link_down, vlan_offload,
 * vlan_tpid, flow_ctrl (the set; the get is only counted), flow_validate,
 * flow_create, flow_destroy, flow_flush, flow_query, flow_isolate (these
 * set the rte_flow_error message "fosim: injected failure"), rxq_start,
 * rxq_stop, txq_start, txq_stop, reset, module_info, module_eeprom, regs.
 * -EINVAL (and nothing changed) on an unknown name.
 */
int fosim_set_fail(uint16_t port_id, const char *ops);

/*
 * Set the link up (up != 0) or down.  When the state changes, the port
 * advertises LSC (lsc=1) and was configured with intr_conf.lsc, an
 * RTE_ETH_EVENT_INTR_LSC is raised from the EAL interrupt thread
 * shortly afterwards (never from the caller's thread).
 * -ENODEV once the port has been removed.
 */
int fosim_set_link(uint16_t port_id, int up);

/*
 * Surprise removal: link goes down for good, tx_burst returns 0 from now
 * on (rx keeps working), rte_eth_dev_is_removed() reports 1, and if the port advertises RMV
 * (rmv=1) and was configured with intr_conf.rmv, RTE_ETH_EVENT_INTR_RMV
 * is raised from the EAL interrupt thread.  A second call does nothing.
 */
int fosim_remove(uint16_t port_id);

/*
 * Hold rx bursts (on != 0): an rx_burst (or rx_queue_count) of the port
 * called from then on waits inside the PMD, as a burst that takes long
 * would, until released (on = 0). For the grace-period test: the port must not be stopped while
 * a burst is inside it.
 */
/*
 * Raise RTE_ETH_EVENT_INTR_RESET (as iavf or ixgbevf after a PF reset),
 * from the EAL interrupt thread; rte_eth_dev_reset() of the port then
 * brings it back to the state of a port just probed (counted as "reset").
 */
int fosim_reset_request(uint16_t port_id);

int fosim_rx_hold(uint16_t port_id, int on);

/* How many rx bursts are waiting inside the port (fosim_rx_hold()). */
int fosim_rx_held(uint16_t port_id);

/* Queue mbufs for rx on a set-up rx queue; returns how many were taken. */
int fosim_rx_inject(uint16_t port_id, uint16_t queue,
		struct rte_mbuf **pkts, unsigned int n);

/* Take what tx_burst queued on a tx queue; returns how many (<= max). */
int fosim_tx_collect(uint16_t port_id, uint16_t queue,
		struct rte_mbuf **pkts, unsigned int max);

/* 1 if vlan_id is in the port's VLAN filter table, 0 if not. */
int fosim_vlan_filtered(uint16_t port_id, uint16_t vlan_id);

/*
 * 1 if VLAN stripping was turned on for rx queue (below 64) by
 * vlan_strip_queue_set, 0 if not (vlan_strip_queue_set cannot fail: it
 * returns nothing, and ethdev reports 0).
 */
int fosim_vlan_strip_queue(uint16_t port_id, uint16_t queue);

/* The TPID last set for a VLAN type (0: never set). */
int fosim_vlan_tpid(uint16_t port_id, enum rte_vlan_type type);

/*
 * Copy the multicast list last given to set_mc_addr_list (at most max
 * entries); returns the number copied.
 */
int fosim_mc_list(uint16_t port_id, struct rte_ether_addr *out,
		unsigned int max);

/* Queue counts given to the last successful dev_configure. */
int fosim_configured_queues(uint16_t port_id, uint16_t *nb_rx,
		uint16_t *nb_tx);

/*
 * How many times an op was called on the port (failed calls included).
 * Op names: those of fosim_set_fail() and close, infos_get, link_update,
 * mac_remove, rss_get, reta_query, rxq_release, txq_release, stats_get,
 * stats_reset, burst_mode, ptypes, vlan_strip_q, flow_ctrl_get,
 * fw_version, tx_cleanup.  promisc and allmulti count enable and disable.
 * The counts survive rte_eth_dev_close() (until a new fosim port gets
 * the same port id), so "closed exactly once" can be checked.
 * Returns 0 for an unknown op or a port that never was a fosim port.
 */
unsigned int fosim_op_count(uint16_t port_id, const char *op);

/*
 * Make the next n probes of the device named name fail with -EAGAIN (as a
 * device that is not ready yet would); n = 0 clears. The failed probes
 * are counted too. -ENOSPC when too many names are tracked.
 */
int fosim_probe_fail(const char *name, unsigned int n);

/* How many times the device named name was probed (failures included). */
unsigned int fosim_probe_count(const char *name);

/*
 * Bursts that reached a queue its port had freed (a use after free in a
 * real PMD: the queue is kept, marked dead, and the burst returns 0), since
 * the start. Freed queues are kept until fosim_graveyard_flush() (not from
 * a datapath lcore, nor while one may still hold a freed queue).
 */
uint64_t fosim_dead_bursts(void);
void fosim_graveyard_flush(void);

#ifdef __cplusplus
}
#endif

#endif /* FOSIM_H */
