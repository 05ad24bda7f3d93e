#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive `mxc batch` like an outside harness and check every response.

usage: run_batch.py MXC CASES.jsonl...

Each line of a cases file is {"name", "send": <request object> or
"send_text": <raw line>, "expect": <response object> (or "expect_any": a
list of them), "expect_keys": [...]?}. An argument "@vectors:DIR" adds the
cases vector_cases.py makes from the vector files in DIR. With "expect", the response must equal it exactly (as JSON);
with "expect_keys" only those top-level keys are compared (for responses
with messages). Requests are written one at a time and each answer must
arrive (flushed) before the next line is sent: a tool that buffers its
output fails here by timing out.
"""
import json
import os
import select
import subprocess
import sys


def main():
    mxc, files = sys.argv[1], sys.argv[2:]
    cases = []
    for f in files:
        if f.startswith("@vectors:"):
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            import vector_cases
            cases.extend(vector_cases.cases(f[len("@vectors:"):]))
            continue
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                c = json.loads(line)
                c.setdefault("name", "%s:%d" % (f, n))
                cases.append(c)
    p = subprocess.Popen([mxc, "batch"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, bufsize=0)
    passed = failed = 0
    for c in cases:
        text = c["send_text"] if "send_text" in c else json.dumps(c["send"], ensure_ascii=False)
        p.stdin.write(text.encode("utf-8") + b"\n")
        p.stdin.flush()
        r, _, _ = select.select([p.stdout], [], [], 20)
        if not r:
            print("FAIL %s: no response within 20 s (not flushed?)" % c["name"])
            failed += 1
            break
        line = p.stdout.readline()
        try:
            got = json.loads(line)
        except ValueError:
            print("FAIL %s: response is not JSON: %r" % (c["name"], line))
            failed += 1
            continue
        keys = c.get("expect_keys")
        wants = c["expect_any"] if "expect_any" in c else [c["expect"]]
        ok = any(got == want if keys is None else all(
            _sub(got.get(k), want.get(k)) for k in keys) for want in wants)
        want = wants[0]
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s:\n  got  %s\n  want %s" % (c["name"], json.dumps(got), json.dumps(want)))
    p.stdin.close()
    p.wait(timeout=20)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or p.returncode else 0)


def _sub(got, want):
    """want is a subset of got (dicts compared key by key)."""
    if isinstance(want, dict) and isinstance(got, dict):
        return all(_sub(got.get(k), v) for k, v in want.items())
    return got == want


if __name__ == "__main__":
    main()
