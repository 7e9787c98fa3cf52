/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fast path: one load of the queue's published slot, the call it names,
 * and two plain increments of the queue's sequence number that let the
 * control path know when no lcore is inside a burst (see fo_quiesce()).
 * Everything a burst touches sits on the queue's first cache line, which
 * only this queue's lcore writes (the control path writes the slot
 * pointers when it switches). No lock, no read-modify-write atomic.
 *
 * Every instruction here is paid on every burst: the branches a burst takes
 * in the steady state fall through, everything else (the sparse poll of
 * the inactive path) is out of line. With no path, the slot is one of our
 * own functions, so that no burst tests for it.
 */

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "failover_private.h"

/*
 * seq is odd while the lcore is inside a burst, even outside (its low
 * FO_SEQ_BITS). Only the queue's lcore writes it; the control path only
 * loads it. Entering, the store must not be delayed by the compiler past
 * the load of the slot; leaving, it must come after every access of the
 * burst (release). On x86 (TSO: every store is a release, and the control
 * path's membarrier() orders the entry store against the slot load) that
 * is one non-locked add to memory behind a compiler barrier.
 *
 * A receive burst also adds 1 to the bits above FO_SEQ_BITS on entry: the
 * add carries out of the word once every FO_RX_OTHER_PERIOD bursts, which
 * is when the idle inactive path is polled (no counter of its own).
 */
#define FO_SEQ_ENTER_RX (1u + (1u << FO_SEQ_BITS))

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

/* Enter a receive burst; true when the inactive path is due. */
static __rte_always_inline bool
fo_seq_enter_rx(uint32_t *seq)
{
	bool carry;

#ifdef RTE_ARCH_X86
	asm volatile("addl %2, %0" : "+m" (*seq), "=@ccc" (carry)
		     : "i" (FO_SEQ_ENTER_RX) : "memory");
#else
	uint32_t s = *seq + FO_SEQ_ENTER_RX;

	carry = s < FO_SEQ_ENTER_RX;
	__atomic_store_n(seq, s, __ATOMIC_RELAXED);
	rte_compiler_barrier();
#endif
	return carry;
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
}

void
fo_txq_init(struct fo_txq *q)
{
	q->slot[FO_NONE].fn = fo_tx_none;
	q->slot[FO_NONE].q = q;
	q->tx = &q->slot[FO_NONE];
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
	/* while hot, make the next entry carry again */
	if (q->other_hot)
		q->seq |= FO_SEQ_SCHED;
	fo_seq_leave(&q->seq);
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

	if (unlikely(fo_seq_enter_rx(&q->seq)))
		return fo_rx_other_port(q, pkts, nb_pkts);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	/* Kept in the queue rather than in one more callee-saved register. */
	q->pkts = pkts;
	nb = m->fn(m->q, pkts, nb_pkts);
	fo_seq_leave(&q->seq);
#ifdef RTE_ARCH_X86
	/* one compare sorts the three cases (compilers test twice) */
	asm goto("cmpw $1, %0\n\t"
		 "ja %l[many]\n\t"
		 "jb %l[none]" : : "r" (nb) : "cc" : many, none);
#else
	if (nb > 1)
		goto many;
	if (nb == 0)
		goto none;
#endif
	q->pkts[0]->port = q->port_id;
none:
	return nb;
many:
	fo_rx_set_port(q->pkts, nb, q->port_id);
	return nb;
}

/* rx_port_rewrite=0: mbuf->port stays what the sub-port wrote. */
uint16_t
fo_rx_burst_keep_port(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;
	const struct fo_rx_slot *m;
	uint16_t nb;

	if (unlikely(fo_seq_enter_rx(&q->seq)))
		return fo_rx_other_keep(q, pkts, nb_pkts);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	nb = m->fn(m->q, pkts, nb_pkts);
	fo_seq_leave(&q->seq);
	return nb;
}

uint16_t
fo_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	const struct fo_tx_slot *t;
	uint16_t nb;

	fo_seq_enter(&q->seq);
	t = __atomic_load_n(&q->tx, __ATOMIC_ACQUIRE);
	nb = t->fn(t->q, pkts, nb_pkts);
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

static int fo_membarrier_cmd = -1;

/*
 * Grace period. A burst marks its queue's seq odd on entry and even on exit
 * with plain increments (no fence, no atomic). After new slot pointers are
 * published, membarrier() makes every running thread of the process execute
 * a full barrier: a burst that entered before it is then visible as odd and
 * is waited for; a burst that enters after it reads the new pointers.
 */
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

static void
fo_wait_seq(const uint32_t *seq)
{
	uint32_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE) & FO_SEQ_MASK;

	/* the bits above FO_SEQ_MASK are the receive queues' poll schedule */
	if (s & 1)
		while ((__atomic_load_n(seq, __ATOMIC_ACQUIRE) & FO_SEQ_MASK) == s)
			rte_pause();
}

void
fo_quiesce(struct fo_priv *priv)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint16_t q;

	if (!data->dev_started)
		return;
	if (fo_membarrier_cmd > 0)
		syscall(__NR_membarrier, fo_membarrier_cmd, 0, 0);
	else
		rte_delay_ms(10);
	for (q = 0; q < data->nb_rx_queues; q++)
		if (data->rx_queues[q] != NULL)
			fo_wait_seq(&((struct fo_rxq *)data->rx_queues[q])->seq);
	for (q = 0; q < data->nb_tx_queues; q++)
		if (data->tx_queues[q] != NULL)
			fo_wait_seq(&((struct fo_txq *)data->tx_queues[q])->seq);
}
