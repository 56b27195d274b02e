"""Independent oracles for the compiler's tests.

``holds`` is LTLf semantics written straight from the definitions (De Giacomo & Vardi
2013) on finite non-empty traces; it shares no code with ltlagent's compiler beyond the
formula tuples.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence


def holds(f: tuple, trace: Sequence[frozenset[str]], i: int = 0) -> bool:
    """Whether ``f`` holds at position ``i`` of ``trace``."""
    trace = tuple(frozenset(x) for x in trace)
    return _holds(f, trace, i)


@functools.lru_cache(maxsize=200_000)
def _holds(f: tuple, t: tuple[frozenset[str], ...], i: int) -> bool:
    n = len(t)
    op = f[0]
    if op == "true":
        return True
    if op == "false":
        return False
    if op == "ap":
        return f[1] in t[i]
    if op == "!":
        return not _holds(f[1], t, i)
    if op == "&":
        return _holds(f[1], t, i) and _holds(f[2], t, i)
    if op == "|":
        return _holds(f[1], t, i) or _holds(f[2], t, i)
    if op == "->":
        return (not _holds(f[1], t, i)) or _holds(f[2], t, i)
    if op == "<->":
        return _holds(f[1], t, i) == _holds(f[2], t, i)
    if op == "X":
        return i + 1 < n and _holds(f[1], t, i + 1)
    if op == "WX":
        return i + 1 >= n or _holds(f[1], t, i + 1)
    if op == "F":
        return any(_holds(f[1], t, j) for j in range(i, n))
    if op == "G":
        return all(_holds(f[1], t, j) for j in range(i, n))
    if op == "U":  # some j >= i has g, and f holds at every k in [i, j)
        return any(_holds(f[2], t, j) and all(_holds(f[1], t, k) for k in range(i, j)) for j in range(i, n))
    if op == "R":  # every j >= i has g, unless f held at some k in [i, j)
        return all(_holds(f[2], t, j) or any(_holds(f[1], t, k) for k in range(i, j)) for j in range(i, n))
    if op == "W":  # weak until: f U g, or f forever
        return _holds(("U", f[1], f[2]), t, i) or all(_holds(f[1], t, j) for j in range(i, n))
    if op == "M":  # strong release: g U (f & g)
        return any(
            _holds(f[1], t, j) and _holds(f[2], t, j) and all(_holds(f[2], t, k) for k in range(i, j))
            for j in range(i, n)
        )
    raise ValueError(f"unknown operator {op!r}")


def count_holds(f: tuple, trace: Sequence[frozenset[str]]) -> int:
    """How many positions of ``trace`` satisfy ``f`` (oracle for the counting sugar)."""
    t = tuple(frozenset(x) for x in trace)
    return sum(_holds(f, t, j) for j in range(len(t)))
