/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cJSON bridge (include/matrix-core/cjson.h): mxc_json values to cJSON
 * trees and back, converting directly node by node. What cJSON cannot
 * represent (U+0000 in strings, integers beyond 2^53, the difference
 * between 1.0 and 1) is refused or documented in the header, never
 * silently changed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"
#include "matrix-core/cjson.h"

#define MAX_SAFE_INT 9007199254740991.0 /* 2^53 - 1 */

/* Fill `err` (subject "$", to which callers prefix the path) and return
 * `status`. */
static int
fail(mxc_error *err, int status, const char *fmt, ...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int
fail(mxc_error *err, int status, const char *fmt, ...)
{
	if (!err)
		return status;
	char msg[sizeof err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mxc__err(err, status, "%s", msg);
	mxc__err_subject(err, "$", 1);
	return status;
}

/* ---- mxc_json -> cJSON --------------------------------------------------- */

static int
to_cjson(cJSON **out, const mxc_json *v, mxc_error *err)
{
	cJSON *c = NULL;
	switch (v->type) {
	case MXC_JSON_NULL:
		c = cJSON_CreateNull();
		break;
	case MXC_JSON_FALSE:
		c = cJSON_CreateFalse();
		break;
	case MXC_JSON_TRUE:
		c = cJSON_CreateTrue();
		break;
	case MXC_JSON_NUMBER: {
		double d;
		if (mxc_json_is_integer(v)) {
			int64_t i;
			if (mxc_json_get_int(&i, v) != MXC_OK ||
			    i > (int64_t)1 << 53 || i < -((int64_t)1 << 53)) {
				return fail(err, MXC_ERR_JSON_NUMBER_RANGE,
				            "integer beyond 2^53: cJSON "
				            "would round it");
			}
			d = (double)i;
		} else if (mxc_json_get_double(&d, v) != MXC_OK) {
			return fail(err, MXC_ERR_JSON_NUMBER_RANGE,
			            "number beyond the double range");
		}
		c = cJSON_CreateNumber(d);
		break;
	}
	case MXC_JSON_STRING:
		if (memchr(v->u.str.s, 0, v->u.str.len))
			return fail(err, MXC_ERR_UNSUPPORTED,
			            "U+0000 in a string: cJSON strings "
			            "end at NUL");
		c = cJSON_CreateString(v->u.str.s);
		break;
	case MXC_JSON_ARRAY:
		c = cJSON_CreateArray();
		for (size_t i = 0; c && i < v->u.arr.n; i++) {
			cJSON *item;
			int rc = to_cjson(&item, v->u.arr.items[i], err);
			if (rc) {
				cJSON_Delete(c);
				mxc__err_path_index(err, i);
				return rc;
			}
			if (!cJSON_AddItemToArray(c, item)) {
				cJSON_Delete(item);
				cJSON_Delete(c);
				c = NULL;
			}
		}
		break;
	case MXC_JSON_OBJECT:
		c = cJSON_CreateObject();
		for (size_t i = 0; c && i < v->u.obj.n; i++) {
			const mxc__json_member *m = &v->u.obj.m[i];
			if (memchr(m->key, 0, m->key_len)) {
				cJSON_Delete(c);
				mxc__err(err, MXC_ERR_UNSUPPORTED,
				         "U+0000 in a key: cJSON strings end "
				         "at NUL");
				mxc__err_subject(err, "$", 1);
				mxc__err_path_key(err, m->key, m->key_len);
				return MXC_ERR_UNSUPPORTED;
			}
			cJSON *item;
			int rc = to_cjson(&item, m->value, err);
			if (rc) {
				cJSON_Delete(c);
				mxc__err_path_key(err, m->key, m->key_len);
				return rc;
			}
			if (!cJSON_AddItemToObject(c, m->key, item)) {
				cJSON_Delete(item);
				cJSON_Delete(c);
				c = NULL;
			}
		}
		break;
	default:
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "unknown JSON value type");
	}
	if (!c)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory (cJSON)");
	*out = c;
	return MXC_OK;
}

int
mxc_json_to_cjson(cJSON **out, const mxc_json *v, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !v)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_json_to_cjson");
	return to_cjson(out, v, err);
}

/* ---- cJSON -> mxc_json --------------------------------------------------- */

