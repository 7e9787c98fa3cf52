/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef FAILOVER_PRIVATE_H
#define FAILOVER_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_atomic.h>
#include <rte_debug.h>
#include <rte_spinlock.h>
#include <rte_ether.h>
#include <ethdev_driver.h>

#include "rte_failover.h"
#include "rte_pmd_failover.h"

extern int failover_logtype;
#define FO_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, failover_logtype, \
		"net_failover: " fmt "\n", ##__VA_ARGS__)

#define FO_DRIVER_NAME "net_failover"

#define FO_PRIMARY RTE_PMD_FAILOVER_PRIMARY
#define FO_STANDBY RTE_PMD_FAILOVER_STANDBY
#define FO_NONE RTE_PMD_FAILOVER_NONE
#define FO_NB_SUBS 2

/* Not a port id: the fast path reads it as "no port". */
#define FO_NO_PORT UINT16_MAX

#define FO_LINK_POLL_MS_DEFAULT 10
#define FO_LINK_POLL_MS_MAX 10000
/*
 * The inactive path, while idle, is polled once every rx_idle_poll_us (a
 * tick of the control path sets the queues' poll_other).
 */
#define FO_RX_IDLE_POLL_US_DEFAULT 1000
#define FO_RX_IDLE_POLL_US_MIN 100
#define FO_RX_IDLE_POLL_US_MAX 1000000
/*
 * A queue's in outside a burst, and the grace period's mark of the value a
 * burst stored (see the contract at the top of failover_rxtx.c): a burst
 * stores its array, pointer-aligned, or NULL; neither has bit 0 or bit 1
 * set, so neither is FO_OUTSIDE nor a mark, and a mark is never FO_OUTSIDE.
 */
#define FO_OUTSIDE ((struct rte_mbuf **)(uintptr_t)1)
#define FO_MARK_BIT ((uintptr_t)2)
/* A secondary process's burst: its value has bit 2 set as well (sec_pid). */
#define FO_SEC_BIT ((uintptr_t)4)
#define FO_MAX_MC_ADDRS 128
#define FO_MAX_MAC_ADDRS 32
#define FO_MAX_QUEUES 128
#define FO_RSS_KEY_MAX 64
#define FO_MAX_PTYPES 128
#define FO_DEVSTR_MAX 512
/*
 * Longest wait for a leaving sub-port's receive queues to be emptied, and
 * how long nothing must arrive on it before it is let go.
 */
#define FO_DRAIN_MS 50
#define FO_DRAIN_QUIET_MS 5

extern const char *const fo_role_name[FO_NB_SUBS + 1];

/* What a device announced by RTE_DEV_EVENT_ADD may be probed for. */
enum fo_hotplug {
	FO_HOTPLUG_OFF,     /* nothing: the application probes */
	FO_HOTPLUG_NAMED,   /* the device a role had (devargs name, or last) */
	FO_HOTPLUG_MAC,     /* that, or a new network device: paired by MAC */
};

/*
 * How long a port the application probes itself waits before it is
 * adopted: its own set-up of the port comes first (testpmd's port attach
 * negotiates Rx metadata right after the probe, which ethdev refuses once
 * the port is configured, and testpmd then exits).
 */
#define FO_ADOPT_DELAY_MS_DEFAULT 100
#define FO_ADOPT_DELAY_MS_MAX 10000

#define FO_HOTPLUG_TIMEOUT_MS_DEFAULT 10000
#define FO_HOTPLUG_TIMEOUT_MS_MAX 600000
/* Devices announced and not settled yet, at most. */
#define FO_HP_MAX 8

/*
 * A device RTE_DEV_EVENT_ADD announced: probed once it is really there
 * (on its bus, bound to a driver, resources assigned), retried with a
 * growing delay until hotplug_timeout_ms after the announcement.
 */
struct fo_hp_dev {
	char name[RTE_DEV_NAME_MAX_LEN];
	uint64_t since;     /* timer cycles of the announcement */
	uint64_t next;      /* no attempt before */
	unsigned int tries;
	uint64_t probe;     /* timer cycles the last rte_dev_probe() took */
	char why[160];      /* why the last attempt did not settle it */
};

/*
 * A port lib/failover claimed for us (attach op), not adopted yet: the
 * role is chosen when it is attached (fo_cands_settle()).
 */
