/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: building new events for local users, and the joining
 * server's side of the remote join handshake (server-server API: PDUs,
 * Auth events selection, Signing Events, Joining Rooms; the pdu_v1 ...
 * pdu_v12 schemas; rooms/v12: Room IDs).
 *
 * mxc_build_event turns a prototype ({type, state_key?, content, sender})
 * into a complete, hashed and signed PDU, given what the host knows of the
 * room: its current state and its forward extremities. The library does no
 * I/O, reads no clock and draws no random numbers: the timestamp and, for
 * room versions 1 and 2, the opaque part of the event ID come from the
 * caller. It refuses to build an event that the authorisation rules would
 * reject against the current state (MXC_ERR_AUTH_REJECTED, the rule named
 * as mxc_auth_check names it).
 *
 * mxc_build_make_join fills a join template returned by a resident
 * server's make_join; mxc_build_check_send_join checks what its send_join
 * returned.
 *
 * Choices where the spec leaves room:
 *  - prev_events. The spec asks for every event without a child (the
 *    forward extremities) and the PDU schemas allow at most 20. With more
 *    than 20 extremities the builder keeps the 20 deepest (greatest
 *    `depth`), ties broken by event ID bytes in ascending order, and lists
 *    them in that order; with 20 or fewer it lists all of them in that
 *    order. Duplicate extremities are listed once. The choice is
 *    deterministic: the same input builds the same event.
 *  - depth. The greatest depth among the chosen prev_events plus one,
 *    capped at the version's limit (pdu_v1: "If the room's depth is
 *    already at the limit, the depth must be set to the limit"; 2^63 - 1
 *    in v1 to v5, 2^53 - 1 from v6). An m.room.create event (no prev
 *    events) gets depth 1, as the deployed servers give it.
 *  - auth_events. The events that auth events selection names (in the
 *    order mxc_auth_types lists them), each taken from the current state
 *    when present there; absent ones are left out ("if any").
 *  - `origin`. No longer part of the PDU schemas: mxc_build_event does
 *    not add it. mxc_build_make_join sets it to the joining server's name,
 *    as "Joining Rooms" asks ("add or replace the origin,
 *    origin_server_ts, and event_id").
 *  - Auth. The built event is checked against the current state (the
 *    state it will be the child of, as check 6 on receipt) and against
 *    the auth events it lists (check 4), with the builder's own public key
 *    for the signature rules. An m.room.member join naming a
 *    `join_authorised_via_users_server` of another server needs that
 *    server's signature (v8+ rule 4.2.1): its key is unknown here, so the
 *    call ends with MXC_ERR_NEED_INPUT (err->subject names the server);
 *    such joins go through make_join / send_join instead.
 *  - Room IDs. A non-create event's room_id is the room ID of the
 *    m.room.create event in the current state (v12: derived from it); a
 *    `room_id` in the prototype must equal it (MXC_ERR_ROOM_ID_MISMATCH).
 *    An m.room.create of room versions 1 to 11 takes its `room_id`
 *    ("!opaque:server") from the prototype, where it is required; a v12
 *    m.room.create has none (its room ID is its reference hash).
 *  - Fields the builder sets (`auth_events`, `prev_events`, `depth`,
 *    `origin_server_ts`, `hashes`, `signatures`, `event_id`) and
 *    `unsigned` may not appear in the prototype (MXC_ERR_BAD_EVENT); any
 *    other member (`redacts` of a v1-v10 redaction, for instance) is kept
 *    and covered by the hashes.
 *  - The sender must be a user of the signing server (its server name
 *    after the first ':' equals `server_name`), else
 *    MXC_ERR_INVALID_ARGUMENT.
 */
#ifndef MATRIX_CORE_BUILDER_H
#define MATRIX_CORE_BUILDER_H

#include "auth.h"
#include "common.h"
#include "event.h"
#include "json.h"
#include "keys.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Build, hash and sign a new event for a local user.
 *
 * @param out          receives the event (parsed and validated for `rv`,
 *                     its ID from mxc_event_id, its PDU from
 *                     mxc_event_json), to free with mxc_event_free
 * @param rv           the room's version
 * @param proto        an object: `type`, `state_key` (state events),
 *                     `content`, `sender`, and for a v1-v11 m.room.create
 *                     its `room_id`; other members are kept
 * @param state        the room's current state (NULL or empty only for an
 *                     m.room.create); the events must be of `rv`
 * @param extremities  the room's forward extremities (events of `rv`;
 *                     none for an m.room.create)
 * @param origin_server_ts  the timestamp to give the event (ms)
 * @param server_name  the local server, which signs
 * @param key          its signing key
 * @param opaque_id    room versions 1 and 2: the event ID's opaque part
 *                     (the ID is "$" opaque_id ":" server_name); ignored
 *                     (may be NULL) from version 3 on
 * @param alloc        allocator, NULL for the C library's
 * @param err          on MXC_ERR_AUTH_REJECTED: as mxc_auth_check fills it
 *                     (message "vN auth rule X.Y: why", reason an
 *                     mxc_auth_rule)
 * @return MXC_OK; MXC_ERR_AUTH_REJECTED; MXC_ERR_NEED_INPUT (see the
 *         header's notes); MXC_ERR_BAD_EVENT (a prototype field of the
 *         wrong type or one the builder sets); MXC_ERR_ROOM_ID_MISMATCH
 *         (a prototype or extremity in another room); MXC_ERR_BAD_IDENTIFIER
 *         or MXC_ERR_EVENT_TOO_LARGE (the built event is not a valid PDU);
 *         MXC_ERR_INVALID_ARGUMENT (NULL arguments, a sender of another
 *         server, events of another room version, a non-create event with
 *         no extremities, no opaque_id in v1/v2); MXC_ERR_NOMEM
 */
