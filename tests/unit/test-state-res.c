/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State resolution (lib/state_res.c, lib/topo_sort.c, lib/ctx.c): the
 * building blocks against gomatrixserverlib's cases, Synapse's v2
 * scenarios replayed (tests/vectors/README.md of the shared vectors), the
 * scenarios of tests/vectors/state_res/scenarios.json worked by hand,
 * the conflicted state subgraph (gomatrixserverlib's cases and by hand),
 * properties on generated rooms (including where v2 and v2.1 must agree,
 * and the spec's case where they do not), and bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "../../lib/internal.h"
#include <matrix-core/backend.h>

static const mxc_room_version *
rv_of(const char *id)
{
	const mxc_room_version *rv = mxc_room_version_find(id, strlen(id));
	ck_assert_msg(rv != NULL, "room version %s", id);
	return rv;
}

static mxc_ctx *
ctx_new(const char *ver)
{
	mxc_ctx *ctx = NULL;
	ck_assert_int_eq(mxc_ctx_new(&ctx, rv_of(ver), MXC_EVENT_PARSE_LABELLED,
	                             NULL, NULL), MXC_OK);
	return ctx;
}

static void
ctx_add(mxc_ctx *ctx, const mxc_json *ev)
{
	char *t = test_canonical(ev);
	mxc_error e;
	int rc = mxc_ctx_add_event(ctx, t, strlen(t), &e);
	ck_assert_msg(rc == MXC_OK, "add %s: %s %s", t, e.message, e.subject);
	free(t);
}

static mxc_ctx *
ctx_from_events(const char *ver, const mxc_json *events)
{
	mxc_ctx *ctx = ctx_new(ver);
	for (size_t i = 0; i < mxc_json_size(events); i++)
		ctx_add(ctx, mxc_json_at(events, i));
	return ctx;
}

/* State sets from a JSON array of arrays of IDs (strings borrowed). */
typedef struct sets {
	const char **ids;
	size_t *sizes;
	size_t n, total;
} sets;

static void
sets_from_json(sets *s, const mxc_json *arr)
{
	s->n = mxc_json_size(arr);
	s->total = 0;
	for (size_t i = 0; i < s->n; i++)
		s->total += mxc_json_size(mxc_json_at(arr, i));
	s->ids = calloc(s->total + 1, sizeof *s->ids);
	s->sizes = calloc(s->n + 1, sizeof *s->sizes);
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		const mxc_json *a = mxc_json_at(arr, i);
		s->sizes[i] = mxc_json_size(a);
		for (size_t j = 0; j < s->sizes[i]; j++)
			s->ids[k++] = mxc_json_get_string(mxc_json_at(a, j),
			                                  NULL);
	}
}

static void
sets_free(sets *s)
{
	free(s->ids);
	free(s->sizes);
}

static mxc_state *
resolve(mxc_ctx *ctx, const sets *s, unsigned flags)
{
	mxc_state *st = NULL;
	mxc_error e;
	int rc = mxc_state_resolve(&st, ctx, mxc_ctx_room_version(ctx), s->ids,
	                           NULL, s->sizes, s->n, flags, &e);
	ck_assert_msg(rc == MXC_OK, "resolve: %s: %s (%s)", mxc_strerror(rc),
	              e.message, e.subject);
	return st;
}

/* The state as canonical JSON {type: {state_key: id}}, for comparisons
 * and messages. */
static char *
state_text(const mxc_state *st)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	len += (size_t)snprintf(out, cap, "{");
	const char *prev_t = NULL;
	size_t prev_tl = 0;
	for (size_t i = 0; i < mxc_state_size(st); i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(st, i, &t, &tl, &sk, &skl, &id, &idl);
		size_t need = len + tl + skl + idl + 32;
		if (need > cap) {
			cap = need * 2;
			out = realloc(out, cap);
		}
		bool same = prev_t && prev_tl == tl && !memcmp(prev_t, t, tl);
		if (!same)
			len += (size_t)snprintf(out + len, cap - len,
			                        "%s\"%s\":{", prev_t ? "}," : "",
			                        t);
		else
			out[len++] = ',';
		len += (size_t)snprintf(out + len, cap - len, "\"%s\":\"%s\"",
		                        sk, id);
		prev_t = t;
		prev_tl = tl;
	}
	if (len + 4 > cap)
		out = realloc(out, cap = len + 4);
	len += (size_t)snprintf(out + len, cap - len, "%s}",
	                        prev_t ? "}" : "");
	/* normalise through the canonical encoder */
	mxc_json *j = test_parse(out, 0);
	free(out);
	char *c = test_canonical(j);
	mxc_json_free(j);
	return c;
}

static void
assert_state(const mxc_state *st, const mxc_json *expected, const char *name)
{
	char *got = state_text(st);
	char *want = test_canonical(expected);
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n got  %s\n want %s", name,
	              got, want);
	free(got);
	free(want);
}

/* ---- accessors and the hash map --------------------------------------- */

START_TEST(test_strmap)
{
	mxc__strmap m;
	ck_assert_int_eq(mxc__strmap_init(&m, NULL, 0), MXC_OK);
	static char keys[5000][12];
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof keys[i], "$k%d", i);
		bool found = true;
		uint32_t *v = mxc__strmap_put(&m, keys[i], strlen(keys[i]),
		                              &found);
		ck_assert_ptr_nonnull(v);
		ck_assert(!found);
		*v = (uint32_t)i;
	}
	ck_assert_uint_eq(m.n, 5000);
	for (int i = 0; i < 5000; i++) {
		uint32_t *v = mxc__strmap_get(&m, keys[i], strlen(keys[i]));
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(*v, (uint32_t)i);
	}
	ck_assert_ptr_null(mxc__strmap_get(&m, "$k5000", 6));
	ck_assert_ptr_null(mxc__strmap_get(&m, "$k1", 2)); /* prefix */
	/* an empty key and a key with NUL bytes are ordinary keys */
	bool found;
	ck_assert_ptr_nonnull(mxc__strmap_put(&m, "", 0, &found));
	ck_assert(!found);
	ck_assert_ptr_nonnull(mxc__strmap_put(&m, "a\0b", 3, &found));
	ck_assert(!found);
	ck_assert_ptr_null(mxc__strmap_get(&m, "a\0c", 3));
	ck_assert_ptr_nonnull(mxc__strmap_get(&m, "", 0));
	mxc__strmap_dispose(&m);
}
END_TEST

/* ---- gomatrixserverlib building blocks ------------------------------ */

typedef struct item {
	const char *id;
	int64_t pl, ts;
} item;

static bool
item_less(uint32_t a, uint32_t b, const void *ud)
{
	const item *it = ud;
	if (it[a].pl != it[b].pl)
		return it[a].pl > it[b].pl;
	if (it[a].ts != it[b].ts)
		return it[a].ts < it[b].ts;
	return strcmp(it[a].id, it[b].id) < 0;
}

/* Build a labelled room-v2 event for an auth graph node. */
static char *
graph_event(const char *id, const mxc_json *auth)
{
	char buf[4096];
	size_t len = (size_t)snprintf(buf, sizeof buf,
		"{\"event_id\":\"%s\",\"type\":\"m.room.topic\","
		"\"state_key\":\"\",\"sender\":\"@a:x\",\"content\":{},"
		"\"room_id\":\"!r:x\",\"auth_events\":[", id);
	for (size_t i = 0; i < mxc_json_size(auth); i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\"%s\"",
		                        i ? "," : "",
		                        mxc_json_get_string(mxc_json_at(auth, i),
		                                            NULL));
	snprintf(buf + len, sizeof buf - len, "],\"prev_events\":[]}");
	return strdup(buf);
}

static void
check_id_list(const mxc_id_list *l, const mxc_json *want, const char *name)
{
	ck_assert_msg(mxc_id_list_size(l) == mxc_json_size(want),
	              "%s: %zu IDs, want %zu", name, mxc_id_list_size(l),
	              mxc_json_size(want));
	/* both sorted by bytes */
	const char **w = calloc(mxc_json_size(want) + 1, sizeof *w);
	for (size_t i = 0; i < mxc_json_size(want); i++)
		w[i] = mxc_json_get_string(mxc_json_at(want, i), NULL);
	for (size_t i = 0; i < mxc_json_size(want); i++)
		for (size_t j = i + 1; j < mxc_json_size(want); j++)
			if (strcmp(w[j], w[i]) < 0) {
				const char *t = w[i];
				w[i] = w[j];
				w[j] = t;
			}
	for (size_t i = 0; i < mxc_json_size(want); i++)
		ck_assert_msg(strcmp(mxc_id_list_at(l, i, NULL), w[i]) == 0,
		              "%s: [%zu] %s, want %s", name, i,
		              mxc_id_list_at(l, i, NULL), w[i]);
	free(w);
}

