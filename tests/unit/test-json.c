/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The strict JSON parser: the grammar, UTF-8 and surrogate rules,
 * duplicate keys, depth, the canonical number rules and the lenient mode,
 * error detail (status, offset, JSON path), accessors, and allocation
 * failure at every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

static int
parse_status(const char *text, size_t len, unsigned flags, mxc_error *err)
{
	mxc_json *v = NULL;
	int rc = mxc_json_parse(&v, text, len, flags, NULL, err);
	if (rc == MXC_OK)
		ck_assert_ptr_nonnull(v);
	else
		ck_assert_ptr_null(v);
	mxc_json_free(v);
	return rc;
}

#define REJECT(text, flags, want)                                             \
	do {                                                                  \
		mxc_error e_;                                                 \
		int rc_ = parse_status(text, sizeof(text) - 1, flags, &e_);   \
		ck_assert_msg(rc_ == (want), "%s: got %s, want %s", #text,    \
		              mxc_strerror(rc_), mxc_strerror(want));         \
		ck_assert_int_eq(e_.status, (want));                          \
	} while (0)

#define ACCEPT(text, flags)                                                   \
	do {                                                                  \
		mxc_error e_;                                                 \
		int rc_ = parse_status(text, sizeof(text) - 1, flags, &e_);   \
		ck_assert_msg(rc_ == MXC_OK, "%s: got %s (%s)", #text,        \
		              mxc_strerror(rc_), e_.message);                 \
	} while (0)

START_TEST(test_types_and_accessors)
{
	mxc_json *v = test_parse(
		" {\"s\":\"h\\u00e9llo\",\"n\":-42,\"t\":true,\"f\":false,"
		"\"z\":null,\"a\":[1,\"two\",[]],\"o\":{\"k\":{}}} ",
		0);
	ck_assert_int_eq(mxc_json_get_type(v), MXC_JSON_OBJECT);
	ck_assert_uint_eq(mxc_json_size(v), 7);
	/* members come in canonical order */
	const char *k;
	size_t kl;
	const char *want[] = {"a", "f", "n", "o", "s", "t", "z"};
	for (size_t i = 0; i < 7; i++) {
		ck_assert_ptr_nonnull(mxc_json_member(v, i, &k, &kl));
		ck_assert_uint_eq(kl, 1);
		ck_assert_int_eq(k[0], want[i][0]);
	}
	ck_assert_ptr_null(mxc_json_member(v, 7, &k, &kl));
	size_t len;
	const char *s = mxc_json_get_string(mxc_json_getz(v, "s"), &len);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(s, "h\xc3\xa9llo", 6);
	ck_assert_int_eq(s[len], '\0');
	int64_t n;
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_getz(v, "n")), MXC_OK);
	ck_assert_int_eq(n, -42);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_getz(v, "s")),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_int_eq(mxc_json_get_type(mxc_json_getz(v, "t")), MXC_JSON_TRUE);
	ck_assert_int_eq(mxc_json_get_type(mxc_json_getz(v, "f")),
	                 MXC_JSON_FALSE);
	ck_assert_int_eq(mxc_json_get_type(mxc_json_getz(v, "z")), MXC_JSON_NULL);
	ck_assert_ptr_null(mxc_json_getz(v, "missing"));
	const mxc_json *a = mxc_json_getz(v, "a");
	ck_assert_uint_eq(mxc_json_size(a), 3);
	ck_assert_str_eq(mxc_json_get_string(mxc_json_at(a, 1), NULL), "two");
	ck_assert_int_eq(mxc_json_get_type(mxc_json_at(a, 2)), MXC_JSON_ARRAY);
	ck_assert_ptr_null(mxc_json_at(a, 3));
	ck_assert_int_eq(mxc_json_get_type(
	                         mxc_json_getz(mxc_json_getz(v, "o"), "k")),
	                 MXC_JSON_OBJECT);
	/* a number's text is kept */
	const char *t = mxc_json_number_text(mxc_json_getz(v, "n"), &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(t, "-42", 3);
	mxc_json_free(v);
}
END_TEST

