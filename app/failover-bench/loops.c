/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The measured loops. Every variant of a row runs the same loop: only the
 * port differs. Mbufs are recycled behind the port's back (freed, or put
 * back into the loopback ring), identically for every variant, so what
 * differs between variants is the wrapper's own cost.
 */

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bench.h"

/*
 * The app-stamp variant: the loop itself writes mbuf->port of what it
 * received, the least any wrapper rewriting it can cost (one load and one
 * store per packet). The other variants run the same loop without it.
 */
static __rte_always_inline void
stamp_port(struct rte_mbuf **pkts, uint16_t nb, uint16_t port, bool stamp)
{
	uint16_t i = 0;

	if (!stamp)
		return;
	for (; i + 8 <= nb; i += 8) {
		pkts[i]->port = port;
		pkts[i + 1]->port = port;
		pkts[i + 2]->port = port;
		pkts[i + 3]->port = port;
		pkts[i + 4]->port = port;
		pkts[i + 5]->port = port;
		pkts[i + 6]->port = port;
		pkts[i + 7]->port = port;
	}
	for (; i < nb; i++)
		pkts[i]->port = port;
}

/* RX on net_null: the PMD allocates, the loop frees. */
static __rte_always_inline void
loop_rx_free(struct bench_queue *bq, uint16_t burst, uint64_t iters, bool stamp)
{
	struct rte_mbuf *pkts[BENCH_BURST_MAX];
	uint16_t port = bq->bp->port, qid = bq->qid, nb;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		nb = rte_eth_rx_burst(port, qid, pkts, burst);
		stamp_port(pkts, nb, port, stamp);
		rte_pktmbuf_free_bulk(pkts, nb);
	}
}

/* RX on the loopback ring: what was received goes back into the ring. */
static __rte_always_inline void
loop_rx_ring(struct bench_queue *bq, uint16_t burst, uint64_t iters, bool stamp)
{
	struct rte_mbuf *pkts[BENCH_BURST_MAX];
	struct rte_ring *r = bq->bp->ring[bq->qid];
	uint16_t port = bq->bp->port, qid = bq->qid, nb;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		nb = rte_eth_rx_burst(port, qid, pkts, burst);
		stamp_port(pkts, nb, port, stamp);
		bq->errors += nb - rte_ring_sp_enqueue_burst(r, (void **)pkts, nb, NULL);
	}
}

/* TX on net_null: the loop allocates, the PMD frees. */
static __rte_noinline void
loop_tx_alloc(struct bench_queue *bq, uint16_t burst, uint64_t iters)
{
	struct rte_mbuf *pkts[BENCH_BURST_MAX];
	uint16_t port = bq->bp->port, qid = bq->qid, nb;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		if (rte_pktmbuf_alloc_bulk(bq->mp, pkts, burst) != 0) {
			bq->errors++;
			continue;
		}
		nb = rte_eth_tx_burst(port, qid, pkts, burst);
		if (unlikely(nb < burst))
			rte_pktmbuf_free_bulk(pkts + nb, burst - nb);
	}
}

/* TX on the loopback ring: what was sent is taken back from the ring. */
static __rte_noinline void
loop_tx_ring(struct bench_queue *bq, uint16_t burst, uint64_t iters)
{
	struct rte_ring *r = bq->bp->ring[bq->qid];
	struct rte_mbuf **pkts = bq->held;
	uint16_t port = bq->bp->port, qid = bq->qid, nb;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		nb = rte_eth_tx_burst(port, qid, pkts, burst);
		bq->errors += nb - rte_ring_sc_dequeue_burst(r, (void **)pkts, nb, NULL);
	}
}

/* RX then TX of what was received (also the idle poll: nothing comes). */
static __rte_always_inline void
loop_io(struct bench_queue *bq, uint16_t burst, uint64_t iters, bool stamp)
{
	struct rte_mbuf *pkts[BENCH_BURST_MAX];
	uint16_t port = bq->bp->port, qid = bq->qid, nb, sent;
	uint64_t i;

	for (i = 0; i < iters; i++) {
		nb = rte_eth_rx_burst(port, qid, pkts, burst);
		if (nb == 0)
			continue;
		stamp_port(pkts, nb, port, stamp);
		sent = rte_eth_tx_burst(port, qid, pkts, nb);
		if (unlikely(sent < nb))
			rte_pktmbuf_free_bulk(pkts + sent, nb - sent);
	}
}

/* Each loop twice, so that the plain one carries no test of its own. */
#define LOOP_PAIR(name)							\
static __rte_noinline void						\
name##_plain(struct bench_queue *bq, uint16_t burst, uint64_t iters)	\
{									\
	name(bq, burst, iters, false);					\
}									\
static __rte_noinline void						\
name##_stamp(struct bench_queue *bq, uint16_t burst, uint64_t iters)	\
{									\
	name(bq, burst, iters, true);					\
}
LOOP_PAIR(loop_rx_free)
LOOP_PAIR(loop_rx_ring)
LOOP_PAIR(loop_io)

void
bench_loop(struct bench_queue *bq, const struct bench_case *c, uint64_t iters)
{
	bool ring = c->sub == SUB_RING;

	switch (c->mode) {
	case MODE_RX:
		if (bq->bp->stamp)
			(ring ? loop_rx_ring_stamp : loop_rx_free_stamp)(bq, c->burst, iters);
		else
			(ring ? loop_rx_ring_plain : loop_rx_free_plain)(bq, c->burst, iters);
		break;
	case MODE_TX:
		(ring ? loop_tx_ring : loop_tx_alloc)(bq, c->burst, iters);
		break;
	default:
		(bq->bp->stamp ? loop_io_stamp : loop_io_plain)(bq, c->burst, iters);
		break;
	}
}

/* Mbufs in flight for the case: in the ring (RX, IO) or held (TX). */
void
bench_queue_prepare(struct bench_queue *bq, const struct bench_case *c)
{
	struct rte_mbuf *m[BENCH_PRELOAD];
	struct rte_ring *r = bq->bp->ring[bq->qid];
	unsigned int n;

	if (c->sub != SUB_RING)
		return;
	if (c->mode == MODE_TX) {
		if (rte_pktmbuf_alloc_bulk(bq->mp, bq->held, c->burst) != 0)
			bq->errors++;
		return;
	}
	if (c->mode == MODE_IDLE)
		return;
	if (rte_pktmbuf_alloc_bulk(bq->mp, m, BENCH_PRELOAD) != 0) {
		bq->errors++;
		return;
	}
	n = rte_ring_enqueue_burst(r, (void **)m, BENCH_PRELOAD, NULL);
	if (n < BENCH_PRELOAD)
		rte_pktmbuf_free_bulk(m + n, BENCH_PRELOAD - n);
}

/* Back to the pool: the ring's content and the held mbufs. */
void
bench_queue_drain(struct bench_queue *bq, const struct bench_case *c)
{
	struct rte_mbuf *m[BENCH_PRELOAD];
	struct rte_ring *r = bq->bp->ring[bq->qid];
	unsigned int n;

	if (c->sub != SUB_RING)
		return;
	if (c->mode == MODE_TX)
		rte_pktmbuf_free_bulk(bq->held, c->burst);
	while ((n = rte_ring_dequeue_burst(r, (void **)m, BENCH_PRELOAD, NULL)) > 0)
		rte_pktmbuf_free_bulk(m, n);
}
