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
static const mxc__key top_v1[] = {
	MXC__KEY("auth_events"), MXC__KEY("content"), MXC__KEY("depth"),
	MXC__KEY("event_id"), MXC__KEY("hashes"), MXC__KEY("membership"),
	MXC__KEY("origin"), MXC__KEY("origin_server_ts"),
	MXC__KEY("prev_events"), MXC__KEY("prev_state"), MXC__KEY("room_id"),
	MXC__KEY("sender"), MXC__KEY("signatures"), MXC__KEY("state_key"),
	MXC__KEY("type")
};

/* The same lists without `signatures`, and from v3 without `event_id`:
 * what the reference hash and signatures cover, in one filter. */
static const mxc__key ref_v1[] = {
	MXC__KEY("auth_events"), MXC__KEY("content"), MXC__KEY("depth"),
	MXC__KEY("event_id"), MXC__KEY("hashes"), MXC__KEY("membership"),
	MXC__KEY("origin"), MXC__KEY("origin_server_ts"),
	MXC__KEY("prev_events"), MXC__KEY("prev_state"), MXC__KEY("room_id"),
	MXC__KEY("sender"), MXC__KEY("state_key"), MXC__KEY("type")
};
static const mxc__key ref_v3[] = {
	MXC__KEY("auth_events"), MXC__KEY("content"), MXC__KEY("depth"),
	MXC__KEY("hashes"), MXC__KEY("membership"), MXC__KEY("origin"),
	MXC__KEY("origin_server_ts"), MXC__KEY("prev_events"),
	MXC__KEY("prev_state"), MXC__KEY("room_id"), MXC__KEY("sender"),
	MXC__KEY("state_key"), MXC__KEY("type")
};
static const mxc__key ref_v11[] = {
	MXC__KEY("auth_events"), MXC__KEY("content"), MXC__KEY("depth"),
	MXC__KEY("hashes"), MXC__KEY("origin_server_ts"),
	MXC__KEY("prev_events"), MXC__KEY("room_id"), MXC__KEY("sender"),
	MXC__KEY("state_key"), MXC__KEY("type")
};

/* v11 (rooms/v11: Redactions) drops origin, membership and prev_state. */
static const mxc__key top_v11[] = {
	MXC__KEY("auth_events"), MXC__KEY("content"), MXC__KEY("depth"),
	MXC__KEY("event_id"), MXC__KEY("hashes"), MXC__KEY("origin_server_ts"),
	MXC__KEY("prev_events"), MXC__KEY("room_id"), MXC__KEY("sender"),
	MXC__KEY("signatures"), MXC__KEY("state_key"), MXC__KEY("type")
};

/* Byte order of two keys (the order of object members). */
static inline int
key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (an && bn && a[0] != b[0])
		return (unsigned char)a[0] < (unsigned char)b[0] ? -1 : 1;
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Mark which members are in the list: both are sorted by bytes, so one
 * merge walk decides (this runs for every event hashed). */
static size_t
mark(bool *in, const mxc__json_member *m, size_t n, const mxc__key *keys,
     size_t n_keys)
{
	size_t i = 0, j = 0, hits = 0;
	while (i < n) {
		if (j == n_keys) {
			in[i++] = false;
			continue;
		}
		int c = key_cmp(m[i].key, m[i].key_len, keys[j].s, keys[j].n);
		if (c < 0) {
			in[i++] = false;
		} else if (c > 0) {
			j++;
		} else {
			in[i++] = true;
			hits++;
			j++;
		}
	}
	return hits;
}

static bool
str_is(const mxc_json *v, const char *s)
{
	size_t n = strlen(s);
	return v && v->type == MXC_JSON_STRING && v->u.str.len == n &&
	       memcmp(v->u.str.s, s, n) == 0;
}

const mxc_json *
mxc__json_filter(mxc__arena *ar, const mxc_json *obj, const mxc__key *keys,
                 size_t n_keys, bool keep)
{
	size_t n = obj->u.obj.n;
	const mxc__json_member *src = obj->u.obj.m;
	bool stack_in[64], *in = stack_in;
	if (n > MXC_ARRAY_LEN(stack_in)) {
		in = mxc__arena_alloc(ar, n);
		if (!in)
			return NULL;
	}
	size_t hits = mark(in, src, n, keys, n_keys);
	size_t count = keep ? hits : n - hits;
	if (count == n)
		return obj;
	mxc__json_member *m;
	mxc_json *v = mxc__json_new_object(ar, count, &m);
	if (!v)
		return NULL;
	/* members stay in the source's (sorted) order: no re-sort */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (in[i] == keep)
			m[k++] = src[i];
	return v;
}

