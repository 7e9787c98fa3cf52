/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Devargs:
 *   primary=<dev>,standby=<dev>[,mac=<xx:xx:xx:xx:xx:xx>][,link_poll_ms=<n>]
 *   [,rx_port_rewrite=0|1][,rx_idle_poll_us=<n>][,hotplug=off|named|mac]
 *   [,hotplug_timeout_ms=<n>][,adopt_delay_ms=<n>][,flow_partial=0|1]
 *   <dev> := <name> | (<driver><id>,<k>=<v>,...)
 *
 * rte_kvargs cannot split values that hold commas and '=' (22.11 ends a key
 * at the first '=' even inside brackets), so the top level is tokenised
 * here, honouring parentheses. Every error is one log line naming the part.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_devargs.h>
#include <rte_errno.h>

#include "failover_private.h"

#define FO_ARG_PRIMARY "primary"
#define FO_ARG_STANDBY "standby"
#define FO_ARG_MAC "mac"
#define FO_ARG_LINK_POLL "link_poll_ms"
#define FO_ARG_RX_PORT "rx_port_rewrite"
#define FO_ARG_HOTPLUG "hotplug"
#define FO_ARG_HOTPLUG_TIMEOUT "hotplug_timeout_ms"
#define FO_ARG_ADOPT_DELAY "adopt_delay_ms"
#define FO_ARG_RX_IDLE_POLL "rx_idle_poll_us"
#define FO_ARG_FLOW_PARTIAL "flow_partial"

static const char *const fo_arg_keys[] = {
	FO_ARG_PRIMARY, FO_ARG_STANDBY, FO_ARG_MAC, FO_ARG_LINK_POLL, FO_ARG_RX_PORT,
	FO_ARG_HOTPLUG, FO_ARG_HOTPLUG_TIMEOUT, FO_ARG_ADOPT_DELAY, FO_ARG_RX_IDLE_POLL,
	FO_ARG_FLOW_PARTIAL,
};

/* The roles as devargs and log lines name them (FO_NONE: no path). */
const char *const fo_role_name[FO_NB_SUBS + 1] = { "primary", "standby", "none" };

static const char *const fo_hotplug_names[] = {
	[FO_HOTPLUG_OFF] = "off", [FO_HOTPLUG_NAMED] = "named", [FO_HOTPLUG_MAC] = "mac",
};

/* Length of the item starting at p (up to a top-level comma), or -1. */
static int
item_len(const char *p)
{
	int depth = 0, i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth < 0)
			return -1;
		else if (p[i] == ',' && depth == 0)
			break;
	}
	return depth == 0 ? i : -1;
}

/*
 * The device name, the part before any comma, must be a name: not a bare
 * devargs keyword ("bus", "class": 22.11's rte_devargs_parse() dereferences
 * NULL on them), not a bus name alone ("pci", "vdev", "auxiliary": it takes
 * that for a "<bus>:" prefix and reads past the end of the string), not a
 * layered "key=value" string (whose name is ''), and holding no parenthesis
 * (a misplaced one: "net_tap0(,iface=x)" would be the name "net_tap0(" of a
 * device that never comes).
 */
static int
check_dev_name(const char *key, const char *dev)
{
	size_t n = strcspn(dev, ",");
	char name[RTE_DEV_NAME_MAX_LEN];
	bool bus = false;

	if (n < sizeof(name)) {
		memcpy(name, dev, n);
		name[n] = '\0';
		bus = rte_bus_find_by_name(name) != NULL;
	}
	if (bus || (n == 3 && strncmp(dev, "bus", 3) == 0) ||
	    (n == 5 && strncmp(dev, "class", 5) == 0) || strcspn(dev, "=/()") < n) {
		FO_LOG(ERR, "%s: '%.*s' is not a device name (a driver name and id, or a bus"
		       " address, such as net_tap0 or 0000:00:04.0)", key, (int)n, dev);
		return -EINVAL;
	}
	return 0;
}

