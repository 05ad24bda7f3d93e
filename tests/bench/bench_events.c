/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmarks of the event layer on core.json's hash_events: content hash
 * (from the parsed value, as the peers do), event ID (parse from bytes plus
 * reference hash), reference hash of a parsed event, signing an event
 * (hash, redact, sign) and verifying one (signatures and hash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct ev_ctx {
	const mxc_room_version *rv;
	const mxc_json *pdu;
	const char *text;
	size_t len;
	mxc_event *ev;
	uint8_t hash[32];
	const mxc_signing_key *key;
	const char *server;
	mxc_json *unsigned_pdu;
	mxc_json *signed_pdu;
	mxc_event_key vkey;
	mxc_event_verdict verdict;
} ev_ctx;

static void
do_content_hash(void *p)
{
	ev_ctx *c = p;
	int rc = mxc_event_content_hash_json(c->hash, c->rv, c->pdu, NULL);
	if (rc)
		bench_die("content hash", rc, NULL);
}

static void
do_event_id(void *p)
{
	ev_ctx *c = p;
	mxc_event *ev = NULL;
	mxc_error err;
	int rc = mxc_event_parse(&ev, c->rv, c->text, c->len, 0, NULL, &err);
	if (rc)
		bench_die("event parse", rc, &err);
	size_t n;
	if (!mxc_event_id(ev, &n) || n < 2)
		bench_die("event id", MXC_ERR_BAD_EVENT, NULL);
	mxc_event_free(ev);
}

/* Recomputed from the parsed value each time (redaction view, canonical
 * JSON, SHA-256): a parsed mxc_event caches its reference hash, which
 * would time a copy. */
static void
do_reference_hash(void *p)
{
	ev_ctx *c = p;
	int rc = mxc_event_reference_hash_json(c->hash, c->rv, c->pdu, NULL);
	if (rc)
		bench_die("reference hash", rc, NULL);
}

static void
do_sign_event(void *p)
{
	ev_ctx *c = p;
	mxc_json_free(c->signed_pdu);
	c->signed_pdu = NULL;
	int rc = mxc_event_sign_json(&c->signed_pdu, c->rv, c->unsigned_pdu,
	                             c->server, c->key, NULL, NULL);
	if (rc)
		bench_die("sign event", rc, NULL);
}

static void
do_verify_event(void *p)
{
	ev_ctx *c = p;
	int rc = mxc_event_verify_json(&c->verdict, c->rv, c->pdu, &c->vkey, 1,
	                               MXC_TS_NONE, NULL);
	if (rc || !c->verdict.signatures_valid || !c->verdict.hash_valid)
		bench_die("verify event", rc ? rc : MXC_ERR_BAD_SIGNATURE, NULL);
}

/* A copy of the PDU without hashes, signatures and unsigned, as the
 * rocketchat driver signs it. */
static mxc_json *
strip_for_signing(const mxc_json *pdu)
{
	size_t n;
	char *text = bench_canonical(pdu, &n);
	mxc_json *v = NULL;
	if (mxc_json_parse(&v, text, n, MXC_JSON_LENIENT_NUMBERS, NULL, NULL))
		bench_die("reparse", MXC_ERR_JSON_SYNTAX, NULL);
	free(text);
	/* rebuild without the three keys through canonical text */
	char *buf = NULL;
	size_t bl = 0;
	FILE *f = open_memstream(&buf, &bl);
	fputc('{', f);
	int first = 1;
	for (size_t i = 0; i < mxc_json_size(v); i++) {
		const char *k;
		size_t kl;
		const mxc_json *m = mxc_json_member(v, i, &k, &kl);
		if ((kl == 6 && !memcmp(k, "hashes", 6)) ||
		    (kl == 10 && !memcmp(k, "signatures", 10)) ||
		    (kl == 8 && !memcmp(k, "unsigned", 8)))
			continue;
		size_t ml;
		char *mt = bench_canonical(m, &ml);
		fprintf(f, "%s\"%.*s\":%s", first ? "" : ",", (int)kl, k, mt);
		free(mt);
		first = 0;
	}
	fputc('}', f);
	fclose(f);
	mxc_json_free(v);
	mxc_json *out = NULL;
	if (mxc_json_parse(&out, buf, bl, MXC_JSON_LENIENT_NUMBERS, NULL, NULL))
		bench_die("strip", MXC_ERR_JSON_SYNTAX, NULL);
	free(buf);
	return out;
}

static char *
quoted(const char *s)
{
	size_t n = strlen(s);
	char *q = malloc(n + 3);
	snprintf(q, n + 3, "\"%s\"", s);
	return q;
}

void
bench_core_events(const mxc_json *in)
{
	const char *rv_id = bench_str(in, "room_version");
	const mxc_room_version *rv = mxc_room_version_find(rv_id, strlen(rv_id));
	if (!rv)
		bench_die("room_version", MXC_ERR_UNKNOWN_ROOM_VERSION, NULL);
	const mxc_json *s = mxc_json_getz(in, "signing");
	const char *seed = bench_str(s, "seed_b64");
	const char *server = bench_str(s, "server_name");
	const char *kid = bench_str(s, "key_id");
	mxc_signing_key *key = NULL;
	mxc_error err;
	int rc = mxc_signing_key_from_base64(&key, seed, strlen(seed), kid, NULL,
	                                     &err);
	if (rc)
		bench_die("signing key", rc, &err);
	uint8_t pub[32];
	mxc_signing_key_public(pub, key);

	const mxc_json *hev = mxc_json_getz(in, "hash_events");
	for (size_t i = 0; i < mxc_json_size(hev); i++) {
		const mxc_json *h = mxc_json_at(hev, i);
		const char *name = bench_str(h, "name");
		ev_ctx c = {0};
		c.rv = rv;
		c.pdu = mxc_json_getz(h, "event");
		c.text = bench_unsorted_text(c.pdu, &c.len);
		c.key = key;
		c.server = server;

		do_content_hash(&c);
		char *b = bench_b64(c.hash, 32, 0), *q = quoted(b);
		bench_run("content_hash", name, do_content_hash, &c, q, 0, 0);
		free(b);
		free(q);

		rc = mxc_event_parse(&c.ev, rv, c.text, c.len, 0, NULL, &err);
		if (rc)
			bench_die("event parse", rc, &err);
		q = quoted(mxc_event_id(c.ev, NULL));
		bench_run("event_id(parse+reference_hash)", name, do_event_id, &c,
		          q, 0, 0);
		free(q);

		do_reference_hash(&c);
		b = bench_b64(c.hash, 32, MXC_BASE64_URLSAFE);
		char ref[64];
		snprintf(ref, sizeof ref, "\"$%s\"", b);
		bench_run("reference_hash", name, do_reference_hash, &c, ref, 0, 0);
		free(b);

		c.unsigned_pdu = strip_for_signing(c.pdu);
		do_sign_event(&c);
		const mxc_json *hashes = mxc_json_getz(c.signed_pdu, "hashes");
		const mxc_json *sigs = mxc_json_getz(c.signed_pdu, "signatures");
		size_t hl, sl;
		char *ht = bench_canonical(hashes, &hl);
		char *st = bench_canonical(sigs, &sl);
		char *out = malloc(hl + sl + 40);
		sprintf(out, "{\"hashes\": %s, \"signatures\": %s}", ht, st);
		bench_run("sign_event(hash+redact+sign)", name, do_sign_event, &c,
		          out, 0, 0);
		free(out);
		free(ht);
		free(st);

		c.vkey.server_name = server;
		c.vkey.key_id = kid;
		c.vkey.public_key = pub;
		c.vkey.public_key_len = 32;
		c.vkey.valid_until_ts = MXC_TS_NONE;
		c.vkey.expired_ts = MXC_TS_NONE;
		do_verify_event(&c);
		bench_run("verify_event(signatures+hash)", name, do_verify_event,
		          &c, "true", 0, 0);

		mxc_json_free(c.signed_pdu);
		mxc_json_free(c.unsigned_pdu);
		mxc_event_free(c.ev);
		free((char *)c.text);
	}
	mxc_signing_key_free(key);
}

/* ---- auth checks (core.json "auth") ------------------------------------ */

typedef struct auth_ctx {
	const mxc_event *ev;
	const mxc_auth_state *st;
	int verdict;
} auth_ctx;

static void
do_auth(void *p)
{
	auth_ctx *c = p;
	c->verdict = mxc_auth_check(c->ev, c->st, NULL, 0, MXC_TS_NONE, 0, NULL);
}

void
bench_auth(const mxc_json *in)
{
	const char *rv_id = bench_str(in, "room_version");
	const mxc_room_version *rv = mxc_room_version_find(rv_id, strlen(rv_id));
	const mxc_json *auth = mxc_json_getz(in, "auth");
	const mxc_json *events = mxc_json_getz(auth, "events");
	const mxc_json *checks = mxc_json_getz(auth, "checks");
	size_t n = mxc_json_size(events);
	mxc_event **pool = calloc(n, sizeof *pool);
	mxc_error err;
	int rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = mxc_event_from_json(&pool[i], rv, mxc_json_at(events, i), 0,
		                              NULL, &err)))
			bench_die("auth pool event", rc, &err);
	for (size_t i = 0; i < mxc_json_size(checks); i++) {
		const mxc_json *c = mxc_json_at(checks, i);
		const char *name = bench_str(c, "name");
		mxc_event *ev = NULL;
		if ((rc = mxc_event_from_json(&ev, rv, mxc_json_getz(c, "event"), 0,
		                              NULL, &err)))
			bench_die("auth event", rc, &err);
		if (strcmp(mxc_event_id(ev, NULL), bench_str(c, "event_id")) != 0)
			bench_die("auth event id mismatch", MXC_ERR_BAD_EVENT, NULL);
		/* the state: the event's own auth events, as the peer does */
		const mxc_event *st_evs[16];
		size_t k = 0;
		for (size_t a = 0; a < mxc_event_auth_events_count(ev) && k < 16;
		     a++) {
			size_t al;
			const char *aid = mxc_event_auth_event(ev, a, &al);
			for (size_t j = 0; j < n; j++) {
				size_t jl;
				const char *jid = mxc_event_id(pool[j], &jl);
				if (jl == al && memcmp(jid, aid, al) == 0) {
					st_evs[k++] = pool[j];
					break;
				}
			}
		}
		mxc_auth_state *st = NULL;
		if ((rc = mxc_auth_state_new(&st, st_evs, k, NULL, &err)))
			bench_die("auth state", rc, &err);
		auth_ctx ac = {ev, st, 0};
		rc = mxc_auth_check(ev, st, NULL, 0, MXC_TS_NONE, 0, &err);
		if (rc != MXC_OK && rc != MXC_ERR_AUTH_REJECTED)
			bench_die("auth check", rc, &err);
		char out[512];
		char detail[200];
		snprintf(detail, sizeof detail, "%s",
		         rc == MXC_OK ? "allowed" : err.message);
		for (char *q = detail; *q; q++)
			if (*q == '"' || *q == '\\')
				*q = '\'';
		snprintf(out, sizeof out,
		         "{\"verdict\": \"%s\", \"detail\": \"%s\", \"expect\": "
		         "\"%s\"}",
		         rc == MXC_OK ? "allow" : "deny", detail,
		         bench_str(c, "expect"));
		bench_run("auth_check", name, do_auth, &ac, out, 0, 0);
		mxc_auth_state_free(st);
		mxc_event_free(ev);
	}
	for (size_t i = 0; i < n; i++)
		mxc_event_free(pool[i]);
	free(pool);
}
