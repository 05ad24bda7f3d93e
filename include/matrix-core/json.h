/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: strict JSON parsing of untrusted bytes, read-only access to
 * the parsed values, and the canonical JSON encoding of the Matrix
 * specification (appendices: Canonical JSON).
 *
 * Parsing (RFC 8259 grammar, exactly):
 *  - input is bytes + length; no NUL terminator is needed, and "\u0000"
 *    inside strings is kept (strings are pointer + length);
 *  - invalid UTF-8 is rejected: overlong forms, UTF-8-encoded surrogates,
 *    code points above U+10FFFF, truncated sequences (MXC_ERR_JSON_UTF8),
 *    and so are \u escapes that leave a lone surrogate;
 *  - a key repeated in one object is rejected (MXC_ERR_JSON_DUPLICATE_KEY):
 *    two parsers reading a duplicate differently is a signature bypass;
 *  - leading zeros, trailing garbage, control characters in strings and
 *    anything else outside the grammar are MXC_ERR_JSON_SYNTAX;
 *  - nesting deeper than MXC_JSON_MAX_DEPTH arrays/objects is
 *    MXC_ERR_JSON_DEPTH;
 *  - a leading UTF-8 byte order mark is a syntax error (RFC 8259 sec. 8.1
 *    lets parsers ignore it; signed JSON must not have two readings).
 *
 * Numbers. By default (and for room versions 6 and later) numbers follow
 * canonical JSON: integers in [-(2^53)+1, 2^53-1], no fraction, no
 * exponent, no -0; anything else is MXC_ERR_JSON_NUMBER_RANGE. With
 * MXC_JSON_LENIENT_NUMBERS (room versions 1 to 5, whose events may predate
 * the rule) every number of the RFC grammar is accepted and its text kept
 * exactly; the canonical encoder then writes:
 *  - integers digit for digit at any size ("-0" as "0");
 *  - a number with an integral value written with a fraction or exponent
 *    as that integer, computed exactly from its decimal text
 *    ({"a": -0, "b": 1e10} -> {"a":0,"b":10000000000}, the spec's example);
 *    an integral value of more than MXC_JSON_MAX_NUMBER_DIGITS digits is
 *    MXC_ERR_JSON_NUMBER_RANGE rather than an unbounded expansion;
 *  - any other number as Python's repr() of the nearest double (the
 *    shortest text that reads back to that double: 51146.98, 1e-05,
 *    1.5e-300), because most such events were hashed and signed by
 *    Synapse through Python's json module; but when that double is itself
 *    integral (1e-400 is 0, 0.99999999999999999999 is 1) it is written as
 *    that integer, so that canonicalising canonical output changes nothing.
 *    Where the spec's example and Python differ (integral floats: Python
 *    writes 1e10 as 10000000000.0), the spec wins. A non-integral number
 *    beyond the range of a double is MXC_ERR_JSON_NUMBER_RANGE.
 *
 * Values are immutable after parsing and may be shared between threads.
 * Object members are kept sorted by key (by UTF-8 bytes, which is by
 * Unicode code point), so iteration order is canonical order.
 */
#ifndef MATRIX_CORE_JSON_H
#define MATRIX_CORE_JSON_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting of arrays and objects the parser accepts. */
#define MXC_JSON_MAX_DEPTH 256
/** Most digits the lenient encoder writes for one integral number. */
#define MXC_JSON_MAX_NUMBER_DIGITS 1024
/** Function twins of the macros, for bindings. */
MXC_API size_t mxc_json_max_depth(void);
MXC_API size_t mxc_json_max_number_digits(void);

/** Parse flags. */
enum {
	/** Accept numbers of any size and floats (room versions 1 to 5). */
	MXC_JSON_LENIENT_NUMBERS = 1u << 0
};

/** JSON value types. */
typedef enum mxc_json_type {
	MXC_JSON_NULL = 0,
	MXC_JSON_FALSE = 1,
	MXC_JSON_TRUE = 2,
	MXC_JSON_NUMBER = 3,
	MXC_JSON_STRING = 4,
	MXC_JSON_ARRAY = 5,
	MXC_JSON_OBJECT = 6
} mxc_json_type;

/**
 * A JSON value. The value returned by mxc_json_parse owns the whole tree
 * and is freed with mxc_json_free; values reached from it (members,
 * elements) are borrowed and live as long as that root.
 */
typedef struct mxc_json mxc_json;

/**
 * Parse untrusted JSON bytes (copied: `text` need not outlive the call).
 * @param out    receives the root value, to free with mxc_json_free
 * @param text   the bytes, not necessarily NUL-terminated
 * @param flags  0 (canonical JSON numbers) or MXC_JSON_LENIENT_NUMBERS
 * @param alloc  allocator for the tree, NULL for the C library's
 * @param err    optional detail: byte offset and JSON path of the failure
 * @return MXC_OK, MXC_ERR_JSON_SYNTAX, MXC_ERR_JSON_UTF8,
 *         MXC_ERR_JSON_DUPLICATE_KEY, MXC_ERR_JSON_DEPTH,
 *         MXC_ERR_JSON_NUMBER_RANGE, MXC_ERR_INVALID_ARGUMENT or
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_json_parse(mxc_json **out, const char *text, size_t len,
                           unsigned flags, const mxc_allocator *alloc,
                           mxc_error *err);

/** Free a root value from mxc_json_parse (or any library constructor);
 * NULL is accepted. Borrowed values must not be passed here. */
