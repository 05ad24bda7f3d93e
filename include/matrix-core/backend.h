/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: the interfaces a host implements (DESIGN.md, Host
 * interfaces; STYLE.md section 6), and the in-memory store shipped with
 * the library.
 *
 * A callback table is a struct of function pointers that starts with its
 * version (the MXC_*_OPS_VERSION the host was built with) and a
 * `user_data` pointer handed back, untouched, as the last argument of
 * every call. Members are only ever appended: a table of an older version
 * simply lacks the newer members, which the library then treats as
 * absent. The library copies the table when it is installed.
 *
 * The library reads through the store and never writes to it.
 *
 * "Not available now". A callback may return MXC_ERR_WOULDBLOCK: the
 * operation then goes on collecting everything else it finds missing and
 * ends with MXC_ERR_NEED_INPUT; mxc_ctx_missing() lists the event IDs to
 * fetch. Nothing is half-done: the call either completes or returns no
 * result. A blocking host may instead answer at once, either by filling
 * the buffer it is handed or by handing events over with
 * mxc_ctx_add_event() from inside the callback (the only calls into the
 * library a callback may make) and returning MXC_OK with the buffer left
 * empty.
 */
#ifndef MATRIX_CORE_BACKEND_H
#define MATRIX_CORE_BACKEND_H

#include "common.h"
#include "ctx.h"
#include "event.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the store ------------------------------------------------------- */

/** The version of mxc_store_ops this header describes. */
#define MXC_STORE_OPS_VERSION 1u
/** Function twin of MXC_STORE_OPS_VERSION, for bindings. */
MXC_API uint32_t mxc_store_ops_version(void);

/**
 * Storage callbacks (version 1). Event IDs are NUL-terminated.
 *
 * get_event (required): copy the event's JSON (the PDU) into `out` with
 *   mxc_buf_set and return MXC_OK; or hand it over with
 *   mxc_ctx_add_event() and return MXC_OK leaving `out` empty; return
 *   MXC_ERR_NOT_FOUND when the host does not have it (the operation then
 *   fails with MXC_ERR_MISSING_EVENT) or MXC_ERR_WOULDBLOCK when it must
 *   be fetched first (MXC_ERR_NEED_INPUT). Any other code ends the
 *   operation with MXC_ERR_CALLBACK (the code kept in err->reason).
 * get_auth_chain (optional, may be NULL): the auth chain of an event as a
 *   JSON array of event IDs, for hosts that index it. Version 1 of the
 *   library computes auth chains from the events and does not call it yet.
 * get_state_after (optional, may be NULL): the state after an event as a
 *   JSON array of event IDs. Not called by state resolution (which is
 *   given its state sets); reserved for the PDU checks.
 * release (optional, may be NULL): called once, by mxc_ctx_free, when the
 *   context no longer needs the table.
 */
typedef struct mxc_store_ops {
	uint32_t version;  /* MXC_STORE_OPS_VERSION the host was built with */
	void *user_data;   /* handed back untouched as the last argument */
	int (*get_event)(mxc_buf *out, const char *event_id, void *user_data);
	int (*get_auth_chain)(mxc_buf *out, const char *event_id,
	                      void *user_data);
	int (*get_state_after)(mxc_buf *out, const char *event_id,
	                       void *user_data);
	void (*release)(void *user_data);
} mxc_store_ops;

/** Static initialiser: version set, everything else NULL. */
#define MXC_STORE_OPS_INIT {MXC_STORE_OPS_VERSION, NULL, NULL, NULL, NULL, NULL}

/**
 * Install a store in a context (replacing any previous one, whose release
 * is called). The table is copied; members past the table's version are
 * treated as absent.
 * @param ops  the table; NULL removes the store
 * @return MXC_OK; MXC_ERR_INVALID_ARGUMENT (a version newer than the
 *         library knows, version 0, or get_event missing)
 */
MXC_API int mxc_ctx_set_store(mxc_ctx *ctx, const mxc_store_ops *ops,
                              mxc_error *err);

/* ---- the in-memory store --------------------------------------------- */

/**
 * An in-memory store of events keyed by event ID, for tools, tests,
 * examples and bindings. It keeps a copy of each event's JSON bytes.
 * Not thread-safe while events are being added.
 */
typedef struct mxc_memstore mxc_memstore;