START_TEST(test_gmsl_primitives)
{
	mxc_json *doc = test_load_vectors("state_res/stateres_primitives_gmsl.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	size_t n_checked = 0, n_subgraphs = 0;
	for (size_t c = 0; c < mxc_json_size(cases); c++) {
		const mxc_json *cs = mxc_json_at(cases, c);
		const char *kind = test_str(cs, "kind", NULL);
		const char *name = test_str(cs, "name", NULL);
		if (!strcmp(kind, "power_ordering")) {
			const mxc_json *its = mxc_json_getz(cs, "items");
			size_t n = mxc_json_size(its);
			item *it = calloc(n, sizeof *it);
			uint32_t *order = calloc(n, sizeof *order);
			uint32_t *z = calloc(n + 1, sizeof *z);
			for (size_t i = 0; i < n; i++) {
				const mxc_json *o = mxc_json_at(its, i);
				it[i].id = test_str(o, "event_id", NULL);
				mxc_json_get_int(&it[i].pl,
				                 mxc_json_getz(o, "power_level"));
				mxc_json_get_int(&it[i].ts,
				                 mxc_json_getz(o, "origin_server_ts"));
			}
			mxc__dag d = {n, z, z, z};
			size_t n_out;
			ck_assert_int_eq(mxc__kahn_sort(order, &n_out, &d,
			                                item_less, it, NULL),
			                 MXC_OK);
			const mxc_json *want = mxc_json_getz(cs, "expected_order");
			ck_assert_uint_eq(n_out, mxc_json_size(want));
			for (size_t i = 0; i < n; i++)
				ck_assert_str_eq(it[order[i]].id,
				                 mxc_json_get_string(
				                         mxc_json_at(want, i), NULL));
			free(it);
			free(order);
			free(z);
		} else if (!strcmp(kind, "reverse_topological_power_ordering")) {
			const mxc_json *evs = mxc_json_getz(cs, "events");
			const char *ver = test_str(cs, "room_version", NULL);
			mxc_ctx *ctx = ctx_from_events(ver, evs);
			size_t n = mxc_json_size(evs);
			const char **ids = calloc(n, sizeof *ids);
			const char **out = calloc(n, sizeof *out);
			/* given in reverse, so that input order cannot help */
			for (size_t i = 0; i < n; i++)
				ids[i] = test_str(mxc_json_at(evs, n - 1 - i),
				                  "event_id", NULL);
			ck_assert_int_eq(mxc__state_power_order(out, ctx,
			                                        rv_of(ver), ids,
			                                        n, NULL),
			                 MXC_OK);
			const mxc_json *want = mxc_json_getz(cs, "expected_order");
			for (size_t i = 0; i < n; i++)
				ck_assert_str_eq(out[i], mxc_json_get_string(
				                 mxc_json_at(want, i), NULL));
			free(ids);
			free(out);
			mxc_ctx_free(ctx);
		} else if (!strcmp(kind, "auth_chain")) {
			const mxc_json *g = mxc_json_getz(cs, "auth_graph");
			mxc_ctx *ctx = ctx_new("2");
			for (size_t i = 0; i < mxc_json_size(g); i++) {
				const char *k;
				const mxc_json *a = mxc_json_member(g, i, &k,
				                                    NULL);
				char *t = graph_event(k, a);
				ck_assert_int_eq(mxc_ctx_add_event(ctx, t,
				                                   strlen(t),
				                                   NULL),
				                 MXC_OK);
				free(t);
			}
			const mxc_json *se = mxc_json_getz(cs, "start_events");
			size_t n = mxc_json_size(se);
			const char **ids = calloc(n, sizeof *ids);
			for (size_t i = 0; i < n; i++)
				ids[i] = mxc_json_get_string(mxc_json_at(se, i),
				                             NULL);
			mxc_id_list *l = NULL;
			ck_assert_int_eq(mxc_state_auth_chain(&l, ctx, ids, NULL,
			                                      n, 0, NULL),
			                 MXC_OK);
			check_id_list(l, mxc_json_getz(cs,
			              "expected_full_auth_chain"), name);
			mxc_id_list_free(l);
			/* v2.1 cases: the conflicted state subgraph of
			 * their conflicted events */
			const mxc_json *ce = mxc_json_getz(cs,
			                                   "conflicted_events");
			if (ce) {
				size_t nc = mxc_json_size(ce);
				const char **cids = calloc(nc + 1,
				                           sizeof *cids);
				for (size_t i = 0; i < nc; i++)
					cids[i] = mxc_json_get_string(
						mxc_json_at(ce, i), NULL);
				int rc = mxc__state_conflicted_subgraph(
					&l, ctx, cids, nc, NULL);
				ck_assert_int_eq(rc, MXC_OK);
				check_id_list(l, mxc_json_getz(cs,
				              "expected_conflicted_subgraph"),
				              name);
				mxc_id_list_free(l);
				free(cids);
				n_subgraphs++;
			}
			free(ids);
			mxc_ctx_free(ctx);
		} else {
			ck_abort_msg("unknown kind %s", kind);
		}
		n_checked++;
	}
	ck_assert_uint_eq(n_checked, 8);
	ck_assert_uint_eq(n_subgraphs, 3);
	mxc_json_free(doc);
}
END_TEST

/* ---- Synapse's v2 scenarios, replayed --------------------------------- */

#define MAXN 64

typedef struct snode {
	const mxc_json *ev; /* the scenario's event */
	const char *node_id;
	int prev[MAXN], n_prev;
	bool done;
	mxc_state *after;
} snode;

static int
find_node(snode *ns, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ns[i].node_id, id))
			return i;
	return -1;
}

static void
add_edges(snode *ns, int n, const mxc_json *path)
{
	for (size_t i = 0; i + 1 < mxc_json_size(path); i++) {
		int a = find_node(ns, n, mxc_json_get_string(mxc_json_at(path, i),
		                                             NULL));
		int b = find_node(ns, n, mxc_json_get_string(
		                          mxc_json_at(path, i + 1), NULL));
		ck_assert(a >= 0 && b >= 0);
		bool have = false;
		for (int k = 0; k < ns[a].n_prev; k++)
			have |= ns[a].prev[k] == b;
		if (!have)
			ns[a].prev[ns[a].n_prev++] = b;
	}
}

/* IDs of a state map into a set array. */
static size_t
state_ids(const mxc_state *st, const char **ids)
{
	size_t n = mxc_state_size(st);
	for (size_t i = 0; i < n; i++)
		mxc_state_entry(st, i, NULL, NULL, NULL, NULL, &ids[i], NULL);
	return n;
}

/* Text of an event for the replay: the scenario's fields plus the
 * computed ones. */
static char *
replay_event(const mxc_json *ev, const char *room_id, int64_t ts,
             const char *const *prev, size_t n_prev,
             const char *const *auth, size_t n_auth)
{
	size_t cap = 8192, len = 0;
	char *out = malloc(cap);
	char *content = test_canonical(mxc_json_getz(ev, "content"));
	const mxc_json *sk = mxc_json_getz(ev, "state_key");
	char *skt = sk ? test_canonical(sk) : NULL;
	len += (size_t)snprintf(out + len, cap - len,
		"{\"event_id\":\"%s\",\"type\":\"%s\",\"sender\":\"%s\","
		"\"content\":%s,%s%s%s\"room_id\":\"%s\","
		"\"origin_server_ts\":%lld,\"depth\":%lld,\"prev_events\":[",
		test_str(ev, "event_id", NULL), test_str(ev, "type", NULL),
		test_str(ev, "sender", NULL), content,
		skt ? "\"state_key\":" : "", skt ? skt : "", skt ? "," : "",
		room_id, (long long)ts, (long long)ts);
	for (size_t i = 0; i < n_prev; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s\"%s\"",
		                        i ? "," : "", prev[i]);
	len += (size_t)snprintf(out + len, cap - len, "],\"auth_events\":[");
	for (size_t i = 0; i < n_auth; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s\"%s\"",
		                        i ? "," : "", auth[i]);
	snprintf(out + len, cap - len, "]}");
	free(content);
	free(skt);
	return out;
}

/* Copy a state map, with `id` at (type, sk) when given. */
static mxc_state *
state_with(mxc_ctx *ctx, const mxc_state *base, const char *id)
{
	const char *ids[MAXN * 2];
	size_t n = base ? state_ids(base, ids) : 0;
	if (id) {
		const mxc_event *ev = mxc_ctx_get_event(ctx, id, strlen(id));
		size_t tl, skl;
		const char *t = mxc_event_type(ev, &tl);
		const char *sk = mxc_event_state_key(ev, &skl);
		size_t old_len;
		const char *old = base ? mxc_state_get(base, t, tl, sk, skl,
		                                       &old_len)
		                       : NULL;
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!old || strcmp(ids[i], old))
				ids[k++] = ids[i];
		n = k;
		ids[n++] = id;
	}
	/* one set resolves to itself: a cheap way to build a map */
	sets s = {ids, &n, 1, n};
	return resolve(ctx, &s, 0);
}

