/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State resolution (include/matrix-core/state_res.h): v1 (rooms/v1), v2
 * (rooms/v2, the v2-state-res fragment) and v2.1 (rooms/v12), with auth
 * chains and the auth difference.
 *
 * Every call builds a graph of the events it needs: the events of the
 * state sets and (v2, v2.1, auth chains) everything reachable through
 * their auth_events, each fetched once and numbered 0..V-1, with a hash
 * map from event ID to number and the auth_events references as arrays
 * of numbers. Every walk is a loop over an explicit queue or stack; each
 * uses a per-walk stamp so that an event is visited once per walk.
 */
#include <openssl/sha.h>
#include <stdlib.h>

#include "internal.h"

#define NONE UINT32_MAX

enum {
	F_REJECTED = 1u << 0,
	F_COMMON = 1u << 1,     /* in the auth chain of every state set */
	F_CONFLICTED = 1u << 2, /* in the conflicted state set */
	F_FULL = 1u << 3,       /* in the full conflicted set */
	F_X = 1u << 4,          /* picked in step 1 */
	F_POWER_DONE = 1u << 5, /* `power` computed */
	F_ML_DONE = 1u << 6,    /* `mainline` computed */
	F_FORWARD = 1u << 7,    /* v2.1: reachable from a conflicted event */
	F_REACHES = 1u << 8,    /* v2.1: reaches a conflicted event by at
	                         * least one auth_events edge */
	F_ALL_SETS = 1u << 9,   /* listed in every state set */
	F_SUBGRAPH = 1u << 10   /* v2.1: in the conflicted state subgraph */
};

typedef struct node {
	const mxc_event *ev; /* NULL while missing */
	const char *id;
	size_t id_len;
	uint32_t key;        /* state key index, NONE for non-state */
	uint32_t pl_auth;    /* its m.room.power_levels auth event, or NONE */
	uint32_t create_auth;/* its m.room.create auth event, or NONE */
	uint32_t stamp;      /* last walk that visited it */
	uint32_t cnt;        /* auth difference: sets whose chain holds it */
	uint32_t in_sets;    /* state sets listing it */
	uint32_t set_stamp;
	uint32_t mainline;   /* mainline position (NONE: infinite) */
	uint32_t local;      /* index in the list being sorted */
	uint32_t flags;
	int64_t ts, depth, power;
} node;

typedef struct key_info {
	const char *type, *sk;
	size_t type_len, sk_len;
	uint32_t first;   /* first event seen for it in the state sets */
	uint32_t n_sets;  /* sets holding it */
	uint32_t stamp;   /* last set that held it */
	bool differs;
} key_info;

typedef struct graph {
	mxc_ctx *ctx;
	const mxc_room_version *rv;
	const mxc_allocator *alloc;
	mxc_error *err;
	node *nodes;
	size_t n, cap;
	uint32_t *off, *cnt; /* auth edges, CSR per node */
	uint32_t *edges;
	size_t n_edges, cap_edges;
	mxc__strmap by_id;
	mxc__strmap keys;
	key_info *ki;
	size_t n_keys, cap_keys;
	mxc__arena ar;
	uint32_t stamp;
	uint32_t *queue; /* scratch, room for n */
	const mxc_event *create; /* v12: the room's create event */
	const char *room_id;
	size_t room_id_len;
} graph;

static int
nomem(graph *g)
{
	return mxc__err(g->err, MXC_ERR_NOMEM, "state resolution: out of "
	                "memory");
}

static void
graph_free(graph *g)
{
	mxc__free(g->alloc, g->nodes);
	mxc__free(g->alloc, g->off);
	mxc__free(g->alloc, g->cnt);
	mxc__free(g->alloc, g->edges);
	mxc__free(g->alloc, g->ki);
	mxc__free(g->alloc, g->queue);
	mxc__strmap_dispose(&g->by_id);
	mxc__strmap_dispose(&g->keys);
	mxc__arena_free(&g->ar);
}

static int
graph_init(graph *g, mxc_ctx *ctx, const mxc_room_version *rv,
           size_t expect, mxc_error *err)
{
	memset(g, 0, sizeof *g);
	g->ctx = ctx;
	g->rv = rv;
	g->err = err;
	g->alloc = &mxc__libc_allocator;
	mxc__arena_init(&g->ar, g->alloc);
	if (mxc__strmap_init(&g->by_id, g->alloc, expect * 2) ||
	    mxc__strmap_init(&g->keys, g->alloc, expect))
		return nomem(g);
	return MXC_OK;
}

/* The node of an ID, added (not yet fetched) if new. */
static int
intern(graph *g, const char *id, size_t n, uint32_t *out)
{
	bool found;
	uint32_t *v = mxc__strmap_put(&g->by_id, id, n, &found);
	if (!v)
		return nomem(g);
	if (found) {
		*out = *v;
		return MXC_OK;
	}
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 256;
		node *nn = mxc__realloc(g->alloc, g->nodes, nc * sizeof *nn);
		if (!nn)
			return nomem(g);
		g->nodes = nn;
		uint32_t *no = mxc__realloc(g->alloc, g->off, nc * sizeof *no);
		if (!no)
			return nomem(g);
		g->off = no;
		uint32_t *nc2 = mxc__realloc(g->alloc, g->cnt, nc * sizeof *nc2);
		if (!nc2)
			return nomem(g);
		g->cnt = nc2;
		g->cap = nc;
	}
	*v = (uint32_t)g->n;
	node *nd = &g->nodes[g->n];
	memset(nd, 0, sizeof *nd);
	nd->id = id;
	nd->id_len = n;
	nd->key = nd->pl_auth = nd->create_auth = NONE;
	g->off[g->n] = 0;
	g->cnt[g->n] = 0;
	*out = (uint32_t)g->n++;
	return MXC_OK;
}

static bool
str_is(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return s && n == l && memcmp(s, lit, l) == 0;
}

/* Key index of (type, state_key): composite "len:type" + state_key. */
static int
key_of(graph *g, const char *t, size_t tl, const char *sk, size_t skl,
       bool add, uint32_t *out)
{
	char stackbuf[600];
	size_t kl = 8 + tl + skl;
	char *k = kl <= sizeof stackbuf ? stackbuf : NULL;
	if (!k) {
		if (!add) {
			k = mxc__malloc(g->alloc, kl);
			if (!k)
				return nomem(g);
		} else {
			k = mxc__arena_alloc(&g->ar, kl);
			if (!k)
				return nomem(g);
		}
	}
	uint64_t tl64 = tl;
	memcpy(k, &tl64, 8);
	memcpy(k + 8, t, tl);
	memcpy(k + 8 + tl, sk, skl);
	if (!add) {
		uint32_t *v = mxc__strmap_get(&g->keys, k, kl);
		if (k != stackbuf)
			mxc__free(g->alloc, k);
		*out = v ? *v : NONE;
		return MXC_OK;
	}
	uint32_t *v = mxc__strmap_get(&g->keys, k, kl);
	if (v) {
		*out = *v;
		return MXC_OK;
	}
	if (k == stackbuf) {
		k = mxc__arena_alloc(&g->ar, kl);
		if (!k)
			return nomem(g);
		memcpy(k, stackbuf, kl);
	}
	if (g->n_keys == g->cap_keys) {
		size_t nc = g->cap_keys ? g->cap_keys * 2 : 256;
		key_info *nk = mxc__realloc(g->alloc, g->ki, nc * sizeof *nk);
		if (!nk)
			return nomem(g);
		g->ki = nk;
		g->cap_keys = nc;
	}
	v = mxc__strmap_put(&g->keys, k, kl, NULL);
	if (!v)
		return nomem(g);
	*v = (uint32_t)g->n_keys;
	key_info *ki = &g->ki[g->n_keys];
	memset(ki, 0, sizeof *ki);
	ki->type = k + 8;
	ki->type_len = tl;
	ki->sk = k + 8 + tl;
	ki->sk_len = skl;
	ki->first = NONE;
	*out = (uint32_t)g->n_keys++;
	return MXC_OK;
}

