/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks performed on receipt of a PDU (server-server API: Checks
 * performed on receipt of a PDU, Rejection, Soft failure, Policy Servers),
 * in the spec's order, assembled from the layers below: event parsing
 * (format), the keyring (signatures, hashes), the auth rules (against the
 * auth events, the state before, the current state) and state resolution
 * (the state before the event, from the states after its prev events).
 * What is missing is collected per round, asked of the transport, and
 * reported through the context and keyring; see matrix-core/pdu.h.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "matrix-core/auth.h"
#include "matrix-core/pdu.h"

#include <sodium.h>

/* internal marker: something is missing (listed in run.miss) */
#define MISSING (-2000)
/* rounds of asking the transport before giving up */
#define MAX_ROUNDS 32

struct mxc_pdu_result {
	mxc_allocator alloc;
	int outcome, redacted, step, status;
	char reason[400];
	mxc_event *event;
	mxc_state *state_after;
};

typedef struct memo_entry {
	mxc_state *st; /* NULL while being computed */
	bool owned;
} memo_entry;

typedef struct run {
	mxc_ctx *ctx;
	const mxc_room_version *rv;
	const mxc_pdu_options *opt;
	const mxc_allocator *alloc;
	mxc__arena ar;     /* strings of this round */
	const char **miss; /* missing event IDs, NUL-terminated, in ar */
	size_t n_miss, cap_miss;
	mxc__strmap memo_ids; /* ID -> index in memo; keys in ar */
	memo_entry *memo;
	size_t n_memo, cap_memo;
	bool keys_blocked;
	mxc_error *err;
} run;

const char *
mxc_pdu_outcome_name(int outcome)
{
	switch (outcome) {
	case MXC_PDU_ACCEPTED: return "accepted";
	case MXC_PDU_SOFT_FAILED: return "soft_failed";
	case MXC_PDU_REJECTED: return "rejected";
	case MXC_PDU_DROPPED: return "dropped";
	default: return NULL;
	}
}

void
mxc_pdu_options_init(mxc_pdu_options *opt)
{
	if (!opt)
		return;
	memset(opt, 0, sizeof *opt);
	opt->version = MXC_PDU_OPTIONS_VERSION;
	opt->now_ts = MXC_TS_NONE;
}

/* ---- bookkeeping ----------------------------------------------------- */

static int
nomem(run *r)
{
	return mxc__err(r->err, MXC_ERR_NOMEM, "out of memory");
}

static int
note_missing(run *r, const char *id, size_t n)
{
	for (size_t i = 0; i < r->n_miss; i++)
		if (strlen(r->miss[i]) == n && !memcmp(r->miss[i], id, n))
			return MXC_OK;
	if (r->n_miss == r->cap_miss) {
		size_t nc = r->cap_miss ? r->cap_miss * 2 : 8;
		const char **nm = mxc__realloc(r->alloc, r->miss,
		                               nc * sizeof *nm);
		if (!nm)
			return nomem(r);
		r->miss = nm;
		r->cap_miss = nc;
	}
	char *k = mxc__arena_strdup(&r->ar, id, n);
	if (!k)
		return nomem(r);
	r->miss[r->n_miss++] = k;
	return MXC_OK;
}

static void
run_reset(run *r)
{
	for (size_t i = 0; i < r->n_memo; i++)
		if (r->memo[i].owned)
			mxc_state_free(r->memo[i].st);
	r->n_memo = 0;
	r->n_miss = 0;
	mxc__strmap_dispose(&r->memo_ids);
	mxc__strmap_init(&r->memo_ids, r->alloc, 16);
	mxc__arena_free(&r->ar);
	mxc__arena_init(&r->ar, r->alloc);
	r->keys_blocked = false;
}

static void
run_free(run *r)
{
	run_reset(r);
	mxc__strmap_dispose(&r->memo_ids);
	mxc__arena_free(&r->ar);
	if (r->memo)
		mxc__free(r->alloc, r->memo);
	if (r->miss)
		mxc__free(r->alloc, r->miss);
}

/* An event through the context; MISSING after noting it. */
static int
fetch(run *r, const char *id, size_t n, const mxc_event **out)
{
	int rc = mxc__ctx_fetch(r->ctx, id, n, out, r->err);
	if (rc == MXC_ERR_NOT_FOUND || rc == MXC_ERR_WOULDBLOCK) {
		if (note_missing(r, id, n))
			return MXC_ERR_NOMEM;
		return MISSING;
	}
	return rc;
}

/* Copy what state resolution found missing into the round's list. */
static int
take_ctx_missing(run *r)
{
	size_t n = mxc_ctx_missing_count(r->ctx);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *id = mxc_ctx_missing(r->ctx, i, &len);
		if (note_missing(r, id, len))
			return MXC_ERR_NOMEM;
	}
	return MISSING;
}

static int
resolve(run *r, mxc_state **out, const char *const *ids,
        const size_t *lens, const size_t *sizes, size_t n_sets)
{
	int rc = mxc_state_resolve(out, r->ctx, r->rv, ids, lens, sizes,
	                           n_sets, 0, r->err);
	if (rc == MXC_ERR_NEED_INPUT || rc == MXC_ERR_MISSING_EVENT)
		return take_ctx_missing(r);
	return rc;
}

