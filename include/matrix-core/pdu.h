/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: the checks performed on receipt of a PDU (server-server
 * API: Checks performed on receipt of a PDU, Rejection, Soft failure,
 * Policy Servers), in the spec's order:
 *
 *   1. a valid event for the room version, else dropped;
 *   2. signatures (through a keyring, matrix-core/keyring.h), else dropped;
 *   3. hashes, else the event is redacted and processed on;
 *   4. authorised by its auth events, else rejected (the checks on the
 *      auth events themselves included: rule 2 in v1 to v11, rule 3 in
 *      v12, of which "rejected entries" (2.3 / 3.3) is read from the
 *      context's rejected set);
 *   5. authorised by the state before the event (the state after each of
 *      its prev_events, resolved together by state resolution), else
 *      rejected;
 *   6. authorised by the current state, else soft failed;
 *   7. a valid Policy Server signature, where the room uses one (in its
 *      current state), else soft failed.
 *
 * Events come from the context (handed over, or through its store) and,
 * when missing, through the transport's request_events. Keys come from the
 * keyring and, when missing, through the transport's request_keys. When
 * something cannot be had now, the call returns MXC_ERR_NEED_INPUT,
 * mxc_ctx_missing() lists the event IDs and mxc_keyring_missing() the keys
 * (all that this round found missing), and nothing is returned; a blocking
 * host that hands everything over from its callbacks gets a verdict in
 * one call.
 *
 * On completion (whatever the outcome but "dropped") the context holds the
 * event as processed (redacted when its hash check failed), and a rejected
 * event is recorded in the context's rejected set, so that a context used
 * for a stream of PDUs sees each one when checking its children. The
 * host's storage is never written: the host persists the event, its
 * outcome and the state after it.
 *
 * Choices where the spec's text leaves room:
 *  - The state after a prev event is asked of the options' get_state_after
 *    first; without it, it is derived from the events: the state before
 *    that event (resolved from its own prev events, back to the create
 *    event), plus the event itself when it is a state event that was not
 *    rejected (Rejection: "not updating with the rejected event"). A cycle
 *    of prev_events, or a derivation deeper than MXC_PDU_MAX_DERIVE_DEPTH,
 *    is MXC_ERR_BAD_EVENT.
 *  - State before the event that cannot be computed because events in
 *    its history are malformed (state resolution answers
 *    MXC_ERR_BAD_EVENT: an auth chain that loops, an event of another
 *    room) rejects the event at step 5, naming the cause.
 *  - An auth event or prev event that is missing even after the transport
 *    answered MXC_OK (the host could not get it) ends the call with
 *    MXC_ERR_MISSING_EVENT (mxc_ctx_missing lists them): the spec leaves
 *    what to do then to the server (fetching the state at the event with
 *    /state_ids is the host's).
 *  - Without a current state (n_current_state 0 and current_state NULL),
 *    steps 6 and 7 are skipped.
 *  - Step 7: the room uses a Policy Server when its current state holds an
 *    m.room.policy event with an empty state key whose content has a
 *    string `via` and a string `public_keys.ed25519`, and a member whose
 *    user ID is on the server `via` has membership join. Every event but
 *    that m.room.policy state event (type m.room.policy, state key "")
 *    must then carry a signature by `via` with key ID
 *    "ed25519:policy_server" verifying under that key (on the redacted
 *    event, like any event signature). A public key that is not 32 bytes
 *    of base64 makes every signature invalid.
 *  - The `origin` (the server that sent the PDU) takes part in no check:
 *    the spec requires signatures of the sender's server, not of the
 *    origin (events are relayed, e.g. by send_join); it is quoted in
 *    reasons only.
 *  - An event whose ID the context already holds with other content is
 *    dropped (for v1/v2, another event reusing an ID; from v3 the same
 *    reference hash with other unsigned-but-hashed content, i.e. a copy
 *    whose hash check differs). A copy differing only in `unsigned` or
 *    `signatures`, which no hash covers, is the same event.
 */
#ifndef MATRIX_CORE_PDU_H
#define MATRIX_CORE_PDU_H

#include "backend.h"
#include "common.h"
#include "ctx.h"
#include "event.h"
#include "keyring.h"
#include "state_res.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest derivation of the state after a prev event from its own prev
 * events (hosts with long histories give get_state_after). */
#define MXC_PDU_MAX_DERIVE_DEPTH 256

/** Outcomes, named as the `check_pdu` batch operation names them. */
typedef enum mxc_pdu_outcome {
	MXC_PDU_ACCEPTED = 0,
	MXC_PDU_SOFT_FAILED = 1,
	MXC_PDU_REJECTED = 2,
	MXC_PDU_DROPPED = 3
} mxc_pdu_outcome;

/** "accepted", "soft_failed", "rejected", "dropped" (static), or NULL. */
MXC_API const char *mxc_pdu_outcome_name(int outcome);

/** The check that decided the outcome (0 when accepted). */
typedef enum mxc_pdu_step {
	MXC_PDU_STEP_NONE = 0,
	MXC_PDU_STEP_FORMAT = 1,
	MXC_PDU_STEP_SIGNATURES = 2,
	MXC_PDU_STEP_HASHES = 3, /* only as the cause of `redacted` */
	MXC_PDU_STEP_AUTH_EVENTS = 4,
	MXC_PDU_STEP_STATE_BEFORE = 5,
	MXC_PDU_STEP_CURRENT_STATE = 6,
	MXC_PDU_STEP_POLICY_SERVER = 7
} mxc_pdu_step;

/** The version of mxc_pdu_options this header describes. */
#define MXC_PDU_OPTIONS_VERSION 1u

/**
 * What the host tells the checks beside the context and keyring
 * (caller-owned; members only ever appended). Initialise with
 * mxc_pdu_options_init.
 */
typedef struct mxc_pdu_options {
	uint32_t version;      /* MXC_PDU_OPTIONS_VERSION */
	const char *origin;    /* the server that sent the PDU, or NULL */
	int64_t now_ts;        /* ms since the epoch, or MXC_TS_NONE */
	/* The room's current state (event IDs, NUL-terminated), for steps 6
	 * and 7; NULL with 0 skips them. */
	const char *const *current_state;
	size_t n_current_state;
	/* Optional: the state after an event the host knows, as a JSON
	 * array of event IDs put into `out` with mxc_buf_set; MXC_OK, or
	 * MXC_ERR_NOT_FOUND to let the library derive it. */
	int (*get_state_after)(mxc_buf *out, const char *event_id,
	                       void *user_data);
	void *user_data;       /* handed to get_state_after */
	/* Optional: where missing events and keys are asked for. */
	const mxc_transport_ops *transport;
} mxc_pdu_options;

/** Fill options with their defaults (version set, now_ts MXC_TS_NONE,
 * everything else empty). */
MXC_API void mxc_pdu_options_init(mxc_pdu_options *opt);

/** The verdict on a PDU (opaque, immutable). */
typedef struct mxc_pdu_result mxc_pdu_result;

/**
 * Check a PDU received over federation.
 * @param out   receives the verdict, to free with mxc_pdu_result_free
 * @param ctx   the room's context (its room version, events, store and
 *              rejected set)
 * @param kr    the keyring holding the keys known
 * @param opt   options, or NULL for the defaults
 * @param json  the PDU as received (copied)
 * @return MXC_OK (a verdict, whatever the outcome); MXC_ERR_NEED_INPUT
 *         (see above; nothing returned); MXC_ERR_MISSING_EVENT;
 *         MXC_ERR_CALLBACK; MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_pdu_check(mxc_pdu_result **out, mxc_ctx *ctx,
                          mxc_keyring *kr, const mxc_pdu_options *opt,
                          const char *json, size_t len, mxc_error *err);

/** Free a verdict; NULL is accepted. */
MXC_API void mxc_pdu_result_free(mxc_pdu_result *r);

/** The outcome (an mxc_pdu_outcome). */
MXC_API int mxc_pdu_result_outcome(const mxc_pdu_result *r);

/** 1 if the hash check failed and the event was redacted, else 0. */
MXC_API int mxc_pdu_result_redacted(const mxc_pdu_result *r);

/** The step that decided the outcome (an mxc_pdu_step). */
MXC_API int mxc_pdu_result_step(const mxc_pdu_result *r);

/**
 * The status behind the outcome: MXC_OK (accepted), the parse status
 * (dropped at step 1), MXC_ERR_BAD_SIGNATURE, MXC_ERR_AUTH_REJECTED, or
 * MXC_ERR_BAD_EVENT (rejected because its history is malformed).
 */
MXC_API int mxc_pdu_result_status(const mxc_pdu_result *r);

/** Why (English, NUL-terminated; "" when accepted without redaction). An
 * auth failure quotes the rule: "v11 auth rule 4.3.3: ...". */
MXC_API const char *mxc_pdu_result_reason(const mxc_pdu_result *r);

/** The event as processed (redacted when the hash check failed), or NULL
 * when it could not be parsed at step 1. A copy of an event the context
 * already holds whose hashed content differs is dropped at step 1 too, but
 * parsed: the event is then given (redacted when its hash check failed).
 * Borrowed from the result. */
MXC_API const mxc_event *mxc_pdu_result_event(const mxc_pdu_result *r);

/**
 * The state after the event: the state before it plus the event when it
 * is a state event that was not rejected; NULL when dropped, and when the
 * state before could not be computed (rejected at step 5 for a malformed
 * history). Borrowed from the result.
 */
MXC_API const mxc_state *mxc_pdu_result_state_after(
	const mxc_pdu_result *r);

#ifdef __cplusplus
}
#endif
#endif
