/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keyring: the validated signing keys of other servers with their
 * validity, which key may verify an event sent at a given time (rooms/v5:
 * Signing key validity period), validation of key documents fetched
 * through the transport (self-signature by mxc_server_keys_from_json,
 * notary signature, minimum_valid_until_ts), and verification of a batch
 * of events asking the transport once per server whose keys are lacking.
 * The signature and hash checks themselves are mxc_event_verify's.
 */
#include <string.h>

#include "internal.h"
#include "matrix-core/keyring.h"

#include <sodium.h>

#define SEVEN_DAYS_MS (7LL * 24 * 3600 * 1000)

typedef struct key_entry {
	const char *server; /* in the keyring's arena */
	const char *key_id;
	uint8_t pub[MXC_ED25519_PUBLIC_BYTES];
	bool old;
	int64_t valid_until_ts; /* current keys */
	int64_t expired_ts;     /* old keys */
} key_entry;

typedef struct missing_key {
	const char *server, *key_id; /* in the scratch arena */
	int64_t min_ts;
} missing_key;

struct mxc_keyring {
	mxc_allocator alloc;
	mxc__arena strings;
	key_entry *e;
	size_t n, cap;
	mxc__arena scratch;
	missing_key *missing;
	size_t n_missing, cap_missing;
};

int
mxc_keyring_new(mxc_keyring **out, const mxc_allocator *alloc,
                mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "keyring: NULL out");
	*out = NULL;
	const mxc_allocator *a = mxc__alloc_or_default(alloc);
	mxc_keyring *kr = mxc__malloc(a, sizeof *kr);
	if (!kr)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	memset(kr, 0, sizeof *kr);
	kr->alloc = *a;
	mxc__arena_init(&kr->strings, &kr->alloc);
	mxc__arena_init(&kr->scratch, &kr->alloc);
	*out = kr;
	return MXC_OK;
}

void
mxc_keyring_free(mxc_keyring *kr)
{
	if (!kr)
		return;
	mxc__arena_free(&kr->strings);
	mxc__arena_free(&kr->scratch);
	if (kr->e)
		mxc__free(&kr->alloc, kr->e);
	if (kr->missing)
		mxc__free(&kr->alloc, kr->missing);
	mxc__free(&kr->alloc, kr);
}

size_t
mxc_keyring_size(const mxc_keyring *kr)
{
	return kr ? kr->n : 0;
}

static key_entry *
find(const mxc_keyring *kr, const char *server, size_t sn,
     const char *key_id, size_t kn)
{
	for (size_t i = 0; i < kr->n; i++) {
		key_entry *e = &kr->e[i];
		if (strlen(e->server) == sn && memcmp(e->server, server, sn) == 0
		    && strlen(e->key_id) == kn
		    && memcmp(e->key_id, key_id, kn) == 0)
			return e;
	}
	return NULL;
}

