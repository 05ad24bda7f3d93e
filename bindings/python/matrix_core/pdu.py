# SPDX-License-Identifier: Apache-2.0
"""The checks performed on receipt of a PDU (pdu.h), in the spec's order:
format, signatures (through a Keyring), hashes (redacting on failure),
auth against the auth events, against the state before the event, against
the current state (soft failure), and a Policy Server's signature.

``check_pdu(ctx, keyring, pdu)`` returns a PduResult whatever the outcome
("accepted", "soft_failed", "rejected", "dropped"). Events come from the
Context (handed over, or through its store) and, when missing, through the
transport's ``request_events``; keys from the Keyring and, when missing,
through ``request_keys``. When something cannot be had now, it raises
NeedInputError with ``missing`` (event IDs) and ``missing_keys``; any
exception raised by a callback comes back out of the call as itself.
"""
from __future__ import annotations

from ctypes import byref, c_char_p, c_void_p, pointer
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from . import _ffi
from ._ffi import C
from .errors import WouldBlockError, status_name
from .event import Event
from .keyring import Keyring, _Pending, transport_ops
from .state_res import Context, StateMap, state_dict

__all__ = ["check_pdu", "PduResult", "PDU_STEPS"]

_PARSE_LABELLED = 1
_NOT_FOUND = -102
_NEED_INPUT = -402
_MISSING_EVENT = -403
_WOULDBLOCK = -501
_CALLBACK = -902

#: The checks, by number (PduResult.step): 0 none (accepted).
PDU_STEPS = {0: "none", 1: "format", 2: "signatures", 3: "hashes",
             4: "auth_events", 5: "state_before", 6: "current_state",
             7: "policy_server"}


@dataclass(frozen=True)
class PduResult:
    """The verdict on a received PDU.

    ``outcome``: "accepted", "soft_failed", "rejected" or "dropped";
    ``redacted``: the hash check failed and the event was redacted;
    ``step``: the check that decided (PDU_STEPS); ``status`` / ``code``:
    the status behind the outcome (0 / "ok" when accepted); ``reason``:
    why ("" when accepted without redaction); ``event``: the event as
    processed (None when dropped at step 1); ``state_after``: the state
    after the event, {(type, state_key): event_id} (None when dropped).
    True in a boolean context when accepted.
    """

    outcome: str
    redacted: bool
    step: int
    status: int
    code: str
    reason: str
    event: Optional[Event]
    state_after: Optional[StateMap]

    def __bool__(self) -> bool:
        return self.outcome == "accepted"


class _Result:
    """Owns an mxc_pdu_result while the Event borrowed from it lives."""

    __slots__ = ("ptr",)

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr

    def __del__(self) -> None:
        p, self.ptr = self.ptr, None
        if p:
            _result_free(p)


_result_free = C.mxc_pdu_result_free


def _state_after_fn(fn: Callable[[str], Any], pending: _Pending) -> Any:
    def get_state_after(out: Any, event_id: bytes, user_data: Any) -> int:
        try:
            ids = fn(event_id.decode("utf-8", "surrogatepass"))
            if ids is None:
                return _NOT_FOUND
            if isinstance(ids, (str, bytes)):
                raise TypeError("get_state_after must return event IDs, "
                                "not %s" % type(ids).__name__)
            data = _ffi.json_text(list(ids), "state after")
            return C.mxc_buf_set(out, data, len(data))
        except WouldBlockError:
            return _WOULDBLOCK
        except BaseException as e:  # noqa: B902 - re-raised after the call
            if pending.exc is None:
                pending.exc = e
            return _CALLBACK
    return _ffi.STORE_GET_FN(get_state_after)


