# SPDX-License-Identifier: Apache-2.0
"""Power levels (power_levels.h): the levels of users and actions in a room
with the spec's defaults, read as the room version allows (strings and
floats in old versions, integers only from v10), and v12 room creators
with infinite power (POWER_LEVEL_INFINITE).

A PowerLevels view is immutable and may be shared between threads.
"""
from __future__ import annotations

from collections.abc import Mapping
from ctypes import byref, c_int, c_int64, c_void_p
from typing import Any, Optional

from . import _ffi
from ._ffi import C
from .event import Event
from .room_version import RoomVersion, RoomVersionLike, as_room_version

__all__ = ["PowerLevels", "POWER_LEVEL_INFINITE", "parse_power_level",
           "validate_power_levels", "POWER_KEYS", "POWER_ACTIONS"]

#: The level of a v12 room creator, above every finite level (2**63 - 1).
POWER_LEVEL_INFINITE: int = C.mxc_power_level_infinite()

#: The levels besides users and events, by name (mxc_power_key).
POWER_KEYS = {"ban": 0, "kick": 1, "invite": 2, "redact": 3,
              "events_default": 4, "state_default": 5, "users_default": 6,
              "notifications.room": 7}
#: The questions PowerLevels.may answers (mxc_power_action).
POWER_ACTIONS = {"ban": 0, "kick": 1, "invite": 2, "redact": 3,
                 "change_levels": 4}


def _lenient(rv: RoomVersion) -> bool:
    return not rv.strict_canonical_json


