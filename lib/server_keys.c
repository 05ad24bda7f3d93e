/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server key documents (server-server API: Retrieving server keys,
 * Publishing Keys, Querying Keys Through Another Server; the schema in
 * data/api/server-server/definitions/keys.yaml): building and signing
 * one, and validating one received (structure, key IDs, key bytes, the
 * server's own signature, optionally a notary's), then answering which
 * key may verify an event or a request.
 */
#include "internal.h"

typedef struct key_entry {
	const char *id; /* NUL-terminated, in the arena */
	size_t id_len;
	uint8_t pk[MXC_ED25519_PUBLIC_BYTES];
	int old;
	int64_t until; /* expired_ts (old) or the document's valid_until_ts */
} key_entry;

struct mxc_server_keys {
	mxc__arena arena; /* this struct, the entries and their IDs */
	mxc_json *doc;    /* own copy of the document */
	const char *server_name;
	size_t server_len;
	int64_t valid_until;
	key_entry *keys;
	size_t n_keys;
};

/* Canonical JSON's integer range (appendices: Canonical JSON). */
#define MAX_SAFE_INT ((int64_t)9007199254740991)

/* ---- building ------------------------------------------------------------ */

static const mxc_json *
key_object(mxc__arena *ar, const uint8_t *pk, const int64_t *expired_ts)
{
	char b64[44];
	size_t n = mxc__base64_encode_raw(b64, pk, MXC_ED25519_PUBLIC_BYTES,
	                                  false);
	mxc__json_member *m;
	mxc_json *o = mxc__json_new_object(ar, expired_ts ? 2 : 1, &m);
	const mxc_json *s = o ? mxc__json_new_string(ar, b64, n) : NULL;
	if (!s)
		return NULL;
	m[0].key = "key";
	m[0].key_len = 3;
	m[0].value = s;
	if (expired_ts) {
		m[1].key = "expired_ts";
		m[1].key_len = 10;
		if (!(m[1].value = mxc__json_new_int(ar, *expired_ts)))
			return NULL;
	}
	return mxc__json_object_finish(o) ? NULL : o;
}

static bool
in_range(int64_t ts)
{
	return ts >= -MAX_SAFE_INT && ts <= MAX_SAFE_INT;
}

