# SPDX-License-Identifier: Apache-2.0
"""The foreign-function layer: finding and loading libmatrix-core, the C
structs the API exposes, one ctypes declaration per exported function, and
the helpers every public module uses (argument checks, mxc_buf and
mxc_error handling, JSON in and out).

Nothing here is public API; the public names live in the other modules and
are re-exported by the package.

Loading (STYLE.md section 10): ``MATRIX_CORE_LIB`` when set (an explicit
choice: no fallback if it does not load), then the build tree's
``build/libmatrix-core.so`` beside this package, then the installed SONAME
``libmatrix-core.so.0``. The library is opened with ``ctypes.CDLL``, so
every foreign call releases the GIL for its duration.
"""
from __future__ import annotations

import ctypes
import json
import os
import threading
from collections.abc import Mapping
from ctypes import (POINTER, Structure, byref, c_char, c_char_p, c_int,
                    c_int64, c_size_t, c_uint, c_uint32, c_void_p, string_at)
from typing import Any, Callable, Dict, List, Optional, Tuple

# ABI this binding was written for: (major, minor) of mxc_version_number().
# Before 1.0 the ABI may change between minor versions (README), so both
# must match.
ABI_VERSION = (0, 1)
SONAME = "libmatrix-core.so.0"

# ---- C structs --------------------------------------------------------------


class Allocator(Structure):
    """mxc_allocator (common.h); the binding always passes NULL."""

    _fields_ = [
        ("malloc_fn", c_void_p),
        ("realloc_fn", c_void_p),
        ("free_fn", c_void_p),
        ("user_data", c_void_p),
    ]


class Buf(Structure):
    """mxc_buf (common.h): bytes returned to the caller."""

    _fields_ = [
        ("data", c_void_p),
        ("len", c_size_t),
        ("cap", c_size_t),
        ("alloc", Allocator),
        ("has_alloc", c_int),
    ]


class Error(Structure):
    """mxc_error (common.h): the detail of a failure."""

    _fields_ = [
        ("status", c_int),
        ("reason", c_int),
        ("offset", c_size_t),
        ("subject", c_char * 256),
        ("message", c_char * 160),
    ]


class EventKey(Structure):
    """mxc_event_key (event.h)."""

    _fields_ = [
        ("server_name", c_char_p),
        ("key_id", c_char_p),
        ("public_key", c_char_p),
        ("public_key_len", c_size_t),
        ("valid_until_ts", c_int64),
        ("expired_ts", c_int64),
    ]


class EventVerdict(Structure):
    """mxc_event_verdict (event.h)."""

    _fields_ = [
        ("signatures_valid", c_int),
        ("hash_valid", c_int),
        ("signatures_status", c_int),
        ("signatures_reason", c_char * 160),
        ("hash_status", c_int),
        ("hash_reason", c_char * 160),
    ]


class OldVerifyKey(Structure):
    """mxc_old_verify_key (keys.h)."""

    _fields_ = [
        ("key_id", c_char_p),
        ("public_key", c_char_p),
        ("expired_ts", c_int64),
    ]


class AuthType(Structure):
    """mxc_auth_type (auth.h)."""

    _fields_ = [
        ("type", c_void_p),
        ("type_len", c_size_t),
        ("state_key", c_void_p),
        ("state_key_len", c_size_t),
    ]


# int (*get_event)(mxc_buf *out, const char *event_id, void *user_data)
STORE_GET_FN = ctypes.CFUNCTYPE(c_int, POINTER(Buf), c_char_p, c_void_p)
RELEASE_FN = ctypes.CFUNCTYPE(None, c_void_p)


class StoreOps(Structure):
    """mxc_store_ops (backend.h), version 1."""

    _fields_ = [
        ("version", c_uint32),
        ("user_data", c_void_p),
        ("get_event", STORE_GET_FN),
        ("get_auth_chain", STORE_GET_FN),
        ("get_state_after", STORE_GET_FN),
        ("release", RELEASE_FN),
    ]


# int (*request_events)(const char *const *event_ids, size_t n, void *)
REQUEST_EVENTS_FN = ctypes.CFUNCTYPE(c_int, POINTER(c_char_p), c_size_t,
                                     c_void_p)
