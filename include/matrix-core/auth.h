/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: the authorisation rules of room versions 1 to 12
 * (rooms/v1 ... rooms/v12, "Authorisation rules"; server-server API:
 * Definitions, Auth events selection, Third-party invites, Restricted
 * rooms).
 *
 * mxc_auth_check answers whether an event is allowed against a set of
 * state (an mxc_auth_state, keyed by (type, state_key)). A rejection names
 * the rule that failed, numbered as on that room version's page of the
 * spec: err->message reads "v11 auth rule 4.3.3: sender is banned",
 * err->reason holds an mxc_auth_rule and mxc_auth_rule_number() gives the
 * number alone. Rule sets: v1 and v2 share one page's rules, v3 to v5
 * another, v6, v7, v8 (and v9), v10, v11 and v12 each their own.
 *
 * Numbering follows the rendered pages. Two pages number in their
 * Markdown source a list item out of sequence, which the rendered page
 * renumbers: v12 rule 3's last item is written "5." after "3." (it shows
 * as 3.4) and v12 rule 10's last item repeats "10." (it shows as 10.11).
 *
 * Choices where the spec's text leaves room (see also power_levels.h):
 *  - Rule 2 ("considering the event's auth_events") applies to the set
 *    given. By default that set is the state the check runs against: then
 *    2.4 (an m.room.create must be present) holds, and 2.5 (same room_id)
 *    is applied to the state events the check consults (those that auth
 *    events selection names). With MXC_AUTH_AUTH_EVENTS the set is the
 *    event's own auth events: every entry must then also be one that auth
 *    events selection names (2.2) and share the event's room ID (2.5). In
 *    room version 12 the m.room.create event is given with the set either
 *    way (the rules read it) and is not counted as an auth event.
 *    Duplicate (type, state_key) entries are rejected in both modes (2.1).
 *    Rule 2.3 (rejected entries) is the caller's: give accepted events.
 *  - An m.room.create event whose state_key is absent or not empty is not
 *    an m.room.create state event: MXC_ERR_BAD_EVENT, not a verdict.
 *  - Without an m.room.join_rules event, the join rule is none: joins
 *    other than the creator's first one fall to "otherwise, reject".
 *  - v8+ rule 4.2.1 (join_authorised_via_users_server): the event must
 *    carry a signature by the server of that user which verifies under a
 *    key the caller supplies (checked on the redacted event, with the
 *    validity rules of mxc_event_verify). No signature from that server:
 *    rejected. Signatures only under keys the caller did not supply:
 *    MXC_ERR_NEED_INPUT (err->subject names the server), never a guess.
 *    MXC_AUTH_SIGNATURES_CHECKED says the caller already verified the
 *    event's signatures with mxc_event_verify, which requires that
 *    server's signature: the rule then holds.
 *  - Third-party invites: the `signed` object is verified against every
 *    public key of the m.room.third_party_invite event (`public_key` and
 *    each `public_keys[].public_key`, unpadded base64, standard or
 *    URL-safe), for each ed25519 signature it carries; no caller key is
 *    needed.
 *  - Power level values that the version does not allow, in the event or
 *    in the state, reject the event (naming the rule that reads them and
 *    the JSON path); they never allow.
 */
#ifndef MATRIX_CORE_AUTH_H
#define MATRIX_CORE_AUTH_H

#include "common.h"
#include "event.h"
#include "json.h"
#include "power_levels.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- auth events selection ------------------------------------------- */

/** Most (type, state_key) pairs auth events selection names. */
#define MXC_AUTH_TYPES_MAX 7
/** Function twin of MXC_AUTH_TYPES_MAX, for bindings. */
MXC_API size_t mxc_auth_types_max(void);

/** A (type, state_key) pair; the strings are borrowed (from the event or
 * static) and may contain NUL bytes. */
typedef struct mxc_auth_type {
	const char *type;
	size_t type_len;
	const char *state_key;
	size_t state_key_len;
} mxc_auth_type;

/**
 * Auth events selection (server-server API): the state an event needs.
 * In order, each at most once: m.room.create (not from room version 12);
 * m.room.power_levels; the sender's m.room.member; for m.room.member
 * events the target's m.room.member, m.room.join_rules when membership is
 * join, invite or knock, the m.room.third_party_invite whose state_key is
 * `content.third_party_invite.signed.token` (an invite with a string
 * token), and the m.room.member of `content.join_authorised_via_users_
 * server` (a join with a string value, versions with restricted joins).
 * An m.room.create event needs nothing.
 * @param out      receives the entries (strings borrowed from `ev`)
 * @param out_cap  room in `out`, in entries; MXC_AUTH_TYPES_MAX
 *                 (mxc_auth_types_max()) is always enough
 * @param n_out    receives the number of entries
 * @return MXC_OK or MXC_ERR_INVALID_ARGUMENT (also when the event needs
 *         more entries than out_cap: the message says how many)
 */
