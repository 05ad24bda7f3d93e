/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Canonical JSON output (appendices: Canonical JSON): keys sorted by code
 * point (the parser and builder keep members sorted), no insignificant
 * white space, only '"', '\\' and U+0000..U+001F escaped, everything else
 * raw UTF-8. Also the canonical and Python repr() forms of the numbers that
 * lenient (room versions 1 to 5) parsing keeps.
 *
 * The writer fills an output buffer directly; when the sink is a running
 * SHA-256 it fills a stack chunk and feeds the hash whenever it is full,
 * so hashing an event never materialises its canonical bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

#define CHUNK 4096

typedef struct writer {
	char *cur, *end;
	mxc_buf *buf;         /* buffer mode */
	mxc__sha256_ctx *sha; /* hash mode: chunk is flushed into it */
	char *chunk;
	bool python;          /* integral floats as Python's repr */
	mxc_error *err;
} writer;

/* Make room for n bytes; in hash mode n <= CHUNK. */
static int
w_grow(writer *w, size_t n)
{
	if (w->sha) {
		mxc__sha256_update(w->sha, w->chunk, (size_t)(w->cur - w->chunk));
		w->cur = w->chunk;
		return MXC_OK;
	}
	mxc_buf *b = w->buf;
	b->len = (size_t)(w->cur - b->data);
	if (mxc__buf_reserve(b, n))
		return MXC_ERR_NOMEM;
	w->cur = b->data + b->len;
	w->end = b->data + b->cap - 1; /* keep room for the NUL */
	return MXC_OK;
}

static inline int
w_room(writer *w, size_t n)
{
	if ((size_t)(w->end - w->cur) >= n)
		return MXC_OK;
	return w_grow(w, n);
}

/* Copy n bytes: most keys, strings and numbers are short, and a call to
 * memcpy for them costs more than the copy. Up to 32 bytes take two
 * possibly overlapping fixed-size copies (each a single load and store);
 * the source has no padding to read past, so nothing wider. */
