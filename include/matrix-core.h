/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: the umbrella header. Applications include this; hosts that
 * implement storage or transport callbacks also include
 * <matrix-core/backend.h>.
 *
 * Before 1.0 the ABI may change between minor versions (SONAME 0).
 */
#ifndef MATRIX_CORE_H
#define MATRIX_CORE_H

#include "matrix-core/common.h"
#include "matrix-core/version.h"
#include "matrix-core/json.h"
#include "matrix-core/keys.h"
#include "matrix-core/room_version.h"
#include "matrix-core/event.h"
#include "matrix-core/power_levels.h"
#include "matrix-core/auth.h"
#include "matrix-core/ctx.h"
#include "matrix-core/state_res.h"
#include "matrix-core/builder.h"

#endif