struct fo_cand {
	uint16_t port;
	int8_t hint;        /* the role whose name it matched, or RTE_FAILOVER_BY_MAC */
	uint64_t due;       /* timer cycles: not adopted before (adopt_delay_ms) */
};

#define FO_NB_CAND 8

/* Parsed devargs. */
struct fo_args {
	char *dev[FO_NB_SUBS];   /* device name or device string; NULL if absent */
	bool probe[FO_NB_SUBS];  /* dev[] is a device string we probe ourselves */
	char name[FO_NB_SUBS][RTE_DEV_NAME_MAX_LEN]; /* device name of dev[] */
	struct rte_ether_addr mac;
	bool mac_set;
	uint32_t link_poll_ms;
	bool rx_port_keep;       /* rx_port_rewrite=0: mbuf->port left as received */
	enum fo_hotplug hotplug; /* what RTE_DEV_EVENT_ADD may make us probe */
	uint32_t hotplug_timeout_ms;
	uint32_t adopt_delay_ms; /* a port the application probed waits this long */
	uint32_t rx_idle_poll_us;  /* period of the idle inactive path's poll */
	bool flow_partial;       /* a rule a sub-port refuses stays on the other */
};

/*
 * The paths the control path chose, one 64-bit word: the port transmit
 * bursts go to, the port polled on every receive burst, the other port
 * (polled sparsely while idle) and the active role (FO_NONE when no path).
 * Bursts do not read it (tx_prepare aside): fo_queues_point() turns it into
 * each queue's slot pointers.
 */
union fo_fp {
	uint64_t word;
	struct {
		uint16_t tx;
		uint16_t rx_main;
		uint16_t rx_other;
		uint16_t role;
	};
};

/* Counters of one sub-port, made monotonic across its own resets. */
struct fo_sub_stats {
	struct rte_eth_stats base;  /* sums of counts lost to resets */
	struct rte_eth_stats last;  /* last reading */
	struct rte_eth_stats final; /* reading just before it was destroyed under us */
	bool final_set;
};

/*
 * Where a sub-port is in its life, in order: each state has what the ones
 * before it have. Written by the control path under priv->lock, and where
 * it changes what the fast path may use, under pub_lock too (see
 * fo_paths_publish()); read by the path rule from any thread.
 */
enum fo_sub_state {
	FO_SUB_ABSENT,     /* no port in the role */
	FO_SUB_HELD,       /* a port adopted and brought to our configuration, stopped */
	FO_SUB_DRAINING,   /* started and leaving: RX polled until drained, no TX */
	FO_SUB_STARTED,    /* started: its slots filled, on the fast path */
};

/*
 * Events recorded by callbacks (any thread, never blocking) in fo_sub.ev
 * and settled by fo_sync() under the control lock. The path rule reads
 * them at once: a port gone or leaving is off TX before fo_sync() runs.
 */
#define FO_EV_GONE RTE_BIT32(0)   /* destroyed by someone else */
#define FO_EV_LEAVE RTE_BIT32(1)  /* announced to go: RMV, dev REMOVE, the API */
#define FO_EV_DYING RTE_BIT32(2)  /* its device is being removed: off the fast
				   * path at once, forgotten once GONE */
#define FO_EV_RESET RTE_BIT32(3)  /* asks for a reset (INTR_RESET): off TX, reset,
				   * set up again, back */

struct fo_sub {
	uint8_t role;
	uint8_t state;              /* enum fo_sub_state */
	uint16_t port_id;           /* FO_NO_PORT while absent */
	uint32_t ev;                /* FO_EV_*: atomic */
	bool probed;                /* we created the device: remove it at close */
	char dev_name[RTE_DEV_NAME_MAX_LEN]; /* device of the last port in the role */
	char devstr[FO_DEVSTR_MAX]; /* how to probe that device again */
	char why[192];              /* why the last port handed over was refused */
	struct rte_eth_link link;   /* last reading; one 64-bit word, atomic */
	struct fo_sub_stats st;
};

static inline uint32_t
fo_sub_ev(const struct fo_sub *s)
{
	return __atomic_load_n(&s->ev, __ATOMIC_ACQUIRE);
}

