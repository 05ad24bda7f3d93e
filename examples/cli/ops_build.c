/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building new events: the batch op build_event (DESIGN.md) and the human
 * subcommand `mxc build-event`, which reads the same request from a file.
 * The events handed in are PDUs as the host stored them (parsed strictly
 * for the room version); current_state and forward_extremities name them
 * by event ID. For room versions 1 and 2, whose event IDs are not hashes,
 * the request also carries `opaque_id`, the ID's opaque part (the library
 * draws no random numbers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Look up each ID of a list field among the context's events; NULL with
 * the reply set when an entry is not an event ID or not among them. */
static const mxc_event **
lookup_ids(const mxc_ctx *ctx, const mxc_json *list, const char *field,
           cli_reply *r)
{
	size_t n = mxc_json_size(list);
	const mxc_event **evs = calloc(n ? n : 1, sizeof *evs);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *id = mxc_json_get_string(mxc_json_at(list, i), &len);
		if (!id) {
			reply_fail(r, "bad_request", "%s[%zu] must be an event ID",
			           field, i);
			free(evs);
			return NULL;
		}
		if (!(evs[i] = mxc_ctx_get_event(ctx, id, len))) {
			reply_fail(r, "bad_request", "%s[%zu]: %.*s is not among "
			           "events", field, i, (int)(len > 200 ? 200 : len),
			           id);
			free(evs);
			return NULL;
		}
	}
	return evs;
}

int
op_build_event(const mxc_json *req, cli_reply *r)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *proto =
		rv ? req_field(req, "event", MXC_JSON_OBJECT, true, r) : NULL;
	const mxc_json *events =
		proto ? req_field(req, "events", MXC_JSON_ARRAY, true, r) : NULL;
	const mxc_json *cur = events ? req_field(req, "current_state",
	                                         MXC_JSON_ARRAY, true, r)
	                             : NULL;
	const mxc_json *fx = cur ? req_field(req, "forward_extremities",
	                                     MXC_JSON_ARRAY, true, r)
	                         : NULL;
	if (!fx)
		return -1;
	int64_t ts = 0;
	int have_ts = req_int(req, "origin_server_ts", &ts, r);
	if (have_ts < 0)
		return -1;
	if (have_ts == 0)
		return reply_fail(r, "bad_request", "missing field "
		                  "origin_server_ts");
	size_t sn;
	const char *server = req_string(req, "server_name", &sn, true, r);
	if (!server)
		return -1;
	if (strlen(server) != sn)
		return reply_fail(r, "bad_request", "server_name contains NUL");
	size_t on = 0;
	const char *opaque = req_string(req, "opaque_id", &on, false, r);
	if (r->code)
		return -1;
	if (opaque && strlen(opaque) != on)
		return reply_fail(r, "bad_request", "opaque_id contains NUL");
	mxc_signing_key *key = req_signing_key(req, r);
	if (!key)
		return -1;

	int ret = -1;
	mxc_ctx *ctx = NULL;
	mxc_auth_state *st = NULL;
	mxc_event *ev = NULL;
	const mxc_event **state = NULL, **ext = NULL;
	mxc_error err;
	int rc = mxc_ctx_new(&ctx, rv, 0, NULL, &err);
	if (rc) {
		reply_status(r, rc, &err, "build_event");
		goto out;
	}
	for (size_t i = 0; i < mxc_json_size(events); i++) {
		char what[48];
		snprintf(what, sizeof what, "events[%zu]", i);
		const mxc_json *e = mxc_json_at(events, i);
		if (mxc_json_get_type(e) != MXC_JSON_OBJECT) {
			reply_fail(r, "bad_request", "%s must be an object", what);
			goto out;
		}
		mxc_event *pe = NULL;
		if ((rc = mxc_event_from_json(&pe, rv, e, 0, NULL, &err)) ||
		    (rc = mxc_ctx_adopt_event(ctx, pe, &err))) {
			reply_status(r, rc, &err, what);
			goto out;
		}
	}
	if (!(state = lookup_ids(ctx, cur, "current_state", r)) ||
	    !(ext = lookup_ids(ctx, fx, "forward_extremities", r)))
		goto out;
	if ((rc = mxc_auth_state_new(&st, state, mxc_json_size(cur), NULL,
	                             &err))) {
		reply_status(r, rc, &err, "current_state");
		goto out;
	}
	rc = mxc_build_event(&ev, rv, proto, st, ext, mxc_json_size(fx), ts,
	                     server, key, opaque, NULL, &err);
	if (rc) {
		reply_status(r, rc, &err, "build_event");
		goto out;
	}
	size_t idn;
	const char *id = mxc_event_id(ev, &idn);
	sb_adds(&r->result, "{\"event\":");
	if ((rc = sb_json_value(&r->result, mxc_event_json(ev), &err))) {
		reply_status(r, rc, &err, "build_event");
		goto out;
	}
	sb_adds(&r->result, ",\"event_id\":");
	sb_json_str(&r->result, id, idn);
	sb_adds(&r->result, "}");
	ret = 0;
out:
	mxc_event_free(ev);
	mxc_auth_state_free(st);
	free(state);
	free(ext);
	mxc_ctx_free(ctx);
	mxc_signing_key_free(key);
	return ret;
}

int
cmd_build_event(int argc, char **argv)
{
	mxc_json *req = cli_read_request(argc, argv, "build-event");
	if (!req)
		return 2;
	cli_reply r = {0};
	int status = 0;
	if (op_build_event(req, &r) == 0) {
		fwrite(r.result.p, 1, r.result.n, stdout);
		putchar('\n');
	} else {
		fprintf(stderr, "mxc: build-event: %s: %s\n", r.code, r.message);
		status = r.code && strcmp(r.code, "auth_rejected") == 0 ? 1 : 2;
	}
	cli_reply_free(&r);
	mxc_json_free(req);
	return status;
}
