/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Batch ops on events: content_hash, reference_hash, event_id, room_id,
 * redact, sign_event, verify_event. They apply their algorithm to whatever
 * object they are given (the spec's own examples are not complete PDUs);
 * a room version of 6 or later holds the object's numbers to canonical
 * JSON's rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The `event` object, checked against the version's number rules. */
static const mxc_json *
req_event(const mxc_json *req, const mxc_room_version *rv, cli_reply *r)
{
	const mxc_json *ev = req_field(req, "event", MXC_JSON_OBJECT, true, r);
	if (!ev)
		return NULL;
	mxc_error err;
	int rc;
	if (rv && mxc_room_version_strict_canonical_json(rv) &&
	    (rc = mxc_json_check_canonical_numbers(ev, &err))) {
		reply_status(r, rc, &err, "event");
		return NULL;
	}
	return ev;
}

static void
put_b64(cli_reply *r, const uint8_t *p, size_t n, unsigned flags,
        const char *prefix)
{
	mxc_buf b = MXC_BUF_INIT;
	if (mxc_base64_encode(&b, p, n, flags) == MXC_OK) {
		sb_adds(&r->result, "\"");
		sb_adds(&r->result, prefix);
		sb_add(&r->result, b.data, b.len);
		sb_adds(&r->result, "\"");
	}
	mxc_buf_dispose(&b);
}

int
op_content_hash(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = NULL;
	if (mxc_json_getz(req, "room_version") &&
	    !(rv = req_room_version(req, true, r)))
		return -1;
	const mxc_json *ev = req_event(req, rv, r);
	if (!ev)
		return -1;
	uint8_t h[MXC_SHA256_BYTES];
	mxc_error err;
	int rc = mxc_event_content_hash_json(h, rv, ev, &err);
	if (rc)
		return reply_status(r, rc, &err, "event");
	put_b64(r, h, sizeof h, 0, "");
	return 0;
}

int
op_reference_hash(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *ev = rv ? req_event(req, rv, r) : NULL;
	if (!ev)
		return -1;
	uint8_t h[MXC_SHA256_BYTES];
	mxc_error err;
	int rc = mxc_event_reference_hash_json(h, rv, ev, &err);
	if (rc)
		return reply_status(r, rc, &err, "event");
	/* v4 and later write hashes in the URL-safe alphabet */
	unsigned flags = mxc_room_version_event_format(rv) >= MXC_EVENT_FORMAT_V4
	                         ? MXC_BASE64_URLSAFE
	                         : 0;
	put_b64(r, h, sizeof h, flags, "");
	return 0;
}

int
op_event_id(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *ev = rv ? req_event(req, rv, r) : NULL;
	if (!ev)
		return -1;
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_event_id_json(&out, rv, ev, &err);
	if (rc == MXC_OK)
		sb_json_str(&r->result, out.data, out.len);
	mxc_buf_dispose(&out);
	return rc ? reply_status(r, rc, &err, "event") : 0;
}

int
op_room_id(const mxc_json *req, cli_reply *r)
{
	/* room IDs derived from the create event: room version 12 */
	const mxc_room_version *rv = mxc_room_version_find("12", 2);
	const mxc_json *ev = req_event(req, rv, r);
	if (!ev)
		return -1;
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_event_room_id_json(&out, rv, ev, &err);
	if (rc == MXC_OK)
		sb_json_str(&r->result, out.data, out.len);
	mxc_buf_dispose(&out);
	return rc ? reply_status(r, rc, &err, "event") : 0;
}

int
op_redact(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *ev = rv ? req_event(req, rv, r) : NULL;
	if (!ev)
		return -1;
	mxc_json *out = NULL;
	mxc_error err;
	int rc = mxc_event_redact_json(&out, rv, ev, NULL, &err);
	if (rc == MXC_OK)
		rc = sb_json_value(&r->result, out, &err);
	mxc_json_free(out);
	return rc ? reply_status(r, rc, &err, "event") : 0;
}

int
op_sign_event(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *ev = rv ? req_event(req, rv, r) : NULL;
	if (!ev)
		return -1;
	size_t slen;
	const char *server = req_string(req, "server_name", &slen, true, r);
	if (!server)
		return -1;
	if (strlen(server) != slen)
		return reply_fail(r, "bad_request", "server_name contains NUL");
	mxc_signing_key *key = req_signing_key(req, r);
	if (!key)
		return -1;
	mxc_json *out = NULL;
	mxc_error err;
	int rc = mxc_event_sign_json(&out, rv, ev, server, key, NULL, &err);
	mxc_signing_key_free(key);
	if (rc == MXC_OK)
		rc = sb_json_value(&r->result, out, &err);
	mxc_json_free(out);
	return rc ? reply_status(r, rc, &err, "event") : 0;
}

void
cli_keys_free(cli_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->storage[i]);
	free(k->storage);
	free(k->keys);
	memset(k, 0, sizeof *k);
}