static inline enum fo_sub_state
fo_sub_state(const struct fo_sub *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* The last link reading, whole (the path rule reads it from any thread). */
static inline struct rte_eth_link
fo_sub_link(const struct fo_sub *s)
{
	union { uint64_t w; struct rte_eth_link l; } u;

	u.w = __atomic_load_n((const uint64_t *)&s->link, __ATOMIC_ACQUIRE);
	return u.l;
}

static inline void
fo_sub_link_set(struct fo_sub *s, const struct rte_eth_link *link)
{
	union { uint64_t w; struct rte_eth_link l; } u = { .l = *link };

	__atomic_store_n((uint64_t *)&s->link, u.w, __ATOMIC_RELEASE);
}

static inline bool
fo_sub_link_up(const struct fo_sub *s)
{
	return fo_sub_link(s).link_status == RTE_ETH_LINK_UP;
}

/* On the fast path (RX at least): started and not destroyed under us. */
static inline bool
fo_sub_usable(const struct fo_sub *s)
{
	return fo_sub_state(s) >= FO_SUB_DRAINING &&
	       !(fo_sub_ev(s) & (FO_EV_GONE | FO_EV_DYING));
}

/* Fit for TX: started, not on its way out, link up. */
static inline bool
fo_sub_ready(const struct fo_sub *s)
{
	return fo_sub_state(s) == FO_SUB_STARTED &&
	       !(fo_sub_ev(s) & (FO_EV_GONE | FO_EV_LEAVE | FO_EV_DYING | FO_EV_RESET)) &&
	       fo_sub_link_up(s);
}

/*
 * Why a sub-port cannot transmit (fo_sub_ready() false), the first that
 * applies in this order; FO_COND_READY when it can. Read at publications
 * to tell the cause of a switch.
 */
enum fo_cond {
	FO_COND_ABSENT,     /* no port in the role */
	FO_COND_GONE,       /* FO_EV_GONE */
	FO_COND_DYING,      /* FO_EV_DYING */
	FO_COND_LEAVE,      /* FO_EV_LEAVE */
	FO_COND_RESET,      /* FO_EV_RESET */
	FO_COND_HELD,       /* adopted, stopped */
	FO_COND_DRAINING,   /* started, leaving */
	FO_COND_LINK_DOWN,  /* started, link down */
	FO_COND_READY,
	FO_COND_NB,
};

/*
 * The last switch counted (fo_switch_count(), under pub_lock): TX moved
 * from role from to role to because the sub-port in role `role` entered
 * condition cond (the old path failed) or, with back, left it (the new
 * path became ready: a failback).
 */
struct fo_switch {
	uint64_t time_ns;           /* CLOCK_REALTIME; 0: no switch yet */
	uint8_t from, to;           /* roles */
	uint8_t role;               /* the sub-port whose change caused it */
	uint8_t cond;               /* enum fo_cond */
	bool back;
};

/* How a queue was set up: what rxq_info_get reports, plus the socket. */
struct fo_rxq_conf {
	uint16_t nb_desc;
	unsigned int socket;
	struct rte_eth_rxconf conf;
	struct rte_mempool *mp;
};

struct fo_txq_conf {
	uint16_t nb_desc;
	unsigned int socket;
	struct rte_eth_txconf conf;
};

/*
 * What a burst calls: a sub-port's burst function and its queue, or, in
 * the slot of role FO_NONE, a function of our own (returns nothing / counts
 * a burst with no path). A slot is written only while no published pointer
 * designates it and no lcore can still hold one (after a grace period).
 */
struct fo_rx_slot {
	eth_rx_burst_t fn;
	void *q;
};

struct fo_tx_slot {
	eth_tx_burst_t fn;
	void *q;
};

/*
 * A queue of the failover port. The first cache line is all a burst
 * touches: the published slot pointers and poll_other (written by the
 * control path), in (the queue's lcore; the grace period marks it),
 * other_hot and turn (the queue's lcore only). See the memory-ordering
 * contract at the top of failover_rxtx.c.
 */
struct fo_rxq {
	const struct fo_rx_slot *main;  /* the active path */
	const struct fo_rx_slot *other; /* the inactive one, polled sparsely */
	struct rte_mbuf **in;       /* the burst's array while inside one, else FO_OUTSIDE */
	uint16_t port_id;           /* failover port, written into mbuf->port */
	uint16_t qid;
	uint8_t poll_other;         /* the next burst polls the inactive path too */
	bool other_hot;             /* the inactive path delivered lately */
	bool turn;                  /* while hot: the active path goes first */
	struct fo_rx_slot slot[FO_NB_SUBS + 1] __rte_cache_aligned; /* by role */
	struct fo_rxq_conf conf;    /* replayed onto a joining sub-port */
	int32_t sec_pid;            /* the secondary process of the last FO_SEC_BIT entry */
} __rte_cache_aligned;

struct fo_txq {
	const struct fo_tx_slot *tx;    /* the active path */
	struct rte_mbuf **in;       /* the burst's array while inside one, else FO_OUTSIDE */
	uint16_t qid;
	const union fo_fp *fp;      /* for tx_prepare */
	uint64_t no_path_bursts;    /* written by the queue's lcore only */
	uint64_t no_path_pkts;
	struct fo_tx_slot slot[FO_NB_SUBS + 1] __rte_cache_aligned; /* by role */
	struct fo_txq_conf conf;    /* replayed onto a joining sub-port */
	int32_t sec_pid;            /* the secondary process of the last FO_SEC_BIT entry */
} __rte_cache_aligned;

/*
 * Rx interrupts (intr_conf.rxq): per failover Rx queue, an epoll fd of
 * ours (the queue's event fd in dev->intr_handle) holding that queue's
 * interrupt fd of each started sub-port. See failover_intr.c.
 */
struct fo_intr {
	struct rte_intr_handle *h;  /* dev->intr_handle; NULL until wanted */
	uint16_t nb;                /* Rx queues with an event fd */
	int ep[FO_MAX_QUEUES];      /* their epoll fds, -1 */
	int sub_fd[FO_NB_SUBS][FO_MAX_QUEUES]; /* sub-ports' fds in them, -1 */
	rte_spinlock_t lock;        /* armed[] and on[]: the enable/disable ops */
	uint16_t armed[FO_NB_SUBS]; /* started sub-ports enable/disable reach */
	uint64_t on[FO_MAX_QUEUES / 64]; /* queues the application enabled */
};

struct fo_priv {
	union fo_fp fp __rte_cache_aligned;  /* read by every burst */

	struct rte_eth_dev *dev __rte_cache_aligned;
	struct rte_failover *fo;
	struct fo_args args;
	struct fo_sub sub[FO_NB_SUBS];
	pthread_mutex_t lock;       /* control path; recursive (see fo_lock()) */
	pthread_t lock_owner;       /* for fo_lock_held() */
	unsigned int lock_depth;
	rte_spinlock_t pub_lock;    /* publication of paths (also from events) */
	bool running;               /* started: bursts may run (ethdev's flag comes later) */
	bool closing;
	bool in_remove;             /* EAL's clean-up walk: leave sub-devices to it */
	bool kicked;                /* a deferred fo_sync() is scheduled */
	bool idle_armed;            /* the idle poll tick is scheduled (pub_lock) */

	/* The thread inside a call of ours that may hand ports over (probe, scan). */
	pthread_t own_thread;
	unsigned int own_depth;

	/* Ports handed over, not adopted yet (written by the attach op). */
	rte_spinlock_t cand_lock;
	struct fo_cand cand[FO_NB_CAND];
	unsigned int nb_cand;

	/* Devices RTE_DEV_EVENT_ADD announced (written by the callback). */
	rte_spinlock_t hp_lock;
	struct fo_hp_dev hp[FO_HP_MAX];
	unsigned int nb_hp;

	/*
	 * State replayed onto every sub-port that joins, where ethdev keeps
	 * none (the rest is read from dev->data and the queues).
	 */
	struct rte_ether_addr mc[FO_MAX_MC_ADDRS];
	uint32_t nb_mc;
	bool rss_set;
	struct rte_eth_rss_conf rss;
	uint8_t rss_key[FO_RSS_KEY_MAX];
	bool link_down;             /* the application set the link down */
	uint64_t strip_q_set[FO_MAX_QUEUES / 64]; /* rx queues given a VLAN strip */
	uint64_t strip_q_on[FO_MAX_QUEUES / 64];  /* ... and whether on */
	uint16_t tpid[RTE_ETH_VLAN_TYPE_MAX];     /* 0: never set */
	bool fc_set;
	struct rte_eth_fc_conf fc;
	TAILQ_HEAD(fo_flow_list, rte_flow) flows; /* rte_flow rules, in creation order */
	bool flows_init;
	bool flow_isolated;

	/*
	 * The packet types both sub-ports parse, as ethdev wants them (22.11:
	 * an array the PMD keeps, ended by RTE_PTYPE_UNKNOWN). Two: a new
	 * answer goes into the one not handed out last.
	 */
	uint32_t ptypes[2][FO_MAX_PTYPES + 1];
	uint8_t ptypes_cur;

	/* Statistics. */
	struct rte_eth_stats acc;             /* from sub-ports that left */
	uint64_t role_pkts[FO_NB_SUBS][2];    /* [role][rx, tx] of departed */
	uint64_t path_switches;               /* TX moved between sub-ports (pub_lock) */
	uint16_t last_role;                   /* last role TX used, or FO_NONE (pub_lock) */
	uint8_t cond[FO_NB_SUBS];             /* enum fo_cond at the last publication (pub_lock) */
	struct fo_switch last_switch;         /* (pub_lock) */
	bool stopping;                        /* the application stops it (pub_lock) */
	uint64_t refused;                     /* ports handed over, not adopted */

	struct fo_intr intr;                  /* Rx interrupts */
};

static inline struct fo_priv *
fo_priv(const struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* Port port_id if it is a failover port with the op table ops, else NULL. */
static inline struct rte_eth_dev *
fo_port_dev(uint16_t port_id, const struct eth_dev_ops *ops)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	return dev->dev_ops == ops ? dev : NULL;
}

/* Sub-ports in a state or a later one (FO_SUB_HELD: every present one). */
#define FO_FOREACH_SUB_FROM(priv, s, from) \
	for ((s) = &(priv)->sub[0]; (s) < &(priv)->sub[FO_NB_SUBS]; (s)++) \
		if (fo_sub_state(s) >= (from))

#define FO_FOREACH_SUB(priv, s) FO_FOREACH_SUB_FROM(priv, s, FO_SUB_HELD)

/*
 * The control lock: recursive, because an application's LSC callback that
 * we raise under it may call back into the port (rte_eth_link_get()). Each
 * op takes it once; what an op calls asserts it is held.
 */
static inline void
fo_lock(struct fo_priv *priv)
{
	pthread_mutex_lock(&priv->lock);
	if (priv->lock_depth++ == 0)
		priv->lock_owner = pthread_self();
}

static inline int
fo_trylock(struct fo_priv *priv)
{
	if (pthread_mutex_trylock(&priv->lock) != 0)
		return -EBUSY;
	if (priv->lock_depth++ == 0)
		priv->lock_owner = pthread_self();
	return 0;
}

static inline void
fo_unlock(struct fo_priv *priv)
{
	priv->lock_depth--;
	pthread_mutex_unlock(&priv->lock);
}

static inline bool
fo_lock_held(const struct fo_priv *priv)
{
	return priv->lock_depth > 0 && pthread_equal(priv->lock_owner, pthread_self());
}

/* A programming error, on the control path only: cheap enough to keep. */
#define FO_LOCK_ASSERT(priv) RTE_VERIFY(fo_lock_held(priv))

/*
 * Around our own calls that may hand a port over (rte_dev_probe() of a
 * device string of ours, rte_failover_scan()), under the control lock: a
 * port handed over from inside one is ours to adopt at once; from anyone
 * else's probe, after adopt_delay_ms.
 */
static inline void
fo_own_begin(struct fo_priv *priv)
{
	if (priv->own_depth++ == 0)
		priv->own_thread = pthread_self();
}

static inline void
fo_own_end(struct fo_priv *priv)
{
	priv->own_depth--;
}

/* From the attach op: is this thread inside one of our own calls? */
static inline bool
fo_own_call(const struct fo_priv *priv)
{
	return __atomic_load_n(&priv->own_depth, __ATOMIC_ACQUIRE) > 0 &&
	       pthread_equal(priv->own_thread, pthread_self());
}

/*
 * Files call downward only, in this order (each may call those above it):
 *   failover_devargs.c, failover_rxtx.c  parsing; bursts and grace period
 *   failover_stats.c                     counters
 *   failover_paths.c                     the path rule and its publication
 *   failover_intr.c                      Rx interrupts: the queues' event fds
 *   failover_guard.c                     adopted devices' removal interposed
 *   failover_flow.c                      rte_flow rules, kept and replayed
 *   failover_sub.c                       sub-port lifecycle
 *   failover_hotplug.c                   devices RTE_DEV_EVENT_ADD announced
 *   failover_events.c                    event intake, alarms, fo_sync()
 *   failover_fwd.c                       fo_forward(): ops onto both sub-ports
 *   failover_ops_l2.c                    layer 2 ops (modes, MAC, MTU, VLAN, fc)
 *   failover_ops_info.c                  infos, link, RSS/RETA, fw, ptypes
 *   failover_ops.c                       lifecycle, queues, the eth_dev_ops table
 *   failover_secondary.c                 secondary processes: their eth_dev_ops,
 *                                        the primary's answers to them
 *   failover_ethdev.c                    probe/remove, public API
 *   failover_telemetry.c                 /failover/ telemetry commands
 */

/* failover_devargs.c */
int fo_args_parse(const char *params, struct fo_args *args);
void fo_args_free(struct fo_args *args);

/* failover_rxtx.c: burst functions and the grace period */
void fo_rxq_init(struct fo_rxq *q);
void fo_txq_init(struct fo_txq *q);
uint16_t fo_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t fo_rx_burst_keep_port(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t fo_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t fo_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint32_t fo_rx_queue_count(void *queue);
int fo_rx_descriptor_status(void *queue, uint16_t offset);
int fo_tx_descriptor_status(void *queue, uint16_t offset);
void fo_membarrier_init(void);
void fo_quiesce(struct fo_priv *priv);
/* ... in a secondary process: the sub-ports by port id from the published word */
uint16_t fo_sec_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t fo_sec_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t fo_sec_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts);
int fo_sec_tx_done_cleanup(void *queue, uint32_t free_cnt);
void fo_sec_port_mark(uint16_t port, bool gone);
void fo_sec_quiesce(struct rte_eth_dev_data *data);

/* failover_stats.c */
int fo_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
int fo_stats_reset(struct rte_eth_dev *dev);
int fo_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			unsigned int size);
int fo_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int fo_xstats_reset(struct rte_eth_dev *dev);
void fo_stats_fold(struct fo_priv *priv, struct fo_sub *s, bool live);
void fo_stats_final(struct fo_sub *s);
void fo_stats_roles(struct fo_priv *priv, uint64_t pkts[FO_NB_SUBS][2]);

