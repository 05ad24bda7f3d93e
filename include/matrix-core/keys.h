/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: cryptography and signed JSON.
 *
 * SHA-256 (OpenSSL), ed25519 (libsodium), unpadded base64 (standard and
 * URL-safe, written in the library), signing keys, signing and verifying
 * JSON objects (appendices: Signing JSON, Checking for a signature),
 * server key documents (server-server API: Retrieving server keys) and
 * X-Matrix request authentication (server-server API: Request
 * Authentication).
 */
#ifndef MATRIX_CORE_KEYS_H
#define MATRIX_CORE_KEYS_H

#include "common.h"
#include "json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MXC_SHA256_BYTES 32
#define MXC_ED25519_SEED_BYTES 32
#define MXC_ED25519_PUBLIC_BYTES 32
#define MXC_ED25519_SIG_BYTES 64
/** Function twins of the size macros, for bindings. */
MXC_API size_t mxc_sha256_bytes(void);
MXC_API size_t mxc_ed25519_seed_bytes(void);
MXC_API size_t mxc_ed25519_public_bytes(void);
MXC_API size_t mxc_ed25519_sig_bytes(void);

/* ---- SHA-256 --------------------------------------------------------- */

/**
 * SHA-256 of `len` bytes (OpenSSL: uses the CPU's SHA instructions).
 * @param out  receives MXC_SHA256_BYTES bytes
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_FATAL
 */
MXC_API int mxc_sha256(uint8_t *out, const void *data, size_t len);

/* ---- unpadded base64 ------------------------------------------------- */

/** Base64 flags. */
enum {
	/** URL-safe alphabet ('-' and '_' for '+' and '/'). */
	MXC_BASE64_URLSAFE = 1u << 0
};

/**
 * Unpadded base64 of `len` bytes, appended to `out` (appendices: Unpadded
 * Base64).
 * @param flags  0 (standard alphabet) or MXC_BASE64_URLSAFE
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_base64_encode(mxc_buf *out, const void *data, size_t len,
                              unsigned flags);

/**
 * Decode base64, appending the bytes to `out`. Accepts padded and unpadded
 * input and non-zero trailing bits (the spec's own test seed has them);
 * rejects any character outside the chosen alphabet, padding anywhere but
 * at the end, and a length that leaves a single dangling character.
 * @param flags  0 (standard alphabet) or MXC_BASE64_URLSAFE
 * @return MXC_OK, MXC_ERR_BASE64 (err->offset: the offending character),
 *         MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_base64_decode(mxc_buf *out, const char *text, size_t len,
                              unsigned flags, mxc_error *err);

/* ---- ed25519 --------------------------------------------------------- */

/**
 * Verify a raw ed25519 signature.
 * @return MXC_OK, MXC_ERR_BAD_SIGNATURE or MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_ed25519_verify(const uint8_t *sig, size_t sig_len,
                               const void *msg, size_t msg_len,
                               const uint8_t *pubkey, size_t pubkey_len);

/**
 * A server's ed25519 signing key: the 32-byte seed and its key ID
 * ("ed25519:" followed by a version of [a-zA-Z0-9_]). The seed is wiped
 * when the key is freed. Immutable; safe to share between threads.
 */
typedef struct mxc_signing_key mxc_signing_key;

/**
 * Make a signing key from a 32-byte seed.
 * @param key_id  "ed25519:<version>", NUL-terminated
 * @return MXC_OK, MXC_ERR_BAD_KEY (wrong seed length or key ID),
 *         MXC_ERR_UNSUPPORTED (another algorithm), MXC_ERR_INVALID_ARGUMENT
 *         or MXC_ERR_NOMEM
 */
MXC_API int mxc_signing_key_new(mxc_signing_key **out, const uint8_t *seed,
                                size_t seed_len, const char *key_id,
                                const mxc_allocator *alloc, mxc_error *err);

/**
 * Make a signing key from its seed in unpadded base64.
 * @return as mxc_signing_key_new, or MXC_ERR_BASE64
 */
