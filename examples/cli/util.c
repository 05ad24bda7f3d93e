/* SPDX-License-Identifier: Apache-2.0 */
/* The mxc tool's helpers: output strings, replies, request fields. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void
sb_free(sb *s)
{
	free(s->p);
	memset(s, 0, sizeof *s);
}

void
sb_add(sb *s, const char *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->n + n + 1)
			cap *= 2;
		char *q = realloc(s->p, cap);
		if (!q) {
			fputs("mxc: out of memory\n", stderr);
			exit(70);
		}
		s->p = q;
		s->cap = cap;
	}
	if (n)
		memcpy(s->p + s->n, p, n);
	s->n += n;
	s->p[s->n] = '\0';
}

void
sb_adds(sb *s, const char *z)
{
	sb_add(s, z, strlen(z));
}

void
sb_printf(sb *s, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	sb_add(s, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* Length of a valid UTF-8 sequence at p, 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (!k || c > 0xF4 || avail < k)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
	    (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
		return 0;
	return k;
}

void
sb_json_str(sb *s, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sb_add(s, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80) {
			/* messages may quote untrusted bytes: keep the output
			 * valid UTF-8 by replacing what is not */
			size_t k = utf8_len((const unsigned char *)p + i, n - i);
			if (k) {
				i += k - 1;
				continue;
			}
			sb_add(s, p + run, i - run);
			sb_add(s, "\xef\xbf\xbd", 3);
			run = i + 1;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(s, p + run, i - run);
		char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
		switch (c) {
		case '"': sb_add(s, "\\\"", 2); break;
		case '\\': sb_add(s, "\\\\", 2); break;
		case '\n': sb_add(s, "\\n", 2); break;
		case '\r': sb_add(s, "\\r", 2); break;
		case '\t': sb_add(s, "\\t", 2); break;
		case '\b': sb_add(s, "\\b", 2); break;
		case '\f': sb_add(s, "\\f", 2); break;
		default: sb_add(s, e, 6);
		}
		run = i + 1;
	}
	sb_add(s, p + run, n - run);
	sb_add(s, "\"", 1);
}

int
sb_json_value(sb *s, const mxc_json *v, mxc_error *err)
{
	mxc_buf b = MXC_BUF_INIT;
	int rc = mxc_json_canonical(&b, v, err);
	if (rc == MXC_OK)
		sb_add(s, b.data, b.len);
	mxc_buf_dispose(&b);
	return rc;
}

int
reply_fail(cli_reply *r, const char *code, const char *fmt, ...)
{
	r->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	return -1;
}

int
reply_status(cli_reply *r, int status, const mxc_error *err, const char *what)
{
	r->code = mxc_strerror(status);
	if (err && err->message[0] && err->subject[0])
		snprintf(r->message, sizeof r->message, "%s: %s (at %s)", what,
		         err->message, err->subject);
	else if (err && err->message[0])
		snprintf(r->message, sizeof r->message, "%s: %s", what,
		         err->message);
	else
		snprintf(r->message, sizeof r->message, "%s: %s", what,
		         mxc_status_message(status));
	return -1;
}

static const char *
type_name(mxc_json_type t)
{
	switch (t) {
	case MXC_JSON_NULL: return "null";
	case MXC_JSON_FALSE:
	case MXC_JSON_TRUE: return "a boolean";
	case MXC_JSON_NUMBER: return "a number";
	case MXC_JSON_STRING: return "a string";
	case MXC_JSON_ARRAY: return "an array";
	case MXC_JSON_OBJECT: return "an object";
	}
	return "?";
}

const mxc_json *
req_field(const mxc_json *req, const char *field, mxc_json_type type,
          bool required, cli_reply *r)
{
	const mxc_json *v = mxc_json_getz(req, field);
	if (!v) {
		if (required)
			reply_fail(r, "bad_request", "missing field \"%s\"", field);
		return NULL;
	}
	mxc_json_type t = mxc_json_get_type(v);
	if (t != type) {
		reply_fail(r, "bad_request", "field \"%s\" must be %s, not %s",
		           field, type_name(type), type_name(t));
		return NULL;
	}
	return v;
}

const char *
req_string(const mxc_json *req, const char *field, size_t *len,
           bool required, cli_reply *r)
{
	const mxc_json *v = req_field(req, field, MXC_JSON_STRING, required, r);
	return v ? mxc_json_get_string(v, len) : NULL;
}

int
req_int(const mxc_json *req, const char *field, int64_t *out, cli_reply *r)
{
	const mxc_json *v = mxc_json_getz(req, field);
	if (!v)
		return 0;
	if (mxc_json_get_type(v) != MXC_JSON_NUMBER ||
	    mxc_json_get_int(out, v) != MXC_OK || !mxc_json_is_integer(v)) {
		reply_fail(r, "bad_request", "field \"%s\" must be an integer",
		           field);
		return -1;
	}
	return 1;
}

const mxc_room_version *
req_room_version(const mxc_json *req, bool required, cli_reply *r)
{
	size_t len;
	const char *id = req_string(req, "room_version", &len, required, r);
	if (!id)
		return NULL;
	const mxc_room_version *rv;
	mxc_error err;
	int rc = mxc_room_version_get(&rv, id, len, &err);
	if (rc) {
		reply_status(r, rc, &err, "room_version");
		return NULL;
	}
	return rv;
}

mxc_signing_key *
req_signing_key(const mxc_json *req, cli_reply *r)
{
	size_t seed_len, kid_len;
	const char *seed = req_string(req, "seed", &seed_len, true, r);
	if (!seed)
		return NULL;
	const char *kid = req_string(req, "key_id", &kid_len, true, r);
	if (!kid)
		return NULL;
	if (strlen(kid) != kid_len) {
		reply_fail(r, "bad_request", "key_id contains NUL");
		return NULL;
	}
	mxc_signing_key *key = NULL;
	mxc_error err;
	int rc = mxc_signing_key_from_base64(&key, seed, seed_len, kid, NULL,
	                                     &err);
	if (rc) {
		reply_status(r, rc, &err, "seed/key_id");
		return NULL;
	}
	return key;
}

char *
cli_read_file(const char *path, size_t *len)
{
	FILE *f = (!path || strcmp(path, "-") == 0) ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	sb s = {0};
	char buf[65536];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&s, buf, k);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		sb_free(&s);
		return NULL;
	}
	if (!s.p)
		sb_add(&s, "", 0);
	*len = s.n;
	return s.p;
}

void
cli_reply_free(cli_reply *r)
{
	sb_free(&r->result);
	sb_free(&r->error_extra);
}

mxc_json *
cli_read_request(int argc, char **argv, const char *cmd)
{
	const char *path = argc > 0 ? argv[argc - 1] : NULL;
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text) {
		fprintf(stderr, "mxc: %s: cannot read %s\n", cmd,
		        path ? path : "stdin");
		return NULL;
	}
	mxc_json *req = NULL;
	mxc_error err;
	int rc = mxc_json_parse(&req, text, len, MXC_JSON_LENIENT_NUMBERS, NULL,
	                        &err);
	free(text);
	if (rc) {
		fprintf(stderr, "mxc: %s: %s (%s)\n", cmd, err.message,
		        mxc_strerror(rc));
		return NULL;
	}
	return req;
}
