"""Bad spec files raise SpecError naming file:line:column, with the line, a caret and a hint."""

from __future__ import annotations

import re
import textwrap

import pytest

from ltlagent import LtlagentError, SpecError, load_spec, parse_spec

GOOD = textwrap.dedent(
    """\
    name = "mini"

    [[steps]]
    name = "question"
    source = "input"
    tag = "Q: "

    [[steps]]
    name = "answer"
    tag = "A: "

    [[rules]]
    name = "qa"
    ltlf = "question & X answer"
    """
)


def load(text: str, tmp_path) -> object:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return load_spec(path)


def test_good_spec_loads(tmp_path):
    spec = load(GOOD, tmp_path)
    assert [s.name for s in spec.steps] == ["question", "answer"]
    assert spec.rules[0].line == 12


# (replace this, with this, expected message, line, column, hint fragment)
CASES = [
    ('name = "mini"', 'name = "mini', "invalid TOML", 1, None, "TOML syntax error"),
    ('tag = "A: "', 'tga = "A: "', "unknown key 'tga' in a [[steps]] table", 10, 1, "Did you mean 'tag'?"),
    ('name = "mini"', 'name = "mini"\nrulez = 1', "unknown key 'rulez' in the spec", 2, 1, "Did you mean 'rules'?"),
    ('ltlf = "question & X answer"', 'ltlf = "question & X answr"', "unknown atom 'answr' in rule 'qa'", 14, 22, "Did you mean 'answer'?"),
    ('ltlf = "question & X answer"', 'ltlf = "question & X (answer"', "bad LTLf in rule 'qa': expected ')'", 14, 29, None),
    ('ltlf = "question & X answer"', 'ltlf = "question && answer"', "bad LTLf in rule 'qa': '&&' is not an operator", 14, 18, "single &"),
    ('source = "input"', 'source = "inptu"', "bad source 'inptu'", 5, 10, "Did you mean 'input'?"),
    ('tag = "A: "', "tag = \"A: \"\nregex = '[a-'", "bad regular expression", 11, 10, "literal strings"),
    ('tag = "A: "', 'tag = "Q: "', "steps 'question' and 'answer' have the same tag 'Q: '", 10, 7, None),
    ('name = "answer"', 'name = "Answer"', "step name 'Answer' is not a valid atom", 9, 8, None),
    ('tag = "A: "', 'tag = "A: "\ntool_call = "bracket"', "a step makes tool calls but the spec declares no tools", None, None, None),
    ('tag = "A: "', 'tag = "A: "\nchoices = "yes"', "'choices' must be a array, not string", 11, 11, None),
    ('name = "qa"', 'name = "qa"\nwhy = 3', "'why' must be a string, not integer", 14, 7, None),
    ('ltlf = "question & X answer"', 'formula = "question"', "unknown key 'formula' in a [[rules]] table", 14, 1, None),
    # What the decoder cannot enforce exactly is an error when the spec loads, not at run time.
    ('tag = "A: "', "tag = \"A: \"\nregex = '(?=x)x'", "look-around is not supported", 11, 10, "Look-around"),
    ('tag = "A: "', "tag = \"A: \"\nregex = 'a(b)\\1'", "back-reference is not supported", 11, 14, "non-regular"),
    ('tag = "A: "', "tag = \"A: \"\nregex = '(?i)yes'", "case-insensitive flag", 11, 10, "[Tt]rue"),
    ('tag = "A: "', "tag = \"A: \"\nregex = '[^\\s\\S]'", "matches no text at all", 11, 10, None),
    ('tag = "A: "', "tag = \"A: \"\nregex = 'a\\nb'", "contains the step's terminator", 11, 9, None),
    ('tag = "A: "', 'tag = " "', "must not be only spaces", 10, 7, 'tag = ""'),
    ('tag = "Q: "', 'tag = ""', "only a model step may be untagged", 6, 7, "hands the turn over"),
    ('tag = "A: "', 'tag = "A\\u0000"', "must not contain control characters", 10, 7, None),
    ('tag = "A: "', 'tag = "A: "\nchoices = ["ok\\n"]', "contains the terminator", 11, 11, None),
    ('name = "mini"', 'name = "mini"\n[[rulees]]\nltlf = "a"', "unknown key 'rulees' in the spec", 2, 1, "Did you mean 'rules'?"),
    ('ltlf = "question & X answer"', 'ltlf = "' + "(" * 165 + "answer" + ")" * 165 + '"', "nested more than 100 levels deep", 14, 109, "Split it"),
    ('ltlf = "question & X answer"', 'ltlf = "' + " -> ".join(["answer"] * 1000) + '"', "nested more than 100 levels deep", 14, None, None),
    ('ltlf = "question & X answer"', 'ltlf = "atleast(64, atleast(64, answer))"', "nested counting multiplies", 14, 9, "count less"),
    ('ltlf = "question & X answer"', 'ltlf = "' + " & ".join(["atleast(64, answer)"] * 20) + '"', "too large to compile", 14, 9, "split the rule"),
]


