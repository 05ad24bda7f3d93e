/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled as strict C99 and as C++: the public headers must be clean. */
#include <matrix-core.h>

int
main(void)
{
	return mxc_version_number() == MXC_VERSION_NUMBER ? 0 : 1;
}
