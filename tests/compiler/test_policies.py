"""Policy tables ([[policies]]): deny by default, argument conditions, past-time ``when``.
Judged by the policy semantics written out in Python (not through the compiler), on random
call sequences for check_text and on rollouts under the masks, hostile ones included."""

from __future__ import annotations

import json
import random
import re
import textwrap

import pytest

from ltlagent import compile_spec, parse_spec
from ltlagent.errors import SpecError

SPEC = textwrap.dedent(
    """\
    name = "bank"

    [[steps]]
    name = "user"
    source = "input"
    tag = "User: "

    [[steps]]
    name = "call"
    tag = "Call: "
    tool_call = "json"

    [[steps]]
    name = "result"
    source = "environment"
    tag = "Result: "

    [[steps]]
    name = "answer"
    tag = "Answer: "
    regex = '[a-z ]+'

    [[tools]]
    name = "read_inbox"
    parameters = { type = "object", properties = {}, additionalProperties = false }

    [[tools]]
    name = "send_money"
    parameters = { type = "object", properties = { recipient = { type = "string" }, amount = { type = "integer" }, note = { type = "string" } }, required = ["recipient", "amount"], additionalProperties = false }

    [[tools]]
    name = "send_email"
    parameters = { type = "object", properties = { to = { type = "array", items = { type = "string" } }, cc = { type = "array", items = { type = "string" } }, body = { type = "string" } }, required = ["to", "body"], additionalProperties = false }

    [[tools]]
    name = "delete_account"
    parameters = { type = "object", properties = {}, additionalProperties = false }

    [[policies]]
    tool = "read_inbox"

    [[policies]]
    tool = "send_money"
    arguments = { recipient = { enum = ["alice", "bob"] }, amount = { minimum = 1, maximum = 100 } }
    when = "!O call.read_inbox"
    why = "Small payments to known people, and none once the inbox (untrusted text) was read."

    [[policies]]
    tool = "send_money"
    arguments = { recipient = { pattern = '[a-z]+@bank\\.example' }, note = { pattern = '[a-z ]*' } }
    why = "Transfers between the user's own accounts are always fine (a note, if any, in plain words)."

    [[policies]]
    tool = "send_money"
    effect = "deny"
    arguments = { recipient = { const = "bob" }, amount = { minimum = 50 } }
    why = "Bob gets less than 50."

    [[policies]]
    tool = "send_email"
    arguments = { to = { items = { pattern = '[a-z]+@corp\\.example' } }, cc = { items = { enum = ["boss@corp.example", "me@home.example"] } } }
    why = "Mail goes to colleagues; a copy only to the boss or the user's own address."

    [[rules]]
    name = "shape"
    ltlf = "user & X G !user & G(call -> X result) & G(result -> X(call | answer)) & F answer & G(answer -> WX false)"
    """
)


def allowed_by_policy(call: dict, history: list[dict]) -> bool:
    """The policy table above, written out directly."""
    name, args = call["name"], call["arguments"]
    if name == "read_inbox":
        return True
    if name == "send_email":  # every item of `to` a colleague; `cc`, if given, only these two
        colleague = all(re.fullmatch(r"[a-z]+@corp\.example", x) for x in args["to"])
        return colleague and all(x in ("boss@corp.example", "me@home.example") for x in args.get("cc", []))
    if name != "send_money":
        return False  # deny by default
    to, amount = args.get("recipient"), args.get("amount")
    known = to in ("alice", "bob") and isinstance(amount, int) and 1 <= amount <= 100 and not any(h["name"] == "read_inbox" for h in history)
    own = isinstance(to, str) and re.fullmatch(r"[a-z]+@bank\.example", to) is not None and re.fullmatch("[a-z ]*", args.get("note", "")) is not None
    denied = to == "bob" and isinstance(amount, int) and amount >= 50
    return (known or own) and not denied


def compiled():
    return compile_spec(parse_spec(SPEC, "bank.toml"))


def random_call(rng: random.Random) -> dict:
    name = rng.choice(["read_inbox", "send_money", "send_money", "send_email", "send_email", "delete_account"])
    if name == "send_email":
        people = ["ann@corp.example", "bob@corp.example", "Ann@corp.example", "eve@evil.example", "boss@corp.example",
                  "me@home.example", 'a"b@corp.example', "é@corp.example"]
        args = {"to": rng.sample(people, rng.randint(0, 3)), "body": "hi"}
        if rng.random() < 0.5:
            args["cc"] = rng.sample(people, rng.randint(0, 2))
        return {"name": name, "arguments": args}
    if name != "send_money":
        return {"name": name, "arguments": {}}
    args = {"recipient": rng.choice(["alice", "bob", "carol", "me@bank.example", "Me@bank.example", "eve@evil.example"]),
            "amount": rng.choice([-3, 0, 1, 7, 49, 50, 99, 100, 101, 1000])}
    if rng.random() < 0.4:
        args["note"] = rng.choice(["rent", "Rent", "", "rent 2"])
    return {"name": name, "arguments": args}


