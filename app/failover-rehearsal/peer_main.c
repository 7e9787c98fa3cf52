/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * failover-rehearsal-peer: options, the wait loop both modes share, main.
 * A static program (no DPDK): it runs on the host as the far end, or in a
 * busybox initramfs of a Linux guest using the kernel's net_failover.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "peer.h"

static volatile sig_atomic_t peer_signalled;

static void
peer_on_signal(int sig)
{
	(void)sig;
	peer_signalled = 1;
}

bool
peer_stop_requested(void)
{
	return peer_signalled != 0;
}

/* ---- the loop: stdin first, then the sockets the mode adds ---- */

void
peer_io_reset(struct peer_io *io)
{
	io->fds[0].fd = STDIN_FILENO;
	io->fds[0].events = io->in.eof ? 0 : POLLIN;
	io->fds[0].revents = 0;
	if (io->in.eof)
		io->fds[0].fd = -1;
	io->nfds = 1;
}

/* Index of fd in the poll set, -1 when full. */
int
peer_io_add(struct peer_io *io, int fd)
{
	if (io->nfds == sizeof(io->fds) / sizeof(io->fds[0]))
		return -1;
	io->fds[io->nfds].fd = fd;
	io->fds[io->nfds].events = POLLIN;
	io->fds[io->nfds].revents = 0;
	return (int)io->nfds++;
}

/* Wait for input until deadline (absolute, CLOCK_MONOTONIC ns); stdin is read. */
int
peer_io_wait(struct peer_io *io, uint64_t deadline_ns)
{
	uint64_t now = rh_now_ns(), d = deadline_ns > now ? deadline_ns - now : 0;
	struct timespec ts = { .tv_sec = d / 1000000000u, .tv_nsec = d % 1000000000u };
	int n;

	n = ppoll(io->fds, io->nfds, &ts, NULL);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (io->fds[0].revents & (POLLIN | POLLHUP | POLLERR))
		rh_lines_fill(&io->in, STDIN_FILENO);
	return n;
}

bool
peer_io_ready(const struct peer_io *io, int idx)
{
	return idx > 0 && (unsigned int)idx < io->nfds && io->fds[idx].revents != 0;
}

/* The next complete command line, NULL when none (quit is set at end of input). */
char *
peer_io_command(struct peer_io *io)
{
	char *l = rh_lines_next(&io->in);

	if (l == NULL && io->in.eof && io->in.skip == io->in.len)
		io->quit = true;
	return l;
}

void
peer_event(const char *what, const char *ifname, const char *extra)
{
	rh_out(stdout, "event", "{\"us\":%llu,\"what\":\"%s\",\"if\":\"%s\"%s%s}",
	       (unsigned long long)(rh_now_ns() / 1000), what, ifname,
	       extra != NULL ? "," : "", extra != NULL ? extra : "");
}

/* ---- options ---- */

static void
peer_usage(const char *prog)
{
	printf("Usage:\n"
	       "  %s --far-end --iface IF [--sniff TAP=vf|virtio]... [options]\n"
	       "      the host: sends B frames out of IF to the guest, counts A frames\n"
	       "      the guest sent as they come in on each TAP (up to %u; they may vanish\n"
	       "      and come back)\n"
	       "  %s --kernel-guest [--master IF] [--slave IF=vf|virtio]... [options]\n"
	       "      a Linux guest with the kernel's net_failover: sends A frames through\n"
	       "      the master IF (default eth0), counts B frames delivered to it; the\n"
	       "      path of a frame is the slave it came by (virtio_net: virtio, any\n"
	       "      other driver: vf; --slave overrides)\n"
	       "Options:\n"
	       "  --mac MAC          source MAC (far end: %s; kernel guest: the master's)\n"
	       "  --peer-mac MAC     destination MAC (far end: %s; kernel guest: %s)\n"
	       "  --guest-mac MAC    the same as --peer-mac\n"
	       "  --interval-us N    one frame every N us (default 200)\n"
	       "  --run N            run id of the frames sent (default: from the pid and time)\n"
	       "  --peer-run N       count only frames of that run (default: the first seen)\n"
	       "Commands on stdin: step N (far end), report [sent=N] [tail=S] [bins=0|1],\n"
	       "stop, start, quit. Output: '@@fo <kind> <json>' lines (see rh_traffic.h).\n",
	       prog, PEER_MAX_IF, prog, PEER_DEF_HOST_MAC, PEER_DEF_GUEST_MAC, PEER_DEF_HOST_MAC);
}

