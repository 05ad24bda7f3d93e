# SPDX-License-Identifier: Apache-2.0
"""canonical_json and parse_json: the spec's examples, python-canonicaljson's
own assertions (tests/vectors), values vs bytes, and every error path."""
import collections
import types
import unittest

import matrix_core as mc

from ._util import vectors


class SpecExamples(unittest.TestCase):
    def test_spec_examples_from_bytes(self):
        cases = vectors("canonical_json/spec_examples.json")
        self.assertEqual(len(cases), 10)
        for c in cases:
            with self.subTest(c["name"]):
                raw = c["input_text"].encode()
                # example 10 has -0 and 1e10: lenient numbers
                lenient = "1e10" in c["input_text"]
                self.assertEqual(mc.canonical_json(raw, lenient=lenient),
                                 c["expected_text"].encode())

    def test_python_canonicaljson_assertions(self):
        cases = vectors("canonical_json/canonicaljson_python.json", "encode")
        self.assertGreater(len(cases), 100)
        for c in cases:
            with self.subTest(c["name"]):
                want = bytes.fromhex(c["expected_hex"]) \
                    if "expected_hex" in c else c["expected_utf8"].encode()
                self.assertEqual(mc.canonical_json(c["input"]), want)

    def test_python_canonicaljson_rejects(self):
        for c in vectors("canonical_json/canonicaljson_python.json",
                         "reject"):
            with self.subTest(c["name"]):
                v = float(c["input_repr"])
                with self.assertRaisesRegex(ValueError, "NaN or an infinity"):
                    mc.canonical_json({"x": [v]})


class Values(unittest.TestCase):
    def test_sorting_and_escapes(self):
        v = {"b": 1, "a": "\u00e9\u2028\x01\x7f\"\\", "\U0001F600": None,
             "c": [True, False, -5]}
        self.assertEqual(
            mc.canonical_json(v),
            '{"a":"\u00e9\u2028\\u0001\x7f\\"\\\\","b":1,'
            '"c":[true,false,-5],"\U0001F600":null}'.encode())

    def test_str_is_a_json_string_not_text(self):
        self.assertEqual(mc.canonical_json('{"a":1}'), b'"{\\"a\\":1}"')

    def test_bytes_are_json_text(self):
        self.assertEqual(mc.canonical_json(b' {"b":2, "a":1} '),
                         b'{"a":1,"b":2}')
        self.assertEqual(mc.canonical_json(bytearray(b"[1]")), b"[1]")
        self.assertEqual(mc.canonical_json(memoryview(b"[1]")), b"[1]")

    def test_other_mappings_and_tuples(self):
        inner = types.MappingProxyType({"y": 1})
        v = collections.OrderedDict([("z", (1, 2)), ("x", inner)])
        self.assertEqual(mc.canonical_json(v), b'{"x":{"y":1},"z":[1,2]}')

    def test_integer_range(self):
        top = 2 ** 53 - 1
        self.assertEqual(mc.canonical_json([top, -top]),
                         b"[9007199254740991,-9007199254740991]")
        for bad in (2 ** 53, -(2 ** 53), 10 ** 30):
            with self.assertRaises(mc.JSONNumberRangeError) as cm:
                mc.canonical_json({"n": bad})
            self.assertEqual(cm.exception.code, "json_number_range")
            self.assertEqual(cm.exception.status, -205)

    def test_floats_strict_and_lenient(self):
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.canonical_json({"f": 0.5})
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.canonical_json({"f": 1.0})
        # lenient: Python's repr for floats, integral values as integers,
        # big integers digit for digit
        self.assertEqual(
            mc.canonical_json({"f": 51146.98, "g": 1e-05, "h": 1.0,
                               "i": 2 ** 70}, lenient=True),
            b'{"f":51146.98,"g":1e-05,"h":1,"i":1180591620717411303424}')
        self.assertEqual(mc.canonical_json(b'{"a":-0,"b":1e10}',
                                           lenient=True),
                         b'{"a":0,"b":10000000000}')

    def test_nan_and_infinities(self):
        for v in (float("nan"), float("inf"), float("-inf")):
            with self.assertRaisesRegex(ValueError, "NaN or an infinity"):
                mc.canonical_json({"x": v}, lenient=True)

    def test_wrong_types(self):
        for v in ({1, 2}, object(), {"a": b"bytes inside"}, 1j):
            with self.assertRaises(TypeError):
                mc.canonical_json(v)

    def test_circular(self):
        v = []
        v.append(v)
        with self.assertRaises(ValueError):
            mc.canonical_json(v)

    def test_lone_surrogate_is_refused_by_the_library(self):
        with self.assertRaises(mc.JSONUTF8Error):
            mc.canonical_json({"a": "\ud800"})