/* The IDs of a state's entries, optionally without (type, state_key) of
 * `skip`, appended to ids/lens from index *n (room for the state's size
 * plus one). */
static void
state_ids(const mxc_state *st, const mxc_event *skip, const char **ids,
          size_t *lens, size_t *n)
{
	size_t tl = 0, kl = 0;
	const char *t = skip ? mxc_event_type(skip, &tl) : NULL;
	const char *k = skip ? mxc_event_state_key(skip, &kl) : NULL;
	for (size_t i = 0; i < mxc_state_size(st); i++) {
		const char *et, *ek, *id;
		size_t etl, ekl, idl;
		mxc_state_entry(st, i, &et, &etl, &ek, &ekl, &id, &idl);
		if (k && etl == tl && ekl == kl && !memcmp(et, t, tl)
		    && !memcmp(ek, k, kl))
			continue;
		ids[*n] = id;
		lens[*n] = idl;
		(*n)++;
	}
}

/* `before` with `ev` set at its key (ev held by the context). */
static int
state_plus(run *r, mxc_state **out, const mxc_state *before,
           const mxc_event *ev)
{
	size_t cap = mxc_state_size(before) + 1, n = 0;
	const char **ids = mxc__malloc(r->alloc, cap * sizeof *ids);
	size_t *lens = mxc__malloc(r->alloc, cap * sizeof *lens);
	int rc;
	if (!ids || !lens) {
		rc = nomem(r);
		goto out;
	}
	state_ids(before, ev, ids, lens, &n);
	ids[n] = mxc_event_id(ev, &lens[n]);
	n++;
	rc = resolve(r, out, ids, lens, &n, 1);
out:
	mxc__free(r->alloc, ids);
	mxc__free(r->alloc, lens);
	return rc;
}

static int state_after(run *r, const char *id, size_t n, int depth,
                       const mxc_state **out);

/* The state before an event: the states after its prev events resolved
 * together (one prev event: its state, borrowed). *owned receives the
 * state when the caller must free it. */
static int
state_before(run *r, const mxc_event *ev, int depth, const mxc_state **out,
             mxc_state **owned)
{
	*out = NULL;
	*owned = NULL;
	size_t np = mxc_event_prev_events_count(ev);
	if (np == 0) {
		int rc = resolve(r, owned, NULL, NULL, NULL, 0);
		*out = *owned;
		return rc;
	}
	const mxc_state **sets = mxc__malloc(r->alloc, np * sizeof *sets);
	size_t *sizes = mxc__malloc(r->alloc, np * sizeof *sizes);
	const char **ids = NULL;
	size_t *lens = NULL;
	int rc = MXC_OK, missing = 0;
	if (!sets || !sizes) {
		rc = nomem(r);
		goto out;
	}
	size_t total = 0;
	for (size_t i = 0; i < np; i++) {
		size_t len;
		const char *pid = mxc_event_prev_event(ev, i, &len);
		rc = state_after(r, pid, len, depth + 1, &sets[i]);
		if (rc == MISSING) {
			missing = 1; /* go on: list everything missing */
			rc = MXC_OK;
			continue;
		}
		if (rc)
			goto out;
		total += mxc_state_size(sets[i]);
	}
	if (missing) {
		rc = MISSING;
		goto out;
	}
	if (np == 1) {
		*out = sets[0];
		goto out;
	}
	ids = mxc__malloc(r->alloc, (total + 1) * sizeof *ids);
	lens = mxc__malloc(r->alloc, (total + 1) * sizeof *lens);
	if (!ids || !lens) {
		rc = nomem(r);
		goto out;
	}
	size_t n = 0;
	for (size_t i = 0; i < np; i++) {
		size_t before = n;
		state_ids(sets[i], NULL, ids, lens, &n);
		sizes[i] = n - before;
	}
	rc = resolve(r, owned, ids, lens, sizes, np);
	*out = *owned;
out:
	mxc__free(r->alloc, sets);
	mxc__free(r->alloc, sizes);
	if (ids)
		mxc__free(r->alloc, ids);
	if (lens)
		mxc__free(r->alloc, lens);
	return rc;
}

static int
memo_put(run *r, const char *id, size_t n, uint32_t *slot)
{
	if (r->n_memo == r->cap_memo) {
		size_t nc = r->cap_memo ? r->cap_memo * 2 : 16;
		memo_entry *nm = mxc__realloc(r->alloc, r->memo,
		                              nc * sizeof *nm);
		if (!nm)
			return nomem(r);
		r->memo = nm;
		r->cap_memo = nc;
	}
	char *k = mxc__arena_strdup(&r->ar, id, n);
	uint32_t *v = k ? mxc__strmap_put(&r->memo_ids, k, n, NULL) : NULL;
	if (!v)
		return nomem(r);
	*v = (uint32_t)r->n_memo;
	*slot = (uint32_t)r->n_memo;
	r->memo[r->n_memo].st = NULL;
	r->memo[r->n_memo].owned = false;
	r->n_memo++;
	return MXC_OK;
}

/* The state from the host's get_state_after (MXC_ERR_NOT_FOUND: not
 * known). */
