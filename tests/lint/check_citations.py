#!/usr/bin/env python3
"""Citation check: the repository stands on its own words. No tracked text file (code, comments,
scripts, Markdown) may point a reader at material that is not in the repository: design or seed
documents, the sibling ../shared folder, or issue numbers ("issue 9", "#12"). History belongs
in commit messages, explanations in docs/.

Usage:
    check_citations.py REPO_ROOT [FILE ...]        exit 0 when nothing is cited, 1 otherwise
    check_citations.py REPO_ROOT --expect N FILE   self-test: exit 0 only if exactly N hits
"""
import re
import subprocess
import sys

import lint_cli

CITATIONS = [
    (re.compile(r"DESIGN\.md"), "a design document outside the repository"),
    (re.compile(r"pulse-seed"), "the seed document"),
    (re.compile(r"\bthe (?:spec|seed)'s\b", re.I), "the outside spec or seed"),
    (re.compile(r"(?<![\w.])\.\./shared\b"), "the sibling ../shared folder"),
    (re.compile(r"\b[Ii]ssues? #?\d+\b"), "an issue number"),
    (re.compile(r"(?:^|[\s(\[])#\d{1,4}\b(?![\w;])"), "an issue or pull-request number"),
]

# Uses that are not citations, by (file, exact text on the line). Keep this short and say why.
ALLOWED = [
    # A Markdown link to this repository's own shared/ folder (lint.links checks it resolves).
    ("docs/architecture.md", "](../shared/)"),
    # The default location of the Node.js reference checkout the benchmark compares against
    # (overridable with PULSE_NODE_REFERENCE); a path the script reads, not a citation.
    ("scripts/bench", "$root/../shared/reference/node-pulse"),
]

# Not ours (node_modules), generated inputs (fuzz corpora, lock files), the planted fixture and
# this script (it spells the patterns out).
SKIP = ("node_modules/", "tests/fuzz/corpus/", "package-lock.json", "citations_fixture/",
        "tests/lint/check_citations.py")


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True,
                         check=True)
    return [f for f in out.stdout.splitlines() if not any(s in f for s in SKIP)]


def check(root, path):
    try:
        with open(f"{root}/{path}", encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
        return []  # binary files (images), submodules, files deleted but not yet staged
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if any(path == f and allowed in line for f, allowed in ALLOWED):
            continue
        for pattern, what in CITATIONS:
            m = pattern.search(line)
            if m:
                problems.append(f"{path}:{number}: cites {what}: {m.group(0).strip()!r}")
    return problems


def main(argv):
    return lint_cli.run(argv, __doc__, tracked_files, check, "check_citations", "citations")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
