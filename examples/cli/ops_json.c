/* SPDX-License-Identifier: Apache-2.0 */
/* Batch ops on plain JSON: canonical, sign_json, verify_json. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
op_canonical(const mxc_json *req, cli_reply *r)
{
	size_t len;
	const char *text = req_string(req, "text", &len, true, r);
	if (!text)
		return -1;
	unsigned flags = 0; /* default: the strictest rules */
	if (mxc_json_getz(req, "room_version")) {
		const mxc_room_version *rv = req_room_version(req, true, r);
		if (!rv)
			return -1;
		if (!mxc_room_version_strict_canonical_json(rv))
			flags = MXC_JSON_LENIENT_NUMBERS;
	}
	mxc_buf out = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_canonical_json(&out, text, len, flags, &err);
	if (rc == MXC_OK)
		sb_json_str(&r->result, out.data, out.len);
	mxc_buf_dispose(&out);
	return rc ? reply_status(r, rc, &err, "text") : 0;
}

int
op_sign_json(const mxc_json *req, cli_reply *r)
{
	const mxc_json *obj = req_field(req, "json", MXC_JSON_OBJECT, true, r);
	if (!obj)
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
	mxc_json *signed_obj = NULL;
	mxc_error err;
	int rc = mxc_json_sign(&signed_obj, obj, server, key, NULL, &err);
	mxc_signing_key_free(key);
	if (rc)
		return reply_status(r, rc, &err, "json");
	rc = sb_json_value(&r->result, signed_obj, &err);
	mxc_json_free(signed_obj);
	return rc ? reply_status(r, rc, &err, "json") : 0;
}

static void
verdict(cli_reply *r, bool valid, const char *reason)
{
	sb_adds(&r->result, valid ? "{\"valid\":true" : "{\"valid\":false");
	if (reason) {
		sb_adds(&r->result, ",\"reason\":");
		sb_json_str(&r->result, reason, strlen(reason));
	}
	sb_adds(&r->result, "}");
}

int
op_verify_json(const mxc_json *req, cli_reply *r)
{
	const mxc_json *obj = req_field(req, "json", MXC_JSON_OBJECT, true, r);
	if (!obj)
		return -1;
	size_t slen, klen, plen;
	const char *server = req_string(req, "server_name", &slen, true, r);
	const char *kid = server ? req_string(req, "key_id", &klen, true, r)
	                         : NULL;
	const char *pub = kid ? req_string(req, "public_key", &plen, true, r)
	                      : NULL;
	if (!pub)
		return -1;
	if (strlen(server) != slen || strlen(kid) != klen)
		return reply_fail(r, "bad_request",
		                  "server_name or key_id contains NUL");
	/* a key that cannot be used is a verdict, not a failed request */
	mxc_buf key = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_base64_decode(&key, pub, plen, 0, &err);
	if (rc) {
		mxc_buf_dispose(&key);
		char reason[300];
		snprintf(reason, sizeof reason, "public_key: %s", err.message);
		verdict(r, false, reason);
		return 0;
	}
	if (key.len != MXC_ED25519_PUBLIC_BYTES) {
		char reason[100];
		snprintf(reason, sizeof reason,
		         "public_key: %zu bytes, an ed25519 key has %d", key.len,
		         MXC_ED25519_PUBLIC_BYTES);
		mxc_buf_dispose(&key);
		verdict(r, false, reason);
		return 0;
	}
	rc = mxc_json_verify(obj, server, kid, (const uint8_t *)key.data,
	                     key.len, &err);
	mxc_buf_dispose(&key);
	if (rc == MXC_OK)
		verdict(r, true, NULL);
	else if (rc == MXC_ERR_BAD_SIGNATURE || rc == MXC_ERR_UNSUPPORTED ||
	         rc == MXC_ERR_BAD_KEY || rc == MXC_ERR_BASE64)
		verdict(r, false, err.message);
	else
		return reply_status(r, rc, &err, "verify_json");
	return 0;
}
