/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power levels: values per room version (tests/vectors/auth/
 * power_levels.json: the spec's examples and hand-worked edge cases),
 * defaults with and without a power levels event, v12 creators, the
 * "may" questions and the shape checks the auth rules use.
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

START_TEST(parse_vectors)
{
	mxc_json *doc = test_load_vectors("auth/power_levels.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_ge(mxc_json_size(cases), 50);
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *name = test_str(c, "name", NULL);
		size_t vl;
		const char *vt = test_str(c, "value", &vl);
		mxc_json *v = NULL;
		ck_assert_int_eq(mxc_json_parse(&v, vt, vl,
		                                MXC_JSON_LENIENT_NUMBERS, NULL,
		                                NULL),
		                 MXC_OK);
		const mxc_json *vers = mxc_json_getz(c, "room_versions");
		const mxc_json *exp = mxc_json_getz(c, "expected");
		const char *exp_err = test_str(c, "expected_error", NULL);
		for (size_t k = 0; k < mxc_json_size(vers); k++) {
			const char *ver =
				mxc_json_get_string(mxc_json_at(vers, k), NULL);
			int64_t got = 0;
			mxc_error err;
			mxc_error_clear(&err);
			int rc = mxc_power_level_parse(&got, rv_of(ver), v, &err);
			if (exp_err) {
				ck_assert_msg(rc != MXC_OK &&
				                      strcmp(mxc_strerror(rc),
				                             exp_err) == 0,
				              "%s (v%s): got %s, want %s", name,
				              ver, mxc_strerror(rc), exp_err);
				ck_assert_int_eq(err.status, rc);
			} else {
				int64_t want;
				ck_assert_int_eq(mxc_json_get_int(&want, exp),
				                 MXC_OK);
				ck_assert_msg(rc == MXC_OK && got == want,
				              "%s (v%s): %s, %lld != %lld", name,
				              ver, mxc_strerror(rc),
				              (long long)got, (long long)want);
			}
		}
		mxc_json_free(v);
	}
	mxc_json_free(doc);
}
END_TEST

/* The spec's two example events: the effective levels they give. */
START_TEST(example_events)
{
	mxc_json *doc = test_load_vectors("auth/power_levels.json");
	const mxc_json *evs = mxc_json_getz(doc, "events");
	ck_assert_uint_eq(mxc_json_size(evs), 2);
	for (size_t i = 0; i < mxc_json_size(evs); i++) {
		const mxc_json *c = mxc_json_at(evs, i);
		const mxc_json *content =
			mxc_json_getz(mxc_json_getz(c, "event"), "content");
		const mxc_json *eff = mxc_json_getz(c, "expected_effective");
		const mxc_json *vers = mxc_json_getz(c, "room_versions");
		for (size_t k = 0; k < mxc_json_size(vers); k++) {
			const mxc_room_version *rv = rv_of(
				mxc_json_get_string(mxc_json_at(vers, k), NULL));
			mxc_power_levels *pl = NULL;
			ck_assert_int_eq(mxc_power_levels_new(&pl, rv, content,
			                                      NULL, NULL, 0, NULL,
			                                      NULL),
			                 MXC_OK);
			ck_assert_int_eq(mxc_power_levels_validate(rv, content,
			                                           NULL),
			                 MXC_OK);
			const mxc_json *users = mxc_json_getz(eff, "users");
			for (size_t u = 0; u < mxc_json_size(users); u++) {
				const char *uid;
				size_t ul;
				int64_t want, got;
				const mxc_json *w =
					mxc_json_member(users, u, &uid, &ul);
				mxc_json_get_int(&want, w);
				ck_assert_int_eq(mxc_power_levels_user(&got, pl,
				                                       uid, ul,
				                                       NULL),
				                 MXC_OK);
				ck_assert_int_eq(got, want);
			}
			const mxc_json *ban = mxc_json_getz(eff, "ban");
			if (ban) {
				int64_t want, got;
				mxc_json_get_int(&want, ban);
				ck_assert_int_eq(mxc_power_levels_get(
							 &got, pl, MXC_POWER_BAN,
							 NULL),
				                 MXC_OK);
				ck_assert_int_eq(got, want);
				ck_assert_int_eq(mxc_power_levels_event(
							 &got, pl,
							 "m.room.power_levels",
							 19, 1, NULL),
				                 MXC_OK);
				ck_assert_int_eq(got, 100);
				ck_assert_int_eq(mxc_power_levels_get(
							 &got, pl,
							 MXC_POWER_STATE_DEFAULT,
							 NULL),
				                 MXC_OK);
				ck_assert_int_eq(got, 50);
			}
			mxc_power_levels_free(pl);
		}
		/* String values are refused from v10. */
		if (mxc_json_get_type(mxc_json_getz(content, "ban")) ==
		    MXC_JSON_STRING) {
			mxc_error err;
			ck_assert_int_eq(mxc_power_levels_validate(
						 rv_of("10"), content, &err),
			                 MXC_ERR_JSON_TYPE);
			ck_assert_int_eq(err.reason, 1);
		}
	}
	mxc_json_free(doc);
}
END_TEST

static int64_t
user_lvl(const mxc_power_levels *pl, const char *u)
{
	int64_t v = -12345;
	ck_assert_int_eq(mxc_power_levels_user(&v, pl, u, strlen(u), NULL),
	                 MXC_OK);
	return v;
}

static int64_t
key_lvl(const mxc_power_levels *pl, mxc_power_key k)
{
	int64_t v = -12345;
	ck_assert_int_eq(mxc_power_levels_get(&v, pl, k, NULL), MXC_OK);
	return v;
}

static int64_t
ev_lvl(const mxc_power_levels *pl, const char *t, int state)
{
	int64_t v = -12345;
	ck_assert_int_eq(mxc_power_levels_event(&v, pl, t, strlen(t), state,
	                                        NULL),
	                 MXC_OK);
	return v;
}

/* No power levels event: creator 100 (v1-10 content.creator, v11
 * sender), others 0; the Definitions' defaults for the rest. */
START_TEST(defaults_without_event)
{
	mxc_json *cc = test_parse("{\"creator\":\"@c:a\"}", 0);
	mxc_power_levels *pl = NULL;
	ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of("1"), NULL, cc,
	                                      "@s:a", 4, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(user_lvl(pl, "@c:a"), 100);
	ck_assert_int_eq(user_lvl(pl, "@s:a"), 0);
	ck_assert_int_eq(user_lvl(pl, "@x:b"), 0);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_BAN), 50);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_KICK), 50);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_REDACT), 50);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_INVITE), 0);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_EVENTS_DEFAULT), 0);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_STATE_DEFAULT), 50);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_USERS_DEFAULT), 0);
	ck_assert_int_eq(key_lvl(pl, MXC_POWER_NOTIFICATIONS_ROOM), 50);
	ck_assert_int_eq(ev_lvl(pl, "m.room.topic", 1), 50);
	ck_assert_int_eq(ev_lvl(pl, "m.room.message", 0), 0);
	ck_assert_int_eq(mxc_power_levels_is_creator(pl, "@c:a", 4), 0);
	mxc_power_levels_free(pl);
	/* v11: the sender is the creator; `creator` means nothing. */
	ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of("11"), NULL, cc,
	                                      "@s:a", 4, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(user_lvl(pl, "@s:a"), 100);
	ck_assert_int_eq(user_lvl(pl, "@c:a"), 0);
	mxc_power_levels_free(pl);
	mxc_json_free(cc);
}
END_TEST

