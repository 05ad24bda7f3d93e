/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing and verifying events (server-server API: Signing events,
 * Validating hashes and signatures on received events; rooms/v5: Signing
 * key validity period; v8 auth rule 4.2.1 for restricted joins).
 *
 * Signing: `hashes.sha256` is set to the content hash, then the redacted
 * event (without `signatures` and `unsigned`) is signed. Verifying gives
 * two separate verdicts, signatures and content hash, so that the host can
 * drop an event whose signatures fail and redact one whose hash fails.
 *
 * Room versions 1 to 5 and floats: where an event holds a number whose
 * canonical forms differ (an integral float), a signature or hash over
 * either the spec's form or Python's repr form is accepted; new hashes and
 * signatures use the spec's form.
 */
#include <sodium.h>
#include <stdio.h>

#include "internal.h"

#define SEVEN_DAYS_MS (INT64_C(7) * 24 * 60 * 60 * 1000)

static int
nomem(mxc_error *err)
{
	return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
}

/* ---- signing ----------------------------------------------------------- */

int
mxc_event_sign_json(mxc_json **out, const mxc_room_version *rv,
                    const mxc_json *pdu, const char *server_name,
                    const mxc_signing_key *key, const mxc_allocator *alloc,
                    mxc_error *err)
{
	if (!out || !rv || !pdu || !server_name || !key)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "sign event: NULL argument");
	*out = NULL;
	if (pdu->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "sign event: not a JSON object");
	const mxc_json *old_sigs = mxc_json_getz(pdu, "signatures");
	if (old_sigs && old_sigs->type != MXC_JSON_OBJECT) {
		mxc__err(err, MXC_ERR_JSON_TYPE, "signatures is not an object");
		mxc__err_subject(err, "$.signatures", 12);
		return MXC_ERR_JSON_TYPE;
	}
	size_t sn = strlen(server_name);
	const mxc_json *old_mine =
		old_sigs ? mxc_json_get(old_sigs, server_name, sn) : NULL;
	if (old_mine && old_mine->type != MXC_JSON_OBJECT) {
		mxc__err(err, MXC_ERR_JSON_TYPE,
		         "signatures of the server is not an object");
		mxc__err_subject(err, "$.signatures", 12);
		return MXC_ERR_JSON_TYPE;
	}

	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc_buf bytes = MXC_BUF_INIT;
	mxc_buf_init(&bytes, alloc);
	int rc;

	/* 1. the content hash, set as hashes: {"sha256": ...} (Signing
	 * events: hash_and_sign_event) */
	uint8_t h[32];
	if ((rc = mxc_event_content_hash_json(h, rv, pdu, err)))
		goto done;
	char h64[48];
	size_t h64n = mxc__base64_encode_raw(h64, h, 32, false);
	mxc__json_member *m;
	mxc_json *hashes = mxc__json_new_object(&ar, 1, &m);
	const mxc_json *hv = hashes ? mxc__json_new_string(&ar, h64, h64n)
	                            : NULL;
	if (!hv) {
		rc = nomem(err);
		goto done;
	}
	m[0].key = "sha256";
	m[0].key_len = 6;
	m[0].value = hv;
	const mxc_json *hashed = mxc__json_object_with(&ar, pdu, "hashes",
	                                               hashes);
	/* 2. sign the redacted event without signatures and unsigned */
	const mxc_json *view = hashed ? mxc__reference_view(&ar, rv, hashed)
	                              : NULL;
	if (!view) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = mxc__canonical_buf(&bytes, view, err)))
		goto done;
	uint8_t sig[MXC_ED25519_SIG_BYTES];
	if ((rc = mxc_signing_key_sign(sig, key, bytes.data, bytes.len))) {
		mxc__err(err, rc, "signing failed");
		goto done;
	}
	char sig64[96];
	size_t sig64n = mxc__base64_encode_raw(sig64, sig, sizeof sig, false);

	/* 3. add the signature beside the existing ones */
	const char *key_id = mxc_signing_key_id(key);
	const mxc_json *sv = mxc__json_new_string(&ar, sig64, sig64n);
	const mxc_json *empty = NULL;
	if (!old_mine || !old_sigs) {
		mxc__json_member *em;
		empty = mxc__json_new_object(&ar, 0, &em);
	}
	const mxc_json *mine = sv ? mxc__json_object_with(
					    &ar, old_mine ? old_mine : empty,
					    key_id, sv)
	                          : NULL;
	const mxc_json *sigs = mine ? mxc__json_object_with(
					      &ar, old_sigs ? old_sigs : empty,
					      server_name, mine)
	                            : NULL;
	const mxc_json *signed_ev =
		sigs ? mxc__json_object_with(&ar, hashed, "signatures", sigs)
		     : NULL;
	if (!signed_ev) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = mxc__json_doc_adopt(out, signed_ev, alloc)))
		nomem(err);
