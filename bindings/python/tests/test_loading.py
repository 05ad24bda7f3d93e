# SPDX-License-Identifier: Apache-2.0
"""Finding the library: MATRIX_CORE_LIB is an explicit choice (no silent
fallback), and a failure says what was looked at and why; the loaded
library is initialised and of the ABI the binding was written for."""
import os
import subprocess
import sys
import tempfile
import unittest

import matrix_core as mc
from matrix_core import _ffi

PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(mc.__file__)))


def import_with(env_value):
    env = dict(os.environ, PYTHONPATH=PKG_PARENT)
    env["MATRIX_CORE_LIB"] = env_value
    return subprocess.run([sys.executable, "-c", "import matrix_core"],
                          env=env, capture_output=True, text=True)


class Loading(unittest.TestCase):
    def test_missing_file(self):
        r = import_with("/nonexistent/libmatrix-core.so")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LibraryNotFound", r.stderr)
        self.assertIn("/nonexistent/libmatrix-core.so: no such file",
                      r.stderr)
        self.assertIn("MATRIX_CORE_LIB", r.stderr)
        # no fallback to the build tree or the SONAME
        self.assertNotIn(_ffi.SONAME, r.stderr)

    def test_not_a_library(self):
        with tempfile.NamedTemporaryFile(suffix=".so") as f:
            f.write(b"not an ELF file")
            f.flush()
            r = import_with(f.name)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f.name + ":", r.stderr)
        self.assertIn("LibraryNotFound", r.stderr)

    def test_loaded(self):
        self.assertTrue(os.path.exists(_ffi.LIBRARY_PATH))
        if os.environ.get("MATRIX_CORE_LIB"):
            self.assertEqual(_ffi.LIBRARY_PATH,
                             os.environ["MATRIX_CORE_LIB"])
        self.assertEqual(mc.VERSION, mc.__version__)
        major, minor = mc.VERSION_NUMBER >> 16, (mc.VERSION_NUMBER >> 8) & 255
        self.assertEqual((major, minor), _ffi.ABI_VERSION)
        self.assertEqual(mc.VERSION.split(".")[:2], [str(major), str(minor)])
        self.assertTrue(issubclass(mc.LibraryNotFound, ImportError))


if __name__ == "__main__":
    unittest.main()
