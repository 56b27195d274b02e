"""The public API: what ``import ltlagent`` gives a user, and the promises it makes.

Building a spec in Python reads like loading a file (same automaton, errors at the calling
line); a tool is declared once; one prompt per spec however it is passed and on every engine;
the transformers processor serves many ``generate`` calls; traces read back.
"""

from __future__ import annotations

import inspect
import json
import random
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ltlagent
from ltlagent import SpecBuilder, SpecError, compile_spec, load_spec, parse_spec

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_name_resolves_and_import_loads_no_torch():
    code = ("import sys, ltlagent\n"
            "names = [n for n in ltlagent.__all__ if n not in ('load_model', 'set_threads', 'logits_processor', 'SpecLogitsProcessor', 'SpecDecoder')]\n"
            "[getattr(ltlagent, n) for n in names]\n"
            "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    for name in ltlagent.__all__:
        assert getattr(ltlagent, name) is not None
    assert set(ltlagent.__all__) >= {"load_spec", "parse_spec", "compile_spec", "SpecBuilder", "check", "tool", "run", "RunConfig",
                                     "Trace", "read_traces", "logits_processor", "load_model"}


def _readme_spec_text() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("```toml\n", 1)[1].split("```", 1)[0]


def _readme_spec_built() -> SpecBuilder:
    b = SpecBuilder("search_first", "Search at least once, then answer once.")
    b.step("question", source="input", tag="Question: ")
    b.step("action", tag="Action: ", tool_call="bracket")
    b.step("observation", source="environment", tag="Observation: ")
    b.step("final_answer", tag="Final Answer: ")
    b.tool("search", "Search a small encyclopedia.", {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]})
    b.rule("search_first", "question & X action & G(action -> X observation) & G(observation -> X(action | final_answer))",
           why="The agent searches before it answers, and every search gets its observation.")
    b.rule("one_answer_at_the_end", "F final_answer & G(final_answer -> WX false)", why="The trace ends with exactly one answer.")
    b.example("json", "\nQuestion: What is the json module for?\nAction: search[json]\n"
              "Observation: json: JSON (JavaScript Object Notation) is a subset of JavaScript syntax.\nFinal Answer: Encoding and decoding JSON.\n")
    return b


def test_a_spec_built_in_python_is_the_spec_the_file_writes():
    from_file = compile_spec(parse_spec(_readme_spec_text(), "search_first.toml"))
    built = _readme_spec_built()
    from_python = compile_spec(built.build())
    assert from_python.dfa.is_equivalent(from_file.dfa)
    assert [x.name for x in from_python.letters] == [x.name for x in from_file.letters]
    assert from_python.tools == from_file.tools and [e.strip() for e in from_python.examples] == [e.strip() for e in from_file.examples]
    again = compile_spec(parse_spec(built.to_toml()))  # and it writes the same spec back as a file
    assert again.dfa.is_equivalent(from_file.dfa) and again.tools == from_file.tools


def test_builder_errors_name_the_python_line_that_wrote_the_mistake():
    b = _readme_spec_built()
    line = inspect.currentframe().f_lineno + 1
    b.rule("typo", "G(actoin -> X observation)")
    with pytest.raises(SpecError) as err:
        b.build()
    assert (err.value.path, err.value.line) == (__file__, line)
    assert "unknown atom 'actoin'" in str(err.value) and "Did you mean 'action'?" in str(err.value)
    assert 'b.rule("typo"' in str(err.value)  # the offending line is shown
    c = SpecBuilder("c")
    line = inspect.currentframe().f_lineno + 1
    c.step("a", tag="A: ", regx="[a-z]+")
    with pytest.raises(SpecError, match="(?s)unknown key 'regx'.*Did you mean 'regex'") as err:
        c.build()
    assert err.value.line == line
    with pytest.raises(SpecError, match="must be a string, number, boolean"):
        SpecBuilder("d").step("a", tag=object())