/* failover_paths.c: the path rule, its publication, the link we report */
union fo_fp fo_paths_choose(const struct fo_sub sub[FO_NB_SUBS]);
void fo_paths_publish(struct fo_priv *priv);
void fo_paths_stopping(struct fo_priv *priv, bool on);
void fo_slots_fill(struct fo_priv *priv, const struct fo_sub *s);
void fo_paths_poll_other(struct fo_priv *priv);
void fo_paths_uninit(struct fo_priv *priv);
int fo_port_role(const struct fo_priv *priv, uint16_t port);
struct fo_switch fo_paths_last_switch(struct fo_priv *priv);
int fo_switch_cause(const struct fo_switch *sw, char *buf, size_t len);

/* failover_intr.c: Rx interrupts, the queues' event fds fed by the sub-ports' */
void fo_intr_init(struct fo_priv *priv);
int fo_intr_configure(struct fo_priv *priv);
void fo_intr_uninit(struct fo_priv *priv);
int fo_intr_sub_add(struct fo_priv *priv, struct fo_sub *s);
void fo_intr_sub_disarm(struct fo_priv *priv, const struct fo_sub *s);
void fo_intr_sub_del(struct fo_priv *priv, struct fo_sub *s);
int fo_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int fo_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid);

/* failover_guard.c: adopted devices' removal interposed (vdev, PCI) */
void fo_guard_set(struct fo_priv *priv, uint16_t port);
void fo_guard_clear(uint16_t port);

