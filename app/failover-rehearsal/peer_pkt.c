/* SPDX-License-Identifier: BSD-3-Clause */

/* AF_PACKET sockets of failover-rehearsal-peer. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "peer.h"

static void
peer_pkt_bufs(int fd)
{
	int buf = PEER_SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
}

/* Only rehearsal frames reach the socket (classic BPF on the ethertype). */
static int
peer_pkt_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RH_ETHERTYPE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 256),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/*
 * A non-blocking socket bound to ifname; -1 when the interface does not
 * exist (now). With recv, an ETH_P_ALL socket: it sees the frames of a
 * bridge port before the bridge takes them (a protocol socket would see
 * none), both ways (PACKET_OUTGOING for what leaves); without, send only.
 * *ifindex: the interface bound.
 */
int
peer_pkt_open(const char *ifname, bool recv, int *ifindex)
{
	uint16_t proto = recv ? ETH_P_ALL : 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto) };
	int fd;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0)
		return -1;
	/*
	 * Protocol 0 until bound: a socket made with ETH_P_ALL receives the
	 * frames of every interface until bind() narrows it to one (frames of
	 * another path, counted twice, while a vanished tap is reopened).
	 */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if ((recv && peer_pkt_filter(fd) != 0) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		close(fd);
		return -1;
	}
	if (recv)
		peer_pkt_bufs(fd);
	*ifindex = sll.sll_ifindex;
	return fd;
}

/* An unbound ETH_P_ALL socket: every interface, every frame, both ways. */
int
peer_pkt_open_all(void)
{
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	if (peer_pkt_filter(fd) != 0) {
		close(fd);
		return -1;
	}
	peer_pkt_bufs(fd);
	return fd;
}

/* 0, or a negative errno (the frame did not go). */
int
peer_pkt_send(int fd, int ifindex, const uint8_t *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(sll.sll_addr, frame, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) == (ssize_t)len)
		return 0;
	return errno != 0 ? -errno : -EIO;
}

/* One frame, its interface and packet type; -1 (errno) when none. */
ssize_t
peer_pkt_recv(int fd, uint8_t *buf, size_t len, int *ifindex, int *pkttype)
{
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n;

	n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sll, &sl);
	if (n >= 0) {
		*ifindex = sll.sll_ifindex;
		*pkttype = sll.sll_pkttype;
	}
	return n;
}

int
peer_pkt_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd, ret;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (ret != 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

void
peer_pkt_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
