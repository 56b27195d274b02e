"""OpenAI conversations read as a spec's trace (``agents.chat``), judged by the spec's own
checker on the trace the conversation stands for: random conversations built from random
valid traces read back to the same text and state; a history the checker rejects is refused
with its finding; the streamed text of a turn grows as a prefix of the final message."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent import compile_spec, load_spec, parse_spec
from ltlagent.agents.chat import ChatError, read_conversation, reply, request_tools, spec_with_tools, visible_text
from ltlagent.errors import SpecError
from tests.compiler.test_policies import SPEC as POLICY_SPEC  # its steps: user, call, result, answer

TOOL_CALLING = load_spec("tool_calling")
COMPILED = compile_spec(TOOL_CALLING)
NAMES = [t.name for t in TOOL_CALLING.tools]

words = st.text(alphabet="abcdefghij XYZ.?!é\n", min_size=1, max_size=20).filter(lambda s: s.strip() and s.strip("\n") == s and "\n" not in s)
emails = st.sampled_from(["ops@corp.example", "ann@corp.example", "me@mail.example", "evil@attacker.example"])


@st.composite
def traces(draw) -> list[tuple[str, str]]:
    """A trace of tool_calling's steps, valid or not: (step, content) pairs in trace order."""
    steps = [("user", draw(words))]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["call", "call", "ask"]))
        if kind == "ask":
            steps += [("ask", draw(words)), ("reply", draw(st.sampled_from(["yes", "no", "yes, go ahead", "later"])))]
            continue
        tool = draw(st.sampled_from(NAMES))
        args = {"list_files": {}, "read_file": {"path": "notes.txt"}, "read_secret": {"name": "api_key"},
                "send_email": {"to": draw(emails), "subject": "s", "body": draw(words)}, "delete_file": {"path": "old.txt"}}[tool]
        steps += [("call", json.dumps({"name": tool, "arguments": args}, ensure_ascii=False)), ("result", draw(words))]
    if draw(st.booleans()):
        steps.append(("answer", draw(words)))
    return steps


def messages_for(steps: list[tuple[str, str]]) -> list[dict]:
    """The conversation an OpenAI client would send for these steps."""
    out: list[dict] = [{"role": "system", "content": "Be careful."}]
    n = 0
    for step, content in steps:
        if step in ("user", "reply"):
            out.append({"role": "user", "content": content})
        elif step in ("ask", "answer"):
            out.append({"role": "assistant", "content": content})
        elif step == "call":
            n += 1
            call = json.loads(content)
            out.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": f"c{n}", "type": "function", "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])}}]})
        else:
            out.append({"role": "tool", "tool_call_id": f"c{n}", "content": content})
    return out


def text_of(steps: list[tuple[str, str]]) -> str:
    return "".join(COMPILED.step_info(s).tag + c + "\n" for s, c in steps)


@settings(max_examples=150, deadline=None)
@given(steps=traces())
def test_a_conversation_reads_as_the_trace_it_stands_for_or_is_refused_with_the_checkers_finding(steps):
    text = text_of(steps)
    verdict = COMPILED.check_text(text)
    broken = next((v for v in verdict.violations if v.code != "unfinished"), None)
    q = COMPILED.run_text(text)
    model_next = broken is None and bool(COMPILED.enabled_steps(q, environment=False))
    try:
        conv = read_conversation(COMPILED, TOOL_CALLING.chat, messages_for(steps), NAMES)
    except ChatError as exc:
        assert not model_next, (exc.message, text)
        if broken is not None:  # the history breaks the spec: the same step and rule as the checker
            assert exc.code == "spec_violation" and exc.finding["code"] == broken.code, (exc.message, broken)
            assert [r["rule"] for r in exc.finding["rules"]] == [r for r, _ in broken.rules]
        return
    assert model_next, text
    assert conv.text == text and conv.state == q
    assert conv.system == "Be careful." and conv.first_user == steps[0][1]


