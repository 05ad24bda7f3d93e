/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event builder (builder.h): rooms built from scratch in room versions
 * 1, 3, 10, 11 and 12, each event parsed back as a PDU, its hash and
 * signature verified, and allowed by the auth rules against the state it
 * was built on; auth_events compared with the spec's auth events
 * selection worked by hand; prev_events capped at 20, depth and its cap;
 * refusals (auth rules with the rule number, bad prototypes); make_join
 * templates and send_join responses, good and bad.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Two servers with fixed seeds. */
#define HS_A "example.org"
#define HS_B "other.org"
#define HS_C "third.org"
#define ALICE "@alice:" HS_A
#define BOB "@bob:" HS_B
#define CAROL "@carol:" HS_C

typedef struct server {
	const char *name;
	mxc_signing_key *key;
	uint8_t pub[32];
} server;

static server srv[3];

static void
servers_setup(void)
{
	const char *names[3] = {HS_A, HS_B, HS_C};
	const char *kids[3] = {"ed25519:a1", "ed25519:b1", "ed25519:c1"};
	for (int i = 0; i < 3; i++) {
		uint8_t seed[32];
		memset(seed, 0x11 * (i + 1), sizeof seed);
		srv[i].name = names[i];
		ck_assert_int_eq(mxc_signing_key_new(&srv[i].key, seed,
		                                     sizeof seed, kids[i], NULL,
		                                     NULL), MXC_OK);
		mxc_signing_key_public(srv[i].pub, srv[i].key);
	}
}

static void
servers_teardown(void)
{
	for (int i = 0; i < 3; i++)
		mxc_signing_key_free(srv[i].key);
}

static mxc_event_key
key_of(const server *s)
{
	mxc_event_key k = {s->name, mxc_signing_key_id(s->key), s->pub, 32,
	                   MXC_TS_NONE, MXC_TS_NONE};
	return k;
}

/* A room being built: its state, its one forward extremity, its events. */
typedef struct room {
	const mxc_room_version *rv;
	mxc_auth_state *state;
	mxc_event *ev[64];
	size_t n;
	const mxc_event *tip;
	long ts;
} room;

static void
room_init(room *r, const char *version)
{
	memset(r, 0, sizeof *r);
	r->rv = mxc_room_version_find(version, strlen(version));
	ck_assert_ptr_nonnull(r->rv);
	ck_assert_int_eq(mxc_auth_state_new(&r->state, NULL, 0, NULL, NULL),
	                 MXC_OK);
	r->ts = 1700000000000;
}

static void
room_free(room *r)
{
	mxc_auth_state_free(r->state);
	for (size_t i = 0; i < r->n; i++)
		mxc_event_free(r->ev[i]);
}

/* Every check a receiver makes of a built event, on the state before
 * it: valid format, hash and signature, auth. */
static void
check_built(const room *r, const mxc_event *ev, const server *s)
{
	char *text = test_canonical(mxc_event_json(ev));
	mxc_event *back = NULL;
	mxc_error err;
	ck_assert_msg(mxc_event_parse(&back, r->rv, text, strlen(text), 0,
	                              NULL, &err) == MXC_OK,
	              "parse back: %s at %s", err.message, err.subject);
	ck_assert_str_eq(mxc_event_id(back, NULL), mxc_event_id(ev, NULL));
	mxc_event_free(back);
	free(text);
	mxc_event_key k = key_of(s);
	mxc_event_verdict v;
	ck_assert_int_eq(mxc_event_verify_json(&v, r->rv, mxc_event_json(ev),
	                                       &k, 1, MXC_TS_NONE, &err),
	                 MXC_OK);
	ck_assert_msg(v.signatures_valid, "%s", v.signatures_reason);
	ck_assert_msg(v.hash_valid, "%s", v.hash_reason);
	ck_assert_msg(mxc_auth_check(ev, r->state, &k, 1, MXC_TS_NONE, 0,
	                             &err) == MXC_OK,
	              "auth: %s", err.message);
}

/* Build an event from a prototype (JSON text), check it, add it to the
 * state (state events) and make it the extremity. */
static const mxc_event *
room_send(room *r, const server *s, const char *proto_text)
{
	mxc_json *proto = test_parse(proto_text, 0);
	mxc_event *ev = NULL;
	mxc_error err;
	char opaque[32];
	snprintf(opaque, sizeof opaque, "ev%zu", r->n);
	const mxc_event *const *ext = r->tip ? &r->tip : NULL;
	int rc = mxc_build_event(&ev, r->rv, proto, r->state, ext,
	                         r->tip ? 1 : 0, r->ts++, s->name, s->key,
	                         opaque, NULL, &err);
	ck_assert_msg(rc == MXC_OK, "build %s: %s (%s) at %s", proto_text,
	              err.message, mxc_strerror(rc), err.subject);
	mxc_json_free(proto);
	check_built(r, ev, s);
	if (mxc_event_is_state(ev))
		ck_assert_int_eq(mxc_auth_state_set(r->state, ev, NULL), MXC_OK);
	r->ev[r->n++] = ev;
	r->tip = ev;
	return ev;
}

