/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: power levels (client-server API: m.room.power_levels and
 * Permissions; server-server API: Definitions; rooms/v1 to v12).
 *
 * A power levels view is made from the content of the room's current
 * m.room.power_levels event (or none) and the room's m.room.create event,
 * for one room version. It answers the levels of users and of actions
 * with the spec's defaults:
 *  - with a power levels event: `users_default` 0, `events_default` 0,
 *    `state_default` 50, `ban`, `kick`, `redact` 50, `invite` 0,
 *    `notifications.room` 50 for the keys it lacks;
 *  - without one: every user 0 except the room's creator, 100 in room
 *    versions 1 to 11 (`content.creator` of the create event in v1 to v10,
 *    its `sender` from v11); the other defaults as above. The spec's old
 *    text giving `state_default` 0 when there is no power levels event was
 *    removed in spec v1.7 (matrix-spec#1479); 50 applies either way;
 *  - room version 12: the room creators (the create event's `sender` and
 *    every user of its `additional_creators`) have an infinitely high
 *    level (MXC_POWER_LEVEL_INFINITE) whatever the power levels event says.
 *
 * Values, by room version (rooms/v1 "m.room.power_levels events accept
 * values as strings" and "... as floats"; rooms/v10):
 *  - v1 to v9: a JSON integer, or a string holding a base-10 integer with
 *    optional leading zeroes, one optional '+' or '-', and any leading and
 *    trailing white space (" +100 " is 100). White space is the ASCII set
 *    (space, \t, \n, \v, \f, \r);
 *  - v1 to v5 also: a float, truncated toward zero after applying its
 *    exponent (5.114698E4 is 51146); a number beyond the range of a double
 *    is an error;
 *  - v10 and later: JSON integers only.
 * A value outside the 64-bit range (possible in v1 to v9 through strings
 * and lenient numbers) is MXC_ERR_JSON_NUMBER_RANGE: such a power levels
 * event is refused rather than compared approximately.
 *
 * A view borrows the JSON it was made from: the content and create
 * content must outlive it.
 */
#ifndef MATRIX_CORE_POWER_LEVELS_H
#define MATRIX_CORE_POWER_LEVELS_H

#include "common.h"
#include "json.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The level of a v12 room creator: above every finite level. */
#define MXC_POWER_LEVEL_INFINITE INT64_MAX
/** Function twin of MXC_POWER_LEVEL_INFINITE, for bindings. */
MXC_API int64_t mxc_power_level_infinite(void);

/** The levels a power levels event defines besides users and events. */
typedef enum mxc_power_key {
	MXC_POWER_BAN = 0,
	MXC_POWER_KICK = 1,
	MXC_POWER_INVITE = 2,
	MXC_POWER_REDACT = 3,
	MXC_POWER_EVENTS_DEFAULT = 4,
	MXC_POWER_STATE_DEFAULT = 5,
	MXC_POWER_USERS_DEFAULT = 6,
	MXC_POWER_NOTIFICATIONS_ROOM = 7 /**< notifications.room */
} mxc_power_key;

/** A power levels view (opaque, immutable, borrows its JSON). */
typedef struct mxc_power_levels mxc_power_levels;

/**
 * Read one power level value as the room version allows (see above).
 * @param out  receives the level
 * @param rv   room version
 * @param v    the JSON value (number or string)
 * @return MXC_OK; MXC_ERR_JSON_TYPE (a type the version does not allow,
 *         or a string that is not an integer); MXC_ERR_JSON_NUMBER_RANGE
 *         (outside 64 bits or a double); MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_power_level_parse(int64_t *out, const mxc_room_version *rv,
                                  const mxc_json *v, mxc_error *err);

/**
 * Make a power levels view.
 * @param out             receives the view, to free with
 *                        mxc_power_levels_free
 * @param rv              room version
 * @param content         content of the current m.room.power_levels event,
 *                        or NULL when the room has none
 * @param create_content  content of the m.room.create event (may be NULL
 *                        when the room has no create event: no creator)
 * @param create_sender   sender of the m.room.create event (may be NULL;
 *                        copied: it need not outlive the view, while
 *                        `content` and `create_content` must)
 * @param alloc           allocator, NULL for the C library's
 * @return MXC_OK; MXC_ERR_JSON_TYPE (content is not an object);
 *         MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM. Values are read when
 *         asked for: a malformed value is reported by the getter.
 */
MXC_API int mxc_power_levels_new(mxc_power_levels **out,
                                 const mxc_room_version *rv,
                                 const mxc_json *content,
                                 const mxc_json *create_content,
                                 const char *create_sender,
                                 size_t create_sender_len,
                                 const mxc_allocator *alloc, mxc_error *err);

/** Free a view; NULL is accepted. */
MXC_API void mxc_power_levels_free(mxc_power_levels *pl);

/**
 * One of the levels of mxc_power_key, with its default when absent.
 * @return MXC_OK, MXC_ERR_JSON_TYPE, MXC_ERR_JSON_NUMBER_RANGE or
 *         MXC_ERR_INVALID_ARGUMENT; err->subject names the JSON path
 */
MXC_API int mxc_power_levels_get(int64_t *out, const mxc_power_levels *pl,
                                 mxc_power_key key, mxc_error *err);

/**
 * 1 if `user` is a room creator with infinite power (room version 12 and
 * later: the create event's sender or one of `additional_creators`), 0
 * otherwise (always 0 before v12).
 */
MXC_API int mxc_power_levels_is_creator(const mxc_power_levels *pl,
                                        const char *user, size_t len);

/**
 * A user's power level: MXC_POWER_LEVEL_INFINITE for a v12 creator,
 * `users[user]`, else `users_default`; without a power levels event, 100
 * for the creator (v1 to v11) and 0 for everyone else.
 * @return MXC_OK, MXC_ERR_JSON_TYPE, MXC_ERR_JSON_NUMBER_RANGE or
 *         MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_power_levels_user(int64_t *out, const mxc_power_levels *pl,
                                  const char *user, size_t len,
                                  mxc_error *err);

/**
 * The level required to send an event of type `type` (server-server API,
 * Definitions: Required Power Level): `events[type]`, else
 * `state_default` for a state event or `events_default` otherwise.
 * @param is_state  non-zero for a state event (one with a state_key)
 * @return as mxc_power_levels_user
 */
MXC_API int mxc_power_levels_event(int64_t *out, const mxc_power_levels *pl,
                                   const char *type, size_t type_len,
                                   int is_state, mxc_error *err);

/** Questions a host asks about a user (see mxc_power_levels_may). */
typedef enum mxc_power_action {
	/** ban `target`: level >= ban and target's level < user's */
	MXC_POWER_MAY_BAN = 0,
	/** kick `target`: level >= kick and target's level < user's */
	MXC_POWER_MAY_KICK = 1,
	/** invite: level >= invite */
	MXC_POWER_MAY_INVITE = 2,
	/** redact others' events: level >= redact */
	MXC_POWER_MAY_REDACT = 3,
	/** send m.room.power_levels: level >= its required level */
	MXC_POWER_MAY_CHANGE_LEVELS = 4
} mxc_power_action;

/**
 * May `user` do `action`? Only the power level comparison is answered;
 * memberships and the other auth rules are the auth layer's.
 * @param out     receives 1 (yes) or 0 (no)
 * @param target  the user acted on, for MXC_POWER_MAY_BAN and
 *                MXC_POWER_MAY_KICK (ignored otherwise, may be NULL)
 * @return as mxc_power_levels_user
 */
MXC_API int mxc_power_levels_may(int *out, const mxc_power_levels *pl,
                                 mxc_power_action action, const char *user,
                                 size_t user_len, const char *target,
                                 size_t target_len, mxc_error *err);

/**
 * Check the shape of a power levels content for the room version, as the
 * auth rules do for a new m.room.power_levels event: `users` an object
 * whose keys are valid user IDs and whose values are levels (all
 * versions); from v10 also `users_default`, `events_default`,
 * `state_default`, `ban`, `redact`, `kick`, `invite` integers where
 * present, and `events` and `notifications` objects of integers where
 * present. Before v10 only `users` is checked, as the rules say.
 * @return MXC_OK; MXC_ERR_JSON_TYPE, MXC_ERR_JSON_NUMBER_RANGE or
 *         MXC_ERR_BAD_IDENTIFIER with err->subject naming the JSON path
 *         and err->reason set to the failing check: 1 (scalar levels),
 *         2 (`events` / `notifications`), 3 (`users`)
 */
MXC_API int mxc_power_levels_validate(const mxc_room_version *rv,
                                      const mxc_json *content,
                                      mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
