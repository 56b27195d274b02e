"""Bounds on number arguments (``type = "number"``, and pydantic's optional ``anyOf`` number
or null): judged against :class:`decimal.Decimal` on the text as written, for the bound
regexes, for ``check_text`` and for rollouts under the masks lured toward amounts out of bounds."""

from __future__ import annotations

import json
import random
import re
import textwrap
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, parse_spec
from ltlagent.compiler.regexes import number_bound
from tests.compiler.test_policies import SPEC as POLICY_SPEC  # its steps: user, call, result, answer
from tests.compiler.test_policies import lured_rollout

SPEC = POLICY_SPEC.split("[[tools]]")[0] + textwrap.dedent(
    """\
    [[tools]]
    name = "send_money"
    parameters = { type = "object", properties = { recipient = { type = "string" }, amount = { type = "number" } }, required = ["recipient", "amount"], additionalProperties = false }

    [[tools]]
    name = "update_order"
    parameters = { type = "object", properties = { id = { type = "integer" }, amount = { anyOf = [{ type = "number" }, { type = "null" }] } }, required = ["id"], additionalProperties = false }

    [[policies]]
    tool = "send_money"
    arguments = { recipient = { enum = ["alice", "bob"] }, amount = { minimum = 0.01, maximum = 1810 } }

    [[policies]]
    tool = "update_order"
    arguments = { amount = { minimum = -2.5, maximum = 1810.5 } }

    [[rules]]
    name = "shape"
    ltlf = "user & X G !user & G(call -> X result) & G(result -> X(call | answer)) & F answer & G(answer -> WX false)"
    """
)

NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def within(text: str, low: Decimal | None, high: Decimal | None) -> bool:
    """The oracle: a JSON number text without an exponent, compared by value."""
    if not NUMBER.fullmatch(text) or "e" in text.lower():
        return False
    v = Decimal(text)
    return (low is None or v >= low) and (high is None or v <= high)


def allowed(call: dict, raw_amount: str | None) -> bool:
    """The policy table above, written out on the amount's text as the call wrote it."""
    if call["name"] == "send_money":
        return call["arguments"]["recipient"] in ("alice", "bob") and within(raw_amount or "", Decimal("0.01"), Decimal(1810))
    if "amount" not in call["arguments"]:
        return True  # an absent optional argument meets its conditions
    return raw_amount is not None and within(raw_amount, Decimal("-2.5"), Decimal("1810.5"))


def raw_amount(call_text: str) -> str | None:
    m = re.search(r'"amount": ([^,}]+)', call_text)
    return m.group(1) if m else None


number_texts = st.builds(
    lambda sign, whole, frac, exp: sign + whole + frac + exp,
    st.sampled_from(["", "", "-"]),
    st.one_of(st.just("0"), st.integers(1, 10**6).map(str), st.sampled_from(["1810", "1811", "1809", "2", "10000000000"])),
    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=5).map(lambda d: "." + d)),
    st.sampled_from(["", "", "", "e2", "E-1", "e+0", "e39"]),
)
bounds = st.one_of(st.integers(-10**5, 10**5), st.decimals(-10**4, 10**4, places=3).map(str), st.sampled_from([0, "0.01", 1810, "1810.5", "-2.5"]))


@settings(max_examples=300, deadline=None)
@given(bound=bounds, texts=st.lists(number_texts, min_size=1, max_size=40), above=st.booleans())
def test_a_number_bound_reads_the_digits_as_written(bound, texts, above):
    r = number_bound(bound, above=above)
    b = Decimal(str(bound))
    for t in texts + ["0", "-0", "-0.0", str(bound)]:
        expected = within(t, b, None) if above else within(t, None, b)
        assert (re.fullmatch(r, t) is not None) == expected, (bound, above, t, r)


def call_text(name: str, args: str) -> str:
    return f'{{"name": "{name}", "arguments": {args}}}'


