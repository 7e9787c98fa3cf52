/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Guards on the devices of adopted sub-ports. A device detached by someone
 * else (rte_dev_remove(): testpmd's "device detach", an application's
 * hot-unplug handling) reaches its PMD's remove, which frees the port's
 * queues and only then has ethdev raise RTE_ETH_EVENT_DESTROY: a burst of
 * ours may still be inside the sub-port between the two. So, while a
 * device is adopted, the remove of its bus driver is interposed: its
 * rte_device (and, on PCI, rte_pci_device) points at a copy of its driver
 * whose remove first takes the port off the fast path (FO_EV_GONE, the
 * paths published, a grace period), puts the real driver back, and then
 * calls the real remove. The copy serves every other purpose as the
 * original (same name, flags, probe, DMA map). vdev and PCI devices are
 * guarded; on another bus the window is left as ethdev has it (the guide
 * says so).
 *
 * Our own release of a sub-port puts the driver back first (fo_guard_clear()),
 * so that our removal of a device goes straight to its PMD.
 */

#include <string.h>

#include <rte_spinlock.h>
#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <dev_driver.h>

#include "failover_private.h"

enum fo_guard_bus { FO_GUARD_VDEV, FO_GUARD_PCI };

struct fo_guard {
	struct rte_device *dev;       /* NULL: free entry */
	struct fo_priv *priv;
	uint16_t port;
	enum fo_guard_bus bus;
	const struct rte_driver *orig;
	union {
		const struct rte_vdev_driver *vdev;
		const struct rte_pci_driver *pci;
	} real;
	union {
		struct rte_vdev_driver vdev;
		struct rte_pci_driver pci;
	} copy;
};

static struct fo_guard fo_guards[RTE_MAX_ETHPORTS];
static rte_spinlock_t fo_guard_lock = RTE_SPINLOCK_INITIALIZER;

static struct fo_guard *
fo_guard_find(const struct rte_device *dev)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(fo_guards); i++)
		if (fo_guards[i].dev == dev)
			return &fo_guards[i];
	return NULL;
}

/* Put the real driver back (under fo_guard_lock); the entry is freed. */
static void
fo_guard_restore(struct fo_guard *g)
{
	if (g->dev->driver == (g->bus == FO_GUARD_VDEV ? &g->copy.vdev.driver :
						       &g->copy.pci.driver)) {
		g->dev->driver = g->orig;
		if (g->bus == FO_GUARD_PCI)
			RTE_DEV_TO_PCI(g->dev)->driver = (struct rte_pci_driver *)(uintptr_t)
							 g->real.pci;
	}
	g->dev = NULL;
	g->priv = NULL;
}

/*
 * The interposed remove's first half: the port leaves the fast path and
 * no burst is inside it any more; the real driver is back. Any thread.
 */
static bool
fo_guard_leave(struct rte_device *dev, struct fo_guard *out)
{
	struct fo_guard *g;
	int role;

	rte_spinlock_lock(&fo_guard_lock);
	g = fo_guard_find(dev);
	if (g != NULL) {
		*out = *g;
		fo_guard_restore(g);
	}
	rte_spinlock_unlock(&fo_guard_lock);
	/* released meanwhile: the real driver is back, the port is not ours */
	if (g == NULL)
		return false;
	role = fo_port_role(out->priv, out->port);
	if (role == FO_NONE)
		return true;
	FO_LOG(NOTICE, "%s: %s port %u: its device %s is being removed", out->priv->dev->data->name,
	       fo_role_name[role], out->port, dev->name);
	/* off the fast path, but not forgotten yet: its counters are read last */
	__atomic_fetch_or(&out->priv->sub[role].ev, FO_EV_DYING, __ATOMIC_ACQ_REL);
	fo_paths_publish(out->priv);
	fo_quiesce(out->priv);
	fo_intr_sub_disarm(out->priv, &out->priv->sub[role]);
	fo_stats_final(&out->priv->sub[role]);
	__atomic_fetch_or(&out->priv->sub[role].ev, FO_EV_GONE, __ATOMIC_ACQ_REL);
	return true;
}

static int
fo_guard_vdev_remove(struct rte_vdev_device *vdev)
{
	const struct rte_vdev_driver *real;
	struct fo_guard g;

	real = fo_guard_leave(&vdev->device, &g) ? g.real.vdev :
	       container_of(vdev->device.driver, const struct rte_vdev_driver, driver);
	return real->remove != NULL && real->remove != fo_guard_vdev_remove ?
	       real->remove(vdev) : 0;
}

static int
fo_guard_pci_remove(struct rte_pci_device *pdev)
{
	const struct rte_pci_driver *real;
	struct fo_guard g;

	real = fo_guard_leave(&pdev->device, &g) ? g.real.pci : pdev->driver;
	return real->remove != NULL && real->remove != fo_guard_pci_remove ?
	       real->remove(pdev) : 0;
}

/* Fill an entry for a device of a bus we know; false for any other bus. */
static bool
fo_guard_fill(struct fo_guard *g, struct rte_device *dev)
{
	const char *bus = rte_bus_name(dev->bus);

	if (strcmp(bus, "vdev") == 0) {
		g->bus = FO_GUARD_VDEV;
		g->real.vdev = container_of(dev->driver, const struct rte_vdev_driver, driver);
		g->copy.vdev = *g->real.vdev;
		g->copy.vdev.remove = fo_guard_vdev_remove;
		dev->driver = &g->copy.vdev.driver;
		return true;
	}
	if (strcmp(bus, "pci") == 0 && RTE_DEV_TO_PCI(dev)->driver != NULL) {
		g->bus = FO_GUARD_PCI;
		g->real.pci = RTE_DEV_TO_PCI(dev)->driver;
		g->copy.pci = *g->real.pci;
		g->copy.pci.remove = fo_guard_pci_remove;
		RTE_DEV_TO_PCI(dev)->driver = &g->copy.pci;
		dev->driver = &g->copy.pci.driver;
		return true;
	}
	return false;
}

/* An adopted sub-port: interpose on its device's remove. */
void
fo_guard_set(struct fo_priv *priv, uint16_t port)
{
	struct rte_device *dev = rte_eth_devices[port].device;
	struct fo_guard *g;
	bool ok = false;

	if (dev == NULL || dev->driver == NULL || dev->bus == NULL)
		return;
	rte_spinlock_lock(&fo_guard_lock);
	if (fo_guard_find(dev) == NULL) {
		g = fo_guard_find(NULL);
		if (g != NULL) {
			g->orig = dev->driver;
			ok = fo_guard_fill(g, dev);
			if (ok) {
				g->dev = dev;
				g->priv = priv;
				g->port = port;
			}
		}
	}
	rte_spinlock_unlock(&fo_guard_lock);
	if (!ok)
		FO_LOG(DEBUG, "%s: device %s of port %u not guarded (bus %s)",
		       priv->dev->data->name, dev->name, port, rte_bus_name(dev->bus));
}

/* The sub-port is released (or gone): its device's driver is the real one. */
void
fo_guard_clear(uint16_t port)
{
	unsigned int i;

	rte_spinlock_lock(&fo_guard_lock);
	for (i = 0; i < RTE_DIM(fo_guards); i++)
		if (fo_guards[i].dev != NULL && fo_guards[i].port == port)
			fo_guard_restore(&fo_guards[i]);
	rte_spinlock_unlock(&fo_guard_lock);
}
