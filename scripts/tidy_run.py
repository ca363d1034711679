#!/usr/bin/env python3
"""Runs clang-tidy on files, J at a time, and remembers which files came out clean.

scripts/tidy.sh's runner (see there for the file set and the flags). A file is skipped when the
cache holds a clean result for the same key: clang-tidy's version, the .clang-tidy file, the
flags, the file's compile command and its preprocessed text with comments kept (so a new
NOLINT, a changed header or a changed generated protobuf header all make a new key). The repo's
own path is replaced in all of them, so clones at other paths share results. Only clean results
are cached: a file with findings is linted again every time.

Usage: tidy_run.py --db build/P/compile_commands.json --root ROOT --jobs J [--cache DIR]
                   -- CLANG_TIDY_ARGS... -- FILE...
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time

NOISE = re.compile(r"^(\d+ warnings?( and \d+ errors?)? generated\.|Suppressed \d+ warnings.*"
                   r"|Use -header-filter=.*|Use -system-headers.*)$")


def preprocess(entry, root):
    """The file's preprocessed text (comments kept, no line markers), or None if that fails."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out = [args[0]]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c" or a.startswith("-o"):
            continue
        out.append(a)
    out += ["-E", "-C", "-P"]
    r = subprocess.run(out, cwd=entry["directory"], capture_output=True)
    if r.returncode != 0:
        return None
    return r.stdout.replace(root.encode(), b"@ROOT@")


def main():
    argv = sys.argv[1:]
    sep = argv.index("--")
    opts = argparse.ArgumentParser()
    opts.add_argument("--db", required=True)
    opts.add_argument("--root", required=True)
    opts.add_argument("--jobs", type=int, default=2)
    opts.add_argument("--cache", default="")
    o = opts.parse_args(argv[:sep])
    rest = argv[sep + 1:]
    sep2 = rest.index("--")
    tidy_args, files = rest[:sep2], rest[sep2 + 1:]
    root = os.path.realpath(o.root)

    entries = {}
    for e in json.load(open(o.db)):
        entries[os.path.realpath(os.path.join(e["directory"], e["file"]))] = e

    common = hashlib.sha256()
    common.update(subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout)
    common.update(open(os.path.join(root, ".clang-tidy"), "rb").read())
    common.update("\0".join(tidy_args).replace(root, "@ROOT@").encode())

    def key_of(f):
        if not o.cache:
            return None
        entry = entries.get(os.path.realpath(os.path.join(root, f)))
        if entry is None:
            return None
        text = preprocess(entry, root)
        if text is None:
            return None
        h = common.copy()
        h.update(f.encode())
        h.update(entry.get("command", " ".join(entry.get("arguments", []))).replace(
            root, "@ROOT@").encode())
        h.update(text)
        return h.hexdigest()

    def lint(f):
        key = key_of(f)
        if key and os.path.exists(os.path.join(o.cache, key)):
            return f, True, b"", True
        r = subprocess.run(["clang-tidy"] + tidy_args + [f], cwd=root, capture_output=True)
        clean = r.returncode == 0
        if clean and key:
            os.makedirs(o.cache, exist_ok=True)
            with open(os.path.join(o.cache, key), "w") as marker:
                marker.write(f + "\n")
        return f, clean, r.stdout + r.stderr, False

    start = time.time()
    failed, cached = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=o.jobs) as pool:
        for f, clean, output, hit in pool.map(lint, files):
            cached += hit
            if not clean:
                failed.append(f)
                # clang-tidy's counts of suppressed warnings in system headers are not findings.
                for line in output.decode(errors="replace").splitlines():
                    if not NOISE.match(line):
                        print(line, file=sys.stderr)
    secs = int(time.time() - start)
    if failed:
        print(f"tidy: findings in {len(failed)} of {len(files)} files (above): "
              + " ".join(failed), file=sys.stderr)
        return 1
    print(f"tidy: {len(files)} files clean in {secs}s ({cached} unchanged since a clean run, "
          f"from the cache{' ' + o.cache if o.cache else ' (off)'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
