/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event hashes and identifiers (server-server API: Calculating the content
 * hash / the reference hash for an event; rooms/v1, v3, v4: Event IDs;
 * rooms/v12: Room IDs).
 *
 * Nothing is copied: each hash is taken over a shallow view of the event
 * (an object in a scratch arena whose members point at the original
 * values), streamed as canonical JSON straight into SHA-256.
 */
#include "internal.h"

int
mxc__hash_canonical(uint8_t out[32], const mxc_json *v, bool python,
                    mxc_error *err)
{
	mxc__sha256_ctx c;
	mxc__sink s;
	mxc__sha256_init(&c);
	mxc__sink_init_sha256(&s, &c);
	int rc = python ? mxc__canonical_write_python(&s, v, err)
	                : mxc__canonical_write(&s, v, err);
	mxc__sha256_final(out, &c);
	return rc;
}

/* From room version 3 on, an `event_id` at the top level is not part of
 * the PDU (DESIGN.md, rules of the protocol: event IDs). */
static bool
drop_event_id(const mxc_room_version *rv)
{
	return rv && !rv->event_id_in_pdu;
}

const mxc_json *
mxc__content_hash_view(mxc__arena *ar, const mxc_room_version *rv,
                       const mxc_json *pdu)
{
	/* Calculating the content hash: remove unsigned, signatures and
	 * hashes (lists sorted by bytes, as mxc__json_filter wants) */
	static const mxc__key strip[] = {
		MXC__KEY("hashes"), MXC__KEY("signatures"),
		MXC__KEY("unsigned")
	};
	static const mxc__key strip_id[] = {
		MXC__KEY("event_id"), MXC__KEY("hashes"),
		MXC__KEY("signatures"), MXC__KEY("unsigned")
	};
	if (drop_event_id(rv))
		return mxc__json_filter(ar, pdu, strip_id, 4, false);
	return mxc__json_filter(ar, pdu, strip, 3, false);
}

static int
check_object(const mxc_json *pdu, mxc_error *err)
{
	if (!pdu)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL event");
	if (pdu->type != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "the event is not a JSON object");
	return MXC_OK;
}

/* SHA-256 of the canonical JSON of a view of the PDU (built in a scratch
 * arena: it points at the PDU's own nodes, nothing is copied). */
static int
hash_view(uint8_t *out,
          const mxc_json *(*view)(mxc__arena *, const mxc_room_version *,
                                  const mxc_json *),
          const mxc_room_version *rv, const mxc_json *pdu, mxc_error *err)
{
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	const mxc_json *v = view(&ar, rv, pdu);
	int rc = v ? mxc__hash_canonical(out, v, false, err)
	           : mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	mxc__arena_free(&ar);
	return rc;
}

int
mxc_event_content_hash_json(uint8_t *out, const mxc_room_version *rv,
                            const mxc_json *pdu, mxc_error *err)
{
	int rc;
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL output");
	if ((rc = check_object(pdu, err)))
		return rc;
	return hash_view(out, mxc__content_hash_view, rv, pdu, err);
}

int
mxc_event_reference_hash_json(uint8_t *out, const mxc_room_version *rv,
                              const mxc_json *pdu, mxc_error *err)
{
	int rc;
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or room version");
	if ((rc = check_object(pdu, err)))
		return rc;
	return hash_view(out, mxc__reference_view, rv, pdu, err);
}

size_t
mxc__hash_id(char *dst, char sigil, const uint8_t hash[32], bool urlsafe)
{
	dst[0] = sigil;
	size_t n = 1 + mxc__base64_encode_raw(dst + 1, hash, 32, urlsafe);
	dst[n] = '\0';
	return n;
}

int
mxc_event_id_json(mxc_buf *out, const mxc_room_version *rv,
                  const mxc_json *pdu, mxc_error *err)
{
	int rc;
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or room version");
	if ((rc = check_object(pdu, err)))
		return rc;
	if (rv->event_id_in_pdu) {
		/* rooms/v1: Event IDs: the ID is the PDU's own event_id */
		size_t n;
		const char *id =
			mxc_json_get_string(mxc_json_getz(pdu, "event_id"), &n);
		if (!id) {
			mxc__err(err, MXC_ERR_BAD_EVENT,
			         "event_id missing or not a string");
			mxc__err_subject(err, "$.event_id", 10);
			return MXC_ERR_BAD_EVENT;
		}
		rc = mxc__buf_append(out, id, n);
		return rc ? mxc__err(err, rc, "out of memory") : MXC_OK;
	}
	/* rooms/v3 and v4: Event IDs: "$" + base64 of the reference hash */
	uint8_t h[32];
	if ((rc = mxc_event_reference_hash_json(h, rv, pdu, err)))
		return rc;
	char id[MXC_EVENT_ID_HASH_BUF];
	size_t n = mxc__hash_id(id, '$', h, rv->event_id_urlsafe);
	rc = mxc__buf_append(out, id, n);
	return rc ? mxc__err(err, rc, "out of memory") : MXC_OK;
}

int
mxc_event_room_id_json(mxc_buf *out, const mxc_room_version *rv,
                       const mxc_json *create, mxc_error *err)
{
	int rc;
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or room version");
	if (!rv->room_id_from_create)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "room version %s does not derive room IDs "
		                "from the create event", rv->id);
	if ((rc = check_object(create, err)))
		return rc;
	size_t tn;
	const char *t = mxc_json_get_string(mxc_json_getz(create, "type"),
	                                    &tn);
	if (!t || tn != 13 || memcmp(t, "m.room.create", 13) != 0) {
		mxc__err(err, MXC_ERR_BAD_EVENT, "not an m.room.create event");
		mxc__err_subject(err, "$.type", 6);
		return MXC_ERR_BAD_EVENT;
	}
	if (mxc_json_getz(create, "room_id")) {
		/* its own hash would cover it: it can never match */
		mxc__err(err, MXC_ERR_ROOM_ID_MISMATCH,
		         "a v12 m.room.create must not have a room_id");
		mxc__err_subject(err, "$.room_id", 9);
		return MXC_ERR_ROOM_ID_MISMATCH;
	}
	/* rooms/v12: the room ID is the create event's ID with "!" */
	uint8_t h[32];
	if ((rc = mxc_event_reference_hash_json(h, rv, create, err)))
		return rc;
	char id[MXC_EVENT_ID_HASH_BUF];
	size_t n = mxc__hash_id(id, '!', h, true);
	rc = mxc__buf_append(out, id, n);
	return rc ? mxc__err(err, rc, "out of memory") : MXC_OK;
}
