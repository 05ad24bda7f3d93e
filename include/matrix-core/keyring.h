/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: a keyring of other servers' signing keys (server-server
 * API: Retrieving server keys, Querying Keys Through Another Server,
 * Validating hashes and signatures on received events; rooms/v5: Signing
 * key validity period).
 *
 * A keyring caches the keys of validated key documents with their
 * validity: a current key (`verify_keys`) until the document's
 * `valid_until_ts`, an old key (`old_verify_keys`) for events sent before
 * its `expired_ts`. It answers which key may verify an event sent at a
 * given time, validates documents fetched through the transport
 * (matrix-core/backend.h), and verifies a batch of events, asking the
 * transport once per server whose keys it lacks.
 *
 * Choices where the spec leaves room:
 *  - "The lesser of valid_until_ts and 7 days into the future" (rooms/v5)
 *    is counted from the `now_ts` the caller gives when verifying, as
 *    mxc_event_verify does; a document claiming validity for years is
 *    thus never trusted beyond now + 7 days for events of v5 and later.
 *  - A document fetched with a `minimum_valid_until_ts` whose
 *    `valid_until_ts` is earlier is refused (the caller asked for keys
 *    valid until then; the answer is not what was asked, and the host may
 *    ask another notary).
 *  - A document that gives a key ID already held another public key is
 *    refused as a whole (a key ID names one key for good). The same key
 *    seen again keeps the latest validity; a key once seen among
 *    `old_verify_keys` stays old.
 *  - A notary's answer must carry the notary's signature under a current
 *    key of the notary that the keyring already holds and that is valid
 *    at `fetched_ts`, besides the queried server's own signature (which
 *    mxc_server_keys_from_json requires). A notary signing another
 *    server's keys with its own signature only is thus refused.
 *  - Only the servers that must sign an event (its sender's; in v1/v2 its
 *    event ID's; from v8 the server of `join_authorised_via_users_server`)
 *    have their keys fetched: other signatures (a Policy Server's, whose
 *    key is not published) are never asked for.
 *
 * A keyring is not thread-safe while being changed.
 */
#ifndef MATRIX_CORE_KEYRING_H
#define MATRIX_CORE_KEYRING_H

#include "backend.h"
#include "common.h"
#include "event.h"
#include "keys.h"
#include "room_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A keyring (opaque). */
typedef struct mxc_keyring mxc_keyring;

/**
 * Make an empty keyring.
 * @param out  receives the keyring, to free with mxc_keyring_free
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_keyring_new(mxc_keyring **out, const mxc_allocator *alloc,
                            mxc_error *err);

/** Free a keyring; NULL is accepted. */
MXC_API void mxc_keyring_free(mxc_keyring *kr);

/**
 * Add the keys of a validated key document (mxc_server_keys_from_json).
 * Either every key is added or, on failure, none.
 * @return MXC_OK; MXC_ERR_BAD_KEY_DOCUMENT (a key ID already held with
 *         another public key; err->subject names it);
 *         MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_keyring_add(mxc_keyring *kr, const mxc_server_keys *keys,
                            mxc_error *err);

/**
 * Validate a key document as fetched and add its keys (may be called from
 * a transport's request_keys).
 * @param text                the document (/_matrix/key/v2/server, or
 *                            one element of a notary's `server_keys`)
 * @param expected_server     the server whose keys were asked for, or
 *                            NULL to accept any
 * @param notary              NULL when fetched from the server itself;
 *                            else the notary's name: the document must
 *                            carry its signature (see above)
 * @param min_valid_until_ts  the `minimum_valid_until_ts` asked for, or
 *                            MXC_TS_NONE
 * @param fetched_ts          when it was fetched (ms), for the notary's
 *                            key validity; MXC_TS_NONE when not known
 * @return MXC_OK; a status of mxc_server_keys_parse; MXC_ERR_BAD_KEY
 *         (the notary's key is not held or not valid at fetched_ts);
 *         MXC_ERR_BAD_SIGNATURE (no valid notary signature);
 *         MXC_ERR_BAD_KEY_DOCUMENT (valid_until_ts before the minimum, or
 *         a conflict with a key held); MXC_ERR_NOMEM
 */
MXC_API int mxc_keyring_add_json(mxc_keyring *kr, const char *text,
                                 size_t len, const char *expected_server,
                                 const char *notary,
                                 int64_t min_valid_until_ts,
                                 int64_t fetched_ts, mxc_error *err);

/** Number of keys held (all servers). */
MXC_API size_t mxc_keyring_size(const mxc_keyring *kr);

/**
 * The key that may verify a signature by (server, key_id) on an event of
 * room version `rv` whose `origin_server_ts` is `ts`: an old key unless
 * its `expired_ts` is before `ts` (as mxc_event_verify skips keys "known
 * to have expired prior to" the event); from v5 (enforced key validity) a
 * current key only if the lesser of its `valid_until_ts` and now_ts +
 * 7 days (when now_ts is not MXC_TS_NONE) is at least `ts`.
 * @param pubkey  receives MXC_ED25519_PUBLIC_BYTES bytes, borrowed until
 *                the keyring changes
 * @return MXC_OK; MXC_ERR_NOT_FOUND (not held); MXC_ERR_BAD_KEY (held but
 *         not valid for that time; the reason in err->message);
 *         MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_keyring_key_for_event(const uint8_t **pubkey,
                                      const mxc_keyring *kr,
                                      const mxc_room_version *rv,
                                      const char *server,
                                      const char *key_id, int64_t ts,
                                      int64_t now_ts, mxc_error *err);

/**
 * Verify the signatures and content hashes of events (mxc_event_verify
 * for each, with the keys held). First, for each server that must sign
 * some event and none of whose signatures on it is under a usable key
 * held, the transport's request_keys is called once, with every key ID
 * of that server the events name and, as min_valid_until_ts, the latest
 * `origin_server_ts` of those events (room versions 5 and later;
 * MXC_TS_NONE otherwise). When every call returned MXC_OK the events are
 * verified with the keys then held (a key the host could not get leaves
 * that signature unverified: signatures_valid is 0).
 * @param out     n verdicts, written only on MXC_OK
 * @param tr      the transport, or NULL (every key lacking is then
 *                listed and the call returns MXC_ERR_NEED_INPUT)
 * @param now_ts  current time (ms) or MXC_TS_NONE
 * @return MXC_OK; MXC_ERR_NEED_INPUT (mxc_keyring_missing lists the keys;
 *         nothing else changed); MXC_ERR_CALLBACK; a status of
 *         mxc_event_verify; MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_keyring_verify_events(mxc_event_verdict *out,
                                      mxc_keyring *kr,
                                      const mxc_transport_ops *tr,
                                      const mxc_event *const *events,
                                      size_t n, int64_t now_ts,
                                      mxc_error *err);

/**
 * Number of (server, key ID) pairs the last mxc_keyring_verify_events
 * lacked (after MXC_ERR_NEED_INPUT; 0 after a success).
 */
MXC_API size_t mxc_keyring_missing_count(const mxc_keyring *kr);

/**
 * Missing key number i: its server and key ID (borrowed until the next
 * verification) and the minimum_valid_until_ts to ask for (MXC_TS_NONE
 * when none). Every out-parameter is optional.
 * @return MXC_OK or MXC_ERR_INVALID_ARGUMENT (i out of range)
 */
MXC_API int mxc_keyring_missing(const mxc_keyring *kr, size_t i,
                                const char **server, const char **key_id,
                                int64_t *min_valid_until_ts);

#ifdef __cplusplus
}
#endif
#endif
