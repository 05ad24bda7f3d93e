/* SPDX-License-Identifier: Apache-2.0 */
/* Version getters, ABI facts for bindings, library initialisation. */
#include <sodium.h>
#include <string.h>

#include "internal.h"
#include "matrix-core/backend.h"
#include "matrix-core/keyring.h"
#include "matrix-core/pdu.h"

const char *
mxc_version(void)
{
	return MXC_VERSION_STRING;
}

unsigned
mxc_version_number(void)
{
	return MXC_VERSION_NUMBER;
}

int
mxc_init(void)
{
	/* sodium_init: 0 on first success, 1 if already initialised */
	return sodium_init() < 0 ? MXC_ERR_FATAL : MXC_OK;
}

size_t
mxc_struct_size(const char *name)
{
#define S(T) {#T, sizeof(T)}
	static const struct {
		const char *name;
		size_t size;
	} rows[] = {
		S(mxc_error),         S(mxc_buf),           S(mxc_allocator),
		S(mxc_event_key),     S(mxc_event_verdict), S(mxc_old_verify_key),
		S(mxc_auth_type),     S(mxc_store_ops),     S(mxc_transport_ops),
		S(mxc_pdu_options),
	};
#undef S
	for (size_t i = 0; name && i < MXC_ARRAY_LEN(rows); i++)
		if (strcmp(rows[i].name, name) == 0)
			return rows[i].size;
	return 0;
}
