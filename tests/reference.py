"""Independent oracles for the compiler's tests.

``holds`` is LTLf semantics written straight from the definitions (De Giacomo & Vardi
2013), past-time operators included (Lichtenstein, Pnueli & Zuck 1985, on finite traces), on
finite non-empty traces; it shares no code with ltlagent's compiler beyond the
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
    # past time: looking back from i to the first position 0
    if op == "Y":  # strong yesterday: there is a previous position and f held there
        return i > 0 and _holds(f[1], t, i - 1)
    if op == "Z":  # weak yesterday: the first position, or f held at the previous one
        return i == 0 or _holds(f[1], t, i - 1)
    if op == "O":  # once: some j <= i has f
        return any(_holds(f[1], t, j) for j in range(0, i + 1))
    if op == "H":  # historically: every j <= i has f
        return all(_holds(f[1], t, j) for j in range(0, i + 1))
    if op == "S":  # since: some j <= i has g, and f holds at every k in (j, i]
        return any(_holds(f[2], t, j) and all(_holds(f[1], t, k) for k in range(j + 1, i + 1)) for j in range(0, i + 1))
    raise ValueError(f"unknown operator {op!r}")


def count_holds(f: tuple, trace: Sequence[frozenset[str]]) -> int:
    """How many positions of ``trace`` satisfy ``f`` (oracle for the counting sugar)."""
    t = tuple(frozenset(x) for x in trace)
    return sum(_holds(f, t, j) for j in range(len(t)))


# -- an independent reading of a whole trace ------------------------------------------------
# Written from the spec-format docs, not from ``CompiledSpec.check_text``: steps start where a
# tag starts a line (longest tag first), a step's content runs to its first terminator,
# lines of only spaces, tabs and ``\r`` between steps are skipped; formats are checked with
# ``re`` (ASCII classes, full match), ``json`` and ``jsonschema``; rules with ``holds``.


def read_trace(spec, text: str) -> tuple[list[tuple[object, str]], bool]:  # type: ignore[no-untyped-def]
    """``([(step, content)], whole)``: the steps read, and whether all the text was steps."""
    tags = sorted(spec.steps, key=lambda s: -len(s.tag))
    out = []
    pos = 0
    while pos < len(text):
        eol = text.find("\n", pos)
        line = text[pos : len(text) if eol < 0 else eol]
        if line.strip(" \t\r") == "":
            pos = len(text) if eol < 0 else eol + 1
            continue
        step = next((s for s in tags if text.startswith(s.tag, pos)), None)
        if step is None:
            return out, False
        start = pos + len(step.tag)
        end = text.find(step.terminator, start)
        if end < 0:
            out.append((step, text[start:].rstrip("\n")))
            break
        out.append((step, text[start:end]))
        pos = end + len(step.terminator)
    return out, True


def step_atoms(spec, step, content: str) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    """The atoms true at a step, or ``None`` when the content is not in the step's format."""
    import json
    import re

    import jsonschema

    c = step.content
    tool = None
    args = None
    if c.kind == "regex" and not re.fullmatch(c.pattern, content, re.ASCII):
        return None
    if c.kind == "choices" and content not in c.choices:
        return None
    if c.kind == "tool_call" and c.style == "json":
        try:
            call = json.loads(content)
        except ValueError:
            return None
        if not isinstance(call, dict) or set(call) != {"name", "arguments"} or not isinstance(call["arguments"], dict):
            return None
        tool = next((t for t in spec.tools if t.name == call["name"]), None)
        if tool is None or not jsonschema.Draft202012Validator(dict(tool.parameters) or {"type": "object"}).is_valid(call["arguments"]):
            return None
        args = call["arguments"]
    elif c.kind == "tool_call":
        for t in spec.tools:
            m = re.fullmatch(re.escape(t.name) + r"\[([^\]\n]+)\]", content)
            if m:
                tool, args = t, {next(iter(t.parameters.get("properties") or {"argument": 0})): m.group(1)}
        if tool is None:
            return None
    atoms = {step.name} | ({f"call.{tool.name}"} if tool else set())
    for p in spec.propositions:
        if p.step != step.name and not (tool is not None and p.tool == tool.name):
            continue
        if p.argument is None:
            subject = content
        elif args is None or p.argument not in args:
            continue  # an absent argument makes the proposition false
        else:
            subject = args[p.argument] if isinstance(args[p.argument], str) else json.dumps(args[p.argument])
        if bool(re.fullmatch(p.pattern, subject, re.ASCII)) != p.negated:
            atoms.add(p.name)
    return frozenset(atoms)


def trace_accepted(spec, text: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``text`` is a complete trace of ``spec``: every step well-formed, every rule holds."""
    steps, whole = read_trace(spec, text)
    if not steps or not whole:
        return False
    word = [step_atoms(spec, s, content) for s, content in steps]
    if any(w is None for w in word):
        return False
    return all(holds(r.formula, word) for r in spec.rules)
