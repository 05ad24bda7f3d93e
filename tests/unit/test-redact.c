/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redaction per room version. Known answers: tests/vectors/events/
 * events.json (every version, every event type the rules name plus two
 * unknown types, extra keys at top level and in content; computed by
 * gen_events.py, a Python redaction written from the spec text) and
 * gomatrixserverlib's cases (redaction_gmsl.json). Hand-worked cases
 * below for the corners (v11 third_party_invite, missing content).
 */
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

START_TEST(vectors_all_versions)
{
	mxc_json *doc = test_load_vectors("events/events.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 108);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		const mxc_room_version *rv =
			rv_of(test_str(c, "room_version", NULL));
		const mxc_json *pdu = mxc_json_getz(c, "event");
		const mxc_json *want = mxc_json_getz(c, "redacted");
		mxc_json *r = NULL;
		ck_assert_int_eq(mxc_event_redact_json(&r, rv, pdu, NULL, NULL),
		                 MXC_OK);
		assert_json_eq(r, want, name);
		/* redaction is idempotent */
		mxc_json *r2 = NULL;
		ck_assert_int_eq(mxc_event_redact_json(&r2, rv, r, NULL, NULL),
		                 MXC_OK);
		assert_json_eq(r2, want, name);
		mxc_json_free(r2);
		mxc_json_free(r);

		/* the event-level redaction: same JSON, same ID, still valid */
		mxc_event *ev = NULL, *red = NULL;
		ck_assert_int_eq(mxc_event_from_json(&ev, rv, pdu, 0, NULL,
		                                     NULL),
		                 MXC_OK);
		mxc_error err;
		mxc_error_clear(&err);
		int rc = mxc_event_redact(&red, ev, &err);
		ck_assert_msg(rc == MXC_OK, "%s: %s %s", name, err.subject,
		              err.message);
		assert_json_eq(mxc_event_json(red), want, name);
		ck_assert_str_eq(mxc_event_id(red, NULL),
		                 mxc_event_id(ev, NULL));
		mxc_event_free(red);
		mxc_event_free(ev);
	}
	mxc_json_free(doc);
}
END_TEST

START_TEST(gmsl_vectors)
{
	mxc_json *doc = test_load_vectors("events/redaction_gmsl.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 9);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		const mxc_room_version *rv =
			rv_of(test_str(c, "room_version", NULL));
		mxc_json *r = NULL;
		const mxc_json *in = mxc_json_getz(c, "input");
		ck_assert_int_eq(mxc_event_redact_json(&r, rv, in, NULL, NULL),
		                 MXC_OK);
		const mxc_json *want = mxc_json_getz(c, "expected");
		if (want)
			assert_json_eq(r, want, name);
		else /* the Go test asserts only the content */
			assert_json_eq(mxc_json_getz(r, "content"),
			               mxc_json_getz(c, "expected_content"),
			               name);
		mxc_json_free(r);
	}
	mxc_json_free(doc);
}
END_TEST

/* Hand-worked from rooms/v11: Redactions: "it allows the `signed` key of
 * the `third_party_invite` key". */