static int
host_state(run *r, const char *id, size_t n, mxc_state **out)
{
	if (!r->opt->get_state_after || memchr(id, 0, n))
		return MXC_ERR_NOT_FOUND;
	char *z = mxc__arena_strdup(&r->ar, id, n);
	if (!z)
		return nomem(r);
	mxc_buf b;
	mxc_buf_init(&b, r->alloc);
	int rc = r->opt->get_state_after(&b, z, r->opt->user_data);
	if (rc == MXC_ERR_NOT_FOUND) {
		mxc_buf_dispose(&b);
		return rc;
	}
	if (rc != MXC_OK) {
		mxc_buf_dispose(&b);
		mxc__err(r->err, MXC_ERR_CALLBACK,
		         "get_state_after answered status %d", rc);
		if (r->err)
			r->err->reason = rc;
		mxc__err_subject(r->err, id, n);
		return MXC_ERR_CALLBACK;
	}
	mxc_json *arr = NULL;
	rc = mxc_json_parse(&arr, b.data, b.len, 0, r->alloc, r->err);
	mxc_buf_dispose(&b);
	size_t cnt = mxc_json_size(arr);
	if (rc || mxc_json_get_type(arr) != MXC_JSON_ARRAY) {
		mxc_json_free(arr);
		mxc__err(r->err, MXC_ERR_CALLBACK,
		         "get_state_after answered no JSON array of IDs");
		mxc__err_subject(r->err, id, n);
		return MXC_ERR_CALLBACK;
	}
	const char **ids = mxc__malloc(r->alloc, (cnt + 1) * sizeof *ids);
	size_t *lens = mxc__malloc(r->alloc, (cnt + 1) * sizeof *lens);
	if (!ids || !lens) {
		rc = nomem(r);
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		ids[i] = mxc_json_get_string(mxc_json_at(arr, i), &lens[i]);
		if (!ids[i]) {
			rc = mxc__err(r->err, MXC_ERR_CALLBACK,
			              "get_state_after: element %zu is not a "
			              "string", i);
			goto out;
		}
	}
	rc = resolve(r, out, ids, lens, &cnt, 1);
out:
	if (ids)
		mxc__free(r->alloc, ids);
	if (lens)
		mxc__free(r->alloc, lens);
	mxc_json_free(arr);
	return rc;
}

/* The state after an event (memoised for the round). */
static int
state_after(run *r, const char *id, size_t n, int depth,
            const mxc_state **out)
{
	*out = NULL;
	uint32_t *v = mxc__strmap_get(&r->memo_ids, id, n);
	if (v) {
		if (!r->memo[*v].st) {
			mxc__err(r->err, MXC_ERR_BAD_EVENT,
			         "prev_events form a cycle");
			mxc__err_subject(r->err, id, n);
			return MXC_ERR_BAD_EVENT;
		}
		*out = r->memo[*v].st;
		return MXC_OK;
	}
	if (depth > MXC_PDU_MAX_DERIVE_DEPTH) {
		mxc__err(r->err, MXC_ERR_BAD_EVENT,
		         "state after a prev event: history deeper than %d "
		         "events without a known state", MXC_PDU_MAX_DERIVE_DEPTH);
		mxc__err_subject(r->err, id, n);
		return MXC_ERR_BAD_EVENT;
	}
	uint32_t slot;
	int rc = memo_put(r, id, n, &slot);
	if (rc)
		return rc;
	mxc_state *got = NULL;
	rc = host_state(r, id, n, &got);
	if (rc == MXC_OK) {
		r->memo[slot].st = got;
		r->memo[slot].owned = true;
		*out = got;
		return MXC_OK;
	}
	if (rc != MXC_ERR_NOT_FOUND)
		return rc;
	/* derive: the state before it, plus itself unless rejected */
	const mxc_event *ev;
	rc = fetch(r, id, n, &ev);
	if (rc)
		return rc;
	const mxc_state *before;
	mxc_state *owned;
	rc = state_before(r, ev, depth, &before, &owned);
	if (rc) {
		mxc_state_free(owned);
		return rc;
	}
	if (!mxc_event_is_state(ev) || mxc_ctx_is_rejected(r->ctx, id, n)) {
		r->memo[slot].st = (mxc_state *)before;
		r->memo[slot].owned = owned != NULL;
		*out = before;
		return MXC_OK;
	}
	rc = state_plus(r, &got, before, ev);
	mxc_state_free(owned);
	if (rc)
		return rc;
	r->memo[slot].st = got;
	r->memo[slot].owned = true;
	*out = got;
	return MXC_OK;
}

/* ---- the checks ------------------------------------------------------ */

static void
verdict(mxc_pdu_result *res, int outcome, int step, int status,
        const char *fmt, const char *a, const char *b)
{
	res->outcome = outcome;
	res->step = step;
	res->status = status;
	char tmp[sizeof res->reason];
	snprintf(tmp, sizeof tmp, fmt, a ? a : "", b ? b : "");
	if (res->reason[0]) {
		/* keep the redaction note */
		size_t l = strlen(res->reason);
		snprintf(res->reason + l, sizeof res->reason - l, "; %s", tmp);
	} else {
		snprintf(res->reason, sizeof res->reason, "%s", tmp);
	}
}

