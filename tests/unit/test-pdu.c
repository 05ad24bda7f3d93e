/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checks on receipt of a PDU (lib/pdu.c): a scripted room with three
 * servers (a.test, b.test, c.test, each with its own ed25519 key from a
 * fixed seed; events built and signed here with mxc_event_sign_json),
 * in room versions 10, 11 and 12, reaching each outcome for its reason:
 * accepted; dropped (forged signature); redacted and processed on
 * (tampered body); rejected by its auth events; rejected by the state
 * before it; soft failed (the spec's A/B/C/D ban-evasion example,
 * server-server API "Soft failure"); a key missing, fetched through a
 * blocking transport or reported by NEED_INPUT and then completed; a
 * prev event missing, reported and then completed; Policy Server
 * signatures present, absent and invalid.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include <matrix-core/backend.h>
#include <matrix-core/keyring.h>
#include <matrix-core/pdu.h>

static const char *const versions[] = {"10", "11", "12"};
static const char *const servers[] = {"a.test", "b.test", "c.test"};
enum { A, B, C, POLICY, NKEYS };
#define TS 1700000000000LL

typedef struct room {
	const mxc_room_version *rv;
	mxc_signing_key *key[NKEYS];
	char room_id[80];
	char create[80]; /* create event ID */
	mxc_ctx *ctx;
	mxc_keyring *kr;
	int depth;
} room;

typedef struct pdu {
	char *json;
	char id[80];
} pdu;

static void
keys_init(room *r)
{
	static const char *const ids[] = {"ed25519:a", "ed25519:b",
	                                  "ed25519:c", "ed25519:policy_server"};
	for (int i = 0; i < NKEYS; i++) {
		uint8_t seed[32];
		memset(seed, 0x11 * (i + 1), sizeof seed);
		ck_assert_int_eq(mxc_signing_key_new(&r->key[i], seed, 32,
		                                     ids[i], NULL, NULL), MXC_OK);
	}
}

/* The key document of server i, as text (malloc'd). */
static char *
key_doc(room *r, int i, int64_t valid_until)
{
	mxc_json *doc = NULL;
	const mxc_signing_key *k = r->key[i];
	ck_assert_int_eq(mxc_server_keys_build(&doc, servers[i], &k, 1, NULL,
	                                       0, valid_until, NULL, NULL),
	                 MXC_OK);
	char *t = test_canonical(doc);
	mxc_json_free(doc);
	return t;
}

static void
add_key(room *r, int i)
{
	char *t = key_doc(r, i, TS + 86400000LL);
	mxc_error e;
	ck_assert_msg(mxc_keyring_add_json(r->kr, t, strlen(t), servers[i],
	                                   NULL, MXC_TS_NONE, TS, &e) == MXC_OK,
	              "%s", e.message);
	free(t);
}

/* JSON array of the IDs (in v12 without the create event when
 * `drop_create`). */
static void
id_array(char *out, size_t size, const room *r, const char *const *ids,
         size_t n, int drop_create)
{
	size_t l = (size_t)snprintf(out, size, "[");
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (drop_create && !strcmp(ids[i], r->create))
			continue;
		l += (size_t)snprintf(out + l, size - l, "%s\"%s\"",
		                      first ? "" : ",", ids[i]);
		first = 0;
	}
	snprintf(out + l, size - l, "]");
}

/* Build and sign an event: sender's server signs (signer index), and
 * `also` (>= 0) signs too under its own name (for the Policy Server:
 * "c.test" with ed25519:policy_server). */
