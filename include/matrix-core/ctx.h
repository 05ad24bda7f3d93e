/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: contexts.
 *
 * An `mxc_ctx` carries what an operation on one room needs from outside:
 * the room version, the events the host handed over (parsed and held by
 * the context), the host's store (matrix-core/backend.h), the IDs of
 * events the host knows were rejected, and, after a call that returned
 * MXC_ERR_NEED_INPUT or MXC_ERR_MISSING_EVENT, the list of event IDs it
 * found missing.
 *
 * Events fetched through the store are parsed and kept in the context, so
 * that a call repeated after MXC_ERR_NEED_INPUT does not fetch them again.
 * That cache is the context's own: the host's storage is never written.
 *
 * One thread uses a context at a time. The events a context holds are
 * immutable and may be read from other threads while it lives.
 */
#ifndef MATRIX_CORE_CTX_H
#define MATRIX_CORE_CTX_H

#include "common.h"
#include "event.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A context (opaque). */
typedef struct mxc_ctx mxc_ctx;

/**
 * Make a context for a room of version `rv`.
 * @param out          receives the context, to free with mxc_ctx_free
 * @param parse_flags  MXC_EVENT_PARSE_* flags used to read events handed
 *                     over as bytes or fetched from the store (e.g.
 *                     MXC_EVENT_PARSE_LABELLED for hand-written scenarios)
 * @param alloc        allocator, NULL for the C library's
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_ctx_new(mxc_ctx **out, const mxc_room_version *rv,
                        unsigned parse_flags, const mxc_allocator *alloc,
                        mxc_error *err);

/** Free a context and the events it holds (calling the store's release,
 * if any); NULL is accepted. */
MXC_API void mxc_ctx_free(mxc_ctx *ctx);

/** The context's room version. */
MXC_API const mxc_room_version *mxc_ctx_room_version(const mxc_ctx *ctx);

/**
 * Hand an event over as JSON bytes: it is parsed with the context's room
 * version and parse flags and held by the context. The same event again is
 * accepted (and ignored); a different event with an ID already held is
 * MXC_ERR_BAD_EVENT, err->subject naming the ID. May be called from
 * inside a store callback.
 * @return MXC_OK, any status of mxc_event_parse, MXC_ERR_BAD_EVENT,
 *         MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_ctx_add_event(mxc_ctx *ctx, const char *json, size_t len,
                              mxc_error *err);

/**
 * Hand a parsed event over; the context takes ownership of `ev` whatever
 * the outcome (it is freed on failure, and when it duplicates an event
 * already held). The event must be of the context's room version
 * (MXC_ERR_INVALID_ARGUMENT otherwise).
 * @return as mxc_ctx_add_event
 */
MXC_API int mxc_ctx_adopt_event(mxc_ctx *ctx, mxc_event *ev, mxc_error *err);

/**
 * An event the context holds, borrowed until mxc_ctx_free, or NULL. The
 * store is not consulted.
 */
MXC_API const mxc_event *mxc_ctx_get_event(const mxc_ctx *ctx,
                                           const char *event_id,
                                           size_t len);

/** Number of events the context holds. */
MXC_API size_t mxc_ctx_event_count(const mxc_ctx *ctx);

/**
 * Record that an event was rejected (it need not be held). State
 * resolution reads this set (rooms/v2: Rejected events).
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_ctx_set_rejected(mxc_ctx *ctx, const char *event_id,
                                 size_t len, mxc_error *err);

/** 1 if the event was recorded as rejected, 0 otherwise. */
MXC_API int mxc_ctx_is_rejected(const mxc_ctx *ctx, const char *event_id,
                                size_t len);

/**
 * Number of event IDs the last operation found missing (after it returned
 * MXC_ERR_NEED_INPUT or MXC_ERR_MISSING_EVENT; 0 after a success). Each
 * operation starts with an empty list.
 */
MXC_API size_t mxc_ctx_missing_count(const mxc_ctx *ctx);

/**
 * Missing event ID number i (in the order found, each once), borrowed
 * until the next operation on the context; NULL past the end.
 * @param len  optional, receives the length
 */
MXC_API const char *mxc_ctx_missing(const mxc_ctx *ctx, size_t i,
                                    size_t *len);

#ifdef __cplusplus
}
#endif
#endif