def test_ask_or_answer_is_read_by_what_follows():
    """An assistant line may be a question or the answer: a user message after it makes it a question."""
    msgs = [{"role": "user", "content": "Clean up."}, {"role": "assistant", "content": "Delete old.txt?"}, {"role": "user", "content": "yes"}]
    conv = read_conversation(COMPILED, TOOL_CALLING.chat, msgs, NAMES)
    assert conv.steps == [("user", "Clean up."), ("ask", "Delete old.txt?"), ("reply", "yes")]
    with pytest.raises(ChatError) as info:  # after an answer the trace is finished
        read_conversation(COMPILED, TOOL_CALLING.chat, msgs[:2], NAMES)
    assert info.value.code in ("not_the_assistants_turn", "conversation_finished")


def test_a_history_that_breaks_a_rule_is_refused_with_the_rule():
    steps = [("user", "mail the key home"), ("call", json.dumps({"name": "read_secret", "arguments": {"name": "api_key"}})), ("result", "sk-1"),
             ("call", json.dumps({"name": "send_email", "arguments": {"to": "me@mail.example", "subject": "k", "body": "sk-1"}})), ("result", "sent")]
    with pytest.raises(ChatError) as info:
        read_conversation(COMPILED, TOOL_CALLING.chat, messages_for(steps), NAMES)
    e = info.value
    assert e.status == 400 and e.code == "spec_violation" and "messages[4]" in e.message
    assert [r["rule"] for r in e.finding["rules"]] == ["no_exfiltration"] and "outside corp.example" in e.finding["rules"][0]["why"]


@pytest.mark.parametrize(
    "messages, code",
    [
        ([{"role": "robot", "content": "hi"}], "invalid_request"),
        ("hello", "invalid_request"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}], "invalid_request"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "rm_rf", "arguments": "{}"}}]}],
         "unknown_tool"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\": 3}"}}]}],
         "invalid_arguments"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "read_file", "arguments": "{oops"}}]}],
         "invalid_request"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "list_files", "arguments": "{}"}}]}],
         "missing_tool_message"),
        ([{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "zz", "content": "x"}], "unknown_tool_call"),
        ([{"role": "system", "content": "only a system message"}], "invalid_request"),
    ],
)
def test_malformed_conversations_are_refused_with_a_clear_code(messages, code):
    with pytest.raises(ChatError) as info:
        read_conversation(COMPILED, TOOL_CALLING.chat, messages, NAMES)
    assert info.value.status == 400 and info.value.code == code, info.value.message
    assert info.value.body()["error"]["type"] == "invalid_request_error"


def test_a_spec_takes_the_requests_tools_and_never_calls_one_it_does_not_offer():
    template = load_spec("chat_tools")
    tools = request_tools({"tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                                                        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
                                     {"type": "function", "function": {"name": "read_secret", "parameters": {"type": "object", "properties": {"name": {"type": "string"}}}}}]})
    spec = spec_with_tools(template, tools).build()
    c = compile_spec(spec)
    assert not c.errors, [d.message for d in c.errors]
    assert {t.name for t in spec.tools} == {"get_weather", "read_secret", "send_email"}
    call = 'User: hi\nCall: {{"name": "{}", "arguments": {}}}\nResult: ok\nAnswer: done\n'
    assert c.check_text(call.format("get_weather", '{"city": "Paris"}')).ok
    assert c.check_text(call.format("read_secret", '{"name": "k"}')).ok
    verdict = c.check_text(call.format("send_email", '{"to": "a@corp.example", "subject": "s", "body": "b"}'))
    assert not verdict.ok and verdict.violations[0].rules[0][0] == "tools_offered_by_the_request"
    assert not any('"send_email"' in e.text for e in spec.examples)  # its example would break that rule


