"""``ltlagent demo``: the shipped demo model, unconstrained then constrained, side by side."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEMO_MODEL = Path(__file__).resolve().parent.parent / "demo_model"


def demo_model_dir() -> Path:
    from ltlagent.cli.running import RunError

    if not (DEMO_MODEL / "config.json").is_file():
        raise RunError(f"the demo model is missing from {DEMO_MODEL}; build it with: python scripts/train_demo_model.py")
    return DEMO_MODEL


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
    from ltlagent.cli import to_dot
    from ltlagent.cli.running import RunError, load_model, load_tools
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.index import build_token_index

    if args.spec not in DEMO_SPECS:
        raise RunError(f"--spec {args.spec}: the demo model was trained for {', '.join(DEMO_SPECS)}; "
                       "run other specs with your own model: ltlagent run SPEC --model DIR")
    if args.runs < 1:
        raise RunError(f"--runs {args.runs}: give at least 1 question per mode")
    compiled = compile_spec(load_spec(args.spec))
    needed = {x.tool for x in compiled.letters if x.tool}
    model, tokenizer = load_model(str(demo_model_dir()))
    model = model.float()
    index = build_token_index(compiled, tokenizer)
    questions = question_set(args.spec, args.runs, seed=args.seed)
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
                    max_new_tokens=200, temperature=args.temperature, seed=args.seed + i, device=args.device, constrained=constrained,
                    on_input=lambda step, text: "yes")
            )
        print(file=sys.stderr)
        seconds = time.perf_counter() - t0
        correct = sum(is_correct(_answer(t), expected) for t, (_, expected) in zip(traces, questions, strict=True))
        tokens = sum(t.model_tokens for t in traces)
        rows.append((mode, 100 * sum(t.ok for t in traces) / len(traces), 100 * correct / len(traces),
                     sum(len(t.steps) for t in traces) / len(traces), tokens / max(seconds, 1e-9)))
        if not constrained:
            broken = next((t for t in traces if not t.ok), None)
        else:
            example = next((t for t, (_, expected) in zip(traces, questions, strict=True) if t.ok and is_correct(_answer(t), expected)), traces[0])
    print(f"\n{args.spec} with the demo model, {len(questions)} questions, temperature {args.temperature}")
    print(f"{'':<15}{'spec compliance':>17}{'correct answers':>17}{'mean steps':>12}{'tokens/s':>10}")
    for mode, ok, correct, steps, tps in rows:
        print(f"{mode:<15}{ok:>16.0f}%{correct:>16.0f}%{steps:>12.1f}{tps:>10.1f}")
    if broken is not None:
        print("\nOne unconstrained trace that breaks the spec:")
        _print_trace(compiled, broken)
    if example is not None:
        print("\nOne constrained trace:")
        _print_trace(compiled, example)
    dot = to_dot(compiled)
    out = Path(f"{compiled.name}-automaton.dot")
    out.write_text(dot, encoding="utf-8")
    where = out
    if shutil.which("dot"):
        svg = out.with_suffix(".svg")
        if subprocess.run(["dot", "-Tsvg", str(out), "-o", str(svg)], check=False, capture_output=True).returncode == 0:
            where = svg
    print(f"\nThe spec's automaton is in {where.resolve()}")
    return 0


def _print_trace(compiled: Any, trace: Any) -> None:
    tags = {s.name: s.tag for s in compiled.steps}
    for s in trace.steps:
        print(f"  {tags[s.step]}{s.text}")
    print(f"  -- {'satisfies the spec' if trace.ok else 'violates the spec: ' + '; '.join(trace.violations[:1] or [trace.status])}")
