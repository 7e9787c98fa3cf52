/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * rte_flow on the failover port. A rule is kept in priv, in creation
 * order, as a deep copy of its attributes, pattern and actions
 * (rte_flow_conv()) with the handle each sub-port gave for it, and applied
 * to every present sub-port:
 *  - validate and create go to both; a refusal is the failover port's,
 *    its message naming the sub-port ("standby port 2 refused the rule:
 *    ..."), and a create undoes the handles taken so far. With the devarg
 *    flow_partial=1 a rule one sub-port refuses is kept on the other (the
 *    rule records which sub-ports hold it), refused only when none takes it;
 *  - destroy and flush go to every sub-port holding the rule; query of a
 *    COUNT action sums the sub-ports holding it (plus what sub-ports that
 *    left in order counted), any other action is asked of the active one;
 *  - isolate goes to both, undone on a refusal, and is replayed.
 * A sub-port that joins gets isolated mode and then every rule, in
 * creation order (fo_flow_replay(), from the lifecycle's replay); one it
 * refuses makes the adoption fail, unless flow_partial=1. A sub-port that
 * leaves in order has its rules destroyed (counters folded first); one
 * gone or dying has its handles dropped without a call.
 * Everything runs under the control lock. Calls go down only: to nothing
 * of the driver's but the role names.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_flow.h>
#include <rte_flow_driver.h>

#include "failover_private.h"

/* A refusal is an error, or with flow_partial=1 a warning. */
#define FO_FLOW_LOG(partial, fmt, ...) \
	rte_log((partial) ? RTE_LOG_WARNING : RTE_LOG_ERR, failover_logtype, \
		"net_failover: " fmt "\n", ##__VA_ARGS__)

struct rte_flow {
	TAILQ_ENTRY(rte_flow) next;
	struct rte_flow *sub[FO_NB_SUBS];  /* the sub-port's handle; NULL: not on it */
	uint16_t port[FO_NB_SUBS];         /* the port that gave it */
	uint64_t hits, bytes;              /* COUNT of sub-ports that left in order */
	struct rte_flow_conv_rule rule;    /* points into what follows */
};

/* The composed message of the last refusal, per thread (rte_flow_error keeps a pointer). */
static __thread char fo_flow_msg[256];

/* The list, set up on first use (priv is zeroed at allocation). */
static struct fo_flow_list *
fo_flows(struct fo_priv *priv)
{
	if (!priv->flows_init) {
		TAILQ_INIT(&priv->flows);
		priv->flows_init = true;
	}
	return &priv->flows;
}

/* A sub-port's refusal as the failover port's: the sub-port named. */
static int
fo_flow_refused(const struct fo_sub *s, int code, const struct rte_flow_error *e,
		bool keep_cause, struct rte_flow_error *error)
{
	if (code == 0)
		code = EIO;
	snprintf(fo_flow_msg, sizeof(fo_flow_msg), "%s port %u refused the rule: %s",
		 fo_role_name[s->role], s->port_id,
		 e->message != NULL ? e->message : rte_strerror(code));
	return rte_flow_error_set(error, code, e->type != RTE_FLOW_ERROR_TYPE_NONE ? e->type :
				  RTE_FLOW_ERROR_TYPE_UNSPECIFIED,
				  keep_cause ? e->cause : NULL, fo_flow_msg);
}

/* Whether the sub-port in role r still is the port that gave the handle. */
static bool
fo_flow_live(const struct fo_priv *priv, const struct rte_flow *flow, int r)
{
	const struct fo_sub *s = &priv->sub[r];

	return flow->sub[r] != NULL && fo_sub_state(s) != FO_SUB_ABSENT &&
	       s->port_id == flow->port[r] &&
	       !(fo_sub_ev(s) & (FO_EV_GONE | FO_EV_DYING));
}

static const struct rte_flow_action *
fo_flow_count_action(const struct rte_flow *flow)
{
	const struct rte_flow_action *a;

	for (a = flow->rule.actions; a->type != RTE_FLOW_ACTION_TYPE_END; a++)
		if (a->type == RTE_FLOW_ACTION_TYPE_COUNT)
			return a;
	return NULL;
}

static struct rte_flow *
fo_flow_alloc(const struct rte_flow_attr *attr, const struct rte_flow_item pattern[],
	      const struct rte_flow_action actions[], struct rte_flow_error *error)
{
	const struct rte_flow_conv_rule src = {
		.attr_ro = attr, .pattern_ro = pattern, .actions_ro = actions,
	};
	struct rte_flow *flow;
	int size, ret;

	size = rte_flow_conv(RTE_FLOW_CONV_OP_RULE, NULL, 0, &src, error);
	if (size < 0)
		return NULL;
	flow = calloc(1, offsetof(struct rte_flow, rule) + size);
	if (flow == NULL) {
		rte_flow_error_set(error, ENOMEM, RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
				   "failover: no memory for the rule's copy");
		return NULL;
	}
	ret = rte_flow_conv(RTE_FLOW_CONV_OP_RULE, &flow->rule, size, &src, error);
	if (ret < 0 || ret > size) {
		free(flow);
		return NULL;
	}
	return flow;
}

/* Destroy the handle of role r (folding its counters); the handle stays on failure. */
static int
fo_flow_sub_destroy(struct fo_priv *priv, struct rte_flow *flow, int r, bool fold,
		    struct rte_flow_error *error)
{
	const struct rte_flow_action *count = fold ? fo_flow_count_action(flow) : NULL;
	struct rte_flow_query_count c = { .reset = 0 };
	struct rte_flow_error e = { .type = RTE_FLOW_ERROR_TYPE_NONE };
	int ret;

	if (!fo_flow_live(priv, flow, r)) {
		flow->sub[r] = NULL;
		return 0;
	}
	if (count != NULL && rte_flow_query(flow->port[r], flow->sub[r], count, &c, &e) == 0) {
		flow->hits += c.hits_set ? c.hits : 0;
		flow->bytes += c.bytes_set ? c.bytes : 0;
	}
	ret = rte_flow_destroy(flow->port[r], flow->sub[r], &e);
	if (ret != 0)
		return fo_flow_refused(&priv->sub[r], -ret, &e, false, error);
	flow->sub[r] = NULL;
	return 0;
}

static int
fo_flow_validate(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
		 const struct rte_flow_item pattern[], const struct rte_flow_action actions[],
		 struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_flow_error e;
	struct fo_sub *s;
	int ret = 0, first = 0, ok = 0;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
		ret = rte_flow_validate(s->port_id, attr, pattern, actions, &e);
		if (ret == 0) {
			ok++;
			continue;
		}
		if (first == 0)
			first = fo_flow_refused(s, -ret, &e, true, error);
		if (!priv->args.flow_partial)
			break;
	}
	fo_unlock(priv);
	/* with flow_partial=1 one sub-port taking it is enough */
	if (first != 0 && (!priv->args.flow_partial || ok == 0))
		return first;
	return 0;
}

static struct rte_flow *
fo_flow_create(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
	       const struct rte_flow_item pattern[], const struct rte_flow_action actions[],
	       struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_flow_error e;
	struct rte_flow *flow;
	struct fo_sub *s;
	int ret = 0, code, taken = 0, r;

	flow = fo_flow_alloc(attr, pattern, actions, error);
	if (flow == NULL)
		return NULL;
	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
		flow->sub[s->role] = rte_flow_create(s->port_id, attr, pattern, actions, &e);
		if (flow->sub[s->role] != NULL) {
			flow->port[s->role] = s->port_id;
			taken++;
			continue;
		}
		code = rte_errno;
		/* the cause points into the application's own pattern or actions */
		ret = fo_flow_refused(s, code, &e, true, error);
		FO_FLOW_LOG(priv->args.flow_partial, "%s: %s%s", dev->data->name,
		       fo_flow_msg, priv->args.flow_partial ? " (flow_partial=1)" : "");
		if (!priv->args.flow_partial)
			break;
	}
	if (ret != 0 && (!priv->args.flow_partial || taken == 0)) {
		for (r = FO_NB_SUBS - 1; r >= 0; r--)
			if (flow->sub[r] != NULL &&
			    rte_flow_destroy(flow->port[r], flow->sub[r], &e) != 0)
				FO_LOG(ERR, "%s: %s port %u: rule not undone: %s", dev->data->name,
				       fo_role_name[r], flow->port[r],
				       e.message != NULL ? e.message : "");
		fo_unlock(priv);
		free(flow);
		rte_errno = -ret;
		return NULL;
	}
	TAILQ_INSERT_TAIL(fo_flows(priv), flow, next);
	fo_unlock(priv);
	return flow;
}

static int
fo_flow_destroy(struct rte_eth_dev *dev, struct rte_flow *flow, struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret = 0, r, rr;

	if (flow == NULL)
		return rte_flow_error_set(error, EINVAL, RTE_FLOW_ERROR_TYPE_HANDLE, NULL,
					  "failover: no rule");
	fo_lock(priv);
	/* a rule not destroyed everywhere stays, with the handles left */
	for (r = FO_NB_SUBS - 1; r >= 0; r--) {
		rr = fo_flow_sub_destroy(priv, flow, r, false, error);
		ret = ret != 0 ? ret : rr;
	}
	if (ret == 0) {
		TAILQ_REMOVE(fo_flows(priv), flow, next);
		free(flow);
	}
	fo_unlock(priv);
	return ret;
}

/*
 * Every rule goes, in reverse creation order; a sub-port that fails to
 * destroy one is flushed, and the handles are gone whatever happens (as
 * rte_flow_flush() has it).
 */
static int
fo_flow_flush_all(struct fo_priv *priv, struct rte_flow_error *error)
{
	struct rte_flow_error e;
	struct rte_flow *flow;
	bool failed[FO_NB_SUBS] = { false };
	int ret = 0, rr, r;

	while ((flow = TAILQ_LAST(fo_flows(priv), fo_flow_list)) != NULL) {
		for (r = FO_NB_SUBS - 1; r >= 0; r--) {
			rr = fo_flow_sub_destroy(priv, flow, r, false, error);
			failed[r] |= rr != 0;
			ret = ret != 0 ? ret : rr;
		}
		TAILQ_REMOVE(fo_flows(priv), flow, next);
		free(flow);
	}
	for (r = 0; r < FO_NB_SUBS; r++)
		if (failed[r] && rte_flow_flush(priv->sub[r].port_id, &e) != 0)
			FO_LOG(ERR, "%s: %s port %u keeps rules it could not flush: %s",
			       priv->dev->data->name, fo_role_name[r], priv->sub[r].port_id,
			       e.message != NULL ? e.message : "");
	return ret;
}

static int
fo_flow_flush(struct rte_eth_dev *dev, struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_flow_flush_all(priv, error);
	fo_unlock(priv);
	return ret;
}

/* COUNT: the sum of the sub-ports holding the rule and of those that left. */
static int
fo_flow_query_count(struct fo_priv *priv, struct rte_flow *flow,
		    const struct rte_flow_action *action, struct rte_flow_query_count *out,
		    struct rte_flow_error *error)
{
	struct rte_flow_query_count c;
	struct rte_flow_error e;
	int r, ret;

	out->hits = flow->hits;
	out->bytes = flow->bytes;
	out->hits_set = 1;
	out->bytes_set = 1;
	for (r = 0; r < FO_NB_SUBS; r++) {
		if (!fo_flow_live(priv, flow, r))
			continue;
		c = (struct rte_flow_query_count){ .reset = out->reset };
		e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
		ret = rte_flow_query(flow->port[r], flow->sub[r], action, &c, &e);
		if (ret != 0)
			return fo_flow_refused(&priv->sub[r], -ret, &e, false, error);
		out->hits += c.hits_set ? c.hits : 0;
		out->bytes += c.bytes_set ? c.bytes : 0;
		out->hits_set &= c.hits_set;
		out->bytes_set &= c.bytes_set;
	}
	if (out->reset)
		flow->hits = flow->bytes = 0;
	return 0;
}

static int
fo_flow_query(struct rte_eth_dev *dev, struct rte_flow *flow,
	      const struct rte_flow_action *action, void *data, struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_flow_error e = { .type = RTE_FLOW_ERROR_TYPE_NONE };
	union fo_fp fp;
	int r, ret;

	if (flow == NULL || action == NULL || data == NULL)
		return rte_flow_error_set(error, EINVAL, RTE_FLOW_ERROR_TYPE_UNSPECIFIED, NULL,
					  "failover: rule, action and data needed");
	fo_lock(priv);
	if (action->type == RTE_FLOW_ACTION_TYPE_COUNT) {
		ret = fo_flow_query_count(priv, flow, action, data, error);
		fo_unlock(priv);
		return ret;
	}
	/* anything else: the active sub-port, else the first holding the rule */
	fp.word = __atomic_load_n(&priv->fp.word, __ATOMIC_ACQUIRE);
	r = fp.role < FO_NB_SUBS && fo_flow_live(priv, flow, fp.role) ? fp.role : -1;
	if (r < 0)
		for (r = 0; r < FO_NB_SUBS && !fo_flow_live(priv, flow, r); r++)
			;
	if (r == FO_NB_SUBS)
		ret = rte_flow_error_set(error, ENODEV, RTE_FLOW_ERROR_TYPE_HANDLE, flow,
					 "failover: no sub-port holds the rule");
	else if ((ret = rte_flow_query(flow->port[r], flow->sub[r], action, data, &e)) != 0)
		ret = fo_flow_refused(&priv->sub[r], -ret, &e, false, error);
	fo_unlock(priv);
	return ret;
}

static int
fo_flow_isolate(struct rte_eth_dev *dev, int set, struct rte_flow_error *error)
{
	struct fo_priv *priv = fo_priv(dev);
	struct rte_flow_error e;
	struct fo_sub *s, *done;
	int ret = 0;

	fo_lock(priv);
	FO_FOREACH_SUB(priv, s) {
		e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
		ret = rte_flow_isolate(s->port_id, set, &e);
		if (ret != 0)
			break;
	}
	if (ret != 0) {
		ret = fo_flow_refused(s, -ret, &e, false, error);
		snprintf(fo_flow_msg, sizeof(fo_flow_msg), "%s port %u refused isolated mode %s: %s",
			 fo_role_name[s->role], s->port_id, set ? "on" : "off",
			 e.message != NULL ? e.message : rte_strerror(-ret));
		FO_LOG(ERR, "%s: %s", dev->data->name, fo_flow_msg);
		for (done = &priv->sub[0]; done < s; done++)
			if (fo_sub_state(done) != FO_SUB_ABSENT)
				rte_flow_isolate(done->port_id, !set, &e);
	} else {
		priv->flow_isolated = !!set;
	}
	fo_unlock(priv);
	return ret;
}

static const struct rte_flow_ops fo_flow_ops = {
	.validate = fo_flow_validate,
	.create = fo_flow_create,
	.destroy = fo_flow_destroy,
	.flush = fo_flow_flush,
	.query = fo_flow_query,
	.isolate = fo_flow_isolate,
};

int
fo_flow_ops_get(struct rte_eth_dev *dev, const struct rte_flow_ops **ops)
{
	RTE_SET_USED(dev);
	*ops = &fo_flow_ops;
	return 0;
}

/*
 * A joining sub-port (adopted, or reset on its request): handles of an
 * earlier port in the role are stale (it was closed, or reset) and dropped;
 * isolated mode, then every rule in creation order. Strict: a refusal
 * undoes what this port took and fails its adoption. flow_partial=1: the
 * rule stays on the other sub-port only.
 */
int
fo_flow_replay(struct fo_priv *priv, struct fo_sub *s)
{
	const char *name = priv->dev->data->name;
	struct rte_flow_error e;
	struct rte_flow *flow, *undo;
	unsigned int n = 0;
	int r = s->role, code;

	FO_LOCK_ASSERT(priv);
	TAILQ_FOREACH(flow, fo_flows(priv), next)
		flow->sub[r] = NULL;
	e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
	if (priv->flow_isolated && (code = rte_flow_isolate(s->port_id, 1, &e)) != 0) {
		FO_LOG(ERR, "%s: %s port %u refuses isolated mode: %s", name, fo_role_name[r],
		       s->port_id, e.message != NULL ? e.message : rte_strerror(-code));
		return code;
	}
	TAILQ_FOREACH(flow, fo_flows(priv), next) {
		n++;
		e = (struct rte_flow_error){ .type = RTE_FLOW_ERROR_TYPE_NONE };
		flow->sub[r] = rte_flow_create(s->port_id, flow->rule.attr, flow->rule.pattern,
					       flow->rule.actions, &e);
		if (flow->sub[r] != NULL) {
			flow->port[r] = s->port_id;
			continue;
		}
		code = rte_errno != 0 ? rte_errno : EIO;
		FO_FLOW_LOG(priv->args.flow_partial,
		       "%s: %s port %u refused rule %u: %s%s", name, fo_role_name[r], s->port_id,
		       n, e.message != NULL ? e.message : rte_strerror(code),
		       priv->args.flow_partial ? " (kept on the other sub-port only)" : "");
		if (priv->args.flow_partial)
			continue;
		for (undo = TAILQ_PREV(flow, fo_flow_list, next); undo != NULL;
		     undo = TAILQ_PREV(undo, fo_flow_list, next))
			if (undo->sub[r] != NULL) {
				rte_flow_destroy(s->port_id, undo->sub[r], &e);
				undo->sub[r] = NULL;
			}
		if (priv->flow_isolated)
			rte_flow_isolate(s->port_id, 0, &e);
		return -code;
	}
	return 0;
}

/*
 * A sub-port leaves the role: in order, its rules are destroyed (counters
 * folded into the rules first), newest first; gone or dying, its handles
 * are dropped without calling it.
 */
void
fo_flow_sub_drop(struct fo_priv *priv, struct fo_sub *s)
{
	struct rte_flow_error e;
	struct rte_flow *flow;
	int r = s->role;

	FO_LOCK_ASSERT(priv);
	TAILQ_FOREACH_REVERSE(flow, fo_flows(priv), fo_flow_list, next) {
		if (flow->sub[r] == NULL)
			continue;
		if (rte_eth_dev_is_removed(flow->port[r]) ||
		    fo_flow_sub_destroy(priv, flow, r, true, &e) != 0)
			FO_LOG(DEBUG, "%s: %s port %u: rule dropped without destroy",
			       priv->dev->data->name, fo_role_name[r], flow->port[r]);
		flow->sub[r] = NULL;
	}
}

/* Closing: the sub-ports are gone already; the copies go. */
void
fo_flow_uninit(struct fo_priv *priv)
{
	struct rte_flow *flow;

	while ((flow = TAILQ_FIRST(fo_flows(priv))) != NULL) {
		TAILQ_REMOVE(fo_flows(priv), flow, next);
		free(flow);
	}
	priv->flow_isolated = false;
}
