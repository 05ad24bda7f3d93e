# SPDX-License-Identifier: Apache-2.0
"""SHA-256, base64, signing keys, signed JSON, server key documents and
X-Matrix: known answers from tests/vectors (spec, python-signedjson,
gomatrixserverlib) and every error path."""
import hashlib
import unittest

import matrix_core as mc

from ._util import SPEC_PUBLIC_B64, SPEC_SEED_B64, vectors


def spec_key():
    return mc.SigningKey.from_base64(SPEC_SEED_B64, "ed25519:1")


class Primitives(unittest.TestCase):
    def test_sha256(self):
        self.assertEqual(mc.sha256(b""), hashlib.sha256(b"").digest())
        self.assertEqual(mc.sha256(b"abc" * 1000),
                         hashlib.sha256(b"abc" * 1000).digest())
        self.assertEqual(mc.SHA256_BYTES, 32)
        with self.assertRaises(TypeError):
            mc.sha256("abc")

    def test_base64_vectors(self):
        enc = vectors("base64.json", "encode")
        dec = vectors("base64.json", "decode")
        rej = vectors("base64.json", "reject")
        self.assertTrue(enc and dec and rej)
        for c in enc:
            with self.subTest(c["name"]):
                self.assertEqual(
                    mc.encode_base64(bytes.fromhex(c["input_hex"]),
                                     urlsafe=c.get("urlsafe", False)),
                    c["expected"])
        for c in dec:
            with self.subTest(c["name"]):
                self.assertEqual(
                    mc.decode_base64(c["input"],
                                     urlsafe=c.get("urlsafe", False)),
                    bytes.fromhex(c["expected_hex"]))
        for c in rej:
            with self.subTest(c["name"]):
                with self.assertRaises(mc.Base64Error) as cm:
                    mc.decode_base64(c["input"],
                                     urlsafe=c.get("urlsafe", False))
                self.assertEqual(cm.exception.code, "base64")
                if "offset" in c:
                    self.assertEqual(cm.exception.offset, c["offset"])

    def test_base64_types(self):
        self.assertEqual(mc.encode_base64(b"\xfb\xff", urlsafe=True), "-_8")
        self.assertEqual(mc.encode_base64(b"\xfb\xff"), "+/8")
        self.assertEqual(mc.decode_base64(b"+/8"), b"\xfb\xff")
        with self.assertRaises(TypeError):
            mc.encode_base64("text")
        with self.assertRaises(TypeError):
            mc.decode_base64(123)

    def test_ed25519_verify(self):
        k = spec_key()
        sig = k.sign(b"message")
        self.assertEqual(len(sig), mc.ED25519_SIG_BYTES)
        self.assertTrue(mc.ed25519_verify(sig, b"message", k.public_key))
        self.assertFalse(mc.ed25519_verify(sig, b"messagE", k.public_key))
        bad = bytes([sig[0] ^ 1]) + sig[1:]
        self.assertFalse(mc.ed25519_verify(bad, b"message", k.public_key))
        with self.assertRaises(mc.MatrixCoreError):
            mc.ed25519_verify(sig, b"message", k.public_key[:31])
        with self.assertRaises(TypeError):
            mc.ed25519_verify(sig, "message", k.public_key)


