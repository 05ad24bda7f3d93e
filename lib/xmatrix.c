/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X-Matrix request authentication (server-server API: Request
 * Authentication): the JSON object a request's signature covers, the
 * Authorization header value a sender writes, the parser of received
 * header values (RFC 9110 section 11.4 credentials, with auth-param
 * values as tokens or quoted strings, section 5.6), and the check of a
 * request against its header.
 */
#include "internal.h"

struct mxc_xmatrix {
	mxc__arena arena; /* this struct and the values */
	const char *origin, *destination, *key, *sig;
	size_t origin_len, destination_len, key_len, sig_len;
};

/* ---- the signed JSON ----------------------------------------------------- */

/* Canonical JSON of {method, uri, origin, destination, content?} (step 1
 * of Request Authentication; `content` left out when there is none). */
static int
request_bytes(mxc_buf *out, const char *method, const char *uri,
              const char *origin, size_t origin_len, const char *dest,
              size_t dest_len, const mxc_json *content, mxc_error *err)
{
	size_t method_len = strlen(method), uri_len = strlen(uri);
	if (!mxc__utf8_valid(method, method_len) ||
	    !mxc__utf8_valid(uri, uri_len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "method or URI is not UTF-8");
	mxc__arena ar;
	mxc__arena_init(&ar, mxc__buf_allocator(out));
	mxc__json_member *m;
	int rc = MXC_ERR_NOMEM;
	mxc_json *o = mxc__json_new_object(&ar, content ? 5 : 4, &m);
	if (!o)
		goto done;
	m[0].key = "method";
	m[0].key_len = 6;
	m[0].value = mxc__json_new_string(&ar, method, method_len);
	m[1].key = "uri";
	m[1].key_len = 3;
	m[1].value = mxc__json_new_string(&ar, uri, uri_len);
	m[2].key = "origin";
	m[2].key_len = 6;
	m[2].value = mxc__json_new_string(&ar, origin, origin_len);
	m[3].key = "destination";
	m[3].key_len = 11;
	m[3].value = mxc__json_new_string(&ar, dest, dest_len);
	if (content) {
		m[4].key = "content";
		m[4].key_len = 7;
		m[4].value = content;
	}
	if (!m[0].value || !m[1].value || !m[2].value || !m[3].value ||
	    mxc__json_object_finish(o))
		goto done;
	rc = mxc__canonical_buf(out, o, err);
done:
	mxc__arena_free(&ar);
	if (rc == MXC_ERR_NOMEM)
		mxc__err(err, rc, "out of memory");
	return rc;
}

/* ---- building the header ------------------------------------------------- */

/* name="value", escaping '"' and '\\'; control characters are refused
 * (they cannot appear in a quoted-string: no header injection). */
static int
put_param(mxc_buf *b, const char *name, const char *value, mxc_error *err)
{
	size_t n = strlen(value);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x20 || c == 0x7F)
			return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
			                "control character in the %s value",
			                name);
	}
	if (mxc__buf_puts(b, name) || mxc__buf_puts(b, "=\""))
		return MXC_ERR_NOMEM;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && value[i] != '"' && value[i] != '\\')
			continue;
		if (mxc__buf_append(b, value + start, i - start))
			return MXC_ERR_NOMEM;
		if (i < n && (mxc__buf_putc(b, '\\') ||
		              mxc__buf_putc(b, value[i])))
			return MXC_ERR_NOMEM;
		start = i + 1;
	}
	return mxc__buf_putc(b, '"');
}

int
mxc_xmatrix_sign(mxc_buf *out, const char *method, const char *uri,
                 const char *origin, const char *destination,
                 const mxc_json *content, const mxc_signing_key *key,
                 mxc_error *err)
{
	if (!out || !method || !uri || !origin || !destination || !key)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_xmatrix_sign");
	size_t origin_len = strlen(origin), dest_len = strlen(destination);
	if (!*method || !*uri || !origin_len || !dest_len)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "empty method, URI or server name");
	if (!mxc__utf8_valid(origin, origin_len) ||
	    !mxc__utf8_valid(destination, dest_len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "server name is not UTF-8");
	mxc_buf bytes;
	mxc_buf_init(&bytes, mxc__buf_allocator(out));
	int rc = request_bytes(&bytes, method, uri, origin, origin_len,
	                       destination, dest_len, content, err);
	if (rc) {
		mxc_buf_dispose(&bytes);
		return rc;
	}
	uint8_t sig[MXC_ED25519_SIG_BYTES];
	char b64[88];
	mxc_signing_key_sign(sig, key, bytes.data, bytes.len);
	mxc_buf_dispose(&bytes);
	size_t b64_len = mxc__base64_encode_raw(b64, sig, sizeof sig, false);
	b64[b64_len] = '\0';

	/* Step 2, in the form asked of senders for older servers: one space
	 * after X-Matrix, lower-case names, no space around the commas */
	size_t start = out->len;
	rc = mxc__buf_puts(out, "X-Matrix ");
	if (!rc)
		rc = put_param(out, "origin", origin, err);
	if (!rc)
		rc = mxc__buf_putc(out, ',');
	if (!rc)
		rc = put_param(out, "destination", destination, err);
	if (!rc)
		rc = mxc__buf_putc(out, ',');
	if (!rc)
		rc = put_param(out, "key", mxc_signing_key_id(key), err);
	if (!rc)
		rc = mxc__buf_putc(out, ',');
	if (!rc)
		rc = put_param(out, "sig", b64, err);
	if (rc) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		if (rc == MXC_ERR_NOMEM)
			mxc__err(err, rc, "out of memory");
	}
	return rc;
}

