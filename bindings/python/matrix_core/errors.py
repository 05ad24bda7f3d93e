# SPDX-License-Identifier: Apache-2.0
"""Exceptions: one MatrixCoreError subclass per status code of the
library's table (common.h), grouped under a few category bases so that
callers may catch broadly (``except JSONError``) or precisely
(``except JSONDuplicateKeyError``).

Every exception carries what the library said: ``status`` (the negative
code), ``code`` (its stable name from mxc_strerror, e.g.
``"json_duplicate_key"``, the same as the ``mxc batch`` protocol's error
codes), ``message`` (the library's English message), ``subject`` (the JSON
path or event ID concerned, or ``""``), ``offset`` (byte offset into the
input, for parse errors) and ``reason`` (a module detail such as an auth
rule code).

A status the binding does not know (a newer library) raises the base
class, with its name from mxc_strerror.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import _ffi

__all__ = [
    "MatrixCoreError", "InvalidArgumentError", "NotFoundError",
    "UnsupportedError", "JSONError", "JSONSyntaxError", "JSONUTF8Error",
    "JSONDuplicateKeyError", "JSONDepthError", "JSONNumberRangeError",
    "JSONTypeError", "Base64Error", "BadKeyError",
    "BadHeaderError", "BadKeyDocumentError", "UnknownRoomVersionError",
    "EventError", "BadEventError", "EventTooLargeError",
    "BadIdentifierError", "RoomIdMismatchError", "SignatureError",
    "HashMismatchError", "AuthRejectedError", "NeedInputError",
    "MissingEventError", "WouldBlockError", "FatalError", "NoMemoryError",
    "CallbackError", "status_name", "status_message", "status_value",
]


class MatrixCoreError(Exception):
    """A failure reported by libmatrix-core.

    Attributes: status (int, negative), code (str, the status's stable
    name), message (str), subject (str), offset (int), reason (int).
    """

    status: int
    code: str
    message: str
    subject: str
    offset: int
    reason: int

    def __init__(self, message: str, *, status: int = -900,
                 subject: str = "", offset: int = 0, reason: int = 0
                 ) -> None:
        self.status = status
        self.code = status_name(status)
        self.message = message
        self.subject = subject
        self.offset = offset
        self.reason = reason
        text = "%s: %s" % (self.code, message)
        if subject and subject not in message:
            text += " (at %s)" % subject
        super().__init__(text)

    @classmethod
    def from_status(cls, status: int, err: Optional[_ffi.Error] = None,
                    fallback: str = "") -> "MatrixCoreError":
        """Build the exception of a status and the mxc_error the call
        filled (if any)."""
        message = subject = ""
        offset = reason = 0
        if err is not None and err.status == status:
            message = err.message.decode("utf-8", "replace")
            subject = err.subject.decode("utf-8", "replace")
            offset = err.offset
            reason = err.reason
        if not message:
            message = status_message(status)
            if fallback:
                message = "%s: %s" % (fallback, message)
        return cls(message, status=status, subject=subject, offset=offset,
                   reason=reason)


class InvalidArgumentError(MatrixCoreError, ValueError):
    """invalid_argument: the library refused an argument."""


class NotFoundError(MatrixCoreError, LookupError):
    """not_found: no such key, entry or name."""


class UnsupportedError(MatrixCoreError):
    """unsupported: an algorithm or feature the library does not support
    (a key ID whose algorithm is not ed25519)."""


class JSONError(MatrixCoreError, ValueError):
    """Base of the JSON statuses (json_*)."""


class JSONSyntaxError(JSONError):
    """json_syntax: not JSON (RFC 8259), or a byte order mark."""


class JSONUTF8Error(JSONError):
    """json_utf8: invalid UTF-8 or a lone surrogate."""


class JSONDuplicateKeyError(JSONError):
    """json_duplicate_key: a key repeated in one object."""


class JSONDepthError(JSONError):
    """json_depth: nested deeper than the library's limit."""


class JSONNumberRangeError(JSONError):
    """json_number_range: a number canonical JSON does not allow (a float,
    or an integer outside [-(2**53)+1, 2**53-1])."""


class JSONTypeError(JSONError):
    """json_type: a JSON value of the wrong type (an array where an object
    belongs)."""


class Base64Error(MatrixCoreError, ValueError):
    """base64: invalid base64 text."""


class BadKeyError(MatrixCoreError, ValueError):
    """bad_key: a malformed seed or key ID, or an expired key."""


class BadHeaderError(MatrixCoreError, ValueError):
    """bad_header: an invalid X-Matrix Authorization header, or one for
    another destination."""


class BadKeyDocumentError(MatrixCoreError, ValueError):
    """bad_key_document: an invalid server key document."""


class UnknownRoomVersionError(MatrixCoreError, ValueError):
    """unknown_room_version: not a room version of the table."""