/* failover_flow.c: rte_flow rules on both sub-ports, kept and replayed */
int fo_flow_ops_get(struct rte_eth_dev *dev, const struct rte_flow_ops **ops);
int fo_flow_replay(struct fo_priv *priv, struct fo_sub *s);
void fo_flow_sub_drop(struct fo_priv *priv, struct fo_sub *s);
void fo_flow_uninit(struct fo_priv *priv);

/* failover_sub.c: sub-port lifecycle (adopt, replay, start/stop, leave, release) */
int fo_sub_configure(struct fo_priv *priv, struct fo_sub *s);
int fo_sub_start(struct fo_priv *priv, struct fo_sub *s);
int fo_sub_queue_state(struct fo_sub *s, bool rx, uint16_t qid, bool start);
void fo_sub_stop(struct fo_priv *priv, struct fo_sub *s);
int fo_sub_fit(struct fo_priv *priv, uint16_t port, int role);
void fo_sub_leave(struct fo_priv *priv, struct fo_sub *s);
void fo_sub_reset(struct fo_priv *priv, struct fo_sub *s);
void fo_sub_forget(struct fo_priv *priv, struct fo_sub *s);
void fo_sub_release(struct fo_priv *priv, struct fo_sub *s, bool unplug);
void fo_links_refresh(struct fo_priv *priv);
void fo_links_poll(struct fo_priv *priv);
uint64_t fo_cands_settle(struct fo_priv *priv);
bool fo_orphan_take(const char *name);
void fo_cands_drop(struct fo_priv *priv);

