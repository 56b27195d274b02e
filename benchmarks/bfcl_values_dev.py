"""Which functions a gated BFCL answer may call, and which strings it may write: development split.

``ltlagent eval bfcl --answer gated`` builds each case's spec from its function list after two
readings of the question by the model (``ltlagent.agents.relevance``). Two choices made there
are measured here, side by side on the same cases and the same gate, on the *last* cases of
four call categories (which ``ltlagent eval bfcl --limit N`` never reaches):

* ``--functions``: ``all`` (any of the case's functions) or ``picked`` (the one whose own
  document makes the question most likely, or each of several: ``bfcl.pick_functions``);
* ``--values``: ``free`` (any string of the declared type) or ``grounded`` (a span of the
  user's words: ``bfcl_grammar.spans``).

Each case is answered greedily under the three specs (free/all, free/picked, grounded/picked)
and scored by BFCL's checker; per-case rows are appended to ``--jsonl`` as they finish, so a long
run can be read (and resumed by category) before it ends.

    python benchmarks/bfcl_values_dev.py multiple:30,parallel_multiple:20 [--jsonl rows.jsonl] [--json summary.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

CONFIGS = (("free", "picked"), ("free", "all"), ("grounded", "picked"))  # "picked" first: the gate, computed once per case, then has each function's gain


def main() -> None:
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("split", help="category:N,... (the last N cases of each)")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--max-new-tokens", type=int, default=192)
    ap.add_argument("--jsonl", type=Path, help="append one row per case")
    ap.add_argument("--json", type=Path, help="write the summary (and the rows) here")
    ap.add_argument("--gains-only", action="store_true", help="the gate's per-function gains and the function pick only, no answers")
    ap.add_argument("--rows", type=Path, action="append", help="summarize the rows of these --jsonl files (of runs in parallel) instead of running")
    args = ap.parse_args()
    split = {c: int(n) for c, n in (part.split(":") for part in args.split.split(","))}
    meta = {"model": args.model, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
    if args.rows:
        rows = [json.loads(line) for path in args.rows for line in path.read_text().splitlines() if line.strip()]
        return report(split, rows, meta, args.json)
    model, tok = load_with_threads(args.model, args.threads)
    answerer = B.Answerer(model, tok, args.max_new_tokens, "gated", B.GATE_NATS, None, "grounded", "picked")
    bfcl = answerer.bfcl
    rows = []
    for category, n in split.items():
        for case in B.load_cases(bfcl, category)[-n:]:
            messages = B.prompt_messages(bfcl, case)
            row: dict = {"id": case["id"], "category": category}
            if args.gains_only:
                answerer.gate_nats = float("-inf")  # every case's per-function gains, whatever the gate would say
                answerer.gain, answerer.function_gains = answerer._gains(case, per_function=True)
            for values, functions in () if args.gains_only else CONFIGS:
                answerer.values, answerer.functions = values, functions
                t0 = time.perf_counter()
                text, _ = answerer.answer(case, messages, "constrained")
                verdict = B.score(bfcl, case, category, text)
                row[f"{values}/{functions}"] = {"output": text, "valid": verdict["valid"], "error_type": verdict["error_type"],
                                                "prepare_seconds": round(answerer.prepare_seconds, 4), "seconds": round(time.perf_counter() - t0, 2)}
            row["gain_nats"] = round(answerer.gain or 0.0, 3)
            row["function_gains"] = {k: round(v, 3) for k, v in answerer.function_gains.items()}
            rows.append(row)
            if args.jsonl:
                with args.jsonl.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
            print(case["id"], *(row[f"{v}/{f}"]["valid"] for v, f in CONFIGS if f"{v}/{f}" in row), file=sys.stderr, flush=True)
    report(split, rows, meta, args.json)


GRID = ((3.0, 0.0), (5.0, 0.0), (5.0, 1.0), (5.0, 2.0), (8.0, 1.0))  # (SEVERAL_NATS, OWN_NATS) pairs the pick is measured at


def picks(rows: list, truth: dict) -> dict:
    """Per category: how often the best function alone is a right one, and how often the picked
    set is exactly the answer's functions, at each (SEVERAL_NATS, OWN_NATS) of GRID (cases with
    per-function gains: several functions, and the gate passed or ``--gains-only``)."""
    from ltlagent.evals import bfcl as B

    out: dict = {}
    for category in dict.fromkeys(r["category"] for r in rows):
        gated = [r for r in rows if r["category"] == category and r["function_gains"]]
        if not gated:
            continue
        per = out[category] = {"cases": len(gated), "best_is_right": sum(max(r["function_gains"], key=r["function_gains"].get) in truth[r["id"]] for r in gated)}
        for several, own in GRID:
            per[f"exact set at {several}/{own}"] = sum(
                {f["name"] for f in B.pick_functions([{"name": n} for n in r["function_gains"]], r["gain_nats"], r["function_gains"], several, own)[0]} == truth[r["id"]]
                for r in gated)
    return out


def report(split: dict, rows: list, meta: dict, out: Path | None) -> None:
    from ltlagent.evals import bfcl as B

    bfcl = B.import_bfcl()
    truth = {c["id"]: {next(iter(call)) for call in c["ground_truth"]} for category in split for c in B.load_cases(bfcl, category)[-split[category]:]}
    summary = {c: {f"{v}/{f}": sum(r[f"{v}/{f}"]["valid"] for r in rows if r["category"] == c) for v, f in CONFIGS if all(f"{v}/{f}" in r for r in rows)}
               for c in split}
    print(f"{'category':<20}{'cases':>6}" + "".join(f"{v + '/' + f:>18}" for v, f in CONFIGS))
    for c, per in summary.items():
        print(f"{c:<20}{split[c]:>6}" + "".join(f"{per[f'{v}/{f}']:>18}" for v, f in CONFIGS if f"{v}/{f}" in per))
    pick = picks(rows, truth)
    print("\nfunction pick (cases whose gate passed with several functions):")
    for c, per in pick.items():
        print(f"  {c}: " + ", ".join(f"{k} {v}" for k, v in per.items()))
    if out:
        out.write_text(json.dumps({"meta": meta, "split": split, "summary": summary, "function_pick": pick, "cases": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
