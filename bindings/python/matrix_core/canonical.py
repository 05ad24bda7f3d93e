# SPDX-License-Identifier: Apache-2.0
"""Canonical JSON (appendices: Canonical JSON) and strict JSON parsing.

Values go in as Python objects (serialised with
``json.dumps(ensure_ascii=False)``: dicts, lists, tuples, str, int, float,
bool, None, and any other Mapping) or as ``bytes`` holding JSON text, which
the library parses itself (duplicate keys, invalid UTF-8 and other traps
are refused there, not silently accepted as Python's json module would).
"""
from __future__ import annotations

from ctypes import byref
from typing import Any

from . import _ffi
from ._ffi import C

__all__ = ["canonical_json", "parse_json", "MAX_DEPTH", "MAX_NUMBER_DIGITS"]

#: Deepest nesting of arrays and objects the parser accepts.
MAX_DEPTH: int = C.mxc_json_max_depth()
#: Most digits the lenient encoder writes for one integral number.
MAX_NUMBER_DIGITS: int = C.mxc_json_max_number_digits()

_LENIENT = 1  # MXC_JSON_LENIENT_NUMBERS


def canonical_json(value: Any, *, lenient: bool = False) -> bytes:
    """The canonical JSON encoding of a value, as UTF-8 bytes.

    ``value`` is a Python value (a ``str`` is a JSON string, not JSON text)
    or ``bytes`` of JSON text. By default numbers must be canonical JSON
    integers (within +-(2**53 - 1)); ``lenient=True`` accepts any number as
    room versions 1 to 5 do (floats then come out as Python's ``repr``,
    integral values as integers).

    Raises TypeError for values JSON cannot hold, ValueError for NaN and
    infinities, and a JSONError subclass for what the library refuses
    (JSONNumberRangeError, JSONSyntaxError, JSONDuplicateKeyError, ...).
    """
    data = _ffi.json_text(value)
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        st = C.mxc_canonical_json(b.ref, data, len(data),
                                  _LENIENT if lenient else 0, byref(err))
        _ffi.check(st, err)
        return b.bytes()


def parse_json(data: bytes, *, lenient: bool = False) -> Any:
    """Parse JSON bytes with the library's strict parser and return Python
    values. Raises TypeError unless ``data`` is bytes-like, and a
    JSONError subclass where the library refuses the text."""
    data = _ffi.as_bytes(data, "data")
    h = _ffi.JsonHandle(data, lenient)
    return _ffi.to_python(h.ptr)
