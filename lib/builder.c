/* SPDX-License-Identifier: Apache-2.0 */
/*
 * New events for local users (include/matrix-core/builder.h): prev events
 * from the forward extremities, depth, auth events by auth events
 * selection over the current state, hashes and signature, then the
 * authorisation rules as a last check; and the joining server's half of
 * the remote join handshake (make_join template, send_join response).
 * Everything is built in a scratch arena as views over the caller's JSON,
 * then signed (a new document) and parsed into an mxc_event.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define CREATE_TYPE "m.room.create"
#define MEMBER_TYPE "m.room.member"

static bool
str_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool
strz_eq(const char *a, size_t an, const char *z)
{
	return str_eq(a, an, z, strlen(z));
}

/* err with a JSON path ("$.event.type") as its subject. */
static int
err_at(mxc_error *err, int status, const char *path, const char *msg)
{
	mxc__err(err, status, "%s", msg);
	mxc__err_subject(err, path, strlen(path));
	return status;
}

/* A string member, or NULL (also when of another type). */
static const char *
get_str(const mxc_json *obj, const char *key, size_t *len)
{
	return mxc_json_get_string(mxc_json_getz(obj, key), len);
}

/* Is `user` (len bytes) a user of `server`? */
static bool
user_of(const char *user, size_t len, const char *server)
{
	const char *dom;
	size_t dl;
	return mxc__user_id_domain(user, len, &dom, &dl) &&
	       strz_eq(dom, dl, server);
}

/* ---- event references ------------------------------------------------- */

/* A reference to an event as prev_events / auth_events hold it: its ID,
 * or in v1/v2 the pair [id, {"sha256": reference hash}] (pdu_v1). */
static const mxc_json *
event_ref(mxc__arena *ar, const mxc_room_version *rv, const mxc_event *ev,
          mxc_error *err, int *rc)
{
	size_t idn;
	const char *id = mxc_event_id(ev, &idn);
	mxc_json *s = mxc__json_new_string(ar, id, idn);
	if (!s) {
		*rc = MXC_ERR_NOMEM;
		return NULL;
	}
	if (!rv->event_id_in_pdu)
		return s;
	uint8_t h[32];
	if ((*rc = mxc_event_reference_hash(h, ev, err)))
		return NULL;
	char b64[48];
	size_t bn = mxc__base64_encode_raw(b64, h, sizeof h, false);
	mxc__json_member *m;
	const mxc_json **items;
	mxc_json *hashes = mxc__json_new_object(ar, 1, &m);
	mxc_json *pair = mxc__json_new_array(ar, 2, &items);
	mxc_json *hv = mxc__json_new_string(ar, b64, bn);
	if (!hashes || !pair || !hv) {
		*rc = MXC_ERR_NOMEM;
		return NULL;
	}
	m[0].key = "sha256";
	m[0].key_len = 6;
	m[0].value = hv;
	if ((*rc = mxc__json_object_finish(hashes)))
		return NULL;
	items[0] = s;
	items[1] = hashes;
	return pair;
}

static const mxc_json *
event_refs(mxc__arena *ar, const mxc_room_version *rv,
           const mxc_event *const *evs, size_t n, mxc_error *err, int *rc)
{
	const mxc_json **items;
	mxc_json *arr = mxc__json_new_array(ar, n, &items);
	if (!arr) {
		*rc = MXC_ERR_NOMEM;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!(items[i] = event_ref(ar, rv, evs[i], err, rc)))
			return NULL;
	return arr;
}

/* ---- prev events -------------------------------------------------------- */

static int
cmp_id(const void *a, const void *b)
{
	const mxc_event *x = *(const mxc_event *const *)a;
	const mxc_event *y = *(const mxc_event *const *)b;
	size_t xn, yn;
	const char *xi = mxc_event_id(x, &xn), *yi = mxc_event_id(y, &yn);
	int c = memcmp(xi, yi, xn < yn ? xn : yn);
	return c ? c : (xn > yn) - (xn < yn);
}

