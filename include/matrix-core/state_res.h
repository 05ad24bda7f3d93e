/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: state resolution (rooms/v1, rooms/v2 and the v2-state-res
 * fragment, rooms/v12; server-server API: Room State Resolution), auth
 * chains and the auth difference.
 *
 * The algorithm is the room version's: v1 for room version 1, v2 for
 * versions 2 to 11, v2.1 for version 12 (the iterative auth checks of
 * step 2 start from an empty state; the full conflicted set also holds
 * the conflicted state subgraph).
 *
 * Events come from a context (matrix-core/ctx.h): those handed over, else
 * through the host's store. Whatever is missing is collected: the call
 * then returns MXC_ERR_NEED_INPUT (the store said "not available now" for
 * at least one) or MXC_ERR_MISSING_EVENT (the events do not exist for the
 * host), mxc_ctx_missing() lists every missing ID, and nothing is
 * returned. Rejected events are those recorded with
 * mxc_ctx_set_rejected().
 *
 * Choices (see also DESIGN.md, "Where the spec's text and the deployed
 * servers differ"):
 *  - Auth difference. The spec defines the auth chain of an event without
 *    the event itself; the deployed servers (Synapse) compute the full
 *    auth chain of a state set including the state events themselves.
 *    This library follows the servers by default;
 *    MXC_STATE_RES_LITERAL_AUTH_DIFF takes the spec's words literally. The
 *    two differ only in rare rooms (an unconflicted state event cited by
 *    the events of some forks only).
 *  - A key missing from some state sets is conflicted (v2, v2.1), as the
 *    spec says. In v1 a conflict is two different events for one key, as
 *    the v1 text says; keys held by some sets only are kept.
 *  - Power level of a sender (reverse topological power ordering): read
 *    from the m.room.power_levels event among the event's auth events and,
 *    without one, from the m.room.create event (its creator has 100, v12
 *    creators are above every level); values the room version does not
 *    allow count as 0.
 *  - Iterative auth checks run the whole authorisation rules
 *    (mxc_auth_check) against the state they build: for each key auth
 *    events selection names, the entry of that state, else the event's
 *    own auth event with that key unless it was rejected (v2 fragment,
 *    "Rejected events"). In v12 the room's m.room.create event is given
 *    to the rules too (it is no longer an auth event).
 *  - v1: conflicts between m.room.member events are resolved key by key,
 *    each against the state as it was after the join rules step (so the
 *    order of keys does not matter); for the other events, when no event
 *    of a key passes the checks, the one sorted last (lowest depth) is
 *    kept, as Synapse does (the spec does not say).
 *  - The result never depends on the order of the state sets or of the
 *    events inside them.
 *
 * Bad input is a specific status, never a guess: an event listed in a
 * state set without a state_key, or two events with one key in one set
 * (MXC_ERR_INVALID_ARGUMENT, subject the event ID); events of another
 * room or another room version, or a cycle in auth_events
 * (MXC_ERR_BAD_EVENT, subject an event ID on it).
 *
 * Cost. Every event of the state sets and of their auth chains is
 * fetched once and visited a bounded number of times per call: loading,
 * cycle check and the auth difference are O(V + E) (V events, E
 * auth_events references) plus O(V + E) per state set for the events
 * that are not shared by every set; the orderings are O(k log k) in the
 * number k of events they sort; the iterative auth checks cost one
 * mxc_auth_check each. Memory is O(V + E). No step recurses.
 */
#ifndef MATRIX_CORE_STATE_RES_H
#define MATRIX_CORE_STATE_RES_H

#include "common.h"
#include "ctx.h"
#include "event.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flags of the functions below. */
enum {
	/** Auth difference from the spec's literal words: the auth chain
	 * of a state set does not include its state events themselves
	 * (unless another of its events cites them). */
	MXC_STATE_RES_LITERAL_AUTH_DIFF = 1u << 0,
	/** mxc_state_auth_chain: include the given events themselves. */
	MXC_STATE_AUTH_CHAIN_INCLUDE_SELF = 1u << 1
};

/* ---- results --------------------------------------------------------- */

/**
 * A state map: (type, state_key) -> event ID, owning its strings (it does
 * not borrow from the context). Entries are sorted by type, then state
 * key (bytes). Immutable; may be shared between threads.
 */
typedef struct mxc_state mxc_state;

/** Free a state map; NULL is accepted. */
MXC_API void mxc_state_free(mxc_state *st);

/** Number of entries. */
MXC_API size_t mxc_state_size(const mxc_state *st);

/**
 * Entry i, in (type, state_key) order. Every out-parameter is optional;
 * the strings are borrowed from the map, NUL-terminated, and may contain
 * NUL bytes (use the lengths).
 * @return MXC_OK, or MXC_ERR_INVALID_ARGUMENT when i is out of range
 */
MXC_API int mxc_state_entry(const mxc_state *st, size_t i,
                            const char **type, size_t *type_len,
                            const char **state_key, size_t *state_key_len,
                            const char **event_id, size_t *event_id_len);

/**
 * The event ID at (type, state_key), or NULL (binary search).
 * @param id_len  optional, receives its length
 */
MXC_API const char *mxc_state_get(const mxc_state *st, const char *type,
                                  size_t type_len, const char *state_key,
                                  size_t state_key_len, size_t *id_len);

/** A list of event IDs, sorted by bytes, each once (immutable). */
typedef struct mxc_id_list mxc_id_list;

/** Free a list; NULL is accepted. */
MXC_API void mxc_id_list_free(mxc_id_list *l);

/** Number of IDs. */
MXC_API size_t mxc_id_list_size(const mxc_id_list *l);

/** ID i (NUL-terminated, borrowed from the list), NULL past the end. */
MXC_API const char *mxc_id_list_at(const mxc_id_list *l, size_t i,
                                   size_t *len);

/* ---- the operations -------------------------------------------------- */

/*
 * Event IDs are given as an array of pointers `ids` with an optional
 * array of lengths `id_lens` (NULL: each ID is NUL-terminated). State
 * sets are given one after another in `ids`: set j has set_sizes[j]
 * entries.
 */

/**
 * Resolve state sets (each a list of the IDs of its state events) by the
 * algorithm of the room version.
 * @param out        receives the resolved state, to free with
 *                   mxc_state_free
 * @param ctx        where the events come from (and the rejected set)
 * @param rv         room version; it must be the context's
 * @param n_sets     number of state sets (0 resolves to an empty state)
 * @param flags      0 or MXC_STATE_RES_LITERAL_AUTH_DIFF
 * @return MXC_OK; MXC_ERR_NEED_INPUT or MXC_ERR_MISSING_EVENT (see
 *         mxc_ctx_missing); MXC_ERR_INVALID_ARGUMENT; MXC_ERR_BAD_EVENT;
 *         a status of mxc_event_parse for an event read from the store;
 *         MXC_ERR_CALLBACK; MXC_ERR_NOMEM
 */
MXC_API int mxc_state_resolve(mxc_state **out, mxc_ctx *ctx,
                              const mxc_room_version *rv,
                              const char *const *ids, const size_t *id_lens,
                              const size_t *set_sizes, size_t n_sets,
                              unsigned flags, mxc_error *err);

/**
 * The union of the auth chains of events (v2 fragment: Auth chain): every
 * event reachable through auth_events, without the given events unless
 * MXC_STATE_AUTH_CHAIN_INCLUDE_SELF (or one cites another).
 * @return as mxc_state_resolve
 */
MXC_API int mxc_state_auth_chain(mxc_id_list **out, mxc_ctx *ctx,
                                 const char *const *ids,
                                 const size_t *id_lens, size_t n,
                                 unsigned flags, mxc_error *err);

/**
 * The auth difference of state sets (v2 fragment: Auth difference): the
 * union of their full auth chains minus their intersection. By default a
 * set's full auth chain includes its own state events (as deployed);
 * MXC_STATE_RES_LITERAL_AUTH_DIFF follows the spec's words.
 * @return as mxc_state_resolve
 */
MXC_API int mxc_state_auth_difference(mxc_id_list **out, mxc_ctx *ctx,
                                      const char *const *ids,
                                      const size_t *id_lens,
                                      const size_t *set_sizes, size_t n_sets,
                                      unsigned flags, mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
