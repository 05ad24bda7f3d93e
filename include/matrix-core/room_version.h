/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: room versions (spec: Room Versions, rooms/v1 to rooms/v12).
 *
 * One constant table in the library holds a row per room version, 1 to 12,
 * with one field for every behaviour that differs between versions. A row
 * is opaque (`mxc_room_version`); this header answers each behaviour through
 * a getter so that the table can grow without an ABI break. Rows are
 * static: the pointers returned here are valid for the life of the program
 * and may be shared between threads.
 *
 * A version string that is not in the table is an error
 * (MXC_ERR_UNKNOWN_ROOM_VERSION), never a fallback to some default.
 */
#ifndef MATRIX_CORE_ROOM_VERSION_H
#define MATRIX_CORE_ROOM_VERSION_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A row of the room version table (opaque, static, immutable). */
typedef struct mxc_room_version mxc_room_version;

/** Event formats (how event IDs are made and references are written). */
typedef enum mxc_event_format {
	/** v1, v2: the PDU carries its `event_id` ("$opaque:server");
	 * prev_events / auth_events are [[event_id, {hashes}], ...]. */
	MXC_EVENT_FORMAT_V1 = 1,
	/** v3: the event ID is "$" + the reference hash in standard unpadded
	 * base64; prev_events / auth_events are lists of event IDs. */
	MXC_EVENT_FORMAT_V3 = 3,
	/** v4 and later: as v3 with the URL-safe base64 alphabet. */
	MXC_EVENT_FORMAT_V4 = 4
} mxc_event_format;

/** Revisions of the redaction algorithm (the version that introduced it). */
typedef enum mxc_redaction_rules {
	/** v1 to v5 (rooms/v1: Redactions). */
	MXC_REDACTION_V1 = 1,
	/** v6, v7: m.room.aliases content is no longer kept. */
	MXC_REDACTION_V6 = 6,
	/** v8: m.room.join_rules keeps `allow`. */
	MXC_REDACTION_V8 = 8,
	/** v9, v10: m.room.member keeps `join_authorised_via_users_server`. */
	MXC_REDACTION_V9 = 9,
	/** v11 and later: `origin`, `membership`, `prev_state` no longer kept
	 * at top level; whole m.room.create content; m.room.redaction keeps
	 * `redacts`; power levels keep `invite`; m.room.member keeps
	 * `third_party_invite.signed`. */
	MXC_REDACTION_V11 = 11
} mxc_redaction_rules;

/** State resolution algorithms. */
typedef enum mxc_state_res_algorithm {
	MXC_STATE_RES_V1 = 1,  /**< room v1 */
	MXC_STATE_RES_V2 = 2,  /**< room v2 to v11 */
	MXC_STATE_RES_V2_1 = 3 /**< room v12 (v2.1: empty initial state,
	                            conflicted subgraph) */
} mxc_state_res_algorithm;

/**
 * Look a room version up by its identifier ("1" ... "12"). Matching is
 * exact, byte for byte ("01", " 1" and "1 " are unknown).
 * @return a static row, or NULL if the version is unknown
 */
MXC_API const mxc_room_version *mxc_room_version_find(const char *id,
                                                      size_t len);

/**
 * As mxc_room_version_find, reporting an unknown version as an error.
 * @param out  receives the static row
 * @return MXC_OK, MXC_ERR_UNKNOWN_ROOM_VERSION or MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_room_version_get(const mxc_room_version **out,
                                 const char *id, size_t len,
                                 mxc_error *err);

/** Number of rows in the table (12). */
MXC_API size_t mxc_room_version_count(void);

/** Row i of the table in ascending version order, NULL past the end. */
MXC_API const mxc_room_version *mxc_room_version_at(size_t i);

/** The version's identifier, NUL-terminated ("11"); static. */
MXC_API const char *mxc_room_version_id(const mxc_room_version *rv);

/** 1 if the spec lists the version as stable, 0 if unstable. */
MXC_API int mxc_room_version_is_stable(const mxc_room_version *rv);

/** Event format (an mxc_event_format value). */
MXC_API int mxc_room_version_event_format(const mxc_room_version *rv);

/** Redaction algorithm (an mxc_redaction_rules value). */
MXC_API int mxc_room_version_redaction(const mxc_room_version *rv);

/**
 * Revision of the authorisation rules: the room version whose page
 * introduced the rule set in force (1, 3, 6, 7, 8, 10, 11 or 12;
 * v2 uses v1's rules, v4 and v5 v3's, v9 v8's).
 */
MXC_API int mxc_room_version_auth_rules(const mxc_room_version *rv);

/** State resolution algorithm (an mxc_state_res_algorithm value). */
MXC_API int mxc_room_version_state_res(const mxc_room_version *rv);

/** 1 if event IDs are reference hashes (v3 and later). */
MXC_API int mxc_room_version_hashed_event_ids(const mxc_room_version *rv);

/** 1 if events must follow canonical JSON number rules (v6 and later). */
MXC_API int mxc_room_version_strict_canonical_json(
	const mxc_room_version *rv);

/** 1 if power level values may be strings of integers (v1 to v9). */
MXC_API int mxc_room_version_string_power_levels(
	const mxc_room_version *rv);

/** 1 if power level values may be floats, truncated (v1 to v5). */
MXC_API int mxc_room_version_float_power_levels(const mxc_room_version *rv);

/** 1 if power level values must be JSON integers (v10 and later). */
MXC_API int mxc_room_version_integer_power_levels(
	const mxc_room_version *rv);

/** 1 if the `knock` membership and join rule exist (v7 and later). */
MXC_API int mxc_room_version_knocking(const mxc_room_version *rv);

/** 1 if the `restricted` join rule exists (v8 and later). */
MXC_API int mxc_room_version_restricted_joins(const mxc_room_version *rv);

/** 1 if the `knock_restricted` join rule exists (v10 and later). */
MXC_API int mxc_room_version_knock_restricted(const mxc_room_version *rv);

/** 1 if m.room.redaction carries `redacts` in its content (v11 and
 * later) rather than at top level. */
MXC_API int mxc_room_version_redacts_in_content(const mxc_room_version *rv);

/** 1 if the room creator is the create event's sender and the create
 * content has no `creator` (v11 and later). */
MXC_API int mxc_room_version_creator_from_sender(const mxc_room_version *rv);

/** 1 if the room ID is "!" + the create event's reference hash and
 * m.room.create has no `room_id` (v12 and later). */
MXC_API int mxc_room_version_room_id_from_create(const mxc_room_version *rv);

/** 1 if the room has creators (the create event's sender and
 * `additional_creators`) with infinite power (v12 and later). */
MXC_API int mxc_room_version_room_creators(const mxc_room_version *rv);

/** 1 if signing key validity (`valid_until_ts`) is enforced when
 * verifying events (v5 and later). */
MXC_API int mxc_room_version_enforce_key_validity(
	const mxc_room_version *rv);

#ifdef __cplusplus
}
#endif
#endif
