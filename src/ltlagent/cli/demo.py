"""``ltlagent demo``: a real model (default) or the demo model, unconstrained then constrained, side by side."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ltlagent.decoders.models import DEMO_MODEL_DIR as DEMO_MODEL  # noqa: F401 - the shipped demo model's folder
from ltlagent.errors import printable


def _answer(trace: Any) -> str | None:
    """The trace's answer: its final-answer step, or (AIoT) the last response."""
    for names in (("final_answer", "answer"), ("llma",)):
        found = [s.text for s in trace.steps if s.step in names]
        if found:
            return found[-1].strip()
    return None


def demo_command(args: argparse.Namespace) -> int:
    from ltlagent.agents.demo_data import DEMO_SPECS, is_correct, question_set
    from ltlagent.agents.runtime import run
    from ltlagent.compiler.dot import to_dot
    from ltlagent.agents.loading import load_tools
    from ltlagent.cli.report import passes, preparation_note
    from ltlagent.decoders.models import load_with_threads as load_model
    from ltlagent.errors import RunError
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.index import build_token_index
    from ltlagent.decoders.models import describe

    if args.spec not in DEMO_SPECS:
        raise RunError(f"--spec {args.spec}: the demo's questions and tools cover {', '.join(DEMO_SPECS)}; "
                       "run other specs with: ltlagent run SPEC --input TEXT")
    if args.runs < 1:
        raise RunError(f"--runs {args.runs}: give at least 1 question per mode")
    if args.max_turn_tokens < 1:
        raise RunError(f"--max-turn-tokens {args.max_turn_tokens}: give at least 1")
    if args.device not in ("auto", "cpu"):
        from ltlagent.decoders.hf import resolve_device

        resolve_device(args.device)  # a device this machine lacks is refused (exit 2) before the model loads
    t_start = time.perf_counter()
    compiled = compile_spec(load_spec(args.spec))
    prepared = time.perf_counter() - t_start
    needed = {x.tool for x in compiled.letters if x.tool}
    model, tokenizer = load_model(args.model, args.threads)
    t0 = time.perf_counter()
    index = build_token_index(compiled, tokenizer)
    if note := preparation_note(prepared + time.perf_counter() - t0, f"spec {args.spec!r}"):
        print(note, file=sys.stderr)
    questions = question_set(args.spec, args.runs, seed=args.seed)
    how = "greedy" if args.temperature == 0 else f"temperature {args.temperature}"
    n = f"{len(questions)} question{'s' if len(questions) != 1 else ''}"
    print(f"{args.spec} with {describe(args.model)}: {n} that need the demo tools, {how}, "
          f"unconstrained then constrained", file=sys.stderr)
    rows = []
    example = broken = None
    for constrained in (False, True):
        mode = "constrained" if constrained else "unconstrained"
        traces = []
        t0 = time.perf_counter()
        for i, (question, _) in enumerate(questions, start=1):
            bar = "#" * (20 * i // len(questions))
            print(f"\r{mode:>13} [{bar:<20}] {i}/{len(questions)}", end="", file=sys.stderr, flush=True)
            tools = load_tools(None, needed)  # fresh demo tools each run (a new sandbox for tool calling)
            traces.append(
                run(compiled, model, tokenizer, tools, question, index=index, max_steps=args.max_steps, max_step_tokens=48,
                    max_new_tokens=args.max_turn_tokens, temperature=args.temperature, seed=args.seed + i, device=args.device,
                    constrained=constrained, on_input=lambda step, text: "yes", fast_forward=args.fast_forward)
            )
        print(file=sys.stderr)
        seconds = time.perf_counter() - t0
        correct = sum(is_correct(_answer(t), expected) for t, (_, expected) in zip(traces, questions, strict=True))
        tokens = sum(t.model_tokens for t in traces)
        rows.append((mode, 100 * sum(t.ok for t in traces) / len(traces), 100 * correct / len(traces),
                     sum(len(t.steps) for t in traces) / len(traces), tokens / max(seconds, 1e-9), seconds,
                     sum(t.capped_turns for t in traces), sum(t.forward_passes for t in traces) / len(traces)))
        if not constrained:
            broken = next((t for t in traces if not t.ok), None)
            plain = next((t for t in traces if t.ok), traces[0])
        else:
            summary = passes(traces, args.fast_forward)
            example = next((t for t, (_, expected) in zip(traces, questions, strict=True) if t.ok and is_correct(_answer(t), expected)), traces[0])
    print(f"\n{args.spec} with {describe(args.model)}, {n}, {how}")
    print(f"{'':<15}{'spec compliance':>17}{'correct answers':>17}{'mean steps':>12}{'tokens/s':>10}{'passes/run':>12}{'wall time':>11}")
    for mode, ok, correct, steps, tps, seconds, _, per_run in rows:
        print(f"{mode:<15}{ok:>16.0f}%{correct:>16.0f}%{steps:>12.1f}{tps:>10.1f}{per_run:>12.1f}{seconds:>10.1f}s")
    print(f"Constrained runs: {summary}.")
    capped = rows[0][6]
    print(f"Unconstrained turns end at an environment tag, EOS or {args.max_turn_tokens} tokens (--max-turn-tokens); "
          f"{capped} of {len(questions)} runs were cut there.")
    print("\nOne unconstrained trace that breaks the spec:" if broken is not None else "\nOne unconstrained trace (every one kept the spec this time):")
    _print_trace(broken if broken is not None else plain)
    if example is not None:
        print("\nOne constrained trace:")
        _print_trace(example)
    if args.dot:  # only where asked: the demo leaves nothing behind otherwise
        out = Path(args.dot)
        out.write_text(to_dot(compiled), encoding="utf-8")
        where = out
        if shutil.which("dot"):
            svg = out.with_suffix(".svg")
            if subprocess.run(["dot", "-Tsvg", str(out), "-o", str(svg)], check=False, capture_output=True).returncode == 0:
                where = svg
        print(f"\nThe spec's automaton is in {where.resolve()}")
    else:
        print(f"\nTo draw the spec's automaton: ltlagent demo --dot {compiled.name}-automaton.dot (or ltlagent compile {args.spec} --dot FILE)")
    print(f"Demo finished in {time.perf_counter() - t_start:.0f} s.", file=sys.stderr)
    return 0


def _print_trace(trace: Any, max_lines: int = 24, width: int = 200) -> None:
    """The trace as the model wrote it (text that is no step included), long lines cut."""
    lines = [printable(line) for line in trace.text.split("\n") if line.strip()]  # model text cannot drive the terminal
    for line in lines[:max_lines]:
        print(f"  {line if len(line) <= width else line[: width - 3] + '...'}")
    if len(lines) > max_lines:
        print(f"  ... ({len(lines) - max_lines} more lines)")
    print(f"  -- {'satisfies the spec' if trace.ok else 'violates the spec: ' + '; '.join(trace.violations[:1] or [trace.status])}")