# int (*request_keys)(const char *server_name, const char *const *key_ids,
#                     size_t n, int64_t min_valid_until_ts, void *)
REQUEST_KEYS_FN = ctypes.CFUNCTYPE(c_int, c_char_p, POINTER(c_char_p),
                                   c_size_t, c_int64, c_void_p)


class TransportOps(Structure):
    """mxc_transport_ops (backend.h), version 1."""

    _fields_ = [
        ("version", c_uint32),
        ("user_data", c_void_p),
        ("request_events", REQUEST_EVENTS_FN),
        ("request_keys", REQUEST_KEYS_FN),
        ("release", RELEASE_FN),
    ]


class PduOptions(Structure):
    """mxc_pdu_options (pdu.h), version 1."""

    _fields_ = [
        ("version", c_uint32),
        ("origin", c_char_p),
        ("now_ts", c_int64),
        ("current_state", POINTER(c_char_p)),
        ("n_current_state", c_size_t),
        ("get_state_after", STORE_GET_FN),
        ("user_data", c_void_p),
        ("transport", POINTER(TransportOps)),
    ]


MXC_TS_NONE = -(2 ** 63)

# ---- declarations -----------------------------------------------------------

# Shorthands. Opaque objects are c_void_p; byte strings that travel with a
# length are c_char_p arguments (always given as bytes, checked first) and
# c_void_p results (read with string_at and the length, since they may
# contain NUL bytes).
_P = c_void_p
_PP = POINTER(c_void_p)
_S = c_char_p
_Z = c_size_t
_PZ = POINTER(c_size_t)
_I = c_int
_I64 = c_int64
_PI64 = POINTER(c_int64)
_E = POINTER(Error)
_B = POINTER(Buf)
_A = POINTER(Allocator)
_U = c_uint

