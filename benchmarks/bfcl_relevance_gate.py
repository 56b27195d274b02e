"""The relevance gate of ``ltlagent eval bfcl --answer gated``, measured on a development split.

A case's spec under ``--answer gated`` must call (one or more calls) when the evidence that the
case's functions fit its question is over a margin, and must answer in words otherwise. The
evidence: the gain (how much the function documents raise the question's log-probability, in
nats; ``ltlagent.agents.relevance``) plus ``bfcl.WORD_NATS`` per word the question shares with one
function's document (``relevance.shared_words``). This script computes both for the *last* cases
of six categories (the split of ``benchmarks/bfcl_answer_forms.py``, which ``ltlagent eval bfcl
--limit N`` never reaches) and reports, per margin, the share of relevant cases (call
categories) the gate sends to calls and of irrelevant ones it sends to words, and the area under
the ROC curve of the gain, the shared words and the evidence. The margin with the best balance
is the default (``bfcl.GATE_NATS``). ``--gains`` takes the gains from an earlier ``--json``.

    python benchmarks/bfcl_relevance_gate.py [--model smollm2] [--gains OLD.json] [--json benchmarks/results/bfcl-relevance-gate.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bfcl_answer_forms import SPLIT  # noqa: E402

MARGINS = (0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0)


def auc(rows: list[dict], key: str) -> float:
    """P(a relevant case's ``key`` > an irrelevant one's), ties half."""
    pos = [r[key] for r in rows if r["relevant"]]
    neg = [r[key] for r in rows if not r["relevant"]]
    return sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))


def main() -> None:
    from ltlagent.agents.relevance import shared_words
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--gains", type=Path, help="an earlier --json of this script (the same model): its gains, no model loaded")
    ap.add_argument("--slice", metavar="START:STOP", help="cases START to STOP-1 of each category instead of the last ones "
                    "(a second held-out set: 100:150 lies between --limit 100 and the development split)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    try:
        start, stop = (int(x) for x in args.slice.split(":")) if args.slice else (None, None)
    except ValueError:
        sys.exit(f"--slice {args.slice}: give START:STOP, e.g. 100:150")
    meta = {"model": args.model, "word_nats": B.WORD_NATS, "slice": args.slice, "gains_from": str(args.gains) if args.gains else None,
            **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
    stored = {r["id"]: r["gain"] for r in json.loads(args.gains.read_text(encoding="utf-8"))["cases"]} if args.gains else {}
    bfcl = B.import_bfcl()
    answerer = None
    if not args.gains:
        from ltlagent.decoders.models import load_with_threads

        model, tok = load_with_threads(args.model, args.threads)
        answerer = B.Answerer(model, tok, answer_form="gated", bfcl=bfcl)
    rows: list[dict] = []
    for category, n in SPLIT.items():
        every = B.load_cases(bfcl, category)
        chosen = every[-n:] if start is None else every[start:stop]
        if start is not None and {c["id"] for c in chosen} & {c["id"] for c in every[-n:]}:
            sys.exit(f"--slice {args.slice}: overlaps the development split of {category} (its last {n} cases)")
        for case in chosen:
            if answerer is None and case["id"] not in stored:
                sys.exit(f"{args.gains}: no gain for {case['id']}")
            gain = stored[case["id"]] if answerer is None else round(answerer.question_gain(case), 4)
            words = shared_words(B.user_words(case), case["function"])
            rows.append({"id": case["id"], "category": category, "relevant": "irrelevance" not in category, "gain": gain,
                         "shared_words": words, "evidence": round(gain + B.WORD_NATS * words, 4)})
        print(f"{category}: {len(chosen)} cases", file=sys.stderr, flush=True)
    summaries, best = {}, {}
    for key in ("gain", "evidence"):
        print(f"{key}" + (f" (gain + {B.WORD_NATS} nats per shared word)" if key == "evidence" else " alone"))
        print(f"{'margin (nats)':<14}" + "".join(f"{c:>18}" for c in SPLIT) + f"{'relevant→call':>15}{'irrelevant→none':>17}{'balanced':>10}")
        summary = summaries[key] = {}
        for margin in MARGINS:
            right = {c: sum((r[key] > margin) == r["relevant"] for r in rows if r["category"] == c) for c in SPLIT}
            rel = [r[key] > margin for r in rows if r["relevant"]]
            irr = [r[key] <= margin for r in rows if not r["relevant"]]
            s = summary[str(margin)] = {"right": right, "relevant_call": sum(rel) / len(rel), "irrelevant_no_call": sum(irr) / len(irr)}
            print(f"{margin:<14}" + "".join(f"{right[c]:>15}/{sum(r['category'] == c for r in rows):<2}" for c in SPLIT)
                  + f"{100 * s['relevant_call']:>14.0f}%{100 * s['irrelevant_no_call']:>16.0f}%{50 * (s['relevant_call'] + s['irrelevant_no_call']):>9.0f}%")
        best[key] = max(MARGINS, key=lambda m: (summary[str(m)]["relevant_call"] + summary[str(m)]["irrelevant_no_call"], -m))
    aucs = {key: round(auc(rows, key), 4) for key in ("gain", "shared_words", "evidence")}
    print(f"AUC: gain {aucs['gain']:.3f}, shared words {aucs['shared_words']:.3f}, evidence {aucs['evidence']:.3f}; best balance at "
          f"{best['gain']} nats (gain alone), {best['evidence']} nats (evidence); ltlagent's default: {B.GATE_NATS}")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "split": SPLIT if start is None else args.slice, "auc": aucs, "best_margin": best,
                                         "summary": summaries, "cases": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
