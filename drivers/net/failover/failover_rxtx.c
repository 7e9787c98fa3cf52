/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fast path: one load of the queue's published slot, the call it names,
 * and the marks that let the control path know when no lcore can still
 * use an old slot (the grace period, fo_quiesce(), at the end). Everything
 * a burst touches sits on the queue's first cache line, which only this
 * queue's lcore writes (the control path writes the slot pointers when it
 * switches). No lock, no locked instruction, no fence instruction on x86.
 *
 * Every instruction here is paid on every burst: the branches a burst takes
 * in the steady state fall through, everything else (the sparse poll of
 * the inactive path) is out of line. With no path, the slot is one of our
 * own functions, so that no burst tests for it.
 *
 * Memory-ordering contract (the only description of it; one lcore polls a
 * queue at a time, as ethdev requires of every queue):
 *
 * Burst side, in program order, all plain stores on x86:
 *   enter  seq += step          the one read-modify-write: it depends only
 *                               on the previous burst's entry, not on this
 *                               burst's other stores (no chain within a
 *                               burst through store-to-load forwarding)
 *          in = pkts            any value but FO_OUTSIDE: "inside"
 *          compiler barrier     neither store may sink below the slot load
 *          load the slot pointer, call the sub-port
 *   leave  in = FO_OUTSIDE      release: after every access of the burst
 * The release fence before the entry add orders the previous burst's
 * accesses before it (no instruction on x86, whose stores are ordered).
 * The sparse poll of a receive queue may also store seq after leaving
 * (release) to make the next entry poll again. Nothing else writes seq or
 * in, and nothing on the burst side reads another lcore's data.
 *
 * Control side (fo_quiesce()): publish the new slot pointers (release),
 * membarrier(), then for each queue read s = seq and wait until in is
 * FO_OUTSIDE or seq is no longer s (acquire loads).
 *
 * Why that is enough: membarrier() makes every running thread of the
 * process execute a full barrier at some point of its program order, and a
 * thread that is not running has passed one at its context switch. A burst
 * that loaded an old slot pointer passed that point after the load (were
 * it before, the load would have seen the publication), hence after its
 * two entry stores: when membarrier() returns, both are visible, s is this
 * burst's entry or a later one, and in reads "inside" or a later value.
 * From then on, in == FO_OUTSIDE can only be this burst's leave or a later
 * one, and a seq other than s a later burst's entry, which its lcore made
 * after leaving this one: either way the burst is over and, by the release
 * stores, everything it did is visible. A burst that loaded a new pointer
 * may be waited for too (until it leaves): harmless. seq may come back to
 * s (it counts modulo 2^32 on transmit, 32 on receive): that only makes
 * the wait longer, never shorter.
 *
 * Why one lcore per queue: seq's add is not atomic and in has one owner;
 * two lcores inside one queue at once would lose counts and one's leave
 * would mark the other outside.
 *
 * seq is the one plain (non-atomic) write: GCC does not fold an atomic load
 * and store into one add to memory, nor an add whose carry is tested (3
 * instructions and a branch instead of 2); it folds a plain add whose zero
 * or sign flag is tested. Only the queue's lcore writes seq, an aligned
 * 32-bit store is single-copy atomic on every target DPDK supports, and
 * the control path reads it with atomic loads.
 */

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "failover_private.h"

