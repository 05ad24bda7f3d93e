# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the binding's tests: the repository's test vectors
(tests/vectors, each case naming its source) and the spec's test key."""
import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..",
                                     ".."))
VECTORS = os.path.join(ROOT, "tests", "vectors")

# appendices: Cryptographic Test Vectors / Signing Key
SPEC_SEED_B64 = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
SPEC_PUBLIC_B64 = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"


def vectors(path, kind=None):
    """The cases of a vector file, optionally only those of one kind."""
    with open(os.path.join(VECTORS, path), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    return [c for c in cases if kind is None or c.get("kind") == kind]