int
mxc_server_keys_build(mxc_json **out, const char *server_name,
                      const mxc_signing_key *const *keys, size_t n_keys,
                      const mxc_old_verify_key *old, size_t n_old,
                      int64_t valid_until_ts, const mxc_allocator *alloc,
                      mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !server_name || !keys || n_keys == 0 || (!old && n_old))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument or no signing key");
	size_t server_len = strlen(server_name);
	if (server_len == 0 || !mxc__utf8_valid(server_name, server_len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "server name is empty or not UTF-8");
	if (!in_range(valid_until_ts))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "valid_until_ts outside canonical JSON's "
		                "range");
	for (size_t i = 0; i < n_keys; i++)
		if (!keys[i])
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "NULL signing key %zu", i);
	for (size_t i = 0; i < n_old; i++) {
		if (!old[i].key_id || !old[i].public_key)
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "NULL in old key %zu", i);
		int rc = mxc__key_id_check(old[i].key_id, strlen(old[i].key_id),
		                           err);
		if (rc)
			return rc;
		if (!in_range(old[i].expired_ts))
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "expired_ts of %s outside canonical "
			                "JSON's range",
			                old[i].key_id);
	}
	/* one key ID, one key: across both lists */
	for (size_t i = 0; i < n_keys + n_old; i++) {
		const char *a = i < n_keys ? mxc_signing_key_id(keys[i])
		                           : old[i - n_keys].key_id;
		for (size_t j = i + 1; j < n_keys + n_old; j++) {
			const char *b = j < n_keys ? mxc_signing_key_id(keys[j])
			                           : old[j - n_keys].key_id;
			if (strcmp(a, b) == 0)
				return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
				                "key ID %s given twice", a);
		}
	}

	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc_buf bytes;
	mxc_buf_init(&bytes, alloc);
	int rc = MXC_ERR_NOMEM;

	/* Publishing Keys: server_name, verify_keys, old_verify_keys,
	 * valid_until_ts; signed with the verify keys */
	mxc__json_member *vm, *om, *top_m, *sm, *em;
	mxc_json *vk = mxc__json_new_object(&ar, n_keys, &vm);
	mxc_json *ok = vk ? mxc__json_new_object(&ar, n_old, &om) : NULL;
	if (!ok)
		goto done;
	for (size_t i = 0; i < n_keys; i++) {
		uint8_t pk[MXC_ED25519_PUBLIC_BYTES];
		mxc_signing_key_public(pk, keys[i]);
		vm[i].key = mxc_signing_key_id(keys[i]);
		vm[i].key_len = strlen(vm[i].key);
		if (!(vm[i].value = key_object(&ar, pk, NULL)))
			goto done;
	}
	for (size_t i = 0; i < n_old; i++) {
		om[i].key = old[i].key_id;
		om[i].key_len = strlen(old[i].key_id);
		if (!(om[i].value = key_object(&ar, old[i].public_key,
		                               &old[i].expired_ts)))
			goto done;
	}
	mxc_json *top = mxc__json_new_object(&ar, 4, &top_m);
	if (!top)
		goto done;
	top_m[0].key = "server_name";
	top_m[0].key_len = 11;
	top_m[0].value = mxc__json_new_string(&ar, server_name, server_len);
	top_m[1].key = "verify_keys";
	top_m[1].key_len = 11;
	top_m[1].value = vk;
	top_m[2].key = "old_verify_keys";
	top_m[2].key_len = 15;
	top_m[2].value = ok;
	top_m[3].key = "valid_until_ts";
	top_m[3].key_len = 14;
	top_m[3].value = mxc__json_new_int(&ar, valid_until_ts);
	if (!top_m[0].value || !top_m[3].value)
		goto done;
	/* the IDs were checked distinct: these can only fail for memory */
	if (mxc__json_object_finish(vk) || mxc__json_object_finish(ok) ||
	    mxc__json_object_finish(top))
		goto done;

	rc = mxc__canonical_buf(&bytes, top, err);
	if (rc)
		goto done;
	rc = MXC_ERR_NOMEM;
	mxc_json *entry = mxc__json_new_object(&ar, n_keys, &em);
	if (!entry)
		goto done;
	for (size_t i = 0; i < n_keys; i++) {
		uint8_t sig[MXC_ED25519_SIG_BYTES];
		char b64[88];
		mxc_signing_key_sign(sig, keys[i], bytes.data, bytes.len);
		size_t n = mxc__base64_encode_raw(b64, sig, sizeof sig, false);
		em[i].key = mxc_signing_key_id(keys[i]);
		em[i].key_len = strlen(em[i].key);
		if (!(em[i].value = mxc__json_new_string(&ar, b64, n)))
			goto done;
	}
	mxc_json *sigs = mxc__json_new_object(&ar, 1, &sm);
	if (!sigs)
		goto done;
	sm[0].key = server_name;
	sm[0].key_len = server_len;
	sm[0].value = entry;
	if (mxc__json_object_finish(entry) || mxc__json_object_finish(sigs))
		goto done;
	const mxc_json *doc =
		mxc__json_object_with(&ar, top, "signatures", sigs);
	if (!doc)
		goto done;
	rc = mxc__json_doc_adopt(out, doc, alloc);
done:
	if (rc == MXC_ERR_NOMEM)
		mxc__err(err, rc, "out of memory");
	mxc_buf_dispose(&bytes);
	mxc__arena_free(&ar);
	return rc;
}

/* ---- validating ---------------------------------------------------------- */

static int
doc_err(mxc_error *err, const char *path, const char *key, size_t key_len,
        const char *msg)
{
	mxc__err(err, MXC_ERR_BAD_KEY_DOCUMENT, "%s", msg);
	if (key)
		mxc__err_path_key(err, key, key_len);
	if (path)
		mxc__err_path_key(err, path, strlen(path));
	else
		mxc__err_subject(err, "$", 1);
	return MXC_ERR_BAD_KEY_DOCUMENT;
}

static int
get_ts(int64_t *out, const mxc_json *v)
{
	if (!v || !mxc_json_is_integer(v) || mxc_json_get_int(out, v) != MXC_OK)
		return -1;
	return 0;
}