/* failover_hotplug.c: devices announced by RTE_DEV_EVENT_ADD */
bool fo_hp_announce(struct fo_priv *priv, const char *name);
uint64_t fo_hp_run(struct fo_priv *priv);
void fo_hp_uninit(struct fo_priv *priv);
bool fo_devstr_probed(const char *devstr);
void fo_orphan_reclaim(const char *devstr);
/* Readiness of a PCI device in sysfs; why says what is missing. */
enum fo_hp_state { FO_HP_READY, FO_HP_WAIT, FO_HP_REFUSE };
enum fo_hp_state fo_hp_pci_state(const char *sysfs, const char *name, bool by_mac,
				 const struct rte_ether_addr *mac, char *why, size_t len);

/* failover_events.c: event intake, alarms, fo_sync(); set-up and tear-down */
int fo_events_init(struct fo_priv *priv);
void fo_events_uninit(struct fo_priv *priv);
void fo_sync(struct fo_priv *priv);

/* failover_fwd.c: the forwarding primitive */
/*
 * One step on one sub-port: val is the op's new value, the old value to
 * restore, or a snapshot taken by save.
 */
typedef int (fo_step_t)(struct fo_sub *s, const void *val);
/* Take a sub-port's snapshot: 0, or non-zero when there is none to take. */
typedef int (fo_save_t)(struct fo_sub *s, void *snap);