int
req_keys(const mxc_json *req, cli_keys *k, cli_reply *r)
{
	memset(k, 0, sizeof *k);
	const mxc_json *keys = mxc_json_getz(req, "keys");
	if (!keys)
		return 0;
	if (mxc_json_get_type(keys) != MXC_JSON_OBJECT)
		return reply_fail(r, "bad_request", "field \"keys\" must be an "
		                  "object {server: {key_id: key}}");
	size_t total = 0;
	for (size_t i = 0; i < mxc_json_size(keys); i++) {
		const mxc_json *srv = mxc_json_member(keys, i, NULL, NULL);
		if (mxc_json_get_type(srv) != MXC_JSON_OBJECT)
			return reply_fail(r, "bad_request", "keys: each server "
			                  "maps key IDs to keys");
		total += mxc_json_size(srv);
	}
	k->keys = calloc(total ? total : 1, sizeof *k->keys);
	k->storage = calloc(total ? total : 1, sizeof *k->storage);
	for (size_t i = 0; i < mxc_json_size(keys); i++) {
		const char *server;
		size_t server_len;
		const mxc_json *srv =
			mxc_json_member(keys, i, &server, &server_len);
		for (size_t j = 0; j < mxc_json_size(srv); j++) {
			const char *kid;
			size_t kid_len;
			const mxc_json *kv = mxc_json_member(srv, j, &kid, &kid_len);
			const char *b64 = NULL;
			size_t b64_len = 0;
			int64_t until = MXC_TS_NONE, expired = MXC_TS_NONE;
			if (mxc_json_get_type(kv) == MXC_JSON_STRING) {
				b64 = mxc_json_get_string(kv, &b64_len);
			} else if (mxc_json_get_type(kv) == MXC_JSON_OBJECT) {
				b64 = req_string(kv, "key", &b64_len, true, r);
				if (!b64 || req_int(kv, "valid_until_ts", &until, r) < 0 ||
				    req_int(kv, "expired_ts", &expired, r) < 0) {
					cli_keys_free(k);
					return -1;
				}
			} else {
				cli_keys_free(k);
				return reply_fail(r, "bad_request", "keys: a key is "
				                  "a base64 string or {\"key\": ...}");
			}
			if (strlen(server) != server_len || strlen(kid) != kid_len)
				continue; /* cannot name a real server or key */
			/* storage: the decoded key; a key that does not decode
			 * is kept with no bytes and so never verifies */
			mxc_buf dec = MXC_BUF_INIT;
			if (mxc_base64_decode(&dec, b64, b64_len, 0, NULL) != MXC_OK)
				dec.len = 0;
			size_t key_len = dec.len;
			uint8_t *bytes = malloc(key_len ? key_len : 1);
			if (key_len)
				memcpy(bytes, dec.data, key_len);
			mxc_buf_dispose(&dec);
			k->storage[k->n] = bytes;
			mxc_event_key *ek = &k->keys[k->n++];
			ek->server_name = server;
			ek->key_id = kid;
			ek->public_key = bytes;
			ek->public_key_len = key_len;
			ek->valid_until_ts = until;
			ek->expired_ts = expired;
		}
	}
	return 0;
}

int
op_verify_event(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *ev = rv ? req_event(req, rv, r) : NULL;
	if (!ev)
		return -1;
	if (!req_field(req, "keys", MXC_JSON_OBJECT, true, r))
		return -1;
	int64_t now = MXC_TS_NONE;
	if (req_int(req, "now_ts", &now, r) < 0)
		return -1;
	cli_keys keys;
	if (req_keys(req, &keys, r))
		return -1;
	mxc_event_verdict v;
	mxc_error err;
	int rc = mxc_event_verify_json(&v, rv, ev, keys.keys, keys.n, now, &err);
	cli_keys_free(&keys);
	if (rc)
		return reply_status(r, rc, &err, "event");
	sb_printf(&r->result, "{\"signatures_valid\":%s,\"hash_valid\":%s",
	          v.signatures_valid ? "true" : "false",
	          v.hash_valid ? "true" : "false");
	if (!v.signatures_valid || !v.hash_valid) {
		char reason[400];
		if (!v.signatures_valid && !v.hash_valid)
			snprintf(reason, sizeof reason, "%s; %s", v.signatures_reason,
			         v.hash_reason);
		else
			snprintf(reason, sizeof reason, "%s",
			         v.signatures_valid ? v.hash_reason
			                            : v.signatures_reason);
		sb_adds(&r->result, ",\"reason\":");
		sb_json_str(&r->result, reason, strlen(reason));
	}
	sb_adds(&r->result, "}");
	return 0;
}