done:
	mxc_buf_dispose(&bytes);
	mxc__arena_free(&ar);
	return rc;
}

/* ---- verifying --------------------------------------------------------- */

/* The server name of an ID ("@user:server", "$id:server"): after the
 * first ':'. */
static const char *
id_server(const char *id, size_t n, size_t *len)
{
	const char *c = id ? memchr(id, ':', n) : NULL;
	if (!c)
		return NULL;
	*len = n - (size_t)(c - id) - 1;
	return c + 1;
}

/* Signed bytes of the event in both canonical forms (the Python form only
 * when it differs: v1-v5 events with integral floats). */
typedef struct signed_forms {
	mxc_buf spec, python;
	bool has_python;
} signed_forms;

static int
signed_forms_init(signed_forms *f, const mxc_room_version *rv,
                  const mxc_json *pdu, mxc_error *err)
{
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	memset(f, 0, sizeof *f);
	int rc;
	const mxc_json *view = mxc__reference_view(&ar, rv, pdu);
	if (!view) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = mxc__canonical_buf(&f->spec, view, err)))
		goto done;
	if (!rv->strict_canonical_json && mxc__json_has_float(view)) {
		mxc__sink s;
		mxc__sink_init_buf(&s, &f->python);
		if ((rc = mxc__canonical_write_python(&s, view, err)))
			goto done;
		f->has_python = true;
	}
done:
	mxc__arena_free(&ar);
	return rc;
}

static void
signed_forms_dispose(signed_forms *f)
{
	mxc_buf_dispose(&f->spec);
	mxc_buf_dispose(&f->python);
}

/* Check one signature (base64 text) against a key, on either form. */
static bool
sig_ok(const signed_forms *f, const char *b64, size_t n, const uint8_t *pk,
       size_t pk_len)
{
	uint8_t sig[100];
	if (n > 96)
		return false;
	long len = mxc__base64_decode_raw(sig, b64, n, false, NULL);
	if (len != MXC_ED25519_SIG_BYTES)
		return false;
	if (mxc_ed25519_verify(sig, (size_t)len, f->spec.data, f->spec.len, pk,
	                       pk_len) == MXC_OK)
		return true;
	return f->has_python &&
	       mxc_ed25519_verify(sig, (size_t)len, f->python.data,
	                          f->python.len, pk, pk_len) == MXC_OK;
}

static bool
key_usable(const mxc_room_version *rv, const mxc_event_key *k, int64_t ts,
           int64_t now_ts)
{
	/* Validating hashes and signatures: keys known to have expired
	 * before the event's origin_server_ts are ignored */
	if (k->expired_ts != MXC_TS_NONE && k->expired_ts < ts)
		return false;
	/* rooms/v5: valid_until_ts must be at least origin_server_ts, taking
	 * the lesser of it and 7 days into the future */
	if (rv->enforce_key_validity && k->valid_until_ts != MXC_TS_NONE) {
		int64_t until = k->valid_until_ts;
		if (now_ts != MXC_TS_NONE &&
		    now_ts <= INT64_MAX - SEVEN_DAYS_MS &&
		    now_ts + SEVEN_DAYS_MS < until)
			until = now_ts + SEVEN_DAYS_MS;
		if (until < ts)
			return false;
	}
	return true;
}

static bool
eq_z(const char *a, size_t an, const char *z)
{
	return z && strlen(z) == an && memcmp(a, z, an) == 0;
}

/* Does `server` carry a valid signature under some usable key? On
 * failure, writes why into reason. */
