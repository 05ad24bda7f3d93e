/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the checks on receipt of a PDU (mxc_pdu_check), the
 * library's entry point for untrusted events from the network.
 *
 * A fixed room is built once per room version (lazily, on first use):
 * three servers a.test, b.test, c.test with ed25519 keys from fixed
 * seeds, and a fourth key, c.test's "ed25519:policy_server". Its events,
 * built and signed here: 0 create (alice), 1 alice joins, 2 power levels
 * (alice 100, m.room.topic 0), 3 public join rules, 4 bob joins (b.test),
 * 5 carol joins (c.test), 6 dave joins (@dave:b.test), 7 alice bans dave,
 * 8 an m.room.policy naming c.test and the policy key. A keyring holds
 * the three servers' key documents (not the policy key).
 *
 * The first input byte picks the room version (v10, v11, v12: byte % 3)
 * and, in byte / 3: bit 0 the policy event in the current state, bit 1
 * no current state at all (steps 6 and 7 skipped), bit 2 now_ts set. The
 * rest of the input is the PDU. Each input gets a fresh context holding
 * the room's events; the check runs without a transport.
 *
 * Invariants, for any input: the call answers MXC_OK or
 * MXC_ERR_NEED_INPUT (with something listed missing and no result); the
 * outcome is one of the four, with a step and status that fit it; an
 * accepted or soft-failed event is a valid PDU of the room's version
 * (its canonical JSON parses strictly) whose ID is what
 * mxc_event_id_json computes, whose room ID is the room's (create events
 * aside), which the context then holds, and, when a state event, which
 * the state after maps its (type, state key) to; a rejected event is in
 * the context's rejected set; a dropped event (redacted only when
 * dropped as a copy of a held event whose hash check failed), or a call
 * that needs input, changes nothing in the context; the input bytes are
 * not changed; no crash, no leak.
 *
 * Built with -DFUZZ_PDU_GEN, the file is instead a program writing the
 * seed corpus (valid, forged, tampered, rejected, soft-failed, Policy
 * Server signed and not, missing prev event) into the directory named
 * on its command line (cc -DFUZZ_PDU_GEN -DMXC_STATIC fuzz_pdu.c
 * -Iinclude -Ibuild/include build/libmatrix-core.a -lsodium -lcrypto -lm;
 * ./a.out corpus/pdu). With -DFUZZ_PDU_DEBUG (and replay.c) each
 * verdict is printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>
#include <matrix-core/backend.h>
#include <matrix-core/keyring.h>
#include <matrix-core/pdu.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TS 1700000000000LL
#define NEV 9
#define ALICE "@alice:a.test"
#define BOB "@bob:b.test"
#define CAROL "@carol:c.test"
#define DAVE "@dave:b.test"

static const char *const versions[] = {"10", "11", "12"};
static const char *const servers[] = {"a.test", "b.test", "c.test"};
enum { A, B, C, POLICY, NKEYS };

typedef struct room {
	const mxc_room_version *rv;
	char room_id[80];
	char *json[NEV];
	char id[NEV][80];
	int depth;
} room;

static mxc_signing_key *keys[NKEYS];
static mxc_keyring *ring;
static room rooms[3];

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_pdu: %s\n", what);
	abort();
}

static char *
canonical(const mxc_json *j)
{
	mxc_buf b = MXC_BUF_INIT;
	if (mxc_json_canonical(&b, j, NULL))
		die("canonical");
	return b.data;
}

static void
keys_init(void)
{
	static const char *const ids[] = {"ed25519:a", "ed25519:b",
	                                  "ed25519:c", "ed25519:policy_server"};
	if (mxc_init())
		die("init");
	for (int i = 0; i < NKEYS; i++) {
		uint8_t seed[32];
		memset(seed, 0x11 * (i + 1), sizeof seed);
		if (mxc_signing_key_new(&keys[i], seed, 32, ids[i], NULL, NULL))
			die("key");
	}
	if (mxc_keyring_new(&ring, NULL, NULL))
		die("keyring");
	for (int i = A; i <= C; i++) {
		mxc_json *doc = NULL;
		const mxc_signing_key *k = keys[i];
		if (mxc_server_keys_build(&doc, servers[i], &k, 1, NULL, 0,
		                          TS + 86400000LL, NULL, NULL))
			die("key document");
		char *t = canonical(doc);
		if (mxc_keyring_add_json(ring, t, strlen(t), servers[i], NULL,
		                         MXC_TS_NONE, TS, NULL))
			die("keyring add");
		free(t);
		mxc_json_free(doc);
	}
}