static pdu
mk(room *r, int signer, const char *type, const char *state_key,
   const char *sender, const char *content, const char *const *prevs,
   size_t np, const char *const *auths, size_t na, int also)
{
	char prev[1024], auth[1024], sk[300] = "", rid[120] = "", text[4096];
	int v12 = mxc_room_version_room_id_from_create(r->rv);
	id_array(prev, sizeof prev, r, prevs, np, 0);
	id_array(auth, sizeof auth, r, auths, na, v12);
	if (state_key)
		snprintf(sk, sizeof sk, "\"state_key\":\"%s\",", state_key);
	int is_create = !strcmp(type, "m.room.create");
	if (!(v12 && is_create))
		snprintf(rid, sizeof rid, "\"room_id\":\"%s\",", r->room_id);
	int depth = ++r->depth;
	snprintf(text, sizeof text,
	         "{\"type\":\"%s\",%s%s\"sender\":\"%s\",\"content\":%s,"
	         "\"prev_events\":%s,\"auth_events\":%s,\"depth\":%d,"
	         "\"origin_server_ts\":%lld,\"hashes\":{},\"signatures\":{}}",
	         type, sk, rid, sender, content, prev, auth, depth,
	         (long long)TS + depth);
	mxc_json *j = test_parse(text, 0), *s1 = NULL, *s2 = NULL;
	mxc_error e;
	ck_assert_msg(mxc_event_sign_json(&s1, r->rv, j, servers[signer],
	                                  r->key[signer], NULL, &e) == MXC_OK,
	              "%s", e.message);
	if (also >= 0) {
		ck_assert_int_eq(mxc_event_sign_json(&s2, r->rv, s1,
		                                     servers[C], r->key[also],
		                                     NULL, NULL), MXC_OK);
		mxc_json_free(s1);
		s1 = s2;
	}
	pdu p;
	p.json = test_canonical(s1);
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_event_id_json(&b, r->rv, s1, NULL), MXC_OK);
	snprintf(p.id, sizeof p.id, "%s", b.data);
	mxc_buf_dispose(&b);
	if (is_create) {
		snprintf(r->create, sizeof r->create, "%s", p.id);
		if (v12)
			snprintf(r->room_id, sizeof r->room_id, "!%s",
			         p.id + 1);
	}
	mxc_json_free(j);
	mxc_json_free(s1);
	return p;
}

static void
trust(room *r, const pdu *p)
{
	mxc_error e;
	ck_assert_msg(mxc_ctx_add_event(r->ctx, p->json, strlen(p->json), &e)
	              == MXC_OK, "%s %s", e.message, e.subject);
}

#define ALICE "@alice:a.test"
#define BOB "@bob:b.test"
#define CAROL "@carol:c.test"

/* The room: create, alice joins, power levels (alice 100, topic 0),
 * public join rules, bob joins, carol joins. */
static pdu E[6];

static void
room_init(room *r, int vi)
{
	memset(r, 0, sizeof *r);
	r->rv = mxc_room_version_find(versions[vi], strlen(versions[vi]));
	ck_assert_ptr_nonnull(r->rv);
	keys_init(r);
	snprintf(r->room_id, sizeof r->room_id, "!room:a.test");
	char cc[128];
	snprintf(cc, sizeof cc, "{\"creator\":\"%s\",\"room_version\":\"%s\"}",
	         ALICE, versions[vi]);
	E[0] = mk(r, A, "m.room.create", "", ALICE, cc, NULL, 0, NULL, 0, -1);
	const char *p[1], *a[4];
	p[0] = E[0].id;
	a[0] = E[0].id;
	E[1] = mk(r, A, "m.room.member", ALICE, ALICE,
	          "{\"membership\":\"join\"}", p, 1, a, 1, -1);
	p[0] = E[1].id;
	a[1] = E[1].id;
	E[2] = mk(r, A, "m.room.power_levels", "", ALICE,
	          "{\"users\":{\"@alice:a.test\":100},"
	          "\"events\":{\"m.room.topic\":0}}", p, 1, a, 2, -1);
	p[0] = E[2].id;
	a[2] = E[2].id;
	E[3] = mk(r, A, "m.room.join_rules", "", ALICE,
	          "{\"join_rule\":\"public\"}", p, 1, a, 3, -1);
	p[0] = E[3].id;
	a[1] = E[2].id;
	a[2] = E[3].id;
	E[4] = mk(r, B, "m.room.member", BOB, BOB, "{\"membership\":\"join\"}",
	          p, 1, a, 3, -1);
	p[0] = E[4].id;
	E[5] = mk(r, C, "m.room.member", CAROL, CAROL,
	          "{\"membership\":\"join\"}", p, 1, a, 3, -1);
	ck_assert_int_eq(mxc_ctx_new(&r->ctx, r->rv, 0, NULL, NULL), MXC_OK);
	ck_assert_int_eq(mxc_keyring_new(&r->kr, NULL, NULL), MXC_OK);
	for (int i = 0; i < 6; i++)
		trust(r, &E[i]);
}

