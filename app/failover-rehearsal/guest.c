/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --rig guest: the guest end of a real hypervisor's rig. The failover port
 * comes from the EAL command line (found by name), e.g.
 *   --vdev 'net_failover0,primary=<pci>,standby=<pci>,rx_port_rewrite=0'
 * with one queue pair. PCI hot-plug events reach the failover
 * (rte_dev_event_monitor_start(), rte_dev_hotplug_handle_enable()).
 *
 * The worker lcore ticks every --interval-us: it polls RX (direction B,
 * counted by the traffic engine: step and time from the tag; the path from
 * mbuf->port, the primary's or the standby's sub-port id, looked up again
 * when it changes: hence rx_port_rewrite=0), sends the A frames that are
 * due, and sleeps (no spinning: under TCG the guest's CPUs are scarce).
 * The main lcore reads commands on stdin and prints the "@@fo" lines, and
 * the events the worker and the EAL interrupt thread queued (printing from
 * them could stall them on a slow serial console).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_string_fns.h>

#include "rehearsal.h"
#include "rte_pmd_failover.h"

#define RG_RX_BURSTS 8            /* RX bursts at most per tick */
#define RG_EVENTS 64

struct rg_event {
	uint64_t us;
	char what[24];
	char name[64];
};

struct rg {
	const struct rh_opts *o;
	uint16_t fo, primary, standby;
	struct rte_mempool *pool;
	unsigned int pool_size;
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	/* worker only */
	struct rh_acct b;
	struct rh_pace pace;
	int path;                 /* active path last seen */
	/* written by the worker, read by main (atomics) */
	uint64_t seq, refused, alloc_fail, b_next, rx_port_fo;
	uint32_t last_b_step;
	/* main -> worker */
	int stop, sending;
	uint32_t snap_req, snap_done;
	struct rh_acct snap;      /* written by the worker on request */
	uint64_t snap_slips;
	/* events for main to print */
	pthread_mutex_t ev_lock;
	struct rg_event ev[RG_EVENTS];
	unsigned int nb_ev, ev_lost;
};

static struct rg rg;

/* ---- events: queued by any thread, printed by main ---- */

static void
rg_event(struct rg *g, const char *what, const char *name)
{
	struct rg_event *e;

	pthread_mutex_lock(&g->ev_lock);
	if (g->nb_ev == RG_EVENTS) {
		g->ev_lost++;
	} else {
		e = &g->ev[g->nb_ev++];
		e->us = rh_now_ns() / 1000;
		strlcpy(e->what, what, sizeof(e->what));
		strlcpy(e->name, name, sizeof(e->name));
	}
	pthread_mutex_unlock(&g->ev_lock);
}

static void
rg_events_print(struct rg *g)
{
	struct rg_event ev[RG_EVENTS];
	unsigned int n, i, lost;

	pthread_mutex_lock(&g->ev_lock);
	n = g->nb_ev;
	lost = g->ev_lost;
	memcpy(ev, g->ev, n * sizeof(ev[0]));
	g->nb_ev = g->ev_lost = 0;
	pthread_mutex_unlock(&g->ev_lock);
	for (i = 0; i < n; i++)
		rh_out(stdout, "event", "{\"us\":%" PRIu64 ",\"what\":\"%s\",\"dev\":\"%s\"}",
		       ev[i].us, ev[i].what, ev[i].name);
	if (lost != 0)
		rh_out(stdout, "event", "{\"us\":%" PRIu64 ",\"what\":\"events-lost\","
		       "\"dev\":\"%u\"}", rh_now_ns() / 1000, lost);
}

static void
rg_dev_event(const char *name, enum rte_dev_event_type type, void *arg)
{
	rg_event(arg, type == RTE_DEV_EVENT_ADD ? "dev-add" :
		 type == RTE_DEV_EVENT_REMOVE ? "dev-remove" : "dev-other", name);
}

/* ---- worker: receive B ---- */

static void
rg_sub_ports(struct rg *g)
{
	if (rte_pmd_failover_sub_port(g->fo, RTE_PMD_FAILOVER_PRIMARY, &g->primary) != 0)
		g->primary = RTE_MAX_ETHPORTS;
	if (rte_pmd_failover_sub_port(g->fo, RTE_PMD_FAILOVER_STANDBY, &g->standby) != 0)
		g->standby = RTE_MAX_ETHPORTS;
}

/* The path of a received mbuf from its port (sub-port ids change on re-plug). */
static enum rh_path
rg_path(struct rg *g, uint16_t port)
{
	if (port != g->primary && port != g->standby)
		rg_sub_ports(g);
	if (port == g->primary)
		return RH_PATH_VF;
	if (port == g->standby)
		return RH_PATH_VIRTIO;
	if (port == g->fo)
		rh_add(&g->rx_port_fo, 1);    /* rx_port_rewrite=0 was not given */
	return RH_PATH_OTHER;
}

static void
rg_rx_one(struct rg *g, struct rte_mbuf *m)
{
	struct rh_tag tag;

	if (rh_frame_decode(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), &tag) != 0 ||
	    tag.dir != RH_DIR_B)
		return;
	__atomic_store_n(&g->last_b_step, tag.step, __ATOMIC_RELAXED);
	rh_acct_feed(&g->b, &tag, rg_path(g, m->port), 0, tag.step);
}

