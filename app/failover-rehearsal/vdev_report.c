/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The vdev rig's report: a line per round (counts copied by the worker),
 * then the summary and criteria (after the worker stopped: the accountant
 * is read directly).
 */

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "ft_stats.h"
#include "rehearsal.h"

/* One line per round: its switch times and where its frames went. */
void
rh_round_report(const struct rh *r, unsigned int i, const struct rh_step_stats *s)
{
	const struct rh_round *rd = &r->rd[i];
	uint64_t vf = s->path[RH_PATH_VF], vhost = s->path[RH_PATH_VIRTIO];
	char rel[32] = "      -   ";

	if (r->opts.trigger != RH_TRIGGER_LINK)
		snprintf(rel, sizeof(rel), "%6.2f ms", ft_ms(rd->t_released));
	printf("round %3u/%u  standby %7.3f ms  released %s  primary %7.3f ms | sent %6" PRIu64
	       " = VF %6" PRIu64 " + vhost %6" PRIu64 " + lost %" PRId64,
	       i, r->opts.rounds, ft_ms(rd->t_standby), rel, ft_ms(rd->t_primary),
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

/* p50/p99/max of one time over the rounds (slots 1..rounds_done). */
static void
rh_print_pct(const struct rh *r, const char *what, size_t off)
{
	uint64_t v[r->rounds_done + 1];
	unsigned int i, n = 0;

	for (i = 1; i <= r->rounds_done; i++)
		if (*(const uint64_t *)((const char *)&r->rd[i] + off) != 0)
			v[n++] = *(const uint64_t *)((const char *)&r->rd[i] + off);
	ft_pct_print(what, v, n);
}

/* Frames sent on both paths, or twice on one. */
static uint64_t
rh_dups(const struct rh *r)
{
	struct rh_step_stats t;

	rh_acct_totals(&r->acct, &t);
	return t.dup;
}


struct rh_totals {
	uint64_t offered, refused, no_path, vf, vhost;
	int64_t lost;
	unsigned int switched;
};

static void
rh_sum(const struct rh *r, struct rh_totals *t)
{
	const struct rh_step_stats *s;
	const struct rh_round *rd;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < r->nb_slots; i++) {
		rd = &r->rd[i];
		t->offered += rd->offered;
		t->refused += rd->refused;
		t->no_path += rd->no_path;
		s = rh_acct_step(&r->acct, i);
		if (s != NULL) {
			t->vf += s->path[RH_PATH_VF];
			t->vhost += s->path[RH_PATH_VIRTIO];
		}
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

int
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
		 r->acct.late);
	ok &= rh_check(what, r->vf_sock_drops == 0, false);
	printf("RESULT: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
