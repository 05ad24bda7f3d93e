/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power levels: reading m.room.power_levels values as each room version
 * allows (integers; strings in v1 to v9; floats in v1 to v5), the spec's
 * defaults, v12 room creators, and the questions built on them. See
 * include/matrix-core/power_levels.h for the rules and the choices made.
 * Also the user ID grammar the auth rules apply (appendices: User
 * Identifiers, Historical User IDs, Server Name).
 */
#include <math.h>

#include "internal.h"

int64_t
mxc_power_level_infinite(void)
{
	return MXC_POWER_LEVEL_INFINITE;
}

/* ---- user IDs --------------------------------------------------------- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}


bool
mxc__user_id_domain(const char *id, size_t len, const char **dom,
                    size_t *dom_len)
{
	const char *colon = id ? memchr(id, ':', len) : NULL;
	if (!colon)
		return false;
	*dom = colon + 1;
	*dom_len = len - (size_t)(colon + 1 - id);
	return true;
}

bool
mxc__auth_user_id_valid(const char *id, size_t len)
{
	/* appendices: User Identifiers, at most 255 bytes; the localpart may
	 * hold any code point but ':' and NUL (Historical User IDs), and
	 * may be empty. */
	if (!id || len < 3 || len > 255 || id[0] != '@')
		return false;
	if (memchr(id, '\0', len))
		return false;
	const char *dom;
	size_t dl;
	if (!mxc__user_id_domain(id, len, &dom, &dl))
		return false;
	return mxc__server_name_valid(dom, dl);
}

/* ---- values ----------------------------------------------------------- */

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* rooms/v1, "m.room.power_levels events accept values as strings": a
 * base 10 integer, leading zeroes allowed, one optional sign, any leading
 * and trailing white space. */
static int
parse_string_level(int64_t *out, const char *s, size_t n, mxc_error *err)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	while (n > i && is_space(s[n - 1]))
		n--;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	if (i == n)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power level string is not an integer");
	uint64_t v = 0;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return mxc__err(err, MXC_ERR_JSON_TYPE,
			                "power level string is not an integer");
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
			                "power level outside 64 bits");
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
			                "power level outside 64 bits");
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
			                "power level outside 64 bits");
		*out = (int64_t)v;
	}
	return MXC_OK;
}

int
mxc_power_level_parse(int64_t *out, const mxc_room_version *rv,
                      const mxc_json *v, mxc_error *err)
{
	if (!out || !rv || !v)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power level: NULL argument");
	switch (mxc_json_get_type(v)) {
	case MXC_JSON_NUMBER:
		if (mxc_json_is_integer(v)) {
			int rc = mxc_json_get_int(out, v);
			if (rc != MXC_OK)
				return mxc__err(err, rc,
				                "power level outside 64 bits");
			return MXC_OK;
		}
		if (rv->float_power_levels) {
			/* rooms/v1, "... accept values as floats": apply the
			 * exponent, then truncate at the decimal point. */
			double d;
			int rc = mxc_json_get_double(&d, v);
			if (rc != MXC_OK || !isfinite(d))
				return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
				                "power level outside the range "
				                "of a double");
			d = trunc(d);
			if (!(d >= -9223372036854775808.0 &&
			      d < 9223372036854775808.0))
				return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
				                "power level outside 64 bits");
			*out = (int64_t)d;
			return MXC_OK;
		}
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power level is not an integer (room version "
		                "%s)", rv->id);
	case MXC_JSON_STRING:
		if (rv->string_power_levels) {
			size_t n;
			const char *s = mxc_json_get_string(v, &n);
			return parse_string_level(out, s, n, err);
		}
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power level is a string (room version %s "
		                "requires integers)", rv->id);
	default:
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power level is not an integer");
	}
}

/* ---- views ------------------------------------------------------------ */

static const char *const key_names[8] = {
	"ban", "kick", "invite", "redact", "events_default", "state_default",
	"users_default", "room",
};
/* Definitions (server-server API) and m.room.power_levels defaults. */
static const int64_t key_defaults[8] = {50, 50, 0, 50, 0, 50, 0, 50};

static const mxc_json *
object_member(const mxc_json *obj, const char *key)
{
	const mxc_json *v = mxc_json_getz(obj, key);
	return v;
}

