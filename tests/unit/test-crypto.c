/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The crypto layer: SHA-256 known answers (FIPS 180-4 examples), streaming
 * and the canonical-JSON sinks; unpadded base64 against
 * tests/vectors/base64.json (the spec's examples and hand-worked RFC 4648
 * cases: both alphabets, padding, trailing bits, every kind of bad input);
 * ed25519 and signing keys (the spec's test seed and its public key, key
 * ID grammar, wiping, allocation failure at every step).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common.h"
#include "../../lib/internal.h"

static void
hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static size_t
unhex(uint8_t *out, const char *h)
{
	size_t n = strlen(h) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* ---- SHA-256 ------------------------------------------------------------- */

static const struct {
	const char *msg, *digest;
} sha_kat[] = {
	/* FIPS 180-4 / NIST CSRC example values */
	{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"abc",
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

START_TEST(test_sha256_kat)
{
	uint8_t d[32];
	char h[65];
	ck_assert_int_eq(mxc_sha256(d, sha_kat[_i].msg, strlen(sha_kat[_i].msg)),
	                 MXC_OK);
	hex(h, d, 32);
	ck_assert_str_eq(h, sha_kat[_i].digest);

	/* streaming, one byte at a time, gives the same digest */
	mxc__sha256_ctx c;
	mxc__sha256_init(&c);
	for (const char *p = sha_kat[_i].msg; *p; p++)
		mxc__sha256_update(&c, p, 1);
	mxc__sha256_final(d, &c);
	hex(h, d, 32);
	ck_assert_str_eq(h, sha_kat[_i].digest);
}
END_TEST

START_TEST(test_sha256_million_a)
{
	/* FIPS 180-4: one million 'a' */
	size_t n = 1000000;
	char *m = malloc(n);
	memset(m, 'a', n);
	uint8_t d[32];
	char h[65];
	mxc__sha256_ctx c;
	mxc__sha256_init(&c);
	for (size_t off = 0; off < n; off += 999)
		mxc__sha256_update(&c, m + off, off + 999 > n ? n - off : 999);
	mxc__sha256_final(d, &c);
	hex(h, d, 32);
	ck_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67"
	                    "f1809a48a497200e046d39ccc7112cd0");
	free(m);
}
END_TEST

START_TEST(test_sha256_args)
{
	uint8_t d[32];
	ck_assert_int_eq(mxc_sha256(NULL, "a", 1), MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_sha256(d, NULL, 1), MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_sha256(d, NULL, 0), MXC_OK);
	ck_assert_uint_eq(mxc_sha256_bytes(), MXC_SHA256_BYTES);
	ck_assert_uint_eq(mxc_ed25519_seed_bytes(), MXC_ED25519_SEED_BYTES);
	ck_assert_uint_eq(mxc_ed25519_public_bytes(), MXC_ED25519_PUBLIC_BYTES);
	ck_assert_uint_eq(mxc_ed25519_sig_bytes(), MXC_ED25519_SIG_BYTES);
}
END_TEST

START_TEST(test_sinks)
{
	/* canonical JSON through the hash sink equals hashing the bytes */
	mxc_json *v = test_parse("{\"b\":[1,2,{\"c\":\"\\u0000x\"}],\"a\":\"1\"}",
	                         0);
	mxc_buf b = MXC_BUF_INIT;
	mxc__sink s;
	mxc__sink_init_buf(&s, &b);
	ck_assert_int_eq(s.write(&s, "xy", 2), MXC_OK);
	ck_assert_int_eq(mxc__canonical_write(&s, v, NULL), MXC_OK);
	ck_assert_str_eq(b.data, "xy{\"a\":\"1\",\"b\":[1,2,{\"c\":\"\\u0000x\"}]}");

	mxc__sha256_ctx c;
	mxc__sha256_init(&c);
	mxc__sink_init_sha256(&s, &c);
	ck_assert_int_eq(s.write(&s, "xy", 2), MXC_OK);
	ck_assert_int_eq(mxc__canonical_write(&s, v, NULL), MXC_OK);
	uint8_t d1[32], d2[32];
	mxc__sha256_final(d1, &c);
	mxc_sha256(d2, b.data, b.len);
	ck_assert_mem_eq(d1, d2, 32);
	mxc_buf_dispose(&b);
	mxc_json_free(v);
}
END_TEST

/* ---- base64 -------------------------------------------------------------- */

static mxc_json *b64_vectors;

static void
b64_setup(void)
{
	b64_vectors = test_load_vectors("base64.json");
}

static void
b64_teardown(void)
{
	mxc_json_free(b64_vectors);
}

START_TEST(test_base64_vectors)
{
	const mxc_json *cases = mxc_json_getz(b64_vectors, "cases");
	ck_assert_uint_ge(mxc_json_size(cases), 30);
	size_t n_encode = 0, n_decode = 0, n_reject = 0;
	for (size_t i = 0; i < mxc_json_size(cases); i++) {
		const mxc_json *c = mxc_json_at(cases, i);
		const char *kind = test_str(c, "kind", NULL);
		const char *name = test_str(c, "name", NULL);
		ck_assert_ptr_nonnull(mxc_json_getz(c, "source"));
		mxc_buf b = MXC_BUF_INIT;
		mxc_error err;
		if (strcmp(kind, "encode") == 0) {
			uint8_t in[512];
			size_t n = unhex(in, test_str(c, "input_hex", NULL));
			ck_assert_int_eq(mxc_base64_encode(&b, in, n, 0), MXC_OK);
			ck_assert_msg(strcmp(b.data ? b.data : "",
			                     test_str(c, "expected", NULL)) == 0,
			              "%s: %s", name, b.data);
			ck_assert_uint_eq(b.len, mxc__base64_len(n));
			const char *url = test_str(c, "expected_urlsafe", NULL);
			if (url) {
				b.len = 0;
				ck_assert_int_eq(mxc_base64_encode(
							 &b, in, n,
							 MXC_BASE64_URLSAFE),
				                 MXC_OK);
				ck_assert_str_eq(b.data, url);
			}
			/* and back */
			mxc_buf d = MXC_BUF_INIT;
			ck_assert_int_eq(mxc_base64_decode(&d,
			                                   test_str(c, "expected",
			                                            NULL),
			                                   strlen(test_str(
								   c, "expected",
								   NULL)),
			                                   0, &err),
			                 MXC_OK);
			ck_assert_uint_eq(d.len, n);
			if (n)
				ck_assert_mem_eq(d.data, in, n);
			mxc_buf_dispose(&d);
			n_encode++;
		} else if (strcmp(kind, "decode") == 0) {
			size_t len;
			const char *in = test_str(c, "input", &len);
			unsigned flags = mxc_json_get_type(mxc_json_getz(
						 c, "urlsafe")) == MXC_JSON_TRUE
			                         ? MXC_BASE64_URLSAFE
			                         : 0;
			int rc = mxc_base64_decode(&b, in, len, flags, &err);
			ck_assert_msg(rc == MXC_OK, "%s: %s %s", name,
			              mxc_strerror(rc), err.message);
			uint8_t want[64];
			size_t wn = unhex(want, test_str(c, "expected_hex", NULL));
			ck_assert_uint_eq(b.len, wn);
			if (wn)
				ck_assert_mem_eq(b.data, want, wn);
			n_decode++;
		} else if (strcmp(kind, "reject") == 0) {
			size_t len;
			const char *in = test_str(c, "input", &len);
			unsigned flags = mxc_json_get_type(mxc_json_getz(
						 c, "urlsafe")) == MXC_JSON_TRUE
			                         ? MXC_BASE64_URLSAFE
			                         : 0;
			/* a failed decode leaves the buffer as it was */
			mxc__buf_append(&b, "keep", 4);
			int rc = mxc_base64_decode(&b, in, len, flags, &err);
			ck_assert_msg(rc == MXC_ERR_BASE64, "%s: %s", name,
			              mxc_strerror(rc));
			ck_assert_int_eq(err.status, MXC_ERR_BASE64);
			int64_t off;
			ck_assert_int_eq(mxc_json_get_int(
						 &off, mxc_json_getz(c, "offset")),
			                 MXC_OK);
			ck_assert_msg(err.offset == (size_t)off,
			              "%s: offset %zu, want %lld (%s)", name,
			              err.offset, (long long)off, err.message);
			ck_assert_uint_eq(b.len, 4);
			ck_assert_str_eq(b.data, "keep");
			n_reject++;
		} else {
			ck_abort_msg("unknown kind %s", kind);
		}
		mxc_buf_dispose(&b);
	}
	ck_assert_uint_ge(n_encode, 11);
	ck_assert_uint_ge(n_decode, 10);
	ck_assert_uint_ge(n_reject, 14);
}
END_TEST

START_TEST(test_base64_reasons)
{
	/* the message names the kind of fault */
	struct {
		const char *in;
		unsigned flags;
		const char *why;
	} t[] = {
		{"Zm9vY", 0, "dangling"},
		{"Zm9v=", 0, "padding"},
		{"Zm9*", 0, "outside"},
		{"Zm-_", 0, "URL-safe character"},
		{"Zm+/", MXC_BASE64_URLSAFE, "standard character"},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_buf b = MXC_BUF_INIT;
		mxc_error err;
		ck_assert_int_eq(mxc_base64_decode(&b, t[i].in, strlen(t[i].in),
		                                   t[i].flags, &err),
		                 MXC_ERR_BASE64);
		ck_assert_msg(strstr(err.message, t[i].why), "%s: %s", t[i].in,
		              err.message);
		mxc_buf_dispose(&b);
	}
}
END_TEST

START_TEST(test_base64_roundtrip_all_lengths)
{
	/* every length 0..100, both alphabets, appending to existing data */
	uint8_t in[100];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (unsigned flags = 0; flags <= MXC_BASE64_URLSAFE; flags++)
		for (size_t n = 0; n <= sizeof in; n++) {
			mxc_buf e = MXC_BUF_INIT, d = MXC_BUF_INIT;
			mxc__buf_append(&e, "pre", 3);
			ck_assert_int_eq(mxc_base64_encode(&e, in, n, flags),
			                 MXC_OK);
			ck_assert_uint_eq(e.len, 3 + mxc__base64_len(n));
			ck_assert_ptr_null(memchr(e.data, '=', e.len));
			ck_assert_int_eq(mxc_base64_decode(&d, e.data + 3,
			                                   e.len - 3, flags,
			                                   NULL),
			                 MXC_OK);
			ck_assert_uint_eq(d.len, n);
			if (n)
				ck_assert_mem_eq(d.data, in, n);
			mxc_buf_dispose(&e);
			mxc_buf_dispose(&d);
		}
}
END_TEST

START_TEST(test_base64_every_character)
{
	/* exactly the 64 characters of the alphabet decode (and '=' only as
	 * padding) */
	const char *std =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *url =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (int c = 0; c < 256; c++)
		for (unsigned flags = 0; flags <= MXC_BASE64_URLSAFE; flags++) {
			const char *alpha = flags ? url : std;
			char in[4] = {'A', 'A', 'A', (char)c};
			uint8_t out[8];
			size_t bad = 99;
			long n = mxc__base64_decode_raw(out, in, 4, flags, &bad);
			const char *pos = c ? strchr(alpha, c) : NULL;
			if (pos) {
				ck_assert_int_eq(n, 3);
				ck_assert_int_eq(out[2], (int)(pos - alpha));
			} else if (c == '=') {
				ck_assert_int_eq(n, 2); /* "AAA=" */
			} else {
				ck_assert_msg(n == -1, "char %d", c);
				ck_assert_uint_eq(bad, 3);
			}
		}
}
END_TEST

START_TEST(test_base64_args)
{
	mxc_buf b = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_base64_encode(NULL, "a", 1, 0),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_base64_encode(&b, NULL, 1, 0),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_base64_encode(&b, "a", 1, 4),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_base64_decode(&b, "Zg", 2, 2, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_base64_decode(&b, NULL, 2, 0, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* empty input: OK, and an empty buffer stays empty */
	ck_assert_int_eq(mxc_base64_encode(&b, NULL, 0, 0), MXC_OK);
	ck_assert_uint_eq(b.len, 0);
	mxc_buf_dispose(&b);
}
END_TEST

START_TEST(test_base64_nomem)
{
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_buf b;
		mxc_buf_init(&b, &fa.a);
		int rc = mxc_base64_encode(&b, "foobar", 6, 0);
		int rc2 = rc ? rc : mxc_base64_decode(&b, "Zm9v", 4, 0, NULL);
		mxc_buf_dispose(&b);
		ck_assert_int_eq(fa.live, 0);
		if (rc2 == MXC_OK) {
			ck_assert_int_ge(fail, 2);
			break;
		}
		ck_assert_int_eq(rc2, MXC_ERR_NOMEM);
	}
}
END_TEST

/* ---- ed25519 and signing keys -------------------------------------------- */

/* appendices: Cryptographic Test Vectors. The spec prints the seed only;
 * the public key was derived from it with pynacl (shared/vectors) and
 * libsodium, and gomatrixserverlib's TestVerifyJSON uses the same. */
#define SPEC_SEED "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
#define SPEC_PUB "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"

static mxc_signing_key *
spec_key(void)
{
	mxc_signing_key *k = NULL;
	mxc_error err;
	int rc = mxc_signing_key_from_base64(&k, SPEC_SEED, strlen(SPEC_SEED),
	                                     "ed25519:1", NULL, &err);
	ck_assert_msg(rc == MXC_OK, "%s", err.message);
	return k;
}

START_TEST(test_spec_public_key)
{
	mxc_signing_key *k = spec_key();
	uint8_t pk[32];
	ck_assert_int_eq(mxc_signing_key_public(pk, k), MXC_OK);
	mxc_buf b = MXC_BUF_INIT;
	mxc_base64_encode(&b, pk, 32, 0);
	ck_assert_str_eq(b.data, SPEC_PUB);
	ck_assert_str_eq(mxc_signing_key_id(k), "ed25519:1");
	mxc_buf_dispose(&b);

	/* the same seed with its trailing bits cleared, or padded, is the
	 * same key */
	const char *variants[] = {
		"YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0",
		"YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1=",
	};
	for (size_t i = 0; i < 2; i++) {
		mxc_signing_key *k2 = NULL;
		ck_assert_int_eq(mxc_signing_key_from_base64(
					 &k2, variants[i], strlen(variants[i]),
					 "ed25519:1", NULL, NULL),
		                 MXC_OK);
		uint8_t pk2[32];
		mxc_signing_key_public(pk2, k2);
		ck_assert_mem_eq(pk, pk2, 32);
		mxc_signing_key_free(k2);
	}
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_sign_verify_raw)
{
	mxc_signing_key *k = spec_key();
	uint8_t pk[32], sig[64];
	mxc_signing_key_public(pk, k);
	/* the spec's first JSON signing example signs "{}" */
	ck_assert_int_eq(mxc_signing_key_sign(sig, k, "{}", 2), MXC_OK);
	mxc_buf b = MXC_BUF_INIT;
	mxc_base64_encode(&b, sig, 64, 0);
	ck_assert_str_eq(b.data, "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTd"
	                         "GYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ");
	mxc_buf_dispose(&b);

	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, "{}", 2, pk, 32), MXC_OK);
	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, "{ }", 3, pk, 32),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_ed25519_verify(sig, 63, "{}", 2, pk, 32),
	                 MXC_ERR_BAD_SIGNATURE);
	sig[10] ^= 1;
	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, "{}", 2, pk, 32),
	                 MXC_ERR_BAD_SIGNATURE);
	sig[10] ^= 1;
	pk[0] ^= 1;
	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, "{}", 2, pk, 32),
	                 MXC_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, "{}", 2, pk, 31),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_ed25519_verify(NULL, 64, "{}", 2, pk, 32),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_signing_key_sign(NULL, k, "", 0),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* an empty message signs and verifies */
	mxc_signing_key_public(pk, k);
	ck_assert_int_eq(mxc_signing_key_sign(sig, k, NULL, 0), MXC_OK);
	ck_assert_int_eq(mxc_ed25519_verify(sig, 64, NULL, 0, pk, 32), MXC_OK);
	mxc_signing_key_free(k);
}
END_TEST