/* Deepest first, then event ID ascending (builder.h: prev_events). */
static int
cmp_depth_id(const void *a, const void *b)
{
	int64_t x = mxc_event_depth(*(const mxc_event *const *)a);
	int64_t y = mxc_event_depth(*(const mxc_event *const *)b);
	if (x != y)
		return x > y ? -1 : 1;
	return cmp_id(a, b);
}

/* Sort, drop duplicates and keep at most MXC_EVENT_MAX_PREV_EVENTS; two
 * different events under one ID are MXC_ERR_BAD_EVENT. */
static int
choose_prev(const mxc_event **v, size_t *n, mxc_error *err)
{
	size_t k = 0;
	qsort(v, *n, sizeof *v, cmp_id);
	for (size_t i = 0; i < *n; i++) {
		if (k && cmp_id(&v[k - 1], &v[i]) == 0) {
			if (v[k - 1] != v[i] &&
			    !mxc_json_equal(mxc_event_json(v[k - 1]),
			                    mxc_event_json(v[i]))) {
				size_t idn;
				const char *id = mxc_event_id(v[i], &idn);
				mxc__err(err, MXC_ERR_BAD_EVENT, "two different "
				         "forward extremities with one event ID");
				mxc__err_subject(err, id, idn);
				return MXC_ERR_BAD_EVENT;
			}
			continue;
		}
		v[k++] = v[i];
	}
	qsort(v, k, sizeof *v, cmp_depth_id);
	*n = k < MXC_EVENT_MAX_PREV_EVENTS ? k : MXC_EVENT_MAX_PREV_EVENTS;
	return MXC_OK;
}

/* ---- mxc_build_event ------------------------------------------------ */

/* Fields the builder sets, refused in a prototype. */
static const char *const builder_owned[] = {
	"auth_events", "depth", "event_id", "hashes",
	"origin_server_ts", "prev_events", "signatures", "unsigned",
};

static int
check_proto(const mxc_json *proto, const char *server_name,
            mxc_error *err)
{
	if (mxc_json_get_type(proto) != MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$",
		              "the prototype is not an object");
	for (size_t i = 0; i < MXC_ARRAY_LEN(builder_owned); i++) {
		if (mxc_json_getz(proto, builder_owned[i])) {
			char path[32];
			snprintf(path, sizeof path, "$.%s", builder_owned[i]);
			mxc__err(err, MXC_ERR_BAD_EVENT, "the builder sets "
			         "%s: it may not be in the prototype",
			         builder_owned[i]);
			mxc__err_subject(err, path, strlen(path));
			return MXC_ERR_BAD_EVENT;
		}
	}
	size_t sn;
	const char *sender = get_str(proto, "sender", &sn);
	if (!get_str(proto, "type", NULL))
		return err_at(err, MXC_ERR_BAD_EVENT, "$.type",
		              "type must be a string");
	if (!sender)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.sender",
		              "sender must be a string");
	if (mxc_json_get_type(mxc_json_getz(proto, "content")) !=
	    MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.content",
		              "content must be an object");
	const mxc_json *sk = mxc_json_getz(proto, "state_key");
	if (sk && mxc_json_get_type(sk) != MXC_JSON_STRING)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.state_key",
		              "state_key must be a string");
	const mxc_json *room = mxc_json_getz(proto, "room_id");
	if (room && mxc_json_get_type(room) != MXC_JSON_STRING)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.room_id",
		              "room_id must be a string");
	if (!user_of(sender, sn, server_name))
		return err_at(err, MXC_ERR_INVALID_ARGUMENT, "$.sender",
		              "the sender is not a user of the signing "
		              "server");
	return MXC_OK;
}

/* The builder's own key, for the signature rules (v8+ rule 4.2.1). */
typedef struct own_key {
	uint8_t pub[MXC_ED25519_PUBLIC_BYTES];
	mxc_event_key k;
} own_key;

