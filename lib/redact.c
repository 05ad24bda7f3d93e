/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redaction (client-server API: Redactions; rooms/v1, v6, v8, v9 and v11:
 * Redactions). The algorithm keeps a fixed set of top-level keys and, for
 * the event types each version names, a few keys of `content`. Here it
 * builds a shallow view (new objects in an arena whose members point at
 * the original values), which hashing and signing stream straight into
 * SHA-256; mxc_event_redact_json copies the view into a new document.
 */
#include "internal.h"

/* Top-level keys kept by redaction, v1 to v10 (rooms/v1: Redactions). */
static const char *const top_v1[] = {
	"auth_events", "content", "depth", "event_id", "hashes",
	"membership", "origin", "origin_server_ts", "prev_events",
	"prev_state", "room_id", "sender", "signatures", "state_key", "type",
};

/* v11 (rooms/v11: Redactions) drops origin, membership and prev_state. */
static const char *const top_v11[] = {
	"auth_events", "content", "depth", "event_id", "hashes",
	"origin_server_ts", "prev_events", "room_id", "sender", "signatures",
	"state_key", "type",
};

static bool
in_list(const char *key, size_t len, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], key, len) == 0)
			return true;
	return false;
}

static bool
str_is(const mxc_json *v, const char *s)
{
	size_t n = strlen(s);
	return v && v->type == MXC_JSON_STRING && v->u.str.len == n &&
	       memcmp(v->u.str.s, s, n) == 0;
}

const mxc_json *
mxc__json_filter(mxc__arena *ar, const mxc_json *obj,
                 const char *const *keys, size_t n_keys, bool keep)
{
	size_t n = obj->u.obj.n, k = 0;
	const mxc__json_member *src = obj->u.obj.m;
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (in_list(src[i].key, src[i].key_len, keys, n_keys) == keep)
			count++;
	if (count == n)
		return obj;
	mxc__json_member *m;
	mxc_json *v = mxc__json_new_object(ar, count, &m);
	if (!v)
		return NULL;
	/* members stay in the source's (sorted) order: no re-sort */
	for (size_t i = 0; i < n; i++)
		if (in_list(src[i].key, src[i].key_len, keys, n_keys) == keep)
			m[k++] = src[i];
	return v;
}

