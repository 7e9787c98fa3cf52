/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Devices that RTE_DEV_EVENT_ADD announces. On a real hypervisor the
 * event comes from the kernel's uevent before the device is usable: the
 * guest kernel may not have bound vfio-pci or assigned the BARs yet, and
 * a probe at once fails ("Cannot find device"). So an announced device is
 * kept in a short list and probed once it is really there: known to its
 * bus, bound to a driver DPDK can use, resources assigned. The first
 * attempt is at once, then after 2 ms, doubling up to 100 ms, until
 * hotplug_timeout_ms after the announcement, then given up with one log
 * line saying what was missing. Nothing runs while nothing is announced.
 *
 * Which devices: the device a role had (its devargs name, or the device
 * of the last port in the role), probed with the role's device string;
 * and with hotplug=mac (the default) also a new network device, as a VF
 * returning at another PCI address after a migration: it is probed with
 * its own devargs, and paired if its port carries the failover MAC (the
 * kernel's rule); if it does not, or its role is held, or it is unfit,
 * it is removed again and the log says why. Never taken: a device EAL's
 * -a/-b policy excludes, one probed already (its port pairs through
 * RTE_ETH_EVENT_NEW if it is free), one bound to a kernel driver DPDK
 * cannot use, one whose probe fails (e.g. another process holds it).
 *
 * The list is written by the event callback under hp_lock and worked
 * through by fo_sync() under the control lock.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_devargs.h>
#include <bus_driver.h>
#include <dev_driver.h>

#include "failover_private.h"

#define FO_HP_RETRY_MS_MAX 100
#define FO_SYSFS_PCI "/sys/bus/pci/devices"
#define FO_PCI_CLASS_NETWORK 0x02

/* Kernel drivers a DPDK PCI PMD can work through. */
static const char *const fo_pci_drivers[] = {
	"vfio-pci", "uio_pci_generic", "igb_uio", "mlx5_core", "mlx4_core",
};

enum fo_hp_result { FO_HP_DONE, FO_HP_RETRY };

static uint64_t
fo_ms_cycles(uint64_t ms)
{
	return rte_get_timer_hz() * ms / 1000;
}

static double
fo_cycles_ms(uint64_t c)
{
	return c * 1000.0 / rte_get_timer_hz();
}

/* Called from the RTE_DEV_EVENT_ADD callback: record; true when recorded. */
bool
fo_hp_announce(struct fo_priv *priv, const char *name)
{
	uint64_t now = rte_get_timer_cycles();
	struct fo_hp_dev *d = NULL;
	unsigned int i;

	if (priv->args.hotplug == FO_HOTPLUG_OFF)
		return false;
	rte_spinlock_lock(&priv->hp_lock);
	for (i = 0; i < priv->nb_hp && d == NULL; i++)
		if (strcmp(priv->hp[i].name, name) == 0)
			d = &priv->hp[i];
	if (d == NULL && priv->nb_hp < FO_HP_MAX)
		d = &priv->hp[priv->nb_hp++];
	if (d != NULL) {
		memset(d, 0, sizeof(*d));
		strlcpy(d->name, name, sizeof(d->name));
		d->since = now;
		d->next = now;
	}
	rte_spinlock_unlock(&priv->hp_lock);
	if (d == NULL)
		FO_LOG(WARNING, "%s: %u devices announced and not settled: %s ignored",
		       priv->dev->data->name, FO_HP_MAX, name);
	return d != NULL;
}

static int
fo_sysfs_read(const char *dir, const char *name, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, len, f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Name of the kernel driver bound to the device; -1 if none. */
static int
fo_sysfs_driver(const char *dir, const char *name, char *drv, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", dir, name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	strlcpy(drv, base != NULL ? base + 1 : link, len);
	return 0;
}

/* True when some BAR has an address (the resource file: one line a BAR). */
static bool
fo_sysfs_bars(const char *dir, const char *name)
{
	char path[PATH_MAX], line[128];
	unsigned long long start, end, flags;
	bool any = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/resource", dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (!any && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3)
			any = start != 0 && end > start;
	fclose(f);
	return any;
}

/* MAC of a kernel network interface of the device, if it has one. */
static int
fo_sysfs_mac(const char *dir, const char *name, struct rte_ether_addr *mac)
{
	char path[PATH_MAX], buf[64];
	struct dirent *e;
	int ret = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/net", dir, name);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while (ret != 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/net/%s", name, e->d_name);
		if (fo_sysfs_read(dir, path, "address", buf, sizeof(buf)) == 0)
			ret = rte_ether_unformat_addr(buf, mac);
	}
	closedir(d);
	return ret;
}

