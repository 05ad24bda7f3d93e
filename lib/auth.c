/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The authorisation rules of room versions 1 to 12 (rooms/vN,
 * "Authorisation rules") and auth events selection (server-server API).
 * One walk of the rules serves every version: what differs is read from
 * the room version table, and each rejection is named by its number on
 * that version's page (rule_number below). include/matrix-core/auth.h
 * lists the choices made where the spec leaves room.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

size_t
mxc_auth_types_max(void)
{
	return MXC_AUTH_TYPES_MAX;
}

static bool
eq(const char *a, size_t an, const char *b, size_t bn)
{
	return a && b && an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool
eqz(const char *a, size_t an, const char *z)
{
	return a && eq(a, an, z, strlen(z));
}

/* The server name of an ID ("!r:a", "$e:a", "@u:a"): after the first ':'. */
static bool
domain_of(const char *id, size_t len, const char **d, size_t *dl)
{
	return mxc__user_id_domain(id, len, d, dl);
}

/* ---- rule numbers ----------------------------------------------------- */

/* The rule set revisions (room_version.h): 1 (v1, v2), 3 (v3-5), 6, 7,
 * 8 (v8, v9), 10, 11, 12. */
const char *
mxc_auth_rule_number(char *buf, size_t size, const mxc_room_version *rv,
                     mxc_auth_rule rule)
{
	if (!buf || size < 16 || !rv)
		return NULL;
	int r = rv->auth_rules;
	bool v12 = r >= 12;
	int ae = v12 ? 3 : 2;                  /* auth events */
	int fed = v12 ? 4 : 3;                 /* m.federate */
	int m = (r < 6 || v12) ? 5 : 4;        /* m.room.member */
	int off = r >= 8 ? 1 : 0;              /* v8: 4.2 inserted */
	int j = 2 + off, inv = 3 + off, lv = 4 + off, bn = 5 + off;
	int kn = 6 + off, unk = r >= 7 ? 7 + off : 6;
	int s = (r < 6 || v12) ? 6 : 5;        /* sender not joined */
	int p = s + 4;                         /* m.room.power_levels */
	int pb = r >= 10 ? (v12 ? 5 : 4) : 2;  /* "no previous" item */
	int n = -1;
#define R(...) (n = snprintf(buf, size, __VA_ARGS__))
	switch (rule) {
	case MXC_AUTH_CREATE_PREV_EVENTS: R("1.1"); break;
	case MXC_AUTH_CREATE_ROOM_ID: R("1.2"); break;
	case MXC_AUTH_CREATE_ROOM_VERSION: R("1.3"); break;
	case MXC_AUTH_CREATE_NO_CREATOR:
		if (rv->creator_from_sender)
			return NULL;
		R("1.4");
		break;
	case MXC_AUTH_CREATE_ADDITIONAL_CREATORS:
		if (!rv->room_creators)
			return NULL;
		R("1.4");
		break;
	case MXC_AUTH_ROOM_ID_NOT_CREATE:
		if (!v12)
			return NULL;
		R("2");
		break;
	case MXC_AUTH_DUPLICATE_ENTRY: R("%d.1", ae); break;
	case MXC_AUTH_NOT_SELECTED: R("%d.2", ae); break;
	case MXC_AUTH_NO_CREATE:
		if (v12)
			return NULL;
		R("2.4");
		break;
	/* v12's page writes "5." after "3." in rule 3; it renders as 3.4. */
	case MXC_AUTH_ENTRY_ROOM_ID: R("%d.%d", ae, v12 ? 4 : 5); break;
	case MXC_AUTH_FEDERATE: R("%d", fed); break;
	case MXC_AUTH_ALIASES_NO_STATE_KEY:
		if (!rv->special_aliases_rule)
			return NULL;
		R("4.1");
		break;
	case MXC_AUTH_ALIASES_DOMAIN:
		if (!rv->special_aliases_rule)
			return NULL;
		R("4.2");
		break;
	case MXC_AUTH_MEMBER_NO_MEMBERSHIP: R("%d.1", m); break;
	case MXC_AUTH_MEMBER_AUTHORISER_SIGNATURE:
		if (!rv->restricted_joins)
			return NULL;
		R("%d.2.1", m);
		break;
	case MXC_AUTH_JOIN_SENDER_NOT_TARGET: R("%d.%d.2", m, j); break;
	case MXC_AUTH_JOIN_BANNED: R("%d.%d.3", m, j); break;
	case MXC_AUTH_JOIN_AUTHORISER:
		if (!rv->restricted_joins)
			return NULL;
		R("%d.%d.5.2", m, j);
		break;
	case MXC_AUTH_JOIN_OTHERWISE: R("%d.%d.%d", m, j, 6 + off); break;
	case MXC_AUTH_3PID_TARGET_BANNED: R("%d.%d.1.1", m, inv); break;
	case MXC_AUTH_3PID_NO_SIGNED: R("%d.%d.1.2", m, inv); break;
	case MXC_AUTH_3PID_NO_MXID_TOKEN: R("%d.%d.1.3", m, inv); break;
	case MXC_AUTH_3PID_MXID: R("%d.%d.1.4", m, inv); break;
	case MXC_AUTH_3PID_NO_INVITE_EVENT: R("%d.%d.1.5", m, inv); break;
	case MXC_AUTH_3PID_SENDER: R("%d.%d.1.6", m, inv); break;
	case MXC_AUTH_3PID_SIGNATURE: R("%d.%d.1.8", m, inv); break;
	case MXC_AUTH_INVITE_SENDER_NOT_JOINED: R("%d.%d.2", m, inv); break;
	case MXC_AUTH_INVITE_TARGET: R("%d.%d.3", m, inv); break;
	case MXC_AUTH_INVITE_LEVEL: R("%d.%d.5", m, inv); break;
	case MXC_AUTH_LEAVE_SELF: R("%d.%d.1", m, lv); break;
	case MXC_AUTH_LEAVE_SENDER_NOT_JOINED: R("%d.%d.2", m, lv); break;
	case MXC_AUTH_LEAVE_TARGET_BANNED: R("%d.%d.3", m, lv); break;
	case MXC_AUTH_LEAVE_LEVEL: R("%d.%d.5", m, lv); break;
	case MXC_AUTH_BAN_SENDER_NOT_JOINED: R("%d.%d.1", m, bn); break;
	case MXC_AUTH_BAN_LEVEL: R("%d.%d.3", m, bn); break;
	case MXC_AUTH_KNOCK_JOIN_RULE:
	case MXC_AUTH_KNOCK_SENDER_NOT_TARGET:
	case MXC_AUTH_KNOCK_MEMBERSHIP:
		if (!rv->knocking)
			return NULL;
		R("%d.%d.%d", m, kn,
		  rule == MXC_AUTH_KNOCK_JOIN_RULE         ? 1
		  : rule == MXC_AUTH_KNOCK_SENDER_NOT_TARGET ? 2
		                                             : 4);
		break;
	case MXC_AUTH_MEMBER_UNKNOWN: R("%d.%d", m, unk); break;
	case MXC_AUTH_SENDER_NOT_JOINED: R("%d", s); break;
	case MXC_AUTH_3PID_INVITE_LEVEL: R("%d.1", s + 1); break;
	case MXC_AUTH_EVENT_LEVEL: R("%d", s + 2); break;
	case MXC_AUTH_STATE_KEY_USER: R("%d", s + 3); break;
	case MXC_AUTH_PL_SCALARS:
	case MXC_AUTH_PL_MAPS:
		if (!rv->integer_power_levels)
			return NULL;
		R("%d.%d", p, rule == MXC_AUTH_PL_SCALARS ? 1 : 2);
		break;
	case MXC_AUTH_PL_USERS: R("%d.%d", p, r >= 10 ? 3 : 1); break;
	case MXC_AUTH_PL_CREATORS_IN_USERS:
		if (!rv->room_creators)
			return NULL;
		R("%d.4", p);
		break;
	case MXC_AUTH_PL_SCALAR_CURRENT: R("%d.%d.1", p, pb + 1); break;
	case MXC_AUTH_PL_SCALAR_NEW: R("%d.%d.2", p, pb + 1); break;
	case MXC_AUTH_PL_EVENTS_CURRENT: R("%d.%d.1", p, pb + 2); break;
	case MXC_AUTH_PL_EVENTS_NEW: R("%d.%d.1", p, pb + 3); break;
	case MXC_AUTH_PL_USERS_CURRENT: R("%d.%d.1", p, pb + 4); break;
	case MXC_AUTH_PL_USERS_NEW: R("%d.%d.1", p, pb + 5); break;
	case MXC_AUTH_REDACTION:
		if (!rv->redaction_auth_rule)
			return NULL;
		R("11.3");
		break;
	default:
		return NULL;
	}
#undef R
	return n > 0 && (size_t)n < size ? buf : NULL;
}

/* ---- state sets ------------------------------------------------------- */

typedef struct slot {
	const mxc_event *ev; /* NULL: empty */
	const char *t, *k;
	size_t tl, kl;
	uint64_t h;
} slot;

struct mxc_auth_state {
	mxc_allocator alloc;
	slot *slots;
	size_t cap, n;
	bool dup;
};

static uint64_t
hash_key(const char *t, size_t tl, const char *k, size_t kl)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < tl; i++)
		h = (h ^ (uint8_t)t[i]) * 1099511628211ull;
	h = (h ^ 0xffu) * 1099511628211ull; /* separator: not a UTF-8 byte */
	for (size_t i = 0; i < kl; i++)
		h = (h ^ (uint8_t)k[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static void
event_key(const mxc_event *ev, const char **t, size_t *tl, const char **k,
          size_t *kl)
{
	*t = mxc_event_type(ev, tl);
	*k = mxc_event_state_key(ev, kl);
	if (!*k) {
		*k = "";
		*kl = 0;
	}
}

static slot *
find_slot(const struct mxc_auth_state *st, const char *t, size_t tl,
          const char *k, size_t kl, uint64_t h)
{
	size_t mask = st->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		slot *s = &st->slots[i];
		if (!s->ev || (s->h == h && eq(s->t, s->tl, t, tl) &&
		               eq(s->k, s->kl, k, kl)))
			return s;
	}
}

static int
grow(struct mxc_auth_state *st, size_t want)
{
	if (want * 2 <= st->cap)
		return MXC_OK;
	size_t cap = st->cap ? st->cap : 16;
	while (cap < want * 2)
		cap *= 2;
	slot *ns = mxc__malloc(&st->alloc, cap * sizeof *ns);
	if (!ns)
		return MXC_ERR_NOMEM;
	memset(ns, 0, cap * sizeof *ns);
	slot *old = st->slots;
	size_t ocap = st->cap;
	st->slots = ns;
	st->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].ev)
			*find_slot(st, old[i].t, old[i].tl, old[i].k, old[i].kl,
			           old[i].h) = old[i];
	mxc__free(&st->alloc, old);
	return MXC_OK;
}

