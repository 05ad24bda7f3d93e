# SPDX-License-Identifier: Apache-2.0
"""Events (event.h): PDUs parsed and validated for a room version, their
content hashes, reference hashes and IDs, redaction, signing and
verification; and the same algorithms on plain JSON objects (the
``*_json``-style module functions), which apply to whatever object they
are given, complete PDU or not.

An Event is immutable and may be shared between threads.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from ctypes import byref, c_void_p, create_string_buffer
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from . import _ffi
from ._ffi import C
from .keys import (SHA256_BYTES, ServerKeys, SigningKey, VerifyKey,
                   VerifyResult, _key_ptr, _verdict)
from .room_version import RoomVersion, RoomVersionLike, as_room_version

__all__ = [
    "Event", "EventVerification", "MAX_EVENT_BYTES", "MAX_ID_BYTES",
    "content_hash", "reference_hash", "compute_event_id", "room_id_for",
    "redact", "sign_event", "verify_event", "verify_event_signature",
    "KeysLike",
]

#: Largest event, canonical JSON with signatures.
MAX_EVENT_BYTES: int = C.mxc_event_max_bytes()
#: Largest type, state key, user ID, room ID and event ID, in bytes.
MAX_ID_BYTES: int = C.mxc_event_max_id_bytes()

_PARSE_LABELLED = 1
_PARSE_CODEPOINT_LIMITS = 2

#: What the verifying functions accept as keys: VerifyKey and ServerKeys
#: objects (in any iterable), or a mapping {server: {key_id: public key}}.
KeysLike = Any


@dataclass(frozen=True)
class EventVerification:
    """The two verdicts on a received event: signatures and content hash
    (server-server API: Validating hashes and signatures on received
    events). True in a boolean context when both hold. When only the hash
    fails, the host keeps the redacted event."""

    signatures_valid: bool
    hash_valid: bool
    signatures_reason: Optional[str] = None
    hash_reason: Optional[str] = None

    def __bool__(self) -> bool:
        return self.signatures_valid and self.hash_valid


def _verification(v: _ffi.EventVerdict) -> EventVerification:
    def reason(ok: int, raw: bytes) -> Optional[str]:
        return None if ok else raw.decode("utf-8", "replace") or None
    return EventVerification(
        bool(v.signatures_valid), bool(v.hash_valid),
        reason(v.signatures_valid, v.signatures_reason),
        reason(v.hash_valid, v.hash_reason))


def _key_array(keys: KeysLike) -> Tuple[Any, int, list]:
    """An mxc_event_key array from the accepted forms, and the Python
    objects that must stay alive while the library reads it."""
    items: List[VerifyKey] = []
    if keys is None:
        pass
    elif isinstance(keys, Mapping):
        for server, by_id in keys.items():
            if not isinstance(by_id, Mapping):
                raise TypeError("keys[%r] must map key IDs to public keys"
                                % (server,))
            for key_id, pk in by_id.items():
                items.append(VerifyKey(server, key_id, pk))
    elif isinstance(keys, (VerifyKey, ServerKeys)):
        return _key_array([keys])
    elif isinstance(keys, Iterable) and not isinstance(keys, (str, bytes)):
        for k in keys:
            if isinstance(k, VerifyKey):
                items.append(k)
            elif isinstance(k, ServerKeys):
                items.extend(k.verify_keys())
            else:
                raise TypeError("keys must hold VerifyKey or ServerKeys, "
                                "not %s" % type(k).__name__)
    else:
        raise TypeError("keys must be VerifyKey/ServerKeys objects or a "
                        "mapping {server: {key_id: public_key}}, not %s"
                        % type(keys).__name__)
    arr = (_ffi.EventKey * max(len(items), 1))()
    keep: list = []
    for i, k in enumerate(items):
        srv = _ffi.as_cstr(k.server_name, "server_name")
        kid = _ffi.as_cstr(k.key_id, "key_id")
        pk = _ffi.as_bytes(k.public_key, "public_key")
        keep += [srv, kid, pk]
        arr[i] = _ffi.EventKey(
            srv, kid, pk, len(pk),
            _ffi.optional_ts(k.valid_until_ts, "valid_until_ts"),
            _ffi.optional_ts(k.expired_ts, "expired_ts"))
    keep.append(arr)
    return arr, len(items), keep


def _rv_json(pdu: Any, rv: Optional[RoomVersion]) -> _ffi.JsonHandle:
    """Parse an object for a room version's number rules (lenient before
    v6, and without a version)."""
    lenient = rv is None or not rv.strict_canonical_json
    return _ffi.to_json_handle(pdu, "event", lenient=lenient,
                               objects_only=True)


class Event:
    """A PDU parsed and validated for a room version.

    ``Event(pdu, room_version)`` takes a dict or the PDU's JSON bytes and
    checks its format (BadEventError, BadIdentifierError,
    EventTooLargeError, RoomIdMismatchError, JSON errors); a str or another
    type is a TypeError. ``labelled=True`` reads a hand-written scenario
    event (an ``event_id`` field is its label; only the fields the auth
    rules and state resolution read are checked); ``codepoint_limits=True``
    counts code points rather than bytes for the 255 limits (rooms v1 to
    v10, as Synapse does).

    Fields are properties; ``content``, ``hashes``, ``signatures``,
    ``unsigned`` and ``json`` are fresh dicts on each access.
    """

    _ptr: Optional[int]

    def __init__(self, pdu: Any, room_version: RoomVersionLike, *,
                 labelled: bool = False,
                 codepoint_limits: bool = False) -> None:
        self._ptr = None
        self._owner: Any = None
        rv = as_room_version(room_version)
        data = _ffi.json_object_text(pdu, "pdu")
        flags = (_PARSE_LABELLED if labelled else 0) | \
            (_PARSE_CODEPOINT_LIMITS if codepoint_limits else 0)
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_event_parse(byref(out), rv._ptr, data, len(data), flags,
                               None, byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        self._rv = rv
        self._flags = flags

    @classmethod
    def _wrap(cls, ptr: int, flags: int, owner: Any = None) -> "Event":
        """An Event over a library pointer: owned (freed with the Event)
        when ``owner`` is None, else borrowed from ``owner``, which the
        Event keeps alive."""
        ev = cls.__new__(cls)
        ev._ptr = ptr
        ev._owner = owner
        ev._rv = RoomVersion._from_ptr(C.mxc_event_room_version(ptr))
        ev._flags = flags
        return ev

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p and getattr(self, "_owner", None) is None:
            _event_free(p)

    # ---- fields -------------------------------------------------------

    @property
    def room_version(self) -> RoomVersion:
        """The room version the event was parsed for."""
        return self._rv

    @property
    def labelled(self) -> bool:
        """True if parsed in label mode."""
        return bool(self._flags & _PARSE_LABELLED)

    @property
    def event_id(self) -> str:
        """The event ID: v1/v2 the PDU's ``event_id``; v3+ ``"$"`` and the
        reference hash (label mode: the ``event_id`` field when given)."""
        return _ffi.borrowed_text(C.mxc_event_id, self._ptr) or ""

    @property
    def type(self) -> str:
        """``type`` (may contain U+0000)."""
        return _ffi.borrowed_text(C.mxc_event_type, self._ptr) or ""

    @property
    def state_key(self) -> Optional[str]:
        """``state_key``, or None for a non-state event."""
        return _ffi.borrowed_text(C.mxc_event_state_key, self._ptr)

    @property
    def is_state(self) -> bool:
        """True if the event has a ``state_key``."""
        return bool(C.mxc_event_is_state(self._ptr))

    @property
    def sender(self) -> str:
        """``sender``."""
        return _ffi.borrowed_text(C.mxc_event_sender, self._ptr) or ""

    @property
    def room_id(self) -> Optional[str]:
        """``room_id``; for a v12 m.room.create, the room ID derived from
        it. None only for a label-mode event without one."""
        return _ffi.borrowed_text(C.mxc_event_room_id, self._ptr)

    @property
    def content(self) -> dict:
        """``content``."""
        return _ffi.to_python(C.mxc_event_content(self._ptr))

    @property
    def membership(self) -> Optional[str]:
        """``content.membership`` when it is a string, else None."""
        return _ffi.borrowed_text(C.mxc_event_membership, self._ptr)

    @property
    def prev_events(self) -> List[str]:
        """IDs of ``prev_events`` (v1/v2: the first element of each
        pair)."""
        n = C.mxc_event_prev_events_count(self._ptr)
        return [_ffi.borrowed_text(C.mxc_event_prev_event, self._ptr, i)
                or "" for i in range(n)]

    @property
    def auth_events(self) -> List[str]:
        """IDs of ``auth_events``."""
        n = C.mxc_event_auth_events_count(self._ptr)
        return [_ffi.borrowed_text(C.mxc_event_auth_event, self._ptr, i)
                or "" for i in range(n)]

    @property
    def depth(self) -> int:
        """``depth`` (0 when absent, label mode only)."""
        return C.mxc_event_depth(self._ptr)

    @property
    def origin_server_ts(self) -> int:
        """``origin_server_ts`` (0 when absent, label mode only)."""
        return C.mxc_event_origin_server_ts(self._ptr)

    @property
    def redacts(self) -> Optional[str]:
        """The ID an m.room.redaction redacts (top-level ``redacts`` v1 to
        v10, ``content.redacts`` v11+), else None."""
        return _ffi.borrowed_text(C.mxc_event_redacts, self._ptr)

    @property
    def hashes(self) -> Optional[dict]:
        """``hashes``, None when absent."""
        return _ffi.to_python(C.mxc_event_hashes(self._ptr))

    @property
    def signatures(self) -> Optional[dict]:
        """``signatures``, None when absent."""
        return _ffi.to_python(C.mxc_event_signatures(self._ptr))

    @property
    def unsigned(self) -> Optional[dict]:
        """``unsigned``, None when absent."""
        return _ffi.to_python(C.mxc_event_unsigned(self._ptr))

    @property
    def json(self) -> dict:
        """The whole PDU as received."""
        return _ffi.to_python(C.mxc_event_json(self._ptr))

    def canonical_json(self) -> bytes:
        """The PDU in canonical JSON."""
        return _ffi.canonical_of(C.mxc_event_json(self._ptr))

    # ---- hashes, redaction, signatures ----------------------------------

    def content_hash(self) -> bytes:
        """SHA-256 content hash (server-server API: Calculating the content
        hash), 32 bytes."""
        out = create_string_buffer(SHA256_BYTES)
        err = _ffi.Error()
        _ffi.check(C.mxc_event_content_hash(out, self._ptr, byref(err)), err)
        return out.raw

    def reference_hash(self) -> bytes:
        """SHA-256 reference hash (the event ID from room version 3 on),
        32 bytes."""
        out = create_string_buffer(SHA256_BYTES)
        err = _ffi.Error()
        _ffi.check(C.mxc_event_reference_hash(out, self._ptr, byref(err)),
                   err)
        return out.raw

    def redact(self) -> "Event":
        """The event redacted by its version's algorithm (same ID)."""
        out = c_void_p()
        err = _ffi.Error()
        _ffi.check(C.mxc_event_redact(byref(out), self._ptr, byref(err)),
                   err)
        return Event._wrap(out.value, self._flags)

    def sign(self, server_name: str, key: SigningKey) -> "Event":
        """Hash and sign the event (server-server API: Signing events) and
        return the signed event (a new Event; this one is unchanged)."""
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_event_sign_json(byref(out), self._rv._ptr,
                                   C.mxc_event_json(self._ptr),
                                   _ffi.as_cstr(server_name, "server_name"),
                                   _key_ptr(key), None, byref(err))
        _ffi.check(st, err)
        signed = _ffi.JsonHandle.adopt(out.value)
        ev = c_void_p()
        st = C.mxc_event_from_json(byref(ev), self._rv._ptr, signed.ptr,
                                   self._flags, None, byref(err))
        _ffi.check(st, err)
        return Event._wrap(ev.value, self._flags)

    def verify(self, keys: KeysLike,
               now_ts: Optional[int] = None) -> EventVerification:
        """Check the signatures (every required server, with the keys
        given: VerifyKey or ServerKeys objects, or {server: {key_id:
        public_key}}) and the content hash. ``now_ts`` (ms) caps key
        validity at seven days ahead from room version 5 on."""
        arr, n, keep = _key_array(keys)
        v = _ffi.EventVerdict()
        err = _ffi.Error()
        st = C.mxc_event_verify(byref(v), self._ptr, arr, n,
                                _ffi.optional_ts(now_ts, "now_ts"),
                                byref(err))
        _ffi.check(st, err)
        return _verification(v)

    def verify_signature(self, server_name: str, key_id: str,
                         public_key: bytes) -> VerifyResult:
        """Check one server's signature with one key, whoever the sender."""
        return _verify_signature(self._rv, C.mxc_event_json(self._ptr),
                                 server_name, key_id, public_key)

    def check_room_id(self, create: "Event") -> bool:
        """True if the event's ``room_id`` is that of the room whose
        m.room.create is ``create`` (v12: derived from it). Raises
        InvalidArgumentError when ``create`` is not an m.room.create."""
        if not isinstance(create, Event):
            raise TypeError("create must be an Event, not %s"
                            % type(create).__name__)
        err = _ffi.Error()
        st = C.mxc_event_check_room_id(self._ptr, create._ptr, byref(err))
        if st == _ROOM_ID_MISMATCH:
            return False
        _ffi.check(st, err)
        return True

    def __repr__(self) -> str:
        sk = self.state_key
        return "<Event %s %s%s v%s>" % (
            self.event_id, self.type, "" if sk is None else " %r" % sk,
            self._rv.id)