static inline void
copy_bytes(char *d, const char *s, size_t n)
{
	if (n > 32) {
		memcpy(d, s, n);
	} else if (n >= 16) {
		memcpy(d, s, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static int
w_write_slow(writer *w, const char *p, size_t n)
{
	if (w->sha) {
		w_grow(w, 0);
		if (n > CHUNK) {
			mxc__sha256_update(w->sha, p, n);
			return MXC_OK;
		}
	} else if (w_grow(w, n)) {
		return MXC_ERR_NOMEM;
	}
	memcpy(w->cur, p, n);
	w->cur += n;
	return MXC_OK;
}

static inline int
w_write(writer *w, const char *p, size_t n)
{
	if ((size_t)(w->end - w->cur) >= n) {
		copy_bytes(w->cur, p, n);
		w->cur += n;
		return MXC_OK;
	}
	return w_write_slow(w, p, n);
}

static inline int
w_putc(writer *w, char c)
{
	if (w->cur == w->end && w_grow(w, 1))
		return MXC_ERR_NOMEM;
	*w->cur++ = c;
	return MXC_OK;
}

static const char hex[] = "0123456789abcdef";

static inline char *
put_escape(char *o, unsigned char c)
{
	*o++ = '\\';
	switch (c) {
	case '"': *o++ = '"'; break;
	case '\\': *o++ = '\\'; break;
	case '\b': *o++ = 'b'; break;
	case '\f': *o++ = 'f'; break;
	case '\n': *o++ = 'n'; break;
	case '\r': *o++ = 'r'; break;
	case '\t': *o++ = 't'; break;
	default:
		*o++ = 'u';
		*o++ = '0';
		*o++ = '0';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	return o;
}

/* A string that needs escapes. With room for the worst case (every byte
 * a 6-byte escape) the copy goes 16 bytes at a time: store the block,
 * then find its first byte that needs an escape (the store may run past
 * it, and the escape overwrites that). Otherwise (a huge string in hash
 * mode) runs are copied through w_write. */
static int
write_escaped(writer *w, const char *s, size_t n)
{
	if (n <= (CHUNK - 32) / 6 || !w->sha) {
		if (n > (SIZE_MAX - 32) / 6 || w_room(w, 6 * n + 18))
			return MXC_ERR_NOMEM;
		char *o = w->cur;
		*o++ = '"';
		size_t i = 0;
#if defined(__SSE2__)
		while (i + 16 <= n) {
			const __m128i x =
				_mm_loadu_si128((const __m128i *)(s + i));
			_mm_storeu_si128((__m128i *)o, x);
			const __m128i m = _mm_or_si128(
				_mm_or_si128(
					_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					_mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
				_mm_cmpeq_epi8(
					_mm_max_epu8(x, _mm_set1_epi8(0x1F)),
					_mm_set1_epi8(0x1F)));
			unsigned mask = (unsigned)_mm_movemask_epi8(m);
			if (!mask) {
				i += 16;
				o += 16;
				continue;
			}
			unsigned k = (unsigned)__builtin_ctz(mask);
			o += k;
			o = put_escape(o, (unsigned char)s[i + k]);
			i += k + 1;
		}
#endif
		for (; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c >= 0x20 && c != '"' && c != '\\')
				*o++ = (char)c;
			else
				o = put_escape(o, c);
		}
		*o++ = '"';
		w->cur = o;
		return MXC_OK;
	}
	if (w_putc(w, '"'))
		return MXC_ERR_NOMEM;
	size_t run = 0; /* bytes [run, i) are copied verbatim */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (w_write(w, s + run, i - run) || w_room(w, 6))
			return MXC_ERR_NOMEM;
		w->cur = put_escape(w->cur, c);
		run = i + 1;
	}
	if (w_write(w, s + run, n - run) || w_putc(w, '"'))
		return MXC_ERR_NOMEM;
	return MXC_OK;
}

static int
write_string(writer *w, const char *s, size_t n, uint32_t flags)
{
	if (flags & MXC__JF_ESCAPE)
		return write_escaped(w, s, n);
	if ((size_t)(w->end - w->cur) >= n + 2) {
		w->cur[0] = '"';
		copy_bytes(w->cur + 1, s, n);
		w->cur[n + 1] = '"';
		w->cur += n + 2;
		return MXC_OK;
	}
	if (w_putc(w, '"') || w_write(w, s, n) || w_putc(w, '"'))
		return MXC_ERR_NOMEM;
	return MXC_OK;
}

static int
write_int(writer *w, int64_t x)
{
	char tmp[24], *e = tmp + sizeof tmp, *p = e;
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (x < 0)
		*--p = '-';
	return w_write(w, p, (size_t)(e - p));
}

/* ---- numbers kept as text (lenient parses) ------------------------------- */

/* The decimal text split into sign, significant digits and exponent:
 * value = (neg ? -1 : 1) * digits * 10^exp10, digits without leading or
 * trailing zeros ("" for zero). */
typedef struct decimal {
	bool neg, has_frac_or_exp;
	const char *int_d, *frac_d; /* digit runs inside the lexeme */
	size_t int_n, frac_n;
	long long exp; /* saturated */
} decimal;

static void
split_decimal(decimal *d, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	memset(d, 0, sizeof *d);
	if (p < end && *p == '-') {
		d->neg = true;
		p++;
	}
	d->int_d = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	d->int_n = (size_t)(p - d->int_d);
	if (p < end && *p == '.') {
		d->has_frac_or_exp = true;
		d->frac_d = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		d->frac_n = (size_t)(p - d->frac_d);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		d->has_frac_or_exp = true;
		p++;
		bool eneg = false;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		long long e = 0;
		while (p < end && *p >= '0' && *p <= '9') {
			if (e < 1000000000LL)
				e = e * 10 + (*p - '0');
			p++;
		}
		d->exp = eneg ? -e : e;
	}
}

/* Digit i of int_d ++ frac_d. */
static inline char
digit_at(const decimal *d, size_t i)
{
	return i < d->int_n ? d->int_d[i] : d->frac_d[i - d->int_n];
}

/* Python's repr() of a double: the shortest digits that read back to the
 * same double, in fixed notation when the decimal point position (as in
 * 0.DDD x 10^decpt) is in (-4, 16], otherwise d.ddde[+-]XX. */
static int
write_python_float(writer *w, double x)
{
	char tmp[40];
	if (x == 0) {
		return w_write(w, signbit(x) ? "-0.0" : "0.0",
		               signbit(x) ? 4 : 3);
	}
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	/* tmp: [-]D[.DDD]e[+-]XX */
	char digits[24];
	size_t nd = 0;
	const char *p = tmp;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int e10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	int decpt = e10 + 1;
	char out[64];
	size_t k = 0;
	if (neg)
		out[k++] = '-';
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			out[k++] = '0';
			out[k++] = '.';
			for (int i = 0; i < -decpt; i++)
				out[k++] = '0';
			memcpy(out + k, digits, nd);
			k += nd;
		} else if ((size_t)decpt < nd) {
			memcpy(out + k, digits, (size_t)decpt);
			k += (size_t)decpt;
			out[k++] = '.';
			memcpy(out + k, digits + decpt, nd - (size_t)decpt);
			k += nd - (size_t)decpt;
		} else {
			memcpy(out + k, digits, nd);
			k += nd;
			for (size_t i = nd; i < (size_t)decpt; i++)
				out[k++] = '0';
			out[k++] = '.';
			out[k++] = '0';
		}
	} else {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			memcpy(out + k, digits + 1, nd - 1);
			k += nd - 1;
		}
		k += (size_t)snprintf(out + k, sizeof out - k, "e%c%02d",
		                      e10 < 0 ? '-' : '+', e10 < 0 ? -e10 : e10);
	}
	return w_write(w, out, k);
}

