# SPDX-License-Identifier: Apache-2.0
"""Cryptography and signed JSON (keys.h): SHA-256, unpadded base64,
ed25519 signing keys, signing and verifying JSON objects (appendices:
Signing JSON), server key documents (server-server API: Retrieving server
keys) and X-Matrix request authentication.

Every object here is immutable once made and may be shared between
threads.
"""
from __future__ import annotations

import os
from ctypes import byref, c_int64, c_size_t, c_void_p, \
    create_string_buffer, string_at
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from . import _ffi
from ._ffi import C

__all__ = [
    "SHA256_BYTES", "ED25519_SEED_BYTES", "ED25519_PUBLIC_BYTES",
    "ED25519_SIG_BYTES", "sha256", "encode_base64", "decode_base64",
    "ed25519_verify", "SigningKey", "VerifyResult", "signing_bytes",
    "sign_json", "verify_json", "VerifyKey", "OldVerifyKey",
    "build_server_keys", "ServerKey", "ServerKeys", "sign_request",
    "XMatrix",
]

SHA256_BYTES: int = C.mxc_sha256_bytes()
ED25519_SEED_BYTES: int = C.mxc_ed25519_seed_bytes()
ED25519_PUBLIC_BYTES: int = C.mxc_ed25519_public_bytes()
ED25519_SIG_BYTES: int = C.mxc_ed25519_sig_bytes()

_URLSAFE = 1  # MXC_BASE64_URLSAFE
_BAD_SIGNATURE = -301


@dataclass(frozen=True)
class VerifyResult:
    """A signature check's verdict: ``valid``, and ``reason`` when not
    valid (the library's message). True in a boolean context when valid.
    """

    valid: bool
    reason: Optional[str] = None

    def __bool__(self) -> bool:
        return self.valid


def _verdict(st: int, err: _ffi.Error) -> VerifyResult:
    """MXC_OK -> valid; MXC_ERR_BAD_SIGNATURE -> not valid with the reason;
    anything else raises."""
    if st == 0:
        return VerifyResult(True)
    if st == _BAD_SIGNATURE:
        return VerifyResult(False, err.message.decode("utf-8", "replace"))
    raise _ffi.make_error(st, err)


# ---- primitives -------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    """SHA-256 of bytes (32 bytes)."""
    data = _ffi.as_bytes(data, "data")
    out = create_string_buffer(SHA256_BYTES)
    _ffi.check(C.mxc_sha256(out, data, len(data)))
    return out.raw


def encode_base64(data: bytes, *, urlsafe: bool = False) -> str:
    """Unpadded base64 (appendices: Unpadded Base64), standard alphabet or
    URL-safe."""
    data = _ffi.as_bytes(data, "data")
    with _ffi.OutBuf() as b:
        _ffi.check(C.mxc_base64_encode(b.ref, data, len(data),
                                       _URLSAFE if urlsafe else 0))
        return b.bytes().decode("ascii")


def decode_base64(text: str, *, urlsafe: bool = False) -> bytes:
    """Decode base64, padded or not. Raises Base64Error (``offset``: the
    offending character)."""
    if isinstance(text, str):
        raw = text.encode("utf-8", "surrogatepass")
    else:
        raw = _ffi.as_bytes(text, "text")
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        st = C.mxc_base64_decode(b.ref, raw, len(raw),
                                 _URLSAFE if urlsafe else 0, byref(err))
        _ffi.check(st, err)
        return b.bytes()


def ed25519_verify(signature: bytes, message: bytes,
                   public_key: bytes) -> bool:
    """Verify a raw ed25519 signature: True or False. Raises
    InvalidArgumentError for a key or signature of the wrong length."""
    signature = _ffi.as_bytes(signature, "signature")
    message = _ffi.as_bytes(message, "message")
    public_key = _ffi.as_bytes(public_key, "public_key")
    st = C.mxc_ed25519_verify(signature, len(signature), message,
                              len(message), public_key, len(public_key))
    if st == _BAD_SIGNATURE:
        return False
    _ffi.check(st, None, "ed25519_verify")
    return True


# ---- signing keys -----------------------------------------------------------