static int
state_put(struct mxc_auth_state *st, const mxc_event *ev, bool count_dup)
{
	int rc = grow(st, st->n + 1);
	if (rc != MXC_OK)
		return rc;
	slot x = {ev, NULL, NULL, 0, 0, 0};
	event_key(ev, &x.t, &x.tl, &x.k, &x.kl);
	if (!x.t)
		return MXC_ERR_INVALID_ARGUMENT;
	x.h = hash_key(x.t, x.tl, x.k, x.kl);
	slot *s = find_slot(st, x.t, x.tl, x.k, x.kl, x.h);
	if (s->ev) {
		if (count_dup && s->ev != ev)
			st->dup = true;
	} else {
		st->n++;
	}
	*s = x;
	return MXC_OK;
}

int
mxc_auth_state_new(mxc_auth_state **out, const mxc_event *const *events,
                   size_t n, const mxc_allocator *alloc, mxc_error *err)
{
	if (!out || (n && !events))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "auth state: NULL argument");
	*out = NULL;
	const mxc_allocator *a = mxc__alloc_or_default(alloc);
	struct mxc_auth_state *st = mxc__malloc(a, sizeof *st);
	if (!st)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	memset(st, 0, sizeof *st);
	st->alloc = *a;
	int rc = grow(st, n ? n : 1);
	for (size_t i = 0; rc == MXC_OK && i < n; i++) {
		if (!events[i])
			rc = MXC_ERR_INVALID_ARGUMENT;
		else
			rc = state_put(st, events[i], true);
	}
	if (rc != MXC_OK) {
		mxc_auth_state_free(st);
		return mxc__err(err, rc, "auth state: %s", mxc_strerror(rc));
	}
	*out = st;
	return MXC_OK;
}

void
mxc_auth_state_free(mxc_auth_state *st)
{
	if (!st)
		return;
	mxc_allocator a = st->alloc;
	mxc__free(&a, st->slots);
	mxc__free(&a, st);
}

int
mxc_auth_state_set(mxc_auth_state *st, const mxc_event *ev, mxc_error *err)
{
	if (!st || !ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "auth state: NULL argument");
	int rc = state_put(st, ev, false);
	if (rc != MXC_OK)
		return mxc__err(err, rc, "auth state: %s", mxc_strerror(rc));
	return MXC_OK;
}

const mxc_event *
mxc_auth_state_get(const mxc_auth_state *st, const char *type,
                   size_t type_len, const char *state_key,
                   size_t state_key_len)
{
	if (!st || !st->cap || !type || !state_key)
		return NULL;
	uint64_t h = hash_key(type, type_len, state_key, state_key_len);
	return find_slot(st, type, type_len, state_key, state_key_len, h)->ev;
}

size_t
mxc_auth_state_size(const mxc_auth_state *st)
{
	return st ? st->n : 0;
}

/* ---- auth events selection -------------------------------------------- */

static const char T_CREATE[] = "m.room.create";
static const char T_PL[] = "m.room.power_levels";
static const char T_MEMBER[] = "m.room.member";
static const char T_JR[] = "m.room.join_rules";
static const char T_TPI[] = "m.room.third_party_invite";
#define SL(s) (sizeof(s) - 1)

static void
add_type(mxc_auth_type *out, size_t *n, const char *t, size_t tl,
         const char *k, size_t kl)
{
	for (size_t i = 0; i < *n; i++)
		if (eq(out[i].type, out[i].type_len, t, tl) &&
		    eq(out[i].state_key, out[i].state_key_len, k, kl))
			return;
	out[*n] = (mxc_auth_type){t, tl, k, kl};
	(*n)++;
}

static int auth_types_into(mxc_auth_type *out, size_t *n_out,
                           const mxc_event *ev, mxc_error *err);

int
mxc_auth_types(mxc_auth_type *out, size_t out_cap, size_t *n_out,
               const mxc_event *ev, mxc_error *err)
{
	if (!out || !n_out || !ev)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "auth types: NULL argument");
	*n_out = 0;
	if (out_cap >= MXC_AUTH_TYPES_MAX)
		return auth_types_into(out, n_out, ev, err);
	/* a smaller array: select into room for the maximum, then copy
	 * what fits or say how much is needed */
	mxc_auth_type all[MXC_AUTH_TYPES_MAX];
	size_t n = 0;
	int rc = auth_types_into(all, &n, ev, err);
	if (rc)
		return rc;
	if (n > out_cap)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "auth types: room for %zu entries, the event "
		                "needs %zu", out_cap, n);
	memcpy(out, all, n * sizeof *all);
	*n_out = n;
	return MXC_OK;
}

