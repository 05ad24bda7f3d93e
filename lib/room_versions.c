/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The room version table: one constant row per room version, 1 to 12, with
 * a field for every behaviour that differs (spec: rooms/v1.md to v12.md and
 * their fragments). This is the only place that says "in version N ...":
 * the rest of the library reads the fields of a row. Lookup is by exact
 * version string; an unknown version is an error, never a default.
 */
#include "internal.h"

#define DEPTH_MAX_V1 INT64_MAX              /* pdu_v1: below 2^63 - 1 */
#define DEPTH_MAX_V6 ((INT64_C(1) << 53) - 1) /* depth_v6: 2^53 - 1 */

/*
 * Every row spells out all of its fields (designated initialisers, absent
 * ones false), with a comment on what the version changed.
 */
static const struct mxc_room_version rows[] = {
	{
		/* rooms/v1: the initial version. */
		.id = "1", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V1,
		.redaction = MXC_REDACTION_V1, .auth_rules = 1,
		.state_res = MXC_STATE_RES_V1, .stable = true,
		.event_id_in_pdu = true, .max_depth = DEPTH_MAX_V1,
		.code_point_limits_allowed = true,
		.string_power_levels = true, .float_power_levels = true,
		.special_aliases_rule = true, .redaction_auth_rule = true,
		.create_in_auth_events = true,
	},
	{
		/* rooms/v2: state resolution v2. */
		.id = "2", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V1,
		.redaction = MXC_REDACTION_V1, .auth_rules = 1,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_in_pdu = true, .max_depth = DEPTH_MAX_V1,
		.code_point_limits_allowed = true,
		.string_power_levels = true, .float_power_levels = true,
		.special_aliases_rule = true, .redaction_auth_rule = true,
		.create_in_auth_events = true,
	},
	{
		/* rooms/v3: event IDs are reference hashes (standard base64);
		 * the redaction auth rule moves to handling redactions. */
		.id = "3", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V3,
		.redaction = MXC_REDACTION_V1, .auth_rules = 3,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.max_depth = DEPTH_MAX_V1,
		.code_point_limits_allowed = true,
		.string_power_levels = true, .float_power_levels = true,
		.special_aliases_rule = true,
		.create_in_auth_events = true,
	},
	{
		/* rooms/v4: URL-safe base64 event IDs. */
		.id = "4", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V1, .auth_rules = 3,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .max_depth = DEPTH_MAX_V1,
		.code_point_limits_allowed = true,
		.string_power_levels = true, .float_power_levels = true,
		.special_aliases_rule = true,
		.create_in_auth_events = true,
	},
	{
		/* rooms/v5: signing key validity enforced. */
		.id = "5", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V1, .auth_rules = 3,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .max_depth = DEPTH_MAX_V1,
		.code_point_limits_allowed = true,
		.string_power_levels = true, .float_power_levels = true,
		.special_aliases_rule = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v6: strict canonical JSON, no m.room.aliases rules,
		 * notifications power level, new redaction rules. */
		.id = "6", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V6, .auth_rules = 6,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.code_point_limits_allowed = true,
		.string_power_levels = true,
		.notifications_power_level = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v7: knocking. */
		.id = "7", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V6, .auth_rules = 7,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.code_point_limits_allowed = true,
		.string_power_levels = true,
		.notifications_power_level = true,
		.knocking = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v8: restricted joins. */
		.id = "8", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V8, .auth_rules = 8,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.code_point_limits_allowed = true,
		.string_power_levels = true,
		.notifications_power_level = true,
		.knocking = true, .restricted_joins = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v9: redaction keeps join_authorised_via_users_server */
		.id = "9", .id_len = 1,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V9, .auth_rules = 8,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.code_point_limits_allowed = true,
		.string_power_levels = true,
		.notifications_power_level = true,
		.knocking = true, .restricted_joins = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v10: knock_restricted, integer-only power levels. */
		.id = "10", .id_len = 2,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V9, .auth_rules = 10,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.code_point_limits_allowed = true,
		.integer_power_levels = true,
		.notifications_power_level = true,
		.knocking = true, .restricted_joins = true,
		.knock_restricted = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v11: redaction clarified, redacts in content, creator
		 * from the sender. */
		.id = "11", .id_len = 2,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V11, .auth_rules = 11,
		.state_res = MXC_STATE_RES_V2, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6,
		.redacts_in_content = true,
		.integer_power_levels = true,
		.notifications_power_level = true,
		.knocking = true, .restricted_joins = true,
		.knock_restricted = true, .creator_from_sender = true,
		.create_in_auth_events = true,
		.enforce_key_validity = true,
	},
	{
		/* rooms/v12: room IDs from the create event, room creators,
		 * state resolution v2.1. */
		.id = "12", .id_len = 2,
		.event_format = MXC_EVENT_FORMAT_V4,
		.redaction = MXC_REDACTION_V11, .auth_rules = 12,
		.state_res = MXC_STATE_RES_V2_1, .stable = true,
		.event_id_urlsafe = true, .strict_canonical_json = true,
		.max_depth = DEPTH_MAX_V6, .room_id_from_create = true,
		.redacts_in_content = true,
		.integer_power_levels = true,
		.notifications_power_level = true,
		.knocking = true, .restricted_joins = true,
		.knock_restricted = true, .creator_from_sender = true,
		.room_creators = true,
		.enforce_key_validity = true,
	},
};