/* The event's auth_events are exactly these, in this order. */
static void
assert_auth_events(const mxc_event *ev, const mxc_event *const *want,
                   size_t n)
{
	ck_assert_uint_eq(mxc_event_auth_events_count(ev), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(mxc_event_auth_event(ev, i, NULL),
		                 mxc_event_id(want[i], NULL));
}

/* The standard room: create, alice joins, power levels, public join
 * rules, bob (another server) joins, bob says hello. Returns the events
 * in r->ev[0..5]. */
static void
build_room(room *r, const char *version)
{
	room_init(r, version);
	const mxc_room_version *rv = r->rv;
	char proto[512];
	int creator = !mxc_room_version_creator_from_sender(rv);
	int v12 = mxc_room_version_room_id_from_create(rv);
	snprintf(proto, sizeof proto,
	         "{\"type\":\"m.room.create\",\"state_key\":\"\","
	         "\"sender\":\"" ALICE "\",%s\"content\":{%s"
	         "\"room_version\":\"%s\"}}",
	         v12 ? "" : "\"room_id\":\"!room:" HS_A "\",",
	         creator ? "\"creator\":\"" ALICE "\"," : "", version);
	const mxc_event *create = room_send(r, &srv[0], proto);
	ck_assert_int_eq(mxc_event_depth(create), 1);
	ck_assert_uint_eq(mxc_event_prev_events_count(create), 0);
	ck_assert_uint_eq(mxc_event_auth_events_count(create), 0);
	if (v12) {
		/* the room ID is the create event's reference hash */
		mxc_buf id = MXC_BUF_INIT;
		ck_assert_int_eq(mxc_event_room_id_json(&id, rv,
		                                        mxc_event_json(create),
		                                        NULL), MXC_OK);
		ck_assert_str_eq(mxc_event_room_id(create, NULL),
		                 (const char *)id.data);
		ck_assert_ptr_null(mxc_json_getz(mxc_event_json(create),
		                                 "room_id"));
		mxc_buf_dispose(&id);
	} else {
		ck_assert_str_eq(mxc_event_room_id(create, NULL),
		                 "!room:" HS_A);
	}
	if (mxc_room_version_event_format(rv) == MXC_EVENT_FORMAT_V1)
		ck_assert_str_eq(mxc_event_id(create, NULL), "$ev0:" HS_A);

	const mxc_event *join_a = room_send(r, &srv[0],
		"{\"type\":\"m.room.member\",\"state_key\":\"" ALICE "\","
		"\"sender\":\"" ALICE "\",\"content\":{\"membership\":"
		"\"join\"}}");
	/* v12: the creator has infinite power and may not be listed in
	 * users (v12 auth rule 10.4) */
	snprintf(proto, sizeof proto,
	         "{\"type\":\"m.room.power_levels\",\"state_key\":\"\","
	         "\"sender\":\"" ALICE "\",\"content\":{\"users\":{%s},"
	         "\"state_default\":50,\"events_default\":0}}",
	         v12 ? "" : "\"" ALICE "\":100");
	const mxc_event *pl = room_send(r, &srv[0], proto);
	const mxc_event *jr = room_send(r, &srv[0],
		"{\"type\":\"m.room.join_rules\",\"state_key\":\"\","
		"\"sender\":\"" ALICE "\",\"content\":{\"join_rule\":"
		"\"public\"}}");
	const mxc_event *join_b = room_send(r, &srv[1],
		"{\"type\":\"m.room.member\",\"state_key\":\"" BOB "\","
		"\"sender\":\"" BOB "\",\"content\":{\"membership\":"
		"\"join\"}}");
	const mxc_event *msg = room_send(r, &srv[1],
		"{\"type\":\"m.room.message\",\"sender\":\"" BOB "\","
		"\"content\":{\"body\":\"hello\",\"msgtype\":\"m.text\"}}");

	/* Auth events selection, worked by hand: m.room.create (not in
	 * v12), the power levels, the sender's membership, for a member
	 * event the target's membership and, for a join, the join rules. */
	const mxc_event *want[4];
	size_t n = 0, c = v12 ? 0 : 1;
	want[0] = create;
	assert_auth_events(join_a, want + 1 - c, c); /* only the create */
	want[1] = join_a;
	assert_auth_events(pl, want + 1 - c, 1 + c);
	want[1] = pl;
	want[2] = join_a;
	assert_auth_events(jr, want + 1 - c, 2 + c);
	want[1] = pl; /* bob has no membership yet: create, PL, JR */
	want[2] = jr;
	assert_auth_events(join_b, want + 1 - c, 2 + c);
	want[1] = pl;
	want[2] = join_b;
	assert_auth_events(msg, want + 1 - c, 2 + c);
	(void)n;

	/* prev_events: the extremity; depth: its depth + 1 */
	for (size_t i = 1; i < r->n; i++) {
		ck_assert_uint_eq(mxc_event_prev_events_count(r->ev[i]), 1);
		ck_assert_str_eq(mxc_event_prev_event(r->ev[i], 0, NULL),
		                 mxc_event_id(r->ev[i - 1], NULL));
		ck_assert_int_eq(mxc_event_depth(r->ev[i]), (int64_t)i + 1);
		ck_assert_str_eq(mxc_event_room_id(r->ev[i], NULL),
		                 mxc_event_room_id(create, NULL));
		ck_assert_int_eq(mxc_event_origin_server_ts(r->ev[i]),
		                 1700000000000 + (int64_t)i);
	}
}

static const char *const versions[] = {"1", "3", "10", "11", "12"};

START_TEST(test_build_room)
{
	room r;
	build_room(&r, versions[_i]);
	room_free(&r);
}
END_TEST

/* v1/v2 references are [id, {"sha256": reference hash}] pairs. */
START_TEST(test_v1_references)
{
	room r;
	build_room(&r, "1");
	const mxc_json *pe = mxc_json_getz(mxc_event_json(r.ev[1]),
	                                   "prev_events");
	const mxc_json *pair = mxc_json_at(pe, 0);
	ck_assert_int_eq(mxc_json_get_type(pair), MXC_JSON_ARRAY);
	ck_assert_uint_eq(mxc_json_size(pair), 2);
	uint8_t h[32];
	ck_assert_int_eq(mxc_event_reference_hash(h, r.ev[0], NULL), MXC_OK);
	mxc_buf b64 = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_encode(&b64, h, 32, 0), MXC_OK);
	const char *got =
		test_str(mxc_json_at(pair, 1), "sha256", NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, (const char *)b64.data);
	mxc_buf_dispose(&b64);
	ck_assert_str_eq(mxc_event_id(r.ev[4], NULL), "$ev4:" HS_B);
	room_free(&r);
}
END_TEST