int
mxc_keyring_add(mxc_keyring *kr, const mxc_server_keys *keys,
                mxc_error *err)
{
	if (!kr || !keys)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "keyring add: NULL argument");
	size_t sn;
	const char *server = mxc_server_keys_server_name(keys, &sn);
	size_t n = mxc_server_keys_count(keys), fresh = 0;
	/* first pass: conflicts and room, so that nothing changes on
	 * failure */
	for (size_t i = 0; i < n; i++) {
		const char *kid = mxc_server_keys_key_id(keys, i);
		const key_entry *e = find(kr, server, sn, kid, strlen(kid));
		if (!e) {
			fresh++;
			continue;
		}
		if (sodium_memcmp(e->pub, mxc_server_keys_key_public(keys, i),
		                  MXC_ED25519_PUBLIC_BYTES) != 0) {
			mxc__err(err, MXC_ERR_BAD_KEY_DOCUMENT,
			         "key document gives %s of %s another public "
			         "key than the one held", kid, server);
			mxc__err_subject(err, kid, strlen(kid));
			return MXC_ERR_BAD_KEY_DOCUMENT;
		}
	}
	if (kr->n + fresh > kr->cap) {
		size_t nc = kr->cap ? kr->cap : 8;
		while (nc < kr->n + fresh)
			nc *= 2;
		key_entry *ne = mxc__realloc(&kr->alloc, kr->e,
		                             nc * sizeof *ne);
		if (!ne)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		kr->e = ne;
		kr->cap = nc;
	}
	/* strings first (the only other allocation), then the entries */
	const char *srv = NULL;
	const char **kids = NULL;
	if (fresh) {
		srv = mxc__arena_strdup(&kr->strings, server, sn);
		kids = mxc__arena_alloc(&kr->strings, n * sizeof *kids);
		if (!srv || !kids)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			const char *kid = mxc_server_keys_key_id(keys, i);
			kids[i] = NULL;
			if (find(kr, server, sn, kid, strlen(kid)))
				continue;
			kids[i] = mxc__arena_strdup(&kr->strings, kid,
			                            strlen(kid));
			if (!kids[i])
				return mxc__err(err, MXC_ERR_NOMEM,
				                "out of memory");
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *kid = mxc_server_keys_key_id(keys, i);
		bool old = mxc_server_keys_key_is_old(keys, i);
		int64_t until = mxc_server_keys_key_until_ts(keys, i);
		key_entry *e = find(kr, server, sn, kid, strlen(kid));
		if (!e) {
			e = &kr->e[kr->n++];
			memset(e, 0, sizeof *e);
			e->server = srv;
			e->key_id = kids[i];
			memcpy(e->pub, mxc_server_keys_key_public(keys, i),
			       MXC_ED25519_PUBLIC_BYTES);
			e->valid_until_ts = MXC_TS_NONE;
			e->expired_ts = MXC_TS_NONE;
		}
		if (old) {
			/* a key once listed as old stays old */
			e->old = true;
			e->expired_ts = until;
		} else if (until > e->valid_until_ts) {
			e->valid_until_ts = until;
		}
	}
	return MXC_OK;
}

