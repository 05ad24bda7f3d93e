/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: events (PDUs) of every room version.
 *
 * An `mxc_event` is a PDU parsed and validated for one room version
 * (server-server API: PDUs; the pdu_v1 ... pdu_v12 schemas; appendices:
 * identifier grammars; client-server API: Size limits). It is immutable
 * once made, may be shared between threads, and every accessor borrows
 * from it (valid until mxc_event_free).
 *
 * Besides the event type, the hash, redaction and signing functions also
 * exist for plain JSON objects (the `_json` functions): they apply their
 * algorithm to whatever object they are given, complete PDU or not (the
 * spec's own signing examples are not complete PDUs).
 *
 * Room versions 1 to 5 predate canonical JSON's number rules: their events
 * are parsed with MXC_JSON_LENIENT_NUMBERS. Where such an event holds a
 * float, its canonical form is ambiguous; hash and signature checks accept
 * either the spec's normalised form or Python's repr() form (what Synapse
 * produced when it signed most of those events). New hashes and signatures
 * use the spec's form.
 *
 * Size limits. The spec counts bytes: `type` and `state_key` at most 255
 * bytes, `sender`, `room_id` and `event_id` at most 255 bytes, the whole
 * event at most 65,536 bytes as canonical JSON with its signatures. The
 * most deployed server (Synapse) counts code points instead for the 255
 * limits in room versions 1 to 10, so an old event with a long non-ASCII
 * `state_key` may be accepted by the network and refused here. This
 * library follows the spec by default; MXC_EVENT_PARSE_CODEPOINT_LIMITS
 * counts code points for rooms v1 to v10 (it has no effect from v11 on).
 */
#ifndef MATRIX_CORE_EVENT_H
#define MATRIX_CORE_EVENT_H

#include "common.h"
#include "json.h"
#include "keys.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest event: canonical JSON with signatures (client-server API: Size
 * limits). */
#define MXC_EVENT_MAX_BYTES 65536
/** Largest `type`, `state_key`, user ID, room ID and event ID, in bytes. */
#define MXC_EVENT_MAX_ID_BYTES 255
/** Most `prev_events` and `auth_events` (PDU schemas). */
#define MXC_EVENT_MAX_PREV_EVENTS 20
#define MXC_EVENT_MAX_AUTH_EVENTS 10
/** Longest event ID or room ID this library produces, with its NUL
 * ("$" + 43 base64 characters + NUL). */
#define MXC_EVENT_ID_HASH_BUF 45
/** Function twins of the size macros, for bindings. */
MXC_API size_t mxc_event_max_bytes(void);
MXC_API size_t mxc_event_max_id_bytes(void);

/** Parse flags (mxc_event_parse, mxc_event_from_json). */
enum {
	/**
	 * Label mode, for scenarios written by hand (the `auth_types`,
	 * `auth` and `resolve` batch operations): an `event_id` field, in
	 * any room version, is the event's label and no grammar is imposed
	 * on it (without one, a v3+ event's ID is computed as usual); only
	 * the fields the auth rules and state resolution read are checked
	 * (`type`, `sender`, `state_key`, `content`, `room_id` when present,
	 * `prev_events` / `auth_events` when present, `redacts`,
	 * `origin_server_ts` and `depth` when present), not `hashes`,
	 * `signatures`, size limits or identifier grammars.
	 */
	MXC_EVENT_PARSE_LABELLED = 1u << 0,
	/**
	 * Compatibility (rooms v1 to v10 only): count Unicode code points,
	 * not bytes, for the 255 limits on `type`, `state_key`, `sender`,
	 * `room_id` and `event_id`, as Synapse does. Off by default (the
	 * spec counts bytes).
	 */
	MXC_EVENT_PARSE_CODEPOINT_LIMITS = 1u << 1
};

/** A parsed, validated PDU (opaque, immutable). */
typedef struct mxc_event mxc_event;

