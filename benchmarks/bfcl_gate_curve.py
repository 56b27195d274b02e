"""What the relevance gate of ``ltlagent eval bfcl`` trades: accuracy per category at other margins.

``--answer gated`` lets a case's spec call only when the evidence that its functions fit the
question is over ``--gate-nats`` (default ``bfcl.GATE_NATS``): how much the function documents
raise the question's log-probability, plus ``--word-nats`` per word the question shares with a
function's document (``relevance.shared_words``); below that the spec allows only the refusal. A
lower margin calls more often: right for relevant questions the gate turned away, wrong for
irrelevant ones. This script measures that trade on the cases an eval run already answered,
without rerunning what the gate leaves as it is:

* a case the run's gate let call is answered the same wherever the gate still lets it (greedy
  decoding, the same spec): its verdict is taken from the run; where the gate turns it away, it
  gets the refusal, right only in the irrelevance categories;
* a case the run's gate turned away is answered again with the gate open (the same spec,
  function pick and grounded values a passing case gets). Its recomputed gain must equal the
  stored one (else the script stops: the run was made with another model or code). In the
  irrelevance and relevance categories only whether the spec calls is needed (a spec that calls
  writes at least one call, which BFCL scores as a failure there, a success in live_relevance),
  so nothing is decoded. ``--reopened`` takes these answers from an earlier ``--json`` instead.

Then for each margin m and word weight w (0: the gain alone, and ``bfcl.WORD_NATS``): a case
whose gain plus w per shared word is over m takes its answer with calls, the others the
refusal. Categories: those of the run files given.

    python benchmarks/bfcl_gate_curve.py --run RUN.json [RUN.json ...] [--categories live_simple,irrelevance] \\
        [--reopened OLD.json] [--json benchmarks/results/bfcl-gate-curve.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

MARGINS = (-math.inf, 0.0, 1.0, 2.0, 3.0, 3.5, 4.0, 5.0)


def evidence(row: dict, word_nats: float) -> float:
    """The gate's evidence for a run's case: its gain plus ``word_nats`` per shared word."""
    return row["gain_nats"] + word_nats * row["shared_words"]


def accuracy_by_margin(rows: list[dict], reopened: list[dict], run_gate: tuple[float, float], categories: list[str],
                       word_nats: float) -> dict[str, dict[str, float]]:
    """Accuracy (%) per category at each of MARGINS, with ``word_nats`` per shared word. A run's
    ``rows``, made with ``run_gate`` (margin, word weight): one the run let call keeps its verdict
    where the gate still lets it, else gets the refusal's; one it turned away takes the
    ``reopened`` answer's verdict where the gate now lets it call, else keeps its own (the refusal's)."""
    opened = {r["id"]: r for r in reopened}
    run_margin, run_words = run_gate
    curve: dict[str, dict[str, float]] = {}
    for m in MARGINS:
        key = "open" if m == -math.inf else str(m)
        curve[key] = {}
        for category in categories:
            mine = [r for r in rows if r["category"] == category]
            right = 0
            for r in mine:
                called, calls = evidence(r, run_words) > run_margin, evidence(r, word_nats) > m
                right += (r["valid"] if called else opened[r["id"]]["valid"]) if calls else (r["valid"] if not called else "irrelevance" in category)
            curve[key][category] = round(100 * right / len(mine), 1)
    return curve


def main() -> None:
    from ltlagent.agents.relevance import shared_words
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, nargs="+", required=True, help="`ltlagent eval bfcl -o` files (constrained mode, --answer gated, one margin)")
    ap.add_argument("--categories", help="comma-separated (default: every category of the runs)")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--max-new-tokens", type=int, default=192, help="as the run's (default 192)")
    ap.add_argument("--reopened", type=Path, help="an earlier --json of these runs: its reopened answers, nothing decoded again")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    files = [json.loads(path.read_text(encoding="utf-8")) for path in args.run]
    runs = [(path, run) for path, f in zip(args.run, files) for run in f.get("runs", [f])]  # a results file of several runs lists their settings
    for path, run in runs:
        if run.get("answer_form") != "gated" or run.get("gate_nats") is None:
            sys.exit(f"{path}: not a gated run (--answer gated); nothing to trade")
        same = ("gate_nats", "word_nats", "values", "functions")
        if [run.get(k) for k in same] != [runs[0][1].get(k) for k in same]:
            sys.exit(f"{path}: runs with another margin, word weight, values or functions than {args.run[0]}")
    settings = runs[0][1]
    run_gate = (settings["gate_nats"], settings.get("word_nats", 0.0))  # runs before the word weight: the gain alone
    rows = {r["id"]: r for f in files for r in f["cases"] if r["mode"] == "constrained"}
    categories = args.categories.split(",") if args.categories else sorted({r["category"] for r in rows.values()})
    missing = [c for c in categories if not any(r["category"] == c for r in rows.values())]
    if missing:
        sys.exit(f"no constrained answers in {', '.join(missing)} in {', '.join(map(str, args.run))}")
    bfcl = B.import_bfcl()
    cases = {c["id"]: c for category in categories for c in B.load_cases(bfcl, category)}
    rows = {i: r for i, r in rows.items() if r["category"] in categories}
    for row in rows.values():  # runs before the word weight did not record the shared words
        row.setdefault("shared_words", shared_words(B.user_words(cases[row["id"]]), cases[row["id"]]["function"]))
    below = [r for r in rows.values() if evidence(r, run_gate[1]) <= run_gate[0]]
    if args.reopened:
        earlier = {r["id"]: r for r in json.loads(args.reopened.read_text(encoding="utf-8"))["reopened"]}
        lacking = [r["id"] for r in below if r["id"] not in earlier or abs(earlier[r["id"]]["gain_nats"] - r["gain_nats"]) > 1e-2]
        if lacking:
            sys.exit(f"{args.reopened}: no reopened answer (or another gain) for {len(lacking)} of the runs' turned-away cases, e.g. {lacking[0]}")
        reopened = [earlier[r["id"]] for r in below]
    else:
        reopened = reopen(args, settings, below, cases, bfcl)
    curves = {str(w): accuracy_by_margin(list(rows.values()), reopened, run_gate, categories, w) for w in sorted({0.0, B.WORD_NATS})}
    width = {c: max(20, len(c) + 2) for c in categories}
    for w, curve in curves.items():
        print(f"gain + {w} nats per shared word")
        print(f"{'margin (nats)':<14}" + "".join(f"{c:>{width[c]}}" for c in categories))
        for key, accuracy in curve.items():
            print(f"{key:<14}" + "".join(f"{accuracy[c]:>{width[c] - 1}.1f}%" for c in categories))
    if args.json:
        meta = {"model": args.model, "runs": [str(p) for p in args.run], "run_gate_nats": run_gate[0], "run_word_nats": run_gate[1],
                "reopened_from": str(args.reopened) if args.reopened else None, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
        args.json.write_text(json.dumps({"meta": meta, "curves": curves, "reopened": reopened}, indent=1) + "\n")
        print(f"written to {args.json}", file=sys.stderr)


def reopen(args: argparse.Namespace, settings: dict, below: list[dict], cases: dict, bfcl) -> list[dict]:
    """The turned-away cases answered again with the gate open (see the module's docstring)."""
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.evals import bfcl as B

    model, tok = load_with_threads(args.model, args.threads)
    answerer = B.Answerer(model, tok, args.max_new_tokens, "gated", -math.inf, bfcl, settings.get("values", "grounded"), settings.get("functions", "picked"))
    reopened: list[dict] = []
    for category in sorted({r["category"] for r in below}):
        mine = [r for r in below if r["category"] == category]
        for i, row in enumerate(mine, 1):
            case = cases[row["id"]]
            _, form = answerer.plan(case)
            assert answerer.gain is not None
            if abs(answerer.gain - row["gain_nats"]) > 1e-2:
                sys.exit(f"{row['id']}: gain {answerer.gain:.3f} here, {row['gain_nats']} in the run: another model or code made it")
            calls = form.get("calls") != "none"
            out = {"id": row["id"], "category": category, "gain_nats": row["gain_nats"], "spec": answerer.spec_form}
            if "relevance" in category:  # BFCL scores only whether there is a call (live_relevance: the other way round)
                out.update(output=None, valid=calls != ("irrelevance" in category))
            else:
                text, _ = answerer.answer(case, B.prompt_messages(bfcl, case), "constrained")
                out.update(output=text, **B.score(bfcl, case, category, text))
            reopened.append(out)
            print(f"{category} {i}/{len(mine)} {row['id']} gain {row['gain_nats']:.2f}: {'right' if out['valid'] else 'wrong'}", file=sys.stderr, flush=True)
    return reopened


if __name__ == "__main__":
    main()
