# SPDX-License-Identifier: Apache-2.0
"""Building events (a room made from nothing with build_event), the join
handshake (make_join, check_send_join), and the checks on receipt of a
PDU (check_pdu) on events of that room: accepted, redacted on a hash
failure, dropped on a bad signature, rejected by the auth rules, and the
"fetch first" protocol through a Python transport."""
import unittest

import matrix_core as mc

RV = "11"
TS = 1_700_000_000_000
A, B = "@alice:a.org", "@bob:b.org"
ROOM = "!room:a.org"


class Room:
    """A v11 room on a.org: create, Alice's join, power levels, public
    join rules; each PDU put together by hand (auth events as auth events
    selection names them, in its order) and signed with sign_event."""

    def __init__(self):
        self.ka = mc.SigningKey(b"\x0a" * 32, "ed25519:a")
        self.kb = mc.SigningKey(b"\x0b" * 32, "ed25519:b")
        self.docs = {"a.org": mc.build_server_keys("a.org", [self.ka],
                                                   TS + 10 ** 9),
                     "b.org": mc.build_server_keys("b.org", [self.kb],
                                                   TS + 10 ** 9)}
        self.state = {}
        self.events = []
        self.tip = []
        for proto in self.protos():
            self.send(proto)

    @staticmethod
    def protos():
        return [
            {"type": "m.room.create", "state_key": "", "sender": A,
             "room_id": ROOM, "content": {"room_version": RV}},
            {"type": "m.room.member", "state_key": A, "sender": A,
             "content": {"membership": "join"}},
            {"type": "m.room.power_levels", "state_key": "", "sender": A,
             "content": {"users": {A: 100}}},
            {"type": "m.room.join_rules", "state_key": "", "sender": A,
             "content": {"join_rule": "public"}},
        ]

    def pdu(self, proto, ts=None):
        """The PDU build_event should make of a prototype."""
        pdu = dict(proto, room_id=ROOM,
                   origin_server_ts=ts or TS + len(self.events),
                   prev_events=[e.event_id for e in self.tip],
                   depth=max([e.depth for e in self.tip], default=0) + 1)
        probe = mc.Event(dict(pdu, auth_events=[], hashes={"sha256": "x"},
                              signatures={}), RV)
        pdu["auth_events"] = [self.state[k].event_id
                              for k in mc.auth_types(probe)
                              if k in self.state]
        return mc.Event(mc.sign_event(pdu, RV, "a.org", self.ka), RV)

    def send(self, proto):
        ev = self.pdu(proto)
        self.events.append(ev)
        if ev.is_state:
            self.state[(ev.type, ev.state_key)] = ev
        self.tip = [ev]
        return ev

    def build(self, proto, ts=None):
        return mc.build_event(RV, proto, list(self.state.values()),
                              self.tip, ts or TS + len(self.events),
                              "a.org", self.ka)

    def keyring(self):
        kr = mc.Keyring()
        for server, doc in self.docs.items():
            kr.add_json(doc, server)
        return kr


class BuildEvent(unittest.TestCase):
    def test_room_from_nothing(self):
        # build_event makes, event for event, the PDUs put together by hand
        r = Room()
        built = Room.__new__(Room)
        built.ka, built.state, built.events, built.tip = r.ka, {}, [], []
        for proto, want in zip(Room.protos(), r.events):
            ev = built.build(proto)
            self.assertEqual(ev.json, want.json)
            self.assertEqual(ev.event_id, want.event_id)
            built.events.append(ev)
            built.state[(ev.type, ev.state_key)] = ev
            built.tip = [ev]
        msg = built.build({"type": "m.room.message", "sender": A,
                           "content": {"body": "hi"}})
        self.assertFalse(msg.is_state)
        self.assertEqual(msg.json, r.pdu({"type": "m.room.message",
                                          "sender": A,
                                          "content": {"body": "hi"}}).json)

    def test_refusals(self):
        r = Room()
        with self.assertRaises(mc.AuthRejectedError) as cm:
            r.build({"type": "m.room.message", "sender": "@eve:a.org",
                      "content": {}})
        self.assertTrue(cm.exception.message.startswith("v11 auth rule"))
        with self.assertRaises(mc.InvalidArgumentError):
            r.build({"type": "m.room.message", "sender": B, "content": {}})
        with self.assertRaises(mc.BadEventError):
            r.build({"type": "m.room.message", "sender": A, "content": {},
                      "depth": 5})
        with self.assertRaises(mc.RoomIdMismatchError):
            r.build({"type": "m.room.message", "sender": A, "content": {},
                     "room_id": "!other:a.org"})
        with self.assertRaises(TypeError):
            mc.build_event(RV, {"type": "x"}, None, [{"a": 1}], TS, "a.org",
                           r.ka)
        with self.assertRaises(TypeError):
            mc.build_event(RV, "proto", None, [], TS, "a.org", r.ka)
        with self.assertRaises(TypeError):
            mc.build_event(RV, {"type": "x"}, 5, [], TS, "a.org", r.ka)


