/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private declarations shared between the library's source files. Nothing
 * here is installed or exported. Cross-file private names are mxc__name.
 */
#ifndef MXC_INTERNAL_H
#define MXC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "matrix-core.h"

#define MXC_UNUSED(x) ((void)(x))
#define MXC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocators (alloc.c) ---------------------------------------------- */

/* The C library's allocator, used where the caller passes NULL. */
extern const mxc_allocator mxc__libc_allocator;
static inline const mxc_allocator *
mxc__alloc_or_default(const mxc_allocator *a)
{
	return a ? a : &mxc__libc_allocator;
}
void *mxc__malloc(const mxc_allocator *a, size_t n);
void *mxc__realloc(const mxc_allocator *a, void *p, size_t n);
void mxc__free(const mxc_allocator *a, void *p);

/* Growable output (alloc.c). Every append returns MXC_OK or
 * MXC_ERR_NOMEM; after a failure the buffer keeps what it had. */
int mxc__buf_reserve(mxc_buf *b, size_t extra);
int mxc__buf_append(mxc_buf *b, const void *p, size_t n);
int mxc__buf_putc(mxc_buf *b, char c);
int mxc__buf_puts(mxc_buf *b, const char *s);
const mxc_allocator *mxc__buf_allocator(const mxc_buf *b);

/* ---- arenas (alloc.c) ------------------------------------------------ */

/* A bump allocator made of chunks from an mxc_allocator; freed at once. */
typedef struct mxc__arena_chunk mxc__arena_chunk;
typedef struct mxc__arena {
	mxc_allocator alloc;
	mxc__arena_chunk *head;
	char *cur, *end;
} mxc__arena;

void mxc__arena_init(mxc__arena *ar, const mxc_allocator *alloc);
void *mxc__arena_alloc(mxc__arena *ar, size_t n); /* 8-aligned, or NULL */
char *mxc__arena_strdup(mxc__arena *ar, const char *s, size_t n);
void mxc__arena_free(mxc__arena *ar);

/* ---- errors (error.c) ------------------------------------------------ */