static void
own_key_init(own_key *o, const char *server_name,
             const mxc_signing_key *key)
{
	mxc_signing_key_public(o->pub, key);
	o->k.server_name = server_name;
	o->k.key_id = mxc_signing_key_id(key);
	o->k.public_key = o->pub;
	o->k.public_key_len = sizeof o->pub;
	o->k.valid_until_ts = MXC_TS_NONE;
	o->k.expired_ts = MXC_TS_NONE;
}

/* The v1/v2 event ID "$opaque:server" (pdu_v1: event_id). */
static const mxc_json *
v1_event_id(mxc__arena *ar, const char *opaque_id, const char *server_name)
{
	size_t on = strlen(opaque_id), sn = strlen(server_name);
	char *s = mxc__arena_alloc(ar, on + sn + 3);
	if (!s)
		return NULL;
	s[0] = '$';
	memcpy(s + 1, opaque_id, on);
	s[1 + on] = ':';
	memcpy(s + 2 + on, server_name, sn);
	return mxc__json_new_string(ar, s, on + sn + 2);
}

/* Check the built event against the current state and against its own
 * auth events (checks 6 and 4 on receipt, as a receiver will run them). */
static int
auth_built(const mxc_event *ev, const mxc_auth_state *state,
           const mxc_event *const *auth, size_t n_auth,
           const mxc_event *create, const own_key *ok,
           const mxc_allocator *alloc, mxc_error *err)
{
	int rc = mxc_auth_check(ev, state, &ok->k, 1, MXC_TS_NONE, 0, err);
	if (rc)
		return rc;
	const mxc_event *set[MXC_AUTH_TYPES_MAX + 1];
	size_t n = 0;
	for (size_t i = 0; i < n_auth; i++)
		set[n++] = auth[i];
	/* v12: the create event goes with the set (auth.h), not as an
	 * auth event */
	const mxc_room_version *rv = mxc_event_room_version(ev);
	if (!rv->create_in_auth_events && create)
		set[n++] = create;
	mxc_auth_state *as = NULL;
	if ((rc = mxc_auth_state_new(&as, set, n, alloc, err)))
		return rc;
	rc = mxc_auth_check(ev, as, &ok->k, 1, MXC_TS_NONE,
	                    MXC_AUTH_AUTH_EVENTS, err);
	mxc_auth_state_free(as);
	return rc;
}

/* Sign `obj` and parse it as a PDU of rv. */
static int
sign_and_parse(mxc_event **out, const mxc_room_version *rv,
               const mxc_json *obj, const char *server_name,
               const mxc_signing_key *key, const mxc_allocator *alloc,
               mxc_error *err)
{
	mxc_json *signed_pdu = NULL;
	int rc = mxc_event_sign_json(&signed_pdu, rv, obj, server_name, key,
	                             alloc, err);
	if (rc == MXC_OK)
		rc = mxc_event_from_json(out, rv, signed_pdu, 0, alloc, err);
	mxc_json_free(signed_pdu);
	return rc;
}

