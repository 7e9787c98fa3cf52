/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef REHEARSAL_H
#define REHEARSAL_H

/*
 * dpdk-failover-rehearsal internals. Two rigs:
 *   --rig vdev  (default) the rehearsal on virtual devices of one process:
 *               vdev_rig.c (ports over the test library's rig, the
 *               VF's wire), vdev_worker.c (the worker lcore),
 *               vdev_run.c (the main lcore: triggers, rounds),
 *               vdev_report.c (round lines, summary and criteria);
 *   --rig guest the guest end of a real hypervisor's rig: guest.c.
 * Frames and counting: rh_traffic.h (no DPDK).
 */

#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "ft_rig.h"
#include "ft_wait.h"
#include "rh_traffic.h"

#define RH_FO_NAME "net_failover0"
#define RH_TAP_NAME "net_tap0"
#define RH_RIG_SUFFIX "0"         /* net_vhost0, net_virtio_user0 */
#define RH_MAC_STR "02:fa:11:00:00:10"
#define RH_BURST 32
#define RH_VDEV_FRAME_LEN 64
#define RH_NB_MBUF 8191
#define RH_VH_NB_MBUF 4095
#define RH_NB_DESC 256
#define RH_LIMIT_MS 2000          /* a switch slower than this fails the round */
#define RH_SOCK_BUF (64 << 20)
/* Phases last a random extra 0-10 ms: triggers then fall anywhere in the link poll period. */
#define RH_JITTER_US 10000

enum rh_rig { RH_RIG_VDEV, RH_RIG_GUEST };

enum rh_trigger { RH_TRIGGER_EVENT, RH_TRIGGER_API, RH_TRIGGER_LINK };

extern const char *const rh_trigger_name[];

struct rh_opts {
	enum rh_rig rig;
	/* vdev rig */
	unsigned int rounds;
	enum rh_trigger trigger;
	unsigned int away_ms;
	unsigned int home_ms;
	unsigned int gap_us;
	char iface[IFNAMSIZ];
	/* guest rig */
	char port[RTE_ETH_NAME_MAX_LEN];
	uint8_t peer_mac[6];
	unsigned int interval_us;
	uint32_t run, peer_run;
	bool peer_run_given;
};

/* One round (slot 0: warm-up before round 1; last slot: wind-down). */
struct rh_round {
	uint64_t offered;         /* given to tx_burst (worker) */
	uint64_t refused;         /* returned by tx_burst (worker) */
	uint64_t no_path;         /* bursts that found no active path (worker) */
	uint64_t t_standby;       /* trigger to first standby burst, cycles; 0: none */
	uint64_t t_released;      /* trigger to primary gone; 0: none or n/a */
	uint64_t t_primary;       /* re-add to first primary burst; 0: none */
};

/*
 * The vdev rig. Both far ends (the VF's: an AF_PACKET socket on the tap's
 * kernel side, path vf; the vhost backend, path virtio) are read by the
 * worker and counted by one stream accountant (step = round), the main
 * lcore reads a round's counts through the worker (rh_worker_sync()).
 */
struct rh {
	struct rh_opts opts;
	struct ft_rig rig;        /* the failover port, its standby pair, pools */
	char primary[64];         /* the tap primary's device string */
	unsigned int pool_size, vh_pool_size, pool_left, vh_pool_left;
	int vf_fd;
	unsigned int nb_slots;    /* warm-up, rounds, wind-down */
	struct rh_round *rd;
	struct rh_acct acct;      /* worker only while it runs */
	unsigned int rounds_done;
	uint32_t run;
	uint64_t fo_opackets, fo_primary_tx, fo_standby_tx, path_switches, vf_sock_drops;
	/* worker only */
	uint64_t seq, alloc_fail;
	/* shared with the worker */
	uint32_t tag_round;
	int tx_on, stop;
	struct ft_stamp first;    /* the worker's first burst on an armed path */
	uint64_t loops;
	uint32_t copy_req, copy_done, copy_step;
	struct rh_step_stats copy; /* step copy_step, written by the worker */
};

extern struct rte_ether_addr rh_mac;
extern volatile sig_atomic_t rh_quit;

/* Counters read by another thread; one thread writes a given counter. */
static inline void
rh_store(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

static inline uint64_t
rh_load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* No read-modify-write atomic: only one thread writes it. */
static inline void
rh_add(uint64_t *c, uint64_t n)
{
	rh_store(c, rh_load(c) + n);
}

/* vdev_worker.c */
int rh_worker(void *arg);
void rh_vf_read(struct rh *r);

/* vdev_run.c */
int rh_run(struct rh *r);

/* vdev_rig.c */
int rh_vf_open(struct rh *r);
void rh_vf_close(struct rh *r);
int rh_link_set(const char *iface, bool up);
int rh_rig_setup(struct rh *r);
void rh_rig_close(struct rh *r);

/* vdev_report.c */
void rh_round_report(const struct rh *r, unsigned int i, const struct rh_step_stats *s);
int rh_report(const struct rh *r);

/* guest.c */
int rh_guest(const struct rh_opts *o);

#endif /* REHEARSAL_H */