_event_free = C.mxc_event_free
_ROOM_ID_MISMATCH = -225


# ---- the same algorithms on plain JSON objects ------------------------------


def content_hash(pdu: Any,
                 room_version: Optional[RoomVersionLike] = None) -> bytes:
    """Content hash of an object (dict or JSON bytes): SHA-256 of its
    canonical JSON without ``unsigned``, ``signatures``, ``hashes`` (and,
    from room version 3, a top-level ``event_id``). Without a room version
    numbers are read leniently and every other key counts."""
    rv = None if room_version is None else as_room_version(room_version)
    h = _rv_json(pdu, rv)
    out = create_string_buffer(SHA256_BYTES)
    err = _ffi.Error()
    st = C.mxc_event_content_hash_json(out, rv._ptr if rv else None, h.ptr,
                                       byref(err))
    _ffi.check(st, err)
    return out.raw


def reference_hash(pdu: Any, room_version: RoomVersionLike) -> bytes:
    """Reference hash of an object for a room version (32 bytes)."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    out = create_string_buffer(SHA256_BYTES)
    err = _ffi.Error()
    st = C.mxc_event_reference_hash_json(out, rv._ptr, h.ptr, byref(err))
    _ffi.check(st, err)
    return out.raw


def compute_event_id(pdu: Any, room_version: RoomVersionLike) -> str:
    """Event ID of an object: v1/v2 its ``event_id`` field (BadEventError
    without one), v3 ``"$"`` + standard base64 of the reference hash, v4+
    URL-safe base64."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        _ffi.check(C.mxc_event_id_json(b.ref, rv._ptr, h.ptr, byref(err)),
                   err)
        return b.bytes().decode("utf-8")


