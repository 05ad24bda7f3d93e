/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 and ed25519. SHA-256 goes through OpenSSL's low-level functions
 * (they use the CPU's SHA instructions and, unlike the EVP one-shot, cost
 * no allocation or provider fetch per call); ed25519 through libsodium.
 * Also the sinks that canonical JSON writes into (a buffer or a running
 * hash) and the signing key object: a 32-byte seed and its key ID, the
 * seed wiped when the key is freed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <sodium.h>

#include "internal.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(mxc__sha256_ctx),
               "mxc__sha256_ctx too small for OpenSSL's SHA256_CTX");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(mxc__sha256_ctx),
               "mxc__sha256_ctx under-aligned for OpenSSL's SHA256_CTX");

size_t
mxc_sha256_bytes(void)
{
	return MXC_SHA256_BYTES;
}

size_t
mxc_ed25519_seed_bytes(void)
{
	return MXC_ED25519_SEED_BYTES;
}

size_t
mxc_ed25519_public_bytes(void)
{
	return MXC_ED25519_PUBLIC_BYTES;
}

size_t
mxc_ed25519_sig_bytes(void)
{
	return MXC_ED25519_SIG_BYTES;
}

/* ---- SHA-256 ----------------------------------------------------------- */

void
mxc__sha256_init(mxc__sha256_ctx *c)
{
	SHA256_Init((SHA256_CTX *)(void *)c->opaque);
}

void
mxc__sha256_update(mxc__sha256_ctx *c, const void *p, size_t n)
{
	if (n)
		SHA256_Update((SHA256_CTX *)(void *)c->opaque, p, n);
}

void
mxc__sha256_final(uint8_t out[32], mxc__sha256_ctx *c)
{
	SHA256_Final(out, (SHA256_CTX *)(void *)c->opaque);
}

int
mxc_sha256(uint8_t *out, const void *data, size_t len)
{
	if (!out || (!data && len))
		return MXC_ERR_INVALID_ARGUMENT;
	mxc__sha256_ctx c;
	mxc__sha256_init(&c);
	mxc__sha256_update(&c, data, len);
	mxc__sha256_final(out, &c);
	return MXC_OK;
}

/* ---- sinks ------------------------------------------------------------- */

static int
sink_sha256_write(mxc__sink *s, const char *p, size_t n)
{
	mxc__sha256_update(s->sha, p, n);
	return MXC_OK;
}

static int
sink_buf_write(mxc__sink *s, const char *p, size_t n)
{
	return mxc__buf_append(s->buf, p, n);
}

void
mxc__sink_init_sha256(mxc__sink *s, mxc__sha256_ctx *c)
{
	s->write = sink_sha256_write;
	s->buf = NULL;
	s->sha = c;
}

void
mxc__sink_init_buf(mxc__sink *s, mxc_buf *b)
{
	s->write = sink_buf_write;
	s->buf = b;
	s->sha = NULL;
}

/* ---- ed25519 ----------------------------------------------------------- */

int
mxc_ed25519_verify(const uint8_t *sig, size_t sig_len, const void *msg,
                   size_t msg_len, const uint8_t *pubkey, size_t pubkey_len)
{
	if (!sig || !pubkey || (!msg && msg_len) ||
	    pubkey_len != crypto_sign_PUBLICKEYBYTES)
		return MXC_ERR_INVALID_ARGUMENT;
	if (sig_len != crypto_sign_BYTES)
		return MXC_ERR_BAD_SIGNATURE;
	if (crypto_sign_verify_detached(sig, msg ? msg : (const void *)"",
	                                msg_len, pubkey) != 0)
		return MXC_ERR_BAD_SIGNATURE;
	return MXC_OK;
}

/* ---- key IDs ----------------------------------------------------------- */

static int
key_id_err(mxc_error *err, int status, const char *id, size_t n,
           const char *msg)
{
	mxc__err(err, status, "%s", msg);
	mxc__err_subject(err, id, n);
	return status;
}