def test_check_text_reads_number_bounds_on_the_text_as_written():
    c = compile_spec(parse_spec(SPEC, "bank.toml"))
    assert not c.errors, [d.message for d in c.errors]
    rng = random.Random(0)
    amounts = ["100", "100.50", "1810", "1810.0", "1810.000001", "1810.0000000000000001", "1e3", "1E3", "1e39", "0", "0.01", "0.001",
               "-0.0", "-2.5", "-2.50", "-2.51", "1810.5", "1810.50001", "-5", "null", '"5"', "true"]
    seen = set()
    for _ in range(400):
        if rng.random() < 0.5:
            who = rng.choice(["alice", "bob", "eve"])
            text = call_text("send_money", f'{{"recipient": "{who}", "amount": {rng.choice(amounts)}}}')
        else:
            text = call_text("update_order", rng.choice(['{"id": 1}', f'{{"id": 1, "amount": {rng.choice(amounts)}}}']))
        try:
            call = json.loads(text)
        except ValueError:
            continue
        schema_ok = call["name"] != "send_money" or isinstance(call["arguments"].get("amount"), (int, float)) and not isinstance(
            call["arguments"]["amount"], bool)
        schema_ok = schema_ok and (call["name"] != "update_order" or call["arguments"].get("amount") is None
                                   or isinstance(call["arguments"]["amount"], (int, float)) and not isinstance(call["arguments"]["amount"], bool))
        expected = schema_ok and allowed(call, raw_amount(text))
        verdict = c.check_text(f"User: pay\nCall: {text}\nResult: ok\nAnswer: done\n").ok
        assert verdict == expected, text
        seen.add(expected)
    assert seen == {True, False}


def test_no_amount_out_of_bounds_is_written_even_by_a_model_that_tries():
    """Rollouts under the masks lured toward amounts the policy refuses (an exponent, a digit
    past the bound, a negative, null) and toward ones it allows: wherever the masks stop the
    lure the rollout goes on at random. Every call written is allowed, read on its text."""
    from ltlagent.decoders.guide import SpecGuide
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    c = compile_spec(parse_spec(SPEC, "bank.toml"))
    index = build_token_index(c, byte_level_tokenizer())
    lures = ['{"recipient": "alice", "amount": 1e39}', '{"recipient": "bob", "amount": 1810.0000001}', '{"recipient": "bob", "amount": -5}',
             '{"recipient": "alice", "amount": 100.50}', '{"recipient": "alice", "amount": 0.001}', '{"recipient": "bob", "amount": 1810}',
             '{"id": 7, "amount": null}', '{"id": 7, "amount": 1810.51}', '{"id": 7, "amount": -2.5}', '{"id": 7}']
    written = []
    for seed in range(20):
        rng = random.Random(seed)
        args = lures[seed % len(lures)]
        lure = "Call: " + call_text("update_order" if '"id"' in args else "send_money", args) + "\n"
        guide = lured_rollout(SpecGuide(index, max_step_tokens=60, max_steps=6), lure, rng, user="pay")
        assert guide.is_finished and c.check_text(guide.text).ok, (guide.status, guide.error, guide.text)
        for e in guide.events:
            if e.step == "call":
                assert allowed(json.loads(e.text), raw_amount(e.text)), (e.text, guide.text)
                written.append(e.text)
    amounts = [raw_amount(t) for t in written]
    assert "100.50" in amounts and "1810" in amounts and "-2.5" in amounts, amounts  # the allowed lures went through
    assert not any(a and ("e" in a or a in ("-5", "null", "0.001")) for a in amounts), amounts


def test_bad_number_conditions_are_located_errors():
    import pytest

    from ltlagent.errors import SpecError

    for row, message in [
        ('arguments = { amount = { maximum = "1810" } }', "'maximum' must be a number"),
        ("arguments = { amount = { enum = [1, 2] } }", "'enum' is not a condition on a number argument"),
        ("arguments = { amount = { minimum = 10.5, maximum = 10.25 } }", "minimum 10.5 is above maximum 10.25"),
    ]:
        with pytest.raises(SpecError) as info:
            parse_spec(SPEC + '\n[[policies]]\ntool = "send_money"\n' + row + "\n", "bank.toml")
        assert message in str(info.value) and "bank.toml:" in str(info.value), str(info.value)
