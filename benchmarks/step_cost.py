"""Guide cost per token and per step boundary early and late in a long trace.

    python benchmarks/step_cost.py [--cycles 170] [--repeat 5]

Two traces are replayed token by token through ``SpecGuide`` with the Qwen3 vocabulary
(quicktok-v1, no downloads): a ReAct trace of ``--cycles`` Thought/Action/Observation rounds
(3 steps each, the environment answering every third step), and one model turn of
``3 × --cycles`` notes (a spec where the model writes every step, so a guide that re-reads
its turn at each boundary pays for the whole turn). For each step the time of its tokens' ``advance`` calls is
split into the token that ends the step (the boundary, where a guide that re-reads text
would pay for the whole trace) and the others; environment steps time ``feed_environment``.
Reported: medians around step 5 and around step 500, and their ratio (budget ≤ 1.5: the
per-token and per-boundary work does not grow with the trace).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from decode import quicktok_vocabulary  # noqa: E402

from ltlagent import compile_spec, load_spec, parse_spec  # noqa: E402
from ltlagent.decoders.guide import SpecGuide  # noqa: E402
from ltlagent.decoders.index import build_token_index  # noqa: E402


NOTES = """
name = "notes"
[[steps]]
name = "question"
source = "input"
tag = "Question: "
[[steps]]
name = "note"
tag = "Note: "
[[steps]]
name = "answer"
tag = "Answer: "
[[rules]]
ltlf = "question & X note & F answer & G(answer -> WX false)"
"""


def replay(index, enc, cycles: int) -> tuple[dict[int, list[float]], dict[int, list[float]], dict[int, list[float]]]:  # type: ignore[no-untyped-def]
    """One pass over the trace: per step number, the ns of inner tokens, the boundary token, the environment feed."""
    guide = SpecGuide(index, max_steps=20 * cycles)  # a step budget that never binds, as every CLI run has one
    guide.feed_environment("What is the population of the largest city in Canada?")
    inner: dict[int, list[float]] = {}
    boundary: dict[int, list[float]] = {}
    env: dict[int, list[float]] = {}
    steps = 1  # the question
    turns = []
    if index.compiled.name == "notes":
        turns.append("".join(f"Note: fact number {n} is worth writing down.\n" for n in range(3 * cycles)) + "Answer: three million\n")
        cycles = 0
    else:
        for n in range(cycles):
            turns.append(f"Thought: I need to look up fact number {n} before I can answer.\nAction: search[fact {n}]\nObservation: ")
        turns.append("Thought: I know enough now.\nFinal Answer: about three million people\n")
    for k, turn in enumerate(turns):
        for token in enc.encode(turn):
            data = index.vocab.tokens[token] or b""
            t0 = time.perf_counter_ns()
            ok = guide.advance(token)
            dt = time.perf_counter_ns() - t0
            assert ok, (guide.error, guide.text[-200:])
            (boundary if b"\n" in data else inner).setdefault(steps, []).append(dt)  # every step here ends with a newline
            steps += data.count(b"\n")
        if k < cycles:
            assert guide.waiting_for == "observation", guide.status
            step = steps
            steps += 1
            t0 = time.perf_counter_ns()
            guide.feed_environment(f"result {k}: nothing surprising")
            env.setdefault(step, []).append(time.perf_counter_ns() - t0)
    assert guide.is_finished or guide.status == "running", guide.status
    return inner, boundary, env


def around(series: dict[int, list[float]], step: int, width: int = 30) -> float:
    values = [v for s, vs in series.items() if abs(s - step) <= width for v in vs]
    return statistics.median(values) / 1000 if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=170, help="Thought/Action/Observation rounds (3 steps each)")
    ap.add_argument("--repeat", type=int, default=5, help="passes over the trace; the first (cold) one is not timed")
    args = ap.parse_args()
    import os

    import quicktok

    with tempfile.TemporaryDirectory() as cache:
        os.environ["LTLAGENT_CACHE"] = cache
        vocab = quicktok_vocabulary("qwen3")
        enc = quicktok.get_encoding("qwen3")
        for spec in (load_spec("react"), parse_spec(NOTES, "notes.toml")):
            index = build_token_index(compile_spec(spec), vocab)
            replay(index, enc, args.cycles)  # first pass: positions and moves are made and kept
            inner: dict[int, list[float]] = {}
            boundary: dict[int, list[float]] = {}
            env: dict[int, list[float]] = {}
            for _ in range(args.repeat):
                a, b, c = replay(index, enc, args.cycles)
                for mine, theirs in ((inner, a), (boundary, b), (env, c)):
                    for k, v in theirs.items():
                        mine.setdefault(k, []).extend(v)
            late = 3 * args.cycles - 10
            print(f"\n## {spec.name}: guide cost along a {3 * args.cycles + 2}-step trace, Qwen3 vocabulary (µs, medians of {args.repeat} passes)")
            print(f"{'what':<44}{'~step 5':>10}{f'~step {late}':>12}{'ratio':>8}")
            for name, series in (("advance, token inside a step", inner), ("advance, token that ends a step", boundary), ("feed_environment", env)):
                if series:
                    early, end = around(series, 5), around(series, late)
                    print(f"{name:<44}{early:>10.2f}{end:>12.2f}{end / early:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
