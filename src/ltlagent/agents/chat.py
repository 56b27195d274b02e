"""OpenAI chat conversations read as a spec's trace, and the model's turn written back as an
assistant message (``ltlagent serve``). Imports neither torch nor the decoders' model code.

The spec's ``[chat]`` table (``docs/spec-format.md``) says which step each message is:

* a **user** message is one of ``chat.user`` (input steps), a **tool** message one of
  ``chat.tool`` (environment steps): the first listed that the spec allows there;
* an **assistant** message's text is one step of ``chat.assistant`` per line, and each of its
  ``tool_calls`` is the ``chat.tool_calls`` step, written ``{"name": ..., "arguments": {...}}``;
  a call is followed in the trace by the tool message that answers it (``tool_call_id``), or,
  where the spec lets several calls come first (parallel calls), the message's calls are
  followed by their tool messages;
* system (and developer) messages are instructions for the prompt, not steps.

Where a line could be more than one step (``ask`` or ``answer``), the reading that keeps the
whole conversation valid, with the model to write next, is taken (a search over at most
(messages × automaton states) readings). The reading is a pure function of the request: the
server keeps no session, so any replica answers any turn.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ltlagent.agents.runtime import clean_environment_text
from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.builder import SpecBuilder
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Chat, Spec
from ltlagent.errors import ChatError

ROLES = ("system", "developer", "user", "assistant", "tool")


@dataclass(frozen=True)
class _Item:
    """One step to read: the steps it may be, its content, and where it came from (for messages)."""

    steps: tuple[str, ...]
    content: str
    where: str


@dataclass
class Conversation:
    """A request's messages read as the spec's trace."""

    system: str  # the system and developer messages' text, joined
    first_user: str  # the first user message as written (the prompt's user turn)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, content) in trace order
    text: str = ""  # the trace text of ``steps``
    state: int = 0  # the automaton state after them

    @property
    def key(self) -> str:
        """A name for the conversation, the same on every turn: its system text and first user message."""
        return hashlib.sha1((self.system + "\x00" + self.first_user).encode("utf-8")).hexdigest()[:16]


def message_text(content: Any, where: str) -> str:
    """A message's content: a string, null, or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for i, part in enumerate(content):
            if not isinstance(part, Mapping) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
                raise ChatError(f"{where}.content[{i}]: only text parts are read (this one is {kind!r})", param=f"{where}.content")
            parts.append(part["text"])
        return "".join(parts)
    raise ChatError(f"{where}.content must be a string, null or a list of text parts", param=f"{where}.content")


def call_content(name: str, arguments: Any) -> str:
    """A tool call as the spec's JSON call step writes it (json.dumps' layout, as the masks write it)."""
    return json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)


