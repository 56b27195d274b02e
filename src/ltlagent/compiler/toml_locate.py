"""Find where a key of a TOML document is written (tomllib keeps no positions).

A line scanner that follows table headers (``[a]``, ``[[a]]``, ``[a.b]``) and records
``key = value`` lines. It skips multi-line strings and is enough to point errors at the
right line of a hand-written spec file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=\s*")

Path = tuple[object, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int  # 1-based column of the value (or of the header)
    key_column: int = 1
    file: str | None = None  # set when the value was written elsewhere (a SpecBuilder call in a .py file)


def locate(text: str) -> dict[Path, Position]:
    """Map key paths such as ``("rules", 2, "ltlf")`` to the position of their value."""
    out: dict[Path, Position] = {}
    counts: dict[tuple[object, ...], int] = {}
    arrays: dict[str, int] = {}
    table: Path = ()
    in_multiline: str | None = None
    for lineno, line in enumerate(text.split("\n"), start=1):  # lines as TOML counts them
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        m = _HEADER.match(line)
        if m and not _KEY.match(line):
            parts = [p.strip().strip("\"'") for p in m.group(2).split(".")]
            is_array = m.group(1) == "[["
            path: list[object] = []
            for i, part in enumerate(parts):
                path.append(part)
                name = ".".join(str(p) for p in path)
                last = i == len(parts) - 1
                if last and is_array:
                    key = tuple(path)
                    counts[key] = counts.get(key, -1) + 1
                    arrays[name] = counts[key]
                    path.append(counts[key])
                elif not last and name in arrays:
                    path.append(arrays[name])
            table = tuple(path)
            here = Position(lineno, line.index("[") + 1, line.index("[") + 1)
            for n in range(1, len(table) + 1):  # [[rulees]] also locates the key "rulees"
                out.setdefault(table[:n], here)
            out[table] = here
            continue
        m = _KEY.match(line)
        if m:
            key = m.group(1).strip("\"'")
            out[table + (key,)] = Position(lineno, m.end() + 1, m.start(1) + 1)
            rest = line[m.end():]
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) == 1:
                    in_multiline = quote
    return out


def nearest(positions: dict[Path, Position], path: Path) -> Position | None:
    """The position of ``path`` or of its closest recorded ancestor."""
    p = tuple(path)
    while p:
        if p in positions:
            return positions[p]
        p = p[:-1]
    return None