/*
 * How an op is forwarded, in one of three shapes:
 *  - on/off pairs: set, and unset as its undo (promiscuous, all-multicast,
 *    extra MAC addresses, VLAN filters);
 *  - set new, restore old: set, undone by set with the old value the op
 *    passes (MTU, default MAC, multicast list, link up/down, a queue's
 *    VLAN strip, TPID);
 *  - snapshot then set: save reads each sub-port's own value first, and
 *    restore puts it back (configure, RSS hash, RETA, VLAN offloads, flow
 *    control); a sub-port save finds nothing on (never configured, no such
 *    setting) is left as it is. A snapshot laid out as the op's value is
 *    restored by set itself.
 */
struct fo_fwd {
	const char *what;    /* names the op in log lines */
	fo_step_t *set;
	fo_step_t *unset;
	fo_save_t *save;
	fo_step_t *restore;
};

/* Snapshots of the snapshot-then-set ops (configure, RSS, RETA, ...). */
struct fo_conf_snap {
	uint16_t nb_rxq, nb_txq;
	struct rte_eth_conf conf;
};

/* Sub-port RSS settings, key included (conf first: restored as it is set). */
struct fo_rss_snap {
	struct rte_eth_rss_conf conf;
	uint8_t key[FO_RSS_KEY_MAX];
};

#define FO_RETA_GROUPS (RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE)

struct fo_reta_snap {
	uint16_t size;
	struct rte_eth_rss_reta_entry64 reta[FO_RETA_GROUPS];
};

