/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mxc-peer-bench: matrix-core's driver for the side-by-side benchmarks of
 * ../shared/peers. It reads the same inputs as the peer drivers there
 * (core.json and stateres-N.json from common/gen_inputs.py) and prints the
 * same JSON lines ({"peer","op","case","ops_per_s","runs_ops_per_s",
 * "iters","output"}), so that common/compare.py checks the outputs for
 * agreement and tests/bench/compare.sh puts the rates side by side.
 *
 *   mxc-peer-bench core FILE
 *   mxc-peer-bench stateres FILE [RUNS]
 *
 * Timing follows common/benchutil.py: each op is calibrated so that one
 * run lasts at least BENCH_MIN_RUN_S (0.2 s), then BENCH_RUNS (5) runs are
 * timed and the median rate reported. Canonical JSON is timed from bytes
 * (parse included), stricter than the peers, which start from values they
 * have already parsed; the bytes are the value written with its members in
 * reverse order and with white space, so the parser does real sorting.
 * Baselines measured in the same run: bare OpenSSL SHA-256 over the
 * canonical bytes, and libsodium's bare ed25519 verify.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <matrix-core.h>

#include "bench.h"

static const char *peer_name = "matrix-core";

/* ---- timing -------------------------------------------------------------- */

double
bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void
bench_run(const char *op, const char *cas, bench_fn fn, void *ctx,
          const char *output_json, long fixed_iters, int runs)
{
	double min_run = getenv("BENCH_MIN_RUN_S")
	                         ? atof(getenv("BENCH_MIN_RUN_S"))
	                         : 0.2;
	if (runs <= 0)
		runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 5;
	if (runs < 1)
		runs = 1;
	long iters = fixed_iters > 0 ? fixed_iters : 1;
	if (fixed_iters <= 0) {
		for (;;) {
			double t0 = bench_now();
			for (long i = 0; i < iters; i++)
				fn(ctx);
			double dt = bench_now() - t0;
			if (dt >= min_run || iters >= (1L << 24))
				break;
			long next = (long)((double)iters * min_run /
			                   (dt > 1e-9 ? dt : 1e-9) * 1.1);
			iters = next > iters * 2 ? next : iters * 2;
		}
	}
	double rates[64];
	if (runs > 64)
		runs = 64;
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now();
		for (long i = 0; i < iters; i++)
			fn(ctx);
		double dt = bench_now() - t0;
		rates[r] = (double)iters / (dt > 1e-12 ? dt : 1e-12);
	}
	bench_report(op, cas, rates, runs, iters, output_json);
}

void
bench_report(const char *op, const char *cas, const double *rates, int runs,
             long iters, const char *output_json)
{
	double sorted[64];
	if (runs > 64)
		runs = 64;
	memcpy(sorted, rates, sizeof(double) * (size_t)runs);
	qsort(sorted, (size_t)runs, sizeof(double), cmp_double);
	double median = runs % 2 ? sorted[runs / 2]
	                         : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
	printf("{\"peer\": \"%s\", \"op\": \"%s\", \"case\": \"%s\", "
	       "\"ops_per_s\": %.3f, \"runs_ops_per_s\": [",
	       peer_name, op, cas, median);
	for (int r = 0; r < runs; r++)
		printf("%s%.3f", r ? ", " : "", rates[r]);
	printf("], \"iters\": %ld, \"output\": %s}\n", iters,
	       output_json ? output_json : "null");
	fflush(stdout);
}

void
bench_die(const char *what, int rc, const mxc_error *err)
{
	fprintf(stderr, "mxc-peer-bench: %s: %s %s %s\n", what, mxc_strerror(rc),
	        err ? err->message : "", err ? err->subject : "");
	exit(1);
}

/* ---- JSON helpers -------------------------------------------------------- */