class SigningKeys(unittest.TestCase):
    def test_spec_key(self):
        for c in vectors("signing.json", "signing_key"):
            k = mc.SigningKey.from_base64(c["seed_base64"], c["key_id"])
            self.assertEqual(k.key_id, c["key_id"])
            self.assertEqual(k.public_key_base64, c["public_key_base64"])
            self.assertEqual(k.public_key,
                             mc.decode_base64(c["public_key_base64"]))
            seed = mc.decode_base64(c["seed_base64"])
            self.assertEqual(mc.SigningKey(seed, c["key_id"]).public_key,
                             k.public_key)
        self.assertIn("ed25519:1", repr(spec_key()))

    def test_generate(self):
        k, seed = mc.SigningKey.generate("ed25519:a_1")
        self.assertEqual(len(seed), mc.ED25519_SEED_BYTES)
        self.assertEqual(mc.SigningKey(seed, "ed25519:a_1").public_key,
                         k.public_key)
        k2, _ = mc.SigningKey.generate("ed25519:a_1")
        self.assertNotEqual(k.public_key, k2.public_key)

    def test_errors(self):
        with self.assertRaises(TypeError):
            mc.SigningKey("0" * 32, "ed25519:1")
        with self.assertRaises(TypeError):
            mc.SigningKey(bytes(32), b"ed25519:1")
        with self.assertRaises(mc.BadKeyError) as cm:
            mc.SigningKey(bytes(31), "ed25519:1")
        self.assertEqual(cm.exception.code, "bad_key")
        with self.assertRaises(mc.BadKeyError):
            mc.SigningKey(bytes(32), "ed25519:bad-char")
        with self.assertRaises(mc.BadKeyError):
            mc.SigningKey(bytes(32), "ed25519:")
        with self.assertRaises(mc.UnsupportedError):
            mc.SigningKey(bytes(32), "curve25519:1")
        with self.assertRaises(ValueError):
            mc.SigningKey(bytes(32), "ed25519:1\0x")
        with self.assertRaises(mc.Base64Error):
            mc.SigningKey.from_base64("not base64!", "ed25519:1")
        with self.assertRaises(TypeError):
            mc.SigningKey.from_base64(mc.decode_base64(SPEC_SEED_B64),
                                      "ed25519:1")


class SignedJson(unittest.TestCase):
    def test_sign_vectors(self):
        cases = vectors("signing.json", "sign_json")
        self.assertGreaterEqual(len(cases), 5)
        for c in cases:
            with self.subTest(c["name"]):
                k = mc.SigningKey.from_base64(c["seed_base64"], c["key_id"])
                signed = mc.sign_json(c["input"], c["entity"], k)
                self.assertEqual(signed, c["expected"])
                self.assertEqual(k.sign_json(c["input"], c["entity"]),
                                 c["expected"])
                # bytes in, same answer; the input is not modified
                self.assertEqual(
                    mc.sign_json(mc.canonical_json(c["input"]), c["entity"],
                                 k), c["expected"])
                self.assertNotIn("signatures", c["input"])
                self.assertTrue(mc.verify_json(signed, c["entity"],
                                               c["key_id"], k.public_key))

    def test_signing_input(self):
        for c in vectors("signing.json", "signing_input"):
            self.assertEqual(mc.signing_bytes(c["input"]),
                             c["expected_signed_bytes_utf8"].encode())

    def test_verify_vectors(self):
        cases = [c for c in vectors("signing.json", "verify_json")
                 if "public_key_base64" in c]
        self.assertGreaterEqual(len(cases), 8)
        for c in cases:
            with self.subTest(c["name"]):
                r = mc.verify_json(c["input"], c["entity"], c["key_id"],
                                   mc.decode_base64(c["public_key_base64"]))
                want = c["valid"] if "spec_divergent" not in c \
                    else not c["valid"]
                self.assertEqual(r.valid, want)
                self.assertEqual(bool(r), want)
                if not want:
                    self.assertTrue(r.reason)

    def test_verify_mock_algorithm(self):
        # python-signedjson's mock algorithm: the library refuses to check
        # a key ID that is not ed25519 when a signature is there to check;
        # with nothing to check, the verdict is "not valid"
        for c in vectors("signing.json", "verify_json"):
            if "public_key_base64" in c:
                continue
            with self.subTest(c["name"]):
                try:
                    r = mc.verify_json(c["input"], c["entity"], c["key_id"],
                                       bytes(32))
                except mc.UnsupportedError as e:
                    self.assertEqual(e.code, "unsupported")
                    self.assertIn("mock:test", c["input"].get(
                        "signatures", {}).get(c["entity"], {}))
                else:
                    self.assertFalse(r.valid)

    def test_sign_replaces_and_keeps(self):
        k = spec_key()
        obj = {"a": 1, "unsigned": {"age": 5},
               "signatures": {"other": {"ed25519:x": "abc"}}}
        s = mc.sign_json(obj, "domain", k)
        self.assertEqual(s["unsigned"], {"age": 5})
        self.assertEqual(s["signatures"]["other"], {"ed25519:x": "abc"})
        again = mc.sign_json(s, "domain", k)
        self.assertEqual(again, s)

    def test_errors(self):
        k = spec_key()
        for bad in ([1], "text", 5, None):
            with self.assertRaises(TypeError):
                mc.sign_json(bad, "domain", k)
        with self.assertRaises(mc.JSONTypeError):
            mc.sign_json(b"[1]", "domain", k)
        with self.assertRaises(mc.JSONTypeError):
            mc.sign_json({"signatures": []}, "domain", k)
        with self.assertRaises(TypeError):
            mc.sign_json({}, "domain", "not a key")
        with self.assertRaises(TypeError):
            mc.sign_json({}, b"domain", k)
        with self.assertRaises(mc.JSONSyntaxError):
            mc.verify_json(b"{", "domain", "ed25519:1", k.public_key)
        with self.assertRaises(mc.InvalidArgumentError):
            mc.verify_json({}, "domain", "ed25519:1", b"short")
        with self.assertRaises(TypeError):
            mc.verify_json({}, "domain", "ed25519:1", SPEC_PUBLIC_B64)