MXC_API int mxc_auth_types(mxc_auth_type *out, size_t out_cap,
                           size_t *n_out, const mxc_event *ev,
                           mxc_error *err);

/* ---- state ----------------------------------------------------------- */

/**
 * A set of state events keyed by (type, state_key), borrowing the events
 * (they must outlive it). An event without a state_key is keyed under
 * the empty state key (hand-written scenarios omit it on m.room.create).
 * Not thread-safe while being changed; safe to share once built.
 */
typedef struct mxc_auth_state mxc_auth_state;

/**
 * Make a state set from events (later entries replace earlier ones with
 * the same key; the set remembers that there was a duplicate, which
 * mxc_auth_check rejects by rule 2.1).
 * @param out  receives the set, to free with mxc_auth_state_free
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_auth_state_new(mxc_auth_state **out,
                               const mxc_event *const *events, size_t n,
                               const mxc_allocator *alloc, mxc_error *err);

/** Free a state set (not its events); NULL is accepted. */
MXC_API void mxc_auth_state_free(mxc_auth_state *st);

/**
 * Insert an event, replacing the one with its key (not a duplicate).
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_auth_state_set(mxc_auth_state *st, const mxc_event *ev,
                               mxc_error *err);

/** The event at (type, state_key), or NULL. */
MXC_API const mxc_event *mxc_auth_state_get(const mxc_auth_state *st,
                                            const char *type,
                                            size_t type_len,
                                            const char *state_key,
                                            size_t state_key_len);

/** Number of entries. */
MXC_API size_t mxc_auth_state_size(const mxc_auth_state *st);

/* ---- the rules ------------------------------------------------------- */

/** mxc_auth_check flags. */
enum {
	/** The state given is the event's auth events (rules 2.2, 2.5 over
	 * every entry), not the room state before it. */
	MXC_AUTH_AUTH_EVENTS = 1u << 0,
	/** The event's signatures were verified (mxc_event_verify): the
	 * join_authorised_via_users_server signature rule holds. */
	MXC_AUTH_SIGNATURES_CHECKED = 1u << 1
};

