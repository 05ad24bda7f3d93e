# SPDX-License-Identifier: Apache-2.0
"""Building new events for local users, and the joining server's side of
the remote join handshake (builder.h).

``build_event`` turns a prototype ({type, state_key?, content, sender})
into a complete, hashed and signed PDU from what the host knows of the
room (its current state and forward extremities), refusing an event the
authorisation rules would reject (AuthRejectedError, naming the rule).
``make_join`` fills a resident server's make_join template;
``check_send_join`` checks what its send_join returned.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from ctypes import byref, c_void_p
from typing import Any, Optional

from . import _ffi
from ._ffi import C
from .auth import AuthState
from .event import Event, KeysLike, _key_array
from .keys import SigningKey, _key_ptr
from .room_version import RoomVersionLike, as_room_version

__all__ = ["build_event", "make_join", "check_send_join"]


def _state(state: Any) -> Optional[AuthState]:
    if state is None or isinstance(state, AuthState):
        return state
    if isinstance(state, Mapping):
        state = state.values()
    if isinstance(state, (str, bytes)) or not isinstance(state, Iterable):
        raise TypeError("state must be an AuthState or an iterable of "
                        "Events, not %s" % type(state).__name__)
    return AuthState(state)


def _opaque(opaque_id: Optional[str]) -> Optional[bytes]:
    return None if opaque_id is None else _ffi.as_cstr(opaque_id,
                                                      "opaque_id")


def build_event(room_version: RoomVersionLike, proto: Any, state: Any,
                extremities: Iterable[Event], origin_server_ts: int,
                server_name: str, key: SigningKey,
                opaque_id: Optional[str] = None) -> Event:
    """Build, hash and sign a new event for a local user.

    ``proto``: a dict (or JSON bytes) with ``type``, ``state_key`` for
    state events, ``content``, ``sender`` (a user of ``server_name``) and,
    for a v1-v11 m.room.create, its ``room_id``. ``state``: the room's
    current state (an AuthState or Events; None for an m.room.create).
    ``extremities``: the room's forward extremities (Events).
    ``opaque_id``: rooms v1 and v2 only, the event ID's opaque part.
    Raises AuthRejectedError (the rules would reject it), NeedInputError,
    BadEventError, RoomIdMismatchError, InvalidArgumentError, TypeError.
    """
    rv = as_room_version(room_version)
    h = _ffi.to_json_handle(proto, "proto",
                            lenient=not rv.strict_canonical_json,
                            objects_only=True)
    st = _state(state)
    ext = list(extremities)
    for e in ext:
        if not isinstance(e, Event):
            raise TypeError("extremities must be Events, not %s"
                            % type(e).__name__)
    arr = (c_void_p * max(len(ext), 1))(*[e._ptr for e in ext])
    out = c_void_p()
    err = _ffi.Error()
    args = (byref(out), rv._ptr, h.ptr, st._ptr if st else None, arr,
            len(ext), _ffi.as_int64(origin_server_ts, "origin_server_ts"),
            _ffi.as_cstr(server_name, "server_name"), _key_ptr(key),
            _opaque(opaque_id), None, byref(err))
    if st is not None:
        with st._lock:
            rc = C.mxc_build_event(*args)
    else:
        rc = C.mxc_build_event(*args)
    _ffi.check(rc, err)
    return Event._wrap(out.value, 0)


def make_join(room_version: RoomVersionLike, response: Any, room_id: str,
              user_id: str, origin_server_ts: int, server_name: str,
              key: SigningKey, opaque_id: Optional[str] = None) -> Event:
    """Fill and sign a join template from a resident server's make_join
    response (a dict or JSON bytes). A malformed response is
    BadEventError with ``subject`` naming the JSON path."""
    rv = as_room_version(room_version)
    h = _ffi.to_json_handle(response, "response",
                            lenient=not rv.strict_canonical_json,
                            objects_only=True)
    out = c_void_p()
    err = _ffi.Error()
    rc = C.mxc_build_make_join(
        byref(out), rv._ptr, h.ptr, _ffi.as_cstr(room_id, "room_id"),
        _ffi.as_cstr(user_id, "user_id"),
        _ffi.as_int64(origin_server_ts, "origin_server_ts"),
        _ffi.as_cstr(server_name, "server_name"), _key_ptr(key),
        _opaque(opaque_id), None, byref(err))
    _ffi.check(rc, err)
    return Event._wrap(out.value, 0)


def check_send_join(join: Event, response: Any, keys: KeysLike = None,
                    now_ts: Optional[int] = None) -> Event:
    """Check a send_join response (v2; a dict or JSON bytes) for the join
    we sent, and return the join as the resident returned it. ``keys``
    (as for Event.verify) serve a restricted join's authorising server.
    Raises BadEventError, RoomIdMismatchError, SignatureError,
    NeedInputError."""
    if not isinstance(join, Event):
        raise TypeError("join must be an Event, not %s"
                        % type(join).__name__)
    rv = join.room_version
    h = _ffi.to_json_handle(response, "response",
                            lenient=not rv.strict_canonical_json,
                            objects_only=True)
    arr, n, keep = _key_array(keys)
    out = c_void_p()
    err = _ffi.Error()
    rc = C.mxc_build_check_send_join(byref(out), join._ptr, h.ptr, arr, n,
                                     _ffi.optional_ts(now_ts, "now_ts"),
                                     None, byref(err))
    _ffi.check(rc, err)
    return Event._wrap(out.value, join._flags)