static bool
server_signed(const signed_forms *f, const mxc_room_version *rv,
              const mxc_json *sigs, const char *server, size_t sn,
              const mxc_event_key *keys, size_t n_keys, int64_t ts,
              int64_t now_ts, char *reason, size_t rsize)
{
	const mxc_json *mine = mxc_json_get(sigs, server, sn);
	if (!mine || mine->type != MXC_JSON_OBJECT) {
		snprintf(reason, rsize, "no signature from %.*s",
		         (int)(sn > 100 ? 100 : sn), server);
		return false;
	}
	size_t checked = 0;
	for (size_t i = 0; i < mine->u.obj.n; i++) {
		const mxc__json_member *m = &mine->u.obj.m[i];
		const mxc_event_key *k = NULL;
		for (size_t j = 0; j < n_keys; j++)
			if (eq_z(server, sn, keys[j].server_name) &&
			    eq_z(m->key, m->key_len, keys[j].key_id)) {
				k = &keys[j];
				break;
			}
		/* unknown keys, and keys of other algorithms, are skipped */
		if (!k || m->key_len < 8 || memcmp(m->key, "ed25519:", 8) != 0)
			continue;
		if (!key_usable(rv, k, ts, now_ts))
			continue;
		checked++;
		size_t bn = 0;
		const char *b64 = mxc_json_get_string(m->value, &bn);
		if (!b64 || !sig_ok(f, b64, bn, k->public_key,
		                    k->public_key_len)) {
			snprintf(reason, rsize,
			         "signature of %.*s with %.*s does not verify",
			         (int)(sn > 100 ? 100 : sn), server,
			         (int)(m->key_len > 40 ? 40 : m->key_len),
			         m->key);
			return false;
		}
	}
	if (!checked) {
		snprintf(reason, rsize,
		         "no signature from %.*s by a known, valid key",
		         (int)(sn > 100 ? 100 : sn), server);
		return false;
	}
	return true;
}

/* The content hash check, on either canonical form. */
static int
check_hash(mxc_event_verdict *out, const mxc_room_version *rv,
           const mxc_json *pdu, mxc_error *err)
{
	size_t n = 0;
	const char *b64 = mxc_json_get_string(
		mxc_json_getz(mxc_json_getz(pdu, "hashes"), "sha256"), &n);
	uint8_t want[40];
	long wn = -1;
	if (b64 && n <= 48)
		wn = mxc__base64_decode_raw(want, b64, n, false, NULL);
	if (wn != 32) {
		out->hash_status = MXC_ERR_HASH_MISMATCH;
		snprintf(out->hash_reason, sizeof out->hash_reason, "%s",
		         b64 ? "hashes.sha256 is not a base64 SHA-256"
		             : "no hashes.sha256");
		return MXC_OK;
	}
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	int rc = MXC_OK;
	uint8_t got[32];
	const mxc_json *view = mxc__content_hash_view(&ar, rv, pdu);
	if (!view) {
		rc = nomem(err);
		goto done;
	}
	if ((rc = mxc__hash_canonical(got, view, false, err)))
		goto done;
	if (crypto_verify_32(got, want) == 0) {
		out->hash_valid = 1;
		goto done;
	}
	if (!rv->strict_canonical_json && mxc__json_has_float(view)) {
		if ((rc = mxc__hash_canonical(got, view, true, err)))
			goto done;
		if (crypto_verify_32(got, want) == 0) {
			out->hash_valid = 1;
			goto done;
		}
	}
	out->hash_status = MXC_ERR_HASH_MISMATCH;
	snprintf(out->hash_reason, sizeof out->hash_reason,
	         "content hash does not match hashes.sha256");
done:
	mxc__arena_free(&ar);
	return rc;
}