static int
push_edge(graph *g, uint32_t to)
{
	if (g->n_edges == g->cap_edges) {
		size_t nc = g->cap_edges ? g->cap_edges * 2 : 1024;
		uint32_t *ne = mxc__realloc(g->alloc, g->edges, nc * sizeof *ne);
		if (!ne)
			return nomem(g);
		g->edges = ne;
		g->cap_edges = nc;
	}
	g->edges[g->n_edges++] = to;
	return MXC_OK;
}

/* Fill node i from its event: key, timestamps, auth edges. */
static int
fill_node(graph *g, uint32_t i, const mxc_event *ev, bool follow)
{
	node *nd = &g->nodes[i];
	nd->ev = ev;
	nd->id = mxc_event_id(ev, &nd->id_len);
	nd->ts = mxc_event_origin_server_ts(ev);
	nd->depth = mxc_event_depth(ev);
	if (mxc_ctx_is_rejected(g->ctx, nd->id, nd->id_len))
		nd->flags |= F_REJECTED;
	if (mxc_event_room_version(ev) != g->rv) {
		mxc__err(g->err, MXC_ERR_BAD_EVENT, "event of room version %s "
		         "in a resolution of version %s",
		         mxc_room_version_id(mxc_event_room_version(ev)),
		         mxc_room_version_id(g->rv));
		mxc__err_subject(g->err, nd->id, nd->id_len);
		return MXC_ERR_BAD_EVENT;
	}
	size_t rl, tl0;
	const char *room = mxc_event_room_id(ev, &rl);
	/* v12: the create event's room ID is derived from it, and the auth
	 * rules check that the others name it (v12 rule 2); two create
	 * events are refused by find_create */
	if (g->rv->room_id_from_create &&
	    str_is(mxc_event_type(ev, &tl0), tl0, "m.room.create"))
		room = NULL;
	if (room) {
		if (!g->room_id) {
			g->room_id = room;
			g->room_id_len = rl;
		} else if (rl != g->room_id_len ||
		           memcmp(room, g->room_id, rl) != 0) {
			mxc__err(g->err, MXC_ERR_BAD_EVENT,
			         "event from another room");
			mxc__err_subject(g->err, nd->id, nd->id_len);
			return MXC_ERR_BAD_EVENT;
		}
	}
	size_t skl, tl;
	const char *sk = mxc_event_state_key(ev, &skl);
	const char *t = mxc_event_type(ev, &tl);
	if (sk) {
		uint32_t k;
		int rc = key_of(g, t, tl, sk, skl, true, &k);
		if (rc)
			return rc;
		g->nodes[i].key = k;
	}
	if (!follow)
		return MXC_OK;
	g->off[i] = (uint32_t)g->n_edges;
	size_t na = mxc_event_auth_events_count(ev);
	for (size_t a = 0; a < na; a++) {
		size_t al;
		const char *aid = mxc_event_auth_event(ev, a, &al);
		uint32_t j = 0;
		int rc = intern(g, aid, al, &j);
		if (rc || (rc = push_edge(g, j)))
			return rc;
	}
	g->cnt[i] = (uint32_t)na;
	return MXC_OK;
}

/* Load `seeds` (already interned: nodes 0..n_seeds-1 and any others) and,
 * when `follow`, everything reachable through auth_events, breadth first.
 * Missing events are collected in the context. */
static int
load(graph *g, bool follow)
{
	size_t next = 0;
	int rc;
	/* nodes are appended as they are discovered, so the node array
	 * itself is the BFS queue */
	while (next < g->n) {
		uint32_t i = (uint32_t)next++;
		const mxc_event *ev;
		rc = mxc__ctx_fetch(g->ctx, g->nodes[i].id, g->nodes[i].id_len,
		                    &ev, g->err);
		if (rc == MXC_ERR_NOT_FOUND || rc == MXC_ERR_WOULDBLOCK)
			continue;
		if (rc)
			return rc;
		if ((rc = fill_node(g, i, ev, follow)))
			return rc;
	}
	rc = mxc__ctx_end(g->ctx, g->err);
	if (rc)
		return rc;
	g->queue = mxc__malloc(g->alloc, (g->n ? g->n : 1) * sizeof(uint32_t));
	if (!g->queue)
		return nomem(g);
	if (!follow)
		return MXC_OK;
	/* auth events by type, and the cycle check */
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		for (uint32_t k = 0; k < g->cnt[i]; k++) {
			uint32_t j = g->edges[g->off[i] + k];
			size_t tl, skl;
			const char *t = mxc_event_type(g->nodes[j].ev, &tl);
			const char *sk = mxc_event_state_key(g->nodes[j].ev, &skl);
			if (!sk || skl)
				continue;
			if (str_is(t, tl, "m.room.power_levels") &&
			    nd->pl_auth == NONE)
				nd->pl_auth = j;
			else if (str_is(t, tl, "m.room.create") &&
			         nd->create_auth == NONE)
				nd->create_auth = j;
		}
	}
	mxc__dag d = {g->n, g->off, g->cnt, g->edges};
	uint32_t at = 0;
	rc = mxc__dag_topo_order(g->queue, &at, &d, g->alloc);
	if (rc == MXC_ERR_NOMEM)
		return nomem(g);
	if (rc) {
		mxc__err(g->err, MXC_ERR_BAD_EVENT, "cycle in auth_events");
		mxc__err_subject(g->err, g->nodes[at].id, g->nodes[at].id_len);
	}
	return rc;
}

static size_t
id_len_at(const char *const *ids, const size_t *lens, size_t i)
{
	return lens ? lens[i] : strlen(ids[i]);
}

/* Intern every listed ID; set_of[i] receives the node. */
static int
intern_all(graph *g, const char *const *ids, const size_t *lens, size_t n,
           uint32_t *nodes_out)
{
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			return mxc__err(g->err, MXC_ERR_INVALID_ARGUMENT,
			                "state resolution: NULL event ID");
		int rc = intern(g, ids[i], id_len_at(ids, lens, i),
		                &nodes_out[i]);
		if (rc)
			return rc;
	}
	return MXC_OK;
}

/* ---- walks ------------------------------------------------------------ */

/* Breadth-first walk along auth edges from the queued nodes, visiting
 * each node once (stamp), not entering nodes with any of `stop` flags;
 * `visit` marks. Returns the number of nodes visited (in g->queue). */
