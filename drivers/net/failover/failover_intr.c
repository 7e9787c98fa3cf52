/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Rx interrupts of the failover port (intr_conf.rxq). Each failover Rx
 * queue's event fd, the one ethdev hands to the application
 * (rte_eth_dev_rx_intr_ctl_q(), rte_eth_dev_rx_intr_ctl_q_get_fd()), is an
 * epoll fd of our own, holding the same queue's interrupt fd of every
 * started sub-port: an epoll fd is readable while one of the fds it holds
 * is, and each wake-up of one of them (a packet on a tap queue, a vhost
 * kick on a virtio callfd) wakes whoever polls it, so the application's
 * epoll (edge-triggered, as EAL adds it) wakes when either sub-port's
 * queue receives. No thread relays anything and the fast path is
 * untouched; the application's fds stay across switches, sub-ports
 * joining and leaving: a sub-port's fds are added when it starts and
 * taken out before it stops (fo_intr_sub_add(), fo_intr_sub_del()).
 *
 * rx_queue_intr_enable/disable are forwarded to the queue of every started
 * sub-port (-ENOTSUP of a PMD whose fds signal every arrival unasked, as
 * net_tap, is no error), and a sub-port that starts while the application
 * has the queue enabled is enabled too. They take only intr_lock, which
 * the control path holds for no longer than those calls: the application
 * calls them from its lcore before and after each sleep.
 */

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_interrupts.h>

#include "failover_private.h"

static bool
fo_intr_wanted(const struct fo_priv *priv)
{
	return priv->dev->data->dev_conf.intr_conf.rxq != 0;
}

/* Take the application's registrations of our fds off its epolls. */
static void
fo_intr_unregister(struct fo_intr *in)
{
	if (in->h != NULL && in->nb > 0)
		rte_intr_free_epoll_fd(in->h);
}

static void
fo_intr_close_from(struct fo_intr *in, uint16_t from)
{
	uint16_t q;

	for (q = from; q < in->nb; q++) {
		close(in->ep[q]);
		in->ep[q] = -1;
		rte_intr_efds_index_set(in->h, q, -1);
	}
}

/*
 * After a configure (the port and its sub-ports stopped): one epoll fd per
 * Rx queue when the application asked for Rx interrupts, none otherwise.
 * The fds of queues kept stay (so do the application's registrations);
 * when queues go, the application registers again, as with other PMDs.
 */
int
fo_intr_configure(struct fo_priv *priv)
{
	struct rte_eth_dev *dev = priv->dev;
	struct fo_intr *in = &priv->intr;
	uint16_t nb = fo_intr_wanted(priv) ? dev->data->nb_rx_queues : 0, q;
	int ret = -ENOMEM;

	FO_LOCK_ASSERT(priv);
	if (nb == 0 && in->h == NULL)
		return 0;
	if (in->h == NULL) {
		in->h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
		if (in->h == NULL)
			goto fail;
		/* EXT: EAL reads nothing from our fds when they fire */
		if (rte_intr_type_set(in->h, RTE_INTR_HANDLE_EXT) != 0)
			goto fail;
		dev->intr_handle = in->h;
	}
	if (nb < in->nb) {
		fo_intr_unregister(in);
		fo_intr_close_from(in, nb);
	}
	for (q = in->nb; q < nb; q++) {
		in->ep[q] = epoll_create1(EPOLL_CLOEXEC);
		if (in->ep[q] < 0) {
			ret = -errno;
			in->nb = q;
			goto fail;
		}
		rte_intr_efds_index_set(in->h, q, in->ep[q]);
	}
	in->nb = nb;
	rte_intr_vec_list_free(in->h);
	rte_intr_nb_efd_set(in->h, nb);
	rte_intr_max_intr_set(in->h, nb + 1);
	if (nb > 0) {
		if (rte_intr_vec_list_alloc(in->h, "failover_intr_vec", nb) != 0)
			goto fail;
		for (q = 0; q < nb; q++)
			rte_intr_vec_list_index_set(in->h, q, RTE_INTR_VEC_RXTX_OFFSET + q);
	}
	memset(in->on, 0, sizeof(in->on));
	return 0;
fail:
	FO_LOG(ERR, "%s: cannot set up Rx interrupts: %s", dev->data->name, rte_strerror(-ret));
	fo_intr_uninit(priv);
	return ret;
}

/* Closing: our fds, the application's registrations, the handle. */
void
fo_intr_uninit(struct fo_priv *priv)
{
	struct fo_intr *in = &priv->intr;

	if (in->h == NULL)
		return;
	fo_intr_unregister(in);
	fo_intr_close_from(in, 0);
	in->nb = 0;
	rte_intr_vec_list_free(in->h);
	rte_intr_instance_free(in->h);
	in->h = NULL;
	priv->dev->intr_handle = NULL;
}

static int
fo_intr_sub_set(uint16_t port, uint16_t q, bool on)
{
	int ret = on ? rte_eth_dev_rx_intr_enable(port, q) : rte_eth_dev_rx_intr_disable(port, q);

	/* its fd signals every arrival unasked (net_tap) */
	return ret == -ENOTSUP ? 0 : ret;
}