# name: (restype, argtypes). The ABI test compares these names with the
# library's exports (tests/abi: symbols.txt, generated from the headers).
DECLARATIONS: Dict[str, Tuple[Any, List[Any]]] = {
    # common.h
    "mxc_strerror": (c_char_p, [_I]),
    "mxc_status_count": (_Z, []),
    "mxc_status_at": (_I, [_Z]),
    "mxc_struct_size": (_Z, [_S]),
    "mxc_status_message": (c_char_p, [_I]),
    "mxc_status_from_name": (_I, [POINTER(c_int), _S]),
    "mxc_error_clear": (None, [_E]),
    "mxc_buf_init": (None, [_B, _A]),
    "mxc_buf_set": (_I, [_B, _P, _Z]),
    "mxc_buf_dispose": (None, [_B]),
    "mxc_init": (_I, []),
    # version.h
    "mxc_version": (c_char_p, []),
    "mxc_version_number": (c_uint, []),
    # json.h
    "mxc_json_max_depth": (_Z, []),
    "mxc_json_max_number_digits": (_Z, []),
    "mxc_json_parse": (_I, [_PP, _S, _Z, _U, _A, _E]),
    "mxc_json_free": (None, [_P]),
    "mxc_json_get_type": (_I, [_P]),
    "mxc_json_get_int": (_I, [_PI64, _P]),
    "mxc_json_get_double": (_I, [POINTER(ctypes.c_double), _P]),
    "mxc_json_number_text": (_P, [_P, _PZ]),
    "mxc_json_is_integer": (_I, [_P]),
    "mxc_json_get_string": (_P, [_P, _PZ]),
    "mxc_json_size": (_Z, [_P]),
    "mxc_json_at": (_P, [_P, _Z]),
    "mxc_json_member": (_P, [_P, _Z, POINTER(c_void_p), _PZ]),
    "mxc_json_get": (_P, [_P, _S, _Z]),
    "mxc_json_getz": (_P, [_P, _S]),
    "mxc_json_canonical": (_I, [_B, _P, _E]),
    "mxc_canonical_json": (_I, [_B, _S, _Z, _U, _E]),
    "mxc_json_copy": (_I, [_PP, _P, _A]),
    "mxc_json_equal": (_I, [_P, _P]),
    "mxc_json_check_canonical_numbers": (_I, [_P, _E]),
    # cjson.h (present when the library was built with cJSON; C interop
    # only: a cJSON tree means nothing to Python)
    "mxc_json_to_cjson": (_I, [_PP, _P, _E]),
    "mxc_json_from_cjson": (_I, [_PP, _P, _A, _E]),
    # keys.h
    "mxc_sha256_bytes": (_Z, []),
    "mxc_ed25519_seed_bytes": (_Z, []),
    "mxc_ed25519_public_bytes": (_Z, []),
    "mxc_ed25519_sig_bytes": (_Z, []),
    "mxc_sha256": (_I, [_P, _S, _Z]),
    "mxc_base64_encode": (_I, [_B, _S, _Z, _U]),
    "mxc_base64_decode": (_I, [_B, _S, _Z, _U, _E]),
    "mxc_ed25519_verify": (_I, [_S, _Z, _S, _Z, _S, _Z]),
    "mxc_signing_key_new": (_I, [_PP, _S, _Z, _S, _A, _E]),
    "mxc_signing_key_from_base64": (_I, [_PP, _S, _Z, _S, _A, _E]),
    "mxc_signing_key_free": (None, [_P]),
    "mxc_signing_key_id": (c_char_p, [_P]),
    "mxc_signing_key_public": (_I, [_P, _P]),
    "mxc_signing_key_sign": (_I, [_P, _P, _S, _Z]),
    "mxc_json_signing_bytes": (_I, [_B, _P, _E]),
    "mxc_json_sign": (_I, [_PP, _P, _S, _P, _A, _E]),
    "mxc_json_verify": (_I, [_P, _S, _S, _S, _Z, _E]),
    "mxc_server_keys_build": (_I, [_PP, _S, POINTER(c_void_p), _Z,
                                   POINTER(OldVerifyKey), _Z, _I64, _A, _E]),
    "mxc_server_keys_from_json": (_I, [_PP, _P, _S, _A, _E]),
    "mxc_server_keys_parse": (_I, [_PP, _S, _Z, _S, _A, _E]),
    "mxc_server_keys_free": (None, [_P]),
    "mxc_server_keys_json": (_P, [_P]),
    "mxc_server_keys_server_name": (_P, [_P, _PZ]),
    "mxc_server_keys_valid_until_ts": (_I64, [_P]),
    "mxc_server_keys_count": (_Z, [_P]),
    "mxc_server_keys_key_id": (c_char_p, [_P, _Z]),
    "mxc_server_keys_key_public": (_P, [_P, _Z]),
    "mxc_server_keys_key_is_old": (_I, [_P, _Z]),
    "mxc_server_keys_key_until_ts": (_I64, [_P, _Z]),
    "mxc_server_keys_find": (_I, [_PZ, _P, _S]),
    "mxc_server_keys_key_for_event": (_I, [POINTER(c_void_p), _PI64, _P, _S,
                                           _I64, _E]),
    "mxc_server_keys_key_for_request": (_I, [POINTER(c_void_p), _P, _S,
                                             _I64, _E]),
    "mxc_server_keys_verify_notary": (_I, [_P, _S, _S, _S, _Z, _E]),
    "mxc_xmatrix_sign": (_I, [_B, _S, _S, _S, _S, _P, _P, _E]),
    "mxc_xmatrix_parse": (_I, [_PP, _S, _Z, _A, _E]),
    "mxc_xmatrix_free": (None, [_P]),
    "mxc_xmatrix_origin": (_P, [_P, _PZ]),
    "mxc_xmatrix_destination": (_P, [_P, _PZ]),
    "mxc_xmatrix_key_id": (_P, [_P, _PZ]),
    "mxc_xmatrix_sig": (_P, [_P, _PZ]),
    "mxc_xmatrix_verify": (_I, [_P, _S, _S, _S, _P, _S, _Z, _E]),
    # room_version.h
    "mxc_room_version_find": (_P, [_S, _Z]),
    "mxc_room_version_get": (_I, [_PP, _S, _Z, _E]),
    "mxc_room_version_count": (_Z, []),
    "mxc_room_version_at": (_P, [_Z]),
    "mxc_room_version_id": (c_char_p, [_P]),
    "mxc_room_version_is_stable": (_I, [_P]),
    "mxc_room_version_event_format": (_I, [_P]),
    "mxc_room_version_redaction": (_I, [_P]),
    "mxc_room_version_auth_rules": (_I, [_P]),
    "mxc_room_version_state_res": (_I, [_P]),
    "mxc_room_version_hashed_event_ids": (_I, [_P]),
    "mxc_room_version_strict_canonical_json": (_I, [_P]),
    "mxc_room_version_string_power_levels": (_I, [_P]),
    "mxc_room_version_float_power_levels": (_I, [_P]),
    "mxc_room_version_integer_power_levels": (_I, [_P]),
    "mxc_room_version_knocking": (_I, [_P]),
    "mxc_room_version_restricted_joins": (_I, [_P]),
    "mxc_room_version_knock_restricted": (_I, [_P]),
    "mxc_room_version_redacts_in_content": (_I, [_P]),
    "mxc_room_version_creator_from_sender": (_I, [_P]),
    "mxc_room_version_room_id_from_create": (_I, [_P]),
    "mxc_room_version_room_creators": (_I, [_P]),
    "mxc_room_version_enforce_key_validity": (_I, [_P]),
    # event.h
    "mxc_event_max_bytes": (_Z, []),
    "mxc_event_max_id_bytes": (_Z, []),
    "mxc_event_parse": (_I, [_PP, _P, _S, _Z, _U, _A, _E]),
    "mxc_event_from_json": (_I, [_PP, _P, _P, _U, _A, _E]),
    "mxc_event_free": (None, [_P]),
    "mxc_event_room_version": (_P, [_P]),
    "mxc_event_json": (_P, [_P]),
    "mxc_event_id": (_P, [_P, _PZ]),
    "mxc_event_type": (_P, [_P, _PZ]),
    "mxc_event_is_state": (_I, [_P]),
    "mxc_event_state_key": (_P, [_P, _PZ]),
    "mxc_event_sender": (_P, [_P, _PZ]),
    "mxc_event_room_id": (_P, [_P, _PZ]),
    "mxc_event_content": (_P, [_P]),
    "mxc_event_membership": (_P, [_P, _PZ]),
    "mxc_event_prev_events_count": (_Z, [_P]),
    "mxc_event_prev_event": (_P, [_P, _Z, _PZ]),
    "mxc_event_auth_events_count": (_Z, [_P]),
    "mxc_event_auth_event": (_P, [_P, _Z, _PZ]),
    "mxc_event_depth": (_I64, [_P]),
    "mxc_event_origin_server_ts": (_I64, [_P]),
    "mxc_event_redacts": (_P, [_P, _PZ]),
    "mxc_event_hashes": (_P, [_P]),
    "mxc_event_signatures": (_P, [_P]),
    "mxc_event_unsigned": (_P, [_P]),
    "mxc_event_content_hash_json": (_I, [_P, _P, _P, _E]),
    "mxc_event_content_hash": (_I, [_P, _P, _E]),
    "mxc_event_reference_hash_json": (_I, [_P, _P, _P, _E]),
    "mxc_event_reference_hash": (_I, [_P, _P, _E]),
    "mxc_event_id_json": (_I, [_B, _P, _P, _E]),
    "mxc_event_room_id_json": (_I, [_B, _P, _P, _E]),
    "mxc_event_check_room_id": (_I, [_P, _P, _E]),
    "mxc_event_redact_json": (_I, [_PP, _P, _P, _A, _E]),
    "mxc_event_redact": (_I, [_PP, _P, _E]),
    "mxc_event_sign_json": (_I, [_PP, _P, _P, _S, _P, _A, _E]),
    "mxc_event_verify_json": (_I, [POINTER(EventVerdict), _P, _P,
                                   POINTER(EventKey), _Z, _I64, _E]),
    "mxc_event_verify_signature": (_I, [_P, _P, _S, _S, _S, _Z, _E]),
    "mxc_event_verify": (_I, [POINTER(EventVerdict), _P, POINTER(EventKey),
                              _Z, _I64, _E]),
    # power_levels.h
    "mxc_power_level_infinite": (_I64, []),
    "mxc_power_level_parse": (_I, [_PI64, _P, _P, _E]),
    "mxc_power_levels_new": (_I, [_PP, _P, _P, _P, _S, _Z, _A, _E]),
    "mxc_power_levels_free": (None, [_P]),
    "mxc_power_levels_get": (_I, [_PI64, _P, _I, _E]),
    "mxc_power_levels_is_creator": (_I, [_P, _S, _Z]),
    "mxc_power_levels_user": (_I, [_PI64, _P, _S, _Z, _E]),
    "mxc_power_levels_event": (_I, [_PI64, _P, _S, _Z, _I, _E]),
    "mxc_power_levels_may": (_I, [POINTER(c_int), _P, _I, _S, _Z, _S, _Z,
                                  _E]),
    "mxc_power_levels_validate": (_I, [_P, _P, _E]),
    # auth.h
    "mxc_auth_types_max": (_Z, []),
    "mxc_auth_types": (_I, [POINTER(AuthType), _Z, _PZ, _P, _E]),
    "mxc_auth_state_new": (_I, [_PP, POINTER(c_void_p), _Z, _A, _E]),
    "mxc_auth_state_free": (None, [_P]),
    "mxc_auth_state_set": (_I, [_P, _P, _E]),
    "mxc_auth_state_get": (_P, [_P, _S, _Z, _S, _Z]),
    "mxc_auth_state_size": (_Z, [_P]),
    "mxc_auth_rule_number": (_P, [_P, _Z, _P, _I]),
    "mxc_auth_check": (_I, [_P, _P, POINTER(EventKey), _Z, _I64, _U, _E]),
    # ctx.h
    "mxc_ctx_new": (_I, [_PP, _P, _U, _A, _E]),
    "mxc_ctx_free": (None, [_P]),
    "mxc_ctx_room_version": (_P, [_P]),
    "mxc_ctx_add_event": (_I, [_P, _S, _Z, _E]),
    "mxc_ctx_adopt_event": (_I, [_P, _P, _E]),
    "mxc_ctx_get_event": (_P, [_P, _S, _Z]),
    "mxc_ctx_event_count": (_Z, [_P]),
    "mxc_ctx_set_rejected": (_I, [_P, _S, _Z, _E]),
    "mxc_ctx_is_rejected": (_I, [_P, _S, _Z]),
    "mxc_ctx_missing_count": (_Z, [_P]),
    "mxc_ctx_missing": (_P, [_P, _Z, _PZ]),
    # backend.h
    "mxc_store_ops_version": (c_uint32, []),
    "mxc_ctx_set_store": (_I, [_P, POINTER(StoreOps), _E]),
    "mxc_memstore_new": (_I, [_PP, _P, _U, _A, _E]),
    "mxc_memstore_free": (None, [_P]),
    "mxc_memstore_add": (_I, [_P, _S, _Z, _B, _E]),
    "mxc_memstore_size": (_Z, [_P]),
    "mxc_memstore_get": (_P, [_P, _S, _Z, _PZ]),
    "mxc_memstore_ops": (_I, [POINTER(StoreOps), _P]),
    "mxc_transport_ops_version": (c_uint32, []),
    # keyring.h
    "mxc_keyring_new": (_I, [_PP, _A, _E]),
    "mxc_keyring_free": (None, [_P]),
    "mxc_keyring_add": (_I, [_P, _P, _E]),
    "mxc_keyring_add_json": (_I, [_P, _S, _Z, _S, _S, _I64, _I64, _E]),
    "mxc_keyring_size": (_Z, [_P]),
    "mxc_keyring_key_for_event": (_I, [POINTER(c_void_p), _P, _P, _S, _S,
                                       _I64, _I64, _E]),
    "mxc_keyring_verify_events": (_I, [POINTER(EventVerdict), _P,
                                       POINTER(TransportOps),
                                       POINTER(c_void_p), _Z, _I64, _E]),
    "mxc_keyring_missing_count": (_Z, [_P]),
    "mxc_keyring_missing": (_I, [_P, _Z, POINTER(c_char_p),
                                 POINTER(c_char_p), _PI64]),
    # pdu.h
    "mxc_pdu_outcome_name": (c_char_p, [_I]),
    "mxc_pdu_options_init": (None, [POINTER(PduOptions)]),
    "mxc_pdu_check": (_I, [_PP, _P, _P, POINTER(PduOptions), _S, _Z, _E]),
    "mxc_pdu_result_free": (None, [_P]),
    "mxc_pdu_result_outcome": (_I, [_P]),
    "mxc_pdu_result_redacted": (_I, [_P]),
    "mxc_pdu_result_step": (_I, [_P]),
    "mxc_pdu_result_status": (_I, [_P]),
    "mxc_pdu_result_reason": (c_char_p, [_P]),
    "mxc_pdu_result_event": (_P, [_P]),
    "mxc_pdu_result_state_after": (_P, [_P]),
    # builder.h
    "mxc_build_event": (_I, [_PP, _P, _P, _P, POINTER(c_void_p), _Z, _I64,
                             _S, _P, _S, _A, _E]),
    "mxc_build_make_join": (_I, [_PP, _P, _P, _S, _S, _I64, _S, _P, _S, _A,
                                 _E]),
    "mxc_build_check_send_join": (_I, [_PP, _P, _P, POINTER(EventKey), _Z,
                                       _I64, _A, _E]),
    # state_res.h
    "mxc_state_free": (None, [_P]),
    "mxc_state_size": (_Z, [_P]),
    "mxc_state_entry": (_I, [_P, _Z, POINTER(c_void_p), _PZ,
                             POINTER(c_void_p), _PZ, POINTER(c_void_p),
                             _PZ]),
    "mxc_state_get": (_P, [_P, _S, _Z, _S, _Z, _PZ]),
    "mxc_id_list_free": (None, [_P]),
    "mxc_id_list_size": (_Z, [_P]),
    "mxc_id_list_at": (_P, [_P, _Z, _PZ]),
    "mxc_state_resolve": (_I, [_PP, _P, _P, POINTER(c_char_p), _PZ, _PZ, _Z,
                               _U, _E]),
    "mxc_state_auth_chain": (_I, [_PP, _P, POINTER(c_char_p), _PZ, _Z, _U,
                                  _E]),
    "mxc_state_auth_difference": (_I, [_PP, _P, POINTER(c_char_p), _PZ, _PZ,
                                       _Z, _U, _E]),
}