static void
replay_case(const mxc_json *doc, const mxc_json *cs, const char *ver)
{
	snode ns[MAXN];
	int n = 0;
	memset(ns, 0, sizeof ns);
	const mxc_json *lists[2] = {mxc_json_getz(doc, "initial_events"),
	                            mxc_json_getz(cs, "events")};
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < mxc_json_size(lists[l]); i++) {
			ns[n].ev = mxc_json_at(lists[l], i);
			ns[n].node_id = test_str(ns[n].ev, "node_id", NULL);
			n++;
		}
	add_edges(ns, n, mxc_json_getz(doc, "initial_edges"));
	const mxc_json *edges = mxc_json_getz(cs, "edges");
	for (size_t i = 0; i < mxc_json_size(edges); i++)
		add_edges(ns, n, mxc_json_at(edges, i));
	const char *room_id = test_str(doc, "room_id", NULL);
	mxc_ctx *ctx = ctx_new(ver);
	const char *name = test_str(cs, "name", NULL);
	for (int64_t ts = 0; ts < n; ts++) {
		/* lexicographical topological sort by node_id */
		int pick = -1;
		for (int i = 0; i < n; i++) {
			if (ns[i].done)
				continue;
			bool ready = true;
			for (int k = 0; k < ns[i].n_prev; k++)
				ready &= ns[ns[i].prev[k]].done;
			if (ready && (pick < 0 ||
			              strcmp(ns[i].node_id, ns[pick].node_id) < 0))
				pick = i;
		}
		ck_assert_msg(pick >= 0, "%s: cycle in the scenario", name);
		snode *nd = &ns[pick];
		/* state before */
		mxc_state *before = NULL;
		if (nd->n_prev == 1) {
			before = state_with(ctx, ns[nd->prev[0]].after, NULL);
		} else if (nd->n_prev > 1) {
			const char *ids[MAXN * 8];
			size_t sizes[MAXN], total = 0;
			for (int k = 0; k < nd->n_prev; k++) {
				sizes[k] = state_ids(ns[nd->prev[k]].after,
				                     ids + total);
				total += sizes[k];
			}
			sets s = {ids, sizes, (size_t)nd->n_prev, total};
			before = resolve(ctx, &s, 0);
		}
		/* auth events from the state before */
		const char *prev[MAXN], *auth[MXC_AUTH_TYPES_MAX];
		for (int k = 0; k < nd->n_prev; k++)
			prev[k] = test_str(ns[nd->prev[k]].ev, "event_id", NULL);
		char *draft = replay_event(nd->ev, room_id, ts, prev,
		                           (size_t)nd->n_prev, NULL, 0);
		mxc_event *dev = NULL;
		ck_assert_int_eq(mxc_event_parse(&dev, rv_of(ver), draft,
		                                 strlen(draft),
		                                 MXC_EVENT_PARSE_LABELLED, NULL,
		                                 NULL), MXC_OK);
		mxc_auth_type types[MXC_AUTH_TYPES_MAX];
		size_t nt = 0, na = 0;
		ck_assert_int_eq(mxc_auth_types(types, MXC_AUTH_TYPES_MAX, &nt, dev, NULL), MXC_OK);
		for (size_t t = 0; t < nt && before; t++) {
			const char *a = mxc_state_get(before, types[t].type,
			                              types[t].type_len,
			                              types[t].state_key,
			                              types[t].state_key_len,
			                              NULL);
			if (a)
				auth[na++] = a;
		}
		char *text = replay_event(nd->ev, room_id, ts, prev,
		                          (size_t)nd->n_prev, auth, na);
		ck_assert_int_eq(mxc_ctx_add_event(ctx, text, strlen(text),
		                                   NULL), MXC_OK);
		nd->after = state_with(ctx, before,
		                       mxc_event_is_state(dev)
		                               ? test_str(nd->ev, "event_id",
		                                          NULL)
		                               : NULL);
		mxc_event_free(dev);
		free(draft);
		free(text);
		mxc_state_free(before);
		nd->done = true;
	}
	/* check */
	const mxc_state *end = ns[find_node(ns, n, "END")].after;
	const mxc_state *start = ns[find_node(ns, n, "START")].after;
	const mxc_json *want = mxc_json_getz(cs, "expected_state_ids");
	size_t matched = 0;
	for (size_t i = 0; i < mxc_state_size(end); i++) {
		const char *t, *sk, *id;
		size_t tl, skl;
		mxc_state_entry(end, i, &t, &tl, &sk, &skl, &id, NULL);
		const char *sid = mxc_state_get(start, t, tl, sk, skl, NULL);
		bool expected = false;
		for (size_t w = 0; w < mxc_json_size(want); w++) {
			char eid[128];
			snprintf(eid, sizeof eid, "$%s:example.com",
			         mxc_json_get_string(mxc_json_at(want, w), NULL));
			const mxc_event *we = mxc_ctx_get_event(ctx, eid,
			                                        strlen(eid));
			size_t wtl, wskl;
			const char *wt = mxc_event_type(we, &wtl);
			const char *wsk = mxc_event_state_key(we, &wskl);
			if (wtl == tl && wskl == skl && !memcmp(wt, t, tl) &&
			    !memcmp(wsk, sk, skl)) {
				ck_assert_msg(!strcmp(id, eid),
				              "%s (v%s): %s/%s is %s, want %s",
				              name, ver, t, sk, id, eid);
				expected = true;
				matched++;
			}
		}
		if (!expected)
			ck_assert_msg(sid && !strcmp(sid, id),
			              "%s (v%s): unexpected change %s/%s -> %s",
			              name, ver, t, sk, id);
	}
	ck_assert_msg(matched == mxc_json_size(want),
	              "%s: %zu of %zu expected keys", name, matched,
	              mxc_json_size(want));
	for (int i = 0; i < n; i++)
		mxc_state_free(ns[i].after);
	mxc_ctx_free(ctx);
}