@pytest.mark.parametrize(("old", "new", "message", "line", "column", "hint"), CASES)
def test_bad_specs_are_located(tmp_path, old, new, message, line, column, hint):
    with pytest.raises(SpecError, match=re.escape(message)) as info:
        load(GOOD.replace(old, new, 1), tmp_path)
    err = info.value
    assert err.path.endswith("spec.toml")
    if line is not None:
        assert err.line == line
        text = str(err)
        assert text.startswith(f"{err.path}:{line}")
        assert f"{line:>5} | " in text  # the offending line is shown
    if column is not None:
        assert err.column == column
        assert "^" in str(err)
    if hint is not None:
        assert hint in str(err)


def test_spec_error_is_a_value_error():
    assert issubclass(SpecError, LtlagentError)
    assert issubclass(SpecError, ValueError)


def test_unknown_proposition_target():
    text = GOOD + '\n[[propositions]]\nname = "yes"\nstep = "answr"\nmatching = "y.*"\n'
    with pytest.raises(SpecError, match=r"unknown step 'answr'.*\n.*\n.*\n.*Did you mean 'answer'") as info:
        parse_spec(text, "x.toml")
    assert info.value.line == 18


def test_unknown_parameter_in_counting_sugar():
    text = GOOD.replace('ltlf = "question & X answer"', 'ltlf = "atmost({cap}, answer)"')
    with pytest.raises(SpecError, match=r"unknown parameter 'cap'") as info:
        parse_spec(text, "x.toml")
    assert "[parameters]" in str(info.value)


def test_missing_file_suggests_shipped_specs():
    with pytest.raises(SpecError, match=r"no such spec file") as info:
        load_spec("reactt")
    assert "Did you mean 'react'?" in str(info.value)


def test_proposition_needs_one_pattern():
    text = GOOD + '\n[[propositions]]\nname = "yes"\nstep = "answer"\n'
    with pytest.raises(SpecError, match=r"needs exactly one of 'matching' or 'not_matching'"):
        parse_spec(text, "x.toml")


def test_bad_tool_schema():
    text = GOOD + '\n[[tools]]\nname = "t"\nparameters = { type = "objekt" }\n'
    with pytest.raises(SpecError, match=r"bad JSON Schema for the tool's parameters") as info:
        parse_spec(text, "x.toml")
    assert info.value.line == 18


def test_error_inside_a_multiline_formula_points_at_its_line():
    text = GOOD.replace('ltlf = "question & X answer"', 'ltlf = """\nquestion &\n  X answr\n"""')
    with pytest.raises(SpecError, match="unknown atom 'answr'") as info:
        parse_spec(text, "x.toml")
    assert (info.value.line, info.value.column) == (16, 5)
    assert "   16 |   X answr" in str(info.value)


def test_long_and_or_chains_compile(tmp_path):
    # 1,000-term conjunctions parse into a balanced tree: no recursion limit, no error.
    from ltlagent import compile_spec

    chain = " & ".join(["F answer"] * 500) + " | " + " | ".join(["question"] * 500)
    spec = load(GOOD.replace('ltlf = "question & X answer"', f'ltlf = "{chain}"'), tmp_path)
    assert compile_spec(spec).dfa.num_states >= 1


def test_many_eventualities_compile(tmp_path):
    rules = "".join(f'\n[[rules]]\nname = "r{i}"\nltlf = "G(question -> F answer)"\n' for i in range(33))
    from ltlagent import compile_spec

    assert compile_spec(load(GOOD + rules, tmp_path)).errors == ()


def test_a_bom_and_a_tool_schema_pattern_are_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_spec(path).name == "mini"


def test_tool_schema_patterns_are_checked_like_spec_patterns(tmp_path):
    text = GOOD.replace('tag = "A: "', 'tag = "A: "\ntool_call = "json"') + textwrap.dedent(
        """
        [[tools]]
        name = "send"
        parameters = { type = "object", properties = { to = { type = "string", pattern = '(?<=x)y' } } }
        """
    )
    with pytest.raises(SpecError, match="look-around is not supported"):
        load(text, tmp_path)


def test_deeply_nested_toml_is_a_located_error(tmp_path):
    with pytest.raises(SpecError, match="nests arrays, tables or schemas too deeply") as info:
        load(GOOD + "\nx = " + "[" * 5000 + "]" * 5000 + "\n", tmp_path)
    assert info.value.line == 1


@pytest.mark.parametrize("keyword", ['minimum = 5', 'multipleOf = 3', 'uniqueItems = true', 'allOf = [{ type = "string" }]', 'oneOf = [{ type = "string" }]'])
def test_schema_keywords_the_masks_cannot_enforce_are_refused(tmp_path, keyword):
    # outlines-core's schema regex ignores these (or reads allOf/oneOf differently): the masks
    # would write calls jsonschema rejects.
    text = GOOD.replace('tag = "A: "', 'tag = "A: "\ntool_call = "json"') + textwrap.dedent(
        f"""
        [[tools]]
        name = "pick"
        parameters = {{ type = "object", properties = {{ minimum = {{ type = "integer", {keyword} }} }} }}
        """
    )
    with pytest.raises(SpecError, match="cannot be enforced by the decoder's token masks") as info:
        load(text, tmp_path)
    assert info.value.line == 19