MXC_API int mxc_signing_key_from_base64(mxc_signing_key **out,
                                        const char *seed_b64, size_t len,
                                        const char *key_id,
                                        const mxc_allocator *alloc,
                                        mxc_error *err);

/** Free a signing key (wiping its seed); NULL is accepted. */
MXC_API void mxc_signing_key_free(mxc_signing_key *key);

/** The key ID ("ed25519:1"), borrowed from the key. */
MXC_API const char *mxc_signing_key_id(const mxc_signing_key *key);

/** Copy the MXC_ED25519_PUBLIC_BYTES public key into `out`. */
MXC_API int mxc_signing_key_public(uint8_t *out,
                                   const mxc_signing_key *key);

/**
 * Sign raw bytes.
 * @param sig  receives MXC_ED25519_SIG_BYTES bytes
 * @return MXC_OK or MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_signing_key_sign(uint8_t *sig, const mxc_signing_key *key,
                                 const void *msg, size_t msg_len);

/* ---- signed JSON ----------------------------------------------------- */

/**
 * The bytes a signature of `obj` covers: its canonical JSON without the
 * top-level `signatures` and `unsigned` keys.
 * @return MXC_OK, MXC_ERR_JSON_TYPE (not an object), MXC_ERR_NOMEM, ...
 */
MXC_API int mxc_json_signing_bytes(mxc_buf *out, const mxc_json *obj,
                                   mxc_error *err);

/**
 * Sign a JSON object (appendices: Signing JSON): strip `signatures` and
 * `unsigned`, canonicalise, sign, and return a new object with the
 * signature added beside existing ones (replacing a previous signature of
 * the same server and key ID) and `unsigned` restored.
 * @param out  receives a new root to free with mxc_json_free
 * @return MXC_OK, MXC_ERR_JSON_TYPE (not an object, or `signatures` not an
 *         object of objects), MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_json_sign(mxc_json **out, const mxc_json *obj,
                          const char *server_name,
                          const mxc_signing_key *key,
                          const mxc_allocator *alloc, mxc_error *err);

/**
 * Check that `obj` carries a valid signature by `server_name` with
 * `key_id` under `pubkey` (appendices: Checking for a signature).
 * @return MXC_OK; MXC_ERR_BAD_SIGNATURE with a reason in err->message
 *         (no signatures, none from that server or key, bad base64, wrong
 *         length, does not verify); MXC_ERR_UNSUPPORTED (the key ID's
 *         algorithm is not ed25519); MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_json_verify(const mxc_json *obj, const char *server_name,
                            const char *key_id, const uint8_t *pubkey,
                            size_t pubkey_len, mxc_error *err);


/* ---- server key documents -------------------------------------------- */

/*
 * A server's key document, as served at /_matrix/key/v2/server
 * (server-server API: Retrieving server keys, Publishing Keys):
 *
 *     {"server_name": "example.org",
 *      "verify_keys": {"ed25519:abc": {"key": "<unpadded base64>"}},
 *      "old_verify_keys": {"ed25519:old": {"key": "...",
 *                                           "expired_ts": 1532645052628}},
 *      "valid_until_ts": 1652262000000,
 *      "signatures": {"example.org": {"ed25519:abc": "..."}}}
 *
 * `verify_keys` may sign federation requests and events; `old_verify_keys`
 * only events sent before their `expired_ts`. The rule of room versions 5
 * and later (a key is valid for an event only while `valid_until_ts`, capped
 * at seven days after the key was fetched, is at least the event's
 * `origin_server_ts`) belongs to the event layer, which reads
 * mxc_server_keys_valid_until_ts and mxc_server_keys_key_until_ts.
 */

/** An old key to list in a new key document. */
typedef struct mxc_old_verify_key {
	const char *key_id;        /* "ed25519:<version>", NUL-terminated */
	const uint8_t *public_key; /* MXC_ED25519_PUBLIC_BYTES bytes */
	int64_t expired_ts;        /* ms since the epoch */
} mxc_old_verify_key;

