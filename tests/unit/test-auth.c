/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The auth rules: vector files under tests/vectors/auth/ (gmsl.json from
 * gomatrixserverlib; rules.json worked by hand from the spec, every case
 * naming the rule number of its version's page), auth events selection,
 * the state set, signature-dependent rules (third-party invites, restricted
 * joins with caller keys and need_input) and bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static const mxc_room_version *
rv_of(const char *id)
{
	const mxc_room_version *rv = mxc_room_version_find(id, strlen(id));
	ck_assert_msg(rv != NULL, "room version %s", id);
	return rv;
}

static int
parse_ev(mxc_event **out, const mxc_room_version *rv, const mxc_json *j,
         mxc_error *err)
{
	return mxc_event_from_json(out, rv, j, MXC_EVENT_PARSE_LABELLED, NULL,
	                           err);
}

/* Run one case; returns 1 if allowed, 0 if refused (parse or rules),
 * filling `why`. */
static int
run_case(const mxc_json *c, unsigned flags, char *why, size_t why_size,
         int *status)
{
	const mxc_room_version *rv =
		rv_of(mxc_json_get_string(mxc_json_getz(c, "room_version"),
		                          NULL));
	const mxc_json *st = mxc_json_getz(c, "auth_events");
	if (!st)
		st = mxc_json_getz(c, "state");
	size_t n = mxc_json_size(st);
	mxc_event **evs = calloc(n + 1, sizeof *evs);
	mxc_error err;
	mxc_error_clear(&err);
	int rc = MXC_OK;
	for (size_t i = 0; i < n && rc == MXC_OK; i++)
		rc = parse_ev(&evs[i], rv, mxc_json_at(st, i), &err);
	ck_assert_msg(rc == MXC_OK, "%s: state event: %s %s %s",
	              test_str(c, "name", NULL), mxc_strerror(rc), err.subject,
	              err.message);
	mxc_auth_state *state = NULL;
	ck_assert_int_eq(mxc_auth_state_new(&state,
	                                    (const mxc_event *const *)evs, n,
	                                    NULL, NULL),
	                 MXC_OK);
	mxc_event *ev = NULL;
	rc = parse_ev(&ev, rv, mxc_json_getz(c, "event"), &err);
	if (rc == MXC_OK)
		rc = mxc_auth_check(ev, state, NULL, 0, MXC_TS_NONE, flags, &err);
	snprintf(why, why_size, "%s: %s", mxc_strerror(rc), err.message);
	*status = rc;
	mxc_event_free(ev);
	mxc_auth_state_free(state);
	for (size_t i = 0; i < n; i++)
		mxc_event_free(evs[i]);
	free(evs);
	return rc == MXC_OK;
}

static void
run_file(const char *file, unsigned flags, size_t min_cases)
{
	mxc_json *doc = test_load_vectors(file);
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_ge(mxc_json_size(cases), min_cases);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		int want = mxc_json_get_type(mxc_json_getz(c, "allowed")) ==
		           MXC_JSON_TRUE;
		unsigned f = flags;
		if (mxc_json_get_type(mxc_json_getz(c, "auth_events_mode")) ==
		    MXC_JSON_TRUE)
			f |= MXC_AUTH_AUTH_EVENTS;
		char why[256];
		int status;
		int got = run_case(c, f, why, sizeof why, &status);
		ck_assert_msg(got == want, "%s: want %s, got %s", name,
		              want ? "allowed" : "rejected", why);
		const char *rule = test_str(c, "rule", NULL);
		if (rule) {
			char prefix[64];
			snprintf(prefix, sizeof prefix, "v%s auth rule %s:",
			         mxc_json_get_string(
					 mxc_json_getz(c, "room_version"), NULL),
			         rule);
			ck_assert_msg(status == MXC_ERR_AUTH_REJECTED &&
			                      strstr(why, prefix) != NULL,
			              "%s: want \"%s\", got %s", name, prefix,
			              why);
		}
		const char *code = test_str(c, "error", NULL);
		if (code)
			ck_assert_msg(strcmp(mxc_strerror(status), code) == 0,
			              "%s: want %s, got %s", name, code, why);
	}
	mxc_json_free(doc);
}

