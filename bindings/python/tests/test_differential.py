# SPDX-License-Identifier: Apache-2.0
"""Differential check against Debian's python3-canonicaljson and
python3-signedjson: a few thousand generated values (nested objects and
arrays, strings with non-ASCII, escapes, control characters and astral
characters, integers within +-(2**53 - 1)) must give byte-identical
canonical JSON and identical signatures, and each side must verify the
other's signatures.

The generator is seeded (MXC_DIFF_SEED, default 1) and MXC_DIFF_COUNT sets
how many values (default 3000); a failure names the seed and the value.
"""
import copy
import json
import os
import random
import unittest

import matrix_core as mc

try:
    import canonicaljson
    import nacl.signing
    import signedjson.key
    import signedjson.sign
except ImportError:  # pragma: no cover - Debian packages missing
    canonicaljson = None

SEED = int(os.environ.get("MXC_DIFF_SEED", "1"))
COUNT = int(os.environ.get("MXC_DIFF_COUNT", "3000"))
TOP = 2 ** 53 - 1

# characters worth mixing: escapes, controls, DEL, the separators JSON
# leaves raw, 2-, 3- and 4-byte UTF-8, the edges of the BMP and of Unicode
SPECIAL = ['"', "\\", "/", "\x00", "\x01", "\x08", "\t", "\n", "\x0c",
           "\r", "\x1f", "\x7f", "\x80", "\u00e9", "\u07ff", "\u0800",
           "\u2028", "\u2029", "\ufeff", "\uffff", "\U00010000",
           "\U0001F600", "\U0010FFFF", "\u65e5", " "]


def rand_char(r):
    k = r.random()
    if k < 0.5:
        return chr(r.randint(0x20, 0x7e))
    if k < 0.75:
        return r.choice(SPECIAL)
    if k < 0.85:
        return chr(r.randint(0x80, 0xd7ff))
    if k < 0.95:
        return chr(r.randint(0xe000, 0xffff))
    return chr(r.randint(0x10000, 0x10ffff))


def rand_str(r, n=12):
    return "".join(rand_char(r) for _ in range(r.randint(0, n)))


def rand_int(r):
    k = r.random()
    if k < 0.4:
        return r.randint(-100, 100)
    if k < 0.8:
        return r.randint(-TOP, TOP)
    return r.choice([TOP, -TOP, 0, -1, 2 ** 31, -(2 ** 31), 2 ** 32])


def rand_value(r, depth=0):
    k = r.random()
    if depth < 4 and k < 0.25:
        return {rand_str(r, 8): rand_value(r, depth + 1)
                for _ in range(r.randint(0, 6))}
    if depth < 4 and k < 0.4:
        return [rand_value(r, depth + 1) for _ in range(r.randint(0, 6))]
    if k < 0.7:
        return rand_str(r)
    if k < 0.9:
        return rand_int(r)
    return r.choice([True, False, None])


def rand_object(r):
    return {rand_str(r, 8): rand_value(r, 1) for _ in range(r.randint(0, 8))}


@unittest.skipIf(canonicaljson is None,
                 "python3-canonicaljson / python3-signedjson not installed")
class Differential(unittest.TestCase):
    def test_canonical_json(self):
        r = random.Random(SEED)
        for i in range(COUNT):
            v = rand_value(r) if i % 3 else rand_object(r)
            want = canonicaljson.encode_canonical_json(v)
            got = mc.canonical_json(v)
            if got != want:
                self.fail("seed %d value %d %r: %r != %r"
                          % (SEED, i, v, got, want))
            # the library's own parser on two spellings of the text
            # (ASCII escapes with surrogate pairs, and raw UTF-8)
            for text in (json.dumps(v).encode(),
                         json.dumps(v, ensure_ascii=False, indent=1)
                         .encode("utf-8")):
                got = mc.canonical_json(text)
                if got != want:
                    self.fail("seed %d value %d from text %r: %r != %r"
                              % (SEED, i, text, got, want))

    def test_signatures(self):
        r = random.Random(SEED + 1)
        seed = bytes(r.randrange(256) for _ in range(32))
        ours = mc.SigningKey(seed, "ed25519:k1")
        theirs = nacl.signing.SigningKey(seed)
        theirs.alg, theirs.version = "ed25519", "k1"
        verify_key = signedjson.key.get_verify_key(theirs)
        self.assertEqual(bytes(verify_key), ours.public_key)
        n = max(COUNT // 3, 1)
        for i in range(n):
            v = rand_object(r)
            if r.random() < 0.2:
                v["unsigned"] = rand_value(r)
            if r.random() < 0.2:
                v["signatures"] = {"other.org": {"ed25519:x": rand_str(r)}}
            want = signedjson.sign.sign_json(copy.deepcopy(v), "srv.org",
                                             theirs)
            got = mc.sign_json(v, "srv.org", ours)
            # signedjson drops an `"unsigned": null` it popped; the library
            # keeps the object as given. Everything else must be equal.
            if v.get("unsigned", 0) is None:
                self.assertIsNone(got.pop("unsigned"))
            if got != want:
                self.fail("seed %d object %d %r: %r != %r"
                          % (SEED, i, v, got, want))
            self.assertTrue(mc.verify_json(want, "srv.org", "ed25519:k1",
                                           ours.public_key))
            signedjson.sign.verify_signed_json(got, "srv.org", verify_key)
            # a change anywhere covered breaks both
            got["mxc_extra"] = i
            self.assertFalse(mc.verify_json(got, "srv.org", "ed25519:k1",
                                             ours.public_key))
            with self.assertRaises(signedjson.sign.SignatureVerifyException):
                signedjson.sign.verify_signed_json(got, "srv.org",
                                                   verify_key)


if __name__ == "__main__":
    unittest.main()