static int
from_cjson(const mxc_json **out, mxc__arena *ar, const cJSON *c, int depth,
           mxc_error *err)
{
	mxc_json *v = NULL;
	switch (c->type & 0xFF) {
	case cJSON_NULL:
		v = mxc__json_new(ar, MXC_JSON_NULL);
		break;
	case cJSON_False:
		v = mxc__json_new(ar, MXC_JSON_FALSE);
		break;
	case cJSON_True:
		v = mxc__json_new(ar, MXC_JSON_TRUE);
		break;
	case cJSON_Number: {
		double d = c->valuedouble;
		/* canonical JSON: integers in [-(2^53)+1, (2^53)-1] only */
		if (!isfinite(d) || d != trunc(d) || fabs(d) > MAX_SAFE_INT)
			return fail(err, MXC_ERR_JSON_NUMBER_RANGE,
			            "number %.17g is not an integer of "
			            "canonical JSON's range",
			            d);
		v = mxc__json_new_int(ar, (int64_t)d);
		break;
	}
	case cJSON_String: {
		if (!c->valuestring)
			return fail(err, MXC_ERR_INVALID_ARGUMENT,
			            "cJSON string without a value");
		size_t n = strlen(c->valuestring);
		if (!mxc__utf8_valid(c->valuestring, n))
			return fail(err, MXC_ERR_JSON_UTF8,
			            "string is not valid UTF-8");
		v = mxc__json_new_string(ar, c->valuestring, n);
		break;
	}
	case cJSON_Raw: {
		if (!c->valuestring)
			return fail(err, MXC_ERR_INVALID_ARGUMENT,
			            "cJSON raw item without text");
		return mxc__json_parse_arena(out, ar, c->valuestring,
		                             strlen(c->valuestring), 0, err);
	}
	case cJSON_Array:
	case cJSON_Object: {
		bool is_obj = (c->type & 0xFF) == cJSON_Object;
		if (depth >= MXC_JSON_MAX_DEPTH)
			return fail(err, MXC_ERR_JSON_DEPTH,
			            "nested deeper than %d",
			            MXC_JSON_MAX_DEPTH);
		size_t n = 0;
		for (const cJSON *k = c->child; k; k = k->next)
			n++;
		const mxc_json **items = NULL;
		mxc__json_member *m = NULL;
		v = is_obj ? mxc__json_new_object(ar, n, &m)
		           : mxc__json_new_array(ar, n, &items);
		if (!v)
			break;
		size_t i = 0;
		for (const cJSON *k = c->child; k; k = k->next, i++) {
			const mxc_json *child;
			size_t key_len = 0;
			if (is_obj) {
				if (!k->string) {
					return fail(err,
					            MXC_ERR_INVALID_ARGUMENT,
					            "cJSON member without "
					            "a key");
				}
				key_len = strlen(k->string);
				if (!mxc__utf8_valid(k->string, key_len)) {
					mxc__err(err, MXC_ERR_JSON_UTF8,
					         "key is not valid UTF-8");
					mxc__err_subject(err, "$", 1);
					mxc__err_path_key(err, k->string,
					                  key_len);
					return MXC_ERR_JSON_UTF8;
				}
			}
			int rc = from_cjson(&child, ar, k, depth + 1, err);
			if (rc) {
				if (is_obj)
					mxc__err_path_key(err, k->string,
					                  key_len);
				else
					mxc__err_path_index(err, i);
				return rc;
			}
			if (is_obj) {
				m[i].key = mxc__arena_strdup(ar, k->string,
				                             key_len);
				if (!m[i].key)
					return mxc__err(err, MXC_ERR_NOMEM,
					                "out of memory");
				m[i].key_len = key_len;
				m[i].value = child;
			} else {
				items[i] = child;
			}
		}
		if (is_obj) {
			int rc = mxc__json_object_finish(v);
			if (rc == MXC_ERR_JSON_DUPLICATE_KEY) {
				return fail(err, rc,
				            "a key is repeated in an "
				            "object");
			}
			if (rc)
				return mxc__err(err, rc, "out of memory");
		}
		break;
	}
	default:
		return fail(err, MXC_ERR_INVALID_ARGUMENT,
		            "invalid cJSON item (type %d)", c->type);
	}
	if (!v)
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	*out = v;
	return MXC_OK;
}

int
mxc_json_from_cjson(mxc_json **out, const cJSON *item,
                    const mxc_allocator *alloc, mxc_error *err)
{
	if (out)
		*out = NULL;
	if (!out || !item)
		return mxc__err(err, MXC_ERR_INVALID_ARGUMENT,
		                "NULL argument to mxc_json_from_cjson");
	/* build straight into a new document's arena (as mxc_json_parse
	 * does): the root value is then copied into the document header */
	mxc__arena ar;
	mxc__arena_init(&ar, alloc);
	mxc__json_doc *doc = mxc__arena_alloc(&ar, sizeof *doc);
	if (!doc) {
		mxc__arena_free(&ar);
		return mxc__err(err, MXC_ERR_NOMEM, "out of memory");
	}
	const mxc_json *v;
	int rc = from_cjson(&v, &ar, item, 0, err);
	if (rc) {
		mxc__arena_free(&ar);
		return rc;
	}
	memset(doc, 0, sizeof *doc);
	doc->root = *v;
	doc->root.flags |= MXC__JF_ROOT;
	doc->arena = ar;
	*out = &doc->root;
	return MXC_OK;
}