class ServerKeyDocuments(unittest.TestCase):
    def test_build_vector(self):
        for c in vectors("server_keys.json", "build"):
            k = mc.SigningKey.from_base64(c["seed_base64"], c["key_id"])
            olds = [mc.OldVerifyKey(o["key_id"],
                                    mc.decode_base64(o["public_key_base64"]),
                                    o["expired_ts"])
                    for o in c["old_verify_keys"]]
            doc = mc.build_server_keys(c["server_name"], [k],
                                       c["valid_until_ts"], olds)
            self.assertEqual(doc, c["expected"])

    def test_parse_vector_errors(self):
        for c in vectors("server_keys.json", "parse"):
            with self.assertRaises(mc.MatrixCoreError) as cm:
                mc.ServerKeys(c["input"])
            self.assertEqual(cm.exception.code, c["error"])

    def test_round_trip_and_lookups(self):
        k = spec_key()
        k2 = mc.SigningKey(b"\x02" * 32, "ed25519:2")
        old_pk = b"\x01" * 32
        doc = mc.build_server_keys(
            "domain", [k, k2], 2000,
            [mc.OldVerifyKey("ed25519:old", old_pk, 1000)])
        sk = mc.ServerKeys(doc, "domain")
        self.assertEqual(sk.server_name, "domain")
        self.assertEqual(sk.valid_until_ts, 2000)
        self.assertEqual(len(sk), 3)
        self.assertEqual([(x.key_id, x.is_old, x.until_ts) for x in sk],
                         [("ed25519:1", False, 2000),
                          ("ed25519:2", False, 2000),
                          ("ed25519:old", True, 1000)])
        self.assertEqual(sk.find("ed25519:2").public_key, k2.public_key)
        with self.assertRaises(mc.NotFoundError):
            sk.find("ed25519:nope")
        self.assertEqual(sk.key_for_event("ed25519:old", 999),
                         (old_pk, 1000))
        with self.assertRaises(mc.BadKeyError):
            sk.key_for_event("ed25519:old", 1000)
        self.assertEqual(sk.key_for_event("ed25519:1", 5000),
                         (k.public_key, 2000))
        self.assertEqual(sk.key_for_request("ed25519:1", 2000),
                         k.public_key)
        with self.assertRaises(mc.BadKeyError):
            sk.key_for_request("ed25519:1", 2001)
        with self.assertRaises(mc.BadKeyError):
            sk.key_for_request("ed25519:old", 10)
        with self.assertRaises(mc.NotFoundError):
            sk.key_for_request("ed25519:nope", 10)
        self.assertEqual(sk.json, doc)
        vks = sk.verify_keys()
        self.assertEqual(vks[0], mc.VerifyKey("domain", "ed25519:1",
                                              k.public_key, 2000, None))
        self.assertEqual(vks[2], mc.VerifyKey("domain", "ed25519:old",
                                              old_pk, None, 1000))
        self.assertIn("ed25519:old", repr(sk))
        # bytes in
        self.assertEqual(len(mc.ServerKeys(mc.canonical_json(doc))), 3)

    def test_notary(self):
        k = spec_key()
        notary = mc.SigningKey(b"\x07" * 32, "ed25519:n")
        doc = mc.build_server_keys("domain", [k], 2000)
        relayed = mc.sign_json(doc, "notary.org", notary)
        sk = mc.ServerKeys(relayed)
        self.assertTrue(sk.verify_notary("notary.org", "ed25519:n",
                                         notary.public_key))
        r = sk.verify_notary("notary.org", "ed25519:n", k.public_key)
        self.assertFalse(r)
        self.assertTrue(r.reason)
        self.assertFalse(sk.verify_notary("other.org", "ed25519:n",
                                          notary.public_key))

    def test_errors(self):
        k = spec_key()
        doc = mc.build_server_keys("domain", [k], 2000)
        with self.assertRaises(mc.BadKeyDocumentError) as cm:
            mc.ServerKeys(doc, "other.org")
        self.assertTrue(cm.exception.subject)
        tampered = dict(doc, valid_until_ts=3000)
        with self.assertRaises(mc.SignatureError):
            mc.ServerKeys(tampered)
        with self.assertRaises(TypeError):
            mc.ServerKeys("{}")
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.ServerKeys(b'{"valid_until_ts": 1.5}')
        with self.assertRaises(mc.InvalidArgumentError):
            mc.build_server_keys("domain", [], 2000)
        with self.assertRaises(mc.InvalidArgumentError):
            mc.build_server_keys("domain", [k, k], 2000)
        with self.assertRaises(TypeError):
            mc.build_server_keys("domain", ["k"], 2000)
        with self.assertRaises(TypeError):
            mc.build_server_keys("domain", [k], 2000, ["old"])
        with self.assertRaises(ValueError):
            mc.build_server_keys("domain", [k], 2000,
                                 [mc.OldVerifyKey("ed25519:o", b"x", 1)])
        with self.assertRaises(TypeError):
            mc.build_server_keys("domain", [k], "2000")
        with self.assertRaises(mc.InvalidArgumentError):
            mc.build_server_keys("domain", [k], 2 ** 60)


