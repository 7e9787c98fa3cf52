/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * failover-create: a failover port created at run time, used and removed.
 *
 *   rte_dev_probe("net_failover1,primary=(...),standby=(...),mac=...")
 *   rte_eth_dev_get_port_by_name("net_failover1")
 *   configure, queues, start; send a few frames, receive what comes back
 *   stop; rte_dev_remove() (it closes the port, and the sub-ports it probed)
 *
 * Every return code is checked; the first failure ends the program with
 * the step that failed.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <rte_pmd_failover.h>

#define NB_PKTS 8
#define WAIT_MS 3000

/*
 * Two net_ring ports, each looped back on itself (what it sends, it
 * receives), probed by net_failover from its own device strings. net_ring
 * cannot change its MAC address (no mac_addr_set): no mac= here, the
 * failover port takes the sub-ports' own (all zeros for net_ring).
 */
#define DEFAULT_DEVARGS "net_failover1,primary=(net_ring_p1),standby=(net_ring_s1)"

#define CHECK(what, expr) do {						\
	int r_ = (expr);						\
	if (r_ < 0)							\
		rte_exit(EXIT_FAILURE, "%s failed: %s\n", what, rte_strerror(-r_)); \
	printf("%-40s ok\n", what);					\
} while (0)

static const char *
role_name(int role)
{
	return role == RTE_PMD_FAILOVER_PRIMARY ? "primary" :
	       role == RTE_PMD_FAILOVER_STANDBY ? "standby" : "none";
}

/* Up to ms milliseconds for the link to come up (the path to be chosen). */
static int
wait_link(uint16_t port, unsigned int ms)
{
	struct rte_eth_link link;
	int ret;

	for (; ms > 0; ms--) {
		ret = rte_eth_link_get_nowait(port, &link);
		if (ret != 0)
			return ret;
		if (link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_us_sleep(1000);
	}
	return -ETIMEDOUT;
}

static int
send_some(uint16_t port, struct rte_mempool *pool)
{
	struct rte_mbuf *m[NB_PKTS];
	struct rte_ether_hdr *eh;
	unsigned int i;
	uint16_t sent;
	int ret;

	ret = rte_pktmbuf_alloc_bulk(pool, m, NB_PKTS);
	if (ret != 0)
		return ret;
	for (i = 0; i < NB_PKTS; i++) {
		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m[i], 64);
		if (eh == NULL)
			continue;  /* not with a default-sized pool */
		memset(eh, 0, 64);
		memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
		rte_eth_macaddr_get(port, &eh->src_addr);
		eh->ether_type = rte_cpu_to_be_16(0x88b5);
	}
	sent = rte_eth_tx_burst(port, 0, m, NB_PKTS);
	rte_pktmbuf_free_bulk(m + sent, NB_PKTS - sent);
	printf("sent %u of %u frames\n", sent, NB_PKTS);
	return sent == NB_PKTS ? 0 : -EIO;
}

/*
 * What comes back within WAIT_MS: a looped-back sub-port returns what was
 * sent, a net_null one makes up a full burst; at least as many as sent.
 */
static int
receive_some(uint16_t port)
{
	struct rte_mbuf *m[32];
	unsigned int got = 0, ms;
	uint16_t n;

	for (ms = 0; ms < WAIT_MS && got < NB_PKTS; ms++) {
		n = rte_eth_rx_burst(port, 0, m, RTE_DIM(m));
		rte_pktmbuf_free_bulk(m, n);
		got += n;
		if (n == 0)
			rte_delay_us_sleep(1000);
	}
	printf("received %u frames back\n", got);
	return got >= NB_PKTS ? 0 : -EIO;
}

int
main(int argc, char **argv)
{
	const char *devargs = DEFAULT_DEVARGS;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct rte_mempool *pool;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port, sub;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed\n");
	if (argc - ret > 1)
		devargs = argv[ret + 1];  /* after "--": a devargs string of one's own */
	/* the port's name is the device name, the devargs' first field */
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(devargs, ","), devargs);
	pool = rte_pktmbuf_pool_create("create_pool", 1023, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL)
		rte_exit(EXIT_FAILURE, "cannot create the mbuf pool\n");

	printf("probing %s\n", devargs);
	CHECK("rte_dev_probe", rte_dev_probe(devargs));
	CHECK("rte_eth_dev_get_port_by_name", rte_eth_dev_get_port_by_name(name, &port));
	CHECK("rte_pmd_failover_sub_port(primary)",
	      rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_PRIMARY, &sub));
	printf("failover port %u (%s): primary is port %u\n", port, name, sub);
	CHECK("rte_pmd_failover_sub_port(standby)",
	      rte_pmd_failover_sub_port(port, RTE_PMD_FAILOVER_STANDBY, &sub));
	printf("failover port %u (%s): standby is port %u\n", port, name, sub);
	CHECK("rte_eth_dev_configure", rte_eth_dev_configure(port, 1, 1, &conf));
	CHECK("rte_eth_rx_queue_setup",
	      rte_eth_rx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL, pool));
	CHECK("rte_eth_tx_queue_setup",
	      rte_eth_tx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL));
	CHECK("rte_eth_dev_start", rte_eth_dev_start(port));
	CHECK("link up", wait_link(port, WAIT_MS));
	ret = rte_pmd_failover_active_path(port);
	CHECK("rte_pmd_failover_active_path", ret);
	printf("active path: %s\n", role_name(ret));
	CHECK("send", send_some(port, pool));
	CHECK("receive", receive_some(port));
	CHECK("rte_eth_dev_info_get", rte_eth_dev_info_get(port, &info));
	CHECK("rte_eth_dev_stop", rte_eth_dev_stop(port));
	CHECK("rte_dev_remove", rte_dev_remove(info.device));
	CHECK("port gone", rte_eth_dev_is_valid_port(port) ? -EEXIST : 0);
	CHECK("sub-ports gone", rte_eth_dev_count_avail() == 0 ? 0 : -EEXIST);
	rte_mempool_free(pool);
	CHECK("rte_eal_cleanup", rte_eal_cleanup());
	return 0;
}