/* Auth rejection names the rule: bob (level 0) may not send power levels
 * (state_default 50): "required power level" rule, 8 in v1-v5 and v12
 * (one rule more before it), 7 in v6-v11. */
START_TEST(test_rejected)
{
	static const char *const rule[] = {"8", "8", "7", "7", "8"};
	room r;
	build_room(&r, versions[_i]);
	mxc_json *proto = test_parse(
		"{\"type\":\"m.room.power_levels\",\"state_key\":\"\","
		"\"sender\":\"" BOB "\",\"content\":{\"users\":{\"" BOB
		"\":100}}}", 0);
	mxc_event *ev = NULL;
	mxc_error err;
	int rc = mxc_build_event(&ev, r.rv, proto, r.state, &r.tip, 1, 5,
	                         HS_B, srv[1].key, "x", NULL, &err);
	ck_assert_int_eq(rc, MXC_ERR_AUTH_REJECTED);
	ck_assert_ptr_null(ev);
	ck_assert_int_eq(err.reason, MXC_AUTH_EVENT_LEVEL);
	char want[64];
	snprintf(want, sizeof want, "v%s auth rule %s:", versions[_i],
	         rule[_i]);
	ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0,
	              "message \"%s\", want \"%s\"", err.message, want);
	mxc_json_free(proto);

	/* a user who never joined may not speak (rule 6 / 5) */
	proto = test_parse("{\"type\":\"m.room.message\",\"sender\":"
	                   "\"@eve:" HS_B "\",\"content\":{}}", 0);
	rc = mxc_build_event(&ev, r.rv, proto, r.state, &r.tip, 1, 5, HS_B,
	                     srv[1].key, "x", NULL, &err);
	ck_assert_int_eq(rc, MXC_ERR_AUTH_REJECTED);
	ck_assert_int_eq(err.reason, MXC_AUTH_SENDER_NOT_JOINED);
	mxc_json_free(proto);
	room_free(&r);
}
END_TEST

static mxc_event *
build_msg(room *r, const mxc_event *const *ext, size_t n, long ts,
          mxc_error *err, int *rc)
{
	mxc_json *proto = test_parse(
		"{\"type\":\"m.room.message\",\"sender\":\"" ALICE "\","
		"\"content\":{\"body\":\"x\"}}", 0);
	mxc_event *ev = NULL;
	*rc = mxc_build_event(&ev, r->rv, proto, r->state, ext, n, ts, HS_A,
	                      srv[0].key, "m", NULL, err);
	mxc_json_free(proto);
	return ev;
}

/* More than 20 extremities: the 20 deepest, ties by event ID. */
START_TEST(test_prev_events_cap)
{
	room r;
	build_room(&r, "10");
	const mxc_event *base = r.tip; /* depth 6 */
	mxc_event *m[26];
	mxc_error err;
	int rc;
	for (int i = 0; i < 25; i++) {
		m[i] = build_msg(&r, &base, 1, 100 + i, &err, &rc);
		ck_assert_int_eq(rc, MXC_OK);
		ck_assert_int_eq(mxc_event_depth(m[i]), 7);
	}
	/* one deeper extremity */
	m[25] = build_msg(&r, (const mxc_event *const *)&m[0], 1, 99, &err,
	                  &rc);
	ck_assert_int_eq(mxc_event_depth(m[25]), 8);
	/* extremities: m[1..25] (m[0] has a child), m[25] twice */
	const mxc_event *ext[26];
	for (int i = 0; i < 25; i++)
		ext[i] = m[i + 1];
	ext[25] = m[25];
	mxc_event *ev = build_msg(&r, ext, 26, 500, &err, &rc);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	check_built(&r, ev, &srv[0]);
	ck_assert_uint_eq(mxc_event_prev_events_count(ev), 20);
	ck_assert_int_eq(mxc_event_depth(ev), 9);
	/* want: m[25], then the 19 smallest IDs of m[1..24] */
	const char *ids[24];
	for (int i = 0; i < 24; i++)
		ids[i] = mxc_event_id(m[i + 1], NULL);
	for (int i = 0; i < 24; i++)
		for (int j = i + 1; j < 24; j++)
			if (strcmp(ids[j], ids[i]) < 0) {
				const char *t = ids[i];
				ids[i] = ids[j];
				ids[j] = t;
			}
	ck_assert_str_eq(mxc_event_prev_event(ev, 0, NULL),
	                 mxc_event_id(m[25], NULL));
	for (int i = 0; i < 19; i++)
		ck_assert_str_eq(mxc_event_prev_event(ev, (size_t)i + 1, NULL),
		                 ids[i]);
	/* the same extremities in another order build the same event */
	const mxc_event *rev[26];
	for (int i = 0; i < 26; i++)
		rev[i] = ext[25 - i];
	mxc_event *ev2 = build_msg(&r, rev, 26, 500, &err, &rc);
	ck_assert_int_eq(rc, MXC_OK);
	ck_assert_str_eq(mxc_event_id(ev2, NULL), mxc_event_id(ev, NULL));
	mxc_event_free(ev2);
	mxc_event_free(ev);
	for (int i = 0; i < 26; i++)
		mxc_event_free(m[i]);
	room_free(&r);
}
END_TEST