static bool
is(const char *s, size_t n, const char *lit)
{
	return s && strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* v12: the create event named by the room ID ("!x" -> "$x"). */
static int
fetch_create_v12(run *r, const mxc_event *ev, const mxc_event **out)
{
	*out = NULL;
	size_t n;
	const char *room = mxc_event_room_id(ev, &n);
	if (!room || n < 2 || n > 300)
		return MXC_OK;
	char id[302];
	id[0] = '$';
	memcpy(id + 1, room + 1, n - 1);
	return fetch(r, id, n, out);
}

/* Step 4: the event against its own auth events. MXC_OK with res set
 * when rejected. */
static int
check_auth_events(run *r, const mxc_event *ev, mxc_pdu_result *res)
{
	size_t na = mxc_event_auth_events_count(ev);
	const mxc_event *evs[MXC_EVENT_MAX_AUTH_EVENTS + 1];
	size_t n = 0;
	int missing = 0, rc;
	bool v12 = mxc_room_version_room_id_from_create(r->rv);
	for (size_t i = 0; i < na && i < MXC_EVENT_MAX_AUTH_EVENTS; i++) {
		size_t len;
		const char *id = mxc_event_auth_event(ev, i, &len);
		rc = fetch(r, id, len, &evs[n]);
		if (rc == MISSING) {
			missing = 1;
			continue;
		}
		if (rc)
			return rc;
		n++;
	}
	size_t tl;
	const char *type = mxc_event_type(ev, &tl);
	if (v12 && !is(type, tl, "m.room.create")) {
		const mxc_event *create;
		rc = fetch_create_v12(r, ev, &create);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			return rc;
		else if (create)
			evs[n++] = create;
	}
	if (missing)
		return MISSING;
	/* the whole auth chain must be there, and must not loop */
	if (na) {
		const char *ids[MXC_EVENT_MAX_AUTH_EVENTS];
		size_t lens[MXC_EVENT_MAX_AUTH_EVENTS];
		for (size_t i = 0; i < na && i < MXC_EVENT_MAX_AUTH_EVENTS; i++)
			ids[i] = mxc_event_auth_event(ev, i, &lens[i]);
		mxc_id_list *chain = NULL;
		mxc_error e = {0};
		rc = mxc_state_auth_chain(&chain, r->ctx, ids, lens,
		                          na < MXC_EVENT_MAX_AUTH_EVENTS
		                                  ? na
		                                  : MXC_EVENT_MAX_AUTH_EVENTS,
		                          0, &e);
		mxc_id_list_free(chain);
		if (rc == MXC_ERR_NEED_INPUT || rc == MXC_ERR_MISSING_EVENT)
			return take_ctx_missing(r);
		if (rc == MXC_ERR_BAD_EVENT) {
			verdict(res, MXC_PDU_REJECTED,
			        MXC_PDU_STEP_AUTH_EVENTS, rc,
			        "auth chain: %s (%s)", e.message, e.subject);
			return MXC_OK;
		}
		if (rc) {
			if (r->err)
				*r->err = e;
			return rc;
		}
	}
	/* rule 2.3 (v12: 3.3): no rejected auth event */
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *id = mxc_event_id(evs[i], &len);
		if (mxc_ctx_is_rejected(r->ctx, id, len)) {
			char why[64];
			snprintf(why, sizeof why, "v%s auth rule %s",
			         mxc_room_version_id(r->rv),
			         v12 ? "3.3" : "2.3");
			verdict(res, MXC_PDU_REJECTED,
			        MXC_PDU_STEP_AUTH_EVENTS, MXC_ERR_AUTH_REJECTED,
			        "%s: auth event %s was rejected", why, id);
			return MXC_OK;
		}
	}
	mxc_auth_state *st = NULL;
	rc = mxc_auth_state_new(&st, evs, n, r->alloc, r->err);
	if (rc)
		return rc;
	mxc_error e = {0};
	rc = mxc_auth_check(ev, st, NULL, 0, r->opt->now_ts,
	                    MXC_AUTH_AUTH_EVENTS | MXC_AUTH_SIGNATURES_CHECKED,
	                    &e);
	mxc_auth_state_free(st);
	if (rc == MXC_ERR_AUTH_REJECTED || rc == MXC_ERR_BAD_EVENT) {
		verdict(res, MXC_PDU_REJECTED, MXC_PDU_STEP_AUTH_EVENTS, rc,
		        "against its auth events: %s%s", e.message, NULL);
		return MXC_OK;
	}
	if (rc && r->err)
		*r->err = e;
	return rc;
}

/* Steps 5 and 6: the event against a state (the auth types it needs,
 * and in v12 the create event). rejected_out: 1 when it fails. */