START_TEST(test_synapse_v2)
{
	mxc_json *doc = test_load_vectors("state_res/stateres_synapse_v2.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_eq(mxc_json_size(cases), 7);
	for (size_t c = 0; c < mxc_json_size(cases); c++)
		replay_case(doc, mxc_json_at(cases, c),
		            test_str(mxc_json_at(cases, c), "room_version",
		                     NULL));
	/* the explicit case: state sets given as entries */
	const mxc_json *ex = mxc_json_at(mxc_json_getz(doc, "explicit_cases"),
	                                 0);
	mxc_ctx *ctx = ctx_from_events(test_str(ex, "room_version", NULL),
	                               mxc_json_getz(ex, "events"));
	const mxc_json *ss = mxc_json_getz(ex, "state_sets");
	const char *ids[64];
	size_t sizes[8], total = 0;
	for (size_t s = 0; s < mxc_json_size(ss); s++) {
		const mxc_json *set = mxc_json_at(ss, s);
		sizes[s] = mxc_json_size(set);
		for (size_t i = 0; i < sizes[s]; i++)
			ids[total++] = test_str(mxc_json_at(set, i), "event_id",
			                        NULL);
	}
	sets s = {ids, sizes, mxc_json_size(ss), total};
	mxc_state *st = resolve(ctx, &s, 0);
	const mxc_json *want = mxc_json_getz(ex, "expected_state");
	ck_assert_uint_eq(mxc_state_size(st), mxc_json_size(want));
	for (size_t i = 0; i < mxc_json_size(want); i++) {
		const mxc_json *w = mxc_json_at(want, i);
		size_t tl, skl;
		const char *t = test_str(w, "type", &tl);
		const char *sk = test_str(w, "state_key", &skl);
		const char *id = mxc_state_get(st, t, tl, sk, skl, NULL);
		ck_assert_ptr_nonnull(id);
		ck_assert_str_eq(id, test_str(w, "event_id", NULL));
	}
	mxc_state_free(st);
	mxc_ctx_free(ctx);
	mxc_json_free(doc);
}
END_TEST

/* ---- hand-worked scenarios ------------------------------------------- */

static mxc_ctx *
scenario_ctx(const mxc_json *cs)
{
	mxc_ctx *ctx = ctx_from_events(test_str(cs, "room_version", NULL),
	                               mxc_json_getz(cs, "events"));
	const mxc_json *rej = mxc_json_getz(cs, "rejected");
	for (size_t i = 0; i < mxc_json_size(rej); i++) {
		size_t l;
		const char *id = mxc_json_get_string(mxc_json_at(rej, i), &l);
		ck_assert_int_eq(mxc_ctx_set_rejected(ctx, id, l, NULL),
		                 MXC_OK);
	}
	return ctx;
}

START_TEST(test_scenarios)
{
	mxc_json *doc = test_load_vectors("state_res/scenarios.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	ck_assert_uint_ge(mxc_json_size(cases), 9);
	for (size_t c = 0; c < mxc_json_size(cases); c++) {
		const mxc_json *cs = mxc_json_at(cases, c);
		mxc_ctx *ctx = scenario_ctx(cs);
		sets s;
		sets_from_json(&s, mxc_json_getz(cs, "state_sets"));
		mxc_state *st = resolve(ctx, &s, 0);
		assert_state(st, mxc_json_getz(cs, "expected_state"),
		             test_str(cs, "name", NULL));
		/* the sets in reverse order, events in reverse order */
		sets r;
		sets_from_json(&r, mxc_json_getz(cs, "state_sets"));
		for (size_t i = 0; i < r.total / 2; i++) {
			const char *t = r.ids[i];
			r.ids[i] = r.ids[r.total - 1 - i];
			r.ids[r.total - 1 - i] = t;
		}
		for (size_t i = 0; i < r.n / 2; i++) {
			size_t t = r.sizes[i];
			r.sizes[i] = r.sizes[r.n - 1 - i];
			r.sizes[r.n - 1 - i] = t;
		}
		mxc_state *st2 = resolve(ctx, &r, 0);
		assert_state(st2, mxc_json_getz(cs, "expected_state"),
		             test_str(cs, "name", NULL));
		mxc_state_free(st);
		mxc_state_free(st2);
		sets_free(&s);
		sets_free(&r);
		mxc_ctx_free(ctx);
	}
	mxc_json_free(doc);
}
END_TEST


/* ---- bad input, missing events, stores -------------------------------- */

static mxc_json *
scenario0(void)
{
	mxc_json *doc = test_load_vectors("state_res/scenarios.json");
	return doc;
}

static int
block_all(mxc_buf *out, const char *id, void *ud)
{
	(void)out;
	(void)id;
	(void)ud;
	return MXC_ERR_WOULDBLOCK;
}

static int
odd_code(mxc_buf *out, const char *id, void *ud)
{
	(void)out;
	(void)id;
	(void)ud;
	return -7;
}

typedef struct handover {
	mxc_ctx *ctx;
	mxc_memstore *ms;
	int calls;
} handover;

/* A blocking host that hands the event over from inside the callback. */
static int
hand_over(mxc_buf *out, const char *id, void *ud)
{
	handover *h = ud;
	size_t len;
	(void)out;
	h->calls++;
	const char *j = mxc_memstore_get(h->ms, id, strlen(id), &len);
	if (!j)
		return MXC_ERR_NOT_FOUND;
	return mxc_ctx_add_event(h->ctx, j, len, NULL);
}

START_TEST(test_missing_and_stores)
{
	mxc_json *doc = scenario0();
	const mxc_json *cs = mxc_json_at(mxc_json_getz(doc, "cases"), 0);
	const mxc_json *evs = mxc_json_getz(cs, "events");
	const mxc_json *want = mxc_json_getz(cs, "expected_state");
	sets s;
	sets_from_json(&s, mxc_json_getz(cs, "state_sets"));
	const mxc_room_version *rv = rv_of("2");
	mxc_memstore *ms = NULL;
	ck_assert_int_eq(mxc_memstore_new(&ms, rv, MXC_EVENT_PARSE_LABELLED,
	                                  NULL, NULL), MXC_OK);
	for (size_t i = 0; i < mxc_json_size(evs); i++) {
		char *t = test_canonical(mxc_json_at(evs, i));
		ck_assert_int_eq(mxc_memstore_add(ms, t, strlen(t), NULL, NULL),
		                 MXC_OK);
		free(t);
	}

	/* no store, nothing held: every listed event is missing */
	mxc_ctx *ctx = ctx_new("2");
	mxc_state *st = NULL;
	mxc_error e;
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, s.ids, NULL, s.sizes,
	                                   s.n, 0, &e), MXC_ERR_MISSING_EVENT);
	ck_assert_ptr_null(st);
	ck_assert_uint_eq(mxc_ctx_missing_count(ctx), 7); /* distinct IDs */
	ck_assert_str_eq(e.subject, s.ids[0]);
	ck_assert_ptr_null(mxc_ctx_missing(ctx, 7, NULL));

	/* an asynchronous host: every call blocks; the host fetches what
	 * is listed and calls again until done */
	mxc_store_ops ops = MXC_STORE_OPS_INIT;
	ops.get_event = block_all;
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &ops, NULL), MXC_OK);
	int rounds = 0, rc;
	while ((rc = mxc_state_resolve(&st, ctx, rv, s.ids, NULL, s.sizes,
	                               s.n, 0, &e)) == MXC_ERR_NEED_INPUT) {
		ck_assert_ptr_null(st);
		ck_assert_uint_gt(mxc_ctx_missing_count(ctx), 0);
		for (size_t i = 0; i < mxc_ctx_missing_count(ctx); i++) {
			size_t l, jl;
			const char *id = mxc_ctx_missing(ctx, i, &l);
			const char *j = mxc_memstore_get(ms, id, l, &jl);
			ck_assert_ptr_nonnull(j);
			ck_assert_int_eq(mxc_ctx_add_event(ctx, j, jl, NULL),
			                 MXC_OK);
		}
		ck_assert_int_lt(++rounds, 10);
	}
	ck_assert_int_eq(rc, MXC_OK);
	ck_assert_int_eq(rounds, 1); /* the auth events are all listed */
	ck_assert_uint_eq(mxc_ctx_missing_count(ctx), 0);
	assert_state(st, want, "async host");
	mxc_state_free(st);
	mxc_ctx_free(ctx);

	/* a blocking host through the in-memory store */
	ctx = ctx_new("2");
	ck_assert_int_eq(mxc_memstore_ops(&ops, ms), MXC_OK);
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &ops, NULL), MXC_OK);
	st = resolve(ctx, &s, 0);
	assert_state(st, want, "memstore host");
	mxc_state_free(st);
	ck_assert_uint_eq(mxc_ctx_event_count(ctx), mxc_memstore_size(ms));
	mxc_ctx_free(ctx);

	/* a blocking host handing events over from inside the callback */
	ctx = ctx_new("2");
	handover h = {ctx, ms, 0};
	mxc_store_ops ho = MXC_STORE_OPS_INIT;
	ho.get_event = hand_over;
	ho.user_data = &h;
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &ho, NULL), MXC_OK);
	st = resolve(ctx, &s, 0);
	assert_state(st, want, "hand-over host");
	mxc_state_free(st);
	ck_assert_int_eq(h.calls, 7); /* each event fetched once */
	st = resolve(ctx, &s, 0);     /* then held by the context */
	mxc_state_free(st);
	ck_assert_int_eq(h.calls, 7);
	mxc_ctx_free(ctx);

	/* a store breaking its contract */
	ctx = ctx_new("2");
	mxc_store_ops bad = MXC_STORE_OPS_INIT;
	bad.get_event = odd_code;
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &bad, NULL), MXC_OK);
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, s.ids, NULL, s.sizes,
	                                   s.n, 0, &e), MXC_ERR_CALLBACK);
	ck_assert_int_eq(e.reason, -7);
	/* tables the library refuses */
	bad.version = MXC_STORE_OPS_VERSION + 1;
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &bad, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	bad.version = MXC_STORE_OPS_VERSION;
	bad.get_event = NULL;
	ck_assert_int_eq(mxc_ctx_set_store(ctx, &bad, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* the room version must be the context's */
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv_of("3"), s.ids, NULL,
	                                   s.sizes, s.n, 0, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_ctx_free(ctx);

	sets_free(&s);
	mxc_memstore_free(ms);
	mxc_json_free(doc);
}
END_TEST

static void
add_text(mxc_ctx *ctx, const char *t)
{
	mxc_error e;
	int rc = mxc_ctx_add_event(ctx, t, strlen(t), &e);
	ck_assert_msg(rc == MXC_OK, "%s: %s", t, e.message);
}

#define TOPIC(id, room, auth) \
	"{\"event_id\":\"" id "\",\"type\":\"m.room.topic\"," \
	"\"state_key\":\"\",\"sender\":\"@a:x\",\"content\":{}," \
	"\"room_id\":\"" room "\",\"auth_events\":[" auth "]," \
	"\"prev_events\":[]}"

START_TEST(test_bad_input)
{
	const mxc_room_version *rv = rv_of("2");
	mxc_state *st = NULL;
	mxc_error e;
	const char *ids[4];
	size_t sizes[2];

	/* a cycle in auth_events */
	mxc_ctx *ctx = ctx_new("2");
	add_text(ctx, TOPIC("$A", "!r:x", "\"$B\""));
	add_text(ctx, TOPIC("$B", "!r:x", "\"$C\""));
	add_text(ctx, TOPIC("$C", "!r:x", "\"$A\""));
	ids[0] = "$A";
	sizes[0] = 1;
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, &e), MXC_ERR_BAD_EVENT);
	ck_assert(strstr(e.message, "cycle") != NULL);
	ck_assert(e.subject[0] == '$');
	mxc_id_list *l = NULL;
	ck_assert_int_eq(mxc_state_auth_chain(&l, ctx, ids, NULL, 1, 0, NULL),
	                 MXC_ERR_BAD_EVENT);
	/* an event naming itself */
	add_text(ctx, TOPIC("$S", "!r:x", "\"$S\""));
	ids[0] = "$S";
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, &e), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(e.subject, "$S");
	mxc_ctx_free(ctx);

	/* an event of another room */
	ctx = ctx_new("2");
	add_text(ctx, TOPIC("$A", "!r:x", ""));
	add_text(ctx, TOPIC("$O", "!other:x", "\"$A\""));
	ids[0] = "$O";
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, &e), MXC_ERR_BAD_EVENT);
	ck_assert(strstr(e.message, "another room") != NULL);
	/* two different events with one ID */
	ck_assert_int_eq(mxc_ctx_add_event(ctx, TOPIC("$A", "!r:x", "\"$O\""),
	                                   strlen(TOPIC("$A", "!r:x",
	                                                "\"$O\"")), &e),
	                 MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(e.subject, "$A");
	/* the same event again is fine */
	add_text(ctx, TOPIC("$A", "!r:x", ""));
	ck_assert_uint_eq(mxc_ctx_event_count(ctx), 2);
	mxc_ctx_free(ctx);

	/* a message in a state set; two events for one key in one set */
	ctx = ctx_new("2");
	add_text(ctx, TOPIC("$A", "!r:x", ""));
	add_text(ctx, TOPIC("$B", "!r:x", ""));
	add_text(ctx, "{\"event_id\":\"$M\",\"type\":\"m.room.message\","
	              "\"sender\":\"@a:x\",\"content\":{},\"room_id\":\"!r:x\","
	              "\"auth_events\":[],\"prev_events\":[]}");
	ids[0] = "$M";
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, &e), MXC_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(e.subject, "$M");
	ids[0] = "$A";
	ids[1] = "$B";
	sizes[0] = 2;
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, &e), MXC_ERR_INVALID_ARGUMENT);
	ck_assert_str_eq(e.subject, "$B");
	/* the same event listed twice is one entry */
	ids[1] = "$A";
	st = NULL;
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, ids, NULL, sizes, 1,
	                                   0, NULL), MXC_OK);
	ck_assert_uint_eq(mxc_state_size(st), 1);
	mxc_state_free(st);
	/* no state sets: an empty state */
	ck_assert_int_eq(mxc_state_resolve(&st, ctx, rv, NULL, NULL, NULL, 0,
	                                   0, NULL), MXC_OK);
	ck_assert_uint_eq(mxc_state_size(st), 0);
	ck_assert_int_eq(mxc_state_entry(st, 0, NULL, NULL, NULL, NULL, NULL,
	                                 NULL), MXC_ERR_INVALID_ARGUMENT);
	mxc_state_free(st);
	ck_assert_int_eq(mxc_state_resolve(NULL, ctx, rv, ids, NULL, sizes, 1,
	                                   0, NULL), MXC_ERR_INVALID_ARGUMENT);
	mxc_ctx_free(ctx);
}
END_TEST