static void
rg_rx(struct rg *g)
{
	struct rte_mbuf *pkts[RH_BURST];
	unsigned int b;
	uint16_t n, i;

	for (b = 0; b < RG_RX_BURSTS; b++) {
		n = rte_eth_rx_burst(g->fo, 0, pkts, RH_BURST);
		for (i = 0; i < n; i++)
			rg_rx_one(g, pkts[i]);
		rte_pktmbuf_free_bulk(pkts, n);
		if (n < RH_BURST)
			break;
	}
	rh_store(&g->b_next, rh_acct_next_seq(&g->b));
}

/* ---- worker: send A ---- */

static void
rg_fill(struct rg *g, struct rte_mbuf *m, uint64_t seq, uint64_t now)
{
	struct rh_tag tag = { .run = g->o->run, .dir = RH_DIR_A, .step = g->last_b_step,
			      .seq = seq, .ts_ns = now };

	rh_frame_encode(rte_pktmbuf_mtod(m, uint8_t *), RH_FRAME_LEN, g->o->peer_mac, g->mac,
			&tag);
	m->data_len = RH_FRAME_LEN;
	m->pkt_len = RH_FRAME_LEN;
}

/* The frames due; a refused one keeps its seq for the next tick. */
static void
rg_tx(struct rg *g, uint64_t now)
{
	unsigned int due = rh_pace_due(&g->pace, now, RH_BURST), i;
	struct rte_mbuf *pkts[RH_BURST];
	uint64_t seq = rh_load(&g->seq);
	uint16_t n;

	if (due == 0)
		return;
	if (rte_pktmbuf_alloc_bulk(g->pool, pkts, due) != 0) {
		rh_add(&g->alloc_fail, 1);
		return;
	}
	for (i = 0; i < due; i++)
		rg_fill(g, pkts[i], seq + i, now);
	n = rte_eth_tx_burst(g->fo, 0, pkts, due);
	if (n < due) {
		rte_pktmbuf_free_bulk(pkts + n, due - n);
		rh_add(&g->refused, due - n);
	}
	rh_store(&g->seq, seq + n);
	rh_pace_done(&g->pace, n < due ? n + 1 : n);
}

/* ---- worker: the loop ---- */

static void
rg_serve_snapshot(struct rg *g)
{
	uint32_t req = __atomic_load_n(&g->snap_req, __ATOMIC_ACQUIRE);

	if (req == __atomic_load_n(&g->snap_done, __ATOMIC_RELAXED))
		return;
	if (rh_acct_snapshot(&g->snap, &g->b) != 0)
		rh_acct_free(&g->snap);
	g->snap_slips = g->pace.slips;
	__atomic_store_n(&g->snap_done, req, __ATOMIC_RELEASE);
}

static void
rg_watch_path(struct rg *g)
{
	static const char *const name[] = { "primary", "standby", "none" };
	int path = rte_pmd_failover_active_path(g->fo);

	if (path == g->path || path < 0 || path > RTE_PMD_FAILOVER_NONE)
		return;
	g->path = path;
	rg_event(g, "active-path", name[path]);
}