/**
 * Build and sign a key document: `verify_keys` holds the public key of
 * each of `keys`, each of which signs the document; `old_verify_keys`
 * (present, possibly empty) lists `old`.
 * @param out             receives a new root to free with mxc_json_free
 * @param server_name     NUL-terminated, non-empty
 * @param keys            n_keys >= 1 signing keys, distinct key IDs
 * @param old             n_old old keys (NULL when n_old is 0)
 * @param valid_until_ts  ms since the epoch (canonical JSON integer range)
 * @return MXC_OK; MXC_ERR_INVALID_ARGUMENT (no key, a repeated key ID, a
 *         timestamp outside [-(2^53)+1, 2^53-1], NULL arguments);
 *         MXC_ERR_BAD_KEY or MXC_ERR_UNSUPPORTED (an old key's ID);
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_server_keys_build(mxc_json **out, const char *server_name,
                                  const mxc_signing_key *const *keys,
                                  size_t n_keys,
                                  const mxc_old_verify_key *old, size_t n_old,
                                  int64_t valid_until_ts,
                                  const mxc_allocator *alloc, mxc_error *err);

/**
 * A parsed and validated key document: immutable, safe to share between
 * threads, freed with mxc_server_keys_free.
 */
typedef struct mxc_server_keys mxc_server_keys;

/**
 * Validate a key document and check that its server signed it.
 *
 * Checked: the required fields and their types (`server_name` a non-empty
 * string, `verify_keys` and `signatures` objects, `valid_until_ts` an
 * integer; `old_verify_keys` an object when present, each of its keys with
 * an integer `expired_ts`); every key ID of the grammar "ed25519:" +
 * [a-zA-Z0-9_]+ (keys of other algorithms are skipped: they cannot be
 * used, and are not listed); every `key` unpadded base64 (padding
 * accepted) of 32 bytes; a key ID in both lists is an error. Then the
 * self-signature, as Synapse does: every signature of `server_name` made
 * with a key of `verify_keys` must verify, and there must be at least one
 * (signatures by keys it does not list, old ones included, are ignored).
 *
 * @param out              receives the keys, to free with
 *                         mxc_server_keys_free
 * @param doc              the document (copied: need not outlive the call)
 * @param expected_server  the server whose keys were asked for
 *                         (NUL-terminated), or NULL to accept any
 * @return MXC_OK; MXC_ERR_BAD_KEY_DOCUMENT (structure, key IDs, key
 *         bytes, another server than expected; err->subject names the
 *         field); MXC_ERR_BAD_SIGNATURE (not signed by its server, or a
 *         signature that does not verify); MXC_ERR_INVALID_ARGUMENT;
 *         MXC_ERR_NOMEM
 */
MXC_API int mxc_server_keys_from_json(mxc_server_keys **out,
                                      const mxc_json *doc,
                                      const char *expected_server,
                                      const mxc_allocator *alloc,
                                      mxc_error *err);

/**
 * mxc_server_keys_from_json on JSON text (parsed strictly: a key document
 * is canonical JSON).
 * @return as mxc_server_keys_from_json, or a status of mxc_json_parse
 */
MXC_API int mxc_server_keys_parse(mxc_server_keys **out, const char *text,
                                  size_t len, const char *expected_server,
                                  const mxc_allocator *alloc,
                                  mxc_error *err);

/** Free parsed keys; NULL is accepted. */
MXC_API void mxc_server_keys_free(mxc_server_keys *keys);

/** The document itself (borrowed from `keys`), e.g. to store or forward. */
MXC_API const mxc_json *mxc_server_keys_json(const mxc_server_keys *keys);

/**
 * The document's `server_name` (borrowed, NUL-terminated; `len` optional).
 */
MXC_API const char *mxc_server_keys_server_name(const mxc_server_keys *keys,
                                                size_t *len);

/** The document's `valid_until_ts` (ms since the epoch). */
MXC_API int64_t mxc_server_keys_valid_until_ts(const mxc_server_keys *keys);

