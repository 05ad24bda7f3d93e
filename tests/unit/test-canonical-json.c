/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Canonical JSON: the spec's examples byte for byte, the vectors of
 * python-canonicaljson and gomatrixserverlib (tests/vectors/canonical_json,
 * sources named in each case), hand-worked cases for key order, escapes
 * and the lenient number forms, and the streaming (hash) writer.
 */
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

static void
check_canonical_text(const char *in, size_t in_len, unsigned flags,
                     const char *want, size_t want_len, const char *name)
{
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_canonical_json(&out, in, in_len, flags, &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s (%s at %s)", name, mxc_strerror(rc),
	              err.message, err.subject);
	ck_assert_msg(out.len == want_len && memcmp(out.data, want, want_len) == 0,
	              "%s:\n got  %s\n want %.*s", name, out.data, (int)want_len,
	              want);
	mxc_buf_dispose(&out);
}

#define CANON(in, flags, want)                                                \
	check_canonical_text(in, sizeof(in) - 1, flags, want, sizeof(want) - 1, \
	                     in)

START_TEST(test_spec_examples)
{
	mxc_json *vec = test_load_vectors("canonical_json/spec_examples.json");
	const mxc_json *cases = mxc_json_getz(vec, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 10);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		size_t il, wl;
		const char *in = test_str(c, "input_text", &il);
		const char *want = test_str(c, "expected_text", &wl);
		/* the spec's -0 / 1e10 example is for the lenient reader */
		check_canonical_text(in, il, MXC_JSON_LENIENT_NUMBERS, want, wl,
		                     test_str(c, "name", NULL));
	}
	mxc_json_free(vec);
	/* and the strict reader refuses exactly that example */
	mxc_buf out = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_canonical_json(&out, "{\"a\": -0, \"b\": 1e10}", 21,
	                                    0, NULL),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	ck_assert_uint_eq(out.len, 0);
	mxc_buf_dispose(&out);
}
END_TEST

START_TEST(test_gmsl_vectors)
{
	mxc_json *vec = test_load_vectors("canonical_json/canonicaljson_gmsl.json");
	const mxc_json *cases = mxc_json_getz(vec, "cases");
	size_t n = mxc_json_size(cases), checked = 0;
	for (size_t i = 0; i < n; i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *kind = test_str(c, "kind", NULL);
		const char *name = test_str(c, "name", NULL);
		size_t il, wl;
		const char *in = test_str(c, "input_text", &il);
		if (strcmp(kind, "enforce") == 0) {
			/* valid_in / invalid_in list room versions: 1-5 read
			 * numbers leniently, 6+ strictly */
			const char *lists[] = {"valid_in", "invalid_in"};
			for (int l = 0; l < 2; l++) {
				const mxc_json *vs = mxc_json_getz(c, lists[l]);
				for (size_t j = 0; j < mxc_json_size(vs); j++) {
					int rv = atoi(mxc_json_get_string(
						mxc_json_at(vs, j), NULL));
					unsigned fl = rv <= 5 ? MXC_JSON_LENIENT_NUMBERS : 0;
					mxc_json *v = NULL;
					int rc = mxc_json_parse(&v, in, il, fl, NULL, NULL);
					ck_assert_msg(rc == (l ? MXC_ERR_JSON_NUMBER_RANGE
					                       : MXC_OK),
					              "%s in v%d: %s", name, rv,
					              mxc_strerror(rc));
					mxc_json_free(v);
					checked++;
				}
			}
			continue;
		}
		const char *expect_error = test_str(c, "expect_error", NULL);
		if (expect_error) {
			mxc_buf out = MXC_BUF_INIT;
			int rc = mxc_canonical_json(&out, in, il, 0, NULL);
			ck_assert_msg(strcmp(mxc_strerror(rc), expect_error) == 0,
			              "%s: got %s", name, mxc_strerror(rc));
			mxc_buf_dispose(&out);
			checked++;
			continue;
		}
		/* conversions (of gomatrixserverlib's lenient reader) */
		const char *want = test_str(c, "expected_text", &wl);
		check_canonical_text(in, il, MXC_JSON_LENIENT_NUMBERS, want, wl,
		                     name);
		checked++;
	}
	ck_assert_uint_ge(checked, n);
	mxc_json_free(vec);
}
END_TEST

START_TEST(test_python_vectors)
{
	mxc_json *vec =
		test_load_vectors("canonical_json/canonicaljson_python.json");
	const mxc_json *cases = mxc_json_getz(vec, "cases");
	size_t encoded = 0;
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		if (strcmp(test_str(c, "kind", NULL), "encode") != 0)
			continue;
		size_t wl;
		const char *want = test_str(c, "expected_utf8", &wl);
		mxc_buf out = MXC_BUF_INIT;
		int rc = mxc_json_canonical(&out, mxc_json_getz(c, "input"), NULL);
		ck_assert_int_eq(rc, MXC_OK);
		ck_assert_msg(out.len == wl && memcmp(out.data, want, wl) == 0,
		              "%s: got %s want %s", test_str(c, "name", NULL),
		              out.data, want);
		mxc_buf_dispose(&out);
		encoded++;
	}
	ck_assert_uint_ge(encoded, 130);
	mxc_json_free(vec);
}
END_TEST

