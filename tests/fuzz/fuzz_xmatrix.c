/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: `Authorization: X-Matrix ...` header values, as a server
 * receives them from anyone. Parse; on success read every parameter and
 * verify the request against a fixed key (it must not verify: the fuzzer
 * cannot forge ed25519). Nothing may crash or leak.
 */
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static mxc_signing_key *key;
	static uint8_t pub[32];
	if (!key) {
		mxc_init();
		if (mxc_signing_key_new(&key, seed, sizeof seed, "ed25519:f", NULL,
		                        NULL))
			abort();
		mxc_signing_key_public(pub, key);
	}
	mxc_xmatrix *x = NULL;
	mxc_error err;
	if (mxc_xmatrix_parse(&x, (const char *)data, size, NULL, &err) != MXC_OK)
		return 0;
	size_t n;
	if (!mxc_xmatrix_origin(x, &n) || !mxc_xmatrix_key_id(x, &n) ||
	    !mxc_xmatrix_sig(x, &n))
		abort(); /* a parsed header has the three required parameters */
	(void)mxc_xmatrix_destination(x, &n);
	int rc = mxc_xmatrix_verify(x, "GET", "/_matrix/federation/v1/version",
	                            "dest.example", NULL, pub, sizeof pub, &err);
	if (rc == MXC_OK)
		abort(); /* no input can carry a valid signature of this key */
	mxc_xmatrix_free(x);
	return 0;
}
