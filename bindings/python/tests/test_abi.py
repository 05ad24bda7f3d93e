# SPDX-License-Identifier: Apache-2.0
"""The binding's declarations against the library (STYLE.md section 7):
every function the library exports is declared (with argtypes and
restype) and wrapped by a public name, and nothing is declared that the
library lacks. The exports are read from the loaded library itself (nm -D)
and from the build's symbols.txt (generated from the MXC_API lines of the
headers), which must agree."""
import os
import re
import shutil
import subprocess
import unittest

import matrix_core as mc
from matrix_core import _ffi

from ._util import ROOT

# present only when the library is built with cJSON
OPTIONAL = {"mxc_json_to_cjson", "mxc_json_from_cjson"}
PKG = os.path.dirname(mc.__file__)


def library_exports(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "T":
            names.add(parts[2].split("@")[0])
    return names


def symbols_txt():
    """The build's symbols.txt beside the loaded library, if there."""
    p = os.path.join(os.path.dirname(os.path.realpath(_ffi.LIBRARY_PATH)),
                     "symbols.txt")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return {line.strip() for line in f if line.strip()}


def header_symbols():
    """The MXC_API functions of the headers in the tree, as the build's
    generator reads them."""
    decl = re.compile(r"MXC_API\b[^;{}()]*?\b(mxc_\w+)\s*\(", re.S)
    names = set()
    inc = os.path.join(ROOT, "include", "matrix-core")
    for f in sorted(os.listdir(inc)):
        if not (f.endswith(".h") or f == "version.h.in"):
            continue
        with open(os.path.join(inc, f), encoding="utf-8") as fh:
            text = fh.read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        names.update(decl.findall(text))
    return names


class Declarations(unittest.TestCase):
    def setUp(self):
        if shutil.which("nm") is None:  # pragma: no cover
            self.skipTest("nm (binutils) not installed")
        self.exports = library_exports(os.path.realpath(_ffi.LIBRARY_PATH))
        self.declared = set(_ffi.DECLARATIONS)

    def test_every_export_is_declared(self):
        self.assertGreater(len(self.exports), 150)
        self.assertEqual(sorted(self.exports - self.declared), [],
                         "exported but not declared by the binding")

    def test_nothing_declared_that_the_library_lacks(self):
        self.assertEqual(sorted(self.declared - self.exports - OPTIONAL), [],
                         "declared by the binding, not exported")
        self.assertEqual(sorted(set(_ffi.MISSING) - OPTIONAL), [])

    def test_symbols_txt_agrees(self):
        listed = symbols_txt()
        if listed is None:
            self.skipTest("no symbols.txt beside %s" % _ffi.LIBRARY_PATH)
        self.assertEqual(listed, self.exports)

    def test_headers_agree(self):
        # the tree's headers (cjson.h whether or not it was built)
        self.assertEqual(header_symbols() - OPTIONAL,
                         self.declared - OPTIONAL)

    def test_every_declaration_is_typed(self):
        for name, (res, args) in _ffi.DECLARATIONS.items():
            if name in _ffi.MISSING:
                continue
            fn = getattr(_ffi.lib, name)
            self.assertEqual(fn.argtypes, args, name)
            self.assertIs(fn.restype, res, name)

    def test_every_declaration_is_wrapped(self):
        source = ""
        for f in os.listdir(PKG):
            if f.endswith(".py") and f != "_ffi.py":
                with open(os.path.join(PKG, f), encoding="utf-8") as fh:
                    source += fh.read()
        with open(os.path.join(PKG, "_ffi.py"), encoding="utf-8") as fh:
            ffi_src = fh.read().split("# ---- loading")[1]
        used = set(re.findall(r"\b(mxc_\w+)\b", source + ffi_src))
        unused = self.declared - used - set(_ffi.NOT_WRAPPED)
        self.assertEqual(sorted(unused), [],
                         "declared but reachable from no public name")
        for name in _ffi.NOT_WRAPPED:
            self.assertIn(name, self.declared)


class PublicNames(unittest.TestCase):
    def test_all_is_complete_and_documented(self):
        for name in mc.__all__:
            obj = getattr(mc, name)
            if callable(obj) and not isinstance(obj, type(mc.StateMap)):
                self.assertTrue(getattr(obj, "__doc__", None),
                                "%s has no docstring" % name)

    def test_methods_and_properties_documented(self):
        import inspect
        for name in mc.__all__:
            obj = getattr(mc, name)
            if not (inspect.isclass(obj)
                    and obj.__module__.startswith("matrix_core")):
                continue
            self.assertTrue(obj.__doc__, name)
            for n, m in vars(obj).items():
                if n.startswith("_"):
                    continue
                if isinstance(m, (classmethod, staticmethod)):
                    m = m.__func__
                if inspect.isfunction(m) or isinstance(m, property):
                    self.assertTrue(m.__doc__, "%s.%s" % (name, n))

    def test_functions_have_type_hints(self):
        import inspect
        for name in mc.__all__:
            obj = getattr(mc, name)
            fns = []
            if inspect.isfunction(obj):
                fns = [obj]
            elif inspect.isclass(obj) and obj.__module__.startswith(
                    "matrix_core"):
                fns = [m for n, m in vars(obj).items()
                       if inspect.isfunction(m) and not n.startswith("_")]
            for fn in fns:
                hints = fn.__annotations__
                self.assertIn("return", hints,
                              "%s.%s lacks a return annotation"
                              % (name, fn.__name__))
                params = [p for p in inspect.signature(fn).parameters
                          if p not in ("self", "cls")]
                for p in params:
                    self.assertIn(p, hints, "%s.%s(%s) lacks a hint"
                                  % (name, fn.__name__, p))


if __name__ == "__main__":
    unittest.main()