static int
check_against(run *r, const mxc_event *ev, const mxc_state *st,
              mxc_error *e, int *failed)
{
	*failed = 0;
	mxc_auth_type types[MXC_AUTH_TYPES_MAX + 1];
	size_t nt = 0;
	int rc = mxc_auth_types(types, MXC_ARRAY_LEN(types), &nt, ev, r->err);
	if (rc)
		return rc;
	if (mxc_room_version_room_id_from_create(r->rv)) {
		types[nt].type = "m.room.create";
		types[nt].type_len = 13;
		types[nt].state_key = "";
		types[nt].state_key_len = 0;
		nt++;
	}
	const mxc_event *evs[MXC_AUTH_TYPES_MAX + 1];
	size_t n = 0;
	int missing = 0;
	for (size_t i = 0; i < nt; i++) {
		size_t len;
		const char *id = mxc_state_get(st, types[i].type,
		                               types[i].type_len,
		                               types[i].state_key,
		                               types[i].state_key_len, &len);
		if (!id)
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++) {
			size_t l2;
			const char *id2 = mxc_event_id(evs[j], &l2);
			dup = l2 == len && !memcmp(id2, id, len);
		}
		if (dup)
			continue;
		rc = fetch(r, id, len, &evs[n]);
		if (rc == MISSING) {
			missing = 1;
			continue;
		}
		if (rc)
			return rc;
		n++;
	}
	if (missing)
		return MISSING;
	mxc_auth_state *as = NULL;
	rc = mxc_auth_state_new(&as, evs, n, r->alloc, r->err);
	if (rc)
		return rc;
	rc = mxc_auth_check(ev, as, NULL, 0, r->opt->now_ts,
	                    MXC_AUTH_SIGNATURES_CHECKED, e);
	mxc_auth_state_free(as);
	if (rc == MXC_ERR_AUTH_REJECTED || rc == MXC_ERR_BAD_EVENT) {
		*failed = 1;
		return MXC_OK;
	}
	if (rc && r->err)
		*r->err = *e;
	return rc;
}

/* The current state as a state map (steps 6 and 7). */
static int
current_state(run *r, mxc_state **out)
{
	size_t n = r->opt->n_current_state;
	int missing = 0;
	for (size_t i = 0; i < n; i++) {
		const mxc_event *ev;
		const char *id = r->opt->current_state[i];
		int rc = fetch(r, id, strlen(id), &ev);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			return rc;
	}
	if (missing)
		return MISSING;
	return resolve(r, out, r->opt->current_state, NULL, &n, 1);
}

/* Step 7. *failed: 1 and a reason when the room uses a Policy Server and
 * the event lacks its valid signature. */
static int
check_policy(run *r, const mxc_event *ev, const mxc_state *cur,
             char *why, size_t why_size, int *failed)
{
	*failed = 0;
	size_t n;
	const char *pid = mxc_state_get(cur, "m.room.policy", 13, "", 0, &n);
	if (!pid)
		return MXC_OK;
	const mxc_event *pol;
	int rc = fetch(r, pid, n, &pol);
	if (rc)
		return rc;
	const mxc_json *c = mxc_event_content(pol);
	size_t vl, kl;
	const char *via = mxc_json_get_string(mxc_json_getz(c, "via"), &vl);
	const char *key = mxc_json_get_string(
		mxc_json_getz(mxc_json_getz(c, "public_keys"), "ed25519"), &kl);
	if (!via || !key || memchr(via, 0, vl))
		return MXC_OK; /* not a valid m.room.policy: none used */
	/* the server `via` must have a joined member in the current state */
	bool joined = false;
	for (size_t i = 0; i < mxc_state_size(cur) && !joined; i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(cur, i, &t, &tl, &sk, &skl, &id, &idl);
		const char *dom;
		size_t dl;
		if (!is(t, tl, "m.room.member")
		    || !mxc__user_id_domain(sk, skl, &dom, &dl) || dl != vl
		    || memcmp(dom, via, vl))
			continue;
		const mxc_event *m;
		rc = fetch(r, id, idl, &m);
		if (rc)
			return rc;
		size_t ml;
		const char *mem = mxc_event_membership(m, &ml);
		joined = is(mem, ml, "join");
	}
	if (!joined)
		return MXC_OK;
	size_t tl, skl;
	const char *type = mxc_event_type(ev, &tl);
	const char *sk = mxc_event_state_key(ev, &skl);
	if (is(type, tl, "m.room.policy") && sk && skl == 0)
		return MXC_OK; /* the policy state event is never signed */
	char server[256];
	if (vl >= sizeof server) {
		*failed = 1;
		snprintf(why, why_size, "policy server name too long");
		return MXC_OK;
	}
	memcpy(server, via, vl);
	server[vl] = 0;
	uint8_t pk[40];
	long pl = kl <= 48 ? mxc__base64_decode_raw(pk, key, kl, false, NULL)
	                   : -1;
	if (pl != MXC_ED25519_PUBLIC_BYTES) {
		*failed = 1;
		snprintf(why, why_size, "policy server %.64s: m.room.policy's "
		         "public_keys.ed25519 is not an ed25519 key", server);
		return MXC_OK;
	}
	mxc_error e = {0};
	rc = mxc_event_verify_signature(r->rv, mxc_event_json(ev), server,
	                                "ed25519:policy_server", pk,
	                                MXC_ED25519_PUBLIC_BYTES, &e);
	if (rc == MXC_ERR_BAD_SIGNATURE) {
		*failed = 1;
		snprintf(why, why_size, "policy server %.64s: %.160s", server,
		         e.message);
		return MXC_OK;
	}
	if (rc && r->err)
		*r->err = e;
	return rc;
}

