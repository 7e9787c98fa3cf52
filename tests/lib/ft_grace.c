/* SPDX-License-Identifier: BSD-3-Clause */

/* The grace period against a burst held inside the primary: see ft_grace.h. */

#include <pthread.h>
#include <stdio.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "fosim.h"
#include "ft_grace.h"
#include "ft_test.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

static struct {
	ft_rx_fn *rx;
	uint16_t fo;
	int stop;
	int leave_done;
	unsigned int got, bad_port;
} g;

static int
grace_rx_loop(void *arg)
{
	struct rte_mbuf *pkts[FT_BURST];
	uint16_t n, i;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&g.stop, __ATOMIC_ACQUIRE)) {
		n = g.rx(pkts, FT_BURST);
		for (i = 0; i < n; i++)
			g.bad_port += pkts[i]->port != g.fo;
		__atomic_store_n(&g.got, g.got + n, __ATOMIC_RELEASE);
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return 0;
}

static void *
grace_leave_thread(void *arg)
{
	RTE_SET_USED(arg);
	rte_pmd_failover_primary_leave(g.fo);
	__atomic_store_n(&g.leave_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
ft_grace_leave_under_burst(const struct ft_rig *rig, ft_rx_fn *rx)
{
	struct rte_mbuf *held[8];
	unsigned int stops, ms;
	int done = -1, stops_held = -1, injected = -1;
	pthread_t th;
	uint16_t p;

	g.rx = rx;
	g.fo = rig->fo;
	g.leave_done = 0;
	g.got = g.bad_port = 0;
	TEST_ASSERT_SUCCESS(ft_wait_active(rig->fo, RTE_PMD_FAILOVER_PRIMARY, 2000), "no primary");
	TEST_ASSERT_SUCCESS(rte_pmd_failover_sub_port(rig->fo, RTE_PMD_FAILOVER_PRIMARY, &p),
			    "primary port");
	stops = fosim_op_count(p, "stop");
	TEST_ASSERT_SUCCESS(fosim_rx_hold(p, 1), "hold");
	__atomic_store_n(&g.stop, 0, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(grace_rx_loop, NULL,
						  rte_get_next_lcore(-1, 1, 0)), "launch");
	for (ms = 0; fosim_rx_held(p) == 0 && ms < 2000; ms++)
		ft_sleep_us(1000);
	if (fosim_rx_held(p) == 1 && pthread_create(&th, NULL, grace_leave_thread, NULL) == 0) {
		ft_sleep_us(100 * 1000);
		done = __atomic_load_n(&g.leave_done, __ATOMIC_ACQUIRE);
		stops_held = (int)(fosim_op_count(p, "stop") - stops);
		if (rte_pktmbuf_alloc_bulk(rig->pool, held, RTE_DIM(held)) == 0)
			injected = fosim_rx_inject(p, 0, held, RTE_DIM(held));
		/* said now: with the port gone under it, the held burst may crash once released */
		if (done != 0 || stops_held != 0) {
			printf("FAIL: the primary left (stopped %d times) while a burst was inside it\n",
			       stops_held);
			fflush(stdout);
		}
		fosim_rx_hold(p, 0);
		pthread_join(th, NULL);
	}
	fosim_rx_hold(p, 0);
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	TEST_ASSERT(done != -1, "the worker's burst did not reach the primary");
	TEST_ASSERT_EQUAL(done, 0, "the leave completed while a burst was inside the primary");
	TEST_ASSERT_EQUAL(stops_held, 0, "the primary was stopped while a burst was inside it");
	TEST_ASSERT_EQUAL(g.leave_done, 1, "the leave did not complete");
	TEST_ASSERT_EQUAL(fosim_op_count(p, "stop"), stops + 1, "the primary was not stopped");
	TEST_ASSERT_EQUAL(injected, (int)RTE_DIM(held), "frames for the held burst not queued");
	TEST_ASSERT_EQUAL(g.got, RTE_DIM(held), "the held burst's frames not received");
	TEST_ASSERT_EQUAL(g.bad_port, 0, "mbuf->port wrong in %u frames", g.bad_port);
	return TEST_SUCCESS;
}
