"""Letters: each step split into disjoint content variants by the content propositions.

A letter is one step kind with one truth assignment to the propositions that can hold
on it (for a tool-call step: one tool, and the assignment to that tool's argument
propositions). Letters of a step partition its content language exactly: a content
string belongs to the letter whose assignment it satisfies, negations included.
"""

from __future__ import annotations

import decimal
import functools
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ltlagent.compiler import regexes
from ltlagent.compiler.regexes import regex_escape
from ltlagent.compiler.spec import Content, Proposition, Spec, Step, Tool
from ltlagent.errors import SpecError

BRACKET_ARGUMENT = r"[^\]\n]+"


MAX_PROPOSITIONS_PER_STEP = 8  # 2**8 letters for one step at most
MAX_LETTERS = 1024  # content variants of the whole spec, before impossible ones are dropped


@dataclass(frozen=True)
class Constraint:
    """Proposition ``name`` must be ``value`` on this letter."""

    name: str
    pattern: str
    negated: bool
    argument: str | None
    value: bool


@dataclass(frozen=True)
class Letter:
    """One step kind × one content variant. Immutable and picklable."""

    index: int
    name: str
    step: str
    source: str
    tag: str
    terminator: str
    content: Content
    tool: str | None
    tool_parameters: Mapping[str, Any] | None
    constraints: tuple[Constraint, ...]
    atoms: frozenset[str]

    def base_regex(self) -> str | None:
        """A regex for the content before propositions refine it (``None`` for JSON calls)."""
        c = self.content
        if c.kind == "text":
            return _text_regex(self.terminator)
        if c.kind == "regex":
            return regexes.canonical(c.pattern or "")
        if c.kind == "choices":
            return "|".join(regex_escape(x) for x in c.choices)
        if c.style == "bracket":
            return regex_escape(self.tool or "") + r"\[" + BRACKET_ARGUMENT + r"\]"
        return None

    def matches(self, text: str) -> bool:
        """Whether ``text`` (a step's content, without tag and terminator) is this letter."""
        if self.terminator in text:
            return False
        value = self._value(text)
        if value is None:
            return False
        return all(_holds(c, value, text) == c.value for c in self.constraints)

    def arguments(self, text: str) -> dict[str, Any] | None:
        """A tool call's arguments, read as :meth:`matches` reads them (``None``: not a call of this letter)."""
        return self._value(text) if self.content.kind == "tool_call" else None

    def _value(self, text: str) -> Any:
        """The parsed content: the text, or the call's arguments (``None`` if not this letter's format)."""
        c = self.content
        if c.kind == "text":
            return text
        if c.kind == "regex":
            return text if regexes.fullmatch(c.pattern or "", text) else None
        if c.kind == "choices":
            return text if text in c.choices else None
        if c.style == "bracket":
            m = re.fullmatch(re.escape(self.tool or "") + r"\[(" + BRACKET_ARGUMENT + r")\]", text)
            if not m:
                return None
            arg = next(iter((self.tool_parameters or {}).get("properties") or {"argument": None}))
            return {arg: m.group(1)}
        try:
            call = json.loads(text, parse_int=_parse_int, parse_float=_JsonFloat.read)
        except ValueError:
            return None
        if not isinstance(call, dict) or set(call) != {"name", "arguments"} or call["name"] != self.tool:
            return None
        args = call["arguments"]
        if not isinstance(args, dict) or not _valid(args, self.tool_parameters or {}):
            return None
        return args

    def describe(self) -> str:
        """What this letter's content looks like, for messages."""
        c = self.content
        if c.kind == "text":
            what = "any text"
        elif c.kind == "regex":
            what = f"text matching {c.pattern!r}"
        elif c.kind == "choices":
            what = "one of " + ", ".join(repr(x) for x in c.choices)
        elif c.style == "bracket":
            what = f"{self.tool}[argument]"
        else:
            what = f'{{"name": "{self.tool}", "arguments": {{...}}}} (JSON on one line)'
        if self.constraints:
            what += " where " + ", ".join(("" if x.value else "not ") + x.name for x in self.constraints)
        return what


def _parse_int(digits: str) -> int:
    """JSON integers of any length, as the masks may write them (``int()`` refuses more than
    4,300 digits; through ``Decimal`` there is no such limit)."""
    return int(decimal.Decimal(digits))


class _JsonFloat(float):
    """A JSON number with a fraction or an exponent, with its text as written: a bound on a
    number argument is read on that text (``1e3`` and ``1000.0000000000001`` are not 1000.0)."""

    text: str

    @classmethod
    def read(cls, text: str) -> "_JsonFloat":
        value = cls(text)
        value.text = text
        return value


def _text_regex(terminator: str) -> str | None:
    """Text without the terminator; ``None`` for a multi-character terminator (no simple regex)."""
    if len(terminator) == 1:
        return "[^" + regex_escape(terminator) + "]*"
    return None