typedef void (*visit_fn)(graph *g, uint32_t i, void *ud);

static size_t
walk(graph *g, size_t head_n, uint32_t stop, visit_fn visit, void *ud)
{
	size_t qh = 0, qt = head_n;
	while (qh < qt) {
		uint32_t i = g->queue[qh++];
		if (visit)
			visit(g, i, ud);
		for (uint32_t k = 0; k < g->cnt[i]; k++) {
			uint32_t j = g->edges[g->off[i] + k];
			node *nj = &g->nodes[j];
			if (nj->stamp == g->stamp || (nj->flags & stop))
				continue;
			nj->stamp = g->stamp;
			g->queue[qt++] = j;
		}
	}
	return qt;
}

/* Queue node i for a walk (if not yet visited in this walk). */
static size_t
enqueue(graph *g, size_t qt, uint32_t i, uint32_t stop)
{
	node *nd = &g->nodes[i];
	if (nd->stamp == g->stamp || (nd->flags & stop))
		return qt;
	nd->stamp = g->stamp;
	g->queue[qt++] = i;
	return qt;
}

/* Queue the auth events of node i. */
static size_t
enqueue_auth(graph *g, size_t qt, uint32_t i, uint32_t stop)
{
	for (uint32_t k = 0; k < g->cnt[i]; k++)
		qt = enqueue(g, qt, g->edges[g->off[i] + k], stop);
	return qt;
}

static void
mark_flag(graph *g, uint32_t i, void *ud)
{
	g->nodes[i].flags |= *(uint32_t *)ud;
}

static void
count_set(graph *g, uint32_t i, void *ud)
{
	MXC_UNUSED(ud);
	g->nodes[i].cnt++;
}

/*
 * Auth difference of the state sets (v2 fragment: Auth difference), each
 * node's `cnt` counting the sets whose full auth chain holds it; F_COMMON
 * for those held by every chain without counting. The events listed in
 * every set, and everything their auth chains reach, are in every chain:
 * one walk marks them, and the walk of each set stops there, so that the
 * cost per set is that of what the set does not share.
 */
static void
auth_difference(graph *g, const uint32_t *set_nodes, const size_t *sizes,
                size_t n_sets, bool literal)
{
	size_t off = 0, qt = 0;
	/* listed in every set */
	for (size_t s = 0; s < n_sets; s++) {
		for (size_t i = 0; i < sizes[s]; i++) {
			node *nd = &g->nodes[set_nodes[off + i]];
			if (nd->set_stamp != s + 1) {
				nd->set_stamp = (uint32_t)s + 1;
				nd->in_sets++;
			}
		}
		off += sizes[s];
	}
	g->stamp++;
	for (size_t i = 0; i < off; i++) {
		uint32_t v = set_nodes[i];
		if (g->nodes[v].in_sets != n_sets)
			continue;
		g->nodes[v].flags |= F_ALL_SETS;
		qt = literal ? enqueue_auth(g, qt, v, 0) : enqueue(g, qt, v, 0);
	}
	uint32_t f = F_COMMON;
	walk(g, qt, 0, mark_flag, &f);
	off = 0;
	for (size_t s = 0; s < n_sets; s++) {
		g->stamp++;
		qt = 0;
		for (size_t i = 0; i < sizes[s]; i++) {
			uint32_t v = set_nodes[off + i];
			qt = literal ? enqueue_auth(g, qt, v, F_COMMON)
			             : enqueue(g, qt, v, F_COMMON);
		}
		walk(g, qt, F_COMMON, count_set, NULL);
		off += sizes[s];
	}
}

/* ---- results ---------------------------------------------------------- */

struct mxc_state {
	mxc_allocator alloc;
	size_t n;
	struct st_entry {
		const char *type, *sk, *id;
		size_t type_len, sk_len, id_len;
	} *e;
	char *strings;
};

struct mxc_id_list {
	mxc_allocator alloc;
	size_t n;
	struct idl_entry {
		const char *id;
		size_t len;
	} *e;
	char *strings;
};

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int
st_entry_cmp(const void *pa, const void *pb)
{
	const struct st_entry *a = pa, *b = pb;
	int c = bytes_cmp(a->type, a->type_len, b->type, b->type_len);
	return c ? c : bytes_cmp(a->sk, a->sk_len, b->sk, b->sk_len);
}

static int
idl_cmp(const void *pa, const void *pb)
{
	const struct idl_entry *a = pa, *b = pb;
	return bytes_cmp(a->id, a->len, b->id, b->len);
}

void
mxc_state_free(mxc_state *st)
{
	if (!st)
		return;
	mxc_allocator a = st->alloc;
	mxc__free(&a, st->e);
	mxc__free(&a, st->strings);
	mxc__free(&a, st);
}

size_t
mxc_state_size(const mxc_state *st)
{
	return st ? st->n : 0;
}

int
mxc_state_entry(const mxc_state *st, size_t i, const char **type,
                size_t *type_len, const char **state_key,
                size_t *state_key_len, const char **event_id,
                size_t *event_id_len)
{
	if (!st || i >= st->n)
		return MXC_ERR_INVALID_ARGUMENT;
	const struct st_entry *e = &st->e[i];
	if (type)
		*type = e->type;
	if (type_len)
		*type_len = e->type_len;
	if (state_key)
		*state_key = e->sk;
	if (state_key_len)
		*state_key_len = e->sk_len;
	if (event_id)
		*event_id = e->id;
	if (event_id_len)
		*event_id_len = e->id_len;
	return MXC_OK;
}

const char *
mxc_state_get(const mxc_state *st, const char *type, size_t type_len,
              const char *state_key, size_t state_key_len, size_t *id_len)
{
	if (!st || (!type && type_len) || (!state_key && state_key_len))
		return NULL;
	struct st_entry k = {type ? type : "", state_key ? state_key : "",
	                     NULL, type_len, state_key_len, 0};
	const struct st_entry *e =
		bsearch(&k, st->e, st->n, sizeof *st->e, st_entry_cmp);
	if (!e)
		return NULL;
	if (id_len)
		*id_len = e->id_len;
	return e->id;
}

void
mxc_id_list_free(mxc_id_list *l)
{
	if (!l)
		return;
	mxc_allocator a = l->alloc;
	mxc__free(&a, l->e);
	mxc__free(&a, l->strings);
	mxc__free(&a, l);
}

size_t
mxc_id_list_size(const mxc_id_list *l)
{
	return l ? l->n : 0;
}

const char *
mxc_id_list_at(const mxc_id_list *l, size_t i, size_t *len)
{
	if (!l || i >= l->n)
		return NULL;
	if (len)
		*len = l->e[i].len;
	return l->e[i].id;
}

/* The list of the nodes with `flag` set (or stamped by the last walk when
 * flag is 0). */
