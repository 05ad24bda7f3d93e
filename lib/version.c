/* SPDX-License-Identifier: Apache-2.0 */
/* Version getters and library initialisation. */
#include <sodium.h>

#include "internal.h"

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