/*
 * A sub-port started (the control lock held): its queues' interrupt fds
 * into our epoll fds, and enabled where the application enabled ours. A
 * sub-port with no interrupt fd for a queue cannot wake the application:
 * -ENOTSUP, it does not start (see "Interrupt mode" in the guide).
 */
int
fo_intr_sub_add(struct fo_priv *priv, struct fo_sub *s)
{
	struct fo_intr *in = &priv->intr;
	struct epoll_event ev = { .events = EPOLLIN };
	uint16_t q;
	int fd, ret = 0;

	FO_LOCK_ASSERT(priv);
	if (!fo_intr_wanted(priv) || in->nb == 0)
		return 0;
	for (q = 0; q < in->nb; q++) {
		fd = rte_eth_dev_rx_intr_ctl_q_get_fd(s->port_id, q);
		if (fd < 0) {
			FO_LOG(ERR, "%s: %s port %u (%s) has no Rx interrupt for queue %u "
			       "(intr_conf.rxq is set)", priv->dev->data->name,
			       fo_role_name[s->role], s->port_id,
			       rte_eth_devices[s->port_id].data->name, q);
			ret = -ENOTSUP;
			break;
		}
		ev.data.u32 = ((uint32_t)s->role << 16) | q;
		if (epoll_ctl(in->ep[q], EPOLL_CTL_ADD, fd, &ev) != 0 && errno != EEXIST) {
			ret = -errno;
			FO_LOG(ERR, "%s: %s port %u: queue %u's interrupt fd not added: %s",
			       priv->dev->data->name, fo_role_name[s->role], s->port_id, q,
			       strerror(errno));
			break;
		}
		in->sub_fd[s->role][q] = fd;
	}
	rte_spinlock_lock(&in->lock);
	in->armed[s->role] = s->port_id;
	for (q = 0; q < in->nb && ret == 0; q++)
		if (in->on[q / 64] & RTE_BIT64(q % 64))
			ret = fo_intr_sub_set(s->port_id, q, true);
	rte_spinlock_unlock(&in->lock);
	if (ret != 0)
		fo_intr_sub_del(priv, s);
	return ret;
}

/*
 * Its device is being removed (the guard, any thread): no enable/disable
 * reaches it from now on, none is still inside it on return.
 */
void
fo_intr_sub_disarm(struct fo_priv *priv, const struct fo_sub *s)
{
	rte_spinlock_lock(&priv->intr.lock);
	priv->intr.armed[s->role] = FO_NO_PORT;
	rte_spinlock_unlock(&priv->intr.lock);
}

/* A sub-port about to stop, or gone: its fds out of ours. */
void
fo_intr_sub_del(struct fo_priv *priv, struct fo_sub *s)
{
	struct fo_intr *in = &priv->intr;
	uint16_t q;

	fo_intr_sub_disarm(priv, s);
	for (q = 0; q < FO_MAX_QUEUES; q++) {
		if (in->sub_fd[s->role][q] < 0)
			continue;
		/* a port destroyed under us closed its fds: already out (ENOENT, EBADF) */
		if (q < in->nb)
			epoll_ctl(in->ep[q], EPOLL_CTL_DEL, in->sub_fd[s->role][q], NULL);
		in->sub_fd[s->role][q] = -1;
	}
}

void
fo_intr_init(struct fo_priv *priv)
{
	struct fo_intr *in = &priv->intr;
	unsigned int r, q;

	rte_spinlock_init(&in->lock);
	for (r = 0; r < FO_NB_SUBS; r++) {
		in->armed[r] = FO_NO_PORT;
		for (q = 0; q < FO_MAX_QUEUES; q++)
			in->sub_fd[r][q] = -1;
	}
	for (q = 0; q < FO_MAX_QUEUES; q++)
		in->ep[q] = -1;
}

static int
fo_rx_queue_intr_set(struct rte_eth_dev *dev, uint16_t qid, bool on)
{
	struct fo_intr *in = &fo_priv(dev)->intr;
	unsigned int r;
	int ret = 0, r1;

	rte_spinlock_lock(&in->lock);
	if (qid >= in->nb) {
		rte_spinlock_unlock(&in->lock);
		return -ENOTSUP;  /* intr_conf.rxq not set */
	}
	if (on)
		in->on[qid / 64] |= RTE_BIT64(qid % 64);
	else
		in->on[qid / 64] &= ~RTE_BIT64(qid % 64);
	for (r = 0; r < FO_NB_SUBS; r++)
		if (in->armed[r] != FO_NO_PORT) {
			r1 = fo_intr_sub_set(in->armed[r], qid, on);
			ret = ret != 0 ? ret : r1;
		}
	rte_spinlock_unlock(&in->lock);
	return ret;
}

int
fo_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_rx_queue_intr_set(dev, qid, true);
}

int
fo_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	return fo_rx_queue_intr_set(dev, qid, false);
}
