#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""matrix-core's rates as ratios: against each peer on the same op and
case, and against the bare primitives measured in the same run, with the
goals the issues set. usage: ratios.py RESULTS_DIR"""
import collections
import glob
import json
import os
import sys


def kind(peer):
    if peer.startswith("matrix-core"):
        return "mxc"
    if peer.startswith("python-debian"):
        return "py"
    if peer.startswith("@rocket.chat"):
        return "rc"
    return peer


def main(d):
    rate = collections.defaultdict(dict)
    out = collections.defaultdict(dict)
    for path in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        for line in open(path, encoding="utf-8"):
            if line.startswith("{"):
                r = json.loads(line)
                k = kind(r["peer"])
                rate[(r["op"], r["case"])][k] = r["ops_per_s"]
                out[(r["op"], r["case"])][k] = r["output"]
    print("| op | case | matrix-core ops/s | × python-debian | × rocketchat |")
    print("|---|---|---|---|---|")
    for (op, case), by in rate.items():
        if "mxc" not in by:
            continue
        m = by["mxc"]
        cols = []
        for p in ("py", "rc"):
            cols.append("%.1f" % (m / by[p]) if p in by and by[p] else "—")
        print("| %s | %s | %s | %s |" % (op, case, f"{m:,.0f}" if m >= 100 else f"{m:.2f}", " | ".join(cols)))
    print()
    print("Goals (same run):")

    def r(op, case, who="mxc"):
        return rate.get((op, case), {}).get(who)

    def goal(label, value, target, cmp):
        if value is None:
            print(f"- {label}: not measured")
            return
        ok = value >= target if cmp == ">=" else value <= target
        print(f"- {label}: {value:.2f} ({'meets' if ok else 'MISSES'} {cmp} {target})")

    for case in ("message_1k", "power_levels_50", "nested_100k"):
        a, b = r("canonical_json", case), r("canonical_json", case, "py")
        goal(f"canonical JSON {case}, × python-debian", a / b if a and b else None, 30, ">=")
    sha = r("sha256_raw(openssl)", "message_1k")
    ch = r("content_hash", "message_1k")
    eid = r("event_id(parse+reference_hash)", "message_1k")
    goal("content hash of message_1k / bare SHA-256 of its canonical bytes", ch / sha if ch and sha else None, 0.6, ">=")
    goal("event ID of message_1k (parse+redact+canonical+hash) / bare SHA-256", eid / sha if eid and sha else None, 0.4, ">=")
    sod = r("ed25519_verify_raw(libsodium)", "message_1k_bytes")
    vj = r("verify_signed_json", "message_1k")
    ve = r("verify_event(signatures+hash)", "message_1k")
    goal("verify_json cost / libsodium bare verify cost", sod / vj if sod and vj else None, 1.15, "<=")
    goal("verify_event cost / libsodium bare verify cost", sod / ve if sod and ve else None, 1.15, "<=")
    bad = [k for k, o in out.items() if "mxc" in o and k[0] == "auth_check"
           and (o["mxc"] or {}).get("verdict") != (o["mxc"] or {}).get("expect")]
    if bad:
        print("- auth checks whose verdict differs from the expected one:", bad)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results")
