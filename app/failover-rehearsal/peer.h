/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef PEER_H
#define PEER_H

/*
 * failover-rehearsal-peer: the two non-DPDK ends of the rehearsal traffic
 * (static, AF_PACKET), on top of the engine of rh_traffic.h:
 *   --far-end       the host: sends direction B, counts direction A on the
 *                   guest's taps;
 *   --kernel-guest  a Linux guest using the kernel's net_failover: sends A
 *                   through the master, counts B delivered to the master.
 */

#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "rh_traffic.h"

#define PEER_MAX_IF 8
#define PEER_BURST 32               /* frames sent at most per tick */
#define PEER_CHECK_NS 20000000ull   /* interfaces re-checked every 20 ms */
#define PEER_SOCK_BUF (8 << 20)
#define PEER_DEF_GUEST_MAC "52:54:00:fa:11:10"
#define PEER_DEF_HOST_MAC "02:fa:11:00:00:99"

enum peer_mode { PEER_NONE, PEER_FAR_END, PEER_KERNEL_GUEST };

struct peer_if {
	char name[IFNAMSIZ];
	enum rh_path path;
};

struct peer_opts {
	enum peer_mode mode;
	char iface[IFNAMSIZ];           /* far end: where B goes out */
	char master[IFNAMSIZ];          /* kernel guest: the failover master */
	struct peer_if ifs[PEER_MAX_IF]; /* far end: --sniff; kernel guest: --slave */
	unsigned int nb_ifs;
	uint8_t mac[6];                 /* source MAC of what we send */
	bool mac_given;
	uint8_t peer_mac[6];            /* destination MAC */
	unsigned int interval_us;
	uint32_t run, peer_run;
	bool peer_run_given;
};

/* peer_pkt.c: AF_PACKET helpers */
int peer_pkt_open(const char *ifname, bool recv, int *ifindex);
int peer_pkt_open_all(void);
int peer_pkt_send(int fd, int ifindex, const uint8_t *frame, size_t len);
ssize_t peer_pkt_recv(int fd, uint8_t *buf, size_t len, int *ifindex, int *pkttype);
int peer_pkt_mac(const char *ifname, uint8_t mac[6]);
void peer_pkt_close(int *fd);

/* peer_main.c: the loop shared by both modes */
struct peer_io {
	struct pollfd fds[PEER_MAX_IF + 2];
	unsigned int nfds;
	struct rh_lines in;
	bool quit;
};

void peer_io_reset(struct peer_io *io);
int peer_io_add(struct peer_io *io, int fd);
int peer_io_wait(struct peer_io *io, uint64_t deadline_ns);
bool peer_io_ready(const struct peer_io *io, int idx);
char *peer_io_command(struct peer_io *io);
bool peer_stop_requested(void);
void peer_event(const char *what, const char *ifname, const char *extra);

int peer_far_end(const struct peer_opts *o);
int peer_kernel_guest(const struct peer_opts *o);

#endif /* PEER_H */