START_TEST(test_key_id_grammar)
{
	uint8_t seed[32] = {1};
	struct {
		const char *id;
		int want;
	} t[] = {
		{"ed25519:1", MXC_OK},
		{"ed25519:a_AbC09", MXC_OK},
		{"ed25519:an_id", MXC_OK}, /* python-signedjson: supported */
		{"ed25519:", MXC_ERR_BAD_KEY},
		{"ed25519", MXC_ERR_BAD_KEY},
		{"", MXC_ERR_BAD_KEY},
		{":1", MXC_ERR_BAD_KEY},
		{"ed25519:a-b", MXC_ERR_BAD_KEY},
		{"ed25519:a b", MXC_ERR_BAD_KEY},
		{"ed25519:a:b", MXC_ERR_BAD_KEY},
		{"ed25519:\xc3\xa9", MXC_ERR_BAD_KEY},
		{"unsupported:", MXC_ERR_UNSUPPORTED}, /* python-signedjson */
		{"curve25519:1", MXC_ERR_UNSUPPORTED},
		{"ED25519:1", MXC_ERR_UNSUPPORTED},
		{"mock:test", MXC_ERR_UNSUPPORTED},
	};
	for (size_t i = 0; i < MXC_ARRAY_LEN(t); i++) {
		mxc_signing_key *k = (mxc_signing_key *)1;
		mxc_error err;
		int rc = mxc_signing_key_new(&k, seed, 32, t[i].id, NULL, &err);
		ck_assert_msg(rc == t[i].want, "%s: %s", t[i].id,
		              mxc_strerror(rc));
		if (rc) {
			ck_assert_ptr_null(k);
			ck_assert_int_eq(err.status, rc);
		}
		mxc_signing_key_free(k);
	}
}
END_TEST

