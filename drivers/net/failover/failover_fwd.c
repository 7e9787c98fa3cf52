/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The one primitive every forwarded op goes through, fo_forward(), in the
 * shapes struct fo_fwd describes (failover_private.h): applied to each
 * present sub-port in role order, those done put back when one refuses.
 * And where read-only queries go (fo_query_sub()).
 */

#include <errno.h>
#include <string.h>

#include "failover_private.h"

/*
 * Put one sub-port back as it was before the op, after another refused;
 * saved: its snapshot was taken (a sub-port with nothing to read has
 * nothing to put back).
 */
static void
fo_undo(const struct fo_fwd *f, struct fo_sub *s, const void *val, const void *old,
	const union fo_snap *snap, bool saved)
{
	if (f->unset != NULL)
		f->unset(s, val);
	else if (f->restore != NULL && saved)
		f->restore(s, &snap[s->role]);
	else if (f->restore == NULL && old != NULL)
		f->set(s, old);
}

/*
 * Apply an op to each present sub-port in role order; when one refuses,
 * put those done back and return its error. The control lock is held.
 */
int
fo_forward(struct fo_priv *priv, const struct fo_fwd *f, const void *val, const void *old)
{
	union fo_snap snap[FO_NB_SUBS];
	bool saved[FO_NB_SUBS] = { false };
	struct fo_sub *s, *done;
	int ret = 0;

	FO_LOCK_ASSERT(priv);
	FO_FOREACH_SUB(priv, s) {
		if (f->save != NULL)
			saved[s->role] = f->save(s, &snap[s->role]) == 0;
		ret = f->set(s, val);
		if (ret != 0)
			break;
	}
	if (ret == 0)
		return 0;
	/* -ENOTSUP: ethdev tries some ops (modes off) and lets it pass */
	if (ret == -ENOTSUP)
		FO_LOG(INFO, "%s: %s port %u does not support %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, f->what);
	else
		FO_LOG(ERR, "%s: %s port %u refused %s: %s", priv->dev->data->name,
		       fo_role_name[s->role], s->port_id, f->what, rte_strerror(-ret));
	for (done = &priv->sub[0]; done < s; done++)
		if (fo_sub_state(done) != FO_SUB_ABSENT)
			fo_undo(f, done, val, old, snap, saved[done->role]);
	return ret;
}

/* An op that is only forwarded: one lock, one forward. */
int
fo_forward_op(struct rte_eth_dev *dev, const struct fo_fwd *f, const void *val,
	      const void *old)
{
	struct fo_priv *priv = fo_priv(dev);
	int ret;

	fo_lock(priv);
	ret = fo_forward(priv, f, val, old);
	fo_unlock(priv);
	return ret;
}

/* Read-only queries go to the active sub-port, else the first present. */
struct fo_sub *
fo_query_sub(struct fo_priv *priv)
{
	struct fo_sub *s;
	uint16_t role = priv->fp.role;

	if (role != FO_NONE && fo_sub_state(&priv->sub[role]) != FO_SUB_ABSENT)
		return &priv->sub[role];
	FO_FOREACH_SUB(priv, s)
		return s;
	return NULL;
}