static void
room_free(room *r)
{
	for (int i = 0; i < 6; i++)
		free(E[i].json);
	for (int i = 0; i < NKEYS; i++)
		mxc_signing_key_free(r->key[i]);
	mxc_ctx_free(r->ctx);
	mxc_keyring_free(r->kr);
}

/* A message from `sender` after `prev`, citing create, power levels and
 * the sender's membership `mem`. */
static pdu
msg(room *r, int signer, const char *sender, const char *prev,
    const char *mem, const char *body, int also)
{
	const char *p[1] = {prev};
	const char *a[3] = {E[0].id, E[2].id, mem};
	char content[256];
	snprintf(content, sizeof content, "{\"msgtype\":\"m.text\","
	         "\"body\":\"%s\"}", body);
	return mk(r, signer, "m.room.message", NULL, sender, content, p, 1, a,
	          mem ? 3 : 2, also);
}

static mxc_pdu_result *
check(room *r, const pdu *p, const mxc_pdu_options *opt, int want_rc)
{
	mxc_pdu_result *res = NULL;
	mxc_error e = {0};
	int rc = mxc_pdu_check(&res, r->ctx, r->kr, opt, p->json,
	                       strlen(p->json), &e);
	ck_assert_msg(rc == want_rc, "check: %s (%s) %s", mxc_strerror(rc),
	              e.message, e.subject);
	return res;
}

static void
expect(mxc_pdu_result *res, int outcome, int step, int redacted,
       const char *reason_part)
{
	ck_assert_ptr_nonnull(res);
	ck_assert_msg(mxc_pdu_result_outcome(res) == outcome,
	              "outcome %s, want %s: %s",
	              mxc_pdu_outcome_name(mxc_pdu_result_outcome(res)),
	              mxc_pdu_outcome_name(outcome),
	              mxc_pdu_result_reason(res));
	ck_assert_int_eq(mxc_pdu_result_step(res), step);
	ck_assert_int_eq(mxc_pdu_result_redacted(res), redacted);
	if (reason_part)
		ck_assert_msg(strstr(mxc_pdu_result_reason(res), reason_part),
		              "reason %s lacks %s", mxc_pdu_result_reason(res),
		              reason_part);
}

static const char *
state_of(const mxc_pdu_result *res, const char *type, const char *sk)
{
	return mxc_state_get(mxc_pdu_result_state_after(res), type,
	                     strlen(type), sk, strlen(sk), NULL);
}

START_TEST(test_accepted_and_dropped)
{
	room r;
	room_init(&r, _i);
	add_key(&r, A);
	add_key(&r, B);
	add_key(&r, C);
	pdu m = msg(&r, B, BOB, E[5].id, E[4].id, "hello", -1);
	mxc_pdu_result *res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	ck_assert_str_eq(mxc_pdu_result_reason(res), "");
	/* the state after: the room's six state events */
	ck_assert_uint_eq(mxc_state_size(mxc_pdu_result_state_after(res)), 6);
	ck_assert_str_eq(state_of(res, "m.room.member", CAROL), E[5].id);
	ck_assert_ptr_nonnull(mxc_ctx_get_event(r.ctx, m.id, strlen(m.id)));
	mxc_pdu_result_free(res);
	free(m.json);

	/* forged: b.test's name and key ID, c.test's key: dropped */
	mxc_signing_key *real = r.key[B], *forged = NULL;
	uint8_t seed[32];
	memset(seed, 0x33, sizeof seed);
	ck_assert_int_eq(mxc_signing_key_new(&forged, seed, 32, "ed25519:b",
	                                     NULL, NULL), MXC_OK);
	r.key[B] = forged;
	m = msg(&r, B, BOB, E[5].id, E[4].id, "forged", -1);
	r.key[B] = real;
	mxc_signing_key_free(forged);
	size_t before = mxc_ctx_event_count(r.ctx);
	res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_DROPPED, MXC_PDU_STEP_SIGNATURES, 0, "signatures");
	ck_assert_int_eq(mxc_pdu_result_status(res), MXC_ERR_BAD_SIGNATURE);
	ck_assert_ptr_null(mxc_pdu_result_state_after(res));
	ck_assert_uint_eq(mxc_ctx_event_count(r.ctx), before);
	mxc_pdu_result_free(res);
	free(m.json);

	/* not an event: dropped at step 1 */
	pdu bad = {.json = "{\"type\":\"m.room.message\"}"};
	res = check(&r, &bad, NULL, MXC_OK);
	expect(res, MXC_PDU_DROPPED, MXC_PDU_STEP_FORMAT, 0, "invalid event");
	ck_assert_ptr_null(mxc_pdu_result_event(res));
	mxc_pdu_result_free(res);
	room_free(&r);
}
END_TEST

