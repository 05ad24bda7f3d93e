# SPDX-License-Identifier: Apache-2.0
"""Room versions (room_version.h): one row of the library's table per
version, 1 to 12, answering every behaviour that differs between them.

``RoomVersion("11")`` looks a version up (exactly: "011" is unknown) and
raises UnknownRoomVersionError for a version not in the table, never
falling back to a default. Rows are static in the library: RoomVersion
objects are immutable, interned (one per version) and shareable between
threads. Wherever the package asks for a room version, a RoomVersion or
its identifier string is accepted.
"""
from __future__ import annotations

import threading
from ctypes import byref, c_void_p
from typing import Any, Dict, List, Union

from . import _ffi
from ._ffi import C

__all__ = ["RoomVersion", "room_versions", "EVENT_FORMAT_V1",
           "EVENT_FORMAT_V3", "EVENT_FORMAT_V4", "STATE_RES_V1",
           "STATE_RES_V2", "STATE_RES_V2_1", "RoomVersionLike"]

EVENT_FORMAT_V1 = 1
EVENT_FORMAT_V3 = 3
EVENT_FORMAT_V4 = 4
STATE_RES_V1 = 1
STATE_RES_V2 = 2
STATE_RES_V2_1 = 3

_cache: Dict[int, "RoomVersion"] = {}
_cache_lock = threading.Lock()


class RoomVersion:
    """A room version of the library's table.

    Attributes (read-only): ``id`` ("11"), ``stable``, ``event_format``
    (1, 3 or 4), ``redaction`` (the version that introduced the redaction
    rules in force), ``auth_rules`` (likewise for the authorisation
    rules), ``state_res`` (1, 2 or 3 for v2.1), and one boolean per
    behaviour: ``hashed_event_ids``, ``strict_canonical_json``,
    ``string_power_levels``, ``float_power_levels``,
    ``integer_power_levels``, ``knocking``, ``restricted_joins``,
    ``knock_restricted``, ``redacts_in_content``, ``creator_from_sender``,
    ``room_id_from_create``, ``room_creators``, ``enforce_key_validity``.
    """

    __slots__ = ("_ptr", "id", "stable", "event_format", "redaction",
                 "auth_rules", "state_res", "hashed_event_ids",
                 "strict_canonical_json", "string_power_levels",
                 "float_power_levels", "integer_power_levels", "knocking",
                 "restricted_joins", "knock_restricted",
                 "redacts_in_content", "creator_from_sender",
                 "room_id_from_create", "room_creators",
                 "enforce_key_validity")

    _ptr: int
    id: str
    stable: bool
    event_format: int
    redaction: int
    auth_rules: int
    state_res: int
    hashed_event_ids: bool
    strict_canonical_json: bool
    string_power_levels: bool
    float_power_levels: bool
    integer_power_levels: bool
    knocking: bool
    restricted_joins: bool
    knock_restricted: bool
    redacts_in_content: bool
    creator_from_sender: bool
    room_id_from_create: bool
    room_creators: bool
    enforce_key_validity: bool

    def __new__(cls, version_id: str) -> "RoomVersion":
        raw = _ffi.as_text(version_id, "version_id") \
            if isinstance(version_id, str) else None
        if raw is None:
            raise TypeError("a room version is a str such as \"11\", not %s"
                            % type(version_id).__name__)
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_room_version_get(byref(out), raw, len(raw), byref(err))
        _ffi.check(st, err)
        return cls._from_ptr(out.value)

    @classmethod
    def _from_ptr(cls, ptr: int) -> "RoomVersion":
        with _cache_lock:
            rv = _cache.get(ptr)
            if rv is not None:
                return rv
            rv = object.__new__(cls)
            s = object.__setattr__
            s(rv, "_ptr", ptr)
            s(rv, "id", C.mxc_room_version_id(ptr).decode())
            s(rv, "stable", bool(C.mxc_room_version_is_stable(ptr)))
            s(rv, "event_format", C.mxc_room_version_event_format(ptr))
            s(rv, "redaction", C.mxc_room_version_redaction(ptr))
            s(rv, "auth_rules", C.mxc_room_version_auth_rules(ptr))
            s(rv, "state_res", C.mxc_room_version_state_res(ptr))
            for name, fn in (
                    ("hashed_event_ids",
                     C.mxc_room_version_hashed_event_ids),
                    ("strict_canonical_json",
                     C.mxc_room_version_strict_canonical_json),
                    ("string_power_levels",
                     C.mxc_room_version_string_power_levels),
                    ("float_power_levels",
                     C.mxc_room_version_float_power_levels),
                    ("integer_power_levels",
                     C.mxc_room_version_integer_power_levels),
                    ("knocking", C.mxc_room_version_knocking),
                    ("restricted_joins",
                     C.mxc_room_version_restricted_joins),
                    ("knock_restricted",
                     C.mxc_room_version_knock_restricted),
                    ("redacts_in_content",
                     C.mxc_room_version_redacts_in_content),
                    ("creator_from_sender",
                     C.mxc_room_version_creator_from_sender),
                    ("room_id_from_create",
                     C.mxc_room_version_room_id_from_create),
                    ("room_creators", C.mxc_room_version_room_creators),
                    ("enforce_key_validity",
                     C.mxc_room_version_enforce_key_validity)):
                s(rv, name, bool(fn(ptr)))
            _cache[ptr] = rv
            return rv

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RoomVersion is immutable")

    def __reduce__(self) -> Any:
        return (RoomVersion, (self.id,))

    def __repr__(self) -> str:
        return "RoomVersion(%r)" % self.id

    def __str__(self) -> str:
        return self.id

    @staticmethod
    def find(version_id: str) -> "RoomVersion | None":
        """The version, or None when the table has no such version."""
        raw = _ffi.as_text(version_id, "version_id")
        p = C.mxc_room_version_find(raw, len(raw))
        return RoomVersion._from_ptr(p) if p else None


RoomVersionLike = Union[RoomVersion, str]


def room_versions() -> List[RoomVersion]:
    """Every version of the table, in ascending order."""
    return [RoomVersion._from_ptr(C.mxc_room_version_at(i))
            for i in range(C.mxc_room_version_count())]


def as_room_version(value: Any) -> RoomVersion:
    """A RoomVersion, or a str looked up (UnknownRoomVersionError)."""
    if isinstance(value, RoomVersion):
        return value
    return RoomVersion(value)