/* ---- parsing the header -------------------------------------------------- */

/* RFC 9110 section 5.6.2: tchar */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive equality of two ASCII names. */
static bool
name_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* Lower-case copy of a name, cut to fit, NUL-terminated. */
static void
lower_copy(char *dst, size_t room, const char *s, size_t n)
{
	size_t k = n < room - 1 ? n : room - 1;
	for (size_t j = 0; j < k; j++) {
		char c = s[j];
		dst[j] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[k] = '\0';
}

static bool
name_is(const char *name, size_t n, const char *lower)
{
	return name_eq(name, n, lower, strlen(lower));
}

typedef struct param {
	const char *name;
	size_t name_len;
} param;

static int
bad_header(mxc_error *err, size_t offset, const char *param_name,
           const char *msg)
{
	if (!err)
		return MXC_ERR_BAD_HEADER;
	if (param_name) {
		mxc__err(err, MXC_ERR_BAD_HEADER, "%s: %s (offset %zu)",
		         param_name, msg, offset);
		mxc__err_subject(err, param_name, strlen(param_name));
	} else {
		mxc__err(err, MXC_ERR_BAD_HEADER, "%s (offset %zu)", msg,
		         offset);
	}
	err->offset = offset;
	return MXC_ERR_BAD_HEADER;
}

/* quoted-string (RFC 9110 5.6.4) from s[*pp] == '"': the unescaped value
 * into `val` (when not NULL: room for *val_len + 1 as measured by a first
 * call with NULL); *pp moves past the closing quote. */
static int
quoted_string(char *val, size_t *val_len, const char *s, size_t *pp, size_t n,
              mxc_error *err)
{
	size_t p = *pp + 1, k = 0;
	for (;;) {
		if (p >= n)
			return bad_header(err, p, NULL,
			                  "unterminated quoted string");
		unsigned char c = (unsigned char)s[p];
		if (c == '"')
			break;
		if (c == '\\') {
			/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ):
			 * replaced by the character that follows */
			if (p + 1 >= n)
				return bad_header(err, p, NULL,
				                  "backslash at the end of a "
				                  "quoted string");
			c = (unsigned char)s[++p];
			if (c != '\t' && (c < 0x20 || c == 0x7F))
				return bad_header(err, p, NULL,
				                  "control character after a "
				                  "backslash");
		} else if (c != '\t' && (c < 0x20 || c == 0x7F)) {
			/* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E /
			 * obs-text */
			return bad_header(err, p, NULL,
			                  "control character in a quoted "
			                  "string");
		}
		if (val)
			val[k] = (char)c;
		k++;
		p++;
	}
	if (val)
		val[k] = '\0';
	*val_len = k;
	*pp = p + 1;
	return MXC_OK;
}

