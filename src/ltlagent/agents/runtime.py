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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ltlagent.agents.tools import Tool, as_registry, call_tool, truncate, valid_text
from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compile import compile_spec
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Source, Spec, load_spec
from ltlagent.decoders.guide import ENVIRONMENT, RUNNING
from ltlagent.decoders.index import TokenIndex, build_token_index
from ltlagent.errors import AgentError

NEWLINE_MARK = " ⏎ "


@dataclass(frozen=True)
class TraceStep:
    index: int
    step: str
    letter: str | None
    source: str
    text: str
    tokens: int
    seconds: float
    automaton_state: int = -1  # after this step


@dataclass
class Trace:
    """A run: its steps, the verdict and counters. ``to_jsonl()`` writes what ``ltlagent check`` replays."""

    spec: str
    spec_path: str
    input: str
    steps: list[TraceStep] = field(default_factory=list)
    ok: bool = False
    violations: list[str] = field(default_factory=list)
    status: str = ""
    budget_forced: bool = False
    capped_turns: int = 0  # unconstrained turns cut at max_new_tokens
    constrained: bool = True
    model_tokens: int = 0
    prefill_tokens: int = 0
    seconds: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""

    def to_jsonl(self) -> str:
        head = {
            "spec": self.spec_path,
            "name": f"{self.spec}: {self.input[:60]}",
            "input": self.input,
            "ok": self.ok,
            "status": self.status,
            "budget_forced": self.budget_forced,
            "capped_turns": self.capped_turns,
            "constrained": self.constrained,
            "model_tokens": self.model_tokens,
            "prefill_tokens": self.prefill_tokens,
            "seconds": round(self.seconds, 3),
        }
        lines = [json.dumps(head, ensure_ascii=False)]
        lines += [json.dumps(asdict(s), ensure_ascii=False) for s in self.steps]
        return "\n".join(lines) + "\n"


def clean_environment_text(text: str, terminator: str) -> str:
    """Make tool output safe to append: no terminator (so it cannot end the step early or
    start a forged step such as ``\\nFinal Answer:``), no NUL, no stray carriage returns."""
    text = valid_text(text).replace("\x00", "")
    if "\n" in terminator:
        text = re.sub(r"\r\n|\r|\n", NEWLINE_MARK, text)
    return text.replace(terminator, NEWLINE_MARK)


def build_prompt(spec: Spec | None, compiled: CompiledSpec, tools: Mapping[str, Tool], instructions: str | None = None) -> str:
    """Instructions from the spec: description, the step tags, the tools, the examples."""
    lines = [instructions or f"{compiled.description}".strip()]
    lines.append("Write one step per line, each starting with its tag: " + ", ".join(repr(s.tag.strip()) for s in compiled.steps) + ".")
    if tools:
        lines.append("Tools:")
        lines += [f"- {t.name}: {t.description}" for t in tools.values()]
    if spec is not None:
        for ex in spec.examples:
            if ex.valid:
                lines.append("")
                lines.append(ex.text.strip())
    return "\n".join(lines).strip() + "\n\n"


