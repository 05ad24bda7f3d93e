# SPDX-License-Identifier: Apache-2.0
"""Authorisation rules (auth.h): auth events selection and the check of an
event against a set of state, room versions 1 to 12.

``check_auth`` returns an AuthResult: a rejection is a verdict, not an
exception. ``reason`` reads "v11 auth rule 4.3.3: sender is banned", with
the rule numbered as on that room version's page of the spec.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from ctypes import byref, c_size_t, c_void_p, create_string_buffer
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from . import _ffi
from ._ffi import C
from .event import Event, KeysLike, _key_array
from .room_version import RoomVersionLike, as_room_version

__all__ = ["auth_types", "AuthState", "AuthResult", "check_auth",
           "auth_rule_number", "AUTH_TYPES_MAX"]

#: Most (type, state_key) pairs auth events selection names.
AUTH_TYPES_MAX: int = C.mxc_auth_types_max()

_AUTH_EVENTS = 1
_SIGNATURES_CHECKED = 2
_AUTH_REJECTED = -401


def _as_event(ev: Any, room_version: Optional[RoomVersionLike],
              labelled: bool, what: str = "event") -> Event:
    if isinstance(ev, Event):
        return ev
    if room_version is None:
        raise TypeError("%s must be an Event (or give room_version to "
                        "parse a dict or JSON bytes), not %s"
                        % (what, type(ev).__name__))
    return Event(ev, room_version, labelled=labelled)


def auth_types(event: Event) -> List[Tuple[str, str]]:
    """Auth events selection: the (type, state_key) pairs of the state an
    event needs, in the spec's order (an m.room.create needs nothing)."""
    if not isinstance(event, Event):
        raise TypeError("event must be an Event, not %s"
                        % type(event).__name__)
    arr = (_ffi.AuthType * AUTH_TYPES_MAX)()
    n = c_size_t()
    err = _ffi.Error()
    st = C.mxc_auth_types(arr, AUTH_TYPES_MAX, byref(n), event._ptr,
                          byref(err))
    _ffi.check(st, err)
    return [(_ffi.text(arr[i].type, arr[i].type_len),
             _ffi.text(arr[i].state_key, arr[i].state_key_len))
            for i in range(n.value)]


class AuthState:
    """A set of state events keyed by (type, state_key), for check_auth.

    ``AuthState(events)`` takes Event objects (later ones replace earlier
    ones with the same key, and the set remembers the duplicate, which the
    rules reject by rule 2.1). The set keeps its events alive. Methods are
    serialised by a lock, so a set may be shared between threads.
    """

    _ptr: Optional[int]

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._ptr = None
        self._lock = threading.Lock()
        evs = list(events)
        for e in evs:
            if not isinstance(e, Event):
                raise TypeError("state must hold Event objects, not %s"
                                % type(e).__name__)
        self._by_ptr: Dict[int, Event] = {e._ptr: e for e in evs}
        arr = (c_void_p * max(len(evs), 1))(*[e._ptr for e in evs])
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_auth_state_new(byref(out), arr, len(evs), None,
                                  byref(err))
        _ffi.check(st, err)
        self._ptr = out.value

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _state_free(p)

    def set(self, event: Event) -> None:
        """Insert an event, replacing the one with its key."""
        if not isinstance(event, Event):
            raise TypeError("event must be an Event, not %s"
                            % type(event).__name__)
        t = _ffi.as_text(event.type, "type")
        k = _ffi.as_text(event.state_key or "", "state_key")
        err = _ffi.Error()
        with self._lock:
            old = C.mxc_auth_state_get(self._ptr, t, len(t), k, len(k))
            st = C.mxc_auth_state_set(self._ptr, event._ptr, byref(err))
            _ffi.check(st, err)
            if old and old != event._ptr:
                self._by_ptr.pop(old, None)  # no longer borrowed
            self._by_ptr[event._ptr] = event  # type: ignore[index]

    def get(self, event_type: str, state_key: str = "") -> Optional[Event]:
        """The event at (type, state_key), or None."""
        t = _ffi.as_text(event_type, "event_type")
        k = _ffi.as_text(state_key, "state_key")
        with self._lock:
            p = C.mxc_auth_state_get(self._ptr, t, len(t), k, len(k))
            return self._by_ptr.get(p) if p else None

    def __len__(self) -> int:
        with self._lock:
            return C.mxc_auth_state_size(self._ptr)

    def __contains__(self, key: Tuple[str, str]) -> bool:
        return self.get(*key) is not None


