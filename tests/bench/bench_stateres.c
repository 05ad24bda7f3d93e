/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State resolution on stateres-N.json (common/gen_inputs.py): a room of
 * signed PDUs split into three forks. As in the rocketchat driver, each
 * run first sets up fresh inputs (a context holding every event, parsed
 * from its bytes) outside the timing, then times one resolution. The
 * output is the SHA-256 of the resolved state written as Python's
 * json.dumps of the sorted [[type, state_key, event_id], ...] list, so the
 * outputs compare with the peers'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct sr_input {
	const mxc_room_version *rv;
	char **texts;
	size_t *lens, n_events;
	const char **ids;
	size_t *id_lens, *set_sizes, n_sets;
} sr_input;

static mxc_ctx *
setup(const sr_input *in)
{
	mxc_ctx *ctx = NULL;
	mxc_error err;
	int rc = mxc_ctx_new(&ctx, in->rv, 0, NULL, &err);
	if (rc)
		bench_die("ctx", rc, &err);
	for (size_t i = 0; i < in->n_events; i++)
		if ((rc = mxc_ctx_add_event(ctx, in->texts[i], in->lens[i], &err)))
			bench_die("add event", rc, &err);
	return ctx;
}

/* A string as Python's json.dumps writes it (ensure_ascii). */
static void
py_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = c;
		size_t k = 1;
		if (c >= 0xF0) {
			cp = (c & 7u) << 18 | (s[i + 1] & 63u) << 12 |
			     (s[i + 2] & 63u) << 6 | (s[i + 3] & 63u);
			k = 4;
		} else if (c >= 0xE0) {
			cp = (c & 15u) << 12 | (s[i + 1] & 63u) << 6 |
			     (s[i + 2] & 63u);
			k = 3;
		} else if (c >= 0xC0) {
			cp = (c & 31u) << 6 | (s[i + 1] & 63u);
			k = 2;
		}
		i += k;
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\r')
			fputs("\\r", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp == '\b')
			fputs("\\b", f);
		else if (cp == '\f')
			fputs("\\f", f);
		else if (cp < 0x20 || (cp >= 0x7F && cp < 0x10000))
			fprintf(f, "\\u%04x", cp);
		else if (cp >= 0x10000)
			fprintf(f, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
			        0xDC00 + ((cp - 0x10000) & 0x3FF));
		else
			fputc((int)cp, f);
	}
	fputc('"', f);
}

void
bench_stateres(const mxc_json *in, int runs)
{
	sr_input sr = {0};
	const char *rv_id = bench_str(in, "room_version");
	sr.rv = mxc_room_version_find(rv_id, strlen(rv_id));
	if (!sr.rv)
		bench_die("room_version", MXC_ERR_UNKNOWN_ROOM_VERSION, NULL);
	const mxc_json *events = mxc_json_getz(in, "events");
	sr.n_events = mxc_json_size(events);
	sr.texts = calloc(sr.n_events, sizeof *sr.texts);
	sr.lens = calloc(sr.n_events, sizeof *sr.lens);
	for (size_t i = 0; i < sr.n_events; i++)
		sr.texts[i] = bench_canonical(mxc_json_at(events, i), &sr.lens[i]);
	const mxc_json *sets = mxc_json_getz(in, "state_sets");
	sr.n_sets = mxc_json_size(sets);
	size_t total = 0;
	for (size_t i = 0; i < sr.n_sets; i++)
		total += mxc_json_size(mxc_json_at(sets, i));
	sr.ids = calloc(total, sizeof *sr.ids);
	sr.id_lens = calloc(total, sizeof *sr.id_lens);
	sr.set_sizes = calloc(sr.n_sets, sizeof *sr.set_sizes);
	size_t k = 0;
	for (size_t i = 0; i < sr.n_sets; i++) {
		const mxc_json *s = mxc_json_at(sets, i);
		sr.set_sizes[i] = mxc_json_size(s);
		for (size_t j = 0; j < sr.set_sizes[i]; j++, k++)
			sr.ids[k] = mxc_json_get_string(
				mxc_json_at(mxc_json_at(s, j), 2), &sr.id_lens[k]);
	}

	double t0 = bench_now();
	mxc_ctx *ctx = setup(&sr);
	double load_s = bench_now() - t0;
	mxc_state *out = NULL;
	mxc_error err;
	int rc = mxc_state_resolve(&out, ctx, sr.rv, sr.ids, sr.id_lens,
	                           sr.set_sizes, sr.n_sets, 0, &err);
	if (rc)
		bench_die("resolve", rc, &err);
	/* the output digest */
	char *py = NULL;
	size_t py_len = 0;
	FILE *f = open_memstream(&py, &py_len);
	fputc('[', f);
	for (size_t i = 0; i < mxc_state_size(out); i++) {
		const char *t, *sk, *id;
		size_t tl, skl, idl;
		mxc_state_entry(out, i, &t, &tl, &sk, &skl, &id, &idl);
		fputs(i ? ", [" : "[", f);
		py_str(f, t, tl);
		fputs(", ", f);
		py_str(f, sk, skl);
		fputs(", ", f);
		py_str(f, id, idl);
		fputc(']', f);
	}
	fputc(']', f);
	fclose(f);
	uint8_t h[32];
	char hex[65];
	mxc_sha256(h, py, py_len);
	bench_hex(hex, h, 32);
	char output[512];
	snprintf(output, sizeof output,
	         "{\"resolved_sha256\": \"%s\", \"n\": %zu, \"load_s\": %.3f, "
	         "\"resolved\": null}",
	         hex, mxc_state_size(out), load_s);
	if (getenv("BENCH_FULL_OUTPUT"))
		fprintf(stderr, "%s\n", py);
	free(py);
	mxc_state_free(out);
	mxc_ctx_free(ctx);

	if (runs < 1)
		runs = 1;
	if (runs > 64)
		runs = 64;
	double rates[64];
	for (int r = 0; r < runs; r++) {
		ctx = setup(&sr);
		double a = bench_now();
		rc = mxc_state_resolve(&out, ctx, sr.rv, sr.ids, sr.id_lens,
		                       sr.set_sizes, sr.n_sets, 0, &err);
		double dt = bench_now() - a;
		if (rc)
			bench_die("resolve", rc, &err);
		rates[r] = 1.0 / (dt > 1e-12 ? dt : 1e-12);
		mxc_state_free(out);
		mxc_ctx_free(ctx);
	}
	char cas[96];
	snprintf(cas, sizeof cas, "%zu_events_%zu_forks", sr.n_events, sr.n_sets);
	bench_report("state_res_v2", cas, rates, runs, 1, output);
	for (size_t i = 0; i < sr.n_events; i++)
		free(sr.texts[i]);
	free(sr.texts);
	free(sr.lens);
	free(sr.ids);
	free(sr.id_lens);
	free(sr.set_sizes);
}
