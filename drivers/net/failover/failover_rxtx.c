/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fast path: one load of the fast-path word, the sub-port's burst, and two
 * plain stores on the queue's own cache line that let the control path
 * know when no lcore is inside a burst (see fo_quiesce()). No lock, no
 * read-modify-write atomic.
 */

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "failover_private.h"

static __rte_always_inline void
fo_enter(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	rte_compiler_barrier();
}

static __rte_always_inline void
fo_leave(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
}

uint16_t
fo_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;
	union fo_fp fp;
	uint16_t nb = 0, i;

	fo_enter(&q->seq);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	/* The inactive path: every burst while it delivers, sparsely when idle. */
	if (fp.rx_other != FO_NO_PORT) {
		if (q->idle == 0) {
			nb = rte_eth_rx_burst(fp.rx_other, q->qid, pkts, nb_pkts);
			q->idle = nb != 0 ? 0 : FO_RX_IDLE_SKIP;
		} else {
			q->idle--;
		}
	}
	if (likely(fp.rx_main != FO_NO_PORT) && nb < nb_pkts)
		nb += rte_eth_rx_burst(fp.rx_main, q->qid, pkts + nb, nb_pkts - nb);
	fo_leave(&q->seq);
	for (i = 0; i < nb; i++)
		pkts[i]->port = q->port_id;
	return nb;
}

uint16_t
fo_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp;
	uint16_t nb;

	fo_enter(&q->seq);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	if (likely(fp.tx != FO_NO_PORT)) {
		nb = rte_eth_tx_burst(fp.tx, q->qid, pkts, nb_pkts);
	} else {
		/* The application keeps its mbufs; only this lcore writes these. */
		nb = 0;
		__atomic_store_n(&q->no_path_bursts, q->no_path_bursts + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&q->no_path_pkts, q->no_path_pkts + nb_pkts, __ATOMIC_RELAXED);
	}
	fo_leave(&q->seq);
	return nb;
}

uint16_t
fo_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp;
	uint16_t nb = nb_pkts;

	fo_enter(&q->seq);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	if (likely(fp.tx != FO_NO_PORT))
		nb = rte_eth_tx_prepare(fp.tx, q->qid, pkts, nb_pkts);
	fo_leave(&q->seq);
	return nb;
}