int
mxc_xmatrix_parse(mxc_xmatrix **out, const char *value, size_t len,
                  const mxc_allocator *alloc, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || (!value && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_xmatrix_parse");
	const char *s = value ? value : "";
	size_t n = len;
	/* the field value's own leading and trailing white space */
	size_t p = 0;
	while (p < n && is_ows((unsigned char)s[p]))
		p++;
	while (n > p && is_ows((unsigned char)s[n - 1]))
		n--;

	/* credentials = auth-scheme [ 1*SP #auth-param ]; the scheme is
	 * case-insensitive */
	size_t scheme_end = p;
	while (scheme_end < n && is_tchar((unsigned char)s[scheme_end]))
		scheme_end++;
	if (!name_is(s + p, scheme_end - p, "x-matrix"))
		return bad_header(err, p, NULL, "the scheme is not X-Matrix");
	p = scheme_end;
	if (p >= n || s[p] != ' ')
		return bad_header(err, p, NULL,
		                  "no space and parameters after X-Matrix");

	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc_xmatrix *x = mxc__arena_alloc(&ar, sizeof *x);
	/* at most one parameter per four characters (",a=b") */
	size_t max_params = (n - p) / 4 + 1;
	param *params = x ? mxc__arena_alloc(&ar, max_params * sizeof *params)
	                  : NULL;
	if (!params) {
		mxc__arena_free(&ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	memset(x, 0, sizeof *x);
	size_t n_params = 0;
	int rc = MXC_OK;

	for (;;) {
		/* #element: OWS "," OWS between elements; empty elements
		 * are ignored (RFC 9110 5.6.1.2) */
		while (p < n && is_ows((unsigned char)s[p]))
			p++;
		if (p >= n)
			break;
		if (s[p] == ',') {
			p++;
			continue;
		}
		/* auth-param = token BWS "=" BWS ( token / quoted-string ) */
		size_t name_start = p;
		while (p < n && is_tchar((unsigned char)s[p]))
			p++;
		size_t name_len = p - name_start;
		const char *name = s + name_start;
		if (!name_len) {
			rc = bad_header(err, p, NULL,
			                "expected a parameter name");
			goto fail;
		}
		while (p < n && is_ows((unsigned char)s[p]))
			p++;
		if (p >= n || s[p] != '=') {
			rc = bad_header(err, p, NULL,
			                "expected '=' after a parameter name");
			goto fail;
		}
		p++;
		while (p < n && is_ows((unsigned char)s[p]))
			p++;
		char *val;
		size_t val_len = 0;
		if (p < n && s[p] == '"') {
			size_t q = p;
			rc = quoted_string(NULL, &val_len, s, &q, n, err);
			if (rc)
				goto fail;
			val = mxc__arena_alloc(&ar, val_len + 1);
			if (!val) {
				rc = mxc__err(err, MXC_ERR_NOMEM,
				              "out of memory");
				goto fail;
			}
			quoted_string(val, &val_len, s, &p, n, NULL);
		} else {
			/* a token; ':' allowed as well: "the recipient
			 * should allow colons to be included in values
			 * without requiring the value to be enclosed in
			 * quotes" */
			size_t v0 = p;
			while (p < n && (is_tchar((unsigned char)s[p]) ||
			                 s[p] == ':'))
				p++;
			if (p == v0) {
				rc = bad_header(err, p, NULL,
				                "expected a token or a quoted "
				                "string");
				goto fail;
			}
			val_len = p - v0;
			val = mxc__arena_strdup(&ar, s + v0, val_len);
			if (!val) {
				rc = mxc__err(err, MXC_ERR_NOMEM,
				              "out of memory");
				goto fail;
			}
		}

		/* RFC 9110 11.2: a parameter name occurs only once */
		for (size_t i = 0; i < n_params; i++)
			if (name_eq(params[i].name, params[i].name_len, name,
			            name_len)) {
				char shown[64];
				lower_copy(shown, sizeof shown, name,
				           name_len);
				rc = bad_header(err, name_start, shown,
				                "parameter given twice");
				goto fail;
			}
		params[n_params].name = name;
		params[n_params].name_len = name_len;
		n_params++;

		const char **slot = NULL;
		size_t *slot_len = NULL;
		const char *which = NULL;
		if (name_is(name, name_len, "origin")) {
			slot = &x->origin;
			slot_len = &x->origin_len;
			which = "origin";
		} else if (name_is(name, name_len, "destination")) {
			slot = &x->destination;
			slot_len = &x->destination_len;
			which = "destination";
		} else if (name_is(name, name_len, "key")) {
			slot = &x->key;
			slot_len = &x->key_len;
			which = "key";
		} else if (name_is(name, name_len, "sig")) {
			slot = &x->sig;
			slot_len = &x->sig_len;
			which = "sig";
		}
		/* "Unknown parameters are ignored." */
		if (slot) {
			if (!mxc__utf8_valid(val, val_len)) {
				rc = bad_header(err, name_start, which,
				                "value is not UTF-8");
				goto fail;
			}
			*slot = val;
			*slot_len = val_len;
		}

		while (p < n && is_ows((unsigned char)s[p]))
			p++;
		if (p < n && s[p] != ',') {
			rc = bad_header(err, p, NULL,
			                "expected ',' after a parameter value");
			goto fail;
		}
	}

	/* origin, key and sig are required; destination may be absent
	 * (servers older than v1.3 do not send it) */
	static const char *const names[] = {"origin", "key", "sig",
	                                    "destination"};
	const char *vals[] = {x->origin, x->key, x->sig, x->destination};
	const size_t lens[] = {x->origin_len, x->key_len, x->sig_len,
	                       x->destination_len};
	for (size_t i = 0; i < 4; i++) {
		if (!vals[i] && i < 3) {
			rc = bad_header(err, p, names[i],
			                "required parameter missing");
			goto fail;
		}
		if (vals[i] && !lens[i]) {
			rc = bad_header(err, p, names[i], "empty value");
			goto fail;
		}
	}
	x->arena = ar;
	*out = x;
	return MXC_OK;
fail:
	mxc__arena_free(&ar);
	return rc;
}

void
mxc_xmatrix_free(mxc_xmatrix *x)
{
	if (!x)
		return;
	mxc__arena ar = x->arena;
	mxc__arena_free(&ar);
}

const char *
mxc_xmatrix_origin(const mxc_xmatrix *x, size_t *len)
{
	if (!x)
		return NULL;
	if (len)
		*len = x->origin_len;
	return x->origin;
}

const char *
mxc_xmatrix_destination(const mxc_xmatrix *x, size_t *len)
{
	if (!x)
		return NULL;
	if (len)
		*len = x->destination_len;
	return x->destination;
}

const char *
mxc_xmatrix_key_id(const mxc_xmatrix *x, size_t *len)
{
	if (!x)
		return NULL;
	if (len)
		*len = x->key_len;
	return x->key;
}

const char *
mxc_xmatrix_sig(const mxc_xmatrix *x, size_t *len)
{
	if (!x)
		return NULL;
	if (len)
		*len = x->sig_len;
	return x->sig;
}

/* ---- verifying a request ------------------------------------------------- */

int
mxc_xmatrix_verify(const mxc_xmatrix *x, const char *method, const char *uri,
                   const char *my_server, const mxc_json *content,
                   const uint8_t *pubkey, size_t pubkey_len, mxc_error *err)
{
	if (!x || !method || !uri || !pubkey)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_xmatrix_verify");
	if (pubkey_len != MXC_ED25519_PUBLIC_BYTES)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "public key has %zu bytes, not %d", pubkey_len,
		                MXC_ED25519_PUBLIC_BYTES);
	const char *dest = x->destination;
	size_t dest_len = x->destination_len;
	if (my_server) {
		size_t my_len = strlen(my_server);
		/* "If this property is included, but the value does not match
		 * the receiving server's name, the receiving server must deny
		 * the request" */
		if (dest && (dest_len != my_len ||
		             memcmp(dest, my_server, my_len) != 0)) {
			mxc__err(err, MXC_ERR_BAD_HEADER,
			         "the request is for %.*s, not this server",
			         (int)(dest_len > 100 ? 100 : dest_len), dest);
			mxc__err_subject(err, "destination", 11);
			return MXC_ERR_BAD_HEADER;
		}
		if (!dest) {
			dest = my_server;
			dest_len = my_len;
		}
	} else if (!dest) {
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "the header has no destination and the caller "
		                "named none");
	}
	int rc = mxc__key_id_check(x->key, x->key_len, NULL);
	if (rc) {
		/* a malformed key ID cannot have signed anything */
		if (rc != MXC_ERR_UNSUPPORTED)
			rc = MXC_ERR_BAD_SIGNATURE;
		mxc__err(err, rc, "%s",
		         rc == MXC_ERR_UNSUPPORTED
		                 ? "key algorithm is not ed25519"
		                 : "key ID is not ed25519:[a-zA-Z0-9_]+");
		mxc__err_subject(err, "key", 3);
		return rc;
	}
	uint8_t sig[88 / 4 * 3 + 3];
	long n = -1;
	size_t bad = 0;
	if (x->sig_len > 88)
		rc = mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		              "the signature has %zu base64 characters, too "
		              "many for %d bytes",
		              x->sig_len, MXC_ED25519_SIG_BYTES);
	else if ((n = mxc__base64_decode_raw(sig, x->sig, x->sig_len, false,
	                                     &bad)) < 0)
		rc = mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		              "the signature is not valid base64 (offset %zu)",
		              bad);
	else if (n != MXC_ED25519_SIG_BYTES)
		rc = mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		              "the signature has %ld bytes, not %d", n,
		              MXC_ED25519_SIG_BYTES);
	if (rc) {
		mxc__err_subject(err, "sig", 3);
		return rc;
	}
	mxc_buf bytes = MXC_BUF_INIT;
	rc = request_bytes(&bytes, method, uri, x->origin, x->origin_len, dest,
	                   dest_len, content, err);
	if (rc == MXC_OK &&
	    mxc_ed25519_verify(sig, (size_t)n, bytes.data, bytes.len, pubkey,
	                       pubkey_len) != MXC_OK) {
		rc = mxc__err(err, MXC_ERR_BAD_SIGNATURE,
		              "the request's signature does not verify under "
		              "the key given");
		mxc__err_subject(err, "sig", 3);
	}
	mxc_buf_dispose(&bytes);
	return rc;
}
