# SPDX-License-Identifier: Apache-2.0
"""A keyring of other servers' signing keys (keyring.h) and the transport
through which the library asks the host for what it lacks (backend.h).

A Keyring caches the keys of validated key documents with their validity
and verifies batches of events, asking a transport once per server whose
keys it lacks. The transport is any object with a
``request_keys(server_name, key_ids, min_valid_until_ts)`` method (and,
for operations on contexts, ``request_events(event_ids)``): a blocking
host fetches the documents at once and hands them over with
``keyring.add_json(...)`` before returning; an asynchronous host raises
WouldBlockError, and the call raises NeedInputError listing the
(server, key_id, min_valid_until_ts) tuples to fetch before asking
again (NeedInputError.missing_keys). Any other exception raised by the
transport comes back out of the call as itself.

A Keyring serialises its calls with a lock (re-entrant, so a transport
may call add_json from inside request_keys).
"""
from __future__ import annotations

import threading
from ctypes import byref, c_char_p, c_int64, c_void_p, string_at
from typing import Any, Iterable, List, Optional, Tuple

from . import _ffi
from ._ffi import C
from .errors import WouldBlockError
from .event import Event, EventVerification, _verification
from .keys import ED25519_PUBLIC_BYTES, ServerKeys
from .room_version import RoomVersionLike, as_room_version

__all__ = ["Keyring", "TRANSPORT_OPS_VERSION"]

_WOULDBLOCK = -501
_CALLBACK = -902
_NEED_INPUT = -402


def _transport_version() -> int:
    try:
        return C.mxc_transport_ops_version()
    except NotImplementedError:  # a library without the transport
        return 1


#: The version of mxc_transport_ops the library describes.
TRANSPORT_OPS_VERSION: int = _transport_version()


class _Pending:
    __slots__ = ("exc",)

    def __init__(self) -> None:
        self.exc: Optional[BaseException] = None


def transport_ops(transport: Any, pending: _Pending) -> Any:
    """An mxc_transport_ops over a Python transport object. ctypes would
    turn an exception raised in a callback into a 0 return (a silent
    success): the callbacks catch everything, keep the first exception in
    ``pending`` for the caller to raise after the C call, and answer the
    library with an error status. The returned table holds the callback
    objects: keep it alive while the library may call them."""
    ops = _ffi.TransportOps()
    ops.version = TRANSPORT_OPS_VERSION

    def fail(e: BaseException) -> int:
        if isinstance(e, WouldBlockError):
            return _WOULDBLOCK
        if pending.exc is None:
            pending.exc = e
        return _CALLBACK

    req_keys = getattr(transport, "request_keys", None)
    if callable(req_keys):
        def request_keys(server: bytes, key_ids: Any, n: int, min_ts: int,
                         user_data: Any) -> int:
            try:
                ids = [key_ids[i].decode("utf-8", "surrogatepass")
                       for i in range(n)]
                req_keys(server.decode("utf-8", "surrogatepass"), ids,
                         None if min_ts == _ffi.MXC_TS_NONE else min_ts)
                return 0
            except BaseException as e:  # noqa: B902 - re-raised later
                return fail(e)
        ops.request_keys = _ffi.REQUEST_KEYS_FN(request_keys)
    req_events = getattr(transport, "request_events", None)
    if callable(req_events):
        def request_events(event_ids: Any, n: int, user_data: Any) -> int:
            try:
                req_events([event_ids[i].decode("utf-8", "surrogatepass")
                            for i in range(n)])
                return 0
            except BaseException as e:  # noqa: B902 - re-raised later
                return fail(e)
        ops.request_events = _ffi.REQUEST_EVENTS_FN(request_events)
    if not (callable(req_keys) or callable(req_events)):
        raise TypeError("a transport has request_keys and/or "
                        "request_events methods; %s has neither"
                        % type(transport).__name__)
    return ops


