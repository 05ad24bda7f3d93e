/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: events. The input is a PDU, parsed for each room version 1
 * to 12, as a PDU and in label mode. For every event accepted: the
 * hashes compute; the redacted event parses again with the same event ID,
 * and redacting it again changes nothing; the JSON-level functions agree
 * with the event-level ones; a signed copy verifies its own content hash.
 * Input that is JSON but no event goes through the JSON-level functions,
 * which must answer without crashing. Nothing may crash or leak.
 */
#include <stdlib.h>
#include <string.h>

#include <matrix-core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The appendices' test seed, decoded. */
static const uint8_t seed[32] = {
	0x60, 0x90, 0xc1, 0x03, 0xd5, 0xe7, 0xaf, 0x6b, 0x15, 0xa9, 0x70,
	0xfd, 0x56, 0x3e, 0xd7, 0x55, 0x49, 0xe6, 0x15, 0x97, 0x19, 0xae,
	0x5c, 0x3c, 0x31, 0xde, 0xe4, 0x31, 0x6f, 0xb7, 0x5c, 0x0d};

static int
canon_eq(const mxc_json *a, const mxc_json *b)
{
	mxc_buf x = MXC_BUF_INIT, y = MXC_BUF_INIT;
	int eq = mxc_json_canonical(&x, a, NULL) == MXC_OK &&
	         mxc_json_canonical(&y, b, NULL) == MXC_OK && x.len == y.len &&
	         memcmp(x.data, y.data, x.len) == 0;
	mxc_buf_dispose(&x);
	mxc_buf_dispose(&y);
	return eq;
}

static void
check_event(const mxc_room_version *rv, const mxc_event *ev, unsigned flags,
            const mxc_signing_key *key)
{
	uint8_t h[32], h2[32];
	const mxc_json *pdu = mxc_event_json(ev);
	/* A PDU passed the size check, which canonicalises it whole; a
	 * labelled event may hold a lenient number with no bounded canonical
	 * form (1e99999), which only its hashes refuse. */
	int rc = mxc_event_content_hash(h, ev, NULL);
	if (rc != MXC_OK && !((flags & MXC_EVENT_PARSE_LABELLED) &&
	                      rc == MXC_ERR_JSON_NUMBER_RANGE))
		abort();
	if (mxc_event_reference_hash(h, ev, NULL) != MXC_OK)
		abort();
	size_t idn;
	const char *id = mxc_event_id(ev, &idn);
	/* a label may hold U+0000; a PDU's ID never does */
	if (!id || id[idn] != '\0' ||
	    (!(flags & MXC_EVENT_PARSE_LABELLED) && idn != strlen(id)))
		abort();
	if (!(flags & MXC_EVENT_PARSE_LABELLED)) {
		/* the cached ID is the one computed from the JSON */
		mxc_buf b = MXC_BUF_INIT;
		if (mxc_event_id_json(&b, rv, pdu, NULL) != MXC_OK ||
		    b.len != idn || memcmp(b.data, id, idn) != 0)
			abort();
		mxc_buf_dispose(&b);
		rc = mxc_event_reference_hash_json(h2, rv, pdu, NULL);
		if (rc != MXC_OK || memcmp(h, h2, 32) != 0)
			abort();
	}

	/* redaction: same ID, valid, idempotent, JSON-level agrees */
	mxc_event *red = NULL, *red2 = NULL;
	mxc_json *rj = NULL;
	if (mxc_event_redact(&red, ev, NULL) != MXC_OK)
		abort();
	size_t rn;
	const char *rid = mxc_event_id(red, &rn);
	if (rn != idn || memcmp(rid, id, idn) != 0)
		abort();
	if (mxc_event_redact(&red2, red, NULL) != MXC_OK ||
	    !canon_eq(mxc_event_json(red), mxc_event_json(red2)))
		abort();
	if (mxc_event_redact_json(&rj, rv, pdu, NULL, NULL) != MXC_OK ||
	    !canon_eq(rj, mxc_event_json(red)))
		abort();
	mxc_json_free(rj);
	mxc_event_free(red2);
	mxc_event_free(red);

	/* the tree re-made into an event: the same ID */
	mxc_event *again = NULL;
	if (mxc_event_from_json(&again, rv, pdu, flags, NULL, NULL) != MXC_OK)
		abort();
	if (strcmp(mxc_event_id(again, NULL), id) != 0)
		abort();
	mxc_event_free(again);

	/* sign, then the signed copy's content hash verifies */
	mxc_json *signed_ev = NULL;
	rc = mxc_event_sign_json(&signed_ev, rv, pdu, "example.org", key,
	                             NULL, NULL);
	if (rc == MXC_OK) {
		mxc_event_verdict v;
		uint8_t pk[32];
		mxc_signing_key_public(pk, key);
		mxc_event_key k = {"example.org", "ed25519:1", pk, 32,
		                   MXC_TS_NONE, MXC_TS_NONE};
		rc = mxc_event_verify_json(&v, rv, signed_ev, &k, 1,
		                           MXC_TS_NONE, NULL);
		if (rc == MXC_OK && !v.hash_valid)
			abort();
		if (rc != MXC_OK && rc != MXC_ERR_BAD_EVENT)
			abort();
		mxc_json_free(signed_ev);
	} else if (rc != MXC_ERR_JSON_TYPE &&
	           rc != MXC_ERR_JSON_NUMBER_RANGE) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mxc_signing_key *key = NULL;
	if (mxc_init() != MXC_OK ||
	    mxc_signing_key_new(&key, seed, 32, "ed25519:1", NULL, NULL))
		abort();
	for (size_t i = 0; i < mxc_room_version_count(); i++) {
		const mxc_room_version *rv = mxc_room_version_at(i);
		for (unsigned flags = 0; flags < 4; flags++) {
			mxc_event *ev = NULL;
			if (mxc_event_parse(&ev, rv, (const char *)data, size,
			                    flags, NULL, NULL) != MXC_OK)
				continue;
			check_event(rv, ev, flags, key);
			mxc_event_free(ev);
		}
		/* any JSON object through the JSON-level functions */
		mxc_json *j = NULL;
		int prc = mxc_json_parse(&j, (const char *)data, size,
		                         MXC_JSON_LENIENT_NUMBERS, NULL, NULL);
		if (prc == MXC_OK) {
			uint8_t h[32];
			mxc_json *r = NULL;
			mxc_buf b = MXC_BUF_INIT;
			mxc_event_verdict v;
			mxc_event_content_hash_json(h, rv, j, NULL);
			mxc_event_reference_hash_json(h, rv, j, NULL);
			mxc_event_id_json(&b, rv, j, NULL);
			mxc_buf_dispose(&b);
			mxc_event_room_id_json(&b, rv, j, NULL);
			mxc_buf_dispose(&b);
			mxc_event_verify_json(&v, rv, j, NULL, 0, 0, NULL);
			if (mxc_event_redact_json(&r, rv, j, NULL, NULL) ==
			    MXC_OK)
				mxc_json_free(r);
			mxc_json_free(j);
		}
	}
	mxc_signing_key_free(key);
	return 0;
}
