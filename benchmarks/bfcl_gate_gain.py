"""The gate's gain with several functions: all the documents together, or the best one alone too.

``ltlagent eval bfcl --answer gated`` calls where the evidence that the functions fit the
question (the gain: how much the function documents raise its log-probability, in nats; plus
``bfcl.WORD_NATS`` per word the question shares with a function's document) is over the margin
(``bfcl.GATE_NATS``). With several functions the documents of the ones beside the function that
fits can dilute what it explains. ``--gate-gain best`` (the default) counts the more of the gain
from all the documents and the best function's alone (BFCL's prompt with that function only, as
``--functions picked`` reads each); ``--gate-gain all`` counts all the documents together only.

This script reads the cases of several functions that the gate turned away under ``all`` in
the per-case answers on file (``benchmarks/bfcl_table.py``'s merge: their evidence is recorded
with each answer), reads each of their functions' own gain with the model, and reports how many
of the relevant ones (the call categories) and of the irrelevant ones the best one alone would
let call. The cases it lets call are the ones ``--gate-gain best`` answers differently: they
were answered again for the table (``bfcl-smollm2-gate-gain.json``).

    python benchmarks/bfcl_gate_gain.py [--shard K/N] [--json OUT.json]
    python benchmarks/bfcl_gate_gain.py --merge A.json B.json [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bfcl_table import merged  # noqa: E402


def turned_away(cases: dict[str, dict], bfcl) -> list[tuple[dict, dict]]:  # type: ignore[no-untyped-def]
    """(answer on file, BFCL case) of each case of several functions whose evidence under ``all`` is not over the margin."""
    from ltlagent.evals import bfcl as B

    out = []
    for category in B.CATEGORIES:
        if category.startswith("simple_j"):
            continue
        for case in B.load_cases(bfcl, category):
            row = cases.get(case["id"])
            if row is None or row.get("gain_nats") is None or len(case["function"]) < 2:
                continue
            if row["gain_nats"] + B.WORD_NATS * row.get("shared_words", 0) <= B.GATE_NATS:
                out.append((row, case))
    return out


def report(rows: list[dict]) -> dict:
    """How many relevant and irrelevant cases the best function alone lets call, printed and returned."""
    from ltlagent.evals import bfcl as B

    out = {}
    for relevant in (True, False):
        mine = [r for r in rows if r["relevant"] is relevant]
        passed = [r["id"] for r in mine if r["best_evidence"] > B.GATE_NATS]
        out["relevant" if relevant else "irrelevant"] = {"cases": len(mine), "let_call": len(passed), "ids": passed}
        print(f"{'relevant' if relevant else 'irrelevant'}: {len(passed)} of {len(mine)} turned-away cases of several functions "
              f"called with the best function's own gain")
    return out


def main() -> None:
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--shard", default="1/1", metavar="K/N", help="read only the K-th of N shares of the cases (run N processes, then --merge)")
    ap.add_argument("--merge", nargs="+", type=Path, metavar="FILE", help="merge the --json files of the shards instead of reading the model")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.merge:
        files = [json.loads(f.read_text(encoding="utf-8")) for f in args.merge]
        rows = [r for f in files for r in f["cases"]]
        meta = dict(files[0]["meta"], shard=None, merged=[str(f) for f in args.merge])
    else:
        try:
            k, n = (int(x) for x in args.shard.split("/"))
            assert 1 <= k <= n
        except (ValueError, AssertionError):
            sys.exit(f"--shard {args.shard}: give K/N with 1 <= K <= N, e.g. 1/2")
        from ltlagent.agents.relevance import question_logprob
        from ltlagent.decoders.models import load_with_threads

        meta = {"model": args.model, "gate_nats": B.GATE_NATS, "word_nats": B.WORD_NATS, "shard": args.shard,
                **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
        bfcl = B.import_bfcl()
        todo = turned_away(merged(), bfcl)[k - 1::n]
        model, tok = load_with_threads(args.model, args.threads)
        rows = []
        for i, (row, case) in enumerate(todo, 1):
            def logprob(functions: list) -> float:  # type: ignore[type-arg]
                return question_logprob(model, tok, bfcl.system_prompt([dict(m) for m in case["question"][0]], functions, case["id"]))

            base = logprob([])
            own = {f["name"]: round(logprob([f]) - base, 4) for f in case["function"]}
            words = row.get("shared_words", 0)
            rows.append({"id": case["id"], "category": row["category"], "relevant": "irrelevance" not in row["category"],
                         "gain": row["gain_nats"], "shared_words": words, "own": own,
                         "best_evidence": round(max(row["gain_nats"], *own.values()) + B.WORD_NATS * words, 4)})
            print(f"[{i}/{len(todo)}] {case['id']}: best alone {max(own.values()):.2f} nats, all together {row['gain_nats']:.2f}",
                  file=sys.stderr, flush=True)
    summary = report(rows)
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "summary": summary, "cases": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