static const struct {
	const char *rv, *in, *out;
} corners[] = {
	/* v11: of third_party_invite only `signed` */
	{"11",
	 "{\"type\":\"m.room.member\",\"content\":{\"membership\":\"invite\","
	 "\"third_party_invite\":{\"display_name\":\"a\","
	 "\"signed\":{\"x\":1}}}}",
	 "{\"content\":{\"membership\":\"invite\",\"third_party_invite\":"
	 "{\"signed\":{\"x\":1}}},\"type\":\"m.room.member\"}"},
	/* v11: third_party_invite without signed keeps an empty object */
	{"11",
	 "{\"type\":\"m.room.member\",\"content\":{\"third_party_invite\":"
	 "{\"display_name\":\"a\"}}}",
	 "{\"content\":{\"third_party_invite\":{}},"
	 "\"type\":\"m.room.member\"}"},
	/* v11: a third_party_invite that is not an object has no signed */
	{"12",
	 "{\"type\":\"m.room.member\",\"content\":{\"third_party_invite\":7}}",
	 "{\"content\":{},\"type\":\"m.room.member\"}"},
	/* v10: third_party_invite not kept at all */
	{"10",
	 "{\"type\":\"m.room.member\",\"content\":{\"third_party_invite\":"
	 "{\"signed\":{}},\"membership\":\"join\"}}",
	 "{\"content\":{\"membership\":\"join\"},\"type\":\"m.room.member\"}"},
	/* no content: an empty one is added (as Synapse and
	 * gomatrixserverlib do; gmsl's signing vectors depend on it) */
	{"1",
	 "{\"type\":\"m.room.message\",\"unsigned\":{},\"redacts\":\"$x\"}",
	 "{\"content\":{},\"type\":\"m.room.message\"}"},
	/* v1-v10: top-level redacts dropped; v11 keeps content.redacts only
	 * for m.room.redaction */
	{"10",
	 "{\"type\":\"m.room.redaction\",\"redacts\":\"$x\",\"content\":"
	 "{\"redacts\":\"$x\",\"reason\":\"r\"}}",
	 "{\"content\":{},\"type\":\"m.room.redaction\"}"},
	{"11",
	 "{\"type\":\"m.room.redaction\",\"redacts\":\"$x\",\"content\":"
	 "{\"redacts\":\"$x\",\"reason\":\"r\"}}",
	 "{\"content\":{\"redacts\":\"$x\"},\"type\":\"m.room.redaction\"}"},
	{"11",
	 "{\"type\":\"m.room.message\",\"content\":{\"redacts\":\"$x\"}}",
	 "{\"content\":{},\"type\":\"m.room.message\"}"},
	/* aliases: kept to v5, dropped from v6 */
	{"5", "{\"type\":\"m.room.aliases\",\"content\":{\"aliases\":[]}}",
	 "{\"content\":{\"aliases\":[]},\"type\":\"m.room.aliases\"}"},
	{"6", "{\"type\":\"m.room.aliases\",\"content\":{\"aliases\":[]}}",
	 "{\"content\":{},\"type\":\"m.room.aliases\"}"},
	/* a type that only differs by case is an unknown type */
	{"11", "{\"type\":\"M.room.create\",\"content\":{\"a\":1}}",
	 "{\"content\":{},\"type\":\"M.room.create\"}"},
	/* a content that is not an object becomes an empty one */
	{"11", "{\"type\":\"m.room.create\",\"content\":[1]}",
	 "{\"content\":{},\"type\":\"m.room.create\"}"},
};

START_TEST(corner_cases)
{
	const mxc_room_version *rv = rv_of(corners[_i].rv);
	mxc_json *in = test_parse(corners[_i].in, 0);
	mxc_json *want = test_parse(corners[_i].out, 0);
	mxc_json *r = NULL;
	ck_assert_int_eq(mxc_event_redact_json(&r, rv, in, NULL, NULL), MXC_OK);
	assert_json_eq(r, want, corners[_i].in);
	mxc_json_free(r);
	mxc_json_free(in);
	mxc_json_free(want);
}
END_TEST

START_TEST(bad_input_and_nomem)
{
	const mxc_room_version *rv = rv_of("11");
	mxc_json *arr = test_parse("[]", 0);
	mxc_json *r = (mxc_json *)1;
	mxc_error err;
	mxc_error_clear(&err);
	ck_assert_int_eq(mxc_event_redact_json(&r, rv, arr, NULL, &err),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(mxc_event_redact_json(&r, NULL, arr, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(arr);

	mxc_json *ev = test_parse(corners[0].in, 0);
	for (long k = 1;; k++) {
		test_failing_alloc f;
		test_failing_alloc_init(&f, k);
		int rc = mxc_event_redact_json(&r, rv, ev, &f.a, NULL);
		if (rc == MXC_OK) {
			mxc_json_free(r);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(f.live, 0);
		ck_assert_int_lt(k, 50);
	}
	mxc_json_free(ev);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("redact");
	TCase *tc = tcase_create("redact");
	tcase_add_test(tc, vectors_all_versions);
	tcase_add_test(tc, gmsl_vectors);
	tcase_add_loop_test(tc, corner_cases, 0,
	                    (int)(sizeof corners / sizeof *corners));
	tcase_add_test(tc, bad_input_and_nomem);
	suite_add_tcase(s, tc);
	return s;
}