/**
 * Make an empty store for one room version.
 * @param out          receives the store, to free with mxc_memstore_free
 * @param rv           room version of its events
 * @param parse_flags  MXC_EVENT_PARSE_* flags for reading events (e.g.
 *                     MXC_EVENT_PARSE_LABELLED for hand-written events)
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_memstore_new(mxc_memstore **out, const mxc_room_version *rv,
                             unsigned parse_flags, const mxc_allocator *alloc,
                             mxc_error *err);

/** Free a store (its events' bytes); NULL is accepted. */
MXC_API void mxc_memstore_free(mxc_memstore *ms);

/**
 * Add an event: it is parsed (to learn and check its ID) and its bytes
 * copied. Adding the same event again is accepted; another event with an
 * ID already held is MXC_ERR_BAD_EVENT (err->subject names the ID).
 * @param id_out  optional: receives the event ID (appended to)
 * @return MXC_OK, any status of mxc_event_parse, MXC_ERR_BAD_EVENT or
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_memstore_add(mxc_memstore *ms, const char *json, size_t len,
                             mxc_buf *id_out, mxc_error *err);

/** Number of events held. */
MXC_API size_t mxc_memstore_size(const mxc_memstore *ms);

/**
 * The JSON bytes of an event held, borrowed until mxc_memstore_free, or
 * NULL when the store does not hold it.
 */
MXC_API const char *mxc_memstore_get(const mxc_memstore *ms,
                                     const char *event_id, size_t id_len,
                                     size_t *len);

/**
 * Fill a store table whose callbacks read this store (get_event only;
 * release is NULL: the store stays the caller's, and must outlive every
 * context using the table).
 * @return MXC_OK or MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_memstore_ops(mxc_store_ops *out, mxc_memstore *ms);

/* ---- the transport --------------------------------------------------- */

/** The version of mxc_transport_ops this header describes. */
#define MXC_TRANSPORT_OPS_VERSION 1u
/** Function twin of MXC_TRANSPORT_OPS_VERSION, for bindings. */
MXC_API uint32_t mxc_transport_ops_version(void);

/**
 * Transport callbacks (version 1): how the library asks the host to fetch
 * what it lacks from other servers. The library says what it needs; the
 * host decides how and when. Strings are NUL-terminated; the arrays are
 * valid only during the call.
 *
 * request_events (optional, may be NULL): fetch events (missing prev
 *   events, auth events, events of a state) by ID, e.g. with
 *   /_matrix/federation/v1/event or /get_missing_events. A blocking host
 *   fetches them at once, hands each over with mxc_ctx_add_event() on the
 *   context of the operation, and returns MXC_OK (an event it could not
 *   get is simply not handed over). An asynchronous host returns
 *   MXC_ERR_WOULDBLOCK: the operation ends with MXC_ERR_NEED_INPUT and
 *   mxc_ctx_missing() lists the IDs.
 * request_keys (optional, may be NULL): fetch the key documents of
 *   `server_name` that hold `key_ids` (directly from
 *   /_matrix/key/v2/server, or through a notary's /_matrix/key/v2/query
 *   with `minimum_valid_until_ts` set to `min_valid_until_ts`, which is
 *   MXC_TS_NONE when no time is needed). A blocking host hands the
 *   documents over with mxc_keyring_add_json() (matrix-core/keyring.h) on
 *   the keyring of the operation and returns MXC_OK; an asynchronous host
 *   returns MXC_ERR_WOULDBLOCK (mxc_keyring_missing() lists the keys).
 * release (optional, may be NULL): not called by version 1 of the
 *   library, which never keeps the table past the call it was given to.
 *
 * Any other return code ends the operation with MXC_ERR_CALLBACK (the
 * code kept in err->reason). A missing member behaves as a callback that
 * always answers MXC_ERR_WOULDBLOCK, and so does a NULL table: the
 * operation lists what it lacks and returns MXC_ERR_NEED_INPUT.
 * Callbacks may call mxc_ctx_add_event() and mxc_keyring_add_json() (only
 * those) on the context and keyring of the operation.
 */
typedef struct mxc_transport_ops {
	uint32_t version;  /* MXC_TRANSPORT_OPS_VERSION of the host */
	void *user_data;   /* handed back untouched as the last argument */
	int (*request_events)(const char *const *event_ids, size_t n,
	                      void *user_data);
	int (*request_keys)(const char *server_name,
	                    const char *const *key_ids, size_t n,
	                    int64_t min_valid_until_ts, void *user_data);
	void (*release)(void *user_data);
} mxc_transport_ops;

/** Static initialiser: version set, everything else NULL. */
#define MXC_TRANSPORT_OPS_INIT \
	{MXC_TRANSPORT_OPS_VERSION, NULL, NULL, NULL, NULL}

#ifdef __cplusplus
}
#endif
#endif