# Exports the binding declares but deliberately does not wrap, and why.
NOT_WRAPPED = {
    "mxc_json_to_cjson": "cJSON interop, for C hosts",
    "mxc_json_from_cjson": "cJSON interop, for C hosts",
    "mxc_ctx_adopt_event": "ownership transfer; Python hands events over "
                           "as bytes (mxc_ctx_add_event)",
    "mxc_error_clear": "the binding uses a fresh mxc_error per call",
    "mxc_buf_init": "a zeroed Buf is an initialised mxc_buf",
    # JSON values cross the boundary as canonical bytes (json.loads on the
    # way out); the tree accessors are for C callers
    "mxc_json_get_type": "JSON values become Python values",
    "mxc_json_get_int": "JSON values become Python values",
    "mxc_json_get_double": "JSON values become Python values",
    "mxc_json_number_text": "JSON values become Python values",
    "mxc_json_is_integer": "JSON values become Python values",
    "mxc_json_get_string": "JSON values become Python values",
    "mxc_json_size": "JSON values become Python values",
    "mxc_json_at": "JSON values become Python values",
    "mxc_json_member": "JSON values become Python values",
    "mxc_json_get": "JSON values become Python values",
    "mxc_json_getz": "JSON values become Python values",
    "mxc_json_copy": "JSON values become Python values",
    "mxc_json_equal": "JSON values become Python values (==)",
    "mxc_json_check_canonical_numbers":
        "canonical_json(value) (strict) refuses the same numbers",
    "mxc_state_get": "resolved states become dicts; lookups are dict "
                     "lookups",
}

