/* SPDX-License-Identifier: BSD-3-Clause */

/* Waits on the failover port, its sub-ports, links, counters: all sleep. */

#include <rte_ethdev.h>

#include "ft_stats.h"
#include "ft_wait.h"
#include "rte_pmd_failover.h"

int
ft_wait_until_nap(bool (*done)(const void *arg), const void *arg, unsigned int ms,
		  unsigned int nap_us)
{
	uint64_t end = ft_deadline(ms);

	while (!done(arg)) {
		if (ft_expired(end))
			return done(arg) ? 0 : -1;
		rte_delay_us_sleep(nap_us);
	}
	return 0;
}

int
ft_wait_until(bool (*done)(const void *arg), const void *arg, unsigned int ms)
{
	return ft_wait_until_nap(done, arg, ms, FT_NAP_US);
}

struct ft_count_arg {
	const unsigned int *count;
	unsigned int want;
};

static bool
ft_count_reached(const void *arg)
{
	const struct ft_count_arg *a = arg;

	return __atomic_load_n(a->count, __ATOMIC_ACQUIRE) >= a->want;
}

unsigned int
ft_wait_count(const unsigned int *count, unsigned int want, unsigned int ms)
{
	struct ft_count_arg a = { count, want };

	ft_wait_until(ft_count_reached, &a, ms);
	return __atomic_load_n(count, __ATOMIC_ACQUIRE);
}

struct ft_answer_arg {
	const uint32_t *done;
	uint32_t req;
};

static bool
ft_answered(const void *arg)
{
	const struct ft_answer_arg *a = arg;

	return __atomic_load_n(a->done, __ATOMIC_ACQUIRE) == a->req;
}

int
ft_wait_answer(uint32_t *req, const uint32_t *done, unsigned int ms, unsigned int nap_us)
{
	struct ft_answer_arg a = { done, *req + 1 };

	__atomic_store_n(req, a.req, __ATOMIC_RELEASE);
	return ft_wait_until_nap(ft_answered, &a, ms, nap_us);
}

struct ft_port_arg {
	uint16_t port;
	int role;
	bool want;
	uint16_t *sub;
	const char *name;
	uint64_t value;
};

static bool
ft_is_active(const void *arg)
{
	const struct ft_port_arg *a = arg;

	return rte_pmd_failover_active_path(a->port) == a->role;
}

int
ft_wait_active(uint16_t fo, int role, unsigned int ms)
{
	struct ft_port_arg a = { .port = fo, .role = role };

	return ft_wait_until(ft_is_active, &a, ms);
}

static bool
ft_sub_is(const void *arg)
{
	const struct ft_port_arg *a = arg;
	uint16_t p;

	if ((rte_pmd_failover_sub_port(a->port, a->role, &p) == 0) != a->want)
		return false;
	if (a->want && a->sub != NULL)
		*a->sub = p;
	return true;
}

int
ft_wait_sub(uint16_t fo, int role, bool want, unsigned int ms, uint16_t *port)
{
	struct ft_port_arg a = { .port = fo, .role = role, .want = want, .sub = port };

	return ft_wait_until(ft_sub_is, &a, ms);
}

int
ft_wait_primary(uint16_t fo, bool want, unsigned int ms)
{
	return ft_wait_sub(fo, RTE_PMD_FAILOVER_PRIMARY, want, ms, NULL);
}

static bool
ft_link_is(const void *arg)
{
	const struct ft_port_arg *a = arg;
	struct rte_eth_link link = { 0 };

	return rte_eth_link_get_nowait(a->port, &link) == 0 &&
	       (link.link_status == RTE_ETH_LINK_UP) == a->want;
}

int
ft_wait_link(uint16_t port, bool want, unsigned int ms)
{
	struct ft_port_arg a = { .port = port, .want = want };

	return ft_wait_until(ft_link_is, &a, ms);
}

static bool
ft_xstat_is(const void *arg)
{
	const struct ft_port_arg *a = arg;

	return ft_xstat(a->port, a->name) == a->value;
}

int
ft_wait_xstat(uint16_t port, const char *name, uint64_t want, unsigned int ms)
{
	struct ft_port_arg a = { .port = port, .name = name, .value = want };

	return ft_wait_until(ft_xstat_is, &a, ms);
}

static bool
ft_is_ready(const void *arg)
{
	const struct ft_port_arg *a = arg;
	struct ft_port_arg sb = { .want = true };

	return rte_pmd_failover_sub_port(a->port, RTE_PMD_FAILOVER_STANDBY, &sb.port) == 0 &&
	       ft_link_is(&sb) &&
	       rte_pmd_failover_active_path(a->port) == RTE_PMD_FAILOVER_PRIMARY;
}

int
ft_wait_ready(uint16_t fo, unsigned int ms)
{
	struct ft_port_arg a = { .port = fo };
	struct rte_eth_link link = { 0 };
	uint16_t sb;

	if (ft_wait_until(ft_is_ready, &a, ms) == 0)
		return 0;
	if (rte_pmd_failover_sub_port(fo, RTE_PMD_FAILOVER_STANDBY, &sb) == 0)
		rte_eth_link_get_nowait(sb, &link);
	printf("failover port not ready: active path %d, standby link %s\n",
	       rte_pmd_failover_active_path(fo), link.link_status ? "up" : "down");
	return -1;
}

uint64_t
ft_stamp_arm(struct ft_stamp *s, int role)
{
	__atomic_store_n(&s->t, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->want, role, __ATOMIC_RELEASE);
	return rte_get_timer_cycles();
}

static bool
ft_stamped(const void *arg)
{
	const struct ft_stamp *s = arg;

	return __atomic_load_n(&s->t, __ATOMIC_ACQUIRE) != 0;
}

uint64_t
ft_stamp_wait(struct ft_stamp *s, uint64_t t0, unsigned int ms)
{
	uint64_t t;

	if (ft_wait_until(ft_stamped, s, ms) != 0) {
		__atomic_store_n(&s->want, -1, __ATOMIC_RELEASE);
		return 0;
	}
	t = __atomic_load_n(&s->t, __ATOMIC_ACQUIRE);
	return t > t0 ? t - t0 : 1;
}