/*
 * Is the PCI device in the sysfs tree dir usable by a DPDK PMD now? WAIT
 * while it may still become so, REFUSE when it will not; why says what.
 * by_mac: a device found by MAC (not named by a role), which must be a
 * network controller; mac: the failover's, to name a VF bound to a kernel
 * driver. Separate from the rest for the unit tests (a fake sysfs tree).
 */
enum fo_hp_state
fo_hp_pci_state(const char *dir, const char *name, bool by_mac,
		const struct rte_ether_addr *mac, char *why, size_t len)
{
	char buf[64], drv[64], path[PATH_MAX];
	struct rte_ether_addr has;
	struct stat st;
	unsigned long cls;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) != 0) {
		snprintf(why, len, "not on the PCI bus");
		return FO_HP_WAIT;
	}
	if (by_mac) {
		if (fo_sysfs_read(dir, name, "class", buf, sizeof(buf)) != 0) {
			snprintf(why, len, "no PCI class yet");
			return FO_HP_WAIT;
		}
		cls = strtoul(buf, NULL, 16);
		if ((cls >> 16) != FO_PCI_CLASS_NETWORK) {
			snprintf(why, len, "not a network controller (class 0x%06lx)", cls);
			return FO_HP_REFUSE;
		}
	}
	if (fo_sysfs_driver(dir, name, drv, sizeof(drv)) != 0) {
		snprintf(why, len, "no kernel driver bound");
		return FO_HP_WAIT;
	}
	for (i = 0; i < RTE_DIM(fo_pci_drivers); i++)
		if (strcmp(drv, fo_pci_drivers[i]) == 0)
			break;
	if (i == RTE_DIM(fo_pci_drivers)) {
		if (by_mac && fo_sysfs_mac(dir, name, &has) == 0 && rte_is_same_ether_addr(&has, mac))
			snprintf(why, len, "carries the failover MAC but is bound to kernel driver %s"
				 " (bind it to vfio-pci)", drv);
		else
			snprintf(why, len, "bound to kernel driver %s, not one DPDK can use", drv);
		/* a named device may be on its way to vfio-pci (driver_override) */
		return by_mac ? FO_HP_REFUSE : FO_HP_WAIT;
	}
	if (!fo_sysfs_bars(dir, name)) {
		snprintf(why, len, "bound to %s but no BAR assigned", drv);
		return FO_HP_WAIT;
	}
	return FO_HP_READY;
}

static int
fo_dev_cmp_name(const struct rte_device *dev, const void *name)
{
	return strcmp(dev->name, name);
}

/* The device of da on its bus, as the bus knows it now; NULL if none. */
static struct rte_device *
fo_bus_device(const struct rte_devargs *da)
{
	return da->bus->find_device(NULL, fo_dev_cmp_name, da->name);
}

static bool
fo_dev_probed(const struct rte_devargs *da)
{
	struct rte_device *dev = fo_bus_device(da);

	return dev != NULL && rte_dev_is_probed(dev);
}

/*
 * Before probing a device string of ours: a device a removed failover port
 * left on its bus (fo_orphan_take()) is removed, to be probed anew.
 */
void
fo_orphan_reclaim(const char *devstr)
{
	struct rte_devargs da;
	struct rte_device *dev;

	memset(&da, 0, sizeof(da));
	if (rte_devargs_parse(&da, devstr) != 0)
		return;
	dev = fo_orphan_take(da.name) ? fo_bus_device(&da) : NULL;
	if (dev != NULL && rte_dev_remove(dev) != 0)
		FO_LOG(WARNING, "could not remove device %s left by a removed failover port",
		       da.name);
	rte_devargs_reset(&da);
}

