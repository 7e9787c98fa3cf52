/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpdk-failover-rehearsal: rehearse live migrations of a guest that uses
 * net_failover, on the virtual devices every Linux machine has.
 *
 * The rig, in one process: a net_tap primary plays the pass-through VF (its
 * kernel interface is the "wire" of the VF), a virtio-user standby talks to
 * a net_vhost backend that plays the host's end of the paravirtual path,
 * and a failover port wraps both with one MAC address. One worker lcore
 * sends tagged frames (round, sequence number) through the failover port
 * and counts what the vhost backend receives; the main thread counts what
 * reaches the tap's kernel side through an AF_PACKET socket and drives the
 * migrations: the VF is announced to go (RTE_DEV_EVENT_REMOVE, the API, or
 * its link drops), traffic runs on the standby for a while, the VF comes
 * back (RTE_DEV_EVENT_ADD, or its link returns).
 *
 * Every frame is accounted for: offered to tx_burst = received at the VF's
 * far end + received at the vhost end + refused by tx_burst + lost.
 */

#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "rte_pmd_failover.h"

#define RH_FO_NAME "net_failover0"
#define RH_TAP_NAME "net_tap0"
#define RH_VU_NAME "net_virtio_user0"
#define RH_VH_NAME "net_vhost0"
#define RH_MAC_STR "02:fa:11:00:00:10"
#define RH_ETHERTYPE 0x88b5
#define RH_MAGIC 0x52484f46u      /* "FOHR" */
#define RH_BURST 32
#define RH_FRAME_LEN 64
#define RH_NB_MBUF 8191
#define RH_VH_NB_MBUF 4095
#define RH_NB_DESC 256
#define RH_LIMIT_MS 2000          /* a switch slower than this fails the round */
#define RH_SEQ_BITS (1u << 26)    /* frames checked for duplicates */
#define RH_SOCK_BUF (64 << 20)
/* Phases last a random extra 0-10 ms: triggers then fall anywhere in the link poll period. */
#define RH_JITTER_US 10000

enum rh_trigger { RH_TRIGGER_EVENT, RH_TRIGGER_API, RH_TRIGGER_LINK };

static const char *const rh_trigger_name[] = {
	[RH_TRIGGER_EVENT] = "RTE_DEV_EVENT_REMOVE / RTE_DEV_EVENT_ADD",
	[RH_TRIGGER_API] = "rte_pmd_failover_primary_leave() / RTE_DEV_EVENT_ADD",
	[RH_TRIGGER_LINK] = "VF link down / up",
};

struct rh_opts {
	unsigned int rounds;
	enum rh_trigger trigger;
	unsigned int away_ms;
	unsigned int home_ms;
	unsigned int gap_us;
	char iface[IFNAMSIZ];
};

/* Frame payload after the Ethernet header. */
struct rh_tag {
	uint32_t magic;
	uint32_t run;             /* process id: frames of another run are ignored */
	uint32_t round;
	uint64_t seq;
} __rte_packed;

/* One round (slot 0: warm-up before round 1; last slot: wind-down). */
struct rh_round {
	uint64_t offered;         /* given to tx_burst (worker) */
	uint64_t refused;         /* returned by tx_burst (worker) */
	uint64_t no_path;         /* bursts that found no active path (worker) */
	uint64_t t_standby;       /* trigger to first standby burst, cycles; 0: none */
	uint64_t t_released;      /* trigger to primary gone; 0: none or n/a */
	uint64_t t_primary;       /* re-add to first primary burst; 0: none */
};

/* One far end: counts per round, a bitmap of the sequence numbers seen. */
struct rh_side {
	uint64_t *rx;             /* unique frames received, per round */
	uint64_t *seen;
	uint64_t dups, unchecked;
};

struct rh {
	struct rh_opts opts;
	struct rte_mempool *pool, *vh_pool;
	unsigned int pool_size, vh_pool_size, pool_left, vh_pool_left;
	uint16_t fo, vh;
	char sock[64];
	int vf_fd;
	unsigned int nb_slots;    /* warm-up, rounds, wind-down */
	struct rh_round *rd;
	struct rh_side vf, vhost;
	unsigned int rounds_done;
	uint32_t run;
	uint64_t fo_opackets, fo_primary_tx, fo_standby_tx, path_switches, vf_sock_drops;
	/* worker only */
	uint64_t seq, alloc_fail;
	/* shared with the worker */
	uint32_t tag_round;
	int tx_on, stop, want_role;
	uint64_t t_first, loops;
};

