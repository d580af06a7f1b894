#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""export-coverage.py BUILD_DIR - every function the client libraries in
BUILD_DIR/lib export has a test, checked against tests/api/export-tests.txt:

  - every exported function (defined T/W dynamic symbol of each lib*.so.N)
    has exactly one line, and every line names an exported function;
  - every test a line names is in the build's test list (what
    `meson test --list` prints, read from the introspection data);
  - the C sources under tests/ of the programs that test builds and runs
    call the function: with comments, string and character literals
    removed, "name(" appears not as a member (".name(", "->name(").

Sources come from meson's introspection: the targets a test depends on
(its executable and those in its arguments), limited to files under tests/
so that a tool or library the test happens to run does not count.
Prints every problem; exit 1 if any, 2 on usage or set-up errors.
"""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "export-tests.txt")
TESTS_DIR = os.path.dirname(HERE) + os.sep

# Comments go (each becomes a space); string and character literals become
# empty ones, so a name quoted in a message is not a call.
LEXEMES = re.compile(
    r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)


def strip_c(text):
    def repl(m):
        s = m.group(0)
        return " " if s[0] == "/" else s[0] * 2
    return LEXEMES.sub(repl, text)


def exported_functions(build):
    """{function: library} for every real lib*.so.* file in BUILD/lib."""
    libdir = os.path.join(build, "lib")
    out = {}
    for name in sorted(os.listdir(libdir)):
        path = os.path.join(libdir, name)
        if not re.match(r"lib.*\.so\.\d", name) or os.path.islink(path) \
                or not os.path.isfile(path):
            continue
        nm = subprocess.run(["nm", "-D", "--defined-only", path],
                            capture_output=True, text=True, check=True)
        for line in nm.stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in ("T", "W"):
                out[f[2].split("@")[0]] = name
    return out


def read_table():
    """[(lineno, function, [tests])] from export-tests.txt."""
    rows = []
    with open(TABLE) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if line:
                rows.append((n, line[0], line[1:]))
    return rows


def test_sources(build):
    """{test name: set of C sources under tests/} from introspection."""
    info = os.path.join(build, "meson-info")
    with open(os.path.join(info, "intro-targets.json")) as f:
        targets = {t["id"]: t for t in json.load(f)}
    with open(os.path.join(info, "intro-tests.json")) as f:
        tests = json.load(f)
    out = {}
    for t in tests:
        srcs = set()
        for dep in t["depends"]:
            for ts in targets.get(dep, {}).get("target_sources", []):
                srcs.update(s for s in ts.get("sources", [])
                            if s.endswith(".c") and s.startswith(TESTS_DIR))
        out[t["name"]] = srcs
    return out


def main():
    if len(sys.argv) != 2 or not os.path.isdir(os.path.join(sys.argv[1], "lib")):
        print("usage: export-coverage.py BUILD_DIR", file=sys.stderr)
        return 2
    build = sys.argv[1]
    exports = exported_functions(build)
    if not exports:
        print(f"no exported functions in {build}/lib", file=sys.stderr)
        return 2
    tests = test_sources(build)
    stripped = {}
    problems = []
    seen = {}
    for n, func, names in read_table():
        where = f"export-tests.txt:{n}"
        if func in seen:
            problems.append(f"{where}: {func} listed again (line {seen[func]})")
            continue
        seen[func] = n
        if func not in exports:
            problems.append(f"{where}: {func} is not exported by any library")
            continue
        if not names:
            problems.append(f"{where}: {func} names no test")
        call = re.compile(r"(?<![\w.>])" + re.escape(func) + r"\s*\(")
        for name in names:
            if name not in tests:
                problems.append(f"{where}: {func}: no test named {name}")
                continue
            for src in tests[name]:
                if src not in stripped:
                    with open(src, errors="replace") as f:
                        stripped[src] = strip_c(f.read())
            if not any(call.search(stripped[s]) for s in tests[name]):
                problems.append(f"{where}: {func}: not called by the sources of "
                                f"{name} ({', '.join(sorted(os.path.relpath(s, TESTS_DIR) for s in tests[name])) or 'none under tests/'})")
    for func in sorted(set(exports) - set(seen)):
        problems.append(f"{func} ({exports[func]}): exported, no line in export-tests.txt")
    for p in problems:
        print(p)
    print(f"{len(exports)} exported functions, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