/* Whether a top-level key is outside both the content hash and the
 * reference hash: `unsigned` (which each server may fill in, e.g. `age`)
 * and `signatures`. */
static bool
unhashed_key(const char *k, size_t kl)
{
	return (kl == 8 && !memcmp(k, "unsigned", 8)) ||
	       (kl == 10 && !memcmp(k, "signatures", 10));
}

/* Two copies of an event are the same event when they agree on every
 * top-level member but `unsigned` and `signatures`. */
static bool
same_hashed(const mxc_json *a, const mxc_json *b)
{
	size_t na = 0, nb = 0, kl;
	const char *k;
	const mxc_json *v;
	for (size_t i = 0; (v = mxc_json_member(a, i, &k, &kl)); i++) {
		if (unhashed_key(k, kl))
			continue;
		na++;
		if (!mxc_json_equal(v, mxc_json_get(b, k, kl)))
			return false;
	}
	for (size_t i = 0; mxc_json_member(b, i, &k, &kl); i++)
		nb += !unhashed_key(k, kl);
	return na == nb;
}

/* One round of the checks. MISSING when something is lacking. */
static int
check_once(run *r, mxc_keyring *kr, const char *json, size_t len,
           mxc_pdu_result *res)
{
	const mxc_pdu_options *opt = r->opt;
	mxc_error e = {0};
	mxc_event *ev = NULL;
	/* 1. a valid event for the room version, else dropped */
	int rc = mxc_event_parse(&ev, r->rv, json, len, 0, r->alloc, &e);
	if (rc == MXC_ERR_NOMEM)
		return nomem(r);
	if (rc) {
		verdict(res, MXC_PDU_DROPPED, MXC_PDU_STEP_FORMAT, rc,
		        "invalid event: %s%s", e.message, NULL);
		if (e.subject[0]) {
			size_t l = strlen(res->reason);
			snprintf(res->reason + l, sizeof res->reason - l,
			         " (%s)", e.subject);
		}
		return MXC_OK;
	}
	size_t idl;
	const char *id = mxc_event_id(ev, &idl);
	const mxc_event *held = mxc_ctx_get_event(r->ctx, id, idl);
	/* 2. signatures, else dropped */
	mxc_event_verdict v;
	const mxc_event *one = ev;
	rc = mxc_keyring_verify_events(&v, kr, opt->transport, &one, 1,
	                               opt->now_ts, &e);
	if (rc == MXC_ERR_NEED_INPUT) {
		/* go on with the events, to list them in the same round */
		r->keys_blocked = true;
		v.signatures_valid = 1;
		v.hash_valid = 1;
	} else if (rc) {
		if (r->err)
			*r->err = e;
		goto fail;
	}
	if (!v.signatures_valid) {
		verdict(res, MXC_PDU_DROPPED, MXC_PDU_STEP_SIGNATURES,
		        MXC_ERR_BAD_SIGNATURE, "signatures: %s%s",
		        v.signatures_reason, NULL);
		goto done;
	}
	/* 3. hashes, else redacted and processed on */
	if (!v.hash_valid) {
		mxc_event *red = NULL;
		rc = mxc_event_redact(&red, ev, r->err);
		if (rc)
			goto fail;
		mxc_event_free(ev);
		ev = red;
		/* the ID was borrowed from the event just freed */
		id = mxc_event_id(ev, &idl);
		res->redacted = 1;
		snprintf(res->reason, sizeof res->reason,
		         "hash check failed (%s): redacted", v.hash_reason);
	}
	if (held && !same_hashed(mxc_event_json(held), mxc_event_json(ev))) {
		verdict(res, MXC_PDU_DROPPED, MXC_PDU_STEP_FORMAT,
		        MXC_ERR_BAD_EVENT,
		        "another event with ID %s is already held%s", id,
		        NULL);
		goto done;
	}
	/* 4. against its auth events, else rejected */
	int missing = 0;
	rc = check_auth_events(r, ev, res);
	if (rc == MISSING)
		missing = 1;
	else if (rc)
		goto fail;
	/* 5. against the state before it, else rejected */
	const mxc_state *before = NULL;
	mxc_state *before_owned = NULL;
	rc = state_before(r, ev, 0, &before, &before_owned);
	if (rc == MISSING) {
		missing = 1;
	} else if (rc == MXC_ERR_BAD_EVENT) {
		if (res->outcome == MXC_PDU_ACCEPTED)
			verdict(res, MXC_PDU_REJECTED,
			        MXC_PDU_STEP_STATE_BEFORE, rc,
			        "state before the event: %s (%s)",
			        r->err ? r->err->message : "malformed history",
			        r->err ? r->err->subject : "");
		before = NULL;
		rc = MXC_OK;
	} else if (rc) {
		goto fail_state;
	}
	int failed;
	if (!missing && before && res->outcome == MXC_PDU_ACCEPTED) {
		rc = check_against(r, ev, before, &e, &failed);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			goto fail_state;
		else if (failed)
			verdict(res, MXC_PDU_REJECTED,
			        MXC_PDU_STEP_STATE_BEFORE, e.status,
			        "against the state before it: %s%s",
			        e.message, NULL);
	}
	/* 6. against the current state, else soft failed; 7. Policy
	 * Server */
	mxc_state *cur = NULL;
	if (opt->n_current_state && res->outcome == MXC_PDU_ACCEPTED) {
		rc = current_state(r, &cur);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			goto fail_state;
	}
	if (cur && !missing) {
		rc = check_against(r, ev, cur, &e, &failed);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			goto fail_cur;
		else if (failed)
			verdict(res, MXC_PDU_SOFT_FAILED,
			        MXC_PDU_STEP_CURRENT_STATE, e.status,
			        "against the current state: %s%s", e.message,
			        NULL);
	}
	if (cur && !missing && res->outcome == MXC_PDU_ACCEPTED) {
		char why[300];
		rc = check_policy(r, ev, cur, why, sizeof why, &failed);
		if (rc == MISSING)
			missing = 1;
		else if (rc)
			goto fail_cur;
		else if (failed)
			verdict(res, MXC_PDU_SOFT_FAILED,
			        MXC_PDU_STEP_POLICY_SERVER,
			        MXC_ERR_BAD_SIGNATURE, "%s%s", why, NULL);
	}
	mxc_state_free(cur);
	cur = NULL;
	if (missing || r->keys_blocked) {
		rc = MISSING;
		goto fail_state;
	}
	/* completion: the context holds the event as processed; a
	 * rejected one is recorded; the state after it */
	if (!held) {
		mxc_event *copy = NULL;
		rc = mxc_event_from_json(&copy, r->rv, mxc_event_json(ev), 0,
		                         r->alloc, r->err);
		if (rc)
			goto fail_state;
		rc = mxc_ctx_adopt_event(r->ctx, copy, r->err);
		if (rc)
			goto fail_state;
	}
	if (res->outcome == MXC_PDU_REJECTED) {
		rc = mxc_ctx_set_rejected(r->ctx, id, idl, r->err);
		if (rc)
			goto fail_state;
	}
	if (before) {
		if (res->outcome == MXC_PDU_REJECTED
		    || !mxc_event_is_state(ev)) {
			size_t n = 0, sz = mxc_state_size(before);
			const char **ids = mxc__malloc(r->alloc,
			                               (sz + 1) * sizeof *ids);
			size_t *lens = mxc__malloc(r->alloc,
			                           (sz + 1) * sizeof *lens);
			if (ids && lens) {
				state_ids(before, NULL, ids, lens, &n);
				rc = resolve(r, &res->state_after, ids, lens,
				             &n, 1);
			} else {
				rc = nomem(r);
			}
			mxc__free(r->alloc, ids);
			mxc__free(r->alloc, lens);
		} else {
			const mxc_event *mine = mxc_ctx_get_event(r->ctx, id,
			                                          idl);
			rc = state_plus(r, &res->state_after, before, mine);
		}
		if (rc)
			goto fail_state;
	}
	mxc_state_free(before_owned);
done:
	res->event = ev;
	return MXC_OK;
fail_cur:
	mxc_state_free(cur);
fail_state:
	mxc_state_free(before_owned);
fail:
	mxc_event_free(ev);
	return rc;
}

