/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unpadded base64 (appendices: Unpadded Base64), standard and URL-safe
 * alphabets (RFC 4648 sections 4 and 5). Written here rather than taken
 * from libsodium because the spec's own test seed
 * (YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1) ends in non-zero trailing
 * bits, which libsodium's decoder refuses.
 *
 * Encoding never pads. Decoding accepts padded and unpadded input
 * ("implementations SHOULD accept input with or without padding
 * characters wherever possible"), including partial padding ("Zg=",
 * as python-signedjson does by appending the missing '='), and ignores
 * the value of the trailing bits; it rejects any character outside the
 * chosen alphabet (white space included), '=' anywhere but in the final
 * one or two positions of a group, and a length that leaves one dangling
 * character (1 mod 4 data characters, which cannot encode a byte).
 *
 * The encoder is on the event-ID hot path: it works on whole 3-byte groups
 * with a 64-entry table and no branches inside the loop.
 */
#include <limits.h>

#include "internal.h"

static const char std_alpha[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Decode tables: 0..63 for alphabet characters, BAD for anything else,
 * PAD for '='. One table per alphabet so a character of the other one is
 * rejected. */
#define BAD 0xFF
#define PAD 0xFE

/* Rows of 16 entries; '+' (43) and '/' (47) or '-' (45) and '_' (95)
 * differ between the tables. */
#define ROW_BAD                                                        \
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, \
		BAD, BAD, BAD
#define ROW_DIGITS(pad)                                                  \
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, BAD, BAD, BAD, pad, BAD, BAD
#define ROW_UPPER1 BAD, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
#define ROW_LOWER1 BAD, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, \
		39, 40
#define ROW_LOWER2 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, BAD, BAD, \
		BAD, BAD, BAD

static const uint8_t std_rev[256] = {
	ROW_BAD, ROW_BAD,
	/* 0x20: ' ' ... '/' */
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, 62, BAD, BAD,
	BAD, 63,
	ROW_DIGITS(PAD), ROW_UPPER1,
	/* 0x50: 'P' ... '_' */
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, BAD, BAD, BAD, BAD, BAD,
	ROW_LOWER1, ROW_LOWER2,
	ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD,
};

static const uint8_t url_rev[256] = {
	ROW_BAD, ROW_BAD,
	/* 0x20: ' ' ... '/' */
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, 62,
	BAD, BAD,
	ROW_DIGITS(PAD), ROW_UPPER1,
	/* 0x50: 'P' ... '_' */
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, BAD, BAD, BAD, BAD, 63,
	ROW_LOWER1, ROW_LOWER2,
	ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD, ROW_BAD,
};

size_t
mxc__base64_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t
mxc__base64_encode_raw(char *dst, const uint8_t *src, size_t n, bool urlsafe)
{
	const char *a = urlsafe ? url_alpha : std_alpha;
	char *d = dst;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)src[i] << 16 |
		             (uint32_t)src[i + 1] << 8 | src[i + 2];
		d[0] = a[v >> 18];
		d[1] = a[(v >> 12) & 63];
		d[2] = a[(v >> 6) & 63];
		d[3] = a[v & 63];
		d += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)src[i] << 16;
		d[0] = a[v >> 18];
		d[1] = a[(v >> 12) & 63];
		d += 2;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
		d[0] = a[v >> 18];
		d[1] = a[(v >> 12) & 63];
		d[2] = a[(v >> 6) & 63];
		d += 3;
	}
	return (size_t)(d - dst);
}