class Keyring:
    """Other servers' signing keys with their validity.

    ``add(server_keys)`` adds the keys of a validated ServerKeys;
    ``add_json(doc, ...)`` validates a document as fetched (directly or
    through a notary) and adds it; ``verify_events(events, transport)``
    verifies signatures and content hashes of a batch of events, asking the
    transport for the keys it lacks.
    """

    _ptr: Optional[int]

    def __init__(self) -> None:
        self._ptr = None
        self._lock = threading.RLock()
        out = c_void_p()
        err = _ffi.Error()
        _ffi.check(C.mxc_keyring_new(byref(out), None, byref(err)), err)
        self._ptr = out.value

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _keyring_free(p)

    def add(self, keys: ServerKeys) -> None:
        """Add the keys of a validated key document; all or none
        (BadKeyDocumentError: a key ID already held with another key)."""
        if not isinstance(keys, ServerKeys):
            raise TypeError("keys must be ServerKeys, not %s"
                            % type(keys).__name__)
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_keyring_add(self._ptr, keys._ptr, byref(err))
        _ffi.check(st, err)

    def add_json(self, doc: Any, expected_server: Optional[str] = None, *,
                 notary: Optional[str] = None,
                 min_valid_until_ts: Optional[int] = None,
                 fetched_ts: Optional[int] = None) -> None:
        """Validate a key document as fetched (a dict or JSON bytes: the
        /_matrix/key/v2/server body, or one element of a notary's
        ``server_keys``) and add its keys. ``notary``: the notary's name
        when fetched through one (its signature, under a key this keyring
        holds and valid at ``fetched_ts``, is then required)."""
        data = _ffi.json_object_text(doc, "doc")
        exp = None if expected_server is None else \
            _ffi.as_cstr(expected_server, "expected_server")
        nt = None if notary is None else _ffi.as_cstr(notary, "notary")
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_keyring_add_json(
                self._ptr, data, len(data), exp, nt,
                _ffi.optional_ts(min_valid_until_ts, "min_valid_until_ts"),
                _ffi.optional_ts(fetched_ts, "fetched_ts"), byref(err))
        _ffi.check(st, err)

    def __len__(self) -> int:
        with self._lock:
            return C.mxc_keyring_size(self._ptr)

    def key_for_event(self, room_version: RoomVersionLike, server: str,
                      key_id: str, ts: int,
                      now_ts: Optional[int] = None) -> bytes:
        """The public key that may verify a signature by (server, key_id)
        on an event of ``room_version`` sent at ``ts``. NotFoundError (not
        held), BadKeyError (held, not valid then)."""
        rv = as_room_version(room_version)
        pk = c_void_p()
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_keyring_key_for_event(
                byref(pk), self._ptr, rv._ptr,
                _ffi.as_cstr(server, "server"),
                _ffi.as_cstr(key_id, "key_id"), _ffi.as_int64(ts, "ts"),
                _ffi.optional_ts(now_ts, "now_ts"), byref(err))
            _ffi.check(st, err)
            return string_at(pk.value, ED25519_PUBLIC_BYTES)

    def _missing(self) -> List[Tuple[str, str, Optional[int]]]:
        out = []
        srv, kid = c_char_p(), c_char_p()
        ts = c_int64()
        for i in range(C.mxc_keyring_missing_count(self._ptr)):
            _ffi.check(C.mxc_keyring_missing(self._ptr, i, byref(srv),
                                             byref(kid), byref(ts)))
            out.append(((srv.value or b"").decode("utf-8", "replace"),
                        (kid.value or b"").decode("utf-8", "replace"),
                        None if ts.value == _ffi.MXC_TS_NONE else ts.value))
        return out

    @property
    def missing(self) -> List[Tuple[str, str, Optional[int]]]:
        """The (server, key_id, min_valid_until_ts) the last
        verify_events lacked."""
        with self._lock:
            return self._missing()

    def verify_events(self, events: Iterable[Event], transport: Any = None,
                      now_ts: Optional[int] = None
                      ) -> List[EventVerification]:
        """Verify the signatures and content hashes of events with the keys
        held, first asking ``transport`` (once per server) for the keys it
        lacks. Returns one EventVerification per event. Without a
        transport, or when it raises WouldBlockError, raises NeedInputError
        whose ``missing_keys`` lists (server, key_id,
        min_valid_until_ts)."""
        evs = list(events)
        for e in evs:
            if not isinstance(e, Event):
                raise TypeError("events must be Event objects, not %s"
                                % type(e).__name__)
        arr = (c_void_p * max(len(evs), 1))(*[e._ptr for e in evs])
        out = (_ffi.EventVerdict * max(len(evs), 1))()
        pending = _Pending()
        ops = None if transport is None else transport_ops(transport,
                                                           pending)
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_keyring_verify_events(
                out, self._ptr, byref(ops) if ops is not None else None,
                arr, len(evs), _ffi.optional_ts(now_ts, "now_ts"),
                byref(err))
            if pending.exc is not None:
                exc, pending.exc = pending.exc, None
                raise exc
            if st:
                e = _ffi.make_error(st, err)
                if st == _NEED_INPUT:
                    e.missing_keys = self._missing()  # type: ignore
                raise e
        return [_verification(out[i]) for i in range(len(evs))]


_keyring_free = C.mxc_keyring_free
