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
	ck_assert_int_eq(mxc_auth_types(t, MXC_AUTH_TYPES_MAX, &n, ev, NULL),
	                 MXC_OK);
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
	ck_assert_int_eq(mxc_auth_types(NULL, 0, &n, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* an output with too little room: refused, with the count needed;
	 * with exactly enough room, the same entries */
	mxc_event *ev = ev_of("10", "{\"type\":\"m.room.member\","
	                            "\"state_key\":\"@b:b\",\"sender\":\"@a:a\","
	                            "\"content\":{\"membership\":\"invite\"}}");
	mxc_auth_type t[MXC_AUTH_TYPES_MAX];
	mxc_error err;
	ck_assert_int_eq(mxc_auth_types(t, 4, &n, ev, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_nonnull(strstr(err.message, "needs 5"));
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(mxc_auth_types(t, 5, &n, ev, NULL), MXC_OK);
	ck_assert_uint_eq(n, 5);
	ck_assert_mem_eq(t[4].type, "m.room.join_rules", 17);
	mxc_event_free(ev);
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

/* Restricted joins (v8+ rule 4.2.1, v10 numbering): the join must be
 * signed by the authorising user's server, under keys the caller gives. */
static mxc_event *
signed_join(const char *ver, const char *server, const mxc_signing_key *key)
{
	char text[512];
	snprintf(text, sizeof text,
	         "{\"type\":\"m.room.member\",\"state_key\":\"@carol:c\","
	         "\"sender\":\"@carol:c\",\"room_id\":\"%s\",\"event_id\":"
	         "\"$join\",\"origin_server_ts\":1000,\"content\":"
	         "{\"membership\":\"join\",\"join_authorised_via_users_server\":"
	         "\"@bob:a\"}}",
	         strcmp(ver, "12") == 0 ? "!CREATE" : "!r:a");
	mxc_json *j = test_parse(text, 0);
	mxc_json *sj = NULL;
	ck_assert_int_eq(mxc_event_sign_json(&sj, rv_of(ver), j, server, key,
	                                     NULL, NULL),
	                 MXC_OK);
	mxc_event *ev = NULL;
	ck_assert_int_eq(parse_ev(&ev, rv_of(ver), sj, NULL), MXC_OK);
	mxc_json_free(sj);
	mxc_json_free(j);
	return ev;
}

static mxc_auth_state *
restricted_state(const char *ver, const char *bob_membership,
                 mxc_event **evs)
{
	int v12 = strcmp(ver, "12") == 0;
	const char *room = v12 ? "!CREATE" : "!r:a";
	char t[5][300];
	snprintf(t[0], sizeof t[0],
	         "{\"type\":\"m.room.create\",\"state_key\":\"\",\"sender\":"
	         "\"@alice:a\",\"event_id\":\"$CREATE\",%s\"content\":{}}",
	         v12 ? "" : "\"room_id\":\"!r:a\",");
	snprintf(t[1], sizeof t[1],
	         "{\"type\":\"m.room.member\",\"state_key\":\"@alice:a\","
	         "\"sender\":\"@alice:a\",\"room_id\":\"%s\",\"event_id\":"
	         "\"$a\",\"content\":{\"membership\":\"join\"}}", room);
	snprintf(t[2], sizeof t[2],
	         "{\"type\":\"m.room.join_rules\",\"state_key\":\"\",\"sender\":"
	         "\"@alice:a\",\"room_id\":\"%s\",\"event_id\":\"$jr\","
	         "\"content\":{\"join_rule\":\"restricted\"}}", room);
	snprintf(t[3], sizeof t[3],
	         "{\"type\":\"m.room.member\",\"state_key\":\"@bob:a\","
	         "\"sender\":\"@bob:a\",\"room_id\":\"%s\",\"event_id\":"
	         "\"$b\",\"content\":{\"membership\":\"%s\"}}", room,
	         bob_membership);
	snprintf(t[4], sizeof t[4],
	         "{\"type\":\"m.room.power_levels\",\"state_key\":\"\","
	         "\"sender\":\"@alice:a\",\"room_id\":\"%s\",\"event_id\":"
	         "\"$pl\",\"content\":{\"invite\":0}}", room);
	for (int i = 0; i < 5; i++)
		evs[i] = ev_of(ver, t[i]);
	mxc_auth_state *st = NULL;
	ck_assert_int_eq(mxc_auth_state_new(&st, (const mxc_event *const *)evs,
	                                    5, NULL, NULL),
	                 MXC_OK);
	return st;
}

START_TEST(restricted_join_signatures)
{
	static const char *const vers[2] = {"10", "12"};
	static const char *const nums[2] = {"4.2.1", "5.2.1"};
	static const char *const auth_nums[2] = {"4.3.5.2", "5.3.5.2"};
	uint8_t seed[32], pub[32], other[32];
	memset(seed, 1, sizeof seed);
	mxc_signing_key *key = NULL, *key2 = NULL;
	ck_assert_int_eq(mxc_signing_key_new(&key, seed, 32, "ed25519:1", NULL,
	                                     NULL),
	                 MXC_OK);
	memset(seed, 2, sizeof seed);
	ck_assert_int_eq(mxc_signing_key_new(&key2, seed, 32, "ed25519:1",
	                                     NULL, NULL),
	                 MXC_OK);
	mxc_signing_key_public(pub, key);
	mxc_signing_key_public(other, key2);
	for (int i = 0; i < 2; i++) {
		const char *ver = vers[i];
		char prefix[64];
		mxc_event *evs[5];
		mxc_auth_state *st = restricted_state(ver, "join", evs);
		mxc_event *join = signed_join(ver, "a", key);
		mxc_event_key k = {"a", "ed25519:1", pub, 32, MXC_TS_NONE,
		                   MXC_TS_NONE};
		mxc_error err;
		/* validly signed, authoriser joined with invite power */
		ck_assert_int_eq(mxc_auth_check(join, st, &k, 1, MXC_TS_NONE, 0,
		                                &err),
		                 MXC_OK);
		/* the key is missing: need_input naming the server */
		ck_assert_int_eq(mxc_auth_check(join, st, NULL, 0, MXC_TS_NONE,
		                                0, &err),
		                 MXC_ERR_NEED_INPUT);
		ck_assert_str_eq(err.subject, "a");
		mxc_event_key k_other_id = {"a", "ed25519:2", pub, 32,
		                            MXC_TS_NONE, MXC_TS_NONE};
		ck_assert_int_eq(mxc_auth_check(join, st, &k_other_id, 1,
		                                MXC_TS_NONE, 0, &err),
		                 MXC_ERR_NEED_INPUT);
		/* the caller says signatures were checked */
		ck_assert_int_eq(mxc_auth_check(join, st, NULL, 0, MXC_TS_NONE,
		                                MXC_AUTH_SIGNATURES_CHECKED,
		                                &err),
		                 MXC_OK);
		/* a key that does not verify: rejected by 4.2.1 */
		snprintf(prefix, sizeof prefix, "v%s auth rule %s:", ver,
		         nums[i]);
		mxc_event_key k_bad = {"a", "ed25519:1", other, 32, MXC_TS_NONE,
		                       MXC_TS_NONE};
		ck_assert_int_eq(mxc_auth_check(join, st, &k_bad, 1,
		                                MXC_TS_NONE, 0, &err),
		                 MXC_ERR_AUTH_REJECTED);
		ck_assert_int_eq(err.reason,
		                 MXC_AUTH_MEMBER_AUTHORISER_SIGNATURE);
		ck_assert_msg(strstr(err.message, prefix), "%s", err.message);
		/* a key no longer valid when the event was sent (v5+) */
		mxc_event_key k_old = {"a", "ed25519:1", pub, 32, 500,
		                       MXC_TS_NONE};
		ck_assert_int_eq(mxc_auth_check(join, st, &k_old, 1,
		                                MXC_TS_NONE, 0, &err),
		                 MXC_ERR_AUTH_REJECTED);
		ck_assert_msg(strstr(err.message, prefix), "%s", err.message);
		mxc_event_key k_exp = {"a", "ed25519:1", pub, 32, MXC_TS_NONE,
		                       999};
		ck_assert_int_eq(mxc_auth_check(join, st, &k_exp, 1,
		                                MXC_TS_NONE, 0, &err),
		                 MXC_ERR_AUTH_REJECTED);
		/* now + 7 days caps valid_until_ts: now far before the event */
		mxc_event_key k_cap = {"a", "ed25519:1", pub, 32, 1000000,
		                       MXC_TS_NONE};
		ck_assert_int_eq(mxc_auth_check(join, st, &k_cap, 1,
		                                -700000000LL, 0, &err),
		                 MXC_ERR_AUTH_REJECTED);
		ck_assert_int_eq(mxc_auth_check(join, st, &k_cap, 1, 0, 0, &err),
		                 MXC_OK);
		mxc_event_free(join);
		/* signed by another server only */
		join = signed_join(ver, "c", key);
		mxc_event_key kc = {"c", "ed25519:1", pub, 32, MXC_TS_NONE,
		                    MXC_TS_NONE};
		ck_assert_int_eq(mxc_auth_check(join, st, &kc, 1, MXC_TS_NONE,
		                                0, &err),
		                 MXC_ERR_AUTH_REJECTED);
		ck_assert_msg(strstr(err.message, prefix), "%s", err.message);
		mxc_event_free(join);
		mxc_auth_state_free(st);
		for (int e = 0; e < 5; e++)
			mxc_event_free(evs[e]);
		/* validly signed, but the authoriser is not joined */
		st = restricted_state(ver, "leave", evs);
		join = signed_join(ver, "a", key);
		snprintf(prefix, sizeof prefix, "v%s auth rule %s:", ver,
		         auth_nums[i]);
		ck_assert_int_eq(mxc_auth_check(join, st, &k, 1, MXC_TS_NONE, 0,
		                                &err),
		                 MXC_ERR_AUTH_REJECTED);
		ck_assert_int_eq(err.reason, MXC_AUTH_JOIN_AUTHORISER);
		ck_assert_msg(strstr(err.message, prefix), "%s", err.message);
		mxc_event_free(join);
		mxc_auth_state_free(st);
		for (int e = 0; e < 5; e++)
			mxc_event_free(evs[e]);
	}
	mxc_signing_key_free(key);
	mxc_signing_key_free(key2);
}
END_TEST

/* Bad input: never a crash, never an allow. */
START_TEST(bad_input)
{
	ck_assert_int_eq(mxc_auth_check(NULL, NULL, NULL, 0, MXC_TS_NONE, 0,
	                                NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_event *ev = ev_of("10", "{\"type\":\"m.room.message\",\"sender\":"
	                            "\"@a:a\",\"room_id\":\"!r:a\","
	                            "\"event_id\":\"$m\",\"content\":{}}");
	ck_assert_int_eq(mxc_auth_check(ev, NULL, NULL, 1, MXC_TS_NONE, 0,
	                                NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_error err;
	ck_assert_int_eq(mxc_auth_check(ev, NULL, NULL, 0, MXC_TS_NONE, 0,
	                                &err),
	                 MXC_ERR_AUTH_REJECTED);
	ck_assert_int_eq(err.reason, MXC_AUTH_NO_CREATE);
	ck_assert_str_eq(err.message, "v10 auth rule 2.4: no m.room.create "
	                              "event");
	mxc_event_free(ev);
	/* an m.room.create with a non-empty state_key is not one */
	ev = ev_of("1", "{\"type\":\"m.room.create\",\"state_key\":\"x\","
	                "\"sender\":\"@a:a\",\"room_id\":\"!r:a\","
	                "\"event_id\":\"$c:a\",\"content\":{\"creator\":"
	                "\"@a:a\"}}");
	ck_assert_int_eq(mxc_auth_check(ev, NULL, NULL, 0, MXC_TS_NONE, 0,
	                                &err),
	                 MXC_ERR_BAD_EVENT);
	mxc_event_free(ev);
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
	tcase_add_test(tc, restricted_join_signatures);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return s;
}