def _valid(args: Mapping[str, Any], schema: Mapping[str, Any]) -> bool:
    return _validator(json.dumps(schema, sort_keys=True)).is_valid(args)


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Any:
    import jsonschema  # pure Python; loaded only when a spec has JSON tool calls

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        # JSON Schema's ``pattern`` is a search; read as every other spec pattern (ASCII
        # classes, no backtracking), not by Python's ``re``.
        if validator.is_type(instance, "string") and not regexes.search(patrn, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern})
    return cls(json.loads(schema_json))


def _holds(c: Constraint, value: Any, text: str) -> bool:
    if c.argument is None:
        subject: Any = text
    else:
        if not isinstance(value, dict) or c.argument not in value:
            return False
        subject = value[c.argument]
        if isinstance(subject, _JsonFloat):  # a number as the call wrote it
            subject = subject.text
        elif not isinstance(subject, str):  # an integer's, boolean's or array's JSON text, in the masks' layout
            subject = json.dumps(subject, ensure_ascii=False)
    matched = regexes.fullmatch(c.pattern, subject)
    return not matched if c.negated else matched


def _applies(p: Proposition, step: Step, tool: Tool | None) -> bool:
    if p.step is not None:
        return p.step == step.name
    return tool is not None and p.tool == tool.name


def build_letters(spec: Spec) -> tuple[Letter, ...]:
    """All letters of ``spec``, in step order, dropping variants that provably cannot occur."""
    out: list[Letter] = []
    _check_size(spec)
    for step in spec.steps:
        tools: list[Tool | None] = list(spec.tools) if step.content.kind == "tool_call" else [None]
        for tool in tools:
            props = [p for p in spec.propositions if _applies(p, step, tool)]
            if len(props) > MAX_PROPOSITIONS_PER_STEP:
                names = ", ".join(p.name for p in props)
                where = f"calls of tool {tool.name!r}" if tool else f"step {step.name!r}"
                raise SpecError(
                    f"{len(props)} propositions apply to {where} ({names}); at most {MAX_PROPOSITIONS_PER_STEP} may",
                    path=spec.path,
                    line=step.line or None,
                    source=spec.source or None,
                    hint="Each proposition doubles the step's letters. Merge predicates into one regex, or split the step.",
                )
            for values in itertools.product((True, False), repeat=len(props)):
                constraints = tuple(
                    Constraint(p.name, p.pattern, p.negated, p.argument, v) for p, v in zip(props, values)
                )
                name = step.name + (f":{tool.name}" if tool else "")
                if constraints:
                    name += "{" + ",".join(("" if c.value else "!") + c.name for c in constraints) + "}"
                true_atoms = {step.name} | {c.name for c in constraints if c.value}
                if tool:
                    true_atoms.add(f"call.{tool.name}")
                letter = Letter(
                    index=len(out),
                    name=name,
                    step=step.name,
                    source=step.source,
                    tag=step.tag,
                    terminator=step.terminator,
                    content=step.content,
                    tool=tool.name if tool else None,
                    tool_parameters=tool.parameters if tool else None,
                    constraints=constraints,
                    atoms=frozenset(true_atoms),
                )
                if not is_provably_empty(letter):
                    out.append(letter)
    return tuple(out)


def _check_size(spec: Spec) -> None:
    """Refuse, before any work, a spec whose propositions multiply into too many letters."""
    total = 0
    for step in spec.steps:
        tools: list[Tool | None] = list(spec.tools) if step.content.kind == "tool_call" else [None]
        total += sum(2 ** sum(1 for p in spec.propositions if _applies(p, step, t)) for t in tools)
    if total > MAX_LETTERS:
        raise SpecError(
            f"the spec has {total:,} step variants (each step, or each tool of a tool-call step, doubles with every "
            f"proposition on it); at most {MAX_LETTERS:,} can be compiled",
            path=spec.path,
            source=spec.source or None,
            hint="Merge propositions into fewer patterns, put them on fewer tools, or split the spec.",
        )


def is_provably_empty(letter: Letter) -> bool:
    """True when the letter's content language is empty: no text meets its format and the
    truth values of its propositions together (decided exactly by ``regexes.satisfiable``)."""
    if not letter.constraints:
        return False
    if letter.content.kind == "choices":
        return not any(letter.matches(x) for x in letter.content.choices)
    # Each text a proposition reads (the whole content, or one argument) is decided apart:
    # patterns on different arguments never meet in one text.
    groups: dict[str | None, list[tuple[str, bool]]] = {}
    base = letter.content.pattern if letter.content.kind == "regex" else None
    if all(c.argument is None for c in letter.constraints) and base is not None:
        groups[None] = [(base, True)]
    for c in letter.constraints:
        # On an argument, a false proposition may also mean "argument absent":
        # skipping it only enlarges the language, so emptiness stays proven.
        if c.argument is not None and not c.value:
            continue
        groups.setdefault(c.argument, []).append((c.pattern, c.value != c.negated))
    banned = letter.terminator if len(letter.terminator) == 1 and all(c.argument is None for c in letter.constraints) else ""
    return any(not regexes.satisfiable(parts, banned=(banned if argument is None else "") + "\x00") for argument, parts in groups.items())