/**
 * Parse and validate a PDU for a room version. The event ID of v3+ events
 * (and the room ID of a v12 m.room.create) is computed here and cached.
 *
 * Checks, in this order, each failure naming the field in err->subject:
 * JSON syntax (v1-v5: lenient numbers; v6+: canonical JSON numbers); the
 * top level is an object; required fields and their JSON types
 * (MXC_ERR_BAD_EVENT); identifiers (`sender` a user ID, historical
 * localparts allowed; `room_id` a room ID of the version's form; v1/v2
 * `event_id` and referenced IDs of the version's form; server names with
 * IPv4/IPv6 literals and ports) (MXC_ERR_BAD_IDENTIFIER); sizes: ID and
 * `type` / `state_key` lengths, more than 20 prev_events or 10
 * auth_events, the whole event over 65,536 canonical bytes
 * (MXC_ERR_EVENT_TOO_LARGE); `depth` in [0, the version's limit] and
 * `origin_server_ts` an integer (v1-v5: within int64) (MXC_ERR_BAD_EVENT);
 * in v12, a create event with a `room_id` (MXC_ERR_ROOM_ID_MISMATCH: its
 * room ID is derived from it), or another event's `room_id` not in the
 * hashed form (MXC_ERR_BAD_IDENTIFIER). `redacts`, when present on an
 * m.room.redaction (top level v1-v10, content v11+), must be a string.
 *
 * @param out    receives the event, to free with mxc_event_free
 * @param rv     room version (from mxc_room_version_find)
 * @param text   the PDU's JSON bytes (copied)
 * @param flags  0 or MXC_EVENT_PARSE_* flags
 * @param alloc  allocator, NULL for the C library's
 * @return MXC_OK, any JSON parse status, MXC_ERR_BAD_EVENT,
 *         MXC_ERR_BAD_IDENTIFIER, MXC_ERR_EVENT_TOO_LARGE,
 *         MXC_ERR_ROOM_ID_MISMATCH,
 *         MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_parse(mxc_event **out, const mxc_room_version *rv,
                            const char *text, size_t len, unsigned flags,
                            const mxc_allocator *alloc, mxc_error *err);

/**
 * As mxc_event_parse, from a parsed JSON object (deep-copied; `pdu` need
 * not outlive the call). A v6+ event whose tree holds numbers outside
 * canonical JSON (from a lenient parse) is MXC_ERR_JSON_NUMBER_RANGE.
 */
MXC_API int mxc_event_from_json(mxc_event **out, const mxc_room_version *rv,
                                const mxc_json *pdu, unsigned flags,
                                const mxc_allocator *alloc, mxc_error *err);

/** Free an event; NULL is accepted. */
MXC_API void mxc_event_free(mxc_event *ev);

/* ---- accessors: borrowed, valid until mxc_event_free ------------------ */

/** The room version the event was parsed for. */
MXC_API const mxc_room_version *mxc_event_room_version(const mxc_event *ev);

/** The whole PDU as received (an object). */
MXC_API const mxc_json *mxc_event_json(const mxc_event *ev);

/**
 * The event ID, NUL-terminated: v1/v2 the PDU's `event_id`; v3+ "$" and
 * the reference hash (label mode: the `event_id` field when given).
 * @param len  optional, receives the length
 */
MXC_API const char *mxc_event_id(const mxc_event *ev, size_t *len);

/** `type` (may contain NUL bytes: use `len`). */
MXC_API const char *mxc_event_type(const mxc_event *ev, size_t *len);

/** 1 if the event has a `state_key` (a state event), 0 otherwise. */
MXC_API int mxc_event_is_state(const mxc_event *ev);

/** `state_key`, or NULL when absent (an empty state key is "" with length
 * 0, not NULL). */
MXC_API const char *mxc_event_state_key(const mxc_event *ev, size_t *len);

/** `sender`. */
MXC_API const char *mxc_event_sender(const mxc_event *ev, size_t *len);

/**
 * `room_id`; for a v12 m.room.create (which has none) the room ID derived
 * from it: its event ID with "!" for "$" ("!" + its reference hash; in
 * label mode, "!" + the rest of its label). NULL only in label mode, when
 * another event lacks one.
 */
MXC_API const char *mxc_event_room_id(const mxc_event *ev, size_t *len);

/** `content` (an object). */
MXC_API const mxc_json *mxc_event_content(const mxc_event *ev);

/** `content.membership` when it is a string, else NULL. */
MXC_API const char *mxc_event_membership(const mxc_event *ev, size_t *len);

/** Number of `prev_events`. */
MXC_API size_t mxc_event_prev_events_count(const mxc_event *ev);

/** ID of prev event i (v1/v2: the first element of the pair), or NULL
 * when out of range. */
MXC_API const char *mxc_event_prev_event(const mxc_event *ev, size_t i,
                                         size_t *len);

/** Number of `auth_events`. */
MXC_API size_t mxc_event_auth_events_count(const mxc_event *ev);

/** ID of auth event i, or NULL when out of range. */
MXC_API const char *mxc_event_auth_event(const mxc_event *ev, size_t i,
                                         size_t *len);

/** `depth` (0 when absent, label mode only). */
MXC_API int64_t mxc_event_depth(const mxc_event *ev);

/** `origin_server_ts` (0 when absent, label mode only). */
MXC_API int64_t mxc_event_origin_server_ts(const mxc_event *ev);

/**
 * The ID of the event redacted by an m.room.redaction: top-level
 * `redacts` (v1 to v10) or `content.redacts` (v11+); NULL when absent or
 * not a redaction.
 */
MXC_API const char *mxc_event_redacts(const mxc_event *ev, size_t *len);