def read_conversation(compiled: CompiledSpec, chat: Chat, messages: Any, tool_names: Sequence[str]) -> Conversation:
    """Read ``messages`` (the request's list) into the spec's trace, ending where the model
    writes next. A :class:`ChatError` says what is wrong: a malformed message, a tool the
    spec lacks, arguments that break the schema, or a history that breaks the spec (with the
    finding: rule, why, step)."""
    if not isinstance(messages, list) or not messages:
        raise ChatError("'messages' must be a non-empty list of messages", param="messages")
    items: list[_Item] = []  # each call just before the tool message that answers it
    grouped: list[_Item] = []  # each assistant message's calls together, then their tool messages
    system: list[str] = []
    first_user: str | None = None
    pending: dict[str, tuple[str, str]] = {}  # tool_call_id -> (call content, where)
    terminators = {s.name: s.terminator for s in compiled.steps}
    known_tools = set(tool_names)
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, Mapping):
            raise ChatError(f"{where} must be an object with a 'role'", param=where)
        role = m.get("role")
        if role not in ROLES:
            raise ChatError(f"{where}: unknown role {role!r} (roles: {', '.join(ROLES)})", param=f"{where}.role")
        text = message_text(m.get("content"), where)
        if role in ("system", "developer"):
            system.append(text)
            continue
        if pending and role != "tool":
            raise ChatError(f"{where}: the tool call {next(iter(pending))!r} has no tool message before this {role} message",
                            param=where, code="missing_tool_message")
        if role == "user":
            first_user = text if first_user is None else first_user
            items.append(_Item(chat.user, clean_environment_text(text, terminators[chat.user[0]]), where))
            grouped.append(items[-1])
        elif role == "assistant":
            for line in text.split("\n"):
                if line.strip():
                    items.append(_Item(chat.assistant, line, where))
                    grouped.append(items[-1])
            calls = m.get("tool_calls") or []
            if calls and chat.tool_calls is None:
                raise ChatError(f"{where}: this spec's conversations have no tool calls ([chat] names no tool_calls step)", param=f"{where}.tool_calls")
            if not isinstance(calls, list):
                raise ChatError(f"{where}.tool_calls must be a list", param=f"{where}.tool_calls")
            for j, call in enumerate(calls):
                cw = f"{where}.tool_calls[{j}]"
                fn = call.get("function") if isinstance(call, Mapping) else None
                if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str) or not isinstance(call.get("id"), str):
                    raise ChatError(f"{cw} must be {{'id': ..., 'type': 'function', 'function': {{'name': ..., 'arguments': '<JSON>'}}}}", param=cw)
                if fn["name"] not in known_tools:
                    raise ChatError(f"{cw}: tool {fn['name']!r} is not one of this spec's tools ({', '.join(sorted(known_tools)) or 'none'})",
                                    param=f"{cw}.function.name", code="unknown_tool")
                raw = fn.get("arguments", "{}")
                try:
                    arguments = json.loads(raw) if isinstance(raw, str) else raw
                except ValueError as exc:
                    raise ChatError(f"{cw}.function.arguments is not JSON: {exc}", param=f"{cw}.function.arguments") from None
                content = call_content(fn["name"], arguments)
                assert chat.tool_calls is not None
                if compiled.letter_for(chat.tool_calls, content) is None:
                    raise ChatError(f"{cw}: the arguments of {fn['name']!r} break its schema: {raw if isinstance(raw, str) else json.dumps(raw)}",
                                    param=f"{cw}.function.arguments", code="invalid_arguments")
                pending[call["id"]] = (content, cw)
                grouped.append(_Item((chat.tool_calls,), content, cw))
        else:  # tool
            call_id = m.get("tool_call_id")
            if call_id not in pending:
                raise ChatError(f"{where}: tool_call_id {call_id!r} answers no tool call of the assistant message before it",
                                param=f"{where}.tool_call_id", code="unknown_tool_call")
            content, cw = pending.pop(call_id)
            assert chat.tool_calls is not None
            items.append(_Item((chat.tool_calls,), content, cw))
            items.append(_Item(chat.tool, clean_environment_text(text, terminators[chat.tool[0]]), where))
            grouped.append(items[-1])
    if pending:
        raise ChatError(f"the tool call {next(iter(pending))!r} has no tool message: send each call's result before asking for the next turn",
                        param="messages", code="missing_tool_message")
    if first_user is None:
        raise ChatError("the conversation has no user message", param="messages")
    try:
        steps, state = _read(compiled, items)
    except ChatError:
        if grouped == items:
            raise
        try:  # a spec that lets several calls come before their results (parallel calls)
            steps, state = _read(compiled, grouped)
        except ChatError:
            raise _refusal(compiled, items) from None
    conv = Conversation("\n\n".join(s for s in system if s.strip()), first_user, steps,
                        "".join(compiled.step_info(s).tag + c + compiled.step_info(s).terminator for s, c in steps), state)
    return conv


