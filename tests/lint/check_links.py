#!/usr/bin/env python3
"""Link check for the repository's Markdown: every relative link of every tracked *.md file (or
of the files given) must resolve to a file or folder inside the repository, and a #fragment
pointing into a Markdown file must name one of its headings. External links (http:, https:,
mailto:) are not fetched.

Usage:
    check_links.py REPO_ROOT [FILE.md ...]        exit 0 when every link resolves, 1 otherwise
    check_links.py REPO_ROOT --expect N FILE.md   self-test: exit 0 only if exactly N links fail
"""
import os
import re
import subprocess
import sys

import lint_cli

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    out = set()
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if not in_fence and line.startswith("#"):
                out.add(slug(line.lstrip("#")))
    return out


def links(path):
    in_fence = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            line = re.sub(r"`[^`]*`", "", line)  # code spans are not links
            for m in LINK.finditer(line):
                yield number, m.group(1) or m.group(2)


def check(root, md):
    problems = []
    base = os.path.dirname(os.path.join(root, md))
    for number, target in links(os.path.join(root, md)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # http:, https:, mailto:
        path, _, fragment = target.partition("#")
        resolved = os.path.normpath(os.path.join(base, path)) if path else os.path.join(root, md)
        where = f"{md}:{number}: ({target})"
        if os.path.relpath(resolved, root).startswith(".."):
            problems.append(f"{where} points outside the repository")
        elif not os.path.exists(resolved):
            problems.append(f"{where} does not exist")
        elif fragment and resolved.endswith(".md") and slug(fragment) not in anchors(resolved):
            problems.append(f"{where} has no heading #{fragment}")
    return problems


def tracked_markdown(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "*.md"], capture_output=True, text=True)
    # Fixtures hold broken links on purpose (the self-test); node_modules is not ours.
    skip = ("node_modules", "_fixture/")
    files = [f for f in out.stdout.split() if not any(s in f for s in skip)]
    if not files:  # not a git checkout: walk the tree
        for base, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("node_modules", ".git", "build")]
            files += [os.path.relpath(os.path.join(base, n), root) for n in names
                      if n.endswith(".md") and "_fixture" not in base]
    return sorted(files)


def main(argv):
    return lint_cli.run(argv, __doc__, tracked_markdown, check, "check_links", "broken links")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