/* Fill `err` (if non-NULL) and return `status`. printf-style message. */
int mxc__err(mxc_error *err, int status, const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Set err->subject (truncated to fit) and return err->status or 0. */
void mxc__err_subject(mxc_error *err, const char *s, size_t n);
/* Prefix err->subject with a JSON path segment: ".key" or "[i]". */
void mxc__err_path_key(mxc_error *err, const char *key, size_t n);
void mxc__err_path_index(mxc_error *err, size_t i);

/* ---- room versions (room_versions.c) ------------------------------- */

/* One row per room version; rows are static and immutable. Code reads the
 * fields (rv->knocking), never compares version strings. Each flag says
 * which versions set it; include/matrix-core/room_version.h documents the
 * enums. */
struct mxc_room_version {
	const char *id;       /* "1" ... "12" */
	uint8_t id_len;
	uint8_t event_format; /* mxc_event_format: V1 (v1-2), V3, V4 (v4+) */
	uint8_t redaction;    /* mxc_redaction_rules: V1 (v1-5), V6 (v6-7),
	                         V8, V9 (v9-10), V11 (v11+) */
	uint8_t auth_rules;   /* rule-set revision: 1 (v1-2), 3 (v3-5), 6, 7,
	                         8 (v8-9), 10, 11, 12 */
	uint8_t state_res;    /* mxc_state_res_algorithm: V1 (v1), V2
	                         (v2-11), V2_1 (v12) */
	bool stable;          /* listed as stable by the spec (all 12 are) */
	/* Event format. */
	bool event_id_in_pdu;     /* v1-2: `event_id` is a required PDU field,
	                             "$localpart:server"; prev_events and
	                             auth_events are [[id, {hashes}], ...] */
	bool event_id_urlsafe;    /* v4+: reference hash IDs use URL-safe
	                             base64 (v3: standard alphabet) */
	bool strict_canonical_json; /* v6+: numbers must be canonical JSON
	                               integers (parse without
	                               MXC_JSON_LENIENT_NUMBERS); v1-5 lenient */
	int64_t max_depth;        /* v1-5: 2^63-1 (pdu_v1 schema); v6+: 2^53-1
	                             (depth_v6 schema) */
	bool room_id_from_create; /* v12+: m.room.create has no `room_id`; the
	                             room ID is "!" + its reference hash
	                             (URL-safe); other events' room_id must be
	                             such an ID */
	bool code_point_limits_allowed; /* v1-10: the compatibility option
	                             MXC_EVENT_PARSE_CODEPOINT_LIMITS may count
	                             code points instead of bytes */
	/* Redaction. */
	bool redacts_in_content;  /* v11+: m.room.redaction has `redacts` in
	                             content (kept by redaction); v1-10 at
	                             top level */
	/* Power levels. */
	bool string_power_levels; /* v1-9: integer fields of power levels may
	                             be strings ("+100", " 050 ") */
	bool float_power_levels;  /* v1-5: power level values may be floats,
	                             truncated toward zero */
	bool integer_power_levels;/* v10+: power level values must be JSON
	                             integers (auth rule 10.1 in v10) */
	bool notifications_power_level; /* v6+: auth rules check changes to
	                             `notifications` in m.room.power_levels */
	/* Auth rules. */
	bool special_aliases_rule;/* v1-5: m.room.aliases auth rule (state_key
	                             must be the sender's domain) */
	bool redaction_auth_rule; /* v1-2: m.room.redaction auth rule (domain
	                             of `redacts` equals sender's); v3+ checked
	                             on handling instead (v3-handling-redactions) */
	bool knocking;            /* v7+: `knock` membership and join rule */
	bool restricted_joins;    /* v8+: `restricted` join rule and
	                             `join_authorised_via_users_server` */
	bool knock_restricted;    /* v10+: `knock_restricted` join rule */
	bool creator_from_sender; /* v11+: create content has no `creator`; the
	                             creator is the create event's sender */
	bool room_creators;       /* v12+: creators (sender +
	                             `additional_creators`) have infinite power */
	bool create_in_auth_events; /* v1-11: auth_events include the create
	                             event; v12: they must not */
	/* Signatures. */
	bool enforce_key_validity;/* v5+: a key only verifies events whose
	                             origin_server_ts is before its
	                             valid_until_ts (v5-signing-requirements) */
};

/* ---- events (event.c, hash.c, redact.c, event_sign.c) -------------- */

/* A key name with its length (MXC__KEY("type")). */
typedef struct mxc__key {
	const char *s;
	size_t n;
} mxc__key;
#define MXC__KEY(lit) {lit, sizeof(lit) - 1}
/* Shallow view of `obj` keeping (keep) or dropping (!keep) the listed
 * top-level keys, which must be sorted by bytes; `obj` itself when
 * nothing changes; NULL on NOMEM. */
const mxc_json *mxc__json_filter(mxc__arena *ar, const mxc_json *obj,
                                 const mxc__key *keys, size_t n_keys,
                                 bool keep);
/* Redacted view of an object by rv's algorithm (redact.c); what the
 * reference hash and signatures cover (redact.c). */
const mxc_json *mxc__redact_view(mxc__arena *ar, const mxc_room_version *rv,
                                 const mxc_json *pdu);
/* What the content hash covers; what the reference hash and signatures
 * cover (redacted, no signatures/unsigned; v3+ no event_id). */
const mxc_json *mxc__content_hash_view(mxc__arena *ar,
                                       const mxc_room_version *rv,
                                       const mxc_json *pdu);
const mxc_json *mxc__reference_view(mxc__arena *ar,
                                    const mxc_room_version *rv,
                                    const mxc_json *pdu);
/* SHA-256 of canonical JSON (python: integral floats as Python's repr). */
int mxc__hash_canonical(uint8_t out[32], const mxc_json *v, bool python,
                        mxc_error *err);
/* sigil + unpadded base64 of a hash + NUL into dst (45 bytes); length. */
size_t mxc__hash_id(char *dst, char sigil, const uint8_t hash[32],
                    bool urlsafe);
/* Identifier grammars (appendices): server name; "&localpart:server"
 * with a historical localpart; sigil + 43 base64 characters. */
bool mxc__server_name_valid(const char *s, size_t n);
bool mxc__sigil_id_valid(char sigil, const char *s, size_t n);
bool mxc__hash_id_valid(char sigil, const char *s, size_t n, bool urlsafe);

/* ---- JSON values (json.c) -------------------------------------------- */

enum {
	MXC__JF_ROOT = 1u << 0,     /* owns the document (struct mxc__json_doc) */
	MXC__JF_ESCAPE = 1u << 1,   /* string/key needs escapes when encoded */
	MXC__JF_INT = 1u << 2,      /* number: `i` holds its exact value */
	MXC__JF_LEXEME = 1u << 3,   /* number: `lex` is the text as received */
};

typedef struct mxc__json_member {
	const char *key;
	size_t key_len;
	const mxc_json *value;
	uint32_t key_flags; /* MXC__JF_ESCAPE */
} mxc__json_member;

struct mxc_json {
	uint8_t type;   /* mxc_json_type */
	uint8_t flags;  /* MXC__JF_* */
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		struct {
			int64_t i;
			const char *lex; /* NUL-terminated */
			size_t lex_len;
		} num;
		struct {
			const mxc_json **items;
			size_t n;
		} arr;
		struct {
			const mxc__json_member *m; /* sorted by key bytes, unique */
			size_t n;
		} obj;
	} u;
};

