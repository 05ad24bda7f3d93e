/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks on receipt of a PDU: the batch op check_pdu (DESIGN.md,
 * "Receiving and creating events") and the human subcommand
 * `mxc check-pdu FILE`, which reads the same request from a file.
 *
 * The op is a host that has everything at hand or nothing more: the
 * events it already has (real PDUs, parsed strictly for the room version),
 * the rejected ones among them, the state after some of them (served
 * through the options' get_state_after; the library derives the rest),
 * the room's current state, and the key documents it fetched. It has no
 * transport, so whatever else the checks need (an event, a server key)
 * ends the call with need_input and the list of what is missing, for the
 * harness to fetch and ask again.
 *
 * Choices:
 *  - A document in `server_keys` that fails validation (bad signature,
 *    malformed, a key ID already held with another key) is ignored, not an
 *    error: the server-server API has a server ignore keys it cannot
 *    validate. An event whose key only such a document held then lacks
 *    its key, and the answer is need_input naming it. A member of
 *    `server_keys` that is not a JSON object is a malformed request
 *    (bad_request).
 *  - An empty `current_state` means the host has no current state for the
 *    room (e.g. it is joining): the checks against it (steps 6 and 7) are
 *    skipped, as mxc_pdu_check does without a current state.
 *  - `state_after` in the result is null when the library has none: the
 *    event was dropped, or its history was too malformed to compute the
 *    state before it.
 *  - The PDU is handed to the library with its numbers' text as received
 *    (not re-encoded canonically), so that the checks see what was sent:
 *    for room versions 1 to 5 a float keeps its lexeme for the hash and
 *    signature checks, and from version 6 a number outside canonical JSON
 *    makes the event invalid (dropped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matrix-core/keyring.h>
#include <matrix-core/pdu.h>

#include "cli.h"

/* A value as JSON text, numbers as their text in the request (requests
 * are parsed with lenient numbers, which keeps each lexeme). */
static void
sb_json_raw(sb *s, const mxc_json *v)
{
	size_t n, len;
	const char *p;
	switch (mxc_json_get_type(v)) {
	case MXC_JSON_NULL: sb_adds(s, "null"); return;
	case MXC_JSON_FALSE: sb_adds(s, "false"); return;
	case MXC_JSON_TRUE: sb_adds(s, "true"); return;
	case MXC_JSON_NUMBER:
		p = mxc_json_number_text(v, &len);
		sb_add(s, p, len);
		return;
	case MXC_JSON_STRING:
		p = mxc_json_get_string(v, &len);
		sb_json_str(s, p, len);
		return;
	case MXC_JSON_ARRAY:
		sb_adds(s, "[");
		n = mxc_json_size(v);
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_adds(s, ",");
			sb_json_raw(s, mxc_json_at(v, i));
		}
		sb_adds(s, "]");
		return;
	case MXC_JSON_OBJECT:
		sb_adds(s, "{");
		n = mxc_json_size(v);
		for (size_t i = 0; i < n; i++) {
			const mxc_json *m = mxc_json_member(v, i, &p, &len);
			if (i)
				sb_adds(s, ",");
			sb_json_str(s, p, len);
			sb_adds(s, ":");
			sb_json_raw(s, m);
		}
		sb_adds(s, "}");
		return;
	}
}

/* A list field of event IDs: every element a string (without NUL when
 * `no_nul`, for the library's NUL-terminated ID arrays). */
static int
check_ids(const mxc_json *list, const char *field, bool no_nul,
          cli_reply *r)
{
	for (size_t i = 0; i < mxc_json_size(list); i++) {
		size_t len;
		const mxc_json *v = mxc_json_at(list, i);
		const char *id = mxc_json_get_string(v, &len);
		if (!id)
			return reply_fail(r, "bad_request",
			                  "%s[%zu] must be an event ID", field,
			                  i);
		if (no_nul && strlen(id) != len)
			return reply_fail(r, "bad_request",
			                  "%s[%zu] contains NUL", field, i);
	}
	return 0;
}

/* `state_after`: {event_id: [event IDs]}. */
static int
check_state_after(const mxc_json *sa, cli_reply *r)
{
	for (size_t i = 0; i < mxc_json_size(sa); i++) {
		const char *key;
		size_t kl;
		const mxc_json *ids = mxc_json_member(sa, i, &key, &kl);
		int w = (int)(kl > 200 ? 200 : kl);
		if (mxc_json_get_type(ids) != MXC_JSON_ARRAY)
			return reply_fail(r, "bad_request",
			                  "state_after[%.*s] must be a list of "
			                  "event IDs", w, key);
		for (size_t j = 0; j < mxc_json_size(ids); j++) {
			const mxc_json *v = mxc_json_at(ids, j);
			if (mxc_json_get_type(v) != MXC_JSON_STRING)
				return reply_fail(r, "bad_request",
				                  "state_after[%.*s][%zu] must "
				                  "be an event ID", w, key, j);
		}
	}
	return 0;
}

/* get_state_after: the request's `state_after` entry for the event, or
 * MXC_ERR_NOT_FOUND to let the library derive it. */
static int
state_after_cb(mxc_buf *out, const char *event_id, void *user_data)
{
	const mxc_json *sa = user_data;
	const mxc_json *ids = sa ? mxc_json_get(sa, event_id,
	                                        strlen(event_id))
	                         : NULL;
	if (!ids)
		return MXC_ERR_NOT_FOUND;
	mxc_buf b = MXC_BUF_INIT;
	int rc = mxc_json_canonical(&b, ids, NULL);
	if (rc == MXC_OK)
		rc = mxc_buf_set(out, b.data, b.len);
	mxc_buf_dispose(&b);
	return rc;
}

/* {"type": {"state_key": "event_id"}}, entries in (type, state_key)
 * order, so one object per run of a type; "null" without a state. */
static void
state_json(sb *s, const mxc_state *st)
{
	if (!st) {
		sb_adds(s, "null");
		return;
	}
	sb_adds(s, "{");
	const char *prev = NULL;
	size_t prev_len = 0;
	for (size_t i = 0; i < mxc_state_size(st); i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(st, i, &t, &tl, &sk, &skl, &id, &idl);
		if (!prev || tl != prev_len || memcmp(t, prev, tl)) {
			if (prev)
				sb_adds(s, "},");
			sb_json_str(s, t, tl);
			sb_adds(s, ":{");
			prev = t;
			prev_len = tl;
		} else {
			sb_adds(s, ",");
		}
		sb_json_str(s, sk, skl);
		sb_adds(s, ":");
		sb_json_str(s, id, idl);
	}
	if (prev)
		sb_adds(s, "}");
	sb_adds(s, "}");
}

/* "missing":{"events":[...],"keys":[[server,key_id],...]} */
static void
missing_json(sb *x, const mxc_ctx *ctx, const mxc_keyring *kr)
{
	sb_adds(x, "\"missing\":{\"events\":[");
	for (size_t i = 0; i < mxc_ctx_missing_count(ctx); i++) {
		size_t len;
		const char *id = mxc_ctx_missing(ctx, i, &len);
		if (i)
			sb_adds(x, ",");
		sb_json_str(x, id, len);
	}
	sb_adds(x, "],\"keys\":[");
	for (size_t i = 0; i < mxc_keyring_missing_count(kr); i++) {
		const char *server, *kid;
		if (mxc_keyring_missing(kr, i, &server, &kid, NULL) != MXC_OK)
			break;
		sb_adds(x, i ? ",[" : "[");
		sb_json_str(x, server, strlen(server));
		sb_adds(x, ",");
		sb_json_str(x, kid, strlen(kid));
		sb_adds(x, "]");
	}
	sb_adds(x, "]}");
}

/* The op; *outcome receives the mxc_pdu_outcome when it succeeds. */
static int
check_pdu(const mxc_json *req, cli_reply *r, int *outcome)
{
	const mxc_room_version *rv = req_room_version(req, true, r);
	const mxc_json *pdu =
		rv ? req_field(req, "event", MXC_JSON_OBJECT, true, r) : NULL;
	const mxc_json *events =
		pdu ? req_field(req, "events", MXC_JSON_ARRAY, true, r) : NULL;
	const mxc_json *rejected = events ? req_field(req, "rejected",
	                                              MXC_JSON_ARRAY, true, r)
	                                  : NULL;
	const mxc_json *cur = rejected ? req_field(req, "current_state",
	                                           MXC_JSON_ARRAY, true, r)
	                               : NULL;
	const mxc_json *docs = cur ? req_field(req, "server_keys",
	                                       MXC_JSON_ARRAY, true, r)
	                           : NULL;
	if (!docs)
		return -1;
	size_t on;
	const char *origin = req_string(req, "origin", &on, true, r);
	if (!origin)
		return -1;
	if (strlen(origin) != on)
		return reply_fail(r, "bad_request", "origin contains NUL");
	int64_t now = 0;
	int have_now = req_int(req, "now_ts", &now, r);
	if (have_now < 0)
		return -1;
	if (have_now == 0)
		return reply_fail(r, "bad_request", "missing field \"now_ts\"");
	const mxc_json *sa = NULL;
	if (mxc_json_getz(req, "state_after") &&
	    !(sa = req_field(req, "state_after", MXC_JSON_OBJECT, true, r)))
		return -1;
	if (check_state_after(sa, r) ||
	    check_ids(rejected, "rejected", false, r) ||
	    check_ids(cur, "current_state", true, r))
		return -1;
	for (size_t i = 0; i < mxc_json_size(docs); i++)
		if (mxc_json_get_type(mxc_json_at(docs, i)) != MXC_JSON_OBJECT)
			return reply_fail(r, "bad_request",
			                  "server_keys[%zu] must be a key "
			                  "document (an object)", i);

	int ret = -1;
	mxc_ctx *ctx = NULL;
	mxc_keyring *kr = NULL;
	mxc_pdu_result *res = NULL;
	size_t n_cur = mxc_json_size(cur);
	const char **cur_ids = calloc(n_cur ? n_cur : 1, sizeof *cur_ids);
	sb text = {0};
	mxc_error err;
	int rc;
	if (!cur_ids) {
		reply_status(r, MXC_ERR_NOMEM, NULL, "check_pdu");
		goto out;
	}
	if ((rc = mxc_ctx_new(&ctx, rv, 0, NULL, &err)) ||
	    (rc = mxc_keyring_new(&kr, NULL, &err))) {
		reply_status(r, rc, &err, "check_pdu");
		goto out;
	}
	for (size_t i = 0; i < mxc_json_size(events); i++) {
		char what[48];
		snprintf(what, sizeof what, "events[%zu]", i);
		const mxc_json *e = mxc_json_at(events, i);
		if (mxc_json_get_type(e) != MXC_JSON_OBJECT) {
			reply_fail(r, "bad_request", "%s must be an object",
			           what);
			goto out;
		}
		mxc_event *pe = NULL;
		if ((rc = mxc_event_from_json(&pe, rv, e, 0, NULL, &err)) ||
		    (rc = mxc_ctx_adopt_event(ctx, pe, &err))) {
			reply_status(r, rc, &err, what);
			goto out;
		}
	}
	for (size_t i = 0; i < mxc_json_size(rejected); i++) {
		size_t len;
		const mxc_json *v = mxc_json_at(rejected, i);
		const char *id = mxc_json_get_string(v, &len);
		if ((rc = mxc_ctx_set_rejected(ctx, id, len, &err))) {
			reply_status(r, rc, &err, "rejected");
			goto out;
		}
	}
	/* server-server API, Retrieving server keys: keys that cannot be
	 * validated are ignored (see the choices above) */
	for (size_t i = 0; i < mxc_json_size(docs); i++) {
		text.n = 0;
		sb_json_raw(&text, mxc_json_at(docs, i));
		(void)mxc_keyring_add_json(kr, text.p, text.n, NULL, NULL,
		                           MXC_TS_NONE, now, NULL);
	}
	for (size_t i = 0; i < n_cur; i++)
		cur_ids[i] = mxc_json_get_string(mxc_json_at(cur, i), NULL);

	mxc_pdu_options opt;
	mxc_pdu_options_init(&opt);
	opt.origin = origin;
	opt.now_ts = now;
	opt.current_state = n_cur ? cur_ids : NULL;
	opt.n_current_state = n_cur;
	if (sa) {
		opt.get_state_after = state_after_cb;
		opt.user_data = (void *)sa;
	}
	text.n = 0;
	sb_json_raw(&text, pdu);
	rc = mxc_pdu_check(&res, ctx, kr, &opt, text.p, text.n, &err);
	if (rc) {
		reply_status(r, rc, &err, "check_pdu");
		if (rc == MXC_ERR_NEED_INPUT || rc == MXC_ERR_MISSING_EVENT)
			missing_json(&r->error_extra, ctx, kr);
		goto out;
	}
	sb *s = &r->result;
	*outcome = mxc_pdu_result_outcome(res);
	sb_adds(s, "{\"outcome\":");
	const char *name = mxc_pdu_outcome_name(*outcome);
	sb_json_str(s, name, strlen(name));
	sb_adds(s, mxc_pdu_result_redacted(res) ? ",\"redacted\":true"
	                                        : ",\"redacted\":false");
	const char *why = mxc_pdu_result_reason(res);
	if (why[0]) {
		sb_adds(s, ",\"reason\":");
		sb_json_str(s, why, strlen(why));
	}
	sb_adds(s, ",\"state_after\":");
	state_json(s, mxc_pdu_result_state_after(res));
	sb_adds(s, "}");
	ret = 0;
out:
	mxc_pdu_result_free(res);
	mxc_keyring_free(kr);
	mxc_ctx_free(ctx);
	free(cur_ids);
	sb_free(&text);
	return ret;
}

int
op_check_pdu(const mxc_json *req, cli_reply *r)
{
	int outcome;
	return check_pdu(req, r, &outcome);
}

int
cmd_check_pdu(int argc, char **argv)
{
	mxc_json *req = cli_read_request(argc, argv, "check-pdu");
	if (!req)
		return 2;
	cli_reply r = {0};
	int status = 2, outcome;
	if (mxc_json_get_type(req) != MXC_JSON_OBJECT) {
		fputs("mxc: check-pdu: the request is not a JSON object\n",
		      stderr);
	} else if (check_pdu(req, &r, &outcome) == 0) {
		fwrite(r.result.p, 1, r.result.n, stdout);
		putchar('\n');
		/* 0: accepted or soft failed (kept); 1: rejected or dropped */
		status = outcome == MXC_PDU_ACCEPTED ||
		         outcome == MXC_PDU_SOFT_FAILED ? 0 : 1;
	} else {
		fprintf(stderr, "mxc: check-pdu: %s: %s\n", r.code, r.message);
		if (r.error_extra.n)
			fprintf(stderr, "{%.*s}\n", (int)r.error_extra.n,
			        r.error_extra.p);
	}
	cli_reply_free(&r);
	mxc_json_free(req);
	return status;
}