/* Whether a device string names a device probed already (by anyone). */
bool
fo_devstr_probed(const char *devstr)
{
	struct rte_devargs da;
	bool probed;

	memset(&da, 0, sizeof(da));
	if (rte_devargs_parse(&da, devstr) != 0)
		return false;
	probed = fo_dev_probed(&da);
	rte_devargs_reset(&da);
	return probed;
}

/*
 * A device found by MAC: known to its bus and not probed, allowed by
 * EAL's policy. Only PCI devices appear by themselves: on another bus
 * (an injected event) it must be on the bus already.
 */
static enum fo_hp_state
fo_hp_bus_state(const struct rte_devargs *da, bool pci, char *why, size_t len)
{
	struct rte_bus *bus = da->bus;
	struct rte_device *dev;

	if (bus->scan() != 0) {
		snprintf(why, len, "%s bus scan failed", bus->name);
		return FO_HP_WAIT;
	}
	dev = fo_bus_device(da);
	if (dev == NULL) {
		snprintf(why, len, "not known to the %s bus", bus->name);
		return pci ? FO_HP_WAIT : FO_HP_REFUSE;
	}
	if (rte_dev_is_probed(dev)) {
		snprintf(why, len, "probed already (its port pairs by MAC if it is free)");
		return FO_HP_REFUSE;
	}
	if (dev->devargs != NULL && dev->devargs->policy == RTE_DEV_BLOCKED) {
		snprintf(why, len, "blocked by EAL (-b)");
		return FO_HP_REFUSE;
	}
	if (bus->conf.scan_mode == RTE_BUS_SCAN_ALLOWLIST &&
	    (dev->devargs == NULL || dev->devargs->policy != RTE_DEV_ALLOWED)) {
		snprintf(why, len, "not in EAL's allow list (-a)");
		return FO_HP_REFUSE;
	}
	return FO_HP_READY;
}

/* The role whose device this is, or NULL. */
static struct fo_sub *
fo_hp_role(struct fo_priv *priv, const char *name)
{
	struct fo_sub *s;

	for (s = &priv->sub[0]; s < &priv->sub[FO_NB_SUBS]; s++)
		if (s->dev_name[0] != '\0' && strcmp(s->dev_name, name) == 0)
			return s;
	return NULL;
}

static bool
fo_role_free(const struct fo_sub *s)
{
	return fo_sub_state(s) == FO_SUB_ABSENT;
}

static bool
fo_has_free_role(const struct fo_priv *priv)
{
	return fo_role_free(&priv->sub[FO_PRIMARY]) || fo_role_free(&priv->sub[FO_STANDBY]);
}

/* How to probe a device found by MAC: its name and its own devargs. */
static void
fo_hp_devstr(const struct rte_devargs *da, char *str, size_t len)
{
	struct rte_device *dev = fo_bus_device(da);
	const char *args = dev != NULL && dev->devargs != NULL ? dev->devargs->args : NULL;

	if (args != NULL && args[0] != '\0')
		snprintf(str, len, "%s,%s", da->name, args);
	else
		strlcpy(str, da->name, len);
}

/* The sub-port holding a port of the device, or NULL. */
static struct fo_sub *
fo_hp_holder(struct fo_priv *priv, const char *name)
{
	const struct rte_device *rdev;
	struct fo_sub *s;

	FO_FOREACH_SUB(priv, s) {
		rdev = rte_eth_devices[s->port_id].device;
		if (rdev != NULL && strcmp(rdev->name, name) == 0)
			return s;
	}
	return NULL;
}

/*
 * After a probe of ours: its port was handed over (its NEW event, inside
 * the probe) and is adopted here at once. If no sub-port holds it, say
 * why and remove the device (nobody asked for it).
 */