/** The rules, whatever their number on a version's page (err->reason). */
typedef enum mxc_auth_rule {
	MXC_AUTH_RULE_NONE = 0,
	/* m.room.create */
	MXC_AUTH_CREATE_PREV_EVENTS = 1,  /**< 1.1 */
	MXC_AUTH_CREATE_ROOM_ID,          /**< 1.2 domain (v1-11), has one (v12) */
	MXC_AUTH_CREATE_ROOM_VERSION,     /**< 1.3 */
	MXC_AUTH_CREATE_NO_CREATOR,       /**< 1.4 (v1-10) */
	MXC_AUTH_CREATE_ADDITIONAL_CREATORS, /**< 1.4 (v12) */
	MXC_AUTH_ROOM_ID_NOT_CREATE,      /**< 2 (v12) */
	/* auth events */
	MXC_AUTH_DUPLICATE_ENTRY,         /**< 2.1 (v12: 3.1) */
	MXC_AUTH_NOT_SELECTED,            /**< 2.2 (v12: 3.2) */
	MXC_AUTH_NO_CREATE,               /**< 2.4 (v1-11) */
	MXC_AUTH_ENTRY_ROOM_ID,           /**< 2.5 (v12: 3.4) */
	MXC_AUTH_FEDERATE,                /**< 3 (v12: 4) */
	/* m.room.aliases, v1-5 */
	MXC_AUTH_ALIASES_NO_STATE_KEY,    /**< 4.1 */
	MXC_AUTH_ALIASES_DOMAIN,          /**< 4.2 */
	/* m.room.member */
	MXC_AUTH_MEMBER_NO_MEMBERSHIP,    /**< 5.1 / 4.1 */
	MXC_AUTH_MEMBER_AUTHORISER_SIGNATURE, /**< 4.2.1 (v8+) */
	MXC_AUTH_JOIN_SENDER_NOT_TARGET,  /**< join .2 */
	MXC_AUTH_JOIN_BANNED,             /**< join .3 */
	MXC_AUTH_JOIN_AUTHORISER,         /**< join .5.2 (v8+) */
	MXC_AUTH_JOIN_OTHERWISE,          /**< join .6 / .7 */
	MXC_AUTH_3PID_TARGET_BANNED,      /**< invite .1.1 */
	MXC_AUTH_3PID_NO_SIGNED,          /**< invite .1.2 */
	MXC_AUTH_3PID_NO_MXID_TOKEN,      /**< invite .1.3 */
	MXC_AUTH_3PID_MXID,               /**< invite .1.4 */
	MXC_AUTH_3PID_NO_INVITE_EVENT,    /**< invite .1.5 */
	MXC_AUTH_3PID_SENDER,             /**< invite .1.6 */
	MXC_AUTH_3PID_SIGNATURE,          /**< invite .1.8 */
	MXC_AUTH_INVITE_SENDER_NOT_JOINED,/**< invite .2 */
	MXC_AUTH_INVITE_TARGET,           /**< invite .3 */
	MXC_AUTH_INVITE_LEVEL,            /**< invite .5 */
	MXC_AUTH_LEAVE_SELF,              /**< leave .1 */
	MXC_AUTH_LEAVE_SENDER_NOT_JOINED, /**< leave .2 */
	MXC_AUTH_LEAVE_TARGET_BANNED,     /**< leave .3 */
	MXC_AUTH_LEAVE_LEVEL,             /**< leave .5 */
	MXC_AUTH_BAN_SENDER_NOT_JOINED,   /**< ban .1 */
	MXC_AUTH_BAN_LEVEL,               /**< ban .3 */
	MXC_AUTH_KNOCK_JOIN_RULE,         /**< knock .1 (v7+) */
	MXC_AUTH_KNOCK_SENDER_NOT_TARGET, /**< knock .2 */
	MXC_AUTH_KNOCK_MEMBERSHIP,        /**< knock .4 */
	MXC_AUTH_MEMBER_UNKNOWN,          /**< unknown membership */
	/* every other event */
	MXC_AUTH_SENDER_NOT_JOINED,       /**< 6 (v1-5, v12) / 5 */
	MXC_AUTH_3PID_INVITE_LEVEL,       /**< 7.1 / 6.1 */
	MXC_AUTH_EVENT_LEVEL,             /**< 8 / 7 */
	MXC_AUTH_STATE_KEY_USER,          /**< 9 / 8 */
	/* m.room.power_levels */
	MXC_AUTH_PL_SCALARS,              /**< 9.1 (v10+, v12: 10.1) */
	MXC_AUTH_PL_MAPS,                 /**< 9.2 (v10+) */
	MXC_AUTH_PL_USERS,                /**< 10.1 (v1-5) ... 10.3 (v12) */
	MXC_AUTH_PL_CREATORS_IN_USERS,    /**< 10.4 (v12) */
	MXC_AUTH_PL_SCALAR_CURRENT,       /**< 10.3.1 ... */
	MXC_AUTH_PL_SCALAR_NEW,           /**< 10.3.2 ... */
	MXC_AUTH_PL_EVENTS_CURRENT,       /**< 10.4.1 ... */
	MXC_AUTH_PL_EVENTS_NEW,           /**< 10.5.1 ... */
	MXC_AUTH_PL_USERS_CURRENT,        /**< 10.6.1 ... */
	MXC_AUTH_PL_USERS_NEW,            /**< 10.7.1 ... */
	/* m.room.redaction, v1-2 */
	MXC_AUTH_REDACTION,               /**< 11.3 */
	MXC_AUTH_RULE_COUNT
} mxc_auth_rule;

/**
 * The number of a rule on a room version's page ("4.3.3"), or NULL if
 * the version has no such rule.
 * @param buf  room for at least 16 bytes; receives the NUL-terminated
 *             number
 * @return buf, or NULL
 */
MXC_API const char *mxc_auth_rule_number(char *buf, size_t size,
                                         const mxc_room_version *rv,
                                         mxc_auth_rule rule);

/**
 * Check an event against the authorisation rules of its room version.
 * @param ev      the event (its room version is the one it was parsed
 *                for)
 * @param state   the state to check against (or, with
 *                MXC_AUTH_AUTH_EVENTS, the event's auth events); NULL is
 *                an empty set
 * @param keys    public keys the caller knows, for rule 4.2.1 (may be
 *                NULL when n_keys is 0); as for mxc_event_verify
 * @param now_ts  current time (ms), or MXC_TS_NONE
 * @param flags   MXC_AUTH_* flags
 * @param err     on rejection: status MXC_ERR_AUTH_REJECTED, reason an
 *                mxc_auth_rule, message "vN auth rule X.Y: why";
 *                subject the JSON path concerned when there is one
 * @return MXC_OK (allowed); MXC_ERR_AUTH_REJECTED; MXC_ERR_NEED_INPUT (a
 *         key of the server in err->subject is needed); MXC_ERR_BAD_EVENT;
 *         MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_auth_check(const mxc_event *ev, const mxc_auth_state *state,
                           const mxc_event_key *keys, size_t n_keys,
                           int64_t now_ts, unsigned flags, mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