void
mxc__power_levels_init(struct mxc_power_levels *pl,
                       const mxc_room_version *rv, const mxc_json *content,
                       const mxc_json *create_content,
                       const char *create_sender, size_t sender_len)
{
	memset(pl, 0, sizeof *pl);
	pl->rv = rv;
	pl->content = content;
	pl->create_content = create_content;
	pl->create_sender = create_sender;
	pl->create_sender_len = create_sender ? sender_len : 0;
	if (rv->creator_from_sender) {
		/* rooms/v11: the creator is the create event's sender. */
		pl->creator = create_sender;
		pl->creator_len = pl->create_sender_len;
	} else {
		const mxc_json *c = mxc_json_getz(create_content, "creator");
		pl->creator = mxc_json_get_string(c, &pl->creator_len);
	}
	if (rv->room_creators) {
		const mxc_json *a =
			mxc_json_getz(create_content, "additional_creators");
		if (mxc_json_get_type(a) == MXC_JSON_ARRAY)
			pl->additional_creators = a;
	}
	if (content) {
		pl->users = object_member(content, "users");
		pl->events = object_member(content, "events");
		pl->notifications = object_member(content, "notifications");
	}
	for (int k = 0; k < 8; k++) {
		pl->lvl[k] = key_defaults[k];
		pl->st[k] = MXC_OK;
		if (!content)
			continue;
		const mxc_json *v;
		if (k == MXC_POWER_NOTIFICATIONS_ROOM) {
			if (!pl->notifications)
				continue;
			if (mxc_json_get_type(pl->notifications) !=
			    MXC_JSON_OBJECT) {
				pl->st[k] = MXC_ERR_JSON_TYPE;
				continue;
			}
			v = mxc_json_getz(pl->notifications, "room");
		} else {
			v = mxc_json_getz(content, key_names[k]);
		}
		if (!v)
			continue;
		pl->st[k] = mxc_power_level_parse(&pl->lvl[k], rv, v, NULL);
	}
}