static int
make_id_list(graph *g, mxc_id_list **out, uint32_t flag)
{
	size_t n = 0, bytes = 0;
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if (flag ? (nd->flags & flag) : nd->stamp == g->stamp) {
			n++;
			bytes += nd->id_len + 1;
		}
	}
	mxc_id_list *l = mxc__malloc(g->alloc, sizeof *l);
	if (!l)
		return nomem(g);
	memset(l, 0, sizeof *l);
	l->alloc = *g->alloc;
	l->e = mxc__malloc(g->alloc, (n ? n : 1) * sizeof *l->e);
	l->strings = mxc__malloc(g->alloc, bytes ? bytes : 1);
	if (!l->e || !l->strings) {
		mxc_id_list_free(l);
		return nomem(g);
	}
	char *p = l->strings;
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if (!(flag ? (nd->flags & flag) : nd->stamp == g->stamp))
			continue;
		memcpy(p, nd->id, nd->id_len);
		p[nd->id_len] = 0;
		l->e[l->n].id = p;
		l->e[l->n++].len = nd->id_len;
		p += nd->id_len + 1;
	}
	qsort(l->e, l->n, sizeof *l->e, idl_cmp);
	*out = l;
	return MXC_OK;
}

/* The state map from state[key] (node or NONE). */
static int
make_state(graph *g, mxc_state **out, const uint32_t *state)
{
	size_t n = 0, bytes = 0;
	for (size_t k = 0; k < g->n_keys; k++) {
		if (state[k] == NONE)
			continue;
		n++;
		bytes += g->ki[k].type_len + g->ki[k].sk_len +
		         g->nodes[state[k]].id_len + 3;
	}
	mxc_state *st = mxc__malloc(g->alloc, sizeof *st);
	if (!st)
		return nomem(g);
	memset(st, 0, sizeof *st);
	st->alloc = *g->alloc;
	st->e = mxc__malloc(g->alloc, (n ? n : 1) * sizeof *st->e);
	st->strings = mxc__malloc(g->alloc, bytes ? bytes : 1);
	if (!st->e || !st->strings) {
		mxc_state_free(st);
		return nomem(g);
	}
	char *p = st->strings;
	for (size_t k = 0; k < g->n_keys; k++) {
		if (state[k] == NONE)
			continue;
		const key_info *ki = &g->ki[k];
		const node *nd = &g->nodes[state[k]];
		struct st_entry *e = &st->e[st->n++];
		memcpy(p, ki->type, ki->type_len);
		p[ki->type_len] = 0;
		e->type = p;
		e->type_len = ki->type_len;
		p += ki->type_len + 1;
		memcpy(p, ki->sk, ki->sk_len);
		p[ki->sk_len] = 0;
		e->sk = p;
		e->sk_len = ki->sk_len;
		p += ki->sk_len + 1;
		memcpy(p, nd->id, nd->id_len);
		p[nd->id_len] = 0;
		e->id = p;
		e->id_len = nd->id_len;
		p += nd->id_len + 1;
	}
	qsort(st->e, st->n, sizeof *st->e, st_entry_cmp);
	*out = st;
	return MXC_OK;
}

/* ---- power levels and orderings ------------------------------------- */

static const mxc_event *
create_for(graph *g, const node *nd)
{
	if (nd->create_auth != NONE)
		return g->nodes[nd->create_auth].ev;
	return g->create; /* v12: not an auth event any more */
}

/* The power level of the sender of node i "when looking at their
 * respective auth_events" (v2 fragment: Reverse topological power
 * ordering). */
static int64_t
sender_power(graph *g, uint32_t i)
{
	node *nd = &g->nodes[i];
	if (nd->flags & F_POWER_DONE)
		return nd->power;
	const mxc_event *cr = create_for(g, nd);
	const mxc_json *pl = nd->pl_auth != NONE
	                             ? mxc_event_content(g->nodes[nd->pl_auth].ev)
	                             : NULL;
	const mxc_json *cc = cr ? mxc_event_content(cr) : NULL;
	size_t csl = 0, sl;
	const char *cs = cr ? mxc_event_sender(cr, &csl) : NULL;
	struct mxc_power_levels view;
	mxc__power_levels_init(&view, g->rv, pl, cc, cs, csl);
	const char *sender = mxc_event_sender(nd->ev, &sl);
	int64_t lvl = 0;
	if (mxc_power_levels_user(&lvl, &view, sender, sl, NULL) != MXC_OK)
		lvl = 0; /* a value the version does not allow counts as 0 */
	nd->power = lvl;
	nd->flags |= F_POWER_DONE;
	return lvl;
}

typedef struct order_ud {
	graph *g;
	const uint32_t *items; /* local index -> node */
} order_ud;

static bool
power_less(uint32_t a, uint32_t b, const void *ud)
{
	const order_ud *o = ud;
	const node *x = &o->g->nodes[o->items[a]];
	const node *y = &o->g->nodes[o->items[b]];
	/* 1. greater power first; 2. smaller origin_server_ts; 3. event ID */
	if (x->power != y->power)
		return x->power > y->power;
	if (x->ts != y->ts)
		return x->ts < y->ts;
	return bytes_cmp(x->id, x->id_len, y->id, y->id_len) < 0;
}

/*
 * Sort items (nodes) by the reverse topological power ordering: Kahn's
 * algorithm over the auth edges between the items, smallest candidate
 * first by power_less. Result into `items` in place.
 */
static int
power_order(graph *g, uint32_t *items, size_t n)
{
	if (n < 2)
		return MXC_OK;
	int rc = MXC_ERR_NOMEM;
	uint32_t *off = NULL, *cnt = NULL, *edges = NULL,
	         *order = NULL, *copy = NULL;
	/* local numbering through the stamp field */
	g->stamp++;
	off = mxc__malloc(g->alloc, n * sizeof *off);
	cnt = mxc__malloc(g->alloc, n * sizeof *cnt);
	order = mxc__malloc(g->alloc, n * sizeof *order);
	copy = mxc__malloc(g->alloc, n * sizeof *copy);
	if (!off || !cnt || !order || !copy)
		goto out;
	for (size_t i = 0; i < n; i++) {
		g->nodes[items[i]].stamp = g->stamp;
		g->nodes[items[i]].local = (uint32_t)i;
		sender_power(g, items[i]);
	}
	size_t ne = 0;
	for (size_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < g->cnt[items[i]]; k++)
			if (g->nodes[g->edges[g->off[items[i]] + k]].stamp ==
			    g->stamp)
				ne++;
	edges = mxc__malloc(g->alloc, (ne ? ne : 1) * sizeof *edges);
	if (!edges)
		goto out;
	ne = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = items[i];
		off[i] = (uint32_t)ne;
		for (uint32_t k = 0; k < g->cnt[v]; k++) {
			node *a = &g->nodes[g->edges[g->off[v] + k]];
			if (a->stamp == g->stamp)
				edges[ne++] = a->local;
		}
		cnt[i] = (uint32_t)(ne - off[i]);
	}
	mxc__dag d = {n, off, cnt, edges};
	order_ud ud = {g, items};
	size_t n_out;
	rc = mxc__kahn_sort(order, &n_out, &d, power_less, &ud, g->alloc);
	if (rc == MXC_ERR_NOMEM)
		goto out;
	if (rc) {
		rc = mxc__err(g->err, MXC_ERR_BAD_EVENT, "cycle in auth_events");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		copy[i] = items[order[i]];
	memcpy(items, copy, n * sizeof *items);
	rc = MXC_OK;
out:
	if (rc == MXC_ERR_NOMEM)
		nomem(g);
	mxc__free(g->alloc, off);
	mxc__free(g->alloc, cnt);
	mxc__free(g->alloc, edges);
	mxc__free(g->alloc, order);
	mxc__free(g->alloc, copy);
	return rc;
}

