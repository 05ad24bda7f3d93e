/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keyring (lib/keyring.c): key documents built here with
 * mxc_server_keys_build from fixed seeds; validity of current and old
 * keys for an event's time (rooms/v5: the lesser of valid_until_ts and
 * 7 days after now), notary signatures, minimum_valid_until_ts,
 * conflicting keys, and batch verification asking the transport once per
 * server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include <matrix-core/backend.h>
#include <matrix-core/keyring.h>

#define DAY 86400000LL
#define T0 1700000000000LL

static mxc_signing_key *
key(int fill, const char *id)
{
	uint8_t seed[32];
	memset(seed, fill, sizeof seed);
	mxc_signing_key *k = NULL;
	ck_assert_int_eq(mxc_signing_key_new(&k, seed, 32, id, NULL, NULL),
	                 MXC_OK);
	return k;
}

static char *
doc(const char *server, const mxc_signing_key *k,
    const mxc_old_verify_key *old, size_t n_old, int64_t until)
{
	mxc_json *d = NULL;
	ck_assert_int_eq(mxc_server_keys_build(&d, server, &k, 1, old, n_old,
	                                       until, NULL, NULL), MXC_OK);
	char *t = test_canonical(d);
	mxc_json_free(d);
	return t;
}

/* The same document countersigned by a notary. */
static char *
notarised(const char *text, const char *notary, const mxc_signing_key *nk)
{
	mxc_json *d = test_parse(text, 0), *s = NULL;
	ck_assert_int_eq(mxc_json_sign(&s, d, notary, nk, NULL, NULL), MXC_OK);
	char *t = test_canonical(s);
	mxc_json_free(d);
	mxc_json_free(s);
	return t;
}

static int
add(mxc_keyring *kr, const char *t, const char *server, const char *notary,
    int64_t min)
{
	return mxc_keyring_add_json(kr, t, strlen(t), server, notary, min, T0,
	                            NULL);
}

