"""Spec files: TOML → :class:`Spec` (frozen dataclasses), with located errors.

The schema is documented in ``docs/spec-format.md`` and shipped as a JSON Schema in
``ltlagent/spec.schema.json`` for editors. Every problem is a :class:`SpecError` naming
``file:line:column``.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path as FsPath
from typing import Any

from ltlagent.compiler import regexes
from ltlagent.compiler.ltlf import ATOM_RE, KEYWORDS, Formula, atoms, balanced, parse_ltlf, to_text
from ltlagent.compiler.toml_locate import Position, locate, nearest
from ltlagent.errors import FormulaError, SpecError, did_you_mean, expect_one_of

class Source(StrEnum):
    """Who writes a step: the model, the environment (tool output) or the user (input)."""

    MODEL = "model"
    ENVIRONMENT = "environment"
    INPUT = "input"


SOURCES = tuple(s.value for s in Source)
CALL_STYLES = ("bracket", "json")
TOOL_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")
DEFAULT_TERMINATOR = "\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Content:
    """A step's content language before content propositions refine it.

    ``kind`` is ``"text"`` (anything without the terminator), ``"regex"`` (``pattern``),
    ``"choices"`` (``choices``) or ``"tool_call"`` (``style`` ``"bracket"``:
    ``name[argument]``, or ``"json"``: ``{"name": ..., "arguments": {...}}``).
    """

    kind: str
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    style: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    source: str
    tag: str
    content: Content
    terminator: str = DEFAULT_TERMINATOR
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0

    @property
    def argument(self) -> str | None:
        """The single parameter a bracket call ``name[argument]`` fills, if there is one."""
        props = self.parameters.get("properties") or {}
        return next(iter(props)) if len(props) == 1 else None


@dataclass(frozen=True)
class Proposition:
    """A named content predicate: true on a ``step`` (or a call of ``tool``) whose content
    (or ``argument``) fully matches ``pattern`` (``negated``: is present and does not)."""

    name: str
    pattern: str
    negated: bool = False
    step: str | None = None
    tool: str | None = None
    argument: str | None = None
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class Rule:
    name: str
    ltlf: str
    formula: Formula
    why: str = ""
    line: int = 0


@dataclass(frozen=True)
class Policy:
    """One row of a ``[[policies]]`` table: ``effect`` ("allow" or "deny") calls of ``tool``
    whose arguments meet ``arguments`` (per argument, a JSON Schema subset) when the LTLf
    ``when`` holds at the call. Loading a spec turns its policies into propositions and one
    rule per tool (:func:`policy_rules`)."""

    tool: str
    effect: str
    arguments: Mapping[str, Mapping[str, Any]]
    when: str | None
    why: str = ""
    line: int = 0


@dataclass(frozen=True)
class Example:
    name: str
    text: str
    valid: bool = True
    line: int = 0


@dataclass(frozen=True)
class Chat:
    """How an OpenAI-style conversation reads as this spec's trace (``[chat]``, for
    ``ltlagent serve``): each role's messages are one of the listed steps (the first the spec
    allows there); ``tool_calls`` is the model step each call of an assistant message is;
    ``tools`` says whether the spec's tools are fixed (``"spec"``) or each request's (``"request"``)."""

    user: tuple[str, ...]
    assistant: tuple[str, ...]
    tool_calls: str | None = None
    tool: tuple[str, ...] = ()
    tools: str = "spec"
    line: int = 0


@dataclass(frozen=True)
class Spec:
    """A parsed spec file (made by :func:`parse_spec` / :func:`load_spec`)."""

    name: str
    description: str
    steps: tuple[Step, ...]
    tools: tuple[Tool, ...]
    propositions: tuple[Proposition, ...]
    rules: tuple[Rule, ...]
    examples: tuple[Example, ...]
    parameters: Mapping[str, int]
    path: str = "<string>"
    source: str = field(default="", repr=False)
    policies: tuple[Policy, ...] = ()
    chat: Chat | None = None

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)



_TOP_KEYS = ("name", "description", "parameters", "steps", "tools", "propositions", "policies", "rules", "examples", "chat")
_CHAT_KEYS = ("user", "assistant", "tool_calls", "tool", "tools")
_STEP_KEYS = ("name", "source", "tag", "text", "regex", "choices", "tool_call", "terminator", "description")
_TOOL_KEYS = ("name", "description", "parameters")
_PROP_KEYS = ("name", "step", "tool", "argument", "matching", "not_matching", "description")
_RULE_KEYS = ("name", "ltlf", "why")
_POLICY_KEYS = ("tool", "effect", "arguments", "when", "why")
_CONDITION_KEYS = {"string": ("pattern", "enum", "const"), "integer": ("minimum", "maximum", "enum", "const"), "number": ("minimum", "maximum"),
                   "boolean": ("enum", "const"), "string_array": ("items",)}
_KIND_NAMES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean", "string_array": "an array-of-strings"}
_EXAMPLE_KEYS = ("name", "text", "valid")


class _Loader:
    """Reads a spec's tables (from TOML text, or the tables a :class:`SpecBuilder` collected,
    with the positions of the calls that wrote them) into a :class:`Spec`."""

    def __init__(self, text: str, path: str, data: Mapping[str, Any] | None = None, positions: Mapping[tuple[object, ...], Position] | None = None) -> None:
        self.text = text
        self.path = path
        self.data = data
        self.pos = dict(positions) if positions is not None else locate(text)

    def error(self, message: str, where: tuple[object, ...], hint: str | None = None, *, key: bool = False, offset: int | None = None) -> SpecError:
        p: Position | None = nearest(self.pos, where)
        if p is not None and p.file is not None:  # written by a Python call: point at that call
            return SpecError(message, path=p.file, line=p.line, column=p.column, source=_file_text(p.file), hint=hint)
        line = p.line if p else 1  # a problem of the whole file is reported at its first line
        column = None
        if p:
            column = p.key_column if key else p.column
            if offset is not None:
                line, column = self.inside_string(p, offset)
        return SpecError(message, path=self.path, line=line, column=column, source=self.text, hint=hint)

    def inside_string(self, p: Position, offset: int) -> tuple[int, int]:
        """File position of the 1-based ``offset`` inside the string value at ``p``
        (exact for strings without escape sequences, single- or multi-line)."""
        raw = self.text.split("\n")[p.line - 1][p.column - 1:]
        if raw.startswith(('"""', "'''")):
            line, column = (p.line + 1, 1) if not raw[3:].strip() else (p.line, p.column + 3)
            delimiter = raw[:3]
        else:
            line, column = p.line, p.column + 1
            delimiter = raw[:1]
        body = self.text.split("\n")[line - 1:]
        value = "\n".join(body)[column - 1:]
        end = value.find(delimiter)
        before = value[: min(offset - 1, end if end >= 0 else len(value))]
        if "\n" in before:
            return line + before.count("\n"), len(before) - before.rfind("\n")
        return line, column + len(before)

    def line(self, where: tuple[object, ...]) -> int:
        p = nearest(self.pos, where)
        return p.line if p else 0

    def check_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], where: tuple[object, ...], what: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(
                    f"unknown key {key!r} in {what}",
                    where + (key,),
                    f"Expected one of: {', '.join(allowed)}.{did_you_mean(key, allowed)}",
                    key=True,
                )

    def get(self, table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: tuple[object, ...], *, required: bool = False, default: Any = None) -> Any:
        if key not in table:
            if required:
                raise self.error(f"missing required key {key!r}", where, f"Add {key} = ... to this table.")
            return default
        value = table[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(f"{key!r} must be a {_toml_type(names)}, not {_toml_type(type(value).__name__)}", where + (key,))
        return value

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"{key!r} must be an array of tables, written [[{key}]]", (key,))
        return value

    def check_name(self, name: str, where: tuple[object, ...], what: str, pattern: re.Pattern[str] = ATOM_RE) -> None:
        if not pattern.fullmatch(name) or name in KEYWORDS:
            raise self.error(
                f"{what} name {name!r} is not a valid atom",
                where + ("name",),
                f"Names match {pattern.pattern} and are not one of {', '.join(KEYWORDS)}.",
            )

    def regex(self, pattern: str, where: tuple[object, ...], *, search: bool = False) -> None:
        """Reject a pattern that cannot be read exactly alike by the checker and the decoder
        (see ``compiler.regexes``), with the file position of the problem."""
        try:
            regexes.check(pattern, search=search)
        except regexes.RegexError as exc:
            raise self.error(f"bad regular expression: {exc.message}", where, exc.hint or None, offset=exc.pos + 1) from None

    def load(self) -> Spec:
        if self.data is not None:
            data = self.data
        else:
            try:
                data = tomllib.loads(self.text)
            except tomllib.TOMLDecodeError as exc:
                raise _toml_error(exc, self.text, self.path) from None
        if not isinstance(data, Mapping):
            raise self.error("a spec is a table of keys (name, steps, rules, ...)", ())
        self.check_keys(data, _TOP_KEYS, (), "the spec")
        name = self.get(data, "name", str, (), required=True)
        description = self.get(data, "description", str, (), default="")
        params = self.parameters(data)
        steps = self.steps(data)
        tools = self.tools(data)
        step_names = {s.name for s in steps}
        if any(s.content.kind == "tool_call" for s in steps) and not tools:
            raise self.error("a step makes tool calls but the spec declares no tools", ("steps",), "Add [[tools]] tables.")
        props = self.propositions(data, steps, tools)
        known = set(step_names) | {f"call.{t.name}" for t in tools} | {p.name for p in props}
        rules = self.rules(data, known, params)
        policies = self.policies(data, tools, known, params)
        if policies:
            extra_props, extra_rules = self.policy_rules(policies, tools, params, {r.name for r in rules} | known)
            props, rules = props + extra_props, rules + extra_rules
        examples = self.examples(data)
        chat = self.chat(data, steps)
        return Spec(name, description, steps, tools, props, rules, examples, params, self.path, self.text, policies, chat)

    def chat(self, data: Mapping[str, Any], steps: tuple[Step, ...]) -> Chat | None:
        """The ``[chat]`` table: every step is some role's, each role's steps have its source."""
        if "chat" not in data:
            return None
        w: tuple[object, ...] = ("chat",)
        t = self.get(data, "chat", dict, ())
        self.check_keys(t, _CHAT_KEYS, w, "the [chat] table")
        by_name = {s.name: s for s in steps}

        def names(key: str, source: str, what: str, *, required: bool) -> tuple[str, ...]:
            value = t.get(key)
            if value is None:
                if required:
                    raise self.error(f"the [chat] table needs {key!r}: the {what}", w, key=False)
                return ()
            listed = [value] if isinstance(value, str) else value
            if not isinstance(listed, list) or not listed or not all(isinstance(x, str) for x in listed):
                raise self.error(f"chat.{key} must be a step name or a non-empty array of step names", w + (key,))
            for x in listed:
                if x not in by_name:
                    raise self.error(f"chat.{key}: unknown step {x!r}", w + (key,), f"Steps: {', '.join(by_name)}.{did_you_mean(x, by_name)}")
                if by_name[x].source != source:
                    raise self.error(f"chat.{key}: step {x!r} has source {by_name[x].source!r}; {what} are {source} steps", w + (key,))
            return tuple(listed)

        user = names("user", "input", "user messages", required=True)
        assistant = names("assistant", "model", "assistant messages' text", required=True)
        calls = names("tool_calls", "model", "assistant messages' tool calls", required=False)
        tool = names("tool", "environment", "tool messages", required=bool(calls))
        if len(calls) > 1:
            raise self.error("chat.tool_calls names one step (each tool call of an assistant message is that step)", w + ("tool_calls",))
        if calls and by_name[calls[0]].content.kind != "tool_call" or calls and by_name[calls[0]].content.style != "json":
            raise self.error(f"chat.tool_calls: step {calls[0]!r} must make JSON tool calls (tool_call = \"json\")", w + ("tool_calls",))
        for x in assistant:
            if by_name[x].content.kind == "tool_call":
                raise self.error(f"chat.assistant: step {x!r} makes tool calls; name it in chat.tool_calls", w + ("assistant",))
            if by_name[x].terminator != "\n":
                raise self.error(f"chat.assistant: step {x!r} must end at a line break (an assistant message's lines are its steps)", w + ("assistant",))
        mapped = set(user) | set(assistant) | set(calls) | set(tool)
        for s in steps:
            if s.name not in mapped:
                role = {"input": "user", "model": "assistant", "environment": "tool"}[s.source]
                raise self.error(f"the [chat] table maps no message to step {s.name!r}", w,
                                 f"Add it to chat.{role}, or the server could not read or write it.")
        tools = self.get(t, "tools", str, w, default="spec")
        if tools not in ("spec", "request"):
            raise self.error(f"chat.tools {tools!r}", w + ("tools",), expect_one_of("tools", tools, ("spec", "request")))
        return Chat(user, assistant, calls[0] if calls else None, tool, tools, self.line(w))

    def parameters(self, data: Mapping[str, Any]) -> dict[str, int]:
        raw = self.get(data, "parameters", dict, (), default={})
        for key, value in raw.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self.error(f"parameter {key!r} must be a non-negative integer", ("parameters", key))
        return dict(raw)

    def steps(self, data: Mapping[str, Any]) -> tuple[Step, ...]:
        out: list[Step] = []
        tables = self.tables(data, "steps")
        if not tables:
            raise self.error("the spec declares no steps", (), "Add at least one [[steps]] table.")
        for i, t in enumerate(tables):
            w = ("steps", i)
            self.check_keys(t, _STEP_KEYS, w, "a [[steps]] table")
            name = self.get(t, "name", str, w, required=True)
            self.check_name(name, w, "step")
            if any(s.name == name for s in out):
                raise self.error(f"step {name!r} is declared twice", w + ("name",))
            source = self.get(t, "source", str, w, default="model")
            if source not in SOURCES:
                raise self.error(f"bad source {source!r}", w + ("source",), expect_one_of("source", source, SOURCES))
            tag = self.get(t, "tag", str, w, required=True)
            if tag == "" and source != "model":
                raise self.error(f"only a model step may be untagged (tag = \"\"); this one's source is {source!r}", w + ("tag",),
                                 "An environment or input step needs a tag: the tag hands the turn over.")
            if tag and not tag.strip(" \t"):
                raise self.error("a step's tag must not be only spaces", w + ("tag",), "The tag starts the step's line, e.g. tag = \"Thought: \"; tag = \"\" makes an untagged model step.")
            if _CONTROL.search(tag):
                raise self.error(f"a step's tag must not contain control characters ({_CONTROL.search(tag).group()!r})", w + ("tag",), "Tags start a line of the trace; use printable text.")
            for other in out:
                if other.tag == tag:
                    raise self.error(f"steps {other.name!r} and {name!r} have the same tag {tag!r}", w + ("tag",), "Each step needs its own tag: the tag decides the step.")
            terminator = self.get(t, "terminator", str, w, default=DEFAULT_TERMINATOR)
            if not terminator:
                raise self.error("a step's terminator must not be empty", w + ("terminator",))
            if "\x00" in terminator:
                raise self.error("a step's terminator must not contain NUL", w + ("terminator",))
            kinds = [k for k in ("text", "regex", "choices", "tool_call") if k in t]
            if len(kinds) > 1:
                raise self.error(f"a step has one content format, this one has {' and '.join(kinds)}", w + (kinds[1],), key=True)
            kind = kinds[0] if kinds else "text"
            if kind == "text":
                if self.get(t, "text", bool, w, default=True) is not True:
                    raise self.error("'text' may only be true (free text up to the terminator)", w + ("text",))
                content = Content("text")
            elif kind == "regex":
                pattern = self.get(t, "regex", str, w)
                self.regex(pattern, w + ("regex",))
                single = terminator + "\x00" if len(terminator) == 1 else None  # what the decoder reads the content without
                if (single is None or not regexes.has_text_without(pattern, single)) and not regexes.has_text_without(pattern, "\x00"):
                    raise self.error("every text the regex matches contains NUL, so the step can never be written", w + ("regex",), "NUL marks the end of a trace for the decoder; exclude it from the pattern.")
                if single is not None and not regexes.has_text_without(pattern, single):
                    raise self.error(f"every text the regex matches contains the step's terminator {terminator!r}, so the step can never be written", w + ("regex",), "The content of a step ends at its terminator; exclude it from the pattern or change the terminator.")
                content = Content("regex", pattern=pattern)
            elif kind == "choices":
                choices = self.get(t, "choices", list, w)
                if not choices or not all(isinstance(c, str) and c for c in choices):
                    raise self.error("'choices' must be a non-empty list of non-empty strings", w + ("choices",))
                bad = next((c for c in choices if terminator in c or "\x00" in c), None)
                if bad is not None:
                    raise self.error(f"the choice {bad!r} contains {'NUL' if chr(0) in bad else 'the terminator ' + repr(terminator)}, so it can never be written", w + ("choices",))
                content = Content("choices", choices=tuple(choices))
            else:
                style = self.get(t, "tool_call", str, w)
                if style not in CALL_STYLES:
                    raise self.error(f"bad tool_call style {style!r}", w + ("tool_call",), expect_one_of("tool_call", style, CALL_STYLES))
                content = Content("tool_call", style=style)
            description = self.get(t, "description", str, w, default="")
            out.append(Step(name, source, tag, content, terminator, description, self.line(w)))
        return tuple(out)

    def tools(self, data: Mapping[str, Any]) -> tuple[Tool, ...]:
        out: list[Tool] = []
        for i, t in enumerate(self.tables(data, "tools")):
            w = ("tools", i)
            self.check_keys(t, _TOOL_KEYS, w, "a [[tools]] table")
            name = self.get(t, "name", str, w, required=True)
            self.check_name(name, w, "tool", TOOL_NAME_RE)
            if any(x.name == name for x in out):
                raise self.error(f"tool {name!r} is declared twice", w + ("name",))
            description = self.get(t, "description", str, w, default="")
            params = self.get(t, "parameters", dict, w, default={"type": "object", "properties": {}})
            _check_json_schema(self, params, w + ("parameters",))
            out.append(Tool(name, description, params, self.line(w)))
        return tuple(out)

    def propositions(self, data: Mapping[str, Any], steps: tuple[Step, ...], tools: tuple[Tool, ...]) -> tuple[Proposition, ...]:
        out: list[Proposition] = []
        step_names = [s.name for s in steps]
        tool_names = [t.name for t in tools]
        for i, t in enumerate(self.tables(data, "propositions")):
            w = ("propositions", i)
            self.check_keys(t, _PROP_KEYS, w, "a [[propositions]] table")
            name = self.get(t, "name", str, w, required=True)
            self.check_name(name, w, "proposition")
            if name in step_names or any(p.name == name for p in out):
                raise self.error(f"the name {name!r} is already taken", w + ("name",), "Propositions, steps and tools need distinct names.")
            step = self.get(t, "step", str, w)
            tool = self.get(t, "tool", str, w)
            argument = self.get(t, "argument", str, w)
            if (step is None) == (tool is None):
                raise self.error(f"proposition {name!r} needs exactly one of 'step' or 'tool'", w)
            if step is not None and step not in step_names:
                raise self.error(f"unknown step {step!r}", w + ("step",), f"Steps: {', '.join(step_names)}.{did_you_mean(step, step_names)}")
            if tool is not None and tool not in tool_names:
                raise self.error(f"unknown tool {tool!r}", w + ("tool",), f"Tools: {', '.join(tool_names)}.{did_you_mean(tool, tool_names)}")
            if argument is not None:
                if tool is None:
                    raise self.error("'argument' needs 'tool'", w + ("argument",))
                props = tools[tool_names.index(tool)].parameters.get("properties") or {}
                if argument not in props:
                    raise self.error(f"tool {tool!r} has no argument {argument!r}", w + ("argument",), f"Arguments: {', '.join(props) or 'none'}.{did_you_mean(argument, props)}")
                kind = argument_kind(props[argument])
                if kind not in READABLE_KINDS:
                    raise self.error(
                        f"proposition {name!r} reads argument {argument!r} of tool {tool!r}, whose type is {kind}",
                        w + ("argument",),
                        "Propositions read string, integer and boolean arguments and arrays of plain strings (the masks refine their "
                        "text exactly); a number's or an object's text depends on how it is written. Use one of those types, or "
                        "test the whole call (no 'argument').",
                    )
            if ("matching" in t) == ("not_matching" in t):
                raise self.error(f"proposition {name!r} needs exactly one of 'matching' or 'not_matching'", w)
            key = "matching" if "matching" in t else "not_matching"
            pattern = self.get(t, key, str, w)
            self.regex(pattern, w + (key,))
            description = self.get(t, "description", str, w, default="")
            out.append(Proposition(name, pattern, key == "not_matching", step, tool, argument, description, self.line(w)))
        return tuple(out)

    def rules(self, data: Mapping[str, Any], known: set[str], params: Mapping[str, int]) -> tuple[Rule, ...]:
        out: list[Rule] = []
        for i, t in enumerate(self.tables(data, "rules")):
            w = ("rules", i)
            self.check_keys(t, _RULE_KEYS, w, "a [[rules]] table")
            name = self.get(t, "name", str, w, default=f"rule{i + 1}")
            if any(r.name == name for r in out):
                raise self.error(f"rule {name!r} is declared twice", w + ("name",))
            text = self.get(t, "ltlf", str, w, required=True)
            formula = self.formula(text, w + ("ltlf",), f"rule {name!r}", known, params)
            why = self.get(t, "why", str, w, default="")
            out.append(Rule(name, text, formula, why, self.line(w)))
        return tuple(out)

    def policies(self, data: Mapping[str, Any], tools: tuple[Tool, ...], known: set[str], params: Mapping[str, int]) -> tuple[Policy, ...]:
        out: list[Policy] = []
        by_name = {t.name: t for t in tools}
        for i, t in enumerate(self.tables(data, "policies")):
            w = ("policies", i)
            self.check_keys(t, _POLICY_KEYS, w, "a [[policies]] table")
            tool = self.get(t, "tool", str, w, required=True)
            if tool not in by_name:
                names = list(by_name)
                raise self.error(f"unknown tool {tool!r}", w + ("tool",), f"Tools: {', '.join(names) or 'none declared'}.{did_you_mean(tool, names)}")
            effect = self.get(t, "effect", str, w, default="allow")
            if effect not in ("allow", "deny"):
                raise self.error(f"effect {effect!r}: expected \"allow\" or \"deny\"", w + ("effect",))
            arguments = self.get(t, "arguments", dict, w, default={})
            declared = by_name[tool].parameters.get("properties") or {}
            for arg, condition in arguments.items():
                aw = w + ("arguments", arg)
                if arg not in declared:
                    raise self.error(f"tool {tool!r} has no argument {arg!r}", aw, f"Arguments: {', '.join(declared) or 'none'}.{did_you_mean(arg, declared)}", key=True)
                kind = argument_kind(declared[arg])
                allowed = _CONDITION_KEYS.get(kind)
                if allowed is None:
                    raise self.error(f"argument {arg!r} of tool {tool!r} has type {kind}; policy conditions read string, integer and boolean "
                                     "arguments and arrays of plain strings", aw, key=True)
                if not isinstance(condition, dict) or not condition:
                    raise self.error(f"the condition on argument {arg!r} must be a table of JSON Schema keywords ({', '.join(allowed)})", aw)
                for key, value in condition.items():
                    if key not in allowed:
                        raise self.error(f"{key!r} is not a condition on {_KIND_NAMES[kind]} argument", aw + (key,), f"Use {', '.join(allowed)}.", key=True)
                    _check_condition(self, kind, key, value, aw + (key,))
                if "minimum" in condition and "maximum" in condition and condition["minimum"] > condition["maximum"]:
                    raise self.error(f"minimum {condition['minimum']} is above maximum {condition['maximum']}: no {arg!r} meets it", aw)
            when = self.get(t, "when", str, w)
            if when is not None:
                self.formula(when, w + ("when",), f"policy {i + 1} for {tool!r}", known, params)
            out.append(Policy(tool, effect, arguments, when, self.get(t, "why", str, w, default=""), self.line(w)))
        return tuple(out)

    def policy_rules(self, policies: tuple[Policy, ...], tools: tuple[Tool, ...], params: Mapping[str, int], taken: set[str]) -> tuple[tuple[Proposition, ...], tuple[Rule, ...]]:
        """Deny by default: a call of a tool holds only where an allow row of its tool matches
        it (every argument condition, and ``when`` at the call) and no deny row does. One
        proposition per argument condition keyword, one rule per tool (``policy.<tool>``)."""
        props: list[Proposition] = []
        rules: list[Rule] = []
        for tool in tools:
            rows = [(n, p) for n, p in enumerate(policies, start=1) if p.tool == tool.name]
            terms: dict[str, list[Formula]] = {"allow": [], "deny": []}
            required = set(tool.parameters.get("required") or ())
            for n, p in rows:
                parts: list[Formula] = []
                for arg, condition in p.arguments.items():
                    kind = argument_kind((tool.parameters.get("properties") or {}).get(arg) or {})
                    for key, value in _condition_items(condition):
                        what = f"policy {n}: {arg} {key} {json.dumps(value)}"
                        if arg in required:
                            name, negated, term = f"policy{n}.{arg}.{key}", False, ("ap", f"policy{n}.{arg}.{key}")
                        else:  # as in JSON Schema, an absent optional argument meets its conditions
                            name, negated = f"policy{n}.{arg}.{key}.unmet", True
                            term, what = ("!", ("ap", name)), f"policy {n}: {arg} given and not {key} {json.dumps(value)}"
                        if name in taken:
                            raise self.error(f"the name {name!r} (made for policy {n}) is already taken", ("policies", n - 1))
                        props.append(Proposition(name, condition_regex(kind, key.split(".")[-1], value), negated, None, tool.name, arg, what, p.line))
                        parts.append(term)
                if p.when is not None:
                    parts.append(parse_ltlf(p.when, params))
                terms[p.effect].append(balanced("&", parts) if parts else ("true",))
            if ("true",) in terms["allow"] and not terms["deny"]:
                continue  # an unconditional allow and nothing denied: no rule needed
            allowed = balanced("|", terms["allow"]) if terms["allow"] else ("false",)
            body = ("&", allowed, ("!", balanced("|", terms["deny"]))) if terms["deny"] else allowed
            formula = ("G", ("->", ("ap", f"call.{tool.name}"), body))
            whys = [p.why for _, p in rows if p.why]
            why = " ".join(whys) if whys else (f"No policy allows {tool.name}: denied by default." if not rows else "")
            line = rows[0][1].line if rows else policies[0].line
            rules.append(Rule(f"policy.{tool.name}", to_text(formula), formula, why, line))
        return tuple(props), tuple(rules)

    def formula(self, text: str, where: tuple[object, ...], what: str, known: set[str], params: Mapping[str, int]) -> Formula:
        """Parse an LTLf formula; unknown atoms and syntax errors point into the string."""
        try:
            formula = parse_ltlf(text, params)
        except FormulaError as exc:
            raise self.error(f"bad LTLf in {what}: {exc.message}", where, exc.hint, offset=exc.column) from None
        for atom in sorted(atoms(formula)):
            if atom not in known:
                m = re.search(rf"(?<![a-z0-9_.]){re.escape(atom)}(?![a-z0-9_.])", text)
                raise self.error(
                    f"unknown atom {atom!r} in {what}",
                    where,
                    f"Atoms are step names, call.<tool> and propositions: {', '.join(sorted(known))}.{did_you_mean(atom, known)}",
                    offset=(m.start() + 1) if m else None,
                )
        return formula

    def examples(self, data: Mapping[str, Any]) -> tuple[Example, ...]:
        out: list[Example] = []
        for i, t in enumerate(self.tables(data, "examples")):
            w = ("examples", i)
            self.check_keys(t, _EXAMPLE_KEYS, w, "an [[examples]] table")
            name = self.get(t, "name", str, w, default=f"example{i + 1}")
            text = self.get(t, "text", str, w, required=True)
            valid = self.get(t, "valid", bool, w, default=True)
            line = self.line(w + ("text",))
            # A multi-line string starting with a newline begins on the next line.
            written_here = (p := nearest(self.pos, w + ("text",))) is not None and p.file is None
            if written_here and self.text.split("\n")[line - 1:line] and self.text.split("\n")[line - 1].rstrip().endswith(("'''", '"""')):
                line += 1
            out.append(Example(name, text, valid, line))
        return tuple(out)