/* Check a device and extract its name (the part before any comma). */
static int
parse_dev(const char *key, const char *val, struct fo_args *args, int role)
{
	struct rte_devargs da;
	size_t len = strlen(val);
	const char *dev = val;
	int ret;

	if (val[0] == '(') {
		if (len < 2 || val[len - 1] != ')') {
			FO_LOG(ERR, "%s: text after the closing parenthesis in '%s'", key, val);
			return -EINVAL;
		}
		dev = val + 1;
		len -= 2;
		args->probe[role] = true;
	}
	if (len == 0 || dev[0] == ',') {
		FO_LOG(ERR, "%s: empty device", key);
		return -EINVAL;
	}
	/* kept in fo_sub.devstr to probe the device again after an unplug */
	if (len >= FO_DEVSTR_MAX) {
		FO_LOG(ERR, "%s: device string '%.32s...' longer than %d characters", key, dev,
		       FO_DEVSTR_MAX - 1);
		return -EINVAL;
	}
	args->dev[role] = strndup(dev, len);
	if (args->dev[role] == NULL)
		return -ENOMEM;
	if (check_dev_name(key, args->dev[role]) != 0)
		return -EINVAL;
	memset(&da, 0, sizeof(da));
	ret = rte_devargs_parse(&da, args->dev[role]);
	if (ret != 0) {
		FO_LOG(ERR, "%s: no bus or driver knows device '%s'", key, args->dev[role]);
		rte_devargs_reset(&da);
		return -EINVAL;
	}
	strlcpy(args->name[role], da.name, sizeof(args->name[role]));
	rte_devargs_reset(&da);
	if (args->name[role][0] == '\0') {
		FO_LOG(ERR, "%s: '%s' names no device", key, args->dev[role]);
		return -EINVAL;
	}
	return 0;
}

static int
parse_mac(const char *val, struct fo_args *args)
{
	if (rte_ether_unformat_addr(val, &args->mac) != 0 ||
	    !rte_is_valid_assigned_ether_addr(&args->mac)) {
		FO_LOG(ERR, "mac: '%s' is not a unicast MAC address", val);
		return -EINVAL;
	}
	args->mac_set = true;
	return 0;
}

/* A number of ms in 0-max. */
static int
parse_ms(const char *key, const char *val, uint32_t max, uint32_t *ms)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (val[0] < '0' || val[0] > '9' || *end != '\0' || errno != 0 || v > max) {
		FO_LOG(ERR, "%s: '%s' is not a number of ms in 0-%u", key, val, max);
		return -EINVAL;
	}
	*ms = v;
	return 0;
}

/* A number of us in min-max. */
static int
parse_us(const char *key, const char *val, uint32_t min, uint32_t max, uint32_t *us)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (val[0] < '0' || val[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
		FO_LOG(ERR, "%s: '%s' is not a number of us in %u-%u", key, val, min, max);
		return -EINVAL;
	}
	*us = v;
	return 0;
}

static int
parse_hotplug(const char *val, struct fo_args *args)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fo_hotplug_names); i++)
		if (strcmp(val, fo_hotplug_names[i]) == 0) {
			args->hotplug = i;
			return 0;
		}
	FO_LOG(ERR, "hotplug: '%s' is not off, named or mac", val);
	return -EINVAL;
}

static int
parse_bool(const char *key, const char *val, bool *out)
{
	if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
		FO_LOG(ERR, "%s: '%s' is not 0 or 1", key, val);
		return -EINVAL;
	}
	*out = val[0] == '1';
	return 0;
}

static int
parse_rx_port(const char *val, struct fo_args *args)
{
	bool rewrite;
	int ret = parse_bool(FO_ARG_RX_PORT, val, &rewrite);

	if (ret == 0)
		args->rx_port_keep = !rewrite;
	return ret;
}