class PowerLevels:
    """The power levels of a room.

    ``PowerLevels(room_version, content, create)``: ``content`` is the
    content of the room's m.room.power_levels event (a dict or JSON
    bytes), or None when the room has none; ``create`` the room's
    m.room.create event (an Event, or a dict with its ``content`` and
    ``sender``), or None when there is none (no creator). Malformed values
    are reported when asked for (JSONTypeError, JSONNumberRangeError).
    """

    _ptr: Optional[int]

    def __init__(self, room_version: RoomVersionLike, content: Any = None,
                 create: Any = None) -> None:
        self._ptr = None
        rv = as_room_version(room_version)
        self._rv = rv
        self._content = None if content is None else _ffi.to_json_handle(
            content, "content", lenient=_lenient(rv), objects_only=True)
        create_content = None
        sender: Optional[bytes] = None
        self._create: Any = None
        if isinstance(create, Event):
            self._create = create  # the view borrows its content
            create_content = C.mxc_event_content(create._ptr)
            sender = _ffi.as_text(create.sender, "sender")
        elif isinstance(create, Mapping):
            cc = create.get("content", {})
            self._create = _ffi.to_json_handle(
                cc, "create content", lenient=_lenient(rv),
                objects_only=True)
            create_content = self._create.ptr
            s = create.get("sender")
            sender = None if s is None else _ffi.as_text(s, "create sender")
        elif create is not None:
            raise TypeError("create must be an Event or a dict, not %s"
                            % type(create).__name__)
        # the view borrows the sender's bytes too (not only the JSON):
        # keep them alive with it
        self._sender = sender
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_power_levels_new(
            byref(out), rv._ptr, self._content.ptr if self._content else None,
            create_content, sender, len(sender) if sender else 0, None,
            byref(err))
        _ffi.check(st, err)
        self._ptr = out.value

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _pl_free(p)

    @property
    def room_version(self) -> RoomVersion:
        """The room version the levels are read for."""
        return self._rv

    def get(self, name: str) -> int:
        """One of the levels of POWER_KEYS ("ban", "kick", "invite",
        "redact", "events_default", "state_default", "users_default",
        "notifications.room"), with its default when absent."""
        if name not in POWER_KEYS:
            raise ValueError("unknown power level %r (one of %s)"
                             % (name, ", ".join(POWER_KEYS)))
        out = c_int64()
        err = _ffi.Error()
        st = C.mxc_power_levels_get(byref(out), self._ptr, POWER_KEYS[name],
                                    byref(err))
        _ffi.check(st, err)
        return out.value

    ban = property(lambda self: self.get("ban"), doc="Level to ban.")
    kick = property(lambda self: self.get("kick"), doc="Level to kick.")
    invite = property(lambda self: self.get("invite"), doc="Level to invite.")
    redact = property(lambda self: self.get("redact"),
                      doc="Level to redact others' events.")
    events_default = property(lambda self: self.get("events_default"),
                              doc="Level to send a message event.")
    state_default = property(lambda self: self.get("state_default"),
                             doc="Level to send a state event.")
    users_default = property(lambda self: self.get("users_default"),
                             doc="Level of a user not listed.")

    def is_creator(self, user_id: str) -> bool:
        """True if the user is a room creator with infinite power (room
        version 12 and later)."""
        u = _ffi.as_text(user_id, "user_id")
        return bool(C.mxc_power_levels_is_creator(self._ptr, u, len(u)))

    def user_level(self, user_id: str) -> int:
        """A user's level (POWER_LEVEL_INFINITE for a v12 creator)."""
        u = _ffi.as_text(user_id, "user_id")
        out = c_int64()
        err = _ffi.Error()
        st = C.mxc_power_levels_user(byref(out), self._ptr, u, len(u),
                                     byref(err))
        _ffi.check(st, err)
        return out.value

    def event_level(self, event_type: str, is_state: bool = False) -> int:
        """The level required to send an event of this type (``events``,
        else ``state_default`` or ``events_default``)."""
        t = _ffi.as_text(event_type, "event_type")
        out = c_int64()
        err = _ffi.Error()
        st = C.mxc_power_levels_event(byref(out), self._ptr, t, len(t),
                                      1 if is_state else 0, byref(err))
        _ffi.check(st, err)
        return out.value

    def may(self, action: str, user_id: str,
            target: Optional[str] = None) -> bool:
        """May ``user_id`` do ``action`` ("ban", "kick", "invite",
        "redact", "change_levels")? ``target`` is the user acted on, for
        "ban" and "kick". Only the power level comparison is answered."""
        if action not in POWER_ACTIONS:
            raise ValueError("unknown action %r (one of %s)"
                             % (action, ", ".join(POWER_ACTIONS)))
        u = _ffi.as_text(user_id, "user_id")
        t = None if target is None else _ffi.as_text(target, "target")
        out = c_int()
        err = _ffi.Error()
        st = C.mxc_power_levels_may(byref(out), self._ptr,
                                    POWER_ACTIONS[action], u, len(u), t,
                                    len(t) if t else 0, byref(err))
        _ffi.check(st, err)
        return bool(out.value)

    def __repr__(self) -> str:
        return "<PowerLevels v%s>" % self._rv.id


_pl_free = C.mxc_power_levels_free


def parse_power_level(value: Any, room_version: RoomVersionLike) -> int:
    """Read one power level value (a Python int, str or float, or JSON
    bytes) as the room version allows: JSONTypeError for a type it does
    not allow, JSONNumberRangeError beyond 64 bits."""
    rv = as_room_version(room_version)
    h = _ffi.to_json_handle(value, "value", lenient=True)
    out = c_int64()
    err = _ffi.Error()
    st = C.mxc_power_level_parse(byref(out), rv._ptr, h.ptr, byref(err))
    _ffi.check(st, err)
    return out.value


def validate_power_levels(content: Any, room_version: RoomVersionLike
                          ) -> None:
    """Check the shape of a power levels content as the auth rules do for
    a new m.room.power_levels event; raises (JSONTypeError,
    JSONNumberRangeError, BadIdentifierError) with ``subject`` naming the
    JSON path, and returns None when it is well formed."""
    rv = as_room_version(room_version)
    h = _ffi.to_json_handle(content, "content", lenient=_lenient(rv),
                            objects_only=True)
    err = _ffi.Error()
    _ffi.check(C.mxc_power_levels_validate(rv._ptr, h.ptr, byref(err)), err)