def test_a_builder_started_from_a_file_keeps_the_files_lines(tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('name = "p"\n\n[[policies]]\ntool = "nope"\neffect = "allow"\n')
    b = SpecBuilder.from_toml(policy.read_text(), str(policy))
    b.step("call", tag="Call: ", tool_call="json")
    b.tool("get", "Get.", {"type": "object", "properties": {}})
    b.rule("one", "call & WX false")
    with pytest.raises(SpecError) as err:
        b.build()
    assert (err.value.path, err.value.line) == (str(policy), 4)  # the file's own line
    assert b.to_toml().startswith(policy.read_text().rstrip("\n"))  # the file verbatim, comments and all, then the additions


json_scalars = st.one_of(st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=12),
                         st.floats(allow_nan=False, allow_infinity=False, width=32))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                           max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_the_one_toml_writer_round_trips_every_json_value(value):
    from ltlagent.compiler.builder import _toml_value

    text = f"v = {_toml_value(value)}\n"
    assert tomllib.loads(text)["v"] == value, text


def test_a_tool_is_declared_once_from_its_python_signature():
    from ltlagent import tool

    @tool
    def search(query: str, limit: int = 5) -> str:
        """Search the encyclopedia."""
        return query

    b = SpecBuilder("t").step("call", tag="Call: ", tool_call="json").tool(search).rule("one", "call & WX false")
    spec = b.build()
    assert spec.tools[0].parameters["properties"] == {"query": {"type": "string"}, "limit": {"type": "integer"}}
    assert spec.tools[0].parameters["required"] == ["query"] and spec.tools[0].description == "Search the encyclopedia."
    from ltlagent.agents.runtime import checked_registry

    assert checked_registry(compile_spec(spec), [search])["search"] is search

    @tool
    def pick(colour: Literal["red", "green"], count: int) -> str:
        """Pick."""
        return colour

    from ltlagent.agents.tools import schema_mismatches

    assert schema_mismatches(pick, {"type": "object", "properties": {"colour": {"enum": ["red"]}, "count": {"type": "integer"}},
                                    "required": ["colour", "count"]}) == []
    problems = schema_mismatches(pick, {"type": "object", "properties": {"colour": {"enum": ["red", "blue"]}, "count": {"type": "string"},
                                                                          "extra": {"type": "string"}}, "required": ["colour"]})
    assert any('"blue"' in p for p in problems) and any("'count' is 'string' in the spec but 'integer'" in p for p in problems)
    assert any("'extra' is not a parameter" in p for p in problems) and any("needs 'count'" in p for p in problems)
    wrong = SpecBuilder("w").step("call", tag="Call: ", tool_call="json").tool(
        "pick", "Pick.", {"type": "object", "properties": {"colour": {"type": "integer"}, "count": {"type": "integer"}},
                          "required": ["colour", "count"]}).rule("one", "call & WX false")
    with pytest.raises(ltlagent.AgentError, match="do not fit their functions: pick: argument .colour. may be any integer"):
        checked_registry(compile_spec(wrong.build()), [pick])


# -- torch from here on ---------------------------------------------------------------------

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")


def _tiny():
    from tests.decoders.test_hf import tiny_gpt2
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    tok = byte_level_tokenizer()
    return tiny_gpt2(len(tok)), tok


def test_one_prompt_per_spec_whatever_the_call_style_and_engine(monkeypatch):
    from ltlagent.agents.demo_tools import react_tools
    from ltlagent.agents.serving import run_episodes
    from ltlagent.decoders.hf import SpecDecoder
    from tests.agents.test_serving import GuidedEngine

    model, tok = _tiny()
    prompts: list[str] = []
    real_start = SpecDecoder.start
    monkeypatch.setattr(SpecDecoder, "start", lambda self, prompt: (prompts.append(prompt), real_start(self, prompt))[1])
    path = ltlagent.compiler.spec.resolve_spec_path("react")
    for style in ("react", path, str(path), load_spec("react"), compile_spec(load_spec("react"))):
        ltlagent.run(style, model, tok, react_tools(), "What is JSON?", max_steps=4, max_step_tokens=4, device="cpu")
    engine = GuidedEngine("react")
    run_episodes("react", engine, tok, react_tools(), ["What is JSON?"], max_steps=4, max_step_tokens=4, max_new_tokens=16)
    first = engine.requests[0].prompt
    assert len(prompts) == 5 and len(set(prompts)) == 1, "the prompt changed with how the spec was passed"
    assert first == prompts[0] + "Question: What is JSON?\n"  # the engine's request: the same prompt, then the trace so far
    for example in compile_spec(load_spec("react")).examples:
        assert example.strip() in prompts[0]  # the spec's valid examples are in it


