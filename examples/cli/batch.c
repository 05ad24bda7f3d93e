/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `mxc batch`: one JSON request per line on stdin, one JSON response per
 * line on stdout, in order, each flushed before the next line is read
 * (../shared/DESIGN.md, "The mxc tool and its batch protocol").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void
respond(const mxc_json *id, bool have_id, bool id_null, cli_reply *r, int ok)
{
	sb out = {0};
	sb_add(&out, "{", 1);
	if (have_id) {
		sb_adds(&out, "\"id\":");
		if (id_null || sb_json_value(&out, id, NULL) != MXC_OK)
			sb_adds(&out, "null");
		sb_add(&out, ",", 1);
	}
	if (ok) {
		sb_adds(&out, "\"ok\":true,\"result\":");
		sb_add(&out, r->result.p ? r->result.p : "null",
		       r->result.p ? r->result.n : 4);
	} else {
		sb_adds(&out, "\"ok\":false,\"error\":{\"code\":");
		sb_json_str(&out, r->code, strlen(r->code));
		sb_adds(&out, ",\"message\":");
		sb_json_str(&out, r->message, strlen(r->message));
		if (r->error_extra.n) {
			sb_add(&out, ",", 1);
			sb_add(&out, r->error_extra.p, r->error_extra.n);
		}
		sb_add(&out, "}", 1);
	}
	sb_adds(&out, "}\n");
	fwrite(out.p, 1, out.n, stdout);
	fflush(stdout);
	sb_free(&out);
}

static void
handle_line(const char *line, size_t len)
{
	cli_reply r = {0};
	mxc_json *req = NULL;
	mxc_error err;
	/* requests are read leniently: big integers and float lexemes of old
	 * events survive; each op applies its room version's rules */
	int rc = mxc_json_parse(&req, line, len, MXC_JSON_LENIENT_NUMBERS, NULL,
	                        &err);
	if (rc != MXC_OK) {
		reply_fail(&r, "bad_request", "request is not valid JSON: %s "
		           "(%s)", err.message, mxc_strerror(rc));
		respond(NULL, true, true, &r, 0);
		goto out;
	}
	if (mxc_json_get_type(req) != MXC_JSON_OBJECT) {
		reply_fail(&r, "bad_request", "request is not a JSON object");
		respond(NULL, true, true, &r, 0);
		goto out;
	}
	const mxc_json *id = mxc_json_getz(req, "id");
	size_t op_len;
	const char *op = req_string(req, "op", &op_len, true, &r);
	int ok = 0;
	if (op) {
		const cli_op *o = NULL;
		for (const cli_op *c = cli_ops; c->name; c++)
			if (strlen(c->name) == op_len &&
			    memcmp(c->name, op, op_len) == 0)
				o = c;
		if (!o)
			reply_fail(&r, "unknown_op", "unknown op \"%.*s\"",
			           (int)(op_len > 100 ? 100 : op_len), op);
		else
			ok = o->fn(req, &r) == 0;
	}
	if (!ok && !r.code)
		reply_fail(&r, "bad_request", "request failed");
	respond(id, id != NULL, false, &r, ok);
out:
	cli_reply_free(&r);
	mxc_json_free(req);
}

int
cli_batch(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		handle_line(line, len);
	}
	free(line);
	return 0;
}
