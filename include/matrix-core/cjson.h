/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: a bridge between mxc_json values and cJSON trees, for hosts
 * that already use cJSON. Opt-in: <matrix-core.h> does not include this
 * header (it needs cJSON's own); include <matrix-core/cjson.h> and build
 * with libcjson's flags (pkg-config libcjson). The library provides these
 * functions only when it was built with libcjson.
 *
 * What cJSON cannot hold, and what the bridge does about it:
 *  - Strings are NUL-terminated in cJSON: a string or key containing
 *    U+0000 (which JSON and matrix-core allow) cannot be converted, and
 *    mxc_json_to_cjson fails with MXC_ERR_UNSUPPORTED rather than cut it.
 *  - cJSON keeps every number as a double. Towards cJSON, integers are
 *    exact up to 2^53 in magnitude; a larger integer (only lenient trees
 *    hold one) is MXC_ERR_JSON_NUMBER_RANGE rather than a rounded value;
 *    a float (lenient trees) becomes the nearest double, and cJSON then
 *    prints an integral double as an integer (1.0 as 1, 1e10 as
 *    10000000000): the lexeme is not kept. Note that cJSON's printer
 *    writes a number with 15 significant digits whenever that reads back
 *    within its tolerance, so integers above about 10^15 print inexactly
 *    (9007199254740991 as 9.00719925474099e+15) although `valuedouble`
 *    holds them exactly.
 *  - From cJSON, a number whose double is integral and within canonical
 *    JSON's range [-(2^53)+1, 2^53-1] becomes an integer (so 1.0 and 1
 *    both become 1, and -0.0 becomes 0); anything else (a fraction, a
 *    larger magnitude, infinity, NaN) is MXC_ERR_JSON_NUMBER_RANGE, since
 *    canonical JSON has no floats.
 *  - cJSON does not check UTF-8 and allows repeated keys: from cJSON,
 *    invalid UTF-8 is MXC_ERR_JSON_UTF8 and a repeated key
 *    MXC_ERR_JSON_DUPLICATE_KEY, as for mxc_json_parse. A cJSON_Raw item
 *    is parsed as JSON text (strictly).
 *  - cJSON allocates through its own hooks (cJSON_InitHooks), not through
 *    an mxc_allocator.
 */
#ifndef MATRIX_CORE_CJSON_H
#define MATRIX_CORE_CJSON_H

#include "common.h"
#include "json.h"

#if defined(__has_include)
#if __has_include(<cjson/cJSON.h>)
#include <cjson/cJSON.h>
#else
#include <cJSON.h>
#endif
#else
#include <cjson/cJSON.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Convert a value to a new cJSON tree (object members in canonical order).
 * @param out  receives the tree, to free with cJSON_Delete
 * @return MXC_OK; MXC_ERR_UNSUPPORTED (U+0000 in a string or key,
 *         err->subject names the path); MXC_ERR_JSON_NUMBER_RANGE (an
 *         integer beyond 2^53 in magnitude); MXC_ERR_INVALID_ARGUMENT;
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_json_to_cjson(cJSON **out, const mxc_json *v,
                              mxc_error *err);

/**
 * Convert a cJSON tree to a new mxc_json value (the cJSON tree is not
 * modified and need not outlive the result).
 * @param out  receives a root to free with mxc_json_free
 * @return MXC_OK; MXC_ERR_JSON_NUMBER_RANGE (a number that is not an
 *         integer of canonical JSON's range); MXC_ERR_JSON_UTF8;
 *         MXC_ERR_JSON_DUPLICATE_KEY; MXC_ERR_JSON_DEPTH (nested deeper
 *         than MXC_JSON_MAX_DEPTH); a status of mxc_json_parse for a
 *         cJSON_Raw item; MXC_ERR_INVALID_ARGUMENT (an invalid item, a
 *         NULL string or key); MXC_ERR_NOMEM
 */
MXC_API int mxc_json_from_cjson(mxc_json **out, const cJSON *item,
                                const mxc_allocator *alloc, mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