/* Content keys kept for the event type, by redaction revision. */
static const mxc_json *
redact_content(mxc__arena *ar, const mxc_room_version *rv,
               const mxc_json *type, const mxc_json *content)
{
	static const mxc__key none[1] = {MXC__KEY("")};
	static const mxc__key member_v1[] = {MXC__KEY("membership")};
	static const mxc__key member_v9[] = {
		MXC__KEY("join_authorised_via_users_server"),
		MXC__KEY("membership"), MXC__KEY("third_party_invite")
	};
	static const mxc__key create_v1[] = {MXC__KEY("creator")};
	static const mxc__key join_rules_v1[] = {MXC__KEY("join_rule")};
	static const mxc__key join_rules_v8[] = {
		MXC__KEY("allow"), MXC__KEY("join_rule")
	};
	static const mxc__key pl_v1[] = {
		MXC__KEY("ban"), MXC__KEY("events"), MXC__KEY("events_default"),
		MXC__KEY("kick"), MXC__KEY("redact"), MXC__KEY("state_default"),
		MXC__KEY("users"), MXC__KEY("users_default")
	};
	static const mxc__key pl_v11[] = {
		MXC__KEY("ban"), MXC__KEY("events"), MXC__KEY("events_default"),
		MXC__KEY("invite"), MXC__KEY("kick"), MXC__KEY("redact"),
		MXC__KEY("state_default"), MXC__KEY("users"),
		MXC__KEY("users_default")
	};
	static const mxc__key aliases[] = {MXC__KEY("aliases")};
	static const mxc__key history[] = {MXC__KEY("history_visibility")};
	static const mxc__key redaction[] = {MXC__KEY("redacts")};
	const mxc__key *keep = none;
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
	static const mxc__key signed_only[] = {MXC__KEY("signed")};
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
		static const mxc__key tpi_key[] = {
			MXC__KEY("third_party_invite")
		};
		return mxc__json_filter(ar, c, tpi_key, 1, false);
	}
	return mxc__json_object_with(ar, c, "third_party_invite", ntpi);
}

/* Redaction with the top-level keep-list given. */
static const mxc_json *
redact_with(mxc__arena *ar, const mxc_room_version *rv, const mxc_json *pdu,
            const mxc__key *top, size_t n_top)
{
	const mxc_json *r = mxc__json_filter(ar, pdu, top, n_top, true);
	if (!r)
		return NULL;
	const mxc_json *content = mxc_json_get(r, "content", 7);
	const mxc_json *nc =
		redact_content(ar, rv, mxc_json_get(r, "type", 4), content);
	if (!nc)
		return NULL;
	if (nc == content)
		return r;
	return mxc__json_object_with(ar, r, "content", nc);
}

const mxc_json *
mxc__redact_view(mxc__arena *ar, const mxc_room_version *rv,
                 const mxc_json *pdu)
{
	if (rv->redaction >= MXC_REDACTION_V11)
		return redact_with(ar, rv, pdu, top_v11,
		                   MXC_ARRAY_LEN(top_v11));
	return redact_with(ar, rv, pdu, top_v1, MXC_ARRAY_LEN(top_v1));
}

const mxc_json *
mxc__reference_view(mxc__arena *ar, const mxc_room_version *rv,
                    const mxc_json *pdu)
{
	/* Calculating the reference hash: 1. redact; 2. remove signatures
	 * and unsigned (redaction removes unsigned); from v3 a top-level
	 * event_id is not part of the PDU (DESIGN.md: event IDs) */
	if (rv->redaction >= MXC_REDACTION_V11)
		return redact_with(ar, rv, pdu, ref_v11,
		                   MXC_ARRAY_LEN(ref_v11));
	if (rv->event_id_in_pdu)
		return redact_with(ar, rv, pdu, ref_v1, MXC_ARRAY_LEN(ref_v1));
	return redact_with(ar, rv, pdu, ref_v3, MXC_ARRAY_LEN(ref_v3));
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
