"""``ltlagent run``: load a local model, pick tools, stream the steps, write the trace."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
import math
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ltlagent.cli.report import passes, preparation_note, use_color
from ltlagent.agents.loading import load_tools
from ltlagent.decoders.models import load_with_threads as load_model  # light: torch loads on call
from ltlagent.errors import RunError, printable

MAX_INPUT_CHARS = 20_000
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")

class CtrlC:
    """Ctrl-C stops a run at once, or at the latest at its next step: Python drops a
    ``KeyboardInterrupt`` that lands while a finalizer runs (it prints "Exception ignored in"
    and goes on), so the handler also latches, and ``check`` raises again at each step."""

    def __init__(self) -> None:
        self.hit = False
        self._old: Any = None

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum: int, frame: Any) -> None:
        self.hit = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.hit:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


COLORS = ["36", "33", "32", "35", "34", "31", "1;36", "1;33", "1;32"]


def check_arguments(args: argparse.Namespace) -> None:
    """Reject bad flags before anything slow happens (the model loads in seconds to minutes)."""
    for flag in ("max_steps", "max_step_tokens", "max_turn_tokens"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise RunError(f"--{flag.replace('_', '-')} {value}: must be at least 1")
    if not (math.isfinite(args.temperature) and 0 <= args.temperature <= 100):
        raise RunError(f"--temperature {args.temperature}: must be a number from 0 (greedy) to 100")
    if not 0 <= args.seed <= 2**32 - 1:
        raise RunError(f"--seed {args.seed}: must be from 0 to {2**32 - 1}")
    if not _DEVICE.fullmatch(args.device):
        raise RunError(f"--device {args.device}: expected auto, cpu, cuda, cuda:N or mps")
    if args.device not in ("auto", "cpu"):  # a device this machine lacks is refused now, not after the model loads
        from ltlagent.decoders.hf import resolve_device
        from ltlagent.errors import ModelError

        try:
            resolve_device(args.device)
        except ModelError as exc:
            raise RunError(f"--{exc}") from None


def trace_path(args: argparse.Namespace, spec_path: str) -> Path:
    """Where the trace goes; its folder must exist and be writable before the run starts."""
    out = Path(args.trace or f"{Path(spec_path).stem}.trace.jsonl")
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise RunError(f"--trace {out}: is a directory")
    if not folder.is_dir():
        raise RunError(f"--trace {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise RunError(f"--trace {out}: the folder {folder} is not writable")
    return out


class TraceFile:
    """The trace file of one run: locked against a second run writing it, marked incomplete
    (a header with ``"incomplete": true``, which ``check`` rejects) until the run ends, then
    replaced atomically with the finished traces."""

    def __init__(self, path: Path, spec_name: str) -> None:
        self.path = path
        self.lock = path.with_name(path.name + ".lock")
        try:
            fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            owner = self.lock.read_text(errors="replace").strip()
            if owner.isdigit() and _alive(int(owner)):
                raise RunError(f"--trace {path}: another run (process {owner}) is writing it; pass another --trace") from None
            self.lock.unlink(missing_ok=True)  # left by a run that was killed
            fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        self.spec_name = spec_name
        self.write(self._marker())

    def _marker(self) -> str:
        return json.dumps({"spec": self.spec_name, "incomplete": True, "pid": os.getpid()}) + "\n"

    def begin(self, input_text: str) -> None:
        """A new episode: its header goes under the incomplete marker; :meth:`step` appends its
        steps as they happen. A run stopped by Ctrl-C or killed leaves exactly this (``check``
        calls it incomplete; the steps are there to read)."""
        head = {"spec": self.spec_name, "name": f"(unfinished) {input_text[:60]}", "input": input_text}
        self._append(json.dumps(head, ensure_ascii=False) + "\n")

    def step(self, step: Any) -> None:
        self._append(json.dumps(asdict(step), ensure_ascii=False) + "\n")

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)

    def write(self, text: str) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)

    def close(self) -> None:
        self.lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reply(args: argparse.Namespace, tags: dict[str, str]) -> Any:
    """How later input steps are answered: ``--reply``, else asked on a terminal, else "no"."""
    if args.reply is not None:
        return lambda step, text: args.reply
    if sys.stdin.isatty():
        def ask(step: str, text: str) -> str:
            try:
                return input(f"{tags[step]}")
            except EOFError:
                return "no"
        return ask
    notice = []

    def no(step: str, text: str) -> str:
        if not notice:
            notice.append(True)
            print(f"({step}: answered 'no' — not a terminal and no --reply given)", file=sys.stderr)
        return "no"
    return no


def run_command(args: argparse.Namespace) -> int:
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec

    check_arguments(args)
    t_prepare = time.perf_counter()
    spec = load_spec(args.spec)
    compiled = compile_spec(spec)
    prepared = time.perf_counter() - t_prepare
    if compiled.errors:
        for d in compiled.errors:
            print(d.render(spec.path), file=sys.stderr)
        raise RunError(f"spec {spec.name!r} does not compile cleanly; fix the errors above")
    inputs = _inputs(args)
    out = trace_path(args, spec.path)
    tools = load_tools(args.tools, {x.tool for x in compiled.letters if x.tool})
    if args.engine == "vllm" or args.server:
        return _run_on_engine(args, spec, compiled, tools, inputs, out)
    model, tokenizer = load_model(args.model, args.threads)
    _check_lengths(inputs, model, tokenizer)
    from ltlagent.decoders.index import build_token_index

    t0 = time.perf_counter()
    index = build_token_index(compiled, tokenizer)
    if note := preparation_note(prepared + time.perf_counter() - t0, f"spec {spec.name!r}"):
        print(note, file=sys.stderr)
    color = use_color(sys.stdout, args.color)
    palette = {s.name: COLORS[i % len(COLORS)] for i, s in enumerate(compiled.steps)}
    tags = {s.name: s.tag for s in compiled.steps}
    batch = len(inputs) > 1

    def show(step: Any) -> None:
        if batch:
            return
        line = printable(f"{tags[step.step]}{step.text}")  # tool output cannot drive the terminal
        print(f"\033[{palette[step.step]}m{line}\033[0m" if color else line, flush=True)

    reply = _reply(args, tags)
    trace_file = TraceFile(out, str(args.spec))
    try:
        with CtrlC() as ctrl_c:
            traces = _run_all(args, compiled, model, tokenizer, tools, inputs, index, show, reply, batch, trace_file, ctrl_c.check)
        trace_file.write("".join(t.to_jsonl() for t in traces))
    except KeyboardInterrupt:
        print(f"\nstopped: the steps so far are in {out}, marked incomplete", file=sys.stderr)
        raise
    finally:
        trace_file.close()
    print(f"trace written to {out}", file=sys.stderr)
    return 0 if all(t.ok for t in traces) else 1


def _run_on_engine(args, spec, compiled, tools, inputs, out) -> int:  # type: ignore[no-untyped-def]
    """``--engine vllm`` / ``--server URL``: every input an episode, all submitted together."""
    from ltlagent.agents.serving import ServerEngine, run_episodes
    from ltlagent.decoders.models import resolve_model

    if args.unconstrained:
        raise RunError("--unconstrained runs with the transformers engine only; drop --engine/--server")
    if args.engine == "vllm" and args.server:
        raise RunError("--engine vllm runs a model in this process; --server uses a running one: pass one of them")
    folder = resolve_model(args.model)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    if args.server:
        engine: Any = ServerEngine(args.server)
    else:
        try:
            from ltlagent.decoders.vllm import VllmEngine
        except ImportError as exc:
            raise RunError(f"--engine vllm needs vLLM in this environment ({exc}); docs/serving.md says how to install it") from None
        engine = VllmEngine(folder)
    tags = {s.name: s.tag for s in compiled.steps}
    show = None if len(inputs) > 1 else (lambda n, step: print(printable(f"{tags[step.step]}{step.text}"), flush=True))
    trace_file = TraceFile(out, str(args.spec))
    try:
        traces = run_episodes(args.spec, engine, tokenizer, tools, inputs, max_steps=args.max_steps, max_step_tokens=args.max_step_tokens,
                              max_new_tokens=args.max_turn_tokens, temperature=args.temperature, seed=args.seed, on_step=show,
                              on_input=_reply(args, tags))
        for t in traces:
            t.spec_path = str(args.spec)
        trace_file.write("".join(t.to_jsonl() for t in traces))
    finally:
        trace_file.close()
    ok = sum(t.ok for t in traces)
    print(f"{args.server or 'vllm'}: spec compliance {ok}/{len(traces)}, {sum(t.model_tokens for t in traces)} tokens, "
          f"{sum(len(t.steps) for t in traces) / len(traces):.1f} steps per episode", file=sys.stderr)
    for t in traces:
        for v in t.violations:
            print(printable(v, newlines=True))
    print(f"trace written to {out}", file=sys.stderr)
    return 0 if ok == len(traces) else 1


def _run_all(args, compiled, model, tokenizer, tools, inputs, index, show, reply, batch, trace_file, stopped) -> list[Any]:  # type: ignore[no-untyped-def]
    from ltlagent.agents.runtime import AgentError, run

    traces = []
    for i, text in enumerate(inputs, start=1):
        stopped()
        if batch:
            print(f"\r[{i}/{len(inputs)}] running...", end="", file=sys.stderr, flush=True)
        trace_file.begin(text)

        def on_step(step: Any) -> None:
            trace_file.step(step)  # what a stopped run leaves
            show(step)
            stopped()  # a Ctrl-C Python dropped stops the run here

        try:
            trace = run(
                compiled, model, tokenizer, tools, text, index=index, max_steps=args.max_steps, max_step_tokens=args.max_step_tokens,
                max_new_tokens=args.max_turn_tokens, temperature=args.temperature, seed=(args.seed + i - 1) % 2**32, device=args.device, on_step=on_step,
                constrained=not args.unconstrained, on_input=reply, fast_forward=args.fast_forward,
            )
        except AgentError as exc:
            raise RunError(str(exc)) from None
        trace.spec_path = str(args.spec)
        traces.append(trace)
        if not batch:
            verdict = "satisfies the spec" if trace.ok else "VIOLATES the spec"
            cut = f" (a turn was cut at --max-turn-tokens {args.max_turn_tokens})" if trace.capped_turns else ""
            print(f"-- {verdict}{' (the step budget forced the end)' if trace.budget_forced else ''}{cut}; {len(trace.steps)} steps, "
                  f"{trace.model_tokens} tokens in {trace.seconds:.1f} s, {len(trace.calls)} tool calls; {passes([trace], args.fast_forward)}")
            for v in trace.violations:
                print(printable(v, newlines=True))
    if batch:
        print(file=sys.stderr)
        ok = sum(t.ok for t in traces)
        tokens = sum(t.model_tokens for t in traces)
        seconds = sum(t.seconds for t in traces)
        mode = "unconstrained" if args.unconstrained else "constrained"
        print(f"{mode}: spec compliance {ok}/{len(traces)} ({100 * ok / len(traces):.0f}%), mean steps {sum(len(t.steps) for t in traces) / len(traces):.1f}, "
              f"{tokens / max(seconds, 1e-9):.1f} tokens/s, {sum(t.capped_turns for t in traces)} runs cut at --max-turn-tokens {args.max_turn_tokens}; "
              f"{passes(traces, args.fast_forward)}")
    return traces


def _check_lengths(inputs: list[str], model: Any, tokenizer: Any) -> None:
    """An input must leave the model room to answer: at most half its context window."""
    window = getattr(getattr(model, "config", None), "max_position_embeddings", None) or 2048
    for n, text in enumerate(inputs, start=1):
        tokens = len(tokenizer.encode(text, add_special_tokens=False))
        if tokens > window // 2:
            where = f"input {n}" if len(inputs) > 1 else "the input"
            raise RunError(f"{where} is {tokens:,} tokens; this model reads at most {window:,}, and the answer needs room: keep inputs under {window // 2:,} tokens")


def _inputs(args: argparse.Namespace) -> list[str]:
    from ltlagent.agents.tools import valid_text

    if args.input is not None:
        if valid_text(args.input) != args.input:  # the command line held bytes that are not UTF-8
            raise RunError("--input is not UTF-8 text; check the terminal's encoding (e.g. LANG=C.UTF-8)")
        return [_one_input(args.input, "--input")]
    path = Path(args.inputs)
    if not path.is_file():
        raise RunError(f"--inputs {path}: no such file")
    out = []
    try:
        lines = path.read_bytes().decode("utf-8-sig").split("\n")
    except UnicodeDecodeError as exc:
        raise RunError(f"--inputs {path}: not UTF-8 text ({exc.reason} at byte {exc.start + 1})") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise RunError(f"{path}:{n}: not a JSON line: {exc}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("input"), str):
            raise RunError(f'{path}:{n}: each line needs an "input" string, e.g. {{"input": "What is 2 + 2?"}}')
        out.append(_one_input(obj["input"], f"{path}:{n}"))
    if not out:
        raise RunError(f"--inputs {path}: no inputs")
    return out


def _one_input(text: str, where: str) -> str:
    if not text.strip():
        raise RunError(f"{where}: the input is empty; give the question or request")
    if len(text) > MAX_INPUT_CHARS:
        raise RunError(f"{where}: the input is {len(text):,} characters; at most {MAX_INPUT_CHARS:,}")
    return text
