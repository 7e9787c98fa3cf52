/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * failover-fwd: a forwarding loop in the spirit of DPDK's examples/skeleton
 * over a failover port, printing its path changes as they happen.
 *
 * Ports are the ethdev ports nobody owns (a failover port's sub-ports are
 * owned by it, so they are not seen here): with one port, what it receives
 * is sent back out of it; with two, each one's packets go out of the other.
 *
 * Path changes: the failover port raises RTE_ETH_EVENT_INTR_LSC only when
 * its own link goes up or down (no sub-port can transmit, or one can
 * again); a move between primary and standby keeps the link up, so the
 * main loop also asks rte_pmd_failover_active_path() every --check bursts.
 *
 * Idle: with Rx interrupts (intr_conf.rxq, when every port's sub-ports have
 * them: net_tap, virtio-user, VFs), after IDLE_ROUNDS empty rounds the loop
 * enables them, polls once more (a packet may have come just before) and
 * sleeps in rte_epoll_wait() until a port receives, at most
 * IDLE_WAIT_MS; without them it sleeps IDLE_SLEEP_US between polls.
 */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>

#include <rte_pmd_failover.h>

#define NB_MBUF 8191
#define MBUF_CACHE 250
#define RING_SIZE 1024
#define BURST 32
#define IDLE_SLEEP_US 100
#define IDLE_ROUNDS 16      /* empty rounds before the loop waits for an interrupt */
#define IDLE_WAIT_MS 10     /* longest wait: the time triggers and --duration go on */
#define MAX_PORTS 2

static volatile bool quit;
static bool lsc_seen;                  /* set by the LSC callback */

static struct {
	unsigned int check_every;      /* bursts between two path checks */
	double duration;               /* seconds; 0: until a signal */
	double down_at, up_at, leave_at; /* seconds; < 0: never */
	unsigned int seed;             /* packets sent on each port at start */
} opt = { .check_every = 64, .down_at = -1, .up_at = -1, .leave_at = -1 };

static struct {
	uint16_t id;
	bool failover;
	int role;                      /* last active path seen */
	bool intr;                     /* Rx interrupts of queue 0 in this thread's epoll */
	uint64_t rx, tx, dropped;
} ports[MAX_PORTS];
static unsigned int nb_ports;
static uint64_t sleeps, wakes;         /* interrupt waits, and those an event ended */
static uint64_t hz, start;

static const char *
role_name(int role)
{
	switch (role) {
	case RTE_PMD_FAILOVER_PRIMARY: return "primary";
	case RTE_PMD_FAILOVER_STANDBY: return "standby";
	case RTE_PMD_FAILOVER_NONE: return "none";
	default: return "?";
	}
}

/* "hh:mm:ss.mmm (+s.mmm s)": wall clock and time since the start. */
static void
stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03ld (+%.3f s)", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000000, (double)(rte_get_timer_cycles() - start) / hz);
}

static double
elapsed(void)
{
	return (double)(rte_get_timer_cycles() - start) / hz;
}

/* EAL interrupt thread: record only, the main loop prints. */
static int
lsc_cb(uint16_t port, enum rte_eth_event_type ev, void *arg, void *ret)
{
	RTE_SET_USED(port);
	RTE_SET_USED(ev);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	__atomic_store_n(&lsc_seen, true, __ATOMIC_RELEASE);
	return 0;
}

static void
check_paths(void)
{
	struct rte_eth_link link;
	char when[48];
	unsigned int i;
	int role;

	for (i = 0; i < nb_ports; i++) {
		if (!ports[i].failover)
			continue;
		role = rte_pmd_failover_active_path(ports[i].id);
		if (role == ports[i].role)
			continue;
		stamp(when, sizeof(when));
		if (rte_eth_link_get_nowait(ports[i].id, &link) != 0)
			link.link_status = RTE_ETH_LINK_DOWN;
		printf("%s port %u: active path: %s -> %s (link %s, %" PRIu64 " packets received)\n",
		       when, ports[i].id, role_name(ports[i].role), role_name(role),
		       link.link_status ? "up" : "down", ports[i].rx);
		fflush(stdout);
		ports[i].role = role;
	}
}

static int
port_setup(uint16_t port, struct rte_mempool *pool, bool rxq_intr)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	/* the failover port raises LSC; a port that does not would refuse it */
	conf.intr_conf.lsc = !!(*info.dev_flags & RTE_ETH_DEV_INTR_LSC);
	conf.intr_conf.rxq = rxq_intr;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port),
					     NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0 && conf.intr_conf.lsc)
		ret = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0 && conf.intr_conf.lsc)
		rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	return ret;
}