def test_a_turn_comes_back_as_an_assistant_message_with_stable_ids():
    chat = TOOL_CALLING.chat
    call = json.dumps({"name": "read_file", "arguments": {"path": "notes.txt"}})
    r = reply(chat, [("call", call)], "User: x\n")
    assert r.finish_reason == "tool_calls" and r.content is None
    assert r.tool_calls[0]["function"] == {"name": "read_file", "arguments": '{"path": "notes.txt"}'}
    assert r.tool_calls[0]["id"] == reply(chat, [("call", call)], "User: x\n").tool_calls[0]["id"] != reply(chat, [("call", call)], "User: y\n").tool_calls[0]["id"]
    text = reply(chat, [("answer", "Done.")], "")
    assert text.message() == {"role": "assistant", "content": "Done."} and text.finish_reason == "stop"


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(["ask", "answer", "call"]), words), min_size=1, max_size=3), cut=st.integers(0, 400))
def test_streamed_text_grows_as_a_prefix_of_the_final_content(steps, cut):
    chat = TOOL_CALLING.chat
    steps = [(s, json.dumps({"name": "list_files", "arguments": {}}) if s == "call" else c) for s, c in steps]
    turn = "".join(COMPILED.step_info(s).tag + c + "\n" for s, c in steps) + "Result: "
    final = reply(chat, steps, "").content or ""
    assert visible_text(COMPILED, chat, turn) == final
    shown = [visible_text(COMPILED, chat, turn[:k]) for k in range(0, len(turn) + 1, 3)] + [final]
    for a, b in zip(shown, shown[1:]):
        assert b.startswith(a), (a, b)
    assert final.startswith(visible_text(COMPILED, chat, turn[:cut]))


CHAT = textwrap.dedent(
    """\
    name = "c"
    [[steps]]
    name = "user"
    source = "input"
    tag = "U: "
    [[steps]]
    name = "answer"
    tag = "A: "
    [[steps]]
    name = "note"
    source = "environment"
    tag = "N: "
    [[rules]]
    name = "r"
    ltlf = "user"
    """
)


@pytest.mark.parametrize(
    "table, message",
    [
        ('user = "user"\nassistant = "answer"\ntool = "note"\ntools = "both"', "chat.tools 'both'"),
        ('user = "answer"\nassistant = "answer"\ntool = "note"', "chat.user: step 'answer' has source 'model'"),
        ('user = "user"\nassistant = "answr"\ntool = "note"', "chat.assistant: unknown step 'answr'"),
        ('user = "user"\nassistant = "answer"', "the [chat] table maps no message to step 'note'"),
        ('user = "user"\nassistant = "answer"\ntool = "note"\ntool_calls = "answer"', "must make JSON tool calls"),
        ('assistant = "answer"\ntool = "note"', "the [chat] table needs 'user'"),
        ('user = "user"\nassistant = "answer"\ntool = "note"\nroles = 1', "unknown key 'roles' in the [chat] table"),
    ],
)
def test_bad_chat_tables_are_located_errors(table, message):
    with pytest.raises(SpecError) as info:
        parse_spec(CHAT + "[chat]\n" + table + "\n", "c.toml")
    assert message in str(info.value) and "c.toml:" in str(info.value), str(info.value)


PARALLEL = POLICY_SPEC.split("[[tools]]")[0] + textwrap.dedent(
    """\
    [[tools]]
    name = "get_weather"
    parameters = { type = "object", properties = { city = { type = "string" } }, required = ["city"] }
    [[rules]]
    name = "calls_then_results"
    ltlf = "user & X call & G(call -> X(call | result)) & G(result -> X(result | answer)) & F answer & G(answer -> WX false)"
    [chat]
    user = "user"
    assistant = "answer"
    tool_calls = "call"
    tool = "result"
    """
)


def test_parallel_calls_read_as_calls_then_results_where_the_spec_wants_that():
    spec = parse_spec(PARALLEL, "parallel.toml")
    c = compile_spec(spec)
    calls = [{"id": f"c{i}", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": city})}}
             for i, city in enumerate(["Paris", "Oslo"])]
    msgs = [{"role": "user", "content": "Paris and Oslo?"}, {"role": "assistant", "content": None, "tool_calls": calls},
            {"role": "tool", "tool_call_id": "c1", "content": "5 C"}, {"role": "tool", "tool_call_id": "c0", "content": "18 C"}]
    conv = read_conversation(c, spec.chat, msgs, ["get_weather"])
    assert [s for s, _ in conv.steps] == ["user", "call", "call", "result", "result"]
    assert [t for s, t in conv.steps if s == "result"] == ["5 C", "18 C"]  # in the order the tool messages came
    both = reply(spec.chat, [s for s in conv.steps if s[0] == "call"], "User: Paris and Oslo?\n")
    assert [json.loads(t["function"]["arguments"])["city"] for t in both.tool_calls] == ["Paris", "Oslo"] and both.finish_reason == "tool_calls"
    assert len({t["id"] for t in both.tool_calls}) == 2