class EventError(MatrixCoreError, ValueError):
    """Base of the event statuses."""


class BadEventError(EventError):
    """bad_event: an event that breaks the PDU format."""


class EventTooLargeError(EventError):
    """event_too_large: over a size limit."""


class BadIdentifierError(EventError):
    """bad_identifier: an identifier outside its grammar."""


class RoomIdMismatchError(EventError):
    """room_id_mismatch: the room ID does not match the create event."""


class SignatureError(MatrixCoreError):
    """bad_signature: a signature missing or invalid."""


class HashMismatchError(MatrixCoreError):
    """hash_mismatch: the content hash does not match."""


class AuthRejectedError(MatrixCoreError):
    """auth_rejected: rejected by the authorisation rules (check_auth
    returns this as an AuthResult rather than raising it)."""


class NeedInputError(MatrixCoreError):
    """need_input: something must be fetched first. ``missing`` lists the
    event IDs the call found missing, ``missing_keys`` the keys as
    (server, key_id, min_valid_until_ts or None); for auth rule 4.2.1
    ``subject`` names the server whose key is needed."""

    def __init__(self, message: str, *, missing: Optional[List[str]] = None,
                 missing_keys: Optional[List[Tuple[str, str, Optional[int]]]]
                 = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.missing: List[str] = list(missing or [])
        self.missing_keys: List[Tuple[str, str, Optional[int]]] = \
            list(missing_keys or [])


class MissingEventError(MatrixCoreError):
    """missing_event: referenced events do not exist for the host;
    ``missing`` lists their IDs."""

    def __init__(self, message: str, *, missing: Optional[List[str]] = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.missing: List[str] = list(missing or [])


class WouldBlockError(MatrixCoreError):
    """wouldblock: raise it from a store's get_event to say "not available
    now"; the operation then ends with NeedInputError listing every ID it
    missed."""

    def __init__(self, message: str = "not available now", **kw: Any
                 ) -> None:
        kw.setdefault("status", -501)
        super().__init__(message, **kw)


class FatalError(MatrixCoreError):
    """fatal: an internal error."""


class NoMemoryError(MatrixCoreError, MemoryError):
    """nomem: out of memory."""


class CallbackError(MatrixCoreError):
    """callback: a host callback failed or broke its contract."""


# status name -> class; values come from the library (mxc_status_from_name)
_BY_NAME: Dict[str, type] = {
    "invalid_argument": InvalidArgumentError,
    "not_found": NotFoundError,
    "unsupported": UnsupportedError,
    "json_syntax": JSONSyntaxError,
    "json_utf8": JSONUTF8Error,
    "json_duplicate_key": JSONDuplicateKeyError,
    "json_depth": JSONDepthError,
    "json_number_range": JSONNumberRangeError,
    "json_type": JSONTypeError,
    "base64": Base64Error,
    "bad_key": BadKeyError,
    "bad_header": BadHeaderError,
    "bad_key_document": BadKeyDocumentError,
    "unknown_room_version": UnknownRoomVersionError,
    "bad_event": BadEventError,
    "event_too_large": EventTooLargeError,
    "bad_identifier": BadIdentifierError,
    "room_id_mismatch": RoomIdMismatchError,
    "bad_signature": SignatureError,
    "hash_mismatch": HashMismatchError,
    "auth_rejected": AuthRejectedError,
    "need_input": NeedInputError,
    "missing_event": MissingEventError,
    "wouldblock": WouldBlockError,
    "fatal": FatalError,
    "nomem": NoMemoryError,
    "callback": CallbackError,
}


def status_name(status: int) -> str:
    """The stable lowercase name of a status (mxc_strerror): "ok",
    "json_syntax", ...; "unknown_status" for other values."""
    return _ffi.C.mxc_strerror(int(status)).decode()


def status_message(status: int) -> str:
    """The library's English description of a status."""
    return _ffi.C.mxc_status_message(int(status)).decode()


def status_value(name: str) -> int:
    """The value of a status by its stable name; NotFoundError for an
    unknown name."""
    out = _ffi.c_int()
    st = _ffi.C.mxc_status_from_name(_ffi.byref(out),
                                     _ffi.as_cstr(name, "name"))
    _ffi.check(st, None, "status %r" % name)
    return out.value


def _register() -> Tuple[int, ...]:
    # every row of the library's status table gets a class: its own, or
    # MatrixCoreError for a status newer than this binding
    known = []
    for i in range(_ffi.C.mxc_status_count()):
        value = _ffi.C.mxc_status_at(i)
        if value == 0:
            continue
        name = _ffi.C.mxc_strerror(value).decode()
        _ffi.ERROR_CLASSES[value] = _BY_NAME.get(name, MatrixCoreError)
        known.append(value)
    _ffi._BASE_ERROR.append(MatrixCoreError)
    return tuple(known)


KNOWN_STATUSES = _register()