/* The two readings of the auth difference (DESIGN.md): S1 = {U, X} with
 * X citing U, S2 = {U, Y} with Y not citing U. */
START_TEST(test_auth_difference_readings)
{
	mxc_ctx *ctx = ctx_new("2");
	add_text(ctx, TOPIC("$R", "!r:x", ""));
	add_text(ctx, TOPIC("$U", "!r:x", "\"$R\""));
	add_text(ctx, TOPIC("$X", "!r:x", "\"$U\""));
	add_text(ctx, TOPIC("$Y", "!r:x", "\"$R\""));
	const char *ids[] = {"$U", "$X", "$Y", "$U"};
	size_t sizes[] = {2, 2};
	mxc_id_list *l = NULL;
	ck_assert_int_eq(mxc_state_auth_difference(&l, ctx, ids, NULL, sizes, 2,
	                                           0, NULL), MXC_OK);
	/* deployed: chains {U, X, R} and {U, Y, R} */
	ck_assert_uint_eq(mxc_id_list_size(l), 2);
	ck_assert_str_eq(mxc_id_list_at(l, 0, NULL), "$X");
	ck_assert_str_eq(mxc_id_list_at(l, 1, NULL), "$Y");
	mxc_id_list_free(l);
	ck_assert_int_eq(mxc_state_auth_difference(&l, ctx, ids, NULL, sizes, 2,
	                                           MXC_STATE_RES_LITERAL_AUTH_DIFF,
	                                           NULL), MXC_OK);
	/* literal: chains {U, R} and {R} */
	ck_assert_uint_eq(mxc_id_list_size(l), 1);
	ck_assert_str_eq(mxc_id_list_at(l, 0, NULL), "$U");
	mxc_id_list_free(l);
	/* one set: no difference */
	ck_assert_int_eq(mxc_state_auth_difference(&l, ctx, ids, NULL, sizes, 1,
	                                           0, NULL), MXC_OK);
	ck_assert_uint_eq(mxc_id_list_size(l), 0);
	mxc_id_list_free(l);
	/* auth chain with and without the events themselves */
	ck_assert_int_eq(mxc_state_auth_chain(&l, ctx, ids + 1, NULL, 1,
	                                      MXC_STATE_AUTH_CHAIN_INCLUDE_SELF,
	                                      NULL), MXC_OK);
	ck_assert_uint_eq(mxc_id_list_size(l), 3);
	mxc_id_list_free(l);
	mxc_ctx_free(ctx);
}
END_TEST

/* The conflicted state subgraph (rooms/v12, Definitions: "the union of
 * all such paths between any pair of events in the conflicted state set
 * (including endpoints)"), worked by hand on A <- B <- C <- D and
 * A <- X (arrows: cited by). */