/* Read one of verify_keys / old_verify_keys into ks->keys. */
static int
read_key_list(mxc_server_keys *ks, const mxc_json *list, const char *name,
              int old, mxc_error *err)
{
	if (list->type != MXC_JSON_OBJECT)
		return doc_err(err, name, NULL, 0, "not an object");
	for (size_t i = 0; i < list->u.obj.n; i++) {
		const mxc__json_member *m = &list->u.obj.m[i];
		int rc = mxc__key_id_check(m->key, m->key_len, NULL);
		if (rc == MXC_ERR_UNSUPPORTED)
			continue; /* another algorithm: unusable, skipped */
		if (rc)
			return doc_err(err, name, m->key, m->key_len,
			               "key ID is not ed25519:[a-zA-Z0-9_]+");
		for (size_t j = 0; j < ks->n_keys; j++)
			if (ks->keys[j].id_len == m->key_len &&
			    memcmp(ks->keys[j].id, m->key, m->key_len) == 0)
				return doc_err(err, name, m->key, m->key_len,
				               "key ID in both verify_keys and "
				               "old_verify_keys");
		if (m->value->type != MXC_JSON_OBJECT)
			return doc_err(err, name, m->key, m->key_len,
			               "key entry is not an object");
		key_entry *e = &ks->keys[ks->n_keys];
		const mxc_json *k = mxc_json_get(m->value, "key", 3);
		if (mxc_json_get_type(k) != MXC_JSON_STRING)
			return doc_err(err, name, m->key, m->key_len,
			               "`key` missing or not a string");
		uint8_t raw[64];
		long n = -1;
		if (k->u.str.len <= 44)
			n = mxc__base64_decode_raw(raw, k->u.str.s, k->u.str.len,
			                           false, NULL);
		if (n != MXC_ED25519_PUBLIC_BYTES)
			return doc_err(err, name, m->key, m->key_len,
			               n < 0 ? "`key` is not valid base64"
			                     : "`key` is not 32 bytes");
		memcpy(e->pk, raw, sizeof e->pk);
		e->old = old;
		if (old) {
			if (get_ts(&e->until, mxc_json_get(m->value,
			                                   "expired_ts", 10)))
				return doc_err(err, name, m->key, m->key_len,
				               "`expired_ts` missing or not an "
				               "integer");
		} else {
			e->until = ks->valid_until;
		}
		char *id = mxc__arena_strdup(&ks->arena, m->key, m->key_len);
		if (!id)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		e->id = id;
		e->id_len = m->key_len;
		ks->n_keys++;
	}
	return MXC_OK;
}

/* The server's own signature: every signature of server_name made with one
 * of its verify_keys verifies, and there is at least one. */
static int
check_self_signature(const mxc_server_keys *ks, mxc_error *err)
{
	const mxc_json *doc = ks->doc;
	const mxc_json *entry = mxc_json_get(mxc_json_get(doc, "signatures", 10),
	                                     ks->server_name, ks->server_len);
	if (mxc_json_get_type(entry) != MXC_JSON_OBJECT) {
		mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		         "the key document is not signed by its server");
		mxc__err_subject(err, "$.signatures", 12);
		return MXC_ERR_BAD_SIGNATURE;
	}
	mxc_buf bytes;
	mxc_buf_init(&bytes, &ks->arena.alloc);
	int rc = MXC_OK;
	size_t checked = 0;
	rc = mxc_json_signing_bytes(&bytes, doc, err);
	if (rc)
		goto done;
	for (size_t i = 0; i < entry->u.obj.n; i++) {
		const mxc__json_member *m = &entry->u.obj.m[i];
		const key_entry *k = NULL;
		for (size_t j = 0; j < ks->n_keys && !k; j++)
			if (!ks->keys[j].old &&
			    ks->keys[j].id_len == m->key_len &&
			    memcmp(ks->keys[j].id, m->key, m->key_len) == 0)
				k = &ks->keys[j];
		if (!k)
			continue; /* a key it does not list: not checkable */
		rc = mxc__json_verify_bytes(doc, ks->server_name, ks->server_len,
		                            k->id, k->id_len, k->pk, bytes.data,
		                            bytes.len, err);
		if (rc)
			goto done;
		checked++;
	}
	if (!checked) {
		rc = mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		              "no signature of the server with one of its "
		              "verify_keys");
		mxc__err_path_key(err, ks->server_name, ks->server_len);
		mxc__err_path_key(err, "signatures", 10);
	}
done:
	mxc_buf_dispose(&bytes);
	return rc;
}