def chat_prompt(tokenizer: Any, prompt: str, input: str) -> str:
    """With a chat model, the spec's instructions become the system message and the input the
    user message; the trace is then written as the assistant's reply. Plain text otherwise."""
    if not getattr(tokenizer, "chat_template", None):
        return prompt
    messages = [{"role": "system", "content": prompt.strip()}, {"role": "user", "content": input}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def _resolve(spec: Spec | CompiledSpec | str | Path) -> tuple[Spec | None, CompiledSpec]:
    if isinstance(spec, CompiledSpec):
        return None, spec
    parsed = spec if isinstance(spec, Spec) else load_spec(spec)
    compiled = compile_spec(parsed)
    if compiled.errors:
        raise AgentError(f"spec {parsed.name!r} has errors: " + "; ".join(d.message for d in compiled.errors))
    return parsed, compiled


def run(
    spec: Spec | CompiledSpec | str | Path,
    model: Any,
    tokenizer: Any,
    tools: Iterable[Tool] | Mapping[str, Tool] | None = None,
    input: str = "",
    *,
    index: TokenIndex | None = None,
    max_steps: int | None = None,
    max_step_tokens: int | None = 128,
    max_new_tokens: int = 1024,
    temperature: float = 0.0,
    seed: int = 0,
    device: str = "auto",
    instructions: str | None = None,
    environment: Mapping[str, Callable[[str], str]] | None = None,
    on_input: Callable[[str, str], str] | None = None,
    on_step: Callable[[TraceStep], None] | None = None,
    constrained: bool = True,
) -> Trace:
    """Run one episode; see the module doc. ``environment`` maps an environment step name to
    a handler (the trace text so far → the step's content) for steps that are not tool
    results; ``on_input(step, trace_text)`` answers input steps after the first (default "no")."""
    import torch

    from ltlagent.decoders.hf import SpecDecoder

    parsed, compiled = _resolve(spec)
    registry = as_registry(tools)
    declared = {x.tool for x in compiled.letters if x.tool}
    missing = sorted(declared - set(registry))
    if missing:
        raise AgentError(f"spec {compiled.name!r} calls tools that were not given: {', '.join(missing)}")
    index = index or build_token_index(compiled, tokenizer)
    dec = SpecDecoder(model, tokenizer, index, device=device, max_step_tokens=max_step_tokens, max_steps=max_steps)
    dec.start(chat_prompt(tokenizer, build_prompt(parsed, compiled, registry, instructions), input))
    generator = torch.Generator(device=dec.device).manual_seed(seed)
    trace = Trace(compiled.name, compiled.path, input, constrained=constrained)
    if not constrained:
        return _run_unconstrained(dec, compiled, registry, input, trace, generator, temperature, max_new_tokens, max_steps, environment, on_input, on_step)
    infos = {s.name: s for s in compiled.steps}
    t_start = time.perf_counter()
    first_input = True
    executed_upto = 0  # characters of trace text whose tool calls have run
    recorded = 0
    stopped = None
    while True:
        guide = dec.guide
        if max_steps is not None and guide.steps_done > 2 * max_steps:
            # Only the environment can keep a run going past its step budget (the model is
            # steered to finish): a tool that never gives the answer the spec waits for.
            stopped = f"stopped after {guide.steps_done} steps: the environment kept the run going past twice --max-steps ({max_steps})"
            break
        if guide.status == ENVIRONMENT:
            step = guide.waiting_for or ""
            t0 = time.perf_counter()
            if infos[step].source == Source.INPUT and first_input:
                content = input
                first_input = False
            elif infos[step].source == Source.INPUT:
                content = (on_input or (lambda s, t: "no"))(step, guide.text)
            else:
                content = _environment_answer(compiled, registry, guide.text, executed_upto, step, environment, trace)
            executed_upto = len(guide.text)
            before = dec.prefill_tokens
            dec.feed_environment(clean_environment_text(content, infos[step].terminator))
            recorded = _record(trace, compiled, guide.text, recorded, on_step, tokens=dec.prefill_tokens - before, seconds=time.perf_counter() - t0)
            executed_upto = len(guide.text)
            continue
        if guide.status != RUNNING:
            break
        t0 = time.perf_counter()
        turn = dec.generate(max_new_tokens, temperature=temperature, generator=generator if temperature > 0 else None)
        trace.model_tokens += len(turn.tokens)
        recorded = _record(trace, compiled, guide.text, recorded, on_step, tokens=len(turn.tokens), seconds=time.perf_counter() - t0, partial_tail=turn.status == ENVIRONMENT)
        if turn.status == RUNNING:  # max_new_tokens reached mid-turn: finish the shortest way
            guide.max_tokens = 0
            trace.budget_forced = True
    verdict = compiled.check_text(dec.guide.text)
    trace.text = dec.guide.text
    trace.ok = verdict.ok and dec.guide.is_finished
    trace.violations = [v.render() for v in verdict.violations] + ([dec.guide.error] if dec.guide.error else []) + ([stopped] if stopped else [])
    trace.status = dec.guide.status
    trace.budget_forced = trace.budget_forced or dec.guide.budget_forced
    trace.prefill_tokens = dec.prefill_tokens
    trace.seconds = time.perf_counter() - t_start
    return trace


def _record(trace: Trace, compiled: CompiledSpec, text: str, recorded: int, on_step, *, tokens: int, seconds: float, partial_tail: bool = False) -> int:  # type: ignore[no-untyped-def]
    """Append the steps completed since the last call; split the turn's tokens and time over them."""
    steps = compiled.check_text(text).steps
    complete = [s for s in steps if s.letter is not None or not partial_tail]
    if partial_tail and steps and steps[-1].text == "":
        complete = steps[:-1]  # the environment tag the model just wrote; its step comes next
    new = complete[recorded:]
    sources = {s.name: s.source for s in compiled.steps}
    state = compiled.dfa.initial
    for s in complete[:recorded]:
        state = compiled.next_state(state, compiled.letter(s.letter)) if s.letter is not None else DEAD
    for s in new:
        share = 1 / len(new)
        state = compiled.next_state(state, compiled.letter(s.letter)) if s.letter is not None else DEAD
        item = TraceStep(s.index, s.step, s.letter, sources[s.step], s.text, round(tokens * share), round(seconds * share, 4), state)
        trace.steps.append(item)
        if on_step is not None:
            on_step(item)
    return recorded + len(new)


def _environment_answer(compiled, registry, text, executed_upto, step, handlers, trace) -> str:  # type: ignore[no-untyped-def]
    """Run the tool calls written since the last environment step; else a handler; else ""."""
    pieces, _ = compiled.split(text)
    calls = []
    for _, name, content, start in pieces:
        if start < executed_upto:
            continue
        letter = compiled.letter_for(name, content)
        if letter is not None and letter.tool:
            calls.append((letter, content))
    if calls:
        results = []
        for letter, content in calls:
            args = _arguments(letter, content, registry[letter.tool])
            out, ok = call_tool(registry[letter.tool], args)
            trace.calls.append({"tool": letter.tool, "arguments": args, "ok": ok, "result": truncate(out, 200)})
            results.append(out)
        return " | ".join(results)
    if handlers and step in handlers:
        try:
            return str(handlers[step](text))
        except Exception as exc:  # noqa: BLE001 - a handler's failure is an observation
            return f"ERROR: {type(exc).__name__}: {exc}"
    return ""


def _arguments(letter, content: str, t: Tool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if letter.content.style == "json":
        return dict(json.loads(content)["arguments"])
    inner = content[len(letter.tool) + 1 : -1]
    return {t.argument or "argument": inner}


def _run_unconstrained(dec, compiled, registry, input, trace, generator, temperature, max_new_tokens, max_steps, handlers, on_input, on_step) -> Trace:  # type: ignore[no-untyped-def]
    """The same prompt and tools without masks, for comparison: the model may break the spec.
    Turns end at EOS, at an environment tag at the start of a line, or at the token limit."""
    import torch

    t_start = time.perf_counter()
    infos = {s.name: s for s in compiled.steps}
    env_steps = sorted((s for s in compiled.steps if s.source != Source.MODEL), key=lambda s: -len(s.tag))
    q0 = compiled.dfa.initial  # the input step the spec starts with (e.g. User, not a later Reply)
    first = next((s for s in compiled.steps if s.source == Source.INPUT and any(
        compiled.dfa.delta[q0][x.index] != DEAD for x in compiled.letters if x.step == s.name)), None)
    text = ""
    if first is not None:
        text = first.tag + clean_environment_text(input, first.terminator) + first.terminator
        dec._feed(dec.tokenizer.encode(text, add_special_tokens=False))
    vocab = dec.index.vocab
    eos = set(vocab.eos_ids)
    executed_upto = len(text)
    recorded = 0
    steps_budget = max_steps or 64
    while len(compiled.split(text)[0]) < steps_budget:
        turn = bytearray()
        stop = None
        t0 = time.perf_counter()
        n = 0
        for _ in range(max_new_tokens):
            logits = dec._logits
            if temperature > 0:
                token = int(torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1, generator=generator).item())
            else:
                token = int(torch.argmax(logits, dim=-1).item())
            n += 1
            if token in eos:
                stop = "eos"
                break
            turn += vocab.tokens[token] or b""
            dec._step(token)
            written = (text + turn.decode("utf-8", errors="replace"))
            step = next((s for s in env_steps if written.endswith("\n" + s.tag) or written == s.tag), None)
            if step is not None:
                stop = step.name
                break
        trace.model_tokens += n
        text += turn.decode("utf-8", errors="replace")
        recorded = _record(trace, compiled, text, recorded, on_step, tokens=n, seconds=time.perf_counter() - t0, partial_tail=stop not in (None, "eos"))
        if stop is None:
            trace.capped_turns += 1
        if stop in (None, "eos"):
            break
        info = infos[stop]
        if info.source == Source.INPUT:
            content = (on_input or (lambda s, t: "no"))(stop, text)
        else:
            content = _environment_answer(compiled, registry, text, executed_upto, stop, handlers, trace) or "ERROR: no valid call to run"
        fed = clean_environment_text(content, info.terminator) + info.terminator
        before = dec.prefill_tokens
        dec._feed(dec.tokenizer.encode(fed, add_special_tokens=False))
        text += fed
        executed_upto = len(text)
        recorded = _record(trace, compiled, text, recorded, on_step, tokens=dec.prefill_tokens - before, seconds=0.0)
    verdict = compiled.check_text(text)
    trace.text = text
    trace.ok = verdict.ok
    trace.violations = [v.render() for v in verdict.violations]
    trace.status = "finished" if verdict.ok else "violated"
    trace.prefill_tokens = dec.prefill_tokens
    trace.seconds = time.perf_counter() - t_start
    return trace