/* JSON array of event IDs (in v12 without the create event when
 * `drop_create`). */
static void
id_array(char *out, size_t size, const room *r, const char *const *ids,
         size_t n, int drop_create)
{
	size_t l = (size_t)snprintf(out, size, "[");
	for (size_t i = 0; i < n; i++) {
		if (drop_create && !strcmp(ids[i], r->id[0]))
			continue;
		l += (size_t)snprintf(out + l, size - l, "%s\"%s\"",
		                      l > 1 ? "," : "", ids[i]);
	}
	snprintf(out + l, size - l, "]");
}

/* Build an event signed by `signer` (and by c.test's policy key when
 * `policy`); its canonical JSON (malloc'd) and ID. `key` overrides the
 * signer's key (a forgery) when not NULL. */
static char *
mk(room *r, char *id_out, int signer, const mxc_signing_key *key,
   const char *type, const char *state_key, const char *sender,
   const char *content, const char *const *prevs, size_t np,
   const char *const *auths, size_t na, int policy)
{
	char prev[1024], auth[1024], sk[300] = "", rid[120] = "", text[4096];
	int v12 = mxc_room_version_room_id_from_create(r->rv);
	int is_create = !strcmp(type, "m.room.create");
	id_array(prev, sizeof prev, r, prevs, np, 0);
	id_array(auth, sizeof auth, r, auths, na, v12);
	if (state_key)
		snprintf(sk, sizeof sk, "\"state_key\":\"%s\",", state_key);
	if (!(v12 && is_create))
		snprintf(rid, sizeof rid, "\"room_id\":\"%s\",", r->room_id);
	int depth = ++r->depth;
	snprintf(text, sizeof text,
	         "{\"type\":\"%s\",%s%s\"sender\":\"%s\",\"content\":%s,"
	         "\"prev_events\":%s,\"auth_events\":%s,\"depth\":%d,"
	         "\"origin_server_ts\":%lld,\"hashes\":{},\"signatures\":{}}",
	         type, sk, rid, sender, content, prev, auth, depth,
	         (long long)TS + depth);
	mxc_json *j = NULL, *s1 = NULL, *s2 = NULL;
	if (mxc_json_parse(&j, text, strlen(text), 0, NULL, NULL))
		die("parse built event");
	if (mxc_event_sign_json(&s1, r->rv, j, servers[signer],
	                        key ? key : keys[signer], NULL, NULL))
		die("sign");
	if (policy) {
		if (mxc_event_sign_json(&s2, r->rv, s1, servers[C],
		                        keys[POLICY], NULL, NULL))
			die("policy sign");
		mxc_json_free(s1);
		s1 = s2;
	}
	mxc_buf b = MXC_BUF_INIT;
	if (mxc_event_id_json(&b, r->rv, s1, NULL))
		die("event ID");
	snprintf(id_out, 80, "%s", b.data);
	mxc_buf_dispose(&b);
	if (is_create && v12)
		snprintf(r->room_id, sizeof r->room_id, "!%s", id_out + 1);
	char *out = canonical(s1);
	mxc_json_free(j);
	mxc_json_free(s1);
	return out;
}

