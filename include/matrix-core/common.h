/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix-core: common definitions shared by every layer.
 *
 * MXC_API, the status codes (one table, the single source of their values,
 * names and messages), the caller-owned error detail (mxc_error), output
 * buffers (mxc_buf) and allocators (mxc_allocator).
 */
#ifndef MATRIX_CORE_COMMON_H
#define MATRIX_CORE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MXC_STATIC)
#define MXC_API
#elif defined(_WIN32)
#ifdef MXC_BUILDING
#define MXC_API __declspec(dllexport)
#else
#define MXC_API __declspec(dllimport)
#endif
#elif defined(MXC_BUILDING) && defined(__GNUC__)
#define MXC_API __attribute__((visibility("default")))
#else
#define MXC_API
#endif

/*
 * The status table: X(symbol, value, stable lowercase name, message).
 * The names are a public contract (they are the `mxc batch` protocol's
 * error codes); values never change once released.
 */
#define MXC_STATUS_TABLE(X)                                                   \
	X(MXC_OK, 0, "ok", "success")                                          \
	X(MXC_ERR_INVALID_ARGUMENT, -101, "invalid_argument",                  \
	  "invalid argument")                                                  \
	X(MXC_ERR_NOT_FOUND, -102, "not_found", "not found")                   \
	X(MXC_ERR_UNSUPPORTED, -103, "unsupported",                            \
	  "unsupported algorithm or feature")                                  \
	X(MXC_ERR_JSON_SYNTAX, -201, "json_syntax", "JSON syntax error")       \
	X(MXC_ERR_JSON_UTF8, -202, "json_utf8",                                \
	  "invalid UTF-8 or lone surrogate in JSON")                          \
	X(MXC_ERR_JSON_DUPLICATE_KEY, -203, "json_duplicate_key",              \
	  "duplicate key in a JSON object")                                    \
	X(MXC_ERR_JSON_DEPTH, -204, "json_depth",                              \
	  "JSON nested deeper than the limit")                                 \
	X(MXC_ERR_JSON_NUMBER_RANGE, -205, "json_number_range",                \
	  "JSON number not allowed by canonical JSON")                         \
	X(MXC_ERR_JSON_TYPE, -206, "json_type",                                \
	  "JSON value of the wrong type")                                      \
	X(MXC_ERR_BASE64, -211, "base64", "invalid base64")                    \
	X(MXC_ERR_BAD_KEY, -212, "bad_key", "invalid key")                     \
	X(MXC_ERR_BAD_HEADER, -213, "bad_header",                              \
	  "invalid X-Matrix authorization header")                             \
	X(MXC_ERR_BAD_KEY_DOCUMENT, -214, "bad_key_document",                  \
	  "invalid server key document")                                       \
	X(MXC_ERR_UNKNOWN_ROOM_VERSION, -221, "unknown_room_version",          \
	  "unknown room version")                                              \
	X(MXC_ERR_BAD_EVENT, -222, "bad_event", "invalid event")               \
	X(MXC_ERR_EVENT_TOO_LARGE, -223, "event_too_large",                    \
	  "event exceeds a size limit")                                        \
	X(MXC_ERR_BAD_IDENTIFIER, -224, "bad_identifier",                      \
	  "invalid Matrix identifier")                                         \
	X(MXC_ERR_ROOM_ID_MISMATCH, -225, "room_id_mismatch",                  \
	  "room ID does not match the create event")                           \
	X(MXC_ERR_BAD_SIGNATURE, -301, "bad_signature",                        \
	  "signature missing or invalid")                                      \
	X(MXC_ERR_HASH_MISMATCH, -302, "hash_mismatch",                        \
	  "content hash does not match")                                       \
	X(MXC_ERR_AUTH_REJECTED, -401, "auth_rejected",                        \
	  "rejected by the authorisation rules")                               \
	X(MXC_ERR_NEED_INPUT, -402, "need_input",                              \
	  "more input needed: fetch what is missing and call again")           \
	X(MXC_ERR_MISSING_EVENT, -403, "missing_event",                        \
	  "a referenced event is not available")                               \
	X(MXC_ERR_WOULDBLOCK, -501, "wouldblock",                              \
	  "not available now (callback)")                                      \
	X(MXC_ERR_FATAL, -900, "fatal", "internal error")                      \
	X(MXC_ERR_NOMEM, -901, "nomem", "out of memory")                       \
	X(MXC_ERR_CALLBACK, -902, "callback",                                  \
	  "a host callback failed or broke its contract")

