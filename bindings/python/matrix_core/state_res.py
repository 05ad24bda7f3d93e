# SPDX-License-Identifier: Apache-2.0
"""State resolution (state_res.h, ctx.h, backend.h): contexts, stores and
the resolution of forked room state, auth chains and auth differences.

Events come from a Context: those handed over to it, else through a
store, which is either the library's in-memory store (MemoryStore), a
Python mapping {event_id: event}, or any object with a
``get_event(event_id)`` method returning the event (an Event, a dict or
JSON bytes) or None when it does not exist. A store may raise
WouldBlockError for "not available now": the call then raises
NeedInputError whose ``missing`` lists every event ID to fetch before
calling again. Any other exception raised by a store comes back out of
the call that made the library ask, as that same exception.

A Context serialises its calls with a lock, so it may be shared between
threads; calls on one context run one at a time.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from ctypes import byref, c_char_p, c_size_t, c_void_p, string_at
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _ffi
from ._ffi import C
from .errors import WouldBlockError
from .event import Event
from .room_version import RoomVersion, RoomVersionLike, as_room_version

__all__ = ["Context", "MemoryStore", "resolve_state", "auth_chain",
           "auth_difference", "StateMap"]

#: A resolved state: (type, state_key) -> event ID.
StateMap = Dict[Tuple[str, str], str]

_PARSE_LABELLED = 1
_LITERAL_AUTH_DIFF = 1
_INCLUDE_SELF = 2
_NOT_FOUND = -102
_NEED_INPUT = -402
_MISSING_EVENT = -403
_WOULDBLOCK = -501
_CALLBACK = -902
STORE_OPS_VERSION: int = C.mxc_store_ops_version()


def _event_bytes(ev: Any, what: str = "event") -> bytes:
    if isinstance(ev, Event):
        return ev.canonical_json()
    return _ffi.json_object_text(ev, what)


def _id_arrays(ids: Sequence[bytes]) -> Tuple[Any, Any]:
    n = max(len(ids), 1)
    arr = (c_char_p * n)(*ids)
    lens = (c_size_t * n)(*[len(i) for i in ids])
    return arr, lens


def _as_id(v: Any) -> bytes:
    if isinstance(v, Event):
        return _ffi.as_text(v.event_id, "event ID")
    return _ffi.as_text(v, "event ID")


def _sets(state_sets: Any) -> Tuple[List[bytes], List[int]]:
    if isinstance(state_sets, (str, bytes)) or \
            not isinstance(state_sets, Iterable):
        raise TypeError("state_sets must be an iterable of iterables of "
                        "event IDs, not %s" % type(state_sets).__name__)
    ids: List[bytes] = []
    sizes: List[int] = []
    for s in state_sets:
        if isinstance(s, Mapping):
            s = s.values()  # a state map {(type, state_key): event_id}
        if isinstance(s, (str, bytes)) or not isinstance(s, Iterable):
            raise TypeError("a state set must be an iterable of event IDs, "
                            "not %s" % type(s).__name__)
        before = len(ids)
        ids.extend(_as_id(i) for i in s)
        sizes.append(len(ids) - before)
    return ids, sizes


def _checked_sets(state_sets: Any) -> List[List[bytes]]:
    """State sets checked and materialised (generators are read once)."""
    ids, sizes = _sets(state_sets)
    out, pos = [], 0
    for n in sizes:
        out.append(ids[pos:pos + n])
        pos += n
    return out


class MemoryStore:
    """The library's in-memory store of events keyed by event ID (a copy of
    each event's JSON bytes), for one room version.

    ``labelled=True`` reads hand-written events (an ``event_id`` field is
    the label). Adding is serialised by a lock.
    """

    _ptr: Optional[int]

    def __init__(self, room_version: RoomVersionLike,
                 events: Iterable[Any] = (), *,
                 labelled: bool = False) -> None:
        self._ptr = None
        self._lock = threading.RLock()
        rv = as_room_version(room_version)
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_memstore_new(byref(out), rv._ptr,
                                _PARSE_LABELLED if labelled else 0, None,
                                byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        self._rv = rv
        for e in events:
            self.add(e)

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _memstore_free(p)

    @property
    def room_version(self) -> RoomVersion:
        """The room version of the store's events."""
        return self._rv

    def add(self, event: Any) -> str:
        """Add an event (an Event, a dict or JSON bytes; it is parsed to
        learn its ID) and return its ID. The same event again is accepted;
        another event with an ID already held is BadEventError."""
        data = _event_bytes(event)
        err = _ffi.Error()
        with self._lock, _ffi.OutBuf() as b:
            st = C.mxc_memstore_add(self._ptr, data, len(data), b.ref,
                                    byref(err))
            _ffi.check(st, err)
            return b.bytes().decode("utf-8", "surrogatepass")

    def get(self, event_id: str) -> Optional[bytes]:
        """The JSON bytes of an event held, or None."""
        i = _ffi.as_text(event_id, "event_id")
        n = c_size_t()
        with self._lock:
            p = C.mxc_memstore_get(self._ptr, i, len(i), byref(n))
            return string_at(p, n.value) if p else None

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and self.get(event_id) is not None

    def __len__(self) -> int:
        with self._lock:
            return C.mxc_memstore_size(self._ptr)


