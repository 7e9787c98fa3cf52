/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * dpdk-failover-rehearsal: rehearse live migrations of a guest that uses
 * net_failover, on the virtual devices every Linux machine has.
 *
 * The rig, in one process: a net_tap primary plays the pass-through VF (its
 * kernel interface is the "wire" of the VF), a virtio-user standby talks to
 * a net_vhost backend that plays the host's end of the paravirtual path,
 * and a failover port wraps both with one MAC address. One worker lcore
 * sends tagged frames (round, sequence number) through the failover port
 * and counts what the vhost backend receives; the main thread counts what
 * reaches the tap's kernel side through an AF_PACKET socket and drives the
 * migrations: the VF is announced to go (RTE_DEV_EVENT_REMOVE, the API, or
 * its link drops), traffic runs on the standby for a while, the VF comes
 * back (RTE_DEV_EVENT_ADD, or its link returns).
 *
 * Every frame is accounted for: offered to tx_burst = received at the VF's
 * far end + received at the vhost end + refused by tx_burst + lost.
 *
 * With --rig guest it is instead the guest end of a real hypervisor's rig
 * (guest.c): traffic through a failover port given on the EAL command line,
 * counted by the traffic engine (rh_traffic.h) with the host's far end.
 *
 * This file: options, main. The vdev rig: vdev_*.c.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_string_fns.h>

#include "ft_test.h"
#include "rehearsal.h"

const char *const rh_trigger_name[] = {
	[RH_TRIGGER_EVENT] = "RTE_DEV_EVENT_REMOVE / RTE_DEV_EVENT_ADD",
	[RH_TRIGGER_API] = "rte_pmd_failover_primary_leave() / RTE_DEV_EVENT_ADD",
	[RH_TRIGGER_LINK] = "VF link down / up",
};

static struct rh rh;
struct rte_ether_addr rh_mac;
volatile sig_atomic_t rh_quit;

static void
rh_on_signal(int sig)
{
	RTE_SET_USED(sig);
	rh_quit = 1;
}

static void
rh_usage(const char *prog)
{
	printf("Usage: %s <EAL options> -- [options]\n"
	       "  --rig vdev|guest  vdev: this rehearsal on virtual devices (default);\n"
	       "                    guest: the guest end of a hypervisor rig (see below)\n"
	       "vdev rig:\n"
	       "  --rounds N        migrations to rehearse (default 20)\n"
	       "  --trigger T       how the VF is announced to go:\n"
	       "                      event: RTE_DEV_EVENT_REMOVE, back with RTE_DEV_EVENT_ADD"
	       " (default)\n"
	       "                      api:   rte_pmd_failover_primary_leave(), back with"
	       " RTE_DEV_EVENT_ADD\n"
	       "                      link:  VF link down, back with link up (no notice)\n"
	       "  --away-ms N       time on the standby per round (default 50, plus 0-10 random)\n"
	       "  --home-ms N       time on the primary after each round (default 50, plus 0-10)\n"
	       "  --gap-us N        pause between bursts of %u frames (default 100)\n"
	       "  --iface NAME      kernel interface of the tap VF (default fo_vf0)\n"
	       "guest rig (the failover port comes from the EAL command line, e.g.\n"
	       "  --vdev 'net_failover0,primary=<pci>,standby=<pci>,rx_port_rewrite=0'):\n"
	       "  --port NAME       the failover port (default %s)\n"
	       "  --peer-mac MAC    the far end's MAC (default 02:fa:11:00:00:99)\n"
	       "  --interval-us N   one A frame every N us (default 200)\n"
	       "  --run N           run id of the A frames (default: from the pid and time)\n"
	       "  --peer-run N      count only B frames of that run (default: the first seen)\n"
	       "  commands on stdin: report [sent=N] [tail=S] [bins=0|1], status, stop, start,\n"
	       "  quit; output: '@@fo <kind> <json>' lines (rh_traffic.h)\n"
	       "  --help\n", prog, RH_BURST, RH_FO_NAME);
}

