"""The BFCL table of docs/benchmarks.md, from the per-case results files.

Each results file under ``benchmarks/results/`` holds the answers of one run (its commit and
versions recorded inside). The default column is the constrained answers of the files below,
read in the order their runs landed: a later file's answer to a case replaces an earlier
one's (each later run answered again only the cases whose spec its change touched, plus
controls). Prints, per category, the first 100 cases and the whole category.

    python benchmarks/bfcl_table.py            # the table
    python benchmarks/bfcl_table.py --json F   # also every case's verdict and source file
    python benchmarks/bfcl_table.py --margins 10,23.5   # also the whole categories at stricter gate margins

A stricter margin is read off the answers exactly: the gate's evidence for a case (its question's
gain, or its best function's own gain where that is more, plus ``WORD_NATS`` per shared word, recorded in each answer) does not depend on the margin,
nor does the answer of a case whose evidence passes it (greedy decoding under the same spec). So
at a margin above the runs' own (``GATE_NATS``) a case keeps its verdict where its evidence is
over the margin and takes the refusal's elsewhere: right in the irrelevance categories, wrong in
the others. A margin below the runs' needs the turned-away cases answered: bfcl_gate_curve.py.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ltlagent.evals.bfcl import GATE_NATS, WORD_NATS  # the margin and word weight the runs used (the defaults)

RESULTS = Path(__file__).resolve().parent / "results"

# in the order the runs landed; a later file's answer replaces an earlier one's
FILES = (
    "bfcl-smollm2-100-constrained", "bfcl-smollm2-100-gated", "bfcl-smollm2-100-grounded",
    "bfcl-smollm2-100-options", "bfcl-smollm2-100-place", "bfcl-smollm2-100-words",
    "bfcl-smollm2-100-numbers", "bfcl-smollm2-100-counted", "bfcl-smollm2-100-places",
    "bfcl-smollm2-100-named", "bfcl-smollm2-100-more", "bfcl-smollm2-100-then",
    "bfcl-smollm2-100-names", "bfcl-smollm2-rest-irrelevance", "bfcl-smollm2-rest-live_simple",
    "bfcl-smollm2-rest-simple_python", "bfcl-smollm2-rest-multiple", "bfcl-smollm2-none",
    "bfcl-smollm2-rest-none", "bfcl-smollm2-rest-parallel", "bfcl-smollm2-rest-parallel_multiple",
    "bfcl-smollm2-dated", "bfcl-smollm2-dates", "bfcl-smollm2-options-left-out",
    "bfcl-smollm2-codes", "bfcl-smollm2-languages", "bfcl-smollm2-urls", "bfcl-smollm2-overlaps",
    "bfcl-smollm2-relative-dates", "bfcl-smollm2-glued", "bfcl-smollm2-quoted", "bfcl-smollm2-names",
    "bfcl-smollm2-review", "bfcl-smollm2-string-codes", "bfcl-smollm2-date-names", "bfcl-smollm2-currencies",
    "bfcl-smollm2-currency-pairs", "bfcl-smollm2-currency-order", "bfcl-smollm2-apart",
    "bfcl-smollm2-quoted-apart", "bfcl-smollm2-described-options", "bfcl-smollm2-flags",
    "bfcl-smollm2-listed-numbers", "bfcl-smollm2-percentages", "bfcl-smollm2-listed-floats",
    "bfcl-smollm2-named-numbers", "bfcl-smollm2-named-members", "bfcl-smollm2-asked-more", "bfcl-smollm2-exponents",
    "bfcl-smollm2-signs", "bfcl-smollm2-scales", "bfcl-smollm2-names-unused", "bfcl-smollm2-room", "bfcl-smollm2-dict-places",
    "bfcl-smollm2-rest-live_irrelevance", "bfcl-smollm2-items", "bfcl-smollm2-room-refusals",
    "bfcl-smollm2-items-framed", "bfcl-smollm2-each-named", "bfcl-smollm2-distinct", "bfcl-smollm2-places",
    "bfcl-smollm2-empty", "bfcl-smollm2-rest-live_multiple", "bfcl-smollm2-rest-live_multiple-600",
    "bfcl-smollm2-live_multiple-reviewed", "bfcl-smollm2-readings", "bfcl-smollm2-rest-live_multiple-rest",
    "bfcl-smollm2-rest-live_multiple-rest-reviewed", "bfcl-smollm2-labels",
    "bfcl-smollm2-counts", "bfcl-smollm2-operations", "bfcl-smollm2-quantities", "bfcl-smollm2-unnamed",
    "bfcl-smollm2-called-words", "bfcl-smollm2-operations-more", "bfcl-smollm2-definitions", "bfcl-smollm2-apart-more", "bfcl-smollm2-irrelevance-6fae4c2", "bfcl-smollm2-parallel-100-ddf51a9", "bfcl-smollm2-parallel_multiple-100-ddf51a9",
    "bfcl-smollm2-auxiliaries", "bfcl-smollm2-live_irrelevance-check-5b161bb", "bfcl-smollm2-options-left", "bfcl-smollm2-sentence-ends", "bfcl-smollm2-options-joined", "bfcl-smollm2-free-year", "bfcl-smollm2-names-for-arguments",
    "bfcl-smollm2-names-for-arguments-initials", "bfcl-smollm2-options-functions", "bfcl-smollm2-person-leads", "bfcl-smollm2-periods",
    "bfcl-smollm2-bare-shapes", "bfcl-smollm2-still", "bfcl-smollm2-date-places", "bfcl-smollm2-years", "bfcl-smollm2-dates-twice", "bfcl-smollm2-words-shape",
    "bfcl-smollm2-meaning", "bfcl-smollm2-meaning-pick", "bfcl-smollm2-members", "bfcl-smollm2-members-reviewed", "bfcl-smollm2-doubt", "bfcl-smollm2-half-doubt", "bfcl-smollm2-doubt-nested", "bfcl-smollm2-undated", "bfcl-smollm2-counted-strings", "bfcl-smollm2-counted-numbers", "bfcl-smollm2-pairs", "bfcl-smollm2-meant-flags", "bfcl-smollm2-meant-members", "bfcl-smollm2-names-once", "bfcl-smollm2-way-back", "bfcl-smollm2-unnamed-quantity", "bfcl-smollm2-calls-more-kept", "bfcl-smollm2-named-left-plural", "bfcl-smollm2-listed-members", "bfcl-smollm2-years-counts", "bfcl-smollm2-quoted-after-name", "bfcl-smollm2-unmeant-flags", "bfcl-smollm2-people", "bfcl-smollm2-counts-plural", "bfcl-smollm2-year-held", "bfcl-smollm2-strings-apart", "bfcl-smollm2-strings-meant", "bfcl-smollm2-joints", "bfcl-smollm2-possessive",
    "bfcl-smollm2-calls-more-apart", "bfcl-smollm2-calls-more-apart-own", "bfcl-smollm2-joined-names",
    "bfcl-smollm2-doubt-before-more", "bfcl-smollm2-names-whole", "bfcl-smollm2-names-labelled",
    "bfcl-smollm2-java-grounded", "bfcl-smollm2-java-numbers", "bfcl-smollm2-java-quoted", "bfcl-smollm2-java-apart",
    "bfcl-smollm2-java-labelled", "bfcl-smollm2-numbers-left", "bfcl-smollm2-pairs-left",
    "bfcl-smollm2-place-examples", "bfcl-smollm2-lists-held", "bfcl-smollm2-numbers-shared", "bfcl-smollm2-lists-held-rest",
    "bfcl-smollm2-numbers-labelled", "bfcl-smollm2-when-left", "bfcl-smollm2-relative-named", "bfcl-smollm2-calls-once",
    "bfcl-smollm2-relative-fix", "bfcl-smollm2-options-misplaced", "bfcl-smollm2-negation-clause",
    "bfcl-smollm2-numbers-swapped", "bfcl-smollm2-items-left", "bfcl-smollm2-calls-mixed", "bfcl-smollm2-gate-gain-best",
    "bfcl-smollm2-asked-arithmetic", "bfcl-smollm2-role-unsaid", "bfcl-smollm2-by-joint", "bfcl-smollm2-arithmetic-undone", "bfcl-smollm2-email", "bfcl-smollm2-request-leads", "bfcl-smollm2-places-repeated", "bfcl-smollm2-coded-ends", "bfcl-smollm2-initialisms",
    "bfcl-smollm2-lists-given", "bfcl-smollm2-times-alone", "bfcl-smollm2-year-slip", "bfcl-smollm2-name-heads",
    "bfcl-smollm2-relative-words", "bfcl-smollm2-id-labels", "bfcl-smollm2-possessives", "bfcl-smollm2-today-named", "bfcl-smollm2-asked-dates", "bfcl-smollm2-hours",
    "bfcl-smollm2-items-elsewhere", "bfcl-smollm2-glued-times", "bfcl-smollm2-hyphened-members", "bfcl-smollm2-country-codes", "bfcl-smollm2-negated-flags", "bfcl-smollm2-west-south", "bfcl-smollm2-iso-countries", "bfcl-smollm2-number-lists-arithmetic", "bfcl-smollm2-commands-asked", "bfcl-smollm2-us-city-states", "bfcl-smollm2-has-flags",
)

REFUSAL_RIGHT = ("irrelevance", "live_irrelevance")  # where BFCL scores an answer without calls right

ORDER = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance", "live_simple",
         "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance",
         "simple_java", "simple_javascript")


def case_number(case_id: str) -> int:
    """BFCL's index of a case within its category: simple_python_12 -> 12, live_simple_51-23-0 -> 51."""
    return int(case_id.rsplit("_", 1)[1].split("-")[0])