/* Mainline position of node i (v2 fragment: Mainline ordering): the
 * position in the mainline of the first m.room.power_levels event met
 * walking up from i's own; NONE (infinite) when there is none. Positions
 * are memoised along the walk, so each event is walked once per call. */
static uint32_t
mainline_pos(graph *g, uint32_t i)
{
	size_t qn = 0;
	uint32_t cur = g->nodes[i].pl_auth, pos = NONE;
	/* i itself is not part of its list; mainline events carry
	 * F_ML_DONE with their index (set by the caller) */
	while (cur != NONE) {
		node *c = &g->nodes[cur];
		if (c->flags & F_ML_DONE) {
			pos = c->mainline;
			break;
		}
		g->queue[qn++] = cur;
		cur = c->pl_auth;
	}
	/* the events walked (power levels events off the mainline) share
	 * that position: their own lists continue the same way */
	for (size_t k = 0; k < qn; k++) {
		g->nodes[g->queue[k]].mainline = pos;
		g->nodes[g->queue[k]].flags |= F_ML_DONE;
	}
	return pos;
}

typedef struct ml_item {
	uint32_t node, pos;
	int64_t ts;
	const char *id;
	size_t id_len;
} ml_item;

static int
ml_cmp(const void *pa, const void *pb)
{
	const ml_item *a = pa, *b = pb;
	/* 1. greater mainline position first (NONE is infinite) */
	if (a->pos != b->pos)
		return a->pos > b->pos ? -1 : 1;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return bytes_cmp(a->id, a->id_len, b->id, b->id_len);
}

/* ---- iterative auth checks ------------------------------------------ */

/* Is node i allowed against `state` (key -> node), completed by its own
 * non-rejected auth events (v2 fragment: Iterative auth checks)? With
 * use_auth_events false (v1), against the state alone. */
static int
allowed(graph *g, uint32_t i, const uint32_t *state, bool use_auth_events,
        bool *ok)
{
	node *nd = &g->nodes[i];
	mxc_auth_state *st = NULL;
	*ok = false;
	int rc = mxc_auth_state_new(&st, NULL, 0, g->alloc, NULL);
	if (rc)
		return rc == MXC_ERR_NOMEM ? nomem(g) : rc;
	if (use_auth_events) {
		for (uint32_t k = 0; k < g->cnt[i]; k++) {
			node *a = &g->nodes[g->edges[g->off[i] + k]];
			if ((a->flags & F_REJECTED) || a->key == NONE)
				continue;
			if ((rc = mxc_auth_state_set(st, a->ev, NULL)))
				goto out;
		}
	}
	if (g->create && nd->create_auth == NONE &&
	    !mxc_auth_state_get(st, "m.room.create", 13, "", 0) &&
	    (rc = mxc_auth_state_set(st, g->create, NULL)))
		goto out;
	mxc_auth_type types[MXC_AUTH_TYPES_MAX];
	size_t nt = 0;
	if ((rc = mxc_auth_types(types, MXC_ARRAY_LEN(types), &nt, nd->ev,
	                         NULL)))
		goto out;
	for (size_t t = 0; t < nt; t++) {
		uint32_t k;
		if ((rc = key_of(g, types[t].type, types[t].type_len,
		                 types[t].state_key, types[t].state_key_len,
		                 false, &k)))
			goto out;
		if (k != NONE && state[k] != NONE &&
		    (rc = mxc_auth_state_set(st, g->nodes[state[k]].ev, NULL)))
			goto out;
	}
	/* The signatures were checked on receipt (state-independent
	 * checks): state resolution re-runs the rules, not the signature
	 * checks. */
	rc = mxc_auth_check(nd->ev, st, NULL, 0, MXC_TS_NONE,
	                    MXC_AUTH_SIGNATURES_CHECKED, NULL);
	if (rc == MXC_OK)
		*ok = true;
	if (rc != MXC_ERR_NOMEM && rc != MXC_ERR_INVALID_ARGUMENT)
		rc = MXC_OK; /* a verdict, or an event the rules refuse */
out:
	mxc_auth_state_free(st);
	if (rc == MXC_ERR_NOMEM)
		return nomem(g);
	if (rc)
		return mxc__err(g->err, rc, "state resolution: auth check "
		                "failed");
	return MXC_OK;
}

static int
iterative_checks(graph *g, const uint32_t *list, size_t n, uint32_t *state)
{
	for (size_t i = 0; i < n; i++) {
		bool ok;
		if (g->nodes[list[i]].key == NONE)
			continue; /* cited as an auth event, but not state */
		int rc = allowed(g, list[i], state, true, &ok);
		if (rc)
			return rc;
		if (ok)
			state[g->nodes[list[i]].key] = list[i];
	}
	return MXC_OK;
}

/* ---- the algorithms --------------------------------------------------- */

static bool
is_power_event(const node *nd)
{
	/* v2 fragment, Definitions: Power events */
	size_t tl, ml, sl, skl;
	const char *t = mxc_event_type(nd->ev, &tl);
	if (nd->key == NONE)
		return false;
	if (str_is(t, tl, "m.room.power_levels") ||
	    str_is(t, tl, "m.room.join_rules"))
		return true;
	if (!str_is(t, tl, "m.room.member"))
		return false;
	const char *m = mxc_event_membership(nd->ev, &ml);
	if (!str_is(m, ml, "leave") && !str_is(m, ml, "ban"))
		return false;
	const char *s = mxc_event_sender(nd->ev, &sl);
	const char *sk = mxc_event_state_key(nd->ev, &skl);
	return sl != skl || memcmp(s, sk, sl) != 0;
}

/* Check the state sets and tally their keys. set_nodes: the node of
 * every listed ID. Fills `state` with the unconflicted state map. */
static int
tally_keys(graph *g, const uint32_t *set_nodes, const size_t *sizes,
           size_t n_sets)
{
	size_t off = 0;
	for (size_t s = 0; s < n_sets; s++) {
		for (size_t i = 0; i < sizes[s]; i++) {
			uint32_t v = set_nodes[off + i];
			node *nd = &g->nodes[v];
			if (nd->key == NONE) {
				mxc__err(g->err, MXC_ERR_INVALID_ARGUMENT,
				         "state set %zu lists an event that "
				         "is not a state event", s);
				mxc__err_subject(g->err, nd->id, nd->id_len);
				return MXC_ERR_INVALID_ARGUMENT;
			}
			key_info *ki = &g->ki[nd->key];
			if (ki->stamp == s + 1) {
				if (ki->first == v)
					continue; /* listed twice */
				/* the same key twice in one set? the first
				 * event of this set is not recorded when the
				 * key was seen earlier; find it */
				for (size_t j = 0; j < i; j++) {
					uint32_t w = set_nodes[off + j];
					if (w != v && g->nodes[w].key == nd->key) {
						mxc__err(g->err,
						         MXC_ERR_INVALID_ARGUMENT,
						         "state set %zu has two "
						         "events for one key", s);
						mxc__err_subject(g->err, nd->id,
						                 nd->id_len);
						return MXC_ERR_INVALID_ARGUMENT;
					}
				}
				continue;
			}
			ki->stamp = (uint32_t)s + 1;
			ki->n_sets++;
			if (ki->first == NONE)
				ki->first = v;
			else if (ki->first != v)
				ki->differs = true;
		}
		off += sizes[s];
	}
	return MXC_OK;
}

