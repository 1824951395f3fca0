#!/usr/bin/env python3
"""Include-order lint for pulse-gateway: every #include of a gateway source must point at its own
layer or at a layer below it. The order, bottom up (parser and adapter sit beside each other, under
sio, and may not include each other):

    net < http < engine < {parser, adapter} < sio < bus < app < testing, mains

Shared headers (<pulse/...>), system and third-party headers are always allowed. A folder under
src/ that is not in the order is itself an error, so a new layer gets its place on purpose.

Usage:
    include_order.py GATEWAY_DIR                       check; exit 0 when clean, 1 on violations
    include_order.py GATEWAY_DIR --expect FILE         self-test: exit 0 only if the violations
                                                       found are exactly the ones FILE lists
"""
import os
import re
import sys

RANK = {
    "net": 0,
    "http": 1,
    "engine": 2,
    "parser": 3,
    "adapter": 3,
    "sio": 4,
    "bus": 5,
    "app": 6,
    "testing": 7,
}
MAINS_RANK = 7  # .cpp files at the gateway's top level (main.cpp)
SOURCE_EXT = (".cpp", ".hpp", ".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(rel):
    """(layer name, rank) of a file given by its path relative to the gateway folder."""
    parts = rel.split("/")
    if parts[0] == "src" and len(parts) > 2:
        return parts[1], RANK.get(parts[1])
    if parts[0] == "testing":
        return "testing", RANK["testing"]
    if len(parts) == 1:
        return "main", MAINS_RANK
    return None, None


def check_file(root, rel):
    problems = []
    layer, rank = layer_of(rel)
    if layer is not None and rank is None:
        return [f"{rel}: src/{layer}/ is not a layer of the gateway (known: {', '.join(RANK)})"]
    if layer is None:
        return []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(2)
            where = f"{rel}:{number}"
            if ".." in target.split("/"):
                problems.append(f"{where}: includes \"{target}\": no '..' in includes, name the layer")
                continue
            head = target.split("/")[0] if "/" in target else None
            if head is None or head not in RANK:
                continue  # same folder, shared <pulse/...>, system or third-party
            if head == layer:
                continue
            if RANK[head] < rank:
                continue
            problems.append(
                f"{where}: {layer} includes {target}: {head} is not below {layer} "
                f"(order: net < http < engine < parser|adapter < sio < bus < app)")
    return problems


def sources(root):
    for base, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("node_modules", "build"))
        for name in sorted(files):
            if name.endswith(SOURCE_EXT):
                yield os.path.relpath(os.path.join(base, name), root).replace(os.sep, "/")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--expect"):
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    if not os.path.isdir(os.path.join(root, "src")):
        print(f"include_order: {root}/src not found", file=sys.stderr)
        return 2
    problems = []
    count = 0
    for rel in sources(root):
        count += 1
        problems.extend(check_file(root, rel))
    for p in problems:
        print(p)
    if len(argv) == 4:
        with open(argv[3], encoding="utf-8") as f:
            expected = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        found = [p.split(": ")[0] for p in problems]
        if sorted(found) != sorted(expected):
            print(f"include_order self-test: expected violations at {sorted(expected)}, "
                  f"found {sorted(found)}")
            return 1
        print(f"include_order self-test: the {len(expected)} planted violations were all caught")
        return 0
    print(f"include_order: {count} files checked, {len(problems)} layer violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
