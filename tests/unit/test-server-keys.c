/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server key documents (server-server API: Retrieving server keys):
 * building one byte for byte (tests/vectors/server_keys.json, signature
 * cross-checked with OpenSSL), the round trip through parsing and the
 * accessors, which key may verify an event or a request (old keys and
 * expired_ts, valid_until_ts), tampered, unsigned, wrongly signed and
 * malformed documents with their status and path, a different server than
 * asked for, notary signatures, and allocation failure at every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

#define SPEC_SEED "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
#define OTHER_SEED "U29tZSAzMiByYW5kb21seSBnZW5lcmF0ZWQgYnl0ZXM"

static mxc_signing_key *
key_from(const char *seed_b64, const char *key_id)
{
	mxc_signing_key *k = NULL;
	int rc = mxc_signing_key_from_base64(&k, seed_b64, strlen(seed_b64),
	                                     key_id, NULL, NULL);
	ck_assert_int_eq(rc, MXC_OK);
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

/* The document of the vector file's `build` case, built by the library. */
static mxc_json *
build_vector_doc(const mxc_allocator *alloc, int *rc_out)
{
	mxc_signing_key *k = key_from(SPEC_SEED, "ed25519:1");
	uint8_t old_pk[32];
	memset(old_pk, 1, 32);
	mxc_old_verify_key old = {"ed25519:old", old_pk, 1532645052628};
	const mxc_signing_key *keys[] = {k};
	mxc_json *doc = NULL;
	*rc_out = mxc_server_keys_build(&doc, "domain", keys, 1, &old, 1,
	                                1652262000000, alloc, NULL);
	mxc_signing_key_free(k);
	return doc;
}

static char *
vector_doc_text(void)
{
	int rc;
	mxc_json *doc = build_vector_doc(NULL, &rc);
	ck_assert_int_eq(rc, MXC_OK);
	char *t = test_canonical(doc);
	mxc_json_free(doc);
	return t;
}

static int
parse_text(mxc_server_keys **out, const char *text, const char *expect,
           mxc_error *err)
{
	*out = NULL;
	mxc_error_clear(err);
	int rc = mxc_server_keys_parse(out, text, strlen(text), expect, NULL,
	                               err);
	if (rc)
		ck_assert_ptr_null(*out);
	else
		ck_assert_ptr_nonnull(*out);
	return rc;
}

/* text with the first `from` replaced by `to` (a static buffer) */
static const char *
replace(const char *text, const char *from, const char *to)
{
	static char buf[4096];
	const char *p = strstr(text, from);
	ck_assert_msg(p != NULL, "%s not in %s", from, text);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to,
	         p + strlen(from));
	return buf;
}

START_TEST(test_vectors)
{
	mxc_json *v = test_load_vectors("server_keys.json");
	const mxc_json *cases = mxc_json_getz(v, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 2);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *kind = test_str(c, "kind", NULL);
		ck_assert_ptr_nonnull(mxc_json_getz(c, "source"));
		if (strcmp(kind, "build") == 0) {
			/* the case's parameters are those of build_vector_doc */
			ck_assert_str_eq(test_str(c, "seed_base64", NULL),
			                 SPEC_SEED);
			ck_assert_str_eq(test_str(c, "server_name", NULL),
			                 "domain");
			const mxc_json *old = mxc_json_at(
				mxc_json_getz(c, "old_verify_keys"), 0);
			uint8_t pk[32], want_pk[32];
			memset(want_pk, 1, 32);
			decode32(pk, test_str(old, "public_key_base64", NULL));
			ck_assert_mem_eq(pk, want_pk, 32);
			char *got = vector_doc_text();
			char *want = test_canonical(mxc_json_getz(c, "expected"));
			ck_assert_str_eq(got, want);
			free(got);
			free(want);
		} else if (strcmp(kind, "parse") == 0) {
			mxc_server_keys *ks = NULL;
			mxc_error err;
			int want;
			ck_assert_int_eq(mxc_status_from_name(
						 &want, test_str(c, "error", NULL)),
			                 MXC_OK);
			ck_assert_int_eq(mxc_server_keys_from_json(
						 &ks, mxc_json_getz(c, "input"),
						 NULL, NULL, &err),
			                 want);
			ck_assert_ptr_null(ks);
		} else {
			ck_abort_msg("unknown kind %s", kind);
		}
	}
	mxc_json_free(v);
}
END_TEST

