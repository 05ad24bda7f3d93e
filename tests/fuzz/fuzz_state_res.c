/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: state resolution over small forks decoded from the input.
 * The first byte picks the room version (1, 2, 10 or 12); a fixed base
 * room follows (create, alice's join, power levels, public join rules,
 * bob's join), then up to 24 events decoded 5 bytes each (kind, sender,
 * target, timestamp, which earlier events are its auth events), then 2 to
 * 4 state sets (the base plus a chosen subset of the events, the last
 * event of a key winning) and a rejected mask. The resolution must
 * succeed or fail with a bad-input status, never crash or leak, and
 * resolving the sets in reverse order must give the same state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXE 24

typedef struct rd {
	const uint8_t *p;
	size_t n;
} rd;

static uint8_t
byte(rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static const char *const users[] = {"@alice:x", "@bob:x", "@carol:x"};

static int
add(mxc_ctx *ctx, const char *t)
{
	return mxc_ctx_add_event(ctx, t, strlen(t), NULL);
}

static char *
state_text(const mxc_state *st)
{
	size_t cap = 64, len = 0;
	char *s = malloc(cap);
	s[0] = 0;
	for (size_t i = 0; i < mxc_state_size(st); i++) {
		const char *t, *k, *id;
		mxc_state_entry(st, i, &t, NULL, &k, NULL, &id, NULL);
		size_t need = len + strlen(t) + strlen(k) + strlen(id) + 4;
		if (need > cap)
			s = realloc(s, cap = need * 2);
		len += (size_t)sprintf(s + len, "%s|%s|%s;", t, k, id);
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const vers[] = {"1", "2", "10", "12"};
	rd r = {data, size};
	const char *ver = vers[byte(&r) % 4];
	const mxc_room_version *rv = mxc_room_version_find(ver, strlen(ver));
	int v12 = !strcmp(ver, "12");
	mxc_ctx *ctx = NULL;
	if (mxc_ctx_new(&ctx, rv, MXC_EVENT_PARSE_LABELLED, NULL, NULL))
		abort();
	const char *room = v12 ? "!c" : "!r:x";
	char buf[2048];
	const char *cre = v12 ? "" : "\"$c\",";
	snprintf(buf, sizeof buf, "{\"event_id\":\"$c\",\"type\":"
	         "\"m.room.create\",\"state_key\":\"\",\"sender\":\"@alice:x\","
	         "\"content\":{%s},%s\"auth_events\":[],\"prev_events\":[],"
	         "\"depth\":1,\"origin_server_ts\":1}",
	         v12 ? "\"room_version\":\"12\"" : "\"creator\":\"@alice:x\"",
	         v12 ? "" : "\"room_id\":\"!r:x\",");
	add(ctx, buf);
	const char *base_fmt[] = {
		"{\"event_id\":\"$ma\",\"type\":\"m.room.member\",\"state_key\":"
		"\"@alice:x\",\"sender\":\"@alice:x\",\"content\":{\"membership\":"
		"\"join\"},\"room_id\":\"%s\",\"auth_events\":[%s\"$c\"],"
		"\"prev_events\":[],\"depth\":2,\"origin_server_ts\":2}",
		"{\"event_id\":\"$pa\",\"type\":\"m.room.power_levels\","
		"\"state_key\":\"\",\"sender\":\"@alice:x\",\"content\":{\"users\":"
		"{\"@bob:x\":50}},\"room_id\":\"%s\",\"auth_events\":[%s\"$ma\"],"
		"\"prev_events\":[],\"depth\":3,\"origin_server_ts\":3}",
		"{\"event_id\":\"$jr\",\"type\":\"m.room.join_rules\",\"state_key\":"
		"\"\",\"sender\":\"@alice:x\",\"content\":{\"join_rule\":\"public\"},"
		"\"room_id\":\"%s\",\"auth_events\":[%s\"$ma\",\"$pa\"],"
		"\"prev_events\":[],\"depth\":4,\"origin_server_ts\":4}",
		"{\"event_id\":\"$mb\",\"type\":\"m.room.member\",\"state_key\":"
		"\"@bob:x\",\"sender\":\"@bob:x\",\"content\":{\"membership\":"
		"\"join\"},\"room_id\":\"%s\",\"auth_events\":[%s\"$jr\",\"$pa\"],"
		"\"prev_events\":[],\"depth\":5,\"origin_server_ts\":5}"};
	for (int i = 0; i < 4; i++) {
		/* v12: no create in auth_events; "\"$c\"" then is dropped by
		 * giving an empty prefix and removing the trailing entry */
		char fmt[1024];
		snprintf(fmt, sizeof fmt, "%s", base_fmt[i]);
		if (v12 && i == 0) {
			char *q = strstr(fmt, "[%s\"$c\"]");
			memmove(q + 1, q + 7, strlen(q + 7) + 1);
		}
		snprintf(buf, sizeof buf, fmt, room, v12 ? "" : cre);
		if (add(ctx, buf))
			abort();
	}
	const char *base[] = {"$c", "$ma", "$pa", "$jr", "$mb"};
	char ids[MAXE][8], keys[MAXE][64];
	int n = byte(&r) % (MAXE + 1);
	for (int i = 0; i < n; i++) {
		uint8_t kind = byte(&r), s = byte(&r) % 3, t = byte(&r) % 3,
		        ts = byte(&r), am = byte(&r);
		snprintf(ids[i], sizeof ids[i], "$e%d", i);
		const char *sender = users[s], *target = users[t];
		char auth[256] = "";
		size_t al = 0;
		/* auth events: base entries, then earlier events by mask */
		for (int b = 0; b < 5; b++)
			if ((am >> b) & 1 && !(v12 && b == 0))
				al += (size_t)snprintf(auth + al, sizeof auth - al,
				                       "%s\"%s\"", al ? "," : "",
				                       base[b]);
		if (i && (am >> 5))
			al += (size_t)snprintf(auth + al, sizeof auth - al,
			                       "%s\"%s\"", al ? "," : "",
			                       ids[(am >> 5) % i]);
		const char *type, *sk, *content;
		char c[128];
		switch (kind % 6) {
		case 0:
			type = "m.room.topic", sk = "", content = "{}";
			break;
		case 1:
			type = "m.room.power_levels", sk = "";
			snprintf(c, sizeof c, "{\"users\":{\"%s\":%d}}", target,
			         (kind >> 3) * 10);
			content = c;
			break;
		case 2:
			type = "m.room.join_rules", sk = "";
			content = kind & 8 ? "{\"join_rule\":\"invite\"}"
			                   : "{\"join_rule\":\"public\"}";
			break;
		default: {
			static const char *const m[] = {"join", "leave", "ban",
			                                "invite"};
			type = "m.room.member", sk = target;
			snprintf(c, sizeof c, "{\"membership\":\"%s\"}",
			         m[(kind >> 3) % 4]);
			content = c;
		}
		}
		snprintf(keys[i], sizeof keys[i], "%s|%s", type, sk);
		snprintf(buf, sizeof buf,
		         "{\"event_id\":\"%s\",\"type\":\"%s\",\"state_key\":\"%s\","
		         "\"sender\":\"%s\",\"content\":%s,\"room_id\":\"%s\","
		         "\"auth_events\":[%s],\"prev_events\":[],\"depth\":%d,"
		         "\"origin_server_ts\":%d}",
		         ids[i], type, sk, sender, content, room, auth, 6 + ts % 4,
		         ts);
		if (add(ctx, buf))
			abort();
	}
	/* state sets */
	int ns = 2 + byte(&r) % 3;
	const char *sets[4 * (5 + MAXE)];
	size_t sizes[4], total = 0;
	static const char *const base_keys[] = {
		"m.room.create|", "m.room.member|@alice:x",
		"m.room.power_levels|", "m.room.join_rules|",
		"m.room.member|@bob:x"};
	for (int s = 0; s < ns; s++) {
		const char *pick[5 + MAXE], *pkey[5 + MAXE];
		int np = 0;
		for (int b = 0; b < 5; b++) {
			pick[np] = base[b];
			pkey[np++] = base_keys[b];
		}
		uint32_t mask = (uint32_t)byte(&r) | (uint32_t)byte(&r) << 8 |
		                (uint32_t)byte(&r) << 16;
		for (int i = 0; i < n; i++) {
			if (!((mask >> i) & 1))
				continue;
			int k;
			for (k = 0; k < np; k++)
				if (!strcmp(pkey[k], keys[i]))
					break;
			pick[k] = ids[i];
			pkey[k] = keys[i];
			if (k == np)
				np++;
		}
		for (int k = 0; k < np; k++)
			sets[total++] = pick[k];
		sizes[s] = (size_t)np;
	}
	uint32_t rej = (uint32_t)byte(&r) | (uint32_t)byte(&r) << 8;
	for (int i = 0; i < n && i < 16; i++)
		if ((rej >> i) & 1)
			mxc_ctx_set_rejected(ctx, ids[i], strlen(ids[i]), NULL);
	mxc_state *a = NULL, *b = NULL;
	int rc = mxc_state_resolve(&a, ctx, rv, sets, NULL, sizes,
	                           (size_t)ns, 0, NULL);
	if (rc != MXC_OK && rc != MXC_ERR_BAD_EVENT)
		abort();
	/* the sets in reverse order, each reversed: the same state */
	const char *rsets[4 * (5 + MAXE)];
	size_t rsizes[4];
	for (size_t i = 0; i < total; i++)
		rsets[i] = sets[total - 1 - i];
	for (int s = 0; s < ns; s++)
		rsizes[s] = sizes[ns - 1 - s];
	int rc2 = mxc_state_resolve(&b, ctx, rv, rsets, NULL, rsizes,
	                            (size_t)ns, 0, NULL);
	if (rc2 != rc)
		abort();
	if (rc == MXC_OK) {
		char *ta = state_text(a), *tb = state_text(b);
		if (strcmp(ta, tb))
			abort();
		free(ta);
		free(tb);
	}
	mxc_ctx_free(ctx);
	mxc_state_free(a);
	mxc_state_free(b);
	return 0;
}
