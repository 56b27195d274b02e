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
    finals = [s.text for s in trace.steps if s.step in ("final_answer", "answer")]
    return finals[-1].strip() if finals else None


def demo_command(args: argparse.Namespace) -> int:
    from ltlagent.agents.demo_data import question_set
    from ltlagent.agents.runtime import run
    from ltlagent.cli import to_dot
    from ltlagent.cli.running import load_model, load_tools
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.index import build_token_index

    compiled = compile_spec(load_spec(args.spec))
    tools = load_tools(None, {x.tool for x in compiled.letters if x.tool})
    model, tokenizer = load_model(str(demo_model_dir()))
    model = model.float()
    index = build_token_index(compiled, tokenizer)
    questions = question_set(args.runs, seed=args.seed)
    rows = []
    example = None
    for constrained in (False, True):
        mode = "constrained" if constrained else "unconstrained"
        traces = []
        t0 = time.perf_counter()
        for i, (question, _) in enumerate(questions, start=1):
            bar = "#" * (20 * i // len(questions))
            print(f"\r{mode:>13} [{bar:<20}] {i}/{len(questions)}", end="", file=sys.stderr, flush=True)
            traces.append(
                run(compiled, model, tokenizer, tools, question, index=index, max_steps=args.max_steps, max_step_tokens=48,
                    max_new_tokens=160, temperature=args.temperature, seed=args.seed + i, device=args.device, constrained=constrained)
            )
        print(file=sys.stderr)
        seconds = time.perf_counter() - t0
        correct = sum(_answer(t) is not None and _answer(t).lower() == expected.lower() for t, (_, expected) in zip(traces, questions, strict=True))
        tokens = sum(t.model_tokens for t in traces)
        rows.append((mode, 100 * sum(t.ok for t in traces) / len(traces), 100 * correct / len(traces),
                     sum(len(t.steps) for t in traces) / len(traces), tokens / max(seconds, 1e-9)))
        if constrained:
            example = next((t for t in traces if t.ok and _answer(t)), traces[0])
    print(f"\n{args.spec} with the demo model, {len(questions)} questions, temperature {args.temperature}")
    print(f"{'':<15}{'spec compliance':>17}{'correct answers':>17}{'mean steps':>12}{'tokens/s':>10}")
    for mode, ok, correct, steps, tps in rows:
        print(f"{mode:<15}{ok:>16.0f}%{correct:>16.0f}%{steps:>12.1f}{tps:>10.1f}")
    if example is not None:
        print("\nOne constrained trace:")
        tags = {s.name: s.tag for s in compiled.steps}
        for s in example.steps:
            print(f"  {tags[s.step]}{s.text}")
        print(f"  -- {'satisfies the spec' if example.ok else 'violates the spec'}")
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