# ---- loading ----------------------------------------------------------------


class LibraryNotFound(ImportError):
    """libmatrix-core could not be found or loaded; the message lists every
    place looked at and why each failed."""


def _candidates() -> List[Tuple[str, bool]]:
    env = os.environ.get("MATRIX_CORE_LIB")
    if env:
        return [(env, True)]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    return [(os.path.join(root, "build", "libmatrix-core.so"), False),
            (SONAME, False)]


def _load() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for path, explicit in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append("%s: no such file" % path)
            if explicit:
                break
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s: %s" % (path, e))
            if explicit:
                break
    raise LibraryNotFound(
        "matrix_core: cannot load libmatrix-core. Looked at, in order:\n  "
        + "\n  ".join(tried)
        + "\nSet MATRIX_CORE_LIB to the path of libmatrix-core.so (a plain "
        "build: an AddressSanitizer build does not load under ctypes), "
        "build the tree with `meson setup build -Dbuildtype=release && "
        "ninja -C build`, or install the library.")


lib, LIBRARY_PATH = _load()
MISSING: List[str] = []


def _missing_stub(name: str) -> Callable[..., Any]:
    def stub(*args: Any) -> Any:
        raise NotImplementedError(
            "%s is not exported by %s (a library older than this binding?)"
            % (name, LIBRARY_PATH))
    stub.__name__ = name
    return stub