/* Depth at the version's limit stays at the limit (pdu_v1, depth_v6). */
START_TEST(test_depth_cap)
{
	room r;
	build_room(&r, "10");
	/* a prev event at depth 2^53 - 1, re-signed */
	char *text = test_canonical(mxc_event_json(r.tip));
	char *d = strstr(text, "\"depth\":6");
	ck_assert_ptr_nonnull(d);
	char buf[4096];
	snprintf(buf, sizeof buf, "%.*s\"depth\":9007199254740991%s",
	         (int)(d - text), text, d + 9);
	free(text);
	mxc_json *obj = test_parse(buf, 0), *resigned = NULL;
	ck_assert_int_eq(mxc_event_sign_json(&resigned, r.rv, obj, HS_B,
	                                     srv[1].key, NULL, NULL), MXC_OK);
	mxc_event *deep = NULL;
	ck_assert_int_eq(mxc_event_from_json(&deep, r.rv, resigned, 0, NULL,
	                                     NULL), MXC_OK);
	ck_assert_int_eq(mxc_event_depth(deep), 9007199254740991LL);
	mxc_error err;
	int rc;
	const mxc_event *ext[2] = {deep, r.ev[2]};
	mxc_event *ev = build_msg(&r, ext, 2, 1, &err, &rc);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	ck_assert_int_eq(mxc_event_depth(ev), 9007199254740991LL);
	ck_assert_str_eq(mxc_event_prev_event(ev, 0, NULL),
	                 mxc_event_id(deep, NULL));
	mxc_event_free(ev);
	mxc_event_free(deep);
	mxc_json_free(resigned);
	mxc_json_free(obj);
	room_free(&r);
}
END_TEST

static int
try_build(room *r, const char *proto_text, const server *s,
          const char *opaque, const mxc_event *const *ext, size_t n,
          mxc_error *err)
{
	mxc_json *proto = test_parse(proto_text, 0);
	mxc_event *ev = NULL;
	int rc = mxc_build_event(&ev, r->rv, proto, r->state, ext, n, 1,
	                         s->name, s->key, opaque, NULL, err);
	mxc_json_free(proto);
	if (rc)
		ck_assert_ptr_null(ev);
	mxc_event_free(ev);
	return rc;
}

