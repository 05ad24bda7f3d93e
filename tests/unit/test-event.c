/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing and validating PDUs per room version, accessors, label mode and
 * the code-point compatibility option. Each bad input is a small edit of
 * a valid event and must fail with its own status and name its field
 * (schemas pdu_v1..pdu_v12; appendices: identifier grammars; client-server
 * API: Size limits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"

static const mxc_room_version *
rv_of(const char *id)
{
	const mxc_room_version *rv = mxc_room_version_find(id, strlen(id));
	ck_assert_ptr_nonnull(rv);
	return rv;
}

#define H43 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* Valid events: v1/v2 format, v3+ format, v12 (hashed room ID). */
static const char base_v1[] =
	"{\"auth_events\":[[\"$a:x.org\",{\"sha256\":\"h\"}]],"
	"\"content\":{\"body\":\"hi\"},\"depth\":8,\"event_id\":\"$e:x.org\","
	"\"hashes\":{\"sha256\":\"h\"},\"origin_server_ts\":1,"
	"\"prev_events\":[[\"$p:x.org\",{\"sha256\":\"h\"}]],"
	"\"room_id\":\"!r:x.org\",\"sender\":\"@a:x.org\","
	"\"signatures\":{},\"type\":\"m.room.message\"}";
static const char base_v4[] =
	"{\"auth_events\":[\"$" H43 "\"],"
	"\"content\":{\"body\":\"hi\"},\"depth\":8,"
	"\"hashes\":{\"sha256\":\"h\"},\"origin_server_ts\":1,"
	"\"prev_events\":[\"$" H43 "\"],"
	"\"room_id\":\"!r:x.org\",\"sender\":\"@a:x.org\","
	"\"signatures\":{},\"type\":\"m.room.message\"}";
static const char base_v12[] =
	"{\"auth_events\":[\"$" H43 "\"],"
	"\"content\":{\"body\":\"hi\"},\"depth\":8,"
	"\"hashes\":{\"sha256\":\"h\"},\"origin_server_ts\":1,"
	"\"prev_events\":[\"$" H43 "\"],"
	"\"room_id\":\"!" H43 "\",\"sender\":\"@a:x.org\","
	"\"signatures\":{},\"type\":\"m.room.message\"}";

static char *
edit(const char *text, const char *from, const char *to)
{
	const char *p = from ? strstr(text, from) : NULL;
	ck_assert_msg(!from || p, "no %s", from);
	size_t n = strlen(text) + (to ? strlen(to) : 0) + 1;
	char *o = malloc(n);
	if (!from) {
		strcpy(o, text);
		return o;
	}
	memcpy(o, text, (size_t)(p - text));
	strcpy(o + (p - text), to);
	strcat(o, p + strlen(from));
	return o;
}

static int
parse_as(const char *rv, const char *text, unsigned flags, mxc_error *err,
         mxc_event **out)
{
	mxc_event *ev = NULL;
	mxc_error_clear(err);
	int rc = mxc_event_parse(&ev, rv_of(rv), text, strlen(text), flags,
	                         NULL, err);
	if (out)
		*out = ev;
	else
		mxc_event_free(ev);
	if (rc == MXC_OK)
		ck_assert_ptr_nonnull(ev);
	else
		ck_assert_ptr_null(ev);
	return rc;
}

static const struct bad {
	const char *rv;
	const char *base;
	const char *from, *to;
	int status;
	const char *subject;
} cases[] = {
	/* the bases themselves are valid */
	{"1", base_v1, NULL, NULL, MXC_OK, ""},
	{"2", base_v1, NULL, NULL, MXC_OK, ""},
	{"3", base_v4, "AAAA\"]", "AA+/\"]", MXC_OK, ""},
	{"4", base_v4, NULL, NULL, MXC_OK, ""},
	{"11", base_v4, NULL, NULL, MXC_OK, ""},
	{"12", base_v12, NULL, NULL, MXC_OK, ""},
	/* JSON */
	{"11", base_v4, "\"depth\":8,", "\"depth\":8,\"depth\":8,",
	 MXC_ERR_JSON_DUPLICATE_KEY, NULL},
	{"11", base_v4, "\"depth\":8", "\"depth\":8.0",
	 MXC_ERR_JSON_NUMBER_RANGE, NULL},
	{"5", base_v4, "\"depth\":8", "\"depth\":8.5", MXC_ERR_BAD_EVENT,
	 "$.depth"},
	{"11", base_v4, "{\"auth_events\"", "[{\"auth_events\"",
	 MXC_ERR_JSON_SYNTAX, NULL},
	/* required fields and their types (pdu_base, pdu_v1..v12) */
	{"11", base_v4, "\"type\":\"m.room.message\"", "\"tipe\":\"x\"",
	 MXC_ERR_BAD_EVENT, "$.type"},
	{"11", base_v4, "\"type\":\"m.room.message\"", "\"type\":7",
	 MXC_ERR_BAD_EVENT, "$.type"},
	{"11", base_v4, "\"sender\":\"@a:x.org\"", "\"x\":1",
	 MXC_ERR_BAD_EVENT, "$.sender"},
	{"11", base_v4, "\"content\":{\"body\":\"hi\"}", "\"content\":[]",
	 MXC_ERR_BAD_EVENT, "$.content"},
	{"11", base_v4, "\"content\":{\"body\":\"hi\"},", "",
	 MXC_ERR_BAD_EVENT, "$.content"},
	{"11", base_v4, "\"room_id\":\"!r:x.org\",", "", MXC_ERR_BAD_EVENT,
	 "$.room_id"},
	{"11", base_v4, "\"depth\":8,", "", MXC_ERR_BAD_EVENT, "$.depth"},
	{"11", base_v4, "\"depth\":8", "\"depth\":\"8\"", MXC_ERR_BAD_EVENT,
	 "$.depth"},
	{"11", base_v4, "\"origin_server_ts\":1,", "", MXC_ERR_BAD_EVENT,
	 "$.origin_server_ts"},
	{"11", base_v4, "\"hashes\":{\"sha256\":\"h\"},", "",
	 MXC_ERR_BAD_EVENT, "$.hashes"},
	{"11", base_v4, "\"hashes\":{\"sha256\":\"h\"}", "\"hashes\":{}",
	 MXC_ERR_BAD_EVENT, "$.hashes.sha256"},
	{"11", base_v4, "\"signatures\":{},", "", MXC_ERR_BAD_EVENT,
	 "$.signatures"},
	{"11", base_v4, "\"signatures\":{}", "\"signatures\":{\"x\":[]}",
	 MXC_ERR_BAD_EVENT, "$.signatures"},
	{"11", base_v4, "\"signatures\":{}", "\"signatures\":{\"x\":{\"k\":1}}",
	 MXC_ERR_BAD_EVENT, "$.signatures"},
	{"11", base_v4, "\"sender\"", "\"unsigned\":[],\"sender\"",
	 MXC_ERR_BAD_EVENT, "$.unsigned"},
	{"11", base_v4, "\"sender\"", "\"state_key\":null,\"sender\"",
	 MXC_ERR_BAD_EVENT, "$.state_key"},
	{"11", base_v4, "\"prev_events\":[\"$" H43 "\"],", "",
	 MXC_ERR_BAD_EVENT, "$.prev_events"},
	{"11", base_v4, "\"auth_events\":[\"$" H43 "\"],", "",
	 MXC_ERR_BAD_EVENT, "$.auth_events"},
	{"11", base_v4, "\"prev_events\":[", "\"prev_events\":[1,",
	 MXC_ERR_BAD_EVENT, "$.prev_events[0]"},
	/* redacts: a string at top level (pdu_v1..pdu_v6); from v11 it is
	 * not a PDU field any more, so a top-level one is an extra key */
	{"10", base_v4, "\"sender\"", "\"redacts\":1,\"sender\"",
	 MXC_ERR_BAD_EVENT, "$.redacts"},
	{"11", base_v4, "\"sender\"", "\"redacts\":1,\"sender\"", MXC_OK,
	 ""},
	/* v1/v2: event_id and [id, hashes] pairs */
	{"1", base_v1, "\"event_id\":\"$e:x.org\",", "", MXC_ERR_BAD_EVENT,
	 "$.event_id"},
	{"2", base_v1, "\"$e:x.org\"", "\"$e\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.event_id"},
	{"1", base_v1, "\"$e:x.org\"", "\"e:x.org\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.event_id"},
	{"1", base_v1, "[[\"$p:x.org\",{\"sha256\":\"h\"}]]", "[\"$p:x.org\"]",
	 MXC_ERR_BAD_EVENT, "$.prev_events[0]"},
	{"1", base_v1, "[[\"$p:x.org\",{\"sha256\":\"h\"}]]",
	 "[[\"$p:x.org\",\"h\"]]", MXC_ERR_BAD_EVENT, "$.prev_events[0]"},
	{"1", base_v1, "[[\"$a:x.org\",", "[[\"$a\",", MXC_ERR_BAD_IDENTIFIER,
	 "$.auth_events[0]"},
	/* v3+: hash IDs in the version's alphabet */
	{"4", base_v4, "\"prev_events\":[\"$", "\"prev_events\":[[\"$",
	 MXC_ERR_JSON_SYNTAX, NULL},
	{"4", base_v4, "AAAA\"]", "AA+/\"]", MXC_ERR_BAD_IDENTIFIER,
	 "$.auth_events[0]"},
	{"3", base_v4, "AAAA\"]", "AA-_\"]", MXC_ERR_BAD_IDENTIFIER,
	 "$.auth_events[0]"},
	{"11", base_v4, "AAAA\"]", "AAA\"]", MXC_ERR_BAD_IDENTIFIER,
	 "$.auth_events[0]"},
	{"11", base_v4, "\"prev_events\":[\"$",
	 "\"prev_events\":[\"$x:y.org\",\"$", MXC_ERR_BAD_IDENTIFIER,
	 "$.prev_events[0]"},
	/* identifiers: sender, room_id (appendices) */
	{"11", base_v4, "\"@a:x.org\"", "\"a:x.org\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:x_y.org\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:x.org:\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:x.org:123456\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:[::1\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:[xyz::1]\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:[1]\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a\\u0000b:x.org\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.sender"},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.sender"},
	/* valid: ports, IPv4 and IPv6 literals, historical localparts */
	{"11", base_v4, "\"@a:x.org\"", "\"@a:x.org:8448\"", MXC_OK, ""},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:1.2.3.4:1234\"", MXC_OK, ""},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:[1234:5678::abcd]:5678\"",
	 MXC_OK, ""},
	{"11", base_v4, "\"@a:x.org\"", "\"@a:[::1]\"", MXC_OK, ""},
	{"11", base_v4, "\"@a:x.org\"", "\"@Ali ce\\u00fc/=+:x.org\"", MXC_OK,
	 ""},
	{"11", base_v4, "\"@a:x.org\"", "\"@:x.org\"", MXC_OK, ""},
	{"11", base_v4, "\"!r:x.org\"", "\"!r\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.room_id"},
	{"11", base_v4, "\"!r:x.org\"", "\"#r:x.org\"", MXC_ERR_BAD_IDENTIFIER,
	 "$.room_id"},
	/* v12: hashed room IDs, create events without one */
	{"12", base_v4, NULL, NULL, MXC_ERR_BAD_IDENTIFIER, "$.room_id"},
	{"12", base_v12, "AAAA\",\"sender\"", "AAA\",\"sender\"",
	 MXC_ERR_BAD_IDENTIFIER, "$.room_id"},
	{"12", base_v12, "\"room_id\":\"!" H43 "\",", "", MXC_ERR_BAD_EVENT,
	 "$.room_id"},
	{"12", base_v12, "\"m.room.message\"", "\"m.room.create\"",
	 MXC_ERR_ROOM_ID_MISMATCH, "$.room_id"},
	{"11", base_v4, "\"room_id\":\"!r:x.org\",", "", MXC_ERR_BAD_EVENT,
	 "$.room_id"},
	/* depth ranges: pdu_v1 up to 2^63-1, depth_v6 up to 2^53-1 */
	{"5", base_v4, "\"depth\":8", "\"depth\":9223372036854775807", MXC_OK,
	 ""},
	{"5", base_v4, "\"depth\":8", "\"depth\":9223372036854775808",
	 MXC_ERR_BAD_EVENT, "$.depth"},
	{"11", base_v4, "\"depth\":8", "\"depth\":9007199254740991", MXC_OK,
	 ""},
	{"11", base_v4, "\"depth\":8", "\"depth\":9007199254740992",
	 MXC_ERR_JSON_NUMBER_RANGE, NULL},
	{"11", base_v4, "\"depth\":8", "\"depth\":-1", MXC_ERR_BAD_EVENT,
	 "$.depth"},
	{"11", base_v4, "\"depth\":8", "\"depth\":0", MXC_OK, ""},
	{"5", base_v4, "\"origin_server_ts\":1",
	 "\"origin_server_ts\":1e3", MXC_ERR_BAD_EVENT, "$.origin_server_ts"},
	{"5", base_v4, "\"origin_server_ts\":1",
	 "\"origin_server_ts\":99999999999999999999", MXC_ERR_BAD_EVENT,
	 "$.origin_server_ts"},
};