START_TEST(test_key_order_by_code_point)
{
	/* U+FFFD sorts before U+1F600 by code point (and UTF-8 bytes), the
	 * reverse of UTF-16 code unit order */
	CANON("{\"z\":1,\"\xc3\xa9\":2,\"\\ud83d\\ude00\":3,\"\\ufffd\":4,"
	      "\"a\":5,\"\xc3\xa9\xcc\x81\":6,\"A\":7,\"\":8}",
	      0,
	      "{\"\":8,\"A\":7,\"a\":5,\"z\":1,\"\xc3\xa9\":2,"
	      "\"\xc3\xa9\xcc\x81\":6,\"\xef\xbf\xbd\":4,\"\xf0\x9f\x98\x80\":3}");
	CANON("{\"b\":{\"d\":[3,2,1],\"c\":{}},\"a\":[]}", 0,
	      "{\"a\":[],\"b\":{\"c\":{},\"d\":[3,2,1]}}");
}
END_TEST

START_TEST(test_escapes)
{
	/* only '"', '\\' and U+0000..U+001F are escaped; short forms for
	 * \b \f \n \r \t, lowercase \u00xx for the rest; '/' U+007F U+2028
	 * U+2029 raw */
	CANON("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001F\\u000b\\u007f"
	      "\\u2028\\u2029\\u00E9\"]",
	      0,
	      "[\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u000b\x7f"
	      "\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"]");
	CANON("{\"k\\n\":\"\\u0041\"}", 0, "{\"k\\n\":\"A\"}");
	/* a long run with one escape at the end (the copy-run path) */
	CANON("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0001\"", 0,
	      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0001\"");
}
END_TEST