class JoinHandshake(unittest.TestCase):
    def test_make_and_send_join(self):
        r = Room()
        state = list(r.state.values())
        template = {"type": "m.room.member", "state_key": B, "sender": B,
                    "room_id": ROOM, "content": {"membership": "join"},
                    "auth_events": [e.event_id for e in state],
                    "prev_events": [r.tip[0].event_id],
                    "depth": r.tip[0].depth + 1,
                    "origin_server_ts": TS}
        join = mc.make_join(RV, {"room_version": RV, "event": template},
                            ROOM, B, TS + 100, "b.org", r.kb)
        self.assertEqual(join.sender, B)
        self.assertEqual(join.origin_server_ts, TS + 100)
        self.assertTrue(join.verify({"b.org": {"ed25519:b":
                                               r.kb.public_key}}))
        # the resident adds its signature and answers send_join
        resident = mc.sign_event(join.json, RV, "a.org", r.ka)
        self.assertEqual(mc.Event(resident, RV).event_id, join.event_id)
        response = {"state": [e.json for e in state],
                    "auth_chain": [e.json for e in state],
                    "event": resident}
        got = mc.check_send_join(join, response)
        self.assertEqual(got.event_id, join.event_id)
        self.assertIn("a.org", got.signatures)
        # no `event`: a copy of ours
        del response["event"]
        self.assertEqual(mc.check_send_join(join, response).event_id,
                         join.event_id)

    def test_malformed(self):
        r = Room()
        bad = {"room_version": RV, "event": {"type": "m.room.message"}}
        with self.assertRaises(mc.BadEventError) as cm:
            mc.make_join(RV, bad, ROOM, B, TS, "b.org", r.kb)
        self.assertTrue(cm.exception.subject.startswith("$"))
        with self.assertRaises(TypeError):
            mc.check_send_join({"type": "x"}, {})
        with self.assertRaises(TypeError):
            mc.make_join(RV, "{}", ROOM, B, TS, "b.org", r.kb)


