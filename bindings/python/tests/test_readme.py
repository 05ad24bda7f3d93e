# SPDX-License-Identifier: Apache-2.0
"""The README's Python examples run as written (one namespace, in order),
so the guide cannot drift from the API."""
import contextlib
import io
import os
import re
import unittest

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


class Readme(unittest.TestCase):
    def test_examples_run(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        blocks = re.findall(r"```python\n(.*?)```", text, re.S)
        self.assertGreaterEqual(len(blocks), 4)
        ns = {"__name__": "readme"}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for i, code in enumerate(blocks):
                exec(compile(code, "README.md block %d" % i, "exec"), ns)
        printed = out.getvalue()
        self.assertIn("fetch first: ['$topic_b']", printed)
        self.assertIn("auth rule", printed)


if __name__ == "__main__":
    unittest.main()