static int
rg_worker(void *arg)
{
	struct rg *g = arg;
	uint64_t tick = g->o->interval_us * 1000ull, next = rh_now_ns(), now;
	bool sending = true;

	rh_pace_init(&g->pace, tick, next);
	while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE)) {
		now = rh_now_ns();
		rg_rx(g);
		if (__atomic_load_n(&g->sending, __ATOMIC_ACQUIRE)) {
			if (!sending)
				rh_pace_init(&g->pace, tick, now);
			rg_tx(g, now);
		}
		sending = __atomic_load_n(&g->sending, __ATOMIC_RELAXED);
		rg_watch_path(g);
		rg_serve_snapshot(g);
		next += tick;
		if (next < now)
			next = now + tick;      /* late: no catching up on ticks */
		rh_sleep_until(next);
	}
	rg_serve_snapshot(g);
	return 0;
}

/* ---- main: commands ---- */

/* A copy of the worker's counters, taken between two ticks (1 ms naps: TCG). */
static int
rg_snapshot(struct rg *g)
{
	if (ft_wait_answer(&g->snap_req, &g->snap_done, 5000, 1000) == 0)
		return 0;
	rh_error("the worker lcore does not answer");
	return -1;
}

static void
rg_report(void *ctx, const struct rh_cmd *c)
{
	struct rg *g = ctx;
	int path = rte_pmd_failover_active_path(g->fo);

	if (rg_snapshot(g) != 0)
		return;
	rh_acct_report(&g->snap, stdout, &c->report);
	rh_out(stdout, "tx", "{\"dir\":\"A\",\"run\":%u,\"frames\":%" PRIu64 ",\"refused\":%"
	       PRIu64 ",\"slips\":%" PRIu64 ",\"interval_us\":%u,\"alloc_fail\":%" PRIu64 "}",
	       g->o->run, rh_load(&g->seq), rh_load(&g->refused), g->snap_slips,
	       g->o->interval_us, rh_load(&g->alloc_fail));
	rh_out(stdout, "guest", "{\"port\":%u,\"active_path\":%d,\"primary\":%d,\"standby\":%d,"
	       "\"rx_port_is_failover\":%" PRIu64 ",\"mbufs_free\":%u,\"mbufs\":%u}", g->fo, path,
	       g->primary == RTE_MAX_ETHPORTS ? -1 : g->primary,
	       g->standby == RTE_MAX_ETHPORTS ? -1 : g->standby, rh_load(&g->rx_port_fo),
	       rte_mempool_avail_count(g->pool), g->pool_size);
	rh_out(stdout, "end", "{\"what\":\"report\"}");
}

static void
rg_status(void *ctx, const char *kind)
{
	struct rg *g = ctx;

	rh_out_status(stdout, kind, __atomic_load_n(&g->last_b_step, __ATOMIC_RELAXED),
		      rh_load(&g->seq), rh_load(&g->b_next));
}

static void
rg_sending(void *ctx, bool start)
{
	struct rg *g = ctx;

	__atomic_store_n(&g->sending, start, __ATOMIC_RELEASE);
	rg_snapshot(g);     /* the worker saw it: the seq is final */
	rh_out_sending(stdout, start, RH_DIR_A, rh_load(&g->seq));
}

static const struct rh_cmd_ops rg_cmd_ops = {
	.report = rg_report, .status = rg_status, .sending = rg_sending,
};

/* Commands until quit, end of input or a signal; events printed meanwhile. */
static void
rg_main_loop(struct rg *g)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct rh_lines in = { .len = 0 };
	bool go = true;
	char *line;

	while (go && !rh_quit) {
		rg_events_print(g);
		if (!in.eof && poll(&pfd, 1, 20) > 0)
			rh_lines_fill(&in, STDIN_FILENO);
		while (go && (line = rh_lines_next(&in)) != NULL)
			go = rh_cmd_run(line, &rg_cmd_ops, g);
		if (in.eof && in.skip == in.len)
			break;
	}
	rg_events_print(g);
}

/* ---- set-up, tear-down ---- */

static int
rg_port(struct rg *g)
{
	struct rte_ether_addr mac;

	if (rte_eth_dev_get_port_by_name(g->o->port, &g->fo) != 0) {
		rh_error("no port %s: give it with --vdev (EAL) and --port", g->o->port);
		return -1;
	}
	if (rte_pmd_failover_active_path(g->fo) < 0) {
		rh_error("port %s is not a failover port", g->o->port);
		return -1;
	}
	g->pool = rte_pktmbuf_pool_create("rg_pool", RH_NB_MBUF, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, rte_eth_dev_socket_id(g->fo));
	if (g->pool == NULL) {
		rh_error("mempool: %s", rte_strerror(rte_errno));
		return -1;
	}
	g->pool_size = g->pool->size;
	if (ft_port_start(g->fo, 1, RH_NB_DESC, NULL, g->pool) != 0 ||
	    rte_eth_macaddr_get(g->fo, &mac) != 0) {
		rh_error("cannot start port %s", g->o->port);
		return -1;
	}
	memcpy(g->mac, mac.addr_bytes, sizeof(g->mac));
	rg_sub_ports(g);
	return 0;
}