def merged(files: tuple[str, ...] = FILES) -> dict[str, dict]:
    """Each case's latest constrained answer: id -> the case row with its ``source`` file."""
    cases: dict[str, dict] = {}
    for name in files:
        for row in json.loads((RESULTS / f"{name}.json").read_text())["cases"]:
            if row["mode"] == "constrained":
                cases[row["id"]] = {**row, "source": name}
    return cases


def table(cases: dict[str, dict]) -> list[dict]:
    rows = []
    for category in ORDER:
        mine = [r for r in cases.values() if r["category"] == category]
        if not mine:
            continue
        first = [r for r in mine if case_number(r["id"]) < 100]
        rows.append({"category": category, "first_100": len(first), "first_100_right": sum(r["valid"] for r in first),
                     "cases": len(mine), "right": sum(r["valid"] for r in mine)})
    return rows


def evidence(row: dict) -> float:
    """The gate's evidence for an answer: its question's gain, or its best function's own gain
    where that is more (``--gate-gain best``; the function gains are recorded where there are
    several functions and the gate read them), plus ``WORD_NATS`` per shared word; without bound
    where the question asks for just the arithmetic a function's name says or a command it runs (``asked_operation``),
    which the gate lets call at any margin."""
    if row.get("asked_operation"):
        return math.inf
    return max([row["gain_nats"], *(row.get("function_gains") or {}).values()]) + WORD_NATS * row.get("shared_words", 0)