class _Functions:
    """The declared functions as attributes (C.mxc_json_parse(...))."""


C: Any = _Functions()
for _name, (_res, _args) in DECLARATIONS.items():
    try:
        _fn = getattr(lib, _name)
    except AttributeError:
        MISSING.append(_name)
        setattr(C, _name, _missing_stub(_name))
        continue
    _fn.restype = _res
    _fn.argtypes = _args
    setattr(C, _name, _fn)

if C.mxc_init() != 0:
    raise ImportError("matrix_core: mxc_init() failed (libsodium)")
# the struct layouts copied above must match the library's
for _sname, _scls in (("mxc_error", Error), ("mxc_buf", Buf),
                      ("mxc_allocator", Allocator),
                      ("mxc_event_key", EventKey),
                      ("mxc_event_verdict", EventVerdict),
                      ("mxc_old_verify_key", OldVerifyKey),
                      ("mxc_auth_type", AuthType),
                      ("mxc_store_ops", StoreOps),
                      ("mxc_transport_ops", TransportOps),
                      ("mxc_pdu_options", PduOptions)):
    _csize = C.mxc_struct_size(_sname.encode())
    if _csize != ctypes.sizeof(_scls):
        raise ImportError(
            "matrix_core: %s is %d bytes in %s but %d in this binding"
            % (_sname, _csize, LIBRARY_PATH, ctypes.sizeof(_scls)))