START_TEST(test_conflicted_subgraph)
{
	mxc_ctx *ctx = ctx_new("12");
	add_text(ctx, TOPIC("$A", "!r:x", ""));
	add_text(ctx, TOPIC("$B", "!r:x", "\"$A\""));
	add_text(ctx, TOPIC("$C", "!r:x", "\"$B\""));
	add_text(ctx, TOPIC("$D", "!r:x", "\"$C\""));
	add_text(ctx, TOPIC("$X", "!r:x", "\"$A\""));
	static const struct {
		const char *conflicted[4];
		const char *want;
	} cases[] = {
		/* D to B through C; X is on no path between two */
		{{"$D", "$B", "$X"}, "$B $C $D"},
		/* one event, or two with no path between them: empty */
		{{"$X"}, ""},
		{{"$D", "$X"}, ""},
		/* down to the root */
		{{"$D", "$A"}, "$A $B $C $D"},
		{{"$D", "$A", "$X"}, "$A $B $C $D $X"},
		/* neighbours: the endpoints only */
		{{"$C", "$D"}, "$C $D"},
	};
	for (size_t c = 0; c < MXC_ARRAY_LEN(cases); c++) {
		size_t n = 0;
		while (n < 4 && cases[c].conflicted[n])
			n++;
		mxc_id_list *l = NULL;
		ck_assert_int_eq(mxc__state_conflicted_subgraph(
		                         &l, ctx, cases[c].conflicted, n, NULL),
		                 MXC_OK);
		char got[64] = "";
		for (size_t i = 0; i < mxc_id_list_size(l); i++) {
			size_t k = strlen(got);
			snprintf(got + k, sizeof got - k, "%s%s", i ? " " : "",
			         mxc_id_list_at(l, i, NULL));
		}
		ck_assert_msg(!strcmp(got, cases[c].want), "case %zu: %s, "
		              "want %s", c, got, cases[c].want);
		mxc_id_list_free(l);
	}
	/* bad input: a missing event, a cycle */
	mxc_id_list *l = NULL;
	mxc_error e;
	const char *ids[] = {"$D", "$nope"};
	ck_assert_int_eq(mxc__state_conflicted_subgraph(&l, ctx, ids, 2, &e),
	                 MXC_ERR_MISSING_EVENT);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(mxc__state_conflicted_subgraph(NULL, ctx, ids, 2,
	                                                NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_ctx_free(ctx);
	ctx = ctx_new("12");
	add_text(ctx, TOPIC("$P", "!r:x", "\"$Q\""));
	add_text(ctx, TOPIC("$Q", "!r:x", "\"$P\""));
	ids[0] = "$P";
	ck_assert_int_eq(mxc__state_conflicted_subgraph(&l, ctx, ids, 1, &e),
	                 MXC_ERR_BAD_EVENT);
	ck_assert(strstr(e.message, "cycle") != NULL);
	mxc_ctx_free(ctx);
}
END_TEST

/* ---- properties on generated rooms ------------------------------------ */

typedef struct gen {
	uint64_t seed;
	bool v12;
	mxc_ctx *ctx;
	int n_ev, n_users;
	/* current state: (type, state_key) -> id, small linear map */
	char keys[512][96];
	char vals[512][24];
	int n_state;
	char last[24];
} gen;

static uint32_t
rnd(gen *g)
{
	g->seed = g->seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(g->seed >> 33);
}

static const char *
gst(gen *g, const char *key)
{
	for (int i = 0; i < g->n_state; i++)
		if (!strcmp(g->keys[i], key))
			return g->vals[i];
	return NULL;
}

static void
gset(gen *g, const char *key, const char *id)
{
	for (int i = 0; i < g->n_state; i++)
		if (!strcmp(g->keys[i], key)) {
			snprintf(g->vals[i], sizeof g->vals[i], "%s", id);
			return;
		}
	snprintf(g->keys[g->n_state], sizeof g->keys[0], "%s", key);
	snprintf(g->vals[g->n_state++], sizeof g->vals[0], "%s", id);
}

static void
gen_event(gen *g, const char *type, const char *sk, const char *sender,
          const char *content, const char *target)
{
	char id[24], auth[512] = "", key[96], buf[2048];
	snprintf(id, sizeof id, "$e%d", g->n_ev++);
	const char *want[5];
	int nw = 0;
	if (!g->v12)
		want[nw++] = "m.room.create|";
	want[nw++] = "m.room.power_levels|";
	char sm[96], tm[96];
	snprintf(sm, sizeof sm, "m.room.member|%s", sender);
	want[nw++] = sm;
	if (target) {
		snprintf(tm, sizeof tm, "m.room.member|%s", target);
		want[nw++] = tm;
		want[nw++] = "m.room.join_rules|";
	}
	for (int i = 0; i < nw; i++) {
		const char *a = gst(g, want[i]);
		char quoted[32];
		/* quoted, so that "$e1" is not found inside "$e13" */
		snprintf(quoted, sizeof quoted, "\"%s\"", a ? a : "");
		if (a && !strstr(auth, quoted)) {
			size_t l = strlen(auth);
			snprintf(auth + l, sizeof auth - l, "%s\"%s\"",
			         l ? "," : "", a);
		}
	}
	snprintf(buf, sizeof buf,
	         "{\"event_id\":\"%s\",\"type\":\"%s\",\"state_key\":\"%s\","
	         "\"sender\":\"%s\",\"content\":%s,%s\"origin_server_ts\":%d,"
	         "\"depth\":%d,\"auth_events\":[%s],\"prev_events\":[%s%s%s]}",
	         id, type, sk, sender, content,
	         g->v12 && !strcmp(type, "m.room.create")
	                 ? ""
	                 : g->v12 ? "\"room_id\":\"!e0\","
	                          : "\"room_id\":\"!r:x\",",
	         (int)(rnd(g) % 50), g->n_ev, auth, g->last[0] ? "\"" : "",
	         g->last, g->last[0] ? "\"" : "");
	add_text(g->ctx, buf);
	snprintf(key, sizeof key, "%s|%s", type, sk);
	gset(g, key, id);
	snprintf(g->last, sizeof g->last, "%s", id);
}

/* A linear room of n events with joins, topics, power level changes and
 * bans; snapshots of its state after some events. */
static void
gen_room(gen *g, int n)
{
	char c[512];
	if (g->n_ev)
		goto more;
	gen_event(g, "m.room.create", "", "@u0:x",
	          g->v12 ? "{\"room_version\":\"12\"}"
	                 : "{\"creator\":\"@u0:x\"}", NULL);
	gen_event(g, "m.room.member", "@u0:x", "@u0:x",
	          "{\"membership\":\"join\"}", "@u0:x");
	gen_event(g, "m.room.power_levels", "", "@u0:x",
	          g->v12 ? "{\"users\":{}}" : "{\"users\":{\"@u0:x\":100}}",
	          NULL);
	gen_event(g, "m.room.join_rules", "", "@u0:x",
	          "{\"join_rule\":\"public\"}", NULL);
	g->n_users = 1;
more:
	for (int i = 0; i < n; i++) {
		char u[32], t[32];
		snprintf(u, sizeof u, "@u%d:x",
		         (int)(rnd(g) % (uint32_t)g->n_users));
		switch (rnd(g) % 5) {
		case 0:
		case 1:
			snprintf(t, sizeof t, "@u%d:x", g->n_users++);
			gen_event(g, "m.room.member", t, t,
			          "{\"membership\":\"join\"}", t);
			break;
		case 2:
			snprintf(c, sizeof c, "{\"topic\":\"t%d\"}", i);
			gen_event(g, "m.room.topic", "", u, c, NULL);
			break;
		case 3:
			if (!strcmp(u, "@u0:x")) {
				gen_event(g, "m.room.power_levels", "", "@u0:x",
				          g->v12 ? "{\"users\":{}}"
				                 : "{\"users\":{\"@u0:x\":100}}",
				          NULL);
				break;
			}
			snprintf(c, sizeof c, "{\"users\":{%s\"%s\":%d}}",
			         g->v12 ? "" : "\"@u0:x\":100,", u,
			         (int)(rnd(g) % 100));
			gen_event(g, "m.room.power_levels", "", "@u0:x", c,
			          NULL);
			break;
		default:
			if (!strcmp(u, "@u0:x"))
				break;
			gen_event(g, "m.room.member", u, "@u0:x",
			          "{\"membership\":\"ban\"}", u);
		}
	}
}

static size_t
snapshot(gen *g, const char **ids)
{
	for (int i = 0; i < g->n_state; i++)
		ids[i] = strdup(g->vals[i]);
	return (size_t)g->n_state;
}

START_TEST(test_properties)
{
	for (int round = 0; round < 8; round++) {
		gen *g = calloc(1, sizeof *g);
		g->seed = 1234 + (uint64_t)round;
		g->v12 = round % 2;
		g->ctx = ctx_new(g->v12 ? "12" : "10");
		const char *ids[3 * 512];
		size_t sizes[3], total = 0;
		/* three snapshots of one history (forks that saw different
		 * prefixes) */
		for (int k = 0; k < 3; k++) {
			gen_room(g, 0 == k ? 40 : 15);
			sizes[k] = snapshot(g, ids + total);
			total += sizes[k];
		}
		const char *ver = g->v12 ? "12" : "10";
		(void)ver;
		/* one set resolves to itself; identical sets to that set */
		for (int k = 0; k < 3; k++) {
			size_t off = k == 0 ? 0 : k == 1 ? sizes[0]
			                                 : sizes[0] + sizes[1];
			sets one = {ids + off, &sizes[k], 1, sizes[k]};
			mxc_state *a = resolve(g->ctx, &one, 0);
			ck_assert_uint_eq(mxc_state_size(a), sizes[k]);
			for (size_t i = 0; i < sizes[k]; i++) {
				const mxc_event *ev = mxc_ctx_get_event(
					g->ctx, ids[off + i], strlen(ids[off + i]));
				size_t tl, skl;
				const char *t = mxc_event_type(ev, &tl);
				const char *sk = mxc_event_state_key(ev, &skl);
				ck_assert_str_eq(mxc_state_get(a, t, tl, sk, skl,
				                               NULL), ids[off + i]);
			}
			const char *tri[3 * 512];
			size_t ts[3] = {sizes[k], sizes[k], sizes[k]};
			for (int r = 0; r < 3; r++)
				memcpy(tri + r * sizes[k], ids + off,
				       sizes[k] * sizeof *tri);
			sets same = {tri, ts, 3, 3 * sizes[k]};
			mxc_state *b = resolve(g->ctx, &same, 0);
			char *at = state_text(a), *bt = state_text(b);
			ck_assert_str_eq(at, bt);
			free(at);
			free(bt);
			mxc_state_free(a);
			mxc_state_free(b);
		}
		/* permuting the sets and the events inside them */
		sets all = {ids, sizes, 3, total};
		mxc_state *ref = resolve(g->ctx, &all, 0);
		char *reft = state_text(ref);
		ck_assert_uint_gt(mxc_state_size(ref), 0);
		for (int p = 0; p < 4; p++) {
			const char *perm[3 * 512];
			size_t psz[3];
			int order[3] = {0, 1, 2};
			for (int i = 2; i > 0; i--) {
				int j = (int)(rnd(g) % (uint32_t)(i + 1));
				int t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
			size_t o = 0;
			for (int k = 0; k < 3; k++) {
				size_t src = 0;
				for (int q = 0; q < order[k]; q++)
					src += sizes[q];
				psz[k] = sizes[order[k]];
				memcpy(perm + o, ids + src, psz[k] * sizeof *perm);
				for (size_t i = psz[k]; i > 1; i--) {
					size_t j = rnd(g) % i;
					const char *t = perm[o + i - 1];
					perm[o + i - 1] = perm[o + j];
					perm[o + j] = t;
				}
				o += psz[k];
			}
			sets ps = {perm, psz, 3, total};
			mxc_state *x = resolve(g->ctx, &ps, 0);
			char *xt = state_text(x);
			ck_assert_str_eq(xt, reft);
			free(xt);
			mxc_state_free(x);
		}
		free(reft);
		mxc_state_free(ref);
		for (size_t i = 0; i < total; i++)
			free((void *)ids[i]);
		mxc_ctx_free(g->ctx);
		free(g);
	}
}
END_TEST

/* ---- v2 and v2.1 agree where the spec says they must ------------------ */

/*
 * rooms/v12 (State resolution) changes v2 in three places: step 2's
 * iterative auth checks start from an empty state map instead of the
 * unconflicted state map U; the conflicted state subgraph S is defined;
 * the full conflicted set is C u D u S instead of C u D (C the conflicted
 * state set, D the auth difference). Everything else (power ordering,
 * mainline ordering, the checks of step 4, step 5) is word for word the
 * same. So the two give one result when:
 *
 *  (A) S adds nothing: S is a subset of C u D. Then the full conflicted
 *      sets are equal, so are the lists of steps 1 and 3 before their
 *      sorting, and the orderings only read the events.
 *  (B) no event of C u D draws on U for a key its own auth events do
 *      not supply: for every key K of its auth events selection
 *      (server-server API), U has no K or the event cites U[K] itself.
 *      The iterative auth checks read, for each such K, the last
 *      accepted event of the list, else (v2) U[K], else (both) the
 *      event's own auth event for K "if the auth event is not rejected".
 *      Under (B) and with no rejected events, both start points give
 *      each event the same state, so the same verdict, so the same
 *      partially resolved state on the keys the lists touch. The
 *      mainline of step 3 then starts from the same power levels event,
 *      except when step 2 accepted none and U has one, P: v2 bases the
 *      mainline on P and v2.1 has none; by (B) every event sorted in
 *      step 3 cites P, so all are at position 0 in v2 and at infinity
 *      in v2.1, and both fall to the same tie-breaks (origin_server_ts,
 *      event ID). Step 4 is step 2 again; step 5 puts U back over the
 *      keys v2 started from.
 *  In v12 the create event is no auth event; the rules always receive
 *  the room's create event, the same one U holds: it is left out of (B).
 *
 * (A) and (B) are computed below from the rooms (they are sufficient,
 * not necessary). No conflict at all satisfies both (C, D, S empty).
 * The comparison is between a room version 10 room (v2) and a room
 * version 12 room (v2.1) that the generator builds from one seed: the
 * same users, event kinds, order, timestamps and labels ($eN is the Nth
 * event in both; the labels map by identity, checked below by type,
 * state key and sender), differing where v12 requires (no room_id on the
 * create event, room ID "!e0" from its label, no create event among the
 * auth events, the creator holding no entry in the power levels). The
 * auth rules give these events the same verdicts in both versions: the
 * creator holds 100 in v10 and every other level is below it.
 */

typedef struct agree_cond {
	bool holds;
	size_t n_conflicted, n_full, n_power;
	char why[256];
} agree_cond;

/* U[key] across the per-set maps, or NULL when the key is conflicted. */
static const char *
unconflicted(mxc_state *const *maps, size_t n_sets, const char *t, size_t tl,
             const char *sk, size_t skl)
{
	const char *v = mxc_state_get(maps[0], t, tl, sk, skl, NULL);
	for (size_t s = 1; v && s < n_sets; s++) {
		const char *w = mxc_state_get(maps[s], t, tl, sk, skl, NULL);
		if (!w || strcmp(v, w))
			return NULL;
	}
	return v;
}

static bool
id_in(const char *id, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], id))
			return true;
	return false;
}