static int
parse_item(char *item, struct fo_args *args, unsigned int *seen)
{
	char *val = strchr(item, '=');
	unsigned int k;

	if (val == NULL || val == item) {
		FO_LOG(ERR, "'%s' is not key=value", item);
		return -EINVAL;
	}
	*val++ = '\0';
	for (k = 0; k < RTE_DIM(fo_arg_keys); k++)
		if (strcmp(item, fo_arg_keys[k]) == 0)
			break;
	if (k == RTE_DIM(fo_arg_keys)) {
		FO_LOG(ERR, "unknown key '%s'", item);
		return -EINVAL;
	}
	if (*seen & RTE_BIT32(k)) {
		FO_LOG(ERR, "duplicate key '%s'", item);
		return -EINVAL;
	}
	*seen |= RTE_BIT32(k);
	if (strcmp(item, FO_ARG_PRIMARY) == 0)
		return parse_dev(item, val, args, FO_PRIMARY);
	if (strcmp(item, FO_ARG_STANDBY) == 0)
		return parse_dev(item, val, args, FO_STANDBY);
	if (strcmp(item, FO_ARG_MAC) == 0)
		return parse_mac(val, args);
	if (strcmp(item, FO_ARG_RX_PORT) == 0)
		return parse_rx_port(val, args);
	if (strcmp(item, FO_ARG_HOTPLUG) == 0)
		return parse_hotplug(val, args);
	if (strcmp(item, FO_ARG_FLOW_PARTIAL) == 0)
		return parse_bool(item, val, &args->flow_partial);
	if (strcmp(item, FO_ARG_RX_IDLE_POLL) == 0)
		return parse_us(item, val, FO_RX_IDLE_POLL_US_MIN, FO_RX_IDLE_POLL_US_MAX,
				&args->rx_idle_poll_us);
	if (strcmp(item, FO_ARG_HOTPLUG_TIMEOUT) == 0)
		return parse_ms(item, val, FO_HOTPLUG_TIMEOUT_MS_MAX, &args->hotplug_timeout_ms);
	if (strcmp(item, FO_ARG_ADOPT_DELAY) == 0)
		return parse_ms(item, val, FO_ADOPT_DELAY_MS_MAX, &args->adopt_delay_ms);
	return parse_ms(item, val, FO_LINK_POLL_MS_MAX, &args->link_poll_ms);
}

static int
check_args(const struct fo_args *args)
{
	int r;

	if (args->dev[FO_PRIMARY] == NULL && args->dev[FO_STANDBY] == NULL &&
	    !args->mac_set) {
		FO_LOG(ERR, "nothing to pair: give primary=, standby= or mac=");
		return -EINVAL;
	}
	for (r = 0; r < FO_NB_SUBS; r++)
		if (args->dev[r] != NULL && strncmp(args->name[r], FO_DRIVER_NAME,
						    strlen(FO_DRIVER_NAME)) == 0) {
			FO_LOG(ERR, "%s: '%s' is a failover port, not a sub-port",
			       fo_role_name[r], args->name[r]);
			return -EINVAL;
		}
	if (args->dev[FO_PRIMARY] != NULL && args->dev[FO_STANDBY] != NULL &&
	    strcmp(args->name[FO_PRIMARY], args->name[FO_STANDBY]) == 0) {
		FO_LOG(ERR, "primary and standby are the same device '%s'",
		       args->name[FO_PRIMARY]);
		return -EINVAL;
	}
	return 0;
}

void
fo_args_free(struct fo_args *args)
{
	int r;

	for (r = 0; r < FO_NB_SUBS; r++) {
		free(args->dev[r]);
		args->dev[r] = NULL;
	}
}

int
fo_args_parse(const char *params, struct fo_args *args)
{
	char *buf, *p, *next;
	unsigned int seen = 0;
	int len, ret = 0;

	memset(args, 0, sizeof(*args));
	args->link_poll_ms = FO_LINK_POLL_MS_DEFAULT;
	args->hotplug = FO_HOTPLUG_MAC;
	args->hotplug_timeout_ms = FO_HOTPLUG_TIMEOUT_MS_DEFAULT;
	args->adopt_delay_ms = FO_ADOPT_DELAY_MS_DEFAULT;
	args->rx_idle_poll_us = FO_RX_IDLE_POLL_US_DEFAULT;
	buf = strdup(params != NULL ? params : "");
	if (buf == NULL)
		return -ENOMEM;
	for (p = buf; ret == 0 && p != NULL; p = next) {
		len = item_len(p);
		next = len > 0 && p[len] == ',' ? p + len + 1 : NULL;
		if (len < 0) {
			FO_LOG(ERR, "unbalanced parentheses in '%s'", p);
			ret = -EINVAL;
		} else if (len == 0 && (p != buf || p[0] != '\0')) {
			FO_LOG(ERR, "empty item in '%s'", params);
			ret = -EINVAL;
		} else if (len > 0) {
			p[len] = '\0';
			ret = parse_item(p, args, &seen);
		}
	}
	if (ret == 0)
		ret = check_args(args);
	free(buf);
	if (ret != 0)
		fo_args_free(args);
	return ret;
}
