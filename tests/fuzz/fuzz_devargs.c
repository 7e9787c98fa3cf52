/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libFuzzer target: the whole devargs string of a failover port, as
 * rte_vdev_init() hands it to the driver, into fo_args_parse().
 */

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_str("", data, size, "");

	if (in == NULL)
		return -1;
	fuzz_parse(in);
	free(in);
	return 0;
}