START_TEST(test_tampered_body)
{
	room r;
	room_init(&r, _i);
	add_key(&r, B);
	pdu m = msg(&r, B, BOB, E[5].id, E[4].id, "original", -1);
	char *at = strstr(m.json, "original");
	ck_assert_ptr_nonnull(at);
	memcpy(at, "tampered", 8);
	mxc_pdu_result *res = check(&r, &m, NULL, MXC_OK);
	/* signatures cover the redacted form: still valid; the hash fails,
	 * the event is redacted and processed on (accepted) */
	expect(res, MXC_PDU_ACCEPTED, MXC_PDU_STEP_HASHES, 1, "redacted");
	const mxc_json *content = mxc_event_content(mxc_pdu_result_event(res));
	ck_assert_uint_eq(mxc_json_size(content), 0);
	const mxc_event *held = mxc_ctx_get_event(r.ctx, m.id, strlen(m.id));
	ck_assert_uint_eq(mxc_json_size(mxc_event_content(held)), 0);
	mxc_pdu_result_free(res);
	free(m.json);
	/* tampered and rejected (carol cites no membership): the redacted
	 * event is recorded as rejected under its ID (found by fuzz_pdu: the
	 * ID was read from the unredacted event, freed by then) */
	m = msg(&r, C, CAROL, E[5].id, NULL, "original", -1);
	at = strstr(m.json, "original");
	memcpy(at, "tampered", 8);
	add_key(&r, C);
	res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_REJECTED, MXC_PDU_STEP_AUTH_EVENTS, 1,
	       "sender is not joined");
	ck_assert(mxc_ctx_is_rejected(r.ctx, m.id, strlen(m.id)));
	ck_assert_str_eq(mxc_event_id(mxc_pdu_result_event(res), NULL), m.id);
	mxc_pdu_result_free(res);
	free(m.json);
	room_free(&r);
}
END_TEST

/* An event the context holds, received again with `unsigned` data (which
 * no hash covers) is the same event, not another one with its ID. */
START_TEST(test_resent_with_unsigned)
{
	room r;
	room_init(&r, _i);
	add_key(&r, C);
	size_t n = strlen(E[5].json);
	pdu m;
	m.json = malloc(n + 32);
	memcpy(m.json, E[5].json, n - 1);
	strcpy(m.json + n - 1, ",\"unsigned\":{\"age\":5}}");
	snprintf(m.id, sizeof m.id, "%s", E[5].id);
	mxc_pdu_result *res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	ck_assert_str_eq(mxc_event_id(mxc_pdu_result_event(res), NULL),
	                 E[5].id);
	ck_assert_uint_eq(mxc_ctx_event_count(r.ctx), 6);
	mxc_pdu_result_free(res);
	free(m.json);
	/* a copy whose hashed content differs is still dropped: a message
	 * held, received with its body changed (hash check failed; the
	 * redacted copy is not what the context holds) */
	m = msg(&r, C, CAROL, E[5].id, E[5].id, "original", -1);
	trust(&r, &m);
	memcpy(strstr(m.json, "original"), "tampered", 8);
	res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_DROPPED, MXC_PDU_STEP_FORMAT, 1, "already held");
	mxc_pdu_result_free(res);
	free(m.json);
	room_free(&r);
}
END_TEST

