/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The room version table: lookup (exact strings only, unknown versions an
 * error) and every behaviour, version by version, against the spec's
 * room version pages (rooms/v1.md to v12.md), written out by hand below.
 */
#include <stdlib.h>
#include <string.h>

#include "../common.h"

/* One expected row, from the spec pages (see each rooms/vN.md). */
struct want {
	const char *id;
	int format, redaction, auth, state_res;
	int strict, stringy, floaty, integer, knock, restricted, knock_r;
	int redacts_content, creator_sender, room_id_create, creators;
	int key_validity;
};

static const struct want rows[] = {
	/* id  fmt red auth sr  st sg fl in kn rs kr rc cs ri cr kv */
	{"1", 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{"2", 1, 1, 1, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{"3", 3, 1, 3, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{"4", 4, 1, 3, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{"5", 4, 1, 3, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{"6", 4, 6, 6, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{"7", 4, 6, 7, 2, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1},
	{"8", 4, 8, 8, 2, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1},
	{"9", 4, 9, 8, 2, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1},
	{"10", 4, 9, 10, 2, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1},
	{"11", 4, 11, 11, 2, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1},
	{"12", 4, 11, 12, 3, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1},
};

START_TEST(table_rows)
{
	const struct want *w = &rows[_i];
	const mxc_room_version *rv =
		mxc_room_version_find(w->id, strlen(w->id));
	ck_assert_ptr_nonnull(rv);
	ck_assert_ptr_eq(mxc_room_version_at((size_t)_i), rv);
	ck_assert_str_eq(mxc_room_version_id(rv), w->id);
	ck_assert_int_eq(mxc_room_version_is_stable(rv), 1);
	ck_assert_int_eq(mxc_room_version_event_format(rv), w->format);
	ck_assert_int_eq(mxc_room_version_hashed_event_ids(rv), w->format >= 3);
	ck_assert_int_eq(mxc_room_version_redaction(rv), w->redaction);
	ck_assert_int_eq(mxc_room_version_auth_rules(rv), w->auth);
	ck_assert_int_eq(mxc_room_version_state_res(rv), w->state_res);
	ck_assert_int_eq(mxc_room_version_strict_canonical_json(rv), w->strict);
	ck_assert_int_eq(mxc_room_version_string_power_levels(rv), w->stringy);
	ck_assert_int_eq(mxc_room_version_float_power_levels(rv), w->floaty);
	ck_assert_int_eq(mxc_room_version_integer_power_levels(rv),
	                 w->integer);
	ck_assert_int_eq(mxc_room_version_knocking(rv), w->knock);
	ck_assert_int_eq(mxc_room_version_restricted_joins(rv), w->restricted);
	ck_assert_int_eq(mxc_room_version_knock_restricted(rv), w->knock_r);
	ck_assert_int_eq(mxc_room_version_redacts_in_content(rv),
	                 w->redacts_content);
	ck_assert_int_eq(mxc_room_version_creator_from_sender(rv),
	                 w->creator_sender);
	ck_assert_int_eq(mxc_room_version_room_id_from_create(rv),
	                 w->room_id_create);
	ck_assert_int_eq(mxc_room_version_room_creators(rv), w->creators);
	ck_assert_int_eq(mxc_room_version_enforce_key_validity(rv),
	                 w->key_validity);
}
END_TEST

START_TEST(lookup)
{
	ck_assert_uint_eq(mxc_room_version_count(), 12);
	ck_assert_ptr_null(mxc_room_version_at(12));
	/* exact match only: no trimming, no numeric reading, no prefix */
	static const char *const bad[] = {
		"", "0", "13", "01", " 1", "1 ", "1.0", "v1", "org.matrix.msc1",
		"1\0"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_ptr_null(mxc_room_version_find(
			bad[i], i == 9 ? 2 : strlen(bad[i])));
	ck_assert_ptr_null(mxc_room_version_find(NULL, 0));
	/* a length shorter than the string: "12" read as "1" */
	const mxc_room_version *rv = mxc_room_version_find("12", 1);
	ck_assert_str_eq(mxc_room_version_id(rv), "1");

	mxc_error err;
	mxc_error_clear(&err);
	const mxc_room_version *out = (const mxc_room_version *)1;
	ck_assert_int_eq(mxc_room_version_get(&out, "99", 2, &err),
	                 MXC_ERR_UNKNOWN_ROOM_VERSION);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(err.status, MXC_ERR_UNKNOWN_ROOM_VERSION);
	ck_assert_str_eq(err.subject, "99");
	ck_assert_int_eq(mxc_room_version_get(&out, "11", 2, NULL), MXC_OK);
	ck_assert_str_eq(mxc_room_version_id(out), "11");
	ck_assert_int_eq(mxc_room_version_get(NULL, "11", 2, NULL),
	                 MXC_ERR_INVALID_ARGUMENT);
	/* NULL rows answer 0 */
	ck_assert_int_eq(mxc_room_version_knocking(NULL), 0);
	ck_assert_ptr_null(mxc_room_version_id(NULL));
}
END_TEST

Suite *
mxc_test_suite(void)
{
	Suite *s = suite_create("room_version");
	TCase *tc = tcase_create("table");
	tcase_add_loop_test(tc, table_rows, 0, 12);
	tcase_add_test(tc, lookup);
	suite_add_tcase(s, tc);
	return s;
}