/**
 * Number of usable (ed25519) keys: the current ones first, in key ID
 * order, then the old ones, in key ID order.
 */
MXC_API size_t mxc_server_keys_count(const mxc_server_keys *keys);

/** Key ID of key i (borrowed, NUL-terminated), NULL if out of range. */
MXC_API const char *mxc_server_keys_key_id(const mxc_server_keys *keys,
                                           size_t i);

/**
 * Public key of key i (MXC_ED25519_PUBLIC_BYTES bytes, borrowed), NULL if
 * out of range.
 */
MXC_API const uint8_t *mxc_server_keys_key_public(const mxc_server_keys *keys,
                                                  size_t i);

/** 1 if key i comes from `old_verify_keys`, 0 otherwise. */
MXC_API int mxc_server_keys_key_is_old(const mxc_server_keys *keys,
                                       size_t i);

/**
 * Until when key i is valid: an old key's `expired_ts`, a current key's
 * (the document's) `valid_until_ts`. 0 if out of range.
 */
MXC_API int64_t mxc_server_keys_key_until_ts(const mxc_server_keys *keys,
                                             size_t i);

/**
 * Find a key by its ID.
 * @param index  receives its index (for the accessors above)
 * @return MXC_OK, MXC_ERR_NOT_FOUND or MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_server_keys_find(size_t *index, const mxc_server_keys *keys,
                                 const char *key_id);

/**
 * The key that may verify a signature by `key_id` on an event whose
 * `origin_server_ts` is `ts`: a current key always (the room version 5+
 * `valid_until_ts` rule is the caller's: *until_ts receives the
 * document's `valid_until_ts`); an old key only if its `expired_ts` is
 * after `ts` (*until_ts receives that `expired_ts`).
 * @param pubkey    receives the public key (borrowed from `keys`)
 * @param until_ts  optional
 * @return MXC_OK; MXC_ERR_NOT_FOUND (no such key); MXC_ERR_BAD_KEY (an old
 *         key that expired at or before `ts`); MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_server_keys_key_for_event(const uint8_t **pubkey,
                                          int64_t *until_ts,
                                          const mxc_server_keys *keys,
                                          const char *key_id, int64_t ts,
                                          mxc_error *err);

/**
 * The key that may verify a federation request signed with `key_id` at
 * `now_ts`: only a current key (old keys sign events only), and only while
 * `now_ts` is at most the document's `valid_until_ts`.
 * @return MXC_OK; MXC_ERR_NOT_FOUND (no such current key); MXC_ERR_BAD_KEY
 *         (an old key, or the document is past its `valid_until_ts`);
 *         MXC_ERR_INVALID_ARGUMENT
 */
MXC_API int mxc_server_keys_key_for_request(const uint8_t **pubkey,
                                            const mxc_server_keys *keys,
                                            const char *key_id,
                                            int64_t now_ts, mxc_error *err);

/**
 * Check a notary's signature on the document (server-server API: Querying
 * Keys Through Another Server: the notary signs the response it relays).
 * @return as mxc_json_verify
 */
MXC_API int mxc_server_keys_verify_notary(const mxc_server_keys *keys,
                                          const char *notary_name,
                                          const char *key_id,
                                          const uint8_t *pubkey,
                                          size_t pubkey_len, mxc_error *err);

/* ---- X-Matrix request authentication ---------------------------------- */

/*
 * Server-server API: Request Authentication. A request is signed by
 * signing the JSON object {"method", "uri", "origin", "destination",
 * "content" (the parsed body, absent when there is none)} with the JSON
 * signing algorithm; the signature travels in the header
 *
 *     Authorization: X-Matrix origin="a.example",destination="b.example",
 *                    key="ed25519:key1",sig="<unpadded base64>"
 *
 * `uri` is the request target from "/_matrix/..." on, query string
 * included.
 */