/* With an event: missing keys take their defaults; the creator has no
 * special level before v12. */
START_TEST(defaults_with_event)
{
	mxc_json *cc = test_parse("{\"creator\":\"@c:a\"}", 0);
	mxc_json *c = test_parse("{\"users\":{\"@u:a\":75},"
	                         "\"users_default\":5,"
	                         "\"events\":{\"m.room.name\":20}}",
	                         0);
	for (int v = 1; v <= 11; v++) {
		char id[4];
		snprintf(id, sizeof id, "%d", v);
		mxc_power_levels *pl = NULL;
		ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of(id), c, cc,
		                                      "@c:a", 4, NULL, NULL),
		                 MXC_OK);
		ck_assert_int_eq(user_lvl(pl, "@u:a"), 75);
		ck_assert_int_eq(user_lvl(pl, "@c:a"), 5);
		ck_assert_int_eq(user_lvl(pl, "@other:b"), 5);
		ck_assert_int_eq(ev_lvl(pl, "m.room.name", 1), 20);
		ck_assert_int_eq(ev_lvl(pl, "m.room.name", 0), 20);
		ck_assert_int_eq(ev_lvl(pl, "m.room.topic", 1), 50);
		ck_assert_int_eq(ev_lvl(pl, "m.room.topic", 0), 0);
		ck_assert_int_eq(key_lvl(pl, MXC_POWER_BAN), 50);
		ck_assert_int_eq(key_lvl(pl, MXC_POWER_INVITE), 0);
		int may = -1;
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_BAN, "@u:a",
		                                      4, "@c:a", 4, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 1);
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_KICK, "@c:a",
		                                      4, "@u:a", 4, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 0);
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_INVITE,
		                                      "@c:a", 4, NULL, 0, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 1);
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_REDACT,
		                                      "@u:a", 4, NULL, 0, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 1);
		ck_assert_int_eq(mxc_power_levels_may(
					 &may, pl, MXC_POWER_MAY_CHANGE_LEVELS,
					 "@u:a", 4, NULL, 0, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 1);
		ck_assert_int_eq(mxc_power_levels_may(
					 &may, pl, MXC_POWER_MAY_CHANGE_LEVELS,
					 "@c:a", 4, NULL, 0, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 0);
		/* ban/kick need a target */
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_BAN, "@u:a",
		                                      4, NULL, 0, NULL),
		                 MXC_ERR_INVALID_ARGUMENT);
		mxc_power_levels_free(pl);
	}
	mxc_json_free(c);
	mxc_json_free(cc);
}
END_TEST

