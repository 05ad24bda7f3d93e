/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X-Matrix request authentication (server-server API: Request
 * Authentication): header values built byte for byte
 * (tests/vectors/xmatrix.json, signatures cross-checked with OpenSSL), the
 * spec's example header, RFC 9110 auth-param syntax (white space, quoted
 * and token values, escapes, case-insensitive names, unknown and empty
 * elements), every kind of bad header with the parameter it names,
 * request verification (destination rules, tampering, key and signature
 * faults) and allocation failure at every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

#define SPEC_SEED "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
#define ORIGIN "origin.hs.example.com"
#define DEST "destination.hs.example.com"

static mxc_signing_key *
spec_key(const char *key_id)
{
	mxc_signing_key *k = NULL;
	ck_assert_int_eq(mxc_signing_key_from_base64(&k, SPEC_SEED,
	                                             strlen(SPEC_SEED), key_id,
	                                             NULL, NULL),
	                 MXC_OK);
	return k;
}

static mxc_xmatrix *
parse_ok(const char *h)
{
	mxc_xmatrix *x = NULL;
	mxc_error err;
	int rc = mxc_xmatrix_parse(&x, h, strlen(h), NULL, &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s (%s)", h, mxc_strerror(rc),
	              err.message);
	return x;
}

static void
check_str(const char *got, size_t len, const char *want)
{
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(got, want);
}

START_TEST(test_vectors)
{
	mxc_json *v = test_load_vectors("xmatrix.json");
	const mxc_json *cases = mxc_json_getz(v, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 3);
	mxc_signing_key *k = spec_key("ed25519:1");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		ck_assert_str_eq(test_str(c, "kind", NULL), "sign");
		ck_assert_ptr_nonnull(mxc_json_getz(c, "source"));
		ck_assert_str_eq(test_str(c, "seed_base64", NULL), SPEC_SEED);
		const char *method = test_str(c, "method", NULL);
		const char *uri = test_str(c, "uri", NULL);
		const char *origin = test_str(c, "origin", NULL);
		const char *dest = test_str(c, "destination", NULL);
		const mxc_json *content = mxc_json_getz(c, "content");
		mxc_buf h = MXC_BUF_INIT;
		mxc_error err;
		ck_assert_int_eq(mxc_xmatrix_sign(&h, method, uri, origin, dest,
		                                  content, k, &err),
		                 MXC_OK);
		ck_assert_str_eq(h.data, test_str(c, "expected_header", NULL));

		/* the signature covers exactly the vector's signed JSON */
		mxc_xmatrix *x = parse_ok(h.data);
		size_t sl, jl;
		const char *sig = mxc_xmatrix_sig(x, &sl);
		const char *json = test_str(c, "signed_json", &jl);
		mxc_buf raw = MXC_BUF_INIT;
		ck_assert_int_eq(mxc_base64_decode(&raw, sig, sl, 0, NULL),
		                 MXC_OK);
		ck_assert_int_eq(mxc_ed25519_verify((uint8_t *)raw.data, raw.len,
		                                    json, jl, pk, 32),
		                 MXC_OK);
		mxc_buf_dispose(&raw);

		/* and the request verifies, as the destination sees it */
		ck_assert_int_eq(mxc_xmatrix_verify(x, method, uri, dest,
		                                    content, pk, 32, &err),
		                 MXC_OK);
		mxc_xmatrix_free(x);
		mxc_buf_dispose(&h);
	}
	mxc_signing_key_free(k);
	mxc_json_free(v);
}
END_TEST

