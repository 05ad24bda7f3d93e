/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status names and messages (from the one table in common.h), and the
 * helpers that fill a caller's mxc_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct status_row {
	int value;
	const char *name, *message;
};

#define ROW(sym, val, name, msg) {val, name, msg},
static const struct status_row status_rows[] = {MXC_STATUS_TABLE(ROW)};
#undef ROW

static const struct status_row *
find_row(int status)
{
	for (size_t i = 0; i < MXC_ARRAY_LEN(status_rows); i++)
		if (status_rows[i].value == status)
			return &status_rows[i];
	return NULL;
}

size_t
mxc_status_count(void)
{
	return MXC_ARRAY_LEN(status_rows);
}

int
mxc_status_at(size_t i)
{
	return i < MXC_ARRAY_LEN(status_rows) ? status_rows[i].value : MXC_OK;
}

const char *
mxc_strerror(int status)
{
	const struct status_row *r = find_row(status);
	return r ? r->name : "unknown_status";
}

const char *
mxc_status_message(int status)
{
	const struct status_row *r = find_row(status);
	return r ? r->message : "unknown status code";
}

int
mxc_status_from_name(int *out, const char *name)
{
	if (!out || !name)
		return MXC_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < MXC_ARRAY_LEN(status_rows); i++)
		if (strcmp(status_rows[i].name, name) == 0) {
			*out = status_rows[i].value;
			return MXC_OK;
		}
	return MXC_ERR_NOT_FOUND;
}

void
mxc_error_clear(mxc_error *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}

int
mxc__err(mxc_error *err, int status, const char *fmt, ...)
{
	if (!err)
		return status;
	err->status = status;
	err->reason = 0;
	err->offset = 0;
	err->subject[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return status;
}

/* Copy bytes into the subject, escaping nothing but keeping it printable:
 * control bytes become '?', the rest is kept (it is UTF-8 from JSON). */
static size_t
copy_printable(char *dst, size_t room, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && i + 1 < room; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = c < 0x20 ? '?' : (char)c;
	}
	/* do not cut a UTF-8 sequence in half */
	if (i < n)
		while (i > 0 && ((unsigned char)dst[i] & 0xC0) == 0x80 &&
		       ((unsigned char)s[i] & 0xC0) == 0x80)
			i--;
	dst[i] = '\0';
	return i;
}

void
mxc__err_subject(mxc_error *err, const char *s, size_t n)
{
	if (!err)
		return;
	copy_printable(err->subject, sizeof err->subject, s, n);
}

static void
prefix_subject(mxc_error *err, const char *seg, size_t n)
{
	size_t old = strlen(err->subject);
	/* "$" is the root; path segments go between it and the rest */
	const char *rest = err->subject;
	if (old && rest[0] == '$') {
		rest++;
		old--;
	}
	char tmp[sizeof err->subject];
	size_t k = 0;
	tmp[k++] = '$';
	k += copy_printable(tmp + k, sizeof tmp - k, seg, n);
	if (k + old >= sizeof tmp)
		old = sizeof tmp - 1 - k;
	memcpy(tmp + k, rest, old);
	tmp[k + old] = '\0';
	memcpy(err->subject, tmp, sizeof tmp);
}

void
mxc__err_path_key(mxc_error *err, const char *key, size_t n)
{
	if (!err)
		return;
	char seg[128];
	seg[0] = '.';
	size_t k = copy_printable(seg + 1, sizeof seg - 1, key, n);
	prefix_subject(err, seg, k + 1);
}

void
mxc__err_path_index(mxc_error *err, size_t i)
{
	if (!err)
		return;
	char seg[32];
	int k = snprintf(seg, sizeof seg, "[%zu]", i);
	prefix_subject(err, seg, (size_t)k);
}