/* What a snapshot-then-set op keeps per sub-port. */
union fo_snap {
	struct fo_conf_snap conf;
	struct fo_rss_snap rss;
	struct fo_reta_snap reta;
	struct rte_eth_fc_conf fc;
	int vlan;               /* rte_eth_dev_get_vlan_offload() */
};

int fo_forward(struct fo_priv *priv, const struct fo_fwd *f, const void *val, const void *old);
int fo_forward_op(struct rte_eth_dev *dev, const struct fo_fwd *f, const void *val,
		  const void *old);
struct fo_sub *fo_query_sub(struct fo_priv *priv);

#define FO_ARGS(...) __VA_ARGS__
/*
 * Defines an op the sub-port of fo_query_sub() answers, under the control
 * lock (-ENODEV with no sub-port): params is the op's parameter list after
 * dev, args what it passes to the ethdev function call after the sub-port's
 * port id, both in parentheses.
 */
#define FO_QUERY_OP(op, call, params, args)				\
int									\
op(struct rte_eth_dev *dev, FO_ARGS params)				\
{									\
	struct fo_priv *priv = fo_priv(dev);				\
	struct fo_sub *s;						\
	int ret = -ENODEV;						\
									\
	fo_lock(priv);							\
	s = fo_query_sub(priv);						\
	if (s != NULL)							\
		ret = call(s->port_id, FO_ARGS args);			\
	fo_unlock(priv);						\
	return ret;							\
}

/* failover_ops_l2.c: layer 2 ops (modes, MAC, multicast, MTU, VLAN, link, flow control) */
int fo_promiscuous_enable(struct rte_eth_dev *dev);
int fo_promiscuous_disable(struct rte_eth_dev *dev);
int fo_allmulticast_enable(struct rte_eth_dev *dev);
int fo_allmulticast_disable(struct rte_eth_dev *dev);
int fo_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr);
int fo_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		    uint32_t vmdq);
void fo_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
int fo_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *list, uint32_t nb);
int fo_mtu_set(struct rte_eth_dev *dev, uint16_t mtu);
int fo_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on);
int fo_dev_set_link_up(struct rte_eth_dev *dev);
int fo_dev_set_link_down(struct rte_eth_dev *dev);
int fo_vlan_offload_set(struct rte_eth_dev *dev, int mask);
void fo_vlan_strip_queue_set(struct rte_eth_dev *dev, uint16_t qid, int on);
int fo_vlan_tpid_set(struct rte_eth_dev *dev, enum rte_vlan_type type, uint16_t tpid);
int fo_flow_ctrl_set(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc);
int fo_flow_ctrl_get(struct rte_eth_dev *dev, struct rte_eth_fc_conf *fc);

/* failover_ops_info.c: what the port reports (infos, link, fw, burst modes, ptypes,
 * module EEPROM, registers), RSS */
int fo_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);
int fo_link_update(struct rte_eth_dev *dev, int wait_to_complete);
int fo_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);
int fo_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf);
int fo_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		   uint16_t size);
int fo_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *conf,
		  uint16_t size);
int fo_fw_version_get(struct rte_eth_dev *dev, char *fw, size_t fw_size);
int fo_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode);
int fo_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_burst_mode *mode);
const uint32_t *fo_dev_supported_ptypes_get(struct rte_eth_dev *dev);
int fo_get_module_info(struct rte_eth_dev *dev, struct rte_eth_dev_module_info *mi);
int fo_get_module_eeprom(struct rte_eth_dev *dev, struct rte_dev_eeprom_info *info);
int fo_get_reg(struct rte_eth_dev *dev, struct rte_dev_reg_info *info);

/* failover_ops.c: lifecycle, queues, the op table */
extern const struct eth_dev_ops fo_ops;

/* failover_secondary.c: secondary processes; the primary's answers to them */
struct rte_vdev_device;
extern const struct eth_dev_ops fo_sec_ops;
int fo_sec_probe(struct rte_vdev_device *vdev);
int fo_sec_remove(struct rte_eth_dev *dev);
int fo_sec_refuse(const struct rte_eth_dev *dev, const char *what);
struct fo_priv *fo_sec_priv(uint16_t port_id);
void fo_mp_init(void);

/* failover_ethdev.c */
struct fo_priv *fo_port_priv(uint16_t port_id);

#endif /* FAILOVER_PRIVATE_H */
