/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef FAILOVER_BENCH_H
#define FAILOVER_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_dev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#define BENCH_NB_QUEUES 2
#define BENCH_BURST_MAX 32
#define BENCH_RING_SIZE 1024
#define BENCH_PRELOAD 64        /* mbufs kept in flight in a loopback ring */
#define BENCH_NB_MBUFS 8191

/* The sub-PMD every variant of a row runs over. */
enum bench_sub {
	SUB_NULL,       /* net_null: RX allocates, TX frees */
	SUB_NORX,       /* net_null no-rx=1: every poll is empty */
	SUB_RING,       /* net_ring loopback: mbufs stay in flight */
	SUB_COUNT
};

/* How the application reaches that sub-PMD. */
enum bench_var {
	VAR_DIRECT,     /* the sub-port itself */
	VAR_FAILOVER,   /* net_failover, sub-port as primary, a standby present */
	VAR_FO_KEEP,    /* the same with rx_port_rewrite=0 (mbuf->port kept) */
	VAR_STAMP,      /* the sub-port, the loop writing mbuf->port itself */
	VAR_BONDING,    /* net_bonding mode 1 (active-backup) */
	VAR_FAILSAFE,   /* net_failsafe */
	VAR_CALL,       /* net_fobench_call (wrap.c): one non-tail call, nothing else */
	VAR_COUNT
};

enum bench_mode {
	MODE_RX,        /* RX burst, mbufs recycled behind the port's back */
	MODE_TX,        /* TX burst, mbufs recycled behind the port's back */
	MODE_IO,        /* RX burst then TX of what was received */
	MODE_IDLE,      /* RX poll that finds nothing */
	MODE_COUNT
};

struct bench_case {
	enum bench_sub sub;
	enum bench_mode mode;
	uint16_t burst;
};

/* One port the benchmark polls, and what recycling its mbufs needs. */
struct bench_port {
	bool ok;                                    /* the variant runs */
	bool stamp;                                 /* VAR_STAMP: the loop writes mbuf->port */
	uint16_t port;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_ring *ring[BENCH_NB_QUEUES];    /* SUB_RING: loopback ring */
};

/* One lcore's view of one measurement. */
struct bench_queue {
	const struct bench_port *bp;
	uint16_t qid;
	struct rte_mempool *mp;
	struct rte_mbuf *held[BENCH_BURST_MAX];    /* TX on ring: mbufs of the app */
	uint64_t errors;                            /* lost mbufs: must stay 0 */
};

extern const char *const bench_sub_name[SUB_COUNT];
extern const char *const bench_var_name[VAR_COUNT];
extern const char *const bench_mode_name[MODE_COUNT];

/* mem.c */
struct rte_mempool *bench_pool_create(bool thp);

/* ports.c */
int bench_ports_create(struct rte_mempool *mp, struct bench_port ports[SUB_COUNT][VAR_COUNT]);
void bench_ports_destroy(struct bench_port ports[SUB_COUNT][VAR_COUNT]);

/* loops.c */
void bench_queue_prepare(struct bench_queue *bq, const struct bench_case *c);
void bench_queue_drain(struct bench_queue *bq, const struct bench_case *c);
void bench_loop(struct bench_queue *bq, const struct bench_case *c, uint64_t iters);

/* switch.c: switch-over figures (event to first burst on the new path) */
int bench_switch(struct rte_mempool *mp, unsigned int rounds);

#endif /* FAILOVER_BENCH_H */