/* Validate `doc`, taking ownership of `owned` (the copy kept). */
static int
from_owned(mxc_server_keys **out, mxc_json *owned,
           const char *expected_server, const mxc_allocator *alloc,
           mxc_error *err)
{
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc_server_keys *ks = mxc__arena_alloc(&ar, sizeof *ks);
	if (!ks) {
		mxc_json_free(owned);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	memset(ks, 0, sizeof *ks);
	ks->arena = ar;
	ks->doc = owned;
	const mxc_json *doc = owned;
	int rc;

	if (doc->type != MXC_JSON_OBJECT) {
		rc = doc_err(err, NULL, NULL, 0, "not a JSON object");
		goto fail;
	}
	/* keys.yaml: required server_name, verify_keys, signatures,
	 * valid_until_ts */
	const mxc_json *sn = mxc_json_get(doc, "server_name", 11);
	if (mxc_json_get_type(sn) != MXC_JSON_STRING || sn->u.str.len == 0 ||
	    memchr(sn->u.str.s, 0, sn->u.str.len)) {
		rc = doc_err(err, "server_name", NULL, 0,
		             "missing, empty or not a string");
		goto fail;
	}
	ks->server_name = sn->u.str.s;
	ks->server_len = sn->u.str.len;
	if (expected_server && (strlen(expected_server) != ks->server_len ||
	                        memcmp(expected_server, ks->server_name,
	                               ks->server_len) != 0)) {
		rc = mxc__err(err, MXC_ERR_BAD_KEY_DOCUMENT,
		              "keys of %.*s, not of %.60s",
		              (int)(ks->server_len > 60 ? 60 : ks->server_len),
		              ks->server_name, expected_server);
		mxc__err_subject(err, "$.server_name", 13);
		goto fail;
	}
	if (get_ts(&ks->valid_until, mxc_json_get(doc, "valid_until_ts", 14))) {
		rc = doc_err(err, "valid_until_ts", NULL, 0,
		             "missing or not an integer");
		goto fail;
	}
	const mxc_json *vk = mxc_json_get(doc, "verify_keys", 11);
	const mxc_json *ok = mxc_json_get(doc, "old_verify_keys", 15);
	if (!vk) {
		rc = doc_err(err, "verify_keys", NULL, 0, "missing");
		goto fail;
	}
	if (mxc_json_get_type(mxc_json_get(doc, "signatures", 10)) !=
	    MXC_JSON_OBJECT) {
		rc = doc_err(err, "signatures", NULL, 0,
		             "missing or not an object");
		goto fail;
	}
	size_t cap = mxc_json_size(vk) + mxc_json_size(ok);
	ks->keys = mxc__arena_alloc(&ks->arena, (cap ? cap : 1) *
	                                                sizeof *ks->keys);
	if (!ks->keys) {
		rc = mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		goto fail;
	}
	rc = read_key_list(ks, vk, "verify_keys", 0, err);
	if (rc == MXC_OK && ok)
		rc = read_key_list(ks, ok, "old_verify_keys", 1, err);
	if (rc == MXC_OK)
		rc = check_self_signature(ks, err);
	if (rc)
		goto fail;
	*out = ks;
	return MXC_OK;
fail:
	mxc_server_keys_free(ks);
	return rc;
}

int
mxc_server_keys_from_json(mxc_server_keys **out, const mxc_json *doc,
                          const char *expected_server,
                          const mxc_allocator *alloc, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !doc)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_server_keys_from_json");
	mxc_json *copy;
	if (mxc__json_doc_adopt(&copy, doc, alloc))
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	return from_owned(out, copy, expected_server, alloc, err);
}

