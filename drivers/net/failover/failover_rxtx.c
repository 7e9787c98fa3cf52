/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fast path: one load of the fast-path word, the sub-port's burst, and two
 * plain increments of the queue's sequence number, on the queue's own cache
 * line, that let the control path know when no lcore is inside a burst
 * (see fo_quiesce()). No lock, no read-modify-write atomic.
 *
 * Every instruction here is paid on every burst: the branches a burst takes
 * in the steady state fall through, everything else (the sparse poll of
 * the inactive path, no path at all) is out of line.
 */

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "failover_private.h"

/*
 * seq is odd while the lcore is inside a burst, even outside. Only the
 * queue's lcore writes it; the control path only loads it. Entering, the
 * store must not be delayed by the compiler past the load of the word;
 * leaving, it must come after every access of the burst (release). On x86
 * (TSO: every store is a release, and the control path's membarrier()
 * orders the entry store against the word load) that is one non-locked
 * increment of memory behind a compiler barrier.
 */
static __rte_always_inline void
fo_seq_enter(uint32_t *seq)
{
#ifdef RTE_ARCH_X86
	asm volatile("addl $1, %0" : "+m" (*seq) : : "memory");
#else
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	rte_compiler_barrier();
#endif
}

static __rte_always_inline void
fo_seq_leave(uint32_t *seq)
{
#ifdef RTE_ARCH_X86
	asm volatile("addl $1, %0" : "+m" (*seq) : : "memory");
#else
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
#endif
}

/*
 * The sub-port's burst function on our queue index, as rte_eth_rx_burst()
 * and rte_eth_tx_burst() reach it. The sub-port is owned by the failover
 * port and hidden from the application: Rx/Tx callbacks belong on the
 * failover port (ethdev runs them there), those of a sub-port are not run.
 */
static __rte_always_inline uint16_t
fo_sub_rx(uint16_t port, uint16_t qid, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rte_eth_fp_ops *p = &rte_eth_fp_ops[port];

	return p->rx_pkt_burst(p->rxq.data[qid], pkts, nb_pkts);
}

static __rte_always_inline uint16_t
fo_sub_tx(uint16_t port, uint16_t qid, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rte_eth_fp_ops *p = &rte_eth_fp_ops[port];

	return p->tx_pkt_burst(p->txq.data[qid], pkts, nb_pkts);
}

/*
 * mbuf->port of what was received: the failover port. Groups of 4, the
 * last one aligned on the end of the burst: it may rewrite up to 3 mbufs
 * a second time, which spares a remainder loop.
 */
static __rte_always_inline void
fo_rx_set_port(struct rte_mbuf **pkts, unsigned int nb, uint16_t port)
{
	struct rte_mbuf **last;

	if (unlikely(nb < 4)) {
		for (; nb != 0; nb--, pkts++)
			pkts[0]->port = port;
		return;
	}
	last = pkts + nb - 4;
	do {
		pkts[0]->port = port;
		pkts[1]->port = port;
		pkts[2]->port = port;
		pkts[3]->port = port;
		pkts += 4;
	} while (pkts < last);
	last[0]->port = port;
	last[1]->port = port;
	last[2]->port = port;
	last[3]->port = port;
}

static __rte_noinline uint16_t
fo_rx_no_path(struct fo_rxq *q)
{
	fo_seq_leave(&q->seq);
	return 0;
}

/*
 * The active path. Of the word it loads only rx_main, the one field it
 * uses (the grace period covers any value read inside the burst).
 */
static __rte_always_inline uint16_t
fo_rx_main(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t nb, port;

	port = __atomic_load_n(&q->fp->rx_main, __ATOMIC_ACQUIRE);
	if (unlikely(port == FO_NO_PORT))
		return fo_rx_no_path(q);
	/* Kept in the queue rather than in one more callee-saved register. */
	q->pkts = pkts;
	nb = fo_sub_rx(port, q->qid, pkts, nb_pkts);
	fo_seq_leave(&q->seq);
	if (nb != 0)
		fo_rx_set_port(q->pkts, nb, q->port_id);
	return nb;
}

/* The inactive path delivered nb: the active one fills the rest. */
static __rte_noinline uint16_t
fo_rx_both(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb, uint16_t nb_pkts)
{
	uint16_t port = __atomic_load_n(&q->fp->rx_main, __ATOMIC_ACQUIRE);

	q->idle = 0;
	if (port != FO_NO_PORT && nb < nb_pkts)
		nb += fo_sub_rx(port, q->qid, pkts + nb, nb_pkts - nb);
	fo_seq_leave(&q->seq);
	fo_rx_set_port(pkts, nb, q->port_id);
	return nb;
}

/*
 * The inactive path is polled first, on every burst while it delivers and
 * once every FO_RX_IDLE_SKIP + 1 bursts while it is idle, so that packets
 * still arriving on the old path after a switch are not lost.
 */
static __rte_noinline uint16_t
fo_rx_other(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t nb, port = __atomic_load_n(&q->fp->rx_other, __ATOMIC_ACQUIRE);

	q->idle = FO_RX_IDLE_SKIP;
	if (port != FO_NO_PORT) {
		nb = fo_sub_rx(port, q->qid, pkts, nb_pkts);
		if (unlikely(nb != 0))
			return fo_rx_both(q, pkts, nb, nb_pkts);
	}
	return fo_rx_main(q, pkts, nb_pkts);
}

uint16_t
fo_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;

	fo_seq_enter(&q->seq);
	if (unlikely(--q->idle < 0))
		return fo_rx_other(q, pkts, nb_pkts);
	return fo_rx_main(q, pkts, nb_pkts);
}

/* No active path: the application keeps its mbufs. */
static __rte_noinline uint16_t
fo_tx_no_path(struct fo_txq *q, uint16_t nb_pkts)
{
	/* Only this lcore writes these; the control path reads them. */
	__atomic_store_n(&q->no_path_bursts, q->no_path_bursts + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&q->no_path_pkts, q->no_path_pkts + nb_pkts, __ATOMIC_RELAXED);
	fo_seq_leave(&q->seq);
	return 0;
}

uint16_t
fo_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	uint16_t nb, port;

	fo_seq_enter(&q->seq);
	/* Of the word, the one field this burst uses. */
	port = __atomic_load_n(&q->fp->tx, __ATOMIC_ACQUIRE);
	if (unlikely(port == FO_NO_PORT))
		return fo_tx_no_path(q, nb_pkts);
	nb = fo_sub_tx(port, q->qid, pkts, nb_pkts);
	fo_seq_leave(&q->seq);
	return nb;
}

uint16_t
fo_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp;
	uint16_t nb = nb_pkts;

	fo_seq_enter(&q->seq);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	if (likely(fp.tx != FO_NO_PORT))
		nb = rte_eth_tx_prepare(fp.tx, q->qid, pkts, nb_pkts);
	fo_seq_leave(&q->seq);
	return nb;
}