int
mxc__key_id_check(const char *id, size_t n, mxc_error *err)
{
	/* "ed25519:" then a version of [a-zA-Z0-9_]+ (server-server API:
	 * Publishing Keys; appendices: Signing Details). */
	size_t colon = 0;
	while (colon < n && id[colon] != ':')
		colon++;
	if (colon == n || colon == 0)
		return key_id_err(err, MXC_ERR_BAD_KEY, id, n,
		                  "key ID is not <algorithm>:<version>");
	if (colon != 7 || memcmp(id, "ed25519", 7) != 0)
		return key_id_err(err, MXC_ERR_UNSUPPORTED, id, n,
		                  "key algorithm is not ed25519");
	if (colon + 1 == n)
		return key_id_err(err, MXC_ERR_BAD_KEY, id, n,
		                  "key ID has no version");
	for (size_t i = colon + 1; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return key_id_err(err, MXC_ERR_BAD_KEY, id, n,
			                  "key version has a character outside "
			                  "[a-zA-Z0-9_]");
	}
	return MXC_OK;
}

/* ---- signing keys ------------------------------------------------------ */

struct mxc_signing_key {
	mxc_allocator alloc;
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* seed followed by public */
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	char *key_id;
};

int
mxc_signing_key_new(mxc_signing_key **out, const uint8_t *seed,
                    size_t seed_len, const char *key_id,
                    const mxc_allocator *alloc, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !key_id || (!seed && seed_len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_signing_key_new");
	if (seed_len != crypto_sign_SEEDBYTES)
		return mxc__err(err, MXC_ERR_BAD_KEY,
		                "ed25519 seed has %zu bytes, not %d", seed_len,
		                crypto_sign_SEEDBYTES);
	size_t id_len = strlen(key_id);
	int rc = mxc__key_id_check(key_id, id_len, err);
	if (rc)
		return rc;
	alloc = mxc__alloc_or_default(alloc);
	mxc_signing_key *k = mxc__malloc(alloc, sizeof *k);
	if (!k)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	k->alloc = *alloc;
	k->key_id = mxc__malloc(alloc, id_len + 1);
	if (!k->key_id) {
		mxc__free(alloc, k);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	memcpy(k->key_id, key_id, id_len + 1);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	*out = k;
	return MXC_OK;
}

int
mxc_signing_key_from_base64(mxc_signing_key **out, const char *seed_b64,
                            size_t len, const char *key_id,
                            const mxc_allocator *alloc, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || (!seed_b64 && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_signing_key_from_base64");
	/* 32 bytes take 43 characters unpadded, 44 padded; decode on the
	 * stack so the seed never reaches the heap. */
	uint8_t seed[64];
	if (len > 44)
		return mxc__err(err, MXC_ERR_BAD_KEY,
		                "ed25519 seed in base64 has %zu characters, "
		                "too many for 32 bytes",
		                len);
	size_t bad = 0;
	long n = mxc__base64_decode_raw(seed, seed_b64, len, false, &bad);
	if (n < 0) {
		sodium_memzero(seed, sizeof seed);
		mxc__err(err, MXC_ERR_BASE64,
		         "seed is not valid base64 (offset %zu)", bad);
		if (err)
			err->offset = bad;
		return MXC_ERR_BASE64;
	}
	int rc = mxc_signing_key_new(out, seed, (size_t)n, key_id, alloc, err);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

void
mxc_signing_key_free(mxc_signing_key *key)
{
	if (!key)
		return;
	mxc_allocator a = key->alloc;
	sodium_memzero(key->sk, sizeof key->sk);
	mxc__free(&a, key->key_id);
	mxc__free(&a, key);
}

const char *
mxc_signing_key_id(const mxc_signing_key *key)
{
	return key ? key->key_id : NULL;
}

int
mxc_signing_key_public(uint8_t *out, const mxc_signing_key *key)
{
	if (!out || !key)
		return MXC_ERR_INVALID_ARGUMENT;
	memcpy(out, key->pk, sizeof key->pk);
	return MXC_OK;
}

int
mxc_signing_key_sign(uint8_t *sig, const mxc_signing_key *key,
                     const void *msg, size_t msg_len)
{
	if (!sig || !key || (!msg && msg_len))
		return MXC_ERR_INVALID_ARGUMENT;
	crypto_sign_detached(sig, NULL, msg ? msg : (const void *)"", msg_len,
	                     key->sk);
	return MXC_OK;
}
