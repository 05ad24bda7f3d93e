/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cJSON bridge (matrix-core/cjson.h): conversions both ways and their
 * documented limits (U+0000 refused, integers beyond 2^53 refused, floats
 * to the nearest double, non-integers from cJSON refused), what cJSON
 * lets through that JSON parsing would not (invalid UTF-8, repeated keys,
 * raw text, unbounded depth), round trips, and allocation failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"
#include <matrix-core/cjson.h>

static char *
to_text(const mxc_json *v)
{
	cJSON *c = NULL;
	mxc_error err;
	int rc = mxc_json_to_cjson(&c, v, &err);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	char *t = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return t;
}

START_TEST(test_to_cjson)
{
	mxc_json *v = test_parse(
		"{\"z\":null,\"t\":true,\"f\":false,\"n\":-42,\"big\":"
		"123456789012,\"s\":\"h\\u00e9\\\"\",\"a\":[1,[],{}],"
		"\"o\":{\"b\":\"2\",\"a\":\"1\"}}",
		0);
	char *t = to_text(v);
	/* members in canonical order */
	ck_assert_str_eq(t, "{\"a\":[1,[],{}],\"big\":123456789012,"
	                    "\"f\":false,\"n\":-42,\"o\":{\"a\":\"1\",\"b\":"
	                    "\"2\"},\"s\":\"h\xc3\xa9\\\"\",\"t\":true,"
	                    "\"z\":null}");
	cJSON_free(t);
	mxc_json_free(v);

	/* the type of each item */
	v = test_parse("[null,true,false,0,\"\",[],{}]", 0);
	cJSON *c = NULL;
	ck_assert_int_eq(mxc_json_to_cjson(&c, v, NULL), MXC_OK);
	ck_assert(cJSON_IsNull(cJSON_GetArrayItem(c, 0)));
	ck_assert(cJSON_IsTrue(cJSON_GetArrayItem(c, 1)));
	ck_assert(cJSON_IsFalse(cJSON_GetArrayItem(c, 2)));
	ck_assert(cJSON_IsNumber(cJSON_GetArrayItem(c, 3)));
	ck_assert(cJSON_IsString(cJSON_GetArrayItem(c, 4)));
	ck_assert(cJSON_IsArray(cJSON_GetArrayItem(c, 5)));
	ck_assert(cJSON_IsObject(cJSON_GetArrayItem(c, 6)));
	cJSON_Delete(c);
	mxc_json_free(v);
}
END_TEST