def room_id_for(create: Any, room_version: RoomVersionLike = "12") -> str:
    """Room ID of a room version 12 m.room.create event: ``"!"`` + its
    URL-safe base64 reference hash."""
    rv = as_room_version(room_version)
    h = _rv_json(create, rv)
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        _ffi.check(C.mxc_event_room_id_json(b.ref, rv._ptr, h.ptr,
                                            byref(err)), err)
        return b.bytes().decode("utf-8")


def redact(pdu: Any, room_version: RoomVersionLike) -> dict:
    """The object redacted by the version's algorithm (a new dict)."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    out = c_void_p()
    err = _ffi.Error()
    _ffi.check(C.mxc_event_redact_json(byref(out), rv._ptr, h.ptr, None,
                                       byref(err)), err)
    return _ffi.take_json(out.value)


def sign_event(pdu: Any, room_version: RoomVersionLike, server_name: str,
               key: SigningKey) -> dict:
    """Hash and sign an outgoing event (an object, complete PDU or not):
    returns a new dict with ``hashes.sha256`` and the signature."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    out = c_void_p()
    err = _ffi.Error()
    st = C.mxc_event_sign_json(byref(out), rv._ptr, h.ptr,
                               _ffi.as_cstr(server_name, "server_name"),
                               _key_ptr(key), None, byref(err))
    _ffi.check(st, err)
    return _ffi.take_json(out.value)


