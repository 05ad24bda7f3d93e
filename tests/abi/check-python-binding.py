#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Python binding declares exactly the exported functions.

  check-python-binding.py SYMBOLS_TXT BINDING_FFI_PY

SYMBOLS_TXT is the build's list of MXC_API functions (generated from the
headers); BINDING_FFI_PY is bindings/python/matrix_core/_ffi.py, whose
DECLARATIONS table (name: (restype, argtypes)) is read without importing
it, so this runs without loading the library (under any sanitizer). Every
exported function must be declared, and every declared one exported (the
cJSON bridge only when the library was built with it). The binding's own
test suite (bindings/python/tests/test_abi.py) checks the same against the
loaded library, and that each declaration is wrapped by a public name.
"""
import ast
import sys

OPTIONAL = {"mxc_json_to_cjson", "mxc_json_from_cjson"}


def declared(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "DECLARATIONS" \
                and isinstance(node.value, ast.Dict):
            return {k.value for k in node.value.keys
                    if isinstance(k, ast.Constant)}
    sys.exit("%s: no DECLARATIONS table" % path)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        exported = {line.strip() for line in f if line.strip()}
    names = declared(sys.argv[2])
    missing = sorted(exported - names)
    extra = sorted(names - exported - OPTIONAL)
    for n in missing:
        print("exported but not declared by the Python binding: %s" % n)
    for n in extra:
        print("declared by the Python binding but not exported: %s" % n)
    if missing or extra:
        print("0 passed, 1 failed")
        sys.exit(1)
    print("1 passed, 0 failed (%d functions)" % len(exported))


if __name__ == "__main__":
    main()
