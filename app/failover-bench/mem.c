/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The mempool. Without reserved hugepages EAL memory sits on 4 KiB pages,
 * so each mbuf touched is a TLB miss that hides the cost of a wrapper. The
 * pool is therefore placed on an external malloc heap made of anonymous
 * memory advised with MADV_HUGEPAGE (transparent huge pages).
 */

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench.h"

#define THP_SIZE (2u << 20)
#define THP_AREA (64u << 20)
#define THP_HEAP "bench_thp"

static bool
thp_available(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[never]") == NULL && buf[0] != '\0';
}

/* kB of the mapping at addr that the kernel backs with huge pages. */
static long
thp_backed_kb(const void *addr)
{
	char line[256], perms[8];
	unsigned long lo, hi;
	bool in = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3)
			in = lo == (unsigned long)addr;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* A 2 MiB aligned anonymous area advised for THP, faulted in. */
static void *
thp_area(void)
{
	size_t len = THP_AREA + THP_SIZE;
	uint8_t *raw, *va;

	raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	va = RTE_PTR_ALIGN_CEIL(raw, THP_SIZE);
	if (va > raw)
		munmap(raw, va - raw);
	munmap(va + THP_AREA, raw + len - (va + THP_AREA));
	if (madvise(va, THP_AREA, MADV_HUGEPAGE) != 0) {
		munmap(va, THP_AREA);
		return NULL;
	}
	memset(va, 0, THP_AREA);
	return va;
}

static int
thp_heap_socket(void)
{
	void *va;
	int socket;

	if (!thp_available()) {
		printf("note: transparent huge pages disabled: mempool on 4 KiB pages\n");
		return -1;
	}
	va = thp_area();
	if (va == NULL) {
		printf("note: no THP area (mmap/madvise failed): mempool on 4 KiB pages\n");
		return -1;
	}
	if (rte_malloc_heap_create(THP_HEAP) != 0 ||
	    rte_malloc_heap_memory_add(THP_HEAP, va, THP_AREA, NULL, THP_AREA / THP_SIZE,
				       THP_SIZE) != 0) {
		printf("note: external heap refused (%s): mempool on 4 KiB pages\n",
		       rte_strerror(rte_errno));
		munmap(va, THP_AREA);
		return -1;
	}
	socket = rte_malloc_heap_get_socket(THP_HEAP);
	printf("mempool memory: %u MiB anonymous, MADV_HUGEPAGE, %ld kB backed by THP\n",
	       THP_AREA >> 20, thp_backed_kb(va));
	return socket;
}

struct rte_mempool *
bench_pool_create(bool thp)
{
	int socket = thp ? thp_heap_socket() : -1;
	struct rte_mempool *mp;

	if (socket < 0)
		socket = (int)rte_socket_id();
	mp = rte_pktmbuf_pool_create("bench_pool", BENCH_NB_MBUFS, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (mp == NULL)
		printf("error: mempool: %s\n", rte_strerror(rte_errno));
	return mp;
}
