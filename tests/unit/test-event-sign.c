/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing and verifying events. Known answers: the spec's event signing
 * examples and gomatrixserverlib's event vectors (spec_events.json);
 * events.json (every room version, signed by python3-signedjson);
 * floats.json (v1-v5 events signed over Python's float form). Tampered
 * events fail for their own reason: changed content (hash only), changed
 * redacted field (signature), wrong server, expired key, v5 validity,
 * v1/v2 event ID server, v8 restricted join authoriser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static const mxc_room_version *
rv_of(const char *id)
{
	const mxc_room_version *rv = mxc_room_version_find(id, strlen(id));
	ck_assert_ptr_nonnull(rv);
	return rv;
}

static void
assert_json_eq(const mxc_json *got, const mxc_json *want, const char *name)
{
	char *g = test_canonical(got), *w = test_canonical(want);
	ck_assert_msg(strcmp(g, w) == 0, "%s:\n got  %s\n want %s", name, g,
	              w);
	free(g);
	free(w);
}

static mxc_signing_key *
key_from(const char *seed, const char *key_id)
{
	mxc_signing_key *k = NULL;
	ck_assert_int_eq(mxc_signing_key_from_base64(&k, seed, strlen(seed),
	                                             key_id, NULL, NULL),
	                 MXC_OK);
	return k;
}

static void
decode(uint8_t *out, const char *b64)
{
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_decode(&b, b64, strlen(b64), 0, NULL),
	                 MXC_OK);
	ck_assert_uint_eq(b.len, 32);
	memcpy(out, b.data, 32);
	mxc_buf_dispose(&b);
}

/* The test key (appendices: Cryptographic Test Vectors). */
#define SEED "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
#define PUB "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"

START_TEST(spec_and_gmsl_vectors)
{
	mxc_json *doc = test_load_vectors("events/spec_events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	size_t signs = 0, verifies = 0;
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *kind = test_str(c, "kind", NULL);
		const char *name = test_str(c, "name", NULL);
		const char *server = test_str(c, "server_name", NULL);
		if (!server)
			server = test_str(c, "entity", NULL);
		if (strcmp(kind, "sign_event") == 0) {
			const mxc_room_version *rv =
				rv_of(test_str(c, "room_version", NULL));
			mxc_signing_key *k =
				key_from(test_str(c, "seed_base64", NULL),
				         test_str(c, "key_id", NULL));
			mxc_json *out = NULL;
			mxc_error err;
			mxc_error_clear(&err);
			int rc = mxc_event_sign_json(&out, rv,
			                             mxc_json_getz(c, "input"),
			                             server, k, NULL, &err);
			ck_assert_msg(rc == MXC_OK, "%s: %s", name,
			              err.message);
			assert_json_eq(out, mxc_json_getz(c, "expected"), name);
			/* and the result verifies with the public key */
			uint8_t pk[32];
			decode(pk, PUB);
			rc = mxc_event_verify_signature(rv, out, server,
			                                "ed25519:1", pk, 32,
			                                NULL);
			ck_assert_int_eq(rc, MXC_OK);
			mxc_json_free(out);
			mxc_signing_key_free(k);
			signs++;
		} else if (strcmp(kind, "verify_event_signature") == 0) {
			const mxc_room_version *rv =
				rv_of(test_str(c, "room_version", NULL));
			uint8_t pk[32];
			decode(pk, test_str(c, "public_key_base64", NULL));
			const mxc_json *vj = mxc_json_getz(c, "valid");
			int valid = mxc_json_get_type(vj) == MXC_JSON_TRUE;
			mxc_error err;
			mxc_error_clear(&err);
			int rc = mxc_event_verify_signature(
				rv, mxc_json_getz(c, "input"), server,
				test_str(c, "key_id", NULL), pk, 32, &err);
			ck_assert_msg(rc == (valid ? MXC_OK
			                           : MXC_ERR_BAD_SIGNATURE),
			              "%s: %s %s", name, mxc_strerror(rc),
			              err.message);
			verifies++;
		}
	}
	ck_assert_uint_eq(signs, 6);
	ck_assert_uint_eq(verifies, 6);
	mxc_json_free(doc);
}
END_TEST

static mxc_event_key
test_key(const char *server, const uint8_t *pk)
{
	mxc_event_key k = {server, "ed25519:1", pk, 32, MXC_TS_NONE,
	                   MXC_TS_NONE};
	return k;
}

