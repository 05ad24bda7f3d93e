# SPDX-License-Identifier: Apache-2.0
"""Threads: immutable objects shared by many threads give the answers a
single thread gets; mutable ones (AuthState, MemoryStore, Context)
serialise their calls; and the library is called through ctypes.CDLL,
whose foreign calls release the GIL (a PyDLL would hold it)."""
import ctypes
import threading
import unittest

import matrix_core as mc
from matrix_core import _ffi

THREADS = 8
ROUNDS = 200


def run_threads(fn):
    errors = []

    def body():
        try:
            for _ in range(ROUNDS):
                fn()
        except BaseException as e:  # reported by the test
            errors.append(repr(e))

    ts = [threading.Thread(target=body) for _ in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


class GIL(unittest.TestCase):
    def test_loaded_with_cdll(self):
        self.assertIs(type(_ffi.lib), ctypes.CDLL)
        self.assertNotIsInstance(_ffi.lib, ctypes.PyDLL)
        # _FUNCFLAG_PYTHONAPI is what makes ctypes keep the GIL
        for name in _ffi.DECLARATIONS:
            if name in _ffi.MISSING:
                continue
            fn = getattr(_ffi.lib, name)
            self.assertFalse(fn._flags_ & ctypes._FUNCFLAG_PYTHONAPI, name)


class SharedObjects(unittest.TestCase):
    def test_shared_key_event_and_documents(self):
        key = mc.SigningKey(b"\x21" * 32, "ed25519:1")
        msg = {"type": "m.room.message", "sender": "@a:a.org",
               "room_id": "!r:a.org", "origin_server_ts": 1, "depth": 1,
               "prev_events": [], "auth_events": [],
               "content": {"body": "x" * 500}, "hashes": {"sha256": "x"},
               "signatures": {}}
        ev = mc.Event(msg, "11").sign("a.org", key)
        sk = mc.ServerKeys(mc.build_server_keys("a.org", [key], 2 ** 40))
        header = mc.sign_request(key, "GET", "/x", "a.org", "b.org")
        x = mc.XMatrix(header)
        pl = mc.PowerLevels("11", {"users": {"@a:a.org": 70}})
        want = (ev.event_id, ev.content_hash(), key.sign(b"m"),
                mc.sign_json({"k": 1}, "a.org", key))

        def check():
            got = (ev.event_id, ev.content_hash(), key.sign(b"m"),
                   mc.sign_json({"k": 1}, "a.org", key))
            assert got == want, got
            assert ev.verify(sk), "event verify"
            assert x.verify("GET", "/x", "b.org", key.public_key)
            assert pl.user_level("@a:a.org") == 70
            assert ev.redact().event_id == want[0]

        self.assertEqual(run_threads(check), [])

    def test_shared_auth_state_and_store(self):
        create = {"event_id": "$c", "type": "m.room.create",
                  "state_key": "", "sender": "@a:a", "room_id": "!r:a",
                  "content": {"creator": "@a:a"}}
        join = {"event_id": "$j", "type": "m.room.member",
                "state_key": "@a:a", "sender": "@a:a", "room_id": "!r:a",
                "content": {"membership": "join"}, "prev_events": ["$c"]}
        st = mc.AuthState([mc.Event(create, "10", labelled=True)])
        ev = mc.Event(join, "10", labelled=True)
        ms = mc.MemoryStore("10", labelled=True)
        n = [0]
        lock = threading.Lock()

        def work():
            r = mc.check_auth(ev, st)
            assert r.allowed, r.reason
            with lock:
                n[0] += 1
                i = n[0]
            ms.add(dict(join, event_id="$j%d" % i))
            st.set(mc.Event(dict(join, event_id="$j%d" % i), "10",
                            labelled=True))
            assert st.get("m.room.create").event_id == "$c"

        self.assertEqual(run_threads(work), [])
        self.assertEqual(len(ms), THREADS * ROUNDS)
        self.assertEqual(len(st), 2)


if __name__ == "__main__":
    unittest.main()