static int
peer_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno != 0 || end == s || *end != '\0' || *v > max || s[0] == '-' ? -1 : 0;
}

static int
peer_ifname(const char *s, char *name)
{
	if (s[0] == '\0' || strlen(s) >= IFNAMSIZ)
		return -1;
	strcpy(name, s);
	return 0;
}

/* IF=vf|virtio */
static int
peer_if_arg(struct peer_opts *o, const char *arg)
{
	char buf[64], *eq;
	struct peer_if *pi;

	if (o->nb_ifs == PEER_MAX_IF || strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (eq == NULL)
		return -1;
	*eq = '\0';
	pi = &o->ifs[o->nb_ifs];
	if (peer_ifname(buf, pi->name) != 0 || rh_path_parse(eq + 1, &pi->path) != 0 ||
	    pi->path == RH_PATH_OTHER)
		return -1;
	o->nb_ifs++;
	return 0;
}

static int
peer_opt(struct peer_opts *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case 'F':
	case 'K':
		if (o->mode != PEER_NONE)
			return -1;
		o->mode = c == 'F' ? PEER_FAR_END : PEER_KERNEL_GUEST;
		return 0;
	case 'i':
		return peer_ifname(arg, o->iface);
	case 'M':
		return peer_ifname(arg, o->master);
	case 's':
		return peer_if_arg(o, arg);
	case 'm':
		o->mac_given = true;
		return rh_mac_parse(arg, o->mac);
	case 'p':
		return rh_mac_parse(arg, o->peer_mac);
	case 'I':
		if (peer_uint(arg, 10000000, &v) != 0 || v == 0)
			return -1;
		o->interval_us = (unsigned int)v;
		return 0;
	case 'r':
	case 'R':
		if (peer_uint(arg, UINT32_MAX, &v) != 0)
			return -1;
		if (c == 'r')
			o->run = (uint32_t)v;
		else
			o->peer_run = (uint32_t)v;
		o->peer_run_given |= c == 'R';
		return 0;
	}
	return -1;
}

/* Defaults that depend on the mode; checks of what is required. */
static int
peer_finish(struct peer_opts *o, bool peer_mac_given)
{
	if (o->mode == PEER_NONE) {
		printf("give --far-end or --kernel-guest\n");
		return -1;
	}
	if (o->mode == PEER_FAR_END && o->iface[0] == '\0') {
		printf("--far-end needs --iface\n");
		return -1;
	}
	if (!peer_mac_given)
		rh_mac_parse(o->mode == PEER_FAR_END ? PEER_DEF_GUEST_MAC : PEER_DEF_HOST_MAC,
			     o->peer_mac);
	if (!o->mac_given && o->mode == PEER_FAR_END)
		rh_mac_parse(PEER_DEF_HOST_MAC, o->mac);
	if (o->master[0] == '\0')
		strcpy(o->master, "eth0");
	return 0;
}

static int
peer_parse(struct peer_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "far-end", no_argument, NULL, 'F' },
		{ "kernel-guest", no_argument, NULL, 'K' },
		{ "iface", required_argument, NULL, 'i' },
		{ "master", required_argument, NULL, 'M' },
		{ "sniff", required_argument, NULL, 's' },
		{ "slave", required_argument, NULL, 's' },
		{ "mac", required_argument, NULL, 'm' },
		{ "peer-mac", required_argument, NULL, 'p' },
		{ "guest-mac", required_argument, NULL, 'p' },
		{ "interval-us", required_argument, NULL, 'I' },
		{ "run", required_argument, NULL, 'r' },
		{ "peer-run", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool peer_mac_given = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->interval_us = 200;
	o->run = (uint32_t)getpid() * 2654435761u ^ (uint32_t)rh_now_ns();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'h') {
			peer_usage(argv[0]);
			return 1;
		}
		peer_mac_given |= c == 'p';
		if (c == '?' || peer_opt(o, c, optarg) != 0) {
			printf("bad option or value: %s\n", argv[optind - 1]);
			peer_usage(argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		printf("unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	return peer_finish(o, peer_mac_given);
}

int
main(int argc, char **argv)
{
	struct peer_opts o;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = peer_parse(&o, argc, argv);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	signal(SIGINT, peer_on_signal);
	signal(SIGTERM, peer_on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* wake-ups on time: the default slack of 50 us is a quarter of an interval */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	if (o.mode == PEER_FAR_END)
		ret = peer_far_end(&o);
	else
		ret = peer_kernel_guest(&o);
	return ret;
}