static int
find_create(graph *g)
{
	/* v12: the create event is not an auth event; use the room's one
	 * (the only m.room.create among the events loaded) */
	g->create = NULL;
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		size_t tl;
		const char *t = mxc_event_type(nd->ev, &tl);
		if (nd->key == NONE || !str_is(t, tl, "m.room.create") ||
		    g->ki[nd->key].sk_len)
			continue;
		if (g->create && g->create != nd->ev) {
			mxc__err(g->err, MXC_ERR_BAD_EVENT,
			         "two m.room.create events: events from "
			         "another room");
			mxc__err_subject(g->err, nd->id, nd->id_len);
			return MXC_ERR_BAD_EVENT;
		}
		g->create = nd->ev;
	}
	return MXC_OK;
}

/*
 * The conflicted state subgraph (rooms/v12, Definitions): the union of
 * the auth_events paths between two events of the conflicted state set
 * (the nodes with F_CONFLICTED), endpoints included; its nodes get
 * F_SUBGRAPH. A node is on such a path when it is reachable from a
 * conflicted event and reaches one, the path being at least one edge
 * long (a conflicted event with no conflicted event above or below it is
 * on no path). Forward: one walk from the auth events of the conflicted
 * events marks what is reachable by at least one edge (F_FORWARD). Then,
 * prerequisites first (auth events before the events citing them), a
 * node reaches a conflicted event by at least one edge when one of its
 * auth events is conflicted or reaches one (F_REACHES). O(V + E).
 */
static int
conflicted_subgraph(graph *g)
{
	g->stamp++;
	size_t qt = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->nodes[i].flags & F_CONFLICTED)
			qt = enqueue_auth(g, qt, (uint32_t)i, 0);
	uint32_t f = F_FORWARD;
	walk(g, qt, 0, mark_flag, &f);
	mxc__dag d = {g->n, g->off, g->cnt, g->edges};
	uint32_t at;
	int rc = mxc__dag_topo_order(g->queue, &at, &d, g->alloc);
	if (rc)
		return rc == MXC_ERR_NOMEM ? nomem(g) : rc;
	for (size_t o = 0; o < g->n; o++) {
		uint32_t v = g->queue[o];
		node *nd = &g->nodes[v];
		bool from = nd->flags & (F_FORWARD | F_CONFLICTED);
		if (!from)
			continue; /* on no path; an event citing it is
			           * not either (else v is F_FORWARD) */
		bool r = false;
		for (uint32_t k = 0; !r && k < g->cnt[v]; k++)
			r = g->nodes[g->edges[g->off[v] + k]].flags &
			    (F_REACHES | F_CONFLICTED);
		/* a path of one edge or more through v: v is reached from a
		 * conflicted event (or is one) and reaches one by one edge
		 * or more, or is conflicted and reached by one edge or more */
		if (r)
			nd->flags |= F_REACHES | F_SUBGRAPH;
		else if ((nd->flags & F_FORWARD) && (nd->flags & F_CONFLICTED))
			nd->flags |= F_SUBGRAPH;
	}
	return MXC_OK;
}

static int
resolve_v2(graph *g, const uint32_t *set_nodes, const size_t *sizes,
           size_t n_sets, bool v21, bool literal, uint32_t *state)
{
	int rc;
	/* Unconflicted state map and conflicted state set */
	for (size_t k = 0; k < g->n_keys; k++) {
		key_info *ki = &g->ki[k];
		if (ki->n_sets == n_sets && !ki->differs)
			state[k] = ki->first;
	}
	size_t total = 0;
	for (size_t s = 0; s < n_sets; s++)
		total += sizes[s];
	for (size_t i = 0; i < total; i++) {
		node *nd = &g->nodes[set_nodes[i]];
		key_info *ki = &g->ki[nd->key];
		if (!(ki->n_sets == n_sets && !ki->differs))
			nd->flags |= F_CONFLICTED | F_FULL;
	}
	/* Auth difference */
	auth_difference(g, set_nodes, sizes, n_sets, literal);
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if (!(nd->flags & F_COMMON) && nd->cnt && nd->cnt < n_sets)
			nd->flags |= F_FULL;
	}
	if (v21) {
		/* rooms/v12: the full conflicted set also holds the conflicted
		 * state subgraph */
		if ((rc = conflicted_subgraph(g)))
			return rc;
		for (size_t i = 0; i < g->n; i++)
			if (g->nodes[i].flags & F_SUBGRAPH)
				g->nodes[i].flags |= F_FULL;
	}
	/* Step 1: power events of the full conflicted set and the events
	 * of their auth chains in the full conflicted set */
	g->stamp++;
	size_t qt = 0;
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if ((nd->flags & F_FULL) && is_power_event(nd))
			qt = enqueue(g, qt, (uint32_t)i, 0);
	}
	qt = walk(g, qt, 0, NULL, NULL);
	size_t nx = 0, nrest = 0;
	uint32_t *xs = mxc__malloc(g->alloc, (g->n + 1) * sizeof *xs);
	ml_item *rest = NULL;
	if (!xs)
		return nomem(g);
	for (size_t q = 0; q < qt; q++) {
		node *nd = &g->nodes[g->queue[q]];
		if (nd->flags & F_FULL) {
			nd->flags |= F_X;
			xs[nx++] = g->queue[q];
		}
	}
	if ((rc = power_order(g, xs, nx)))
		goto out;
	/* Step 2: iterative auth checks from the unconflicted state map
	 * (v2.1: from an empty state) */
	uint32_t *partial = mxc__malloc(g->alloc,
	                                (g->n_keys + 1) * sizeof *partial);
	if (!partial) {
		rc = nomem(g);
		goto out;
	}
	for (size_t k = 0; k < g->n_keys; k++)
		partial[k] = v21 ? NONE : state[k];
	if ((rc = iterative_checks(g, xs, nx, partial)))
		goto out2;
	/* Step 3: the other events of the full conflicted set, by the
	 * mainline ordering based on the partially resolved power levels */
	uint32_t plk;
	if ((rc = key_of(g, "m.room.power_levels", 19, "", 0, false, &plk)))
		goto out2;
	uint32_t p = plk != NONE ? partial[plk] : NONE;
	for (uint32_t pos = 0; p != NONE; pos++) {
		node *pn = &g->nodes[p];
		if (pn->flags & F_ML_DONE)
			break; /* cannot happen in a DAG */
		pn->flags |= F_ML_DONE;
		pn->mainline = pos;
		p = pn->pl_auth;
	}
	rest = mxc__malloc(g->alloc, (g->n + 1) * sizeof *rest);
	if (!rest) {
		rc = nomem(g);
		goto out2;
	}
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if (!(nd->flags & F_FULL) || (nd->flags & F_X) ||
		    nd->key == NONE)
			continue;
		ml_item *it = &rest[nrest++];
		it->node = (uint32_t)i;
		it->pos = mainline_pos(g, (uint32_t)i);
		it->ts = nd->ts;
		it->id = nd->id;
		it->id_len = nd->id_len;
	}
	qsort(rest, nrest, sizeof *rest, ml_cmp);
	for (size_t i = 0; i < nrest; i++)
		xs[i] = rest[i].node;
	/* Step 4 */
	if ((rc = iterative_checks(g, xs, nrest, partial)))
		goto out2;
	/* Step 5: the unconflicted state map wins */
	for (size_t k = 0; k < g->n_keys; k++)
		if (state[k] == NONE)
			state[k] = partial[k];
