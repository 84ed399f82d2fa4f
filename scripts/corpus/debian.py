"""Fetch Debian packages with ``apt-get download`` and unpack them with ``dpkg-deb -x``."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_updated = False


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def _debs_for(pkg: str, debs: Path) -> list[Path]:
    return sorted(p for p in debs.glob(f"{pkg}_*.deb") if p.name.split("_")[0] == pkg)


def apt_update() -> None:
    global _updated
    if not _updated:
        print("  apt-get update", flush=True)
        r = _run(["apt-get", "update", "-qq"])
        if r.returncode != 0:
            raise RuntimeError(f"apt-get update failed: {r.stderr.strip()}")
        _updated = True


def fetch(pkg: str, debs: Path, pkgs: Path) -> dict:
    """Download (if not there yet) and unpack ``pkg``; return {package, version, licence, root}."""
    debs.mkdir(parents=True, exist_ok=True)
    found = _debs_for(pkg, debs)
    if not found:
        r = _run(["apt-get", "download", pkg], cwd=debs)
        if r.returncode != 0:  # maybe the package lists are missing or stale
            apt_update()
            r = _run(["apt-get", "download", pkg], cwd=debs)
            if r.returncode != 0:
                raise RuntimeError(f"apt-get download {pkg} failed: {r.stderr.strip()}")
        found = _debs_for(pkg, debs)
    deb = found[-1]
    version = _run(["dpkg-deb", "-f", str(deb), "Version"]).stdout.strip()
    root = pkgs / pkg
    stamp = root / ".unpacked"
    if not stamp.exists() or stamp.read_text() != version:
        if root.exists():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        root.mkdir(parents=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        stamp.write_text(version)
    return {"package": pkg, "version": version, "licence": licence(root, pkg), "deb": deb.name, "root": root}


def licence(root: Path, pkg: str) -> str:
    """The distinct ``License:`` short names in the package's Debian copyright file."""
    docdir = root / "usr/share/doc" / pkg
    doc = docdir / "copyright"
    if docdir.is_symlink():  # the doc folder points at a sibling binary package of the same source
        return f"see /usr/share/doc/{os.readlink(docdir)}/copyright (same source package)"
    if not doc.exists():
        return "unknown (no copyright file)"
    text = doc.read_text(errors="replace")
    names: list[str] = []
    for m in re.finditer(r"^License:[ \t]*(\S.*)$", text, re.M):
        name = m.group(1).strip()
        if name and name not in names:
            names.append(name)
    if not names:  # old free-form copyright files: name the licences the text mentions
        for name, pattern in (
            ("GPL-3", r"\bGPL(?:v|-| version )?3|General Public License,? version 3"),
            ("GPL-2", r"\bGPL(?:v|-| version )?2|General Public License,? version 2"),
            ("LGPL", r"\bLGPL\b|Lesser General Public"),
            ("GPL", r"\bGPL\b|General Public License"),
            ("MPL", r"\bMPL\b|Mozilla Public"),
            ("BSD", r"\bBSD\b"),
            ("public domain", r"public domain"),
        ):
            if re.search(pattern, text, re.I) and not any(n.startswith(name) for n in names):
                names.append(name)
        names = [n + " (free-form copyright file)" for n in names[:1]] + names[1:]
    return "; ".join(names) if names else "see copyright file"