def test_check_text_reads_the_policy_table_as_written():
    c = compiled()
    assert not c.errors, [d.message for d in c.errors]
    rng = random.Random(0)
    verdicts = set()
    for _ in range(300):
        calls = [random_call(rng) for _ in range(rng.randint(1, 3))]
        text = "User: pay\n" + "".join(f"Call: {json.dumps(x)}\nResult: ok\n" for x in calls) + "Answer: done\n"
        expected = all(allowed_by_policy(x, calls[:i]) for i, x in enumerate(calls))
        assert c.check_text(text).ok == expected, text
        verdicts.add(expected)
    assert verdicts == {True, False}


def test_a_forbidden_call_is_never_written_even_by_a_model_that_tries():
    """Rollouts under the masks, some hostile (preferring tokens that spell forbidden calls):
    every call written is one the policy allows, at the point it is written."""
    from ltlagent.decoders.guide import ENVIRONMENT, RUNNING, SpecGuide
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    c = compiled()
    index = build_token_index(c, byte_level_tokenizer())
    vocab = index.vocab.tokens
    lures = (b"del", b"car", b"eve", b"1", b"9", b"0", b"b", b"read", b"send", b"cc", b"R", b"@")
    calls_written = 0
    for seed in range(30):
        rng = random.Random(seed)
        hostile = seed % 2 == 0
        guide = SpecGuide(index, max_step_tokens=30, max_steps=8)
        while guide.status in (RUNNING, ENVIRONMENT):
            if guide.status == ENVIRONMENT:
                guide.feed_environment("pay" if guide.waiting_for == "user" else "ok")
                continue
            allowed = guide.allowed()
            lured = [t for t in allowed if any(x in (vocab[t] or b"") for x in lures)]
            guide.advance(rng.choice(lured if hostile and lured and rng.random() < 0.8 else allowed))
        assert guide.is_finished, (guide.status, guide.error, guide.text)
        assert c.check_text(guide.text).ok
        calls = [json.loads(e.text) for e in guide.events if e.step == "call"]
        for i, call in enumerate(calls):
            assert allowed_by_policy(call, calls[:i]), (call, guide.text)
        calls_written += len(calls)
    assert calls_written > 0


def test_policies_become_rules_and_propositions_that_check_reports():
    spec = parse_spec(SPEC, "bank.toml")
    rules = {r.name: r for r in spec.rules}
    assert "policy.read_inbox" not in rules  # allowed without conditions: no rule
    assert rules["policy.delete_account"].why == "No policy allows delete_account: denied by default."
    assert "O(call.read_inbox)" in rules["policy.send_money"].ltlf and "Bob gets less than 50." in rules["policy.send_money"].why
    text = 'User: pay\nCall: {"name": "delete_account", "arguments": {}}\nResult: ok\nAnswer: done\n'
    violation = compiled().check_text(text).violations[0].render("bank.toml")
    assert "policy.delete_account" in violation and "denied by default" in violation


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('tool = "wire"', "unknown tool 'wire'"),
        ('tool = "send_money"\neffect = "maybe"', "expected \"allow\" or \"deny\""),
        ('tool = "send_money"\narguments = { iban = { const = "x" } }', "tool 'send_money' has no argument 'iban'"),
        ('tool = "send_money"\narguments = { amount = { pattern = "[0-9]" } }', "'pattern' is not a condition on an integer argument"),
        ('tool = "send_email"\narguments = { to = { pattern = "x" } }', "'pattern' is not a condition on an array-of-strings argument"),
        ('tool = "send_email"\narguments = { to = { items = { minimum = 1 } } }', "'minimum' is not a condition on an item (a string)"),
        ('tool = "send_email"\narguments = { to = { items = "x" } }', "'items' must be a table of conditions"),
        ('tool = "send_money"\narguments = { amount = { minimum = 10, maximum = 5 } }', "minimum 10 is above maximum 5"),
        ('tool = "send_money"\narguments = { amount = { maximum = -5, minimum = 1 } }', "minimum 1 is above maximum -5"),
        ('tool = "send_money"\narguments = { recipient = { enum = [] } }', "'enum' must be a non-empty array of string values"),
        ('tool = "send_money"\nwhen = "O call.wire"', "unknown atom 'call.wire' in policy"),
        ('tool = "send_money"\nwhen = "O (call.read_inbox"', "bad LTLf in policy"),
        ('tool = "send_money"\nallow = true', "unknown key 'allow' in a [[policies]] table"),
    ],
)
def test_bad_policy_tables_are_located_errors(table, message):
    text = SPEC + "\n[[policies]]\n" + table + "\n"
    with pytest.raises(SpecError) as info:
        parse_spec(text, "bank.toml")
    assert message in str(info.value), str(info.value)
    assert "bank.toml:" in str(info.value)