int
mxc_build_event(mxc_event **out, const mxc_room_version *rv,
                const mxc_json *proto, const mxc_auth_state *state,
                const mxc_event *const *extremities, size_t n_extremities,
                int64_t origin_server_ts, const char *server_name,
                const mxc_signing_key *key, const char *opaque_id,
                const mxc_allocator *alloc, mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "build event: NULL out");
	*out = NULL;
	if (!rv || !proto || !server_name || !key ||
	    (n_extremities && !extremities))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "build event: NULL argument");
	int rc = check_proto(proto, server_name, err);
	if (rc)
		return rc;
	if (rv->event_id_in_pdu && (!opaque_id || !*opaque_id))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "room version "
		                "%s needs the event ID's opaque part", rv->id);
	size_t tn;
	const char *type = get_str(proto, "type", &tn);
	bool is_create = strz_eq(type, tn, CREATE_TYPE);

	/* The room ID (builder.h: Room IDs). */
	size_t pn = 0, rn = 0;
	const char *proto_room = get_str(proto, "room_id", &pn);
	const char *room = NULL;
	const mxc_event *create =
		state ? mxc_auth_state_get(state, CREATE_TYPE, 13, "", 0) : NULL;
	if (create && mxc_event_room_version(create) != rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "the state's "
		                "m.room.create is of another room version");
	if (is_create && rv->room_id_from_create) {
		if (proto_room)
			return err_at(err, MXC_ERR_BAD_EVENT, "$.room_id",
			              "a create event of this room version has "
			              "no room_id: its room ID is derived from "
			              "it");
	} else if (is_create) {
		if (!proto_room)
			return err_at(err, MXC_ERR_BAD_EVENT, "$.room_id",
			              "a create event needs its room_id");
		room = proto_room;
		rn = pn;
	} else if (create) {
		room = mxc_event_room_id(create, &rn);
		if (proto_room && !str_eq(proto_room, pn, room, rn))
			return err_at(err, MXC_ERR_ROOM_ID_MISMATCH, "$.room_id",
			              "room_id is not the room of the current "
			              "state's m.room.create");
	} else if (proto_room) {
		room = proto_room; /* the auth rules will say what is missing */
		rn = pn;
	} else {
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "no "
		                "m.room.create in the current state and no "
		                "room_id in the prototype");
	}
	if (!is_create && n_extremities == 0)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "an event other "
		                "than m.room.create needs prev events (the "
		                "forward extremities)");
	for (size_t i = 0; i < n_extremities; i++) {
		const mxc_event *x = extremities[i];
		size_t xn;
		const char *xr = x ? mxc_event_room_id(x, &xn) : NULL;
		if (!x || mxc_event_room_version(x) != rv)
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "forward extremity %zu: NULL or of another "
			                "room version", i);
		if (room && (!xr || !str_eq(xr, xn, room, rn))) {
			size_t idn;
			const char *id = mxc_event_id(x, &idn);
			mxc__err(err, MXC_ERR_ROOM_ID_MISMATCH, "forward "
			         "extremity in another room");
			mxc__err_subject(err, id, idn);
			return MXC_ERR_ROOM_ID_MISMATCH;
		}
	}

	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	const mxc_event **prev = NULL;
	mxc_event *draft = NULL, *ev = NULL;
	const mxc_event *auth[MXC_AUTH_TYPES_MAX];
	size_t n_auth = 0;
	rc = MXC_ERR_NOMEM;

	/* prev_events and depth (builder.h) */
	size_t n_prev = n_extremities;
	if (n_prev) {
		prev = mxc__arena_alloc(&ar, n_prev * sizeof *prev);
		if (!prev)
			goto done;
		memcpy(prev, extremities, n_prev * sizeof *prev);
		if ((rc = choose_prev(prev, &n_prev, err)))
			goto done;
	}
	int64_t depth = 0;
	for (size_t i = 0; i < n_prev; i++)
		if (mxc_event_depth(prev[i]) > depth)
			depth = mxc_event_depth(prev[i]);
	/* pdu_v1 / depth_v6: at the limit, the depth stays at the limit */
	depth = depth >= rv->max_depth ? rv->max_depth : depth + 1;

	rc = MXC_ERR_NOMEM;
	const mxc_json *prev_json =
		event_refs(&ar, rv, prev, n_prev, err, &rc);
	if (!prev_json)
		goto done;
	const mxc_json **no_items;
	const mxc_json *empty = mxc__json_new_array(&ar, 0, &no_items);
	const mxc_json *depth_json = mxc__json_new_int(&ar, depth);
	const mxc_json *ts_json = mxc__json_new_int(&ar, origin_server_ts);
	const mxc_json *room_json =
		room ? mxc__json_new_string(&ar, room, rn) : NULL;
	if (!empty || !depth_json || !ts_json || (room && !room_json))
		goto done;
	const mxc_json *obj = proto;
	obj = mxc__json_object_with(&ar, obj, "prev_events", prev_json);
	obj = obj ? mxc__json_object_with(&ar, obj, "depth", depth_json) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "origin_server_ts",
	                                  ts_json) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "auth_events", empty)
	          : NULL;
	if (obj && room_json)
		obj = mxc__json_object_with(&ar, obj, "room_id", room_json);
	if (obj && rv->event_id_in_pdu) {
		const mxc_json *id = v1_event_id(&ar, opaque_id, server_name);
		obj = id ? mxc__json_object_with(&ar, obj, "event_id", id)
		         : NULL;
	}
	if (!obj)
		goto done;

	/* auth_events: auth events selection over the current state */
	if ((rc = mxc_event_from_json(&draft, rv, obj,
	                              MXC_EVENT_PARSE_LABELLED, alloc, err)))
		goto done;
	mxc_auth_type types[MXC_AUTH_TYPES_MAX];
	size_t n_types = 0;
	if ((rc = mxc_auth_types(types, MXC_ARRAY_LEN(types), &n_types,
	                         draft, err)))
		goto done;
	for (size_t i = 0; i < n_types && state; i++) {
		const mxc_event *a = mxc_auth_state_get(
			state, types[i].type, types[i].type_len,
			types[i].state_key, types[i].state_key_len);
		bool dup = false;
		for (size_t j = 0; j < n_auth; j++)
			dup = dup || auth[j] == a;
		if (a && !dup)
			auth[n_auth++] = a;
	}
	for (size_t i = 0; i < n_auth; i++)
		if (mxc_event_room_version(auth[i]) != rv) {
			rc = mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "a state "
			              "event of another room version");
			goto done;
		}
	rc = MXC_ERR_NOMEM;
	const mxc_json *auth_json = event_refs(&ar, rv, auth, n_auth, err, &rc);
	if (!auth_json)
		goto done;
	rc = MXC_ERR_NOMEM;
	if (!(obj = mxc__json_object_with(&ar, obj, "auth_events", auth_json)))
		goto done;

	/* hashes, signature, and the PDU's format */
	if ((rc = sign_and_parse(&ev, rv, obj, server_name, key, alloc, err)))
		goto done;

	own_key ok;
	own_key_init(&ok, server_name, key);
	if ((rc = auth_built(ev, state, auth, n_auth, create, &ok, alloc,
	                     err)))
		goto done;
	*out = ev;
	ev = NULL;