START_TEST(test_lenient_number_forms)
{
	unsigned L = MXC_JSON_LENIENT_NUMBERS;
	/* the spec's example, and integral values with fraction/exponent */
	CANON("{\"a\": -0, \"b\": 1e10}", L, "{\"a\":0,\"b\":10000000000}");
	CANON("[1.0,100.000,1.0e2,1E+2,12.5e1,-0.0,0e5,-1.5e1]", L,
	      "[1,100,100,100,125,0,0,-15]");
	/* integers of any size, digit for digit */
	CANON("[123456789012345678901234567890,-9007199254740993]", L,
	      "[123456789012345678901234567890,-9007199254740993]");
	CANON("1e30", L, "1000000000000000000000000000000");
	/* other floats: Python's repr of the nearest double */
	CANON("[51146.98,5.114698E4,0.0001,1e-5,1.5e-300,0.1,-2.5,1.5e-7]", L,
	      "[51146.98,51146.98,0.0001,1e-05,1.5e-300,0.1,-2.5,1.5e-07]");
	/* 1.5e300 is integral: 15 followed by 299 zeros */
	mxc_json *v = test_parse("1.5e300", 1);
	char *c = test_canonical(v);
	ck_assert_uint_eq(strlen(c), 301);
	ck_assert_mem_eq(c, "1500", 4);
	ck_assert_uint_eq(strspn(c + 2, "0"), 299);
	free(c);
	mxc_json_free(v);
	CANON("[123.450,3.14159265358979323846]", L,
	      "[123.45,3.141592653589793]");
	/* texts whose nearest double is integral are written as integers,
	 * so that canonicalising is idempotent (found by the fuzzer:
	 * 2E-4442 once gave 0.0, which in turn gave 0) */
	CANON("[1e-400,-1e-400,2E-4442,0.99999999999999999999,"
	      "100000000000000000000.5]",
	      L, "[0,0,0,1,100000000000000000000]");
	CANON("[12345678901234567.5]", L, "[12345678901234568]");
	/* an integral value longer than the limit has no bounded form */
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	ck_assert_int_eq(mxc_canonical_json(&out, "[1e2000]", 8, L, &err),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	ck_assert_uint_eq(out.len, 0);
	/* a non-integral value beyond the double range */
	char big[420];
	memset(big, '9', 400);
	memcpy(big + 400, ".5", 2);
	ck_assert_int_eq(mxc_canonical_json(&out, big, 402, L, &err),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	mxc_buf_dispose(&out);
}
END_TEST

START_TEST(test_python_repr_alternative)
{
	/* the form Synapse signed old events in: integral floats keep ".0" */
	mxc_json *v = test_parse("{\"a\":1e10,\"b\":1.0,\"c\":-0,\"d\":2.5,"
	                         "\"e\":1e16,\"f\":7}",
	                         1);
	ck_assert(mxc__json_has_float(v));
	mxc_buf out = MXC_BUF_INIT;
	mxc__sink s = {0};
	s.buf = &out;
	ck_assert_int_eq(mxc__canonical_write_python(&s, v, NULL), MXC_OK);
	ck_assert_str_eq(out.data, "{\"a\":10000000000.0,\"b\":1.0,\"c\":0,"
	                           "\"d\":2.5,\"e\":1e+16,\"f\":7}");
	mxc_buf_dispose(&out);
	mxc_json_free(v);
	mxc_json *w = test_parse("{\"a\":[1,2,{\"b\":-3}]}", 1);
	ck_assert(!mxc__json_has_float(w));
	mxc_json_free(w);
}
END_TEST

START_TEST(test_hash_sink_equals_buffer)
{
	/* hashing through the streaming writer gives the hash of the
	 * canonical bytes, across chunk boundaries and big strings */
	size_t n = 3 * 4096 + 123;
	char *text = malloc(n + 64);
	size_t k = 0;
	memcpy(text, "{\"b\":\"", 6);
	k = 6;
	for (size_t i = 0; i < n; i++)
		text[k++] = (char)('a' + i % 26);
	memcpy(text + k, "\",\"a\":[1,\"x\\n\"]}", 16);
	k += 16;
	mxc_json *v = NULL;
	ck_assert_int_eq(mxc_json_parse(&v, text, k, 0, NULL, NULL), MXC_OK);
	mxc_buf out = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_json_canonical(&out, v, NULL), MXC_OK);
	uint8_t h1[32], h2[32];
	ck_assert_int_eq(mxc_sha256(h1, out.data, out.len), MXC_OK);
	mxc__sha256_ctx ctx;
	mxc__sha256_init(&ctx);
	mxc__sink s;
	mxc__sink_init_sha256(&s, &ctx);
	ck_assert_int_eq(mxc__canonical_write(&s, v, NULL), MXC_OK);
	mxc__sha256_final(h2, &ctx);
	ck_assert_mem_eq(h1, h2, 32);
	mxc_buf_dispose(&out);
	mxc_json_free(v);
	free(text);
}
END_TEST

START_TEST(test_builder_views)
{
	mxc_json *v = test_parse("{\"c\":3,\"a\":1,\"signatures\":{},\"unsigned\":{}}",
	                         0);
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	const mxc_json *w = mxc__json_object_with(&ar, v, "signatures", NULL);
	w = mxc__json_object_with(&ar, w, "unsigned", NULL);
	mxc_json *b = mxc__json_new_int(&ar, 2);
	w = mxc__json_object_with(&ar, w, "b", b);
	w = mxc__json_object_with(&ar, w, "c", mxc__json_new_string(&ar, "\n", 1));
	char *s = test_canonical(w);
	ck_assert_str_eq(s, "{\"a\":1,\"b\":2,\"c\":\"\\n\"}");
	free(s);
	mxc_json *copy = NULL;
	ck_assert_int_eq(mxc__json_doc_adopt(&copy, w, NULL), MXC_OK);
	mxc__arena_free(&ar);
	mxc_json_free(v);
	s = test_canonical(copy);
	ck_assert_str_eq(s, "{\"a\":1,\"b\":2,\"c\":\"\\n\"}");
	free(s);
	mxc_json_free(copy);
	/* an object built member by member is sorted; a duplicate refused */
	mxc__arena_init(&ar, NULL);
	mxc__json_member *m;
	mxc_json *o = mxc__json_new_object(&ar, 3, &m);
	const char *keys[] = {"zz", "z", "\"q"};
	for (int i = 0; i < 3; i++) {
		m[i].key = keys[i];
		m[i].key_len = strlen(keys[i]);
		m[i].value = mxc__json_new_int(&ar, i);
	}
	ck_assert_int_eq(mxc__json_object_finish(o), MXC_OK);
	s = test_canonical(o);
	ck_assert_str_eq(s, "{\"\\\"q\":2,\"z\":1,\"zz\":0}");
	free(s);
	o = mxc__json_new_object(&ar, 2, &m);
	m[0].key = m[1].key = "k";
	m[0].key_len = m[1].key_len = 1;
	m[0].value = m[1].value = mxc__json_new(&ar, MXC_JSON_NULL);
	ck_assert_int_eq(mxc__json_object_finish(o), MXC_ERR_JSON_DUPLICATE_KEY);
	mxc__arena_free(&ar);
}
END_TEST

START_TEST(test_output_nomem)
{
	mxc_json *v = test_parse("{\"a\":[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "\",1,2,3]}",
	                         0);
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_buf out;
		mxc_buf_init(&out, &fa.a);
		mxc_error err;
		int rc = mxc_json_canonical(&out, v, &err);
		mxc_buf_dispose(&out);
		ck_assert_int_eq(fa.live, 0);
		if (rc == MXC_OK)
			break;
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_lt(fail, 100);
	}
	mxc_json_free(v);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("canonical-json");
	TCase *tc = tcase_create("canonical");
	tcase_add_test(tc, test_spec_examples);
	tcase_add_test(tc, test_gmsl_vectors);
	tcase_add_test(tc, test_python_vectors);
	tcase_add_test(tc, test_key_order_by_code_point);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_lenient_number_forms);
	tcase_add_test(tc, test_python_repr_alternative);
	tcase_add_test(tc, test_hash_sink_equals_buffer);
	tcase_add_test(tc, test_builder_views);
	tcase_add_test(tc, test_output_nomem);
	suite_add_tcase(s, tc);
	return s;
}