static struct rh rh;
static struct rte_ether_addr rh_mac;
static volatile sig_atomic_t rh_quit;

static void
rh_store(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, v, __ATOMIC_RELAXED);
}

static uint64_t
rh_load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Only one thread writes a given counter: no read-modify-write atomic. */
static void
rh_add(uint64_t *c, uint64_t n)
{
	rh_store(c, rh_load(c) + n);
}

static double
rh_ms(uint64_t cycles)
{
	return cycles * 1000.0 / rte_get_timer_hz();
}

/* The tag of a rehearsal frame, or -1. */
static int
rh_tag_get(const void *frame, size_t len, struct rh_tag *tag)
{
	const struct rte_ether_hdr *eh = frame;

	if (len < sizeof(*eh) + sizeof(*tag) ||
	    eh->ether_type != rte_cpu_to_be_16(RH_ETHERTYPE) ||
	    !rte_is_same_ether_addr(&eh->src_addr, &rh_mac))
		return -1;
	memcpy(tag, eh + 1, sizeof(*tag));
	return tag->magic == RH_MAGIC && tag->run == rh.run && tag->round < rh.nb_slots ? 0 : -1;
}

/* Count one frame at a far end (each side has a single writer). */
static void
rh_side_count(struct rh_side *side, const void *frame, size_t len)
{
	struct rh_tag tag;
	uint64_t bit;

	if (rh_tag_get(frame, len, &tag) != 0)
		return;
	if (tag.seq >= RH_SEQ_BITS) {
		side->unchecked++;
	} else {
		bit = RTE_BIT64(tag.seq % 64);
		if (side->seen[tag.seq / 64] & bit) {
			side->dups++;
			return;
		}
		side->seen[tag.seq / 64] |= bit;
	}
	rh_add(&side->rx[tag.round], 1);
}

/* ---- worker lcore: transmit, and receive on both far-end DPDK ports ---- */

static void
rh_frame_fill(struct rte_mbuf *m, uint32_t round, uint64_t seq)
{
	struct rh_tag tag = { .magic = RH_MAGIC, .run = rh.run, .round = round, .seq = seq };
	struct rte_ether_hdr *eh;

	m->data_len = RH_FRAME_LEN;
	m->pkt_len = RH_FRAME_LEN;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eh, 0, RH_FRAME_LEN);
	/* towards a peer out there: the same frames go out on either path */
	eh->dst_addr.addr_bytes[0] = 0x02;
	eh->dst_addr.addr_bytes[5] = 0x99;
	eh->src_addr = rh_mac;
	eh->ether_type = rte_cpu_to_be_16(RH_ETHERTYPE);
	memcpy(eh + 1, &tag, sizeof(tag));
}

static void
rh_tx(struct rh *r, uint32_t round)
{
	struct rh_round *rd = &r->rd[round];
	struct rte_mbuf *pkts[RH_BURST];
	uint16_t n, i;
	int role;

	if (rte_pktmbuf_alloc_bulk(r->pool, pkts, RH_BURST) != 0) {
		r->alloc_fail++;
		return;
	}
	for (i = 0; i < RH_BURST; i++)
		rh_frame_fill(pkts[i], round, r->seq++);
	/* the path this burst is about to take (read just before it) */
	role = rte_pmd_failover_active_path(r->fo);
	n = rte_eth_tx_burst(r->fo, 0, pkts, RH_BURST);
	if (n < RH_BURST)
		rte_pktmbuf_free_bulk(pkts + n, RH_BURST - n);
	rh_add(&rd->offered, RH_BURST);
	rh_add(&rd->refused, RH_BURST - n);
	if (role == RTE_PMD_FAILOVER_NONE)
		rh_add(&rd->no_path, 1);
	if (n > 0 && role == __atomic_load_n(&r->want_role, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&r->want_role, -1, __ATOMIC_RELAXED);
		__atomic_store_n(&r->t_first, rte_get_timer_cycles(), __ATOMIC_RELEASE);
	}
}

/* What comes back on the failover port (the kernel's own frames): drop it. */
static void
rh_rx_fo(struct rh *r)
{
	struct rte_mbuf *pkts[RH_BURST];
	uint16_t n;

	n = rte_eth_rx_burst(r->fo, 0, pkts, RH_BURST);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* The host's end of the standby path. */
static void
rh_rx_vhost(struct rh *r)
{
	struct rte_mbuf *pkts[RH_BURST];
	uint16_t n, i;

	do {
		n = rte_eth_rx_burst(r->vh, 0, pkts, RH_BURST);
		for (i = 0; i < n; i++)
			rh_side_count(&r->vhost, rte_pktmbuf_mtod(pkts[i], void *),
				      rte_pktmbuf_data_len(pkts[i]));
		rte_pktmbuf_free_bulk(pkts, n);
	} while (n == RH_BURST);
}

static int
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
		__atomic_store_n(&r->loops, r->loops + 1, __ATOMIC_RELEASE);
		rte_delay_us_block(r->opts.gap_us);
	}
	return 0;
}