START_TEST(gmsl_vectors)
{
	/* The source's harness: signatures are not part of these cases. */
	run_file("auth/gmsl.json", MXC_AUTH_SIGNATURES_CHECKED, 73);
}
END_TEST

START_TEST(rules_vectors)
{
	run_file("auth/rules.json", 0, 400);
}
END_TEST

static mxc_event *
ev_of(const char *ver, const char *text)
{
	mxc_json *j = test_parse(text, 0);
	mxc_event *ev = NULL;
	mxc_error err;
	int rc = parse_ev(&ev, rv_of(ver), j, &err);
	ck_assert_msg(rc == MXC_OK, "%s: %s %s", text, err.subject,
	              err.message);
	mxc_json_free(j);
	return ev;
}

static void
assert_types(const char *ver, const char *text, const char *want)
{
	mxc_event *ev = ev_of(ver, text);
	mxc_auth_type t[MXC_AUTH_TYPES_MAX];
	size_t n = 99;
	ck_assert_int_eq(mxc_auth_types(t, &n, ev, NULL), MXC_OK);
	char got[512] = "";
	for (size_t i = 0; i < n; i++) {
		char one[128];
		snprintf(one, sizeof one, "%s%.*s|%.*s", i ? ";" : "",
		         (int)t[i].type_len, t[i].type, (int)t[i].state_key_len,
		         t[i].state_key);
		strncat(got, one, sizeof got - strlen(got) - 1);
	}
	ck_assert_msg(strcmp(got, want) == 0, "v%s %s:\n got %s\nwant %s", ver,
	              text, got, want);
	mxc_event_free(ev);
}

/* server-server API: Auth events selection. */
START_TEST(auth_types)
{
	assert_types("1", "{\"type\":\"m.room.create\",\"state_key\":\"\","
	                  "\"sender\":\"@a:a\",\"room_id\":\"!r:a\","
	                  "\"event_id\":\"$c:a\",\"content\":{}}",
	             "");
	assert_types("1", "{\"type\":\"m.room.message\",\"sender\":\"@a:a\","
	                  "\"room_id\":\"!r:a\",\"event_id\":\"$m:a\","
	                  "\"content\":{}}",
	             "m.room.create|;m.room.power_levels|;m.room.member|@a:a");
	assert_types("10", "{\"type\":\"m.room.member\",\"state_key\":\"@b:b\","
	                   "\"sender\":\"@a:a\",\"room_id\":\"!r:a\","
	                   "\"event_id\":\"$m\",\"content\":{\"membership\":"
	                   "\"invite\",\"third_party_invite\":{\"signed\":"
	                   "{\"token\":\"tok\"}}}}",
	             "m.room.create|;m.room.power_levels|;m.room.member|@a:a;"
	             "m.room.member|@b:b;m.room.join_rules|;"
	             "m.room.third_party_invite|tok");
	assert_types("10", "{\"type\":\"m.room.member\",\"state_key\":\"@b:b\","
	                   "\"sender\":\"@b:b\",\"room_id\":\"!r:a\","
	                   "\"event_id\":\"$m\",\"content\":{\"membership\":"
	                   "\"join\",\"join_authorised_via_users_server\":"
	                   "\"@a:a\"}}",
	             "m.room.create|;m.room.power_levels|;m.room.member|@b:b;"
	             "m.room.join_rules|;m.room.member|@a:a");
	/* v7 has no restricted joins: the authoriser is not selected. */
	assert_types("7", "{\"type\":\"m.room.member\",\"state_key\":\"@b:b\","
	                  "\"sender\":\"@b:b\",\"room_id\":\"!r:a\","
	                  "\"event_id\":\"$m\",\"content\":{\"membership\":"
	                  "\"join\",\"join_authorised_via_users_server\":"
	                  "\"@a:a\"}}",
	             "m.room.create|;m.room.power_levels|;m.room.member|@b:b;"
	             "m.room.join_rules|");
	/* leave: no join rules; v12: no create. */
	assert_types("12", "{\"type\":\"m.room.member\",\"state_key\":\"@b:b\","
	                   "\"sender\":\"@a:a\",\"room_id\":\"!r\","
	                   "\"event_id\":\"$m\",\"content\":{\"membership\":"
	                   "\"leave\"}}",
	             "m.room.power_levels|;m.room.member|@a:a;"
	             "m.room.member|@b:b");
	ck_assert_uint_eq(mxc_auth_types_max(), MXC_AUTH_TYPES_MAX);
	size_t n;
	ck_assert_int_eq(mxc_auth_types(NULL, &n, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

/* Rule numbers on each version's page, for a few rules (the vectors check
 * the rest through the messages). */
START_TEST(rule_numbers)
{
	char b[16];
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("11"),
	                                      MXC_AUTH_JOIN_BANNED),
	                 "4.3.3");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("1"),
	                                      MXC_AUTH_JOIN_BANNED),
	                 "5.2.3");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("12"),
	                                      MXC_AUTH_JOIN_BANNED),
	                 "5.3.3");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("7"),
	                                      MXC_AUTH_MEMBER_UNKNOWN),
	                 "4.7");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("12"),
	                                      MXC_AUTH_ENTRY_ROOM_ID),
	                 "3.4");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("12"),
	                                      MXC_AUTH_PL_USERS_NEW),
	                 "10.10.1");
	ck_assert_str_eq(mxc_auth_rule_number(b, sizeof b, rv_of("2"),
	                                      MXC_AUTH_REDACTION),
	                 "11.3");
	ck_assert_ptr_null(mxc_auth_rule_number(b, sizeof b, rv_of("3"),
	                                        MXC_AUTH_REDACTION));
	ck_assert_ptr_null(mxc_auth_rule_number(b, sizeof b, rv_of("6"),
	                                        MXC_AUTH_ALIASES_DOMAIN));
	ck_assert_ptr_null(mxc_auth_rule_number(b, 4, rv_of("6"),
	                                        MXC_AUTH_EVENT_LEVEL));
}
END_TEST