MXC_API void mxc_json_free(mxc_json *root);

/** Type of a value (MXC_JSON_NULL for a NULL pointer). */
MXC_API mxc_json_type mxc_json_get_type(const mxc_json *v);

/**
 * Integer value of a number.
 * @return MXC_OK; MXC_ERR_JSON_TYPE if `v` is not a number;
 *         MXC_ERR_JSON_NUMBER_RANGE if it is a float or outside int64
 *         (lenient parses only)
 */
MXC_API int mxc_json_get_int(int64_t *out, const mxc_json *v);

/**
 * A number's value as the nearest double.
 * @return MXC_OK, MXC_ERR_JSON_TYPE or MXC_ERR_JSON_NUMBER_RANGE (beyond
 *         the double range)
 */
MXC_API int mxc_json_get_double(double *out, const mxc_json *v);

/**
 * A number's text exactly as received (lenient parses) or in canonical
 * form (strict parses). Borrowed from the value.
 * @return the text, or NULL if `v` is not a number
 */
MXC_API const char *mxc_json_number_text(const mxc_json *v, size_t *len);

/**
 * 1 if the number is an integer (no fraction and no exponent in its text),
 * 0 otherwise (also for non-numbers).
 */
MXC_API int mxc_json_is_integer(const mxc_json *v);

/**
 * A string's decoded UTF-8 bytes (may contain NUL), borrowed from the
 * value and followed by a NUL byte that `len` does not count.
 * @return the bytes, or NULL if `v` is not a string
 */
MXC_API const char *mxc_json_get_string(const mxc_json *v, size_t *len);

/** Number of elements (array) or members (object); 0 otherwise. */
MXC_API size_t mxc_json_size(const mxc_json *v);

/** Element i of an array, or NULL if out of range or not an array. */
MXC_API const mxc_json *mxc_json_at(const mxc_json *array, size_t i);

/**
 * Member i of an object in canonical (sorted) order.
 * @param key  receives the key bytes (borrowed, NUL-terminated)
 * @return the member's value, or NULL if out of range or not an object
 */
MXC_API const mxc_json *mxc_json_member(const mxc_json *obj, size_t i,
                                        const char **key, size_t *key_len);

/**
 * Look a key up in an object (binary search, O(log n)).
 * @return the value, or NULL if absent or `obj` is not an object
 */
MXC_API const mxc_json *mxc_json_get(const mxc_json *obj, const char *key,
                                     size_t key_len);

/** mxc_json_get with a NUL-terminated key. */
MXC_API const mxc_json *mxc_json_getz(const mxc_json *obj, const char *key);

/**
 * Canonical JSON encoding of a value (appendices: Canonical JSON): keys
 * sorted by code point, no insignificant white space, only '"', '\\' and
 * U+0000 to U+001F escaped (\b \f \n \r \t short forms, the others as
 * \u00XX with lowercase hex), everything else raw UTF-8, U+007F, U+2028 and
 * U+2029 included. Numbers as described at the top of this header.
 * @param out  receives the bytes (appended to: initialise it first)
 * @return MXC_OK, MXC_ERR_JSON_NUMBER_RANGE (lenient numbers with no
 *         bounded canonical form), MXC_ERR_INVALID_ARGUMENT or
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_json_canonical(mxc_buf *out, const mxc_json *v,
                               mxc_error *err);

/**
 * Parse and canonicalise in one call: bytes in, canonical bytes out.
 * @param flags  as for mxc_json_parse
 * @return any status of mxc_json_parse or mxc_json_canonical
 */
MXC_API int mxc_canonical_json(mxc_buf *out, const char *text, size_t len,
                               unsigned flags, mxc_error *err);

/**
 * Check that every number in a tree follows canonical JSON (integers in
 * [-(2^53)+1, 2^53-1], no fraction, no exponent, no -0), as a strict
 * parse would have: for trees parsed leniently that must now meet the
 * rules of room version 6 or later.
 * @return MXC_OK, or MXC_ERR_JSON_NUMBER_RANGE with the JSON path of the
 *         first offending number in err->subject
 */
MXC_API int mxc_json_check_canonical_numbers(const mxc_json *v,
                                             mxc_error *err);

/**
 * Deep copy of a value into a new independent tree.
 * @param out  receives a root to free with mxc_json_free
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_json_copy(mxc_json **out, const mxc_json *v,
                          const mxc_allocator *alloc);

/**
 * Structural equality (numbers compared by canonical text, so 1e2 equals
 * 100 in lenient trees).
 * @return 1 if equal, 0 otherwise
 */
MXC_API int mxc_json_equal(const mxc_json *a, const mxc_json *b);

#ifdef __cplusplus
}
#endif
#endif