static int
rh_uint(const char *s, unsigned int min, unsigned int max, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

static int
rh_parse_guest(struct rh_opts *o, int c, const char *arg)
{
	unsigned int v;

	switch (c) {
	case 'P':
		if (arg[0] == '\0' || strlen(arg) >= sizeof(o->port))
			return -1;
		strlcpy(o->port, arg, sizeof(o->port));
		return 0;
	case 'M':
		return rh_mac_parse(arg, o->peer_mac);
	case 'I':
		return rh_uint(arg, 1, 10000000, &o->interval_us);
	case 'R':
		o->peer_run_given = true;
		/* fall through */
	case 'U':
		if (rh_uint(arg, 0, UINT32_MAX, &v) != 0)
			return -1;
		*(c == 'U' ? &o->run : &o->peer_run) = v;
		return 0;
	}
	return -1;
}

static int
rh_parse_rig(struct rh_opts *o, const char *arg)
{
	if (strcmp(arg, "vdev") == 0)
		o->rig = RH_RIG_VDEV;
	else if (strcmp(arg, "guest") == 0)
		o->rig = RH_RIG_GUEST;
	else
		return -1;
	return 0;
}

static void
rh_defaults(struct rh_opts *o)
{
	*o = (struct rh_opts){ .rounds = 20, .away_ms = 50, .home_ms = 50, .gap_us = 100,
			       .interval_us = 200 };
	strlcpy(o->iface, "fo_vf0", sizeof(o->iface));
	strlcpy(o->port, RH_FO_NAME, sizeof(o->port));
	rh_mac_parse("02:fa:11:00:00:99", o->peer_mac);
	o->run = (uint32_t)getpid() * 2654435761u ^ (uint32_t)rh_now_ns();
}


static int
rh_parse(struct rh_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "trigger", required_argument, NULL, 't' },
		{ "away-ms", required_argument, NULL, 'a' },
		{ "home-ms", required_argument, NULL, 'm' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ "iface", required_argument, NULL, 'i' },
		{ "rig", required_argument, NULL, 'G' },
		{ "port", required_argument, NULL, 'P' },
		{ "peer-mac", required_argument, NULL, 'M' },
		{ "interval-us", required_argument, NULL, 'I' },
		{ "run", required_argument, NULL, 'U' },
		{ "peer-run", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	rh_defaults(o);
	optind = 1;
	while (ret == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ret = rh_uint(optarg, 1, 100000, &o->rounds);
			break;
		case 't':
			if (strcmp(optarg, "event") == 0)
				o->trigger = RH_TRIGGER_EVENT;
			else if (strcmp(optarg, "api") == 0)
				o->trigger = RH_TRIGGER_API;
			else if (strcmp(optarg, "link") == 0)
				o->trigger = RH_TRIGGER_LINK;
			else
				ret = -1;
			break;
		case 'a':
			ret = rh_uint(optarg, 0, 60000, &o->away_ms);
			break;
		case 'm':
			ret = rh_uint(optarg, 0, 60000, &o->home_ms);
			break;
		case 'g':
			ret = rh_uint(optarg, 0, 1000000, &o->gap_us);
			break;
		case 'h':
			rh_usage(argv[0]);
			return 1;
		case 'i':
			ret = strlen(optarg) < sizeof(o->iface) && optarg[0] != '\0' ? 0 : -1;
			strlcpy(o->iface, optarg, sizeof(o->iface));
			break;
		case 'G':
			ret = rh_parse_rig(o, optarg);
			break;
		case 'P':
		case 'M':
		case 'I':
		case 'U':
		case 'R':
			ret = rh_parse_guest(o, c, optarg);
			break;
		default:
			ret = -1;
		}
		if (ret != 0)
			printf("bad option or value: %s\n", argv[optind - 1]);
	}
	if (ret == 0 && optind < argc) {
		printf("unexpected argument: %s\n", argv[optind]);
		ret = -1;
	}
	if (ret != 0)
		rh_usage(argv[0]);
	return ret;
}

static int
rh_alloc(struct rh *r)
{
	r->nb_slots = r->opts.rounds + 2;
	r->rd = calloc(r->nb_slots, sizeof(*r->rd));
	r->vf_fd = -1;
	r->rig.fo = r->rig.vh = RTE_MAX_ETHPORTS;
	r->first.want = -1;
	r->run = (uint32_t)getpid();
	if (r->rd == NULL ||
	    rh_acct_init(&r->acct, RH_DIR_A, RH_CLOCK_TAG, false, r->nb_slots) != 0)
		return -1;
	rh_acct_fix_run(&r->acct, r->run);
	return 0;
}

static void
rh_free(struct rh *r)
{
	free(r->rd);
	rh_acct_free(&r->acct);
}

/* Checks before touching anything: lcores, interface name. */
static int
rh_preflight(const struct rh *r)
{
	if (rte_lcore_count() < 2) {
		printf("needs 2 lcores (e.g. -l 0-1): the main one and a worker\n");
		return -1;
	}
	if (if_nametoindex(r->opts.iface) != 0) {
		printf("interface %s exists already (another run?): choose one with --iface\n",
		       r->opts.iface);
		return -1;
	}
	return 0;
}

/* 0: PASS, 1: FAIL, 2: the rig could not be set up. */
static int
rh_rehearse(struct rh *r)
{
	int ret;

	if (rh_alloc(r) != 0 || rh_preflight(r) != 0)
		return 2;
	printf("Rehearsing %u live migrations: trigger %s, %u ms on the standby\n",
	       r->opts.rounds, rh_trigger_name[r->opts.trigger], r->opts.away_ms);
	ret = rh_vf_open(r) != 0 || rh_rig_setup(r) != 0 ? 2 : 0;
	if (ret == 0)
		rh_run(r);
	if (r->vf_fd >= 0)
		rh_vf_close(r);
	rh_rig_close(r);
	return ret == 0 ? rh_report(r) : ret;
}

int
main(int argc, char **argv)
{
	char runtime_dir[PATH_MAX];
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	strlcpy(runtime_dir, rte_eal_get_runtime_dir(), sizeof(runtime_dir));
	argc -= ret;
	argv += ret;
	rte_ether_unformat_addr(RH_MAC_STR, &rh_mac);
	signal(SIGINT, rh_on_signal);
	signal(SIGTERM, rh_on_signal);
	ret = rh_parse(&rh.opts, argc, argv);
	if (ret == 0 && rh.opts.rig == RH_RIG_GUEST)
		ret = rh_guest(&rh.opts);
	else if (ret == 0)
		ret = rh_rehearse(&rh);
	else
		ret = ret > 0 ? 0 : 2;   /* --help: nothing to run */
	rh_free(&rh);
	rte_eal_cleanup();
	ft_rm_runtime_dir(runtime_dir);
	return ret;
}