START_TEST(test_signing_key_bad_input)
{
	uint8_t seed[33] = {0};
	mxc_signing_key *k = NULL;
	mxc_error err;
	ck_assert_int_eq(mxc_signing_key_new(&k, seed, 31, "ed25519:1", NULL,
	                                     &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_int_eq(mxc_signing_key_new(&k, seed, 33, "ed25519:1", NULL,
	                                     &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_int_eq(mxc_signing_key_new(&k, seed, 32, NULL, NULL, &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_signing_key_new(NULL, seed, 32, "ed25519:1", NULL,
	                                     &err),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* base64: bad characters, wrong length */
	ck_assert_int_eq(mxc_signing_key_from_base64(&k, "not base64!", 11,
	                                             "ed25519:1", NULL, &err),
	                 MXC_ERR_BASE64);
	ck_assert_uint_eq(err.offset, 3);
	ck_assert_int_eq(mxc_signing_key_from_base64(&k, "Zm9v", 4, "ed25519:1",
	                                             NULL, &err),
	                 MXC_ERR_BAD_KEY);
	char long_b64[64];
	memset(long_b64, 'A', sizeof long_b64);
	ck_assert_int_eq(mxc_signing_key_from_base64(&k, long_b64, 64,
	                                             "ed25519:1", NULL, &err),
	                 MXC_ERR_BAD_KEY);
	ck_assert_ptr_null(k);
	ck_assert_ptr_null(mxc_signing_key_id(NULL));
	ck_assert_int_eq(mxc_signing_key_public(seed, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	mxc_signing_key_free(NULL);
}
END_TEST

/* An allocator that checks the seed is wiped before memory is handed back:
 * each block carries its size in front, and a freed block is scanned for
 * the seed bytes. */
typedef struct wipe_check {
	mxc_allocator a;
	uint8_t seed[32];
	int seed_freed, frees;
} wipe_check;

#define WC_HDR 16

static void *
wc_malloc(size_t n, void *ud)
{
	MXC_UNUSED(ud);
	uint8_t *p = malloc(n + WC_HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + WC_HDR;
}

static void *
wc_realloc(void *q, size_t n, void *ud)
{
	MXC_UNUSED(ud);
	uint8_t *p = realloc(q ? (uint8_t *)q - WC_HDR : NULL, n + WC_HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + WC_HDR;
}

static void
wc_free(void *q, void *ud)
{
	wipe_check *w = ud;
	if (!q)
		return;
	uint8_t *p = (uint8_t *)q - WC_HDR;
	size_t n;
	memcpy(&n, p, sizeof n);
	w->frees++;
	for (size_t i = 0; i + 32 <= n; i++)
		if (memcmp((uint8_t *)q + i, w->seed, 32) == 0)
			w->seed_freed = 1;
	free(p);
}

START_TEST(test_seed_wiped)
{
	wipe_check w = {{wc_malloc, wc_realloc, wc_free, NULL}, {0}, 0, 0};
	w.a.user_data = &w;
	for (int i = 0; i < 32; i++)
		w.seed[i] = (uint8_t)(0xA5 ^ i * 7);
	mxc_signing_key *k = NULL;
	ck_assert_int_eq(mxc_signing_key_new(&k, w.seed, 32, "ed25519:w", &w.a,
	                                     NULL),
	                 MXC_OK);
	mxc_signing_key_free(k);
	ck_assert_int_eq(w.frees, 2);
	ck_assert_int_eq(w.seed_freed, 0);
}
END_TEST

START_TEST(test_signing_key_nomem)
{
	for (long fail = 1;; fail++) {
		test_failing_alloc fa;
		test_failing_alloc_init(&fa, fail);
		mxc_signing_key *k = NULL;
		mxc_error err;
		int rc = mxc_signing_key_from_base64(&k, SPEC_SEED,
		                                     strlen(SPEC_SEED),
		                                     "ed25519:1", &fa.a, &err);
		if (rc == MXC_OK) {
			ck_assert_int_ge(fail, 2);
			ck_assert_ptr_nonnull(k);
			mxc_signing_key_free(k);
			ck_assert_int_eq(fa.live, 0);
			break;
		}
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
		ck_assert_int_eq(err.status, MXC_ERR_NOMEM);
		ck_assert_ptr_null(k);
		ck_assert_int_eq(fa.live, 0);
	}
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("sha256");
	tcase_add_loop_test(tc, test_sha256_kat, 0, MXC_ARRAY_LEN(sha_kat));
	tcase_add_test(tc, test_sha256_million_a);
	tcase_add_test(tc, test_sha256_args);
	tcase_add_test(tc, test_sinks);
	suite_add_tcase(s, tc);

	tc = tcase_create("base64");
	tcase_add_checked_fixture(tc, b64_setup, b64_teardown);
	tcase_add_test(tc, test_base64_vectors);
	tcase_add_test(tc, test_base64_reasons);
	tcase_add_test(tc, test_base64_roundtrip_all_lengths);
	tcase_add_test(tc, test_base64_every_character);
	tcase_add_test(tc, test_base64_args);
	tcase_add_test(tc, test_base64_nomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("ed25519");
	tcase_add_test(tc, test_spec_public_key);
	tcase_add_test(tc, test_sign_verify_raw);
	tcase_add_test(tc, test_key_id_grammar);
	tcase_add_test(tc, test_signing_key_bad_input);
	tcase_add_test(tc, test_seed_wiped);
	tcase_add_test(tc, test_signing_key_nomem);
	suite_add_tcase(s, tc);
	return s;
}