static int
lexeme_double(double *out, const char *lex, size_t n)
{
	char tmp[128], *s = tmp;
	if (n >= sizeof tmp) {
		s = malloc(n + 1);
		if (!s)
			return MXC_ERR_NOMEM;
	}
	memcpy(s, lex, n);
	s[n] = '\0';
	*out = strtod(s, NULL);
	if (s != tmp)
		free(s);
	return MXC_OK;
}

static int
write_lexeme_number(writer *w, const mxc_json *v)
{
	const char *lex = v->u.num.lex;
	size_t n = v->u.num.lex_len;
	decimal d;
	split_decimal(&d, lex, n);
	if (!d.has_frac_or_exp) {
		if (v->flags & MXC__JF_INT)
			return write_int(w, v->u.num.i); /* "-0" -> "0" */
		return w_write(w, lex, n); /* big integer, digit for digit */
	}
	if (!w->python) {
		/* significant digits: skip leading zeros, drop trailing zeros */
		size_t total = d.int_n + d.frac_n, first = 0, last = total;
		while (first < total && digit_at(&d, first) == '0')
			first++;
		while (last > first && digit_at(&d, last - 1) == '0')
			last--;
		if (first == last)
			return w_putc(w, '0'); /* zero, whatever its sign */
		/* value = digits[first, last) * 10^e */
		long long e = d.exp - (long long)d.frac_n +
		              (long long)(total - last);
		if (e >= 0) {
			/* integral: the exact integer, digit for digit */
			long long nd = (long long)(last - first) + e;
			if (nd > MXC_JSON_MAX_NUMBER_DIGITS)
				return mxc__err(w->err, MXC_ERR_JSON_NUMBER_RANGE,
				                "integral number of %lld digits "
				                "exceeds the limit", nd);
			if (w_room(w, (size_t)nd + 1))
				return MXC_ERR_NOMEM;
			if (d.neg)
				*w->cur++ = '-';
			for (size_t i = first; i < last; i++) {
				if (w->cur == w->end && w_grow(w, 1))
					return MXC_ERR_NOMEM;
				*w->cur++ = digit_at(&d, i);
			}
			for (long long i = 0; i < e; i++) {
				if (w->cur == w->end && w_grow(w, 1))
					return MXC_ERR_NOMEM;
				*w->cur++ = '0';
			}
			return MXC_OK;
		}
	}
	double x;
	if (lexeme_double(&x, lex, n))
		return MXC_ERR_NOMEM;
	if (!isfinite(x))
		return mxc__err(w->err, MXC_ERR_JSON_NUMBER_RANGE,
		                "number outside the range of a double");
	if (!w->python && x == floor(x)) {
		/* a non-integral text whose nearest double is integral (1e-400
		 * is 0, 0.99999999999999999999 is 1): written as that integer,
		 * like any integral value, so that the canonical form of the
		 * canonical form is itself */
		if (fabs(x) < 9.2e18)
			return write_int(w, (int64_t)x);
		char tmp[400];
		int k = snprintf(tmp, sizeof tmp, "%.0f", x);
		return w_write(w, tmp, (size_t)k);
	}
	return write_python_float(w, x);
}

static int
write_number(writer *w, const mxc_json *v)
{
	if (!v->u.num.lex)
		return write_int(w, v->u.num.i); /* built by the library */
	if (!(v->flags & MXC__JF_LEXEME))
		return w_write(w, v->u.num.lex, v->u.num.lex_len); /* strict */
	return write_lexeme_number(w, v);
}

