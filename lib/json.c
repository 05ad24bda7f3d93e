/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON values: the strict parser for untrusted bytes, read-only accessors,
 * and the internal builder the other layers use to make new values (for
 * example a redacted event, or an object with a signature added).
 *
 * A parsed document lives in one arena: the input is copied once (with
 * zero padding so the string scanner may read 16 bytes at a time), strings
 * are decoded in place in that copy, and nodes are bump-allocated beside
 * it. Object members are sorted by key bytes as they are parsed, which
 * makes duplicate detection a by-product of the sort, lookups a binary
 * search and canonical encoding a plain walk.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

#define MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1 */
#define SCAN_PAD 16

size_t
mxc_json_max_depth(void)
{
	return MXC_JSON_MAX_DEPTH;
}

size_t
mxc_json_max_number_digits(void)
{
	return MXC_JSON_MAX_NUMBER_DIGITS;
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence starting at p (p < end), or 0 if it
 * is invalid: overlong, a surrogate, above U+10FFFF or truncated. */
static inline size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t avail = (size_t)(end - p);
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (avail < 3 || (p[2] & 0xC0) != 0x80)
			return 0;
		unsigned lo = 0x80, hi = 0xBF;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* U+D800..U+DFFF */
		return p[1] >= lo && p[1] <= hi ? 3 : 0;
	}
	if (c < 0xF5) {
		if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		unsigned lo = 0x80, hi = 0xBF;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
		return p[1] >= lo && p[1] <= hi ? 4 : 0;
	}
	return 0;
}

bool
mxc__utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		size_t k = utf8_seq(p, end);
		if (!k)
			return false;
		p += k;
	}
	return true;
}

uint32_t
mxc__json_string_flags(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			return MXC__JF_ESCAPE;
	}
	return 0;
}

/* ---- the parser ---------------------------------------------------------- */

typedef struct parser {
	const unsigned char *base; /* the arena copy of the input */
	unsigned char *p, *end;
	mxc__arena *ar;
	unsigned flags;
	mxc_error *err;
	/* scratch stacks for members and items of open containers */
	mxc__json_member *ms;
	size_t ms_n, ms_cap;
	const mxc_json **is;
	size_t is_n, is_cap;
	/* the stacks start in these buffers on the C stack (most documents
	 * fit: no malloc/free per parse) and move to the heap beyond */
	mxc__json_member *ms_stack;
	const mxc_json **is_stack;
	const mxc_allocator *alloc;
	/* nodes are carved from blocks of the arena here */
	mxc_json *node_cur, *node_end;
	/* decoded strings with escapes go here (allocated at the first
	 * escape, room for the whole input plus a 16-byte store overrun) */
	unsigned char *sbuf, *sbuf_cur;
} parser;

static int
perr(parser *ps, const unsigned char *at, int status, const char *what)
{
	mxc_error *err = ps->err;
	if (!err)
		return status;
	size_t off = (size_t)(at - ps->base);
	mxc__err(err, status, "%s at byte %zu", what, off);
	err->offset = off;
	mxc__err_subject(err, "$", 1);
	return status;
}

static inline void
skip_ws(parser *ps)
{
	unsigned char *p = ps->p;
	/* one comparison for the common case: a token follows at once */
	while (*p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	ps->p = p;
}

static int parse_value(parser *ps, const mxc_json **out, int depth);

static inline int
hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	if (c - 'a' < 6)
		return (int)(c - 'a' + 10);
	return -1;
}

static int
read_u4(parser *ps, const unsigned char *q, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = q + i < ps->end ? hexval(q[i]) : -1;
		if (h < 0)
			return perr(ps, q + i, MXC_ERR_JSON_SYNTAX,
			            "invalid \\u escape");
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return MXC_OK;
}

/* Index of the first byte in p[0..15] that is '"', '\\' or below 0x20,
 * or 16 if none is; *high gets whether any byte is 0x80 or above. */
#if defined(__SSE2__)
static inline unsigned
scan16(const unsigned char *p, bool *high)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)p);
	const __m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1F)),
	                                   _mm_set1_epi8(0x1F));
	const __m128i m = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	                     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
		ctl);
	unsigned mask = (unsigned)_mm_movemask_epi8(m);
	unsigned hi = (unsigned)_mm_movemask_epi8(x);
	if (mask) {
		unsigned k = (unsigned)__builtin_ctz(mask);
		/* only the high bytes before the stop count */
		*high |= (hi & ((1u << k) - 1)) != 0;
		return k;
	}
	*high |= hi != 0;
	return 16;
}
#endif

/* Offset of the first invalid UTF-8 sequence in p[0..n), or n. ASCII is
 * skipped 16 bytes at a time, straight to the next byte >= 0x80. The
 * caller's buffer has 16 readable bytes past n (the input padding or the
 * string buffer's slack). */
