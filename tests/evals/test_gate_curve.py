"""benchmarks/bfcl_gate_curve.py: the accuracy a gate would have at another margin and word weight,
read off one run and the answers of the cases it turned away, against the answers themselves."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bfcl_gate_curve import MARGINS, accuracy_by_margin  # noqa: E402

CATEGORIES = ("live_simple", "irrelevance", "live_relevance")
CASES = st.lists(st.tuples(st.sampled_from(CATEGORIES), st.floats(-5, 12).map(lambda g: round(g, 2)), st.integers(0, 4), st.booleans()),
                 min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(cases=CASES, run_margin=st.sampled_from([1.0, 3.5, 5.0]), run_words=st.sampled_from([0.0, 1.0]), words=st.sampled_from([0.0, 1.0, 2.0]))
def test_the_curve_is_what_each_case_would_score_at_each_margin(cases, run_margin, run_words, words):
    """Each case has the verdict of its answer with calls (``right_if_called``) and of the refusal
    (right only in irrelevance). The run shows the first where its gate let the case call, the
    second elsewhere; the reopened answers show the first for the cases it turned away. The curve
    must equal, margin by margin, the share of cases whose verdict under that gate is right."""
    rows, reopened = [], []
    for i, (category, gain, shared, right_if_called) in enumerate(cases):
        refusal_right = category == "irrelevance"
        called = gain + run_words * shared > run_margin
        rows.append({"id": str(i), "category": category, "gain_nats": gain, "shared_words": shared,
                     "valid": right_if_called if called else refusal_right})
        if not called:
            reopened.append({"id": str(i), "valid": right_if_called})
    present = sorted({c for c, *_ in cases})
    curve = accuracy_by_margin(rows, reopened, (run_margin, run_words), present, words)
    for m in MARGINS:
        for category in present:
            mine = [(g, s, r) for c, g, s, r in cases if c == category]
            right = sum((r if g + words * s > m else category == "irrelevance") for g, s, r in mine)
            assert curve["open" if m == -math.inf else str(m)][category] == round(100 * right / len(mine), 1)


@settings(max_examples=200, deadline=None)
@given(cases=st.lists(st.tuples(st.sampled_from(["simple_python", "irrelevance", "live_irrelevance", "live_relevance"]),
                                st.floats(-5, 40).map(lambda g: round(g, 2)), st.integers(0, 6), st.booleans(), st.booleans()),
                      min_size=1, max_size=30),
       margin=st.floats(3.5, 50))
def test_a_stricter_margin_read_off_the_merged_answers_is_what_each_case_would_score(cases, margin):
    """bfcl_table.at_margin: a case keeps its verdict where its evidence (gain plus a nat per shared
    word) is over the margin or the question asked for just a function's arithmetic (which the
    gate passes at any margin), and takes the refusal's elsewhere, right only in irrelevance and
    live_irrelevance. At the runs' own margin it is the table itself."""
    import pytest
    from bfcl_table import at_margin, table

    rows = {f"{c}_{i}": {"id": f"{c}_{i}", "category": c, "gain_nats": g, "shared_words": s,
                         "valid": right if asked or g + s > 3.5 else c in ("irrelevance", "live_irrelevance"),  # the run's refusals below its margin
                         **({"asked_operation": "add"} if asked else {})}
            for i, (c, g, s, right, asked) in enumerate(cases)}
    at = at_margin(rows, margin)
    for category in {c for c, *_ in cases}:
        mine = [(g, s, r, asked) for c, g, s, r, asked in cases if c == category]
        right = sum((r if asked or g + s > margin else category in ("irrelevance", "live_irrelevance")) for g, s, r, asked in mine)
        assert at[category] == (right, len(mine))
    assert {r["category"]: (r["right"], r["cases"]) for r in table(rows)} == at_margin(rows, 3.5)
    with pytest.raises(ValueError, match="below the runs' own"):
        at_margin(rows, 3.4)