static void
room_build(room *r, int vi)
{
	r->rv = mxc_room_version_find(versions[vi], strlen(versions[vi]));
	if (!r->rv)
		die("version");
	snprintf(r->room_id, sizeof r->room_id, "!room:a.test");
	char cc[128], pol[200];
	snprintf(cc, sizeof cc, "{\"creator\":\"%s\",\"room_version\":\"%s\"}",
	         ALICE, versions[vi]);
	uint8_t pub[32];
	mxc_buf b64 = MXC_BUF_INIT;
	if (mxc_signing_key_public(pub, keys[POLICY]) ||
	    mxc_base64_encode(&b64, pub, 32, 0))
		die("policy key");
	snprintf(pol, sizeof pol, "{\"via\":\"c.test\","
	         "\"public_keys\":{\"ed25519\":\"%s\"}}", b64.data);
	mxc_buf_dispose(&b64);
	char (*id)[80] = r->id;
	const char *p[1], *a[4];
	r->json[0] = mk(r, id[0], A, NULL, "m.room.create", "", ALICE, cc,
	                NULL, 0, NULL, 0, 0);
	p[0] = a[0] = id[0];
	r->json[1] = mk(r, id[1], A, NULL, "m.room.member", ALICE, ALICE,
	                "{\"membership\":\"join\"}", p, 1, a, 1, 0);
	p[0] = a[1] = id[1];
	r->json[2] = mk(r, id[2], A, NULL, "m.room.power_levels", "", ALICE,
	                "{\"users\":{\"@alice:a.test\":100},"
	                "\"events\":{\"m.room.topic\":0}}", p, 1, a, 2, 0);
	p[0] = a[2] = id[2];
	r->json[3] = mk(r, id[3], A, NULL, "m.room.join_rules", "", ALICE,
	                "{\"join_rule\":\"public\"}", p, 1, a, 3, 0);
	/* joins cite create, power levels, join rules */
	p[0] = id[3];
	a[1] = id[2];
	a[2] = id[3];
	r->json[4] = mk(r, id[4], B, NULL, "m.room.member", BOB, BOB,
	                "{\"membership\":\"join\"}", p, 1, a, 3, 0);
	p[0] = id[4];
	r->json[5] = mk(r, id[5], C, NULL, "m.room.member", CAROL, CAROL,
	                "{\"membership\":\"join\"}", p, 1, a, 3, 0);
	p[0] = id[5];
	r->json[6] = mk(r, id[6], B, NULL, "m.room.member", DAVE, DAVE,
	                "{\"membership\":\"join\"}", p, 1, a, 3, 0);
	/* alice bans dave: create, power levels, alice's and dave's
	 * memberships */
	p[0] = id[6];
	const char *ab[4] = {id[0], id[2], id[1], id[6]};
	r->json[7] = mk(r, id[7], A, NULL, "m.room.member", DAVE, ALICE,
	                "{\"membership\":\"ban\"}", p, 1, ab, 4, 0);
	p[0] = id[7];
	const char *ap[3] = {id[0], id[2], id[1]};
	r->json[8] = mk(r, id[8], A, NULL, "m.room.policy", "", ALICE, pol, p,
	                1, ap, 3, 0);
}

static void
setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	keys_init();
	for (int i = 0; i < 3; i++)
		room_build(&rooms[i], i);
}

#ifndef FUZZ_PDU_GEN

static int
is_fixed(const room *r, const char *id)
{
	for (int i = 0; i < NEV; i++)
		if (!strcmp(r->id[i], id))
			return 1;
	return 0;
}

/* Nothing changed in the context: the same events, none rejected. */
static void
unchanged(const room *r, const mxc_ctx *ctx)
{
	if (mxc_ctx_event_count(ctx) != NEV)
		die("context changed (event count)");
	for (int i = 0; i < NEV; i++)
		if (mxc_ctx_is_rejected(ctx, r->id[i], strlen(r->id[i])))
			die("context changed (rejected set)");
}

/* An event accepted or soft failed: a valid PDU of the room's version,
 * its ID computed from its JSON, of the room, held by the context. */