const mxc_room_version *
mxc_room_version_find(const char *id, size_t len)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < MXC_ARRAY_LEN(rows); i++)
		if (rows[i].id_len == len && memcmp(rows[i].id, id, len) == 0)
			return &rows[i];
	return NULL;
}

int
mxc_room_version_get(const mxc_room_version **out, const char *id,
                     size_t len, mxc_error *err)
{
	if (!out || (!id && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "room version: NULL argument");
	*out = mxc_room_version_find(id, len);
	if (!*out) {
		mxc__err(err, MXC_ERR_UNKNOWN_ROOM_VERSION,
		         "unknown room version");
		mxc__err_subject(err, id ? id : "", id ? len : 0);
		return MXC_ERR_UNKNOWN_ROOM_VERSION;
	}
	return MXC_OK;
}

size_t
mxc_room_version_count(void)
{
	return MXC_ARRAY_LEN(rows);
}

const mxc_room_version *
mxc_room_version_at(size_t i)
{
	return i < MXC_ARRAY_LEN(rows) ? &rows[i] : NULL;
}

const char *
mxc_room_version_id(const mxc_room_version *rv)
{
	return rv ? rv->id : NULL;
}

/* Getters: 0 for a NULL row. */

int
mxc_room_version_is_stable(const mxc_room_version *rv)
{
	return rv ? (int)(rv->stable) : 0;
}

int
mxc_room_version_event_format(const mxc_room_version *rv)
{
	return rv ? (int)(rv->event_format) : 0;
}

int
mxc_room_version_redaction(const mxc_room_version *rv)
{
	return rv ? (int)(rv->redaction) : 0;
}

int
mxc_room_version_auth_rules(const mxc_room_version *rv)
{
	return rv ? (int)(rv->auth_rules) : 0;
}

int
mxc_room_version_state_res(const mxc_room_version *rv)
{
	return rv ? (int)(rv->state_res) : 0;
}

int
mxc_room_version_hashed_event_ids(const mxc_room_version *rv)
{
	return rv ? (int)(!rv->event_id_in_pdu) : 0;
}

int
mxc_room_version_strict_canonical_json(const mxc_room_version *rv)
{
	return rv ? (int)(rv->strict_canonical_json) : 0;
}

int
mxc_room_version_string_power_levels(const mxc_room_version *rv)
{
	return rv ? (int)(rv->string_power_levels) : 0;
}

int
mxc_room_version_float_power_levels(const mxc_room_version *rv)
{
	return rv ? (int)(rv->float_power_levels) : 0;
}

int
mxc_room_version_integer_power_levels(const mxc_room_version *rv)
{
	return rv ? (int)(rv->integer_power_levels) : 0;
}

int
mxc_room_version_knocking(const mxc_room_version *rv)
{
	return rv ? (int)(rv->knocking) : 0;
}

int
mxc_room_version_restricted_joins(const mxc_room_version *rv)
{
	return rv ? (int)(rv->restricted_joins) : 0;
}

int
mxc_room_version_knock_restricted(const mxc_room_version *rv)
{
	return rv ? (int)(rv->knock_restricted) : 0;
}

int
mxc_room_version_redacts_in_content(const mxc_room_version *rv)
{
	return rv ? (int)(rv->redacts_in_content) : 0;
}

int
mxc_room_version_creator_from_sender(const mxc_room_version *rv)
{
	return rv ? (int)(rv->creator_from_sender) : 0;
}

int
mxc_room_version_room_id_from_create(const mxc_room_version *rv)
{
	return rv ? (int)(rv->room_id_from_create) : 0;
}

int
mxc_room_version_room_creators(const mxc_room_version *rv)
{
	return rv ? (int)(rv->room_creators) : 0;
}

int
mxc_room_version_enforce_key_validity(const mxc_room_version *rv)
{
	return rv ? (int)(rv->enforce_key_validity) : 0;
}
