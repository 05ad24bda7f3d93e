#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Python binding's rates against Debian's python3-canonicaljson and
python3-signedjson, measured in one run on the same inputs, with a small
ratio table. Not a test (never run in CI): timings depend on the machine.

    MATRIX_CORE_LIB=$PWD/build/libmatrix-core.so PYTHONPATH=bindings/python \\
        /usr/bin/python3 tests/bench/bench_python.py [--json]

Cases: a ~1 KB m.room.message event, a power levels content with 50 users,
and a ~100 KB nested object. Ops:
  canonical_json  binding from a dict (json.dumps + the library's parser
                  and encoder), binding from bytes (the library alone), and
                  canonicaljson.encode_canonical_json(dict);
  verify_json     binding verify_json(dict) / (bytes) against
                  signedjson.sign.verify_signed_json(dict);
  sign_json       binding sign_json(dict) against signedjson sign_json.
Each output is checked equal between the two sides before timing.
--json also prints one JSON line per measurement (the peers' format:
peer, op, case, ops_per_s).
"""
import copy
import hashlib
import json
import os
import random
import statistics
import sys
import time

import canonicaljson
import nacl.signing
import signedjson.key
import signedjson.sign

import matrix_core as mc

MIN_RUN_S = float(os.environ.get("BENCH_MIN_RUN_S", "0.2"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SEED = hashlib.sha256(b"matrix-core python bench").digest()


def rate(fn):
    """Median calls per second over RUNS runs of at least MIN_RUN_S."""
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        dt = time.perf_counter() - t0
        if dt >= MIN_RUN_S:
            break
        iters = max(iters * 2, int(iters * MIN_RUN_S / max(dt, 1e-9) * 1.1))
    rates = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        rates.append(iters / (time.perf_counter() - t0))
    return statistics.median(rates)


def cases():
    r = random.Random(1)
    msg = {
        "type": "m.room.message", "room_id": "!room:bench.example",
        "sender": "@alice:bench.example", "origin_server_ts": 1700000000000,
        "depth": 42, "prev_events": ["$" + "A" * 43], "auth_events":
        ["$" + c * 43 for c in "BCD"],
        "content": {"msgtype": "m.text",
                    "body": "".join(r.choice("abc d\u00e9f\U0001F600")
                                    for _ in range(600))},
        "hashes": {"sha256": "x" * 43}, "unsigned": {"age": 5},
    }
    pl = {"users": {"@user%02d:bench.example" % i: r.randrange(100)
                    for i in range(50)},
          "events": {"m.room.name": 50, "m.room.power_levels": 100},
          "ban": 50, "kick": 50, "redact": 50, "invite": 0,
          "state_default": 50, "events_default": 0, "users_default": 0}

    def nested(depth):
        if depth == 0:
            return "leaf \u00e9 %d" % r.randrange(10 ** 6)
        return {"k%d" % i: nested(depth - 1) if i % 3 else
                [r.randrange(-10 ** 9, 10 ** 9), True, None]
                for i in range(6)}
    big = {"root": [nested(4) for _ in range(9)]}
    return [("message_1k", msg), ("power_levels_50", pl),
            ("nested_100k", big)]


def main():
    as_json = "--json" in sys.argv[1:]
    rows = []

    def record(op, case, ours_label, ours, theirs):
        rows.append((op, case, ours_label, ours, theirs))
        if as_json:
            for peer, v in (("matrix-core(python %s)" % ours_label, ours),
                            ("python-debian(canonicaljson %s)"
                             % canonicaljson.__version__, theirs)):
                if v is not None:
                    print(json.dumps({"peer": peer, "op": op, "case": case,
                                      "ops_per_s": v}), flush=True)

    ours_key = mc.SigningKey(SEED, "ed25519:bench")
    theirs_key = nacl.signing.SigningKey(SEED)
    theirs_key.alg, theirs_key.version = "ed25519", "bench"
    vk = signedjson.key.get_verify_key(theirs_key)
    assert bytes(vk) == ours_key.public_key

    for name, value in cases():
        text = canonicaljson.encode_canonical_json(value)
        size = len(text)
        assert mc.canonical_json(value) == text
        assert mc.canonical_json(text) == text
        peer = rate(lambda: canonicaljson.encode_canonical_json(value))
        record("canonical_json", "%s (%d B)" % (name, size), "dict",
               rate(lambda: mc.canonical_json(value)), peer)
        record("canonical_json", "%s (%d B)" % (name, size), "bytes",
               rate(lambda: mc.canonical_json(text)), peer)

        signed = signedjson.sign.sign_json(copy.deepcopy(value),
                                           "bench.example", theirs_key)
        assert mc.sign_json(value, "bench.example", ours_key) == signed
        signed_bytes = json.dumps(signed).encode()
        assert mc.verify_json(signed, "bench.example", "ed25519:bench",
                              ours_key.public_key)
        peer = rate(lambda: signedjson.sign.verify_signed_json(
            signed, "bench.example", vk))
        record("verify_json", name, "dict", rate(lambda: mc.verify_json(
            signed, "bench.example", "ed25519:bench", ours_key.public_key)),
            peer)
        record("verify_json", name, "bytes", rate(lambda: mc.verify_json(
            signed_bytes, "bench.example", "ed25519:bench",
            ours_key.public_key)), peer)
        record("sign_json", name, "dict",
               rate(lambda: mc.sign_json(value, "bench.example", ours_key)),
               rate(lambda: signedjson.sign.sign_json(
                   copy.deepcopy(value), "bench.example", theirs_key)))

    print("\nmatrix_core %s (%s) against canonicaljson %s / signedjson"
          % (mc.VERSION, mc.LIBRARY_PATH, canonicaljson.__version__))
    print("| op | case | binding input | binding ops/s | peer ops/s "
          "| ratio |")
    print("|---|---|---|---:|---:|---:|")
    for op, case, label, ours, theirs in rows:
        print("| %s | %s | %s | %s | %s | %.2f× |"
              % (op, case, label, f"{ours:,.0f}", f"{theirs:,.0f}",
                 ours / theirs))
    print("\n(sign_json: signedjson's time includes the deep copy it "
          "needs because it signs in place; the binding returns a new "
          "dict.)")


if __name__ == "__main__":
    main()
