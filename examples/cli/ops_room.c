/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Batch ops on a room's events: auth_types, auth and resolve. Events here
 * may carry an `event_id` label in any room version (DESIGN.md: hand-written
 * scenarios), and only the fields the auth rules and state resolution read
 * are checked: they are parsed with MXC_EVENT_PARSE_LABELLED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static mxc_event *
parse_labelled(const mxc_json *pdu, const mxc_room_version *rv,
               const char *what, cli_reply *r)
{
	if (mxc_json_get_type(pdu) != MXC_JSON_OBJECT) {
		reply_fail(r, "bad_request", "%s must be an object", what);
		return NULL;
	}
	mxc_event *ev = NULL;
	mxc_error err;
	int rc = mxc_event_from_json(&ev, rv, pdu, MXC_EVENT_PARSE_LABELLED, NULL,
	                             &err);
	if (rc) {
		reply_status(r, rc, &err, what);
		return NULL;
	}
	return ev;
}

int
op_auth_types(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *pdu =
		rv ? req_field(req, "event", MXC_JSON_OBJECT, true, r) : NULL;
	mxc_event *ev = pdu ? parse_labelled(pdu, rv, "event", r) : NULL;
	if (!ev)
		return -1;
	mxc_auth_type types[MXC_AUTH_TYPES_MAX];
	size_t n = 0;
	mxc_error err;
	int rc = mxc_auth_types(types, sizeof types / sizeof types[0], &n, ev,
	                        &err);
	if (rc == MXC_OK) {
		sb_adds(&r->result, "[");
		for (size_t i = 0; i < n; i++) {
			sb_adds(&r->result, i ? ",[" : "[");
			sb_json_str(&r->result, types[i].type, types[i].type_len);
			sb_adds(&r->result, ",");
			sb_json_str(&r->result, types[i].state_key,
			            types[i].state_key_len);
			sb_adds(&r->result, "]");
		}
		sb_adds(&r->result, "]");
	}
	mxc_event_free(ev);
	return rc ? reply_status(r, rc, &err, "event") : 0;
}

/* need_input for a key: name the key IDs the event's signatures use for
 * that server, in the shape of check_pdu's "missing". */
static void
missing_keys(cli_reply *r, const mxc_event *ev, const char *server)
{
	sb *x = &r->error_extra;
	sb_adds(x, "\"missing\":{\"events\":[],\"keys\":[");
	const mxc_json *sigs =
		mxc_json_getz(mxc_event_signatures(ev), server);
	size_t n = mxc_json_size(sigs);
	for (size_t i = 0; i < n; i++) {
		const char *kid;
		size_t kl;
		mxc_json_member(sigs, i, &kid, &kl);
		sb_adds(x, i ? ",[" : "[");
		sb_json_str(x, server, strlen(server));
		sb_adds(x, ",");
		sb_json_str(x, kid, kl);
		sb_adds(x, "]");
	}
	sb_adds(x, "]}");
}

int
op_auth(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *pdu =
		rv ? req_field(req, "event", MXC_JSON_OBJECT, true, r) : NULL;
	const mxc_json *state =
		pdu ? req_field(req, "state", MXC_JSON_ARRAY, true, r) : NULL;
	if (!state)
		return -1;
	int64_t now = MXC_TS_NONE;
	if (req_int(req, "now_ts", &now, r) < 0)
		return -1;
	if (mxc_json_getz(req, "keys") &&
	    !req_field(req, "keys", MXC_JSON_OBJECT, true, r))
		return -1;
	int ret = -1;
	cli_keys keys = {0};
	size_t n = mxc_json_size(state);
	mxc_event **evs = calloc(n ? n : 1, sizeof *evs);
	mxc_event *ev = NULL;
	mxc_auth_state *st = NULL;
	for (size_t i = 0; i < n; i++) {
		char what[48];
		snprintf(what, sizeof what, "state[%zu]", i);
		if (!(evs[i] = parse_labelled(mxc_json_at(state, i), rv, what, r)))
			goto out;
	}
	if (!(ev = parse_labelled(pdu, rv, "event", r)))
		goto out;
	if (req_keys(req, &keys, r))
		goto out;
	mxc_error err;
	int rc = mxc_auth_state_new(&st, (const mxc_event *const *)evs, n, NULL,
	                            &err);
	if (rc) {
		reply_status(r, rc, &err, "state");
		goto out;
	}
	rc = mxc_auth_check(ev, st, keys.keys, keys.n, now, 0, &err);
	if (rc == MXC_OK) {
		sb_adds(&r->result, "{\"allowed\":true}");
		ret = 0;
	} else if (rc == MXC_ERR_AUTH_REJECTED) {
		sb_adds(&r->result, "{\"allowed\":false,\"reason\":");
		sb_json_str(&r->result, err.message, strlen(err.message));
		sb_adds(&r->result, "}");
		ret = 0;
	} else {
		reply_status(r, rc, &err, "auth");
		if (rc == MXC_ERR_NEED_INPUT)
			missing_keys(r, ev, err.subject);
	}
out:
	mxc_auth_state_free(st);
	mxc_event_free(ev);
	for (size_t i = 0; i < n; i++)
		mxc_event_free(evs[i]);
	free(evs);
	cli_keys_free(&keys);
	return ret;
}