def test_integer_bounds_alone_or_together_read_as_written():
    """A maximum alone (even below zero) or a minimum alone: the regexes match exactly the
    integers in range, as JSON writes them."""
    import re

    from ltlagent.compiler.regexes import integer_range

    rng = random.Random(0)
    bounds = [(None, -5), (3, None), (-20, 7), (0, 0), (123, 4567), (None, None), (-1000, -999)]
    bounds += [tuple(sorted(rng.sample(range(-3000, 3000), 2))) for _ in range(20)]
    for low, high in bounds:
        r = integer_range(low, high)
        for n in list(range(-3100, 3100)) + [10**9, -(10**9)]:
            assert (re.fullmatch(r, json.dumps(n)) is not None) == ((low is None or n >= low) and (high is None or n <= high)), (low, high, n)
        assert re.fullmatch(r, "-0") is None and re.fullmatch(r, "007") is None
    spec = SPEC + '\n[[policies]]\ntool = "send_money"\neffect = "deny"\narguments = { amount = { maximum = 9 } }\n'
    c = compile_spec(parse_spec(spec, "bank.toml"))
    pay = 'User: pay\nCall: {{"name": "send_money", "arguments": {{"recipient": "alice", "amount": {}}}}}\nResult: ok\nAnswer: done\n'
    assert c.check_text(pay.format(50)).ok and not c.check_text(pay.format(5)).ok  # a maximum alone: amounts up to 9 denied


def lured_rollout(guide, lure: str, rng: random.Random, *, user: str):  # noqa: ANN201 - a SpecGuide
    """Run ``guide`` to its end, writing at each token the longest allowed token that goes on
    spelling ``lure`` on the current line, or, where the masks stop it, a random allowed token;
    the user says ``user``, tools say "ok"."""
    from ltlagent.decoders.guide import ENVIRONMENT, RUNNING

    vocab = guide.index.vocab.tokens
    while guide.status in (RUNNING, ENVIRONMENT):
        if guide.status == ENVIRONMENT:
            guide.feed_environment(user if guide.waiting_for == "user" else "ok")
            continue
        line = guide.text.rsplit("\n", 1)[-1].encode()
        rest = lure.encode()[len(line):] if lure.encode().startswith(line) else b""
        allowed = guide.allowed()
        lured = [t for t in allowed if vocab[t] and rest.startswith(vocab[t])]
        guide.advance(max(lured, key=lambda t: len(vocab[t])) if lured else rng.choice(allowed))
    return guide


def test_array_and_optional_argument_conditions_hold_under_hostile_masks():
    """Rollouts steered toward emails the policy forbids (an outside address among the items,
    a ``cc`` outside its list): wherever the masks stop the lure the rollout goes on at random.
    Each email written has every ``to`` item a colleague and a ``cc``, if any, from its list."""
    from ltlagent.decoders.guide import SpecGuide
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    c = compiled()
    index = build_token_index(c, byte_level_tokenizer())
    targets = [
        {"to": ["ann@corp.example", "eve@evil.example"], "body": "hi"},
        {"to": ["ann@corp.example", "bob@corp.example"], "cc": ["me@home.example", "x@evil.example"], "body": "hi"},
        {"to": ["Ann@corp.example"], "cc": [], "body": "hi"},
        {"to": ["bob@corp.example"], "cc": ["boss@corp.example"], "body": "hi"},
    ]
    emails = []
    for seed in range(16):
        rng = random.Random(seed)
        lure = "Call: " + json.dumps({"name": "send_email", "arguments": targets[seed % len(targets)]}) + "\n"
        guide = lured_rollout(SpecGuide(index, max_step_tokens=120, max_steps=6), lure, rng, user="mail")
        assert guide.is_finished and c.check_text(guide.text).ok, (guide.status, guide.error, guide.text)
        calls = [json.loads(e.text) for e in guide.events if e.step == "call"]
        for i, call in enumerate(calls):
            assert allowed_by_policy(call, calls[:i]), (call, guide.text)
        emails += [x["arguments"] for x in calls if x["name"] == "send_email"]
    assert any(x.get("cc") for x in emails) and any(len(x["to"]) > 1 for x in emails), emails
    assert not any("evil" in json.dumps(x) for x in emails), emails
