/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Inside a Linux guest whose kernel's net_failover master (e.g. eth0) has
 * two slaves: virtio_net (standby) and e1000e (primary, whose interface
 * vanishes and comes back with a new ifindex across an unplug/replug).
 *
 * A frames go out through the master (a socket bound to it). B frames are
 * read on one unbound ETH_P_ALL socket, which sees each received frame
 * twice: with the slave's ifindex (before the slave's rx_handler), then with
 * the master's (after net_failover handed it over). The first sighting gives
 * the path, the second is the delivery that is counted; a frame the master
 * never gets (e.g. one net_failover drops on the standby while a primary is
 * registered) is not counted ("undelivered"). Interfaces are classified by
 * ifindex on first sight and cached: the master by name; a slave by --slave
 * (with its path), or else by its /sys/class/net/<if>/master link, its path
 * by /sys/class/net/<if>/device/driver (virtio_net: virtio, others: vf).
 * Interfaces found to be neither are classified again after 500 ms.
 */

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include "peer.h"

#define KG_CACHE 64
#define KG_SIGHTINGS 256
#define KG_RECHECK_NS 500000000ull

enum kg_kind { KG_FOREIGN, KG_MASTER, KG_SLAVE };

struct kg_if {
	int ifindex;
	enum kg_kind kind;
	enum rh_path path;
	uint64_t checked;
	char name[IFNAMSIZ];
};

struct kg_sighting {
	uint64_t seq;
	enum rh_path path;
	bool valid;
};

struct kguest {
	const struct peer_opts *o;
	int tx_fd, tx_ifindex, rx_fd;
	uint8_t mac[6];
	struct kg_if cache[KG_CACHE];
	unsigned int nb_cache, next_evict;
	struct kg_sighting seen[KG_SIGHTINGS];
	struct rh_acct b;
	struct rh_pace pace;
	bool sending;
	uint64_t seq, refused, undelivered, unmatched;
	uint32_t last_b_step;
	uint64_t next_check;
	struct peer_io io;
};

/* ---- classifying interfaces ---- */

/* The last component of the symlink /sys/class/net/<ifname>/<what>, or "". */
static void
kg_sys_link(const char *ifname, const char *what, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;
	size_t l;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	l = strlen(base) < len ? strlen(base) : len - 1;
	memcpy(out, base, l);
	out[l] = '\0';
}

static void
kg_classify(struct kguest *k, struct kg_if *c)
{
	char link[64];
	unsigned int i;

	c->kind = KG_FOREIGN;
	c->path = RH_PATH_OTHER;
	c->checked = rh_now_ns();
	if (if_indextoname(c->ifindex, c->name) == NULL) {
		c->name[0] = '\0';
		return;
	}
	if (strcmp(c->name, k->o->master) == 0) {
		c->kind = KG_MASTER;
		return;
	}
	for (i = 0; i < k->o->nb_ifs; i++) {
		if (strcmp(k->o->ifs[i].name, c->name) == 0) {
			c->kind = KG_SLAVE;         /* --slave: no need to ask /sys */
			c->path = k->o->ifs[i].path;
			return;
		}
	}
	kg_sys_link(c->name, "master", link, sizeof(link));
	if (strcmp(link, k->o->master) != 0)
		return;
	c->kind = KG_SLAVE;
	kg_sys_link(c->name, "device/driver", link, sizeof(link));
	c->path = strcmp(link, "virtio_net") == 0 ? RH_PATH_VIRTIO : RH_PATH_VF;
}

static void
kg_announce(const struct kg_if *c)
{
	static const char *const kind[] = { "foreign", "master", "slave" };
	char extra[96];

	snprintf(extra, sizeof(extra), "\"ifindex\":%d,\"kind\":\"%s\",\"path\":\"%s\"",
		 c->ifindex, kind[c->kind], rh_path_name(c->path));
	peer_event("classified", c->name, extra);
}