static int
auth_types_into(mxc_auth_type *out, size_t *n_out, const mxc_event *ev,
                mxc_error *err)
{
	const mxc_room_version *rv = mxc_event_room_version(ev);
	size_t n = 0, tl, sl, kl;
	const char *t = mxc_event_type(ev, &tl);
	const char *sender = mxc_event_sender(ev, &sl);
	const char *sk = mxc_event_state_key(ev, &kl);
	*n_out = 0;
	/* "The auth_events for the m.room.create event in a room is
	 * empty" */
	if (eqz(t, tl, T_CREATE))
		return MXC_OK;
	if (rv->create_in_auth_events)
		add_type(out, &n, T_CREATE, SL(T_CREATE), "", 0);
	add_type(out, &n, T_PL, SL(T_PL), "", 0);
	if (sender)
		add_type(out, &n, T_MEMBER, SL(T_MEMBER), sender, sl);
	if (eqz(t, tl, T_MEMBER)) {
		const mxc_json *content = mxc_event_content(ev);
		size_t ml = 0;
		const char *mem = mxc_event_membership(ev, &ml);
		if (sk)
			add_type(out, &n, T_MEMBER, SL(T_MEMBER), sk, kl);
		if (eqz(mem, ml, "join") || eqz(mem, ml, "invite") ||
		    eqz(mem, ml, "knock"))
			add_type(out, &n, T_JR, SL(T_JR), "", 0);
		const mxc_json *tpi =
			mxc_json_getz(content, "third_party_invite");
		if (eqz(mem, ml, "invite") && tpi) {
			size_t tkl;
			const char *tok = mxc_json_get_string(
				mxc_json_getz(mxc_json_getz(tpi, "signed"),
				              "token"),
				&tkl);
			if (tok)
				add_type(out, &n, T_TPI, SL(T_TPI), tok, tkl);
		}
		if (eqz(mem, ml, "join") && rv->restricted_joins) {
			size_t al;
			const char *au = mxc_json_get_string(
				mxc_json_getz(content,
				              "join_authorised_via_users_server"),
				&al);
			if (au)
				add_type(out, &n, T_MEMBER, SL(T_MEMBER), au, al);
		}
	}
	*n_out = n;
	return MXC_OK;
}

/* ---- the check -------------------------------------------------------- */

enum membership {
	MEM_NONE, MEM_JOIN, MEM_INVITE, MEM_LEAVE, MEM_BAN, MEM_KNOCK,
	MEM_OTHER
};

static enum membership
membership_of(const char *m, size_t ml)
{
	if (!m)
		return MEM_NONE;
	if (eqz(m, ml, "join"))
		return MEM_JOIN;
	if (eqz(m, ml, "invite"))
		return MEM_INVITE;
	if (eqz(m, ml, "leave"))
		return MEM_LEAVE;
	if (eqz(m, ml, "ban"))
		return MEM_BAN;
	if (eqz(m, ml, "knock"))
		return MEM_KNOCK;
	return MEM_OTHER;
}

typedef struct ctx {
	const mxc_event *ev;
	const mxc_room_version *rv;
	const mxc_auth_state *st;
	mxc_error *err;
	const mxc_event_key *keys;
	size_t n_keys;
	int64_t now_ts;
	unsigned flags;
	const char *type, *sender, *sk;
	size_t tl, sl, skl;
	const mxc_json *content;
	const mxc_event *create, *pl_ev;
	struct mxc_power_levels pl;
} ctx;

