// SPDX-License-Identifier: Apache-2.0
// The public headers compiled as C++.
#include <matrix-core.h>

int
main()
{
	return mxc_version_number() == MXC_VERSION_NUMBER ? 0 : 1;
}