/* Ask the transport for the events missing this round; *retry when it
 * answered for all (and some were new). */
static int
ask_events(run *r, const char ***asked, size_t *n_asked, mxc__arena *keep,
           bool *retry, bool *blocked)
{
	*retry = false;
	*blocked = false;
	const mxc_transport_ops *tr = r->opt->transport;
	if (!r->n_miss)
		return MXC_OK;
	if (!tr || !tr->request_events) {
		*blocked = true;
		return MXC_OK;
	}
	/* only IDs not asked for in an earlier round */
	size_t fresh = 0;
	const char **list = mxc__malloc(r->alloc, r->n_miss * sizeof *list);
	if (!list)
		return nomem(r);
	for (size_t i = 0; i < r->n_miss; i++) {
		bool seen = false;
		for (size_t j = 0; j < *n_asked && !seen; j++)
			seen = strcmp((*asked)[j], r->miss[i]) == 0;
		if (!seen)
			list[fresh++] = r->miss[i];
	}
	int rc = MXC_OK;
	if (!fresh)
		goto out;
	int cb = tr->request_events(list, fresh, tr->user_data);
	if (cb == MXC_ERR_WOULDBLOCK) {
		*blocked = true;
		goto out;
	}
	if (cb != MXC_OK) {
		rc = mxc__err(r->err, MXC_ERR_CALLBACK,
		              "transport request_events answered status %d",
		              cb);
		if (r->err)
			r->err->reason = cb;
		goto out;
	}
	const char **na = mxc__realloc(r->alloc, *asked,
	                               (*n_asked + fresh) * sizeof *na);
	if (!na) {
		rc = nomem(r);
		goto out;
	}
	*asked = na;
	for (size_t i = 0; i < fresh; i++) {
		na[*n_asked] = mxc__arena_strdup(keep, list[i],
		                                 strlen(list[i]));
		if (!na[*n_asked]) {
			rc = nomem(r);
			goto out;
		}
		(*n_asked)++;
	}
	*retry = !r->keys_blocked;
out:
	mxc__free(r->alloc, list);
	return rc;
}