static const struct kg_if *
kg_lookup(struct kguest *k, int ifindex, uint64_t now)
{
	struct kg_if *c;
	unsigned int i;

	for (i = 0; i < k->nb_cache; i++) {
		c = &k->cache[i];
		if (c->ifindex != ifindex)
			continue;
		if (c->kind == KG_FOREIGN && now - c->checked > KG_RECHECK_NS) {
			kg_classify(k, c);
			if (c->kind != KG_FOREIGN)
				kg_announce(c);
		}
		return c;
	}
	if (k->nb_cache < KG_CACHE)
		c = &k->cache[k->nb_cache++];
	else
		c = &k->cache[k->next_evict++ % KG_CACHE];
	c->ifindex = ifindex;
	kg_classify(k, c);
	kg_announce(c);
	return c;
}

/* ---- receiving B ---- */

static void
kg_slave_saw(struct kguest *k, uint64_t seq, enum rh_path path)
{
	struct kg_sighting *s = &k->seen[seq % KG_SIGHTINGS];

	if (s->valid && s->seq != seq)
		k->undelivered++;
	s->seq = seq;
	s->path = path;
	s->valid = true;
}

/* The delivery to the master: counted, with the path of its slave sighting. */
static void
kg_master_got(struct kguest *k, const struct rh_tag *tag, uint64_t now)
{
	struct kg_sighting *s = &k->seen[tag->seq % KG_SIGHTINGS];
	enum rh_path path = RH_PATH_OTHER;

	if (s->valid && s->seq == tag->seq) {
		path = s->path;
		s->valid = false;
	} else {
		k->unmatched++;
	}
	k->last_b_step = tag->step;
	rh_acct_feed(&k->b, tag, path, now, tag->step);
}

static void
kg_read(struct kguest *k)
{
	const struct kg_if *c;
	uint8_t buf[256];
	struct rh_tag tag;
	int ifindex, type, i;
	uint64_t now;
	ssize_t n;

	for (i = 0; i < 512; i++) {
		n = peer_pkt_recv(k->rx_fd, buf, sizeof(buf), &ifindex, &type);
		if (n < 0)
			break;
		if (type == PACKET_OUTGOING || rh_frame_decode(buf, n, &tag) != 0 ||
		    tag.dir != RH_DIR_B)
			continue;
		now = rh_now_ns();
		c = kg_lookup(k, ifindex, now);
		if (c->kind == KG_SLAVE)
			kg_slave_saw(k, tag.seq, c->path);
		else if (c->kind == KG_MASTER)
			kg_master_got(k, &tag, now);
	}
}

/* ---- sending A ---- */

static int
kg_send_one(struct kguest *k, uint64_t now)
{
	struct rh_tag tag = { .run = k->o->run, .dir = RH_DIR_A, .step = k->last_b_step,
			      .seq = k->seq, .ts_ns = now };
	uint8_t frame[RH_FRAME_LEN];
	size_t len;

	len = rh_frame_encode(frame, sizeof(frame), k->o->peer_mac, k->mac, &tag);
	if (k->tx_fd < 0 || peer_pkt_send(k->tx_fd, k->tx_ifindex, frame, len) != 0) {
		k->refused++;
		return -1;
	}
	k->seq++;
	return 0;
}

static void
kg_send(struct kguest *k)
{
	uint64_t now = rh_now_ns();
	unsigned int due = rh_pace_due(&k->pace, now, PEER_BURST), i;

	for (i = 0; i < due && kg_send_one(k, now) == 0; i++)
		;
	rh_pace_done(&k->pace, i < due ? i + 1 : i);
}

/* The master's socket, opened again when its ifindex changed. */
static void
kg_tx_check(struct kguest *k)
{
	if (k->tx_fd >= 0 && (int)if_nametoindex(k->o->master) == k->tx_ifindex)
		return;
	peer_pkt_close(&k->tx_fd);
	k->tx_fd = peer_pkt_open(k->o->master, false, &k->tx_ifindex);
	if (k->tx_fd >= 0 && !k->o->mac_given)
		peer_pkt_mac(k->o->master, k->mac);
}

/* ---- commands, loop ---- */

