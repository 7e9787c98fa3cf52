/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * paths suite: the path rule alone (fo_paths_choose()), fed every
 * combination of the two sub-ports' states, links and pending events, and
 * checked against the rule as the NIC guide states it:
 *  - TX on the primary when it is ready (started, link up, not gone,
 *    leaving, dying or asking for a reset), else on the standby when it
 *    is, else nowhere;
 *  - every usable sub-port (started or draining, not gone or dying) is
 *    polled, and
 *    no other; the TX sub-port on every burst (rx_main);
 *  - with no TX path, the primary's side is the main one when usable.
 */

#include "ft_test.h"
#include "failover_private.h"

#define P_PORT 3
#define S_PORT 7

/* Every combination of the four event bits. */
#define NB_EVS 16
static const uint32_t ev_bits[] = { FO_EV_GONE, FO_EV_LEAVE, FO_EV_DYING, FO_EV_RESET };

struct sub_case {
	enum fo_sub_state state;
	bool link;
	uint32_t ev;
};

static void
sub_make(struct fo_sub *s, int role, uint16_t port, const struct sub_case *c)
{
	struct rte_eth_link link = { .link_status = c->link };

	memset(s, 0, sizeof(*s));
	s->role = role;
	s->state = c->state;
	s->port_id = c->state == FO_SUB_ABSENT ? FO_NO_PORT : port;
	s->ev = c->ev;
	fo_sub_link_set(s, &link);
}

/* The rule as documented, written out again, independently of the driver. */
static bool
spec_ready(const struct sub_case *c)
{
	return c->state == FO_SUB_STARTED && c->link &&
	       (c->ev & (FO_EV_GONE | FO_EV_LEAVE | FO_EV_DYING | FO_EV_RESET)) == 0;
}

static bool
spec_usable(const struct sub_case *c)
{
	return (c->state == FO_SUB_STARTED || c->state == FO_SUB_DRAINING) &&
	       (c->ev & (FO_EV_GONE | FO_EV_DYING)) == 0;
}

static int
check_one(const struct sub_case *pc, const struct sub_case *sc, unsigned int *n)
{
	struct fo_sub sub[FO_NB_SUBS];
	uint16_t want_role, want_tx;
	bool p_use = spec_usable(pc), s_use = spec_usable(sc);
	union fo_fp fp;

	sub_make(&sub[FO_PRIMARY], FO_PRIMARY, P_PORT, pc);
	sub_make(&sub[FO_STANDBY], FO_STANDBY, S_PORT, sc);
	fp = fo_paths_choose(sub);
	(*n)++;
	want_role = spec_ready(pc) ? FO_PRIMARY : spec_ready(sc) ? FO_STANDBY : FO_NONE;
	want_tx = want_role == FO_PRIMARY ? P_PORT : want_role == FO_STANDBY ? S_PORT : FO_NO_PORT;
#define CASE_FMT "primary state %d link %d ev %u, standby state %d link %d ev %u"
#define CASE_ARGS pc->state, pc->link, pc->ev, sc->state, sc->link, sc->ev
	TEST_ASSERT_EQUAL(fp.role, want_role, "wrong active role: " CASE_FMT, CASE_ARGS);
	TEST_ASSERT_EQUAL(fp.tx, want_tx, "wrong TX port: " CASE_FMT, CASE_ARGS);
	TEST_ASSERT_EQUAL(fp.rx_main == P_PORT || fp.rx_other == P_PORT, p_use,
			  "primary polled iff usable: " CASE_FMT, CASE_ARGS);
	TEST_ASSERT_EQUAL(fp.rx_main == S_PORT || fp.rx_other == S_PORT, s_use,
			  "standby polled iff usable: " CASE_FMT, CASE_ARGS);
	TEST_ASSERT(fp.rx_main != fp.rx_other || fp.rx_main == FO_NO_PORT,
		    "one port polled twice: " CASE_FMT, CASE_ARGS);
	TEST_ASSERT(fp.rx_main != FO_NO_PORT || fp.rx_other == FO_NO_PORT,
		    "a sparse path without a main one: " CASE_FMT, CASE_ARGS);
	if (want_role != FO_NONE)
		TEST_ASSERT_EQUAL(fp.rx_main, want_tx,
				  "the TX path is not polled first: " CASE_FMT, CASE_ARGS);
	else if (p_use)
		TEST_ASSERT_EQUAL(fp.rx_main, P_PORT,
				  "no TX: the primary's side is not main: " CASE_FMT, CASE_ARGS);
	return TEST_SUCCESS;
}

/* Every state, link and event combination of one sub-port. */
static unsigned int
cases(struct sub_case *c)
{
	unsigned int n = 0, e, b;
	uint32_t ev;
	int st, link;

	for (st = FO_SUB_ABSENT; st <= FO_SUB_STARTED; st++)
		for (link = 0; link <= 1; link++)
			for (e = 0; e < NB_EVS; e++) {
				for (ev = 0, b = 0; b < RTE_DIM(ev_bits); b++)
					if (e & (1u << b))
						ev |= ev_bits[b];
				c[n++] = (struct sub_case){ st, link, ev };
			}
	return n;
}

static int
test_rule_table(void)
{
	struct sub_case c[4 * 2 * NB_EVS];
	unsigned int nc = cases(c), i, j, n = 0;

	for (i = 0; i < nc; i++)
		for (j = 0; j < nc; j++)
			if (check_one(&c[i], &c[j], &n) != TEST_SUCCESS)
				return TEST_FAILED;
	TEST_ASSERT_EQUAL(n, 128 * 128, "not every combination was checked");
	printf("    %u combinations checked\n", n);
	return TEST_SUCCESS;
}

/* The lifecycle's order: each state has what the ones before it have. */
static int
test_state_order(void)
{
	struct sub_case c = { .link = true };
	struct fo_sub s;

	for (c.state = FO_SUB_ABSENT; c.state <= FO_SUB_STARTED; c.state++) {
		sub_make(&s, FO_PRIMARY, P_PORT, &c);
		TEST_ASSERT_EQUAL(fo_sub_usable(&s), c.state >= FO_SUB_DRAINING,
				  "usable in state %d", c.state);
		TEST_ASSERT(!fo_sub_ready(&s) || fo_sub_usable(&s),
			    "ready but not usable in state %d", c.state);
		TEST_ASSERT_EQUAL(fo_sub_ready(&s), c.state == FO_SUB_STARTED,
				  "ready in state %d", c.state);
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite paths_suite = {
	.suite_name = "the path rule, every combination of sub-port states",
	.no_eal = true,
	.unit_test_cases = {
		TEST_CASE(test_rule_table),
		TEST_CASE(test_state_order),
		TEST_CASES_END()
	}
};

FT_MAIN(paths_suite)