START_TEST(state_set)
{
	mxc_event *a = ev_of("10", "{\"type\":\"m.room.member\","
	                           "\"state_key\":\"@a:a\",\"sender\":\"@a:a\","
	                           "\"room_id\":\"!r:a\",\"event_id\":\"$1\","
	                           "\"content\":{\"membership\":\"join\"}}");
	mxc_event *b = ev_of("10", "{\"type\":\"m.room.member\","
	                           "\"state_key\":\"@a:a\",\"sender\":\"@a:a\","
	                           "\"room_id\":\"!r:a\",\"event_id\":\"$2\","
	                           "\"content\":{\"membership\":\"leave\"}}");
	mxc_auth_state *st = NULL;
	ck_assert_int_eq(mxc_auth_state_new(&st, NULL, 0, NULL, NULL), MXC_OK);
	ck_assert_ptr_null(mxc_auth_state_get(st, "m.room.member", 13, "@a:a",
	                                      4));
	/* many insertions: growth keeps every entry */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(mxc_auth_state_set(st, i % 2 ? a : b, NULL),
		                 MXC_OK);
	ck_assert_uint_eq(mxc_auth_state_size(st), 1);
	ck_assert_ptr_eq(mxc_auth_state_get(st, "m.room.member", 13, "@a:a",
	                                    4),
	                 a);
	ck_assert_int_eq(mxc_auth_state_set(st, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_auth_state_free(st);
	ck_assert_int_eq(mxc_auth_state_new(NULL, NULL, 0, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	for (long fail = 1; fail < 5; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		const mxc_event *list[2] = {a, b};
		int rc = mxc_auth_state_new(&st, list, 2, &fa.a, NULL);
		if (rc == MXC_OK) {
			mxc_auth_state_free(st);
			ck_assert_int_eq(fa.live, 0);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(fa.live, 0);
	}
	mxc_event_free(a);
	mxc_event_free(b);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");
	tcase_add_test(tc, gmsl_vectors);
	tcase_add_test(tc, rules_vectors);
	tcase_add_test(tc, auth_types);
	tcase_add_test(tc, rule_numbers);
	tcase_add_test(tc, state_set);
	suite_add_tcase(s, tc);
	return s;
}
