/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared test support: each tests/unit/test-<module>.c defines
 * mxc_test_suite() returning its check Suite; tests/common.c runs it.
 * Helpers: reading vector files (found through MXC_TEST_VECTORS), a
 * failing allocator for out-of-memory tests.
 */
#ifndef MXC_TEST_COMMON_H
#define MXC_TEST_COMMON_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <matrix-core.h>

Suite *mxc_test_suite(void);

/* Read tests/vectors/<name> (relative to MXC_TEST_VECTORS) and parse it
 * leniently; aborts the test on failure. Free with mxc_json_free. */
mxc_json *test_load_vectors(const char *name);
/* Read a whole file; aborts on failure. Free with free(). */
char *test_read_file(const char *path, size_t *len);
/* Parse text (strict unless lenient), failing the test on error. */
mxc_json *test_parse(const char *text, int lenient);
/* Canonical JSON of a value as a malloc'd NUL-terminated string. */
char *test_canonical(const mxc_json *v);
/* A string member of an object, or NULL; `len` optional. */
const char *test_str(const mxc_json *obj, const char *key, size_t *len);

/* An allocator that fails at allocation number `fail_at` (1-based) and
 * every later one while `sticky`; counts calls and live blocks. */
typedef struct test_failing_alloc {
	mxc_allocator a;
	long calls, fail_at, live;
	int sticky;
} test_failing_alloc;
void test_failing_alloc_init(test_failing_alloc *f, long fail_at);

#endif