/* v12: the create sender and additional_creators are infinitely high,
 * whatever `users` says, with or without a power levels event. */
START_TEST(v12_creators)
{
	mxc_json *cc = test_parse(
		"{\"additional_creators\":[\"@b:b\",\"@c:c\"]}", 0);
	mxc_json *c = test_parse("{\"users\":{\"@b:b\":10,\"@u:a\":100}}",
	                         0);
	const mxc_json *contents[2] = {NULL, c};
	for (int i = 0; i < 2; i++) {
		mxc_power_levels *pl = NULL;
		ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of("12"),
		                                      contents[i], cc, "@a:a", 4,
		                                      NULL, NULL),
		                 MXC_OK);
		ck_assert_int_eq(user_lvl(pl, "@a:a"), MXC_POWER_LEVEL_INFINITE);
		ck_assert_int_eq(user_lvl(pl, "@b:b"), MXC_POWER_LEVEL_INFINITE);
		ck_assert_int_eq(user_lvl(pl, "@c:c"), MXC_POWER_LEVEL_INFINITE);
		ck_assert_int_eq(user_lvl(pl, "@u:a"), i ? 100 : 0);
		ck_assert_int_eq(mxc_power_levels_is_creator(pl, "@c:c", 4), 1);
		ck_assert_int_eq(mxc_power_levels_is_creator(pl, "@u:a", 4), 0);
		int may = -1;
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_BAN, "@u:a",
		                                      4, "@b:b", 4, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 0);
		ck_assert_int_eq(mxc_power_levels_may(&may, pl,
		                                      MXC_POWER_MAY_BAN, "@c:c",
		                                      4, "@b:b", 4, NULL),
		                 MXC_OK);
		ck_assert_int_eq(may, 0); /* infinite is not below infinite */
		mxc_power_levels_free(pl);
	}
	ck_assert_int_eq(mxc_power_level_infinite(), INT64_MAX);
	mxc_json_free(c);
	mxc_json_free(cc);
}
END_TEST

