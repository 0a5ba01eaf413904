#!/usr/bin/python3
"""deploy/Dockerfile's runtime stage installs every Debian package that provides a shared library
ambientd or ambientctl links (DT_NEEDED), directly or through the packages' own Depends, and runs
as a non-root user.

Usage: dockerfile_test.py DOCKERFILE BINARY...
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from checks import check, summary  # noqa: E402


def runtime_packages(dockerfile):
    text = open(dockerfile).read()
    block = re.search(r"# runtime-packages-begin\n(.*?)# runtime-packages-end", text, re.S)
    if not block:
        return None, text
    words = block.group(1).replace("\\\n", " ").split()
    start = words.index("--no-install-recommends") + 1
    pkgs = []
    for w in words[start:]:
        if w == "&&":
            break
        pkgs.append(w)
    return pkgs, text


def depends(pkg):
    """The installed package's Depends and Pre-Depends, each alternative group as a list."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", pkg],
                       capture_output=True, text=True)
    groups = []
    for group in r.stdout.split(","):
        names = [re.sub(r"[:\s(].*", "", alt.strip()) for alt in group.split("|")]
        names = [n for n in names if n]
        if names:
            groups.append(names)
    return groups


def closure(pkgs):
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        for alternatives in depends(p):
            todo.append(alternatives[0])
    return seen


def library_package(soname):
    """The Debian package that ships `soname` on this machine."""
    r = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and m.group(1) == soname and "x86-64" in m.group(2):
            path = m.group(3)
            for candidate in (path, path.replace("/usr/lib/", "/lib/", 1),
                              path.replace("/lib/", "/usr/lib/", 1)):
                q = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if q.returncode == 0:
                    return q.stdout.split(":")[0]
    return None


def main():
    dockerfile, binaries = sys.argv[1], sys.argv[2:]
    pkgs, text = runtime_packages(dockerfile)
    check("the Dockerfile marks its runtime package list", pkgs is not None)
    if pkgs is None:
        return 1
    # bookworm-slim's own essential packages (libc6 and libgcc-s1 among them).
    base = {"libc6", "libgcc-s1"}
    installed = closure(pkgs) | base
    for binary in binaries:
        r = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True)
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)
        check(f"{binary} has DT_NEEDED entries", bool(needed), r.stderr)
        for soname in needed:
            pkg = library_package(soname)
            check(f"{soname} ({pkg}) is installed by the runtime stage", pkg in installed,
                  f"add {pkg} to deploy/Dockerfile's runtime packages")
    stages = text.split("\nFROM ")
    check("the runtime stage is bookworm-slim", stages[-1].startswith("debian:bookworm-slim"))
    users = re.findall(r"^USER\s+(\S+)", stages[-1], re.M)
    check("the runtime stage runs as a numeric non-root user",
          bool(users) and re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", users[-1]) is not None,
          users)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
