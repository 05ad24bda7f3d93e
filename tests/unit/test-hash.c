/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Content hashes, reference hashes, event IDs and v12 room IDs.
 * Known answers: tests/vectors/events/events.json (every room version,
 * computed by gen_events.py with python3-canonicaljson, see the file) and
 * the spec's event signing examples (tests/vectors/events/spec_events.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static const mxc_room_version *
rv_of(const mxc_json *c)
{
	size_t n;
	const char *id = test_str(c, "room_version", &n);
	const mxc_room_version *rv = mxc_room_version_find(id, n);
	ck_assert_ptr_nonnull(rv);
	return rv;
}

static void
assert_b64(const uint8_t *h, unsigned flags, const char *want,
           const char *what)
{
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_encode(&b, h, 32, flags), MXC_OK);
	ck_assert_msg(strcmp(b.data, want) == 0, "%s: %s != %s", what, b.data,
	              want);
	mxc_buf_dispose(&b);
}

START_TEST(vectors_all_versions)
{
	mxc_json *doc = test_load_vectors("events/events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 108);
	int seen[13] = {0};
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		const mxc_room_version *rv = rv_of(c);
		const mxc_json *pdu = mxc_json_getz(c, "event");
		seen[atoi(mxc_room_version_id(rv))]++;

		/* parse from the text, as received */
		char *text = test_canonical(pdu);
		mxc_event *ev = NULL;
		mxc_error err;
		mxc_error_clear(&err);
		int rc = mxc_event_parse(&ev, rv, text, strlen(text), 0, NULL,
		                         &err);
		ck_assert_msg(rc == MXC_OK, "%s: %s %s %s", name,
		              mxc_strerror(rc), err.subject, err.message);
		size_t idn;
		const char *id = mxc_event_id(ev, &idn);
		ck_assert_msg(strcmp(id, test_str(c, "event_id", NULL)) == 0,
		              "%s: event ID %s", name, id);
		ck_assert_uint_eq(idn, strlen(id));

		uint8_t h[32];
		ck_assert_int_eq(mxc_event_content_hash(h, ev, NULL), MXC_OK);
		assert_b64(h, 0, test_str(c, "content_hash", NULL), name);
		ck_assert_int_eq(mxc_event_reference_hash(h, ev, NULL), MXC_OK);
		unsigned alpha = mxc_room_version_event_format(rv) >= 4
		                         ? MXC_BASE64_URLSAFE
		                         : 0;
		assert_b64(h, alpha, test_str(c, "reference_hash", NULL), name);
		/* the JSON-level functions agree */
		int rc2 = mxc_event_reference_hash_json(h, rv, pdu, NULL);
		ck_assert_int_eq(rc2, MXC_OK);
		assert_b64(h, alpha, test_str(c, "reference_hash", NULL), name);
		ck_assert_int_eq(mxc_event_content_hash_json(h, rv, pdu, NULL),
		                 MXC_OK);
		assert_b64(h, 0, test_str(c, "content_hash", NULL), name);
		mxc_buf b = MXC_BUF_INIT;
		ck_assert_int_eq(mxc_event_id_json(&b, rv, pdu, NULL), MXC_OK);
		ck_assert_str_eq(b.data, test_str(c, "event_id", NULL));
		mxc_buf_dispose(&b);

		/* v12 create: the room ID */
		const char *want_room = test_str(c, "room_id", NULL);
		if (want_room) {
			ck_assert_str_eq(mxc_event_room_id(ev, NULL),
			                 want_room);
			ck_assert_int_eq(mxc_event_room_id_json(&b, rv, pdu,
			                                        NULL),
			                 MXC_OK);
			ck_assert_str_eq(b.data, want_room);
			/* the event ID with "$" for "!" */
			ck_assert_str_eq(b.data + 1, id + 1);
			mxc_buf_dispose(&b);
		}
		mxc_event_free(ev);
		free(text);
	}
	for (int v = 1; v <= 12; v++)
		ck_assert_int_eq(seen[v], 9);
	mxc_json_free(doc);
}
END_TEST

START_TEST(v3_event_id_field_ignored)
{
	/* a top-level event_id on a v3+ event is not part of the PDU: the
	 * hashes and the ID leave it out (DESIGN.md, event IDs) */
	mxc_json *doc = test_load_vectors("events/events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const mxc_room_version *rv = rv_of(c);
		if (!mxc_room_version_hashed_event_ids(rv))
			continue;
		char *text = test_canonical(mxc_json_getz(c, "event"));
		/* insert "event_id" as the first key */
		size_t n = strlen(text);
		char *t2 = malloc(n + 64);
		snprintf(t2, n + 64, "{\"event_id\":\"$x:y\",%s", text + 1);
		mxc_event *ev = NULL;
		ck_assert_int_eq(mxc_event_parse(&ev, rv, t2, strlen(t2), 0,
		                                 NULL, NULL),
		                 MXC_OK);
		ck_assert_str_eq(mxc_event_id(ev, NULL),
		                 test_str(c, "event_id", NULL));
		uint8_t h[32];
		ck_assert_int_eq(mxc_event_content_hash(h, ev, NULL), MXC_OK);
		assert_b64(h, 0, test_str(c, "content_hash", NULL), "with id");
		mxc_event_free(ev);
		free(text);
		free(t2);
	}
	mxc_json_free(doc);
}
END_TEST