done:
	mxc_event_free(ev);
	mxc_event_free(draft);
	mxc__arena_free(&ar);
	return rc;
}

/* ---- make_join -------------------------------------------------------- */

int
mxc_build_make_join(mxc_event **out, const mxc_room_version *rv,
                    const mxc_json *response, const char *room_id,
                    const char *user_id, int64_t origin_server_ts,
                    const char *server_name, const mxc_signing_key *key,
                    const char *opaque_id, const mxc_allocator *alloc,
                    mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "make_join: NULL out");
	*out = NULL;
	if (!rv || !response || !room_id || !user_id || !server_name || !key)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "make_join: NULL argument");
	if (!user_of(user_id, strlen(user_id), server_name))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "make_join: the "
		                "user is not a user of the joining server");
	if (rv->event_id_in_pdu && (!opaque_id || !*opaque_id))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "room version "
		                "%s needs the event ID's opaque part", rv->id);
	/* GET /make_join: "MUST verify", else the response is malformed */
	if (mxc_json_get_type(response) != MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$",
		              "the make_join response is not an object");
	const mxc_json *ver = mxc_json_getz(response, "room_version");
	size_t vn;
	const char *vs = mxc_json_get_string(ver, &vn);
	if (ver ? !vs || !strz_eq(vs, vn, rv->id)
	        /* "If not provided, the room version is assumed to be
	         * either 1 or 2" (the spec names the versions) */
	        : strcmp(rv->id, "1") != 0 && strcmp(rv->id, "2") != 0)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.room_version",
		              "the template is not of the expected room "
		              "version");
	const mxc_json *tmpl = mxc_json_getz(response, "event");
	if (mxc_json_get_type(tmpl) != MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event",
		              "the response has no event template");
	size_t n;
	const char *s = get_str(tmpl, "type", &n);
	if (!s || !strz_eq(s, n, MEMBER_TYPE))
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event.type",
		              "the template is not an m.room.member event");
	s = get_str(tmpl, "room_id", &n);
	if (!s || !strz_eq(s, n, room_id))
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event.room_id",
		              "the template is for another room");
	s = get_str(tmpl, "sender", &n);
	if (!s || !strz_eq(s, n, user_id))
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event.sender",
		              "the template's sender is not the joining user");
	s = get_str(tmpl, "state_key", &n);
	if (!s || !strz_eq(s, n, user_id))
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event.state_key",
		              "the template's state_key is not the joining "
		              "user");
	s = get_str(mxc_json_getz(tmpl, "content"), "membership", &n);
	if (!s || !strz_eq(s, n, "join"))
		return err_at(err, MXC_ERR_BAD_EVENT,
		              "$.event.content.membership",
		              "the template is not a join");

	/* Joining Rooms: add or replace origin, origin_server_ts and
	 * event_id; the template is unsigned */
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	int rc = MXC_ERR_NOMEM;
	const mxc_json *origin = mxc__json_new_string(&ar, server_name,
	                                              strlen(server_name));
	const mxc_json *ts = mxc__json_new_int(&ar, origin_server_ts);
	const mxc_json *id =
		rv->event_id_in_pdu ? v1_event_id(&ar, opaque_id, server_name)
		                    : NULL;
	const mxc_json *obj = origin && ts && (id || !rv->event_id_in_pdu)
	                              ? tmpl : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "origin", origin) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "origin_server_ts", ts)
	          : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "event_id", id) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "hashes", NULL) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "signatures", NULL) : NULL;
	obj = obj ? mxc__json_object_with(&ar, obj, "unsigned", NULL) : NULL;
	if (obj)
		rc = sign_and_parse(out, rv, obj, server_name, key, alloc, err);
	mxc__arena_free(&ar);
	return rc;
}

