/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Fast path: one load of the queue's published slot, the call it names,
 * and the marks that let the control path know when no lcore can still
 * use an old slot (the grace period, fo_quiesce(), at the end). Everything
 * a burst touches sits on the queue's first cache line, which only this
 * queue's lcore writes but for the control path's rare stores (the slot
 * pointers when it switches, poll_other once a tick, the grace period's
 * mark). No lock, no locked instruction, no read-modify-write, no fence
 * instruction on x86.
 *
 * Every instruction here is paid on every burst: the branches a burst takes
 * in the steady state fall through, everything else (the sparse poll of
 * the inactive path) is out of line. With no path, the slot is one of our
 * own functions, so that no burst tests for it.
 *
 * Memory-ordering contract (the only description of it; one lcore polls a
 * queue at a time, as ethdev requires of every queue):
 *
 * Burst side, in program order, plain stores and loads on x86:
 *   enter  in = pkts            release: the burst's array, or NULL; never
 *                               FO_OUTSIDE nor a mark (FO_MARK_BIT set):
 *                               pointer-aligned
 *          compiler barrier     the store may not sink below the loads
 *          (rx) load poll_other when set, fo_rx_other() polls both paths
 *                               and stores poll_other = other_hot
 *          load the slot pointer, call the sub-port
 *          (rx) pkts is read back from in with FO_MARK_BIT cleared
 *   leave  in = FO_OUTSIDE      release: after every access of the burst
 * Nothing else on the burst side writes in, and nothing there reads
 * another lcore's data but the slot pointers and poll_other.
 *
 * Control side (fo_quiesce()): publish the new slot pointers (release),
 * membarrier(), then for each queue: v = in; if v is FO_OUTSIDE, done;
 * else compare-and-swap in from v to mark(v) = v | FO_MARK_BIT: if it fails
 * on a value other than mark(v), done; else (it succeeded, or another grace
 * period marked v first) wait until in is no longer mark(v). All acquire.
 *
 * Why that is enough: membarrier() makes every running thread of the
 * process execute a full barrier at some point of its program order, and a
 * thread that is not running has passed one at its context switch. A burst
 * B that loaded an old slot pointer passed that point after the load (were
 * it before, the load would have seen the publication), hence after its
 * entry store: when membarrier() returns, that store is visible, and v is
 * B's entry or a later value of in. Then:
 *  - v == FO_OUTSIDE is B's leave or a later one: B is over.
 *  - Only the lcore and grace periods write in. A grace period only writes
 *    mark(x) over x (a successful CAS), and mark(mark(x)) == mark(x): from
 *    v on, in holds v or mark(v) until the lcore's next store after v. So
 *    a CAS failing on anything else saw that store, B's leave or a later
 *    one (an lcore's stores reach in in program order): B is over. And
 *    once in holds mark(v), only that store takes it away: the wait ends
 *    with B's leave or later.
 *  - The lcore may have executed its leave with the store still in its
 *    store buffer when the CAS runs: the CAS then succeeds on v, and the
 *    leave, later in in's modification order, overwrites the mark when it
 *    drains: the wait ends then, and no store of the lcore is lost. For
 *    the same reason a burst may read its own array back marked: the
 *    receive burst clears FO_MARK_BIT from what it reads back.
 *  - The value seen is a release store of the lcore made after B's last
 *    access (its leave, or a later entry): by the acquire loads and CAS,
 *    everything B did is visible.
 * A burst that loaded a new pointer, or a later burst storing the same
 * array (ABA), may be waited for too (until it leaves): harmless, the wait
 * is longer, never shorter.
 *
 * Secondary processes (fo_sec_rx_burst(), fo_sec_tx_burst()): membarrier()
 * reaches only the primary's threads, and the slots hold the primary's
 * function pointers. A secondary's burst stores its entry into in as above,
 * then executes a full fence (mfence on x86), then loads the published
 * word priv->fp (acquire) and calls the sub-ports it names by port id
 * through its own rte_eth_rx_burst()/rte_eth_tx_burst(); it leaves as
 * above. fo_quiesce() executes a full fence between the publication
 * (fo_queues_point() stores the word before the slot pointers) and its
 * loads of in. Of two full fences, one comes first: either the secondary's
 * load of the word comes after the publication and sees it (the burst uses
 * the new paths), or fo_quiesce()'s load of in comes after the entry store
 * and sees it or a later value, and the argument above (from "Then:") holds
 * as it does for a burst of the primary's. The primary's bursts are not
 * changed: the fences are on the secondary's burst and the control path.
 * EAL detaches a removed device from the secondaries before the primary
 * sees the removal: at the sub-port's DESTROY event in the secondary
 * (before ethdev resets its burst functions there), fo_sec_port_mark()
 * sets its gone bit, which the burst loads after its fence with the word,
 * and fo_sec_quiesce() fences and waits on in as fo_quiesce() does: the
 * same two-fence argument, with the gone bit in place of the word.
 * A secondary's entry value also has FO_SEC_BIT set, and the queue's
 * sec_pid names its process (stored before the entry, ordered by its
 * release). A secondary killed inside a burst never leaves: a grace period
 * that has waited FO_SEC_DEAD_MS on such a mark checks that process and,
 * when it no longer exists, takes the mark away itself (compare-and-swap
 * from the mark to FO_OUTSIDE: nothing else writes in, the queue's one
 * lcore was that process's).
 *
 * Why one lcore per queue: in has one owner; two lcores inside one queue
 * at once would have one's leave mark the other outside.
 *
 * The queries ethdev calls with our queue through rte_eth_fp_ops
 * (rte_eth_rx_queue_count(), rte_eth_rx_descriptor_status(),
 * rte_eth_tx_descriptor_status(): fo_rx_queue_count() and the two below)
 * are bursts for this contract: entry (in = NULL), one load of the slot
 * pointer, the sub-port's query on the slot's queue, leave. A grace
 * period waits for them as for a burst, so the sub-port they reach cannot
 * stop or be released under them; like a burst they belong to the queue's
 * lcore (not concurrently with its bursts). They are out of line: a burst
 * runs none of their instructions.
 *
 * poll_other: the control path sets it (relaxed: after the slot pointers
 * it publishes; fo_rx_other() loads both pointers with acquire, and any
 * pair it sees designates live slots) on every publication that changes a
 * queue's paths, on every tick of rx_idle_poll_us while a second path is
 * usable (failover_paths.c) and every 100 us of a leaving sub-port's drain;
 * the burst reads it with a plain load and clears it with a relaxed store
 * unless the inactive path delivered (then it stays set: polled on every
 * burst). A tick that lands between the burst's poll and its store is
 * lost: the next one comes a period later, right after that poll.
 */

#include <errno.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "failover_private.h"

/* Enter a burst: mark the queue inside it. */
static __rte_always_inline void
fo_enter(struct rte_mbuf ***in, struct rte_mbuf **pkts)
{
	__atomic_store_n(in, pkts, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static __rte_always_inline void
fo_leave(struct rte_mbuf ***in)
{
	__atomic_store_n(in, FO_OUTSIDE, __ATOMIC_RELEASE);
}

/*
 * The control path asked for a poll of the inactive path. A plain byte
 * load: GCC folds neither an atomic nor a volatile one into the compare (3
 * instructions instead of 2). The compiler barrier of fo_enter() makes it
 * load anew on every burst, a byte is single-copy atomic everywhere, and a
 * stale value only moves the poll to the next burst.
 */
static __rte_always_inline bool
fo_poll_other_due(const struct fo_rxq *q)
{
	return q->poll_other != 0;
}

/* The burst's array, read back from in (a grace period may have marked it). */
static __rte_always_inline struct rte_mbuf **
fo_in_pkts(struct rte_mbuf **const *in)
{
	return (struct rte_mbuf **)((uintptr_t)__atomic_load_n(in, __ATOMIC_RELAXED) &
				    ~FO_MARK_BIT);
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
	q->poll_other = 0;
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
 * The inactive path is polled on every burst while it delivers, and while
 * it is idle by the first burst after the control path sets poll_other
 * (after a switch, and every rx_idle_poll_us), so that packets still
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
	/* while hot, polled again by the next burst */
	__atomic_store_n(&q->poll_other, q->other_hot, __ATOMIC_RELAXED);
	fo_leave(&q->in);
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

	fo_enter(&q->in, pkts);
	if (unlikely(fo_poll_other_due(q)))
		return fo_rx_other_port(q, pkts, nb_pkts);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	nb = m->fn(m->q, pkts, nb_pkts);
	/* pkts is read back from in rather than kept in a callee-saved register */
	if (nb > 1) {
		pkts = fo_in_pkts(&q->in);
		fo_leave(&q->in);
		fo_rx_set_port(pkts, nb, q->port_id);
	} else if (nb == 1) {
		pkts = fo_in_pkts(&q->in);
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

	fo_enter(&q->in, pkts);
	if (unlikely(fo_poll_other_due(q)))
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

	fo_enter(&q->in, pkts);
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

	fo_enter(&q->in, pkts);
	fp.word = __atomic_load_n(&q->fp->word, __ATOMIC_ACQUIRE);
	if (likely(fp.tx != FO_NO_PORT))
		nb = rte_eth_tx_prepare(fp.tx, q->qid, pkts, nb_pkts);
	fo_leave(&q->in);
	return nb;
}

/*
 * The sub-port behind a slot of a queue (its role is the slot's index),
 * or FO_NO_PORT for the slot of no path (none, or the queue is stopped).
 */
static __rte_always_inline uint16_t
fo_slot_port(const struct fo_priv *priv, ptrdiff_t role)
{
	return role == FO_NONE ? FO_NO_PORT :
	       __atomic_load_n(&priv->sub[role].port_id, __ATOMIC_ACQUIRE);
}

/*
 * The active path's queue: how many descriptors it holds; 0 without one
 * (no path, the queue stopped), -ENOTSUP when its PMD cannot count.
 */
uint32_t
fo_rx_queue_count(void *queue)
{
	struct fo_rxq *q = queue;
	const struct fo_priv *priv = rte_eth_devices[q->port_id].data->dev_private;
	const struct fo_rx_slot *m;
	eth_rx_queue_count_t fn;
	uint32_t n = 0;
	uint16_t port;

	fo_enter(&q->in, NULL);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	port = fo_slot_port(priv, m - q->slot);
	if (port != FO_NO_PORT) {
		fn = rte_eth_fp_ops[port].rx_queue_count;
		/* rte_eth_rx_queue_count() returns it as an int: -ENOTSUP */
		n = fn != NULL ? fn(m->q) : (uint32_t)-ENOTSUP;
	}
	fo_leave(&q->in);
	return n;
}

/* The active path's descriptor; -ENODEV without one, -ENOTSUP as ethdev. */
int
fo_rx_descriptor_status(void *queue, uint16_t offset)
{
	struct fo_rxq *q = queue;
	const struct fo_priv *priv = rte_eth_devices[q->port_id].data->dev_private;
	const struct fo_rx_slot *m;
	eth_rx_descriptor_status_t fn;
	int ret = -ENODEV;
	uint16_t port;

	fo_enter(&q->in, NULL);
	m = __atomic_load_n(&q->main, __ATOMIC_ACQUIRE);
	port = fo_slot_port(priv, m - q->slot);
	if (port != FO_NO_PORT) {
		fn = rte_eth_fp_ops[port].rx_descriptor_status;
		ret = fn != NULL ? fn(m->q, offset) : -ENOTSUP;
	}
	fo_leave(&q->in);
	return ret;
}

int
fo_tx_descriptor_status(void *queue, uint16_t offset)
{
	struct fo_txq *q = queue;
	const struct fo_priv *priv = container_of(q->fp, struct fo_priv, fp);
	const struct fo_tx_slot *t;
	eth_tx_descriptor_status_t fn;
	int ret = -ENODEV;
	uint16_t port;

	fo_enter(&q->in, NULL);
	t = __atomic_load_n(&q->tx, __ATOMIC_ACQUIRE);
	port = fo_slot_port(priv, t - q->slot);
	if (port != FO_NO_PORT) {
		fn = rte_eth_fp_ops[port].tx_descriptor_status;
		ret = fn != NULL ? fn(t->q, offset) : -ENOTSUP;
	}
	fo_leave(&q->in);
	return ret;
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

/*
 * A secondary process that died inside a burst never leaves it: once a
 * wait has lasted FO_SEC_DEAD_MS, a mark of a secondary's entry whose
 * process no longer exists is taken away (nothing else can write in: the
 * queue's one lcore was that process's).
 */
#define FO_SEC_DEAD_MS 100

static bool
fo_sec_dead(struct rte_mbuf ***in, struct rte_mbuf **mark, const int32_t *sec_pid)
{
	int32_t pid = __atomic_load_n(sec_pid, __ATOMIC_ACQUIRE);

	if (!((uintptr_t)mark & FO_SEC_BIT) || pid <= 0 || kill(pid, 0) == 0 ||
	    errno != ESRCH)
		return false;
	if (!__atomic_compare_exchange_n(in, &mark, FO_OUTSIDE, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	FO_LOG(WARNING, "secondary process %d died inside a burst: its queue is free again",
	       (int)pid);
	return true;
}

/* Until the burst a queue's lcore may be inside (after membarrier()) has left. */
static void
fo_wait_queue(struct rte_mbuf ***in, const int32_t *sec_pid)
{
	struct rte_mbuf **v = __atomic_load_n(in, __ATOMIC_ACQUIRE), **mark;
	uint64_t check = 0;

	if (v == FO_OUTSIDE)
		return;
	mark = (struct rte_mbuf **)((uintptr_t)v | FO_MARK_BIT);
	/* on failure, v is what in holds: a later store, or another's mark of v */
	if (!__atomic_compare_exchange_n(in, &v, mark, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_ACQUIRE) && v != mark)
		return;
	while (__atomic_load_n(in, __ATOMIC_ACQUIRE) == mark) {
		if ((uintptr_t)mark & FO_SEC_BIT) {
			if (check == 0)
				check = rte_get_timer_cycles() +
					rte_get_timer_hz() * FO_SEC_DEAD_MS / 1000;
			else if (rte_get_timer_cycles() > check &&
				 fo_sec_dead(in, mark, sec_pid))
				return;
		}
		rte_pause();
	}
}

/*
 * A full fence (against a secondary's burst: its fence and this one, see
 * the contract), then until no burst is inside any of the port's queues.
 */
static void
fo_wait_queues(const struct rte_eth_dev_data *data)
{
	struct fo_rxq *rq;
	struct fo_txq *tq;
	uint16_t q;

	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (q = 0; q < data->nb_rx_queues; q++) {
		rq = data->rx_queues[q];
		if (rq != NULL)
			fo_wait_queue(&rq->in, &rq->sec_pid);
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		tq = data->tx_queues[q];
		if (tq != NULL)
			fo_wait_queue(&tq->in, &tq->sec_pid);
	}
}

void
fo_quiesce(struct fo_priv *priv)
{
	if (!__atomic_load_n(&priv->running, __ATOMIC_ACQUIRE))
		return;
	if (fo_membarrier_cmd > 0)
		syscall(__NR_membarrier, fo_membarrier_cmd, 0, 0);
	else
		rte_delay_ms(10);
	fo_wait_queues(priv->dev->data);
}

/*
 * A secondary process's bursts: the published word names the sub-ports by
 * port id, called through this process's ethdev (the slots hold the
 * primary's function pointers). A sub-port this process has not attached
 * is no path. See the contract at the top of this file.
 */
static __rte_always_inline union fo_fp
fo_sec_enter(struct rte_mbuf ***in, int32_t *sec_pid, struct rte_mbuf **pkts,
	     const union fo_fp *fpw)
{
	static int32_t self;    /* getpid() is a system call: once per process */
	union fo_fp fp;

	if (unlikely(self == 0))
		self = (int32_t)getpid();
	/* whose entry it is, should this process die inside the burst */
	__atomic_store_n(sec_pid, self, __ATOMIC_RELAXED);
	__atomic_store_n(in, (struct rte_mbuf **)((uintptr_t)pkts | FO_SEC_BIT),
			 __ATOMIC_RELEASE);
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	fp.word = __atomic_load_n(&fpw->word, __ATOMIC_ACQUIRE);
	return fp;
}

/*
 * Ports this process's ethdev is releasing (set at their DESTROY event,
 * before ethdev resets their burst functions; cleared at NEW): no path.
 */
static uint64_t fo_sec_gone[RTE_MAX_ETHPORTS / 64 + 1];

static __rte_always_inline bool
fo_sec_port_ok(uint16_t port)
{
	return port < RTE_MAX_ETHPORTS &&
	       !(__atomic_load_n(&fo_sec_gone[port / 64], __ATOMIC_ACQUIRE) &
		 RTE_BIT64(port % 64)) &&
	       rte_eth_dev_is_valid_port(port);
}

void
fo_sec_port_mark(uint16_t port, bool gone)
{
	if (port >= RTE_MAX_ETHPORTS)
		return;
	if (gone)
		__atomic_fetch_or(&fo_sec_gone[port / 64], RTE_BIT64(port % 64), __ATOMIC_ACQ_REL);
	else
		__atomic_fetch_and(&fo_sec_gone[port / 64], ~RTE_BIT64(port % 64),
				   __ATOMIC_ACQ_REL);
}

uint16_t
fo_sec_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_rxq *q = queue;
	const struct fo_priv *priv = rte_eth_devices[q->port_id].data->dev_private;
	union fo_fp fp = fo_sec_enter(&q->in, &q->sec_pid, pkts, &priv->fp);
	uint16_t nb = 0;

	/* the inactive path first (old packets before new), as fo_rx_other() */
	if (fo_sec_port_ok(fp.rx_other))
		nb = rte_eth_rx_burst(fp.rx_other, q->qid, pkts, nb_pkts);
	if (nb < nb_pkts && fo_sec_port_ok(fp.rx_main))
		nb += rte_eth_rx_burst(fp.rx_main, q->qid, pkts + nb, nb_pkts - nb);
	fo_leave(&q->in);
	if (!priv->args.rx_port_keep)
		fo_rx_port(pkts, nb, q->port_id);
	return nb;
}

uint16_t
fo_sec_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp = fo_sec_enter(&q->in, &q->sec_pid, pkts, q->fp);
	uint16_t nb;

	if (fo_sec_port_ok(fp.tx)) {
		nb = rte_eth_tx_burst(fp.tx, q->qid, pkts, nb_pkts);
	} else {
		nb = 0;
		fo_tx_none(q, pkts, nb_pkts);
	}
	fo_leave(&q->in);
	return nb;
}

uint16_t
fo_sec_tx_prepare(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct fo_txq *q = queue;
	union fo_fp fp = fo_sec_enter(&q->in, &q->sec_pid, pkts, q->fp);
	uint16_t nb = nb_pkts;

	if (fo_sec_port_ok(fp.tx))
		nb = rte_eth_tx_prepare(fp.tx, q->qid, pkts, nb_pkts);
	fo_leave(&q->in);
	return nb;
}

/* On the queue's lcore, marked as a burst: the TX sub-port's queue, by port id. */
int
fo_sec_tx_done_cleanup(void *queue, uint32_t free_cnt)
{
	struct fo_txq *q = queue;
	union fo_fp fp = fo_sec_enter(&q->in, &q->sec_pid, NULL, q->fp);
	int ret = -ENODEV;

	if (fo_sec_port_ok(fp.tx))
		ret = rte_eth_tx_done_cleanup(fp.tx, q->qid, free_cnt);
	fo_leave(&q->in);
	return ret;
}

/*
 * In a secondary process, after fo_sec_port_mark(): until no burst of this
 * process that may have found the port usable is still inside one of the
 * failover port's queues (the same marks as fo_quiesce(), the fences of
 * the contract, with the gone bit in place of the path word).
 */
void
fo_sec_quiesce(struct rte_eth_dev_data *data)
{
	fo_wait_queues(data);
}