START_TEST(test_to_cjson_numbers)
{
	/* lenient trees: floats go to the nearest double, which cJSON prints
	 * its own way (1.0 as 1) */
	struct {
		const char *in, *out;
	} t[] = {
		{"[1.5]", "[1.5]"},
		{"[1.0]", "[1]"},
		{"[1e10]", "[10000000000]"},
		{"[-0]", "[0]"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *v = test_parse(t[i].in, 1);
		char *s = to_text(v);
		ck_assert_msg(strcmp(s, t[i].out) == 0, "%s -> %s", t[i].in, s);
		cJSON_free(s);
		mxc_json_free(v);
	}
	/* integers up to 2^53 are held exactly (cJSON's printer writes large
	 * ones with 15 digits: the double is what counts) */
	mxc_json *v = test_parse("[9007199254740992,-9007199254740992,"
	                         "9007199254740991]",
	                         1);
	cJSON *c = NULL;
	ck_assert_int_eq(mxc_json_to_cjson(&c, v, NULL), MXC_OK);
	ck_assert(cJSON_GetArrayItem(c, 0)->valuedouble == 9007199254740992.0);
	ck_assert(cJSON_GetArrayItem(c, 1)->valuedouble == -9007199254740992.0);
	ck_assert(cJSON_GetArrayItem(c, 2)->valuedouble == 9007199254740991.0);
	cJSON_Delete(c);
	mxc_json_free(v);
	/* integers cJSON would round are refused */
	const char *big[] = {"[9007199254740993]", "[-9007199254740993]",
	                     "{\"k\":[123456789012345678901234567890]}"};
	const char *subj[] = {"$[0]", "$[0]", "$.k[0]"};
	for (size_t i = 0; i < MXC_ARRAY_LEN(big); i++) {
		v = test_parse(big[i], 1);
		c = (cJSON *)1;
		mxc_error err;
		ck_assert_int_eq(mxc_json_to_cjson(&c, v, &err),
		                 MXC_ERR_JSON_NUMBER_RANGE);
		ck_assert_ptr_null(c);
		ck_assert_str_eq(err.subject, subj[i]);
		mxc_json_free(v);
	}
}
END_TEST

START_TEST(test_to_cjson_nul)
{
	/* cJSON strings end at NUL: refused, never truncated */
	struct {
		const char *in, *subject;
	} t[] = {
		{"[\"a\\u0000b\"]", "$[0]"},
		{"{\"x\":{\"y\":[1,\"\\u0000\"]}}", "$.x.y[1]"},
		{"{\"a\\u0000\":1}", "$.a?"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *v = test_parse(t[i].in, 0);
		cJSON *c = (cJSON *)1;
		mxc_error err;
		ck_assert_int_eq(mxc_json_to_cjson(&c, v, &err),
		                 MXC_ERR_UNSUPPORTED);
		ck_assert_ptr_null(c);
		ck_assert_msg(strcmp(err.subject, t[i].subject) == 0,
		              "%s: subject %s", t[i].in, err.subject);
		ck_assert_ptr_nonnull(strstr(err.message, "U+0000"));
		mxc_json_free(v);
	}
	cJSON *c;
	ck_assert_int_eq(mxc_json_to_cjson(&c, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_to_cjson(NULL, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

static int
from_text(mxc_json **out, const char *text, mxc_error *err)
{
	cJSON *c = cJSON_Parse(text);
	ck_assert_msg(c != NULL, "cJSON cannot parse %s", text);
	int rc = mxc_json_from_cjson(out, c, NULL, err);
	cJSON_Delete(c);
	return rc;
}

START_TEST(test_from_cjson)
{
	struct {
		const char *in, *canonical;
	} t[] = {
		{"{\"b\":[1,2,{\"d\":null}],\"a\":\"x\\u00e9\",\"c\":true}",
		 "{\"a\":\"x\xc3\xa9\",\"b\":[1,2,{\"d\":null}],\"c\":true}"},
		{"[1.0, -0.0, 1e2, -9007199254740991, 9007199254740991]",
		 "[1,0,100,-9007199254740991,9007199254740991]"},
		{"\"s\"", "\"s\""},
		{"false", "false"},
		{"{}", "{}"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *v = NULL;
		mxc_error err;
		int rc = from_text(&v, t[i].in, &err);
		ck_assert_msg(rc == MXC_OK, "%s: %s", t[i].in, err.message);
		char *s = test_canonical(v);
		ck_assert_str_eq(s, t[i].canonical);
		free(s);
		mxc_json_free(v);
	}
}
END_TEST

START_TEST(test_from_cjson_refused)
{
	struct {
		const char *in;
		int want;
		const char *subject;
	} t[] = {
		{"[1.5]", MXC_ERR_JSON_NUMBER_RANGE, "$[0]"},
		{"{\"a\":{\"b\":[0,9007199254740992]}}", MXC_ERR_JSON_NUMBER_RANGE,
		 "$.a.b[1]"},
		{"[1e300]", MXC_ERR_JSON_NUMBER_RANGE, "$[0]"},
		{"[-9007199254740992]", MXC_ERR_JSON_NUMBER_RANGE, "$[0]"},
		{"{\"a\":1,\"a\":2}", MXC_ERR_JSON_DUPLICATE_KEY, "$"},
		{"{\"k\":{\"a\":1,\"b\":2,\"a\":3}}", MXC_ERR_JSON_DUPLICATE_KEY,
		 "$.k"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *v = (mxc_json *)1;
		mxc_error err;
		int rc = from_text(&v, t[i].in, &err);
		ck_assert_msg(rc == t[i].want, "%s: %s", t[i].in,
		              mxc_strerror(rc));
		ck_assert_ptr_null(v);
		ck_assert_msg(strcmp(err.subject, t[i].subject) == 0,
		              "%s: subject %s", t[i].in, err.subject);
	}

	/* invalid UTF-8 (cJSON does not check it), in values and keys */
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "s", cJSON_CreateString("\xc3("));
	mxc_json *v = NULL;
	mxc_error err;
	ck_assert_int_eq(mxc_json_from_cjson(&v, o, NULL, &err),
	                 MXC_ERR_JSON_UTF8);
	ck_assert_str_eq(err.subject, "$.s");
	cJSON_Delete(o);
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "\xed\xa0\x80", cJSON_CreateNull());
	ck_assert_int_eq(mxc_json_from_cjson(&v, o, NULL, &err),
	                 MXC_ERR_JSON_UTF8);
	cJSON_Delete(o);

	/* an invalid item, NULL arguments */
	cJSON inv;
	memset(&inv, 0, sizeof inv);
	ck_assert_int_eq(mxc_json_from_cjson(&v, &inv, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_from_cjson(&v, NULL, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_from_cjson_raw_and_depth)
{
	/* raw items are parsed as JSON text, strictly */
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateRaw("{\"x\":[1,2]}"));
	mxc_json *v = NULL;
	mxc_error err;
	ck_assert_int_eq(mxc_json_from_cjson(&v, a, NULL, &err), MXC_OK);
	char *s = test_canonical(v);
	ck_assert_str_eq(s, "[{\"x\":[1,2]}]");
	free(s);
	mxc_json_free(v);
	cJSON_Delete(a);
	const char *bad_raw[] = {"[1,", "1.5", "{\"a\":1,\"a\":1}"};
	const int want[] = {MXC_ERR_JSON_SYNTAX, MXC_ERR_JSON_NUMBER_RANGE,
	                    MXC_ERR_JSON_DUPLICATE_KEY};
	for (size_t i = 0; i < 3; i++) {
		cJSON *r = cJSON_CreateRaw(bad_raw[i]);
		ck_assert_int_eq(mxc_json_from_cjson(&v, r, NULL, &err), want[i]);
		cJSON_Delete(r);
	}

	/* MXC_JSON_MAX_DEPTH nested arrays pass, one more does not */
	for (int extra = 0; extra < 2; extra++) {
		cJSON *root = cJSON_CreateArray(), *cur = root;
		for (int d = 1; d < MXC_JSON_MAX_DEPTH + extra; d++) {
			cJSON *n = cJSON_CreateArray();
			cJSON_AddItemToArray(cur, n);
			cur = n;
		}
		int rc = mxc_json_from_cjson(&v, root, NULL, &err);
		ck_assert_int_eq(rc, extra ? MXC_ERR_JSON_DEPTH : MXC_OK);
		mxc_json_free(v);
		cJSON_Delete(root);
	}
}
END_TEST

START_TEST(test_round_trip)
{
	const char *text =
		"{\"content\":{\"body\":\"h\xc3\xa9llo \\\"\\\\\\n\",\"n\":[-1,0,"
		"9007199254740991]},\"empty\":{},\"list\":[[],[null,true]],"
		"\"type\":\"m.room.message\"}";
	mxc_json *v = test_parse(text, 0);
	cJSON *c = NULL;
	ck_assert_int_eq(mxc_json_to_cjson(&c, v, NULL), MXC_OK);
	mxc_json *back = NULL;
	ck_assert_int_eq(mxc_json_from_cjson(&back, c, NULL, NULL), MXC_OK);
	ck_assert(mxc_json_equal(v, back));
	char *a = test_canonical(v), *b = test_canonical(back);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	cJSON_Delete(c);
	mxc_json_free(back);
	mxc_json_free(v);
}
END_TEST

START_TEST(test_nomem)
{
	cJSON *c = cJSON_Parse("{\"a\":[1,2,{\"b\":\"c\"}],\"d\":\"e\"}");
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_json *v = NULL;
		mxc_error err;
		int rc = mxc_json_from_cjson(&v, c, &fa.a, &err);
		if (rc == MXC_OK) {
			char *s = test_canonical(v);
			ck_assert_str_eq(s, "{\"a\":[1,2,{\"b\":\"c\"}],\"d\":"
			                    "\"e\"}");
			free(s);
			mxc_json_free(v);
			ck_assert_int_eq(fa.live, 0);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_ptr_null(v);
		ck_assert_int_eq(fa.live, 0);
	}
	cJSON_Delete(c);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("cjson");
	TCase *tc = tcase_create("to-cjson");
	tcase_add_test(tc, test_to_cjson);
	tcase_add_test(tc, test_to_cjson_numbers);
	tcase_add_test(tc, test_to_cjson_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("from-cjson");
	tcase_add_test(tc, test_from_cjson);
	tcase_add_test(tc, test_from_cjson_refused);
	tcase_add_test(tc, test_from_cjson_raw_and_depth);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);
	return s;
}