START_TEST(test_validity)
{
	const mxc_room_version *v4 = mxc_room_version_find("4", 1);
	const mxc_room_version *v10 = mxc_room_version_find("10", 2);
	mxc_signing_key *k = key(1, "ed25519:new");
	mxc_keyring *kr = NULL;
	ck_assert_int_eq(mxc_keyring_new(&kr, NULL, NULL), MXC_OK);
	uint8_t oldpub[32];
	memset(oldpub, 0, sizeof oldpub);
	mxc_signing_key *ok = key(2, "ed25519:old");
	mxc_signing_key_public(oldpub, ok);
	mxc_old_verify_key old = {"ed25519:old", oldpub, T0 - DAY};
	/* a document claiming validity for ten years */
	char *t = doc("x.test", k, &old, 1, T0 + 3650 * DAY);
	ck_assert_int_eq(add(kr, t, "x.test", NULL, MXC_TS_NONE), MXC_OK);
	ck_assert_uint_eq(mxc_keyring_size(kr), 2);
	const uint8_t *pk;
	mxc_error e;
	/* current key: v4 has no validity rule */
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v4, "x.test",
	                 "ed25519:new", T0 + 3000 * DAY, T0, NULL), MXC_OK);
	/* v10: capped at now + 7 days */
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v10, "x.test",
	                 "ed25519:new", T0 + 6 * DAY, T0, NULL), MXC_OK);
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v10, "x.test",
	                 "ed25519:new", T0 + 8 * DAY, T0, &e), MXC_ERR_BAD_KEY);
	/* old key: only for events before its expired_ts */
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v10, "x.test",
	                 "ed25519:old", T0 - 2 * DAY, T0, NULL), MXC_OK);
	ck_assert_int_eq(memcmp(pk, oldpub, 32), 0);
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v10, "x.test",
	                 "ed25519:old", T0, T0, NULL), MXC_ERR_BAD_KEY);
	ck_assert_int_eq(mxc_keyring_key_for_event(&pk, kr, v10, "y.test",
	                 "ed25519:new", T0, T0, NULL), MXC_ERR_NOT_FOUND);
	/* before the minimum asked for: refused, nothing changes */
	free(t);
	mxc_signing_key *k2 = key(3, "ed25519:k2");
	t = doc("x.test", k2, NULL, 0, T0 + DAY);
	ck_assert_int_eq(add(kr, t, "x.test", NULL, T0 + 2 * DAY),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	ck_assert_uint_eq(mxc_keyring_size(kr), 2);
	/* wrong server */
	ck_assert_int_eq(add(kr, t, "y.test", NULL, MXC_TS_NONE),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	free(t);
	/* another public key under a key ID held: refused as a whole */
	mxc_signing_key *evil = key(4, "ed25519:new");
	t = doc("x.test", evil, NULL, 0, T0 + DAY);
	ck_assert_int_eq(add(kr, t, "x.test", NULL, MXC_TS_NONE),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	ck_assert_uint_eq(mxc_keyring_size(kr), 2);
	free(t);
	mxc_signing_key_free(evil);
	mxc_signing_key_free(k);
	mxc_signing_key_free(k2);
	mxc_signing_key_free(ok);
	mxc_keyring_free(kr);
}
END_TEST

START_TEST(test_notary)
{
	mxc_signing_key *xk = key(1, "ed25519:x"), *nk = key(5, "ed25519:n");
	mxc_keyring *kr = NULL;
	ck_assert_int_eq(mxc_keyring_new(&kr, NULL, NULL), MXC_OK);
	char *x = doc("x.test", xk, NULL, 0, T0 + DAY);
	char *xn = notarised(x, "notary.test", nk);
	/* the notary's key is not held yet */
	ck_assert_int_eq(add(kr, xn, "x.test", "notary.test", MXC_TS_NONE),
	                 MXC_ERR_BAD_KEY);
	char *n = doc("notary.test", nk, NULL, 0, T0 + DAY);
	ck_assert_int_eq(add(kr, n, "notary.test", NULL, MXC_TS_NONE), MXC_OK);
	/* not countersigned */
	ck_assert_int_eq(add(kr, x, "x.test", "notary.test", MXC_TS_NONE),
	                 MXC_ERR_BAD_KEY);
	ck_assert_int_eq(add(kr, xn, "x.test", "notary.test", MXC_TS_NONE),
	                 MXC_OK);
	ck_assert_uint_eq(mxc_keyring_size(kr), 2);
	/* a notary signing another server's keys with its own key only:
	 * x.test's self-signature is missing */
	mxc_signing_key *fake = key(6, "ed25519:n");
	char *forged = doc("notary.test", fake, NULL, 0, T0 + DAY);
	mxc_json *fj = test_parse(forged, 0);
	free(forged);
	mxc_json_free(fj);
	char *y = doc("y.test", nk, NULL, 0, T0 + DAY); /* signed by y.test
	                                                   with nk */
	/* forge: claim y.test's doc is x.test's (server_name mismatch) */
	ck_assert_int_eq(add(kr, y, "x.test", "notary.test", MXC_TS_NONE),
	                 MXC_ERR_BAD_KEY_DOCUMENT);
	free(y);
	mxc_signing_key_free(fake);
	free(x);
	free(xn);
	free(n);
	mxc_signing_key_free(xk);
	mxc_signing_key_free(nk);
	mxc_keyring_free(kr);
}
END_TEST

typedef struct host {
	mxc_keyring *kr;
	const char *doc;
	int calls;
} host;

static int
req_keys(const char *server, const char *const *ids, size_t n,
         int64_t min, void *ud)
{
	host *h = ud;
	(void)ids;
	(void)n;
	h->calls++;
	ck_assert_str_eq(server, "x.test");
	return h->doc ? mxc_keyring_add_json(h->kr, h->doc, strlen(h->doc),
	                                     server, NULL, min, T0, NULL)
	              : MXC_ERR_WOULDBLOCK;
}

START_TEST(test_batch)
{
	const mxc_room_version *rv = mxc_room_version_find("10", 2);
	mxc_signing_key *xk = key(1, "ed25519:x");
	mxc_keyring *kr = NULL;
	ck_assert_int_eq(mxc_keyring_new(&kr, NULL, NULL), MXC_OK);
	mxc_event *evs[3];
	for (int i = 0; i < 3; i++) {
		char text[400];
		snprintf(text, sizeof text,
		         "{\"type\":\"m.room.message\",\"room_id\":\"!r:x.test\","
		         "\"sender\":\"@u:x.test\",\"content\":{\"n\":%d},"
		         "\"prev_events\":[],\"auth_events\":[],\"depth\":1,"
		         "\"origin_server_ts\":%lld,\"hashes\":{},"
		         "\"signatures\":{}}", i, (long long)T0 + i);
		mxc_json *j = test_parse(text, 0), *s = NULL;
		ck_assert_int_eq(mxc_event_sign_json(&s, rv, j, "x.test", xk,
		                                     NULL, NULL), MXC_OK);
		char *t = test_canonical(s);
		ck_assert_int_eq(mxc_event_parse(&evs[i], rv, t, strlen(t), 0,
		                                 NULL, NULL), MXC_OK);
		free(t);
		mxc_json_free(j);
		mxc_json_free(s);
	}
	mxc_event_verdict v[3];
	host h = {kr, NULL, 0};
	mxc_transport_ops tr = MXC_TRANSPORT_OPS_INIT;
	tr.user_data = &h;
	tr.request_keys = req_keys;
	/* asynchronous: one call for three events, NEED_INPUT */
	ck_assert_int_eq(mxc_keyring_verify_events(v, kr, &tr,
	                 (const mxc_event *const *)evs, 3, T0, NULL),
	                 MXC_ERR_NEED_INPUT);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_uint_eq(mxc_keyring_missing_count(kr), 1);
	int64_t min;
	ck_assert_int_eq(mxc_keyring_missing(kr, 0, NULL, NULL, &min), MXC_OK);
	ck_assert_int_eq(min, T0 + 2);
	/* blocking: handed over, all verified */
	char *d = doc("x.test", xk, NULL, 0, T0 + DAY);
	h.doc = d;
	h.calls = 0;
	ck_assert_int_eq(mxc_keyring_verify_events(v, kr, &tr,
	                 (const mxc_event *const *)evs, 3, T0, NULL), MXC_OK);
	ck_assert_int_eq(h.calls, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(v[i].signatures_valid, 1);
		ck_assert_int_eq(v[i].hash_valid, 1);
	}
	ck_assert_uint_eq(mxc_keyring_missing_count(kr), 0);
	/* held now: the transport is not asked again */
	ck_assert_int_eq(mxc_keyring_verify_events(v, kr, NULL,
	                 (const mxc_event *const *)evs, 3, T0, NULL), MXC_OK);
	ck_assert_int_eq(h.calls, 1);
	/* a bad transport version */
	tr.version = 99;
	ck_assert_int_eq(mxc_keyring_verify_events(v, kr, &tr,
	                 (const mxc_event *const *)evs, 3, T0, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	free(d);
	for (int i = 0; i < 3; i++)
		mxc_event_free(evs[i]);
	mxc_signing_key_free(xk);
	mxc_keyring_free(kr);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("keyring");
	TCase *tc = tcase_create("keyring");
	tcase_add_test(tc, test_validity);
	tcase_add_test(tc, test_notary);
	tcase_add_test(tc, test_batch);
	suite_add_tcase(s, tc);
	return s;
}
