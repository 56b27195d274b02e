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