START_TEST(test_spec_example)
{
	/* Request Authentication, step 2 */
	mxc_xmatrix *x = parse_ok(
		"X-Matrix origin=\"origin.hs.example.com\",destination=\""
		"destination.hs.example.com\",key=\"ed25519:key1\",sig=\"ABCDEF"
		"...\"");
	size_t n;
	const char *s = mxc_xmatrix_origin(x, &n);
	check_str(s, n, ORIGIN);
	s = mxc_xmatrix_destination(x, &n);
	check_str(s, n, DEST);
	s = mxc_xmatrix_key_id(x, &n);
	check_str(s, n, "ed25519:key1");
	s = mxc_xmatrix_sig(x, &n);
	check_str(s, n, "ABCDEF...");
	/* accessors take a NULL length */
	ck_assert_str_eq(mxc_xmatrix_origin(x, NULL), ORIGIN);
	/* "ABCDEF..." is not a signature */
	uint8_t pk[32] = {0};
	mxc_error err;
	ck_assert_int_eq(mxc_xmatrix_verify(x, "POST", "/target", DEST, NULL, pk,
	                                    32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_str_eq(err.subject, "sig");
	mxc_xmatrix_free(x);
	mxc_xmatrix_free(NULL);
}
END_TEST

/* Header forms that all mean origin=o.example, destination=d.example,
 * key=ed25519:k1, sig=c2ln. */
static const char *const good_forms[] = {
	"X-Matrix origin=\"o.example\",destination=\"d.example\","
	"key=\"ed25519:k1\",sig=\"c2ln\"",
	/* unquoted tokens, colons allowed unquoted for older servers */
	"X-Matrix origin=o.example,destination=d.example,key=ed25519:k1,"
	"sig=c2ln",
	/* spaces and tabs around commas and '=', several spaces after the
	 * scheme, white space around the field */
	" \tX-Matrix   origin = \"o.example\" ,\tdestination\t=d.example \t, "
	"key= \"ed25519:k1\",sig =c2ln \t",
	/* names and scheme case-insensitive, any order */
	"x-matrix SIG=\"c2ln\",Key=ed25519:k1,DESTINATION=\"d.example\","
	"Origin=o.example",
	/* backslash escapes are undone */
	"X-Matrix origin=\"o.exa\\mple\",destination=\"\\d.example\","
	"key=\"ed25519:\\k1\",sig=\"c2l\\n\"",
	/* unknown parameters are ignored, quoted values may hold commas */
	"X-Matrix foo=bar,origin=o.example,x=\"a, b=c\",destination=d.example,"
	"key=ed25519:k1,sig=c2ln,zzz=\"\"",
	/* empty list elements (RFC 9110 5.6.1) */
	"X-Matrix ,origin=o.example,,destination=d.example, ,key=ed25519:k1,"
	"sig=c2ln,",
};

START_TEST(test_good_forms)
{
	mxc_xmatrix *x = parse_ok(good_forms[_i]);
	size_t n;
	const char *s = mxc_xmatrix_origin(x, &n);
	check_str(s, n, "o.example");
	s = mxc_xmatrix_destination(x, &n);
	check_str(s, n, "d.example");
	s = mxc_xmatrix_key_id(x, &n);
	check_str(s, n, "ed25519:k1");
	s = mxc_xmatrix_sig(x, &n);
	check_str(s, n, "c2ln");
	mxc_xmatrix_free(x);
}
END_TEST

START_TEST(test_escapes_and_no_destination)
{
	/* a quoted '"' and '\\'; no destination (servers before v1.3) */
	mxc_xmatrix *x = parse_ok("X-Matrix origin=\"a\\\"b\\\\c\",key=ed25519:1,"
	                          "sig=\"s t\"");
	size_t n;
	const char *s = mxc_xmatrix_origin(x, &n);
	check_str(s, n, "a\"b\\c");
	ck_assert_ptr_null(mxc_xmatrix_destination(x, &n));
	s = mxc_xmatrix_sig(x, &n);
	check_str(s, n, "s t");
	mxc_xmatrix_free(x);
	/* non-ASCII UTF-8 in a quoted value (obs-text) */
	x = parse_ok("X-Matrix origin=\"\xc3\xa9.example\",key=ed25519:1,sig=s");
	ck_assert_str_eq(mxc_xmatrix_origin(x, NULL), "\xc3\xa9.example");
	mxc_xmatrix_free(x);
}
END_TEST

static const struct {
	const char *header;
	const char *subject; /* the parameter named, or "" */
	const char *why;
} bad_headers[] = {
	{"Bearer abc", "", "scheme"},
	{"X-Matrixx origin=a,key=ed25519:1,sig=s", "", "scheme"},
	{"X-Matrix", "", "no space"},
	{"X-Matrix\torigin=a,key=ed25519:1,sig=s", "", "no space"},
	{"", "", "scheme"},
	{"X-Matrix ", "", "no space"}, /* trailing space is the field's */
	{"X-Matrix key=ed25519:1,sig=s", "origin", "missing"},
	{"X-Matrix origin=a,sig=s", "key", "missing"},
	{"X-Matrix origin=a,key=ed25519:1", "sig", "missing"},
	{"X-Matrix destination=d", "origin", "missing"},
	{"X-Matrix origin=a,key=ed25519:1,sig=s,origin=b", "origin",
	 "twice"},
	{"X-Matrix origin=a,key=ed25519:1,sig=s,ORIGIN=a", "origin", "twice"},
	{"X-Matrix origin=a,key=ed25519:1,sig=s,Sig=\"s\"", "sig", "twice"},
	{"X-Matrix destination=a,origin=a,key=ed25519:1,sig=s,destination=b",
	 "destination", "twice"},
	{"X-Matrix Foo=1,origin=a,key=ed25519:1,sig=s,fOO=2", "foo", "twice"},
	{"X-Matrix origin=\"\",key=ed25519:1,sig=s", "origin", "empty"},
	{"X-Matrix origin=a,key=\"\",sig=s", "key", "empty"},
	{"X-Matrix origin=a,key=ed25519:1,sig=\"\"", "sig", "empty"},
	{"X-Matrix origin=a,destination=\"\",key=ed25519:1,sig=s",
	 "destination", "empty"},
	{"X-Matrix origin=\"a,key=ed25519:1,sig=s", "", "unterminated"},
	{"X-Matrix origin=\"a\\", "", "backslash"},
	{"X-Matrix origin=\"a\nb\",key=ed25519:1,sig=s", "", "control"},
	{"X-Matrix origin=\"a\\\x01\",key=ed25519:1,sig=s", "", "control"},
	{"X-Matrix origin=\"a\x7f\",key=ed25519:1,sig=s", "", "control"},
	{"X-Matrix origin,key=ed25519:1,sig=s", "", "expected '='"},
	{"X-Matrix origin a,key=ed25519:1,sig=s", "", "expected '='"},
	{"X-Matrix =a,key=ed25519:1,sig=s", "", "parameter name"},
	{"X-Matrix origin=,key=ed25519:1,sig=s", "", "token or a quoted"},
	{"X-Matrix origin=a,key=ed25519:1,sig=", "", "token or a quoted"},
	{"X-Matrix abc==", "", "token or a quoted"},
	{"X-Matrix origin=\"a\"b,key=ed25519:1,sig=s", "", "expected ','"},
	{"X-Matrix origin=a key=ed25519:1,sig=s", "", "expected ','"},
	/* '/' is not a token character: such a value must be quoted */
	{"X-Matrix origin=a,key=ed25519:1,sig=ab/cd", "", "expected ','"},
	{"X-Matrix origin=a;key=ed25519:1,sig=s", "", "expected ','"},
	{"X-Matrix origin=\"\xff\",key=ed25519:1,sig=s", "origin", "UTF-8"},
};

START_TEST(test_bad_headers)
{
	const char *h = bad_headers[_i].header;
	mxc_xmatrix *x = (mxc_xmatrix *)1;
	mxc_error err;
	int rc = mxc_xmatrix_parse(&x, h, strlen(h), NULL, &err);
	ck_assert_msg(rc == MXC_ERR_BAD_HEADER, "%s: %s", h, mxc_strerror(rc));
	ck_assert_ptr_null(x);
	ck_assert_int_eq(err.status, MXC_ERR_BAD_HEADER);
	ck_assert_msg(strcmp(err.subject, bad_headers[_i].subject) == 0,
	              "%s: subject '%s' (%s)", h, err.subject, err.message);
	ck_assert_msg(strstr(err.message, bad_headers[_i].why), "%s: %s", h,
	              err.message);
}
END_TEST

START_TEST(test_bad_header_offsets)
{
	struct {
		const char *h;
		size_t offset;
	} t[] = {
		{"X-Matrix origin=\"a\"b", 19},
		{"X-Matrix origin=a,,=b", 19},
		{"X-Matrix origin=a,key=k,sig=s,origin=b", 30},
		{"Basic abc", 0},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_xmatrix *x;
		mxc_error err;
		ck_assert_int_eq(mxc_xmatrix_parse(&x, t[i].h, strlen(t[i].h),
		                                   NULL, &err),
		                 MXC_ERR_BAD_HEADER);
		ck_assert_msg(err.offset == t[i].offset, "%s: offset %zu",
		              t[i].h, err.offset);
	}
	mxc_xmatrix *x;
	ck_assert_int_eq(mxc_xmatrix_parse(NULL, "X", 1, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_parse(&x, NULL, 1, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* the value need not be NUL-terminated: only `len` bytes count */
	const char *h = "X-Matrix origin=a,key=ed25519:1,sig=s,GARBAGE";
	ck_assert_int_eq(mxc_xmatrix_parse(&x, h, strlen(h) - 8, NULL, NULL),
	                 MXC_OK);
	ck_assert_str_eq(mxc_xmatrix_sig(x, NULL), "s");
	mxc_xmatrix_free(x);
}
END_TEST

/* ---- verification -------------------------------------------------------- */

static mxc_xmatrix *
signed_header(const char *method, const char *uri, const char *origin,
              const char *dest, const mxc_json *content, mxc_signing_key *k)
{
	mxc_buf h = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_xmatrix_sign(&h, method, uri, origin, dest, content, k,
	                          &err);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	mxc_xmatrix *x = parse_ok(h.data);
	mxc_buf_dispose(&h);
	return x;
}

START_TEST(test_verify)
{
	mxc_signing_key *k = spec_key("ed25519:1");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k);
	mxc_json *body = test_parse("{\"a\":[1,{\"b\":\"\\u0000\"}]}", 0);
	mxc_json *body2 = test_parse("{\"a\":[1,{\"b\":\"\\u0001\"}]}", 0);
	mxc_json *empty = test_parse("{}", 0);
	const char *uri = "/_matrix/federation/v1/send/1?x=%20";
	mxc_xmatrix *x = signed_header("PUT", uri, ORIGIN, DEST, body, k);
	mxc_error err;

	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri, DEST, body, pk, 32,
	                                    &err),
	                 MXC_OK);
	/* the header names its destination: the caller need not */
	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri, NULL, body, pk, 32,
	                                    &err),
	                 MXC_OK);
	/* another destination must be denied */
	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri, "other.example", body,
	                                    pk, 32, &err),
	                 MXC_ERR_BAD_HEADER);
	ck_assert_str_eq(err.subject, "destination");
	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri,
	                                    "destination.hs.example.co", body,
	                                    pk, 32, &err),
	                 MXC_ERR_BAD_HEADER);

	/* anything else changed: a bad signature */
	struct {
		const char *method, *uri;
		const mxc_json *content;
	} t[] = {
		{"POST", uri, body},
		{"put", uri, body},
		{"PUT", "/_matrix/federation/v1/send/1?x=%21", body},
		{"PUT", "/_matrix/federation/v1/send/1", body},
		{"PUT", uri, body2},
		{"PUT", uri, NULL},
		{"PUT", uri, empty},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		ck_assert_int_eq(mxc_xmatrix_verify(x, t[i].method, t[i].uri,
		                                    DEST, t[i].content, pk, 32,
		                                    &err),
		                 MXC_ERR_BAD_SIGNATURE);
		ck_assert_str_eq(err.subject, "sig");
		ck_assert_msg(strstr(err.message, "does not verify"), "%s",
		              err.message);
	}
	uint8_t other[32];
	memcpy(other, pk, 32);
	other[0] ^= 1;
	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri, DEST, body, other, 32,
	                                    &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_xmatrix_verify(x, "PUT", uri, DEST, body, pk, 31,
	                                    &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_verify(x, NULL, uri, DEST, body, pk, 32,
	                                    &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_xmatrix_free(x);

	/* a request without content differs from one with {} */
	x = signed_header("GET", "/x", ORIGIN, DEST, NULL, k);
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/x", DEST, NULL, pk, 32,
	                                    &err),
	                 MXC_OK);
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/x", DEST, empty, pk, 32,
	                                    &err),
	                 MXC_ERR_BAD_SIGNATURE);
	mxc_xmatrix_free(x);

	mxc_json_free(body);
	mxc_json_free(body2);
	mxc_json_free(empty);
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_verify_without_destination)
{
	/* an older server's header: no destination; the receiving server
	 * names itself, and the signed JSON carries that name */
	mxc_signing_key *k = spec_key("ed25519:1");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k);
	mxc_buf h = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/v", ORIGIN, DEST, NULL, k,
	                                  NULL),
	                 MXC_OK);
	/* drop the destination parameter */
	char *p = strstr(h.data, "destination=\"" DEST "\",");
	ck_assert_ptr_nonnull(p);
	size_t cut = strlen("destination=\"" DEST "\",");
	memmove(p, p + cut, strlen(p + cut) + 1);
	mxc_xmatrix *x = parse_ok(h.data);
	ck_assert_ptr_null(mxc_xmatrix_destination(x, NULL));
	mxc_error err;
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/v", DEST, NULL, pk, 32,
	                                    &err),
	                 MXC_OK);
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/v", "other.example",
	                                    NULL, pk, 32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/v", NULL, NULL, pk, 32,
	                                    &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_xmatrix_free(x);
	mxc_buf_dispose(&h);
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_verify_key_and_sig_faults)
{
	uint8_t pk[32] = {0};
	struct {
		const char *h;
		int want;
		const char *subject;
	} t[] = {
		{"X-Matrix origin=a,destination=d,key=\"rsa:1\",sig=AAAA",
		 MXC_ERR_UNSUPPORTED, "key"},
		{"X-Matrix origin=a,destination=d,key=\"ed25519:\",sig=AAAA",
		 MXC_ERR_BAD_SIGNATURE, "key"},
		{"X-Matrix origin=a,destination=d,key=\"ed25519\",sig=AAAA",
		 MXC_ERR_BAD_SIGNATURE, "key"},
		{"X-Matrix origin=a,destination=d,key=ed25519:1,sig=\"AA*A\"",
		 MXC_ERR_BAD_SIGNATURE, "sig"},
		{"X-Matrix origin=a,destination=d,key=ed25519:1,sig=AAAA",
		 MXC_ERR_BAD_SIGNATURE, "sig"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_xmatrix *x = parse_ok(t[i].h);
		mxc_error err;
		ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/", "d", NULL, pk,
		                                    32, &err),
		                 t[i].want);
		ck_assert_int_eq(err.status, t[i].want);
		ck_assert_str_eq(err.subject, t[i].subject);
		mxc_xmatrix_free(x);
	}
}
END_TEST

