"""What the relevance gate of ``ltlagent eval bfcl`` trades: accuracy per category at lower margins.

``--answer gated`` lets a case's spec call only when its function documents raise the question's
log-probability by more than ``--gate-nats`` (default ``bfcl.GATE_NATS``); below that the spec
allows only the refusal. A lower margin calls more often: right for relevant questions the gate
turned away, wrong for irrelevant ones. This script measures that trade on the cases an eval run
already answered, without rerunning what a lower margin leaves as it is:

* a case whose gain was above the run's margin is answered the same under any lower margin
  (greedy decoding, the same spec): its verdict is taken from the run;
* a case at or below it is answered again with the gate open (``--gate-nats -inf``: the same
  spec, function pick and grounded values a passing case gets). Its recomputed gain must equal
  the stored one (else the script stops: the run was made with another model or code). In the
  irrelevance and relevance categories only whether the spec calls is needed (a spec that calls
  writes at least one call, which BFCL scores as a failure there, a success in live_relevance),
  so nothing is decoded.

Then for each margin m: a case with gain > m takes its answer with calls, the others the
refusal. Categories: those of the run files given.

    python benchmarks/bfcl_gate_curve.py --run RUN.json [RUN.json ...] [--categories live_simple,irrelevance] \\
        [--json benchmarks/results/bfcl-gate-curve.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

MARGINS = (-math.inf, 0.0, 1.0, 2.0, 3.0)  # besides the run's own


def accuracy_by_margin(rows: list[dict], reopened: list[dict], margin: float, categories: list[str]) -> dict[str, dict[str, float]]:
    """Accuracy (%) per category at each of MARGINS and the run's ``margin``: a run's ``rows``
    above its margin keep their verdicts; at or below it, the ``reopened`` answer's where the
    gain is above the lower margin, the run's refusal otherwise."""
    opened = {r["id"]: r for r in reopened}
    curve: dict[str, dict[str, float]] = {}
    for m in (*MARGINS, margin):
        key = "open" if m == -math.inf else str(m)
        curve[key] = {}
        for category in categories:
            mine = [r for r in rows if r["category"] == category]
            right = sum(r["valid"] if r["gain_nats"] > margin else (opened[r["id"]]["valid"] if r["gain_nats"] > m else r["valid"]) for r in mine)
            curve[key][category] = round(100 * right / len(mine), 1)
    return curve


def main() -> None:
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, nargs="+", required=True, help="`ltlagent eval bfcl -o` files (constrained mode, --answer gated, one margin)")
    ap.add_argument("--categories", help="comma-separated (default: every category of the runs)")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--max-new-tokens", type=int, default=192, help="as the run's (default 192)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    files = [json.loads(path.read_text(encoding="utf-8")) for path in args.run]
    runs = [(path, run) for path, f in zip(args.run, files) for run in f.get("runs", [f])]  # a results file of several runs lists their settings
    for path, run in runs:
        if run.get("answer_form") != "gated" or run.get("gate_nats") is None:
            sys.exit(f"{path}: not a gated run (--answer gated); nothing to trade")
        if (run["gate_nats"], run.get("values"), run.get("functions")) != (runs[0][1]["gate_nats"], runs[0][1].get("values"), runs[0][1].get("functions")):
            sys.exit(f"{path}: runs with another margin, values or functions than {args.run[0]}")
    settings = runs[0][1]
    margin = settings["gate_nats"]
    rows = {r["id"]: r for f in files for r in f["cases"] if r["mode"] == "constrained"}
    categories = args.categories.split(",") if args.categories else sorted({r["category"] for r in rows.values()})
    missing = [c for c in categories if not any(r["category"] == c for r in rows.values())]
    if missing:
        sys.exit(f"no constrained answers in {', '.join(missing)} in {', '.join(map(str, args.run))}")
    model, tok = load_with_threads(args.model, args.threads)
    bfcl = B.import_bfcl()
    answerer = B.Answerer(model, tok, args.max_new_tokens, "gated", -math.inf, bfcl, settings.get("values", "grounded"), settings.get("functions", "picked"))
    reopened: list[dict] = []
    for category in categories:
        cases = {c["id"]: c for c in B.load_cases(bfcl, category)}
        below = [r for r in rows.values() if r["category"] == category and r["gain_nats"] <= margin]
        for i, row in enumerate(below, 1):
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
            print(f"{category} {i}/{len(below)} {row['id']} gain {row['gain_nats']:.2f}: {'right' if out['valid'] else 'wrong'}", file=sys.stderr, flush=True)
    curve = accuracy_by_margin(list(rows.values()), reopened, margin, categories)
    width = {c: max(20, len(c) + 2) for c in categories}
    print(f"{'margin (nats)':<14}" + "".join(f"{c:>{width[c]}}" for c in categories))
    for key, accuracy in curve.items():
        print(f"{key:<14}" + "".join(f"{accuracy[c]:>{width[c] - 1}.1f}%" for c in categories))
    if args.json:
        meta = {"model": args.model, "runs": [str(p) for p in args.run], "run_gate_nats": margin, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
        args.json.write_text(json.dumps({"meta": meta, "curve": curve, "reopened": reopened}, indent=1) + "\n")
        print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