START_TEST(test_rejected)
{
	room r;
	room_init(&r, _i);
	add_key(&r, A);
	add_key(&r, C);
	/* dave never joined: his auth events do not allow it */
	pdu m = msg(&r, C, "@dave:c.test", E[5].id, NULL, "hi", -1);
	mxc_pdu_result *res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_REJECTED, MXC_PDU_STEP_AUTH_EVENTS, 0,
	       "auth rule");
	ck_assert_int_eq(mxc_pdu_result_status(res), MXC_ERR_AUTH_REJECTED);
	ck_assert_int_eq(mxc_ctx_is_rejected(r.ctx, m.id, strlen(m.id)), 1);
	/* the state after a rejected event is the state before it */
	ck_assert_uint_eq(mxc_state_size(mxc_pdu_result_state_after(res)), 6);
	mxc_pdu_result_free(res);
	free(m.json);

	/* alice bans carol; carol then speaks after the ban, citing her
	 * join: allowed by its auth events, not by the state before it */
	const char *p[1] = {E[5].id};
	const char *a[4] = {E[0].id, E[2].id, E[1].id, E[5].id};
	pdu ban = mk(&r, A, "m.room.member", CAROL, ALICE,
	             "{\"membership\":\"ban\"}", p, 1, a, 4, -1);
	res = check(&r, &ban, NULL, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	ck_assert_str_eq(state_of(res, "m.room.member", CAROL), ban.id);
	mxc_pdu_result_free(res);
	m = msg(&r, C, CAROL, ban.id, E[5].id, "still here", -1);
	res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_REJECTED, MXC_PDU_STEP_STATE_BEFORE, 0,
	       "state before");
	mxc_pdu_result_free(res);
	free(m.json);
	free(ban.json);
	room_free(&r);
}
END_TEST

/* Server-server API, Soft failure: A (carol joined), B bans carol, C is
 * carol's topic change citing A: soft failed against the current state;
 * D from alice citing B and C is handled as normal. */
START_TEST(test_soft_failure)
{
	room r;
	room_init(&r, _i);
	add_key(&r, A);
	add_key(&r, C);
	const char *p[1] = {E[5].id};
	const char *a[4] = {E[0].id, E[2].id, E[1].id, E[5].id};
	pdu b = mk(&r, A, "m.room.member", CAROL, ALICE,
	           "{\"membership\":\"ban\"}", p, 1, a, 4, -1);
	trust(&r, &b);
	const char *ac[3] = {E[0].id, E[2].id, E[5].id};
	pdu c = mk(&r, C, "m.room.topic", "", CAROL, "{\"topic\":\"evading\"}",
	           p, 1, ac, 3, -1);
	const char *cur[6] = {E[0].id, E[1].id, E[2].id, E[3].id, E[4].id,
	                      b.id};
	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	opt.current_state = cur;
	opt.n_current_state = 6;
	opt.now_ts = TS;
	mxc_pdu_result *res = check(&r, &c, &opt, MXC_OK);
	expect(res, MXC_PDU_SOFT_FAILED, MXC_PDU_STEP_CURRENT_STATE, 0,
	       "current state");
	/* it passed against the state at the event: the topic is there */
	ck_assert_str_eq(state_of(res, "m.room.topic", ""), c.id);
	mxc_pdu_result_free(res);
	const char *pd[2] = {b.id, c.id};
	const char *ad[3] = {E[0].id, E[2].id, E[1].id};
	pdu d = mk(&r, A, "m.room.message", NULL, ALICE,
	           "{\"msgtype\":\"m.text\",\"body\":\"D\"}", pd, 2, ad, 3, -1);
	res = check(&r, &d, &opt, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	/* v2 state resolution puts the ban first: carol stays banned */
	ck_assert_str_eq(state_of(res, "m.room.member", CAROL), b.id);
	mxc_pdu_result_free(res);
	free(b.json);
	free(c.json);
	free(d.json);
	room_free(&r);
}
END_TEST

typedef struct host {
	room *r;
	int key_calls, event_calls, block;
	const char *asked_server, *asked_key;
	int64_t asked_min;
	const pdu *hand_over;
} host;

static int
req_keys(const char *server, const char *const *ids, size_t n,
         int64_t min_ts, void *ud)
{
	host *h = ud;
	h->key_calls++;
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(server, "b.test");
	ck_assert_str_eq(ids[0], "ed25519:b");
	h->asked_min = min_ts;
	if (h->block)
		return MXC_ERR_WOULDBLOCK;
	char *t = key_doc(h->r, B, TS + 86400000LL);
	int rc = mxc_keyring_add_json(h->r->kr, t, strlen(t), server, NULL,
	                              min_ts, TS, NULL);
	free(t);
	return rc;
}

static int
req_events(const char *const *ids, size_t n, void *ud)
{
	host *h = ud;
	h->event_calls++;
	if (h->block || !h->hand_over)
		return MXC_ERR_WOULDBLOCK;
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ids[0], h->hand_over->id);
	return mxc_ctx_add_event(h->r->ctx, h->hand_over->json,
	                         strlen(h->hand_over->json), NULL);
}

