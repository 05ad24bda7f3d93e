#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run examples/memory-store on a forks file and compare its output with
the file's expected_state (worked by hand from the spec).
usage: check_example.py MEMORY_STORE FORKS.json..."""
import json
import subprocess
import sys

passed = failed = 0
for path in sys.argv[2:]:
    want = json.load(open(path, encoding="utf-8"))["expected_state"]
    out = subprocess.run([sys.argv[1], path], capture_output=True, text=True)
    got = {}
    for line in out.stdout.splitlines():
        t, k, e = line.split()[0], "", line.split()[-1]
        parts = line.split()
        if len(parts) == 3:
            k = parts[1]
        got.setdefault(t, {})[k] = e
    if out.returncode == 0 and got == want:
        passed += 1
    else:
        failed += 1
        print("FAIL %s (exit %d):\n%s%s\nwant %s" % (path, out.returncode, out.stdout,
                                                out.stderr, json.dumps(want)))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