class SigningKey:
    """A server's ed25519 signing key: a 32-byte seed and a key ID
    (``"ed25519:" + [a-zA-Z0-9_]+``). The library keeps the seed and wipes
    it when the key is freed; it cannot be read back.

    >>> key = SigningKey(bytes(32), "ed25519:1")
    >>> key.key_id
    'ed25519:1'
    """

    _ptr: Optional[int]

    def __init__(self, seed: bytes, key_id: str) -> None:
        """Make a key from its 32-byte seed. Raises TypeError (seed not
        bytes, key ID not str), BadKeyError (wrong seed length, malformed
        key ID) or UnsupportedError (an algorithm other than ed25519)."""
        self._ptr = None
        seed = _ffi.as_bytes(seed, "seed")
        kid = _ffi.as_cstr(key_id, "key_id")
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_signing_key_new(byref(out), seed, len(seed), kid, None,
                                   byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        self._init_public()

    @classmethod
    def from_base64(cls, seed: str, key_id: str) -> "SigningKey":
        """Make a key from its seed in unpadded base64 (the form of
        Synapse's signing key files: ``ed25519 <version> <seed>``)."""
        raw = _ffi.as_cstr(seed, "seed")
        kid = _ffi.as_cstr(key_id, "key_id")
        self = cls.__new__(cls)
        self._ptr = None
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_signing_key_from_base64(byref(out), raw, len(raw), kid,
                                           None, byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        self._init_public()
        return self

    @classmethod
    def generate(cls, key_id: str) -> Tuple["SigningKey", bytes]:
        """A new key from 32 random bytes (os.urandom: the library itself
        has no randomness). Returns the key and its seed, to be stored."""
        seed = os.urandom(ED25519_SEED_BYTES)
        return cls(seed, key_id), seed

    def _init_public(self) -> None:
        buf = create_string_buffer(ED25519_PUBLIC_BYTES)
        _ffi.check(C.mxc_signing_key_public(buf, self._ptr))
        self._public = buf.raw
        self._key_id = C.mxc_signing_key_id(self._ptr).decode()

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _signing_key_free(p)

    @property
    def key_id(self) -> str:
        """The key ID, e.g. ``"ed25519:1"``."""
        return self._key_id

    @property
    def public_key(self) -> bytes:
        """The 32-byte ed25519 public key."""
        return self._public

    @property
    def public_key_base64(self) -> str:
        """The public key in unpadded base64 (as in key documents)."""
        return encode_base64(self._public)

    def sign(self, message: bytes) -> bytes:
        """A raw 64-byte ed25519 signature of ``message``."""
        message = _ffi.as_bytes(message, "message")
        sig = create_string_buffer(ED25519_SIG_BYTES)
        _ffi.check(C.mxc_signing_key_sign(sig, self._ptr, message,
                                          len(message)))
        return sig.raw

    def sign_json(self, obj: Any, server_name: str) -> dict:
        """Shorthand for ``sign_json(obj, server_name, self)``."""
        return sign_json(obj, server_name, self)

    def __repr__(self) -> str:
        return "SigningKey(%s, public=%s)" % (self._key_id,
                                               self.public_key_base64)


_signing_key_free = C.mxc_signing_key_free


def _key_ptr(key: Any) -> int:
    if not isinstance(key, SigningKey):
        raise TypeError("key must be a SigningKey, not %s"
                        % type(key).__name__)
    return key._ptr  # type: ignore[return-value]


# ---- signed JSON ------------------------------------------------------------


def signing_bytes(obj: Any) -> bytes:
    """The bytes a signature of ``obj`` covers: its canonical JSON without
    the top-level ``signatures`` and ``unsigned``."""
    h = _ffi.to_json_handle(obj, "obj", objects_only=True)
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        _ffi.check(C.mxc_json_signing_bytes(b.ref, h.ptr, byref(err)), err)
        return b.bytes()


def sign_json(obj: Any, server_name: str, key: SigningKey) -> dict:
    """Sign a JSON object (a dict, or bytes of JSON text) and return a new
    dict with the signature added under ``signatures[server_name][key
    ID]`` beside any existing ones (the input is not modified). Raises
    TypeError for a non-object, JSONTypeError when ``signatures`` is not an
    object of objects."""
    h = _ffi.to_json_handle(obj, "obj", objects_only=True)
    srv = _ffi.as_cstr(server_name, "server_name")
    kp = _key_ptr(key)
    out = c_void_p()
    err = _ffi.Error()
    st = C.mxc_json_sign(byref(out), h.ptr, srv, kp, None, byref(err))
    _ffi.check(st, err)
    return _ffi.take_json(out.value)


def verify_json(obj: Any, server_name: str, key_id: str,
                public_key: bytes) -> VerifyResult:
    """Check that ``obj`` carries a valid signature by ``server_name`` with
    ``key_id`` under ``public_key`` (32 bytes). A signature that is
    missing, malformed or wrong is ``VerifyResult(False, reason)``; a key
    ID whose algorithm is not ed25519 raises UnsupportedError, a public key
    of the wrong length InvalidArgumentError."""
    h = _ffi.to_json_handle(obj, "obj", objects_only=True)
    srv = _ffi.as_cstr(server_name, "server_name")
    kid = _ffi.as_cstr(key_id, "key_id")
    pk = _ffi.as_bytes(public_key, "public_key")
    err = _ffi.Error()
    st = C.mxc_json_verify(h.ptr, srv, kid, pk, len(pk), byref(err))
    return _verdict(st, err)


# ---- server key documents ---------------------------------------------------


@dataclass(frozen=True)
class VerifyKey:
    """A server's public key as the caller knows it, for verifying events:
    ``valid_until_ts`` of a current key or ``expired_ts`` of an old one
    (None when unknown)."""

    server_name: str
    key_id: str
    public_key: bytes
    valid_until_ts: Optional[int] = None
    expired_ts: Optional[int] = None


@dataclass(frozen=True)
class OldVerifyKey:
    """An old key to list in a new key document's ``old_verify_keys``."""

    key_id: str
    public_key: bytes
    expired_ts: int


def build_server_keys(server_name: str, keys: Sequence[SigningKey],
                      valid_until_ts: int,
                      old_keys: Sequence[OldVerifyKey] = ()) -> dict:
    """Build and sign a key document (``/_matrix/key/v2/server``): every
    key of ``keys`` is listed in ``verify_keys`` and signs it;
    ``old_keys`` go to ``old_verify_keys``."""
    srv = _ffi.as_cstr(server_name, "server_name")
    keys = list(keys)
    for k in keys:
        _key_ptr(k)
    ptrs = (c_void_p * max(len(keys), 1))(*[k._ptr for k in keys])
    olds = list(old_keys)
    old_arr = (_ffi.OldVerifyKey * max(len(olds), 1))()
    keep = []
    for i, o in enumerate(olds):
        if not isinstance(o, OldVerifyKey):
            raise TypeError("old_keys must hold OldVerifyKey, not %s"
                            % type(o).__name__)
        kid = _ffi.as_cstr(o.key_id, "key_id")
        pk = _ffi.as_bytes(o.public_key, "public_key")
        if len(pk) != ED25519_PUBLIC_BYTES:
            raise ValueError("old key %s: public key of %d bytes, not %d"
                             % (o.key_id, len(pk), ED25519_PUBLIC_BYTES))
        keep += [kid, pk]
        old_arr[i] = _ffi.OldVerifyKey(kid, pk,
                                       _ffi.as_int64(o.expired_ts,
                                                     "expired_ts"))
    out = c_void_p()
    err = _ffi.Error()
    st = C.mxc_server_keys_build(byref(out), srv, ptrs, len(keys), old_arr,
                                 len(olds),
                                 _ffi.as_int64(valid_until_ts,
                                               "valid_until_ts"),
                                 None, byref(err))
    _ffi.check(st, err)
    return _ffi.take_json(out.value)


@dataclass(frozen=True)
class ServerKey:
    """One usable key of a key document: ``until_ts`` is an old key's
    ``expired_ts`` or, for a current key, the document's
    ``valid_until_ts``."""

    key_id: str
    public_key: bytes
    is_old: bool
    until_ts: int


class ServerKeys:
    """A validated server key document whose server signed it.

    ``ServerKeys(doc, expected_server=None)`` checks the structure, the key
    IDs and bytes, and the self-signatures (BadKeyDocumentError,
    SignatureError). Iterating gives the usable keys (ServerKey): current
    ones first, then old ones, each in key ID order.
    """

    _ptr: Optional[int]

    def __init__(self, doc: Any, expected_server: Optional[str] = None
                 ) -> None:
        self._ptr = None
        exp = None if expected_server is None else \
            _ffi.as_cstr(expected_server, "expected_server")
        out = c_void_p()
        err = _ffi.Error()
        if isinstance(doc, (bytes, bytearray, memoryview)):
            data = bytes(doc)
            st = C.mxc_server_keys_parse(byref(out), data, len(data), exp,
                                         None, byref(err))
        else:
            h = _ffi.to_json_handle(doc, "doc", objects_only=True)
            st = C.mxc_server_keys_from_json(byref(out), h.ptr, exp, None,
                                             byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        p = self._ptr
        self._server = _ffi.borrowed_text(C.mxc_server_keys_server_name, p)
        self._until = C.mxc_server_keys_valid_until_ts(p)
        keys = []
        for i in range(C.mxc_server_keys_count(p)):
            keys.append(ServerKey(
                C.mxc_server_keys_key_id(p, i).decode(),
                string_at(C.mxc_server_keys_key_public(p, i),
                          ED25519_PUBLIC_BYTES),
                bool(C.mxc_server_keys_key_is_old(p, i)),
                C.mxc_server_keys_key_until_ts(p, i)))
        self._keys = tuple(keys)

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _server_keys_free(p)

    @property
    def server_name(self) -> str:
        """The document's ``server_name``."""
        return self._server  # type: ignore[return-value]

    @property
    def valid_until_ts(self) -> int:
        """The document's ``valid_until_ts`` (ms since the epoch)."""
        return self._until

    @property
    def json(self) -> dict:
        """The document itself, e.g. to store or forward."""
        return _ffi.to_python(C.mxc_server_keys_json(self._ptr))

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[ServerKey]:
        return iter(self._keys)

    def find(self, key_id: str) -> ServerKey:
        """The key with this ID; NotFoundError if the document lacks it."""
        idx = c_size_t()
        st = C.mxc_server_keys_find(byref(idx), self._ptr,
                                    _ffi.as_cstr(key_id, "key_id"))
        _ffi.check(st, None, "key %s" % key_id)
        return self._keys[idx.value]

    def key_for_event(self, key_id: str, ts: int) -> Tuple[bytes, int]:
        """The public key that may verify a signature by ``key_id`` on an
        event whose ``origin_server_ts`` is ``ts``, and until when it is
        valid. NotFoundError (no such key), BadKeyError (an old key that
        had expired by ``ts``)."""
        pk = c_void_p()
        until = c_int64()
        err = _ffi.Error()
        st = C.mxc_server_keys_key_for_event(
            byref(pk), byref(until), self._ptr,
            _ffi.as_cstr(key_id, "key_id"), _ffi.as_int64(ts, "ts"),
            byref(err))
        _ffi.check(st, err)
        return string_at(pk.value, ED25519_PUBLIC_BYTES), until.value

    def key_for_request(self, key_id: str, now_ts: int) -> bytes:
        """The public key that may verify a federation request signed with
        ``key_id`` at ``now_ts``: current keys only, while the document is
        valid. NotFoundError, BadKeyError."""
        pk = c_void_p()
        err = _ffi.Error()
        st = C.mxc_server_keys_key_for_request(
            byref(pk), self._ptr, _ffi.as_cstr(key_id, "key_id"),
            _ffi.as_int64(now_ts, "now_ts"), byref(err))
        _ffi.check(st, err)
        return string_at(pk.value, ED25519_PUBLIC_BYTES)

    def verify_notary(self, notary_name: str, key_id: str,
                      public_key: bytes) -> VerifyResult:
        """Check a notary's signature on the document (a response relayed
        through ``/_matrix/key/v2/query``)."""
        pk = _ffi.as_bytes(public_key, "public_key")
        err = _ffi.Error()
        st = C.mxc_server_keys_verify_notary(
            self._ptr, _ffi.as_cstr(notary_name, "notary_name"),
            _ffi.as_cstr(key_id, "key_id"), pk, len(pk), byref(err))
        return _verdict(st, err)

    def verify_keys(self) -> List[VerifyKey]:
        """The keys with their validity, for Event.verify and check_auth."""
        return [VerifyKey(self._server or "", k.key_id, k.public_key,
                          None if k.is_old else k.until_ts,
                          k.until_ts if k.is_old else None)
                for k in self._keys]

    def __repr__(self) -> str:
        return "ServerKeys(%s, %s)" % (self._server,
                                       [k.key_id for k in self._keys])


_server_keys_free = C.mxc_server_keys_free


# ---- X-Matrix ---------------------------------------------------------------


def _content_handle(content: Any) -> Optional[_ffi.JsonHandle]:
    if content is None:
        return None
    return _ffi.to_json_handle(content, "content")


def sign_request(key: SigningKey, method: str, uri: str, origin: str,
                 destination: str, content: Any = None) -> str:
    """The value of the ``Authorization`` header for a federation request
    (``X-Matrix origin="...",destination="...",key="...",sig="..."``).
    ``uri`` is the request target from ``/_matrix/`` on, query string
    included; ``content`` the JSON body (a dict or JSON bytes), or None
    when the request has none."""
    h = _content_handle(content)
    kp = _key_ptr(key)
    err = _ffi.Error()
    with _ffi.OutBuf() as b:
        st = C.mxc_xmatrix_sign(
            b.ref, _ffi.as_cstr(method, "method"), _ffi.as_cstr(uri, "uri"),
            _ffi.as_cstr(origin, "origin"),
            _ffi.as_cstr(destination, "destination"),
            h.ptr if h else None, kp, byref(err))
        _ffi.check(st, err)
        return b.bytes().decode("utf-8")


class XMatrix:
    """A parsed ``X-Matrix`` Authorization header value.

    ``XMatrix(value)`` parses it (BadHeaderError with ``offset`` and
    ``subject`` when malformed); ``origin``, ``destination`` (None when
    absent), ``key_id`` and ``signature`` (unpadded base64) are its
    parameters.
    """

    _ptr: Optional[int]

    def __init__(self, value: str) -> None:
        self._ptr = None
        raw = _ffi.as_text(value, "value")
        out = c_void_p()
        err = _ffi.Error()
        st = C.mxc_xmatrix_parse(byref(out), raw, len(raw), None, byref(err))
        _ffi.check(st, err)
        self._ptr = out.value
        p = self._ptr
        self.origin: str = _ffi.borrowed_text(C.mxc_xmatrix_origin, p) or ""
        self.destination: Optional[str] = _ffi.borrowed_text(
            C.mxc_xmatrix_destination, p)
        self.key_id: str = _ffi.borrowed_text(C.mxc_xmatrix_key_id, p) or ""
        self.signature: str = _ffi.borrowed_text(C.mxc_xmatrix_sig, p) or ""

    def __del__(self) -> None:
        p, self._ptr = getattr(self, "_ptr", None), None
        if p:
            _xmatrix_free(p)

    def verify(self, method: str, uri: str, my_server: str,
               public_key: bytes, content: Any = None) -> VerifyResult:
        """Verify the request against this header with the origin's public
        key for ``key_id``. ``my_server`` is the receiving server's name.
        A bad signature is ``VerifyResult(False, reason)``; a header meant
        for another destination raises BadHeaderError (deny with 401)."""
        h = _content_handle(content)
        pk = _ffi.as_bytes(public_key, "public_key")
        err = _ffi.Error()
        st = C.mxc_xmatrix_verify(
            self._ptr, _ffi.as_cstr(method, "method"),
            _ffi.as_cstr(uri, "uri"), _ffi.as_cstr(my_server, "my_server"),
            h.ptr if h else None, pk, len(pk), byref(err))
        return _verdict(st, err)

    def __repr__(self) -> str:
        return "XMatrix(origin=%r, destination=%r, key_id=%r)" % (
            self.origin, self.destination, self.key_id)


_xmatrix_free = C.mxc_xmatrix_free