VERSION_NUMBER: int = C.mxc_version_number()
VERSION: str = C.mxc_version().decode()
if (VERSION_NUMBER >> 16, (VERSION_NUMBER >> 8) & 0xFF) != ABI_VERSION:
    raise ImportError(
        "matrix_core: %s is version %s; this binding needs %d.%d.x"
        % (LIBRARY_PATH, VERSION, ABI_VERSION[0], ABI_VERSION[1]))

# ---- argument helpers -------------------------------------------------------


def as_bytes(value: Any, what: str) -> bytes:
    """bytes, bytearray or memoryview -> bytes; anything else TypeError."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError("%s must be bytes, not %s" % (what, type(value).__name__))


def as_cstr(value: Any, what: str) -> bytes:
    """A str for a NUL-terminated UTF-8 argument (server names, key IDs)."""
    if not isinstance(value, str):
        raise TypeError("%s must be str, not %s"
                        % (what, type(value).__name__))
    b = value.encode("utf-8", "surrogatepass")
    if b"\0" in b:
        raise ValueError("%s must not contain NUL characters" % what)
    return b


def as_text(value: Any, what: str) -> bytes:
    """A str (or bytes) travelling with its length (may contain NUL)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError("%s must be str, not %s" % (what, type(value).__name__))


def as_int64(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be int, not %s"
                        % (what, type(value).__name__))
    if not -(2 ** 63) <= value < 2 ** 63:
        raise OverflowError("%s out of the 64-bit range" % what)
    return value


def optional_ts(value: Optional[int], what: str) -> int:
    return MXC_TS_NONE if value is None else as_int64(value, what)


def text(ptr: Optional[int], n: int) -> str:
    """Borrowed (pointer, length) UTF-8 from the library -> str."""
    return string_at(ptr, n).decode("utf-8", "surrogatepass") if ptr else ""


def borrowed_text(fn: Callable[..., Any], *args: Any) -> Optional[str]:
    """Call an accessor returning (const char *, *len); None for NULL."""
    n = c_size_t()
    p = fn(*args, byref(n))
    if not p:
        return None
    return string_at(p, n.value).decode("utf-8", "surrogatepass")


# ---- errors -----------------------------------------------------------------

# Filled by the errors module: status value -> exception class.
ERROR_CLASSES: Dict[int, type] = {}
_BASE_ERROR: List[type] = []


def make_error(status: int, err: Optional[Error] = None,
               fallback: str = "") -> BaseException:
    cls = ERROR_CLASSES.get(status, _BASE_ERROR[0])
    return cls.from_status(status, err, fallback)