/*
 * With Rx interrupts if the port can (net_failover refuses to start when a
 * sub-port has none: -ENOTSUP), else without.
 */
static int
port_init(unsigned int i, struct rte_mempool *pool)
{
	uint16_t port = ports[i].id;
	int ret;

	ret = port_setup(port, pool, true);
	if (ret == 0)
		ports[i].intr = rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
							  RTE_INTR_EVENT_ADD, NULL) == 0;
	else
		ret = port_setup(port, pool, false);
	printf("port %u: Rx interrupts %s\n", port, ports[i].intr ? "on" : "off");
	return ret;
}

/* A few frames to get a loop going (a looped-back port receives what it sends). */
static void
seed(uint16_t port, struct rte_mempool *pool, unsigned int n)
{
	struct rte_mbuf *m[BURST];
	struct rte_ether_hdr *eh;
	unsigned int i, k, sent;

	while (n > 0) {
		k = RTE_MIN(n, (unsigned int)BURST);
		if (rte_pktmbuf_alloc_bulk(pool, m, k) != 0)
			return;
		for (i = 0; i < k; i++) {
			eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);
			if (eh == NULL)
				continue;  /* not with a default-sized pool */
			memset(eh, 0, 64);
			memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
			rte_eth_macaddr_get(port, &eh->src_addr);
			eh->ether_type = rte_cpu_to_be_16(0x88b5); /* local experimental */
		}
		sent = rte_eth_tx_burst(port, 0, m, k);
		rte_pktmbuf_free_bulk(m + sent, k - sent);
		n -= k;
	}
}

/* The primary sub-port of the first failover port (for the test options). */
static int
primary_of(uint16_t *sub)
{
	unsigned int i;

	for (i = 0; i < nb_ports; i++)
		if (ports[i].failover)
			return rte_pmd_failover_sub_port(ports[i].id, RTE_PMD_FAILOVER_PRIMARY,
							 sub);
	return -ENODEV;
}

/*
 * Path changes on demand: the primary's link down/up (as a cable would),
 * or the primary announced to leave (a planned unplug). A control action
 * of the test, done from the main loop for the example's sake.
 */
static void
triggers(void)
{
	double t = elapsed();
	uint16_t sub;
	int ret;

	if (opt.down_at >= 0 && t >= opt.down_at) {
		opt.down_at = -1;
		ret = primary_of(&sub);
		if (ret == 0)
			ret = rte_eth_dev_set_link_down(sub);
		printf("trigger: primary sub-port link down: %s\n", rte_strerror(-ret));
	}
	if (opt.up_at >= 0 && t >= opt.up_at) {
		opt.up_at = -1;
		ret = primary_of(&sub);
		if (ret == 0)
			ret = rte_eth_dev_set_link_up(sub);
		printf("trigger: primary sub-port link up: %s\n", rte_strerror(-ret));
	}
	if (opt.leave_at >= 0 && t >= opt.leave_at) {
		opt.leave_at = -1;
		ret = ports[0].failover ? rte_pmd_failover_primary_leave(ports[0].id) : -ENODEV;
		printf("trigger: primary leaves: %s\n", rte_strerror(-ret));
	}
	fflush(stdout);
}

/* One burst from port i to its peer; how many packets it moved. */
static uint16_t
forward(unsigned int i)
{
	unsigned int peer = nb_ports == 2 ? i ^ 1 : i;
	struct rte_mbuf *m[BURST];
	uint16_t n, sent;

	n = rte_eth_rx_burst(ports[i].id, 0, m, BURST);
	if (n == 0)
		return 0;
	sent = rte_eth_tx_burst(ports[peer].id, 0, m, n);
	rte_pktmbuf_free_bulk(m + sent, n - sent);
	ports[i].rx += n;
	ports[peer].tx += sent;
	ports[peer].dropped += n - sent;
	return n;
}

static void
intr_set(bool on)
{
	unsigned int i;

	for (i = 0; i < nb_ports; i++)
		if (on)
			rte_eth_dev_rx_intr_enable(ports[i].id, 0);
		else
			rte_eth_dev_rx_intr_disable(ports[i].id, 0);
}

/* Every port has Rx interrupts: the loop may wait for them. */
static bool
intr_mode(void)
{
	unsigned int i;

	for (i = 0; i < nb_ports; i++)
		if (!ports[i].intr)
			return false;
	return true;
}

/* Idle for a while: wait for a port's Rx interrupt, at most IDLE_WAIT_MS. */
static void
idle(void)
{
	struct rte_epoll_event ev[MAX_PORTS];
	unsigned int i;
	uint16_t moved = 0;
	int n;

	intr_set(true);
	/* what came between the last poll and the enable raised no event */
	for (i = 0; i < nb_ports; i++)
		moved += forward(i);
	if (moved == 0) {
		sleeps++;
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), IDLE_WAIT_MS);
		wakes += n > 0;
	}
	intr_set(false);
}