/* Reject naming the rule: "v11 auth rule 4.3.3: sender is banned". */
static int
reject(ctx *c, mxc_auth_rule rule, const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int
reject(ctx *c, mxc_auth_rule rule, const char *fmt, ...)
{
	if (!c->err)
		return MXC_ERR_AUTH_REJECTED;
	char why[160], num[16];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	const char *nr = mxc_auth_rule_number(num, sizeof num, c->rv, rule);
	mxc__err(c->err, MXC_ERR_AUTH_REJECTED, "v%s auth rule %s: %s",
	         c->rv->id, nr ? nr : "?", why);
	c->err->reason = (int)rule;
	return MXC_ERR_AUTH_REJECTED;
}

/* A power level that could not be read rejects the event under the rule
 * reading it, naming the JSON path (kept in err->subject). */
static int
reject_level(ctx *c, mxc_auth_rule rule, const char *where, mxc_error *pe)
{
	int rc = reject(c, rule, "%s: %s (%s)", where, pe->message,
	                pe->subject);
	if (c->err)
		memcpy(c->err->subject, pe->subject, sizeof pe->subject);
	return rc;
}

static const mxc_event *
get_state(const ctx *c, const char *t, size_t tl, const char *k, size_t kl)
{
	return mxc_auth_state_get(c->st, t, tl, k, kl);
}

static enum membership
member_of(const ctx *c, const char *user, size_t ul)
{
	const mxc_event *m = get_state(c, T_MEMBER, SL(T_MEMBER), user, ul);
	if (!m)
		return MEM_NONE;
	size_t ml;
	const char *s = mxc_event_membership(m, &ml);
	return membership_of(s, ml);
}

static int
user_level(ctx *c, int64_t *out, const char *u, size_t ul,
           mxc_auth_rule rule)
{
	mxc_error pe;
	mxc_error_clear(&pe);
	int rc = mxc_power_levels_user(out, &c->pl, u, ul, &pe);
	if (rc != MXC_OK)
		return reject_level(c, rule, "power levels in state", &pe);
	return MXC_OK;
}

static int
key_level(ctx *c, int64_t *out, mxc_power_key k, mxc_auth_rule rule)
{
	mxc_error pe;
	mxc_error_clear(&pe);
	int rc = mxc_power_levels_get(out, &c->pl, k, &pe);
	if (rc != MXC_OK)
		return reject_level(c, rule, "power levels in state", &pe);
	return MXC_OK;
}

/* ---- signatures ---- */

static bool
key_usable(const ctx *c, const mxc_event_key *k, int64_t ts)
{
	/* As mxc_event_verify: a key expired before the event is not used;
	 * from v5, nor one whose validity (the lesser of valid_until_ts and
	 * now + 7 days) ends before the event (rooms/v5). */
	if (k->expired_ts != MXC_TS_NONE && k->expired_ts < ts)
		return false;
	if (c->rv->enforce_key_validity) {
		int64_t until = k->valid_until_ts;
		if (c->now_ts != MXC_TS_NONE &&
		    c->now_ts <= INT64_MAX - 7 * 24 * 3600 * 1000LL) {
			int64_t cap = c->now_ts + 7 * 24 * 3600 * 1000LL;
			if (until == MXC_TS_NONE || cap < until)
				until = cap;
		}
		if (until != MXC_TS_NONE && until < ts)
			return false;
	}
	return true;
}

/* Is the event validly signed by `server`? MXC_OK, MXC_ERR_AUTH_REJECTED
 * (bare, the caller names the rule), MXC_ERR_NEED_INPUT, or a failure. */
static int
signed_by_server(ctx *c, const char *server, size_t server_len,
                 char *why, size_t why_size)
{
	const mxc_json *sigs = mxc_json_get(mxc_event_signatures(c->ev),
	                                    server, server_len);
	size_t ns = mxc_json_size(sigs);
	if (mxc_json_get_type(sigs) != MXC_JSON_OBJECT || ns == 0) {
		snprintf(why, why_size, "no signature by the authorising "
		         "server");
		return MXC_ERR_AUTH_REJECTED;
	}
	int64_t ts = mxc_event_origin_server_ts(c->ev);
	mxc__arena ar;
	mxc__arena_init(&ar, NULL);
	mxc_json *red = NULL;
	const mxc_json *signed_obj = NULL;
	bool missing = false, tried = false, ok = false;
	int rc = MXC_OK;
	for (size_t i = 0; i < ns && !ok && rc == MXC_OK; i++) {
		const char *kid;
		size_t kidl;
		mxc_json_member(sigs, i, &kid, &kidl);
		if (kidl < 8 || memcmp(kid, "ed25519:", 8) != 0)
			continue;
		bool have = false;
		for (size_t k = 0; k < c->n_keys && !ok; k++) {
			const mxc_event_key *key = &c->keys[k];
			if (!key->server_name || !key->key_id ||
			    !eqz(server, server_len, key->server_name) ||
			    !eqz(kid, kidl, key->key_id))
				continue;
			have = true;
			if (!key_usable(c, key, ts))
				continue;
			if (!signed_obj) {
				rc = mxc_event_redact_json(
					&red, c->rv, mxc_event_json(c->ev), NULL,
					NULL);
				if (rc != MXC_OK)
					break;
				signed_obj = red;
				/* From v3 a top-level event_id (a label) is not
				 * part of the PDU. */
				if (!c->rv->event_id_in_pdu &&
				    mxc_json_getz(red, "event_id")) {
					signed_obj = mxc__json_object_with(
						&ar, red, "event_id", NULL);
					if (!signed_obj) {
						rc = MXC_ERR_NOMEM;
						break;
					}
				}
			}
			tried = true;
			char sname[256];
			if (server_len >= sizeof sname)
				continue;
			memcpy(sname, server, server_len);
			sname[server_len] = '\0';
			if (mxc_json_verify(signed_obj, sname, key->key_id,
			                    key->public_key, key->public_key_len,
			                    NULL) == MXC_OK)
				ok = true;
		}
		if (!have)
			missing = true;
	}
	mxc_json_free(red);
	mxc__arena_free(&ar);
	if (rc != MXC_OK)
		return rc;
	if (ok)
		return MXC_OK;
	if (missing) {
		snprintf(why, why_size, "a signing key of the authorising "
		         "server is needed");
		return MXC_ERR_NEED_INPUT;
	}
	snprintf(why, why_size, tried ? "the authorising server's signature "
	                                "does not verify"
	                              : "no usable key of the authorising "
	                                "server");
	return MXC_ERR_AUTH_REJECTED;
}

static size_t
decode_key(uint8_t out[64], const mxc_json *v)
{
	size_t n;
	const char *s = mxc_json_get_string(v, &n);
	if (!s || n > 80)
		return 0;
	for (int urlsafe = 0; urlsafe < 2; urlsafe++) {
		size_t bad;
		long k = mxc__base64_decode_raw(out, s, n, urlsafe, &bad);
		if (k == MXC_ED25519_PUBLIC_BYTES)
			return (size_t)k;
	}
	return 0;
}

/* Invite rule 1.7: any signature in `signed` matches any public key of
 * the m.room.third_party_invite event. */
static bool
tpi_signature_ok(const mxc_json *signed_obj, const mxc_event *tpi_ev)
{
	const mxc_json *tc = mxc_event_content(tpi_ev);
	uint8_t keys[17][64];
	size_t nk = 0;
	if (decode_key(keys[nk], mxc_json_getz(tc, "public_key")))
		nk++;
	const mxc_json *list = mxc_json_getz(tc, "public_keys");
	for (size_t i = 0; i < mxc_json_size(list) && nk < 17; i++) {
		const mxc_json *e = mxc_json_at(list, i);
		if (decode_key(keys[nk], mxc_json_getz(e, "public_key")))
			nk++;
	}
	const mxc_json *sigs = mxc_json_getz(signed_obj, "signatures");
	if (mxc_json_get_type(sigs) != MXC_JSON_OBJECT)
		return false;
	for (size_t i = 0; i < mxc_json_size(sigs); i++) {
		const char *server, *kid;
		size_t svl, kidl;
		const mxc_json *by = mxc_json_member(sigs, i, &server, &svl);
		if (mxc_json_get_type(by) != MXC_JSON_OBJECT ||
		    strlen(server) != svl)
			continue;
		for (size_t j = 0; j < mxc_json_size(by); j++) {
			mxc_json_member(by, j, &kid, &kidl);
			if (strlen(kid) != kidl || kidl < 8 ||
			    memcmp(kid, "ed25519:", 8) != 0)
				continue;
			for (size_t k = 0; k < nk; k++)
				if (mxc_json_verify(signed_obj, server, kid,
				                    keys[k], 32, NULL) == MXC_OK)
					return true;
		}
	}
	return false;
}

/* ---- rule 1: m.room.create ---- */

static int
check_create(ctx *c)
{
	const mxc_room_version *rv = c->rv;
	/* 1.1 */
	if (mxc_event_prev_events_count(c->ev) > 0)
		return reject(c, MXC_AUTH_CREATE_PREV_EVENTS,
		              "m.room.create has prev_events");
	/* 1.2 */
	if (rv->room_id_from_create) {
		if (mxc_json_getz(mxc_event_json(c->ev), "room_id"))
			return reject(c, MXC_AUTH_CREATE_ROOM_ID,
			              "m.room.create has a room_id");
	} else {
		size_t rl, rdl, sdl;
		const char *rd, *sd;
		const char *room = mxc_event_room_id(c->ev, &rl);
		if (!room || !domain_of(room, rl, &rd, &rdl) ||
		    !domain_of(c->sender, c->sl, &sd, &sdl) ||
		    !eq(rd, rdl, sd, sdl))
			return reject(c, MXC_AUTH_CREATE_ROOM_ID,
			              "the room ID's domain is not the "
			              "sender's");
	}
	/* 1.3 */
	const mxc_json *ver = mxc_json_getz(c->content, "room_version");
	if (ver) {
		size_t vl;
		const char *vs = mxc_json_get_string(ver, &vl);
		if (!vs || !mxc_room_version_find(vs, vl))
			return reject(c, MXC_AUTH_CREATE_ROOM_VERSION,
			              "content.room_version is not a known "
			              "room version");
	}
	/* 1.4 (v1 to v10) */
	if (!rv->creator_from_sender && !mxc_json_getz(c->content, "creator"))
		return reject(c, MXC_AUTH_CREATE_NO_CREATOR,
		              "content has no creator");
	/* 1.4 (v12) */
	if (rv->room_creators) {
		const mxc_json *ac =
			mxc_json_getz(c->content, "additional_creators");
		if (ac) {
			if (mxc_json_get_type(ac) != MXC_JSON_ARRAY)
				return reject(c,
				              MXC_AUTH_CREATE_ADDITIONAL_CREATORS,
				              "additional_creators is not an "
				              "array");
			for (size_t i = 0; i < mxc_json_size(ac); i++) {
				size_t ul;
				const char *u = mxc_json_get_string(
					mxc_json_at(ac, i), &ul);
				if (!u || !mxc__auth_user_id_valid(u, ul))
					return reject(
						c,
						MXC_AUTH_CREATE_ADDITIONAL_CREATORS,
						"additional_creators[%zu] is not "
						"a valid user ID",
						i);
			}
		}
	}
	return MXC_OK; /* 1.5 (v11: 1.4): allow */
}

/* ---- rule 2 (v12: 2 and 3): auth events ---- */

static bool
selected(const mxc_auth_type *types, size_t n, const char *t, size_t tl,
         const char *k, size_t kl)
{
	for (size_t i = 0; i < n; i++)
		if (eq(types[i].type, types[i].type_len, t, tl) &&
		    eq(types[i].state_key, types[i].state_key_len, k, kl))
			return true;
	return false;
}

static int
check_room_of(ctx *c, const mxc_event *e)
{
	size_t a, b;
	const char *ra = mxc_event_room_id(c->ev, &a);
	const char *rb = mxc_event_room_id(e, &b);
	if (!(ra == NULL && rb == NULL) && !eq(ra, a, rb, b)) {
		size_t il;
		const char *id = mxc_event_id(e, &il);
		int rc = reject(c, MXC_AUTH_ENTRY_ROOM_ID,
		                "an auth event is in another room");
		if (c->err && id)
			mxc__err_subject(c->err, id, il);
		return rc;
	}
	return MXC_OK;
}

static int
check_auth_events(ctx *c)
{
	const mxc_room_version *rv = c->rv;
	/* 2.1 */
	if (c->st && c->st->dup)
		return reject(c, MXC_AUTH_DUPLICATE_ENTRY,
		              "two entries for one (type, state_key)");
	/* 2.4 (v1-11); v12 rule 2 was checked before. */
	if (!rv->room_id_from_create && !c->create)
		return reject(c, MXC_AUTH_NO_CREATE, "no m.room.create event");
	mxc_auth_type types[MXC_AUTH_TYPES_MAX];
	size_t nt = 0;
	int rc = mxc_auth_types(types, MXC_ARRAY_LEN(types), &nt, c->ev,
	                        c->err);
	if (rc != MXC_OK)
		return rc;
	if (c->flags & MXC_AUTH_AUTH_EVENTS) {
		for (size_t i = 0; c->st && i < c->st->cap; i++) {
			const slot *s = &c->st->slots[i];
			if (!s->ev)
				continue;
			if (rv->room_id_from_create && s->ev == c->create)
				continue; /* given for the rules, not an entry */
			/* 2.2 */
			if (!selected(types, nt, s->t, s->tl, s->k, s->kl)) {
				rc = reject(c, MXC_AUTH_NOT_SELECTED,
				            "an auth event is not one auth "
				            "events selection names");
				if (c->err)
					mxc__err_subject(c->err, s->t, s->tl);
				return rc;
			}
			/* 2.5 */
			if ((rc = check_room_of(c, s->ev)) != MXC_OK)
				return rc;
		}
		return MXC_OK;
	}
	/* 2.5 over the state events the rules consult. */
	for (size_t i = 0; i < nt; i++) {
		const mxc_event *e = get_state(c, types[i].type, types[i].type_len,
		                               types[i].state_key,
		                               types[i].state_key_len);
		if (e && !(rv->room_id_from_create && e == c->create) &&
		    (rc = check_room_of(c, e)) != MXC_OK)
			return rc;
	}
	return MXC_OK;
}

/* ---- m.room.member ---- */

static int
check_join(ctx *c, enum membership target_mem)
{
	const mxc_room_version *rv = c->rv;
	/* .1: the only previous event is the m.room.create and the
	 * state_key is the creator (v11+: the create event's sender). */
	if (mxc_event_prev_events_count(c->ev) == 1 && c->create) {
		size_t pl, cl;
		const char *prev = mxc_event_prev_event(c->ev, 0, &pl);
		const char *cid = mxc_event_id(c->create, &cl);
		if (eq(prev, pl, cid, cl) &&
		    eq(c->sk, c->skl, c->pl.creator, c->pl.creator_len))
			return MXC_OK;
	}
	/* .2 */
	if (!eq(c->sender, c->sl, c->sk, c->skl))
		return reject(c, MXC_AUTH_JOIN_SENDER_NOT_TARGET,
		              "sender is not the state_key");
	/* .3 */
	if (target_mem == MEM_BAN)
		return reject(c, MXC_AUTH_JOIN_BANNED, "sender is banned");
	const mxc_event *jr_ev = get_state(c, T_JR, SL(T_JR), "", 0);
	size_t jl = 0;
	const char *jr = jr_ev ? mxc_json_get_string(
		mxc_json_getz(mxc_event_content(jr_ev), "join_rule"), &jl)
	                       : NULL;
	/* .4: invite (v7+: or knock): allow if invited or joined */
	if (eqz(jr, jl, "invite") || (rv->knocking && eqz(jr, jl, "knock"))) {
		if (target_mem == MEM_INVITE || target_mem == MEM_JOIN)
			return MXC_OK;
	} else if ((rv->restricted_joins && eqz(jr, jl, "restricted")) ||
	           (rv->knock_restricted && eqz(jr, jl, "knock_restricted"))) {
		/* .5 (v8+; v10+ also knock_restricted) */
		if (target_mem == MEM_JOIN || target_mem == MEM_INVITE)
			return MXC_OK; /* .5.1 */
		size_t al;
		const char *au = mxc_json_get_string(
			mxc_json_getz(c->content,
			              "join_authorised_via_users_server"),
			&al);
		if (!au)
			return reject(c, MXC_AUTH_JOIN_AUTHORISER,
			              "no join_authorised_via_users_server");
		if (member_of(c, au, al) != MEM_JOIN)
			return reject(c, MXC_AUTH_JOIN_AUTHORISER,
			              "the authorising user is not joined");
		int64_t alvl, inv;
		int rc = user_level(c, &alvl, au, al, MXC_AUTH_JOIN_AUTHORISER);
		if (rc == MXC_OK)
			rc = key_level(c, &inv, MXC_POWER_INVITE,
			               MXC_AUTH_JOIN_AUTHORISER);
		if (rc != MXC_OK)
			return rc;
		if (alvl < inv)
			return reject(c, MXC_AUTH_JOIN_AUTHORISER,
			              "the authorising user may not invite");
		return MXC_OK; /* .5.3 */
	} else if (eqz(jr, jl, "public")) {
		return MXC_OK; /* .6 (v1-7: .5) */
	}
	return reject(c, MXC_AUTH_JOIN_OTHERWISE,
	              jr ? "the join rule does not let the sender join"
	                 : "no join rule lets the sender join");
}

static int
check_3pid_invite(ctx *c, const mxc_json *tpi, enum membership target_mem)
{
	/* .1.1 */
	if (target_mem == MEM_BAN)
		return reject(c, MXC_AUTH_3PID_TARGET_BANNED,
		              "target user is banned");
	/* .1.2 */
	const mxc_json *signed_obj = mxc_json_getz(tpi, "signed");
	if (!signed_obj)
		return reject(c, MXC_AUTH_3PID_NO_SIGNED,
		              "third_party_invite has no signed");
	/* .1.3 */
	const mxc_json *mxid = mxc_json_getz(signed_obj, "mxid");
	const mxc_json *token = mxc_json_getz(signed_obj, "token");
	if (!mxid || !token)
		return reject(c, MXC_AUTH_3PID_NO_MXID_TOKEN,
		              "signed has no mxid or no token");
	/* .1.4 */
	size_t ml, tl;
	const char *ms = mxc_json_get_string(mxid, &ml);
	if (!eq(ms, ml, c->sk, c->skl))
		return reject(c, MXC_AUTH_3PID_MXID,
		              "mxid is not the state_key");
	/* .1.5 */
	const char *ts = mxc_json_get_string(token, &tl);
	const mxc_event *inv =
		ts ? get_state(c, T_TPI, SL(T_TPI), ts, tl) : NULL;
	if (!inv)
		return reject(c, MXC_AUTH_3PID_NO_INVITE_EVENT,
		              "no m.room.third_party_invite for the token");
	/* .1.6 */
	size_t isl;
	const char *isender = mxc_event_sender(inv, &isl);
	if (!eq(c->sender, c->sl, isender, isl))
		return reject(c, MXC_AUTH_3PID_SENDER,
		              "sender did not send the third-party invite");
	/* .1.7 */
	if (tpi_signature_ok(signed_obj, inv))
		return MXC_OK;
	/* .1.8 */
	return reject(c, MXC_AUTH_3PID_SIGNATURE,
	              "no signature of signed matches the invite's keys");
}

static int
check_member(ctx *c)
{
	const mxc_room_version *rv = c->rv;
	/* .1 */
	const mxc_json *mj = mxc_json_getz(c->content, "membership");
	if (!c->sk || !mj)
		return reject(c, MXC_AUTH_MEMBER_NO_MEMBERSHIP,
		              !c->sk ? "no state_key" : "no membership");
	/* .2 (v8+) */
	const mxc_json *auth_user =
		mxc_json_getz(c->content, "join_authorised_via_users_server");
	if (rv->restricted_joins && auth_user &&
	    !(c->flags & MXC_AUTH_SIGNATURES_CHECKED)) {
		size_t al, dl;
		const char *au = mxc_json_get_string(auth_user, &al), *dom;
		if (!au || !domain_of(au, al, &dom, &dl))
			return reject(c, MXC_AUTH_MEMBER_AUTHORISER_SIGNATURE,
			              "join_authorised_via_users_server is "
			              "not a user ID");
		char why[120];
		int rc = signed_by_server(c, dom, dl, why, sizeof why);
		if (rc == MXC_ERR_AUTH_REJECTED)
			return reject(c, MXC_AUTH_MEMBER_AUTHORISER_SIGNATURE,
			              "%s", why);
		if (rc == MXC_ERR_NEED_INPUT) {
			mxc__err(c->err, rc, "v%s auth rule 4.2.1: %s",
			         rv->id, why);
			mxc__err_subject(c->err, dom, dl);
			return rc;
		}
		if (rc != MXC_OK)
			return mxc__err(c->err, rc, "auth: %s",
			                mxc_strerror(rc));
	}
	size_t ml;
	const char *ms = mxc_json_get_string(mj, &ml);
	enum membership mem = membership_of(ms, ml);
	enum membership target_mem = member_of(c, c->sk, c->skl);
	enum membership sender_mem =
		eq(c->sender, c->sl, c->sk, c->skl)
			? target_mem
			: member_of(c, c->sender, c->sl);
	int64_t slvl, tlvl, need;
	int rc;
	switch (mem) {
	case MEM_JOIN:
		return check_join(c, target_mem);
	case MEM_INVITE: {
		const mxc_json *tpi =
			mxc_json_getz(c->content, "third_party_invite");
		if (tpi)
			return check_3pid_invite(c, tpi, target_mem);
		if (sender_mem != MEM_JOIN) /* .2 */
			return reject(c, MXC_AUTH_INVITE_SENDER_NOT_JOINED,
			              "sender is not joined");
		if (target_mem == MEM_JOIN || target_mem == MEM_BAN) /* .3 */
			return reject(c, MXC_AUTH_INVITE_TARGET,
			              "target user is joined or banned");
		if ((rc = user_level(c, &slvl, c->sender, c->sl,
		                     MXC_AUTH_INVITE_LEVEL)) != MXC_OK ||
		    (rc = key_level(c, &need, MXC_POWER_INVITE,
		                    MXC_AUTH_INVITE_LEVEL)) != MXC_OK)
			return rc;
		if (slvl >= need) /* .4 */
			return MXC_OK;
		return reject(c, MXC_AUTH_INVITE_LEVEL,
		              "sender's power level is below the invite "
		              "level");
	}
	case MEM_LEAVE:
		/* .1 */
		if (eq(c->sender, c->sl, c->sk, c->skl)) {
			if (target_mem == MEM_INVITE || target_mem == MEM_JOIN ||
			    (rv->knocking && target_mem == MEM_KNOCK))
				return MXC_OK;
			return reject(c, MXC_AUTH_LEAVE_SELF,
			              "sender is not invited or joined%s",
			              rv->knocking ? " or knocking" : "");
		}
		/* .2 */
		if (sender_mem != MEM_JOIN)
			return reject(c, MXC_AUTH_LEAVE_SENDER_NOT_JOINED,
			              "sender is not joined");
		if ((rc = user_level(c, &slvl, c->sender, c->sl,
		                     MXC_AUTH_LEAVE_TARGET_BANNED)) != MXC_OK)
			return rc;
		/* .3 */
		if (target_mem == MEM_BAN) {
			if ((rc = key_level(c, &need, MXC_POWER_BAN,
			                    MXC_AUTH_LEAVE_TARGET_BANNED)) !=
			    MXC_OK)
				return rc;
			if (slvl < need)
				return reject(c, MXC_AUTH_LEAVE_TARGET_BANNED,
				              "target is banned and sender's "
				              "level is below the ban level");
		}
		/* .4 */
		if ((rc = key_level(c, &need, MXC_POWER_KICK,
		                    MXC_AUTH_LEAVE_LEVEL)) != MXC_OK ||
		    (rc = user_level(c, &tlvl, c->sk, c->skl,
		                     MXC_AUTH_LEAVE_LEVEL)) != MXC_OK)
			return rc;
		if (slvl >= need && tlvl < slvl)
			return MXC_OK;
		return reject(c, MXC_AUTH_LEAVE_LEVEL,
		              slvl < need ? "sender's level is below the kick "
		                            "level"
		                          : "target's level is not below the "
		                            "sender's");
	case MEM_BAN:
		/* .1 */
		if (sender_mem != MEM_JOIN)
			return reject(c, MXC_AUTH_BAN_SENDER_NOT_JOINED,
			              "sender is not joined");
		/* .2 */
		if ((rc = user_level(c, &slvl, c->sender, c->sl,
		                     MXC_AUTH_BAN_LEVEL)) != MXC_OK ||
		    (rc = key_level(c, &need, MXC_POWER_BAN,
		                    MXC_AUTH_BAN_LEVEL)) != MXC_OK ||
		    (rc = user_level(c, &tlvl, c->sk, c->skl,
		                     MXC_AUTH_BAN_LEVEL)) != MXC_OK)
			return rc;
		if (slvl >= need && tlvl < slvl)
			return MXC_OK;
		return reject(c, MXC_AUTH_BAN_LEVEL,
		              slvl < need ? "sender's level is below the ban "
		                            "level"
		                          : "target's level is not below the "
		                            "sender's");
	case MEM_KNOCK:
		if (!rv->knocking) /* no knocking before v7: unknown */
			return reject(c, MXC_AUTH_MEMBER_UNKNOWN,
			              "unknown membership");
		{
			const mxc_event *jr_ev =
				get_state(c, T_JR, SL(T_JR), "", 0);
			size_t jl = 0;
			const char *jr =
				jr_ev ? mxc_json_get_string(
						mxc_json_getz(
							mxc_event_content(jr_ev),
							"join_rule"),
						&jl)
				      : NULL;
			/* .1 */
			if (!eqz(jr, jl, "knock") &&
			    !(rv->knock_restricted &&
			      eqz(jr, jl, "knock_restricted")))
				return reject(c, MXC_AUTH_KNOCK_JOIN_RULE,
				              "the join rule does not allow "
				              "knocking");
			/* .2 */
			if (!eq(c->sender, c->sl, c->sk, c->skl))
				return reject(c,
				              MXC_AUTH_KNOCK_SENDER_NOT_TARGET,
				              "sender is not the state_key");
			/* .3 */
			if (sender_mem != MEM_BAN && sender_mem != MEM_INVITE &&
			    sender_mem != MEM_JOIN)
				return MXC_OK;
			return reject(c, MXC_AUTH_KNOCK_MEMBERSHIP,
			              "sender is banned, invited or joined");
		}
	default:
		return reject(c, MXC_AUTH_MEMBER_UNKNOWN,
		              "unknown membership");
	}
}

/* ---- m.room.power_levels ---- */

static const char *const scalar_keys[7] = {
	"users_default", "events_default", "state_default", "ban", "redact",
	"kick", "invite",
};

/* Read a level from the new event (`which` "new") or the current one. */
static int
read_level(ctx *c, int64_t *out, const mxc_json *v, mxc_auth_rule rule,
           const char *which, const char *map, const char *key, size_t kl)
{
	mxc_error pe;
	mxc_error_clear(&pe);
	int rc = mxc_power_level_parse(out, c->rv, v, &pe);
	if (rc == MXC_OK)
		return MXC_OK;
	mxc__err_subject(&pe, "", 0);
	mxc__err_path_key(&pe, key, kl);
	if (map)
		mxc__err_path_key(&pe, map, strlen(map));
	return reject_level(c, rule, which, &pe);
}

static int
map_object(ctx *c, const mxc_json **out, const mxc_json *content,
           const char *name, mxc_auth_rule rule, const char *which)
{
	const mxc_json *m = mxc_json_getz(content, name);
	*out = NULL;
	if (!m)
		return MXC_OK;
	if (mxc_json_get_type(m) != MXC_JSON_OBJECT) {
		int rc = reject(c, rule, "%s: %s is not an object", which, name);
		if (c->err) {
			mxc__err_subject(c->err, "", 0);
			mxc__err_path_key(c->err, name, strlen(name));
		}
		return rc;
	}
	*out = m;
	return MXC_OK;
}

/* For each entry of `from` (current map when checking changed/removed,
 * new map when checking added/changed) that differs in `other`: its
 * value must not exceed the sender's level (or, for users changed or
 * removed, must be below it). */
static int
compare_map(ctx *c, const mxc_json *from, const mxc_json *other,
            const char *name, bool from_is_current, bool users,
            int64_t slvl, mxc_auth_rule rule)
{
	size_t n = mxc_json_size(from);
	const char *which = from_is_current ? "current power levels"
	                                    : "new power levels";
	for (size_t i = 0; i < n; i++) {
		const char *k;
		size_t kl;
		const mxc_json *v = mxc_json_member(from, i, &k, &kl);
		const mxc_json *o = mxc_json_get(other, k, kl);
		int64_t a, b;
		int rc = read_level(c, &a, v, rule, which, name, k, kl);
		if (rc != MXC_OK)
			return rc;
		if (o) {
			rc = read_level(c, &b, o, rule,
			                from_is_current ? "new power levels"
			                                : "current power levels",
			                name, k, kl);
			if (rc != MXC_OK)
				return rc;
			if (a == b)
				continue; /* unchanged */
		}
		if (users && from_is_current && eq(k, kl, c->sender, c->sl))
			continue; /* the sender's own entry (users .6) */
		bool bad = users && from_is_current ? a >= slvl : a > slvl;
		if (bad) {
			rc = reject(c, rule, "%s.%.*s: %s value %lld is %s the "
			            "sender's level", name, (int)(kl > 60 ? 60 : kl),
			            k, from_is_current ? "current" : "new",
			            (long long)a,
			            users && from_is_current ? "not below"
			                                     : "above");
			if (c->err) {
				mxc__err_subject(c->err, "", 0);
				mxc__err_path_key(c->err, k, kl);
				mxc__err_path_key(c->err, name, strlen(name));
			}
			return rc;
		}
	}
	return MXC_OK;
}

static int
check_power_levels(ctx *c)
{
	const mxc_room_version *rv = c->rv;
	/* v10+ .1, .2, .3; v1-9 .1 (users only) */
	mxc_error pe;
	mxc_error_clear(&pe);
	int rc = mxc_power_levels_validate(rv, c->content, &pe);
	if (rc != MXC_OK) {
		mxc_auth_rule rule = pe.reason == 1   ? MXC_AUTH_PL_SCALARS
		                     : pe.reason == 2 ? MXC_AUTH_PL_MAPS
		                                      : MXC_AUTH_PL_USERS;
		return reject_level(c, rule, "new power levels", &pe);
	}
	const mxc_json *users_new = mxc_json_getz(c->content, "users");
	/* v12 .4: creators may not appear in users */
	if (rv->room_creators) {
		for (size_t i = 0; i < mxc_json_size(users_new); i++) {
			const char *k;
			size_t kl;
			mxc_json_member(users_new, i, &k, &kl);
			if (mxc_power_levels_is_creator(&c->pl, k, kl)) {
				rc = reject(c, MXC_AUTH_PL_CREATORS_IN_USERS,
				            "a room creator is in users");
				if (c->err) {
					mxc__err_subject(c->err, "", 0);
					mxc__err_path_key(c->err, k, kl);
					mxc__err_path_key(c->err, "users", 5);
				}
				return rc;
			}
		}
	}
	/* .2 (v10: .4, v12: .5): no previous power levels: allow */
	if (!c->pl_ev)
		return MXC_OK;
	const mxc_json *cur = mxc_event_content(c->pl_ev);
	int64_t slvl;
	if ((rc = user_level(c, &slvl, c->sender, c->sl,
	                     MXC_AUTH_PL_SCALAR_CURRENT)) != MXC_OK)
		return rc;
	/* .3 (v10: .5): scalar levels added, changed or removed */
	for (int i = 0; i < 7; i++) {
		const char *k = scalar_keys[i];
		size_t kl = strlen(k);
		const mxc_json *ov = mxc_json_getz(cur, k);
		const mxc_json *nv = mxc_json_getz(c->content, k);
		int64_t o = 0, n = 0;
		if (!ov && !nv)
			continue;
		if (ov && (rc = read_level(c, &o, ov,
		                           MXC_AUTH_PL_SCALAR_CURRENT,
		                           "current power levels", NULL, k,
		                           kl)) != MXC_OK)
			return rc;
		if (nv && (rc = read_level(c, &n, nv, MXC_AUTH_PL_SCALAR_NEW,
		                           "new power levels", NULL, k, kl)) !=
		                  MXC_OK)
			return rc;
		if (ov && nv && o == n)
			continue;
		if (ov && o > slvl)
			return reject(c, MXC_AUTH_PL_SCALAR_CURRENT,
			              "%s: current value %lld is above the "
			              "sender's level", k, (long long)o);
		if (nv && n > slvl)
			return reject(c, MXC_AUTH_PL_SCALAR_NEW,
			              "%s: new value %lld is above the sender's "
			              "level", k, (long long)n);
	}
	/* .4 / .5: events (v6+: and notifications) */
	static const char *const maps[2] = {"events", "notifications"};
	int nmaps = rv->notifications_power_level ? 2 : 1;
	const mxc_json *om[2], *nm[2];
	for (int i = 0; i < nmaps; i++) {
		if ((rc = map_object(c, &om[i], cur, maps[i],
		                     MXC_AUTH_PL_EVENTS_CURRENT,
		                     "current power levels")) != MXC_OK ||
		    (rc = map_object(c, &nm[i], c->content, maps[i],
		                     MXC_AUTH_PL_EVENTS_NEW,
		                     "new power levels")) != MXC_OK)
			return rc;
	}
	for (int i = 0; i < nmaps; i++)
		if ((rc = compare_map(c, om[i], nm[i], maps[i], true, false,
		                      slvl, MXC_AUTH_PL_EVENTS_CURRENT)) !=
		    MXC_OK)
			return rc;
	for (int i = 0; i < nmaps; i++)
		if ((rc = compare_map(c, nm[i], om[i], maps[i], false, false,
		                      slvl, MXC_AUTH_PL_EVENTS_NEW)) != MXC_OK)
			return rc;
	/* .6 / .7: users */
	const mxc_json *ou, *nu;
	if ((rc = map_object(c, &ou, cur, "users",
	                     MXC_AUTH_PL_USERS_CURRENT,
	                     "current power levels")) != MXC_OK ||
	    (rc = map_object(c, &nu, c->content, "users",
	                     MXC_AUTH_PL_USERS_NEW, "new power levels")) !=
	            MXC_OK)
		return rc;
	if ((rc = compare_map(c, ou, nu, "users", true, true, slvl,
	                      MXC_AUTH_PL_USERS_CURRENT)) != MXC_OK)
		return rc;
	return compare_map(c, nu, ou, "users", false, true, slvl,
	                   MXC_AUTH_PL_USERS_NEW);
}

/* ---- the walk ---- */

int
mxc_auth_check(const mxc_event *ev, const mxc_auth_state *state,
               const mxc_event_key *keys, size_t n_keys, int64_t now_ts,
               unsigned flags, mxc_error *err)
{
	if (!ev || (n_keys && !keys))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "auth: NULL argument");
	ctx cx, *c = &cx;
	memset(c, 0, sizeof *c);
	c->ev = ev;
	c->rv = mxc_event_room_version(ev);
	c->st = state;
	c->err = err;
	c->keys = keys;
	c->n_keys = n_keys;
	c->now_ts = now_ts;
	c->flags = flags;
	c->type = mxc_event_type(ev, &c->tl);
	c->sender = mxc_event_sender(ev, &c->sl);
	c->sk = mxc_event_state_key(ev, &c->skl);
	c->content = mxc_event_content(ev);
	const mxc_room_version *rv = c->rv;
	if (!rv || !c->type || !c->sender ||
	    mxc_json_get_type(c->content) != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_BAD_EVENT,
		                "auth: event lacks type, sender or content");

	/* Rule 1: m.room.create */
	if (eqz(c->type, c->tl, T_CREATE)) {
		if (!c->sk || c->skl != 0)
			return mxc__err(err, MXC_ERR_BAD_EVENT,
			                "m.room.create without an empty "
			                "state_key");
		return check_create(c);
	}

	c->create = get_state(c, T_CREATE, SL(T_CREATE), "", 0);
	/* v12 rule 2: the room ID is the create event's ID with '!' */
	if (rv->room_id_from_create) {
		size_t rl, cl;
		const char *room = mxc_event_room_id(ev, &rl);
		const char *cid = c->create ? mxc_event_id(c->create, &cl) : NULL;
		if (!cid)
			return reject(c, MXC_AUTH_ROOM_ID_NOT_CREATE,
			              "no m.room.create event");
		if (!room || rl != cl || rl < 1 || room[0] != '!' ||
		    cid[0] != '$' || memcmp(room + 1, cid + 1, rl - 1) != 0)
			return reject(c, MXC_AUTH_ROOM_ID_NOT_CREATE,
			              "room_id is not the m.room.create "
			              "event's ID");
	}

	/* Rule 2 (v12: 3): auth events */
	int rc = check_auth_events(c);
	if (rc != MXC_OK)
		return rc;

	const mxc_json *cc = mxc_event_content(c->create);
	size_t csl;
	const char *csender = mxc_event_sender(c->create, &csl);
	c->pl_ev = get_state(c, T_PL, SL(T_PL), "", 0);
	if (c->pl_ev &&
	    mxc_json_get_type(mxc_event_content(c->pl_ev)) != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_BAD_EVENT,
		                "m.room.power_levels content is not an object");
	mxc__power_levels_init(&c->pl, rv,
	                       c->pl_ev ? mxc_event_content(c->pl_ev) : NULL, cc,
	                       csender, csl);

	/* Rule 3 (v12: 4): m.federate */
	const mxc_json *fed = mxc_json_getz(cc, "m.federate");
	if (mxc_json_get_type(fed) == MXC_JSON_FALSE) {
		const char *a, *b;
		size_t al, bl;
		if (!domain_of(c->sender, c->sl, &a, &al) ||
		    !domain_of(csender, csl, &b, &bl) || !eq(a, al, b, bl))
			return reject(c, MXC_AUTH_FEDERATE,
			              "room is not federated and the sender is "
			              "from another server");
	}

	/* Rule 4 (v1-5): m.room.aliases */
	if (rv->special_aliases_rule && eqz(c->type, c->tl, "m.room.aliases")) {
		if (!c->sk)
			return reject(c, MXC_AUTH_ALIASES_NO_STATE_KEY,
			              "m.room.aliases has no state_key");
		const char *d;
		size_t dl;
		if (!domain_of(c->sender, c->sl, &d, &dl) ||
		    !eq(d, dl, c->sk, c->skl))
			return reject(c, MXC_AUTH_ALIASES_DOMAIN,
			              "state_key is not the sender's domain");
		return MXC_OK; /* 4.3 */
	}

	/* Rule 5 (v6-11: 4): m.room.member */
	if (eqz(c->type, c->tl, T_MEMBER))
		return check_member(c);

	/* Rule 6 (v6-11: 5): the sender must be joined */
	if (member_of(c, c->sender, c->sl) != MEM_JOIN)
		return reject(c, MXC_AUTH_SENDER_NOT_JOINED,
		              "sender is not joined");

	int64_t slvl, need;
	/* Rule 7 (v6-11: 6): m.room.third_party_invite */
	if (eqz(c->type, c->tl, T_TPI)) {
		if ((rc = user_level(c, &slvl, c->sender, c->sl,
		                     MXC_AUTH_3PID_INVITE_LEVEL)) != MXC_OK ||
		    (rc = key_level(c, &need, MXC_POWER_INVITE,
		                    MXC_AUTH_3PID_INVITE_LEVEL)) != MXC_OK)
			return rc;
		if (slvl >= need)
			return MXC_OK;
		return reject(c, MXC_AUTH_3PID_INVITE_LEVEL,
		              "sender's level is below the invite level");
	}

	/* Rule 8 (v6-11: 7): the event type's required power level */
	if ((rc = user_level(c, &slvl, c->sender, c->sl,
	                     MXC_AUTH_EVENT_LEVEL)) != MXC_OK)
		return rc;
	{
		mxc_error pe;
		mxc_error_clear(&pe);
		rc = mxc_power_levels_event(&need, &c->pl, c->type, c->tl,
		                            c->sk != NULL, &pe);
		if (rc != MXC_OK)
			return reject_level(c, MXC_AUTH_EVENT_LEVEL,
			                    "power levels in state", &pe);
	}
	if (need > slvl)
		return reject(c, MXC_AUTH_EVENT_LEVEL,
		              "sender's level %lld is below the %lld this "
		              "event needs", (long long)slvl, (long long)need);

	/* Rule 9 (v6-11: 8): state keys naming another user */
	if (c->sk && c->skl > 0 && c->sk[0] == '@' &&
	    !eq(c->sk, c->skl, c->sender, c->sl))
		return reject(c, MXC_AUTH_STATE_KEY_USER,
		              "state_key starts with '@' and is not the "
		              "sender");

	/* Rule 10 (v6-11: 9): m.room.power_levels */
	if (eqz(c->type, c->tl, T_PL))
		return check_power_levels(c);

	/* Rule 11 (v1-2): m.room.redaction */
	if (rv->redaction_auth_rule && eqz(c->type, c->tl, "m.room.redaction")) {
		/* The rule reads `redacts`: a v1/v2 redaction without an event
		 * ID there is not a valid PDU (pdu_v1: redacts). */
		size_t rl0;
		const char *r0 = mxc_event_redacts(ev, &rl0);
		if (!r0 || rl0 < 2 || r0[0] != '$')
			return mxc__err(err, MXC_ERR_BAD_EVENT,
			                "m.room.redaction without an event ID in "
			                "redacts");
		if ((rc = key_level(c, &need, MXC_POWER_REDACT,
		                    MXC_AUTH_REDACTION)) != MXC_OK)
			return rc;
		if (slvl >= need)
			return MXC_OK; /* 11.1 */
		size_t rl, il, rdl, idl;
		const char *r = mxc_event_redacts(ev, &rl), *rd, *idd;
		const char *id = mxc_event_id(ev, &il);
		if (r && id && domain_of(r, rl, &rd, &rdl) &&
		    domain_of(id, il, &idd, &idl) && eq(rd, rdl, idd, idl))
			return MXC_OK; /* 11.2 */
		return reject(c, MXC_AUTH_REDACTION,
		              "sender's level is below the redact level and "
		              "the redacted event is from another server");
	}

	return MXC_OK; /* otherwise, allow */
}