/* ---- send_join -------------------------------------------------------- */

/* Rooms v5 "Signing key validity period": may this key verify an event
 * sent at ts? */
static bool
key_usable(const mxc_room_version *rv, const mxc_event_key *k, int64_t ts,
           int64_t now_ts)
{
	if (k->expired_ts != MXC_TS_NONE && k->expired_ts < ts)
		return false;
	if (rv->enforce_key_validity && k->valid_until_ts != MXC_TS_NONE) {
		int64_t until = k->valid_until_ts;
		const int64_t week = 7LL * 24 * 3600 * 1000;
		if (now_ts != MXC_TS_NONE && now_ts < INT64_MAX - week &&
		    now_ts + week < until)
			until = now_ts + week;
		if (until < ts)
			return false;
	}
	return true;
}

/* The authorising server's signature on the returned join (v8+ auth rule
 * 4.2.1; PUT /send_join: "The resident server which owns the provided
 * user ID must have a valid signature on the event"). */
static int
check_authoriser(const mxc_room_version *rv, const mxc_json *ev,
                 const char *server, size_t server_len,
                 const mxc_event_key *keys, size_t n_keys, int64_t ts,
                 int64_t now_ts, mxc_error *err)
{
	char name[256];
	if (server_len >= sizeof name)
		return err_at(err, MXC_ERR_BAD_EVENT,
		              "$.event.content.join_authorised_via_users_server",
		              "server name too long");
	memcpy(name, server, server_len);
	name[server_len] = '\0';
	const mxc_json *sigs =
		mxc_json_get(mxc_json_getz(ev, "signatures"), name, server_len);
	size_t n = mxc_json_size(sigs);
	bool known = false;
	for (size_t i = 0; i < n; i++) {
		const char *kid;
		size_t kn;
		mxc_json_member(sigs, i, &kid, &kn);
		for (size_t j = 0; j < n_keys; j++) {
			const mxc_event_key *k = &keys[j];
			if (!k->server_name || !k->key_id ||
			    strcmp(k->server_name, name) != 0 ||
			    !strz_eq(kid, kn, k->key_id) ||
			    !key_usable(rv, k, ts, now_ts))
				continue;
			known = true;
			if (mxc_event_verify_signature(rv, ev, name, k->key_id,
			                               k->public_key,
			                               k->public_key_len,
			                               NULL) == MXC_OK)
				return MXC_OK;
		}
	}
	if (n == 0 || mxc_json_get_type(sigs) != MXC_JSON_OBJECT || known) {
		mxc__err(err, MXC_ERR_BAD_SIGNATURE, "the join has no valid "
		         "signature by the authorising server %s", name);
		mxc__err_subject(err, "$.event.signatures", 18);
		return MXC_ERR_BAD_SIGNATURE;
	}
	mxc__err(err, MXC_ERR_NEED_INPUT, "a key of the authorising server "
	         "is needed to check its signature");
	mxc__err_subject(err, name, server_len);
	return MXC_ERR_NEED_INPUT;
}