def _read(compiled: CompiledSpec, items: list[_Item]) -> tuple[list[tuple[str, str]], int]:
    """The reading of ``items`` that stays valid to the end with the model to write next."""
    dead_ends: set[tuple[int, int]] = set()
    chosen: list[str] = []

    def model_writes(q: int) -> bool:
        return bool(compiled.enabled_steps(q, environment=False))

    def search(k: int, q: int) -> int | None:
        if k == len(items):
            return q if model_writes(q) else None
        if (k, q) in dead_ends:
            return None
        for step in items[k].steps:
            letter = compiled.letter_for(step, items[k].content)
            nxt = compiled.next_state(q, letter) if letter is not None else DEAD
            if nxt == DEAD:
                continue
            chosen.append(step)
            end = search(k + 1, nxt)
            if end is not None:
                return end
            chosen.pop()
        dead_ends.add((k, q))
        return None

    end = search(0, compiled.dfa.initial)
    if end is not None:
        return [(s, it.content) for s, it in zip(chosen, items, strict=True)], end
    raise _refusal(compiled, items)


def _refusal(compiled: CompiledSpec, items: list[_Item]) -> ChatError:
    """Why no reading works: the first step that breaks the spec in the plainest reading (each
    line the first step it may be), or, if the whole history is valid, that the model has
    nothing to write after it."""
    q = compiled.dfa.initial
    text = ""
    for k, it in enumerate(items):
        fits = [s for s in it.steps if compiled.letter_for(s, it.content) is not None]
        alive = [s for s in fits if compiled.next_state(q, compiled.letter_for(s, it.content)) != DEAD]  # type: ignore[arg-type]
        step = (alive or fits or list(it.steps))[0]
        info = compiled.step_info(step)
        text += info.tag + it.content + info.terminator
        letter = compiled.letter_for(step, it.content)
        nxt = compiled.next_state(q, letter) if letter is not None else DEAD
        if nxt == DEAD:
            verdict = compiled.check_text(text)
            f = next((v for v in verdict.violations if v.code != "unfinished"), verdict.violations[0] if verdict.violations else None)
            finding = {"code": f.code, "message": f.message, "step": step, "message_index": it.where,
                       "rules": [{"rule": r, "why": w} for r, w in f.rules]} if f else {"step": step, "message_index": it.where}
            why = "; ".join(f"{r}: {w}" if w else r for r, w in (f.rules if f else ())) or (f.message if f else "")
            return ChatError(f"{it.where} breaks spec {compiled.name!r}: {f.message if f else 'not allowed'}" + (f" ({why})" if why and f and f.rules else ""),
                             param=it.where.split(".")[0], code="spec_violation", finding=finding)
        q = nxt
    if compiled.is_accepting(q) and not compiled.enabled_steps(q):
        return ChatError(f"the conversation is finished under spec {compiled.name!r}: no step may follow it", param="messages", code="conversation_finished")
    waiting = ", ".join(s.name for s in compiled.enabled_steps(q, environment=True))
    return ChatError(f"the conversation waits for a {waiting or 'different'} message, not for the assistant", param="messages",
                     code="not_the_assistants_turn")


