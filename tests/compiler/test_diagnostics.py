"""Compile-time diagnostics, each on a small spec built to trigger it."""

from __future__ import annotations

import textwrap

from ltlagent import compile_spec, parse_spec

HEAD = textwrap.dedent(
    """\
    name = "d"

    [[steps]]
    name = "q"
    source = "input"
    tag = "Q: "

    [[steps]]
    name = "act"
    tag = "Act: "

    [[steps]]
    name = "obs"
    source = "environment"
    tag = "Obs: "

    [[steps]]
    name = "done"
    tag = "Done: "
    """
)


def rules(*pairs: tuple[str, str]) -> str:
    return "".join(f'\n[[rules]]\nname = "{n}"\nltlf = "{f}"\n' for n, f in pairs)


def codes(text: str) -> list[str]:
    return [d.code for d in compile_spec(parse_spec(text, "d.toml")).diagnostics]


BASE = [("start", "q & X act"), ("act_obs", "G(act -> X obs)"), ("obs_next", "G(obs -> X(act | done))"), ("end", "F done & G(done -> WX false)")]


def test_clean_spec_has_no_diagnostics():
    assert codes(HEAD + rules(*BASE)) == []


def test_unsatisfiable_names_a_minimal_conflict():
    c = compile_spec(parse_spec(HEAD + rules(*BASE, ("never_done", "G !done"), ("harmless", "G(q -> X !q)")), "d.toml"))
    (d,) = c.diagnostics
    assert d.code == "unsatisfiable" and d.severity == "error"
    assert "'end'" in d.message and "'never_done'" in d.message
    assert "'harmless'" not in d.message and "'start'" not in d.message
    assert d.line > 0


def test_unreachable_step():
    text = HEAD + '\n[[steps]]\nname = "extra"\ntag = "Extra: "\n' + rules(*BASE)
    c = compile_spec(parse_spec(text, "d.toml"))
    assert [d.code for d in c.diagnostics] == ["unreachable-step"]
    assert "'extra'" in c.diagnostics[0].message


def test_redundant_rule():
    c = compile_spec(parse_spec(HEAD + rules(*BASE, ("implied", "F act")), "d.toml"))
    assert [(d.code, d.message) for d in c.diagnostics] == [("redundant-rule", "rule 'implied' is implied by the other rules")]


def test_ambiguous_tags():
    # "Act: now x" could be an act step whose text starts with "now": the reading is not unique.
    text = HEAD.replace('tag = "Done: "', 'tag = "Act: now "') + rules(*BASE)
    c = compile_spec(parse_spec(text, "d.toml"))
    assert [(d.code, d.severity) for d in c.diagnostics if d.code == "ambiguous-tag"] == [("ambiguous-tag", "error")]


def test_prefix_tags_whose_content_cannot_collide_only_warn():
    text = HEAD.replace('tag = "Act: "', 'tag = "Act: "\nregex = "[0-9]+"').replace('tag = "Done: "', 'tag = "Act: now "') + rules(*BASE)
    c = compile_spec(parse_spec(text, "d.toml"))
    assert [(d.code, d.severity) for d in c.diagnostics if d.code == "ambiguous-tag"] == [("ambiguous-tag", "warning")]


def test_tag_in_multiline_content():
    text = HEAD.replace('tag = "Done: "', 'tag = "Done: "\nterminator = "</done>"') + rules(*BASE)
    assert "tag-in-content" in codes(text)


def test_environment_trap_names_the_answer():
    text = HEAD + '\n[[propositions]]\nname = "failed"\nstep = "obs"\nmatching = "ERROR.*"\n' + rules(*BASE, ("no_failures", "G !failed"))
    c = compile_spec(parse_spec(text, "d.toml"))
    (d,) = c.diagnostics
    assert d.code == "environment-trap" and d.severity == "error"
    assert "after q → act, if the environment answers obs{failed}" in d.message


def test_environment_may_answer_anything_when_the_spec_handles_it():
    text = HEAD + '\n[[propositions]]\nname = "failed"\nstep = "obs"\nmatching = "ERROR.*"\n' + rules(*BASE, ("retry", "G(failed -> X act)"))
    assert codes(text) == []


def test_empty_proposition():
    text = HEAD.replace('tag = "Done: "', "tag = \"Done: \"\nregex = '[0-9]+'") + '\n[[propositions]]\nname = "wordy"\nstep = "done"\nmatching = "[a-z]+"\n' + rules(*BASE)
    c = compile_spec(parse_spec(text, "d.toml"))
    assert [d.code for d in c.diagnostics] == ["empty-proposition"]
    assert [x.name for x in c.letters if x.step == "done"] == ["done{!wordy}"]


def test_examples_are_checked_at_compile_time():
    text = HEAD + rules(*BASE) + "\n[[examples]]\nname = \"bad\"\ntext = '''\nQ: hi\nAct: a\nDone: d\n'''\n"
    c = compile_spec(parse_spec(text, "d.toml"))
    (d,) = c.diagnostics
    assert d.code == "example-rule"
    assert d.line == text.splitlines().index("Done: d") + 1
    assert "rule" not in d.message or "act_obs" in d.message


def test_negative_examples_must_be_rejected():
    text = HEAD + rules(*BASE) + "\n[[examples]]\nname = \"neg\"\nvalid = false\ntext = '''\nQ: hi\nAct: a\nObs: o\nDone: d\n'''\n"
    assert codes(text) == ["example-accepted"]


def test_vacuous_rule():
    c = compile_spec(parse_spec(HEAD + rules(*BASE, ("tautology", "G(act -> act)")), "d.toml"))
    assert [(d.code, d.line > 0) for d in c.diagnostics] == [("vacuous-rule", True)]
    assert "'tautology' holds on every trace" in c.diagnostics[0].message


def test_windows_line_endings_are_read_as_newlines():
    c = compile_spec(parse_spec(HEAD + rules(*BASE), "d.toml"))
    assert c.check_text("Q: hi\r\nAct: a\r\nObs: o\r\nDone: d\r\n").ok


def test_too_many_propositions_on_one_step():
    import pytest

    from ltlagent import SpecError

    props = "".join(f'\n[[propositions]]\nname = "p{i}"\nstep = "obs"\nmatching = "{i}.*"\n' for i in range(9))
    with pytest.raises(SpecError, match=r"9 propositions apply to step 'obs' \(p0, .*\); at most 8 may") as info:
        compile_spec(parse_spec(HEAD + props + rules(*BASE), "d.toml"))
    assert info.value.line == 12