/** `hashes`, `signatures`, `unsigned` (objects), NULL when absent. */
MXC_API const mxc_json *mxc_event_hashes(const mxc_event *ev);
MXC_API const mxc_json *mxc_event_signatures(const mxc_event *ev);
MXC_API const mxc_json *mxc_event_unsigned(const mxc_event *ev);

/* ---- hashes and IDs -------------------------------------------------- */

/**
 * Content hash (server-server API: Calculating the content hash): SHA-256
 * of the canonical JSON of the object without `unsigned`, `signatures`
 * and `hashes`; from room version 3 on also without a top-level `event_id`
 * (not part of those PDUs).
 * @param out  receives MXC_SHA256_BYTES bytes
 * @param rv   room version, or NULL: every key but those three counts
 * @return MXC_OK, MXC_ERR_JSON_TYPE (not an object),
 *         MXC_ERR_JSON_NUMBER_RANGE, MXC_ERR_INVALID_ARGUMENT or
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_event_content_hash_json(uint8_t *out,
                                        const mxc_room_version *rv,
                                        const mxc_json *pdu,
                                        mxc_error *err);

/** Content hash of a parsed event. */
MXC_API int mxc_event_content_hash(uint8_t *out, const mxc_event *ev,
                                   mxc_error *err);

/**
 * Reference hash (server-server API: Calculating the reference hash):
 * SHA-256 of the canonical JSON of the redacted object without
 * `signatures` and `unsigned`. From room version 3 on, a top-level
 * `event_id` is not part of the PDU and is left out too.
 * @param out  receives MXC_SHA256_BYTES bytes
 * @return as mxc_event_content_hash_json
 */
MXC_API int mxc_event_reference_hash_json(uint8_t *out,
                                          const mxc_room_version *rv,
                                          const mxc_json *pdu,
                                          mxc_error *err);

/**
 * Reference hash of an event (its ID from room version 3 on), computed
 * on the redacted event without signatures or unsigned data.
 * @param out  receives MXC_SHA256_BYTES bytes
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_reference_hash(uint8_t *out, const mxc_event *ev,
                                     mxc_error *err);

/**
 * Event ID of an object for a room version: v1/v2 its `event_id` field
 * (MXC_ERR_BAD_EVENT when absent or not a string); v3 "$" + standard
 * base64 of the reference hash; v4+ URL-safe base64.
 * @param out  receives the ID (appended to)
 */
MXC_API int mxc_event_id_json(mxc_buf *out, const mxc_room_version *rv,
                              const mxc_json *pdu, mxc_error *err);

/**
 * Room ID of a room version 12 m.room.create event: "!" + the URL-safe
 * base64 reference hash (rooms/v12: Room IDs).
 * @param rv   a version with room IDs from the create event (v12)
 * @param out  receives the ID (appended to)
 * @return MXC_OK, MXC_ERR_BAD_EVENT (not an m.room.create, or it has a
 *         `room_id`), MXC_ERR_INVALID_ARGUMENT (rv not such a version),
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_event_room_id_json(mxc_buf *out, const mxc_room_version *rv,
                                   const mxc_json *create, mxc_error *err);

/**
 * Check that an event's `room_id` is the room ID of the room's create
 * event (for v12, the ID derived from the create event; for earlier
 * versions, the create event's own `room_id`).
 * @return MXC_OK, MXC_ERR_ROOM_ID_MISMATCH or MXC_ERR_INVALID_ARGUMENT
 *         (`create` is not an m.room.create)
 */
MXC_API int mxc_event_check_room_id(const mxc_event *ev,
                                    const mxc_event *create,
                                    mxc_error *err);

/* ---- redaction ------------------------------------------------------- */

/**
 * Redact an object by the version's algorithm (client-server API:
 * Redactions; rooms/vN: Redactions): only the top-level keys and content
 * keys the version names are kept. `signatures`, `hashes`, `unsigned` and
 * (v1, v2) `event_id` are kept at the top level by every version that
 * names them; v11 drops `origin`, `membership` and `prev_state`.
 * @param out  receives a new object, to free with mxc_json_free
 * @return MXC_OK, MXC_ERR_JSON_TYPE (not an object),
 *         MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_redact_json(mxc_json **out, const mxc_room_version *rv,
                                  const mxc_json *pdu,
                                  const mxc_allocator *alloc, mxc_error *err);

/**
 * Redact a parsed event into a new event of the same version and ID.
 * @param out  receives the redacted event, to free with mxc_event_free
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_redact(mxc_event **out, const mxc_event *ev,
                             mxc_error *err);

/* ---- signing and verifying ------------------------------------------- */