START_TEST(all_versions_sign_then_verify)
{
	mxc_json *doc = test_load_vectors("events/events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	mxc_signing_key *k = key_from(SEED, "ed25519:1");
	uint8_t pk[32];
	decode(pk, PUB);
	mxc_event_key key = test_key("example.org", pk);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		const mxc_room_version *rv =
			rv_of(test_str(c, "room_version", NULL));
		mxc_json *out = NULL;
		ck_assert_int_eq(mxc_event_sign_json(
					 &out, rv,
					 mxc_json_getz(c, "unsigned_input"),
					 "example.org", k, NULL, NULL),
		                 MXC_OK);
		/* the same bytes as python3-signedjson's */
		assert_json_eq(out, mxc_json_getz(c, "event"), name);
		mxc_event_verdict v;
		ck_assert_int_eq(mxc_event_verify_json(&v, rv, out, &key, 1,
		                                       MXC_TS_NONE, NULL),
		                 MXC_OK);
		ck_assert_msg(v.signatures_valid && v.hash_valid, "%s: %s %s",
		              name, v.signatures_reason, v.hash_reason);
		ck_assert_int_eq(v.signatures_status, MXC_OK);
		ck_assert_int_eq(v.hash_status, MXC_OK);
		/* the parsed event verifies the same */
		mxc_event *ev = NULL;
		ck_assert_int_eq(mxc_event_from_json(&ev, rv, out, 0, NULL,
		                                     NULL),
		                 MXC_OK);
		ck_assert_int_eq(mxc_event_verify(&v, ev, &key, 1, MXC_TS_NONE,
		                                  NULL),
		                 MXC_OK);
		ck_assert(v.signatures_valid && v.hash_valid);
		/* its redacted copy: signatures still good, hash not
		 * (Validating hashes: "should succeed whether we have been
		 * sent the full event or a redacted copy") */
		mxc_event *red = NULL;
		ck_assert_int_eq(mxc_event_redact(&red, ev, NULL), MXC_OK);
		ck_assert_int_eq(mxc_event_verify(&v, red, &key, 1, MXC_TS_NONE,
		                                  NULL),
		                 MXC_OK);
		ck_assert_msg(v.signatures_valid, "%s redacted: %s", name,
		              v.signatures_reason);
		/* every vector has an `extra_top` key, which redaction
		 * drops: the content hash no longer matches */
		ck_assert_int_eq(v.hash_valid, 0);
		ck_assert_int_eq(v.hash_status, MXC_ERR_HASH_MISMATCH);
		mxc_event_free(red);
		mxc_event_free(ev);
		mxc_json_free(out);
	}
	mxc_signing_key_free(k);
	mxc_json_free(doc);
}
END_TEST

START_TEST(floats_v1_to_v5)
{
	mxc_json *doc = test_load_vectors("events/floats.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	uint8_t pk[32];
	decode(pk, PUB);
	mxc_event_key key = test_key("example.org", pk);
	mxc_signing_key *k = key_from(SEED, "ed25519:1");
	ck_assert_uint_eq(mxc_json_size(cases), 5);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const mxc_room_version *rv =
			rv_of(test_str(c, "room_version", NULL));
		size_t n;
		const char *text = test_str(c, "event_text", &n);
		mxc_event *ev = NULL;
		mxc_error err;
		mxc_error_clear(&err);
		int rc = mxc_event_parse(&ev, rv, text, n, 0, NULL, &err);
		ck_assert_msg(rc == MXC_OK, "%s %s", err.subject, err.message);
		/* signed and hashed over Python's form: both accepted */
		mxc_event_verdict v;
		ck_assert_int_eq(mxc_event_verify(&v, ev, &key, 1, MXC_TS_NONE,
		                                  NULL),
		                 MXC_OK);
		ck_assert_msg(v.signatures_valid && v.hash_valid, "%s %s",
		              v.signatures_reason, v.hash_reason);
		/* re-signing uses the spec's form */
		mxc_json *out = NULL;
		ck_assert_int_eq(mxc_event_sign_json(&out, rv,
		                                     mxc_event_json(ev),
		                                     "example.org", k, NULL,
		                                     NULL),
		                 MXC_OK);
		ck_assert_str_eq(test_str(mxc_json_getz(out, "hashes"),
		                          "sha256", NULL),
		                 test_str(c, "content_hash_spec", NULL));
		ck_assert_int_eq(mxc_event_verify_json(&v, rv, out, &key, 1,
		                                       MXC_TS_NONE, NULL),
		                 MXC_OK);
		ck_assert(v.signatures_valid && v.hash_valid);
		/* v6 would refuse the floats outright */
		mxc_event *ev6 = NULL;
		ck_assert_int_eq(mxc_event_parse(&ev6, rv_of("6"), text, n, 0,
		                                 NULL, NULL),
		                 MXC_ERR_JSON_NUMBER_RANGE);
		mxc_json_free(out);
		mxc_event_free(ev);
	}
	mxc_signing_key_free(k);
	mxc_json_free(doc);
}
END_TEST

