# SPDX-License-Identifier: Apache-2.0
"""Room versions and events: properties, hashes, IDs, redaction, signing
and verification against tests/vectors (python-canonicaljson /
python-signedjson computed answers, the spec's and gomatrixserverlib's
signing examples, Synapse-era floats), and the error paths."""
import json
import unittest

import matrix_core as mc

from ._util import SPEC_SEED_B64, vectors


def spec_key():
    return mc.SigningKey.from_base64(SPEC_SEED_B64, "ed25519:1")


def eid(name):
    """A well-formed v4+ event ID."""
    return "$" + mc.encode_base64(mc.sha256(name.encode()), urlsafe=True)


MSG_V11 = {
    "type": "m.room.message", "sender": "@alice:example.org",
    "room_id": "!room:example.org", "origin_server_ts": 1700000000000,
    "depth": 5, "prev_events": [eid("prev")],
    "auth_events": [eid("a1"), eid("a2")],
    "content": {"body": "h\u00e9llo \U0001F600", "msgtype": "m.text"},
    "hashes": {"sha256": "x"}, "signatures": {}, "unsigned": {"age": 1},
}


class RoomVersions(unittest.TestCase):
    def test_table(self):
        rvs = mc.room_versions()
        self.assertEqual([r.id for r in rvs],
                         [str(i) for i in range(1, 13)])
        v1, v4, v10, v11, v12 = (mc.RoomVersion(x) for x in
                                 ("1", "4", "10", "11", "12"))
        self.assertIs(v11, mc.RoomVersion("11"))
        self.assertEqual(v1.event_format, mc.EVENT_FORMAT_V1)
        self.assertEqual(mc.RoomVersion("3").event_format,
                         mc.EVENT_FORMAT_V3)
        self.assertEqual(v4.event_format, mc.EVENT_FORMAT_V4)
        self.assertEqual(v1.state_res, mc.STATE_RES_V1)
        self.assertEqual(v11.state_res, mc.STATE_RES_V2)
        self.assertEqual(v12.state_res, mc.STATE_RES_V2_1)
        self.assertFalse(v1.hashed_event_ids)
        self.assertTrue(v4.hashed_event_ids)
        self.assertFalse(mc.RoomVersion("5").strict_canonical_json)
        self.assertTrue(mc.RoomVersion("6").strict_canonical_json)
        self.assertTrue(mc.RoomVersion("9").string_power_levels)
        self.assertTrue(v10.integer_power_levels)
        self.assertTrue(mc.RoomVersion("5").float_power_levels)
        self.assertFalse(mc.RoomVersion("6").float_power_levels)
        self.assertEqual(
            [r.id for r in rvs if r.knocking][0], "7")
        self.assertEqual(
            [r.id for r in rvs if r.restricted_joins][0], "8")
        self.assertEqual(
            [r.id for r in rvs if r.knock_restricted][0], "10")
        self.assertTrue(v11.redacts_in_content and v11.creator_from_sender)
        self.assertFalse(v10.redacts_in_content)
        self.assertTrue(v12.room_id_from_create and v12.room_creators)
        self.assertFalse(v11.room_creators)
        self.assertTrue(mc.RoomVersion("5").enforce_key_validity)
        self.assertFalse(mc.RoomVersion("4").enforce_key_validity)
        self.assertEqual(v11.redaction, 11)
        self.assertEqual(mc.RoomVersion("2").auth_rules, 1)
        self.assertTrue(all(r.stable for r in rvs))
        self.assertEqual(str(v11), "11")
        self.assertEqual(repr(v11), "RoomVersion('11')")

    def test_unknown(self):
        for bad in ("13", "01", " 1", "", "1\0"):
            with self.assertRaises(mc.UnknownRoomVersionError) as cm:
                mc.RoomVersion(bad)
            self.assertEqual(cm.exception.code, "unknown_room_version")
            self.assertIsNone(mc.RoomVersion.find(bad))
        self.assertIs(mc.RoomVersion.find("3"), mc.RoomVersion("3"))
        for bad in (11, None, b"11"):
            with self.assertRaises(TypeError):
                mc.RoomVersion(bad)

    def test_immutable(self):
        with self.assertRaises(AttributeError):
            mc.RoomVersion("1").id = "2"