def check(status: int, err: Optional[Error] = None, what: str = "") -> None:
    """Raise the MatrixCoreError subclass of a non-zero status."""
    if status != 0:
        raise make_error(status, err, what)


# ---- buffers ----------------------------------------------------------------


class OutBuf:
    """An mxc_buf for one call: `with OutBuf() as b: C.f(b.ref, ...)`; the
    bytes are read with .bytes() before the block ends, and the buffer is
    disposed of whatever happens."""

    __slots__ = ("buf", "ref")

    def __init__(self) -> None:
        self.buf = Buf()
        self.ref = byref(self.buf)

    def __enter__(self) -> "OutBuf":
        return self

    def __exit__(self, *exc: Any) -> None:
        C.mxc_buf_dispose(self.ref)

    def bytes(self) -> bytes:
        if not self.buf.data:
            return b""
        return string_at(self.buf.data, self.buf.len)


# ---- JSON in and out --------------------------------------------------------

def _default(o: Any) -> Any:
    # mappings that are not dicts (frozendict, MappingProxyType)
    if isinstance(o, Mapping):
        return dict(o)
    raise TypeError("Object of type %s is not JSON serializable"
                    % type(o).__name__)


_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False,
                            separators=(",", ":"), default=_default)


def json_text(value: Any, what: str = "value") -> bytes:
    """JSON text for a value: bytes as given (they are JSON text), anything
    else through json.dumps(ensure_ascii=False). NaN and infinities are
    refused (ValueError): JSON has no such numbers."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    try:
        s = _encoder.encode(value)
    except ValueError as e:
        if "Out of range float" in str(e):
            raise ValueError(
                "%s holds NaN or an infinity, which JSON cannot represent"
                % what) from None
        raise ValueError("%s cannot be encoded as JSON: %s" % (what, e)) \
            from None
    except TypeError as e:
        raise TypeError("%s cannot be encoded as JSON: %s" % (what, e)) \
            from None
    # surrogatepass: a lone surrogate reaches the parser, which names it
    # (MXC_ERR_JSON_UTF8), rather than failing here without a position
    return s.encode("utf-8", "surrogatepass")


def json_object_text(value: Any, what: str) -> bytes:
    """As json_text for places that take a JSON object: a mapping or bytes;
    other Python types are a TypeError."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, Mapping):
        raise TypeError("%s must be a dict or JSON bytes, not %s"
                        % (what, type(value).__name__))
    return json_text(value, what)


class JsonHandle:
    """An owned mxc_json root (parsed from text), freed with the handle."""

    __slots__ = ("ptr", "__weakref__")

    def __init__(self, data: bytes, lenient: bool = False) -> None:
        self.ptr = None
        out = c_void_p()
        err = Error()
        st = C.mxc_json_parse(byref(out), data, len(data),
                              1 if lenient else 0, None, byref(err))
        check(st, err)
        self.ptr = out.value

    @classmethod
    def adopt(cls, ptr: int) -> "JsonHandle":
        h = cls.__new__(cls)
        h.ptr = ptr
        return h

    def __del__(self) -> None:
        p, self.ptr = self.ptr, None
        if p:
            _json_free(p)


_json_free = C.mxc_json_free


def to_json_handle(value: Any, what: str, lenient: bool = False,
                   objects_only: bool = False) -> JsonHandle:
    data = json_object_text(value, what) if objects_only else \
        json_text(value, what)
    return JsonHandle(data, lenient)


def canonical_of(ptr: int) -> bytes:
    """Canonical JSON bytes of a borrowed or owned mxc_json."""
    err = Error()
    with OutBuf() as b:
        check(C.mxc_json_canonical(b.ref, ptr, byref(err)), err)
        return b.bytes()


def to_python(ptr: Optional[int]) -> Any:
    """A library JSON value as Python objects (None for NULL)."""
    if not ptr:
        return None
    return json.loads(canonical_of(ptr))


def take_json(ptr: int) -> Any:
    """Python values of an owned mxc_json root, which is then freed."""
    try:
        return to_python(ptr)
    finally:
        _json_free(ptr)


# A process-wide lock is never needed for the immutable objects; the
# mutable ones (contexts, state sets, stores) each carry their own.
new_lock = threading.Lock