_state_free = C.mxc_auth_state_free


@dataclass(frozen=True)
class AuthResult:
    """The verdict of check_auth: ``allowed``; on rejection ``reason``
    ("vN auth rule X.Y: why"), ``rule`` (the library's mxc_auth_rule code),
    ``rule_number`` ("4.3.3", as on the version's page) and ``subject``
    (the JSON path concerned, or ""). True in a boolean context when
    allowed."""

    allowed: bool
    reason: Optional[str] = None
    rule: int = 0
    rule_number: Optional[str] = None
    subject: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def auth_rule_number(room_version: RoomVersionLike, rule: int
                     ) -> Optional[str]:
    """The number of a rule (an AuthResult.rule) on a room version's page,
    or None if that version has no such rule."""
    rv = as_room_version(room_version)
    if not 0 <= _ffi.as_int64(rule, "rule") < 2 ** 31:
        return None  # not an mxc_auth_rule (and beyond a C int)
    buf = create_string_buffer(32)
    p = C.mxc_auth_rule_number(buf, len(buf), rv._ptr, rule)
    return buf.value.decode() if p else None


def check_auth(event: Any, state: Any, *, keys: KeysLike = None,
               now_ts: Optional[int] = None, auth_events: bool = False,
               signatures_checked: bool = False,
               room_version: Optional[RoomVersionLike] = None,
               labelled: bool = False) -> AuthResult:
    """Check an event against the authorisation rules of its room version.

    ``event`` is an Event (or a dict / JSON bytes with ``room_version``;
    ``labelled`` parses those in label mode). ``state`` is the state to
    check against: an AuthState, an iterable of events, or a mapping whose
    values are events; None is the empty set. With ``auth_events=True``
    the state given is the event's own auth events (rules 2.2 and 2.5 over
    every entry). ``keys`` (as for Event.verify) and ``now_ts`` serve rule
    4.2.1 (restricted joins); ``signatures_checked=True`` says the event's
    signatures were already verified.

    Returns AuthResult; raises NeedInputError (a key of the server named
    in ``subject`` is needed), BadEventError, TypeError.
    """
    rv = None if room_version is None else as_room_version(room_version)
    ev = _as_event(event, rv, labelled)
    if state is None:
        st = None
    elif isinstance(state, AuthState):
        st = state
    else:
        if isinstance(state, Mapping):
            state = state.values()
        if not isinstance(state, Iterable) or isinstance(state, (str, bytes)):
            raise TypeError("state must be an AuthState, an iterable of "
                            "events or a mapping of events, not %s"
                            % type(state).__name__)
        st = AuthState([_as_event(e, ev.room_version,
                                  labelled or ev.labelled, "state event")
                        for e in state])
    arr, n, keep = _key_array(keys)
    flags = (_AUTH_EVENTS if auth_events else 0) | \
        (_SIGNATURES_CHECKED if signatures_checked else 0)
    err = _ffi.Error()
    if st is not None:
        with st._lock:
            rc = C.mxc_auth_check(ev._ptr, st._ptr, arr, n,
                                  _ffi.optional_ts(now_ts, "now_ts"), flags,
                                  byref(err))
    else:
        rc = C.mxc_auth_check(ev._ptr, None, arr, n,
                              _ffi.optional_ts(now_ts, "now_ts"), flags,
                              byref(err))
    if rc == 0:
        return AuthResult(True)
    if rc == _AUTH_REJECTED:
        return AuthResult(False, err.message.decode("utf-8", "replace"),
                          err.reason,
                          auth_rule_number(ev.room_version, err.reason),
                          err.subject.decode("utf-8", "replace"))
    raise _ffi.make_error(rc, err)