static enum fo_hp_result
fo_hp_settle(struct fo_priv *priv, struct fo_hp_dev *d, struct fo_sub *named)
{
	struct rte_ether_addr *want = &priv->dev->data->mac_addrs[0], has;
	char a[RTE_ETHER_ADDR_FMT_SIZE], b[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_device *rdev = NULL;
	struct fo_sub *s;
	uint16_t port, last = FO_NO_PORT;

	fo_cands_settle(priv);
	s = fo_hp_holder(priv, d->name);
	if (s != NULL) {
		s->probed = true;
		FO_LOG(INFO, "%s: %s device %s added: probed%s after %u attempt(s)"
		       " in %.1f ms (the probe %.1f ms)", priv->dev->data->name,
		       fo_role_name[s->role], d->name, s == named ? "" : " (paired by MAC)",
		       d->tries, fo_cycles_ms(rte_get_timer_cycles() - d->since),
		       fo_cycles_ms(d->probe));
		return FO_HP_DONE;
	}
	for (port = 0; port < RTE_MAX_ETHPORTS; port++) {
		if (!rte_eth_dev_is_valid_port(port) || rte_eth_devices[port].device == NULL ||
		    strcmp(rte_eth_devices[port].device->name, d->name) != 0)
			continue;
		rdev = rte_eth_devices[port].device;
		last = port;
	}
	if (last == FO_NO_PORT || rte_eth_macaddr_get(last, &has) != 0)
		snprintf(d->why, sizeof(d->why), "probed but it has no port");
	else if (!rte_is_same_ether_addr(&has, want) && named == NULL)
		snprintf(d->why, sizeof(d->why), "its port carries MAC %s, the failover's is %s",
			 (rte_ether_format_addr(a, sizeof(a), &has), a),
			 (rte_ether_format_addr(b, sizeof(b), want), b));
	else
		snprintf(d->why, sizeof(d->why),
			 "its port %u was refused (role held or unfit: see above)", last);
	/* removed first: the line tells what is done */
	if (rdev != NULL && rte_dev_remove(rdev) != 0)
		FO_LOG(WARNING, "%s: could not remove device %s", priv->dev->data->name, d->name);
	FO_LOG(NOTICE, "%s: device %s added but not paired: %s; removed again",
	       priv->dev->data->name, d->name, d->why);
	return FO_HP_DONE;
}

/* One attempt at an announced device. */
static enum fo_hp_result
fo_hp_try(struct fo_priv *priv, struct fo_hp_dev *d)
{
	struct fo_sub *named = fo_hp_role(priv, d->name);
	enum fo_hp_state st = FO_HP_READY;
	char devstr[FO_DEVSTR_MAX];
	struct rte_devargs da;
	const char *sysfs;
	bool pci;
	int ret;

	if (named != NULL && !fo_role_free(named))
		return FO_HP_DONE;  /* the role holds it (or another) already */
	if (named == NULL && (priv->args.hotplug != FO_HOTPLUG_MAC || !fo_has_free_role(priv)))
		return FO_HP_DONE;
	memset(&da, 0, sizeof(da));
	if (rte_devargs_parse(&da, d->name) != 0) {
		snprintf(d->why, sizeof(d->why), "no bus knows the name");
		return FO_HP_DONE;
	}
	pci = strcmp(da.bus->name, "pci") == 0;
	d->tries++;
	if (pci) {
		sysfs = getenv("SYSFS_PCI_DEVICES");
		st = fo_hp_pci_state(sysfs != NULL ? sysfs : FO_SYSFS_PCI, da.name,
				     named == NULL, &priv->dev->data->mac_addrs[0], d->why,
				     sizeof(d->why));
	}
	if (st == FO_HP_READY && named == NULL)
		st = fo_hp_bus_state(&da, pci, d->why, sizeof(d->why));
	if (st == FO_HP_READY && named != NULL && fo_dev_probed(&da)) {
		/* the application probed it itself: its port pairs through NEW */
		snprintf(d->why, sizeof(d->why), "probed already");
		st = FO_HP_REFUSE;
	}
	if (st == FO_HP_READY && named == NULL)
		fo_hp_devstr(&da, devstr, sizeof(devstr));
	rte_devargs_reset(&da);
	if (st == FO_HP_REFUSE && named == NULL)
		FO_LOG(INFO, "%s: device %s added, not probed: %s", priv->dev->data->name,
		       d->name, d->why);
	if (st != FO_HP_READY)
		return st == FO_HP_WAIT ? FO_HP_RETRY : FO_HP_DONE;
	d->probe = rte_get_timer_cycles();
	fo_own_begin(priv);
	ret = rte_dev_probe(named != NULL ? named->devstr : devstr);
	fo_own_end(priv);
	d->probe = rte_get_timer_cycles() - d->probe;
	if (ret == -EEXIST)
		return FO_HP_DONE;
	if (ret != 0) {
		snprintf(d->why, sizeof(d->why), "probe failed: %s", rte_strerror(-ret));
		return FO_HP_RETRY;
	}
	return fo_hp_settle(priv, d, named);
}

/* Delay after attempt n: 2^n ms, at most FO_HP_RETRY_MS_MAX. */
static uint64_t
fo_hp_backoff(unsigned int tries)
{
	return fo_ms_cycles(tries < 7 ? RTE_MIN(1u << tries, (unsigned int)FO_HP_RETRY_MS_MAX) :
			    FO_HP_RETRY_MS_MAX);
}

/* Copy entry i out (under the lock); false when there is none. */
static bool
fo_hp_get(struct fo_priv *priv, unsigned int i, struct fo_hp_dev *d)
{
	bool ok;

	rte_spinlock_lock(&priv->hp_lock);
	ok = i < priv->nb_hp;
	if (ok)
		*d = priv->hp[i];
	rte_spinlock_unlock(&priv->hp_lock);
	return ok;
}

/*
 * Write an attempt's outcome back; an entry announced again meanwhile
 * (since changed) starts over instead. Returns the index to look at next.
 */
static unsigned int
fo_hp_put(struct fo_priv *priv, unsigned int i, const struct fo_hp_dev *d, bool done)
{
	struct fo_hp_dev *e;

	rte_spinlock_lock(&priv->hp_lock);
	e = &priv->hp[i];
	if (i < priv->nb_hp && e->since == d->since && strcmp(e->name, d->name) == 0) {
		if (done) {
			/* the last entry moves here: look at index i again */
			*e = priv->hp[--priv->nb_hp];
			rte_spinlock_unlock(&priv->hp_lock);
			return i;
		} else {
			*e = *d;
		}
	}
	rte_spinlock_unlock(&priv->hp_lock);
	return i + 1;
}

/*
 * Work through the announced devices whose time has come. Under the
 * control lock (fo_sync()). Returns in how many microseconds the earliest
 * one left is due (at least 1), or 0 when none is left.
 */
uint64_t
fo_hp_run(struct fo_priv *priv)
{
	uint64_t now = rte_get_timer_cycles(), wake = UINT64_MAX;
	uint64_t limit = fo_ms_cycles(priv->args.hotplug_timeout_ms);
	struct fo_hp_dev d;
	enum fo_hp_result res;
	unsigned int i = 0;
	bool done;

	while (fo_hp_get(priv, i, &d)) {
		if (d.next > now) {
			wake = RTE_MIN(wake, d.next);
			i++;
			continue;
		}
		res = fo_hp_try(priv, &d);
		done = res == FO_HP_DONE || now - d.since >= limit;
		if (res == FO_HP_RETRY && done)
			FO_LOG(ERR, "%s: gave up on added device %s after %u attempt(s) in %.0f ms:"
			       " %s", priv->dev->data->name, d.name, d.tries,
			       fo_cycles_ms(now - d.since), d.why);
		else if (res == FO_HP_RETRY)
			FO_LOG(DEBUG, "%s: added device %s not ready (attempt %u): %s",
			       priv->dev->data->name, d.name, d.tries, d.why);
		if (!done) {
			d.next = now + fo_hp_backoff(d.tries);
			wake = RTE_MIN(wake, d.next);
		}
		i = fo_hp_put(priv, i, &d, done);
	}
	if (wake == UINT64_MAX)
		return 0;
	return RTE_MAX((wake - now) * 1000000 / rte_get_timer_hz(), (uint64_t)1);
}

/* Closing: forget what was announced; no retry is left armed. */
void
fo_hp_uninit(struct fo_priv *priv)
{
	rte_spinlock_lock(&priv->hp_lock);
	priv->nb_hp = 0;
	rte_spinlock_unlock(&priv->hp_lock);
}