def verify_event(pdu: Any, room_version: RoomVersionLike, keys: KeysLike,
                 now_ts: Optional[int] = None) -> EventVerification:
    """Event.verify on an object (a dict or JSON bytes), without the PDU
    format checks."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    arr, n, keep = _key_array(keys)
    v = _ffi.EventVerdict()
    err = _ffi.Error()
    st = C.mxc_event_verify_json(byref(v), rv._ptr, h.ptr, arr, n,
                                 _ffi.optional_ts(now_ts, "now_ts"),
                                 byref(err))
    _ffi.check(st, err)
    return _verification(v)


def verify_event_signature(pdu: Any, room_version: RoomVersionLike,
                           server_name: str, key_id: str,
                           public_key: bytes) -> VerifyResult:
    """Check one server's signature on an event with one key (on the
    redacted event), whatever the event's sender."""
    rv = as_room_version(room_version)
    h = _rv_json(pdu, rv)
    return _verify_signature(rv, h.ptr, server_name, key_id, public_key)


def _verify_signature(rv: RoomVersion, ptr: int, server_name: str,
                      key_id: str, public_key: bytes) -> VerifyResult:
    pk = _ffi.as_bytes(public_key, "public_key")
    err = _ffi.Error()
    st = C.mxc_event_verify_signature(
        rv._ptr, ptr, _ffi.as_cstr(server_name, "server_name"),
        _ffi.as_cstr(key_id, "key_id"), pk, len(pk), byref(err))
    return _verdict(st, err)