START_TEST(spec_content_hashes)
{
	/* server-server-api.md / appendices: Event Signing examples */
	mxc_json *doc = test_load_vectors("events/spec_events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	size_t done = 0;
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *want = test_str(c, "expected_content_hash", NULL);
		if (!want)
			continue;
		const mxc_room_version *rv = rv_of(c);
		uint8_t h[32];
		/* the hash of the input and of the signed output agree:
		 * hashes, signatures and unsigned are not covered */
		const mxc_json *in = mxc_json_getz(c, "input");
		ck_assert_int_eq(mxc_event_content_hash_json(h, rv, in, NULL),
		                 MXC_OK);
		assert_b64(h, 0, want, "spec input");
		ck_assert_int_eq(mxc_event_content_hash_json(
					 h, NULL, mxc_json_getz(c, "expected"),
					 NULL),
		                 MXC_OK);
		assert_b64(h, 0, want, "spec expected");
		done++;
	}
	ck_assert_uint_eq(done, 2);
	mxc_json_free(doc);
}
END_TEST

START_TEST(float_hashes)
{
	/* v1-v5: an integral float hashes in the spec's form (1e10 ->
	 * 10000000000); expected values from python3 hashlib over the
	 * canonical text written out by hand in the vector file */
	mxc_json *doc = test_load_vectors("events/floats.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_ge(mxc_json_size(cases), 1);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const mxc_room_version *rv = rv_of(c);
		size_t n;
		const char *text = test_str(c, "event_text", &n);
		mxc_json *pdu = NULL;
		ck_assert_int_eq(mxc_json_parse(&pdu, text, n,
		                                MXC_JSON_LENIENT_NUMBERS, NULL,
		                                NULL),
		                 MXC_OK);
		uint8_t h[32];
		ck_assert_int_eq(mxc_event_content_hash_json(h, rv, pdu, NULL),
		                 MXC_OK);
		assert_b64(h, 0, test_str(c, "content_hash_spec", NULL),
		           "float content hash");
		mxc_json_free(pdu);
	}
	mxc_json_free(doc);
}
END_TEST

START_TEST(bad_input)
{
	const mxc_room_version *v12 = mxc_room_version_find("12", 2);
	const mxc_room_version *v11 = mxc_room_version_find("11", 2);
	const mxc_room_version *v1 = mxc_room_version_find("1", 1);
	mxc_json *arr = test_parse("[1]", 0);
	mxc_json *msg = test_parse("{\"type\":\"m.room.message\"}", 0);
	mxc_json *create_room = test_parse(
		"{\"type\":\"m.room.create\",\"room_id\":\"!a:b\"}", 0);
	uint8_t h[32];
	mxc_buf b = MXC_BUF_INIT;
	mxc_error err;
	ck_assert_int_eq(mxc_event_content_hash_json(h, NULL, arr, NULL),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_int_eq(mxc_event_reference_hash_json(h, v11, arr, NULL),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_int_eq(mxc_event_reference_hash_json(h, NULL, msg, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* v1: the ID is the event's own, which this one lacks */
	mxc_error_clear(&err);
	ck_assert_int_eq(mxc_event_id_json(&b, v1, msg, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event_id");
	/* room IDs: only v12, only create events, never with a room_id */
	ck_assert_int_eq(mxc_event_room_id_json(&b, v11, msg, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_event_room_id_json(&b, v12, msg, NULL),
	                 MXC_ERR_BAD_EVENT);
	mxc_error_clear(&err);
	ck_assert_int_eq(mxc_event_room_id_json(&b, v12, create_room, &err),
	                 MXC_ERR_ROOM_ID_MISMATCH);
	ck_assert_str_eq(err.subject, "$.room_id");
	ck_assert_uint_eq(b.len, 0);
	mxc_json_free(arr);
	mxc_json_free(msg);
	mxc_json_free(create_room);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("hash");
	tcase_add_test(tc, vectors_all_versions);
	tcase_add_test(tc, v3_event_id_field_ignored);
	tcase_add_test(tc, spec_content_hashes);
	tcase_add_test(tc, float_hashes);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return s;
}