START_TEST(bad_inputs)
{
	const struct bad *c = &cases[_i];
	char *text = edit(c->base, c->from, c->to);
	mxc_error err;
	int rc = parse_as(c->rv, text, 0, &err, NULL);
	ck_assert_msg(rc == c->status, "case %d (v%s %s -> %s): got %s (%s %s)",
	              _i, c->rv, c->from, c->to, mxc_strerror(rc),
	              err.subject, err.message);
	if (rc != MXC_OK) {
		ck_assert_int_eq(err.status, rc);
		ck_assert_str_ne(err.message, "");
		if (c->subject)
			ck_assert_msg(strcmp(err.subject, c->subject) == 0,
			              "case %d: subject %s, want %s", _i,
			              err.subject, c->subject);
	}
	free(text);
}
END_TEST

/* A string of n copies of `unit`. */
static char *
repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

static char *
with_field(const char *base, const char *field, const char *value)
{
	/* insert "field":"value" before "sender" */
	size_t n = strlen(field) + strlen(value) + 16;
	char *ins = malloc(n);
	snprintf(ins, n, "\"%s\":\"%s\",\"sender\"", field, value);
	char *t = edit(base, "\"sender\"", ins);
	free(ins);
	return t;
}

START_TEST(size_limits)
{
	mxc_error err;
	/* type and state_key: 255 bytes */
	char *s255 = repeat("a", 255), *s256 = repeat("a", 256);
	char *t = edit(base_v4, "\"m.room.message\"", "\"\"");
	free(t);
	char *ty = malloc(300);
	snprintf(ty, 300, "\"%s\"", s255);
	t = edit(base_v4, "\"m.room.message\"", ty);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL), MXC_OK);
	free(t);
	snprintf(ty, 300, "\"%s\"", s256);
	t = edit(base_v4, "\"m.room.message\"", ty);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$.type");
	free(t);
	free(ty);
	t = with_field(base_v4, "state_key", s256);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$.state_key");
	free(t);

	/* a sender of 256 bytes */
	char *local = repeat("a", 256 - 7);
	char *snd = malloc(300);
	snprintf(snd, 300, "\"@%s:x.org\"", local);
	t = edit(base_v4, "\"@a:x.org\"", snd);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$.sender");
	free(t);
	snd[strlen(snd) - 7] = '\0'; /* one byte shorter: 255 */
	strcat(snd, ":x.org\"");
	memmove(snd + 2, snd + 3, strlen(snd + 3) + 1);
	t = edit(base_v4, "\"@a:x.org\"", snd);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL), MXC_OK);
	free(t);
	free(snd);
	free(local);

	/* the compatibility option: 200 x "é" is 400 bytes, 200 code
	 * points; counted in code points only in v1-v10 with the flag */
	char *e200 = repeat("\xc3\xa9", 200);
	t = with_field(base_v4, "state_key", e200);
	ck_assert_int_eq(parse_as("10", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_int_eq(parse_as("10", t, MXC_EVENT_PARSE_CODEPOINT_LIMITS,
	                          &err, NULL),
	                 MXC_OK);
	ck_assert_int_eq(parse_as("11", t, MXC_EVENT_PARSE_CODEPOINT_LIMITS,
	                          &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	free(t);
	char *t1 = with_field(base_v1, "state_key", e200);
	ck_assert_int_eq(parse_as("1", t1, MXC_EVENT_PARSE_CODEPOINT_LIMITS,
	                          &err, NULL),
	                 MXC_OK);
	ck_assert_int_eq(parse_as("1", t1, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	free(t1);
	free(e200);
	/* 256 code points stay too many either way */
	char *e256 = repeat("\xc3\xa9", 256);
	t = with_field(base_v4, "state_key", e256);
	ck_assert_int_eq(parse_as("10", t, MXC_EVENT_PARSE_CODEPOINT_LIMITS,
	                          &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	free(t);
	free(e256);

	/* prev_events <= 20, auth_events <= 10 */
	char *ids = repeat("\"$" H43 "\",", 21);
	ids[strlen(ids) - 1] = '\0';
	char *list = malloc(strlen(ids) + 40);
	ck_assert_ptr_nonnull(list);
	sprintf(list, "\"prev_events\":[%s]", ids);
	t = edit(base_v4, "\"prev_events\":[\"$" H43 "\"]", list);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$.prev_events");
	free(t);
	/* 20 are fine */
	sprintf(list, "\"prev_events\":[%s]", ids + 47);
	t = edit(base_v4, "\"prev_events\":[\"$" H43 "\"]", list);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL), MXC_OK);
	free(t);
	/* 11 auth events */
	sprintf(list, "\"auth_events\":[%s]", ids + 47 * 10);
	t = edit(base_v4, "\"auth_events\":[\"$" H43 "\"]", list);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$.auth_events");
	free(t);
	free(list);
	free(ids);

	/* the whole event: 65,536 bytes of canonical JSON. Fill content so
	 * the event is exactly at the limit, then one byte over. */
	size_t base_len = strlen(base_v4) - strlen("\"hi\"") + 2;
	size_t fill = 65536 - base_len;
	char *body = repeat("x", fill);
	char *bq = malloc(fill + 3);
	sprintf(bq, "\"%s\"", body);
	t = edit(base_v4, "\"hi\"", bq);
	ck_assert_uint_eq(strlen(t), 65536);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL), MXC_OK);
	ck_assert_int_eq(parse_as("5", t, 0, &err, NULL), MXC_OK);
	free(t);
	bq[0] = '"';
	char *bq2 = malloc(fill + 4);
	sprintf(bq2, "\"x%s\"", body);
	t = edit(base_v4, "\"hi\"", bq2);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	ck_assert_str_eq(err.subject, "$");
	ck_assert_int_eq(parse_as("5", t, 0, &err, NULL),
	                 MXC_ERR_EVENT_TOO_LARGE);
	free(t);
	/* white space does not count: the limit is on canonical JSON */
	char *sp = malloc(fill + 200);
	sprintf(sp, "   %s", bq);
	t = edit(base_v4, "\"hi\"", sp);
	ck_assert_uint_gt(strlen(t), 65536);
	ck_assert_int_eq(parse_as("11", t, 0, &err, NULL), MXC_OK);
	free(t);
	/* a lenient number that expands: v5 "1e3" is 1000 canonically */
	t = edit(base_v4, "\"hi\"", "1e3");
	ck_assert_int_eq(parse_as("5", t, 0, &err, NULL), MXC_OK);
	free(t);
	free(sp);
	free(bq);
	free(bq2);
	free(body);
	free(s255);
	free(s256);
}
END_TEST

START_TEST(accessors_v1)
{
	mxc_event *ev = NULL;
	mxc_error err;
	char *t = edit(base_v1, "\"type\":\"m.room.message\"",
	               "\"type\":\"m.room.redaction\",\"redacts\":\"$z:x.org\","
	               "\"unsigned\":{\"age\":1},\"state_key\":\"\"");
	ck_assert_int_eq(parse_as("1", t, 0, &err, &ev), MXC_OK);
	size_t n;
	ck_assert_str_eq(mxc_event_id(ev, &n), "$e:x.org");
	ck_assert_uint_eq(n, 8);
	ck_assert_str_eq(mxc_event_type(ev, &n), "m.room.redaction");
	ck_assert_int_eq(mxc_event_is_state(ev), 1);
	ck_assert_str_eq(mxc_event_state_key(ev, &n), "");
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(mxc_event_sender(ev, NULL), "@a:x.org");
	ck_assert_str_eq(mxc_event_room_id(ev, NULL), "!r:x.org");
	ck_assert_str_eq(mxc_event_redacts(ev, NULL), "$z:x.org");
	ck_assert_uint_eq(mxc_event_prev_events_count(ev), 1);
	ck_assert_str_eq(mxc_event_prev_event(ev, 0, &n), "$p:x.org");
	ck_assert_ptr_null(mxc_event_prev_event(ev, 1, &n));
	ck_assert_uint_eq(mxc_event_auth_events_count(ev), 1);
	ck_assert_str_eq(mxc_event_auth_event(ev, 0, NULL), "$a:x.org");
	ck_assert_int_eq(mxc_event_depth(ev), 8);
	ck_assert_int_eq(mxc_event_origin_server_ts(ev), 1);
	ck_assert_ptr_nonnull(mxc_event_hashes(ev));
	ck_assert_ptr_nonnull(mxc_event_signatures(ev));
	ck_assert_ptr_nonnull(mxc_event_unsigned(ev));
	ck_assert_ptr_eq(mxc_event_room_version(ev), rv_of("1"));
	ck_assert_str_eq(test_str(mxc_event_content(ev), "body", NULL), "hi");
	ck_assert_ptr_eq(mxc_event_content(ev),
	                 mxc_json_getz(mxc_event_json(ev), "content"));
	ck_assert_ptr_null(mxc_event_membership(ev, NULL));
	mxc_event_free(ev);
	free(t);
	/* NULL events answer NULL / 0 */
	ck_assert_ptr_null(mxc_event_id(NULL, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(mxc_event_prev_events_count(NULL), 0);
	mxc_event_free(NULL);
}
END_TEST

START_TEST(accessors_redacts_v11)
{
	mxc_event *ev = NULL;
	mxc_error err;
	/* v11: content.redacts; a top-level one is ignored */
	char *t = edit(base_v4,
	               "\"type\":\"m.room.message\"",
	               "\"type\":\"m.room.redaction\",\"redacts\":\"$top\"");
	char *t2 = edit(t, "{\"body\":\"hi\"}", "{\"redacts\":\"$in\"}");
	ck_assert_int_eq(parse_as("11", t2, 0, &err, &ev), MXC_OK);
	ck_assert_str_eq(mxc_event_redacts(ev, NULL), "$in");
	ck_assert_int_eq(mxc_event_is_state(ev), 0);
	ck_assert_ptr_null(mxc_event_state_key(ev, NULL));
	mxc_event_free(ev);
	/* v10: the top-level one */
	ck_assert_int_eq(parse_as("10", t2, 0, &err, &ev), MXC_OK);
	ck_assert_str_eq(mxc_event_redacts(ev, NULL), "$top");
	mxc_event_free(ev);
	/* not a redaction: no redacts */
	ck_assert_int_eq(parse_as("10", base_v4, 0, &err, &ev), MXC_OK);
	ck_assert_ptr_null(mxc_event_redacts(ev, NULL));
	mxc_event_free(ev);
	/* membership */
	char *m = edit(base_v4, "{\"body\":\"hi\"}",
	               "{\"membership\":\"join\"}");
	ck_assert_int_eq(parse_as("11", m, 0, &err, &ev), MXC_OK);
	ck_assert_str_eq(mxc_event_membership(ev, NULL), "join");
	mxc_event_free(ev);
	free(m);
	free(t2);
	free(t);
}
END_TEST

START_TEST(labelled_mode)
{
	mxc_event *ev = NULL;
	mxc_error err;
	/* scenario events: readable IDs, no hashes, signatures or depth */
	const char *pa =
		"{\"event_id\":\"$PA:example.com\",\"type\":\"m.room.member\","
		"\"sender\":\"@a:example.com\","
		"\"state_key\":\"@a:example.com\","
		"\"content\":{\"membership\":\"join\"},"
		"\"prev_events\":[\"$CREATE\"],"
		"\"auth_events\":[\"$X\",\"$Y\"]}";
	for (int v = 1; v <= 12; v++) {
		char id[4];
		snprintf(id, sizeof id, "%d", v);
		ck_assert_int_eq(parse_as(id, pa, MXC_EVENT_PARSE_LABELLED,
		                          &err, &ev),
		                 MXC_OK);
		ck_assert_str_eq(mxc_event_id(ev, NULL), "$PA:example.com");
		ck_assert_str_eq(mxc_event_prev_event(ev, 0, NULL), "$CREATE");
		ck_assert_str_eq(mxc_event_auth_event(ev, 1, NULL), "$Y");
		ck_assert_int_eq(mxc_event_depth(ev), 0);
		ck_assert_ptr_null(mxc_event_room_id(ev, NULL));
		mxc_event_free(ev);
		/* without the flag it is not a PDU */
		ck_assert_int_eq(parse_as(id, pa, 0, &err, NULL),
		                 MXC_ERR_BAD_EVENT);
	}
	/* v1 pairs in label mode; still typed: content must be an object */
	char *t = edit(pa, "[\"$CREATE\"]", "[[\"$C\",{}]]");
	ck_assert_int_eq(parse_as("1", t, MXC_EVENT_PARSE_LABELLED, &err, &ev),
	                 MXC_OK);
	ck_assert_str_eq(mxc_event_prev_event(ev, 0, NULL), "$C");
	mxc_event_free(ev);
	free(t);
	t = edit(pa, "{\"membership\":\"join\"}", "7");
	ck_assert_int_eq(parse_as("11", t, MXC_EVENT_PARSE_LABELLED, &err,
	                          NULL),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.content");
	free(t);
	/* v1 without an event_id has no ID at all */
	t = edit(pa, "\"event_id\":\"$PA:example.com\",", "");
	ck_assert_int_eq(parse_as("1", t, MXC_EVENT_PARSE_LABELLED, &err,
	                          NULL),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(err.subject, "$.event_id");
	/* v11 without one: computed */
	ck_assert_int_eq(parse_as("11", t, MXC_EVENT_PARSE_LABELLED, &err, &ev),
	                 MXC_OK);
	ck_assert_uint_eq(strlen(mxc_event_id(ev, NULL)), 44);
	mxc_event_free(ev);
	free(t);
	/* an unknown flag */
	ck_assert_int_eq(parse_as("11", pa, 1u << 9, &err, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(v12_room_ids)
{
	mxc_json *doc = test_load_vectors("events/events.json");
	const mxc_json *vcs = mxc_json_getz(doc, "cases");
	mxc_event *create = NULL, *msg = NULL, *old = NULL;
	for (size_t i = 0; i < mxc_json_size(vcs); i++) {
		const mxc_json *c = mxc_json_at(vcs, i);
		const char *name = test_str(c, "name", NULL);
		mxc_event **dst = NULL;
		if (strcmp(name, "v12 m.room.create") == 0)
			dst = &create;
		else if (strcmp(name, "v12 m.room.message") == 0)
			dst = &msg;
		else if (strcmp(name, "v11 m.room.message") == 0)
			dst = &old;
		if (!dst)
			continue;
		const mxc_room_version *rv =
			rv_of(test_str(c, "room_version", NULL));
		ck_assert_int_eq(mxc_event_from_json(dst, rv,
		                                     mxc_json_getz(c, "event"),
		                                     0, NULL, NULL),
		                 MXC_OK);
	}
	ck_assert_ptr_nonnull(create);
	mxc_error err;
	mxc_error_clear(&err);
	ck_assert_int_eq(mxc_event_check_room_id(msg, create, &err), MXC_OK);
	ck_assert_int_eq(mxc_event_check_room_id(old, create, &err),
	                 MXC_ERR_ROOM_ID_MISMATCH);
	ck_assert_int_eq(mxc_event_check_room_id(msg, msg, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* a create event's room ID survives redaction (its own content is
	 * kept whole in v12) */
	mxc_event *red = NULL;
	ck_assert_int_eq(mxc_event_redact(&red, create, NULL), MXC_OK);
	ck_assert_str_eq(mxc_event_room_id(red, NULL),
	                 mxc_event_room_id(create, NULL));
	mxc_event_free(red);
	mxc_event_free(create);
	mxc_event_free(msg);
	mxc_event_free(old);
	mxc_json_free(doc);
}
END_TEST

START_TEST(from_json_strictness)
{
	/* a lenient tree handed to a v6+ event: refused */
	mxc_json *j = NULL;
	char *t = edit(base_v4, "\"hi\"", "1e3");
	ck_assert_int_eq(mxc_json_parse(&j, t, strlen(t),
	                                MXC_JSON_LENIENT_NUMBERS, NULL, NULL),
	                 MXC_OK);
	mxc_event *ev = NULL;
	ck_assert_int_eq(mxc_event_from_json(&ev, rv_of("6"), j, 0, NULL,
	                                     NULL),
	                 MXC_ERR_JSON_NUMBER_RANGE);
	ck_assert_int_eq(mxc_event_from_json(&ev, rv_of("5"), j, 0, NULL,
	                                     NULL),
	                 MXC_OK);
	mxc_event_free(ev);
	mxc_json_free(j);
	free(t);
	ck_assert_int_eq(mxc_event_from_json(&ev, NULL, NULL, 0, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(nomem)
{
	for (long k = 1;; k++) {
		test_failing_alloc f;
		test_failing_alloc_init(&f, k);
		mxc_event *ev = NULL, *red = NULL;
		int rc = mxc_event_parse(&ev, rv_of("11"), base_v4,
		                         strlen(base_v4), 0, &f.a, NULL);
		if (rc == MXC_OK) {
			/* and the redaction, which allocates through the
			 * event's allocator */
			rc = mxc_event_redact(&red, ev, NULL);
			mxc_event_free(red);
			mxc_event_free(ev);
			ck_assert_int_eq(f.live, 0);
			if (rc == MXC_OK)
				break;
			ck_assert_int_eq(rc, MXC_ERR_NOMEM);
			continue;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(f.live, 0);
		ck_assert_int_lt(k, 50);
	}
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");
	tcase_add_loop_test(tc, bad_inputs, 0,
	                    (int)(sizeof cases / sizeof *cases));
	tcase_add_test(tc, size_limits);
	tcase_add_test(tc, accessors_v1);
	tcase_add_test(tc, accessors_redacts_v11);
	tcase_add_test(tc, labelled_mode);
	tcase_add_test(tc, v12_room_ids);
	tcase_add_test(tc, from_json_strictness);
	tcase_add_test(tc, nomem);
	suite_add_tcase(s, tc);
	return s;
}
