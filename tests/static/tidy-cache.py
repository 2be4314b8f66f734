#!/usr/bin/env python3
"""The cache key of each source file for clang-tidy.sh.

    tidy-cache.py BUILD_DIR FILE...

prints one line "KEY FILE" per FILE: a sha256 over what clang-tidy's
verdict on the file depends on: the .clang-tidy configuration beside the
sources, `clang-tidy --version`, the file's compile commands from
BUILD_DIR/compile_commands.json (without the output names) and the file
preprocessed with each of them (-E -P: the text of every header it
includes, without the paths it came from), and the bytes of the file and
of every header it read (-H), comments included (a NOLINT is one). A file with no compile command,
or one that does not preprocess, gets the key "-" (never cached).
"""
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys

# Options whose argument names an output, not an input.
OUTPUT_OPTS = {"-o", "-MF", "-MQ", "-MT"}
DROP_OPTS = {"-c", "-MD", "-MMD", "-fdiagnostics-color=always"}


def argv_of(entry):
    argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    if argv and os.path.basename(argv[0]) == "ccache":
        argv = argv[1:]
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in OUTPUT_OPTS:
            skip = True
            continue
        if a in DROP_OPTS:
            continue
        out.append(a)
    return out


def key_of(path, entries, common):
    h = hashlib.sha256(common)
    for e in entries:
        argv = argv_of(e)
        h.update(("\0".join(argv) + "\n").encode())
        # -H lists every header read (on stderr, one per line after dots):
        # their bytes go into the key too, since -E drops comments and a
        # NOLINT is a comment.
        r = subprocess.run(argv + ["-E", "-P", "-H", "-o", "-"], cwd=e["directory"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if r.returncode != 0:
            return "-"
        h.update(r.stdout)
        read = [os.path.join(e["directory"], e["file"])]
        for line in r.stderr.decode(errors="replace").splitlines():
            dots, _, name = line.partition(" ")
            if dots and set(dots) == {"."} and name:
                read.append(os.path.join(e["directory"], name))
        for name in read:
            try:
                with open(name, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
            except OSError:
                return "-"
    return h.hexdigest()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build, files = sys.argv[1], sys.argv[2:]
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        db = json.load(f)
    by_file = {}
    for e in db:
        p = os.path.realpath(os.path.join(e["directory"], e["file"]))
        by_file.setdefault(p, []).append(e)
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    with open(os.path.join(top, ".clang-tidy"), "rb") as f:
        config = f.read()
    version = subprocess.run(["clang-tidy", "--version"], stdout=subprocess.PIPE,
                             check=True).stdout
    common = hashlib.sha256(config + b"\0" + version).digest()

    def one(path):
        entries = by_file.get(os.path.realpath(path))
        return (key_of(path, entries, common) if entries else "-"), path

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for key, path in ex.map(one, files):
            print(key, path)


if __name__ == "__main__":
    main()