/* Enter a burst; true when seq wrapped (receive: the inactive path is due). */
static __rte_always_inline bool
fo_enter(uint32_t *seq, struct rte_mbuf ***in, struct rte_mbuf **pkts, uint32_t step)
{
	bool wrap;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	wrap = (*seq += step) == 0;
	__atomic_store_n(in, pkts, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return wrap;
}

static __rte_always_inline void
fo_leave(struct rte_mbuf ***in)
{
	__atomic_store_n(in, FO_OUTSIDE, __ATOMIC_RELEASE);
}

/* No path on this side: nothing to receive. */
static uint16_t
fo_rx_none(void *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(nb_pkts);
	return 0;
}

/* No path: the application keeps its mbufs; the burst is counted. */
static uint16_t
fo_tx_none(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;

	RTE_SET_USED(pkts);
	/* Only this lcore writes these; the control path reads them. */
	__atomic_store_n(&q->no_path_bursts, q->no_path_bursts + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&q->no_path_pkts, q->no_path_pkts + nb_pkts, __ATOMIC_RELAXED);
	return 0;
}

void
fo_rxq_init(struct fo_rxq *q)
{
	q->slot[FO_NONE].fn = fo_rx_none;
	q->slot[FO_NONE].q = NULL;
	q->main = &q->slot[FO_NONE];
	q->other = &q->slot[FO_NONE];
	q->in = FO_OUTSIDE;
}

void
fo_txq_init(struct fo_txq *q)
{
	q->slot[FO_NONE].fn = fo_tx_none;
	q->slot[FO_NONE].q = q;
	q->tx = &q->slot[FO_NONE];
	q->in = FO_OUTSIDE;
}

/*
 * mbuf->port of what was received (nb > 1): the failover port. Groups of
 * 8, the last one aligned on the end of the burst: it may rewrite up to 7
 * mbufs a second time, which spares a remainder loop; smaller bursts the
 * same way with groups of 4, or first, second and last.
 */
#define FO_SET4(p, port) do {						\
	(p)[0]->port = (port);						\
	(p)[1]->port = (port);						\
	(p)[2]->port = (port);						\
	(p)[3]->port = (port);						\
} while (0)

static __rte_always_inline void
fo_rx_set_port(struct rte_mbuf **pkts, uint16_t nb, uint16_t port)
{
	struct rte_mbuf **last = pkts + nb - 8;

	if (unlikely(nb < 8)) {
		if (nb < 4) {
			pkts[0]->port = port;
			pkts[1]->port = port;
			pkts[nb - 1]->port = port;
		} else {
			FO_SET4(pkts, port);
			FO_SET4(pkts + nb - 4, port);
		}
		return;
	}
	do {
		FO_SET4(pkts, port);
		FO_SET4(pkts + 4, port);
		pkts += 8;
	} while (pkts < last);
	FO_SET4(last, port);
	FO_SET4(last + 4, port);
}

/* The same for a burst of any size. */
static __rte_always_inline void
fo_rx_port(struct rte_mbuf **pkts, uint16_t nb, uint16_t port)
{
	if (nb > 1)
		fo_rx_set_port(pkts, nb, port);
	else if (nb == 1)
		pkts[0]->port = port;
}

/*
 * The inactive path is polled on every burst while it delivers and once
 * every FO_RX_OTHER_PERIOD bursts while it is idle, so that packets still
 * arriving on the old path after a switch are not lost. It is polled first
 * (old packets before new ones), except every other burst while it
 * delivers: then the active path goes first, so that neither path can
 * starve the other when both are busy.
 */
static __rte_always_inline uint16_t
fo_rx_other(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, bool rewrite)
{
	const struct fo_rx_slot *o = __atomic_load_n(&q->other, __ATOMIC_ACQUIRE);
	const struct fo_rx_slot *m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	bool main_first = q->other_hot && (q->turn ^= 1);
	const struct fo_rx_slot *first = main_first ? m : o;
	const struct fo_rx_slot *second = main_first ? o : m;
	uint16_t nb, n2 = 0;

	nb = first->fn(first->q, pkts, nb_pkts);
	if (nb < nb_pkts)
		n2 = second->fn(second->q, pkts + nb, nb_pkts - nb);
	/* hot while it delivers; unchanged when the burst was full before it */
	if (!main_first)
		q->other_hot = nb != 0;
	else if (nb < nb_pkts)
		q->other_hot = n2 != 0;
	nb += n2;
	fo_leave(&q->in);
	/* while hot, make the next entry wrap again */
	if (q->other_hot)
		__atomic_store_n(&q->seq, -FO_RX_SEQ_STEP, __ATOMIC_RELEASE);
	if (rewrite)
		fo_rx_port(pkts, nb, q->port_id);
	return nb;
}

