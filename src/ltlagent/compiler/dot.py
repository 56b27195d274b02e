"""A compiled spec's automaton as Graphviz (``ltlagent compile --dot``, ``ltlagent demo --dot``)."""

from __future__ import annotations

from typing import Any

from ltlagent.compiler.automaton import DEAD


def to_dot(compiled: Any) -> str:
    """The automaton as Graphviz: doubled circles accept; edges list letter names."""
    dfa = compiled.dfa
    lines = [f"digraph {_dot_string(compiled.name)} {{", "  rankdir=LR;", '  init [shape=point, label=""];']
    for q in range(dfa.num_states):
        shape = "doublecircle" if q in dfa.accepting else "circle"
        lines.append(f'  {q} [shape={shape}, label="{q}"];')
    lines.append(f"  init -> {dfa.initial};")
    for q, row in enumerate(dfa.delta):
        by_dst: dict[int, list[str]] = {}
        for a, d in enumerate(row):
            if d != DEAD:
                by_dst.setdefault(d, []).append(compiled.letters[a].name)
        for d, names in by_dst.items():
            lines.append(f"  {q} -> {d} [label={_dot_string(chr(10).join(names))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    """A Graphviz quoted string: backslashes and quotes escaped, line breaks as ``\\n``,
    other control characters dropped (names come from user files)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + "".join(c for c in body if c >= " " and c != "\x7f") + '"'
