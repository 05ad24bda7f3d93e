/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocators, output buffers (mxc_buf) and arenas. Every allocation of the
 * library goes through an mxc_allocator; NULL means the C library's.
 */
#include <stdlib.h>

#include "internal.h"

static void *
libc_malloc(size_t n, void *ud)
{
	MXC_UNUSED(ud);
	return malloc(n ? n : 1);
}

static void *
libc_realloc(void *p, size_t n, void *ud)
{
	MXC_UNUSED(ud);
	return realloc(p, n ? n : 1);
}

static void
libc_free(void *p, void *ud)
{
	MXC_UNUSED(ud);
	free(p);
}

const mxc_allocator mxc__libc_allocator = {libc_malloc, libc_realloc,
                                           libc_free, NULL};

void *
mxc__malloc(const mxc_allocator *a, size_t n)
{
	a = mxc__alloc_or_default(a);
	return a->malloc_fn(n, a->user_data);
}

void *
mxc__realloc(const mxc_allocator *a, void *p, size_t n)
{
	a = mxc__alloc_or_default(a);
	return a->realloc_fn(p, n, a->user_data);
}

void
mxc__free(const mxc_allocator *a, void *p)
{
	if (!p)
		return;
	a = mxc__alloc_or_default(a);
	a->free_fn(p, a->user_data);
}

/* ---- mxc_buf ----------------------------------------------------------- */

const mxc_allocator *
mxc__buf_allocator(const mxc_buf *b)
{
	return b->has_alloc ? &b->alloc : &mxc__libc_allocator;
}

void
mxc_buf_init(mxc_buf *buf, const mxc_allocator *alloc)
{
	if (!buf)
		return;
	memset(buf, 0, sizeof *buf);
	if (alloc) {
		buf->alloc = *alloc;
		buf->has_alloc = 1;
	}
}

int
mxc__buf_reserve(mxc_buf *b, size_t extra)
{
	/* one byte more than asked for: the NUL after the data */
	if (extra > SIZE_MAX - b->len - 1)
		return MXC_ERR_NOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return MXC_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = mxc__realloc(mxc__buf_allocator(b), b->data, cap);
	if (!p)
		return MXC_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return MXC_OK;
}

int
mxc__buf_append(mxc_buf *b, const void *p, size_t n)
{
	if (mxc__buf_reserve(b, n))
		return MXC_ERR_NOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MXC_OK;
}

int
mxc__buf_putc(mxc_buf *b, char c)
{
	return mxc__buf_append(b, &c, 1);
}

int
mxc__buf_puts(mxc_buf *b, const char *s)
{
	return mxc__buf_append(b, s, strlen(s));
}

int
mxc_buf_set(mxc_buf *buf, const void *bytes, size_t len)
{
	if (!buf || (!bytes && len))
		return MXC_ERR_INVALID_ARGUMENT;
	buf->len = 0;
	return mxc__buf_append(buf, bytes, len);
}

void
mxc_buf_dispose(mxc_buf *buf)
{
	if (!buf)
		return;
	mxc__free(mxc__buf_allocator(buf), buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

/* ---- arenas ------------------------------------------------------------ */

struct mxc__arena_chunk {
	mxc__arena_chunk *next;
	size_t size;
	/* data follows, 16-aligned */
};

#define CHUNK_HDR ((sizeof(mxc__arena_chunk) + 15) & ~(size_t)15)
#define CHUNK_MIN 4096

void
mxc__arena_init(mxc__arena *ar, const mxc_allocator *alloc)
{
	memset(ar, 0, sizeof *ar);
	ar->alloc = *mxc__alloc_or_default(alloc);
}

void *
mxc__arena_alloc(mxc__arena *ar, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (n == 0)
		n = 8;
	if ((size_t)(ar->end - ar->cur) < n || !ar->cur) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
		/* grow chunk sizes with the arena so big trees need few */
		if (ar->head && ar->head->size * 2 > size && ar->head->size < (1u << 20))
			size = ar->head->size * 2 > n ? ar->head->size * 2 : n;
		if (size > SIZE_MAX - CHUNK_HDR)
			return NULL;
		mxc__arena_chunk *c =
			ar->alloc.malloc_fn(CHUNK_HDR + size, ar->alloc.user_data);
		if (!c)
			return NULL;
		c->next = ar->head;
		c->size = size;
		ar->head = c;
		ar->cur = (char *)c + CHUNK_HDR;
		ar->end = ar->cur + size;
	}
	void *p = ar->cur;
	ar->cur += n;
	return p;
}

char *
mxc__arena_strdup(mxc__arena *ar, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = mxc__arena_alloc(ar, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
mxc__arena_free(mxc__arena *ar)
{
	mxc__arena_chunk *c = ar->head;
	while (c) {
		mxc__arena_chunk *next = c->next;
		ar->alloc.free_fn(c, ar->alloc.user_data);
		c = next;
	}
	ar->head = NULL;
	ar->cur = ar->end = NULL;
}