out2:
	mxc__free(g->alloc, partial);
out:
	mxc__free(g->alloc, xs);
	mxc__free(g->alloc, rest);
	return rc;
}

/* ---- v1 ----------------------------------------------------------------- */

typedef struct v1_item {
	uint32_t node;
	int64_t depth;
	uint8_t sha[SHA_DIGEST_LENGTH];
} v1_item;

/* Ascending depth, then descending sha1(event_id). */
static int
v1_cmp(const void *pa, const void *pb)
{
	const v1_item *a = pa, *b = pb;
	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return -memcmp(a->sha, b->sha, SHA_DIGEST_LENGTH);
}

static int
v1_allowed(graph *g, uint32_t v, uint32_t *r, bool *ok)
{
	return allowed(g, v, r, false, ok);
}

static int
resolve_v1(graph *g, const uint32_t *set_nodes, size_t total,
           uint32_t *state)
{
	/* rooms/v1, State resolution. A conflict: different events for one
	 * key. R starts as the union without the conflicting events. */
	int rc = MXC_OK;
	size_t nk = g->n_keys;
	uint32_t *ek_off = mxc__malloc(g->alloc, (nk + 1) * sizeof *ek_off);
	v1_item *items = mxc__malloc(g->alloc, (total + 1) * sizeof *items);
	uint32_t *snap = mxc__malloc(g->alloc, (nk + 1) * sizeof *snap);
	if (!ek_off || !items || !snap) {
		rc = nomem(g);
		goto out;
	}
	for (size_t k = 0; k < nk; k++)
		if (!g->ki[k].differs)
			state[k] = g->ki[k].first;
	/* the distinct events of each conflicted key, grouped by key */
	g->stamp++;
	memset(ek_off, 0, (nk + 1) * sizeof *ek_off);
	size_t n_items = 0;
	for (size_t i = 0; i < total; i++) {
		node *nd = &g->nodes[set_nodes[i]];
		if (nd->stamp == g->stamp || !g->ki[nd->key].differs)
			continue;
		nd->stamp = g->stamp;
		ek_off[nd->key + 1]++;
		n_items++;
	}
	for (size_t k = 0; k < nk; k++)
		ek_off[k + 1] += ek_off[k];
	for (size_t k = 0; k < nk; k++)
		snap[k] = ek_off[k]; /* fill cursor */
	g->stamp++;
	for (size_t i = 0; i < total; i++) {
		uint32_t v = set_nodes[i];
		node *nd = &g->nodes[v];
		if (nd->stamp == g->stamp || !g->ki[nd->key].differs)
			continue;
		nd->stamp = g->stamp;
		v1_item *it = &items[snap[nd->key]++];
		it->node = v;
		it->depth = nd->depth;
		SHA1((const unsigned char *)nd->id, nd->id_len, it->sha);
	}
	for (size_t k = 0; k < nk; k++)
		qsort(items + ek_off[k], ek_off[k + 1] - ek_off[k],
		      sizeof *items, v1_cmp);
	/* Phases: power levels, join rules, members, then the rest. Each
	 * key of a phase is resolved against R as it was when the phase
	 * began (the order of keys does not matter). */
	static const char *const phase_type[3] = {
		"m.room.power_levels", "m.room.join_rules", "m.room.member"};
	for (int ph = 0; ph < 4; ph++) {
		memcpy(snap, state, nk * sizeof *snap);
		for (size_t k = 0; k < nk; k++) {
			key_info *ki = &g->ki[k];
			if (!ki->differs)
				continue;
			bool auth_type = false;
			for (int t = 0; t < 3; t++)
				auth_type |= str_is(ki->type, ki->type_len,
				                    phase_type[t]);
			if (ph < 3 ? !str_is(ki->type, ki->type_len,
			                     phase_type[ph])
			           : auth_type)
				continue;
			v1_item *it = items + ek_off[k];
			size_t n = ek_off[k + 1] - ek_off[k];
			if (ph < 3) {
				/* the first, then each next while allowed */
				uint32_t saved = snap[k];
				snap[k] = it[0].node;
				for (size_t j = 1; j < n; j++) {
					bool ok;
					if ((rc = v1_allowed(g, it[j].node, snap,
					                     &ok)))
						goto out;
					if (!ok)
						break;
					snap[k] = it[j].node;
				}
				state[k] = snap[k];
				snap[k] = saved;
			} else {
				/* highest depth, lowest sha1 that passes;
				 * else the last in that order */
				uint32_t pick = it[0].node;
				for (size_t j = n; j-- > 0;) {
					bool ok;
					if ((rc = v1_allowed(g, it[j].node, snap,
					                     &ok)))
						goto out;
					if (ok) {
						pick = it[j].node;
						break;
					}
				}
				state[k] = pick;
			}
		}
	}
out:
	mxc__free(g->alloc, ek_off);
	mxc__free(g->alloc, items);
	mxc__free(g->alloc, snap);
	return rc;
}

/* ---- entry points ------------------------------------------------------- */

static int
check_common(mxc_ctx *ctx, const mxc_room_version *rv, const void *ids,
             size_t n, mxc_error *err)
{
	if (!ctx || !rv || (!ids && n))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "state resolution: missing argument");
	if (mxc_ctx_room_version(ctx) != rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "state resolution: room version %s differs "
		                "from the context's (%s)",
		                mxc_room_version_id(rv),
		                mxc_room_version_id(mxc_ctx_room_version(ctx)));
	if (n >= UINT32_MAX / 4)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "state resolution: too many events");
	return MXC_OK;
}