def at_margin(cases: dict[str, dict], margin: float) -> dict[str, tuple[int, int]]:
    """Per category, the right answers and the cases had the gate's margin been ``margin`` (at
    least GATE_NATS; see the module's docstring)."""
    if margin < GATE_NATS:
        raise ValueError(f"margin {margin}: below the runs' own {GATE_NATS}, the cases it would let call were never "
                         "answered with calls; benchmarks/bfcl_gate_curve.py answers them")
    out: dict[str, tuple[int, int]] = {}
    for category in ORDER:
        mine = [r for r in cases.values() if r["category"] == category]
        if mine:
            right = sum(r["valid"] if evidence(r) > margin else category in REFUSAL_RIGHT for r in mine)
            out[category] = (right, len(mine))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write every case's verdict and source file here")
    parser.add_argument("--margins", help="comma-separated gate margins (nats, each at least 3.5): also the whole "
                        "categories as the gate would leave them there")
    args = parser.parse_args(argv)
    try:
        margins = [float(m) for m in args.margins.split(",")] if args.margins else []
        cases = merged()
        stricter = [at_margin(cases, m) for m in margins]
    except ValueError as e:
        parser.error(f"--margins {args.margins}: {e}")
    print(f"{'category':24} {'first 100':>14} {'answered':>9} {'whole':>16}")
    for row in table(cases):
        first = f"{row['first_100_right']}/{row['first_100']} {100 * row['first_100_right'] / row['first_100']:.0f} %"
        whole = f"{row['right']}/{row['cases']} {100 * row['right'] / row['cases']:.2f} %"
        print(f"{row['category']:24} {first:>14} {row['cases']:>9} {whole:>16}")
    if margins:
        print(f"\nwhole categories at stricter gate margins (the gain, or the best function's own where more, + {WORD_NATS} nats per shared word over the margin)")
        print(f"{'category':24}" + "".join(f"{m:>16g}" for m in margins))
        for category in stricter[0]:
            print(f"{category:24}" + "".join(f"{100 * at[category][0] / at[category][1]:>14.2f} %" for at in stricter))
    if args.json:
        args.json.write_text(json.dumps({i: {"valid": r["valid"], "source": r["source"], "output": r["output"]}
                                         for i, r in sorted(cases.items())}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