def _check_condition(loader: _Loader, kind: str, key: str, value: Any, where: tuple[object, ...]) -> None:
    """A policy condition keyword's value, checked against the argument's type."""
    if kind == "string_array":  # items = { pattern | enum | const }: every item meets it
        keys = _CONDITION_KEYS["string"]
        if not isinstance(value, dict) or not value:
            raise loader.error(f"'items' must be a table of conditions every item meets ({', '.join(keys)})", where)
        for k, v in value.items():
            if k not in keys:
                raise loader.error(f"{k!r} is not a condition on an item (a string)", where + (k,), f"Use {', '.join(keys)}.", key=True)
            _check_condition(loader, "string", k, v, where + (k,))
        return
    scalar = {"string": str, "integer": int, "number": (int, float), "boolean": bool}[kind]

    def fits(v: Any) -> bool:
        return isinstance(v, scalar) and (kind == "boolean" or not isinstance(v, bool))

    if key == "pattern":
        if not isinstance(value, str):
            raise loader.error("'pattern' must be a string (a regex the whole argument must match)", where)
        loader.regex(value, where)
    elif key in ("minimum", "maximum") and kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise loader.error(f"{key!r} must be a number", where)
    elif key in ("minimum", "maximum"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise loader.error(f"{key!r} must be an integer", where)
    elif key == "enum":
        if not isinstance(value, list) or not value or not all(fits(v) for v in value):
            raise loader.error(f"'enum' must be a non-empty array of {kind} values", where)
    elif not fits(value):  # const
        raise loader.error(f"'const' must be a {kind} value", where)


def _condition_items(condition: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A condition's keywords; ``items`` (an array's) gives one per keyword of its table (``items.pattern``)."""
    out: list[tuple[str, Any]] = []
    for key, value in condition.items():
        out += [(f"items.{k}", v) for k, v in value.items()] if key == "items" else [(key, value)]
    return out


READABLE_KINDS = tuple(_CONDITION_KEYS)  # the argument types propositions and policy conditions read
_SCHEMA_NOTES = ("description", "title", "default", "examples")


def argument_kind(schema: Any) -> str:
    """How propositions read an argument of this JSON Schema: ``string``, ``integer``,
    ``number`` or ``boolean`` (its JSON text as the call wrote it), ``string_array`` (an array
    of plain strings, read as its ``json.dumps`` text), or else a description of its type for
    messages. An optional argument as pydantic writes it (``anyOf`` the type and null) reads
    as the type."""
    if not isinstance(schema, Mapping):
        return "string"
    options = schema.get("anyOf")
    if "type" not in schema and isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        return argument_kind(next(o for o in options if o != {"type": "null"}))  # optional, as pydantic writes it
    kind = schema.get("type", "string")
    if kind == "array":
        items = schema.get("items")
        plain = set(schema) <= {"type", "items", *_SCHEMA_NOTES}
        if plain and isinstance(items, Mapping) and items.get("type") == "string" and set(items) <= {"type", *_SCHEMA_NOTES}:
            return "string_array"
        return '"array" (other than a plain array of strings)'
    return kind if kind in ("string", "integer", "number", "boolean") else json.dumps(kind)


def condition_regex(kind: str, key: str, value: Any) -> str:
    """The regex (full match) of an argument's text that meets one condition keyword: the
    string itself, or the JSON text of an integer, a boolean or an array of strings (whose
    ``items`` keywords are ``key`` and ``value`` here), as propositions read them."""
    if kind == "string_array":
        return regexes.string_array_text(condition_regex("string", key, value))
    if key == "pattern":
        return value
    if key in ("minimum", "maximum") and kind == "number":
        return regexes.number_bound(value, above=key == "minimum")
    if key in ("minimum", "maximum"):
        return regexes.integer_range(value if key == "minimum" else None, value if key == "maximum" else None)

    values = value if key == "enum" else [value]
    return "|".join(regexes.regex_escape(v) if isinstance(v, str) else json.dumps(v) for v in values)


def _toml_type(name: str) -> str:
    return {"str": "string", "int": "integer", "dict": "table", "list": "array", "bool": "boolean", "float": "float"}.get(name, name)


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, path: str) -> SpecError:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line = int(m.group(1)) if m else None
    column = int(m.group(2)) if m else None
    if m is None and "(at end of document)" in msg:  # e.g. an unclosed string or table
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    msg = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", msg) or "invalid TOML"
    hint = "This is a TOML syntax error. Strings need quotes; LTLf rules go in strings, e.g. ltlf = \"G(a -> X b)\"."
    if line and "\\" in text.split("\n")[line - 1]:
        hint += " Backslashes in '...' literal strings are kept as written; in \"...\" strings they start escapes."
    return SpecError(f"invalid TOML: {msg[0].lower() + msg[1:]}", path=path, line=line, column=column, source=text, hint=hint)


def _check_json_schema(loader: _Loader, schema: Mapping[str, Any], where: tuple[object, ...]) -> None:
    import jsonschema  # light, pure Python; only needed when a spec declares tools

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise loader.error(f"bad JSON Schema for the tool's parameters: {exc.message}", where) from None
    if schema.get("type", "object") != "object":
        raise loader.error("a tool's parameters schema must describe an object (type = \"object\")", where)
    _check_schema_keywords(loader, schema, where)


# Keywords the decoder's masks (outlines-core's schema regex) do not enforce, or enforce
# differently from a JSON Schema validator: allowing them would let the masks write calls the
# checker rejects. (Keywords the masks enforce more strictly, such as "format", are fine.)
UNENFORCEABLE_KEYWORDS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "uniqueItems", "minProperties",
    "maxProperties", "not", "if", "then", "else", "allOf", "oneOf", "dependentRequired", "dependentSchemas",
    "patternProperties", "propertyNames", "contains", "minContains", "maxContains", "unevaluatedProperties",
    "unevaluatedItems", "$dynamicRef",
})
_SCHEMA_MAPS = ("properties", "$defs", "definitions")  # name -> schema
_SCHEMA_LISTS = ("anyOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties")


def _check_schema_keywords(loader: _Loader, schema: Any, where: tuple[object, ...]) -> None:
    """Walk a tool schema as a schema: refuse keywords the masks cannot enforce, and read
    every ``pattern`` as spec patterns are read (JSON Schema: a search)."""
    if not isinstance(schema, Mapping):
        return
    for key, value in schema.items():
        if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
            raise loader.error(
                f"the JSON Schema reference {value!r} points outside the spec",
                where + (key,),
                "A spec is read offline and never fetches anything: copy the referenced schema into $defs and write "
                '"$ref" = "#/$defs/NAME".',
            )
        if key in UNENFORCEABLE_KEYWORDS:
            raise loader.error(
                f"the JSON Schema keyword {key!r} cannot be enforced by the decoder's token masks",
                where + (key,),
                "Masks could then write calls the checker rejects. Use type, enum, const, properties, required, "
                "additionalProperties, items, minItems/maxItems, minLength/maxLength, pattern or anyOf; check other "
                "limits in the tool itself.",
            )
        if key == "pattern" and isinstance(value, str):
            loader.regex(value, where + (key,), search=True)
            if regexes.canonical_without(value, regexes.JSON_ESCAPED) is None:
                raise loader.error(
                    "every text the pattern matches holds a quote, a backslash or a control character, which JSON strings must escape",
                    where + (key,),
                    "The decoder writes argument strings without escapes; match plain characters.",
                )
        elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
            for name, sub in value.items():
                _check_schema_keywords(loader, sub, where + (key, name))
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                _check_schema_keywords(loader, sub, where + (key, i))
        elif key in _SCHEMA_VALUES:
            _check_schema_keywords(loader, value, where + (key,))


def _file_text(path: str) -> str | None:
    import linecache

    lines = linecache.getlines(path)
    return "".join(lines) if lines else None


def parse_spec(text: str, path: str = "<string>") -> Spec:
    """Parse the TOML text of a spec; raise :class:`SpecError` with a location on bad input."""
    try:
        return _Loader(text, path).load()
    except RecursionError:
        raise SpecError(
            "the file nests arrays, tables or schemas too deeply to read",
            path=path,
            line=1,
            source=text,
            hint="Specs need a few levels of nesting at most; flatten the deepest value.",
        ) from None


def load_spec(path: str | FsPath) -> Spec:
    """Read and parse a spec file (``str`` paths to shipped specs may omit ``specs/`` and ``.toml``)."""
    p = resolve_spec_path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a leading BOM is not part of the TOML
    except UnicodeDecodeError as exc:
        raise SpecError(f"the file is not UTF-8 text ({exc.reason})", path=str(p)) from None
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", path=str(p)) from None
    return parse_spec(text, str(path) if FsPath(path).exists() else str(p))


def shipped_specs_dir() -> FsPath:
    return FsPath(__file__).resolve().parent.parent / "specs"


def shipped_spec_names() -> list[str]:
    return sorted(p.stem for p in shipped_specs_dir().glob("*.toml"))


def resolve_spec_path(path: str | FsPath) -> FsPath:
    """``path`` if it exists, else the shipped spec of that name; :class:`SpecError` otherwise."""
    p = FsPath(path)
    if p.is_file():
        return p
    if p.is_dir():
        raise SpecError("is a directory, not a spec file", path=str(p))
    shipped = shipped_specs_dir() / f"{p.stem}.toml"
    if p.parent == FsPath(".") and shipped.is_file():
        return shipped
    names = shipped_spec_names()
    raise SpecError(
        "no such spec file",
        path=str(p),
        hint=f"Give a path to a .toml spec, or the name of a shipped spec: {', '.join(names)}.{did_you_mean(p.stem, names)}",
    )