int
mxc_keyring_add_json(mxc_keyring *kr, const char *text, size_t len,
                     const char *expected_server, const char *notary,
                     int64_t min_valid_until_ts, int64_t fetched_ts,
                     mxc_error *err)
{
	if (!kr || (!text && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "keyring add: NULL argument");
	mxc_server_keys *keys = NULL;
	int rc = mxc_server_keys_parse(&keys, text, len, expected_server,
	                               &kr->alloc, err);
	if (rc)
		return rc;
	const char *server = mxc_server_keys_server_name(keys, NULL);
	if (min_valid_until_ts != MXC_TS_NONE
	    && mxc_server_keys_valid_until_ts(keys) < min_valid_until_ts) {
		rc = mxc__err(err, MXC_ERR_BAD_KEY_DOCUMENT,
		              "valid_until_ts %lld of %s is before the "
		              "minimum_valid_until_ts %lld asked for",
		              (long long)mxc_server_keys_valid_until_ts(keys),
		              server, (long long)min_valid_until_ts);
		mxc__err_subject(err, "$.valid_until_ts", 16);
		goto out;
	}
	if (notary && strcmp(notary, server) != 0) {
		/* Querying Keys Through Another Server: the notary signs the
		 * response it relays, with a key of its own we trust. */
		const mxc_json *sigs = mxc_json_getz(
			mxc_json_getz(mxc_server_keys_json(keys), "signatures"),
			notary);
		size_t nsig = mxc_json_size(sigs);
		bool any_key = false, ok = false;
		for (size_t i = 0; i < nsig && !ok; i++) {
			const char *kid;
			size_t kn;
			mxc_json_member(sigs, i, &kid, &kn);
			const key_entry *e = find(kr, notary, strlen(notary),
			                          kid, kn);
			if (!e || e->old
			    || (fetched_ts != MXC_TS_NONE
			        && e->valid_until_ts < fetched_ts))
				continue;
			any_key = true;
			ok = mxc_server_keys_verify_notary(
			             keys, notary, e->key_id, e->pub,
			             sizeof e->pub, NULL) == MXC_OK;
		}
		if (!ok) {
			rc = any_key
			     ? mxc__err(err, MXC_ERR_BAD_SIGNATURE,
			                "notary %s's signature on the keys of "
			                "%s does not verify", notary, server)
			     : mxc__err(err, MXC_ERR_BAD_KEY,
			                "no valid current key of notary %s is "
			                "held for its signature on the keys of "
			                "%s", notary, server);
			mxc__err_subject(err, notary, strlen(notary));
			goto out;
		}
	}
	rc = mxc_keyring_add(kr, keys, err);
out:
	mxc_server_keys_free(keys);
	return rc;
}

int
mxc_keyring_key_for_event(const uint8_t **pubkey, const mxc_keyring *kr,
                          const mxc_room_version *rv, const char *server,
                          const char *key_id, int64_t ts, int64_t now_ts,
                          mxc_error *err)
{
	if (pubkey)
		*pubkey = NULL;
	if (!pubkey || !kr || !rv || !server || !key_id)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "key for event: NULL argument");
	const key_entry *e = find(kr, server, strlen(server), key_id,
	                          strlen(key_id));
	if (!e)
		return mxc__err(err, MXC_ERR_NOT_FOUND,
		                "no key %s of %s is held", key_id, server);
	if (e->old && e->expired_ts < ts)
		return mxc__err(err, MXC_ERR_BAD_KEY,
		                "old key %s of %s expired at %lld, before the "
		                "event (%lld)", key_id, server,
		                (long long)e->expired_ts, (long long)ts);
	if (!e->old && mxc_room_version_enforce_key_validity(rv)) {
		/* rooms/v5: the lesser of valid_until_ts and 7 days into the
		 * future must be at least origin_server_ts */
		int64_t until = e->valid_until_ts;
		if (now_ts != MXC_TS_NONE && now_ts < INT64_MAX - SEVEN_DAYS_MS
		    && now_ts + SEVEN_DAYS_MS < until)
			until = now_ts + SEVEN_DAYS_MS;
		if (until < ts)
			return mxc__err(err, MXC_ERR_BAD_KEY,
			                "key %s of %s is valid until %lld, "
			                "before the event (%lld)", key_id,
			                server, (long long)until, (long long)ts);
	}
	*pubkey = e->pub;
	return MXC_OK;
}

/* ---- batches ----------------------------------------------------------- */

/* The servers that must sign an event (as mxc_event_verify requires). */
static size_t
required_servers(const mxc_event *ev, const char **s, size_t *l)
{
	size_t n = 0, len;
	const mxc_room_version *rv = mxc_event_room_version(ev);
	const char *sender = mxc_event_sender(ev, &len);
	if (sender && mxc__user_id_domain(sender, len, &s[n], &l[n]))
		n++;
	if (mxc_room_version_event_format(rv) == MXC_EVENT_FORMAT_V1) {
		const char *id = mxc_event_id(ev, &len);
		if (id && mxc__user_id_domain(id, len, &s[n], &l[n]))
			n++;
	}
	size_t tl;
	const char *type = mxc_event_type(ev, &tl);
	if (mxc_room_version_restricted_joins(rv) && tl == 13
	    && memcmp(type, "m.room.member", 13) == 0) {
		const char *via = mxc_json_get_string(
			mxc_json_getz(mxc_event_content(ev),
			              "join_authorised_via_users_server"),
			&len);
		if (via && mxc__user_id_domain(via, len, &s[n], &l[n]))
			n++;
	}
	return n;
}

