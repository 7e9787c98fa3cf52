/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libFuzzer target: one device value, the part where fo_args_parse()
 * hands over to EAL's rte_devargs_parse(). The input is tried as the
 * device string "primary=(<input>)" and as the name "standby=<input>",
 * so every mutation lands in the device-string handling (check_dev_name,
 * parse_dev) instead of the key=value layer above it.
 */

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;

	in = fuzz_str("primary=(", data, size, ")");
	if (in == NULL)
		return -1;
	fuzz_parse(in);
	free(in);
	in = fuzz_str("standby=", data, size, "");
	fuzz_parse(in);
	free(in);
	return 0;
}
