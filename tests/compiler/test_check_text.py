"""check_text on random specs and transcripts against the reference evaluator."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, parse_spec, translate_ltlf
from ltlagent.compiler.ltlf import to_text
from tests.reference import holds
from tests.strategies import ltlf_formulas

HEAD = textwrap.dedent(
    """\
    name = "random"

    [[steps]]
    name = "a"
    tag = "A: "

    [[steps]]
    name = "b"
    tag = "B: "
    choices = ["left", "right"]

    [[steps]]
    name = "c"
    source = "environment"
    tag = "C: "

    [[propositions]]
    name = "flag"
    step = "c"
    matching = 'ERR.*'
    """
)
ATOMS = ("a", "b", "c", "flag")
CONTENT = {"a": ["x", "hello world"], "b": ["left", "right"], "c": ["ERR 1", "fine", "ERR"]}


@settings(max_examples=300)
@given(
    st.lists(ltlf_formulas(ATOMS, max_depth=3), min_size=1, max_size=3),
    st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 2)), min_size=1, max_size=6),
)
def test_check_text_agrees_with_the_evaluator(formulas, steps):
    rules = "".join(f'\n[[rules]]\nname = "r{i}"\nltlf = "{to_text(f)}"\n' for i, f in enumerate(formulas))
    compiled = compile_spec(parse_spec(HEAD + rules, "random.toml"))
    lines, trace = [], []
    for step, k in steps:
        content = CONTENT[step][k % len(CONTENT[step])]
        lines.append(f"{step.upper()}: {content}")
        trace.append(frozenset({step} | ({"flag"} if step == "c" and content.startswith("ERR") else set())))
    verdict = compiled.check_text("\n".join(lines) + "\n")
    expected = all(holds(f, trace) for f in formulas)
    assert verdict.ok == expected, [v.render() for v in verdict.violations]
    if not verdict.ok:
        (v,) = verdict.violations
        assert v.kind in ("rule", "unfinished")
        if v.kind == "rule":
            # the prefix up to the blamed step can be completed by no trace, the prefix before it can
            assert v.step_index is not None


def test_format_violation_for_a_bad_choice():
    compiled = compile_spec(parse_spec(HEAD + '\n[[rules]]\nltlf = "true"\n', "random.toml"))
    (v,) = compiled.check_text("B: up\n").violations
    assert v.kind == "format" and "one of 'left', 'right'" in v.message


def test_accepts_rejects_string_steps():
    with pytest.raises(TypeError, match="set of atom names"):
        translate_ltlf("a").accepts(["a"])


def test_split_reads_the_text_a_bounded_number_of_times():
    """Linear, not quadratic: the characters ``split`` scans grow with the text (counted, not timed)."""
    from ltlagent import load_spec

    class Spy(str):
        scanned = 0

        def count(self, sub, start=0, end=None):  # type: ignore[override]
            Spy.scanned += (len(self) if end is None else end) - start
            return super().count(sub, start, end)

        def find(self, sub, start=0, end=None):  # type: ignore[override]
            found = super().find(sub, start, end)
            Spy.scanned += (found if found >= 0 else len(self)) - start
            return found

    c = compile_spec(load_spec("react"))
    body = "Question: q\n" + "Thought: hmm\nAction: search[x]\nObservation: y\n" * 3000 + "Thought: ok\nFinal Answer: z\n"
    pieces, problem = c.split(Spy(body))
    assert problem is None and len(pieces) == 9003
    assert Spy.scanned <= 4 * len(body)


def test_carriage_returns_are_text_on_both_sides():
    from ltlagent import load_spec

    c = compile_spec(load_spec("aiot"))
    ok = next(e.text for e in load_spec("aiot").examples if e.valid and "[STOP]\n" in e.text)
    assert c.check_text(ok).ok
    crlf = ok.replace("\n", "\r\n")
    verdict = c.check_text(crlf)
    # "[STOP]\r" is not a stop (as the decoder reads it), so the dialogue has not ended.
    stop = next(s for s in verdict.steps if s.text.endswith("[STOP]\r"))
    assert stop.letter == "ida{!ida_stop}"
    assert not verdict.ok and verdict.violations[0].kind == "unfinished"
    blank_lines = ok.replace("\n", "\n \t\r\n", 1)
    assert c.check_text(blank_lines).ok  # lines of spaces, tabs and \r between steps are skipped


def test_json_calls_with_integers_of_any_length():
    from ltlagent import parse_spec

    spec = parse_spec(
        'name = "n"\n[[steps]]\nname = "call"\ntag = "C: "\ntool_call = "json"\n[[tools]]\nname = "f"\n'
        'parameters = { type = "object", properties = { n = { type = "integer" } }, required = ["n"] }\n'
    )
    c = compile_spec(spec)
    assert c.check_text('C: {"name": "f", "arguments": {"n": ' + "7" * 5000 + "}}\n").ok


def test_letter_for_and_next_state_answer_the_protocol_questions():
    from ltlagent import load_spec
    from ltlagent.compiler.automaton import DEAD

    c = compile_spec(load_spec("tool_calling"))
    call = '{"name": "send_email", "arguments": {"to": "%s", "subject": "s", "body": "b"}}'
    inside = c.letter_for("call", call % "ops@corp.example")
    outside = c.letter_for("call", call % "x@evil.test")
    assert inside is not None and outside is not None and inside != outside
    assert "external_recipient" in outside.atoms and "external_recipient" not in inside.atoms
    assert c.letter_for("call", "not json") is None
    assert c.next_state(DEAD, inside) == DEAD
    q = c.next_state(c.dfa.initial, c.letter_for("user", "hi"))
    assert q != DEAD and c.next_state(q, inside) != DEAD
