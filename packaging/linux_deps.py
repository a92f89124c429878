"""Which system libraries does a PyInstaller folder link to, and which packages own them?

    python3 packaging/linux_deps.py FOLDER [--declared PKG ...] [--strict]

Reads each ELF file's direct dependencies (DT_NEEDED, via readelf), skips those the folder
ships itself, finds the rest with the dynamic loader's cache (ldconfig -p) and their Debian
packages with dpkg -S. Prints, one per line:

    package NAME        a package that owns a linked library and is not in --declared
    missing SONAME FILE a library no bundled file's folder and no system path provides

With --strict, exit status 1 if anything is missing, unowned or from an undeclared package
(ci_deb.sh runs it so on the installed tree, declaring the package's own Depends: every
library must resolve there, from a declared package). build_deb.sh runs it without
--strict and adds the packages it prints to Depends.
Standard library only: runs with the system python3.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def elf_files(root: Path) -> list[Path]:
    out = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def needed(path: Path) -> list[str]:
    res = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True)
    return NEEDED.findall(res.stdout)


def loader_cache() -> dict[str, str]:
    """soname -> path, for this machine's architecture (first entry wins, as for ld.so)."""
    res = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True)
    arch = os.uname().machine
    want = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(arch, "")
    cache: dict[str, str] = {}
    for line in res.stdout.splitlines()[1:]:
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and (not want or want in m.group(2)):
            cache.setdefault(m.group(1), m.group(3))
    return cache


def owner(path: str) -> str | None:
    """The Debian package that owns a file; dpkg may record it under /lib or /usr/lib."""
    candidates = [path, "/usr" + path, path.removeprefix("/usr"), os.path.realpath(path)]
    for p in dict.fromkeys(candidates):
        res = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if res.returncode == 0:
            return res.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--declared", nargs="*", default=[], help="packages already in Depends")
    ap.add_argument(
        "--strict", action="store_true", help="exit 1 if a library is missing or undeclared"
    )
    args = ap.parse_args(argv)

    files = elf_files(args.folder)
    shipped = {p.name for p in args.folder.rglob("*")}  # bundled libs resolve via RPATH/LD path
    cache = loader_cache()
    system: dict[str, str] = {}
    missing: list[tuple[str, Path]] = []
    for f in files:
        for soname in needed(f):
            if soname in shipped:
                continue
            if soname in cache:
                system[soname] = cache[soname]
            else:
                missing.append((soname, f))

    declared = set(args.declared)
    packages = set()
    unowned = 0
    for soname, path in sorted(system.items()):
        pkg = owner(path)
        if pkg is None:
            unowned += 1
            print(f"unowned {soname} {path}")
        elif pkg not in declared:
            packages.add(pkg)
    for pkg in sorted(packages):
        print(f"package {pkg}")
    for soname, f in sorted(set(missing)):
        print(f"missing {soname} {f.relative_to(args.folder)}")
    if args.strict and (missing or unowned or packages):
        return 1
    if args.strict:
        print(f"ok: {len(files)} ELF files; {len(system)} system libraries, all from Depends")
    return 0


if __name__ == "__main__":
    sys.exit(main())
