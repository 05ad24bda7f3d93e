/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Events: a PDU parsed and validated for its room version, with borrowed
 * accessors for every field.
 *
 * Format (server-server API: PDUs; definitions pdu_v1, pdu_v3, pdu_v4,
 * pdu_v6, pdu_v11, pdu_v12 and components/pdu_base): required fields and
 * their JSON types; v1/v2 carry `event_id` and reference lists
 * [[id, {hashes}]], v3+ plain lists of IDs; v6+ limit `depth` to 2^53-1;
 * v12 create events have no `room_id`. Identifiers (appendices: Server
 * Name, User Identifiers incl. Historical User IDs, Room IDs, Event IDs).
 * Size limits (client-server API: Size limits).
 *
 * An event owns one arena holding the struct, the parsed tree and any
 * derived strings (its computed event ID, a v12 create event's room ID).
 */
#include <stdio.h>

#include "internal.h"

/* canonical JSON integers: [-(2^53)+1, 2^53-1] (appendices) */
#define CANONICAL_INT_MAX ((INT64_C(1) << 53) - 1)

struct mxc_event {
	mxc__arena arena;
	const mxc_room_version *rv;
	unsigned flags;
	const mxc_json *pdu;
	const char *type, *state_key, *sender, *room_id, *id, *redacts;
	size_t type_len, state_key_len, sender_len, room_id_len, id_len,
		redacts_len;
	const mxc_json *content, *prev, *auth, *hashes, *signatures, *unsig;
	int64_t depth, ts;
	bool have_ref;
	uint8_t ref[32]; /* reference hash, when computed at parse */
	char id_buf[MXC_EVENT_ID_HASH_BUF];
};

size_t
mxc_event_max_bytes(void)
{
	return MXC_EVENT_MAX_BYTES;
}

size_t
mxc_event_max_id_bytes(void)
{
	return MXC_EVENT_MAX_ID_BYTES;
}

/* ---- identifier grammars (appendices) ---------------------------------- */

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* appendices: Server Name. server_name = hostname [ ":" port ];
 * hostname = IPv4address / "[" IPv6address "]" / dns-name. IPv4 literals
 * are dns-names to this grammar, so they need no branch of their own. */
bool
mxc__server_name_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	if (s[0] == '[') {
		/* IPv6address = 2*45IPv6char (0-9 A-F a-f : .) */
		i = 1;
		while (i < n && s[i] != ']') {
			unsigned char c = (unsigned char)s[i];
			if (!(is_digit(c) || (c >= 'A' && c <= 'F') ||
			      (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
				return false;
			i++;
		}
		if (i >= n || i - 1 < 2 || i - 1 > 45)
			return false;
		i++; /* the ']' */
	} else {
		/* dns-name = 1*255dns-char (DIGIT / ALPHA / "-" / ".") */
		while (i < n && s[i] != ':') {
			unsigned char c = (unsigned char)s[i];
			if (!(is_digit(c) || is_alpha(c) || c == '-' ||
			      c == '.'))
				return false;
			i++;
		}
		if (i == 0 || i > 255)
			return false;
	}
	if (i == n)
		return true;
	/* port = 1*5DIGIT */
	if (s[i] != ':')
		return false;
	size_t digits = n - i - 1;
	if (digits < 1 || digits > 5)
		return false;
	for (i++; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

/* "&localpart:server_name" where the localpart is any code points but
 * ':' and NUL (historical user IDs; room IDs and v1/v2 event IDs alike),
 * possibly empty. The input is valid UTF-8 (it came from JSON). */
bool
mxc__sigil_id_valid(char sigil, const char *s, size_t n)
{
	if (n < 2 || s[0] != sigil)
		return false;
	const char *colon = memchr(s + 1, ':', n - 1);
	if (!colon)
		return false;
	if (memchr(s + 1, '\0', (size_t)(colon - s - 1)))
		return false;
	return mxc__server_name_valid(colon + 1, n - (size_t)(colon - s) - 1);
}

/* Base64 alphabets by byte: bit 0 standard (A-Z a-z 0-9 + /), bit 1
 * URL-safe (A-Z a-z 0-9 - _). */
static const uint8_t b64_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 1,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 2,
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* "$" or "!" followed by the 43 characters of an unpadded base64 SHA-256
 * (rooms/v3 and v4: Event IDs; rooms/v12: Room IDs). */
bool
mxc__hash_id_valid(char sigil, const char *s, size_t n, bool urlsafe)
{
	if (n != 44 || s[0] != sigil)
		return false;
	const unsigned char *u = (const unsigned char *)s;
	uint8_t bit = urlsafe ? 2 : 1, all = bit;
	for (size_t i = 1; i < n; i++)
		all &= b64_class[u[i]];
	return all != 0;
}

/* An event ID of the room version's format. */
static bool
event_id_valid(const mxc_room_version *rv, const char *s, size_t n)
{
	if (rv->event_id_in_pdu)
		return mxc__sigil_id_valid('$', s, n);
	return mxc__hash_id_valid('$', s, n, rv->event_id_urlsafe);
}

/* ---- validation helpers ------------------------------------------------ */

static int
fail(mxc_error *err, int status, const char *path, const char *msg)
{
	mxc__err(err, status, "%s", msg);
	mxc__err_subject(err, path, strlen(path));
	return status;
}

/* Length of a field for a 255 limit: bytes, or code points with the
 * compatibility flag in the versions that allow it. */
static size_t
limit_len(const mxc_event *ev, const char *s, size_t n)
{
	if (!(ev->flags & MXC_EVENT_PARSE_CODEPOINT_LIMITS) ||
	    !ev->rv->code_point_limits_allowed)
		return n;
	size_t cp = 0;
	for (size_t i = 0; i < n; i++)
		cp += ((unsigned char)s[i] & 0xC0) != 0x80;
	return cp;
}

/* A string field (v: its value, NULL when absent): required or optional;
 * *s NULL when absent. */
static int
get_string(const mxc_json *v, const char *path, bool required,
           const char **s, size_t *n, mxc_error *err)
{
	*s = NULL;
	*n = 0;
	if (!v) {
		if (required)
			return fail(err, MXC_ERR_BAD_EVENT, path,
			            "required field missing");
		return MXC_OK;
	}
	if (v->type != MXC_JSON_STRING)
		return fail(err, MXC_ERR_BAD_EVENT, path, "not a string");
	*s = v->u.str.s;
	*n = v->u.str.len;
	return MXC_OK;
}

static int
get_integer(const mxc_json *v, const char *path, bool required,
            bool *present, int64_t *out, mxc_error *err)
{
	*present = v != NULL;
	*out = 0;
	if (!v)
		return required ? fail(err, MXC_ERR_BAD_EVENT, path,
		                       "required field missing")
		                : MXC_OK;
	if (v->type != MXC_JSON_NUMBER || !mxc_json_is_integer(v))
		return fail(err, MXC_ERR_BAD_EVENT, path, "not an integer");
	if (mxc_json_get_int(out, v) != MXC_OK)
		return fail(err, MXC_ERR_BAD_EVENT, path,
		            "integer out of the 64-bit range");
	return MXC_OK;
}

/* The top-level fields a PDU may have, found in one pass over its
 * members (rather than a lookup per field). */
typedef struct fields {
	const mxc_json *type, *state_key, *sender, *content, *room_id,
		*event_id, *redacts, *prev_events, *auth_events, *depth, *ts,
		*hashes, *signatures, *unsig;
} fields;

#define KEY_IS(lit) (m->key_len == sizeof(lit) - 1 && \
                     memcmp(m->key, lit, sizeof(lit) - 1) == 0)

static void
find_fields(fields *f, const mxc_json *pdu)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < pdu->u.obj.n; i++) {
		const mxc__json_member *m = &pdu->u.obj.m[i];
		const mxc_json *v = m->value;
		if (m->key_len == 0)
			continue;
		switch (m->key[0]) {
		case 'a':
			if (KEY_IS("auth_events"))
				f->auth_events = v;
			break;
		case 'c':
			if (KEY_IS("content"))
				f->content = v;
			break;
		case 'd':
			if (KEY_IS("depth"))
				f->depth = v;
			break;
		case 'e':
			if (KEY_IS("event_id"))
				f->event_id = v;
			break;
		case 'h':
			if (KEY_IS("hashes"))
				f->hashes = v;
			break;
		case 'o':
			if (KEY_IS("origin_server_ts"))
				f->ts = v;
			break;
		case 'p':
			if (KEY_IS("prev_events"))
				f->prev_events = v;
			break;
		case 'r':
			if (KEY_IS("room_id"))
				f->room_id = v;
			else if (KEY_IS("redacts"))
				f->redacts = v;
			break;
		case 's':
			if (KEY_IS("sender"))
				f->sender = v;
			else if (KEY_IS("state_key"))
				f->state_key = v;
			else if (KEY_IS("signatures"))
				f->signatures = v;
			break;
		case 't':
			if (KEY_IS("type"))
				f->type = v;
			break;
		case 'u':
			if (KEY_IS("unsigned"))
				f->unsig = v;
			break;
		default:
			break;
		}
	}
}
#undef KEY_IS

/* The ID in one element of prev_events / auth_events: v1/v2
 * [event_id, {hashes}], v3+ event_id. Label mode accepts both. */
static const char *
ref_id(const mxc_json *el, size_t *len)
{
	if (el->type == MXC_JSON_ARRAY)
		el = mxc_json_at(el, 0);
	return mxc_json_get_string(el, len);
}

static int
check_refs(const mxc_event *ev, const mxc_json *list, const char *name,
           size_t max, mxc_error *err)
{
	char path[40];
	bool labelled = ev->flags & MXC_EVENT_PARSE_LABELLED;
	if (list->type != MXC_JSON_ARRAY) {
		snprintf(path, sizeof path, "$.%s", name);
		return fail(err, MXC_ERR_BAD_EVENT, path, "not an array");
	}
#define REF_PATH() snprintf(path, sizeof path, "$.%s[%zu]", name, i)
	size_t n = list->u.arr.n;
	if (!labelled && n > max) {
		snprintf(path, sizeof path, "$.%s", name);
		mxc__err(err, MXC_ERR_EVENT_TOO_LARGE,
		         "%zu entries, at most %zu allowed", n, max);
		mxc__err_subject(err, path, strlen(path));
		return MXC_ERR_EVENT_TOO_LARGE;
	}
	for (size_t i = 0; i < n; i++) {
		const mxc_json *el = list->u.arr.items[i];
		size_t len;
		/* the path is only written out for an error */
		if (labelled) {
			if (!ref_id(el, &len))
				return REF_PATH(),
				       fail(err, MXC_ERR_BAD_EVENT, path,
				            "not an event ID");
			continue;
		}
		if (ev->rv->event_id_in_pdu) {
			/* pdu_v1: [event_id, event_hash] */
			if (el->type != MXC_JSON_ARRAY || el->u.arr.n != 2 ||
			    el->u.arr.items[0]->type != MXC_JSON_STRING ||
			    el->u.arr.items[1]->type != MXC_JSON_OBJECT)
				return REF_PATH(),
				       fail(err, MXC_ERR_BAD_EVENT, path,
				            "not an [event_id, hashes] pair");
		} else if (el->type != MXC_JSON_STRING) {
			return REF_PATH(), fail(err, MXC_ERR_BAD_EVENT, path,
			                        "not a string");
		}
		const char *id = ref_id(el, &len);
		if (!event_id_valid(ev->rv, id, len))
			return REF_PATH(),
			       fail(err, MXC_ERR_BAD_IDENTIFIER, path,
			            "not an event ID of this room version");
		if (limit_len(ev, id, len) > MXC_EVENT_MAX_ID_BYTES)
			return REF_PATH(),
			       fail(err, MXC_ERR_EVENT_TOO_LARGE, path,
			            "event ID longer than 255 bytes");
	}
#undef REF_PATH
	return MXC_OK;
}

static bool
str_eq(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return s && n == m && memcmp(s, lit, m) == 0;
}

/* Every number a canonical JSON integer (v6+ events from a lenient tree).
 */
static bool
strict_numbers(const mxc_json *v)
{
	switch (v->type) {
	case MXC_JSON_NUMBER: {
		int64_t x;
		size_t len;
		const char *t = mxc_json_number_text(v, &len);
		if (!mxc_json_is_integer(v) || mxc_json_get_int(&x, v) ||
		    x > CANONICAL_INT_MAX || x < -CANONICAL_INT_MAX)
			return false;
		return !(t && len == 2 && t[0] == '-' && t[1] == '0');
	}
	case MXC_JSON_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (!strict_numbers(v->u.arr.items[i]))
				return false;
		return true;
	case MXC_JSON_OBJECT:
		for (size_t i = 0; i < v->u.obj.n; i++)
			if (!strict_numbers(v->u.obj.m[i].value))
				return false;
		return true;
	default:
		return true;
	}
}

enum size_check {
	SIZE_FROM_LEN, /* input text length known: compute only if needed */
	SIZE_COMPUTE,  /* no input text: compute the canonical length */
	SIZE_SKIP      /* a redacted copy of an event that passed */
};

/* client-server API: Size limits: at most 65,536 bytes as canonical JSON,
 * signatures included. Canonical JSON of a strict (v6+) tree is never
 * longer than the text it was parsed from (white space and escapes only
 * shrink; numbers are already canonical), so short input needs no pass. */
static int
check_size(const mxc_event *ev, enum size_check how, size_t text_len,
           mxc_error *err)
{
	if (how == SIZE_SKIP || (how == SIZE_FROM_LEN &&
	                         ev->rv->strict_canonical_json &&
	                         text_len <= MXC_EVENT_MAX_BYTES))
		return MXC_OK;
	mxc_buf b = MXC_BUF_INIT;
	mxc_buf_init(&b, &ev->arena.alloc);
	int rc = mxc__canonical_buf(&b, ev->pdu, err);
	size_t n = b.len;
	mxc_buf_dispose(&b);
	if (rc)
		return rc;
	if (n > MXC_EVENT_MAX_BYTES) {
		mxc__err(err, MXC_ERR_EVENT_TOO_LARGE,
		         "event is %zu bytes as canonical JSON, at most 65536 "
		         "allowed", n);
		mxc__err_subject(err, "$", 1);
		return MXC_ERR_EVENT_TOO_LARGE;
	}
	return MXC_OK;
}

/* ---- the checks -------------------------------------------------------- */

static int
check_signatures_shape(const mxc_json *sigs, mxc_error *err)
{
	if (sigs->type != MXC_JSON_OBJECT)
		return fail(err, MXC_ERR_BAD_EVENT, "$.signatures",
		            "not an object");
	for (size_t i = 0; i < sigs->u.obj.n; i++) {
		const mxc_json *s = sigs->u.obj.m[i].value;
		if (s->type != MXC_JSON_OBJECT)
			goto bad;
		for (size_t j = 0; j < s->u.obj.n; j++)
			if (s->u.obj.m[j].value->type != MXC_JSON_STRING)
				goto bad;
	}
	return MXC_OK;
bad:
	return fail(err, MXC_ERR_BAD_EVENT, "$.signatures",
	            "not an object of objects of strings");
}

static int
event_init(mxc_event *ev, enum size_check how, size_t text_len,
           mxc_error *err)
{
	const mxc_room_version *rv = ev->rv;
	const mxc_json *pdu = ev->pdu;
	bool labelled = ev->flags & MXC_EVENT_PARSE_LABELLED;
	bool present;
	int rc;

	if (pdu->type != MXC_JSON_OBJECT)
		return fail(err, MXC_ERR_BAD_EVENT, "$", "not a JSON object");
	if (!labelled && rv->strict_canonical_json && how == SIZE_COMPUTE &&
	    !strict_numbers(pdu))
		return fail(err, MXC_ERR_JSON_NUMBER_RANGE, "$",
		            "number outside canonical JSON (room version 6+)");

	/* pdu_base: type, state_key, sender, content */
	fields f;
	find_fields(&f, pdu);
	if ((rc = get_string(f.type, "$.type", true, &ev->type,
	                     &ev->type_len, err)))
		return rc;
	if ((rc = get_string(f.state_key, "$.state_key", false,
	                     &ev->state_key, &ev->state_key_len, err)))
		return rc;
	if ((rc = get_string(f.sender, "$.sender", true, &ev->sender,
	                     &ev->sender_len, err)))
		return rc;
	ev->content = f.content;
	if (!ev->content)
		return fail(err, MXC_ERR_BAD_EVENT, "$.content",
		            "required field missing");
	if (ev->content->type != MXC_JSON_OBJECT)
		return fail(err, MXC_ERR_BAD_EVENT, "$.content",
		            "not an object");
	bool is_create = str_eq(ev->type, ev->type_len, "m.room.create");

	/* room_id: pdu_v1..v11 required; v12 required except on create */
	bool room_required = !labelled &&
	                     !(rv->room_id_from_create && is_create);
	if ((rc = get_string(f.room_id, "$.room_id", room_required,
	                     &ev->room_id, &ev->room_id_len, err)))
		return rc;
	if (ev->room_id && rv->room_id_from_create && is_create && !labelled)
		return fail(err, MXC_ERR_ROOM_ID_MISMATCH, "$.room_id",
		            "a v12 m.room.create has no room_id: its room ID "
		            "is derived from it");

	/* event_id: v1/v2 the ID; label mode a label; v3+ not in the PDU */
	if (rv->event_id_in_pdu || labelled) {
		if ((rc = get_string(f.event_id, "$.event_id",
		                     rv->event_id_in_pdu, &ev->id,
		                     &ev->id_len, err)))
			return rc;
	}

	/* redacts: top level (v1 to v10), in content (v11+) */
	if (rv->redacts_in_content)
		rc = get_string(mxc_json_get(ev->content, "redacts", 7),
		                "$.content.redacts",
		                false, &ev->redacts, &ev->redacts_len, err);
	else
		rc = get_string(f.redacts, "$.redacts", false,
		                &ev->redacts, &ev->redacts_len, err);
	if (rc)
		return rc;
	if (!str_eq(ev->type, ev->type_len, "m.room.redaction")) {
		ev->redacts = NULL;
		ev->redacts_len = 0;
	}

	/* prev_events, auth_events */
	ev->prev = f.prev_events;
	ev->auth = f.auth_events;
	if (!labelled && !ev->prev)
		return fail(err, MXC_ERR_BAD_EVENT, "$.prev_events",
		            "required field missing");
	if (!labelled && !ev->auth)
		return fail(err, MXC_ERR_BAD_EVENT, "$.auth_events",
		            "required field missing");
	if (ev->prev && (rc = check_refs(ev, ev->prev, "prev_events",
	                                 MXC_EVENT_MAX_PREV_EVENTS, err)))
		return rc;
	if (ev->auth && (rc = check_refs(ev, ev->auth, "auth_events",
	                                 MXC_EVENT_MAX_AUTH_EVENTS, err)))
		return rc;

	/* depth: pdu_v1 below 2^63-1 (or at it), depth_v6 up to 2^53-1 */
	if ((rc = get_integer(f.depth, "$.depth", !labelled, &present,
	                      &ev->depth, err)))
		return rc;
	if (present && (ev->depth < 0 || ev->depth > rv->max_depth))
		return fail(err, MXC_ERR_BAD_EVENT, "$.depth",
		            "depth out of range for the room version");
	/* origin_server_ts: int64 (pdu_base); v6+ numbers are canonical
	 * JSON integers already */
	if ((rc = get_integer(f.ts, "$.origin_server_ts",
	                      !labelled, &present, &ev->ts, err)))
		return rc;

	/* hashes, signatures, unsigned */
	ev->hashes = f.hashes;
	ev->signatures = f.signatures;
	ev->unsig = f.unsig;
	if (!labelled) {
		const char *h;
		size_t hn;
		if (!ev->hashes)
			return fail(err, MXC_ERR_BAD_EVENT, "$.hashes",
			            "required field missing");
		if (ev->hashes->type != MXC_JSON_OBJECT)
			return fail(err, MXC_ERR_BAD_EVENT, "$.hashes",
			            "not an object");
		if ((rc = get_string(mxc_json_get(ev->hashes, "sha256", 6),
		                     "$.hashes.sha256",
		                     true, &h, &hn, err)))
			return rc;
		if (!ev->signatures)
			return fail(err, MXC_ERR_BAD_EVENT, "$.signatures",
			            "required field missing");
		if ((rc = check_signatures_shape(ev->signatures, err)))
			return rc;
		if (ev->unsig && ev->unsig->type != MXC_JSON_OBJECT)
			return fail(err, MXC_ERR_BAD_EVENT, "$.unsigned",
			            "not an object");
	}
	if (ev->hashes && ev->hashes->type != MXC_JSON_OBJECT)
		ev->hashes = NULL;
	if (ev->signatures && ev->signatures->type != MXC_JSON_OBJECT)
		ev->signatures = NULL;
	if (ev->unsig && ev->unsig->type != MXC_JSON_OBJECT)
		ev->unsig = NULL;

	if (!labelled) {
		/* identifiers (appendices) and their sizes (client-server
		 * API: Size limits) */
		if (limit_len(ev, ev->type, ev->type_len) >
		    MXC_EVENT_MAX_ID_BYTES)
			return fail(err, MXC_ERR_EVENT_TOO_LARGE, "$.type",
			            "type longer than 255 bytes");
		if (ev->state_key &&
		    limit_len(ev, ev->state_key, ev->state_key_len) >
		            MXC_EVENT_MAX_ID_BYTES)
			return fail(err, MXC_ERR_EVENT_TOO_LARGE, "$.state_key",
			            "state_key longer than 255 bytes");
		if (!mxc__sigil_id_valid('@', ev->sender, ev->sender_len))
			return fail(err, MXC_ERR_BAD_IDENTIFIER, "$.sender",
			            "not a user ID");
		if (limit_len(ev, ev->sender, ev->sender_len) >
		    MXC_EVENT_MAX_ID_BYTES)
			return fail(err, MXC_ERR_EVENT_TOO_LARGE, "$.sender",
			            "user ID longer than 255 bytes");
		if (ev->room_id) {
			const char *r = ev->room_id;
			size_t rn = ev->room_id_len;
			bool ok = rv->room_id_from_create
			                  ? mxc__hash_id_valid('!', r, rn, true)
			                  : mxc__sigil_id_valid('!', r, rn);
			if (!ok)
				return fail(err, MXC_ERR_BAD_IDENTIFIER,
				            "$.room_id",
				            "not a room ID of this version");
			if (limit_len(ev, ev->room_id, ev->room_id_len) >
			    MXC_EVENT_MAX_ID_BYTES)
				return fail(err, MXC_ERR_EVENT_TOO_LARGE,
				            "$.room_id",
				            "room ID longer than 255 bytes");
		}
		if (ev->id) {
			if (!event_id_valid(rv, ev->id, ev->id_len))
				return fail(err, MXC_ERR_BAD_IDENTIFIER,
				            "$.event_id",
				            "not an event ID of this version");
			if (limit_len(ev, ev->id, ev->id_len) >
			    MXC_EVENT_MAX_ID_BYTES)
				return fail(err, MXC_ERR_EVENT_TOO_LARGE,
				            "$.event_id",
				            "event ID longer than 255 bytes");
		}
		if ((rc = check_size(ev, how, text_len, err)))
			return rc;
	}

	/* the event ID (rooms/v3, v4: Event IDs), cached */
	if (!ev->id) {
		const mxc_json *view = mxc__reference_view(&ev->arena, rv, pdu);
		if (!view)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		if ((rc = mxc__hash_canonical(ev->ref, view, false, err)))
			return rc;
		ev->have_ref = true;
		ev->id_len = mxc__hash_id(ev->id_buf, '$', ev->ref,
		                          rv->event_id_urlsafe);
		ev->id = ev->id_buf;
	}
	/* rooms/v12 (appendices: Room IDs): the room ID is the create
	 * event's ID with "!" for "$" (in label mode, its label's) */
	if (rv->room_id_from_create && is_create && !ev->room_id) {
		char *r = mxc__arena_strdup(&ev->arena, ev->id, ev->id_len);
		if (!r)
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		if (ev->id_len)
			r[0] = '!';
		ev->room_id = r;
		ev->room_id_len = ev->id_len;
	}
	return MXC_OK;
}

/* A new event around the arena `ar`, whose tree root is `pdu`. On failure
 * the arena is freed. */
static int
event_make(mxc_event **out, mxc__arena *ar, const mxc_room_version *rv,
           const mxc_json *pdu, unsigned flags, enum size_check how,
           size_t text_len, mxc_error *err)
{
	mxc_event *ev = mxc__arena_alloc(ar, sizeof *ev);
	if (!ev) {
		mxc__arena_free(ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	memset(ev, 0, sizeof *ev);
	ev->arena = *ar; /* the arena moves into the event it holds */
	ev->rv = rv;
	ev->flags = flags;
	ev->pdu = pdu;
	int rc = event_init(ev, how, text_len, err);
	if (rc) {
		mxc__arena a = ev->arena;
		mxc__arena_free(&a);
		return rc;
	}
	*out = ev;
	return MXC_OK;
}

static int
check_args(mxc_event **out, const mxc_room_version *rv, unsigned flags,
           mxc_error *err)
{
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or room version");
	*out = NULL;
	if (flags & ~(unsigned)(MXC_EVENT_PARSE_LABELLED |
	                        MXC_EVENT_PARSE_CODEPOINT_LIMITS))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "unknown parse flags");
	return MXC_OK;
}

int
mxc_event_parse(mxc_event **out, const mxc_room_version *rv,
                const char *text, size_t len, unsigned flags,
                const mxc_allocator *alloc, mxc_error *err)
{
	int rc;
	if ((rc = check_args(out, rv, flags, err)))
		return rc;
	if (!text && len)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL text");
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	const mxc_json *root;
	/* canonical JSON numbers from v6 (rooms/v6: Canonical JSON) */
	rc = mxc__json_parse_arena(&root, &ar, text ? text : "", len,
	                           rv->strict_canonical_json
	                                   ? 0
	                                   : MXC_JSON_LENIENT_NUMBERS,
	                           err);
	if (rc) {
		mxc__arena_free(&ar);
		return rc;
	}
	return event_make(out, &ar, rv, root, flags, SIZE_FROM_LEN, len, err);
}

int
mxc_event_from_json(mxc_event **out, const mxc_room_version *rv,
                    const mxc_json *pdu, unsigned flags,
                    const mxc_allocator *alloc, mxc_error *err)
{
	int rc;
	if ((rc = check_args(out, rv, flags, err)))
		return rc;
	if (!pdu)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL event");
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	const mxc_json *root = mxc__json_deep_copy(&ar, pdu);
	if (!root) {
		mxc__arena_free(&ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	return event_make(out, &ar, rv, root, flags, SIZE_COMPUTE, 0, err);
}

void
mxc_event_free(mxc_event *ev)
{
	if (!ev)
		return;
	mxc__arena a = ev->arena; /* ev lives in the arena itself */
	mxc__arena_free(&a);
}

int
mxc_event_redact(mxc_event **out, const mxc_event *ev, mxc_error *err)
{
	if (!out || !ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL argument");
	*out = NULL;
	mxc__arena ar;
	mxc__arena_init(&ar, &ev->arena.alloc);
	const mxc_json *view = mxc__redact_view(&ar, ev->rv, ev->pdu);
	const mxc_json *root = view ? mxc__json_deep_copy(&ar, view) : NULL;
	if (!root) {
		mxc__arena_free(&ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	/* the view's objects stay in the arena unused: a small waste for
	 * one allocation set. A redacted event is never larger. */
	return event_make(out, &ar, ev->rv, root, ev->flags, SIZE_SKIP, 0,
	                  err);
}

/* ---- accessors --------------------------------------------------------- */

#define SET_LEN(len, v)                                                     \
	do {                                                                \
		if (len)                                                    \
			*(len) = (v);                                       \
	} while (0)

const mxc_room_version *
mxc_event_room_version(const mxc_event *ev)
{
	return ev ? ev->rv : NULL;
}

const mxc_json *
mxc_event_json(const mxc_event *ev)
{
	return ev ? ev->pdu : NULL;
}

const char *
mxc_event_id(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->id_len : 0);
	return ev ? ev->id : NULL;
}

const char *
mxc_event_type(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->type_len : 0);
	return ev ? ev->type : NULL;
}

int
mxc_event_is_state(const mxc_event *ev)
{
	return ev && ev->state_key;
}

const char *
mxc_event_state_key(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->state_key_len : 0);
	return ev ? ev->state_key : NULL;
}

const char *
mxc_event_sender(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->sender_len : 0);
	return ev ? ev->sender : NULL;
}

const char *
mxc_event_room_id(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->room_id_len : 0);
	return ev ? ev->room_id : NULL;
}

const mxc_json *
mxc_event_content(const mxc_event *ev)
{
	return ev ? ev->content : NULL;
}

const char *
mxc_event_membership(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, 0);
	if (!ev)
		return NULL;
	return mxc_json_get_string(mxc_json_getz(ev->content, "membership"),
	                           len);
}

size_t
mxc_event_prev_events_count(const mxc_event *ev)
{
	return ev ? mxc_json_size(ev->prev) : 0;
}

const char *
mxc_event_prev_event(const mxc_event *ev, size_t i, size_t *len)
{
	SET_LEN(len, 0);
	const mxc_json *el = ev ? mxc_json_at(ev->prev, i) : NULL;
	return el ? ref_id(el, len) : NULL;
}

size_t
mxc_event_auth_events_count(const mxc_event *ev)
{
	return ev ? mxc_json_size(ev->auth) : 0;
}

const char *
mxc_event_auth_event(const mxc_event *ev, size_t i, size_t *len)
{
	SET_LEN(len, 0);
	const mxc_json *el = ev ? mxc_json_at(ev->auth, i) : NULL;
	return el ? ref_id(el, len) : NULL;
}

int64_t
mxc_event_depth(const mxc_event *ev)
{
	return ev ? ev->depth : 0;
}

int64_t
mxc_event_origin_server_ts(const mxc_event *ev)
{
	return ev ? ev->ts : 0;
}

const char *
mxc_event_redacts(const mxc_event *ev, size_t *len)
{
	SET_LEN(len, ev ? ev->redacts_len : 0);
	return ev ? ev->redacts : NULL;
}

const mxc_json *
mxc_event_hashes(const mxc_event *ev)
{
	return ev ? ev->hashes : NULL;
}

const mxc_json *
mxc_event_signatures(const mxc_event *ev)
{
	return ev ? ev->signatures : NULL;
}

const mxc_json *
mxc_event_unsigned(const mxc_event *ev)
{
	return ev ? ev->unsig : NULL;
}

int
mxc_event_content_hash(uint8_t *out, const mxc_event *ev, mxc_error *err)
{
	if (!ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL event");
	return mxc_event_content_hash_json(out, ev->rv, ev->pdu, err);
}

int
mxc_event_reference_hash(uint8_t *out, const mxc_event *ev, mxc_error *err)
{
	if (!out || !ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL argument");
	if (ev->have_ref) {
		memcpy(out, ev->ref, 32);
		return MXC_OK;
	}
	return mxc_event_reference_hash_json(out, ev->rv, ev->pdu, err);
}

int
mxc_event_check_room_id(const mxc_event *ev, const mxc_event *create,
                        mxc_error *err)
{
	if (!ev || !create)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL argument");
	if (!str_eq(create->type, create->type_len, "m.room.create"))
		return fail(err, MXC_ERR_INVALID_ARGUMENT, "$.type",
		            "not an m.room.create event");
	if (!ev->room_id || !create->room_id ||
	    ev->room_id_len != create->room_id_len ||
	    memcmp(ev->room_id, create->room_id, ev->room_id_len) != 0)
		return fail(err, MXC_ERR_ROOM_ID_MISMATCH, "$.room_id",
		            "room_id is not the create event's room ID");
	return MXC_OK;
}