static bool
id_in_list(const char *id, const mxc_id_list *l)
{
	for (size_t i = 0; i < mxc_id_list_size(l); i++)
		if (!strcmp(mxc_id_list_at(l, i, NULL), id))
			return true;
	return false;
}

static void
agree_check(agree_cond *c, mxc_ctx *ctx, const char **ids,
            const size_t *sizes, size_t n_sets)
{
	memset(c, 0, sizeof *c);
	bool v12 = mxc_room_version_state_res(mxc_ctx_room_version(ctx)) ==
	           MXC_STATE_RES_V2_1;
	mxc_state *maps[8];
	size_t off = 0, total = 0;
	for (size_t s = 0; s < n_sets; s++) {
		sets one = {ids + off, (size_t *)&sizes[s], 1, sizes[s]};
		maps[s] = resolve(ctx, &one, 0);
		off += sizes[s];
	}
	total = off;
	/* C: the events of the keys that are not unconflicted */
	const char **conf = calloc(total + 1, sizeof *conf);
	for (size_t s = 0; s < n_sets; s++)
		for (size_t i = 0; i < mxc_state_size(maps[s]); i++) {
			const char *t, *sk, *id;
			size_t tl, skl;
			mxc_state_entry(maps[s], i, &t, &tl, &sk, &skl, &id,
			                NULL);
			if (!unconflicted(maps, n_sets, t, tl, sk, skl) &&
			    !id_in(id, conf, c->n_conflicted))
				conf[c->n_conflicted++] = id;
		}
	mxc_id_list *diff = NULL, *sub = NULL;
	ck_assert_int_eq(mxc_state_auth_difference(&diff, ctx, ids, NULL,
	                                           sizes, n_sets, 0, NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc__state_conflicted_subgraph(&sub, ctx, conf,
	                                                c->n_conflicted, NULL),
	                 MXC_OK);
	c->holds = true;
	/* (A) */
	for (size_t i = 0; c->holds && i < mxc_id_list_size(sub); i++) {
		const char *id = mxc_id_list_at(sub, i, NULL);
		if (!id_in(id, conf, c->n_conflicted) &&
		    !id_in_list(id, diff)) {
			c->holds = false;
			snprintf(c->why, sizeof c->why, "(A): %s in the "
			         "subgraph only", id);
		}
	}
	/* (B), over C u D */
	const char **full = calloc(total + mxc_id_list_size(diff) + 1,
	                           sizeof *full);
	memcpy(full, conf, c->n_conflicted * sizeof *full);
	c->n_full = c->n_conflicted;
	for (size_t i = 0; i < mxc_id_list_size(diff); i++)
		if (!id_in(mxc_id_list_at(diff, i, NULL), full, c->n_full))
			full[c->n_full++] = mxc_id_list_at(diff, i, NULL);
	for (size_t f = 0; c->holds && f < c->n_full; f++) {
		const mxc_event *ev = mxc_ctx_get_event(ctx, full[f],
		                                        strlen(full[f]));
		size_t tl, ml;
		const char *t = mxc_event_type(ev, &tl);
		const char *m = mxc_event_membership(ev, &ml);
		if (!strcmp(t, "m.room.power_levels") ||
		    (m && (!strcmp(m, "ban") || !strcmp(m, "leave"))))
			c->n_power++;
		mxc_auth_type types[MXC_AUTH_TYPES_MAX];
		size_t nt = 0;
		ck_assert_int_eq(mxc_auth_types(types, MXC_AUTH_TYPES_MAX, &nt,
		                                ev, NULL), MXC_OK);
		for (size_t k = 0; k < nt; k++) {
			if (v12 && types[k].type_len == 13 &&
			    !memcmp(types[k].type, "m.room.create", 13))
				continue;
			const mxc_auth_type *ty = &types[k];
			const char *u = unconflicted(maps, n_sets, ty->type,
			                             ty->type_len,
			                             ty->state_key,
			                             ty->state_key_len);
			size_t na = mxc_event_auth_events_count(ev);
			bool cites = false;
			for (size_t a = 0; u && a < na; a++)
				cites |= !strcmp(mxc_event_auth_event(ev, a,
				                                      NULL), u);
			if (u && !cites) {
				c->holds = false;
				snprintf(c->why, sizeof c->why, "(B): %s needs "
				         "%s but does not cite it", full[f], u);
				break;
			}
		}
	}
	free(full);
	free(conf);
	mxc_id_list_free(diff);
	mxc_id_list_free(sub);
	for (size_t s = 0; s < n_sets; s++)
		mxc_state_free(maps[s]);
}

/* Keys on which the resolved states a (room of ctx_a) and b (room of
 * ctx_b) differ, labels mapped by identity; the first in `msg`. Mapped
 * events must have the same type, state key and sender. */
static size_t
states_differ(const mxc_state *a, mxc_ctx *ctx_a, const mxc_state *b,
              mxc_ctx *ctx_b, char *msg, size_t cap)
{
	size_t n = 0;
	msg[0] = 0;
	for (int pass = 0; pass < 2; pass++) {
		const mxc_state *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < mxc_state_size(x); i++) {
			const char *t, *sk, *id;
			size_t tl, skl;
			mxc_state_entry(x, i, &t, &tl, &sk, &skl, &id, NULL);
			const char *o = mxc_state_get(y, t, tl, sk, skl, NULL);
			if (o && !strcmp(o, id)) {
				if (pass)
					continue;
				const mxc_event *ea = mxc_ctx_get_event(
					ctx_a, id, strlen(id));
				const mxc_event *eb = mxc_ctx_get_event(
					ctx_b, id, strlen(id));
				ck_assert(ea && eb);
				ck_assert_str_eq(mxc_event_type(ea, NULL),
				                 mxc_event_type(eb, NULL));
				ck_assert_str_eq(mxc_event_state_key(ea, NULL),
				                 mxc_event_state_key(eb, NULL));
				ck_assert_str_eq(mxc_event_sender(ea, NULL),
				                 mxc_event_sender(eb, NULL));
				continue;
			}
			if (pass && o)
				continue; /* counted in the first pass */
			if (!n++)
				snprintf(msg, cap, "%s/%s: %s vs %s", t, sk,
				         pass ? (o ? o : "-") : id,
				         pass ? id : (o ? o : "-"));
		}
	}
	return n;
}

