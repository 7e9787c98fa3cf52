/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Telemetry commands, read with dpdk-telemetry.py while the port runs:
 *   /failover/list          the port ids of the failover ports
 *   /failover/info,<port>   one failover port: its link, active path,
 *                           last switch, refusals and its two sub-ports
 * Each command runs in the telemetry thread and reads a port under its
 * control lock. Like ethdev's own commands, it assumes the port is not
 * closed while it is read.
 */

#include <stdlib.h>
#include <time.h>

#include <rte_telemetry.h>
#include <rte_time.h>

#include "failover_private.h"

static const char *const fo_state_name[] = {
	[FO_SUB_ABSENT] = "absent",
	[FO_SUB_HELD] = "held",
	[FO_SUB_DRAINING] = "draining",
	[FO_SUB_STARTED] = "started",
};

/* FO_EV_* bit n is named fo_ev_name[n]. */
static const char *const fo_ev_name[] = { "gone", "leave", "dying", "reset" };

static int
fo_tel_list(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	uint16_t port;

	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (port = 0; port < RTE_MAX_ETHPORTS; port++)
		if (fo_port_priv(port) != NULL)
			rte_tel_data_add_array_int(d, port);
	return 0;
}

/* A link as { status, speed (Mb/s), duplex }: NULL if out of memory. */
static struct rte_tel_data *
fo_tel_link(const struct rte_eth_link *link)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "status", link->link_status ? "up" : "down");
	rte_tel_data_add_dict_u64(d, "speed", link->link_speed);
	rte_tel_data_add_dict_string(d, "duplex", link->link_duplex ? "full" : "half");
	return d;
}

/* Add a container, or drop the entry when it could not be built. */
static void
fo_tel_add(struct rte_tel_data *d, const char *name, struct rte_tel_data *val)
{
	if (val != NULL && rte_tel_data_add_dict_container(d, name, val, 0) != 0)
		rte_tel_data_free(val);
}

static struct rte_tel_data *
fo_tel_events(uint32_t ev)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	unsigned int i;

	if (d == NULL)
		return NULL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < RTE_DIM(fo_ev_name); i++)
		if (ev & RTE_BIT32(i))
			rte_tel_data_add_array_string(d, fo_ev_name[i]);
	return d;
}

static struct rte_tel_data *
fo_tel_sub(const struct fo_sub *s, const uint64_t pkts[2])
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct rte_eth_link link = fo_sub_link(s);
	enum fo_sub_state st = fo_sub_state(s);

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "role", fo_role_name[s->role]);
	rte_tel_data_add_dict_int(d, "port_id", st == FO_SUB_ABSENT ? -1 : s->port_id);
	rte_tel_data_add_dict_string(d, "device", s->dev_name);
	rte_tel_data_add_dict_string(d, "state", fo_state_name[st]);
	fo_tel_add(d, "events", fo_tel_events(fo_sub_ev(s)));
	fo_tel_add(d, "link", fo_tel_link(&link));
	rte_tel_data_add_dict_u64(d, "rx_packets", pkts[0]);
	rte_tel_data_add_dict_u64(d, "tx_packets", pkts[1]);
	/* 22.11 truncates strings to RTE_TEL_MAX_STRING_LEN - 1 */
	rte_tel_data_add_dict_string(d, "last_refusal", s->why);
	return d;
}

/* The last switch: time (UTC, ISO 8601) and time_ns, from, to, cause. */
static struct rte_tel_data *
fo_tel_switch(struct fo_priv *priv)
{
	struct fo_switch sw = fo_paths_last_switch(priv);
	struct rte_tel_data *d = rte_tel_data_alloc();
	char buf[64], cause[64];
	time_t sec = sw.time_ns / NSEC_PER_SEC;
	struct tm tm;

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	fo_switch_cause(&sw, cause, sizeof(cause));
	rte_tel_data_add_dict_string(d, "cause", cause);
	if (sw.time_ns == 0)
		return d;
	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06uZ",
		 (unsigned int)(sw.time_ns % NSEC_PER_SEC / 1000));
	rte_tel_data_add_dict_string(d, "time", buf);
	rte_tel_data_add_dict_u64(d, "time_ns", sw.time_ns);
	rte_tel_data_add_dict_string(d, "from", fo_role_name[sw.from]);
	rte_tel_data_add_dict_string(d, "to", fo_role_name[sw.to]);
	return d;
}

/* One failover port, under its control lock. */
static void
fo_tel_port(struct fo_priv *priv, struct rte_tel_data *d)
{
	struct rte_eth_dev_data *data = priv->dev->data;
	uint64_t pkts[FO_NB_SUBS][2];
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_eth_link link;
	int r;

	FO_LOCK_ASSERT(priv);
	rte_eth_linkstatus_get(priv->dev, &link);
	rte_ether_format_addr(mac, sizeof(mac), &data->mac_addrs[0]);
	fo_stats_roles(priv, pkts);
	rte_tel_data_add_dict_string(d, "name", data->name);
	rte_tel_data_add_dict_int(d, "port_id", data->port_id);
	rte_tel_data_add_dict_int(d, "started", data->dev_started);
	rte_tel_data_add_dict_string(d, "mac", mac);
	fo_tel_add(d, "link", fo_tel_link(&link));
	rte_tel_data_add_dict_string(d, "active_path",
			fo_role_name[__atomic_load_n(&priv->fp.role, __ATOMIC_ACQUIRE)]);
	rte_tel_data_add_dict_u64(d, "path_switches", priv->path_switches);
	fo_tel_add(d, "last_switch", fo_tel_switch(priv));
	rte_tel_data_add_dict_u64(d, "refused_ports", priv->refused);
	for (r = 0; r < FO_NB_SUBS; r++)
		fo_tel_add(d, fo_role_name[r], fo_tel_sub(&priv->sub[r], pkts[r]));
}

static int
fo_tel_info(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct fo_priv *priv;
	unsigned long port;
	char *end;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	errno = 0;
	port = strtoul(params, &end, 0);
	if (errno != 0 || *end != '\0' || port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	priv = fo_port_priv(port);
	if (priv == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(d);
	fo_lock(priv);
	fo_tel_port(priv, d);
	fo_unlock(priv);
	return 0;
}

RTE_INIT(fo_telemetry_init)
{
	rte_telemetry_register_cmd("/failover/list", fo_tel_list,
			"Returns the port ids of the failover ports. Takes no parameters");
	rte_telemetry_register_cmd("/failover/info", fo_tel_info,
			"Returns a failover port's paths, switches and sub-ports. Parameters: int port_id");
}
