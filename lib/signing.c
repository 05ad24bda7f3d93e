/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed JSON (appendices: Signing JSON, Signing Details, Checking for a
 * Signature). The bytes a signature covers are the canonical JSON of the
 * object without its top-level `signatures` and `unsigned`; they are
 * computed from a shallow view of the object built in a scratch arena
 * (members point into the caller's tree), never from a copy. A new signed
 * object is built the same way and deep-copied once into its own document.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

const mxc_json *
mxc__json_signing_view(mxc__arena *ar, const mxc_json *obj)
{
	/* Signing Details: "encoding the JSON object without `signatures` or
	 * keys grouped as `unsigned`" */
	const mxc_json *v = obj;
	if (mxc_json_get(v, "signatures", 10)) {
		v = mxc__json_object_with(ar, v, "signatures", NULL);
		if (!v)
			return NULL;
	}
	if (mxc_json_get(v, "unsigned", 8)) {
		v = mxc__json_object_with(ar, v, "unsigned", NULL);
		if (!v)
			return NULL;
	}
	return v;
}

int
mxc_json_signing_bytes(mxc_buf *out, const mxc_json *obj, mxc_error *err)
{
	if (!out || !obj)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or object");
	if (mxc_json_get_type(obj) != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "only a JSON object can be signed");
	mxc__arena ar;
	mxc__arena_init(&ar, mxc__buf_allocator(out));
	const mxc_json *view = mxc__json_signing_view(&ar, obj);
	int rc = view ? mxc__canonical_buf(out, view, err)
	              : mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	mxc__arena_free(&ar);
	return rc;
}

/* Fill `err` with a formatted message and the path of the failure:
 * depth 0 "$", 1 "$.signatures", 2 "$.signatures.<server>", 3 ... .<key>. */
static int
fail_at(mxc_error *err, int status, int depth, const char *server,
        size_t server_len, const char *key_id, size_t key_len,
        const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 8, 9)))
#endif
	;