static void
valid_pdu(const room *r, const mxc_ctx *ctx, const mxc_event *ev)
{
	char *text = canonical(mxc_event_json(ev));
	mxc_event *again = NULL;
	if (mxc_event_parse(&again, r->rv, text, strlen(text), 0, NULL,
	                    NULL))
		die("accepted event is not a valid PDU");
	mxc_buf b = MXC_BUF_INIT;
	if (mxc_event_id_json(&b, r->rv, mxc_event_json(ev), NULL))
		die("accepted event has no ID");
	size_t idl;
	const char *id = mxc_event_id(ev, &idl);
	if (b.len != idl || memcmp(b.data, id, idl))
		die("event ID differs from mxc_event_id_json");
	if (strcmp(mxc_event_id(again, NULL), id))
		die("event ID differs after a strict parse");
	mxc_buf_dispose(&b);
	mxc_event_free(again);
	free(text);
	if (strcmp(mxc_event_type(ev, NULL), "m.room.create")) {
		size_t rl;
		const char *rid = mxc_event_room_id(ev, &rl);
		if (!rid || rl != strlen(r->room_id) ||
		    memcmp(rid, r->room_id, rl))
			die("accepted event of another room");
	}
	if (!mxc_ctx_get_event(ctx, id, idl))
		die("accepted event not held by the context");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	setup();
	const room *r = &rooms[data[0] % 3];
	unsigned flags = data[0] / 3u;
	int policy = flags & 1, no_current = flags & 2;
	/* a private copy, to see that the call does not write it */
	size_t len = size - 1;
	char *pdu = malloc(len ? len : 1), *orig = malloc(len ? len : 1);
	if (!pdu || !orig)
		die("nomem");
	memcpy(pdu, data + 1, len);
	memcpy(orig, data + 1, len);

	mxc_ctx *ctx = NULL;
	if (mxc_ctx_new(&ctx, r->rv, 0, NULL, NULL))
		die("ctx");
	for (int i = 0; i < NEV; i++)
		if (mxc_ctx_add_event(ctx, r->json[i], strlen(r->json[i]),
		                      NULL))
			die("room event");
	/* current state: create, alice, power levels, join rules, bob,
	 * carol, dave banned, [policy] */
	const char *cur[8] = {r->id[0], r->id[1], r->id[2], r->id[3],
	                      r->id[4], r->id[5], r->id[7], r->id[8]};
	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	if (!no_current) {
		opt.current_state = cur;
		opt.n_current_state = policy ? 8 : 7;
	}
	opt.origin = "b.test";
	if (flags & 4)
		opt.now_ts = TS + 1000;

	mxc_pdu_result *res = NULL;
	mxc_error err = {0};
	int rc = mxc_pdu_check(&res, ctx, ring, &opt, pdu, len, &err);
	if (memcmp(pdu, orig, len))
		die("input changed");
#ifdef FUZZ_PDU_DEBUG
	if (rc)
		fprintf(stderr, "%s: %s\n", mxc_strerror(rc), err.message);
#endif
	if (rc == MXC_ERR_NEED_INPUT) {
		if (res)
			die("result on NEED_INPUT");
		if (!mxc_ctx_missing_count(ctx) &&
		    !mxc_keyring_missing_count(ring))
			die("NEED_INPUT with nothing missing");
		unchanged(r, ctx);
	} else if (rc != MXC_OK) {
		fprintf(stderr, "status %s: %s (%s)\n", mxc_strerror(rc),
		        err.message, err.subject);
		die("unexpected status");
	} else {
		if (!res)
			die("no result");
		int out = mxc_pdu_result_outcome(res);
		int step = mxc_pdu_result_step(res);
		int st = mxc_pdu_result_status(res);
		int red = mxc_pdu_result_redacted(res);
		const char *why = mxc_pdu_result_reason(res);
		const mxc_event *ev = mxc_pdu_result_event(res);
		const mxc_state *after = mxc_pdu_result_state_after(res);
#ifdef FUZZ_PDU_DEBUG
		fprintf(stderr, "%s step %d redacted %d: %s\n",
		        mxc_pdu_outcome_name(out), step, red, why);
#endif
		if (!mxc_pdu_outcome_name(out) || !why)
			die("unknown outcome");
		if (red && !ev)
			die("redacted without an event");
		size_t idl = 0;
		const char *id = ev ? mxc_event_id(ev, &idl) : NULL;
		switch (out) {
		case MXC_PDU_ACCEPTED:
		case MXC_PDU_SOFT_FAILED:
			if (!ev || !after)
				die("accepted without event or state");
			if (out == MXC_PDU_ACCEPTED &&
			    (st != MXC_OK ||
			     step != (red ? MXC_PDU_STEP_HASHES : 0) ||
			     (!red && why[0])))
				die("accepted: step, status or reason");
			if (out == MXC_PDU_SOFT_FAILED &&
			    (no_current ||
			     (step != MXC_PDU_STEP_CURRENT_STATE &&
			      step != MXC_PDU_STEP_POLICY_SERVER) ||
			     (step == MXC_PDU_STEP_POLICY_SERVER && !policy) ||
			     st == MXC_OK || !why[0]))
				die("soft failed: step, status or reason");
			valid_pdu(r, ctx, ev);
			if (mxc_ctx_is_rejected(ctx, id, idl))
				die("accepted event recorded as rejected");
			if (mxc_event_is_state(ev)) {
				size_t tl, kl;
				const char *t = mxc_event_type(ev, &tl);
				const char *k = mxc_event_state_key(ev, &kl);
				const char *s = mxc_state_get(after, t, tl, k,
				                              kl, NULL);
				if (!s || strcmp(s, id))
					die("state after lacks the event");
			}
			break;
		case MXC_PDU_REJECTED:
			if (!ev || (step != MXC_PDU_STEP_AUTH_EVENTS &&
			            step != MXC_PDU_STEP_STATE_BEFORE) ||
			    (st != MXC_ERR_AUTH_REJECTED &&
			     st != MXC_ERR_BAD_EVENT) || !why[0])
				die("rejected: step, status or reason");
			if (!mxc_ctx_get_event(ctx, id, idl) ||
			    !mxc_ctx_is_rejected(ctx, id, idl))
				die("rejected event not recorded");
			if (after && mxc_event_is_state(ev) &&
			    !is_fixed(r, id)) {
				size_t tl, kl;
				const char *t = mxc_event_type(ev, &tl);
				const char *k = mxc_event_state_key(ev, &kl);
				const char *s = mxc_state_get(after, t, tl, k,
				                              kl, NULL);
				if (s && !strcmp(s, id))
					die("rejected event in state after");
			}
			break;
		case MXC_PDU_DROPPED:
			if ((step != MXC_PDU_STEP_FORMAT &&
			     step != MXC_PDU_STEP_SIGNATURES) || st == MXC_OK ||
			    (red && step != MXC_PDU_STEP_FORMAT) || after ||
			    !why[0])
				die("dropped: step, status or reason");
			if (step == MXC_PDU_STEP_SIGNATURES && !ev)
				die("dropped at step 2 without the event");
			unchanged(r, ctx);
			break;
		default:
			die("unknown outcome");
		}
	}
	mxc_pdu_result_free(res);
	mxc_ctx_free(ctx);
	free(pdu);
	free(orig);
	return 0;
}