long
mxc__base64_decode_raw(uint8_t *dst, const char *src, size_t n, bool urlsafe,
                       size_t *bad_offset)
{
	const uint8_t *rev = urlsafe ? url_rev : std_rev;
	const unsigned char *s = (const unsigned char *)src;
	size_t bad_dummy;
	if (!bad_offset)
		bad_offset = &bad_dummy;
	if (n > (size_t)LONG_MAX / 3 * 4 - 4) {
		*bad_offset = 0;
		return -1;
	}

	/* Strip the padding: at most two '=' at the very end, completing
	 * (perhaps partly) a final group of two or three data characters. */
	size_t data = n;
	while (data > 0 && s[data - 1] == '=' && n - data < 2)
		data--;
	size_t pad = n - data;
	if (pad && (data % 4 < 2 || data % 4 + pad > 4)) {
		/* "Zm9v=" or "Zm8==": padding after a complete group, or
		 * more padding than the group lacks */
		*bad_offset = data;
		return -1;
	}

	uint8_t *d = dst;
	size_t i = 0;
	for (; i + 4 <= data; i += 4) {
		uint8_t c0 = rev[s[i]], c1 = rev[s[i + 1]], c2 = rev[s[i + 2]],
			c3 = rev[s[i + 3]];
		if ((c0 | c1 | c2 | c3) & 0xC0)
			goto bad_char;
		uint32_t v = (uint32_t)c0 << 18 | (uint32_t)c1 << 12 |
		             (uint32_t)c2 << 6 | c3;
		d[0] = (uint8_t)(v >> 16);
		d[1] = (uint8_t)(v >> 8);
		d[2] = (uint8_t)v;
		d += 3;
	}
	size_t rest = data - i;
	if (rest == 1) {
		/* a single character carries 6 bits: not even one byte */
		*bad_offset = i;
		return -1;
	}
	if (rest >= 2) {
		uint8_t c0 = rev[s[i]], c1 = rev[s[i + 1]];
		uint8_t c2 = rest == 3 ? rev[s[i + 2]] : 0;
		if ((c0 | c1 | c2) & 0xC0)
			goto bad_char;
		/* the trailing bits (4 or 2) are ignored, whatever they are */
		uint32_t v = (uint32_t)c0 << 18 | (uint32_t)c1 << 12 |
		             (uint32_t)c2 << 6;
		*d++ = (uint8_t)(v >> 16);
		if (rest == 3)
			*d++ = (uint8_t)(v >> 8);
	}
	return (long)(d - dst);

bad_char:
	/* find the first offending character of the group (or a '=' that
	 * stands inside the data) */
	for (size_t k = i; k < data; k++)
		if (rev[s[k]] & 0xC0) {
			*bad_offset = k;
			return -1;
		}
	*bad_offset = i;
	return -1;
}

int
mxc_base64_encode(mxc_buf *out, const void *data, size_t len, unsigned flags)
{
	if (!out || (!data && len) || (flags & ~(unsigned)MXC_BASE64_URLSAFE))
		return MXC_ERR_INVALID_ARGUMENT;
	if (len > (SIZE_MAX - 4) / 4 * 3)
		return MXC_ERR_NOMEM;
	size_t n = mxc__base64_len(len);
	if (mxc__buf_reserve(out, n))
		return MXC_ERR_NOMEM;
	size_t w = mxc__base64_encode_raw(out->data + out->len, data, len,
	                                  flags & MXC_BASE64_URLSAFE);
	out->len += w;
	out->data[out->len] = '\0';
	return MXC_OK;
}

int
mxc_base64_decode(mxc_buf *out, const char *text, size_t len, unsigned flags,
                  mxc_error *err)
{
	if (!out || (!text && len) || (flags & ~(unsigned)MXC_BASE64_URLSAFE))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "invalid argument to mxc_base64_decode");
	if (len > (size_t)LONG_MAX / 3 * 4 - 4)
		return mxc__err(err, MXC_ERR_NOMEM, "input too large");
	if (mxc__buf_reserve(out, len / 4 * 3 + 3))
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	size_t bad = 0;
	long n = mxc__base64_decode_raw((uint8_t *)out->data + out->len,
	                                text ? text : "", len,
	                                flags & MXC_BASE64_URLSAFE, &bad);
	if (n < 0) {
		/* keep the buffer's contents as they were */
		if (out->data)
			out->data[out->len] = '\0';
		const uint8_t *rev = (flags & MXC_BASE64_URLSAFE) ? url_rev
		                                                  : std_rev;
		unsigned char c = bad < len ? (unsigned char)text[bad] : 0;
		const char *why;
		if (bad >= len || rev[c] < 64)
			why = "length leaves a single dangling character";
		else if (c == '=')
			why = "misplaced '=' padding";
		else if (!(flags & MXC_BASE64_URLSAFE) &&
		         (c == '-' || c == '_'))
			why = "URL-safe character in standard base64";
		else if ((flags & MXC_BASE64_URLSAFE) && (c == '+' || c == '/'))
			why = "standard character in URL-safe base64";
		else
			why = "character outside the base64 alphabet";
		mxc__err(err, MXC_ERR_BASE64, "%s at offset %zu", why, bad);
		if (err)
			err->offset = bad;
		return MXC_ERR_BASE64;
	}
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	return MXC_OK;
}