MXC_API int mxc_build_event(mxc_event **out, const mxc_room_version *rv,
                            const mxc_json *proto,
                            const mxc_auth_state *state,
                            const mxc_event *const *extremities,
                            size_t n_extremities, int64_t origin_server_ts,
                            const char *server_name,
                            const mxc_signing_key *key,
                            const char *opaque_id,
                            const mxc_allocator *alloc, mxc_error *err);

/**
 * Fill a join template from a resident server's make_join response
 * (server-server API: GET /make_join, Joining Rooms).
 *
 * The response's checks, each failure MXC_ERR_BAD_EVENT with the JSON
 * path in err->subject ("the response MUST be treated as malformed"):
 * it is an object with an `event` object; its `room_version` equals `rv`
 * (absent: the spec says "1" or "2", so `rv` must be one of those); the
 * event's `type` is m.room.member, its `room_id` is `room_id`, its `sender`
 * and `state_key` are `user_id`, and `content.membership` is "join".
 * `user_id` must be a user of `server_name` (MXC_ERR_INVALID_ARGUMENT).
 *
 * The template is then completed: `origin` set to `server_name`,
 * `origin_server_ts` to the caller's, `event_id` (v1/v2) to "$" opaque_id
 * ":" server_name or (v3+) removed; `hashes`, `signatures` and `unsigned`
 * the template may carry are dropped; the event is hashed, signed and
 * validated as a PDU of `rv` (the template's `auth_events`, `prev_events`
 * and `depth` are kept as the resident chose them: the joining server has
 * no state to check them against).
 *
 * @param out       receives the signed join, to free with mxc_event_free
 * @param response  the make_join response body
 * @param room_id   the room being joined (the path's roomId)
 * @param user_id   the joining user (the path's userId)
 * @return MXC_OK, MXC_ERR_BAD_EVENT, MXC_ERR_BAD_IDENTIFIER,
 *         MXC_ERR_EVENT_TOO_LARGE, MXC_ERR_INVALID_ARGUMENT or
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_build_make_join(mxc_event **out, const mxc_room_version *rv,
                                const mxc_json *response,
                                const char *room_id, const char *user_id,
                                int64_t origin_server_ts,
                                const char *server_name,
                                const mxc_signing_key *key,
                                const char *opaque_id,
                                const mxc_allocator *alloc, mxc_error *err);

/**
 * Check a send_join response (server-server API: PUT /send_join, v2) for
 * the join we sent.
 *
 * Checked here (MXC_ERR_BAD_EVENT with the JSON path in err->subject
 * unless said otherwise):
 *  - the response is an object with `state` and `auth_chain` arrays;
 *  - `event`, when present, is our join with signatures added: every
 *    member but `signatures` and `unsigned` equal to ours (so the same
 *    event ID), and our server's signatures unchanged;
 *  - for a join with `content.join_authorised_via_users_server` (v8+),
 *    `event` is required and must carry a signature of that user's server
 *    that verifies under one of `keys` (MXC_ERR_BAD_SIGNATURE when none
 *    verifies; MXC_ERR_NEED_INPUT, err->subject the server, when its
 *    signatures are all under keys not supplied);
 *  - each entry of `state` and `auth_chain` is a valid PDU of `rv`
 *    (statuses of mxc_event_from_json) in our room
 *    (MXC_ERR_ROOM_ID_MISMATCH), each `state` entry a state event;
 *  - `state` holds the room's m.room.create, whose room ID is ours
 *    (v12: derived from it) and whose `content.room_version` (absent:
 *    "1") is `rv`'s.
 * Left to the host, which hands each returned event to the checks on
 * receipt of a PDU: their signatures and hashes, their auth against their
 * auth events, and whether `auth_chain` holds every auth event needed.
 *
 * @param out       optional; receives the join as the resident returned
 *                  it (or a copy of ours when `event` is absent), to free
 *                  with mxc_event_free
 * @param join      the join we sent (from mxc_build_make_join)
 * @param response  the send_join response body
 * @param keys      public keys known for the authorising server
 * @param now_ts    current time (ms) for key validity, or MXC_TS_NONE
 * @param alloc     allocator for `out`, NULL for the C library's
 * @return MXC_OK or a status listed above; MXC_ERR_INVALID_ARGUMENT,
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_build_check_send_join(mxc_event **out, const mxc_event *join,
                                      const mxc_json *response,
                                      const mxc_event_key *keys,
                                      size_t n_keys, int64_t now_ts,
                                      const mxc_allocator *alloc,
                                      mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