int
mxc_event_verify_json(mxc_event_verdict *out, const mxc_room_version *rv,
                      const mxc_json *pdu, const mxc_event_key *keys,
                      size_t n_keys, int64_t now_ts, mxc_error *err)
{
	if (!out || !rv || !pdu || (!keys && n_keys))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "verify event: NULL argument");
	memset(out, 0, sizeof *out);
	if (pdu->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "verify event: not a JSON object");

	/* which servers must have signed. The object may be incomplete (the
	 * spec's own signing examples are): a server is required when the
	 * field naming it is present, and a present field that names no
	 * server is an error. */
	const char *servers[3];
	size_t lens[3], n_servers = 0;
	size_t len = 0;
	const mxc_json *sender_v = mxc_json_getz(pdu, "sender");
	const char *s;
	if (sender_v) {
		const char *sender = mxc_json_get_string(sender_v, &len);
		s = id_server(sender, len, &lens[0]);
		if (!s) {
			mxc__err(err, MXC_ERR_BAD_EVENT,
			         "sender is not a user ID");
			mxc__err_subject(err, "$.sender", 8);
			return MXC_ERR_BAD_EVENT;
		}
		servers[n_servers++] = s;
	}
	const mxc_json *id_v = mxc_json_getz(pdu, "event_id");
	if (rv->event_id_in_pdu && id_v) {
		/* v1, v2: also the server of the event ID */
		const char *id = mxc_json_get_string(id_v, &len);
		s = id_server(id, len, &lens[n_servers]);
		if (!s) {
			mxc__err(err, MXC_ERR_BAD_EVENT,
			         "event_id without a server name");
			mxc__err_subject(err, "$.event_id", 10);
			return MXC_ERR_BAD_EVENT;
		}
		servers[n_servers++] = s;
	}
	size_t tn = 0;
	const char *type = mxc_json_get_string(mxc_json_getz(pdu, "type"),
	                                       &tn);
	if (rv->restricted_joins && eq_z(type ? type : "", tn,
	                                 "m.room.member")) {
		/* v8 auth rule 4.2.1: signed by the server of
		 * join_authorised_via_users_server */
		const char *via = mxc_json_get_string(
			mxc_json_getz(mxc_json_getz(pdu, "content"),
			              "join_authorised_via_users_server"),
			&len);
		if (via) {
			s = id_server(via, len, &lens[n_servers]);
			if (!s) {
				mxc__err(err, MXC_ERR_BAD_EVENT,
				         "join_authorised_via_users_server "
				         "is not a user ID");
				mxc__err_subject(err,
				                 "$.content.join_authorised_"
				                 "via_users_server",
				                 42);
				return MXC_ERR_BAD_EVENT;
			}
			servers[n_servers++] = s;
		}
	}

	int64_t ts = 0;
	const mxc_json *tsv = mxc_json_getz(pdu, "origin_server_ts");
	if (tsv && mxc_json_get_int(&ts, tsv) != MXC_OK)
		ts = 0;

	signed_forms f;
	int rc = signed_forms_init(&f, rv, pdu, err);
	if (rc) {
		signed_forms_dispose(&f);
		return rc;
	}
	const mxc_json *sigs = mxc_json_getz(pdu, "signatures");
	out->signatures_valid = 1;
	if (!n_servers) {
		out->signatures_valid = 0;
		snprintf(out->signatures_reason,
		         sizeof out->signatures_reason,
		         "no sender (nor, in v1/v2, event_id): no server "
		         "is known to have to sign");
	} else if (!sigs || sigs->type != MXC_JSON_OBJECT) {
		out->signatures_valid = 0;
		snprintf(out->signatures_reason,
		         sizeof out->signatures_reason,
		         "signatures missing or not an object");
	}
	for (size_t i = 0; i < n_servers && out->signatures_valid; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= lens[j] == lens[i] &&
			       memcmp(servers[j], servers[i], lens[i]) == 0;
		if (dup)
			continue;
		if (!server_signed(&f, rv, sigs, servers[i], lens[i], keys,
		                   n_keys, ts, now_ts, out->signatures_reason,
		                   sizeof out->signatures_reason))
			out->signatures_valid = 0;
	}
	out->signatures_status =
		out->signatures_valid ? MXC_OK : MXC_ERR_BAD_SIGNATURE;
	signed_forms_dispose(&f);
	return check_hash(out, rv, pdu, err);
}

int
mxc_event_verify(mxc_event_verdict *out, const mxc_event *ev,
                 const mxc_event_key *keys, size_t n_keys, int64_t now_ts,
                 mxc_error *err)
{
	if (!ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL event");
	return mxc_event_verify_json(out, mxc_event_room_version(ev),
	                             mxc_event_json(ev), keys, n_keys, now_ts,
	                             err);
}

int
mxc_event_verify_signature(const mxc_room_version *rv, const mxc_json *pdu,
                           const char *server_name, const char *key_id,
                           const uint8_t *public_key, size_t public_key_len,
                           mxc_error *err)
{
	if (!rv || !pdu || !server_name || !key_id || !public_key)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "verify signature: NULL argument");
	if (pdu->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE, "not a JSON object");
	if (public_key_len != MXC_ED25519_PUBLIC_BYTES)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "public key of %zu bytes", public_key_len);
	mxc_event_key k = {server_name, key_id, public_key, public_key_len,
	                   MXC_TS_NONE, MXC_TS_NONE};
	signed_forms f;
	int rc = signed_forms_init(&f, rv, pdu, err);
	if (rc) {
		signed_forms_dispose(&f);
		return rc;
	}
	char reason[160];
	const mxc_json *sigs = mxc_json_getz(pdu, "signatures");
	bool ok = sigs && sigs->type == MXC_JSON_OBJECT &&
	          server_signed(&f, rv, sigs, server_name, strlen(server_name),
	                        &k, 1, 0, MXC_TS_NONE, reason, sizeof reason);
	signed_forms_dispose(&f);
	if (!ok) {
		if (!sigs || sigs->type != MXC_JSON_OBJECT)
			snprintf(reason, sizeof reason, "no signatures");
		return mxc__err(err, MXC_ERR_BAD_SIGNATURE, "%s", reason);
	}
	return MXC_OK;
}