/* A document: root value first, so a root mxc_json * is the document. */
typedef struct mxc__json_doc {
	struct mxc_json root;
	mxc__arena arena;
} mxc__json_doc;

/* Builder: values allocated in an arena (a document's, or a scratch arena
 * for short-lived views). Values may point at nodes of other trees that
 * outlive them (views); mxc__json_doc_adopt deep-copies into a new doc. */
mxc_json *mxc__json_new(mxc__arena *ar, mxc_json_type t);
mxc_json *mxc__json_new_string(mxc__arena *ar, const char *s, size_t n);
mxc_json *mxc__json_new_int(mxc__arena *ar, int64_t v);
/* An object of `n` members to fill in m[0..n-1] (any order), then call
 * mxc__json_object_finish to sort; returns MXC_ERR_JSON_DUPLICATE_KEY on
 * a repeated key. */
mxc_json *mxc__json_new_object(mxc__arena *ar, size_t n,
                               mxc__json_member **members);
int mxc__json_object_finish(mxc_json *obj);
mxc_json *mxc__json_new_array(mxc__arena *ar, size_t n,
                              const mxc_json ***items);
/* Copy of `obj` with `key` set to `value` (replaced or added) or, when
 * value is NULL, removed. Shallow: members point into `obj`. */
mxc_json *mxc__json_object_with(mxc__arena *ar, const mxc_json *obj,
                                const char *key, const mxc_json *value);
/* Deep copy of `v` into a new document. */
int mxc__json_doc_adopt(mxc_json **out, const mxc_json *v,
                        const mxc_allocator *alloc);
/* Deep copy of `v` into an arena. */
mxc_json *mxc__json_deep_copy(mxc__arena *ar, const mxc_json *v);
/* String flag computation for builder strings. */
uint32_t mxc__json_string_flags(const char *s, size_t n);
/* Is `s` a valid UTF-8 sequence (the parser's rules)? */
bool mxc__utf8_valid(const char *s, size_t n);
/* Parse into a caller-supplied arena (no doc allocation). */
int mxc__json_parse_arena(const mxc_json **out, mxc__arena *ar,
                          const char *text, size_t len, unsigned flags,
                          mxc_error *err);

/* ---- canonical JSON (canonical_json.c) ------------------------------- */

/* Where canonical bytes go: a buffer, or a running SHA-256. */
typedef struct mxc__sink {
	int (*write)(struct mxc__sink *s, const char *p, size_t n);
	mxc_buf *buf;
	void *sha; /* mxc__sha256_ctx * when hashing */
} mxc__sink;

int mxc__canonical_write(mxc__sink *s, const mxc_json *v, mxc_error *err);
/* Canonical bytes of a value, appended to `out`. */
int mxc__canonical_buf(mxc_buf *out, const mxc_json *v, mxc_error *err);
/* Canonical text of a lenient number. */
int mxc__number_canonical(mxc_buf *out, const mxc_json *v, mxc_error *err);
/* Python repr() form (differs from canonical only for integral floats). */
int mxc__number_python_repr(mxc_buf *out, const mxc_json *v, mxc_error *err);
/* Does the tree hold a number whose canonical and Python forms differ? */
bool mxc__json_has_float(const mxc_json *v);
/* Encode with integral floats written as Python's repr (10000000000.0),
 * the alternative form accepted when verifying v1-v5 events. */
