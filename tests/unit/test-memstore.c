/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory store (lib/memstore.c) and contexts (lib/ctx.c): adding,
 * duplicates, lookups through the store table, rejected sets, allocation
 * failures.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include <matrix-core/backend.h>

#define EV(id, body) \
	"{\"event_id\":\"" id "\",\"type\":\"m.room.topic\"," \
	"\"state_key\":\"\",\"sender\":\"@a:x\",\"content\":" body "," \
	"\"room_id\":\"!r:x\",\"auth_events\":[],\"prev_events\":[]}"

START_TEST(test_memstore_basic)
{
	const mxc_room_version *rv = mxc_room_version_find("2", 1);
	mxc_memstore *ms = NULL;
	mxc_error e;
	ck_assert_int_eq(mxc_memstore_new(&ms, rv, MXC_EVENT_PARSE_LABELLED,
	                                  NULL, NULL), MXC_OK);
	mxc_buf id = MXC_BUF_INIT;
	ck_assert_int_eq(mxc_memstore_add(ms, EV("$a", "{}"),
	                                  strlen(EV("$a", "{}")), &id, NULL),
	                 MXC_OK);
	ck_assert_str_eq(id.data, "$a");
	mxc_buf_dispose(&id);
	/* the same event with other white space: accepted, not added */
	const char *again = "{ \"room_id\":\"!r:x\",\"event_id\":\"$a\","
	                    "\"type\":\"m.room.topic\",\"state_key\":\"\","
	                    "\"sender\":\"@a:x\",\"content\":{},"
	                    "\"auth_events\":[],\"prev_events\":[] }";
	ck_assert_int_eq(mxc_memstore_add(ms, again, strlen(again), NULL,
	                                  NULL), MXC_OK);
	ck_assert_uint_eq(mxc_memstore_size(ms), 1);
	/* another event with that ID */
	ck_assert_int_eq(mxc_memstore_add(ms, EV("$a", "{\"topic\":\"x\"}"),
	                                  strlen(EV("$a", "{\"topic\":\"x\"}")),
	                                  NULL, &e), MXC_ERR_BAD_EVENT);
	ck_assert_str_eq(e.subject, "$a");
	/* not JSON */
	ck_assert_int_eq(mxc_memstore_add(ms, "{", 1, NULL, NULL),
	                 MXC_ERR_JSON_SYNTAX);
	size_t len;
	ck_assert_ptr_nonnull(mxc_memstore_get(ms, "$a", 2, &len));
	ck_assert_uint_eq(len, strlen(EV("$a", "{}")));
	ck_assert_ptr_null(mxc_memstore_get(ms, "$b", 2, NULL));

	/* through the table, into a context */
	mxc_store_ops ops;
	ck_assert_int_eq(mxc_memstore_ops(&ops, ms), MXC_OK);
	ck_assert_uint_eq(ops.version, MXC_STORE_OPS_VERSION);
	ck_assert_uint_eq(mxc_store_ops_version(), MXC_STORE_OPS_VERSION);
	mxc_buf out = MXC_BUF_INIT;
	ck_assert_int_eq(ops.get_event(&out, "$a", ops.user_data), MXC_OK);
	ck_assert_uint_eq(out.len, len);
	mxc_buf_dispose(&out);
	ck_assert_int_eq(ops.get_event(&out, "$b", ops.user_data),
	                 MXC_ERR_NOT_FOUND);
	mxc_memstore_free(ms);
	mxc_memstore_free(NULL);
}
END_TEST

START_TEST(test_ctx_basic)
{
	const mxc_room_version *rv = mxc_room_version_find("2", 1);
	mxc_ctx *ctx = NULL;
	ck_assert_int_eq(mxc_ctx_new(NULL, rv, 0, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_ctx_new(&ctx, NULL, 0, NULL, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_ctx_new(&ctx, rv, MXC_EVENT_PARSE_LABELLED, NULL,
	                             NULL), MXC_OK);
	ck_assert_ptr_eq(mxc_ctx_room_version(ctx), rv);
	ck_assert_int_eq(mxc_ctx_add_event(ctx, EV("$a", "{}"),
	                                   strlen(EV("$a", "{}")), NULL),
	                 MXC_OK);
	ck_assert_ptr_nonnull(mxc_ctx_get_event(ctx, "$a", 2));
	ck_assert_ptr_null(mxc_ctx_get_event(ctx, "$b", 2));
	/* adopt: another version is refused (and freed) */
	mxc_event *ev = NULL;
	const mxc_room_version *rv3 = mxc_room_version_find("3", 1);
	ck_assert_int_eq(mxc_event_parse(&ev, rv3, EV("$c", "{}"),
	                                 strlen(EV("$c", "{}")),
	                                 MXC_EVENT_PARSE_LABELLED, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc_ctx_adopt_event(ctx, ev, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	ck_assert_int_eq(mxc_event_parse(&ev, rv, EV("$c", "{}"),
	                                 strlen(EV("$c", "{}")),
	                                 MXC_EVENT_PARSE_LABELLED, NULL, NULL),
	                 MXC_OK);
	ck_assert_int_eq(mxc_ctx_adopt_event(ctx, ev, NULL), MXC_OK);
	ck_assert_uint_eq(mxc_ctx_event_count(ctx), 2);
	/* rejected set */
	ck_assert_int_eq(mxc_ctx_is_rejected(ctx, "$a", 2), 0);
	ck_assert_int_eq(mxc_ctx_set_rejected(ctx, "$a", 2, NULL), MXC_OK);
	ck_assert_int_eq(mxc_ctx_set_rejected(ctx, "$a", 2, NULL), MXC_OK);
	ck_assert_int_eq(mxc_ctx_is_rejected(ctx, "$a", 2), 1);
	ck_assert_int_eq(mxc_ctx_is_rejected(ctx, "$c", 2), 0);
	ck_assert_uint_eq(mxc_ctx_missing_count(ctx), 0);
	ck_assert_ptr_null(mxc_ctx_missing(ctx, 0, NULL));
	mxc_ctx_free(ctx);
	mxc_ctx_free(NULL);
}
END_TEST

/* Every allocation failing in turn: NOMEM, no leak (ASan). */
START_TEST(test_nomem)
{
	const mxc_room_version *rv = mxc_room_version_find("2", 1);
	for (long at = 1; at < 200; at++) {
		test_failing_alloc f;
		test_failing_alloc_init(&f, at);
		mxc_ctx *ctx = NULL;
		int rc = mxc_ctx_new(&ctx, rv, MXC_EVENT_PARSE_LABELLED, &f.a,
		                     NULL);
		if (rc == MXC_OK)
			rc = mxc_ctx_add_event(ctx, EV("$a", "{}"),
			                       strlen(EV("$a", "{}")), NULL);
		if (rc == MXC_OK)
			rc = mxc_ctx_set_rejected(ctx, "$a", 2, NULL);
		mxc_ctx_free(ctx);
		ck_assert_int_eq(f.live, 0);
		if (rc == MXC_OK)
			return;
		ck_assert_int_eq(rc, MXC_ERR_NOMEM);
	}
	ck_abort_msg("never succeeded");
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("memstore");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_memstore_basic);
	tcase_add_test(tc, test_ctx_basic);
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);
	return s;
}
