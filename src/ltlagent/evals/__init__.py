"""Evaluations on external suites (``ltlagent eval``): the suite's own data, prompts and scorer;
ltlagent only adds the spec's masks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


def per_mode(rows: Sequence[Mapping[str, Any]], key: str, groups: Iterable[str], modes: Sequence[str],
             summarize: Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per group (the rows' ``key``) that has rows, per mode: ``summarize`` of its rows."""
    out: dict[str, dict[str, Any]] = {}
    for group in groups:
        mine = [r for r in rows if r[key] == group]
        if mine:
            out[group] = {m: summarize([r for r in mine if r["mode"] == m]) for m in modes}
    return out


def provenance(packages: Sequence[str]) -> dict[str, Any]:
    """What a results file was made with: the git commit of the checkout (``None`` outside
    one, ``+dirty`` with uncommitted changes), a digest of ltlagent's own source files
    (``source_digest``: the same code, committed or not, installed or checked out, gives the
    same digest) and the installed versions of ``packages``."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    here = Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True, check=False, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    versions: dict[str, str | None] = {}
    for p in packages:
        try:
            versions[p] = version(p)
        except PackageNotFoundError:
            versions[p] = None
    return {"commit": commit, "source_digest": source_digest(), "versions": versions}


def source_digest(root: Any = None) -> str:
    """SHA-256 (first 16 hex digits) of ltlagent's Python sources and data files (``.py``,
    ``.toml``, ``.json``), by their paths inside the package (``root``: another copy of it):
    what decides the answers a run gives, besides its packages."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent if root is None else Path(root)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