int mxc__canonical_write_python(mxc__sink *s, const mxc_json *v,
                                mxc_error *err);

/* ---- crypto (crypto.c, base64.c) ------------------------------------ */

/* Streaming SHA-256 over OpenSSL's low-level functions (the EVP one-shot
 * costs a context allocation and a provider fetch per call). */
typedef struct mxc__sha256_ctx {
	uint64_t opaque[16]; /* holds a SHA256_CTX (checked in crypto.c) */
} mxc__sha256_ctx;
void mxc__sha256_init(mxc__sha256_ctx *c);
void mxc__sha256_update(mxc__sha256_ctx *c, const void *p, size_t n);
void mxc__sha256_final(uint8_t out[32], mxc__sha256_ctx *c);
/* A sink that feeds a running SHA-256 (s->sha points at the ctx). */
void mxc__sink_init_sha256(mxc__sink *s, mxc__sha256_ctx *c);
void mxc__sink_init_buf(mxc__sink *s, mxc_buf *b);

/* Unpadded base64 of n bytes into dst (room for mxc__base64_len(n)
 * bytes); returns the length written. */
size_t mxc__base64_len(size_t n);
size_t mxc__base64_encode_raw(char *dst, const uint8_t *src, size_t n,
                              bool urlsafe);
/* Decode into dst (room for n * 3 / 4 + 3); -1 on invalid input, with
 * *bad_offset set. */
long mxc__base64_decode_raw(uint8_t *dst, const char *src, size_t n,
                            bool urlsafe, size_t *bad_offset);
/* Key ID grammar: "ed25519:" + [a-zA-Z0-9_]+. MXC_OK, MXC_ERR_BAD_KEY
 * (malformed) or MXC_ERR_UNSUPPORTED (another algorithm). (crypto.c) */
int mxc__key_id_check(const char *id, size_t n, mxc_error *err);

/* ---- signed JSON (signing.c) ---------------------------------------- */

/* `obj` without its top-level `signatures` and `unsigned` (a shallow view
 * in `ar`, or `obj` itself when it has neither). NULL on NOMEM. */
const mxc_json *mxc__json_signing_view(mxc__arena *ar, const mxc_json *obj);
/* Check the signature obj.signatures[server][key_id] over `msg` (the
 * signing bytes, computed once by the caller for several checks) with
 * a 32-byte ed25519 `pubkey`. Statuses as mxc_json_verify. */
int mxc__json_verify_bytes(const mxc_json *obj, const char *server,
                           size_t server_len, const char *key_id,
                           size_t key_id_len, const uint8_t *pubkey,
                           const void *msg, size_t msg_len, mxc_error *err);

/* ---- power levels (power_levels.c) ---------------------------------- */

/* The view behind mxc_power_levels, also built on the stack by auth.c.
 * Borrows its JSON. Scalar levels are read at init; a malformed one keeps
 * its status in `st[key]` and is reported when asked for. */
struct mxc_power_levels {
	const mxc_room_version *rv;
	const mxc_json *content;       /* NULL: no power levels event */
	const mxc_json *users, *events, *notifications; /* members or NULL */
	const mxc_json *create_content;
	const char *create_sender;     /* NULL if unknown */
	size_t create_sender_len;
	const char *creator;           /* v1-11 creator, NULL if none */
	size_t creator_len;
	const mxc_json *additional_creators; /* v12, array or NULL */
	int64_t lvl[8];                /* by mxc_power_key */
	int st[8];                     /* MXC_OK or the parse failure */
	mxc_allocator alloc;
};
void mxc__power_levels_init(struct mxc_power_levels *pl,
                            const mxc_room_version *rv,
                            const mxc_json *content,
                            const mxc_json *create_content,
                            const char *create_sender, size_t sender_len);
/* A user ID as the auth rules accept it (historical localparts too). */
bool mxc__auth_user_id_valid(const char *id, size_t len);
/* The server name of a user ID (after the first ':'); false if none. */
bool mxc__user_id_domain(const char *id, size_t len, const char **dom,
                         size_t *dom_len);