@dataclass
class Reply:
    """The model's turn as an assistant message."""

    content: str | None
    tool_calls: list[dict[str, Any]]

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"

    def message(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            out["tool_calls"] = self.tool_calls
        return out


def reply(chat: Chat, steps: Sequence[tuple[str, str]], trace_before: str) -> Reply:
    """The steps the model wrote this turn (``(step, content)``) as an assistant message. A
    call's id is derived from the trace, so it is the same whichever replica answers."""
    lines: list[str] = []
    calls: list[dict[str, Any]] = []
    for step, content in steps:
        if step == chat.tool_calls:
            call = json.loads(content)
            digest = hashlib.sha1((trace_before + "\x00" + str(len(calls)) + content).encode("utf-8")).hexdigest()[:24]
            calls.append({"id": f"call_{digest}", "type": "function",
                          "function": {"name": call["name"], "arguments": json.dumps(call["arguments"], ensure_ascii=False)}})
        elif step in chat.assistant:
            lines.append(content)
    return Reply("\n".join(lines) if lines else None, calls)


def visible_text(compiled: CompiledSpec, chat: Chat, turn: str) -> str:
    """The assistant text a partly written turn shows so far (for streaming): the content of
    each line that is an assistant step, lines joined by line breaks; a line whose tag is not
    yet certain, and calls, show nothing. On a finished turn it equals :func:`reply`'s content."""
    tags = compiled.steps_by_tag()
    shown: list[str] = []
    lines = turn.split("\n")
    for n, line in enumerate(lines):
        complete = n < len(lines) - 1
        step = next((s for s in tags if line.startswith(s.tag)), None)
        if step is None:
            continue
        longer = any(len(s.tag) > len(line) and s.tag.startswith(line) for s in tags)
        if not complete and longer:
            continue
        if step.name in chat.assistant:
            shown.append(line[len(step.tag):])
    return "\n".join(shown)


def spec_with_tools(spec: Spec, tools: Sequence[Mapping[str, Any]]) -> SpecBuilder:
    """For ``[chat] tools = "request"``: the spec with a request's tools (``.build()`` it, or
    ``.to_toml()`` for a file). A tool the spec declares (for its rules and policies) takes the
    request's description and schema; one the request does not offer stays declared but is
    never called (a rule says so)."""

    offered = {t["name"] for t in tools}
    b = SpecBuilder.from_toml(spec.source, spec.path)
    kept = [{"name": t.name, "description": t.description, "parameters": dict(t.parameters)} for t in spec.tools if t.name not in offered]
    b.replace("tools", [*tools, *kept])
    if kept:  # and the examples that call them go (they would break that rule)
        hidden = tuple(f'"name": "{t["name"]}"' for t in kept)
        b.replace("examples", [{"name": e.name, "text": e.text, "valid": e.valid} for e in spec.examples if not any(h in e.text for h in hidden)])
        b.rule("tools_offered_by_the_request", " & ".join(f"G !call.{t['name']}" for t in kept),
               why="A tool the request does not offer is never called.")
    return b


def request_tools(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request's ``tools`` as spec tool tables (name, description, parameters)."""
    raw = body.get("tools") or []
    if not isinstance(raw, list):
        raise ChatError("'tools' must be a list", param="tools")
    out = []
    for i, t in enumerate(raw):
        fn = t.get("function") if isinstance(t, Mapping) else None
        if not isinstance(t, Mapping) or t.get("type", "function") != "function" or not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            raise ChatError(f"tools[{i}] must be {{'type': 'function', 'function': {{'name': ..., 'parameters': {{...}}}}}}", param=f"tools[{i}]")
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        if not isinstance(params, Mapping):
            raise ChatError(f"tools[{i}].function.parameters must be a JSON Schema object", param=f"tools[{i}].function.parameters")
        out.append({"name": fn["name"], "description": str(fn.get("description") or ""), "parameters": dict(params)})
    names = [t["name"] for t in out]
    if len(set(names)) != len(names):
        raise ChatError("tools: a tool name appears twice", param="tools")
    return out


def instructions(compiled: CompiledSpec, tools: Sequence[Mapping[str, Any]] | None, system: str) -> str:
    """The prompt's instructions: the client's system text, then the spec's, as ltlagent's own
    loop writes them (``runtime.build_prompt``: description, step tags, tools, valid examples);
    ``tools`` from a request are listed with their arguments instead of the spec's."""
    from ltlagent.agents.runtime import build_prompt

    text = build_prompt(compiled)
    if tools is not None:
        listed = "Tools:\n" + "\n".join(f"- {t['name']}: {t['description']} Arguments: {json.dumps(t['parameters'].get('properties') or {}, ensure_ascii=False)}"
                                        for t in tools)
        own = "Tools:\n" + "\n".join(f"- {t.name}: {t.description}" for t in compiled.tools)
        text = text.replace(own, listed, 1) if compiled.tools else text
    return (system.strip() + "\n\n" + text) if system.strip() else text
