/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the auth rules against a fixed room state. The first input
 * byte picks the room version (1 to 12) and the check's flags; the rest is
 * the event's JSON, parsed in label mode. The check must not crash or
 * leak, must give the same verdict and message twice, and may only answer
 * allowed, rejected, need_input or bad_event; auth events selection must
 * hold within MXC_AUTH_TYPES_MAX entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const state_json[] = {
	"{\"type\":\"m.room.create\",\"state_key\":\"\",\"sender\":\"@a:a\","
	"\"room_id\":\"!r:a\",\"event_id\":\"$c:a\",\"content\":"
	"{\"creator\":\"@a:a\",\"additional_creators\":[\"@z:z\"]}}",
	"{\"type\":\"m.room.member\",\"state_key\":\"@a:a\",\"sender\":"
	"\"@a:a\",\"room_id\":\"!r:a\",\"event_id\":\"$m1:a\",\"content\":"
	"{\"membership\":\"join\"}}",
	"{\"type\":\"m.room.member\",\"state_key\":\"@b:b\",\"sender\":"
	"\"@b:b\",\"room_id\":\"!r:a\",\"event_id\":\"$m2:a\",\"content\":"
	"{\"membership\":\"join\"}}",
	"{\"type\":\"m.room.member\",\"state_key\":\"@d:a\",\"sender\":"
	"\"@a:a\",\"room_id\":\"!r:a\",\"event_id\":\"$m3:a\",\"content\":"
	"{\"membership\":\"ban\"}}",
	"{\"type\":\"m.room.power_levels\",\"state_key\":\"\",\"sender\":"
	"\"@a:a\",\"room_id\":\"!r:a\",\"event_id\":\"$p:a\",\"content\":"
	"{\"users\":{\"@b:b\":50},\"events\":{\"m.room.name\":10},"
	"\"notifications\":{\"room\":20},\"invite\":0}}",
	"{\"type\":\"m.room.join_rules\",\"state_key\":\"\",\"sender\":"
	"\"@a:a\",\"room_id\":\"!r:a\",\"event_id\":\"$j:a\",\"content\":"
	"{\"join_rule\":\"restricted\"}}",
	"{\"type\":\"m.room.third_party_invite\",\"state_key\":\"tok\","
	"\"sender\":\"@a:a\",\"room_id\":\"!r:a\",\"event_id\":\"$t:a\","
	"\"content\":{\"public_key\":"
	"\"mrV51jApZKahGjfMhlevp+QtSSTDKCLaLVCzYc4HELY\"}}",
};
#define N_STATE (sizeof state_json / sizeof state_json[0])

static int
check_once(const mxc_event *ev, const mxc_auth_state *st,
           const mxc_event_key *keys, unsigned flags, mxc_error *err)
{
	mxc_error_clear(err);
	return mxc_auth_check(ev, st, keys, 1, 0, flags, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char id[4];
	snprintf(id, sizeof id, "%d", data[0] % 12 + 1);
	unsigned flags = (data[0] / 12) & 3u;
	const mxc_room_version *rv = mxc_room_version_find(id, strlen(id));
	if (!rv)
		abort();
	mxc_init();
	mxc_event *evs[N_STATE] = {0};
	size_t n = 0;
	for (size_t i = 0; i < N_STATE; i++) {
		/* v12 create events have no room_id: the parser may refuse
		 * this fixed one; the state is then without it. */
		if (mxc_event_parse(&evs[n], rv, state_json[i],
		                    strlen(state_json[i]),
		                    MXC_EVENT_PARSE_LABELLED, NULL,
		                    NULL) == MXC_OK)
			n++;
	}
	mxc_auth_state *st = NULL;
	if (mxc_auth_state_new(&st, (const mxc_event *const *)evs, n, NULL,
	                       NULL) != MXC_OK)
		abort();
	mxc_event *ev = NULL;
	if (mxc_event_parse(&ev, rv, (const char *)data + 1, size - 1,
	                    MXC_EVENT_PARSE_LABELLED, NULL, NULL) == MXC_OK) {
		static const uint8_t pub[32] = {1};
		mxc_event_key key = {"a", "ed25519:1", pub, 32, MXC_TS_NONE,
		                     MXC_TS_NONE};
		mxc_error e1, e2;
		int r1 = check_once(ev, st, &key, flags, &e1);
		int r2 = check_once(ev, st, &key, flags, &e2);
		if (r1 != r2 || strcmp(e1.message, e2.message) != 0 ||
		    e1.reason != e2.reason)
			abort();
		if (r1 != MXC_OK && r1 != MXC_ERR_AUTH_REJECTED &&
		    r1 != MXC_ERR_NEED_INPUT && r1 != MXC_ERR_BAD_EVENT &&
		    r1 != MXC_ERR_NOMEM)
			abort();
		if (r1 == MXC_ERR_AUTH_REJECTED &&
		    strstr(e1.message, " auth rule ") == NULL)
			abort();
		mxc_auth_type t[MXC_AUTH_TYPES_MAX];
		size_t nt = 0;
		if (mxc_auth_types(t, MXC_AUTH_TYPES_MAX, &nt, ev, NULL) != MXC_OK ||
		    nt > MXC_AUTH_TYPES_MAX)
			abort();
		mxc_event_free(ev);
	}
	mxc_auth_state_free(st);
	for (size_t i = 0; i < n; i++)
		mxc_event_free(evs[i]);
	return 0;
}
