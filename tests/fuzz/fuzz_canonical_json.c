/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the JSON parser and the canonical encoder. For input the
 * parser accepts (strictly or leniently), the canonical output must
 * re-parse, to a value whose canonical output is the same bytes
 * (idempotence), and equal to the first value. Nothing may crash or leak.
 */
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(const uint8_t *data, size_t size, unsigned flags)
{
	mxc_json *v = NULL, *v2 = NULL;
	mxc_error err;
	if (mxc_json_parse(&v, (const char *)data, size, flags, NULL, &err))
		return;
	mxc_buf a = MXC_BUF_INIT, b = MXC_BUF_INIT;
	int rc = mxc_json_canonical(&a, v, NULL);
	if (rc == MXC_ERR_JSON_NUMBER_RANGE && flags) {
		/* a lenient number with no bounded canonical form */
		goto out;
	}
	if (rc != MXC_OK)
		abort();
	/* canonical output is itself valid input, in the same mode */
	if (mxc_json_parse(&v2, a.data, a.len, flags, NULL, &err) != MXC_OK)
		abort();
	if (mxc_json_canonical(&b, v2, NULL) != MXC_OK)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	if (!mxc_json_equal(v, v2))
		abort();
	/* the one-call form agrees */
	mxc_buf c = MXC_BUF_INIT;
	if (mxc_canonical_json(&c, (const char *)data, size, flags, NULL) !=
	        MXC_OK ||
	    c.len != a.len || memcmp(c.data, a.data, a.len) != 0)
		abort();
	mxc_buf_dispose(&c);
out:
	mxc_buf_dispose(&a);
	mxc_buf_dispose(&b);
	mxc_json_free(v);
	mxc_json_free(v2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size, 0);
	roundtrip(data, size, MXC_JSON_LENIENT_NUMBERS);
	return 0;
}
