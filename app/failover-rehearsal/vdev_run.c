/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's main lcore: waits that sleep, the triggers, the rounds.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include <rte_string_fns.h>

#include "rehearsal.h"
#include "rte_pmd_failover.h"

/*
 * Wait without spinning (the worker reads both far ends): with -l 0-1 the
 * EAL interrupt thread (events, alarms: where the failover does its work)
 * shares the main lcore's core.
 */
static void
rh_nap(struct rh *r)
{
	RTE_SET_USED(r);
	rte_delay_us_sleep(50);
}

void
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
	return 0;
}

static uint64_t
rh_arm(struct rh *r, int role)
{
	__atomic_store_n(&r->t_first, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->want_role, role, __ATOMIC_RELEASE);
	return rte_get_timer_cycles();
}

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

/* The counts of round i, copied by the worker (it owns the accountant). */
static int
rh_round_counts(struct rh *r, unsigned int i, struct rh_step_stats *s)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * RH_LIMIT_MS / 1000;
	uint32_t req = r->copy_req + 1;

	r->copy_step = i;
	__atomic_store_n(&r->copy_req, req, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->copy_done, __ATOMIC_ACQUIRE) != req) {
		if (rte_get_timer_cycles() > end) {
			printf("worker lcore stuck\n");
			memset(s, 0, sizeof(*s));
			return -1;
		}
		rh_nap(r);
	}
	*s = r->copy;
	return 0;
}


static void
rh_round_print(struct rh *r, unsigned int i)
{
	const struct rh_round *rd = &r->rd[i];
	char rel[32] = "      -   ";
	struct rh_step_stats s;
	uint64_t vf, vhost;

	rh_round_counts(r, i, &s);
	vf = s.path[RH_PATH_VF];
	vhost = s.path[RH_PATH_VIRTIO];
	if (r->opts.trigger != RH_TRIGGER_LINK)
		snprintf(rel, sizeof(rel), "%6.2f ms", rh_ms(rd->t_released));
	printf("round %3u/%u  standby %7.3f ms  released %s  primary %7.3f ms | sent %6" PRIu64
	       " = VF %6" PRIu64 " + vhost %6" PRIu64 " + lost %" PRId64,
	       i, r->opts.rounds, rh_ms(rd->t_standby), rel, rh_ms(rd->t_primary),
	       rh_load(&rd->offered), vf, vhost,
	       (int64_t)(rh_load(&rd->offered) - vf - vhost));
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
	rh_sleep_us(r, 100000);   /* the worker keeps draining the vhost end */
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	return ret;
}