static __rte_noinline uint16_t
fo_rx_other_port(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return fo_rx_other(q, pkts, nb_pkts, true);
}

static __rte_noinline uint16_t
fo_rx_other_keep(struct fo_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return fo_rx_other(q, pkts, nb_pkts, false);
}

uint16_t
fo_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;
	const struct fo_rx_slot *m;
	uint16_t nb;

	if (unlikely(fo_enter(&q->seq, &q->in, pkts, FO_RX_SEQ_STEP)))
		return fo_rx_other_port(q, pkts, nb_pkts);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	nb = m->fn(m->q, pkts, nb_pkts);
	/* pkts is read back from the mark rather than kept in a callee-saved register */
	if (nb > 1) {
		pkts = q->in;
		fo_leave(&q->in);
		fo_rx_set_port(pkts, nb, q->port_id);
	} else if (nb == 1) {
		pkts = q->in;
		fo_leave(&q->in);
		pkts[0]->port = q->port_id;
	} else {
		fo_leave(&q->in);
	}
	return nb;
}

/* rx_port_rewrite=0: mbuf->port stays what the sub-port wrote. */
uint16_t
fo_rx_burst_keep_port(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;
	const struct fo_rx_slot *m;
	uint16_t nb;

	if (unlikely(fo_enter(&q->seq, &q->in, pkts, FO_RX_SEQ_STEP)))
		return fo_rx_other_keep(q, pkts, nb_pkts);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	nb = m->fn(m->q, pkts, nb_pkts);
	fo_leave(&q->in);
	return nb;
}

uint16_t
fo_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	const struct fo_tx_slot *t;
	uint16_t nb;

	fo_enter(&q->seq, &q->in, pkts, 1);
	t = __atomic_load_n(&q->tx, __ATOMIC_ACQUIRE);
	nb = t->fn(t->q, pkts, nb_pkts);
	fo_leave(&q->in);
	return nb;
}

uint16_t
fo_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp;
	uint16_t nb = nb_pkts;

	fo_enter(&q->seq, &q->in, pkts, 1);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	if (likely(fp.tx != FO_NO_PORT))
		nb = rte_eth_tx_prepare(fp.tx, q->qid, pkts, nb_pkts);
	fo_leave(&q->in);
	return nb;
}

static int fo_membarrier_cmd = -1;

/* Grace period: see the memory-ordering contract at the top of this file. */
void
fo_membarrier_init(void)
{
	if (fo_membarrier_cmd != -1)
		return;
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
		fo_membarrier_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
	else if (syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0) > 0)
		fo_membarrier_cmd = MEMBARRIER_CMD_GLOBAL;
	else
		fo_membarrier_cmd = 0;
	if (fo_membarrier_cmd == 0)
		FO_LOG(WARNING,
		       "membarrier() unavailable: grace periods fall back to a 10 ms wait");
}

/* Until the burst a queue's lcore may be inside (after membarrier()) has left. */
static void
fo_wait_queue(const uint32_t *seq, struct rte_mbuf **const *in)
{
	uint32_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(in, __ATOMIC_ACQUIRE) != FO_OUTSIDE &&
	       __atomic_load_n(seq, __ATOMIC_ACQUIRE) == s)
		rte_pause();
}

void
fo_quiesce(struct fo_priv *priv)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	struct fo_rxq *rq;
	struct fo_txq *tq;
	uint16_t q;

	if (!__atomic_load_n(&priv->running, __ATOMIC_ACQUIRE))
		return;
	if (fo_membarrier_cmd > 0)
		syscall(__NR_membarrier, fo_membarrier_cmd, 0, 0);
	else
		rte_delay_ms(10);
	for (q = 0; q < data->nb_rx_queues; q++) {
		rq = data->rx_queues[q];
		if (rq != NULL)
			fo_wait_queue(&rq->seq, &rq->in);
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		tq = data->tx_queues[q];
		if (tq != NULL)
			fo_wait_queue(&tq->seq, &tq->in);
	}
}
