# SPDX-License-Identifier: Apache-2.0
"""matrix_core: Python bindings (ctypes, standard library only) over
libmatrix-core, the Matrix protocol's server-side core in C: canonical
JSON, signing keys and signed JSON, server key documents, X-Matrix
headers, room versions, events (hashes, IDs, redaction, signatures), power
levels, the authorisation rules, state resolution, a keyring of other
servers' keys, the checks on receipt of a PDU, and building new events
(and the join handshake).

The library is found through ``MATRIX_CORE_LIB`` (the path of
libmatrix-core.so), else the build tree's ``build/libmatrix-core.so``,
else the installed ``libmatrix-core.so.0``; see README.md.

Threads: parsed objects (Event, SigningKey, ServerKeys, XMatrix,
PowerLevels, RoomVersion) are immutable and may be shared between
threads; Context, AuthState, MemoryStore and Keyring serialise their calls
with a lock. Every call into the library releases the GIL for its duration (the
library is loaded with ctypes.CDLL), so threads calling it run in
parallel.

Errors raise MatrixCoreError subclasses (see matrix_core.errors) carrying
the library's status, its name (``code``) and message; wrong Python types
raise TypeError.
"""
from __future__ import annotations

from ._ffi import LIBRARY_PATH, VERSION, VERSION_NUMBER, LibraryNotFound
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .canonical import MAX_DEPTH, MAX_NUMBER_DIGITS, canonical_json, \
    parse_json
from .keys import (ED25519_PUBLIC_BYTES, ED25519_SEED_BYTES,
                   ED25519_SIG_BYTES, SHA256_BYTES, OldVerifyKey, ServerKey,
                   ServerKeys, SigningKey, VerifyKey, VerifyResult, XMatrix,
                   build_server_keys, decode_base64, ed25519_verify,
                   encode_base64, sha256, sign_json, sign_request,
                   signing_bytes, verify_json)
from .room_version import (EVENT_FORMAT_V1, EVENT_FORMAT_V3, EVENT_FORMAT_V4,
                           STATE_RES_V1, STATE_RES_V2, STATE_RES_V2_1,
                           RoomVersion, room_versions)
from .event import (MAX_EVENT_BYTES, MAX_ID_BYTES, Event, EventVerification,
                    compute_event_id, content_hash, redact, reference_hash,
                    room_id_for, sign_event, verify_event,
                    verify_event_signature)
from .power_levels import (POWER_ACTIONS, POWER_KEYS, POWER_LEVEL_INFINITE,
                           PowerLevels, parse_power_level,
                           validate_power_levels)
from .auth import (AUTH_TYPES_MAX, AuthResult, AuthState, auth_rule_number,
                   auth_types, check_auth)
from .state_res import (Context, MemoryStore, StateMap, auth_chain,
                        auth_difference, resolve_state)
from .keyring import TRANSPORT_OPS_VERSION, Keyring
from .builder import build_event, check_send_join, make_join
from .pdu import PDU_STEPS, PduResult, check_pdu

__version__ = VERSION

__all__ = [
    # library
    "LIBRARY_PATH", "VERSION", "VERSION_NUMBER", "LibraryNotFound",
    # canonical JSON
    "canonical_json", "parse_json", "MAX_DEPTH", "MAX_NUMBER_DIGITS",
    # keys and signatures
    "SHA256_BYTES", "ED25519_SEED_BYTES", "ED25519_PUBLIC_BYTES",
    "ED25519_SIG_BYTES", "sha256", "encode_base64", "decode_base64",
    "ed25519_verify", "SigningKey", "VerifyResult", "signing_bytes",
    "sign_json", "verify_json", "VerifyKey", "OldVerifyKey",
    "build_server_keys", "ServerKey", "ServerKeys", "sign_request",
    "XMatrix",
    # room versions
    "RoomVersion", "room_versions", "EVENT_FORMAT_V1", "EVENT_FORMAT_V3",
    "EVENT_FORMAT_V4", "STATE_RES_V1", "STATE_RES_V2", "STATE_RES_V2_1",
    # events
    "Event", "EventVerification", "MAX_EVENT_BYTES", "MAX_ID_BYTES",
    "content_hash", "reference_hash", "compute_event_id", "room_id_for",
    "redact", "sign_event", "verify_event", "verify_event_signature",
    # power levels
    "PowerLevels", "POWER_LEVEL_INFINITE", "POWER_KEYS", "POWER_ACTIONS",
    "parse_power_level", "validate_power_levels",
    # auth
    "auth_types", "check_auth", "AuthResult", "AuthState",
    "auth_rule_number", "AUTH_TYPES_MAX",
    # state resolution
    "resolve_state", "auth_chain", "auth_difference", "Context",
    "MemoryStore", "StateMap",
    # keyring and transport
    "Keyring", "TRANSPORT_OPS_VERSION",
    # checks on receipt of a PDU
    "check_pdu", "PduResult", "PDU_STEPS",
    # building events
    "build_event", "make_join", "check_send_join",
] + list(_errors_all)