static int
write_value(writer *w, const mxc_json *v)
{
	int rc;
	switch (v->type) {
	case MXC_JSON_NULL:
		return w_write(w, "null", 4);
	case MXC_JSON_TRUE:
		return w_write(w, "true", 4);
	case MXC_JSON_FALSE:
		return w_write(w, "false", 5);
	case MXC_JSON_NUMBER:
		return write_number(w, v);
	case MXC_JSON_STRING:
		return write_string(w, v->u.str.s, v->u.str.len, v->flags);
	case MXC_JSON_ARRAY:
		if (w_putc(w, '['))
			return MXC_ERR_NOMEM;
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i && w_putc(w, ','))
				return MXC_ERR_NOMEM;
			if ((rc = write_value(w, v->u.arr.items[i])))
				return rc;
		}
		return w_putc(w, ']');
	case MXC_JSON_OBJECT:
		if (w_putc(w, '{'))
			return MXC_ERR_NOMEM;
		for (size_t i = 0; i < v->u.obj.n; i++) {
			const mxc__json_member *m = &v->u.obj.m[i];
			if (i && w_putc(w, ','))
				return MXC_ERR_NOMEM;
			if ((rc = write_string(w, m->key, m->key_len,
			                       m->key_flags)) ||
			    (rc = w_putc(w, ':')) || (rc = write_value(w, m->value)))
				return rc;
		}
		return w_putc(w, '}');
	default:
		return mxc__err(w->err, MXC_ERR_INVALID_ARGUMENT,
		                "corrupt JSON value");
	}
}

static int
run_writer(mxc__sink *s, const mxc_json *v, bool python, mxc_error *err)
{
	writer w = {0};
	w.python = python;
	w.err = err;
	int rc;
	if (s->sha) {
		char chunk[CHUNK];
		w.sha = s->sha;
		w.chunk = w.cur = chunk;
		w.end = chunk + CHUNK;
		rc = write_value(&w, v);
		if (rc == MXC_OK)
			mxc__sha256_update(w.sha, chunk, (size_t)(w.cur - chunk));
		return rc;
	}
	mxc_buf *b = s->buf;
	size_t start = b->len;
	if (mxc__buf_reserve(b, 256))
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	w.buf = b;
	w.cur = b->data + b->len;
	w.end = b->data + b->cap - 1;
	rc = write_value(&w, v);
	if (rc == MXC_OK) {
		b->len = (size_t)(w.cur - b->data);
	} else {
		b->len = start; /* nothing half-written */
	}
	b->data[b->len] = '\0';
	if (rc == MXC_ERR_NOMEM)
		mxc__err(err, rc, "out of memory");
	return rc;
}

int
mxc__canonical_write(mxc__sink *s, const mxc_json *v, mxc_error *err)
{
	return run_writer(s, v, false, err);
}

int
mxc__canonical_write_python(mxc__sink *s, const mxc_json *v, mxc_error *err)
{
	return run_writer(s, v, true, err);
}

int
mxc__canonical_buf(mxc_buf *out, const mxc_json *v, mxc_error *err)
{
	mxc__sink s = {0};
	s.buf = out;
	return run_writer(&s, v, false, err);
}

static int
number_text(mxc_buf *out, const mxc_json *v, bool python, mxc_error *err)
{
	if (!out || !v || v->type != MXC_JSON_NUMBER)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT, "not a number");
	mxc__sink s = {0};
	s.buf = out;
	return run_writer(&s, v, python, err);
}

int
mxc__number_canonical(mxc_buf *out, const mxc_json *v, mxc_error *err)
{
	return number_text(out, v, false, err);
}

int
mxc__number_python_repr(mxc_buf *out, const mxc_json *v, mxc_error *err)
{
	return number_text(out, v, true, err);
}

bool
mxc__json_has_float(const mxc_json *v)
{
	switch (v->type) {
	case MXC_JSON_NUMBER:
		return !mxc_json_is_integer(v);
	case MXC_JSON_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			if (mxc__json_has_float(v->u.arr.items[i]))
				return true;
		return false;
	case MXC_JSON_OBJECT:
		for (size_t i = 0; i < v->u.obj.n; i++)
			if (mxc__json_has_float(v->u.obj.m[i].value))
				return true;
		return false;
	default:
		return false;
	}
}

int
mxc_json_canonical(mxc_buf *out, const mxc_json *v, mxc_error *err)
{
	if (!out || !v)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or value");
	return mxc__canonical_buf(out, v, err);
}

int
mxc_canonical_json(mxc_buf *out, const char *text, size_t len,
                   unsigned flags, mxc_error *err)
{
	if (!out || (!text && len))
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL output or text");
	/* a short-lived tree: one arena on the stack of this call */
	mxc__arena ar;
	mxc__arena_init(&ar, mxc__buf_allocator(out));
	const mxc_json *v;
	int rc = mxc__json_parse_arena(&v, &ar, text, len, flags, err);
	if (rc == MXC_OK)
		rc = mxc__canonical_buf(out, v, err);
	mxc__arena_free(&ar);
	return rc;
}
