# SPDX-License-Identifier: Apache-2.0
"""No Python object leaks its C counterpart: 100,000 calls through every
kind of object and result the binding frees (buffers, JSON trees, events,
keys, key documents, headers, power levels, state sets, contexts, stores,
state maps, ID lists, keyrings, PDU verdicts, built events, error paths,
store callbacks that raise) with the
process's resident set size flat (growth under 10 MB after a warm-up).

Payloads are about 2 KB, so that one leaked result per call of any one
operation (over 8,000 calls each) would add well over the tolerance.
"""
import gc
import os
import unittest

import matrix_core as mc

from ._util import vectors

CALLS = int(os.environ.get("MXC_LEAK_CALLS", "100000"))
WARMUP = CALLS // 10
TOLERANCE = 10 * 1024 * 1024


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_ops():
    big = {"k%03d" % i: "v\u00e9\U0001F600" * 4 for i in range(100)}
    big_bytes = mc.canonical_json(big)
    key = mc.SigningKey(b"\x11" * 32, "ed25519:1")
    signed = mc.sign_json(big, "a.org", key)
    doc = mc.build_server_keys("a.org", [key], 2 ** 40)
    header = mc.sign_request(key, "PUT", "/_matrix/x", "a.org", "b.org", big)
    msg = {"type": "m.room.message", "sender": "@a:a.org",
           "room_id": "!r:a.org", "origin_server_ts": 1, "depth": 1,
           "prev_events": [], "auth_events": [], "content": big,
           "hashes": {"sha256": "x"}, "signatures": {}}
    ev = mc.Event(msg, "11")
    signed_ev = ev.sign("a.org", key)
    keys = {"a.org": {"ed25519:1": key.public_key}}
    case = vectors("state_res/scenarios.json")[0]
    by_id = {e["event_id"]: e for e in case["events"]}
    auth_case = vectors("auth/rules.json")[0]
    auth_state = [mc.Event(e, auth_case["room_version"], labelled=True)
                  for e in auth_case["state"]]
    auth_ev = mc.Event(auth_case["event"], auth_case["room_version"],
                       labelled=True)
    pl_content = {"users": {"@u%d:a.org" % i: i for i in range(80)}}

    class Failing:
        def get_event(self, event_id):
            raise RuntimeError("down")

    def canonical():
        mc.canonical_json(big)
        mc.canonical_json(big_bytes)

    def parse_errors():
        for bad in (big_bytes + b"x", b'{"a":1,"a":2}' + b" " * 2000):
            try:
                mc.canonical_json(bad)
            except mc.JSONError:
                pass

    def signing():
        mc.sign_json(big, "a.org", key)
        mc.verify_json(signed, "a.org", "ed25519:1", key.public_key)
        mc.SigningKey(b"\x12" * 32, "ed25519:2").sign(big_bytes)

    def server_keys():
        sk = mc.ServerKeys(doc)
        sk.key_for_event("ed25519:1", 5)
        sk.json

    def xmatrix():
        x = mc.XMatrix(header)
        x.verify("PUT", "/_matrix/x", "b.org", key.public_key, big)

    def events():
        e = mc.Event(msg, "11")
        e.content_hash()
        e.redact()
        e.event_id, e.content, e.json

    def event_verify():
        signed_ev.verify(keys)
        ev.sign("a.org", key)

    def auth():
        mc.check_auth(auth_ev, auth_state)
        mc.auth_types(auth_ev)
        pl = mc.PowerLevels("10", pl_content)
        pl.user_level("@u5:a.org")

    def resolve():
        mc.resolve_state(case["room_version"], case["state_sets"], by_id,
                         labelled=True)
        mc.auth_chain(case["room_version"], case["state_sets"][0],
                      mc.MemoryStore(case["room_version"], case["events"],
                                     labelled=True), labelled=True)

    def callback_error():
        try:
            mc.resolve_state(case["room_version"], case["state_sets"],
                             Failing(), labelled=True)
        except RuntimeError:
            pass

    from .test_pdu_builder import RV, TS, Room
    room = Room()
    room_msg = room.pdu({"type": "m.room.message", "sender": room.events[1]
                         .sender, "content": {"body": "x" * 1500}})
    room_state = list(room.state.values())
    room_jsons = [e.json for e in room.events]
    current = [e.event_id for e in room_state]

    def keyring_and_pdu():
        kr = room.keyring()
        kr.verify_events([room_msg], now_ts=TS)
        ctx = mc.Context(RV, events=room_jsons)
        res = mc.check_pdu(ctx, kr, room_msg.json, now_ts=TS,
                           current_state=current)
        res.event.content

    def build():
        mc.build_event(RV, {"type": "m.room.message",
                            "sender": room_msg.sender,
                            "content": {"body": "y" * 1500}},
                       room_state, room.tip, TS, "a.org", room.ka)
        try:
            mc.build_event(RV, {"type": "m.room.message",
                                "sender": "@eve:a.org", "content": {}},
                           room_state, room.tip, TS, "a.org", room.ka)
        except mc.AuthRejectedError:
            pass

    return [canonical, parse_errors, signing, server_keys, xmatrix, events,
            event_verify, auth, resolve, callback_error, keyring_and_pdu,
            build]


class Leaks(unittest.TestCase):
    def test_rss_flat_over_100k_calls(self):
        ops = make_ops()
        for i in range(WARMUP):
            ops[i % len(ops)]()
        gc.collect()
        before = rss_bytes()
        for i in range(CALLS):
            ops[i % len(ops)]()
        gc.collect()
        grown = rss_bytes() - before
        self.assertLess(grown, TOLERANCE,
                        "RSS grew by %.1f MB over %d calls"
                        % (grown / 2 ** 20, CALLS))


if __name__ == "__main__":
    unittest.main()
