/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Orderings of event graphs for state resolution: a depth-first
 * topological order with cycle detection (an explicit stack, never
 * recursion, so that deep rooms cannot overflow the C stack), and Kahn's
 * algorithm choosing, among the candidates, the smallest by a caller's
 * comparison (a binary heap: O((V + E) log V)), which is how the v2
 * fragment defines the reverse topological power ordering.
 */
#include "internal.h"

int
mxc__dag_topo_order(uint32_t *order, uint32_t *cycle_at, const mxc__dag *g,
                    const mxc_allocator *alloc)
{
	size_t n = g->n, n_out = 0;
	if (!n)
		return MXC_OK;
	uint8_t *color = mxc__malloc(alloc, n);
	uint32_t *stack = mxc__malloc(alloc, n * sizeof *stack);
	uint32_t *next = mxc__malloc(alloc, n * sizeof *next);
	if (!color || !stack || !next) {
		mxc__free(alloc, color);
		mxc__free(alloc, stack);
		mxc__free(alloc, next);
		return MXC_ERR_NOMEM;
	}
	memset(color, 0, n);
	int rc = MXC_OK;
	for (size_t root = 0; root < n && rc == MXC_OK; root++) {
		if (color[root])
			continue;
		size_t sp = 0;
		stack[sp++] = (uint32_t)root;
		next[root] = 0;
		color[root] = 1; /* on the stack */
		while (sp) {
			uint32_t v = stack[sp - 1];
			if (next[v] < g->cnt[v]) {
				uint32_t w = g->edges[g->off[v] + next[v]++];
				if (color[w] == 1) {
					if (cycle_at)
						*cycle_at = w;
					rc = MXC_ERR_BAD_EVENT;
					break;
				}
				if (color[w] == 0) {
					color[w] = 1;
					next[w] = 0;
					stack[sp++] = w;
				}
				continue;
			}
			color[v] = 2; /* done: every prerequisite is out */
			order[n_out++] = v;
			sp--;
		}
	}
	mxc__free(alloc, color);
	mxc__free(alloc, stack);
	mxc__free(alloc, next);
	return rc;
}

/* ---- Kahn's algorithm with a heap ------------------------------------ */

typedef struct heap {
	uint32_t *a;
	size_t n;
	mxc__less_fn less;
	const void *ud;
} heap;

static void
heap_push(heap *h, uint32_t v)
{
	size_t i = h->n++;
	while (i) {
		size_t p = (i - 1) / 2;
		if (!h->less(v, h->a[p], h->ud))
			break;
		h->a[i] = h->a[p];
		i = p;
	}
	h->a[i] = v;
}

static uint32_t
heap_pop(heap *h)
{
	uint32_t top = h->a[0], v = h->a[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h->less(h->a[c + 1], h->a[c], h->ud))
			c++;
		if (!h->less(h->a[c], v, h->ud))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (n)
		h->a[i] = v;
	return top;
}

int
mxc__kahn_sort(uint32_t *order, size_t *n_out, const mxc__dag *g,
               mxc__less_fn less, const void *ud, const mxc_allocator *alloc)
{
	/* g gives each item's prerequisites; build the reverse (dependents)
	 * in CSR form and count in-degrees. */
	size_t n = g->n, e = 0;
	*n_out = 0;
	if (!n)
		return MXC_OK;
	for (size_t i = 0; i < n; i++)
		e += g->cnt[i];
	uint32_t *indeg = mxc__malloc(alloc, n * sizeof *indeg);
	uint32_t *roff = mxc__malloc(alloc, (n + 1) * sizeof *roff);
	uint32_t *radj = mxc__malloc(alloc, (e ? e : 1) * sizeof *radj);
	uint32_t *ha = mxc__malloc(alloc, n * sizeof *ha);
	if (!indeg || !roff || !radj || !ha) {
		mxc__free(alloc, indeg);
		mxc__free(alloc, roff);
		mxc__free(alloc, radj);
		mxc__free(alloc, ha);
		return MXC_ERR_NOMEM;
	}
	memset(roff, 0, (n + 1) * sizeof *roff);
	for (size_t i = 0; i < n; i++) {
		indeg[i] = g->cnt[i];
		for (uint32_t k = 0; k < g->cnt[i]; k++)
			roff[g->edges[g->off[i] + k] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		roff[i + 1] += roff[i];
	/* fill: use indeg-independent cursor (reuse ha as the cursor) */
	for (size_t i = 0; i < n; i++)
		ha[i] = roff[i];
	for (size_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < g->cnt[i]; k++) {
			uint32_t p = g->edges[g->off[i] + k];
			radj[ha[p]++] = (uint32_t)i;
		}
	heap h = {ha, 0, less, ud};
	for (size_t i = 0; i < n; i++)
		if (!indeg[i])
			heap_push(&h, (uint32_t)i);
	size_t k = 0;
	while (h.n) {
		uint32_t v = heap_pop(&h);
		order[k++] = v;
		for (uint32_t j = roff[v]; j < roff[v + 1]; j++)
			if (--indeg[radj[j]] == 0)
				heap_push(&h, radj[j]);
	}
	*n_out = k;
	mxc__free(alloc, indeg);
	mxc__free(alloc, roff);
	mxc__free(alloc, radj);
	mxc__free(alloc, ha);
	return k == n ? MXC_OK : MXC_ERR_BAD_EVENT;
}