class EventVectors(unittest.TestCase):
    """108 events, every type the redaction rules name, v1 to v12."""

    def test_hashes_ids_redaction(self):
        cases = vectors("events/events.json")
        self.assertEqual(len(cases), 108)
        for c in cases:
            with self.subTest(c["name"]):
                rv = mc.RoomVersion(c["room_version"])
                ev = mc.Event(c["event"], rv)
                self.assertEqual(ev.event_id, c["event_id"])
                self.assertEqual(mc.encode_base64(ev.content_hash()),
                                 c["content_hash"])
                # in the version's alphabet (URL-safe from v4)
                self.assertEqual(
                    mc.encode_base64(ev.reference_hash(),
                                     urlsafe=rv.event_format >= 4),
                    c["reference_hash"])
                red = ev.redact()
                self.assertEqual(red.json, c["redacted"])
                self.assertEqual(red.event_id, ev.event_id)
                # the same on plain objects, dict and bytes
                raw = json.dumps(c["event"]).encode()
                self.assertEqual(mc.content_hash(raw, rv), ev.content_hash())
                self.assertEqual(mc.reference_hash(c["event"], rv),
                                 ev.reference_hash())
                self.assertEqual(mc.compute_event_id(c["event"], rv),
                                 c["event_id"])
                self.assertEqual(mc.redact(raw, c["room_version"]),
                                 c["redacted"])
                # signed by example.org with the spec's seed
                sig = ev.verify_signature("example.org", "ed25519:1",
                                          spec_key().public_key)
                self.assertTrue(sig, sig.reason)
                v = ev.verify({"example.org":
                               {"ed25519:1": spec_key().public_key}})
                self.assertTrue(v.hash_valid, v.hash_reason)

    def test_spec_signing(self):
        cases = vectors("events/spec_events.json", "sign_event")
        self.assertGreaterEqual(len(cases), 4)
        for c in cases:
            with self.subTest(c["name"]):
                k = mc.SigningKey.from_base64(c["seed_base64"], c["key_id"])
                server = c.get("server_name", c.get("entity"))
                self.assertEqual(mc.sign_event(c["input"], c["room_version"],
                                               server, k), c["expected"])

    def test_spec_verify_signature(self):
        cases = vectors("events/spec_events.json", "verify_event_signature")
        self.assertGreaterEqual(len(cases), 4)
        for c in cases:
            with self.subTest(c["name"]):
                r = mc.verify_event_signature(
                    c["input"], c["room_version"], c["entity"], c["key_id"],
                    mc.decode_base64(c["public_key_base64"]))
                self.assertEqual(r.valid, c["valid"])

    def test_synapse_floats(self):
        cases = vectors("events/floats.json")
        self.assertEqual(len(cases), 5)
        pk = spec_key().public_key
        for c in cases:
            with self.subTest(c["name"]):
                raw = c["event_text"].encode()
                ev = mc.Event(raw, c["room_version"])
                self.assertEqual(mc.encode_base64(ev.content_hash()),
                                 c["content_hash_spec"])
                v = ev.verify([mc.VerifyKey("example.org", "ed25519:1", pk)])
                self.assertTrue(v, (v.signatures_reason, v.hash_reason))


