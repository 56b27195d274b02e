"""The relevance gate of ``ltlagent eval bfcl --answer gated``, measured on a development split.

A case's spec under ``--answer gated`` must call (one or more calls) when the case's function
documents raise the question's log-probability by more than a margin, and must answer in words
otherwise (``ltlagent.agents.relevance``). This script computes that gain for the *last* cases
of six categories (the split of ``benchmarks/bfcl_answer_forms.py``, which ``ltlagent eval bfcl
--limit N`` never reaches) and reports, per margin, the share of relevant cases (call
categories) the gate sends to calls and of irrelevant ones it sends to words, and the area under
the ROC curve. The margin with the best balance is the default (``bfcl.GATE_NATS``).

    python benchmarks/bfcl_relevance_gate.py [--model smollm2] [--json benchmarks/results/bfcl-relevance-gate.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bfcl_answer_forms import SPLIT  # noqa: E402

MARGINS = (0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0)


def auc(rows: list[dict]) -> float:
    """P(a relevant case's gain > an irrelevant one's), ties half."""
    pos = [r["gain"] for r in rows if r["relevant"]]
    neg = [r["gain"] for r in rows if not r["relevant"]]
    return sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))


def main() -> None:
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    meta = {"model": args.model, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
    model, tok = load_with_threads(args.model, args.threads)
    answerer = B.Answerer(model, tok, answer_form="gated")
    rows: list[dict] = []
    for category, n in SPLIT.items():
        for case in B.load_cases(answerer.bfcl, category)[-n:]:
            rows.append({"id": case["id"], "category": category, "relevant": "irrelevance" not in category,
                         "gain": round(answerer.question_gain(case), 4)})
        print(f"{category}: {n} cases", file=sys.stderr, flush=True)
    summary = {}
    print(f"{'margin (nats)':<14}" + "".join(f"{c:>18}" for c in SPLIT) + f"{'relevant→call':>15}{'irrelevant→none':>17}{'balanced':>10}")
    for margin in MARGINS:
        right = {c: sum((r["gain"] > margin) == r["relevant"] for r in rows if r["category"] == c) for c in SPLIT}
        rel = [r["gain"] > margin for r in rows if r["relevant"]]
        irr = [r["gain"] <= margin for r in rows if not r["relevant"]]
        s = summary[str(margin)] = {"right": right, "relevant_call": sum(rel) / len(rel), "irrelevant_no_call": sum(irr) / len(irr)}
        print(f"{margin:<14}" + "".join(f"{right[c]:>15}/{SPLIT[c]:<2}" for c in SPLIT)
              + f"{100 * s['relevant_call']:>14.0f}%{100 * s['irrelevant_no_call']:>16.0f}%{50 * (s['relevant_call'] + s['irrelevant_no_call']):>9.0f}%")
    best = max(MARGINS, key=lambda m: (summary[str(m)]["relevant_call"] + summary[str(m)]["irrelevant_no_call"], -m))
    print(f"AUC {auc(rows):.3f}; best balance at {best} nats (ltlagent's default: {B.GATE_NATS})")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "split": SPLIT, "auc": round(auc(rows), 4), "best_margin": best,
                                         "summary": summary, "cases": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
