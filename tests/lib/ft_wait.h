/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Waits that sleep, never spin: with every core an lcore, EAL runs its
 * interrupt thread (events, alarms: where the failover does its work) on
 * the main lcore's core. Times are in EAL timer cycles unless named _ms/_us.
 */

#ifndef FT_WAIT_H
#define FT_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>

/* How long a wait sleeps between two looks at what it waits for. */
#define FT_NAP_US 20

static inline void
ft_sleep_us(uint64_t us)
{
	rte_delay_us_sleep(us);
}

/* The timer value ms from now, and whether it has passed. */
static inline uint64_t
ft_deadline(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

static inline bool
ft_expired(uint64_t deadline)
{
	return rte_get_timer_cycles() > deadline;
}

static inline double
ft_ms(uint64_t cycles)
{
	return cycles * 1000.0 / rte_get_timer_hz();
}

/* Until done(arg) or ms have passed, looking every nap_us: 0, or -1 on timeout. */
int ft_wait_until_nap(bool (*done)(const void *arg), const void *arg, unsigned int ms,
		      unsigned int nap_us);
/* The same, looking every FT_NAP_US. */
int ft_wait_until(bool (*done)(const void *arg), const void *arg, unsigned int ms);

/* Until a counter (read atomically) reaches want; returns its last value. */
unsigned int ft_wait_count(const unsigned int *count, unsigned int want, unsigned int ms);

/*
 * Ask another thread (it polls *req and sets *done to it once served) and
 * wait for its answer, looking every nap_us: 0, or -1 after ms.
 */
int ft_wait_answer(uint32_t *req, const uint32_t *done, unsigned int ms, unsigned int nap_us);

/* Until the failover port fo's active path is role (RTE_PMD_FAILOVER_*). */
int ft_wait_active(uint16_t fo, int role, unsigned int ms);

/*
 * Until fo's sub-port of the given role is there (want) or gone (!want);
 * when there, its port id goes to *port (if not NULL).
 */
int ft_wait_sub(uint16_t fo, int role, bool want, unsigned int ms, uint16_t *port);

/* ft_wait_sub() for the primary, the id not needed. */
int ft_wait_primary(uint16_t fo, bool want, unsigned int ms);

/* Until the link of port is up (want) or down. */
int ft_wait_link(uint16_t port, bool want, unsigned int ms);

/* Until the xstat of that name reads want. */
int ft_wait_xstat(uint16_t port, const char *name, uint64_t want, unsigned int ms);

/* Both sub-ports of fo ready: the primary carries TX, the standby's link is up. */
int ft_wait_ready(uint16_t fo, unsigned int ms);

/*
 * The first burst on a path: the control side arms a role and starts its
 * clock, the lcore that sends stamps the first burst it sent on that role
 * (it reads the active path just before the burst), the control side
 * waits for the stamp.
 */
struct ft_stamp {
	int want;                 /* role to stamp, or -1 */
	uint64_t t;               /* its first burst, timer cycles; 0: none yet */
};

#define FT_STAMP_INIT { .want = -1, .t = 0 }

/* Sender side, after a burst of which n were sent on role. */
static inline void
ft_stamp_hit(struct ft_stamp *s, int role, uint16_t n)
{
	if (n > 0 && role == __atomic_load_n(&s->want, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&s->want, -1, __ATOMIC_RELAXED);
		__atomic_store_n(&s->t, rte_get_timer_cycles(), __ATOMIC_RELEASE);
	}
}

/* Control side: arm role; returns the start time. */
uint64_t ft_stamp_arm(struct ft_stamp *s, int role);

/* Time from t0 to the stamped burst (at least 1), 0 (and disarmed) after ms. */
uint64_t ft_stamp_wait(struct ft_stamp *s, uint64_t t0, unsigned int ms);

#endif /* FT_WAIT_H */