START_TEST(test_scalars_at_top_level)
{
	ACCEPT("0", 0);
	ACCEPT("\"x\"", 0);
	ACCEPT("null", 0);
	ACCEPT(" \t\r\n[] \n", 0);
	REJECT("", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("   ", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("tru", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("nul", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("True", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("NaN", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("Infinity", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
}
END_TEST

START_TEST(test_nul_inside_strings)
{
	const char text[] = "{\"a\\u0000b\":\"x\\u0000y\"}";
	mxc_json *v = test_parse(text, 0);
	const char *k;
	size_t kl, len;
	const mxc_json *val = mxc_json_member(v, 0, &k, &kl);
	ck_assert_uint_eq(kl, 3);
	ck_assert_mem_eq(k, "a\0b", 3);
	const char *s = mxc_json_get_string(val, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(s, "x\0y", 3);
	ck_assert_ptr_eq(mxc_json_get(v, "a\0b", 3), val);
	ck_assert_ptr_null(mxc_json_getz(v, "a"));
	char *c = test_canonical(v);
	ck_assert_str_eq(c, "{\"a\\u0000b\":\"x\\u0000y\"}");
	free(c);
	mxc_json_free(v);
	/* the input itself needs no NUL terminator, and may not hold a raw
	 * NUL inside a string */
	REJECT("\"a\0b\"", 0, MXC_ERR_JSON_SYNTAX);
}
END_TEST

START_TEST(test_grammar_errors)
{
	REJECT("{\"a\":1,}", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("[1,]", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("[1 2]", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("{\"a\" 1}", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("{a:1}", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("{'a':1}", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("{} x", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("1 2", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("[", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("{\"a\":", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"abc", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"\\x\"", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"\\u12\"", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"\\u12g4\"", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"tab\there\"", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("\"nl\nhere\"", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("01", 0, MXC_ERR_JSON_SYNTAX);
	REJECT("-01", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("00", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("+1", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("1.", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT(".5", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("1e", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("1e+", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	REJECT("-", MXC_JSON_LENIENT_NUMBERS, MXC_ERR_JSON_SYNTAX);
	/* a byte order mark is not part of the grammar */
	REJECT("\xef\xbb\xbf{}", 0, MXC_ERR_JSON_SYNTAX);
	/* a form feed is not JSON white space */
	REJECT("\f{}", 0, MXC_ERR_JSON_SYNTAX);
}
END_TEST

START_TEST(test_utf8)
{
	ACCEPT("\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"", 0);
	ACCEPT("\"\xed\x9f\xbf\xee\x80\x80\"", 0); /* U+D7FF, U+E000 */
	REJECT("\"\xc0\x80\"", 0, MXC_ERR_JSON_UTF8);         /* overlong NUL */
	REJECT("\"\xc1\xbf\"", 0, MXC_ERR_JSON_UTF8);         /* overlong */
	REJECT("\"\xe0\x80\xaf\"", 0, MXC_ERR_JSON_UTF8);     /* overlong '/' */
	REJECT("\"\xf0\x80\x80\xaf\"", 0, MXC_ERR_JSON_UTF8); /* overlong */
	REJECT("\"\xed\xa0\x80\"", 0, MXC_ERR_JSON_UTF8);     /* U+D800 */
	REJECT("\"\xed\xbf\xbf\"", 0, MXC_ERR_JSON_UTF8);     /* U+DFFF */
	REJECT("\"\xf4\x90\x80\x80\"", 0, MXC_ERR_JSON_UTF8); /* U+110000 */
	REJECT("\"\xf5\x80\x80\x80\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\xff\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\x80\"", 0, MXC_ERR_JSON_UTF8); /* lone continuation */
	REJECT("\"\xe2\x82\"", 0, MXC_ERR_JSON_UTF8); /* truncated */
	REJECT("\"\xe2\x82", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\xf0\x9f\x98", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\xc3\"", 0, MXC_ERR_JSON_UTF8);
	/* in keys too, and outside strings it is a syntax error */
	REJECT("{\"\xc0\x80\":1}", 0, MXC_ERR_JSON_UTF8);
	REJECT("[\xc3\xa9]", 0, MXC_ERR_JSON_SYNTAX);
}
END_TEST

START_TEST(test_surrogate_escapes)
{
	mxc_json *v = test_parse("\"\\ud83d\\ude00\\uD842\\uDC20\"", 0);
	size_t len;
	const char *s = mxc_json_get_string(v, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(s, "\xf0\x9f\x98\x80\xf0\xa0\xa0\xa0", 8);
	mxc_json_free(v);
	REJECT("\"\\ud800\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\\udc00\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\\ud800\\u0041\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\\ud800\\ud800\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\\ud800x\"", 0, MXC_ERR_JSON_UTF8);
	REJECT("\"\\udbff\\n\"", 0, MXC_ERR_JSON_UTF8);
}
END_TEST

START_TEST(test_duplicate_keys)
{
	mxc_error err;
	const char t1[] = "{\"a\":1,\"a\":2}";
	ck_assert_int_eq(parse_status(t1, sizeof t1 - 1, 0, &err),
	                 MXC_ERR_JSON_DUPLICATE_KEY);
	ck_assert_str_eq(err.subject, "$.a");
	/* the same key written two ways */
	const char t2[] = "{\"x\":{\"b\":1,\"c\":0,\"\\u0062\":2}}";
	ck_assert_int_eq(parse_status(t2, sizeof t2 - 1, 0, &err),
	                 MXC_ERR_JSON_DUPLICATE_KEY);
	ck_assert_str_eq(err.subject, "$.x.b");
	/* found among many keys (the merge sort path) */
	char big[4096];
	size_t k = 0;
	big[k++] = '{';
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(big + k, sizeof big - k, "\"k%02d\":%d,",
		                      (i * 7) % 39, i);
	big[k - 1] = '}';
	ck_assert_int_eq(parse_status(big, k, 0, &err),
	                 MXC_ERR_JSON_DUPLICATE_KEY);
	/* 40 distinct keys parse and come out sorted */
	k = 0;
	big[k++] = '{';
	for (int i = 39; i >= 0; i--)
		k += (size_t)snprintf(big + k, sizeof big - k, "\"k%02d\":%d,",
		                      i, i);
	big[k - 1] = '}';
	mxc_json *v = NULL;
	ck_assert_int_eq(mxc_json_parse(&v, big, k, 0, NULL, &err), MXC_OK);
	for (size_t i = 0; i < 40; i++) {
		const char *key;
		int64_t n;
		const mxc_json *m = mxc_json_member(v, i, &key, NULL);
		ck_assert_int_eq(mxc_json_get_int(&n, m), MXC_OK);
		ck_assert_int_eq(n, (int64_t)i);
	}
	mxc_json_free(v);
	/* keys that differ only in length are distinct */
	ACCEPT("{\"a\":1,\"aa\":2,\"\":3}", 0);
}
END_TEST

START_TEST(test_depth_limit)
{
	size_t d = MXC_JSON_MAX_DEPTH;
	ck_assert_uint_eq(mxc_json_max_depth(), d);
	char *buf = malloc(2 * d + 4);
	for (size_t i = 0; i < d; i++) {
		buf[i] = '[';
		buf[d + i] = ']';
	}
	mxc_json *v = NULL;
	mxc_error err;
	ck_assert_int_eq(mxc_json_parse(&v, buf, 2 * d, 0, NULL, &err), MXC_OK);
	mxc_json_free(v);
	/* one more level */
	memmove(buf + 1, buf, 2 * d);
	buf[0] = '[';
	buf[2 * d + 1] = ']';
	ck_assert_int_eq(mxc_json_parse(&v, buf, 2 * d + 2, 0, NULL, &err),
	                 MXC_ERR_JSON_DEPTH);
	ck_assert_uint_eq(err.offset, d);
	free(buf);
	/* far deeper than the C stack would allow for naive recursion */
	size_t deep = 1000000;
	buf = malloc(deep);
	memset(buf, '[', deep);
	ck_assert_int_eq(mxc_json_parse(&v, buf, deep, 0, NULL, &err),
	                 MXC_ERR_JSON_DEPTH);
	free(buf);
}
END_TEST

START_TEST(test_strict_numbers)
{
	mxc_json *v = test_parse(
		"[9007199254740991,-9007199254740991,0,-1,123]", 0);
	int64_t n;
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 0)), MXC_OK);
	ck_assert_int_eq(n, 9007199254740991LL);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 1)), MXC_OK);
	ck_assert_int_eq(n, -9007199254740991LL);
	mxc_json_free(v);
	REJECT("9007199254740992", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("-9007199254740992", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("123456789012345678901234567890", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("-0", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("1.0", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("1e2", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("1E2", 0, MXC_ERR_JSON_NUMBER_RANGE);
	REJECT("0.5", 0, MXC_ERR_JSON_NUMBER_RANGE);
	mxc_error err;
	const char t[] = "{\"a\":[1,2,{\"b\":1.5}]}";
	ck_assert_int_eq(parse_status(t, sizeof t - 1, 0, &err),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	ck_assert_str_eq(err.subject, "$.a[2].b");
	ck_assert_uint_eq(err.offset, 15);
}
END_TEST

START_TEST(test_lenient_numbers)
{
	unsigned L = MXC_JSON_LENIENT_NUMBERS;
	mxc_json *v = test_parse("[-0,1e10,9007199254740992,"
	                         "123456789012345678901234567890,51146.98,"
	                         "9223372036854775807,-9223372036854775808]",
	                         1);
	int64_t n;
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 0)), MXC_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 1)),
	                 MXC_ERR_JSON_NUMBER_RANGE); /* a float lexeme */
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 2)), MXC_OK);
	ck_assert_int_eq(n, 9007199254740992LL);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 3)),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 5)), MXC_OK);
	ck_assert_int_eq(n, INT64_MAX);
	ck_assert_int_eq(mxc_json_get_int(&n, mxc_json_at(v, 6)), MXC_OK);
	ck_assert_int_eq(n, INT64_MIN);
	double d;
	ck_assert_int_eq(mxc_json_get_double(&d, mxc_json_at(v, 4)), MXC_OK);
	ck_assert(d == 51146.98);
	ck_assert_int_eq(mxc_json_is_integer(mxc_json_at(v, 3)), 1);
	ck_assert_int_eq(mxc_json_is_integer(mxc_json_at(v, 4)), 0);
	size_t len;
	const char *t = mxc_json_number_text(mxc_json_at(v, 3), &len);
	ck_assert_uint_eq(len, 30);
	ck_assert_mem_eq(t, "123456789012345678901234567890", 30);
	mxc_json_free(v);
	ACCEPT("1.5e-300", L);
	ACCEPT("1E+2", L);
	mxc_json *big = test_parse("1e400", 1);
	ck_assert_int_eq(mxc_json_get_double(&d, big),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	mxc_json_free(big);
}
END_TEST

START_TEST(test_check_canonical_numbers)
{
	/* a lenient tree held to canonical JSON's rules afterwards */
	const char *ok[] = {"{\"a\":[1,-9007199254740991,{\"b\":0}]}", "\"x\"",
	                    "[]"};
	for (size_t i = 0; i < 3; i++) {
		mxc_json *v = test_parse(ok[i], 1);
		ck_assert_int_eq(mxc_json_check_canonical_numbers(v, NULL), MXC_OK);
		mxc_json_free(v);
	}
	const struct {
		const char *text, *path;
	} bad[] = {
		{"{\"a\":[1,{\"b\":1.5}]}", "$.a[1].b"},
		{"{\"a\":-0}", "$.a"},
		{"[1e2]", "$[0]"},
		{"[9007199254740992]", "$[0]"},
		{"{\"z\":{\"y\":123456789012345678901234567890}}", "$.z.y"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(bad); i++) {
		mxc_json *v = test_parse(bad[i].text, 1);
		mxc_error err;
		ck_assert_int_eq(mxc_json_check_canonical_numbers(v, &err),
		                 MXC_ERR_JSON_NUMBER_RANGE);
		ck_assert_str_eq(err.subject, bad[i].path);
		mxc_json_free(v);
	}
}
END_TEST

START_TEST(test_bad_arguments)
{
	mxc_json *v = (mxc_json *)1;
	mxc_error err;
	ck_assert_int_eq(mxc_json_parse(NULL, "1", 1, 0, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_parse(&v, NULL, 1, 0, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_parse(&v, "1", 1, 0x80, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(v);
	/* accessors are NULL-safe */
	ck_assert_int_eq(mxc_json_get_type(NULL), MXC_JSON_NULL);
	ck_assert_uint_eq(mxc_json_size(NULL), 0);
	ck_assert_ptr_null(mxc_json_getz(NULL, "a"));
	ck_assert_ptr_null(mxc_json_at(NULL, 0));
	ck_assert_ptr_null(mxc_json_get_string(NULL, NULL));
	mxc_json_free(NULL);
	/* freeing a borrowed value is ignored rather than corrupting */
	mxc_json *root = test_parse("{\"a\":{}}", 0);
	mxc_json_free((mxc_json *)mxc_json_getz(root, "a"));
	mxc_json_free(root);
}
END_TEST

START_TEST(test_nomem_every_step)
{
	/* a document large enough to need several arena chunks and scratch
	 * stack growth */
	char text[20000];
	size_t k = 0;
	k += (size_t)snprintf(text + k, sizeof text - k, "{");
	for (int i = 0; i < 300; i++)
		k += (size_t)snprintf(text + k, sizeof text - k,
		                      "\"key%03d\":[%d,\"v\\n%d\",{\"x\":null}],",
		                      299 - i, i, i);
	text[k - 1] = '}';
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_json *v = NULL;
		mxc_error err;
		int rc = mxc_json_parse(&v, text, k, 0, &fa.a, &err);
		if (rc == MXC_OK) {
			ck_assert_uint_eq(mxc_json_size(v), 300);
			mxc_json_free(v);
			ck_assert_int_eq(fa.live, 0);
			ck_assert_int_gt(fail, 2);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(err.status, MXC_ERR_NOMEM);
		ck_assert_ptr_null(v);
		ck_assert_int_eq(fa.live, 0);
		ck_assert_int_lt(fail, 1000);
	}
}
END_TEST

START_TEST(test_copy_and_equal)
{
	mxc_json *a = test_parse("{\"b\":[1,{\"c\":\"\\u0000\"}],\"a\":1e2}", 1);
	mxc_json *b = test_parse("{\"a\":100,\"b\":[1,{\"c\":\"\\u0000\"}]}", 1);
	mxc_json *c = test_parse("{\"a\":100,\"b\":[1,{\"c\":\"\"}]}", 1);
	ck_assert_int_eq(mxc_json_equal(a, b), 1);
	ck_assert_int_eq(mxc_json_equal(a, c), 0);
	mxc_json *d = NULL;
	ck_assert_int_eq(mxc_json_copy(&d, mxc_json_getz(a, "b"), NULL), MXC_OK);
	ck_assert_int_eq(mxc_json_equal(d, mxc_json_getz(b, "b")), 1);
	mxc_json_free(a);
	/* the copy is independent of its source */
	ck_assert_uint_eq(mxc_json_size(d), 2);
	mxc_json_free(d);
	mxc_json_free(b);
	mxc_json_free(c);
}
END_TEST

START_TEST(test_status_table)
{
	ck_assert_str_eq(mxc_strerror(MXC_OK), "ok");
	ck_assert_str_eq(mxc_strerror(MXC_ERR_JSON_DUPLICATE_KEY),
	                 "json_duplicate_key");
	ck_assert_str_eq(mxc_strerror(MXC_ERR_NEED_INPUT), "need_input");
	ck_assert_str_eq(mxc_strerror(12345), "unknown_status");
	int st;
	ck_assert_int_eq(mxc_status_from_name(&st, "json_depth"), MXC_OK);
	ck_assert_int_eq(st, MXC_ERR_JSON_DEPTH);
	ck_assert_int_eq(mxc_status_from_name(&st, "nope"), MXC_ERR_NOT_FOUND);
	ck_assert_ptr_nonnull(mxc_status_message(MXC_ERR_NOMEM));
	/* the table can be listed: every row has a distinct stable name that
	 * maps back to it */
	size_t n = mxc_status_count();
	ck_assert_uint_ge(n, 28);
	ck_assert_int_eq(mxc_status_at(0), MXC_OK);
	ck_assert_int_eq(mxc_status_at(n), MXC_OK);
	for (size_t i = 0; i < n; i++) {
		int v = mxc_status_at(i), back;
		const char *name = mxc_strerror(v);
		ck_assert_str_ne(name, "unknown_status");
		ck_assert_int_eq(mxc_status_from_name(&back, name), MXC_OK);
		ck_assert_int_eq(back, v);
	}
	/* struct sizes for bindings */
	ck_assert_uint_eq(mxc_struct_size("mxc_error"), sizeof(mxc_error));
	ck_assert_uint_eq(mxc_struct_size("mxc_buf"), sizeof(mxc_buf));
	ck_assert_uint_eq(mxc_struct_size("mxc_event_key"), sizeof(mxc_event_key));
	ck_assert_uint_eq(mxc_struct_size("mxc_json"), 0); /* opaque */
	ck_assert_uint_eq(mxc_struct_size(NULL), 0);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_types_and_accessors);
	tcase_add_test(tc, test_scalars_at_top_level);
	tcase_add_test(tc, test_nul_inside_strings);
	tcase_add_test(tc, test_grammar_errors);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_surrogate_escapes);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_strict_numbers);
	tcase_add_test(tc, test_lenient_numbers);
	tcase_add_test(tc, test_check_canonical_numbers);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_nomem_every_step);
	tcase_add_test(tc, test_copy_and_equal);
	tcase_add_test(tc, test_status_table);
	suite_add_tcase(s, tc);
	return s;
}