static void
rg_hotplug(struct rg *g, bool on)
{
	if (on) {
		if (rte_dev_event_monitor_start() != 0)
			rh_error("rte_dev_event_monitor_start failed: no hot-plug events");
		if (rte_dev_hotplug_handle_enable() != 0)
			rh_error("rte_dev_hotplug_handle_enable failed");
		rte_dev_event_callback_register(NULL, rg_dev_event, g);
		return;
	}
	rte_dev_event_callback_unregister(NULL, rg_dev_event, g);
	rte_dev_hotplug_handle_disable();
	rte_dev_event_monitor_stop();
}

/* Stop and close the port (the failover closes its sub-ports); count the pool. */
static int
rg_close(struct rg *g)
{
	unsigned int left = 0;
	int ok;

	if (rte_eth_dev_is_valid_port(g->fo)) {
		rte_eth_dev_stop(g->fo);
		rte_eth_dev_close(g->fo);
	}
	if (g->pool != NULL)
		left = rte_mempool_avail_count(g->pool);
	ok = g->pool != NULL && left == g->pool_size;
	rh_out(stdout, "exit", "{\"mbufs_free\":%u,\"mbufs\":%u,\"ok\":%s}", left, g->pool_size,
	       ok ? "true" : "false");
	rte_mempool_free(g->pool);
	return ok ? 0 : 1;
}

static void
rg_ready(struct rg *g)
{
	char mac[20], peer[20];

	rh_mac_format(g->mac, mac, sizeof(mac));
	rh_mac_format(g->o->peer_mac, peer, sizeof(peer));
	rh_out(stdout, "ready", "{\"mode\":\"dpdk-guest\",\"run\":%u,\"port\":\"%s\","
	       "\"port_id\":%u,\"mac\":\"%s\",\"peer_mac\":\"%s\",\"interval_us\":%u,"
	       "\"primary\":%d,\"standby\":%d}", g->o->run, g->o->port, g->fo, mac, peer,
	       g->o->interval_us, g->primary == RTE_MAX_ETHPORTS ? -1 : g->primary,
	       g->standby == RTE_MAX_ETHPORTS ? -1 : g->standby);
}

static int
rg_init(struct rg *g, const struct rh_opts *o)
{
	memset(g, 0, sizeof(*g));
	g->o = o;
	g->fo = RTE_MAX_ETHPORTS;
	g->path = -1;
	g->sending = 1;
	pthread_mutex_init(&g->ev_lock, NULL);
	if (rte_lcore_count() < 2) {
		rh_error("needs 2 lcores (e.g. -l 0-1): the main one and a worker");
		return -1;
	}
	if (rh_acct_init(&g->b, RH_DIR_B, RH_CLOCK_TAG, true, 0) != 0)
		return -1;
	if (o->peer_run_given)
		rh_acct_fix_run(&g->b, o->peer_run);
	return 0;
}

/* 0: clean exit, 1: mbufs missing, 2: could not start. */
int
rh_guest(const struct rh_opts *o)
{
	struct rg *g = &rg;
	unsigned int lcore;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rg_init(g, o) != 0)
		return 2;
	rg_hotplug(g, true);
	ret = rg_port(g) == 0 ? 0 : 2;
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (ret == 0 && rte_eal_remote_launch(rg_worker, g, lcore) != 0) {
		rh_error("cannot launch the worker on lcore %u", lcore);
		ret = 2;
	}
	if (ret == 0) {
		rg_ready(g);
		rg_main_loop(g);
		__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
		rte_eal_mp_wait_lcore();
	}
	rg_hotplug(g, false);
	if (rg_close(g) != 0 && ret == 0)
		ret = 1;
	rh_out(stdout, "bye", "{\"mode\":\"dpdk-guest\",\"a_sent\":%" PRIu64 "}", g->seq);
	rh_acct_free(&g->b);
	rh_acct_free(&g->snap);
	return ret;
}