/* Content keys kept for the event type, by redaction revision. */
static const mxc_json *
redact_content(mxc__arena *ar, const mxc_room_version *rv,
               const mxc_json *type, const mxc_json *content)
{
	static const char *const none[1] = {""};
	static const char *const member_v1[] = {"membership"};
	static const char *const member_v9[] = {
		"join_authorised_via_users_server", "membership",
		"third_party_invite"};
	static const char *const create_v1[] = {"creator"};
	static const char *const join_rules_v1[] = {"join_rule"};
	static const char *const join_rules_v8[] = {"allow", "join_rule"};
	static const char *const pl_v1[] = {
		"ban", "events", "events_default", "kick", "redact",
		"state_default", "users", "users_default"};
	static const char *const pl_v11[] = {
		"ban", "events", "events_default", "invite", "kick", "redact",
		"state_default", "users", "users_default"};
	static const char *const aliases[] = {"aliases"};
	static const char *const history[] = {"history_visibility"};
	static const char *const redaction[] = {"redacts"};
	const char *const *keep = none;
	size_t n_keep = 0;
	int r = rv->redaction;

	if (!content || content->type != MXC_JSON_OBJECT) {
		/* Absent (or not an object): an empty content, as Synapse and
		 * gomatrixserverlib produce (the spec's own test vectors sign
		 * events without content that way; the text is silent). */
		mxc__json_member *m;
		return mxc__json_new_object(ar, 0, &m);
	}
	if (str_is(type, "m.room.member")) {
		if (r >= MXC_REDACTION_V9) {
			/* v9: + join_authorised_via_users_server; v11: +
			 * third_party_invite, reduced to `signed` below */
			keep = member_v9;
			n_keep = r >= MXC_REDACTION_V11 ? 3 : 2;
		} else {
			keep = member_v1;
			n_keep = 1;
		}
	} else if (str_is(type, "m.room.create")) {
		if (r >= MXC_REDACTION_V11)
			return content; /* v11: all keys */
		keep = create_v1;
		n_keep = 1;
	} else if (str_is(type, "m.room.join_rules")) {
		if (r >= MXC_REDACTION_V8) {
			keep = join_rules_v8;
			n_keep = 2;
		} else {
			keep = join_rules_v1;
			n_keep = 1;
		}
	} else if (str_is(type, "m.room.power_levels")) {
		if (r >= MXC_REDACTION_V11) {
			keep = pl_v11;
			n_keep = MXC_ARRAY_LEN(pl_v11);
		} else {
			keep = pl_v1;
			n_keep = MXC_ARRAY_LEN(pl_v1);
		}
	} else if (str_is(type, "m.room.aliases")) {
		/* v6 dropped the m.room.aliases exception */
		if (r < MXC_REDACTION_V6) {
			keep = aliases;
			n_keep = 1;
		}
	} else if (str_is(type, "m.room.history_visibility")) {
		keep = history;
		n_keep = 1;
	} else if (str_is(type, "m.room.redaction")) {
		if (r >= MXC_REDACTION_V11) {
			keep = redaction;
			n_keep = 1;
		}
	}
	const mxc_json *c = mxc__json_filter(ar, content, keep, n_keep, true);
	if (!c || r < MXC_REDACTION_V11 || !str_is(type, "m.room.member"))
		return c;

	/* v11: of `third_party_invite`, only `signed` is kept */
	const mxc_json *tpi = mxc_json_getz(c, "third_party_invite");
	if (!tpi)
		return c;
	static const char *const signed_only[] = {"signed"};
	const mxc_json *ntpi;
	if (tpi->type == MXC_JSON_OBJECT)
		ntpi = mxc__json_filter(ar, tpi, signed_only, 1, true);
	else
		ntpi = NULL; /* not an object: it has no `signed` to keep */
	if (tpi->type == MXC_JSON_OBJECT && !ntpi)
		return NULL;
	if (ntpi == tpi)
		return c;
	if (!ntpi) {
		static const char *const tpi_key[] = {"third_party_invite"};
		return mxc__json_filter(ar, c, tpi_key, 1, false);
	}
	return mxc__json_object_with(ar, c, "third_party_invite", ntpi);
}

const mxc_json *
mxc__redact_view(mxc__arena *ar, const mxc_room_version *rv,
                 const mxc_json *pdu)
{
	const char *const *top = top_v1;
	size_t n_top = MXC_ARRAY_LEN(top_v1);
	if (rv->redaction >= MXC_REDACTION_V11) {
		top = top_v11;
		n_top = MXC_ARRAY_LEN(top_v11);
	}
	const mxc_json *r = mxc__json_filter(ar, pdu, top, n_top, true);
	if (!r)
		return NULL;
	const mxc_json *content = mxc_json_getz(r, "content");
	const mxc_json *nc =
		redact_content(ar, rv, mxc_json_getz(r, "type"), content);
	if (!nc)
		return NULL;
	if (nc == content)
		return r;
	return mxc__json_object_with(ar, r, "content", nc);
}

int
mxc_event_redact_json(mxc_json **out, const mxc_room_version *rv,
                      const mxc_json *pdu, const mxc_allocator *alloc,
                      mxc_error *err)
{
	if (!out || !rv || !pdu)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "redact: NULL argument");
	*out = NULL;
	if (pdu->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "redact: the event is not an object");
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	const mxc_json *v = mxc__redact_view(&ar, rv, pdu);
	int rc = v ? mxc__json_doc_adopt(out, v, alloc) : MXC_ERR_NOMEM;
	mxc__arena_free(&ar);
	if (rc)
		return mxc__err(err, rc, "out of memory");
	return MXC_OK;
}