/* ---- building ------------------------------------------------------------ */

START_TEST(test_sign_quoting_and_errors)
{
	mxc_signing_key *k = spec_key("ed25519:a_1");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k);
	mxc_buf h = MXC_BUF_INIT;
	/* '"' and '\\' are escaped and come back out of the parser */
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "we\"ird\\", "d", NULL,
	                                  k, NULL),
	                 MXC_OK);
	ck_assert_ptr_nonnull(strstr(h.data, "origin=\"we\\\"ird\\\\\","));
	mxc_xmatrix *x = parse_ok(h.data);
	ck_assert_str_eq(mxc_xmatrix_origin(x, NULL), "we\"ird\\");
	ck_assert_str_eq(mxc_xmatrix_key_id(x, NULL), "ed25519:a_1");
	ck_assert_int_eq(mxc_xmatrix_verify(x, "GET", "/", "d", NULL, pk, 32,
	                                    NULL),
	                 MXC_OK);
	mxc_xmatrix_free(x);

	/* appends, and leaves the buffer as it was on failure */
	h.len = 0;
	mxc__buf_append(&h, "Authorization: ", 15);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "o", "d", NULL, k,
	                                  NULL),
	                 MXC_OK);
	ck_assert_int_eq(strncmp(h.data, "Authorization: X-Matrix origin=\"o\","
	                                 "destination=\"d\",key=\"ed25519:a_1\","
	                                 "sig=\"",
	                         70),
	                 0);
	size_t before = h.len;
	mxc_error err;
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "o", "d\r\nX: y", NULL,
	                                  k, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_uint_eq(h.len, before);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "", "d", NULL, k,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "o", NULL, NULL, k,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/\xff", "o", "d", NULL, k,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "\xc3", "d", NULL, k,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_sign(&h, "GET", "/", "o", "d", NULL, NULL,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_xmatrix_sign(NULL, "GET", "/", "o", "d", NULL, k,
	                                  &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_uint_eq(h.len, before);
	mxc_buf_dispose(&h);
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_nomem)
{
	mxc_signing_key *k = spec_key("ed25519:1");
	mxc_json *body = test_parse("{\"k\":[1,2,3]}", 0);
	mxc_buf ref = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_xmatrix_sign(&ref, "PUT", "/p", ORIGIN, DEST, body,
	                                  k, NULL),
	                 MXC_OK);
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_buf h;
		mxc_buf_init(&h, &fa.a);
		int rc = mxc_xmatrix_sign(&h, "PUT", "/p", ORIGIN, DEST, body, k,
		                          NULL);
		if (rc == MXC_OK)
			ck_assert_str_eq(h.data, ref.data);
		else
			ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		mxc_buf_dispose(&h);
		ck_assert_int_eq(fa.live, 0);
		if (rc == MXC_OK) {
			ck_assert_int_ge(fail, 2);
			break;
		}
	}
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_xmatrix *x = NULL;
		mxc_error err;
		int rc = mxc_xmatrix_parse(&x, ref.data, ref.len, &fa.a, &err);
		if (rc == MXC_OK) {
			ck_assert_str_eq(mxc_xmatrix_origin(x, NULL), ORIGIN);
			mxc_xmatrix_free(x);
			ck_assert_int_eq(fa.live, 0);
			ck_assert_int_ge(fail, 2);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(err.status, MXC_ERR_NOMEM);
		ck_assert_ptr_null(x);
		ck_assert_int_eq(fa.live, 0);
	}
	mxc_buf_dispose(&ref);
	mxc_json_free(body);
	mxc_signing_key_free(k);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("xmatrix");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_spec_example);
	tcase_add_loop_test(tc, test_good_forms, 0, MXC_ARRAY_LEN(good_forms));
	tcase_add_test(tc, test_escapes_and_no_destination);
	tcase_add_loop_test(tc, test_bad_headers, 0, MXC_ARRAY_LEN(bad_headers));
	tcase_add_test(tc, test_bad_header_offsets);
	suite_add_tcase(s, tc);

	tc = tcase_create("sign-verify");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_verify_without_destination);
	tcase_add_test(tc, test_verify_key_and_sig_faults);
	tcase_add_test(tc, test_sign_quoting_and_errors);
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);
	return s;
}