int
mxc_power_levels_new(mxc_power_levels **out, const mxc_room_version *rv,
                     const mxc_json *content, const mxc_json *create_content,
                     const char *create_sender, size_t create_sender_len,
                     const mxc_allocator *alloc, mxc_error *err)
{
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: NULL argument");
	*out = NULL;
	if (content && mxc_json_get_type(content) != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power levels content is not an object");
	if (!create_sender)
		create_sender_len = 0;
	if (create_sender_len > SIZE_MAX - sizeof(struct mxc_power_levels) - 1)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: create sender too long");
	const mxc_allocator *a = mxc__alloc_or_default(alloc);
	/* the sender is copied behind the struct: the caller's string need
	 * not outlive the view (the JSON values must) */
	struct mxc_power_levels *pl =
		mxc__malloc(a, sizeof *pl + create_sender_len + 1);
	if (!pl)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	char *sender_copy = NULL;
	if (create_sender) {
		sender_copy = (char *)(pl + 1);
		if (create_sender_len)
			memcpy(sender_copy, create_sender, create_sender_len);
		sender_copy[create_sender_len] = '\0';
	}
	mxc__power_levels_init(pl, rv, content, create_content, sender_copy,
	                       create_sender_len);
	pl->alloc = *a;
	*out = pl;
	return MXC_OK;
}

void
mxc_power_levels_free(mxc_power_levels *pl)
{
	if (!pl)
		return;
	mxc_allocator a = pl->alloc;
	mxc__free(&a, pl);
}

int
mxc_power_levels_get(int64_t *out, const mxc_power_levels *pl,
                     mxc_power_key key, mxc_error *err)
{
	if (!out || !pl || (int)key < 0 || (int)key > 7)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: bad argument");
	if (pl->st[key] != MXC_OK) {
		mxc__err(err, pl->st[key], "power levels: %s%s is not a valid "
		         "power level for room version %s",
		         key == MXC_POWER_NOTIFICATIONS_ROOM ? "notifications."
		                                             : "",
		         key_names[key], pl->rv->id);
		mxc__err_subject(err, "", 0);
		mxc__err_path_key(err, key_names[key], strlen(key_names[key]));
		if (key == MXC_POWER_NOTIFICATIONS_ROOM)
			mxc__err_path_key(err, "notifications", 13);
		return pl->st[key];
	}
	*out = pl->lvl[key];
	return MXC_OK;
}

static bool
bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

int
mxc_power_levels_is_creator(const mxc_power_levels *pl, const char *user,
                            size_t len)
{
	if (!pl || !user || !pl->rv->room_creators)
		return 0;
	/* rooms/v12: the create event's sender and `additional_creators`. */
	if (pl->create_sender &&
	    bytes_eq(user, len, pl->create_sender, pl->create_sender_len))
		return 1;
	size_t n = mxc_json_size(pl->additional_creators);
	for (size_t i = 0; i < n; i++) {
		size_t sl;
		const char *s = mxc_json_get_string(
			mxc_json_at(pl->additional_creators, i), &sl);
		if (s && bytes_eq(user, len, s, sl))
			return 1;
	}
	return 0;
}

/* A level from a map (`users`, `events`), with its JSON path on error. */
static int
map_level(int64_t *out, bool *found, const struct mxc_power_levels *pl,
          const mxc_json *map, const char *map_name, const char *key,
          size_t len, mxc_error *err)
{
	*found = false;
	if (!map)
		return MXC_OK;
	if (mxc_json_get_type(map) != MXC_JSON_OBJECT) {
		mxc__err(err, MXC_ERR_JSON_TYPE,
		         "power levels: %s is not an object", map_name);
		mxc__err_subject(err, "", 0);
		mxc__err_path_key(err, map_name, strlen(map_name));
		return MXC_ERR_JSON_TYPE;
	}
	const mxc_json *v = mxc_json_get(map, key, len);
	if (!v)
		return MXC_OK;
	int rc = mxc_power_level_parse(out, pl->rv, v, err);
	if (rc != MXC_OK) {
		mxc__err_subject(err, "", 0);
		mxc__err_path_key(err, key, len);
		mxc__err_path_key(err, map_name, strlen(map_name));
		return rc;
	}
	*found = true;
	return MXC_OK;
}

int
mxc_power_levels_user(int64_t *out, const mxc_power_levels *pl,
                      const char *user, size_t len, mxc_error *err)
{
	if (!out || !pl || !user)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: NULL argument");
	if (mxc_power_levels_is_creator(pl, user, len)) {
		*out = MXC_POWER_LEVEL_INFINITE;
		return MXC_OK;
	}
	if (!pl->content) {
		/* No power levels event: the creator has 100 (v1 to v11;
		 * v12 creators were answered above), everyone else 0. */
		*out = (!pl->rv->room_creators && pl->creator &&
		        bytes_eq(user, len, pl->creator, pl->creator_len))
		               ? 100
		               : 0;
		return MXC_OK;
	}
	bool found;
	int rc = map_level(out, &found, pl, pl->users, "users", user, len, err);
	if (rc != MXC_OK || found)
		return rc;
	return mxc_power_levels_get(out, pl, MXC_POWER_USERS_DEFAULT, err);
}

int
mxc_power_levels_event(int64_t *out, const mxc_power_levels *pl,
                       const char *type, size_t type_len, int is_state,
                       mxc_error *err)
{
	if (!out || !pl || !type)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: NULL argument");
	bool found;
	int rc = map_level(out, &found, pl, pl->events, "events", type,
	                   type_len, err);
	if (rc != MXC_OK || found)
		return rc;
	return mxc_power_levels_get(out, pl,
	                            is_state ? MXC_POWER_STATE_DEFAULT
	                                     : MXC_POWER_EVENTS_DEFAULT,
	                            err);
}

int
mxc_power_levels_may(int *out, const mxc_power_levels *pl,
                     mxc_power_action action, const char *user,
                     size_t user_len, const char *target, size_t target_len,
                     mxc_error *err)
{
	if (!out || !pl || !user)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: NULL argument");
	int64_t mine, need, theirs = 0;
	int rc = mxc_power_levels_user(&mine, pl, user, user_len, err);
	if (rc != MXC_OK)
		return rc;
	switch (action) {
	case MXC_POWER_MAY_BAN:
	case MXC_POWER_MAY_KICK:
		if (!target)
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "power levels: ban/kick need a target");
		rc = mxc_power_levels_get(&need, pl,
		                          action == MXC_POWER_MAY_BAN
		                                  ? MXC_POWER_BAN
		                                  : MXC_POWER_KICK,
		                          err);
		if (rc == MXC_OK)
			rc = mxc_power_levels_user(&theirs, pl, target,
			                           target_len, err);
		if (rc != MXC_OK)
			return rc;
		*out = mine >= need && theirs < mine;
		return MXC_OK;
	case MXC_POWER_MAY_INVITE:
		rc = mxc_power_levels_get(&need, pl, MXC_POWER_INVITE, err);
		break;
	case MXC_POWER_MAY_REDACT:
		rc = mxc_power_levels_get(&need, pl, MXC_POWER_REDACT, err);
		break;
	case MXC_POWER_MAY_CHANGE_LEVELS:
		rc = mxc_power_levels_event(&need, pl, "m.room.power_levels",
		                            19, 1, err);
		break;
	default:
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: unknown action %d", (int)action);
	}
	if (rc != MXC_OK)
		return rc;
	*out = mine >= need;
	return MXC_OK;
}