#else /* FUZZ_PDU_GEN: write the seed corpus */

static void
put(const char *dir, const char *name, int vi, unsigned flags,
    const char *json)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/v%s-%s", dir, versions[vi], name);
	FILE *f = fopen(path, "wb");
	if (!f)
		die(path);
	fputc((int)(flags * 3 + (unsigned)vi), f);
	fputs(json, f);
	fclose(f);
}

/* Replace the first occurrence of `from` with `to` (same length). */
static void
tamper(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from);
	if (!p || strlen(from) != strlen(to))
		die("tamper");
	memcpy(p, to, strlen(to));
}

int
main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: gen DIR");
	setup();
	for (int vi = 0; vi < 3; vi++) {
		room *r = &rooms[vi];
		char (*id)[80] = r->id, x[80];
		char *j;
		const char *p[1] = {id[8]};
		const char *bob[3] = {id[0], id[2], id[4]};
		const char *msg = "{\"msgtype\":\"m.text\",\"body\":\"hello\"}";
		/* valid message by bob after the policy event */
		j = mk(r, x, B, NULL, "m.room.message", NULL, BOB, msg, p, 1,
		       bob, 3, 0);
		put(argv[1], "valid", vi, 0, j);
		put(argv[1], "no-current-state", vi, 2, j);
		/* without the Policy Server's signature: soft failed */
		put(argv[1], "policy-unsigned", vi, 1, j);
		/* hashed content changed: redacted, then accepted */
		tamper(j, "hello", "jello");
		put(argv[1], "tampered", vi, 0, j);
		free(j);
		/* Policy Server signed: accepted with the policy */
		j = mk(r, x, B, NULL, "m.room.message", NULL, BOB, msg, p, 1,
		       bob, 3, 1);
		put(argv[1], "policy-signed", vi, 5, j);
		free(j);
		/* forged: b.test's key ID, another key */
		mxc_signing_key *forged = NULL;
		uint8_t seed[32];
		memset(seed, 0x77, sizeof seed);
		if (mxc_signing_key_new(&forged, seed, 32, "ed25519:b", NULL,
		                        NULL))
			die("forged key");
		j = mk(r, x, B, forged, "m.room.message", NULL, BOB, msg, p,
		       1, bob, 3, 0);
		mxc_signing_key_free(forged);
		put(argv[1], "forged", vi, 0, j);
		free(j);
		/* no sender membership among the auth events: rejected */
		j = mk(r, x, B, NULL, "m.room.message", NULL, BOB, msg, p, 1,
		       bob, 2, 0);
		put(argv[1], "rejected-auth-events", vi, 0, j);
		free(j);
		/* bob (power 0) sets the power levels: rejected by its auth
		 * events */
		const char *bs[3] = {id[0], id[2], id[4]};
		j = mk(r, x, B, NULL, "m.room.power_levels", "", BOB,
		       "{\"users\":{\"@bob:b.test\":100}}", p, 1, bs, 3, 0);
		put(argv[1], "power-levels-by-bob", vi, 0, j);
		free(j);
		/* dave after his ban, citing his join: rejected against the
		 * state before */
		const char *da[3] = {id[0], id[2], id[6]};
		j = mk(r, x, B, NULL, "m.room.message", NULL, DAVE, msg, p, 1,
		       da, 3, 0);
		put(argv[1], "rejected-state-before", vi, 0, j);
		free(j);
		/* a topic by bob (m.room.topic at 0): accepted state event */
		j = mk(r, x, B, NULL, "m.room.topic", "", BOB,
		       "{\"topic\":\"t\"}", p, 1, bs, 3, 0);
		put(argv[1], "topic", vi, 4, j);
		free(j);
		/* dave, before his ban: soft failed by the current state */
		const char *dp[1] = {id[6]};
		j = mk(r, x, B, NULL, "m.room.message", NULL, DAVE, msg, dp, 1,
		       da, 3, 0);
		put(argv[1], "soft-failed-ban", vi, 0, j);
		free(j);
		/* a prev event nobody has: needs input */
		const char *mp[1] = {
			"$nosuchevent00000000000000000000000000000000"};
		j = mk(r, x, B, NULL, "m.room.message", NULL, BOB, msg, mp, 1,
		       bob, 3, 0);
		put(argv[1], "missing-prev", vi, 0, j);
		free(j);
		/* an event of the room itself, sent again */
		put(argv[1], "resent-join", vi, 0, r->json[5]);
		/* the same with unsigned data added */
		size_t n = strlen(r->json[5]);
		j = malloc(n + 32);
		memcpy(j, r->json[5], n - 1);
		strcpy(j + n - 1, ",\"unsigned\":{\"age\":5}}");
		put(argv[1], "resent-join-unsigned", vi, 0, j);
		/* the same with its hashed content changed */
		memcpy(j, r->json[5], n + 1);
		tamper(j, "\"join\"", "\"jxin\"");
		put(argv[1], "resent-join-tampered", vi, 0, j);
		free(j);
	}
	return 0;
}
#endif
