"""``ltlagent run``: load a local model, pick tools, stream the steps, write the trace."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from ltlagent.cli.report import use_color
from ltlagent.errors import LtlagentError

COLORS = ["36", "33", "32", "35", "34", "31", "1;36", "1;33", "1;32"]


class RunError(LtlagentError):
    """The run cannot start (model, tools, spec or inputs); exit status 2."""


def load_model(name: str, threads: int | None = None) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``--model`` (``ltlagent.decoders.models``); sets torch's threads first."""
    from ltlagent.decoders.models import load_model as load, set_threads

    set_threads(threads)
    return load(name)


def load_tools(ref: str | None, needed: set[str]) -> list[Any]:
    from ltlagent.agents.demo_tools import react_tools, workspace_tools
    from ltlagent.agents.tools import Tool

    if ref is None:
        for candidate in (react_tools(), workspace_tools()):
            names = {t.name for t in candidate}
            if needed <= names:
                return [t for t in candidate if t.name in needed]
        if not needed:
            return []
        raise RunError(f"the spec calls {', '.join(sorted(needed))}; no demo tools provide them — pass --tools module:object")
    module_name, _, attr = ref.partition(":")
    if not attr:
        raise RunError(f"--tools {ref}: expected MODULE:OBJECT, e.g. mytools:TOOLS")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's module
        raise RunError(f"--tools {ref}: cannot import {module_name}: {exc}") from None
    if not hasattr(module, attr):
        raise RunError(f"--tools {ref}: module {module_name} has no {attr!r}")
    obj = getattr(module, attr)
    tools = obj() if callable(obj) and not isinstance(obj, Tool) else obj
    tools = list(tools.values()) if isinstance(tools, dict) else list(tools)
    if not all(isinstance(t, Tool) for t in tools):
        raise RunError(f"--tools {ref}: expected Tool objects (decorate functions with ltlagent.agents.tool)")
    return tools


def run_command(args: argparse.Namespace) -> int:
    from ltlagent.agents.runtime import AgentError, run
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec

    spec = load_spec(args.spec)
    compiled = compile_spec(spec)
    if compiled.errors:
        for d in compiled.errors:
            print(d.render(spec.path), file=sys.stderr)
        raise RunError(f"spec {spec.name!r} does not compile cleanly; fix the errors above")
    inputs = _inputs(args)
    tools = load_tools(args.tools, {x.tool for x in compiled.letters if x.tool})
    model, tokenizer = load_model(args.model, args.threads)
    from ltlagent.decoders.index import build_token_index

    t0 = time.perf_counter()
    index = build_token_index(compiled, tokenizer)
    print(f"token index: {index.num_states} states, {'from cache' if index.from_cache else 'built'} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    color = use_color(sys.stdout, args.color)
    palette = {s.name: COLORS[i % len(COLORS)] for i, s in enumerate(compiled.steps)}
    tags = {s.name: s.tag for s in compiled.steps}
    batch = len(inputs) > 1

    def show(step: Any) -> None:
        if batch:
            return
        line = f"{tags[step.step]}{step.text}"
        print(f"\033[{palette[step.step]}m{line}\033[0m" if color else line, flush=True)

    traces = []
    for i, text in enumerate(inputs, start=1):
        if batch:
            print(f"\r[{i}/{len(inputs)}] running...", end="", file=sys.stderr, flush=True)
        try:
            trace = run(
                compiled, model, tokenizer, tools, text, index=index, max_steps=args.max_steps, max_step_tokens=args.max_step_tokens,
                max_new_tokens=args.max_turn_tokens, temperature=args.temperature, seed=args.seed + i - 1, device=args.device, on_step=show,
                constrained=not args.unconstrained,
            )
        except AgentError as exc:
            raise RunError(str(exc)) from None
        trace.spec_path = str(args.spec)
        traces.append(trace)
        if not batch:
            verdict = "satisfies the spec" if trace.ok else "VIOLATES the spec"
            cut = f" (a turn was cut at --max-turn-tokens {args.max_turn_tokens})" if trace.capped_turns else ""
            print(f"-- {verdict}{' (the step budget forced the end)' if trace.budget_forced else ''}{cut}; {len(trace.steps)} steps, "
                  f"{trace.model_tokens} tokens in {trace.seconds:.1f} s, {len(trace.calls)} tool calls")
            for v in trace.violations:
                print(v)
    if batch:
        print(file=sys.stderr)
        ok = sum(t.ok for t in traces)
        tokens = sum(t.model_tokens for t in traces)
        seconds = sum(t.seconds for t in traces)
        mode = "unconstrained" if args.unconstrained else "constrained"
        print(f"{mode}: spec compliance {ok}/{len(traces)} ({100 * ok / len(traces):.0f}%), mean steps {sum(len(t.steps) for t in traces) / len(traces):.1f}, "
              f"{tokens / max(seconds, 1e-9):.1f} tokens/s, {sum(t.capped_turns for t in traces)} runs cut at --max-turn-tokens {args.max_turn_tokens}")
    out = Path(args.trace or f"{compiled.name}.trace.jsonl")
    out.write_text("".join(t.to_jsonl() for t in traces), encoding="utf-8")
    print(f"trace written to {out}", file=sys.stderr)
    return 0 if all(t.ok for t in traces) else 1


def _inputs(args: argparse.Namespace) -> list[str]:
    if args.input is not None:
        return [args.input]
    path = Path(args.inputs)
    if not path.is_file():
        raise RunError(f"--inputs {path}: no such file")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise RunError(f"{path}:{n}: not a JSON line: {exc}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("input"), str):
            raise RunError(f'{path}:{n}: each line needs an "input" string, e.g. {{"input": "What is 2 + 2?"}}')
        out.append(obj["input"])
    if not out:
        raise RunError(f"--inputs {path}: no inputs")
    return out
