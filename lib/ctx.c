/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Contexts (include/matrix-core/ctx.h): the events handed over by the host
 * or fetched through its store, the rejected set, the list of what an
 * operation found missing; and the string-keyed hash map the library uses
 * wherever it looks things up by event ID (open addressing, linear
 * probing, cached 64-bit hashes; keys borrowed from their owner).
 */
#include "internal.h"

#include <matrix-core/backend.h>

/* ---- hash map ------------------------------------------------------- */

static inline uint64_t
rd64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	/* 128-bit multiply folded (as wyhash does): fast and well spread */
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
mxc__hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		h = mix(h ^ rd64(p + i), 0xa0761d6478bd642full);
	if (i < n) {
		uint64_t t = 0;
		memcpy(&t, p + i, n - i);
		h = mix(h ^ t, 0xe7037ed1a0b428dbull);
	}
	return mix(h, 0x8ebc6af09c88c6e3ull);
}

int
mxc__strmap_init(mxc__strmap *m, const mxc_allocator *alloc, size_t expect)
{
	size_t cap = 16;
	while (cap < expect * 2 + 2)
		cap <<= 1;
	m->alloc = mxc__alloc_or_default(alloc);
	m->n = 0;
	m->cap = cap;
	m->slots = mxc__malloc(m->alloc, cap * sizeof *m->slots);
	if (!m->slots) {
		m->cap = 0;
		return MXC_ERR_NOMEM;
	}
	memset(m->slots, 0, cap * sizeof *m->slots);
	return MXC_OK;
}

void
mxc__strmap_dispose(mxc__strmap *m)
{
	if (m->slots)
		mxc__free(m->alloc, m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static mxc__strmap_slot *
probe(const mxc__strmap *m, const char *k, size_t n, uint64_t h)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;
	for (;;) {
		mxc__strmap_slot *s = &m->slots[i];
		if (!s->k)
			return s;
		if (s->h == h && s->n == n && memcmp(s->k, k, n) == 0)
			return s;
		i = (i + 1) & mask;
	}
}

uint32_t *
mxc__strmap_get(const mxc__strmap *m, const char *k, size_t n)
{
	if (!m->cap)
		return NULL;
	mxc__strmap_slot *s = probe(m, k, n, mxc__hash_bytes(k, n));
	return s->k ? &s->v : NULL;
}

static int
grow(mxc__strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	mxc__strmap_slot *ns = mxc__malloc(m->alloc, ncap * sizeof *ns);
	if (!ns)
		return MXC_ERR_NOMEM;
	memset(ns, 0, ncap * sizeof *ns);
	for (size_t i = 0; i < m->cap; i++) {
		mxc__strmap_slot *s = &m->slots[i];
		if (!s->k)
			continue;
		size_t j = (size_t)s->h & (ncap - 1);
		while (ns[j].k)
			j = (j + 1) & (ncap - 1);
		ns[j] = *s;
	}
	if (m->slots)
		mxc__free(m->alloc, m->slots);
	m->slots = ns;
	m->cap = ncap;
	return MXC_OK;
}

uint32_t *
mxc__strmap_put(mxc__strmap *m, const char *k, size_t n, bool *found)
{
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) != MXC_OK)
		return NULL;
	uint64_t h = mxc__hash_bytes(k, n);
	mxc__strmap_slot *s = probe(m, k, n, h);
	if (s->k) {
		if (found)
			*found = true;
		return &s->v;
	}
	/* an empty key still needs a non-NULL pointer to mark the slot */
	s->k = k ? k : "";
	s->n = n;
	s->h = h;
	s->v = 0;
	m->n++;
	if (found)
		*found = false;
	return &s->v;
}

/* ---- contexts ----------------------------------------------------------- */

typedef struct missing_id {
	const char *id;
	size_t len;
} missing_id;

struct mxc_ctx {
	mxc_allocator alloc;
	const mxc_room_version *rv;
	unsigned parse_flags;
	mxc_event **events;
	size_t n_events, cap_events;
	mxc__strmap by_id;    /* ID -> index in events; keys in the events */
	mxc__strmap rejected; /* keys in `keep` */
	mxc__arena keep;      /* lives as long as the context */
	mxc__arena scratch;   /* the missing list of the current operation */
	missing_id *missing;
	size_t n_missing, cap_missing;
	mxc__strmap missing_set;
	bool missing_wouldblock;
	bool has_store;
	mxc_store_ops store;
};

