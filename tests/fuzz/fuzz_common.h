/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * What both libFuzzer targets share: EAL initialised once (the buses and
 * vdev drivers registered, as rte_devargs_parse() needs them), a bounded
 * NUL-terminated copy of the input, and the invariants of a successful
 * fo_args_parse(). A broken invariant aborts, which libFuzzer reports as a
 * crash with the input saved.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "failover_private.h"

/* The driver's log type lives in failover_ethdev.c, which is not linked. */
int failover_logtype;

/* Longer inputs than this are ignored (devargs longer than this are not real). */
#define FUZZ_MAX_LEN 4096

#define FUZZ_CHECK(cond, in) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: invariant '%s' broken by '%s'\n", #cond, in); \
		abort();						\
	}								\
} while (0)

/* EAL leaves its runtime folder behind: emptied and removed at exit. */
static char fuzz_runtime[PATH_MAX];

static void
fuzz_rm_runtime(void)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(fuzz_runtime);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", fuzz_runtime, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(fuzz_runtime);
}

static int
fuzz_eal_init(void)
{
	char prefix[64];
	/* --no-huge is legacy memory in 22.11, which --in-memory refuses */
	char *argv[] = {
		(char *)"fuzz", (char *)"--no-huge", (char *)"-m", (char *)"64",
		(char *)"--no-pci", (char *)"--no-shconf", prefix,
		(char *)"-l", (char *)"0", (char *)"--log-level=*:crit", NULL,
	};
	int argc = (int)RTE_DIM(argv) - 1;

	snprintf(prefix, sizeof(prefix), "--file-prefix=fuzz_%d", (int)getpid());

	if (getenv("FUZZ_VERBOSE") != NULL)
		argv[argc - 1] = (char *)"--log-level=*:info";
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "fuzz: rte_eal_init failed\n");
		exit(1);
	}
	strlcpy(fuzz_runtime, rte_eal_get_runtime_dir(), sizeof(fuzz_runtime));
	atexit(fuzz_rm_runtime);
	failover_logtype = rte_log_register_type_and_pick_level("pmd.net.failover",
								 RTE_LOG_NOTICE);
	if (getenv("FUZZ_VERBOSE") == NULL)
		rte_log_set_level(failover_logtype, RTE_LOG_CRIT);
	return 0;
}

/* A NUL-terminated copy of (data, size), NULL if too long. */
static char *
fuzz_str(const char *prefix, const uint8_t *data, size_t size, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s;

	if (size > FUZZ_MAX_LEN)
		return NULL;
	s = malloc(pl + size + sl + 1);
	if (s == NULL)
		abort();
	memcpy(s, prefix, pl);
	memcpy(s + pl, data, size);
	memcpy(s + pl + size, suffix, sl + 1);
	return s;
}

/* What a successful parse guarantees the rest of the driver. */
static void
fuzz_check_args(const char *in, const struct fo_args *a)
{
	int r;

	FUZZ_CHECK(a->dev[FO_PRIMARY] != NULL || a->dev[FO_STANDBY] != NULL || a->mac_set, in);
	for (r = 0; r < FO_NB_SUBS; r++) {
		const char *dev = a->dev[r], *name = a->name[r];

		if (dev == NULL) {
			FUZZ_CHECK(!a->probe[r] && name[0] == '\0', in);
			continue;
		}
		FUZZ_CHECK(dev[0] != '\0' && dev[0] != ',', in);
		FUZZ_CHECK(memchr(name, '\0', sizeof(a->name[r])) != NULL, in);
		FUZZ_CHECK(name[0] != '\0', in);
		FUZZ_CHECK(strchr(name, ',') == NULL && strchr(name, '=') == NULL, in);
		/* the name is the device string's, as found by EAL */
		FUZZ_CHECK(strstr(dev, name) != NULL, in);
		/* a name is not a device string: only (...) gives arguments */
		FUZZ_CHECK(a->probe[r] || strpbrk(dev, ",()") == NULL, in);
		/* what the driver keeps to probe the device again holds it whole */
		FUZZ_CHECK(strlen(dev) < FO_DEVSTR_MAX, in);
	}
	if (a->dev[FO_PRIMARY] != NULL && a->dev[FO_STANDBY] != NULL)
		FUZZ_CHECK(strcmp(a->name[FO_PRIMARY], a->name[FO_STANDBY]) != 0, in);
	if (a->mac_set)
		FUZZ_CHECK(rte_is_valid_assigned_ether_addr(&a->mac), in);
	FUZZ_CHECK(a->link_poll_ms <= FO_LINK_POLL_MS_MAX, in);
	FUZZ_CHECK(a->hotplug_timeout_ms <= FO_HOTPLUG_TIMEOUT_MS_MAX, in);
	FUZZ_CHECK(a->hotplug == FO_HOTPLUG_OFF || a->hotplug == FO_HOTPLUG_NAMED ||
		   a->hotplug == FO_HOTPLUG_MAC, in);
}

/* Parse, check, parse again (same result: no hidden state), free. */
static void
fuzz_parse(const char *in)
{
	struct fo_args a, b;
	int r, ret;

	ret = fo_args_parse(in, &a);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL, in);
	if (ret != 0) {
		/* a failed parse leaves nothing to free */
		FUZZ_CHECK(a.dev[FO_PRIMARY] == NULL && a.dev[FO_STANDBY] == NULL, in);
		return;
	}
	fuzz_check_args(in, &a);
	FUZZ_CHECK(fo_args_parse(in, &b) == 0, in);
	for (r = 0; r < FO_NB_SUBS; r++) {
		FUZZ_CHECK((a.dev[r] == NULL) == (b.dev[r] == NULL), in);
		FUZZ_CHECK(a.dev[r] == NULL || strcmp(a.dev[r], b.dev[r]) == 0, in);
		FUZZ_CHECK(strcmp(a.name[r], b.name[r]) == 0 && a.probe[r] == b.probe[r], in);
	}
	fo_args_free(&b);
	fo_args_free(&a);
	FUZZ_CHECK(a.dev[FO_PRIMARY] == NULL && a.dev[FO_STANDBY] == NULL, in);
}

/* Both targets' libFuzzer entry points (each is one file including this). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	return fuzz_eal_init();
}

#endif /* FUZZ_COMMON_H */