/* ---- main thread: the VF's far end, waits that sleep, triggers ---- */

static int
rh_vf_open(struct rh *r)
{
	int buf = RH_SOCK_BUF;

	/*
	 * Not bound to the interface: the failover removes the tap with its
	 * kernel interface and probes a new one (new ifindex) at each round.
	 * Only the tap carries frames of this ethertype from our MAC.
	 */
	r->vf_fd = socket(AF_PACKET, SOCK_RAW, htons(RH_ETHERTYPE));
	if (r->vf_fd < 0) {
		printf("AF_PACKET socket: %s (run as root)\n", strerror(errno));
		return -1;
	}
	if (setsockopt(r->vf_fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(r->vf_fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	return 0;
}

static void
rh_vf_read(struct rh *r)
{
	uint8_t frame[256];
	ssize_t n;

	while ((n = recv(r->vf_fd, frame, sizeof(frame), MSG_DONTWAIT)) > 0)
		rh_side_count(&r->vf, frame, n);
}

static void
rh_vf_close(struct rh *r)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	rh_vf_read(r);
	if (getsockopt(r->vf_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		r->vf_sock_drops = st.tp_drops;
	close(r->vf_fd);
}

/*
 * Wait without spinning: with -l 0-1 the EAL interrupt thread (events,
 * alarms: where the failover does its work) shares the main lcore's core.
 */
static void
rh_nap(struct rh *r)
{
	rh_vf_read(r);
	rte_delay_us_sleep(50);
}

static void
rh_sleep_us(struct rh *r, uint64_t us)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * us / 1000000;

	while (rte_get_timer_cycles() < end)
		rh_nap(r);
}

/* A phase of the round: ms plus a random jitter. */
static void
rh_phase(struct rh *r, unsigned int ms)
{
	rh_sleep_us(r, ms * 1000ULL + rte_rand_max(RH_JITTER_US));
}

/* Wait until the worker has run two whole loops since now. */
static int
rh_worker_sync(struct rh *r)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * RH_LIMIT_MS / 1000;
	uint64_t l = __atomic_load_n(&r->loops, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&r->loops, __ATOMIC_ACQUIRE) < l + 2) {
		if (rte_get_timer_cycles() > end) {
			printf("worker lcore stuck\n");
			return -1;
		}
		rh_nap(r);
	}
	rh_vf_read(r);
	return 0;
}

/* Ask the worker to stamp its first burst sent on role; returns now. */
static uint64_t
rh_arm(struct rh *r, int role)
{
	__atomic_store_n(&r->t_first, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->want_role, role, __ATOMIC_RELEASE);
	return rte_get_timer_cycles();
}

/* Time from t0 to the worker's first burst on the armed role; 0: none. */
static uint64_t
rh_first_burst(struct rh *r, uint64_t t0)
{
	uint64_t end = t0 + rte_get_timer_hz() * RH_LIMIT_MS / 1000, t;

	while ((t = __atomic_load_n(&r->t_first, __ATOMIC_ACQUIRE)) == 0) {
		if (rte_get_timer_cycles() > end) {
			__atomic_store_n(&r->want_role, -1, __ATOMIC_RELEASE);
			return 0;
		}
		rh_nap(r);
	}
	return t > t0 ? t - t0 : 1;
}

static bool
rh_primary_present(const struct rh *r)
{
	uint16_t p;

	return rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_PRIMARY, &p) == 0;
}

/* Time from t0 until the failover let the VF go; 0: not within the limit. */
static uint64_t
rh_wait_released(struct rh *r, uint64_t t0)
{
	uint64_t end = t0 + rte_get_timer_hz() * RH_LIMIT_MS / 1000, t;

	while (rh_primary_present(r)) {
		if (rte_get_timer_cycles() > end)
			return 0;
		rh_nap(r);
	}
	t = rte_get_timer_cycles();
	return t > t0 ? t - t0 : 1;
}

