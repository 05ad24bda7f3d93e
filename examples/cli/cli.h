/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mxc tool's shared declarations: a growable string for output, the
 * reply of a batch op, request field helpers, and the op table. The tool
 * uses only the library's public API, like any other host.
 */
#ifndef MXC_CLI_H
#define MXC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <matrix-core.h>

/* ---- output text ---------------------------------------------------- */

typedef struct sb {
	char *p;
	size_t n, cap;
} sb;

void sb_free(sb *s);
void sb_add(sb *s, const char *p, size_t n);
void sb_adds(sb *s, const char *z);
void sb_printf(sb *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal (only '"', '\\' and controls escaped). */
void sb_json_str(sb *s, const char *p, size_t n);
/* The canonical JSON of a value; returns a status. */
int sb_json_value(sb *s, const mxc_json *v, mxc_error *err);

/* ---- batch replies ---------------------------------------------------- */

typedef struct cli_reply {
	sb result;          /* the result's JSON text when the op succeeds */
	const char *code;   /* the error code when it fails */
	char message[600];
	sb error_extra;     /* extra members for the error object, e.g.
	                       "\"missing\":{...}" */
} cli_reply;

/* Fail with a protocol code (bad_request, unknown_op, ...). */
int reply_fail(cli_reply *r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fail with a library status and its detail. */
int reply_status(cli_reply *r, int status, const mxc_error *err,
                 const char *what);

/* A required (or optional) field of a request; on a missing or ill-typed
 * required field the reply becomes bad_request and NULL is returned. */
const char *req_string(const mxc_json *req, const char *field, size_t *len,
                       bool required, cli_reply *r);
const mxc_json *req_field(const mxc_json *req, const char *field,
                          mxc_json_type type, bool required, cli_reply *r);
/* An optional integer field: 1 if present (value in *out), 0 if absent,
 * -1 if ill-typed (reply set). */
int req_int(const mxc_json *req, const char *field, int64_t *out,
            cli_reply *r);
/* The room version named by a field; NULL with the reply set when it is
 * absent (if required), ill-typed or unknown. */
const mxc_room_version *req_room_version(const mxc_json *req, bool required,
                                         cli_reply *r);
/* A signing key from the request's seed and key_id fields. */
mxc_signing_key *req_signing_key(const mxc_json *req, cli_reply *r);

/* ---- ops -------------------------------------------------------------- */

typedef int (*cli_op_fn)(const mxc_json *req, cli_reply *r);

typedef struct cli_op {
	const char *name;
	cli_op_fn fn;
} cli_op;

/* ops_json.c */
int op_canonical(const mxc_json *req, cli_reply *r);
int op_sign_json(const mxc_json *req, cli_reply *r);
int op_verify_json(const mxc_json *req, cli_reply *r);

/* ops_event.c */
int op_content_hash(const mxc_json *req, cli_reply *r);
int op_reference_hash(const mxc_json *req, cli_reply *r);
int op_event_id(const mxc_json *req, cli_reply *r);
int op_room_id(const mxc_json *req, cli_reply *r);
int op_redact(const mxc_json *req, cli_reply *r);
int op_sign_event(const mxc_json *req, cli_reply *r);
int op_verify_event(const mxc_json *req, cli_reply *r);

/* The `keys` field ({server: {key_id: key or {"key", "valid_until_ts",
 * "expired_ts"}}}) as event keys; the strings are borrowed from the
 * request. Returns 0, or -1 with the reply set. */
typedef struct cli_keys {
	mxc_event_key *keys;
	uint8_t **storage;
	size_t n;
} cli_keys;
int req_keys(const mxc_json *req, cli_keys *k, cli_reply *r);
void cli_keys_free(cli_keys *k);

/* ops_room.c */
int op_auth_types(const mxc_json *req, cli_reply *r);
int op_auth(const mxc_json *req, cli_reply *r);
int op_resolve(const mxc_json *req, cli_reply *r);

/* ops_build.c: the batch op, and `mxc build-event [FILE]` (the same
 * request read from a file) */
int op_build_event(const mxc_json *req, cli_reply *r);
int cmd_build_event(int argc, char **argv);

/* ops_pdu.c: the batch op, and `mxc check-pdu FILE` (the same request
 * read from a file) */
int op_check_pdu(const mxc_json *req, cli_reply *r);
int cmd_check_pdu(int argc, char **argv);

/* The whole table, NULL-terminated (mxc.c). */
extern const cli_op cli_ops[];

/* Run the batch protocol on stdin/stdout. */
int cli_batch(void);

/* Free what a reply holds. */
void cli_reply_free(cli_reply *r);

/* The request object of a human subcommand run like a batch op: the
 * last argument names a file (none: stdin), parsed as request lines are.
 * NULL, with the reason on stderr, when it cannot be read or parsed. */
mxc_json *cli_read_request(int argc, char **argv, const char *cmd);

/* Read a whole file ("-" or NULL: stdin); NULL on failure. */
char *cli_read_file(const char *path, size_t *len);

#endif