START_TEST(test_round_trip)
{
	char *text = vector_doc_text();
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, text, "domain", &err), MXC_OK);
	size_t n;
	ck_assert_str_eq(mxc_server_keys_server_name(ks, &n), "domain");
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(mxc_server_keys_valid_until_ts(ks), 1652262000000);
	ck_assert_uint_eq(mxc_server_keys_count(ks), 2);

	ck_assert_str_eq(mxc_server_keys_key_id(ks, 0), "ed25519:1");
	ck_assert_int_eq(mxc_server_keys_key_is_old(ks, 0), 0);
	ck_assert_int_eq(mxc_server_keys_key_until_ts(ks, 0), 1652262000000);
	uint8_t spec_pk[32];
	decode32(spec_pk, "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
	ck_assert_mem_eq(mxc_server_keys_key_public(ks, 0), spec_pk, 32);

	ck_assert_str_eq(mxc_server_keys_key_id(ks, 1), "ed25519:old");
	ck_assert_int_eq(mxc_server_keys_key_is_old(ks, 1), 1);
	ck_assert_int_eq(mxc_server_keys_key_until_ts(ks, 1), 1532645052628);
	uint8_t ones[32];
	memset(ones, 1, 32);
	ck_assert_mem_eq(mxc_server_keys_key_public(ks, 1), ones, 32);

	/* out of range */
	ck_assert_ptr_null(mxc_server_keys_key_id(ks, 2));
	ck_assert_ptr_null(mxc_server_keys_key_public(ks, 2));
	ck_assert_int_eq(mxc_server_keys_key_until_ts(ks, 2), 0);

	size_t idx;
	ck_assert_int_eq(mxc_server_keys_find(&idx, ks, "ed25519:old"), MXC_OK);
	ck_assert_uint_eq(idx, 1);
	ck_assert_int_eq(mxc_server_keys_find(&idx, ks, "ed25519:2"),
	                 MXC_ERR_NOT_FOUND);

	/* the kept document is the one given */
	char *again = test_canonical(mxc_server_keys_json(ks));
	ck_assert_str_eq(again, text);
	free(again);
	mxc_server_keys_free(ks);

	/* any server accepted when none is expected; from a tree too */
	ck_assert_int_eq(parse_text(&ks, text, NULL, &err), MXC_OK);
	mxc_server_keys_free(ks);
	mxc_json *doc = test_parse(text, 0);
	ck_assert_int_eq(mxc_server_keys_from_json(&ks, doc, "domain", NULL,
	                                           &err),
	                 MXC_OK);
	mxc_json_free(doc); /* the keys keep their own copy */
	ck_assert_str_eq(mxc_server_keys_key_id(ks, 1), "ed25519:old");
	mxc_server_keys_free(ks);
	mxc_server_keys_free(NULL);
	free(text);
}
END_TEST