int
op_resolve(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *sets =
		rv ? req_field(req, "state_sets", MXC_JSON_ARRAY, true, r) : NULL;
	const mxc_json *events =
		sets ? req_field(req, "events", MXC_JSON_ARRAY, true, r) : NULL;
	if (!events)
		return -1;
	const mxc_json *rejected = NULL;
	if (mxc_json_getz(req, "rejected") &&
	    !(rejected = req_field(req, "rejected", MXC_JSON_ARRAY, true, r)))
		return -1;
	/* the state sets, flattened */
	size_t n_sets = mxc_json_size(sets), total = 0;
	for (size_t i = 0; i < n_sets; i++) {
		const mxc_json *s = mxc_json_at(sets, i);
		if (mxc_json_get_type(s) != MXC_JSON_ARRAY)
			return reply_fail(r, "bad_request", "state_sets[%zu] must "
			                  "be a list of event IDs", i);
		for (size_t j = 0; j < mxc_json_size(s); j++)
			if (mxc_json_get_type(mxc_json_at(s, j)) != MXC_JSON_STRING)
				return reply_fail(r, "bad_request",
				                  "state_sets[%zu][%zu] must be an "
				                  "event ID", i, j);
		total += mxc_json_size(s);
	}
	for (size_t i = 0; i < mxc_json_size(rejected); i++)
		if (mxc_json_get_type(mxc_json_at(rejected, i)) != MXC_JSON_STRING)
			return reply_fail(r, "bad_request", "rejected[%zu] must be "
			                  "an event ID", i);
	const char **ids = calloc(total ? total : 1, sizeof *ids);
	size_t *lens = calloc(total ? total : 1, sizeof *lens);
	size_t *sizes = calloc(n_sets ? n_sets : 1, sizeof *sizes);
	size_t k = 0;
	for (size_t i = 0; i < n_sets; i++) {
		const mxc_json *s = mxc_json_at(sets, i);
		sizes[i] = mxc_json_size(s);
		for (size_t j = 0; j < sizes[i]; j++, k++)
			ids[k] = mxc_json_get_string(mxc_json_at(s, j), &lens[k]);
	}
	int ret = -1;
	mxc_ctx *ctx = NULL;
	mxc_state *out = NULL;
	mxc_error err;
	int rc = mxc_ctx_new(&ctx, rv, MXC_EVENT_PARSE_LABELLED, NULL, &err);
	if (rc) {
		reply_status(r, rc, &err, "resolve");
		goto done;
	}
	for (size_t i = 0; i < mxc_json_size(events); i++) {
		char what[48];
		snprintf(what, sizeof what, "events[%zu]", i);
		mxc_event *ev = parse_labelled(mxc_json_at(events, i), rv, what, r);
		if (!ev)
			goto done;
		if ((rc = mxc_ctx_adopt_event(ctx, ev, &err))) {
			reply_status(r, rc, &err, what);
			goto done;
		}
	}
	for (size_t i = 0; i < mxc_json_size(rejected); i++) {
		size_t len;
		const char *id = mxc_json_get_string(mxc_json_at(rejected, i), &len);
		if ((rc = mxc_ctx_set_rejected(ctx, id, len, &err))) {
			reply_status(r, rc, &err, "rejected");
			goto done;
		}
	}
	rc = mxc_state_resolve(&out, ctx, rv, ids, lens, sizes, n_sets, 0, &err);
	if (rc) {
		reply_status(r, rc, &err, "resolve");
		if (rc == MXC_ERR_NEED_INPUT || rc == MXC_ERR_MISSING_EVENT) {
			sb *x = &r->error_extra;
			sb_adds(x, "\"missing\":{\"events\":[");
			for (size_t i = 0; i < mxc_ctx_missing_count(ctx); i++) {
				size_t len;
				const char *id = mxc_ctx_missing(ctx, i, &len);
				if (i)
					sb_adds(x, ",");
				sb_json_str(x, id, len);
			}
			sb_adds(x, "],\"keys\":[]}");
		}
		goto done;
	}
	/* {"state": {type: {state_key: event_id}}}, entries in (type,
	 * state_key) order, so one object per run of a type */
	sb_adds(&r->result, "{\"state\":{");
	const char *prev_type = NULL;
	size_t prev_len = 0;
	for (size_t i = 0; i < mxc_state_size(out); i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(out, i, &t, &tl, &sk, &skl, &id, &idl);
		if (!prev_type || tl != prev_len || memcmp(t, prev_type, tl)) {
			if (prev_type)
				sb_adds(&r->result, "},");
			sb_json_str(&r->result, t, tl);
			sb_adds(&r->result, ":{");
			prev_type = t;
			prev_len = tl;
		} else {
			sb_adds(&r->result, ",");
		}
		sb_json_str(&r->result, sk, skl);
		sb_adds(&r->result, ":");
		sb_json_str(&r->result, id, idl);
	}
	if (prev_type)
		sb_adds(&r->result, "}");
	sb_adds(&r->result, "}}");
	ret = 0;
done:
	mxc_state_free(out);
	mxc_ctx_free(ctx);
	free(ids);
	free(lens);
	free(sizes);
	return ret;
}