static int
note_missing(mxc_keyring *kr, const char *server, size_t sn,
             const char *kid, size_t kn, int64_t min_ts)
{
	for (size_t i = 0; i < kr->n_missing; i++) {
		missing_key *m = &kr->missing[i];
		if (strlen(m->server) == sn && !memcmp(m->server, server, sn)
		    && strlen(m->key_id) == kn && !memcmp(m->key_id, kid, kn)) {
			if (min_ts > m->min_ts)
				m->min_ts = min_ts;
			return MXC_OK;
		}
	}
	if (kr->n_missing == kr->cap_missing) {
		size_t nc = kr->cap_missing ? kr->cap_missing * 2 : 8;
		missing_key *nm = mxc__realloc(&kr->alloc, kr->missing,
		                               nc * sizeof *nm);
		if (!nm)
			return MXC_ERR_NOMEM;
		kr->missing = nm;
		kr->cap_missing = nc;
	}
	missing_key *m = &kr->missing[kr->n_missing];
	m->server = mxc__arena_strdup(&kr->scratch, server, sn);
	m->key_id = mxc__arena_strdup(&kr->scratch, kid, kn);
	if (!m->server || !m->key_id)
		return MXC_ERR_NOMEM;
	m->min_ts = min_ts;
	kr->n_missing++;
	return MXC_OK;
}

static void
clear_missing(mxc_keyring *kr)
{
	kr->n_missing = 0;
	mxc__arena_free(&kr->scratch);
	mxc__arena_init(&kr->scratch, &kr->alloc);
}

/* Note the keys of the event's required servers none of whose signatures
 * is under a usable key held. */
static int
collect(mxc_keyring *kr, const mxc_event *ev, int64_t now_ts)
{
	const char *s[3];
	size_t l[3];
	size_t ns = required_servers(ev, s, l);
	const mxc_room_version *rv = mxc_event_room_version(ev);
	int64_t ts = mxc_event_origin_server_ts(ev);
	bool enforce = mxc_room_version_enforce_key_validity(rv);
	const mxc_json *sigs = mxc_event_signatures(ev);
	char server[256], kid[256];
	for (size_t i = 0; i < ns; i++) {
		const mxc_json *so = mxc_json_get(sigs, s[i], l[i]);
		size_t nk = mxc_json_size(so);
		if (!nk || l[i] >= sizeof server)
			continue;
		memcpy(server, s[i], l[i]);
		server[l[i]] = 0;
		bool usable = false;
		for (size_t k = 0; k < nk && !usable; k++) {
			const char *kp;
			size_t kn;
			mxc_json_member(so, k, &kp, &kn);
			if (kn >= sizeof kid || memchr(kp, 0, kn))
				continue;
			memcpy(kid, kp, kn);
			kid[kn] = 0;
			const uint8_t *pk;
			usable = mxc_keyring_key_for_event(&pk, kr, rv, server,
			                                   kid, ts, now_ts,
			                                   NULL) == MXC_OK;
		}
		for (size_t k = 0; k < nk && !usable; k++) {
			const char *kp;
			size_t kn;
			mxc_json_member(so, k, &kp, &kn);
			/* only ed25519 keys can be used */
			if (kn < 9 || memcmp(kp, "ed25519:", 8) != 0
			    || kn >= sizeof kid || memchr(kp, 0, kn))
				continue;
			if (note_missing(kr, s[i], l[i], kp, kn,
			                 enforce ? ts : MXC_TS_NONE))
				return MXC_ERR_NOMEM;
		}
	}
	return MXC_OK;
}

/* Ask the transport once per server for the keys noted missing. */
static int
ask(mxc_keyring *kr, const mxc_transport_ops *tr, bool *wouldblock,
    mxc_error *err)
{
	*wouldblock = false;
	if (!tr || !tr->request_keys) {
		*wouldblock = kr->n_missing > 0;
		return MXC_OK;
	}
	size_t n = kr->n_missing;
	const char **ids = mxc__malloc(&kr->alloc, (n + 1) * sizeof *ids);
	bool *done = mxc__malloc(&kr->alloc, (n + 1) * sizeof *done);
	int rc = MXC_OK;
	if (!ids || !done) {
		rc = mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		goto out;
	}
	memset(done, 0, (n + 1) * sizeof *done);
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const char *server = kr->missing[i].server;
		size_t k = 0;
		int64_t min_ts = MXC_TS_NONE;
		for (size_t j = i; j < n; j++) {
			if (done[j] || strcmp(kr->missing[j].server, server))
				continue;
			done[j] = true;
			ids[k++] = kr->missing[j].key_id;
			if (kr->missing[j].min_ts > min_ts)
				min_ts = kr->missing[j].min_ts;
		}
		int r = tr->request_keys(server, ids, k, min_ts,
		                         tr->user_data);
		if (r == MXC_ERR_WOULDBLOCK) {
			*wouldblock = true;
		} else if (r != MXC_OK) {
			rc = mxc__err(err, MXC_ERR_CALLBACK,
			              "transport request_keys answered status "
			              "%d", r);
			if (err)
				err->reason = r;
			mxc__err_subject(err, server, strlen(server));
			goto out;
		}
	}