/* Malformed values are reported by the getter with their JSON path. */
START_TEST(malformed_values)
{
	mxc_json *c = test_parse("{\"ban\":\"x\",\"users\":{\"@u:a\":\"y\"},"
	                         "\"events\":[],\"notifications\":5}",
	                         0);
	mxc_power_levels *pl = NULL;
	ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of("9"), c, NULL, NULL,
	                                      0, NULL, NULL),
	                 MXC_OK);
	int64_t v;
	mxc_error err;
	ck_assert_int_eq(mxc_power_levels_get(&v, pl, MXC_POWER_BAN, &err),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_str_eq(err.subject, "$.ban");
	ck_assert_int_eq(mxc_power_levels_user(&v, pl, "@u:a", 4, &err),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_str_eq(err.subject, "$.users.@u:a");
	ck_assert_int_eq(mxc_power_levels_event(&v, pl, "m.x", 3, 0, &err),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_str_eq(err.subject, "$.events");
	ck_assert_int_eq(mxc_power_levels_get(&v, pl,
	                                      MXC_POWER_NOTIFICATIONS_ROOM,
	                                      &err),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_int_eq(user_lvl(pl, "@other:a"), 0);
	ck_assert_int_eq(mxc_power_levels_get(&v, pl, (mxc_power_key)8, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_power_levels_free(pl);
	mxc_json_free(c);
	mxc_json *arr = test_parse("[]", 0);
	ck_assert_int_eq(mxc_power_levels_new(&pl, rv_of("1"), arr, NULL,
	                                      NULL, 0, NULL, NULL),
	                 MXC_ERR_JSON_TYPE);
	ck_assert_ptr_null(pl);
	ck_assert_int_eq(mxc_power_levels_new(&pl, NULL, NULL, NULL, NULL, 0,
	                                      NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(arr);
}
END_TEST

static void
validate_case(const char *ver, const char *content, int want, int reason,
              const char *subject)
{
	mxc_json *c = test_parse(content, 1);
	mxc_error err;
	mxc_error_clear(&err);
	int rc = mxc_power_levels_validate(rv_of(ver), c, &err);
	ck_assert_msg(rc == want, "v%s %s: %s", ver, content, mxc_strerror(rc));
	if (want != MXC_OK) {
		ck_assert_int_eq(err.reason, reason);
		if (subject)
			ck_assert_str_eq(err.subject, subject);
	}
	mxc_json_free(c);
}

/* The shape checks of the power levels auth rule (v1 10.1; v10 9.1-9.3). */
START_TEST(validate)
{
	validate_case("1", "{\"users\":{\"@baduser\":0}}",
	              MXC_ERR_BAD_IDENTIFIER, 3, "$.users.@baduser");
	validate_case("1", "{\"users\":{\"@u:a\":\"x\"}}", MXC_ERR_JSON_TYPE,
	              3, "$.users.@u:a");
	validate_case("1", "{\"users\":[]}", MXC_ERR_JSON_TYPE, 3, "$.users");
	validate_case("1", "{\"users\":{\"@u:a\":\"10\",\"@:a\":1}}", MXC_OK,
	              0, NULL);
	validate_case("3", "{\"users\":{\"@u:a\":1.5}}", MXC_OK, 0, NULL);
	validate_case("6", "{\"users\":{\"@u:a\":1.5}}", MXC_ERR_JSON_TYPE, 3,
	              NULL);
	validate_case("1", "{\"users\":{\"@u:[::1]:8448\":1}}", MXC_OK, 0,
	              NULL);
	validate_case("1", "{\"users\":{\"@u:a:123456\":1}}",
	              MXC_ERR_BAD_IDENTIFIER, 3, NULL);
	validate_case("1", "{\"users\":{\"@u:a_b\":1}}",
	              MXC_ERR_BAD_IDENTIFIER, 3, NULL);
	validate_case("1", "{\"users\":{\"u:a\":1}}", MXC_ERR_BAD_IDENTIFIER, 3,
	              NULL);
	/* Before v10 only `users` is checked. */
	validate_case("9", "{\"ban\":\"abc\",\"events\":{\"x\":[]}}", MXC_OK,
	              0, NULL);
	validate_case("10", "{\"ban\":\"50\"}", MXC_ERR_JSON_TYPE, 1, "$.ban");
	validate_case("10", "{\"invite\":null}", MXC_ERR_JSON_TYPE, 1,
	              "$.invite");
	validate_case("10", "{\"events\":{\"m.x\":\"1\"}}", MXC_ERR_JSON_TYPE,
	              2, "$.events.m.x");
	validate_case("11", "{\"notifications\":[]}", MXC_ERR_JSON_TYPE, 2,
	              "$.notifications");
	validate_case("12", "{\"users\":{\"@u:a\":\"1\"}}", MXC_ERR_JSON_TYPE,
	              3, NULL);
	validate_case("12", "{\"ban\":1,\"events\":{\"a\":2},"
	                    "\"notifications\":{\"room\":3},"
	                    "\"users\":{\"@u:a\":4}}",
	              MXC_OK, 0, NULL);
	ck_assert_int_eq(mxc_power_levels_validate(rv_of("1"), NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(oom)
{
	for (long fail = 1; fail < 4; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_power_levels *pl = NULL;
		int rc = mxc_power_levels_new(&pl, rv_of("1"), NULL, NULL, NULL,
		                              0, &fa.a, NULL);
		if (rc == MXC_OK) {
			mxc_power_levels_free(pl);
			ck_assert_int_eq(fa.live, 0);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(fa.live, 0);
	}
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("power-levels");
	TCase *tc = tcase_create("power-levels");
	tcase_add_test(tc, parse_vectors);
	tcase_add_test(tc, example_events);
	tcase_add_test(tc, defaults_without_event);
	tcase_add_test(tc, defaults_with_event);
	tcase_add_test(tc, v12_creators);
	tcase_add_test(tc, malformed_values);
	tcase_add_test(tc, validate);
	tcase_add_test(tc, oom);
	suite_add_tcase(s, tc);
	return s;
}