class CheckPdu(unittest.TestCase):
    def setUp(self):
        self.r = Room()
        self.msg = self.r.send({"type": "m.room.message", "sender": A,
                                "content": {"body": "hello"}})
        self.ctx = mc.Context(RV, events=[e.json for e in self.r.events[:-1]])
        self.current = [e.event_id for e in self.r.state.values()]

    def check(self, pdu, **kw):
        kw.setdefault("current_state", self.current)
        kw.setdefault("now_ts", TS)
        return mc.check_pdu(self.ctx, self.r.keyring(), pdu, **kw)

    def test_accepted(self):
        res = self.check(self.msg.json, origin="a.org")
        self.assertEqual(res.outcome, "accepted")
        self.assertTrue(res)
        self.assertFalse(res.redacted)
        self.assertEqual((res.step, res.status, res.code), (0, 0, "ok"))
        self.assertEqual(res.event.event_id, self.msg.event_id)
        self.assertEqual(res.state_after,
                         {k: e.event_id for k, e in self.r.state.items()})
        # bytes in; the context now holds it
        self.assertIsNotNone(self.ctx.get_event(self.msg.event_id))
        res2 = self.check(self.msg.canonical_json())
        self.assertEqual(res2.outcome, "accepted")

    def test_redacted_on_hash_failure(self):
        tampered = self.msg.json
        tampered["content"]["body"] = "changed"
        res = self.check(tampered)
        self.assertTrue(res.redacted)
        self.assertEqual(res.outcome, "accepted")
        self.assertEqual(res.event.content, {})
        self.assertTrue(res.reason)

    def test_dropped_on_bad_signature(self):
        forged = mc.sign_event(dict(self.msg.json, signatures={}), RV,
                               "a.org",
                               mc.SigningKey(b"\x99" * 32, "ed25519:a"))
        res = self.check(forged)
        self.assertEqual(res.outcome, "dropped")
        self.assertEqual(res.step, 2)
        self.assertEqual(mc.PDU_STEPS[res.step], "signatures")
        self.assertEqual(res.code, "bad_signature")
        self.assertFalse(res)

    def test_dropped_on_format(self):
        res = self.check({"type": "m.room.message"})
        self.assertEqual((res.outcome, res.step), ("dropped", 1))
        self.assertIsNone(res.event)
        self.assertIsNone(res.state_after)

    def test_rejected_by_auth(self):
        eve = mc.sign_event(
            dict(self.msg.json, sender="@eve:b.org", signatures={},
                 hashes={}), RV, "b.org", self.r.kb)
        res = self.check(eve)
        self.assertEqual(res.outcome, "rejected")
        self.assertEqual(res.step, 4)
        self.assertEqual(res.code, "auth_rejected")
        self.assertIn("v11 auth rule", res.reason)
        ev_id = mc.Event(eve, RV).event_id
        self.assertTrue(self.ctx.is_rejected(ev_id))

    def test_need_input_and_transport(self):
        kr = mc.Keyring()     # no keys at all
        ctx = mc.Context(RV)  # no events at all
        with self.assertRaises(mc.NeedInputError) as cm:
            mc.check_pdu(ctx, kr, self.msg.json, now_ts=TS)
        e = cm.exception
        self.assertTrue(e.missing or e.missing_keys)
        r = self.r
        by_id = {ev.event_id: ev for ev in r.events}

        class Host:
            asked_events, asked_keys = [], []

            def request_events(self, ids):
                self.asked_events.extend(ids)
                for i in ids:
                    if i in by_id:
                        ctx.add_event(by_id[i].json)

            def request_keys(self, server, key_ids, min_ts):
                self.asked_keys.append(server)
                kr.add_json(r.docs[server], server)

        host = Host()
        res = mc.check_pdu(ctx, kr, self.msg.json, now_ts=TS,
                           transport=host)
        self.assertEqual(res.outcome, "accepted", res.reason)
        self.assertIn("a.org", host.asked_keys)
        self.assertTrue(host.asked_events)

    def test_callback_exceptions_come_back(self):
        class Down(Exception):
            pass

        down = Down()

        class Broken:
            def request_keys(self, server, key_ids, min_ts):
                raise down

        with self.assertRaises(Down) as cm:
            mc.check_pdu(self.ctx, mc.Keyring(), self.msg.json, now_ts=TS,
                         transport=Broken())
        self.assertIs(cm.exception, down)

        def state_after(event_id):
            raise down

        with self.assertRaises(Down):
            self.check(self.msg.json, get_state_after=state_after)

    def test_get_state_after(self):
        asked = []
        state_ids = [e.event_id for e in self.r.state.values()]

        def state_after(event_id):
            asked.append(event_id)
            return state_ids

        res = self.check(self.msg.json, get_state_after=state_after)
        self.assertEqual(res.outcome, "accepted", res.reason)
        self.assertEqual(asked, [self.r.events[-2].event_id])

    def test_errors(self):
        with self.assertRaises(TypeError):
            mc.check_pdu("ctx", mc.Keyring(), {})
        with self.assertRaises(TypeError):
            mc.check_pdu(self.ctx, None, {})
        with self.assertRaises(TypeError):
            mc.check_pdu(self.ctx, mc.Keyring(), "{}")
        with self.assertRaises(TypeError):
            self.check(self.msg.json, current_state="$a")
        with self.assertRaises(TypeError):
            self.check(self.msg.json, get_state_after=5)
        with self.assertRaises(TypeError):
            self.check(self.msg.json, transport=object())


if __name__ == "__main__":
    unittest.main()