int
mxc_server_keys_parse(mxc_server_keys **out, const char *text, size_t len,
                      const char *expected_server, const mxc_allocator *alloc,
                      mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || (!text && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_server_keys_parse");
	mxc_json *doc;
	int rc = mxc_json_parse(&doc, text, len, 0, alloc, err);
	if (rc)
		return rc;
	return from_owned(out, doc, expected_server, alloc, err);
}

void
mxc_server_keys_free(mxc_server_keys *keys)
{
	if (!keys)
		return;
	mxc_json_free(keys->doc);
	mxc__arena ar = keys->arena; /* the struct lives in its arena */
	mxc__arena_free(&ar);
}

/* ---- accessors ----------------------------------------------------------- */

const mxc_json *
mxc_server_keys_json(const mxc_server_keys *keys)
{
	return keys ? keys->doc : NULL;
}

const char *
mxc_server_keys_server_name(const mxc_server_keys *keys, size_t *len)
{
	if (!keys)
		return NULL;
	if (len)
		*len = keys->server_len;
	return keys->server_name;
}

int64_t
mxc_server_keys_valid_until_ts(const mxc_server_keys *keys)
{
	return keys ? keys->valid_until : 0;
}

size_t
mxc_server_keys_count(const mxc_server_keys *keys)
{
	return keys ? keys->n_keys : 0;
}

const char *
mxc_server_keys_key_id(const mxc_server_keys *keys, size_t i)
{
	return keys && i < keys->n_keys ? keys->keys[i].id : NULL;
}

const uint8_t *
mxc_server_keys_key_public(const mxc_server_keys *keys, size_t i)
{
	return keys && i < keys->n_keys ? keys->keys[i].pk : NULL;
}

int
mxc_server_keys_key_is_old(const mxc_server_keys *keys, size_t i)
{
	return keys && i < keys->n_keys ? keys->keys[i].old : 0;
}

int64_t
mxc_server_keys_key_until_ts(const mxc_server_keys *keys, size_t i)
{
	return keys && i < keys->n_keys ? keys->keys[i].until : 0;
}

int
mxc_server_keys_find(size_t *index, const mxc_server_keys *keys,
                     const char *key_id)
{
	if (!index || !keys || !key_id)
		return MXC_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < keys->n_keys; i++)
		if (strcmp(keys->keys[i].id, key_id) == 0) {
			*index = i;
			return MXC_OK;
		}
	return MXC_ERR_NOT_FOUND;
}

static int
no_such_key(const mxc_server_keys *keys, const char *key_id, mxc_error *err)
{
	mxc__err(err, MXC_ERR_NOT_FOUND, "%.*s has no key of this ID",
	         (int)(keys->server_len > 60 ? 60 : keys->server_len),
	         keys->server_name);
	mxc__err_subject(err, key_id, strlen(key_id));
	return MXC_ERR_NOT_FOUND;
}

int
mxc_server_keys_key_for_event(const uint8_t **pubkey, int64_t *until_ts,
                              const mxc_server_keys *keys, const char *key_id,
                              int64_t ts, mxc_error *err)
{
	if (!pubkey || !keys || !key_id)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to "
		                "mxc_server_keys_key_for_event");
	*pubkey = NULL;
	size_t i;
	if (mxc_server_keys_find(&i, keys, key_id))
		return no_such_key(keys, key_id, err);
	const key_entry *k = &keys->keys[i];
	/* Validating hashes and signatures on received events: "keys that are
	 * known to have expired prior to the event's origin_server_ts are
	 * ignored" */
	if (k->old && k->until <= ts) {
		mxc__err(err, MXC_ERR_BAD_KEY,
		         "old key expired at %lld, not after the event's "
		         "timestamp %lld",
		         (long long)k->until, (long long)ts);
		mxc__err_subject(err, key_id, strlen(key_id));
		return MXC_ERR_BAD_KEY;
	}
	*pubkey = k->pk;
	if (until_ts)
		*until_ts = k->until;
	return MXC_OK;
}

int
mxc_server_keys_key_for_request(const uint8_t **pubkey,
                                const mxc_server_keys *keys,
                                const char *key_id, int64_t now_ts,
                                mxc_error *err)
{
	if (!pubkey || !keys || !key_id)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to "
		                "mxc_server_keys_key_for_request");
	*pubkey = NULL;
	size_t i;
	if (mxc_server_keys_find(&i, keys, key_id))
		return no_such_key(keys, key_id, err);
	const key_entry *k = &keys->keys[i];
	/* Publishing Keys: old_verify_keys "are only valid for signing
	 * events" */
	int rc = MXC_OK;
	if (k->old)
		rc = mxc__err(err, MXC_ERR_BAD_KEY,
		              "an old key cannot sign requests");
	else if (now_ts > keys->valid_until)
		rc = mxc__err(err, MXC_ERR_BAD_KEY,
		              "the key document expired at %lld (now %lld)",
		              (long long)keys->valid_until, (long long)now_ts);
	if (rc) {
		mxc__err_subject(err, key_id, strlen(key_id));
		return rc;
	}
	*pubkey = k->pk;
	return MXC_OK;
}

int
mxc_server_keys_verify_notary(const mxc_server_keys *keys,
                              const char *notary_name, const char *key_id,
                              const uint8_t *pubkey, size_t pubkey_len,
                              mxc_error *err)
{
	if (!keys)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL keys");
	return mxc_json_verify(keys->doc, notary_name, key_id, pubkey,
	                       pubkey_len, err);
}