class XMatrixHeaders(unittest.TestCase):
    def test_sign_vectors(self):
        cases = vectors("xmatrix.json", "sign")
        self.assertEqual(len(cases), 3)
        for c in cases:
            with self.subTest(c["name"]):
                k = mc.SigningKey.from_base64(c["seed_base64"], c["key_id"])
                h = mc.sign_request(k, c["method"], c["uri"], c["origin"],
                                    c["destination"], c.get("content"))
                self.assertEqual(h, c["expected_header"])
                x = mc.XMatrix(h)
                self.assertEqual((x.origin, x.destination, x.key_id),
                                 (c["origin"], c["destination"],
                                  c["key_id"]))
                self.assertTrue(h.endswith('sig="%s"' % x.signature))
                ok = x.verify(c["method"], c["uri"], c["destination"],
                              k.public_key, c.get("content"))
                self.assertTrue(ok)
                bad = x.verify(c["method"], c["uri"] + "x",
                               c["destination"], k.public_key,
                               c.get("content"))
                self.assertFalse(bad)
                self.assertTrue(bad.reason)

    def test_parse_forms(self):
        x = mc.XMatrix(b'x-matrix  Origin=a.org, key="ed25519:1",'
                       b'sig="abc"')
        self.assertEqual((x.origin, x.destination, x.key_id, x.signature),
                         ("a.org", None, "ed25519:1", "abc"))
        self.assertIn("a.org", repr(x))

    def test_errors(self):
        k = spec_key()
        h = mc.sign_request(k, "GET", "/x", "a.org", "b.org")
        x = mc.XMatrix(h)
        with self.assertRaises(mc.BadHeaderError):
            x.verify("GET", "/x", "c.org", k.public_key)
        with self.assertRaises(mc.BadHeaderError) as cm:
            mc.XMatrix('Bearer abc')
        self.assertEqual(cm.exception.code, "bad_header")
        with self.assertRaises(mc.BadHeaderError) as cm:
            mc.XMatrix('X-Matrix origin=a.org,key="ed25519:1"')
        self.assertEqual(cm.exception.subject, "sig")
        with self.assertRaises(TypeError):
            mc.XMatrix(None)
        with self.assertRaises(mc.InvalidArgumentError):
            mc.sign_request(k, "GET", "/x", "", "b.org")
        with self.assertRaises(TypeError):
            mc.sign_request("k", "GET", "/x", "a.org", "b.org")
        with self.assertRaises(TypeError):
            mc.sign_request(k, "GET", "/x", "a.org", "b.org", {1, 2})


if __name__ == "__main__":
    unittest.main()
