/* SPDX-License-Identifier: Apache-2.0 */
/* The runner each per-module test executable shares, and test helpers. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

mxc_json *
test_load_vectors(const char *name)
{
	const char *dir = getenv("MXC_TEST_VECTORS");
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/vectors", name);
	size_t len;
	char *text = test_read_file(path, &len);
	mxc_json *v = NULL;
	mxc_error err;
	int rc = mxc_json_parse(&v, text, len, MXC_JSON_LENIENT_NUMBERS, NULL,
	                        &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s at %s: %s", path, mxc_strerror(rc),
	              err.subject, err.message);
	free(text);
	return v;
}

mxc_json *
test_parse(const char *text, int lenient)
{
	mxc_json *v = NULL;
	mxc_error err;
	int rc = mxc_json_parse(&v, text, strlen(text),
	                        lenient ? MXC_JSON_LENIENT_NUMBERS : 0, NULL, &err);
	ck_assert_msg(rc == MXC_OK, "parse failed: %s at %s: %s (%s)",
	              mxc_strerror(rc), err.subject, err.message, text);
	return v;
}

char *
test_canonical(const mxc_json *v)
{
	mxc_buf b = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_json_canonical(&b, v, &err);
	ck_assert_msg(rc == MXC_OK, "canonical failed: %s", mxc_strerror(rc));
	char *s = malloc(b.len + 1);
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	mxc_buf_dispose(&b);
	return s;
}

const char *
test_str(const mxc_json *obj, const char *key, size_t *len)
{
	return mxc_json_get_string(mxc_json_getz(obj, key), len);
}

static void *
f_malloc(size_t n, void *ud)
{
	test_failing_alloc *f = ud;
	f->calls++;
	if (f->fail_at > 0 &&
	    (f->calls == f->fail_at || (f->sticky && f->calls > f->fail_at)))
		return NULL;
	void *p = malloc(n ? n : 1);
	if (p)
		f->live++;
	return p;
}

static void *
f_realloc(void *p, size_t n, void *ud)
{
	test_failing_alloc *f = ud;
	f->calls++;
	if (f->fail_at > 0 &&
	    (f->calls == f->fail_at || (f->sticky && f->calls > f->fail_at)))
		return NULL;
	void *q = realloc(p, n ? n : 1);
	if (q && !p)
		f->live++;
	return q;
}

static void
f_free(void *p, void *ud)
{
	test_failing_alloc *f = ud;
	if (p)
		f->live--;
	free(p);
}

void
test_failing_alloc_init(test_failing_alloc *f, long fail_at)
{
	memset(f, 0, sizeof *f);
	f->a.malloc_fn = f_malloc;
	f->a.realloc_fn = f_realloc;
	f->a.free_fn = f_free;
	f->a.user_data = f;
	f->fail_at = fail_at;
}

int
main(void)
{
	if (mxc_init() != MXC_OK) {
		fprintf(stderr, "mxc_init failed\n");
		return EXIT_FAILURE;
	}
	SRunner *sr = srunner_create(mxc_test_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