/* ---- hash map keyed by strings (ctx.c) ------------------------------ */

/* Open addressing; keys are borrowed (they must outlive the map). */
typedef struct mxc__strmap_slot {
	const char *k; /* NULL: empty slot */
	size_t n;
	uint64_t h;
	uint32_t v;
} mxc__strmap_slot;
typedef struct mxc__strmap {
	mxc__strmap_slot *slots;
	size_t cap, n;
	const mxc_allocator *alloc;
} mxc__strmap;
uint64_t mxc__hash_bytes(const char *p, size_t n);
int mxc__strmap_init(mxc__strmap *m, const mxc_allocator *alloc,
                     size_t expect);
void mxc__strmap_dispose(mxc__strmap *m);
/* The value of `k`, or NULL. */
uint32_t *mxc__strmap_get(const mxc__strmap *m, const char *k, size_t n);
/* The value of `k`, inserted (0) if absent (*found says which); NULL on
 * NOMEM. The pointer is valid until the next put. */
uint32_t *mxc__strmap_put(mxc__strmap *m, const char *k, size_t n,
                          bool *found);

/* ---- contexts (ctx.c) ----------------------------------------------- */

/* Start an operation: empty the missing list. */
void mxc__ctx_begin(mxc_ctx *ctx);
/* An event by ID: held, or fetched through the store and kept. Returns
 * MXC_OK; MXC_ERR_NOT_FOUND or MXC_ERR_WOULDBLOCK after recording the ID
 * as missing (the operation goes on and calls mxc__ctx_end); any other
 * status ends the operation. */
int mxc__ctx_fetch(mxc_ctx *ctx, const char *id, size_t n,
                   const mxc_event **out, mxc_error *err);
/* End of the fetching phase: MXC_OK, or MXC_ERR_NEED_INPUT /
 * MXC_ERR_MISSING_EVENT when something was recorded missing. */
int mxc__ctx_end(mxc_ctx *ctx, mxc_error *err);

/* ---- graph orderings (topo_sort.c) ---------------------------------- */

/* A graph of n items: item i's prerequisites (for events: their auth
 * events) are edges[off[i] .. off[i] + cnt[i]). */
typedef struct mxc__dag {
	size_t n;
	const uint32_t *off, *cnt, *edges;
} mxc__dag;
/* Prerequisites first, by iterative depth-first search; MXC_ERR_BAD_EVENT
 * on a cycle (*cycle_at: an item on it), MXC_ERR_NOMEM. */
int mxc__dag_topo_order(uint32_t *order, uint32_t *cycle_at,
                        const mxc__dag *g, const mxc_allocator *alloc);
typedef bool (*mxc__less_fn)(uint32_t a, uint32_t b, const void *ud);
/* Kahn's algorithm taking the smallest candidate by `less` at each step;
 * *n_out < n and MXC_ERR_BAD_EVENT on a cycle. */
int mxc__kahn_sort(uint32_t *order, size_t *n_out, const mxc__dag *g,
                   mxc__less_fn less, const void *ud,
                   const mxc_allocator *alloc);

/* ---- state resolution (state_res.c), exposed for tests ------------- */

/* The reverse topological power ordering (v2 fragment) of the events
 * `ids` (all loaded through ctx with their auth events): sorted IDs,
 * borrowed from the context's events, into out[0..n). */
int mxc__state_power_order(const char **out, mxc_ctx *ctx,
                           const mxc_room_version *rv,
                           const char *const *ids, size_t n,
                           mxc_error *err);

/* The conflicted state subgraph (rooms/v12, Definitions) of the
 * conflicted state set `ids` (NUL-terminated IDs, loaded through ctx with
 * their auth chains): every event on an auth_events path between two of
 * them, endpoints included, as a sorted list (a listed event on no such
 * path is not in it). The same code marks the subgraph in v2.1
 * resolution. Statuses as mxc_state_auth_chain. O(V + E). */
int mxc__state_conflicted_subgraph(mxc_id_list **out, mxc_ctx *ctx,
                                   const char *const *ids, size_t n,
                                   mxc_error *err);

#endif