class EventObject(unittest.TestCase):
    def test_properties(self):
        ev = mc.Event(MSG_V11, "11")
        self.assertEqual(ev.room_version, mc.RoomVersion("11"))
        self.assertEqual(ev.type, "m.room.message")
        self.assertIsNone(ev.state_key)
        self.assertFalse(ev.is_state)
        self.assertEqual(ev.sender, "@alice:example.org")
        self.assertEqual(ev.room_id, "!room:example.org")
        self.assertEqual(ev.content, MSG_V11["content"])
        self.assertIsNone(ev.membership)
        self.assertEqual(ev.prev_events, [eid("prev")])
        self.assertEqual(ev.auth_events, [eid("a1"), eid("a2")])
        self.assertEqual(ev.depth, 5)
        self.assertEqual(ev.origin_server_ts, 1700000000000)
        self.assertIsNone(ev.redacts)
        self.assertEqual(ev.hashes, {"sha256": "x"})
        self.assertEqual(ev.signatures, {})
        self.assertEqual(ev.unsigned, {"age": 1})
        self.assertEqual(ev.json, MSG_V11)
        self.assertEqual(ev.canonical_json(), mc.canonical_json(MSG_V11))
        self.assertFalse(ev.labelled)
        want = "$" + mc.encode_base64(ev.reference_hash(), urlsafe=True)
        self.assertEqual(ev.event_id, want)
        self.assertIn(ev.event_id, repr(ev))

    def test_state_fields(self):
        member = dict(MSG_V11, type="m.room.member", state_key="",
                      content={"membership": "join"})
        ev = mc.Event(member, "11")
        self.assertEqual(ev.state_key, "")
        self.assertTrue(ev.is_state)
        self.assertEqual(ev.membership, "join")
        red = dict(MSG_V11, type="m.room.redaction",
                   content={"redacts": eid("t")})
        self.assertEqual(mc.Event(red, "11").redacts, eid("t"))
        red10 = dict(MSG_V11, type="m.room.redaction", redacts=eid("t10"))
        self.assertEqual(mc.Event(red10, "10").redacts, eid("t10"))
        nul = dict(MSG_V11, type="a\0b", state_key="k\0")
        ev = mc.Event(nul, "11")
        self.assertEqual((ev.type, ev.state_key), ("a\0b", "k\0"))

    def test_sign_and_verify(self):
        k = spec_key()
        ev = mc.Event(MSG_V11, "11")
        signed = ev.sign("example.org", k)
        self.assertIsNot(signed, ev)
        self.assertEqual(signed.hashes["sha256"],
                         mc.encode_base64(ev.content_hash()))
        self.assertEqual(signed.event_id, mc.Event(
            mc.sign_event(MSG_V11, "11", "example.org", k), "11").event_id)
        self.assertTrue(signed.verify({"example.org":
                                       {"ed25519:1": k.public_key}}))
        # ServerKeys work as keys, alone or in a list
        doc = mc.build_server_keys("example.org", [k], 2 ** 50)
        sk = mc.ServerKeys(doc)
        self.assertTrue(signed.verify(sk))
        self.assertTrue(signed.verify([sk], now_ts=1700000000000))
        self.assertTrue(mc.verify_event(signed.json, "11", [sk]))
        # unknown key: signatures fail, hash holds
        other = mc.SigningKey(b"\x05" * 32, "ed25519:1")
        v = signed.verify({"example.org": {"ed25519:1": other.public_key}})
        self.assertFalse(v)
        self.assertFalse(v.signatures_valid)
        self.assertTrue(v.hash_valid)
        self.assertTrue(v.signatures_reason)
        self.assertIsNone(v.hash_reason)
        # tampered content: hash fails, signature (on redacted form) holds
        tampered = signed.json
        tampered["content"]["body"] = "changed"
        v = mc.verify_event(tampered, "11",
                            {"example.org": {"ed25519:1": k.public_key}})
        self.assertTrue(v.signatures_valid)
        self.assertFalse(v.hash_valid)
        self.assertTrue(v.hash_reason)
        self.assertTrue(mc.verify_event_signature(tampered, "11",
                                                  "example.org", "ed25519:1",
                                                  k.public_key))
        # key validity (v5+): a key valid until before the event fails
        v = signed.verify([mc.VerifyKey("example.org", "ed25519:1",
                                        k.public_key, valid_until_ts=5)])
        self.assertFalse(v.signatures_valid)
        v = signed.verify([mc.VerifyKey("example.org", "ed25519:1",
                                        k.public_key, expired_ts=5)])
        self.assertFalse(v.signatures_valid)
        self.assertFalse(signed.verify([]).signatures_valid)
        self.assertFalse(signed.verify(None).signatures_valid)

    def test_room_ids_v12(self):
        create = {"type": "m.room.create", "state_key": "",
                  "sender": "@alice:example.org",
                  "content": {"room_version": "12"}, "origin_server_ts": 1,
                  "depth": 1, "prev_events": [], "auth_events": [],
                  "hashes": {"sha256": "x"}, "signatures": {}}
        c = mc.Event(create, "12")
        rid = mc.room_id_for(create)
        self.assertEqual(rid, "!" + c.event_id[1:])
        self.assertEqual(c.room_id, rid)
        msg = dict(MSG_V11, room_id=rid)
        m = mc.Event(msg, "12")
        self.assertTrue(m.check_room_id(c))
        other = dict(create, origin_server_ts=2)
        self.assertFalse(m.check_room_id(mc.Event(other, "12")))
        with self.assertRaises(mc.InvalidArgumentError):
            m.check_room_id(m)
        with self.assertRaises(TypeError):
            m.check_room_id(create)
        with self.assertRaises(mc.InvalidArgumentError):
            mc.room_id_for(create, "11")
        with self.assertRaises(mc.BadEventError):
            mc.room_id_for(MSG_V11)
        with self.assertRaises(mc.RoomIdMismatchError):
            mc.Event(dict(create, room_id=rid), "12")

    def test_labelled(self):
        e = {"event_id": "$A", "type": "m.room.topic", "state_key": "",
             "sender": "@a:b", "content": {}}
        ev = mc.Event(e, "11", labelled=True)
        self.assertTrue(ev.labelled)
        self.assertEqual(ev.event_id, "$A")
        self.assertIsNone(ev.room_id)
        self.assertEqual((ev.depth, ev.origin_server_ts), (0, 0))
        with self.assertRaises(mc.BadEventError):
            mc.Event(e, "11")

    def test_codepoint_limits(self):
        long_key = "\u00e9" * 200  # 200 code points, 400 bytes
        ev = dict(MSG_V11, type="m.room.topic", state_key=long_key)
        with self.assertRaises(mc.EventTooLargeError):
            mc.Event(ev, "10")
        self.assertEqual(mc.Event(ev, "10", codepoint_limits=True).state_key,
                         long_key)
        with self.assertRaises(mc.EventTooLargeError):
            mc.Event(ev, "11", codepoint_limits=True)

    def test_errors(self):
        with self.assertRaises(TypeError):
            mc.Event(json.dumps(MSG_V11), "11")
        with self.assertRaises(TypeError):
            mc.Event([MSG_V11], "11")
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, 11)
        with self.assertRaises(mc.UnknownRoomVersionError):
            mc.Event(MSG_V11, "99")
        with self.assertRaises(mc.JSONSyntaxError):
            mc.Event(b"{", "11")
        with self.assertRaises(mc.BadEventError) as cm:
            mc.Event(b"[]", "11")
        with self.assertRaises(mc.BadEventError) as cm:
            mc.Event(dict(MSG_V11, sender=5), "11")
        self.assertEqual(cm.exception.subject, "$.sender")
        with self.assertRaises(mc.BadIdentifierError):
            mc.Event(dict(MSG_V11, sender="alice"), "11")
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.Event(dict(MSG_V11, depth=1.5), "11")
        with self.assertRaises(mc.EventTooLargeError):
            mc.Event(dict(MSG_V11, content={"b": "x" * 70000}), "11")
        with self.assertRaises(mc.JSONDuplicateKeyError):
            mc.Event(b'{"type":"a","type":"b"}', "11")
        with self.assertRaises(ValueError):
            mc.Event(dict(MSG_V11, depth=float("nan")), "11")
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, "11").sign("example.org", None)
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, "11").verify("keys")
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, "11").verify({"example.org": b"k"})
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, "11").verify([("example.org", "k")])
        with self.assertRaises(TypeError):
            mc.Event(MSG_V11, "11").verify(None, now_ts="now")

    def test_json_function_errors(self):
        with self.assertRaises(TypeError):
            mc.content_hash("{}")
        with self.assertRaises(mc.JSONTypeError):
            mc.content_hash(b"[]")
        with self.assertRaises(mc.BadEventError):
            mc.compute_event_id({"type": "x"}, "1")
        with self.assertRaises(mc.UnknownRoomVersionError):
            mc.redact({}, "0")
        with self.assertRaises(mc.JSONTypeError):
            mc.sign_event(b"1", "11", "a", spec_key())
        with self.assertRaises(mc.JSONTypeError):
            mc.verify_event(b"[]", "11", None)
        # lenient numbers without a room version, strict for v6+
        self.assertEqual(len(mc.content_hash({"f": 1.5})), 32)
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.content_hash({"f": 1.5}, "6")


if __name__ == "__main__":
    unittest.main()
