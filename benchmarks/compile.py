"""Compile time of every shipped spec (median of several runs).

    python benchmarks/compile.py [--runs N]

Prints, per spec: letters, states, the median time of Spot's translation of the
conjunction alone ("automaton"), and of the whole ``compile_spec`` (letters, every
rule's automaton for blame, the conjunction, pruning, minimisation and all diagnostics).
Budget (DESIGN §6): spec → automaton ≤ 50 ms for every shipped spec.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ltlagent import compile_spec, load_spec
from ltlagent.compiler.compile import _conjunction
from ltlagent.compiler.letters import build_letters
from ltlagent.compiler.ltl import translate_letters
from ltlagent.compiler.spec import shipped_spec_names

BUDGET_MS = 50.0


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    print(f"{'spec':<14}{'letters':>8}{'states':>8}{'rules':>7}{'automaton ms':>14}{'compile ms':>12}  budget {BUDGET_MS:.0f} ms")
    worst = 0.0
    for name in shipped_spec_names():
        spec = load_spec(name)
        compile_spec(spec)  # warm imports
        letters = build_letters(spec)
        vals = [x.atoms for x in letters]
        conj = _conjunction([r.formula for r in spec.rules])
        aut = median_ms(lambda: translate_letters(conj, vals), args.runs)
        full = median_ms(lambda: compile_spec(spec), args.runs)
        c = compile_spec(spec)
        worst = max(worst, full)
        ok = "ok" if full <= BUDGET_MS else "OVER"
        print(f"{name:<14}{len(letters):>8}{c.dfa.num_states:>8}{len(spec.rules):>7}{aut:>14.2f}{full:>12.2f}  {ok}")
    print(f"slowest full compile: {worst:.2f} ms ({'within' if worst <= BUDGET_MS else 'over'} the {BUDGET_MS:.0f} ms budget)")


if __name__ == "__main__":
    main()
