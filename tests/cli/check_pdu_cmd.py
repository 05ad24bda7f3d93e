#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`mxc check-pdu FILE`: each check_pdu case of pdu_ops.jsonl run as the
human subcommand, its request (without "op" and "id") written to a file.
The exit status must follow the case's expected answer: 0 for accepted or
soft_failed, 1 for rejected or dropped, 2 for an error (need_input,
bad_request, ...); on success stdout is the result object the batch op
answers.

usage: check_pdu_cmd.py MXC pdu_ops.jsonl
"""
import json
import os
import subprocess
import sys
import tempfile


def _sub(got, want):
    if isinstance(want, dict) and isinstance(got, dict):
        return all(_sub(got.get(k), v) for k, v in want.items())
    return got == want


def main():
    mxc, path = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as d:
        req_file = os.path.join(d, "request.json")
        for line in open(path, encoding="utf-8"):
            if not line.strip() or line.startswith("#"):
                continue
            c = json.loads(line)
            q = {k: v for k, v in c["send"].items() if k not in ("op", "id")}
            with open(req_file, "w", encoding="utf-8") as f:
                json.dump(q, f)
            p = subprocess.run([mxc, "check-pdu", req_file],
                               capture_output=True, timeout=60)
            want = c["expect"]
            if want["ok"]:
                outcome = want["result"]["outcome"]
                status = 0 if outcome in ("accepted", "soft_failed") else 1
            else:
                status = 2
            ok = p.returncode == status
            if ok and want["ok"]:
                ok = _sub(json.loads(p.stdout), want["result"])
            if ok and not want["ok"]:
                ok = want["error"]["code"].encode() in p.stderr
            if ok:
                passed += 1
            else:
                failed += 1
                print("FAIL %s: exit %d (want %d)\n  stdout %s\n  stderr %s"
                      % (c["name"], p.returncode, status, p.stdout[:300],
                         p.stderr[:300]))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
