/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's main lcore: the triggers, the rounds (waits: the test
 * library's, they sleep: the EAL interrupt thread shares this core).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include <rte_string_fns.h>

#include "rehearsal.h"
#include "rte_pmd_failover.h"

/* A phase of the round: ms plus a random jitter. */
static void
rh_phase(struct rh *r, unsigned int ms)
{
	RTE_SET_USED(r);
	ft_sleep_us(ms * 1000ULL + rte_rand_max(RH_JITTER_US));
}

struct rh_loops {
	const struct rh *r;
	uint64_t want;
};

static bool
rh_loops_done(const void *arg)
{
	const struct rh_loops *l = arg;

	return __atomic_load_n(&l->r->loops, __ATOMIC_ACQUIRE) >= l->want;
}

/* Wait until the worker has run two whole loops since now. */
static int
rh_worker_sync(struct rh *r)
{
	struct rh_loops l = { r, __atomic_load_n(&r->loops, __ATOMIC_ACQUIRE) + 2 };

	if (ft_wait_until(rh_loops_done, &l, RH_LIMIT_MS) != 0) {
		printf("worker lcore stuck\n");
		return -1;
	}
	return 0;
}

/* From t0 to the primary gone, 0: still there after RH_LIMIT_MS. */
static uint64_t
rh_wait_released(struct rh *r, uint64_t t0)
{
	uint64_t t;

	if (ft_wait_primary(r->rig.fo, false, RH_LIMIT_MS) != 0)
		return 0;
	t = rte_get_timer_cycles();
	return t > t0 ? t - t0 : 1;
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
		ret = rte_pmd_failover_primary_leave(r->rig.fo);
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

/* The counts of round i, copied by the worker (it owns the accountant). */
static int
rh_round_counts(struct rh *r, unsigned int i, struct rh_step_stats *s)
{
	r->copy_step = i;
	if (ft_wait_answer(&r->copy_req, &r->copy_done, RH_LIMIT_MS, FT_NAP_US) != 0) {
		printf("worker lcore stuck\n");
		memset(s, 0, sizeof(*s));
		return -1;
	}
	*s = r->copy;
	return 0;
}


/* One migration: leave, traffic on the standby, back, traffic on the VF. */
static int
rh_round(struct rh *r, unsigned int i)
{
	struct rh_round *rd = &r->rd[i];
	struct rh_step_stats s;
	uint64_t t0;

	__atomic_store_n(&r->tag_round, i, __ATOMIC_RELEASE);
	t0 = ft_stamp_arm(&r->first, RTE_PMD_FAILOVER_STANDBY);
	if (rh_trigger_leave(r) != 0)
		return -1;
	rd->t_standby = ft_stamp_wait(&r->first, t0, RH_LIMIT_MS);
	if (r->opts.trigger != RH_TRIGGER_LINK)
		rd->t_released = rh_wait_released(r, t0);
	rh_phase(r, r->opts.away_ms);
	t0 = ft_stamp_arm(&r->first, RTE_PMD_FAILOVER_PRIMARY);
	if (rh_trigger_back(r) != 0)
		return -1;
	rd->t_primary = ft_stamp_wait(&r->first, t0, RH_LIMIT_MS);
	rh_phase(r, r->opts.home_ms);
	/* close the round: later frames carry the next round's number */
	__atomic_store_n(&r->tag_round, i + 1, __ATOMIC_RELEASE);
	if (rh_worker_sync(r) != 0)
		return -1;
	rh_round_counts(r, i, &s);
	rh_round_report(r, i, &s);
	return rd->t_standby != 0 && rd->t_primary != 0 &&
	       (r->opts.trigger == RH_TRIGGER_LINK || rd->t_released != 0) ? 0 : -1;
}

/* Warm up on the primary, run the rounds, let the last frames land. */
int
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
	ft_sleep_us(100000);   /* the worker keeps draining the vhost end */
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	return ret;
}
