/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory store (include/matrix-core/backend.h): events' JSON bytes
 * keyed by event ID, and a store table reading them. The one store
 * implementation of the library, for tools, tests, examples and bindings.
 */
#include "internal.h"

#include <matrix-core/backend.h>

typedef struct mem_entry {
	char *id;
	size_t id_len;
	char *json;
	size_t len;
} mem_entry;

struct mxc_memstore {
	mxc_allocator alloc;
	const mxc_room_version *rv;
	unsigned parse_flags;
	mxc__arena ar;
	mem_entry *e;
	size_t n, cap;
	mxc__strmap by_id;
};

int
mxc_memstore_new(mxc_memstore **out, const mxc_room_version *rv,
                 unsigned parse_flags, const mxc_allocator *alloc,
                 mxc_error *err)
{
	if (!out || !rv)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_memstore_new: out and rv are required");
	*out = NULL;
	alloc = mxc__alloc_or_default(alloc);
	mxc_memstore *ms = mxc__malloc(alloc, sizeof *ms);
	if (!ms)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	memset(ms, 0, sizeof *ms);
	ms->alloc = *alloc;
	ms->rv = rv;
	ms->parse_flags = parse_flags;
	mxc__arena_init(&ms->ar, &ms->alloc);
	if (mxc__strmap_init(&ms->by_id, &ms->alloc, 64)) {
		mxc_memstore_free(ms);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	*out = ms;
	return MXC_OK;
}

void
mxc_memstore_free(mxc_memstore *ms)
{
	if (!ms)
		return;
	mxc__strmap_dispose(&ms->by_id);
	mxc__free(&ms->alloc, ms->e);
	mxc__arena_free(&ms->ar);
	mxc_allocator a = ms->alloc;
	mxc__free(&a, ms);
}

int
mxc_memstore_add(mxc_memstore *ms, const char *json, size_t len,
                 mxc_buf *id_out, mxc_error *err)
{
	if (!ms || (!json && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "mxc_memstore_add: bad argument");
	mxc_event *ev = NULL;
	int rc = mxc_event_parse(&ev, ms->rv, json, len, ms->parse_flags,
	                         &ms->alloc, err);
	if (rc != MXC_OK)
		return rc;
	size_t idn;
	const char *id = mxc_event_id(ev, &idn);
	uint32_t *have = mxc__strmap_get(&ms->by_id, id, idn);
	if (have) {
		/* the same event again is fine; compare the parsed values, so
		 * that white space and key order do not matter */
		mem_entry *old = &ms->e[*have];
		mxc_json *oj = NULL;
		unsigned jf = mxc_room_version_strict_canonical_json(ms->rv)
		                      ? 0
		                      : MXC_JSON_LENIENT_NUMBERS;
		rc = mxc_json_parse(&oj, old->json, old->len, jf, &ms->alloc,
		                    NULL);
		int same = rc == MXC_OK &&
		           mxc_json_equal(oj, mxc_event_json(ev));
		mxc_json_free(oj);
		if (!same) {
			mxc__err(err, MXC_ERR_BAD_EVENT,
			         "two different events with one event ID");
			mxc__err_subject(err, id, idn);
			mxc_event_free(ev);
			return MXC_ERR_BAD_EVENT;
		}
		rc = id_out ? mxc__buf_append(id_out, id, idn) : MXC_OK;
		mxc_event_free(ev);
		return rc;
	}
	if (ms->n == ms->cap) {
		size_t nc = ms->cap ? ms->cap * 2 : 64;
		mem_entry *ne = mxc__realloc(&ms->alloc, ms->e, nc * sizeof *ne);
		if (!ne)
			goto nomem;
		ms->e = ne;
		ms->cap = nc;
	}
	mem_entry *e = &ms->e[ms->n];
	e->id = mxc__arena_strdup(&ms->ar, id, idn);
	e->json = mxc__arena_strdup(&ms->ar, json, len);
	if (!e->id || !e->json)
		goto nomem;
	e->id_len = idn;
	e->len = len;
	uint32_t *slot = mxc__strmap_put(&ms->by_id, e->id, idn, NULL);
	if (!slot)
		goto nomem;
	*slot = (uint32_t)ms->n++;
	rc = id_out ? mxc__buf_append(id_out, id, idn) : MXC_OK;
	mxc_event_free(ev);
	return rc;
nomem:
	mxc_event_free(ev);
	return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
}

size_t
mxc_memstore_size(const mxc_memstore *ms)
{
	return ms ? ms->n : 0;
}

const char *
mxc_memstore_get(const mxc_memstore *ms, const char *event_id,
                 size_t id_len, size_t *len)
{
	if (!ms || (!event_id && id_len))
		return NULL;
	uint32_t *i = mxc__strmap_get(&ms->by_id, event_id, id_len);
	if (!i)
		return NULL;
	if (len)
		*len = ms->e[*i].len;
	return ms->e[*i].json;
}

static int
mem_get_event(mxc_buf *out, const char *event_id, void *user_data)
{
	const mxc_memstore *ms = user_data;
	size_t len;
	const char *j = mxc_memstore_get(ms, event_id, strlen(event_id), &len);
	if (!j)
		return MXC_ERR_NOT_FOUND;
	return mxc_buf_set(out, j, len);
}

int
mxc_memstore_ops(mxc_store_ops *out, mxc_memstore *ms)
{
	if (!out || !ms)
		return MXC_ERR_INVALID_ARGUMENT;
	memset(out, 0, sizeof *out);
	out->version = MXC_STORE_OPS_VERSION;
	out->user_data = ms;
	out->get_event = mem_get_event;
	return MXC_OK;
}