_memstore_free = C.mxc_memstore_free


class Context:
    """Where the events of an operation on one room come from: the events
    handed over (``events``, ``add_event``), then the ``store``; and the
    IDs of events known to be rejected (``rejected``, ``set_rejected``).

    Events fetched through the store are parsed and kept by the context,
    so a call repeated after NeedInputError does not fetch them again.
    ``labelled=True`` reads events in label mode (hand-written scenarios).
    """

    _ptr: Optional[int]

    def __init__(self, room_version: RoomVersionLike, *, store: Any = None,
                 events: Iterable[Any] = (), rejected: Iterable[str] = (),
                 labelled: bool = False) -> None:
        self._ptr = None
        self._lock = threading.RLock()
        self._cb = _CallbackState()
        self._store: Any = None
        self._ops: Any = None
        rv = as_room_version(room_version)
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_ctx_new(byref(out), rv._ptr,
                           _PARSE_LABELLED if labelled else 0, None,
                           byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        self._rv = RoomVersion._from_ptr(C.mxc_ctx_room_version(self._ptr))
        self._labelled = labelled
        if store is not None:
            self.set_store(store)
        for e in events:
            self.add_event(e)
        for r in rejected:
            self.set_rejected(r)

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _ctx_free(p)

    @property
    def room_version(self) -> RoomVersion:
        """The context's room version."""
        return self._rv

    # ---- the store ----------------------------------------------------

    def set_store(self, store: Any) -> None:
        """Install a store (MemoryStore, mapping, or object with
        ``get_event``), replacing any previous one; None removes it."""
        with self._lock:
            err = _ffi.Error()
            if store is None:
                st = C.mxc_ctx_set_store(self._ptr, None, byref(err))
                _ffi.check(st, err)
                self._store = self._ops = None
                return
            ops = _ffi.StoreOps()
            if isinstance(store, MemoryStore):
                _ffi.check(C.mxc_memstore_ops(byref(ops), store._ptr))
            else:
                if isinstance(store, Mapping):
                    fetch = _mapping_fetch(store)
                elif callable(getattr(store, "get_event", None)):
                    fetch = store.get_event
                else:
                    raise TypeError("a store must be a MemoryStore, a "
                                    "mapping or an object with get_event, "
                                    "not %s" % type(store).__name__)
                ops.version = STORE_OPS_VERSION
                ops.get_event = _ffi.STORE_GET_FN(self._trampoline(fetch))
            st = C.mxc_ctx_set_store(self._ptr, byref(ops), byref(err))
            _ffi.check(st, err)
            # the library copied the table; the Python callback object and
            # the store must live as long as the context uses them
            self._store, self._ops = store, ops

    def _trampoline(self, fetch: Any) -> Any:
        """The C get_event callback over a Python fetch function. ctypes
        would turn an exception into a 0 return (a silent success): catch
        everything, keep the exception for the caller, and answer the
        library with an error status. (The closure holds the callback
        state, not the context: no reference cycle.)"""
        cb = self._cb

        def get_event(out: Any, event_id: bytes, user_data: Any) -> int:
            try:
                eid = event_id.decode("utf-8", "surrogatepass")
                ev = fetch(eid)
                if ev is None:
                    return _NOT_FOUND
                data = _event_bytes(ev, "store event %s" % eid)
                return C.mxc_buf_set(out, data, len(data))
            except WouldBlockError:
                return _WOULDBLOCK
            except _NotFound:
                return _NOT_FOUND
            except BaseException as e:  # noqa: B902 - re-raised after the call
                if cb.pending is None:
                    cb.pending = e
                return _CALLBACK
        return get_event

    def _call(self, fn: Any, *args: Any) -> int:
        """A library call that may run store callbacks (under the lock,
        with the store's lock for a MemoryStore)."""
        self._cb.pending = None
        store = self._store
        if isinstance(store, MemoryStore):
            with store._lock:
                rc = fn(*args)
        else:
            rc = fn(*args)
        exc, self._cb.pending = self._cb.pending, None
        if exc is not None:
            raise exc
        return rc

    def _fail(self, rc: int, err: _ffi.Error) -> None:
        e = _ffi.make_error(rc, err)
        if rc in (_NEED_INPUT, _MISSING_EVENT):
            e.missing = self._missing()  # type: ignore[attr-defined]
        raise e

    # ---- events -------------------------------------------------------

    def add_event(self, event: Any) -> None:
        """Hand an event over (an Event, a dict or JSON bytes); it is parsed
        with the context's room version. The same event again is accepted;
        a different one with an ID already held is BadEventError."""
        data = _event_bytes(event)
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_ctx_add_event(self._ptr, data, len(data), byref(err))
        _ffi.check(st, err)

    def get_event(self, event_id: str) -> Optional[Event]:
        """An event the context holds (the store is not consulted), or
        None. The Event borrows from the context and keeps it alive."""
        i = _ffi.as_text(event_id, "event_id")
        with self._lock:
            p = C.mxc_ctx_get_event(self._ptr, i, len(i))
        if not p:
            return None
        return Event._wrap(p, _PARSE_LABELLED if self._labelled else 0,
                           owner=self)

    def __len__(self) -> int:
        with self._lock:
            return C.mxc_ctx_event_count(self._ptr)

    def set_rejected(self, event_id: str) -> None:
        """Record that an event was rejected (state resolution reads it)."""
        i = _ffi.as_text(event_id, "event_id")
        err = _ffi.Error()
        with self._lock:
            st = C.mxc_ctx_set_rejected(self._ptr, i, len(i), byref(err))
        _ffi.check(st, err)

    def is_rejected(self, event_id: str) -> bool:
        """True if the event was recorded as rejected."""
        i = _ffi.as_text(event_id, "event_id")
        with self._lock:
            return bool(C.mxc_ctx_is_rejected(self._ptr, i, len(i)))

    def _missing(self) -> List[str]:
        out = []
        for k in range(C.mxc_ctx_missing_count(self._ptr)):
            out.append(_ffi.borrowed_text(C.mxc_ctx_missing, self._ptr, k)
                       or "")
        return out

    @property
    def missing(self) -> List[str]:
        """The event IDs the last operation found missing."""
        with self._lock:
            return self._missing()

    # ---- operations ---------------------------------------------------

    def resolve(self, state_sets: Iterable[Iterable[str]], *,
                literal_auth_diff: bool = False) -> StateMap:
        """Resolve state sets (each an iterable of the IDs of its state
        events, or a state map) by the room version's algorithm. Returns
        {(type, state_key): event_id}. Raises NeedInputError or
        MissingEventError (``missing``: the IDs to fetch),
        InvalidArgumentError, BadEventError, or the store's own
        exception."""
        ids, sizes = _sets(state_sets)
        arr, lens = _id_arrays(ids)
        sz = (c_size_t * max(len(sizes), 1))(*sizes)
        out = c_void_p()
        err = _ffi.Error()
        with self._lock:
            rc = self._call(C.mxc_state_resolve, byref(out), self._ptr,
                            self._rv._ptr, arr, lens, sz, len(sizes),
                            _LITERAL_AUTH_DIFF if literal_auth_diff else 0,
                            byref(err))
            if rc:
                self._fail(rc, err)
        return _take_state(out.value)

    def auth_chain(self, event_ids: Iterable[str], *,
                   include_self: bool = False) -> List[str]:
        """The union of the auth chains of events, sorted (with the events
        themselves when ``include_self``)."""
        ids = [_as_id(i) for i in event_ids]
        arr, lens = _id_arrays(ids)
        out = c_void_p()
        err = _ffi.Error()
        with self._lock:
            rc = self._call(C.mxc_state_auth_chain, byref(out), self._ptr,
                            arr, lens, len(ids),
                            _INCLUDE_SELF if include_self else 0,
                            byref(err))
            if rc:
                self._fail(rc, err)
        return _take_ids(out.value)

    def auth_difference(self, state_sets: Iterable[Iterable[str]], *,
                        literal_auth_diff: bool = False) -> List[str]:
        """The auth difference of state sets, sorted."""
        ids, sizes = _sets(state_sets)
        arr, lens = _id_arrays(ids)
        sz = (c_size_t * max(len(sizes), 1))(*sizes)
        out = c_void_p()
        err = _ffi.Error()
        with self._lock:
            rc = self._call(C.mxc_state_auth_difference, byref(out),
                            self._ptr, arr, lens, sz, len(sizes),
                            _LITERAL_AUTH_DIFF if literal_auth_diff else 0,
                            byref(err))
            if rc:
                self._fail(rc, err)
        return _take_ids(out.value)


_ctx_free = C.mxc_ctx_free


class _CallbackState:
    """The exception a store callback raised during the current call."""

    __slots__ = ("pending",)

    def __init__(self) -> None:
        self.pending: Optional[BaseException] = None


class _NotFound(Exception):
    pass


def _mapping_fetch(m: Mapping) -> Any:
    def fetch(event_id: str) -> Any:
        try:
            return m[event_id]
        except KeyError:
            raise _NotFound from None
    return fetch


def state_dict(p: int) -> StateMap:
    """A library state map (borrowed) as a dict."""
    res: StateMap = {}
    t, k, i = c_void_p(), c_void_p(), c_void_p()
    tl, kl, il = c_size_t(), c_size_t(), c_size_t()
    for n in range(C.mxc_state_size(p)):
        _ffi.check(C.mxc_state_entry(p, n, byref(t), byref(tl), byref(k),
                                     byref(kl), byref(i), byref(il)))
        res[(_ffi.text(t.value, tl.value), _ffi.text(k.value, kl.value))] \
            = _ffi.text(i.value, il.value)
    return res


def _take_state(p: int) -> StateMap:
    try:
        return state_dict(p)
    finally:
        C.mxc_state_free(p)


def _take_ids(p: int) -> List[str]:
    try:
        return [_ffi.borrowed_text(C.mxc_id_list_at, p, n) or ""
                for n in range(C.mxc_id_list_size(p))]
    finally:
        C.mxc_id_list_free(p)


def _context(room_version: RoomVersionLike, events_or_store: Any,
             rejected: Iterable[str], labelled: bool) -> Context:
    if isinstance(events_or_store, (MemoryStore, Mapping)) or \
            callable(getattr(events_or_store, "get_event", None)):
        return Context(room_version, store=events_or_store,
                       rejected=rejected, labelled=labelled)
    if isinstance(events_or_store, (str, bytes)) or \
            not isinstance(events_or_store, Iterable):
        raise TypeError("events_or_store must be an iterable of events, a "
                        "MemoryStore, a mapping or an object with "
                        "get_event, not %s" % type(events_or_store).__name__)
    return Context(room_version, events=events_or_store, rejected=rejected,
                   labelled=labelled)


def resolve_state(room_version: RoomVersionLike,
                  state_sets: Iterable[Iterable[str]],
                  events_or_store: Any, *, rejected: Iterable[str] = (),
                  literal_auth_diff: bool = False,
                  labelled: bool = False) -> StateMap:
    """Resolve forked state by the room version's algorithm (v1, v2 or
    v2.1) and return {(type, state_key): event_id}.

    ``state_sets``: an iterable of state sets, each an iterable of the IDs
    of its state events (or a state map). ``events_or_store``: every event
    the algorithm may need (the state events and their auth chains) as an
    iterable of Events, dicts or JSON bytes; or a store (MemoryStore,
    mapping {event_id: event}, or object with ``get_event``) that is asked
    for them as needed. ``rejected``: IDs of events known to be rejected.
    ``labelled``: hand-written events whose ``event_id`` field labels them.
    """
    sets = _checked_sets(state_sets)  # before any event is parsed
    ctx = _context(room_version, events_or_store, rejected, labelled)
    return ctx.resolve(sets, literal_auth_diff=literal_auth_diff)


def auth_chain(room_version: RoomVersionLike, event_ids: Iterable[str],
               events_or_store: Any, *, include_self: bool = False,
               labelled: bool = False) -> List[str]:
    """The union of the auth chains of events (see Context.auth_chain)."""
    ids = [_as_id(i) for i in event_ids]
    ctx = _context(room_version, events_or_store, (), labelled)
    return ctx.auth_chain(ids, include_self=include_self)


def auth_difference(room_version: RoomVersionLike,
                    state_sets: Iterable[Iterable[str]],
                    events_or_store: Any, *,
                    literal_auth_diff: bool = False,
                    labelled: bool = False) -> List[str]:
    """The auth difference of state sets (see Context.auth_difference)."""
    sets = _checked_sets(state_sets)
    ctx = _context(room_version, events_or_store, (), labelled)
    return ctx.auth_difference(sets,
                               literal_auth_diff=literal_auth_diff)