int
mxc_ctx_new(mxc_ctx **out, const mxc_room_version *rv, unsigned parse_flags,
            const mxc_allocator *alloc, mxc_error *err)
{
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_new: out and rv are required");
	*out = NULL;
	alloc = mxc__alloc_or_default(alloc);
	mxc_ctx *c = mxc__malloc(alloc, sizeof *c);
	if (!c)
		return mxc__err(err, MXC_ERR_NOMEM, "mxc_ctx_new: out of memory");
	memset(c, 0, sizeof *c);
	c->alloc = *alloc;
	c->rv = rv;
	c->parse_flags = parse_flags;
	mxc__arena_init(&c->keep, &c->alloc);
	mxc__arena_init(&c->scratch, &c->alloc);
	if (mxc__strmap_init(&c->by_id, &c->alloc, 64) ||
	    mxc__strmap_init(&c->rejected, &c->alloc, 0) ||
	    mxc__strmap_init(&c->missing_set, &c->alloc, 0)) {
		mxc_ctx_free(c);
		return mxc__err(err, MXC_ERR_NOMEM, "mxc_ctx_new: out of memory");
	}
	*out = c;
	return MXC_OK;
}

void
mxc_ctx_free(mxc_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->has_store && ctx->store.release)
		ctx->store.release(ctx->store.user_data);
	for (size_t i = 0; i < ctx->n_events; i++)
		mxc_event_free(ctx->events[i]);
	mxc__free(&ctx->alloc, ctx->events);
	mxc__free(&ctx->alloc, ctx->missing);
	mxc__strmap_dispose(&ctx->by_id);
	mxc__strmap_dispose(&ctx->rejected);
	mxc__strmap_dispose(&ctx->missing_set);
	mxc__arena_free(&ctx->keep);
	mxc__arena_free(&ctx->scratch);
	mxc_allocator a = ctx->alloc;
	mxc__free(&a, ctx);
}

const mxc_room_version *
mxc_ctx_room_version(const mxc_ctx *ctx)
{
	return ctx ? ctx->rv : NULL;
}

uint32_t
mxc_store_ops_version(void)
{
	return MXC_STORE_OPS_VERSION;
}

int
mxc_ctx_set_store(mxc_ctx *ctx, const mxc_store_ops *ops, mxc_error *err)
{
	if (!ctx)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_set_store: no context");
	if (ops && (ops->version == 0 || ops->version > MXC_STORE_OPS_VERSION))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_set_store: store table version %u not "
		                "supported (1 to %u)", (unsigned)ops->version,
		                (unsigned)MXC_STORE_OPS_VERSION);
	if (ops && !ops->get_event)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_set_store: get_event is required");
	if (ctx->has_store && ctx->store.release)
		ctx->store.release(ctx->store.user_data);
	ctx->has_store = false;
	memset(&ctx->store, 0, sizeof ctx->store);
	if (ops) {
		/* version 1 is the whole table; later versions copy only the
		 * members their version has */
		ctx->store = *ops;
		ctx->has_store = true;
	}
	return MXC_OK;
}

