/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Statistics: the sum over present sub-ports plus what was accumulated from
 * sub-ports that left. A sub-port's own counters may restart from zero (a
 * reset, a restart): each reading below the previous one folds the previous
 * one into a base, so what the application sees never goes backwards.
 */

#include <string.h>

#include "failover_private.h"

enum fo_xstat {
	FO_XS_PRIMARY_RX,
	FO_XS_PRIMARY_TX,
	FO_XS_STANDBY_RX,
	FO_XS_STANDBY_TX,
	FO_XS_NO_PATH_BURSTS,
	FO_XS_NO_PATH_PKTS,
	FO_XS_SWITCHES,
	FO_XS_ACTIVE,
	FO_XS_REFUSED,
	FO_XS_NB,
};

/* Names and ids are stable: new ones go at the end. */
static const char *const fo_xstat_names[FO_XS_NB] = {
	[FO_XS_PRIMARY_RX] = "primary_rx_packets",
	[FO_XS_PRIMARY_TX] = "primary_tx_packets",
	[FO_XS_STANDBY_RX] = "standby_rx_packets",
	[FO_XS_STANDBY_TX] = "standby_tx_packets",
	[FO_XS_NO_PATH_BURSTS] = "tx_no_path_bursts",
	[FO_XS_NO_PATH_PKTS] = "tx_no_path_packets",
	[FO_XS_SWITCHES] = "path_switches",
	[FO_XS_ACTIVE] = "active_path",
	[FO_XS_REFUSED] = "refused_ports",
};

#define FO_NB_COUNTERS (sizeof(struct rte_eth_stats) / sizeof(uint64_t))

static void
fo_counters_add(struct rte_eth_stats *to, const struct rte_eth_stats *from)
{
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;
	unsigned int i;

	for (i = 0; i < FO_NB_COUNTERS; i++)
		t[i] += f[i];
}

/* Take a reading of a sub-port's counters: one below its last reading restarted. */
static void
fo_sub_stats_take(struct fo_sub *s, const struct rte_eth_stats *cur)
{
	uint64_t *base = (uint64_t *)&s->st.base, *last = (uint64_t *)&s->st.last;
	const uint64_t *c = (const uint64_t *)cur;
	unsigned int i;

	for (i = 0; i < FO_NB_COUNTERS; i++)
		if (c[i] < last[i])
			base[i] += last[i];
	s->st.last = *cur;
}

/* Monotonic reading of a present sub-port: base + current. */
static void
fo_sub_stats_read(struct fo_sub *s, struct rte_eth_stats *out)
{
	struct rte_eth_stats cur;

	if (rte_eth_stats_get(s->port_id, &cur) == 0)
		fo_sub_stats_take(s, &cur);
	*out = s->st.base;
	fo_counters_add(out, &s->st.last);
}

/*
 * The last reading of a sub-port about to be destroyed under us, from any
 * thread (failover_guard.c, without the control lock): kept aside in
 * st.final until fo_stats_fold() takes it.
 */
void
fo_stats_final(struct fo_sub *s)
{
	if (rte_eth_stats_get(s->port_id, &s->st.final) == 0)
		__atomic_store_n(&s->st.final_set, true, __ATOMIC_RELEASE);
}

/*
 * A sub-port leaves: its counters go into the failover port's own. Read
 * now while it is there (live), else its last reading (the one taken just
 * before it was destroyed, if any).
 */
void
fo_stats_fold(struct fo_priv *priv, struct fo_sub *s, bool live)
{
	struct rte_eth_stats st;

	if (live)
		fo_sub_stats_read(s, &st);
	else if (__atomic_load_n(&s->st.final_set, __ATOMIC_ACQUIRE))
		fo_sub_stats_take(s, &s->st.final);
	st = s->st.base;
	fo_counters_add(&st, &s->st.last);
	fo_counters_add(&priv->acc, &st);
	priv->role_pkts[s->role][0] += st.ipackets;
	priv->role_pkts[s->role][1] += st.opackets;
	memset(&s->st, 0, sizeof(s->st));
}