static int
fail_at(mxc_error *err, int status, int depth, const char *server,
        size_t server_len, const char *key_id, size_t key_len,
        const char *fmt, ...)
{
	if (!err)
		return status;
	char msg[sizeof err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mxc__err(err, status, "%s", msg);
	if (depth >= 3)
		mxc__err_path_key(err, key_id, key_len);
	if (depth >= 2)
		mxc__err_path_key(err, server, server_len);
	if (depth >= 1)
		mxc__err_path_key(err, "signatures", 10);
	else
		mxc__err_subject(err, "$", 1);
	return status;
}

/* Is `v` absent, or an object whose members are all objects? */
static int
check_signatures_shape(const mxc_json *sigs, mxc_error *err)
{
	if (!sigs)
		return MXC_OK;
	if (mxc_json_get_type(sigs) != MXC_JSON_OBJECT)
		return fail_at(err, MXC_ERR_JSON_TYPE, 1, NULL, 0, NULL, 0,
		               "`signatures` is not an object");
	for (size_t i = 0; i < sigs->u.obj.n; i++) {
		const mxc__json_member *m = &sigs->u.obj.m[i];
		if (m->value->type != MXC_JSON_OBJECT)
			return fail_at(err, MXC_ERR_JSON_TYPE, 2, m->key,
			               m->key_len, NULL, 0,
			               "a server's entry in `signatures` is "
			               "not an object");
	}
	return MXC_OK;
}

int
mxc_json_sign(mxc_json **out, const mxc_json *obj, const char *server_name,
              const mxc_signing_key *key, const mxc_allocator *alloc,
              mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !obj || !server_name || !key)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_json_sign");
	size_t server_len = strlen(server_name);
	if (server_len == 0 || !mxc__utf8_valid(server_name, server_len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "server name is empty or not UTF-8");
	if (obj->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "only a JSON object can be signed");
	const mxc_json *sigs = mxc_json_get(obj, "signatures", 10);
	int rc = check_signatures_shape(sigs, err);
	if (rc)
		return rc;

	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc_buf bytes;
	mxc_buf_init(&bytes, alloc);

	/* Signing Details: canonical JSON of the object without `signatures`
	 * and `unsigned`, signed, the signature in unpadded base64 */
	rc = mxc_json_signing_bytes(&bytes, obj, err);
	if (rc)
		goto done;
	uint8_t sig[MXC_ED25519_SIG_BYTES];
	mxc_signing_key_sign(sig, key, bytes.data, bytes.len);
	char sig_b64[88];
	size_t sig_len =
		mxc__base64_encode_raw(sig_b64, sig, sizeof sig, false);

	/* ... added under the key ID to the server's entry of `signatures`,
	 * beside the signatures already there (one of the same key ID is
	 * replaced); `unsigned` stays as it was. */
	const mxc_json *sig_str = mxc__json_new_string(&ar, sig_b64, sig_len);
	const mxc_json *old_entry = mxc_json_get(sigs, server_name, server_len);
	mxc__json_member *unused;
	const mxc_json *empty = mxc__json_new_object(&ar, 0, &unused);
	const mxc_json *entry = NULL, *new_sigs = NULL, *signed_obj = NULL;
	if (sig_str && empty)
		entry = mxc__json_object_with(&ar, old_entry ? old_entry : empty,
		                              mxc_signing_key_id(key), sig_str);
	if (entry)
		new_sigs = mxc__json_object_with(&ar, sigs ? sigs : empty,
		                                 server_name, entry);
	if (new_sigs)
		signed_obj = mxc__json_object_with(&ar, obj, "signatures",
		                                   new_sigs);
	if (!signed_obj) {
		rc = mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		goto done;
	}
	rc = mxc__json_doc_adopt(out, signed_obj, alloc);
	if (rc)
		mxc__err(err, rc, "out of memory");
done:
	mxc_buf_dispose(&bytes);
	mxc__arena_free(&ar);
	return rc;
}

int
mxc__json_verify_bytes(const mxc_json *obj, const char *server,
                       size_t server_len, const char *key_id,
                       size_t key_id_len, const uint8_t *pubkey,
                       const void *msg, size_t msg_len, mxc_error *err)
{
	/* Checking for a Signature, step 1: an entry for the entity */
	const mxc_json *sigs = mxc_json_get(obj, "signatures", 10);
	if (!sigs)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 0, NULL, 0, NULL, 0,
		               "the object has no `signatures`");
	if (sigs->type != MXC_JSON_OBJECT)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 1, NULL, 0, NULL, 0,
		               "`signatures` is not an object");
	int sl = (int)(server_len > 100 ? 100 : server_len);
	const mxc_json *entry = mxc_json_get(sigs, server, server_len);
	if (!entry)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 2, server, server_len,
		               NULL, 0, "no signatures from %.*s", sl, server);
	if (entry->type != MXC_JSON_OBJECT)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 2, server, server_len,
		               NULL, 0,
		               "the signatures of %.*s are not an object", sl,
		               server);
	/* step 2: only algorithms we understand (ed25519); a malformed key ID
	 * cannot have signed anything */
	int rc = mxc__key_id_check(key_id, key_id_len, NULL);
	if (rc == MXC_ERR_UNSUPPORTED)
		return fail_at(err, rc, 3, server, server_len, key_id,
		               key_id_len, "key algorithm is not ed25519");
	if (rc)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "key ID is not ed25519:[a-zA-Z0-9_]+");
	/* step 3 is the caller's (it hands the verification key over) */
	int kl = (int)(key_id_len > 60 ? 60 : key_id_len);
	const mxc_json *sig_v = mxc_json_get(entry, key_id, key_id_len);
	if (!sig_v)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "no signature by %.*s with key %.*s", sl, server,
		               kl, key_id);
	if (sig_v->type != MXC_JSON_STRING)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "the signature is not a string");
	/* step 4: decode the base64 (padded or not) */
	size_t b64_len = sig_v->u.str.len;
	if (b64_len > 88)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "the signature has %zu base64 characters, too "
		               "many for %d bytes",
		               b64_len, MXC_ED25519_SIG_BYTES);
	uint8_t sig[88 / 4 * 3 + 3];
	size_t bad = 0;
	long n = mxc__base64_decode_raw(sig, sig_v->u.str.s, b64_len, false,
	                                &bad);
	if (n < 0)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "the signature is not valid base64 (offset %zu)",
		               bad);
	if (n != MXC_ED25519_SIG_BYTES)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "the signature has %ld bytes, not %d", n,
		               MXC_ED25519_SIG_BYTES);
	/* steps 5 to 7: the caller computed the bytes; check them */
	if (mxc_ed25519_verify(sig, (size_t)n, msg, msg_len, pubkey,
	                       MXC_ED25519_PUBLIC_BYTES) != MXC_OK)
		return fail_at(err, MXC_ERR_BAD_SIGNATURE, 3, server, server_len,
		               key_id, key_id_len,
		               "the signature does not verify under the key "
		               "given");
	return MXC_OK;
}

int
mxc_json_verify(const mxc_json *obj, const char *server_name,
                const char *key_id, const uint8_t *pubkey, size_t pubkey_len,
                mxc_error *err)
{
	if (!obj || !server_name || !key_id || !pubkey)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_json_verify");
	if (obj->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "only a JSON object can carry signatures");
	if (pubkey_len != MXC_ED25519_PUBLIC_BYTES)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "public key has %zu bytes, not %d", pubkey_len,
		                MXC_ED25519_PUBLIC_BYTES);
	size_t server_len = strlen(server_name), id_len = strlen(key_id);

	/* Fail on the structure first (steps 1 to 4), so a malformed or
	 * unsigned object costs no canonicalisation: verify against empty
	 * bytes only to learn whether a signature is there to check. */
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	mxc_buf bytes = MXC_BUF_INIT;
	int rc;
	const mxc_json *sigs = mxc_json_get(obj, "signatures", 10);
	const mxc_json *entry = mxc_json_get(sigs, server_name, server_len);
	if (!entry || mxc_json_get_type(mxc_json_get(entry, key_id, id_len)) !=
	                      MXC_JSON_STRING) {
		/* the structural failure is reported precisely below */
		rc = mxc__json_verify_bytes(obj, server_name, server_len, key_id,
		                            id_len, pubkey, "", 0, err);
		goto done;
	}
	const mxc_json *view = mxc__json_signing_view(&ar, obj);
	if (!view) {
		rc = mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		goto done;
	}
	rc = mxc__canonical_buf(&bytes, view, err);
	if (rc)
		goto done;
	rc = mxc__json_verify_bytes(obj, server_name, server_len, key_id, id_len,
	                            pubkey, bytes.data, bytes.len, err);
done:
	mxc_buf_dispose(&bytes);
	mxc__arena_free(&ar);
	return rc;
}