/* ---- tampering ------------------------------------------------------- */

/* A signed v11 message and member event, from events.json. */
static mxc_json *
find_case(mxc_json *doc, const char *name)
{
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		if (strcmp(test_str(c, "name", NULL), name) == 0) {
			mxc_json *copy = NULL;
			const mxc_json *ev = mxc_json_getz(c, "event");
			ck_assert_int_eq(mxc_json_copy(&copy, ev, NULL),
			                 MXC_OK);
			return copy;
		}
	}
	ck_abort_msg("no case %s", name);
	return NULL;
}

/* Replace one string in the event's canonical text and re-parse. */
static mxc_json *
edit(const mxc_json *ev, const char *from, const char *to)
{
	char *t = test_canonical(ev);
	char *p = strstr(t, from);
	ck_assert_msg(p != NULL, "no %s in %s", from, t);
	size_t n = strlen(t) + strlen(to) + 1;
	char *o = malloc(n);
	memcpy(o, t, (size_t)(p - t));
	strcpy(o + (p - t), to);
	strcat(o, p + strlen(from));
	mxc_json *j = test_parse(o, 0);
	free(o);
	free(t);
	return j;
}

/* Sign with the test key as `server` (any server name: one seed). */
static mxc_json *
sign_as(const char *rv, const mxc_json *ev, const char *server)
{
	mxc_signing_key *k = key_from(SEED, "ed25519:1");
	mxc_json *out = NULL;
	ck_assert_int_eq(mxc_event_sign_json(&out, rv_of(rv), ev, server, k,
	                                     NULL, NULL),
	                 MXC_OK);
	mxc_signing_key_free(k);
	return out;
}

static mxc_event_verdict
verify(const char *rv, const mxc_json *ev, const mxc_event_key *keys,
       size_t n, int64_t now)
{
	mxc_event_verdict v;
	mxc_error err;
	mxc_error_clear(&err);
	int rc = mxc_event_verify_json(&v, rv_of(rv), ev, keys, n, now, &err);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	return v;
}