/**
 * Hash and sign an outgoing event (server-server API: Signing events):
 * set `hashes.sha256` to the content hash, then sign the redacted form
 * and add the signature (server_name, key's ID) beside existing ones.
 * A top-level `event_id` of a v3+ event is left out of the hash and the
 * signature (and kept in the output).
 * @param out  receives the signed object, to free with mxc_json_free
 * @return MXC_OK, MXC_ERR_JSON_TYPE (not an object, or `hashes` /
 *         `signatures` of the wrong type), MXC_ERR_JSON_NUMBER_RANGE,
 *         MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_sign_json(mxc_json **out, const mxc_room_version *rv,
                                const mxc_json *pdu, const char *server_name,
                                const mxc_signing_key *key,
                                const mxc_allocator *alloc, mxc_error *err);

/** Timestamps of an mxc_event_key that are unknown. */
#define MXC_TS_NONE INT64_MIN

/**
 * A server's public key as the caller knows it, with its validity
 * (`valid_until_ts` of a current key, `expired_ts` of an old one;
 * MXC_TS_NONE when not known). Caller-owned; strings NUL-terminated.
 */
typedef struct mxc_event_key {
	const char *server_name;
	const char *key_id;        /* "ed25519:..." */
	const uint8_t *public_key; /* MXC_ED25519_PUBLIC_BYTES bytes */
	size_t public_key_len;
	int64_t valid_until_ts;
	int64_t expired_ts;
} mxc_event_key;

/** Outcome of mxc_event_verify_json: two separate verdicts. */
typedef struct mxc_event_verdict {
	/** 1 if every required server signed and each signature by a
	 * known, valid key verifies; 0 otherwise. */
	int signatures_valid;
	/** 1 if `hashes.sha256` equals the content hash; 0 otherwise (the
	 * host then uses the redacted event). */
	int hash_valid;
	/** MXC_OK or MXC_ERR_BAD_SIGNATURE, and why. */
	int signatures_status;
	char signatures_reason[160];
	/** MXC_OK or MXC_ERR_HASH_MISMATCH, and why. */
	int hash_status;
	char hash_reason[160];
} mxc_event_verdict;

/**
 * Check the signatures and the content hash of a received event
 * (server-server API: Validating hashes and signatures on received
 * events; rooms/v5: Signing key validity period).
 *
 * The object may be incomplete (the spec's own signing examples are not
 * whole PDUs): each required server below is required when the field
 * naming it is present; with none of them, signatures_valid is 0.
 * Required signatures: the sender's server; in v1/v2 also the server of
 * `event_id` when different; from v8, for an m.room.member whose content
 * has `join_authorised_via_users_server`, that user's server (v8 auth rule
 * 4.2.1). Third-party invites need no other server's event signature here:
 * the `signed` block is checked by the auth rules against the
 * m.room.third_party_invite keys. Signatures are checked on the redacted
 * event. For each required server, each signature whose key the caller
 * supplies is checked, skipping keys that expired (`expired_ts`) before
 * `origin_server_ts` and, from v5, keys whose validity, the lesser of
 * `valid_until_ts` and now_ts + 7 days (when now_ts is not MXC_TS_NONE),
 * ends before `origin_server_ts`; a server with no signature checked by
 * a usable key fails. Signatures under unknown keys are ignored.
 *
 * @param out     receives the two verdicts
 * @param keys    the keys the caller knows (any servers)
 * @param now_ts  current time in ms since the epoch, or MXC_TS_NONE
 * @return MXC_OK when the verdicts were reached (whatever they are);
 *         MXC_ERR_JSON_TYPE (not an object), MXC_ERR_BAD_EVENT (a
 *         `sender` or v1/v2 `event_id` that names no server, ...),
 *         MXC_ERR_INVALID_ARGUMENT or
 *         MXC_ERR_NOMEM otherwise
 */
MXC_API int mxc_event_verify_json(mxc_event_verdict *out,
                                  const mxc_room_version *rv,
                                  const mxc_json *pdu,
                                  const mxc_event_key *keys, size_t n_keys,
                                  int64_t now_ts, mxc_error *err);

/**
 * Check one server's signature on an event with one key (the redacted
 * event's canonical JSON, either form for v1-v5 floats), whatever the
 * event's sender: for the auth rules' own checks and for tests.
 * @return MXC_OK, MXC_ERR_BAD_SIGNATURE (reason in err->message: no
 *         signature by that server and key, bad base64, does not verify),
 *         MXC_ERR_JSON_TYPE, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_event_verify_signature(const mxc_room_version *rv,
                                       const mxc_json *pdu,
                                       const char *server_name,
                                       const char *key_id,
                                       const uint8_t *public_key,
                                       size_t public_key_len,
                                       mxc_error *err);

/** mxc_event_verify_json for a parsed event. */
MXC_API int mxc_event_verify(mxc_event_verdict *out, const mxc_event *ev,
                             const mxc_event_key *keys, size_t n_keys,
                             int64_t now_ts, mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