/* The returned join is ours with signatures added. */
static int
check_returned_join(const mxc_json *ours, const mxc_json *theirs,
                    const char *our_server, size_t our_len,
                    const mxc_allocator *alloc, mxc_error *err)
{
	if (mxc_json_get_type(theirs) != MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.event",
		              "event is not an object");
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	const mxc_json *a = mxc__json_object_with(&ar, ours, "signatures",
	                                          NULL);
	const mxc_json *b = mxc__json_object_with(&ar, theirs, "signatures",
	                                          NULL);
	a = a ? mxc__json_object_with(&ar, a, "unsigned", NULL) : NULL;
	b = b ? mxc__json_object_with(&ar, b, "unsigned", NULL) : NULL;
	int rc = MXC_OK;
	if (!a || !b) {
		rc = MXC_ERR_NOMEM;
	} else if (!mxc_json_equal(a, b)) {
		rc = err_at(err, MXC_ERR_BAD_EVENT, "$.event", "the returned "
		            "event is not the join we sent");
	} else {
		const mxc_json *sa = mxc_json_get(
			mxc_json_getz(ours, "signatures"), our_server, our_len);
		const mxc_json *sb = mxc_json_get(
			mxc_json_getz(theirs, "signatures"), our_server, our_len);
		if (!sa || !sb || !mxc_json_equal(sa, sb))
			rc = err_at(err, MXC_ERR_BAD_EVENT, "$.event.signatures",
			            "the returned event lost or changed our "
			            "signature");
	}
	mxc__arena_free(&ar);
	return rc;
}

/* Each entry of a returned list: a PDU of rv, in our room. */
static int
check_list(const mxc_room_version *rv, const mxc_json *list,
           const char *field, const char *room, size_t rn, bool state,
           bool *have_create, const mxc_allocator *alloc,
           mxc_error *err)
{
	int rc = MXC_OK;
	mxc_event *ev = NULL;
	for (size_t i = 0; i < mxc_json_size(list) && rc == MXC_OK; i++) {
		const mxc_json *e = mxc_json_at(list, i);
		if (mxc_json_get_type(e) != MXC_JSON_OBJECT) {
			rc = mxc__err(err, MXC_ERR_BAD_EVENT, "not an object");
		} else if ((rc = mxc_event_from_json(&ev, rv, e, 0, alloc,
		                                     err))) {
			/* err from the parser */
		} else {
			size_t ern, tn, skn;
			const char *er = mxc_event_room_id(ev, &ern);
			const char *t = mxc_event_type(ev, &tn);
			const char *sk = mxc_event_state_key(ev, &skn);
			if (!er || !str_eq(er, ern, room, rn)) {
				rc = mxc__err(err, MXC_ERR_ROOM_ID_MISMATCH,
				              "an event of another room");
			} else if (state && !sk) {
				rc = mxc__err(err, MXC_ERR_BAD_EVENT,
				              "not a state event");
			} else if (state && strz_eq(t, tn, CREATE_TYPE) &&
			           skn == 0) {
				/* content.room_version, "1" when absent
				 * (m.room.create) */
				const mxc_json *v = mxc_json_getz(
					mxc_event_content(ev), "room_version");
				size_t vn;
				const char *vs = mxc_json_get_string(v, &vn);
				if (v ? !vs || !strz_eq(vs, vn, rv->id)
				      : strcmp(rv->id, "1") != 0)
					rc = mxc__err(err, MXC_ERR_BAD_EVENT,
					              "the room's m.room.create "
					              "is of another room version");
				else
					*have_create = true;
			}
		}
		mxc_event_free(ev);
		ev = NULL;
		if (rc && err) {
			char path[64];
			snprintf(path, sizeof path, "$.%s[%zu]", field, i);
			if (!err->subject[0] || err->subject[0] != '$')
				mxc__err_subject(err, path, strlen(path));
			else
				mxc__err_path_key(err, path + 2, strlen(path) - 2);
		}
	}
	return rc;
}

