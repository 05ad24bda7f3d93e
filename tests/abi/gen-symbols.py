#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate the exported-symbol list from the MXC_API declarations.

  gen-symbols.py --map OUT HEADER...   linker version script
  gen-symbols.py --list OUT HEADER...  one symbol per line (tests/abi)
The headers are the single source: a function is exported iff its
declaration starts with MXC_API.
"""
import re
import sys

DECL = re.compile(r"MXC_API\b[^;{}()]*?\b(mxc_\w+)\s*\(", re.S)


def symbols(paths):
    names = set()
    for p in paths:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        # drop comments and the macro definition lines of MXC_API itself
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        names.update(DECL.findall(text))
    return sorted(names)


def main():
    mode, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    names = symbols(paths)
    with open(out, "w", encoding="utf-8") as f:
        if mode == "--map":
            f.write("MATRIX_CORE_0 {\n  global:\n")
            for n in names:
                f.write("    %s;\n" % n)
            f.write("  local:\n    *;\n};\n")
        elif mode == "--list":
            f.write("".join(n + "\n" for n in names))
        else:
            sys.exit("usage: gen-symbols.py --map|--list OUT HEADER...")


if __name__ == "__main__":
    main()