/* ---- validation (auth rules on a new m.room.power_levels event) ------- */

static int
fail_at(mxc_error *err, int reason, int rc, const char *key, size_t kl,
        const char *map)
{
	if (err) {
		err->reason = reason;
		mxc__err_subject(err, "", 0);
		if (key)
			mxc__err_path_key(err, key, kl);
		if (map)
			mxc__err_path_key(err, map, strlen(map));
	}
	return rc;
}

static int
validate_map(const mxc_room_version *rv, const mxc_json *map,
             const char *name, bool user_keys, int reason, mxc_error *err)
{
	if (mxc_json_get_type(map) != MXC_JSON_OBJECT) {
		mxc__err(err, MXC_ERR_JSON_TYPE, "%s is not an object", name);
		return fail_at(err, reason, MXC_ERR_JSON_TYPE, name,
		               strlen(name), NULL);
	}
	size_t n = mxc_json_size(map);
	for (size_t i = 0; i < n; i++) {
		const char *k;
		size_t kl;
		const mxc_json *v = mxc_json_member(map, i, &k, &kl);
		if (user_keys && !mxc__auth_user_id_valid(k, kl)) {
			mxc__err(err, MXC_ERR_BAD_IDENTIFIER,
			         "%s: key is not a valid user ID", name);
			return fail_at(err, reason, MXC_ERR_BAD_IDENTIFIER, k,
			               kl, name);
		}
		int64_t lvl;
		int rc = mxc_power_level_parse(&lvl, rv, v, err);
		if (rc != MXC_OK)
			return fail_at(err, reason, rc, k, kl, name);
	}
	return MXC_OK;
}

int
mxc_power_levels_validate(const mxc_room_version *rv, const mxc_json *content,
                          mxc_error *err)
{
	if (!rv || !content)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "power levels: NULL argument");
	if (mxc_json_get_type(content) != MXC_JSON_OBJECT)
		return mxc__err(err, MXC_ERR_JSON_TYPE,
		                "power levels content is not an object");
	if (rv->integer_power_levels) {
		/* v10 rule 9.1: the scalar levels are integers if present. */
		for (int k = 0; k < 7; k++) {
			const mxc_json *v = mxc_json_getz(content, key_names[k]);
			int64_t lvl;
			if (!v)
				continue;
			int rc = mxc_power_level_parse(&lvl, rv, v, err);
			if (rc != MXC_OK)
				return fail_at(err, 1, rc, key_names[k],
				               strlen(key_names[k]), NULL);
		}
		/* v10 rule 9.2: `events`, `notifications` objects of
		 * integers if present. */
		static const char *const maps[2] = {"events", "notifications"};
		for (int m = 0; m < 2; m++) {
			const mxc_json *v = mxc_json_getz(content, maps[m]);
			if (!v)
				continue;
			int rc = validate_map(rv, v, maps[m], false, 2, err);
			if (rc != MXC_OK)
				return rc;
		}
	}
	/* v1 rule 10.1 / v10 rule 9.3: `users` (when present) an object of
	 * valid user IDs to levels. An absent `users` is not "an object
	 * with keys that are not valid": nothing to reject. */
	const mxc_json *users = mxc_json_getz(content, "users");
	if (users)
		return validate_map(rv, users, "users", true, 3, err);
	return MXC_OK;
}