int
mxc_pdu_check(mxc_pdu_result **out, mxc_ctx *ctx, mxc_keyring *kr,
              const mxc_pdu_options *opt, const char *json, size_t len,
              mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !ctx || !kr || (!json && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "check pdu: NULL argument");
	mxc_pdu_options defaults;
	mxc_pdu_options_init(&defaults);
	if (!opt)
		opt = &defaults;
	if (opt->version == 0 || opt->version > MXC_PDU_OPTIONS_VERSION
	    || (!opt->current_state && opt->n_current_state))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "check pdu: bad options");
	const mxc_transport_ops *tr = opt->transport;
	if (tr && (tr->version == 0 || tr->version > MXC_TRANSPORT_OPS_VERSION))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "transport table version %u not supported",
		                (unsigned)tr->version);
	for (size_t i = 0; i < opt->n_current_state; i++)
		if (!opt->current_state[i])
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "check pdu: NULL current state ID");
	run r;
	memset(&r, 0, sizeof r);
	r.ctx = ctx;
	r.rv = mxc_ctx_room_version(ctx);
	r.opt = opt;
	r.alloc = &mxc__libc_allocator;
	r.err = err;
	mxc__strmap_init(&r.memo_ids, r.alloc, 16);
	mxc__arena_init(&r.ar, r.alloc);
	const char **asked = NULL;
	size_t n_asked = 0;
	mxc__arena keep;
	mxc__arena_init(&keep, r.alloc);
	mxc_pdu_result *res = NULL;
	int rc = MXC_OK;
	for (int round = 0; round < MAX_ROUNDS; round++) {
		run_reset(&r);
		mxc__ctx_begin(ctx);
		if (res)
			mxc__free(r.alloc, res);
		res = mxc__malloc(r.alloc, sizeof *res);
		if (!res) {
			rc = nomem(&r);
			break;
		}
		memset(res, 0, sizeof *res);
		res->alloc = *r.alloc;
		rc = check_once(&r, kr, json, len, res);
		if (rc != MISSING)
			break;
		bool retry, blocked;
		rc = ask_events(&r, &asked, &n_asked, &keep, &retry,
		                &blocked);
		if (rc)
			break;
		if (retry)
			continue;
		/* list them in the context (as mxc_ctx_missing reads) */
		mxc__ctx_begin(ctx);
		for (size_t i = 0; i < r.n_miss; i++) {
			const mxc_event *ev;
			mxc__ctx_fetch(ctx, r.miss[i], strlen(r.miss[i]), &ev,
			               NULL);
		}
		bool gave_up = r.n_miss && !r.keys_blocked && !blocked;
		if (gave_up) {
			rc = mxc__err(err, MXC_ERR_MISSING_EVENT,
			              "%zu event%s could not be had (all in "
			              "mxc_ctx_missing)", r.n_miss,
			              r.n_miss == 1 ? "" : "s");
		} else {
			rc = mxc__err(err, MXC_ERR_NEED_INPUT,
			              "%zu event%s and %zu key%s missing (in "
			              "mxc_ctx_missing and mxc_keyring_missing)",
			              r.n_miss, r.n_miss == 1 ? "" : "s",
			              mxc_keyring_missing_count(kr),
			              mxc_keyring_missing_count(kr) == 1 ? ""
			                                                 : "s");
		}
		if (r.n_miss)
			mxc__err_subject(err, r.miss[0], strlen(r.miss[0]));
		break;
	}
	if (rc == MISSING)
		rc = mxc__err(err, MXC_ERR_MISSING_EVENT,
		              "events still missing after %d rounds",
		              MAX_ROUNDS);
	run_free(&r);
	mxc__arena_free(&keep);
	if (asked)
		mxc__free(r.alloc, asked);
	if (rc) {
		if (res) {
			mxc_event_free(res->event);
			mxc_state_free(res->state_after);
			mxc__free(r.alloc, res);
		}
		return rc;
	}
	if (!res->step && res->redacted)
		res->step = MXC_PDU_STEP_HASHES;
	*out = res;
	return MXC_OK;
}

void
mxc_pdu_result_free(mxc_pdu_result *r)
{
	if (!r)
		return;
	mxc_event_free(r->event);
	mxc_state_free(r->state_after);
	mxc_allocator a = r->alloc;
	mxc__free(&a, r);
}

int
mxc_pdu_result_outcome(const mxc_pdu_result *r)
{
	return r ? r->outcome : MXC_PDU_DROPPED;
}

int
mxc_pdu_result_redacted(const mxc_pdu_result *r)
{
	return r ? r->redacted : 0;
}

int
mxc_pdu_result_step(const mxc_pdu_result *r)
{
	return r ? r->step : 0;
}

int
mxc_pdu_result_status(const mxc_pdu_result *r)
{
	return r ? r->status : MXC_ERR_INVALID_ARGUMENT;
}

const char *
mxc_pdu_result_reason(const mxc_pdu_result *r)
{
	return r ? r->reason : "";
}

const mxc_event *
mxc_pdu_result_event(const mxc_pdu_result *r)
{
	return r ? r->event : NULL;
}

const mxc_state *
mxc_pdu_result_state_after(const mxc_pdu_result *r)
{
	return r ? r->state_after : NULL;
}