void
bench_hex(char *out, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

char *
bench_b64(const uint8_t *p, size_t n, unsigned flags)
{
	mxc_buf b = MXC_BUF_INIT;
	if (mxc_base64_encode(&b, p, n, flags))
		bench_die("base64", MXC_ERR_NOMEM, NULL);
	char *s = strdup(b.data);
	mxc_buf_dispose(&b);
	return s;
}

char *
bench_canonical(const mxc_json *v, size_t *len)
{
	mxc_buf b = MXC_BUF_INIT;
	mxc_error err;
	int rc = mxc_json_canonical(&b, v, &err);
	if (rc)
		bench_die("canonical", rc, &err);
	char *s = malloc(b.len + 1);
	memcpy(s, b.data, b.len + 1);
	if (len)
		*len = b.len;
	mxc_buf_dispose(&b);
	return s;
}

/* Write a value as a typical sender would, but harder to canonicalise:
 * members in reverse order, ", " and ": " separators. */
static void
write_unsorted(const mxc_json *v, FILE *f)
{
	switch (mxc_json_get_type(v)) {
	case MXC_JSON_OBJECT: {
		fputc('{', f);
		size_t n = mxc_json_size(v);
		for (size_t i = n; i-- > 0;) {
			const char *k;
			size_t kl;
			const mxc_json *m = mxc_json_member(v, i, &k, &kl);
			char *q = malloc(kl * 6 + 8);
			size_t ql = 0;
			q[ql++] = '"';
			for (size_t j = 0; j < kl; j++) {
				unsigned char c = (unsigned char)k[j];
				if (c < 0x20 || c == '"' || c == '\\')
					ql += (size_t)sprintf(q + ql, "\\u%04x", c);
				else
					q[ql++] = (char)c;
			}
			q[ql++] = '"';
			fwrite(q, 1, ql, f);
			free(q);
			fputs(": ", f);
			write_unsorted(m, f);
			if (i)
				fputs(", ", f);
		}
		fputc('}', f);
		break;
	}
	case MXC_JSON_ARRAY: {
		fputc('[', f);
		for (size_t i = 0; i < mxc_json_size(v); i++) {
			if (i)
				fputs(", ", f);
			write_unsorted(mxc_json_at(v, i), f);
		}
		fputc(']', f);
		break;
	}
	default: {
		size_t n;
		char *s = bench_canonical(v, &n);
		fwrite(s, 1, n, f);
		free(s);
	}
	}
}

char *
bench_unsorted_text(const mxc_json *v, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	write_unsorted(v, f);
	fclose(f);
	*len = n;
	return buf;
}

/* ---- core: canonical JSON, hashes, signatures ----------------------------- */

typedef struct canon_ctx {
	const char *text;
	size_t len;
	unsigned flags;
	mxc_buf out;
} canon_ctx;

static void
do_canonical(void *p)
{
	canon_ctx *c = p;
	c->out.len = 0;
	mxc_buf_dispose(&c->out);
	int rc = mxc_canonical_json(&c->out, c->text, c->len, c->flags, NULL);
	if (rc)
		bench_die("canonical", rc, NULL);
}

typedef struct sha_ctx {
	const char *p;
	size_t n;
	uint8_t out[32];
} sha_ctx;

static void
do_sha_raw(void *p)
{
	sha_ctx *c = p;
	SHA256_CTX s;
	SHA256_Init(&s);
	SHA256_Update(&s, c->p, c->n);
	SHA256_Final(c->out, &s);
}

typedef struct sign_ctx {
	const mxc_json *obj;
	const char *server;
	const mxc_signing_key *key;
	mxc_json *signed_obj;
	const uint8_t *pub;
	const char *msg;
	size_t msg_len;
	uint8_t sig[64];
} sign_ctx;

static void
do_sign_json(void *p)
{
	sign_ctx *c = p;
	mxc_json_free(c->signed_obj);
	c->signed_obj = NULL;
	int rc = mxc_json_sign(&c->signed_obj, c->obj, c->server, c->key, NULL,
	                       NULL);
	if (rc)
		bench_die("sign_json", rc, NULL);
}

static void
do_verify_json(void *p)
{
	sign_ctx *c = p;
	int rc = mxc_json_verify(c->signed_obj, c->server,
	                         mxc_signing_key_id(c->key), c->pub, 32, NULL);
	if (rc)
		bench_die("verify_json", rc, NULL);
}

static void
do_sign_raw(void *p)
{
	sign_ctx *c = p;
	mxc_signing_key_sign(c->sig, c->key, c->msg, c->msg_len);
}

static void
do_verify_raw_sodium(void *p)
{
	sign_ctx *c = p;
	if (crypto_sign_verify_detached(c->sig, (const unsigned char *)c->msg,
	                                c->msg_len, c->pub) != 0)
		bench_die("verify raw", MXC_ERR_BAD_SIGNATURE, NULL);
}

static void
do_verify_raw_mxc(void *p)
{
	sign_ctx *c = p;
	if (mxc_ed25519_verify(c->sig, 64, c->msg, c->msg_len, c->pub, 32))
		bench_die("verify raw", MXC_ERR_BAD_SIGNATURE, NULL);
}

static char *
quoted(const char *s)
{
	size_t n = strlen(s);
	char *q = malloc(n + 3);
	q[0] = '"';
	memcpy(q + 1, s, n);
	q[n + 1] = '"';
	q[n + 2] = '\0';
	return q;
}

const char *
bench_str(const mxc_json *o, const char *k)
{
	const char *s = mxc_json_get_string(mxc_json_getz(o, k), NULL);
	if (!s) {
		fprintf(stderr, "mxc-peer-bench: input lacks \"%s\"\n", k);
		exit(1);
	}
	return s;
}

static void
core_json(const mxc_json *in)
{
	const mxc_json *canon = mxc_json_getz(in, "canonical");
	for (size_t i = 0; i < mxc_json_size(canon); i++) {
		const mxc_json *c = mxc_json_at(canon, i);
		const char *name = bench_str(c, "name");
		canon_ctx cc = {0};
		cc.text = bench_unsorted_text(mxc_json_getz(c, "value"), &cc.len);
		do_canonical(&cc);
		uint8_t h[32];
		char hex[65];
		mxc_sha256(h, cc.out.data, cc.out.len);
		bench_hex(hex, h, 32);
		char *head = NULL;
		size_t hl = 0;
		FILE *f = open_memstream(&head, &hl);
		fprintf(f, "{\"sha256\": \"%s\", \"len\": %zu, \"text\": ", hex,
		        cc.out.len);
		if (cc.out.len < 400) {
			/* the text as a JSON string */
			fputc('"', f);
			for (size_t j = 0; j < cc.out.len; j++) {
				unsigned char ch = (unsigned char)cc.out.data[j];
				if (ch == '"' || ch == '\\')
					fprintf(f, "\\%c", ch);
				else if (ch < 0x20)
					fprintf(f, "\\u%04x", ch);
				else
					fputc(ch, f);
			}
			fputc('"', f);
		} else {
			fputs("null", f);
		}
		fputc('}', f);
		fclose(f);
		bench_run("canonical_json", name, do_canonical, &cc, head, 0, 0);
		/* the baseline for the hash goals: bare SHA-256 of the bytes */
		if (strcmp(name, "message_1k") == 0) {
			sha_ctx sc = {cc.out.data, cc.out.len, {0}};
			do_sha_raw(&sc);
			char hx[80];
			hx[0] = '"';
			bench_hex(hx + 1, sc.out, 32);
			strcat(hx, "\"");
			bench_run("sha256_raw(openssl)", name, do_sha_raw, &sc, hx,
			          0, 0);
		}
		free(head);
		free((char *)cc.text);
		mxc_buf_dispose(&cc.out);
	}

	const mxc_json *s = mxc_json_getz(in, "signing");
	const char *seed = bench_str(s, "seed_b64");
	const char *server = bench_str(s, "server_name");
	const char *kid = bench_str(s, "key_id");
	mxc_signing_key *key = NULL;
	mxc_error err;
	int rc = mxc_signing_key_from_base64(&key, seed, strlen(seed), kid, NULL,
	                                     &err);
	if (rc)
		bench_die("signing key", rc, &err);
	uint8_t pub[32];
	mxc_signing_key_public(pub, key);
	char *pub_b64 = bench_b64(pub, 32, 0);
	if (strcmp(pub_b64, bench_str(s, "public_b64")) != 0)
		bench_die("public key mismatch", MXC_ERR_BAD_KEY, NULL);
	free(pub_b64);

	const mxc_json *objs = mxc_json_getz(in, "sign_objects");
	for (size_t i = 0; i < mxc_json_size(objs); i++) {
		const mxc_json *o = mxc_json_at(objs, i);
		const char *name = bench_str(o, "name");
		sign_ctx sc = {0};
		sc.obj = mxc_json_getz(o, "value");
		sc.server = server;
		sc.key = key;
		sc.pub = pub;
		do_sign_json(&sc);
		const char *sig = mxc_json_get_string(
			mxc_json_getz(mxc_json_getz(mxc_json_getz(sc.signed_obj,
			                                          "signatures"),
			                            server),
			              kid),
			NULL);
		char *q = quoted(sig);
		bench_run("sign_json", name, do_sign_json, &sc, q, 0, 0);
		free(q);
		bench_run("verify_signed_json", name, do_verify_json, &sc, "true",
		          0, 0);
		if (i == 0) {
			/* raw ed25519 over the same object's canonical bytes */
			sc.msg = bench_canonical(sc.obj, &sc.msg_len);
			do_sign_raw(&sc);
			char *b = bench_b64(sc.sig, 64, 0);
			q = quoted(b);
			bench_run("ed25519_sign_raw", "message_1k_bytes", do_sign_raw,
			          &sc, q, 0, 0);
			free(q);
			free(b);
			bench_run("ed25519_verify_raw", "message_1k_bytes",
			          do_verify_raw_mxc, &sc, "true", 0, 0);
			bench_run("ed25519_verify_raw(libsodium)", "message_1k_bytes",
			          do_verify_raw_sodium, &sc, "true", 0, 0);
			free((char *)sc.msg);
		}
		mxc_json_free(sc.signed_obj);
	}
	mxc_signing_key_free(key);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: mxc-peer-bench core FILE | stateres FILE [RUNS]\n",
		      stderr);
		return 2;
	}
	if (mxc_init() || sodium_init() < 0)
		return 1;
	static char name[128];
	snprintf(name, sizeof name, "matrix-core %s (C)", mxc_version());
	peer_name = name;
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)n);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		return 1;
	fclose(f);
	mxc_json *in = NULL;
	mxc_error err;
	int rc = mxc_json_parse(&in, text, (size_t)n, MXC_JSON_LENIENT_NUMBERS,
	                        NULL, &err);
	free(text);
	if (rc)
		bench_die(argv[2], rc, &err);
	if (strcmp(argv[1], "core") == 0) {
		core_json(in);
		bench_core_events(in);
		bench_auth(in);
	} else if (strcmp(argv[1], "stateres") == 0) {
		bench_stateres(in, argc > 3 ? atoi(argv[3]) : 5);
	} else {
		fprintf(stderr, "mxc-peer-bench: unknown mode %s\n", argv[1]);
		return 2;
	}
	mxc_json_free(in);
	return 0;
}