START_TEST(test_bad_prototypes)
{
	room r, other;
	build_room(&r, "10");
	build_room(&other, "11");
	mxc_error err;
	const char *msg = "{\"type\":\"m.room.message\",\"sender\":\"" ALICE
	                  "\",\"content\":{}%s}";
	char p[256];
	/* fields the builder sets */
	snprintf(p, sizeof p, msg, ",\"depth\":3");
	ck_assert_int_eq(try_build(&r, p, &srv[0], NULL, &r.tip, 1, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.depth");
	snprintf(p, sizeof p, msg, ",\"signatures\":{}");
	ck_assert_int_eq(try_build(&r, p, &srv[0], NULL, &r.tip, 1, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.signatures");
	/* content not an object, type missing */
	ck_assert_int_eq(try_build(&r, "{\"type\":\"m\",\"sender\":\"" ALICE
	                           "\",\"content\":[]}", &srv[0], NULL,
	                           &r.tip, 1, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.content");
	ck_assert_int_eq(try_build(&r, "{\"sender\":\"" ALICE "\",\"content"
	                           "\":{}}", &srv[0], NULL, &r.tip, 1, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.type");
	/* sender of another server than the signing one */
	snprintf(p, sizeof p, msg, "");
	ck_assert_int_eq(try_build(&r, p, &srv[1], NULL, &r.tip, 1, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* a room_id other than the state's */
	snprintf(p, sizeof p, msg, ",\"room_id\":\"!elsewhere:" HS_A "\"");
	ck_assert_int_eq(try_build(&r, p, &srv[0], NULL, &r.tip, 1, &err),
	                 MXC_ERR_ROOM_ID_MISMATCH);
	/* no extremities */
	snprintf(p, sizeof p, msg, "");
	ck_assert_int_eq(try_build(&r, p, &srv[0], NULL, NULL, 0, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* an extremity of another room (same ID form, other version: both
	 * refused) */
	ck_assert_int_eq(try_build(&r, p, &srv[0], NULL, &other.tip, 1,
	                           &err), MXC_ERR_INVALID_ARGUMENT);
	/* v1: the opaque part of the event ID is required */
	room v1;
	build_room(&v1, "1");
	snprintf(p, sizeof p, msg, "");
	ck_assert_int_eq(try_build(&v1, p, &srv[0], NULL, &v1.tip, 1, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* v12: a create event has no room_id; v10: it needs one */
	room v12;
	build_room(&v12, "12");
	ck_assert_int_eq(try_build(&v12, "{\"type\":\"m.room.create\","
	                           "\"state_key\":\"\",\"room_id\":\"!x:"
	                           HS_A "\",\"sender\":\"" ALICE "\","
	                           "\"content\":{}}", &srv[0], NULL, NULL, 0,
	                           &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.room_id");
	ck_assert_int_eq(try_build(&r, "{\"type\":\"m.room.create\","
	                           "\"state_key\":\"\",\"sender\":\"" ALICE
	                           "\",\"content\":{}}", &srv[0], NULL, NULL,
	                           0, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.room_id");
	/* a second create with prev events: auth rule 1.1 */
	ck_assert_int_eq(try_build(&r, "{\"type\":\"m.room.create\","
	                           "\"state_key\":\"\",\"room_id\":\"!room:"
	                           HS_A "\",\"sender\":\"" ALICE "\","
	                           "\"content\":{\"creator\":\"" ALICE "\"}}",
	                           &srv[0], NULL, &r.tip, 1, &err),
	                 MXC_ERR_AUTH_REJECTED);
	ck_assert_int_eq(err.reason, MXC_AUTH_CREATE_PREV_EVENTS);
	ck_assert_msg(strncmp(err.message, "v10 auth rule 1.1:", 18) == 0,
	              "%s", err.message);
	/* NULL arguments */
	mxc_event *ev = (mxc_event *)&err;
	ck_assert_int_eq(mxc_build_event(&ev, r.rv, NULL, r.state, NULL, 0,
	                                 1, HS_A, srv[0].key, NULL, NULL,
	                                 &err), MXC_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(ev);
	room_free(&v12);
	room_free(&v1);
	room_free(&other);
	room_free(&r);
}
END_TEST

/* Every allocation failure is MXC_ERR_NOMEM and leaks nothing. */
START_TEST(test_alloc_failures)
{
	room r;
	build_room(&r, "10");
	mxc_json *proto = test_parse(
		"{\"type\":\"m.room.member\",\"state_key\":\"@dan:" HS_A "\","
		"\"sender\":\"@dan:" HS_A "\",\"content\":{\"membership\":"
		"\"join\"}}", 0);
	int rc = MXC_ERR_NOMEM;
	long at;
	for (at = 1; rc == MXC_ERR_NOMEM && at < 5000; at++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, at);
		mxc_event *ev = NULL;
		rc = mxc_build_event(&ev, r.rv, proto, r.state, &r.tip, 1, 7,
		                     HS_A, srv[0].key, NULL, &fa.a, NULL);
		mxc_event_free(ev);
		ck_assert_int_eq(fa.live, 0);
		if (rc != MXC_OK)
			ck_assert_int_eq(rc, MXC_ERR_NOMEM);
	}
	ck_assert_int_eq(rc, MXC_OK);
	ck_assert_int_gt(at, 3);
	mxc_json_free(proto);
	room_free(&r);
}
END_TEST

/* ---- make_join / send_join ------------------------------------------ */

/* A reference to an event as text: its ID, or a v1/v2 pair. */
static void
ref_text(char *buf, size_t size, const mxc_event *ev)
{
	const mxc_room_version *rv = mxc_event_room_version(ev);
	if (mxc_room_version_event_format(rv) != MXC_EVENT_FORMAT_V1) {
		snprintf(buf, size, "\"%s\"", mxc_event_id(ev, NULL));
		return;
	}
	uint8_t h[32];
	ck_assert_int_eq(mxc_event_reference_hash(h, ev, NULL), MXC_OK);
	mxc_buf b64 = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_encode(&b64, h, 32, 0), MXC_OK);
	snprintf(buf, size, "[\"%s\",{\"sha256\":\"%s\"}]",
	         mxc_event_id(ev, NULL), (const char *)b64.data);
	mxc_buf_dispose(&b64);
}

/* The resident's make_join response for carol, as text. */
static char *
make_join_response(const room *r, const char *version, const char *room_id,
                   const char *type, const char *sender,
                   const char *state_key, const char *membership,
                   const char *extra_content)
{
	static char buf[4096];
	char ver[64] = "";
	if (version)
		snprintf(ver, sizeof ver, "\"room_version\":\"%s\",", version);
	int v12 = mxc_room_version_room_id_from_create(r->rv);
	/* the resident's auth events: create (not v12), PL, JR */
	char auth[1024], a0[160], a2[160], a3[160], prev[160];
	ref_text(a0, sizeof a0, r->ev[0]);
	ref_text(a2, sizeof a2, r->ev[2]);
	ref_text(a3, sizeof a3, r->ev[3]);
	ref_text(prev, sizeof prev, r->tip);
	if (v12)
		snprintf(auth, sizeof auth, "%s,%s", a2, a3);
	else
		snprintf(auth, sizeof auth, "%s,%s,%s", a0, a2, a3);
	snprintf(buf, sizeof buf,
	         "{%s\"event\":{\"type\":\"%s\",\"room_id\":\"%s\","
	         "\"sender\":\"%s\",\"state_key\":\"%s\",\"origin\":\"" HS_A
	         "\",\"origin_server_ts\":1,\"depth\":%lld,"
	         "\"auth_events\":[%s],\"prev_events\":[%s],"
	         "\"content\":{\"membership\":\"%s\"%s}}}",
	         ver, type, room_id, sender, state_key,
	         (long long)mxc_event_depth(r->tip) + 1, auth, prev,
	         membership, extra_content);
	return buf;
}

static int
fill(const room *r, const char *text, mxc_event **out, mxc_error *err)
{
	mxc_json *resp = test_parse(text, 0);
	const char *room_id = mxc_event_room_id(r->ev[0], NULL);
	int rc = mxc_build_make_join(out, r->rv, resp, room_id, CAROL, 4242,
	                             HS_C, srv[2].key, "join1", NULL, err);
	mxc_json_free(resp);
	return rc;
}

START_TEST(test_make_join)
{
	room r;
	build_room(&r, versions[_i]);
	const char *room_id = mxc_event_room_id(r.ev[0], NULL);
	mxc_event *join = NULL;
	mxc_error err;
	int rc = fill(&r, make_join_response(&r, versions[_i], room_id,
	                                     "m.room.member", CAROL, CAROL,
	                                     "join", ""), &join, &err);
	ck_assert_msg(rc == MXC_OK, "%s at %s", err.message, err.subject);
	check_built(&r, join, &srv[2]);
	ck_assert_str_eq(test_str(mxc_event_json(join), "origin", NULL), HS_C);
	ck_assert_int_eq(mxc_event_origin_server_ts(join), 4242);
	ck_assert_int_eq(mxc_event_depth(join), 7);
	if (mxc_room_version_event_format(r.rv) == MXC_EVENT_FORMAT_V1)
		ck_assert_str_eq(mxc_event_id(join, NULL), "$join1:" HS_C);
	mxc_event_free(join);
	room_free(&r);
}
END_TEST

START_TEST(test_make_join_bad)
{
	room r;
	build_room(&r, "10");
	const char *room_id = mxc_event_room_id(r.ev[0], NULL);
	mxc_event *join = NULL;
	mxc_error err;
	struct {
		const char *text, *subject;
	} bad[] = {
		{make_join_response(&r, "10", "!other:" HS_A, "m.room.member",
		                    CAROL, CAROL, "join", ""), "$.event.room_id"},
	};
	ck_assert_int_eq(fill(&r, bad[0].text, &join, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, bad[0].subject);
	ck_assert_int_eq(fill(&r, make_join_response(&r, "10", room_id,
	                      "m.room.member", "@mallory:" HS_C, CAROL,
	                      "join", ""), &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event.sender");
	ck_assert_int_eq(fill(&r, make_join_response(&r, "10", room_id,
	                      "m.room.member", CAROL, "@mallory:" HS_C,
	                      "join", ""), &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event.state_key");
	ck_assert_int_eq(fill(&r, make_join_response(&r, "10", room_id,
	                      "m.room.member", CAROL, CAROL, "invite", ""),
	                      &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event.content.membership");
	ck_assert_int_eq(fill(&r, make_join_response(&r, "10", room_id,
	                      "m.room.message", CAROL, CAROL, "join", ""),
	                      &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event.type");
	/* another room version, or none (then "1" or "2") */
	ck_assert_int_eq(fill(&r, make_join_response(&r, "9", room_id,
	                      "m.room.member", CAROL, CAROL, "join", ""),
	                      &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.room_version");
	ck_assert_int_eq(fill(&r, make_join_response(&r, NULL, room_id,
	                      "m.room.member", CAROL, CAROL, "join", ""),
	                      &join, &err), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.room_version");
	ck_assert_int_eq(fill(&r, "{\"room_version\":\"10\"}", &join, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event");
	ck_assert_ptr_null(join);
	/* the user must be ours */
	mxc_json *resp = test_parse(make_join_response(&r, "10", room_id,
	                            "m.room.member", CAROL, CAROL, "join", ""),
	                            0);
	ck_assert_int_eq(mxc_build_make_join(&join, r.rv, resp, room_id, CAROL,
	                                     1, HS_B, srv[1].key, NULL, NULL,
	                                     &err), MXC_ERR_INVALID_ARGUMENT);
	mxc_json_free(resp);
	room_free(&r);

	/* v1: no room_version means "1" or "2": accepted */
	room v1;
	build_room(&v1, "1");
	ck_assert_int_eq(fill(&v1, make_join_response(&v1, NULL,
	                      mxc_event_room_id(v1.ev[0], NULL),
	                      "m.room.member", CAROL, CAROL, "join", ""),
	                      &join, &err), MXC_OK);
	check_built(&v1, join, &srv[2]);
	ck_assert_str_eq(mxc_event_id(join, NULL), "$join1:" HS_C);
	mxc_event_free(join);
	room_free(&v1);
}
END_TEST

/* The send_join response: state, auth chain, and our join as the
 * resident signed it. */
typedef struct sj {
	room r;
	mxc_event *join;
	mxc_json *signed_join; /* + the resident's signature */
} sj;

static void
sj_setup(sj *s, const char *version, const char *extra_content)
{
	build_room(&s->r, version);
	const char *room_id = mxc_event_room_id(s->r.ev[0], NULL);
	mxc_error err;
	int rc = fill(&s->r, make_join_response(&s->r, version, room_id,
	                                        "m.room.member", CAROL, CAROL,
	                                        "join", extra_content),
	              &s->join, &err);
	ck_assert_msg(rc == MXC_OK, "%s at %s", err.message, err.subject);
	ck_assert_int_eq(mxc_event_sign_json(&s->signed_join, s->r.rv,
	                                     mxc_event_json(s->join), HS_A,
	                                     srv[0].key, NULL, NULL), MXC_OK);
}

static void
sj_free(sj *s)
{
	mxc_json_free(s->signed_join);
	mxc_event_free(s->join);
	room_free(&s->r);
}

/* A response text: state = r->ev[first..4], auth chain = r->ev[0..3],
 * event = `event` (NULL: none). */
static char *
sj_response(const sj *s, size_t first, const mxc_json *event,
            const char *extra_state)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	n += (size_t)snprintf(b + n, cap - n, "{\"state\":[");
	for (size_t i = first; i < 5; i++) {
		char *t = test_canonical(mxc_event_json(s->r.ev[i]));
		n += (size_t)snprintf(b + n, cap - n, "%s%s",
		                      i > first ? "," : "", t);
		free(t);
	}
	n += (size_t)snprintf(b + n, cap - n, "%s],\"auth_chain\":[",
	                      extra_state);
	for (size_t i = 0; i < 4; i++) {
		char *t = test_canonical(mxc_event_json(s->r.ev[i]));
		n += (size_t)snprintf(b + n, cap - n, "%s%s", i ? "," : "", t);
		free(t);
	}
	n += (size_t)snprintf(b + n, cap - n, "]");
	if (event) {
		char *t = test_canonical(event);
		n += (size_t)snprintf(b + n, cap - n, ",\"event\":%s", t);
		free(t);
	}
	snprintf(b + n, cap - n, "}");
	return b;
}

static int
check_sj(const sj *s, const char *text, const mxc_event_key *keys,
         size_t n_keys, mxc_event **out, mxc_error *err)
{
	mxc_json *resp = test_parse(text, 0);
	int rc = mxc_build_check_send_join(out, s->join, resp, keys, n_keys,
	                                   MXC_TS_NONE, NULL, err);
	mxc_json_free(resp);
	return rc;
}

START_TEST(test_send_join)
{
	sj s;
	sj_setup(&s, versions[_i], "");
	mxc_error err;
	mxc_event *out = NULL;
	/* with the resident's signed event */
	char *t = sj_response(&s, 0, s.signed_join, "");
	ck_assert_msg(check_sj(&s, t, NULL, 0, &out, &err) == MXC_OK, "%s at %s",
	              err.message, err.subject);
	free(t);
	ck_assert_str_eq(mxc_event_id(out, NULL), mxc_event_id(s.join, NULL));
	ck_assert_ptr_nonnull(mxc_json_getz(mxc_event_signatures(out), HS_A));
	mxc_event_free(out);
	/* without it: our own join */
	t = sj_response(&s, 0, NULL, "");
	ck_assert_int_eq(check_sj(&s, t, NULL, 0, &out, &err), MXC_OK);
	free(t);
	ck_assert_ptr_null(mxc_json_getz(mxc_event_signatures(out), HS_A));
	mxc_event_free(out);
	/* no create in the state */
	t = sj_response(&s, 1, NULL, "");
	ck_assert_int_eq(check_sj(&s, t, NULL, 0, &out, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.state");
	ck_assert_ptr_null(out);
	free(t);
	sj_free(&s);
}
END_TEST

/* s with the first `from` replaced by `to` (malloc'd). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	ck_assert_msg(p != NULL, "%s not in %s", from, s);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *r = malloc(n);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return r;
}

static void
expect_sj(const sj *s, const char *text, int status, const char *subject)
{
	mxc_error err;
	mxc_event *out = NULL;
	int rc = check_sj(s, text, NULL, 0, &out, &err);
	ck_assert_msg(rc == status, "%s: got %s (%s at %s)", text,
	              mxc_strerror(rc), err.message, err.subject);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(err.subject, subject);
}

START_TEST(test_send_join_bad)
{
	sj s;
	sj_setup(&s, "10", "");
	/* the returned event is not ours: content changed */
	char *ev = test_canonical(s.signed_join);
	char *alt = replace(ev, "\"membership\":\"join\"",
	                    "\"membership\":\"join\",\"x\":1");
	mxc_json *j = test_parse(alt, 0);
	char *t = sj_response(&s, 0, j, "");
	expect_sj(&s, t, MXC_ERR_BAD_EVENT, "$.event");
	free(t);
	mxc_json_free(j);
	free(alt);
	/* our signature changed */
	alt = replace(ev, "\"" HS_C "\":{\"ed25519:c1\":\"",
	              "\"" HS_C "\":{\"ed25519:c1\":\"A");
	j = test_parse(alt, 0);
	t = sj_response(&s, 0, j, "");
	expect_sj(&s, t, MXC_ERR_BAD_EVENT, "$.event.signatures");
	free(t);
	mxc_json_free(j);
	free(alt);
	free(ev);
	/* a state event of another room */
	char *pl = test_canonical(mxc_event_json(s.r.ev[2]));
	alt = replace(pl, "!room:" HS_A, "!elsewhere:" HS_A);
	char extra[8192];
	snprintf(extra, sizeof extra, ",%s", alt);
	t = sj_response(&s, 0, NULL, extra);
	expect_sj(&s, t, MXC_ERR_ROOM_ID_MISMATCH, "$.state[5]");
	free(t);
	free(alt);
	free(pl);
	/* not a state event; not a PDU */
	char *msg = test_canonical(mxc_event_json(s.r.ev[5]));
	snprintf(extra, sizeof extra, ",%s", msg);
	free(msg);
	t = sj_response(&s, 0, NULL, extra);
	expect_sj(&s, t, MXC_ERR_BAD_EVENT, "$.state[5]");
	free(t);
	t = sj_response(&s, 0, NULL, ",{\"type\":1}");
	expect_sj(&s, t, MXC_ERR_BAD_EVENT, "$.state[5].type");
	free(t);
	/* the room's create names another version */
	char *cr = test_canonical(mxc_event_json(s.r.ev[0]));
	alt = replace(cr, "\"room_version\":\"10\"",
	              "\"room_version\":\"9\"");
	snprintf(extra, sizeof extra, ",%s", alt);
	free(alt);
	free(cr);
	t = sj_response(&s, 1, NULL, extra);
	expect_sj(&s, t, MXC_ERR_BAD_EVENT, "$.state[4]");
	free(t);
	/* shapes */
	expect_sj(&s, "{\"state\":{},\"auth_chain\":[]}", MXC_ERR_BAD_EVENT,
	          "$.state");
	expect_sj(&s, "{\"state\":[]}", MXC_ERR_BAD_EVENT, "$.auth_chain");
	expect_sj(&s, "[]", MXC_ERR_BAD_EVENT, "$");
	sj_free(&s);
}
END_TEST

/* A restricted join (join_authorised_via_users_server): the resident's
 * signature is required on the returned event (v8+ rule 4.2.1). */
START_TEST(test_send_join_restricted)
{
	sj s;
	sj_setup(&s, "10", ",\"join_authorised_via_users_server\":\"" ALICE
	         "\"");
	mxc_error err;
	mxc_event *out = NULL;
	mxc_event_key ka = key_of(&srv[0]);
	/* signed, key known */
	char *t = sj_response(&s, 0, s.signed_join, "");
	ck_assert_msg(check_sj(&s, t, &ka, 1, &out, &err) == MXC_OK, "%s",
	              err.message);
	ck_assert_ptr_nonnull(out);
	mxc_event_free(out);
	/* key not supplied */
	ck_assert_int_eq(check_sj(&s, t, NULL, 0, &out, &err),
	                 MXC_ERR_NEED_INPUT);
	ck_assert_str_eq(err.subject, HS_A);
	/* a wrong key under the resident's key ID */
	mxc_event_key wrong = ka;
	wrong.public_key = srv[1].pub;
	ck_assert_int_eq(check_sj(&s, t, &wrong, 1, &out, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	/* a key that expired before the join was sent is not used */
	mxc_event_key old = ka;
	old.expired_ts = 1;
	ck_assert_int_eq(check_sj(&s, t, &old, 1, &out, &err),
	                 MXC_ERR_NEED_INPUT);
	free(t);
	/* the event is required, and must carry the resident's signature */
	t = sj_response(&s, 0, NULL, "");
	ck_assert_int_eq(check_sj(&s, t, &ka, 1, &out, &err),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event");
	free(t);
	t = sj_response(&s, 0, mxc_event_json(s.join), "");
	ck_assert_int_eq(check_sj(&s, t, &ka, 1, &out, &err),
	                 MXC_ERR_BAD_SIGNATURE);
	free(t);
	ck_assert_ptr_null(out);
	sj_free(&s);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("builder");
	TCase *tc = tcase_create("build");
	tcase_add_checked_fixture(tc, servers_setup, servers_teardown);
	tcase_add_loop_test(tc, test_build_room, 0, 5);
	tcase_add_test(tc, test_v1_references);
	tcase_add_loop_test(tc, test_rejected, 0, 5);
	tcase_add_test(tc, test_prev_events_cap);
	tcase_add_test(tc, test_depth_cap);
	tcase_add_test(tc, test_bad_prototypes);
	tcase_add_test(tc, test_alloc_failures);
	suite_add_tcase(s, tc);
	tc = tcase_create("join");
	tcase_add_checked_fixture(tc, servers_setup, servers_teardown);
	tcase_add_loop_test(tc, test_make_join, 0, 5);
	tcase_add_test(tc, test_make_join_bad);
	tcase_add_loop_test(tc, test_send_join, 0, 5);
	tcase_add_test(tc, test_send_join_bad);
	tcase_add_test(tc, test_send_join_restricted);
	suite_add_tcase(s, tc);
	return s;
}
