# SPDX-License-Identifier: Apache-2.0
"""The keyring and the transport: keys added from documents (directly and
through a notary), key validity for events, batch verification asking a
Python transport once per server, the "not available now" protocol, and a
transport's exception coming back out of the call."""
import unittest

import matrix_core as mc

NOW = 1_700_000_000_000


def event_of(server, key, body="hi", ts=NOW - 1000):
    proto = {"type": "m.room.message", "sender": "@u:%s" % server,
             "room_id": "!r:%s" % server, "origin_server_ts": ts,
             "depth": 3, "prev_events": [], "auth_events": [],
             "content": {"body": body}}
    return mc.Event(mc.sign_event(proto, "11", server, key), "11")


class Servers:
    def __init__(self):
        self.keys = {s: mc.SigningKey(bytes([i + 1]) * 32, "ed25519:k")
                     for i, s in enumerate(("a.org", "b.org", "notary.org"))}
        self.docs = {s: mc.build_server_keys(s, [k], NOW + 86_400_000)
                     for s, k in self.keys.items()}


class Transport:
    """A blocking host: fetches at once and hands the documents over."""

    def __init__(self, servers, keyring):
        self.servers, self.keyring, self.asked = servers, keyring, []

    def request_keys(self, server_name, key_ids, min_valid_until_ts):
        self.asked.append((server_name, key_ids, min_valid_until_ts))
        doc = self.servers.docs.get(server_name)
        if doc is not None:
            self.keyring.add_json(doc, server_name)