#define MXC__STATUS_ENUM(sym, val, name, msg) sym = val,
/** Status codes: MXC_OK (0) or a negative failure. */
typedef enum mxc_status { MXC_STATUS_TABLE(MXC__STATUS_ENUM) } mxc_status;
#undef MXC__STATUS_ENUM

/**
 * Stable lowercase name of a status ("json_duplicate_key").
 * @return a static string, never NULL ("unknown_status" for other values)
 */
MXC_API const char *mxc_strerror(int status);

/**
 * English one-line description of a status.
 * @return a static string, never NULL
 */
MXC_API const char *mxc_status_message(int status);

/**
 * Look a status up by its stable name.
 * @param out   receives the status value
 * @return MXC_OK, or MXC_ERR_NOT_FOUND for an unknown name
 */
MXC_API int mxc_status_from_name(int *out, const char *name);

/** Number of rows in the status table (bindings map every code). */
MXC_API size_t mxc_status_count(void);

/** Status value of row i of the table, or MXC_OK past its end. */
MXC_API int mxc_status_at(size_t i);

/**
 * sizeof of a public struct by its type name ("mxc_error", "mxc_buf",
 * "mxc_allocator", "mxc_event_key", "mxc_event_verdict",
 * "mxc_old_verify_key", "mxc_auth_type", "mxc_store_ops",
 * "mxc_transport_ops", "mxc_pdu_options"), so that bindings can check
 * their copies of the layouts at load time.
 * @return the size, or 0 for a name that is not a public struct
 */
MXC_API size_t mxc_struct_size(const char *name);

/**
 * Detail of a failure, owned by the caller (usually on the stack); every
 * function taking one accepts NULL. Filled only when the call fails (or,
 * for verdicts, when it reports a reason).
 */
typedef struct mxc_error {
	int status;         /* what the call returned */
	int reason;         /* module detail, e.g. an auth rule code */
	size_t offset;      /* byte offset into the input, parse errors */
	char subject[256];  /* JSON path ("$.content.body") or event ID */
	char message[160];  /* English, NUL-terminated */
} mxc_error;

/** Reset an error to "no error" (status MXC_OK, empty strings). */
MXC_API void mxc_error_clear(mxc_error *err);

/**
 * Allocator: every pointer is required; user_data is handed back last.
 * Pass NULL wherever an allocator is asked for to use the C library's.
 */
typedef struct mxc_allocator {
	void *(*malloc_fn)(size_t size, void *user_data);
	void *(*realloc_fn)(void *ptr, size_t size, void *user_data);
	void (*free_fn)(void *ptr, void *user_data);
	void *user_data;
} mxc_allocator;

/**
 * Bytes returned to the caller. The caller owns the struct (usually on
 * the stack, initialised with MXC_BUF_INIT or mxc_buf_init) and releases
 * its contents with mxc_buf_dispose. `data` is followed by a NUL byte
 * that `len` does not count, so text output can be printed directly;
 * the bytes themselves may contain NULs. The buffer remembers the
 * allocator that filled it.
 */
typedef struct mxc_buf {
	char *data;
	size_t len;
	size_t cap;
	mxc_allocator alloc; /* the allocator `data` came from */
	int has_alloc;       /* 0: the C library's */
} mxc_buf;

#define MXC_BUF_INIT {NULL, 0, 0, {NULL, NULL, NULL, NULL}, 0}

/** Initialise an empty buffer that will allocate with `alloc` (NULL: libc). */
MXC_API void mxc_buf_init(mxc_buf *buf, const mxc_allocator *alloc);

/**
 * Replace the buffer's contents with a copy of `len` bytes (for host
 * callbacks filling a buffer they were handed).
 * @return MXC_OK, MXC_ERR_INVALID_ARGUMENT or MXC_ERR_NOMEM
 */
MXC_API int mxc_buf_set(mxc_buf *buf, const void *bytes, size_t len);

/** Free the contents; the buffer is empty (and reusable) afterwards. */
MXC_API void mxc_buf_dispose(mxc_buf *buf);

/**
 * Initialise the library (libsodium). Call before anything else; safe to
 * call any number of times and from any thread.
 * @return MXC_OK or MXC_ERR_FATAL
 */
MXC_API int mxc_init(void);

#ifdef __cplusplus
}
#endif
#endif
