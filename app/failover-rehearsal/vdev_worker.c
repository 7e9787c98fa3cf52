/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's worker lcore: it transmits tagged frames through the
 * failover port and reads both far ends, the vhost backend (path virtio)
 * and the tap's kernel side through an AF_PACKET socket (path vf), into one
 * stream accountant; the main lcore asks it for a round's counts.
 */

#include <string.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rehearsal.h"
#include "rte_pmd_failover.h"

/* Count one frame at a far end (one thread at a time: the worker, or main once it stopped). */
static void
rh_count(struct rh *r, const void *frame, size_t len, enum rh_path path)
{
	struct rh_tag tag;

	if (rh_frame_decode(frame, len, &tag) != 0 ||
	    memcmp(rh_frame_src(frame), rh_mac.addr_bytes, RTE_ETHER_ADDR_LEN) != 0 ||
	    tag.run != r->run || tag.step >= r->nb_slots)
		return;
	rh_acct_feed(&r->acct, &tag, path, 0, tag.step);
}

/* ---- transmit ---- */

static void
rh_frame_fill(const struct rh *r, struct rte_mbuf *m, uint32_t round, uint64_t seq, uint64_t now)
{
	/* towards a peer out there: the same frames go out on either path */
	static const uint8_t dst[RTE_ETHER_ADDR_LEN] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct rh_tag tag = { .run = r->run, .dir = RH_DIR_A, .step = round, .seq = seq,
			      .ts_ns = now };
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	m->data_len = RH_VDEV_FRAME_LEN;
	m->pkt_len = RH_VDEV_FRAME_LEN;
	rh_frame_encode(p, RH_VDEV_FRAME_LEN, dst, rh_mac.addr_bytes, &tag);
	memset(p + RH_FRAME_LEN, 0, RH_VDEV_FRAME_LEN - RH_FRAME_LEN);
}

static void
rh_tx(struct rh *r, uint32_t round)
{
	struct rh_round *rd = &r->rd[round];
	struct rte_mbuf *pkts[RH_BURST];
	uint64_t now = rh_now_ns();
	uint16_t n, i;
	int role;

	if (rte_pktmbuf_alloc_bulk(r->rig.pool, pkts, RH_BURST) != 0) {
		r->alloc_fail++;
		return;
	}
	for (i = 0; i < RH_BURST; i++)
		rh_frame_fill(r, pkts[i], round, r->seq++, now);
	/* the path this burst is about to take (read just before it) */
	role = rte_pmd_failover_active_path(r->rig.fo);
	n = rte_eth_tx_burst(r->rig.fo, 0, pkts, RH_BURST);
	if (n < RH_BURST)
		rte_pktmbuf_free_bulk(pkts + n, RH_BURST - n);
	rh_add(&rd->offered, RH_BURST);
	rh_add(&rd->refused, RH_BURST - n);
	if (role == RTE_PMD_FAILOVER_NONE)
		rh_add(&rd->no_path, 1);
	ft_stamp_hit(&r->first, role, n);
}

/* ---- receive ---- */

/* What comes back on the failover port (the kernel's own frames): drop it. */
static void
rh_rx_fo(struct rh *r)
{
	struct rte_mbuf *pkts[RH_BURST];
	uint16_t n;

	n = rte_eth_rx_burst(r->rig.fo, 0, pkts, RH_BURST);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* The host's end of the standby path. */
static void
rh_rx_vhost(struct rh *r)
{
	struct rte_mbuf *pkts[RH_BURST];
	uint16_t n, i;

	do {
		n = rte_eth_rx_burst(r->rig.vh, 0, pkts, RH_BURST);
		for (i = 0; i < n; i++)
			rh_count(r, rte_pktmbuf_mtod(pkts[i], void *),
				 rte_pktmbuf_data_len(pkts[i]), RH_PATH_VIRTIO);
		rte_pktmbuf_free_bulk(pkts, n);
	} while (n == RH_BURST);
}

/* The VF's far end: what reached the tap's kernel side. */
void
rh_vf_read(struct rh *r)
{
	uint8_t frame[256];
	ssize_t n;

	while ((n = recv(r->vf_fd, frame, sizeof(frame), MSG_DONTWAIT)) > 0)
		rh_count(r, frame, n, RH_PATH_VF);
}

/* The main lcore asked for the counts of one round: copy them. */
static void
rh_serve_copy(struct rh *r)
{
	static const struct rh_step_stats none;
	uint32_t req = __atomic_load_n(&r->copy_req, __ATOMIC_ACQUIRE);
	const struct rh_step_stats *s;

	if (req == __atomic_load_n(&r->copy_done, __ATOMIC_RELAXED))
		return;
	s = rh_acct_step(&r->acct, r->copy_step);
	r->copy = s != NULL ? *s : none;
	__atomic_store_n(&r->copy_done, req, __ATOMIC_RELEASE);
}

int
rh_worker(void *arg)
{
	struct rh *r = arg;
	uint32_t round;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		round = __atomic_load_n(&r->tag_round, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&r->tx_on, __ATOMIC_ACQUIRE))
			rh_tx(r, round);
		rh_rx_fo(r);
		rh_rx_vhost(r);
		rh_vf_read(r);
		rh_serve_copy(r);
		__atomic_store_n(&r->loops, r->loops + 1, __ATOMIC_RELEASE);
		rte_delay_us_block(r->opts.gap_us);
	}
	return 0;
}
