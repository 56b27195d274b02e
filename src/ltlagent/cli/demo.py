"""``ltlagent demo``: a real model (default) or the demo model, unconstrained then constrained, side by side."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ltlagent.decoders.models import DEMO_MODEL_DIR as DEMO_MODEL  # noqa: F401 - the shipped demo model's folder
from ltlagent.errors import printable


def _answer(trace: Any) -> str | None:
    """The trace's answer: its first final-answer step (where an agent loop stops, whatever the
    model writes after it), or (AIoT) the last response."""
    for names, pick in ((("final_answer", "answer"), 0), (("llma",), -1)):
        found = [s.text for s in trace.steps if s.step in names]
        if found:
            return found[pick].strip()
    return None


def demo_command(args: argparse.Namespace) -> int:
    from ltlagent.agents.demo_data import DEMO_SPECS, held_out_questions, is_correct, question_set, react_demo_spec
    from ltlagent.agents.demo_tools import stdlib_corpus
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
    if args.held_out and args.spec != "react":
        raise RunError("--held-out: only the react demo keeps held-out questions; drop --held-out or use --spec react")
    if args.json:
        _writable(args.json)  # refused before the model loads
    if args.runs < 1:
        raise RunError(f"--runs {args.runs}: give at least 1 question per mode")
    if args.max_turn_tokens < 1:
        raise RunError(f"--max-turn-tokens {args.max_turn_tokens}: give at least 1")
    if args.device not in ("auto", "cpu"):
        from ltlagent.decoders.hf import resolve_device

        resolve_device(args.device)  # a device this machine lacks is refused (exit 2) before the model loads
    t_start = time.perf_counter()
    # The ReAct demo adds one rule built from its tools' catalogue (demo_data.react_demo_spec). The
    # demo model was trained on react.toml's own prompt and questions, so it keeps them.
    trained = args.model == "demo"
    catalogue = args.spec == "react" and not trained
    if args.held_out and trained:
        raise RunError("--held-out: the held-out questions are for a pretrained model; the demo model answers only the kind it was trained on")
    compiled = compile_spec(react_demo_spec() if catalogue else load_spec(args.spec))
    prepared = time.perf_counter() - t_start
    needed = {x.tool for x in compiled.letters if x.tool}
    model, tokenizer = load_model(args.model, args.threads)
    t0 = time.perf_counter()
    index = build_token_index(compiled, tokenizer)
    if note := preparation_note(prepared + time.perf_counter() - t0, f"spec {args.spec!r}"):
        print(note, file=sys.stderr)
    questions = held_out_questions() if args.held_out else question_set(args.spec, args.runs, seed=args.seed, episodes=trained)
    how = "greedy" if args.temperature == 0 else f"temperature {args.temperature}"
    n = f"{len(questions)}{' held-out' if args.held_out else ''} question{'s' if len(questions) != 1 else ''}"
    print(f"{args.spec} with {describe(args.model)}: {n} that need the demo tools, {how}, "
          f"unconstrained then constrained", file=sys.stderr)
    rows = []
    answers: dict[str, list[dict[str, Any]]] = {}
    made_with = None
    if args.json:  # the commit as the run starts
        from ltlagent.evals import provenance

        made_with = provenance(("ltlagent", "torch", "transformers", "outlines-core", "spottl"))
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
        answers[mode] = [{"question": q, "expected": expected, "answer": _answer(t), "correct": is_correct(_answer(t), expected),
                          "satisfies_spec": t.ok, "steps": len(t.steps), "model_tokens": t.model_tokens}
                         for t, (q, expected) in zip(traces, questions, strict=True)]
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
    if catalogue:
        print(f"The spec: react.toml plus rule answer_from_a_tool, built from the tools: a final answer is a title of the "
              f"encyclopedia's {len(stdlib_corpus())} pages once it was searched, or a number once the calculator ran.")
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
    if args.json:
        table = {mode: {"questions": len(questions), "correct": sum(a["correct"] for a in answers[mode]),
                        "satisfy_spec": sum(a["satisfies_spec"] for a in answers[mode]), "correct_pct": round(correct, 1),
                        "mean_steps": round(steps, 2), "tokens_per_s": round(tps, 2), "seconds": round(seconds, 1)}
                 for mode, _, correct, steps, tps, seconds, _, _ in rows}
        Path(args.json).write_text(json.dumps({"spec": args.spec, "model": args.model, "questions": "held-out" if args.held_out else f"design, seed {args.seed}",
                                               "temperature": args.temperature, "max_steps": args.max_steps, "table": table, "answers": answers,
                                               **(made_with or {})}, indent=1) + "\n", encoding="utf-8")
        print(f"\nEvery answer is in {Path(args.json).resolve()}")
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


def _writable(path: str) -> None:
    from ltlagent.errors import RunError

    target = Path(path)
    if target.is_dir() or not target.resolve().parent.is_dir():
        raise RunError(f"--json {path}: give a file in an existing folder")


def _print_trace(trace: Any, max_lines: int = 24, width: int = 200) -> None:
    """The trace as the model wrote it (text that is no step included), long lines cut."""
    lines = [printable(line) for line in trace.text.split("\n") if line.strip()]  # model text cannot drive the terminal
    for line in lines[:max_lines]:
        print(f"  {line if len(line) <= width else line[: width - 3] + '...'}")
    if len(lines) > max_lines:
        print(f"  ... ({len(lines) - max_lines} more lines)")
    print(f"  -- {'satisfies the spec' if trace.ok else 'violates the spec: ' + '; '.join(trace.violations[:1] or [trace.status])}")