class Keyrings(unittest.TestCase):
    def setUp(self):
        self.s = Servers()

    def test_add_and_lookup(self):
        kr = mc.Keyring()
        self.assertEqual(len(kr), 0)
        kr.add(mc.ServerKeys(self.s.docs["a.org"]))
        kr.add_json(self.s.docs["b.org"], "b.org")
        self.assertEqual(len(kr), 2)
        self.assertEqual(kr.key_for_event("11", "a.org", "ed25519:k", NOW),
                         self.s.keys["a.org"].public_key)
        with self.assertRaises(mc.NotFoundError):
            kr.key_for_event("11", "c.org", "ed25519:k", NOW)
        # from v5 a key is valid for events only until valid_until_ts
        with self.assertRaises(mc.BadKeyError):
            kr.key_for_event("11", "a.org", "ed25519:k", NOW + 2 * 86_400_000)
        self.assertEqual(
            kr.key_for_event("4", "a.org", "ed25519:k", NOW + 2 * 86_400_000),
            self.s.keys["a.org"].public_key)

    def test_add_errors(self):
        kr = mc.Keyring()
        with self.assertRaises(mc.BadKeyDocumentError):
            kr.add_json(self.s.docs["a.org"], "b.org")
        with self.assertRaises(mc.BadKeyDocumentError):
            kr.add_json(self.s.docs["a.org"], "a.org",
                        min_valid_until_ts=NOW + 10 * 86_400_000)
        with self.assertRaises(mc.JSONSyntaxError):
            kr.add_json(b"{", "a.org")
        with self.assertRaises(TypeError):
            kr.add(self.s.docs["a.org"])
        with self.assertRaises(TypeError):
            kr.add_json("{}")
        kr.add_json(self.s.docs["a.org"], "a.org")
        other = mc.SigningKey(b"\x55" * 32, "ed25519:k")
        clash = mc.build_server_keys("a.org", [other], NOW + 1000)
        with self.assertRaises(mc.BadKeyDocumentError):
            kr.add_json(clash, "a.org")
        self.assertEqual(len(kr), 1)

    def test_notary(self):
        kr = mc.Keyring()
        relayed = mc.sign_json(self.s.docs["a.org"], "notary.org",
                               self.s.keys["notary.org"])
        with self.assertRaises(mc.BadKeyError):   # notary's key not held
            kr.add_json(relayed, "a.org", notary="notary.org",
                        fetched_ts=NOW)
        kr.add_json(self.s.docs["notary.org"], "notary.org")
        kr.add_json(relayed, "a.org", notary="notary.org", fetched_ts=NOW)
        self.assertEqual(len(kr), 2)
        # a notary signature under the notary's key ID that does not verify
        forged = mc.sign_json(self.s.docs["b.org"], "notary.org",
                              mc.SigningKey(b"\x77" * 32, "ed25519:k"))
        with self.assertRaises(mc.SignatureError):
            kr.add_json(forged, "b.org", notary="notary.org",
                        fetched_ts=NOW)
        self.assertEqual(len(kr), 2)

    def test_verify_events_with_a_transport(self):
        kr = mc.Keyring()
        evs = [event_of("a.org", self.s.keys["a.org"]),
               event_of("b.org", self.s.keys["b.org"]),
               event_of("a.org", self.s.keys["a.org"], "again")]
        tr = Transport(self.s, kr)
        got = kr.verify_events(evs, tr, now_ts=NOW)
        self.assertEqual([bool(v) for v in got], [True, True, True])
        self.assertEqual(sorted(a[0] for a in tr.asked), ["a.org", "b.org"])
        self.assertEqual(tr.asked[0][1], ["ed25519:k"])
        # keys now held: no more questions
        tr.asked.clear()
        kr.verify_events(evs, tr, now_ts=NOW)
        self.assertEqual(tr.asked, [])

    def test_bad_signature_and_unknown_server(self):
        kr = mc.Keyring()
        forged = event_of("a.org", mc.SigningKey(b"\x66" * 32, "ed25519:k"))
        unknown = event_of("z.org", mc.SigningKey(b"\x67" * 32, "ed25519:k"))
        tr = Transport(self.s, kr)
        got = kr.verify_events([forged, unknown], tr, now_ts=NOW)
        self.assertFalse(got[0].signatures_valid)
        self.assertTrue(got[0].signatures_reason)
        self.assertTrue(got[0].hash_valid)
        self.assertFalse(got[1].signatures_valid)

    def test_need_input(self):
        kr = mc.Keyring()
        evs = [event_of("a.org", self.s.keys["a.org"])]
        with self.assertRaises(mc.NeedInputError) as cm:
            kr.verify_events(evs)
        self.assertEqual(cm.exception.missing_keys,
                         [("a.org", "ed25519:k", NOW - 1000)])
        self.assertEqual(cm.exception.missing, [])
        self.assertEqual(kr.missing, cm.exception.missing_keys)

        class Later:
            def request_keys(self, server, key_ids, min_ts):
                raise mc.WouldBlockError()

        with self.assertRaises(mc.NeedInputError) as cm:
            kr.verify_events(evs, Later())
        for server, key_id, min_ts in cm.exception.missing_keys:
            kr.add_json(self.s.docs[server], server,
                        min_valid_until_ts=min_ts)
        self.assertTrue(kr.verify_events(evs, now_ts=NOW)[0])
        self.assertEqual(kr.missing, [])

    def test_transport_exception_comes_back(self):
        class Down(Exception):
            pass

        down = Down("no network")

        class Broken:
            def request_keys(self, server, key_ids, min_ts):
                raise down

        kr = mc.Keyring()
        with self.assertRaises(Down) as cm:
            kr.verify_events([event_of("a.org", self.s.keys["a.org"])],
                             Broken())
        self.assertIs(cm.exception, down)
        self.assertEqual(len(kr), 0)

    def test_errors(self):
        kr = mc.Keyring()
        with self.assertRaises(TypeError):
            kr.verify_events([{"type": "x"}])
        with self.assertRaises(TypeError):
            kr.verify_events([], transport=object())
        self.assertEqual(kr.verify_events([]), [])
        with self.assertRaises(mc.UnknownRoomVersionError):
            kr.key_for_event("0", "a.org", "ed25519:k", 1)


if __name__ == "__main__":
    unittest.main()