START_TEST(tampered)
{
	mxc_json *doc = test_load_vectors("events/events.json");
	uint8_t pk[32];
	decode(pk, PUB);
	mxc_event_key key = test_key("example.org", pk);
	mxc_json *msg = find_case(doc, "v11 m.room.message");
	mxc_event_verdict v = verify("11", msg, &key, 1, MXC_TS_NONE);
	ck_assert(v.signatures_valid && v.hash_valid);

	/* changed content: redaction drops it, so only the hash fails */
	mxc_json *t = edit(msg, "\"body\":\"hello\"", "\"body\":\"hullo\"");
	v = verify("11", t, &key, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	ck_assert_int_eq(v.hash_valid, 0);
	ck_assert_int_eq(v.hash_status, MXC_ERR_HASH_MISMATCH);
	mxc_json_free(t);

	/* changed field that redaction keeps: the signature fails (and the
	 * hash too) */
	t = edit(msg, "\"depth\":8", "\"depth\":9");
	v = verify("11", t, &key, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_int_eq(v.signatures_status, MXC_ERR_BAD_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason, "does not verify"));
	ck_assert_int_eq(v.hash_valid, 0);
	mxc_json_free(t);

	/* a key field kept only before v11: origin. Changing it breaks v10
	 * signatures (a v10 event) but nothing redaction-covered in v11 */
	mxc_json *msg10 = find_case(doc, "v10 m.room.message");
	t = edit(msg10, "\"origin\":\"example.org\"",
	         "\"origin\":\"evil.org\"");
	v = verify("10", t, &key, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	mxc_json_free(t);
	t = edit(msg, "\"origin\":\"example.org\"", "\"origin\":\"evil.org\"");
	v = verify("11", t, &key, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	ck_assert_int_eq(v.hash_valid, 0);
	mxc_json_free(t);

	/* signature from the wrong server: re-labelled as evil.org, with
	 * evil.org's key known; example.org (the sender's) has none */
	mxc_event_key evil = test_key("evil.org", pk);
	t = edit(msg, "\"signatures\":{\"example.org\"",
	         "\"signatures\":{\"evil.org\"");
	v = verify("11", t, &evil, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason,
	                             "no signature from example.org"));
	ck_assert_int_eq(v.hash_valid, 1);
	mxc_json_free(t);

	/* the right signature but a key known only for another server */
	v = verify("11", msg, &evil, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason, "known, valid key"));

	/* a wrong public key for the right server and key ID */
	uint8_t other[32];
	memcpy(other, pk, 32);
	other[0] ^= 1;
	mxc_event_key wrong = test_key("example.org", other);
	v = verify("11", msg, &wrong, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason, "does not verify"));

	/* expired key: expired_ts before origin_server_ts (1700000000007):
	 * ignored, so no usable key remains */
	mxc_event_key exp = key;
	exp.expired_ts = 1700000000006;
	v = verify("11", msg, &exp, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason, "known, valid key"));
	exp.expired_ts = 1700000000007; /* expired at the event: usable */
	v = verify("11", msg, &exp, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	/* an expired key in v1 too (the rule is not version-bound) */
	mxc_json *msg1 = find_case(doc, "v1 m.room.message");
	exp.expired_ts = 1;
	v = verify("1", msg1, &exp, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);

	/* v5+: valid_until_ts must reach origin_server_ts */
	mxc_json *msg5 = find_case(doc, "v5 m.room.message");
	mxc_json *msg4 = find_case(doc, "v4 m.room.message");
	mxc_event_key vu = key;
	vu.valid_until_ts = 1700000000006; /* the v4/v5 messages: ...007 */
	v = verify("5", msg5, &vu, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	v = verify("4", msg4, &vu, 1, MXC_TS_NONE); /* not enforced */
	ck_assert_int_eq(v.signatures_valid, 1);
	vu.valid_until_ts = 1700000000007;
	v = verify("5", msg5, &vu, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	/* the lesser of valid_until_ts and now + 7 days */
	vu.valid_until_ts = INT64_MAX;
	const int64_t week = INT64_C(7) * 24 * 3600 * 1000;
	v = verify("5", msg5, &vu, 1, 1700000000007 - week - 1);
	ck_assert_int_eq(v.signatures_valid, 0);
	v = verify("5", msg5, &vu, 1, 1700000000007 - week);
	ck_assert_int_eq(v.signatures_valid, 1);

	/* unknown keys are skipped; an unknown key's bad signature does not
	 * matter as long as a known key's verifies */
	t = edit(msg, "\"ed25519:1\"",
	         "\"ed25519:zzz\":\"AAAA\",\"ed25519:1\"");
	v = verify("11", t, &key, 1, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	mxc_json_free(t);

	/* v1/v2: the event ID's server must sign too. Re-signed by
	 * example.org only, then by other.org as well. */
	mxc_event_key both[2] = {key, test_key("other.org", pk)};
	t = edit(msg1, "\"event_id\":\"$ev7:example.org\"",
	         "\"event_id\":\"$ev7:other.org\"");
	mxc_json *s1 = sign_as("1", t, "example.org");
	v = verify("1", s1, both, 2, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 0);
	ck_assert_ptr_nonnull(strstr(v.signatures_reason,
	                             "no signature from other.org"));
	ck_assert_int_eq(v.hash_valid, 1);
	mxc_json *s2 = sign_as("1", s1, "other.org");
	v = verify("1", s2, both, 2, MXC_TS_NONE);
	ck_assert_int_eq(v.signatures_valid, 1);
	/* v3+: the event ID names no server */
	mxc_json_free(s2);
	mxc_json_free(s1);
	mxc_json_free(t);

	/* v8+: join_authorised_via_users_server's server must sign */
	for (int rv = 7; rv <= 12; rv++) {
		char name[40], id[4];
		snprintf(name, sizeof name, "v%d m.room.member", rv);
		snprintf(id, sizeof id, "%d", rv);
		mxc_json *mem = find_case(doc, name);
		mxc_json *tm = edit(mem, "\"@bob:example.org\"",
		                    "\"@bob:other.org\"");
		mxc_json *sm = sign_as(id, tm, "example.org");
		v = verify(id, sm, both, 2, MXC_TS_NONE);
		/* v7 has no restricted joins */
		ck_assert_int_eq(v.signatures_valid, rv < 8);
		if (rv >= 8)
			ck_assert_ptr_nonnull(strstr(
				v.signatures_reason,
				"no signature from other.org"));
		mxc_json *sm2 = sign_as(id, sm, "other.org");
		v = verify(id, sm2, both, 2, MXC_TS_NONE);
		ck_assert_int_eq(v.signatures_valid, 1);
		mxc_json_free(sm2);
		mxc_json_free(sm);
		mxc_json_free(tm);
		mxc_json_free(mem);
	}

	/* no sender: no server is known to have to sign, so the signatures
	 * cannot be valid (a verdict: the object may be incomplete) */
	mxc_json *nos = test_parse("{\"type\":\"x\"}", 0);
	mxc_event_verdict vv;
	ck_assert_int_eq(mxc_event_verify_json(&vv, rv_of("11"), nos, &key, 1,
	                                       MXC_TS_NONE, NULL),
	                 MXC_OK);
	ck_assert_int_eq(vv.signatures_valid, 0);
	ck_assert_int_eq(vv.signatures_status, MXC_ERR_BAD_SIGNATURE);
	mxc_json_free(nos);
	/* a sender that names no server is a malformed event */
	nos = test_parse("{\"type\":\"x\",\"sender\":\"nobody\"}", 0);
	ck_assert_int_eq(mxc_event_verify_json(&vv, rv_of("11"), nos, &key, 1,
	                                       MXC_TS_NONE, NULL),
	                 MXC_ERR_BAD_EVENT);
	mxc_json_free(nos);

	mxc_json_free(msg);
	mxc_json_free(msg1);
	mxc_json_free(msg4);
	mxc_json_free(msg5);
	mxc_json_free(msg10);
	mxc_json_free(doc);
}
END_TEST

START_TEST(sign_keeps_other_signatures)
{
	mxc_signing_key *k = key_from(SEED, "ed25519:2");
	mxc_json *ev = test_parse(
		"{\"type\":\"x\",\"sender\":\"@a:b\",\"content\":{},"
		"\"signatures\":{\"b\":{\"ed25519:1\":\"old\"},"
		"\"c\":{\"k\":\"v\"}},"
		"\"hashes\":{\"md5\":\"x\"},\"unsigned\":{\"age\":1}}",
		0);
	mxc_json *out = NULL;
	ck_assert_int_eq(mxc_event_sign_json(&out, rv_of("11"), ev, "b", k,
	                                     NULL, NULL),
	                 MXC_OK);
	const mxc_json *sigs = mxc_json_getz(out, "signatures");
	ck_assert_str_eq(test_str(mxc_json_getz(sigs, "b"), "ed25519:1", NULL),
	                 "old");
	ck_assert_ptr_nonnull(test_str(mxc_json_getz(sigs, "b"), "ed25519:2",
	                               NULL));
	ck_assert_str_eq(test_str(mxc_json_getz(sigs, "c"), "k", NULL), "v");
	/* hashes replaced by {"sha256": ...} (Signing events) */
	ck_assert_uint_eq(mxc_json_size(mxc_json_getz(out, "hashes")), 1);
	ck_assert_ptr_nonnull(mxc_json_getz(out, "unsigned"));
	mxc_json_free(out);
	/* bad shapes */
	mxc_json *bad = test_parse("{\"signatures\":[]}", 0);
	ck_assert_int_eq(mxc_event_sign_json(&out, rv_of("11"), bad, "b", k,
	                                     NULL, NULL),
	                 MXC_ERR_JSON_TYPE);
	mxc_json_free(bad);
	bad = test_parse("{\"signatures\":{\"b\":1}}", 0);
	ck_assert_int_eq(mxc_event_sign_json(&out, rv_of("11"), bad, "b", k,
	                                     NULL, NULL),
	                 MXC_ERR_JSON_TYPE);
	mxc_json_free(bad);
	/* out of memory at every step leaks nothing */
	for (long n = 1;; n++) {
		test_failing_alloc f;
		test_failing_alloc_init(&f, n);
		int rc = mxc_event_sign_json(&out, rv_of("11"), ev, "b", k,
		                             &f.a, NULL);
		if (rc == MXC_OK) {
			mxc_json_free(out);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(f.live, 0);
		ck_assert_int_lt(n, 50);
	}
	mxc_json_free(ev);
	mxc_signing_key_free(k);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("event_sign");
	TCase *tc = tcase_create("event_sign");
	tcase_add_test(tc, spec_and_gmsl_vectors);
	tcase_add_test(tc, all_versions_sign_then_verify);
	tcase_add_test(tc, floats_v1_to_v5);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, sign_keeps_other_signatures);
	suite_add_tcase(s, tc);
	return s;
}