int
mxc_state_resolve(mxc_state **out, mxc_ctx *ctx, const mxc_room_version *rv,
                  const char *const *ids, const size_t *id_lens,
                  const size_t *set_sizes, size_t n_sets, unsigned flags,
                  mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_state_resolve: out is required");
	*out = NULL;
	size_t total = 0;
	if (n_sets && !set_sizes)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_state_resolve: set_sizes is required");
	for (size_t s = 0; s < n_sets; s++)
		total += set_sizes[s];
	int rc = check_common(ctx, rv, ids, total, err);
	if (rc)
		return rc;
	mxc__ctx_begin(ctx);
	graph g;
	uint32_t *set_nodes = NULL, *state = NULL;
	if ((rc = graph_init(&g, ctx, rv, total, err)))
		goto out;
	set_nodes = mxc__malloc(g.alloc, (total + 1) * sizeof *set_nodes);
	if (!set_nodes) {
		rc = nomem(&g);
		goto out;
	}
	int alg = mxc_room_version_state_res(rv);
	if ((rc = intern_all(&g, ids, id_lens, total, set_nodes)) ||
	    (rc = load(&g, alg != MXC_STATE_RES_V1)) ||
	    (rc = tally_keys(&g, set_nodes, set_sizes, n_sets)))
		goto out;
	if (alg == MXC_STATE_RES_V2_1 && (rc = find_create(&g)))
		goto out;
	state = mxc__malloc(g.alloc, (g.n_keys + 1) * sizeof *state);
	if (!state) {
		rc = nomem(&g);
		goto out;
	}
	for (size_t k = 0; k < g.n_keys; k++)
		state[k] = NONE;
	if (n_sets == 0)
		rc = MXC_OK;
	else if (alg == MXC_STATE_RES_V1)
		rc = resolve_v1(&g, set_nodes, total, state);
	else
		rc = resolve_v2(&g, set_nodes, set_sizes, n_sets,
		                alg == MXC_STATE_RES_V2_1,
		                flags & MXC_STATE_RES_LITERAL_AUTH_DIFF, state);
	if (rc == MXC_OK)
		rc = make_state(&g, out, state);
out:
	mxc__free(g.alloc, set_nodes);
	mxc__free(g.alloc, state);
	graph_free(&g);
	return rc;
}

/* The start the ID-list operations share: a graph of the given events
 * (seeds[i] is the node of ids[i]) and of everything reachable through
 * auth_events. On failure the caller still frees *seeds and the graph. */
static int
load_ids(graph *g, uint32_t **seeds, mxc_ctx *ctx, const char *const *ids,
         const size_t *id_lens, size_t n, mxc_error *err)
{
	int rc = graph_init(g, ctx, mxc_ctx_room_version(ctx), n, err);
	if (rc)
		return rc;
	*seeds = mxc__malloc(g->alloc, (n + 1) * sizeof **seeds);
	if (!*seeds)
		return nomem(g);
	if ((rc = intern_all(g, ids, id_lens, n, *seeds)))
		return rc;
	return load(g, true);
}

int
mxc_state_auth_chain(mxc_id_list **out, mxc_ctx *ctx, const char *const *ids,
                     const size_t *id_lens, size_t n, unsigned flags,
                     mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_state_auth_chain: out is required");
	*out = NULL;
	int rc = check_common(ctx, mxc_ctx_room_version(ctx), ids, n, err);
	if (rc)
		return rc;
	mxc__ctx_begin(ctx);
	graph g;
	uint32_t *seeds = NULL;
	if ((rc = load_ids(&g, &seeds, ctx, ids, id_lens, n, err)))
		goto out;
	g.stamp++;
	size_t qt = 0;
	for (size_t i = 0; i < n; i++)
		qt = (flags & MXC_STATE_AUTH_CHAIN_INCLUDE_SELF)
		             ? enqueue(&g, qt, seeds[i], 0)
		             : enqueue_auth(&g, qt, seeds[i], 0);
	walk(&g, qt, 0, NULL, NULL);
	rc = make_id_list(&g, out, 0);
out:
	mxc__free(g.alloc, seeds);
	graph_free(&g);
	return rc;
}

static void
mark_diff(graph *g, size_t n_sets)
{
	for (size_t i = 0; i < g->n; i++) {
		node *nd = &g->nodes[i];
		if (!(nd->flags & F_COMMON) && nd->cnt && nd->cnt < n_sets)
			nd->flags |= F_FULL;
	}
}

int
mxc_state_auth_difference(mxc_id_list **out, mxc_ctx *ctx,
                          const char *const *ids, const size_t *id_lens,
                          const size_t *set_sizes, size_t n_sets,
                          unsigned flags, mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_state_auth_difference: out is required");
	*out = NULL;
	if (n_sets && !set_sizes)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_state_auth_difference: set_sizes is "
		                "required");
	size_t total = 0;
	for (size_t s = 0; s < n_sets; s++)
		total += set_sizes[s];
	int rc = check_common(ctx, mxc_ctx_room_version(ctx), ids, total, err);
	if (rc)
		return rc;
	mxc__ctx_begin(ctx);
	graph g;
	uint32_t *seeds = NULL;
	if ((rc = graph_init(&g, ctx, mxc_ctx_room_version(ctx), total, err)))
		goto out;
	seeds = mxc__malloc(g.alloc, (total + 1) * sizeof *seeds);
	if (!seeds) {
		rc = nomem(&g);
		goto out;
	}
	if ((rc = intern_all(&g, ids, id_lens, total, seeds)) ||
	    (rc = load(&g, true)))
		goto out;
	auth_difference(&g, seeds, set_sizes, n_sets,
	                flags & MXC_STATE_RES_LITERAL_AUTH_DIFF);
	mark_diff(&g, n_sets);
	rc = make_id_list(&g, out, F_FULL);
out:
	mxc__free(g.alloc, seeds);
	graph_free(&g);
	return rc;
}

int
mxc__state_power_order(const char **out, mxc_ctx *ctx,
                       const mxc_room_version *rv, const char *const *ids,
                       size_t n, mxc_error *err)
{
	int rc = check_common(ctx, rv, ids, n, err);
	if (rc)
		return rc;
	mxc__ctx_begin(ctx);
	graph g;
	uint32_t *items = NULL;
	if ((rc = graph_init(&g, ctx, rv, n, err)))
		goto out;
	items = mxc__malloc(g.alloc, (n + 1) * sizeof *items);
	if (!items) {
		rc = nomem(&g);
		goto out;
	}
	if ((rc = intern_all(&g, ids, NULL, n, items)) ||
	    (rc = load(&g, true)))
		goto out;
	if (mxc_room_version_state_res(rv) == MXC_STATE_RES_V2_1 &&
	    (rc = find_create(&g)))
		goto out;
	if ((rc = power_order(&g, items, n)))
		goto out;
	for (size_t i = 0; i < n; i++)
		out[i] = g.nodes[items[i]].id;
out:
	mxc__free(g.alloc, items);
	graph_free(&g);
	return rc;
}

int
mxc__state_conflicted_subgraph(mxc_id_list **out, mxc_ctx *ctx,
                               const char *const *ids, size_t n,
                               mxc_error *err)
{
	if (!out)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "conflicted state subgraph: out is required");
	*out = NULL;
	int rc = check_common(ctx, mxc_ctx_room_version(ctx), ids, n, err);
	if (rc)
		return rc;
	mxc__ctx_begin(ctx);
	graph g;
	uint32_t *seeds = NULL;
	if ((rc = load_ids(&g, &seeds, ctx, ids, NULL, n, err)))
		goto out;
	for (size_t i = 0; i < n; i++)
		g.nodes[seeds[i]].flags |= F_CONFLICTED;
	if ((rc = conflicted_subgraph(&g)))
		goto out;
	rc = make_id_list(&g, out, F_SUBGRAPH);
out:
	mxc__free(g.alloc, seeds);
	graph_free(&g);
	return rc;
}
