"""Traces: what a run wrote, as JSONL, and reading it back.

A trace file holds one or more traces. Each starts with a header line (a JSON object with
``"spec"`` and no ``"step"``), followed by one line per step (``{"step": NAME, "text": ...}``
plus the runtime's counters). ``Trace.to_jsonl`` writes one; :func:`read_jsonl` reads a file's
lines into :class:`JsonlTrace` records, raising :class:`TraceFormatError` with the line of the
first problem; ``Trace.from_jsonl`` and :func:`read_traces` make :class:`Trace` objects of them;
``Trace.check`` replays one against its spec exactly as ``ltlagent check`` does.

Imports neither torch nor the decoders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ltlagent.errors import TraceFormatError

if TYPE_CHECKING:
    from ltlagent.compiler.compiled import CompiledSpec, Verdict


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


@dataclass(frozen=True)
class JsonlTrace:
    """One trace as a file holds it: the header, and each step line with its line number."""

    header: Mapping[str, Any]
    steps: tuple[tuple[int, Mapping[str, Any]], ...]
    line: int  # where the trace starts


_HEAD_FIELDS = ("input", "ok", "status", "budget_forced", "capped_turns", "constrained", "model_tokens", "prefill_tokens",
                "forward_passes", "fast_forward_tokens", "passes_saved", "seconds", "calls", "violations")


@dataclass
class Trace:
    """A run: its steps, the verdict and counters. ``to_jsonl()`` writes what ``ltlagent check``
    replays; ``Trace.from_jsonl(text)`` reads it back."""

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
    forward_passes: int = 0  # model calls for the model's tokens (fast-forward writes several in one)
    fast_forward_tokens: int = 0  # model tokens written by fast-forward rather than sampled
    passes_saved: int = 0  # forward passes fast-forward saved
    seconds: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""

    def to_jsonl(self) -> str:
        head: dict[str, Any] = {"spec": self.spec_path, "name": f"{self.spec}: {self.input[:60]}", "spec_name": self.spec}
        head.update({k: getattr(self, k) for k in _HEAD_FIELDS})
        head["seconds"] = round(self.seconds, 3)
        lines = [json.dumps(head, ensure_ascii=False, default=str)]
        lines += [json.dumps(asdict(s), ensure_ascii=False) for s in self.steps]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_jsonl(cls, text: str) -> Trace:
        """The one trace ``text`` holds (what :meth:`to_jsonl` wrote); :class:`TraceFormatError`
        if it holds none or several (:func:`read_traces` reads several)."""
        traces = read_traces(text)
        if len(traces) != 1:
            raise TraceFormatError(f"the text holds {len(traces)} traces, not one; read them with ltlagent.read_traces")
        return traces[0]

    def transcript(self, compiled: CompiledSpec) -> str:
        """The steps as the text the model and environment wrote (tags and terminators)."""
        info = {s.name: s for s in compiled.steps}
        return "".join(info[s.step].tag + s.text + info[s.step].terminator for s in self.steps)

    def check(self, compiled: CompiledSpec | None = None) -> Verdict:
        """Replay the steps against ``compiled`` (default: the spec the header names), as
        ``ltlagent check`` does."""
        if compiled is None:
            from ltlagent.compiler.compile import compile_spec
            from ltlagent.compiler.spec import load_spec

            compiled = compile_spec(load_spec(self.spec_path))
        unknown = sorted({s.step for s in self.steps} - {s.name for s in compiled.steps})
        if unknown:
            raise TraceFormatError(f"steps {', '.join(unknown)} are not steps of spec {compiled.name!r}", code="unknown-step")
        return compiled.check_text(self.transcript(compiled))


def read_traces(text: str) -> list[Trace]:
    """Every trace of a JSONL trace file's text."""
    out = []
    step_fields = {f.name for f in fields(TraceStep)}
    for record in read_jsonl(text):
        head = dict(record.header)
        spec_path = str(head.get("spec", ""))
        trace = Trace(str(head.get("spec_name") or head.get("name") or spec_path), spec_path, str(head.get("input", "")))
        for k in _HEAD_FIELDS:
            if k in head:
                setattr(trace, k, head[k])
        for n, (_, obj) in enumerate(record.steps):
            values = {k: v for k, v in obj.items() if k in step_fields}
            values.setdefault("index", n)
            values.setdefault("letter", None)
            values.setdefault("source", "")
            values.setdefault("tokens", 0)
            values.setdefault("seconds", 0.0)
            trace.steps.append(TraceStep(**values))
        out.append(trace)
    return out


def read_jsonl(text: str) -> list[JsonlTrace]:
    """The traces of a JSONL trace file; :class:`TraceFormatError` at the first line that is no
    JSON object, no header and no step, or that marks a run which never finished."""
    traces: list[JsonlTrace] = []
    header: dict[str, Any] = {}
    steps: list[tuple[int, Mapping[str, Any]]] = []
    start = 1
    # JSON lines end at "\n" only: U+2028 or U+0085 inside a JSON string is text, not a line end.
    for lineno, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except RecursionError:
            raise TraceFormatError("not a JSON line: nested too deeply", lineno) from None
        except ValueError as exc:
            raise TraceFormatError(f"not a JSON line: {exc}", lineno, getattr(exc, "colno", 1)) from None
        if not isinstance(obj, dict):
            raise TraceFormatError("each line must be a JSON object", lineno)
        if obj.get("incomplete") is True and "step" not in obj:
            raise TraceFormatError("the run that wrote this trace did not finish (it was stopped or failed): it is no evidence either way",
                                   lineno, code="incomplete-trace")
        if "spec" in obj and "step" not in obj:  # a header starts a new trace
            if steps or header:
                traces.append(JsonlTrace(header, tuple(steps), start))
            header, steps, start = obj, [], lineno
            continue
        if not isinstance(obj.get("step"), str) or not isinstance(obj.get("text"), str):
            raise TraceFormatError('a step line needs "step" and "text" strings, e.g. {"step": "thought", "text": "..."}', lineno)
        steps.append((lineno, obj))
    if steps or header:
        traces.append(JsonlTrace(header, tuple(steps), start))
    if not traces:
        raise TraceFormatError("the file holds no trace: a trace is a header line {\"spec\": \"PATH\"} and one line per step")
    return traces