START_TEST(test_v2_v21_agree)
{
	int qualifying = 0, with_power = 0, skipped = 0;
	for (int round = 0; round < 48; round++) {
		gen *g[2];
		const char *ids[2][3 * 512];
		size_t sizes[2][3], total[2] = {0, 0};
		/* the gaps between the snapshots come from the round, not
		 * from the generator's sequence, which both rooms share */
		int steps[3] = {24 + round % 5, 1 + round % 3,
		                1 + (round / 3) % 4};
		for (int r = 0; r < 2; r++) {
			g[r] = calloc(1, sizeof *g[r]);
			g[r]->seed = 777 + (uint64_t)round;
			g[r]->v12 = r;
			g[r]->ctx = ctx_new(r ? "12" : "10");
			for (int k = 0; k < 3; k++) {
				gen_room(g[r], steps[k]);
				sizes[r][k] = snapshot(g[r], ids[r] + total[r]);
				total[r] += sizes[r][k];
			}
			ck_assert_int_eq(g[r]->n_ev, g[0]->n_ev);
		}
		agree_cond c10, c12;
		agree_check(&c10, g[0]->ctx, ids[0], sizes[0], 3);
		agree_check(&c12, g[1]->ctx, ids[1], sizes[1], 3);
		/* the shape is the same: the same conflicted set size */
		ck_assert_uint_eq(c10.n_conflicted, c12.n_conflicted);
		sets s10 = {ids[0], sizes[0], 3, total[0]};
		sets s12 = {ids[1], sizes[1], 3, total[1]};
		mxc_state *a = resolve(g[0]->ctx, &s10, 0);
		mxc_state *b = resolve(g[1]->ctx, &s12, 0);
		char msg[256];
		size_t nd = states_differ(a, g[0]->ctx, b, g[1]->ctx, msg,
		                          sizeof msg);
		if (c10.holds && c12.holds) {
			ck_assert_msg(nd == 0, "round %d: v2 and v2.1 differ "
			              "on %zu keys (%s)", round, nd, msg);
			qualifying += c10.n_conflicted > 0;
			with_power += c10.n_power > 0;
		} else {
			skipped++;
		}
		mxc_state_free(a);
		mxc_state_free(b);
		/* no conflict at all: each snapshot three times */
		for (int k = 0; k < 3; k++) {
			const char *tri[2][3 * 512];
			size_t ts[2][3];
			size_t off = k == 0 ? 0 : k == 1 ? sizes[0][0]
			                     : sizes[0][0] + sizes[0][1];
			for (int r = 0; r < 2; r++)
				for (int q = 0; q < 3; q++) {
					ts[r][q] = sizes[r][k];
					memcpy(tri[r] + q * sizes[r][k],
					       ids[r] + off,
					       sizes[r][k] * sizeof **tri);
				}
			agree_check(&c10, g[0]->ctx, tri[0], ts[0], 3);
			agree_check(&c12, g[1]->ctx, tri[1], ts[1], 3);
			ck_assert(c10.holds && c12.holds);
			ck_assert_uint_eq(c10.n_full, 0);
			sets t10 = {tri[0], ts[0], 3, 3 * sizes[0][k]};
			sets t12 = {tri[1], ts[1], 3, 3 * sizes[1][k]};
			a = resolve(g[0]->ctx, &t10, 0);
			b = resolve(g[1]->ctx, &t12, 0);
			nd = states_differ(a, g[0]->ctx, b, g[1]->ctx, msg,
			                   sizeof msg);
			ck_assert_msg(nd == 0, "round %d, snapshot %d: %s",
			              round, k, msg);
			mxc_state_free(a);
			mxc_state_free(b);
		}
		for (int r = 0; r < 2; r++) {
			for (size_t i = 0; i < total[r]; i++)
				free((void *)ids[r][i]);
			mxc_ctx_free(g[r]->ctx);
			free(g[r]);
		}
	}
	fprintf(stderr, "v2/v2.1 agreement: %d rounds with conflicts under "
	        "(A) and (B), %d with power events, %d outside\n",
	        qualifying, with_power, skipped);
	/* 32 and 27 with these seeds: the condition is not vacuous */
	ck_assert_int_ge(qualifying, 24);
	ck_assert_int_ge(with_power, 16);
}
END_TEST

/* The negative control: the spec's motivating case (scenarios.json, "power
 * levels lost after a concurrent change and a leave", in room version 2
 * and 12 with the same labels). PL1, in C, needs the sender's membership,
 * which U holds as the leave LA while PL1 cites the join MA: (B) fails,
 * and v2 (checks from U: PL1 and PL2 refused) and v2.1 (checks from the
 * empty state: PL2 wins) differ on the power levels key alone. */
START_TEST(test_v2_v21_differ)
{
	mxc_json *doc = test_load_vectors("state_res/scenarios.json");
	const mxc_json *cases = mxc_json_getz(doc, "cases");
	const mxc_json *cs[2] = {NULL, NULL};
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *x = mxc_json_at(cases, i);
		const char *name = test_str(x, "name", NULL);
		const char *ver = test_str(x, "room_version", NULL);
		if (strstr(name, "power levels lost after a concurrent"))
			cs[strcmp(ver, "12") == 0] = x;
	}
	ck_assert(cs[0] && cs[1]);
	mxc_ctx *ctx[2];
	mxc_state *st[2];
	sets s[2];
	agree_cond c[2];
	for (int r = 0; r < 2; r++) {
		ctx[r] = scenario_ctx(cs[r]);
		sets_from_json(&s[r], mxc_json_getz(cs[r], "state_sets"));
		agree_check(&c[r], ctx[r], s[r].ids, s[r].sizes, s[r].n);
		ck_assert(!c[r].holds);
		ck_assert_msg(strstr(c[r].why, "(B): $PL1:example.com needs "
		                     "$LA:example.com") != NULL, "%s",
		              c[r].why);
		st[r] = resolve(ctx[r], &s[r], 0);
	}
	char msg[256];
	ck_assert_uint_eq(states_differ(st[0], ctx[0], st[1], ctx[1], msg,
	                                sizeof msg), 1);
	ck_assert_str_eq(msg, "m.room.power_levels/: - vs $PL2:example.com");
	for (int r = 0; r < 2; r++) {
		mxc_state_free(st[r]);
		sets_free(&s[r]);
		mxc_ctx_free(ctx[r]);
	}
	mxc_json_free(doc);
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("state-res");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_strmap);
	tcase_add_test(tc, test_gmsl_primitives);
	tcase_add_test(tc, test_synapse_v2);
	tcase_add_test(tc, test_scenarios);
	tcase_add_test(tc, test_missing_and_stores);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_auth_difference_readings);
	tcase_add_test(tc, test_conflicted_subgraph);
	tcase_add_test(tc, test_properties);
	tcase_add_test(tc, test_v2_v21_agree);
	tcase_add_test(tc, test_v2_v21_differ);
	suite_add_tcase(s, tc);
	return s;
}