def check_pdu(ctx: Context, keyring: Keyring, pdu: Any, *,
              origin: Optional[str] = None, now_ts: Optional[int] = None,
              current_state: Optional[Iterable[str]] = None,
              get_state_after: Optional[Callable[[str], Any]] = None,
              transport: Any = None) -> PduResult:
    """Run the checks on receipt of a PDU (a dict or the JSON bytes as
    received) in the room of ``ctx``, with the keys of ``keyring``.

    ``origin``: the server that sent it (quoted in reasons). ``now_ts``:
    the current time (ms), for key validity. ``current_state``: the event
    IDs of the room's current state (steps 6 and 7; None skips them).
    ``get_state_after(event_id)``: the IDs of the state after an event the
    host knows, or None to let the library derive it. ``transport``: an
    object with ``request_events(ids)`` / ``request_keys(server, key_ids,
    min_valid_until_ts)``, which hands what it fetches over with
    ``ctx.add_event`` / ``keyring.add_json``, or raises WouldBlockError.

    On completion the context holds the event as processed and records a
    rejection; the host persists the event, its outcome and state_after.
    """
    if not isinstance(ctx, Context):
        raise TypeError("ctx must be a Context, not %s" % type(ctx).__name__)
    if not isinstance(keyring, Keyring):
        raise TypeError("keyring must be a Keyring, not %s"
                        % type(keyring).__name__)
    data = _ffi.json_object_text(pdu, "pdu")
    opt = _ffi.PduOptions()
    C.mxc_pdu_options_init(byref(opt))
    keep: list = []
    if origin is not None:
        o = _ffi.as_cstr(origin, "origin")
        keep.append(o)
        opt.origin = o
    opt.now_ts = _ffi.optional_ts(now_ts, "now_ts")
    if current_state is not None:
        if isinstance(current_state, (str, bytes)):
            raise TypeError("current_state must be an iterable of event "
                            "IDs, not %s" % type(current_state).__name__)
        ids = [_ffi.as_cstr(i, "event ID") for i in current_state]
        arr = (c_char_p * max(len(ids), 1))(*ids)
        keep += [ids, arr]
        opt.current_state = arr
        opt.n_current_state = len(ids)
    pending = _Pending()
    if get_state_after is not None:
        if not callable(get_state_after):
            raise TypeError("get_state_after must be callable")
        fn = _state_after_fn(get_state_after, pending)
        keep.append(fn)
        opt.get_state_after = fn
    if transport is not None:
        ops = transport_ops(transport, pending)
        keep.append(ops)
        opt.transport = pointer(ops)
    out = c_void_p()
    err = _ffi.Error()
    with ctx._lock, keyring._lock:
        try:
            rc = ctx._call(C.mxc_pdu_check, byref(out), ctx._ptr,
                           keyring._ptr, byref(opt), data, len(data),
                           byref(err))
        finally:
            exc, pending.exc = pending.exc, None
        if exc is not None:
            if out.value:
                _result_free(out.value)
            raise exc
        if rc:
            e = _ffi.make_error(rc, err)
            if rc in (_NEED_INPUT, _MISSING_EVENT):
                e.missing = ctx._missing()  # type: ignore[attr-defined]
            if rc == _NEED_INPUT:
                e.missing_keys = keyring._missing()  # type: ignore
            raise e
    holder = _Result(out.value)
    p = holder.ptr
    outcome = C.mxc_pdu_outcome_name(C.mxc_pdu_result_outcome(p))
    status = C.mxc_pdu_result_status(p)
    ev = C.mxc_pdu_result_event(p)
    sa = C.mxc_pdu_result_state_after(p)
    return PduResult(
        outcome=outcome.decode() if outcome else "unknown",
        redacted=bool(C.mxc_pdu_result_redacted(p)),
        step=C.mxc_pdu_result_step(p),
        status=status,
        code=status_name(status),
        reason=(C.mxc_pdu_result_reason(p) or b"").decode("utf-8",
                                                          "replace"),
        event=Event._wrap(ev, _PARSE_LABELLED if ctx._labelled else 0,
                          owner=holder) if ev else None,
        state_after=state_dict(sa) if sa else None)