static size_t
utf8_check(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
#if defined(__SSE2__)
		unsigned hi = (unsigned)_mm_movemask_epi8(
			_mm_loadu_si128((const __m128i *)(p + i)));
		if (!hi) {
			i += 16;
			continue;
		}
		i += (unsigned)__builtin_ctz(hi);
		if (i >= n)
			break;
#else
		if (p[i] < 0x80) {
			i++;
			continue;
		}
#endif
		size_t k = utf8_seq(p + i, p + n);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

static int
decode_escape(parser *ps, unsigned char **pp, unsigned char *d, uint32_t *fl)
{
	unsigned char *p = *pp, *end = ps->end;
	unsigned e = p + 1 < end ? p[1] : 0;
	unsigned cp;
	switch (e) {
	case '"': cp = '"'; break;
	case '\\': cp = '\\'; break;
	case '/': cp = '/'; break;
	case 'b': cp = '\b'; break;
	case 'f': cp = '\f'; break;
	case 'n': cp = '\n'; break;
	case 'r': cp = '\r'; break;
	case 't': cp = '\t'; break;
	case 'u': {
		int rc = read_u4(ps, p + 2, &cp);
		if (rc)
			return rc;
		p += 4;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return perr(ps, p - 4, MXC_ERR_JSON_UTF8,
			            "lone low surrogate");
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			unsigned lo;
			if (!(p + 2 < end && p[2] == '\\' && p[3] == 'u'))
				return perr(ps, p - 4, MXC_ERR_JSON_UTF8,
				            "lone high surrogate");
			rc = read_u4(ps, p + 4, &lo);
			if (rc)
				return rc;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return perr(ps, p - 4, MXC_ERR_JSON_UTF8,
				            "lone high surrogate");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			p += 6;
		}
		break;
	}
	default:
		return perr(ps, p, MXC_ERR_JSON_SYNTAX, "invalid escape");
	}
	*pp = p + 2;
	if (cp < 0x20 || cp == '"' || cp == '\\')
		*fl = MXC__JF_ESCAPE;
	if (cp < 0x80) {
		d[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (unsigned char)(0xC0 | cp >> 6);
		d[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (unsigned char)(0xE0 | cp >> 12);
		d[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (unsigned char)(0xF0 | cp >> 18);
	d[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	d[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	d[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The error for a byte below 0x20 at p in a string whose bytes so far are
 * [s, s + n): invalid UTF-8 before it is the earlier error. */
static int
string_stop_error(parser *ps, unsigned char *p, const unsigned char *s,
                  size_t n, bool high, const unsigned char *raw_start)
{
	if (high) {
		size_t bad = utf8_check(s, n);
		if (bad < n)
			return perr(ps, raw_start + bad, MXC_ERR_JSON_UTF8,
			            "invalid UTF-8");
	}
	if (p >= ps->end)
		return perr(ps, ps->end, MXC_ERR_JSON_SYNTAX,
		            "unterminated string");
	return perr(ps, p, MXC_ERR_JSON_SYNTAX, "control character in string");
}

/* Parse a string at ps->p (the opening quote); the result is
 * NUL-terminated. A string without escapes is used where it lies in the
 * input copy; one with escapes is decoded into the parser's string
 * buffer, 16 bytes at a time (load, store, then look for the first '"',
 * '\\' or control byte: the store may run past the run, which the next
 * store overwrites). The input's zero padding stops every scan at its
 * end. UTF-8 is validated once, on the string's bytes, when any byte is
 * 0x80 or above: escapes produce whole valid sequences and never a
 * continuation byte, so they can neither mend nor break a raw sequence
 * beside them. */
static int
parse_string(parser *ps, const char **out, size_t *out_len, uint32_t *flags)
{
	unsigned char *p = ps->p + 1;
	unsigned char *const start = p;
	uint32_t fl = 0;
	bool high = false;
	/* phase 1: no escape seen, nothing copied */
	for (;;) {
#if defined(__SSE2__)
		for (;;) {
			unsigned k = scan16(p, &high);
			p += k;
			if (k < 16)
				break;
		}
#else
		while (*p >= 0x20 && *p != '"' && *p != '\\') {
			high |= *p >= 0x80;
			p++;
		}
#endif
		if (*p == '"' && p < ps->end) {
			size_t n = (size_t)(p - start);
			if (high) {
				size_t bad = utf8_check(start, n);
				if (bad < n)
					return perr(ps, start + bad,
					            MXC_ERR_JSON_UTF8,
					            "invalid UTF-8");
			}
			*p = '\0'; /* the closing quote, consumed */
			*out = (const char *)start;
			*out_len = n;
			*flags = 0;
			ps->p = p + 1;
			return MXC_OK;
		}
		if (*p == '\\')
			break;
		return string_stop_error(ps, p, start, (size_t)(p - start), high,
		                         start);
	}
	/* phase 2: decode into the string buffer */
	if (!ps->sbuf) {
		size_t room = (size_t)(ps->end - ps->base) + 32;
		ps->sbuf = ps->sbuf_cur = mxc__arena_alloc(ps->ar, room);
		if (!ps->sbuf)
			return MXC_ERR_NOMEM;
	}
	unsigned char *const dst = ps->sbuf_cur;
	unsigned char *d = dst;
#if defined(__SSE2__)
	/* the run before the first escape, 16 bytes at a time: the source
	 * is padded and the buffer has 32 bytes of slack, so the last store
	 * may run past the run (the decoding overwrites it) */
	for (size_t i = 0; i < (size_t)(p - start); i += 16)
		_mm_storeu_si128((__m128i *)(d + i),
		                 _mm_loadu_si128((const __m128i *)(start + i)));
#else
	memcpy(d, start, (size_t)(p - start));
#endif
	d += p - start;
	for (;;) {
		if (*p == '\\') {
			int k = decode_escape(ps, &p, d, &fl);
			if (k < 0)
				return k;
			d += k;
		} else if (*p == '"' && p < ps->end) {
			break;
		} else {
			return string_stop_error(ps, p, dst, (size_t)(d - dst),
			                         high, start);
		}
#if defined(__SSE2__)
		for (;;) {
			__m128i x = _mm_loadu_si128((const __m128i *)p);
			_mm_storeu_si128((__m128i *)d, x);
			unsigned k = scan16(p, &high);
			p += k;
			d += k;
			if (k < 16)
				break;
		}
#else
		while (*p >= 0x20 && *p != '"' && *p != '\\') {
			high |= *p >= 0x80;
			*d++ = *p++;
		}
#endif
	}
	size_t n = (size_t)(d - dst);
	if (high) {
		size_t bad = utf8_check(dst, n);
		if (bad < n)
			return perr(ps, start + bad, MXC_ERR_JSON_UTF8,
			            "invalid UTF-8 (offset approximate after "
			            "escapes)");
	}
	*d = '\0';
	ps->sbuf_cur = d + 1;
	*out = (const char *)dst;
	*out_len = n;
	*flags = fl;
	ps->p = p + 1;
	return MXC_OK;
}


static int
parse_number(parser *ps, mxc_json *v)
{
	unsigned char *p = ps->p, *s = p;
	bool neg = false, integer = true;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '0') {
		p++;
		if (*p >= '0' && *p <= '9')
			return perr(ps, s, MXC_ERR_JSON_SYNTAX, "leading zero");
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		return perr(ps, s, MXC_ERR_JSON_SYNTAX, "invalid number");
	}
	unsigned char *int_end = p;
	if (*p == '.') {
		integer = false;
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return perr(ps, p, MXC_ERR_JSON_SYNTAX,
			            "digit expected after '.'");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		integer = false;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return perr(ps, p, MXC_ERR_JSON_SYNTAX,
			            "digit expected in exponent");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	bool lenient = ps->flags & MXC_JSON_LENIENT_NUMBERS;
	v->type = MXC_JSON_NUMBER;
	v->u.num.lex = (const char *)s;
	v->u.num.lex_len = (size_t)(p - s);
	ps->p = p;
	if (!integer) {
		if (!lenient)
			return perr(ps, s, MXC_ERR_JSON_NUMBER_RANGE,
			            "fraction or exponent in canonical JSON");
		v->flags = MXC__JF_LEXEME;
		return MXC_OK;
	}
	/* integer: exact value when it fits */
	const unsigned char *d = neg ? s + 1 : s;
	size_t nd = (size_t)(int_end - d);
	if (nd <= 16) {
		int64_t x = 0;
		for (; d < int_end; d++)
			x = x * 10 + (*d - '0');
		if (x <= MAX_SAFE_INT) {
			if (neg && x == 0 && !lenient)
				return perr(ps, s, MXC_ERR_JSON_NUMBER_RANGE,
				            "-0 in canonical JSON");
			v->u.num.i = neg ? -x : x;
			v->flags = MXC__JF_INT | (lenient ? MXC__JF_LEXEME : 0);
			return MXC_OK;
		}
	}
	if (!lenient)
		return perr(ps, s, MXC_ERR_JSON_NUMBER_RANGE,
		            "integer outside [-(2^53)+1, 2^53-1]");
	/* big integer: keep the text; the exact value if it fits int64 */
	errno = 0;
	long long x = strtoll((const char *)s, NULL, 10);
	v->flags = MXC__JF_LEXEME;
	if (errno == 0) {
		v->u.num.i = x;
		v->flags |= MXC__JF_INT;
	}
	return MXC_OK;
}

/* Grow a scratch stack of `*cap` elements of `size` bytes to at least
 * `need` (and at least double): out of the initial C stack buffer
 * `stack` by a copy, on the heap by realloc. */
static int
scratch_grow(parser *ps, void **buf, size_t *cap, size_t need, size_t size,
             const void *stack)
{
	size_t c = *cap * 2 > need ? *cap * 2 : need;
	if (c > SIZE_MAX / size)
		return MXC_ERR_NOMEM;
	void *n;
	if (*buf == stack) {
		n = mxc__malloc(ps->alloc, c * size);
		if (n)
			memcpy(n, *buf, *cap * size);
	} else {
		n = mxc__realloc(ps->alloc, *buf, c * size);
	}
	if (!n)
		return MXC_ERR_NOMEM;
	*buf = n;
	*cap = c;
	return MXC_OK;
}

static inline int
push_member(parser *ps, const mxc__json_member *m)
{
	if (ps->ms_n == ps->ms_cap &&
	    scratch_grow(ps, (void **)&ps->ms, &ps->ms_cap, ps->ms_n + 1,
	                 sizeof *ps->ms, ps->ms_stack))
		return MXC_ERR_NOMEM;
	ps->ms[ps->ms_n++] = *m;
	return MXC_OK;
}

static inline int
push_item(parser *ps, const mxc_json *v)
{
	if (ps->is_n == ps->is_cap &&
	    scratch_grow(ps, (void **)&ps->is, &ps->is_cap, ps->is_n + 1,
	                 sizeof *ps->is, ps->is_stack))
		return MXC_ERR_NOMEM;
	ps->is[ps->is_n++] = v;
	return MXC_OK;
}

static inline int
key_cmp(const mxc__json_member *a, const mxc__json_member *b)
{
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	/* most keys differ in their first byte: decide there without a call */
	if (n && a->key[0] != b->key[0])
		return (unsigned char)a->key[0] < (unsigned char)b->key[0] ? -1 : 1;
	int c = n > 1 ? memcmp(a->key + 1, b->key + 1, n - 1) : 0;
	if (c)
		return c;
	return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

/* Stable merge sort of members (insertion sort for short runs); `tmp`
 * has room for n members. */
static void
sort_members(mxc__json_member *m, size_t n, mxc__json_member *tmp)
{
	if (n <= 12) {
		for (size_t i = 1; i < n; i++) {
			mxc__json_member x = m[i];
			size_t j = i;
			while (j > 0 && key_cmp(&m[j - 1], &x) > 0) {
				m[j] = m[j - 1];
				j--;
			}
			m[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	sort_members(m, h, tmp);
	sort_members(m + h, n - h, tmp);
	if (key_cmp(&m[h - 1], &m[h]) <= 0)
		return;
	memcpy(tmp, m, h * sizeof *m);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		m[k++] = key_cmp(&tmp[i], &m[j]) <= 0 ? tmp[i++] : m[j++];
	while (i < h)
		m[k++] = tmp[i++];
}

/* Sort `n` members in place and report the first duplicate, if any.
 * Input that is already in order (canonical JSON, as most senders write
 * it) or in reverse order costs one pass. */
static const mxc__json_member *
sort_and_find_dup(mxc__json_member *m, size_t n, mxc__json_member *tmp)
{
	size_t asc = 1, desc = 1;
	while (asc < n && key_cmp(&m[asc - 1], &m[asc]) < 0)
		asc++;
	if (asc < n && asc == 1) {
		while (desc < n && key_cmp(&m[desc - 1], &m[desc]) > 0)
			desc++;
		if (desc == n) {
			for (size_t i = 0, j = n - 1; i < j; i++, j--) {
				mxc__json_member t = m[i];
				m[i] = m[j];
				m[j] = t;
			}
			return NULL; /* strictly descending: no duplicate */
		}
	}
	if (asc == n)
		return NULL; /* strictly ascending: sorted, no duplicate */
	sort_members(m, n, tmp);
	for (size_t i = 1; i < n; i++)
		if (key_cmp(&m[i - 1], &m[i]) == 0)
			return &m[i];
	return NULL;
}

static int
parse_object(parser *ps, mxc_json *v, int depth)
{
	size_t base = ps->ms_n;
	int rc;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == '}') {
		ps->p++;
		goto done;
	}
	for (;;) {
		mxc__json_member m;
		if (*ps->p != '"') {
			rc = perr(ps, ps->p, MXC_ERR_JSON_SYNTAX,
			          "object key expected");
			goto fail;
		}
		rc = parse_string(ps, &m.key, &m.key_len, &m.key_flags);
		if (rc)
			goto fail;
		skip_ws(ps);
		if (*ps->p != ':') {
			rc = perr(ps, ps->p, MXC_ERR_JSON_SYNTAX, "':' expected");
			goto fail_key;
		}
		ps->p++;
		skip_ws(ps);
		rc = parse_value(ps, &m.value, depth);
		if (rc)
			goto fail_key;
		if ((rc = push_member(ps, &m)))
			goto fail;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		rc = perr(ps, ps->p, MXC_ERR_JSON_SYNTAX, "',' or '}' expected");
		goto fail;
	fail_key:
		mxc__err_path_key(ps->err, m.key, m.key_len);
		goto fail;
	}
done:;
	size_t n = ps->ms_n - base;
	mxc__json_member *mem = NULL;
	if (n) {
		/* room for the members and, for the merge sort, half again */
		mem = mxc__arena_alloc(ps->ar, n * sizeof *mem);
		if (!mem) {
			rc = MXC_ERR_NOMEM;
			goto fail;
		}
		memcpy(mem, ps->ms + base, n * sizeof *mem);
		mxc__json_member *tmp = NULL;
		if (n > 12) {
			/* reuse the scratch stack past the members as merge space */
			if (ps->ms_cap - ps->ms_n < n / 2 + 1 &&
			    scratch_grow(ps, (void **)&ps->ms, &ps->ms_cap,
			                 ps->ms_n + n / 2 + 1, sizeof *ps->ms,
			                 ps->ms_stack)) {
				rc = MXC_ERR_NOMEM;
				goto fail;
			}
			tmp = ps->ms + ps->ms_n;
		}
		const mxc__json_member *dup = sort_and_find_dup(mem, n, tmp);
		if (dup) {
			ps->ms_n = base;
			/* a key without escapes lies in the input copy, one
			 * byte after its opening quote; one with escapes lies
			 * in the string buffer: report where the object ends */
			const unsigned char *dk = (const unsigned char *)dup->key;
			const unsigned char *at =
				dk > ps->base && dk <= ps->end ? dk - 1 : ps->p - 1;
			rc = perr(ps, at,
			          MXC_ERR_JSON_DUPLICATE_KEY,
			          "duplicate key in object");
			if (ps->err) {
				mxc__err_subject(ps->err, "$", 1);
				mxc__err_path_key(ps->err, dup->key,
				                  dup->key_len);
				size_t k = strlen(ps->err->message);
				snprintf(ps->err->message + k,
				         sizeof ps->err->message - k,
				         " (key \"%.*s\")",
				         (int)(dup->key_len > 60 ? 60
				                                 : dup->key_len),
				         dup->key);
			}
			return rc;
		}
	}
	ps->ms_n = base;
	v->type = MXC_JSON_OBJECT;
	v->u.obj.m = mem;
	v->u.obj.n = n;
	return MXC_OK;
fail:
	ps->ms_n = base;
	return rc;
}

static int
parse_array(parser *ps, mxc_json *v, int depth)
{
	size_t base = ps->is_n, idx = 0;
	int rc;
	ps->p++;
	skip_ws(ps);
	if (*ps->p == ']') {
		ps->p++;
		goto done;
	}
	for (;;) {
		const mxc_json *item;
		rc = parse_value(ps, &item, depth);
		if (rc) {
			mxc__err_path_index(ps->err, idx);
			goto fail;
		}
		if ((rc = push_item(ps, item)))
			goto fail;
		idx++;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		rc = perr(ps, ps->p, MXC_ERR_JSON_SYNTAX, "',' or ']' expected");
		goto fail;
	}
done:;
	size_t n = ps->is_n - base;
	const mxc_json **items = NULL;
	if (n) {
		items = mxc__arena_alloc(ps->ar, n * sizeof *items);
		if (!items) {
			rc = MXC_ERR_NOMEM;
			goto fail;
		}
		memcpy(items, ps->is + base, n * sizeof *items);
	}
	ps->is_n = base;
	v->type = MXC_JSON_ARRAY;
	v->u.arr.items = items;
	v->u.arr.n = n;
	return MXC_OK;
fail:
	ps->is_n = base;
	return rc;
}

static int
parse_value_into(parser *ps, mxc_json *v, int depth)
{
	unsigned char *p = ps->p;
	switch (*p) {
	case '{':
	case '[':
		if (depth >= MXC_JSON_MAX_DEPTH)
			return perr(ps, p, MXC_ERR_JSON_DEPTH,
			            "nesting deeper than the limit");
		return *p == '{' ? parse_object(ps, v, depth + 1)
		                 : parse_array(ps, v, depth + 1);
	case '"': {
		uint32_t fl;
		int rc = parse_string(ps, &v->u.str.s, &v->u.str.len, &fl);
		if (rc)
			return rc;
		v->type = MXC_JSON_STRING;
		v->flags = (uint8_t)fl;
		return MXC_OK;
	}
	case 't':
		if ((size_t)(ps->end - p) >= 4 && memcmp(p, "true", 4) == 0) {
			v->type = MXC_JSON_TRUE;
			ps->p += 4;
			return MXC_OK;
		}
		break;
	case 'f':
		if ((size_t)(ps->end - p) >= 5 && memcmp(p, "false", 5) == 0) {
			v->type = MXC_JSON_FALSE;
			ps->p += 5;
			return MXC_OK;
		}
		break;
	case 'n':
		if ((size_t)(ps->end - p) >= 4 && memcmp(p, "null", 4) == 0) {
			v->type = MXC_JSON_NULL;
			ps->p += 4;
			return MXC_OK;
		}
		break;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9'))
			return parse_number(ps, v);
		if (p >= ps->end)
			return perr(ps, p, MXC_ERR_JSON_SYNTAX,
			            "unexpected end of input");
		break;
	}
	return perr(ps, p, MXC_ERR_JSON_SYNTAX, "unexpected character");
}

/* Nodes are taken from a block of NODE_BLOCK nodes, so the common case is
 * a pointer bump inline rather than a call to the arena per value. */
#define NODE_BLOCK 32

static mxc_json *
node_refill(parser *ps)
{
	mxc_json *b = mxc__arena_alloc(ps->ar, NODE_BLOCK * sizeof *b);
	if (!b)
		return NULL;
	ps->node_cur = b + 1;
	ps->node_end = b + NODE_BLOCK;
	return b;
}

static int
parse_value(parser *ps, const mxc_json **out, int depth)
{
	mxc_json *v = ps->node_cur;
	if (v != ps->node_end)
		ps->node_cur++;
	else if (!(v = node_refill(ps)))
		return MXC_ERR_NOMEM;
	memset(v, 0, sizeof *v);
	*out = v;
	return parse_value_into(ps, v, depth);
}

/* Parse into `root` (a node the caller placed) using arena `ar`. */
static int
parse_into(mxc_json *root, mxc__arena *ar, const char *text, size_t len,
           unsigned flags, const mxc_allocator *alloc, mxc_error *err)
{
	if (len > SIZE_MAX - SCAN_PAD - 1)
		return mxc__err(err, MXC_ERR_NOMEM, "input too large");
	unsigned char *copy = mxc__arena_alloc(ar, len + SCAN_PAD + 1);
	if (!copy)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	if (len)
		memcpy(copy, text, len);
	memset(copy + len, 0, SCAN_PAD + 1);
	parser ps = {0};
	mxc__json_member ms_stack[64];
	const mxc_json *is_stack[64];
	ps.ms = ps.ms_stack = ms_stack;
	ps.ms_cap = MXC_ARRAY_LEN(ms_stack);
	ps.is = ps.is_stack = is_stack;
	ps.is_cap = MXC_ARRAY_LEN(is_stack);
	ps.base = copy;
	ps.p = copy;
	ps.end = copy + len;
	ps.ar = ar;
	ps.flags = flags;
	ps.err = err;
	ps.alloc = alloc;
	skip_ws(&ps);
	int rc = parse_value_into(&ps, root, 0);
	if (rc == MXC_OK) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			rc = perr(&ps, ps.p, MXC_ERR_JSON_SYNTAX,
			          "trailing characters after the value");
	}
	if (rc == MXC_ERR_NOMEM)
		mxc__err(err, rc, "out of memory");
	if (ps.ms != ms_stack)
		mxc__free(alloc, ps.ms);
	if (ps.is != is_stack)
		mxc__free(alloc, ps.is);
	return rc;
}

int
mxc_json_parse(mxc_json **out, const char *text, size_t len, unsigned flags,
               const mxc_allocator *alloc, mxc_error *err)
{
	if (!out || (!text && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or text");
	*out = NULL;
	if (flags & ~(unsigned)MXC_JSON_LENIENT_NUMBERS)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "unknown parse flags");
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	/* the document header lives in the arena's first chunk */
	mxc__json_doc *doc = mxc__arena_alloc(&ar, sizeof *doc);
	if (!doc) {
		mxc__arena_free(&ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	memset(doc, 0, sizeof *doc);
	int rc = parse_into(&doc->root, &ar, text, len, flags,
	                    mxc__alloc_or_default(alloc), err);
	if (rc) {
		mxc__arena_free(&ar);
		return rc;
	}
	doc->root.flags |= MXC__JF_ROOT;
	doc->arena = ar;
	*out = &doc->root;
	return MXC_OK;
}

int
mxc__json_parse_arena(const mxc_json **out, mxc__arena *ar, const char *text,
                      size_t len, unsigned flags, mxc_error *err)
{
	mxc_json *v = mxc__arena_alloc(ar, sizeof *v);
	if (!v)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	memset(v, 0, sizeof *v);
	int rc = parse_into(v, ar, text, len, flags, &ar->alloc, err);
	if (rc == MXC_OK)
		*out = v;
	return rc;
}

void
mxc_json_free(mxc_json *root)
{
	if (!root)
		return;
	/* only roots own memory; a borrowed value is a caller bug */
	if (!(root->flags & MXC__JF_ROOT))
		return;
	mxc__json_doc *doc = (mxc__json_doc *)root;
	mxc__arena ar = doc->arena; /* the doc lives inside its own arena */
	mxc__arena_free(&ar);
}

/* ---- accessors ----------------------------------------------------------- */

mxc_json_type
mxc_json_get_type(const mxc_json *v)
{
	return v ? (mxc_json_type)v->type : MXC_JSON_NULL;
}

int
mxc_json_get_int(int64_t *out, const mxc_json *v)
{
	if (!out)
		return MXC_ERR_INVALID_ARGUMENT;
	if (!v || v->type != MXC_JSON_NUMBER)
		return MXC_ERR_JSON_TYPE;
	if (!(v->flags & MXC__JF_INT))
		return MXC_ERR_JSON_NUMBER_RANGE;
	*out = v->u.num.i;
	return MXC_OK;
}

int
mxc_json_get_double(double *out, const mxc_json *v)
{
	if (!out)
		return MXC_ERR_INVALID_ARGUMENT;
	if (!v || v->type != MXC_JSON_NUMBER)
		return MXC_ERR_JSON_TYPE;
	if (!v->u.num.lex) {
		*out = (double)v->u.num.i;
		return MXC_OK;
	}
	char tmp[64], *s = tmp;
	size_t n = v->u.num.lex_len;
	if (n >= sizeof tmp) {
		s = malloc(n + 1);
		if (!s)
			return MXC_ERR_NOMEM;
	}
	memcpy(s, v->u.num.lex, n);
	s[n] = '\0';
	double d = strtod(s, NULL);
	if (s != tmp)
		free(s);
	if (!isfinite(d))
		return MXC_ERR_JSON_NUMBER_RANGE;
	*out = d;
	return MXC_OK;
}

const char *
mxc_json_number_text(const mxc_json *v, size_t *len)
{
	if (!v || v->type != MXC_JSON_NUMBER)
		return NULL;
	if (!v->u.num.lex)
		return NULL; /* built by the library: see mxc_json_canonical */
	if (len)
		*len = v->u.num.lex_len;
	return v->u.num.lex;
}

int
mxc_json_is_integer(const mxc_json *v)
{
	if (!v || v->type != MXC_JSON_NUMBER)
		return 0;
	if (!v->u.num.lex)
		return 1;
	for (size_t i = 0; i < v->u.num.lex_len; i++) {
		char c = v->u.num.lex[i];
		if (c == '.' || c == 'e' || c == 'E')
			return 0;
	}
	return 1;
}

const char *
mxc_json_get_string(const mxc_json *v, size_t *len)
{
	if (!v || v->type != MXC_JSON_STRING)
		return NULL;
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

size_t
mxc_json_size(const mxc_json *v)
{
	if (!v)
		return 0;
	if (v->type == MXC_JSON_ARRAY)
		return v->u.arr.n;
	if (v->type == MXC_JSON_OBJECT)
		return v->u.obj.n;
	return 0;
}

const mxc_json *
mxc_json_at(const mxc_json *a, size_t i)
{
	if (!a || a->type != MXC_JSON_ARRAY || i >= a->u.arr.n)
		return NULL;
	return a->u.arr.items[i];
}

const mxc_json *
mxc_json_member(const mxc_json *o, size_t i, const char **key,
                size_t *key_len)
{
	if (!o || o->type != MXC_JSON_OBJECT || i >= o->u.obj.n)
		return NULL;
	const mxc__json_member *m = &o->u.obj.m[i];
	if (key)
		*key = m->key;
	if (key_len)
		*key_len = m->key_len;
	return m->value;
}

const mxc_json *
mxc_json_get(const mxc_json *o, const char *key, size_t key_len)
{
	if (!o || o->type != MXC_JSON_OBJECT || (!key && key_len))
		return NULL;
	mxc__json_member probe = {key, key_len, NULL, 0};
	size_t lo = 0, hi = o->u.obj.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&o->u.obj.m[mid], &probe);
		if (c == 0)
			return o->u.obj.m[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const mxc_json *
mxc_json_getz(const mxc_json *o, const char *key)
{
	return key ? mxc_json_get(o, key, strlen(key)) : NULL;
}

/* ---- builder ------------------------------------------------------------- */

mxc_json *
mxc__json_new(mxc__arena *ar, mxc_json_type t)
{
	mxc_json *v = mxc__arena_alloc(ar, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->type = (uint8_t)t;
	}
	return v;
}

mxc_json *
mxc__json_new_string(mxc__arena *ar, const char *s, size_t n)
{
	mxc_json *v = mxc__json_new(ar, MXC_JSON_STRING);
	if (!v)
		return NULL;
	char *c = mxc__arena_strdup(ar, s, n);
	if (!c)
		return NULL;
	v->u.str.s = c;
	v->u.str.len = n;
	v->flags = (uint8_t)mxc__json_string_flags(s, n);
	return v;
}

mxc_json *
mxc__json_new_int(mxc__arena *ar, int64_t x)
{
	mxc_json *v = mxc__json_new(ar, MXC_JSON_NUMBER);
	if (v) {
		v->u.num.i = x;
		v->flags = MXC__JF_INT;
	}
	return v;
}

mxc_json *
mxc__json_new_object(mxc__arena *ar, size_t n, mxc__json_member **members)
{
	mxc_json *v = mxc__json_new(ar, MXC_JSON_OBJECT);
	if (!v)
		return NULL;
	mxc__json_member *m = NULL;
	if (n) {
		m = mxc__arena_alloc(ar, n * sizeof *m);
		if (!m)
			return NULL;
		memset(m, 0, n * sizeof *m);
	}
	v->u.obj.m = m;
	v->u.obj.n = n;
	*members = m;
	return v;
}

int
mxc__json_object_finish(mxc_json *obj)
{
	size_t n = obj->u.obj.n;
	mxc__json_member *m = (mxc__json_member *)obj->u.obj.m;
	for (size_t i = 0; i < n; i++)
		m[i].key_flags = mxc__json_string_flags(m[i].key, m[i].key_len);
	mxc__json_member stack_tmp[16], *tmp = stack_tmp;
	if (n / 2 + 1 > MXC_ARRAY_LEN(stack_tmp)) {
		tmp = malloc((n / 2 + 1) * sizeof *tmp);
		if (!tmp)
			return MXC_ERR_NOMEM;
	}
	const mxc__json_member *dup = sort_and_find_dup(m, n, tmp);
	if (tmp != stack_tmp)
		free(tmp);
	return dup ? MXC_ERR_JSON_DUPLICATE_KEY : MXC_OK;
}

mxc_json *
mxc__json_new_array(mxc__arena *ar, size_t n, const mxc_json ***items)
{
	mxc_json *v = mxc__json_new(ar, MXC_JSON_ARRAY);
	if (!v)
		return NULL;
	const mxc_json **it = NULL;
	if (n) {
		it = mxc__arena_alloc(ar, n * sizeof *it);
		if (!it)
			return NULL;
		memset(it, 0, n * sizeof *it);
	}
	v->u.arr.items = it;
	v->u.arr.n = n;
	*items = it;
	return v;
}

mxc_json *
mxc__json_object_with(mxc__arena *ar, const mxc_json *obj, const char *key,
                      const mxc_json *value)
{
	if (!obj || obj->type != MXC_JSON_OBJECT)
		return NULL;
	size_t klen = strlen(key), n = obj->u.obj.n;
	mxc__json_member probe = {key, klen, NULL, 0};
	/* position of key (found) or of its insertion point */
	size_t pos = 0;
	bool found = false;
	for (; pos < n; pos++) {
		int c = key_cmp(&obj->u.obj.m[pos], &probe);
		if (c == 0) {
			found = true;
			break;
		}
		if (c > 0)
			break;
	}
	size_t nn = n + (value && !found) - (!value && found);
	mxc_json *v = mxc__json_new(ar, MXC_JSON_OBJECT);
	if (!v)
		return NULL;
	mxc__json_member *m = NULL;
	if (nn) {
		m = mxc__arena_alloc(ar, nn * sizeof *m);
		if (!m)
			return NULL;
	}
	const mxc__json_member *src = obj->u.obj.m;
	size_t k = 0;
	if (pos)
		memcpy(m, src, pos * sizeof *m);
	k = pos;
	if (value) {
		m[k].key = found ? src[pos].key : key;
		m[k].key_len = klen;
		m[k].key_flags = mxc__json_string_flags(key, klen);
		m[k].value = value;
		k++;
	}
	size_t rest = n - pos - found;
	if (rest)
		memcpy(m + k, src + pos + found, rest * sizeof *m);
	v->u.obj.m = m;
	v->u.obj.n = nn;
	return v;
}

mxc_json *
mxc__json_deep_copy(mxc__arena *ar, const mxc_json *v)
{
	mxc_json *c = mxc__json_new(ar, (mxc_json_type)v->type);
	if (!c)
		return NULL;
	c->flags = v->flags & (uint8_t)~MXC__JF_ROOT;
	switch (v->type) {
	case MXC_JSON_STRING:
		c->u.str.s = mxc__arena_strdup(ar, v->u.str.s, v->u.str.len);
		if (!c->u.str.s)
			return NULL;
		c->u.str.len = v->u.str.len;
		break;
	case MXC_JSON_NUMBER:
		c->u.num = v->u.num;
		if (v->u.num.lex) {
			c->u.num.lex = mxc__arena_strdup(ar, v->u.num.lex,
			                                 v->u.num.lex_len);
			if (!c->u.num.lex)
				return NULL;
		}
		break;
	case MXC_JSON_ARRAY: {
		const mxc_json **items;
		size_t n = v->u.arr.n;
		mxc_json *a = mxc__json_new_array(ar, n, &items);
		if (!a)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (!(items[i] = mxc__json_deep_copy(ar, v->u.arr.items[i])))
				return NULL;
		c->u.arr = a->u.arr;
		break;
	}
	case MXC_JSON_OBJECT: {
		size_t n = v->u.obj.n;
		mxc__json_member *m = NULL;
		if (n) {
			m = mxc__arena_alloc(ar, n * sizeof *m);
			if (!m)
				return NULL;
		}
		for (size_t i = 0; i < n; i++) {
			const mxc__json_member *s = &v->u.obj.m[i];
			m[i].key = mxc__arena_strdup(ar, s->key, s->key_len);
			m[i].key_len = s->key_len;
			m[i].key_flags = s->key_flags;
			m[i].value = mxc__json_deep_copy(ar, s->value);
			if (!m[i].key || !m[i].value)
				return NULL;
		}
		c->u.obj.m = m;
		c->u.obj.n = n;
		break;
	}
	default:
		break;
	}
	return c;
}

int
mxc__json_doc_adopt(mxc_json **out, const mxc_json *v,
                    const mxc_allocator *alloc)
{
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc__json_doc *doc = mxc__arena_alloc(&ar, sizeof *doc);
	const mxc_json *c = doc ? mxc__json_deep_copy(&ar, v) : NULL;
	if (!c) {
		mxc__arena_free(&ar);
		return MXC_ERR_NOMEM;
	}
	memset(doc, 0, sizeof *doc);
	doc->root = *c;
	doc->root.flags |= MXC__JF_ROOT;
	doc->arena = ar;
	*out = &doc->root;
	return MXC_OK;
}

int
mxc_json_copy(mxc_json **out, const mxc_json *v, const mxc_allocator *alloc)
{
	if (!out || !v)
		return MXC_ERR_INVALID_ARGUMENT;
	*out = NULL;
	return mxc__json_doc_adopt(out, v, alloc);
}

static int
number_equal(const mxc_json *a, const mxc_json *b)
{
	if ((a->flags & MXC__JF_INT) && (b->flags & MXC__JF_INT) &&
	    mxc_json_is_integer(a) && mxc_json_is_integer(b))
		return a->u.num.i == b->u.num.i;
	mxc_buf x = MXC_BUF_INIT, y = MXC_BUF_INIT;
	int eq = mxc__number_canonical(&x, a, NULL) == MXC_OK &&
	         mxc__number_canonical(&y, b, NULL) == MXC_OK &&
	         x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
	mxc_buf_dispose(&x);
	mxc_buf_dispose(&y);
	return eq;
}

int
mxc_json_equal(const mxc_json *a, const mxc_json *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case MXC_JSON_STRING:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case MXC_JSON_NUMBER:
		return number_equal(a, b);
	case MXC_JSON_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return 0;
		for (size_t i = 0; i < a->u.arr.n; i++)
			if (!mxc_json_equal(a->u.arr.items[i], b->u.arr.items[i]))
				return 0;
		return 1;
	case MXC_JSON_OBJECT:
		if (a->u.obj.n != b->u.obj.n)
			return 0;
		for (size_t i = 0; i < a->u.obj.n; i++) {
			const mxc__json_member *x = &a->u.obj.m[i],
			                       *y = &b->u.obj.m[i];
			if (key_cmp(x, y) != 0 || !mxc_json_equal(x->value, y->value))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

/* ---- canonical number rules on a parsed tree ----------------------------- */

static int
check_number(const mxc_json *v, mxc_error *err)
{
	if (!v->u.num.lex) {
		if (v->u.num.i > MAX_SAFE_INT || v->u.num.i < -MAX_SAFE_INT)
			return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
			                "integer outside [-(2^53)+1, 2^53-1]");
		return MXC_OK;
	}
	const char *t = v->u.num.lex;
	size_t n = v->u.num.lex_len;
	if (!mxc_json_is_integer(v))
		return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
		                "fraction or exponent in canonical JSON");
	if (n == 2 && t[0] == '-' && t[1] == '0')
		return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
		                "-0 in canonical JSON");
	if (!(v->flags & MXC__JF_INT) || v->u.num.i > MAX_SAFE_INT ||
	    v->u.num.i < -MAX_SAFE_INT)
		return mxc__err(err, MXC_ERR_JSON_NUMBER_RANGE,
		                "integer outside [-(2^53)+1, 2^53-1]");
	return MXC_OK;
}

static int
check_numbers(const mxc_json *v, mxc_error *err, int depth)
{
	int rc;
	switch (v->type) {
	case MXC_JSON_NUMBER:
		if ((rc = check_number(v, err)))
			mxc__err_subject(err, "$", 1);
		return rc;
	case MXC_JSON_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			if ((rc = check_numbers(v->u.arr.items[i], err, depth + 1))) {
				mxc__err_path_index(err, i);
				return rc;
			}
		return MXC_OK;
	case MXC_JSON_OBJECT:
		for (size_t i = 0; i < v->u.obj.n; i++) {
			const mxc__json_member *m = &v->u.obj.m[i];
			if ((rc = check_numbers(m->value, err, depth + 1))) {
				mxc__err_path_key(err, m->key, m->key_len);
				return rc;
			}
		}
		return MXC_OK;
	default:
		return MXC_OK;
	}
}

int
mxc_json_check_canonical_numbers(const mxc_json *v, mxc_error *err)
{
	if (!v)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "NULL value");
	return check_numbers(v, err, 0);
}
