"""Preparing the spec of "one call more": the calls regex as a counted repetition or written out.

``ltlagent eval bfcl`` decodes an answer again with one call more while the user's words hold
numbers or names no call took up (``Answerer._constrained``), each time under a spec that asks
for at least ``n`` calls (``bfcl_grammar.calls_regex(..., min_calls=n, then=...)``). The calls
after the first are ``(, call){n-1,}``. Written out instead, ``(, call)`` n-1 times and then
``(, call)*``, the same language costs a parse of every copy, so each added call prepared
slower than the one before.

For the first ``--limit`` cases of parallel and parallel_multiple (grounded strings, every
function allowed after the first call, as the eval asks), this measures side by side, at the
Qwen3 vocabulary (quicktok-v1), the time to build, compile and index the spec for ``n`` = 1..4
in both forms, the process forgetting every spec between two preparations (each form first in
turn). For ``n`` = 1 both forms are the same regex: their ratio shows the measurement's noise. Both forms must be
the same language: the script checks the counted form's regex against the written-out one on
random walks of the counted form's token index (``re.fullmatch``).

    python benchmarks/bfcl_more_calls.py [--limit 10] [--json benchmarks/results/bfcl-more-calls.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cold_start import forget, qwen3  # noqa: E402

from ltlagent.compiler.builder import SpecBuilder  # noqa: E402
from ltlagent.compiler.compile import compile_spec  # noqa: E402
from ltlagent.decoders.guide import RUNNING, SpecGuide  # noqa: E402
from ltlagent.decoders.index import build_token_index  # noqa: E402
from ltlagent.evals import bfcl as B  # noqa: E402
from ltlagent.evals.bfcl_grammar import SEP, call_regex, calls_regex  # noqa: E402

CATEGORIES = ("parallel", "parallel_multiple")
COUNTS = (1, 2, 3, 4)


def written_out(functions: list, grounded: str, n: int) -> str:
    """The regex of at least ``n`` calls with every copy written out (the form before the counted repetition)."""
    first = "(" + "|".join(call_regex(f, "python", grounded) for f in functions[:1]) + ")"
    later = "(" + "|".join(call_regex(f, "python", grounded) for f in functions) + ")"
    return first + f"({SEP}{later})" * (n - 1) + f"({SEP}{later})*" + "\\]"


def spec(pattern: str):
    b = SpecBuilder("bfcl_more_calls", "at least n calls")
    b.step("calls", tag="[", regex=pattern, description="A Python list of calls.")
    return b.rule("one_answer", "calls & WX false", why="The answer is one list of calls.").build()


def prepare(pattern: str, vocab) -> tuple[float, object]:
    forget()
    t0 = time.perf_counter()
    compiled = compile_spec(spec(pattern))
    if compiled.errors:
        raise SystemExit(compiled.errors[0].message)
    index = build_token_index(compiled, vocab)
    return time.perf_counter() - t0, index


def walk(index, rng: random.Random, max_tokens: int = 300) -> str:
    """The text of a random walk of allowed tokens, steered to the spec's end within ``max_tokens``."""
    guide = SpecGuide(index, max_tokens=max_tokens)
    while guide.status == RUNNING:
        guide.advance(rng.choice(guide.allowed()))
    if not guide.is_finished:
        raise SystemExit(f"a walk did not finish: {guide.status} {guide.error}")
    return guide.text


def main() -> None:
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=10, help="cases per category (default 10)")
    ap.add_argument("--ids", metavar="ID,ID", help="only these cases of the first --limit (default: all of them)")
    ap.add_argument("--walks", type=int, default=3, help="random walks per counted spec checked against the written-out regex")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    vocab = qwen3()
    bfcl = B.import_bfcl()
    rng = random.Random(0)
    rows, checked = [], 0
    for category in CATEGORIES:
        for case in B.load_cases(bfcl, category, args.limit):
            if args.ids and case["id"] not in args.ids.split(","):
                continue
            functions, grounded = case["function"], B.user_words(case)
            for n in COUNTS:
                counted = calls_regex(functions[:1], at_least_one=True, grounded=grounded, min_calls=n, then=functions)
                full = written_out(functions, grounded, n)
                if len(rows) % 2:  # each form first in turn: the first preparation after forgetting pays a little more
                    t_full, _ = prepare(full, vocab)
                    t_counted, index = prepare(counted, vocab)
                else:
                    t_counted, index = prepare(counted, vocab)
                    t_full, _ = prepare(full, vocab)
                for _ in range(args.walks):
                    text = walk(index, rng)
                    body = text.strip()[1:]  # after the tag
                    if not (re.fullmatch(full, body) and re.fullmatch(counted, body)):
                        raise SystemExit(f"{case['id']} n={n}: the two forms disagree on {text!r}")
                    checked += 1
                rows.append({"id": case["id"], "calls": n, "written_out_s": round(t_full, 4), "counted_s": round(t_counted, 4),
                             "written_out_chars": len(full), "counted_chars": len(counted)})
                print(f"{case['id']:24s} n={n}  written out {t_full:7.3f} s  counted {t_counted:7.3f} s", file=sys.stderr, flush=True)
    summary = {}
    for n in COUNTS:
        sel = [r for r in rows if r["calls"] == n]
        full, counted = sum(r["written_out_s"] for r in sel), sum(r["counted_s"] for r in sel)
        summary[n] = {"cases": len(sel), "written_out_s": round(full, 3), "counted_s": round(counted, 3),
                      "ratio": round(full / counted, 2) if counted else None,
                      "median_ratio": round(statistics.median(r["written_out_s"] / r["counted_s"] for r in sel), 2)}
    if not rows:
        raise SystemExit(f"--ids {args.ids}: none of them is among the first {args.limit} cases of {', '.join(CATEGORIES)}")
    print("| calls at least | cases | written out (s, total) | counted (s, total) | ratio | median ratio per case |")
    print("|---|---|---|---|---|---|")
    for n, s in summary.items():
        print(f"| {n} | {s['cases']} | {s['written_out_s']} | {s['counted_s']} | {s['ratio']} | {s['median_ratio']} |")
    print(f"{checked} random walks of the counted form matched the written-out regex")
    if args.json:
        meta = {"limit": args.limit, "ids": args.ids, "vocabulary": "qwen3 (quicktok-v1)", "walks_checked": checked,
                **provenance(("ltlagent", "bfcl-eval", "quicktok-v1"))}
        args.json.write_text(json.dumps({**meta, "summary": summary, "cases": rows}, indent=1) + "\n", encoding="utf-8")
        print(f"written to {args.json}")


if __name__ == "__main__":
    main()
