"""Exact regular expressions for what the model may write: per letter, and per segment.

* :func:`letter_regex` — the content language of one letter, refined by its propositions
  (intersections and complements computed on automata with greenery, then turned back
  into a regex), wrapped as ``tag + content + terminator``.
* :func:`segment_regex` — everything the model may write from an automaton state until the
  next environment step (its tag included) or the end of the trace (marked by
  :data:`EOS_SENTINEL`) as one regex (for comparisons with outlines-core's own ``Guide``).

No torch here: the token index (``decoders.index``) compiles each letter's regex with
outlines-core into a byte automaton.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from ltlagent.compiler import regexes
from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.letters import BRACKET_ARGUMENT, Letter, regex_escape
from ltlagent.compiler.spec import Source, argument_kind
from ltlagent.errors import DecoderError

EOS_SENTINEL = "\x00"  # written where the trace may end; the vocabulary maps every EOS id to it
# The masks write a JSON call in one layout, the one ``json.dumps`` gives: ``": "`` and ``", "``
# between items, no other whitespace (the checker reads any JSON whitespace). One layout makes
# keys and punctuation forced text, which fast-forward writes without sampling.
_WS = "\x01"  # outlines-core's whitespace pattern while the regex is built (it never holds a raw \x01)
JSON_STRING_CHAR = r'[^"\\\x00-\x1f]'
# The JSON text of an integer, boolean or array-of-strings argument, as json.dumps writes it (no "-0"): what a
# proposition on such an argument reads, so its regex is refined on this text.
SCALAR_TEXT = {"integer": r"(0|-?[1-9][0-9]*)", "number": r"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)", "boolean": r"(true|false)", "string_array": regexes.string_array_text(f"{JSON_STRING_CHAR}*")}
_ANY = r"[\s\S]*"  # any text, newlines included


def _group(r: str) -> str:
    return r if len(r) <= 1 else f"(?:{r})"


def _alt(parts: list[str]) -> str:
    uniq = list(dict.fromkeys(parts))
    return uniq[0] if len(uniq) == 1 else "(?:" + "|".join(uniq) + ")"


def eliminate(num_nodes: int, edges: Mapping[tuple[int, int], list[str]], start: int, finals: set[int]) -> str | None:
    """State elimination: the regex of a (generalised) automaton whose edges carry regexes.

    Returns ``None`` for the empty language. An edge labelled ``""`` is an ε-move.
    """
    START, END = num_nodes, num_nodes + 1
    table: dict[tuple[int, int], str] = {}

    def add(i: int, j: int, r: str) -> None:
        table[(i, j)] = _alt([table[(i, j)], r]) if (i, j) in table else r

    for (i, j), parts in edges.items():
        for r in parts:
            add(i, j, r)
    add(START, start, "")
    for f in finals:
        add(f, END, "")
    remaining = set(range(num_nodes))
    while remaining:
        def cost(k: int) -> tuple[int, int]:
            ins = sum(1 for (i, j) in table if j == k and i != k)
            outs = sum(1 for (i, j) in table if i == k and j != k)
            return (ins * outs, k)

        k = min(remaining, key=cost)
        remaining.discard(k)
        loop = table.pop((k, k), None)
        star = f"{_group(loop)}*" if loop else ""
        ins = [(i, r) for (i, j), r in list(table.items()) if j == k]
        outs = [(j, r) for (i, j), r in list(table.items()) if i == k]
        for (i, j) in [key for key in table if k in key]:
            del table[(i, j)]
        for i, r1 in ins:
            for j, r3 in outs:
                add(i, j, _group(r1) + star + _group(r3))
    return table.get((START, END))


def fsm_to_regex(fsm: Any) -> str | None:
    """A regex for a greenery ``Fsm`` (dead states dropped first)."""
    live = set(fsm.finals)
    changed = True
    while changed:
        changed = False
        for s, moves in fsm.map.items():
            if s not in live and any(t in live for t in moves.values()):
                live.add(s)
                changed = True
    if fsm.initial not in live:
        return None
    index = {s: n for n, s in enumerate(sorted(live, key=str))}
    edges: dict[tuple[int, int], list[str]] = {}
    for s, moves in fsm.map.items():
        if s not in live:
            continue
        for charclass, t in moves.items():
            chars = _without_nul(charclass.ord_ranges, charclass.negated)  # content never holds the sentinel
            if t in live and chars:
                edges.setdefault((index[s], index[t]), []).append(regexes.charset(chars))
    return eliminate(len(index), edges, index[fsm.initial], {index[f] for f in fsm.finals if f in live})


def _without_nul(ranges: Any, negated: bool) -> list[tuple[int, int]]:
    """A greenery class as ranges of characters other than NUL and the surrogates (which
    text never holds and Rust's regex cannot spell)."""
    rs = sorted((int(lo), int(hi)) for lo, hi in ranges)
    if negated:
        out, nxt = [], 0
        for lo, hi in rs:
            if lo > nxt:
                out.append((nxt, lo - 1))
            nxt = max(nxt, hi + 1)
        out.append((nxt, regexes.MAX_CHAR))
        rs = out
    out = []
    for lo, hi in rs:
        for a, b in ((max(lo, 1), min(hi, 0xD7FF)), (max(lo, 0xE000), hi)):
            if a <= b:
                out.append((a, b))
    return out


@functools.lru_cache(maxsize=256)
def _fsm(pattern: str) -> Any:
    from greenery import parse  # pure Python, used only for content propositions

    try:
        return parse(regexes.canonical(pattern)).to_fsm()
    except Exception as exc:  # greenery raises its own parse errors  # noqa: BLE001
        raise DecoderError(
            f"cannot build exact token constraints for the pattern {pattern!r}: {exc}. "
            "Use plain regex syntax (classes, groups, | * + ? {m,n}); lookarounds and backreferences are not regular."
        ) from None


def refine(base: str, constraints: list[tuple[str, bool]]) -> str | None:
    """``base`` intersected with each pattern (``True``) or its complement (``False``).
    Kept per (base, constraints): a tool's letters share their arguments' refinements."""
    return _refine(base, tuple(constraints))


@functools.lru_cache(maxsize=1024)
def _refine(base: str, constraints: tuple[tuple[str, bool], ...]) -> str | None:
    if not constraints:
        return base
    words = _refine_words(base, constraints)
    if words is not False:
        return words
    fsm = _fsm(base)
    for pattern, must_match in constraints:
        part = _fsm(pattern)
        fsm = fsm & (part if must_match else part.everythingbut())
    return fsm_to_regex(fsm.reduce())


def _refine_words(base: str, constraints: tuple[tuple[str, bool], ...]) -> str | None | bool:
    """:func:`refine` where ``base`` is any text over one character set and every pattern is a
    few words (``enum``, ``const``): the words kept, or every text but the words excluded,
    written directly. ``False`` where this does not apply (greenery decides those)."""
    node = regexes.parse(base)
    if node[0] != "rep" or node[1][0] != "set" or node[2] != 0 or node[3] is not None:
        return False
    chars = node[1][1]
    kept: set[str] | None = None
    excluded: set[str] = set()
    for pattern, must_match in constraints:
        words = regexes.finite_language(pattern)
        if words is None:
            return False
        if must_match:
            kept = set(words) if kept is None else kept & words
        else:
            excluded |= words
    if kept is None:
        return regexes.without_words(chars, frozenset(excluded))
    kept = {w for w in kept - excluded if all(any(lo <= ord(ch) <= hi for lo, hi in chars) for ch in w)}
    if "" in kept:
        return False  # an empty word: left to the general path (its regex would be empty text)
    if not kept:
        return None
    return _alt([regexes.canonical(regex_escape(w)) for w in sorted(kept)])


SLOT_BASE = 0x100000  # placeholders for refined languages: Supplementary Private Use Area-B
Slots = dict  # placeholder character → (base pattern, ((pattern, must match), ...))


def _refined(base: str, constraints: list[tuple[str, bool]], slots: Slots | None) -> str | None:
    """:func:`refine`, or — with ``slots`` — a placeholder character standing for the
    intersection, which the token index builds lazily (``compiler.derivatives``) instead of
    determinising it here. Words (``enum``, ``const``) are still written out directly."""
    if slots is None or not constraints:
        return refine(base, constraints)
    words = _refine_words(base, tuple(constraints))
    if words is not False:
        return words
    ch = chr(SLOT_BASE + len(slots))
    slots[ch] = (base, tuple(constraints))
    return ch


def _slots_free(letter: Letter) -> bool:
    """Whether no text of ``letter`` holds a placeholder character already (then placeholders are unambiguous)."""
    texts = [letter.tag, letter.terminator, letter.content.pattern or "", *(letter.content.choices or ()), letter.tool or "",
             json.dumps(letter.tool_parameters or {}, ensure_ascii=False), *(c.pattern for c in letter.constraints)]
    return all(ord(ch) < SLOT_BASE for text in texts for ch in text)


def _must_match(c: Any) -> bool:
    """Whether a constraint asks the text to match its pattern (``negated`` flips it)."""
    return c.value != c.negated


def _json_call_regex(letter: Letter, refinements: Slots | None = None) -> str | None:
    from outlines_core.json_schema import build_regex_from_schema

    params: dict[str, Any] = _fullmatch_patterns(json.loads(json.dumps(letter.tool_parameters or {"type": "object"})))
    alternatives: list[dict[str, Any]] = [params]
    slots: dict[str, str] = {}  # a placeholder constant → the regex of an integer or boolean argument's text
    by_argument: dict[str, list[Any]] = {}
    for c in letter.constraints:
        assert c.argument is not None
        by_argument.setdefault(c.argument, []).append(c)
    for argument, constraints in by_argument.items():  # the propositions on one argument read the same text
        kind = argument_kind((params.get("properties") or {}).get(argument) or {})
        syntax = SCALAR_TEXT.get(kind, f"{JSON_STRING_CHAR}*")  # a proposition reads an integer, boolean or array as its JSON text
        inner = _refined(syntax, [(c.pattern, _must_match(c)) for c in constraints], refinements)
        value: dict[str, Any] = {"type": "string", "pattern": inner}
        if kind in SCALAR_TEXT and inner is not None:
            slot = f"ltlagentslot{len(slots)}"
            slots[slot] = inner
            value = {"const": slot}
        new: list[dict[str, Any]] = []
        for schema in alternatives:
            props = dict(schema.get("properties") or {})
            required = list(schema.get("required") or [])
            if inner is not None:
                s1 = dict(schema, properties={**props, argument: value})
                s1["required"] = sorted(set(required) | {argument})
                new.append(s1)
            # False propositions also hold when the (optional) argument is absent.
            if not any(c.value for c in constraints) and argument not in required:
                s2 = dict(schema, properties={k: v for k, v in props.items() if k != argument})
                s2["additionalProperties"] = False
                new.append(s2)
        alternatives = new
    regexes = []
    for schema in alternatives:
        call = {
            "type": "object",
            "properties": {"name": {"const": letter.tool}, "arguments": schema},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        regex = _json_layout(build_regex_from_schema(json.dumps(call), _WS))
        for slot, inner in slots.items():
            regex = regex.replace(f'"{slot}"', f"(?:{inner})")
        regexes.append(regex)
    if not regexes:  # e.g. a required integer above one bound and below a lower one: the model never writes it
        return None
    return _alt(regexes)


def _json_layout(regex: str) -> str:
    """outlines-core puts its whitespace pattern around every ``{ } [ ] : ,``: keep one space
    after ``:`` and ``,`` (json.dumps' separators), none elsewhere."""
    return regex.replace(":" + _WS, ": ").replace("," + _WS, ", ").replace(_WS, "")


def _fullmatch_patterns(schema: Any) -> Any:
    """The schema with every string ``pattern`` in the form every engine reads alike, grouped
    (outlines-core writes ``"`` around it as is: ``a|b`` would become ``"a`` or ``b"``), less
    the characters a JSON string must escape (outlines-core would write them raw: invalid
    JSON). A full match of it (what outlines-core enforces) is also a JSON Schema match (a search)."""
    if isinstance(schema, dict):
        return {k: f"(?:{regexes.canonical_without(v, regexes.JSON_ESCAPED)})" if k == "pattern" and isinstance(v, str) else _fullmatch_patterns(v)
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_fullmatch_patterns(x) for x in schema]
    return schema


def content_regex(letter: Letter, refinements: Slots | None = None) -> str | None:
    """The exact content language of ``letter`` (``None`` if empty). With ``refinements`` (a
    dict to fill), intersections and complements are not computed here: each becomes a
    placeholder character in the regex and an entry of ``refinements`` (see :func:`_refined`)."""
    if refinements is not None and not _slots_free(letter):
        refinements = None  # a placeholder could be mistaken for the letter's own text: compute here
    if letter.content.kind == "tool_call" and letter.content.style == "json":
        return _json_call_regex(letter, refinements)
    base = letter.base_regex() if letter.content.kind != "regex" else ""  # a regex step's base is read below
    constraints = [(c.pattern, _must_match(c)) for c in letter.constraints]
    if letter.content.kind == "tool_call":  # bracket: constraints are on the argument
        arg = _refined(BRACKET_ARGUMENT, constraints, refinements) if constraints else BRACKET_ARGUMENT
        return None if arg is None else regex_escape(letter.tool or "") + r"\[" + arg + r"\]"
    without_terminator = (_ANY + regex_escape(letter.terminator) + _ANY, False)
    if base is None:  # free text up to a multi-character terminator
        if refinements is not None:
            return _refined(_ANY, [without_terminator, *constraints], refinements)
        base = fsm_to_regex(_fsm(_ANY + regex_escape(letter.terminator) + _ANY).everythingbut().reduce()) or ""
    elif letter.content.kind == "regex":  # exactly the texts without the terminator and NUL
        single = letter.terminator if len(letter.terminator) == 1 else ""
        base = regexes.canonical_without(letter.content.pattern or "", single + EOS_SENTINEL)
        if base is None:
            return None
        if not single and _may_hold(base, letter.terminator):
            if refinements is not None:
                return _refined(base, [without_terminator, *constraints], refinements)
            base = refine(base, [without_terminator])
            if base is None:
                return None
    return _refined(base, constraints, refinements)


def _may_hold(pattern: str, needle: str) -> bool:
    try:
        import interegular

        fsm = interegular.parse_pattern(pattern).to_fsm()
        return not (fsm & interegular.parse_pattern("(.|\n)*" + regex_escape(needle) + "(.|\n)*").to_fsm()).empty()
    except Exception:  # noqa: BLE001 - outside interegular's subset: be exact the slow way
        return True


def letter_regex(letter: Letter) -> str | None:
    """``tag + content + terminator`` for a model letter, as outlines-core reads regexes (for
    side-by-side comparisons; the token index builds its pieces with :func:`letter_node`)."""
    content = content_regex(letter)
    if content is None:
        return None
    node = regexes.parse(content)
    body = regexes.without_chars(node, EOS_SENTINEL)
    if body != node:  # a class or dot that admits NUL (the end sentinel) is written without it
        content = regexes.write(body)
    return regex_escape(letter.tag) + _group(content) + regex_escape(letter.terminator)


def segment_regex(compiled: CompiledSpec, state: int) -> str | None:
    """Everything the model may write from automaton ``state`` until the next environment
    step's tag or the end of the trace (:data:`EOS_SENTINEL`), as one regex. The token index
    does not use it (it composes pieces at run time); the benchmarks give it to outlines-core's
    ``Guide`` for a side-by-side figure."""
    fragments = {x.index: letter_regex(x) for x in compiled.letters if x.source == Source.MODEL}
    nodes = {state}
    todo = [state]
    while todo:
        q = todo.pop()
        for a, frag in fragments.items():
            d = compiled.next_state(q, a)
            if d != DEAD and frag is not None and d not in nodes:
                nodes.add(d)
                todo.append(d)
    index = {q: n for n, q in enumerate(sorted(nodes))}
    end = len(index)
    edges: dict[tuple[int, int], list[str]] = {}
    for q in nodes:
        for a, frag in fragments.items():
            d = compiled.next_state(q, a)
            if d != DEAD and frag is not None:
                edges.setdefault((index[q], index[d]), []).append(frag)
        if compiled.is_accepting(q):
            edges.setdefault((index[q], end), []).append(regex_escape(EOS_SENTINEL))
        for step in compiled.enabled_steps(q, environment=True):
            edges.setdefault((index[q], end), []).append(regex_escape(step.tag))
    return eliminate(end + 1, edges, index[state], {end})



def letter_node(tag: str, content: str, terminator: str) -> regexes.Node:
    """``tag + content + terminator`` as a character-level tree, the content without NUL (the
    end sentinel): what :func:`letter_regex` writes for outlines-core, read by
    :mod:`ltlagent.compiler.regexes` (the decoder's byte terms are built from it)."""
    body = regexes.without_chars(regexes.parse(content), EOS_SENTINEL)
    return regexes.concat([regexes.literal(tag), body, regexes.literal(terminator)])