START_TEST(test_key_for_event)
{
	char *text = vector_doc_text();
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, text, "domain", &err), MXC_OK);
	const uint8_t *pk = NULL;
	int64_t until = 0;

	/* a current key, whatever the time: valid_until_ts is the event
	 * layer's (room v5+), handed over in `until` */
	ck_assert_int_eq(mxc_server_keys_key_for_event(&pk, &until, ks,
	                                               "ed25519:1",
	                                               1652262000001, &err),
	                 MXC_OK);
	ck_assert_ptr_eq(pk, mxc_server_keys_key_public(ks, 0));
	ck_assert_int_eq(until, 1652262000000);

	/* an old key only for events before its expired_ts */
	ck_assert_int_eq(mxc_server_keys_key_for_event(&pk, &until, ks,
	                                               "ed25519:old",
	                                               1532645052627, &err),
	                 MXC_OK);
	ck_assert_ptr_eq(pk, mxc_server_keys_key_public(ks, 1));
	ck_assert_int_eq(until, 1532645052628);
	ck_assert_int_eq(mxc_server_keys_key_for_event(&pk, &until, ks,
	                                               "ed25519:old",
	                                               1532645052628, &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_ptr_null(pk);
	ck_assert_str_eq(err.subject, "ed25519:old");
	ck_assert_msg(strstr(err.message, "expired"), "%s", err.message);
	ck_assert_int_eq(mxc_server_keys_key_for_event(&pk, NULL, ks,
	                                               "ed25519:old",
	                                               1600000000000, &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_int_eq(mxc_server_keys_key_for_event(&pk, NULL, ks,
	                                               "ed25519:zz", 1, &err),
	                 MXC_ERR_NOT_FOUND);
	ck_assert_str_eq(err.subject, "ed25519:zz");
	ck_assert_int_eq(mxc_server_keys_key_for_event(NULL, NULL, ks,
	                                               "ed25519:1", 1, &err),
	                 MXC_ERR_INVALID_ARGUMENT);

	/* requests: current keys only, and not past valid_until_ts */
	ck_assert_int_eq(mxc_server_keys_key_for_request(&pk, ks, "ed25519:1",
	                                                 1652262000000, &err),
	                 MXC_OK);
	ck_assert_ptr_eq(pk, mxc_server_keys_key_public(ks, 0));
	ck_assert_int_eq(mxc_server_keys_key_for_request(&pk, ks, "ed25519:1",
	                                                 1652262000001, &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_ptr_null(pk);
	ck_assert_int_eq(mxc_server_keys_key_for_request(&pk, ks, "ed25519:old",
	                                                 1, &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_msg(strstr(err.message, "old key"), "%s", err.message);
	ck_assert_int_eq(mxc_server_keys_key_for_request(&pk, ks, "ed25519:x",
	                                                 1, &err),
	                 MXC_ERR_NOT_FOUND);
	mxc_server_keys_free(ks);
	free(text);
}
END_TEST

START_TEST(test_wrong_server)
{
	char *text = vector_doc_text();
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, text, "other.example", &err),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	ck_assert_str_eq(err.subject, "$.server_name");
	ck_assert_int_eq(parse_text(&ks, text, "domai", &err),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	ck_assert_int_eq(parse_text(&ks, text, "domainx", &err),
	                 MXC_ERR_BAD_KEY_DOCUMENT);

	/* the document claims another server than the one that signed it:
	 * its server_name is covered by the signature */
	ck_assert_int_eq(parse_text(&ks,
	                            replace(text, "\"server_name\":\"domain\"",
	                                    "\"server_name\":\"evil\""),
	                            "evil", &err),
	                 MXC_ERR_BAD_SIGNATURE);
	free(text);
}
END_TEST

START_TEST(test_tampered)
{
	char *text = vector_doc_text();
	const char *from[] = {
		"1652262000000",          /* valid_until_ts extended */
		"1532645052628",          /* old key kept alive longer */
		"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE", /* old key */
		"\"signatures\":{\"domain\":{\"ed25519:1\":\"8", /* sig byte */
	};
	const char *to[] = {
		"1952262000000",
		"1932645052628",
		"AgEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
		"\"signatures\":{\"domain\":{\"ed25519:1\":\"9",
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(from); i++) {
		mxc_server_keys *ks;
		mxc_error err;
		ck_assert_int_eq(parse_text(&ks, replace(text, from[i], to[i]),
		                            "domain", &err),
		                 MXC_ERR_BAD_SIGNATURE);
		ck_assert_str_eq(err.subject, "$.signatures.domain.ed25519:1");
	}
	/* replacing the verify key breaks the self-signature as well */
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks,
	                            replace(text,
	                                    "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXD"
	                                    "JA8kcJNI",
	                                    "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
	                                    "EBAQEBAQE"),
	                            "domain", &err),
	                 MXC_ERR_BAD_SIGNATURE);
	free(text);
}
END_TEST

/* A document signed by `signer` as `server` (server_name "domain" unless
 * the text says otherwise): lets the structure tests reach the checks
 * after the self-signature. */
static char *
signed_text(const char *unsigned_text, const char *server,
            mxc_signing_key *signer)
{
	mxc_json *in = test_parse(unsigned_text, 0), *out = NULL;
	ck_assert_int_eq(mxc_json_sign(&out, in, server, signer, NULL, NULL),
	                 MXC_OK);
	char *t = test_canonical(out);
	mxc_json_free(in);
	mxc_json_free(out);
	return t;
}

START_TEST(test_signature_rules)
{
	mxc_signing_key *k1 = key_from(SPEC_SEED, "ed25519:1");
	mxc_signing_key *k2 = key_from(OTHER_SEED, "ed25519:2");
	mxc_server_keys *ks;
	mxc_error err;
	const char *body =
		"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		"\"verify_keys\":{\"ed25519:1\":{\"key\":"
		"\"XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI\"}}}";

	/* unsigned */
	ck_assert_int_eq(parse_text(&ks, body, "domain", &err),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	ck_assert_str_eq(err.subject, "$.signatures");

	/* signed by the right key: fine; a signature by a key it does not
	 * list is ignored beside it */
	char *good = signed_text(body, "domain", k1);
	ck_assert_int_eq(parse_text(&ks, good, "domain", &err), MXC_OK);
	mxc_server_keys_free(ks);
	char *good2 = signed_text(good, "domain", k2);
	ck_assert_int_eq(parse_text(&ks, good2, "domain", &err), MXC_OK);
	mxc_server_keys_free(ks);

	/* signed only by a key it does not list */
	char *unknown = signed_text(body, "domain", k2);
	ck_assert_int_eq(parse_text(&ks, unknown, "domain", &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_str_eq(err.subject, "$.signatures.domain");
	/* signed by another server only */
	char *other = signed_text(body, "notary.example", k1);
	ck_assert_int_eq(parse_text(&ks, other, "domain", &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_str_eq(err.subject, "$.signatures");
	/* a bad signature with a listed key fails even beside a good one */
	const char *two =
		"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		"\"verify_keys\":{\"ed25519:1\":{\"key\":"
		"\"XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI\"},"
		"\"ed25519:2\":{\"key\":"
		"\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\"}}}";
	char *half = signed_text(two, "domain", k1);
	mxc_json *h = test_parse(half, 0);
	mxc_json *bad = NULL;
	ck_assert_int_eq(mxc_json_sign(&bad, h, "domain", k2, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc_server_keys_from_json(&ks, bad, "domain", NULL,
	                                           &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_str_eq(err.subject, "$.signatures.domain.ed25519:2");
	ck_assert_ptr_null(ks);
	mxc_json_free(bad);
	mxc_json_free(h);
	free(half);

	free(good);
	free(good2);
	free(unknown);
	free(other);
	mxc_signing_key_free(k1);
	mxc_signing_key_free(k2);
}
END_TEST

START_TEST(test_malformed)
{
	struct {
		const char *text;
		int want;
		const char *subject;
	} t[] = {
		{"[]", MXC_ERR_BAD_KEY_DOCUMENT, "$"},
		{"{\"valid_until_ts\":5,\"verify_keys\":{},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.server_name"},
		{"{\"server_name\":\"\",\"valid_until_ts\":5,\"verify_keys\":{},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.server_name"},
		{"{\"server_name\":\"a\\u0000b\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.server_name"},
		{"{\"server_name\":5,\"valid_until_ts\":5,\"verify_keys\":{},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.server_name"},
		{"{\"server_name\":\"domain\",\"verify_keys\":{},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.valid_until_ts"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":\"5\","
		 "\"verify_keys\":{},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.valid_until_ts"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":[],\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"signatures\":[]}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.signatures"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:a-b\":{\"key\":\"AAAA\"}},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.ed25519:a-b"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"nocolon\":{\"key\":\"AAAA\"}},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.nocolon"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:a\":\"AAAA\"},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.ed25519:a"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:a\":{}},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.ed25519:a"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:a\":{\"key\":\"AA*A\"}},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.ed25519:a"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:a\":{\"key\":\"AAAA\"}},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.verify_keys.ed25519:a"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"old_verify_keys\":{\"ed25519:o\":"
		 "{\"key\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\"}},"
		 "\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.old_verify_keys.ed25519:o"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"old_verify_keys\":{\"ed25519:o\":"
		 "{\"key\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\","
		 "\"expired_ts\":null}},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.old_verify_keys.ed25519:o"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"old_verify_keys\":5,\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.old_verify_keys"},
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{\"ed25519:o\":{\"key\":"
		 "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\"}},"
		 "\"old_verify_keys\":{\"ed25519:o\":"
		 "{\"key\":\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE\","
		 "\"expired_ts\":1}},\"signatures\":{}}",
		 MXC_ERR_BAD_KEY_DOCUMENT, "$.old_verify_keys.ed25519:o"},
		/* structure fine, no usable key signed it */
		{"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		 "\"verify_keys\":{},\"signatures\":{}}",
		 MXC_ERR_BAD_SIGNATURE, "$.signatures"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_server_keys *ks;
		mxc_error err;
		int rc = parse_text(&ks, t[i].text, NULL, &err);
		ck_assert_msg(rc == t[i].want, "%zu: %s (%s)", i,
		              mxc_strerror(rc), err.message);
		ck_assert_int_eq(err.status, rc);
		ck_assert_msg(strcmp(err.subject, t[i].subject) == 0,
		              "%zu: subject %s (%s)", i, err.subject,
		              err.message);
	}
	/* JSON syntax errors are the parser's */
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, "{\"a\":", NULL, &err),
	                 MXC_ERR_JSON_SYNTAX);
	ck_assert_int_eq(parse_text(&ks, "{\"a\":1,\"a\":2}", NULL, &err),
	                 MXC_ERR_JSON_DUPLICATE_KEY);
	ck_assert_int_eq(mxc_server_keys_parse(NULL, "{}", 2, NULL, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_server_keys_from_json(&ks, NULL, NULL, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_other_algorithms_skipped)
{
	/* a key of an algorithm we do not know is not listed; the document
	 * stays usable through its ed25519 key */
	mxc_signing_key *k1 = key_from(SPEC_SEED, "ed25519:1");
	char *t = signed_text(
		"{\"server_name\":\"domain\",\"valid_until_ts\":5,"
		"\"verify_keys\":{\"ed25519:1\":{\"key\":"
		"\"XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI\"},"
		"\"future:1\":{\"key\":\"whatever, not base64\"}},"
		"\"old_verify_keys\":{\"future:0\":{}}}",
		"domain", k1);
	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, t, "domain", &err), MXC_OK);
	ck_assert_uint_eq(mxc_server_keys_count(ks), 1);
	ck_assert_str_eq(mxc_server_keys_key_id(ks, 0), "ed25519:1");
	size_t i;
	ck_assert_int_eq(mxc_server_keys_find(&i, ks, "future:1"),
	                 MXC_ERR_NOT_FOUND);
	mxc_server_keys_free(ks);
	free(t);
	mxc_signing_key_free(k1);
}
END_TEST

START_TEST(test_notary)
{
	/* Querying Keys Through Another Server: the notary adds its own
	 * signature to the document it relays */
	char *text = vector_doc_text();
	mxc_signing_key *notary = key_from(OTHER_SEED, "ed25519:n1");
	uint8_t notary_pk[32], spec_pk[32];
	mxc_signing_key_public(notary_pk, notary);
	decode32(spec_pk, "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
	char *relayed = signed_text(text, "notary.example", notary);

	mxc_server_keys *ks;
	mxc_error err;
	ck_assert_int_eq(parse_text(&ks, relayed, "domain", &err), MXC_OK);
	ck_assert_int_eq(mxc_server_keys_verify_notary(ks, "notary.example",
	                                               "ed25519:n1", notary_pk,
	                                               32, &err),
	                 MXC_OK);
	ck_assert_int_eq(mxc_server_keys_verify_notary(ks, "notary.example",
	                                               "ed25519:n1", spec_pk,
	                                               32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_server_keys_verify_notary(ks, "other.notary",
	                                               "ed25519:n1", notary_pk,
	                                               32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_server_keys_verify_notary(ks, "notary.example",
	                                               "ed25519:n2", notary_pk,
	                                               32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	mxc_server_keys_free(ks);

	/* without the notary's signature the check fails */
	ck_assert_int_eq(parse_text(&ks, text, "domain", &err), MXC_OK);
	ck_assert_int_eq(mxc_server_keys_verify_notary(ks, "notary.example",
	                                               "ed25519:n1", notary_pk,
	                                               32, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_server_keys_verify_notary(NULL, "notary.example",
	                                               "ed25519:n1", notary_pk,
	                                               32, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_server_keys_free(ks);
	free(relayed);
	free(text);
	mxc_signing_key_free(notary);
}
END_TEST

START_TEST(test_build_many_keys)
{
	/* two current keys both sign; no old key gives an empty
	 * old_verify_keys */
	mxc_signing_key *k1 = key_from(SPEC_SEED, "ed25519:1");
	mxc_signing_key *k2 = key_from(OTHER_SEED, "ed25519:a_2");
	const mxc_signing_key *keys[] = {k2, k1};
	mxc_json *doc = NULL;
	mxc_error err;
	ck_assert_int_eq(mxc_server_keys_build(&doc, "example.org:8448", keys,
	                                       2, NULL, 0, 7, NULL, &err),
	                 MXC_OK);
	ck_assert_uint_eq(mxc_json_size(mxc_json_getz(doc, "old_verify_keys")),
	                  0);
	const mxc_json *sigs = mxc_json_getz(mxc_json_getz(doc, "signatures"),
	                                     "example.org:8448");
	ck_assert_uint_eq(mxc_json_size(sigs), 2);
	mxc_server_keys *ks;
	ck_assert_int_eq(mxc_server_keys_from_json(&ks, doc, "example.org:8448",
	                                           NULL, &err),
	                 MXC_OK);
	ck_assert_uint_eq(mxc_server_keys_count(ks), 2);
	ck_assert_str_eq(mxc_server_keys_key_id(ks, 0), "ed25519:1");
	ck_assert_str_eq(mxc_server_keys_key_id(ks, 1), "ed25519:a_2");
	uint8_t pk[32];
	mxc_signing_key_public(pk, k2);
	ck_assert_mem_eq(mxc_server_keys_key_public(ks, 1), pk, 32);
	ck_assert_int_eq(mxc_json_verify(doc, "example.org:8448", "ed25519:a_2",
	                                 pk, 32, &err),
	                 MXC_OK);
	mxc_server_keys_free(ks);
	mxc_json_free(doc);

	/* bad arguments */
	uint8_t old_pk[32] = {0};
	mxc_old_verify_key dup = {"ed25519:1", old_pk, 1};
	mxc_old_verify_key bad_id = {"ed25519:x-y", old_pk, 1};
	mxc_old_verify_key other_alg = {"rsa:1", old_pk, 1};
	mxc_old_verify_key big_ts = {"ed25519:o", old_pk, 9007199254740992};
	const mxc_signing_key *same[] = {k1, k1};
	struct {
		const mxc_signing_key *const *keys;
		size_t n;
		const mxc_old_verify_key *old;
		size_t n_old;
		int64_t until;
		const char *server;
		int want;
	} t[] = {
		{keys, 0, NULL, 0, 1, "a", MXC_ERR_INVALID_ARGUMENT},
		{same, 2, NULL, 0, 1, "a", MXC_ERR_INVALID_ARGUMENT},
		{keys, 2, &dup, 1, 1, "a", MXC_ERR_INVALID_ARGUMENT},
		{keys, 1, &bad_id, 1, 1, "a", MXC_ERR_BAD_KEY},
		{keys, 1, &other_alg, 1, 1, "a", MXC_ERR_UNSUPPORTED},
		{keys, 1, &big_ts, 1, 1, "a", MXC_ERR_INVALID_ARGUMENT},
		{keys, 1, NULL, 0, -9007199254740992, "a",
		 MXC_ERR_INVALID_ARGUMENT},
		{keys, 1, NULL, 1, 1, "a", MXC_ERR_INVALID_ARGUMENT},
		{keys, 1, NULL, 0, 1, "", MXC_ERR_INVALID_ARGUMENT},
		{keys, 1, NULL, 0, 1, NULL, MXC_ERR_INVALID_ARGUMENT},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		doc = (mxc_json *)1;
		int rc = mxc_server_keys_build(&doc, t[i].server, t[i].keys,
		                               t[i].n, t[i].old, t[i].n_old,
		                               t[i].until, NULL, &err);
		ck_assert_msg(rc == t[i].want, "%zu: %s", i, mxc_strerror(rc));
		ck_assert_ptr_null(doc);
	}
	mxc_signing_key_free(k1);
	mxc_signing_key_free(k2);
}
END_TEST

START_TEST(test_nomem)
{
	char *want = vector_doc_text();
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		int rc;
		mxc_json *doc = build_vector_doc(&fa.a, &rc);
		if (rc == MXC_OK) {
			char *got = test_canonical(doc);
			ck_assert_str_eq(got, want);
			free(got);
			mxc_json_free(doc);
			ck_assert_int_eq(fa.live, 0);
			ck_assert_int_ge(fail, 3);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_ptr_null(doc);
		ck_assert_int_eq(fa.live, 0);
	}
	mxc_json *tree = test_parse(want, 0);
	for (int from_tree = 0; from_tree < 2; from_tree++)
		for (long fail = 1;; fail++) {
			test_failing_alloc fa;
			test_failing_alloc_init(&fa, fail);
			mxc_server_keys *ks = NULL;
			mxc_error err;
			int rc = from_tree ? mxc_server_keys_from_json(
						     &ks, tree, "domain", &fa.a,
						     &err)
			                   : mxc_server_keys_parse(
						     &ks, want, strlen(want),
						     "domain", &fa.a, &err);
			if (rc == MXC_OK) {
				ck_assert_uint_eq(mxc_server_keys_count(ks), 2);
				mxc_server_keys_free(ks);
				ck_assert_int_eq(fa.live, 0);
				ck_assert_int_ge(fail, 2);
				break;
			}
			ck_assert_msg(rc == MXC_ERR_NOMEM, "fail at %ld: %s",
			              fail, mxc_strerror(rc));
			ck_assert_ptr_null(ks);
			ck_assert_int_eq(fa.live, 0);
		}
	mxc_json_free(tree);
	free(want);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("server-keys");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_build_many_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_key_for_event);
	tcase_add_test(tc, test_wrong_server);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_signature_rules);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_other_algorithms_skipped);
	tcase_add_test(tc, test_notary);
	suite_add_tcase(s, tc);

	tc = tcase_create("nomem");
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);
	return s;
}
