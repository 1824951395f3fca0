"""The command line shared by the repository lints: `SCRIPT ROOT [--expect N] [FILE...]`.

Without --expect the lint fails on any problem; with it (the self-test on a fixture of planted
faults) it passes only when exactly N problems are found, so every lint is seen to fail.
"""
import os
import sys


def run(argv, doc, default_files, check, name, what):
    """Parses argv, checks every file with check(root, file) -> [problem], prints, returns the
    exit status. default_files(root) lists the files when none are named."""
    if len(argv) < 2:
        print(doc, file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    expect = None
    rest = argv[2:]
    if rest[:1] == ["--expect"]:
        expect = int(rest[1])
        rest = rest[2:]
    files = rest or default_files(root)
    problems = [p for f in files for p in check(root, f)]
    for p in problems:
        print(p)
    if expect is not None:
        print(f"{name} self-test: expected {expect} {what}, found {len(problems)}")
        return 0 if len(problems) == expect else 1
    print(f"{name}: {len(files)} files, {len(problems)} {what}")
    return 1 if problems else 0