static int
add_owned(mxc_ctx *ctx, mxc_event *ev, mxc_error *err)
{
	size_t idn;
	const char *id = mxc_event_id(ev, &idn);
	if (!id) {
		mxc_event_free(ev);
		return mxc__err(err, MXC_ERR_BAD_EVENT, "event has no event ID");
	}
	uint32_t *have = mxc__strmap_get(&ctx->by_id, id, idn);
	if (have) {
		const mxc_event *old = ctx->events[*have];
		int same = mxc_json_equal(mxc_event_json(old), mxc_event_json(ev));
		mxc_event_free(ev);
		if (same)
			return MXC_OK;
		mxc__err(err, MXC_ERR_BAD_EVENT,
		         "two different events with one event ID");
		id = mxc_event_id(old, &idn);
		mxc__err_subject(err, id, idn);
		return MXC_ERR_BAD_EVENT;
	}
	if (ctx->n_events == ctx->cap_events) {
		size_t nc = ctx->cap_events ? ctx->cap_events * 2 : 64;
		mxc_event **ne = mxc__realloc(&ctx->alloc, ctx->events,
		                              nc * sizeof *ne);
		if (!ne) {
			mxc_event_free(ev);
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		}
		ctx->events = ne;
		ctx->cap_events = nc;
	}
	uint32_t *slot = mxc__strmap_put(&ctx->by_id, id, idn, NULL);
	if (!slot) {
		mxc_event_free(ev);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	*slot = (uint32_t)ctx->n_events;
	ctx->events[ctx->n_events++] = ev;
	return MXC_OK;
}

int
mxc_ctx_add_event(mxc_ctx *ctx, const char *json, size_t len, mxc_error *err)
{
	if (!ctx || (!json && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_add_event: no context or no bytes");
	mxc_event *ev = NULL;
	int rc = mxc_event_parse(&ev, ctx->rv, json, len, ctx->parse_flags,
	                         &ctx->alloc, err);
	if (rc != MXC_OK)
		return rc;
	return add_owned(ctx, ev, err);
}

int
mxc_ctx_adopt_event(mxc_ctx *ctx, mxc_event *ev, mxc_error *err)
{
	if (!ctx || !ev) {
		mxc_event_free(ev);
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_adopt_event: no context or no event");
	}
	const mxc_room_version *erv = mxc_event_room_version(ev);
	if (erv != ctx->rv) {
		mxc_event_free(ev);
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_adopt_event: event of room version %s "
		                "in a context of version %s",
		                mxc_room_version_id(erv),
		                mxc_room_version_id(ctx->rv));
	}
	return add_owned(ctx, ev, err);
}

const mxc_event *
mxc_ctx_get_event(const mxc_ctx *ctx, const char *event_id, size_t len)
{
	if (!ctx || (!event_id && len))
		return NULL;
	uint32_t *i = mxc__strmap_get(&ctx->by_id, event_id, len);
	return i ? ctx->events[*i] : NULL;
}

size_t
mxc_ctx_event_count(const mxc_ctx *ctx)
{
	return ctx ? ctx->n_events : 0;
}

int
mxc_ctx_set_rejected(mxc_ctx *ctx, const char *event_id, size_t len,
                     mxc_error *err)
{
	if (!ctx || (!event_id && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_ctx_set_rejected: bad argument");
	if (mxc__strmap_get(&ctx->rejected, event_id, len))
		return MXC_OK;
	char *k = mxc__arena_strdup(&ctx->keep, event_id, len);
	if (!k || !mxc__strmap_put(&ctx->rejected, k, len, NULL))
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	return MXC_OK;
}

int
mxc_ctx_is_rejected(const mxc_ctx *ctx, const char *event_id, size_t len)
{
	if (!ctx || (!event_id && len))
		return 0;
	return mxc__strmap_get(&ctx->rejected, event_id, len) != NULL;
}

size_t
mxc_ctx_missing_count(const mxc_ctx *ctx)
{
	return ctx ? ctx->n_missing : 0;
}

const char *
mxc_ctx_missing(const mxc_ctx *ctx, size_t i, size_t *len)
{
	if (!ctx || i >= ctx->n_missing)
		return NULL;
	if (len)
		*len = ctx->missing[i].len;
	return ctx->missing[i].id;
}

/* ---- internal: fetching for operations ------------------------------ */

void
mxc__ctx_begin(mxc_ctx *ctx)
{
	ctx->n_missing = 0;
	ctx->missing_wouldblock = false;
	mxc__arena_free(&ctx->scratch);
	mxc__arena_init(&ctx->scratch, &ctx->alloc);
	if (ctx->missing_set.n) {
		memset(ctx->missing_set.slots, 0,
		       ctx->missing_set.cap * sizeof *ctx->missing_set.slots);
		ctx->missing_set.n = 0;
	}
}

static int
note_missing(mxc_ctx *ctx, const char *id, size_t n, bool wouldblock)
{
	if (wouldblock)
		ctx->missing_wouldblock = true;
	if (mxc__strmap_get(&ctx->missing_set, id, n))
		return MXC_OK;
	if (ctx->n_missing == ctx->cap_missing) {
		size_t nc = ctx->cap_missing ? ctx->cap_missing * 2 : 16;
		missing_id *nm = mxc__realloc(&ctx->alloc, ctx->missing,
		                              nc * sizeof *nm);
		if (!nm)
			return MXC_ERR_NOMEM;
		ctx->missing = nm;
		ctx->cap_missing = nc;
	}
	char *k = mxc__arena_strdup(&ctx->scratch, id, n);
	if (!k || !mxc__strmap_put(&ctx->missing_set, k, n, NULL))
		return MXC_ERR_NOMEM;
	ctx->missing[ctx->n_missing].id = k;
	ctx->missing[ctx->n_missing].len = n;
	ctx->n_missing++;
	return MXC_OK;
}

int
mxc__ctx_fetch(mxc_ctx *ctx, const char *id, size_t n, const mxc_event **out,
               mxc_error *err)
{
	*out = NULL;
	uint32_t *i = mxc__strmap_get(&ctx->by_id, id, n);
	if (i) {
		*out = ctx->events[*i];
		return MXC_OK;
	}
	if (!ctx->has_store || memchr(id, 0, n)) {
		if (note_missing(ctx, id, n, false))
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		return MXC_ERR_NOT_FOUND;
	}
	char stackbuf[512];
	char *z = n < sizeof stackbuf ? stackbuf
	                              : mxc__malloc(&ctx->alloc, n + 1);
	if (!z)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	memcpy(z, id, n);
	z[n] = 0;
	mxc_buf b;
	mxc_buf_init(&b, &ctx->alloc);
	int rc = ctx->store.get_event(&b, z, ctx->store.user_data);
	if (z != stackbuf)
		mxc__free(&ctx->alloc, z);
	if (rc == MXC_ERR_NOT_FOUND || rc == MXC_ERR_WOULDBLOCK) {
		mxc_buf_dispose(&b);
		if (note_missing(ctx, id, n, rc == MXC_ERR_WOULDBLOCK))
			return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
		return rc;
	}
	if (rc != MXC_OK) {
		mxc_buf_dispose(&b);
		mxc__err(err, MXC_ERR_CALLBACK,
		         "store get_event answered status %d", rc);
		if (err)
			err->reason = rc;
		mxc__err_subject(err, id, n);
		return MXC_ERR_CALLBACK;
	}
	if (b.len) {
		mxc_event *ev = NULL;
		rc = mxc_event_parse(&ev, ctx->rv, b.data, b.len,
		                     ctx->parse_flags, &ctx->alloc, err);
		mxc_buf_dispose(&b);
		if (rc != MXC_OK) {
			mxc__err_subject(err, id, n);
			return rc;
		}
		size_t gotn;
		const char *got = mxc_event_id(ev, &gotn);
		if (gotn != n || memcmp(got, id, n) != 0) {
			mxc_event_free(ev);
			mxc__err(err, MXC_ERR_CALLBACK,
			         "store get_event answered another event");
			mxc__err_subject(err, id, n);
			return MXC_ERR_CALLBACK;
		}
		rc = add_owned(ctx, ev, err);
		if (rc != MXC_OK)
			return rc;
	} else {
		mxc_buf_dispose(&b);
	}
	i = mxc__strmap_get(&ctx->by_id, id, n);
	if (!i) {
		mxc__err(err, MXC_ERR_CALLBACK,
		         "store get_event answered MXC_OK without the event");
		mxc__err_subject(err, id, n);
		return MXC_ERR_CALLBACK;
	}
	*out = ctx->events[*i];
	return MXC_OK;
}

int
mxc__ctx_end(mxc_ctx *ctx, mxc_error *err)
{
	if (!ctx->n_missing)
		return MXC_OK;
	int st = ctx->missing_wouldblock ? MXC_ERR_NEED_INPUT
	                                 : MXC_ERR_MISSING_EVENT;
	mxc__err(err, st, "%zu event%s missing (first listed in subject; "
	         "all in mxc_ctx_missing)", ctx->n_missing,
	         ctx->n_missing == 1 ? "" : "s");
	mxc__err_subject(err, ctx->missing[0].id, ctx->missing[0].len);
	return st;
}