class ParseErrors(unittest.TestCase):
    def check(self, data, cls, code, offset=None):
        with self.assertRaises(cls) as cm:
            mc.canonical_json(data)
        e = cm.exception
        self.assertIsInstance(e, mc.MatrixCoreError)
        self.assertIsInstance(e, mc.JSONError)
        self.assertEqual(e.code, code)
        self.assertEqual(e.status, mc.status_value(code))
        self.assertTrue(e.message)
        if offset is not None:
            self.assertEqual(e.offset, offset)
        return e

    def test_syntax(self):
        self.check(b'{"a":1,}', mc.JSONSyntaxError, "json_syntax", 7)
        self.check(b"", mc.JSONSyntaxError, "json_syntax")
        self.check(b"[01]", mc.JSONSyntaxError, "json_syntax")
        self.check(b"\xef\xbb\xbf{}", mc.JSONSyntaxError, "json_syntax")
        self.check(b"{} x", mc.JSONSyntaxError, "json_syntax")

    def test_duplicate_key_names_the_path(self):
        e = self.check(b'{"a":{"b":1,"b":2}}', mc.JSONDuplicateKeyError,
                       "json_duplicate_key")
        self.assertEqual(e.subject, "$.a.b")

    def test_utf8(self):
        self.check(b'"\xc0\xaf"', mc.JSONUTF8Error, "json_utf8")
        self.check(b'"\\ud800"', mc.JSONUTF8Error, "json_utf8")
        self.check(b'"\xed\xa0\x80"', mc.JSONUTF8Error, "json_utf8")

    def test_depth(self):
        ok = b"[" * mc.MAX_DEPTH + b"]" * mc.MAX_DEPTH
        self.assertEqual(mc.canonical_json(ok), ok)
        deep = b"[" * (mc.MAX_DEPTH + 1) + b"]" * (mc.MAX_DEPTH + 1)
        self.check(deep, mc.JSONDepthError, "json_depth")

    def test_lenient_number_too_long(self):
        big = b"1e" + str(mc.MAX_NUMBER_DIGITS + 10).encode()
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.canonical_json(big, lenient=True)


class ParseJson(unittest.TestCase):
    def test_values(self):
        self.assertEqual(mc.parse_json(b'{"b":[1,"\\u0000x"],"a":null}'),
                         {"a": None, "b": [1, "\x00x"]})
        self.assertEqual(mc.parse_json(b"[1.5, 2e3]", lenient=True),
                         [1.5, 2000])

    def test_errors(self):
        with self.assertRaises(TypeError):
            mc.parse_json('{"a":1}')
        with self.assertRaises(mc.JSONDuplicateKeyError):
            mc.parse_json(b'{"a":1,"a":1}')
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.parse_json(b"[1.5]")
        # a non-integral number beyond the double range has no canonical
        # form (an integral one, 1.5e400, is written out digit for digit)
        with self.assertRaises(mc.JSONNumberRangeError):
            mc.parse_json(b"[" + b"1" * 400 + b".5]", lenient=True)


class Statuses(unittest.TestCase):
    def test_names_and_messages(self):
        self.assertEqual(mc.status_name(0), "ok")
        self.assertEqual(mc.status_name(-203), "json_duplicate_key")
        self.assertEqual(mc.status_name(12345), "unknown_status")
        self.assertEqual(mc.status_value("need_input"), -402)
        self.assertTrue(mc.status_message(-901))
        with self.assertRaises(mc.NotFoundError) as cm:
            mc.status_value("no_such_status")
        self.assertIsInstance(cm.exception, LookupError)

    def test_every_library_status_has_its_class(self):
        # the library's whole table (mxc_strerror over the value range)
        names = {v: mc.status_name(v) for v in range(-1000, 0)
                 if mc.status_name(v) != "unknown_status"}
        self.assertGreaterEqual(len(names), 27)
        for v, name in names.items():
            e = mc.errors._ffi.make_error(v)
            self.assertIsInstance(e, mc.MatrixCoreError)
            self.assertIsNot(type(e), mc.MatrixCoreError,
                             "no class for status %s" % name)
            self.assertEqual((e.status, e.code), (v, name))

    def test_unknown_status_gets_the_base_class(self):
        e = mc.errors._ffi.make_error(-999)
        self.assertIs(type(e), mc.MatrixCoreError)
        self.assertEqual(e.code, "unknown_status")


if __name__ == "__main__":
    unittest.main()