static void
main_loop(void)
{
	unsigned int bursts = 0, empty = 0, i;
	bool wait_intr = intr_mode();
	uint16_t moved;

	while (!quit && (opt.duration <= 0 || elapsed() < opt.duration)) {
		moved = 0;
		for (i = 0; i < nb_ports; i++)
			moved += forward(i);
		if (++bursts >= opt.check_every ||
		    __atomic_exchange_n(&lsc_seen, false, __ATOMIC_ACQ_REL)) {
			bursts = 0;
			check_paths();
			triggers();
		}
		empty = moved == 0 ? empty + 1 : 0;
		if (moved == 0 && !wait_intr) {
			rte_delay_us_sleep(IDLE_SLEEP_US);  /* no interrupt to wait for */
		} else if (empty >= IDLE_ROUNDS) {
			empty = 0;
			idle();
		}
	}
}

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	quit = true;
}

static void
usage(const char *prog)
{
	printf("%s [EAL options] -- [--check N] [--duration S] [--seed N]\n"
	       "    [--primary-down-at S] [--primary-up-at S] [--leave-at S]\n"
	       "  --check N            bursts between two active path checks (64)\n"
	       "  --duration S         stop after S seconds (default: on SIGINT)\n"
	       "  --seed N             send N frames on each port at start\n"
	       "  --primary-down-at S  set the primary sub-port's link down at S s\n"
	       "  --primary-up-at S    and up again at S s\n"
	       "  --leave-at S         rte_pmd_failover_primary_leave() at S s\n", prog);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "check", 1, NULL, 'c' }, { "duration", 1, NULL, 'd' },
		{ "seed", 1, NULL, 's' }, { "primary-down-at", 1, NULL, 'D' },
		{ "primary-up-at", 1, NULL, 'U' }, { "leave-at", 1, NULL, 'L' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': opt.check_every = RTE_MAX(1, atoi(optarg)); break;
		case 'd': opt.duration = atof(optarg); break;
		case 's': opt.seed = atoi(optarg); break;
		case 'D': opt.down_at = atof(optarg); break;
		case 'U': opt.up_at = atof(optarg); break;
		case 'L': opt.leave_at = atof(optarg); break;
		default: usage(argv[0]); return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_mempool *pool;
	unsigned int i;
	uint16_t port;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed\n");
	if (parse_args(argc - ret, argv + ret) != 0)
		rte_exit(EXIT_FAILURE, "bad options\n");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	hz = rte_get_timer_hz();
	start = rte_get_timer_cycles();

	RTE_ETH_FOREACH_DEV(port) {
		if (nb_ports == MAX_PORTS)
			rte_exit(EXIT_FAILURE, "more than %d ports\n", MAX_PORTS);
		ports[nb_ports].id = port;
		ports[nb_ports].failover = rte_pmd_failover_active_path(port) >= 0;
		ports[nb_ports].role = RTE_PMD_FAILOVER_NONE;
		nb_ports++;
	}
	if (nb_ports == 0)
		rte_exit(EXIT_FAILURE, "no port (give a net_failover --vdev)\n");
	pool = rte_pktmbuf_pool_create("fwd_pool", NB_MBUF * nb_ports, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL)
		rte_exit(EXIT_FAILURE, "cannot create the mbuf pool\n");
	for (i = 0; i < nb_ports; i++) {
		ret = port_init(i, pool);
		if (ret != 0)
			rte_exit(EXIT_FAILURE, "port %u: set-up failed: %s\n", ports[i].id,
				 rte_strerror(-ret));
		if (rte_eth_dev_get_name_by_port(ports[i].id, name) != 0)
			strcpy(name, "?");
		printf("port %u: %s%s\n", ports[i].id, name, ports[i].failover ? " (failover)" : "");
	}
	printf("forwarding %s, path checked every %u bursts\n",
	       nb_ports == 2 ? "between the two ports" : "rx -> tx on one port", opt.check_every);
	fflush(stdout);
	for (i = 0; i < nb_ports; i++)
		seed(ports[i].id, pool, opt.seed);
	main_loop();
	check_paths();
	printf("idle: %" PRIu64 " interrupt waits, %" PRIu64 " ended by an Rx event\n", sleeps,
	       wakes);
	for (i = 0; i < nb_ports; i++) {
		printf("port %u: rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 "\n",
		       ports[i].id, ports[i].rx, ports[i].tx, ports[i].dropped);
		rte_eth_dev_stop(ports[i].id);
		rte_eth_dev_close(ports[i].id);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
