/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The host's far end: B frames at a fixed interval out of one interface (a
 * veth whose peer is a port of the guest's bridge), A frames counted as
 * they come in on the guest's taps, the tap naming the path. Taps vanish
 * (the source QEMU exits, a NIC is unplugged) and come back (the
 * destination QEMU): each is re-checked every 20 ms and reopened.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>

#include "peer.h"

struct far_tap {
	const struct peer_if *cfg;
	int fd, ifindex;
	int poll_idx;
	uint64_t frames, opens;
};

struct far_step {
	uint64_t first_seq, frames;
};

struct far {
	const struct peer_opts *o;
	int tx_fd, tx_ifindex;
	struct far_tap taps[PEER_MAX_IF];
	struct rh_acct a;
	struct rh_pace pace;
	bool sending;
	uint32_t step;
	uint64_t seq, refused;
	struct far_step *steps;         /* B frames sent per step */
	uint32_t nb_steps;
	uint64_t next_check;
	struct peer_io io;
};

/* ---- taps ---- */

static void
far_tap_check(struct far_tap *t)
{
	char extra[64];
	int idx;

	if (t->fd >= 0) {
		idx = (int)if_nametoindex(t->cfg->name);
		if (idx == t->ifindex)
			return;
		peer_pkt_close(&t->fd);
		peer_event("sniff-lost", t->cfg->name, NULL);
	}
	t->fd = peer_pkt_open(t->cfg->name, true, &t->ifindex);
	if (t->fd < 0)
		return;
	t->opens++;
	snprintf(extra, sizeof(extra), "\"path\":\"%s\",\"ifindex\":%d",
		 rh_path_name(t->cfg->path), t->ifindex);
	peer_event("sniff-open", t->cfg->name, extra);
}

/* A frames on one tap: those the guest sent come in (not PACKET_OUTGOING). */
static void
far_tap_read(struct far *f, struct far_tap *t)
{
	uint8_t buf[256];
	struct rh_tag tag;
	int ifindex, type, i;
	ssize_t n;

	for (i = 0; i < 256; i++) {
		n = peer_pkt_recv(t->fd, buf, sizeof(buf), &ifindex, &type);
		if (n < 0)
			break;
		if (type == PACKET_OUTGOING || ifindex != t->ifindex ||
		    rh_frame_decode(buf, n, &tag) != 0 || tag.dir != RH_DIR_A)
			continue;
		t->frames++;
		rh_acct_feed(&f->a, &tag, t->cfg->path, rh_now_ns(), f->step);
	}
}

/* ---- sending ---- */

static struct far_step *
far_step(struct far *f, uint32_t step)
{
	struct far_step *s;
	uint32_t n = f->nb_steps ? f->nb_steps : 16;

	if (step < f->nb_steps)
		return &f->steps[step];
	while (n <= step)
		n *= 2;
	s = realloc(f->steps, n * sizeof(*s));
	if (s == NULL)
		return NULL;
	memset(s + f->nb_steps, 0, (n - f->nb_steps) * sizeof(*s));
	f->steps = s;
	f->nb_steps = n;
	return &f->steps[step];
}

static int
far_send_one(struct far *f, uint64_t now)
{
	struct rh_tag tag = { .run = f->o->run, .dir = RH_DIR_B, .step = f->step,
			      .seq = f->seq, .ts_ns = now };
	struct far_step *s = far_step(f, f->step);
	uint8_t frame[RH_FRAME_LEN];
	size_t len;

	if (s == NULL)
		return -1;
	len = rh_frame_encode(frame, sizeof(frame), f->o->peer_mac, f->o->mac, &tag);
	if (f->tx_fd < 0 || peer_pkt_send(f->tx_fd, f->tx_ifindex, frame, len) != 0) {
		f->refused++;
		return -1;
	}
	if (s->frames++ == 0)
		s->first_seq = f->seq;
	f->seq++;
	return 0;
}

static void
far_send(struct far *f)
{
	uint64_t now = rh_now_ns();
	unsigned int due = rh_pace_due(&f->pace, now, PEER_BURST), i;

	for (i = 0; i < due && far_send_one(f, now) == 0; i++)
		;
	rh_pace_done(&f->pace, i);
	if (i < due)                        /* refused: try again next interval */
		rh_pace_done(&f->pace, 1);
}

static void
far_tx_check(struct far *f)
{
	if (f->tx_fd >= 0 && (int)if_nametoindex(f->o->iface) == f->tx_ifindex)
		return;
	peer_pkt_close(&f->tx_fd);
	f->tx_fd = peer_pkt_open(f->o->iface, false, &f->tx_ifindex);
}

/* ---- commands ---- */

