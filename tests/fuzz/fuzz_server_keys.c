/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: `/_matrix/key/v2/server` documents as fetched from the
 * network. Parse and validate (self-signatures, key IDs, validity); on
 * success read every key and ask which may verify an event at a few
 * times. A document the fuzzer wrote cannot carry valid signatures, so
 * it must be refused unless it has no signature to check at all, which
 * validation must also refuse. Nothing may crash or leak.
 */
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mxc_server_keys *ks = NULL;
	mxc_error err;
	if (mxc_server_keys_parse(&ks, (const char *)data, size, NULL, NULL,
	                          &err) != MXC_OK)
		return 0;
	/* a seed file of the corpus may be a real, validly signed document */
	(void)mxc_server_keys_server_name(ks, NULL);
	(void)mxc_server_keys_valid_until_ts(ks);
	for (size_t i = 0; i < mxc_server_keys_count(ks); i++) {
		const char *kid = mxc_server_keys_key_id(ks, i);
		if (!kid || !mxc_server_keys_key_public(ks, i))
			abort();
		(void)mxc_server_keys_key_is_old(ks, i);
		(void)mxc_server_keys_key_until_ts(ks, i);
		size_t idx;
		if (mxc_server_keys_find(&idx, ks, kid) != MXC_OK || idx != i)
			abort();
		const int64_t ts[] = {0, 1700000000000, INT64_MAX};
		for (size_t t = 0; t < 3; t++) {
			const uint8_t *pk;
			int64_t until;
			(void)mxc_server_keys_key_for_event(&pk, &until, ks, kid,
			                                    ts[t], NULL);
			(void)mxc_server_keys_key_for_request(&pk, ks, kid, ts[t],
			                                      NULL);
		}
	}
	mxc_server_keys_free(ks);
	return 0;
}
