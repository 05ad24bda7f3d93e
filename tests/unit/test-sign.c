/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed JSON (appendices: Signing JSON, Checking for a Signature): the
 * cases of tests/vectors/signing.json (the spec's signing key and JSON
 * signing examples byte for byte, python-signedjson's and
 * gomatrixserverlib's sign and verify cases), the bytes a signature
 * covers, tampering, signatures kept beside others, every failure reason
 * with its status and JSON path, and allocation failure at every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

#define SPEC_SEED "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"

static mxc_json *vectors;

static void
setup(void)
{
	vectors = test_load_vectors("signing.json");
}

static void
teardown(void)
{
	mxc_json_free(vectors);
}

static mxc_signing_key *
key_from(const char *seed_b64, const char *key_id)
{
	mxc_signing_key *k = NULL;
	mxc_error err;
	int rc = mxc_signing_key_from_base64(&k, seed_b64, strlen(seed_b64),
	                                     key_id, NULL, &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s", seed_b64, err.message);
	return k;
}

static void
decode32(uint8_t *out, const char *b64)
{
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_decode(&b, b64, strlen(b64), 0, NULL),
	                 MXC_OK);
	ck_assert_uint_eq(b.len, 32);
	memcpy(out, b.data, 32);
	mxc_buf_dispose(&b);
}

static const mxc_json *
vector_case(size_t i)
{
	return mxc_json_at(mxc_json_getz(vectors, "cases"), i);
}

START_TEST(test_vectors)
{
	size_t n = mxc_json_size(mxc_json_getz(vectors, "cases"));
	ck_assert_uint_eq(n, 22);
	size_t seen_sign = 0, seen_verify = 0, seen_other = 0;
	for (size_t i = 0; i < n; i++) {
		const mxc_json *c = vector_case(i);
		const char *kind = test_str(c, "kind", NULL);
		const char *name = test_str(c, "name", NULL);
		const char *entity = test_str(c, "entity", NULL);
		const char *key_id = test_str(c, "key_id", NULL);
		ck_assert_ptr_nonnull(mxc_json_getz(c, "source"));
		mxc_error err;

		if (strcmp(kind, "signing_key") == 0) {
			mxc_signing_key *k =
				key_from(test_str(c, "seed_base64", NULL), key_id);
			uint8_t pk[32], want[32];
			mxc_signing_key_public(pk, k);
			decode32(want, test_str(c, "public_key_base64", NULL));
			ck_assert_mem_eq(pk, want, 32);
			mxc_signing_key_free(k);
			seen_other++;
		} else if (strcmp(kind, "sign_json") == 0) {
			/* byte for byte: canonical output equals canonical
			 * expected */
			mxc_signing_key *k =
				key_from(test_str(c, "seed_base64", NULL), key_id);
			mxc_json *signed_obj = NULL;
			int rc = mxc_json_sign(&signed_obj,
			                       mxc_json_getz(c, "input"), entity,
			                       k, NULL, &err);
			ck_assert_msg(rc == MXC_OK, "%s: %s", name, err.message);
			char *got = test_canonical(signed_obj);
			char *want = test_canonical(mxc_json_getz(c, "expected"));
			ck_assert_msg(strcmp(got, want) == 0, "%s:\n%s\n%s", name,
			              got, want);
			/* and it verifies */
			uint8_t pk[32];
			mxc_signing_key_public(pk, k);
			ck_assert_int_eq(mxc_json_verify(signed_obj, entity,
			                                 key_id, pk, 32, &err),
			                 MXC_OK);
			free(got);
			free(want);
			mxc_json_free(signed_obj);
			mxc_signing_key_free(k);
			seen_sign++;
		} else if (strcmp(kind, "signing_input") == 0) {
			mxc_buf b = MXC_BUF_INIT;
			ck_assert_int_eq(mxc_json_signing_bytes(
						 &b, mxc_json_getz(c, "input"),
						 &err),
			                 MXC_OK);
			ck_assert_str_eq(b.data,
			                 test_str(c, "expected_signed_bytes_utf8",
			                          NULL));
			mxc_buf_dispose(&b);
			seen_other++;
		} else if (strcmp(kind, "verify_json") == 0) {
			uint8_t pk[32] = {0};
			const char *pk_b64 = test_str(c, "public_key_base64", NULL);
			if (pk_b64)
				decode32(pk, pk_b64);
			int valid = mxc_json_get_type(mxc_json_getz(c, "valid")) ==
			            MXC_JSON_TRUE;
			/* spec-divergent cases: we follow the spec */
			const mxc_json *here = mxc_json_getz(c, "expected_here");
			if (here) {
				ck_assert_ptr_nonnull(
					mxc_json_getz(c, "spec_divergent"));
				valid = mxc_json_get_type(here) == MXC_JSON_TRUE;
			}
			int rc = mxc_json_verify(mxc_json_getz(c, "input"), entity,
			                         key_id, pk, 32, &err);
			if (valid) {
				ck_assert_msg(rc == MXC_OK, "%s: %s %s", name,
				              mxc_strerror(rc), err.message);
			} else {
				/* a mock algorithm is unsupported; every other
				 * failure is a bad signature */
				const mxc_json *sigs = mxc_json_getz(
					mxc_json_getz(c, "input"), "signatures");
				bool has_sig = mxc_json_getz(
					mxc_json_getz(sigs, entity), key_id);
				int want = strncmp(key_id, "ed25519:", 8) != 0 &&
				                   has_sig
				                   ? MXC_ERR_UNSUPPORTED
				                   : MXC_ERR_BAD_SIGNATURE;
				ck_assert_msg(rc == want, "%s: %s, want %s", name,
				              mxc_strerror(rc),
				              mxc_strerror(want));
				ck_assert_int_eq(err.status, rc);
				ck_assert(err.message[0] != '\0');
			}
			seen_verify++;
		} else if (strcmp(kind, "algorithm_supported") == 0) {
			uint8_t seed[32] = {7};
			const mxc_json *l = mxc_json_getz(c, "supported");
			for (size_t j = 0; j < mxc_json_size(l); j++) {
				mxc_signing_key *k = NULL;
				ck_assert_int_eq(mxc_signing_key_new(
							 &k, seed, 32,
							 mxc_json_get_string(
								 mxc_json_at(l, j),
								 NULL),
							 NULL, NULL),
				                 MXC_OK);
				mxc_signing_key_free(k);
			}
			l = mxc_json_getz(c, "unsupported");
			for (size_t j = 0; j < mxc_json_size(l); j++) {
				mxc_signing_key *k = NULL;
				ck_assert_int_eq(mxc_signing_key_new(
							 &k, seed, 32,
							 mxc_json_get_string(
								 mxc_json_at(l, j),
								 NULL),
							 NULL, NULL),
				                 MXC_ERR_UNSUPPORTED);
			}
			seen_other++;
		} else {
			ck_abort_msg("unknown kind %s", kind);
		}
	}
	ck_assert_uint_eq(seen_sign, 7);
	ck_assert_uint_eq(seen_verify, 12);
	ck_assert_uint_eq(seen_other, 3);
}
END_TEST

/* ---- signing ------------------------------------------------------------- */

static mxc_json *
sign(const char *text, const char *server, mxc_signing_key *k)
{
	mxc_json *in = test_parse(text, 0), *out = NULL;
	mxc_error err;
	int rc = mxc_json_sign(&out, in, server, k, NULL, &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s", text, err.message);
	mxc_json_free(in);
	return out;
}

START_TEST(test_sign_keeps_others)
{
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	mxc_signing_key *k2 = key_from("U29tZSAzMiByYW5kb21seSBnZW5lcmF0ZWQgYnl0ZXM",
	                               "ed25519:2");
	uint8_t pk[32], pk2[32];
	mxc_signing_key_public(pk, k);
	mxc_signing_key_public(pk2, k2);

	/* existing signatures of other servers and keys stay; a previous
	 * signature with the same key ID is replaced; unsigned stays */
	mxc_json *s = sign("{\"one\":1,\"two\":\"Two\",\"unsigned\":{\"age\":5},"
	                   "\"signatures\":{\"other\":{\"ed25519:x\":\"abc\"},"
	                   "\"domain\":{\"ed25519:1\":\"stale\","
	                   "\"ed25519:9\":\"keep\"}}}",
	                   "domain", k);
	char *c = test_canonical(s);
	ck_assert_str_eq(
		c, "{\"one\":1,\"signatures\":{\"domain\":{\"ed25519:1\":"
		   "\"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoq"
		   "E7BP7vBZhG6kYdD13EIMJpvhJI+6Bw\",\"ed25519:9\":\"keep\"},"
		   "\"other\":{\"ed25519:x\":\"abc\"}},\"two\":\"Two\","
		   "\"unsigned\":{\"age\":5}}");
	free(c);

	/* a second server signs the signed object: both verify */
	mxc_json *s2 = NULL;
	ck_assert_int_eq(mxc_json_sign(&s2, s, "second.example", k2, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc_json_verify(s2, "domain", "ed25519:1", pk, 32,
	                                 NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc_json_verify(s2, "second.example", "ed25519:2",
	                                 pk2, 32, NULL),
	                 MXC_OK);
	/* the input is untouched */
	ck_assert_ptr_null(mxc_json_getz(mxc_json_getz(s, "signatures"),
	                                 "second.example"));
	mxc_json_free(s);
	mxc_json_free(s2);
	mxc_signing_key_free(k);
	mxc_signing_key_free(k2);
}
END_TEST

START_TEST(test_signing_bytes)
{
	/* signatures and unsigned only at the top level are left out */
	mxc_json *v = test_parse(
		"{\"b\":{\"signatures\":1,\"unsigned\":2},\"unsigned\":{\"x\":1},"
		"\"signatures\":{\"s\":{}},\"a\":\"\\u0000\"}",
		0);
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_json_signing_bytes(&b, v, NULL), MXC_OK);
	ck_assert_uint_eq(b.len, strlen("{\"a\":\"\\u0000\",\"b\":{\"signatures\":1,"
	                                "\"unsigned\":2}}"));
	ck_assert_str_eq(b.data,
	                 "{\"a\":\"\\u0000\",\"b\":{\"signatures\":1,"
	                 "\"unsigned\":2}}");
	mxc_buf_dispose(&b);
	mxc_json_free(v);

	/* not an object */
	mxc_error err;
	v = test_parse("[1]", 0);
	ck_assert_int_eq(mxc_json_signing_bytes(&b, v, &err), MXC_ERR_JSON_TYPE);
	ck_assert_int_eq(mxc_json_signing_bytes(NULL, v, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(v);

	/* lenient (v1 to v5) numbers: the canonical form is what is signed */
	v = test_parse("{\"n\":1E2,\"m\":-0}", 1);
	ck_assert_int_eq(mxc_json_signing_bytes(&b, v, NULL), MXC_OK);
	ck_assert_str_eq(b.data, "{\"m\":0,\"n\":100}");
	mxc_buf_dispose(&b);
	mxc_json_free(v);
}
END_TEST

START_TEST(test_sign_errors)
{
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	struct {
		const char *text;
		int want;
		const char *subject;
	} t[] = {
		{"[]", MXC_ERR_JSON_TYPE, ""},
		{"\"s\"", MXC_ERR_JSON_TYPE, ""},
		{"{\"signatures\":[]}", MXC_ERR_JSON_TYPE, "$.signatures"},
		{"{\"signatures\":{\"a\":{},\"domain\":\"x\"}}", MXC_ERR_JSON_TYPE,
		 "$.signatures.domain"},
		{"{\"signatures\":{\"other\":1}}", MXC_ERR_JSON_TYPE,
		 "$.signatures.other"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *in = test_parse(t[i].text, 0), *out = (mxc_json *)1;
		mxc_error err;
		ck_assert_int_eq(mxc_json_sign(&out, in, "domain", k, NULL, &err),
		                 t[i].want);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(err.status, t[i].want);
		ck_assert_msg(strcmp(err.subject, t[i].subject) == 0,
		              "%s: subject %s", t[i].text, err.subject);
		mxc_json_free(in);
	}
	mxc_json *in = test_parse("{}", 0), *out = NULL;
	ck_assert_int_eq(mxc_json_sign(&out, in, "", k, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_sign(&out, in, "\xff", k, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_sign(&out, in, NULL, k, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_sign(&out, in, "domain", NULL, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_sign(NULL, in, "domain", k, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(in);
	mxc_signing_key_free(k);
}
END_TEST

/* ---- verifying ----------------------------------------------------------- */

START_TEST(test_tampering)
{
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k);
	mxc_json *s = sign("{\"one\":1,\"two\":\"Two\",\"nested\":{\"a\":[1,2]}}",
	                   "domain", k);
	char *text = test_canonical(s);
	ck_assert_int_eq(mxc_json_verify(s, "domain", "ed25519:1", pk, 32, NULL),
	                 MXC_OK);

	/* each tampered copy fails as a bad signature */
	const char *from[] = {"\"one\":1", "\"Two\"", "[1,2]", "\"nested\"",
	                      "\"two\""};
	const char *to[] = {"\"one\":2", "\"two\"", "[2,1]", "\"nestex\"",
	                    "\"zero\":0,\"two\""};
	for (size_t i = 0; i < MXC_ARRAY_LEN(from); i++) {
		char buf[512];
		char *p = strstr(text, from[i]);
		ck_assert_ptr_nonnull(p);
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to[i],
		         p + strlen(from[i]));
		mxc_json *t = test_parse(buf, 0);
		mxc_error err;
		ck_assert_int_eq(mxc_json_verify(t, "domain", "ed25519:1", pk, 32,
		                                 &err),
		                 MXC_ERR_BAD_SIGNATURE);
		ck_assert_msg(strstr(err.message, "does not verify"), "%s",
		              err.message);
		ck_assert_str_eq(err.subject, "$.signatures.domain.ed25519:1");
		mxc_json_free(t);
	}

	/* unsigned is not covered: adding it keeps the signature valid */
	mxc_json *u = NULL;
	mxc_json *uv = test_parse("{\"age\":1}", 0);
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	const mxc_json *with = mxc__json_object_with(&ar, s, "unsigned", uv);
	ck_assert_int_eq(mxc_json_copy(&u, with, NULL), MXC_OK);
	ck_assert_int_eq(mxc_json_verify(u, "domain", "ed25519:1", pk, 32, NULL),
	                 MXC_OK);
	mxc__arena_free(&ar);
	mxc_json_free(u);
	mxc_json_free(uv);

	/* another key does not verify it */
	uint8_t other[32];
	memcpy(other, pk, 32);
	other[31] ^= 0x40;
	ck_assert_int_eq(mxc_json_verify(s, "domain", "ed25519:1", other, 32,
	                                 NULL),
	                 MXC_ERR_BAD_SIGNATURE);
	free(text);
	mxc_json_free(s);
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_verify_reasons)
{
	uint8_t pk[32];
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	mxc_signing_key_public(pk, k);
	mxc_signing_key_free(k);
	const char *sig = "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb"
	                  "76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ";
	char padded[200], short_sig[200], long_sig[200], bad_char[200];
	snprintf(padded, sizeof padded,
	         "{\"signatures\":{\"domain\":{\"ed25519:1\":\"%s==\"}}}", sig);
	snprintf(short_sig, sizeof short_sig,
	         "{\"signatures\":{\"domain\":{\"ed25519:1\":\"%.84s\"}}}", sig);
	snprintf(long_sig, sizeof long_sig,
	         "{\"signatures\":{\"domain\":{\"ed25519:1\":\"%sAA\"}}}", sig);
	snprintf(bad_char, sizeof bad_char,
	         "{\"signatures\":{\"domain\":{\"ed25519:1\":\"%.40s-%s\"}}}",
	         sig, sig + 41);
	struct {
		const char *text, *key_id;
		int want;
		const char *why, *subject;
	} t[] = {
		{padded, "ed25519:1", MXC_OK, "", ""},
		{"{}", "ed25519:1", MXC_ERR_BAD_SIGNATURE, "no `signatures`", "$"},
		{"{\"signatures\":1}", "ed25519:1", MXC_ERR_BAD_SIGNATURE,
		 "not an object", "$.signatures"},
		{"{\"signatures\":{}}", "ed25519:1", MXC_ERR_BAD_SIGNATURE,
		 "no signatures from domain", "$.signatures.domain"},
		{"{\"signatures\":{\"domain\":[]}}", "ed25519:1",
		 MXC_ERR_BAD_SIGNATURE, "not an object", "$.signatures.domain"},
		{"{\"signatures\":{\"domain\":{}}}", "ed25519:1",
		 MXC_ERR_BAD_SIGNATURE, "no signature by domain with key",
		 "$.signatures.domain.ed25519:1"},
		{"{\"signatures\":{\"domain\":{\"ed25519:1\":5}}}", "ed25519:1",
		 MXC_ERR_BAD_SIGNATURE, "not a string",
		 "$.signatures.domain.ed25519:1"},
		{bad_char, "ed25519:1", MXC_ERR_BAD_SIGNATURE, "not valid base64",
		 "$.signatures.domain.ed25519:1"},
		{short_sig, "ed25519:1", MXC_ERR_BAD_SIGNATURE,
		 "63 bytes, not 64", "$.signatures.domain.ed25519:1"},
		{long_sig, "ed25519:1", MXC_ERR_BAD_SIGNATURE, "66 bytes, not 64",
		 "$.signatures.domain.ed25519:1"},
		{"{\"signatures\":{\"domain\":{\"x25519:1\":\"AAAA\"}}}",
		 "x25519:1", MXC_ERR_UNSUPPORTED, "not ed25519",
		 "$.signatures.domain.x25519:1"},
		{"{\"signatures\":{\"domain\":{\"ed25519:\":\"AAAA\"}}}",
		 "ed25519:", MXC_ERR_BAD_SIGNATURE, "key ID",
		 "$.signatures.domain.ed25519:"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_json *v = test_parse(t[i].text, 0);
		mxc_error err;
		mxc_error_clear(&err);
		int rc = mxc_json_verify(v, "domain", t[i].key_id, pk, 32, &err);
		ck_assert_msg(rc == t[i].want, "%zu %s: %s (%s)", i, t[i].text,
		              mxc_strerror(rc), err.message);
		if (rc) {
			ck_assert_int_eq(err.status, rc);
			ck_assert_msg(strstr(err.message, t[i].why), "%zu: %s", i,
			              err.message);
			ck_assert_msg(strcmp(err.subject, t[i].subject) == 0,
			              "%zu: subject %s", i, err.subject);
		}
		mxc_json_free(v);
	}

	/* caller errors */
	mxc_json *v = test_parse("{}", 0), *a = test_parse("[]", 0);
	ck_assert_int_eq(mxc_json_verify(v, "domain", "ed25519:1", pk, 31, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_verify(a, "domain", "ed25519:1", pk, 32, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_verify(v, NULL, "ed25519:1", pk, 32, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_json_verify(v, "domain", "ed25519:1", NULL, 32,
	                                 NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(v);
	mxc_json_free(a);
}
END_TEST

/* ---- allocation failure -------------------------------------------------- */

START_TEST(test_sign_nomem)
{
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	mxc_json *in = test_parse("{\"one\":1,\"two\":\"Two\",\"unsigned\":{},"
	                          "\"signatures\":{\"x\":{\"ed25519:a\":\"b\"}}}",
	                          0);
	mxc_json *ref = NULL;
	ck_assert_int_eq(mxc_json_sign(&ref, in, "domain", k, NULL, NULL),
	                 MXC_OK);
	char *want = test_canonical(ref);
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_json *out = NULL;
		mxc_error err;
		int rc = mxc_json_sign(&out, in, "domain", k, &fa.a, &err);
		if (rc == MXC_OK) {
			ck_assert_int_ge(fail, 3);
			char *got = test_canonical(out);
			ck_assert_str_eq(got, want);
			free(got);
			mxc_json_free(out);
			ck_assert_int_eq(fa.live, 0);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(err.status, MXC_ERR_NOMEM);
		ck_assert_ptr_null(out);
		ck_assert_int_eq(fa.live, 0);
	}
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_buf b;
		mxc_buf_init(&b, &fa.a);
		int rc = mxc_json_signing_bytes(&b, in, NULL);
		mxc_buf_dispose(&b);
		ck_assert_int_eq(fa.live, 0);
		if (rc == MXC_OK)
			break;
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
	}
	free(want);
	mxc_json_free(ref);
	mxc_json_free(in);
	mxc_signing_key_free(k);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("sign");
	tcase_add_test(tc, test_sign_keeps_others);
	tcase_add_test(tc, test_signing_bytes);
	tcase_add_test(tc, test_sign_errors);
	tcase_add_test(tc, test_sign_nomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_test(tc, test_tampering);
	tcase_add_test(tc, test_verify_reasons);
	suite_add_tcase(s, tc);
	return s;
}
