/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory-store: the smallest whole host. It keeps a room's events in the
 * library's in-memory store, plugs the store into a context, and resolves
 * the state of two forks of the room.
 *
 *   memory-store FORKS.json
 *
 * FORKS.json: {"room_version": "10", "events": [PDU, ...],
 *              "state_sets": [[event_id, ...], ...]}
 * (events written by hand, with `event_id` labels: see
 * tests/vectors/state_res/README.md). Prints the resolved state, one
 * "type  state_key  event_id" line per entry.
 *
 * Build against an installed library:
 *   cc memory-store.c $(pkg-config --cflags --libs matrix-core)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>
#include <matrix-core/backend.h>

static int
fail(const char *what, int rc, const mxc_error *err)
{
	fprintf(stderr, "memory-store: %s: %s: %s%s%s\n", what, mxc_strerror(rc),
	        err->message, err->subject[0] ? " at " : "", err->subject);
	return 1;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, k;
	do {
		if (n + 65536 > cap) {
			char *nb = realloc(buf, cap = (n + 65536) * 2);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: memory-store FORKS.json\n", stderr);
		return 2;
	}
	if (mxc_init() != MXC_OK)
		return 1;
	size_t len;
	char *text = read_file(argv[1], &len);
	if (!text) {
		perror(argv[1]);
		return 1;
	}
	int status = 1, rc;
	mxc_error err;
	mxc_json *in = NULL;
	mxc_memstore *store = NULL;
	mxc_ctx *ctx = NULL;
	mxc_state *state = NULL;
	const char **ids = NULL;
	size_t *sizes = NULL;

	if ((rc = mxc_json_parse(&in, text, len, 0, NULL, &err))) {
		fail(argv[1], rc, &err);
		goto out;
	}
	size_t vl;
	const char *v = mxc_json_get_string(mxc_json_getz(in, "room_version"), &vl);
	const mxc_room_version *rv = NULL;
	if (!v || (rc = mxc_room_version_get(&rv, v, vl, &err))) {
		fputs("memory-store: room_version missing or unknown\n", stderr);
		goto out;
	}

	/* the host's storage: every event, as bytes */
	if ((rc = mxc_memstore_new(&store, rv, MXC_EVENT_PARSE_LABELLED, NULL,
	                           &err))) {
		fail("store", rc, &err);
		goto out;
	}
	const mxc_json *events = mxc_json_getz(in, "events");
	for (size_t i = 0; i < mxc_json_size(events); i++) {
		mxc_buf pdu = MXC_BUF_INIT;
		rc = mxc_json_canonical(&pdu, mxc_json_at(events, i), &err);
		if (rc == MXC_OK)
			rc = mxc_memstore_add(store, pdu.data, pdu.len, NULL, &err);
		mxc_buf_dispose(&pdu);
		if (rc) {
			fail("event", rc, &err);
			goto out;
		}
	}

	/* a context reading through the store's callback table */
	mxc_store_ops ops;
	if ((rc = mxc_memstore_ops(&ops, store)) ||
	    (rc = mxc_ctx_new(&ctx, rv, MXC_EVENT_PARSE_LABELLED, NULL, &err)) ||
	    (rc = mxc_ctx_set_store(ctx, &ops, &err))) {
		fail("context", rc, &err);
		goto out;
	}

	/* the state sets, one after another */
	const mxc_json *sets = mxc_json_getz(in, "state_sets");
	size_t n_sets = mxc_json_size(sets), total = 0, k = 0;
	for (size_t i = 0; i < n_sets; i++)
		total += mxc_json_size(mxc_json_at(sets, i));
	ids = calloc(total + 1, sizeof *ids);
	sizes = calloc(n_sets + 1, sizeof *sizes);
	if (!ids || !sizes)
		goto out;
	for (size_t i = 0; i < n_sets; i++) {
		const mxc_json *s = mxc_json_at(sets, i);
		sizes[i] = mxc_json_size(s);
		for (size_t j = 0; j < sizes[i]; j++)
			if (!(ids[k++] = mxc_json_get_string(mxc_json_at(s, j), NULL))) {
				fputs("memory-store: state sets hold event IDs\n",
				      stderr);
				goto out;
			}
	}
	if ((rc = mxc_state_resolve(&state, ctx, rv, ids, NULL, sizes, n_sets, 0,
	                            &err))) {
		fail("resolve", rc, &err);
		for (size_t i = 0; i < mxc_ctx_missing_count(ctx); i++)
			fprintf(stderr, "  missing %s\n", mxc_ctx_missing(ctx, i, NULL));
		goto out;
	}
	for (size_t i = 0; i < mxc_state_size(state); i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(state, i, &t, &tl, &sk, &skl, &id, &idl);
		printf("%-24.*s %-24.*s %.*s\n", (int)tl, t, (int)skl, sk, (int)idl,
		       id);
	}
	status = 0;
out:
	mxc_state_free(state);
	mxc_ctx_free(ctx);
	mxc_memstore_free(store);
	mxc_json_free(in);
	free(ids);
	free(sizes);
	free(text);
	return status;
}