out:
	if (ids)
		mxc__free(&kr->alloc, ids);
	if (done)
		mxc__free(&kr->alloc, done);
	return rc;
}

int
mxc_keyring_verify_events(mxc_event_verdict *out, mxc_keyring *kr,
                          const mxc_transport_ops *tr,
                          const mxc_event *const *events, size_t n,
                          int64_t now_ts, mxc_error *err)
{
	if (!out || !kr || (!events && n))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "verify events: NULL argument");
	if (tr && (tr->version == 0 || tr->version > MXC_TRANSPORT_OPS_VERSION))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "transport table version %u not supported",
		                (unsigned)tr->version);
	clear_missing(kr);
	for (size_t i = 0; i < n; i++) {
		if (!events[i])
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "verify events: NULL event");
		if (collect(kr, events[i], now_ts))
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	if (kr->n_missing) {
		bool wouldblock;
		int rc = ask(kr, tr, &wouldblock, err);
		if (rc)
			return rc;
		if (wouldblock) {
			mxc__err(err, MXC_ERR_NEED_INPUT,
			         "%zu server key%s missing (first in subject; "
			         "all in mxc_keyring_missing)", kr->n_missing,
			         kr->n_missing == 1 ? "" : "s");
			mxc__err_subject(err, kr->missing[0].server,
			                 strlen(kr->missing[0].server));
			return MXC_ERR_NEED_INPUT;
		}
		clear_missing(kr);
	}
	mxc_event_key *keys = NULL;
	if (kr->n) {
		keys = mxc__malloc(&kr->alloc, kr->n * sizeof *keys);
		if (!keys)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	int rc = MXC_OK;
	for (size_t i = 0; i < n && rc == MXC_OK; i++) {
		const char *s[3];
		size_t l[3];
		size_t ns = required_servers(events[i], s, l), nk = 0;
		for (size_t k = 0; k < kr->n; k++) {
			const key_entry *e = &kr->e[k];
			bool want = false;
			for (size_t j = 0; j < ns && !want; j++)
				want = strlen(e->server) == l[j]
				       && memcmp(e->server, s[j], l[j]) == 0;
			if (!want)
				continue;
			keys[nk].server_name = e->server;
			keys[nk].key_id = e->key_id;
			keys[nk].public_key = e->pub;
			keys[nk].public_key_len = sizeof e->pub;
			keys[nk].valid_until_ts =
				e->old ? MXC_TS_NONE : e->valid_until_ts;
			keys[nk].expired_ts = e->old ? e->expired_ts
			                             : MXC_TS_NONE;
			nk++;
		}
		rc = mxc_event_verify(&out[i], events[i], keys, nk, now_ts,
		                      err);
	}
	if (keys)
		mxc__free(&kr->alloc, keys);
	return rc;
}

size_t
mxc_keyring_missing_count(const mxc_keyring *kr)
{
	return kr ? kr->n_missing : 0;
}

int
mxc_keyring_missing(const mxc_keyring *kr, size_t i, const char **server,
                    const char **key_id, int64_t *min_valid_until_ts)
{
	if (!kr || i >= kr->n_missing)
		return MXC_ERR_INVALID_ARGUMENT;
	if (server)
		*server = kr->missing[i].server;
	if (key_id)
		*key_id = kr->missing[i].key_id;
	if (min_valid_until_ts)
		*min_valid_until_ts = kr->missing[i].min_ts;
	return MXC_OK;
}

uint32_t
mxc_transport_ops_version(void)
{
	return MXC_TRANSPORT_OPS_VERSION;
}