/* `ip link set dev <iface> up|down`, without forking. */
static int
rh_link_set(const char *iface, bool up)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	strlcpy(ifr.ifr_name, iface, sizeof(ifr.ifr_name));
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (ret == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (ret != 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The hypervisor announces that the VF goes. */
static int
rh_trigger_leave(struct rh *r)
{
	int ret = 0;

	switch (r->opts.trigger) {
	case RH_TRIGGER_EVENT:
		/* what the PCI bus raises when VFIO relays an unplug request */
		rte_dev_event_callback_process(RH_TAP_NAME, RTE_DEV_EVENT_REMOVE);
		break;
	case RH_TRIGGER_API:
		ret = rte_pmd_failover_primary_leave(r->fo);
		break;
	case RH_TRIGGER_LINK:
		ret = rh_link_set(r->opts.iface, false);
		break;
	}
	if (ret != 0)
		printf("trigger failed: %s\n", strerror(-ret));
	return ret;
}

/* The VF is back (on the destination host). */
static int
rh_trigger_back(struct rh *r)
{
	int ret;

	if (r->opts.trigger == RH_TRIGGER_LINK) {
		ret = rh_link_set(r->opts.iface, true);
		if (ret != 0)
			printf("link up failed: %s\n", strerror(-ret));
		return ret;
	}
	/* what the uevent monitor raises for a new device: net_failover re-probes it */
	rte_dev_event_callback_process(RH_TAP_NAME, RTE_DEV_EVENT_ADD);
	return 0;
}

static uint64_t
rh_round_received(const struct rh *r, unsigned int i)
{
	return rh_load(&r->vf.rx[i]) + rh_load(&r->vhost.rx[i]);
}

static int64_t
rh_round_lost(const struct rh *r, unsigned int i)
{
	return (int64_t)(rh_load(&r->rd[i].offered) - rh_round_received(r, i));
}

static void
rh_round_print(const struct rh *r, unsigned int i)
{
	const struct rh_round *rd = &r->rd[i];
	char rel[32] = "      -   ";

	if (r->opts.trigger != RH_TRIGGER_LINK)
		snprintf(rel, sizeof(rel), "%6.2f ms", rh_ms(rd->t_released));
	printf("round %3u/%u  standby %7.3f ms  released %s  primary %7.3f ms | sent %6" PRIu64
	       " = VF %6" PRIu64 " + vhost %6" PRIu64 " + lost %" PRId64,
	       i, r->opts.rounds, rh_ms(rd->t_standby), rel, rh_ms(rd->t_primary),
	       rh_load(&rd->offered), rh_load(&r->vf.rx[i]), rh_load(&r->vhost.rx[i]),
	       rh_round_lost(r, i));
	if (rh_load(&rd->refused) != 0)
		printf(" (%" PRIu64 " refused by tx_burst)", rh_load(&rd->refused));
	if (rd->t_standby == 0 || rd->t_primary == 0 ||
	    (r->opts.trigger != RH_TRIGGER_LINK && rd->t_released == 0))
		printf("  SWITCH MISSING");
	printf("\n");
	fflush(stdout);
}

/* One migration: leave, traffic on the standby, back, traffic on the VF. */
static int
rh_round(struct rh *r, unsigned int i)
{
	struct rh_round *rd = &r->rd[i];
	uint64_t t0;

	__atomic_store_n(&r->tag_round, i, __ATOMIC_RELEASE);
	t0 = rh_arm(r, RTE_PMD_FAILOVER_STANDBY);
	if (rh_trigger_leave(r) != 0)
		return -1;
	rd->t_standby = rh_first_burst(r, t0);
	if (r->opts.trigger != RH_TRIGGER_LINK)
		rd->t_released = rh_wait_released(r, t0);
	rh_phase(r, r->opts.away_ms);
	t0 = rh_arm(r, RTE_PMD_FAILOVER_PRIMARY);
	if (rh_trigger_back(r) != 0)
		return -1;
	rd->t_primary = rh_first_burst(r, t0);
	rh_phase(r, r->opts.home_ms);
	/* close the round: later frames carry the next round's number */
	__atomic_store_n(&r->tag_round, i + 1, __ATOMIC_RELEASE);
	if (rh_worker_sync(r) != 0)
		return -1;
	rh_round_print(r, i);
	return rd->t_standby != 0 && rd->t_primary != 0 &&
	       (r->opts.trigger == RH_TRIGGER_LINK || rd->t_released != 0) ? 0 : -1;
}

static void
rh_on_signal(int sig)
{
	RTE_SET_USED(sig);
	rh_quit = 1;
}

/* Warm up on the primary, run the rounds, let the last frames land. */
static int
rh_run(struct rh *r)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	int ret = 0;

	__atomic_store_n(&r->tx_on, 1, __ATOMIC_RELEASE);
	if (rte_eal_remote_launch(rh_worker, r, lcore) != 0) {
		printf("cannot launch the worker on lcore %u\n", lcore);
		return -1;
	}
	rh_phase(r, r->opts.home_ms);
	printf("warm-up on the primary: sent %" PRIu64 "\n", rh_load(&r->rd[0].offered));
	for (r->rounds_done = 0; r->rounds_done < r->opts.rounds && !rh_quit; r->rounds_done++) {
		ret = rh_round(r, r->rounds_done + 1);
		if (ret != 0) {
			r->rounds_done++;
			printf("round %u failed: stopping\n", r->rounds_done);
			break;
		}
	}
	if (rh_quit)
		printf("interrupted after %u rounds\n", r->rounds_done);
	__atomic_store_n(&r->tx_on, 0, __ATOMIC_RELEASE);
	rh_worker_sync(r);
	rh_sleep_us(r, 100000);   /* the worker keeps draining the vhost end */
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	return ret;
}

/* ---- the rig ---- */

static int
rh_port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, RH_NB_DESC, rte_eth_dev_socket_id(port),
					     NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RH_NB_DESC, rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("setup of port %u failed: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* The host's end: a vhost-user backend, then the guest's virtio-user port. */
static int
rh_standby_setup(struct rh *r)
{
	char args[256];

	snprintf(r->sock, sizeof(r->sock), "/tmp/fo_rehearsal_%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "iface=%s,queues=1", r->sock);
	/* net_vhost opens its socket at configure: virtio-user comes after */
	if (rte_vdev_init(RH_VH_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(RH_VH_NAME, &r->vh) != 0 ||
	    rh_port_setup(r->vh, r->vh_pool) != 0) {
		printf("vhost backend %s failed\n", RH_VH_NAME);
		return -1;
	}
	snprintf(args, sizeof(args), "%s,path=%s,queues=1,queue_size=%u,mac=%s", RH_VU_NAME,
		 r->sock, RH_NB_DESC, RH_MAC_STR);
	if (rte_dev_probe(args) != 0) {
		printf("virtio-user probe '%s' failed\n", args);
		return -1;
	}
	return 0;
}

/* Both sub-ports ready: the primary carries TX, the standby's link is up. */
static int
rh_wait_ready(struct rh *r)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * RH_LIMIT_MS / 1000;
	struct rte_eth_link link = { 0 };
	uint16_t vu = RTE_MAX_ETHPORTS;

	for (;;) {
		if (rte_pmd_failover_sub_port(r->fo, RTE_PMD_FAILOVER_STANDBY, &vu) == 0 &&
		    rte_eth_link_get_nowait(vu, &link) == 0 && link.link_status &&
		    rte_pmd_failover_active_path(r->fo) == RTE_PMD_FAILOVER_PRIMARY)
			return 0;
		if (rte_get_timer_cycles() > end)
			break;
		rte_delay_us_sleep(1000);
	}
	printf("failover port not ready: active path %d, standby link %s\n",
	       rte_pmd_failover_active_path(r->fo), link.link_status ? "up" : "down");
	return -1;
}

static int
rh_rig_setup(struct rh *r)
{
	char args[256];

	r->pool = rte_pktmbuf_pool_create("rh_pool", RH_NB_MBUF, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	r->vh_pool = rte_pktmbuf_pool_create("rh_vh_pool", RH_VH_NB_MBUF, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (r->pool == NULL || r->vh_pool == NULL) {
		printf("mempool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	r->pool_size = r->pool->size;
	r->vh_pool_size = r->vh_pool->size;
	if (rh_standby_setup(r) != 0)
		return -1;
	snprintf(args, sizeof(args), "primary=(%s,iface=%s),standby=%s,mac=%s", RH_TAP_NAME,
		 r->opts.iface, RH_VU_NAME, RH_MAC_STR);
	if (rte_vdev_init(RH_FO_NAME, args) != 0 ||
	    rte_eth_dev_get_port_by_name(RH_FO_NAME, &r->fo) != 0) {
		printf("failover port '%s,%s' failed\n", RH_FO_NAME, args);
		return -1;
	}
	printf("failover port %u: %s,%s\n", r->fo, RH_FO_NAME, args);
	if (rh_port_setup(r->fo, r->pool) != 0)
		return -1;
	return rh_wait_ready(r);
}

static uint64_t
rh_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* Read the failover port's own counters before it goes. */
static void
rh_fo_counters(struct rh *r)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(r->fo, &st) == 0)
		r->fo_opackets = st.opackets;
	r->fo_primary_tx = rh_xstat(r->fo, "primary_tx_packets");
	r->fo_standby_tx = rh_xstat(r->fo, "standby_tx_packets");
	r->path_switches = rh_xstat(r->fo, "path_switches");
}

/* Close everything (the failover closes both sub-ports); count the pools. */
static void
rh_rig_close(struct rh *r)
{
	if (rte_eth_dev_is_valid_port(r->fo)) {
		rh_fo_counters(r);
		rte_eth_dev_stop(r->fo);
		rte_eth_dev_close(r->fo);
	}
	rte_vdev_uninit(RH_FO_NAME);
	rte_vdev_uninit(RH_VU_NAME);
	if (rte_eth_dev_is_valid_port(r->vh)) {
		rte_eth_dev_stop(r->vh);
		rte_eth_dev_close(r->vh);
	}
	rte_vdev_uninit(RH_VH_NAME);
	if (r->pool != NULL)
		r->pool_left = rte_mempool_avail_count(r->pool);
	if (r->vh_pool != NULL)
		r->vh_pool_left = rte_mempool_avail_count(r->vh_pool);
	rte_mempool_free(r->pool);
	rte_mempool_free(r->vh_pool);
	if (r->sock[0] != '\0')
		unlink(r->sock);
}

/* ---- report ---- */

static int
rh_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* p50/p99/max of one time over the rounds (slots 1..rounds_done). */
static void
rh_print_pct(const struct rh *r, const char *what, size_t off)
{
	uint64_t v[r->rounds_done + 1];
	unsigned int i, n = 0;

	for (i = 1; i <= r->rounds_done; i++)
		if (*(const uint64_t *)((const char *)&r->rd[i] + off) != 0)
			v[n++] = *(const uint64_t *)((const char *)&r->rd[i] + off);
	if (n == 0) {
		printf("  %-40s no samples\n", what);
		return;
	}
	qsort(v, n, sizeof(v[0]), rh_cmp_u64);
	printf("  %-40s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (n=%u)\n", what,
	       rh_ms(v[n / 2]), rh_ms(v[RTE_MIN(n - 1, n * 99 / 100)]), rh_ms(v[n - 1]), n);
}

/* Frames sent on both paths, or twice on one. */
static uint64_t
rh_dups(const struct rh *r)
{
	uint64_t d = r->vf.dups + r->vhost.dups;
	unsigned int w;

	for (w = 0; w < RH_SEQ_BITS / 64; w++)
		d += __builtin_popcountll(r->vf.seen[w] & r->vhost.seen[w]);
	return d;
}

struct rh_totals {
	uint64_t offered, refused, no_path, vf, vhost;
	int64_t lost;
	unsigned int switched;
};

static void
rh_sum(const struct rh *r, struct rh_totals *t)
{
	const struct rh_round *rd;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < r->nb_slots; i++) {
		rd = &r->rd[i];
		t->offered += rd->offered;
		t->refused += rd->refused;
		t->no_path += rd->no_path;
		t->vf += r->vf.rx[i];
		t->vhost += r->vhost.rx[i];
		if (i > 0 && i <= r->rounds_done && rd->t_standby != 0 && rd->t_primary != 0 &&
		    (r->opts.trigger == RH_TRIGGER_LINK || rd->t_released != 0))
			t->switched++;
	}
	t->lost = (int64_t)(t->offered - t->vf - t->vhost);
}

static bool
rh_check(const char *what, bool ok, bool info)
{
	printf("  [%s] %s\n", ok ? "PASS" : info ? "INFO" : "FAIL", what);
	return ok || info;
}

static int
rh_report(const struct rh *r)
{
	const bool link = r->opts.trigger == RH_TRIGGER_LINK;
	struct rh_totals t;
	uint64_t dups = rh_dups(r);
	char what[192];
	bool ok = true;

	rh_sum(r, &t);
	printf("\nSummary: %u rounds, trigger %s, away %u ms\n", r->rounds_done,
	       rh_trigger_name[r->opts.trigger], r->opts.away_ms);
	rh_print_pct(r, "trigger -> first burst on the standby",
		     offsetof(struct rh_round, t_standby));
	if (!link)
		rh_print_pct(r, "trigger -> VF released by the failover",
			     offsetof(struct rh_round, t_released));
	rh_print_pct(r, "re-add -> first burst on the primary",
		     offsetof(struct rh_round, t_primary));
	printf("  frames sent             %10" PRIu64 "\n", t.offered);
	printf("    received at VF end    %10" PRIu64 "  (tap kernel side)\n", t.vf);
	printf("    received at vhost end %10" PRIu64 "\n", t.vhost);
	printf("    refused by tx_burst   %10" PRIu64 "  (%" PRIu64 " bursts found no path)\n",
	       t.refused, t.no_path);
	printf("    lost                  %10" PRId64 "\n", t.lost);
	printf("    duplicates            %10" PRIu64 "\n", dups);
	printf("  failover port: opackets %" PRIu64 " (primary %" PRIu64 ", standby %" PRIu64
	       "), path_switches %" PRIu64 "\n", r->fo_opackets, r->fo_primary_tx,
	       r->fo_standby_tx, r->path_switches);
	printf("  mempools after close: %u/%u and %u/%u (vhost) mbufs free\n", r->pool_left,
	       r->pool_size, r->vh_pool_left, r->vh_pool_size);
	printf("Criteria:\n");
	snprintf(what, sizeof(what), "every round switched to the standby and back within %u ms "
		 "(%u/%u)", RH_LIMIT_MS, t.switched, r->opts.rounds);
	ok &= rh_check(what, t.switched == r->opts.rounds, false);
	snprintf(what, sizeof(what), "%s: %" PRId64 " frames lost%s", link ?
		 "link-down trigger (no notice)" : "early notice, make before break",
		 t.lost, link ? " (expected: tap TX fails until the next link poll)" : "");
	ok &= rh_check(what, t.lost == 0, link);
	ok &= rh_check("no frame delivered twice", dups == 0, false);
	snprintf(what, sizeof(what), "failover opackets (%" PRIu64 ") = frames tx_burst accepted "
		 "(%" PRIu64 ")", r->fo_opackets, t.offered - t.refused);
	ok &= rh_check(what, r->fo_opackets == t.offered - t.refused, false);
	snprintf(what, sizeof(what), "failover per-path counters = far ends (primary %" PRIu64
		 " = VF %" PRIu64 ", standby %" PRIu64 " = vhost %" PRIu64 ")",
		 r->fo_primary_tx, t.vf, r->fo_standby_tx, t.vhost);
	ok &= rh_check(what, r->fo_primary_tx == t.vf && r->fo_standby_tx == t.vhost, false);
	ok &= rh_check("every mbuf back in its mempool after closing the ports",
		       r->pool_left == r->pool_size && r->vh_pool_left == r->vh_pool_size, false);
	snprintf(what, sizeof(what), "far-end counting exact (socket drops %" PRIu64
		 ", frames past the duplicate check %" PRIu64 ")", r->vf_sock_drops,
		 r->vf.unchecked + r->vhost.unchecked);
	ok &= rh_check(what, r->vf_sock_drops == 0, false);
	printf("RESULT: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

/* ---- options, main ---- */

static void
rh_usage(const char *prog)
{
	printf("Usage: %s <EAL options> -- [options]\n"
	       "  --rounds N        migrations to rehearse (default 20)\n"
	       "  --trigger T       how the VF is announced to go:\n"
	       "                      event: RTE_DEV_EVENT_REMOVE, back with RTE_DEV_EVENT_ADD"
	       " (default)\n"
	       "                      api:   rte_pmd_failover_primary_leave(), back with"
	       " RTE_DEV_EVENT_ADD\n"
	       "                      link:  VF link down, back with link up (no notice)\n"
	       "  --away-ms N       time on the standby per round (default 50, plus 0-10 random)\n"
	       "  --home-ms N       time on the primary after each round (default 50, plus 0-10)\n"
	       "  --gap-us N        pause between bursts of %u frames (default 100)\n"
	       "  --iface NAME      kernel interface of the tap VF (default fo_vf0)\n"
	       "  --help\n", prog, RH_BURST);
}

static int
rh_uint(const char *s, unsigned int min, unsigned int max, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

static int
rh_parse(struct rh_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "trigger", required_argument, NULL, 't' },
		{ "away-ms", required_argument, NULL, 'a' },
		{ "home-ms", required_argument, NULL, 'm' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ "iface", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	*o = (struct rh_opts){ .rounds = 20, .away_ms = 50, .home_ms = 50, .gap_us = 100 };
	strlcpy(o->iface, "fo_vf0", sizeof(o->iface));
	optind = 1;
	while (ret == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ret = rh_uint(optarg, 1, 100000, &o->rounds);
			break;
		case 't':
			if (strcmp(optarg, "event") == 0)
				o->trigger = RH_TRIGGER_EVENT;
			else if (strcmp(optarg, "api") == 0)
				o->trigger = RH_TRIGGER_API;
			else if (strcmp(optarg, "link") == 0)
				o->trigger = RH_TRIGGER_LINK;
			else
				ret = -1;
			break;
		case 'a':
			ret = rh_uint(optarg, 0, 60000, &o->away_ms);
			break;
		case 'm':
			ret = rh_uint(optarg, 0, 60000, &o->home_ms);
			break;
		case 'g':
			ret = rh_uint(optarg, 0, 1000000, &o->gap_us);
			break;
		case 'h':
			rh_usage(argv[0]);
			return 1;
		case 'i':
			ret = strlen(optarg) < sizeof(o->iface) && optarg[0] != '\0' ? 0 : -1;
			strlcpy(o->iface, optarg, sizeof(o->iface));
			break;
		default:
			ret = -1;
		}
		if (ret != 0)
			printf("bad option or value: %s\n", argv[optind - 1]);
	}
	if (ret == 0 && optind < argc) {
		printf("unexpected argument: %s\n", argv[optind]);
		ret = -1;
	}
	if (ret != 0)
		rh_usage(argv[0]);
	return ret;
}

static int
rh_alloc(struct rh *r)
{
	r->nb_slots = r->opts.rounds + 2;
	r->rd = calloc(r->nb_slots, sizeof(*r->rd));
	r->vf.rx = calloc(r->nb_slots, sizeof(uint64_t));
	r->vhost.rx = calloc(r->nb_slots, sizeof(uint64_t));
	r->vf.seen = calloc(RH_SEQ_BITS / 64, sizeof(uint64_t));
	r->vhost.seen = calloc(RH_SEQ_BITS / 64, sizeof(uint64_t));
	r->vf_fd = -1;
	r->fo = r->vh = RTE_MAX_ETHPORTS;
	r->want_role = -1;
	r->run = (uint32_t)getpid();
	return r->rd != NULL && r->vf.rx != NULL && r->vhost.rx != NULL &&
	       r->vf.seen != NULL && r->vhost.seen != NULL ? 0 : -1;
}

static void
rh_free(struct rh *r)
{
	free(r->rd);
	free(r->vf.rx);
	free(r->vhost.rx);
	free(r->vf.seen);
	free(r->vhost.seen);
}

/* EAL leaves its runtime folder behind (flat: config, sockets, fbarrays). */
static void
rh_rm_runtime_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Checks before touching anything: lcores, interface name. */
static int
rh_preflight(const struct rh *r)
{
	if (rte_lcore_count() < 2) {
		printf("needs 2 lcores (e.g. -l 0-1): the main one and a worker\n");
		return -1;
	}
	if (if_nametoindex(r->opts.iface) != 0) {
		printf("interface %s exists already (another run?): choose one with --iface\n",
		       r->opts.iface);
		return -1;
	}
	return 0;
}

/* 0: PASS, 1: FAIL, 2: the rig could not be set up. */
static int
rh_rehearse(struct rh *r)
{
	int ret;

	if (rh_alloc(r) != 0 || rh_preflight(r) != 0)
		return 2;
	printf("Rehearsing %u live migrations: trigger %s, %u ms on the standby\n",
	       r->opts.rounds, rh_trigger_name[r->opts.trigger], r->opts.away_ms);
	ret = rh_vf_open(r) != 0 || rh_rig_setup(r) != 0 ? 2 : 0;
	if (ret == 0)
		rh_run(r);
	if (r->vf_fd >= 0)
		rh_vf_close(r);
	rh_rig_close(r);
	return ret == 0 ? rh_report(r) : ret;
}

int
main(int argc, char **argv)
{
	char runtime_dir[PATH_MAX];
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	strlcpy(runtime_dir, rte_eal_get_runtime_dir(), sizeof(runtime_dir));
	argc -= ret;
	argv += ret;
	rte_ether_unformat_addr(RH_MAC_STR, &rh_mac);
	signal(SIGINT, rh_on_signal);
	signal(SIGTERM, rh_on_signal);
	ret = rh_parse(&rh.opts, argc, argv);
	if (ret == 0)
		ret = rh_rehearse(&rh);
	else
		ret = ret > 0 ? 0 : 2;   /* --help: nothing to run */
	rh_free(&rh);
	rte_eal_cleanup();
	rh_rm_runtime_dir(runtime_dir);
	return ret;
}