def test_the_processor_serves_many_generate_calls_and_bounds_steps():
    model, tok = _tiny()
    c = compile_spec(load_spec("react"))
    proc = ltlagent.logits_processor(c, tok, max_steps=3, max_tokens=60, prefix="Question: q\n")
    eos = tok.eos_token_id if tok.eos_token_id is not None else 0
    for prompt, rows in (("Answer in the format.\nQuestion: q\n", 2), ("Go.\nQuestion: q\n", 3), ("Answer in the format.\nQuestion: q\n", 1)):
        ids = tok([prompt] * rows, return_tensors="pt").input_ids
        torch.manual_seed(rows)
        out = model.generate(ids, attention_mask=torch.ones_like(ids), logits_processor=[proc], max_new_tokens=80, do_sample=True,
                             pad_token_id=eos, eos_token_id=eos)
        guides = proc.sync(out)
        assert len(guides) == rows  # fresh guides for each call, one per row
        for g in guides:
            assert g.status == "finished", (g.status, g.text)
            text = g.text
            verdict = c.check_text(text)
            assert verdict.ok and len(verdict.steps) <= 3, text  # max_steps: the question, a thought, the answer


def test_traces_read_back_and_check_from_python():
    from ltlagent.agents.demo_tools import react_tools

    model, tok = _tiny()
    trace = ltlagent.run("react", model, tok, react_tools(), "What is JSON?", max_steps=8, max_step_tokens=6, temperature=1.0, device="cpu")
    text = trace.to_jsonl()
    back = ltlagent.Trace.from_jsonl(text)
    assert back.steps == trace.steps and back.ok == trace.ok and back.input == trace.input and back.calls == trace.calls
    verdict = back.check(compile_spec(load_spec("react")))
    assert verdict.ok == trace.ok and [s.step for s in verdict.steps] == [s.step for s in trace.steps]
    assert back.check().ok == verdict.ok  # the spec the header names
    assert len(ltlagent.read_traces(text + text)) == 2
    with pytest.raises(ltlagent.TraceFormatError, match="holds 2 traces"):
        ltlagent.Trace.from_jsonl(text + text)
    lines = text.splitlines()
    broken = "\n".join(lines[:1] + [json.dumps({"step": "thought"})] + lines[1:])
    with pytest.raises(ltlagent.TraceFormatError, match="line 2"):
        ltlagent.read_traces(broken)
    result = ltlagent.check([str(ROOT / "src/ltlagent/specs/react.toml")])
    assert result.exit_code() == 0 and result.cases


def test_a_random_builder_spec_and_its_file_compile_alike():
    """Random small specs through both doors: the builder and the TOML it writes."""
    rng = random.Random(7)
    for _ in range(20):
        b = SpecBuilder("r")
        names = [f"s{i}" for i in range(rng.randint(2, 4))]
        for n in names:
            kind = rng.choice(["text", "regex", "choices"])
            extra = {"regex": "[a-c]{1,3}"} if kind == "regex" else {"choices": ["x", "y"]} if kind == "choices" else {}
            b.step(n, tag=f"{n.upper()}: ", **extra)
        a, c2 = rng.sample(names, 2)
        b.rule("r1", rng.choice([f"G({a} -> X {c2})", f"F {a}", f"{a} & X G !{a}", f"G({a} -> WX {c2})"]))
        spec = compile_spec(b.build())
        assert spec.dfa.is_equivalent(compile_spec(parse_spec(b.to_toml())).dfa)