static void
far_report(void *ctx, const struct rh_cmd *c)
{
	struct far *f = ctx;
	struct rh_report_opts o = c->report;
	struct far_tap *t;
	uint32_t i;

	if (!o.tail_known) {
		o.tail_known = true;
		o.tail_step = f->step;
	}
	rh_acct_report(&f->a, stdout, &o);
	for (i = 0; i < f->nb_steps; i++)
		if (f->steps[i].frames != 0)
			rh_out(stdout, "sent", "{\"dir\":\"B\",\"step\":%u,\"first_seq\":%" PRIu64
			       ",\"frames\":%" PRIu64 "}", i, f->steps[i].first_seq,
			       f->steps[i].frames);
	rh_out(stdout, "tx", "{\"dir\":\"B\",\"run\":%u,\"frames\":%" PRIu64 ",\"refused\":%"
	       PRIu64 ",\"slips\":%" PRIu64 ",\"interval_us\":%u}", f->o->run, f->seq,
	       f->refused, f->pace.slips, f->o->interval_us);
	for (t = f->taps; t < f->taps + f->o->nb_ifs; t++)
		rh_out(stdout, "sniff", "{\"if\":\"%s\",\"path\":\"%s\",\"open\":%s,\"frames\":%"
		       PRIu64 ",\"opens\":%" PRIu64 "}", t->cfg->name, rh_path_name(t->cfg->path),
		       t->fd >= 0 ? "true" : "false", t->frames, t->opens);
	rh_out(stdout, "end", "{\"what\":\"report\"}");
}

static void
far_status(void *ctx, const char *kind)
{
	struct far *f = ctx;

	rh_out_status(stdout, kind, f->step, rh_acct_next_seq(&f->a), f->seq);
}

static void
far_set_step(void *ctx, uint32_t step)
{
	((struct far *)ctx)->step = step;
}

static void
far_sending(void *ctx, bool start)
{
	struct far *f = ctx;

	f->sending = start;
	rh_pace_init(&f->pace, f->o->interval_us * 1000ull, rh_now_ns());
	rh_out_sending(stdout, f->sending, RH_DIR_B, f->seq);
}

static const struct rh_cmd_ops far_cmd_ops = {
	.report = far_report, .status = far_status, .step = far_set_step,
	.sending = far_sending,
};

/* ---- the loop ---- */

static void
far_maintain(struct far *f, uint64_t now)
{
	struct far_tap *t;

	if (now < f->next_check)
		return;
	f->next_check = now + PEER_CHECK_NS;
	far_tx_check(f);
	for (t = f->taps; t < f->taps + f->o->nb_ifs; t++)
		far_tap_check(t);
}

static void
far_poll(struct far *f)
{
	uint64_t deadline = f->next_check;
	struct far_tap *t;
	char *line;

	if (f->sending && f->pace.next_ns < deadline)
		deadline = f->pace.next_ns;
	peer_io_reset(&f->io);
	for (t = f->taps; t < f->taps + f->o->nb_ifs; t++)
		t->poll_idx = t->fd >= 0 ? peer_io_add(&f->io, t->fd) : -1;
	peer_io_wait(&f->io, deadline);
	for (t = f->taps; t < f->taps + f->o->nb_ifs; t++)
		if (t->fd >= 0 && peer_io_ready(&f->io, t->poll_idx))
			far_tap_read(f, t);
	while (!f->io.quit && (line = peer_io_command(&f->io)) != NULL)
		f->io.quit = !rh_cmd_run(line, &far_cmd_ops, f);
}

static int
far_init(struct far *f, const struct peer_opts *o)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->o = o;
	f->tx_fd = -1;
	f->sending = true;
	if (rh_acct_init(&f->a, RH_DIR_A, RH_CLOCK_RX, true, 0) != 0)
		return -1;
	if (o->peer_run_given)
		rh_acct_fix_run(&f->a, o->peer_run);
	for (i = 0; i < o->nb_ifs; i++) {
		f->taps[i].cfg = &o->ifs[i];
		f->taps[i].fd = -1;
	}
	far_maintain(f, rh_now_ns());
	if (f->tx_fd < 0) {
		rh_error("cannot open an AF_PACKET socket on %s (root? interface?)", o->iface);
		rh_acct_free(&f->a);
		return -1;
	}
	rh_pace_init(&f->pace, o->interval_us * 1000ull, rh_now_ns());
	return 0;
}

int
peer_far_end(const struct peer_opts *o)
{
	char mac[20], peer[20];
	struct far f;
	struct far_tap *t;

	if (far_init(&f, o) != 0)
		return 2;
	rh_mac_format(o->mac, mac, sizeof(mac));
	rh_mac_format(o->peer_mac, peer, sizeof(peer));
	rh_out(stdout, "ready", "{\"mode\":\"far-end\",\"run\":%u,\"iface\":\"%s\",\"mac\":\"%s\","
	       "\"guest_mac\":\"%s\",\"interval_us\":%u,\"taps\":%u,\"us\":%" PRIu64 "}", o->run,
	       o->iface, mac, peer, o->interval_us, o->nb_ifs, rh_now_ns() / 1000);
	while (!f.io.quit && !peer_stop_requested()) {
		far_poll(&f);
		if (f.sending)
			far_send(&f);
		far_maintain(&f, rh_now_ns());
	}
	rh_out(stdout, "bye", "{\"mode\":\"far-end\",\"b_sent\":%" PRIu64 "}", f.seq);
	for (t = f.taps; t < f.taps + o->nb_ifs; t++)
		peer_pkt_close(&t->fd);
	peer_pkt_close(&f.tx_fd);
	rh_acct_free(&f.a);
	free(f.steps);
	return 0;
}