static void
kg_report(void *ctx, const struct rh_cmd *c)
{
	struct kguest *k = ctx;
	const struct kg_if *ci;

	rh_acct_report(&k->b, stdout, &c->report);
	rh_out(stdout, "tx", "{\"dir\":\"A\",\"run\":%u,\"frames\":%" PRIu64 ",\"refused\":%"
	       PRIu64 ",\"slips\":%" PRIu64 ",\"interval_us\":%u}", k->o->run, k->seq,
	       k->refused, k->pace.slips, k->o->interval_us);
	rh_out(stdout, "kguest", "{\"master\":\"%s\",\"undelivered\":%" PRIu64
	       ",\"unmatched\":%" PRIu64 ",\"interfaces\":%u}", k->o->master, k->undelivered,
	       k->unmatched, k->nb_cache);
	for (ci = k->cache; ci < k->cache + k->nb_cache; ci++)
		kg_announce(ci);
	rh_out(stdout, "end", "{\"what\":\"report\"}");
}

static void
kg_status(void *ctx, const char *kind)
{
	struct kguest *k = ctx;

	rh_out_status(stdout, kind, k->last_b_step, k->seq, rh_acct_next_seq(&k->b));
}

static void
kg_sending(void *ctx, bool start)
{
	struct kguest *k = ctx;

	k->sending = start;
	rh_pace_init(&k->pace, k->o->interval_us * 1000ull, rh_now_ns());
	rh_out_sending(stdout, k->sending, RH_DIR_A, k->seq);
}

static const struct rh_cmd_ops kg_cmd_ops = {
	.report = kg_report, .status = kg_status, .sending = kg_sending,
};

static void
kg_poll(struct kguest *k)
{
	uint64_t deadline = k->next_check;
	char *line;
	int idx;

	if (k->sending && k->pace.next_ns < deadline)
		deadline = k->pace.next_ns;
	peer_io_reset(&k->io);
	idx = peer_io_add(&k->io, k->rx_fd);
	peer_io_wait(&k->io, deadline);
	if (peer_io_ready(&k->io, idx))
		kg_read(k);
	while (!k->io.quit && (line = peer_io_command(&k->io)) != NULL)
		k->io.quit = !rh_cmd_run(line, &kg_cmd_ops, k);
}

static int
kg_init(struct kguest *k, const struct peer_opts *o)
{
	memset(k, 0, sizeof(*k));
	k->o = o;
	k->sending = true;
	k->tx_fd = -1;
	memcpy(k->mac, o->mac, sizeof(k->mac));
	k->rx_fd = peer_pkt_open_all();
	if (k->rx_fd < 0) {
		rh_error("cannot open an AF_PACKET socket (root?)");
		return -1;
	}
	kg_tx_check(k);
	if (k->tx_fd < 0) {
		rh_error("no interface %s (the failover master): give --master", o->master);
		peer_pkt_close(&k->rx_fd);
		return -1;
	}
	if (rh_acct_init(&k->b, RH_DIR_B, RH_CLOCK_TAG, true, 0) != 0) {
		peer_pkt_close(&k->rx_fd);
		peer_pkt_close(&k->tx_fd);
		return -1;
	}
	if (o->peer_run_given)
		rh_acct_fix_run(&k->b, o->peer_run);
	rh_pace_init(&k->pace, o->interval_us * 1000ull, rh_now_ns());
	return 0;
}

int
peer_kernel_guest(const struct peer_opts *o)
{
	char mac[20], peer[20];
	struct kguest *k = calloc(1, sizeof(*k));
	uint64_t now;

	if (k == NULL || kg_init(k, o) != 0) {
		free(k);
		return 2;
	}
	rh_mac_format(k->mac, mac, sizeof(mac));
	rh_mac_format(o->peer_mac, peer, sizeof(peer));
	rh_out(stdout, "ready", "{\"mode\":\"kernel-guest\",\"run\":%u,\"master\":\"%s\","
	       "\"mac\":\"%s\",\"peer_mac\":\"%s\",\"interval_us\":%u}", o->run, o->master, mac,
	       peer, o->interval_us);
	while (!k->io.quit && !peer_stop_requested()) {
		kg_poll(k);
		if (k->sending)
			kg_send(k);
		now = rh_now_ns();
		if (now >= k->next_check) {
			k->next_check = now + PEER_CHECK_NS;
			kg_tx_check(k);
		}
	}
	rh_out(stdout, "bye", "{\"mode\":\"kernel-guest\",\"a_sent\":%" PRIu64 "}", k->seq);
	peer_pkt_close(&k->rx_fd);
	peer_pkt_close(&k->tx_fd);
	rh_acct_free(&k->b);
	free(k);
	return 0;
}