int
fo_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_eth_stats st;
	struct fo_sub *s;

	fo_lock(priv);
	*stats = priv->acc;
	FO_FOREACH_SUB(priv, s) {
		fo_sub_stats_read(s, &st);
		fo_counters_add(stats, &st);
	}
	fo_unlock(priv);
	return 0;
}

int
fo_stats_reset(struct rte_eth_dev *dev)
{
	struct fo_priv *priv = fo_priv(dev);
	struct fo_txq *q;
	struct fo_sub *s;
	uint16_t i;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		rte_eth_stats_reset(s->port_id);
		memset(&s->st, 0, sizeof(s->st));
	}
	memset(&priv->acc, 0, sizeof(priv->acc));
	memset(priv->role_pkts, 0, sizeof(priv->role_pkts));
	priv->path_switches = 0;
	priv->refused = 0;
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		q = dev->data->tx_queues[i];
		if (q == NULL)
			continue;
		__atomic_store_n(&q->no_path_bursts, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&q->no_path_pkts, 0, __ATOMIC_RELAXED);
	}
	fo_unlock(priv);
	return 0;
}

int
fo_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		    unsigned int size)
{
	unsigned int i;

	RTE_SET_USED(dev);
	if (names == NULL || size < FO_XS_NB)
		return FO_XS_NB;
	for (i = 0; i < FO_XS_NB; i++)
		strlcpy(names[i].name, fo_xstat_names[i], sizeof(names[i].name));
	return FO_XS_NB;
}

/* Packets [rx, tx] through each role, departed sub-ports included (control lock). */
void
fo_stats_roles(struct fo_priv *priv, uint64_t pkts[FO_NB_SUBS][2])
{
	struct rte_eth_stats st;
	struct fo_sub *s;

	FO_LOCK_ASSERT(priv);
	memcpy(pkts, priv->role_pkts, sizeof(priv->role_pkts));
	FO_FOREACH_SUB(priv, s) {
		fo_sub_stats_read(s, &st);
		pkts[s->role][0] += st.ipackets;
		pkts[s->role][1] += st.opackets;
	}
}

static void
fo_xstats_fill(struct fo_priv *priv, uint64_t *v)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint64_t pkts[FO_NB_SUBS][2];
	struct fo_txq *q;
	uint16_t i;

	fo_stats_roles(priv, pkts);
	v[FO_XS_PRIMARY_RX] = pkts[FO_PRIMARY][0];
	v[FO_XS_PRIMARY_TX] = pkts[FO_PRIMARY][1];
	v[FO_XS_STANDBY_RX] = pkts[FO_STANDBY][0];
	v[FO_XS_STANDBY_TX] = pkts[FO_STANDBY][1];
	for (i = 0; i < data->nb_tx_queues; i++) {
		q = data->tx_queues[i];
		if (q == NULL)
			continue;
		v[FO_XS_NO_PATH_BURSTS] += __atomic_load_n(&q->no_path_bursts, __ATOMIC_RELAXED);
		v[FO_XS_NO_PATH_PKTS] += __atomic_load_n(&q->no_path_pkts, __ATOMIC_RELAXED);
	}
	v[FO_XS_SWITCHES] = priv->path_switches;
	v[FO_XS_ACTIVE] = priv->fp.role;
	v[FO_XS_REFUSED] = priv->refused;
}

int
fo_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	struct fo_priv *priv = fo_priv(dev);
	uint64_t v[FO_XS_NB] = { 0 };
	unsigned int i;

	if (xstats == NULL || n < FO_XS_NB)
		return FO_XS_NB;
	fo_lock(priv);
	fo_xstats_fill(priv, v);
	fo_unlock(priv);
	for (i = 0; i < FO_XS_NB; i++) {
		xstats[i].id = i;
		xstats[i].value = v[i];
	}
	return FO_XS_NB;
}

int
fo_xstats_reset(struct rte_eth_dev *dev)
{
	return fo_stats_reset(dev);
}