/**
 * Build the value of the Authorization header (from "X-Matrix" on), in
 * the form the spec asks senders to use: one space after X-Matrix,
 * lower-case names, every value quoted, no white space around commas.
 * '"' and '\\' in a value are backslash-escaped.
 * @param out          receives the value (appended to)
 * @param method       "GET", "PUT", ... (NUL-terminated, as for the rest)
 * @param uri          request target, e.g. "/_matrix/federation/v1/send/1"
 * @param origin       the sending server's name
 * @param destination  the receiving server's name (always sent)
 * @param content      the request body, or NULL when there is none
 * @return MXC_OK; MXC_ERR_INVALID_ARGUMENT (NULL or empty names, text that
 *         is not UTF-8, a control character in a header value);
 *         MXC_ERR_NOMEM; a status of canonical JSON for `content`
 */
MXC_API int mxc_xmatrix_sign(mxc_buf *out, const char *method,
                             const char *uri, const char *origin,
                             const char *destination,
                             const mxc_json *content,
                             const mxc_signing_key *key, mxc_error *err);

/**
 * A parsed X-Matrix Authorization header: immutable, freed with
 * mxc_xmatrix_free.
 */
typedef struct mxc_xmatrix mxc_xmatrix;

/**
 * Parse the value of an Authorization header (RFC 9110 section 11.4):
 * the scheme "X-Matrix" (case-insensitive) and one or more spaces, then
 * comma-separated name=value parameters, with optional spaces and tabs
 * around each comma and '=' (empty list elements are ignored); names are
 * case-insensitive tokens; a value is a token (':' allowed as well, for
 * older servers) or a quoted string whose backslash escapes are undone.
 * Unknown parameters are ignored; `destination` may be absent (older
 * servers); leading and trailing spaces and tabs of the field are ignored.
 * @param value  the header's value, not NUL-terminated
 * @return MXC_OK; MXC_ERR_BAD_HEADER (another scheme, a syntax error at
 *         err->offset, a parameter given twice, or `origin`, `key` or
 *         `sig` missing or empty; err->subject names the parameter);
 *         MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_xmatrix_parse(mxc_xmatrix **out, const char *value,
                              size_t len, const mxc_allocator *alloc,
                              mxc_error *err);

/** Free a parsed header; NULL is accepted. */
MXC_API void mxc_xmatrix_free(mxc_xmatrix *x);

/** The `origin` parameter (borrowed, NUL-terminated; `len` optional). */
MXC_API const char *mxc_xmatrix_origin(const mxc_xmatrix *x, size_t *len);

/** The `destination` parameter, or NULL when the header has none. */
MXC_API const char *mxc_xmatrix_destination(const mxc_xmatrix *x,
                                            size_t *len);

/** The `key` parameter: the key ID ("ed25519:key1"). */
MXC_API const char *mxc_xmatrix_key_id(const mxc_xmatrix *x, size_t *len);

/** The `sig` parameter: the signature in unpadded base64. */
MXC_API const char *mxc_xmatrix_sig(const mxc_xmatrix *x, size_t *len);

/**
 * Verify a request against its parsed header with the origin's public key
 * for the header's key ID (which the caller looks up, e.g. with
 * mxc_server_keys_key_for_request).
 * @param my_server  this (the receiving) server's name: it must equal the
 *                   header's `destination` when there is one, and stands
 *                   in for it when there is none
 * @param content    the parsed request body, or NULL when there is none
 * @return MXC_OK; MXC_ERR_BAD_HEADER (the `destination` is another
 *         server: deny with 401); MXC_ERR_UNSUPPORTED (the key ID's
 *         algorithm is not ed25519); MXC_ERR_BAD_SIGNATURE (a malformed
 *         key ID, bad base64, wrong length, does not verify);
 *         MXC_ERR_INVALID_ARGUMENT; MXC_ERR_NOMEM
 */
MXC_API int mxc_xmatrix_verify(const mxc_xmatrix *x, const char *method,
                               const char *uri, const char *my_server,
                               const mxc_json *content,
                               const uint8_t *pubkey, size_t pubkey_len,
                               mxc_error *err);

#ifdef __cplusplus
}
#endif
#endif