START_TEST(test_missing_key)
{
	room r;
	room_init(&r, _i);
	pdu m = msg(&r, B, BOB, E[5].id, E[4].id, "who signs", -1);
	host h = {.r = &r};
	mxc_transport_ops tr = MXC_TRANSPORT_OPS_INIT;
	tr.user_data = &h;
	tr.request_keys = req_keys;
	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	opt.transport = &tr;
	/* asynchronous host: NEED_INPUT, the key listed, nothing changed */
	h.block = 1;
	size_t n_events = mxc_ctx_event_count(r.ctx);
	check(&r, &m, &opt, MXC_ERR_NEED_INPUT);
	ck_assert_int_eq(h.key_calls, 1);
	/* v5+: minimum_valid_until_ts is the event's origin_server_ts */
	ck_assert_int_eq(h.asked_min, TS + r.depth);
	ck_assert_uint_eq(mxc_keyring_missing_count(r.kr), 1);
	const char *srv, *kid;
	ck_assert_int_eq(mxc_keyring_missing(r.kr, 0, &srv, &kid, NULL),
	                 MXC_OK);
	ck_assert_str_eq(srv, "b.test");
	ck_assert_str_eq(kid, "ed25519:b");
	ck_assert_uint_eq(mxc_ctx_event_count(r.ctx), n_events);
	ck_assert_uint_eq(mxc_keyring_size(r.kr), 0);
	/* without a transport, the same */
	check(&r, &m, NULL, MXC_ERR_NEED_INPUT);
	/* blocking host: it hands the key over from the callback */
	h.block = 0;
	h.key_calls = 0;
	mxc_pdu_result *res = check(&r, &m, &opt, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	ck_assert_int_eq(h.key_calls, 1);
	ck_assert_uint_eq(mxc_keyring_size(r.kr), 1);
	mxc_pdu_result_free(res);
	free(m.json);
	room_free(&r);
}
END_TEST

START_TEST(test_missing_prev)
{
	room r;
	room_init(&r, _i);
	add_key(&r, B);
	pdu x = msg(&r, B, BOB, E[5].id, E[4].id, "unseen", -1);
	pdu m = msg(&r, B, BOB, x.id, E[4].id, "after unseen", -1);
	size_t n_events = mxc_ctx_event_count(r.ctx);
	mxc_error e;
	mxc_pdu_result *res = NULL;
	ck_assert_int_eq(mxc_pdu_check(&res, r.ctx, r.kr, NULL, m.json,
	                               strlen(m.json), &e),
	                 MXC_ERR_NEED_INPUT);
	ck_assert_ptr_null(res);
	ck_assert_uint_eq(mxc_ctx_missing_count(r.ctx), 1);
	ck_assert_str_eq(mxc_ctx_missing(r.ctx, 0, NULL), x.id);
	ck_assert_uint_eq(mxc_ctx_event_count(r.ctx), n_events);
	/* asynchronous transport: the same, once asked */
	host h = {.r = &r, .block = 1};
	mxc_transport_ops tr = MXC_TRANSPORT_OPS_INIT;
	tr.user_data = &h;
	tr.request_events = req_events;
	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	opt.transport = &tr;
	check(&r, &m, &opt, MXC_ERR_NEED_INPUT);
	ck_assert_int_eq(h.event_calls, 1);
	/* blocking transport hands it over: completed in one call */
	h.block = 0;
	h.hand_over = &x;
	res = check(&r, &m, &opt, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	ck_assert_int_eq(h.event_calls, 2);
	mxc_pdu_result_free(res);
	/* a transport that cannot get it: MXC_ERR_MISSING_EVENT */
	room_free(&r);
	room_init(&r, _i);
	add_key(&r, B);
	h.r = &r;
	h.hand_over = NULL;
	h.block = 0;
	/* req_events answers WOULDBLOCK without hand_over: NEED_INPUT */
	free(x.json);
	free(m.json);
	x = msg(&r, B, BOB, E[5].id, E[4].id, "unseen", -1);
	m = msg(&r, B, BOB, x.id, E[4].id, "after unseen", -1);
	check(&r, &m, &opt, MXC_ERR_NEED_INPUT);
	/* the host hands it over and asks again */
	trust(&r, &x);
	res = check(&r, &m, NULL, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	mxc_pdu_result_free(res);
	free(x.json);
	free(m.json);
	room_free(&r);
}
END_TEST

START_TEST(test_policy_server)
{
	room r;
	room_init(&r, _i);
	add_key(&r, A);
	add_key(&r, B);
	uint8_t pub[32];
	mxc_signing_key_public(pub, r.key[POLICY]);
	mxc_buf b64 = MXC_BUF_INIT;
	mxc_base64_encode(&b64, pub, 32, 0);
	char content[200];
	snprintf(content, sizeof content, "{\"via\":\"c.test\","
	         "\"public_keys\":{\"ed25519\":\"%s\"}}", b64.data);
	mxc_buf_dispose(&b64);
	const char *p[1] = {E[5].id};
	const char *a[3] = {E[0].id, E[2].id, E[1].id};
	pdu pol = mk(&r, A, "m.room.policy", "", ALICE, content, p, 1, a, 3,
	             -1);
	trust(&r, &pol);
	const char *cur[7] = {E[0].id, E[1].id, E[2].id, E[3].id, E[4].id,
	                      E[5].id, pol.id};
	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	opt.current_state = cur;
	opt.n_current_state = 7;
	/* present */
	pdu m = msg(&r, B, BOB, pol.id, E[4].id, "signed", POLICY);
	mxc_pdu_result *res = check(&r, &m, &opt, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	mxc_pdu_result_free(res);
	free(m.json);
	/* absent */
	m = msg(&r, B, BOB, pol.id, E[4].id, "unsigned", -1);
	res = check(&r, &m, &opt, MXC_OK);
	expect(res, MXC_PDU_SOFT_FAILED, MXC_PDU_STEP_POLICY_SERVER, 0,
	       "policy server c.test");
	mxc_pdu_result_free(res);
	free(m.json);
	/* invalid: signed by c.test's own key under the policy key ID */
	mxc_signing_key *fake = NULL;
	uint8_t seed[32];
	memset(seed, 0x33, sizeof seed);
	ck_assert_int_eq(mxc_signing_key_new(&fake, seed, 32,
	                                     "ed25519:policy_server", NULL,
	                                     NULL), MXC_OK);
	mxc_signing_key *real = r.key[POLICY];
	r.key[POLICY] = fake;
	m = msg(&r, B, BOB, pol.id, E[4].id, "badly signed", POLICY);
	r.key[POLICY] = real;
	mxc_signing_key_free(fake);
	res = check(&r, &m, &opt, MXC_OK);
	expect(res, MXC_PDU_SOFT_FAILED, MXC_PDU_STEP_POLICY_SERVER, 0,
	       "policy server c.test");
	mxc_pdu_result_free(res);
	free(m.json);
	/* the policy state event itself needs no such signature */
	res = check(&r, &pol, &opt, MXC_OK);
	expect(res, MXC_PDU_ACCEPTED, 0, 0, NULL);
	mxc_pdu_result_free(res);
	free(pol.json);
	room_free(&r);
}
END_TEST

START_TEST(test_bad_arguments)
{
	mxc_pdu_result *res = (mxc_pdu_result *)1;
	ck_assert_int_eq(mxc_pdu_check(&res, NULL, NULL, NULL, "{}", 2, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_ptr_null(res);
	ck_assert_str_eq(mxc_pdu_outcome_name(MXC_PDU_SOFT_FAILED),
	                 "soft_failed");
	ck_assert_ptr_null(mxc_pdu_outcome_name(9));
	mxc_pdu_result_free(NULL);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("pdu");
	TCase *tc = tcase_create("pdu");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_accepted_and_dropped, 0, 3);
	tcase_add_loop_test(tc, test_tampered_body, 0, 3);
	tcase_add_loop_test(tc, test_resent_with_unsigned, 0, 3);
	tcase_add_loop_test(tc, test_rejected, 0, 3);
	tcase_add_loop_test(tc, test_soft_failure, 0, 3);
	tcase_add_loop_test(tc, test_missing_key, 0, 3);
	tcase_add_loop_test(tc, test_missing_prev, 0, 3);
	tcase_add_loop_test(tc, test_policy_server, 0, 3);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