int
mxc_build_check_send_join(mxc_event **out, const mxc_event *join,
                          const mxc_json *response,
                          const mxc_event_key *keys, size_t n_keys,
                          int64_t now_ts, const mxc_allocator *alloc,
                          mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!join || !response || (n_keys && !keys))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "send_join: NULL argument");
	const mxc_room_version *rv = mxc_event_room_version(join);
	const mxc_json *ours = mxc_event_json(join);
	if (mxc_json_get_type(response) != MXC_JSON_OBJECT)
		return err_at(err, MXC_ERR_BAD_EVENT, "$",
		              "the send_join response is not an object");
	const mxc_json *state = mxc_json_getz(response, "state");
	const mxc_json *chain = mxc_json_getz(response, "auth_chain");
	if (mxc_json_get_type(state) != MXC_JSON_ARRAY)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.state",
		              "state must be a list of events");
	if (mxc_json_get_type(chain) != MXC_JSON_ARRAY)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.auth_chain",
		              "auth_chain must be a list of events");
	size_t sn, rn;
	const char *sender = mxc_event_sender(join, &sn);
	const char *room = mxc_event_room_id(join, &rn);
	const char *our_server;
	size_t our_len;
	if (!mxc__user_id_domain(sender, sn, &our_server, &our_len) || !room)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "send_join: the join has no sender server");

	const mxc_json *theirs = mxc_json_getz(response, "event");
	int rc;
	if (theirs && (rc = check_returned_join(ours, theirs, our_server,
	                                        our_len, alloc, err)))
		return rc;
	size_t jn = 0;
	const char *jav = NULL;
	if (rv->restricted_joins)
		jav = get_str(mxc_event_content(join),
		              "join_authorised_via_users_server", &jn);
	if (jav) {
		const char *dom;
		size_t dl;
		if (!theirs)
			return err_at(err, MXC_ERR_BAD_EVENT, "$.event",
			              "a join authorised by a resident user "
			              "needs the resident's signed event");
		if (!mxc__user_id_domain(jav, jn, &dom, &dl))
			return err_at(err, MXC_ERR_BAD_EVENT, "$.event.content."
			              "join_authorised_via_users_server",
			              "not a user ID");
		if ((rc = check_authoriser(rv, theirs, dom, dl, keys, n_keys,
		                           mxc_event_origin_server_ts(join),
		                           now_ts, err)))
			return rc;
	}
	bool have_create = false;
	if ((rc = check_list(rv, state, "state", room, rn, true, &have_create,
	                     alloc, err)))
		return rc;
	if ((rc = check_list(rv, chain, "auth_chain", room, rn, false,
	                     &have_create, alloc, err)))
		return rc;
	if (!have_create)
		return err_at(err, MXC_ERR_BAD_EVENT, "$.state",
		              "the state has no m.room.create");
	if (out)
		rc = mxc_event_from_json(out, rv, theirs ? theirs : ours, 0,
		                         alloc, err);
	return rc;
}
