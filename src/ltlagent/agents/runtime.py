"""``run``: an agent whose every trace satisfies its spec, whatever the model prefers and
whatever the tools return.

The model writes under the spec's token masks (``decoders``); at an environment tag the
runtime executes the calls the model just wrote (or asks the user, or runs a handler),
cleans the text so it cannot forge steps, appends it as the environment step and goes on
with the same KV cache. The result is a :class:`Trace`, saved as JSONL for ``ltlagent check``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ltlagent.agents.tools import Tool, as_registry, call_tool, schema_mismatches, truncate, valid_text
from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compile import ensure_compiled
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Source, Spec
from ltlagent.decoders.guide import ENVIRONMENT, FINISHED, RUNNING, StepEvent
from ltlagent.decoders.index import TokenIndex, build_token_index
from ltlagent.errors import AgentError, SpecError
from ltlagent.traces import Trace, TraceStep

if TYPE_CHECKING:
    from ltlagent.decoders.hf import SpecDecoder, Turn

NEWLINE_MARK = " ⏎ "


def checked_registry(compiled: CompiledSpec, tools: Iterable[Tool] | Mapping[str, Tool] | None) -> dict[str, Tool]:
    """The tools by name, checked against the spec before anything runs: every tool the spec
    calls is given, and its schema in the spec fits the function (``tools.schema_mismatches``)."""
    registry = as_registry(tools)
    declared = {x.tool for x in compiled.letters if x.tool}
    missing = sorted(declared - set(registry))
    if missing:
        raise AgentError(f"spec {compiled.name!r} calls tools that were not given: {', '.join(missing)}")
    problems = [f"{t.name}: {p}" for t in compiled.tools if t.name in registry for p in schema_mismatches(registry[t.name], t.parameters)]
    if problems:
        raise AgentError(f"spec {compiled.name!r} declares tools that do not fit their functions: " + "; ".join(problems)
                         + ". Make the spec's [[tools]] parameters and the function's signature agree.")
    return registry


def clean_environment_text(text: str, terminator: str) -> str:
    """Make tool output safe to append: no terminator (so it cannot end the step early or
    start a forged step such as ``\\nFinal Answer:``), no NUL, no stray carriage returns."""
    text = valid_text(text).replace("\x00", "")
    if "\n" in terminator:
        text = re.sub(r"\r\n|\r|\n", NEWLINE_MARK, text)
    return text.replace(terminator, NEWLINE_MARK)


def build_prompt(compiled: CompiledSpec, instructions: str | None = None) -> str:
    """The spec's instructions: its description (or ``instructions``), the step tags, the
    tools it declares and its valid examples. The same text however the spec was passed (a
    path, a :class:`Spec` or a :class:`CompiledSpec`) and on every engine."""
    lines = [instructions or f"{compiled.description}".strip()]
    lines.append("Write one step per line, each starting with its tag: " + ", ".join(repr(s.tag.strip()) for s in compiled.steps) + ".")
    if compiled.tools:
        lines.append("Tools:")
        lines += [f"- {t.name}: {t.description}" for t in compiled.tools]
    for text in compiled.examples:
        lines.append("")
        lines.append(text.strip())
    return "\n".join(lines).strip() + "\n\n"


def chat_prompt(tokenizer: Any, prompt: str, input: str) -> str:
    """With a chat model, the spec's instructions become the system message and the input the
    user message; the trace is then written as the assistant's reply. Plain text otherwise."""
    if not getattr(tokenizer, "chat_template", None):
        return prompt
    messages = [{"role": "system", "content": prompt.strip()}, {"role": "user", "content": input}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def resolve_spec(spec: Spec | CompiledSpec | str | Path) -> CompiledSpec:
    """The compiled spec however it was passed (``compiler.compile.ensure_compiled``); a spec
    with errors is an :class:`AgentError` here."""
    try:
        return ensure_compiled(spec)
    except SpecError as exc:
        raise AgentError(exc.message) from None


@dataclass(frozen=True)
class RunConfig:
    """How one episode runs (``run(..., config=RunConfig(...))``, or the same names as keywords).

    ``max_steps`` bounds the trace (the guide steers to the fewest steps near it);
    ``max_step_tokens`` one step; ``max_new_tokens`` one model turn (then the turn takes the
    shortest way to its end). ``constrained=False`` runs the same prompt without masks.
    ``fast_forward=False`` samples forced text token by token (one forward pass each) instead of
    writing it in one pass (``decoders.fast_forward``)."""

    max_steps: int | None = None
    max_step_tokens: int | None = 128
    max_new_tokens: int = 1024
    temperature: float = 0.0
    seed: int = 0
    device: str = "auto"
    instructions: str | None = None
    constrained: bool = True
    fast_forward: bool = True


FREE_RUN_STEPS = 64  # an unconstrained run without max_steps stops after this many steps


def run(
    spec: Spec | CompiledSpec | str | Path,
    model: Any,
    tokenizer: Any,
    tools: Iterable[Tool] | Mapping[str, Tool] | None = None,
    input: str = "",
    *,
    config: RunConfig | None = None,
    index: TokenIndex | None = None,
    environment: Mapping[str, Callable[[str], str]] | None = None,
    on_input: Callable[[str, str], str] | None = None,
    on_step: Callable[[TraceStep], None] | None = None,
    **settings: Any,
) -> Trace:
    """Run one episode; see the module doc. ``settings`` override fields of ``config``
    (:class:`RunConfig`). ``environment`` maps an environment step name to a handler (the
    trace text so far → the step's content) for steps that are not tool results;
    ``on_input(step, trace_text)`` answers input steps after the first (default "no")."""
    import torch

    from ltlagent.decoders.hf import SpecDecoder

    cfg = replace(config or RunConfig(), **settings)
    compiled = resolve_spec(spec)
    registry = checked_registry(compiled, tools)
    index = index or build_token_index(compiled, tokenizer)
    dec = SpecDecoder(model, tokenizer, index, device=cfg.device, max_step_tokens=cfg.max_step_tokens, max_steps=cfg.max_steps,
                      fast_forward=cfg.fast_forward and cfg.constrained)
    dec.start(chat_prompt(tokenizer, build_prompt(compiled, cfg.instructions), input))
    budget = cfg.max_steps if cfg.max_steps is not None else (None if cfg.constrained else FREE_RUN_STEPS)
    session: _Session = _SpecSession(dec) if cfg.constrained else _FreeSession(dec, compiled, budget)
    sampler = torch.Generator(device=dec.device).manual_seed(cfg.seed) if cfg.temperature > 0 else None
    trace = Trace(compiled.name, compiled.path, input, constrained=cfg.constrained)
    t_start = time.perf_counter()
    first_input = True
    recorded = 0
    stopped = None
    # Both modes get the same step budget: the constrained model is steered to finish within
    # max_steps; an unconstrained run is stopped there (budget_forced). Only the environment can
    # keep a constrained run going past it (a tool that never gives the answer the spec waits
    # for): that run is stopped at twice the budget.
    step_cap = 2 * budget if budget is not None and cfg.constrained else budget
    turns = 0  # model turns: each writes at least one step, so they bound a run whose text stopped reading as steps
    while True:
        if step_cap is not None and session.status in (RUNNING, ENVIRONMENT) and (len(session.events) >= step_cap or turns >= step_cap):
            if cfg.constrained:
                stopped = f"stopped after {len(session.events)} steps: the environment kept the run going past twice --max-steps ({cfg.max_steps})"
            else:
                stopped = (f"stopped after {len(session.events)} steps: the step budget ({step_cap}) ran out" if len(session.events) >= step_cap
                           else f"stopped after {turns} model turns: the step budget ({step_cap}) ran out (the text stopped reading as steps after step {len(session.events)})")
                trace.budget_forced = True
            break
        if session.status == ENVIRONMENT:
            step = compiled.step_info(session.waiting_for or "")
            t0 = time.perf_counter()
            if step.source == Source.INPUT and first_input:
                content, first_input = input, False
            elif step.source == Source.INPUT:
                content = (on_input or (lambda s, t: "no"))(step.name, session.text)
            else:
                content = environment_answer(compiled, registry, session, step.name, environment, trace,
                                              nothing="" if cfg.constrained else "ERROR: no valid call to run")
            before = dec.prefill_tokens
            session.feed_environment(clean_environment_text(content, step.terminator))
            recorded = record_steps(trace, session.events, recorded, on_step, tokens=dec.prefill_tokens - before, seconds=time.perf_counter() - t0)
            continue
        if session.status != RUNNING:
            break
        t0 = time.perf_counter()
        turn = session.generate(cfg.max_new_tokens, cfg.temperature, sampler)
        turns += 1
        trace.model_tokens += len(turn.tokens)
        recorded = record_steps(trace, session.events, recorded, on_step, tokens=len(turn.tokens), seconds=time.perf_counter() - t0)
        if turn.status == RUNNING and cfg.constrained:  # max_new_tokens reached mid-turn: finish the shortest way
            dec.finish_turn()
            trace.budget_forced = True
        elif turn.status == RUNNING and not (step_cap is not None and len(session.events) >= step_cap):
            trace.capped_turns += 1
            break
    verdict = compiled.check_text(session.text)
    trace.text = session.text
    trace.ok = verdict.ok and (session.status == FINISHED or not cfg.constrained)
    trace.violations = [v.render() for v in verdict.violations] + ([session.error] if session.error else []) + ([stopped] if stopped else [])
    trace.status = session.status if cfg.constrained else ("finished" if verdict.ok else "violated")
    trace.budget_forced = trace.budget_forced or dec.guide.budget_forced
    trace.prefill_tokens = dec.prefill_tokens
    trace.forward_passes = dec.forward_passes
    trace.fast_forward_tokens = dec.fast_forward_tokens
    trace.passes_saved = dec.passes_saved
    trace.seconds = time.perf_counter() - t_start
    return trace


class _Session(Protocol):
    """What the agent loop drives: the constrained decoder, or the same model without masks."""

    status: str
    waiting_for: str | None
    error: str | None

    @property
    def events(self) -> Sequence[StepEvent]: ...

    @property
    def text(self) -> str: ...

    def generate(self, max_new_tokens: int, temperature: float, generator: Any) -> Turn: ...

    def feed_environment(self, content: str) -> None: ...


class _SpecSession:
    """The constrained run: the guide's step events are the trace."""

    def __init__(self, dec: SpecDecoder) -> None:
        self.dec = dec

    @property
    def status(self) -> str:
        return self.dec.guide.status

    @property
    def waiting_for(self) -> str | None:
        return self.dec.guide.waiting_for

    @property
    def error(self) -> str | None:
        return self.dec.guide.error

    @property
    def events(self) -> Sequence[StepEvent]:
        return self.dec.guide.events

    @property
    def text(self) -> str:
        return self.dec.guide.text

    def generate(self, max_new_tokens: int, temperature: float, generator: Any) -> Turn:
        return self.dec.generate(max_new_tokens, temperature=temperature, generator=generator)

    def feed_environment(self, content: str) -> None:
        self.dec.feed_environment(content)


class _FreeSession:
    """The same prompt and model without masks, for comparison: the model may break the spec.
    A turn ends at EOS, at an environment tag at the start of a line, or at the token limit.
    With no guide, its steps are read from the text as ``check_text`` reads it."""

    def __init__(self, dec: SpecDecoder, compiled: CompiledSpec, max_steps: int | None = None) -> None:
        self.dec, self.compiled, self.max_steps = dec, compiled, max_steps
        self.text = ""
        self.events: list[StepEvent] = []
        self.error: str | None = None
        self._env = [s for s in compiled.steps_by_tag() if s.source != Source.MODEL]
        first = next((s for s in compiled.enabled_steps(compiled.dfa.initial, environment=True) if s.source == Source.INPUT), None)
        self.status, self.waiting_for = (ENVIRONMENT, first.name) if first is not None else (RUNNING, None)
        self._tag_written: str | None = None  # the rest of an environment tag the model wrote (None: not written)

    def generate(self, max_new_tokens: int, temperature: float, generator: Any) -> Turn:
        from ltlagent.decoders.hf import Turn, sample

        eos = set(self.dec.index.eos_ids)
        tokens = self.dec.index.vocab.tokens
        turn = bytearray()
        ids: list[int] = []
        status = RUNNING
        for _ in range(max_new_tokens):
            token = sample(self.dec.logits(), temperature, generator)
            ids.append(token)
            if token in eos:
                status = FINISHED
                break
            turn += tokens[token] or b""
            written = self.text + turn.decode("utf-8", errors="replace")
            # An environment tag ends the turn, as a stop sequence would: written whole, or without its
            # trailing blanks (a token may join the blank to the next word); the environment adds the rest.
            step, rest = next(((s, s.tag[len(t):]) for s in self._env for t in dict.fromkeys((s.tag, s.tag.rstrip(" \t")))
                               if t and (written.endswith("\n" + t) or written == t)), (None, ""))
            if step is not None:
                status, self.waiting_for, self._tag_written = ENVIRONMENT, step.name, rest
                if (tokens[token] or b"x").strip(b" \t"):
                    self.dec.write(token)
                else:  # blanks ending the tag are read with the environment's answer, as the constrained decoder does
                    self.dec.hold((tokens[token] or b"").decode("utf-8"))
                break
            self.dec.write(token)
            if self.max_steps is not None and b"\n" in (tokens[token] or b"") and len(self.compiled.split(written)[0]) >= self.max_steps:
                break  # the step budget is spent (the run stops it)
        self.text += turn.decode("utf-8", errors="replace")
        self.status = status
        self._read(partial_tail=status == ENVIRONMENT and self._tag_written == "")
        return Turn(turn.decode("utf-8", errors="replace"), tuple(ids), status, self.waiting_for)

    def feed_environment(self, content: str) -> None:
        step = self.compiled.step_info(self.waiting_for or "")
        fed = (step.tag if self._tag_written is None else self._tag_written) + content + step.terminator
        self.dec.read(fed)
        self.text += fed
        self.status, self.waiting_for, self._tag_written = RUNNING, None, None
        self._read(partial_tail=False)

    def _read(self, *, partial_tail: bool) -> None:
        """Steps of the text so far (an environment tag just written is not a step yet)."""
        c = self.compiled
        pieces, _ = c.split(self.text)
        if partial_tail and pieces:
            pieces = pieces[:-1]
        q = self.events[-1].automaton_state if self.events else c.dfa.initial
        for line, name, content, _ in pieces[len(self.events) :]:
            letter = c.letter_for(name, content)
            q = c.next_state(q, letter) if letter is not None else DEAD
            self.events.append(StepEvent(len(self.events), line, name, letter.name if letter else None, Source(c.step_info(name).source), content, q))  # type: ignore[arg-type]


def record_steps(trace: Trace, events: Sequence[StepEvent], recorded: int, on_step, *, tokens: int, seconds: float) -> int:  # type: ignore[no-untyped-def]
    """Append the steps finished since the last call; split the turn's tokens and time over them."""
    new = events[recorded:]
    for e in new:
        item = TraceStep(e.index, e.step, e.letter, str(e.source), e.text, round(tokens / len(new)), round(seconds / len(new), 4), e.automaton_state)
        trace.steps.append(item)
        if on_step is not None:
            on_step(item)
    return recorded + len(new)


def environment_answer(compiled, registry, session, step, handlers, trace, *, nothing: str = "") -> str:  # type: ignore[no-untyped-def]
    """Run the tool calls the model wrote since the last environment step (from the steps the
    guide followed); else a handler; else ``nothing``. ``session`` has ``events`` and ``text``."""
    calls = []
    for e in reversed(session.events):
        if e.source != Source.MODEL:
            break
        letter = compiled.letter(e.letter) if e.letter else None
        if letter is not None and letter.tool:
            calls.append((letter, e.text))
    if calls:
        results = []
        for letter, content in reversed(calls):
            args = _arguments(letter, content, registry[letter.tool])
            out, ok = call_tool(registry[letter.tool], args)
            trace.calls.append({"tool": letter.tool, "arguments": args, "ok": ok, "result": truncate(out, 200)})
            results.append(out)
        return " | ".join(results)
    if handlers and step in handlers:
        try:
            return str(handlers[step](session.text))
        except Exception as exc:  # noqa: BLE001 - a handler's failure is an observation
            return f"ERROR: {type(exc).__name__}: {exc}"
    return nothing


def _arguments(letter, content: str, t: Tool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The call's arguments as the letter reads them; a bracket call's one argument goes to
    the parameter the tool names."""
    args = dict(letter.arguments(content) or {})
    if letter.content.style == "bracket":
        return {t.argument or "argument": next(iter(args.values()), "")}
    return args
